"""Every corpus in ../shared/corpora loads end to end, with the counts its CATALOG.md gives.

Each corpus is loaded once per module with ``load_corpus``'s defaults (normalisation and exact
duplicate flags included), and every file on disk must be accounted for: an input that was loaded
or skipped with a reason, or a file passed over (documentation, excluded names) with a reason.
Counts are checked against CATALOG.md and, where cheap, against an independent plain-Python read.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from conftest import CORPORA

from toolkit import load_corpus, load_report
from toolkit.load.core import DEFAULT_EXCLUDE

pytestmark = pytest.mark.corpora

LIST_COLUMNS = ("reuters_topics", "places", "people", "orgs", "exchanges", "companies")


def _corpus(name: str) -> Path:
    folder = CORPORA / name
    if not folder.is_dir():
        pytest.skip(f"corpus {name!r} not found at {folder} (../shared/corpora beside the repository; "
                    "see its CATALOG.md)")
    return folder


def _files_on_disk(folder: Path) -> set[str]:
    found = set()
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.update(str(Path(root) / f) for f in files)
    return found


def check_accounting(articles: pd.DataFrame, folder: Path) -> None:
    """Every file under ``folder`` is an input (loaded or skipped with a reason) or was passed
    over with a reason; inputs = loaded + skipped; records = articles + skipped records."""
    report = load_report(articles)
    inputs = [r["path"] for r in report.file_rows]
    passed_over = [r["path"] for r in report.ignored_rows]
    assert len(inputs) == len(set(inputs))
    assert set(inputs) | set(passed_over) == _files_on_disk(folder)
    assert not set(inputs) & set(passed_over)
    assert report.n_files == report.n_files_loaded + report.n_files_skipped == len(inputs)
    assert report.n_records == report.n_articles + report.n_records_skipped
    assert len(articles) == report.n_articles
    assert articles["doc_id"].is_unique
    for row in report.file_rows:
        if row["status"] == "skipped":
            assert row["reason"], row
    for row in report.ignored_rows:
        assert row["reason"], row


# -- bbc ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bbc() -> tuple[Path, pd.DataFrame]:
    folder = _corpus("bbc")
    return folder, load_corpus(folder, progress=False)


def test_bbc(bbc):
    folder, arts = bbc
    check_accounting(arts, folder)
    report = load_report(arts)
    assert len(arts) == 2225
    assert report.n_files == report.n_files_loaded == 2225
    assert sorted(Path(p).name for p in report.ignored["path"]) == ["README.TXT", "SOURCE.txt"]
    sections = arts["source_path"].map(lambda p: Path(p).parent.name).value_counts().to_dict()
    assert sections == {"business": 510, "sport": 511, "politics": 417, "tech": 401, "entertainment": 386}
    assert arts["title"].notna().all()


# -- reuters21578 ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reuters() -> tuple[Path, pd.DataFrame]:
    folder = _corpus("reuters21578")
    # The folder also holds the category lists and other documentation as .txt files: the
    # default exclusions pass over them (listed as ignored), so a plain load gives the stories.
    return folder, load_corpus(folder, progress=False)


def _plain_reuters(folder: Path) -> dict[int, dict[str, list[str]]]:
    """NEWID -> category lists, read with plain regular expressions (independent of the reader)."""
    out: dict[int, dict[str, list[str]]] = {}
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_text(encoding="latin-1")
        for doc in raw.split("</REUTERS>")[:-1]:
            newid = int(re.search(r'NEWID="(\d+)"', doc).group(1))
            out[newid] = {
                tag: re.findall(r"<D>(.*?)</D>", re.search(rf"<{tag}>(.*?)</{tag}>", doc, re.S).group(1))
                for tag in ("TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES")
            }
    return out


def test_reuters_counts(reuters):
    folder, arts = reuters
    check_accounting(arts, folder)
    report = load_report(arts)
    assert len(arts) == 21578
    files = report.files
    loaded = files[files["status"] == "loaded"]
    assert sorted(Path(p).name for p in loaded["path"]) == [f"reut2-{i:03d}.sgm" for i in range(22)]
    assert loaded["n_articles"].tolist() == [1000] * 21 + [578]
    # Documentation beside the data: the 7 .txt files are ignored by the default exclusions,
    # the DTD has no reader, README and SOURCE are documentation.
    assert (files["status"] == "skipped").sum() == 0
    ignored = sorted(Path(p).name for p in report.ignored["path"])
    assert ignored == sorted([p.name for p in folder.glob("*.txt")] + ["lewis.dtd"])
    assert report.n_records_skipped == 0
    assert sorted(arts["newid"]) == list(range(1, 21579))
    assert arts["text_type"].value_counts().to_dict() == {"NORM": 19043, "BRIEF": 1798, "UNPROC": 737}
    assert report.counts["reuters_brief"] == 1798 and report.counts["reuters_unproc"] == 737
    assert arts["lewis_split"].value_counts().to_dict() == {"TRAIN": 14668, "TEST": 6188, "NOT-USED": 722}
    assert (arts["topics_attr"] == "YES").sum() == 13476
    assert report.counts["decoded_cp1252"] == 1  # the one non-UTF-8 byte, in reut2-017.sgm


def test_reuters_dates(reuters):
    _, arts = reuters
    report = load_report(arts)
    assert arts["published"].notna().all() and report.counts["undated"] == 0
    # The stamps are US Eastern wall-clock times: the catalogue's range is in that zone.
    local = arts["published"].dt.tz_convert("America/New_York")
    assert str(local.min().date()) == "1987-02-26" and str(local.max().date()) == "1987-10-20"
    assert local.min().strftime("%H:%M:%S.%f") == "15:01:01.790000"
    # 329 DATE values carry trailing junk; one of them has a garbled time and keeps only its day.
    assert report.counts["reuters_date_junk"] + report.counts["reuters_date_time_invalid"] == 329
    assert report.counts["reuters_date_time_invalid"] == 1


def test_reuters_text(reuters):
    _, arts = reuters
    brief = arts[arts["text_type"] == "BRIEF"]
    assert brief["title"].notna().all() and brief["text"].isna().all()
    norm = arts[arts["text_type"] == "NORM"]
    assert norm["title"].notna().all() and norm["text"].notna().all()
    # 32 datelines name no place ("    APRIL 11 - ", " MAR8  --     --"): no dateline then.
    assert norm["dateline"].isna().sum() == 32
    assert arts.loc[arts["text_type"] == "UNPROC", "title"].isna().all()
    for column in ("title", "text", "dateline", "byline"):
        values = arts[column].dropna()
        assert not values.str.contains(r"[\x00-\x08\x0b-\x1f\x7f]").any(), column
        assert not values.str.contains(r"&#\d+;|&lt;|&amp;").any(), column
    # The sign-off is gone (case-sensitive: "... told Reuters." is news, not a sign-off).
    assert not arts["text"].dropna().str.contains(r"(?:REUTER|Reuter)\W{0,6}$").any()
    assert (arts["byline"].notna().sum(), arts["byline"].str.contains("Reuter", case=False).sum()) == (875, 0)
    assert set(arts["outlet"]) == {"Reuters"} and set(arts["lang"]) == {"en"}


def test_reuters_categories_match_a_plain_read(reuters):
    folder, arts = reuters
    plain = _plain_reuters(folder)
    by_id = arts.set_index("newid")
    for column, tag in zip(LIST_COLUMNS, ("TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES"),
                           strict=True):
        assert by_id[column].map(type).eq(list).all(), column
        expected = pd.Series({k: v[tag] for k, v in plain.items()})
        assert by_id[column].sort_index().tolist() == expected.sort_index().tolist(), column
    assert by_id["companies"].map(len).sum() == 0  # no COMPANIES categories in the collection
    assert by_id["places"].map(len).sum() > 20000


# -- recovery-covid-news -----------------------------------------------------------------------

def test_recovery_covid_news():
    folder = _corpus("recovery-covid-news")
    arts = load_corpus(folder, progress=False)
    check_accounting(arts, folder)
    report = load_report(arts)
    csv.field_size_limit(sys.maxsize)
    rows = 0
    for path in sorted(folder.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += sum(1 for _ in csv.reader(handle)) - 1  # minus the header
    assert rows == 2031
    assert report.n_files == report.n_files_loaded == 55
    assert report.n_records == 2031 == len(arts) + report.n_records_skipped
    assert len(arts) == 2031
    assert arts["outlet"].nunique() == 55


# -- readability-news-html ---------------------------------------------------------------------

def test_readability_news_html():
    folder = _corpus("readability-news-html")
    exclude = (*DEFAULT_EXCLUDE, "expected.html", "*.json")
    arts = load_corpus(folder, exclude=exclude, progress=False)
    check_accounting(arts, folder)
    report = load_report(arts)
    assert report.n_files == 50
    assert {Path(p).name for p in report.files["path"]} == {"source.html"}
    assert report.n_files_loaded == 50 and len(arts) == 50
    passed_over = Counter(Path(p).name for p in report.ignored["path"])
    assert passed_over["expected.html"] == 50 and passed_over["expected-metadata.json"] == 50
    assert arts["text"].notna().all() and arts["title"].notna().all()


# -- newspaper4k-html --------------------------------------------------------------------------

def test_newspaper4k_html():
    folder = _corpus("newspaper4k-html") / "tests" / "data" / "html"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    arts = load_corpus(folder, progress=False)
    check_accounting(arts, folder)
    report = load_report(arts)
    # Some fixtures are not articles (an RSS feed, meta-refresh stubs, site front pages): each
    # of the 175 files is either loaded or skipped with its reason, none is lost.
    assert report.n_files == 175 == report.n_files_loaded + report.n_files_skipped
    assert not report.ignored_rows
    assert report.n_files_loaded >= 150
    assert len(arts) == report.n_articles
