"""Plotly figures: the right traces, the data inside them, readable axes, no external resources."""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from toolkit.coverage import attention, volume
from toolkit.errors import ParameterError, SchemaError
from toolkit.plots import NO_DATA, TEMPLATE, attention_chart, terms_chart, volume_chart


@pytest.fixture
def arts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e"],
            "outlet": ["North Post", "South Times", "North Post", "North Post", "South Times"],
            "published": pd.to_datetime(
                [
                    "2021-11-01T08:00Z",
                    "2021-11-03T12:00Z",
                    "2021-11-07T23:59Z",
                    "2021-11-15T00:00Z",
                    "2021-11-21T10:00Z",
                ],
                utc=True,
            ),
        }
    )


@pytest.fixture
def timeline(arts: pd.DataFrame) -> pd.DataFrame:
    matches = pd.DataFrame(
        {"doc_id": ["a", "b", "d", "a"], "topic": ["Japan", "Japan", "Japan", "Korea"]}
    )
    return attention(arts, matches, freq="W")


def lines(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if t.mode == "lines+markers"]


def test_attention_chart_share_with_bands(timeline: pd.DataFrame) -> None:
    fig = attention_chart(timeline, title="Attention")
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 4  # a band and a line per topic
    assert [t.name for t in lines(fig)] == ["Japan", "Korea"]
    japan = lines(fig)[0]
    assert [str(x)[:10] for x in japan.x] == ["2021-11-01", "2021-11-08", "2021-11-15"]
    assert japan.y[0] == pytest.approx(2 / 3) and math.isnan(japan.y[1]) and japan.y[2] == 0.5
    # Denominators are in the hover data.
    assert japan.customdata[0][:2].tolist() == [2, 3] and japan.customdata[1][:2].tolist() == [0, 0]
    assert "customdata[1]" in japan.hovertemplate and "articles" in japan.hovertemplate
    band = fig.data[0]
    assert band.fill == "toself" and band.hoverinfo == "skip"
    # Two runs of defined bounds (the empty week is a gap): 3-point outlines with a separator.
    assert list(band.x).count(None) == 2
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.title.text == "Share of articles"
    assert fig.layout.xaxis.title.text == "Period start (UTC)"
    assert fig.layout.title.text == "Attention"
    assert fig.layout.template == go.Figure(layout={"template": TEMPLATE}).layout.template


def test_attention_chart_counts_without_ci_and_one_line(timeline: pd.DataFrame) -> None:
    fig = attention_chart(timeline, y="n_matching")
    assert len(fig.data) == 2  # no bands for counts
    assert list(fig.data[0].y) == [2, 0, 1]
    assert fig.layout.yaxis.title.text == "Matching articles"
    assert len(attention_chart(timeline, ci=False).data) == 2
    one = attention_chart(timeline[timeline["topic"] == "Japan"], color=None, ci=False)
    assert [t.name for t in one.data] == ["all articles"]


def test_attention_chart_facets_by_outlet(arts: pd.DataFrame) -> None:
    matches = pd.DataFrame({"doc_id": ["a", "b", "d"], "topic": ["Japan", "Japan", "Korea"]})
    table = attention(arts, matches, freq="W", by="outlet")
    fig = attention_chart(table, facet="outlet")
    assert len(lines(fig)) == 4  # 2 outlets x 2 topics
    assert len(fig.data) == 8
    # One legend entry per topic, same colour in every panel.
    shown = [t.name for t in lines(fig) if t.showlegend]
    assert shown == ["Japan", "Korea"]
    colors = {t.name: set() for t in lines(fig)}
    for t in lines(fig):
        colors[t.name].add(t.line.color)
    assert all(len(c) == 1 for c in colors.values())
    assert [a.text for a in fig.layout.annotations] == [
        "outlet = North Post",
        "outlet = South Times",
    ]
    assert {t.yaxis for t in lines(fig)} == {"y", "y2"}


def test_attention_chart_errors(timeline: pd.DataFrame) -> None:
    with pytest.raises(
        ParameterError, match=r"y='count' is not valid: expected one of 'share', 'n_matching'"
    ):
        attention_chart(timeline, y="count")  # type: ignore[arg-type]
    with pytest.raises(
        SchemaError, match=r"lacks the column\(s\) \['ci_low', 'ci_high'\].*ci=False"
    ):
        attention_chart(timeline.drop(columns=["ci_low", "ci_high"]))
    assert len(attention_chart(timeline.drop(columns=["ci_low", "ci_high"]), ci=False).data) == 2
    with pytest.raises(SchemaError, match=r"\['outlet'\]"):
        attention_chart(timeline, facet="outlet")


def test_volume_chart_stacked(arts: pd.DataFrame) -> None:
    fig = volume_chart(volume(arts, freq="W", by="outlet"), by="outlet", title="Articles per week")
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["North Post", "South Times"]
    assert [list(t.y) for t in fig.data] == [[2, 0, 1], [1, 0, 1]]
    assert list(fig.data[0].customdata) == [3, 0, 2]  # period totals in the hover
    assert fig.layout.yaxis.title.text == "Articles"
    single = volume_chart(volume(arts, freq="M"))
    assert len(single.data) == 1 and list(single.data[0].y) == [5]
    with pytest.raises(SchemaError, match="n_articles"):
        volume_chart(pd.DataFrame({"period": []}))


def test_terms_chart_single_and_faceted() -> None:
    counts = pd.DataFrame(
        {
            "outlet": ["North Post"] * 3 + ["South Times"] * 2,
            "term": ["japan", "korea", "talks", "seoul", "tokyo"],
            "n": [5, 9, 2, 4, 7],
        }
    )
    fig = terms_chart(counts[counts["outlet"] == "North Post"], title="Top terms")
    assert len(fig.data) == 1 and fig.data[0].orientation == "h"
    assert list(fig.data[0].y) == ["talks", "japan", "korea"]  # largest drawn on top
    assert list(fig.data[0].x) == [2, 5, 9]
    faceted = terms_chart(counts, by="outlet")
    assert len(faceted.data) == 2
    assert [list(t.y) for t in faceted.data] == [["talks", "japan", "korea"], ["seoul", "tokyo"]]
    assert [a.text for a in faceted.layout.annotations] == ["North Post", "South Times"]
    renamed = terms_chart(
        counts.rename(columns={"term": "word", "n": "tf_idf"}), term="word", value="tf_idf"
    )
    assert renamed.layout.xaxis.title.text == "tf_idf"
    with pytest.raises(SchemaError, match=r"\['term'\]"):
        terms_chart(counts.rename(columns={"term": "word"}))


def test_figures_carry_their_data_and_no_external_resources(
    timeline: pd.DataFrame, arts: pd.DataFrame
) -> None:
    for fig in (
        attention_chart(timeline),
        volume_chart(volume(arts), by=None),
        terms_chart(pd.DataFrame({"term": ["japan"], "n": [1]})),
    ):
        spec = json.loads(fig.to_json())
        assert spec["data"] and spec["layout"]["template"]
        assert "http://" not in fig.to_json() and "https://" not in fig.to_json()


def test_plots_do_not_mutate_input(timeline: pd.DataFrame) -> None:
    before = timeline.copy()
    attention_chart(timeline, facet="topic")
    pd.testing.assert_frame_equal(timeline, before)


# ---------------------------------------------------------------------------------------------
# Empty and degenerate tables: a figure with its title and a note, never an exception
# ---------------------------------------------------------------------------------------------


def no_data(fig: go.Figure, title: str) -> bool:
    """The figure is the empty kind: the title, the note, no traces, and it serialises."""
    notes = [a.text for a in fig.layout.annotations if a.text.startswith(NO_DATA)]
    json.loads(fig.to_json())
    return fig.layout.title.text == title and len(notes) == 1 and len(fig.data) == 0


@pytest.fixture
def no_rows(arts: pd.DataFrame) -> pd.DataFrame:
    return arts.iloc[0:0]


@pytest.fixture
def undated(arts: pd.DataFrame) -> pd.DataFrame:
    return arts.assign(published=pd.Series(pd.NaT, index=arts.index, dtype="datetime64[us, UTC]"))


@pytest.mark.parametrize("which", ["no_rows", "undated"])
def test_attention_chart_of_an_empty_timeline(which: str, request: pytest.FixtureRequest) -> None:
    articles = request.getfixturevalue(which)
    matches = pd.DataFrame({"doc_id": ["a"], "topic": ["Japan"]})
    table = attention(articles, matches, freq="W", topics=["Japan", "Korea"])
    assert table.empty
    for kwargs in ({}, {"y": "n_matching"}, {"facet": "topic"}, {"facet": "topic", "color": None}):
        assert no_data(attention_chart(table, title="T", **kwargs), "T"), kwargs  # type: ignore[arg-type]
    # A bad argument is still an error on an empty table.
    with pytest.raises(SchemaError, match=r"\['outlet'\]"):
        attention_chart(table, facet="outlet")


def test_attention_chart_when_every_period_is_empty(no_rows: pd.DataFrame) -> None:
    # A range with no article in it: one row per (period, topic), all n_total 0, shares NaN.
    table = attention(
        no_rows,
        pd.DataFrame({"doc_id": [], "topic": []}),
        freq="W",
        start="2030-01-01",
        topics=["Japan", "Korea"],
    )
    assert len(table) == 2 and (table["n_total"] == 0).all()
    assert no_data(attention_chart(table, facet="topic", title="Share"), "Share")
    assert no_data(attention_chart(table, y="n_matching", title="Count"), "Count")


def test_attention_chart_with_articles_but_no_match_draws_zero_lines(arts: pd.DataFrame) -> None:
    table = attention(arts, pd.DataFrame({"doc_id": [], "topic": []}), freq="W", topics=["Japan"])
    fig = attention_chart(table, y="n_matching")
    assert [list(t.y) for t in fig.data] == [[0, 0, 0]]
    assert not fig.layout.annotations
    assert fig.layout.yaxis.dtick == 1  # small counts: whole-number ticks only


@pytest.mark.parametrize("which", ["no_rows", "undated"])
def test_volume_chart_of_an_empty_table(which: str, request: pytest.FixtureRequest) -> None:
    articles = request.getfixturevalue(which)
    for by in (None, "outlet"):
        table = volume(articles, freq="W", by=by)
        assert table.empty
        assert no_data(volume_chart(table, by=by, title="Volume"), "Volume")


def test_terms_chart_of_an_empty_table() -> None:
    empty = pd.DataFrame(
        {
            "topic": pd.Series([], dtype="str"),
            "term": pd.Series([], dtype="str"),
            "n": pd.Series([], dtype="int64"),
        }
    )
    assert no_data(terms_chart(empty, by="topic", title="Per topic"), "Per topic")
    assert no_data(terms_chart(empty, title="All"), "All")
    assert no_data(terms_chart(empty), None)
    with pytest.raises(SchemaError, match=r"\['outlet'\]"):
        terms_chart(empty, by="outlet")


def test_a_single_period_gets_one_dated_tick(arts: pd.DataFrame) -> None:
    yearly = volume(arts, freq="Y", by="outlet")
    fig = volume_chart(yearly, by="outlet")
    assert [str(x)[:10] for x in fig.layout.xaxis.tickvals] == ["2021-01-01"]
    assert fig.layout.xaxis.tickformat == "%Y-%m-%d"
    line = attention_chart(
        attention(arts, pd.DataFrame({"doc_id": ["a"], "topic": ["Japan"]}), freq="Y")
    )
    assert [str(x)[:10] for x in line.layout.xaxis.tickvals] == ["2021-01-01"]
    # Several periods: plotly chooses the ticks.
    # Several weeks: one tick per week, on the Monday the week starts (plotly alone picks Sundays).
    weekly = volume_chart(volume(arts, freq="W")).layout.xaxis.tickvals
    assert [str(x)[:10] for x in weekly] == ["2021-11-01", "2021-11-08", "2021-11-15"]


def test_faceted_share_chart_lists_every_topic_once_and_draws_whiskers(timeline: pd.DataFrame) -> None:
    fig = attention_chart(timeline, facet="topic")
    shown = [t.name for t in lines(fig) if t.showlegend]
    assert sorted(shown) == sorted(set(timeline["topic"]))
    for trace in lines(fig):
        assert trace.error_y.array is not None  # an isolated period still shows its interval
