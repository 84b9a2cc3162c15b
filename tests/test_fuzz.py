"""Fuzzing the parsers (issue 7): the scraped-text parser, the date parser, the topic
dictionary loader, the report parameter parser, and hostile files through ``load_corpus``.

Allowed outcomes: a result of the documented type, ``NaT`` where documented, or a
:class:`~toolkit.errors.ToolkitError` -- never another exception, never a hang. Every example
runs under a wall-clock alarm (``time_limit``), and hypothesis runs a fixed, derandomized set
of examples so that a CI failure reproduces.

Budget: ``EXAMPLES`` per property (default 25; the whole file takes well under a minute on
an idle machine). A longer run::

    TOOLKIT_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz.py tests/test_readers_fuzz.py -q

(``TOOLKIT_FUZZ_SEED`` also turns derandomization off, for fresh examples on every run.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import string
import tempfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import load_corpus, load_report
from toolkit.dates import parse_date, parse_dates
from toolkit.errors import ParameterError, ReportError, ToolkitError
from toolkit.load.scraped import ScrapedPage, extract_dateline, parse_scraped_text
from toolkit.report import NotebookParameter, _check_parameters, notebook_parameters
from toolkit.topics import load_topics

EXAMPLES = int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "25"))
LONG_RUN = EXAMPLES > 25
# Seconds for one example: far above normal (well under a second), far below a hang; generous
# because CI machines are shared.
TIME_LIMIT = float(os.environ.get("TOOLKIT_FUZZ_TIME_LIMIT", "60"))
# Examples of the properties that load whole files (about 0.3 s each).
LOAD_EXAMPLES = max(5, EXAMPLES // 3)
# One line of this many words: 2 MB in CI, 10 MB in a long run (HTML: a tenth of it, since
# extracting the article from one huge paragraph is what takes the time).
HUGE_WORDS = 2_000_000 if LONG_RUN else 400_000

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timing on a shared 2-core machine is noise; the alarm catches hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    derandomize="TOOLKIT_FUZZ_SEED" not in os.environ,
    database=None,
)
FUZZ_LOADS = settings(FUZZ, max_examples=LOAD_EXAMPLES)


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float = TIME_LIMIT):
    def alarm(signum, frame):
        raise Hang(f"did not finish within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# Text with everything hostile: NUL and other controls, lone surrogates excluded (they cannot be
# written to a file), mixed scripts, combining marks, right-to-left, full-width digits.
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
MIXED = st.sampled_from(["\x00", "\u202e", "\ufeff", "\u200b", "٢٠٢١", "２０２１", "年", "Ⅻ", "ß",
                         "\u0301", "\r", "\r\n", "\x0b", "\x1c", "\u2028", "\t", "IST", "Z", "+05:30"])
FRAGMENTS = st.lists(st.one_of(TEXT, MIXED, st.sampled_from(
    ["2021-11-04", "15:23", "Thursday, November 04, 2021, 03:23 PM IST", "Nov 8, 2021 10:15 GMT",
     "04/11/2021", "T", "-", ":", ".", ",", " ", "0", "99999", "-1", "1e400", "AM", "PM"])),
    max_size=8).map("".join)


# --------------------------------------------------------------------------------------------
# The scraped-text parser, directly
# --------------------------------------------------------------------------------------------

SCRAPED_LINES = st.lists(st.one_of(TEXT, MIXED, st.sampled_from([
    "", "RECENT STORIES", "FPJ Web DeskUpdated: Thursday, November 04, 2021, 03:23 PM IST",
    "Seoul [South Korea], November 4 (ANI):", "By Staff Reporter", "With IANS Inputs",
    "(Photo: Reuters)", "Representational Image", "By A. Writer | Published on: Nov 8, 2021 10:15 GMT",
    "GLASGOW: It rained.", "NEW DELHI (Reuters) -", "Updated:", "By", "|", "Photo: ",
    "A" * 5000, "x " * 3000,
])), max_size=30)


@FUZZ
@given(lines=SCRAPED_LINES, newline=st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
def test_scraped_parser_always_returns_a_page(lines, newline):
    raw = newline.join(lines)
    with time_limit():
        page = parse_scraped_text(raw)
    assert isinstance(page, ScrapedPage)
    for name in ("title", "byline", "published", "dateline", "wire", "image_credit"):
        value = getattr(page, name)
        assert value is None or isinstance(value, str), (name, value)
    assert isinstance(page.text, str)
    # Nothing is invented: every word of the body comes from the input.
    source_words = set(raw.split())
    assert set(page.text.split()) <= source_words | {w.strip() for w in source_words}


@FUZZ
@given(paragraph=st.one_of(TEXT, FRAGMENTS, st.builds(
    lambda place, sep, rest: f"{place}{sep}{rest}",
    st.sampled_from(["SEOUL", "Seoul [South Korea], November 4 (ANI)", "NEW YORK, March 3", "", "\x00"]),
    st.sampled_from([":", " -", " —", " (Reuters) -", ""]), TEXT)))
def test_extract_dateline_never_raises(paragraph):
    with time_limit():
        place, wire = extract_dateline(paragraph)
    assert place is None or (isinstance(place, str) and place)
    assert wire is None or isinstance(wire, str)


# --------------------------------------------------------------------------------------------
# The date parser
# --------------------------------------------------------------------------------------------

DATE_VALUES = st.one_of(
    FRAGMENTS,
    TEXT,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31),
                 timezones=st.one_of(st.none(), st.timezones())),
    st.dates(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
ZONES = st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Chatham", "Etc/GMT+12"])


def _is_utc_stamp(value: object) -> bool:
    return value is pd.NaT or (isinstance(value, pd.Timestamp) and str(value.tz) == "UTC"
                               and value.unit == "us")


@FUZZ
@given(value=DATE_VALUES, tz=ZONES, dayfirst=st.booleans())
def test_parse_date_gives_a_utc_timestamp_or_nat(value, tz, dayfirst):
    with time_limit():
        try:
            stamp = parse_date(value, tz=tz, dayfirst=dayfirst)
        except ToolkitError:
            return
    assert _is_utc_stamp(stamp), (value, stamp)


@FUZZ
@given(values=st.lists(DATE_VALUES, max_size=12), tz=ZONES, dayfirst=st.booleans())
def test_parse_dates_agrees_with_parse_date(values, tz, dayfirst):
    with time_limit():
        try:
            result = parse_dates(values, tz=tz, dayfirst=dayfirst)
        except ToolkitError:
            return
        one_by_one = [parse_date(v, tz=tz, dayfirst=dayfirst) for v in values]
    assert str(result.values.dtype) == "datetime64[us, UTC]"
    assert len(result.values) == len(values)
    assert sum(result.counts.values()) == len(values)
    for got, expected, value in zip(result.values, one_by_one, values, strict=True):
        assert (got is pd.NaT and expected is pd.NaT) or got == expected, (value, got, expected)


def test_parse_date_on_hand_picked_hostile_values():
    for value in ["\x00", "2021-11-04\x00", "9" * 5000, 10**40, float("inf"), "٢٠٢١-١١-٠٤",
                  "２０２１-１１-０４", "2021-11-04T25:61:61", "1970-01-01T00:00:00+99:00",
                  "Mon, 31 Feb 2021", "0000-00-00", b"2021-11-04", "\u202e2021-11-04",
                  "2021-11-04 " + "x" * 100_000]:
        with time_limit():
            assert _is_utc_stamp(parse_date(value)), value


# --------------------------------------------------------------------------------------------
# The topic dictionary loader
# --------------------------------------------------------------------------------------------

TOPIC_COLUMNS = ["topic", "group", "pattern", "kind", "exclude", "case_sensitive"]
YAMLISH = st.lists(st.one_of(
    TEXT,
    st.sampled_from(["Japan:", "  - Japan", "  - Kishida*", "- x", "Asia:", "  Korea:", "    - Seoul",
                     "  terms: [a, b]", "  exclude: [c]", "  case_sensitive: yes", "  bogus: 1",
                     "&a [1]", "*a", "!!python/object:os.system x", "%YAML 1.1", "---", "...",
                     "{", "[", "? complex", ": x", "Japan: ~", "Japan: 3", "'quoted: key':",
                     "\t- tab", "  - '*'", "  - 'a*b'", "  - ''", "<<: *a", "\x00", "\ufeff"]),
), max_size=12).map("\n".join)


def _check_topics_table(table: object) -> None:
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == TOPIC_COLUMNS
    assert len(table) > 0
    assert set(table["kind"]) <= {"term", "phrase", "glob"}


@FUZZ
@given(text=YAMLISH)
def test_topic_files_load_or_raise_topics_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "topics.yaml"
        path.write_text(text, encoding="utf-8")
        with time_limit():
            try:
                table = load_topics(path)
            except ToolkitError as exc:
                assert str(path) in str(exc) or "topics" in str(exc), str(exc)
                return
    _check_topics_table(table)


@FUZZ
@given(data=st.binary(max_size=500))
def test_topic_files_of_random_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "topics.yaml"
        path.write_bytes(data)
        with time_limit():
            try:
                table = load_topics(path)
            except ToolkitError:
                return
    _check_topics_table(table)


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT,
                     st.sampled_from(["Japan", "Kishida*", "South Korea", "*", "a*b", "", " "]))
_NESTED = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.one_of(st.sampled_from(["terms", "exclude", "case_sensitive", "Japan", "Asia", "x"]),
                  TEXT, st.integers()), inner, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(data=st.one_of(_NESTED, st.dictionaries(TEXT, _NESTED, max_size=4)))
def test_topic_mappings_load_or_raise_topics_error(data):
    with time_limit():
        try:
            table = load_topics(data)
        except ToolkitError:
            return
    _check_topics_table(table)


def test_topic_loader_on_hand_picked_hostile_files(tmp_path):
    cases = {
        "billion_laughs.yaml": "a: &a ['x','x','x','x','x','x','x','x','x']\n"
        + "".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                  for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
        "deep.yaml": "t: " + "[" * 2000 + "]" * 2000 + "\n",
        "python.yaml": "t: !!python/object/apply:os.system ['true']\n",
        "nul.yaml": "Japan:\n  - Ja\x00pan\n",
        "utf16.yaml": "Japan:\n  - Japan\n".encode("utf-16"),
        "latin1.yaml": "Café:\n  - Café\n".encode("latin-1"),
        "empty.yaml": b"",
        "huge_line.yaml": "Japan:\n  - " + "x" * 200_000 + "\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        with time_limit():
            try:
                table = load_topics(path)
            except ToolkitError as exc:
                assert name in str(exc), (name, str(exc))
                continue
        _check_topics_table(table)
    (tmp_path / "a-folder.yaml").mkdir()
    with pytest.raises(ToolkitError, match="a-folder.yaml"):
        load_topics(tmp_path / "a-folder.yaml")


# --------------------------------------------------------------------------------------------
# The report parameter parser
# --------------------------------------------------------------------------------------------

ANNOTATIONS = ["str", "int", "float", "bool", "None", "str | None", "int | None", "float | None",
               "list[str]", "list[int]", "list[float]", "list[bool]", "list[str] | None",
               "dict", "dict[str, int]", "Literal['D', 'W', 'M']", "Literal[1, 2, 'x']",
               "Optional[int]", "Union[int, list[int]]", "list[list[int]]", "int | str",
               "bool | list[str]", "'int'", "Any", "Sequence[str]", "tuple[int, ...]"]
RAW_VALUES = st.one_of(
    FRAGMENTS, TEXT,
    st.integers().map(str), st.floats().map(repr),
    st.sampled_from(["", " ", "none", "null", "None", "true", "no", "1", "0", "007", "-0", "1e400",
                     "nan", "inf", "[", "[]", "{}", '["a", 1]', "[1, 2.5]", "[[1]]", "a,b,,c", ",",
                     '{"a": 1}', '{"a": "x"}', "D", "'D'", '"D"', "\x00", "1_000", "١٢", "[" * 5000,
                     '{"a":' * 5000, "9" * 5000, "[1e400]", '["\\ud800"]',
                     # deep but complete JSON: parses, and must then be refused cleanly
                     "[" * 900 + "]" * 900, '{"a":' * 600 + "1" + "}" * 600]),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
                 lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3),
                 max_leaves=10).map(lambda v: json.dumps(v)),
)


def _parameter(annotation: str) -> NotebookParameter:
    from toolkit.report import _parse_parameters_source

    (param,) = _parse_parameters_source(f"x: {annotation} = None  # fuzzed\n")
    return param


@FUZZ
@given(annotation=st.sampled_from(ANNOTATIONS), raw=RAW_VALUES)
def test_parameter_text_parses_to_the_declared_type_or_a_parameter_error(annotation, raw):
    check_parameter_text(annotation, raw)


@pytest.mark.parametrize("annotation", ["list", "dict", "list[str] | None", "str | list[str]", "Any"])
@pytest.mark.parametrize("raw", ["[" * 900 + "]" * 900, '{"a":' * 600 + "1" + "}" * 600, "[" * 5000])
def test_deeply_nested_parameter_values_are_parameter_errors(annotation, raw):
    check_parameter_text(annotation, raw)


def check_parameter_text(annotation: str, raw: str) -> None:
    param = _parameter(annotation)
    with time_limit():
        try:
            value = param.parse(raw)
        except ParameterError as exc:
            assert str(exc).startswith("x="), str(exc)
            return
    assert param.accepts(value), (annotation, raw, value)
    # What the command line parsed must pass run_report's own check, or fail it cleanly.
    with time_limit():
        try:
            checked = _check_parameters({"x": value}, {"x": param}, Path("fuzz.ipynb"))
        except ParameterError:
            return
    json.dumps(checked, allow_nan=False)


CELL_LINES = st.lists(st.one_of(
    st.builds(lambda name, ann, default, comment: f"{name}{ann} = {default}{comment}",
              st.sampled_from(["x", "corpus", "freq", "_y", "class", "x.y", "x[0]", "a, b", "😀"]),
              st.sampled_from(["", *[f": {a}" for a in ANNOTATIONS], ": list[", ": Literal[x]",
                               ": 'not python'", ": Literal[" + "1," * 300 + "]"]),
              st.sampled_from(["1", "'a'", "None", "[1, 'b']", "{'a': [1]}", "f(x)", "-1", "1e400",
                               "'''", "(" * 300 + "1" + ")" * 300, "lambda: 1", "b'x'", "...",
                               "[" * 50 + "]" * 50]),
              st.sampled_from(["", "  # help", "  #", "  # \x00", "  # é 😀"])),
    TEXT,
    st.sampled_from(["import os", "if True:", "    pass", "x: int", "del x", "\x00", "\\", "'''"]),
), max_size=8).map("\n".join)


@FUZZ
@given(source=CELL_LINES)
def test_random_parameter_cells_give_parameters_or_a_report_error(source):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.ipynb"
        nbformat.write(nb, path)
        with time_limit():
            try:
                params = notebook_parameters(path)
            except ReportError as exc:
                assert "fuzzed.ipynb" in str(exc)
                return
    for name, param in params.items():
        assert name.isidentifier()
        assert isinstance(param.type_description, str)
        param.default_value  # noqa: B018 - must not raise
        with time_limit():
            try:
                value = param.parse("1")
            except ParameterError:
                continue
        assert param.accepts(value)


# --------------------------------------------------------------------------------------------
# Hostile files through load_corpus
# --------------------------------------------------------------------------------------------


def load_and_account(path: Path) -> tuple[pd.DataFrame, object]:
    """Load ``path`` both ways; check that every file is accounted for and nothing crashed."""
    with time_limit(TIME_LIMIT * 2):
        articles = load_corpus(path, duplicates="exact", progress=False)
    report = load_report(articles)
    assert report.n_files == report.n_files_loaded + report.n_files_skipped
    assert report.n_records == report.n_articles + report.n_records_skipped
    assert report.n_articles == len(articles)
    with time_limit(TIME_LIMIT * 2):
        try:
            load_corpus(path, errors="raise", duplicates="none", progress=False)
        except ToolkitError:
            pass
    return articles, report


def reader_failures(report: object) -> list[str]:
    return [r for r in report.skipped["reason"] if "reader failed" in r]


SUFFIXES = (".txt", ".csv", ".tsv", ".json", ".jsonl", ".parquet", ".html", ".sgm")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_zero_length_nul_and_invalid_utf8_files(tmp_path, suffix):
    contents = {
        "empty": b"",
        "nul": b"Title\x00 of it\n\nBody\x00 text, " * 20,
        "invalid_utf8": b"Title \xff\xfe\xc3\x28\n\nBody \x80\x81 of the article, " * 20,
        "utf16": "Title\n\nBody of the article.".encode("utf-16"),
        "only_bom": b"\xef\xbb\xbf",
        "whitespace": b" \n\t\r\n" * 100,
    }
    for name, data in contents.items():
        (tmp_path / f"{name}{suffix}").write_bytes(data)
    articles, report = load_and_account(tmp_path)
    assert report.n_files == len(contents)
    assert not reader_failures(report), report.skipped.to_string()
    skipped = dict(zip(report.skipped["path"].map(lambda p: Path(p).stem), report.skipped["reason"],
                       strict=False))
    assert skipped.get("empty") == "empty file"


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".tsv", ".jsonl", ".html"])
def test_huge_lines_load_or_skip(tmp_path, suffix):
    body = "word " * (HUGE_WORDS // 10 if suffix == ".html" else HUGE_WORDS)  # one line
    data = {
        ".txt": f"Headline\n\n{body}\n",
        ".csv": f"title,text\nHeadline,{body}\n",
        ".tsv": f"title\ttext\nHeadline\t{body}\n",
        ".jsonl": json.dumps({"title": "Headline", "text": body}) + "\n",
        ".html": f"<html><head><title>Headline</title></head><body><article><p>{body}</p>"
                 "</article></body></html>",
    }[suffix]
    (tmp_path / f"huge{suffix}").write_text(data)
    articles, report = load_and_account(tmp_path)
    assert not reader_failures(report), report.skipped.to_string()
    assert len(articles) == 1 and len(articles["text"].iloc[0]) >= len(body.strip())


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_is_a_skip_not_a_reader_crash(tmp_path, suffix):
    deep = "[" * 100_000 + "]" * 100_000
    text = deep if suffix == ".json" else '{"title": "x", "text": ' + deep + "}\n"
    (tmp_path / f"deep{suffix}").write_text(text)
    articles, report = load_and_account(tmp_path)
    assert report.n_files_skipped + report.n_records_skipped >= 1
    assert not reader_failures(report), report.skipped.to_string()


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_never_escapes_load_corpus(tmp_path, suffix):
    # Whatever the reason text, the load finishes and accounts for the file.
    deep = "[" * 100_000 + "]" * 100_000
    text = deep if suffix == ".json" else '{"title": "x", "text": ' + deep + "}\n"
    (tmp_path / f"deep{suffix}").write_text(text)
    articles, report = load_and_account(tmp_path)
    assert len(articles) == 0 and report.n_files == 1


def test_symlink_loops_are_detected_and_recorded(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "a" / "b").mkdir(parents=True)
    (corpus / "a" / "b" / "story.txt").write_text(
        "A headline about kelp\n\nThe kelp forest grew again this year, divers said.\n")
    (corpus / "a" / "b" / "up").symlink_to("..")  # a/b/up -> a: a loop
    (corpus / "a" / "root").symlink_to(corpus)  # absolute link to the top
    (corpus / "self.txt").symlink_to("self.txt")  # a file link to itself
    (corpus / "ping").symlink_to("pong")  # two links to each other
    (corpus / "pong").symlink_to("ping")
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    articles, report = load_and_account(corpus)
    assert articles["title"].tolist() == ["A headline about kelp"]
    ignored = dict(zip(report.ignored["path"], report.ignored["reason"], strict=True))
    assert "link back into the corpus" in ignored[str(corpus / "a" / "b" / "up")]
    assert "link back into the corpus" in ignored[str(corpus / "a" / "root")]
    skipped = dict(zip(report.skipped["path"], report.skipped["reason"], strict=True))
    for name in ("self.txt", "ping", "pong", "dangling.txt"):
        assert str(corpus / name) in skipped, (name, skipped)
    assert "symbolic links" in skipped[str(corpus / "self.txt")]


@FUZZ_LOADS
@given(tree=st.lists(st.tuples(st.sampled_from(["", "a", "a/b", "c"]),
                               st.sampled_from(["x.txt", "y.json", "z", "l1", "l2"]),
                               st.sampled_from(["file", "empty", "nul", "link-up", "link-root",
                                                "link-self", "link-sibling", "dangling"])),
                     max_size=8))
def test_random_trees_with_links_always_finish_and_account(tree):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "corpus"
        root.mkdir()
        for sub, name, kind in tree:
            parent = root / sub
            parent.mkdir(parents=True, exist_ok=True)
            path = parent / name
            if path.exists() or path.is_symlink():
                continue
            if kind == "file":
                path.write_text("A headline\n\nSome body text of the article here.\n")
            elif kind == "empty":
                path.write_bytes(b"")
            elif kind == "nul":
                path.write_bytes(b"\x00" * 10)
            elif kind == "link-up":
                path.symlink_to("..")
            elif kind == "link-root":
                path.symlink_to(root)
            elif kind == "link-self":
                path.symlink_to(name)
            elif kind == "link-sibling":
                path.symlink_to("l2" if name != "l2" else "l1")
            else:
                path.symlink_to(Path(folder) / "missing")
        articles, report = load_and_account(root)
        assert not reader_failures(report), report.skipped.to_string()


@FUZZ_LOADS
@given(text=st.text(alphabet=string.printable + "\x00\u202e\ufeff漢字", max_size=2000))
def test_scraped_pages_with_control_characters_load_or_skip(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.txt"
        path.write_text(text, encoding="utf-8")
        articles, report = load_and_account(path)
        assert report.n_files == 1
        assert not reader_failures(report), report.skipped.to_string()
