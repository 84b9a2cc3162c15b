"""Attention and volume over time: zero-fill, denominators, groups, ranges and the Wilson interval."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from toolkit.coverage import (
    attention,
    attention_table,
    matching_articles,
    topic_terms,
    volume,
    wilson_interval,
)
from toolkit.errors import ParameterError, SchemaError
from toolkit.stats import top_terms
from toolkit.text import tokenize

UTC = "UTC"


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz=UTC)


@pytest.fixture
def arts() -> pd.DataFrame:
    # Weeks (Monday starts): 2021-11-01, 2021-11-08 (no articles), 2021-11-15.
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e", "f"],
            "outlet": [
                "North Post",
                "South Times",
                "North Post",
                "North Post",
                "South Times",
                "South Times",
            ],
            "published": pd.to_datetime(
                [
                    "2021-11-01T08:00Z",
                    "2021-11-03T12:00Z",
                    "2021-11-07T23:59Z",
                    "2021-11-15T00:00Z",
                    "2021-11-21T10:00Z",
                    None,
                ],
                utc=True,
            ),
            "title": ["t"] * 6,
            "text": ["x"] * 6,
        }
    ).astype({"doc_id": "str", "outlet": "str", "title": "str", "text": "str"})


@pytest.fixture
def matches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "d", "a", "f"],
            "topic": ["Japan", "Japan", "Japan", "Korea", "Korea"],  # f is undated
            "n": [1, 2, 1, 1, 1],
        }
    )


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def test_attention_weekly_zero_filled(arts: pd.DataFrame, matches: pd.DataFrame, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="toolkit.coverage"):
        got = attention(arts, matches, freq="W")
    assert "1 of 6 articles have no publication date" in caplog.text
    assert list(got.columns) == [
        "period",
        "topic",
        "n_matching",
        "n_total",
        "share",
        "ci_low",
        "ci_high",
    ]
    assert got["period"].dtype == "datetime64[us, UTC]"
    assert (
        got["period"].tolist()
        == [ts("2021-11-01")] * 2 + [ts("2021-11-08")] * 2 + [ts("2021-11-15")] * 2
    )
    assert got["topic"].tolist() == ["Japan", "Korea"] * 3
    assert got["n_matching"].tolist() == [2, 1, 0, 0, 1, 0]
    assert got["n_total"].tolist() == [3, 3, 0, 0, 2, 2]
    np.testing.assert_allclose(got["share"], [2 / 3, 1 / 3, np.nan, np.nan, 0.5, 0.0])
    # The empty week: share and interval undefined, not zero.
    assert got.loc[2:3, ["ci_low", "ci_high"]].isna().all().all()
    low, high = wilson_by_hand(2, 3)
    assert got.loc[0, "ci_low"] == pytest.approx(low) and got.loc[0, "ci_high"] == pytest.approx(
        high
    )
    assert got.loc[5, "ci_low"] == 0.0 and got.loc[5, "ci_high"] == pytest.approx(
        wilson_by_hand(0, 2)[1]
    )


def test_attention_daily_and_monthly(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    daily = attention(arts, matches, freq="D")
    assert daily["period"].nunique() == 21  # 2021-11-01 .. 2021-11-21
    assert daily["n_total"].sum() == 5 * 2  # five dated articles, counted once per topic row
    monthly = attention(arts, matches, freq="M")
    assert monthly[["topic", "n_matching", "n_total"]].values.tolist() == [
        ["Japan", 3, 5],
        ["Korea", 1, 5],
    ]
    assert monthly["period"].unique().tolist() == [ts("2021-11-01")]


def test_repeated_match_rows_count_an_article_once(arts: pd.DataFrame) -> None:
    m = pd.DataFrame({"doc_id": ["a", "a", "a"], "topic": ["Japan"] * 3})
    got = attention(arts, m, freq="M")
    assert got["n_matching"].tolist() == [1]


def test_topics_without_hits_appear_with_zeros(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    got = attention(arts, matches, freq="M", topics=["Climate", "Korea"])
    assert got["topic"].tolist() == ["Climate", "Korea", "Japan"]
    assert got["n_matching"].tolist() == [0, 1, 3]
    assert got["n_total"].tolist() == [5, 5, 5]
    assert got.loc[0, "share"] == 0.0 and got.loc[0, "ci_low"] == 0.0
    empty = attention(arts, matches.iloc[0:0], freq="M", topics="Climate")
    assert empty[["topic", "n_matching", "n_total"]].values.tolist() == [["Climate", 0, 5]]


def test_attention_by_outlet_every_group_every_period(
    arts: pd.DataFrame, matches: pd.DataFrame
) -> None:
    got = attention(arts, matches, freq="W", by="outlet")
    assert list(got.columns[:3]) == ["period", "outlet", "topic"]
    assert len(got) == 3 * 2 * 2
    japan = got[got["topic"] == "Japan"]
    assert japan[["outlet", "n_matching", "n_total"]].values.tolist() == [
        ["North Post", 1, 2],
        ["South Times", 1, 1],  # week 1: a, c | b
        ["North Post", 0, 0],
        ["South Times", 0, 0],  # week 2: nothing
        ["North Post", 1, 1],
        ["South Times", 0, 1],  # week 3: d | e
    ]
    # Totals are consistent across groupings: groups add up to the ungrouped table.
    flat = attention(arts, matches, freq="W")
    summed = got.groupby(["period", "topic"], as_index=False)[["n_matching", "n_total"]].sum()
    pd.testing.assert_frame_equal(summed, flat[["period", "topic", "n_matching", "n_total"]])


def test_missing_group_values_form_their_own_group(
    arts: pd.DataFrame, matches: pd.DataFrame
) -> None:
    arts = arts.assign(outlet=arts["outlet"].where(arts["doc_id"] != "d"))
    got = volume(arts, freq="M", by="outlet")
    assert got["n_articles"].tolist() == [2, 2, 1]
    assert got["outlet"].isna().tolist() == [False, False, True]


def test_start_end_select_whole_periods(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    # Wednesday to Tuesday: the weeks containing them, 2021-10-25 to 2021-11-08, whole.
    got = attention(arts, matches, freq="W", start="2021-10-27", end=pd.Timestamp("2021-11-09"))
    assert got["period"].unique().tolist() == [ts("2021-10-25"), ts("2021-11-01"), ts("2021-11-08")]
    assert got["n_total"].tolist() == [0, 0, 3, 3, 0, 0]  # d and e (week of 11-15) fall outside
    assert got["n_matching"].tolist() == [0, 0, 2, 1, 0, 0]
    # A date-only end includes that whole day; times in other zones are converted to UTC.
    daily = attention(arts, matches, freq="D", start="2021-11-07T20:00-05:00", end="2021-11-15")
    assert daily["period"].iloc[0] == ts("2021-11-08")
    assert daily["period"].iloc[-1] == ts("2021-11-15")
    assert daily.groupby("period")["n_total"].first().tolist() == [0] * 7 + [1]


def test_bad_arguments(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    with pytest.raises(
        ParameterError,
        match=r"by='desk' is not valid: expected None or a column of articles: \[.*'outlet'",
    ):
        attention(arts, matches, by="desk")
    with pytest.raises(ParameterError, match=r"freq='week' is not valid: expected one of 'D', 'W'"):
        attention(arts, matches, freq="week")  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"end='2021-10-01' is not valid: expected a date or time on or after start='2021-11-01'",
    ):
        attention(arts, matches, start="2021-11-01", end="2021-10-01")
    with pytest.raises(ParameterError, match=r"start='last tuesday' is not valid"):
        volume(arts, start="last tuesday")
    with pytest.raises(SchemaError, match=r"matches lacks the column\(s\) \['topic'\]"):
        attention(arts, matches.drop(columns="topic"))
    with pytest.raises(SchemaError, match=r"articles lacks the column\(s\) \['published'\]"):
        volume(arts.drop(columns="published"))
    with pytest.raises(SchemaError, match="tz-aware"):
        volume(arts.assign(published=["2021-11-01"] * 6))
    with pytest.raises(ParameterError, match="by='topic'"):
        attention(arts.assign(topic="x"), matches, by="topic")


def test_unknown_match_ids_are_ignored_and_logged(arts: pd.DataFrame, caplog) -> None:
    m = pd.DataFrame({"doc_id": ["a", "zzz"], "topic": ["Japan", "Japan"]})
    with caplog.at_level(logging.WARNING, logger="toolkit.coverage"):
        got = attention(arts, m, freq="M")
    assert got["n_matching"].tolist() == [1]
    assert "1 match rows name a doc_id that is not in articles" in caplog.text


def test_inputs_are_not_mutated(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    a, m = arts.copy(), matches.copy()
    attention(arts, matches, by="outlet")
    volume(arts, by="outlet")
    pd.testing.assert_frame_equal(arts, a)
    pd.testing.assert_frame_equal(matches, m)


def test_no_dated_articles_gives_an_empty_table(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    undated = arts.assign(
        published=pd.Series(pd.NaT, index=arts.index, dtype="datetime64[us, UTC]")
    )
    got = attention(undated, matches)
    assert got.empty and list(got.columns) == [
        "period",
        "topic",
        "n_matching",
        "n_total",
        "share",
        "ci_low",
        "ci_high",
    ]
    # With an explicit range the periods are still there, with zero articles.
    assert volume(undated, freq="M", start="2021-01-01", end="2021-03-31")[
        "n_articles"
    ].tolist() == [0, 0, 0]


# ---------------------------------------------------------------------------------------------
# volume
# ---------------------------------------------------------------------------------------------


def test_volume(arts: pd.DataFrame) -> None:
    got = volume(arts, freq="W")
    assert list(got.columns) == ["period", "n_articles"]
    assert got["n_articles"].tolist() == [3, 0, 2]
    by = volume(arts, freq="W", by="outlet")
    assert list(by.columns) == ["period", "outlet", "n_articles"]
    assert by["n_articles"].tolist() == [2, 1, 0, 0, 1, 1]
    assert by["outlet"].tolist() == ["North Post", "South Times"] * 3


# ---------------------------------------------------------------------------------------------
# Wilson interval
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (1, 1), (0, 10), (5, 10), (10, 10), (1, 3), (37, 200), (999, 1000)]
)
def test_wilson_against_hand_formula_and_scipy(k: int, n: int) -> None:
    low, high = wilson_interval(k, n)
    hand = wilson_by_hand(k, n)
    ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert float(low) == pytest.approx(hand[0], abs=1e-12)
    assert float(high) == pytest.approx(hand[1], abs=1e-12)
    assert float(low) == pytest.approx(ref.low, abs=1e-9)
    assert float(high) == pytest.approx(ref.high, abs=1e-9)


def test_wilson_known_values_and_edges() -> None:
    # 5 of 10 at 95%: 0.5 -+ 0.2634 (textbook value 0.2366 .. 0.7634).
    low, high = wilson_interval([5, 0, 10, 0], [10, 10, 10, 0])
    assert low.round(4).tolist()[:3] == [0.2366, 0.0, 0.7225]
    assert high.round(4).tolist()[:3] == [0.7634, 0.2775, 1.0]
    assert np.isnan(low[3]) and np.isnan(high[3])
    low90, high90 = wilson_interval(5, 10, level=0.9)
    ref = binomtest(5, 10).proportion_ci(confidence_level=0.9, method="wilson")
    assert (float(low90), float(high90)) == pytest.approx((ref.low, ref.high))
    with pytest.raises(ParameterError, match="k="):
        wilson_interval(3, 2)
    with pytest.raises(ParameterError, match="level=95"):
        wilson_interval(1, 2, level=95)


@settings(max_examples=100, deadline=None)
@given(
    days=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=30),
    flags=st.lists(st.booleans(), min_size=30, max_size=30),
    outlets=st.lists(st.sampled_from(["A", "B", "C"]), min_size=30, max_size=30),
    freq=st.sampled_from(["D", "W", "M"]),
)
def test_property_shares_intervals_and_totals(days, flags, outlets, freq) -> None:
    n = len(days)
    arts = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "outlet": outlets[:n],
            "published": pd.Timestamp("2021-01-01", tz=UTC) + pd.to_timedelta(days, unit="D"),
        }
    )
    matches = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n) if flags[i]], "topic": "T"})
    got = attention(arts, matches, freq=freq, by="outlet", topics=["T"])
    defined = got["n_total"] > 0
    assert got.loc[~defined, "share"].isna().all()
    share = got.loc[defined, "share"]
    assert share.between(0, 1).all()
    assert (got.loc[defined, "ci_low"] <= share + 1e-12).all() and (
        share <= got.loc[defined, "ci_high"] + 1e-12
    ).all()
    assert got["n_total"].sum() == n
    assert got["n_matching"].sum() == sum(flags[:n])
    # Ratio of sums: re-binned totals equal the ungrouped table.
    flat = attention(arts, matches, freq=freq, topics=["T"])
    assert got.groupby("period")["n_total"].sum().tolist() == flat["n_total"].tolist()
    assert volume(arts, freq=freq)["n_articles"].tolist() == flat["n_total"].tolist()


# ---------------------------------------------------------------------------------------------
# attention_table
# ---------------------------------------------------------------------------------------------


def test_attention_table_wide(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    got = attention_table(attention(arts, matches, freq="W", topics=["Korea", "Japan"]))
    assert got.index.name == "period" and got.columns.name == "topic"
    assert got.index.tolist() == [ts("2021-11-01"), ts("2021-11-08"), ts("2021-11-15")]
    assert got.columns.tolist() == ["Korea", "Japan", "n_total"]  # the timeline's topic order
    assert got.values.tolist() == [[1, 2, 3], [0, 0, 0], [0, 1, 2]]
    shares = attention_table(attention(arts, matches, freq="W"), value="share")
    np.testing.assert_allclose(
        shares[["Japan", "Korea"]].to_numpy(), [[2 / 3, 1 / 3], [np.nan, np.nan], [0.5, 0.0]]
    )
    assert shares["n_total"].tolist() == [3, 0, 2]


def test_attention_table_by_group_and_empty(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    got = attention_table(attention(arts, matches, freq="W", by="outlet"))
    assert got.index.names == ["period", "outlet"]
    assert got.loc[(ts("2021-11-01"), "North Post")].tolist() == [1, 1, 2]  # Japan, Korea, n_total
    assert got.loc[(ts("2021-11-15"), "South Times")].tolist() == [0, 0, 1]
    empty = attention_table(attention(arts.iloc[0:0], matches.iloc[0:0], topics=["Japan"]))
    assert len(empty) == 0 and empty.columns.tolist() == ["n_total"]


def test_attention_table_errors(arts: pd.DataFrame, matches: pd.DataFrame) -> None:
    table = attention(arts, matches)
    with pytest.raises(ParameterError, match=r"value='n'.*'n_matching', 'share'"):
        attention_table(table, value="n")  # type: ignore[arg-type]
    with pytest.raises(
        SchemaError, match=r"lacks the column\(s\) \['n_total'\].*toolkit.attention"
    ):
        attention_table(table.drop(columns="n_total"))
    with pytest.raises(SchemaError, match="topic called 'n_total'"):
        attention_table(table.assign(topic="n_total"))


# ---------------------------------------------------------------------------------------------
# topic_terms: top_terms over the articles matching each topic
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def texts() -> pd.DataFrame:
    """Words (lower-cased, no punctuation), per article:

    a: japan talks | japan and korea hold talks talks went well        (10 words)
    b: korea 's view | korea wants talks japan agrees                   (8 words)
    c: talks talks and more talks                                       (5 words, no topic)
    """
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "outlet": ["X", "Y", "X"],
            "published": pd.to_datetime(["2021-11-01T10:00Z", None, "2021-11-02T10:00Z"], utc=True),
            "title": ["Japan talks", "Korea's view", None],
            "text": [
                "Japan and Korea hold talks. Talks went well.",
                "Korea wants talks! Japan agrees.",
                "Talks, talks and more talks.",
            ],
        }
    )


@pytest.fixture
def topic_hits() -> pd.DataFrame:
    # a matches both topics (and is listed twice for Japan: counted once).
    return pd.DataFrame(
        {"doc_id": ["a", "a", "b", "a"], "topic": ["Japan", "Korea", "Korea", "Japan"]}
    )


COLUMNS = ["topic", "rank", "term", "n", "docfreq", "share", "n_docs"]


def test_topic_terms_by_hand(texts: pd.DataFrame, topic_hits: pd.DataFrame) -> None:
    got = topic_terms(texts, topic_hits, n=3, stopwords=False)
    assert list(got.columns) == COLUMNS
    # Japan: article a only, 10 words. Korea: a and b, 18 words. Ties in n go alphabetically.
    assert got.drop(columns="share").values.tolist() == [
        ["Japan", 1, "talks", 3, 1, 1],
        ["Japan", 2, "japan", 2, 1, 1],
        ["Japan", 3, "and", 1, 1, 1],
        ["Korea", 1, "talks", 4, 2, 2],
        ["Korea", 2, "japan", 3, 2, 2],
        ["Korea", 3, "korea", 3, 2, 2],
    ]
    np.testing.assert_allclose(got["share"], [3 / 10, 2 / 10, 1 / 10, 4 / 18, 3 / 18, 3 / 18])


def test_topic_terms_ignores_punctuation_and_case_of_a_given_tokens_table(
    texts: pd.DataFrame, topic_hits: pd.DataFrame
) -> None:
    expected = topic_terms(texts, topic_hits, n=5, stopwords=False)
    raw = tokenize(texts, punct=True, lower=False)
    assert {".", "!", "Japan", "Talks"} <= set(raw["token"])
    pd.testing.assert_frame_equal(
        topic_terms(texts, topic_hits, n=5, stopwords=False, tokens=raw), expected
    )
    # lower=False keeps the case: "Talks" (sentence start) and "talks" are two terms.
    cased = topic_terms(
        texts, topic_hits, n=3, stopwords=False, tokens=raw, lower=False, topics=["Japan"]
    )
    assert cased[["term", "n"]].values.tolist() == [["Japan", 2], ["talks", 2], ["Korea", 1]]
    assert (cased["share"] * 10).round(6).tolist() == [2, 2, 1]


def test_topic_terms_options(texts: pd.DataFrame, topic_hits: pd.DataFrame) -> None:
    # Default stopwords drop "and", "'s".
    korea = topic_terms(texts, topic_hits, n=20, topics=["Korea"])
    assert "and" not in set(korea["term"]) and "'s" not in set(korea["term"])
    assert korea["share"].sum() == pytest.approx(1.0)  # shares of the counted words: 16 of them
    assert korea.loc[0, ["term", "n"]].tolist() == ["talks", 4]
    assert korea.loc[0, "share"] == pytest.approx(4 / 16)
    titles = topic_terms(texts, topic_hits, n=5, stopwords=False, fields=("title",))
    assert titles[["topic", "term", "n"]].values.tolist() == [
        ["Japan", "japan", 1],
        ["Japan", "talks", 1],
        ["Korea", "'s", 1],
        ["Korea", "japan", 1],
        ["Korea", "korea", 1],
        ["Korea", "talks", 1],
        ["Korea", "view", 1],
    ]
    assert topic_terms(texts, topic_hits, n=5, min_n=3, stopwords=False)[
        ["topic", "term"]
    ].values.tolist() == [
        ["Japan", "talks"],
        ["Korea", "talks"],
        ["Korea", "japan"],
        ["Korea", "korea"],
    ]
    news = texts.assign(text=texts["text"].str.replace("hold talks", "said talks"))
    assert "said" in set(topic_terms(news, topic_hits, stopwords=False)["term"])
    assert "said" not in set(topic_terms(news, topic_hits, stopwords="news")["term"])
    # topics= filters and orders.
    assert topic_terms(texts, topic_hits, topics=["Korea", "Japan"])["topic"].unique().tolist() == [
        "Korea",
        "Japan",
    ]


def test_topic_terms_agrees_with_top_terms_on_the_sample_corpus() -> None:
    from toolkit.load.core import load_corpus
    from toolkit.topics import match_topics

    articles = load_corpus(REPO / "data" / "sample", progress=False)
    tokens = tokenize(articles, progress=False)
    matches = match_topics(articles, REPO / "data" / "topics" / "example.yaml")
    got = topic_terms(articles, matches, n=15, tokens=tokens, stopwords="news")
    assert got["topic"].nunique() == matches["topic"].nunique() == 5
    for topic, part in got.groupby("topic"):
        ids = matches.loc[matches["topic"] == topic, "doc_id"].unique()
        subset = articles[articles["doc_id"].isin(ids)]
        expected = top_terms(subset, n=15, tokens=tokens, stopwords="news")
        pd.testing.assert_frame_equal(
            part[["rank", "term", "n", "docfreq", "share"]].reset_index(drop=True), expected
        )
        assert (part["n_docs"] == len(ids)).all()


def test_topic_terms_errors(texts: pd.DataFrame, topic_hits: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match=r"n=0 is not valid: expected an integer >= 1"):
        topic_terms(texts, topic_hits, n=0)
    with pytest.raises(ParameterError, match=r"min_n=0"):
        topic_terms(texts, topic_hits, min_n=0)
    with pytest.raises(ParameterError, match=r"stopwords='english'"):
        topic_terms(texts, topic_hits, stopwords="english")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"matches lacks the column\(s\) \['topic'\]"):
        topic_terms(texts, topic_hits.rename(columns={"topic": "label"}))


# ---------------------------------------------------------------------------------------------
# Empty selections: zero rows, or no dated article
# ---------------------------------------------------------------------------------------------


def test_empty_selection_gives_empty_tables(texts: pd.DataFrame, topic_hits: pd.DataFrame) -> None:
    none = texts.iloc[0:0]
    no_hits = topic_hits.iloc[0:0]
    assert volume(none, by="outlet").empty
    assert attention(none, no_hits, topics=["Japan"]).empty
    # Match rows whose articles are not in the selection are ignored, not an IndexError.
    assert attention(none, topic_hits).empty
    got = topic_terms(none, no_hits)
    assert list(got.columns) == COLUMNS and got.empty
    assert topic_terms(none, topic_hits).empty
    assert topic_terms(texts, no_hits).empty
    arts = matching_articles(none, no_hits, n=5)
    assert arts.empty and list(arts.columns) == ["topic", "doc_id", "published", "outlet", "title"]


def test_undated_selection(texts: pd.DataFrame, topic_hits: pd.DataFrame) -> None:
    undated = texts.assign(
        published=pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us, UTC]")
    )
    assert volume(undated, freq="W", by="outlet").empty
    assert attention(undated, topic_hits, freq="W").empty
    # Words and evidence do not need dates.
    pd.testing.assert_frame_equal(topic_terms(undated, topic_hits), topic_terms(texts, topic_hits))
    listed = matching_articles(undated, topic_hits)
    assert len(listed) == 4 and listed["published"].isna().all()


@pytest.mark.notebook
def test_coverage_report_runs_to_the_end_on_an_empty_selection(tmp_path) -> None:
    import nbformat

    from toolkit.report import run_report

    result = run_report(
        REPO / "notebooks" / "coverage_report.ipynb",
        parameters={
            "corpus": str(REPO / "data" / "sample"),
            "topics": str(REPO / "data" / "topics" / "example.yaml"),
            "start": "2030-01-01",
        },
        out=tmp_path,
    )
    assert result.html.is_file() and result.notebook.is_file()
    nb = nbformat.read(result.notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [
        o.data["application/vnd.plotly.v1+json"]
        for o in outputs
        if "application/vnd.plotly.v1+json" in o.get("data", {})
    ]
    # Every chart of the report is drawn, each as an empty "No data to show" figure.
    assert len(figures) >= 5
    for figure in figures:
        notes = [
            a["text"]
            for a in figure["layout"].get("annotations", [])
            if a["text"].startswith("No data to show")
        ]
        assert figure["data"] == [] and len(notes) == 1, figure["layout"]["title"]
    page = result.html.read_text(encoding="utf-8")
    assert "0 articles selected of 51 loaded" in page


def test_coverage_report_refuses_a_bad_freq_before_any_kernel_starts(tmp_path) -> None:
    import subprocess
    import sys

    from toolkit.report import notebook_parameters

    freq = notebook_parameters(REPO / "notebooks" / "coverage_report.ipynb")["freq"]
    assert freq.type_description == "one of 'D', 'W', 'M', 'Q', 'Y'"
    assert freq.default_value == "W"
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "report", "coverage", "--corpus", "data/sample",
         "--topics", "data/topics/example.yaml", "-p", "freq=X", "--out", str(tmp_path / "out")],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "freq='X' is not valid: expected one of 'D', 'W', 'M', 'Q', 'Y'" in done.stderr
    assert not (tmp_path / "out").exists()  # refused before running anything


def test_topic_shares_hand_computed_and_against_scipy() -> None:
    from scipy.stats import binomtest

    from toolkit.coverage import topic_shares

    arts = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "e"],
        "outlet": ["X", "X", "X", "Y", None],
        "published": pd.to_datetime(["2021-11-01", None, "2021-11-02", None, None], utc=True),
    })
    matches = pd.DataFrame({"doc_id": ["a", "b", "d", "a", "zz"], "topic": ["Rain", "Rain", "Rain", "Sun", "Rain"]})
    overall = topic_shares(arts, matches, topics=["Snow"])
    # Undated articles count (the table is time-free); an id not in articles is ignored.
    assert overall[["topic", "n_matching", "n_total"]].values.tolist() == [
        ["Snow", 0, 5], ["Rain", 3, 5], ["Sun", 1, 5]]
    assert overall["share"].tolist() == [0.0, 0.6, 0.2]
    ci = binomtest(3, 5).proportion_ci(method="wilson")
    rain = overall.set_index("topic").loc["Rain"]
    assert rain["ci_low"] == pytest.approx(ci.low) and rain["ci_high"] == pytest.approx(ci.high)
    by = topic_shares(arts, matches, by="outlet")
    table = {(o if isinstance(o, str) else None, t): (k, n) for o, t, k, n in
             by[["outlet", "topic", "n_matching", "n_total"]].itertuples(index=False)}
    assert table[("X", "Rain")] == (2, 3) and table[("X", "Sun")] == (1, 3)
    assert table[("Y", "Rain")] == (1, 1) and table[("Y", "Sun")] == (0, 1)
    assert table[(None, "Rain")] == (0, 1)
    with pytest.raises(ParameterError, match="by='desk'"):
        topic_shares(arts, matches, by="desk")


# ---------------------------------------------------------------------------------------------
# Dedupe, outlet comparison, prominence, co-occurrence, spikes (hand-computed on a tiny corpus)
# ---------------------------------------------------------------------------------------------

from toolkit.coverage import (  # noqa: E402
    cooccurrence,
    detect_spikes,
    outlet_shares,
    prominence,
    topic_shares,
)


@pytest.fixture
def flagged() -> pd.DataFrame:
    # b copies a, e copies d (e is Z's only article); f is undated.
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e", "f"],
            "outlet": ["X", "X", "Y", "Y", "Z", "X"],
            "published": pd.to_datetime(
                ["2021-11-01T09:00Z", "2021-11-01T10:00Z", "2021-11-02T00:00Z", "2021-11-09T00:00Z",
                 "2021-11-09T05:00Z", None],
                utc=True,
            ),
            "dup_group": pd.array([1, 1, pd.NA, 2, 2, pd.NA], dtype="Int64"),
            "dup_of": ["", "a", "", "", "d", ""],
            "is_duplicate": [False, True, False, False, True, False],
        }
    ).astype({"doc_id": "str", "outlet": "str"})


@pytest.fixture
def hits() -> pd.DataFrame:
    # Rain: a, b (headline), c (lede, over two rows), f (body). Sun: a (body), d, e (lede).
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "a", "c", "c", "d", "e", "f"],
            "topic": ["Rain", "Rain", "Sun", "Rain", "Rain", "Sun", "Sun", "Rain"],
            "n_title": [1, 1, 0, 0, 0, 0, 0, 0],
            "n_lede": [0, 0, 0, 1, 0, 1, 1, 0],
            "n_body": [2, 2, 1, 0, 1, 1, 1, 1],
        }
    ).assign(n=lambda t: t["n_title"] + t["n_lede"] + t["n_body"], matched="rain")


def rows(table: pd.DataFrame, columns: list[str]) -> list[list[object]]:
    return table[columns].values.tolist()


def test_attention_dedupe_drops_duplicates_from_both_counts(flagged, hits) -> None:
    cols = ["topic", "n_matching", "n_total"]
    raw = attention(flagged, hits, freq="W")
    assert rows(raw, cols) == [["Rain", 3, 3], ["Sun", 1, 3], ["Rain", 0, 2], ["Sun", 2, 2]]
    dedup = attention(flagged, hits, freq="W", dedupe=True)
    assert rows(dedup, cols) == [["Rain", 2, 2], ["Sun", 1, 2], ["Rain", 0, 1], ["Sun", 1, 1]]
    assert dedup["share"].tolist() == [1.0, 0.5, 0.0, 1.0]
    assert dedup.loc[0, "ci_high"] == 1.0 and dedup.loc[2, "ci_low"] == 0.0  # Wilson at n and 0
    # By outlet: Z's only article is a duplicate, yet Z keeps its rows (n_total 0, share NaN).
    by = attention(flagged, hits, freq="W", by="outlet", dedupe=True)
    z = by[by["outlet"] == "Z"]
    assert z["n_total"].tolist() == [0, 0, 0, 0] and z["share"].isna().all()
    flat = by.groupby(["period", "topic"], as_index=False)[["n_matching", "n_total"]].sum()
    pd.testing.assert_frame_equal(flat, dedup[["period", "topic", "n_matching", "n_total"]])


def test_attention_both_variants_side_by_side(flagged, hits) -> None:
    both = attention(flagged, hits, freq="W", dedupe="both")
    assert list(both.columns) == ["period", "variant", "topic", "n_matching", "n_total", "share", "ci_low", "ci_high"]
    assert both["variant"].tolist() == ["raw", "raw", "deduplicated", "deduplicated"] * 2
    for variant, dedupe in (("raw", False), ("deduplicated", True)):
        part = both[both["variant"] == variant].drop(columns="variant").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, attention(flagged, hits, freq="W", dedupe=dedupe))
    # A duplicate that starts the corpus does not move the deduplicated table's first period.
    early = flagged.assign(published=flagged["published"].where(flagged["doc_id"] != "b", ts("2021-10-20")))
    shifted = attention(early, hits, freq="W", dedupe="both")
    assert shifted["period"].min() == ts("2021-10-18")
    assert shifted.groupby("variant")["period"].nunique().tolist() == [4, 4]  # Oct 18 to Nov 8
    # The wide table and the spike detector keep variants apart.
    wide = attention_table(both)
    assert list(wide.index.names) == ["period", "variant"]
    assert len(detect_spikes(both, window=2, min_periods=1)) == len(both)


def test_dedupe_errors(flagged, hits) -> None:
    with pytest.raises(SchemaError, match=r"attention\(dedupe=...\) needs duplicate flags.*no is_duplicate column.*dedupe=False"):
        attention(flagged.drop(columns="is_duplicate"), hits, dedupe=True)
    with pytest.raises(ParameterError, match=r"dedupe='yes' is not valid: expected one of False, True, 'both'"):
        attention(flagged, hits, dedupe="yes")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="outlet_shares"):
        outlet_shares(flagged.drop(columns="is_duplicate"), hits, dedupe=True)
    with pytest.raises(SchemaError, match="is_duplicate must hold True/False"):
        prominence(flagged.assign(is_duplicate=["x"] * 6), hits, dedupe=True)
    with pytest.raises(ParameterError, match="dedupe=True is not valid: expected False when articles is not given"):
        cooccurrence(hits, dedupe=True)
    # Without dedupe the flags are not needed.
    assert len(attention(flagged.drop(columns="is_duplicate"), hits)) == 4
    # Missing flags count as "not a duplicate".
    unknown = flagged.assign(is_duplicate=pd.array([False, True, None, False, None, False], dtype="boolean"))
    assert attention(unknown, hits, freq="M", dedupe=True)["n_total"].tolist() == [4, 4]


def test_outlet_shares_by_hand(flagged, hits) -> None:
    got = outlet_shares(flagged, hits)
    assert list(got.columns) == ["outlet", "topic", "n_matching", "n_total", "share", "ci_low", "ci_high",
                                 "n_topic", "share_of_topic", "n_all", "share_all", "ratio_to_all"]
    # Every article counts, dated or not: X = a, b, f; Y = c, d; Z = e.
    assert rows(got, ["outlet", "topic", "n_matching", "n_total", "n_topic", "n_all"]) == [
        ["X", "Rain", 3, 3, 4, 6], ["X", "Sun", 1, 3, 3, 6],
        ["Y", "Rain", 1, 2, 4, 6], ["Y", "Sun", 1, 2, 3, 6],
        ["Z", "Rain", 0, 1, 4, 6], ["Z", "Sun", 1, 1, 3, 6],
    ]
    assert got["share"].tolist() == pytest.approx([1.0, 1 / 3, 0.5, 0.5, 0.0, 1.0])
    assert got["share_of_topic"].tolist() == pytest.approx([0.75, 1 / 3, 0.25, 1 / 3, 0.0, 1 / 3])
    assert got["share_all"].tolist() == pytest.approx([4 / 6, 0.5] * 3)
    assert got["ratio_to_all"].tolist() == pytest.approx([1.5, 2 / 3, 0.75, 1.0, 0.0, 2.0])
    # Wilson: exactly 1 at k == n, exactly 0 at k == 0, and scipy's figures in between.
    assert got.loc[0, "ci_high"] == 1.0 and got.loc[4, "ci_low"] == 0.0
    ci = binomtest(1, 3).proportion_ci(method="wilson")
    assert (got.loc[1, "ci_low"], got.loc[1, "ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    # The same figures as topic_shares, which it extends.
    same = topic_shares(flagged, hits, by="outlet")
    pd.testing.assert_frame_equal(got[same.columns], same, check_dtype=False)


def test_outlet_shares_dedupe_and_topics(flagged, hits) -> None:
    got = outlet_shares(flagged, hits, dedupe=True, topics=["Snow"])
    assert rows(got, ["outlet", "topic", "n_matching", "n_total", "n_topic", "n_all"]) == [
        ["X", "Snow", 0, 2, 0, 4], ["X", "Rain", 2, 2, 3, 4], ["X", "Sun", 1, 2, 2, 4],
        ["Y", "Snow", 0, 2, 0, 4], ["Y", "Rain", 1, 2, 3, 4], ["Y", "Sun", 1, 2, 2, 4],
        ["Z", "Snow", 0, 0, 0, 4], ["Z", "Rain", 0, 0, 3, 4], ["Z", "Sun", 0, 0, 2, 4],
    ]
    snow = got[got["topic"] == "Snow"]
    assert snow["share_of_topic"].isna().all() and snow["ratio_to_all"].isna().all()
    assert (snow["share_all"] == 0).all()
    z = got[got["outlet"] == "Z"]
    assert z["share"].isna().all() and z["ci_low"].isna().all() and z["ratio_to_all"].isna().all()
    assert got.loc[got["topic"] == "Rain", "share_of_topic"].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])


def test_outlet_shares_errors_and_missing_groups(flagged, hits, caplog) -> None:
    with pytest.raises(ParameterError, match=r"by='desk' is not valid: expected None or a column of articles"):
        outlet_shares(flagged, hits, by="desk")
    with pytest.raises(ParameterError, match="by=None is not valid.*topic_shares"):
        outlet_shares(flagged, hits, by=None)  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"matches lacks the column\(s\) \['topic'\]"):
        outlet_shares(flagged, hits.drop(columns="topic"))
    with pytest.raises(SchemaError, match=r"doc_id must be unique; repeated: \['a'\]"):
        outlet_shares(pd.concat([flagged, flagged.iloc[:1]]), hits)
    missing = flagged.assign(outlet=flagged["outlet"].where(flagged["doc_id"] != "f"))
    extra = pd.concat([hits, pd.DataFrame({"doc_id": ["zz"], "topic": ["Rain"]})])
    with caplog.at_level(logging.WARNING, logger="toolkit.coverage"):
        got = outlet_shares(missing, extra)
    assert "1 match rows name a doc_id that is not in articles" in caplog.text
    assert got["outlet"].isna().sum() == 2  # the missing outlet is a group of its own
    assert got.loc[got["outlet"].isna(), "n_matching"].tolist() == [1, 0]


def test_prominence_by_hand(flagged, hits) -> None:
    got = prominence(flagged, hits)
    assert list(got.columns) == ["topic", "n_matching", "n_title", "n_lede", "n_body_only",
                                 "share_title", "share_lede", "share_body_only"]
    # Rain: a, b headline; c lede (its second row, a body hit, does not demote it); f body only.
    # Sun: a body only; d, e lede.
    assert rows(got, ["topic", "n_matching", "n_title", "n_lede", "n_body_only"]) == [
        ["Rain", 4, 2, 1, 1], ["Sun", 3, 0, 2, 1]]
    assert got["share_title"].tolist() == [0.5, 0.0]
    assert got["share_lede"].tolist() == pytest.approx([0.25, 2 / 3])
    dedup = prominence(flagged, hits, dedupe=True)
    assert rows(dedup, ["topic", "n_matching", "n_title", "n_lede", "n_body_only"]) == [
        ["Rain", 3, 1, 1, 1], ["Sun", 2, 0, 1, 1]]
    by = prominence(flagged, hits, by="outlet", topics=["Snow"], dedupe=True)
    assert rows(by, ["outlet", "topic", "n_matching", "n_title", "n_lede", "n_body_only"]) == [
        ["X", "Snow", 0, 0, 0, 0], ["X", "Rain", 2, 1, 0, 1], ["X", "Sun", 1, 0, 0, 1],
        ["Y", "Snow", 0, 0, 0, 0], ["Y", "Rain", 1, 0, 1, 0], ["Y", "Sun", 1, 0, 1, 0],
        ["Z", "Snow", 0, 0, 0, 0], ["Z", "Rain", 0, 0, 0, 0], ["Z", "Sun", 0, 0, 0, 0],
    ]
    assert by.loc[by["n_matching"] == 0, ["share_title", "share_lede", "share_body_only"]].isna().all().all()


def test_prominence_errors(flagged, hits) -> None:
    old_style = hits.drop(columns=["n_lede", "n_body"]).assign(n_text=1)
    with pytest.raises(SchemaError, match=r"prominence\(\) needs hits per field.*\['n_lede'\].*match_topics"):
        prominence(flagged, old_style)
    with pytest.raises(ParameterError, match="by='n_title'"):
        prominence(flagged.assign(n_title=1), hits, by="n_title")


def test_cooccurrence_by_hand(flagged, hits) -> None:
    got = cooccurrence(hits, articles=flagged)
    assert list(got.columns) == ["topic_a", "topic_b", "n_a", "n_b", "n_both", "n_either", "n_articles",
                                 "jaccard", "pmi"]
    # Rain {a, b, c, f}, Sun {a, d, e}, both {a}, N = 6: PMI = log2(1 * 6 / (4 * 3)) = -1.
    assert rows(got, ["topic_a", "topic_b", "n_a", "n_b", "n_both", "n_either", "n_articles"]) == [
        ["Rain", "Sun", 4, 3, 1, 6, 6]]
    assert got.loc[0, "jaccard"] == pytest.approx(1 / 6) and got.loc[0, "pmi"] == pytest.approx(-1.0)
    # De-duplicated: Rain {a, c, f}, Sun {a, d}, N = 4: PMI = log2(4 / 6).
    dedup = cooccurrence(hits, articles=flagged, dedupe=True)
    assert rows(dedup, ["n_a", "n_b", "n_both", "n_either", "n_articles"]) == [[3, 2, 1, 4, 4]]
    assert dedup.loc[0, "pmi"] == pytest.approx(math.log2(4 / 6))
    # topics: only these, in this order; a topic without matches has NaN PMI and Jaccard 0.
    listed = cooccurrence(hits, articles=flagged, topics=["Sun", "Snow", "Rain"])
    assert rows(listed, ["topic_a", "topic_b", "n_a", "n_b", "n_both"]) == [
        ["Sun", "Snow", 3, 0, 0], ["Sun", "Rain", 3, 4, 1], ["Snow", "Rain", 0, 4, 0]]
    assert listed["jaccard"].tolist()[0] == 0.0 and math.isnan(listed["pmi"].tolist()[0])


def test_cooccurrence_ordered_diagonal_and_default_n() -> None:
    m = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "topic": ["R", "S", "R", "T"]})
    # Without articles, N is the number of distinct articles in matches (3 here).
    got = cooccurrence(m, ordered=True, diagonal=True)
    assert rows(got, ["topic_a", "topic_b", "n_both"]) == [
        ["R", "R", 2], ["R", "S", 1], ["R", "T", 0],
        ["S", "R", 1], ["S", "S", 1], ["S", "T", 0],
        ["T", "R", 0], ["T", "S", 0], ["T", "T", 1]]
    assert (got["n_articles"] == 3).all()
    pmi = dict(zip(zip(got["topic_a"], got["topic_b"], strict=True), got["pmi"], strict=True))
    assert pmi[("R", "S")] == pytest.approx(math.log2(1 * 3 / (2 * 1)))
    assert pmi[("R", "R")] == pytest.approx(math.log2(3 / 2))  # diagonal: log2(N / n_a)
    assert pmi[("R", "T")] == -math.inf  # never together
    diag = got[got["topic_a"] == got["topic_b"]]
    assert (diag["jaccard"] == 1.0).all() and (diag["n_both"] == diag["n_a"]).all()
    # More articles (with no topic) lower N's share of each topic and raise PMI.
    arts = pd.DataFrame({"doc_id": ["a", "b", "c", "d", "e", "f"]})
    wider = cooccurrence(m, articles=arts)
    assert wider.loc[0, "pmi"] == pytest.approx(math.log2(1 * 6 / (2 * 1)))
    empty = cooccurrence(m.iloc[0:0])
    assert empty.empty and list(empty.columns)[:2] == ["topic_a", "topic_b"]


def test_spikes_on_a_literal_series_with_mad_zero() -> None:
    t = pd.DataFrame({
        "period": pd.date_range("2021-11-01", periods=7, freq="D", tz=UTC),
        "topic": "Rain",
        "n_matching": [1, 1, 1, 1, 5, 5, 0],
    })
    got = detect_spikes(t, value="n_matching", window=5, min_periods=3)
    assert got["n_baseline"].tolist() == [0, 1, 2, 3, 4, 5, 5]
    assert got["baseline"].tolist()[1:] == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0] and math.isnan(got["baseline"][0])
    z = got["z"].tolist()
    assert all(math.isnan(v) for v in z[:3])  # fewer than min_periods baseline values
    assert z[3] == 0.0  # a constant baseline, and x equal to it
    assert z[4] == math.inf  # a constant baseline, and x above it
    # MAD is 0 ([1, 1, 1, 1, 5]): z = (x - median) / (1.253314 * MeanAD) = 4 / (1.253314 * 0.8)
    assert z[5] == pytest.approx(4 / (1.253314 * 0.8))
    # [1, 1, 1, 5, 5]: MAD 0 again, MeanAD 1.6, x = 0 below the median.
    assert z[6] == pytest.approx(-1 / (1.253314 * 1.6))
    assert got["is_spike"].tolist() == [False] * 4 + [True, True, False]
    assert not detect_spikes(t, value="n_matching", window=5, min_periods=3, min_count=6)["is_spike"].any()
    assert detect_spikes(t, value="n_matching", window=5, min_periods=3, threshold=4.0)["is_spike"].tolist() == (
        [False] * 4 + [True, False, False])


def test_spikes_regular_mad_and_missing_values() -> None:
    t = pd.DataFrame({
        "period": pd.date_range("2021-11-01", periods=7, freq="W-MON", tz=UTC),
        "topic": "Rain",
        "n_matching": [2, 3, 0, 2, 4, 3, 9],
        "n_total": [10, 10, 0, 10, 10, 10, 10],
    })
    t["share"] = (t["n_matching"] / t["n_total"]).where(t["n_total"] > 0)  # week 3: no articles, NaN
    got = detect_spikes(t, window=4, min_periods=3)
    # The NaN share is skipped in every baseline and gets no z of its own.
    assert got["n_baseline"].tolist() == [0, 1, 2, 2, 3, 3, 3]
    assert math.isnan(got.loc[2, "z"]) and math.isnan(got.loc[3, "z"])
    # Week 5 (0.4): baseline [0.2, 0.3, 0.2], median 0.2, MAD 0, MeanAD 1/30.
    assert got.loc[4, "baseline"] == pytest.approx(0.2)
    assert got.loc[4, "z"] == pytest.approx(0.2 / (1.253314 / 30))
    # Week 6 (0.3): baseline [0.3, 0.2, 0.4], median 0.3: z = 0.
    assert got.loc[5, "z"] == pytest.approx(0.0)
    # Week 7 (0.9): baseline [0.2, 0.4, 0.3], median 0.3, MAD 0.1: z = 0.6745 * 0.6 / 0.1.
    assert got.loc[6, "z"] == pytest.approx(0.6745 * 6)
    assert got["is_spike"].tolist() == [False] * 4 + [True, False, True]


def test_spikes_on_attention_output_series_apart() -> None:
    days = pd.date_range("2021-11-01", periods=10, freq="D", tz=UTC)
    arts = pd.DataFrame({
        "doc_id": [f"d{i}-{j}" for i in range(10) for j in range(10)],
        "outlet": ["X", "Y"] * 50,
        "published": np.repeat(days, 10),
    })
    # Rain: one article a day, then seven on day 9 (all X). Sun: two a day throughout.
    rain = [f"d{i}-0" for i in range(10) if i != 8] + [f"d8-{j}" for j in range(0, 10, 2)] + ["d8-1", "d8-3"]
    sun = [f"d{i}-{j}" for i in range(10) for j in (1, 2)]
    matches = pd.DataFrame({"doc_id": rain + sun, "topic": ["Rain"] * len(rain) + ["Sun"] * len(sun)})
    table = attention(arts, matches, freq="D")
    before = table.copy()
    got = detect_spikes(table, window=5, min_periods=3)
    pd.testing.assert_frame_equal(table, before)  # not mutated
    pd.testing.assert_frame_equal(got[table.columns], table)  # same rows, same order
    assert got.loc[got["is_spike"], ["topic", "period"]].values.tolist() == [["Rain", days[8]]]
    assert got.loc[got["topic"] == "Sun", "z"].dropna().eq(0).all()
    # Per outlet the X and Y series are separate: Rain's burst is X's and Y's at once here.
    by = detect_spikes(attention(arts, matches, freq="D", by="outlet"), value="n_matching", window=5, min_periods=3,
                       min_count=2)
    assert by.loc[by["is_spike"], ["outlet", "topic"]].values.tolist() == [["X", "Rain"], ["Y", "Rain"]]
    # Running it again replaces the columns instead of duplicating them.
    assert list(detect_spikes(got).columns) == list(got.columns)


def test_spikes_errors() -> None:
    t = pd.DataFrame({"period": pd.date_range("2021-11-01", periods=3, freq="D", tz=UTC), "topic": "R",
                      "n_matching": [1, 2, 3]})
    with pytest.raises(ParameterError, match=r"value='count' is not valid: expected one of 'share', 'n_matching'"):
        detect_spikes(t, value="count")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"window=1 is not valid"):
        detect_spikes(t, value="n_matching", window=1)
    with pytest.raises(ParameterError, match=r"min_periods=15 is not valid: expected a whole number from 1 to window=14"):
        detect_spikes(t, value="n_matching", min_periods=15)
    with pytest.raises(ParameterError, match=r"threshold=0 is not valid"):
        detect_spikes(t, value="n_matching", threshold=0)
    with pytest.raises(ParameterError, match=r"min_count=-1 is not valid"):
        detect_spikes(t, value="n_matching", min_count=-1)
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) \['share'\].*toolkit.attention"):
        detect_spikes(t)
    empty = detect_spikes(t.iloc[0:0], value="n_matching")
    assert empty.empty and list(empty.columns)[-4:] == ["baseline", "n_baseline", "z", "is_spike"]


def test_new_functions_do_not_mutate(flagged, hits) -> None:
    a, m = flagged.copy(), hits.copy()
    outlet_shares(flagged, hits, dedupe=True)
    prominence(flagged, hits, by="outlet", dedupe=True)
    cooccurrence(hits, articles=flagged, dedupe=True)
    attention(flagged, hits, dedupe="both", by="outlet")
    pd.testing.assert_frame_equal(flagged, a)
    pd.testing.assert_frame_equal(hits, m)


@settings(max_examples=40, deadline=None)
@given(
    outlets=st.lists(st.sampled_from(["A", "B", "C", None]), min_size=1, max_size=25),
    dups=st.lists(st.booleans(), min_size=25, max_size=25),
    cells=st.lists(st.tuples(st.integers(0, 24), st.sampled_from(["T1", "T2", "T3"]),
                             st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)), max_size=60),
    dedupe=st.booleans(),
)
def test_property_outlets_prominence_cooccurrence(outlets, dups, cells, dedupe) -> None:
    n = len(outlets)
    arts = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "outlet": outlets, "is_duplicate": dups[:n]})
    found = [c for c in cells if c[0] < n and sum(c[2:]) > 0]
    matches = pd.DataFrame(found, columns=["row", "topic", "n_title", "n_lede", "n_body"])
    matches.insert(0, "doc_id", [f"d{i}" for i in matches.pop("row")])
    kept = arts[~arts["is_duplicate"]] if dedupe else arts

    shares = outlet_shares(arts, matches, dedupe=dedupe)
    for column in ("share", "share_of_topic", "share_all"):
        defined = shares[column].dropna()
        assert defined.between(0, 1).all()
    ok = shares["n_total"] > 0
    assert (shares.loc[ok, "ci_low"] <= shares.loc[ok, "share"] + 1e-12).all()
    assert (shares.loc[ok, "share"] <= shares.loc[ok, "ci_high"] + 1e-12).all()
    per_topic = shares.groupby("topic")[["n_matching"]].sum()["n_matching"]
    # Sums over outlets equal the ungrouped counts.
    # (a topic matched only by duplicates keeps its rows, with zeros, in the de-duplicated table)
    overall = topic_shares(kept, matches, topics=sorted(set(matches["topic"]))).set_index("topic")
    assert per_topic.to_dict() == overall["n_matching"].to_dict()
    assert (shares.groupby("topic")["n_topic"].first() == per_topic).all()
    assert shares.groupby("topic")["n_total"].sum().eq(len(kept)).all()
    sums = shares[shares["n_topic"] > 0].groupby("topic")["share_of_topic"].sum()
    assert np.allclose(sums, 1.0)

    prom = prominence(arts, matches, dedupe=dedupe)
    counts = prom[["n_title", "n_lede", "n_body_only"]].sum(axis=1)
    assert (counts == prom["n_matching"]).all()
    assert prom.set_index("topic")["n_matching"].to_dict() == overall["n_matching"].to_dict()
    grouped = prominence(arts, matches, by="outlet", dedupe=dedupe)
    summed = grouped.groupby("topic")[["n_matching", "n_title", "n_lede", "n_body_only"]].sum()
    assert summed.to_dict() == prom.set_index("topic")[["n_matching", "n_title", "n_lede", "n_body_only"]].to_dict()

    co = cooccurrence(matches, articles=arts, dedupe=dedupe, ordered=True, diagonal=True)
    assert co["jaccard"].dropna().between(0, 1).all()
    assert (co["n_both"] <= np.minimum(co["n_a"], co["n_b"])).all()
    diag = co[co["topic_a"] == co["topic_b"]].set_index("topic_a")["n_a"]
    assert diag.to_dict() == {t: overall.loc[t, "n_matching"] for t in diag.index}
    assert (co["n_articles"] == len(kept)).all()


def test_topic_terms_from_a_matrix(texts: pd.DataFrame, topic_hits: pd.DataFrame) -> None:
    from toolkit.stats import document_term_matrix

    matrix = document_term_matrix(texts, stopwords=False)
    for options in ({"stopwords": False}, {}, {"stopwords": "news", "min_n": 2}, {"topics": ["Korea"]}):
        pd.testing.assert_frame_equal(topic_terms(texts, topic_hits, n=3, matrix=matrix, **options),
                                      topic_terms(texts, topic_hits, n=3, **options))
    # By hand, as test_topic_terms_by_hand: Japan (article a) talks 3 of 10 words.
    got = topic_terms(texts, topic_hits, n=1, stopwords=False, matrix=matrix)
    assert got.loc[0, ["topic", "term", "n", "docfreq", "n_docs"]].tolist() == ["Japan", "talks", 3, 1, 1]
    assert got.loc[0, "share"] == pytest.approx(3 / 10)
