"""``load_corpus``: files and folders in, one validated articles table out, every file accounted for."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from toolkit.dates import parse_dates, zone
from toolkit.errors import LoadError, ParameterError, one_of
from toolkit.load.cache import (
    CACHE_SUFFIX,
    cache_dir,
    cache_file,
    cache_key,
    fingerprint,
    read_cache,
    write_cache,
)
from toolkit.load.registry import ReadContext, Reader, get_reader, reader_for
from toolkit.load.report import LoadReport
from toolkit.load.scraped import extract_dateline
from toolkit.load.tabular import check_columns
from toolkit.normalize import DEFAULT_STEPS, StepSpec, normalize_articles, resolve_steps
from toolkit.schema import ARTICLE_COLUMNS, ARTICLE_DTYPES, PUBLISHED_DTYPE, validate_articles

log = logging.getLogger(__name__)

#: Name of the per-folder metadata file.
SIDECAR = "corpus.yaml"
SIDECAR_KEYS = {
    "outlet": "outlet of every article in this folder whose file does not name one",
    "tz": "zone for dates written without one (IANA name or abbreviation)",
    "lang": "language code of the articles",
    "dayfirst": "read 04/11/2021 as 4 November (true) or April 11 (false)",
    "desks": "mapping of desk bylines to outlets, e.g. {'FPJ Web Desk': 'Free Press Journal'}",
    "fields": "constant extra columns, e.g. {'collection': 'demo'}",
    "format": "reader for every file in this folder (see toolkit.load.readers())",
}
#: Text columns the ``normalize`` steps apply to.
NORMALIZED_FIELDS: tuple[str, ...] = ("title", "subtitle", "byline", "text")
#: Files in a folder that are documentation, not articles (case-insensitive globs).
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "readme*", "license*", "licence*", "copying*", "notice*", "changelog*", "authors*",
    "source.txt", "catalog.md", SIDECAR,
    # Reuters-21578's documentation files, which sit beside its .sgm files and are not stories.
    "all-*-strings.lc.txt", "cat-descriptions_*.txt", "feldman-cia-worldfactbook-data.txt",
)
#: Desk bylines that identify an outlet (newsrooms sign wire-based copy with a desk name).
DESKS: dict[str, str] = {
    "FPJ Web Desk": "Free Press Journal",
    "FPJ Bureau": "Free Press Journal",
    "FPJ News Service": "Free Press Journal",
    "HT News Desk": "Hindustan Times",
    "HT Correspondent": "Hindustan Times",
    "TOI News Desk": "The Times of India",
    "TOI.in": "The Times of India",
    "Express Web Desk": "The Indian Express",
    "Express News Service": "The Indian Express",
    "India Today Web Desk": "India Today",
    "ET Online": "The Economic Times",
    "ET Bureau": "The Economic Times",
    "NDTV News Desk": "NDTV",
    "Edited by NDTV News Desk": "NDTV",
    "News18 Desk": "News18",
    "Mint Desk": "Mint",
    "Livemint": "Mint",
    "DH Web Desk": "Deccan Herald",
    "The Hindu Bureau": "The Hindu",
    "Scroll Staff": "Scroll.in",
    "Korea Herald": "The Korea Herald",
    "Yonhap": "Yonhap News Agency",
}



def _doc_id(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _read_sidecar(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(path, f"cannot read the corpus metadata file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                        line=None if mark is None else mark.line + 1) from None
    if not isinstance(data, dict):
        raise LoadError(path, f"expected a mapping of {sorted(SIDECAR_KEYS)}, got {type(data).__name__}")
    unknown = sorted(set(data) - set(SIDECAR_KEYS))
    if unknown:
        raise LoadError(path, f"unknown key(s) {unknown}; valid keys: "
                        + "; ".join(f"{k} ({v})" for k, v in SIDECAR_KEYS.items()))
    for key in ("desks", "fields"):
        if key in data and not isinstance(data[key], dict):
            raise LoadError(path, f"'{key}' must be a mapping, got {data[key]!r}")
    if "tz" in data:
        try:
            zone(str(data["tz"]))
        except ParameterError as exc:
            raise LoadError(path, f"'tz': {exc}") from None
    return data


def _excluded(name: str, patterns: Sequence[str]) -> str | None:
    lower = name.lower()
    if lower.startswith("."):
        return "hidden file"
    matcher = _exclude_matcher(tuple(patterns))
    if matcher.match(lower) is None:
        return None
    for pattern in patterns:
        if fnmatch.fnmatchcase(lower, pattern.lower()):
            return f"matches exclude pattern {pattern!r}"
    return None


@functools.lru_cache(maxsize=32)
def _exclude_matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # One regex for all globs: fnmatch per pattern per file was a third of a cached load's time.
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{fnmatch.translate(p.lower())})" for p in patterns))


def _walk(root: Path, ignored: list[dict]) -> Iterator[Path]:
    """Files under ``root`` in sorted order, following symlinks but never into a loop.

    Hidden folders (``.git``, ``.ipynb_checkpoints``) and folders already visited through
    another link are not entered; they are listed in ``ignored``.
    """
    seen: set[str] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen:
            ignored.append({"path": str(folder), "reason": "folder already read (a link back into the corpus)"})
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            log.warning("cannot list %s: %s", folder, exc)
            continue
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    if entry.name.startswith("."):
                        ignored.append({"path": str(path), "reason": "hidden folder"})
                    else:
                        subdirs.append(path)
                else:
                    yield path
            except OSError:
                yield path
        stack.extend(reversed(subdirs))


def load_corpus(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    format: str | None = None,
    errors: Literal["skip", "raise"] = "skip",
    columns: Mapping[str, str | None] | None = None,
    outlet: str | None = None,
    desks: Mapping[str, str] | None = None,
    tz: str = "UTC",
    dayfirst: bool = False,
    lang: str | None = None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    normalize: StepSpec | Sequence[StepSpec] | None = DEFAULT_STEPS,
    duplicates: Literal["exact", "near", "none"] = "exact",
    cache: bool | str | os.PathLike = False,
    cache_check: Literal["stat", "hash"] = "stat",
    progress: bool | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Load news articles from files and folders into one articles table.

    Folders are read recursively (hidden files and documentation such as README or LICENSE are
    passed over and listed as ignored). Each file goes to the reader for ``format`` or, when
    ``format`` is None, the reader that claims it (by sniffing, then by suffix): scraped
    plain-text pages (``.txt``), CSV/TSV, JSON, JSON Lines and Parquet; add your own with
    :func:`toolkit.load.register_reader`.

    A ``corpus.yaml`` file in a folder gives metadata for the files in it and below (``outlet``,
    ``tz``, ``lang``, ``dayfirst``, ``desks``, ``fields``, ``format``); a nearer file overrides
    a farther one.

    Parameters
    ----------
    source
        A file, a folder, or a list of them.
    format
        Reader name for every file (``"scraped"``, ``"csv"``, ``"json"``, ``"jsonl"``,
        ``"parquet"`` or one you registered); ``None`` picks per file.
    errors
        ``"skip"``: a bad file or record is passed over and listed in the load report with its
        path, line and reason. ``"raise"``: the first one raises :class:`LoadError`.
    columns
        For tabular files: canonical column -> column in the file, e.g.
        ``{"title": "headline", "published": "publish_date", "outlet": "publisher"}``;
        common names are recognised without it (see ``toolkit.load.tabular.COLUMN_ALIASES``);
        map a name to ``None`` when the file has no such column.
    outlet
        Outlet of articles whose file does not name one (as a ``corpus.yaml`` at the top would).
        Where neither the file nor a ``corpus.yaml`` names the outlet, a desk byline such as
        "FPJ Web Desk" is looked up in :data:`DESKS` and ``desks``.
    desks
        More desk-byline -> outlet pairs, added to :data:`DESKS`.
    tz
        Zone for dates written without one ("naive" dates); they are counted in the load report.
        Dates with an explicit zone or offset are always honoured. A date without a time is
        midnight in this zone.
    dayfirst
        Read ambiguous numeric dates like ``04/11/2021`` as 4 November.
    lang
        Language code for articles whose source gives none.
    exclude
        Case-insensitive file-name globs passed over in folders.
    normalize
        Text normalisation steps applied to ``title``, ``subtitle``, ``byline`` and ``text``
        (see :mod:`toolkit.normalize`): step names and/or ``str -> str`` functions, or ``None``
        for the text exactly as the readers produced it. The default repairs mojibake, leftover
        HTML entities, Unicode composition (NFC) and layout whitespace, and leaves quotes and
        dashes as written. The load report counts the articles each step changed
        (``normalized_<step>``).
    duplicates
        ``"exact"`` (default: a hash of the normalised text, cheap), ``"near"`` (also MinHash
        near-duplicates, a few seconds per 10,000 articles) or ``"none"``: adds ``dup_group``,
        ``dup_of`` and ``is_duplicate`` with :func:`toolkit.dedup.flag_duplicates` (nothing is
        dropped; use ``toolkit.dedup.dedupe`` for that). With ``"none"`` the columns are not
        added, so their absence says "not checked".
    cache
        ``False`` (default), ``True`` (``$TOOLKIT_CACHE_DIR`` or ``~/.cache/media-coverage-toolkit``)
        or a folder: keep the loaded table there as Parquet and, next time, read it instead of
        parsing while no input file, argument or toolkit version has changed (see
        :mod:`toolkit.load.cache`). ``load_report(articles).settings["cache"]`` says whether the
        cache was used.
    cache_check
        How the cache decides that a file is unchanged: ``"stat"`` (size and modification time,
        instant) or ``"hash"`` (size and content hash; reads every file).
    progress
        Show a progress bar over the files (``tqdm.auto``: a widget in Jupyter, a text bar in a
        terminal). Default: when stderr is a terminal and there are at least
        :data:`PROGRESS_MIN_FILES` files; pass ``True`` in a notebook to see it there.
    **options
        Passed to the readers as ``ctx.options``.

    Returns
    -------
    pandas.DataFrame
        The articles table (see :mod:`toolkit.schema`), one row per article in file order, with
        any extra columns the sources had, then ``dup_group``, ``dup_of`` and ``is_duplicate``
        (unless ``duplicates="none"``). Its :class:`LoadReport` is in
        ``articles.attrs["load_report"]`` (see :func:`toolkit.load_report`); one row per input
        record with what became of it: :func:`toolkit.load.report.load_log`.

    Raises
    ------
    LoadError
        When ``source`` does not exist, or (with ``errors="raise"``) at the first bad input.
    ParameterError
        For an unknown ``format``, ``errors``, ``tz``, ``normalize`` step, ``duplicates``,
        ``cache`` or ``cache_check``.

    Examples
    --------
    >>> from toolkit import load_corpus, load_report
    >>> articles = load_corpus("data/sample")  # doctest: +SKIP
    >>> print(load_report(articles))  # doctest: +SKIP
    >>> articles = load_corpus("corpus/", cache=True, duplicates="near")  # doctest: +SKIP
    """
    if errors not in ("skip", "raise"):
        raise ParameterError("errors", errors, one_of(["skip", "raise"]))
    zone(tz)
    columns = check_columns(columns or {})
    forced: Reader | None = get_reader(format) if format is not None else None
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not sources:
        raise ParameterError("source", source, "a file or folder path, or a non-empty list of them")
    steps = resolve_steps(normalize, name="normalize")
    if duplicates not in ("exact", "near", "none"):
        raise ParameterError("duplicates", duplicates, one_of(["exact", "near", "none"]),
                             hint="'exact' is cheap; 'near' also finds edited copies; 'none' skips the check.")
    if cache_check not in ("stat", "hash"):
        raise ParameterError("cache_check", cache_check, one_of(["stat", "hash"]))
    cache_folder = cache_dir(cache)
    desk_table = {**DESKS, **(desks or {})}
    desk_lookup = {k.casefold(): v for k, v in desk_table.items()}
    report = LoadReport(sources=[str(s) for s in sources],
                        settings={"format": format, "errors": errors, "tz": tz, "dayfirst": dayfirst,
                                  "outlet": outlet, "lang": lang,
                                  "normalize": [name for name, _ in steps], "duplicates": duplicates})

    # (path, root, key, metadata) for every input file.
    inputs: list[tuple[Path, Path, str, dict]] = []
    watched: list[Path] = []  # files whose change must invalidate a cache: metadata, passed-over docs
    for src in sources:
        root = Path(src)
        if not root.exists():
            where = "" if root.is_absolute() else f"; relative paths are taken from the current folder {Path.cwd()}"
            raise LoadError(root, f"does not exist (check the path{where})")
        base_meta: dict[str, Any] = {"tz": tz, "dayfirst": dayfirst, "outlet": outlet, "lang": lang}
        if root.is_file():
            # Keyed as if its folder had been loaded, so both ways give the same doc_id.
            inputs.append((root, root.parent, f"{root.resolve().parent.name}/{root.name}",
                           {**base_meta, "explicit": True}))
            continue
        sidecars: dict[Path, dict] = {}
        folder_meta: dict[str, dict] = {}  # merged metadata per folder, computed once per folder
        root_name = root.resolve().name
        root_text = os.fspath(root).rstrip(os.sep) + os.sep
        for path in _walk(root, report.ignored_rows):
            if path.name.endswith(CACHE_SUFFIX):
                continue  # a load cache kept beside the data is not data
            why = _excluded(path.name, exclude)
            if why:
                watched.append(path)
                if path.name != SIDECAR:
                    report.ignored_rows.append({"path": str(path), "reason": why})
                continue
            text = os.fspath(path)
            # String slicing instead of Path.relative_to (slow over thousands of files); Path
            # drops a leading "./", so a root of "." needs the general way.
            rel_posix = (text[len(root_text):].replace(os.sep, "/") if text.startswith(root_text)
                         else path.relative_to(root).as_posix())
            parent = rel_posix.rpartition("/")[0]
            meta = folder_meta.get(parent)
            if meta is None:
                meta = dict(base_meta)
                folder = root
                for part in ("", *(parent.split("/") if parent else ())):
                    folder = folder / part if part else folder
                    if folder not in sidecars:
                        side = folder / SIDECAR
                        sidecars[folder] = _read_sidecar(side) if side.is_file() else {}
                    for k, v in sidecars[folder].items():
                        meta[k] = {**meta.get(k, {}), **v} if k in ("desks", "fields") else v
                folder_meta[parent] = meta
            inputs.append((path, root, f"{root_name}/{rel_posix}", dict(meta)))

    cached_at: Path | None = None
    cache_status = None
    if cache_folder is not None:
        settings = {
            **report.settings, "sources": [str(s) for s in sources],
            "resolved": [os.path.realpath(s) for s in sources], "columns": columns,
            "desks": dict(desks or {}), "exclude": list(exclude), "options": options,
            "normalize": [[name, _describe(step)] for name, step in steps], "cache_check": cache_check,
        }
        cache_id = cache_key(settings)
        cached_at = cache_file(cache_folder, cache_id)
        files = fingerprint([p for p, *_ in inputs] + watched, check=cache_check)
        hit = read_cache(cached_at, cache_id, files)
        if hit is not None:
            articles, stored, attrs = hit
            articles.attrs.update(attrs)
            cached_report = LoadReport.from_dict(stored)
            cached_report.settings["cache"] = {"path": str(cached_at), "status": "hit"}
            articles.attrs["load_report"] = cached_report
            log.info("%s (%s)", str(cached_report).splitlines()[0], cached_at)
            return articles
        cache_status = "refreshed" if cached_at.exists() else "written"

    records: list[dict] = []
    keys: list[str] = []
    iterator: Any = inputs
    if _show_progress(progress, len(inputs)):
        from tqdm.auto import tqdm

        iterator = tqdm(inputs, desc="loading", unit="file")
    first_seen: dict[str, Path] = {}
    for path, root, key, meta in iterator:
        real = os.path.realpath(path)
        if real in first_seen:
            _skip_file(report, path, "?", f"same file as {first_seen[real]}, which is already loaded", errors)
            continue
        first_seen[real] = path
        try:
            head = path.open("rb").read(4096)
        except OSError as exc:
            _skip_file(report, path, "?", f"cannot be read: {exc.strerror or exc}", errors)
            continue
        reader = forced or (get_reader(meta["format"]) if meta.get("format") else reader_for(path, head))
        if reader is None:
            if meta.get("explicit"):
                _skip_file(report, path, "?", f"no reader for files ending in {path.suffix!r}; valid formats: "
                           f"{', '.join(sorted(_known_suffixes()))}, or pass format=", errors)
            else:
                report.ignored_rows.append({"path": str(path), "reason": f"no reader for {path.suffix or 'files without a suffix'!r}"})
            continue
        ctx = ReadContext(path=path, root=root, columns=dict(columns or {}), errors=errors,
                          metadata=meta, options=options)
        try:
            found = list(reader.read(path, ctx))
        except LoadError as exc:
            if errors == "raise":
                raise
            _skip_file(report, path, reader.name, exc.reason, errors, line=exc.line)
            report.counts.update(ctx.counts)
            continue
        except (KeyboardInterrupt, MemoryError, ParameterError):
            raise  # a bad reader option is the caller's mistake, not a bad file
        except Exception as exc:  # a reader bug or an input it did not foresee: still name the file
            log.debug("reader %s failed on %s", reader.name, path, exc_info=True)
            if errors == "raise":
                raise LoadError(path, f"{reader.name} reader failed: {type(exc).__name__}: {exc}") from exc
            _skip_file(report, path, reader.name, f"{reader.name} reader failed: {type(exc).__name__}: {exc}", errors)
            continue
        report.counts.update(ctx.counts)
        report.skipped_rows.extend(ctx.skipped)
        seen_ids: Counter = Counter()
        for rec in found:
            rec = dict(rec)
            native = rec.pop("record_id", None)
            line = rec.get("source_line")
            if native is not None and str(native).strip():
                rid = f"#{str(native).strip()}"
                seen_ids[rid] += 1
                if seen_ids[rid] > 1:
                    rid = f"{rid}@{line}"
                    report.counts["repeated_record_ids"] += 1
            elif line is not None and (len(found) > 1 or reader.name != "scraped"):
                rid = f"@{line}"
            else:
                rid = ""
            keys.append(key + rid)
            rec["source_path"] = str(path)
            rec["source_format"] = reader.name
            _apply_metadata(rec, meta, desk_lookup)
            records.append(rec)
        report.file_rows.append({"path": str(path), "format": reader.name, "status": "loaded",
                                 "n_articles": len(found), "n_skipped": len(ctx.skipped),
                                 "reason": None if found or ctx.skipped else "no records in the file"})
        if not found and not ctx.skipped:
            report.counts["files_without_records"] += 1

    articles = _build_table(records, keys, report)
    articles = _finish(articles, report, steps, duplicates)
    if cached_at is not None:
        written = write_cache(cached_at, cache_id, files, articles, dict(report))
        report.settings["cache"] = {"path": str(cached_at), "status": cache_status if written else "not written"}
    articles.attrs["load_report"] = report
    log.info("%s", str(report).splitlines()[0])
    return articles


def _describe(func: Any) -> str:
    """A name for a function that is the same in every process (``repr`` has its address)."""
    if isinstance(func, functools.partial):
        args = [_describe(a) if callable(a) else repr(a) for a in func.args]
        args += [f"{k}={_describe(v) if callable(v) else repr(v)}" for k, v in sorted(func.keywords.items())]
        return f"{_describe(func.func)}({', '.join(args)})"
    module = getattr(func, "__module__", None) or type(func).__module__
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    return f"{module}.{name}"


#: Default ``progress`` shows a bar from this many files on (when stderr is a terminal).
PROGRESS_MIN_FILES = 20


def _show_progress(progress: bool | None, n_files: int) -> bool:
    if progress is not None:
        return bool(progress)
    stream = sys.stderr
    try:
        tty = stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        tty = False
    return tty and n_files >= PROGRESS_MIN_FILES


def _finish(articles: pd.DataFrame, report: LoadReport, steps: list, duplicates: str) -> pd.DataFrame:
    """Normalise text, flag duplicates and record both, plus the language mix, in the report."""
    if steps and len(articles):
        articles = normalize_articles(articles, steps=steps, fields=NORMALIZED_FIELDS)
        for name, n in articles.attrs.pop("normalized").items():
            if n:
                report.counts[f"normalized_{name}"] += n
    if duplicates != "none":
        from toolkit.dedup import flag_duplicates

        # flag_duplicates records its options in attrs["duplicates"]; it stays on the table
        # (dedupe() reads it) and goes into the report.
        articles = flag_duplicates(articles, method=duplicates)
        info = articles.attrs.get("duplicates")
        if isinstance(info, dict):
            report.settings["duplicate_check"] = json.loads(json.dumps(info, default=str))
        flagged = articles["is_duplicate"].fillna(False).astype(bool)
        report.counts["duplicates"] = int(flagged.sum())
        by_path = articles.loc[flagged, "source_path"].value_counts().to_dict()
        for row in report.file_rows:
            if row["status"] == "loaded":
                row["n_duplicates"] = int(by_path.get(row["path"], 0))
    report.settings["duplicates"] = duplicates
    langs = articles["lang"].fillna("unknown").value_counts() if len(articles) else pd.Series(dtype="int64")
    report["languages"] = {str(k): int(v) for k, v in langs.items()}
    return articles


def _known_suffixes() -> set[str]:
    from toolkit.load.registry import readers

    return {s for r in readers().values() for s in r.suffixes}


def _skip_file(report: LoadReport, path: Path, fmt: str, reason: str, errors: str, *,
               line: int | None = None) -> None:
    if errors == "raise":
        raise LoadError(path, reason, line=line)
    where = reason if line is None else f"line {line}: {reason}"
    report.file_rows.append({"path": str(path), "format": fmt, "status": "skipped",
                             "n_articles": 0, "n_skipped": 0, "reason": where})
    report.skipped_rows.append({"path": str(path), "line": line, "reason": reason})


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip())


def _apply_metadata(rec: dict, meta: Mapping[str, Any], desk_lookup: Mapping[str, str]) -> None:
    if _blank(rec.get("outlet")):
        rec["outlet"] = meta.get("outlet")
        if _blank(rec["outlet"]) and not _blank(rec.get("byline")):
            local = {k.casefold(): v for k, v in (meta.get("desks") or {}).items()}
            byline = str(rec["byline"]).strip().casefold()
            rec["outlet"] = local.get(byline) or desk_lookup.get(byline)
    if _blank(rec.get("dateline")) and _blank(rec.get("wire")) and isinstance(rec.get("text"), str):
        # Exports keep the dateline inside the body ("SEOUL, Nov 1 (Yonhap) - ..."); read it
        # from there as the scraped reader does, leaving the text itself untouched.
        rec["dateline"], rec["wire"] = extract_dateline(rec["text"], strict=True)
    if _blank(rec.get("lang")):
        rec["lang"] = meta.get("lang")
    for k, v in (meta.get("fields") or {}).items():
        rec.setdefault(k, v)
    rec["_tz"] = str(meta.get("tz") or "UTC")
    rec["_dayfirst"] = bool(meta.get("dayfirst", False))


def _build_table(records: list[dict], keys: list[str], report: LoadReport) -> pd.DataFrame:
    ids = [_doc_id(k) for k in keys]
    counts = Counter(ids)
    if len(counts) < len(ids):
        # Two sources with the same folder and file names (a/2021/x.txt, b/2021/x.txt): number
        # the repeats in path order, so the ids do not depend on the order of the arguments.
        order = sorted(range(len(ids)), key=lambda i: (records[i]["source_path"], records[i].get("source_line") or 0))
        seen: Counter = Counter()
        for i in order:
            doc_id = ids[i]
            if counts[doc_id] > 1:
                seen[doc_id] += 1
                if seen[doc_id] > 1:
                    ids[i] = f"{doc_id}-{seen[doc_id]}"
                    report.counts["repeated_doc_ids_suffixed"] += 1
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    n = len(records)
    published = pd.Series(pd.NaT, index=range(n), dtype=PUBLISHED_DTYPE)
    if n:
        raw = frame["published"] if "published" in frame else pd.Series([None] * n, dtype=object)
        for (tzname, dayfirst), idx in frame.groupby(["_tz", "_dayfirst"], sort=False).groups.items():
            parsed = parse_dates(raw.loc[idx].tolist(), tz=tzname, dayfirst=bool(dayfirst))
            published.loc[idx] = parsed.values.to_numpy()
            for kind in ("naive", "date_only"):
                if parsed.counts[kind]:
                    report.counts[f"{kind}_dates_read_in_{tzname}"] += parsed.counts[kind]
            if parsed.counts["unparsed"]:
                report.counts["unparseable_dates"] += parsed.counts["unparsed"]
                log.warning("unparseable dates (kept as NaT), e.g. %s", parsed.unparsed_examples)
                report.settings.setdefault("unparseable_date_examples", []).extend(parsed.unparsed_examples)
        frame = frame.drop(columns=[c for c in ("_tz", "_dayfirst", "published") if c in frame])
    report.counts["undated"] = int(published.isna().sum())
    future = published > pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    if future.any():
        report.counts["future_dates"] = int(future.sum())
    data: dict[str, Any] = {"doc_id": ids, "published": published.astype(PUBLISHED_DTYPE)}
    for column in ARTICLE_COLUMNS:
        if column in ("doc_id", "published"):
            continue
        values = frame[column] if column in frame else pd.Series([None] * n, dtype=object)
        data[column] = values.where(~values.map(_blank), None) if column != "source_line" else values
    out = pd.DataFrame({c: pd.Series(list(data[c]), dtype=ARTICLE_DTYPES[c]) for c in ARTICLE_COLUMNS})
    for column in frame.columns:
        if column not in ARTICLE_DTYPES:
            out[column] = _numeric_if_all(frame[column]).to_numpy()
    return validate_articles(out)


def _numeric_if_all(values: pd.Series) -> pd.Series:
    """Extra columns from CSV arrive as text; make them numbers when every value is one.

    Values with leading zeros ("02134") stay text: they are codes, not quantities.
    """
    present = values.dropna()
    if present.empty or not present.map(lambda v: isinstance(v, str)).all():
        return values
    if present.str.fullmatch(r"0\d+.*").any():
        return values
    try:
        return pd.to_numeric(values)
    except (ValueError, TypeError):
        return values
