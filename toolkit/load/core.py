"""``load_corpus``: files and folders in, one validated articles table out, every file accounted for."""

from __future__ import annotations

import dataclasses
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from toolkit.dates import parse_dates, zone
from toolkit.distributed import supports_dask
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



#: Records turned into one table at a time (``chunk_rows``): large enough that per-chunk costs
#: vanish, small enough that one chunk's transient Python and Arrow objects stay near 100 MB
#: (measured: about 13x the chunk's text while it is parsed, normalised and hashed).
DEFAULT_CHUNK_ROWS = 2_000


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


@supports_dask
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
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
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
    chunk_rows
        Records turned into table rows at a time (default :data:`DEFAULT_CHUNK_ROWS`). Memory
        holds the finished table plus one chunk of per-record Python objects; big CSV and JSON
        Lines files are read in streaming fashion (see :data:`toolkit.load.tabular.STREAM_MIN_BYTES`).
        To load a corpus larger than memory, write it to Parquet with :func:`load_to_parquet`.
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
    prep = _prepare(source, format=format, errors=errors, columns=columns, outlet=outlet, desks=desks,
                    tz=tz, dayfirst=dayfirst, lang=lang, exclude=exclude, normalize=normalize,
                    duplicates=duplicates, options=options)
    if cache_check not in ("stat", "hash"):
        raise ParameterError("cache_check", cache_check, one_of(["stat", "hash"]))
    _check_chunk_rows(chunk_rows)
    cache_folder = cache_dir(cache)
    report, steps, sources, columns = prep.report, prep.steps, prep.sources, prep.columns

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
        files = fingerprint([p for p, *_ in prep.inputs] + prep.watched, check=cache_check)
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

    # Built chunk by chunk so that only one chunk of per-record Python objects exists at a time;
    # the table itself is Arrow-backed and compact.
    # Exact duplicates are found from a 16-byte digest per article, computed chunk by chunk,
    # rather than from every normalised text at once (which doubled the peak memory).
    digests: list[np.ndarray] | None = [] if duplicates == "exact" else None
    chunks = list(_columnar_chunks(prep, progress=progress, chunk_rows=chunk_rows, digests=digests))
    articles = _assemble(chunks, report)
    del chunks
    articles = _finish(articles, report, [], duplicates, digests=digests)  # chunks are normalised already
    if cached_at is not None:
        written = write_cache(cached_at, cache_id, files, articles, dict(report))
        report.settings["cache"] = {"path": str(cached_at), "status": cache_status if written else "not written"}
    articles.attrs["load_report"] = report
    log.info("%s", str(report).splitlines()[0])
    return articles


def _check_chunk_rows(chunk_rows: Any) -> None:
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ParameterError("chunk_rows", chunk_rows, "a positive whole number of articles per chunk",
                             hint=f"The default, {DEFAULT_CHUNK_ROWS}, suits most corpora.")


@dataclass
class _Prepared:
    """Checked arguments and the list of input files, shared by the loading entry points."""

    sources: list
    forced: Reader | None
    columns: dict
    steps: list
    report: LoadReport
    inputs: list[tuple[Path, Path, str, dict]]
    watched: list[Path]
    desk_lookup: dict[str, str]
    errors: str
    options: dict


def _prepare(source: Any, *, format: str | None, errors: str, columns: Any, outlet: str | None,
             desks: Mapping[str, str] | None, tz: str, dayfirst: bool, lang: str | None,
             exclude: Sequence[str], normalize: Any, duplicates: str, options: dict) -> _Prepared:
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
            # Folders share one metadata dict (read-only from here on): a copy per file was a
            # per-file object kept for the whole load, which 100k small files notice.
            inputs.append((path, root, f"{root_name}/{rel_posix}", meta))
    return _Prepared(sources=sources, forced=forced, columns=columns, steps=steps, report=report,
                     inputs=inputs, watched=watched, desk_lookup=desk_lookup, errors=errors,
                     options=options)


def _chunks(prep: _Prepared, *, progress: bool | None, chunk_rows: int,
            digests: list[np.ndarray] | None = None) -> Iterator[pd.DataFrame]:
    """Tables of about ``chunk_rows`` articles each, in file order, normalised but not yet
    checked for repeated ids or duplicates (see :func:`_assemble` and :class:`_StreamWriter`).
    With a ``digests`` list, the exact-duplicate digests of each chunk's texts are added to it."""
    for box in _record_batches(prep, progress=progress, chunk_rows=chunk_rows):
        records, keys = box.pop()  # the generator keeps no reference: the records die with the table
        table = _build_table(records, keys, prep.report, final=False)
        del records, keys
        if prep.steps and len(table):
            table = normalize_articles(table, steps=prep.steps, fields=NORMALIZED_FIELDS)
            for name, n in table.attrs.pop("normalized").items():
                if n:
                    prep.report.counts[f"normalized_{name}"] += n
        if digests is not None:
            from toolkit.dedup import key_digests, match_keys

            digests.append(key_digests(match_keys(table, ["text"])))
        yield table


def _record_batches(prep: _Prepared, *, progress: bool | None,
                    chunk_rows: int) -> Iterator[list[tuple[list[dict], list[str]]]]:
    """Read every input file; yield its records (with their id keys) in batches, each in a
    one-item list that the caller empties (so that no reference stays here while it works).

    A file's records are held until the file ends, so that a file that turns out to be
    unreadable halfway is skipped whole, as before; only a file with more than ``chunk_rows``
    records (a big CSV or JSON Lines export, read by a streaming reader) is passed on while it
    is read. If such a file fails after some of its records were passed on, those stay loaded,
    and the file is reported as stopped at the failing line with the rest skipped.
    """
    report, errors, forced = prep.report, prep.errors, prep.forced
    records: list[dict] = []
    keys: list[str] = []
    iterator: Any = prep.inputs
    bar = None
    if _show_progress(progress, len(prep.inputs)):
        from tqdm.auto import tqdm

        iterator = bar = tqdm(prep.inputs, desc="loading", unit="file")
    first_seen: dict[str, Path] = {}
    try:
        for path, root, key, meta in iterator:
            real = os.path.realpath(path)
            if real in first_seen:
                _skip_file(report, path, "?", f"same file as {first_seen[real]}, which is already loaded", errors)
                continue
            first_seen[real] = path
            try:
                with path.open("rb") as handle:
                    head = handle.read(4096)
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
            ctx = ReadContext(path=path, root=root, columns=dict(prep.columns or {}), errors=errors,
                              metadata=meta, options=prep.options)
            found: list[dict] = []
            found_keys: list[str] = []
            passed_on = 0  # records of this file already handed out in a batch
            seen_ids: Counter = Counter()
            last_line: Any = None
            failure: tuple[str, int | None] | None = None
            try:
                for rec in reader.read(path, ctx):
                    rec = dict(rec)
                    native = rec.pop("record_id", None)
                    line = last_line = rec.get("source_line")
                    if native is not None and str(native).strip():
                        rid = f"#{str(native).strip()}"
                        seen_ids[rid] += 1
                        if seen_ids[rid] > 1:
                            rid = f"{rid}@{line}"
                            report.counts["repeated_record_ids"] += 1
                    elif line is not None:
                        rid = f"@{line}"
                    else:
                        rid = ""
                    found_keys.append(key + rid)
                    rec["source_path"] = str(path)
                    rec["source_format"] = reader.name
                    _apply_metadata(rec, meta, prep.desk_lookup)
                    found.append(rec)
                    if len(found) >= chunk_rows:
                        records.extend(found)
                        keys.extend(found_keys)
                        passed_on += len(found)
                        found, found_keys = [], []
                        box = [(records, keys)]
                        records, keys = [], []
                        yield box
            except LoadError as exc:
                if errors == "raise":
                    raise
                failure = (exc.reason, exc.line)
            except (KeyboardInterrupt, MemoryError, ParameterError):
                raise  # a bad reader option is the caller's mistake, not a bad file
            except Exception as exc:  # a reader bug or an input it did not foresee: still name the file
                log.debug("reader %s failed on %s", reader.name, path, exc_info=True)
                why = f"{reader.name} reader failed: {type(exc).__name__}: {exc}"
                if errors == "raise":
                    raise LoadError(path, why) from exc
                failure = (why, None)
            if failure is not None and not passed_on:
                _skip_file(report, path, reader.name, failure[0], errors, line=failure[1])
                report.counts.update(ctx.counts)
                continue
            n_found = passed_on + len(found)
            if (len(found) == 1 and not passed_on and reader.name == "scraped"
                    and found_keys[0] == f"{key}@{found[0].get('source_line')}"):
                # A scraped page is one article: its id needs no line number.
                found_keys[0] = key
            records.extend(found)
            keys.extend(found_keys)
            report.counts.update(ctx.counts)
            report.skipped_rows.extend(ctx.skipped)
            reason = None if n_found or ctx.skipped else "no records in the file"
            if failure is not None:
                line = failure[1] if failure[1] is not None else last_line
                where = "" if line is None else f" at line {line}"
                reason = f"read stopped{where}: {failure[0]}; the {n_found} articles before it are loaded"
                report.skipped_rows.append({"path": str(path), "line": line,
                                            "reason": f"the rest of the file was not read: {failure[0]}"})
                report.counts["files_stopped_early"] += 1
            report.file_rows.append({"path": str(path), "format": reader.name, "status": "loaded",
                                     "n_articles": n_found,
                                     "n_skipped": len(ctx.skipped) + (failure is not None),
                                     "reason": reason})
            if not n_found and not ctx.skipped:
                report.counts["files_without_records"] += 1
            if len(records) >= chunk_rows:
                box = [(records, keys)]
                records, keys = [], []
                yield box
    finally:
        if bar is not None:
            bar.close()
    if records:
        box = [(records, keys)]
        records, keys = [], []
        yield box


def _columnar_chunks(prep: _Prepared, *, progress: bool | None, chunk_rows: int,
                     digests: list[np.ndarray] | None = None) -> Iterator[pd.DataFrame]:
    """:func:`_chunks`, with Parquet files read column by column (no Python per record).

    When every input is a Parquet file for the built-in reader, each is read whole with
    pyarrow and turned into one table by :func:`_parquet_chunk` (same rows, ids, values and
    load report as the record path); a file it cannot take (list or struct columns, naive
    timestamps, ...) goes through :func:`_chunks` on its own. Otherwise everything does.
    """
    from toolkit.load.tabular import read_parquet

    inputs = prep.inputs
    fast = bool(inputs) and not _show_progress(progress, len(inputs))
    if fast:
        reals = [os.path.realpath(p) for p, *_ in inputs]
        fast = len(set(reals)) == len(reals)
    for path, _root, _key, meta in inputs if fast else ():
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            fast = False
            break
        reader = prep.forced or (get_reader(meta["format"]) if meta.get("format") else reader_for(path, head))
        if reader is None or reader.read is not read_parquet or reader.name != "parquet":
            fast = False
            break
    if not fast:
        yield from _chunks(prep, progress=progress, chunk_rows=chunk_rows, digests=digests)
        return
    frames: list[tuple[pd.DataFrame, dict[str, list], list[str]]] = []
    for item in inputs:
        got = _parquet_frame(prep, item)
        if got is not None:
            frames.append(got)
            continue
        if frames:
            yield from _frames_table(prep, frames, chunk_rows=chunk_rows, digests=digests)
            frames = []
        yield from _chunks(dataclasses.replace(prep, inputs=[item]), progress=False,
                           chunk_rows=chunk_rows, digests=digests)
    if frames:
        yield from _frames_table(prep, frames, chunk_rows=chunk_rows, digests=digests)


def _old_chunk_segments(sizes: list[int], chunk_rows: int) -> list[tuple[int, int]]:
    """Row ranges of the chunks :func:`_record_batches` would make from files of ``sizes``
    records: ``chunk_rows`` at a time inside a file (with what earlier files left over), and
    at the end of a file once at least ``chunk_rows`` records are waiting."""
    segments: list[tuple[int, int]] = []
    start = pos = 0
    for n in sizes:
        in_file = 0
        for _ in range(n // chunk_rows):
            in_file += chunk_rows
            segments.append((start, pos + in_file))
            start = pos + in_file
        pos += n
        if pos - start >= chunk_rows:
            segments.append((start, pos))
            start = pos
    if pos > start:
        segments.append((start, pos))
    return segments


def _extras_by_segment(frames: list[tuple[pd.DataFrame, dict[str, list], list[str]]], names: list[str],
                       segments: list[tuple[int, int]]) -> pd.DataFrame:
    """The extra columns as the record path types them: ``from_records`` per chunk (a column
    is NaN where a file lacks it; one that no record of a chunk has is absent from that chunk,
    e.g. all-missing numbers stay ``None``), then the chunks concatenated."""
    starts = np.cumsum([0] + [len(ks) for _, _, ks in frames])
    parts = []
    for start, end in segments:
        columns: dict[str, list] = {}
        for (_, extras, _), lo, hi in zip(frames, starts[:-1].tolist(), starts[1:].tolist(), strict=True):
            a, b = max(lo, start), min(hi, end)
            if a >= b:
                continue
            for name in extras:
                columns.setdefault(name, [])
        for name in columns:
            values: list = []
            for (_, extras, _), lo, hi in zip(frames, starts[:-1].tolist(), starts[1:].tolist(), strict=True):
                a, b = max(lo, start), min(hi, end)
                if a < b:
                    values.extend(extras[name][a - lo:b - lo] if name in extras else [np.nan] * (b - a))
            columns[name] = values
        order = list(columns)  # first appearance in this chunk, as from_records orders keys
        part = pd.DataFrame.from_records(list(zip(*(columns[n] for n in order), strict=True)), columns=order) \
            if order else pd.DataFrame(index=range(end - start))
        parts.append(part)
    return pd.concat(parts, ignore_index=True, sort=False) if len(parts) > 1 else parts[0]


def _frames_table(prep: _Prepared, frames: list[tuple[pd.DataFrame, dict[str, list], list[str]]], *, chunk_rows: int,
                  digests: list[np.ndarray] | None) -> Iterator[pd.DataFrame]:
    """One chunk table from the record frames of several Parquet files (see
    :func:`_parquet_frame`); nothing when they hold no records."""
    report = prep.report
    sizes = [len(ks) for _, _, ks in frames]
    if not sum(sizes):
        frames.clear()
        return
    frame = frames[0][0] if len(frames) == 1 else pd.concat([f for f, _, _ in frames], ignore_index=True, sort=False)
    segments = _old_chunk_segments(sizes, chunk_rows)
    names = list(dict.fromkeys(name for _, extras, _ in frames for name in extras))
    if names:
        frame = pd.concat([frame, _extras_by_segment(frames, names, segments)], axis=1)
    keys = [k for _, _, ks in frames for k in ks]
    frames.clear()
    table = _build_table([], keys, report, final=False, frame=frame, segments=segments)
    del frame
    if prep.steps and len(table):
        table = normalize_articles(table, steps=prep.steps, fields=NORMALIZED_FIELDS)
        for name, k in table.attrs.pop("normalized").items():
            if k:
                report.counts[f"normalized_{name}"] += k
    if digests is not None:
        from toolkit.dedup import key_digests, match_keys

        digests.append(key_digests(match_keys(table, ["text"])))
    yield table


def _parquet_frame(prep: _Prepared, item: tuple[Path, Path, str, dict]) -> tuple[pd.DataFrame, dict[str, list], list[str]] | None:
    """One Parquet file's records as a table (what ``pd.DataFrame.from_records`` makes of the
    record path's dicts) without its extra columns, those as lists, and the id keys, read column by column; the file's entries go into
    the load report. None when the file needs the record path (nothing recorded then)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from toolkit.load.tabular import read_parquet_columns

    path, root, key, meta = item
    report = prep.report
    fields = meta.get("fields") or {}
    if any(k in ARTICLE_DTYPES or k in ("_tz", "_dayfirst", "record_id") for k in fields):
        return None
    ctx = ReadContext(path=path, root=root, columns=dict(prep.columns or {}), errors=prep.errors,
                      metadata=meta, options=prep.options)
    try:
        got = read_parquet_columns(path, ctx)
    except Exception:  # the record path reports (or raises) whatever is wrong with the file
        log.debug("columnar read of %s failed; reading it record by record", path, exc_info=True)
        return None
    if got is None:
        return None
    columns, lines, skipped = got
    for line in skipped:
        ctx.skip_record(line, "no title or text")  # raises at the first with errors="raise"
    n = len(lines)

    def text_series(name: str) -> pd.Series:
        values = columns.get(name)
        if values is None:
            return pd.Series(pa.nulls(n, pa.large_string()), dtype="str")
        if isinstance(values, list):
            return pd.Series(values, dtype=object)
        return pd.Series(pa.chunked_array([values]) if isinstance(values, pa.Array) else values,
                         dtype=pd.ArrowDtype(pa.large_string())).astype("str")

    # Ids: the file's own id ("#id", repeats "#id@row"), else the row ("@row"), as the record path.
    line_tags = pd.Series(lines, dtype="int64").astype("str")
    rids = "@" + line_tags
    if "record_id" in columns:
        native = text_series("record_id")
        has = native.notna().to_numpy()
        tagged = "#" + native
        repeat = (tagged.duplicated() & native.notna()).to_numpy()
        if repeat.any():
            report.counts["repeated_record_ids"] += int(repeat.sum())
            tagged = tagged.where(~repeat, tagged + "@" + line_tags)
        rids = tagged.where(has, rids)
    keys = (key + rids).tolist()

    data: dict[str, pd.Series] = {}
    for out in columns:
        if out == "record_id":
            continue
        if out == "published" and not isinstance(columns[out], pa.Array | list) and pa.types.is_timestamp(columns[out].type):
            data[out] = columns[out].to_pandas().dt.as_unit("us") if n else pd.Series([], dtype=PUBLISHED_DTYPE)
        elif isinstance(columns[out], list):
            data[out] = columns[out]
        else:
            data[out] = text_series(out)
    data["source_line"] = pd.Series(lines, dtype="int64")
    data["source_path"] = pd.Series(pa.repeat(pa.scalar(str(path), pa.large_string()), n), dtype="str")
    data["source_format"] = pd.Series(pa.repeat(pa.scalar("parquet", pa.large_string()), n), dtype="str")

    # Metadata, as _apply_metadata does record by record.
    outlet = text_series("outlet")
    missing = outlet.isna().to_numpy()
    if missing.any():
        fallback = meta.get("outlet")
        fill = pd.Series([fallback] * n, dtype=object)
        byline = text_series("byline")
        if _blank(fallback):
            local = {k.casefold(): v for k, v in (meta.get("desks") or {}).items()}
            named = byline.notna().to_numpy() & missing
            if named.any():
                lookup = {b: local.get(b.strip().casefold()) or prep.desk_lookup.get(b.strip().casefold())
                          for b in set(byline[named].tolist())}
                fill[named] = [lookup[b] for b in byline[named].tolist()]
        merged = outlet.astype(object).where(~missing, fill)
        data["outlet"] = merged
    else:
        data["outlet"] = outlet
    dateline, wire, text = text_series("dateline"), text_series("wire"), text_series("text")
    need = (dateline.isna() & wire.isna() & text.notna()).to_numpy()
    if need.any():
        heads = pc.utf8_slice_codeunits(pa.array(text[need].array), 0, 400).to_pylist()
        found = [extract_dateline(h, strict=True) for h in heads]
        dateline = dateline.astype(object)
        wire = wire.astype(object)
        dateline[need] = [d for d, _ in found]
        wire[need] = [w for _, w in found]
    data["dateline"], data["wire"] = dateline, wire
    lang = text_series("lang")
    if lang.isna().any() and meta.get("lang") is not None:
        lang = lang.astype(object).where(lang.notna(), meta.get("lang"))
    data["lang"] = lang
    for k, v in fields.items():
        if k not in data:
            data[k] = [v] * n
    data["_tz"] = [str(meta.get("tz") or "UTC")] * n
    data["_dayfirst"] = [bool(meta.get("dayfirst", False))] * n
    # Extra columns (the file's own, corpus.yaml fields) stay Python lists until the files are
    # combined: from_records then types them exactly as the record path does.
    extras = {k: data.pop(k) for k in list(data) if k not in ARTICLE_DTYPES and k not in ("_tz", "_dayfirst")}
    frame = pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v) for k, v in data.items()})

    report.counts.update(ctx.counts)
    report.skipped_rows.extend(ctx.skipped)
    reason = None if n or ctx.skipped else "no records in the file"
    report.file_rows.append({"path": str(path), "format": "parquet", "status": "loaded", "n_articles": n,
                             "n_skipped": len(ctx.skipped), "reason": reason})
    if not n and not ctx.skipped:
        report.counts["files_without_records"] += 1
    return frame, extras, keys


def _assemble(chunks: list[pd.DataFrame], report: LoadReport) -> pd.DataFrame:
    """One articles table from the chunk tables: ids made unique, extra columns typed, checked."""
    if not chunks:
        return _build_table([], [], report)
    table = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True, sort=False)
    table["doc_id"] = _unique_ids(table["doc_id"], table["source_path"], table["source_line"], report)
    for column in table.columns:
        if column not in ARTICLE_DTYPES:
            table[column] = _numeric_if_all(table[column]).to_numpy()
    return validate_articles(table)


def _unique_ids(ids: pd.Series, paths: pd.Series, lines: pd.Series, report: LoadReport) -> pd.Series:
    """Number repeated ids in path order (``x``, ``x-2``, ...), so that they do not depend on
    the order of the arguments: two sources with the same folder and file names
    (a/2021/x.txt, b/2021/x.txt) give the same keys."""
    repeated = ids.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return ids
    rows = np.flatnonzero(repeated)
    sub_ids = ids.iloc[rows].tolist()
    sub_paths = paths.iloc[rows].tolist()
    sub_lines = [0 if pd.isna(v) else int(v) for v in lines.iloc[rows].tolist()]
    order = sorted(range(len(rows)), key=lambda i: (sub_paths[i], sub_lines[i]))
    seen: Counter = Counter()
    new = list(sub_ids)
    for i in order:
        seen[sub_ids[i]] += 1
        if seen[sub_ids[i]] > 1:
            new[i] = f"{sub_ids[i]}-{seen[sub_ids[i]]}"
            report.counts["repeated_doc_ids_suffixed"] += 1
    out = ids.copy()
    out.iloc[rows] = new
    return out


def iter_corpus(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
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
    progress: bool | None = None,
    **options: Any,
) -> Iterator[pd.DataFrame]:
    """Load a corpus chunk by chunk: articles tables of about ``chunk_rows`` rows each.

    The same reading, metadata, date parsing and normalisation as :func:`load_corpus`, but the
    whole corpus is never held: each table can be processed and dropped before the next is
    read, so memory stays bounded whatever the input size (big CSV and JSON Lines files are
    read in streaming fashion). Duplicates are not flagged (that needs the whole corpus: use
    :func:`load_to_parquet`, or ``load_corpus``), and ``doc_id`` is unique within a chunk
    (across chunks too unless two sources have the same folder and file names).

    Parameters
    ----------
    source, format, errors, columns, outlet, desks, tz, dayfirst, lang, exclude, normalize, progress, **options
        As in :func:`load_corpus`.
    chunk_rows
        Articles per table (the last one may be shorter; a chunk ends at a file boundary
        unless one file holds more).

    Yields
    ------
    pandas.DataFrame
        Articles tables. ``attrs["load_report"]`` is the one :class:`LoadReport` of the whole
        load, filled in as reading goes on and complete once the iteration ends.

    Examples
    --------
    >>> from toolkit.load.core import iter_corpus
    >>> n = sum(len(chunk) for chunk in iter_corpus("big.jsonl", chunk_rows=5_000))  # doctest: +SKIP
    """
    prep = _prepare(source, format=format, errors=errors, columns=columns, outlet=outlet, desks=desks,
                    tz=tz, dayfirst=dayfirst, lang=lang, exclude=exclude, normalize=normalize,
                    duplicates="none", options=options)
    _check_chunk_rows(chunk_rows)
    report = prep.report
    langs: Counter = Counter()
    for chunk in _chunks(prep, progress=progress, chunk_rows=chunk_rows):
        chunk["doc_id"] = _unique_ids(chunk["doc_id"], chunk["source_path"], chunk["source_line"], report)
        for column in chunk.columns:
            if column not in ARTICLE_DTYPES:
                chunk[column] = _numeric_if_all(chunk[column]).to_numpy()
        chunk = validate_articles(chunk)
        langs.update(chunk["lang"].fillna("unknown").value_counts().to_dict())
        report["languages"] = {str(k): int(v) for k, v in langs.most_common()}
        chunk.attrs["load_report"] = report
        yield chunk
    report["languages"] = {str(k): int(v) for k, v in langs.most_common()}


def load_to_parquet(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    chunk_rows: int = 5_000,
    duplicates: Literal["exact", "none"] = "exact",
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
    progress: bool | None = None,
    **options: Any,
) -> LoadReport:
    """Load a corpus of any size into one Parquet file, with bounded memory.

    Reads like :func:`load_corpus` (same options, same rows, ids, dates, normalisation and
    exact-duplicate flags) but writes the articles table to ``out`` chunk by chunk instead of
    returning it: memory holds one chunk plus about 50 bytes per article (its ``doc_id``, a
    16-byte digest of its normalised text and its date, for the duplicate check across the
    whole corpus), whatever the size of the input. Read the result with
    ``pd.read_parquet(out)`` or ``load_corpus(out)`` (fast), or in pieces with
    ``pyarrow.parquet.ParquetFile(out).iter_batches()``.

    How: chunks are written to a temporary folder beside ``out``; once every input is read the
    repeated ids are numbered and the duplicate clusters formed, then the chunks are copied
    into ``out`` with the final ids and the ``dup_group``/``dup_of``/``is_duplicate`` columns
    (a second pass over the compact Parquet chunks, not over the input). ``out`` appears only
    when complete (written under a temporary name and renamed), and holds the load report in
    its metadata: ``pd.read_parquet(out).attrs["load_report"]``.

    Extra columns (``reliability``, ``country``, ...) become numbers when every value in the
    corpus is one (as in ``load_corpus``); otherwise text, with non-text values (lists,
    objects from JSON) written as JSON.

    Parameters
    ----------
    source
        A file, a folder, or a list of them.
    out
        The Parquet file to write (replaced if it exists).
    chunk_rows
        Articles per chunk and per Parquet row group (default 5,000: 10-20 MB of text for news
        articles; memory peaks at about 13x a chunk's text while it is parsed, normalised and
        hashed, e.g. 260 MB for 5,000 articles of 3.7 KB, whatever the input size).
    duplicates
        ``"exact"`` (default) or ``"none"``. ``"near"`` needs every text at once: flag near
        duplicates on the loaded table with :func:`toolkit.dedup.flag_duplicates`.
    format, errors, columns, outlet, desks, tz, dayfirst, lang, exclude, normalize, progress, **options
        As in :func:`load_corpus`.

    Returns
    -------
    LoadReport
        The complete load report (every input record loaded, skipped with its reason, or
        flagged as a duplicate).

    Examples
    --------
    >>> from toolkit.load.core import load_to_parquet
    >>> report = load_to_parquet("big.jsonl", "corpus.parquet")  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    if duplicates not in ("exact", "none"):
        raise ParameterError("duplicates", duplicates, one_of(["exact", "none"]),
                             hint="Near duplicates need every text at once: load the Parquet file and "
                                  "run toolkit.dedup.flag_duplicates(articles) on it.")
    prep = _prepare(source, format=format, errors=errors, columns=columns, outlet=outlet, desks=desks,
                    tz=tz, dayfirst=dayfirst, lang=lang, exclude=exclude, normalize=normalize,
                    duplicates=duplicates, options=options)
    _check_chunk_rows(chunk_rows)
    target = Path(out)
    if target.is_dir():
        raise ParameterError("out", str(out), "a Parquet file path, not a folder",
                             hint=f"e.g. {str(Path(out) / 'corpus.parquet')!r}")
    if not target.parent.exists():
        raise ParameterError("out", str(out), "a path in an existing folder",
                             hint=f"Create {str(target.parent)!r} first.")
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".parts", dir=target.parent))
    try:
        writer = _StreamWriter(work, prep.report, duplicates=duplicates)
        for chunk in _chunks(prep, progress=progress, chunk_rows=chunk_rows):
            writer.add(chunk)
        writer.finish(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("%s -> %s", str(prep.report).splitlines()[0], target)
    return prep.report


class _StreamWriter:
    """Chunks to Parquet parts, then one Parquet file with final ids and duplicate flags."""

    def __init__(self, work: Path, report: LoadReport, *, duplicates: str) -> None:
        self.work = work
        self.report = report
        self.duplicates = duplicates
        self.parts: list[tuple[Path, int]] = []
        self.ids: list[Any] = []
        self.digests: list[np.ndarray] = []
        self.times: list[np.ndarray] = []
        self.extra_kinds: dict[str, set[str]] = {}
        self.langs: Counter = Counter()
        self.n = 0

    def add(self, chunk: pd.DataFrame) -> None:
        import pyarrow as pa

        from toolkit.dedup import key_digests, match_keys

        n = len(chunk)
        for column in chunk.columns:
            if column not in ARTICLE_DTYPES:
                chunk[column] = self._extra(column, chunk[column])
        for column in self.extra_kinds:
            if column not in chunk.columns:
                self.extra_kinds[column].add("missing")
        if self.n and any(c not in chunk.columns for c in self.extra_kinds):
            pass  # columns first seen later are "missing" in earlier parts: handled in finish()
        self.ids.append(pa.array(chunk["doc_id"], type=pa.large_string(), from_pandas=True))
        if self.duplicates == "exact":
            self.digests.append(key_digests(match_keys(chunk, ["text"])))
            stamps = chunk["published"].dt.as_unit("us")
            self.times.append(np.where(stamps.notna(), stamps.array.asi8, np.iinfo(np.int64).min))
        self.langs.update(chunk["lang"].fillna("unknown").value_counts().to_dict())
        part = self.work / f"part-{len(self.parts):06d}.parquet"
        chunk.attrs = {}
        chunk.to_parquet(part, index=False)
        self.parts.append((part, n))
        self.n += n

    def _extra(self, column: str, values: pd.Series) -> pd.Series:
        """Record what kind of values an extra column holds in this chunk; return it storable."""
        kinds = self.extra_kinds.setdefault(column, set() if not self.n else {"missing"})
        present = values.dropna()
        if present.empty:
            kinds.add("missing")
            return pd.Series([None] * len(values), dtype="str", index=values.index)
        if pd.api.types.is_bool_dtype(present.dtype):
            kinds.add("other")
        elif pd.api.types.is_integer_dtype(present.dtype):
            kinds.add("int")
            return values
        elif pd.api.types.is_float_dtype(present.dtype):
            kinds.add("float")
            return values
        if len(present) < len(values):
            kinds.add("missing")
        if present.map(lambda v: isinstance(v, str)).all():
            numeric = _numeric_if_all(present)
            if pd.api.types.is_integer_dtype(numeric.dtype):
                kinds.add("int")
            elif pd.api.types.is_float_dtype(numeric.dtype):
                kinds.add("float")
            else:
                kinds.add("text")
            return values.astype("str")
        kinds.add("other")
        return values.map(lambda v: v if v is None or isinstance(v, str) or (isinstance(v, float) and v != v)
                          else json.dumps(v, default=str, ensure_ascii=False)).astype("str")

    def _extra_dtype(self, column: str) -> str:
        kinds = self.extra_kinds[column]
        if kinds <= {"int"}:
            return "int64"
        if kinds <= {"int", "float", "missing"} and kinds & {"int", "float"}:
            return "float64"
        return "str"

    def finish(self, target: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from toolkit.dedup import exact_flags

        report = self.report
        ids = pd.Series(pa.chunked_array(self.ids, type=pa.large_string()), dtype="str") if self.ids else pd.Series([], dtype="str")
        self.ids = []
        # Repeated ids: numbered in path order, as load_corpus does; only their rows are read back.
        repeated = np.flatnonzero(ids.duplicated(keep=False).to_numpy()) if len(ids) else np.array([], int)
        new_ids: dict[int, str] = {}
        if len(repeated):
            paths, lines = self._column_at(repeated, ["source_path", "source_line"])
            fixed = _unique_ids(ids.iloc[repeated].reset_index(drop=True), paths, lines, report)
            new_ids = {int(r): v for r, v in zip(repeated.tolist(), fixed.tolist(), strict=True)
                       if v != ids.iloc[int(r)]}
        group = earliest = None
        if self.duplicates == "exact":
            digests = np.concatenate(self.digests) if self.digests else np.array([], dtype="S16")
            times = np.concatenate(self.times) if self.times else np.array([], dtype=np.int64)
            self.digests, self.times = [], []
            dated = times != np.iinfo(np.int64).min
            group, earliest = exact_flags(digests, times, dated)
            del digests, times, dated
            is_dup = (earliest >= 0) & (earliest != np.arange(self.n))
            heads = np.unique(earliest[is_dup])
            head_id = {int(r): new_ids.get(int(r), ids.iloc[int(r)]) for r in heads.tolist()}
            dup_rows = np.flatnonzero(is_dup)
            n_groups = int(group.max()) if len(group) and group.max() > 0 else 0
            from toolkit.dedup import DEFAULT_THRESHOLD, MIN_WORDS

            info = {"method": "exact", "field": ["text"], "threshold": float(DEFAULT_THRESHOLD),
                    "shingle": 5, "num_perm": 128, "window": None, "across": "any", "seed": 1,
                    "min_words": int(MIN_WORDS), "n_clusters": n_groups,
                    "n_duplicates": int(is_dup.sum()), "n_in_clusters": int((group > 0).sum()),
                    "n_lsh_candidates": 0}
            report.settings["duplicate_check"] = info
            report.counts["duplicates"] = int(is_dup.sum())
            by_path = (self._column_at(dup_rows, ["source_path"])[0].value_counts().to_dict()
                       if len(dup_rows) else {})
            for row in report.file_rows:
                if row["status"] == "loaded":
                    row["n_duplicates"] = int(by_path.get(row["path"], 0))
        report.settings["duplicates"] = self.duplicates
        report["languages"] = {str(k): int(v) for k, v in self.langs.most_common()}
        del ids

        # Schema: the articles table's, then the extra columns in order of first appearance.
        template = _build_table([], [], LoadReport())
        for column in self.extra_kinds:
            template[column] = pd.Series([], dtype=self._extra_dtype(column))
        if self.duplicates == "exact":
            template["dup_group"] = pd.Series([], dtype="Int64")
            template["dup_of"] = pd.Series([], dtype="str")
            template["is_duplicate"] = pd.Series([], dtype=bool)
        attrs = {"load_report": json.loads(json.dumps(dict(report), default=str))}
        if self.duplicates == "exact":
            attrs["duplicates"] = report.settings["duplicate_check"]
        template.attrs = attrs
        schema = pa.Schema.from_pandas(template, preserve_index=False)
        schema = schema.with_metadata({**(schema.metadata or {}), b"PANDAS_ATTRS": json.dumps(attrs).encode()})
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        start = 0
        try:
            with pq.ParquetWriter(partial, schema) as writer:
                for part, n in self.parts:
                    chunk = pd.read_parquet(part)
                    part.unlink()
                    rows = np.arange(start, start + n)
                    if new_ids:
                        fix = [(i, new_ids[r]) for i, r in enumerate(rows.tolist()) if r in new_ids]
                        if fix:
                            ids_col = chunk["doc_id"].copy()
                            ids_col.iloc[[i for i, _ in fix]] = [v for _, v in fix]
                            chunk["doc_id"] = ids_col
                    for column in self.extra_kinds:
                        dtype = self._extra_dtype(column)
                        values = chunk[column] if column in chunk.columns else pd.Series([None] * n, dtype="str")
                        if dtype != "str":
                            values = pd.to_numeric(values).astype(dtype)
                        chunk[column] = values.to_numpy() if dtype != "str" else values.astype("str").to_numpy()
                    if group is not None and earliest is not None:
                        g = group[start:start + n]
                        e = earliest[start:start + n]
                        dup = (e >= 0) & (e != rows)
                        chunk["dup_group"] = pd.array([int(v) if v > 0 else None for v in g.tolist()], dtype="Int64")
                        chunk["dup_of"] = pd.Series([head_id[int(v)] if d else None
                                                     for v, d in zip(e.tolist(), dup.tolist(), strict=True)], dtype="str")
                        chunk["is_duplicate"] = dup
                    chunk = validate_articles(chunk)[list(template.columns)]
                    table = pa.Table.from_pandas(chunk, schema=schema, preserve_index=False)
                    writer.write_table(table)
                    start += n
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()

    def _column_at(self, rows: np.ndarray, columns: list[str]) -> list[pd.Series]:
        """Values of ``columns`` at global ``rows`` (sorted), read back from the parts."""
        import pyarrow.parquet as pq

        out: dict[str, list] = {c: [] for c in columns}
        start = 0
        for part, n in self.parts:
            local = rows[(rows >= start) & (rows < start + n)] - start
            if len(local):
                table = pq.read_table(part, columns=columns).take(local)
                for c in columns:
                    out[c].extend(table.column(c).to_pylist())
            start += n
        return [pd.Series(out[c], dtype=object) for c in columns]


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


def _finish(articles: pd.DataFrame, report: LoadReport, steps: list, duplicates: str, *,
            digests: list[np.ndarray] | None = None) -> pd.DataFrame:
    """Normalise text, flag duplicates and record both, plus the language mix, in the report.

    With ``digests`` (per-chunk exact-duplicate digests of the texts, in row order), exact
    duplicates are flagged from them, as :func:`toolkit.dedup.flag_duplicates` would."""
    if steps and len(articles):
        articles = normalize_articles(articles, steps=steps, fields=NORMALIZED_FIELDS)
        for name, n in articles.attrs.pop("normalized").items():
            if n:
                report.counts[f"normalized_{name}"] += n
    if duplicates != "none":
        from toolkit.dedup import flag_duplicates

        # flag_duplicates records its options in attrs["duplicates"]; it stays on the table
        # (dedupe() reads it) and goes into the report.
        if digests is not None and duplicates == "exact":
            articles = _flag_exact(articles, digests)
        else:
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


def _flag_exact(articles: pd.DataFrame, digests: list[np.ndarray]) -> pd.DataFrame:
    """``flag_duplicates(articles, method="exact")`` from the texts' digests."""
    from toolkit.dedup import DEFAULT_THRESHOLD, MIN_WORDS, exact_flags

    n = len(articles)
    flat = np.concatenate(digests) if digests else np.array([], dtype="S16")
    stamps = articles["published"].dt.as_unit("us")
    dated = stamps.notna().to_numpy()
    times = np.where(dated, stamps.array.asi8, 0).astype(np.int64)
    group, earliest = exact_flags(flat, times, dated)
    is_dup = (earliest >= 0) & (earliest != np.arange(n))
    ids = articles["doc_id"]
    heads = np.unique(earliest[is_dup])
    head_id = dict(zip(heads.tolist(), ids.iloc[heads].tolist(), strict=True))
    out = articles.drop(columns=[c for c in ("dup_group", "dup_of", "is_duplicate") if c in articles])
    out["dup_group"] = pd.array([int(g) if g > 0 else None for g in group.tolist()], dtype="Int64")
    out["dup_of"] = pd.Series([head_id[e] if d else None for e, d in zip(earliest.tolist(), is_dup.tolist(), strict=True)],
                              index=out.index, dtype="str")
    out["is_duplicate"] = pd.Series(is_dup, index=out.index, dtype=bool)
    n_groups = int(group.max()) if n and group.max() > 0 else 0
    out.attrs = {**articles.attrs, "duplicates": {
        "method": "exact", "field": ["text"], "threshold": float(DEFAULT_THRESHOLD), "shingle": 5,
        "num_perm": 128, "window": None, "across": "any", "seed": 1, "min_words": int(MIN_WORDS),
        "n_clusters": n_groups, "n_duplicates": int(is_dup.sum()),
        "n_in_clusters": int((group > 0).sum()), "n_lsh_candidates": 0}}
    return out


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


def _build_table(records: list[dict], keys: list[str], report: LoadReport, *,
                 final: bool = True, frame: pd.DataFrame | None = None,
                 segments: list[tuple[int, int]] | None = None) -> pd.DataFrame:
    """The articles table of ``records``; with ``final=False`` a chunk of it: ids may still
    repeat across chunks and extra columns keep their raw values (see :func:`_assemble`).
    ``frame``: the records already as a table (the columnar Parquet path), instead of ``records``;
    its ``published`` may be a tz-aware datetime column, taken as it is. ``segments``: the row
    ranges the record path would have built as separate chunks; the unparseable-date examples
    in the report are gathered per segment, as that path does."""
    blake = hashlib.blake2b
    ids = [blake(k.encode("utf-8"), digest_size=8).hexdigest() for k in keys]  # _doc_id, inlined
    counts = Counter(ids) if final else None
    if counts is not None and len(counts) < len(ids):
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
    if frame is None:
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    n = len(frame)
    published = pd.Series(pd.NaT, index=range(n), dtype=PUBLISHED_DTYPE)
    if n and "published" in frame and isinstance(frame["published"].dtype, pd.DatetimeTZDtype):
        # Aware timestamps (a Parquet timestamp column): parse_dates would take each as it is.
        published = frame["published"].dt.tz_convert("UTC").astype(PUBLISHED_DTYPE).reset_index(drop=True)
        frame = frame.drop(columns=[c for c in ("_tz", "_dayfirst", "published") if c in frame])
    elif n:
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
                if segments is None:
                    examples = report.settings.setdefault("unparseable_date_examples", [])
                    examples.extend(parsed.unparsed_examples[:max(0, MAX_DATE_EXAMPLES - len(examples))])
        if segments is not None and published.isna().any():
            _segment_examples(frame, raw, published, segments, report)
        frame = frame.drop(columns=[c for c in ("_tz", "_dayfirst", "published") if c in frame])
    report.counts["undated"] += int(published.isna().sum())
    future = published > pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    if future.any():
        report.counts["future_dates"] += int(future.sum())
    data: dict[str, Any] = {"doc_id": ids, "published": published.astype(PUBLISHED_DTYPE)}
    for column in ARTICLE_COLUMNS:
        if column in ("doc_id", "published"):
            continue
        data[column] = frame[column] if column in frame else pd.Series([None] * n, dtype=object)
    out = pd.DataFrame({c: _typed(data[c], ARTICLE_DTYPES[c]) for c in ARTICLE_COLUMNS})
    for column in frame.columns:
        if column not in ARTICLE_DTYPES:
            out[column] = (_numeric_if_all(frame[column]) if final else frame[column]).to_numpy()
    return validate_articles(out) if final else out


def _segment_examples(frame: pd.DataFrame, raw: pd.Series, published: pd.Series,
                      segments: list[tuple[int, int]], report: LoadReport) -> None:
    """Unparseable-date examples as :func:`parse_dates` gives them (the first 5 distinct per
    call), one call per segment and zone group, as the record path makes them chunk by chunk."""
    failed = published.isna().to_numpy()
    candidates = np.flatnonzero(failed)
    values = raw.to_numpy(dtype=object)
    bad = np.zeros(len(frame), dtype=bool)
    for i in candidates.tolist():
        v = values[i]
        missing = v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v) or (
            isinstance(v, str) and not v.strip())
        bad[i] = not missing
    if not bad.any():
        return
    for start, end in segments:
        if not bad[start:end].any():
            continue
        part = frame.iloc[start:end]
        for _, idx in part.groupby(["_tz", "_dayfirst"], sort=False).indices.items():
            rows = idx[bad[start + idx]] + start
            found: list[str] = []
            for i in rows.tolist():
                text = str(values[i])
                if text not in found:
                    found.append(text)
                if len(found) == 5:
                    break
            if found:
                examples = report.settings.setdefault("unparseable_date_examples", [])
                examples.extend(found[:max(0, MAX_DATE_EXAMPLES - len(examples))])


#: Unparseable dates quoted in the load report, at most.
MAX_DATE_EXAMPLES = 10
# Blank: only characters Python's str.isspace() accepts (what str.strip() removes).
_BLANK = "^[" + "".join(
    f"\\x{{{c:x}}}" for c in range(0x3001) if chr(c).isspace()) + "]*$"


def _typed(values: pd.Series | list, dtype: Any) -> pd.Series:
    """``values`` as ``dtype``; blank strings (only whitespace) become missing."""
    if str(dtype) != "str":
        if isinstance(values, pd.Series) and values.dtype == dtype:
            return pd.Series(values.array, dtype=dtype)  # e.g. Parquet timestamps: no Python objects
        if isinstance(values, pd.Series) and str(dtype) == "Int64" and values.dtype == "int64":
            return pd.Series(values.to_numpy(), dtype=dtype)
        return pd.Series(list(values), dtype=dtype)
    if isinstance(values, pd.Series) and values.dtype == "str":
        typed = pd.Series(values.array, dtype=dtype)  # already text: no round trip through Python
    else:
        raw = values.to_numpy(dtype=object, na_value=None) if isinstance(values, pd.Series) else list(values)
        typed = pd.Series(raw, dtype=dtype)
    if len(typed):
        blank = _blank_rows(typed)
        if blank.any():
            typed = typed.mask(blank)
    return typed


def _blank_rows(typed: pd.Series) -> np.ndarray:
    """Rows of a text column that are empty or only whitespace (``str.isspace``). The regex
    runs only on rows that are empty or start with a blank or a non-ASCII character (read
    from the first byte); no other row can be blank."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(typed, type=pa.large_string(), from_pandas=True)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    parts = []
    for chunk in chunks:
        n = len(chunk)
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + n + 1]
        values = chunk.buffers()[2]
        data = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, np.uint8)
        lengths = np.diff(offsets)
        maybe = lengths == 0
        filled = np.flatnonzero(~maybe)
        maybe[filled] = _FIRST_BYTE_MAY_BE_BLANK[data[offsets[filled]]]
        if chunk.null_count:
            maybe &= np.asarray(pc.is_valid(chunk).to_numpy(zero_copy_only=False), dtype=bool)
        blank = np.zeros(n, dtype=bool)
        rows = np.flatnonzero(maybe)
        if len(rows):
            hit = pc.match_substring_regex(chunk.take(pa.array(rows)), _BLANK)
            blank[rows] = np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)
        parts.append(blank)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


# First bytes of a text that may be blank: an ASCII byte str.isspace() accepts, or a non-ASCII lead.
_FIRST_BYTE_MAY_BE_BLANK = np.zeros(256, dtype=bool)
_FIRST_BYTE_MAY_BE_BLANK[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_FIRST_BYTE_MAY_BE_BLANK[0x80:] = True


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
