"""Topic dictionaries and matching: hand-computed expectations on tiny invented texts."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ParameterError, SchemaError, TopicsError
from toolkit.topics import TOPIC_COLUMNS, load_topics, match_topics, topic_regex

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def articles(*rows: tuple[str, str | None, str | None]) -> pd.DataFrame:
    """A minimal articles table from (doc_id, title, text) rows."""
    doc_ids, titles, texts = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "doc_id": pd.Series(doc_ids, dtype="str"),
            "outlet": "Demo Daily",
            "published": pd.to_datetime(["2021-11-01"] * len(rows), utc=True),
            "title": pd.Series(titles, dtype="str"),
            "text": pd.Series(texts, dtype="str"),
        }
    )


def hits(pattern: str | list[str], text: str, **kw: bool) -> list[str]:
    rx = topic_regex([pattern] if isinstance(pattern, str) else pattern, **kw)
    return [m.group() for m in rx.finditer(text)]


def write(tmp_path: Path, text: str, name: str = "topics.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# load_topics
# ---------------------------------------------------------------------------------------------


def test_load_topics_both_forms_from_yaml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
South Korea:
  - South Korea
  - South Korean*
  - Seoul
Japan:
  terms: [Japan, Japanese, Tokyo, Kishida*]
  exclude: [Japan Airlines]
  case_sensitive: false
Acronyms:
  terms: [WHO]
  case_sensitive: true
""",
    )
    table = load_topics(path)
    assert list(table.columns) == list(TOPIC_COLUMNS)
    assert table["topic"].tolist() == ["South Korea"] * 3 + ["Japan"] * 5 + ["Acronyms"]
    assert table["pattern"].tolist() == [
        "South Korea",
        "South Korean*",
        "Seoul",
        "Japan",
        "Japanese",
        "Tokyo",
        "Kishida*",
        "Japan Airlines",
        "WHO",
    ]
    assert table["kind"].tolist() == [
        "phrase",
        "glob",
        "term",
        "term",
        "term",
        "term",
        "glob",
        "phrase",
        "term",
    ]
    assert table["exclude"].tolist() == [False] * 7 + [True, False]
    assert table["case_sensitive"].tolist() == [False] * 8 + [True]
    assert table["exclude"].dtype == bool and table["case_sensitive"].dtype == bool


def test_load_topics_from_mapping_equals_yaml(tmp_path: Path) -> None:
    mapping = {
        "Japan": {"terms": ["Japan", "Tokyo"], "exclude": ["Japan Airlines"]},
        "Korea": ["Seoul"],
    }
    path = write(
        tmp_path, "Japan:\n  terms: [Japan, Tokyo]\n  exclude: [Japan Airlines]\nKorea: [Seoul]\n"
    )
    pd.testing.assert_frame_equal(load_topics(mapping), load_topics(path))


def test_whitespace_in_entries_is_collapsed() -> None:
    assert load_topics({"K": ["  South \t Korea "]})["pattern"].tolist() == ["South Korea"]


@pytest.mark.parametrize(
    ("yaml_text", "fragments"),
    [
        ("Japan:\n", ["'Japan'", "empty"]),
        ("Japan: []\n", ["'Japan'", "empty"]),
        ("Japan:\n  terms: []\n", ["'Japan'", "empty"]),
        (
            "Japan:\n  - Tokyo\n  - 2021\n",
            ["'Japan'", "entry 2", "2021", "expected a string", "quote"],
        ),
        ("Japan:\n  - Tokyo\n  - [a, b]\n", ["'Japan'", "entry 2", "expected a string"]),
        ("Japan:\n  - Ja*pan\n", ["'Japan'", "'Ja*pan'", "'*' may only end a word"]),
        ("Japan:\n  - '*'\n", ["'Japan'", "'*'", "stem"]),
        (
            "Japan:\n  terms: [Japan]\n  synonyms: [Nippon]\n",
            ["'Japan'", "synonyms", "terms", "exclude"],
        ),
        ("Japan:\n  exclude: [Japan Airlines]\n", ["'Japan'", "no 'terms'"]),
        (
            "Japan:\n  terms: [Japan]\n  case_sensitive: maybe\n",
            ["'Japan'", "case_sensitive", "maybe"],
        ),
        ("Japan:\n  terms: [Japan]\n  exclude: Japan Airlines\n", ["'Japan'", "exclude", "list"]),
        ("Japan:\n  terms: [Japan]\n  exclude: [J*L]\n", ["'Japan'", "exclude entry 1", "'J*L'"]),
        ("Japan: Japan, Tokyo\n", ["'Japan'", "list of entries"]),
        ("- Japan\n- Tokyo\n", ["top level must be a mapping", "list"]),
        ("", ["empty"]),
        ("2021:\n  - Tokyo\n", ["2021", "topic name"]),
        (
            "Japan:\n  - Tokyo\nKorea:\n  - Seoul\nJapan:\n  - Osaka\n",
            ["duplicate key 'Japan'", "line 1", "line 5"],
        ),
        ("Japan:\n  - Tokyo\n - Osaka\n", ["line 3", "not valid YAML"]),
    ],
)
def test_malformed_dictionaries_raise_topics_error_naming_file_topic_entry(
    tmp_path: Path, yaml_text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(TopicsError) as info:
        load_topics(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_missing_file_is_a_topics_error(tmp_path: Path) -> None:
    with pytest.raises(TopicsError, match=r"nope\.yaml: topic dictionary not found"):
        load_topics(tmp_path / "nope.yaml")


def test_bad_entry_in_a_mapping_names_topic_and_entry() -> None:
    with pytest.raises(
        TopicsError, match=r"topic dictionary \(mapping\): topic 'Japan', entry 2 \(None\)"
    ):
        load_topics({"Japan": ["Tokyo", None]})
    with pytest.raises(ParameterError, match="topics=42"):
        load_topics(42)  # type: ignore[arg-type]


def test_match_accepts_table_and_checks_it() -> None:
    table = load_topics({"Japan": ["Japan"]})
    arts = articles(("a", "Japan", ""))
    assert match_topics(arts, table)["n"].tolist() == [1]
    with pytest.raises(SchemaError, match="lacks the column"):
        match_topics(arts, table.drop(columns="kind"))
    bad = table.assign(pattern=["Ja*pan"])
    with pytest.raises(TopicsError, match="'Japan', entry 'Ja\\*pan'"):
        match_topics(arts, bad)


# ---------------------------------------------------------------------------------------------
# Matching rules
# ---------------------------------------------------------------------------------------------


def test_token_boundaries_not_substrings() -> None:
    text = "Japan, Japanese, Japanophile, Japan's, Japan\u2019s, Japan-based, anti-Japan, NIPPONJAPAN, Japan2"
    assert hits("Japan", text) == ["Japan", "Japan", "Japan", "Japan", "Japan"]
    # "Japan" counted: plain, straight possessive, curly possessive, Japan-based, anti-Japan.


def test_digits_and_non_latin_letters_block_a_match() -> None:
    assert hits("G7", "G7 and G77 and AG7 met; G7's agenda") == ["G7", "G7"]
    assert hits("Seoul", "Seoulé Seoul Ωseoul") == ["Seoul"]


def test_phrases_match_across_whitespace_line_breaks_and_hyphens() -> None:
    text = "South Korea; South  Korea; South\nKorea; South\r\n  Korea; South-Korea; SouthKorea; South Koreas"
    assert hits("South Korea", text) == [
        "South Korea",
        "South  Korea",
        "South\nKorea",
        "South\r\n  Korea",
        "South-Korea",
    ]


def test_hyphen_inside_an_entry_matches_hyphen_space_or_nothing() -> None:
    text = "Moon Jae-in; Moon Jae in; Moon Jaein; Moon\nJae-in; Moon Jae-inx"
    assert hits("Moon Jae-in", text) == ["Moon Jae-in", "Moon Jae in", "Moon Jaein", "Moon\nJae-in"]
    # Jae-in is part of the phrase: one hit each, not "Moon" and "Jae" separately.
    assert hits(["Moon Jae-in", "Jae"], "Moon Jae-in met Jae") == ["Moon Jae-in", "Jae"]


def test_globs_prefix_match_one_word() -> None:
    text = "Kishida, Kishida's, Kishidas, Kishid, PM-Kishida-led, xKishida"
    assert hits("Kishida*", text) == ["Kishida", "Kishida", "Kishidas", "Kishida"]
    assert hits("South Korean*", "South Korean, South Koreans, South Korea") == [
        "South Korean",
        "South Koreans",
    ]


def test_special_characters_are_literal() -> None:
    assert hits("U.S.", "The U.S. and US and UxSx") == ["U.S."]
    assert hits("C++", "C++ and C and c++") == ["C++", "c++"]
    assert hits("#MeToo", "the #MeToo and MeToo") == ["#MeToo"]
    assert hits("Côte d'Ivoire", "Côte d\u2019Ivoire and Côte d'Ivoire") == [
        "Côte d\u2019Ivoire",
        "Côte d'Ivoire",
    ]


def test_case_rules() -> None:
    assert hits("WHO", "WHO said who knows; Who") == ["WHO", "who", "Who"]
    assert hits("WHO", "WHO said who knows; Who", case_sensitive=True) == ["WHO"]


def test_longest_alternative_wins_so_overlaps_count_once() -> None:
    rx = topic_regex(["Korea", "South Korea", "South Korean*"])
    assert [m.group() for m in rx.finditer("South Korean ships, South Korea, Korea")] == [
        "South Korean",
        "South Korea",
        "Korea",
    ]


def test_match_topics_per_field_counts_and_evidence() -> None:
    arts = articles(
        (
            "a1",
            "Japan's talks with South Korea",
            "South\nKorean officials met in Seoul.\nJAPAN and Japanese firms.",
        ),
        ("a2", "Weather", "Nothing here about Japanophiles."),
        (
            "a3",
            None,
            "Kishida's visit to Japan-based firms; Japan Airlines flew; a Japan Airlines-Japan deal.",
        ),
    )
    topics = {
        "South Korea": ["South Korea", "South Korean*", "Seoul"],
        "Japan": {"terms": ["Japan", "Kishida*"], "exclude": ["Japan Airlines"]},
    }
    got = match_topics(arts, topics)
    expected = pd.DataFrame(
        {
            "doc_id": ["a1", "a1", "a3"],
            "topic": ["South Korea", "Japan", "Japan"],
            "n_title": [1, 1, 0],
            "n_text": [2, 1, 3],
            "n": [3, 2, 3],
            "matched": ["seoul; south korea; south korean", "japan", "japan; kishida"],
        }
    ).astype({"doc_id": "str", "topic": "str", "matched": "str"})
    pd.testing.assert_frame_equal(got, expected)


def test_exclusions_only_drop_hits_inside_them() -> None:
    arts = articles(("a", "", "Japan Airlines. Japan airlines. Japan. JAPAN AIRLINES Japan"))
    got = match_topics(arts, {"Japan": {"terms": ["Japan"], "exclude": ["Japan Airlines"]}})
    assert got["n_text"].tolist() == [2]
    case = {"Japan": {"terms": ["Japan"], "exclude": ["Japan Airlines"], "case_sensitive": True}}
    assert match_topics(arts, case)["n_text"].tolist() == [3]  # "Japan airlines" is not excluded


def test_topic_with_only_excluded_hits_has_no_row() -> None:
    arts = articles(("a", "Japan Airlines", "Japan Airlines"))
    got = match_topics(arts, {"Japan": {"terms": ["Japan"], "exclude": ["Japan Airlines"]}})
    assert got.empty
    assert list(got.columns) == ["doc_id", "topic", "n_title", "n_text", "n", "matched"]


def test_one_word_may_count_for_several_topics() -> None:
    arts = articles(("a", "", "Tokyo summit"))
    got = match_topics(arts, {"Japan": ["Tokyo"], "Cities": ["Tokyo", "Seoul"]})
    assert got[["topic", "n"]].values.tolist() == [["Japan", 1], ["Cities", 1]]


def test_fields_option_and_errors() -> None:
    arts = articles(("a", "Japan", "Japan Japan")).assign(subtitle="Japan")
    got = match_topics(arts, {"Japan": ["Japan"]}, fields=("subtitle", "text"))
    assert got[["n_subtitle", "n_text", "n"]].values.tolist() == [[1, 2, 3]]
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) \['lede'\]"):
        match_topics(arts, {"Japan": ["Japan"]}, fields=("lede",))
    with pytest.raises(ParameterError, match="fields="):
        match_topics(arts, {"Japan": ["Japan"]}, fields=())
    with pytest.raises(SchemaError, match="doc_id must be unique"):
        match_topics(pd.concat([arts, arts]), {"Japan": ["Japan"]})


def test_match_topics_does_not_mutate_input() -> None:
    arts = articles(("a", "Japan", "Japan"))
    before = arts.copy()
    match_topics(arts, {"Japan": ["Japan"]})
    pd.testing.assert_frame_equal(arts, before)


# ---------------------------------------------------------------------------------------------
# The fast path (token index) gives exactly the regex's own matches
# ---------------------------------------------------------------------------------------------

WORDS = [
    "Japan",
    "japanese",
    "Jae",
    "in",
    "Jae-in",
    "Moon",
    "South",
    "Korea",
    "Korean",
    "Koreans",
    "Kishida",
    "U.S.",
    "#MeToo",
    "Air",
    "Airlines",
    "x1",
    "é",
]
SEPARATORS = [" ", "  ", "\n", "-", "'s ", "\u2019s ", ", ", ".", "_", ""]
ENTRIES = [
    "Japan",
    "Japan*",
    "Jae-in",
    "Moon Jae-in",
    "South Korea",
    "South Korean*",
    "Korea",
    "Kishida*",
    "U.S.",
    "#MeToo",
    "Jae-in*",
    "air*",
]


def reference(text: str, include: list[str], exclude: list[str], case_sensitive: bool) -> list[str]:
    spans = [m.span() for m in topic_regex(include, case_sensitive=case_sensitive).finditer(text)]
    if exclude:
        blocked = [
            m.span() for m in topic_regex(exclude, case_sensitive=case_sensitive).finditer(text)
        ]
        spans = [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in blocked)]
    return sorted({" ".join(text[s:e].lower().split()) for s, e in spans}), len(spans)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=14),
    include=st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=5),
    exclude=st.lists(st.sampled_from(["Japan Airlines", "Air*", "South Korea"]), max_size=1),
    case_sensitive=st.booleans(),
)
def test_fast_matching_equals_plain_finditer(pieces, include, exclude, case_sensitive) -> None:
    text = "".join(w + s for w, s in pieces)
    topics = {"T": {"terms": include, "exclude": exclude, "case_sensitive": case_sensitive}}
    got = match_topics(articles(("a", "", text)), topics)
    evidence, n = reference(text, include, exclude, case_sensitive)
    if n == 0:
        assert got.empty
    else:
        assert got["n_text"].tolist() == [n]
        assert got["matched"].tolist() == ["; ".join(evidence)]


# ---------------------------------------------------------------------------------------------
# Real corpus: speed and agreement with the plain regex
# ---------------------------------------------------------------------------------------------


def bbc_articles() -> pd.DataFrame:
    root = CORPORA / "bbc"
    if not root.is_dir():
        pytest.skip(f"needs the BBC corpus at {root} (../shared/corpora next to the repository)")
    rows = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.partition("\n")
        rows.append((f"{path.parent.name}/{path.stem}", title.strip(), body))
    return pd.DataFrame(rows, columns=["doc_id", "title", "text"]).astype("str")


@pytest.mark.corpora
def test_bbc_matching_is_fast_and_agrees_with_plain_regex() -> None:
    arts = bbc_articles()
    assert len(arts) == 2225
    vocab = (
        pd.Series(re.findall(r"[A-Za-z]{4,}", " ".join(arts["text"].head(300))))
        .value_counts()
        .index[40:1040]
        .tolist()
    )
    topics = {}
    for t in range(50):
        words = vocab[t * 20 : (t + 1) * 20]
        topics[f"topic{t}"] = [w if i % 4 else w[:5] + "*" for i, w in enumerate(words[:15])] + [
            f"{a} {b}" for a, b in zip(words[15:], words[16:] + words[:1], strict=False)
        ]
    topics["Mobile"] = {
        "terms": ["mobile phone*", "Wi-Fi", "e-mail*", "3G"],
        "exclude": ["mobile phone operator*"],
    }
    begin = time.perf_counter()
    got = match_topics(arts, topics)
    seconds = time.perf_counter() - begin
    assert seconds < 30, f"50 x 20 topics took {seconds:.1f} s"
    # Agreement with the plain alternation on a sample of topics.
    for name in ["topic0", "topic17", "topic49", "Mobile"]:
        spec = topics[name]
        include = spec["terms"] if isinstance(spec, dict) else spec
        exclude = spec.get("exclude", []) if isinstance(spec, dict) else []
        mine = got[got["topic"] == name].set_index("doc_id")["n_text"]
        for doc_id, text in zip(arts["doc_id"], arts["text"], strict=True):
            assert mine.get(doc_id, 0) == reference(text, include, exclude, False)[1], (
                name,
                doc_id,
            )
