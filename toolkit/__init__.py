"""The media coverage toolkit: load news corpora, tokenize them offline, measure coverage."""

from toolkit.dates import parse_date, parse_dates
from toolkit.errors import LoadError, ParameterError, ReportError, SchemaError, ToolkitError, TopicsError
from toolkit.load.core import load_corpus
from toolkit.load.registry import register_reader
from toolkit.load.report import LoadReport, load_report
from toolkit.schema import validate_articles

__version__ = "0.1.0"

__all__ = [
    "LoadError", "LoadReport", "ParameterError", "ReportError", "SchemaError", "ToolkitError",
    "TopicsError", "load_corpus", "load_report", "parse_date", "parse_dates", "register_reader",
    "validate_articles",
]
