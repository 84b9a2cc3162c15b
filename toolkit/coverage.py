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
- **De-duplication** (``dedupe=True``): articles flagged ``is_duplicate`` (:mod:`toolkit.dedup`)
  leave numerators and denominators alike; periods, groups and topics stay those of the whole
  table, so raw and de-duplicated tables line up row for row (``attention(dedupe="both")``).

Beyond the timeline: :func:`outlet_shares` (each outlet's share of its own output and of the
topic's coverage, against the corpus-wide share), :func:`prominence` (headline / lede / body
only, exclusive), :func:`cooccurrence` (pairs of topics with Jaccard and PMI) and
:func:`detect_spikes` (robust z-score against a trailing window). Each documents its formula.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from toolkit.dates import parse_bounds
from toolkit.distributed import supports_dask
from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.periods import Freq, check_freq, period_range, period_start
from toolkit.schema import PUBLISHED_DTYPE

if TYPE_CHECKING:  # toolkit.text imports NLTK: load it only when topic_terms runs
    from toolkit.text import StopwordSource

log = logging.getLogger(__name__)

__all__ = [
    "PROMINENCE_PLACES", "attention", "attention_table", "cooccurrence", "detect_spikes", "matching_articles",
    "outlet_shares", "prominence", "topic_shares", "topic_terms", "volume", "wilson_interval",
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


@supports_dask
def attention(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    freq: Freq = "W",
    by: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    topics: Sequence[str] | None = None,
    dedupe: bool | Literal["both"] = False,
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
    dedupe
        ``False``: count every article. ``True``: leave out the articles flagged
        ``is_duplicate`` (by :mod:`toolkit.dedup`) from both ``n_matching`` and ``n_total``;
        the first copy of each duplicate group stays. ``"both"``: the raw and the
        de-duplicated rows stacked, told apart by a ``variant`` column (``"raw"``,
        ``"deduplicated"``) placed before ``topic``. The periods and groups are those of the
        whole table in every variant, so the two line up row for row.

    Returns
    -------
    pandas.DataFrame
        One row per period x [group] x [variant] x topic, calendar-complete and zero-filled:
        ``period``, [``by``], [``variant``], ``topic``, ``n_matching``, ``n_total``, ``share``
        (``NaN`` when ``n_total`` is 0), ``ci_low``, ``ci_high`` (Wilson 95%). See the module
        docstring for the definitions and the re-binning rule (ratio of sums).

    Raises
    ------
    ParameterError
        For an unknown ``by`` column, a bad ``freq``, an unreadable ``start``/``end``,
        ``start`` after ``end``, or a ``dedupe`` other than ``False``, ``True``, ``"both"``.
    SchemaError
        When ``articles`` or ``matches`` lacks the columns above, or ``dedupe`` is asked for
        and ``articles`` has no ``is_duplicate`` column.

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
    variants = _variants(dedupe)
    grid = _Grid(articles, freq=freq, by=by, start=start, end=end, caller="attention")
    if by == "variant" and len(variants) > 1:
        raise ParameterError("by", by, "a column not named 'variant' with dedupe='both'", hint="Rename the column first.")
    duplicate = _duplicate_flags(articles, "attention") if any(variants) else None
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

    # One factorize, not an Index engine over the Arrow ids (3x the time on 80k articles).
    rows = _positions(articles["doc_id"], pairs["doc_id"])
    unknown = int((rows < 0).sum())
    if unknown:
        log.warning("attention: %d match rows name a doc_id that is not in articles; they are ignored", unknown)
    topic_codes = pd.Index(topic_names).get_indexer(pairs["topic"])
    parts = []
    for dropped in variants:
        # A duplicate keeps its period and group but leaves every count: the grid (periods,
        # groups) is that of the whole table, so the variants line up row for row.
        cell = np.where(duplicate, -1, grid.cell) if dropped else grid.cell
        cells = np.full(len(rows), -1, dtype="int64")
        cells[rows >= 0] = cell[rows[rows >= 0]]
        inside = cells >= 0
        n_matching = np.bincount(cells[inside] * n_topics + topic_codes[inside],
                                 minlength=grid.n_cells * n_topics).astype("int64")
        n_total = np.repeat(np.bincount(cell[cell >= 0], minlength=grid.n_cells).astype("int64"), n_topics)
        out = grid.frame(repeat=n_topics)
        if len(variants) > 1:
            out["variant"] = pd.Series(["deduplicated" if dropped else "raw"] * len(out), dtype="str")
        out["topic"] = pd.Series(np.tile(np.asarray(topic_names, dtype=object), grid.n_cells), dtype="str")
        out["n_matching"] = n_matching
        out["n_total"] = n_total
        parts.append(out)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if len(parts) > 1:
        # Within each period x group cell: the raw topics, then the de-duplicated ones.
        position = np.arange(len(out))
        in_part = position % (grid.n_cells * n_topics)
        order = np.lexsort((in_part % n_topics, position // (grid.n_cells * n_topics), in_part // n_topics))
        out = out.iloc[order].reset_index(drop=True)
    return _with_share(out)


def _variants(dedupe: object) -> list[bool]:
    """The variants ``dedupe`` asks for, as "duplicates dropped?" flags."""
    if isinstance(dedupe, bool | np.bool_):
        return [bool(dedupe)]
    if dedupe == "both":
        return [False, True]
    raise ParameterError("dedupe", dedupe, one_of((False, True, "both")),
                         hint="dedupe=True leaves out the articles flagged is_duplicate.")


def _duplicate_flags(articles: pd.DataFrame, caller: str) -> np.ndarray:
    """``articles.is_duplicate`` as a numpy bool array (missing flags count as not duplicate)."""
    if "is_duplicate" not in articles.columns:
        raise SchemaError(
            f"{caller}(dedupe=...) needs duplicate flags, but articles has no is_duplicate column "
            f"(it has {list(map(str, articles.columns))}). Flag duplicates first with toolkit.dedup "
            "(it adds dup_group, dup_of and is_duplicate), or pass dedupe=False."
        )
    flags = articles["is_duplicate"]
    try:
        return flags.astype("boolean").fillna(False).to_numpy(dtype=bool)
    except (TypeError, ValueError) as err:
        raise SchemaError(
            f"articles.is_duplicate must hold True/False flags, got dtype {flags.dtype} "
            f"(e.g. {flags.dropna().head(3).tolist()}). Recompute it with toolkit.dedup."
        ) from err


def _with_share(out: pd.DataFrame) -> pd.DataFrame:
    """Add ``share`` (NaN when ``n_total`` is 0) and the Wilson interval to a counts table."""
    k = out["n_matching"].to_numpy("int64")
    n = out["n_total"].to_numpy("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(k, n)
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
    matrix: tuple | None = None,
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
    matrix
        A ``(matrix, vocabulary)`` pair from :func:`toolkit.document_term_matrix` of the same
        articles table (``stopwords=False``) to count from instead of the texts; see
        :func:`toolkit.term_frequencies`. Not with ``tokens``.

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
                                             fields=fields, min_n=min_n, matrix=matrix)
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


# ---------------------------------------------------------------------------------------------
# Outlets, prominence, co-occurrence, spikes
# ---------------------------------------------------------------------------------------------


def _check_articles(articles: pd.DataFrame, by: str | None, caller: str) -> None:
    """The articles table has unique ``doc_id`` values and the ``by`` column (when given)."""
    if not isinstance(articles, pd.DataFrame) or "doc_id" not in articles.columns:
        got = list(map(str, articles.columns)) if isinstance(articles, pd.DataFrame) else type(articles).__name__
        raise SchemaError(f"{caller}() needs an articles table with a doc_id column (toolkit.load_corpus); got {got}.")
    if by is not None:
        if not isinstance(by, str) or by not in articles.columns:
            raise ParameterError("by", by, f"None or a column of articles: {list(map(str, articles.columns))}",
                                 hint="Use by='outlet' to compare outlets.")
        if by in (*_RESERVED, "doc_id", "variant") or by.startswith(("share_", "n_")):
            raise ParameterError("by", by, "a column not named like an output column (topic, n_..., share_...)",
                                 hint="Rename the column first.")
    if articles["doc_id"].duplicated().any():
        dup = articles.loc[articles["doc_id"].duplicated(), "doc_id"].unique()[:5].tolist()
        raise SchemaError(f"articles.doc_id must be unique; repeated: {dup}.")


def _group_codes(articles: pd.DataFrame, by: str | None) -> tuple[np.ndarray, pd.Index | None]:
    """One code per article and the groups in sorted order (missing values form a group)."""
    if by is None:
        return np.zeros(len(articles), dtype="int64"), None
    try:
        codes, groups = pd.factorize(articles[by], sort=True, use_na_sentinel=False)
    except TypeError:  # unorderable mixed values: keep first-seen order
        codes, groups = pd.factorize(articles[by], use_na_sentinel=False)
    return codes.astype("int64"), pd.Index(groups, name=by)


def _topic_names(seen: Sequence[object], topics: Sequence[str] | str | None, *, only: bool) -> list[object]:
    """Listed topics first (in order), then the others alphabetically; only the listed with ``only``."""
    if isinstance(topics, str):
        topics = [topics]
    listed = list(dict.fromkeys(topics or []))
    if only and topics is not None:
        return listed
    others = [t for t in pd.unique(pd.Series(seen)) if t not in set(listed)]
    try:
        others = sorted(others)
    except TypeError:
        pass
    return listed + others


def _positions(ids: pd.Series, query: pd.Series) -> np.ndarray:
    """Row of each ``query`` value in the unique ``ids`` (-1 when absent).

    One factorize over both columns: pandas' ``isin``/``get_indexer`` on Arrow strings go
    through Python objects and are 3-20x slower on large tables.
    """
    codes = pd.factorize(pd.concat([ids, query], ignore_index=True))[0][len(ids):]
    # Unique ids get the codes 0..len(ids)-1 in order, so a smaller code is a row number.
    return np.where((codes >= 0) & (codes < len(ids)), codes, -1).astype("int64")


def _known_pairs(pairs: pd.DataFrame, articles: pd.DataFrame, caller: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The match rows whose ``doc_id`` is in ``articles`` (others logged), and their article rows."""
    rows = _positions(articles["doc_id"], pairs["doc_id"])
    known = rows >= 0
    unknown = int((~known).sum())
    if unknown:
        log.warning("%s: %d match rows name a doc_id that is not in articles; they are ignored", caller, unknown)
    return pairs[known], rows[known]


def _ratio(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``k / n`` as floats, NaN where ``n`` is 0 (undefined, not zero)."""
    k = np.asarray(k, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)


def outlet_shares(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    by: str = "outlet",
    topics: Sequence[str] | None = None,
    dedupe: bool = False,
) -> pd.DataFrame:
    """Outlet comparison: each outlet's attention to each topic, and its part of the topic's coverage.

    Two shares with their own denominators, for every group x topic (zero-filled):

    - ``share = n_matching / n_total``: the part of the outlet's **own output** about the topic
      (with the Wilson 95% interval ``ci_low``, ``ci_high``);
    - ``share_of_topic = n_matching / n_topic``: the outlet's part of **all coverage of the
      topic** (over outlets it adds up to 1, as every article has one outlet);
    - ``share_all = n_topic / n_all``: the same share for the whole corpus, for comparison, and
      ``ratio_to_all = share / share_all`` (above 1: the outlet covers the topic more than the
      corpus as a whole does).

    Every article of the table counts, dated or not (like :func:`topic_shares`); a share whose
    denominator is 0 is ``NaN``.

    Parameters
    ----------
    articles
        The articles table the matches were made from (needs ``doc_id`` and ``by``).
    matches
        Which articles match which topics (``doc_id``, ``topic``), e.g. from
        :func:`toolkit.match_topics`; an article counts once per topic. Ids not in ``articles``
        are ignored (and logged).
    by
        The column that names the outlet (or any other group). Missing values form a group.
    topics
        Topics that must appear even without any match, listed first in this order; then the
        other topics of ``matches`` alphabetically.
    dedupe
        Leave out the articles flagged ``is_duplicate`` (:mod:`toolkit.dedup`) from every
        count, numerators and denominators alike.

    Returns
    -------
    pandas.DataFrame
        One row per group x topic: ``by``, ``topic``, ``n_matching``, ``n_total`` (the group's
        articles), ``share``, ``ci_low``, ``ci_high``, ``n_topic`` (all articles on the topic),
        ``share_of_topic``, ``n_all`` (all articles), ``share_all``, ``ratio_to_all``.

    Raises
    ------
    ParameterError
        For a ``by`` that is not a column of ``articles``.
    SchemaError
        When a table lacks its columns, or ``dedupe=True`` without ``is_duplicate`` flags.

    Examples
    --------
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "outlet": ["X", "X", "X", "Y"]})
    >>> m = pd.DataFrame({"doc_id": ["a", "d"], "topic": ["Rain", "Rain"]})
    >>> t = outlet_shares(arts, m)
    >>> t[["outlet", "n_matching", "n_total", "share", "n_topic", "share_of_topic", "ratio_to_all"]].values.tolist()
    [['X', 1, 3, 0.3333333333333333, 2, 0.5, 0.6666666666666666], ['Y', 1, 1, 1.0, 2, 0.5, 2.0]]
    """
    if by is None:
        raise ParameterError("by", by, "a column of articles that names the outlet, e.g. 'outlet'",
                             hint="For the whole corpus use toolkit.topic_shares(articles, matches).")
    _check_articles(articles, by, "outlet_shares")
    _check_matches(matches)
    # Groups come from the whole table: an outlet whose every article is a duplicate stays,
    # with n_total 0, so raw and de-duplicated tables line up.
    codes, groups = _group_codes(articles, by)
    keep = ~_duplicate_flags(articles, "outlet_shares") if dedupe else np.ones(len(articles), dtype=bool)
    pairs, row = _known_pairs(matches[["doc_id", "topic"]].dropna().drop_duplicates(), articles, "outlet_shares")
    names = _topic_names(pairs["topic"], topics, only=False)
    topic = _positions(pd.Series(names, dtype=object), pairs["topic"])
    kept = keep[row]  # the matches of duplicates leave with them
    row, topic = row[kept], topic[kept]
    n_groups, n_topics = len(groups), len(names)
    n_matching = np.bincount(codes[row] * n_topics + topic, minlength=n_groups * n_topics).astype("int64")
    n_total = np.bincount(codes[keep], minlength=n_groups).astype("int64")
    n_topic = np.bincount(topic, minlength=n_topics).astype("int64")
    n_all = int(keep.sum())
    out = pd.DataFrame({by: groups.take(np.repeat(np.arange(n_groups), n_topics))})
    out["topic"] = pd.Series(np.tile(np.asarray(names, dtype=object), n_groups), dtype="str")
    out["n_matching"] = n_matching
    out["n_total"] = np.repeat(n_total, n_topics)
    out = _with_share(out)
    out["n_topic"] = np.tile(n_topic, n_groups)
    out["share_of_topic"] = _ratio(out["n_matching"].to_numpy(), out["n_topic"].to_numpy())
    out["n_all"] = np.int64(n_all)
    out["share_all"] = _ratio(out["n_topic"].to_numpy(), np.full(len(out), n_all))
    share_all = out["share_all"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio_to_all"] = np.where(share_all > 0, out["share"].to_numpy() / np.where(share_all > 0, share_all, 1.0),
                                       np.nan)
    return out


#: The exclusive places of :func:`prominence`, in the order of its columns.
PROMINENCE_PLACES: tuple[str, ...] = ("title", "lede", "body_only")


def prominence(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    by: str | None = None,
    topics: Sequence[str] | None = None,
    dedupe: bool = False,
) -> pd.DataFrame:
    """Where the matching articles mention each topic: in the headline, the lede, or only the body.

    Every matching article falls in exactly one place, the most prominent it reaches:

    - ``n_title``: a hit in the headline (``n_title > 0`` in the matches), wherever else;
    - ``n_lede``: a hit in the lede but **not** in the headline;
    - ``n_body_only``: neither in the headline nor in the lede (the hits are further down).

    so ``n_title + n_lede + n_body_only == n_matching``, and the shares ``share_title``,
    ``share_lede``, ``share_body_only`` (each ``n_... / n_matching``, ``NaN`` when
    ``n_matching`` is 0) add up to 1. "Mentioned in the lede at all" is
    ``n_title``'s articles with a lede hit plus ``n_lede``; it needs the per-article matches
    (``matches.n_lede > 0``).

    Parameters
    ----------
    articles
        The articles table the matches were made from (needs ``doc_id`` and ``by``).
    matches
        From :func:`toolkit.match_topics`: ``doc_id``, ``topic``, ``n_title``, ``n_lede`` (hits
        per field; ``n_body`` is not needed). Several rows of one (article, topic) are combined.
        Ids not in ``articles`` are ignored (and logged).
    by
        A column of ``articles`` to split by (e.g. ``"outlet"``); every group appears with every
        topic. Missing values form a group.
    topics
        Topics that must appear even without any match, listed first in this order; then the
        other topics of ``matches`` alphabetically.
    dedupe
        Leave out the articles flagged ``is_duplicate`` (:mod:`toolkit.dedup`).

    Returns
    -------
    pandas.DataFrame
        One row per [group x] topic: [``by``], ``topic``, ``n_matching``, ``n_title``,
        ``n_lede``, ``n_body_only``, ``share_title``, ``share_lede``, ``share_body_only``.

    Raises
    ------
    ParameterError
        For a ``by`` that is not a column of ``articles``.
    SchemaError
        When ``matches`` lacks the per-field counts, or ``dedupe=True`` without flags.

    Examples
    --------
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c"]})
    >>> m = pd.DataFrame({"doc_id": ["a", "b", "c"], "topic": "Rain", "n_title": [1, 0, 0],
    ...                   "n_lede": [1, 2, 0], "n_body": [0, 1, 3]})
    >>> prominence(arts, m)[["n_matching", "n_title", "n_lede", "n_body_only"]].values.tolist()
    [[3, 1, 1, 1]]
    """
    _check_articles(articles, by, "prominence")
    _check_matches(matches)
    missing = [c for c in ("n_title", "n_lede") if c not in matches.columns]
    if missing:
        raise SchemaError(
            f"prominence() needs hits per field, but matches lacks the column(s) {missing}; it has "
            f"{list(map(str, matches.columns))}. Make it with toolkit.match_topics(articles, topics), "
            "which counts hits in the title, the lede and the body."
        )
    rows = matches[["doc_id", "topic", "n_title", "n_lede"]].dropna(subset=["doc_id", "topic"])
    rows, row = _known_pairs(rows, articles, "prominence")
    # Topics (like groups) from before de-duplication: both tables have the same rows.
    names = _topic_names(rows["topic"], topics, only=False)
    if dedupe:
        # Groups still come from the whole table (see outlet_shares); only the matches go.
        kept = ~_duplicate_flags(articles, "prominence")[row]
        rows, row = rows[kept], row[kept]
    place = pd.DataFrame({
        "row": row, "topic": _positions(pd.Series(names, dtype=object), rows["topic"]),
        "title": pd.to_numeric(rows["n_title"]).fillna(0).to_numpy() > 0,
        "lede": pd.to_numeric(rows["n_lede"]).fillna(0).to_numpy() > 0,
    }).groupby(["row", "topic"], sort=False, as_index=False)[["title", "lede"]].any()
    codes, groups = _group_codes(articles, by)
    n_groups = 1 if groups is None else len(groups)
    group = codes[place["row"].to_numpy()]
    topic = place["topic"].to_numpy()
    where = np.select([place["title"].to_numpy(), place["lede"].to_numpy()], [0, 1], 2)
    n_places = len(PROMINENCE_PLACES)
    counts = np.bincount((group * len(names) + topic) * n_places + where,
                         minlength=n_groups * len(names) * n_places).reshape(-1, n_places).astype("int64")
    out = pd.DataFrame()
    if groups is not None:
        out[by] = groups.take(np.repeat(np.arange(n_groups), len(names)))
    out["topic"] = pd.Series(np.tile(np.asarray(names, dtype=object), n_groups), dtype="str")
    out["n_matching"] = counts.sum(axis=1)
    for i, name in enumerate(PROMINENCE_PLACES):
        out[f"n_{name}"] = counts[:, i]
    for name in PROMINENCE_PLACES:
        out[f"share_{name}"] = _ratio(out[f"n_{name}"].to_numpy(), out["n_matching"].to_numpy())
    return out


def cooccurrence(
    matches: pd.DataFrame,
    *,
    topics: Sequence[str] | None = None,
    articles: pd.DataFrame | None = None,
    dedupe: bool = False,
    ordered: bool = False,
    diagonal: bool = False,
) -> pd.DataFrame:
    """Topic co-occurrence: how many articles mention both topics of each pair, with Jaccard and PMI.

    For topics *a* and *b*, with ``n_a``, ``n_b`` the articles that mention each, ``n_both``
    those that mention both and ``N = n_articles``:

    - ``n_either = n_a + n_b - n_both``;
    - ``jaccard = n_both / n_either`` (``NaN`` when ``n_either`` is 0);
    - ``pmi = log2(n_both * N / (n_a * n_b))``: 0 when the topics meet as often as chance
      predicts, positive when more often. ``-inf`` when ``n_both`` is 0 (they never meet) and
      ``NaN`` when ``n_a`` or ``n_b`` is 0 (undefined).

    Parameters
    ----------
    matches
        Which articles match which topics (``doc_id``, ``topic``); an article counts once per
        topic.
    topics
        Only these topics, in this order (default: every topic of ``matches``, alphabetically).
        A listed topic without matches gets rows with ``n_a == 0``.
    articles
        The articles table: ``N`` is its number of rows, and match ids outside it are ignored
        (and logged). Without it, ``N`` is the number of distinct articles in ``matches`` (any
        topic): PMI is then relative to the articles that match some topic, and larger with
        more of the corpus.
    dedupe
        Leave out the articles flagged ``is_duplicate`` (needs ``articles``).
    ordered
        ``False``: one row per unordered pair (``topic_a`` before ``topic_b`` in topic order).
        ``True``: both orders, e.g. for a full matrix.
    diagonal
        Add the rows of each topic with itself (``n_both == n_a``, ``jaccard`` 1,
        ``pmi = log2(N / n_a)``).

    Returns
    -------
    pandas.DataFrame
        ``topic_a``, ``topic_b``, ``n_a``, ``n_b``, ``n_both``, ``n_either``, ``n_articles``,
        ``jaccard``, ``pmi``.

    Raises
    ------
    ParameterError
        For ``dedupe=True`` without ``articles``.
    SchemaError
        When a table lacks its columns, or ``dedupe=True`` without ``is_duplicate`` flags.

    Examples
    --------
    >>> m = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "topic": ["Rain", "Sun", "Rain", "Sun"]})
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c", "d"]})
    >>> cooccurrence(m, articles=arts)[["topic_a", "topic_b", "n_both", "n_either", "jaccard", "pmi"]].values.tolist()
    [['Rain', 'Sun', 1, 3, 0.3333333333333333, 0.0]]
    """
    _check_matches(matches)
    pairs = matches[["doc_id", "topic"]].dropna().drop_duplicates()
    if articles is not None:
        _check_articles(articles, None, "cooccurrence")
        pairs, row = _known_pairs(pairs, articles, "cooccurrence")
        n_articles = len(articles)
        if dedupe:
            duplicate = _duplicate_flags(articles, "cooccurrence")
            pairs = pairs[~duplicate[row]]
            n_articles -= int(duplicate.sum())
    elif dedupe:
        raise ParameterError("dedupe", dedupe, "False when articles is not given",
                             hint="Pass articles=... (with is_duplicate flags from toolkit.dedup).")
    else:
        n_articles = int(pairs["doc_id"].nunique())
    names = _topic_names(pairs["topic"], topics, only=True)
    index = pd.Index(names, dtype=object)
    topic = _positions(pd.Series(names, dtype=object), pairs["topic"])
    pairs, topic = pairs[topic >= 0], topic[topic >= 0]
    k = len(names)
    doc = pd.factorize(pairs["doc_id"])[0]
    # Self-join on the article: its cost is the sum of (topics per article)², not articles x topics.
    joint = pd.DataFrame({"doc": doc, "t": topic})
    joint = joint.merge(joint, on="doc")
    both = np.bincount(joint["t_x"].to_numpy() * k + joint["t_y"].to_numpy(), minlength=k * k).reshape(k, k)
    alone = np.diag(both).copy() if k else np.zeros(0, dtype="int64")
    a, b = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    keep = (a != b) if ordered else (a < b)
    if diagonal:
        keep |= a == b
    a, b = a[keep], b[keep]
    out = pd.DataFrame({
        "topic_a": pd.Series(index.take(a), dtype="str"),
        "topic_b": pd.Series(index.take(b), dtype="str"),
        "n_a": alone[a].astype("int64"),
        "n_b": alone[b].astype("int64"),
        "n_both": both[a, b].astype("int64"),
    })
    out["n_either"] = out["n_a"] + out["n_b"] - out["n_both"]
    out["n_articles"] = np.int64(n_articles)
    out["jaccard"] = _ratio(out["n_both"].to_numpy(), out["n_either"].to_numpy())
    n_a = out["n_a"].to_numpy("float64")
    n_b = out["n_b"].to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(out["n_both"].to_numpy("float64") * n_articles / (n_a * n_b))
    out["pmi"] = np.where((n_a > 0) & (n_b > 0), pmi, np.nan)
    return out


#: Columns of a timeline that hold figures, not series keys (see :func:`detect_spikes`).
_MEASURES = frozenset({
    "period", "n_matching", "n_total", "share", "ci_low", "ci_high", "n_articles",
    "baseline", "n_baseline", "z", "is_spike",
})
#: 0.6745 = the standard normal's 75% quantile: makes MAD-based z comparable to a normal z.
_MAD_SCALE = 0.6745
#: sqrt(pi / 2): the mean absolute deviation of a normal is sigma / 1.2533.
_MEANAD_SCALE = 1.253314


def detect_spikes(
    table: pd.DataFrame,
    *,
    value: Literal["share", "n_matching"] = "share",
    window: int = 14,
    min_periods: int = 7,
    threshold: float = 3.5,
    min_count: int = 3,
) -> pd.DataFrame:
    """Flag bursts of attention: periods far above their own recent past (robust z-score).

    For each series (each topic x group of the timeline) and each period, the **baseline** is
    the ``window`` periods before it (the period itself excluded, so a burst does not raise its
    own bar; missing values such as the share of a period without articles are skipped):

    - ``baseline`` = median of the baseline values, ``MAD`` = median of their absolute
      deviations from it;
    - ``z = 0.6745 * (x - baseline) / MAD`` (Iglewicz and Hoaglin's modified z-score);
    - when ``MAD`` is 0 (over half the baseline is one value, e.g. a topic usually at 0):
      ``z = (x - baseline) / (1.2533 * MeanAD)`` with the mean absolute deviation, and when
      that is 0 too (a constant baseline): ``z = 0`` for ``x == baseline``, ``+inf``/``-inf``
      above/below it;
    - ``z`` is ``NaN`` when ``x`` is missing or the baseline has fewer than ``min_periods``
      values (the first periods of a series);
    - ``is_spike = z > threshold and n_matching >= min_count`` (bursts only, not drops; the
      count floor keeps one article of two from counting as a burst).

    ``window`` counts rows of the series in period order, so the table should be
    calendar-complete, as :func:`attention` makes it.

    Parameters
    ----------
    table
        A timeline from :func:`attention` (``period``, ``n_matching``, the ``value`` column,
        and key columns such as ``topic``, ``outlet``, ``variant``). Every column that is not a
        figure (``n_...``, ``share``, ``ci_...``) is a series key.
    value
        The figure to watch: ``"share"`` (of all articles in the period) or ``"n_matching"``.
    window
        Number of earlier periods in the baseline (>= 2). Short windows make the median and
        MAD noisy: on simulated Poisson counts without any burst (means 2 to 50, 2,000 periods),
        window 8 flagged about 3% of periods, 14 about 1-1.5%, 28 about 0.5%.
    min_periods
        Fewest baseline values needed for a z-score (1 to ``window``).
    threshold
        The z-score above which a period is a spike (3.5 is Iglewicz and Hoaglin's rule).
    min_count
        Fewest matching articles a spike needs (>= 0).

    Returns
    -------
    pandas.DataFrame
        The table (same rows and order) with ``baseline``, ``n_baseline`` (the number of
        baseline values: the z-score's denominator), ``z`` and ``is_spike`` added (replaced if
        present).

    Raises
    ------
    ParameterError
        For a bad ``value``, ``window``, ``min_periods``, ``threshold`` or ``min_count``.
    SchemaError
        When the table lacks ``period``, ``n_matching`` or the ``value`` column.

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.date_range("2021-11-01", periods=6, freq="D", tz="UTC"),
    ...     "topic": "Rain", "n_matching": [2, 3, 2, 3, 2, 9]})
    >>> got = detect_spikes(t, value="n_matching", window=4, min_periods=3)
    >>> got[["baseline", "n_baseline", "z", "is_spike"]].tail(2).round(4).values.tolist()
    [[2.5, 4, -0.6745, False], [2.5, 4, 8.7685, True]]
    """
    if value not in ("share", "n_matching"):
        raise ParameterError("value", value, one_of(("share", "n_matching")))
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 2:
        raise ParameterError("window", window, "a whole number of periods >= 2", hint="window=14 compares with the 14 periods before.")
    if isinstance(min_periods, bool) or not isinstance(min_periods, int | np.integer) or not 1 <= min_periods <= window:
        raise ParameterError("min_periods", min_periods, f"a whole number from 1 to window={window}")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.number) or not threshold > 0:
        raise ParameterError("threshold", threshold, "a positive number, e.g. 3.5")
    if isinstance(min_count, bool) or not isinstance(min_count, int | np.integer) or min_count < 0:
        raise ParameterError("min_count", min_count, "a whole number of articles >= 0")
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(f"detect_spikes needs a timeline DataFrame (from toolkit.attention), got {type(table).__name__}.")
    missing = [c for c in dict.fromkeys(("period", "n_matching", value)) if c not in table.columns]
    if missing:
        raise SchemaError(f"detect_spikes: the table lacks the column(s) {missing}; it has "
                          f"{list(map(str, table.columns))}. Make it with toolkit.attention(articles, matches).")
    out = table.drop(columns=[c for c in ("baseline", "n_baseline", "z", "is_spike") if c in table.columns])
    keys = [c for c in out.columns if c not in _MEASURES]
    x = out[value].to_numpy("float64", na_value=np.nan)
    baseline = np.full(len(out), np.nan)
    n_baseline = np.zeros(len(out), dtype="int64")
    z = np.full(len(out), np.nan)
    series = out.groupby(keys, dropna=False, sort=False).ngroup().to_numpy() if keys else np.zeros(len(out), "int64")
    # Rows sorted by series, then period: each series is one contiguous run.
    order = np.lexsort((pd.factorize(out["period"], sort=True)[0], series))
    bounds = np.flatnonzero(np.diff(series[order])) + 1
    for rows in np.split(order, bounds) if len(out) else []:
        baseline[rows], n_baseline[rows], z[rows] = _robust_z(x[rows], window, min_periods)
    out = out.copy()
    out["baseline"] = baseline
    out["n_baseline"] = n_baseline
    out["z"] = z
    counts = out["n_matching"].to_numpy("float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        out["is_spike"] = (z > threshold) & (counts >= min_count)
    return out


def _robust_z(v: np.ndarray, window: int, min_periods: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trailing-window median, baseline size and modified z-score of one series (see detect_spikes)."""
    import warnings

    from numpy.lib.stride_tricks import sliding_window_view

    n = len(v)
    padded = np.concatenate([np.full(window, np.nan), v])
    past = sliding_window_view(padded, window)[:n]  # row i: the window periods before period i
    count = (~np.isnan(past)).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN, as wanted
        med = np.nanmedian(past, axis=1)
        spread = np.abs(past - med[:, None])
        mad = np.nanmedian(spread, axis=1)
        mean_ad = np.nanmean(spread, axis=1)
    dev = v - med
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mad > 0, _MAD_SCALE * dev / mad,
                     np.where(mean_ad > 0, dev / (_MEANAD_SCALE * mean_ad),
                              np.where(dev == 0, 0.0, np.sign(dev) * np.inf)))
    z = np.where((count >= min_periods) & ~np.isnan(v), z, np.nan)
    return np.where(count > 0, med, np.nan), count.astype("int64"), z
