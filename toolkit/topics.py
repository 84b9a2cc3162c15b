"""Topic dictionaries and matching them against articles.

A topic dictionary maps a topic name to the words that signal it. It is written in YAML (or
given as a Python dict) in one of two forms::

    South Korea:            # topic -> list of entries
      - South Korea         # several words: a phrase
      - South Korean*       # "*" at the end of a word: a glob (any ending of that word)
      - Seoul               # one word: a term
    Japan:                  # topic -> mapping
      terms: [Japan, Japanese, Tokyo, Kishida*]
      exclude: [Japan Airlines]     # hits inside these phrases do not count
      case_sensitive: false         # the default

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
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit.errors import ParameterError, SchemaError, TopicsError

log = logging.getLogger(__name__)

__all__ = ["TOPIC_COLUMNS", "load_topics", "match_topics", "topic_regex"]

#: Columns of the table :func:`load_topics` returns.
TOPIC_COLUMNS: tuple[str, ...] = ("topic", "pattern", "kind", "exclude", "case_sensitive")

_MAPPING_KEYS = ("terms", "exclude", "case_sensitive")

# A "word character" for boundaries: a Unicode letter or digit (not "_", which never occurs in
# running text and would otherwise make "_Japan_" unmatchable).
_WORD = r"[^\W_]"
_BEFORE = rf"(?<!{_WORD})"
_AFTER = rf"(?!{_WORD})"
_HYPHENS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen (not dashes: "–" is punctuation)
_HYPHEN = r"[\-\u2010\u2011]"
_APOSTROPHES = "'\u2019\u02bc"  # straight, right single quotation mark, modifier letter apostrophe
# Between the words of a phrase: any whitespace run (line breaks too) or one hyphen.
_PHRASE_GAP = rf"(?:\s+|{_HYPHEN})"
# A hyphen written inside a word: a hyphen, whitespace, or nothing ("Jae-in", "Jae in", "Jaein").
_WORD_HYPHEN = rf"(?:{_HYPHEN}|\s+)?"


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
    for word in pattern.split(" "):
        if "*" in word[:-1]:
            raise ValueError(
                f"'*' may only end a word (a glob such as 'Kishida*'), but the word {word!r} has it "
                "elsewhere"
            )
        if word == "*" or not re.search(_WORD, word.rstrip("*")):
            raise ValueError(
                f"the word {word!r} has no letters or digits; a glob needs a stem such as 'Kishida*'"
            )
    kind = "glob" if "*" in pattern else "phrase" if " " in pattern else "term"
    return pattern, kind


def _rows_for_topic(topic: object, value: object, where: str) -> list[tuple[str, str, str, bool, bool]]:
    if not isinstance(topic, str) or not topic.strip():
        raise TopicsError(
            f"{where}: topic name {topic!r} is not valid: expected a non-empty string. "
            "Quote names that YAML reads as numbers or booleans (e.g. \"2022\", \"No\")."
        )
    name = topic.strip()
    case_sensitive = False
    excludes: list[object] = []
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in _MAPPING_KEYS]
        if unknown:
            raise TopicsError(
                f"{where}: topic {name!r} has unknown key(s) {unknown}; expected only "
                f"{list(_MAPPING_KEYS)} (e.g. terms: [Japan, Tokyo])."
            )
        if "terms" not in value:
            raise TopicsError(f"{where}: topic {name!r} has no 'terms' list; expected e.g. terms: [Japan, Tokyo].")
        terms = value["terms"]
        raw_excludes = value.get("exclude")
        if raw_excludes is None:
            excludes = []
        elif isinstance(raw_excludes, list):
            excludes = raw_excludes
        else:
            raise TopicsError(
                f"{where}: topic {name!r}: 'exclude' must be a list of entries, got "
                f"{type(raw_excludes).__name__} {raw_excludes!r}; write exclude: [Japan Airlines]."
            )
        case_sensitive = value.get("case_sensitive", False)
        if not isinstance(case_sensitive, bool):
            raise TopicsError(
                f"{where}: topic {name!r}: 'case_sensitive' must be true or false, got {case_sensitive!r}."
            )
    else:
        terms = value
    if terms is None or (isinstance(terms, list) and not terms):
        raise TopicsError(
            f"{where}: topic {name!r} is empty; expected at least one term, phrase or glob "
            "(e.g. - Japan). Remove the topic or give it entries."
        )
    if not isinstance(terms, list):
        raise TopicsError(
            f"{where}: topic {name!r} must be a list of entries or a mapping with 'terms', got "
            f"{type(terms).__name__} {terms!r}. Write one entry per line as '- Japan'."
        )
    rows = []
    for is_exclude, entries in ((False, terms), (True, excludes)):
        label = "exclude entry" if is_exclude else "entry"
        for i, entry in enumerate(entries, start=1):
            try:
                pattern, kind = _check_entry(entry)
            except ValueError as exc:
                raise TopicsError(f"{where}: topic {name!r}, {label} {i} ({entry!r}): {exc}.") from None
            rows.append((name, pattern, kind, is_exclude, case_sensitive))
    return rows


def _table(rows: list[tuple[str, str, str, bool, bool]]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [[]] * len(TOPIC_COLUMNS)
    return pd.DataFrame({
        "topic": pd.Series(columns[0], dtype="str"),
        "pattern": pd.Series(columns[1], dtype="str"),
        "kind": pd.Series(columns[2], dtype="str"),
        "exclude": pd.Series(columns[3], dtype="bool"),
        "case_sensitive": pd.Series(columns[4], dtype="bool"),
    })


def load_topics(source: str | Path | Mapping[str, Any]) -> pd.DataFrame:
    """Read a topic dictionary (a YAML file or a mapping) into a tidy table.

    Parameters
    ----------
    source
        Path of a YAML file, or a mapping in the same shape: topic -> list of entries, or
        topic -> ``{"terms": [...], "exclude": [...], "case_sensitive": bool}``.

    Returns
    -------
    pandas.DataFrame
        One row per entry, in dictionary order: ``topic``, ``pattern`` (as written, whitespace
        collapsed), ``kind`` (``"term"``, ``"phrase"`` or ``"glob"``), ``exclude`` (True for
        exclusion entries), ``case_sensitive``.

    Raises
    ------
    TopicsError
        When the file is missing or not valid YAML (with its line), a topic is repeated, the top
        level is not a mapping, a topic is empty, an entry is not a string, a mapping has an
        unknown key, or ``*`` appears inside a word. The message names the file, the topic and
        the entry.

    Examples
    --------
    >>> load_topics({"Japan": ["Japan", "Kishida*"], "Korea": ["South Korea"]})[["topic", "pattern", "kind"]]
       topic      pattern    kind
    0  Japan        Japan    term
    1  Japan     Kishida*    glob
    2  Korea  South Korea  phrase
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
    rows: list[tuple[str, str, str, bool, bool]] = []
    seen: set[str] = set()
    for topic, value in data.items():
        topic_rows = _rows_for_topic(topic, value, where)
        name = topic_rows[0][0]
        if name in seen:  # only possible for a mapping whose keys differ by surrounding spaces
            raise TopicsError(f"{where}: topic {name!r} is given twice; merge its entries into one list.")
        seen.add(name)
        rows.extend(topic_rows)
    return _table(rows)


def _as_table(topics: str | Path | Mapping[str, Any] | pd.DataFrame) -> pd.DataFrame:
    if not isinstance(topics, pd.DataFrame):
        return load_topics(topics)
    missing = [c for c in TOPIC_COLUMNS if c not in topics.columns]
    if missing:
        raise SchemaError(
            f"topics table lacks the column(s) {missing}; expected {list(TOPIC_COLUMNS)} as made by "
            "toolkit.topics.load_topics(path). Pass the YAML path or mapping instead."
        )
    if topics.empty:
        raise TopicsError("topics table has no rows; expected at least one topic entry.")
    for row in topics.itertuples(index=False):
        try:
            _check_entry(row.pattern)
        except ValueError as exc:
            raise TopicsError(f"topics table: topic {row.topic!r}, entry {row.pattern!r}: {exc}.") from None
    return topics


# ----------------------------------------------------------------------------------------------
# Matching
# ----------------------------------------------------------------------------------------------


def _ordered(patterns: Sequence[str]) -> list[str]:
    checked = []
    for p in dict.fromkeys(patterns):
        try:
            checked.append(_check_entry(p)[0])
        except ValueError as exc:
            raise TopicsError(f"entry {p!r}: {exc}.") from None
    # Python's re takes the first alternative that matches, not the longest: order by the number
    # of word parts (hyphen parts count) and then by length, so that at one position the longer
    # reading wins ("South Korean*" before "South Korea", "Jae-in" before "Jae").
    return sorted(
        dict.fromkeys(checked),
        key=lambda p: (-len(re.split(rf"(?:\s|{_HYPHEN})+", p)), -len(p.rstrip("*")), "*" in p, p),
    )


def topic_regex(patterns: Sequence[str], *, case_sensitive: bool = False) -> re.Pattern[str]:
    """Compile entries into one boundary-aware alternation, longest alternatives first.

    This is the exact definition of a hit; :func:`match_topics` uses it (with a token index to
    skip texts and positions where no entry can start) and gives the same matches as
    ``finditer`` with this pattern.

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


_TOKEN = re.compile(rf"{_WORD}+")
_LEAD = re.compile(rf"(?:{_WORD}|{_HYPHEN})*")


def _start_keys(pattern: str) -> tuple[set[str], set[str]] | None:
    """Lower-cased tokens a hit of ``pattern`` can start with: (exact tokens, token prefixes).

    A hit starts at the start of a run of letters and digits (a token); which tokens are possible
    follows from the entry's first word. ``None`` when the entry starts with another character
    ("#MeToo"), so that its topic must be scanned with the full regex.
    """
    first = pattern.split(" ")[0]
    glob = first.endswith("*")
    stem = first.rstrip("*")
    lead = _LEAD.match(stem).group()
    parts = [p for p in re.split(_HYPHEN, lead.lower())]
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


@dataclass(frozen=True)
class _CompiledTopic:
    name: str
    entries: tuple[str, ...]  # longest first, the order of the alternation
    flags: int
    include: re.Pattern[str]  # the whole alternation, with its leading boundary
    exclude: re.Pattern[str] | None
    keys: tuple[tuple[set[str], set[str]] | None, ...]  # per entry: (exact, prefix) start tokens
    scan_all: bool  # an entry can start with a non-word character: scan the whole text


def _compile(table: pd.DataFrame) -> list[_CompiledTopic]:
    compiled = []
    for name, rows in table.groupby("topic", sort=False):
        case_sensitive = bool(rows["case_sensitive"].any())
        include = rows.loc[~rows["exclude"].astype(bool), "pattern"].tolist()
        exclude = rows.loc[rows["exclude"].astype(bool), "pattern"].tolist()
        if not include:
            raise TopicsError(f"topics table: topic {name!r} has only exclude entries; expected at least one term.")
        full = topic_regex(include, case_sensitive=case_sensitive)
        entries = tuple(_ordered(include))
        keys = tuple(_start_keys(e) for e in entries)
        compiled.append(_CompiledTopic(
            name=str(name),
            entries=entries,
            flags=full.flags,
            include=full,
            exclude=topic_regex(exclude, case_sensitive=case_sensitive) if exclude else None,
            keys=keys,
            scan_all=any(k is None for k in keys),
        ))
    return compiled


class _TokenIndex:
    """For a token, the topics whose hits can start there, with a regex of just those entries.

    Scanning every text with every topic's alternation costs time in proportion to text length
    x topics x entries. Instead, one pass finds the tokens (runs of letters and digits), a hash
    lookup per distinct token gives the entries that can start with it, and only those are tried,
    anchored at that token. Trying the entries that can start at a position in the alternation's
    order gives exactly the match the whole alternation would give there.
    """

    def __init__(self, topics: Sequence[_CompiledTopic]):
        self.topics = topics
        self.exact: dict[str, list[tuple[int, int]]] = {}
        self.prefix: dict[int, dict[str, list[tuple[int, int]]]] = {}
        for i, topic in enumerate(topics):
            if topic.scan_all:
                continue
            for rank, keys in enumerate(topic.keys):
                assert keys is not None
                for key in keys[0]:
                    self.exact.setdefault(key, []).append((i, rank))
                for key in keys[1]:
                    self.prefix.setdefault(len(key), {}).setdefault(key, []).append((i, rank))
        self.cache: dict[str, tuple[tuple[int, re.Pattern[str]], ...]] = {}
        self.patterns: dict[tuple[int, tuple[int, ...]], re.Pattern[str]] = {}

    def lookup(self, token: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
        found = self.cache.get(token)
        if found is None:
            low = token.lower()
            hits = list(self.exact.get(low, ()))
            for length, keys in self.prefix.items():
                if len(low) >= length:
                    hits.extend(keys.get(low[:length], ()))
            by_topic: dict[int, set[int]] = {}
            for i, rank in hits:
                by_topic.setdefault(i, set()).add(rank)
            found = self.cache[token] = tuple(
                (i, self._pattern(i, tuple(sorted(ranks)))) for i, ranks in sorted(by_topic.items())
            )
        return found

    def _pattern(self, i: int, ranks: tuple[int, ...]) -> re.Pattern[str]:
        pattern = self.patterns.get((i, ranks))
        if pattern is None:
            topic = self.topics[i]
            body = "|".join(_entry_regex(topic.entries[r]) for r in ranks)
            # No leading boundary: the match starts at a token start, which is one.
            pattern = self.patterns[(i, ranks)] = re.compile(f"(?:{body}){_AFTER}", topic.flags)
        return pattern


def _field_hits(index: _TokenIndex, text: str) -> dict[int, list[str]]:
    """Matched strings per topic index in one text, after exclusions."""
    starts: dict[int, list[tuple[int, re.Pattern[str]]]] = {}
    lookup = index.lookup
    for m in _TOKEN.finditer(text):
        for i, pattern in lookup(m.group()):
            starts.setdefault(i, []).append((m.start(), pattern))
    out: dict[int, list[str]] = {}
    for i, topic in enumerate(index.topics):
        if topic.scan_all:
            spans = [m.span() for m in topic.include.finditer(text)]
        elif i in starts:
            # The same hits as topic.include.finditer(text): left to right, no overlaps.
            spans, end = [], -1
            for pos, pattern in starts[i]:
                if pos < end:
                    continue
                m = pattern.match(text, pos)
                if m:
                    spans.append(m.span())
                    end = m.end()
        else:
            continue
        if spans and topic.exclude is not None:
            blocked = [m.span() for m in topic.exclude.finditer(text)]
            spans = [(s, e) for s, e in spans if not any(bs <= s and e <= be for bs, be in blocked)]
        if spans:
            out[i] = [text[s:e] for s, e in spans]
    return out


def match_topics(
    articles: pd.DataFrame,
    topics: str | Path | Mapping[str, Any] | pd.DataFrame,
    *,
    fields: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    """Find which articles mention which topics, counting hits per field.

    Parameters
    ----------
    articles
        An articles table; needs ``doc_id`` and the ``fields`` columns (missing text counts as
        empty). It is not modified.
    topics
        A YAML path, a mapping, or the table from :func:`load_topics`.
    fields
        Text columns to search, each counted separately.

    Returns
    -------
    pandas.DataFrame
        One row per (article, topic) with at least one hit, in article then dictionary order:
        ``doc_id``, ``topic``, ``n_<field>`` for each field (hits in that field), ``n`` (their
        sum) and ``matched`` (the distinct matched strings, lower-cased with whitespace
        collapsed, sorted and joined by ``"; "``, as evidence). See the module docstring for
        the matching rules.

    Raises
    ------
    SchemaError
        When ``doc_id`` or a field is missing, or ``doc_id`` is repeated.
    TopicsError
        When the dictionary is malformed.

    Notes
    -----
    Speed (BBC corpus, 2,225 articles, 5 MB, title and text, one core): about 1 s for 5 topics
    x 10 entries, 1.2 s for 50 x 20 and 5 s for 50 x 200 common words (1.4 million hits). Most
    of the time is the one pass that finds tokens; the cost grows with hits, not entries.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "title": ["Japan's PM", "Weather"],
    ...                      "text": ["Japanese and Japan-based firms.", "Sunny."]})
    >>> match_topics(arts, {"Japan": ["Japan"]})
      doc_id  topic  n_title  n_text  n matched
    0      a  Japan        1       1  2   japan
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(f"articles must be a pandas DataFrame, got {type(articles).__name__}.")
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(fields)
    if not fields or len(set(fields)) != len(fields):
        raise ParameterError("fields", fields, "one or more distinct text columns, e.g. ('title', 'text')")
    missing = [c for c in ("doc_id", *fields) if c not in articles.columns]
    if missing:
        raise SchemaError(
            f"articles lacks the column(s) {missing} needed to match topics (fields={list(fields)}); "
            f"it has {list(articles.columns)}. Choose fields among its text columns."
        )
    if articles["doc_id"].duplicated().any():
        dup = articles.loc[articles["doc_id"].duplicated(), "doc_id"].unique()[:5].tolist()
        raise SchemaError(f"articles.doc_id must be unique; repeated: {dup}.")
    compiled = _compile(_as_table(topics))
    index = _TokenIndex(compiled)
    texts = [[v if isinstance(v, str) else "" for v in articles[f].tolist()] for f in fields]
    positions: list[int] = []
    names: list[str] = []
    counts: list[list[int]] = [[] for _ in fields]
    evidence: list[str] = []
    for row in range(len(articles)):
        per_field = [_field_hits(index, column[row]) for column in texts]
        for i in sorted(set().union(*per_field)):
            positions.append(row)
            names.append(compiled[i].name)
            distinct: set[str] = set()
            for j, hits in enumerate(per_field):
                found = hits.get(i, [])
                counts[j].append(len(found))
                distinct.update(found)
            distinct = {" ".join(h.lower().split()) for h in distinct}
            evidence.append("; ".join(sorted(distinct)))
    out = pd.DataFrame({
        "doc_id": articles["doc_id"].take(positions).reset_index(drop=True),
        "topic": pd.Series(names, dtype="str"),
    })
    for field, column in zip(fields, counts, strict=True):
        out[f"n_{field}"] = pd.Series(column, dtype="int64")
    out["n"] = out[[f"n_{f}" for f in fields]].sum(axis=1).astype("int64")
    out["matched"] = pd.Series(evidence, dtype="str")
    log.debug("match_topics: %d article-topic pairs from %d articles", len(out), len(articles))
    return out
