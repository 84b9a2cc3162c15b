"""Loading corpora into the articles table."""

from toolkit.load.registry import ReadContext, Reader, get_reader, readers, register_reader
from toolkit.load.report import LoadReport, load_report

__all__ = ["LoadReport", "ReadContext", "Reader", "get_reader", "load_report", "readers", "register_reader"]
