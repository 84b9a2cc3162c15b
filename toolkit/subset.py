"""Choosing the articles a report is about: a date range, some outlets."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import pandas as pd

from toolkit.dates import parse_bounds
from toolkit.errors import ParameterError
from toolkit.schema import validate_articles

log = logging.getLogger(__name__)


def select_articles(
    articles: pd.DataFrame,
    *,
    start: str | dt.date | pd.Timestamp | None = None,
    end: str | dt.date | pd.Timestamp | None = None,
    outlets: Sequence[str] | None = None,
    tz: str | dt.tzinfo = "UTC",
) -> pd.DataFrame:
    """Keep the articles published from ``start`` to ``end`` (both inclusive) by ``outlets``.

    Parameters
    ----------
    articles
        The articles table.
    start, end
        ISO dates ("2021-11-01"), ISO date-times ("2021-11-01T06:00", "2021-11-01 06:00+09:00"),
        ``datetime.date``/``datetime``/``Timestamp`` objects, or ``None`` for an open end. A
        date covers its whole day in ``tz``: a date-only ``end`` ("2021-11-30") includes all of
        that day. A time is included as given. Read by :func:`toolkit.dates.parse_bound`.
    outlets
        Outlet names, matched exactly; ``None`` keeps every outlet.
    tz
        Zone of the days (and of times written without an offset); default UTC.

    Returns
    -------
    pandas.DataFrame
        The matching rows, in their order, with the table's ``attrs`` (the load report) kept.

    Raises
    ------
    ParameterError
        For a bound that is not an ISO date or time (e.g. "04/11/2021"), an ``end`` before
        ``start``, or an outlet that no article has (the message lists the table's outlets,
        since a typo would otherwise empty the report).

    Notes
    -----
    When a date bound is given, undated articles cannot be placed in it and are left out
    (logged with their count); with no bounds they are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "title": ["", ""], "text": ["", ""],
    ...                   "published": pd.to_datetime(["2021-11-01T00:00", "2021-11-30T23:00"], utc=True)})
    >>> select_articles(t, start="2021-11-02", end="2021-11-30")["doc_id"].tolist()
    ['b']
    >>> select_articles(t, end="2021-11-30", tz="Asia/Seoul")["doc_id"].tolist()  # 08:00 Dec 1 there
    ['a']
    """
    attrs = dict(articles.attrs) if isinstance(articles, pd.DataFrame) else {}
    articles = validate_articles(articles)
    keep = pd.Series(True, index=articles.index)
    lo, hi = parse_bounds(start, end, tz=tz)
    if lo is not None or hi is not None:
        published = articles["published"]
        undated = published.isna()
        if undated.any():
            log.warning("%d of %d articles have no publication date and are left out by the date range",
                        int(undated.sum()), len(articles))
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
    out.attrs = attrs
    return out
