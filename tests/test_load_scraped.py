"""The scraped plain-text reader: the seed article exactly, and layouts it must generalise to."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import load_corpus, load_report
from toolkit.dates import _LABEL as dates_label
from toolkit.dates import parse_date
from toolkit.errors import LoadError
from toolkit.load.scraped import extract_dateline, parse_scraped_text

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


# --- Reviewer-reproduced bugs (each fixed in toolkit/load/scraped.py) ---------------------------

FIELDS = ("title", "subtitle", "byline", "published", "image_credit", "dateline", "wire")


def collapse_blank_lines(raw: str) -> str:
    return "\n".join(line for line in raw.splitlines() if line.strip())


def test_seed_with_single_newlines_parses_like_the_seed(seed):
    raw = seed.read_text(encoding="utf-8")
    expected, collapsed = parse_scraped_text(raw), parse_scraped_text(collapse_blank_lines(raw))
    assert "\n\n" not in collapse_blank_lines(raw)
    for name in FIELDS:
        assert getattr(collapsed, name) == getattr(expected, name), name
    assert collapsed.wire == "IANS" and collapsed.dateline == "Seoul"
    assert collapsed.text.split("\n\n") == expected.text.split("\n\n")
    assert len(collapsed.text.split("\n\n")) == 6
    assert collapsed.text.endswith(SEED_TEXT_END)
    for word in RECENT:
        assert word not in collapsed.text


def test_seed_with_single_newlines_and_crlf_loads(seed, tmp_path):
    raw = seed.read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_bytes(collapse_blank_lines(raw).replace("\n", "\r\n").encode("utf-8"))
    a = load_corpus(tmp_path).iloc[0]
    assert a["published"].isoformat() == "2021-11-04T09:53:00+00:00"
    assert len(a["text"].split("\n\n")) == 6 and a["wire"] == "IANS"


def test_special_lines_sharing_a_block_are_split_off():
    p = parse_scraped_text(page(
        "Headline", "", "Body one.", "", "Body two.", "With IANS Inputs", "RECENT STORIES",
        "Headline about Gaza", "", "Headline about Dubai",
    ))
    assert p.wire == "IANS"
    assert p.text == "Body one.\n\nBody two."


def test_placeholder_and_photo_lines_inside_a_block():
    p = parse_scraped_text(page(
        "Headline", "", "Seoul: Body one.", "Advertisement", "Photo: Agency", "", "Body two.",
    ))
    assert p.text == "Seoul: Body one.\n\nBody two."
    assert p.image_credit == "Agency"


def test_one_line_per_paragraph_without_blank_lines():
    p = parse_scraped_text(page(
        "Harbour fees rise", "Updated: 2021-11-04 10:00 KST",
        "Busan: Port fees will rise in January.", "Shipping lines were told on Thursday.",
        "The increase is the first in five years.",
    ))
    assert p.text.split("\n\n") == [
        "Busan: Port fees will rise in January.", "Shipping lines were told on Thursday.",
        "The increase is the first in five years.",
    ]


def test_hard_wrapped_paragraphs_are_joined_when_blank_lines_separate_them():
    p = parse_scraped_text(page(
        "Headline", "", "The council met on Monday and agreed", "to a new budget for the year.", "",
        "A second paragraph follows.",
    ))
    assert p.text == "The council met on Monday and agreed to a new budget for the year.\n\nA second paragraph follows."


@pytest.mark.parametrize("marker", [
    "RECENT STORIES: Headline about Gaza", "Recent Stories \u00bb", "RECENT STORIES (5)", "More on this topic",
    "Related News:", "ALSO READ | Headline about Rwanda", ">> Read more", "TRENDING",
])
def test_marker_variants_cut_the_related_block(marker):
    p = parse_scraped_text(page("Headline", "", "Body paragraph.", "", marker, "",
                                "Some other story about Gaza", "", "Another story about Dubai"))
    assert p.text == "Body paragraph."


def test_marker_with_headline_on_its_line_at_the_end():
    p = parse_scraped_text(page("Headline", "", "Body paragraph.", "", "RECENT STORIES: Storm hits Dubai"))
    assert p.text == "Body paragraph."


@pytest.mark.parametrize("marker", ["Trending", "Related", "Recommended", "Top stories", "RECENT STORIES"])
def test_standalone_marker_mid_article_drops_only_the_marker(marker):
    p = parse_scraped_text(page("Headline", "", "First paragraph.", "", marker, "",
                                "Second paragraph continues the story.", "", "Third paragraph ends it."))
    assert p.text == "First paragraph.\n\nSecond paragraph continues the story.\n\nThird paragraph ends it."


def test_inline_also_read_drops_one_headline_even_a_question():
    p = parse_scraped_text(page("Headline", "", "First paragraph.", "", "ALSO READ", "",
                                "Is the ferry strike over?", "", "Second paragraph.", "", "Third paragraph."))
    assert p.text == "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."


def test_sentences_starting_with_a_marker_word_stay():
    body = ["Related to this, the minister said talks would go on.", "Trending upward, exports rose 5%.",
            "Read more about the plan on the council's website."]
    p = parse_scraped_text(page("Headline", "", body[0], "", body[1], "", body[2]))
    assert p.text.split("\n\n") == body


def test_related_block_followed_by_a_footer_is_still_cut():
    p = parse_scraped_text(page("Headline", "", "Body paragraph.", "", "Related News", "", "Story about Gaza", "",
                                "Story about Dubai", "", "\u00a9 2021 Harbour Herald. All rights reserved."))
    assert p.text == "Body paragraph."


def test_body_sentence_ending_in_a_date_is_not_a_date_line():
    p = parse_scraped_text(page("Rules change", "", "New guidance was published on 4 November.", "",
                                "Travellers must now show a test result."))
    assert p.byline is None and p.published is None and p.subtitle is None
    assert p.text == "New guidance was published on 4 November.\n\nTravellers must now show a test result."


@pytest.mark.parametrize("line", [
    "The report was updated on 4 November 2021.",
    "Figures the bank published on Monday, 4 November 2021, showed growth",
    "It is updated: 2021 figures",
])
def test_body_lines_with_labels_and_dates_are_not_date_lines(line):
    p = parse_scraped_text(page("Title", "", line, "", "Second paragraph."))
    assert p.published is None and p.byline is None
    assert p.text.startswith(line)


@pytest.mark.parametrize("line, byline", [
    ("FPJ Web DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST", "FPJ Web Desk"),
    ("By Jane Park | Published on: Nov 4, 2021 03:23 PM IST", "Jane Park"),
    ("Harbour Herald DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST", "Harbour Herald Desk"),
    ("By Tom Hale in Copenhagen | Published on: Nov 4, 2021 03:23 PM IST", "Tom Hale in Copenhagen"),
])
def test_name_like_bylines_on_date_lines(line, byline):
    p = parse_scraped_text(page("Title", "", line, "", "Body."))
    assert p.byline == byline
    assert parse_date(p.published).isoformat() == "2021-11-04T09:53:00+00:00"


def test_header_scan_stops_at_the_second_paragraph_length_line():
    long1, long2 = "Standfirst " + "x " * 90, "First body paragraph " + "y " * 90
    p = parse_scraped_text(page("Title", "", long1.strip(), "", long2.strip(), "", "A short paragraph.", "",
                                "Updated: 2021-11-04 10:00 GMT", "", "Last paragraph."))
    assert p.subtitle is None and p.byline is None
    assert p.text.split("\n\n") == [long1.strip(), long2.strip(), "A short paragraph.", "Last paragraph."]
    # A dated line printed below the body is page furniture: removed, and used when the header has none.
    assert p.published == "2021-11-04 10:00 GMT"


def test_extract_dateline_does_not_span_lines():
    assert extract_dateline("Associated Press\n\nBANGKOK (AP) \u2014 Protesters gathered.") == (None, None)
    assert extract_dateline("Seoul\nKorea: Talks resumed.") == (None, None)


@pytest.mark.parametrize("paragraph", [
    "Prime Minister Modi: We will act.", "Editorial: The council is wrong.", "Explained: What the ruling means.",
    "Photos: Floods hit the coast.", "Timeline: How talks stalled.", "File Photo: A port crane.",
    "In Brief The Facts: Talks resume.", "Written By: Jane Park", "Dear Abby: My neighbour plays music.",
    "President Moon: We are open to talks.", "BREAKING: Talks collapse.", "FILE - In this photo taken in 2019.",
    "UK: Asylum seekers died.", "AP: Talks resume.",
])
def test_extract_dateline_rejects_labels_and_titles(paragraph):
    assert extract_dateline(paragraph) == (None, None)
    assert extract_dateline(paragraph, strict=True) == (None, None)


@pytest.mark.parametrize("paragraph, place, wire", [
    ("SEOUL: Talks resumed.", "Seoul", None),
    ("WASHINGTON \u2014 Talks resumed.", "Washington", None),
    ("SEOUL -- Talks resumed.", "Seoul", None),
    ("NEW DELHI, Nov 4 (PTI) - Talks resumed.", "New Delhi", "PTI"),
    ("GLASGOW, Nov 1 (Reuters) - Leaders arrived.", "Glasgow", "Reuters"),
    ("ST. PETERSBURG, Fla. (AP) \u2014 Rain fell.", "St. Petersburg, Fla.", "AP"),
    ("New Delhi [India], Nov 4 (ANI): Talks resumed.", "New Delhi", "ANI"),
])
def test_extract_dateline_strict_forms(paragraph, place, wire):
    assert extract_dateline(paragraph, strict=True) == (place, wire)
    assert extract_dateline(paragraph) == (place, wire)


@pytest.mark.parametrize("paragraph, place", [("Seoul: Talks resumed.", "Seoul"),
                                              ("New Delhi: Talks resumed.", "New Delhi"),
                                              ("New Delhi, Nov 4: Talks resumed.", "New Delhi")])
def test_extract_dateline_mixed_case_colon_only_when_not_strict(paragraph, place):
    assert extract_dateline(paragraph) == (place, None)
    assert extract_dateline(paragraph, strict=True) == (None, None)


def test_reporter_name_is_not_a_dateline():
    p = parse_scraped_text(page("Title", "", "By Jane Park | Updated: 2021-11-04 10:00 GMT", "",
                                "Jane Park: The minister said talks would resume.", "", "More."))
    assert p.byline == "Jane Park" and p.dateline is None


def test_date_label_and_second_date_line_in_header():
    p = parse_scraped_text(page("Title", "", "Date: 2021-11-04", "Updated : 2021-11-05 10:00 GMT", "",
                                "Body one.", "", "Body two."))
    assert p.published == "2021-11-04"
    assert p.text == "Body one.\n\nBody two."


def test_published_preferred_over_updated_when_both_are_printed():
    p = parse_scraped_text(page("Title", "Updated: 2021-11-05 10:00 GMT", "Published: 2021-11-04 09:00 GMT", "",
                                "Body."))
    assert p.published == "2021-11-04 09:00 GMT" and p.text == "Body."


@pytest.mark.parametrize("line, byline, wire", [
    ("By PTI", "PTI", "PTI"), ("By Associated Press", "Associated Press", "AP"), ("By Jane Park", "Jane Park", None),
])
def test_by_wire_sets_byline_and_wire(line, byline, wire):
    p = parse_scraped_text(page("Title", "", line, "", "Updated: 2021-11-04 10:00 GMT", "", "Body."))
    assert (p.byline, p.wire, p.text) == (byline, wire, "Body.")
    p = parse_scraped_text(page("Title", "", f"{line} | Updated: 2021-11-04 10:00 GMT", "", "Body."))
    assert (p.byline, p.wire, p.text) == (byline, wire, "Body.")


def test_share_widgets_in_header_are_dropped():
    p = parse_scraped_text(page("Title", "Tweet", "Email", "WhatsApp", "Facebook", "Share",
                                "The standfirst says what happened.", "Tags: Korea, Japan", "Print",
                                "Updated: 2021-11-04 10:00 GMT", "Share Tweet Email", "", "Body."))
    assert p.subtitle == "The standfirst says what happened."
    assert p.text == "Body."


def test_wire_line_mid_text_stays_and_trailing_credit_goes():
    p = parse_scraped_text(page("Title", "", "Para one.", "", "AP", "", "Para two."))
    assert p.wire is None and p.text == "Para one.\n\nAP\n\nPara two."
    p = parse_scraped_text(page("Title", "", "Para one.", "", "With PTI inputs", "", "Advertisement", "",
                                "RECENT STORIES", "", "Other headline"))
    assert p.wire == "PTI" and p.text == "Para one."


def test_header_labels_cover_those_of_toolkit_dates():
    # Every label toolkit.dates strips before parsing is also recognised on a scraped date line.
    for label in ("Updated", "Updated on", "Last Updated", "Published", "Published on", "Posted", "Posted on",
                  "First published", "First published on", "Date"):
        assert dates_label.match(f"{label}: 2021-11-04").end() == len(f"{label}: ")
        p = parse_scraped_text(page("Title", "", f"{label}: 2021-11-04 10:00 GMT", "", "Body."))
        assert p.published == "2021-11-04 10:00 GMT", label
    # ... and a few more that pages print.
    for label in ("Last Updated on", "Last modified on", "Publication date", "Published date"):
        p = parse_scraped_text(page("Title", "", f"{label}: 2021-11-04 10:00 GMT", "", "Body."))
        assert p.published == "2021-11-04 10:00 GMT", label


def test_reporter_role_under_by_line_and_odd_time_format():
    p = parse_scraped_text(page("Title", "", "By Jane Park", "Staff Writer", "Nov 4, 2021 09:53 GMT",
                                "Last modified on Thu 4 Nov 2021 11.20 GMT", "", "Body."))
    assert (p.byline, p.subtitle, p.published, p.text) == ("Jane Park", None, "Nov 4, 2021 09:53 GMT", "Body.")


def test_header_scan_stops_at_a_related_block():
    p = parse_scraped_text(page("Title", "Short body one.", "Short body two.", "RECENT STORIES",
                                "Council Desk Updated: Nov 4, 2021", "Another Headline"))
    assert p.published is None and p.byline is None and p.subtitle is None
    assert p.text == "Short body one.\n\nShort body two."


# --- Generalisation: invented page layouts, every field asserted ---------------------------------

LAYOUTS = [
    # 1. Indian agency copy: repeated headline, standfirst, desk + IST, "(PTI):" dateline, credit, ALSO READ block.
    dict(
        raw=page("Metro line opens to commuters", "", "Metro line opens to commuters", "",
                 "The 12-km stretch links the airport with the city centre.", "",
                 "Press Trust of India | Updated: November 08, 2021 19:05 IST", "",
                 "New Delhi, Nov 8 (PTI): The first trains ran on the new stretch on Monday.", "",
                 "Officials said 40,000 people would use it daily.", "", "(With inputs from PTI)", "",
                 "ALSO READ", "", "Monsoon leaves the capital early", "", "Monsoon leaves the capital early"),
        fields=dict(title="Metro line opens to commuters",
                    subtitle="The 12-km stretch links the airport with the city centre.",
                    byline="Press Trust of India", published="November 08, 2021 19:05 IST", image_credit=None,
                    dateline="New Delhi", wire="PTI"),
        text=["New Delhi, Nov 8 (PTI): The first trains ran on the new stretch on Monday.",
              "Officials said 40,000 people would use it daily."],
        utc="2021-11-08T13:35:00+00:00",
    ),
    # 2. British broadsheet: byline line above a bare date, GMT, photo credit, "Last modified" line.
    dict(
        raw=page("Harbour wall repairs to start in spring", "",
                 "Engineers say the Victorian wall is safe but needs \u00a32m of work.", "",
                 "Tom Hale in Northgate", "Thu 4 Nov 2021 09:53 GMT", "Last modified on Thu 4 Nov 2021 11:20 GMT", "",
                 "Photograph: Ray Tolan/Northgate Courier", "",
                 "Repairs to the harbour wall will begin in March, the council has confirmed.", "",
                 "The work is expected to take six months."),
        fields=dict(title="Harbour wall repairs to start in spring",
                    subtitle="Engineers say the Victorian wall is safe but needs \u00a32m of work.",
                    byline="Tom Hale in Northgate", published="Thu 4 Nov 2021 09:53 GMT",
                    image_credit="Ray Tolan/Northgate Courier", dateline=None, wire=None),
        text=["Repairs to the harbour wall will begin in March, the council has confirmed.",
              "The work is expected to take six months."],
        utc="2021-11-04T09:53:00+00:00",
    ),
    # 3. US agency copy: ET with the time first, "(AP) \u2014" dateline, ad slot, Related block.
    dict(
        raw=page("Senate passes infrastructure bill", "", "By Jane Park and Tom Hale", "",
                 "Published 10:15 AM ET, Mon November 8, 2021", "",
                 "WASHINGTON (AP) \u2014 The Senate passed the bill on Monday.", "", "Advertisement", "",
                 "It now goes to the House.", "", "Related", "", "What the bill means for your commute", "",
                 "Five things to watch this week"),
        fields=dict(title="Senate passes infrastructure bill", subtitle=None, byline="Jane Park and Tom Hale",
                    published="10:15 AM ET, Mon November 8, 2021", image_credit=None, dateline="Washington",
                    wire="AP"),
        text=["WASHINGTON (AP) \u2014 The Senate passed the bill on Monday.", "It now goes to the House."],
        utc="2021-11-08T15:15:00+00:00",
    ),
    # 4. West-coast paper: PT with a.m., no byline, mixed-case dateline, trailing "Read more" block.
    dict(
        raw=page("Wildfire crews gain ground", "Updated Nov. 8, 2021 7:30 a.m. PT", "",
                 "Sacramento: Firefighters contained half of the blaze overnight.", "",
                 "Evacuation orders were lifted for two towns.", "", "Read more \u00bb", "",
                 "Drought rules tighten for farms", "", "Ferry fares to rise in January"),
        fields=dict(title="Wildfire crews gain ground", subtitle=None, byline=None,
                    published="Nov. 8, 2021 7:30 a.m. PT", image_credit=None, dateline="Sacramento", wire=None),
        text=["Sacramento: Firefighters contained half of the blaze overnight.",
              "Evacuation orders were lifted for two towns."],
        utc="2021-11-08T15:30:00+00:00",
    ),
    # 5. Korean outlet: By-line, "Published :" and "Updated :" lines, "SEOUL --", trailing "Yonhap".
    dict(
        raw=page("Exports hit record in October", "", "Chip shipments led the rise.", "", "By Kim Min-ji", "",
                 "Published : 2021-11-01 10:15 KST", "Updated : 2021-11-01 14:20 KST", "",
                 "SEOUL -- South Korea's exports rose 24 percent in October.", "",
                 "Imports rose faster, the ministry said.", "", "Yonhap"),
        fields=dict(title="Exports hit record in October", subtitle="Chip shipments led the rise.",
                    byline="Kim Min-ji", published="2021-11-01 10:15 KST", image_credit=None, dateline="Seoul",
                    wire="Yonhap"),
        text=["SEOUL -- South Korea's exports rose 24 percent in October.", "Imports rose faster, the ministry said."],
        utc="2021-11-01T01:15:00+00:00",
    ),
    # 6. Japanese outlet: "Date:" label with JST, share widgets, "TOKYO \u2014", Kyodo credit, trending list.
    dict(
        raw=page("Tokyo lifts last virus curbs on restaurants", "Share", "Tweet", "Date: 2021-11-09 18:05 JST",
                 "Email", "", "TOKYO \u2014 Restaurants may serve alcohol until midnight from Monday.", "",
                 "The city said infections had fallen for six weeks.", "", "\u2014 Kyodo", "", "Trending Now", "",
                 "Typhoon season ends quietly", "", "Baseball final tickets sell out"),
        fields=dict(title="Tokyo lifts last virus curbs on restaurants", subtitle=None, byline=None,
                    published="2021-11-09 18:05 JST", image_credit=None, dateline="Tokyo", wire="Kyodo"),
        text=["TOKYO \u2014 Restaurants may serve alcohol until midnight from Monday.",
              "The city said infections had fallen for six weeks."],
        utc="2021-11-09T09:05:00+00:00",
    ),
    # 7. Australian broadcaster: "Posted:" with "at" and AEST, image credit, AAP credit, inline ALSO READ link.
    dict(
        raw=page("Reef survey finds new coral growth", "", "Reef survey finds new coral growth", "",
                 "Posted: Wed 10 Nov 2021 at 6:00am AEST", "", "Image: Supplied", "",
                 "Scientists found young coral on 30 reefs.", "", "ALSO READ: Why the reef matters to tourism?", "",
                 "The survey covered 120 sites.", "", "AAP"),
        fields=dict(title="Reef survey finds new coral growth", subtitle=None, byline=None,
                    published="Wed 10 Nov 2021 at 6:00am AEST", image_credit="Supplied", dateline=None, wire="AAP"),
        text=["Scientists found young coral on 30 reefs.", "The survey covered 120 sites."],
        utc="2021-11-09T20:00:00+00:00",
    ),
    # 8. European desk: CET, byline with "in", em-dash dateline, AFP credit, "RECENT STORIES (5)".
    dict(
        raw=page("EU agrees methane rules", "", "By Anna Berg in Brussels | Published on: 8 November 2021, 14:30 CET",
                 "", "BRUSSELS \u2014 Ministers agreed limits on methane leaks on Monday.", "",
                 "The rules take effect in 2023.", "", "AFP", "", "RECENT STORIES (5)", "",
                 "Rail strike ends in Belgium", "", "Paris opens new metro line"),
        fields=dict(title="EU agrees methane rules", subtitle=None, byline="Anna Berg in Brussels",
                    published="8 November 2021, 14:30 CET", image_credit=None, dateline="Brussels", wire="AFP"),
        text=["BRUSSELS \u2014 Ministers agreed limits on methane leaks on Monday.", "The rules take effect in 2023."],
        utc="2021-11-08T13:30:00+00:00",
    ),
    # 9. Local paper, single newlines throughout, BST, Photo credit, PA credit, Trending block.
    dict(
        raw=page("Quay market gets go-ahead", "Traders will move in next spring.",
                 "Northgate Courier Desk | Updated: 19 October 2021 16:30 BST", "Image: Northgate Courier",
                 "Northgate: The covered market on the quay was approved on Tuesday.",
                 "Councillors voted 31 to 9 in favour.", "With PA inputs", "Trending",
                 "Lollipop patrol returns to Hill Road", "Storm warning for the coast"),
        fields=dict(title="Quay market gets go-ahead", subtitle="Traders will move in next spring.",
                    byline="Northgate Courier Desk", published="19 October 2021 16:30 BST",
                    image_credit="Northgate Courier", dateline="Northgate", wire="PA"),
        text=["Northgate: The covered market on the quay was approved on Tuesday.",
              "Councillors voted 31 to 9 in favour."],
        utc="2021-10-19T15:30:00+00:00",
    ),
    # 10. Indian portal: widgets after the date, syndication note, "By PTI" in the header.
    dict(
        raw=page("Cyclone alert for coastal districts", "", "By PTI", "Last Updated: November 08, 2021, 19:05 IST",
                 "Share", "Tweet", "", "Chennai: The weather office issued an orange alert on Monday.", "",
                 "Fishermen were told not to go to sea.", "",
                 "(This story has not been edited by our staff and is auto-generated from a syndicated feed.)", "",
                 "Recommended", "", "Rain disrupts suburban trains", "", "Schools shut for two days"),
        fields=dict(title="Cyclone alert for coastal districts", subtitle=None, byline="PTI",
                    published="November 08, 2021, 19:05 IST", image_credit=None, dateline="Chennai", wire="PTI"),
        text=["Chennai: The weather office issued an orange alert on Monday.", "Fishermen were told not to go to sea."],
        utc="2021-11-08T13:35:00+00:00",
    ),
    # 11. Title and body only with a mid-article "Top stories" line and a question headline after ALSO READ.
    dict(
        raw=page("Library extends opening hours", "", "The central library will open until 9pm from December.", "",
                 "Top stories", "", "Staff will be added on weekday evenings.", "", "ALSO READ", "",
                 "Are e-books replacing libraries?", "", "The change follows a survey of 2,000 members."),
        fields=dict(title="Library extends opening hours", subtitle=None, byline=None, published=None,
                    image_credit=None, dateline=None, wire=None),
        text=["The central library will open until 9pm from December.", "Staff will be added on weekday evenings.",
              "The change follows a survey of 2,000 members."],
        utc=None,
    ),
    # 12. Glued desk byline with a bare date line afterwards, "Reuters" dateline with date, "(Reuters)" credit.
    dict(
        raw=page("Oil prices ease", "Markets DeskUpdated: Monday, November 08, 2021, 10:15 AM GMT",
                 "November 08, 2021 10:15 GMT", "",
                 "LONDON, Nov 8 (Reuters) - Oil prices eased on Monday.", "", "Brent fell 1%.", "", "(Reuters)"),
        fields=dict(title="Oil prices ease", subtitle=None, byline="Markets Desk",
                    published="Monday, November 08, 2021, 10:15 AM GMT", image_credit=None, dateline="London",
                    wire="Reuters"),
        text=["LONDON, Nov 8 (Reuters) - Oil prices eased on Monday.", "Brent fell 1%."],
        utc="2021-11-08T10:15:00+00:00",
    ),
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=[str(i + 1) for i in range(len(LAYOUTS))])
@pytest.mark.parametrize("newlines", ["blank lines", "single newlines", "crlf"])
def test_invented_layouts(layout, newlines):
    raw = layout["raw"]
    if newlines == "single newlines":
        raw = collapse_blank_lines(raw)
    elif newlines == "crlf":
        raw = raw.replace("\n", "\r\n")
    p = parse_scraped_text(raw)
    assert {name: getattr(p, name) for name in FIELDS} == layout["fields"]
    assert p.text.split("\n\n") == layout["text"]
    stamp = parse_date(p.published)
    assert (None if pd.isna(stamp) else stamp.isoformat()) == layout["utc"]


# --- Properties: prose is never lost, a related block never leaks ---------------------------------

# Ordinary words plus the ones the parser reacts to (labels, markers, months, wires, function words).
WORDS = ("the council said talks would resume on Monday after a week of rain in the port city was "
         "published updated posted related trending recommended latest read more also top stories by "
         "November 4 2021 Seoul Reuters AP PTI minister Jane Park desk photo image with inputs from").split()
sentences = st.lists(st.sampled_from(WORDS), min_size=4, max_size=30).map(
    lambda words: " ".join(words).capitalize() + ".")
headlines = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(lambda words: " ".join(words).title())


@settings(max_examples=150, deadline=None)
@given(paragraphs=st.lists(sentences, min_size=1, max_size=8), related=st.lists(headlines, max_size=5),
       single=st.booleans())
def test_prose_paragraphs_survive_and_related_links_do_not(paragraphs, related, single):
    lines = ["A Headline For The Test", "", *[x for para in paragraphs for x in (para, "")]]
    if related:
        lines += ["RECENT STORIES", "", *[x for h in related for x in (h, "")]]
    raw = page(*lines)
    p = parse_scraped_text(collapse_blank_lines(raw) if single else raw)
    assert p.title == "A Headline For The Test"
    assert p.text.split("\n\n") == paragraphs
    assert p.published is None and p.subtitle is None
