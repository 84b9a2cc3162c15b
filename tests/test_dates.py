import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.dates import TZ_ABBREVIATIONS, parse_date, parse_dates, zone
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
