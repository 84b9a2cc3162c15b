"""Topic dictionaries and matching: hand-computed expectations on tiny invented texts."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit.topics as topics_module
from toolkit.errors import ParameterError, SchemaError, TopicsError
from toolkit.topics import TOPIC_COLUMNS, load_topics, match_topics, topic_regex

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
COUNTS = ["n_title", "n_lede", "n_body"]


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
    assert table["group"].isna().all()
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
            "n_lede": [2, 1, 3],  # no blank line in these texts: all lede
            "n_body": [0, 0, 0],
            "n": [3, 2, 3],
            "matched": ["seoul; south korea; south korean", "japan", "japan; kishida"],
        }
    ).astype({"doc_id": "str", "topic": "str", "matched": "str"})
    pd.testing.assert_frame_equal(got, expected)


def test_exclusions_only_drop_hits_inside_them() -> None:
    arts = articles(("a", "", "Japan Airlines. Japan airlines. Japan. JAPAN AIRLINES Japan"))
    got = match_topics(arts, {"Japan": {"terms": ["Japan"], "exclude": ["Japan Airlines"]}})
    assert got["n_lede"].tolist() == [2]
    case = {"Japan": {"terms": ["Japan"], "exclude": ["Japan Airlines"], "case_sensitive": True}}
    assert match_topics(arts, case)["n_lede"].tolist() == [3]  # "Japan airlines" is not excluded


def test_topic_with_only_excluded_hits_has_no_row() -> None:
    arts = articles(("a", "Japan Airlines", "Japan Airlines"))
    got = match_topics(arts, {"Japan": {"terms": ["Japan"], "exclude": ["Japan Airlines"]}})
    assert got.empty
    assert list(got.columns) == ["doc_id", "topic", *COUNTS, "n", "matched"]
    assert got.dtypes.astype(str).tolist() == ["str", "str", "int64", "int64", "int64", "int64", "str"]


def test_one_word_may_count_for_several_topics() -> None:
    arts = articles(("a", "", "Tokyo summit"))
    got = match_topics(arts, {"Japan": ["Tokyo"], "Cities": ["Tokyo", "Seoul"]})
    assert got[["topic", "n"]].values.tolist() == [["Japan", 1], ["Cities", 1]]


def test_fields_option_and_errors() -> None:
    arts = articles(("a", "Japan", "Japan Japan")).assign(subtitle="Japan", kicker=None)
    got = match_topics(arts, {"Japan": ["Japan"]}, fields=("subtitle", "kicker"))
    assert list(got.columns) == ["doc_id", "topic", *COUNTS, "n_subtitle", "n_kicker", "n", "matched"]
    assert got[[*COUNTS, "n_subtitle", "n_kicker", "n"]].values.tolist() == [[1, 2, 0, 1, 0, 4]]
    assert match_topics(arts, {"Japan": ["Japan"]}, fields="subtitle")["n"].tolist() == [4]
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) \['dek'\]"):
        match_topics(arts, {"Japan": ["Japan"]}, fields=("dek",))
    with pytest.raises(ParameterError, match=r"fields=\('text',\) is not valid.*title and text are always"):
        match_topics(arts, {"Japan": ["Japan"]}, fields=("text",))
    with pytest.raises(ParameterError, match="fields="):
        match_topics(arts, {"Japan": ["Japan"]}, fields=("subtitle", "subtitle"))
    with pytest.raises(SchemaError, match=r"lacks the column\(s\) \['title'\]"):
        match_topics(arts.drop(columns="title"), {"Japan": ["Japan"]})
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
        assert got[["n_title", "n_lede", "n_body"]].values.tolist() == [[0, n, 0]]
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
        mine = got[got["topic"] == name].set_index("doc_id")["n_lede"] + got[
            got["topic"] == name
        ].set_index("doc_id")["n_body"]
        for doc_id, text in zip(arts["doc_id"], arts["text"], strict=True):
            assert mine.get(doc_id, 0) == reference(text, include, exclude, False)[1], (
                name,
                doc_id,
            )


# ---------------------------------------------------------------------------------------------
# Title, lede and body
# ---------------------------------------------------------------------------------------------

# Paragraphs are separated by blank lines (a line of spaces counts as blank).
PARAGRAPHS = (
    "\n\nSeoul and Tokyo met. Seoul hosted.\n"  # leading blank lines are skipped
    "A second line, same paragraph: Seoul.\n"
    "  \n"
    "Body: Seoul, Seoul.\n\nMore body about Tokyo and South\n\nKorea."
)


def test_title_lede_body_counts_by_paragraph() -> None:
    arts = articles(("a", "Seoul talks with Tokyo", PARAGRAPHS), ("b", "Tokyo", "Nothing."))
    topics = {"Korea": ["Seoul", "South Korea"], "Japan": ["Tokyo"]}
    got = match_topics(arts, topics)
    # Korea: title Seoul (1); lede Seoul x3 (first paragraph, 3 lines); body Seoul x2 and the
    # phrase "South\n\nKorea" (a phrase spans any whitespace; it starts in the body).
    # Japan: title 1, lede 1, body 1; article b: title only.
    assert got[["doc_id", "topic", *COUNTS, "n"]].values.tolist() == [
        ["a", "Korea", 1, 3, 3, 7],
        ["a", "Japan", 1, 1, 1, 3],
        ["b", "Japan", 1, 0, 0, 1],
    ]
    assert got["matched"].tolist() == ["seoul; south korea", "tokyo", "tokyo"]


def test_a_hit_counts_once_in_the_part_where_it_starts() -> None:
    text = "Talks in South\n\nKorea went on.\n\nSouth Korea"
    got = match_topics(articles(("a", "", text)), {"Korea": ["South Korea"]})
    assert got[COUNTS].values.tolist() == [[0, 1, 1]]


def test_text_without_a_blank_line_is_all_lede_and_empty_text_has_none() -> None:
    arts = articles(("a", "", "Seoul.\nSeoul.\nSeoul."), ("b", "Seoul", None), ("c", None, ""))
    got = match_topics(arts, {"Korea": ["Seoul"]})
    assert got[["doc_id", *COUNTS]].values.tolist() == [["a", 0, 3, 0], ["b", 1, 0, 0]]


def test_lede_as_first_n_sentences() -> None:
    text = (
        "Mr. Moon met Kishida in Seoul. Then Seoul hosted the U.S. envoy.\n\n"
        "Seoul again. And Seoul once more."
    )
    arts = articles(("a", "", text))
    # split_sentences: "Mr. Moon ... Seoul." | "Then Seoul ... envoy." | "Seoul again." | "And ..."
    expected = {1: [0, 1, 3], 2: [0, 2, 2], 3: [0, 3, 1], 4: [0, 4, 0], 9: [0, 4, 0]}
    for n, counts in expected.items():
        got = match_topics(arts, {"Korea": ["Seoul"]}, lede=n)
        assert got[COUNTS].values.tolist() == [counts], n
    assert match_topics(arts, {"Korea": ["Seoul"]})[COUNTS].values.tolist() == [[0, 2, 2]]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "sentence", True, None])
def test_lede_errors(bad: object) -> None:
    with pytest.raises(ParameterError, match=r"lede=.* is not valid: expected 'paragraph'.*>= 1"):
        match_topics(articles(("a", "", "x")), {"K": ["x"]}, lede=bad)  # type: ignore[arg-type]


def test_level_errors() -> None:
    with pytest.raises(ParameterError, match=r"level='groups' is not valid: expected 'topic' or 'group'"):
        match_topics(articles(("a", "", "x")), {"K": ["x"]}, level="groups")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Topic groups
# ---------------------------------------------------------------------------------------------

GROUPED = """
Asia:
  South Korea: [South Korea, Seoul]
  Japan:
    terms: [Japan, Tokyo]
    exclude: [Japan Airlines]
Climate: [COP26, climate summit]
Europe:
  UK:
    terms: [UK, Britain]
    case_sensitive: true
"""


def test_load_topics_with_groups(tmp_path: Path) -> None:
    table = load_topics(write(tmp_path, GROUPED))
    assert list(table.columns) == list(TOPIC_COLUMNS)
    assert table["topic"].tolist() == ["South Korea"] * 2 + ["Japan"] * 3 + ["Climate"] * 2 + ["UK"] * 2
    assert table["group"].tolist()[:5] == ["Asia"] * 5
    assert table["group"].iloc[5:7].isna().all()
    assert table["group"].iloc[7:].tolist() == ["Europe"] * 2
    assert table["exclude"].tolist() == [False] * 4 + [True] + [False] * 4
    assert table["case_sensitive"].tolist() == [False] * 7 + [True] * 2
    # The same as a Python mapping.
    mapping = {
        "Asia": {
            "South Korea": ["South Korea", "Seoul"],
            "Japan": {"terms": ["Japan", "Tokyo"], "exclude": ["Japan Airlines"]},
        },
        "Climate": ["COP26", "climate summit"],
        "Europe": {"UK": {"terms": ["UK", "Britain"], "case_sensitive": True}},
    }
    pd.testing.assert_frame_equal(load_topics(mapping), table)


@pytest.mark.parametrize(
    ("yaml_text", "fragments"),
    [
        # A group and a topic with the same name, in either order or nested in itself.
        ("Asia:\n  Japan: [Tokyo]\nJapan2: [x]\nKorea:\n  Asia: [Seoul]\n",
         ["'Asia' is both a group and a topic", "in group 'Korea'", "Rename one"]),
        ("Japan: [Tokyo]\nAsia:\n  Korea: [Seoul]\nPacific:\n  Japan: [Osaka]\n",
         ["topic 'Japan' is given twice", "the top level", "group 'Pacific'"]),
        ("Asia:\n  Asia: [Tokyo]\n", ["'Asia' is both a group and a topic", "in group 'Asia'"]),
        ("Asia:\n  Japan: [Tokyo]\nPacific:\n  Japan: [Osaka]\n",
         ["topic 'Japan' is given twice", "group 'Asia'", "group 'Pacific'"]),
        ("Asia:\n  Japan: [Tokyo]\nJapan: [Osaka]\n", ["topic 'Japan' is given twice"]),
        # Nesting deeper than group -> topic.
        ("Asia:\n  East Asia:\n    Japan: [Tokyo]\n",
         ["group 'Asia', topic 'East Asia'", "group inside a group", "one level"]),
        # A mapping with topic keys is a topic: other keys are an error that mentions groups.
        ("Asia:\n  terms: [Tokyo]\n  Japan: [Osaka]\n",
         ["topic 'Asia' has unknown key(s) ['Japan']", "group of topics"]),
        ("Asia: {}\n", ["topic 'Asia' is an empty mapping", "group of topics"]),
        ("Asia:\n  Japan: {}\n", ["group 'Asia', topic 'Japan' is an empty mapping"]),
        ("Asia:\n  Japan: []\n", ["group 'Asia', topic 'Japan' is empty"]),
        ("Asia:\n  Japan: [Tokyo, 7]\n", ["group 'Asia', topic 'Japan', entry 2 (7)", "quote it"]),
        ("Asia:\n  Japan:\n    terms: [Tokyo]\n    exclude: [J*L]\n",
         ["group 'Asia', topic 'Japan', exclude entry 1", "'*' may only end a word"]),
        ("Asia:\n  2021: [Tokyo]\n", ["topic name 2021"]),
        ("2021:\n  Japan: [Tokyo]\n", ["group name 2021"]),
    ],
)
def test_malformed_groups(tmp_path: Path, yaml_text: str, fragments: list[str]) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(TopicsError) as info:
        load_topics(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_tables_without_group_column_still_work_and_are_checked() -> None:
    table = load_topics({"Japan": ["Japan"]}).drop(columns="group")
    assert match_topics(articles(("a", "Japan", "")), table)["n"].tolist() == [1]
    clash = load_topics({"Asia": {"Japan": ["Japan"]}, "Korea": ["Seoul"]})
    clash.loc[clash["topic"] == "Korea", "topic"] = "Asia"
    with pytest.raises(TopicsError, match="topics table: 'Asia' is both a group and a topic"):
        match_topics(articles(("a", "Japan", "")), clash)


def test_match_topics_by_group(tmp_path: Path) -> None:
    arts = articles(
        ("a1", "Seoul and Tokyo", "Japan Airlines to Seoul.\n\nThe UK and the uk; Britain."),
        ("a2", "COP26", "Japan"),
        ("a3", "Nothing", "Weather."),
    )
    path = write(tmp_path, GROUPED)
    by_topic = match_topics(arts, path)
    assert by_topic[["doc_id", "topic", *COUNTS, "n", "matched"]].values.tolist() == [
        ["a1", "South Korea", 1, 1, 0, 2, "seoul"],
        ["a1", "Japan", 1, 0, 0, 1, "tokyo"],  # "Japan" inside "Japan Airlines" is excluded
        ["a1", "UK", 0, 0, 2, 2, "britain; uk"],  # case-sensitive: "uk" does not count
        ["a2", "Japan", 0, 1, 0, 1, "japan"],
        ["a2", "Climate", 1, 0, 0, 1, "cop26"],
    ]
    by_group = match_topics(arts, path, level="group")
    # Groups in dictionary order (Asia, Climate, Europe); an ungrouped topic is its own group.
    assert by_group[["doc_id", "topic", *COUNTS, "n", "matched"]].values.tolist() == [
        ["a1", "Asia", 2, 1, 0, 3, "seoul; tokyo"],
        ["a1", "Europe", 0, 0, 2, 2, "britain; uk"],
        ["a2", "Asia", 0, 1, 0, 1, "japan"],
        ["a2", "Climate", 1, 0, 0, 1, "cop26"],
    ]
    assert list(by_group.columns) == list(by_topic.columns)


def test_group_hits_are_summed_over_its_topics() -> None:
    # "Seoul" counts for both topics of the group: the group's n is the sum of its topics' n,
    # and the evidence is merged.
    topics = {"Asia": {"Korea": ["Seoul", "South Korea"], "Cities": ["Seoul", "Tokyo"]}}
    arts = articles(("a", "", "Seoul, South Korea and Tokyo"))
    assert match_topics(arts, topics)["n"].tolist() == [2, 2]
    got = match_topics(arts, topics, level="group")
    assert got[["topic", "n", "matched"]].values.tolist() == [["Asia", 4, "seoul; south korea; tokyo"]]


# ---------------------------------------------------------------------------------------------
# The seed article: its RECENT STORIES block is not coverage
# ---------------------------------------------------------------------------------------------


def test_seed_counts_for_korea_and_japan_not_for_its_recent_stories() -> None:
    if not SEED.is_dir():
        pytest.skip(f"needs the seed article at {SEED} (../shared/seed next to the repository)")
    from toolkit.load.core import load_corpus

    seed = load_corpus(SEED, progress=False)
    assert len(seed) == 1
    raw = next(SEED.glob("*.txt")).read_text(encoding="utf-8")
    topics = {
        "South Korea": ["South Korea", "South Korean*", "Seoul", "Moon Jae-in"],
        "Japan": {"terms": ["Japan", "Japanese", "Tokyo", "Kishida*"], "exclude": ["Japan Airlines"]},
        "Israel": ["Israel*"],
        "Gaza": ["Gaza"],
        "Rwanda": ["Rwanda*"],
        "UK": {"terms": ["UK", "United Kingdom", "Britain", "British", "English Channel"], "case_sensitive": False},
        "Dubai": ["Dubai"],
    }
    # The raw page does name them all (in its RECENT STORIES block) ...
    raw_articles = articles(("raw", "", raw))
    assert set(match_topics(raw_articles, topics)["topic"]) == set(topics)
    # ... but the loaded article does not.
    got = match_topics(seed, topics)
    assert got["topic"].tolist() == ["South Korea", "Japan"]
    korea, japan = got.itertuples(index=False)
    assert korea.n_title == 1 and japan.n_title == 1  # "South Korea willing to hold talks with Japan"
    assert korea.n_lede >= 2 and japan.n_lede >= 1  # "Seoul: ... South Korea is open to ... Japan"
    assert korea.n_body >= 3 and japan.n_body >= 3
    assert "moon jae-in" in korea.matched and "kishida" in japan.matched
    by_group = match_topics(seed, {"Asia": {k: topics[k] for k in ("South Korea", "Japan")},
                                   "Middle East": {k: topics[k] for k in ("Israel", "Gaza", "Dubai")}},
                            level="group")
    assert by_group["topic"].tolist() == ["Asia"]
    assert by_group["n"].iloc[0] == korea.n + japan.n


# ---------------------------------------------------------------------------------------------
# Property: the fast path gives the plain regex's hits, part by part, for many topics at once
# ---------------------------------------------------------------------------------------------

SOUP_WORDS = [*WORDS, "Straße", "STRASSE", "東京", "Ölkrise", "ölkrise", "Café", "3G", "G7", "Seoul"]
SOUP_SEPARATORS = [*SEPARATORS, "\n\n", "\n \n", ": ", "\u2010", "—", "\t", "#"]
SOUP_ENTRIES = [*ENTRIES, "Straße", "東京", "Öl*", "café", "3G", "G7 Seoul", "Seoul*", "in Moon", "Jae in*"]


def reference_parts(
    title: str, text: str, include: list[str], exclude: list[str], case_sensitive: bool
) -> tuple[list[int], list[str]]:
    """Hits per part (title, lede = first paragraph, body) and evidence, with the plain regex."""
    rx = topic_regex(include, case_sensitive=case_sensitive)
    ex = topic_regex(exclude, case_sensitive=case_sensitive) if exclude else None
    stripped = len(text) - len(text.lstrip())
    brk = re.compile(r"\n[^\S\n]*\n").search(text, stripped)
    lede_end = brk.start() if brk else len(text)
    counts, evidence = [0, 0, 0], set()
    for k, source in enumerate((title, text)):
        spans = [m.span() for m in rx.finditer(source)]
        if ex:
            blocked = [m.span() for m in ex.finditer(source)]
            spans = [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in blocked)]
        for s, e in spans:
            counts[0 if k == 0 else 1 if s < lede_end else 2] += 1
            evidence.add(" ".join(source[s:e].lower().split()))
    return counts, sorted(evidence)


soups = st.lists(st.tuples(st.sampled_from(SOUP_WORDS), st.sampled_from(SOUP_SEPARATORS)), max_size=16).map(
    lambda pieces: "".join(w + s for w, s in pieces)
)
topic_specs = st.tuples(
    st.lists(st.sampled_from(SOUP_ENTRIES), min_size=1, max_size=6),
    st.lists(st.sampled_from(["Japan Airlines", "Air*", "South Korea", "Moon Jae-in", "Seoul"]), max_size=2),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(st.tuples(soups, soups), min_size=1, max_size=4),
    specs=st.lists(topic_specs, min_size=1, max_size=4),
    batch=st.sampled_from([1 << 24, 1]),
)
def test_fast_path_equals_regex_per_part_for_many_topics(docs, specs, batch) -> None:
    arts = articles(*[(f"d{i}", title, text) for i, (title, text) in enumerate(docs)])
    topics = {
        f"T{k}": {"terms": inc, "exclude": exc, "case_sensitive": cs} for k, (inc, exc, cs) in enumerate(specs)
    }
    expected = []
    for i, (title, text) in enumerate(docs):
        for k, (inc, exc, cs) in enumerate(specs):
            counts, evidence = reference_parts(title, text, inc, exc, cs)
            if sum(counts):
                expected.append([f"d{i}", f"T{k}", *counts, sum(counts), "; ".join(evidence)])
    original = topics_module._BATCH_CHARS
    topics_module._BATCH_CHARS = batch  # batch=1: one article per batch
    try:
        got = match_topics(arts, topics)
    finally:
        topics_module._BATCH_CHARS = original
    assert got.values.tolist() == expected


# Character soups: arbitrary entries (hyphens, apostrophes, periods, globs) on arbitrary text.
SOUP_ALPHABET = "aAbBéÉ1İi -\u2010\n\t'\u2019.#,"
soup_words = st.text(alphabet="aAbBéÉ1İi", min_size=1, max_size=3)
soup_entries = st.lists(
    st.tuples(soup_words, st.sampled_from(["", "-", "'", ".", "*"])), min_size=1, max_size=3
).map(lambda ps: " ".join(w + (s if s != "*" or i == len(ps) - 1 else "") for i, (w, s) in enumerate(ps)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(alphabet=SOUP_ALPHABET, max_size=30),
    text=st.text(alphabet=SOUP_ALPHABET, max_size=60),
    specs=st.lists(
        st.tuples(st.lists(soup_entries, min_size=1, max_size=4), st.lists(soup_entries, max_size=2), st.booleans()),
        min_size=1,
        max_size=3,
    ),
)
def test_fast_path_equals_regex_on_character_soups(title, text, specs) -> None:
    topics = {f"T{k}": {"terms": inc, "exclude": exc, "case_sensitive": cs} for k, (inc, exc, cs) in enumerate(specs)}
    expected = []
    for k, (inc, exc, cs) in enumerate(specs):
        counts, evidence = reference_parts(title, text, inc, exc, cs)
        if sum(counts):
            expected.append(["d", f"T{k}", *counts, sum(counts), "; ".join(evidence)])
    assert match_topics(articles(("d", title, text)), topics).values.tolist() == expected


# ---------------------------------------------------------------------------------------------
# The token encoding, long words, phrases of three words, and threads (issue 6)
# ---------------------------------------------------------------------------------------------

# Words that end on both sides of the 8-byte steps of the encoder and of its 64-byte limit,
# with multi-byte letters that move byte offsets away from character offsets.
LONG_PIECES = ["a", "ab", "Straße", "élan", "東京", "x1"]
long_words = st.lists(st.sampled_from(LONG_PIECES), min_size=1, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(words=st.lists(long_words, min_size=1, max_size=30))
def test_encode_gives_equal_codes_exactly_to_equal_strings(words: list[str]) -> None:
    data = "\x00".join(words).encode("utf-8")
    ends = np.cumsum([len(w.encode("utf-8")) + 1 for w in words]) - 1
    starts = ends - np.array([len(w.encode("utf-8")) for w in words])
    codes, rep = topics_module._encode(data, starts, ends)
    for i, w in enumerate(words):
        assert words[rep[codes[i]]] == w
        for j, v in enumerate(words):
            assert (codes[i] == codes[j]) == (w == v)


def test_tokens_are_encoded_by_their_whole_text() -> None:
    # Same first 8 bytes, same first 64 bytes, and 200-letter words that differ at the end.
    stem = "Überlandleitung" * 5
    text = f"{stem}x {stem}y {stem}x Überland Überlandleitungen {'a' * 199}b {'a' * 199}c {'a' * 199}b"
    tokens = topics_module._Tokens(text)
    words = text.split()
    assert [tokens.types[c].as_py() for c in tokens.codes.tolist()] == words
    assert len(tokens.types) == len(set(words)) == 6


long_entries = st.lists(long_words, min_size=1, max_size=3).map(" ".join)
long_soups = st.lists(st.tuples(long_words, st.sampled_from([" ", "  ", "\n", "-", ", ", ""])), max_size=12).map(
    lambda pieces: "".join(w + s for w, s in pieces)
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(st.tuples(long_soups, long_soups), min_size=1, max_size=4),
    specs=st.lists(
        st.tuples(st.lists(st.one_of(long_entries, long_entries.map(lambda e: e + "*")), min_size=1, max_size=5),
                  st.lists(long_entries, max_size=1), st.booleans()),
        min_size=1,
        max_size=3,
    ),
    threads=st.sampled_from([1, 2, 3]),
)
def test_fast_path_equals_regex_for_long_words_phrases_and_threads(docs, specs, threads) -> None:
    arts = articles(*[(f"d{i}", title, text) for i, (title, text) in enumerate(docs)])
    topics = {f"T{k}": {"terms": inc, "exclude": exc, "case_sensitive": cs} for k, (inc, exc, cs) in enumerate(specs)}
    expected = []
    for i, (title, text) in enumerate(docs):
        for k, (inc, exc, cs) in enumerate(specs):
            counts, evidence = reference_parts(title, text, inc, exc, cs)
            if sum(counts):
                expected.append([f"d{i}", f"T{k}", *counts, sum(counts), "; ".join(evidence)])
    saved = topics_module._PARALLEL_CHARS, os.environ.get("TOOLKIT_THREADS")
    topics_module._PARALLEL_CHARS = 1  # split even these few characters over the threads
    os.environ["TOOLKIT_THREADS"] = str(threads)
    try:
        got = match_topics(arts, topics)
    finally:
        topics_module._PARALLEL_CHARS = saved[0]
        if saved[1] is None:
            os.environ.pop("TOOLKIT_THREADS", None)
        else:
            os.environ["TOOLKIT_THREADS"] = saved[1]
    assert got.values.tolist() == expected


def test_threads_and_batches_give_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"Seoul and Tokyo {i}. South Korea's {'Japan ' * (i % 5)}talks" for i in range(300)]
    arts = articles(*[(f"d{i}", f"Title {i} Seoul", t) for i, t in enumerate(texts)])
    topics = {"Korea": ["Seoul", "South Korea*"], "Japan": ["Japan", "Tokyo"]}
    one = match_topics(arts, topics)
    monkeypatch.setattr(topics_module, "_PARALLEL_CHARS", 1)
    monkeypatch.setenv("TOOLKIT_THREADS", "2")
    assert len(topics_module._batch_spans(np.array([len(t) for t in texts]))) == 2
    pd.testing.assert_frame_equal(match_topics(arts, topics), one)
    monkeypatch.setattr(topics_module, "_BATCH_CHARS", 100)
    pd.testing.assert_frame_equal(match_topics(arts, topics), one)


def test_a_repeated_dictionary_is_compiled_once_and_copies_do_not_leak() -> None:
    arts = articles(("a", "Seoul", "Tokyo"))
    topics = {"Korea": ["Seoul"], "Japan": ["Tokyo"]}
    first = match_topics(arts, topics)
    topics["Korea"].append("Tokyo")  # a changed dictionary is compiled again
    second = match_topics(arts, topics)
    assert first["topic"].tolist() == ["Korea", "Japan"]
    assert second.set_index("topic")["n"].to_dict() == {"Korea": 2, "Japan": 1}


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(alphabet="ab \n\t\u00a0\u2003\r.", max_size=25), min_size=1, max_size=6))
def test_paragraph_ledes_found_per_batch_equal_the_regex_definition(texts: list[str]) -> None:
    pieces = ["t"] * len(texts) + texts
    tokens = topics_module._Tokens(topics_module._SEP.join(pieces))
    starts = np.cumsum([0] + [len(p) + 1 for p in pieces])[len(texts) : 2 * len(texts)]
    got = topics_module._paragraph_ends(tokens, texts, starts)
    assert got.tolist() == [topics_module._lede_end(t, "paragraph") for t in texts]


def test_threads_default_to_the_cores_but_one_inside_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.delenv("TOOLKIT_THREADS", raising=False)
    assert topics_module._workers() >= 1
    inside: list[int] = []
    worker = threading.Thread(target=lambda: inside.append(topics_module._workers()))
    worker.start()
    worker.join()
    assert inside == [1]
    monkeypatch.setenv("TOOLKIT_THREADS", "3")
    assert topics_module._workers() == 3


def test_group_evidence_lists_a_string_once_whichever_way_it_was_found() -> None:
    # "Jae-in*" is checked by its regex and "Jaein" looked up as a token: both give "jaein".
    arts = articles(("a", "Jaein", "Moon Jaein and JAEIN"))
    got = match_topics(arts, {"Korea": {"A": ["Jae-in*"], "B": ["Jaein"]}}, level="group")
    assert got[["n", "matched"]].values.tolist() == [[6, "jaein"]]
    by_topic = match_topics(arts, {"Korea": {"A": ["Jae-in*"], "B": ["Jaein"]}})
    assert by_topic[["topic", "n", "matched"]].values.tolist() == [["A", 3, "jaein"], ["B", 3, "jaein"]]
