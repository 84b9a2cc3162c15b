"""The Reuters-21578 SGML reader, on small invented files (no text from the real collection)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import load_corpus, load_report
from toolkit.errors import LoadError, ToolkitError
from toolkit.load.registry import ReadContext, reader_for
from toolkit.load.reuters import clean_byline, read_reuters, sniff_reuters

HEAD = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'


def story(
    newid: int,
    *,
    date: str = "26-FEB-1987 15:01:01.79",
    text: str | None = None,
    topics: str = "<D>grain</D><D>wheat</D>",
    places: str = "<D>usa</D>",
    attrs: str = 'TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET"',
) -> str:
    """One <REUTERS> element in the collection's layout (invented content)."""
    if text is None:
        text = (
            "<TEXT>&#2;\n<TITLE>ACME &lt;ACM> RAISES WIDGET OUTPUT</TITLE>\n"
            "<DATELINE>    SPRINGFIELD, March 3 - </DATELINE><BODY>Acme Widget Co &amp; Sons said it\n"
            "raised output by 12 pct.\n"
            "    Output rose in all plants, the\n"
            "company said.\n"
            " Reuter\n&#3;</BODY></TEXT>"
        )
    return (
        f'<REUTERS {attrs} OLDID="{newid + 5000}" NEWID="{newid}">\n'
        f"<DATE>{date}</DATE>\n"
        f"<TOPICS>{topics}</TOPICS>\n<PLACES>{places}</PLACES>\n<PEOPLE></PEOPLE>\n"
        "<ORGS></ORGS>\n<EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n"
        "<UNKNOWN> \n&#5;&#5;&#5;F\n&#22;&#22;&#1;f0001&#31;reute\nu f BC-ACME   03-03 0050</UNKNOWN>\n"
        f"{text}\n</REUTERS>\n"
    )


def write(tmp_path: Path, *stories: str, name: str = "reut2-000.sgm", head: str = HEAD) -> Path:
    path = tmp_path / name
    path.write_text(head + "".join(stories), encoding="ascii")
    return path


def read(path: Path, **options) -> tuple[list[dict], ReadContext]:
    ctx = ReadContext(path=path, root=path.parent, options=options)
    return list(read_reuters(path, ctx)), ctx


# -- one normal story, every column ------------------------------------------------------------

def test_normal_story_columns(tmp_path):
    path = write(tmp_path, story(1))
    arts = load_corpus(path, progress=False)
    assert len(arts) == 1
    row = arts.iloc[0]
    assert row["title"] == "ACME <ACM> RAISES WIDGET OUTPUT"
    # Hard-wrapped telex lines joined, the indented line starts a paragraph, sign-off gone.
    assert row["text"] == ("Acme Widget Co & Sons said it raised output by 12 pct.\n\n"
                           "Output rose in all plants, the company said.")
    assert row["dateline"] == "Springfield"
    assert (row["outlet"], row["wire"], row["lang"]) == ("Reuters", "Reuters", "en")
    assert row["reuters_topics"] == ["grain", "wheat"]
    assert row["places"] == ["usa"]
    assert row["people"] == [] and row["orgs"] == [] and row["exchanges"] == [] and row["companies"] == []
    assert (row["newid"], row["oldid"]) == (1, 5001)
    assert (row["lewis_split"], row["cgi_split"], row["topics_attr"], row["text_type"]) == (
        "TRAIN", "TRAINING-SET", "YES", "NORM")
    assert row["source_format"] == "reuters"
    assert row["source_line"] == 2
    # 15:01:01.79 US Eastern (EST, UTC-5) is 20:01:01.79 UTC.
    assert row["published"] == pd.Timestamp("1987-02-26 20:01:01.790", tz="UTC")
    report = load_report(arts)
    assert report.counts["reuters_signoff_removed"] == 1
    assert report.counts["reuters_dates_read_in_America/New_York"] == 1


def test_sniffed_by_content_and_suffix(tmp_path):
    path = write(tmp_path, story(1))
    head = path.read_bytes()[:4096]
    assert sniff_reuters(path, head)
    assert reader_for(path, head).name == "reuters"
    assert not sniff_reuters(path, b"Headline\n\nBody text.")
    # A folder of .sgm files, with the DTD beside them (no reader: ignored, not an input).
    write(tmp_path, story(2), name="reut2-001.sgm")
    (tmp_path / "lewis.dtd").write_text("<!ELEMENT LEWIS - - (REUTERS*)>", encoding="ascii")
    arts = load_corpus(tmp_path, progress=False)
    report = load_report(arts)
    assert sorted(arts["newid"]) == [1, 2]
    assert report.n_files == 2 and report.n_files_loaded == 2
    assert [Path(p).name for p in report.ignored["path"]] == ["lewis.dtd"]


def test_doc_ids_are_stable_and_built_from_newid(tmp_path):
    path = write(tmp_path, story(7), story(8))
    first = load_corpus(path, progress=False)["doc_id"].tolist()
    second = load_corpus(path, progress=False)["doc_id"].tolist()
    assert first == second and len(set(first)) == 2
    # The same stories in another order keep their ids: the id comes from NEWID, not position.
    swapped = write(tmp_path, story(8), story(7))
    assert load_corpus(swapped, progress=False)["doc_id"].tolist() == first[::-1]


# -- BRIEF and UNPROC --------------------------------------------------------------------------

def test_brief_keeps_title_and_drops_filler(tmp_path):
    brief = story(2, text='<TEXT TYPE="BRIEF">&#2;\n******<TITLE>WIDGET PRICES FALL 3 PCT IN WEEK\n'
                          "</TITLE>Blah blah blah.\n&#3;\n\n</TEXT>")
    arts = load_corpus(write(tmp_path, brief), progress=False)
    row = arts.iloc[0]
    assert row["title"] == "WIDGET PRICES FALL 3 PCT IN WEEK"
    assert pd.isna(row["text"])  # empty text, stored as missing by load_corpus
    assert row["text_type"] == "BRIEF"
    assert load_report(arts).counts["reuters_brief"] == 1


def test_unproc_text_is_the_raw_text_content(tmp_path):
    unproc = story(3, text='<TEXT TYPE="UNPROC">&#2;\nWIDGET STOCKS REPORT - MARCH 3\n'
                           "    Week ended March 1\n Widgets.........12 vs.....10\n Reuter\n&#3;\n</TEXT>")
    arts = load_corpus(write(tmp_path, unproc), progress=False)
    row = arts.iloc[0]
    assert pd.isna(row["title"])
    assert row["text_type"] == "UNPROC"
    # Lines kept (tables), sign-off removed; the whitespace step strips each line.
    assert row["text"] == "WIDGET STOCKS REPORT - MARCH 3\nWeek ended March 1\nWidgets.........12 vs.....10"
    assert load_report(arts).counts["reuters_unproc"] == 1


def test_reader_keeps_unproc_layout_before_normalisation(tmp_path):
    unproc = story(3, text='<TEXT TYPE="UNPROC">&#2;\nREPORT\n Widgets....12\n&#3;\n</TEXT>')
    records, ctx = read(write(tmp_path, unproc))
    assert records[0]["text"] == "REPORT\n Widgets....12"
    assert records[0]["title"] is None
    assert ctx.counts["reuters_unproc"] == 1


# -- dates and zones ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected", "count"), [
    ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01.790000-05:00", None),
    (" 3-MAR-1987 09:05:00.00", "1987-03-03T09:05:00-05:00", None),
    ("3-MAR-1987  10:16:24.19", "1987-03-03T10:16:24.190000-05:00", None),
    # US daylight saving time began on 5 April 1987.
    ("6-APR-1987 12:00:00.00", "1987-04-06T12:00:00-04:00", None),
    ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", "1987-03-27T00:02:59.130000-05:00", "reuters_date_junk"),
    ("9-APR-1987 00:00:00.00    # guessed", "1987-04-09T00:00:00-04:00", "reuters_date_junk"),
    ("7-APR-1987 16:22:00.0", "1987-04-07T16:22:00-04:00", None),
    ("31-MAR-1987 605:12:19.12", "1987-03-31T00:00:00-05:00", "reuters_date_time_invalid"),
    ("31-FEB-1987 10:00:00.00", None, "reuters_date_unreadable"),
    ("sometime in March", None, "reuters_date_unreadable"),
    ("31-DEC-9999 23:59:59.99", None, "reuters_date_unreadable"),
])
def test_dates(tmp_path, raw, expected, count):
    records, ctx = read(write(tmp_path, story(1, date=raw)))
    assert records[0]["published"] == expected
    if count:
        assert ctx.counts[count] == 1


def test_zone_option(tmp_path):
    path = write(tmp_path, story(1))
    arts = load_corpus(path, progress=False, reuters_tz="UTC")
    assert arts["published"].iloc[0] == pd.Timestamp("1987-02-26 15:01:01.790", tz="UTC")
    bad = load_corpus(path, progress=False, reuters_tz="Mars/Olympus")
    report = load_report(bad)
    assert len(bad) == 0 and report.n_files_skipped == 1
    assert "reuters_tz" in report.skipped["reason"].iloc[0]


# -- text clean-up -----------------------------------------------------------------------------

@pytest.mark.parametrize(("ending", "expected"), [
    ("the end.\n Reuter\n&#3;", "the end."),
    ("the end.\n REUTER\n&#3;", "the end."),
    ("the end. REUTER...^M\n&#3;", "the end."),
    ("the end.\n REUTER TAW\n&#3;", "the end."),
    ("the end.\n Reuter4\n&#3;", "the end."),
    ("the end. REUTER\n Reuter\n&#3;", "the end."),  # signed twice
    ("officials told\nReuters.\n&#3;", "officials told Reuters."),
    ("as Reuters said\n&#3;", "as Reuters said"),
    ("no sign-off here.\n&#3;", "no sign-off here."),
])
def test_signoff(tmp_path, ending, expected):
    text = f"<TEXT>&#2;\n<TITLE>T</TITLE>\n<DATELINE>    PARIS, March 3 - </DATELINE><BODY>{ending}</BODY></TEXT>"
    records, _ = read(write(tmp_path, story(1, text=text)))
    assert records[0]["text"] == expected


def test_control_entities_and_other_entities(tmp_path):
    body = "Rates in the&#127;country rose.&#5;&#30;Shares of &lt;XYZ> &amp; &#65;BC fell.\n&#3;"
    text = f"<TEXT>&#2;\n<TITLE>A &amp; B</TITLE>\n<BODY>{body}</BODY></TEXT>"
    records, _ = read(write(tmp_path, story(1, text=text)))
    assert records[0]["title"] == "A & B"
    assert records[0]["text"] == "Rates in the country rose. Shares of <XYZ> & ABC fell."
    assert records[0]["dateline"] is None


def test_non_utf8_byte_read_as_cp1252_and_counted(tmp_path):
    path = tmp_path / "reut2-017.sgm"
    text = "<TEXT>&#2;\n<TITLE>T</TITLE>\n<BODY>growth.\xfc&#5;&#30;side measures.\n&#3;</BODY></TEXT>"
    path.write_bytes((HEAD + story(1, text=text)).encode("cp1252"))
    arts = load_corpus(path, progress=False)
    assert arts["text"].iloc[0] == "growth.\u00fc side measures."
    assert load_report(arts).counts["decoded_cp1252"] == 1


@pytest.mark.parametrize(("dateline", "place", "lead"), [
    ("    PORTLAND, Ore., March 3 - ", "Portland, Ore.", ""),
    ("    NEW YORK, March 3 - ", "New York", ""),
    ("    Toronto, feb 26 - ", "Toronto", ""),
    ("    MONTREAL, Feb 26- ", "Montreal", ""),
    ("    GOLDEN VALLEY, MINN., April 1 - ", "Golden Valley, Minn.", ""),
    ("    RIO DE JANEIRO, Feb 26 - Widget makers", "Rio De Janeiro", "Widget makers"),
])
def test_dateline(tmp_path, dateline, place, lead):
    text = f"<TEXT>&#2;\n<TITLE>T</TITLE>\n<DATELINE>{dateline}</DATELINE><BODY>said more.\n&#3;</BODY></TEXT>"
    records, _ = read(write(tmp_path, story(1, text=text)))
    assert records[0]["dateline"] == place
    assert records[0]["text"] == (f"{lead} said more." if lead else "said more.")


@pytest.mark.parametrize(("author", "byline"), [
    ("    By Jane Roe, Reuters", "Jane Roe"),
    ("    by John Doe, Reuter", "John Doe"),
    ("    By Ann O'Hara", "Ann O'Hara"),
    ("    BY TOM D'ARCY, REUTERS", "Tom D'Arcy"),
    ("    By ANN ROE AND BOB DOE, REUTERS", "Ann Roe and Bob Doe"),
    ("   ", None),
])
def test_byline(author, byline):
    assert clean_byline(author) == byline


def test_author_becomes_byline(tmp_path):
    text = ("<TEXT>&#2;\n<TITLE>T</TITLE>\n<AUTHOR>    By Jane Roe, Reuters</AUTHOR>\n"
            "<DATELINE>    PARIS, March 3 - </DATELINE><BODY>Body.\n&#3;</BODY></TEXT>")
    arts = load_corpus(write(tmp_path, story(1, text=text)), progress=False)
    assert arts["byline"].iloc[0] == "Jane Roe"


# -- malformed input ---------------------------------------------------------------------------

def test_truncated_file_skips_the_open_story_with_its_line(tmp_path):
    whole = HEAD + story(1) + story(2)
    path = tmp_path / "reut2-000.sgm"
    path.write_text(whole[: whole.rindex("</REUTERS>")], encoding="ascii")
    arts = load_corpus(path, progress=False)
    report = load_report(arts)
    assert arts["newid"].tolist() == [1]
    second_line = whole[: whole.index('NEWID="2"')].count("\n") + 1
    assert report.skipped[["line", "reason"]].values.tolist() == [
        [second_line, "<REUTERS> element without its closing </REUTERS> tag (file truncated?)"]]
    assert report.n_records == report.n_articles + report.n_records_skipped == 2


def test_story_without_text_is_a_skipped_record(tmp_path):
    broken = story(2).replace("<TEXT>", "<TXT>")
    arts = load_corpus(write(tmp_path, story(1), broken), progress=False)
    report = load_report(arts)
    assert len(arts) == 1
    assert report.skipped["reason"].tolist() == ["<REUTERS> element without a complete <TEXT> element"]


def test_story_without_newid_gets_a_line_based_id(tmp_path):
    no_id = story(1).replace(' NEWID="1"', "")
    arts = load_corpus(write(tmp_path, no_id, story(2)), progress=False)
    assert len(arts) == 2 and arts["doc_id"].is_unique
    assert pd.isna(arts["newid"].iloc[0])


def test_errors_raise(tmp_path):
    whole = HEAD + story(1) + story(2)
    path = tmp_path / "reut2-000.sgm"
    path.write_text(whole[: whole.rindex("</REUTERS>")], encoding="ascii")
    with pytest.raises(LoadError, match=r"line \d+: <REUTERS> element without its closing"):
        load_corpus(path, progress=False, errors="raise")


def test_not_reuters_forced_is_a_skipped_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Just a note.\n", encoding="ascii")
    arts = load_corpus(path, format="reuters", progress=False)
    report = load_report(arts)
    assert len(arts) == 0 and report.n_files_skipped == 1
    assert "no <REUTERS> element found" in report.skipped["reason"].iloc[0]
    with pytest.raises(LoadError, match="not a Reuters-21578 SGML file"):
        read(path)


def test_list_columns_survive_parquet(tmp_path):
    arts = load_corpus(write(tmp_path, story(1), story(2, topics="", places="<D>uk</D><D>usa</D>")),
                       progress=False)
    out = tmp_path / "a.parquet"
    arts.to_parquet(out)
    back = pd.read_parquet(out)
    assert [list(v) for v in back["reuters_topics"]] == [["grain", "wheat"], []]
    assert [list(v) for v in back["places"]] == [["usa"], ["uk", "usa"]]
    assert [list(v) for v in back["companies"]] == [[], []]
    assert load_report(back).n_articles == 2


# -- property: any bytes give articles, recorded skips or a ToolkitError -----------------------

def _outcome(path: Path) -> None:
    ctx = ReadContext(path=path, root=path.parent)
    try:
        records = list(read_reuters(path, ctx))
    except ToolkitError:
        return
    for rec in records:
        assert isinstance(rec["text"], str)
        assert rec["title"] is None or isinstance(rec["title"], str)
        assert rec["published"] is None or isinstance(rec["published"], str)
        assert all(isinstance(v, list) for k, v in rec.items()
                   if k in ("reuters_topics", "places", "people", "orgs", "exchanges", "companies"))
    for skip in ctx.skipped:
        assert skip["reason"]


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "fuzz.sgm"
    path.write_bytes(data)
    _outcome(path)


_SAMPLE = HEAD + story(1) + story(
    2, date="27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM",
    text='<TEXT TYPE="BRIEF">&#2;\n***<TITLE>FLASH</TITLE>Blah blah blah.\n&#3;\n</TEXT>') + story(
    3, text='<TEXT TYPE="UNPROC">&#2;\nTABLE\n A....1\n&#3;\n</TEXT>')


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(_SAMPLE)), junk=st.text(max_size=40), at=st.integers(0, len(_SAMPLE)))
def test_truncated_and_garbled_sgml(tmp_path, cut, junk, at):
    # Truncate a real-looking file, then splice random text (tags, entities, control codes) in.
    text = _SAMPLE[:cut]
    at = min(at, len(text))
    path = tmp_path / "fuzz.sgm"
    path.write_bytes((text[:at] + junk + text[at:]).encode("utf-8"))
    _outcome(path)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(_SAMPLE)))
def test_truncated_through_load_corpus(tmp_path, cut):
    path = tmp_path / "reut2-000.sgm"
    path.write_text(_SAMPLE[:cut], encoding="ascii")
    arts = load_corpus(path, format="reuters", progress=False, duplicates="none")
    report = load_report(arts)
    assert report.n_files == report.n_files_loaded + report.n_files_skipped == 1
    assert len(arts) == report.n_articles


_TOKENS = [
    '<REUTERS NEWID="1">', '<REUTERS OLDID="x" NEWID="2" TOPICS="YES">', "</REUTERS>", "<TEXT>", "</TEXT>",
    '<TEXT TYPE="BRIEF">', '<TEXT TYPE="UNPROC">', "<TITLE>", "</TITLE>", "<BODY>", "</BODY>", "<DATE>",
    "</DATE>", "<D>", "</D>", "<TOPICS>", "</TOPICS>", "<PLACES>", "</PLACES>", "<DATELINE>",
    "</DATELINE>", "<AUTHOR>", "</AUTHOR>", "&#3;", "&#127;", "&#0;", "&lt;", "&amp;", "&#99999999;",
    "&#xD800;", "&#x41;", " Reuter", "REUTER...^M", "\n", " ", "26-FEB-1987 15:01:01.79", "31-FEB-1987",
    "1-JAN-9999 23:59:59.99", " By A B, Reuters", "    PARIS, March 3 - ", "Blah blah blah.", "word", "\xfc",
]


@settings(max_examples=100, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(st.sampled_from(_TOKENS), max_size=60))
def test_sgml_token_soup_through_load_corpus(tmp_path, tokens):
    path = tmp_path / "reut2-000.sgm"
    path.write_bytes((HEAD + "".join(tokens)).encode("cp1252"))
    try:
        arts = load_corpus(path, format="reuters", progress=False, duplicates="none")
    except ToolkitError:
        return
    report = load_report(arts)
    assert report.n_files == report.n_files_loaded + report.n_files_skipped == 1
    assert report.n_records == len(arts) + report.n_records_skipped
    assert arts["published"].isna().all() or str(arts["published"].dt.tz) == "UTC"
