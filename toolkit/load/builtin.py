"""The readers that ship with the toolkit, registered when ``toolkit.load`` is imported."""

from __future__ import annotations

from toolkit.load import tabular
from toolkit.load.registry import readers, register_reader
from toolkit.load.scraped import read_scraped

_BUILTIN = [
    ("scraped", read_scraped, [".txt", ".text"], None,
     "scraped plain-text pages (headline, optional byline/date lines, body)"),
    ("csv", tabular.read_csv, [".csv", ".tsv"], None, "CSV/TSV export, one article per row"),
    ("json", tabular.read_json, [".json"], None, "JSON: an array of article objects, one object, or a wrapper"),
    ("jsonl", tabular.read_jsonl, [".jsonl", ".ndjson"], None, "JSON Lines: one article object per line"),
    ("parquet", tabular.read_parquet, [".parquet", ".pq"], tabular._sniff_parquet,
     "Parquet table, one article per row"),
]

# Re-importing (e.g. IPython's autoreload) must neither fail nor replace a reader a user
# registered under one of these names.
for _name, _read, _suffixes, _sniff, _description in _BUILTIN:
    if _name not in readers():
        register_reader(_name, _read, suffixes=_suffixes, sniff=_sniff, description=_description)
