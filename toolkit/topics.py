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
import os
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from toolkit.distributed import supports_dask
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
    except RecursionError:
        # PyYAML parses flow collections recursively: "[[[[..." thousands deep overflows it.
        raise TopicsError(
            f"{path}: not a topic dictionary: its YAML is nested too deeply to read "
            "(a topic dictionary is at most group -> topic -> entries)."
        ) from None


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
# (numpy on the code points), tokens are dictionary-encoded (their UTF-8 bytes read 8 at a time
# as integers, which are factorized: exact, and several times faster than hashing strings),
# each entry's first word is looked up among the distinct tokens (exact, or by prefix for a
# glob), and the candidates (token, entry) are checked and resolved with array operations:
#
# - per (distinct token, topic), the first one-word entry in alternation order is a hit at
#   every occurrence of the token unless an earlier entry (a phrase, a regex entry) matches
#   there; only those earlier ones are checked token by token, and a phrase whose first two
#   words are exact is found among adjacent token pairs rather than at every first word;
# - a "simple" entry (words of letters and digits, an optional final "*" per word) matches at
#   token i when token i+j matches word j (equal, or starts with it for a glob) and the gap
#   between tokens i+j-1 and i+j is whitespace or one hyphen: exactly what its regex says;
# - any other entry ("Jae-in", "U.S.", "Côte d'Ivoire") is checked with its own regex anchored
#   at the candidate token (few candidates); an entry that starts with another character
#   ("#MeToo") makes its topic run the whole alternation over the text;
# - at one token, a topic takes its first matching entry in alternation order (what the regex
#   alternation does), then its hits are kept left to right without overlaps (what finditer
#   does; only hits that run past their first token can overlap), and hits inside exclusions
#   are dropped.
#
# Batches of articles run on threads, one per core: the work is in numpy and pyarrow kernels,
# which release the GIL.
#
# Case-insensitive matching compares str.lower() of both sides (U+0130 "İ" read as "i"), which
# is what re.IGNORECASE does except for a few characters with special folding ("ſ", the Kelvin
# sign); the regex and the fast path agree on everything else.

_SEP = "\x00"  # between texts in one batch: not a letter, digit, space or hyphen
_BATCH_CHARS = 1 << 20  # characters per batch: bounds the arrays (about 30 bytes a character)
_PARALLEL_CHARS = 1 << 20  # below this, one batch: threads would cost more than they save
_MAX_THREADS = 8
_HYPHEN_CODES = np.array([ord(c) for c in _HYPHENS], dtype=np.uint32)
_SIMPLE_WORD = re.compile(rf"{_WORD}+\*?")


@functools.cache
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Letters-or-digits and whitespace, as lookup tables over the Basic Multilingual Plane."""
    chars = [chr(i) for i in range(0x10000)]
    return np.array([c.isalnum() for c in chars]), np.array([c.isspace() for c in chars])


@functools.cache
def _char_classes() -> np.ndarray:
    """1 for a letter or digit, 2 for whitespace, 0 otherwise, per BMP code point."""
    word, space = _char_tables()
    return word.astype(np.uint8) | (space.astype(np.uint8) << 1)


def _lower(text: str) -> str:
    # "İ".lower() is two characters; re.IGNORECASE folds it to "i".
    return text.replace("\u0130", "i").lower()


class _Entry(NamedTuple):
    rank: int  # position in its unit's alternation
    words: tuple[str, ...] | None  # simple entries: stems of the words (lower-cased unless case-sensitive)
    globs: tuple[bool, ...]
    regex: re.Pattern[str] | None  # other entries: the entry anchored at a token start
    keys: tuple[set[str], set[str]] | None  # other entries: lower-cased (exact, prefix) start tokens


@dataclass(frozen=True, eq=False)  # hashed by identity: _unit() makes one per alternation
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
        # Code points and character classes, kept for _paragraph_ends (then dropped).
        self.cp: np.ndarray | None
        self.cls: np.ndarray | None
        self.cp = cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32)
        # One lookup per character: 1 letter or digit, 2 whitespace (code points past the BMP
        # clip to U+FFFF, a non-character of class 0, and are classified one by one).
        cls = _char_classes().take(cp, mode="clip")
        astral = np.flatnonzero(cp > 0xFFFF)  # rare: emoji, historic scripts
        if len(astral):
            cls[astral] = [int(chr(c).isalnum()) for c in cp[astral].tolist()]
        self.cls = cls
        edge = np.diff(cls & 1, prepend=np.uint8(0), append=np.uint8(0)).view(np.int8)
        self.starts = np.flatnonzero(edge == 1)
        self.ends = np.flatnonzero(edge == -1)
        n = len(self.starts)
        # The gap after token i (to token i+1) may sit inside a phrase: whitespace or one hyphen.
        gap_start = self.ends[:-1]
        width = self.starts[1:] - gap_start
        spaced = cls[gap_start] == 2
        after = cp[gap_start]
        self.gap_ok = spaced | ((width == 1) & np.isin(after, _HYPHEN_CODES))
        longer = np.flatnonzero(spaced & (width > 1))  # "  ", "\n\n", " - ": all whitespace?
        if len(longer):
            run, within = _expand(width[longer])
            other = np.bincount(run, weights=cls[gap_start[longer][run] + within] != 2, minlength=len(longer))
            self.gap_ok[longer] = other == 0
        # Dictionary codes of the tokens (equal codes: equal strings) from their UTF-8 bytes,
        # 8 at a time as integers (tokens hold no NUL byte, so zero padding is unambiguous).
        data = big.encode("utf-8")
        b_start, b_end = self.starts, self.ends
        if len(data) != len(big):
            # Byte offset = character offset + the extra bytes of the multi-byte characters before.
            wide = np.flatnonzero(cp >= 0x80)
            extra = 1 + (cp[wide] >= 0x800) + (cp[wide] >= 0x10000)
            bounds = np.empty(2 * n, dtype=np.int64)
            bounds[0::2], bounds[1::2] = b_start, b_end
            if len(wide) < n:  # few wide characters (Latin scripts): place them among the bounds
                slot = np.searchsorted(bounds, wide, "right")
                bounds += np.cumsum(np.bincount(slot, weights=extra, minlength=2 * n + 1)[: 2 * n]).astype(np.int64)
            else:
                bounds += np.concatenate(([0], np.cumsum(extra)))[np.searchsorted(wide, bounds)]
            b_start, b_end = bounds[0::2], bounds[1::2]
        self.codes, rep = _encode(data, b_start, b_end)
        # The distinct tokens as strings, from one occurrence each.
        self.types = _slices(data, b_start[rep], b_end[rep])
        lowered = _lower_types(self.types).dictionary_encode()
        to_lower = lowered.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        self.lower_array = lowered.dictionary
        self.lower_codes = to_lower[self.codes] if n else self.codes
        # Evidence is lower-cased as written (str.lower), which differs from the matching key
        # only for "İ"; usually these codes are the same as lower_codes.
        if "\u0130" in big:
            to_evidence, evidence_types = pd.factorize(pd.Series([t.lower() for t in self.types.to_pylist()], dtype=object))
            self.evidence_codes = to_evidence.astype(np.int64)[self.codes] if n else self.codes
            self.evidence_types = pa.array(list(evidence_types), type=pa.large_string())
        else:
            self.evidence_codes, self.evidence_types = self.lower_codes, self.lower_array


def _lower_types(types: pa.LargeStringArray) -> pa.LargeStringArray:
    """``_lower`` of each string: pyarrow's ASCII lower-casing for ASCII strings (the same as
    str.lower there), Python's for the others."""
    lowered = pc.ascii_lower(types)
    other = np.flatnonzero(~pc.string_is_ascii(types).to_numpy(zero_copy_only=False))
    if len(other):
        index = pa.array(other)
        values = pa.array([_lower(t) for t in types.take(index).to_pylist()], type=pa.large_string())
        mask = np.zeros(len(types), dtype=bool)
        mask[other] = True
        lowered = pc.replace_with_mask(lowered, pa.array(mask), values)
    return lowered


_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_PACKED_BYTES = 64  # tokens longer than this (in UTF-8 bytes) are dictionary-encoded by pyarrow


def _encode(data: bytes, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary codes of the byte strings ``data[start:end]`` (which hold no NUL byte).

    Returns the code of each string (0, 1, ... in no particular order) and, for each code, the
    position of one string that has it. Hashing the strings themselves (pyarrow
    ``dictionary_encode``) costs about 200 ns a token; here every string is read as 8-byte
    integers (the first 8 bytes, zero-padded, then the next 8 for longer ones, ...) and only
    integers are factorized, which is several times faster and exact.
    """
    n = len(start)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    padded = data + bytes(16)
    # Every byte offset viewed as the start of a little-endian uint64 (overlapping windows).
    words = np.ndarray(shape=(len(data) + 8,), dtype="<u8", buffer=padded, strides=(1,))
    length = end - start
    codes = pd.factorize(words[start] & _MASKS[np.minimum(length, 8)])[0].astype(np.int64)
    base = int(codes.max()) + 1
    longer = np.flatnonzero(length > 8)
    done = 8
    while len(longer):
        if done >= _PACKED_BYTES:
            rest = _slices(data, start[longer], end[longer]).dictionary_encode().indices
            codes[longer] = base + rest.to_numpy(zero_copy_only=False).astype(np.int64)
            break
        # Strings with the same first `done` bytes share a code; split them by the next 8.
        following, n_following = pd.factorize(words[start[longer] + done] & _MASKS[np.minimum(length[longer] - done, 8)])
        refined, n_refined = pd.factorize(codes[longer] * len(n_following) + following)
        codes[longer] = base + refined
        base += len(n_refined)
        done += 8
        longer = longer[length[longer] > done]
    codes_used, codes = _unique(codes)
    rep = np.empty(len(codes_used), dtype=np.int64)
    rep[codes[::-1]] = np.arange(n - 1, -1, -1)
    return codes, rep


def _slices(data: bytes, start: np.ndarray, end: np.ndarray) -> pa.LargeStringArray:
    """``data[start:end]`` for each pair, as an Arrow string array (one copy of the bytes)."""
    length = end - start
    offsets = np.concatenate(([0], np.cumsum(length)))
    if len(length) and (start[1:] == end[:-1]).all():  # contiguous: no copy needed
        # Offsets from 0 (pyarrow 26's ascii_lower misreads arrays whose offsets start later).
        return pa.LargeStringArray.from_buffers(len(start), pa.py_buffer(offsets), pa.py_buffer(data).slice(int(start[0])))
    run, within = _expand(length)
    chunk = np.frombuffer(data, dtype=np.uint8)[start[run] + within] if len(run) else np.zeros(0, np.uint8)
    return pa.LargeStringArray.from_buffers(len(start), pa.py_buffer(offsets), pa.py_buffer(chunk))


@functools.lru_cache(maxsize=256)
def _key_groups(keys: tuple[tuple[str, bool], ...]) -> list[tuple[int, pa.Array, np.ndarray]]:
    """Word keys grouped for lookup: (0 for exact words or the prefix length of globs, the words
    as an Arrow array, their key numbers). Cached: every batch looks up the same keys."""
    by_kind: dict[int, list[tuple[str, int]]] = {}
    for k, (word, glob) in enumerate(keys):
        by_kind.setdefault(len(word) if glob else 0, []).append((word, k))
    return [
        (length, pa.array([w for w, _ in group], type=pa.large_string()),
         np.array([k for _, k in group], dtype=np.int64))
        for length, group in by_kind.items()
    ]


def _key_pairs(types: pa.Array, keys: Sequence[tuple[str, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """(type, key) pairs where a distinct token matches a word key (exact, or prefix for a glob)."""
    type_ids: list[np.ndarray] = []
    key_ids: list[np.ndarray] = []
    for length, value_set, ids in _key_groups(tuple(keys)):
        values = types if length == 0 else pc.utf8_slice_codeunits(types, 0, length)
        found = pc.index_in(values, value_set=value_set)
        found = found.to_numpy(zero_copy_only=False)
        hit = ~np.isnan(found) if found.dtype.kind == "f" else np.ones(len(found), dtype=bool)
        rows = np.flatnonzero(hit)
        type_ids.append(rows)
        key_ids.append(ids[found[hit].astype(np.int64)])
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


class _Plan(NamedTuple):
    """The entries one lookup (case mode) handles, as arrays: what _candidates needs."""

    entries: list[_Entry]
    units_of: np.ndarray  # unit of each entry
    keys: list[tuple[str, bool]]  # first words (word, glob) to look up among the tokens
    first_key: np.ndarray  # (key, entry) pairs, sorted by key
    first_entry: np.ndarray
    rank: np.ndarray  # position in its unit's alternation
    single: np.ndarray  # a simple one-word entry
    paired: np.ndarray  # a simple phrase whose first two words are exact
    n_words: np.ndarray  # words of a simple entry, 0 for the others
    pair_words: pa.Array  # the first two words of the paired entries, each once
    pair_first: np.ndarray  # per paired entry (in np.flatnonzero(paired) order): its words' positions there
    pair_second: np.ndarray


@functools.lru_cache(maxsize=64)
def _plan(units: tuple[_Unit, ...], case_sensitive: bool) -> _Plan:
    """The lookup plan of one case mode (cached: it depends on the dictionary, not the texts)."""
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
    first_key, first_entry = (np.array(x, dtype=np.int64) for x in zip(*first, strict=True)) if first else (
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    order = np.argsort(first_key, kind="stable")
    paired = [e.words is not None and len(e.words) > 1 and not any(e.globs[:2]) for e in entries]
    pair_words = list(dict.fromkeys(w for e, p in zip(entries, paired, strict=True) if p for w in e.words[:2]))
    word_at = {w: i for i, w in enumerate(pair_words)}
    return _Plan(
        entries=entries,
        units_of=np.array(entry_unit, dtype=np.int64),
        keys=list(keys),
        first_key=first_key[order],
        first_entry=first_entry[order],
        rank=np.array([e.rank for e in entries], dtype=np.int64),
        single=np.array([e.words is not None and len(e.words) == 1 for e in entries], dtype=bool),
        paired=np.array(paired, dtype=bool),
        n_words=np.array([len(e.words) if e.words is not None else 0 for e in entries], dtype=np.int64),
        pair_words=pa.array(pair_words, type=pa.large_string()),
        pair_first=np.array([word_at[e.words[0]] for e, p in zip(entries, paired, strict=True) if p], dtype=np.int64),
        pair_second=np.array([word_at[e.words[1]] for e, p in zip(entries, paired, strict=True) if p], dtype=np.int64),
    )


def _candidates(
    tokens: _Tokens, units: Sequence[_Unit], case_sensitive: bool
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], list[_Entry], np.ndarray]:
    """Where entries of these units can start: (token, entry) pairs that are hits unless an
    earlier alternative of their unit matches at the same token ("certain"), (token, entry)
    pairs still to check ("uncertain"), the entries, and the unit of each entry.

    Simple entries of case-sensitive units are looked up among the tokens as written, all other
    entries among the lower-cased tokens (regex entries are then checked with their own case).
    At one token a unit takes its first matching entry in alternation order, and a one-word
    simple entry always matches where its word is. So for each (distinct token, unit) only the
    entries up to the first one-word entry matter: that one is certain, those before it are
    uncertain. Phrases whose first two words are exact are not looked up by their first word
    (every "said" for "said that") but by the pair of tokens, among the adjacent pairs.
    """
    plan = _plan(tuple(units), case_sensitive)
    entries, units_of, rank, single, paired = plan.entries, plan.units_of, plan.rank, plan.single, plan.paired
    empty = np.zeros(0, dtype=np.int64)
    if not entries:
        return (empty, empty), (empty, empty), entries, units_of
    types = tokens.types if case_sensitive else tokens.lower_array
    codes = tokens.codes if case_sensitive else tokens.lower_codes
    n_types = len(types)
    type_ids, key_ids = _key_pairs(types, plan.keys)
    # (type, entry) pairs: a join of (type, key) and (key, entry) on key.
    first_key, first_entry = plan.first_key, plan.first_entry
    lo = np.searchsorted(first_key, key_ids, "left")
    hi = np.searchsorted(first_key, key_ids, "right")
    pair, within = _expand(hi - lo)
    te_type = type_ids[pair]
    te_entry = first_entry[lo[pair] + within]
    # Per (type, unit), in alternation order.
    te_unit = units_of[te_entry]
    te_rank = rank[te_entry]
    n_units, n_ranks = len(units) + 1, int(rank.max()) + 1
    if (n_types + 1) * n_units * n_ranks < 2**62:  # one integer key: far faster than lexsort
        order = np.argsort((te_type * n_units + te_unit) * n_ranks + te_rank, kind="stable")
    else:  # pragma: no cover - beyond any realistic batch
        order = np.lexsort((te_rank, te_unit, te_type))
    te_type, te_entry, te_unit = te_type[order], te_entry[order], te_unit[order]
    n_pairs = len(te_type)
    new = np.ones(n_pairs, dtype=bool)
    new[1:] = (te_type[1:] != te_type[:-1]) | (te_unit[1:] != te_unit[:-1])
    group = np.cumsum(new) - 1
    pos = np.arange(n_pairs) - np.flatnonzero(new)[group]
    is_single = single[te_entry]
    cut = np.full(int(group[-1]) + 1 if n_pairs else 0, n_pairs, dtype=np.int64)
    at = np.flatnonzero(is_single)
    firsts = at[np.concatenate(([True], group[at][1:] != group[at][:-1]))] if len(at) else at
    cut[group[firsts]] = pos[firsts]
    certain = is_single & (pos == cut[group])
    uncertain = (pos < cut[group]) & ~paired[te_entry]

    def per_token(sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sel_type, sel_entry = te_type[sel], te_entry[sel]  # sorted by type
        per_type = np.bincount(sel_type, minlength=n_types)
        type_start = np.cumsum(per_type) - per_type
        token, within = _expand(per_type[codes])
        return token, sel_entry[type_start[codes[token]] + within]

    u_token, u_entry = per_token(uncertain)
    p_token, p_entry = _pair_candidates(tokens, codes, types, plan)
    return (per_token(certain), (np.concatenate((u_token, p_token)), np.concatenate((u_entry, p_entry))),
            entries, units_of)


def _pair_candidates(
    tokens: _Tokens, codes: np.ndarray, types: pa.Array, plan: _Plan
) -> tuple[np.ndarray, np.ndarray]:
    """(token, entry) where the entry's first two (exact) words are the token and the next one,
    with a phrase gap between them."""
    empty = np.zeros(0, dtype=np.int64)
    paired = np.flatnonzero(plan.paired)
    if not len(paired) or len(codes) < 2:
        return empty, empty
    # The type of each word (-1: not in this batch).
    type_of = pc.fill_null(pc.index_in(plan.pair_words, value_set=types), -1).to_numpy(zero_copy_only=False)
    first_type, second_type = type_of[plan.pair_first], type_of[plan.pair_second]
    present = (first_type >= 0) & (second_type >= 0)
    if not present.any():
        return empty, empty
    n_types = len(types)
    paired = paired[present]
    first_type, second_type = first_type[present].astype(np.int64), second_type[present].astype(np.int64)
    pair_key = first_type * n_types + second_type
    order = np.argsort(pair_key, kind="stable")
    pair_key, paired = pair_key[order], paired[order]
    is_first = np.zeros(n_types, dtype=bool)
    is_first[first_type] = True
    is_second = np.zeros(n_types, dtype=bool)
    is_second[second_type] = True
    token = np.flatnonzero(is_first[codes[:-1]] & is_second[codes[1:]] & tokens.gap_ok)
    key = codes[token] * n_types + codes[token + 1]
    lo = np.searchsorted(pair_key, key, "left")
    hi = np.searchsorted(pair_key, key, "right")
    run, within = _expand(hi - lo)
    return token[run], paired[lo[run] + within]


def _verified(tokens: _Tokens, units: Sequence[_Unit], case_sensitive: bool) -> tuple[tuple[np.ndarray, ...], ...]:
    """Certain hits (token, unit, rank) and the uncertain entries that match where they can
    start: (token, unit, rank, end, one_token) arrays."""
    (c_token, c_entry), (token, entry), entries, entry_unit = _candidates(tokens, units, case_sensitive)
    plan = _plan(tuple(units), case_sensitive)
    rank, n_words = plan.rank, plan.n_words
    certain = (c_token, entry_unit[c_entry], rank[c_entry]) if len(entries) else (c_token,) * 3
    if not len(token):
        return certain, tuple(np.zeros(0, dtype=np.int64) for _ in range(4)) + (np.zeros(0, dtype=bool),)
    n_tokens = len(tokens.starts)
    codes = tokens.codes if case_sensitive else tokens.lower_codes
    words = n_words[entry]  # per candidate
    end_token = token + np.maximum(words, 1) - 1
    ok = end_token < n_tokens
    # Simple phrases: every further word matches its token and every gap is a phrase gap.
    if (words > 1).any():
        types = tokens.types if case_sensitive else tokens.lower_array
        word_keys: dict[tuple[str, bool], int] = {}
        max_words = int(n_words.max())
        key_of = np.full((len(entries), max_words), -1, dtype=np.int64)
        for e in np.unique(entry[words > 1]).tolist():
            item = entries[e]
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
    return certain, (token, entry_unit[entry], rank[entry], end, words[ok] == 1)


def _resolve(
    tokens: _Tokens, found: list[tuple[tuple[np.ndarray, ...], ...]], n_units: int, hits: _Hits
) -> None:
    """From the certain hits and checked entries of both case modes, the hits finditer gives."""
    c_token, c_unit, c_rank = (np.concatenate(x) for x in zip(*(f[0] for f in found), strict=True))
    token, unit, rank, end, one_token = (np.concatenate(x) for x in zip(*(f[1] for f in found), strict=True))
    n_tokens = len(tokens.starts)
    if len(token):
        # Where a checked entry matched, the certain hit at the same (token, unit) competes
        # with it: each unit takes its first matching entry in alternation order.
        checked = np.zeros(n_tokens, dtype=bool)
        checked[token] = True
        maybe = np.flatnonzero(checked[c_token])
        keys = np.unique(token * n_units + unit)
        where = np.minimum(np.searchsorted(keys, c_token[maybe] * n_units + c_unit[maybe]), len(keys) - 1)
        contested = maybe[keys[where] == c_token[maybe] * n_units + c_unit[maybe]]
        token = np.concatenate((token, c_token[contested]))
        unit = np.concatenate((unit, c_unit[contested]))
        rank = np.concatenate((rank, c_rank[contested]))
        end = np.concatenate((end, tokens.ends[c_token[contested]]))
        one_token = np.concatenate((one_token, np.ones(len(contested), dtype=bool)))
        uncontested = np.ones(len(c_token), dtype=bool)
        uncontested[contested] = False
        c_token, c_unit = c_token[uncontested], c_unit[uncontested]
        n_ranks = int(rank.max()) + 1
        if (n_units + 1) * (n_tokens + 1) * n_ranks < 2**62:
            order = np.argsort((token * n_units + unit) * n_ranks + rank)
        else:  # pragma: no cover - beyond any realistic batch
            order = np.lexsort((rank, unit, token))
        token, end, unit, one_token = token[order], end[order], unit[order], one_token[order]
        first = np.ones(len(token), dtype=bool)
        first[1:] = (unit[1:] != unit[:-1]) | (token[1:] != token[:-1])
        token, end, unit, one_token = token[first], end[first], unit[first], one_token[first]
    length = len(tokens.big)
    long = np.flatnonzero(end > tokens.ends[token]) + len(c_token)
    token = np.concatenate((c_token, token))
    unit = np.concatenate((c_unit, unit))
    end = np.concatenate((tokens.ends[c_token], end))
    one_token = np.concatenate((np.ones(len(c_token), dtype=bool), one_token))
    start = tokens.starts[token]
    if len(long):
        # Only a hit that runs past its first token can hold the start of another hit of its
        # unit: settle those left to right (what finditer does), then drop every hit that
        # starts inside a kept one.
        key = unit * (length + 1) + start
        order = long[np.argsort(key[long], kind="stable")]
        kept = order[_leftmost(unit[order], start[order], end[order], length)]
        kept_key, kept_end = key[kept], end[kept]
        # Tokens after the first of a kept hit that start before its end (of any unit).
        first_token = token[kept] + 1
        last_token = np.searchsorted(tokens.starts, kept_end, "left")
        step = np.bincount(first_token, minlength=n_tokens + 1) - np.bincount(last_token, minlength=n_tokens + 1)
        inside_some = (np.cumsum(step) > 0)[:n_tokens]
        keep = np.ones(len(token), dtype=bool)
        maybe = np.flatnonzero(inside_some[token])
        j = np.maximum(np.searchsorted(kept_key, key[maybe], "left") - 1, 0)
        keep[maybe] = ~((kept_key[j] < key[maybe]) & (kept_key[j] // (length + 1) == unit[maybe])
                        & (kept_end[j] > start[maybe]))
        keep[long] = False
        keep[kept] = True
        token, start, end, unit, one_token = token[keep], start[keep], end[keep], unit[keep], one_token[keep]
    evidence = tokens.evidence_codes[token]
    other = np.flatnonzero(~one_token)
    if len(other):
        evidence = evidence.copy()
        offset = len(tokens.evidence_types)
        big = tokens.big
        seen: dict[str, int] = {}
        ids = []
        for s, e in zip(start[other].tolist(), end[other].tolist(), strict=True):
            raw = big[s:e]
            found_id = seen.get(raw)
            if found_id is None:
                found_id = seen[raw] = hits.string_id(raw, offset)
            ids.append(found_id)
        evidence[other] = ids
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


def _match_batch(
    tokens: _Tokens, units: Sequence[_Unit]
) -> tuple[tuple[np.ndarray, ...], tuple[pa.Array, list[str]]]:
    """All hits of all units in the batch: (unit, start, end, evidence) arrays, and the evidence
    strings: the lower-cased token types (Arrow), then the other strings (numbered after them)."""
    big = tokens.big
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
    return hits.arrays(), (tokens.evidence_types, list(hits.strings))


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
# Prefilter: the articles where a hit can start at all
# ----------------------------------------------------------------------------------------------
#
# In a large corpus most articles mention none of a small dictionary's entries. One RE2 scan
# per column (pyarrow's match_substring_regex: no Python strings, the GIL released) finds the
# articles holding some entry's literal; only those go to the token matcher above. The scan is
# a superset of the matcher's hits, so the result is the same with or without it:
# - a hit starts at a token whose lower-casing (``_lower``, per character but for the Greek
#   final sigma) equals the entry's first word, or starts with it for a glob; so the raw text
#   holds, at that token, for each character of the word one that lowers to it. Each such
#   character becomes a class of every code point that lowers to it (``"k"``: k, K and the
#   Kelvin sign; ``"i"``: i, I and U+0130), and the three sigmas are one class;
# - the further words of a simple phrase follow after a phrase gap (a run of the characters the
#   matcher takes for whitespace, or one hyphen), up to the first glob word, which ends the
#   literal; entries with other characters ("U.S.", "Jae-in") contribute the tokens they can
#   start with (their lookup keys);
# - no boundary is required before or after the literal ("japan" passes "Japanese"), the
#   matcher settles that; case-sensitive entries use the same classes (a superset again).
# A topic with an entry that starts with punctuation ("#MeToo") is scanned by its own regex over
# every text, so no prefilter then; nor for dictionaries of more than _PREFILTER_MAX_LITERALS
# literals, where RE2's automaton grows large and most articles match anyway.

_PREFILTER_MAX_LITERALS = 500
_PREFILTER_SLICE_BYTES = 1 << 23  # bytes of one column scanned by one task


@functools.cache
def _lowered_from() -> dict[str, str]:
    """For each character, the other characters that ``_lower`` turns into it (e.g. "k": "K\\u212a")."""
    codes = np.arange(0x110000, dtype=np.uint32)
    codes = codes[(codes < 0xD800) | (codes >= 0xE000)]  # no surrogates in text
    chars = codes.tobytes().decode("utf-32-le")
    lowered = _lower(chars)
    if len(lowered) != len(chars):  # pragma: no cover - no such character in Unicode 15
        lowered = "".join(_lower(c)[:1] for c in chars)
    low = np.frombuffer(lowered.encode("utf-32-le"), dtype=np.uint32)
    changed = np.flatnonzero(low != codes)
    found: dict[str, str] = {}
    for source, target in zip(codes[changed].tolist(), low[changed].tolist(), strict=True):
        found[chr(target)] = found.get(chr(target), "") + chr(source)
    return found


_SIGMAS = "\u03a3\u03c3\u03c2"  # Σ σ ς: lower() picks σ or ς by context


def _char_class(char: str) -> str:
    """RE2 class of the characters whose lower-casing is ``char``'s."""
    low = _lower(char)
    members = set(_SIGMAS) if low in _SIGMAS else {char, low, *_lowered_from().get(low, "")}
    if len(members) == 1:
        return _re2_char(char)
    return "[" + "".join(_re2_char(c) for c in sorted(members)) + "]"


def _re2_char(char: str) -> str:
    return char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):x}}}"


@functools.cache
def _gap_re2() -> str:
    """RE2 for a phrase gap as ``_Tokens.gap_ok`` reads it: whitespace (Python's) or one hyphen."""
    spaces = np.flatnonzero(_char_tables()[1]).tolist()
    space_class = "".join(_re2_char(chr(c)) for c in spaces)
    hyphens = "".join(_re2_char(c) for c in _HYPHENS)
    return f"(?:[{space_class}]+|[{hyphens}])"


def _word_re2(word: str) -> str:
    return "".join(_char_class(c) for c in word)


def _prefilter_literals(units: Sequence[_Unit]) -> list[str] | None:
    """One RE2 literal per entry (deduplicated), or None when the prefilter cannot be used."""
    literals: dict[str, None] = {}
    for unit in units:
        if unit.scan_all:
            return None
        for entry in unit.entries:
            if entry.words is not None:
                parts = []
                for word, glob in zip(entry.words, entry.globs, strict=True):
                    parts.append(_word_re2(word))
                    if glob:
                        break
                literals[_gap_re2().join(parts)] = None
            else:
                exact, prefix = entry.keys
                for key in (*exact, *prefix):
                    literals[_word_re2(key)] = None
    return sorted(literals, key=lambda x: (len(x), x))


@functools.lru_cache(maxsize=64)
def _prefilter_pattern(units: tuple[_Unit, ...]) -> tuple[str, int] | None:
    """The RE2 alternation of the literals and their number (cached per dictionary)."""
    literals = _prefilter_literals(units)
    if not literals:
        return None
    return "|".join(literals), len(literals)


def _prefilter(columns: Sequence[pa.ChunkedArray], units: Sequence[_Unit]) -> np.ndarray | None:
    """Rows of the articles that can hold a hit (sorted), or None when every row must be matched."""
    found = _prefilter_pattern(tuple(units))
    if found is None or found[1] > _PREFILTER_MAX_LITERALS:
        return None
    pattern = found[0]
    n_rows = len(columns[0])
    tasks = []
    for j, column in enumerate(columns):
        nbytes = max(column.nbytes, 1)
        n_slices = max(1, min(n_rows, -(-nbytes // _PREFILTER_SLICE_BYTES)))
        bounds = np.linspace(0, n_rows, n_slices + 1).astype(np.int64)
        tasks += [(j, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]

    def scan(task: tuple[int, int, int]) -> tuple[int, np.ndarray]:
        j, a, b = task
        found = pc.match_substring_regex(columns[j].slice(a, b - a), pattern)
        return a, pc.fill_null(found, False).to_numpy(zero_copy_only=False)

    try:
        workers = min(_workers(), len(tasks))
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="match_topics") as pool:
                results = list(pool.map(scan, tasks))
        else:
            results = [scan(t) for t in tasks]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:  # e.g. a pattern RE2 refuses
        log.debug("match_topics: no prefilter (%s)", exc)
        return None
    keep = np.zeros(n_rows, dtype=bool)
    for a, found in results:
        keep[a : a + len(found)] |= found
    return np.flatnonzero(keep)


def _arrow_texts(column: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow strings, without copying a pyarrow-backed column; values that are
    not strings count as empty (as ``_texts`` reads them)."""
    array = column.array
    if hasattr(array, "__arrow_array__"):  # pandas' "str" (pyarrow storage) and ArrowDtype columns
        arrow = array.__arrow_array__()
        if isinstance(arrow, pa.Array):
            arrow = pa.chunked_array([arrow])
        if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type):
            return arrow
    return pa.chunked_array([pa.array(_texts(column), type=pa.large_string())])


def _arrow_list(column: pa.ChunkedArray) -> list[str]:
    return [v if v is not None else "" for v in column.to_pylist()]


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


def _paragraph_ends(tokens: _Tokens, texts: list[str], text_start: np.ndarray) -> np.ndarray:
    """``_lede_end(text, "paragraph")`` of each text, which starts at ``text_start`` in the batch.

    A paragraph break is a newline, then only whitespace other than newlines, then a newline
    (``_PARAGRAPH_BREAK``); the lede ends where the first break after the leading whitespace
    starts, or at the end of the text.
    """
    cp, cls = tokens.cp, tokens.cls
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    newline = np.flatnonzero(cp == 10)
    here, after = newline[:-1], newline[1:]
    width = after - here - 1
    is_break = width == 0
    spaced = np.flatnonzero((width > 0) & (cls[np.minimum(here + 1, len(cls) - 1)] == 2))
    if len(spaced):
        run, within = _expand(width[spaced])
        other = np.bincount(run, weights=cls[here[spaced][run] + 1 + within] != 2, minlength=len(spaced))
        is_break[spaced] = other == 0
    breaks = here[is_break]
    # Where each text's first non-whitespace character is (usually its first character).
    first = text_start.copy()
    blank_start = np.flatnonzero((lengths > 0) & (cls[np.minimum(text_start, len(cls) - 1)] == 2))
    for i in blank_start.tolist():
        first[i] += len(texts[i]) - len(texts[i].lstrip())
    at = np.searchsorted(breaks, first, "left")
    found = breaks[np.minimum(at, max(len(breaks) - 1, 0))] if len(breaks) else np.zeros(len(first), dtype=np.int64)
    inside = (at < len(breaks)) & (found < text_start + lengths)
    return np.where(inside, found - text_start, lengths)


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
    doc: np.ndarray, out: np.ndarray, part: np.ndarray, evidence: np.ndarray, strings: tuple[pa.Array, list[str]],
    n_out: int, n_parts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    """Rows per (doc, out) in that order: doc, out, counts per part, joined evidence."""
    pairs, pair = _unique(doc * n_out + out)
    counts = np.bincount(pair * n_parts + part, minlength=len(pairs) * n_parts).reshape(len(pairs), n_parts)
    used, ev = _unique(evidence)
    # The same string can have two ids (a token, and the text of a regex entry's hit, e.g.
    # "jaein" for "Jae-in*" in one topic of a group and "Jaein" in another): rank by value.
    types, others = strings
    split = int(np.searchsorted(used, len(types)))
    chosen = [types.take(pa.array(used[:split]))]
    if split < len(used):
        chosen.append(pa.array([others[i - len(types)] for i in used[split:].tolist()], type=pa.large_string()))
    encoded = pa.concat_arrays(chosen).dictionary_encode()
    distinct = encoded.dictionary
    order = pc.array_sort_indices(distinct).to_numpy(zero_copy_only=False)  # code point order
    rank_of = np.empty(len(distinct), dtype=np.int64)
    rank_of[order] = np.arange(len(distinct))
    rank = rank_of[encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)]
    n_ranks = max(len(distinct), 1)
    # Distinct (pair, evidence) first (hashing), then sort those: far fewer than the hits.
    triples = np.sort(pd.unique(pair * n_ranks + rank[ev]))
    owner = triples // n_ranks
    values = distinct.take(pa.array(order)).take(pa.array(triples % n_ranks))
    offsets = np.searchsorted(owner, np.arange(len(pairs) + 1)).astype(np.int64)
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), values),
                            pa.scalar("; ", type=pa.large_string()))
    return pairs // n_out, pairs % n_out, counts, joined


@supports_dask
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

    Before any of that, one scan per column (RE2 through pyarrow, on the Arrow data of a
    ``str`` column, no Python strings) keeps the articles that hold some entry's letters at
    all (any case, phrase words with a phrase gap between them); only those are tokenized.
    The scan passes every article with a hit, so the result is the same without it; it is
    skipped for a dictionary of more than 500 such literals (most articles match then) or
    with an entry that starts with punctuation.

    Speed: see ``benchmarks/bench_topics.py`` and its section of ``benchmarks/README.md``
    (BBC corpus, 5 MB, 50 topics x 200 entries, 0.9 million hits; the time grows with the
    text and the hits rather than the entries; on 100 MB with the example topics, where one
    article in twelve passes the scan, about 1 CPU-second). ``lede=N`` adds sentence
    splitting of the first paragraphs. Texts are processed in batches of at most about a
    million characters, one batch per core at a time (``TOOLKIT_THREADS`` sets the number of
    threads); peak memory is about 30 times the characters of the batches in flight, plus
    the articles that passed the scan as Python strings.

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
    compiled, units = _compiled(topics)
    # Output names: topics, or (level="group") groups and ungrouped topics, in dictionary order.
    labels = [t.name if level == "topic" or t.group is None else t.group for t in compiled]
    names = list(dict.fromkeys(labels))
    topic_out = np.array([names.index(x) for x in labels], dtype=np.int64)
    include_topic = np.full(len(units), -1, dtype=np.int64)
    for i, t in enumerate(compiled):
        include_topic[t.include] = i
    count_columns = ["n_title", "n_lede", "n_body", *(f"n_{f}" for f in fields)]
    n_parts = len(count_columns)

    arrow_columns = [_arrow_texts(articles[c]) for c in ("title", "text", *fields)]
    # Only the articles where some entry's literal occurs go to the token matcher (and become
    # Python strings): on a large corpus and a small dictionary, a small part of it.
    rows = _prefilter(arrow_columns, units)
    if rows is not None:
        arrow_columns = [c.take(pa.array(rows)) for c in arrow_columns]
    columns = [_arrow_list(c) for c in arrow_columns]
    del arrow_columns
    # The first paragraph is found per batch with numpy; sentences need Python here.
    lede_ends = None if lede == "paragraph" else np.array([_lede_end(t, lede) for t in columns[1]], dtype=np.int64)
    sizes = np.array([len(t) for t in columns[1]], dtype=np.int64)
    for column in columns[:1] + columns[2:]:
        sizes += np.array([len(t) for t in column], dtype=np.int64)
    spans = _batch_spans(sizes)

    def run(span: tuple[int, int]) -> tuple[np.ndarray, ...]:
        return _batch(columns, span[0], span[1], lede_ends, units, compiled, include_topic,
                      topic_out, len(names), n_parts)

    workers = min(_workers(), len(spans))
    if workers > 1:
        # numpy and pyarrow release the GIL in the kernels that take the time, so threads
        # over batches of articles use the cores without copying the texts to processes.
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="match_topics") as pool:
            chunks = list(pool.map(run, spans))
    else:
        chunks = [run(span) for span in spans]
    chunks = [c for c in chunks if len(c[0])]
    if not chunks:
        return _empty_result(count_columns)
    doc = np.concatenate([c[0] for c in chunks])
    out_idx = np.concatenate([c[1] for c in chunks])
    counts = np.concatenate([c[2] for c in chunks])
    matched = pa.chunked_array([c[3] for c in chunks], type=pa.large_string())
    if rows is not None:
        doc = rows[doc]
    result = pd.DataFrame({
        "doc_id": articles["doc_id"].take(doc).reset_index(drop=True),
        "topic": pd.Series(pd.array(pa.array(names, type=pa.large_string()).take(pa.array(out_idx)), dtype="str")),
    })
    for j, column in enumerate(count_columns):
        result[column] = counts[:, j].astype("int64")
    result["n"] = counts.sum(axis=1).astype("int64")
    result["matched"] = pd.Series(pd.array(matched, dtype="str"))
    log.debug("match_topics: %d article-%s pairs from %d articles", len(result), level, len(articles))
    return result


_COMPILED: dict[str, tuple[list[_Topic], list[_Unit]]] = {}  # a mapping's repr -> its compiled form


def _compiled(topics: str | Path | Mapping[str, Any] | pd.DataFrame) -> tuple[list[_Topic], list[_Unit]]:
    """The compiled dictionary. A mapping is checked and compiled once per content: notebooks
    match the same dictionary again and again, and checking 10,000 entries takes a while."""
    key = None
    if type(topics) is dict:
        # Plain data (str, list, dict, bool, as YAML gives): repr tells contents apart.
        key = repr(topics)
    if key is not None and key in _COMPILED:
        return _COMPILED[key]
    result = _compile(_as_table(topics))
    if key is not None:
        if len(_COMPILED) >= 16:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = result
    return result


def _workers() -> int:
    """Threads for match_topics: the cores this process may use (TOOLKIT_THREADS overrides).

    Called from a thread other than the main one (a Dask task, a user's pool), it runs on that
    thread alone, so that parallel callers do not multiply the threads."""
    wanted = os.environ.get("TOOLKIT_THREADS", "")
    if wanted.strip().isdigit() and int(wanted) >= 1:
        return int(wanted)
    if threading.current_thread() is not threading.main_thread():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, _MAX_THREADS))


def _batch_spans(sizes: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive (begin, stop) article ranges of at most _BATCH_CHARS characters each (or one
    article), and at least one per thread when the texts are large enough to be worth it."""
    n_docs = len(sizes)
    if not n_docs:
        return []
    cum = np.concatenate(([0], np.cumsum(sizes)))
    total = int(cum[-1])
    limit = _BATCH_CHARS
    workers = _workers()
    if workers > 1 and total >= _PARALLEL_CHARS:
        # k batches, a multiple of the threads: greedy packing up to total/k + the longest
        # article makes at most k of them.
        k = workers * -(-total // (workers * _BATCH_CHARS))
        limit = min(limit, total // k + int(sizes.max()))
    spans = []
    begin = 0
    while begin < n_docs:
        stop = int(np.searchsorted(cum, cum[begin] + limit, "right")) - 1
        stop = min(max(stop, begin + 1), n_docs)
        spans.append((begin, stop))
        begin = stop
    return spans


def _batch(
    columns: list[list[str]], begin: int, stop: int, lede_ends: np.ndarray | None, units: Sequence[_Unit],
    compiled: Sequence[_Topic], include_topic: np.ndarray, topic_out: np.ndarray, n_out: int,
    n_parts: int,
) -> tuple[np.ndarray, ...]:
    """Rows for articles ``begin:stop``: doc, output name, counts per part, evidence."""
    pieces = [t for column in columns for t in column[begin:stop]]
    lengths = np.array([len(t) + 1 for t in pieces], dtype=np.int64)  # + the separator
    seg_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    tokens = _Tokens(_SEP.join(pieces))
    n = stop - begin
    if lede_ends is None:
        ledes = _paragraph_ends(tokens, columns[1][begin:stop], seg_start[n : 2 * n])
    else:
        ledes = lede_ends[begin:stop]
    tokens.cp = tokens.cls = None  # 5 bytes a character, not needed further
    (unit, start, end, evidence), strings = _match_batch(tokens, units)
    del tokens
    keep = _drop_excluded(compiled, unit, start, end)
    unit, start, evidence = unit[keep], start[keep], evidence[keep]
    if not len(unit):
        return (np.zeros(0, dtype=np.int64),) * 3 + (pa.array([], type=pa.large_string()),)
    seg = np.searchsorted(seg_start, start, "right") - 1
    field, doc = seg // n, seg % n
    # Parts: 0 title, 1 lede, 2 body, 3... further fields.
    part = np.where(field == 0, 0, np.where(field == 1, 1, field + 1))
    in_text = field == 1
    part[in_text & (start - seg_start[seg] >= ledes[doc])] = 2
    rows_doc, rows_out, counts, joined = _assemble(
        doc, topic_out[include_topic[unit]], part, evidence, strings, n_out, n_parts
    )
    return rows_doc + begin, rows_out, counts, joined
