"""The scraped plain-text reader: the seed article exactly, and layouts it must generalise to."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import load_corpus, load_report
from toolkit.errors import LoadError
from toolkit.load.scraped import parse_scraped_text

SEED_TEXT_START = "Seoul: A senior presidential official on Thursday said South Korea is open to hold talks"
SEED_TEXT_END = "Japanese companies should pay compensation to forced labour victims."
RECENT = ["Gaza", "Rwanda", "Dubai", "Turkmenistan", "Asylum", "RECENT STORIES", "Heatwave"]


def test_seed_fields_exactly(seed):
    articles = load_corpus(seed)
    assert len(articles) == 1
    a = articles.iloc[0]
    assert a["title"] == "South Korea willing to hold talks with Japan to improve ties: Presidential official"
    assert a["subtitle"] == (
        "The official's remarks came after President Moon Jae-in and Japanese Prime Minister Fumio "
        "Kishida did not hold a bilateral meeting on the sidelines of a United Nations climate summit "
        "this week in Glasgow."
    )
    assert a["byline"] == "FPJ Web Desk"
    assert a["outlet"] == "Free Press Journal"
    assert a["published"] == pd.Timestamp("2021-11-04T09:53:00+00:00")
    assert a["published"].isoformat() == "2021-11-04T09:53:00+00:00"
    assert a["image_credit"] == "Twitter/TheBlueHouseENG"
    assert a["dateline"] == "Seoul"
    assert a["wire"] == "IANS"
    paragraphs = a["text"].split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith(SEED_TEXT_START)
    assert paragraphs[-1].endswith(SEED_TEXT_END)
    for gone in ["article-image", "Photo:", "With IANS Inputs", "Updated:"]:
        assert gone not in a["text"]
    for field in ("title", "subtitle", "text"):
        for word in RECENT:
            assert word not in a[field], (field, word)
    assert a["source_format"] == "scraped"
    assert a["text"].count(a["title"]) == 0


def test_seed_title_and_standfirst_once(seed):
    a = load_corpus(seed).iloc[0]
    assert a["title"] not in a["subtitle"]
    assert a["subtitle"].count("The official's remarks") == 1


def test_doc_id_is_stable(seed, tmp_path):
    first = load_corpus(seed)["doc_id"].iloc[0]
    assert load_corpus(seed)["doc_id"].iloc[0] == first
    # The id depends on the file's name within the folder loaded, not on where the folder lives.
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / seed.name).write_bytes(seed.read_bytes())
    assert load_corpus(folder)["doc_id"].iloc[0] == load_corpus(seed.parent)["doc_id"].iloc[0]


def page(*lines: str) -> str:
    return "\n".join(lines)


def test_published_on_line_with_by_and_pipe():
    p = parse_scraped_text(page(
        "Ferry service resumes after storm", "",
        "Operators say timetables are back to normal.", "",
        "By Jane Park | Published on: Nov 8, 2021 10:15 AM KST", "",
        "BUSAN: Ferries sailed again on Monday.", "",
        "Passengers welcomed the news.",
    ))
    assert p.title == "Ferry service resumes after storm"
    assert p.subtitle == "Operators say timetables are back to normal."
    assert p.byline == "Jane Park"
    assert p.published == "Nov 8, 2021 10:15 AM KST"
    assert p.dateline == "Busan"
    assert p.text == "BUSAN: Ferries sailed again on Monday.\n\nPassengers welcomed the news."


def test_last_updated_without_standfirst_or_repeat():
    p = parse_scraped_text(page(
        "Markets close higher", "Last Updated: 08 November 2021 01:15 GMT",
        "Shares rose for a third day.", "", "Analysts expect more gains.",
    ))
    assert p.subtitle is None and p.byline is None
    assert p.published == "08 November 2021 01:15 GMT"
    assert p.text == "Shares rose for a third day.\n\nAnalysts expect more gains."


def test_reuters_dateline_and_inline_wire():
    p = parse_scraped_text(page(
        "Leaders arrive in Glasgow", "", "Leaders arrive in Glasgow", "",
        "Updated: 2021-11-01 09:00 GMT", "",
        "GLASGOW, Nov 1 (Reuters) - World leaders arrived on Monday.", "",
        "Talks begin on Tuesday.", "", "Related News", "", "Unrelated headline one", "", "Unrelated two",
    ))
    assert p.title == "Leaders arrive in Glasgow"
    assert p.subtitle is None
    assert p.dateline == "Glasgow"
    assert p.wire == "Reuters"
    assert "Unrelated" not in p.text
    assert p.text.startswith("GLASGOW, Nov 1 (Reuters) - ")


@pytest.mark.parametrize(
    "credit, wire",
    [
        ("With PTI inputs", "PTI"),
        ("(With inputs from PTI)", "PTI"),
        ("With PTI, ANI inputs", "PTI; ANI"),
        ("- AFP", "AFP"),
        ("(AP)", "AP"),
        ("ANI", "ANI"),
        ("(Reuters)", "Reuters"),
        ("With inputs from agencies", "agencies"),
    ],
)
def test_wire_credit_lines(credit, wire):
    p = parse_scraped_text(page("Headline", "", "Body paragraph one.", "", credit))
    assert p.wire == wire
    assert p.text == "Body paragraph one."


@pytest.mark.parametrize("marker", ["RECENT STORIES", "ALSO READ", "Also Read", "Related News", "Read more",
                                    "Trending Now", "You may also like"])
def test_related_blocks_are_cut(marker):
    p = parse_scraped_text(page("Headline", "", "Body paragraph.", "", marker, "",
                                "Some other story about Gaza", "", "Another story about Dubai"))
    assert p.text == "Body paragraph."
    assert "Gaza" not in p.text and "Dubai" not in p.text


def test_inline_also_read_link_is_dropped_but_text_continues():
    p = parse_scraped_text(page("Headline", "", "First paragraph.", "",
                                "ALSO READ: Unrelated story about Rwanda", "",
                                "Second paragraph keeps going."))
    assert p.text == "First paragraph.\n\nSecond paragraph keeps going."


def test_advertisement_placeholders_removed_not_cut():
    p = parse_scraped_text(page("Headline", "", "First paragraph.", "", "Advertisement", "",
                                "Second paragraph.", "", "ADVERTISEMENT", "", "Third paragraph."))
    assert p.text == "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."


def test_headline_and_body_only_like_bbc():
    p = parse_scraped_text(page("Ad sales rise", "", "Quarterly profits rose 5% to $1bn (£600m).", "",
                                "Result: shares up."))
    assert p.title == "Ad sales rise"
    assert p.published is None and p.dateline is None
    assert p.text.endswith("Result: shares up.")


def test_photo_credit_and_placeholders_after_date():
    p = parse_scraped_text(page("Title", "Desk NameUpdated: Monday, November 08, 2021, 10:15 AM KST",
                                "article-image", "Representative image", "Image credit: AP Photo/K. Lee", "",
                                "Seoul: Body."))
    assert p.byline == "Desk Name"
    assert p.image_credit == "AP Photo/K. Lee"
    assert p.text == "Seoul: Body."
    assert p.dateline == "Seoul"


def test_body_mentioning_published_is_not_a_date_line():
    p = parse_scraped_text(page("Profits up", "", "The firm published figures showing 5% growth in 2004.", "",
                                "It was updated in 2005 with more data."))
    assert p.published is None
    assert p.text.startswith("The firm published figures")


def test_windows_newlines_and_nbsp():
    p = parse_scraped_text("Title\r\n\r\nTitle\r\n\r\nFPJ Web\u00a0DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST"
                           "\r\n\r\nSeoul: Body text.\r\n")
    assert p.title == "Title" and p.byline == "FPJ Web Desk" and p.text == "Seoul: Body text."


def test_not_a_place_is_not_a_dateline():
    p = parse_scraped_text(page("Title", "", "Note: This story was updated.", "", "More."))
    assert p.dateline is None


def test_folder_with_sidecar_and_tz(tmp_path):
    (tmp_path / "corpus.yaml").write_text("outlet: Harbour Herald\ntz: Asia/Seoul\nlang: en\nfields:\n  collection: demo\n")
    (tmp_path / "a.txt").write_text(page("Title A", "", "Updated: 2021-11-08 10:15", "", "Seoul: Body A."))
    (tmp_path / "README.md").write_text("not an article")
    sub = tmp_path / "other"
    sub.mkdir()
    (sub / "corpus.yaml").write_text("outlet: Other Outlet\n")
    (sub / "b.txt").write_text(page("Title B", "", "Body B."))
    articles = load_corpus(tmp_path)
    assert articles["outlet"].tolist() == ["Harbour Herald", "Other Outlet"]
    assert articles["published"].iloc[0].isoformat() == "2021-11-08T01:15:00+00:00"  # naive, read in KST
    assert articles["lang"].tolist() == ["en", "en"]
    assert articles["collection"].tolist() == ["demo", "demo"]
    report = load_report(articles)
    assert report.counts["naive_dates_read_in_Asia/Seoul"] == 1
    assert report.counts["undated"] == 1
    assert report.ignored["path"].str.endswith("README.md").tolist() == [True]


def test_bad_sidecar_names_file_and_key(tmp_path):
    (tmp_path / "corpus.yaml").write_text("outlet: X\npublisher: Y\n")
    (tmp_path / "a.txt").write_text("Title\n\nBody.")
    with pytest.raises(LoadError, match=r"corpus.yaml: unknown key\(s\) \['publisher'\]"):
        load_corpus(tmp_path)


def test_outlet_argument_and_desks(tmp_path):
    (tmp_path / "a.txt").write_text(page("T", "", "Valley Desk Updated: 2021-11-08 10:15 UTC", "", "Body."))
    (tmp_path / "b.txt").write_text(page("T2", "", "Body two."))
    arts = load_corpus(tmp_path, desks={"Valley Desk": "Valley Times"})
    assert arts["outlet"].iloc[0] == "Valley Times"
    assert pd.isna(arts["outlet"].iloc[1])
    arts = load_corpus(tmp_path, outlet="Default Outlet")
    assert arts["outlet"].tolist() == ["Default Outlet", "Default Outlet"]


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "empty file"), (b"   \n\n ", "empty file"), (b"\x00\x01\x02binary", "binary file"),
     (b"Only a headline\n", "headline only")],
)
def test_bad_files_are_skipped_with_reason(tmp_path, content, reason):
    (tmp_path / "good.txt").write_text("Title\n\nBody.")
    (tmp_path / "bad.txt").write_bytes(content)
    arts = load_corpus(tmp_path)
    report = load_report(arts)
    assert len(arts) == 1
    assert report.skipped["path"].str.endswith("bad.txt").all()
    assert reason in report.skipped["reason"].iloc[0]
    assert report.n_files == report.n_files_loaded + report.n_files_skipped
    with pytest.raises(LoadError, match=rf"bad.txt.*{reason}"):
        load_corpus(tmp_path, errors="raise")


def test_cp1252_file_keeps_pound_sign(tmp_path):
    (tmp_path / "a.txt").write_bytes("Prices\n\nA ticket costs \u00a315.".encode("cp1252"))
    arts = load_corpus(tmp_path)
    assert arts["text"].iloc[0] == "A ticket costs \u00a315."
    assert load_report(arts).counts["decoded_cp1252"] == 1


def test_utf8_bom(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeffCaf\u00e9 opens\n\nBody.".encode("utf-8"))
    assert load_corpus(tmp_path)["title"].iloc[0] == "Caf\u00e9 opens"


def test_missing_source_is_an_error(tmp_path):
    with pytest.raises(LoadError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_symlink_loop_terminates(tmp_path):
    (tmp_path / "a.txt").write_text("Title\n\nBody.")
    (tmp_path / "loop").symlink_to(tmp_path)
    assert len(load_corpus(tmp_path)) == 1


@pytest.mark.corpora
def test_bbc_loads_every_file(corpora):
    arts = load_corpus(corpora / "bbc", progress=False)
    report = load_report(arts)
    assert len(arts) == 2225
    assert report.n_files == 2225 and report.n_files_skipped == 0
    assert arts["doc_id"].is_unique
    assert arts["title"].notna().all() and (arts["text"].str.len() > 0).all()
    assert sorted(report.ignored["path"].map(lambda p: p.rsplit("/", 1)[-1])) == ["README.TXT", "SOURCE.txt"]
    sport199 = arts[arts["source_path"].str.endswith("sport/199.txt")].iloc[0]
    assert "\u00a315.8m" in sport199["text"]
    assert report.counts["decoded_cp1252"] == 1
    assert arts["published"].isna().all()  # the BBC set carries no dates
    first = arts[arts["source_path"].str.endswith("business/001.txt")].iloc[0]
    assert first["title"] == "Ad sales boost Time Warner profit"
    assert not first["text"].startswith("Ad sales boost")
