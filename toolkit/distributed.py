"""The toolkit's corpus-level steps on Dask, for corpora that outgrow one machine.

The public functions accept a Dask DataFrame wherever they accept an articles table, and
:func:`toolkit.load_corpus` takes ``engine="dask"``; the work then runs partition by partition
on whatever Dask scheduler is active (a ``dask.distributed.Client`` pointed at a cluster, or
Dask's local threads without one). Each partition is handled by the ordinary pandas function,
so the two paths share one implementation; what is added here is the partitioning and the
combination of the partial results:

======================  ==========================================  ======================
step                    what runs on the workers                    comes back as
======================  ==========================================  ======================
``load_corpus``         reading, parsing, normalising a group of    Dask DataFrame (lazy)
                        files; content hashes for the exact-
                        duplicate check (shuffled on the hash)
``tokenize``            per partition                               Dask DataFrame
``match_topics``        per partition                               Dask DataFrame
``term_frequencies``    per-partition counts, tree-reduced          pandas DataFrame
``top_terms``           as term_frequencies, then ranked            pandas DataFrame
``attention``           per-partition counts on the global period   pandas DataFrame
                        grid, tree-reduced
``keyness``             term counts of target and reference per     pandas DataFrame
                        partition, tree-reduced
======================  ==========================================  ======================

Results are those of the pandas path on the same data (``tests/test_distributed.py`` compares
them). Importing this module does not import Dask: the dispatch decorator
:func:`supports_dask` recognises a Dask collection by the module of its type, and Dask is
imported only when one is passed.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import tempfile
import types
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError, SchemaError, one_of

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

#: Default bytes of input files per partition of ``load_corpus(..., engine="dask")``.
PARTITION_SIZE = 64 * 2**20
#: Partial results combined per step of the tree reductions.
SPLIT_EVERY = 8
_SIDECAR = "corpus.yaml"  # toolkit.load.core.SIDECAR


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------


def is_dask(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection, decided without importing Dask.

    Examples
    --------
    >>> import pandas as pd
    >>> is_dask(pd.DataFrame())
    False
    """
    module = type(obj).__module__ or ""
    return module.partition(".")[0] in ("dask", "dask_expr")


def _dask_args(args: tuple, kwargs: dict) -> bool:
    return any(is_dask(a) for a in args) or any(is_dask(v) for v in kwargs.values())


def supports_dask(func: F) -> F:
    """Let a public function take a Dask DataFrame (or ``engine="dask"`` for ``load_corpus``).

    Without a Dask argument the function runs exactly as written. With one, the call goes to
    this module's implementation of the same name, which calls ``func`` per partition.
    """
    name = func.__name__
    takes_engine = name in _ENGINE_FUNCTIONS

    def dispatch(args: tuple, kwargs: dict) -> Any:
        if takes_engine:
            engine = kwargs.pop("engine", "pandas")
            if engine not in ("pandas", "dask"):
                raise ParameterError("engine", engine, one_of(["pandas", "dask"]),
                                     hint="engine='dask' returns a Dask DataFrame read partition by partition.")
            if engine == "dask":
                return _IMPLEMENTATIONS[name](*args, **kwargs)
        if _dask_args(args, kwargs):
            impl = _IMPLEMENTATIONS.get(name)
            if impl is None:  # pragma: no cover - a decorator placed on an unsupported function
                raise SchemaError(f"{name}() has no Dask implementation; pass a pandas DataFrame "
                                  "(e.g. ddf.compute()) or use a supported function.")
            return impl(*args, **kwargs)
        return func(*args, **kwargs)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return dispatch(args, kwargs)

    # The wrapper takes the decorated function's module globals (its body uses only the closure),
    # so that doctest and other tools still see the function as defined in its own module and
    # keep running its docstring examples.
    wrapper = types.FunctionType(wrapper.__code__, func.__globals__, func.__name__, None,
                                 wrapper.__closure__)
    functools.update_wrapper(wrapper, func)
    if takes_engine:
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        extra = inspect.Parameter("engine", inspect.Parameter.KEYWORD_ONLY, default="pandas",
                                  annotation="Literal['pandas', 'dask']")
        at = next((i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD), len(params))
        params.insert(at, extra)
        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _pandas(module: str, name: str) -> Callable[..., Any]:
    """The pandas implementation (the decorated public function passes pandas input through)."""
    import importlib

    return getattr(importlib.import_module(module), name)


def _meta_of(func: Callable[[pd.DataFrame], pd.DataFrame], ddf: Any) -> pd.DataFrame:
    """Output schema of ``func`` per partition, from Dask's empty partition (also checks the options)."""
    return func(ddf._meta).iloc[:0]


def _no_string_conversion() -> Any:
    """Keep pandas' own ``str`` dtype: Dask would otherwise turn text columns into ``string[pyarrow]``
    (missing values ``<NA>`` instead of NaN), and the results would differ from the pandas path's."""
    import dask

    return dask.config.set({"dataframe.convert-string": False})


def _unknown_categories(meta: pd.DataFrame) -> pd.DataFrame:
    """Mark categorical columns of a partition schema as having unknown categories."""
    from dask.dataframe.utils import clear_known_categories

    return clear_known_categories(meta)


# ---------------------------------------------------------------------------------------------
# load_corpus(..., engine="dask")
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """One partition of the input: files of one source read together."""

    index: int
    source: str  # the folder as given (for source_path), or "" for explicit files
    root: str  # the folder's absolute path, resolved on the client (workers may have another cwd)
    files: tuple[str, ...]  # absolute paths (explicit files) or paths relative to the folder
    sidecars: tuple[str, ...] = field(default=())  # relative paths of every corpus.yaml under the folder
    given: tuple[str, ...] = field(default=())  # explicit files: the paths as given, for source_path


def _listing(root: Path) -> tuple[list[tuple[str, int]], list[str]]:
    """Files under ``root`` as ``(relative posix path, size)`` in load_corpus' walk order, and
    the relative paths of every ``corpus.yaml`` among them.

    The walk is :func:`toolkit.load.core._walk` itself (sorted, hidden folders and link loops
    passed over), so that partitions hold the files in the order the pandas path reads them.
    """
    from toolkit.load.core import SIDECAR, _walk

    files: list[tuple[str, int]] = []
    sidecars: list[str] = []
    root_text = os.fspath(root).rstrip(os.sep) + os.sep
    for path in _walk(root, []):
        text = os.fspath(path)
        rel = (text[len(root_text):].replace(os.sep, "/") if text.startswith(root_text)
               else path.relative_to(root).as_posix())
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if path.name == SIDECAR:
            sidecars.append(rel)
        files.append((rel, size))
    return files, sidecars


def _chunks(sources: Sequence[str | os.PathLike], partition_size: int) -> list[_Chunk]:
    """Group the input files into partitions of about ``partition_size`` bytes, in file order."""
    chunks: list[_Chunk] = []
    loose: list[str] = []
    loose_given: list[str] = []
    loose_bytes = 0

    def flush_loose() -> None:
        nonlocal loose, loose_given, loose_bytes
        if loose:
            chunks.append(_Chunk(len(chunks), "", "", tuple(loose), given=tuple(loose_given)))
        loose, loose_given, loose_bytes = [], [], 0

    for src in sources:
        root = Path(src)
        if root.is_file():
            loose.append(str(root.resolve()))
            loose_given.append(str(root))
            loose_bytes += root.stat().st_size
            if loose_bytes >= partition_size:
                flush_loose()
            continue
        flush_loose()
        if not root.exists():
            from toolkit.errors import LoadError

            raise LoadError(root, "does not exist (check the path)")
        files, sidecars = _listing(root)
        current: list[str] = []
        size = 0
        for rel, n_bytes in files:
            if rel.rpartition("/")[2] == _SIDECAR:
                continue
            current.append(rel)
            size += n_bytes
            if size >= partition_size:
                chunks.append(_Chunk(len(chunks), str(root), str(root.resolve()), tuple(current), tuple(sidecars)))
                current, size = [], 0
        if current or not files:
            chunks.append(_Chunk(len(chunks), str(root), str(root.resolve()), tuple(current), tuple(sidecars)))
    flush_loose()
    return chunks


def _read_chunk(chunk: _Chunk, options: dict[str, Any]) -> pd.DataFrame:
    """Load one partition's files with the pandas ``load_corpus`` (no duplicate check).

    Files of a folder are read through a mirror folder of links with the same name and layout,
    so that doc_ids, ``corpus.yaml`` metadata and ``source_path`` are those of a whole-folder load.
    """
    load_corpus = _pandas("toolkit.load.core", "load_corpus")
    if not chunk.source:
        out = load_corpus(list(chunk.files), **options)
        if len(out) and "source_path" in out.columns:
            given = dict(zip(chunk.files, chunk.given, strict=True))
            out["source_path"] = pd.Series([given.get(p, p) for p in out["source_path"].astype(object)],
                                           index=out.index, dtype=out["source_path"].dtype)
        out.attrs = {}
        return out
    root = Path(chunk.root)
    with tempfile.TemporaryDirectory(prefix="toolkit-dask-") as tmp:
        mirror = Path(tmp) / root.name
        mirror.mkdir()
        for rel in (*chunk.sidecars, *chunk.files):
            link = mirror / rel
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                os.symlink(root / rel, link)
        out = load_corpus(mirror, **options)
    if len(out) and "source_path" in out.columns:
        given = str(Path(chunk.source)) + os.sep
        mirrored = str(mirror) + os.sep
        paths = out["source_path"].astype(object)
        out["source_path"] = pd.Series(
            [given + p[len(mirrored):] if isinstance(p, str) and p.startswith(mirrored) else p for p in paths],
            index=out.index, dtype=out["source_path"].dtype,
        )
    out.attrs = {}
    return out


def _with_order(frame: pd.DataFrame, index: int) -> pd.DataFrame:
    """Add ``_order``: the row's position in the whole table (partition, then row)."""
    out = frame.copy()
    out["_order"] = (np.int64(index) << np.int64(32)) + np.arange(len(frame), dtype=np.int64)
    return out


def _on_worker(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``func(*args, **kwargs)`` as a partition task: its freed memory is returned afterwards.

    Without this, after a few partitions a worker held about 150 MiB more than it used, which
    Dask counts as unmanaged memory: a worker with a limit near its needs paused for good
    (pausing waits for memory that was never going to be returned).
    """
    from toolkit._memory import release_memory

    try:
        return func(*args, **kwargs)
    finally:
        release_memory()


def _read_ordered(chunk: _Chunk, *, options: dict[str, Any]) -> pd.DataFrame:
    return _with_order(_read_chunk(chunk, options), chunk.index)


#: The rows of the exact-duplicate pass: what each article contributes to the shuffle.
_KEYED = pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "_order": pd.Series([], dtype=np.int64),
                       "_k1": pd.Series([], dtype=np.int64), "_k2": pd.Series([], dtype=np.int64),
                       "_time": pd.Series([], dtype=np.int64), "_undated": pd.Series([], dtype=bool)})
#: A clustered row: its cluster's first row, its original's doc_id, whether it is a copy.
_CLUSTERED = pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "_order": pd.Series([], dtype=np.int64),
                           "_first": pd.Series([], dtype=np.int64), "dup_of": pd.Series([], dtype="str"),
                           "is_duplicate": pd.Series([], dtype=bool), "_part": pd.Series([], dtype=np.int64)})


def _content_key(frame: pd.DataFrame) -> pd.DataFrame:
    """Per article with text: doc_id, table order, publication time and the 16-byte digest of
    the normalised text as two integers (the pandas path's keys: :func:`toolkit.dedup.match_keys`,
    :func:`toolkit.dedup.key_digests`). Empty texts are never duplicates and are left out."""
    from toolkit.dedup import _times_us, key_digests, match_keys

    digests = key_digests(match_keys(frame, ("text",))) if len(frame) else np.array([], dtype="S16")
    keep = np.flatnonzero(digests != b"")
    pairs = np.frombuffer(digests[keep].astype("S16").tobytes(), dtype="<i8").reshape(-1, 2)
    if "published" in frame.columns and len(frame):
        times, dated = _times_us(frame["published"])
    else:
        times, dated = np.zeros(len(frame), np.int64), np.zeros(len(frame), bool)
    return pd.DataFrame({
        "doc_id": frame["doc_id"].astype("str").to_numpy()[keep],
        "_order": frame["_order"].to_numpy(np.int64)[keep],
        "_k1": pairs[:, 0].copy(), "_k2": pairs[:, 1].copy(),
        "_time": times[keep], "_undated": ~dated[keep],
    }).astype(_KEYED.dtypes.to_dict())


def _cluster_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of exact-duplicate clusters in one shuffled partition (a cluster's rows share a
    digest, so they meet in one partition), as :func:`toolkit.dedup.flag_duplicates` flags them:
    the earliest member (dated first, then by time, ties by table order) is the original, every
    other member a duplicate of it. ``_first`` (the cluster's first row in table order) numbers
    the clusters later; ``_part`` is the article partition each row goes back to."""
    shared = frame[frame.duplicated(["_k1", "_k2"], keep=False)]
    if shared.empty:
        return _CLUSTERED.copy()
    c = shared.sort_values(["_k1", "_k2", "_undated", "_time", "_order"], kind="stable")
    groups = c.groupby(["_k1", "_k2"], sort=False)
    original = groups["doc_id"].transform("first").astype(object).to_numpy()
    doc_id = c["doc_id"].astype(object).to_numpy()
    is_dup = original != doc_id
    order = c["_order"].to_numpy(np.int64)
    return pd.DataFrame({
        "doc_id": c["doc_id"].to_numpy(),
        "_order": order,
        "_first": groups["_order"].transform("min").to_numpy(np.int64),
        "dup_of": pd.Series(np.where(is_dup, original, None), dtype="str").to_numpy(),
        "is_duplicate": is_dup.astype(bool),
        "_part": order >> np.int64(32),
    }).astype(_CLUSTERED.dtypes.to_dict())


def _cluster_firsts(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["_order"] == frame["_first"], ["_first"]]


def _apply_flags(frame: pd.DataFrame, clustered: pd.DataFrame, firsts: np.ndarray) -> pd.DataFrame:
    """Add dup_group / dup_of / is_duplicate to one article partition from the clustered rows
    moved to it. Clusters are numbered 1, 2, ... by the table order of their first row
    (``firsts``: every cluster's first row, sorted), as on the pandas path."""
    n = len(frame)
    out = frame.copy()
    group = np.zeros(n, dtype=np.int64)
    dup_of = np.full(n, None, dtype=object)
    is_dup = np.zeros(n, dtype=bool)
    hit = np.zeros(n, dtype=bool)
    if len(clustered):
        rows = clustered["_order"].to_numpy(np.int64) & np.int64(0xFFFFFFFF)
        if rows.max() >= n or (frame["doc_id"].astype(object).to_numpy()[rows]
                               != clustered["doc_id"].astype(object).to_numpy()).any():
            raise SchemaError("load_corpus(engine='dask'): a partition's files read differently the "
                              "second time (were they changed while loading?); load the corpus again.")
        hit[rows] = True
        group[rows] = np.searchsorted(firsts, clustered["_first"].to_numpy(np.int64)) + 1
        dup_of[rows] = clustered["dup_of"].astype(object).where(clustered["dup_of"].notna(), None).to_numpy()
        is_dup[rows] = clustered["is_duplicate"].to_numpy(bool)
    out["dup_group"] = pd.array(np.where(hit, group, 0), dtype="Int64")
    out.loc[~hit, "dup_group"] = pd.NA
    out["dup_of"] = pd.Series(dup_of, index=out.index, dtype="str")
    out["is_duplicate"] = is_dup
    return out


def _schema(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"column": pd.Series(list(map(str, frame.columns)), dtype=object),
                         "dtype": pd.Series([str(t) for t in frame.dtypes], dtype=object),
                         "rows": pd.Series([len(frame)] * frame.shape[1], dtype=np.int64)})


def _unified_meta(schemas: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """One schema for every partition: the article columns, then extra columns in first-seen order.

    An extra column whose partitions disagree on its type (numbers in one file, text in
    another) becomes text.
    """
    meta = {c: base[c] for c in base.columns}
    schemas = schemas[schemas["rows"] > 0]
    n_parts = int((schemas["column"] == "doc_id").sum())
    for column, dtypes in schemas.groupby("column", sort=False)["dtype"]:
        if column in meta or column == "_order":
            continue
        kinds = set(dtypes)
        dtype = kinds.pop() if len(kinds) == 1 else "str"
        if len(dtypes) < n_parts and pd.api.types.is_integer_dtype(dtype) and dtype not in ("Int64", "Int32"):
            dtype = "float64"  # as pandas: whole numbers with gaps (files without the column) are floats
        meta[column] = pd.Series([], dtype=dtype)
    return pd.DataFrame(meta)


def _conform(frame: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Give a loaded partition the unified columns and dtypes."""
    out = {}
    n = len(frame)
    for column in meta.columns:
        dtype = meta[column].dtype
        if column in frame.columns:
            values = frame[column]
            if values.dtype != dtype:
                try:
                    values = values.astype(dtype)
                except (TypeError, ValueError):
                    values = values.astype(object).where(values.notna(), None).astype("str")
            out[column] = values.reset_index(drop=True)
        else:
            out[column] = pd.Series([None] * n, dtype=dtype) if str(dtype) != "bool" else pd.Series([False] * n)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _load_partition(chunk: _Chunk, *, options: dict[str, Any], schema: pd.DataFrame) -> pd.DataFrame:
    return _conform(_read_chunk(chunk, options), schema)


def load_corpus(
    source: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    duplicates: Literal["exact", "none"] = "exact",
    partition_size: int | str = PARTITION_SIZE,
    cache: bool | str | os.PathLike = False,
    **options: Any,
) -> Any:
    """Load a corpus as a Dask DataFrame of articles, partition by partition.

    Called as ``toolkit.load_corpus(source, engine="dask", ...)``. The input files (a folder,
    a list of files or folders, e.g. the part files of a partitioned Parquet corpus) are split
    into groups of about ``partition_size`` bytes, in the order the pandas path reads them; each
    group is one partition, read by the pandas :func:`toolkit.load_corpus` on a worker.

    Parameters
    ----------
    source
        As :func:`toolkit.load_corpus`. Workers must see the same paths (a shared file system).
    duplicates
        ``"exact"`` (default): flag exact duplicates over the whole corpus as the pandas path
        does (same ``dup_group``/``dup_of``/``is_duplicate``). A hash of every article's
        normalised text is computed on the workers and shuffled on that hash, so copies in
        different partitions meet; the flags of duplicate rows are moved to their articles'
        partitions and kept on the workers (about 60 bytes per duplicate row); the client
        receives one number per cluster. This reads the corpus once at load time. ``"none"``: no check, no columns, no pass.
        ``"near"`` (MinHash) is not available on Dask.
    partition_size
        Bytes of input files per partition: an int or a string such as ``"64MB"``. A single
        file is never split.
    cache
        Not available on Dask (write the result with ``ddf.to_parquet`` instead).
    **options
        The other options of :func:`toolkit.load_corpus` (``format``, ``columns``, ``outlet``,
        ``tz``, ``normalize``, ``errors``, ...), applied on the workers.

    Returns
    -------
    dask.dataframe.DataFrame
        The articles table with the columns and dtypes of the pandas path. Differences: the
        index is a per-partition ``RangeIndex``; there is no load report
        (``attrs`` do not travel with partitions); an extra column whose files disagree on its
        type becomes text; two different files with the same folder and name under two
        sources, or the same file reached through two sources, are told apart or dropped
        only within a partition.

    Examples
    --------
    >>> import toolkit as tk
    >>> ddf = tk.load_corpus("corpus/", engine="dask", partition_size="128MB")  # doctest: +SKIP
    >>> ddf = ddf.persist()  # doctest: +SKIP
    """
    import dask
    import dask.dataframe as dd
    from dask.utils import parse_bytes

    if duplicates not in ("exact", "none"):
        raise ParameterError("duplicates", duplicates, one_of(["exact", "none"]),
                             hint="engine='dask' flags exact duplicates only; for near duplicates run "
                                  "toolkit.flag_duplicates on a pandas table (e.g. per outlet or month).")
    if cache:
        raise ParameterError("cache", cache, "False with engine='dask'",
                             hint="Keep a loaded Dask corpus with ddf.to_parquet(folder) and read it with "
                                  "dask.dataframe.read_parquet(folder).")
    size = parse_bytes(partition_size) if isinstance(partition_size, str) else partition_size
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ParameterError("partition_size", partition_size, "a positive number of bytes or a string like '64MB'")
    options = {k: v for k, v in options.items() if k != "progress"}
    options.update(duplicates="none", progress=False)
    sources = [source] if isinstance(source, str | os.PathLike) else list(source)
    if not sources:
        raise ParameterError("source", source, "a file or folder path, or a non-empty list of them")
    # Fail on bad options here, on the client, rather than in every task.
    _pandas("toolkit.load.core", "load_corpus")
    chunks = _chunks(sources, int(size))

    from toolkit.schema import empty_articles

    loaded = dd.from_map(functools.partial(_on_worker, _read_ordered, options=options), chunks,
                         meta=_with_order(empty_articles(), 0), enforce_metadata=False,
                         label="toolkit-load")
    schemas = loaded.map_partitions(_schema, meta=_schema(empty_articles()), enforce_metadata=False)
    if duplicates == "none":
        (schema_table,) = dask.compute(schemas)
        meta = _unified_meta(schema_table, empty_articles())
        log.info("load_corpus(engine='dask'): %d partitions from %d sources", len(chunks), len(sources))
        read = functools.partial(_on_worker, _load_partition, options=options, schema=meta)
        return dd.from_map(read, chunks, meta=meta, enforce_metadata=False, label="toolkit-articles")

    # Exact duplicates. Each article contributes a small row (doc_id, order, time, digest); the
    # rows are shuffled on the digest so that copies meet, and each shuffled partition flags its
    # clusters. The flagged rows are then moved to the partitions of their articles and kept on
    # the workers: nothing proportional to the corpus (nor to its duplicates) reaches the client
    # or the task graph, only each cluster's first row (8 bytes a cluster) to number them.
    keyed = loaded.map_partitions(functools.partial(_on_worker, _content_key), meta=_KEYED,
                                  enforce_metadata=False)
    # The task-based shuffle: the keyed rows are small, and unlike the P2P shuffle it does not
    # log a warning on the scheduler for every shuffle.
    shuffled = keyed.shuffle(on="_k1", npartitions=max(1, min(len(chunks), 64)), shuffle_method="tasks")
    clustered = shuffled.map_partitions(_cluster_rows, meta=_CLUSTERED, enforce_metadata=False)
    # One pass over the files for both the schemas and the clusters.
    schemas, clustered = dask.persist(schemas, clustered)
    firsts_part = clustered.map_partitions(_cluster_firsts, meta=_CLUSTERED[["_first"]], enforce_metadata=False)
    schema_table, firsts_table = dask.compute(schemas, firsts_part)
    firsts = np.sort(firsts_table["_first"].to_numpy(np.int64))
    n = len(chunks)
    aligned = clustered.set_index("_part", divisions=[*range(n), n - 1] if n > 1 else [0, 0],
                                  shuffle_method="tasks").persist()
    del clustered, schemas
    meta = _unified_meta(schema_table, empty_articles())
    log.info("load_corpus(engine='dask'): %d partitions from %d sources; %d exact-duplicate clusters",
             n, len(sources), len(firsts))
    read = functools.partial(_on_worker, _load_partition, options=options, schema=meta)
    articles = dd.from_map(read, chunks, meta=meta, enforce_metadata=False, label="toolkit-articles")
    flagged = meta.assign(dup_group=pd.array([], dtype="Int64"), dup_of=pd.Series([], dtype="str"),
                          is_duplicate=pd.Series([], dtype=bool))
    return dd.map_partitions(_apply_flags, articles, aligned, dask.delayed(firsts, pure=True), meta=flagged,
                             enforce_metadata=False, align_dataframes=False)


# ---------------------------------------------------------------------------------------------
# Per-partition steps whose results stay distributed
# ---------------------------------------------------------------------------------------------


def tokenize(articles: Any, **options: Any) -> Any:
    """:func:`toolkit.tokenize` per partition; a Dask tokens table.

    ``doc_id`` is categorical per partition (categories unknown to Dask until computed);
    computing it concatenates the categories.
    """
    func = functools.partial(_on_worker, _pandas("toolkit.text", "tokenize"), **{**options, "progress": False})
    meta = _unknown_categories(_meta_of(func, articles))
    return articles.map_partitions(func, meta=meta, enforce_metadata=False)


def match_topics(articles: Any, topics: Any, **options: Any) -> Any:
    """:func:`toolkit.match_topics` per partition; a Dask table of match rows.

    The dictionary is read once on the client and sent to the workers as a table.
    """
    table = _pandas("toolkit.topics", "load_topics")(topics) if not isinstance(topics, pd.DataFrame) else topics
    func = functools.partial(_on_worker, _pandas("toolkit.topics", "match_topics"), topics=table, **options)
    return articles.map_partitions(func, meta=_meta_of(func, articles), enforce_metadata=False)


# ---------------------------------------------------------------------------------------------
# Counts: per-partition partial tables, tree-reduced, small results as pandas
# ---------------------------------------------------------------------------------------------


def _tree_sum(partials: Any, keys: list[str], values: list[str]) -> pd.DataFrame:
    """Sum ``values`` over equal ``keys`` across partitions by a tree reduction; a pandas table."""
    if not keys:
        return partials[values].sum(split_every=SPLIT_EVERY).compute().to_frame().T.reset_index(drop=True)
    grouped = partials.groupby(keys, dropna=False, sort=False, observed=True)
    out = grouped[values].sum(split_every=SPLIT_EVERY).compute()
    return out.reset_index()


def _check_tokens(articles: Any, tokens: Any) -> None:
    if tokens is None:
        return
    if not is_dask(tokens):
        raise ParameterError("tokens", type(tokens).__name__,
                             "None or a Dask tokens table from toolkit.tokenize(articles) on the same Dask articles",
                             hint="Leave tokens=None: each partition is then tokenized where it lies.")
    if tokens.npartitions != articles.npartitions:
        raise ParameterError("tokens", f"<{tokens.npartitions} partitions>",
                             f"a tokens table with the articles' {articles.npartitions} partitions",
                             hint="Make it with toolkit.tokenize(articles) on the same Dask articles.")


def _partition_counts(articles: pd.DataFrame, tokens: pd.DataFrame | None = None, *, keys: list[str],
                      options: dict[str, Any]) -> pd.DataFrame:
    """One partition's term counts per group, without share (which needs the group totals)."""
    term_frequencies = _pandas("toolkit.stats", "term_frequencies")
    out = term_frequencies(articles, tokens=tokens, **options, min_n=1)
    return out.drop(columns=["share"])


def term_frequencies(
    articles: Any,
    *,
    by: str | Sequence[str] | None = None,
    freq: str | None = None,
    tokens: Any = None,
    lower: bool = True,
    stopwords: bool | str | Collection[str] = True,
    fields: Sequence[str] = ("title", "text"),
    min_n: int = 1,
    words: str = "toolkit",
) -> pd.DataFrame:
    """:func:`toolkit.term_frequencies` of a Dask articles table; a pandas counts table.

    Each partition's counts per (group, term) are summed across partitions in a tree; ``n``
    and ``docfreq`` add up because every article lies in one partition. ``share`` and
    ``min_n`` are applied to the sums.
    """
    _check_tokens(articles, tokens)
    options = {"by": by, "freq": freq, "lower": lower, "stopwords": stopwords, "fields": fields, "words": words}
    # On the empty partition schema: checks the options on the client and gives the output schema.
    probe = _meta_of(functools.partial(_pandas("toolkit.stats", "term_frequencies"), **options, min_n=min_n),
                     articles)
    keys = [c for c in probe.columns if c not in ("term", "n", "docfreq", "share")]
    func = functools.partial(_on_worker, _partition_counts, keys=keys, options=options)
    meta = probe.drop(columns=["share"]).iloc[:0]
    if tokens is None:
        partials = articles.map_partitions(func, meta=meta, enforce_metadata=False)
    else:
        import dask.dataframe as dd

        partials = dd.map_partitions(func, articles, tokens, meta=meta, enforce_metadata=False,
                                     align_dataframes=False)
    summed = _tree_sum(partials, [*keys, "term"], ["n", "docfreq"])
    return _finish_counts(summed, probe, keys, min_n)


def _finish_counts(summed: pd.DataFrame, probe: pd.DataFrame, keys: list[str], min_n: int) -> pd.DataFrame:
    """share, min_n and the pandas path's order (group ascending, missing last; n desc; term)."""
    if summed.empty:
        return probe.iloc[:0].reset_index(drop=True)
    for column in [*keys, "term"]:
        summed[column] = summed[column].astype(probe[column].dtype)
    summed["n"] = summed["n"].astype(np.int64)
    summed["docfreq"] = summed["docfreq"].astype(np.int64)
    if keys:
        totals = summed.groupby(keys, dropna=False, sort=False, observed=True)["n"].transform("sum")
    else:
        totals = pd.Series(summed["n"].sum(), index=summed.index)
    summed["share"] = (summed["n"] / totals.to_numpy()).astype(np.float64)
    summed = summed[summed["n"] >= min_n]
    order_cols = [*keys, "n", "term"]
    summed = summed.sort_values(order_cols, ascending=[True] * len(keys) + [False, True],
                                na_position="last", kind="stable")
    return summed[list(probe.columns)].reset_index(drop=True)


def top_terms(articles: Any, *, n: int = 20, by: str | Sequence[str] | None = None,
              freq: str | None = None, **options: Any) -> pd.DataFrame:
    """:func:`toolkit.top_terms` of a Dask articles table; a pandas table."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError("n", n, "an integer >= 1", hint="n=20 keeps the 20 most frequent terms per group.")
    counts = term_frequencies(articles, by=by, freq=freq, **options)
    keys = [c for c in counts.columns if c not in ("term", "n", "docfreq", "share")]
    if keys:
        rank = counts.groupby(keys, dropna=False, sort=False, observed=True).cumcount() + 1
    else:
        rank = pd.Series(np.arange(1, len(counts) + 1), index=counts.index)
    out = counts[rank.to_numpy() <= n].reset_index(drop=True)
    out.insert(len(out.columns) - 4, "rank", rank[rank <= n].to_numpy().astype(np.int64))
    return out


# ---------------------------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------------------------


def _with_part(frame: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
    number = 0 if partition_info is None else partition_info["number"]
    return pd.DataFrame({"doc_id": frame["doc_id"].astype("str").to_numpy(),
                         "_part": np.full(len(frame), number, dtype=np.int64)})


def _aligned_pairs(articles: Any, matches: Any) -> Any:
    """(doc_id, topic) pairs of ``matches`` in the partition of their article, one per article partition."""
    pairs = matches[["doc_id", "topic"]].dropna()
    pairs = pairs.assign(doc_id=pairs["doc_id"].astype("str"))
    located = articles[["doc_id"]].map_partitions(
        _with_part, meta=pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "_part": pd.Series([], dtype=np.int64)}))
    joined = pairs.merge(located, on="doc_id", how="inner")
    n = articles.npartitions
    divisions = [*range(n), n - 1] if n > 1 else [0, 0]
    return joined.set_index("_part", divisions=divisions, shuffle_method="tasks")


def _partition_attention(articles: pd.DataFrame, pairs: pd.DataFrame | None = None, *,
                         matches: pd.DataFrame | None = None, options: dict[str, Any]) -> pd.DataFrame:
    attention = _pandas("toolkit.coverage", "attention")
    if pairs is None:
        assert matches is not None
        pairs = matches[matches["doc_id"].isin(articles["doc_id"])]
    pairs = pairs.reset_index(drop=True)[["doc_id", "topic"]]
    out = attention(articles, pairs, **options)
    return out.drop(columns=["share", "ci_low", "ci_high"])


def attention(
    articles: Any,
    matches: Any,
    *,
    freq: str = "W",
    by: str | None = None,
    start: Any = None,
    end: Any = None,
    topics: Sequence[str] | None = None,
    dedupe: bool | Literal["both"] = False,
) -> pd.DataFrame:
    """:func:`toolkit.attention` of a Dask articles table; a pandas timeline table.

    ``matches`` is a pandas table or a Dask one (such as ``match_topics`` returns for Dask
    articles); a Dask one is reduced to its (doc_id, topic) pairs and moved to the partitions
    of their articles. Each partition then counts on the corpus-wide period grid (``start``
    and ``end`` default to the first and last publication dates of the whole corpus) and the
    counts are summed in a tree.
    """
    import dask.dataframe as dd

    from toolkit.coverage import wilson_interval

    if isinstance(topics, str):
        topics = [topics]
    if not (is_dask(matches) or isinstance(matches, pd.DataFrame)) or not {"doc_id", "topic"} <= set(matches.columns):
        raise SchemaError("matches must be a table with doc_id and topic columns, such as "
                          "toolkit.match_topics returns.")
    # One pass for what the grid needs: the topics, and the first and last dates of the corpus.
    wanted: dict[str, Any] = {}
    if is_dask(matches):
        wanted["topics"] = matches["topic"].dropna().unique()
    if start is None or end is None:
        wanted["lo"], wanted["hi"] = articles["published"].min(), articles["published"].max()
    found = dict(zip(wanted, dd.compute(*wanted.values()), strict=True))
    if is_dask(matches):
        seen_topics = pd.Series(found["topics"]).tolist()
    else:
        seen_topics = pd.unique(matches["topic"].dropna()).tolist()
    listed = list(dict.fromkeys(topics or []))
    others = [t for t in dict.fromkeys(seen_topics) if t not in set(listed)]
    try:
        others = sorted(others)
    except TypeError:
        pass
    all_topics = listed + others
    if start is None and pd.notna(found.get("lo", pd.NaT)):
        start = found["lo"]
    if end is None and pd.notna(found.get("hi", pd.NaT)):
        end = found["hi"]
    options = {"freq": freq, "by": by, "start": start, "end": end, "topics": all_topics, "dedupe": dedupe}
    probe = _pandas("toolkit.coverage", "attention")(
        articles._meta, pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "topic": pd.Series([], dtype="str")}),
        **options)
    meta = probe.drop(columns=["share", "ci_low", "ci_high"]).iloc[:0]
    if is_dask(matches):
        pairs = _aligned_pairs(articles, matches)
        func = functools.partial(_on_worker, _partition_attention, options=options)
        partials = dd.map_partitions(func, articles, pairs, meta=meta, enforce_metadata=False,
                                     align_dataframes=False)
    else:
        func = functools.partial(_on_worker, _partition_attention, matches=matches[["doc_id", "topic"]].dropna(),
                                 options=options)
        partials = articles.map_partitions(func, meta=meta, enforce_metadata=False)
    keys = [c for c in meta.columns if c not in ("n_matching", "n_total")]
    out = _tree_sum(partials, keys, ["n_matching", "n_total"])
    for column in meta.columns:
        out[column] = out[column].astype(probe[column].dtype)
    # The pandas path's order: period, group (sorted, missing last), variant, topic order.
    rank = {t: i for i, t in enumerate(all_topics)}
    out["_topic"] = out["topic"].map(rank)
    order = ["period", *([by] if by else []), *(["variant"] if "variant" in out else []), "_topic"]
    if "variant" in out:
        out["_variant"] = (out["variant"] == "deduplicated").astype(int)
        order[order.index("variant")] = "_variant"
    out = out.sort_values(order, na_position="last", kind="stable").drop(
        columns=[c for c in ("_topic", "_variant") if c in out]).reset_index(drop=True)
    k = out["n_matching"].to_numpy("int64")
    n = out["n_total"].to_numpy("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(k, n)
    return out[list(probe.columns)]


# ---------------------------------------------------------------------------------------------
# keyness
# ---------------------------------------------------------------------------------------------


def _side(frame: pd.DataFrame, *, by: str, target: list, reference: list | None) -> pd.DataFrame:
    values = frame[by]
    side = pd.Series(pd.NA, index=frame.index, dtype="str")
    in_target = values.isin(target).to_numpy()
    in_reference = ~in_target if reference is None else values.isin(reference).to_numpy()
    side[in_reference] = "reference"
    side[in_target] = "target"
    out = frame.assign(_side=side)
    return out[out["_side"].notna()]


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def keyness_counts(
    articles: Any,
    *,
    target: object,
    reference: object = None,
    by: str = "outlet",
    stopwords: bool | str | Collection[str] = True,
    lower: bool = True,
    fields: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    """The inputs of keyness for a Dask articles table: each term's counts in target and reference.

    ``target`` and ``reference`` are values (or lists of values) of the ``by`` column;
    ``reference=None`` is every other article. Returns a pandas table ``term``, ``n_target``,
    ``n_reference`` (sorted by term) whose ``attrs`` hold ``total_target`` and
    ``total_reference`` (all counted words of each side).

    Examples
    --------
    >>> counts = keyness_counts(ddf, target="Daily Meridian")  # doctest: +SKIP
    """
    if by not in articles.columns:
        raise ParameterError("by", by, f"a column of articles: {list(map(str, articles.columns))}")
    for name, value in (("target", target), ("reference", reference)):
        if isinstance(value, pd.Series | np.ndarray) or is_dask(value):
            raise ParameterError(name, type(value).__name__, f"a value or list of values of the {by!r} column",
                                 hint="Boolean masks are not available on Dask; add a column and select by it.")
    targets = _as_list(target)
    references = None if reference is None else _as_list(reference)
    if references is not None and set(targets) & set(references):
        raise ParameterError("reference", reference, "articles that are not in the target",
                             hint="Target and reference must not overlap; leave reference=None for 'all the rest'.")
    sided = articles.map_partitions(_side, by=by, target=targets, reference=references,
                                    meta=articles._meta.assign(_side=pd.Series([], dtype="str")))
    counts = term_frequencies(sided, by="_side", stopwords=stopwords, lower=lower, fields=fields)
    wide = counts.pivot_table(index="term", columns="_side", values="n", aggfunc="sum", fill_value=0,
                              observed=True)
    out = pd.DataFrame({"term": pd.Series(wide.index.to_numpy(), dtype="str")})
    for side in ("target", "reference"):
        out[f"n_{side}"] = wide[side].to_numpy(np.int64) if side in wide.columns else np.zeros(len(out), np.int64)
    out = out.sort_values("term").reset_index(drop=True)
    out.attrs = {"total_target": int(out["n_target"].sum()), "total_reference": int(out["n_reference"].sum())}
    return out


def keyness(
    articles: Any,
    *,
    target: object,
    reference: object = None,
    by: str = "outlet",
    measure: str = "g2",
    williams: bool = False,
    yates: bool = True,
    min_count: int = 5,
    stopwords: bool | str | Collection[str] = True,
    lower: bool = True,
    n: int | None = None,
    tokens: Any = None,
    fields: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    """:func:`toolkit.keyness` of a Dask articles table (target/reference as ``by`` values).

    The term counts come from :func:`keyness_counts`; the statistics are
    :func:`toolkit.words.keyness_statistics`, as on the pandas path.
    """
    from toolkit.words import _keyness_rows

    if tokens is not None:
        raise ParameterError("tokens", "<tokens>", "None with Dask articles",
                             hint="Each partition is tokenized where it lies.")
    if measure not in ("g2", "chi2", "log_ratio"):
        raise ParameterError("measure", measure, one_of(["g2", "chi2", "log_ratio"]))
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ParameterError("min_count", min_count, "an integer >= 1")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ParameterError("n", n, "None or an integer >= 1")
    counts = keyness_counts(articles, target=target, reference=reference, by=by, stopwords=stopwords,
                            lower=lower, fields=fields)
    total_t, total_r = counts.attrs["total_target"], counts.attrs["total_reference"]
    if total_t == 0:
        raise ParameterError("target", target, "articles with at least one counted word")
    if total_r == 0:
        raise ParameterError("reference", reference, "articles with at least one counted word")
    counts = counts[counts["n_target"] + counts["n_reference"] >= min_count].reset_index(drop=True)
    return _keyness_rows(lambda order: counts["term"].iloc[order], counts["n_target"].to_numpy(np.int64),
                         counts["n_reference"].to_numpy(np.int64), total_t, total_r, measure=measure,
                         williams=williams, yates=yates, n=n)


# ---------------------------------------------------------------------------------------------

#: Functions that take ``engine=`` (their input is a path, not a table).
_ENGINE_FUNCTIONS = frozenset({"load_corpus"})


def _plain_strings(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _no_string_conversion():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    name: _plain_strings(func) for name, func in {
        "load_corpus": load_corpus,
        "tokenize": tokenize,
        "match_topics": match_topics,
        "term_frequencies": term_frequencies,
        "top_terms": top_terms,
        "attention": attention,
        "keyness": keyness,
    }.items()
}

__all__ = ["PARTITION_SIZE", "attention", "is_dask", "keyness", "keyness_counts", "load_corpus",
           "match_topics", "supports_dask", "term_frequencies", "tokenize", "top_terms"]
