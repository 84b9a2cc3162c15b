"""The corpus cache: the articles table of a load, kept as Parquet until an input changes.

``load_corpus(..., cache=True)`` parses the inputs once and writes the articles table and its
load report to one Parquet file; loading again with the same arguments reads that file instead
(a fraction of a second instead of a parse). The cached table is used only when all of these are
unchanged, otherwise the inputs are parsed again and the file is overwritten:

* the load arguments (``format``, ``tz``, ``columns``, ``normalize``, ``duplicates``, reader
  options, ...) and the sources as given, together with the folder they are resolved from;
* the set of files found under the sources (a file added, removed or renamed), including the
  ``corpus.yaml`` metadata files and the documentation files passed over;
* each file's size and modification time (``mtime_ns``), or, with ``cache_check="hash"``, its
  content (BLAKE2b; for file systems or copies that do not keep modification times);
* the toolkit version, the source files of its loading modules (size and mtime, so an edited
  reader in a development install invalidates too) and the registered readers.

Where: ``cache=True`` uses ``$TOOLKIT_CACHE_DIR`` when set, else the user cache folder
(``$XDG_CACHE_HOME/media-coverage-toolkit``, by default ``~/.cache/media-coverage-toolkit``);
``cache="some/folder"`` uses that folder. The cache never goes inside an input folder unless you
pass such a path; cache files (``*.toolkit-cache.parquet``) found while loading a folder are
passed over, so a cache kept next to the data is never read as data.

Writes are atomic (a hidden temporary file in the same folder, then a rename), so a crash or a
second process never leaves a half-written cache behind; a cache file that cannot be read anyway
(truncated, foreign) is logged, parsed again and overwritten.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from toolkit.errors import ParameterError

log = logging.getLogger(__name__)

#: Suffix of cache files; files ending in it are never read as corpus inputs.
CACHE_SUFFIX = ".toolkit-cache.parquet"
#: Environment variable naming the cache folder for ``cache=True``.
CACHE_ENV = "TOOLKIT_CACHE_DIR"
_APP = "media-coverage-toolkit"
_META_KEY = b"toolkit_cache"
_FORMAT = 1  # bump when the layout of a cache file changes

CacheCheck = Literal["stat", "hash"]


def default_cache_dir() -> Path:
    """The folder ``cache=True`` uses: ``$TOOLKIT_CACHE_DIR``, else the user cache folder.

    Examples
    --------
    >>> default_cache_dir().name in ("media-coverage-toolkit",) or "TOOLKIT_CACHE_DIR" in os.environ
    True
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / _APP


def cache_dir(cache: bool | str | os.PathLike | None) -> Path | None:
    """The cache folder for a ``cache=`` argument (``None`` when caching is off)."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return default_cache_dir()
    if isinstance(cache, (str, os.PathLike)) and str(cache).strip():
        return Path(cache).expanduser()
    raise ParameterError(
        "cache", cache, "False (no cache), True (the user cache folder) or a folder path",
        hint=f"E.g. cache=True, or cache='~/corpus-cache'; ${CACHE_ENV} sets the folder for True.",
    )


#: The toolkit modules that shape a loaded table (relative to the package folder).
_LOAD_CODE = ("load/*.py", "normalize.py", "dedup.py", "dates.py", "schema.py", "__init__.py")


def _code_fingerprint() -> list:
    """Size and mtime of the toolkit source files that shape a load: an edited reader (in a
    development install) invalidates the cache; an edit to, say, the plots does not."""
    import toolkit

    root = Path(toolkit.__file__).resolve().parent
    out = []
    for path in sorted({p for pattern in _LOAD_CODE for p in root.glob(pattern)}):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append([path.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns])
    return out


def _readers_fingerprint() -> list:
    from toolkit.load.registry import readers

    return [
        [name, getattr(r.read, "__module__", None), getattr(r.read, "__qualname__", repr(r.read)),
         list(r.suffixes), getattr(r.sniff, "__qualname__", None)]
        for name, r in readers().items()
    ]


def cache_key(settings: dict[str, Any]) -> str:
    """A hex key for the load ``settings`` (with the toolkit version, code and readers added).

    Values that are not JSON (functions in ``normalize``, objects in reader options) enter by
    their ``repr``.
    """
    from toolkit import __version__

    payload = {
        "format": _FORMAT,
        "version": __version__,
        "code": _code_fingerprint(),
        "readers": _readers_fingerprint(),
        "settings": settings,
    }
    text = json.dumps(payload, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _hash_file(path: Path) -> str | None:
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def fingerprint(paths: Iterable[str | os.PathLike], *, check: CacheCheck = "stat") -> list[list]:
    """``[path, size, mtime_ns]`` (``check="stat"``) or ``[path, size, content hash]``
    (``check="hash"``) for each file, sorted by path; ``None`` values for a file that cannot be
    read (it is then different from any readable state)."""
    if check not in ("stat", "hash"):
        raise ParameterError("cache_check", check, "one of 'stat', 'hash'")
    out = []
    for path in sorted({os.fspath(p) for p in paths}):
        try:
            st = os.stat(path)
        except OSError:
            out.append([path, None, None])
            continue
        third = st.st_mtime_ns if check == "stat" else _hash_file(Path(path))
        out.append([path, st.st_size, third])
    return out


def cache_file(directory: Path, key: str) -> Path:
    return directory / f"{key}{CACHE_SUFFIX}"


def read_cache(path: Path, key: str, files: list[list]) -> tuple[pd.DataFrame, dict, dict] | None:
    """The cached ``(articles, report dict, other attrs)`` at ``path`` when it is valid for
    ``key`` and ``files``; ``None`` otherwise (missing, stale or unreadable; the reason is logged)."""
    if not path.is_file():
        log.debug("no cache file at %s", path)
        return None
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        meta = json.loads((parquet.schema_arrow.metadata or {})[_META_KEY])
    except Exception as exc:  # truncated file, foreign file, bad JSON: parse again, overwrite
        log.warning("cache file %s is unreadable (%s: %s); parsing the inputs again", path, type(exc).__name__, exc)
        return None
    if meta.get("format") != _FORMAT or meta.get("key") != key:
        log.info("cache file %s was written by another version or for other arguments; parsing again", path)
        return None
    if meta.get("files") != files:
        old = {f[0]: f for f in meta.get("files") or []}
        new = {f[0]: f for f in files}
        added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
        changed = sorted(p for p in set(old) & set(new) if old[p] != new[p])
        log.info("cache %s is stale (%d files added, %d removed, %d changed, e.g. %s); parsing again",
                 path, len(added), len(removed), len(changed), (added + removed + changed)[:1])
        return None
    try:
        table = parquet.read()
        articles = _to_pandas(table)
    except Exception as exc:
        log.warning("cache file %s is unreadable (%s: %s); parsing the inputs again", path, type(exc).__name__, exc)
        return None
    return articles, meta["report"], meta.get("attrs") or {}


def _to_pandas(table: Any) -> pd.DataFrame:
    import pyarrow as pa

    # Arrow hands list columns back as numpy arrays; readers produce Python lists. Convert them
    # apart (flattened values sliced by offsets: 20x faster than ListArray.to_pylist).
    names = table.column_names
    lists = [i for i, f in enumerate(table.schema) if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    articles = table.drop_columns([names[i] for i in lists]).to_pandas() if lists else table.to_pandas()
    articles.attrs.clear()  # the report travels in our own metadata, not pandas' attrs
    for i in lists:
        column = table.column(i).combine_chunks()
        values = column.flatten().to_pylist()
        offsets = column.offsets.to_pylist()
        valid = column.is_valid().to_pylist()
        # A row without a list was NaN in the table that was written (pandas' missing value in
        # object columns built from records); Arrow has null.
        gc_was_on = gc.isenabled()
        gc.disable()  # thousands of new lists would trigger full collections over a large heap
        try:
            cells = [values[offsets[j]:offsets[j + 1]] if valid[j] else float("nan") for j in range(len(column))]
        finally:
            if gc_was_on:
                gc.enable()
        articles.insert(i, names[i], pd.Series(cells, index=articles.index, dtype=object))
    return articles


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_cache(path: Path, key: str, files: list[list], articles: pd.DataFrame, report: dict) -> bool:
    """Write ``articles`` and ``report`` to ``path`` atomically; ``False`` (logged) on failure.

    A cache that cannot be written (a read-only folder, a column Arrow cannot store) never fails
    the load: the articles are still returned, only uncached.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    bare = articles.copy(deep=False)
    bare.attrs = {}
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(bare, preserve_index=False)
        attrs = {k: v for k, v in articles.attrs.items() if k != "load_report"}
        meta = {"format": _FORMAT, "key": key, "files": files, "report": report, "attrs": attrs}
        encoded = json.dumps(meta, default=str, ensure_ascii=False).encode("utf-8")
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META_KEY: encoded})
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp's 0600 would hide a shared cache folder
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except Exception as exc:  # the cache is an optimisation: a failure to write must not fail the load
        log.warning("could not write the cache file %s (%s: %s); the articles are returned uncached",
                    path, type(exc).__name__, exc)
        return False
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    log.info("wrote %d articles to the cache %s", len(articles), path)
    return True


def clear_cache(cache: bool | str | os.PathLike = True) -> int:
    """Delete the cache files in a cache folder (default: the one ``cache=True`` uses).

    Only files ending in ``.toolkit-cache.parquet`` are removed. Returns how many.

    Examples
    --------
    >>> from toolkit.load.cache import clear_cache
    >>> clear_cache("/nonexistent-folder")
    0
    """
    directory = cache_dir(cache)
    if directory is None or not directory.is_dir():
        return 0
    n = 0
    for path in directory.glob(f"*{CACHE_SUFFIX}"):
        try:
            path.unlink()
            n += 1
        except OSError as exc:
            log.warning("could not delete %s: %s", path, exc)
    return n


__all__ = ["CACHE_ENV", "CACHE_SUFFIX", "cache_dir", "cache_key", "clear_cache", "default_cache_dir",
           "fingerprint", "read_cache", "write_cache"]
