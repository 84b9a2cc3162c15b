"""Coverage over time: how many articles, and what share of them, mention each topic.

Definitions
-----------
- **Period**: the calendar bucket an article's ``published`` time falls in, labelled by its
  first instant in UTC (:func:`toolkit.periods.period_start`; weeks start on Monday).
- **n_total**: the number of dated articles in the period (and group). It is the explicit
  denominator and is always in the table.
- **n_matching**: the number of those articles that match the topic at least once (an article
  counts once however many hits it has).
- **share** = ``n_matching / n_total``; ``NaN`` when ``n_total`` is 0 (no articles: the share is
  undefined, not zero).
- **ci_low, ci_high**: the Wilson score interval at 95% (:func:`wilson_interval`), which stays
  inside [0, 1] and behaves at 0 and n, unlike the normal approximation.
- **Calendar-complete**: every period from the first to the last (or ``start`` to ``end``),
  every group and every topic appears, zero-filled.
- **Undated articles** (``published`` is NaT) belong to no period: they are left out of every
  count, and their number is logged as a warning.
- **Re-binning** (weeks to months, outlets to all outlets): add up ``n_matching`` and
  ``n_total`` and divide the sums; never average the shares (a quiet week would weigh as much as
  a busy one)::

      monthly = weekly.groupby([pd.Grouper(key="period", freq="MS"), "topic"])[["n_matching", "n_total"]].sum()
      monthly["share"] = monthly["n_matching"] / monthly["n_total"]

  (weeks that straddle two months go wholly to the month they start in; recompute from the
  articles with ``freq="M"`` for exact months).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from toolkit.dates import parse_bounds
from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.periods import Freq, check_freq, period_range, period_start
from toolkit.schema import PUBLISHED_DTYPE

if TYPE_CHECKING:  # toolkit.text imports NLTK: load it only when topic_terms runs
    from toolkit.text import StopwordSource

log = logging.getLogger(__name__)

__all__ = [
    "attention", "attention_table", "matching_articles", "topic_shares", "topic_terms", "volume",
    "wilson_interval",
]

_RESERVED = ("period", "topic", "n_matching", "n_total", "share", "ci_low", "ci_high", "n_articles")


def wilson_interval(
    k: np.ndarray | Sequence[int] | int,
    n: np.ndarray | Sequence[int] | int,
    *,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion ``k / n``.

    ``low = (p + z²/2n - z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` and ``high`` with ``+``, where
    ``p = k/n`` and ``z`` is the standard normal quantile at ``(1 + level) / 2`` (1.96 for 95%).
    The bounds are exactly 0 when ``k == 0`` and exactly 1 when ``k == n``; both are ``NaN`` when
    ``n == 0``.

    Parameters
    ----------
    k, n
        Successes and trials (arrays of the same shape, or scalars).
    level
        Confidence level, between 0 and 1.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` as float arrays.

    Examples
    --------
    >>> low, high = wilson_interval([0, 5], [10, 10])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.2366], [0.2775, 0.7634])
    """
    if not 0 < level < 1:
        raise ParameterError("level", level, "a confidence level strictly between 0 and 1, e.g. 0.95")
    k_arr = np.asarray(k, dtype="float64")
    n_arr = np.asarray(n, dtype="float64")
    if np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ParameterError("k", k, "counts with 0 <= k <= n")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
        denom = 1 + z * z / n_arr
        center = (p + z * z / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z * z / (4 * n_arr * n_arr)) / denom
        low = np.clip(center - half, 0.0, 1.0)
        high = np.clip(center + half, 0.0, 1.0)
    # Exact bounds at the edges (the formula gives them up to rounding).
    low = np.where(k_arr == 0, 0.0, low)
    high = np.where(k_arr == n_arr, 1.0, high)
    empty = n_arr == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


class _Grid:
    """Dated articles placed on a (period x group) grid."""

    def __init__(self, articles: pd.DataFrame, *, freq: Freq, by: str | None, start: object, end: object,
                 caller: str):
        check_freq(freq)
        if not isinstance(articles, pd.DataFrame):
            raise SchemaError(f"articles must be a pandas DataFrame, got {type(articles).__name__}.")
        missing = [c for c in ("doc_id", "published") if c not in articles.columns]
        if missing:
            raise SchemaError(
                f"articles lacks the column(s) {missing} that {caller}() needs; it has "
                f"{list(articles.columns)}. Load the corpus with toolkit.load_corpus(path)."
            )
        if by is not None:
            if not isinstance(by, str) or by not in articles.columns:
                raise ParameterError(
                    "by", by, f"None or a column of articles: {list(map(str, articles.columns))}",
                    hint="Use by='outlet' to compare outlets.",
                )
            if by in _RESERVED:
                raise ParameterError("by", by, f"a column not named like an output column {list(_RESERVED)}",
                                     hint="Rename the column first.")
        published = articles["published"]
        if not isinstance(published.dtype, pd.DatetimeTZDtype):
            if not published.isna().all():
                raise SchemaError(
                    f"articles.published must be tz-aware datetimes, got dtype {published.dtype}. "
                    "Parse it with pd.to_datetime(..., utc=True) or validate with toolkit.schema.validate_articles."
                )
            published = pd.Series(pd.NaT, index=articles.index, dtype=PUBLISHED_DTYPE)
        if articles["doc_id"].duplicated().any():
            dup = articles.loc[articles["doc_id"].duplicated(), "doc_id"].unique()[:5].tolist()
            raise SchemaError(f"articles.doc_id must be unique; repeated: {dup}.")
        # hi is the first instant after the range: a date-only end includes that whole day.
        lo, hi = parse_bounds(start, end)

        dated = published.notna().to_numpy()
        undated = int((~dated).sum())
        if undated:
            log.warning("%s: %d of %d articles have no publication date and are left out of every period",
                        caller, undated, len(articles))
        if by is None:
            self.groups = None
            group_codes = np.zeros(len(articles), dtype="int64")
        else:
            # Every group of the table appears, also one with no articles in the range.
            try:
                group_codes, groups = pd.factorize(articles[by], sort=True, use_na_sentinel=False)
            except TypeError:  # unorderable mixed values: keep first-seen order
                group_codes, groups = pd.factorize(articles[by], use_na_sentinel=False)
            self.groups = pd.Index(groups, name=by)
        starts = period_start(published[dated], freq)
        first = period_start(pd.Series([lo], dtype=PUBLISHED_DTYPE), freq).iloc[0] if lo is not None else (
            starts.min() if len(starts) else None)
        last = period_start(pd.Series([hi - pd.Timedelta(microseconds=1)], dtype=PUBLISHED_DTYPE), freq).iloc[0] if hi is not None else (
            starts.max() if len(starts) else None)
        first = last if first is None else first
        last = first if last is None else last
        if first is None or last < first:
            # No dated articles and no range, or a range that ends before the data's first period.
            self.periods = pd.DatetimeIndex([], dtype=PUBLISHED_DTYPE, name="period")
        else:
            self.periods = period_range(first, last, freq)
        self.by = by
        n_groups = 1 if self.groups is None else len(self.groups)
        period_codes = np.full(len(articles), -1, dtype="int64")
        period_codes[dated] = self.periods.get_indexer(pd.DatetimeIndex(starts))
        keep = period_codes >= 0  # dated and inside the range
        self.cell = np.where(keep, period_codes * n_groups + group_codes, -1)
        self.n_cells = len(self.periods) * n_groups
        self.doc_ids = pd.Index(articles["doc_id"])

    def totals(self) -> np.ndarray:
        inside = self.cell[self.cell >= 0]
        return np.bincount(inside, minlength=self.n_cells).astype("int64")

    def frame(self, repeat: int = 1) -> pd.DataFrame:
        """The period (and group) columns of the grid, each cell repeated ``repeat`` times."""
        n_groups = 1 if self.groups is None else len(self.groups)
        out = pd.DataFrame({"period": self.periods.repeat(n_groups * repeat)})
        if self.groups is not None:
            codes = np.tile(np.repeat(np.arange(n_groups), repeat), len(self.periods))
            out[self.by] = self.groups.take(codes)
        return out.reset_index(drop=True)


def attention(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    freq: Freq = "W",
    by: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    topics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Articles matching each topic per period (and group), with the denominator and an interval.

    Parameters
    ----------
    articles
        The articles table (needs ``doc_id``, ``published`` and the ``by`` column). It is the
        denominator: every dated article counts in ``n_total`` of its period.
    matches
        Which articles match which topics: a table with ``doc_id`` and ``topic``, such as
        :func:`toolkit.topics.match_topics` returns. Repeated pairs count once; ids that are not
        in ``articles`` are ignored (and logged).
    freq
        Period length: ``"D"`` day, ``"W"`` ISO week (Monday start), ``"M"`` month, ``"Q"``
        quarter, ``"Y"`` year.
    by
        A column of ``articles`` to split by (e.g. ``"outlet"``); every value appears in every
        period. Missing values form their own group.
    start, end
        The range of periods: from the period containing ``start`` to the one containing ``end``
        (whole periods). ISO strings ("2021-11-01", "2021-11-01T09:00+09:00"), dates or
        Timestamps, read by :func:`toolkit.dates.parse_bound`: a date-only ``end`` includes that
        day; times without a zone are UTC. Default: the first and last dated article. Articles
        outside the range are not counted.
    topics
        Topics that must appear even without any match (zero rows); listed first, in this order,
        before the other topics of ``matches`` (alphabetical).

    Returns
    -------
    pandas.DataFrame
        One row per period x [group] x topic, calendar-complete and zero-filled: ``period``,
        [``by``], ``topic``, ``n_matching``, ``n_total``, ``share`` (``NaN`` when ``n_total`` is
        0), ``ci_low``, ``ci_high`` (Wilson 95%). See the module docstring for the definitions
        and the re-binning rule (ratio of sums).

    Raises
    ------
    ParameterError
        For an unknown ``by`` column, a bad ``freq``, an unreadable ``start``/``end`` or
        ``start`` after ``end``.
    SchemaError
        When ``articles`` or ``matches`` lacks the columns above.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c"],
    ...     "published": pd.to_datetime(["2021-11-01", "2021-11-02", "2021-11-16"], utc=True)})
    >>> hits = pd.DataFrame({"doc_id": ["a"], "topic": ["Japan"]})
    >>> attention(arts, hits, freq="W")[["period", "topic", "n_matching", "n_total", "share"]]
                         period  topic  n_matching  n_total  share
    0 2021-11-01 00:00:00+00:00  Japan           1        2    0.5
    1 2021-11-08 00:00:00+00:00  Japan           0        0    NaN
    2 2021-11-15 00:00:00+00:00  Japan           0        1    0.0
    """
    grid = _Grid(articles, freq=freq, by=by, start=start, end=end, caller="attention")
    _check_matches(matches)
    if isinstance(topics, str):
        topics = [topics]
    listed = list(dict.fromkeys(topics or []))
    pairs = matches[["doc_id", "topic"]].dropna().drop_duplicates()
    seen = pd.unique(pairs["topic"])
    others = [t for t in seen if t not in set(listed)]
    try:
        others = sorted(others)
    except TypeError:
        pass
    topic_names = listed + others
    n_topics = len(topic_names)

    rows = grid.doc_ids.get_indexer(pairs["doc_id"])
    unknown = int((rows < 0).sum())
    if unknown:
        log.warning("attention: %d match rows name a doc_id that is not in articles; they are ignored", unknown)
    cells = np.full(len(rows), -1, dtype="int64")
    cells[rows >= 0] = grid.cell[rows[rows >= 0]]
    topic_codes = pd.Index(topic_names).get_indexer(pairs["topic"])
    inside = cells >= 0
    n_matching = np.bincount(cells[inside] * n_topics + topic_codes[inside],
                             minlength=grid.n_cells * n_topics).astype("int64")
    n_total = np.repeat(grid.totals(), n_topics)

    out = grid.frame(repeat=n_topics)
    out["topic"] = pd.Series(np.tile(np.asarray(topic_names, dtype=object), grid.n_cells), dtype="str")
    out["n_matching"] = n_matching
    out["n_total"] = n_total
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(n_total > 0, n_matching / np.maximum(n_total, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(n_matching, n_total)
    return out


def volume(
    articles: pd.DataFrame,
    *,
    freq: Freq = "W",
    by: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Number of articles per period (and group), calendar-complete and zero-filled.

    Parameters
    ----------
    articles
        The articles table (needs ``doc_id``, ``published`` and the ``by`` column).
    freq, by, start, end
        As in :func:`attention`. Undated articles are left out and their number logged.

    Returns
    -------
    pandas.DataFrame
        One row per period x [group]: ``period``, [``by``], ``n_articles``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"],
    ...     "published": pd.to_datetime(["2021-11-01", "2021-11-09"], utc=True)})
    >>> volume(arts, freq="W", by="outlet")["n_articles"].tolist()
    [1, 0, 0, 1]
    """
    grid = _Grid(articles, freq=freq, by=by, start=start, end=end, caller="volume")
    out = grid.frame()
    out["n_articles"] = grid.totals()
    return out


def _check_matches(matches: pd.DataFrame) -> None:
    if not isinstance(matches, pd.DataFrame):
        raise SchemaError(f"matches must be a pandas DataFrame (from match_topics), got {type(matches).__name__}.")
    missing = [c for c in ("doc_id", "topic") if c not in matches.columns]
    if missing:
        raise SchemaError(
            f"matches lacks the column(s) {missing}; expected a table with doc_id and topic such as "
            f"toolkit.match_topics(articles, topics) returns. It has {list(matches.columns)}."
        )


def _topic_pairs(matches: pd.DataFrame, topics: Sequence[str] | None) -> pd.DataFrame:
    _check_matches(matches)
    pairs = matches[["doc_id", "topic"]].drop_duplicates()
    if topics is not None:
        pairs = pairs[pairs["topic"].isin(list(topics))]
    return pairs


def topic_shares(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    by: str | None = None,
    topics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of all articles (or of each group's articles) that mention each topic, over the
    whole table, dated or not.

    The time-free companion of :func:`attention`: it answers "what share of the coverage is
    about X" for corpora without dates too.

    Parameters
    ----------
    articles
        The articles table the matches were made from: its rows are the denominator.
    matches
        The table from :func:`toolkit.match_topics` (needs ``doc_id`` and ``topic``).
    by
        A column of ``articles`` to split by (e.g. ``"outlet"``); every group appears with every
        topic. Missing values form their own group.
    topics
        Topics that must appear even without any match, listed first in this order; then the
        other topics of ``matches`` alphabetically.

    Returns
    -------
    pandas.DataFrame
        [``by``], ``topic``, ``n_matching`` (articles that mention the topic), ``n_total``
        (all articles of the group: the denominator), ``share`` (NaN when ``n_total`` is 0) and
        the 95% Wilson interval ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "outlet": ["X", "X", "Y", "Y"]})
    >>> m = pd.DataFrame({"doc_id": ["a", "c", "d"], "topic": ["Rain", "Rain", "Rain"]})
    >>> topic_shares(arts, m, by="outlet")[["outlet", "n_matching", "n_total", "share"]].values.tolist()
    [['X', 1, 2, 0.5], ['Y', 2, 2, 1.0]]
    """
    if not isinstance(articles, pd.DataFrame) or "doc_id" not in articles.columns:
        raise SchemaError("articles must be an articles table with a doc_id column (toolkit.load_corpus).")
    if by is not None and (not isinstance(by, str) or by not in articles.columns):
        raise ParameterError("by", by, f"None or a column of articles: {list(map(str, articles.columns))}",
                             hint="Use by='outlet' to compare outlets.")
    pairs = _topic_pairs(matches, None)
    pairs = pairs[pairs["doc_id"].isin(articles["doc_id"])]
    names = list(dict.fromkeys([*(topics or []), *sorted(pairs["topic"].unique())]))
    if topics is not None:
        pairs = pairs[pairs["topic"].isin(names)]
    keys = [by] if by is not None else []
    frame = articles[["doc_id", *keys]]
    if by is not None:
        totals = frame.groupby(by, dropna=False, sort=True).size().rename("n_total")
        hits = pairs.merge(frame, on="doc_id").groupby([by, "topic"], dropna=False).size()
        grid = pd.MultiIndex.from_product([totals.index, names], names=[by, "topic"])
        out = hits.reindex(grid, fill_value=0).rename("n_matching").reset_index()
        out = out.merge(totals.reset_index(), on=by, how="left")
    else:
        hits = pairs.groupby("topic").size().reindex(names, fill_value=0)
        out = pd.DataFrame({"topic": names, "n_matching": hits.to_numpy(), "n_total": len(frame)})
    out["n_matching"] = out["n_matching"].astype("int64")
    out["n_total"] = out["n_total"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(out["n_total"] > 0, out["n_matching"] / out["n_total"].where(out["n_total"] > 0, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(out["n_matching"].to_numpy(), out["n_total"].to_numpy())
    return out[[*keys, "topic", "n_matching", "n_total", "share", "ci_low", "ci_high"]].reset_index(drop=True)


def topic_terms(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    n: int = 15,
    topics: Sequence[str] | None = None,
    tokens: pd.DataFrame | None = None,
    lower: bool = True,
    stopwords: bool | StopwordSource | Collection[str] = True,
    fields: Sequence[str] = ("title", "text"),
    min_n: int = 1,
) -> pd.DataFrame:
    """The most frequent terms in the articles that match each topic.

    The same count as :func:`toolkit.top_terms` (same words, options and columns), with the
    articles matching a topic as the group: an article that matches two topics counts for both
    (:func:`toolkit.stats.term_frequencies_by_group`). The topic's own dictionary words are
    included: they show how the topic is named.

    Parameters
    ----------
    articles
        The articles table the matches were made from.
    matches
        The table from :func:`toolkit.match_topics` (needs ``doc_id`` and ``topic``).
    n
        Terms kept per topic.
    topics
        Only these topics, in this order (default: every topic in ``matches``, alphabetically).
    tokens
        A tokens table from :func:`toolkit.tokenize` to reuse; the matching articles' ``fields``
        are tokenized when not given. Punctuation is never counted; ``lower`` and ``stopwords``
        are applied to a given table too.
    lower
        Count lower-cased terms.
    stopwords
        Words left out: ``True`` (:data:`toolkit.text.STOPWORDS`), ``False``, ``"news"`` (plus
        attribution words such as "said"), ``"nltk"`` or a collection of words.
    fields
        Fields counted (``title``, ``text`` or other text columns).
    min_n
        Leave out terms seen fewer than ``min_n`` times in the topic's articles.

    Returns
    -------
    pandas.DataFrame
        One row per (topic, term) kept: ``topic``, ``rank`` (1-based; ties in ``n`` ranked
        alphabetically), ``term``, ``n`` (occurrences), ``docfreq`` (matching articles
        containing it), ``share`` (``n`` divided by all counted words of the topic's matching
        articles) and ``n_docs`` (the topic's matching articles: the denominator of
        ``docfreq``). A topic whose articles hold no counted word has no rows.

    Raises
    ------
    ParameterError
        For ``n`` or ``min_n`` below 1, and bad ``stopwords`` or ``fields``.
    SchemaError
        When ``matches`` lacks ``doc_id`` or ``topic``, or ``articles`` is not a valid table.

    Examples
    --------
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "title": ["Rain", "Sun"],
    ...     "text": ["Rain, rain.", "Sun."], "published": pd.to_datetime([None, None], utc=True)})
    >>> m = pd.DataFrame({"doc_id": ["a"], "topic": ["Weather"]})
    >>> topic_terms(arts, m, n=1)[["topic", "term", "n", "share", "n_docs"]].values.tolist()
    [['Weather', 'rain', 3, 1.0, 1]]
    """
    from toolkit.stats import _membership_table, _ranks

    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError("n", n, "an integer >= 1", hint="n=15 keeps the 15 most frequent terms per topic.")
    if isinstance(topics, str):
        topics = [topics]
    pairs = _topic_pairs(matches, topics)
    pairs = pairs[pairs["topic"].notna()]
    table, group, n_docs = _membership_table(articles, pairs, tokens=tokens, lower=lower, stopwords=stopwords,
                                             fields=fields, min_n=min_n)
    rank = _ranks(group)
    out = table[rank <= n].reset_index(drop=True)
    out.insert(1, "rank", rank[rank <= n])
    out = out.merge(n_docs, on="topic", how="left", validate="many_to_one")
    if topics is not None:
        order = {t: i for i, t in enumerate(dict.fromkeys(topics))}
        out = out.sort_values("topic", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return out[["topic", "rank", "term", "n", "docfreq", "share", "n_docs"]]


def attention_table(
    attention: pd.DataFrame,
    *,
    value: Literal["n_matching", "share"] = "n_matching",
) -> pd.DataFrame:
    """A timeline as a wide table: one row per period, one column per topic, then ``n_total``.

    The same numbers as :func:`attention`, laid out to read (or export) as a table. Nothing is
    added up: each cell is one (period, topic) cell of the timeline, and ``n_total`` is the
    denominator of that period's shares.

    Parameters
    ----------
    attention
        A timeline from :func:`attention` (``period``, ``topic``, ``n_matching``, ``n_total``,
        ``share``, ...). A group column (from ``attention(..., by=...)``) becomes a second
        index level after ``period``.
    value
        What the topic columns hold: ``"n_matching"`` (matching articles) or ``"share"``
        (``n_matching / n_total``; ``NaN`` for a period without articles).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (and the group column); columns named ``topic``: one per topic in
        the timeline's order, then ``n_total`` (all dated articles of the period). A timeline
        with no rows gives a table with no rows and only the ``n_total`` column.

    Raises
    ------
    ParameterError
        For a ``value`` other than ``"n_matching"`` or ``"share"``.
    SchemaError
        When the table lacks the timeline columns, or a topic is itself called ``n_total``.

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2021-11-01", "2021-11-01", "2021-11-08", "2021-11-08"], utc=True),
    ...     "topic": ["Japan", "Korea"] * 2, "n_matching": [1, 0, 2, 1], "n_total": [2, 2, 3, 3]})
    >>> attention_table(t).reset_index().values.tolist()
    [[Timestamp('2021-11-01 00:00:00+0000', tz='UTC'), 1, 0, 2], [Timestamp('2021-11-08 00:00:00+0000', tz='UTC'), 2, 1, 3]]
    """
    if value not in ("n_matching", "share"):
        raise ParameterError("value", value, one_of(("n_matching", "share")))
    if not isinstance(attention, pd.DataFrame):
        raise SchemaError(f"attention must be a pandas DataFrame (from toolkit.attention), got {type(attention).__name__}.")
    missing = [c for c in ("period", "topic", "n_total", value) if c not in attention.columns]
    if missing:
        raise SchemaError(
            f"attention lacks the column(s) {missing}; it has {list(map(str, attention.columns))}. "
            "Make it with toolkit.attention(articles, matches)."
        )
    index = ["period"] + [c for c in attention.columns if c not in _RESERVED]
    topic_names = list(pd.unique(attention["topic"]))
    if "n_total" in topic_names:
        raise SchemaError("attention has a topic called 'n_total', which would clash with the denominator column; "
                          "rename the topic first.")
    wide = attention.pivot(index=index, columns="topic", values=value).reindex(columns=topic_names)
    totals = attention.drop_duplicates(index).set_index(index)["n_total"]
    wide["n_total"] = totals.reindex(wide.index).to_numpy()
    return wide


def matching_articles(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    topics: Sequence[str] | None = None,
    columns: Sequence[str] = ("published", "outlet", "title"),
    n: int | None = None,
) -> pd.DataFrame:
    """The articles behind each topic: one row per (topic, article), newest first.

    ``n`` keeps only the newest ``n`` articles of each topic (undated ones last).

    Returns ``topic``, ``doc_id``, the article ``columns`` joined by ``doc_id``, then ``n``
    (hits) and ``matched`` (the words that matched) when ``matches`` has them.

    Examples
    --------
    >>> arts = pd.DataFrame({"doc_id": ["a"], "title": ["Rain again"], "outlet": ["X"],
    ...                      "published": pd.to_datetime(["2021-11-01T10:00Z"])})
    >>> m = pd.DataFrame({"doc_id": ["a"], "topic": ["Weather"], "n": [2], "matched": ["rain"]})
    >>> matching_articles(arts, m)[["topic", "title", "n"]].values.tolist()
    [['Weather', 'Rain again', 2]]
    """
    missing = [c for c in ("doc_id", *columns) if c not in articles.columns]
    if missing:
        raise ParameterError("columns", list(columns), f"columns of the articles table {list(articles.columns)}",
                             hint=f"Missing: {missing}.")
    _topic_pairs(matches, topics)
    keep = ["doc_id", "topic"] + [c for c in ("n", "matched") if c in matches.columns]
    chosen = matches[keep] if topics is None else matches.loc[matches["topic"].isin(list(topics)), keep]
    out = chosen.merge(articles[["doc_id", *columns]], on="doc_id", how="inner")
    sort = ["topic"] + (["published"] if "published" in columns else [])
    out = out.sort_values(sort, ascending=[True] + [False] * (len(sort) - 1), na_position="last", kind="stable")
    if n is not None:
        if not isinstance(n, int) or n < 1:
            raise ParameterError("n", n, "a positive whole number of articles per topic, or None for all")
        out = out[out.groupby("topic").cumcount() < n]
    ordered = ["topic", "doc_id", *columns] + [c for c in ("n", "matched") if c in out.columns]
    return out[ordered].reset_index(drop=True)
