"""The HTML reader: body extraction, metadata sources, charsets, gzip, skips, real test pages."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import load_corpus, load_report
from toolkit.errors import LoadError, ParameterError, ToolkitError
from toolkit.load.core import DEFAULT_EXCLUDE
from toolkit.load.html import clean_title, extract_body, html_to_paragraphs, read_html, sniff_html
from toolkit.load.registry import ReadContext

FIXTURES = Path(__file__).parent / "fixtures" / "html"
FIRST = "The town library in Eastmere opened its new reading room on Saturday"
LAST = "starts in the first week of the new term."
# UTF-8 read as cp1252/latin-1 somewhere: "Ã©" for "é", "â€™" for "’", "Â " for a no-break space.
MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u2018-\u203a\u20ac\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192\u02c6\u02dc]|â€|Â[\u00a0-\u00bf]")


def one(source, **kwargs) -> pd.Series:
    articles = load_corpus(source, errors="raise", **kwargs)
    assert len(articles) == 1
    return articles.iloc[0]


def page(body: str, head: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}</head><body><article>'
            + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</article></body></html>")


ENGLISH = "\n\n".join([
    "The harbour authority said on Tuesday that the old swing bridge would reopen to traffic next week after repairs.",
    "Engineers replaced the bearings and repainted the steelwork, and the café on the quay — closed since spring — reopens too.",
    "Residents had complained about the long detour through the industrial estate for most of the summer months.",
])


# --------------------------------------------------------------------------- metadata sources

def test_meta_tags():
    a = one(FIXTURES / "meta_tags.html")
    assert a["title"] == "Eastmere library opens new reading room"  # " | The Eastmere Echo" removed
    assert a["outlet"] == "The Eastmere Echo"
    assert a["published"] == pd.Timestamp("2023-05-06T08:30:00Z")
    assert a["byline"] == "Ruth Harding"
    assert a["url"] == "https://www.eastmere-echo.co.uk/news/library-reading-room"
    assert a["lang"] == "en"
    assert a["extractor"] == "trafilatura"
    assert a["source_format"] == "html"
    paragraphs = a["text"].split("\n\n")
    assert any(p.startswith(FIRST) for p in paragraphs[:2])
    assert paragraphs[-1].endswith(LAST)
    assert "Copyright" not in a["text"] and "Weather" not in a["text"]


def test_jsonld_graph_with_publisher_object():
    a = one(FIXTURES / "jsonld_graph.html")
    assert a["title"] == "Reading room opens in Eastmere"  # JSON-LD headline, no og:title
    assert a["published"] == pd.Timestamp("2022-11-08T19:05:00Z")  # datePublished, not dateModified
    assert a["byline"] == "Ana Silva; Tom Berg"
    assert a["outlet"] == "Valley Ledger"
    assert a["url"] == "https://valleyledger.com/local/reading-room-opens"
    assert a["lang"] == "en"  # inLanguage en-US


def test_jsonld_list_with_article_object():
    a = one(FIXTURES / "jsonld_publisher.html")
    assert a["outlet"] == "Marsh Valley Times"
    assert a["byline"] == "Jo Marsh"  # "JO MARSH" in the page; "Marsh" is not the month March
    assert a["published"] == pd.Timestamp("2020-02-29T00:00:00Z")
    assert a["url"] == "https://www.mvtimes.net/2020/02/29/clock-restored"
    assert load_report(load_corpus(FIXTURES / "jsonld_publisher.html")).counts["date_only_dates_read_in_UTC"] == 1


def test_url_date_domain_outlet_and_rel_author():
    a = one(FIXTURES / "url_date.html")
    assert a["published"] == pd.Timestamp("2021-03-15T00:00:00Z")
    assert a["outlet"] == "riversidepost.com"  # registrable domain: no site name in the page
    assert a["title"] == "Eastmere reading room"  # " - Riverside Post" names the domain
    assert a["byline"] == "Lee Chen"


def test_future_date_rejected_and_counted():
    articles = load_corpus(FIXTURES / "future_date.html")
    # 2999-01-01 in article:published_time is rejected; the URL's date is used instead.
    assert articles["published"].iloc[0] == pd.Timestamp("2019-07-01T00:00:00Z")
    assert load_report(articles).counts["future_dates_rejected"] == 1


def test_future_tolerance_option(tmp_path):
    tomorrow = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)).isoformat()
    path = tmp_path / "tomorrow.html"
    path.write_text(page(ENGLISH, f'<meta property="article:published_time" content="{tomorrow}">'), encoding="utf-8")
    assert one(path)["published"] == pd.Timestamp(tomorrow).floor("us")  # within the default 2 days
    articles = load_corpus(path, future_tolerance="1h")
    assert articles["published"].isna().all()
    assert load_report(articles).counts["future_dates_rejected"] == 1
    assert load_corpus(path, future_tolerance=0)["published"].isna().all()


@pytest.mark.parametrize("option, value, match", [
    ("future_tolerance", "soon", r"future_tolerance='soon' is not valid: expected a non-negative duration"),
    ("future_tolerance", -1, r"future_tolerance=-1 is not valid"),
    ("html_extractor", "newspaper", r"html_extractor='newspaper' is not valid: expected one of 'vote', 'trafilatura', 'readability'"),
])
def test_bad_options(option, value, match):
    path = FIXTURES / "meta_tags.html"
    with pytest.raises(ParameterError, match=match):
        list(read_html(path, ReadContext(path=path, root=path.parent, options={option: value})))


def test_language_detected_when_not_declared(tmp_path):
    french = "\n\n".join([
        "Le conseil municipal a voté mardi soir la rénovation complète de la bibliothèque du quartier nord.",
        "Les travaux commenceront au printemps et dureront environ dix-huit mois selon la mairie.",
        "Pendant cette période, les lecteurs pourront emprunter des livres dans une salle provisoire près de la gare.",
    ])
    path = tmp_path / "fr.html"
    path.write_text(page(french).replace(' lang="en"', ""), encoding="utf-8")
    assert one(path)["lang"] == "fr"


# --------------------------------------------------------------------------- outlet precedence

def test_outlet_from_corpus_yaml_or_argument_wins_over_the_page(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(FIXTURES / "meta_tags.html", folder / "a.html")
    assert one(folder)["outlet"] == "The Eastmere Echo"
    assert one(folder, outlet="Echo Archive")["outlet"] == "Echo Archive"
    (folder / "corpus.yaml").write_text("outlet: Eastmere Echo (print edition)\n", encoding="utf-8")
    a = one(folder)
    assert a["outlet"] == "Eastmere Echo (print edition)"
    # The page's own site name still cleans the title.
    assert a["title"] == "Eastmere library opens new reading room"


# --------------------------------------------------------------------------- title cleaning

@pytest.mark.parametrize("title, names, expected", [
    ("Rain again - The Daily Gazette", ["The Daily Gazette"], "Rain again"),
    ("Rain again | Daily Gazette", ["The Daily Gazette"], "Rain again"),
    ("Rain again | Weather | Daily Gazette", ["Daily Gazette"], "Rain again | Weather"),
    ("Daily Gazette | Rain again", ["Daily Gazette"], "Rain again"),
    ("Rain again – gazette.example.com", ["gazette.example.com"], "Rain again"),
    ("Rain again - DailyGazette.com", ["The Daily Gazette"], "Rain again"),
    ("Fog: a day of delays", ["The Daily Gazette"], "Fog: a day of delays"),
    ("Fog - and more fog", ["The Daily Gazette"], "Fog - and more fog"),
    ("Daily Gazette", ["Daily Gazette"], "Daily Gazette"),  # never empties a title
    ("Rain again - The Daily Gazette", [], "Rain again - The Daily Gazette"),
])
def test_clean_title(title, names, expected):
    assert clean_title(title, names) == expected


# --------------------------------------------------------------------------- charsets and gzip

def test_declared_windows_1252_but_utf8_bytes(tmp_path):
    path = tmp_path / "lying.html"
    head = '<meta charset="windows-1252"><title>Café reopens — “at last” | Quay News</title>'
    path.write_bytes(page(ENGLISH, head).encode("utf-8"))
    a = one(path)
    assert a["title"] == "Café reopens — “at last” | Quay News"  # no site name given: kept whole
    assert "the café on the quay — closed since spring —" in a["text"]
    assert not MOJIBAKE.search(a["title"] + a["text"])


def test_declared_iso_8859_1_http_equiv_but_utf8_bytes(tmp_path):
    path = tmp_path / "lying.htm"
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>Café</title>'
    path.write_bytes(page(ENGLISH, head).encode("utf-8"))
    assert "café on the quay — closed" in one(path)["text"]


def test_declared_utf8_but_windows_1252_bytes(tmp_path):
    path = tmp_path / "reverse.html"
    head = '<meta charset="utf-8"><title>Café reopens</title>'
    path.write_bytes(page(ENGLISH, head).encode("cp1252"))
    articles = load_corpus(path, errors="raise")
    a = articles.iloc[0]
    assert a["title"] == "Café reopens"
    assert "the café on the quay — closed since spring —" in a["text"]
    assert load_report(articles).counts["decoded_cp1252"] == 1


def test_mojibake_in_the_page_is_repaired(tmp_path):
    path = tmp_path / "double.html"
    # The page was once saved after reading UTF-8 as cp1252: its UTF-8 bytes spell mojibake.
    text = page(ENGLISH, "<title>Café reopens</title>").encode("utf-8").decode("cp1252")
    path.write_text(text, encoding="utf-8")
    articles = load_corpus(path, errors="raise")
    assert articles["title"].iloc[0] == "Café reopens"
    assert "café on the quay — closed" in articles["text"].iloc[0]
    assert load_report(articles).counts["mojibake_repaired"] == 1


def test_gzip(tmp_path):
    path = tmp_path / "meta_tags.html.gz"
    path.write_bytes(gzip.compress((FIXTURES / "meta_tags.html").read_bytes()))
    a = one(path)
    b = one(FIXTURES / "meta_tags.html")
    assert a["source_format"] == "html"
    for column in ("title", "text", "published", "byline", "url", "outlet", "lang"):
        assert a[column] == b[column]


def test_gz_that_is_not_gzip_is_skipped_with_reason(tmp_path):
    path = tmp_path / "plain.htm.gz"
    path.write_bytes((FIXTURES / "meta_tags.html").read_bytes())
    articles = load_corpus(tmp_path)
    assert articles.empty
    assert "not gzip-compressed" in load_report(articles).skipped["reason"].iloc[0]


def test_sniff():
    assert sniff_html(Path("x"), b"\xef\xbb\xbf  <!DOCTYPE html><html>")
    assert sniff_html(Path("x"), b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>")
    assert not sniff_html(Path("x"), b"Headline\n\nBody text")


# --------------------------------------------------------------------------- body extraction

@pytest.mark.parametrize("extractor", ["vote", "trafilatura"])
def test_readability_fallback_when_trafilatura_finds_too_little(extractor):
    # The body sits in class="comment-body", which trafilatura discards as reader comments.
    a = one(FIXTURES / "readability_fallback.html", html_extractor=extractor)
    assert a["extractor"] == "readability"
    assert a["text"].startswith(FIRST)
    assert a["text"].endswith(LAST)
    assert a["text"].count("\n\n") == 5


def test_readability_only_option():
    a = one(FIXTURES / "meta_tags.html", html_extractor="readability")
    assert a["extractor"] == "readability"
    assert FIRST in a["text"]


def test_extract_body_keeps_paragraphs():
    html = page(ENGLISH)
    body, method = extract_body(html)
    assert method == "trafilatura"
    assert body.split("\n\n") == ENGLISH.split("\n\n")


def test_html_to_paragraphs():
    assert html_to_paragraphs("<div>One<p>Two <i>and</i>\n half</p><ul><li>Three</li></ul><script>x()</script></div>") \
        == "One\n\nTwo and half\n\nThree"


def test_non_article_page_is_skipped_with_reason():
    articles = load_corpus(FIXTURES / "not_an_article.html")
    assert articles.empty
    report = load_report(articles)
    assert report.n_files_skipped == 1
    assert "no article body found" in report.skipped["reason"].iloc[0]
    with pytest.raises(LoadError, match="no article body found"):
        load_corpus(FIXTURES / "not_an_article.html", errors="raise")


def test_empty_and_binary_files_are_skipped(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "binary.html").write_bytes(b"\x00\x01\x02<html>")
    articles = load_corpus(tmp_path, format="html")
    reasons = sorted(load_report(articles).skipped["reason"])
    assert reasons[0].startswith("binary file") and reasons[1] == "empty file"


def test_fixture_folder_loads_with_every_file_accounted_for():
    articles = load_corpus(FIXTURES)
    report = load_report(articles)
    n_files = len(list(FIXTURES.glob("*.html")))
    assert report.n_files == n_files
    assert len(articles) == n_files - 1  # not_an_article.html
    assert articles["doc_id"].is_unique


# --------------------------------------------------------------------------- property test

@settings(max_examples=40, deadline=10_000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(max_size=1500).map(lambda s: page(s).encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(["<p>", "</p>", "<div>", "<script>", "<meta charset='x'>", "&amp;", "<!--",
                              "<html lang='zz'>", "text words here", "\x00", "\ufeff", "<?xml?>"]),
             max_size=60).map(lambda parts: "".join(parts).encode("utf-8")),
))
def test_random_input_gives_an_article_a_skip_or_a_toolkit_error(tmp_path, data):
    path = tmp_path / "random.html"
    path.write_bytes(data)
    articles = load_corpus(path, format="html")
    report = load_report(articles)
    assert len(articles) + report.n_files_skipped + report.n_records_skipped >= 1
    for reason in report.skipped["reason"] if not report.skipped.empty else []:
        assert "reader failed" not in reason, reason  # an exception the reader did not foresee
    try:
        load_corpus(path, format="html", errors="raise")
    except ToolkitError as exc:
        assert exc.__cause__ is None or isinstance(exc.__cause__, ToolkitError), repr(exc.__cause__)


# --------------------------------------------------------------------------- real pages

@pytest.mark.corpora
def test_readability_test_pages(corpora):
    folder = corpora / "readability-news-html" / "test-pages"
    articles = load_corpus(folder, exclude=(*DEFAULT_EXCLUDE, "expected.html", "expected-metadata.json"))
    report = load_report(articles)
    assert report.n_files == 50  # CATALOG.md: 50 pages
    assert len(articles) == 50 and report.n_files_skipped == 0
    assert set(articles["extractor"]) <= {"trafilatura", "readability"}
    for column in ("title", "text"):
        bad = articles[articles[column].fillna("").str.contains(MOJIBAKE)]
        assert bad.empty, bad[["source_path", column]].to_string()[:500]
    assert articles["title"].notna().all()
    assert (articles["text"].str.len() > 200).all()
    assert articles["lang"].notna().all()
    by_page = articles.set_index(articles["source_path"].map(lambda p: Path(p).parent.name))
    assert by_page.loc["nytimes-1", "published"] == pd.Timestamp("2017-01-13", tz="UTC") or \
        by_page.loc["nytimes-1", "published"].date().isoformat() == "2017-01-13"
    assert by_page.loc["lemonde-1", "lang"] == "fr"
    assert by_page.loc["qq", "lang"] == "zh"


@pytest.mark.corpora
def test_newspaper4k_pages(corpora):
    folder = corpora / "newspaper4k-html" / "tests" / "data" / "html"
    articles = load_corpus(folder)
    report = load_report(articles)
    assert report.n_files == 175  # CATALOG.md: 175 HTML
    assert len(articles) + report.n_files_skipped == 175
    skipped = {Path(p).name for p in report.skipped["path"]}
    # An RSS feed saved as .html, a meta-refresh stub, and a page whose article is loaded by script.
    assert {"sample_rss.html", "google_meta_refresh.html", "readwrite.com1.html"} <= skipped
    assert len(skipped) <= 6, skipped
    for column in ("title", "text"):
        bad = articles[articles[column].fillna("").str.contains(MOJIBAKE)]
        assert bad.empty, bad[["source_path", column]].to_string()[:500]
    langs = articles["lang"].value_counts()
    assert langs["en"] >= 120
