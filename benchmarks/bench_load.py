"""Benchmark loading: MB/s and peak RSS of ``load_corpus`` / ``load_to_parquet`` against plain pandas.

Builds a corpus from the real corpora in ``../shared/corpora`` (BBC, ReCOVery and Reuters-21578
articles, replicated with distinct ids, shifted dates and a distinct closing sentence so that
the copies are not duplicates) and writes it as Parquet, CSV and JSON Lines of ``--mb`` MB each
into a temporary folder. Then, each in its own subprocess (a cold start, peak RSS its own):

* ``ours``: ``load_corpus(file)`` (reading, column mapping, date parsing, normalisation, exact
  duplicate flags: a validated articles table);
* ``pandas``: ``pd.read_parquet`` / ``pd.read_csv`` / ``pd.read_json(lines=True, chunksize=10_000)``
  concatenated (a raw table: no dates parsed, no ids, no checks), what a notebook user writes;
* with ``--big-gb G``: a JSON Lines file of G GB streamed to Parquet by ``load_to_parquet`` and by
  pandas (``read_json(lines=True, chunksize=...)`` chunks appended with a ``pyarrow`` writer);
  the file is deleted afterwards;
* with ``--small-files N``: a folder of N small ``.txt`` files (~1-2 KB each) loaded by
  ``load_corpus`` and by a plain ``open().read()`` loop into a DataFrame.

Figures: wall seconds (median of ``--repeat``), MB/s of file size, peak RSS (whole process) and
peak RSS above the imports. The 1-minute load average is printed beside each figure (the machine
may be shared).

    .venv/bin/python benchmarks/bench_load.py [--mb 100] [--repeat 3] [--big-gb 0]
        [--small-files 0] [--formats parquet,csv,jsonl] [--corpora PATH] [--tmp DIR] [--json FILE]
    .venv/bin/python benchmarks/bench_load.py --corpus /tmp/toolkit-bench/100MB/corpus.parquet [--repeat 3]

``--corpus PATH`` times ``load_corpus`` (``duplicates="exact"`` and ``"none"``) and, for a Parquet
file, ``pd.read_parquet`` on an existing corpus instead (e.g. build_corpus.py's), with CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
SOURCES = ("bbc", "recovery-covid-news", "reuters21578")

# One measured run: prints {"seconds", "peak", "base", "rows"} as JSON.
_RUN = textwrap.dedent("""
    def hwm():
        # VmHWM: peak RSS of this program (ru_maxrss would carry the parent's peak over exec)
        for line in open('/proc/self/status'):
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    import json, resource, sys, time
    import pandas as pd, pyarrow, pyarrow.parquet as pq
    kind, what, src, out = sys.argv[1:5]
    duplicates = sys.argv[5] if len(sys.argv) > 5 else "exact"

    def cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    if kind == "ours":
        import toolkit.dedup, toolkit.normalize
        from toolkit.load.core import load_corpus, load_to_parquet
    base = hwm()
    t, c = time.perf_counter(), cpu()
    if kind == "ours" and what == "stream":
        rows = load_to_parquet(src, out).n_articles
    elif kind == "ours":
        rows = len(load_corpus(src, progress=False, duplicates=duplicates))
    elif what == "parquet":
        rows = len(pd.read_parquet(src))
    elif what == "csv":
        rows = len(pd.read_csv(src))
    elif what == "jsonl":
        rows = len(pd.concat(pd.read_json(src, lines=True, chunksize=10_000), ignore_index=True))
    elif what == "stream":
        writer, rows = None, 0
        for chunk in pd.read_json(src, lines=True, chunksize=10_000):
            table = pyarrow.Table.from_pandas(chunk.astype(str), preserve_index=False)
            writer = writer or pq.ParquetWriter(out, table.schema)
            writer.write_table(table)
            rows += len(chunk)
        writer.close()
    elif what == "files":
        from pathlib import Path
        records = []
        for p in sorted(Path(src).rglob("*.txt")):
            title, _, text = p.read_text(encoding="utf-8").partition("\\n")
            records.append({"path": str(p), "title": title, "text": text.strip()})
        rows = len(pd.DataFrame(records))
    seconds, cpu_seconds = time.perf_counter() - t, cpu() - c
    peak = hwm()
    print(json.dumps({"seconds": seconds, "cpu": cpu_seconds, "peak": peak, "base": base, "rows": rows}))
""")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def loadavg() -> float:
    return os.getloadavg()[0]


def build_table(corpora: Path):
    import pandas as pd

    from toolkit import load_corpus

    parts = []
    for name in SOURCES:
        folder = corpora / name
        if folder.is_dir():
            log(f"reading {folder}")
            parts.append(load_corpus(folder, progress=False, duplicates="none")[
                ["doc_id", "outlet", "published", "title", "text", "byline", "url"]])
    if not parts:
        raise SystemExit(f"no corpora found under {corpora}; pass --corpora PATH")
    table = pd.concat(parts, ignore_index=True)
    table = table[table["text"].notna()].reset_index(drop=True)
    table.attrs = {}
    return table


def replicate(table, mb: float):
    import pandas as pd

    size = (table["text"].str.len().sum() + table["title"].fillna("").str.len().sum()) / 1e6
    copies = []
    total, k = 0.0, 0
    while total < mb * 0.8:  # text is ~80% of the file; the rest is ids, dates, urls, syntax
        copy = table.copy()
        copy["doc_id"] = copy["doc_id"] + f"-{k}"
        copy["published"] = (copy["published"] + pd.Timedelta(days=k)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        copy["text"] = copy["text"] + f" Copy {k}."
        copies.append(copy)
        total += size
        k += 1
    out = pd.concat(copies, ignore_index=True).rename(columns={"doc_id": "id"})
    return out


def write_formats(table, folder: Path, formats: list[str]) -> dict[str, Path]:
    paths = {}
    for fmt in formats:
        path = folder / f"corpus.{fmt}"
        log(f"writing {path}")
        if fmt == "parquet":
            table.to_parquet(path, index=False)
        elif fmt == "csv":
            table.to_csv(path, index=False)
        else:
            table.to_json(path, orient="records", lines=True, force_ascii=False)
        paths[fmt] = path
    return paths


def write_big_jsonl(table, path: Path, gb: float) -> None:
    import pandas as pd

    target = gb * 1e9
    k = 0
    with open(path, "w", encoding="utf-8") as handle:
        while handle.tell() < target:
            copy = table.copy()
            copy["id"] = copy["id"] + f"-big{k}"
            copy["text"] = copy["text"] + f" Big copy {k}."
            handle.write(copy.to_json(orient="records", lines=True, force_ascii=False))
            if not handle.tell():
                break
            k += 1
    del pd


def write_small_files(folder: Path, table, n: int) -> None:
    texts = table["text"].tolist()
    titles = table["title"].fillna("").tolist()
    for i in range(n):
        sub = folder / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        j = i % len(texts)
        body = texts[j][: 1000 + (i * 37) % 1000]
        (sub / f"{i:06d}.txt").write_text(f"{titles[j]}\n\n{body} (item {i})\n", encoding="utf-8")


def run(script: Path, kind: str, what: str, src: Path, out: Path, duplicates: str = "exact") -> dict:
    done = subprocess.run([sys.executable, str(script), kind, what, str(src), str(out), duplicates],
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode:
        raise RuntimeError(f"{kind} {what} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = loadavg()
    if out.exists():
        out.unlink()
    return figures


def measure(script: Path, cases: list[tuple], repeat: int, work: Path) -> list[dict]:
    """Each case ``(label, kind, what, src[, duplicates])`` ``repeat`` times, the cases interleaved."""
    rows = []
    runs_of: dict[str, list[dict]] = {case[0]: [] for case in cases}
    for i in range(repeat):
        for label, kind, what, src, *dup in cases:
            log(f"{label}: run {i + 1}/{repeat} (load {loadavg():.1f})")
            runs_of[label].append(run(script, kind, what, src, work / "out.parquet", *dup))
    for label, _kind, _what, src, *_ in cases:
        runs = runs_of[label]
        size = (sum(f.stat().st_size for f in src.rglob("*") if f.is_file()) if src.is_dir()
                else src.stat().st_size)
        seconds = statistics.median(r["seconds"] for r in runs)
        rows.append({"case": label, "mb": size / 1e6, "rows": runs[0]["rows"], "seconds": seconds,
                     "cpu": statistics.median(r["cpu"] for r in runs),
                     "min": min(r["seconds"] for r in runs), "max": max(r["seconds"] for r in runs),
                     "mb_s": size / 1e6 / seconds, "peak_mib": max(r["peak"] for r in runs) / 2**20,
                     "above_imports_mib": max(r["peak"] - r["base"] for r in runs) / 2**20,
                     "load": statistics.median(r["load"] for r in runs)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="parquet,csv,jsonl")
    parser.add_argument("--big-gb", type=float, default=0)
    parser.add_argument("--small-files", type=int, default=0)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the generated files")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="an existing corpus (file or folder, e.g. build_corpus.py's corpus.parquet or "
                             "jsonl/): load_corpus with duplicates='exact' and 'none' (and pd.read_parquet "
                             "for a Parquet file), nothing generated")
    args = parser.parse_args(argv)
    if args.corpus is not None:
        return _existing_corpus(args)
    if not args.corpora.is_dir():
        print(f"corpora not found at {args.corpora} (../shared/corpora beside the repository); "
              "pass --corpora PATH", file=sys.stderr)
        return 2
    formats = [f for f in args.formats.split(",") if f]
    work = Path(tempfile.mkdtemp(prefix="bench_load.", dir=args.tmp))
    try:
        script = work / "run.py"
        script.write_text(_RUN)
        base = build_table(args.corpora)
        table = replicate(base, args.mb) if formats or args.big_gb else None
        cases = []
        if formats:
            paths = write_formats(table, work, formats)
            for fmt, path in paths.items():
                cases += [(f"{fmt} ours", "ours", fmt, path), (f"{fmt} pandas", "pandas", fmt, path)]
        results = measure(script, cases, args.repeat, work)
        if args.small_files:
            folder = work / "small"
            log(f"writing {args.small_files} small files")
            write_small_files(folder, base, args.small_files)
            results += measure(script, [(f"{args.small_files} files ours", "ours", "files", folder),
                                        (f"{args.small_files} files plain", "pandas", "files", folder)],
                               1, work)
            shutil.rmtree(folder)
        if args.big_gb:
            big = work / "big.jsonl"
            log(f"writing {big} ({args.big_gb} GB)")
            write_big_jsonl(table, big, args.big_gb)
            results += measure(script, [("big jsonl -> parquet ours", "ours", "stream", big),
                                        ("big jsonl -> parquet pandas", "pandas", "stream", big)], 1, work)
            big.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _print_table(results)
    by = {r["case"]: r for r in results}
    for fmt in formats:
        ours, plain = by.get(f"{fmt} ours"), by.get(f"{fmt} pandas")
        if ours and plain:
            print(f"{fmt}: ours/pandas seconds {ours['seconds'] / plain['seconds']:.2f}, "
                  f"peak RSS {ours['peak_mib'] / plain['peak_mib']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def _print_table(results: list[dict]) -> None:
    import pandas as pd
    import pyarrow

    print(f"# bench_load: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, pandas {pd.__version__}, pyarrow {pyarrow.__version__}")
    print("| case | MB | rows | s (median) | min-max | CPU s (median) | MB/s | peak RSS MiB | above imports MiB "
          "| load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['case']} | {r['mb']:.0f} | {r['rows']:,} | {r['seconds']:.2f} | {r['min']:.2f}-{r['max']:.2f} "
              f"| {r['cpu']:.2f} | {r['mb_s']:.1f} | {r['peak_mib']:.0f} | {r['above_imports_mib']:.0f} "
              f"| {r['load']:.1f} |")


def _existing_corpus(args: argparse.Namespace) -> int:
    """``--corpus``: time load_corpus on a corpus that already exists (no generated files).

    The measured run imports pandas, pyarrow and the loader first (not timed), as
    bench_pipeline.py does; CPU seconds (user + sys, every thread) are less affected than wall
    seconds when the machine is shared."""
    src = args.corpus
    if not src.exists():
        print(f"--corpus {src}: not found (build it with benchmarks/build_corpus.py)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench_load.", dir=args.tmp))
    try:
        script = work / "run.py"
        script.write_text(_RUN)
        what = src.suffix.lstrip(".") if src.is_file() else "folder"
        cases: list[tuple] = [(f"{src.name} ours exact", "ours", what, src, "exact"),
                              (f"{src.name} ours none", "ours", what, src, "none")]
        if what == "parquet":
            cases.append((f"{src.name} pandas", "pandas", what, src))
        results = measure(script, cases, args.repeat, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
