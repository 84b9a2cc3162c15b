"""Choosing the articles a report is about: a date range, some outlets."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from toolkit.errors import ParameterError
from toolkit.schema import validate_articles

log = logging.getLogger(__name__)


def to_utc(value: str | pd.Timestamp | None, *, name: str) -> pd.Timestamp | None:
    """Read a date argument ("2021-11-01", a Timestamp) as a UTC instant; naive means UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(name, value, "an ISO date such as '2021-11-01' or '2021-11-01T12:00+09:00'") from None
    if pd.isna(stamp):
        raise ParameterError(name, value, "an ISO date such as '2021-11-01'")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def date_range(start: str | pd.Timestamp | None, end: str | pd.Timestamp | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Start (inclusive) and end-exclusive bound: a date-only ``end`` includes that whole day."""
    lo, hi = to_utc(start, name="start"), to_utc(end, name="end")
    if hi is not None and hi == hi.normalize() and not (isinstance(end, str) and "T" in end):
        hi = hi + pd.Timedelta(days=1)
    else:
        hi = None if hi is None else hi + pd.Timedelta(microseconds=1)
    if lo is not None and hi is not None and hi <= lo:
        raise ParameterError("end", end, f"a date on or after start={start!r}")
    return lo, hi


def select_articles(
    articles: pd.DataFrame,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    outlets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Keep the articles published from ``start`` to ``end`` (both inclusive) by ``outlets``.

    A date-only ``end`` ("2021-11-30") includes that whole day (UTC). When a date bound is given,
    undated articles cannot be placed in it and are left out (logged with their count); with no
    bounds they are kept. Outlet names are matched exactly; a name that matches no article raises
    an error listing the outlets the table has, since a typo would otherwise empty the report.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "title": ["", ""], "text": ["", ""],
    ...                   "published": pd.to_datetime(["2021-11-01T00:00", "2021-11-30T23:00"], utc=True)})
    >>> select_articles(t, start="2021-11-02", end="2021-11-30")["doc_id"].tolist()
    ['b']
    """
    articles = validate_articles(articles)
    keep = pd.Series(True, index=articles.index)
    lo, hi = date_range(start, end)
    if lo is not None or hi is not None:
        published = articles["published"]
        undated = published.isna()
        if undated.any():
            log.warning("%d undated articles left out by the date range", int(undated.sum()))
        keep &= ~undated
        if lo is not None:
            keep &= published >= lo
        if hi is not None:
            keep &= published < hi
    if outlets is not None:
        if isinstance(outlets, str):
            outlets = [outlets]
        have = set(articles["outlet"].dropna())
        unknown = [o for o in outlets if o not in have]
        if unknown:
            raise ParameterError("outlets", list(outlets), f"outlets in the corpus: {sorted(have)}",
                                 hint=f"No article is from {unknown}.")
        keep &= articles["outlet"].isin(list(outlets))
    out = articles[keep]
    out.attrs = dict(articles.attrs)
    return out
