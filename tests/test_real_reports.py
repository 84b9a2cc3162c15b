"""The coverage report on the real corpora in ../shared/corpora, with numbers checked for sense.

* ReCOVery (55 outlets' COVID-19 news, January-May 2020) by outlet, month by month;
* Reuters-21578 (1987 wire copy) over two weeks of March 1987, with a small dictionary of commodity
  and finance topics written here, checked against Reuters' own TOPICS tags;
* BBC (2,225 articles, 2004-2005, five categories) with each category as the group: the corpus
  has no dates and no outlet, so the test builds a folder of symbolic links to the original files
  with one ``corpus.yaml`` per category (outlet ``BBC <category>``, section ``<category>``) under
  tmp_path. No text is copied anywhere.

Each report runs on a real kernel through :func:`toolkit.run_report` in well under a minute. The
figures read back from the executed notebooks (the topic-share table, the outlet-by-topic heatmap)
are compared with counts made here with plain Python (csv, regular expressions) where that is
cheap, and with what a reader would expect (sport articles mention sport; oil stories are tagged
crude). Skipped when ../shared/corpora is absent.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CORPORA, read_bbc_plainly

from toolkit.report import run_report

pytestmark = [
    pytest.mark.corpora,
    pytest.mark.notebook,
    pytest.mark.skipif(
        not CORPORA.is_dir(),
        reason=f"real corpora not found at {CORPORA} (../shared/corpora beside the repository)",
    ),
]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
REPORT_SECONDS = 150  # each run takes 35-50 s alone on 2 cores; a guard against pathological slowness


def _code_cells(notebook: Path) -> list[nbformat.NotebookNode]:
    return [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]


def _table(notebook: Path, marker: str) -> pd.DataFrame:
    """The HTML table displayed by the first code cell whose source contains ``marker``."""
    for cell in _code_cells(notebook):
        if marker in cell.source:
            for output in cell.outputs:
                if "text/html" in output.get("data", {}):
                    return pd.read_html(io.StringIO(output["data"]["text/html"]))[0]
    raise AssertionError(f"no table from a cell containing {marker!r} in {notebook.name}")


def _array(value: object) -> np.ndarray:
    """A plotly JSON array: a list, or plotly >= 6's typed array ``{"bdata", "dtype", "shape"}``."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            data = data.reshape([int(n) for n in str(shape).split(",")])
        return data
    return np.asarray(value, dtype=float)


def _heatmap(notebook: Path) -> pd.DataFrame:
    """The outlet x topic heatmap of the report, as a table (outlets as rows)."""
    for cell in _code_cells(notebook):
        for output in cell.outputs:
            figure = output.get("data", {}).get(PLOTLY_MIME)
            if not figure:
                continue
            traces = [t for t in figure["data"] if t.get("type") == "heatmap"]
            title = str((figure["layout"].get("title") or {}).get("text", ""))
            if traces and "outlet" in title.lower() and "share" in title.lower():
                trace = traces[0]
                return pd.DataFrame(_array(trace["z"]), index=trace["y"], columns=trace["x"])
    raise AssertionError(f"no outlet-by-topic heatmap in {notebook.name}")


def _figures(notebook: Path) -> list[dict]:
    return [
        o["data"][PLOTLY_MIME]
        for c in _code_cells(notebook)
        for o in c.outputs
        if PLOTLY_MIME in o.get("data", {})
    ]


def _write_topics(path: Path, topics: dict[str, list[str]]) -> Path:
    path.write_text(yaml.safe_dump(topics, sort_keys=False), encoding="utf-8")
    return path


# -- ReCOVery by outlet ---------------------------------------------------------------------------

RECOVERY_TOPICS = {
    "Lockdown": ["lockdown*", "stay-at-home", "stay at home", "shelter in place"],
    "Vaccine": ["vaccine*", "vaccination*"],
    "Masks": ["mask", "masks", "face covering*"],
    "Hydroxychloroquine": ["hydroxychloroquine", "chloroquine"],
    "5G": ["5G"],
}


def _recovery_rows(folder: Path) -> pd.DataFrame:
    csv.field_size_limit(sys.maxsize)
    rows = []
    for path in sorted(folder.rglob("*.csv")):
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            for row in csv.DictReader(handle):
                rows.append((row["publisher"], row["publish_date"], row["title"], row["body_text"]))
    return pd.DataFrame(rows, columns=["publisher", "publish_date", "title", "text"])


def test_coverage_report_on_recovery_by_outlet(tmp_path):
    folder = CORPORA / "recovery-covid-news"
    topics = _write_topics(tmp_path / "covid.yaml", RECOVERY_TOPICS)
    outlets = ["Chicago Sun-Times", "Business Insider", "Sputnik News", "The Verge"]
    result = run_report(
        "coverage",
        parameters={
            "corpus": str(folder),
            "topics": str(topics),
            "outlets": outlets,
            "freq": "M",
            "title": "ReCOVery: COVID-19 coverage by outlet",
            "top_n": 10,
            "headlines_per_topic": 5,
        },
        out=tmp_path / "out",
    )
    assert result.duration < REPORT_SECONDS, result.duration

    plain = _recovery_rows(folder)
    plain = plain[plain["publisher"].isin(outlets)]
    assert len(plain) == 322 + 158 + 144 + 139  # CATALOG.md's per-outlet counts

    shares = _table(result.notebook, "topic_shares(").set_index("topic")
    assert set(shares["n_total"]) == {len(plain)}
    # Lockdown, counted here with a plain regex over title and body (lockdown*, stay-at-home, ...)
    lockdown = re.compile(
        r"\blockdown|\bstay[- ]at[- ]home\b|\bshelter[- ]in[- ]place\b", re.IGNORECASE
    )
    expected = (plain["title"] + "\n" + plain["text"]).str.contains(lockdown).sum()
    assert shares.loc["Lockdown", "n_matching"] == expected
    # sensible orders of magnitude for spring 2020
    assert 0.2 < shares.loc["Lockdown", "share"] < 0.8
    assert shares.loc["5G", "share"] < 0.05 < shares.loc["Vaccine", "share"]

    heat = _heatmap(result.notebook)
    assert set(heat.index) == set(outlets)
    # The Verge (technology) writes about 5G more, as a share of its coverage, than a city paper.
    assert heat.loc["The Verge", "5G"] > heat.loc["Chicago Sun-Times", "5G"]
    page = result.html.read_text(encoding="utf-8")
    assert "ReCOVery: COVID-19 coverage by outlet" in page


# -- Reuters-21578 with a commodities and finance dictionary ------------------------------------

REUTERS_TOPICS = {
    "Oil": ["oil", "crude", "opec", "barrel*", "petroleum"],
    "Grain": ["grain*", "wheat", "corn", "maize", "barley", "sorghum"],
    "Currencies": ["dollar", "yen", "mark", "sterling", "currency", "currencies", "exchange rate*"],
    "Interest rates": ["interest rate*", "prime rate", "discount rate", "rate cut*", "fed funds"],
}


def test_coverage_report_on_reuters_with_a_commodities_dictionary(tmp_path):
    folder = CORPORA / "reuters21578"
    topics = _write_topics(tmp_path / "markets.yaml", REUTERS_TOPICS)
    result = run_report(
        "coverage",
        parameters={
            "corpus": str(folder),
            "topics": str(topics),
            "start": "1987-03-02",
            "end": "1987-03-15",
            "freq": "D",
            "title": "Reuters, 2-15 March 1987: markets",
            "top_n": 10,
            "headlines_per_topic": 5,
        },
        out=tmp_path / "out",
    )
    assert result.duration < REPORT_SECONDS, result.duration

    shares = _table(result.notebook, "topic_shares(").set_index("topic")
    n_total = int(shares["n_total"].iloc[0])
    # Two weeks of 1987 Reuters: a few thousand stories (the whole set spans ~8 months).
    assert 1000 < n_total < 8000
    for topic in REUTERS_TOPICS:
        assert 0.02 < shares.loc[topic, "share"] < 0.5, topic

    # Against Reuters' own categories: matching articles carry the matching tag far more often.
    import toolkit as tk

    articles = tk.select_articles(
        tk.load_corpus(folder, progress=False), start="1987-03-02", end="1987-03-15"
    )
    assert len(articles) == n_total
    matches = tk.match_topics(articles, topics)
    tags = articles.set_index("doc_id")["reuters_topics"]

    def tagged(doc_ids, tag: str) -> float:
        return float(tags.loc[list(doc_ids)].map(lambda t: tag in list(t)).mean())

    oil = set(matches.loc[matches["topic"] == "Oil", "doc_id"])
    rest = set(articles["doc_id"]) - oil
    assert tagged(oil, "crude") > 5 * tagged(rest, "crude")
    grain = set(matches.loc[matches["topic"] == "Grain", "doc_id"])
    assert tagged(grain, "grain") > 0.4 and tagged(set(articles["doc_id"]) - grain, "grain") < 0.02
    assert shares.loc["Oil", "n_matching"] == len(oil)

    # a daily timeline over the 14 days
    attention = [
        f for f in _figures(result.notebook) if "per period" in str(f["layout"].get("title"))
    ]
    assert attention
    days = {x[:10] for t in attention[0]["data"] for x in t.get("x", []) if isinstance(x, str)}
    assert min(days) == "1987-03-02" and max(days) <= "1987-03-15" and len(days) >= 10


# -- BBC by category ------------------------------------------------------------------------------

BBC_TOPICS = {
    "Sport": ["football", "cricket", "rugby", "tennis", "olympic*", "championship*", "coach"],
    "Economy": ["economy", "economic", "inflation", "interest rate*", "gdp", "shares", "profit*"],
    "Elections": ["election*", "voter*", "ballot*", "polls"],
    "Film and music": ["film*", "album*", "singer", "oscar*", "box office"],
}


def _bbc_by_category(target: Path) -> Path:
    """Symbolic links to the BBC files, one folder per category with its corpus.yaml."""
    source = CORPORA / "bbc"
    for category in sorted(p.name for p in source.iterdir() if p.is_dir()):
        folder = target / category
        folder.mkdir(parents=True)
        (folder / "corpus.yaml").write_text(
            yaml.safe_dump({"outlet": f"BBC {category}", "fields": {"section": category}}),
            encoding="utf-8",
        )
        for path in sorted((source / category).glob("*.txt")):
            (folder / path.name).symlink_to(path)
    return target


def test_coverage_report_on_bbc_by_category(tmp_path):
    corpus = _bbc_by_category(tmp_path / "bbc")
    topics = _write_topics(tmp_path / "bbc.yaml", BBC_TOPICS)
    result = run_report(
        "coverage",
        parameters={
            "corpus": str(corpus),
            "topics": str(topics),
            "freq": "Y",
            "title": "BBC News 2004-2005 by category",
            "top_n": 10,
            "headlines_per_topic": 5,
        },
        out=tmp_path / "out",
    )
    assert result.duration < REPORT_SECONDS, result.duration

    shares = _table(result.notebook, "topic_shares(").set_index("topic")
    assert set(shares["n_total"]) == {2225}
    heat = _heatmap(result.notebook)
    assert set(heat.index) == {
        f"BBC {c}" for c in ("business", "entertainment", "politics", "sport", "tech")
    }
    # Each topic is most prominent in its own category, by a wide margin.
    for topic, category in [
        ("Sport", "sport"), ("Economy", "business"), ("Elections", "politics"),
        ("Film and music", "entertainment"),
    ]:  # fmt: skip
        column = heat[topic]
        assert column.idxmax() == f"BBC {category}", (topic, column.to_dict())
        assert column.max() > 2 * column.drop(f"BBC {category}").max(), (topic, column.to_dict())
    assert heat.loc["BBC sport", "Sport"] > 0.5 > heat.loc["BBC business", "Sport"]

    # The sport share, counted here from the raw files with a plain regex.
    plain = read_bbc_plainly(CORPORA)
    sport_words = re.compile(
        r"\b(?:football|cricket|rugby|tennis|olympic\w*|championship\w*|coach)\b", re.IGNORECASE
    )
    hits = (plain["title"] + "\n" + plain["text"]).str.contains(sport_words)
    by_section = hits.groupby(plain["section"]).mean()
    assert heat.loc["BBC sport", "Sport"] == pytest.approx(by_section["sport"], abs=0.02)
    assert heat.loc["BBC business", "Sport"] == pytest.approx(by_section["business"], abs=0.02)
