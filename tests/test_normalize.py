"""Normalisation steps: each on tiny literal text, their properties, and the table-level counts."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ParameterError, SchemaError
from toolkit.normalize import (
    DEFAULT_STEPS,
    STEPS,
    dashes,
    entities,
    mojibake,
    nfc,
    normalize_articles,
    normalize_text,
    quotes,
    whitespace,
)

# ---------------------------------------------------------------------------------------------
# steps one by one
# ---------------------------------------------------------------------------------------------


def test_nfc_composes_accents():
    decomposed = "Cafe\u0301 in Sa\u0303o Paulo"
    assert nfc(decomposed) == "Caf\u00e9 in S\u00e3o Paulo"
    assert len(nfc(decomposed)) == len(decomposed) - 2


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("a\u00a0b", "a b"),  # no-break space
        ("a\u202fb\u2009c\u3000d\te", "a b c d e"),  # narrow no-break, thin, ideographic, tab
        ("a    b", "a b"),
        ("line one   \nline two\t\n", "line one\nline two"),  # trailing spaces, final break
        ("  indented\n   also", "indented\nalso"),
        ("p1\n\n\n\n\np2", "p1\n\np2"),  # many blank lines -> one
        ("p1\n\np2", "p1\n\np2"),  # a paragraph break survives
        ("p1\n \t \np2", "p1\n\np2"),  # a line of spaces is a blank line
        ("p1\r\n\r\np2\rp3", "p1\n\np2\np3"),  # Windows and old Mac line ends
        ("p1\u2029p2\u2028p3", "p1\n\np2\np3"),  # Unicode paragraph and line separators
        ("inter\u00adnational zero\u200bwidth \ufeffbom join\u2060ed", "international zerowidth bom joined"),
        ("\n\n  Headline  \n\n", "Headline"),
    ],
)
def test_whitespace(raw, expected):
    assert whitespace(raw) == expected


def test_whitespace_returns_clean_text_unchanged_and_identical():
    text = "Seoul: Markets rose.\n\nShares fell."
    assert whitespace(text) is text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("AT&amp;T", "AT&T"),
        ("it&#8217;s", "it\u2019s"),
        ("it&#x2019;s", "it\u2019s"),
        ("a&nbsp;b", "a\u00a0b"),
        ("&lt;ABC Corp&gt;", "<ABC Corp>"),
        ("it&amp;#8217;s", "it\u2019s"),  # doubly escaped
        ("&amp;amp;amp;", "&"),
        ("R&D and Q&A", "R&D and Q&A"),  # not entities
        ("Tom&notes", "Tom&notes"),  # html.unescape would make this "Tom¬es"
        ("&copy 2020", "&copy 2020"),  # no semicolon: left alone
        ("&bogus; stays", "&bogus; stays"),
    ],
)
def test_entities(raw, expected):
    assert entities(raw) == expected


def test_mojibake_repaired_only_where_clear():
    assert mojibake("Japan\u00e2\u20ac\u2122s economy") == "Japan\u2019s economy"
    assert mojibake("Caf\u00e9 \u00a35, na\u00efve") == "Caf\u00e9 \u00a35, na\u00efve"
    clean = "\u201cQuoted\u201d \u2014 and \u00c9cole"
    assert mojibake(clean) is clean


def test_quotes():
    assert quotes("\u201cIt\u2019s \u2018fine\u2019,\u201d she said \u201elow\u201c") == "\"It's 'fine',\" she said \"low\""
    assert quotes("\u00abbonjour\u00bb 5\u2032") == "\u00abbonjour\u00bb 5\u2032"  # guillemets, primes stay


def test_dashes_default_and_configured():
    assert dashes("1990\u20131995 \u2014 then \u2015 a\u2010b, \u22125") == "1990-1995 - then - a-b, -5"
    assert dashes("a \u2013 b \u2014 c", to="\u2014") == "a \u2014 b \u2014 c"
    assert dashes("a\u2011b \u2013 c", to="--") == "a-b -- c"
    em = partial(dashes, to="\u2014")
    assert normalize_text("x \u2013 y", steps=[em]) == "x \u2014 y"
    with pytest.raises(ParameterError, match=r"to='~'.*'-', '--'"):
        dashes("a \u2013 b", to="~")


# ---------------------------------------------------------------------------------------------
# normalize_text
# ---------------------------------------------------------------------------------------------


def test_default_steps_repair_but_keep_quotes_and_dashes():
    assert DEFAULT_STEPS == ("mojibake", "entities", "nfc", "whitespace")
    raw = "\u201cCafe\u0301\u201d &amp; bar \u2013 Japan\u00e2\u20ac\u2122s\u00a0 economy  \n\n\n\nNext"
    assert normalize_text(raw) == "\u201cCaf\u00e9\u201d & bar \u2013 Japan\u2019s economy\n\nNext"
    assert normalize_text(raw, steps=DEFAULT_STEPS + ("quotes", "dashes")) == "\"Caf\u00e9\" & bar - Japan's economy\n\nNext"


def test_entity_nbsp_then_whitespace_in_default_order():
    assert normalize_text("a&nbsp;&nbsp;b") == "a b"


def test_user_steps_functions_and_pairs():
    assert normalize_text("Hello", steps=[str.upper]) == "HELLO"
    assert normalize_text(" x ", steps=("whitespace", ("shout", str.upper))) == "X"
    assert normalize_text("x", steps=()) == "x"
    assert normalize_text("a\u00a0b", steps="whitespace") == "a b"


def test_unknown_step_is_named_with_the_valid_ones():
    with pytest.raises(ParameterError, match=r"'unicode' is not a step.*'mojibake', 'entities', 'nfc'"):
        normalize_text("x", steps=["nfc", "unicode"])
    with pytest.raises(ParameterError, match=r"42 is neither"):
        normalize_text("x", steps=[42])
    with pytest.raises(ParameterError, match=r"text=None.*normalize_articles"):
        normalize_text(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("ab \n\t.&;#x0123") + ["\u00a0", "\u2009", "\u200b", "\u00ad", "\r\n", "\r", "\u2029",
                                "&amp;", "&#8217;", "&nbsp;", "&lt;", "e\u0301", "\u2013", "\u201c",
                                "\u00e2\u20ac\u2122", "\u00c3\u00a9"]
)
_TEXTS = st.lists(_ALPHABET, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_every_step_is_idempotent(text):
    for name, step in STEPS.items():
        once = step(text)
        assert step(once) == once, name
    # The whole chain too, without mojibake: ftfy's judgement of a borderline text ("\u00a0Ã©")
    # can change once whitespace is tidied, and mojibake must run first (whitespace would destroy
    # the "Ã\u00a0" of a broken "à").
    chain = tuple(s for s in STEPS if s != "mojibake")
    once = normalize_text(text, steps=chain)
    assert normalize_text(once, steps=chain) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abc ,.\u00a0\t", min_size=1, max_size=15), min_size=1, max_size=6))
def test_whitespace_keeps_paragraphs(paragraphs):
    paragraphs = [p for p in paragraphs if p.strip(" \u00a0\t")]
    text = "\n\n\n".join(paragraphs)
    out = whitespace(text)
    assert "  " not in out and "\n\n\n" not in out and out == out.strip()
    assert out.count("\n\n") == max(len(paragraphs) - 1, 0)
    assert out.split() == text.split()  # words are untouched


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_steps_never_fail_on_any_text(text):
    for step in STEPS.values():
        assert isinstance(step(text), str)


# ---------------------------------------------------------------------------------------------
# normalize_articles
# ---------------------------------------------------------------------------------------------


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "title": ["AT&amp;T deal", "Plain", None, "Caf\u00e9"],
        "text": ["x\u00a0 y", "clean text", "Japan\u00e2\u20ac\u2122s &amp; Cafe\u0301", "p1\n\n\n\np2"],
        "byline": ["A\u00a0Writer", None, None, None],
    }).astype({"title": "str", "text": "str", "byline": "str"})


def test_normalize_articles_counts_articles_per_step():
    table = _table()
    before = table.copy()
    out = normalize_articles(table)
    pd.testing.assert_frame_equal(table, before)  # not mutated
    assert out["title"].tolist()[:2] == ["AT&T deal", "Plain"] and pd.isna(out["title"].iloc[2])
    assert out["text"].tolist() == ["x y", "clean text", "Japan\u2019s & Caf\u00e9", "p1\n\np2"]
    assert out["byline"].iloc[0] == "A Writer"
    # a: entities (title) + whitespace (text, byline); c: mojibake, entities, nfc; d: whitespace
    assert out.attrs["normalized"] == {"mojibake": 1, "entities": 2, "nfc": 1, "whitespace": 2}
    assert out.dtypes.equals(table.dtypes)
    assert "normalized" not in table.attrs


def test_normalize_articles_fields_and_errors():
    table = _table()
    only_title = normalize_articles(table, fields=["title"], steps=["entities"])
    assert only_title["text"].equals(table["text"])
    assert only_title.attrs["normalized"] == {"entities": 1}
    with pytest.raises(SchemaError, match=r"none of fields=\['body'\].*Pass the text columns"):
        normalize_articles(table, fields=["body"])
    empty = normalize_articles(table.iloc[:0])
    assert empty.empty and empty.attrs["normalized"] == dict.fromkeys(DEFAULT_STEPS, 0)


def test_two_unnamed_functions_are_counted_apart():
    table = pd.DataFrame({"text": ["ab", "b"]})
    out = normalize_articles(table, steps=[lambda t: t.replace("a", "A"), lambda t: t.replace("b", "B")])
    assert out.attrs["normalized"] == {"<lambda>": 1, "<lambda>#2": 2}


def test_text_of_only_invisible_characters_becomes_missing():
    table = pd.DataFrame({"title": ["\u200b\u00a0", "T"], "text": ["x", " \ufeff "]}).astype("str")
    out = normalize_articles(table)
    assert out["title"].isna().tolist() == [True, False]
    assert out["text"].isna().tolist() == [False, True]


_NORM_CHARS = st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u2029\u3000\u200b\u00ad"
                                   "aZ.&;#amp\u00e9e\u0301\u00c3\u00a9\u00e2\u20ac\u2122\u201c\u2014"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_NORM_CHARS, max_size=14)), max_size=10))
def test_byte_prechecks_change_nothing(texts):
    # The numpy pre-checks only choose which rows reach Python: the result and the counts must
    # be those of running every step on every row.
    import toolkit.normalize as nz

    table = pd.DataFrame({"title": pd.Series(texts, dtype="str"), "text": pd.Series(texts[::-1], dtype="str")})
    for steps in (DEFAULT_STEPS, (*DEFAULT_STEPS, "quotes", "dashes")):
        got = normalize_articles(table, steps=steps)
        original = nz._step_masks
        nz._step_masks = lambda column, resolved: None
        try:
            expected = normalize_articles(table, steps=steps)
        finally:
            nz._step_masks = original
        pd.testing.assert_frame_equal(got, expected)
        assert got.attrs == expected.attrs


def test_text_byte_checks():
    import pyarrow as pa

    from toolkit.normalize import text_byte_checks

    checks = text_byte_checks(pa.array(["plain text", "a  b", " lead", "caf\u00e9", "AT&amp;T", "x\r\ny",
                                        None, "", "p\n\nq", "p\n\n\nq"]))
    assert checks["non_ascii"].tolist() == [False, False, False, True, False, False, False, False, False, False]
    assert checks["amp"].tolist() == [False, False, False, False, True, False, False, False, False, False]
    assert checks["cr"].tolist() == [False, False, False, False, False, True, False, False, False, False]
    assert checks["edges"].tolist() == [False, False, True, True, False, False, False, False, False, False]
    assert checks["layout"].tolist() == [False, True, True, True, False, True, False, False, False, True]


# Characters for the code-point pre-checks: NFC's combining marks, singletons (Å ohm), pairs
# that compose only in context (Hangul jamo, Oriya and Bengali vowel signs, kana voicing),
# characters above U+FFFF, mojibake leads, every non-ASCII space and invisible character.
_CODE_POINT_CHARS = st.sampled_from(list(
    "aAe \n\u00e9\u0301\u0308\u0327\u0323\u0344\u0340\u212b\u2126\u00c5\u030a\u1100\u1161\u11a8\uac00"
    "\u0b47\u0b3e\u09c7\u09be\u304b\u3099\uf900\u00c2\u00c3\u00e2\u00d9\u00da\u20ac\u2019\u201c"
    "\u00a0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\x85\u00ad"
    "\U0001d15e\U00011099\U000110ba\U0001f600"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_CODE_POINT_CHARS, max_size=10)), max_size=8), st.integers(0, 1))
def test_code_point_checks_are_supersets(texts, offset):
    import re
    import unicodedata

    import pyarrow as pa

    import toolkit.normalize as nz

    array = pa.array(texts, type=pa.large_string()).slice(min(offset, len(texts)))
    values = array.to_pylist()
    checks = nz.text_byte_checks(array, only=nz.EXTRA_BYTE_CHECKS)
    for name, pattern in (("mojibake_lead", nz._PRECHECKS["mojibake"]), ("unicode_layout", nz._UNICODE_LAYOUT)):
        assert checks[name].tolist() == [v is not None and re.search(pattern, v) is not None for v in values]
    for value, flagged in zip(values, checks["nfc_unsafe"].tolist(), strict=True):
        if value is not None and not unicodedata.is_normalized("NFC", value):
            assert flagged, value
    # ascii_layout: layout without non-ASCII edges; with unicode_layout it covers whitespace().
    for value, a, u in zip(values, checks["ascii_layout"].tolist(), checks["unicode_layout"].tolist(), strict=True):
        if value is not None and nz._needs_whitespace(value):
            assert a or u, value


def test_text_byte_checks_only_and_chunks():
    import pyarrow as pa

    from toolkit.normalize import BYTE_CHECKS, text_byte_checks

    texts = ["plain", "a  b", " lead", "caf\u00e9 ", "AT&amp;T", "x\r\ny", None, "", "\u3000x", "e\u0301"]
    whole = text_byte_checks(pa.array(texts))
    chunked = text_byte_checks(pa.chunked_array([pa.array(texts[:4]), pa.array(texts[4:])]))
    for name in BYTE_CHECKS:
        assert whole[name].tolist() == chunked[name].tolist()
    only = text_byte_checks(pa.array(texts), only=("cr", "ascii_layout"))
    assert only["cr"].tolist() == whole["cr"].tolist()
    assert not only["amp"].any() and not only["non_ascii"].any()
    # "caf\u00e9 " ends with a space; "\u3000x" starts with a non-ASCII space (unicode_layout's).
    assert only["ascii_layout"].tolist() == [False, True, True, True, False, True, False, False, False, False]
    with pytest.raises(ParameterError, match="only"):
        text_byte_checks(pa.array(texts), only=("spaces",))
