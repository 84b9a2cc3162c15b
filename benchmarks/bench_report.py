"""Benchmark the full coverage report (``toolkit report coverage``) on 10k and 100k articles.

Builds realistic test corpora from ``../shared/corpora`` (Reuters-21578 bodies, the ReCOVery
multi-outlet COVID news and the BBC full-text set), replicated with distinct ``doc_id`` values and
dates shifted per replica, several outlets (Reuters, BBC and ReCOVery's 55 publishers), written as
one Parquet file per size to ``--out`` (default ``$TOOLKIT_BENCH_DIR`` or
``/tmp/toolkit-bench``; never inside the repository). Then runs :func:`toolkit.run_report` on
``notebooks/coverage_report.ipynb`` twice per size with the same, initially empty, load cache
(``$TOOLKIT_CACHE_DIR`` in a temporary folder): the first run parses the corpus (cold), the
second reads the load cache (warm). Usage::

    .venv/bin/python benchmarks/bench_report.py [--sizes 10k,100k] [--runs 2]
        [--topics bench|sample|PATH] [--freq W] [--out DIR] [--corpora PATH] [--json FILE] [--cell-cpu]

Printed per size and run, in seconds:

- ``load``: the notebook's loading cell (``load_corpus`` with ``cache=True``; cold on run 1,
  warm on run 2), from papermill's per-cell ``duration`` metadata;
- ``analysis``: the sum of every other cell's duration, and each cell (``--cells``, the ten
  slowest by default) with its first source line;
- ``notebook``: papermill's whole execution (kernel start, every cell, writing the notebook);
- ``export``: :func:`toolkit.export.export_html` (offline HTML);
- ``total``: ``run_report`` end to end (also manifest and renames);
- the HTML and notebook sizes in MB;
- with ``--cell-cpu``, each cell's CPU seconds too (user + system of the kernel and its child
  processes, which other load on a shared machine affects far less than wall time). The report
  then runs from a private copy of the notebook in a temporary folder with a small marker cell
  (``resource.getrusage``) after every code cell; the committed notebook is never changed.

The 1-minute load average is printed before and after each run (the machine is shared).

Topics: ``bench`` (default) is a 12-topic dictionary written for these corpora (oil, trade,
central banks, COVID-19, ...; 7-15 entries each, with phrases and globs), written to the output
folder; ``sample`` is ``data/topics/example.yaml`` (the demo topics: few hits here).

Corpus construction (deterministic): the pool is every Reuters document with a body, every
ReCOVery row and every BBC file. Reuters dates (1987) are moved by 33 years so that they fall in
2020 with ReCOVery's; BBC files (undated) get a seeded random date in 2020. Replica ``r`` (0, 1,
...) shifts every date by ``r * 26`` weeks and prefixes ``doc_id`` with ``r<r>-``; the size is
taken from the shuffled union of replicas (seed 6).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
KEEP = ["doc_id", "outlet", "published", "title", "text", "byline", "dateline", "lang", "section"]

BENCH_TOPICS = """\
# Topics for the report benchmark corpora (Reuters-21578 1987 wires, ReCOVery COVID news 2020, BBC 2004-5).
Oil:
  - oil
  - crude
  - OPEC
  - barrel*
  - petroleum
  - refinery
  - refineries
  - gasoline
Trade:
  - trade deficit
  - trade surplus
  - tariff*
  - import*
  - export*
  - protectionism
  - trade war
  - GATT
Central banks:
  - central bank*
  - Federal Reserve
  - Bundesbank
  - Bank of Japan
  - Bank of England
  - interest rate*
  - discount rate
  - money supply
Markets:
  - stock market*
  - shares
  - Wall Street
  - Dow Jones
  - bond*
  - dollar
  - yen
  - currency
Companies:
  - merger*
  - acquisition*
  - takeover*
  - stake
  - buyout
  - tender offer
COVID-19:
  - coronavirus
  - COVID-19
  - covid
  - pandemic
  - SARS-CoV-2
  - lockdown*
  - quarantine
  - social distancing
  - ventilator*
Vaccines:
  - vaccine*
  - vaccination*
  - immunity
  - clinical trial*
Health:
  - hospital*
  - WHO
  - World Health Organization
  - CDC
  - public health
  - patients
China:
  - China
  - Chinese
  - Beijing
  - Wuhan
  - Xi Jinping
United States politics:
  - Trump
  - White House
  - Congress
  - Senate
  - Democrats
  - Republicans
  - Reagan
Britain:
  - Britain
  - British
  - UK
  - London
  - Blair
  - Downing Street
  - Labour
  - Tories
Sport:
  - football
  - rugby
  - tennis
  - Olympic*
  - World Cup
  - championship*
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def loadavg() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def build_pool(corpora: Path, out: Path) -> pd.DataFrame:
    """Reuters + ReCOVery + BBC as one articles table (cached as ``pool.parquet``)."""
    target = out / "pool.parquet"
    if target.exists():
        return pd.read_parquet(target)
    import toolkit as tk

    parts = []
    log("building the pool: Reuters-21578 ...")
    reuters = tk.load_corpus(corpora / "reuters21578", progress=False)
    reuters = reuters[reuters["text"].str.len() > 0]
    reuters = reuters.assign(outlet="Reuters", published=reuters["published"] + pd.DateOffset(years=33))
    parts.append(reuters)
    log("... ReCOVery ...")
    recovery = tk.load_corpus(corpora / "recovery-covid-news", progress=False)
    parts.append(recovery)
    log("... BBC ...")
    bbc = tk.load_corpus(corpora / "bbc", progress=False)
    rng = np.random.default_rng(6)
    days = rng.integers(0, 366, len(bbc))
    dates = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(days, unit="D") + pd.Timedelta(hours=9)
    bbc = bbc.assign(outlet="BBC", published=pd.Series(dates, index=bbc.index).astype("datetime64[us, UTC]"))
    parts.append(bbc)
    pool = pd.concat([p[[c for c in KEEP if c in p.columns]] for p in parts], ignore_index=True)
    pool["published"] = pool["published"].astype("datetime64[us, UTC]")
    out.mkdir(parents=True, exist_ok=True)
    pool.to_parquet(target, index=False)
    return pool


def build_corpus(n: int, corpora: Path, out: Path) -> Path:
    """A Parquet corpus of ``n`` articles built from the pool (idempotent)."""
    target = out / f"corpus_{n}.parquet"
    if target.exists():
        return target
    pool = build_pool(corpora, out)
    replicas = -(-n // len(pool))
    frames = []
    for r in range(replicas):
        frames.append(
            pool.assign(
                doc_id="r" + str(r) + "-" + pool["doc_id"],
                published=pool["published"] + pd.Timedelta(weeks=26 * r),
            )
        )
    every = pd.concat(frames, ignore_index=True)
    order = np.random.default_rng(6).permutation(len(every))[:n]
    corpus = every.iloc[np.sort(order)].reset_index(drop=True)
    tmp = target.with_suffix(".tmp")
    corpus.to_parquet(tmp, index=False)
    tmp.rename(target)
    return target


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


_MARK_TAG = "bench-cpu-mark"
_MARK = ("import resource as _bench_r\n"
         "_bench_u, _bench_c = _bench_r.getrusage(_bench_r.RUSAGE_SELF), _bench_r.getrusage(_bench_r.RUSAGE_CHILDREN)\n"
         "_bench_cpu.append(_bench_u.ru_utime + _bench_u.ru_stime + _bench_c.ru_utime + _bench_c.ru_stime)")


def cpu_marked_copy(folder: Path) -> Path:
    """A copy of the coverage notebook with a CPU-time marker cell after every code cell."""
    import nbformat

    nb = nbformat.read(REPO / "notebooks" / "coverage_report.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        source = _MARK
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "_bench_cpu = []\n" + _MARK
        cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": [_MARK_TAG]}))
    cells.append(nbformat.v4.new_code_cell("print(_bench_cpu)", metadata={"tags": [_MARK_TAG, "bench-cpu-out"]}))
    nb.cells = cells
    target = folder / "coverage_report.ipynb"
    nbformat.write(nb, target)
    return target


def time_report(corpus: Path, topics: Path, freq: str, cache_dir: Path, out: Path, *, notebook: str | Path = "coverage") -> dict:
    """One run_report with its stages timed; returns the figures."""
    import nbformat

    import toolkit as tk
    import toolkit.export as export_mod
    import toolkit.report as report_mod

    times: dict[str, float] = {}
    real_execute, real_export = report_mod._execute, export_mod.export_html

    def timed_execute(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_execute(*args, **kwargs)
        finally:
            times["notebook"] = time.perf_counter() - t0

    def timed_export(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_export(*args, **kwargs)
        finally:
            times["export"] = time.perf_counter() - t0

    os.environ["TOOLKIT_CACHE_DIR"] = str(cache_dir)
    report_mod._execute, export_mod.export_html = timed_execute, timed_export
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        t0 = time.perf_counter()
        result = tk.run_report(
            notebook,
            parameters={"corpus": str(corpus), "topics": str(topics), "freq": freq},
            out=out,
            timeout=None,
        )
        times["total"] = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU of the kernel and the processes it started (all reaped by now): less sensitive
        # than wall time to other load on a shared machine.
        times["kernel_cpu"] = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    finally:
        report_mod._execute, export_mod.export_html = real_execute, real_export
    nb = nbformat.read(result.notebook, as_version=4)
    marks: list[float] = []
    for cell in nb.cells:
        if "bench-cpu-out" in cell.get("metadata", {}).get("tags", []):
            marks = json.loads(cell.outputs[0]["text"])
    cells = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("papermill", {})
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or meta.get("duration") is None or _MARK_TAG in tags:
            continue
        first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), "")
        cells.append({"source": first[:70], "seconds": float(meta["duration"]), "tags": list(tags),
                      "loads": "load_corpus(" in cell.source})
    if marks:
        # marks[0] follows the parameters cell; then one mark after each later code cell.
        timed = [c for c in cells if "parameters" not in c["tags"] and "injected-parameters" not in c["tags"]]
        for cell, (before, after) in zip(timed, zip(marks, marks[1:], strict=False), strict=False):
            cell["cpu"] = after - before
    load = [c for c in cells if c["loads"]]
    times["load"] = sum(c["seconds"] for c in load)
    times["analysis"] = sum(c["seconds"] for c in cells if c not in load)
    return {
        **times,
        "cells": cells,
        "html_mb": result.html.stat().st_size / 1e6,
        "ipynb_mb": result.notebook.stat().st_size / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="article counts, e.g. 10k,100k")
    parser.add_argument("--runs", type=int, default=2, help="runs per size on one cache (1st cold)")
    parser.add_argument("--topics", default="bench", help="bench, sample or a YAML path")
    parser.add_argument("--freq", default="W", choices=list("DWMQY"))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("TOOLKIT_BENCH_DIR", "/tmp/toolkit-bench")))
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--cells", type=int, default=10, help="slowest cells listed per run")
    parser.add_argument("--json", type=Path, default=None, help="also save every figure here")
    parser.add_argument("--cell-cpu", action="store_true",
                        help="also measure each cell's CPU time (runs a private, marked copy of the notebook)")
    args = parser.parse_args(argv)

    out = args.out.resolve()
    if out == REPO or REPO in out.parents:
        parser.error(f"--out {out} is inside the repository; pick a folder outside it")
    if not args.corpora.is_dir():
        print(f"corpora not found at {args.corpora} (use --corpora PATH)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    if args.topics == "bench":
        topics = out / "bench_topics.yaml"
        topics.write_text(BENCH_TOPICS, encoding="utf-8")
    elif args.topics == "sample":
        topics = REPO / "data" / "topics" / "example.yaml"
    else:
        topics = Path(args.topics).resolve()

    print(f"# bench_report  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  {platform.node()}  "
          f"{os.cpu_count()} cores  python {platform.python_version()}  pandas {version('pandas')}  "
          f"papermill {version('papermill')}  topics {topics.name}  freq {args.freq}")
    results = []
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        corpus = build_corpus(size, args.corpora, out)
        frame = pd.read_parquet(corpus, columns=["title", "text"])
        mb = (frame["title"].str.len().sum() + frame["text"].str.len().sum()) / 1e6
        del frame
        print(f"\n## {size:,} articles  {corpus}  ({corpus.stat().st_size / 1e6:.0f} MB Parquet, ~{mb:.0f} M chars)")
        with tempfile.TemporaryDirectory(prefix="toolkit-bench-cache-") as cache_dir:
            for run in range(1, args.runs + 1):
                before = loadavg()
                log(f"{size:,} articles, run {run} ...")
                with tempfile.TemporaryDirectory(prefix="toolkit-bench-nb-") as marked:
                    notebook = cpu_marked_copy(Path(marked)) if args.cell_cpu else "coverage"
                    figures = time_report(corpus, topics, args.freq, Path(cache_dir), out / f"reports_{size}",
                                          notebook=notebook)
                figures.update(size=size, run=run, load_before=before, load_after=loadavg())
                results.append(figures)
                cache = "cold" if run == 1 else "warm"
                print(f"run {run} ({cache} cache)  load {figures['load']:6.1f}  analysis {figures['analysis']:6.1f}  "
                      f"notebook {figures['notebook']:6.1f}  export {figures.get('export', float('nan')):5.1f}  "
                      f"total {figures['total']:6.1f} s  kernel CPU {figures['kernel_cpu']:6.1f} s  html {figures['html_mb']:.1f} MB  "
                      f"ipynb {figures['ipynb_mb']:.1f} MB  loadavg {before} -> {figures['load_after']}")
                for cell in sorted(figures["cells"], key=lambda c: -c["seconds"])[: args.cells]:
                    cpu = f"  cpu {cell['cpu']:6.2f}" if "cpu" in cell else ""
                    print(f"    {cell['seconds']:6.2f}{cpu}  {cell['source']}")
                sys.stdout.flush()
    print("\n| articles | run | cache | load | analysis | notebook | export | total | kernel CPU | HTML MB |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for f in results:
        print(f"| {f['size']:,} | {f['run']} | {'cold' if f['run'] == 1 else 'warm'} | {f['load']:.1f} | "
              f"{f['analysis']:.1f} | {f['notebook']:.1f} | {f.get('export', float('nan')):.1f} | "
              f"{f['total']:.1f} | {f['kernel_cpu']:.1f} | {f['html_mb']:.1f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
