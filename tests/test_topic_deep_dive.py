"""End-to-end tests of notebooks/topic_deep_dive.ipynb, run through the command line.

The expected figures come from the independent reading of data/sample in
tests/test_coverage_report.py (plain Python over the data files), not from the toolkit.
"""

from __future__ import annotations

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
    day,
    figure_title,
    mentions,
    page_without_plotlyjs,
    read_demo_corpus,
    read_topics,
    toolkit,
    values,
    week_of,
)

pytestmark = pytest.mark.notebook

NOTEBOOK = REPO / "notebooks" / "topic_deep_dive.ipynb"
TOPIC = "Japan"
TITLE = "Deep & <dive>"
PARAMETERS = ["corpus", "topics", "topic", "start", "end", "freq", "title", "top_n"]



@pytest.fixture(scope="module")
def run(tmp_path_factory) -> ReportRun:
    out = tmp_path_factory.mktemp("deep_dive") / "out"
    done = toolkit(
        "report", "topic_deep_dive",
        "--corpus", "data/sample", "--topics", "data/topics/example.yaml",
        "-p", f"topic={TOPIC}", "-p", f"title={TITLE}",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return ReportRun(out, done, "topic_deep_dive")


@pytest.fixture(scope="module")
def corpus():
    return read_demo_corpus()


@pytest.fixture(scope="module")
def japan(corpus):
    return [a for a in corpus if mentions(a, read_topics()[TOPIC])]


def test_parameters_and_description():
    from toolkit.report import list_reports, notebook_parameters

    assert list(notebook_parameters(NOTEBOOK)) == PARAMETERS
    info = {r.name: r for r in list_reports()}["topic_deep_dive"]
    assert info.description.startswith("One topic in depth")
    source = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    assert "def " not in "".join(c.source for c in source.cells if c.cell_type == "code")


def test_runs_every_cell(run):
    errors = [o for c in run.nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, [f"{o.ename}: {o.evalue}" for o in errors]
    assert "<h1>Deep &amp; &lt;dive&gt;: Japan</h1>" in run.page
    assert TITLE not in page_without_plotlyjs(run.page)


def test_summary_and_timeline_match_the_data(run, corpus, japan):
    assert len(japan) == 18
    (summary,) = [m for m in run.outputs("text/markdown") if "was mentioned" in m]
    assert summary.startswith(f"- “Japan” was mentioned in {len(japan)} of {len(corpus)} articles (35.3%, ")
    weekly = Counter(week_of(a.published) for a in japan if a.published)
    traces = run.figure("Articles mentioning Japan, per period")["data"]
    assert len(traces) == 1
    got = dict(zip((day(x) for x in values(traces[0]["x"])), values(traces[0]["y"]), strict=True))
    assert {w: n for w, n in got.items() if n} == dict(weekly)
    best = max(weekly.values())
    peaks = sorted(w for w, n in weekly.items() if n == best)
    totals = Counter(week_of(a.published) for a in corpus if a.published)
    first = peaks[0]
    expected = (
        f"- Attention to “Japan” peaked in the week of {first.day} {first:%B %Y} "
        f"({best} of {totals[first]} articles)"
    )
    assert expected in summary
    if len(peaks) > 1:
        assert f"reached as many in {len(peaks) - 1} other periods" in summary


def test_articles_behind_the_peak(run, corpus, japan):
    header, rows = run.table("topic", "period", "reason", "title", "doc_id")
    weekly = Counter(week_of(a.published) for a in japan if a.published)
    first_peak = min(w for w, n in weekly.items() if n == max(weekly.values()))
    expected = {a.title for a in japan if a.published and week_of(a.published) == first_peak}
    assert {r[header.index("reason")] for r in rows} <= {"spike", "peak"}
    if {r[header.index("reason")] for r in rows} == {"peak"}:
        assert {r[header.index("title")] for r in rows} == expected


def test_kwic_cooccurrence_and_evidence(run, corpus, japan):
    header, rows = run.table("left", "match", "right")
    assert rows
    pattern = read_topics()[TOPIC][0]
    for r in rows:
        assert pattern.fullmatch(r[header.index("match")]), r
    everything = "\n".join(run.outputs("text/html") + run.outputs("text/markdown"))
    assert "Japan Airlines" not in everything  # the excluded phrase's article is not evidence
    header, rows = run.table("topic_a", "topic_b", "n_both")
    korea = read_topics()["South Korea"]
    both = sum(mentions(a, korea) for a in japan)
    row = next(r for r in rows if r[header.index("topic_b")] == "South Korea")
    assert row[header.index("topic_a")] == TOPIC and int(row[header.index("n_both")]) == both
    header, rows = run.table("published", "outlet", "title", "matched")
    assert {r[header.index("title")] for r in rows} == {a.title for a in japan}
    titles = [figure_title(f) for f in run.figures()]
    assert "Distinctive terms: Japan" in titles
    assert "Tone of the sentences mentioning Japan, by outlet" in titles


def test_bad_topic_fails_at_the_first_cell(tmp_path):
    out = tmp_path / "out"
    done = toolkit(
        "report", "topic_deep_dive", "--corpus", str(SAMPLE), "--topics", str(TOPICS),
        "-p", "topic=japan", "--out", str(out),
    )  # fmt: skip
    assert done.returncode in (2, 3), done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert "topic='japan' is not valid" in message
    for name in read_topics():
        assert f"'{name}'" in message
    if done.returncode == 3:
        failed = nbformat.read(out / "topic_deep_dive.failed.ipynb", as_version=4)
        code = [c for c in failed.cells if c.cell_type == "code"]
        # parameters, injected parameters, then the first cell of the report: it fails there.
        errors = [i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs)]
        assert errors == [2]
        assert failed.cells and all(c.execution_count is None for c in code[3:])


def test_every_chart_has_a_caption_naming_its_denominator():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    charts = [i for i, c in enumerate(cells) if c.cell_type == "code" and re.search(r"_chart\(|heatmap\(", c.source)]
    assert len(charts) >= 7
    for i in charts:
        caption = cells[i + 1]
        assert caption.cell_type == "markdown" and caption.source.startswith("*"), cells[i].source
        assert len(caption.source.splitlines()) == 1
        assert re.search(r"; denominators?\b", caption.source), caption.source


@needs_chromium
def test_every_figure_renders_in_headless_chromium_offline(run, tmp_path):
    dom = chromium_dom(run.out / "topic_deep_dive.html", tmp_path)
    figures = run.figures()
    assert dom.count('class="plot-container plotly"') == len(figures)
    for figure in figures:
        assert f'data-unformatted="{attribute(figure_title(figure))}"' in dom
    assert re.search(r"Japan", dom)
