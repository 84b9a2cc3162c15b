"""Reuters-21578 SGML: the classic 1987 newswire collection (Distribution 1.0, D. Lewis).

Each ``reut2-NNN.sgm`` file starts with ``<!DOCTYPE lewis SYSTEM "lewis.dtd">`` and then holds
up to 1,000 concatenated ``<REUTERS ...>`` elements with no root element. The markup is SGML,
not XML (bare ``&`` in attribute-free text, control-character entities, no root), so this reader
scans the text with ``str.find`` and regular expressions instead of an XML parser (the 28 MB
collection reads in about 2 s of CPU).

What each story becomes (one row per ``<REUTERS>`` element, none dropped):

=====================  ==================================================================
column                 from
=====================  ==================================================================
``title``              ``<TITLE>`` (whitespace collapsed, entities decoded, upper case kept)
``text``               ``<BODY>``, its hard-wrapped telex lines joined into paragraphs
                       (separated by a blank line), the closing "Reuter" sign-off removed
``published``          ``<DATE>``: the leading valid ``26-FEB-1987 15:01:01.79`` part
``dateline``           the place in ``<DATELINE>`` ("NEW YORK, March 3 -" -> "New York")
``byline``             ``<AUTHOR>`` without "By" and ", Reuters" ("By Rich Miller, Reuters"
                       -> "Rich Miller")
``outlet``/``wire``    "Reuters"; ``lang`` "en"
``reuters_topics``,    the ``<D>`` entries of ``<TOPICS>``, ``<PLACES>``, ``<PEOPLE>``,
``places``,            ``<ORGS>``, ``<EXCHANGES>``, ``<COMPANIES>``: lists of str, an empty
``people``, ``orgs``,  list when there are none (``companies`` is always empty in
``exchanges``,         Reuters-21578)
``companies``
``newid``, ``oldid``   the ``NEWID`` / ``OLDID`` attributes (int); ``NEWID`` is also the
                       record id, so ``doc_id`` is stable across loads
``lewis_split``,       the ``LEWISSPLIT`` (TRAIN / TEST / NOT-USED) and ``CGISPLIT``
``cgi_split``          (TRAINING-SET / PUBLISHED-TESTSET) attributes
``topics_attr``        the ``TOPICS`` attribute (YES / NO / BYPASS). Per the README it says
                       whether the *original* data had topics, not whether this story has any
``text_type``          ``NORM``, ``BRIEF`` or ``UNPROC`` (the ``<TEXT TYPE=...>`` attribute)
=====================  ==================================================================

Special stories, counted in the load report:

* ``TYPE="BRIEF"`` (``reuters_brief``): a one- or two-line flash held in ``<TITLE>``; the
  title is kept and the text is empty (the collection pads these with "Blah blah blah.",
  which is dropped; ``load_corpus`` stores the empty text as missing).
* ``TYPE="UNPROC"`` (``reuters_unproc``): stories whose structure the compilers could not
  mark up (tables, reports); there is no ``<TITLE>``/``<BODY>``, and the raw ``<TEXT>``
  content becomes the text, line by line as it stands (its tables need the line breaks), with
  entities decoded and the sign-off removed; there is no title.

Times: the README does not say which zone the ``<DATE>`` stamps are in. The stories say it:
97% of the New York and 98% of the Chicago stories are stamped 08:00-19:00, and 94% of the
London ones 03:00-15:00. Read as US Eastern time that is the working day in each city (London
08:00-20:00); read as UTC, New York would file from 03:00 local time and London from 03:00.
So the stamps are read in ``America/New_York`` (EST, EDT from 5 April 1987) and handed to
``load_corpus`` with their offset; the load report counts them as
``reuters_dates_read_in_America/New_York``. Choose another zone with the reader option
``reuters_tz`` (``load_corpus(path, reuters_tz="UTC")``); ``load_corpus``'s own ``tz`` is for
dates written without a zone and so does not apply to these.
A ``<DATE>`` with trailing junk (``"27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM"``, ``"... # date
added by S Finch as guesswork"``) is read from its leading valid part and counted as
``reuters_date_junk``; a date whose time is garbled (``"31-MAR-1987 605:12:19.12"``) keeps
only the day (``reuters_date_time_invalid``; midnight in the zone).

Text clean-up: control-character entities (``&#2;`` start of text, ``&#3;`` end of text,
``&#5;``, ``&#22;``, ``&#31;``, ``&#127;``, ...) are telex transmission codes; each becomes a
space (``&#127;`` often stands where a space or letter was lost: ``"dlr&#127;untied"``), and
``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` and other numeric references are decoded. Files are
decoded by evidence (``toolkit.load.decode``): all are ASCII except one byte 0xFC in
``reut2-017.sgm``, not valid UTF-8 and standing alone among telex codes, which makes that file
read as cp1252 (an "ü"; counted as ``decoded_cp1252``).

Malformed input: a ``<REUTERS>`` element with no closing tag (a truncated file) or no
``<TEXT>`` element is a skipped record with its line number; a file with no ``<REUTERS>``
element at all raises :class:`~toolkit.errors.LoadError`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from toolkit.dates import zone
from toolkit.errors import LoadError, ParameterError
from toolkit.load.registry import ReadContext, Record

log = logging.getLogger(__name__)

#: Zone of the ``<DATE>`` stamps unless the ``reuters_tz`` option says otherwise (see above).
DEFAULT_TZ = "America/New_York"

#: Names of the list columns, by the SGML element their ``<D>`` entries come from.
CATEGORY_COLUMNS: dict[str, str] = {
    "TOPICS": "reuters_topics",
    "PLACES": "places",
    "PEOPLE": "people",
    "ORGS": "orgs",
    "EXCHANGES": "exchanges",
    "COMPANIES": "companies",
}

_TAG = re.compile(r"<REUTERS\b([^>]*)>|</REUTERS\s*>", re.IGNORECASE)
_ATTR = re.compile(r'([A-Za-z]+)\s*=\s*"([^"]*)"')
_FIELD_NAMES = ("DATE", "TITLE", "DATELINE", "BODY", "AUTHOR", *CATEGORY_COLUMNS)
_INNER = re.compile(r"<(TITLE|DATELINE|AUTHOR)>.*?</\1>", re.DOTALL)
_TEXT_OPEN = re.compile(r"<TEXT\b([^>]*)>")
_D = re.compile(r"<D>(.*?)</D>", re.DOTALL)
_ANY_TAG = re.compile(r"</?[A-Z]+\b[^>]*>")

# Characters below 32 (but tab and newline) and DEL: telex codes, spelled as entities or raw.
_CONTROL_CODES = (*range(0, 9), *range(11, 32), 127)
_CONTROL_TO_SPACE = {c: " " for c in _CONTROL_CODES}
_NUMERIC_ENTITY = re.compile(r"&#\d{1,7};")
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# "Reuter" closing a story, on its own line or after the last sentence, with the telex junk
# that may follow it ("REUTER...^M", "REUTER TAW", "Reuter4"); case-sensitive on purpose, so
# that "... told Reuters." or "Reuters said" are never taken for it.
_SIGNOFF = re.compile(
    r"(?<![A-Za-z0-9])(?:REUTERS?|Reuters?|reuters?)(?:\.\.\.)?(?:\^M)?(?:\s?[A-Z0-9:/]{1,10})?\s*\Z"
)
_SIGNOFF_TAIL = 40
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t])")
_BRIEF_FILLER = re.compile(r"^\s*Blah blah blah\.?\s*$", re.IGNORECASE)

_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DATE = re.compile(
    r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?!\d))?"
)
_DATELINE = re.compile(
    r"^\s*(?P<place>.*?)[\s,]*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"\s*\d{1,2}\s*-+\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_BY = re.compile(r"^\s*by\s+", re.IGNORECASE)
_AGENCY = re.compile(r"\s*,?\s*\bReuters?[a-z]?\.?\s*$", re.IGNORECASE)  # "Reutersd" is a typo there
_CAPS_WORD = re.compile(r"\b([A-Z])([A-Z]+)\b(?!\.[A-Z])")


def sniff_reuters(path: Path, head: bytes) -> bool:
    """True for a Reuters-21578 ``.sgm`` file (its DOCTYPE or first ``<REUTERS`` element).

    Examples
    --------
    >>> sniff_reuters(Path("x.sgm"), b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\\n<REUTERS NEWID="1">')
    True
    >>> sniff_reuters(Path("x.txt"), b"Plain text")
    False
    """
    return b"<!DOCTYPE lewis" in head[:200] or head.lstrip().startswith(b"<REUTERS ")


def read_reuters(path: Path, ctx: ReadContext) -> Iterator[Record]:
    """Read the stories of one Reuters-21578 SGML file (see the module docstring for columns).

    Parameters
    ----------
    path
        A ``reut2-NNN.sgm`` file.
    ctx
        The read context. ``ctx.options["reuters_tz"]`` (``load_corpus(..., reuters_tz=...)``)
        is the zone of the ``<DATE>`` stamps, default :data:`DEFAULT_TZ`. The reader counts
        ``reuters_brief``, ``reuters_unproc``, ``reuters_date_junk``,
        ``reuters_date_time_invalid``, ``reuters_date_unreadable``, ``reuters_signoff_removed``
        and ``reuters_dates_read_in_<zone>``, and records malformed stories as skipped.

    Yields
    ------
    dict
        One article record per ``<REUTERS>`` element.

    Raises
    ------
    LoadError
        When the file cannot be read, holds no ``<REUTERS>`` element, or ``reuters_tz`` is not
        a zone.

    Examples
    --------
    >>> from toolkit import load_corpus
    >>> articles = load_corpus("reuters21578/reut2-000.sgm")  # doctest: +SKIP
    >>> articles[["title", "dateline", "reuters_topics"]].head(1)  # doctest: +SKIP
    """
    tz_name = str(ctx.options.get("reuters_tz") or DEFAULT_TZ)
    try:
        tzinfo = zone(tz_name)
    except ParameterError as exc:
        raise LoadError(path, f"reader option reuters_tz: {exc}") from None
    text = _strip_controls(ctx.read_text(path))
    found = False
    line = 1
    pos = 0
    open_at: tuple[int, int, str] | None = None  # (offset after the tag, line, attributes)
    for match in _TAG.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        if match.group(0)[1] != "/":
            found = True
            if open_at is not None:
                ctx.skip_record(open_at[1], "<REUTERS> element without its closing </REUTERS> tag")
            open_at = (match.end(), line, match.group(1))
            continue
        if open_at is None:
            continue  # a stray closing tag: nothing to read
        start, doc_line, attributes = open_at
        open_at = None
        record = _story(text[start:match.start()], attributes, doc_line, ctx)
        if record is not None and record["published"] is not None:
            record["published"] = _localize(record["published"], tzinfo)
            ctx.count(f"reuters_dates_read_in_{tz_name}")
        if record is not None:
            yield record
    if open_at is not None:
        ctx.skip_record(open_at[1], "<REUTERS> element without its closing </REUTERS> tag (file truncated?)")
    if not found:
        raise LoadError(path, "no <REUTERS> element found: not a Reuters-21578 SGML file")


def _story(doc: str, attributes: str, line: int, ctx: ReadContext) -> Record | None:
    attrs = {k.upper(): v.strip() for k, v in _ATTR.findall(attributes)}
    text_open = _TEXT_OPEN.search(doc)
    text_end = -1 if text_open is None else doc.find("</TEXT>", text_open.end())
    if text_open is None or text_end < 0:
        ctx.skip_record(line, "<REUTERS> element without a complete <TEXT> element")
        return None
    text_type = ({k.upper(): v for k, v in _ATTR.findall(text_open.group(1))}.get("TYPE") or "NORM").upper()
    content = doc[text_open.end():text_end]

    record: Record = {
        "title": None,
        "text": "",
        "published": None,
        "dateline": None,
        "byline": None,
        "outlet": "Reuters",
        "wire": "Reuters",
        "lang": "en",
        "source_line": line,
        "record_id": attrs.get("NEWID") or None,
        "newid": _int(attrs.get("NEWID")),
        "oldid": _int(attrs.get("OLDID")),
        "lewis_split": attrs.get("LEWISSPLIT") or None,
        "cgi_split": attrs.get("CGISPLIT") or None,
        "topics_attr": attrs.get("TOPICS") or None,
        "text_type": text_type,
    }
    fields = _elements(doc)
    for element, column in CATEGORY_COLUMNS.items():
        value = fields.get(element)
        record[column] = [] if not value else [
            d for d in (_one_line(_decode(x)) for x in _D.findall(value)) if d]
    if "DATE" in fields:
        record["published"] = _parse_date(fields["DATE"], ctx)
    if "TITLE" in fields:
        record["title"] = _one_line(_decode(fields["TITLE"])) or None
    if "AUTHOR" in fields:
        record["byline"] = clean_byline(_decode(fields["AUTHOR"]))
    lead = ""
    if "DATELINE" in fields:
        record["dateline"], lead = _split_dateline(_decode(fields["DATELINE"]))

    if text_type == "BRIEF":
        ctx.count("reuters_brief")
        # After the title comes the collection's filler ("Blah blah blah."), never news;
        # anything else there is kept as the text.
        rest = _clean_body(_ANY_TAG.sub(" ", _INNER.sub(" ", content)), ctx).strip(" *")
        if rest and not _BRIEF_FILLER.match(rest):
            if record["title"] is None:
                record["title"] = _one_line(rest)
            else:
                record["text"] = rest
        return record
    if text_type == "UNPROC":
        ctx.count("reuters_unproc")
        record["text"] = _clean_body(_ANY_TAG.sub(" ", content), ctx)
        return record

    if "BODY" in fields:
        raw = fields["BODY"]
    else:
        # No <BODY>: whatever the TEXT holds besides its other elements.
        raw = _ANY_TAG.sub(" ", _INNER.sub(" ", content))
    text = _clean_body(raw, ctx, reflow=True)
    if lead:
        # Part of the first sentence slipped into the dateline ("RIO DE JANEIRO, Feb 26 - Brazil's").
        text = f"{lead} {text}" if text else lead
    record["text"] = text
    return record


def _elements(doc: str) -> dict[str, str]:
    """The content of the first ``<NAME>...</NAME>`` of each field (``str.find`` is far faster
    than a lazy regex over every story)."""
    found: dict[str, str] = {}
    for name in _FIELD_NAMES:
        start = doc.find(f"<{name}>")
        if start < 0:
            continue
        start += len(name) + 2
        end = doc.find(f"</{name}>", start)
        if end >= 0:
            found[name] = doc[start:end]
    return found


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


def _entity(match: re.Match[str]) -> str:
    number, hexa, name = match.groups()
    if name:
        return _NAMED[name]
    code = int(number) if number else int(hexa, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code)


def _strip_controls(text: str) -> str:
    """Every control code, entity (``&#3;``) or raw byte, becomes a space."""
    # Replacing the few entity spellings present is ~10x faster than a regex substitution.
    for entity in set(_NUMERIC_ENTITY.findall(text)):
        if int(entity[2:-1]) in _CONTROL_TO_SPACE:
            text = text.replace(entity, " ")
    if _RAW_CONTROL.search(text):
        text = _RAW_CONTROL.sub(" ", text)
    return text


def _decode(value: str) -> str:
    """Entities (``&lt;``, ``&amp;``, ``&#38;``) -> characters; control codes -> spaces."""
    if "&" in value:
        value = _ENTITY.sub(_entity, value)
        if _RAW_CONTROL.search(value):
            value = _RAW_CONTROL.sub(" ", value)
    return value


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _clean_body(raw: str, ctx: ReadContext, *, reflow: bool = False) -> str:
    text = _decode(raw).rstrip()
    # The sign-off is looked for in the last characters only: a regex anchored at the end of a
    # long text would be tried at every position.
    removed = False
    for _ in range(3):  # a few stories are signed twice ("REUTER" then " Reuter")
        m = _SIGNOFF.search(text, max(0, len(text) - _SIGNOFF_TAIL))
        if m is None:
            break
        removed = True
        text = text[: m.start()].rstrip()
    if removed:
        ctx.count("reuters_signoff_removed")
    if reflow:
        return _reflow(text)
    if " \n" in text or "\t\n" in text:
        text = "\n".join(ln.rstrip() for ln in text.split("\n"))
    return text.strip("\n")


def _reflow(text: str) -> str:
    """Telex layout -> paragraphs: an indented line (or one after a blank line) starts a
    paragraph, the hard-wrapped lines after it are joined to it with a space (runs of spaces
    become one), and paragraphs are separated by a blank line, which ``toolkit.normalize``'s
    whitespace step keeps while it strips the indentation that was the only paragraph mark."""
    return "\n\n".join(" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text) if not p.isspace() and p)


def _parse_date(raw: str, ctx: ReadContext) -> str | None:
    """``26-FEB-1987 15:01:01.79`` -> ``1987-02-26T15:01:01.790000`` (naive), or None."""
    value = _decode(raw)
    m = _DATE.match(value)
    if m is None:
        ctx.count("reuters_date_unreadable")
        return None
    day, mon, year, hh, mm, ss, frac = m.groups()
    month = _MONTHS.get(mon.upper())
    # Years far from 1987 are garbage (and could overflow once converted to UTC).
    if month is None or not 1800 <= int(year) <= 2200 or not 1 <= int(day) <= _days_in(int(year), month):
        ctx.count("reuters_date_unreadable")
        return None
    rest = value[m.end():]
    iso = f"{int(year):04d}-{month:02d}-{int(day):02d}"
    if (hh is None and re.match(r"\s*\d", rest)) or (hh is not None and (int(hh) > 23 or int(mm) > 59 or int(ss) > 59)):
        # "31-MAR-1987 605:12:19.12": the day is sound, the time is not.
        ctx.count("reuters_date_time_invalid")
        return iso
    if rest.strip():
        ctx.count("reuters_date_junk")
    if hh is None:
        return iso
    micro = (frac or "0").ljust(6, "0")
    return f"{iso}T{int(hh):02d}:{mm}:{ss}.{micro}"


def _localize(iso: str, tzinfo: dt.tzinfo) -> str:
    """Naive ISO stamp -> the same wall time with the zone's offset then ("...-05:00")."""
    return dt.datetime.fromisoformat(iso).replace(tzinfo=tzinfo).isoformat()


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _recase(value: str) -> str:
    """All-capital words -> capitalised ("NEW YORK" -> "New York"); "N.Y." and mixed case kept."""
    return _CAPS_WORD.sub(lambda m: m.group(1) + m.group(2).lower(), value)


def _split_dateline(value: str) -> tuple[str | None, str]:
    """``"    PORTLAND, Ore., Feb 26 - "`` -> ``("Portland, Ore.", "")``; the second part is
    story text that slipped into the dateline element."""
    m = _DATELINE.match(value)
    if m is None:
        place, rest = value.split(",", 1)[0], ""
    else:
        place, rest = m.group("place"), m.group("rest")
    place = _one_line(place).strip(" ,-")
    return (_recase(place) or None), _one_line(rest)


def clean_byline(value: str) -> str | None:
    """Reuters ``<AUTHOR>`` -> the reporter's name(s).

    Examples
    --------
    >>> clean_byline("    By Rich Miller, Reuters")
    'Rich Miller'
    >>> clean_byline("    BY TED D'AFFLISIO, REUTERS")
    "Ted D'Afflisio"
    >>> clean_byline("By STEPHEN JUKES AND PHILIP SHEHADI, REUTERS")
    'Stephen Jukes and Philip Shehadi'
    """
    name = _one_line(value)
    name = _AGENCY.sub("", _BY.sub("", name)).strip(" ,")
    if name and name.upper() == name:
        name = " ".join(w.capitalize() if "'" not in w else
                        "'".join(p.capitalize() for p in w.split("'")) for w in name.split())
        name = re.sub(r"\bAnd\b", "and", name)
    return name or None
