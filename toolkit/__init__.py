"""The media coverage toolkit: load news corpora, tokenize them offline, measure coverage.

The public API, in the order data flows through it::

    import toolkit as tk
    articles = tk.load_corpus("data/sample")              # articles table + load report
    tokens = tk.tokenize(articles)                         # tokens table
    tk.top_terms(articles, tokens=tokens, by="outlet")     # counts table
    matches = tk.match_topics(articles, "data/topics/example.yaml")
    tk.attention(articles, matches, freq="W")              # timeline table
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from toolkit.errors import (
    LoadError,
    ParameterError,
    ReportError,
    SchemaError,
    ToolkitError,
    TopicsError,
)

__version__ = "0.1.0"

# Public name -> module. Modules are imported on first use (PEP 562) so that `import toolkit`
# and the command line start fast: NLTK, papermill and nbconvert cost seconds to import.
_EXPORTS: dict[str, str] = {
    "attention": "toolkit.coverage",
    "attention_table": "toolkit.coverage",
    "matching_articles": "toolkit.coverage",
    "topic_shares": "toolkit.coverage",
    "topic_terms": "toolkit.coverage",
    "volume": "toolkit.coverage",
    "wilson_interval": "toolkit.coverage",
    "parse_bound": "toolkit.dates",
    "parse_bounds": "toolkit.dates",
    "parse_date": "toolkit.dates",
    "parse_dates": "toolkit.dates",
    "export_html": "toolkit.export",
    "load_corpus": "toolkit.load.core",
    "register_reader": "toolkit.load.registry",
    "LoadReport": "toolkit.load.report",
    "load_report": "toolkit.load.report",
    "attention_chart": "toolkit.plots",
    "terms_chart": "toolkit.plots",
    "volume_chart": "toolkit.plots",
    "ReportResult": "toolkit.report",
    "list_reports": "toolkit.report",
    "notebook_parameters": "toolkit.report",
    "run_report": "toolkit.report",
    "validate_articles": "toolkit.schema",
    "article_stats": "toolkit.stats",
    "corpus_summary": "toolkit.stats",
    "term_frequencies": "toolkit.stats",
    "term_frequencies_by_group": "toolkit.stats",
    "top_terms": "toolkit.stats",
    "select_articles": "toolkit.subset",
    "NEWS_STOPWORDS": "toolkit.text",
    "STOPWORDS": "toolkit.text",
    "ngrams": "toolkit.text",
    "ngrams_of": "toolkit.text",
    "split_sentences": "toolkit.text",
    "stopwords": "toolkit.text",
    "tokenize": "toolkit.text",
    "word_tokenize": "toolkit.text",
    "load_topics": "toolkit.topics",
    "match_topics": "toolkit.topics",
}

__all__ = [
    "LoadError", "LoadReport", "NEWS_STOPWORDS", "ParameterError", "ReportError", "ReportResult",
    "STOPWORDS", "SchemaError", "ToolkitError", "TopicsError", "article_stats", "attention",
    "attention_chart", "attention_table", "corpus_summary", "export_html", "list_reports", "load_corpus",
    "load_report", "load_topics", "match_topics", "matching_articles", "ngrams", "ngrams_of",
    "notebook_parameters", "parse_bound", "parse_bounds", "parse_date", "parse_dates", "register_reader", "run_report",
    "select_articles", "split_sentences", "stopwords", "term_frequencies",
    "term_frequencies_by_group", "terms_chart",
    "tokenize", "top_terms", "topic_shares", "topic_terms", "validate_articles", "volume", "volume_chart",
    "wilson_interval", "word_tokenize",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names load lazily
    from toolkit.coverage import (
        attention,
        attention_table,
        matching_articles,
        topic_shares,
        topic_terms,
        volume,
        wilson_interval,
    )
    from toolkit.dates import parse_bound, parse_bounds, parse_date, parse_dates
    from toolkit.export import export_html
    from toolkit.load.core import load_corpus
    from toolkit.load.registry import register_reader
    from toolkit.load.report import LoadReport, load_report
    from toolkit.plots import attention_chart, terms_chart, volume_chart
    from toolkit.report import ReportResult, list_reports, notebook_parameters, run_report
    from toolkit.schema import validate_articles
    from toolkit.stats import (
        article_stats,
        corpus_summary,
        term_frequencies,
        term_frequencies_by_group,
        top_terms,
    )
    from toolkit.subset import select_articles
    from toolkit.text import (
        NEWS_STOPWORDS,
        STOPWORDS,
        ngrams,
        ngrams_of,
        split_sentences,
        stopwords,
        tokenize,
        word_tokenize,
    )
    from toolkit.topics import load_topics, match_topics
