"""Run one report many times — per outlet, per topic, or per parameter set — in parallel.

A *batch* is a list of :class:`BatchRun` (a label, a safe output name, parameters) built by
:func:`each_runs` (one run per outlet or topic of the corpus) or :func:`grid_runs` (one run per
parameter set of a YAML/JSON grid file), and executed by :func:`run_batch`:

* every run gets its own worker **process** (``multiprocessing`` with ``spawn``), hence its own
  kernel and its own temporary folder (``TMPDIR``); papermill's working directory is
  process-global, so threads would not do;
* at most ``jobs`` runs at a time (default: the number of cores), a progress bar on stderr;
* one failing report does not stop the others; ``<out>/index.html`` (and ``index.json``) link
  every report with its status (ok, failed with the reason and the kept failed notebook,
  interrupted, not run) and are rewritten after every finished run;
* Ctrl-C or SIGTERM stops the workers (each shuts its kernel down), removes half-written
  outputs and leaves the index showing what finished.

Output names are :func:`safe_name` of the run's label: a slug plus a short hash of the label, so
"../x", "a/b" or "<script>" cannot leave the output folder, and two labels never share a file.

Exit codes (:attr:`BatchResult.exit_code`): 0 every run succeeded, 3 at least one failed, 130
interrupted by SIGINT (Ctrl-C), 143 stopped by SIGTERM. Bad parameters are found before any
worker starts and raise :class:`~toolkit.errors.ParameterError` (the command line exits 2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import quote

from toolkit.errors import ParameterError, ReportError, ToolkitError, one_of

__all__ = [
    "BatchResult",
    "BatchRun",
    "RunOutcome",
    "each_runs",
    "grid_runs",
    "read_grid",
    "run_batch",
    "safe_name",
    "write_index",
]

logger = logging.getLogger(__name__)

Each = Literal["outlet", "topic"]
Status = Literal["ok", "failed", "interrupted", "not run"]

EXIT_OK = 0
EXIT_FAILED = ReportError.exit_code
EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM

#: Seconds a worker gets to shut its kernel down after SIGTERM before it is killed.
STOP_GRACE = 20.0

_HASH_LENGTH = 8
_SLUG_LENGTH = 40


# --------------------------------------------------------------------------------------------
# Runs and names
# --------------------------------------------------------------------------------------------


def safe_name(label: str, *, prefix: str | None = None) -> str:
    """Turn a run's label into a file stem that is safe and unique.

    The stem is an ASCII slug of the label (lower case letters, digits and ``-``; at most 40
    characters; ``run`` when nothing is left) followed by ``-`` and the first 8 hex digits of
    the label's SHA-256. No separator, no leading dot, nothing a shell or browser misreads, and
    labels that slug alike (``"BBC"``, ``"bbc"``, ``"b/b/c"``) still get different names.

    Parameters
    ----------
    label : str
        What the run is for: an outlet, a topic, a grid entry's label.
    prefix : str, optional
        Put before the slug (itself slugged), e.g. the report's name.

    Examples
    --------
    >>> safe_name("../etc/passwd")
    'etc-passwd-7fef78f5'
    >>> safe_name("<script>")
    'script-5b63e5b2'
    """
    digest = hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_LENGTH]
    parts = [_slug(prefix) if prefix else "", _slug(label) or "run", digest]
    return "-".join(part for part in parts if part)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_SLUG_LENGTH].strip("-")


@dataclass(frozen=True)
class BatchRun:
    """One report run of a batch.

    ``label`` is what the run is for (an outlet, a topic, a grid entry), ``name`` the file stem
    of its outputs (see :func:`safe_name`), ``parameters`` the notebook parameters it sets.
    """

    label: str
    name: str
    parameters: Mapping[str, object] = field(default_factory=dict)


def _declared(report: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]]:
    from toolkit.report import find_report, notebook_parameters

    source = find_report(report)
    return source, notebook_parameters(source)


def _default_path(source: Path, declared: Mapping[str, Any], name: str) -> str | None:
    """A path parameter's default as the kernel sees it (relative to the notebook's folder)."""
    param = declared.get(name)
    if param is None:
        return None
    value = param.default_value
    if not isinstance(value, str) or not value:
        return None
    return str((source.parent / Path(value).expanduser()).resolve())


def each_runs(
    report: str | os.PathLike[str],
    by: Each,
    *,
    parameters: Mapping[str, object] | None = None,
    prefix: str | None = None,
) -> list[BatchRun]:
    """One run per outlet or per topic of the report's corpus or topic dictionary.

    ``by="outlet"`` loads the corpus (the ``corpus`` parameter, else the notebook's default;
    ``load_corpus(cache=True)``, once) and gives each outlet a run with ``outlets=[outlet]``;
    when ``parameters`` sets ``outlets``, only those outlets get runs. ``by="topic"`` reads the
    topic dictionary (``topics``) and gives each topic a run with ``topic=name`` (or
    ``topic=[name]`` when the notebook's ``topic`` is a list).

    Parameters
    ----------
    report : str or PathLike
        Report name or notebook path (see :func:`toolkit.report.find_report`).
    by : {"outlet", "topic"}
        What to run the report for.
    parameters : Mapping, optional
        Parameters every run shares (already typed, e.g. by ``NotebookParameter.parse``).
    prefix : str, optional
        Put before every output name.

    Returns
    -------
    list of BatchRun

    Raises
    ------
    ParameterError
        ``by`` is not valid, the report has no parameter to set (``outlets`` or ``topic``),
        ``topic`` was also given, an outlet asked for is not in the corpus, or the corpus has
        no outlets.

    Examples
    --------
    >>> runs = each_runs("coverage", "outlet", parameters={"corpus": "data/sample"})  # doctest: +SKIP
    >>> runs[0].parameters["outlets"]  # doctest: +SKIP
    ['Daily Meridian']
    """
    if by not in ("outlet", "topic"):
        raise ParameterError("each", by, one_of(["outlet", "topic"]))
    source, declared = _declared(report)
    common = dict(parameters or {})
    if by == "outlet":
        values = _outlet_values(source, declared, common)
        return [
            BatchRun(value, safe_name(value, prefix=prefix), {**common, "outlets": [value]})
            for value in values
        ]
    values = _topic_values(source, declared, common)
    as_list = declared["topic"].accepts([values[0]]) and not declared["topic"].accepts(values[0])
    return [
        BatchRun(value, safe_name(value, prefix=prefix),
                 {**common, "topic": [value] if as_list else value})
        for value in values
    ]


def _outlet_values(source: Path, declared: Mapping[str, Any], common: Mapping[str, object]) -> list[str]:
    if "outlets" not in declared:
        raise ParameterError(
            "each",
            "outlet",
            f"a report that takes an 'outlets' parameter; {source.name} declares "
            f"{one_of(declared) if declared else 'no parameters'}",
            hint="Use --grid to vary other parameters.",
        )
    corpus = common.get("corpus") or _default_path(source, declared, "corpus")
    if not isinstance(corpus, str | os.PathLike):
        raise ParameterError("corpus", corpus, "a file or folder to load the outlets from",
                             hint="Pass --corpus PATH.")
    from toolkit.load.core import load_corpus

    articles = load_corpus(corpus, cache=True, progress=False)
    present = [str(v) for v in dict.fromkeys(articles["outlet"].dropna()) if str(v)]
    if not present:
        raise ParameterError("corpus", str(corpus), "a corpus whose articles name their outlet",
                             hint="No article has an outlet; pass --outlet when loading.")
    wanted = common.get("outlets")
    if wanted is None:
        return sorted(present)
    asked = [wanted] if isinstance(wanted, str) else list(wanted)  # type: ignore[arg-type]
    missing = [v for v in asked if v not in present]
    if missing:
        raise ParameterError("outlets", missing, f"outlets of the corpus: {one_of(sorted(present))}")
    return list(dict.fromkeys(asked))


def _topic_values(source: Path, declared: Mapping[str, Any], common: Mapping[str, object]) -> list[str]:
    if "topic" not in declared:
        raise ParameterError(
            "each",
            "topic",
            f"a report that takes a 'topic' parameter (such as topic_deep_dive); {source.name} "
            f"declares {one_of(declared) if declared else 'no parameters'}",
            hint="Use --each outlet or --grid with this report.",
        )
    if "topic" in common:
        raise ParameterError("topic", common["topic"], "no value with --each topic",
                             hint="--each topic sets it for every run; drop -p topic=....")
    topics = common.get("topics") or _default_path(source, declared, "topics")
    if not isinstance(topics, str | os.PathLike):
        raise ParameterError("topics", topics, "a topic dictionary to read the topics from",
                             hint="Pass --topics PATH.")
    from toolkit.topics import load_topics

    dictionary = load_topics(topics)
    values = [str(v) for v in dict.fromkeys(dictionary["topic"])]
    if not values:
        raise ParameterError("topics", str(topics), "a topic dictionary with at least one topic")
    return values


def read_grid(path: str | os.PathLike[str]) -> list[tuple[str | None, dict[str, object]]]:
    """Read a parameter grid file: ``[(label or None, parameters), ...]``.

    A YAML (``.yaml``/``.yml``) or JSON (``.json``) file holding either a list of parameter
    sets (mappings) or a mapping of labels to parameter sets::

        - {freq: W, title: Weekly}
        - {freq: M, title: Monthly}

        weekly: {freq: W}
        monthly: {freq: M}

    Dates that YAML reads as dates become ISO strings.

    Raises
    ------
    ParameterError
        Missing file, unknown suffix, unparsable content or the wrong shape.

    Examples
    --------
    >>> read_grid("grid.yaml")  # doctest: +SKIP
    [(None, {'freq': 'W', 'title': 'Weekly'}), (None, {'freq': 'M', 'title': 'Monthly'})]
    """
    file = Path(path).expanduser()
    suffix = file.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ParameterError("grid", str(path), "a .yaml, .yml or .json file")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError("grid", str(path), "a readable UTF-8 file", hint=f"({exc})") from exc
    try:
        if suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # yaml and json raise their own error types
        raise ParameterError("grid", str(path), "valid YAML or JSON",
                             hint=_first_line(str(exc))) from exc
    shape = ("a non-empty list of parameter sets (mappings), or a mapping of labels to "
             "parameter sets")
    if isinstance(data, list):
        entries: list[tuple[str | None, object]] = [(None, item) for item in data]
    elif isinstance(data, dict):
        entries = [(str(label), item) for label, item in data.items()]
    else:
        raise ParameterError("grid", str(path), shape)
    if not entries:
        raise ParameterError("grid", str(path), shape, hint="The file lists no runs.")
    grid: list[tuple[str | None, dict[str, object]]] = []
    for index, (label, item) in enumerate(entries):
        if item is None:
            item = {}
        if not isinstance(item, dict) or not all(isinstance(k, str) for k in item):
            where = f"entry {label!r}" if label is not None else f"entry {index + 1}"
            raise ParameterError("grid", str(path), shape,
                                 hint=f"Its {where} is {item!r}, not a mapping of names to values.")
        grid.append((label, {k: _plain(v) for k, v in item.items()}))
    return grid


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _label_of(parameters: Mapping[str, object]) -> str:
    if not parameters:
        return "defaults"
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in parameters.items())


def grid_runs(
    report: str | os.PathLike[str],
    grid: str | os.PathLike[str] | Sequence[Mapping[str, object]] | Mapping[str, Mapping[str, object]],
    *,
    parameters: Mapping[str, object] | None = None,
    prefix: str | None = None,
) -> list[BatchRun]:
    """One run per parameter set of a grid (a file for :func:`read_grid`, a list or a mapping).

    Each run's parameters are ``parameters`` updated with its set. A string value for a
    parameter that is not a string (``"3"`` for ``n: int``) is parsed like command-line text.
    Runs are labelled by their grid key, or by their own parameters (``freq="W", n=3``).

    Raises
    ------
    ParameterError
        A bad grid (see :func:`read_grid`), an unknown parameter, or two identical runs.

    Examples
    --------
    >>> runs = grid_runs("demo", [{"n": 2}, {"n": 3}])  # doctest: +SKIP
    >>> [r.label for r in runs]  # doctest: +SKIP
    ['n=2', 'n=3']
    """
    from toolkit.report import unknown_parameter_error

    source, declared = _declared(report)
    if isinstance(grid, str | os.PathLike):
        entries = read_grid(grid)
    elif isinstance(grid, Mapping):
        entries = [(str(k), {n: _plain(v) for n, v in dict(v).items()}) for k, v in grid.items()]
    else:
        entries = [(None, {n: _plain(v) for n, v in dict(v).items()}) for v in grid]
    if not entries:
        raise ParameterError("grid", grid, "at least one parameter set")
    runs: list[BatchRun] = []
    seen: dict[str, str] = {}
    for label, own in entries:
        typed: dict[str, object] = {}
        for name, value in own.items():
            param = declared.get(name)
            if param is None:
                error = unknown_parameter_error(name, value, declared, source)
                error.args = (f"{error.args[0]} (in the grid run {label or _label_of(own)!r})",)
                raise error
            if isinstance(value, str) and not param.accepts(value):
                try:
                    value = param.parse(value)
                except ParameterError as exc:
                    exc.args = (f"{exc.args[0]} (in the grid run {label or _label_of(own)!r})",)
                    raise
            typed[name] = value
        text = label if label is not None else _label_of(typed)
        merged = {**dict(parameters or {}), **typed}
        key = json.dumps(merged, sort_keys=True, default=str)
        if key in seen:
            raise ParameterError("grid", text, "parameter sets that differ",
                                 hint=f"It repeats the run {seen[key]!r}.")
        seen[key] = text
        runs.append(BatchRun(text, safe_name(text, prefix=prefix), merged))
    return runs


# --------------------------------------------------------------------------------------------
# Outcomes and the index
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunOutcome:
    """How one run of a batch ended.

    ``status`` is ``"ok"``, ``"failed"``, ``"interrupted"`` (stopped by Ctrl-C/SIGTERM while
    running) or ``"not run"`` (never started). ``html`` is the report (ok runs), ``notebook``
    the executed notebook, or the kept ``.failed.ipynb`` of a failed run; ``reason`` says why a
    run failed or stopped.
    """

    run: BatchRun
    status: Status
    html: Path | None = None
    notebook: Path | None = None
    reason: str = ""
    duration: float | None = None


@dataclass(frozen=True)
class BatchResult:
    """What :func:`run_batch` did: one outcome per run, in the order of the runs."""

    report: str
    out: Path
    index: Path
    outcomes: tuple[RunOutcome, ...]
    interrupted: Literal["SIGINT", "SIGTERM"] | None = None
    duration: float = 0.0

    def count(self, status: Status) -> int:
        """How many runs ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def exit_code(self) -> int:
        """0 all ok, 3 any failed, 130 interrupted by SIGINT, 143 stopped by SIGTERM."""
        if self.interrupted == "SIGINT":
            return EXIT_SIGINT
        if self.interrupted == "SIGTERM":
            return EXIT_SIGTERM
        return EXIT_FAILED if any(o.status != "ok" for o in self.outcomes) else EXIT_OK


_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
p.meta { color: #59636e; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; }
td.reason { font-size: .85rem; color: #59636e; max-width: 40rem; overflow-wrap: anywhere; }
span.status { font-weight: 600; padding: .05rem .45rem; border-radius: .6rem; white-space: nowrap; }
span.ok { background: #dafbe1; color: #116329; }
span.failed { background: #ffebe9; color: #a40e26; }
span.interrupted, span.not-run { background: #fff8c5; color: #7d4e00; }
div.banner { background: #fff8c5; border: 1px solid #d4a72c; padding: .5rem .8rem; margin: 1rem 0; }
"""


def _href(target: Path, base: Path) -> str:
    try:
        relative = target.resolve().relative_to(base.resolve())
    except ValueError:
        return target.resolve().as_uri()
    return quote(relative.as_posix())


def _shown_path(target: Path, base: Path) -> str:
    try:
        return target.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(target)


def write_index(
    out: str | os.PathLike[str],
    report: str,
    outcomes: Iterable[RunOutcome],
    *,
    title: str | None = None,
    note: str | None = None,
) -> Path:
    """Write ``<out>/index.html`` and ``<out>/index.json`` listing every run and its status.

    The page links each report (relative links, so the folder can be moved) and shows, for
    failed runs, the reason and the kept failed notebook. Every label, parameter and message is
    HTML-escaped; the page has no scripts and needs no network. Both files are written to a
    temporary name and renamed into place, so a reader never sees half a page.

    Examples
    --------
    >>> run = BatchRun("Daily Meridian", "daily-meridian-1a2b3c4d", {"outlets": ["Daily Meridian"]})
    >>> write_index(tmp, "coverage_report", [RunOutcome(run, "not run")])  # doctest: +SKIP
    PosixPath('.../index.html')
    """
    folder = Path(out).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    rows = list(outcomes)
    counts = {s: sum(1 for o in rows if o.status == s) for s in ("ok", "failed", "interrupted", "not run")}
    heading = title or f"Batch: {report}"
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no runs"
    cells = []
    for outcome in rows:
        run = outcome.run
        status = html.escape(outcome.status)
        css = outcome.status.replace(" ", "-")
        if outcome.html is not None and outcome.status == "ok":
            link = (f'<a href="{html.escape(_href(outcome.html, folder), quote=True)}">'
                    f"{html.escape(run.label)}</a>")
        else:
            link = html.escape(run.label)
        details = []
        if outcome.reason:
            details.append(html.escape(outcome.reason))
        if outcome.notebook is not None and outcome.status != "ok":
            shown = html.escape(_shown_path(outcome.notebook, folder))
            href = html.escape(_href(outcome.notebook, folder), quote=True)
            details.append(f'Notebook kept at <a href="{href}"><code>{shown}</code></a>.')
        duration = "" if outcome.duration is None else f"{outcome.duration:.1f} s"
        params = html.escape(json.dumps(dict(run.parameters), ensure_ascii=False, default=str))
        cells.append(
            "<tr>"
            f"<td>{link}</td>"
            f'<td><span class="status {css}">{status}</span></td>'
            f"<td>{duration}</td>"
            f'<td class="reason">{"<br>".join(details)}</td>'
            f'<td class="reason"><code>{params}</code></td>'
            "</tr>"
        )
    banner = f'<div class="banner">{html.escape(note)}</div>' if note else ""
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(heading)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(heading)}</h1>"
        f'<p class="meta">{html.escape(summary)} &middot; report {html.escape(report)} &middot; '
        f"written {html.escape(dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M:%S UTC'))}</p>"
        f"{banner}"
        "<table><thead><tr><th>Run</th><th>Status</th><th>Time</th><th>Details</th>"
        "<th>Parameters</th></tr></thead><tbody>"
        + "".join(cells)
        + "</tbody></table></body></html>\n"
    )
    record = {
        "report": report,
        "title": heading,
        "note": note,
        "counts": counts,
        "runs": [
            {
                "label": o.run.label,
                "name": o.run.name,
                "status": o.status,
                "parameters": dict(o.run.parameters),
                "html": None if o.html is None else _shown_path(o.html, folder),
                "notebook": None if o.notebook is None else _shown_path(o.notebook, folder),
                "reason": o.reason,
                "duration": o.duration,
            }
            for o in rows
        ],
    }
    index = folder / "index.html"
    _write_atomically(index, page)
    _write_atomically(folder / "index.json",
                      json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    return index


def _write_atomically(path: Path, text: str) -> None:
    # open(..., "x") rather than mkstemp: the file gets the usual permissions (umask), not 0600.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        with open(tmp, "x", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------------


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated()


def _watch_parent(parent: int) -> None:
    # A worker whose batch process died (SIGKILL) stops itself and its kernel.
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _work(spec: dict[str, Any], conn: Any) -> None:
    """Worker process: run one report, send back a dict describing the outcome."""
    # Own process group: a terminal's Ctrl-C reaches only the batch process, which then stops
    # the workers in order (SIGTERM) instead of every process dying at once.
    try:
        os.setpgrp()
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_terminated)
    threading.Thread(target=_watch_parent, args=(spec["parent"],), daemon=True).start()
    logging.basicConfig(level=spec["log_level"], stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    # The kernel inherits the environment: its temporary files go to this run's own folder.
    os.environ["TMPDIR"] = spec["tmp"]
    tempfile.tempdir = None
    started = time.perf_counter()
    reply: dict[str, Any]
    try:
        from toolkit.report import run_report

        result = run_report(
            spec["source"],
            parameters=spec["parameters"],
            out=spec["out"],
            output_name=spec["name"],
            kernel_name=spec["kernel"],
            timeout=spec["timeout"],
            progress=False,
        )
        reply = {"status": "ok", "html": str(result.html), "notebook": str(result.notebook)}
    except KeyboardInterrupt:
        reply = {"status": "interrupted", "reason": "stopped while running"}
    except ReportError as exc:
        reply = {"status": "failed", "reason": str(exc), "notebook": exc.notebook}
    except ToolkitError as exc:
        reply = {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:
        logger.exception("unexpected error in batch run %s", spec["name"])
        reply = {"status": "failed", "reason": f"unexpected error: {type(exc).__name__}: {exc}"}
    reply["duration"] = time.perf_counter() - started
    try:
        conn.send(reply)
    except OSError:  # the batch process is gone (killed); nobody is listening
        pass
    finally:
        conn.close()
        # The batch process removes it too; this covers a batch process that was killed. A
        # kernel that is still stopping may write into it while it goes: try again briefly.
        for _ in range(100):  # up to 10 s: a kernel stops slowly on a loaded machine
            shutil.rmtree(spec["tmp"], ignore_errors=True)
            if not os.path.exists(spec["tmp"]):
                break
            time.sleep(0.1)


@dataclass
class _Running:
    run: BatchRun
    process: Any
    conn: Any
    tmp: str
    reply: dict[str, Any] | None = None


def _collect(job: _Running) -> None:
    try:
        while job.reply is None and job.conn.poll():
            job.reply = job.conn.recv()
    except (EOFError, OSError):
        pass


def _outcome(job: _Running, stopping: str | None) -> RunOutcome:
    _collect(job)
    reply = job.reply
    if reply is None:
        code = job.process.exitcode
        if stopping:
            return RunOutcome(job.run, "interrupted", reason=f"stopped by {stopping}")
        return RunOutcome(job.run, "failed",
                          reason=f"The worker process ended (exit code {code}) without a result.")
    status = reply["status"]
    notebook = Path(reply["notebook"]) if reply.get("notebook") else None
    html_path = Path(reply["html"]) if reply.get("html") else None
    reason = reply.get("reason", "")
    if status != "ok" and stopping:
        status, reason = "interrupted", f"stopped by {stopping}" + (f": {reason}" if reason else "")
    return RunOutcome(job.run, status, html=html_path, notebook=notebook, reason=reason,
                      duration=reply.get("duration"))


def _remove_partial(out: Path, name: str) -> None:
    # run_report writes .<name>.<token>.part.* and renames on success; a worker killed
    # mid-export leaves them behind.
    for leftover in out.glob(f".{name}.*.part.*"):
        leftover.unlink(missing_ok=True)


def run_batch(
    report: str | os.PathLike[str],
    runs: Sequence[BatchRun],
    *,
    out: str | os.PathLike[str] = "reports",
    jobs: int | None = None,
    kernel_name: str = "python3",
    timeout: int | None | Literal["auto"] = "auto",
    progress: bool | None = None,
    title: str | None = None,
) -> BatchResult:
    """Run a report once per :class:`BatchRun`, in parallel worker processes, and index them.

    Every run's parameters are checked before any worker starts. Each run writes
    ``<out>/<run.name>.html`` and ``.ipynb`` (or ``<run.name>.failed.ipynb``) through
    :func:`toolkit.report.run_report` in its own spawned process, with its own kernel and
    temporary folder. ``<out>/index.html`` and ``index.json`` are rewritten whenever a run
    ends. Ctrl-C (SIGINT) or SIGTERM stops every worker (each shuts its kernel down; after
    ``STOP_GRACE`` seconds it is killed), removes half-written files and writes the index with
    the runs that finished; the result's ``interrupted`` says which signal it was.

    Parameters
    ----------
    report : str or PathLike
        Report name or notebook path.
    runs : sequence of BatchRun
        From :func:`each_runs` or :func:`grid_runs`; names must be unique.
    out : str or PathLike, default "reports"
        Output folder of every run and of the index.
    jobs : int, optional
        Worker processes at a time; default the number of cores.
    kernel_name, timeout
        As for :func:`toolkit.report.run_report`.
    progress : bool, optional
        Progress bar on stderr; default when stderr is a terminal.
    title : str, optional
        Heading of the index page.

    Returns
    -------
    BatchResult
        ``exit_code`` is 0, 3 (a run failed), 130 or 143 (interrupted).

    Raises
    ------
    ParameterError
        Bad parameters in any run, duplicate names, bad ``jobs``/``out``; nothing has run.
    ReportError
        The kernel does not exist.

    Examples
    --------
    >>> runs = each_runs("coverage", "outlet", parameters={"corpus": "data/sample"})  # doctest: +SKIP
    >>> result = run_batch("coverage", runs, out="reports/by-outlet", jobs=2)  # doctest: +SKIP
    >>> result.exit_code, result.index.name  # doctest: +SKIP
    (0, 'index.html')
    """
    from toolkit.report import _check_kernel, _check_output_name, _check_parameters, _check_writable

    started = time.perf_counter()
    source, declared = _declared(report)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError("jobs", jobs, "a whole number of worker processes, 1 or more")
    if not runs:
        raise ParameterError("runs", list(runs), "at least one run")
    names: dict[str, str] = {}
    checked: list[BatchRun] = []
    for position, run in enumerate(runs):
        if run.name in names:
            raise ParameterError("runs", run.label, "runs with different output names",
                                 hint=f"{run.label!r} and {names[run.name]!r} both write {run.name!r}.")
        names[run.name] = run.label
        _check_output_name(run.name)  # BatchRun objects made by hand skip safe_name()
        try:
            parameters = _check_parameters(dict(run.parameters), declared, source)
        except ParameterError as exc:
            exc.args = (f"{exc.args[0]} (run {position + 1} of {len(runs)}: {run.label!r})",)
            raise
        checked.append(BatchRun(run.label, run.name, MappingProxyType(parameters)))
    _check_kernel(kernel_name, source.stem)
    folder = Path(out).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise ParameterError("out", str(out), "a folder", hint="That path is a file.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError("out", str(out), "a folder that exists or can be created",
                             hint=f"({exc})") from exc
    _check_writable(folder, out, source.stem)

    outcomes: dict[str, RunOutcome] = {r.name: RunOutcome(r, "not run") for r in checked}
    heading = title or f"{source.stem}: {len(checked)} runs"

    def index(note: str | None = None) -> Path:
        return write_index(folder, source.stem, outcomes.values(), title=heading, note=note)

    index_path = index("Running…")
    spec_base = {
        "source": str(source),
        "out": str(folder),
        "kernel": kernel_name,
        "timeout": timeout,
        "parent": os.getpid(),
        "log_level": logging.getLogger().getEffectiveLevel(),
    }
    context = multiprocessing.get_context("spawn")
    pending = deque(checked)
    running: dict[str, _Running] = {}
    interrupted: Literal["SIGINT", "SIGTERM"] | None = None
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    bar = tqdm(total=len(checked), unit="report", desc=source.stem, disable=not progress,
               file=sys.stderr, dynamic_ncols=True)
    restore = _install_sigterm()

    def finish(job: _Running, stopping: str | None) -> None:
        job.process.join(timeout=5)
        outcome = _outcome(job, stopping)
        kept = folder / f"{job.run.name}.failed.ipynb"
        if outcome.status != "ok" and outcome.notebook is None and kept.is_file():
            # An interrupted run_report keeps its partly executed notebook without saying so.
            outcome = RunOutcome(outcome.run, outcome.status, html=None, notebook=kept,
                                 reason=outcome.reason, duration=outcome.duration)
        outcomes[job.run.name] = outcome
        running.pop(job.run.name, None)
        job.conn.close()
        shutil.rmtree(job.tmp, ignore_errors=True)
        if outcome.status != "ok":
            _remove_partial(folder, job.run.name)
            logger.warning("batch run %r %s: %s", job.run.label, outcome.status, outcome.reason)
        bar.update(1)
        bar.set_postfix(failed=sum(1 for o in outcomes.values() if o.status == "failed"), refresh=False)

    try:
        try:
            while pending or running:
                while pending and len(running) < jobs:
                    run = pending.popleft()
                    tmp = tempfile.mkdtemp(prefix=f"toolkit-batch-{run.name}-")
                    receiver, sender = context.Pipe(duplex=False)
                    spec = {**spec_base, "name": run.name, "parameters": dict(run.parameters),
                            "tmp": tmp}
                    process = context.Process(target=_work, args=(spec, sender),
                                              name=f"toolkit-batch-{run.name}", daemon=True)
                    process.start()
                    sender.close()
                    running[run.name] = _Running(run, process, receiver, tmp)
                    logger.info("batch run %r started (pid %s)", run.label, process.pid)
                waitables = [j.process.sentinel for j in running.values()]
                waitables += [j.conn for j in running.values() if j.reply is None]
                ready = set(wait_for(waitables, timeout=1.0))
                for job in list(running.values()):
                    if job.conn in ready:
                        _collect(job)
                    if job.process.sentinel in ready:
                        finish(job, None)
                        index("Running…" if pending or running else None)
        except KeyboardInterrupt as exc:
            interrupted = "SIGTERM" if isinstance(exc, _Terminated) else "SIGINT"
            logger.warning("batch interrupted by %s; stopping %d running reports",
                           interrupted, len(running))
            _stop(running, finish, interrupted)
    finally:
        restore()
        bar.close()
        for job in list(running.values()):  # only after an error in this function itself
            if job.process.is_alive():
                _kill_group(job.process.pid, signal.SIGKILL)
            finish(job, interrupted or "an error")
    for run in pending:
        outcomes[run.name] = RunOutcome(run, "not run",
                                        reason=f"not started: the batch was stopped by {interrupted}")
    note = (f"Interrupted by {interrupted}: runs that had not finished were stopped or not started."
            if interrupted else None)
    index_path = index(note)
    return BatchResult(
        report=source.stem,
        out=folder,
        index=index_path,
        outcomes=tuple(outcomes[r.name] for r in checked),
        interrupted=interrupted,
        duration=time.perf_counter() - started,
    )


def _install_sigterm() -> Any:
    """Make SIGTERM stop the batch like Ctrl-C does (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous_term = signal.signal(signal.SIGTERM, _raise_terminated)
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int not in (signal.SIG_IGN, None):
        # Ctrl-C must raise KeyboardInterrupt here even where a host replaced the handler.
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous_term)
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)

    return restore


def _kill_group(pid: int | None, sig: int) -> None:
    if pid is None:
        return
    for kill in (lambda: os.killpg(pid, sig), lambda: os.kill(pid, sig)):
        try:
            kill()
            return
        except (ProcessLookupError, PermissionError, OSError):
            continue


def _stop(running: dict[str, _Running], finish: Any, reason: str) -> None:
    """SIGTERM every worker (each shuts its kernel down), then SIGKILL what is left."""
    for job in running.values():
        if job.process.is_alive():
            try:
                os.kill(job.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_GRACE
    try:
        while running and time.monotonic() < deadline:
            waitables = [j.process.sentinel for j in running.values()]
            waitables += [j.conn for j in running.values() if j.reply is None]
            ready = set(wait_for(waitables, timeout=max(0.0, min(1.0, deadline - time.monotonic()))))
            for job in list(running.values()):
                if job.conn in ready:
                    _collect(job)
                if job.process.sentinel in ready:
                    finish(job, reason)
    except KeyboardInterrupt:
        logger.warning("interrupted again: killing the workers now")
    for job in list(running.values()):
        # The worker's own process group; its kernel runs in a session of its own and exits
        # when it sees its parent gone (ipykernel's parent poller).
        _kill_group(job.process.pid, signal.SIGKILL)
        finish(job, reason)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return text

