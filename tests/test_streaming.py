"""Streaming loads: bounded memory for big files and big folders, the same results as the
in-memory path, and every record accounted for (issue 7, "Very large inputs" and "Accounting").

Memory is measured in a subprocess (``ru_maxrss`` after imports vs at the end) on generated
files of ~100 MB, so the figures are the loader's own and not pytest's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from conftest import CORPORA

import toolkit.load.tabular as tabular
from toolkit import load_corpus, load_report
from toolkit.errors import LoadError, ParameterError
from toolkit.load import registry
from toolkit.load.core import iter_corpus, load_to_parquet
from toolkit.load.registry import register_reader

ROOT = Path(__file__).resolve().parents[1]


def _folder(tmp_path: Path) -> Path:
    """Two sources with the same folder name, JSON Lines and CSV, duplicates across files,
    extra columns (numeric, text, mixed), bad lines and a file with no records."""
    for name in ("a", "b"):
        folder = tmp_path / name / "corpus"
        folder.mkdir(parents=True)
        lines = [
            {"id": "1", "title": "One", "text": "The same wire story.", "date": "2021-03-02", "score": "3"},
            {"id": "2", "title": "Two", "text": "Another story  here.", "date": "2021-03-01", "score": "4",
             "tags": ["x", "y"]},
            {"id": "3", "title": "Three", "text": "THE SAME   wire story.", "date": "2021-02-27", "score": "5"},
            {"title": "", "text": ""},
            {"id": "4", "title": "Four", "text": "Caf\u00e9 &amp; bar", "date": "not a date", "score": "6",
             "note": "n"},
        ]
        with open(folder / "feed.jsonl", "w", encoding="utf-8") as handle:
            for row in lines:
                handle.write(json.dumps(row) + "\n")
            handle.write("{broken json\n")
            handle.write("[1, 2]\n")
        (folder / "more.csv").write_text(
            "headline,body,published,publisher,code\n"
            "Five,The same wire story.,2021-03-05,Daily,007\n"
            "Six,Fresh text,2021-03-06,Daily,008\n"
            "Seven,\"open quote,2021-03-07,Daily,009\n", encoding="utf-8")
        (folder / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    return tmp_path


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.attrs = {}
    return frame


def _check_report(report) -> None:
    assert report.n_files == report.n_files_loaded + report.n_files_skipped
    assert report.n_records == report.n_articles + report.n_records_skipped
    for row in report.skipped_rows:
        assert row["reason"]


@pytest.mark.parametrize("stream", [False, True], ids=["whole-files", "streamed-files"])
def test_load_to_parquet_equals_load_corpus(tmp_path, monkeypatch, stream):
    source = _folder(tmp_path / "in")
    if stream:
        monkeypatch.setattr(tabular, "STREAM_MIN_BYTES", 0)
    sources = [source / "a", source / "b"]
    expected = load_corpus(sources)
    out = tmp_path / "corpus.parquet"
    report = load_to_parquet(sources, out, chunk_rows=2)
    got = pd.read_parquet(out)
    assert list(got.columns) == list(expected.columns)
    # extra columns: the mixed "tags" (lists) are JSON text in Parquet, objects in memory
    expected_tags = expected.pop("tags").map(lambda v: None if not isinstance(v, list) else json.dumps(v))
    got_tags = got.pop("tags")
    assert got_tags.where(got_tags.notna(), None).tolist() == expected_tags.tolist()
    pd.testing.assert_frame_equal(_strip(got), _strip(expected), check_dtype=False)
    assert got["score"].dtype == "int64" or got["score"].dtype == "float64"
    assert got["code"].tolist() == expected["code"].tolist()  # leading zeros: codes stay text
    # the same accounting, and the report travels in the file
    old = load_report(expected)
    assert report.n_articles == old.n_articles == len(got)
    assert report.n_records_skipped == old.n_records_skipped
    # b repeats a: its 7 articles are copies, plus 2 copies of the wire story within a
    assert report.n_duplicates == old.n_duplicates == int(got["is_duplicate"].sum()) == 9
    assert report.counts == old.counts
    _check_report(report)
    stored = load_report(got)
    assert stored.n_articles == report.n_articles
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary leftovers


def test_streamed_readers_equal_whole_file_readers(tmp_path, monkeypatch):
    source = _folder(tmp_path)
    whole = load_corpus(source, chunk_rows=3)
    monkeypatch.setattr(tabular, "STREAM_MIN_BYTES", 0)
    streamed = load_corpus(source, chunk_rows=3)
    pd.testing.assert_frame_equal(_strip(streamed), _strip(whole))
    assert load_report(streamed).counts == load_report(whole).counts
    assert load_report(streamed).skipped.equals(load_report(whole).skipped)


def test_iter_corpus_chunks_add_up_to_load_corpus(tmp_path):
    source = _folder(tmp_path)
    chunks = list(iter_corpus(source / "a", chunk_rows=2))
    assert len(chunks) > 1
    whole = load_corpus(source / "a", duplicates="none")
    joined = _strip(pd.concat(chunks, ignore_index=True))[list(whole.columns)]
    whole = _strip(whole)
    for column in ("tags", "note", "code", "score"):  # extras absent from a chunk: None/NaN
        joined[column] = joined[column].astype(object).where(joined[column].notna(), None)
        whole[column] = whole[column].astype(object).where(whole[column].notna(), None)
    pd.testing.assert_frame_equal(joined, whole, check_dtype=False)
    report = chunks[-1].attrs["load_report"]
    _check_report(report)
    assert report.n_articles == len(whole)


def _failing_reader(after: int):
    def read(path, ctx):
        for i in range(after):
            yield {"title": f"T{i}", "text": f"Body {i}", "source_line": i + 1}
        raise LoadError(path, "truncated record", line=after + 1)
    return read


@pytest.fixture
def own_registry(monkeypatch):
    """Readers registered by a test vanish after it."""
    monkeypatch.setattr(registry, "_READERS", dict(registry._READERS))


def test_a_file_failing_halfway_keeps_what_was_read_and_says_so(tmp_path, own_registry):
    register_reader("q7_failing_25", _failing_reader(25), replace=True)
    path = tmp_path / "feed.dat"
    path.write_text("x")
    articles = load_corpus(path, format="q7_failing_25", chunk_rows=10)
    report = load_report(articles)
    assert len(articles) == 25  # 20 were handed on in chunks before the failure, 5 after
    (row,) = report.file_rows
    assert row["status"] == "loaded" and row["n_articles"] == 25
    assert "read stopped at line 26: truncated record" in row["reason"]
    assert report.skipped["reason"].str.contains("the rest of the file was not read").any()
    _check_report(report)
    with pytest.raises(LoadError, match="line 26"):
        load_corpus(path, format="q7_failing_25", chunk_rows=10, errors="raise")


def test_a_file_failing_before_a_chunk_is_skipped_whole(tmp_path, own_registry):
    register_reader("q7_failing_5", _failing_reader(5), replace=True)
    path = tmp_path / "feed.dat"
    path.write_text("x")
    articles = load_corpus(path, format="q7_failing_5", chunk_rows=10)
    report = load_report(articles)
    assert len(articles) == 0
    assert report.file_rows[0]["status"] == "skipped"
    _check_report(report)


def test_load_to_parquet_refuses_near_and_bad_paths(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    with pytest.raises(ParameterError, match="duplicates.*flag_duplicates"):
        load_to_parquet(tmp_path / "a.jsonl", tmp_path / "o.parquet", duplicates="near")
    with pytest.raises(ParameterError, match="out"):
        load_to_parquet(tmp_path / "a.jsonl", tmp_path / "missing" / "o.parquet")
    with pytest.raises(ParameterError, match="chunk_rows"):
        load_to_parquet(tmp_path / "a.jsonl", tmp_path / "o.parquet", chunk_rows=0)
    with pytest.raises(ParameterError, match="chunk_rows"):
        load_corpus(tmp_path / "a.jsonl", chunk_rows=-1)


# -- memory, measured in a subprocess ------------------------------------------------------

_GENERATE = textwrap.dedent("""
    import csv, json, random, sys
    path, kind, n_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    random.seed(0)
    words = ("the of and to in a is that for on was with as it by at from an were are which be "
             "market election virus minister report Seoul caf\\u00e9 \\u201cquoted\\u201d").split()
    paras = [" ".join(random.choice(words) for _ in range(250)) for _ in range(40)]
    target, size, i = n_mb * 2**20, 0, 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f) if kind == "csv" else None
        if w:
            w.writerow(["id", "title", "text", "date", "outlet"])
        while size < target:
            row = [f"a{i}", f"Story {i}", paras[i % 40] + f" Item {i}.",
                   f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z", f"Outlet {i % 7}"]
            if w:
                w.writerow(row)
                size += len(row[2]) + 60
            else:
                line = json.dumps(dict(zip(["id", "title", "text", "date", "outlet"], row))) + "\\n"
                f.write(line)
                size += len(line)
            i += 1
""")

_MEASURE = textwrap.dedent("""
    def hwm():
        # VmHWM: peak RSS of this program (ru_maxrss would carry the parent's peak over exec)
        for line in open('/proc/self/status'):
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    import json, os, sys
    import pyarrow, pandas
    import toolkit.dedup, toolkit.normalize
    import toolkit.load.tabular
    from toolkit.load.core import load_corpus, load_to_parquet
    toolkit.load.tabular.STREAM_MIN_BYTES = 0  # stream the small file too
    mode, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
    tiny = os.path.join(os.path.dirname(out), "tiny.jsonl")
    with open(tiny, "w") as f:
        f.write(json.dumps({"title": "t", "text": "warm up imports", "date": "2021-01-01"}) + chr(10))
    load_corpus(tiny)  # lazy imports (dates, ftfy, ...) are not data
    load_to_parquet(tiny, out)
    base = hwm()
    if mode == "memory":
        articles = load_corpus(src, duplicates="exact")
        n, table = len(articles), int(articles.memory_usage(deep=True).sum())
    else:
        report = load_to_parquet(src, out, chunk_rows=2000)
        n, table = report.n_articles, 0
    peak = hwm()
    print(json.dumps({"n": n, "growth": peak - base, "table": table, "file": os.path.getsize(src)}))
""")


@pytest.fixture(scope="module")
def big_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("big")
    script = folder / "generate.py"
    script.write_text(_GENERATE)
    files = {}
    for kind in ("jsonl", "csv"):
        for mb in (15, 60):
            path = folder / f"big{mb}.{kind}"
            subprocess.run([sys.executable, str(script), str(path), kind, str(mb)], check=True)
            files[f"{kind}{mb}"] = path
    return files


def _measure(mode: str, src: Path, out: Path) -> dict:
    script = out.parent / "measure.py"
    script.write_text(_MEASURE)
    done = subprocess.run([sys.executable, str(script), mode, str(src), str(out)], check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_streaming_to_parquet_memory_is_bounded(big_files, tmp_path, kind):
    """load_to_parquet's peak is set by the chunk (2,000 articles here; about 13x a chunk's text
    while it is parsed, normalised and hashed, ~100 MB) plus ~50 bytes per article, not by the
    input: 4x the file adds at most 30% (+30 MB) to the peak growth, which stays under 200 MB
    whatever the file size (measured: ~115 MB for 60 MB here, 261 MB with 10,000-article chunks
    for 300 MB; the old whole-file path needed several times the file)."""
    small = _measure("stream", big_files[f"{kind}15"], tmp_path / "small.parquet")
    big = _measure("stream", big_files[f"{kind}60"], tmp_path / "out.parquet")
    assert big["n"] > 30_000
    assert big["growth"] < 1.3 * small["growth"] + 30 * 2**20, (small, big)
    assert big["growth"] < 200 * 2**20, big
    assert len(pd.read_parquet(tmp_path / "out.parquet", columns=["doc_id"])) == big["n"]


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_in_memory_load_costs_about_the_table(big_files, tmp_path, kind):
    """load_corpus keeps the finished table (Arrow-backed text, about the size of the text) plus
    one chunk being built (2,000 articles, ~13x their text, transiently) and a 16-byte digest per
    article: the peak grows by less than 1.5x the table + 150 MB."""
    figures = _measure("memory", big_files[f"{kind}60"], tmp_path / "unused.parquet")
    assert figures["growth"] < 1.5 * figures["table"] + 150 * 2**20, figures


# -- many small files ----------------------------------------------------------------------

def test_a_folder_of_many_small_files_loads_with_a_progress_bar(tmp_path, capsys):
    folder = tmp_path / "many"
    n = 3000
    for d in range(10):
        sub = folder / f"d{d}"
        sub.mkdir(parents=True)
        for i in range(n // 10):
            (sub / f"{i:05d}.txt").write_text(f"Headline {d}-{i}\n\nBody of story {d}-{i}. " * 8,
                                              encoding="utf-8")
    articles = load_corpus(folder, progress=True, chunk_rows=500)
    err = capsys.readouterr().err
    assert "loading" in err and f"{n}/{n}" in err
    report = load_report(articles)
    assert len(articles) == n == report.n_files_loaded
    _check_report(report)


# -- every real corpus: the streamed Parquet equals the in-memory table ---------------------

@pytest.mark.corpora
@pytest.mark.parametrize("name", ["bbc", "recovery-covid-news", "reuters21578"])
def test_real_corpus_streamed_equals_in_memory(tmp_path, name):
    folder = CORPORA / name
    if not folder.is_dir():
        pytest.skip(f"corpus {name!r} not found at {folder} (../shared/corpora beside the repository)")
    expected = load_corpus(folder, progress=False)
    report = load_to_parquet(folder, tmp_path / "c.parquet", chunk_rows=1000, progress=False)
    got = pd.read_parquet(tmp_path / "c.parquet")
    list_columns = [c for c in expected.columns if expected[c].map(lambda v: isinstance(v, list)).any()]
    for column in list_columns:  # list-valued extras (Reuters topics) are JSON text in Parquet
        assert got[column].map(lambda v: None if v is None or v != v else json.loads(v)).tolist() == \
            expected[column].map(lambda v: v if isinstance(v, list) else None).tolist()
    pd.testing.assert_frame_equal(_strip(got).drop(columns=list_columns),
                                  _strip(expected).drop(columns=list_columns), check_dtype=False)
    old = load_report(expected)
    assert report.n_records == report.n_articles + report.n_records_skipped
    assert report.n_files == report.n_files_loaded + report.n_files_skipped
    assert (report.n_articles, report.n_records_skipped, report.n_duplicates) == \
        (old.n_articles, old.n_records_skipped, old.n_duplicates)
    assert report.n_duplicates == int(got["is_duplicate"].sum())
