"""End-to-end tests of notebooks/outlet_comparison.ipynb, run through the command line.

As in tests/test_coverage_report.py (whose independent reading of data/sample is reused), the
expected figures are recomputed from the data files with plain Python, not with the toolkit.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import nbformat
import pytest
from conftest import chromium_dom, needs_chromium
from test_coverage_report import (
    REPO,
    SAMPLE,
    TOPICS,
    ReportRun,
    attribute,
    figure_title,
    mentions,
    page_without_plotlyjs,
    read_demo_corpus,
    read_topics,
    toolkit,
    values,
)

pytestmark = pytest.mark.notebook

NOTEBOOK = REPO / "notebooks" / "outlet_comparison.ipynb"
THREE = ["Daily Meridian", "The Harbour Herald", "Northgate Courier"]
OTHERS = ["Pacific Ledger Online", "Free Press Journal"]
TITLE = "Three papers & <friends>"
PARAMETERS = ["corpus", "topics", "outlets", "by", "start", "end", "freq", "title", "top_n", "keyness_outlets"]
Z95 = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return centre - half, centre + half



@pytest.fixture(scope="module")
def run(tmp_path_factory) -> ReportRun:
    out = tmp_path_factory.mktemp("outlet_comparison") / "out"
    done = toolkit(
        "report", "outlet_comparison",
        "--corpus", "data/sample", "--topics", "data/topics/example.yaml",
        "-p", f"outlets={','.join(THREE)}",
        "-p", f"title={TITLE}",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return ReportRun(out, done, "outlet_comparison")


@pytest.fixture(scope="module")
def corpus():
    return [a for a in read_demo_corpus() if a.outlet in THREE]


def test_parameters_and_description():
    from toolkit.report import list_reports, notebook_parameters

    assert list(notebook_parameters(NOTEBOOK)) == PARAMETERS
    info = {r.name: r for r in list_reports()}["outlet_comparison"]
    assert info.description.startswith("Two or more outlets")
    source = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    assert "def " not in "".join(c.source for c in source.cells if c.cell_type == "code")


def test_runs_every_cell_with_the_selected_outlets(run):
    errors = [o for c in run.nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, [f"{o.ename}: {o.evalue}" for o in errors]
    assert run.nb.metadata.papermill.parameters["outlets"] == THREE
    assert "36 articles of 3 groups" in page_without_plotlyjs(run.page)
    # Title escaped.
    assert "<h1>Three papers &amp; &lt;friends&gt;</h1>" in run.page
    for fragment in run.outputs("text/html") + run.outputs("text/markdown"):
        for outlet in OTHERS:
            assert outlet not in fragment, outlet


def test_summary_sentences_are_the_hand_computed_figures(run, corpus):
    (summary,) = [m for m in run.outputs("text/markdown") if "published" in m]
    counts = Counter(a.outlet for a in corpus)
    total = sum(counts.values())
    assert total == 36
    for outlet, n in counts.items():
        assert f"- {outlet} published {n} of the {total} articles ({100 * n / total:.1f}%)." in summary
    topics = read_topics()
    korea = {o: sum(mentions(a, topics["South Korea"]) for a in corpus if a.outlet == o) for o in THREE}
    assert korea == {"Daily Meridian": 2, "The Harbour Herald": 10, "Northgate Courier": 0}
    k, n = korea["The Harbour Herald"], counts["The Harbour Herald"]
    rest_k, rest_n = sum(korea.values()) - k, total - n
    average = sum(korea.values()) / total
    assert wilson(k, n)[0] > wilson(rest_k, rest_n)[1]  # the intervals do not overlap
    assert 2 <= (k / n) / average < 3
    assert (
        f"- The Harbour Herald gave “South Korea” {100 * k / n:.1f}% of its coverage ({k} of {n} "
        f"articles), more than twice the corpus average ({100 * average:.1f}%)."
    ) in summary


def test_volume_and_topic_mix(run, corpus):
    traces = run.figure("Articles per period, by outlet")["data"]
    assert sorted(t["name"] for t in traces) == sorted(THREE)
    for trace in traces:
        assert sum(values(trace["y"])) == sum(1 for a in corpus if a.outlet == trace["name"] and a.published)
    header, rows = run.table("outlet", "topic", "n_matching", "n_total", "ratio_to_all")
    topics = read_topics()
    got = {(r[header.index("outlet")], r[header.index("topic")]): int(r[header.index("n_matching")]) for r in rows}
    for outlet in THREE:
        for name, pattern in topics.items():
            assert got[outlet, name] == sum(mentions(a, pattern) for a in corpus if a.outlet == outlet)


def test_keyness_chart_per_outlet_and_other_sections(run):
    titles = [figure_title(f) for f in run.figures()]
    for outlet in THREE:
        assert f"Distinctive terms: {outlet} against the others" in titles
    assert "Tone of the articles, by outlet" in titles
    header, rows = run.table("outlet", "n_articles", "n_wire_credit", "n_shared", "share_shared")
    assert [r[header.index("outlet")] for r in rows] == sorted(THREE)
    for r in rows:
        assert 0 <= int(r[header.index("n_wire_credit")]) <= int(r[header.index("n_articles")])
    header, rows = run.table("outlet", "kind", "source", "n_articles")
    assert {r[header.index("kind")] for r in rows} == {"cited"}
    page = page_without_plotlyjs(run.page)
    assert "toolkit-quality" in page  # the data-quality panel


def test_one_outlet_is_refused_with_a_clear_error(tmp_path):
    out = tmp_path / "out"
    done = toolkit(
        "report", "outlet_comparison", "--corpus", str(SAMPLE), "--topics", str(TOPICS),
        "-p", "outlets=Daily Meridian", "--out", str(out),
    )  # fmt: skip
    assert done.returncode in (2, 3), done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert "outlets=['Daily Meridian'] is not valid" in message
    assert "at least 2" in message


def test_every_chart_has_a_caption_naming_its_denominator():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    charts = [i for i, c in enumerate(cells) if c.cell_type == "code" and re.search(r"_chart\(|heatmap\(", c.source)]
    assert len(charts) >= 6
    for i in charts:
        caption = cells[i + 1]
        assert caption.cell_type == "markdown" and caption.source.startswith("*"), cells[i].source
        assert len(caption.source.splitlines()) == 1
        assert re.search(r"; denominators?\b", caption.source), caption.source


@needs_chromium
def test_every_figure_renders_in_headless_chromium_offline(run, tmp_path):
    dom = chromium_dom(run.out / "outlet_comparison.html", tmp_path)
    figures = run.figures()
    assert dom.count('class="plot-container plotly"') == len(figures)
    for figure in figures:
        assert f'data-unformatted="{attribute(figure_title(figure))}"' in dom
    assert re.search(r"Daily Meridian", dom)
