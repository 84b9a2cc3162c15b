"""The run manifest: what a report was run on, with what, and when.

:func:`toolkit.run_report` writes ``<out>/<name>.manifest.json`` beside every report and appends
the same manifest to the report itself (a last "Run manifest" section). It holds the parameters,
a fingerprint of the corpus files (:func:`corpus_fingerprint`), the load report's summary, the
normalisation and duplicate settings the corpus was loaded with, the toolkit and key package
versions, the kernel and Python, and the start and end times.

How the load report reaches the manifest
----------------------------------------
The runner does not load the corpus (that would double the work and could differ from what the
notebook did). Instead a report notebook calls :func:`record_for_manifest` with the table it
loaded. When the notebook runs under :func:`toolkit.run_report`, the environment variable
:data:`RECORD_ENV` names a temporary JSON file and the function writes the load report's summary,
settings and the absolute source paths there; the runner reads it after the notebook finished
and deletes it. Run interactively (no such variable), the function only returns the record.
A notebook that does not call it still gets a manifest: the corpus is then fingerprinted from a
parameter named ``corpus`` and the load report is ``null``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from html import escape
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import ParameterError

__all__ = [
    "KEY_PACKAGES",
    "MANIFEST_VERSION",
    "RECORD_ENV",
    "build_manifest",
    "corpus_fingerprint",
    "manifest_markdown",
    "package_versions",
    "read_record",
    "record_for_manifest",
    "write_manifest",
]

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1

#: Environment variable naming the file :func:`record_for_manifest` writes (set by run_report).
RECORD_ENV = "TOOLKIT_MANIFEST_RECORD"

#: Distributions whose versions every manifest lists (``null`` when not installed).
KEY_PACKAGES: tuple[str, ...] = (
    "pandas", "numpy", "pyarrow", "plotly", "nltk", "papermill", "nbconvert", "nbclient",
    "ipykernel", "trafilatura", "readability-lxml", "htmldate", "dateparser", "py3langid",
    "datasketch", "pyahocorasick", "vaderSentiment", "pyphen", "ftfy", "charset-normalizer",
)

_CHUNK = 1 << 20


def _iter_files(root: Path) -> list[tuple[str, Path]]:
    """``(relative name, path)`` of every non-hidden regular file under ``root``."""
    if root.is_file():
        return [(root.name, root)]
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        # Hidden folders (.git, caches) and files are not corpus content; load_corpus skips them too.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in filenames:
            if filename.startswith("."):
                continue
            path = Path(dirpath) / filename
            if path.is_file():
                rel = path.relative_to(root).as_posix()
                found.append((f"{root.name}/{rel}", path))
    return found


def corpus_fingerprint(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> dict[str, Any]:
    """Fingerprint the files of a corpus: how many, how large, and one content hash.

    The hash is SHA-256 over the files sorted by relative name; for each, the name (a folder's
    own name, then the path inside it, ``/``-separated; a file's name), a NUL byte, the size
    as 8 bytes, and the content, read in 1 MiB chunks. Renaming, adding, removing or editing
    a file changes it; moving the whole corpus to another folder does not. Hidden files and
    folders (``.*``) are left out, as :func:`toolkit.load_corpus` leaves them out.

    Parameters
    ----------
    paths
        A file or folder, or several.

    Returns
    -------
    dict
        ``paths`` (absolute), ``files`` (count), ``total_bytes`` and ``sha256`` (hex).

    Raises
    ------
    ParameterError
        When a path does not exist.

    Examples
    --------
    >>> fp = corpus_fingerprint("data/sample")  # doctest: +SKIP
    >>> sorted(fp)  # doctest: +SKIP
    ['files', 'paths', 'sha256', 'total_bytes']
    """
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    roots = []
    for item in items:
        path = Path(item).expanduser().resolve()
        if not path.exists():
            raise ParameterError("paths", os.fspath(item), "existing files or folders",
                                 hint="Relative paths are taken from the current folder.")
        roots.append(path)
    files = sorted((name, path) for root in roots for name, path in _iter_files(root))
    digest = hashlib.sha256()
    total = 0
    for name, path in files:
        size = path.stat().st_size
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + size.to_bytes(8, "big"))
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        total += size
    return {"paths": [str(r) for r in roots], "files": len(files), "total_bytes": total,
            "sha256": digest.hexdigest()}


def package_versions(packages: Sequence[str] = KEY_PACKAGES) -> dict[str, str | None]:
    """Installed versions of ``packages`` (distribution names); ``None`` when not installed.

    Examples
    --------
    >>> "pandas" in package_versions()
    True
    """
    versions: dict[str, str | None] = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _plain(value: Any) -> Any:
    """JSON-safe copy of load-report values (numpy numbers, Counters, tuples)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _record_from_articles(articles: pd.DataFrame, selected: pd.DataFrame | None) -> dict[str, Any]:
    from toolkit.load.report import load_report

    report = load_report(articles)
    summary = {str(row.item): _plain(row.value) for row in report.summary().itertuples(index=False)}
    settings = _plain(report.settings)
    record: dict[str, Any] = {
        "sources": [os.path.abspath(os.fspath(s)) for s in report.sources],
        "load_report": {
            "headline": str(report).splitlines()[0],
            "summary": summary,
            "n_files": report.n_files,
            "n_files_skipped": report.n_files_skipped,
            "n_records": report.n_records,
            "n_records_skipped": report.n_records_skipped,
            "n_articles": report.n_articles,
            "n_duplicates": report.n_duplicates,
            "languages": report.languages,
        },
        "settings": settings,
        "n_articles_loaded": len(articles),
    }
    if selected is not None:
        record["n_articles_selected"] = len(selected)
    return record


def record_for_manifest(articles: pd.DataFrame, *, selected: pd.DataFrame | None = None) -> dict[str, Any]:
    """Record the load of a report's corpus for its run manifest.

    Call it in a report notebook right after ``load_corpus``. Under :func:`toolkit.run_report`
    the record is written to the file named by ``$TOOLKIT_MANIFEST_RECORD``; elsewhere nothing is
    written.

    Parameters
    ----------
    articles
        The table ``load_corpus`` returned (it carries the load report).
    selected
        The rows the report counts (after date/outlet selection), to record their number.

    Returns
    -------
    dict
        ``sources`` (absolute paths), ``load_report`` (summary figures), ``settings`` (the
        ``load_corpus`` arguments: normalisation steps, duplicate check, time zone, ...),
        ``n_articles_loaded`` and, with ``selected``, ``n_articles_selected``.

    Raises
    ------
    SchemaError
        When ``articles`` carries no load report.

    Examples
    --------
    >>> import toolkit as tk  # doctest: +SKIP
    >>> articles = tk.load_corpus("data/sample")  # doctest: +SKIP
    >>> record_for_manifest(articles)["settings"]["duplicates"]  # doctest: +SKIP
    'exact'
    """
    record = _record_from_articles(articles, selected)
    target = os.environ.get(RECORD_ENV)
    if target:
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False, default=str)
        os.replace(tmp, target)
    return record


def read_record(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """Read what :func:`record_for_manifest` wrote; ``None`` when nothing (or garbage) was."""
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        logger.warning("could not read the manifest record %s", path, exc_info=True)
        return None
    return record if isinstance(record, dict) else None


def _aware(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _toolkit_version() -> str:
    import toolkit

    return str(getattr(toolkit, "__version__", "unknown"))


def build_manifest(
    *,
    report: str,
    parameters: Mapping[str, object],
    notebook: str | os.PathLike[str],
    kernel: str,
    started: dt.datetime | str,
    finished: dt.datetime | str,
    articles: pd.DataFrame | None = None,
    record: Mapping[str, Any] | None = None,
    corpus: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    outputs: Mapping[str, str | os.PathLike[str]] | None = None,
) -> dict[str, Any]:
    """Assemble a run manifest (a dict of JSON values).

    Parameters
    ----------
    report
        The report's name (the output stem).
    parameters
        The parameters the notebook ran with.
    notebook
        The source notebook.
    kernel
        The kernel name.
    started, finished
        Start and end of the run (aware datetimes or ISO strings; naive ones are taken as UTC).
    articles
        The loaded articles table; its load report is summarised (as
        :func:`record_for_manifest` would).
    record
        What :func:`record_for_manifest` wrote, when ``articles`` is not at hand.
    corpus
        The files to fingerprint. Default: the record's ``sources``, else a ``corpus``
        parameter; none -> ``corpus`` is ``null``.
    outputs
        Paths of the files the run wrote (``{"html": ..., "ipynb": ...}``).

    Returns
    -------
    dict
        ``manifest_version``, ``report``, ``notebook``, ``parameters``, ``corpus`` (see
        :func:`corpus_fingerprint`, or ``null``), ``load_report`` (summary, or ``null`` when the
        notebook recorded none), ``n_articles_loaded``, ``n_articles_selected``, ``settings``
        (``normalize``, ``duplicates``, ``duplicate_check`` and the other ``load_corpus``
        arguments), ``versions`` (``toolkit``, ``python`` and :data:`KEY_PACKAGES`),
        ``kernel`` (``name``, ``python``, ``executable``), ``platform``, ``started``,
        ``finished`` (ISO 8601 UTC, ``Z``), ``duration_seconds``, ``outputs``.

    Examples
    --------
    >>> m = build_manifest(report="r", parameters={"n": 1}, notebook="r.ipynb", kernel="python3",
    ...                    started="2026-01-01T10:00:00+00:00", finished="2026-01-01T10:00:05+00:00")
    >>> m["duration_seconds"], m["started"]
    (5.0, '2026-01-01T10:00:00Z')
    """
    if articles is not None:
        record = _record_from_articles(articles, None)
    record = dict(record or {})
    if corpus is None:
        if record.get("sources"):
            corpus = record["sources"]
        elif isinstance(parameters.get("corpus"), str | list) and parameters.get("corpus"):
            corpus = parameters["corpus"]  # type: ignore[assignment]
    fingerprint = None
    if corpus is not None:
        try:
            fingerprint = corpus_fingerprint(corpus)
        except (ParameterError, OSError) as exc:
            fingerprint = {"error": str(exc)}
    start, end = _aware(started), _aware(finished)
    duration = round((end - start).total_seconds(), 3)
    python = platform.python_version()
    return {
        "manifest_version": MANIFEST_VERSION,
        "report": report,
        "notebook": str(Path(notebook).resolve()),
        "parameters": _plain(dict(parameters)),
        "corpus": fingerprint,
        "load_report": record.get("load_report"),
        "n_articles_loaded": record.get("n_articles_loaded"),
        "n_articles_selected": record.get("n_articles_selected"),
        "settings": record.get("settings"),
        "versions": {"toolkit": _toolkit_version(), "python": python, **package_versions()},
        "kernel": {"name": kernel, "python": python, "executable": sys.executable},
        "platform": platform.platform(),
        "started": _iso(start),
        "finished": _iso(end),
        "duration_seconds": duration,
        "outputs": {k: str(v) for k, v in (outputs or {}).items()},
    }


def write_manifest(manifest: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``manifest`` as indented JSON, atomically (a temporary file, then a rename)."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n:,} bytes"


def manifest_markdown(manifest: Mapping[str, Any]) -> str:
    """The "Run manifest" section appended to a report: key facts, then the full JSON.

    Every value is HTML-escaped; the JSON sits in a collapsed ``<details>`` element.
    """
    facts = [
        ("Report", manifest.get("report")),
        ("Started", manifest.get("started")),
        ("Finished", manifest.get("finished")),
        ("Duration", f"{manifest.get('duration_seconds', 0):.1f} s"),
        ("toolkit", (manifest.get("versions") or {}).get("toolkit")),
        ("Python", (manifest.get("kernel") or {}).get("python")),
        ("Kernel", (manifest.get("kernel") or {}).get("name")),
    ]
    corpus = manifest.get("corpus")
    if isinstance(corpus, Mapping) and "sha256" in corpus:
        facts.append(("Corpus", f"{corpus['files']} files, {_mb(corpus['total_bytes'])}, "
                                f"SHA-256 {corpus['sha256'][:16]}…"))
    load = manifest.get("load_report")
    if isinstance(load, Mapping) and load.get("headline"):
        facts.append(("Load", load["headline"]))
    settings = manifest.get("settings")
    if isinstance(settings, Mapping):
        facts.append(("Normalisation", ", ".join(map(str, settings.get("normalize") or [])) or "none"))
        facts.append(("Duplicates", str(settings.get("duplicates"))))
    rows = "".join(f"<tr><th style=\"text-align:left\">{escape(str(k))}</th>"
                   f"<td style=\"text-align:left\">{escape(str(v))}</td></tr>" for k, v in facts)
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    return (
        "## Run manifest\n\n"
        "What this report was run on and with; the same record is saved beside it as "
        f"`{str(manifest.get('report')).replace('`', '')}.manifest.json`.\n\n"
        f'<table class="toolkit-manifest">{rows}</table>\n\n'
        # One HTML block without blank lines, so that Markdown leaves the JSON alone.
        "<details><summary>Full manifest (JSON)</summary>"
        f'<pre class="toolkit-manifest-json">{escape(text)}</pre></details>\n'
    )
