"""End-to-end tests of the real coverage report (notebooks/coverage_report.ipynb).

Nothing is mocked: the report is run through the command line (``python -m toolkit report
coverage``) on a real kernel against the demo corpus in data/sample. Each full run takes 10-15 s,
so the tests share two module-scoped runs (the defaults, and a filtered daily run) and one failing
run. The expected figures are recomputed here from the data files with plain Python (csv, json, a
few regular expressions for the scraped date lines), not with toolkit functions, so a bug in the
loader, the period maths or the topic matching shows up as a disagreement.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nbformat
import numpy as np
import pytest
import yaml
from conftest import chromium_dom, needs_chromium
from plotly.offline import get_plotlyjs
from scipy.stats import binomtest

pytestmark = pytest.mark.notebook

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
TOPICS = REPO / "data" / "topics" / "example.yaml"
NOTEBOOK = REPO / "notebooks" / "coverage_report.ipynb"

PLOTLY_MIME = "application/vnd.plotly.v1+json"
# A distinctive piece of plotly.js (its licence header) to count how often it was inlined.
PLOTLYJS_MARK = get_plotlyjs()[:60]

OUTLETS = [
    "The Harbour Herald",
    "Pacific Ledger Online",
    "Northgate Courier",
    "Daily Meridian",
    "Free Press Journal",
]
PARAMETERS = [
    "corpus",
    "topics",
    "start",
    "end",
    "outlets",
    "freq",
    "title",
    "top_n",
    "headlines_per_topic",
    "dedupe",
    "kwic_lines",
    "cache",
    "tone_sample",
    "sources_sample",
]
VOLUME_TITLE = "Articles per period, by outlet"
ATTENTION_TITLE = "Articles mentioning each topic, per period"
SHARE_TITLE = "Share of all articles mentioning each topic, per period"
TERMS_TITLE = "Top 15 terms, all articles"
TOPIC_TERMS_TITLE = "Top 15 terms in the articles matching each topic"

# Headlines of the seed's "RECENT STORIES" block (unrelated to the article): never coverage.
SEED_TRAILER_WORDS = ["Gaza", "Rwanda", "Dubai", "Turkmenistan", "Asylum"]
# The same kind of block in northgate_courier/005 mentions COP26, the climate summit and Japan.
NORTHGATE_TRAILER_HEADLINES = [
    "what COP26 means for Northgate households",
    "Japan trip for college robotics team",
]
STOPWORDS = {"the", "a", "an", "and", "of", "to", "in", "on", "for", "that", "is", "was", "with",
             "it", "as", "at", "by", "from", "has", "have", "be", "will", "its", "said", "says",
             "told", "mr", "also", "s", "'s"}  # fmt: skip

FILTER_TITLE = "Glasgow fortnight & <Seoul>"
MANIFEST = "coverage_report.manifest.json"


# --------------------------------------------------------------------------------------------
# Running the command line
# --------------------------------------------------------------------------------------------


_CACHE_DIR = tempfile.mkdtemp(prefix="toolkit-test-cache-")


def toolkit(*args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("TOOLKIT_NOTEBOOKS", None)  # the real notebooks/ folder, whatever the shell says
    env.setdefault("TOOLKIT_CACHE_DIR", _CACHE_DIR)  # the report's load cache: never the user's
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


@dataclass
class Run:
    out: Path
    done: subprocess.CompletedProcess
    seconds: float
    nb: nbformat.NotebookNode
    page: str

    @property
    def html_path(self) -> Path:
        return self.out / "coverage_report.html"

    def figures(self) -> list[dict[str, Any]]:
        """Every plotly figure output of the executed notebook, in order."""
        return [
            output.data[PLOTLY_MIME]
            for cell in self.nb.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if PLOTLY_MIME in output.get("data", {})
        ]

    def figure(self, title: str) -> dict[str, Any]:
        found = [f for f in self.figures() if figure_title(f) == title]
        assert len(found) == 1, [figure_title(f) for f in self.figures()]
        return found[0]

    def html_outputs(self) -> list[str]:
        return [
            output.data["text/html"]
            for cell in self.nb.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if "text/html" in output.get("data", {})
        ]


def run_coverage(out: Path, *parameters: str) -> Run:
    started = time.perf_counter()
    done = toolkit(
        "report",
        "coverage",
        "--corpus",
        "data/sample",
        "--topics",
        "data/topics/example.yaml",
        *parameters,
        "--out",
        str(out),
    )
    seconds = time.perf_counter() - started
    print(f"\ncoverage report {' '.join(parameters) or '(defaults)'}: {seconds:.1f} s")
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out / "coverage_report.ipynb", as_version=4)
    page = (out / "coverage_report.html").read_text(encoding="utf-8")
    return Run(out, done, seconds, nb, page)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Run:
    """The command from the README, run once from the repository root."""
    return run_coverage(tmp_path_factory.mktemp("coverage_default") / "out")


@pytest.fixture(scope="module")
def filtered_run(tmp_path_factory) -> Run:
    """Two weeks, by day, two outlets (outlets as JSON), and a title that needs escaping."""
    return run_coverage(
        tmp_path_factory.mktemp("coverage_filtered") / "out",
        "-p",
        "start=2021-11-01",
        "-p",
        "end=2021-11-14",
        "-p",
        "freq=D",
        "-p",
        'outlets=["Daily Meridian","Pacific Ledger Online"]',
        "-p",
        f"title={FILTER_TITLE}",
    )


# --------------------------------------------------------------------------------------------
# The demo corpus, read independently of the toolkit
# --------------------------------------------------------------------------------------------

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# The zone abbreviations used in data/sample (README): fixed offsets, IST being India's.
ZONES = {"KST": 9, "JST": 9, "UTC": 0, "GMT": 0, "BST": 1, "CET": 1, "IST": 5.5}
TRAILER = re.compile(r"^(?:RECENT STORIES|ALSO READ|Related News)[ \t]*$", re.MULTILINE)
CLOCK = r"(?P<H>\d{1,2}):(?P<M>\d\d)(?: (?P<ap>AM|PM))?(?: (?P<zone>[A-Z]{3,4}))?"
DATE_LINES = [
    # Harbour Herald DeskUpdated: Monday, November 01, 2021, 07:30 AM KST
    re.compile(r"DeskUpdated: \w+, (?P<mon>[A-Za-z]+) (?P<d>\d+), (?P<y>\d{4}), " + CLOCK),
    # By Jane Park | Published on: Nov 2, 2021 08:50 AM KST
    re.compile(r"Published on: (?P<mon>[A-Za-z]+) (?P<d>\d+), (?P<y>\d{4}) " + CLOCK),
    # Last Updated: 10 November 2021 09:05 UTC
    re.compile(r"Last Updated: (?P<d>\d+) (?P<mon>[A-Za-z]+) (?P<y>\d{4}) " + CLOCK),
    # Updated: 2021-11-05 18:20 JST
    re.compile(r"^Updated: (?P<y>\d{4})-(?P<mon>\d\d)-(?P<d>\d\d) " + CLOCK, re.MULTILINE),
]


def scraped_date(text: str, tz: str | None) -> dt.datetime:
    for pattern in DATE_LINES:
        m = pattern.search(text)
        if m is None:
            continue
        month = int(m["mon"]) if m["mon"].isdigit() else MONTHS[m["mon"][:3].lower()]
        hour = int(m["H"])
        if m["ap"]:
            hour = hour % 12 + (12 if m["ap"] == "PM" else 0)
        local = dt.datetime(int(m["y"]), month, int(m["d"]), hour, int(m["M"]))
        if m["zone"]:
            zone: dt.tzinfo = dt.timezone(dt.timedelta(hours=ZONES[m["zone"]]))
        else:
            assert tz is not None, text[:200]
            zone = ZoneInfo(tz)
        return local.replace(tzinfo=zone).astimezone(dt.UTC)
    raise AssertionError(f"no date line in {text[:200]!r}")


@dataclass(frozen=True)
class Article:
    source: str
    outlet: str
    published: dt.datetime | None
    title: str
    text: str  # title and body, without a trailing block of unrelated headlines


def sidecar(folder: Path) -> dict[str, Any]:
    """The folder's corpus.yaml merged over its parents' (up to data/sample)."""
    merged: dict[str, Any] = {}
    chain = [folder, *folder.parents]
    for directory in reversed(chain[: chain.index(SAMPLE) + 1]):
        path = directory / "corpus.yaml"
        if path.is_file():
            merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def read_demo_corpus() -> list[Article]:
    articles = []
    for path in sorted(SAMPLE.rglob("*.txt")):
        meta = sidecar(path.parent)
        # The seed has no sidecar; README: its outlet comes from the "FPJ Web Desk" byline.
        outlet = meta.get("outlet", "Free Press Journal")
        raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        trailer = TRAILER.search(raw)
        body = raw[: trailer.start()] if trailer else raw
        title = body.strip().splitlines()[0].strip()
        articles.append(
            Article(
                str(path.relative_to(SAMPLE)),
                outlet,
                scraped_date(body, meta.get("tz")),
                title,
                body,
            )
        )
    with open(SAMPLE / "daily_meridian.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            published = dt.datetime.fromisoformat(row["publish_date"])
            if published.tzinfo is None:  # README: the one date without a time is read in UTC
                published = published.replace(tzinfo=dt.UTC)
            articles.append(
                Article(
                    f"daily_meridian.csv:{row['id']}",
                    row["publisher"],
                    published.astimezone(dt.UTC),
                    row["headline"],
                    f"{row['headline']}\n\n{row['body_text']}",
                )
            )
    for line in (SAMPLE / "pacific_ledger.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        published = record["published"]
        articles.append(
            Article(
                f"pacific_ledger.jsonl:{record['id']}",
                record["outlet"],
                None
                if published is None
                else dt.datetime.fromisoformat(published).astimezone(dt.UTC),
                record["title"],
                f"{record['title']}\n\n{record['text']}",
            )
        )
    return articles


def entry_pattern(entry: str) -> str:
    """An entry of the dictionary as a regex: words on token boundaries, "*" a word-end glob."""
    words = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in entry.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


def read_topics() -> dict[str, tuple[re.Pattern, re.Pattern | None]]:
    spec = yaml.safe_load(TOPICS.read_text(encoding="utf-8"))
    topics = {}
    for name, entry in spec.items():
        terms, exclude = (
            (entry, []) if isinstance(entry, list) else (entry["terms"], entry.get("exclude", []))
        )
        include = re.compile("|".join(map(entry_pattern, terms)), re.IGNORECASE)
        excluded = (
            re.compile("|".join(map(entry_pattern, exclude)), re.IGNORECASE) if exclude else None
        )
        topics[name] = (include, excluded)
    return topics


def mentions(article: Article, topic: tuple[re.Pattern, re.Pattern | None]) -> bool:
    include, exclude = topic
    text = exclude.sub(" ", article.text) if exclude is not None else article.text
    return include.search(text) is not None


def week_of(moment: dt.datetime) -> dt.date:
    day = moment.date()
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture(scope="module")
def corpus() -> list[Article]:
    return read_demo_corpus()


@pytest.fixture(scope="module")
def topics() -> dict[str, tuple[re.Pattern, re.Pattern | None]]:
    return read_topics()


def test_independent_reading_of_the_demo_corpus(corpus, topics):
    """The expectations below rest on this reading; pin it to the README's description."""
    assert len(corpus) == 51
    assert Counter(a.outlet for a in corpus) == {
        "The Harbour Herald": 13,
        "Northgate Courier": 11,
        "Daily Meridian": 12,
        "Pacific Ledger Online": 14,
        "Free Press Journal": 1,
    }
    undated = [a.source for a in corpus if a.published is None]
    assert undated == ["pacific_ledger.jsonl:pl-0008"]
    dates = [a.published for a in corpus if a.published is not None]
    assert min(dates).date() >= dt.date(2021, 10, 18) and max(dates).date() <= dt.date(2021, 11, 28)
    by_source = {a.source: a for a in corpus}
    # README's week-boundary case: Monday 1 November 07:30 KST is Sunday 31 October 22:30 UTC.
    boundary = by_source["harbour_herald/006_japan-election-ruling-coalition.txt"]
    assert boundary.published == dt.datetime(2021, 10, 31, 22, 30, tzinfo=dt.UTC)
    # The seed: "Thursday, November 04, 2021, 03:23 PM IST" (India, +05:30).
    seed = by_source["seed/000_c8082c7e9795db6b.txt"]
    assert seed.published == dt.datetime(2021, 11, 4, 9, 53, tzinfo=dt.UTC)
    assert "Gaza" not in seed.text and "Kishida" in seed.text
    # The traps: only the trailing block of 005 mentions the summit; 007 only "Japan Airlines".
    fireworks = by_source["northgate_courier/005_fireworks-moved-to-riverside-park.txt"]
    seafood = by_source["northgate_courier/007_seafood-exporters-air-freight-deal.txt"]
    assert not any(mentions(fireworks, t) for t in topics.values())
    assert "Japan Airlines" in seafood.text and not mentions(seafood, topics["Japan"])
    assert list(topics) == [
        "South Korea",
        "Japan",
        "Forced labour",
        "Export controls",
        "Climate summit",
    ]


# --------------------------------------------------------------------------------------------
# Helpers for the executed notebook and the page
# --------------------------------------------------------------------------------------------


def figure_title(figure: dict[str, Any]) -> str | None:
    title = figure.get("layout", {}).get("title")
    return title.get("text") if isinstance(title, dict) else title


def attribute(text: str) -> str:
    """Text as Chromium serialises it inside a double-quoted attribute (quotes kept as is)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def values(array: Any) -> list:
    """A plotly data array as a list: plain JSON, or plotly's typed array {dtype, bdata}."""
    if isinstance(array, dict) and "bdata" in array:
        decoded = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:
            decoded = decoded.reshape([int(n) for n in str(array["shape"]).split(",")])
        return decoded.tolist()
    return list(array)


def day(text: str) -> dt.date:
    """A period on a chart axis ("2021-11-01T00:00:00", naive UTC) as a date."""
    moment = dt.datetime.fromisoformat(text)
    assert moment.time() == dt.time(0), text
    return moment.date()


def json_in_script(value: Any) -> str:
    """A JSON value as the exporter writes it inside a <script> ("<", ">", "&" escaped)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Tables(HTMLParser):
    """Every <table> of an HTML fragment as rows of cell texts (header rows marked)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[bool, list[str]]]] = []
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append((self._section == "thead", self._row))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(fragment: str) -> list[list[tuple[bool, list[str]]]]:
    parser = _Tables()
    parser.feed(fragment)
    return parser.tables


def table_with_header(run: Run, *columns: str) -> tuple[list[str], list[list[str]]]:
    """The one table among the notebook's HTML outputs whose first header row has these columns."""
    found = []
    for fragment in run.html_outputs():
        for table in html_tables(fragment):
            header = [cells for is_head, cells in table if is_head]
            if header and all(c in header[0] for c in columns):
                found.append((header[0], [cells for is_head, cells in table if not is_head]))
    assert len(found) == 1, f"{len(found)} tables with columns {columns}"
    return found[0]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_srcs: list[str | None] = []
        self.link_hrefs: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" in attributes:
            self.script_srcs.append(attributes["src"])
        elif tag == "link" and "href" in attributes:
            self.link_hrefs.append(attributes["href"])


SCRIPT_BODY = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)
FIGURE_PAYLOAD = re.compile(r"^  var fig = (\{.*\});$", re.MULTILINE)


def page_without_plotlyjs(page: str) -> str:
    """The page with the inlined plotly.js bundle cut out (it holds country names, URLs...)."""
    bodies = [b for b in SCRIPT_BODY.findall(page) if PLOTLYJS_MARK in b]
    assert len(bodies) == 1
    return page.replace(bodies[0], "")


def page_figures(page: str) -> list[dict[str, Any]]:
    """The figures the page draws: the JSON each ``Plotly.newPlot`` call gets."""
    return [json.loads(m) for m in FIGURE_PAYLOAD.findall(page)]


# --------------------------------------------------------------------------------------------
# The default run: process, files, executed notebook
# --------------------------------------------------------------------------------------------


def test_cli_prints_only_the_html_path_and_writes_both_files(default_run):
    run = default_run
    assert run.done.returncode == 0
    assert run.done.stdout == f"{run.html_path}\n"
    assert "Traceback" not in run.done.stderr
    # The run manifest (coverage_report.manifest.json) may sit beside them.
    assert sorted(p.name for p in run.out.iterdir() if p.name != MANIFEST) == [
        "coverage_report.html",
        "coverage_report.ipynb",
    ]
    assert not list(run.out.glob("*.failed.ipynb"))


def test_executed_notebook_ran_every_cell_with_the_injected_parameters(default_run):
    nb = default_run.nb
    assert nb.metadata.papermill.input_path == str(NOTEBOOK)
    # Relative paths on the command line were resolved against the caller's folder (the repo).
    assert nb.metadata.papermill.parameters == {"corpus": str(SAMPLE), "topics": str(TOPICS)}
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, [f"{o.ename}: {o.evalue}" for o in errors]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert {c.metadata.papermill.status for c in code} == {"completed"}
    tags = [c.metadata.get("tags", []) for c in code]
    assert ["parameters" in t for t in tags].index(True) == 0
    injected = [c for c, t in zip(code, tags, strict=True) if "injected-parameters" in t]
    assert len(injected) == 1 and code.index(injected[0]) == 1
    assert f'corpus = "{SAMPLE}"' in injected[0].source
    assert f'topics = "{TOPICS}"' in injected[0].source
    # The source notebook has as many code cells, all of which ran (none skipped).
    source = nbformat.read(NOTEBOOK, as_version=4)
    assert len(code) == 1 + sum(c.cell_type == "code" for c in source.cells)
    # volume, attention x2, outlets x2, prominence, co-occurrence, tone x2, terms x2, and one
    # keyness chart per topic.
    assert len(default_run.figures()) == 11 + 5


# --------------------------------------------------------------------------------------------
# The default run: the HTML page
# --------------------------------------------------------------------------------------------


def test_html_is_self_contained(default_run):
    page = default_run.page
    assert page.count(PLOTLYJS_MARK) == 1
    links = _Links()
    links.feed(page)
    assert links.script_srcs == []  # no <script src=...> at all, remote or local
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not [h for h in links.link_hrefs if h and re.search(r"https?://", h)]
    assert not re.search(r"""import\(\s*["']https?://""", page)
    # No URL in any script but plotly.js itself (which names map-tile hosts it never uses here).
    scripts = [b for b in SCRIPT_BODY.findall(page) if PLOTLYJS_MARK not in b]
    assert not [b[:200] for b in scripts if re.search(r"https?://", b)]
    assert not [b[:200] for b in scripts if re.search(r"require\.js|MathJax\.", b)]
    assert page.count('class="plotly-graph-div toolkit-figure"') == len(default_run.figures())


def test_html_holds_the_data_of_every_figure(default_run):
    page = default_run.page
    figures = default_run.figures()
    drawn = page_figures(page)
    assert [figure_title(f) for f in drawn] == [figure_title(f) for f in figures]
    for notebook_figure, page_figure in zip(figures, drawn, strict=True):
        assert page_figure["data"] == notebook_figure["data"]
        # And as text: trace names (legend entries) and the numbers or their typed-array bytes.
        for trace in notebook_figure["data"]:
            if "name" in trace:  # heatmaps have none
                assert json_in_script(trace["name"]) in page, trace["name"]
            for axis in ("x", "y"):
                array = trace.get(axis)
                if array is None:
                    continue
                if isinstance(array, dict):
                    assert array["bdata"] in page
                else:
                    for value in array:
                        assert json_in_script(value) in page, (trace.get("name"), axis, value)
    for outlet in OUTLETS:
        assert json_in_script(outlet) in page


def test_html_hides_code(default_run):
    page = default_run.page
    for cell in default_run.nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            line = line.strip()
            if len(line) < 12 or line.startswith("#"):
                continue
            assert line not in page, line
            assert html.escape(line) not in page, line
            assert html.escape(line, quote=False) not in page, line
    assert 'class="highlight hl-ipython3"' not in page
    assert 'class="jp-CodeMirrorEditor' not in page
    assert 'class="jp-InputPrompt' not in page and 'class="jp-OutputPrompt' not in page
    # The outputs are there, with the report's own heading and the page title.
    assert "<h1>Coverage report</h1>" in page
    assert "<title>Coverage report</title>" in page
    assert "51 articles selected of 51 loaded" in page


# --------------------------------------------------------------------------------------------
# The default run: figures and tables by content
# --------------------------------------------------------------------------------------------


def test_volume_figure_has_one_trace_per_outlet_summing_to_the_dated_articles(default_run, corpus):
    figure = default_run.figure(VOLUME_TITLE)
    traces = figure["data"]
    assert sorted(t["name"] for t in traces) == sorted(OUTLETS)
    assert {t["type"] for t in traces} == {"bar"}
    weeks = [dt.date(2021, 10, 18) + dt.timedelta(weeks=i) for i in range(6)]
    for trace in traces:
        assert [day(x) for x in values(trace["x"])] == weeks
    # 51 articles, one of them undated.
    assert sum(sum(values(t["y"])) for t in traces) == 50
    expected = Counter((a.outlet, week_of(a.published)) for a in corpus if a.published)
    for trace in traces:
        assert values(trace["y"]) == [expected[trace["name"], w] for w in weeks], trace["name"]


def test_attention_counts_match_an_independent_count(default_run, corpus, topics):
    figure = default_run.figure(ATTENTION_TITLE)
    traces = {t["name"]: t for t in figure["data"]}
    assert list(traces) == list(topics)
    weeks = [dt.date(2021, 10, 18) + dt.timedelta(weeks=i) for i in range(6)]
    dated = [a for a in corpus if a.published is not None]
    for name, pattern in topics.items():
        trace = traces[name]
        assert [day(x) for x in values(trace["x"])] == weeks
        counts = Counter(week_of(a.published) for a in dated if mentions(a, pattern))
        assert values(trace["y"]) == [counts[w] for w in weeks], name

    # Hand-checked cell: eight "Climate summit" articles in the week of 1 November (UTC), read
    # off the files: Harbour Herald 007 (2 Nov 08:50 KST = 1 Nov 23:50 UTC), Daily Meridian 1004,
    # 1005 (2 Nov), 1006 (dated only "2021-11-04"), 1007 (6 Nov), Pacific Ledger pl-0006 (2 Nov),
    # Northgate Courier 004 (3 Nov) and the seed (4 Nov). Not Northgate 005 (5 Nov), whose only
    # "COP26" and "climate summit" are in its RECENT STORIES block.
    week = weeks.index(dt.date(2021, 11, 1))
    assert values(traces["Climate summit"]["y"])[week] == 8
    climate = topics["Climate summit"]
    assert sorted(
        a.source for a in dated if week_of(a.published) == weeks[week] and mentions(a, climate)
    ) == [
        "daily_meridian.csv:1004",
        "daily_meridian.csv:1005",
        "daily_meridian.csv:1006",
        "daily_meridian.csv:1007",
        "harbour_herald/007_moon-cop26-emissions-pledge.txt",
        "northgate_courier/004_pupils-send-pledges-to-cop26.txt",
        "pacific_ledger.jsonl:pl-0006",
        "seed/000_c8082c7e9795db6b.txt",
    ]
    # The seed (4 Nov) mentions all five topics and falls in that same week.
    seed = next(a for a in corpus if a.source.startswith("seed/"))
    assert week_of(seed.published) == dt.date(2021, 11, 1)
    assert all(mentions(seed, pattern) for pattern in topics.values())
    # n_total for that week: every dated article published Mon 1 - Sun 7 Nov (UTC), any topic.
    in_week = [
        a for a in dated if dt.date(2021, 11, 1) <= a.published.date() <= dt.date(2021, 11, 7)
    ]
    assert len(in_week) == 11

    header, rows = table_with_header(default_run, "n_total", "South Korea")
    assert header == ["topic", *topics, "n_total"]
    totals = Counter(week_of(a.published) for a in dated)
    assert [row[0] for row in rows] == [f"{w} 00:00:00+00:00" for w in weeks]
    assert [int(row[-1]) for row in rows] == [totals[w] for w in weeks]
    assert totals[dt.date(2021, 11, 1)] == 11
    for i, name in enumerate(topics, 1):
        assert [int(row[i]) for row in rows] == values(traces[name]["y"])


def test_share_band_is_the_wilson_interval(default_run, corpus, topics):
    figure = default_run.figure(SHARE_TITLE)
    traces = {t["name"]: t for t in figure["data"]}
    dated = [a for a in corpus if a.published is not None]
    totals = Counter(week_of(a.published) for a in dated)
    for name, pattern in topics.items():
        counts = Counter(week_of(a.published) for a in dated if mentions(a, pattern))
        share = traces[name]
        for x, y in zip(values(share["x"]), values(share["y"]), strict=True):
            week = day(x)
            assert y == pytest.approx(counts[week] / totals[week]), (name, week)
        band = traces[f"{name} (95% CI)"]
        bounds: dict[dt.date, list[float]] = {}
        for x, y in zip(values(band["x"]), values(band["y"]), strict=True):
            if x is not None and y is not None:
                bounds.setdefault(day(x), []).append(y)
        assert sorted(bounds) == sorted(totals)
        for week, ys in bounds.items():
            interval = binomtest(counts[week], totals[week]).proportion_ci(0.95, method="wilson")
            assert sorted(ys) == pytest.approx([interval.low, interval.high], abs=1e-9), (
                name,
                week,
            )


def test_topic_shares_table_counts_every_article_dated_or_not(default_run, corpus, topics):
    header, rows = table_with_header(default_run, "topic", "n_matching", "n_total", "share")
    col = {name: header.index(name) for name in ("topic", "n_matching", "n_total")}
    got = {row[col["topic"]]: (int(row[col["n_matching"]]), int(row[col["n_total"]])) for row in rows}
    expected = {name: (sum(mentions(a, pattern) for a in corpus), len(corpus)) for name, pattern in topics.items()}
    assert got == expected


def test_matching_articles_are_exactly_those_mentioning_each_topic(default_run, corpus, topics):
    header, rows = table_with_header(default_run, "topic", "doc_id", "title", "matched")
    topic_col, title_col = header.index("topic"), header.index("title")
    listed: dict[str, set[str]] = {}
    for row in rows:
        listed.setdefault(row[topic_col], set()).add(row[title_col])
    for name, pattern in topics.items():
        expected = {a.title for a in corpus if mentions(a, pattern)}
        assert len(expected) <= 25  # headlines_per_topic: all of them are listed
        assert listed.get(name, set()) == expected, name
    titles = {title for group in listed.values() for title in group}
    assert "Bonfire night fireworks display moved to Riverside Park" not in titles
    assert "Seafood exporters win air freight deal" not in listed["Japan"]
    seed = next(a for a in corpus if a.source.startswith("seed/"))
    assert all(seed.title in listed[name] for name in topics)
    # The undated analysis piece is evidence too, though it is on no timeline.
    assert "Analysis: History keeps Seoul and Tokyo at arm's length" in listed["Japan"]


def test_trailing_headline_blocks_are_never_reported(default_run):
    texts = []
    for cell in default_run.nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            texts.append(output.get("text", ""))
            data = output.get("data", {})
            texts += [data.get("text/plain", ""), data.get("text/html", "")]
            if PLOTLY_MIME in data:
                texts.append(json.dumps(data[PLOTLY_MIME]))
    everything = "\n".join(texts)
    visible = page_without_plotlyjs(default_run.page)
    for word in SEED_TRAILER_WORDS + NORTHGATE_TRAILER_HEADLINES:
        assert word not in everything, word
        assert word.lower() not in everything.lower(), word
        assert word.lower() not in visible.lower(), word


def test_top_terms_have_no_stopwords_and_cover_every_topic(default_run, topics):
    overall = default_run.figure(TERMS_TITLE)["data"]
    assert len(overall) == 1
    per_topic = {t["name"]: t for t in default_run.figure(TOPIC_TERMS_TITLE)["data"]}
    assert sorted(per_topic) == sorted(topics)
    for trace in [*overall, *per_topic.values()]:
        terms = values(trace["y"])  # horizontal bars: terms on the y axis, counts on x
        counts = values(trace["x"])
        assert len(terms) == len(set(terms)) == 15, trace["name"]
        assert all(isinstance(n, int) and n > 0 for n in counts), trace["name"]
        assert not STOPWORDS & set(terms), (trace["name"], STOPWORDS & set(terms))
        assert all(t == t.lower() and re.fullmatch(r"\w[\w'-]*", t) for t in terms), terms
    assert {"glasgow", "climate", "japan", "korea"} <= set(values(overall[0]["y"]))
    assert {"glasgow", "climate", "cop26"} <= set(values(per_topic["Climate summit"]["y"]))
    assert {"forced", "labour"} <= set(values(per_topic["Forced labour"]["y"]))


# --------------------------------------------------------------------------------------------
# The filtered run: -p start/end/freq/outlets/title
# --------------------------------------------------------------------------------------------

FORTNIGHT = [dt.date(2021, 11, 1) + dt.timedelta(days=i) for i in range(14)]
TWO_OUTLETS = ["Daily Meridian", "Pacific Ledger Online"]


def test_filtered_run_parameters_are_typed(filtered_run):
    run = filtered_run
    assert run.done.stdout == f"{run.html_path}\n"
    # The run manifest (coverage_report.manifest.json) may sit beside them.
    assert sorted(p.name for p in run.out.iterdir() if p.name != MANIFEST) == [
        "coverage_report.html",
        "coverage_report.ipynb",
    ]
    assert run.nb.metadata.papermill.parameters == {
        "corpus": str(SAMPLE),
        "topics": str(TOPICS),
        "start": "2021-11-01",
        "end": "2021-11-14",
        "freq": "D",
        "outlets": TWO_OUTLETS,
        "title": FILTER_TITLE,
    }
    errors = [o for c in run.nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


def test_filtered_volume_has_only_those_outlets_and_days(filtered_run, corpus):
    traces = filtered_run.figure(VOLUME_TITLE)["data"]
    assert sorted(t["name"] for t in traces) == TWO_OUTLETS
    expected = Counter(
        (a.outlet, a.published.date())
        for a in corpus
        if a.published and a.outlet in TWO_OUTLETS and a.published.date() in FORTNIGHT
    )
    assert sum(expected.values()) == 10
    for trace in traces:
        # Calendar-complete: every one of the 14 days, days without articles as zero.
        assert [day(x) for x in values(trace["x"])] == FORTNIGHT
        assert values(trace["y"]) == [expected[trace["name"], d] for d in FORTNIGHT]


def test_filtered_attention_counts_by_day(filtered_run, corpus, topics):
    traces = {t["name"]: t for t in filtered_run.figure(ATTENTION_TITLE)["data"]}
    assert list(traces) == list(topics)
    selected = [
        a
        for a in corpus
        if a.published and a.outlet in TWO_OUTLETS and a.published.date() in FORTNIGHT
    ]
    for name, pattern in topics.items():
        assert [day(x) for x in values(traces[name]["x"])] == FORTNIGHT
        counts = Counter(a.published.date() for a in selected if mentions(a, pattern))
        assert values(traces[name]["y"]) == [counts[d] for d in FORTNIGHT], name
    # Hand-checked: on 2 November, three climate pieces (two Daily Meridian, one Pacific Ledger).
    assert values(traces["Climate summit"]["y"])[1] == 3

    header, rows = table_with_header(filtered_run, "n_total", "South Korea")
    totals = Counter(a.published.date() for a in selected)
    assert [row[0] for row in rows] == [f"{d} 00:00:00+00:00" for d in FORTNIGHT]
    assert [int(row[-1]) for row in rows] == [totals[d] for d in FORTNIGHT]


def test_filtered_report_names_only_the_selected_outlets(filtered_run):
    page = page_without_plotlyjs(filtered_run.page)
    # The title parameter is escaped in the heading and the page title.
    assert "<h1>Glasgow fortnight &amp; &lt;Seoul&gt;</h1>" in page
    assert "<title>Glasgow fortnight &amp; &lt;Seoul&gt;</title>" in page
    assert FILTER_TITLE not in page
    assert "10 articles selected of 51 loaded" in page
    for outlet in set(OUTLETS) - set(TWO_OUTLETS):
        assert outlet not in page, outlet
        for fragment in filtered_run.html_outputs():
            assert outlet not in fragment


def test_outlets_can_also_be_given_comma_separated():
    # Parsing the -p text is what the command line does before any kernel starts.
    from toolkit.report import notebook_parameters

    outlets = notebook_parameters(NOTEBOOK)["outlets"]
    as_json = outlets.parse('["Daily Meridian","Pacific Ledger Online"]')
    assert as_json == TWO_OUTLETS
    assert outlets.parse("Daily Meridian,Pacific Ledger Online") == as_json
    assert outlets.parse("Daily Meridian, Pacific Ledger Online") == as_json


# --------------------------------------------------------------------------------------------
# Failures and the command line's help
# --------------------------------------------------------------------------------------------


def test_missing_corpus_fails_naming_the_path(tmp_path):
    out = tmp_path / "out"
    done = toolkit(
        "report",
        "coverage",
        "--corpus",
        "no_such_corpus",
        "--topics",
        str(TOPICS),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode in (2, 3), done.stderr
    assert done.stdout == ""
    # One message from the toolkit, the last line. (The kernel shares our stderr: under load,
    # jupyter_client's interrupt-on-shutdown can make ipykernel log "[IPKernelApp] ERROR |
    # KeyboardInterrupt caught in kernel." first; that noise is reported, not asserted on.)
    messages = [line for line in done.stderr.splitlines() if line.startswith("toolkit:")]
    assert len(messages) == 1 and done.stderr.splitlines()[-1] == messages[0], done.stderr
    message = messages[0]
    assert str(tmp_path / "no_such_corpus") in message
    assert "Traceback" not in done.stderr
    assert not (out / "coverage_report.html").exists()
    if done.returncode == 3:
        # It failed inside the kernel: the message names the cell, the notebook is kept.
        assert message.startswith("toolkit: report failed: Report 'coverage_report' failed")
        assert re.search(r"in cell \d+ of coverage_report\.ipynb", message)
        assert "LoadError" in message and "does not exist" in message
        failed = out / "coverage_report.failed.ipynb"
        assert str(failed) in message
        assert sorted(p.name for p in out.iterdir()) == ["coverage_report.failed.ipynb"]
        nb = nbformat.read(failed, as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert [o.ename for o in errors] == ["LoadError"]
    else:
        assert message.startswith("toolkit: error:")
        assert not out.exists() or not list(out.iterdir())


def test_unknown_parameter_exits_2_before_any_kernel_starts(tmp_path):
    out = tmp_path / "out"
    started = time.perf_counter()
    done = toolkit("report", "coverage", "-p", "colour=red", "--out", str(out))
    elapsed = time.perf_counter() - started
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "colour" in done.stderr and "'red'" in done.stderr
    for name in PARAMETERS:
        assert f"'{name}'" in done.stderr, name
    assert not out.exists()  # run_report creates the folder before it starts a kernel
    assert elapsed < 10


def test_report_list_shows_coverage_with_its_description():
    done = toolkit("report", "list")
    assert done.returncode == 0, done.stderr
    source = nbformat.read(NOTEBOOK, as_version=4)
    first_markdown = next(c for c in source.cells if c.cell_type == "markdown")
    description = next(
        line.strip("# ").strip() for line in first_markdown.source.splitlines() if line.strip()
    )
    lines = [line for line in done.stdout.splitlines() if line.split()[:1] == ["coverage"]]
    assert len(lines) == 1
    assert lines[0].split(None, 1)[1] == description
    assert "news corpus" in description


def test_report_help_lists_the_parameters():
    done = toolkit("report", "coverage", "--help")
    assert done.returncode == 0, done.stderr
    listed = re.findall(r"^\s+(\w+): ", done.stdout, re.MULTILINE)
    assert listed == PARAMETERS
    assert 'freq: Literal["D", "W", "M", "Q", "Y"] = "W"' in done.stdout
    assert "top_n: int = 15" in done.stdout


# --------------------------------------------------------------------------------------------
# Headless Chromium with the network blocked
# --------------------------------------------------------------------------------------------




@needs_chromium
@pytest.mark.parametrize("which", ["default_run", "filtered_run"])
def test_every_figure_renders_in_headless_chromium_offline(request, which, tmp_path):
    run: Run = request.getfixturevalue(which)
    dom = chromium_dom(run.html_path, tmp_path)
    figures = run.figures()
    # Elements plotly.js creates when it draws (the page source has none of them).
    assert run.page.count('class="plot-container plotly"') == 0
    assert dom.count('class="plot-container plotly"') == len(figures)
    assert dom.count('<svg class="main-svg"') >= len(figures)
    for i in range(1, len(figures) + 1):
        assert re.search(
            rf'<div [^>]*\bid="toolkit-figure-{i}"[^>]*>\s*<div class="plot-container plotly"', dom
        ), i
    for figure in figures:
        assert 'class="gtitle"' in dom
        assert f'data-unformatted="{attribute(figure_title(figure))}"' in dom
    outlets = OUTLETS if which == "default_run" else TWO_OUTLETS
    for outlet in outlets:
        assert f'data-unformatted="{outlet}"' in dom, outlet




# --------------------------------------------------------------------------------------------
# The sections added for the report suite: summary, data quality, outlets, tone, evidence
# --------------------------------------------------------------------------------------------

Z95 = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson interval from the textbook formula (independent of toolkit.coverage)."""
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * (p * (1 - p) / n + Z95**2 / (4 * n * n)) ** 0.5 / (1 + Z95**2 / n)
    return centre - half, centre + half


def markdown_outputs(run: Run) -> list[str]:
    return [
        output.data["text/markdown"]
        for cell in run.nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "text/markdown" in output.get("data", {})
    ]


def test_summary_opens_the_report_with_hand_computed_sentences(default_run, corpus, topics):
    (summary,) = markdown_outputs(default_run)
    lines = summary.splitlines()
    reach = sorted(((sum(mentions(a, p) for a in corpus), name) for name, p in topics.items()),
                   key=lambda x: -x[0])  # stable: dictionary order on ties
    parts = [f"{k} ({100 * k / 51:.1f}%) “{name}”" for k, name in reach]
    assert lines[0] == (
        f"- Of the 51 articles, {parts[0].replace(' “', ' mention “')}, {', '.join(parts[1:-1])} "
        f"and {parts[-1]}."
    )
    assert lines[0].startswith("- Of the 51 articles, 20 (39.2%) mention “Climate summit”, 18 (35.3%)")
    climate = topics["Climate summit"]
    k = sum(mentions(a, climate) for a in corpus if a.outlet == "Daily Meridian")
    n = sum(a.outlet == "Daily Meridian" for a in corpus)
    total = sum(mentions(a, climate) for a in corpus)
    assert (k, n, total) == (10, 12, 20)
    assert wilson(k, n)[0] > wilson(total - k, 51 - n)[1]  # intervals apart: a claim is allowed
    assert (
        "- Daily Meridian gave “Climate summit” 83.3% of its coverage (10 of 12 articles), more "
        "than twice the corpus average (39.2%)."
    ) in lines
    # The one-article outlet is never the subject of a comparison.
    assert "Free Press Journal" not in summary
    # It is the first output after the title: the summary opens the report.
    page = page_without_plotlyjs(default_run.page)
    assert page.index("more than twice the corpus average") < page.index("toolkit-quality")
    assert page.index("toolkit-quality") < page.index("toolkit-figure-1")


def test_every_chart_has_a_caption_naming_its_denominator():
    source = nbformat.read(NOTEBOOK, as_version=4)
    cells = source.cells
    charts = [i for i, c in enumerate(cells) if c.cell_type == "code" and re.search(r"_chart\(|heatmap\(", c.source)]
    assert len(charts) >= 11
    for i in charts:
        caption = cells[i + 1]
        assert caption.cell_type == "markdown" and caption.source.startswith("*"), cells[i].source
        assert len(caption.source.splitlines()) == 1
        assert re.search(r"; denominators?\b", caption.source), caption.source


def test_new_sections_are_present(default_run, corpus, topics):
    titles = [figure_title(f) for f in default_run.figures()]
    for expected in [
        "Where each topic's articles appeared, by outlet",
        "Share of each outlet's articles mentioning each topic",
        "Where the topic appears in the matching articles",
        "Topics mentioned in the same articles (Jaccard index)",
        "Tone of the sentences mentioning each topic",
        "Tone of the sentences mentioning each topic, by outlet",
        *[f"Distinctive terms: {name}" for name in topics],
    ]:
        assert expected in titles, expected
    header, rows = table_with_header(default_run, "outlet", "kind", "source", "n_articles", "share")
    assert rows
    heatmap = default_run.figure("Share of each outlet's articles mentioning each topic")["data"][0]
    assert sorted(values(heatmap["y"]) + values(heatmap["x"])) == sorted(OUTLETS + list(topics))


def test_keywords_in_context_are_escaped_evidence(default_run, topics):
    page = page_without_plotlyjs(default_run.page)
    for name in topics:
        assert f"<h4>{html.escape(name)}</h4>" in page
    kwic_tables = [
        table
        for fragment in default_run.html_outputs()
        for table in html_tables(fragment)
        if table and table[0][0] and {"left", "match", "right"} <= set(table[0][1])
    ]
    assert len(kwic_tables) == len(topics)
    for (include, _), table in zip(topics.values(), kwic_tables, strict=True):
        header = table[0][1]
        rows = [cells for is_head, cells in table if not is_head]
        assert 1 <= len(rows) <= 10
        for row in rows:
            assert include.fullmatch(row[header.index("match")]), row


def test_data_quality_panel_is_shown(default_run):
    panel = [h for h in default_run.html_outputs() if "toolkit-quality" in h]
    assert len(panel) == 1
    assert "undated" in panel[0]

class ReportRun:
    """An executed report (notebook, HTML page, CLI result) with lookups into its outputs."""

    def __init__(self, out, done, name="coverage_report"):
        self.out = out
        self.done = done
        self.nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        self.page = (out / f"{name}.html").read_text(encoding="utf-8")

    def outputs(self, mime: str) -> list:
        return [
            o.data[mime]
            for c in self.nb.cells
            if c.cell_type == "code"
            for o in c.outputs
            if mime in o.get("data", {})
        ]

    def figures(self) -> list[dict]:
        return self.outputs(PLOTLY_MIME)

    def figure(self, title: str) -> dict:
        found = [f for f in self.figures() if figure_title(f) == title]
        assert len(found) == 1, [figure_title(f) for f in self.figures()]
        return found[0]

    def table(self, *columns: str) -> tuple[list[str], list[list[str]]]:
        found = []
        for fragment in self.outputs("text/html"):
            for table in html_tables(fragment):
                header = [cells for head, cells in table if head]
                if header and all(c in header[0] for c in columns):
                    found.append((header[0], [cells for head, cells in table if not head]))
        assert len(found) == 1, f"{len(found)} tables with {columns}"
        return found[0]
