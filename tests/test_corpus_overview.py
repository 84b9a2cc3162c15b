"""End-to-end tests of notebooks/corpus_overview.ipynb, run through the command line.

Like tests/test_coverage_report.py: nothing is mocked, the report runs on a real kernel
(``python -m toolkit report corpus_overview``) against data/sample and, when present, the BBC
corpus in ../shared/corpora. The expected figures are counted from the files with plain Python.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from conftest import CORPORA, chromium_dom, needs_chromium, read_bbc_plainly

pytestmark = pytest.mark.notebook

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
NOTEBOOK = REPO / "notebooks" / "corpus_overview.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PARAMETERS = ["corpus", "start", "end", "outlets", "freq", "title", "top_n"]
TITLES = [
    "Articles per period, by outlet",
    "Words per article, by outlet",
    "Top 20 terms, all articles",
    "Mean Flesch reading ease, by outlet",
]


def toolkit(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("TOOLKIT_NOTEBOOKS", None)
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)


@dataclass
class Run:
    out: Path
    done: subprocess.CompletedProcess
    nb: nbformat.NotebookNode
    page: str
    manifest: dict[str, Any]

    def figures(self) -> list[dict[str, Any]]:
        return [o.data[PLOTLY_MIME] for c in self.nb.cells if c.cell_type == "code"
                for o in c.outputs if PLOTLY_MIME in o.get("data", {})]

    def figure(self, title: str) -> dict[str, Any]:
        found = [f for f in self.figures() if figure_title(f) == title]
        assert len(found) == 1, [figure_title(f) for f in self.figures()]
        return found[0]

    def html_outputs(self) -> list[str]:
        return [o.data["text/html"] for c in self.nb.cells if c.cell_type == "code"
                for o in c.outputs if "text/html" in o.get("data", {})]

    def errors(self) -> list[Any]:
        return [o for c in self.nb.cells for o in c.get("outputs", []) if o.output_type == "error"]


def figure_title(figure: dict[str, Any]) -> str:
    title = figure.get("layout", {}).get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title)


def values(array: Any) -> list[Any]:
    """A plotly data array as a list: plain JSON, or plotly's typed array {dtype, bdata}."""
    if isinstance(array, dict) and "bdata" in array:
        decoded = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        return decoded.tolist()
    return list(array)


def run_overview(out: Path, *args: str) -> Run:
    started = time.perf_counter()
    done = toolkit("report", "corpus_overview", *args, "--out", str(out))
    print(f"\ncorpus_overview {' '.join(args)}: {time.perf_counter() - started:.1f} s")
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out / "corpus_overview.ipynb", as_version=4)
    page = (out / "corpus_overview.html").read_text(encoding="utf-8")
    manifest = json.loads((out / "corpus_overview.manifest.json").read_text(encoding="utf-8"))
    return Run(out, done, nb, page, manifest)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Run:
    return run_overview(tmp_path_factory.mktemp("overview") / "out", "--corpus", "data/sample")


@pytest.fixture(scope="module")
def filtered_run(tmp_path_factory) -> Run:
    return run_overview(tmp_path_factory.mktemp("overview_filtered") / "out", "--corpus", "data/sample",
                        "-p", "outlets=Daily Meridian", "-p", "freq=D", "-p", "title=Meridian <only> & co")


def sample_outlets() -> dict[str, int]:
    """Articles per outlet, counted from the files (see data/sample/README.md)."""
    with open(SAMPLE / "daily_meridian.csv", newline="", encoding="utf-8") as handle:
        meridian = sum(1 for _ in csv.DictReader(handle))
    with open(SAMPLE / "pacific_ledger.jsonl", encoding="utf-8") as handle:
        ledger = sum(1 for line in handle if line.strip())
    return {
        "Pacific Ledger Online": ledger,
        "The Harbour Herald": len(list((SAMPLE / "harbour_herald").glob("*.txt"))),
        "Daily Meridian": meridian,
        "Northgate Courier": len(list((SAMPLE / "northgate_courier").rglob("*.txt"))),
        "Free Press Journal": len(list((SAMPLE / "seed").glob("*.txt"))),
    }


def test_sample_run_writes_report_notebook_and_manifest(sample_run):
    assert sample_run.done.stdout == f"{sample_run.out / 'corpus_overview.html'}\n"
    assert sorted(p.name for p in sample_run.out.iterdir()) == [
        "corpus_overview.html", "corpus_overview.ipynb", "corpus_overview.manifest.json"]
    assert not sample_run.errors()
    assert [figure_title(f) for f in sample_run.figures()] == TITLES


def test_summary_is_computed_from_the_data(sample_run):
    outlets = sample_outlets()
    assert outlets == {"Pacific Ledger Online": 14, "The Harbour Herald": 13, "Daily Meridian": 12,
                       "Northgate Courier": 11, "Free Press Journal": 1}
    n = sum(outlets.values())
    # The README: 18 October to 28 November 2021; one article has no date.
    expected = (f"{n} articles from 5 outlets, published between 18 October 2021 and 27 November "
                "2021; 1 (2.0%) undated. The largest outlet is Pacific Ledger Online with 14 "
                "articles (27%).")
    assert any(expected in fragment for fragment in sample_run.html_outputs())
    assert html.escape(expected) in sample_run.page or expected in sample_run.page
    # The summary comes before the first chart.
    assert sample_run.page.index("The largest outlet is") < sample_run.page.index("toolkit-figure-1")


def test_quality_panel_on_the_sample(sample_run):
    panel = next(f for f in sample_run.html_outputs() if "toolkit-quality" in f)
    assert "Every data-quality check is within its threshold" in panel
    assert "Data-quality warning" not in panel
    assert "1 of 51 articles have no publication date" in panel
    # Six weeks from Monday 18 October, every one with articles.
    assert "Every one of the 6 weeks from 2021-10-18 to 2021-11-22 has articles." in panel


def test_volume_counts_every_dated_article_by_outlet(sample_run):
    traces = sample_run.figure("Articles per period, by outlet")["data"]
    outlets = sample_outlets()
    assert sorted(t["name"] for t in traces) == sorted(outlets)
    per_outlet = {t["name"]: sum(values(t["y"])) for t in traces}
    assert sum(per_outlet.values()) == 50  # 51 minus the undated one
    assert all(per_outlet[o] in (outlets[o], outlets[o] - 1) for o in outlets), per_outlet
    assert all(len(values(t["x"])) == 6 for t in traces)  # six weeks, zero-filled


def test_every_chart_has_a_caption_with_its_denominator(sample_run):
    captions = [f for f in sample_run.html_outputs() if f.startswith("<p><i>")]
    assert len(captions) >= len(sample_run.figures())
    assert "50 dated articles of 51" in " ".join(captions)
    assert "all 51 selected articles" in " ".join(captions)


def test_terms_and_readability(sample_run):
    terms = sample_run.figure("Top 20 terms, all articles")["data"]
    assert len(terms) == 1 and len(values(terms[0]["y"])) == 20
    assert not {"the", "and", "said"} & set(values(terms[0]["y"]))
    bars = sample_run.figure("Mean Flesch reading ease, by outlet")["data"]
    assert sorted(values(bars[0]["y"])) == sorted(sample_outlets())


def test_manifest_is_in_the_report_and_beside_it(sample_run):
    m = sample_run.manifest
    assert m["report"] == "corpus_overview"
    assert m["parameters"] == {"corpus": str(SAMPLE)}
    assert m["load_report"]["n_articles"] == 51 and m["n_articles_selected"] == 51
    assert m["settings"]["duplicates"] == "exact"
    # Every non-hidden file of the folder, counted plainly.
    files = [p for p in SAMPLE.rglob("*") if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(SAMPLE).parts)]
    assert m["corpus"]["files"] == len(files)
    assert m["corpus"]["total_bytes"] == sum(p.stat().st_size for p in files)
    assert 'id="Run-manifest"' in sample_run.page and m["corpus"]["sha256"] in sample_run.page
    assert sample_run.nb.cells[-1].source.startswith("## Run manifest")


def test_filtered_run_names_one_outlet_and_escapes_the_title(filtered_run):
    assert not filtered_run.errors()
    assert "<h1>Meridian &lt;only&gt; &amp; co</h1>" in filtered_run.page
    summary = next(f for f in filtered_run.html_outputs() if "The largest outlet is" in f)
    assert "12 articles from 1 outlet" in summary and "24% of the 51 articles loaded" in summary
    traces = filtered_run.figure("Articles per period, by outlet")["data"]
    assert [t["name"] for t in traces] == ["Daily Meridian"]
    assert filtered_run.manifest["n_articles_selected"] == 12
    assert filtered_run.manifest["parameters"]["outlets"] == ["Daily Meridian"]


def test_report_list_and_help():
    done = toolkit("report", "list")
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.split()[:1] == ["corpus_overview"])
    assert line.split(None, 1)[1].startswith("What is in a news corpus")
    done = toolkit("report", "corpus_overview", "--help")
    assert done.returncode == 0, done.stderr
    assert re.findall(r"^\s+(\w+): ", done.stdout, re.MULTILINE) == PARAMETERS


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "def " not in cell.source


@needs_chromium
def test_every_figure_renders_in_headless_chromium_offline(sample_run, tmp_path):
    dom = chromium_dom(sample_run.out / "corpus_overview.html", tmp_path)
    n = len(sample_run.figures())
    assert dom.count('class="plot-container plotly"') == n
    for figure in sample_run.figures():
        assert f'data-unformatted="{html.escape(figure_title(figure))}"' in dom


# --------------------------------------------------------------------------------------------
# The BBC corpus: 2,225 undated articles in 5 folders, with exact duplicates
# --------------------------------------------------------------------------------------------


def test_bbc_overview(tmp_path):
    if not (CORPORA / "bbc").is_dir():
        pytest.skip(f"real corpora not found at {CORPORA} (../shared/corpora beside the repository)")
    run = run_overview(tmp_path / "out", "--corpus", str(CORPORA / "bbc"))
    assert not run.errors()
    plain = read_bbc_plainly(CORPORA)
    assert len(plain) == 2225
    summary = next(f for f in run.html_outputs() if "undated." in f and f.startswith("<p>"))
    assert "2225 articles (no outlet recorded), none of them dated; 2225 (100%) undated." in summary
    # Duplicates counted plainly: texts equal after collapsing white space (136); the loader
    # also normalises (mojibake, entities, NFC), which can join one more pair.
    texts = plain["text"].map(lambda s: re.sub(r"\s+", " ", s).strip())
    plain_dups = len(texts) - texts.nunique()
    assert plain_dups == 136
    flagged = run.manifest["load_report"]["n_duplicates"]
    assert plain_dups <= flagged <= plain_dups + 1, flagged
    panel = next(f for f in run.html_outputs() if "toolkit-quality" in f)
    assert "Data-quality warning" in panel
    assert "2225 of 2225 articles have no publication date" in panel
    assert f"{flagged} of 2225 articles are copies of an earlier article" in panel
    # Every file of the folder (articles, README.TXT, SOURCE.txt) is fingerprinted.
    n_files = sum(1 for p in (CORPORA / "bbc").rglob("*") if p.is_file() and not p.name.startswith("."))
    assert run.manifest["corpus"]["files"] == n_files
    print(f"\nBBC: {flagged} duplicates flagged, {n_files} files, "
          f"{run.manifest['corpus']['total_bytes']} bytes, {run.manifest['duration_seconds']} s")
