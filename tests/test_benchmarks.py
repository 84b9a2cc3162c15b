"""Smoke tests for benchmarks/build_corpus.py and benchmarks/bench_pipeline.py, so they cannot rot.

No timings are asserted: the benchmark scripts run end to end on a tiny corpus and their output
is checked for shape and for the cross-pipeline sanity figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

import build_corpus  # noqa: E402 - benchmarks/ is not a package


def base_table() -> pa.Table:
    published = pd.to_datetime(["2020-03-02", "2020-03-03", None], utc=True).as_unit("us")
    return pa.table({
        "doc_id": ["a", "b", "c"],
        "outlet": ["X", "Y", "X"],
        "published": pa.array(published),
        "title": ["Hé", None, "T"],
        "text": ["one two", "three", "four five six"],
    })


def test_parse_size_and_label():
    assert build_corpus.parse_size("10MB") == 10_000_000
    assert build_corpus.parse_size("1gb") == 1_000_000_000
    assert build_corpus.parse_size("1.5 KB") == 1500
    assert build_corpus.size_label(100_000_000) == "100MB"
    assert build_corpus.size_label(1_000_000_000) == "1GB"
    with pytest.raises(ValueError, match=r"size '10 parsecs'.*e\.g\. 10MB"):
        build_corpus.parse_size("10 parsecs")


def test_text_sizes_count_utf8_bytes_of_title_and_text():
    # "Hé" is 3 bytes; a missing title counts 0.
    assert build_corpus.text_sizes(base_table()).tolist() == [3 + 7, 5, 1 + 13]


def test_replicate_reaches_the_size_with_distinct_ids_and_shifted_dates():
    base = base_table()  # 29 bytes per replica
    table = build_corpus.replicate(base, 29 * 2 + 6, seed=1)
    assert table.num_rows >= 7
    assert build_corpus.text_sizes(table).sum() >= 29 * 2 + 6
    ids = table["doc_id"].to_pylist()
    assert len(set(ids)) == len(ids)
    assert ids[:3] == ["a-r000", "b-r000", "c-r000"] and ids[3] == "a-r001"
    published = table["published"].to_pandas()
    assert published[3] == published[0] - pd.Timedelta(days=364)  # 52 weeks: same weekday
    assert published[3].weekday() == published[0].weekday()
    assert table["outlet"].to_pylist()[:6] == ["X", "Y", "X"] * 2
    # Seeded: the same subset every time.
    again = build_corpus.replicate(base, 29 * 2 + 6, seed=1)
    assert again["doc_id"].to_pylist() == ids


def test_byte_slices_cover_every_row_once():
    import numpy as np

    sizes = np.array([5, 5, 5, 50, 1, 1])
    slices = build_corpus.byte_slices(sizes, 10)
    assert slices[0][0] == 0 and slices[-1][1] == len(sizes)
    assert all(a[1] == b[0] for a, b in zip(slices, slices[1:], strict=False))
    assert all(stop > start for start, stop in slices)


def test_out_inside_the_repository_is_refused():
    with pytest.raises(SystemExit, match="inside the repository"):
        build_corpus.check_out(REPO / "benchmarks" / "corpus")


def test_topic_patterns_follow_the_example_dictionary():
    import re

    import bench_pipeline

    patterns = bench_pipeline.topic_patterns()
    japan, exclude = patterns["Japan"]
    assert re.search(japan, "Prime Minister KISHIDA's visit") and not re.search(japan, "Japanology")
    assert exclude is not None and re.search(exclude, "Japan  Airlines cargo")
    assert patterns["South Korea"][1] is None


@pytest.mark.corpora
def test_build_and_bench_run_end_to_end(corpora, tmp_path):
    out = tmp_path / "bench"
    build = [sys.executable, str(BENCH / "build_corpus.py"), "--size", "1MB", "--out", str(out),
             "--corpora", str(corpora)]
    done = subprocess.run(build, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    folder = out / "1MB"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["text_bytes"] >= 1_000_000 and manifest["n_outlets"] > 1
    for name in ("corpus.parquet", "parquet/part-00000.parquet", "jsonl/part-00000.jsonl", "text.txt"):
        assert (folder / name).is_file(), name
    frame = pd.read_parquet(folder / "corpus.parquet")
    assert len(frame) == manifest["n_articles"] and frame["doc_id"].is_unique
    # The JSON Lines folder holds the same articles, readable by the toolkit's loader.
    import toolkit as tk

    loaded = tk.load_corpus(folder / "jsonl", duplicates="none", progress=False)
    assert len(loaded) == len(frame)
    assert sorted(loaded["title"].dropna()) == sorted(frame["title"].dropna())

    # Idempotent: a complete corpus is not built again.
    stamp = (folder / "corpus.parquet").stat().st_mtime_ns
    again = subprocess.run(build, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "skipped" in again.stderr
    assert (folder / "corpus.parquet").stat().st_mtime_ns == stamp

    raw = tmp_path / "raw.json"
    bench = [sys.executable, str(BENCH / "bench_pipeline.py"), "--sizes", "1MB", "--repeat", "1",
             "--nltk-sample", "0.2", "--out", str(out), "--corpora", str(corpora), "--json", str(raw)]
    done = subprocess.run(bench, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    text = done.stdout
    for needle in ("=== 1MB:", "MB/s end to end", "peak RSS MiB", "Sanity check", "nltk*",
                   "extrapolated", "=== Targets (issue 6)", "1-minute load average"):
        assert needle in text, needle
    runs = json.loads(raw.read_text())["1MB"]["runs"]
    ours, sklearn, c = runs["ours"][0], runs["sklearn"][0], runs["c"][0]
    # The pipelines count the same corpus: words agree within the tokenization differences.
    assert abs(sklearn["n_words"] - ours["n_words"]) / ours["n_words"] < 0.08
    assert abs(c["n_words"] - ours["n_words"]) / ours["n_words"] < 0.08
    assert ours["n_articles"] == sklearn["n_articles"] == manifest["n_articles"]
    assert ours["topic_pairs"] > 0 and sklearn["topic_pairs"] > 0


def test_bench_report_cpu_marked_copy_keeps_every_cell(tmp_path):
    """--cell-cpu runs a copy with one marker cell after each code cell; the rest is unchanged."""
    import bench_report
    import nbformat

    original = nbformat.read(REPO / "notebooks" / "coverage_report.ipynb", as_version=4)
    copy = nbformat.read(bench_report.cpu_marked_copy(tmp_path), as_version=4)
    marked = [c for c in copy.cells if bench_report._MARK_TAG in c.metadata.get("tags", [])]
    kept = [c for c in copy.cells if bench_report._MARK_TAG not in c.metadata.get("tags", [])]
    assert [(c.cell_type, c.source) for c in kept] == [(c.cell_type, c.source) for c in original.cells]
    assert len(marked) == sum(c.cell_type == "code" for c in original.cells) + 1  # + the printing cell
    for before, after in zip(copy.cells, copy.cells[1:], strict=False):
        if before.cell_type == "code" and bench_report._MARK_TAG not in before.metadata.get("tags", []):
            assert bench_report._MARK_TAG in after.metadata.get("tags", [])
    assert "_bench_cpu = []" in copy.cells[1].source  # right after the parameters cell
