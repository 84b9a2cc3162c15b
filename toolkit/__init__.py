"""The media coverage toolkit: load news corpora, tokenize them offline, measure coverage.

The public API, in the order data flows through it::

    import toolkit as tk
    articles = tk.load_corpus("data/sample")              # articles table + load report
    tokens = tk.tokenize(articles)                         # tokens table
    tk.top_terms(articles, tokens=tokens, by="outlet")     # counts table
    matches = tk.match_topics(articles, "data/topics/example.yaml")
    tk.attention(articles, matches, freq="W")              # timeline table
    tk.keyness(articles, target="Daily Meridian")         # distinctive words
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
    "run_batch": "toolkit.batch",
    "attention": "toolkit.coverage",
    "attention_table": "toolkit.coverage",
    "cooccurrence": "toolkit.coverage",
    "detect_spikes": "toolkit.coverage",
    "matching_articles": "toolkit.coverage",
    "outlet_shares": "toolkit.coverage",
    "prominence": "toolkit.coverage",
    "topic_shares": "toolkit.coverage",
    "topic_terms": "toolkit.coverage",
    "volume": "toolkit.coverage",
    "wilson_interval": "toolkit.coverage",
    "parse_bound": "toolkit.dates",
    "parse_bounds": "toolkit.dates",
    "parse_date": "toolkit.dates",
    "parse_dates": "toolkit.dates",
    "dedupe": "toolkit.dedup",
    "duplicate_clusters": "toolkit.dedup",
    "flag_duplicates": "toolkit.dedup",
    "keyness_counts": "toolkit.distributed",
    "export_html": "toolkit.export",
    "clear_cache": "toolkit.load.cache",
    "iter_corpus": "toolkit.load.core",
    "load_corpus": "toolkit.load.core",
    "load_to_parquet": "toolkit.load.core",
    "register_reader": "toolkit.load.registry",
    "LoadReport": "toolkit.load.report",
    "load_log": "toolkit.load.report",
    "load_report": "toolkit.load.report",
    "build_manifest": "toolkit.manifest",
    "corpus_fingerprint": "toolkit.manifest",
    "record_for_manifest": "toolkit.manifest",
    "coverage_summary": "toolkit.narrative",
    "outlet_summary": "toolkit.narrative",
    "summary_markdown": "toolkit.narrative",
    "topic_summary": "toolkit.narrative",
    "normalize_articles": "toolkit.normalize",
    "normalize_text": "toolkit.normalize",
    "attention_chart": "toolkit.plots",
    "cooccurrence_heatmap": "toolkit.plots",
    "escape_figure": "toolkit.plots",
    "escape_plotly_text": "toolkit.plots",
    "keyness_chart": "toolkit.plots",
    "outlet_topic_heatmap": "toolkit.plots",
    "prominence_chart": "toolkit.plots",
    "share_by_outlet_chart": "toolkit.plots",
    "terms_chart": "toolkit.plots",
    "tone_chart": "toolkit.plots",
    "volume_chart": "toolkit.plots",
    "data_quality": "toolkit.quality",
    "quality_panel": "toolkit.quality",
    "article_readability": "toolkit.readability",
    "readability_summary": "toolkit.readability",
    "ReportResult": "toolkit.report",
    "list_reports": "toolkit.report",
    "notebook_parameters": "toolkit.report",
    "notebook_timeout": "toolkit.report",
    "run_report": "toolkit.report",
    "validate_articles": "toolkit.schema",
    "article_sources": "toolkit.sources",
    "source_counts": "toolkit.sources",
    "source_mentions": "toolkit.sources",
    "article_stats": "toolkit.stats",
    "corpus_summary": "toolkit.stats",
    "document_term_matrix": "toolkit.stats",
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
    "article_tone": "toolkit.tone",
    "sentence_tone": "toolkit.tone",
    "tone_summary": "toolkit.tone",
    "topic_tone": "toolkit.tone",
    "load_topics": "toolkit.topics",
    "match_topics": "toolkit.topics",
    "collocations": "toolkit.words",
    "keyness": "toolkit.words",
    "kwic": "toolkit.words",
    "tfidf": "toolkit.words",
    "topic_keyness": "toolkit.words",
}

__all__ = [
    "LoadError", "LoadReport", "NEWS_STOPWORDS", "ParameterError", "ReportError",
    "ReportResult", "STOPWORDS", "SchemaError", "ToolkitError", "TopicsError",
    "article_readability", "article_sources", "article_stats", "article_tone", "attention",
    "attention_chart", "attention_table", "build_manifest", "clear_cache", "collocations",
    "cooccurrence", "cooccurrence_heatmap", "corpus_fingerprint", "corpus_summary",
    "coverage_summary", "data_quality", "dedupe", "detect_spikes", "document_term_matrix",
    "duplicate_clusters", "escape_figure", "escape_plotly_text", "export_html",
    "flag_duplicates", "iter_corpus", "keyness", "keyness_chart", "keyness_counts", "kwic",
    "list_reports", "load_corpus", "load_log", "load_report", "load_to_parquet", "load_topics",
    "match_topics", "matching_articles", "ngrams", "ngrams_of", "normalize_articles",
    "normalize_text", "notebook_parameters", "notebook_timeout", "outlet_shares",
    "outlet_summary", "outlet_topic_heatmap", "parse_bound", "parse_bounds", "parse_date",
    "parse_dates", "prominence", "prominence_chart", "quality_panel", "readability_summary",
    "record_for_manifest", "register_reader", "run_batch", "run_report", "select_articles",
    "sentence_tone", "share_by_outlet_chart", "source_counts", "source_mentions",
    "split_sentences", "stopwords", "summary_markdown", "term_frequencies",
    "term_frequencies_by_group", "terms_chart", "tfidf", "tokenize", "tone_chart",
    "tone_summary", "top_terms", "topic_keyness", "topic_shares", "topic_summary",
    "topic_terms", "topic_tone", "validate_articles", "volume", "volume_chart",
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
    from toolkit.batch import run_batch
    from toolkit.coverage import (
        attention,
        attention_table,
        cooccurrence,
        detect_spikes,
        matching_articles,
        outlet_shares,
        prominence,
        topic_shares,
        topic_terms,
        volume,
        wilson_interval,
    )
    from toolkit.dates import parse_bound, parse_bounds, parse_date, parse_dates
    from toolkit.dedup import dedupe, duplicate_clusters, flag_duplicates
    from toolkit.distributed import keyness_counts
    from toolkit.export import export_html
    from toolkit.load.cache import clear_cache
    from toolkit.load.core import iter_corpus, load_corpus, load_to_parquet
    from toolkit.load.registry import register_reader
    from toolkit.load.report import LoadReport, load_log, load_report
    from toolkit.manifest import build_manifest, corpus_fingerprint, record_for_manifest
    from toolkit.narrative import coverage_summary, outlet_summary, summary_markdown, topic_summary
    from toolkit.normalize import normalize_articles, normalize_text
    from toolkit.plots import (
        attention_chart,
        cooccurrence_heatmap,
        escape_figure,
        escape_plotly_text,
        keyness_chart,
        outlet_topic_heatmap,
        prominence_chart,
        share_by_outlet_chart,
        terms_chart,
        tone_chart,
        volume_chart,
    )
    from toolkit.quality import data_quality, quality_panel
    from toolkit.readability import article_readability, readability_summary
    from toolkit.report import (
        ReportResult,
        list_reports,
        notebook_parameters,
        notebook_timeout,
        run_report,
    )
    from toolkit.schema import validate_articles
    from toolkit.sources import article_sources, source_counts, source_mentions
    from toolkit.stats import (
        article_stats,
        corpus_summary,
        document_term_matrix,
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
    from toolkit.tone import article_tone, sentence_tone, tone_summary, topic_tone
    from toolkit.topics import load_topics, match_topics
    from toolkit.words import collocations, keyness, kwic, tfidf, topic_keyness
