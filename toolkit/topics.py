"""Topic dictionaries and matching them against articles.

A topic dictionary maps a topic name to the words that signal it. It is written in YAML (or
given as a Python dict). A topic is a list of entries or a mapping with ``terms``::

    South Korea:            # topic -> list of entries
      - South Korea         # several words: a phrase
      - South Korean*       # "*" at the end of a word: a glob (any ending of that word)
      - Seoul               # one word: a term
    Japan:                  # topic -> mapping
      terms: [Japan, Japanese, Tokyo, Kishida*]
      exclude: [Japan Airlines]     # hits inside these phrases do not count
      case_sensitive: false         # the default

Topics can be gathered in **groups** (quanteda/LIWC-style nesting, one level): a key whose
value is a mapping of topics is a group::

    Asia:                   # group -> topics
      South Korea: [South Korea, Seoul]
      Japan:
        terms: [Japan, Tokyo]
    Climate: [COP26, climate summit]    # an ungrouped topic, next to the group

A mapping with any of the keys ``terms``, ``exclude`` or ``case_sensitive`` is a topic;
any other mapping is a group, whose keys are topic names (so a topic inside a group cannot be
called ``terms``, ``exclude`` or ``case_sensitive``). Groups hold topics, not groups. Group
and topic names share one namespace: a name may not be both (``match_topics(...,
level="group")`` reports groups and ungrouped topics in one ``topic`` column).

Matching rules (:func:`match_topics`)
-------------------------------------
- **Token boundaries, never substrings.** A letter or digit directly before or after a hit
  blocks it: ``Japan`` does not match ``Japanese`` or ``Japanophile`` (write ``Japan*`` for
  that). Everything else is a boundary, including hyphens and apostrophes, so ``Japan-based``,
  ``anti-Japan`` and ``Japan's`` / ``Japan’s`` all count as ``Japan``.
- **Phrases** match across any run of whitespace (line breaks included) or a hyphen between
  their words: ``South Korea`` matches ``South  Korea``, ``South\\nKorea`` and ``South-Korea``.
  A hyphen written inside an entry also matches a space or nothing: ``Jae-in`` matches
  ``Jae-in``, ``Jae in`` and ``Jaein``. Straight and curly apostrophes are interchangeable.
- **Globs**: ``*`` at the end of a word matches any further letters or digits of that word
  (``Kishida*`` matches ``Kishida``, ``Kishida's`` and ``Kishidas``). ``*`` elsewhere is an
  error.
- **Case** is ignored unless the topic sets ``case_sensitive: true``.
- **Overlaps** within one topic count once: each topic's entries are compiled into one
  alternation, tried longest first (more words first, then longer patterns), and the text is
  scanned left to right without overlapping, so ``South Korea`` and ``South Korean*`` on the
  text "South Korean" give one hit, ``south korean``. Different topics are matched
  independently: one word may count for several topics.
- **Exclusions**: a hit that lies wholly inside a match of one of the topic's ``exclude``
  entries does not count (``Japan`` inside ``Japan Airlines``).
- **Where**: each hit is counted once, in the title, the lede or the body. The lede is the
  start of the ``text`` column (its first paragraph, or its first N sentences) and the body the
  rest of it; a hit belongs to the part where it starts.

:func:`topic_regex` is the exact definition of a hit (``finditer`` on one text);
:func:`match_topics` finds the same hits without running a regex per topic (see its Notes).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from toolkit.errors import ParameterError, SchemaError, TopicsError

log = logging.getLogger(__name__)

__all__ = ["LEVELS", "TOPIC_COLUMNS", "Level", "load_topics", "match_topics", "topic_regex"]

#: Columns of the table :func:`load_topics` returns.
TOPIC_COLUMNS: tuple[str, ...] = ("topic", "group", "pattern", "kind", "exclude", "case_sensitive")

Level = Literal["topic", "group"]
#: Values of ``match_topics(level=...)``.
LEVELS: tuple[str, ...] = ("topic", "group")

_MAPPING_KEYS = ("terms", "exclude", "case_sensitive")

# A "word character" for boundaries: a Unicode letter or digit (not "_", which never occurs in
# running text and would otherwise make "_Japan_" unmatchable).
_WORD = r"[^\W_]"
_WORD_RE = re.compile(_WORD)
_BEFORE = rf"(?<!{_WORD})"
_AFTER = rf"(?!{_WORD})"
_HYPHENS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen (not dashes: "–" is punctuation)
_HYPHEN = r"[\-\u2010\u2011]"
_APOSTROPHES = "'\u2019\u02bc"  # straight, right single quotation mark, modifier letter apostrophe
# Between the words of a phrase: any whitespace run (line breaks too) or one hyphen.
_PHRASE_GAP = rf"(?:\s+|{_HYPHEN})"
# A hyphen written inside a word: a hyphen, whitespace, or nothing ("Jae-in", "Jae in", "Jaein").
_WORD_HYPHEN = rf"(?:{_HYPHEN}|\s+)?"
# A paragraph break, as in toolkit.text (split_sentences): a line holding only spaces or tabs.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


# ----------------------------------------------------------------------------------------------
# Reading dictionaries
# ----------------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses repeated mapping keys (PyYAML keeps the last one silently)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # let the default constructor raise its own error for unhashable keys
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key {key!r} (first on line {seen[key]}, again on line {line})",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TopicsError(
            f"{path}: topic dictionary not found. Check the path (relative paths are read from "
            f"the current directory, {Path.cwd()})."
        ) from None
    except IsADirectoryError:
        raise TopicsError(f"{path}: is a directory; expected a YAML topic dictionary file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicsError(f"{path}: cannot read the topic dictionary: {exc}. Save it as UTF-8 text.") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        hint = (" Give each topic once; merge the entries of repeated topics into one list."
                if "duplicate key" in problem else
                " Check the indentation and quote entries that contain ':' or start with '*', '&', '!' or '['.")
        raise TopicsError(f"{path}{where}: not valid YAML: {problem}.{hint}") from None
    except yaml.YAMLError as exc:
        raise TopicsError(f"{path}: not valid YAML: {exc}") from None


def _entry_regex(entry: str) -> str:
    """The regex (without boundaries) for one validated entry."""
    words = []
    for word in entry.split():
        glob = word.endswith("*")
        stem = word[:-1] if glob else word
        parts = []
        for char in stem:
            if char in _HYPHENS:
                parts.append(_WORD_HYPHEN)
            elif char in _APOSTROPHES:
                parts.append(f"[{_APOSTROPHES}]")
            else:
                parts.append(re.escape(char))
        if glob:
            parts.append(f"{_WORD}*")
        words.append("".join(parts))
    return _PHRASE_GAP.join(words)


def _check_entry(entry: object) -> tuple[str, str]:
    """Validate one entry; return (pattern as written, kind) or raise ValueError(problem)."""
    if not isinstance(entry, str):
        quoted = "" if entry is None else f" (YAML read {entry!r} as {type(entry).__name__}; quote it: \"{entry}\")"
        raise ValueError(f"expected a string (a term, a phrase or a glob), got {type(entry).__name__}{quoted}")
    pattern = " ".join(entry.split())
    if not pattern:
        raise ValueError("expected a non-empty string, got an empty entry")
    letters = pattern.replace(" ", "")
    if letters.isalnum():  # the common case: words of letters and digits
        return pattern, "phrase" if " " in pattern else "term"
    if "\x00" in pattern:
        raise ValueError("expected text, got a NUL character (\\x00)")
    for word in pattern.split(" "):
        if "*" in word[:-1]:
            raise ValueError(
                f"'*' may only end a word (a glob such as 'Kishida*'), but the word {word!r} has it "
                "elsewhere"
            )
        if word == "*" or not _WORD_RE.search(word.rstrip("*")):
            raise ValueError(
                f"the word {word!r} has no letters or digits; a glob needs a stem such as 'Kishida*'"
            )
    kind = "glob" if "*" in pattern else "phrase" if " " in pattern else "term"
    return pattern, kind


_Row = tuple[str, str | None, str, str, bool, bool]


def _check_name(name: object, what: str, where: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TopicsError(
            f"{where}: {what} name {name!r} is not valid: expected a non-empty string. "
            "Quote names that YAML reads as numbers or booleans (e.g. \"2022\", \"No\")."
        )
    return name.strip()


def _is_group(value: object) -> bool:
    """A mapping without the keys of a topic mapping is a group of topics."""
    return isinstance(value, Mapping) and bool(value) and not any(k in _MAPPING_KEYS for k in value)


def _rows_for_topic(topic: object, value: object, where: str, group: str | None = None) -> list[_Row]:
    name = _check_name(topic, "topic", where)
    # How the messages name the topic: "topic 'Japan'" or "group 'Asia', topic 'Japan'".
    label = f"topic {name!r}" if group is None else f"group {group!r}, topic {name!r}"
    case_sensitive = False
    excludes: list[object] = []
    if isinstance(value, Mapping):
        if not value:
            raise TopicsError(
                f"{where}: {label} is an empty mapping; expected a list of entries (- Japan), a "
                "mapping with terms: [...], or (at the top level) a group of topics."
            )
        unknown = [k for k in value if k not in _MAPPING_KEYS]
        if unknown:
            raise TopicsError(
                f"{where}: {label} has unknown key(s) {unknown}; expected only "
                f"{list(_MAPPING_KEYS)} (e.g. terms: [Japan, Tokyo]). A mapping that has none of "
                "these keys is a group of topics; a topic inside a group cannot use them as names."
            )
        if "terms" not in value:
            raise TopicsError(f"{where}: {label} has no 'terms' list; expected e.g. terms: [Japan, Tokyo].")
        terms = value["terms"]
        raw_excludes = value.get("exclude")
        if raw_excludes is None:
            excludes = []
        elif isinstance(raw_excludes, list):
            excludes = raw_excludes
        else:
            raise TopicsError(
                f"{where}: {label}: 'exclude' must be a list of entries, got "
                f"{type(raw_excludes).__name__} {raw_excludes!r}; write exclude: [Japan Airlines]."
            )
        case_sensitive = value.get("case_sensitive", False)
        if not isinstance(case_sensitive, bool):
            raise TopicsError(
                f"{where}: {label}: 'case_sensitive' must be true or false, got {case_sensitive!r}."
            )
    else:
        terms = value
    if terms is None or (isinstance(terms, list) and not terms):
        raise TopicsError(
            f"{where}: {label} is empty; expected at least one term, phrase or glob "
            "(e.g. - Japan). Remove the topic or give it entries."
        )
    if not isinstance(terms, list):
        raise TopicsError(
            f"{where}: {label} must be a list of entries or a mapping with 'terms', got "
            f"{type(terms).__name__} {terms!r}. Write one entry per line as '- Japan'."
        )
    rows: list[_Row] = []
    for is_exclude, entries in ((False, terms), (True, excludes)):
        kind_label = "exclude entry" if is_exclude else "entry"
        for i, entry in enumerate(entries, start=1):
            try:
                pattern, kind = _check_entry(entry)
            except ValueError as exc:
                raise TopicsError(f"{where}: {label}, {kind_label} {i} ({entry!r}): {exc}.") from None
            rows.append((name, group, pattern, kind, is_exclude, case_sensitive))
    return rows


def _rows_for_group(group: object, value: Mapping[Any, Any], where: str) -> list[_Row]:
    name = _check_name(group, "group", where)
    rows: list[_Row] = []
    for topic, topic_value in value.items():
        if _is_group(topic_value):
            raise TopicsError(
                f"{where}: group {name!r}, topic {topic!r}: a mapping without 'terms', i.e. a group "
                "inside a group; groups hold topics and nest one level only. Give the topic a "
                "list of entries or terms: [...], or move the inner group to the top level."
            )
        rows.extend(_rows_for_topic(topic, topic_value, where, group=name))
    return rows


def _given_twice(where: str, topic: str, first: str | None, again: str | None) -> None:
    places = [f"group {g!r}" if g else "the top level" for g in (first, again)]
    place = f"twice in {places[0]}" if first == again else f"twice (in {places[0]} and in {places[1]})"
    raise TopicsError(
        f"{where}: topic {topic!r} is given {place}; a topic belongs to one group. Merge its "
        "entries into one list, or rename one."
    )


def _check_names(rows: list[_Row], where: str) -> None:
    """Each topic is given once, and no name is both a group and a topic."""
    home: dict[str, str | None] = {}
    for topic, group, *_ in rows:
        if topic in home and home[topic] != group:
            _given_twice(where, topic, home[topic], group)
        home.setdefault(topic, group)
    both = sorted({g for g in home.values() if g is not None} & set(home))
    if both:
        name = both[0]
        where_topic = f"in group {home[name]!r}" if home[name] else "at the top level"
        raise TopicsError(
            f"{where}: {name!r} is both a group and a topic ({where_topic}); group and topic "
            "names share the 'topic' column of match_topics(..., level='group'). Rename one "
            "(e.g. 'Japan (all)')."
        )


def _table(rows: list[_Row]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [[]] * len(TOPIC_COLUMNS)
    return pd.DataFrame({
        "topic": pd.Series(columns[0], dtype="str"),
        "group": pd.Series(columns[1], dtype="str"),
        "pattern": pd.Series(columns[2], dtype="str"),
        "kind": pd.Series(columns[3], dtype="str"),
        "exclude": pd.Series(columns[4], dtype="bool"),
        "case_sensitive": pd.Series(columns[5], dtype="bool"),
    })


def load_topics(source: str | Path | Mapping[str, Any]) -> pd.DataFrame:
    """Read a topic dictionary (a YAML file or a mapping) into a tidy table.

    Parameters
    ----------
    source
        Path of a YAML file, or a mapping in the same shape: topic -> list of entries, or
        topic -> ``{"terms": [...], "exclude": [...], "case_sensitive": bool}``, or group ->
        mapping of such topics (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per entry, in dictionary order: ``topic``, ``group`` (the group holding the
        topic, missing for an ungrouped topic), ``pattern`` (as written, whitespace collapsed),
        ``kind`` (``"term"``, ``"phrase"`` or ``"glob"``), ``exclude`` (True for exclusion
        entries), ``case_sensitive``.

    Raises
    ------
    TopicsError
        When the file is missing or not valid YAML (with its line), a topic is repeated, the top
        level is not a mapping, a topic is empty, an entry is not a string, a mapping has an
        unknown key, ``*`` appears inside a word, groups nest deeper than group -> topic, or a
        name is both a group and a topic. The message names the file, the group, the topic and
        the entry.

    Examples
    --------
    >>> load_topics({"Japan": ["Japan", "Kishida*"], "Korea": ["South Korea"]})[["topic", "pattern", "kind"]]
       topic      pattern    kind
    0  Japan        Japan    term
    1  Japan     Kishida*    glob
    2  Korea  South Korea  phrase
    >>> load_topics({"Asia": {"Japan": ["Tokyo"], "Korea": ["Seoul"]}, "Climate": ["COP26"]})[
    ...     ["topic", "group", "pattern"]]
         topic group pattern
    0    Japan  Asia   Tokyo
    1    Korea  Asia   Seoul
    2  Climate   NaN   COP26
    """
    if isinstance(source, Mapping):
        where, data = "topic dictionary (mapping)", source
    elif isinstance(source, str | Path):
        where = str(source)
        data = _read_yaml(Path(source))
    else:
        raise ParameterError(
            "topics", source, "a YAML file path, a mapping of topic -> entries, or a load_topics() table"
        )
    if data is None:
        raise TopicsError(f"{where}: the topic dictionary is empty; expected a mapping of topic -> entries.")
    if not isinstance(data, Mapping):
        raise TopicsError(
            f"{where}: the top level must be a mapping of topic -> entries, got "
            f"{type(data).__name__}. Write e.g.\nJapan:\n  - Japan\n  - Tokyo"
        )
    if not data:
        raise TopicsError(f"{where}: the topic dictionary is empty; expected a mapping of topic -> entries.")
    rows: list[_Row] = []
    home: dict[str, str | None] = {}
    for key, value in data.items():
        blocks = _rows_for_group(key, value, where) if _is_group(value) else _rows_for_topic(key, value, where)
        for name, group in dict.fromkeys((row[0], row[1]) for row in blocks):
            if name in home:  # a repeated YAML key is caught earlier; this is another place
                _given_twice(where, name, home[name], group)
            home[name] = group
        rows.extend(blocks)
    _check_names(rows, where)
    return _table(rows)


def _as_table(topics: str | Path | Mapping[str, Any] | pd.DataFrame) -> pd.DataFrame:
    if not isinstance(topics, pd.DataFrame):
        return load_topics(topics)
    # "group" is optional so that tables written before groups existed still work.
    missing = [c for c in TOPIC_COLUMNS if c not in topics.columns and c != "group"]
    if missing:
        raise SchemaError(
            f"topics table lacks the column(s) {missing}; expected {list(TOPIC_COLUMNS)} as made by "
            "toolkit.topics.load_topics(path). Pass the YAML path or mapping instead."
        )
    if topics.empty:
        raise TopicsError("topics table has no rows; expected at least one topic entry.")
    if "group" not in topics.columns:
        topics = topics.assign(group=pd.Series(pd.NA, index=topics.index, dtype="str"))
    for row in topics.itertuples(index=False):
        try:
            _check_entry(row.pattern)
        except ValueError as exc:
            raise TopicsError(f"topics table: topic {row.topic!r}, entry {row.pattern!r}: {exc}.") from None
    groups = [g if isinstance(g, str) else None for g in topics["group"].tolist()]
    rows = [(str(t), g, "", "", False, False) for t, g in zip(topics["topic"].tolist(), groups, strict=True)]
    _check_names(rows, "topics table")
    return topics


# ----------------------------------------------------------------------------------------------
# Matching: the definition (one regex per topic)
# ----------------------------------------------------------------------------------------------


_PARTS = re.compile(rf"(?:\s|{_HYPHEN})+")


def _ordered(patterns: Sequence[str], *, checked: bool = False) -> list[str]:
    if checked:  # validated already (load_topics, _as_table): only collapse whitespace
        checked_patterns = [" ".join(p.split()) for p in patterns]
    else:
        checked_patterns = []
        for p in dict.fromkeys(patterns):
            try:
                checked_patterns.append(_check_entry(p)[0])
            except ValueError as exc:
                raise TopicsError(f"entry {p!r}: {exc}.") from None
    # Python's re takes the first alternative that matches, not the longest: order by the number
    # of word parts (hyphen parts count) and then by length, so that at one position the longer
    # reading wins ("South Korean*" before "South Korea", "Jae-in" before "Jae").
    return sorted(
        dict.fromkeys(checked_patterns),
        key=lambda p: (-len(_PARTS.split(p)), -len(p.rstrip("*")), "*" in p, p),
    )


def topic_regex(patterns: Sequence[str], *, case_sensitive: bool = False) -> re.Pattern[str]:
    """Compile entries into one boundary-aware alternation, longest alternatives first.

    This is the exact definition of a hit: :func:`match_topics` gives the same hits as
    ``finditer`` with this pattern on each text, without running it (see its Notes).

    Parameters
    ----------
    patterns
        Entries as written in a dictionary (terms, phrases, globs).
    case_sensitive
        Match case exactly when True.

    Returns
    -------
    re.Pattern
        Use ``finditer`` on raw text; every match is one hit.

    Examples
    --------
    >>> rx = topic_regex(["South Korea", "South Korean*", "Seoul"])
    >>> [m.group() for m in rx.finditer("South Korean officials in Seoul's South\\nKorea office")]
    ['South Korean', 'Seoul', 'South\\nKorea']
    """
    body = "|".join(_entry_regex(p) for p in _ordered(patterns))
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(f"{_BEFORE}(?:{body}){_AFTER}", flags)


# ----------------------------------------------------------------------------------------------
# Matching: the fast path (tokens, vectorised)
# ----------------------------------------------------------------------------------------------
#
# Every hit of an entry whose first character is a letter or digit starts at a token start,
# where a token is a maximal run of letters and digits. So the texts are tokenized once
# (numpy on the code points), tokens are dictionary-encoded (pyarrow), each entry's first word
# is looked up among the distinct tokens (exact, or by prefix for a glob), and the candidates
# (token, entry) are checked and resolved with array operations:
#
# - a "simple" entry (words of letters and digits, an optional final "*" per word) matches at
#   token i when token i+j matches word j (equal, or starts with it for a glob) and the gap
#   between tokens i+j-1 and i+j is whitespace or one hyphen: exactly what its regex says;
# - any other entry ("Jae-in", "U.S.", "Côte d'Ivoire") is checked with its own regex anchored
#   at the candidate token (few candidates); an entry that starts with another character
#   ("#MeToo") makes its topic run the whole alternation over the text;
# - at one token, a topic takes its first matching entry in alternation order (what the regex
#   alternation does), then its hits are kept left to right without overlaps (what finditer
#   does), and hits inside exclusions are dropped.
#
# Case-insensitive matching compares str.lower() of both sides (U+0130 "İ" read as "i"), which
# is what re.IGNORECASE does except for a few characters with special folding ("ſ", the Kelvin
# sign); the regex and the fast path agree on everything else.

_SEP = "\x00"  # between texts in one batch: not a letter, digit, space or hyphen
_BATCH_CHARS = 1 << 24  # characters per batch: bounds the arrays (about 20 bytes a character)
_HYPHEN_CODES = np.array([ord(c) for c in _HYPHENS], dtype=np.uint32)
_SIMPLE_WORD = re.compile(rf"{_WORD}+\*?")


@functools.cache
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Letters-or-digits and whitespace, as lookup tables over the Basic Multilingual Plane."""
    chars = [chr(i) for i in range(0x10000)]
    return np.array([c.isalnum() for c in chars]), np.array([c.isspace() for c in chars])


def _lower(text: str) -> str:
    # "İ".lower() is two characters; re.IGNORECASE folds it to "i".
    return text.replace("\u0130", "i").lower()


class _Entry(NamedTuple):
    rank: int  # position in its unit's alternation
    words: tuple[str, ...] | None  # simple entries: stems of the words (lower-cased unless case-sensitive)
    globs: tuple[bool, ...]
    regex: re.Pattern[str] | None  # other entries: the entry anchored at a token start
    keys: tuple[set[str], set[str]] | None  # other entries: lower-cased (exact, prefix) start tokens


@dataclass(frozen=True)
class _Unit:
    """One alternation scanned left to right: a topic's terms, or its exclusions."""

    patterns: tuple[str, ...]
    entries: tuple[_Entry, ...]
    case_sensitive: bool
    scan_all: bool  # an entry can start with a character other than a letter or digit

    @functools.cached_property
    def full(self) -> re.Pattern[str]:
        """The topic_regex of the entries (compiled only for units that need it)."""
        return topic_regex(self.patterns, case_sensitive=self.case_sensitive)


@dataclass(frozen=True)
class _Topic:
    name: str
    group: str | None
    include: int  # unit numbers
    exclude: int | None


def _start_keys(pattern: str) -> tuple[set[str], set[str]] | None:
    """Lower-cased tokens a hit of ``pattern`` can start with: (exact tokens, token prefixes).

    ``None`` when the entry starts with a character other than a letter or digit ("#MeToo").
    """
    first = pattern.split(" ")[0]
    glob = first.endswith("*")
    stem = first.rstrip("*")
    lead = re.match(rf"(?:{_WORD}|{_HYPHEN})*", stem).group()
    parts = re.split(_HYPHEN, _lower(lead))
    if not lead or not parts[0]:
        return None
    exact: set[str] = set()
    prefix: set[str] = set()
    # A hyphen inside a word may match a hyphen, whitespace or nothing: "Jae-in" can start with
    # the token "jae" or "jaein".
    for j in range(1, len(parts) + 1):
        key = "".join(parts[:j])
        if j == len(parts) and glob and lead == stem:
            prefix.add(key)
        else:
            exact.add(key)
    return exact, prefix


@functools.lru_cache(maxsize=4096)
def _unit(patterns: tuple[str, ...], case_sensitive: bool) -> _Unit:
    """Compile one alternation (cached: notebooks match the same dictionary again and again)."""
    flags = 0 if case_sensitive else re.IGNORECASE
    entries = []
    for rank, pattern in enumerate(_ordered(patterns, checked=True)):
        words = pattern.split(" ")
        if all(_SIMPLE_WORD.fullmatch(w) for w in words):
            stems = tuple(w.rstrip("*") for w in words)
            entries.append(_Entry(
                rank=rank,
                words=stems if case_sensitive else tuple(_lower(s) for s in stems),
                globs=tuple(w.endswith("*") for w in words),
                regex=None,
                keys=None,
            ))
        else:
            entries.append(_Entry(
                rank=rank, words=None, globs=(),
                regex=re.compile(f"(?:{_entry_regex(pattern)}){_AFTER}", flags),
                keys=_start_keys(pattern),
            ))
    scan_all = any(e.words is None and e.keys is None for e in entries)
    return _Unit(patterns=tuple(patterns), entries=tuple(entries), case_sensitive=case_sensitive,
                 scan_all=scan_all)


def _compile(table: pd.DataFrame) -> tuple[list[_Topic], list[_Unit]]:
    topics: list[_Topic] = []
    units: list[_Unit] = []
    entries: dict[str, tuple[list[str], list[str], list[bool], list[object]]] = {}
    for name, pattern, is_exclude, case, group in zip(
        table["topic"].tolist(), table["pattern"].tolist(), table["exclude"].astype(bool).tolist(),
        table["case_sensitive"].astype(bool).tolist(), table["group"].tolist(), strict=True,
    ):
        spec = entries.setdefault(str(name), ([], [], [], []))
        spec[1 if is_exclude else 0].append(pattern)
        spec[2].append(case)
        spec[3].append(group)
    for name, (include, exclude, cases, groups) in entries.items():
        case_sensitive = any(cases)
        if not include:
            raise TopicsError(f"topics table: topic {name!r} has only exclude entries; expected at least one term.")
        group = groups[0]
        units.append(_unit(tuple(include), case_sensitive))
        if exclude:
            units.append(_unit(tuple(exclude), case_sensitive))
        topics.append(_Topic(
            name=str(name),
            group=group if isinstance(group, str) else None,
            include=len(units) - (2 if exclude else 1),
            exclude=len(units) - 1 if exclude else None,
        ))
    return topics, units


class _Tokens:
    """One string holding a batch of texts, tokenized: token spans, gaps, dictionary codes."""

    def __init__(self, big: str):
        self.big = big
        cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32)
        word_table, space_table = _char_tables()
        bmp = np.minimum(cp, 0xFFFF)
        word, space = word_table[bmp], space_table[bmp]
        astral = np.flatnonzero(cp > 0xFFFF)  # rare: emoji, historic scripts
        if len(astral):
            word[astral] = [chr(c).isalnum() for c in cp[astral].tolist()]
            space[astral] = False
        before = np.concatenate(([False], word[:-1]))
        after = np.concatenate((word[1:], [False]))
        self.starts = np.flatnonzero(word & ~before)
        self.ends = np.flatnonzero(word & ~after) + 1
        n = len(self.starts)
        # The gap after token i (to token i+1) may sit inside a phrase: whitespace or one hyphen.
        gap_start, gap_end = self.ends[:-1], self.starts[1:]
        spaces = np.concatenate(([0], np.cumsum(space, dtype=np.int32)))
        width = gap_end - gap_start
        self.gap_ok = ((spaces[gap_end] - spaces[gap_start]) == width) | (
            (width == 1) & np.isin(cp[gap_start], _HYPHEN_CODES)
        )
        # Dictionary-encode the tokens without making a Python string per token: an Arrow string
        # array over the UTF-8 bytes whose elements are token, gap, token, gap, ...
        data = big.encode("utf-8")
        bounds = np.empty(2 * n, dtype=np.int64)
        bounds[0::2], bounds[1::2] = self.starts, self.ends
        if len(data) != len(big):
            # Byte offset = character offset + the extra bytes of the multi-byte characters before.
            # The bounds are sorted: place the (few) wide characters among them.
            wide = np.flatnonzero(cp >= 0x80)
            extra = (cp[wide] >= 0x800).astype(np.int64) + (cp[wide] >= 0x10000) + 1
            slot = np.searchsorted(bounds, wide, "right")
            bounds += np.cumsum(np.bincount(slot, weights=extra, minlength=2 * n + 1)[: 2 * n]).astype(np.int64)
        if n:
            pieces = pa.LargeStringArray.from_buffers(2 * n - 1, pa.py_buffer(bounds), pa.py_buffer(data))
            encoded = pieces.dictionary_encode()
            self.codes = encoded.indices.to_numpy()[0::2].astype(np.int64)
            self.types = encoded.dictionary
        else:
            self.codes = np.zeros(0, dtype=np.int64)
            self.types = pa.array([], type=pa.large_string())
        lowered = [_lower(t) for t in self.types.to_pylist()]
        to_lower, lower_types = pd.factorize(pd.Series(lowered, dtype=object))
        self.lower_codes = to_lower.astype(np.int64)[self.codes] if n else self.codes
        self.lower_array = pa.array(list(lower_types), type=pa.large_string())
        # Evidence is lower-cased as written (str.lower), which differs from the matching key
        # only for "İ"; usually these codes are the same as lower_codes.
        if "\u0130" in big:
            to_evidence, evidence_types = pd.factorize(pd.Series([t.lower() for t in self.types.to_pylist()], dtype=object))
            self.evidence_codes = to_evidence.astype(np.int64)[self.codes] if n else self.codes
            self.evidence_types = list(evidence_types)
        else:
            self.evidence_codes, self.evidence_types = self.lower_codes, list(lower_types)


def _key_pairs(types: pa.Array, keys: list[tuple[str, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """(type, key) pairs where a distinct token matches a word key (exact, or prefix for a glob)."""
    type_ids: list[np.ndarray] = []
    key_ids: list[np.ndarray] = []
    by_kind: dict[int, list[tuple[str, int]]] = {}  # 0: exact; L > 0: prefixes of length L
    for k, (word, glob) in enumerate(keys):
        by_kind.setdefault(len(word) if glob else 0, []).append((word, k))
    for length, group in by_kind.items():
        values = types if length == 0 else pc.utf8_slice_codeunits(types, 0, length)
        found = pc.index_in(values, value_set=pa.array([w for w, _ in group], type=pa.large_string()))
        found = found.to_numpy(zero_copy_only=False)
        hit = ~np.isnan(found) if found.dtype.kind == "f" else np.ones(len(found), dtype=bool)
        rows = np.flatnonzero(hit)
        type_ids.append(rows)
        key_ids.append(np.array([k for _, k in group], dtype=np.int64)[found[hit].astype(np.int64)])
    if not type_ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(type_ids).astype(np.int64), np.concatenate(key_ids)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For run lengths ``counts``: the run number and the position within the run of each item."""
    total = int(counts.sum())
    run = np.repeat(np.arange(len(counts)), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return run, within


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of a non-negative integer array and each item's position among them.

    numpy 2.4's ``np.unique`` takes a hash-based path for integers that is much slower here
    (9 s against 0.1 s for 1.5 million values). Small values are counted, others sorted.
    """
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64)
    bound = int(keys.max()) + 1
    if bound <= 4 * len(keys) + (1 << 20):
        present = np.bincount(keys, minlength=bound) > 0
        return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]
    order = np.argsort(keys)
    ordered = keys[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


class _Hits:
    """Hits of every unit in one batch: unit, start, end, and the evidence (string id)."""

    def __init__(self) -> None:
        self.unit: list[np.ndarray] = []
        self.start: list[np.ndarray] = []
        self.end: list[np.ndarray] = []
        self.evidence: list[np.ndarray] = []  # < len(evidence_types): a lower-cased token type
        self.strings: dict[str, int] = {}  # other evidence strings, numbered after the types

    def add(self, unit: np.ndarray, start: np.ndarray, end: np.ndarray, evidence: np.ndarray) -> None:
        self.unit.append(unit.astype(np.int64))
        self.start.append(start.astype(np.int64))
        self.end.append(end.astype(np.int64))
        self.evidence.append(evidence.astype(np.int64))

    def string_id(self, text: str, offset: int) -> int:
        return offset + self.strings.setdefault(" ".join(text.lower().split()), len(self.strings))

    def arrays(self) -> tuple[np.ndarray, ...]:
        if not self.unit:
            return tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
        return tuple(np.concatenate(x) for x in (self.unit, self.start, self.end, self.evidence))


def _candidates(
    tokens: _Tokens, units: Sequence[_Unit], case_sensitive: bool
) -> tuple[np.ndarray, np.ndarray, list[_Entry], np.ndarray]:
    """Tokens where an entry of these units can start: (token, entry number), entries, entry unit.

    Simple entries of case-sensitive units are looked up among the tokens as written, all other
    entries among the lower-cased tokens (regex entries are then checked with their own case).
    """
    entries: list[_Entry] = []
    entry_unit: list[int] = []
    keys: dict[tuple[str, bool], int] = {}
    first: list[tuple[int, int]] = []  # (key, entry)
    for u, unit in enumerate(units):
        if unit.scan_all:
            continue
        for entry in unit.entries:
            simple = entry.words is not None
            if (unit.case_sensitive and simple) != case_sensitive:
                continue
            e = len(entries)
            entries.append(entry)
            entry_unit.append(u)
            if simple:
                first.append((keys.setdefault((entry.words[0], entry.globs[0]), len(keys)), e))
            else:
                exact, prefix = entry.keys
                for word in exact:
                    first.append((keys.setdefault((word, False), len(keys)), e))
                for word in prefix:
                    first.append((keys.setdefault((word, True), len(keys)), e))
    empty = np.zeros(0, dtype=np.int64)
    if not entries:
        return empty, empty, entries, np.array(entry_unit, dtype=np.int64)
    types = tokens.types if case_sensitive else tokens.lower_array
    codes = tokens.codes if case_sensitive else tokens.lower_codes
    type_ids, key_ids = _key_pairs(types, list(keys))
    first_key, first_entry = (np.array(x, dtype=np.int64) for x in zip(*first, strict=True))
    # (type, entry) pairs: a join of (type, key) and (key, entry) on key.
    order = np.argsort(first_key, kind="stable")
    first_key, first_entry = first_key[order], first_entry[order]
    lo = np.searchsorted(first_key, key_ids, "left")
    hi = np.searchsorted(first_key, key_ids, "right")
    pair, within = _expand(hi - lo)
    te_type = type_ids[pair]
    te_entry = first_entry[lo[pair] + within]
    order = np.argsort(te_type, kind="stable")
    te_type, te_entry = te_type[order], te_entry[order]
    n_types = len(types)
    per_type = np.bincount(te_type, minlength=n_types)
    type_start = np.cumsum(per_type) - per_type
    token, within = _expand(per_type[codes])
    entry = te_entry[type_start[codes[token]] + within]
    return token, entry, entries, np.array(entry_unit, dtype=np.int64)


def _verified(
    tokens: _Tokens, units: Sequence[_Unit], case_sensitive: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries that match where they can start: (token, unit, rank, end, one_token) arrays."""
    token, entry, entries, entry_unit = _candidates(tokens, units, case_sensitive)
    if not len(token):
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(4)) + (np.zeros(0, dtype=bool),)
    n_tokens = len(tokens.starts)
    codes = tokens.codes if case_sensitive else tokens.lower_codes
    n_words = np.array([len(e.words) if e.words is not None else 0 for e in entries], dtype=np.int64)
    rank = np.array([e.rank for e in entries], dtype=np.int64)
    words = n_words[entry]  # per candidate
    end_token = token + np.maximum(words, 1) - 1
    ok = end_token < n_tokens
    # Simple phrases: every further word matches its token and every gap is a phrase gap.
    if (words > 1).any():
        types = tokens.types if case_sensitive else tokens.lower_array
        word_keys: dict[tuple[str, bool], int] = {}
        max_words = int(n_words.max())
        key_of = np.full((len(entries), max_words), -1, dtype=np.int64)
        for e, item in enumerate(entries):
            if item.words is not None:
                for j, (w, g) in enumerate(zip(item.words, item.globs, strict=True)):
                    if j:
                        key_of[e, j] = word_keys.setdefault((w, g), len(word_keys))
        type_ids, key_ids = _key_pairs(types, list(word_keys))
        n_keys = max(len(word_keys), 1)
        # An exact word is one distinct token (or none): compare codes. A glob word may be
        # several: look the (token, key) pair up among the sorted known pairs.
        is_glob = np.array([g for _, g in word_keys] + [False], dtype=bool)
        exact_type = np.full(len(word_keys) + 1, -1, dtype=np.int64)  # the last: padding key -1
        plain = ~is_glob[key_ids]
        exact_type[key_ids[plain]] = type_ids[plain]
        known = np.sort(type_ids[~plain] * n_keys + key_ids[~plain])
        for j in range(1, max_words):
            sel = np.flatnonzero(ok & (words > j))
            if not len(sel):
                continue
            at = token[sel] + j
            key = key_of[entry[sel], j]
            good = codes[at] == exact_type[key]
            globbed = np.flatnonzero(is_glob[key])
            if len(globbed) and len(known):
                want = codes[at[globbed]] * n_keys + key[globbed]
                pos = np.minimum(np.searchsorted(known, want), len(known) - 1)
                good[globbed] = known[pos] == want
            good &= tokens.gap_ok[at - 1]
            ok[sel[~good]] = False
    end = np.zeros(len(token), dtype=np.int64)
    simple = words > 0
    done = simple & ok
    end[done] = tokens.ends[end_token[done]]
    # Other entries: their own regex, anchored at the candidate token.
    for c in np.flatnonzero(~simple).tolist():
        m = entries[entry[c]].regex.match(tokens.big, int(tokens.starts[token[c]]))
        if m:
            end[c] = m.end()
        else:
            ok[c] = False
    token, entry, end = token[ok], entry[ok], end[ok]
    return token, entry_unit[entry], rank[entry], end, words[ok] == 1


def _resolve(
    tokens: _Tokens, found: list[tuple[np.ndarray, ...]], n_units: int, hits: _Hits
) -> None:
    """From the verified entries of both case modes, the hits finditer gives, per unit."""
    token, unit, rank, end, one_token = (np.concatenate(x) for x in zip(*found, strict=True))
    if not len(token):
        return
    n_tokens = len(tokens.starts)
    # At one token, each unit takes its first matching entry in alternation order. Candidates
    # come in token order (one run per case mode): a stable sort of such keys is quick (timsort).
    n_ranks = int(rank.max()) + 1
    if (n_units + 1) * (n_tokens + 1) * n_ranks < 2**62:
        order = np.argsort((token * n_units + unit) * n_ranks + rank, kind="stable")
    else:  # pragma: no cover - beyond any realistic batch
        order = np.lexsort((rank, unit, token))
    token, end, unit, one_token = token[order], end[order], unit[order], one_token[order]
    first = np.ones(len(token), dtype=bool)
    first[1:] = (unit[1:] != unit[:-1]) | (token[1:] != token[:-1])
    token, end, unit, one_token = token[first], end[first], unit[first], one_token[first]
    # By unit, then token as before (a radix sort for small integers).
    order = np.argsort(unit.astype(np.int32 if n_units >= 1 << 15 else np.int16), kind="stable")
    token, end, unit, one_token = token[order], end[order], unit[order], one_token[order]
    start = tokens.starts[token]
    keep = _leftmost(unit, start, end, len(tokens.big))
    token, start, end, unit, one_token = token[keep], start[keep], end[keep], unit[keep], one_token[keep]
    evidence = tokens.evidence_codes[token].copy()
    offset = len(tokens.evidence_types)
    for h in np.flatnonzero(~one_token).tolist():
        evidence[h] = hits.string_id(tokens.big[start[h]:end[h]], offset)
    hits.add(unit, start, end, evidence)


def _leftmost(unit: np.ndarray, start: np.ndarray, end: np.ndarray, length: int) -> np.ndarray:
    """Which hits finditer keeps: per unit, left to right, none starting inside a kept one.

    Hits are sorted by unit, then start. A hit that starts at or after the end of every earlier
    hit of its unit is kept; the others (inside a phrase hit) are settled one by one.
    """
    keep = np.ones(len(start), dtype=bool)
    if not len(start):
        return keep
    base = unit * (length + 1)  # units apart on one axis, so one running maximum serves all
    reach = np.maximum.accumulate(base + end)
    inside = np.zeros(len(start), dtype=bool)
    inside[1:] = base[1:] + start[1:] < reach[:-1]
    last_end = -1
    for h in np.flatnonzero(inside | np.concatenate((inside[1:], [False]))).tolist():
        if not inside[h]:  # the kept hit that opens a run of overlapping ones
            last_end = int(end[h])
        elif start[h] < last_end:
            keep[h] = False
        else:
            last_end = int(end[h])
    return keep


def _match_batch(big: str, units: Sequence[_Unit]) -> tuple[tuple[np.ndarray, ...], list[str]]:
    """All hits of all units in ``big``: (unit, start, end, evidence) arrays, evidence strings."""
    tokens = _Tokens(big)
    hits = _Hits()
    # Simple entries of case-sensitive topics are looked up among the tokens as written, all
    # others among the lower-cased tokens; a topic's hits are then settled together.
    found = [_verified(tokens, units, False)]
    if any(u.case_sensitive for u in units):
        found.append(_verified(tokens, units, True))
    _resolve(tokens, found, len(units), hits)
    offset = len(tokens.evidence_types)
    for u, unit in enumerate(units):
        if unit.scan_all:
            spans = [m.span() for m in unit.full.finditer(big)]
            if spans:
                start, end = (np.array(x, dtype=np.int64) for x in zip(*spans, strict=True))
                evidence = np.array([hits.string_id(big[s:e], offset) for s, e in spans], dtype=np.int64)
                hits.add(np.full(len(spans), u), start, end, evidence)
    strings = tokens.evidence_types + list(hits.strings)
    return hits.arrays(), strings


def _drop_excluded(
    topics: Sequence[_Topic], unit: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Which hits survive their topic's exclusions (a hit wholly inside an exclusion hit)."""
    keep = np.ones(len(unit), dtype=bool)
    for topic in topics:
        if topic.exclude is None:
            continue
        ex = np.flatnonzero(unit == topic.exclude)
        inc = np.flatnonzero(unit == topic.include)
        if not len(ex) or not len(inc):
            continue
        order = np.argsort(start[ex], kind="stable")
        ex_start, ex_end = start[ex][order], end[ex][order]
        # Exclusion hits do not overlap: only the last one starting at or before a hit can hold it.
        j = np.searchsorted(ex_start, start[inc], "right") - 1
        held = (j >= 0) & (ex_end[np.maximum(j, 0)] >= end[inc])
        keep[inc[held]] = False
    keep[np.isin(unit, [t.exclude for t in topics if t.exclude is not None])] = False
    return keep


# ----------------------------------------------------------------------------------------------
# match_topics
# ----------------------------------------------------------------------------------------------

_RESERVED_FIELDS = ("doc_id", "title", "text", "lede", "body")


def _lede_end(text: str, lede: int | str) -> int:
    """Where the lede of ``text`` ends: its first paragraph, or its first ``lede`` sentences."""
    first = len(text) - len(text.lstrip())
    if lede == "paragraph":
        m = _PARAGRAPH_BREAK.search(text, first)
        return m.start() if m else len(text)
    from toolkit.text import split_sentences  # imports NLTK (seconds): only when asked for

    remaining = int(lede)
    pos = first
    while pos < len(text):
        m = _PARAGRAPH_BREAK.search(text, pos)
        stop = m.start() if m else len(text)
        paragraph = text[pos:stop]
        at = 0
        for sentence in split_sentences(paragraph):
            found = paragraph.find(sentence, at)
            if found < 0:  # never for Punkt, which returns slices; be safe
                break
            at = found + len(sentence)
            remaining -= 1
            if remaining == 0:
                return pos + at
        pos = m.end() if m else len(text)
    return len(text)


def _check_lede(lede: object) -> int | str:
    if lede == "paragraph" and isinstance(lede, str):
        return lede
    if isinstance(lede, int | np.integer) and not isinstance(lede, bool) and lede >= 1:
        return int(lede)
    raise ParameterError(
        "lede", lede, "'paragraph' (the first paragraph of text) or a number of sentences >= 1",
        hint="For example lede=3 counts the first three sentences of text as the lede.",
    )


def _texts(column: pd.Series) -> list[str]:
    return [v if isinstance(v, str) else "" for v in column.tolist()]


def _empty_result(count_columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"doc_id": pd.Series([], dtype="str"), "topic": pd.Series([], dtype="str")})
    for c in [*count_columns, "n"]:
        out[c] = pd.Series([], dtype="int64")
    out["matched"] = pd.Series([], dtype="str")
    return out


def _assemble(
    doc: np.ndarray, out: np.ndarray, part: np.ndarray, evidence: np.ndarray, strings: list[str],
    n_out: int, n_parts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    """Rows per (doc, out) in that order: doc, out, counts per part, joined evidence."""
    pairs, pair = _unique(doc * n_out + out)
    counts = np.bincount(pair * n_parts + part, minlength=len(pairs) * n_parts).reshape(len(pairs), n_parts)
    used, ev = _unique(evidence)
    used_strings = np.array([strings[i] for i in used.tolist()], dtype=object)
    rank = np.empty(len(used), dtype=np.int64)
    rank[np.argsort(used_strings, kind="stable")] = np.arange(len(used))
    by_rank = used_strings[np.argsort(rank)]
    triples = np.sort(pair * max(len(used), 1) + rank[ev])
    triples = triples[np.concatenate(([True], triples[1:] != triples[:-1]))]
    owner = triples // max(len(used), 1)
    values = pa.array(by_rank.tolist(), type=pa.large_string()).take(triples % max(len(used), 1))
    offsets = np.searchsorted(owner, np.arange(len(pairs) + 1)).astype(np.int64)
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), values),
                            pa.scalar("; ", type=pa.large_string()))
    return pairs // n_out, pairs % n_out, counts, joined


def match_topics(
    articles: pd.DataFrame,
    topics: str | Path | Mapping[str, Any] | pd.DataFrame,
    *,
    lede: int | Literal["paragraph"] = "paragraph",
    level: Level = "topic",
    fields: Sequence[str] = (),
) -> pd.DataFrame:
    """Find which articles mention which topics, counting hits in title, lede and body.

    Parameters
    ----------
    articles
        An articles table; needs ``doc_id``, ``title``, ``text`` and the ``fields`` columns
        (missing text counts as empty). It is not modified.
    topics
        A YAML path, a mapping, or the table from :func:`load_topics`.
    lede
        What counts as the lede, the start of ``text``: ``"paragraph"`` (default) its first
        paragraph (paragraphs are separated by blank lines; a text without one is all lede),
        or an integer N, its first N sentences as :func:`toolkit.text.split_sentences` finds
        them (these may run over several paragraphs). The rest of ``text`` is the body.
    level
        ``"topic"`` (default): one row per (article, topic). ``"group"``: one row per
        (article, group), where an article matches a group when any of its topics matches;
        the hits of its topics are summed (a word that counts for two of its topics counts
        twice) and their evidence merged. The ``topic`` column then
        holds the group's name, or an ungrouped topic's own name.
    fields
        Further text columns to search (e.g. ``("subtitle",)``), each counted in its own
        ``n_<field>`` column and included in ``n``.

    Returns
    -------
    pandas.DataFrame
        One row per (article, topic) with at least one hit, in article then dictionary order:
        ``doc_id``, ``topic``, ``n_title``, ``n_lede``, ``n_body`` (hits in each part; a hit
        counts once, in the part where it starts), ``n_<field>`` for each of ``fields``, ``n``
        (their sum) and ``matched`` (the distinct matched strings, lower-cased with whitespace
        collapsed, sorted and joined by ``"; "``, as evidence). See the module docstring for
        the matching rules.

    Raises
    ------
    SchemaError
        When ``doc_id``, ``title``, ``text`` or a field is missing, or ``doc_id`` is repeated.
    ParameterError
        For an unknown ``lede``, ``level`` or ``fields``.
    TopicsError
        When the dictionary is malformed.

    Notes
    -----
    The hits are those of :func:`topic_regex` run on each text, found without a regex per topic:
    the texts are tokenized once (runs of letters and digits), every entry's first word is
    looked up among the distinct tokens, and phrases, overlaps and exclusions are settled with
    array operations; only entries with punctuation inside ("U.S.", "Jae-in") are checked by
    regex where they can start, and a topic with an entry that starts with punctuation
    ("#MeToo") is scanned by its regex. Case-insensitive matching compares ``str.lower()``
    of both sides, which is what ``re.IGNORECASE`` does except for a few characters with
    special case folding ("ſ", the Kelvin sign, Greek final sigma).

    Speed (BBC corpus, 2,225 articles, 5 MB of title + text, 2 cores, warm; see
    ``benchmarks/bench_topics.py``): 0.25 s for 5 topics x 10 entries (20 MB/s), 0.36 s for
    50 x 20 (14 MB/s), 0.73 s for 50 x 200 (7 MB/s; 0.9 million hits), against 0.84 s,
    1.85 s and 4.8 s for the matcher before; the time grows with the hits rather than the
    entries. ``lede=N`` adds sentence splitting of the first
    paragraphs. Texts are processed in batches of about 16 million characters; peak memory is
    about 30 times the text's size.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "title": ["Japan's PM", "Weather"],
    ...                      "text": ["Japan-based firms.\\n\\nJapanese and Japan firms.", "Sunny."]})
    >>> match_topics(arts, {"Japan": ["Japan"]})
      doc_id  topic  n_title  n_lede  n_body  n matched
    0      a  Japan        1       1       1  3   japan
    >>> match_topics(arts, {"Asia": {"Japan": ["Japan*"], "Korea": ["Seoul"]}}, level="group")
      doc_id topic  n_title  n_lede  n_body  n          matched
    0      a  Asia        1       1       2  4  japan; japanese
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(f"articles must be a pandas DataFrame, got {type(articles).__name__}.")
    lede = _check_lede(lede)
    if level not in LEVELS:
        raise ParameterError("level", level, "'topic' or 'group'",
                             hint="level='group' counts an article once per topic group.")
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(fields)
    if len(set(fields)) != len(fields) or any(not isinstance(f, str) or f in _RESERVED_FIELDS for f in fields):
        raise ParameterError(
            "fields", fields, "distinct further text columns, other than doc_id, title, text, lede and body",
            hint="title and text are always searched (text as lede and body); fields adds e.g. ('subtitle',).",
        )
    missing = [c for c in ("doc_id", "title", "text", *fields) if c not in articles.columns]
    if missing:
        raise SchemaError(
            f"articles lacks the column(s) {missing} needed to match topics (title and text, plus "
            f"fields={list(fields)}); it has {list(articles.columns)}."
        )
    if articles["doc_id"].duplicated().any():
        dup = articles.loc[articles["doc_id"].duplicated(), "doc_id"].unique()[:5].tolist()
        raise SchemaError(f"articles.doc_id must be unique; repeated: {dup}.")
    table = _as_table(topics)
    compiled, units = _compile(table)
    # Output names: topics, or (level="group") groups and ungrouped topics, in dictionary order.
    labels = [t.name if level == "topic" or t.group is None else t.group for t in compiled]
    names = list(dict.fromkeys(labels))
    topic_out = np.array([names.index(x) for x in labels], dtype=np.int64)
    include_topic = np.full(len(units), -1, dtype=np.int64)
    for i, t in enumerate(compiled):
        include_topic[t.include] = i
    count_columns = ["n_title", "n_lede", "n_body", *(f"n_{f}" for f in fields)]
    n_parts = len(count_columns)

    columns = [_texts(articles["title"]), _texts(articles["text"]), *(_texts(articles[f]) for f in fields)]
    n_docs = len(articles)
    lede_ends = np.array([_lede_end(t, lede) for t in columns[1]], dtype=np.int64)
    sizes = np.array([len(t) for t in columns[1]], dtype=np.int64)
    for column in columns[:1] + columns[2:]:
        sizes += np.array([len(t) for t in column], dtype=np.int64)
    chunks: list[tuple[np.ndarray, ...]] = []
    begin = 0
    while begin < n_docs:
        stop = begin + 1
        total = int(sizes[begin])
        while stop < n_docs and total + sizes[stop] <= _BATCH_CHARS:
            total += int(sizes[stop])
            stop += 1
        chunks.append(_batch(columns, begin, stop, lede_ends, units, compiled, include_topic,
                             topic_out, len(names), n_parts))
        begin = stop
    chunks = [c for c in chunks if len(c[0])]
    if not chunks:
        return _empty_result(count_columns)
    doc = np.concatenate([c[0] for c in chunks])
    out_idx = np.concatenate([c[1] for c in chunks])
    counts = np.concatenate([c[2] for c in chunks])
    matched = pa.chunked_array([c[3] for c in chunks], type=pa.large_string())
    result = pd.DataFrame({
        "doc_id": articles["doc_id"].take(doc).reset_index(drop=True),
        "topic": pd.Series(np.array(names, dtype=object)[out_idx], dtype="str"),
    })
    for j, column in enumerate(count_columns):
        result[column] = counts[:, j].astype("int64")
    result["n"] = counts.sum(axis=1).astype("int64")
    result["matched"] = pd.Series(pd.array(matched, dtype="str"))
    log.debug("match_topics: %d article-%s pairs from %d articles", len(result), level, n_docs)
    return result


def _batch(
    columns: list[list[str]], begin: int, stop: int, lede_ends: np.ndarray, units: Sequence[_Unit],
    compiled: Sequence[_Topic], include_topic: np.ndarray, topic_out: np.ndarray, n_out: int,
    n_parts: int,
) -> tuple[np.ndarray, ...]:
    """Rows for articles ``begin:stop``: doc, output name, counts per part, evidence."""
    pieces = [t for column in columns for t in column[begin:stop]]
    lengths = np.array([len(t) + 1 for t in pieces], dtype=np.int64)  # + the separator
    seg_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    (unit, start, end, evidence), strings = _match_batch(_SEP.join(pieces), units)
    keep = _drop_excluded(compiled, unit, start, end)
    unit, start, evidence = unit[keep], start[keep], evidence[keep]
    if not len(unit):
        return (np.zeros(0, dtype=np.int64),) * 3 + (pa.array([], type=pa.large_string()),)
    n = stop - begin
    seg = np.searchsorted(seg_start, start, "right") - 1
    field, doc = seg // n, seg % n
    # Parts: 0 title, 1 lede, 2 body, 3... further fields.
    part = np.where(field == 0, 0, np.where(field == 1, 1, field + 1))
    in_text = field == 1
    part[in_text & (start - seg_start[seg] >= lede_ends[begin:stop][doc])] = 2
    rows_doc, rows_out, counts, joined = _assemble(
        doc, topic_out[include_topic[unit]], part, evidence, strings, n_out, n_parts
    )
    return rows_doc + begin, rows_out, counts, joined
