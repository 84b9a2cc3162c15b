"""Tabular readers: CSV/TSV, JSON, JSON Lines and Parquet exports of news articles.

Every reader maps the file's own column names onto the articles table (see
:data:`COLUMN_ALIASES`), keeps every other column under its own name (``reliability``,
``country``, ... so that a user can group by it) and yields one dict per article with
``source_line`` (the 1-based physical line where a CSV/JSON record starts, or the row number in
a Parquet file) and ``record_id`` (the source's own id, as a string) when the file has one.
``published`` is passed on raw; ``load_corpus`` parses every date in one place.

Column matching
    A column matches an alias when both agree after lower-casing and dropping everything but
    letters and digits, so ``Publish Date``, ``publish_date``, ``publishDate`` and
    ``PUBLISH-DATE`` are the same name. For each canonical column the first alias present wins;
    a source column is used at most once. ``columns=`` (canonical name -> source column) wins
    over detection; mapping a canonical name to ``None`` says the file has no such column
    (e.g. ``columns={"text": None}`` for a headlines-only corpus, which is otherwise refused
    because it has no text column).

Values
    Strings are stripped and empty strings become missing. Author fields that hold a list,
    or a Python/JSON list written as a string (``"['A', 'B']"``, ``"[‘A']"``, ``"[]"``, and
    the malformed variants scrapers write), become one byline string joined with ``"; "``.
    A list of strings in another text column is joined (paragraphs of ``text`` with a blank
    line), and a dict such as ``{"name": "BBC", "url": ...}`` is flattened to its name.
    An unnamed leading index column (``""``, ``Unnamed: 0``, pandas' ``__index_level_0__``) is
    dropped and counted. A kept column whose name would clash with a canonical one that came
    from another column is renamed ``extra_<name>``.

Records with neither a title nor a text are skipped (``"no title or text"``); a file in which
no column can hold the text is refused with a :class:`~toolkit.errors.LoadError` that lists the
file's columns and shows the ``columns=`` fix.

Reader options (``load_corpus(..., delimiter=";")`` passes them through ``ctx.options``):
``delimiter`` for CSV (default: ``"\\t"`` for ``.tsv``, else sniffed from the header line among
``, ; \\t |``) and ``records_key`` for JSON (the key, or dotted path such as
``"response.docs"``, that holds the list of articles; default: detected, see
:data:`JSON_RECORD_KEYS`).
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import itertools
import json
import logging
import math
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import LoadError, ParameterError, one_of
from toolkit.load.registry import ReadContext, Record
from toolkit.schema import ARTICLE_COLUMNS

logger = logging.getLogger(__name__)

#: Canonical column -> source column names recognised for it, in order of preference.
#: Matching ignores case and any character that is not a letter or a digit.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "body_text", "content", "article", "full_text", "story",
             "article_text", "maintext"),
    "title": ("title", "headline", "head", "name"),
    "published": ("published", "publish_date", "published_at", "pub_date", "date", "datetime",
                  "timestamp", "pubdate", "created_at", "date_published", "published_date"),
    "outlet": ("outlet", "publisher", "source", "media", "media_name", "site", "site_name",
               "publication", "newspaper"),
    "byline": ("byline", "author", "authors", "by", "writer"),
    "url": ("url", "link", "canonical_url", "article_url"),
    "subtitle": ("subtitle", "dek", "standfirst", "description", "summary"),
    "lang": ("lang", "language"),
    "section": ("section", "category"),
    "dateline": ("dateline",),
    "wire": ("wire", "agency", "news_agency"),
    "image_credit": ("image_credit", "photo_credit"),
    "record_id": ("record_id", "id", "doc_id", "news_id", "article_id", "stories_id", "guid"),
}

#: Keys of a top-level JSON object under which a list of articles is looked for, in order.
#: A value that is itself an object is searched the same way (``{"response": {"docs": [...]}}``).
JSON_RECORD_KEYS: tuple[str, ...] = (
    "articles", "data", "items", "results", "stories", "records", "documents", "docs", "news",
    "entries", "posts", "rows", "response",
)

# Names a kept extra column must not take: they are produced by the reader or load_corpus.
_RESERVED = frozenset(ARTICLE_COLUMNS) | {"record_id"}
# Column names pandas and spreadsheet exports give an unnamed index.
_INDEX_NAME = re.compile(r"|unnamed:\s*0|__index_level_0__", re.IGNORECASE)
_QUOTES = "'\"‘’‚‛“”„‟`´"
# Between two names of a broken list string: a quote, commas, a quote (either quote may be
# missing, not both), so "O'Brien" and "Sanders, M.D." are not split.
_NAME_SPLIT = re.compile(
    rf"\s*[{_QUOTES}]\s*,+\s*[{_QUOTES}]?\s*|\s*,+\s*[{_QUOTES}]\s*"
)
_DICT_NAME_KEYS = ("name", "title", "value", "label", "display_name", "#text")
_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file: name it .parquet or pass format='parquet'"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook?): export the sheet as CSV"),
    (b"\x1f\x8b", "gzip-compressed: decompress it first"),
    (b"SQLite format 3", "an SQLite database, not a text export"),
)
_CSV_DELIMITERS = (",", ";", "\t", "|")
_csv_limit_raised = False


def _key(name: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


_ALIAS_KEYS: dict[str, tuple[str, ...]] = {
    canonical: tuple(_key(a) for a in aliases) for canonical, aliases in COLUMN_ALIASES.items()
}


# --------------------------------------------------------------------------- values


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _flatten(value: Any) -> Any:
    """A dict's obvious name (``{"name": "BBC", ...}`` -> ``"BBC"``), else the dict."""
    if isinstance(value, dict):
        for key in _DICT_NAME_KEYS:
            inner = value.get(key)
            if isinstance(inner, str):
                return inner
    return value


def _list_items(text: str) -> list[str]:
    """The names in a list written as a string, tolerating the ways scrapers break them."""
    if text.startswith("[") and text.endswith("]") and len(text) < 100_000:
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            parsed = None
        if isinstance(parsed, list | tuple):
            return [n for item in parsed for n in _names(item)]
    inner = text.strip("[] \t\r\n" + _QUOTES)
    return [part.strip("[] \t\r\n" + _QUOTES) for part in _NAME_SPLIT.split(inner)]


def _names(value: Any) -> list[str]:
    value = _flatten(value)
    if _missing(value):
        return []
    if isinstance(value, list | tuple):
        return [n for item in value for n in _names(item)]
    text = str(value).strip()
    if text.startswith("[") or text.endswith("]"):
        return [n for n in _list_items(text) if n]
    return [text] if text else []


def clean_byline(value: Any) -> str | None:
    """One byline string from an author field: names joined with ``"; "``, or ``None``.

    Accepts a string, a list (of strings or ``{"name": ...}`` dicts) or a list written as a
    string, including malformed ones with curly or missing quotes. Repeated names are kept once.

    Parameters
    ----------
    value
        The raw author value of one record.

    Returns
    -------
    str or None
        ``None`` when no name is left.

    Examples
    --------
    >>> clean_byline("['Ann Lee', 'Bo Park']")
    'Ann Lee; Bo Park'
    >>> clean_byline("[‘Ann Lee']"), clean_byline("[]"), clean_byline(["Ann Lee", {"name": "Bo Park"}])
    ('Ann Lee', None, 'Ann Lee; Bo Park')
    """
    names = list(dict.fromkeys(n for n in (" ".join(n.split()) for n in _names(value)) if n))
    return "; ".join(names) if names else None


def _clean_published(value: Any) -> Any:
    while isinstance(value, dict) and len(value) == 1 and next(iter(value)) in (
            "$date", "$numberLong"):
        value = next(iter(value.values()))  # MongoDB extended JSON
    if _missing(value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _clean_id(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("$oid"), str):
        value = value["$oid"]  # MongoDB extended JSON
    value = _flatten(value)
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.strip() if isinstance(value, str) else str(value)
    return text or None


def _clean_textual(joiner: str) -> Callable[[Any], Any]:
    def clean(value: Any) -> Any:
        value = _flatten(value)
        if _missing(value):
            return None
        if isinstance(value, list | tuple):
            parts = [p for p in (clean(v) for v in value) if isinstance(p, str)]
            return joiner.join(parts) if parts else None
        if isinstance(value, dict):
            return value  # no obvious flattening: kept, validate_articles names it
        text = value if isinstance(value, str) else str(value)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text.strip() or None

    return clean


def _clean_extra(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return None if _missing(value) else value


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "byline": clean_byline,
    "published": _clean_published,
    "record_id": _clean_id,
    "text": _clean_textual("\n\n"),
}
_DEFAULT_CLEANER = _clean_textual("; ")


# --------------------------------------------------------------------------- columns


def detect_columns(names: Sequence[str]) -> dict[str, str]:
    """Map canonical column names to the source columns auto-detection would use.

    Parameters
    ----------
    names
        The file's column names (or JSON keys), in file order.

    Returns
    -------
    dict
        canonical name -> source column, for the canonical names found (see
        :data:`COLUMN_ALIASES`).

    Examples
    --------
    >>> detect_columns(["Unnamed: 0", "Headline", "Body Text", "publishDate", "country"])
    {'text': 'Body Text', 'title': 'Headline', 'published': 'publishDate'}
    """
    return _detect(names, taken=set())


def _detect(names: Sequence[str], taken: set[str]) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(_key(name), name)
    found: dict[str, str] = {}
    for canonical, keys in _ALIAS_KEYS.items():
        for key in keys:
            name = by_key.get(key)
            if name is not None and name not in taken:
                found[canonical] = name
                taken.add(name)
                break
    return found


class _Plan:
    """Which source column feeds which output key, and how its values are cleaned."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.fields = fields
        self.cleaners = [
            _CLEANERS.get(out, _DEFAULT_CLEANER) if out in COLUMN_ALIASES else _clean_extra
            for out, _ in fields
        ]

    def record(self, get: Callable[[Any], Any], keys: Sequence[Hashable]) -> Record:
        return {
            out: clean(get(key))
            for (out, _), key, clean in zip(self.fields, keys, self.cleaners, strict=True)
        }


def _plan(names: Sequence[str], ctx: ReadContext, *, noun: str = "column") -> _Plan:
    """Match the file's columns to the articles table; raise when no column can hold text."""
    names = list(names)
    mapping: dict[str, str | None] = {}
    for canonical, source in check_columns(ctx.columns).items():
        if source is None:
            mapping[canonical] = None
            continue
        match = source if source in names else next(
            (n for n in names if n.casefold() == source.casefold()), None)
        if match is None:
            raise LoadError(
                ctx.path,
                f"columns={{{canonical!r}: {source!r}}}: the file has no {noun} {source!r}; "
                f"its {noun}s are {names}. Fix the mapping or leave {canonical!r} out to "
                "auto-detect it.",
            )
        mapping[canonical] = match
    taken = {s for s in mapping.values() if s is not None}
    detected = _detect([n for n in names if n not in taken], taken=set(taken))
    for canonical, source in detected.items():
        mapping.setdefault(canonical, source)
    if mapping.get("text") is None and "text" not in mapping:
        raise LoadError(
            ctx.path,
            f"no text {noun}: none of the {noun}s {names} is a known name for the article "
            f"text ({', '.join(COLUMN_ALIASES['text'])}). Name it with "
            f"columns={{'text': '<{noun}>'}}, or pass columns={{'text': None}} to load "
            "titles only.",
        )
    if mapping.get("text") is None and mapping.get("title") is None:
        raise LoadError(ctx.path, f"no title or text {noun} among {names}")
    fields = [(canonical, source) for canonical, source in mapping.items() if source is not None]
    used = {source for _, source in fields}
    outputs = {canonical for canonical, _ in fields}
    for name in names:
        if name in used:
            continue
        out = name
        if out in _RESERVED or out in outputs:
            out = f"extra_{name}"
            ctx.count("columns_renamed_extra")
        fields.append((out, name))
        outputs.add(out)
    logger.debug("%s: columns %s", ctx.path, {o: s for o, s in fields if o != s})
    return _Plan(fields)


def check_columns(columns: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """Check a ``columns=`` mapping (canonical name -> source column) before any file is read.

    Keys must be canonical names (:data:`COLUMN_ALIASES`; ``doc_id`` is read as ``record_id``),
    values column names or ``None`` ("the file has no such column").

    Raises
    ------
    ParameterError
        Naming the bad key, listing the valid ones and guessing the intended mapping (a
        reversed ``{"headline": "title"}`` gets "did you mean {'title': 'headline'}?").

    Examples
    --------
    >>> check_columns({"doc_id": "news_id", "text": "body_text"})
    {'record_id': 'news_id', 'text': 'body_text'}
    """
    out: dict[str, str | None] = {}
    for key, source in dict(columns or {}).items():
        canonical = "record_id" if key == "doc_id" else key
        if canonical not in COLUMN_ALIASES:
            if key in ("source_path", "source_line", "source_format"):
                hint = f"{key!r} is filled by the loader itself; leave it out."
            else:
                guess = next((c for c, keys in _ALIAS_KEYS.items() if _key(key) in keys), None)
                hint = "The mapping goes canonical name -> column in the file"
                hint += (f": did you mean {{{guess!r}: {key!r}}}?" if guess and source == guess
                         else f", e.g. {{{guess!r}: {key!r}}}." if guess else ".")
            raise ParameterError("columns", dict(columns or {}),
                                 f"keys that are canonical names, {one_of(COLUMN_ALIASES)} "
                                 f"(or 'doc_id'); {key!r} is not one", hint=hint)
        if source is not None and not (isinstance(source, str) and source):
            raise ParameterError("columns", dict(columns or {}),
                                 f"column names (or None) as values; {key!r} maps to {source!r}")
        out[canonical] = source
    return out


def _emit(plan: _Plan, get: Callable[[Any], Any], keys: Sequence[Hashable],
          line: int | None, ctx: ReadContext) -> Record | None:
    record = plan.record(get, keys)
    if record.get("text") is None and record.get("title") is None:
        ctx.skip_record(line, "no title or text")
        return None
    record["source_line"] = line
    return record


def _check_head(path: Path, kind: str) -> None:
    """Refuse files that are recognisably something else, with a hint, before decoding."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise LoadError(path, f"cannot be read: {exc.strerror or exc}") from None
    for magic, what in _MAGIC:
        if head.startswith(magic) and not (kind == "parquet" and magic == b"PAR1"):
            raise LoadError(path, f"not {kind} text but {what}")


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
            while new in seen:
                seen[name] += 1
                new = f"{name}.{seen[name]}"
            name = new
        seen.setdefault(name, 0)
        out.append(name)
    return out


# --------------------------------------------------------------------------- CSV


def _raise_csv_limit() -> None:
    # Article bodies exceed csv's default 128 KiB field limit; the limit is process-wide, so
    # it is raised once (never lowered) rather than swapped around each read.
    global _csv_limit_raised
    if not _csv_limit_raised:
        if csv.field_size_limit() < 2**31 - 1:
            csv.field_size_limit(2**31 - 1)
        _csv_limit_raised = True


def _sniff_delimiter(text: str) -> str:
    """The most frequent of , ; TAB | outside quotes in the first non-empty line."""
    header = next((line for line in text[:65536].split("\n") if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in _CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, ctx: ReadContext) -> Iterator[Record]:
    """Read a CSV or TSV export: one article per row.

    Quoted cells may span lines and be of any size; ``source_line`` is the physical line where
    the row starts, so a user can open the file there. A row with more cells than the header is
    skipped; one with fewer is padded (counted as ``csv_rows_padded``). A quoted cell left open
    at the end of the file would swallow every row after it: that row is skipped with its line.

    Parameters
    ----------
    path
        The file.
    ctx
        The read context (column mapping, error policy, counters).

    Yields
    ------
    dict
        One record per row (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text('headline,body,source\\nHi,"Line one\\nline two",Daily Bugle\\nBye,Text,X\\n')
    >>> [(r["title"], r["outlet"], r["source_line"]) for r in read_csv(p, ReadContext(p, p.parent))]
    [('Hi', 'Daily Bugle', 2), ('Bye', 'X', 4)]
    """
    path = Path(path)
    _check_head(path, "CSV")
    stream = _LineStream.open(path, ctx)
    text = "" if stream is not None else ctx.read_text(path)
    _raise_csv_limit()
    delimiter = ctx.options.get("delimiter") or ("\t" if path.suffix.lower() == ".tsv"
                                                 else _sniff_delimiter(stream.head if stream else text))
    if not (isinstance(delimiter, str) and len(delimiter) == 1):
        raise ParameterError("delimiter", delimiter, "a one-character string such as ',' or ';'")
    lines: Any = iter(stream) if stream is not None else io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter)
    end = 0
    header: list[str] | None = None
    pending: tuple[Record, int] | None = None
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if header is None:
                header = [c.strip().lstrip("\ufeff") for c in row]
                drop_index = len(header) > 1 and _INDEX_NAME.fullmatch(header[0]) is not None
                if drop_index:
                    ctx.count("csv_index_column_dropped")
                first = 1 if drop_index else 0
                names = _dedupe([c or f"column_{i + 1}" for i, c in enumerate(header)][first:])
                plan = _plan(names, ctx)
                position = {name: i + first for i, name in enumerate(names)}
                keys = [position[source] for _, source in plan.fields]
                width = len(header)
                continue
            if len(row) > width:
                ctx.skip_record(start, f"row has {len(row)} cells, the header has {width} "
                                       "(a stray quote or delimiter?)")
                continue
            if len(row) < width:
                ctx.count("csv_rows_padded")
                row = row + [""] * (width - len(row))
            record = _emit(plan, row.__getitem__, keys, start, ctx)
            if pending is not None:
                yield pending[0]
            pending = (record, start) if record is not None else None
    except csv.Error as exc:
        raise LoadError(path, f"not parseable as CSV: {exc}", line=reader.line_num) from None
    if header is None:
        raise LoadError(path, "empty file (no header row)")
    if pending is not None:
        record, start = pending
        if end > start and (stream.open_quote_at_end(start, delimiter) if stream is not None
                            else _open_quote_at_end(text, start, delimiter)):
            ctx.skip_record(start, f"a quoted cell opened in this row is never closed: it runs "
                                   f"to the end of the file (line {end})")
        else:
            yield record


#: CSV and JSON Lines files at least this big are read line by line (memory: one record at a
#: time, not the whole file); smaller ones are read whole, which is faster.
STREAM_MIN_BYTES = 32 * 2**20


class _LineStream:
    """The decoded lines of a big text file, read one at a time (line endings kept).

    The encoding is decided on the first MiB (a byte-order mark, else UTF-8 when that part is
    valid UTF-8, else by evidence as :func:`~toolkit.load.decode.decode_bytes` does); a later
    line that does not decode is decoded by evidence on its own and counted
    (``lines_decoded_apart``). Mojibake is repaired line by line.
    """

    def __init__(self, path: Path, ctx: ReadContext, encoding: str, skip: int, head: str):
        self.path, self.ctx, self.encoding, self.skip, self.head = path, ctx, encoding, skip, head

    @classmethod
    def open(cls, path: Path, ctx: ReadContext) -> _LineStream | None:
        """A stream for ``path`` when it is big and line-splittable, else ``None``."""
        import codecs

        from toolkit.load.decode import decode_bytes

        try:
            if path.stat().st_size < STREAM_MIN_BYTES:
                return None
            with open(path, "rb") as handle:
                head = handle.read(2**20)
        except OSError:
            return None
        skip = 0
        if head.startswith(codecs.BOM_UTF8):
            encoding, skip = "utf-8", 3
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None  # a line break is two bytes there: read whole
        else:
            cut = head[:head.rfind(b"\n") + 1] or head
            try:
                cut.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                try:
                    _, encoding = decode_bytes(cut, path=path)
                except LoadError:
                    return None  # binary: the whole-file path says so
                if encoding.replace("-", "").replace("_", "").lower().startswith("utf"):
                    return None
                ctx.count(f"decoded_{encoding.replace('-', '_')}")
        body = head[skip:]
        if re.search(rb"\r(?!\n)", body[:-1]):
            return None  # lone CR line ends: the whole-file path splits them
        return cls(path, ctx, encoding, skip, body.decode(encoding, errors="replace")[:65536])

    def __iter__(self) -> Iterator[str]:
        from toolkit.load.decode import _MOJIBAKE_HINT, decode_bytes, repair_mojibake

        encoding, ctx = self.encoding, self.ctx
        repaired = False
        with open(self.path, "rb") as handle:
            handle.seek(self.skip)
            for raw in handle:
                try:
                    line = raw.decode(encoding)
                except UnicodeDecodeError:
                    try:
                        line = decode_bytes(raw, path=self.path)[0]
                    except LoadError:
                        line = raw.decode(encoding, errors="replace")
                    ctx.count("lines_decoded_apart")
                if _MOJIBAKE_HINT.search(line):
                    fixed = repair_mojibake(line)
                    if fixed != line:
                        line = fixed
                        if not repaired:
                            ctx.count("mojibake_repaired")
                            repaired = True
                yield line

    def open_quote_at_end(self, start: int, delimiter: str) -> bool:
        """Whether the row starting at line ``start`` ends inside a quoted cell at end of file."""
        rest = []
        for number, line in enumerate(self, start=1):
            if number >= start:
                rest.append(line)
        try:
            list(csv.reader(rest, delimiter=delimiter, strict=True))
        except csv.Error as exc:
            return "unexpected end of data" in str(exc)
        return False


def _open_quote_at_end(text: str, start: int, delimiter: str) -> bool:
    """Whether the row starting at line ``start`` ends inside a quoted cell at end of file."""
    # Count lines as csv does (\n, \r\n and a lone \r all end one).
    lines = io.StringIO(text, newline="")
    offset = sum(len(lines.readline()) for _ in range(start - 1))
    try:
        list(csv.reader(io.StringIO(text[offset:], newline=""), delimiter=delimiter,
                        strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# --------------------------------------------------------------------------- JSON


class _Located(list):
    """A JSON array with the character offset at which each element starts."""

    starts: list[int]


class _JsonWalker:
    """Parse JSON, remembering where the elements of the arrays near the top start.

    Containers down to ``max_depth`` are walked by hand so that the offsets of array elements
    (the articles) are known; each element, and anything deeper, is decoded in one C call.
    """

    _WS = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str, max_depth: int = 3):
        self.text = text
        self.max_depth = max_depth
        self.decode = json.JSONDecoder().raw_decode

    def ws(self, i: int) -> int:
        return self._WS.match(self.text, i).end()  # type: ignore[union-attr]

    def fail(self, message: str, i: int) -> None:
        raise json.JSONDecodeError(message, self.text, i)

    def value(self, i: int, depth: int = 0) -> tuple[Any, int]:
        char = self.text[i:i + 1]
        if char == "[":
            return self.array(i)
        if char == "{" and depth < self.max_depth:
            return self.object(i, depth)
        return self.decode(self.text, i)

    def array(self, i: int) -> tuple[_Located, int]:
        out, starts = _Located(), []
        i = self.ws(i + 1)
        if self.text[i:i + 1] == "]":
            out.starts = starts
            return out, i + 1
        while True:
            starts.append(i)
            item, i = self.decode(self.text, i)
            out.append(item)
            i = self.ws(i)
            char = self.text[i:i + 1]
            if char == "]":
                out.starts = starts
                return out, i + 1
            if char != ",":
                self.fail("Expecting ',' delimiter", i)
            i = self.ws(i + 1)

    def object(self, i: int, depth: int) -> tuple[dict, int]:
        out: dict[str, Any] = {}
        i = self.ws(i + 1)
        if self.text[i:i + 1] == "}":
            return out, i + 1
        while True:
            if self.text[i:i + 1] != '"':
                self.fail("Expecting property name enclosed in double quotes", i)
            key, i = self.decode(self.text, i)
            i = self.ws(i)
            if self.text[i:i + 1] != ":":
                self.fail("Expecting ':' delimiter", i)
            out[key], i = self.value(self.ws(i + 1), depth + 1)
            i = self.ws(i)
            char = self.text[i:i + 1]
            if char == "}":
                return out, i + 1
            if char != ",":
                self.fail("Expecting ',' delimiter", i)
            i = self.ws(i + 1)


def _lines_at(text: str, offsets: Sequence[int]) -> list[int]:
    """1-based line numbers of increasing character offsets, counted in one pass."""
    lines, line, last = [], 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        last = offset
        lines.append(line)
    return lines


def _lookup(obj: dict, key: str) -> Any:
    if key in obj:
        return obj[key]
    folded = key.casefold()
    return next((v for k, v in obj.items() if k.casefold() == folded), None)


def _find_records(obj: dict, depth: int = 0) -> tuple[_Located | None, str | None]:
    """The list of articles inside a wrapper object and the key path to it, if any.

    An object with a string under a text alias is an article, whatever lists it holds; a
    title alone does not decide it (exports often carry a title of their own).
    """
    text_keys = set(_ALIAS_KEYS["text"])
    if any(_key(k) in text_keys and isinstance(v, str) for k, v in obj.items()):
        return None, None
    for key in JSON_RECORD_KEYS:
        value = _lookup(obj, key)
        if isinstance(value, _Located) and (not value or any(isinstance(v, dict) for v in value)):
            return value, key
        if isinstance(value, dict) and depth < 1:
            inner, path = _find_records(value, depth + 1)
            if inner is not None:
                return inner, f"{key}.{path}"
    return None, None


def _loads(text: str) -> Any:
    """``json.loads``, with JSON nested deeper than Python's recursion limit as a decode error."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def _records_from_json(text: str, ctx: ReadContext) -> tuple[list[tuple[int | None, Any]], bool]:
    """(line, value) of each record in a JSON document; the flag says "read as JSON Lines"."""
    walker = _JsonWalker(text)
    start = walker.ws(0)
    try:
        top, end = walker.value(start)
        rest = walker.ws(end)
        if rest < len(text):
            if isinstance(top, dict) and text[rest:rest + 1] == "{":
                return [], True  # one object per line in a .json file
            walker.fail("Extra data after the JSON value", rest)
    except json.JSONDecodeError as exc:
        raise LoadError(ctx.path, f"not valid JSON: {exc.msg} (column {exc.colno})",
                        line=exc.lineno) from None
    except RecursionError:
        raise LoadError(ctx.path, "not valid JSON: nested too deeply") from None
    option = ctx.options.get("records_key")
    if option and not isinstance(top, dict):
        raise LoadError(ctx.path, f"records_key={option!r}, but the file holds "
                                  f"{_JSON_TYPES.get(type(top), 'a value')}, not an object")
    if option:
        value: Any = top
        for part in str(option).split("."):
            value = _lookup(value, part) if isinstance(value, dict) else None
        if not isinstance(value, list):
            raise LoadError(ctx.path, f"records_key={option!r} does not lead to a list of "
                                      f"articles; the top-level keys are {list(top)}")
        records: _Located | None = value  # type: ignore[assignment]
    elif isinstance(top, _Located):
        records = top
    elif isinstance(top, dict):
        records, where = _find_records(top)
        if records is not None:
            ctx.count(f"json_records_under_{where}")
        else:
            return [(None, top)], False  # one article
    else:
        raise LoadError(ctx.path, f"the JSON file holds {_JSON_TYPES.get(type(top), 'a value')}, "
                                  "not an article object or a list of them")
    starts = getattr(records, "starts", None)
    # Arrays nested deeper than the walker goes have no offsets: their lines are unknown.
    lines = _lines_at(text, starts) if starts is not None else [None] * len(records)
    return list(zip(lines, records, strict=True)), False


def _records_from_jsonl(text: str, ctx: ReadContext) -> list[tuple[int | None, Any]]:
    out: list[tuple[int | None, Any]] = []
    bad: list[tuple[int, str]] = []
    loads = _loads
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            out.append((number, loads(line)))
        except json.JSONDecodeError as exc:
            bad.append((number, f"not valid JSON: {exc.msg} (column {exc.colno})"))
    if bad and not out:
        # No line parses alone: perhaps one pretty-printed JSON document.
        try:
            records, _ = _records_from_json(text, ctx)
        except LoadError:
            raise LoadError(ctx.path, f"no line is valid JSON ({bad[0][1]})",
                            line=bad[0][0]) from None
        ctx.count("jsonl_read_as_json")
        return records
    for number, reason in bad:
        ctx.skip_record(number, reason)
    return out


def _read_objects(records: list[tuple[int | None, Any]], ctx: ReadContext) -> Iterator[Record]:
    names: dict[str, None] = {}
    for _, obj in records:
        if isinstance(obj, dict):
            names.update(dict.fromkeys(obj))
    if not names:
        for line, obj in records:
            ctx.skip_record(line, "no title or text" if isinstance(obj, dict) else
                            f"record is {_JSON_TYPES.get(type(obj), 'a value')}, not an object")
        return
    plan = _plan(list(names), ctx, noun="key")
    keys = [source for _, source in plan.fields]
    for line, obj in records:
        if not isinstance(obj, dict):
            ctx.skip_record(line, f"record is {_JSON_TYPES.get(type(obj), 'a value')}, not an object")
            continue
        record = _emit(plan, obj.get, keys, line, ctx)
        if record is not None:
            yield record


def read_json(path: Path, ctx: ReadContext) -> Iterator[Record]:
    """Read a JSON file: an array of article objects, one article object, or a wrapper.

    A wrapper is an object holding the list of articles under one of
    :data:`JSON_RECORD_KEYS` (``{"articles": [...]}``, ``{"response": {"docs": [...]}}``), or
    under ``ctx.options["records_key"]``. ``source_line`` is the line where each article's
    object starts (``None`` for a file that is one article). A ``.json`` file that holds one
    object per line is read as JSON Lines. Elements that are not objects are skipped.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = p.write_text('{"articles": [\\n {"headline": "Hi", "body": "Text"}\\n]}')
    >>> [(r["title"], r["text"], r["source_line"]) for r in read_json(p, ReadContext(p, p.parent))]
    [('Hi', 'Text', 2)]
    """
    path = Path(path)
    _check_head(path, "JSON")
    text = ctx.read_text(path)
    records, as_lines = _records_from_json(text, ctx)
    if as_lines:
        ctx.count("json_read_as_jsonl")
        records = _records_from_jsonl(text, ctx)
    yield from _read_objects(records, ctx)


def read_jsonl(path: Path, ctx: ReadContext) -> Iterator[Record]:
    """Read JSON Lines: one article object per line; blank lines are ignored.

    A line that is not valid JSON, or not an object, is skipped with its line number (raised
    with ``errors="raise"``). A file where no line parses alone but the whole does (a
    pretty-printed JSON array) is read as JSON.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_text('{"title": "A", "text": "x"}\\n\\n{"title": "B", "text": "y"}\\n')
    >>> [(r["title"], r["source_line"]) for r in read_jsonl(p, ReadContext(p, p.parent))]
    [('A', 1), ('B', 3)]
    """
    path = Path(path)
    _check_head(path, "JSON Lines")
    stream = _LineStream.open(path, ctx)
    if stream is not None:
        lines = iter(enumerate(stream, start=1))
        first = next(((n, line) for n, line in lines if line.strip()), None)
        try:
            parsed = None if first is None else (first[0], _loads(first[1]))
        except json.JSONDecodeError:
            parsed = None  # perhaps one pretty-printed document: the whole-file path decides
        if parsed is not None:
            yield from _read_objects_stream(_jsonl_pairs(parsed, lines, ctx), ctx)
            return
    yield from _read_objects(_records_from_jsonl(ctx.read_text(path), ctx), ctx)


def _jsonl_pairs(first: tuple[int, Any], lines: Iterator[tuple[int, str]],
                 ctx: ReadContext) -> Iterator[tuple[int, Any]]:
    yield first
    loads = _loads
    for number, line in lines:
        if not line.strip():
            continue
        try:
            yield number, loads(line)
        except json.JSONDecodeError as exc:
            ctx.skip_record(number, f"not valid JSON: {exc.msg} (column {exc.colno})")


#: Objects of a streamed JSON Lines file whose keys make the first column plan.
PLAN_SAMPLE = 1000


def _read_objects_stream(pairs: Iterator[tuple[int | None, Any]], ctx: ReadContext) -> Iterator[Record]:
    """:func:`_read_objects` over a stream: the columns are matched on the keys of the first
    :data:`PLAN_SAMPLE` objects, and matched again (for the records after it) when a later
    object brings a key not seen before."""
    sample: list[tuple[int | None, Any]] = []
    for pair in pairs:
        sample.append(pair)
        if len(sample) >= PLAN_SAMPLE:
            break
    names: dict[str, None] = {}
    for _, obj in sample:
        if isinstance(obj, dict):
            names.update(dict.fromkeys(obj))
    if not names:
        rest = sample + list(pairs)  # no object with keys so far: as the whole-file reader does
        yield from _read_objects(rest, ctx)
        return
    plan = _plan(list(names), ctx, noun="key")
    keys = [source for _, source in plan.fields]
    def drain(items: list) -> Iterator[tuple[int | None, Any]]:
        items.reverse()
        while items:
            yield items.pop()  # popped, so that the sample is not kept for the whole file

    for line, obj in itertools.chain(drain(sample), pairs):
        if not isinstance(obj, dict):
            ctx.skip_record(line, f"record is {_JSON_TYPES.get(type(obj), 'a value')}, not an object")
            continue
        if any(k not in names for k in obj):
            names.update(dict.fromkeys(obj))
            plan = _plan(list(names), ctx, noun="key")
            keys = [source for _, source in plan.fields]
        record = _emit(plan, obj.get, keys, line, ctx)
        if record is not None:
            yield record


# --------------------------------------------------------------------------- Parquet


def read_parquet(path: Path, ctx: ReadContext) -> Iterator[Record]:
    """Read a Parquet file with pyarrow, in batches; ``source_line`` is the 1-based row.

    List columns (e.g. authors) are joined as described in the module docstring; timestamps
    are passed on as ``datetime`` objects, dates as ISO strings.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.parquet"
    >>> pd.DataFrame({"title": ["Hi"], "text": ["Body"], "authors": [["A", "B"]]}).to_parquet(p)
    >>> [(r["byline"], r["source_line"]) for r in read_parquet(p, ReadContext(p, p.parent))]
    [('A; B', 1)]
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    _check_head(path, "parquet")
    try:
        if path.stat().st_size == 0:
            raise LoadError(path, "empty file")
        parquet = pq.ParquetFile(path)
    except OSError as exc:
        raise LoadError(path, f"cannot be read: {exc.strerror or exc}") from None
    except (pa.ArrowException, ValueError) as exc:
        raise LoadError(path, f"not a readable Parquet file: {exc}") from None
    names = list(parquet.schema_arrow.names)
    index = [n for n in names if n.startswith("__index_level_")]
    if len(names) > 1 and names[0] not in index and _INDEX_NAME.fullmatch(names[0]):
        index.append(names[0])
    if index:
        ctx.count("parquet_index_column_dropped", len(index))
    names = [n for n in names if n not in index]
    plan = _plan(names, ctx)
    keys = [source for _, source in plan.fields]
    outs = [out for out, _ in plan.fields]
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=4096, columns=names):
            # Column by column: one to_pylist and one cleaner loop per column, instead of a
            # dict per row and a lookup per cell (what _emit does for CSV and JSON).
            cleaned = [list(map(clean, batch.column(source).to_pylist()))
                       for source, clean in zip(keys, plan.cleaners, strict=True)]
            for values in zip(*cleaned, strict=True):
                row += 1
                record = dict(zip(outs, values, strict=True))
                if record.get("text") is None and record.get("title") is None:
                    ctx.skip_record(row, "no title or text")
                    continue
                record["source_line"] = row
                yield record
    except (pa.ArrowException, OSError) as exc:
        raise LoadError(path, f"Parquet data cannot be read: {exc}", line=row + 1) from None


def _is_text_type(t: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)


def _columnar_ok(out: str, t: Any) -> bool:
    """Whether :func:`read_parquet_columns` reads a column of Arrow type ``t`` feeding ``out``."""
    import pyarrow as pa

    if out == "published":
        return _is_text_type(t) or (pa.types.is_timestamp(t) and t.tz is not None and t.unit in ("s", "ms", "us"))
    if out == "record_id":
        return _is_text_type(t) or pa.types.is_integer(t)
    if out in COLUMN_ALIASES:
        return _is_text_type(t)
    return (_is_text_type(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
            or pa.types.is_boolean(t))


def _by_uniques(array: Any, clean: Callable[[Any], Any]) -> Any:
    """``clean`` applied once per distinct value (bylines, outlets, ids repeat a lot)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks != 1 else encoded.chunk(0)
    values = [clean(v) for v in encoded.dictionary.to_pylist()]
    return pa.array(values, type=pa.large_string()).take(encoded.indices)


def _clean_text_column(array: Any, joiner_clean: Callable[[Any], Any]) -> Any:
    """``_clean_textual`` of a string column: Python only for values with a carriage return or
    a blank at either end; empty strings become missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pc.cast(array, pa.large_string())  # shares the text buffers: no copy
    if isinstance(array, pa.ChunkedArray):
        array = array.chunk(0) if array.num_chunks == 1 else array
    if not len(array):
        return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    from toolkit.normalize import text_byte_checks

    checks = text_byte_checks(array, only=("cr", "edges"))
    fix = checks["cr"] | checks["edges"]  # a superset: the cleaner decides
    if fix.any():
        cleaned = [joiner_clean(v) for v in pc.filter(array, pa.array(fix)).to_pylist()]
        array = pc.replace_with_mask(array, pa.array(fix), pa.array(cleaned, type=pa.large_string()))
    empty = pc.fill_null(pc.equal(pc.binary_length(array), 0), False)
    if pc.any(empty).as_py():
        array = pc.if_else(empty, pa.scalar(None, pa.large_string()), array)
    # One array, as before (checked chunk by chunk above, then combined once).
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def read_parquet_columns(path: Path, ctx: ReadContext) -> tuple[dict[str, Any], Any, list[int]] | None:
    """What :func:`read_parquet` yields, column by column: ``(columns, lines, skipped_lines)``.

    ``columns`` maps each output name to its cleaned values for the kept rows (Arrow arrays;
    extra columns as Python lists), ``lines`` the kept rows' 1-based row numbers (a numpy
    array) and ``skipped_lines`` the rows with neither a title nor a text. Returns None when a
    column has a type only the record-by-record reader handles (lists, structs, naive
    timestamps, dates, numbers as dates, ...). Used by ``load_corpus``'s columnar path; the
    values are those :func:`read_parquet` gives, without Python per row for text columns.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.parquet"
    >>> pd.DataFrame({"title": ["Hi", None], "text": [" Body ", None]}).to_parquet(p)
    >>> columns, lines, skipped = read_parquet_columns(p, ReadContext(p, p.parent))
    >>> columns["text"].to_pylist(), lines.tolist(), skipped
    (['Body'], [1], [2])
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = Path(path)
    if path.stat().st_size == 0:
        return None
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    names = list(schema.names)
    if len(set(names)) < len(names):
        return None
    index = [n for n in names if n.startswith("__index_level_")]
    if len(names) > 1 and names[0] not in index and _INDEX_NAME.fullmatch(names[0]):
        index.append(names[0])
    names = [n for n in names if n not in index]
    plan = _plan(names, ctx)
    if index:
        ctx.count("parquet_index_column_dropped", len(index))
    if not all(_columnar_ok(out, schema.field(source).type) for out, source in plan.fields):
        return None
    table = parquet.read(columns=names)
    n = table.num_rows
    columns: dict[str, Any] = {}
    for (out, source), clean in zip(plan.fields, plan.cleaners, strict=True):
        column = table.column(source)
        t = column.type
        if out == "published" and pa.types.is_timestamp(t):
            columns[out] = column
        elif out == "record_id" and _is_text_type(t) and clean is _clean_id:
            # Ids are mostly distinct: strip only those that may need it (_clean_id of a text).
            columns[out] = _clean_text_column(column, clean)
        elif out == "byline" or out == "published" or (out == "record_id" and _is_text_type(t)):
            columns[out] = _by_uniques(column, clean)
        elif out == "record_id":
            columns[out] = pc.cast(column, pa.large_string())
        elif out in COLUMN_ALIASES:
            columns[out] = _clean_text_column(column, clean)
        else:
            columns[out] = column
    del table
    present = None
    for out in ("text", "title"):
        if out in columns:
            valid = pc.is_valid(columns[out])
            present = valid if present is None else pc.or_(present, valid)
    keep = (np.ones(n, dtype=bool) if present is None
            else np.asarray(pc.fill_null(present, False).to_numpy(zero_copy_only=False), dtype=bool))
    lines = np.arange(1, n + 1)
    skipped = lines[~keep].tolist()
    if len(skipped):
        mask = pa.array(keep)
        columns = {k: pc.filter(v, mask) for k, v in columns.items()}
        lines = lines[keep]
    for (out, _), clean in zip(plan.fields, plan.cleaners, strict=True):
        if out not in COLUMN_ALIASES:
            columns[out] = [clean(v) for v in columns[out].to_pylist()]
    return columns, lines, skipped


def _sniff_parquet(path: Path, head: bytes) -> bool:
    return head.startswith(b"PAR1")


__all__ = [
    "COLUMN_ALIASES", "JSON_RECORD_KEYS", "STREAM_MIN_BYTES", "check_columns", "clean_byline", "detect_columns",
    "read_csv",
    "read_json", "read_jsonl", "read_parquet", "read_parquet_columns",
]
