"""The prefilter of match_topics (issue 6): one RE2 scan per column picks the articles where a
hit can start; it must pass every article the token matcher finds a hit in, so that results
are the same with and without it. Each test compares the two, on the edge cases of case
folding, phrase gaps, globs, exclusions and non-ASCII entries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit.topics as topics_module
from toolkit.topics import match_topics, topic_regex


def articles(*rows: tuple[str, str | None, str | None], dtype: str = "str") -> pd.DataFrame:
    doc_ids, titles, texts = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame({
        "doc_id": pd.Series(doc_ids, dtype="str"),
        "title": pd.Series(titles, dtype=dtype),
        "text": pd.Series(texts, dtype=dtype),
    })


def without_prefilter(arts: pd.DataFrame, topics: object, **kw: object) -> pd.DataFrame:
    saved = topics_module._PREFILTER_MAX_LITERALS
    topics_module._PREFILTER_MAX_LITERALS = 0  # every dictionary has more literals: no prefilter
    try:
        return match_topics(arts, topics, **kw)
    finally:
        topics_module._PREFILTER_MAX_LITERALS = saved


def prefilter_rows(arts: pd.DataFrame, topics: object, fields: tuple[str, ...] = ()) -> np.ndarray | None:
    _, units = topics_module._compiled(topics)
    columns = [topics_module._arrow_texts(arts[c]) for c in ("title", "text", *fields)]
    return topics_module._prefilter(columns, units)


def check_same(arts: pd.DataFrame, topics: object, **kw: object) -> pd.DataFrame:
    """match_topics with the prefilter equals match_topics without it, and the prefilter passed
    every article that has a hit."""
    got = match_topics(arts, topics, **kw)
    pd.testing.assert_frame_equal(got, without_prefilter(arts, topics, **kw))
    rows = prefilter_rows(arts, topics, tuple(kw.get("fields", ())))
    if rows is not None:
        passed = set(arts["doc_id"].take(rows).tolist())
        assert set(got["doc_id"].tolist()) <= passed
    return got


def matched(got: pd.DataFrame) -> list[tuple[str, str, int, str]]:
    return [(d, t, n, m) for d, t, n, m in got[["doc_id", "topic", "n", "matched"]].itertuples(index=False)]


# ---------------------------------------------------------------------------------------------
# It filters, and it stays out of the way where it cannot help
# ---------------------------------------------------------------------------------------------


def test_prefilter_passes_only_articles_holding_a_literal() -> None:
    arts = articles(
        ("a", "Weather", "Sunny in Glasgow."),
        ("b", "Japan's PM", "Talks."),
        ("c", "Markets", "Shares rose; the Japanese yen fell."),  # "japan" inside a word: passes
        ("d", "Sport", "South\nKorea won."),
        ("e", "Sport", "South Africa won."),  # "south" alone is not the phrase's literal
        ("f", None, None),
    )
    topics = {"Japan": ["Japan"], "Korea": ["South Korea"]}
    assert prefilter_rows(arts, topics).tolist() == [1, 2, 3]
    got = check_same(arts, topics)
    assert matched(got) == [("b", "Japan", 1, "japan"), ("d", "Korea", 1, "south\nkorea".replace("\n", " "))]


def test_no_prefilter_for_punctuation_entries_or_large_dictionaries(monkeypatch: pytest.MonkeyPatch) -> None:
    arts = articles(("a", "", "Posts with #MeToo and Japan."), ("b", "", "Nothing."))
    # "#MeToo" starts with punctuation: its topic runs its regex over every text.
    assert prefilter_rows(arts, {"Movement": ["#MeToo"], "Japan": ["Japan"]}) is None
    assert matched(check_same(arts, {"Movement": ["#MeToo"], "Japan": ["Japan"]})) == [
        ("a", "Movement", 1, "#metoo"), ("a", "Japan", 1, "japan")]
    monkeypatch.setattr(topics_module, "_PREFILTER_MAX_LITERALS", 1)
    assert prefilter_rows(arts, {"Japan": ["Japan", "Tokyo"]}) is None
    assert prefilter_rows(arts, {"Japan": ["Japan"]}).tolist() == [0]


def test_empty_table_and_missing_texts() -> None:
    empty = articles()
    assert check_same(empty, {"Japan": ["Japan"]}).empty
    arts = articles(("a", None, "Japan"), ("b", "Japan", None), ("c", None, None))
    assert matched(check_same(arts, {"Japan": ["Japan"]})) == [("a", "Japan", 1, "japan"), ("b", "Japan", 1, "japan")]


def test_object_columns_and_non_string_values() -> None:
    arts = pd.DataFrame({
        "doc_id": pd.Series(["a", "b", "c"], dtype="str"),
        "title": pd.Series(["Japan", 7, None], dtype=object),
        "text": pd.Series([float("nan"), "Tokyo and Japan", b"Japan"], dtype=object),
    })
    got = check_same(arts, {"Japan": ["Japan", "Tokyo"]})
    assert matched(got) == [("a", "Japan", 1, "japan"), ("b", "Japan", 2, "japan; tokyo")]


def test_fields_are_scanned_too() -> None:
    arts = articles(("a", "", ""), ("b", "", "")).assign(subtitle=pd.Series(["Seoul talks", None], dtype="str"))
    got = check_same(arts, {"Korea": ["Seoul"]}, fields=("subtitle",))
    assert got[["doc_id", "n_subtitle"]].values.tolist() == [["a", 1]]


# ---------------------------------------------------------------------------------------------
# Edge cases: each must give the same table with and without the prefilter
# ---------------------------------------------------------------------------------------------

EDGE_CASES = [
    # Case folding: the matcher lower-cases tokens with str.lower ("İ" read as "i").
    # (the evidence is lower-cased as written: "İ".lower() is "i" + a combining dot)
    ("İSTANBUL and Istanbul", ["istanbul"], False, ["istanbul", "i\u0307stanbul"]),
    ("istanbul", ["İstanbul"], False, ["istanbul"]),
    ("STRAẞE, Straße and STRASSE", ["straße"], False, ["straße"]),  # capital sharp s lowers to ß
    ("Strasse", ["Straße"], False, []),  # no expansion of ß to ss
    ("ﬁnance and finance", ["ﬁnance"], False, ["ﬁnance"]),  # the ligature is its own character
    ("ﬁnance", ["finance"], False, []),
    ("\u212aelvin scale", ["kelvin"], False, ["kelvin"]),  # the Kelvin sign lowers to "k"
    ("ΟΔΟΣ'Α and ΟΔΟΣ. Οδός", ["οδος", "ΟΔΟΣ*"], False, None),  # final sigma in context
    ("ΣΟΦΙΑ σοφια", ["ΣΟΦΙΑ"], False, ["σοφια"]),
    # Phrases: any whitespace run (Python's, line breaks too) or one hyphen, nothing else.
    ("South\nKorea, South\r\n\r\nKorea, South\u00a0Korea, South\u2003Korea", ["South Korea"], False, None),
    ("South-Korea South\u2010Korea South\u2011Korea South\x1cKorea", ["South Korea"], False, None),
    ("South – Korea, South, Korea, South.Korea, South--Korea", ["South Korea"], False, []),
    ("south\tkorean officials", ["South Korean*"], False, ["south korean"]),
    # Globs, alone and as a phrase word.
    ("Kishida's KISHIDAS Kishidaa Kishid", ["Kishida*"], False, ["kishida", "kishidaa", "kishidas"]),
    ("Southern Korea and south korea", ["South* Korea"], False, ["south korea", "southern korea"]),
    # A term inside another word is no hit (but passes the prefilter).
    ("Japanese Japanophile Nippon", ["Japan"], False, []),
    # Non-ASCII entries, and entries with punctuation inside (checked by their own regex).
    ("東京 and 東京都", ["東京"], False, ["東京"]),
    ("Ölkrise, ÖLKRISE, ölkrisen", ["Öl*"], False, ["ölkrise", "ölkrisen"]),
    ("Côte d'Ivoire and CÔTE D’IVOIRE", ["Côte d'Ivoire"], False, ["côte d'ivoire", "côte d’ivoire"]),
    ("Jae-in, Jae in, Jaein", ["Moon Jae-in", "Jae-in"], False, ["jae in", "jae-in", "jaein"]),
    ("the U.S. and the u.s.", ["U.S."], False, ["u.s."]),
    # Case-sensitive topics.
    ("US and us", ["US"], True, ["us"]),
    ("Us", ["US"], True, []),
]


@pytest.mark.parametrize(("text", "entries", "case_sensitive", "evidence"), EDGE_CASES)
def test_edge_cases_same_with_and_without_prefilter(
    text: str, entries: list[str], case_sensitive: bool, evidence: list[str] | None
) -> None:
    topics = {"T": {"terms": entries, "case_sensitive": case_sensitive}}
    arts = articles(("hit", "", text), ("title", text, ""), ("none", "Weather", "Rain."))
    got = check_same(arts, topics)
    if evidence is not None:
        assert sorted(set("; ".join(got["matched"]).split("; ")) - {""}) == evidence
    assert "none" not in got["doc_id"].tolist()
    rows = prefilter_rows(arts, topics)
    assert rows is not None and 2 not in rows.tolist()  # the unrelated article is filtered out


def test_exclusions_with_the_prefilter() -> None:
    topics = {"Japan": {"terms": ["Japan", "Tokyo"], "exclude": ["Japan Airlines"]}}
    arts = articles(
        ("a", "", "Japan Airlines flew."),  # passes the prefilter, every hit excluded
        ("b", "", "Japan Airlines flew to Japan."),
        ("c", "", "Nothing here."),
    )
    got = check_same(arts, topics)
    assert matched(got) == [("b", "Japan", 1, "japan")]
    assert prefilter_rows(arts, topics).tolist() == [0, 1]


def test_every_character_lowered_into_a_literal_is_in_its_class() -> None:
    # For each character that str.lower() changes, the prefilter class of its lower-case form
    # holds it: the scan then finds the upper-case spelling of any lower-case entry.
    codes = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    chars = [chr(c) for c in codes]
    changed = [c for c in chars if topics_module._lower(c) != c]
    assert len(changed) > 1000
    column = pa.chunked_array([pa.array(changed, type=pa.large_string())])
    patterns = [topics_module._char_class(topics_module._lower(c)) for c in changed]
    # One scan per distinct class, over the characters that lower into it.
    by_pattern: dict[str, list[int]] = {}
    for i, p in enumerate(patterns):
        by_pattern.setdefault(p, []).append(i)
    for pattern, rows in by_pattern.items():
        found = pc.match_substring_regex(column.take(pa.array(rows)), f"^(?:{pattern})$")
        assert all(found.to_pylist()), (pattern, [changed[i] for i in rows])


# ---------------------------------------------------------------------------------------------
# Property: random texts and entries over the characters that fold in special ways
# ---------------------------------------------------------------------------------------------

FOLD_LETTERS = "aAkKİiıIßẞsSſΣσςﬁéÉ\u212a"
FOLD_ALPHABET = FOLD_LETTERS + " -\u2010\n\x1c\u00a0.'"
fold_words = st.text(alphabet=FOLD_LETTERS, min_size=1, max_size=3)
fold_entries = st.lists(st.tuples(fold_words, st.booleans()), min_size=1, max_size=3).map(
    lambda ws: " ".join(w + ("*" if g else "") for w, g in ws)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(
        st.tuples(st.text(alphabet=FOLD_ALPHABET, max_size=20), st.text(alphabet=FOLD_ALPHABET, max_size=40)),
        min_size=1, max_size=5,
    ),
    specs=st.lists(
        st.tuples(st.lists(fold_entries, min_size=1, max_size=4), st.lists(fold_entries, max_size=1), st.booleans()),
        min_size=1, max_size=3,
    ),
)
def test_prefilter_never_changes_the_result(docs, specs) -> None:
    arts = articles(*[(f"d{i}", title, text) for i, (title, text) in enumerate(docs)])
    topics = {f"T{k}": {"terms": inc, "exclude": exc, "case_sensitive": cs} for k, (inc, exc, cs) in enumerate(specs)}
    check_same(arts, topics)


def test_prefilter_agrees_with_the_regex_definition_on_folded_text() -> None:
    # Where re.IGNORECASE and str.lower agree (not for "ſ" or the Kelvin sign), the filtered
    # matcher gives topic_regex's hits.
    text = "İstanbul, ISTANBUL; STRAẞE; ΣΟΦΙΑ; South\u2003Korea; Japanese"
    arts = articles(("a", "", text))
    for entries in (["istanbul"], ["straße"], ["σοφια"], ["South Korea"], ["Japan"]):
        got = check_same(arts, {"T": entries})
        expected = [m.group() for m in topic_regex(entries).finditer(text)]
        assert (got["n"].sum() if len(got) else 0) == len(expected)


@pytest.mark.parametrize(
    "dtype", ["str", "string[python]", "string[pyarrow]", pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.large_string()),
              object, "category"],
    ids=str,
)
def test_every_text_dtype_gives_the_same_table(dtype: object) -> None:
    base = pd.DataFrame({"doc_id": ["a", "b", "c"], "title": ["Japan", None, "x"], "text": ["Tokyo", "nothing", None]})
    expected = [("a", "J", 2, "japan; tokyo")]
    got = check_same(base.astype({"title": dtype, "text": dtype}), {"J": ["Japan", "Tokyo"]})
    assert matched(got) == expected
