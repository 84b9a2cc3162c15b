"""Tests of toolkit.manifest and of the manifest run_report writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from toolkit.errors import ParameterError, SchemaError
from toolkit.manifest import (
    KEY_PACKAGES,
    RECORD_ENV,
    build_manifest,
    corpus_fingerprint,
    manifest_markdown,
    read_record,
    record_for_manifest,
    write_manifest,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def make_corpus(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"alpha")
    (root / "sub" / "b.csv").write_bytes(b"x,y\n1,2\n")
    return root


# --- corpus_fingerprint -------------------------------------------------------------------------


def test_fingerprint_matches_an_independent_computation(tmp_path):
    root = make_corpus(tmp_path / "corpus")
    expected = hashlib.sha256()
    for name, content in sorted([("corpus/a.txt", b"alpha"), ("corpus/sub/b.csv", b"x,y\n1,2\n")]):
        expected.update(name.encode() + b"\0" + len(content).to_bytes(8, "big") + content)
    fp = corpus_fingerprint(root)
    assert fp == {"paths": [str(root.resolve())], "files": 2, "total_bytes": 13,
                  "sha256": expected.hexdigest()}
    # A single file is named by its file name.
    single = corpus_fingerprint(root / "a.txt")
    one = hashlib.sha256(b"a.txt\0" + (5).to_bytes(8, "big") + b"alpha").hexdigest()
    assert (single["files"], single["total_bytes"], single["sha256"]) == (1, 5, one)


def test_fingerprint_changes_when_a_file_changes(tmp_path):
    root = make_corpus(tmp_path / "corpus")
    before = corpus_fingerprint(root)["sha256"]
    (root / "a.txt").write_bytes(b"alphA")  # same size, one byte different
    edited = corpus_fingerprint(root)["sha256"]
    assert edited != before
    (root / "a.txt").rename(root / "c.txt")
    renamed = corpus_fingerprint(root)["sha256"]
    assert renamed != edited
    (root / "d.txt").write_bytes(b"")
    added = corpus_fingerprint(root)
    assert added["sha256"] != renamed and added["files"] == 3
    # Moving a byte from one file to the next changes it too (sizes are hashed).
    (root / "d.txt").write_bytes(b"A")
    (root / "c.txt").write_bytes(b"alph")
    assert corpus_fingerprint(root)["sha256"] != added["sha256"]


def test_fingerprint_ignores_hidden_files_and_location(tmp_path):
    root = make_corpus(tmp_path / "one" / "corpus")
    fp = corpus_fingerprint(root)
    (root / ".cache").mkdir()
    (root / ".cache" / "x.parquet").write_bytes(b"junk")
    (root / ".DS_Store").write_bytes(b"junk")
    assert corpus_fingerprint(root)["sha256"] == fp["sha256"]
    moved = shutil.copytree(root, tmp_path / "two" / "corpus")
    assert corpus_fingerprint(moved)["sha256"] == fp["sha256"]


def test_fingerprint_of_several_paths_and_missing_path(tmp_path):
    root = make_corpus(tmp_path / "corpus")
    both = corpus_fingerprint([root / "a.txt", root / "sub"])
    assert both["files"] == 2 and both["total_bytes"] == 13
    with pytest.raises(ParameterError, match=r"paths='.*nowhere'.*existing files or folders"):
        corpus_fingerprint(tmp_path / "nowhere")


def test_fingerprint_is_fast_on_20_mb(tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    block = os.urandom(1 << 20)
    for i in range(20):
        (root / f"{i:02}.bin").write_bytes(block)
    started = time.perf_counter()
    fp = corpus_fingerprint(root)
    elapsed = time.perf_counter() - started
    print(f"\nfingerprint of 20 MB: {elapsed:.2f} s")
    assert fp["total_bytes"] == 20 << 20
    assert elapsed < 5


# --- record_for_manifest / build_manifest --------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    import toolkit as tk

    return tk.load_corpus(SAMPLE, progress=False)


def test_record_is_written_only_where_the_runner_asks(sample, tmp_path, monkeypatch):
    monkeypatch.delenv(RECORD_ENV, raising=False)
    record = record_for_manifest(sample, selected=sample.iloc[:10])
    assert record["n_articles_loaded"] == 51 and record["n_articles_selected"] == 10
    assert record["load_report"]["n_articles"] == 51
    assert record["settings"]["duplicates"] == "exact"
    assert record["settings"]["normalize"] == ["mojibake", "entities", "nfc", "whitespace"]
    assert list(tmp_path.iterdir()) == []

    target = tmp_path / "record.json"
    monkeypatch.setenv(RECORD_ENV, str(target))
    written = record_for_manifest(sample)
    assert read_record(target) == json.loads(json.dumps(written))
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]  # no temporary left
    assert read_record(tmp_path / "none.json") is None


def test_record_needs_a_load_report(sample):
    bare = sample.copy()
    bare.attrs = {}
    with pytest.raises(SchemaError, match="no load report"):
        record_for_manifest(bare)


def test_manifest_keys_and_types(sample):
    started = dt.datetime(2026, 11, 29, 4, 0, 0, tzinfo=dt.UTC)
    finished = started + dt.timedelta(seconds=12.5)
    m = build_manifest(report="overview", parameters={"corpus": str(SAMPLE), "freq": "W"},
                       notebook=REPO / "notebooks" / "corpus_overview.ipynb", kernel="python3",
                       started=started, finished=finished, articles=sample)
    assert json.loads(json.dumps(m)) == m  # plain JSON
    assert {"manifest_version", "report", "notebook", "parameters", "corpus", "load_report",
            "n_articles_loaded", "n_articles_selected", "settings", "versions", "kernel",
            "platform", "started", "finished", "duration_seconds", "outputs"} == set(m)
    assert m["parameters"] == {"corpus": str(SAMPLE), "freq": "W"}
    assert m["started"] == "2026-11-29T04:00:00Z" and m["finished"] == "2026-11-29T04:00:12Z"
    assert m["duration_seconds"] == 12.5
    assert m["corpus"]["paths"] == [str(SAMPLE)]
    assert m["corpus"] == corpus_fingerprint(SAMPLE)
    assert isinstance(m["corpus"]["files"], int) and m["corpus"]["total_bytes"] > 0
    assert len(m["corpus"]["sha256"]) == 64
    assert m["load_report"]["n_articles"] == 51 and m["load_report"]["n_files"] == 27
    assert m["settings"]["duplicates"] == "exact"
    assert set(KEY_PACKAGES) | {"toolkit", "python"} == set(m["versions"])
    for name in ("pandas", "numpy", "pyarrow", "plotly", "nltk", "papermill", "nbconvert",
                 "trafilatura", "vaderSentiment"):
        assert isinstance(m["versions"][name], str), name
    assert m["kernel"]["name"] == "python3" and m["kernel"]["python"].startswith("3.")


def test_manifest_without_a_record_fingerprints_the_corpus_parameter(tmp_path):
    root = make_corpus(tmp_path / "corpus")
    m = build_manifest(report="r", parameters={"corpus": str(root)}, notebook="r.ipynb",
                       kernel="python3", started="2026-01-01T10:00:00",
                       finished="2026-01-01T10:00:01+00:00")
    assert m["corpus"]["files"] == 2 and m["load_report"] is None and m["settings"] is None
    assert m["duration_seconds"] == 1.0
    none = build_manifest(report="r", parameters={}, notebook="r.ipynb", kernel="python3",
                          started="2026-01-01T10:00:00Z", finished="2026-01-01T10:00:00Z")
    assert none["corpus"] is None


def test_write_manifest_is_atomic_and_markdown_escapes(tmp_path):
    m = build_manifest(report="r<&>", parameters={"title": "<script>x</script>"},
                       notebook="r.ipynb", kernel="python3",
                       started="2026-01-01T10:00:00Z", finished="2026-01-01T10:00:02Z")
    path = write_manifest(m, tmp_path / "r.manifest.json")
    assert [p.name for p in tmp_path.iterdir()] == ["r.manifest.json"]
    assert json.loads(path.read_text(encoding="utf-8")) == m
    text = manifest_markdown(m)
    assert text.startswith("## Run manifest")
    assert "<script>" not in text and html.escape('"<script>x</script>"') in text
    assert "<details>" in text and "\n\n" not in text.split("<details>")[1]


# --- run_report writes it -----------------------------------------------------------------------


@pytest.mark.notebook
def test_run_report_writes_the_manifest_and_puts_it_in_the_html(tmp_path):
    from toolkit.report import run_report

    nb = new_notebook(cells=[
        new_code_cell('corpus: str = "x"  # corpus\nn: int = 1  # a number'),
        new_markdown_cell("A tiny report for the manifest test."),
        new_code_cell("import toolkit as tk\nfrom toolkit.manifest import record_for_manifest\n"
                      "articles = tk.load_corpus(corpus, progress=False)\n"
                      "record_for_manifest(articles, selected=articles.iloc[:n])\nlen(articles)"),
    ])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nb, source)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = run_report(source, parameters={"corpus": str(SAMPLE), "n": 3}, out=tmp_path / "out")
    after = dt.datetime.now(dt.UTC)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["tiny.html", "tiny.ipynb", "tiny.manifest.json"]
    assert result.manifest == out / "tiny.manifest.json"
    m = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert m["report"] == "tiny" and m["parameters"] == {"corpus": str(SAMPLE), "n": 3}
    assert m["n_articles_loaded"] == 51 and m["n_articles_selected"] == 3
    assert m["load_report"]["n_articles"] == 51
    assert m["corpus"]["sha256"] == corpus_fingerprint(SAMPLE)["sha256"]
    assert m["settings"]["normalize"] == ["mojibake", "entities", "nfc", "whitespace"]
    started = dt.datetime.fromisoformat(m["started"].replace("Z", "+00:00"))
    finished = dt.datetime.fromisoformat(m["finished"].replace("Z", "+00:00"))
    assert before <= started <= finished <= after
    assert 0 < m["duration_seconds"] <= result.duration
    assert m["outputs"]["html"] == str(out / "tiny.html")

    executed = nbformat.read(result.notebook, as_version=4)
    last = executed.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Run manifest")
    page = result.html.read_text(encoding="utf-8")
    assert 'id="Run-manifest"' in page
    assert "Full manifest (JSON)" in page and m["corpus"]["sha256"] in page
    assert html.escape(m["load_report"]["headline"]) in page

    # manifest=False: no file, no section, and the earlier run's manifest is removed.
    again = run_report(source, parameters={"corpus": str(SAMPLE)}, out=out, manifest=False)
    assert again.manifest is None
    assert sorted(p.name for p in out.iterdir()) == ["tiny.html", "tiny.ipynb"]
    assert "Run manifest" not in again.html.read_text(encoding="utf-8")
