"""Tests of toolkit.quality: each check on tiny literal tables, at and just above its threshold."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.errors import ParameterError, SchemaError
from toolkit.load.report import LoadReport
from toolkit.quality import (
    CHECKS,
    DEFAULT_THRESHOLDS,
    QUALITY_COLUMNS,
    data_quality,
    overview_summary,
    quality_panel,
)

NOW = "2022-01-01"


def table(published, *, lang=None, dup=None, outlet=None) -> pd.DataFrame:
    n = len(published)
    data = {
        "doc_id": [f"d{i}" for i in range(n)],
        "outlet": outlet if outlet is not None else ["X"] * n,
        "published": pd.to_datetime(published, utc=True),
        "title": ["t"] * n,
        "text": ["x"] * n,
        "lang": lang if lang is not None else ["en"] * n,
    }
    if dup is not None:
        data["is_duplicate"] = dup
    return pd.DataFrame(data)


def row(q: pd.DataFrame, check: str) -> dict:
    found = q[q["check"] == check]
    assert len(found) == 1
    return found.iloc[0].to_dict()


def days(n: int, start: str = "2021-11-01") -> list[str]:
    return [str(d.date()) for d in pd.date_range(start, periods=n, freq="D")]


def test_table_shape_columns_and_dtypes():
    q = data_quality(table(days(3)), now=NOW)
    assert tuple(q.columns) == QUALITY_COLUMNS
    assert tuple(q["check"]) == CHECKS
    assert str(q["value"].dtype) == "Int64" and str(q["denominator"].dtype) == "Int64"
    assert q["share"].dtype == "float64" and q["threshold"].dtype == "float64"
    assert set(q["status"]) == {"ok"}
    assert all(isinstance(d, str) and d for d in q["detail"])
    assert list(q["threshold"]) == [DEFAULT_THRESHOLDS[c] for c in CHECKS]


# --- undated: threshold 0.05 -------------------------------------------------------------------


def test_undated_at_threshold_is_ok_and_above_is_warning():
    at = data_quality(table([*days(19), None]), now=NOW)  # 1 of 20 = 0.05
    r = row(at, "undated")
    assert (r["value"], r["denominator"], r["share"], r["status"]) == (1, 20, 0.05, "ok")
    above = data_quality(table([*days(18), None, None]), now=NOW)  # 2 of 20 = 0.10
    r = row(above, "undated")
    assert (r["value"], r["denominator"], r["status"]) == (2, 20, "warning")
    assert r["detail"].startswith("2 of 20 articles have no publication date")


def test_thresholds_are_overridable():
    q = data_quality(table([*days(18), None, None]), now=NOW, thresholds={"undated": 0.1})
    assert row(q, "undated")["status"] == "ok"
    assert row(q, "undated")["threshold"] == 0.1


# --- future-dated: threshold 0 (any) ------------------------------------------------------------


def test_future_dated_any_is_a_warning():
    ok = data_quality(table(["2021-12-31", "2021-12-30"]), now=NOW)
    assert row(ok, "future_dated")["status"] == "ok"
    q = data_quality(table(["2021-12-31", "2022-03-04", None]), now=NOW)
    r = row(q, "future_dated")
    # The denominator is the dated articles.
    assert (r["value"], r["denominator"], r["share"], r["status"]) == (1, 2, 0.5, "warning")
    assert "2022-03-04" in r["detail"]
    assert row(data_quality(table(["2021-12-31", "2022-03-04"]), now=NOW,
                            thresholds={"future_dated": 0.5}), "future_dated")["status"] == "ok"


# --- duplicates: threshold 0.05 -----------------------------------------------------------------


def test_duplicates_at_and_above_threshold():
    at = data_quality(table(days(20), dup=[True] + [False] * 19), now=NOW)
    assert (row(at, "duplicates")["value"], row(at, "duplicates")["status"]) == (1, "ok")
    above = data_quality(table(days(20), dup=[True, True] + [False] * 18), now=NOW)
    r = row(above, "duplicates")
    assert (r["value"], r["denominator"], r["share"], r["status"]) == (2, 20, 0.1, "warning")


def test_duplicates_not_checked_without_the_column():
    r = row(data_quality(table(days(2)), now=NOW), "duplicates")
    assert pd.isna(r["value"]) and r["status"] == "ok" and r["detail"].startswith("Not checked")


# --- language: threshold 0.10, denominator = articles with a known language -----------------------


def test_language_mix_at_and_above_threshold():
    # 10 known (9 en, 1 fr) + 2 unknown: 1 of 10 = 0.10.
    at = data_quality(table(days(12), lang=["en"] * 9 + ["fr", None, ""]), now=NOW)
    r = row(at, "language")
    assert (r["value"], r["denominator"], r["share"], r["status"]) == (1, 10, 0.1, "ok")
    assert "'en'" in r["detail"] and "fr 1" in r["detail"] and "2 of 12" in r["detail"]
    above = data_quality(table(days(10), lang=["en"] * 8 + ["fr", "de"]), now=NOW)
    r = row(above, "language")
    assert (r["value"], r["denominator"], r["status"]) == (2, 10, "warning")


def test_language_unknown_when_none_recorded():
    r = row(data_quality(table(days(2), lang=[None, None]), now=NOW), "language")
    assert pd.isna(r["value"]) and r["status"] == "ok" and r["detail"].startswith("Unknown")


# --- gaps: threshold 0.10 -----------------------------------------------------------------------


def test_gaps_between_first_and_last_date():
    # Weeks of 1, 8 and 22 November 2021: the week of 15 November is empty -> 1 of 4.
    q = data_quality(table(["2021-11-02", "2021-11-09", "2021-11-23"]), freq="W", now=NOW)
    r = row(q, "gaps")
    assert (r["value"], r["denominator"], r["share"], r["status"]) == (1, 4, 0.25, "warning")
    assert "2021-11-15" in r["detail"]
    assert row(data_quality(table(["2021-11-02", "2021-11-09", "2021-11-23"]), now=NOW,
                            thresholds={"gaps": 0.25}), "gaps")["status"] == "ok"
    # Daily: 10 days with one missing = 0.10, at the threshold.
    dates = [d for d in days(10) if d != "2021-11-05"]
    r = row(data_quality(table(dates), freq="D", now=NOW), "gaps")
    assert (r["value"], r["denominator"], r["status"]) == (1, 10, "ok")


def test_gaps_use_start_and_end_when_given():
    # 1 November to 30 November: weeks of 1, 8, 15, 22, 29 November; articles in 1, 8 and 22.
    q = data_quality(table(["2021-11-02", "2021-11-09", "2021-11-23"]), freq="W",
                     start="2021-11-01", end="2021-11-30", now=NOW)
    r = row(q, "gaps")
    assert (r["value"], r["denominator"]) == (2, 5)


def test_gaps_without_dates():
    r = row(data_quality(table([None, None]), now=NOW), "gaps")
    assert (r["value"], r["denominator"], r["status"]) == (0, 0, "ok")
    assert pd.isna(r["share"])


# --- outlier dates: threshold 0 (any) ------------------------------------------------------------


def test_a_2010_article_in_a_2020_corpus_is_an_outlier():
    dates = [str(d.date()) for d in pd.date_range("2020-03-01", "2020-05-31", periods=19)]
    q = data_quality(table(["2010-06-15", *dates]), freq="M", now=NOW)
    r = row(q, "outlier_dates")
    assert (r["value"], r["denominator"], r["status"]) == (1, 20, "warning")
    assert "2010-06-15" in r["detail"] and "Rule:" in r["detail"]
    # The same corpus without it: none.
    assert row(data_quality(table(dates), now=NOW), "outlier_dates")["value"] == 0


def test_an_early_month_in_a_corpus_mostly_of_may_is_not_an_outlier():
    dates = ["2020-01-21"] + [str(d.date()) for d in pd.date_range("2020-05-01", "2020-05-25", periods=30)]
    r = row(data_quality(table(dates), now=NOW), "outlier_dates")
    assert (r["value"], r["status"]) == (0, "ok")


def test_outlier_rule_knobs():
    # 19 articles on 1 November and one on 20 November: q05 = 1 Nov, q95 = 1 Nov + 0.95 days.
    dates = ["2021-11-01"] * 19 + ["2021-11-20"]
    default = row(data_quality(table(dates), now=NOW), "outlier_dates")
    assert default["value"] == 0  # within a year of the bulk
    tight = row(data_quality(table(dates), now=NOW, thresholds={"outlier_min_days": 10}),
                "outlier_dates")
    assert (tight["value"], tight["status"]) == (1, "warning")
    wide = row(data_quality(table(dates), now=NOW, thresholds={"outlier_min_days": 19}),
               "outlier_dates")
    assert wide["value"] == 0  # 1 Nov + 0.95 d + 19 d is after 20 Nov


# --- skipped files and records (from the load report) -------------------------------------------


def with_report(articles: pd.DataFrame, *, skipped_file: bool, skipped_records: int) -> pd.DataFrame:
    report = LoadReport(["corpus"], {"duplicates": "exact"})
    report["files"].append({"path": "corpus/a.csv", "format": "csv", "status": "loaded",
                            "n_articles": 18, "n_skipped": skipped_records, "n_duplicates": 0,
                            "reason": None})
    for i in range(skipped_records):
        report["skipped"].append({"path": "corpus/a.csv", "line": 3 + i,
                                  "reason": "no text <script>alert(1)</script>"})
    if skipped_file:
        report["files"].append({"path": "corpus/b.bin", "format": None, "status": "skipped",
                                "n_articles": 0, "n_skipped": 0, "n_duplicates": None,
                                "reason": "not UTF-8 & not a known format"})
        report["skipped"].append({"path": "corpus/b.bin", "line": None,
                                  "reason": "not UTF-8 & not a known format"})
    out = articles.copy()
    out.attrs["load_report"] = report
    return out


def test_skipped_at_and_above_threshold():
    arts = table(days(18))
    # 1 record skipped of 19 read + 0 files: 1/19 = 0.053 > 0.05.
    r = row(data_quality(with_report(arts, skipped_file=False, skipped_records=1), now=NOW), "skipped")
    assert (r["value"], r["denominator"], r["status"]) == (1, 19, "warning")
    r = row(data_quality(with_report(arts, skipped_file=False, skipped_records=1), now=NOW,
                         thresholds={"skipped": 1 / 19}), "skipped")
    assert r["status"] == "ok"
    # 1 file + 1 record of 19 records + 1 file: 2/20.
    r = row(data_quality(with_report(arts, skipped_file=True, skipped_records=1), now=NOW), "skipped")
    assert (r["value"], r["denominator"], r["share"]) == (2, 20, 0.1)
    assert "1 of 2 files and 1 of 19 records" in r["detail"]
    assert "not UTF-8 & not a known format" in r["detail"]
    r = row(data_quality(with_report(arts, skipped_file=False, skipped_records=0), now=NOW), "skipped")
    assert (r["value"], r["status"]) == (0, "ok")


def test_skipped_unknown_without_a_load_report():
    r = row(data_quality(table(days(2)), now=NOW), "skipped")
    assert pd.isna(r["value"]) and pd.isna(r["share"]) and r["status"] == "ok"
    assert r["detail"].startswith("Unknown")


# --- errors -------------------------------------------------------------------------------------


def test_bad_arguments_are_explained():
    arts = table(days(2))
    with pytest.raises(ParameterError, match=r"freq='H'.*'D'"):
        data_quality(arts, freq="H")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"thresholds\['undatd'\].*'undated'"):
        data_quality(arts, thresholds={"undatd": 0.1})
    with pytest.raises(ParameterError, match=r"thresholds\['undated'\]=5.*0\.05 means 5%"):
        data_quality(arts, thresholds={"undated": 5})
    with pytest.raises(ParameterError, match=r"a number >= 0"):
        data_quality(arts, thresholds={"gaps": -0.1})
    with pytest.raises(SchemaError, match="tz-aware"):
        data_quality(arts.assign(published=["2021-11-01", "x"]))
    with pytest.raises(SchemaError, match="data_quality table"):
        quality_panel(pd.DataFrame({"check": ["x"]}))


def test_input_is_not_modified():
    arts = table([*days(3), None], dup=[False, True, False, False])
    before = arts.copy()
    data_quality(arts, now=NOW)
    pd.testing.assert_frame_equal(arts, before)


# --- the panel ----------------------------------------------------------------------------------


def test_panel_shows_a_banner_only_with_warnings_and_escapes_text():
    arts = with_report(table([*days(17), None]), skipped_file=True, skipped_records=1)
    panel = quality_panel(data_quality(arts, now=NOW), arts)
    page = panel._repr_html_()
    assert "Data-quality warning" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "not UTF-8 &amp; not a known format" in page
    assert "corpus/a.csv:3" in page and "corpus/b.bin" in page
    assert "Skipped files and records (2)" in page
    assert list(panel.warnings["check"]) == ["skipped", "undated"]
    assert "2 warning(s)" in repr(panel)

    clean = quality_panel(data_quality(table(days(3)), now=NOW))
    assert "Data-quality warning" not in clean._repr_html_()
    assert "within its threshold" in clean._repr_html_()


def test_panel_lists_only_the_first_skipped_entries():
    arts = with_report(table(days(18)), skipped_file=False, skipped_records=5)
    page = quality_panel(data_quality(arts, now=NOW), arts, max_skipped=2)._repr_html_()
    assert page.count("<li><code>corpus/a.csv:") == 2
    assert "… and 3 more." in page


# --- the summary sentence -----------------------------------------------------------------------


def test_overview_summary_is_computed_from_the_table():
    arts = table(["2021-11-01", "2021-11-03", None, "2021-11-20"], outlet=["A", "B", "B", "B"],
                 dup=[False, False, True, False])
    text = overview_summary(arts, loaded=pd.concat([arts, arts]))
    assert text.startswith("4 articles from 2 outlets, published between 1 November 2021 and "
                           "20 November 2021; 1 (25%) undated.")
    assert "They are 50% of the 8 articles loaded." in text
    assert "The largest outlet is B with 3 articles (75%)." in text
    assert "1 (25%) are flagged as duplicates" in text
    assert overview_summary(arts.iloc[:0]) == "No articles: the selection is empty."
    assert "no outlet recorded" in overview_summary(arts.assign(outlet=None))


# --- a real corpus ------------------------------------------------------------------------------


def test_recovery_corpus_has_one_outlier_date_and_its_known_duplicates(corpora):
    """ReCOVery (CATALOG.md): 2,031 rows, dated 2020-01-21 to 2020-05-25 plus one 2010 date, one
    2020-07 date and 15 blanks; 119 duplicate bodies."""
    import toolkit as tk

    articles = tk.load_corpus(corpora / "recovery-covid-news", progress=False)
    q = data_quality(articles, now=NOW)
    assert len(articles) == 2031
    undated = row(q, "undated")
    assert (undated["value"], undated["denominator"], undated["status"]) == (15, 2031, "ok")
    outliers = row(q, "outlier_dates")
    assert (outliers["value"], outliers["denominator"], outliers["status"]) == (1, 2016, "warning")
    assert "2010-" in outliers["detail"] and "2020-07" not in outliers["detail"]
    dups = row(q, "duplicates")
    assert (dups["value"], dups["status"]) == (119, "warning")
    assert row(q, "skipped")["value"] == 0
    # The one 2010 article stretches the weekly axis over ten years of empty weeks.
    assert row(q, "gaps")["status"] == "warning"
