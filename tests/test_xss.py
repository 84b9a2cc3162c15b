"""Hostile article text must never do anything in a report: every report, in a real browser.

A small corpus written here (no real articles) puts script tags, ``onerror`` images, ``onload``
SVGs, ``javascript:`` links, ``</textarea>``, attribute breakers, Markdown links, template
syntax and harmless ``a < b && c > d`` into titles, bodies, bylines, outlets, urls and sections,
and a topic dictionary whose names are just as hostile matches them, so the payloads reach KWIC
lines, headline tables, spike articles, sources, keyness terms, narrative sentences, chart labels
and hover texts.

A module fixture runs every report :func:`toolkit.report.list_reports` finds (real papermill and
kernel, through :func:`run_report`) on it, plus a ``--each outlet`` batch with its index page,
two at a time. Each page is then opened once in headless Chromium (network cut off) with a probe
script appended to a copy of the page; after the page's own scripts ran, the probe hovers the
first point of every trace of every figure and records what an injection would have changed:
``document.title``, ``window.__xss``, injected ``img``/``svg`` elements, ``on*`` attributes,
``javascript:`` hrefs, bold text made from data, and the page's visible text, which must show
the payloads literally. The raw HTML and the figures' JSON are checked too.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import nbformat
import pytest
import yaml
from conftest import CHROMIUM, needs_chromium

from toolkit.batch import each_runs, run_batch
from toolkit.report import list_reports, notebook_parameters, run_report
from toolkit.static import CHROMIUM_FLAGS

pytestmark = [pytest.mark.notebook]

PLOTLY_MIME = "application/vnd.plotly.v1+json"

# --- the hostile corpus -------------------------------------------------------------------------

SCRIPT = "<script>document.title='pwned';window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '<svg onload="window.__xss=1"></svg>'
JS_URL = "javascript:window.__xss=1"
TEXTAREA = "</textarea>"
ATTR = '"><b>bold</b>'
MD_LINK = "[x](javascript:window.__xss=1)"
TEMPLATE = "{{ 7*7 }} ${7*7}"
ANCHOR = '<a href="javascript:window.__xss=1">hover me</a>'  # what a plotly label link looks like
HARMLESS = "if a < b && c > d"

OUTLETS = (f"Gazette {IMG} {TEMPLATE}", f"Herald {ATTR} {MD_LINK}", f"{SCRIPT} Post")
CLIMATE = f"Climate {SCRIPT}"
TOPICS = {
    CLIMATE: ["climate", "summit"],
    f"Tech {IMG}": ["script", "onerror", "javascript"],
    f"Law {ANCHOR}": ["court", "judge"],
}
# Payloads as they must never appear in the raw HTML: as markup, outside escaped text.
LIVE_MARKUP = (SCRIPT, IMG, SVG, ANCHOR, "<b>bold</b>", "</textarea>")
# Shown literally somewhere in every report: they are in the outlet names.
IN_OUTLETS = (SCRIPT, IMG, ATTR, MD_LINK, TEMPLATE)


def hostile_articles() -> list[dict[str, str]]:
    """18 weeks of 3 articles (7 in the last two, all on the climate topic: a spike)."""
    start = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
    rows: list[dict[str, str]] = []
    for week in range(18):
        for k in range(3 if week < 16 else 7):
            climate = week >= 16 or (week + k) % 5 == 0
            i = len(rows)
            title = (f"Climate summit {SCRIPT} talks {HARMLESS}" if climate
                     else f"Court ruling {IMG} on {ANCHOR} {MD_LINK}")
            text = (
                ("The climate summit opened today" if climate else "The session opened today")
                + f", said minister {ATTR} Smith. {SCRIPT}\n\n"
                f"Delegates wrote {IMG} and {SVG} in the javascript notes {JS_URL} {TEXTAREA}. "
                f"According to Reuters, {ANCHOR} the officer said {TEMPLATE} {MD_LINK}. "
                f"Engineers argued that {HARMLESS} holds, and the panel agreed in a long paper "
                "about script onerror handlers, budgets, forests, oceans and energy. "
                + ("Climate climate summit warming emissions. " if climate else "Court judge appeal. ")
                + f"Word{i} filler sentence number {i} with several more ordinary words here."
            )
            rows.append({
                "doc_id": f"doc-{i:03d}",
                "outlet": OUTLETS[k % 3],
                "published": (start + dt.timedelta(weeks=week, hours=k)).isoformat(),
                "title": title,
                "text": text,
                "byline": f"By {SCRIPT} {IMG}",
                "url": JS_URL,
                "section": f"World {SVG}",
            })
    return rows


def _parameters(name: str, corpus: Path, topics: Path) -> dict[str, object]:
    declared = notebook_parameters(name)
    chosen: dict[str, object] = {}
    for key, value in (("corpus", str(corpus)), ("topics", str(topics)), ("topic", CLIMATE),
                       ("target_outlet", OUTLETS[0]), ("title", f"Report {SCRIPT}")):
        if key in declared:
            chosen[key] = value
    return chosen


def _run_one(name: str, corpus: str, topics: str, out: str) -> tuple[str, list[str], str | None]:
    """One report, or the batch when ``name`` is "batch"; (name, HTML pages, error)."""
    try:
        if name == "batch":
            runs = each_runs("corpus_overview", "outlet", parameters={"corpus": corpus})
            # One run (the "<script>" outlet, as label and file name) keeps the test short.
            chosen = [run for run in runs if run.label == OUTLETS[2]]
            result = run_batch("corpus_overview", chosen, out=Path(out) / "batch", jobs=1)
            pages = [str(result.index)] + [str(o.html) for o in result.outcomes if o.html]
            errors = [f"{o.run.label}: {o.status} {o.reason}" for o in result.outcomes if o.status != "ok"]
            return name, pages, "; ".join(errors) or None
        result = run_report(name, parameters=_parameters(name, Path(corpus), Path(topics)), out=out)
        return name, [str(result.notebook), str(result.html)], None
    except Exception as exc:  # reported by the test of this report, not by the fixture
        return name, [], f"{type(exc).__name__}: {exc}"


REPORTS = [info.name for info in list_reports()]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "hostile.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in hostile_articles()), encoding="utf-8")
    topics = folder / "hostile_topics.yaml"
    topics.write_text(yaml.safe_dump(TOPICS, allow_unicode=True), encoding="utf-8")
    return corpus, topics


@pytest.fixture(scope="module")
def runs(hostile, tmp_path_factory) -> dict[str, tuple[list[Path], str | None]]:
    corpus, topics = hostile
    out = tmp_path_factory.mktemp("xss-reports")
    names = ["batch", *REPORTS]  # the batch is the longest: start it first
    with ProcessPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(_run_one, names, [str(corpus)] * len(names), [str(topics)] * len(names),
                             [str(out)] * len(names)))
    return {name: ([Path(p) for p in pages], error) for name, pages, error in done}


def _pages(runs, name: str) -> list[Path]:
    pages, error = runs[name]
    assert error is None, f"{name!r} failed on the hostile corpus: {error}"
    return pages


# --- the browser probe --------------------------------------------------------------------------

# Appended to a copy of each page: after the page's scripts ran, hover the first point of every
# trace of every plotly figure (one at a time: plotly throttles hovers), then record the findings
# in a <template> element that --dump-dom prints.
_PROBE = r"""
<script>
window.addEventListener("load", function () {
  var figures = Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot"));
  var hovers = [], steps = [];
  figures.forEach(function (gd) {
    (gd.data || []).forEach(function (trace, i) {
      var n = trace.z ? [0, 0] : 0;
      steps.push(function () {
        try { Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: n}]); } catch (e) { return; }
        var layer = gd.querySelector(".hoverlayer");
        if (layer) { hovers.push(layer.textContent); }
      });
    });
  });
  function boldFromData() {
    var found = [];
    document.querySelectorAll("b, strong, tspan").forEach(function (el) {
      var bold = el.tagName.toLowerCase() !== "tspan" || /bold/.test(el.getAttribute("style") || "");
      if (bold && el.textContent.trim() === "bold") { found.push(el.tagName); }
    });
    return found;
  }
  function finish() {
    var hrefs = [], handlers = [];
    document.querySelectorAll("*").forEach(function (el) {
      for (var i = 0; i < el.attributes.length; i++) {
        var a = el.attributes[i];
        if (/^on/i.test(a.name)) { handlers.push(el.tagName + " " + a.name); }
        if (/(^|:)href$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) { hrefs.push(el.tagName + " " + a.value); }
      }
    });
    var result = {
      title: document.title, xss: typeof window.__xss,
      img_x: document.querySelectorAll("img[src=x]").length,
      svg_onload: document.querySelectorAll("svg[onload]").length,
      handlers: handlers, javascript_hrefs: hrefs, bold: boldFromData(),
      hover_links: document.querySelectorAll(".hoverlayer a").length,
      n_figures: figures.length, n_hovers: hovers.length, hovers: hovers,
      text: document.body.innerText,
      svg_text: Array.prototype.map.call(document.querySelectorAll("svg.main-svg"),
                                         function (s) { return s.textContent; }).join("\n")
    };
    var out = document.createElement("template");
    out.id = "xss-probe-result";
    out.setAttribute("data-result", JSON.stringify(result));
    document.documentElement.appendChild(out);
  }
  var k = 0;
  function next() {
    if (k < steps.length) { steps[k++](); setTimeout(next, 120); } else { finish(); }
  }
  setTimeout(next, 0);
});
</script>
"""


def _probe(page: Path) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="xss-probe-"))
    copy = page.with_name(f".{page.stem}.probe.html")
    source = page.read_text(encoding="utf-8")
    at = source.rfind("</body>")
    copy.write_text(source[:at] + _PROBE + source[at:] if at >= 0 else source + _PROBE, encoding="utf-8")
    command = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={work}", "--virtual-time-budget=60000",
               "--dump-dom", copy.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240)
    found = re.search(r'<template id="xss-probe-result" data-result="([^"]*)"', done.stdout)
    assert found, f"the probe did not report for {page.name}: {done.stderr[-2000:]}"
    result = json.loads(html.unescape(found.group(1)))
    result["raw_title"] = html.unescape(re.search(r"<title>(.*?)</title>", source, re.S).group(1))
    return result


@pytest.fixture(scope="module")
def probed(runs) -> dict[Path, dict[str, Any]]:
    pages = [p for pages, _ in runs.values() for p in pages if p.suffix == ".html"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(pages, pool.map(_probe, pages), strict=True))


def _assert_inert(result: dict[str, Any], page: Path) -> None:
    where = page.name
    assert result["xss"] == "undefined", f"{where}: an injected script ran (window.__xss is set)"
    assert result["title"] == result["raw_title"] != "pwned", f"{where}: the title changed"
    assert result["img_x"] == 0, f"{where}: an injected <img src=x> exists"
    assert result["svg_onload"] == 0, f"{where}: an injected <svg onload> exists"
    assert result["handlers"] == [], f"{where}: elements with event-handler attributes: {result['handlers'][:5]}"
    assert result["javascript_hrefs"] == [], f"{where}: javascript: links: {result['javascript_hrefs'][:5]}"
    assert result["bold"] == [], f"{where}: '<b>bold</b>' from the data was rendered as bold text"
    assert result["hover_links"] == 0, f"{where}: a hover label contains a link"


# --- tests ---------------------------------------------------------------------------------------


def test_the_hostile_corpus_reaches_every_kind_of_output(hostile):
    import toolkit as tk

    corpus, topics = hostile
    articles = tk.load_corpus(corpus, progress=False)
    assert len(articles) == 62 and set(articles["outlet"]) == set(OUTLETS)
    assert articles["title"].str.contains(SCRIPT, regex=False).any()
    assert (articles["url"] == JS_URL).all() and (articles["byline"].str.contains(IMG, regex=False)).all()
    dictionary = tk.load_topics(topics)
    matches = tk.match_topics(articles, dictionary)
    assert set(matches["topic"]) == set(TOPICS)
    spikes = tk.detect_spikes(tk.attention(articles, matches, freq="W"))
    assert spikes.loc[spikes["is_spike"], "topic"].eq(CLIMATE).any()  # spike articles are listed
    lines = tk.kwic(articles, "climate")
    assert lines["right"].str.contains("<script>", regex=False).any()  # KWIC lines carry markup


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_runs_on_the_hostile_corpus(runs, name):
    notebook, page = _pages(runs, name)
    assert notebook.is_file() and page.is_file()


@pytest.mark.parametrize("name", REPORTS)
def test_raw_html_has_no_live_payload(runs, name):
    _, page = _pages(runs, name)
    source = page.read_text(encoding="utf-8")
    for payload in LIVE_MARKUP:
        assert payload not in source, f"{name}: {payload!r} is in the HTML as markup"
    assert not re.search(r"<a\b[^>]*\bhref\s*=\s*[\"']?\s*javascript:", source, re.I), name
    assert not re.search(r"<[a-z]+\b[^>]*\son[a-z]+\s*=\s*[\"']?window\.__xss", source, re.I), name
    # The payload does reach the page, as text or as script data escaped so that no "</script"
    # can end the element early: figures' JSON writes "<" as \u003c.
    assert html.escape(SCRIPT, quote=False) in source or "\\u003cscript\\u003e" in source
    # Script elements holding article text hold it as JSON without a single "<".
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", source, re.S | re.I):
        assert "__xss" not in script or "<" not in script, f"{name}: {script[:200]!r}"


@pytest.mark.parametrize("name", REPORTS)
def test_figures_carry_no_markup_from_the_data(runs, name):
    notebook, _ = _pages(runs, name)
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    nb = nbformat.read(notebook, as_version=4)
    figures = [output["data"][PLOTLY_MIME] for cell in nb.cells if cell.cell_type == "code"
               for output in cell.get("outputs", []) if PLOTLY_MIME in output.get("data", {})]
    assert figures, f"{name}: no figures to check"
    for figure in figures:
        walk(figure)
    markup = [s for s in strings if re.search(r"<(script|img|svg|a\s)|<b>bold", s, re.I)]
    assert not markup, f"{name}: figure texts with markup from the data: {markup[:3]}"
    assert any(html.escape(SCRIPT, quote=False) in s for s in strings), f"{name}: outlet names not in figures?"


@needs_chromium
@pytest.mark.parametrize("name", REPORTS)
def test_report_in_chromium_runs_no_injected_code_and_shows_the_text(runs, probed, name):
    _, page = _pages(runs, name)
    result = probed[page]
    _assert_inert(result, page)
    text = result["text"]
    missing = [p for p in IN_OUTLETS if p not in text]
    assert not missing, f"{name}: not shown literally in the page text: {missing}"
    assert result["n_figures"] > 0 and result["n_hovers"] > 0
    # Chart labels and hover labels show the outlet names literally, markup and all.
    assert any(p in result["svg_text"] for p in (SCRIPT, IMG, f"Herald {ATTR}")), name
    assert any(p in hover for hover in result["hovers"] for p in OUTLETS + tuple(TOPICS)), (
        f"{name}: no hover label shows an outlet or topic literally: {result['hovers'][:3]}")
    if name != "corpus_overview":  # the topic reports list headlines and KWIC lines
        assert f"Law {ANCHOR}" in text or CLIMATE in text


@needs_chromium
def test_batch_index_and_its_reports_are_inert(runs, probed):
    pages = _pages(runs, "batch")
    index, reports = pages[0], pages[1:]
    assert index.name == "index.html" and len(reports) == 1
    for page in pages:
        _assert_inert(probed[page], page)
    assert OUTLETS[2] in probed[index]["text"], probed[index]["text"][:500]
    source = index.read_text(encoding="utf-8")
    for payload in LIVE_MARKUP:
        assert payload not in source
    # Output names are safe slugs inside the batch folder, whatever the outlet name.
    for page in reports:
        assert page.parent == index.parent and re.fullmatch(r"[a-z0-9-]+\.html", page.name), page.name
    for page in reports:
        assert any(p in probed[page]["text"] for p in IN_OUTLETS)


@needs_chromium
def test_static_svg_figures_hold_text_not_markup(runs, tmp_path):
    pytest.importorskip("kaleido", reason="kaleido (the 'static' extra) is not installed")
    from toolkit.static import export_static

    notebook, _ = _pages(runs, "topic_deep_dive")
    written = export_static(notebook, tmp_path / "static", formats="svg")
    assert written
    for svg in written:
        root = ElementTree.parse(svg).getroot()
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject", "img", "image"), f"{svg.name}: <{tag}>"
            for attribute, value in element.attrib.items():
                name = attribute.rsplit("}", 1)[-1]
                assert not name.lower().startswith("on"), f"{svg.name}: {name}={value!r}"
                assert not (name == "href" and value.strip().lower().startswith("javascript:")), svg.name
        # The names are drawn as text, markup and all.
        text = "".join(root.itertext())
        assert SCRIPT in text or IMG in text or ATTR in text, svg.name
