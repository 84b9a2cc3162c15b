"""Tests for toolkit.stats, with figures counted by hand on three tiny articles."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import read_bbc_plainly

from toolkit.errors import ParameterError, SchemaError
from toolkit.stats import (
    article_stats,
    corpus_summary,
    document_term_matrix,
    term_frequencies,
    term_frequencies_by_group,
    top_terms,
)
from toolkit.text import tokenize

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"

UTC = "datetime64[us, UTC]"


@pytest.fixture
def articles() -> pd.DataFrame:
    """Three articles; the words (lower-cased, punctuation dropped) are, per field:

    a1 title: japan talks                                       (1 sentence)
    a1 text : japan and korea hold talks | talks went well      (2 sentences, 8 words)
    a2 title: korea 's view                                     (1 sentence)
    a2 text : korea wants talks | japan agrees                  (2 sentences, 5 words)
    a3 text : talks talks and more talks                        (1 sentence, 5 words; no title)
    """
    return pd.DataFrame(
        {
            "doc_id": ["a1", "a2", "a3"],
            "outlet": ["Daily", "Daily", "Herald"],
            "published": pd.Series(
                pd.to_datetime(["2021-11-01T10:00Z", "2021-11-09T08:00Z", None], utc=True)
            ).astype(UTC),
            "title": ["Japan talks", "Korea's view", None],
            "text": [
                "Japan and Korea hold talks. Talks went well.",
                "Korea wants talks! Japan agrees.",
                "Talks, talks and more talks.",
            ],
        }
    )


# ---------------------------------------------------------------------------------------------
# corpus_summary
# ---------------------------------------------------------------------------------------------


def test_corpus_summary_overall(articles):
    s = corpus_summary(articles)
    assert list(s.columns) == [
        "n_articles",
        "n_outlets",
        "first_published",
        "last_published",
        "n_undated",
        "n_tokens",
        "n_types",
        "n_sentences",
        "mean_tokens_per_article",
    ]
    row = s.iloc[0]
    assert len(s) == 1
    assert row["n_articles"] == 3
    assert row["n_outlets"] == 2
    assert row["first_published"] == pd.Timestamp("2021-11-01T10:00Z")
    assert row["last_published"] == pd.Timestamp("2021-11-09T08:00Z")
    assert row["n_undated"] == 1
    assert row["n_tokens"] == 2 + 8 + 3 + 5 + 5
    # japan talks and korea hold went well 's view wants agrees more
    assert row["n_types"] == 12
    assert row["n_sentences"] == 1 + 2 + 1 + 2 + 1
    assert row["mean_tokens_per_article"] == pytest.approx(23 / 3)


def test_corpus_summary_by_outlet(articles):
    s = corpus_summary(articles, by="outlet")
    assert s["outlet"].tolist() == ["Daily", "Herald"]
    assert s["n_articles"].tolist() == [2, 1]
    assert s["n_outlets"].tolist() == [1, 1]
    assert s["n_undated"].tolist() == [0, 1]
    assert s["n_tokens"].tolist() == [18, 5]
    assert s["n_types"].tolist() == [11, 3]
    assert s["n_sentences"].tolist() == [6, 1]
    assert s["mean_tokens_per_article"].tolist() == [9.0, 5.0]
    assert s["first_published"].iloc[0] == pd.Timestamp("2021-11-01T10:00Z")
    assert pd.isna(s["first_published"].iloc[1]) and pd.isna(s["last_published"].iloc[1])
    assert str(s["first_published"].dtype) == UTC


def test_corpus_summary_by_several_columns_and_missing_values(articles):
    arts = articles.assign(section=["world", None, "world"])
    s = corpus_summary(arts, by=["section", "outlet"])
    assert s["section"].tolist()[:2] == ["world", "world"] and pd.isna(
        s["section"].iloc[2]
    )  # missing last
    assert s["outlet"].tolist() == ["Daily", "Herald", "Daily"]
    assert s["n_articles"].tolist() == [1, 1, 1]


def test_corpus_summary_of_no_articles(articles):
    s = corpus_summary(articles.iloc[0:0])
    assert len(s) == 1
    assert (
        s[["n_articles", "n_outlets", "n_undated", "n_tokens", "n_types", "n_sentences"]]
        .iloc[0]
        .tolist()
        == [0] * 6
    )
    assert pd.isna(s["first_published"].iloc[0]) and np.isnan(s["mean_tokens_per_article"].iloc[0])


def test_corpus_summary_with_precomputed_tokens(articles):
    tokens = tokenize(articles, punct=True, lower=False)  # punctuation and case are ignored
    pd.testing.assert_frame_equal(corpus_summary(articles, tokens=tokens), corpus_summary(articles))
    no_sentences = corpus_summary(articles, tokens=tokenize(articles, sentences=False))
    assert pd.isna(no_sentences["n_sentences"].iloc[0])
    assert no_sentences["n_tokens"].iloc[0] == 23


def test_plain_string_tokens_table_counts_the_same(articles):
    """A tokens table whose doc_id/field are plain strings (e.g. rebuilt by hand) works too."""
    plain = tokenize(articles).astype({"doc_id": "str", "field": "str"})
    pd.testing.assert_frame_equal(
        corpus_summary(articles, by="outlet", tokens=plain), corpus_summary(articles, by="outlet")
    )
    pd.testing.assert_frame_equal(article_stats(articles, tokens=plain), article_stats(articles))
    pd.testing.assert_frame_equal(
        term_frequencies(articles, freq="W", tokens=plain), term_frequencies(articles, freq="W")
    )


def test_corpus_summary_bad_by(articles):
    with pytest.raises(ParameterError, match=r"by='publisher'.*'doc_id', 'outlet'"):
        corpus_summary(articles, by="publisher")
    with pytest.raises(ParameterError, match=r"by=\['outlet', 'period'\].*freq="):
        corpus_summary(articles, by=["outlet", "period"])


# ---------------------------------------------------------------------------------------------
# article_stats
# ---------------------------------------------------------------------------------------------


def test_article_stats(articles):
    a = article_stats(articles)
    assert list(a.columns) == [
        "doc_id",
        "n_chars",
        "n_tokens",
        "n_types",
        "n_sentences",
        "type_token_ratio",
        "mean_sentence_length",
    ]
    assert a["doc_id"].tolist() == ["a1", "a2", "a3"]
    assert a["n_chars"].tolist() == [44, 32, 28]
    assert a["n_tokens"].tolist() == [8, 5, 5]
    assert a["n_types"].tolist() == [7, 5, 3]
    assert a["n_sentences"].tolist() == [2, 2, 1]
    assert a["type_token_ratio"].tolist() == pytest.approx([7 / 8, 1.0, 3 / 5])
    assert a["mean_sentence_length"].tolist() == pytest.approx([4.0, 2.5, 5.0])


def test_article_stats_missing_text_and_shared_tokens(articles):
    arts = articles.assign(text=[articles["text"][0], None, articles["text"][2]])
    a = article_stats(arts)
    assert a.loc[1, ["n_chars", "n_tokens", "n_types", "n_sentences"]].tolist() == [0, 0, 0, 0]
    assert np.isnan(a.loc[1, "type_token_ratio"]) and np.isnan(a.loc[1, "mean_sentence_length"])
    # a tokens table holding both fields: only the text counts
    pd.testing.assert_frame_equal(article_stats(arts, tokens=tokenize(arts)), a)


def test_article_stats_needs_the_text_field(articles):
    with pytest.raises(SchemaError, match=r"no rows for the 'text' field.*fields including 'text'"):
        article_stats(articles, tokens=tokenize(articles, fields=("title",)))
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) \['token'\]"):
        article_stats(articles, tokens=tokenize(articles).drop(columns="token"))


# ---------------------------------------------------------------------------------------------
# term_frequencies / top_terms
# ---------------------------------------------------------------------------------------------

# Counted with stopwords removed ("and", "'s", "more"): 19 tokens.
#   a1: japan talks | japan korea hold talks talks went well
#   a2: korea view  | korea wants talks japan agrees
#   a3: talks talks talks


def test_term_frequencies_overall(articles):
    tf = term_frequencies(articles)
    assert list(tf.columns) == ["term", "n", "docfreq", "share"]
    assert tf[["term", "n", "docfreq"]].values.tolist() == [
        ["talks", 7, 3],
        ["japan", 3, 2],
        ["korea", 3, 2],
        ["agrees", 1, 1],
        ["hold", 1, 1],
        ["view", 1, 1],
        ["wants", 1, 1],
        ["well", 1, 1],
        ["went", 1, 1],
    ]
    assert tf["share"].tolist() == pytest.approx([7 / 19, 3 / 19, 3 / 19] + [1 / 19] * 6)
    assert tf["share"].sum() == pytest.approx(1.0)


def test_term_frequencies_by_outlet(articles):
    tf = term_frequencies(articles, by="outlet")
    assert list(tf.columns) == ["outlet", "term", "n", "docfreq", "share"]
    daily = tf[tf["outlet"] == "Daily"]
    assert daily[["term", "n", "docfreq"]].values.tolist()[:3] == [
        ["talks", 4, 2],
        ["japan", 3, 2],
        ["korea", 3, 2],
    ]
    assert daily["n"].sum() == 16
    assert daily["share"].iloc[0] == pytest.approx(4 / 16)
    herald = tf[tf["outlet"] == "Herald"]
    assert herald[["term", "n", "docfreq", "share"]].values.tolist() == [["talks", 3, 1, 1.0]]
    assert tf["outlet"].tolist() == sorted(tf["outlet"].tolist())


def test_term_frequencies_by_week_leaves_out_undated_articles_with_a_warning(articles, caplog):
    with caplog.at_level(logging.WARNING, logger="toolkit.stats"):
        tf = term_frequencies(articles, freq="W")
    assert "1 of 3 articles have no publication date" in caplog.text
    assert list(tf.columns) == ["period", "term", "n", "docfreq", "share"]
    assert str(tf["period"].dtype) == UTC
    week1 = tf[tf["period"] == pd.Timestamp("2021-11-01", tz="UTC")]  # a1 (Monday 1 Nov)
    week2 = tf[tf["period"] == pd.Timestamp("2021-11-08", tz="UTC")]  # a2 (Tuesday 9 Nov)
    assert len(week1) + len(week2) == len(tf)
    assert week1[["term", "n", "docfreq"]].values.tolist() == [
        ["talks", 3, 1],
        ["japan", 2, 1],
        ["hold", 1, 1],
        ["korea", 1, 1],
        ["well", 1, 1],
        ["went", 1, 1],
    ]
    assert week1["share"].tolist() == pytest.approx([3 / 9, 2 / 9] + [1 / 9] * 4)
    assert week2[["term", "n"]].values.tolist() == [
        ["korea", 2],
        ["agrees", 1],
        ["japan", 1],
        ["talks", 1],
        ["view", 1],
        ["wants", 1],
    ]
    assert week2["share"].iloc[0] == pytest.approx(2 / 7)


def test_term_frequencies_by_outlet_and_month(articles):
    tf = term_frequencies(articles, by="outlet", freq="M")
    assert list(tf.columns) == ["outlet", "period", "term", "n", "docfreq", "share"]
    assert set(tf["outlet"]) == {"Daily"}  # Herald's only article is undated
    assert tf["period"].unique().tolist() == [pd.Timestamp("2021-11-01", tz="UTC")]
    assert tf["n"].sum() == 16


def test_term_frequencies_options(articles):
    all_words = term_frequencies(articles, stopwords=False)
    assert all_words.set_index("term").loc["and", ["n", "docfreq"]].tolist() == [2, 2]
    assert all_words["n"].sum() == 23

    mine = term_frequencies(articles, stopwords={"Talks"})
    assert "talks" not in mine["term"].tolist() and "and" in mine["term"].tolist()

    frequent = term_frequencies(articles, min_n=2)
    assert frequent["term"].tolist() == ["talks", "japan", "korea"]
    assert frequent["share"].tolist() == pytest.approx([7 / 19, 3 / 19, 3 / 19])  # still of all 19

    cased = term_frequencies(articles, lower=False).set_index("term")
    assert cased.loc["talks", "n"] == 5 and cased.loc["Talks", "n"] == 2

    titles = term_frequencies(articles, fields=("title",))
    assert titles[["term", "n"]].values.tolist() == [
        ["japan", 1],
        ["korea", 1],
        ["talks", 1],
        ["view", 1],
    ]


def test_term_frequencies_with_precomputed_tokens(articles):
    expected = term_frequencies(articles, by="outlet")
    pd.testing.assert_frame_equal(
        term_frequencies(articles, by="outlet", tokens=tokenize(articles)), expected
    )
    raw = tokenize(articles, lower=False, punct=True)  # lower and stopwords are applied to it
    pd.testing.assert_frame_equal(term_frequencies(articles, by="outlet", tokens=raw), expected)
    # tokens of a larger corpus: only the given articles count
    subset = articles[articles["outlet"] == "Herald"]
    tf = term_frequencies(subset, tokens=tokenize(articles))
    assert tf[["term", "n"]].values.tolist() == [["talks", 3]]


def test_term_frequencies_empty():
    arts = pd.DataFrame(
        {
            "doc_id": ["x"],
            "outlet": ["O"],
            "published": pd.Series([pd.NaT], dtype=UTC),
            "title": [None],
            "text": ["The and of."],
        }
    )
    tf = term_frequencies(arts, by="outlet")
    assert list(tf.columns) == ["outlet", "term", "n", "docfreq", "share"] and len(tf) == 0
    assert len(top_terms(arts)) == 0


def test_term_frequencies_bad_arguments(articles):
    with pytest.raises(ParameterError, match=r"by='publisher'.*'outlet'"):
        term_frequencies(articles, by="publisher")
    with pytest.raises(ParameterError, match=r"freq='month'.*'D', 'W', 'M', 'Q', 'Y'"):
        term_frequencies(articles, freq="month")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"min_n=0.*integer >= 1"):
        term_frequencies(articles, min_n=0)
    with pytest.raises(ParameterError, match=r"stopwords='english'"):
        term_frequencies(articles, stopwords="english")
    with pytest.raises(ParameterError, match=r"fields=\('body',\)"):
        term_frequencies(articles, fields=("body",))
    with pytest.raises(SchemaError, match="tokens must be a tokens table"):
        term_frequencies(articles, tokens=[["a"]])


def test_top_terms(articles):
    top = top_terms(articles, n=2)
    assert list(top.columns) == ["rank", "term", "n", "docfreq", "share"]
    # japan and korea tie at 3: alphabetical order decides
    assert top[["rank", "term", "n"]].values.tolist() == [[1, "talks", 7], [2, "japan", 3]]

    by = top_terms(articles, n=2, by="outlet")
    assert list(by.columns) == ["outlet", "rank", "term", "n", "docfreq", "share"]
    assert by[["outlet", "rank", "term"]].values.tolist() == [
        ["Daily", 1, "talks"],
        ["Daily", 2, "japan"],
        ["Herald", 1, "talks"],
    ]

    with_stop = top_terms(articles, n=3, stopwords=False)
    assert with_stop["term"].tolist() == ["talks", "japan", "korea"]
    assert top_terms(articles, n=3, stopwords=False, min_n=4)["term"].tolist() == ["talks"]

    weekly = top_terms(articles, n=1, freq="W")
    assert weekly[["period", "rank", "term"]].values.tolist() == [
        [pd.Timestamp("2021-11-01", tz="UTC"), 1, "talks"],
        [pd.Timestamp("2021-11-08", tz="UTC"), 1, "korea"],
    ]


def test_top_terms_bad_n(articles):
    with pytest.raises(ParameterError, match=r"n=0 is not valid: expected an integer >= 1"):
        top_terms(articles, n=0)
    with pytest.raises(ParameterError, match=r"n='5'"):
        top_terms(articles, n="5")  # type: ignore[arg-type]


def test_functions_do_not_modify_input(articles):
    before = articles.copy()
    tokens = tokenize(articles)
    tokens_before = tokens.copy()
    corpus_summary(articles, by="outlet", tokens=tokens)
    article_stats(articles, tokens=tokens)
    term_frequencies(articles, by="outlet", freq="W", tokens=tokens)
    top_terms(articles, tokens=tokens)
    pd.testing.assert_frame_equal(articles, before)
    pd.testing.assert_frame_equal(tokens, tokens_before)


@pytest.mark.corpora
def test_bbc_statistics_are_consistent(corpora):
    arts = read_bbc_plainly(corpora).rename(columns={"section": "outlet"})
    arts["published"] = pd.Series(pd.NaT, index=arts.index, dtype=UTC)
    tokens = tokenize(arts)
    summary = corpus_summary(arts, by="outlet", tokens=tokens)
    assert summary["n_articles"].tolist() == [510, 386, 417, 511, 401]
    assert (summary["n_undated"] == summary["n_articles"]).all()
    per_article = article_stats(arts, tokens=tokens)
    tf = term_frequencies(arts, tokens=tokens, stopwords=False)
    assert tf["n"].sum() == summary["n_tokens"].sum() == len(tokens)
    text_tokens = int((tokens["field"] == "text").sum())
    assert per_article["n_tokens"].sum() == text_tokens
    assert (tf["docfreq"] <= 2225).all() and tf["docfreq"].max() == 2225  # "the"
    assert tf["term"].is_unique
    top = top_terms(arts, tokens=tokens, by="outlet", n=10)
    assert (top.groupby("outlet")["rank"].max() == 10).all()
    assert "said" in set(top["term"])


# ---------------------------------------------------------------------------------------------
# term_frequencies_by_group: groups from (article, group) pairs, an article in several groups
# ---------------------------------------------------------------------------------------------


def test_term_frequencies_by_group_by_hand(articles):
    # a1 in both groups, a2 in "K", a3 in none. Words (stopwords off): a1 10, a2 8.
    pairs = pd.DataFrame({"doc_id": ["a1", "a1", "a2", "a1"], "topic": ["J", "K", "K", "J"]})
    got = term_frequencies_by_group(articles, pairs, stopwords=False)
    assert list(got.columns) == ["topic", "term", "n", "docfreq", "share"]
    j = got[got["topic"] == "J"]
    assert j[["term", "n", "docfreq"]].values.tolist() == [
        ["talks", 3, 1], ["japan", 2, 1], ["and", 1, 1], ["hold", 1, 1], ["korea", 1, 1],
        ["well", 1, 1], ["went", 1, 1],
    ]  # fmt: skip
    assert j["share"].sum() == pytest.approx(1.0) and j["share"].iloc[0] == pytest.approx(0.3)
    k = got[got["topic"] == "K"]
    assert k[["term", "n", "docfreq"]].values.tolist()[:3] == [
        ["talks", 4, 2],
        ["japan", 3, 2],
        ["korea", 3, 2],
    ]
    assert k["n"].sum() == 18 and k["share"].iloc[0] == pytest.approx(4 / 18)


def test_term_frequencies_by_group_equals_term_frequencies_for_one_group_per_article(articles):
    tokens = tokenize(articles, punct=True, lower=False)
    for tok in (None, tokens):
        expected = term_frequencies(articles, by="outlet", tokens=tok)
        got = term_frequencies_by_group(articles, articles[["doc_id", "outlet"]], tokens=tok)
        pd.testing.assert_frame_equal(got, expected)
    # Several grouping columns, and the options pass through.
    keys = articles[["doc_id", "outlet"]].assign(kind=["x", "y", "x"])
    got = term_frequencies_by_group(articles, keys, stopwords=False, fields=("text",), min_n=2)
    assert list(got.columns[:2]) == ["outlet", "kind"]
    assert got[["outlet", "kind", "term", "n"]].values.tolist() == [
        ["Daily", "x", "talks", 2],
        ["Herald", "x", "talks", 3],
    ]


def test_term_frequencies_by_group_unknown_ids_and_missing_groups(articles, caplog):
    pairs = pd.DataFrame({"doc_id": ["a3", "zz", None], "topic": [None, "J", "J"]})
    with caplog.at_level(logging.WARNING, logger="toolkit.stats"):
        got = term_frequencies_by_group(articles, pairs, stopwords=False)
    assert "1 rows of groups name a doc_id that is not in articles" in caplog.text
    assert got["topic"].isna().all()  # a3's missing topic is its own group
    assert got[["term", "n"]].values.tolist() == [["talks", 3], ["and", 1], ["more", 1]]


def test_term_frequencies_by_group_empty_and_errors(articles):
    none = pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "topic": pd.Series([], dtype="str")})
    got = term_frequencies_by_group(articles, none)
    assert got.empty and list(got.columns) == ["topic", "term", "n", "docfreq", "share"]
    got = term_frequencies_by_group(articles.iloc[0:0], articles[["doc_id", "outlet"]])
    assert got.empty and list(got.columns) == ["outlet", "term", "n", "docfreq", "share"]
    with pytest.raises(
        SchemaError, match=r"groups needs a doc_id column and at least one grouping column"
    ):
        term_frequencies_by_group(articles, articles[["doc_id"]])
    with pytest.raises(SchemaError, match=r"groups must be a pandas DataFrame"):
        term_frequencies_by_group(articles, {"a1": "J"})  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"\['term'\] named like output columns"):
        term_frequencies_by_group(
            articles, articles[["doc_id", "outlet"]].rename(columns={"outlet": "term"})
        )
    with pytest.raises(ParameterError, match=r"fields=\('body',\)"):
        term_frequencies_by_group(articles, articles[["doc_id", "outlet"]], fields=("body",))


def test_summaries_of_undated_articles(articles):
    undated = articles.assign(published=pd.Series(pd.NaT, index=articles.index, dtype=UTC))
    s = corpus_summary(undated)
    assert s[["n_articles", "n_undated"]].iloc[0].tolist() == [3, 3]
    pd.testing.assert_frame_equal(top_terms(undated, n=3), top_terms(articles, n=3))
    assert top_terms(undated, n=3, freq="W").empty


# ---------------------------------------------------------------------------------------------
# Counting straight from the texts (no tokens table) and document_term_matrix
# ---------------------------------------------------------------------------------------------

TRICKY = pd.DataFrame(
    {
        "doc_id": ["t1", "t2", "t3", "t4"],
        "outlet": ["A", "A", "B", None],
        "published": pd.Series(pd.to_datetime(["2021-11-01T10:00Z", None, "2021-11-03T00:00Z", None], utc=True)).astype(UTC),
        "title": ["Japan\u2019s view", None, "", "U.S. talks"],
        "text": [
            "Japan's Moon Jae-in didn't visit the U.S. in 2019. JAPAN said so.",
            "15,000 people, 2.5%... they\u2019re here; Caf\u00e9 cafe\u0301 _ __init__",
            "can't,won't n't foo-n't O'Brien's rock'n'roll x.y.. --- a--b",
            "e.g. i.e. Ph.D. end.Next 3:30 1,000,000 \u0130stanbul Stra\u00dfe",
        ],
    }
)


@pytest.mark.parametrize("options", [
    {}, {"stopwords": False}, {"lower": False}, {"stopwords": ["japan", "u.s."]}, {"fields": ("text",)},
    {"by": "outlet"}, {"freq": "D"}, {"min_n": 2, "stopwords": False},
])
def test_term_frequencies_without_tokens_equal_those_from_a_tokens_table(options):
    fields = options.get("fields", ("title", "text"))
    # with sentences and punctuation, which counting ignores
    tokens = tokenize(TRICKY, fields=fields, punct=True, lower=options.get("lower", True))
    pd.testing.assert_frame_equal(term_frequencies(TRICKY, **options),
                                  term_frequencies(TRICKY, tokens=tokens, **options))


def test_document_term_matrix_by_hand(articles):
    matrix, vocabulary = document_term_matrix(articles)
    assert vocabulary.tolist() == ["agrees", "hold", "japan", "korea", "talks", "view", "wants", "well", "went"]
    assert vocabulary.name == "term" and vocabulary.dtype == "str"
    assert matrix.shape == (3, 9) and matrix.dtype == np.int64 and matrix.has_canonical_format
    assert matrix.toarray().tolist() == [
        [0, 1, 2, 1, 3, 0, 0, 1, 1],  # a1: japan talks | japan and korea hold talks. talks went well
        [1, 0, 1, 2, 1, 1, 1, 0, 0],  # a2: korea 's view | korea wants talks! japan agrees
        [0, 0, 0, 0, 3, 0, 0, 0, 0],  # a3: talks talks and more talks ("more" is a stopword)
    ]
    matrix, vocabulary = document_term_matrix(articles, min_n=3, fields=("text",), stopwords=False)
    assert vocabulary.tolist() == ["talks"]
    assert matrix.toarray().ravel().tolist() == [2, 1, 3]


def test_document_term_matrix_agrees_with_term_frequencies():
    for options in ({}, {"stopwords": False, "lower": False}):
        matrix, vocabulary = document_term_matrix(TRICKY, **options)
        tf = term_frequencies(TRICKY, **options).set_index("term").loc[vocabulary]
        assert np.asarray(matrix.sum(axis=0)).ravel().tolist() == tf["n"].tolist()
        assert np.bincount(matrix.indices, minlength=len(vocabulary)).tolist() == tf["docfreq"].tolist()
    tokens = tokenize(TRICKY)
    matrix, vocabulary = document_term_matrix(TRICKY, tokens=tokens, stopwords=False)
    per_article = tokens.groupby("doc_id", observed=False).size()
    assert np.asarray(matrix.sum(axis=1)).ravel().tolist() == per_article.loc[TRICKY["doc_id"]].tolist()


def test_document_term_matrix_empty_and_errors(articles):
    matrix, vocabulary = document_term_matrix(articles.iloc[0:0])
    assert matrix.shape == (0, 0) and len(vocabulary) == 0
    with pytest.raises(ParameterError, match=r"min_n=0 is not valid"):
        document_term_matrix(articles, min_n=0)
    with pytest.raises(ParameterError, match=r"fields=.*'body'"):
        document_term_matrix(articles, fields=("body",))


@pytest.mark.corpora
def test_counts_agree_with_scikit_learn_count_vectorizer(corpora):
    """Same counts as CountVectorizer where both tokenizers define a word alike.

    CountVectorizer with token_pattern ``\\b\\w+\\b`` splits at every non-word character, so
    "jae-in", "u.s." and "15,000" are one word for us and two for it. For every word made only of
    letters and digits that is never part of such a compound of ours, n and docfreq must be
    identical (the others differ: it counts "jae" and "in" in "jae-in", "didn" in "didn't").
    """
    import re

    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    arts = read_bbc_plainly(corpora)
    arts["published"] = pd.Series(pd.NaT, index=arts.index, dtype=UTC)
    arts["outlet"] = "BBC"
    ours = term_frequencies(arts, stopwords=False).set_index("term")
    vectorizer = sklearn_text.CountVectorizer(token_pattern=r"(?u)\b\w+\b")
    texts = (arts["title"].fillna("") + "\n" + arts["text"].fillna("")).tolist()
    matrix = vectorizer.fit_transform(texts).tocsc()
    theirs = pd.DataFrame(
        {"n": np.asarray(matrix.sum(axis=0)).ravel(), "docfreq": np.diff(matrix.indptr)},
        index=vectorizer.get_feature_names_out(),
    )
    simple = ours.index.str.fullmatch(r"[^\W_]+")
    parts = {p for term in ours.index[~simple] for p in re.findall(r"\w+", term)}
    # "didn't" is did + n't for us, didn + t for it
    parts |= {stem.lower() for text in texts for stem in re.findall(r"(\w+)n['\u2019][tT]\b", text)}
    parts |= {stem.lower() for text in texts for stem in re.findall(r"(\w+)['\u2019]", text)}
    alike = [t for t in ours.index[simple] if t not in parts]
    assert len(alike) > 20_000
    assert (ours.loc[alike, ["n", "docfreq"]] == theirs.loc[alike, ["n", "docfreq"]]).all().all()
    # and the matrix of document_term_matrix is CountVectorizer's, column for column
    ours_matrix, vocabulary = document_term_matrix(arts, stopwords=False)
    columns = vocabulary.get_indexer(alike)
    their_columns = pd.Index(vectorizer.get_feature_names_out()).get_indexer(alike)
    assert (ours_matrix.tocsc()[:, columns] != matrix[:, their_columns]).nnz == 0


def test_article_stats_without_sentences_counts_from_the_texts(articles):
    fast = article_stats(articles, sentences=False)
    full = article_stats(articles)
    pd.testing.assert_frame_equal(fast.drop(columns=["n_sentences", "mean_sentence_length"]),
                                  full.drop(columns=["n_sentences", "mean_sentence_length"]))
    assert fast["n_sentences"].isna().all() and fast["mean_sentence_length"].isna().all()
    assert fast["n_tokens"].tolist() == [8, 5, 5]
    tricky = article_stats(TRICKY, sentences=False)
    pd.testing.assert_frame_equal(
        tricky, article_stats(TRICKY, tokens=tokenize(TRICKY, sentences=False)), check_dtype=False
    )
    with pytest.raises(ParameterError, match=r"sentences='no' is not valid: expected True or False"):
        article_stats(articles, sentences="no")


# -- words="alnum": maximal runs of letters and digits, counted byte-level ---------------------

ALNUM_RE = r"[^\W_]+"


def _alnum_reference(arts: pd.DataFrame, fields=("title", "text"), lower: bool = True) -> tuple[list, list]:
    """The (article row, term) of every alnum word by the definition itself, and the sorted terms."""
    import re

    pairs = []
    for row, values in enumerate(zip(*(arts[f].tolist() for f in fields), strict=True)):
        for value in values:
            if isinstance(value, str):
                pairs += [(row, w) for w in re.findall(ALNUM_RE, value.lower() if lower else value)]
    return pairs, sorted({w for _, w in pairs})


def _assert_alnum_matrix_is_the_reference(arts: pd.DataFrame, fields=("title", "text"), lower: bool = True) -> None:
    from collections import Counter

    matrix, vocabulary = document_term_matrix(arts, stopwords=False, fields=fields, lower=lower, words="alnum")
    pairs, terms = _alnum_reference(arts, fields, lower)
    assert vocabulary.tolist() == terms
    assert matrix.shape == (len(arts), len(terms)) and matrix.has_canonical_format
    coo = matrix.tocoo()
    ours = Counter({(int(r), terms[c]): int(n) for r, c, n in zip(coo.row, coo.col, coo.data, strict=True)})
    assert ours == Counter(pairs)


def _alnum_articles(texts: list, titles: list | None = None) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(n)], "outlet": ["X"] * n,
        "published": pd.Series(pd.NaT, index=range(n), dtype=UTC),
        "title": pd.array(titles if titles is not None else [None] * n, dtype="str"),
        "text": pd.array(texts, dtype="str"),
    })


def test_alnum_words_by_hand():
    arts = _alnum_articles(
        ["The U.S.-Korea talks’ “Café” — naïve_user x2 3½ km² ĀBC", "ΟΔΟΣ İstanbul, don't", None, ""],
        titles=["Talks", None, "Breaking", None],
    )
    out = term_frequencies(arts, words="alnum", stopwords=False)
    got = dict(zip(out["term"], out["n"], strict=True))
    assert got == {"talks": 2, "the": 1, "u": 1, "s": 1, "korea": 1, "café": 1, "naïve": 1, "user": 1,
                   "x2": 1, "3½": 1, "km²": 1, "ābc": 1, "οδος": 1, "i": 1, "stanbul": 1, "don": 1, "t": 1,
                   "breaking": 1}
    assert out.loc[out["term"] == "talks", "docfreq"].item() == 1
    # the matrix: the same words, one row per article
    matrix, vocabulary = document_term_matrix(arts, words="alnum", stopwords=False)
    assert matrix.shape == (4, len(got)) and matrix.sum() == sum(got.values())
    assert matrix.sum(axis=1).ravel().tolist() == [[13, 5, 1, 0]]
    # stopwords, lower and min_n as with the toolkit's words
    with_stop = term_frequencies(arts, words="alnum")
    assert "the" not in set(with_stop["term"]) and "talks" in set(with_stop["term"])
    upper = term_frequencies(arts, words="alnum", lower=False, stopwords=False)
    assert {"The", "U", "Café", "ΟΔΟΣ", "İstanbul"} <= set(upper["term"])
    assert term_frequencies(arts, words="alnum", stopwords=False, min_n=2)["term"].tolist() == ["talks"]
    _, vocab2 = document_term_matrix(arts, words="alnum", stopwords=False, min_n=2)
    assert vocab2.tolist() == ["talks"]


def test_alnum_words_match_the_definition_on_tricky_texts():
    texts = ["ΑΣ'Β ΣΑΣ ΟΔΟΣ.", "ß ẞ Ⱥ K", "e\u0301 é", "a\u2028b\u00a0c\u200bd", "tab\there", "x_y__z", "١٢٣ ٤", "日本語 テキスト"]
    for lower in (True, False):
        _assert_alnum_matrix_is_the_reference(_alnum_articles(texts, titles=texts[::-1]), lower=lower)
    # a title ending in a word and a text starting with one are two words
    arts = _alnum_articles(["korea"], titles=["japan"])
    assert document_term_matrix(arts, words="alnum")[1].tolist() == ["japan", "korea"]


def test_alnum_words_by_group_and_with_unordered_articles(articles):
    by_outlet = term_frequencies(articles, by="outlet", words="alnum", stopwords=False)
    for outlet, group in articles.groupby("outlet"):
        alone = term_frequencies(group, words="alnum", stopwords=False)
        mine = by_outlet[by_outlet["outlet"] == outlet].drop(columns="outlet").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    assert top_terms(articles, n=1, words="alnum")["term"].tolist() == ["talks"]


def test_alnum_words_bad_arguments(articles):
    with pytest.raises(ParameterError, match=r"words='regex' is not valid: expected one of 'toolkit', 'alnum'"):
        term_frequencies(articles, words="regex")
    with pytest.raises(ParameterError, match=r"tokens=.*None with words=\"alnum\""):
        document_term_matrix(articles, tokens=tokenize(articles), words="alnum")


def test_alnum_default_is_unchanged(articles):
    pd.testing.assert_frame_equal(term_frequencies(articles), term_frequencies(articles, words="toolkit"))


from hypothesis import HealthCheck, given, settings  # noqa: E402 - appended section
from hypothesis import strategies as st  # noqa: E402

_ANY_TEXT = st.one_of(st.none(), st.text(max_size=60),
                      st.text(alphabet=st.sampled_from("aZ9 _-.'’“—éÉΣσİıßẞ١²\u0301\n"), max_size=40))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_ANY_TEXT, min_size=1, max_size=6), titles=st.lists(_ANY_TEXT, min_size=6, max_size=6),
       lower=st.booleans())
def test_alnum_words_equal_the_regex_on_any_text(texts, titles, lower):
    _assert_alnum_matrix_is_the_reference(_alnum_articles(texts, titles[: len(texts)]), lower=lower)


def test_alnum_words_split_large_inputs_alike(monkeypatch):
    """Past a size the texts are split across threads; the counts are the same."""
    import toolkit._alnum as alnum

    texts = [f"Word{i % 7} ÉTÉ “q” {i} x" * (i % 5) for i in range(300)] + ["ΟΔΟΣ end"]
    arts = _alnum_articles(texts, titles=texts[::-1])
    monkeypatch.setattr(alnum, "_SPLIT_BYTES", 10)
    monkeypatch.setattr(alnum, "_CHUNK_BYTES", 700)
    for jobs in (1, 2, 3):
        monkeypatch.setattr(alnum.os, "cpu_count", lambda jobs=jobs: jobs)
        _assert_alnum_matrix_is_the_reference(arts)


@pytest.mark.corpora
def test_alnum_words_equal_scikit_learn_count_vectorizer(corpora):
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    arts = read_bbc_plainly(corpora)
    arts["published"] = pd.Series(pd.NaT, index=arts.index, dtype=UTC)
    arts["outlet"] = "BBC"
    texts = [t if isinstance(t, str) else "" for t in arts["text"].tolist()]
    vectorizer = sklearn_text.CountVectorizer(token_pattern=r"(?u)[^\W_]+")
    theirs = vectorizer.fit_transform(texts)
    ours, vocabulary = document_term_matrix(arts, fields=("text",), stopwords=False, words="alnum")
    assert vocabulary.tolist() == vectorizer.get_feature_names_out().tolist()
    assert (ours != theirs).nnz == 0
    _assert_alnum_matrix_is_the_reference(arts)


def _reuters_and_recovery(corpora: Path) -> pd.DataFrame:
    import csv
    import re

    texts = []
    for path in sorted((corpora / "reuters21578").glob("*.sgm"))[:4]:
        texts += re.findall(r"<BODY>(.*?)</BODY>", path.read_text(encoding="latin-1"), re.S)
    csv.field_size_limit(1 << 30)
    for path in sorted((corpora / "recovery-covid-news").glob("dataset/*/*.csv")):
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            texts += [row.get("body_text") for row in csv.DictReader(handle)]
    if len(texts) < 1000:
        pytest.skip("Reuters-21578 or ReCOVery not found under ../shared/corpora")
    return _alnum_articles(texts, titles=[t[:30] if isinstance(t, str) else None for t in texts[::-1]])


@pytest.mark.corpora
def test_alnum_words_equal_the_definition_on_reuters_and_recovery(corpora):
    _assert_alnum_matrix_is_the_reference(_reuters_and_recovery(corpora))


# -- the matrix is counted slice by slice (toolkit._alnum.sliced_counts) -----------------------

def _per_token_matrix(arts: pd.DataFrame, **options):
    """The matrix as counted before slicing: every token's (article, term), one scipy CSR for all."""
    from toolkit import stats

    rows, codes, terms = stats._counted_words(arts, None, keep=np.ones(len(arts), dtype=bool),
                                              fields=options.get("fields", ("title", "text")),
                                              lower=options.get("lower", True),
                                              stopwords=options.get("stopwords", True),
                                              words=options.get("words", "toolkit"))
    return stats._sparse_counts(rows, codes, len(terms), len(arts)), terms.to_pylist()


def _assert_same_matrix(got, want) -> None:
    (matrix, vocabulary), (their_matrix, their_terms) = got, want
    assert vocabulary.tolist() == list(their_terms)
    assert matrix.shape == their_matrix.shape and matrix.dtype == np.int64 and matrix.has_canonical_format
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(matrix, name), getattr(their_matrix, name), err_msg=name)


def _sliced(monkeypatch, slice_bytes: int, jobs: int) -> None:
    import toolkit._alnum as alnum

    monkeypatch.setattr(alnum, "SLICE_BYTES", slice_bytes)
    monkeypatch.setattr(alnum.os, "cpu_count", lambda: jobs)
    monkeypatch.setattr(alnum, "_RELEASE_NNZ", 0)  # hand freed memory back after every count


SLICED = pd.concat([TRICKY, _alnum_articles(["", "...", None, "ΟΔΟΣ σας ΣΑΣ İstanbul", "x " * 300, "—"],
                                            titles=["Korea", None, "the", "", "talks", None])],
                   ignore_index=True).assign(doc_id=lambda d: [f"s{i}" for i in range(len(d))])


@pytest.mark.parametrize("words", ["toolkit", "alnum"])
@pytest.mark.parametrize("options", [{}, {"stopwords": False}, {"lower": False}, {"fields": ("text",)},
                                     {"stopwords": ["japan", "the", "x"]}])
def test_document_term_matrix_is_the_same_whatever_the_slices(monkeypatch, words, options):
    """Slices of one article, of a few, and one slice for all give the per-token matrix exactly."""
    want = _per_token_matrix(SLICED, words=words, **options)
    by_day = term_frequencies(SLICED, freq="D", words=words, **options)  # undated articles left out
    assert set(by_day["term"]) < set(want[1])
    for slice_bytes, jobs in ((1, 1), (1, 3), (40, 2), (10**9, 1)):
        _sliced(monkeypatch, slice_bytes, jobs)
        _assert_same_matrix(document_term_matrix(SLICED, words=words, **options), want)
        pd.testing.assert_frame_equal(term_frequencies(SLICED, freq="D", words=words, **options), by_day)
    # articles without any word, alone and all together
    empty = SLICED.iloc[[5, 9, 5]].reset_index(drop=True).assign(doc_id=["e1", "e2", "e3"])
    matrix, vocabulary = document_term_matrix(empty, words=words, **options)
    assert matrix.shape == (3, 0) and matrix.nnz == 0 and len(vocabulary) == 0


@pytest.mark.corpora
@pytest.mark.parametrize("words", ["toolkit", "alnum"])
def test_document_term_matrix_slicing_changes_nothing_on_real_text(corpora, monkeypatch, words):
    """BBC and ReCOVery/Reuters articles: one article per slice, small slices on 3 threads and
    one slice for all give the same matrix and vocabulary as counting every token at once."""
    bbc = read_bbc_plainly(corpora).iloc[::6].reset_index(drop=True)
    bbc["outlet"], bbc["published"] = "BBC", pd.Series(pd.NaT, index=bbc.index, dtype=UTC)
    other = _reuters_and_recovery(corpora).iloc[::40].reset_index(drop=True)
    arts = pd.concat([bbc[other.columns], other], ignore_index=True)
    arts["doc_id"] = [f"d{i}" for i in range(len(arts))]
    want = _per_token_matrix(arts, words=words, stopwords=False)
    assert want[0].nnz > 100_000
    for slice_bytes, jobs in ((30_000, 3), (10**10, 1)):
        _sliced(monkeypatch, slice_bytes, jobs)
        _assert_same_matrix(document_term_matrix(arts, words=words, stopwords=False), want)
    few = arts.iloc[360:420].reset_index(drop=True)  # BBC, then Reuters and ReCOVery
    _sliced(monkeypatch, 1, 2)
    _assert_same_matrix(document_term_matrix(few, words=words, stopwords=False),
                        _per_token_matrix(few, words=words, stopwords=False))


# ---------------------------------------------------------------------------------------------
# matrix=: tables counted from one document_term_matrix equal those counted from the texts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [
    {}, {"stopwords": False}, {"lower": False}, {"stopwords": ["japan", "u.s."]}, {"fields": ("text",)},
    {"by": "outlet"}, {"freq": "D"}, {"min_n": 2, "stopwords": False}, {"stopwords": "news"},
])
def test_term_frequencies_from_a_matrix_equal_counting_the_texts(options):
    matrix = document_term_matrix(TRICKY, stopwords=False, lower=options.get("lower", True),
                                  fields=options.get("fields", ("title", "text")))
    pd.testing.assert_frame_equal(term_frequencies(TRICKY, matrix=matrix, **options), term_frequencies(TRICKY, **options))
    pd.testing.assert_frame_equal(top_terms(TRICKY, n=3, matrix=matrix, **options), top_terms(TRICKY, n=3, **options))


def test_corpus_summary_from_a_matrix(articles):
    before = articles.copy()
    matrix = document_term_matrix(articles, stopwords=False)
    for by in (None, "outlet"):
        got = corpus_summary(articles, by=by, matrix=matrix)
        expected = corpus_summary(articles, by=by)
        assert got["n_sentences"].isna().all()  # a matrix has no sentences
        pd.testing.assert_frame_equal(got.drop(columns="n_sentences"), expected.drop(columns="n_sentences"))
    # By hand (see the fixture): 2 + 8 + 3 + 5 + 5 = 23 words; Daily: 18 words, types japan
    # talks and korea hold went well 's view wants agrees = 11.
    by_outlet = corpus_summary(articles, by="outlet", matrix=matrix)
    assert by_outlet[["outlet", "n_tokens", "n_types"]].values.tolist() == [["Daily", 18, 11], ["Herald", 5, 3]]
    assert corpus_summary(articles, matrix=matrix)["n_tokens"].tolist() == [23]
    pd.testing.assert_frame_equal(articles, before)
    empty = articles.iloc[0:0]
    assert corpus_summary(empty, matrix=document_term_matrix(empty, stopwords=False))["n_tokens"].tolist() == [0]


def test_term_frequencies_by_group_from_a_matrix(articles):
    pairs = pd.DataFrame({"doc_id": ["a1", "a1", "a2", "a3", "zz"], "topic": ["Japan", "Korea", "Korea", "Japan", "X"]})
    matrix = document_term_matrix(articles, stopwords=False)
    for options in ({}, {"stopwords": False}, {"min_n": 2}):
        pd.testing.assert_frame_equal(term_frequencies_by_group(articles, pairs, matrix=matrix, **options),
                                      term_frequencies_by_group(articles, pairs, **options))


def test_matrix_argument_errors(articles):
    matrix, vocabulary = document_term_matrix(articles, stopwords=False)
    with pytest.raises(ParameterError, match=r"matrix.*shape \(3, \d+\).*one row per article"):
        term_frequencies(articles.iloc[:2], matrix=(matrix, vocabulary))
    with pytest.raises(ParameterError, match=r"matrix.*\(matrix, vocabulary\) pair"):
        top_terms(articles, matrix=matrix)
    with pytest.raises(ParameterError, match=r"matrix.*CSR matrix"):
        corpus_summary(articles, matrix=(matrix.tocoo(), vocabulary))
    with pytest.raises(ParameterError, match=r"tokens.*None when matrix= is given"):
        corpus_summary(articles, matrix=(matrix, vocabulary), tokens=tokenize(articles))
