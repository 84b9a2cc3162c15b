"""A data-quality panel: the checks that say whether a report's figures can be trusted.

:func:`data_quality` returns one row per check, each with its count, its denominator, the share,
the threshold above which it becomes a ``"warning"``, and a sentence in plain language.
:func:`quality_panel` turns that table into an object that displays as HTML in a notebook: a
warning banner when any check is above its threshold, the table, and the skipped files with
their reasons.

The checks and their default thresholds (:data:`DEFAULT_THRESHOLDS`; a check is a warning when
its ``share`` is **above** its threshold, so a threshold of 0 means "any"):

===============  ============================================================  =========
check            counts (value / denominator)                                  threshold
===============  ============================================================  =========
``skipped``      files and records the loader skipped / records read plus         0.05
                 skipped files (from the load report)
``undated``      articles without a publication date / articles                   0.05
``future_dated`` articles dated after ``now`` / dated articles                    0
``duplicates``   articles flagged ``is_duplicate`` / articles                     0.05
``language``     articles in a language other than the most frequent one /        0.10
                 articles whose language is known
``gaps``         periods (at ``freq``) with no article / periods from the first   0.10
                 to the last date (or ``start`` to ``end``)
``outlier_dates`` dated articles far outside the bulk (rule below) / dated          0
                 articles
===============  ============================================================  =========

Outlier dates: let q05 and q95 be the 5th and 95th percentiles of the publication times and
``width = max(q95 - q05, 365 days)``; a date before ``q05 - width`` or after ``q95 + width`` is
an outlier. A 2010 article in a corpus of 2020 is one; a January article in a corpus that is
mostly May is not. Tune the rule with the ``outlier_min_days`` and ``outlier_k`` keys of
``thresholds`` (``width = max(outlier_k * (q95 - q05), outlier_min_days)``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.periods import Freq, check_freq, period_range, period_start
from toolkit.schema import PUBLISHED_DTYPE

__all__ = [
    "CHECKS",
    "DEFAULT_THRESHOLDS",
    "QUALITY_COLUMNS",
    "QualityPanel",
    "data_quality",
    "overview_summary",
    "quality_panel",
]

logger = logging.getLogger(__name__)

#: The checks, in the order of the table's rows.
CHECKS: tuple[str, ...] = (
    "skipped",
    "undated",
    "future_dated",
    "duplicates",
    "language",
    "gaps",
    "outlier_dates",
)

#: Share above which a check is a warning; plus the two knobs of the outlier rule.
DEFAULT_THRESHOLDS: Mapping[str, float] = {
    "skipped": 0.05,
    "undated": 0.05,
    "future_dated": 0.0,
    "duplicates": 0.05,
    "language": 0.10,
    "gaps": 0.10,
    "outlier_dates": 0.0,
    "outlier_k": 1.0,
    "outlier_min_days": 365.0,
}

#: Columns of :func:`data_quality`.
QUALITY_COLUMNS: tuple[str, ...] = (
    "check", "value", "denominator", "share", "threshold", "status", "detail",
)

_FREQ_WORDS = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}


def _thresholds(thresholds: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return merged
    if not isinstance(thresholds, Mapping):
        raise ParameterError("thresholds", thresholds, "a mapping of check name -> share, or None",
                             hint='For example {"undated": 0.2}.')
    for key, value in thresholds.items():
        if key not in DEFAULT_THRESHOLDS:
            raise ParameterError(f"thresholds[{key!r}]", value, f"a key {one_of(DEFAULT_THRESHOLDS)}",
                                 hint="Check the spelling of the check name.")
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
            raise ParameterError(f"thresholds[{key!r}]", value, "a number >= 0",
                                 hint="Shares are fractions: 0.05 means 5%.")
        if key not in ("outlier_k", "outlier_min_days") and value > 1:
            raise ParameterError(f"thresholds[{key!r}]", value, "a share from 0 to 1",
                                 hint="Shares are fractions: 0.05 means 5%, not 5.")
        merged[key] = float(value)
    return merged


def _pct(share: float) -> str:
    if share != share:  # NaN
        return "n/a"
    pct = 100 * share
    if pct == 0 or pct >= 10:
        return f"{pct:.0f}%"
    return f"{pct:.1f}%" if pct >= 0.1 else "<0.1%"


def _row(check: str, value: int | None, denominator: int | None, threshold: float, detail: str) -> dict[str, Any]:
    if value is None or denominator is None or denominator == 0:
        share = float("nan")
    else:
        share = value / denominator
    status = "warning" if share == share and share > threshold else "ok"
    return {"check": check, "value": value, "denominator": denominator, "share": share,
            "threshold": threshold, "status": status, "detail": detail}


def _load_report_or_none(articles: pd.DataFrame) -> Any:
    from toolkit.load.report import load_report

    try:
        return load_report(articles)
    except SchemaError:
        return None


def _check_skipped(articles: pd.DataFrame, threshold: float) -> dict[str, Any]:
    report = _load_report_or_none(articles)
    if report is None:
        return _row("skipped", None, None, threshold,
                    "Unknown: this table carries no load report, so skipped files and records "
                    "cannot be counted (load it with toolkit.load_corpus).")
    files, records = report.n_files_skipped, report.n_records_skipped
    value = files + records
    denominator = report.n_records + files
    if not value:
        detail = f"Nothing skipped: all {report.n_records} records of {report.n_files} files were loaded."
    else:
        reasons = Counter(str(row["reason"]) for row in report.skipped_rows)
        top = "; ".join(f"{n} × {reason}" for reason, n in reasons.most_common(3))
        more = f"; {len(reasons) - 3} other reasons" if len(reasons) > 3 else ""
        detail = (f"{files} of {report.n_files} files and {records} of {report.n_records} records "
                  f"were skipped ({top}{more}).")
    return _row("skipped", value, denominator, threshold, detail)


def _published(articles: pd.DataFrame) -> pd.Series:
    if "published" not in articles.columns:
        raise SchemaError("data_quality needs the 'published' column of the articles table.")
    published = articles["published"]
    if not isinstance(published.dtype, pd.DatetimeTZDtype):
        raise SchemaError(
            f"data_quality needs 'published' as tz-aware UTC times, got dtype {published.dtype}; "
            "use toolkit.load_corpus or toolkit.parse_dates."
        )
    return published.astype(PUBLISHED_DTYPE)


def _check_duplicates(articles: pd.DataFrame, threshold: float) -> dict[str, Any]:
    n = len(articles)
    if "is_duplicate" not in articles.columns:
        return _row("duplicates", None, n, threshold,
                    "Not checked: the table has no is_duplicate column (toolkit.flag_duplicates adds it).")
    flagged = int(articles["is_duplicate"].fillna(False).astype(bool).sum())
    detail = (f"{flagged} of {n} articles are copies of an earlier article; counts include them "
              "unless a report removes them.") if flagged else "No article is flagged as a duplicate."
    return _row("duplicates", flagged, n, threshold, detail)


def _check_language(articles: pd.DataFrame, threshold: float) -> dict[str, Any]:
    n = len(articles)
    if "lang" not in articles.columns:
        return _row("language", None, None, threshold, "Unknown: the table has no lang column.")
    langs = articles["lang"].astype(object).where(articles["lang"].notna(), None)
    known = langs.dropna().astype(str).str.strip().str.lower()
    known = known[known != ""]
    unknown = n - len(known)
    unknown_text = f" {unknown} of {n} articles have no language recorded." if unknown else ""
    if known.empty:
        return _row("language", None, None, threshold, "Unknown: no article has a language recorded.")
    counts = known.value_counts()
    main = str(counts.index[0])
    other = int(len(known) - counts.iloc[0])
    if other:
        rest = ", ".join(f"{lang} {k}" for lang, k in counts.iloc[1:6].items())
        detail = (f"The main language is {main!r}; {other} of {len(known)} articles with a known "
                  f"language are in another ({rest}).{unknown_text}")
    else:
        detail = f"All {len(known)} articles with a known language are in {main!r}.{unknown_text}"
    return _row("language", other, len(known), threshold, detail)


def _check_gaps(published: pd.Series, freq: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
                threshold: float) -> dict[str, Any]:
    dated = published.dropna()
    # parse_bounds gives an exclusive end (the instant after the last included day).
    lo = start if start is not None else (dated.min() if len(dated) else None)
    hi = end - pd.Timedelta(microseconds=1) if end is not None else (dated.max() if len(dated) else None)
    if lo is None or hi is None or hi < lo:
        return _row("gaps", 0, 0, threshold, "No dated articles, so no periods to check.")
    periods = period_range(lo, hi, freq)  # type: ignore[arg-type]
    inside = dated[(dated >= lo) & (dated <= hi)]
    used = set(period_start(inside, freq).tolist())  # type: ignore[arg-type]
    empty = [p for p in periods if p not in used]
    words = _FREQ_WORDS[freq]
    if empty:
        shown = ", ".join(p.strftime("%Y-%m-%d") for p in empty[:5])
        more = f" and {len(empty) - 5} more" if len(empty) > 5 else ""
        detail = (f"{len(empty)} of {len(periods)} {words} from {periods[0]:%Y-%m-%d} to "
                  f"{periods[-1]:%Y-%m-%d} have no article ({shown}{more}); shares over time "
                  "have no denominator there.")
    else:
        detail = f"Every one of the {len(periods)} {words} from {periods[0]:%Y-%m-%d} to {periods[-1]:%Y-%m-%d} has articles."
    return _row("gaps", len(empty), len(periods), threshold, detail)


def _outlier_mask(dated: pd.Series, k: float, min_days: float) -> tuple[pd.Series, pd.Timestamp, pd.Timestamp]:
    values = dated.astype("int64")  # microseconds since the epoch
    q05, q95 = np.quantile(values.to_numpy(), [0.05, 0.95])
    width = max(k * (q95 - q05), min_days * 86_400 * 1_000_000)
    lo, hi = q05 - width, q95 + width
    mask = (values < lo) | (values > hi)
    as_time = lambda us: pd.Timestamp(int(us), unit="us", tz="UTC")  # noqa: E731
    return mask, as_time(max(lo, -2**62)), as_time(min(hi, 2**62))


def data_quality(
    articles: pd.DataFrame,
    *,
    freq: Freq = "W",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    thresholds: Mapping[str, float] | None = None,
    now: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Check an articles table for problems that distort coverage figures.

    Parameters
    ----------
    articles
        The articles table, ideally as returned by :func:`toolkit.load_corpus` (the skipped
        files and records come from its load report; without one that row says "unknown").
        Pass the selection a report counts: the checks describe the rows given.
    freq
        Period of the gaps check: ``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"``, ``"Y"``.
    start, end
        The period range of the gaps check (ISO dates; ``end`` inclusive). Default: from the
        first to the last dated article.
    thresholds
        Overrides of :data:`DEFAULT_THRESHOLDS` (check name -> share from 0 to 1; a check is a
        warning when its share is above it), plus ``outlier_k`` and ``outlier_min_days`` for
        the outlier rule (see the module docstring).
    now
        The instant after which a date is in the future; default the current time.

    Returns
    -------
    pandas.DataFrame
        One row per check, in the order of :data:`CHECKS`: ``check``, ``value`` (count,
        ``<NA>`` when unknown), ``denominator``, ``share`` (``value / denominator``, NaN when
        unknown or the denominator is 0), ``threshold``, ``status`` (``"ok"`` or
        ``"warning"``) and ``detail`` (a sentence in plain language).

    Raises
    ------
    ParameterError
        For an unknown ``freq``, a bad ``start``/``end``, or an unknown or out-of-range
        threshold.
    SchemaError
        When ``published`` is missing or not tz-aware.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "lang": ["en", "en"],
    ...     "published": pd.to_datetime(["2021-11-01", None], utc=True)})
    >>> q = data_quality(arts, now="2022-01-01")
    >>> row = q[q["check"] == "undated"].iloc[0]
    >>> int(row["value"]), int(row["denominator"]), row["status"]
    (1, 2, 'warning')
    """
    check_freq(freq)
    limits = _thresholds(thresholds)
    published = _published(articles)
    from toolkit.dates import parse_bounds

    lo, hi = parse_bounds(start, end) if (start is not None or end is not None) else (None, None)
    now_ts = pd.Timestamp(now) if now is not None else pd.Timestamp(dt.datetime.now(dt.UTC))
    if now_ts.tzinfo is None:
        now_ts = now_ts.tz_localize("UTC")
    n = len(articles)
    dated = published.dropna()
    n_dated = len(dated)

    rows = [_check_skipped(articles, limits["skipped"])]

    undated = n - n_dated
    rows.append(_row(
        "undated", undated, n, limits["undated"],
        f"{undated} of {n} articles have no publication date; charts over time leave them out."
        if undated else f"All {n} articles are dated.",
    ))

    future = dated[dated > now_ts]
    if len(future):
        detail = (f"{len(future)} of {n_dated} dated articles are dated after {now_ts:%Y-%m-%d %H:%M} UTC "
                  f"(latest {future.max():%Y-%m-%d}): probably misread dates (day/month order, time zone).")
    else:
        detail = f"No article is dated after {now_ts:%Y-%m-%d %H:%M} UTC."
    rows.append(_row("future_dated", len(future), n_dated, limits["future_dated"], detail))

    rows.append(_check_duplicates(articles, limits["duplicates"]))
    rows.append(_check_language(articles, limits["language"]))
    rows.append(_check_gaps(published, freq, lo, hi, limits["gaps"]))

    rule = (f"dates more than max({limits['outlier_k']:g} × the 5th–95th percentile span, "
            f"{limits['outlier_min_days']:g} days) outside that span")
    if n_dated:
        mask, fence_lo, fence_hi = _outlier_mask(dated, limits["outlier_k"], limits["outlier_min_days"])
        outliers = dated[mask.to_numpy()]
        if len(outliers):
            shown = ", ".join(sorted({f"{t:%Y-%m-%d}" for t in outliers})[:5])
            detail = (f"{len(outliers)} of {n_dated} dated articles fall far outside the bulk of the "
                      f"corpus ({shown}); they stretch every time axis. Rule: {rule}, i.e. before "
                      f"{fence_lo:%Y-%m-%d} or after {fence_hi:%Y-%m-%d}.")
        else:
            detail = f"No date lies far outside the bulk (rule: {rule})."
        n_out = len(outliers)
    else:
        n_out, detail = 0, "No dated articles."
    rows.append(_row("outlier_dates", n_out, n_dated, limits["outlier_dates"], detail))

    table = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    return table.astype({
        "check": "str", "value": "Int64", "denominator": "Int64", "share": "float64",
        "threshold": "float64", "status": "str", "detail": "str",
    })


class QualityPanel:
    """The data-quality table as a notebook display: banner, table, skipped files.

    Attributes
    ----------
    table
        The :func:`data_quality` table.
    skipped
        Skipped files and records (``path``, ``line``, ``reason``), or None when unknown.
    max_skipped
        How many skipped entries the HTML lists.
    """

    def __init__(self, table: pd.DataFrame, skipped: pd.DataFrame | None, *, max_skipped: int = 20) -> None:
        self.table = table
        self.skipped = skipped
        self.max_skipped = max_skipped

    @property
    def warnings(self) -> pd.DataFrame:
        """The rows whose status is ``"warning"``."""
        return self.table[self.table["status"] == "warning"]

    def __repr__(self) -> str:
        lines = [f"Data quality: {len(self.warnings)} warning(s)"]
        for row in self.table.itertuples(index=False):
            lines.append(f"  [{row.status}] {row.check}: {row.detail}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = ['<div class="toolkit-quality">']
        warnings = self.warnings
        if len(warnings):
            items = "".join(f"<li><b>{escape(str(r.check))}</b>: {escape(str(r.detail))}</li>"
                            for r in warnings.itertuples(index=False))
            parts.append(
                '<div class="toolkit-warning" role="alert" style="border-left:6px solid #d9822b;'
                'background:#fff4e5;padding:0.6em 1em;margin:0.5em 0">'
                f"<p><b>⚠ Data-quality warning</b>: {len(warnings)} of {len(self.table)} checks are above "
                "their threshold; the figures below may be distorted.</p>"
                f"<ul>{items}</ul></div>"
            )
        else:
            parts.append('<p class="toolkit-ok">✓ Every data-quality check is within its threshold.</p>')
        rows = []
        for r in self.table.itertuples(index=False):
            value = "" if pd.isna(r.value) else str(r.value)
            denominator = "" if pd.isna(r.denominator) else str(r.denominator)
            colour = ' style="color:#b35900;font-weight:bold"' if r.status == "warning" else ""
            rows.append(
                f"<tr><td>{escape(str(r.check))}</td><td>{escape(value)}</td><td>{escape(denominator)}</td>"
                f"<td>{escape(_pct(r.share))}</td><td>{escape(_pct(r.threshold))}</td>"
                f"<td{colour}>{escape(str(r.status))}</td><td style=\"text-align:left\">{escape(str(r.detail))}</td></tr>"
            )
        parts.append(
            '<table class="dataframe"><thead><tr><th>check</th><th>value</th><th>denominator</th>'
            "<th>share</th><th>threshold</th><th>status</th><th>detail</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>"
        )
        if self.skipped is not None and len(self.skipped):
            shown = self.skipped.head(self.max_skipped)
            items = []
            for r in shown.itertuples(index=False):
                where = str(r.path) if pd.isna(r.line) else f"{r.path}:{r.line}"
                items.append(f"<li><code>{escape(where)}</code>: {escape(str(r.reason))}</li>")
            more = (f"<p>… and {len(self.skipped) - len(shown)} more.</p>"
                    if len(self.skipped) > len(shown) else "")
            parts.append(f"<p>Skipped files and records ({len(self.skipped)}):</p><ul>{''.join(items)}</ul>{more}")
        parts.append("</div>")
        return "\n".join(parts)


def quality_panel(table: pd.DataFrame, articles: pd.DataFrame | None = None, *, max_skipped: int = 20) -> QualityPanel:
    """Wrap a :func:`data_quality` table for display in a notebook.

    Parameters
    ----------
    table
        The table from :func:`data_quality`.
    articles
        The articles table (with its load report) whose skipped files and records are listed;
        None lists none.
    max_skipped
        The number of skipped files/records listed (the rest are counted).

    Returns
    -------
    QualityPanel
        Displays as HTML (``_repr_html_``): a warning banner when any check is a warning, the
        table, and the first ``max_skipped`` skipped files with their reasons. All text is
        escaped.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "lang": ["en"],
    ...     "published": pd.to_datetime([None], utc=True)})
    >>> "Data-quality warning" in quality_panel(data_quality(arts))._repr_html_()
    True
    """
    missing = [c for c in QUALITY_COLUMNS if c not in table.columns]
    if missing:
        raise SchemaError(f"quality_panel needs a data_quality table; the columns {missing} are missing.")
    if isinstance(max_skipped, bool) or not isinstance(max_skipped, int) or max_skipped < 0:
        raise ParameterError("max_skipped", max_skipped, "a whole number >= 0")
    skipped = None
    if articles is not None:
        report = _load_report_or_none(articles)
        if report is not None:
            skipped = report.skipped
    return QualityPanel(table, skipped, max_skipped=max_skipped)


def overview_summary(articles: pd.DataFrame, *, loaded: pd.DataFrame | None = None) -> str:
    """One paragraph in plain language saying what is in an articles table.

    Parameters
    ----------
    articles
        The articles a report counts.
    loaded
        The whole table they were selected from, to say "N of M loaded"; None for no such note.

    Returns
    -------
    str
        Plain text (escape it before showing it as HTML), e.g. "51 articles from 5 outlets,
        published between 18 October 2021 and 27 November 2021; 1 (2.0%) undated. The largest
        outlet is Pacific Ledger Online with 14 articles (27.5%). ..."

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"],
    ...     "published": pd.to_datetime(["2021-11-01", None], utc=True)})
    >>> overview_summary(arts).split(";")[0]
    '2 articles from 1 outlet, published on 1 November 2021'
    """
    n = len(articles)
    if n == 0:
        return "No articles: the selection is empty."
    outlets = articles["outlet"].dropna() if "outlet" in articles.columns else pd.Series(dtype="str")
    k = outlets.nunique()
    published = _published(articles)
    dated = published.dropna()
    if k:
        start = f"{n} articles from {k} outlet{'s' if k != 1 else ''}"
    else:
        start = f"{n} articles (no outlet recorded)"
    if len(dated):
        first, last = dated.min(), dated.max()
        day = lambda t: f"{t.day} {t:%B %Y}"  # noqa: E731
        span = (f"published on {day(first)}" if day(first) == day(last)
                else f"published between {day(first)} and {day(last)}")
    else:
        span = "none of them dated"
    undated = n - len(dated)
    parts = [f"{start}, {span}; {undated} ({_pct(undated / n)}) undated."]
    if loaded is not None and len(loaded) != n:
        parts.append(f"They are {_pct(n / len(loaded)) if len(loaded) else 'n/a'} of the {len(loaded)} articles loaded.")
    if k:
        counts = outlets.value_counts()
        top, n_top = str(counts.index[0]), int(counts.iloc[0])
        parts.append(f"The largest outlet is {top} with {n_top} articles ({_pct(n_top / n)}).")
    if "lang" in articles.columns and articles["lang"].notna().any():
        langs = articles["lang"].dropna().value_counts()
        parts.append(f"The main language is {langs.index[0]} ({_pct(int(langs.iloc[0]) / n)} of the articles).")
    if "is_duplicate" in articles.columns:
        dup = int(articles["is_duplicate"].fillna(False).astype(bool).sum())
        parts.append(f"{dup} ({_pct(dup / n)}) are flagged as duplicates of an earlier article.")
    return " ".join(parts)
