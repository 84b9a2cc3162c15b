"""Property tests: random bytes and random text fed to every reader through ``load_corpus``.

The only allowed outcomes for one input file are a loaded article (or several), a recorded skip,
or (with ``errors="raise"``) a :class:`ToolkitError`. Never another exception, never a crash
turned into a "reader failed" skip (that is how ``load_corpus`` reports a reader bug), never a
hang. And the accounting always holds: inputs = loaded + skipped, for files and for records.

Sizes are bounded and every load runs under a wall-clock alarm; ``max_examples`` is sized so
that the whole file runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import load_corpus, load_report
from toolkit.errors import ToolkitError
from toolkit.load import readers
from toolkit.schema import validate_articles

SUFFIXES = (".txt", ".csv", ".tsv", ".json", ".jsonl", ".parquet", ".html", ".sgm")
TIME_LIMIT = 20  # seconds for one load of one small file: far above normal, far below a hang
EXAMPLES = int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "10"))  # longer runs: README "Fuzzing"

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the first HTML page imports trafilatura; the alarm below guards against hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="TOOLKIT_FUZZ_SEED" not in os.environ,  # fixed examples in CI: failures reproduce
    database=None,
)


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    def alarm(signum, frame):
        raise Hang(f"load did not finish within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_one_file(data: bytes, suffix: str) -> None:
    """Write ``data`` to a file with ``suffix`` and load it both ways; check the outcomes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(data)
        with time_limit(TIME_LIMIT):
            articles = load_corpus(path, duplicates="exact", progress=False)
        report = load_report(articles)
        reasons = report.skipped["reason"].tolist()
        assert not [r for r in reasons if "reader failed" in r], (suffix, reasons, data[:200])
        assert report.n_files == 1 == report.n_files_loaded + report.n_files_skipped
        assert report.n_records == report.n_articles + report.n_records_skipped
        assert report.n_articles == len(articles)
        if report.n_files_skipped:
            assert len(articles) == 0 and len(reasons) == 1
        assert articles["doc_id"].is_unique
        validate_articles(articles)
        log = report.log(articles)
        assert (log["status"] != "empty").sum() == report.n_records + report.n_files_skipped
        assert set(log["status"]) <= {"loaded", "duplicate", "skipped", "empty"}

        with time_limit(TIME_LIMIT):
            try:
                strict = load_corpus(path, errors="raise", duplicates="none", progress=False)
            except ToolkitError as exc:
                assert "reader failed" not in str(exc), (suffix, str(exc), data[:200])
            else:
                # A clean strict load is a load without skips.
                assert len(strict) == report.n_articles and not reasons


def test_every_fuzzed_suffix_has_a_reader():
    claimed = {s for r in readers().values() for s in r.suffixes}
    assert set(SUFFIXES) <= claimed


# ---------------------------------------------------------------------------------------------
# raw bytes and raw text, for every suffix
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes(suffix, data):
    check_one_file(data, suffix)


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(text=st.text(max_size=1500))
def test_random_text(suffix, text):
    check_one_file(text.encode("utf-8", "surrogatepass"), suffix)


# ---------------------------------------------------------------------------------------------
# random content inside each format's structure, so the readers get past their first check
# ---------------------------------------------------------------------------------------------

_WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
_DATES = st.one_of(
    _WORDS, st.sampled_from(["2021-11-04 15:23 IST", "04/11/2021", "26-FEB-1987 15:01:01.79",
                             "9999-99-99", "Thursday, November 04, 2021, 03:23 PM IST", "", "0"]),
)
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _WORDS, _DATES)
_RECORDS = st.lists(
    st.dictionaries(st.sampled_from(["title", "text", "published", "outlet", "byline", "url", "lang",
                                     "id", "body", "headline", "extra"]), _VALUES, max_size=8),
    max_size=8,
)


def _csv(records: list[dict], delimiter: str) -> bytes:
    import csv

    out = io.StringIO()
    fields = sorted({k for r in records for k in r}) or ["title"]
    writer = csv.DictWriter(out, fieldnames=fields, delimiter=delimiter)
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue().encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
@FUZZ
@given(records=_RECORDS)
def test_random_csv_records(suffix, records):
    check_one_file(_csv(records, "," if suffix == ".csv" else "\t"), suffix)


@FUZZ
@given(records=st.one_of(_RECORDS, st.recursive(_VALUES, lambda c: st.lists(c, max_size=4)
                                                | st.dictionaries(_WORDS, c, max_size=4), max_leaves=20)))
def test_random_json_documents(records):
    check_one_file(json.dumps(records, allow_nan=True).encode("utf-8", "surrogatepass"), ".json")


@FUZZ
@given(lines=st.lists(st.one_of(_RECORDS.map(lambda r: json.dumps(r[0] if r else {})), _WORDS), max_size=8))
def test_random_jsonl_lines(lines):
    check_one_file("\n".join(lines).encode("utf-8", "surrogatepass"), ".jsonl")


@FUZZ
@given(records=_RECORDS)
def test_random_parquet_tables(records):
    # Every column as text (mixed types cannot be one Arrow column); empty tables included.
    frame = pd.DataFrame([{k: None if v is None else str(v) for k, v in r.items()} for r in records])
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except Exception:  # e.g. a surrogate Arrow refuses: not a reader input at all
        return
    check_one_file(buffer.getvalue(), ".parquet")


@FUZZ
@given(title=_WORDS, body=st.lists(_WORDS, max_size=6), date=_DATES, charset=st.sampled_from(
    ["utf-8", "iso-8859-1", "windows-1252", "shift_jis", "bogus-charset", ""]),
    head=st.sampled_from(["", "<!DOCTYPE html>", "<?xml version='1.0'?>"]))
def test_random_html_pages(title, body, date, charset, head):
    from html import escape

    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body)
    page = (f"{head}<html><head>{meta}<title>{escape(title)}</title>"
            f'<meta property="article:published_time" content="{escape(date)}">'
            f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": date})}</script>'
            f"</head><body><article><h1>{escape(title)}</h1>{paragraphs}</article></body></html>")
    check_one_file(page.encode("utf-8", "surrogatepass"), ".html")


@FUZZ
@given(stories=st.lists(st.tuples(_DATES, _WORDS, _WORDS, st.sampled_from(["NORM", "BRIEF", "UNPROC", "X"]),
                                  st.sampled_from(["", "&#3;", "&#22;", "&lt;", "\x7f", "&"])), max_size=4),
       truncate=st.integers(min_value=0, max_value=400))
def test_random_reuters_files(stories, truncate):
    parts = ['<!DOCTYPE lewis SYSTEM "lewis.dtd">\n']
    for i, (date, title, body, kind, junk) in enumerate(stories, start=1):
        text_type = "" if kind == "NORM" else f' TYPE="{kind}"'
        parts.append(
            f'<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="{i}" NEWID="{i}">\n'
            f"<DATE>{date}{junk}</DATE>\n<TOPICS><D>earn</D></TOPICS>\n<PLACES></PLACES>\n"
            f"<TEXT{text_type}>&#2;\n<TITLE>{title}</TITLE>\n<DATELINE>    NEW YORK, March 3 - </DATELINE>"
            f"<BODY>{body}{junk}\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n"
        )
    text = "".join(parts)
    if truncate and stories:
        text = text[: max(len(text) - truncate, 40)]  # cut mid-element, as a broken download would
    check_one_file(text.encode("utf-8", "surrogatepass"), ".sgm")


@FUZZ
@given(lines=st.lists(st.one_of(_WORDS, _DATES, st.sampled_from(
    ["", "RECENT STORIES", "FPJ Web DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST",
     "Seoul [South Korea], November 4 (ANI):", "By Staff Reporter", "With IANS Inputs",
     "(Photo: Reuters)"])), max_size=15))
def test_random_scraped_pages(lines):
    check_one_file("\n".join(lines).encode("utf-8", "surrogatepass"), ".txt")
