import datetime as dt
import logging

import pandas as pd
import pytest

from toolkit.errors import ParameterError
from toolkit.load.report import LoadReport, load_report
from toolkit.subset import select_articles

# Seoul is UTC+9: "c" is 1 December there, "f" is still 30 November.
PUBLISHED = {
    "a": "2021-11-01T00:00Z",
    "b": "2021-11-15T12:00Z",
    "c": "2021-11-30T23:00Z",
    "d": "2021-12-01T00:00Z",
    "e": None,
    "f": "2021-11-30T14:59Z",
}
OUTLETS = {"a": "X", "b": "Y", "c": "X", "d": "Y", "e": "X", "f": "Z"}


@pytest.fixture
def articles() -> pd.DataFrame:
    ids = list(PUBLISHED)
    table = pd.DataFrame({
        "doc_id": ids,
        "outlet": [OUTLETS[i] for i in ids],
        "published": pd.to_datetime([PUBLISHED[i] for i in ids], utc=True),
        "title": [f"title {i}" for i in ids],
        "text": [f"text {i}" for i in ids],
    })
    table.attrs["load_report"] = LoadReport()
    return table


def ids(table: pd.DataFrame) -> list[str]:
    return table["doc_id"].tolist()


def test_no_selection_keeps_everything_including_undated(articles, caplog):
    with caplog.at_level(logging.WARNING, logger="toolkit.subset"):
        assert ids(select_articles(articles)) == ["a", "b", "c", "d", "e", "f"]
    assert not caplog.text


def test_date_only_end_includes_the_whole_day(articles, caplog):
    with caplog.at_level(logging.WARNING, logger="toolkit.subset"):
        out = select_articles(articles, start="2021-11-01", end="2021-11-30")
    assert ids(out) == ["a", "b", "c", "f"]
    assert "1 of 6 articles have no publication date and are left out by the date range" in caplog.text


@pytest.mark.parametrize("end", ["2021-11-30", dt.date(2021, 11, 30), pd.Timestamp("2021-11-30"),
                                 dt.datetime(2021, 11, 30)])
def test_date_only_end_in_tz(articles, end):
    assert ids(select_articles(articles, end=end, tz="Asia/Seoul")) == ["a", "b", "f"]


def test_aware_midnight_timestamp_is_a_day_in_its_own_zone(articles):
    end = pd.Timestamp("2021-11-30", tz="Asia/Seoul")
    assert ids(select_articles(articles, end=end)) == ["a", "b", "f"]
    start = pd.Timestamp("2021-12-01", tz="Asia/Seoul")  # = 2021-11-30T15:00Z
    assert ids(select_articles(articles, start=start)) == ["c", "d"]


def test_start_date_in_tz(articles):
    assert ids(select_articles(articles, start="2021-12-01", tz="Asia/Seoul")) == ["c", "d"]


@pytest.mark.parametrize("end", ["2021-11-30 00:00", "2021-11-30T00:00", "2021-11-30T00:00:00Z",
                                 "2021-11-30 09:00+09:00"])
def test_end_with_a_time_is_that_instant_included(articles, end):
    assert ids(select_articles(articles, end=end)) == ["a", "b"]


def test_instant_bounds_are_inclusive(articles):
    out = select_articles(articles, start="2021-11-15T12:00", end="2021-11-30T23:00")
    assert ids(out) == ["b", "c", "f"]
    assert ids(select_articles(articles, start="2021-11-30T23:00+09:00")) == ["c", "d", "f"]


def test_outlets(articles, caplog):
    with caplog.at_level(logging.WARNING, logger="toolkit.subset"):
        assert ids(select_articles(articles, outlets=["X"])) == ["a", "c", "e"]
        assert ids(select_articles(articles, outlets="Y")) == ["b", "d"]
    assert not caplog.text  # undated articles are only a concern for a date range
    out = select_articles(articles, start="2021-11-02", end="2021-11-30", outlets=["X", "Z"])
    assert ids(out) == ["c", "f"]


def test_unknown_outlet_lists_the_outlets(articles):
    with pytest.raises(ParameterError, match=r"^outlets=\['X', 'Nope'\] is not valid: expected outlets in the "
                                             r"corpus: \['X', 'Y', 'Z'\]\. No article is from \['Nope'\]"):
        select_articles(articles, outlets=["X", "Nope"])


def test_end_before_start(articles):
    with pytest.raises(ParameterError, match=r"^end='2021-11-01' is not valid: expected a date or time on or after "
                                             r"start='2021-11-30'\. Swap start and end\."):
        select_articles(articles, start="2021-11-30", end="2021-11-01")


def test_ambiguous_date_is_refused(articles):
    with pytest.raises(ParameterError, match=r"^start='04/11/2021' is not valid: expected an ISO date .*"
                                             r"Write '2021-11-04' or '2021-04-11'"):
        select_articles(articles, start="04/11/2021")


def test_bad_tz(articles):
    with pytest.raises(ParameterError, match=r"^tz='Seoul'"):
        select_articles(articles, end="2021-11-30", tz="Seoul")


def test_load_report_kept_and_input_untouched(articles):
    before = articles.copy()
    out = select_articles(articles, start="2021-11-02", outlets=["X"])
    assert ids(out) == ["c"]
    assert load_report(out) is articles.attrs["load_report"]
    assert list(out.columns) == list(articles.columns)
    pd.testing.assert_frame_equal(articles, before)
