"""The load report: an account of every input file and record that ``load_corpus`` saw."""

from __future__ import annotations

from collections import Counter
from html import escape

import pandas as pd

from toolkit.errors import SchemaError

# Counts the first line of the report already shows.
_HEADLINE_COUNTS = frozenset({"undated", "future_dates", "duplicates"})


class LoadReport(dict):
    """What ``load_corpus`` loaded, skipped and changed, file by file.

    Invariants (tested): ``n_files == n_files_loaded + n_files_skipped`` and, over the files
    that were read, ``n_records == n_articles + n_records_skipped``.

    The report is a ``dict`` of plain JSON values (``sources``, ``files``, ``skipped``,
    ``ignored``, ``counts``, ``settings``, ``languages``) so that it survives
    ``articles.to_parquet()`` (pandas writes ``DataFrame.attrs`` as JSON) and ``json.dumps``;
    the attributes below present it. ``str(report)`` starts with a one-line summary; per record,
    see :meth:`log` / :func:`load_log`.

    Attributes
    ----------
    sources
        The paths given to ``load_corpus``.
    files
        One row per input file: ``path``, ``format``, ``status`` (``loaded``/``skipped``),
        ``n_articles``, ``n_skipped`` (records skipped inside the file), ``n_duplicates``
        (articles of the file flagged as duplicates; ``<NA>`` when not checked), ``reason``.
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
        ``decoded_<encoding>`` (files not in UTF-8), ``scraped_lines_removed``,
        ``normalized_<step>`` (articles a normalisation step changed), ``duplicates``
        (articles flagged as duplicates of an earlier one), ...
    languages
        Articles per ``lang`` value (``"unknown"`` when none), most frequent first.
    settings
        The ``load_corpus`` arguments, and ``cache`` (``path`` and ``status``: ``hit``,
        ``written``, ``refreshed`` or ``not written``) when a cache was used.
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
        report["files"].extend(dict(row) for row in data["files"])
        report["skipped"].extend(dict(row) for row in data["skipped"])
        report["ignored"].extend(dict(row) for row in data["ignored"])
        report["counts"].update(data["counts"])
        if data.get("languages") is not None:
            report["languages"] = dict(data["languages"])
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
    def languages(self) -> dict[str, int]:
        """Articles per ``lang`` value (``"unknown"`` for none), most frequent first."""
        return dict(self.get("languages") or {})

    @property
    def files(self) -> pd.DataFrame:
        """One row per input file; ``n_duplicates`` is ``<NA>`` when duplicates were not checked."""
        return pd.DataFrame(
            self.file_rows,
            columns=["path", "format", "status", "n_articles", "n_skipped", "n_duplicates", "reason"],
        ).astype({"n_articles": "int64", "n_skipped": "int64", "n_duplicates": "Int64"})

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

    @property
    def n_duplicates(self) -> int | None:
        """Articles flagged as duplicates of an earlier one (``None`` when not checked)."""
        if self.settings.get("duplicates", "none") == "none" and "duplicates" not in self.counts:
            return None
        return int(self.counts.get("duplicates", 0))

    def summary(self) -> pd.DataFrame:
        """A two-column table (``item``, ``value``) of the headline figures."""
        rows: list[tuple[str, object]] = [
            ("input files", self.n_files),
            ("files loaded", self.n_files_loaded),
            ("files skipped", self.n_files_skipped),
            ("records read", self.n_records),
            ("articles loaded", self.n_articles),
            ("records skipped", self.n_records_skipped),
            ("files ignored (not inputs)", len(self.ignored_rows)),
            ("undated", int(self.counts.get("undated", 0))),
            ("future-dated", int(self.counts.get("future_dates", 0))),
        ]
        if self.n_duplicates is not None:
            rows.append((f"duplicates ({self.settings.get('duplicates')})", self.n_duplicates))
        rows += [(f"language {lang}", n) for lang, n in self.languages.items()]
        rows += [(key.replace("_", " "), value) for key, value in sorted(self.counts.items())
                 if key not in _HEADLINE_COUNTS]
        return pd.DataFrame(rows, columns=["item", "value"])

    def _headline(self) -> str:
        parts = [
            f"{self.n_articles} articles from {self.n_files_loaded} of {self.n_files} files; "
            f"{self.n_files_skipped} files and {self.n_records_skipped} records skipped"
        ]
        if self.ignored_rows:
            parts.append(f"{len(self.ignored_rows)} files ignored (not article files, see .ignored)")
        dated = f"{int(self.counts.get('undated', 0))} undated, {int(self.counts.get('future_dates', 0))} future-dated"
        if self.n_duplicates is not None:
            dated += f", {self.n_duplicates} duplicates ({self.settings.get('duplicates')})"
        parts.append(dated)
        if self.languages:
            top = list(self.languages.items())
            text = ", ".join(f"{lang} {n}" for lang, n in top[:5])
            if len(top) > 5:
                text += f", {len(top) - 5} more"
            parts.append(f"languages: {text}")
        cache = self.settings.get("cache")
        if isinstance(cache, dict) and cache.get("status") == "hit":
            parts.append("read from the cache")
        return "; ".join(parts)

    def __str__(self) -> str:
        lines = [self._headline()]
        for row in self.skipped_rows[:20]:
            where = row["path"] if row["line"] is None else f"{row['path']}:{row['line']}"
            lines.append(f"  skipped {where}: {row['reason']}")
        if len(self.skipped_rows) > 20:
            lines.append(f"  ... and {len(self.skipped_rows) - 20} more (see .skipped)")
        for key, value in sorted(self.counts.items()):
            if key not in _HEADLINE_COUNTS:
                lines.append(f"  {key.replace('_', ' ')}: {value}")
        return "\n".join(lines)

    def log(self, articles: pd.DataFrame) -> pd.DataFrame:
        """One row per input record: what became of it (see :func:`load_log`)."""
        return load_log(articles, report=self)

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


#: Columns of :func:`load_log`.
LOG_COLUMNS = ("path", "line", "status", "reason", "doc_id", "dup_of")


def load_log(articles: pd.DataFrame, *, report: LoadReport | None = None) -> pd.DataFrame:
    """One row per input record of a load: ``loaded``, ``duplicate`` or ``skipped``, and why.

    Built from the articles table (``source_path``, ``source_line``, ``doc_id`` and, when
    duplicates were flagged, ``is_duplicate``/``dup_of``) and its :class:`LoadReport` (skipped
    files and records, files without records).

    Parameters
    ----------
    articles
        A table returned by ``load_corpus`` (or a subset of one: its rows are the ones listed).
    report
        The load report; default ``load_report(articles)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``path``, ``line`` (``<NA>`` for a one-article file or a whole-file skip),
        ``status`` (``loaded``, ``duplicate``, ``skipped`` or ``empty`` for a file without
        records), ``reason`` (why skipped; "duplicate of <doc_id>"), ``doc_id`` and ``dup_of``;
        in the order of the files in the report, then by line.

    Examples
    --------
    >>> from toolkit import load_corpus  # doctest: +SKIP
    >>> articles = load_corpus("data/sample")  # doctest: +SKIP
    >>> load_log(articles)["status"].value_counts()  # doctest: +SKIP
    """
    if report is None:
        report = load_report(articles)
    missing = [c for c in ("doc_id", "source_path") if c not in articles.columns]
    if missing:
        raise SchemaError(f"load_log needs the columns {missing} that load_corpus adds; pass its table.")
    n = len(articles)
    flagged = (
        articles["is_duplicate"].fillna(False).astype(bool).to_numpy()
        if "is_duplicate" in articles.columns else [False] * n
    )
    dup_of = articles["dup_of"] if "dup_of" in articles.columns else pd.Series([None] * n, index=articles.index)
    lines = articles["source_line"] if "source_line" in articles.columns else pd.Series([None] * n, index=articles.index)
    loaded = pd.DataFrame({
        "path": articles["source_path"].astype(object).to_numpy(),
        "line": pd.array(lines.to_numpy(dtype=object, na_value=None), dtype="Int64"),
        "status": ["duplicate" if f else "loaded" for f in flagged],
        "reason": [f"duplicate of {d}" if f else None for f, d in zip(flagged, dup_of.to_numpy(dtype=object, na_value=None), strict=True)],
        "doc_id": articles["doc_id"].astype(object).to_numpy(),
        "dup_of": [d if f else None for f, d in zip(flagged, dup_of.to_numpy(dtype=object, na_value=None), strict=True)],
    })
    other = [
        {"path": row["path"], "line": row["line"], "status": "skipped", "reason": row["reason"],
         "doc_id": None, "dup_of": None}
        for row in report.skipped_rows
    ]
    other += [
        {"path": row["path"], "line": None, "status": "empty", "reason": row.get("reason") or "no records in the file",
         "doc_id": None, "dup_of": None}
        for row in report.file_rows
        if row["status"] == "loaded" and not row["n_articles"] and not row["n_skipped"]
    ]
    rest = pd.DataFrame(other, columns=list(LOG_COLUMNS)).astype({"line": "Int64"})
    table = pd.concat([loaded, rest], ignore_index=True) if len(rest) else loaded
    order = {row["path"]: i for i, row in enumerate(report.file_rows)}
    table["_file"] = table["path"].map(order).fillna(len(order)).astype("int64")
    table["_line"] = table["line"].fillna(0)
    table = table.sort_values(["_file", "_line"], kind="stable").drop(columns=["_file", "_line"])
    out = table.reset_index(drop=True)[list(LOG_COLUMNS)]
    return out.astype({c: "str" for c in ("path", "status", "reason", "doc_id", "dup_of")} | {"line": "Int64"})
