"""Loading corpora into the articles table."""

from toolkit.load import builtin  # noqa: F401  (registers the built-in readers)
from toolkit.load.registry import ReadContext, Reader, get_reader, readers, register_reader
from toolkit.load.report import LoadReport, load_log, load_report

__all__ = ["LoadReport", "ReadContext", "Reader", "get_reader", "iter_corpus", "load_corpus", "load_log", "load_to_parquet", "load_report", "readers", "register_reader"]


def __getattr__(name: str):
    # load_corpus lives in core, which imports this package's modules: import it on first use.
    if name in ("load_corpus", "iter_corpus", "load_to_parquet", "DESKS", "SIDECAR", "DEFAULT_EXCLUDE"):
        from toolkit.load import core

        return getattr(core, name)
    raise AttributeError(f"module 'toolkit.load' has no attribute {name!r}")
