"""Scraped plain-text news pages: one article per file, as copied from a browser or a scraper.

The layout this reader understands (every part but the headline is optional)::

    Headline
    Headline                                   <- repeated by many scrapers; kept once
    Standfirst (dek)                           <- becomes `subtitle`
    FPJ Web DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST
                                               <- byline (desk) + date label + date; also
                                                  "By A | Published on: ...", "Last Updated: ..."
    article-image                              <- placeholders are dropped
    Photo: Twitter/TheBlueHouseENG             <- becomes `image_credit`
    Seoul: First paragraph ...                 <- `dateline` = Seoul (text keeps the paragraph)
    ...
    With IANS Inputs                           <- becomes `wire`, dropped from the text
    RECENT STORIES                             <- this line and everything after it is dropped
    ...

A file with just a headline line and paragraphs (the BBC corpus layout) loads with the
headline as title and everything else as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.dates import parse_date
from toolkit.errors import LoadError
from toolkit.load.registry import ReadContext, Record

#: Lines after which nothing belongs to the article (related links, recirculation blocks).
TRAILING_MARKERS: tuple[str, ...] = (
    "recent stories", "related news", "related stories", "related articles", "related posts",
    "related", "more stories", "more news", "more from this section", "top stories",
    "trending", "trending now", "trending stories", "latest news", "latest stories",
    "you may also like", "you might also like", "recommended", "recommended stories",
    "most read", "most popular", "also read", "read more", "read also", "see also",
)
#: Lines dropped wherever they stand (ad slots, image placeholders, share widgets).
PLACEHOLDER_LINES: tuple[str, ...] = (
    "advertisement", "advertisment", "ad", "story continues below advertisement",
    "continue reading below", "article continues below advertisement", "article-image",
    "representative image", "representational image", "file image", "file photo", "image",
    "share", "share this article", "follow us", "listen to this article", "click here",
)
#: Canonical spelling of news agencies credited for copy.
WIRES: dict[str, str] = {
    "ians": "IANS", "pti": "PTI", "ani": "ANI", "uni": "UNI", "reuters": "Reuters", "ap": "AP",
    "associated press": "AP", "afp": "AFP", "agence france-presse": "AFP", "bloomberg": "Bloomberg",
    "dpa": "dpa", "efe": "EFE", "xinhua": "Xinhua", "kyodo": "Kyodo", "yonhap": "Yonhap",
    "aap": "AAP", "pa": "PA", "press association": "PA", "agencies": "agencies", "tass": "TASS",
    "anadolu": "Anadolu", "bernama": "Bernama", "cna": "CNA",
}

_WIRE_ALT = "|".join(sorted((re.escape(w) for w in WIRES), key=len, reverse=True))
_WIRE_LIST = rf"(?:{_WIRE_ALT})(?:\s*(?:,|/|&|and)\s*(?:{_WIRE_ALT}))*"
# "With IANS Inputs", "(With inputs from PTI)", "With PTI, ANI inputs", "- PTI", "(AP)", "AFP".
_WIRE_LINE = re.compile(
    rf"^[(\[]?\s*(?:"
    rf"with\s+(?:inputs?\s+from\s+)?(?P<a>{_WIRE_LIST})(?:\s+inputs?)?"
    rf"|(?:source|inputs?|courtesy)\s*:\s*(?P<b>{_WIRE_LIST})"
    rf"|[-\u2013\u2014]?\s*(?P<c>{_WIRE_LIST})"
    rf")\s*[)\]]?\s*\.?$",
    re.IGNORECASE,
)
_LABEL = r"(?:last\s+updated(?:\s+on)?|updated(?:\s+on)?|first\s+published(?:\s+on)?|published(?:\s+on)?|posted(?:\s+on)?)"
# Byline glued or separated from a labelled date: "FPJ Web DeskUpdated: ...", "By A | Published on: ...".
_DATE_LINE = re.compile(
    rf"^(?P<byline>.*?)\s*[|\u2022\u00b7,-]?\s*(?P<label>{_LABEL})\s*(?P<label_colon>:)?\s*(?P<date>.*\d.*)$",
    re.IGNORECASE,
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_BARE_DATE = re.compile(
    rf"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b.{{0,40}}$",
    re.IGNORECASE,
)
_BY_LINE = re.compile(r"^(?:by|written by)\s+(?P<name>[^\d|]{2,80}?)\s*$", re.IGNORECASE)
_PHOTO = re.compile(
    r"^[(\[]?\s*(?:photo|image|picture|pic|photo credit|image credit|image source|photograph|file photo)\s*(?:credit)?\s*[:\-\u2013|]\s*(?P<credit>.+?)\s*[)\]]?$",
    re.IGNORECASE,
)
# Datelines: "Seoul: ...", "NEW DELHI: ...", "GLASGOW, Nov 8 (Reuters) - ...", "WASHINGTON (AP) — ...".
_PLACE = r"[A-Z][A-Za-z\u00c0-\u024f.'\u2019-]*(?:\s+[A-Z][A-Za-z\u00c0-\u024f.'\u2019-]*){0,3}"
_DATELINE_WIRE = re.compile(
    rf"^(?P<place>{_PLACE}(?:,\s*{_PLACE})?)\s*(?:,\s*{_MONTHS}\s*\d{{1,2}})?\s*\((?P<wire>{_WIRE_ALT})\)\s*[-\u2013\u2014:]",
    re.IGNORECASE,
)
_DATELINE_COLON = re.compile(rf"^(?P<place>{_PLACE})\s*(?:,\s*{_MONTHS}\s*\d{{1,2}})?\s*:\s+(?=[A-Z\"\u201c'])")
_NOT_PLACES = frozenset(
    "note editor's editors update updated photo image watch read also warning analysis comment opinion "
    "exclusive breaking live video audio q a question answer source sources disclaimer correction "
    "clarification summary background context why what how who when where result results score scores "
    "quote pictured tags fact check verdict claim rating".split()
)


@dataclass
class ScrapedPage:
    """The fields recovered from one scraped page, before dates are parsed."""

    title: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    published: str | None = None
    image_credit: str | None = None
    dateline: str | None = None
    wire: str | None = None
    text: str = ""
    removed: list[str] = field(default_factory=list)  # what was cut, for the load report


def _norm(line: str) -> str:
    # str.split() without arguments splits on every Unicode space, NBSP included.
    return " ".join(line.split())


def _key(line: str) -> str:
    # Markers and placeholders are short; long paragraphs never equal one.
    if len(line) > 60:
        return ""
    return _norm(line).rstrip(":").strip().lower()


def _wire_of(line: str) -> str | None:
    m = _WIRE_LINE.match(_norm(line))
    if not m:
        return None
    names = m.group("a") or m.group("b") or m.group("c")
    parts = re.split(r"\s*(?:,|/|&|\band\b)\s*", names, flags=re.IGNORECASE)
    return "; ".join(dict.fromkeys(WIRES[p.lower()] for p in parts if p.lower() in WIRES))


def _looks_like_headline(line: str) -> bool:
    # Related-link headlines are short and do not end like sentences.
    return len(line) < 200 and not re.search(r"[.!?\"\u201d]\s*$", line)


def _trim_trailing(paras: list[str], page: ScrapedPage) -> list[str]:
    for i, para in enumerate(paras):
        key = _key(para)
        head = key.split(":", 1)[0].strip()
        if key in TRAILING_MARKERS:
            # "ALSO READ" mid-article introduces one link; at the end it introduces a block.
            rest = paras[i + 1:]
            if key in ("also read", "read more", "read also", "see also") and rest and not all(
                _looks_like_headline(p) for p in rest
            ):
                continue
            page.removed.append(f"{_norm(para)} block ({len(rest)} paragraphs)")
            return paras[:i]
        if head in ("also read", "read more", "read also", "see also") and ":" in key and i == len(paras) - 1:
            page.removed.append(_norm(para))
            return paras[:i]
    return paras


def _inline_links(paras: list[str], page: ScrapedPage) -> list[str]:
    """Drop mid-article "ALSO READ: headline" links (and a bare marker's following headline)."""
    out: list[str] = []
    skip_next = False
    for para in paras:
        if skip_next:
            skip_next = False
            if _looks_like_headline(para):
                page.removed.append(_norm(para))
                continue
        key = _key(para)
        head = key.split(":", 1)[0].strip()
        if head in ("also read", "read more", "read also", "see also"):
            page.removed.append(_norm(para))
            skip_next = key == head
            continue
        out.append(para)
    return out


def parse_scraped_text(raw: str) -> ScrapedPage:
    """Recover title, standfirst, byline, date, credits, dateline, wire and body from a page.

    Examples
    --------
    >>> page = parse_scraped_text("Rain in Glasgow\\n\\nBy A. Writer | Published on: Nov 8, 2021 10:15 GMT\\n\\n"
    ...                           "GLASGOW: It rained.\\n\\nWith PTI Inputs\\n\\nRECENT STORIES\\n\\nOther news")
    >>> page.title, page.byline, page.published, page.dateline, page.wire, page.text
    ('Rain in Glasgow', 'A. Writer', 'Nov 8, 2021 10:15 GMT', 'Glasgow', 'PTI', 'GLASGOW: It rained.')
    """
    page = ScrapedPage()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    # Paragraphs are blank-line separated; a scraper's single newlines inside a block are kept
    # as line structure of the header (each header field sits on its own line).
    lines = [_norm(line) for line in text.split("\n")]
    if not any(lines):
        return page
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    # Work line by line in the header; body paragraphs are whole blocks.
    items: list[tuple[int, str]] = [(bi, line) for bi, block in enumerate(blocks) for line in block]

    page.title = items[0][1]
    pos = 1
    header_end = None
    standfirst: list[str] = []
    # The header is at most the first dozen lines; it ends at the dated byline line.
    for j in range(1, min(len(items), 12)):
        line = items[j][1]
        if len(line) > 160:  # a paragraph, not a header line
            continue
        m = _DATE_LINE.match(line)
        if m and (m.group("label_colon") or not pd.isna(parse_date(m.group("date")))):
            page.published = m.group("date").strip(" |,")
            byline = re.sub(r"^(?:by|written by)\s+", "", m.group("byline").strip(" |,-\u2022"), flags=re.IGNORECASE)
            page.byline = byline or None
            header_end = j
            break
        if _BARE_DATE.match(line) and len(line) < 80:
            page.published = line
            header_end = j
            break
    if header_end is not None:
        for _, line in items[pos:header_end]:
            by = _BY_LINE.match(line)
            if by and not page.byline:
                page.byline = by.group("name")
            elif line == page.title or line in standfirst or _key(line) in PLACEHOLDER_LINES:
                continue
            else:
                standfirst.append(line)
        page.subtitle = " ".join(standfirst) or None
        pos = header_end + 1
        # Right after the date: placeholders, photo credits, a "By ..." line.
        while pos < len(items):
            line = items[pos][1]
            photo = _PHOTO.match(line)
            by = _BY_LINE.match(line)
            if _key(line) in PLACEHOLDER_LINES:
                pos += 1
            elif photo:
                page.image_credit = photo.group("credit")
                pos += 1
            elif by and not page.byline and len(line) < 80:
                page.byline = by.group("name")
                pos += 1
            else:
                break
    else:
        # Title + body layout; skip a repeated headline.
        while pos < len(items) and items[pos][1] == page.title:
            pos += 1

    # Body: the remaining lines regrouped into their blocks (a block may start mid-way when the
    # header shared a block with the first paragraph).
    paras: list[str] = []
    current_block = None
    for bi, line in items[pos:]:
        if bi != current_block:
            paras.append(line)
            current_block = bi
        else:
            paras[-1] += " " + line
    paras = _trim_trailing(paras, page)
    paras = _inline_links(paras, page)
    kept: list[str] = []
    wires: list[str] = []
    for para in paras:
        key = _key(para)
        if key in PLACEHOLDER_LINES:
            page.removed.append(para)
            continue
        photo = _PHOTO.match(para)
        if photo and len(para) < 120:
            page.image_credit = page.image_credit or photo.group("credit")
            continue
        wire = _wire_of(para) if len(para) < 80 else None
        if wire:
            wires.append(wire)
            page.removed.append(para)
            continue
        kept.append(para)
    # A wire line in the middle of the text is not a credit; only trailing ones were removed
    # above as lines of their own, which is how pages print them.
    if kept:
        page.dateline, lead_wire = extract_dateline(kept[0])
        if lead_wire:
            wires.insert(0, lead_wire)
    if wires:
        page.wire = "; ".join(dict.fromkeys(w for ws in wires for w in ws.split("; ")))
    page.text = "\n\n".join(kept)
    return page


def extract_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """The dateline place and the wire credited in an article's first paragraph, if any.

    Examples
    --------
    >>> extract_dateline("GLASGOW, Nov 1 (Reuters) - World leaders arrived on Monday.")
    ('Glasgow', 'Reuters')
    >>> extract_dateline("Seoul: A senior official said ...")
    ('Seoul', None)
    >>> extract_dateline("Note: this story was updated.")
    (None, None)
    """
    head = paragraph[:200]
    m = _DATELINE_WIRE.match(head)
    if m:
        return _place(m.group("place")), WIRES[m.group("wire").lower()]
    m = _DATELINE_COLON.match(head)
    if m and m.group("place").split()[0].lower().strip(".'\u2019") not in _NOT_PLACES:
        return _place(m.group("place")), None
    return None, None


def _place(place: str) -> str:
    place = place.strip(" ,")
    # Telex capitals ("NEW DELHI") read better as "New Delhi"; mixed case is kept as written.
    return place.title() if place.isupper() else place


def read_scraped(path: Path, ctx: ReadContext) -> Iterator[Record]:
    """Reader for scraped plain-text pages (format ``"scraped"``, suffix ``.txt``)."""
    page = parse_scraped_text(ctx.read_text())
    if not page.title and not page.text:
        raise LoadError(path, "no headline or text found")
    if not page.text:
        ctx.skip_record(None, "headline only, no article text (expected paragraphs after the headline)")
        return
    if page.removed:
        ctx.count("scraped_lines_removed", len(page.removed))
    yield {
        "title": page.title,
        "subtitle": page.subtitle,
        "byline": page.byline,
        "published": page.published,
        "image_credit": page.image_credit,
        "dateline": page.dateline,
        "wire": page.wire,
        "text": page.text,
    }
