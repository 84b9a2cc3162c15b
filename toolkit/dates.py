"""Publication dates: parsing what scrapers and exports write into tz-aware UTC timestamps.

Rules (documented in README):

* A time with an explicit zone (``+05:30``, ``Z``, or an abbreviation from
  :data:`TZ_ABBREVIATIONS`) is converted to UTC.
* A time without a zone is *naive*: it is read in ``tz`` (default ``"UTC"``) and counted, so the
  load report says how many dates relied on that assumption.
* A date without a time is midnight in ``tz``, counted as ``date_only``.
* Anything unparseable becomes ``NaT`` and is counted with an example; nothing is guessed.
* Relative phrases ("2 hours ago") are not parsed: they depend on when the page was scraped.

Abbreviations are mapped by our own table, not by dateparser or dateutil defaults: dateparser
reads "IST" as Israel and pandas refuses it outright; here IST is India (+05:30).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from dateutil import parser as _dateutil
from dateutil import tz as _dtz

from toolkit.errors import ParameterError
from toolkit.schema import PUBLISHED_DTYPE

_H = 3600
#: Time-zone abbreviations as used in English-language news pages, to a fixed UTC offset in
#: seconds or, where the abbreviation does not say whether summer time applies ("ET"), to a zone.
#: Ambiguous abbreviations are resolved the way news sites use them: IST = India, CST = US
#: Central, BST = British Summer Time, AST = Atlantic.
TZ_ABBREVIATIONS: dict[str, int | str] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0,
    "BST": 1 * _H, "IST": 5 * _H + 30 * 60, "CET": 1 * _H, "CEST": 2 * _H, "WEST": 1 * _H,
    "EET": 2 * _H, "EEST": 3 * _H, "MSK": 3 * _H, "EAT": 3 * _H, "WAT": 1 * _H, "CAT": 2 * _H,
    "SAST": 2 * _H, "GST": 4 * _H, "PKT": 5 * _H, "NPT": 5 * _H + 45 * 60, "BDT": 6 * _H,
    "ICT": 7 * _H, "WIB": 7 * _H, "HKT": 8 * _H, "SGT": 8 * _H, "PHT": 8 * _H, "AWST": 8 * _H,
    "KST": 9 * _H, "JST": 9 * _H, "ACST": 9 * _H + 30 * 60, "ACDT": 10 * _H + 30 * 60,
    "AEST": 10 * _H, "AEDT": 11 * _H, "NZST": 12 * _H, "NZDT": 13 * _H,
    "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H, "MST": -7 * _H,
    "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H, "AKST": -9 * _H, "AKDT": -8 * _H,
    "HST": -10 * _H, "AST": -4 * _H, "ADT": -3 * _H, "NST": -(3 * _H + 30 * 60),
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles", "UK": "Europe/London",
}

_TZINFOS = {
    abbr: (_dtz.gettz(value) if isinstance(value, str) else value)
    for abbr, value in TZ_ABBREVIATIONS.items()
}

_ISO = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
)
_LABEL = re.compile(
    r"^\s*(?:last\s+updated|updated(?:\s+on)?|published(?:\s+on)?|posted(?:\s+on)?|first\s+published(?:\s+on)?|date)\s*:?\s*",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\b(ago|yesterday|today|tomorrow|hours?|minutes?|mins?)\b", re.IGNORECASE)
# "Nov. 4" -> "Nov 4"; "4th" -> "4"; " at " between date and time.
_MONTH_DOT = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b", re.IGNORECASE)
_AT = re.compile(r"\s+(at|\|)\s+", re.IGNORECASE)
_HAS_TIME = re.compile(r"\d{1,2}[:.]\d{2}|\d\s*[ap]\.?m\b", re.IGNORECASE)


def zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    """A tzinfo for ``tz``: an IANA name ("Asia/Seoul"), an abbreviation ("KST") or a tzinfo."""
    if isinstance(tz, dt.tzinfo):
        return tz
    if isinstance(tz, str):
        upper = tz.strip().upper()
        if upper in TZ_ABBREVIATIONS:
            value = TZ_ABBREVIATIONS[upper]
            return ZoneInfo(value) if isinstance(value, str) else dt.timezone(dt.timedelta(seconds=value))
        try:
            return ZoneInfo(tz.strip())
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise ParameterError(
        "tz", tz, "an IANA zone name such as 'UTC', 'Asia/Kolkata', 'Europe/London', or an abbreviation "
        f"from toolkit.dates.TZ_ABBREVIATIONS ({', '.join(sorted(TZ_ABBREVIATIONS)[:8])}, ...)",
    )


@dataclass
class DateParse:
    """Outcome of parsing many dates: the values, and what had to be assumed."""

    values: pd.Series
    counts: Counter = field(default_factory=Counter)
    unparsed_examples: list[str] = field(default_factory=list)


def _as_utc(ts: dt.datetime, tzinfo: dt.tzinfo) -> tuple[pd.Timestamp, bool]:
    stamp = pd.Timestamp(ts)
    if stamp.tzinfo is None:
        return _localize(stamp, tzinfo), True
    return stamp.tz_convert("UTC"), False


def _localize(stamp: pd.Timestamp, tzinfo: dt.tzinfo) -> pd.Timestamp:
    # fold=0 picks the first of two ambiguous wall times; a non-existent wall time (spring
    # forward) is shifted forward: both are what a reader of the page would assume.
    naive = stamp.to_pydatetime().replace(tzinfo=tzinfo)
    return pd.Timestamp(naive).tz_convert("UTC")


def parse_date(
    value: object, *, tz: str | dt.tzinfo = "UTC", dayfirst: bool = False
) -> pd.Timestamp:
    """Parse one publication date to a UTC ``Timestamp`` (``NaT`` when it cannot be read).

    Examples
    --------
    >>> parse_date("Thursday, November 04, 2021, 03:23 PM IST").isoformat()
    '2021-11-04T09:53:00+00:00'
    >>> parse_date("2021-11-08 10:15", tz="Asia/Seoul").isoformat()
    '2021-11-08T01:15:00+00:00'
    >>> parse_date("3 hours ago")
    NaT
    """
    stamp, _kind = _parse_one(value, zone(tz), dayfirst)
    return stamp


def _parse_one(value: object, tzinfo: dt.tzinfo, dayfirst: bool) -> tuple[pd.Timestamp, str]:
    """Return (utc timestamp or NaT, kind) with kind in aware/naive/date_only/missing/unparsed."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return pd.NaT, "missing"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp, naive = _as_utc(value, tzinfo)
        return stamp, "naive" if naive else "aware"
    if isinstance(value, dt.date):
        return _localize(pd.Timestamp(value), tzinfo), "date_only"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return pd.NaT, "unparsed"
    text = value.strip()
    if not text:
        return pd.NaT, "missing"
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text))
    iso = _ISO.match(text)
    if iso:
        try:
            stamp = pd.Timestamp(text.replace(",", "."))
        except ValueError:
            return pd.NaT, "unparsed"
        if iso["time"] is None:
            return _localize(stamp, tzinfo), "date_only"
        if stamp.tzinfo is None:
            return _localize(stamp, tzinfo), "naive"
        return stamp.tz_convert("UTC"), "aware"
    cleaned = _LABEL.sub("", text)
    if _RELATIVE.search(cleaned):
        return pd.NaT, "unparsed"
    cleaned = _AT.sub(" ", _ORDINAL.sub(r"\1", _MONTH_DOT.sub(r"\1", cleaned)))
    cleaned = re.sub(r"\b([AaPp])\.[Mm]\.", r"\1M", cleaned)
    # Telex-style "26-FEB-1987 15:01:01.79" with trailing junk: keep the leading date-time.
    telex = re.match(r"\s*(\d{1,2}-[A-Za-z]{3}-\d{4}(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)", cleaned)
    if telex:
        cleaned = telex.group(1)
    try:
        parsed = _dateutil.parse(cleaned, tzinfos=_TZINFOS, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError):
        return pd.NaT, "unparsed"
    if not _HAS_TIME.search(cleaned):
        return _localize(pd.Timestamp(parsed.replace(tzinfo=None)), tzinfo) if parsed.tzinfo is None else pd.Timestamp(parsed).tz_convert("UTC"), "date_only"
    stamp, naive = _as_utc(parsed, tzinfo)
    return stamp, "naive" if naive else "aware"


def _from_epoch(number: float) -> tuple[pd.Timestamp, str]:
    # Seconds between 2001 and 2286 have 10 digits; milliseconds have 13.
    if 1e9 <= abs(number) < 1e11:
        return pd.Timestamp(number, unit="s", tz="UTC"), "aware"
    if 1e12 <= abs(number) < 1e14:
        return pd.Timestamp(number, unit="ms", tz="UTC"), "aware"
    return pd.NaT, "unparsed"


def parse_dates(
    values: Iterable[object], *, tz: str | dt.tzinfo = "UTC", dayfirst: bool = False
) -> DateParse:
    """Parse many dates; each distinct value is parsed once.

    Returns a :class:`DateParse` whose ``values`` is a ``datetime64[us, UTC]`` Series and whose
    ``counts`` say how many were ``naive`` (read in ``tz``), ``date_only``, ``missing`` or
    ``unparsed``.

    Examples
    --------
    >>> r = parse_dates(["2021-11-04T09:53:00Z", "2021-11-04 15:23", None], tz="Asia/Kolkata")
    >>> r.values.dt.strftime("%H:%M").tolist(), dict(r.counts)
    (['09:53', '09:53', nan], {'aware': 1, 'naive': 1, 'missing': 1})
    """
    tzinfo = zone(tz)
    series = pd.Series(list(values), dtype=object)
    counts: Counter = Counter()
    examples: list[str] = []
    cache: dict[object, tuple[pd.Timestamp, str]] = {}
    out = []
    for value in series:
        try:
            key = value if isinstance(value, (str, int, float, pd.Timestamp, dt.datetime, dt.date)) else id(value)
            hit = cache.get(key)
        except TypeError:
            key, hit = None, None
        if hit is None:
            hit = _parse_one(value, tzinfo, dayfirst)
            if key is not None:
                cache[key] = hit
        stamp, kind = hit
        counts[kind] += 1
        if kind == "unparsed" and len(examples) < 5 and str(value) not in examples:
            examples.append(str(value))
        out.append(stamp)
    result = pd.Series(pd.to_datetime(out, utc=True) if out else [], dtype=PUBLISHED_DTYPE)
    return DateParse(result, counts, examples)
