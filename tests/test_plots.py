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


# ---------------------------------------------------------------------------------------------
# Spikes, outlets, prominence, co-occurrence, keyness, tone
# ---------------------------------------------------------------------------------------------

import numpy as np  # noqa: E402

from toolkit.coverage import cooccurrence, detect_spikes, outlet_shares, prominence  # noqa: E402
from toolkit.plots import (  # noqa: E402
    cooccurrence_heatmap,
    keyness_chart,
    outlet_topic_heatmap,
    prominence_chart,
    share_by_outlet_chart,
    tone_chart,
)


@pytest.fixture
def field_hits() -> pd.DataFrame:
    # Japan: a (headline), b (lede), d (body). Korea: a (body), e (lede).
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "d", "a", "e"],
            "topic": ["Japan", "Japan", "Japan", "Korea", "Korea"],
            "n_title": [1, 0, 0, 0, 0],
            "n_lede": [0, 1, 0, 0, 1],
            "n_body": [1, 1, 2, 1, 0],
        }
    )


def test_attention_chart_marks_spikes() -> None:
    periods = pd.date_range("2021-11-01", periods=6, freq="W-MON", tz="UTC")
    table = pd.DataFrame({
        "period": periods, "topic": "Japan", "n_matching": [1, 1, 1, 1, 1, 6],
        "n_total": [10] * 6,
    })
    table["share"] = table["n_matching"] / table["n_total"]
    table["ci_low"], table["ci_high"] = table["share"] - 0.05, table["share"] + 0.05
    spiky = detect_spikes(table, window=4, min_periods=3)
    assert spiky["is_spike"].tolist() == [False] * 5 + [True]
    fig = attention_chart(spiky)
    stars = [t for t in fig.data if t.mode == "markers"]
    assert len(stars) == 1 and stars[0].name == "spike" and stars[0].marker.symbol == "star"
    assert [str(x)[:10] for x in stars[0].x] == ["2021-12-06"] and list(stars[0].y) == [0.6]
    assert stars[0].customdata[0][:2].tolist() == [6, 10]  # the denominators
    assert "z = " in stars[0].hovertemplate and "of %{customdata[1]:,} articles" in stars[0].hovertemplate
    assert len(lines(fig)) == 1  # the line itself is unchanged
    # No spike: no marker trace, even with the column present.
    calm = attention_chart(spiky.assign(is_spike=False))
    assert not [t for t in calm.data if t.mode == "markers"]


@pytest.fixture
def shares(arts: pd.DataFrame) -> pd.DataFrame:
    matches = pd.DataFrame({"doc_id": ["a", "b", "d", "a", "e"], "topic": ["Japan", "Japan", "Japan", "Korea", "Korea"]})
    return outlet_shares(arts, matches)


def test_share_by_outlet_chart_stacks_outlets(shares: pd.DataFrame) -> None:
    fig = share_by_outlet_chart(shares, title="Who covers what")
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["North Post", "South Times"]
    # Japan: a, d (North Post) and b (South Times) of 3; Korea: a and e of 2.
    assert [t.y.tolist() for t in fig.data] == [pytest.approx([2 / 3, 0.5]), pytest.approx([1 / 3, 0.5])]
    assert list(fig.data[0].x) == ["Japan", "Korea"]
    north = fig.data[0].customdata
    assert north[0].tolist() == pytest.approx([2, 3, 2 / 3, 3])  # n_matching, n_topic, own share, n_total
    assert "customdata[1]" in fig.data[0].hovertemplate and "customdata[3]" in fig.data[0].hovertemplate
    assert fig.layout.yaxis.title.text == "Share of the topic's articles"
    assert fig.layout.xaxis.title.text == "Topic"
    counts = share_by_outlet_chart(shares, value="n_matching")
    assert [t.y.tolist() for t in counts.data] == [[2, 1], [1, 1]]
    assert counts.layout.yaxis.title.text == "Matching articles"
    with pytest.raises(ParameterError, match="value='share'"):
        share_by_outlet_chart(shares, value="share")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"\['n_topic'\]"):
        share_by_outlet_chart(shares.drop(columns="n_topic"))


def test_outlet_topic_heatmap(shares: pd.DataFrame) -> None:
    fig = outlet_topic_heatmap(shares, title="Attention by outlet")
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap) and len(fig.data) == 1
    assert list(heat.y) == ["North Post", "South Times"] and list(heat.x) == ["Japan", "Korea"]
    # North Post: a, c, d (Japan a, d; Korea a); South Times: b, e (Japan b; Korea e).
    assert np.allclose(np.asarray(heat.z, dtype=float), [[2 / 3, 1 / 3], [0.5, 0.5]])
    assert np.asarray(heat.customdata)[0, 0].tolist() == [2, 3, 3]  # n_matching, n_total, n_topic
    assert "customdata[1]" in heat.hovertemplate and "customdata[2]" in heat.hovertemplate
    assert fig.layout.xaxis.title.text == "Topic" and fig.layout.yaxis.title.text == "outlet"
    ratio = outlet_topic_heatmap(shares, value="ratio_to_all").data[0]
    assert ratio.zmid == 1.0
    with pytest.raises(ParameterError, match="value='n_matching'"):
        outlet_topic_heatmap(shares, value="n_matching")  # type: ignore[arg-type]


def test_prominence_chart(arts: pd.DataFrame, field_hits: pd.DataFrame) -> None:
    table = prominence(arts, field_hits)
    fig = prominence_chart(table, title="Prominence")
    assert [t.name for t in fig.data] == ["In the headline", "In the lede (not the headline)", "Only in the body"]
    assert fig.layout.barmode == "stack" and all(t.orientation == "h" for t in fig.data)
    # First topic on top: the rows are drawn bottom-up.
    assert list(fig.data[0].y) == ["Korea", "Japan"]
    assert fig.data[0].x.tolist() == pytest.approx([0.0, 1 / 3])
    assert fig.data[2].customdata.tolist() == [[1, 2], [1, 3]]  # n_body_only of n_matching
    assert "matching articles" in fig.data[0].hovertemplate
    assert fig.layout.xaxis.title.text == "Share of matching articles"
    grouped = prominence_chart(prominence(arts, field_hits, by="outlet"), by="outlet")
    y = grouped.data[0].y
    assert len(y) == 2 and list(y[1]) == ["Korea", "Japan", "Korea", "Japan"]
    assert list(y[0]) == ["South Times", "South Times", "North Post", "North Post"]
    with pytest.raises(SchemaError, match="share_body_only"):
        prominence_chart(table.drop(columns="share_body_only"))


def test_cooccurrence_heatmap(arts: pd.DataFrame, field_hits: pd.DataFrame) -> None:
    more = pd.concat([field_hits, pd.DataFrame({"doc_id": ["c"], "topic": ["Trade"]})])
    table = cooccurrence(more, articles=arts)
    fig = cooccurrence_heatmap(table, title="Together")
    heat = fig.data[0]
    assert list(heat.x) == ["Japan", "Korea", "Trade"] == list(heat.y)
    z = np.asarray(heat.z, dtype=float)
    # Japan {a, b, d}, Korea {a, e}: 1 together of 4 -> Jaccard 0.25 in both cells; no diagonal.
    assert z[0, 1] == z[1, 0] == 0.25 and np.isnan(np.diag(z)).all()
    custom = np.asarray(heat.customdata, dtype=float)
    assert custom[0, 1].tolist() == [1, 3, 2, 4, 5]  # n_both, n_a (row), n_b (column), n_either, N
    assert custom[1, 0].tolist() == [1, 2, 3, 4, 5]  # mirrored: the row's topic first
    assert "customdata[4]" in heat.hovertemplate
    pmi = cooccurrence_heatmap(table, value="pmi").data[0]
    # Trade never meets the others: PMI -inf is drawn blank and named in the hover text.
    assert np.isnan(np.asarray(pmi.z, dtype=float)[0, 2]) and pmi.text[0][2] == "never together"
    assert pmi.zmid == 0.0
    json.loads(cooccurrence_heatmap(table, value="pmi").to_json())
    full = cooccurrence_heatmap(cooccurrence(more, articles=arts, ordered=True, diagonal=True))
    assert np.asarray(full.data[0].z, dtype=float)[0, 0] == 1.0
    assert fig.layout.xaxis.title.text == "Topic" and fig.layout.yaxis.title.text == "Topic"


@pytest.fixture
def keyness() -> pd.DataFrame:
    return pd.DataFrame({
        "term": ["seoul", "tokyo", "summit", "rain", "yen"],
        "n_target": [30, 2, 12, 5, 1],
        "n_reference": [3, 25, 10, 6, 9],
        "g2": [25.1, 22.4, 0.3, 0.1, 7.9],
        "p": [1e-6, 2e-6, 0.58, 0.75, 0.005],
        "log_ratio": [3.3, -3.6, 0.3, -0.3, -3.2],
        "direction": ["target", "reference", "target", "reference", "reference"],
    })


def test_keyness_chart_bars_in_both_directions(keyness: pd.DataFrame) -> None:
    fig = keyness_chart(keyness, measure="g2", target="North Post", reference="South Times", title="Key")
    target, reference = fig.data
    assert target.name == "North Post" and reference.name == "South Times"
    assert list(target.y) == ["summit", "seoul"] and target.x.tolist() == [0.3, 25.1]
    assert list(reference.y) == ["tokyo", "yen", "rain"] and reference.x.tolist() == [-22.4, -7.9, -0.1]
    # Bottom-up: the strongest reference term at the bottom, the strongest target term on top.
    assert list(fig.layout.yaxis.categoryarray) == ["tokyo", "yen", "rain", "summit", "seoul"]
    assert target.customdata[1].tolist() == [25.1, 30, 3, 1e-6]  # measure, n_target, n_reference, p
    assert "in North Post" in target.hovertemplate and "p = " in target.hovertemplate
    assert "South Times" in fig.layout.xaxis.title.text and "North Post" in fig.layout.xaxis.title.text
    top = keyness_chart(keyness, n=1)
    assert [list(t.y) for t in top.data] == [["seoul"], ["tokyo"]]
    assert top.data[1].x.tolist() == [-3.6]  # log ratio: already signed, kept to the left
    no_p = keyness_chart(keyness.drop(columns="p"))
    assert "p = " not in no_p.data[0].hovertemplate
    with pytest.raises(ParameterError, match="measure='pmi'"):
        keyness_chart(keyness, measure="pmi")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="n=0"):
        keyness_chart(keyness, n=0)
    with pytest.raises(SchemaError, match=r"\['chi2'\]"):
        keyness_chart(keyness, measure="chi2")


@pytest.fixture
def tone() -> pd.DataFrame:
    return pd.DataFrame({
        "outlet": ["North Post", "South Times", "North Post", "South Times"],
        "topic": ["Japan", "Japan", "Korea", "Korea"],
        "n_articles": [3, 2, 1, 0],
        "n_sentences": [40, 25, 6, 0],
        "mean": [0.12, -0.05, 0.3, np.nan],
        "ci_low": [0.02, -0.2, -0.1, np.nan],
        "ci_high": [0.22, 0.1, 0.7, np.nan],
    })


def test_tone_chart_by_group_with_intervals(tone: pd.DataFrame) -> None:
    fig = tone_chart(tone[tone["topic"] == "Japan"], title="Tone")
    assert len(fig.data) == 1
    dots = fig.data[0]
    assert dots.x.tolist() == [0.12, -0.05] and list(dots.y) == ["North Post", "South Times"]
    assert dots.error_x.array.tolist() == pytest.approx([0.1, 0.15])
    assert dots.error_x.arrayminus.tolist() == pytest.approx([0.1, 0.15])
    assert dots.customdata[0].tolist() == [0.02, 0.22, 40, 3]
    assert "sentences in" in dots.hovertemplate and "customdata[2]" in dots.hovertemplate
    assert fig.layout.xaxis.title.text.startswith("Mean tone") and tuple(fig.layout.xaxis.range) == (-1, 1)
    assert fig.layout.yaxis.title.text == "outlet"
    by_topic = tone_chart(tone, color="topic")
    assert [t.name for t in by_topic.data] == ["Japan", "Korea"]
    periods = pd.DataFrame({
        "period": pd.to_datetime(["2021-11-08", "2021-11-01"], utc=True), "n_articles": [2, 3],
        "n_sentences": [10, 12], "mean": [0.1, 0.2], "ci_low": [0.0, 0.1], "ci_high": [0.2, 0.3],
    })
    line = tone_chart(periods, by="period")
    assert line.data[0].mode == "lines+markers" and line.data[0].y.tolist() == [0.2, 0.1]  # in time order
    assert line.layout.xaxis.title.text == "Period start (UTC)"
    with pytest.raises(SchemaError, match=r"\['n_sentences'\]"):
        tone_chart(tone.drop(columns="n_sentences"))
    with pytest.raises(ParameterError, match="color='outlet'"):
        tone_chart(tone, color="outlet")


def test_new_charts_on_empty_tables(arts: pd.DataFrame, field_hits: pd.DataFrame, keyness, tone) -> None:
    none = arts.iloc[0:0]
    no_hits = field_hits.iloc[0:0]
    for fig in (
        share_by_outlet_chart(outlet_shares(none, no_hits), title="T"),
        share_by_outlet_chart(outlet_shares(arts, no_hits, topics=["Japan"]), title="T"),  # zeros only
        outlet_topic_heatmap(outlet_shares(none, no_hits), title="T"),
        prominence_chart(prominence(arts, no_hits, topics=["Japan"]), title="T"),
        prominence_chart(prominence(none, no_hits, by="outlet"), by="outlet", title="T"),
        cooccurrence_heatmap(cooccurrence(no_hits), title="T"),
        keyness_chart(keyness.iloc[0:0], title="T"),
        tone_chart(tone.iloc[0:0], title="T"),
        tone_chart(tone.iloc[3:], title="T"),  # no sentence scored
    ):
        assert no_data(fig, "T")


def test_new_charts_carry_no_external_resources_and_do_not_mutate(
    arts: pd.DataFrame, field_hits: pd.DataFrame, keyness, tone
) -> None:
    tables = {
        "shares": outlet_shares(arts, field_hits),
        "prominence": prominence(arts, field_hits),
        "co": cooccurrence(field_hits, articles=arts),
        "keyness": keyness,
        "tone": tone,
    }
    before = {k: v.copy() for k, v in tables.items()}
    figures = [
        share_by_outlet_chart(tables["shares"]), outlet_topic_heatmap(tables["shares"]),
        prominence_chart(tables["prominence"]), cooccurrence_heatmap(tables["co"], value="pmi"),
        keyness_chart(tables["keyness"]), tone_chart(tables["tone"], color="topic"),
    ]
    for fig in figures:
        text = fig.to_json()
        assert json.loads(text)["data"] and "http://" not in text and "https://" not in text
        assert fig.layout.template == go.Figure(layout={"template": TEMPLATE}).layout.template
    for k, v in tables.items():
        pd.testing.assert_frame_equal(v, before[k])


def test_cooccurrence_heatmap_with_no_article_mentioning_any_topic_says_so() -> None:
    from toolkit.coverage import cooccurrence
    from toolkit.plots import cooccurrence_heatmap

    none = pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "topic": pd.Series([], dtype="str")})
    table = cooccurrence(none, topics=["A", "B"], articles=pd.DataFrame({"doc_id": ["d1", "d2"]}))
    assert len(table) == 1 and table["n_either"].tolist() == [0]
    fig = cooccurrence_heatmap(table)
    assert fig.data == ()
    assert any(a.text.startswith("No data to show") for a in fig.layout.annotations)


# --- article text is plain text in every figure (issue 7, safe HTML) ---------------------------

_EVIL_OUTLET = 'Post <img src=x onerror="alert(1)"> & "><b>bold</b>'
_EVIL_TOPIC = '<a href="javascript:alert(1)">Law</a>'


def _markup_strings(fig: go.Figure) -> list[str]:
    """Strings of the figure's JSON holding markup that came from the data."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            if "<img" in value or "<a href" in value or "<b>bold" in value or "& " in value:
                found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(fig.to_json()))
    return found


def test_every_chart_shows_article_text_literally() -> None:
    import toolkit as tk
    from toolkit import plots

    articles = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "outlet": [_EVIL_OUTLET, "Plain Times", _EVIL_OUTLET, "Plain Times"],
        "published": pd.to_datetime(["2021-11-01T08:00Z", "2021-11-02T08:00Z", "2021-11-09T08:00Z",
                                     "2021-11-10T08:00Z"], utc=True),
        "title": ["Court <b>bold</b> rules", "Court rules", "Weather", "Court news"],
        "text": ["The court ruled.", "A court case.", "Rain and court.", "Sun."],
    })
    matches = tk.match_topics(articles, tk.load_topics({_EVIL_TOPIC: ["court"], "Weather": ["rain"]}))
    shares = tk.outlet_shares(articles, matches)
    key = pd.DataFrame({"term": ["<b>bold</b>", "x&y"], "n_target": [3, 1], "n_reference": [1, 4],
                        "log_ratio": [1.5, -2.0], "direction": ["target", "reference"]})
    figures = {
        "attention": plots.attention_chart(tk.attention(articles, matches), facet="topic", title=_EVIL_TOPIC),
        "volume": plots.volume_chart(tk.volume(articles, by="outlet"), by="outlet"),
        "terms": plots.terms_chart(pd.DataFrame({"term": ["<b>bold</b>"], "n": [2]})),
        "share": plots.share_by_outlet_chart(shares),
        "heatmap": plots.outlet_topic_heatmap(shares),
        "prominence": plots.prominence_chart(tk.prominence(articles, matches, by="outlet"), by="outlet"),
        "cooccurrence": plots.cooccurrence_heatmap(tk.cooccurrence(matches, articles=articles)),
        "keyness": plots.keyness_chart(key, target=_EVIL_OUTLET, reference="<i>others</i>"),
        "empty": plots.keyness_chart(key.iloc[:0], title=_EVIL_TOPIC),
    }
    for name, fig in figures.items():
        assert _markup_strings(fig) == [], name
    assert plots.escape_plotly_text(_EVIL_OUTLET) in figures["volume"].data[0].name + figures["volume"].data[1].name
    assert figures["keyness"].layout.yaxis.categoryarray == ("x&amp;y", "&lt;b&gt;bold&lt;/b&gt;")
    assert "in &lt;i&gt;others&lt;/i&gt;" in figures["keyness"].data[0].hovertemplate
    assert "<b>%{y}</b>" in figures["keyness"].data[0].hovertemplate  # the toolkit's own markup stays
    assert any("&lt;a href" in a.text for a in figures["attention"].layout.annotations)  # facet titles
    assert figures["empty"].layout.annotations[0].text.startswith(NO_DATA + "<br>")  # our note keeps its markup


def test_escape_figure_copies_and_leaves_numbers_alone() -> None:
    from toolkit.plots import escape_figure

    fig = go.Figure(go.Bar(x=["<b>a</b>", "b & c"], y=[1.5, 2.0], name="<i>n</i>", customdata=[[1, "<x>"], [2, "y"]]))
    fig.update_layout(title="R&D <br>", xaxis={"categoryarray": ["<b>a</b>"], "title": {"text": "<t>"}})
    out = escape_figure(fig)
    assert out is not fig and fig.data[0].x == ("<b>a</b>", "b & c")  # the input is not changed
    assert out.data[0].x == ("&lt;b&gt;a&lt;/b&gt;", "b &amp; c")
    assert list(out.data[0].y) == [1.5, 2.0] and out.data[0].name == "&lt;i&gt;n&lt;/i&gt;"
    assert [list(row) for row in out.data[0].customdata] == [[1, "&lt;x&gt;"], [2, "y"]]
    assert out.layout.title.text == "R&amp;D &lt;br&gt;"
    assert out.layout.xaxis.categoryarray == ("&lt;b&gt;a&lt;/b&gt;",) and out.layout.xaxis.title.text == "&lt;t&gt;"
    # numpy string arrays are fixed-width: the longer escaped strings must not be cut short.
    texts = escape_figure(go.Figure(go.Bar(x=[1, 2], y=[1, 2], text=np.array(["a&", "<b>"])))).data[0].text
    assert list(texts) == ["a&amp;", "&lt;b&gt;"]
