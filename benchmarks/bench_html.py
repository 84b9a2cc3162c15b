"""Benchmark the HTML reader's body and metadata against expected output, next to the alternatives.

For the two HTML test corpora in ``../shared/corpora``:

- ``readability-news-html``: ``test-pages/<name>/source.html`` against the text of
  ``expected.html`` and ``expected-metadata.json`` (title, byline, lang, publishedTime);
- ``newspaper4k-html``: ``tests/data/html/<name>.html`` against ``txt/<name>.txt`` and, for 20
  pages, ``metadata/<name>.json`` (title, authors, publish_date, language);

it prints, per page and as means (English pages and all pages), the token-level precision,
recall and F1 of the body (bag of lower-cased word tokens, ``\\w+``; overlap counted with
multiplicity) for three methods run in the same process:

- ``ours``: :func:`toolkit.load.html.read_html` (trafilatura without comments, readability
  fallback, our metadata);
- ``trafilatura``: ``trafilatura.bare_extraction(html, with_metadata=True)`` with its defaults
  (what a user calling trafilatura directly gets; comments included);
- ``readability``: ``readability.Document(html).summary()`` as text, and its ``.title()``.

and the agreement rates of title (normalised equality), date (same instant when both have a
time and zone, else the same calendar day as written) and byline (same set of names / at least one name in common) where the expected
metadata has a value. The expected outputs are other tools' (Readability.js, newspaper), not
human gold: read the worst pages before "fixing" anything. Usage::

    .venv/bin/python benchmarks/bench_html.py [--corpora PATH] [--pages] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
METHODS = ("ours", "ours-trafilatura", "trafilatura", "readability")


@dataclass
class Page:
    corpus: str
    name: str
    source: Path
    expected_text: str | None
    lang: str | None
    title: str | None = None
    date: str | None = None
    byline: list[str] = field(default_factory=list)


def _html_text(path: Path) -> str:
    from toolkit.load.html import html_to_paragraphs

    return html_to_paragraphs(path.read_text(encoding="utf-8"))


def _detect(text: str) -> str | None:
    import py3langid

    return py3langid.classify(text[:5000])[0] if text and text.strip() else None


def readability_pages(root: Path) -> Iterator[Page]:
    for folder in sorted((root / "test-pages").iterdir()):
        meta = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        expected = _html_text(folder / "expected.html")
        lang = (meta.get("lang") or "").split("-")[0].lower() or _detect(expected)
        byline = meta.get("byline")
        yield Page("readability", folder.name, folder / "source.html", expected, lang,
                   meta.get("title"), meta.get("publishedTime"), [byline] if byline else [])


#: newspaper4k pages whose expected text is, on inspection, not the article, listed with the
#: reason. The summary prints means with and without them ("clean" rows).
NOT_THE_ARTICLE = {
    "newspaper4k/elle.com1": "expected text is the newsletter sign-up box",
    "newspaper4k/architecturaldigest.com2": "expected text is the newsletter sign-up box",
    "newspaper4k/backstage.com1": "expected text is a 'notice under review' banner",
    "newspaper4k/pixelmonkey.org2": "expected text is a test author's note",
    "newspaper4k/cntraveler.com1": "slideshow: expected text is the first of many slides",
    "newspaper4k/cntraveler.com2": "slideshow: expected text is the first of many slides",
}


def _is_note(text: str) -> bool:
    """newspaper4k's txt files for pages it fails on hold a test author's note in capitals
    ("MISSED LAST PARAGRAPH") or nothing: no reference text to score against."""
    letters = [c for c in text if c.isalpha()]
    return not letters or (len(text) < 300 and sum(c.isupper() for c in letters) >= 0.9 * len(letters))


def newspaper_pages(root: Path) -> Iterator[Page]:
    data = root / "tests" / "data"
    for html in sorted((data / "html").glob("*.html")):
        txt = data / "txt" / (html.stem + ".txt")
        expected = txt.read_text(encoding="utf-8") if txt.is_file() else None
        if expected is not None and _is_note(expected):
            expected = None
        meta_path = data / "metadata" / (html.stem + ".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        lang = meta.get("language") or (_detect(expected) if expected else None)
        authors = meta.get("authors") or []
        if isinstance(authors, str):  # one fixture stores the list's repr
            authors = re.findall(r"'([^']+)'", authors)
        yield Page("newspaper4k", html.stem, html, expected, lang, meta.get("title"),
                   meta.get("publish_date"), list(authors))


# --------------------------------------------------------------------------- methods

def run_ours(path: Path, **options: Any) -> dict[str, Any]:
    from toolkit.errors import LoadError
    from toolkit.load.html import read_html
    from toolkit.load.registry import ReadContext

    ctx = ReadContext(path=path, root=path.parent, options=options)
    try:
        rec = next(iter(read_html(path, ctx)))
    except LoadError as exc:
        return {"text": "", "error": exc.reason}
    return {"text": rec["text"], "title": rec["title"], "date": rec["published"],
            "byline": (rec["byline"] or "").split("; ") if rec["byline"] else [],
            "extractor": rec["extractor"], "lang": rec["lang"]}


def run_trafilatura(path: Path) -> dict[str, Any]:
    from trafilatura import bare_extraction

    doc = bare_extraction(path.read_text(encoding="utf-8", errors="replace"), with_metadata=True)
    if doc is None:
        return {"text": ""}
    return {"text": doc.text or "", "title": doc.title, "date": doc.date,
            "byline": (doc.author or "").split("; ") if doc.author else []}


def run_readability(path: Path) -> dict[str, Any]:
    import lxml.html
    from readability import Document

    doc = Document(path.read_text(encoding="utf-8", errors="replace"))
    try:
        text = lxml.html.fromstring(doc.summary()).text_content()
    except Exception:  # noqa: BLE001 - readability's Unparseable and lxml errors alike: no body
        text = ""
    return {"text": text, "title": doc.title(), "date": None, "byline": []}


RUNNERS = {"ours": run_ours,
           "ours-trafilatura": lambda path: run_ours(path, html_extractor="trafilatura"), "trafilatura": run_trafilatura, "readability": run_readability}


# --------------------------------------------------------------------------- scores

def prf(ours: str, expected: str) -> tuple[float, float, float]:
    got = Counter(re.findall(r"\w+", ours.lower()))
    want = Counter(re.findall(r"\w+", expected.lower()))
    overlap = sum((got & want).values())
    p = overlap / sum(got.values()) if got else 0.0
    r = overlap / sum(want.values()) if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _norm(text: str | None) -> str:
    text = (text or "").translate(str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014\u00a0", "''\"\"-- "))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _same_date(got: str | None, want: str | None) -> bool:
    """Same instant when both carry a time and a zone (2017-02-24T01:18:13Z is
    2017-02-23T17:18:13-08:00), else the same calendar day as written."""
    if not got or not want:
        return False
    from dateutil import parser

    try:
        a, b = parser.isoparse(got.strip()), parser.isoparse(want.strip())
    except (ValueError, OverflowError):
        try:
            a, b = parser.parse(got), parser.parse(want)
        except (ValueError, OverflowError):
            return False
    if a.tzinfo is not None and b.tzinfo is not None and (a.time(), b.time()) != (dt.time(), dt.time()):
        return abs((a - b).total_seconds()) < 60
    return a.date() == b.date()


def _names(values: list[str]) -> set[str]:
    out = set()
    for value in values:
        for name in re.split(r"\s*(?:;|,|\band\b|&)\s*", value or "", flags=re.I):
            name = re.sub(r"(?i)^by\s+", "", name)
            words = " ".join(re.findall(r"\w+", name.casefold()))
            if words:
                out.add(words)
    return out


def score(page: Page, got: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if page.expected_text is not None:
        row["p"], row["r"], row["f1"] = prf(got.get("text") or "", page.expected_text)
    if page.title:
        row["title_ok"] = _norm(got.get("title")) == _norm(page.title)
    if page.date:
        row["date_ok"] = _same_date(got.get("date"), page.date)
    if page.byline:
        want, have = _names(page.byline), _names(got.get("byline") or [])
        row["byline_ok"] = want == have
        row["byline_overlap"] = bool(want & have)
    return row


def _mean(rows: list[dict], key: str) -> str:
    values = [float(r[key]) for r in rows if key in r]
    return f"{statistics.fmean(values):.3f} (n={len(values)})" if values else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--pages", action="store_true", help="print one line per page and method")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--json", type=Path, help="also save every page's figures here")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    folders = {"readability": args.corpora / "readability-news-html",
               "newspaper4k": args.corpora / "newspaper4k-html"}
    missing = [str(p) for p in folders.values() if not p.is_dir()]
    if missing:
        print(f"corpora not found: {', '.join(missing)} (pass --corpora PATH)", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    import logging

    logging.disable(logging.WARNING)  # trafilatura and readability log every short page
    pages = [*readability_pages(folders["readability"]), *newspaper_pages(folders["newspaper4k"])]
    print(f"# bench_html: {len(pages)} pages; python {platform.python_version()}, "
          f"{platform.machine()}, trafilatura {version('trafilatura')}, "
          f"readability-lxml {version('readability-lxml')}, htmldate {version('htmldate')}")
    results: list[dict[str, Any]] = []
    for page in pages:
        for method in methods:
            start = time.perf_counter()
            got = RUNNERS[method](page.source)
            seconds = time.perf_counter() - start
            row = {"corpus": page.corpus, "page": page.name, "lang": page.lang, "method": method,
                   "seconds": seconds, "extractor": got.get("extractor"), "error": got.get("error"),
                   **score(page, got)}
            results.append(row)
            if args.pages:
                f1 = f"{row['f1']:.3f}" if "f1" in row else "  -  "
                p = f"{row['p']:.3f}" if "p" in row else "  -  "
                r = f"{row['r']:.3f}" if "r" in row else "  -  "
                print(f"{page.corpus:12} {page.name:32.32} {str(page.lang):3} {method:12} "
                      f"P {p} R {r} F1 {f1} {seconds * 1000:7.0f} ms "
                      f"{row.get('extractor') or ''} {row.get('error') or ''}", flush=True)
    print()
    header = (f"{'corpus':12} {'pages':6} {'method':12} {'P':>18} {'R':>18} {'F1':>18} {'title':>18} "
              f"{'date':>18} {'byline (same)':>18} {'byline (overlap)':>18} {'ms/page':>8}")
    titles = {"en": "English pages", "all": "all pages",
              "en-clean": f"English pages without the {len(NOT_THE_ARTICLE)} whose reference is not the article",
              "all-clean": f"all pages without the {len(NOT_THE_ARTICLE)} whose reference is not the article"}
    for subset, title in titles.items():
        print(f"## {title}")
        print(header)
        for corpus in ("readability", "newspaper4k", "both"):
            for method in methods:
                rows = [r for r in results if r["method"] == method
                        and (corpus == "both" or r["corpus"] == corpus)
                        and (not subset.startswith("en") or r["lang"] == "en")
                        and not (subset.endswith("clean") and f"{r['corpus']}/{r['page']}" in NOT_THE_ARTICLE)]
                ms = statistics.fmean(r["seconds"] for r in rows) * 1000 if rows else 0
                n_pages = len({(r["corpus"], r["page"]) for r in rows})
                print(f"{corpus:12} {n_pages:<6} {method:12} {_mean(rows, 'p'):>18} {_mean(rows, 'r'):>18} "
                      f"{_mean(rows, 'f1'):>18} {_mean(rows, 'title_ok'):>18} {_mean(rows, 'date_ok'):>18} "
                      f"{_mean(rows, 'byline_ok'):>18} {_mean(rows, 'byline_overlap'):>18} {ms:8.0f}")
        print()
    ours = [r for r in results if r["method"] == "ours"]
    if ours:
        used = Counter(r["extractor"] or "skipped" for r in ours)
        print("ours: bodies by", ", ".join(f"{k} {v}" for k, v in used.most_common()))
        skipped = [f"{r['corpus']}/{r['page']}" for r in ours if r["error"]]
        print(f"ours: skipped pages ({len(skipped)}):", ", ".join(skipped) or "none")
        worst = sorted((r for r in ours if "f1" in r and r["lang"] == "en"), key=lambda r: r["f1"])[:10]
        print("ours: worst English pages by F1:",
              ", ".join(f"{r['corpus']}/{r['page']} {r['f1']:.2f}" for r in worst))
    print("references set aside in the 'clean' rows:",
          "; ".join(f"{k} ({v})" for k, v in NOT_THE_ARTICLE.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
