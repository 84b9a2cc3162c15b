import datetime as dt
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.dates import (
    TZ_ABBREVIATIONS,
    _parse_one,
    check_range,
    parse_bound,
    parse_bounds,
    parse_date,
    parse_dates,
    zone,
)
from toolkit.errors import ParameterError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thursday, November 04, 2021, 03:23 PM IST", "2021-11-04T09:53:00+00:00"),
        ("Nov 8, 2021 10:15 AM KST", "2021-11-08T01:15:00+00:00"),
        ("08 November 2021 01:15 GMT", "2021-11-08T01:15:00+00:00"),
        ("2021-11-08 10:15 JST", "2021-11-08T01:15:00+00:00"),
        ("Monday, 8th November 2021, 3:04 pm BST", "2021-11-08T14:04:00+00:00"),
        ("8 Nov 2021 14:00 CET", "2021-11-08T13:00:00+00:00"),
        ("Nov. 8, 2021 at 10:15 a.m. ET", "2021-11-08T15:15:00+00:00"),  # EST in November
        ("July 4, 2021 10:15 AM ET", "2021-07-04T14:15:00+00:00"),  # EDT in July
        ("Nov 8, 2021 10:15 EST", "2021-11-08T15:15:00+00:00"),
        ("Nov 8, 2021 10:15 PDT", "2021-11-08T17:15:00+00:00"),
        ("Nov 8, 2021 10:15 PST", "2021-11-08T18:15:00+00:00"),
        ("Nov 8, 2021 10:15 AEST", "2021-11-08T00:15:00+00:00"),
        ("Updated: Nov 8, 2021 10:15 UTC", "2021-11-08T10:15:00+00:00"),
        ("Published on: 2021-11-08T10:15:00+09:00", "2021-11-08T01:15:00+00:00"),
        ("2021-11-08T10:15:00Z", "2021-11-08T10:15:00+00:00"),
        ("2021-11-08T10:15:00.250-05:00", "2021-11-08T15:15:00.250000+00:00"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01.790000+00:00"),
        ("26-FEB-1987 15:01:01.79 junk", "1987-02-26T15:01:01.790000+00:00"),
        ("1636019580", "2021-11-04T09:53:00+00:00"),
    ],
)
def test_parse_date_honours_zones(text, expected):
    assert parse_date(text).isoformat() == expected


def test_naive_and_date_only_use_tz():
    assert parse_date("2021-11-08 10:15", tz="Asia/Seoul").isoformat() == "2021-11-08T01:15:00+00:00"
    assert parse_date("2021-11-08", tz="Asia/Kolkata").isoformat() == "2021-11-07T18:30:00+00:00"
    assert parse_date("2021-11-08 10:15").isoformat() == "2021-11-08T10:15:00+00:00"


@pytest.mark.parametrize("text", ["", "   ", "garbage", "3 hours ago", "yesterday", None, float("nan")])
def test_unparseable_is_nat(text):
    assert parse_date(text) is pd.NaT


def test_parse_dates_counts_assumptions():
    r = parse_dates(["2021-11-04T09:53:00Z", "2021-11-04 15:23", "2021-11-04", None, "soon", "soon"],
                    tz="Asia/Kolkata")
    assert str(r.values.dtype) == "datetime64[us, UTC]"
    assert r.values.iloc[1].isoformat() == "2021-11-04T09:53:00+00:00"
    assert dict(r.counts) == {"aware": 1, "naive": 1, "date_only": 1, "missing": 1, "unparsed": 2}
    assert r.unparsed_examples == ["soon"]


def test_datetime_objects():
    r = parse_dates([dt.datetime(2021, 1, 1, 12), pd.Timestamp("2021-01-01T12:00+01:00"), dt.date(2021, 1, 2)],
                    tz="UTC")
    assert [t.isoformat() for t in r.values] == [
        "2021-01-01T12:00:00+00:00", "2021-01-01T11:00:00+00:00", "2021-01-02T00:00:00+00:00"]


def test_ist_is_india_not_israel():
    assert TZ_ABBREVIATIONS["IST"] == 5 * 3600 + 1800
    assert zone("IST").utcoffset(None) == dt.timedelta(hours=5, minutes=30)


def test_bad_zone_names_valid_values():
    with pytest.raises(ParameterError, match=r"tz='Mars/Olympus'.*IANA zone name"):
        zone("Mars/Olympus")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parse_date_never_raises(text):
    value = parse_date(text)
    assert value is pd.NaT or value.tzinfo is not None


# -- nothing is filled in from the day the tests run ------------------------------------------


@pytest.mark.parametrize(
    "text", ["2021", "November 2021", "Nov. 2021", "March 2021 10:00", "Monday", "3 PM", "4 November",
             "November 4", "10:15", "10:15 IST", "Monday 10:15", "2021 Nov", "Nov 4 10:15 AM"])
def test_missing_year_month_or_day_is_unparsed(text):
    assert parse_date(text) is pd.NaT
    assert dict(parse_dates([text]).counts) == {"unparsed": 1}


def test_missing_time_is_date_only_and_missing_minutes_are_zero():
    r = parse_dates(["Nov 4, 2021", "Nov 4, 2021 3 PM", "4 November 2021 3pm"], tz="Asia/Kolkata")
    assert [t.isoformat() for t in r.values] == [
        "2021-11-03T18:30:00+00:00", "2021-11-04T09:30:00+00:00", "2021-11-04T09:30:00+00:00"]
    assert dict(r.counts) == {"naive": 2, "date_only": 1}


@pytest.mark.parametrize("text, year", [("Nov 4, 21", 2021), ("Nov 4, 68", 2068), ("Nov 4, 69", 1969),
                                        ("Nov 4, 99", 1999), ("4/11/00", 2000)])
def test_two_digit_years_have_a_fixed_pivot(text, year):
    # POSIX strptime's %y rule, not dateutil's "within 50 years of today".
    assert parse_date(text).year == year


# -- zones written in other ways --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021-11-04 15:23 GMT+0530", "2021-11-04T09:53:00+00:00"),  # dateutil alone: 20:53Z
        ("2021-11-04 15:23 GMT+05:30", "2021-11-04T09:53:00+00:00"),
        ("2021-11-04 15:23 UTC+5:30", "2021-11-04T09:53:00+00:00"),
        ("2021-11-04 15:23 GMT-3", "2021-11-04T18:23:00+00:00"),
        ("Nov 4, 2021 3:23 PM UTC +9", "2021-11-04T06:23:00+00:00"),
        ("2021-11-04 15:23 +0530", "2021-11-04T09:53:00+00:00"),
        ("Thu Nov 04 2021 15:23:00 GMT+0530 (India Standard Time)", "2021-11-04T09:53:00+00:00"),
        ("Mon Nov 08 2021 10:15:00 GMT-0500 (Eastern Standard Time)", "2021-11-08T15:15:00+00:00"),
        ("Nov 4, 2021 IST", "2021-11-03T18:30:00+00:00"),
        ("8 Nov 2021 MSK", "2021-11-07T21:00:00+00:00"),
        ("July 4, 2021 ET", "2021-07-04T04:00:00+00:00"),
        ("4 November 2021 15.23 GMT", "2021-11-04T15:23:00+00:00"),
        ("Mon 8 Nov 2021 09.05 EST", "2021-11-08T14:05:00+00:00"),
        ("4 November 2021 3.23pm", "2021-11-04T06:23:00+00:00"),  # naive: read in Seoul
        ("Nov 4 2021 10:15 +09:00 JST", "2021-11-04T01:15:00+00:00"),  # two zones that agree
    ],
)
def test_zone_forms(text, expected):
    assert parse_date(text, tz="Asia/Seoul").isoformat() == expected


def test_date_with_zone_counts_as_date_only():
    r = parse_dates(["Nov 4, 2021 IST", "2021-11-04 15:23 GMT+0530"])
    assert dict(r.counts) == {"aware": 1, "date_only": 1}


@pytest.mark.parametrize("text", ["Nov 4 2021 10:15 XYZ", "Nov 4 2021 10:15 +05:30 JST", "2021-11-04 15:23 GMT+25"])
def test_unknown_or_conflicting_zones_are_unparsed(text):
    # dateutil alone returns an unknown zone name as a naive time (a silent guess).
    assert parse_date(text) is pd.NaT


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (1636019580, "2021-11-04T09:53:00+00:00"),
        ("1636019580", "2021-11-04T09:53:00+00:00"),
        (1636019580.5, "2021-11-04T09:53:00.500000+00:00"),
        (np.int64(1636019580), "2021-11-04T09:53:00+00:00"),
        (1636019580000, "2021-11-04T09:53:00+00:00"),
        ("1636019580000", "2021-11-04T09:53:00+00:00"),
        (1_000_000_000, "2001-09-09T01:46:40+00:00"),
        (9_999_999_999, "2286-11-20T17:46:39+00:00"),
        (20211104, "2021-11-04T00:00:00+00:00"),
        ("20211104", "2021-11-04T00:00:00+00:00"),
        (20211104.0, "2021-11-04T00:00:00+00:00"),
        (np.int64(20211104), "2021-11-04T00:00:00+00:00"),
    ],
)
def test_numbers(value, expected):
    assert parse_date(value).isoformat() == expected


@pytest.mark.parametrize(
    "value", [999_999_999, 10_000_000_000, 10**11, 999_999_999_999, 10**13, 2021, 123, -1636019580,
              20211301, 20210230, "20211301", "2021110", "99999999999", 20211104.5, True, float("inf")])
def test_numbers_outside_the_accepted_ranges_are_unparsed(value):
    assert parse_date(value) is pd.NaT


def test_yyyymmdd_int_and_string_agree_and_are_date_only():
    r = parse_dates([20211104, "20211104", 1636019580], tz="Asia/Seoul")
    assert [t.isoformat() for t in r.values] == [
        "2021-11-03T15:00:00+00:00", "2021-11-03T15:00:00+00:00", "2021-11-04T09:53:00+00:00"]
    assert dict(r.counts) == {"aware": 1, "date_only": 2}


def test_int_float_and_bool_are_kept_apart():
    # 1 == 1.0 == True in Python; the de-duplication must not hand one's result to another.
    r = parse_dates([True, 1636019580, 1636019580.0, "1636019580"])
    assert r.values.isna().tolist() == [True, False, False, False]


# -- day, month, weekday ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, dayfirst, expected",
    [
        ("04/11/2021", False, "2021-04-11"),
        ("04/11/2021", True, "2021-11-04"),
        ("13/11/2021", True, "2021-11-13"),
        ("11/13/2021", False, "2021-11-13"),
        ("04.11.2021 15:23 IST", True, "2021-11-04"),
        ("2021/11/04", True, "2021-11-04"),
        ("2021-04-11 10:15 JST", True, "2021-04-11"),  # dateutil alone, with dayfirst: 4 November
        ("Published on: 2021-04-11T10:15:00+09:00", True, "2021-04-11"),
    ],
)
def test_numeric_dates_follow_dayfirst(text, dayfirst, expected):
    assert parse_date(text, dayfirst=dayfirst, tz="Asia/Seoul").tz_convert("Asia/Seoul").date().isoformat() == expected


@pytest.mark.parametrize("text, dayfirst", [("13/11/2021", False), ("11/13/2021", True), ("31/02/2021", True)])
def test_numeric_dates_contradicting_dayfirst_are_unparsed(text, dayfirst):
    # dateutil alone swaps day and month silently when the declared order does not fit.
    assert parse_date(text, dayfirst=dayfirst) is pd.NaT


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thursday, November 4, 2021", "2021-11-04T00:00:00+00:00"),
        ("Thurs., Nov. 4th, 2021, 3 p.m. ET", "2021-11-04T19:00:00+00:00"),
        ("Tues Nov 2 2021", "2021-11-02T00:00:00+00:00"),
        ("Weds, 3rd Nov 2021", "2021-11-03T00:00:00+00:00"),
        ("Sept 1st, 2021", "2021-09-01T00:00:00+00:00"),
        ("Sept. 22nd 2021", "2021-09-22T00:00:00+00:00"),
        ("Nov 4, 2021 10:15 a.m", "2021-11-04T10:15:00+00:00"),
        ("Nov 4, 2021 10:15 A.M.", "2021-11-04T10:15:00+00:00"),
        ("Nov 4, 2021 10:15 p. m.", "2021-11-04T22:15:00+00:00"),
        ("Nov 4, 2021 12:30 a.m.", "2021-11-04T00:30:00+00:00"),
        ("Nov 4, 2021 noon", "2021-11-04T12:00:00+00:00"),
        ("Nov 4, 2021 12 noon IST", "2021-11-04T06:30:00+00:00"),
        ("Nov 4, 2021, midnight", "2021-11-04T00:00:00+00:00"),
        ("Nov 4, 2021 at 12:00 midnight", "2021-11-04T00:00:00+00:00"),
    ],
)
def test_english_spellings(text, expected):
    assert parse_date(text).isoformat() == expected


@pytest.mark.parametrize("text, dayfirst", [("Monday, November 4, 2021", False), ("Mon Nov 04 2021 10:15 GMT", False),
                                            ("Thursday, 04.11.2021", False), ("Sun, Mon Nov 8 2021", False)])
def test_weekday_that_contradicts_the_date_is_unparsed(text, dayfirst):
    # Nov 4, 2021 was a Thursday; "Thursday, 04.11.2021" read month-first is a Sunday.
    assert parse_date(text, dayfirst=dayfirst) is pd.NaT


# -- daylight-saving changes ------------------------------------------------------------------


def test_dst_wall_times_use_the_offset_before_the_change(caplog):
    ny = "America/New_York"
    assert parse_date("2021-11-07 01:30", tz=ny).isoformat() == "2021-11-07T05:30:00+00:00"  # EDT, first
    assert parse_date("2021-11-07 01:30 EST").isoformat() == "2021-11-07T06:30:00+00:00"
    assert parse_date("2021-11-07 01:30 EDT").isoformat() == "2021-11-07T05:30:00+00:00"
    assert parse_date("Nov 7, 2021 1:30 AM ET").isoformat() == "2021-11-07T05:30:00+00:00"
    assert parse_date("2021-03-14 02:30", tz=ny).isoformat() == "2021-03-14T07:30:00+00:00"  # = 03:30 EDT
    assert parse_date(dt.datetime(2021, 11, 7, 1, 30, fold=1), tz=ny).isoformat() == "2021-11-07T06:30:00+00:00"
    with caplog.at_level("WARNING", logger="toolkit.dates"):
        r = parse_dates(["2021-11-07 01:30", "2021-11-07 01:30", "2021-03-14 02:30", "2021-11-07 03:30",
                         "2021-07-01"], tz=ny)
    assert r.dst_transition == 3
    assert dict(r.counts) == {"naive": 4, "date_only": 1}
    assert "3 dates fall in a daylight-saving change" in caplog.text


def test_no_dst_warning_for_fixed_zones(caplog):
    with caplog.at_level("WARNING", logger="toolkit.dates"):
        r = parse_dates(["2021-11-07 01:30", "2021-03-14 02:30"], tz="Asia/Kolkata")
    assert r.dst_transition == 0 and not caplog.text


# -- the vectorised path gives the per-value results -------------------------------------------

MIX = [
    "2021-11-04T09:53:00Z", "2021-11-04T09:53:00+05:30", "2021-11-04T09:53:00.250-05:00",
    "2021-11-04T09:53:00,25+0100", "2021-11-04T09:53+09", "2021-11-04 09:53 +09:00", " 2021-11-04 ",
    "2021-11-04", "2021-11-04 9:05", "2021-11-04T09:53:00.123456789Z", "2021-11-04T23:59:59.999999",
    "2021-11-04T10:00:00.123456789", "2021-11-07T01:30:00.5",
    "2021-02-30", "2021-02-29T10:00Z", "2021-11-04T24:00", "2021-11-07 01:30", "2021-03-14 02:30",
    "2021-03-14", "2021-11-07", "1999-12-31T23:59:59-12:00", "0099-01-01", "9999-12-31T23:59:59",
    "Thursday, November 04, 2021, 03:23 PM IST", "Nov 4, 2021 IST", "garbage", "", "  ", "3 hours ago",
    "２０２１-11-04", "20211104", "1636019580", 1636019580, 20211104, 1636019580000, None, float("nan"),
    pd.NaT, dt.date(2021, 11, 4), dt.datetime(2021, 11, 4, 9, 53), pd.Timestamp("2021-11-04T09:53+09:00"),
    np.datetime64("2021-11-04T09:53"), ["not", "a", "date"], "2021-11-04T09:53:00Z",
]


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/New_York", "KST"])
@pytest.mark.parametrize("dayfirst", [False, True])
def test_parse_dates_matches_parse_date_value_by_value(tz, dayfirst):
    r = parse_dates(MIX, tz=tz, dayfirst=dayfirst)
    one_by_one = [_parse_one(v, zone(tz), dayfirst) for v in MIX]
    expected = [t if t is pd.NaT else t.as_unit("us") for t, _, _ in one_by_one]
    assert r.values.tolist() == expected
    assert r.counts == Counter(kind for _, kind, _ in one_by_one)
    assert r.dst_transition == sum(dst for _, _, dst in one_by_one)
    assert [parse_date(v, tz=tz, dayfirst=dayfirst) for v in MIX[:22]] == r.values.iloc[:22].tolist()


_iso_stamps = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_iso_stamps, st.sampled_from([
    "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S+05:30", "%Y-%m-%d %H:%M:%S-0800", "%Y-%m-%dT%H:%M+09", " %Y-%m-%d %H:%M "])),
    max_size=20), st.sampled_from(["UTC", "Europe/London", "America/Santiago", "Australia/Lord_Howe"]))
def test_vectorised_iso_matches_per_value(stamps, tz):
    texts = [stamp.strftime(fmt) for stamp, fmt in stamps]
    r = parse_dates(texts, tz=tz)
    assert r.values.tolist() == [
        pd.Timestamp(t).as_unit("us") if t is not pd.NaT else t for t in (parse_date(x, tz=tz) for x in texts)]


def test_plain_iso_strings_skip_the_per_value_parser(monkeypatch):
    import toolkit.dates as dates

    calls = []
    real = dates._parse_one
    monkeypatch.setattr(dates, "_parse_one", lambda *a: calls.append(a[0]) or real(*a))
    texts = [f"2021-{m:02d}-{d:02d}T{h:02d}:15:00+09:00" for m in range(1, 13) for d in range(1, 29) for h in (0, 12)]
    texts += [t[:16] for t in texts] + [t[:10] for t in texts] + ["Nov 4, 2021"]
    r = parse_dates(texts, tz="Asia/Kolkata")
    assert calls == ["Nov 4, 2021"]
    assert r.counts == Counter({"aware": 672, "naive": 672, "date_only": 673})


def test_unparsed_examples_in_input_order():
    r = parse_dates(["zz", 5, "2021-11-04", "aa", "zz", "bb", "cc", "dd", "ee"])
    assert r.unparsed_examples == ["zz", "5", "aa", "bb", "cc"]
    assert r.counts["unparsed"] == 8


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none()), max_size=8))
def test_parse_dates_matches_parse_date_on_anything(values):
    r = parse_dates(values)
    assert len(r.values) == len(values)
    assert sum(r.counts.values()) == len(values)
    for got, value in zip(r.values, values, strict=True):
        want = parse_date(value)
        assert (got is pd.NaT and want is pd.NaT) or got == want


# -- bounds of a date range -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, side, tz, expected",
    [
        ("2021-11-30", "start", "UTC", "2021-11-30T00:00:00+00:00"),
        ("2021-11-30", "end", "UTC", "2021-12-01T00:00:00+00:00"),
        (" 2021-11-30 ", "end", "UTC", "2021-12-01T00:00:00+00:00"),
        ("2021-11-30", "end", "Asia/Seoul", "2021-11-30T15:00:00+00:00"),
        ("2021-11-30", "start", "Asia/Seoul", "2021-11-29T15:00:00+00:00"),
        ("2021-11-30", "end", "KST", "2021-11-30T15:00:00+00:00"),
        ("2021-03-14", "end", "America/New_York", "2021-03-15T04:00:00+00:00"),  # EDT by then
        ("2021-11-30 00:00", "end", "UTC", "2021-11-30T00:00:00.000001+00:00"),
        ("2021-11-30T00:00", "end", "UTC", "2021-11-30T00:00:00.000001+00:00"),
        ("2021-11-30T18:00", "start", "Asia/Seoul", "2021-11-30T09:00:00+00:00"),
        ("2021-11-30T18:00+09:00", "start", "UTC", "2021-11-30T09:00:00+00:00"),
        ("2021-11-30 18:00:30.5Z", "end", "Asia/Seoul", "2021-11-30T18:00:30.500001+00:00"),
        ("2021-11-30T18:00:00-0500", "end", "UTC", "2021-11-30T23:00:00.000001+00:00"),
        (dt.date(2021, 11, 30), "end", "Asia/Seoul", "2021-11-30T15:00:00+00:00"),
        (dt.datetime(2021, 11, 30), "end", "UTC", "2021-12-01T00:00:00+00:00"),
        (dt.datetime(2021, 11, 30, 12), "end", "UTC", "2021-11-30T12:00:00.000001+00:00"),
        (pd.Timestamp("2021-11-30"), "end", "Asia/Seoul", "2021-11-30T15:00:00+00:00"),
        (pd.Timestamp("2021-11-30", tz="Asia/Seoul"), "end", "UTC", "2021-11-30T15:00:00+00:00"),
        (pd.Timestamp("2021-11-30", tz="Asia/Seoul"), "start", "UTC", "2021-11-29T15:00:00+00:00"),
        (pd.Timestamp("2021-11-30T12:00", tz="UTC"), "end", "Asia/Seoul", "2021-11-30T12:00:00.000001+00:00"),
        (np.datetime64("2021-11-30"), "end", "UTC", "2021-12-01T00:00:00+00:00"),
    ],
)
def test_parse_bound(value, side, tz, expected):
    assert parse_bound(value, name="when", side=side, tz=tz).isoformat() == expected


@pytest.mark.parametrize("value", [None, "", "   ", pd.NaT, np.datetime64("NaT")])
def test_parse_bound_none(value):
    assert parse_bound(value, name="start", side="start") is None


@pytest.mark.parametrize(
    "value, hint",
    [
        ("04/11/2021", r"Which is the day in '04/11/2021'\? Write '2021-11-04' or '2021-04-11'"),
        ("13.11.21", r"Write it as '2021-11-13'"),
        ("Nov 30, 2021", r"Write dates as YYYY-MM-DD"),
        ("2021-11", r"Write dates as YYYY-MM-DD"),
        ("20211130", r"Write dates as YYYY-MM-DD"),
        (20211130, r"Write dates as YYYY-MM-DD"),
        (1636019580.0, r"Write dates as YYYY-MM-DD"),
        ("2021-02-30", r"not a real date"),
        ("2021-11-30T25:00", r"not a real date"),
        ("last week", r"Write dates as YYYY-MM-DD"),
    ],
)
def test_parse_bound_rejects_other_forms(value, hint):
    with pytest.raises(ParameterError, match=rf"^end={re.escape(repr(value))} is not valid: expected an ISO date "
                                             rf"such as '2021-11-30'.*{hint}"):
        parse_bound(value, name="end", side="end")


def test_parse_bound_checks_side_and_tz():
    with pytest.raises(ParameterError, match=r"side='middle'.*'start', 'end'"):
        parse_bound("2021-11-30", name="end", side="middle")
    with pytest.raises(ParameterError, match=r"tz='Mars/Olympus'"):
        parse_bound("2021-11-30", name="end", side="end", tz="Mars/Olympus")


def test_parse_bounds_and_check_range():
    assert parse_bounds(None, None) == (None, None)
    lo, hi = parse_bounds("2021-11-30", "2021-11-30")  # one whole day
    assert (lo.isoformat(), hi.isoformat()) == ("2021-11-30T00:00:00+00:00", "2021-12-01T00:00:00+00:00")
    lo, hi = parse_bounds("2021-11-30T12:00", "2021-11-30T12:00")  # one instant
    assert hi - lo == pd.Timedelta(microseconds=1)
    with pytest.raises(ParameterError, match=r"end='2021-11-01' is not valid: expected a date or time on or "
                                             r"after start='2021-11-30'\. Swap start and end\."):
        parse_bounds("2021-11-30", "2021-11-01")
    with pytest.raises(ParameterError, match=r"end='2021-11-29T23:59'"):
        parse_bounds("2021-11-30", "2021-11-29T23:59")
    with pytest.raises(ParameterError, match=r"^start='30/11/2021'"):
        parse_bounds("30/11/2021", None)
    check_range(None, pd.Timestamp("2021-11-01", tz="UTC"))
    with pytest.raises(ParameterError, match=r"^end="):
        check_range(pd.Timestamp("2021-11-02", tz="UTC"), pd.Timestamp("2021-11-01", tz="UTC"))


def test_pytz_zones_are_read_like_zoneinfo():
    pytz = pytest.importorskip("pytz")
    seoul = pytz.timezone("Asia/Seoul")
    assert parse_date("2021-11-08 10:15", tz=seoul).isoformat() == "2021-11-08T01:15:00+00:00"
    assert parse_dates(["2021-11-08 10:15"], tz=seoul).values[0].isoformat() == "2021-11-08T01:15:00+00:00"
    end = pd.Timestamp("2021-11-30", tz=seoul)
    assert parse_bound(end, name="end", side="end").isoformat() == "2021-11-30T15:00:00+00:00"
