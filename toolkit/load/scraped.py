"""Scraped plain-text news pages: one article per file, as copied from a browser or a scraper.

The layout this reader understands (every part but the headline is optional)::

    Headline
    Headline                                   <- repeated by many scrapers; kept once
    Standfirst (dek)                           <- becomes `subtitle`
    FPJ Web DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST
                                               <- byline (desk) + date label + date; also
                                                  "By A | Published on: ...", "Last Updated: ...",
                                                  "Date: ...", a name line above a bare date line
    article-image                              <- placeholders and share widgets are dropped
    Photo: Twitter/TheBlueHouseENG             <- becomes `image_credit`
    Seoul: First paragraph ...                 <- `dateline` = Seoul (text keeps the paragraph)
    ...
    With IANS Inputs                           <- becomes `wire` when it ends the body
    RECENT STORIES                             <- cut here when a list of links follows
    ...

Paragraphs may be separated by blank lines or, as many scrapers write them, by single newlines.
Lines are classified before they are grouped into paragraphs: a marker, placeholder, wire credit,
photo credit or date line is always a block of its own, whatever its neighbours. When the body has
no blank lines at all, every line is a paragraph; otherwise the lines of one block are joined when
they look hard-wrapped (short lines, no bullets).

A file with just a headline line and paragraphs (the BBC corpus layout) loads with the
headline as title and everything else as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import LoadError
from toolkit.load.registry import ReadContext, Record

#: Lines that introduce related links or recirculation blocks, matched case-insensitively at the
#: start of a line and ignoring arrows, punctuation and counts ("RECENT STORIES (5)", "Recent
#: Stories »", "RECENT STORIES: headline" all match "recent stories"; "Related to this, ..." does
#: not). The text is cut at a marker only when a list of links follows it (short lines that do not
#: end like sentences, and no prose after them); otherwise only the marker line is dropped.
TRAILING_MARKERS: tuple[str, ...] = (
    "recent stories", "recent posts", "related news", "related stories", "related story", "related articles",
    "related article", "related posts", "related content", "related coverage", "related links", "related reading",
    "related videos", "related", "more stories", "more news", "more from this section", "more on this topic",
    "more on this story", "more like this", "more to read", "more videos", "top stories", "top news", "trending",
    "trending now", "trending stories", "trending news", "trending topics", "latest news", "latest stories",
    "latest videos", "latest", "you may also like", "you might also like", "you may like", "you might like",
    "recommended", "recommended for you", "recommended stories", "recommended articles", "recommended reading",
    "most read", "most popular", "most viewed", "most shared", "popular stories", "popular now", "popular",
    "editor's picks", "editors' picks", "editors picks", "don't miss", "dont miss", "must read", "also read",
    "read more", "read also", "see also", "also see", "also watch", "watch more", "further reading", "read next",
    "up next", "what to read next", "in other news", "stories you may have missed", "around the web",
    "from the web", "promoted stories", "sponsored stories", "partner content",
)
#: Markers that introduce one inline link mid-article ("ALSO READ" + one headline).
INLINE_LINK_MARKERS: frozenset[str] = frozenset({
    "also read", "read also", "read more", "see also", "also see", "must read", "also watch", "don't miss",
    "dont miss", "read next",
})
#: Lines dropped wherever they stand (ad slots, image placeholders, share widgets), compared on
#: the normalised key (lower case, punctuation and "(n)" counts removed).
PLACEHOLDER_LINES: frozenset[str] = frozenset({
    "advertisement", "advertisment", "ad", "ads", "sponsored", "sponsored content", "story continues below",
    "story continues below advertisement", "continue reading below", "article continues below advertisement",
    "article continues after advertisement", "scroll to continue with content", "skip advertisement",
    "continue reading", "article-image", "representative image", "representational image", "file image",
    "file photo", "image", "photo", "share", "share this article", "share this story", "follow us",
    "listen to this article", "listen to this story", "listen", "click here", "loading", "watch video",
    "font size", "a a", "a+ a-",
})
#: Share-widget words: a line made only of these ("Share Tweet Email") is page furniture.
_WIDGET_WORDS = frozenset(
    "share shares tweet email e-mail mail whatsapp facebook twitter linkedin pinterest reddit telegram print "
    "copy link comments comment save bookmark follow subscribe messenger sms".split()
)
_WIDGET_FILLER = frozenset("on via this article story the us to with page now x".split())
_WIDGET_ANY = _WIDGET_WORDS | _WIDGET_FILLER
#: Canonical spelling of news agencies credited for copy.
WIRES: dict[str, str] = {
    "ians": "IANS", "pti": "PTI", "press trust of india": "PTI", "ani": "ANI", "uni": "UNI",
    "reuters": "Reuters", "ap": "AP", "associated press": "AP", "the associated press": "AP", "afp": "AFP",
    "agence france-presse": "AFP", "bloomberg": "Bloomberg", "dpa": "dpa", "efe": "EFE", "xinhua": "Xinhua",
    "kyodo": "Kyodo", "yonhap": "Yonhap", "aap": "AAP", "pa": "PA", "press association": "PA",
    "agencies": "agencies", "tass": "TASS", "anadolu": "Anadolu", "bernama": "Bernama", "cna": "CNA",
}

_WIRE_ALT = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(WIRES, key=len, reverse=True))
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

# Date labels. A superset of toolkit.dates._LABEL (which strips the label before parsing; the date
# handed to parse_date here never carries one): a test checks that every label it knows works here.
# The label must start a word or follow a lower-case letter ("FPJ Web DeskUpdated:"), so that
# "Backdated" or "Candidate" never read as labels.
_LABEL_WORDS = (
    r"last\s+updated(?:\s+on)?|last\s+modified(?:\s+on)?|updated(?:\s+on)?|modified(?:\s+on)?"
    r"|first\s+published(?:\s+on)?|published(?:\s+on|\s+date)?|publication\s+date|posted(?:\s+on)?"
    r"|date(?:\s+published|\s+posted)?"
)
_LABEL = rf"(?:(?<=[a-z])(?=[A-Z])|\b)(?i:{_LABEL_WORDS})\b"
_LABEL_RE = re.compile(_LABEL)
_DATE_LINE = re.compile(
    rf"^(?P<byline>.*?)\s*[|\u2022\u00b7,\u2013\u2014-]?\s*(?P<label>{_LABEL})\s*:?\s*(?P<date>.*\d.*)$"
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"
_BARE = (
    rf"(?i:(?:{_DAYS},?\s+)?(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}))\b.{{0,40}}"
)
# A bare date line, optionally after a name: "Nov 4, 2021 03:23 PM IST", "Jane Park | 4 November 2021".
_BARE_LINE = re.compile(
    rf"^(?:(?P<byline>[^|\u2022\u00b7]{{2,60}}?)\s*(?:[|\u2022\u00b7]|\s[\u2013\u2014-]\s)\s*)?(?P<date>{_BARE})$"
)
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)")
# Besides a year, a date names a month or is numeric ("4/11/2021", "2021-11-04").
_MONTH_OR_DAY = re.compile(rf"(?i)(?<![a-z]){_MONTHS}|\d{{1,2}}[/.-]\d{{1,2}}|\d{{4}}-\d{{1,2}}")
# Words a date may contain; anything else in lower case ("figures", "was") means prose.
_DATE_WORDS = re.compile(
    rf"(?i)(?<![a-z])(?:{_MONTHS}|{_DAYS}|[ap]\.?m\.?|at|on|of|hrs|h|the|st|nd|rd|th|{_LABEL_WORDS})(?![a-z])"
)
_BY_PREFIX = re.compile(r"^(?:(?:written|reported|edited|words|story)\s+)?by\s*:?\s+", re.IGNORECASE)
_BY_LINE = re.compile(
    r"^(?:(?:written|reported|edited|words|story)\s+)?by\s*:?\s+(?P<name>[^\d|]{2,80}?)\s*$", re.IGNORECASE
)
# Lower-case words a name or desk may contain ("Tom Hale in Copenhagen", "Press Trust of India").
_NAME_CONNECTORS = frozenset("in and & of de da del della der den di du la le van von al el bin ibn y e".split())
_PHOTO = re.compile(
    r"^[(\[]?\s*(?:photo|image|picture|pic|photo credit|image credit|image source|photograph|file photo)"
    r"\s*(?:credit)?\s*[:\-\u2013|]\s*(?P<credit>.+?)\s*[)\]]?$",
    re.IGNORECASE,
)
_KEY_STRIP = re.compile(r"\(\d+\)|[^\w\s'&+-]")
_MIN_READ = re.compile(r"^\d+\s*(?:min|mins|minute|minutes)\s+(?:read|listen)$")
_TAGS = re.compile(r"^(?:tags?|topics?|tagged|filed under|keywords?)\s*:", re.IGNORECASE)
# Footers and syndication notes that are never article text.
_BOILERPLATE = re.compile(
    r"[(\[]?\s*(?:\u00a9|\(c\)\s|copyright\b|disclaimer\s*:|follow us on\b|subscribe to\b|sign up for\b|"
    r"download the\b.*\bapp\b)",
    re.IGNORECASE,
)
_BOILERPLATE_PHRASES = ("all rights reserved", "syndicated feed")
_MARKER = re.compile(
    r"^[^\w]*(?P<m>(?i:"
    + "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in sorted(TRAILING_MARKERS, key=len, reverse=True))
    + r"))(?![\w'\u2019])(?P<tail>.*)$"
)
_MARKER_SEP = re.compile(r"^\s*(?:[:|\u00bb\u203a>\u2192\u25b6\u25ba\u2013\u2014\u2022\u00b7-]|\.\.\.|\u2026)")
_MARKER_TRIM = " :|\u00bb\u203a<>\u2192\u25b6\u25ba\u2013\u2014\u2022\u00b7-.\u2026"
_COUNT = re.compile(r"\(\s*\d+\s*\)")
_BULLET = re.compile(r"^(?:[-\u2013\u2022*\u00b7\u25aa]\s|\d{1,2}[.)]\s)")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_AM_PM_END = re.compile(r"[ap]\.m\.$", re.IGNORECASE)

# Datelines: "Seoul: ...", "NEW DELHI: ...", "GLASGOW, Nov 8 (Reuters) - ...", "WASHINGTON (AP) — ...".
# Places never span a line break: _SP is whitespace other than newlines.
_SP = r"[^\S\r\n]"
_WORD = r"[A-Z\u00c0-\u00de][A-Za-z\u00c0-\u024f.'\u2019-]*"
_CAPS_WORD = r"[A-Z\u00c0-\u00de][A-Z\u00c0-\u00de.'\u2019-]*"
_REGION = rf"(?:,{_SP}*{_WORD}(?:{_SP}+{_WORD})?|{_SP}*\[{_WORD}(?:{_SP}+{_WORD})?\])"
_DAY_OF_MONTH = rf"(?:,{_SP}*(?i:{_MONTHS}){_SP}*\d{{1,2}})"
_DATELINE_WIRE = re.compile(
    rf"^(?P<place>{_WORD}(?:{_SP}+{_WORD}){{0,3}})(?P<region>{_REGION})?{_DAY_OF_MONTH}?{_SP}*"
    rf"\((?P<wire>(?i:{_WIRE_ALT}))\){_SP}*(?::|--?|[\u2013\u2014])"
)
_DATELINE_CAPS = re.compile(
    rf"^(?P<place>{_CAPS_WORD}(?:{_SP}+{_CAPS_WORD}){{0,3}})(?P<region>{_REGION})?{_DAY_OF_MONTH}?"
    rf"(?::{_SP}+|{_SP}*[\u2013\u2014]{_SP}*|{_SP}+--?{_SP}+)(?=\S)"
)
_DATELINE_MIXED = re.compile(
    rf"^(?P<place>{_WORD}(?:{_SP}+{_WORD}){{0,2}}){_DAY_OF_MONTH}?:{_SP}+(?=[A-Z0-9\u00c0-\u00de])(?!I{_SP})"
)
#: Words that make a "Word:" opening a label, a title or a person rather than a place.
_NOT_PLACES = frozenset(
    "note notes editor's editors editor update updated photo photos image images picture pictures gallery "
    "slideshow watch read also warning analysis comment opinion exclusive breaking video videos audio q a "
    "question answer source sources disclaimer correction clarification summary background context why what how "
    "who when where result results score scores quote quotes pictured tags fact facts factbox check verdict claim "
    "rating editorial explained explainer timeline prime minister ministers president vice chief chancellor "
    "premier senator governor mayor secretary spokesperson spokesman spokeswoman dear file brief briefs in written "
    "by reported edited interview transcript podcast listen blog liveblog recap preview review poll survey quiz "
    "letters letter obituary tribute profile feature column sponsored advertisement promoted paid partner "
    "takeaways highlights latest developing urgent alert must related trending recommended mr mrs ms dr prof "
    "chapter episode season lesson coronavirus covid covid-19 pandemic agencies reuters pti ians ani afp sputnik "
    "narrator anchor reporter correspondent announcer moderator speaker webinar diary report reports officials "
    "introducing icymi".split()
)
#: Section names and the like: a label when alone ("World:"), harmless inside a place ("Key West").
_NOT_PLACES_ALONE = frozenset(
    "world national international local business markets sport sports politics weather key points special live "
    "top more day part step tip rule host official sir lord".split()
)

_TEXT, _PLACEHOLDER, _MARK, _WIRE, _PHOTO_CREDIT, _DATE = range(6)


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
    # str.split() without arguments splits on every Unicode space, NBSP included; plain ASCII
    # lines with single spaces (most of them) only need stripping.
    if line.isascii() and "  " not in line and "\t" not in line:
        return line.strip()
    return " ".join(line.split())


def _key(line: str) -> str:
    # Placeholders are short; long paragraphs never equal one.
    if len(line) > 80:
        return ""
    return " ".join(_KEY_STRIP.sub(" ", line.lower().replace("\u2019", "'")).split())


def _is_placeholder(line: str) -> bool:
    if len(line) > 400:
        return False
    if len(line) <= 80:
        key = _key(line)
        if key in PLACEHOLDER_LINES or _MIN_READ.match(key):
            return True
        words = {w for w in key.split() if not w.isdigit()}  # "12 Comments"
        if words and words <= _WIDGET_ANY and words & _WIDGET_WORDS:
            return True
    if _TAGS.match(line) or _BOILERPLATE.match(line):
        return True
    if len(line) > 200:
        return False
    low = line.lower()
    return any(phrase in low for phrase in _BOILERPLATE_PHRASES)


def _wire_names(names: str) -> str:
    parts = re.split(r"\s*(?:,|/|&|\band\b)\s*", names, flags=re.IGNORECASE)
    return "; ".join(dict.fromkeys(WIRES[_norm(p).lower()] for p in parts if _norm(p).lower() in WIRES))


def _wire_of(line: str) -> str | None:
    m = _WIRE_LINE.match(line)
    if not m:
        return None
    return _wire_names(m.group("a") or m.group("b") or m.group("c")) or None


def _body_like(text: str) -> bool:
    """A paragraph of prose, as opposed to a link headline (short, no sentence ending)."""
    if len(text) > 150:
        return True
    if _SENTENCE_END.search(text):
        end = text.rstrip("\"'\u201d\u2019)] ")
        # A short question is how many link headlines end.
        return not (end.endswith("?") and len(text) <= 100)
    return False


def _loose_headline(text: str) -> bool:
    """The one link after an inline "ALSO READ": short, may end in "?", not in "." or "!"."""
    return len(text) <= 150 and not re.search(r"[.!][\"'\u201d\u2019)\]]*$", text)


def _marker_of(line: str) -> tuple[str, str] | None:
    """(marker key, headline on the same line) for a related-content marker line, else None."""
    m = _MARKER.match(line)
    if not m:
        return None
    marker = " ".join(m.group("m").lower().replace("\u2019", "'").split())
    tail = _COUNT.sub("", m.group("tail"))
    rest = tail.lstrip(_MARKER_TRIM).rstrip()
    if not rest.strip(_MARKER_TRIM):
        return marker, ""
    # "RECENT STORIES: headline", "ALSO READ | headline", "ALSO READ Headline"; never a sentence that
    # happens to start with the word ("Related to this, the minister said ...").
    if (_MARKER_SEP.match(tail) or m.group("m").isupper()) and not _body_like(rest):
        return marker, rest
    return None


def _photo_credit(line: str) -> str | None:
    # A credit names a source in a few words; "Photo: ..." followed by a sentence is a caption.
    m = _PHOTO.match(line) if len(line) < 120 else None
    if m:
        credit = m.group("credit")
        words = len(credit.split())
        if words <= 8 and not (words > 3 and _SENTENCE_END.search(credit)):
            return credit
    return None


def _name_like(text: str) -> bool:
    """A byline: a person, several, or a desk ("FPJ Web Desk", "Tom Hale in Copenhagen")."""
    tokens = text.split()
    if not tokens or len(tokens) > 6:
        return False
    for token in tokens:
        word = token.strip(",.;'\u2019\"()")
        if not any(c.isalnum() for c in word) or word.lower() in _NAME_CONNECTORS:
            continue  # separators ("|", "&") and "in", "and", "of", "van" ...
        if not word[0].isupper() or word.isdigit():
            return False
    return not text.endswith((".", ":", "!", "?")) or bool(re.search(r"\b[A-Z]\.$", text))


def _by_name(line: str) -> str | None:
    m = _BY_LINE.match(line)
    if m and len(line) < 80 and _name_like(m.group("name")):
        return m.group("name")
    return None


def _date_ok(date: str) -> bool:
    if not date or len(date) > 60 or not _YEAR.search(date) or not _MONTH_OR_DAY.search(date):
        return False
    if date.endswith(".") and not _AM_PM_END.search(date):
        return False  # a sentence ending in a date, not a date line
    return not re.search(r"[a-z]{2,}", _DATE_WORDS.sub(" ", date))


def _date_line(line: str) -> tuple[str | None, str, bool] | None:
    """(byline, date, labelled as publication) when ``line`` is a dated byline line, else None."""
    if not _YEAR.search(line):
        return None  # every date line carries a year; most lines of prose fail here, cheaply
    if line.endswith(".") and not _AM_PM_END.search(line):
        return None  # a sentence that mentions a date
    low = line.lower()
    m = _DATE_LINE.match(line) if ("date" in low or "publi" in low or "posted" in low or "modified" in low) else None
    if m:
        date = m.group("date")
        second = _LABEL_RE.search(date)  # "Published: X | Updated: Y": keep X
        if second:
            date = date[: second.start()]
        date = re.split(r"\s*[|\u2022\u00b7]\s*", date, maxsplit=1)[0].strip(" ,-\u2013\u2014")
        byline = _BY_PREFIX.sub("", m.group("byline").strip(" |,-\u2022\u00b7\u2013\u2014"))
        # No parse here: an odd format ("09.53 GMT") still marks the line as a date line, and an
        # unparseable date is counted by the loader rather than left in the text.
        if (not byline or _name_like(byline)) and _date_ok(date):
            label = " ".join(m.group("label").lower().split())
            published = label.startswith(("published", "first", "posted", "date", "publication"))
            return byline or None, date, published
    if len(line) < 100:
        m = _BARE_LINE.match(line)
        if m:
            byline = _BY_PREFIX.sub("", (m.group("byline") or "").strip())
            date = m.group("date").strip(" |,")
            if (not byline or _name_like(byline)) and _date_ok(date):
                return byline or None, date, False  # unlabelled: never overrides a labelled date
    return None


def _classify(line: str) -> tuple[int, object]:
    size = len(line)
    if size <= 400 and _is_placeholder(line):
        return _PLACEHOLDER, None
    if size > 200:
        return _TEXT, None
    marker = _marker_of(line)
    if marker:
        return _MARK, marker
    if size < 80:
        wire = _wire_of(line)
        if wire:
            return _WIRE, wire
    if size < 120:
        credit = _photo_credit(line)
        if credit:
            return _PHOTO_CREDIT, credit
    if size < 100:
        dated = _date_line(line)
        if dated:
            return _DATE, dated
    return _TEXT, None


def _set_byline(page: ScrapedPage, wires: list[str], name: str | None) -> None:
    # "By PTI": the agency is both the byline and the wire.
    if name and not page.byline:
        page.byline = name
        _add_wire(wires, WIRES.get(name.lower()))


def _add_wire(wires: list[str], value: str | None) -> None:
    if value:
        wires.extend(w for w in value.split("; ") if w not in wires)


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
    text = raw.replace("\ufeff", "").replace("\u200b", "")
    # Non-empty lines, each with whether a blank line came before it.
    lines: list[str] = []
    gaps: list[bool] = []
    gap = False
    for line in text.splitlines():
        line = _norm(line)
        if line:
            lines.append(line)
            gaps.append(gap)
            gap = False
        else:
            gap = bool(lines)
    if not lines:
        return page
    wires: list[str] = []
    pos = _parse_header(lines, page, wires)
    paras = _paragraphs(lines, gaps, pos)
    paras = _cut_related(paras, page)

    kept: list[list] = []
    for para in paras:
        kind = para[1]
        if kind == _PLACEHOLDER:
            page.removed.append(para[0])
        elif kind == _PHOTO_CREDIT:
            page.image_credit = page.image_credit or para[2]
            page.removed.append(para[0])
        elif kind == _DATE:
            # A dated line below the header is page furniture; it dates a page whose header has none.
            byline, date, _published = para[2]
            if page.published is None:
                page.published = date
                _set_byline(page, wires, byline)
            page.removed.append(para[0])
        else:
            kept.append(para)
    # Pages print wire credits as the body's last lines; one in the middle of the text is text.
    credits: list[str] = []
    while kept and kept[-1][1] == _WIRE:
        credits.insert(0, kept[-1][2])
        page.removed.append(kept.pop()[0])
    body = [para[0] for para in kept]
    if body:
        place, lead_wire = extract_dateline(body[0])
        if place and page.byline and (
            place.casefold() == page.byline.casefold()
            or (" " in place and place.casefold() in page.byline.casefold())
        ):
            place = None  # "Jane Park: ..." under a Jane Park byline is the reporter, not a place
            # (a one-word place inside a byline is fine: "Tom Hale in Brussels", "BRUSSELS —")
        page.dateline = place
        _add_wire(wires, lead_wire)
    for credit in credits:
        _add_wire(wires, credit)
    page.wire = "; ".join(wires) or None
    page.text = "\n\n".join(body)
    return page


def _parse_header(lines: list[str], page: ScrapedPage, wires: list[str]) -> int:
    """Fill title, standfirst, byline, date and image credit; return the index where the body starts."""
    title = lines[0]
    page.title = title
    folded = title.casefold()
    n = len(lines)
    date_at = None
    dated: tuple[str | None, str, bool] | None = None
    long_seen = False
    sentences = 0
    # The header is at most the first dozen lines and ends at the dated byline line. The standfirst
    # may be paragraph-length, or two sentences; a second paragraph-length line, a third sentence or
    # a related-content marker means the body has started without a dated header.
    for j in range(1, min(n, 14)):
        line = lines[j]
        if line.casefold() == folded:
            continue
        if len(line) > 160:
            if long_seen:
                break
            long_seen = True
            continue
        if _marker_of(line):
            break
        if _SENTENCE_END.search(line):
            sentences += 1
            if sentences > 2:
                break
        dated = _date_line(line)
        if dated:
            date_at = j
            break

    if date_at is None or dated is None:
        # Title + body layout; skip a repeated headline, a "By" line, widgets and a photo credit.
        pos = 1
        while pos < n and _header_extra(lines[pos], folded, page, wires):
            pos += 1
        return pos

    date_byline, page.published, from_published_label = dated
    _set_byline(page, wires, date_byline)
    standfirst: list[str] = []
    pre = lines[1:date_at]
    after_by = False
    for k, line in enumerate(pre):
        credit = _photo_credit(line)
        if line.casefold() == folded or line in standfirst or _is_placeholder(line):
            continue
        follows_by, after_by = after_by, False
        if credit:
            page.image_credit = page.image_credit or credit
        elif _by_name(line):
            _set_byline(page, wires, _by_name(line))
            after_by = True
        elif follows_by and len(line) < 60 and _name_like(line):
            page.removed.append(line)  # the reporter's role under a "By" line: "Staff Writer"
        elif len(line) < 40 and _wire_of(line):
            _add_wire(wires, _wire_of(line))
        elif k == len(pre) - 1 and not page.byline and len(line) < 60 and _name_like(line):
            _set_byline(page, wires, line)  # a name printed on the line above a bare date
        else:
            standfirst.append(line)
    page.subtitle = " ".join(standfirst) or None
    pos = date_at + 1
    # Right after the date: placeholders, widgets, photo credits, a "By ..." line, further date lines.
    while pos < n:
        line = lines[pos]
        if len(line) > 200:
            break
        if _header_extra(line, folded, page, wires):
            pos += 1
        elif (more := _date_line(line)) is not None:
            # "Updated" then "Published": the publication date is the one the field means.
            if more[2] and not from_published_label:
                page.published, from_published_label = more[1], True
            _set_byline(page, wires, more[0])
            page.removed.append(line)
            pos += 1
        else:
            break
    return pos


def _header_extra(line: str, folded: str, page: ScrapedPage, wires: list[str]) -> bool:
    """Take in a header line that is not text: the repeated headline, a placeholder or widget,
    a photo credit, a "By" line (recorded on ``page``). False for anything else."""
    if line.casefold() == folded or _is_placeholder(line):
        return True
    credit = _photo_credit(line)
    if credit:
        page.image_credit = page.image_credit or credit
        return True
    if not page.byline and _by_name(line):
        _set_byline(page, wires, _by_name(line))
        return True
    return False


def _paragraphs(lines: list[str], gaps: list[bool], start: int) -> list[list]:
    """Group body lines into paragraphs [text, kind, detail]; special lines stay on their own."""
    kinds = [_classify(line) for line in lines[start:]]
    first_marker = next((i for i, (kind, _) in enumerate(kinds) if kind == _MARK), len(kinds))
    # Blank lines before the article's text lines (not counting a related block below it, or a
    # credit set off by one) mean "paragraphs are blocks"; none at all means one paragraph per line.
    blocks = any(gaps[start + i] for i in range(1, first_marker) if kinds[i][0] == _TEXT)
    paras: list[list] = []
    for i, (kind, detail) in enumerate(kinds):
        line = lines[start + i]
        if (
            kind == _TEXT and blocks and paras and paras[-1][1] == _TEXT and not gaps[start + i]
            and len(lines[start + i - 1]) <= 100 and not _BULLET.match(line)
        ):
            paras[-1][0] += " " + line  # a hard-wrapped paragraph
        else:
            paras.append([line, kind, detail])
    return paras


def _cut_related(paras: list[list], page: ScrapedPage) -> list[list]:
    """Cut at a marker followed by a list of links; elsewhere drop the marker (and an inline link)."""
    if not any(para[1] == _MARK for para in paras):
        return paras
    # For each position: is there prose, or any text at all, from here on?
    n = len(paras)
    prose_after = [False] * (n + 1)
    text_after = [False] * (n + 1)
    for i in range(n - 1, -1, -1):
        is_text = paras[i][1] == _TEXT
        text_after[i] = text_after[i + 1] or is_text
        prose_after[i] = prose_after[i + 1] or (is_text and _body_like(paras[i][0]))
    out: list[list] = []
    drop_link = False
    for i, para in enumerate(paras):
        if para[1] == _MARK:
            marker, rest = para[2]
            if (rest or text_after[i + 1]) and not prose_after[i + 1]:
                page.removed.append(f"{para[0]} block ({n - i - 1} paragraphs)")
                return out
            page.removed.append(para[0])
            drop_link = not rest and marker in INLINE_LINK_MARKERS
            continue
        if drop_link and para[1] == _TEXT:
            drop_link = False
            if _loose_headline(para[0]):
                page.removed.append(para[0])
                continue
        out.append(para)
    return out


def extract_dateline(paragraph: str, *, strict: bool = False) -> tuple[str | None, str | None]:
    """The dateline place and the wire credited in an article's first paragraph, if any.

    Parameters
    ----------
    paragraph
        The article's first paragraph (or its whole text: only the start is read).
    strict
        Accept only the unambiguous forms: ``PLACE (Wire) -`` and an ALL-CAPS place followed by
        a colon, a dash or ``--``. Use it for text this module did not lay out (CSV/JSON
        exports). When False (scraped pages), a mixed-case place of one to three capitalised
        words before a colon ("Seoul: ...", "New Delhi: ...") is accepted too.

    Examples
    --------
    >>> extract_dateline("GLASGOW, Nov 1 (Reuters) - World leaders arrived on Monday.")
    ('Glasgow', 'Reuters')
    >>> extract_dateline("Seoul: A senior official said ...")
    ('Seoul', None)
    >>> extract_dateline("Seoul: A senior official said ...", strict=True)
    (None, None)
    >>> extract_dateline("Note: this story was updated.")
    (None, None)
    """
    head = paragraph.lstrip()[:200]
    m = _DATELINE_WIRE.match(head)
    if m and _is_place(m.group("place"), caps=m.group("place").isupper()):
        return _place(m.group("place"), m.group("region")), _wire_names(m.group("wire"))
    m = _DATELINE_CAPS.match(head)
    if m and _is_place(m.group("place"), caps=True):
        return _place(m.group("place"), m.group("region")), None
    if not strict:
        m = _DATELINE_MIXED.match(head)
        if m and not m.group("place").isupper() and _is_place(m.group("place"), caps=False):
            return _place(m.group("place"), None), None
    return None, None


def _is_place(place: str, *, caps: bool) -> bool:
    words = [w.strip(".,;:()[]'\u2019") for w in place.lower().replace("\u2019", "'").split()]
    if any(w in _NOT_PLACES or w.removesuffix("'s") in _NOT_PLACES for w in words):
        return False
    if len(words) == 1 and words[0] in _NOT_PLACES_ALONE:
        return False
    if " ".join(words) in WIRES:
        return False
    # One short capitalised acronym ("UK:", "WHO:", "AP:") is a label, not a dateline.
    return not (caps and len(words) == 1 and sum(c.isalpha() for c in place) < 4)


def _place(place: str, region: str | None) -> str:
    # Telex capitals ("NEW DELHI") read better as "New Delhi"; mixed case is kept as written. A
    # ", State" part is kept ("St. Petersburg, Fla."), a bracketed country ("[India]") is not.
    place = place.strip(" ,")
    place = place.title() if place.isupper() else place
    if region and region.lstrip().startswith(","):
        part = _norm(region.strip(" ,"))
        place += ", " + (part.title() if part.isupper() and len(part) > 3 else part)
    return place


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
