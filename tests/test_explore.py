"""The JupyterLab tutorial notebook (notebooks/explore.ipynb): its shape, and a real papermill run
on the demo corpus in data/sample.

The run goes through :func:`toolkit.run_report` (papermill on this environment's python3 kernel,
then the offline HTML export), with non-default parameters so that the parameters cell is shown
to steer the notebook. Expected figures come from data/sample/README.md and from reading the demo
files with plain Python, not from toolkit functions.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import nbformat
import pytest

from toolkit.errors import ParameterError
from toolkit.report import list_reports, notebook_parameters, run_report

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
SAMPLE = REPO / "data" / "sample"
TOPICS = REPO / "data" / "topics" / "example.yaml"
PLOTLY_MIME = "application/vnd.plotly.v1+json"

# The public API the tour is meant to walk through, in the order of the list.
TOUR = [
    "load_corpus", "load_report", "corpus_summary", "tokenize", "top_terms", "collocations",
    "load_topics", "match_topics", "topic_shares", "attention", "volume", "detect_spikes",
    "outlet_shares", "prominence", "keyness", "kwic", "article_tone", "tone_summary",
    "topic_tone", "source_counts", "duplicate_clusters", "dedupe",
]  # fmt: skip


def _cells() -> list[nbformat.NotebookNode]:
    return nbformat.read(NOTEBOOK, as_version=4).cells


def test_explore_is_listed_with_a_one_line_description():
    info = {r.name: r for r in list_reports()}["explore"]
    assert info.description.startswith("Exploring a news corpus with the toolkit")


def test_explore_follows_the_notebook_rules():
    cells = _cells()
    first = cells[0]
    assert first.cell_type == "code" and first.metadata.get("tags") == ["parameters"]
    params = notebook_parameters(NOTEBOOK)
    assert list(params) == ["corpus", "topics", "freq", "target_outlet", "keyword"]
    assert all(p.help for p in params.values())  # every parameter has its comment
    assert params["freq"].type_description.startswith("one of")
    assert cells[1].cell_type == "markdown" and cells[1].source.startswith("# ")
    for cell in cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs") and cell.get("execution_count") is None  # stripped
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defined, "no function definitions in notebooks"
        assert "print(" not in cell.source


def test_explore_walks_through_the_public_api_in_order():
    code = "\n".join(c.source for c in _cells() if c.cell_type == "code")
    positions = [code.find(f"tk.{name}(") for name in TOUR]
    assert all(p >= 0 for p in positions), [
        n for n, p in zip(TOUR, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions)
    # a markdown explanation before every step
    cells = _cells()
    for i, cell in enumerate(cells[2:], start=2):
        if cell.cell_type == "code":
            assert any(c.cell_type == "markdown" for c in cells[max(1, i - 2) : i]), i


def test_every_chart_has_a_caption_with_its_denominator():
    cells = _cells()
    chart_cells = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "code" and re.search(r"_chart\(|_heatmap\(", c.source)
    ]
    assert len(chart_cells) == 7
    for i in chart_cells:
        caption = cells[i + 1]
        assert caption.cell_type == "markdown" and caption.source.startswith("*Caption:"), i
        assert "denominator" in caption.source.split("\n")[0] or "divided by" in caption.source, i


def test_explore_rejects_bad_parameters_before_a_kernel_starts(tmp_path):
    with pytest.raises(ParameterError, match=r"\['freq'\]='fortnight'.*'D', 'W', 'M', 'Q', 'Y'"):
        run_report("explore", parameters={"freq": "fortnight"}, out=tmp_path)
    assert not list(tmp_path.iterdir())


def _csv_rows() -> int:
    with open(SAMPLE / "daily_meridian.csv", newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


@pytest.mark.notebook
def test_explore_runs_top_to_bottom_with_papermill(tmp_path):
    result = run_report(
        "explore",
        parameters={
            "corpus": str(SAMPLE),
            "topics": str(TOPICS),
            "freq": "M",
            "target_outlet": "Pacific Ledger Online",
            "keyword": "Kishida",
        },
        out=tmp_path,
    )
    nb = nbformat.read(result.notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]

    def text(marker: str) -> str:
        cell = next(c for c in code if marker in c.source)
        return "\n".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)

    def figures(marker: str) -> list[dict]:
        cell = next(c for c in code if marker in c.source)
        return [o["data"][PLOTLY_MIME] for o in cell.outputs if PLOTLY_MIME in o.get("data", {})]

    all_figures = [o for c in code for o in c.outputs if PLOTLY_MIME in o.get("data", {})]
    assert len(all_figures) == 7

    # 51 articles (README: 50 invented + the seed), 12 of them Daily Meridian's CSV rows.
    summary = text("report.summary()")
    assert re.search(r"articles loaded\s+51\b", summary)
    by_outlet = text('tk.corpus_summary(articles, by="outlet")')
    assert re.search(rf"Daily Meridian\s+{_csv_rows()}\b", by_outlet)

    # freq="M": the attention chart has October and November 2021 on its time axis.
    attention = figures("tk.attention_chart(")[0]
    xs = {x[:7] for trace in attention["data"] for x in trace.get("x", []) if isinstance(x, str)}
    assert xs == {"2021-10", "2021-11"}

    # the keyness target and the KWIC keyword came from the parameters
    keyness = figures("tk.keyness_chart(")[0]
    assert "Pacific Ledger Online" in json.dumps(keyness["layout"]["title"])
    kwic = text("tk.kwic(")
    assert kwic.count("Kishida") >= 5

    # the one near-duplicate pair of the demo corpus: one agency story in two outlets
    clusters = text("tk.duplicate_clusters(")
    assert "Pacific Ledger Online" in clusters and "Daily Meridian" in clusters
    assert re.search(r"after removing near-duplicates\s+50\b", text("tk.dedupe("))

    page = result.html.read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div toolkit-figure"') == 7
    assert "guided tour of the public API" in page
