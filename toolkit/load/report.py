"""The load report: an account of every input file and record that ``load_corpus`` saw."""

from __future__ import annotations

from collections import Counter
from html import escape

import pandas as pd

from toolkit.errors import SchemaError


class LoadReport(dict):
    """What ``load_corpus`` loaded, skipped and changed, file by file.

    Invariants (tested): ``n_files == n_files_loaded + n_files_skipped`` and, over the files
    that were read, ``n_records == n_articles + n_records_skipped``.

    The report is a ``dict`` of plain JSON values (``sources``, ``files``, ``skipped``,
    ``ignored``, ``counts``, ``settings``) so that it survives ``articles.to_parquet()`` (pandas
    writes ``DataFrame.attrs`` as JSON) and ``json.dumps``; the attributes below present it.

    Attributes
    ----------
    sources
        The paths given to ``load_corpus``.
    files
        One row per input file: ``path``, ``format``, ``status`` (``loaded``/``skipped``),
        ``n_articles``, ``n_skipped`` (records skipped inside the file), ``reason``.
    skipped
        One row per skipped file or record: ``path``, ``line`` (``<NA>`` for a whole file),
        ``reason``.
    ignored
        Files found in a folder that are not corpus inputs (README, LICENSE, unknown suffix),
        with the reason they were passed over.
    counts
        Named counters: ``undated`` (articles whose date is missing or unparseable),
        ``unparseable_dates``, ``naive_dates_read_in_<tz>`` (times without a zone, read in
        ``tz``), ``date_only_dates_read_in_<tz>`` (midnight in ``tz``), ``future_dates``,
        ``decoded_<encoding>`` (files not in UTF-8), ``scraped_lines_removed``, ...
    """

    _KEYS = ("sources", "files", "skipped", "ignored", "counts", "settings")

    def __init__(self, sources: list[str] | None = None, settings: dict | None = None) -> None:
        super().__init__(sources=list(sources or []), files=[], skipped=[], ignored=[],
                         counts=Counter(), settings=dict(settings or {}))

    @classmethod
    def from_dict(cls, data: dict) -> LoadReport:
        """Rebuild a report from its dict form (e.g. attrs read back from a Parquet file)."""
        missing = [k for k in cls._KEYS if k not in data]
        if missing:
            raise SchemaError(f"not a load report: the keys {missing} are missing.")
        report = cls(data["sources"], data["settings"])
        report["files"].extend(data["files"])
        report["skipped"].extend(data["skipped"])
        report["ignored"].extend(data["ignored"])
        report["counts"].update(data["counts"])
        return report

    # pandas deep-copies DataFrame.attrs (where the report travels) on most operations; the
    # report is not changed after loading, so every copy can share it.
    def __deepcopy__(self, memo: dict) -> LoadReport:
        return self

    def __copy__(self) -> LoadReport:
        return self

    def __repr__(self) -> str:
        return f"<LoadReport: {str(self).splitlines()[0]}>"

    @property
    def sources(self) -> list[str]:
        return self["sources"]

    @property
    def settings(self) -> dict:
        return self["settings"]

    @property
    def counts(self) -> Counter:
        return self["counts"]

    @property
    def file_rows(self) -> list[dict]:
        return self["files"]

    @property
    def skipped_rows(self) -> list[dict]:
        return self["skipped"]

    @property
    def ignored_rows(self) -> list[dict]:
        return self["ignored"]

    @property
    def files(self) -> pd.DataFrame:
        return pd.DataFrame(
            self.file_rows,
            columns=["path", "format", "status", "n_articles", "n_skipped", "reason"],
        ).astype({"n_articles": "int64", "n_skipped": "int64"})

    @property
    def skipped(self) -> pd.DataFrame:
        return pd.DataFrame(self.skipped_rows, columns=["path", "line", "reason"]).astype(
            {"line": "Int64"}
        )

    @property
    def ignored(self) -> pd.DataFrame:
        return pd.DataFrame(self.ignored_rows, columns=["path", "reason"])

    @property
    def n_files(self) -> int:
        return len(self.file_rows)

    @property
    def n_files_loaded(self) -> int:
        return sum(r["status"] == "loaded" for r in self.file_rows)

    @property
    def n_files_skipped(self) -> int:
        return sum(r["status"] == "skipped" for r in self.file_rows)

    @property
    def n_articles(self) -> int:
        return sum(r["n_articles"] for r in self.file_rows)

    @property
    def n_records_skipped(self) -> int:
        return sum(r["n_skipped"] for r in self.file_rows if r["status"] == "loaded")

    @property
    def n_records(self) -> int:
        return self.n_articles + self.n_records_skipped

    def summary(self) -> pd.DataFrame:
        """A two-column table (``item``, ``value``) of the headline figures."""
        rows = [
            ("input files", self.n_files),
            ("files loaded", self.n_files_loaded),
            ("files skipped", self.n_files_skipped),
            ("records read", self.n_records),
            ("articles loaded", self.n_articles),
            ("records skipped", self.n_records_skipped),
            ("files ignored (not inputs)", len(self.ignored_rows)),
        ]
        rows += [(key.replace("_", " "), value) for key, value in sorted(self.counts.items())]
        return pd.DataFrame(rows, columns=["item", "value"])

    def __str__(self) -> str:
        lines = [
            f"{self.n_articles} articles from {self.n_files_loaded} of {self.n_files} files; "
            f"{self.n_files_skipped} files and {self.n_records_skipped} records skipped"
            + (f"; {len(self.ignored_rows)} files ignored (not article files, see .ignored)"
               if self.ignored_rows else "")
        ]
        for row in self.skipped_rows[:20]:
            where = row["path"] if row["line"] is None else f"{row['path']}:{row['line']}"
            lines.append(f"  skipped {where}: {row['reason']}")
        if len(self.skipped_rows) > 20:
            lines.append(f"  ... and {len(self.skipped_rows) - 20} more (see .skipped)")
        for key, value in sorted(self.counts.items()):
            lines.append(f"  {key.replace('_', ' ')}: {value}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = escape(str(self).splitlines()[0])
        parts = [f"<p><b>Load report</b>: {head}</p>", self.summary().to_html(index=False)]
        if self.skipped_rows:
            parts.append("<p>Skipped</p>" + self.skipped.head(50).to_html(index=False))
        return "\n".join(parts)


def load_report(articles: pd.DataFrame) -> LoadReport:
    """Return the :class:`LoadReport` that ``load_corpus`` attached to ``articles``.

    The report travels in ``articles.attrs["load_report"]``; pandas keeps it through filtering
    and copying but drops it when tables from different loads are concatenated.

    Examples
    --------
    >>> from toolkit import load_corpus, load_report  # doctest: +SKIP
    >>> print(load_report(load_corpus("data/sample")))  # doctest: +SKIP
    """
    report = getattr(articles, "attrs", {}).get("load_report")
    if isinstance(report, dict) and not isinstance(report, LoadReport):
        report = LoadReport.from_dict(report)  # read back from Parquet or JSON
    if not isinstance(report, LoadReport):
        raise SchemaError(
            "This table carries no load report (articles.attrs['load_report']); it was not made by "
            "toolkit.load_corpus, or an operation such as pd.concat of two loads dropped it. "
            "Take the report from the table load_corpus returned."
        )
    return report
