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
    assert len(figures) == 5
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
