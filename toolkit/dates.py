"""Publication dates: parsing what scrapers and exports write into tz-aware UTC timestamps.

Rules (documented in README):

* A time with an explicit zone (``+05:30``, ``Z``, ``GMT+0530``, or an abbreviation from
  :data:`TZ_ABBREVIATIONS`) is converted to UTC.
* A time without a zone is *naive*: it is read in ``tz`` (default ``"UTC"``) and counted, so the
  load report says how many dates relied on that assumption.
* A date without a time is midnight in ``tz`` (or in the zone written after it: "Nov 4, 2021 IST"
  is midnight in India), counted as ``date_only``.
* Nothing is filled in from the day the code runs: a value without its year, month or day
  ("2021", "November 2021", "4 November", "Monday", "3 PM") is ``unparsed``. Two-digit years are
  read the POSIX way (69-99 -> 1900s, 00-68 -> 2000s), not relative to the current year.
* Numeric dates follow ``dayfirst``; one that contradicts it ("13/11/2021" with ``dayfirst=False``)
  is ``unparsed``, not silently swapped. A weekday that does not match the date is ``unparsed``.
* Numbers are Unix epochs in seconds (1e9 to 1e10: 2001 to 2286) or milliseconds (1e12 to 1e13),
  or eight-digit ``YYYYMMDD`` dates (``20211104`` and ``"20211104"`` alike); others are ``unparsed``.
* A local wall time that falls in a daylight-saving change (an hour that happens twice, or one
  that is skipped) is read the PEP 495 way: ``fold=0``, the offset in force *before* the change,
  unless a ``datetime`` says ``fold=1``. Such values are counted in
  :attr:`DateParse.dst_transition` and logged.
* Anything else that cannot be read becomes ``NaT`` and is counted with an example; relative
  phrases ("2 hours ago") are not parsed: they depend on when the page was scraped.

Abbreviations are mapped by our own table, not by dateparser or dateutil defaults: dateparser
reads "IST" as Israel and pandas refuses it outright; here IST is India (+05:30).

Bounds of a date range (``start``/``end`` arguments) are read by :func:`parse_bound`, which is
stricter: ISO strings and date/time objects only.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from dateutil import parser as _dateutil

from toolkit.errors import ParameterError, one_of
from toolkit.schema import PUBLISHED_DTYPE

log = logging.getLogger(__name__)

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


def zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    """A tzinfo for ``tz``: an IANA name ("Asia/Seoul"), an abbreviation ("KST") or a tzinfo.

    Examples
    --------
    >>> zone("KST").utcoffset(None)
    datetime.timedelta(seconds=32400)
    >>> zone("Asia/Seoul")
    zoneinfo.ZoneInfo(key='Asia/Seoul')
    """
    if isinstance(tz, dt.tzinfo):
        # pytz zones only work through their own localize(); replace(tzinfo=...) on one gives
        # the zone's first historical offset (LMT, +08:28 for Seoul). Use the same zone from zoneinfo.
        name = getattr(tz, "zone", None)
        if hasattr(tz, "localize") and isinstance(name, str):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
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


_ZONES: dict[str, dt.tzinfo] = {abbr: zone(abbr) for abbr in TZ_ABBREVIATIONS}
_ZONE_NAMES = "|".join(sorted(TZ_ABBREVIATIONS, key=len, reverse=True))


# -- one value -------------------------------------------------------------------------------

_ISO = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LABEL = re.compile(
    r"^\s*(?:last\s+updated|updated(?:\s+on)?|published(?:\s+on)?|posted(?:\s+on)?|first\s+published(?:\s+on)?|date)\s*:?\s*",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\b(ago|yesterday|today|tomorrow|hours?|minutes?|mins?)\b", re.IGNORECASE)
# JavaScript's Date.toString() appends the zone's long name: "... GMT+0530 (India Standard Time)".
_PAREN_ZONE = re.compile(r"\s*\([A-Za-z][A-Za-z .'-]*\)\s*$")
# dateutil reads "GMT+0530" the POSIX way (5:30 *west* of Greenwich); news pages mean east.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?!\d)", re.IGNORECASE)
_MONTH_DOT = re.compile(
    r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mon|Tue|Tues|Wed|Weds|Thu|Thur|Thurs|Fri|Sat|Sun)\.",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b", re.IGNORECASE)
_AT = re.compile(r"\s+(at|\|)\s+", re.IGNORECASE)
_NOON = re.compile(r"\b(?:12(?:[:.]00)?\s*)?noon\b", re.IGNORECASE)
_MIDNIGHT = re.compile(r"\b(?:12(?:[:.]00)?\s*)?midnight\b", re.IGNORECASE)
_AMPM = re.compile(r"\b([AaPp])\.\s?[Mm]\b\.?")
# Guardian style "15.23 GMT", "3.04 pm": a dot between hour and minute, only where a zone or
# am/pm follows (elsewhere "4.11" may be a day and month).
_DOT_TIME = re.compile(
    rf"\b(\d{{1,2}})\.(\d{{2}})(?=\s*(?:[AaPp][Mm]\b|(?:{_ZONE_NAMES})\b|[+-]\d))"
)
# Numeric dates are rewritten to "4 Nov 2021" so that dateutil never applies its own day/month
# guess (it swaps "13/11/2021" silently and, with dayfirst, even reads "2021-04-11" as 4 November).
_YMD = re.compile(r"(?<![\d.:/-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/-])(T(?=\d))?")
_DMY = re.compile(r"(?<![\d.:/-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-])")
_TELEX = re.compile(r"\s*(\d{1,2}-[A-Za-z]{3}-\d{4}(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)")
_TRAILING_ZONE = re.compile(rf"^(?P<rest>.*\S)[\s,]+(?P<zone>{_ZONE_NAMES})$")
_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
_WEEKDAY = re.compile(r"\b(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_WEEKDAY_TOKEN = re.compile(_WEEKDAY.pattern + r"[.,]?", re.IGNORECASE)
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# dateutil fills the parts a text lacks from a default datetime; with no weekday left in the
# text (see _parse_text) it changes nothing else. Parts that differ from _DEFAULT_A were read;
# where one equals it, a parse with _DEFAULT_B, which differs in every part, tells.
_DEFAULT_A = dt.datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = dt.datetime(2001, 2, 2, 1, 1, 1)


class _ParserInfo(_dateutil.parserinfo):
    """dateutil's English vocabulary with two-digit years that do not move."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        # dateutil's default pivots on the current year, so "75" would change century one day.
        return _two_digit_year(year) if year < 100 and not century_specified else year


_PARSER = _dateutil.parser(_ParserInfo())


def _two_digit_year(year: int) -> int:
    return year + (2000 if year < 69 else 1900)


def _tzinfos(name: str | None, offset: int | None) -> dt.tzinfo | None:
    """dateutil's zone lookup: our table only, never the machine's local zone."""
    if name is None:
        return None if offset is None else dt.timezone(dt.timedelta(seconds=offset))
    known = _ZONES.get(name.upper())
    if known is None:
        raise ValueError(f"unknown time zone {name!r}")
    if offset not in (None, 0):
        raise ValueError(f"zone {name!r} and offset {offset} both given")
    return known


class _Unparsed(Exception):
    """The value cannot be read without guessing."""


@dataclass
class DateParse:
    """Outcome of parsing many dates: the values, and what had to be assumed.

    ``counts`` has one key per kind found: ``aware`` (the value said its zone), ``naive`` (a
    time read in ``tz``), ``date_only`` (midnight in ``tz`` or in the zone given), ``missing``
    and ``unparsed``. ``dst_transition`` counts values whose local wall time was ambiguous or
    skipped by a daylight-saving change (read with the offset before the change).
    """

    values: pd.Series
    counts: Counter = field(default_factory=Counter)
    unparsed_examples: list[str] = field(default_factory=list)
    dst_transition: int = 0


def _in_transition(naive: dt.datetime, tzinfo: dt.tzinfo) -> bool:
    """Is this wall time ambiguous or non-existent in ``tzinfo``?"""
    try:
        first = naive.replace(tzinfo=tzinfo, fold=0).utcoffset()
        second = naive.replace(tzinfo=tzinfo, fold=1).utcoffset()
    except (ValueError, OverflowError):
        return False
    return first != second


def _localize(stamp: pd.Timestamp | dt.datetime, tzinfo: dt.tzinfo) -> tuple[pd.Timestamp, bool]:
    """A naive wall time read in ``tzinfo``, in UTC; and whether it fell in a DST change.

    PEP 495: ``fold=0`` (unless the value says otherwise) picks the offset before the change,
    so an hour that happens twice is its first occurrence and a skipped wall time (02:30 on a
    spring-forward night) is read with the winter offset, i.e. as 03:30 summer time.
    """
    # Nanoseconds go here rather than with a warning: published is stored in microseconds.
    naive = stamp.as_unit("us").to_pydatetime() if isinstance(stamp, pd.Timestamp) else stamp
    return pd.Timestamp(naive.replace(tzinfo=tzinfo)).tz_convert("UTC"), _in_transition(naive, tzinfo)


def _from_datetime(value: pd.Timestamp | dt.datetime, tzinfo: dt.tzinfo) -> tuple[pd.Timestamp, str, bool]:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        utc, shifted = _localize(stamp, tzinfo)
        return utc, "naive", shifted
    return stamp.tz_convert("UTC"), "aware", False


def _date_in(day: dt.date, tzinfo: dt.tzinfo) -> tuple[pd.Timestamp, bool]:
    return _localize(dt.datetime(day.year, day.month, day.day), tzinfo)


def _from_number(number: float, tzinfo: dt.tzinfo) -> tuple[pd.Timestamp, str, bool]:
    if math.isnan(number):
        return pd.NaT, "missing", False
    # Seconds between 2001 and 2286 have 10 digits, milliseconds 13; anything else (a year,
    # a count, microseconds) is not taken for a date.
    if 1e9 <= number < 1e10:
        return pd.Timestamp(number, unit="s", tz="UTC"), "aware", False
    if 1e12 <= number < 1e13:
        return pd.Timestamp(number, unit="ms", tz="UTC"), "aware", False
    if 1e7 <= number < 1e8 and number == int(number):
        n = int(number)
        try:
            day = dt.date(n // 10000, n // 100 % 100, n % 100)
        except ValueError:
            return pd.NaT, "unparsed", False
        utc, shifted = _date_in(day, tzinfo)
        return utc, "date_only", shifted
    return pd.NaT, "unparsed", False


def _parse_iso(text: str, match: re.Match[str], tzinfo: dt.tzinfo) -> tuple[pd.Timestamp, str, bool]:
    try:
        stamp = pd.Timestamp(text.strip().replace(",", "."))
    except ValueError:
        return pd.NaT, "unparsed", False
    if match["time"] is None:
        utc, shifted = _localize(stamp, tzinfo)
        return utc, "date_only", shifted
    if stamp.tzinfo is None:
        utc, shifted = _localize(stamp, tzinfo)
        return utc, "naive", shifted
    return stamp.tz_convert("UTC"), "aware", False


def _numeric_dates(text: str, dayfirst: bool) -> str:
    """Rewrite numeric dates to "4 Nov 2021" in the order ``dayfirst`` declares."""

    def spelled(year: int, month: int, day: int) -> str:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise _Unparsed from None
        return f"{day} {_MONTH_ABBR[month - 1]} {year}"

    def ymd(m: re.Match[str]) -> str:
        out = spelled(int(m[1]), int(m[3]), int(m[4]))
        return out + " " if m[5] else out

    def dmy(m: re.Match[str]) -> str:
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if len(m[4]) == 2:
            year = _two_digit_year(year)
        day, month = (first, second) if dayfirst else (second, first)
        return spelled(year, month, day)

    return _DMY.sub(dmy, _YMD.sub(ymd, text))


def _parse_text(text: str, tzinfo: dt.tzinfo, dayfirst: bool) -> tuple[pd.Timestamp, str, bool]:
    if _NUMBER.fullmatch(text):
        return _from_number(float(text), tzinfo)
    iso = _ISO.match(text)
    if iso:
        return _parse_iso(text, iso, tzinfo)
    cleaned = _LABEL.sub("", text)
    if _RELATIVE.search(cleaned):
        return pd.NaT, "unparsed", False
    cleaned = _PAREN_ZONE.sub("", cleaned)
    cleaned = _GMT_OFFSET.sub(
        lambda m: f" {m[1]}{int(m[2]):02d}:{m[3] or '00'}", cleaned)
    iso = _ISO.match(cleaned)
    if iso:
        return _parse_iso(cleaned, iso, tzinfo)
    cleaned = _AT.sub(" ", _ORDINAL.sub(r"\1", _MONTH_DOT.sub(r"\1", cleaned)))
    cleaned = _MIDNIGHT.sub("12:00 AM", _NOON.sub("12:00 PM", cleaned))
    cleaned = _DOT_TIME.sub(r"\1:\2", _AMPM.sub(r"\1M", cleaned))
    # Telex-style "26-FEB-1987 15:01:01.79" with trailing junk: keep the leading date-time.
    telex = _TELEX.match(cleaned)
    if telex:
        cleaned = telex.group(1)
    # The weekday is checked here rather than by dateutil, which ignores it when the date has
    # a day and, when it has none, moves the default date to that weekday.
    weekdays = {_WEEKDAYS[w.lower()] for w in _WEEKDAY.findall(cleaned)}
    cleaned = _numeric_dates(_WEEKDAY_TOKEN.sub(" ", cleaned), dayfirst).strip(" ,")
    # dateutil only reads a zone name after a time; a trailing one is applied here, so that
    # "Nov 4, 2021 IST" (no time) is midnight in India.
    explicit: dt.tzinfo | None = None
    trailing = _TRAILING_ZONE.match(cleaned)
    if trailing:
        cleaned, explicit = trailing["rest"], _ZONES[trailing["zone"]]
    first = _PARSER.parse(cleaned, default=_DEFAULT_A, tzinfos=_tzinfos, dayfirst=dayfirst)
    has_time = True
    if first.year == _DEFAULT_A.year or first.month == 1 or first.day == 1 or first.hour == 0:
        # A part equal to the default may have been filled in: a second default tells.
        second = _PARSER.parse(cleaned, default=_DEFAULT_B, tzinfos=_tzinfos, dayfirst=dayfirst)
        if first.date() != second.date():
            return pd.NaT, "unparsed", False  # year, month or day missing: never taken from a default
        has_time = first.hour == second.hour  # the defaults differ in the hour
    if len(weekdays) > 1 or (weekdays and weekdays.pop() != first.weekday()):
        return pd.NaT, "unparsed", False  # "Monday, November 4, 2021": which one is wrong?
    if explicit is not None:
        if first.tzinfo is not None:
            wall = first.replace(tzinfo=None)
            if first.utcoffset() != wall.replace(tzinfo=explicit).utcoffset():
                return pd.NaT, "unparsed", False  # two zones that disagree
        first = first.replace(tzinfo=explicit)
    if first.tzinfo is None:
        utc, shifted = _localize(first, tzinfo)
        return utc, "naive" if has_time else "date_only", shifted
    shifted = isinstance(first.tzinfo, ZoneInfo) and _in_transition(first.replace(tzinfo=None), first.tzinfo)
    return pd.Timestamp(first).tz_convert("UTC"), "aware" if has_time else "date_only", shifted


def _parse_one(value: object, tzinfo: dt.tzinfo, dayfirst: bool) -> tuple[pd.Timestamp, str, bool]:
    """(UTC timestamp or NaT, kind, fell in a DST change); kind: aware/naive/date_only/missing/unparsed."""
    if value is None or value is pd.NaT or value is pd.NA:
        return pd.NaT, "missing", False
    try:
        if isinstance(value, np.datetime64):
            value = pd.Timestamp(value)
            if value is pd.NaT:
                return pd.NaT, "missing", False
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            return _from_datetime(value, tzinfo)
        if isinstance(value, dt.date):
            utc, shifted = _date_in(value, tzinfo)
            return utc, "date_only", shifted
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return _from_number(float(value), tzinfo)
        if not isinstance(value, str):
            return pd.NaT, "unparsed", False
        text = value.strip()
        if not text:
            return pd.NaT, "missing", False
        return _parse_text(text, tzinfo, dayfirst)
    except (_Unparsed, ValueError, OverflowError, TypeError):
        return pd.NaT, "unparsed", False


def parse_date(
    value: object, *, tz: str | dt.tzinfo = "UTC", dayfirst: bool = False
) -> pd.Timestamp:
    """Parse one publication date to a UTC ``Timestamp`` in microseconds (``NaT`` when it cannot be read).

    See the module docstring for the rules; :func:`parse_dates` also says what was assumed.

    Examples
    --------
    >>> parse_date("Thursday, November 04, 2021, 03:23 PM IST").isoformat()
    '2021-11-04T09:53:00+00:00'
    >>> parse_date("2021-11-08 10:15", tz="Asia/Seoul").isoformat()
    '2021-11-08T01:15:00+00:00'
    >>> parse_date("3 hours ago"), parse_date("November 2021")
    (NaT, NaT)
    """
    stamp, _kind, _shifted = _parse_one(value, zone(tz), dayfirst)
    # The resolution of the published column, so that one value equals its parse_dates entry.
    return stamp if stamp is pd.NaT else stamp.as_unit("us")


# -- many values -----------------------------------------------------------------------------

_KINDS = ("aware", "naive", "date_only", "missing", "unparsed")
_AWARE, _NAIVE, _DATE_ONLY, _MISSING, _UNPARSED = range(len(_KINDS))
_NAT = np.iinfo(np.int64).min


def _key(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ("missing",)
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    # The type keeps 1, 1.0 and True apart; equal Timestamps and datetimes share a result anyway.
    return (type(value), value)


def _utc_micros(index: pd.DatetimeIndex) -> np.ndarray:
    return index.tz_convert("UTC").as_unit("us").asi8


def _micros(stamp: pd.Timestamp) -> int:
    """Microseconds since the epoch, the way :func:`_utc_micros` rounds (``NaT``: int64 min)."""
    return _NAT if stamp is pd.NaT else int(stamp.as_unit("us").to_datetime64().view(np.int64))


# The ISO pattern for pyarrow's RE2 engine, on whitespace-trimmed text. RE2's \d and \s are
# ASCII-only, so it matches a subset of what _ISO matches; the rest takes the per-value path.
_ISO_RE2 = (r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
            r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?$")


def _parse_iso_vectorised(texts: np.ndarray, tzinfo: dt.tzinfo) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds and kinds for ISO-8601 strings, all at once; kind ``-1``: not done here.

    Strings that are not plain ISO, values pandas cannot read, and naive wall times that fall
    in a DST change are left to the per-value path, so both paths give identical results.
    """
    n = len(texts)
    micros = np.full(n, _NAT, dtype=np.int64)
    kinds = np.full(n, -1, dtype=np.int8)
    trimmed = pc.utf8_trim_whitespace(pa.array(texts, type=pa.string()))
    parts = pc.extract_regex(trimmed, _ISO_RE2)
    matched = np.asarray(parts.is_valid())
    if not matched.any():
        return micros, kinds
    has_time = np.asarray(pc.not_equal(parts.field("time"), "").fill_null(False))
    has_zone = np.asarray(pc.not_equal(parts.field("zone"), "").fill_null(False))
    cleaned = pc.replace_substring(trimmed, ",", ".").to_numpy(zero_copy_only=False)
    groups = ((matched & has_time & has_zone, _AWARE), (matched & has_time & ~has_zone, _NAIVE),
              (matched & ~has_time, _DATE_ONLY))
    for mask, kind in groups:
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        try:
            if kind == _AWARE:
                local = pd.to_datetime(cleaned[idx], format="ISO8601", utc=True, errors="coerce")
            else:
                parsed = pd.to_datetime(cleaned[idx], format="ISO8601", errors="coerce")
                local = parsed.tz_localize(tzinfo, ambiguous="NaT", nonexistent="NaT")
            ok = ~np.asarray(local.isna())
            utc = _utc_micros(local[ok])
        except (ValueError, OverflowError, NotImplementedError):
            continue  # e.g. a year-9999 time that is in year 10000 in UTC: one by one
        micros[idx[ok]] = utc
        kinds[idx[ok]] = kind
    return micros, kinds


def parse_dates(
    values: Iterable[object], *, tz: str | dt.tzinfo = "UTC", dayfirst: bool = False
) -> DateParse:
    """Parse many dates; each distinct value is parsed once, ISO-8601 strings all at once.

    Returns a :class:`DateParse` whose ``values`` is a ``datetime64[us, UTC]`` Series and whose
    ``counts`` say how many were ``aware``, ``naive`` (read in ``tz``), ``date_only``,
    ``missing`` or ``unparsed``. Results are those of :func:`parse_date` value by value.

    Examples
    --------
    >>> r = parse_dates(["2021-11-04T09:53:00Z", "2021-11-04 15:23", None], tz="Asia/Kolkata")
    >>> r.values.dt.strftime("%H:%M").tolist(), dict(r.counts)
    (['09:53', '09:53', nan], {'aware': 1, 'naive': 1, 'missing': 1})
    """
    tzinfo = zone(tz)
    items = values.tolist() if isinstance(values, (pd.Series, pd.Index, np.ndarray)) else list(values)
    n = len(items)
    array = np.fromiter(items, dtype=object, count=n)
    is_str = np.fromiter((type(v) is str for v in items), dtype=bool, count=n)

    # Distinct values: strings by hashing them all at once, the (usually few) others one by one.
    codes = np.empty(n, dtype=np.int64)
    str_codes, str_uniques = pd.factorize(array[is_str])
    codes[is_str] = str_codes
    uniques: list[object] = list(str_uniques)
    seen: dict[object, int] = {}
    other = np.flatnonzero(~is_str)
    for i in other:
        key = _key(items[i])
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(uniques)
            uniques.append(items[i])
        codes[i] = j

    micros = np.full(len(uniques), _NAT, dtype=np.int64)
    kinds = np.full(len(uniques), -1, dtype=np.int8)
    shifted = np.zeros(len(uniques), dtype=bool)
    if len(str_uniques):
        micros[: len(str_uniques)], kinds[: len(str_uniques)] = _parse_iso_vectorised(
            np.asarray(str_uniques, dtype=object), tzinfo)
    slow = np.flatnonzero(kinds < 0)
    for j in slow:
        stamp, kind, dst = _parse_one(uniques[j], tzinfo, dayfirst)
        kinds[j], shifted[j], micros[j] = _KINDS.index(kind), dst, _micros(stamp)

    per_value = pd.Series(micros[codes].view("datetime64[us]")).dt.tz_localize("UTC")
    n_each = np.bincount(codes, minlength=len(uniques))
    by_kind = np.bincount(kinds, weights=n_each, minlength=len(_KINDS)).astype(int)
    counts = Counter({kind: int(k) for kind, k in zip(_KINDS, by_kind, strict=True) if k})
    # Examples in the order they first appear in the input.
    unparsed = np.flatnonzero(kinds[codes] == _UNPARSED)
    examples: list[str] = []
    for i in unparsed[np.sort(np.unique(codes[unparsed], return_index=True)[1])]:
        text = str(items[i])
        if text not in examples:
            examples.append(text)
        if len(examples) == 5:
            break
    n_dst = int(n_each[shifted].sum())
    if n_dst:
        example = uniques[int(np.flatnonzero(shifted)[0])]
        log.warning("%d dates fall in a daylight-saving change of their zone (e.g. %r); read with the "
                    "offset in force before the change", n_dst, example)
    return DateParse(per_value.astype(PUBLISHED_DTYPE), counts, examples, n_dst)


# -- bounds of a date range ------------------------------------------------------------------

_BOUND_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOUND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?")
_BOUND_EXPECTED = (
    "an ISO date such as '2021-11-30' (YYYY-MM-DD), an ISO date and time such as "
    "'2021-11-30T18:00' or '2021-11-30 18:00+09:00', a datetime.date, datetime or pandas "
    "Timestamp, or None for no bound"
)
_ONE_MICROSECOND = pd.Timedelta(microseconds=1)


def _bound_error(name: str, value: object) -> ParameterError:
    hint = "Write dates as YYYY-MM-DD, e.g. '2021-11-30'."
    numeric = isinstance(value, str) and re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\s*", value)
    if numeric:
        a, b, y = (int(g) for g in numeric.groups())
        year = y if len(numeric[3]) == 4 else _two_digit_year(y)
        readings = []
        for month, day in ((b, a), (a, b)):
            try:
                readings.append(dt.date(year, month, day).isoformat())
            except ValueError:
                pass
        readings = list(dict.fromkeys(readings))
        if len(readings) == 2:
            hint = f"Which is the day in {value.strip()!r}? Write {readings[0]!r} or {readings[1]!r}."
        elif readings:
            hint = f"Write it as {readings[0]!r}."
    return ParameterError(name, value, _BOUND_EXPECTED, hint=hint)


def parse_bound(
    value: object,
    *,
    name: str,
    side: Literal["start", "end"],
    tz: str | dt.tzinfo = "UTC",
) -> pd.Timestamp | None:
    """Read one bound of a date range (a ``start`` or ``end`` argument) as a UTC instant.

    ``start`` returns the first instant included; ``end`` the first instant *excluded*, so
    that a range is ``start <= published < end``. Whether a value is a date or an instant is
    decided from the input itself, before any conversion:

    * a date ("2021-11-30", ``datetime.date``, or a ``datetime``/``Timestamp`` at exactly
      midnight, which is how pandas writes dates) covers the whole day in ``tz``, or in the
      value's own zone when it has one: as a start it is that day's midnight, as an end the
      next day's midnight;
    * an instant ("2021-11-30T18:00", "2021-11-30 18:00+09:00", a Timestamp with a time) is
      included: as an end it returns one microsecond later (the resolution of ``published``).
      Without an offset it is read in ``tz``.

    Parameters
    ----------
    value
        An ISO string (``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS[.ffffff]][offset]``, a space
        instead of ``T``), a ``datetime.date``/``datetime``/``pandas.Timestamp``, or
        ``None``/``""``/``NaT`` for no bound (returns ``None``). Other forms, such as
        "04/11/2021" (which day comes first?), are refused.
    name
        The argument's name, for error messages ("start", "end", ...).
    side
        ``"start"`` or ``"end"``.
    tz
        Zone for dates and for times written without an offset.

    Raises
    ------
    ParameterError
        Naming ``name``, for a value that is not one of the forms above.

    Examples
    --------
    >>> parse_bound("2021-11-30", name="end", side="end").isoformat()
    '2021-12-01T00:00:00+00:00'
    >>> parse_bound("2021-11-30", name="end", side="end", tz="Asia/Seoul").isoformat()
    '2021-11-30T15:00:00+00:00'
    >>> parse_bound("2021-11-30T18:00+09:00", name="start", side="start").isoformat()
    '2021-11-30T09:00:00+00:00'
    """
    if side not in ("start", "end"):
        raise ParameterError("side", side, one_of(("start", "end")))
    tzinfo = zone(tz)
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
        if value is pd.NaT:
            return None
    day: dt.date | None = None
    instant: pd.Timestamp | None = None
    day_zone = tzinfo
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not (_BOUND_DATE.fullmatch(text) or _BOUND_TIME.fullmatch(text)):
            raise _bound_error(name, value)
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
            else:
                instant = pd.Timestamp(text)
        except (ValueError, OverflowError) as exc:
            raise ParameterError(name, value, _BOUND_EXPECTED,
                                 hint=f"It has the right form but is not a real date or time ({exc}).") from None
    elif isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        if stamp == stamp.normalize():
            day, day_zone = stamp.date(), tzinfo if stamp.tzinfo is None else zone(stamp.tzinfo)
        else:
            instant = stamp
    elif isinstance(value, dt.date):
        day = value
    else:
        raise _bound_error(name, value)

    if day is not None:
        if side == "end":
            day = day + dt.timedelta(days=1)
        return _date_in(day, day_zone)[0]
    assert instant is not None
    utc = _localize(instant, tzinfo)[0] if instant.tzinfo is None else instant.tz_convert("UTC")
    return utc if side == "start" else utc.floor("us") + _ONE_MICROSECOND


def parse_bounds(
    start: object, end: object, *, tz: str | dt.tzinfo = "UTC"
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Read a ``start``/``end`` pair with :func:`parse_bound`: ``start <= t < end`` in UTC.

    Raises
    ------
    ParameterError
        For an unreadable bound, or an ``end`` before ``start`` (named ``end``).

    Examples
    --------
    >>> [t.isoformat() for t in parse_bounds("2021-11-01", "2021-11-30")]
    ['2021-11-01T00:00:00+00:00', '2021-12-01T00:00:00+00:00']
    """
    lo = parse_bound(start, name="start", side="start", tz=tz)
    hi = parse_bound(end, name="end", side="end", tz=tz)
    check_range(lo, hi, end=end, start=start)
    return lo, hi


def check_range(
    lo: pd.Timestamp | None, hi: pd.Timestamp | None, *, start: object = None, end: object = None
) -> None:
    """Raise ``ParameterError("end", ...)`` when the range ``lo <= t < hi`` is empty.

    ``lo``/``hi`` are what :func:`parse_bound` returned; ``start``/``end`` the values as
    given, for the message (default: ``lo``/``hi``).

    Examples
    --------
    >>> check_range(pd.Timestamp("2021-11-30", tz="UTC"), pd.Timestamp("2021-11-01", tz="UTC"))
    Traceback (most recent call last):
    ...
    toolkit.errors.ParameterError: end=Timestamp('2021-11-01 00:00:00+0000', tz='UTC') is not valid: expected a date or time on or after start=Timestamp('2021-11-30 00:00:00+0000', tz='UTC'). Swap start and end.
    """
    if lo is not None and hi is not None and hi <= lo:
        shown_start = lo if start is None else start
        shown_end = hi if end is None else end
        raise ParameterError("end", shown_end, f"a date or time on or after start={shown_start!r}",
                             hint="Swap start and end.")
