"""The readers that ship with the toolkit, registered when ``toolkit.load`` is imported."""

from __future__ import annotations

from toolkit.load import tabular
from toolkit.load.registry import readers, register_reader
from toolkit.load.scraped import read_scraped


# The HTML and Reuters readers import heavy libraries (trafilatura, lxml): import them when a
# file of theirs is first read, not when toolkit.load is imported.
def _read_html(path, ctx):  # noqa: ANN001, ANN202
    from toolkit.load.html import read_html

    return read_html(path, ctx)


def _sniff_html(path, head):  # noqa: ANN001, ANN202
    from toolkit.load.html import sniff_html

    return sniff_html(path, head)


def _read_reuters(path, ctx):  # noqa: ANN001, ANN202
    from toolkit.load.reuters import read_reuters

    return read_reuters(path, ctx)


def _sniff_reuters(path, head):  # noqa: ANN001, ANN202
    from toolkit.load.reuters import sniff_reuters

    return sniff_reuters(path, head)


_BUILTIN = [
    ("scraped", read_scraped, [".txt", ".text"], None,
     "scraped plain-text pages (headline, optional byline/date lines, body)"),
    ("csv", tabular.read_csv, [".csv", ".tsv"], None, "CSV/TSV export, one article per row"),
    ("json", tabular.read_json, [".json"], None, "JSON: an array of article objects, one object, or a wrapper"),
    ("jsonl", tabular.read_jsonl, [".jsonl", ".ndjson"], None, "JSON Lines: one article object per line"),
    ("parquet", tabular.read_parquet, [".parquet", ".pq"], tabular._sniff_parquet,
     "Parquet table, one article per row"),
    ("html", _read_html, [".html", ".htm", ".xhtml", ".html.gz", ".htm.gz"], _sniff_html,
     "HTML article pages: body by trafilatura (readability fallback), metadata from meta tags/JSON-LD"),
    ("reuters", _read_reuters, [".sgm"], _sniff_reuters,
     "Reuters-21578 SGML files, 1,000 stories each, with topic/place/people/org tags"),
]

# Re-importing (e.g. IPython's autoreload) must neither fail nor replace a reader a user
# registered under one of these names.
for _name, _read, _suffixes, _sniff, _description in _BUILTIN:
    if _name not in readers():
        register_reader(_name, _read, suffixes=_suffixes, sniff=_sniff, description=_description)
