"""Tests for toolkit.text: stopwords, sentences, words, the tokens table, n-grams."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import nltk
import numpy as np
import pandas as pd
import pytest
from conftest import read_bbc_plainly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktSentenceTokenizer

from toolkit import text as text_mod
from toolkit.errors import ParameterError, SchemaError
from toolkit.text import (
    ABBREVIATIONS,
    STOPWORDS,
    ngrams,
    ngrams_of,
    split_sentences,
    stopwords,
    tokenize,
    word_tokenize,
)

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


# ---------------------------------------------------------------------------------------------
# Fake NLTK data, so both branches of the "installed?" checks are tested wherever this runs
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_nltk_data(monkeypatch):
    """NLTK finds no data at all (whatever is installed on this machine)."""

    def find(resource, *args, **kwargs):
        raise LookupError(f"Resource {resource} not found.")

    monkeypatch.setattr(nltk.data, "find", find)
    text_mod._nltk_punkt.cache_clear()
    yield
    text_mod._nltk_punkt.cache_clear()


@pytest.fixture
def fake_nltk_data(tmp_path, monkeypatch):
    """A tiny NLTK data directory with an English stopword list and a punkt_tab model."""
    (tmp_path / "corpora" / "stopwords").mkdir(parents=True)
    (tmp_path / "corpora" / "stopwords" / "english").write_text("the\nand\nof\n", encoding="utf-8")
    model = tmp_path / "tokenizers" / "punkt_tab" / "english"
    model.mkdir(parents=True)
    (model / "abbrev_types.txt").write_text("dr\nu.s\n", encoding="utf-8")
    for name in ("collocations.tab", "sent_starters.txt", "ortho_context.tab"):
        (model / name).write_text("", encoding="utf-8")
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    text_mod._nltk_punkt.cache_clear()
    yield tmp_path
    text_mod._nltk_punkt.cache_clear()


# ---------------------------------------------------------------------------------------------
# Stopwords
# ---------------------------------------------------------------------------------------------


def test_stopword_list_is_ours_and_sensible():
    assert 150 <= len({w for w in STOPWORDS if "\u2019" not in w}) <= 400
    for word in ("the", "and", "of", "is", "he", "they", "n't", "'s", "'re", "'ll", "ca", "wo"):
        assert word in STOPWORDS
    assert "’s" in STOPWORDS and "n’t" in STOPWORDS  # curly twins
    for word in ("said", "japan", "korea", "government", "mr"):
        assert word not in STOPWORDS
    assert all(w == w.lower() for w in STOPWORDS)
    assert stopwords() is STOPWORDS
    assert stopwords("toolkit") is STOPWORDS


def test_nltk_stopwords_missing_raises_helpful_error(no_nltk_data):
    with pytest.raises(
        ParameterError,
        match=r"source='nltk'.*not installed.*nltk\.download.*NLTK_DATA.*source='toolkit'",
    ):
        stopwords("nltk")


def test_nltk_stopwords_used_when_installed(fake_nltk_data):
    assert stopwords("nltk") == frozenset({"the", "and", "of"})


def test_unknown_stopword_source():
    with pytest.raises(ParameterError, match=r"source='spanish'.*'toolkit', 'news', 'nltk'"):
        stopwords("spanish")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------


def test_brief_example_splits_into_two_sentences():
    assert split_sentences(
        "Mr. Moon met Mrs. Kim at 3 p.m. in the U.S. on Jan. 5. Then he left."
    ) == [
        "Mr. Moon met Mrs. Kim at 3 p.m. in the U.S. on Jan. 5.",
        "Then he left.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two? Three! Four", ["One.", "Two?", "Three!", "Four"]),
        # a blank line always ends a sentence, even without punctuation
        (
            "Headline without a stop\n\nBody starts here. It ends.",
            ["Headline without a stop", "Body starts here.", "It ends."],
        ),
        ("Para one ends with Dr.\n\n  \nPara two.", ["Para one ends with Dr.", "Para two."]),
        # a single line break inside a paragraph does not
        ("A line\nthat continues. Next.", ["A line\nthat continues.", "Next."]),
        # abbreviation followed by a frequent sentence starter does end the sentence
        ("Prices rose in the U.S. The euro fell.", ["Prices rose in the U.S.", "The euro fell."]),
        ("Apples, pears etc. But not plums.", ["Apples, pears etc.", "But not plums."]),
        # ...but not before a name
        (
            "Gen. Smith and Prof. Lee met Sen. Warren.",
            ["Gen. Smith and Prof. Lee met Sen. Warren."],
        ),
        # words that are also abbreviations elsewhere are not on our list
        ("He fell ill. Then he rested.", ["He fell ill.", "Then he rested."]),
        # initials and lower-case continuations
        ("J. K. Rowling wrote it. It sold.", ["J. K. Rowling wrote it.", "It sold."]),
        ("It costs approx. five dollars.", ["It costs approx. five dollars."]),
        # closing quotes and brackets stay with their sentence
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("(It was late.) We left.", ["(It was late.)", "We left."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_abbreviation_list_has_the_briefs_entries():
    for abbr in (
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "capt",
        "jr",
        "sr",
        "inc",
        "corp",
        "ltd",
        "co",
        "vs",
        "etc",
        "no",
        "nos",
        "fig",
        "approx",
        "dept",
        "est",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ):
        assert abbr in ABBREVIATIONS


def test_split_sentences_nltk_model_missing(no_nltk_data):
    with pytest.raises(
        ParameterError, match=r"model='nltk'.*punkt_tab.*not installed.*NLTK_DATA.*model='builtin'"
    ):
        split_sentences("One. Two.", model="nltk")


def test_split_sentences_nltk_model_used_when_installed(fake_nltk_data):
    # The fake model knows "dr" but not "mrs": the difference shows which model ran.
    assert split_sentences("Dr. Who met Mrs. Kim. Bye.", model="nltk") == [
        "Dr. Who met Mrs.",
        "Kim.",
        "Bye.",
    ]
    assert split_sentences("Dr. Who met Mrs. Kim. Bye.") == ["Dr. Who met Mrs. Kim.", "Bye."]


def test_split_sentences_bad_arguments():
    with pytest.raises(ParameterError, match=r"model='punkt'.*'builtin', 'nltk'"):
        split_sentences("x", model="punkt")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"text=None.*a str"):
        split_sentences(None)  # type: ignore[arg-type]


_PUNKT_WORDS = [
    "Mr.",
    "mr.",
    "U.S.",
    "Jan.",
    "5.",
    "2019.",
    "The",
    "the",
    "He",
    "he",
    "said",
    "Moon",
    "J.",
    "etc.",
    "...",
    "!",
    "?",
    '"',
    "(",
    ")",
    "no.",
    "No.",
    "Inc.",
    "word.",
    "Word",
    "'",
    "--",
    "end.",
    "i.e.",
    "x",
    "A.",
    "a.",
    "3.5",
    "e.g.",
    "Then",
    ".",
    ",",
    ";",
    ":",
    "Jae-in.",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_PUNKT_WORDS), st.sampled_from([" ", " ", " ", "\n", "  ", "\n\n"])
        ),
        max_size=40,
    )
)
def test_builtin_punkt_is_identical_to_nltk_punkt(pieces):
    """Our fast decision gives NLTK's own sentences (same parameters, NLTK's code)."""
    text = "".join(word + sep for word, sep in pieces)
    reference = PunktSentenceTokenizer(text_mod._builtin_params())
    assert text_mod._builtin_punkt().tokenize(text) == reference.tokenize(text)
    assert list(text_mod._sentences(text, text_mod._builtin_punkt())) == list(
        text_mod._sentences(text, reference)
    )


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moon Jae-in", ["Moon", "Jae-in"]),
        ("a state-of-the-art plant", ["a", "state-of-the-art", "plant"]),
        ("Japan's", ["Japan", "'s"]),
        ("didn't", ["did", "n't"]),
        ("they're", ["they", "'re"]),
        (
            "I'm sure we'll go, I'd say, we've been",
            ["I", "'m", "sure", "we", "'ll", "go", ",", "I", "'d", "say", ",", "we", "'ve", "been"],
        ),
        ("can't won't DIDN'T", ["ca", "n't", "wo", "n't", "DID", "N'T"]),
        ("Japan’s", ["Japan", "’s"]),
        ("didn’t", ["did", "n’t"]),
        ("O'Brien's rock'n'roll", ["O'Brien", "'s", "rock'n'roll"]),
        ("the parents' votes", ["the", "parents", "'", "votes"]),
        (
            "the U.S. and U.K. at 3 p.m., e.g. now",
            ["the", "U.S.", "and", "U.K.", "at", "3", "p.m.", ",", "e.g.", "now"],
        ),
        ("15,000 people, 2.5% and 1987", ["15,000", "people", ",", "2.5", "%", "and", "1987"]),
        ("It ended in 2019.", ["It", "ended", "in", "2019", "."]),
        ("He left. She stayed.", ["He", "left", ".", "She", "stayed", "."]),
        ("Mr. Moon", ["Mr", ".", "Moon"]),
        ("Wait... what -- now?", ["Wait", "...", "what", "--", "now", "?"]),
        ("Café in São Paulo, Zürich", ["Café", "in", "São", "Paulo", ",", "Zürich"]),
        ("Cafe\u0301 hindi: हिन्दी समाचार", ["Cafe\u0301", "hindi", ":", "हिन्दी", "समाचार"]),
        (
            "$1.13bn (£600m) at 3:30pm, a 20-year-old",
            ["$", "1.13bn", "(", "£", "600m", ")", "at", "3:30pm", ",", "a", "20-year-old"],
        ),
        ('"Quoted," he said.', ['"', "Quoted", ",", '"', "he", "said", "."]),
        ("see bbc.co.uk.", ["see", "bbc.co.uk", "."]),
        ("", []),
    ],
)
def test_regex_word_tokenize(text, expected):
    assert word_tokenize(text) == expected


def test_word_tokenize_lower_and_punct():
    assert word_tokenize("Japan's PM didn't go, 2019.", lower=True, punct=False) == [
        "japan",
        "'s",
        "pm",
        "did",
        "n't",
        "go",
        "2019",
    ]
    assert word_tokenize("Wait... -- ok", punct=False) == ["Wait", "ok"]


def test_nltk_word_tokenize_splits_sentences_first():
    tokens = word_tokenize(
        "Prices rose in 2019. Then they fell. Japan's PM didn't comment.", method="nltk"
    )
    assert tokens == [
        "Prices",
        "rose",
        "in",
        "2019",
        ".",
        "Then",
        "they",
        "fell",
        ".",
        "Japan",
        "'s",
        "PM",
        "did",
        "n't",
        "comment",
        ".",
    ]
    assert "2019." not in tokens


def test_word_tokenize_bad_arguments():
    with pytest.raises(ParameterError, match=r"method='spacy'.*'regex', 'nltk'"):
        word_tokenize("x", method="spacy")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"text=3 is not valid: expected a str"):
        word_tokenize(3)  # type: ignore[arg-type]


_TEXT_ALPHABET = st.sampled_from(
    list("abcnNtTsSdmlrevAB01239 \n\t.,:;'’-‐!?\"()$%_")
    + ["é", "ü", "ß", "\u0301", "\u093f", "ह", "中", "\u00a0", "n't", "'s", "U.S.", "e.g.", "..."]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXT_ALPHABET, max_size=60).map("".join))
def test_regex_tokens_cover_the_text_in_order(text):
    """Tokens are non-empty, hold no whitespace, and concatenate to the text minus whitespace."""
    tokens = word_tokenize(text)
    assert all(tokens)
    assert not any(re.search(r"\s", t) for t in tokens)
    assert "".join(tokens) == re.sub(r"\s", "", text)
    cursor = 0
    for token in tokens:
        found = text.find(token, cursor)
        assert found >= 0
        cursor = found + len(token)


# ---------------------------------------------------------------------------------------------
# The tokens table
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3"],
            "title": ["Moon visits Japan", None, "Korea’s view"],
            "text": ["Moon Jae-in didn't go. He left.", "Talks, talks.\n\nMore talks!", None],
        }
    )


def test_tokenize_columns_order_and_positions(articles):
    t = tokenize(articles)
    assert list(t.columns) == ["doc_id", "field", "sentence", "position", "token"]
    assert t["token"].dtype == "str"
    assert t["sentence"].dtype == np.int32 and t["position"].dtype == np.int32
    rows = list(t.astype({"doc_id": str, "field": str}).itertuples(index=False, name=None))
    assert rows == [
        ("d1", "title", 0, 0, "moon"),
        ("d1", "title", 0, 1, "visits"),
        ("d1", "title", 0, 2, "japan"),
        ("d1", "text", 0, 0, "moon"),
        ("d1", "text", 0, 1, "jae-in"),
        ("d1", "text", 0, 2, "did"),
        ("d1", "text", 0, 3, "n't"),
        ("d1", "text", 0, 4, "go"),
        # position 5 is "."
        ("d1", "text", 1, 6, "he"),
        ("d1", "text", 1, 7, "left"),
        ("d2", "text", 0, 0, "talks"),
        # 1 is ","
        ("d2", "text", 0, 2, "talks"),
        ("d2", "text", 1, 4, "more"),  # paragraph break = new sentence
        ("d2", "text", 1, 5, "talks"),
        ("d3", "title", 0, 0, "korea"),
        ("d3", "title", 0, 1, "'s"),  # curly apostrophe straightened
        ("d3", "title", 0, 2, "view"),
    ]


def test_tokenize_doc_id_and_field_compare_as_strings(articles):
    t = tokenize(articles)
    assert isinstance(t["doc_id"].dtype, pd.CategoricalDtype)
    assert (t["doc_id"] == "d2").sum() == 4
    assert set(t["doc_id"]) <= set(articles["doc_id"])
    assert list(t["field"].cat.categories) == ["title", "text"]
    merged = t.merge(articles[["doc_id"]].assign(flag=1), on="doc_id")
    assert len(merged) == len(t) and merged["flag"].eq(1).all()


def test_tokenize_punct_lower_and_stopwords(articles):
    t = tokenize(articles, punct=True, lower=False)
    d1_text = t[(t["doc_id"] == "d1") & (t["field"] == "text")]
    assert d1_text["token"].tolist() == [
        "Moon",
        "Jae-in",
        "did",
        "n't",
        "go",
        ".",
        "He",
        "left",
        ".",
    ]
    assert d1_text["position"].tolist() == list(range(9))

    kept = tokenize(articles, stopwords=True)
    assert kept[kept["doc_id"] == "d1"]["token"].tolist() == [
        "moon",
        "visits",
        "japan",
        "moon",
        "jae-in",
        "go",
        "left",
    ]
    assert kept[kept["doc_id"] == "d1"]["position"].tolist() == [0, 1, 2, 0, 1, 4, 7]
    assert "'s" not in kept["token"].tolist()

    mine = tokenize(articles, stopwords=["TALKS", "moon"], lower=False)
    assert "talks" not in mine["token"].str.lower().tolist()
    assert "Moon" not in mine["token"].tolist()
    assert "Jae-in" in mine["token"].tolist()


def test_tokenize_fields_and_no_sentences(articles):
    t = tokenize(articles, fields=("text",), sentences=False)
    assert set(t["field"]) == {"text"}
    assert t["sentence"].isna().all()
    assert t["position"].tolist() == [0, 1, 2, 3, 4, 6, 7, 0, 2, 4, 5]


def test_tokenize_nltk_method(articles):
    t = tokenize(articles, method="nltk")
    assert t[t["doc_id"] == "d1"]["token"].tolist() == [
        "moon",
        "visits",
        "japan",
        "moon",
        "jae-in",
        "did",
        "n't",
        "go",
        "he",
        "left",
    ]
    assert t["sentence"].tolist() == tokenize(articles)["sentence"].tolist()


def test_tokenize_empty_and_missing_text():
    empty = pd.DataFrame(
        {
            "doc_id": pd.Series([], dtype="str"),
            "title": pd.Series([], dtype="str"),
            "text": pd.Series([], dtype="str"),
        }
    )
    t = tokenize(empty)
    assert list(t.columns) == ["doc_id", "field", "sentence", "position", "token"] and len(t) == 0
    none = pd.DataFrame({"doc_id": ["a"], "title": [None], "text": [pd.NA]})
    assert len(tokenize(none)) == 0


def test_tokenize_does_not_modify_input(articles):
    before = articles.copy()
    tokenize(articles, stopwords=True)
    pd.testing.assert_frame_equal(articles, before)


def test_tokenize_bad_arguments(articles):
    with pytest.raises(
        ParameterError, match=r"fields=\('title', 'body'\).*'doc_id', 'title', 'text'"
    ):
        tokenize(articles, fields=("title", "body"))
    with pytest.raises(ParameterError, match=r"stopwords='english'.*'toolkit', 'news', 'nltk'"):
        tokenize(articles, stopwords="english")
    with pytest.raises(ParameterError, match=r"method='x'"):
        tokenize(articles, method="x")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="doc_id"):
        tokenize(articles.drop(columns="doc_id"))
    with pytest.raises(SchemaError, match="unique"):
        tokenize(pd.concat([articles, articles]))


# ---------------------------------------------------------------------------------------------
# n-grams
# ---------------------------------------------------------------------------------------------


def test_ngrams_never_cross_sentences_fields_or_documents(articles):
    grams = ngrams(tokenize(articles), 2)
    assert list(grams.columns) == ["doc_id", "field", "sentence", "position", "ngram"]
    assert grams.astype({"doc_id": str, "field": str}).values.tolist() == [
        ["d1", "title", 0, 0, "moon visits"],
        ["d1", "title", 0, 1, "visits japan"],
        ["d1", "text", 0, 0, "moon jae-in"],
        ["d1", "text", 0, 1, "jae-in did"],
        ["d1", "text", 0, 2, "did n't"],
        ["d1", "text", 0, 3, "n't go"],
        ["d1", "text", 1, 6, "he left"],
        ["d2", "text", 0, 0, "talks talks"],
        ["d2", "text", 1, 4, "more talks"],
        ["d3", "title", 0, 0, "korea 's"],
        ["d3", "title", 0, 1, "'s view"],
    ]


def test_ngrams_options(articles):
    tokens = tokenize(articles, stopwords=True)
    assert ngrams(tokens, 3, sep="_")["ngram"].tolist() == ["moon_visits_japan", "moon_jae-in_go"]
    # contiguous=True refuses n-grams that bridge removed tokens ("jae-in [did n't] go")
    assert ngrams(tokens, 2, contiguous=True)["ngram"].tolist() == [
        "moon visits",
        "visits japan",
        "moon jae-in",
    ]
    assert ngrams(tokens, 1)["ngram"].tolist() == tokens["token"].tolist()
    assert len(ngrams(tokens, 10)) == 0


def test_ngrams_of_and_errors(articles):
    assert ngrams_of(["a", "b", "c"], 2) == [("a", "b"), ("b", "c")]
    assert ngrams_of(["a", "b"], 3) == []
    with pytest.raises(ParameterError, match=r"n=0.*integer >= 1"):
        ngrams_of(["a"], 0)
    with pytest.raises(ParameterError, match=r"n=0.*integer >= 1"):
        ngrams(tokenize(articles), 0)
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) \['sentence'"):
        ngrams(tokenize(articles).drop(columns="sentence"))


# ---------------------------------------------------------------------------------------------
# The real BBC corpus
# ---------------------------------------------------------------------------------------------


def _read_bbc(corpora: Path) -> pd.DataFrame:
    return read_bbc_plainly(corpora)[["doc_id", "title", "text"]]


@pytest.mark.corpora
def test_tokenize_all_bbc_files(corpora):
    arts = _read_bbc(corpora)
    assert len(arts) == 2225
    t = tokenize(arts)  # speed is measured in benchmarks/, not asserted here
    assert t["doc_id"].nunique() == 2225
    assert (t.groupby("doc_id", observed=True)["field"].nunique() == 2).all()
    tokens = t["token"]
    assert tokens.str.len().min() >= 1
    assert not tokens.str.contains(r"\s", regex=True).any()
    assert (tokens == tokens.str.lower()).all()
    assert not tokens.str.fullmatch(r"[^\w]+").any()  # no punctuation tokens
    assert (
        not tokens.str.endswith(".").any()
        or tokens[tokens.str.endswith(".")].str.contains(r"\.\w", regex=True).all()
    )
    key = t["doc_id"].cat.codes.astype(np.int64) * 2 + t["field"].cat.codes.astype(np.int64)
    same = key.to_numpy()[1:] == key.to_numpy()[:-1]
    assert (np.diff(t["position"].to_numpy())[same] > 0).all()
    assert (np.diff(t["sentence"].to_numpy())[same] >= 0).all()
    assert (t.loc[t["field"] == "title", "sentence"] <= 1).mean() > 0.99
    # 5 MB of English: several hundred thousand words, tens of thousands of sentences
    assert 700_000 < len(t) < 1_000_000
    sentences = t[t["field"] == "text"].groupby(["doc_id", "sentence"], observed=True).ngroups
    assert 35_000 < sentences < 50_000


@pytest.mark.corpora
def test_builtin_punkt_matches_nltk_on_bbc(corpora):
    reference = PunktSentenceTokenizer(text_mod._builtin_params())
    fast = text_mod._builtin_punkt()
    for body in _read_bbc(corpora)["text"]:
        assert list(text_mod._sentences(body, fast)) == list(text_mod._sentences(body, reference))


def test_news_stopwords_add_attribution_words():
    assert {"said", "told", "mr"} <= stopwords("news")
    assert stopwords("toolkit") < stopwords("news")
    assert "said" not in stopwords("toolkit")


# ---------------------------------------------------------------------------------------------
# The vectorised word path (sentences=False, method="regex") gives the regex tokenizer's words
# ---------------------------------------------------------------------------------------------


def _findall_tokens(texts: list) -> tuple[list[str], list[int]]:
    tokens: list[str] = []
    text_index: list[int] = []
    for i, value in enumerate(texts):
        if isinstance(value, str):
            found = text_mod._word_pattern(value).findall(value)
            tokens += found
            text_index += [i] * len(found)
    return tokens, text_index


def _assert_fast_equals_findall(texts: list) -> None:
    import pyarrow as pa

    got, index, maybe = text_mod._fast_words(pa.array(texts, type=pa.large_string()), jobs=1)
    expected, expected_index = _findall_tokens(texts)
    assert got.to_pylist() == expected
    assert index.tolist() == expected_index
    # "maybe punctuation" is False only for tokens of letters and digits
    assert not any(not m and not t.isalnum() for t, m in zip(expected, maybe.tolist(), strict=True))


TRICKY = [
    "Japan's Moon Jae-in didn't visit the U.S. in 2019.",
    "15,000 people, 2.5%... 3:30 p.m. e.g. i.e. Ph.D. end.Next bbc.co.uk 1,000,000 1.13bn",
    "can't,won't n't foo-n't O'n't 'sn't O'sn't x.n't U.S.n't Jon'n't didn\u2019t they\u2019re",
    "a...b U.S... x.y.. --- a--b a-b--c 'tis rock'n'roll They'Re THEY'RE we'LL O'Brien's",
    "_ __init__ _n't caf\u00e9 cafe\u0301 \u0915\u093f\u0924\u093e\u092c \u00b2 \u00bd \u2163 \u0130stanbul Stra\u00dfe",
    "tab\there\nnew\u00a0line\u2003em\x1cfs  ",
    "", "   ", None, "\u2019s \u2019t 's 't ' \u2019 . .. - -- , : ",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_words_equal_the_regex_tokenizer(text):
    _assert_fast_equals_findall([text])


def test_fast_words_all_tricky_texts_at_once_and_odd_characters():
    # \x01, \x02 and U+FDD0 are what the vectorised path uses as markers: such texts take findall
    _assert_fast_equals_findall([*TRICKY, "a\x01b didn't", "x\ufdd0y can't", "\x02", "plain text"])


_PIECES = ["n't", "'t", "'s", "'ll", "'LL", "'re", "'Re", "\u2019s", "n", "N", "t", "s", "U", "ab",
           ".", "..", "-", "--", "\u2010", ",", ":", "1", "22", "'", "_", "\u00e9", "e\u0301", " ", "\n", "\"", "("]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join), min_size=1, max_size=8))
def test_fast_words_equal_the_regex_tokenizer_on_generated_text(texts):
    _assert_fast_equals_findall(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_fast_words_equal_the_regex_tokenizer_on_any_text(texts):
    # Any Unicode text, except characters of scripts newer than Python's unicodedata (RE2
    # knows them as letters, Python as symbols: the documented difference).
    texts = [t for t in texts if all(unicodedata.category(c) != "Cn" for c in t)]
    _assert_fast_equals_findall(texts)


def test_fast_word_path_gives_word_tokenize_words_in_the_tokens_table():
    arts = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "title": ["Moon\u2019s visit", None, "", "U.S. talks"],
        "text": [TRICKY[0], TRICKY[1], TRICKY[2], TRICKY[3]],
    })
    for options in ({}, {"punct": True}, {"lower": False}, {"stopwords": True}, {"fields": ("text",)}):
        fast = tokenize(arts, sentences=False, **options)
        expected = []
        for row in arts.itertuples():
            for field in options.get("fields", ("title", "text")):
                value = getattr(row, field)
                if not isinstance(value, str):
                    continue
                words = word_tokenize(value, punct=options.get("punct", False), lower=options.get("lower", True))
                words = [w.replace("\u2019", "'") for w in words]
                if options.get("stopwords"):
                    words = [w for w in words if w.lower() not in STOPWORDS]
                expected += [(row.doc_id, field, w) for w in words]
        assert list(zip(fast["doc_id"].astype(str), fast["field"].astype(str), fast["token"], strict=True)) == expected
        assert fast["sentence"].isna().all()
        assert fast["position"].dtype == np.int32 and fast["token"].dtype == "str"


def test_fast_word_path_positions_count_every_token():
    arts = pd.DataFrame({"doc_id": ["a"], "title": [None], "text": ["Moon Jae-in didn't go. He left."]})
    t = tokenize(arts, stopwords=True, sentences=False)
    assert t["token"].tolist() == ["moon", "jae-in", "go", "left"]
    assert t["position"].tolist() == [0, 1, 4, 7]


def test_fast_word_path_same_result_in_pieces_on_threads(monkeypatch):
    arts = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "title": ["T\u2019s"] * 40,
                         "text": [TRICKY[i % 4] * (i % 3 + 1) for i in range(40)]})
    whole = tokenize(arts, sentences=False, punct=True, jobs=1)
    monkeypatch.setattr(text_mod, "_FAST_CHUNK_CHARS", 300)
    assert len(text_mod._pieces(np.full(80, 100), 300)) > 10
    pd.testing.assert_frame_equal(tokenize(arts, sentences=False, punct=True, jobs=2), whole)


def test_sentence_path_in_worker_processes_equals_one_process():
    arts = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "title": ["Title here"] * 12,
                         "text": [f"Mr. Moon met Mrs. Kim at {i} p.m. in the U.S. Then he left. " * (i + 1) for i in range(12)]})
    one = tokenize(arts, jobs=1)
    pd.testing.assert_frame_equal(tokenize(arts, jobs=2), one)
    nltk_one = tokenize(arts, method="nltk", sentences=False, jobs=1)
    pd.testing.assert_frame_equal(tokenize(arts, method="nltk", sentences=False, jobs=2), nltk_one)


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_tokenize_rejects_bad_jobs(jobs):
    arts = pd.DataFrame({"doc_id": ["a"], "title": ["x"], "text": ["y"]})
    with pytest.raises(ParameterError, match=r"jobs=.* is not valid: expected None .*or an integer >= 1"):
        tokenize(arts, jobs=jobs)


def _corpus_texts(name: str) -> list[str]:
    import csv
    import glob

    if name == "bbc":
        arts = _read_bbc(CORPORA)
        return arts["title"].tolist() + arts["text"].tolist()
    if name == "recovery":
        csv.field_size_limit(1 << 30)
        texts = []
        for path in sorted(glob.glob(str(CORPORA / "recovery-covid-news" / "dataset" / "*" / "*.csv"))):
            with open(path, newline="", encoding="utf-8", errors="replace") as handle:
                for row in csv.DictReader(handle):
                    texts += [row.get("title"), row.get("body_text")]
        return texts
    texts = []
    for path in sorted(glob.glob(str(CORPORA / "reuters21578" / "*.sgm")))[:6]:
        sgml = Path(path).read_text(encoding="latin-1")
        texts += re.findall(r"<(?:TITLE|BODY)>(.*?)</(?:TITLE|BODY)>", sgml, re.S)
    return texts


@pytest.mark.corpora
@pytest.mark.parametrize("name", ["bbc", "recovery", "reuters"])
def test_fast_words_equal_the_regex_tokenizer_on_real_corpora(name):
    if not CORPORA.is_dir():
        pytest.skip(f"corpora not found at {CORPORA}")
    _assert_fast_equals_findall(_corpus_texts(name))


def test_nltk_is_imported_only_when_sentences_are_split() -> None:
    """Counting, topic matching and Dask workers never split sentences: importing NLTK (about a
    second and 90 MB, with the scikit-learn and scipy it imports) is left to the first call
    that does."""
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd, toolkit as tk\n"
        "arts = pd.DataFrame({'doc_id': ['a', 'b'], 'outlet': ['X', 'Y'], 'title': ['Moon', 'Seoul'],\n"
        "                     'published': pd.to_datetime(['2021-11-01', '2021-11-02'], utc=True),\n"
        "                     'text': ['Japan talks. Mr. Kishida spoke.', 'South Korea said no.']})\n"
        "tk.document_term_matrix(arts); tk.term_frequencies(arts); tk.top_terms(arts)\n"
        "tk.tokenize(arts, sentences=False); tk.match_topics(arts, {'Japan': ['Japan', 'Kishida*']})\n"
        "print('nltk' in sys.modules)\n"
        "tokens = tk.tokenize(arts)\n"
        "print('nltk' in sys.modules, tokens.groupby('doc_id', observed=True)['sentence'].max().tolist())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["False", "True [1, 0]"]
