"""Build 10 MB, 100 MB and 1 GB benchmark corpora from the real corpora in ``../shared/corpora``.

The articles of Reuters-21578 (bodies only: items without a body are left out) and ReCOVery
(and, with ``--sources``, BBC) are loaded with ``toolkit.load_corpus`` once, then replicated
until the corpus holds the requested size, measured as UTF-8 bytes of title + text:

- replica ``r`` gets distinct doc_ids (``<doc_id>-r<r>``) and its dates moved ``r`` x 364 days
  back (52 whole weeks, so weekdays, and the shape of the time series, stay as they were; the
  replicas tile the calendar backwards, like an archive that goes further back);
- outlets, titles and texts are kept; the last replica is a seeded random subset of the
  articles, so the size is met to within one article and the build is deterministic;
- ``--sources bbc`` adds BBC's articles (undated; outlet "BBC").

Each corpus is written to ``<out>/<size>/``:

- ``corpus.parquet``: one Parquet file, row groups of about 64 MB of text;
- ``parquet/part-NNNNN.parquet``: the same rows in files of about 64 MB of text (a partitioned
  corpus for Dask or ``load_corpus`` on the folder);
- ``jsonl/part-NNNNN.jsonl``: the same rows as JSON Lines files of about 64 MB (a folder of files
  ``load_corpus`` reads; ``doc_id`` is kept as the record id);
- ``text.txt``: title and text of every article, concatenated (title, newline, text, blank line),
  for the ``tr | mawk`` baseline;
- ``manifest.json``: sizes, counts and parameters, written last: a folder with a manifest that
  matches the parameters is complete and is not built again.

``--out`` defaults to ``$TOOLKIT_BENCH_DIR`` or ``<tmp>/toolkit-bench``; a folder inside the
repository is refused (the texts are third-party: they never go into the repository). Usage::

    .venv/bin/python benchmarks/build_corpus.py --size 10MB,100MB,1GB [--out DIR]

From Python (e.g. another benchmark): ``build_corpus.ensure_corpus("100MB")`` returns the folder.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
SOURCES = {"reuters": "reuters21578", "recovery": "recovery-covid-news", "bbc": "bbc"}
DEFAULT_SOURCES = ("reuters", "recovery")
COLUMNS = ("doc_id", "outlet", "published", "title", "text", "byline", "dateline", "lang")
PART_BYTES = 64_000_000  # text bytes per Parquet row group / file, per JSON Lines file
SHIFT_DAYS = 364  # 52 weeks: a replica's dates fall on the same weekdays
SEED = 20261129
FORMAT_VERSION = 1  # bump when the layout or the replication rule changes: forces a rebuild
UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}

log = logging.getLogger("build_corpus")


def parse_size(text: str) -> int:
    """``"10MB"`` -> 10_000_000 (decimal units, like MB/s)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?B)\s*", text.upper())
    if not match:
        raise ValueError(f"size {text!r}: expected a number and a unit, e.g. 10MB, 100MB, 1GB, 500KB")
    return int(float(match.group(1)) * UNITS[match.group(2)])


def size_label(n_bytes: int) -> str:
    """10_000_000 -> ``"10MB"``; the folder name of a corpus."""
    for unit in ("GB", "MB", "KB"):
        if n_bytes % UNITS[unit] == 0:
            return f"{n_bytes // UNITS[unit]}{unit}"
    return f"{n_bytes}B"


def default_out() -> Path:
    return Path(os.environ.get("TOOLKIT_BENCH_DIR") or Path(tempfile.gettempdir()) / "toolkit-bench")


def check_out(out: Path) -> Path:
    out = out.expanduser().resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit(f"build_corpus: --out {out} is inside the repository {REPO}; the corpora "
                         "are third-party texts and must stay outside it (default: "
                         "$TOOLKIT_BENCH_DIR or /tmp/toolkit-bench).")
    return out


# ---------------------------------------------------------------------------------------------
# The base articles
# ---------------------------------------------------------------------------------------------


def load_base(corpora: Path, sources: tuple[str, ...], cache_dir: Path) -> Any:
    """The articles of the sources, loaded with toolkit.load_corpus, as a pyarrow Table.

    Cached in ``cache_dir`` as Parquet (loading Reuters takes several seconds), keyed by the
    sources and FORMAT_VERSION.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    cache = cache_dir / f"_base-{'-'.join(sources)}-v{FORMAT_VERSION}.parquet"
    if cache.is_file():
        return small_strings(pq.read_table(cache))
    missing = [str(corpora / SOURCES[s]) for s in sources if not (corpora / SOURCES[s]).is_dir()]
    if missing:
        raise SystemExit(f"build_corpus: corpus folder(s) not found: {', '.join(missing)}. The "
                         "benchmark corpora are built from ../shared/corpora next to the repository; "
                         "pass --corpora PATH if it is elsewhere.")
    import toolkit as tk

    frames = []
    for source in sources:
        start = time.perf_counter()
        articles = tk.load_corpus(corpora / SOURCES[source], duplicates="none", progress=False)
        if source == "bbc":
            articles = articles.assign(outlet="BBC")
        # Reuters' BRIEF and UNPROC items have no body: "bodies" only.
        articles = articles[articles["text"].fillna("").str.strip() != ""]
        for column in COLUMNS:
            if column not in articles:
                articles = articles.assign(**{column: pd.Series(pd.NA, index=articles.index, dtype="str")})
        frames.append(articles[list(COLUMNS)])
        log.info("loaded %s: %d articles in %.1f s", source, len(articles), time.perf_counter() - start)
    base = pd.concat(frames, ignore_index=True)
    table = pa.Table.from_pandas(base, preserve_index=False)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    pq.write_table(table, tmp)
    tmp.replace(cache)
    return small_strings(table)


def small_strings(table: Any) -> Any:
    """Large strings (pandas' default) as plain strings, which the compute kernels here expect."""
    import pyarrow as pa

    fields = [pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
              for f in table.schema]
    return table.cast(pa.schema(fields))


def text_sizes(table: Any) -> Any:
    """UTF-8 bytes of title + text per row (missing counts as 0), as a numpy array."""
    import numpy as np
    import pyarrow.compute as pc

    def nbytes(column: str) -> Any:
        return pc.fill_null(pc.binary_length(table[column]), 0).to_numpy(zero_copy_only=False)

    return np.asarray(nbytes("title"), dtype=np.int64) + np.asarray(nbytes("text"), dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# Replication
# ---------------------------------------------------------------------------------------------


def replica(base: Any, r: int, rows: Any = None) -> Any:
    """Replica ``r`` of the base table (or of its ``rows``): new doc_ids, dates 364*r days back."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = base if rows is None else base.take(pa.array(rows))
    doc_id = pc.binary_join_element_wise(table["doc_id"], pa.scalar(f"r{r:03d}"), "-")
    published = table["published"]
    if r:
        published = pc.subtract(published, pa.scalar(r * SHIFT_DAYS * 86_400 * 10**6,
                                                      type=pa.duration("us")))
    table = table.set_column(table.schema.get_field_index("doc_id"), "doc_id", doc_id)
    return table.set_column(table.schema.get_field_index("published"), "published",
                            published.cast(base.schema.field("published").type))


def replicate(base: Any, target: int, seed: int = SEED) -> Any:
    """Whole replicas of ``base``, then a seeded random subset, until ``target`` text bytes."""
    import numpy as np
    import pyarrow as pa

    sizes = text_sizes(base)
    per_replica = int(sizes.sum())
    n_full, rest = divmod(target, per_replica)
    tables = [replica(base, r) for r in range(n_full)]
    if rest:
        order = np.random.default_rng(seed).permutation(len(sizes))
        # The fewest articles (in random order) whose bytes reach the rest; kept in table order.
        n = int(np.searchsorted(np.cumsum(sizes[order]), rest)) + 1
        tables.append(replica(base, n_full, np.sort(order[:n])))
    return pa.concat_tables(tables)


def byte_slices(sizes: Any, part_bytes: int) -> list[tuple[int, int]]:
    """(start, stop) row ranges holding about ``part_bytes`` of text each."""
    import numpy as np

    ends = np.cumsum(sizes)
    slices, start = [], 0
    while start < len(sizes):
        already = ends[start - 1] if start else 0
        stop = int(np.searchsorted(ends, already + part_bytes, side="left")) + 1
        stop = min(max(stop, start + 1), len(sizes))
        slices.append((start, stop))
        start = stop
    return slices


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_text(table: Any, path: Path) -> None:
    """Title, newline, text, blank line, for every article (missing -> empty)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    with open(path, "wb") as f:
        for batch in table.select(["title", "text"]).to_batches(max_chunksize=20_000):
            title = pc.fill_null(batch.column(0), "")
            text = pc.fill_null(batch.column(1), "")
            joined = pc.binary_join_element_wise(title, text, pa.scalar("\n"))
            f.write("\n\n".join(joined.to_pylist()).encode("utf-8"))
            f.write(b"\n\n")


def write_jsonl(table: Any, path: Path) -> None:
    frame = table.to_pandas()
    frame["published"] = frame["published"].map(lambda t: None if t is None or t != t else t.isoformat())
    frame.to_json(path, orient="records", lines=True, force_ascii=False)


def write_corpus(table: Any, folder: Path, *, part_bytes: int = PART_BYTES) -> dict:
    """Write the four layouts into ``folder`` (created fresh); return per-layout file counts."""
    import pyarrow.parquet as pq

    sizes = text_sizes(table)
    slices = byte_slices(sizes, part_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "parquet").mkdir()
    (folder / "jsonl").mkdir()
    rows_per_group = max(1, max(stop - start for start, stop in slices))
    pq.write_table(table, folder / "corpus.parquet", row_group_size=rows_per_group)
    for i, (start, stop) in enumerate(slices):
        part = table.slice(start, stop - start)
        pq.write_table(part, folder / "parquet" / f"part-{i:05d}.parquet")
        write_jsonl(part, folder / "jsonl" / f"part-{i:05d}.jsonl")
    write_text(table, folder / "text.txt")
    return {"parts": len(slices)}


def manifest_params(target: int, sources: tuple[str, ...], seed: int) -> dict:
    return {"format_version": FORMAT_VERSION, "target_bytes": target, "sources": list(sources),
            "seed": seed, "shift_days": SHIFT_DAYS, "part_bytes": PART_BYTES}


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def is_complete(folder: Path, params: dict) -> bool:
    manifest = read_manifest(folder)
    if not manifest or manifest.get("params") != params:
        return False
    files = ["corpus.parquet", "text.txt"] + [f"{kind}/part-{i:05d}.{kind}"
                                              for kind in ("parquet", "jsonl")
                                              for i in range(manifest["parts"])]
    return all((folder / f).is_file() for f in files)


def ensure_corpus(size: str | int, *, out: Path | None = None, corpora: Path = DEFAULT_CORPORA,
                  sources: tuple[str, ...] = DEFAULT_SOURCES, seed: int = SEED,
                  force: bool = False) -> Path:
    """Build the corpus of ``size`` (e.g. ``"100MB"``) unless it is there; return its folder."""
    target = parse_size(size) if isinstance(size, str) else int(size)
    out = check_out(out or default_out())
    params = manifest_params(target, tuple(sources), seed)
    folder = out / size_label(target)
    if not force and is_complete(folder, params):
        log.info("%s: complete, skipped", folder)
        return folder
    start = time.perf_counter()
    base = load_base(corpora, tuple(sources), out)
    table = replicate(base, target, seed)
    if folder.exists():
        shutil.rmtree(folder)
    tmp = folder.with_name(folder.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    counts = write_corpus(table, tmp)
    sizes = text_sizes(table)
    import pyarrow.compute as pc

    published = table["published"]
    manifest = {
        "params": params,
        "parts": counts["parts"],
        "n_articles": table.num_rows,
        "text_bytes": int(sizes.sum()),
        "n_base_articles": base.num_rows,
        "base_text_bytes": int(text_sizes(base).sum()),
        "n_outlets": len(pc.unique(table["outlet"].drop_null())),
        "first_published": str(pc.min(published)),
        "last_published": str(pc.max(published)),
        "build_seconds": round(time.perf_counter() - start, 1),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    tmp.replace(folder)
    log.info("%s: %d articles, %.1f MB in %.1f s", folder, manifest["n_articles"],
             manifest["text_bytes"] / 1e6, manifest["build_seconds"])
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10MB,100MB,1GB",
                        help="comma-separated sizes of title+text, e.g. 10MB,100MB,1GB (decimal units)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where the corpora go (default: $TOOLKIT_BENCH_DIR or <tmp>/toolkit-bench)")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="folder holding the source corpora (default: ../shared/corpora)")
    parser.add_argument("--sources", default=",".join(DEFAULT_SOURCES),
                        help=f"comma-separated subset of {','.join(SOURCES)} (default: reuters,recovery)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even when complete")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    sources = tuple(s.strip() for s in args.sources.split(",") if s.strip())
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown or not sources:
        parser.error(f"--sources {args.sources!r}: unknown {unknown}; choose from {', '.join(SOURCES)}")
    try:
        sizes = [parse_size(s) for s in args.size.split(",") if s.strip()]
    except ValueError as exc:
        parser.error(str(exc))
    for size in sizes:
        folder = ensure_corpus(size, out=args.out, corpora=args.corpora, sources=sources,
                               seed=args.seed, force=args.force)
        manifest = read_manifest(folder) or {}
        print(f"{folder}: {manifest.get('n_articles', 0):,} articles, "
              f"{manifest.get('text_bytes', 0) / 1e6:.1f} MB of title+text, "
              f"{manifest.get('parts')} part(s), {manifest.get('first_published')} -> "
              f"{manifest.get('last_published')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
