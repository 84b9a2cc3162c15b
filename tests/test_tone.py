"""Tests for toolkit.tone: VADER per sentence, article, topic, and summaries with t-intervals."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from toolkit.errors import ParameterError, SchemaError
from toolkit.tone import (
    ARTICLE_TONE_COLUMNS,
    SENTENCE_TONE_COLUMNS,
    SUMMARY_COLUMNS,
    TOPIC_TONE_COLUMNS,
    _t_ppf,
    article_tone,
    sentence_tone,
    tone_summary,
    topic_tone,
    vader_scores,
)

GOOD, BAD = 0.4404, -0.5423  # VADER compound of "The book was good." / "The book was bad."


def arts(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def vader(text: str) -> float:
    return SentimentIntensityAnalyzer().polarity_scores(text)["compound"]


# --- the analyzer -----------------------------------------------------------------------------

SENTENCES = [
    "VADER is smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Make sure you :) or :D today!",
    "Not bad at all",
    "",
    "   ",
    "Café prices rose — a “remarkable” jump.",
    "I love it \U0001f498 so much \U0001f601",
    "The official said nothing.",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_scores_are_identical_to_vadersentiment(text):
    expected = SentimentIntensityAnalyzer().polarity_scores(text)
    got = vader_scores([text]).iloc[0].to_dict()
    assert got == {k: expected[k] for k in ("compound", "pos", "neu", "neg")}


def test_known_vader_values():
    got = vader_scores(["VADER is smart, handsome, and funny.", "The book was good.", "The book was bad."])
    assert got["compound"].tolist() == [0.8316, GOOD, BAD]  # the first from VADER's README


def test_vader_scores_handles_missing_and_repeats():
    got = vader_scores(["The book was good.", None, "The book was good."])
    assert got["compound"].tolist() == [GOOD, 0.0, GOOD]
    assert list(got.columns) == ["compound", "pos", "neu", "neg"]


# --- sentences and articles --------------------------------------------------------------------


def test_sentence_tone_rows_and_numbering():
    a = arts(doc_id=["a", "b"], title=["Good news.", "Bad day"],
             text=["The book was good. The book was bad.\n\nIt rained.", None])
    got = sentence_tone(a, fields=("title", "text"))
    assert tuple(got.columns) == SENTENCE_TONE_COLUMNS
    assert got[["doc_id", "field", "sentence"]].values.tolist() == [
        ["a", "title", 0], ["a", "text", 0], ["a", "text", 1], ["a", "text", 2], ["b", "title", 0],
    ]
    assert got["text"].tolist()[1:4] == ["The book was good.", "The book was bad.", "It rained."]
    assert got["compound"].tolist()[1:4] == [GOOD, BAD, 0.0]


def test_sentence_tone_default_field_is_text_only():
    a = arts(doc_id=["a"], title=["Awful"], text=["The book was good."])
    assert sentence_tone(a)["field"].tolist() == ["text"]


def test_article_tone_is_the_mean_of_sentences():
    a = arts(doc_id=["x", "y", "z"], text=["The book was good. The book was bad. It rained.", "", "Good!"])
    got = article_tone(a)
    assert tuple(got.columns) == ARTICLE_TONE_COLUMNS
    assert got["doc_id"].tolist() == ["x", "y", "z"]
    assert got["n_sentences"].tolist() == [3, 0, 1]
    assert got["compound"].iloc[0] == pytest.approx((GOOD + BAD + 0.0) / 3)
    assert math.isnan(got["compound"].iloc[1])
    assert got["compound"].iloc[2] == vader("Good!")
    assert got[["n_positive", "n_negative"]].values.tolist() == [[1, 1], [0, 0], [1, 0]]
    assert got["pos"].iloc[0] == pytest.approx(vader_scores(["The book was good.", "The book was bad.", "It rained."])["pos"].mean())


def test_article_tone_reuses_sentences_and_does_not_mutate():
    a = arts(doc_id=["x", "y"], text=["The book was good. The book was bad.", "It rained."])
    before = a.copy()
    s = sentence_tone(a)
    pd.testing.assert_frame_equal(article_tone(a, sentences=s), article_tone(a))
    pd.testing.assert_frame_equal(a, before)


def test_errors_name_the_argument():
    with pytest.raises(ParameterError, match=r"fields=\('body',\) is not valid.*'doc_id', 'text'"):
        sentence_tone(arts(doc_id=["a"], text=["x"]), fields=("body",))
    with pytest.raises(SchemaError, match="doc_id must be unique"):
        sentence_tone(arts(doc_id=["a", "a"], text=["x", "y"]))
    with pytest.raises(SchemaError, match="lacks the column 'doc_id'"):
        article_tone(arts(text=["x"]))
    with pytest.raises(SchemaError, match="sentence table from toolkit.tone.sentence_tone"):
        article_tone(arts(doc_id=["a"], text=["x"]), sentences=pd.DataFrame({"doc_id": ["a"]}))


# --- topics -----------------------------------------------------------------------------------


def test_topic_tone_uses_only_mentioning_sentences():
    a = arts(doc_id=["a", "b"], text=[
        "Japan was good. Korea was bad. Japanese food was bad.",  # "Japanese" is not "Japan"
        "Nothing here.",
    ])
    got = topic_tone(a, {"japan": ["Japan"], "korea": ["Korea", "Seoul"]})
    assert tuple(got.columns) == TOPIC_TONE_COLUMNS
    assert got[["doc_id", "topic", "n_sentences"]].values.tolist() == [["a", "japan", 1], ["a", "korea", 1]]
    assert got["compound"].tolist() == [vader("Japan was good."), vader("Korea was bad.")]


def test_topic_tone_exclusions_and_globs():
    a = arts(doc_id=["a"], text=["Japan Airlines was bad. Japanese voters were happy. Japan was fine."])
    topics = {"japan": {"terms": ["Japan*"], "exclude": ["Japan Airlines"]}}
    got = topic_tone(a, topics)
    assert got["n_sentences"].tolist() == [2]
    expected = np.mean([vader("Japanese voters were happy."), vader("Japan was fine.")])
    assert got["compound"].iloc[0] == pytest.approx(expected)


def test_topic_tone_without_hits_is_empty_with_columns():
    got = topic_tone(arts(doc_id=["a"], text=["Nothing."]), {"japan": ["Japan"]})
    assert got.empty and tuple(got.columns) == TOPIC_TONE_COLUMNS


def test_topic_tone_accepts_a_topics_table():
    from toolkit.topics import load_topics

    a = arts(doc_id=["a"], text=["Japan was good."])
    assert topic_tone(a, load_topics({"japan": ["Japan"]}))["n_sentences"].tolist() == [1]
    with pytest.raises(SchemaError, match="topics table lacks the column"):
        topic_tone(a, pd.DataFrame({"topic": ["x"]}))


def test_seed_topic_tone(seed):
    from toolkit.load import load_corpus

    articles = load_corpus(seed)
    got = topic_tone(articles, {"south korea": ["South Korea*", "Seoul"], "israel": ["Israel*", "Gaza"]})
    assert got["topic"].tolist() == ["south korea"]  # RECENT STORIES is not the article
    assert got["n_sentences"].iloc[0] >= 3


# --- summaries --------------------------------------------------------------------------------


def scored(values, outlets, n_sentences=None, published=None):
    ids = [f"d{i}" for i in range(len(values))]
    a = pd.DataFrame({"doc_id": ids, "outlet": outlets})
    if published is not None:
        a["published"] = pd.to_datetime(published, utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    s = pd.DataFrame({"doc_id": ids, "n_sentences": n_sentences or [2] * len(values), "compound": values})
    return s, a


def test_tone_summary_t_interval_matches_scipy():
    values = [0.5, -0.1, 0.3, 0.2, 0.9]
    s, a = scored(values + [0.4], ["X"] * 5 + ["Y"], n_sentences=[1, 2, 3, 4, 5, 6])
    got = tone_summary(s, a)
    assert list(got.columns) == ["outlet", *SUMMARY_COLUMNS]
    x = got.iloc[0]
    low, high = stats.t.interval(0.95, df=4, loc=np.mean(values), scale=stats.sem(values))
    assert (x["outlet"], x["n_articles"], x["n_sentences"]) == ("X", 5, 15)
    assert x["mean"] == pytest.approx(0.36)
    assert (x["ci_low"], x["ci_high"]) == pytest.approx((low, high))
    y = got.iloc[1]
    assert (y["n_articles"], y["mean"]) == (1, 0.4)
    assert math.isnan(y["ci_low"]) and math.isnan(y["ci_high"])  # one article: no interval


def test_tone_summary_by_none_and_level():
    s, a = scored([0.1, 0.2, 0.6], ["X", "Y", "Y"])
    got = tone_summary(s, a, by=None, level=0.9)
    assert list(got.columns) == list(SUMMARY_COLUMNS)
    low, high = stats.t.interval(0.9, df=2, loc=0.3, scale=stats.sem([0.1, 0.2, 0.6]))
    assert (got["ci_low"].iloc[0], got["ci_high"].iloc[0]) == pytest.approx((low, high))


def test_tone_summary_skips_articles_without_sentences():
    s, a = scored([0.2, float("nan"), 0.4], ["X", "X", "X"], n_sentences=[1, 0, 3])
    got = tone_summary(s, a)
    assert got[["n_articles", "n_sentences"]].values.tolist() == [[2, 4]]
    assert got["mean"].iloc[0] == pytest.approx(0.3)


def test_tone_summary_by_period(caplog):
    s, a = scored([0.1, 0.3, 0.5, 0.7], ["X"] * 4,
                  published=["2021-01-05", "2021-01-31T23:00", "2021-02-01", None])
    with caplog.at_level(logging.WARNING, logger="toolkit.tone"):
        got = tone_summary(s, a, freq="M")
    assert "1 scored rows have no publication date" in caplog.text
    assert list(got.columns) == ["outlet", "period", *SUMMARY_COLUMNS]
    assert got["period"].dt.strftime("%Y-%m").tolist() == ["2021-01", "2021-02"]
    assert got["mean"].tolist() == pytest.approx([0.2, 0.5])
    assert str(got["period"].dtype) == "datetime64[us, UTC]"


def test_tone_summary_of_topic_and_sentence_tables():
    a = arts(doc_id=["a", "b"], outlet=["X", "X"], text=["Japan was good. Japan was bad.", "Japan was good."])
    by_topic = tone_summary(topic_tone(a, {"japan": ["Japan"]}), a)
    assert list(by_topic.columns) == ["outlet", "topic", *SUMMARY_COLUMNS]
    assert by_topic[["n_articles", "n_sentences"]].values.tolist() == [[2, 3]]
    assert by_topic["mean"].iloc[0] == pytest.approx(((GOOD + vader("Japan was bad.")) / 2 + GOOD) / 2)
    from_sentences = tone_summary(sentence_tone(a), a)
    pd.testing.assert_frame_equal(from_sentences, tone_summary(article_tone(a), a))


def test_tone_summary_errors():
    s, a = scored([0.1], ["X"])
    with pytest.raises(ParameterError, match=r"by='desk' is not valid.*'doc_id', 'outlet'"):
        tone_summary(s, a, by="desk")
    with pytest.raises(ParameterError, match=r"by='period' is not valid.*freq='D'"):
        tone_summary(s, a, by="period")
    with pytest.raises(ParameterError, match=r"freq='H' is not valid"):
        tone_summary(s, a.assign(published=pd.Timestamp("2021-01-01", tz="UTC")), freq="H")
    with pytest.raises(ParameterError, match=r"level=95 is not valid: expected a number between 0 and 1"):
        tone_summary(s, a, level=95)
    with pytest.raises(SchemaError, match="not in articles"):
        tone_summary(s.assign(doc_id=["zz"]), a)
    with pytest.raises(SchemaError, match="scores must be a table from article_tone"):
        tone_summary(pd.DataFrame({"doc_id": ["d0"]}), a)


@pytest.mark.parametrize("df", [1, 2, 3, 4.5, 10, 30, 200])
@pytest.mark.parametrize("q", [0.9, 0.95, 0.975, 0.995])
def test_fallback_t_quantile_matches_scipy(df, q):
    assert _t_ppf(q, df) == pytest.approx(stats.t.ppf(q, df), rel=1e-7)


def test_bbc_sentence_tone_smoke(corpora):
    from conftest import read_bbc_plainly

    bbc = read_bbc_plainly(corpora).head(100)
    got = sentence_tone(bbc)
    assert set(got["doc_id"]) == set(bbc["doc_id"])
    assert got["compound"].between(-1, 1).all()
    per_article = article_tone(bbc, sentences=got)
    assert (per_article["n_sentences"] > 0).all()


def test_progress_bar_can_be_forced(capsys):
    a = arts(doc_id=["a"], text=["The book was good."])
    pd.testing.assert_frame_equal(sentence_tone(a, progress=True), sentence_tone(a, progress=False))
    assert "VADER" in capsys.readouterr().err


# --- matches and samples (issue 6: bounded work on large corpora) ------------------------------

TOPICS = {"japan": {"terms": ["Japan*"], "exclude": ["Japan Airlines"]}, "korea": ["Korea", "Seoul"]}


def _five() -> pd.DataFrame:
    return arts(doc_id=list("abcde"), text=[
        "Japan was good. Korea was bad.",
        "Japan Airlines was bad. Japanese voters were happy.",
        "Seoul was fine. Nothing else.",
        "Nothing here. Not at all.",
        "Japan lost. Korea won. Japan was sad.",
    ])


def test_topic_tone_with_matches_equals_without():
    from toolkit.topics import match_topics

    a = _five().assign(title=[None] * 5)
    matches = match_topics(a, TOPICS)
    pd.testing.assert_frame_equal(topic_tone(a, TOPICS, matches=matches), topic_tone(a, TOPICS))
    # The articles a topic's sentences are searched in are those matches lists for it.
    only_b = matches[(matches["doc_id"] == "b") | (matches["topic"] == "korea")]
    got = topic_tone(a, TOPICS, matches=only_b)
    assert got[["doc_id", "topic"]].values.tolist() == [["a", "korea"], ["b", "japan"], ["c", "korea"], ["e", "korea"]]


def test_topic_tone_sample_is_seeded_and_bounded():
    a = _five()
    full = topic_tone(a, TOPICS)
    assert full.groupby("topic").size().to_dict() == {"japan": 3, "korea": 3}
    pd.testing.assert_frame_equal(topic_tone(a, TOPICS, sample=5), full)  # 5 candidates: all
    one = topic_tone(a, TOPICS, sample=1, seed=7)
    # At most one candidate article per topic (without matches every article is a candidate,
    # so a drawn article may have no mentioning sentence).
    assert one.groupby("topic").size().max() == 1
    pd.testing.assert_frame_equal(one, topic_tone(a, TOPICS, sample=1, seed=7))
    draws = {tuple(map(tuple, topic_tone(a, TOPICS, sample=2, seed=s)[["doc_id", "topic"]].values)) for s in range(8)}
    assert len(draws) > 1  # the seed changes the draw
    # A sampled row has the same scores as in the full table.
    two = topic_tone(a, TOPICS, sample=2, seed=1)
    merged = two.merge(full, on=["doc_id", "topic"], suffixes=("", "_full"))
    assert len(merged) == len(two) and (merged["compound"] == merged["compound_full"]).all()


def test_topic_tone_reuses_sentences_with_matches():
    from toolkit.topics import match_topics

    a = _five().assign(title=[None] * 5)
    s = sentence_tone(a)
    got = topic_tone(a, TOPICS, sentences=s, matches=match_topics(a, TOPICS), sample=2, seed=3)
    pd.testing.assert_frame_equal(got, topic_tone(a, TOPICS, matches=match_topics(a, TOPICS), sample=2, seed=3))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_topic_tone_sample_errors(bad):
    with pytest.raises(ParameterError, match=r"sample=.* is not valid: expected None or an integer >= 1"):
        topic_tone(_five(), TOPICS, sample=bad)


def test_topic_tone_matches_must_be_a_match_table():
    with pytest.raises(SchemaError, match=r"matches must be the table from toolkit.match_topics"):
        topic_tone(_five(), TOPICS, matches=pd.DataFrame({"doc_id": ["a"]}))
