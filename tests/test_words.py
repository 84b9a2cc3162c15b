"""Tests for toolkit.words: keyness, collocations, KWIC and tf-idf.

Expectations are counted by hand on tiny literal corpora; the statistics are checked against
scipy (chi2_contingency, power_divergence, chi2.sf) and the collocation scores against NLTK's
own collocation finders run independently on hand-written word lists.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from toolkit.errors import ParameterError
from toolkit.text import tokenize
from toolkit.words import collocations, keyness, keyness_statistics, kwic, tfidf

scipy_stats = pytest.importorskip("scipy.stats")

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
UTC = "datetime64[us, UTC]"


def make_articles(rows: list[tuple]) -> pd.DataFrame:
    """Articles from (doc_id, outlet, published or None, title or None, text) tuples."""
    doc_id, outlet, published, title, text = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "doc_id": list(doc_id),
            "outlet": list(outlet),
            "published": pd.Series(pd.to_datetime(list(published), utc=True)).astype(UTC),
            "title": list(title),
            "text": list(text),
        }
    )


@pytest.fixture
def corpus() -> pd.DataFrame:
    """Words per outlet (no stopwords in these texts, titles empty):

    A (a1): tariffs hit trade | tariffs rose                       N = 5
    B (b1, b2): trade talks resumed | trade grew ; football results N = 7
    C (c1): tariffs loom                                           N = 2
    """
    return make_articles(
        [
            ("a1", "A", "2021-01-01", None, "Tariffs hit trade. Tariffs rose."),
            ("b1", "B", "2021-01-02", None, "Trade talks resumed. Trade grew."),
            ("b2", "B", "2021-01-03", None, "Football results."),
            ("c1", "C", "2021-01-04", None, "Tariffs loom."),
        ]
    )


# ---------------------------------------------------------------------------------------------
# keyness
# ---------------------------------------------------------------------------------------------


def scipy_g2(a: float, b: float, c: float, d: float) -> float:
    table = np.array([[a, b], [c, d]], dtype=float)
    expected = scipy_stats.contingency.expected_freq(table)
    stat, _ = scipy_stats.power_divergence(table.ravel(), expected.ravel(), lambda_="log-likelihood")
    return float(stat)


def scipy_chi2(a: float, b: float, c: float, d: float, yates: bool) -> float:
    return float(scipy_stats.chi2_contingency([[a, b], [c, d]], correction=yates).statistic)


def test_keyness_counts_directions_and_sizes(corpus):
    k = keyness(corpus, target="A", reference="B", min_count=1)
    assert list(k.columns) == ["term", "n_target", "n_reference", "g2", "p", "log_ratio", "direction",
                               "total_target", "total_reference"]
    assert set(k["total_target"]) == {5} and set(k["total_reference"]) == {7}
    got = {r.term: (r.n_target, r.n_reference, r.direction) for r in k.itertuples()}
    assert got == {
        "tariffs": (2, 0, "target"), "hit": (1, 0, "target"), "rose": (1, 0, "target"),
        "trade": (1, 2, "reference"), "talks": (0, 1, "reference"), "resumed": (0, 1, "reference"),
        "grew": (0, 1, "reference"), "football": (0, 1, "reference"), "results": (0, 1, "reference"),
    }
    # Target keywords first, each direction by G2 descending, ties by term.
    assert k["direction"].tolist() == ["target"] * 3 + ["reference"] * 6
    assert k["term"].tolist()[:3] == ["tariffs", "hit", "rose"]
    assert k["term"].tolist()[3:] == ["football", "grew", "results", "resumed", "talks", "trade"]
    assert k["g2"].iloc[:3].is_monotonic_decreasing and k["g2"].iloc[3:].is_monotonic_decreasing


def test_keyness_matches_scipy_on_every_term(corpus):
    for measure in ("g2", "chi2"):
        for yates in (True, False):
            k = keyness(corpus, target="A", reference="B", min_count=1, measure=measure, yates=yates)
            for r in k.itertuples():
                a, b = r.n_target, r.n_reference
                cells = (a, b, 5 - a, 7 - b)
                expected = scipy_g2(*cells) if measure == "g2" else scipy_chi2(*cells, yates)
                assert getattr(r, measure) == pytest.approx(expected, rel=1e-12, abs=1e-12)
                assert r.p == pytest.approx(scipy_stats.chi2.sf(expected, 1), rel=1e-9)


def test_keyness_log_ratio_by_hand(corpus):
    k = keyness(corpus, target="A", reference="B", min_count=1).set_index("term")
    # Hardie's log ratio; a zero count counts as 0.5.
    assert k.loc["tariffs", "log_ratio"] == pytest.approx(math.log2((2 / 5) / (0.5 / 7)))
    assert k.loc["football", "log_ratio"] == pytest.approx(math.log2((0.5 / 5) / (1 / 7)))
    assert k.loc["trade", "log_ratio"] == pytest.approx(math.log2((1 / 5) / (2 / 7)))


def test_keyness_reference_defaults_to_the_rest(corpus):
    k = keyness(corpus, target="A", min_count=1).set_index("term")
    assert set(k["total_reference"]) == {9}  # B and C
    assert k.loc["tariffs", ["n_target", "n_reference"]].tolist() == [2, 1]
    assert "loom" in k.index
    assert k.loc["tariffs", "g2"] == pytest.approx(scipy_g2(2, 1, 3, 8))


def test_keyness_target_forms_agree(corpus):
    by_value = keyness(corpus, target="A", min_count=1)
    by_list = keyness(corpus, target=["A"], min_count=1)
    by_mask = keyness(corpus, target=(corpus["outlet"] == "A"), min_count=1)
    by_array = keyness(corpus, target=(corpus["outlet"] == "A").to_numpy(), min_count=1)
    by_ids = keyness(corpus, target=["a1"], by="doc_id", min_count=1)
    for other in (by_list, by_mask, by_array, by_ids):
        pd.testing.assert_frame_equal(by_value, other)
    two = keyness(corpus, target=["A", "C"], reference="B", min_count=1).set_index("term")
    assert two.loc["tariffs", ["n_target", "n_reference", "total_target"]].tolist() == [3, 0, 7]


def test_keyness_measures_and_columns(corpus):
    lr = keyness(corpus, target="A", reference="B", min_count=1, measure="log_ratio")
    assert list(lr.columns) == ["term", "n_target", "n_reference", "log_ratio", "p", "g2", "direction",
                                "total_target", "total_reference"]
    # p is G2's; the order is by |log ratio| within each direction.
    row = lr.set_index("term").loc["tariffs"]
    assert row["p"] == pytest.approx(scipy_stats.chi2.sf(scipy_g2(2, 0, 3, 7), 1))
    assert lr["log_ratio"].abs().iloc[:3].is_monotonic_decreasing
    chi = keyness(corpus, target="A", reference="B", min_count=1, measure="chi2")
    assert "chi2" in chi.columns and "g2" not in chi.columns


def test_keyness_williams_correction(corpus):
    plain = keyness(corpus, target="A", reference="B", min_count=1).set_index("term")
    corrected = keyness(corpus, target="A", reference="B", min_count=1, williams=True).set_index("term")
    # Williams's q for a 2 x 2 test of independence (Sokal & Rohlf, Biometry, G-test section).
    # tariffs: [[2, 0], [3, 7]], N = 12, rows 2 and 10, columns 5 and 7.
    n = 12
    q = 1 + (n * (1 / 2 + 1 / 10) - 1) * (n * (1 / 5 + 1 / 7) - 1) / (6 * n)
    assert corrected.loc["tariffs", "g2"] == pytest.approx(plain.loc["tariffs", "g2"] / q)
    assert corrected.loc["tariffs", "p"] == pytest.approx(scipy_stats.chi2.sf(plain.loc["tariffs", "g2"] / q, 1))
    assert (corrected["g2"] < plain.loc[corrected.index, "g2"]).all()


def test_keyness_min_count_and_n(corpus):
    k = keyness(corpus, target="A", reference="B", min_count=2)
    assert sorted(k["term"]) == ["tariffs", "trade"]
    assert set(k["total_target"]) == {5}  # sizes still count every word
    top = keyness(corpus, target="A", reference="B", min_count=1, n=2)
    assert top["direction"].tolist() == ["target", "target", "reference", "reference"]
    assert top["term"].tolist() == ["tariffs", "hit", "football", "grew"]


def test_keyness_ties_and_stopwords():
    arts = make_articles([
        ("x", "X", None, None, "Moon and Japan."),
        ("y", "Y", None, None, "Moon and Korea."),
    ])
    k = keyness(arts, target="X", min_count=1).set_index("term")
    assert k.loc["moon", "direction"] == "none"
    assert k.loc["moon", "g2"] == pytest.approx(0) and k.loc["moon", "p"] == pytest.approx(1)
    assert "and" not in k.index
    with_stop = keyness(arts, target="X", min_count=1, stopwords=False)
    assert "and" in set(with_stop["term"])
    assert keyness(arts, target="X", min_count=1, n=5)["direction"].tolist() == ["target", "reference"]


def test_keyness_with_tokens_and_no_mutation(corpus):
    before = corpus.copy()
    tokens = tokenize(corpus, punct=True, lower=False)
    pd.testing.assert_frame_equal(keyness(corpus, target="A", min_count=1, tokens=tokens),
                                  keyness(corpus, target="A", min_count=1))
    pd.testing.assert_frame_equal(corpus, before)


@pytest.mark.parametrize(
    "cells",
    [
        (10, 5, 990, 1995),
        (0, 7, 100, 93),      # zero in the target
        (3, 0, 50, 80),       # zero in the reference
        (1, 1, 1, 1),         # |O - E| = 0: Yates floors at zero
        (1, 2, 3, 3),         # |O - E| < 0.5
        (500, 2, 20_000, 90_000),
        (1, 0, 0, 5),         # a zero row cell and a zero column cell
    ],
)
def test_keyness_statistics_against_scipy(cells):
    a, b, c, d = cells
    s = keyness_statistics([a], [b], a + c, b + d)
    assert s["g2"][0] == pytest.approx(scipy_g2(*cells), rel=1e-12, abs=1e-12)
    table = [[a, b], [c, d]]
    lr = scipy_stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert s["g2"][0] == pytest.approx(lr.statistic, rel=1e-12, abs=1e-12)
    assert s["chi2"][0] == pytest.approx(scipy_chi2(*cells, True), rel=1e-12, abs=1e-12)
    s_no = keyness_statistics([a], [b], a + c, b + d, yates=False)
    assert s_no["chi2"][0] == pytest.approx(scipy_chi2(*cells, False), rel=1e-12, abs=1e-12)
    assert s["p_g2"][0] == pytest.approx(scipy_stats.chi2.sf(s["g2"][0], 1), rel=1e-9, abs=1e-300)
    assert s["p_chi2"][0] == pytest.approx(scipy_stats.chi2.sf(s["chi2"][0], 1), rel=1e-9, abs=1e-300)


def test_keyness_statistics_tiny_p_values_keep_precision():
    s = keyness_statistics([200], [100], 100_000, 1_000_000)
    assert 1e-300 < s["p_g2"][0] < 1e-100  # far in the tail, still a number, not 0
    assert s["p_g2"][0] == pytest.approx(scipy_stats.chi2.sf(s["g2"][0], 1), rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 60), st.integers(0, 60), st.integers(0, 400), st.integers(0, 400),
)
def test_keyness_statistics_property_matches_scipy(a, b, c, d):
    assume(a + b > 0 and c + d > 0 and a + c > 0 and b + d > 0)  # scipy refuses a zero margin
    s = keyness_statistics(np.array([a]), np.array([b]), a + c, b + d)
    assert s["g2"][0] == pytest.approx(scipy_g2(a, b, c, d), rel=1e-9, abs=1e-9)
    assert s["chi2"][0] == pytest.approx(scipy_chi2(a, b, c, d, True), rel=1e-9, abs=1e-9)
    assert 0 <= s["p_g2"][0] <= 1 and 0 <= s["p_chi2"][0] <= 1


def test_keyness_vectorised_over_many_terms():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 50, 300)
    b = rng.integers(0, 50, 300)
    a[:5] = 0
    b[5:10] = 0
    n_t, n_r = int(a.sum()) + 100, int(b.sum()) + 300
    s = keyness_statistics(a, b, n_t, n_r)
    for i in range(0, 300, 17):
        cells = (a[i], b[i], n_t - a[i], n_r - b[i])
        if a[i] + b[i] == 0:
            continue
        assert s["g2"][i] == pytest.approx(scipy_g2(*cells), rel=1e-10, abs=1e-12)
        assert s["chi2"][i] == pytest.approx(scipy_chi2(*cells, True), rel=1e-10, abs=1e-12)


def test_keyness_errors(corpus):
    with pytest.raises(ParameterError, match=r"measure='ll' is not valid.*'g2', 'chi2', 'log_ratio'"):
        keyness(corpus, target="A", measure="ll")
    with pytest.raises(ParameterError, match=r"target='Z' is not valid.*values of the 'outlet' column.*'A', 'B', 'C'"):
        keyness(corpus, target="Z")
    with pytest.raises(ParameterError, match=r"reference='Q' is not valid"):
        keyness(corpus, target="A", reference="Q")
    with pytest.raises(ParameterError, match=r"by='section' is not valid"):
        keyness(corpus, target="A", by="section")
    with pytest.raises(ParameterError, match=r"reference=.*not in the target.*must not overlap"):
        keyness(corpus, target=["A", "B"], reference="B")
    with pytest.raises(ParameterError, match=r"target=.*one value per article \(4\)"):
        keyness(corpus, target=np.array([True, False]))
    with pytest.raises(ParameterError, match=r"target=.*index"):
        keyness(corpus, target=pd.Series([True, False, False, False], index=[9, 8, 7, 6]))
    with pytest.raises(ParameterError, match=r"reference=None is not valid.*whole table"):
        keyness(corpus, target=["A", "B", "C"])
    with pytest.raises(ParameterError, match=r"min_count=0 is not valid"):
        keyness(corpus, target="A", min_count=0)
    with pytest.raises(ParameterError, match=r"n=0 is not valid"):
        keyness(corpus, target="A", n=0)
    empty = corpus.assign(text=["Tariffs hit.", "", "", "The and of."])
    with pytest.raises(ParameterError, match=r"reference=.*at least one counted word"):
        keyness(empty, target="A", reference=["B", "C"])


# ---------------------------------------------------------------------------------------------
# collocations
# ---------------------------------------------------------------------------------------------

COLLOC_TEXTS = [
    "Prime Minister Tony Blair met the prime minister of Japan. Tony Blair said the talks went well.",
    "The prime minister and Tony Blair spoke. Interest rates rose; interest rates may rise again.",
    "Interest rates, the bank said, were stable. Prime minister Tony Blair agreed with the bank.",
]

# The same texts as word lists for NLTK: one list per stretch of adjacent words (split at
# sentence ends and at punctuation), lower-cased, written by hand.
COLLOC_SEGMENTS = [
    "prime minister tony blair met the prime minister of japan".split(),
    "tony blair said the talks went well".split(),
    "the prime minister and tony blair spoke".split(),
    "interest rates rose".split(),
    "interest rates may rise again".split(),
    "interest rates".split(),
    "the bank said".split(),
    "were stable".split(),
    "prime minister tony blair agreed with the bank".split(),
]


@pytest.fixture
def colloc_articles() -> pd.DataFrame:
    return make_articles([(f"d{i}", "X", None, None, t) for i, t in enumerate(COLLOC_TEXTS)])


def nltk_scores(finder, measure: str, min_count: int, stop: set[str]) -> dict[tuple[str, ...], float]:
    from nltk.metrics import BigramAssocMeasures, TrigramAssocMeasures

    finder.apply_freq_filter(min_count)
    finder.apply_word_filter(lambda w: w in stop)
    measures = BigramAssocMeasures if len(next(iter(finder.ngram_fd), ("", ""))) == 2 else TrigramAssocMeasures
    return dict(finder.score_ngrams(getattr(measures, measure)))


STOP = {"the", "of", "and", "with", "were", "may", "again"}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("likelihood_ratio", "likelihood_ratio"), ("pmi", "pmi"), ("t_score", "student_t"),
     ("chi_sq", "chi_sq"), ("dice", "dice"), ("poisson_stirling", "poisson_stirling")],
)
def test_bigram_collocations_match_nltk(colloc_articles, ours, theirs):
    from nltk.collocations import BigramCollocationFinder

    expected = nltk_scores(BigramCollocationFinder.from_documents(COLLOC_SEGMENTS), theirs, 2, STOP)
    got = collocations(colloc_articles, measure=ours, min_count=2, stopwords=STOP)
    assert list(got.columns) == ["ngram", "w1", "w2", "n", ours]
    assert {(r.w1, r.w2): getattr(r, ours) for r in got.itertuples()} == pytest.approx(expected)
    assert got["ngram"].tolist() == [f"{r.w1} {r.w2}" for r in got.itertuples()]
    # Sorted as NLTK sorts: score descending, then words.
    assert [tuple(x) for x in got[["w1", "w2"]].values] == sorted(expected, key=lambda g: (-expected[g], g))


def test_bigram_counts_by_hand(colloc_articles):
    got = collocations(colloc_articles, min_count=2, stopwords=STOP).set_index("ngram")["n"].to_dict()
    # "rates the" and "bank said" (comma), "japan tony" (sentence end) never pair.
    assert got == {"prime minister": 4, "tony blair": 4, "minister tony": 2, "interest rates": 3}
    # Every pair, unfiltered: exactly the adjacent pairs within the hand-split segments, so no
    # pair crosses a sentence, a punctuation mark or an article ("well the", "again interest").
    every = collocations(colloc_articles, min_count=1, stopwords=False)
    expected: dict[str, int] = {}
    for seg in COLLOC_SEGMENTS:
        for pair in zip(seg, seg[1:], strict=False):
            expected[" ".join(pair)] = expected.get(" ".join(pair), 0) + 1
    assert every.set_index("ngram")["n"].to_dict() == expected


def test_windowed_bigrams_match_nltk(colloc_articles):
    from nltk.collocations import BigramCollocationFinder

    words = [w for seg in COLLOC_SEGMENTS for w in [*seg, None, None]]
    finder = BigramCollocationFinder.from_words(words, window_size=3)
    expected = nltk_scores(finder, "likelihood_ratio", 2, STOP)
    got = collocations(colloc_articles, window=3, min_count=2, stopwords=STOP)
    assert {(r.w1, r.w2): r.likelihood_ratio for r in got.itertuples()} == pytest.approx(expected)
    assert got.set_index("ngram").loc["prime tony", "n"] == 2


@pytest.mark.parametrize(("ours", "theirs"), [("likelihood_ratio", "likelihood_ratio"), ("pmi", "pmi"),
                                              ("t_score", "student_t"), ("chi_sq", "chi_sq")])
def test_trigram_collocations_match_nltk(colloc_articles, ours, theirs):
    from nltk.collocations import TrigramCollocationFinder

    expected = nltk_scores(TrigramCollocationFinder.from_documents(COLLOC_SEGMENTS), theirs, 2, STOP)
    got = collocations(colloc_articles, n=3, measure=ours, min_count=2, stopwords=STOP)
    assert list(got.columns) == ["ngram", "w1", "w2", "w3", "n", ours]
    assert {(r.w1, r.w2, r.w3): getattr(r, ours) for r in got.itertuples()} == pytest.approx(expected)
    assert set(got["ngram"]) == {"prime minister tony", "minister tony blair"}


def test_collocations_stopwords_filter_not_remove():
    arts = make_articles([("a", "X", None, None, "Bank of England. Bank of England. Bank of England.")])
    got = collocations(arts, min_count=1)
    assert got.empty and list(got.columns) == ["ngram", "w1", "w2", "n", "likelihood_ratio"]
    kept = collocations(arts, min_count=1, stopwords=False)
    assert set(kept["ngram"]) == {"bank of", "of england"}
    # A window of 3 pairs words two positions apart (Church & Hanks): that pair is real.
    assert collocations(arts, min_count=1, window=3).set_index("ngram")["n"].to_dict() == {"bank england": 3}


def test_collocations_with_tokens_table(colloc_articles):
    tokens = tokenize(colloc_articles)
    pd.testing.assert_frame_equal(collocations(colloc_articles, tokens=tokens, min_count=2),
                                  collocations(colloc_articles, min_count=2))


def test_collocations_errors(colloc_articles):
    with pytest.raises(ParameterError, match=r"n=4 is not valid: expected 2 \(bigrams\) or 3"):
        collocations(colloc_articles, n=4)
    with pytest.raises(ParameterError, match=r"measure='llr' is not valid.*'likelihood_ratio'"):
        collocations(colloc_articles, measure="llr")
    with pytest.raises(ParameterError, match=r"measure='dice'.*bigrams only"):
        collocations(colloc_articles, n=3, measure="dice")
    with pytest.raises(ParameterError, match=r"window=1 is not valid"):
        collocations(colloc_articles, window=1)
    with pytest.raises(ParameterError, match=r"window=5 is not valid.*trigrams"):
        collocations(colloc_articles, n=3, window=5)
    with pytest.raises(ParameterError, match=r"min_count=0"):
        collocations(colloc_articles, min_count=0)


# ---------------------------------------------------------------------------------------------
# KWIC
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def kwic_articles() -> pd.DataFrame:
    return make_articles(
        [
            ("k2", "Herald", "2021-11-05", "Japan votes",
             "Japan's election ended. Voters in Japan chose Kishida; Kishida\u2019s party won. Japanese media agreed."),
            ("k1", "Daily", "2021-11-04", "Seoul and Tokyo",
             "Moon Jae-in met officials from South Korea and Japan.\n\nSouth, Korea said the talks helped Japan"),
            ("k0", "Daily", None, None, "JAPAN in capitals. The economy and economic growth."),
        ]
    )


def test_kwic_columns_order_and_metadata(kwic_articles):
    k = kwic(kwic_articles, "Japan")
    assert list(k.columns) == ["doc_id", "outlet", "published", "title", "field", "sentence", "position",
                               "start", "end", "left", "match", "right", "pattern"]
    # By published (undated last), then doc, field order (title before text), position.
    assert k["doc_id"].tolist() == ["k1", "k1", "k2", "k2", "k2", "k0"]
    assert k["field"].tolist() == ["text", "text", "title", "text", "text", "text"]
    assert k["outlet"].tolist()[:3] == ["Daily", "Daily", "Herald"]
    assert k["title"].iloc[0] == "Seoul and Tokyo"
    assert k["published"].iloc[0] == pd.Timestamp("2021-11-04", tz="UTC")
    assert pd.isna(k["published"].iloc[-1])
    assert set(k["pattern"]) == {"Japan"}


def test_kwic_offsets_and_positions_agree_with_text_and_tokens(kwic_articles):
    k = kwic(kwic_articles, "Japan")
    tokens = tokenize(kwic_articles, punct=True, lower=False)
    for r in k.itertuples():
        text = kwic_articles.set_index("doc_id").loc[r.doc_id, r.field]
        assert text[r.start:r.end] == r.match
        tok = tokens[(tokens["doc_id"] == r.doc_id) & (tokens["field"] == r.field) & (tokens["position"] == r.position)]
        assert tok["token"].tolist() == [r.match] and tok["sentence"].tolist() == [r.sentence]


def test_kwic_token_windows_and_edges(kwic_articles):
    k = kwic(kwic_articles, "Japan", window=2).query("doc_id == 'k2'")
    rows = k[["field", "left", "match", "right"]].values.tolist()
    assert rows == [
        ["title", "", "Japan", "votes"],                  # title start and end
        ["text", "", "Japan", "'s election"],             # text start; clitic is a word token
        ["text", "Voters in", "Japan", "chose Kishida"],  # windows cross nothing here
    ]
    end = kwic(kwic_articles, "Japan", window=3).query("doc_id == 'k1'")
    # Windows may cross sentences and paragraphs (whitespace shown as one space) but stop at the
    # field's edges; punctuation inside the window is kept.
    assert end["left"].tolist() == ["South Korea and", "the talks helped"]
    assert end["right"].tolist() == [". South, Korea said", ""]
    none = kwic(kwic_articles, "Japan", window=0)
    assert set(none["left"]) == {""} and set(none["right"]) == {""}


def test_kwic_whole_tokens_only_and_case(kwic_articles):
    k = kwic(kwic_articles, "japan")
    assert "Japanese" not in set(k["match"])  # token boundaries, not substrings
    assert sorted(set(k["match"])) == ["JAPAN", "Japan"]  # case-insensitive by default
    cs = kwic(kwic_articles, "Japan", case_sensitive=True)
    assert set(cs["match"]) == {"Japan"} and len(cs) == len(k) - 1


def test_kwic_phrases(kwic_articles):
    k = kwic(kwic_articles, "South Korea")
    assert k[["doc_id", "match", "position"]].values.tolist() == [["k1", "South Korea", 5]]  # not "South, Korea"
    hyphen = kwic(kwic_articles, "moon jae-in")
    assert hyphen["match"].tolist() == ["Moon Jae-in"] and hyphen["end"].iloc[0] - hyphen["start"].iloc[0] == 11
    clitic = kwic(kwic_articles, "Kishida's")  # curly and straight apostrophes are the same
    assert clitic["match"].tolist() == ["Kishida\u2019s"]


def test_kwic_glob_and_regex(kwic_articles):
    glob = kwic(kwic_articles, "Japan*", pattern_type="glob")
    assert sorted(glob["match"]) == ["JAPAN", "Japan", "Japan", "Japan", "Japan", "Japan", "Japanese"]
    assert kwic(kwic_articles, "econom?", pattern_type="glob")["match"].tolist() == ["economy"]
    assert kwic(kwic_articles, "South Kor*", pattern_type="glob")["match"].tolist() == ["South Korea"]
    regex = kwic(kwic_articles, "econom(y|ic)", pattern_type="regex")
    assert regex["match"].tolist() == ["economy", "economic"]
    assert kwic(kwic_articles, "Japan", pattern_type="regex")["match"].str.lower().eq("japan").all()  # fullmatch
    assert kwic(kwic_articles, "^kish.*$", pattern_type="regex")["match"].tolist() == ["Kishida", "Kishida"]
    lookahead = kwic(kwic_articles, "(?=k)kish.*", pattern_type="regex")  # no text prefilter
    assert len(lookahead) == 2
    two = kwic(kwic_articles, "econom.* growth", pattern_type="regex")
    assert two["match"].tolist() == ["economic growth"]


def test_kwic_sentence_mode(kwic_articles):
    k = kwic(kwic_articles, "Kishida", mode="sentence")
    assert list(k.columns)[-4:] == ["context", "context_start", "context_end", "pattern"]
    assert k["context"].tolist() == ["Voters in Japan chose Kishida; Kishida\u2019s party won."] * 2
    first = k.iloc[0]
    assert (first["left"], first["match"], first["right"]) == ("Voters in Japan chose", "Kishida", "; Kishida\u2019s party won.")
    for r in k.itertuples():
        assert r.context[r.context_start:r.context_end] == r.match
    multi_line = kwic(kwic_articles, "officials", mode="sentence")
    assert multi_line["context"].tolist() == ["Moon Jae-in met officials from South Korea and Japan."]


def test_kwic_several_patterns_and_fields(kwic_articles):
    k = kwic(kwic_articles, ["Kishida", "Japan"], fields=("text",))
    assert set(k["field"]) == {"text"}
    k2 = k.query("doc_id == 'k2'")
    assert k2["pattern"].tolist() == ["Japan", "Japan", "Kishida", "Kishida"]


def test_kwic_no_hits_and_no_mutation(kwic_articles):
    before = kwic_articles.copy()
    k = kwic(kwic_articles, "Rwanda")
    assert k.empty and "match" in k.columns and str(k["published"].dtype) == UTC
    pd.testing.assert_frame_equal(kwic_articles, before)


def test_kwic_errors(kwic_articles):
    with pytest.raises(ParameterError, match=r"pattern_type='fuzzy' is not valid.*'exact', 'glob', 'regex'"):
        kwic(kwic_articles, "Japan", pattern_type="fuzzy")
    with pytest.raises(ParameterError, match=r"mode='paragraph' is not valid.*'tokens', 'sentence'"):
        kwic(kwic_articles, "Japan", mode="paragraph")
    with pytest.raises(ParameterError, match=r"pattern='\(Japan' is not valid.*regular expression"):
        kwic(kwic_articles, "(Japan", pattern_type="regex")
    with pytest.raises(ParameterError, match=r"pattern=' ' is not valid"):
        kwic(kwic_articles, " ")
    with pytest.raises(ParameterError, match=r"window=-1 is not valid"):
        kwic(kwic_articles, "Japan", window=-1)
    with pytest.raises(ParameterError, match=r"fields=.*not found"):
        kwic(kwic_articles, "Japan", fields=("body",))


# ---------------------------------------------------------------------------------------------
# tf-idf
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def tfidf_articles() -> pd.DataFrame:
    """Words: d1 = japan talks talks ; d2 = korea talks ; d3 = japan korea korea korea ; d4 = (none)."""
    return make_articles(
        [
            ("d1", "X", "2021-01-04", None, "Japan talks, talks."),
            ("d2", "X", "2021-01-05", None, "Korea talks."),
            ("d3", "Y", "2021-02-01", None, "Japan: Korea, Korea, Korea!"),
            ("d4", "Y", "2021-02-02", None, "The."),
        ]
    )


def test_tfidf_per_document_by_hand(tfidf_articles):
    t = tfidf(tfidf_articles)
    assert list(t.columns) == ["doc_id", "rank", "term", "tf", "df", "idf", "tfidf"]
    n = 4  # d4 has no counted word but is a document
    idf = {"japan": math.log(5 / 3) + 1, "korea": math.log(5 / 3) + 1, "talks": math.log(5 / 3) + 1}
    d1 = {"japan": 1 * idf["japan"], "talks": 2 * idf["talks"]}
    norm = math.sqrt(sum(v * v for v in d1.values()))
    got = t[t["doc_id"] == "d1"].set_index("term")
    assert got["tf"].to_dict() == {"talks": 2, "japan": 1}
    assert got["df"].to_dict() == {"talks": 2, "japan": 2}
    assert got["tfidf"].to_dict() == pytest.approx({k: v / norm for k, v in d1.items()})
    assert got["idf"].to_dict() == pytest.approx({"talks": math.log((1 + n) / (1 + 2)) + 1, "japan": idf["japan"]})
    assert t["doc_id"].tolist() == ["d1", "d1", "d2", "d2", "d3", "d3"]
    assert t["rank"].tolist() == [1, 2, 1, 2, 1, 2]
    assert t[t["doc_id"] == "d2"]["term"].tolist() == ["korea", "talks"]  # tie: by term
    squares = t.assign(sq=t["tfidf"] ** 2).groupby("doc_id")["sq"].sum()
    assert squares.tolist() == pytest.approx([1, 1, 1])


def test_tfidf_options_by_hand(tfidf_articles):
    raw = tfidf(tfidf_articles, norm=None, smooth=False, sublinear=True).set_index(["doc_id", "term"])
    idf = math.log(4 / 2) + 1
    assert raw.loc[("d1", "talks"), "idf"] == pytest.approx(idf)
    assert raw.loc[("d1", "talks"), "tfidf"] == pytest.approx((1 + math.log(2)) * idf)
    assert raw.loc[("d3", "korea"), "tfidf"] == pytest.approx((1 + math.log(3)) * idf)
    l1 = tfidf(tfidf_articles, norm="l1")
    assert l1.groupby("doc_id")["tfidf"].sum().tolist() == pytest.approx([1, 1, 1])


def test_tfidf_by_group_and_top_n(tfidf_articles):
    g = tfidf(tfidf_articles, by="outlet", norm=None)
    assert list(g.columns) == ["outlet", "rank", "term", "tf", "df", "idf", "tfidf"]
    got = {(r.outlet, r.term): (r.tf, r.df) for r in g.itertuples()}
    # X = japan talks talks korea talks ; Y = japan korea korea korea
    assert got == {("X", "talks"): (3, 1), ("X", "japan"): (1, 2), ("X", "korea"): (1, 2),
                   ("Y", "korea"): (3, 2), ("Y", "japan"): (1, 2)}
    assert g.set_index(["outlet", "term"]).loc[("X", "talks"), "tfidf"] == pytest.approx(3 * (math.log(3 / 2) + 1))
    top = tfidf(tfidf_articles, by="outlet", n=1)
    assert top[["outlet", "term"]].values.tolist() == [["X", "talks"], ["Y", "korea"]]
    monthly = tfidf(tfidf_articles, freq="M", n=1)
    assert list(monthly.columns[:2]) == ["period", "rank"] and len(monthly) == 2


def test_tfidf_matches_scikit_learn_when_installed(tfidf_articles):
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    docs = ["japan talks talks", "korea talks", "japan korea korea korea", ""]
    vec = sklearn_text.TfidfVectorizer()
    matrix = vec.fit_transform(docs).tocoo()
    vocab = vec.get_feature_names_out()
    expected = {(f"d{i + 1}", vocab[j]): v for i, j, v in zip(matrix.row, matrix.col, matrix.data, strict=True)}
    got = {(r.doc_id, r.term): r.tfidf for r in tfidf(tfidf_articles).itertuples()}
    assert got == pytest.approx(expected)


def test_tfidf_errors(tfidf_articles):
    with pytest.raises(ParameterError, match=r"norm='l3' is not valid.*'l2', 'l1'"):
        tfidf(tfidf_articles, norm="l3")
    with pytest.raises(ParameterError, match=r"n=0 is not valid"):
        tfidf(tfidf_articles, n=0)
    with pytest.raises(ParameterError, match=r"by='desk' is not valid"):
        tfidf(tfidf_articles, by="desk")
    with pytest.raises(ParameterError, match=r"smooth='yes' is not valid"):
        tfidf(tfidf_articles, smooth="yes")


# ---------------------------------------------------------------------------------------------
# The BBC corpus: plausibility and speed
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bbc() -> pd.DataFrame:
    if not CORPORA.is_dir():
        pytest.skip(f"real corpora not found at {CORPORA} (../shared/corpora beside the repository)")
    from conftest import read_bbc_plainly

    arts = read_bbc_plainly(CORPORA)
    arts["outlet"] = "BBC"
    arts["published"] = pd.Series(pd.NaT, index=arts.index, dtype=UTC)
    return arts


@pytest.fixture(scope="module")
def bbc_tokens(bbc) -> pd.DataFrame:
    return tokenize(bbc)


@pytest.mark.corpora
def test_bbc_words_are_plausible_and_fast(bbc, bbc_tokens):
    timings = {}

    def timed(name, fn):
        start = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - start
        return out

    k = timed("keyness", lambda: keyness(bbc, target="sport", by="section", tokens=bbc_tokens, n=20))
    assert {"cup", "coach", "england"} <= set(k.query("direction == 'target'")["term"])
    assert (k["p"] < 1e-10).all()
    c = timed("collocations", lambda: collocations(bbc, tokens=bbc_tokens))
    assert "prime minister" in set(c["ngram"].head(5))
    t = timed("tfidf", lambda: tfidf(bbc, tokens=bbc_tokens, n=10))
    assert t["doc_id"].nunique() == len(bbc)
    w = timed("kwic", lambda: kwic(bbc, "minister", fields=("text",)))
    # Every token "minister" of the text (any case) is one KWIC hit.
    in_text = bbc_tokens[bbc_tokens["field"] == "text"]
    assert len(w) == int((in_text["token"] == "minister").sum())
    assert max(timings.values()) < 30, timings  # seconds each, on 2 busy cores


# ---------------------------------------------------------------------------------------------
# topic_keyness: keyness per topic with the words counted once
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["g2", "chi2", "log_ratio"])
@pytest.mark.parametrize("with_tokens", [False, True])
def test_topic_keyness_equals_keyness_per_topic(corpus, measure, with_tokens):
    from toolkit.words import topic_keyness

    matches = pd.DataFrame({"doc_id": ["a1", "c1", "b1", "b2", "a1", "b1", "b2", "c1"],
                            "topic": ["tariffs", "tariffs", "trade", "sport", "trade", "all", "all", "all"]})
    tokens = tokenize(corpus) if with_tokens else None
    got = topic_keyness(corpus, matches, measure=measure, min_count=1, n=2, tokens=tokens)
    # "all" (b1, b2, c1) leaves a1 as its reference.
    assert list(dict.fromkeys(got["topic"])) == ["tariffs", "trade", "sport", "all"]
    assert list(got.columns[:4]) == ["topic", "term", "n_target", "n_reference"]
    for name in ["tariffs", "trade", "sport", "all"]:
        target = corpus["doc_id"].isin(matches.loc[matches["topic"] == name, "doc_id"]).to_numpy()
        expected = keyness(corpus, target=target, measure=measure, min_count=1, n=2, tokens=tokens)
        part = got[got["topic"] == name].drop(columns="topic").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected[list(part.columns)])
    only = topic_keyness(corpus, matches, topics=["sport"], min_count=1)
    assert set(only["topic"]) == {"sport"}


def test_topic_keyness_skips_topics_without_a_reference(corpus):
    from toolkit.words import topic_keyness

    everything = pd.DataFrame({"doc_id": list(corpus["doc_id"]), "topic": ["every"] * 4})
    got = topic_keyness(corpus, everything, topics=["every", "missing"], min_count=1)
    assert got.empty and list(got.columns)[:2] == ["topic", "term"]
    with pytest.raises(ParameterError, match="matches"):
        topic_keyness(corpus, pd.DataFrame({"doc_id": ["a1"]}))


# ---------------------------------------------------------------------------------------------
# matrix=: counts taken from one document_term_matrix instead of the texts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stopwords", [True, False, "news", ["trade"]])
def test_keyness_from_a_matrix_equals_counting_the_texts(corpus, stopwords):
    from toolkit.stats import document_term_matrix

    before = corpus.copy()
    matrix = document_term_matrix(corpus, stopwords=False)
    for target, reference in [("A", None), ("A", "C"), (["A", "C"], "B")]:
        pd.testing.assert_frame_equal(
            keyness(corpus, target=target, reference=reference, min_count=1, stopwords=stopwords, matrix=matrix),
            keyness(corpus, target=target, reference=reference, min_count=1, stopwords=stopwords),
        )
    pd.testing.assert_frame_equal(corpus, before)


@pytest.mark.parametrize("measure", ["g2", "log_ratio"])
def test_topic_keyness_from_a_matrix_equals_counting_the_texts(corpus, measure):
    from toolkit.stats import document_term_matrix
    from toolkit.words import topic_keyness

    matches = pd.DataFrame({"doc_id": ["a1", "c1", "b1", "b2", "a1", "b1", "b2", "c1"],
                            "topic": ["tariffs", "tariffs", "trade", "sport", "trade", "all", "all", "all"]})
    matrix = document_term_matrix(corpus, stopwords=False)
    got = topic_keyness(corpus, matches, measure=measure, min_count=1, n=2, stopwords="news", matrix=matrix)
    expected = topic_keyness(corpus, matches, measure=measure, min_count=1, n=2, stopwords="news")
    pd.testing.assert_frame_equal(got, expected)
    # By hand: "tariffs" (a1, c1) against b1, b2: tariffs 3 of N_t = 7 words, 0 of N_r = 7.
    row = got[(got["topic"] == "tariffs") & (got["term"] == "tariffs")].iloc[0]
    assert (row["n_target"], row["n_reference"], row["total_target"], row["total_reference"]) == (3, 0, 7, 7)


def test_keyness_matrix_errors(corpus):
    from toolkit.stats import document_term_matrix

    matrix, vocabulary = document_term_matrix(corpus, stopwords=False)
    with pytest.raises(ParameterError, match=r"matrix.*one row per article"):
        keyness(corpus.iloc[:3], target="A", matrix=(matrix, vocabulary))
    with pytest.raises(ParameterError, match=r"matrix.*\(matrix, vocabulary\) pair"):
        keyness(corpus, target="A", matrix=matrix)
    with pytest.raises(ParameterError, match=r"tokens.*None when matrix= is given"):
        keyness(corpus, target="A", matrix=(matrix, vocabulary), tokens=tokenize(corpus))


@pytest.mark.corpora
def test_topic_keyness_from_a_matrix_on_bbc(bbc):
    from toolkit.stats import document_term_matrix
    from toolkit.words import topic_keyness

    sections = bbc[["doc_id", "section"]].rename(columns={"section": "topic"})
    matrix = document_term_matrix(bbc, stopwords=False)
    pd.testing.assert_frame_equal(
        topic_keyness(bbc, sections, stopwords="news", min_count=3, n=15, matrix=matrix),
        topic_keyness(bbc, sections, stopwords="news", min_count=3, n=15),
    )
