"""Words that set a group apart, words that go together, words in context: keyness,
collocations, keyword-in-context (KWIC) and tf-idf.

Every function takes the articles table first and returns a tidy pandas DataFrame. Counting
reuses :mod:`toolkit.stats` (same words, same ``lower``/``stopwords``/``fields`` options, same
precomputed ``tokens=`` table), so a term counted here is the term :func:`toolkit.term_frequencies`
counts. Statistics are computed on whole arrays with numpy (one pass for every term, no scipy
call per term, no dense document x term matrix); collocation scores are NLTK's own measures,
applied by NLTK's collocation finders to counts made with numpy.

Formulas are stated in each function's docstring.
"""

from __future__ import annotations

import bisect
import fnmatch
import logging
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa

from toolkit.distributed import supports_dask
from toolkit.errors import ParameterError, one_of
from toolkit.periods import Freq
from toolkit.schema import validate_articles
from toolkit.stats import (
    By,
    _article_groups,
    _check_fields_arg,
    _codes_of,
    _count_terms,
    _counted_words,
    _ranks,
    _word_tokens,
)
from toolkit.text import (
    StopwordSource,
    _builtin_punkt,
    _sentences,
    _stop_mask,
    _stopword_set,
    _str_series,
    _word_pattern,
)

logger = logging.getLogger(__name__)

KeynessMeasure = Literal["g2", "chi2", "log_ratio"]
CollocationMeasure = Literal[
    "likelihood_ratio", "pmi", "t_score", "chi_sq", "poisson_stirling", "raw_freq", "jaccard", "dice", "phi_sq"
]
PatternType = Literal["exact", "glob", "regex"]
KwicMode = Literal["tokens", "sentence"]
Norm = Literal["l2", "l1"]

KEYNESS_MEASURES: tuple[str, ...] = get_args(KeynessMeasure)
COLLOCATION_MEASURES: tuple[str, ...] = get_args(CollocationMeasure)
PATTERN_TYPES: tuple[str, ...] = get_args(PatternType)
KWIC_MODES: tuple[str, ...] = get_args(KwicMode)
NORMS: tuple[str, ...] = get_args(Norm)

# Our measure names -> NLTK's method names on BigramAssocMeasures / TrigramAssocMeasures.
_NLTK_MEASURES: dict[str, str] = {
    "likelihood_ratio": "likelihood_ratio",
    "pmi": "pmi",
    "t_score": "student_t",
    "chi_sq": "chi_sq",
    "poisson_stirling": "poisson_stirling",
    "raw_freq": "raw_freq",
    "jaccard": "jaccard",
    "dice": "dice",
    "phi_sq": "phi_sq",
}
_BIGRAM_ONLY = frozenset({"dice", "phi_sq"})


# ---------------------------------------------------------------------------------------------
# Small checks
# ---------------------------------------------------------------------------------------------


def _check_int(name: str, value: object, *, minimum: int, hint: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        expected = f"an integer >= {minimum}" + (" or None" if allow_none else "")
        raise ParameterError(name, value, expected, hint=hint)
    return int(value)


def _check_choice(name: str, value: object, choices: Sequence[str], hint: str | None = None) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ParameterError(name, value, one_of(choices), hint=hint)
    return value


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(name, value, "True or False")
    return bool(value)


def _chi2_sf_1df(stat: np.ndarray) -> np.ndarray:
    """Upper tail of the chi-square distribution with 1 degree of freedom.

    For one degree of freedom ``P(X >= x) = erfc(sqrt(x / 2))`` exactly, so no scipy is
    needed at run time; :func:`math.erfc` keeps full relative precision far into the tail.
    """
    stat = np.asarray(stat, dtype=np.float64)
    out = np.full(stat.shape, np.nan)
    ok = np.isfinite(stat)
    out[ok] = np.frompyfunc(math.erfc, 1, 1)(np.sqrt(np.maximum(stat[ok], 0.0) / 2.0)).astype(np.float64)
    return out


# ---------------------------------------------------------------------------------------------
# Keyness
# ---------------------------------------------------------------------------------------------


def _is_mask(value: object) -> bool:
    if isinstance(value, pd.Series | pd.Index | np.ndarray | pd.api.extensions.ExtensionArray):
        return pd.api.types.is_bool_dtype(value.dtype)
    return False


def _selection(arts: pd.DataFrame, value: object, *, name: str, by: object) -> np.ndarray:
    """Boolean mask of the articles chosen by ``target=`` / ``reference=``."""
    if _is_mask(value):
        if isinstance(value, pd.Series):
            if not value.index.equals(arts.index):
                raise ParameterError(
                    name, "<boolean Series>", "a boolean Series with the articles table's index",
                    hint=f"Build it from the table itself, e.g. {name}=articles['outlet'] == 'BBC'.",
                )
            if value.isna().any():
                raise ParameterError(name, "<boolean Series with missing values>", "a boolean mask without NA",
                                     hint="Fill missing values first: mask.fillna(False).")
        mask = np.asarray(value, dtype=bool)
        if len(mask) != len(arts):
            raise ParameterError(name, f"<boolean mask of length {len(mask)}>",
                                 f"a boolean mask with one value per article ({len(arts)})")
        return mask
    if not isinstance(by, str):
        raise ParameterError("by", by, "a column name of the articles table",
                             hint=f"Columns: {list(arts.columns)}. Or pass {name}= as a boolean mask over the articles.")
    if by not in arts.columns:
        raise ParameterError("by", by, f"a column of the articles table ({one_of(arts.columns)})",
                             hint="Use by='doc_id' to choose articles by id.")
    if value is None or isinstance(value, str) or not isinstance(value, Collection):
        values = [value]
    else:
        values = list(value)
    if not values:
        raise ParameterError(name, value, f"a value of the {by!r} column, a list of values, or a boolean mask")
    column = arts[by]
    present = pd.unique(column.dropna())
    known = set(present.tolist())
    unknown = [v for v in values if v not in known]
    if unknown:
        shown = sorted(map(str, present))[:20]
        more = f" (and {len(present) - 20} more)" if len(present) > 20 else ""
        raise ParameterError(
            name, value if len(values) > 1 else values[0],
            f"values of the {by!r} column: {one_of(shown)}{more}",
            hint=f"{unknown[:5]} not found. Check the spelling, or choose another column with by=.",
        )
    return column.isin(values).to_numpy(dtype=bool, na_value=False)


@supports_dask
def keyness(
    articles: pd.DataFrame,
    *,
    target: object,
    reference: object = None,
    by: str = "outlet",
    measure: KeynessMeasure = "g2",
    williams: bool = False,
    yates: bool = True,
    min_count: int = 5,
    stopwords: bool | StopwordSource | Collection[str] = True,
    lower: bool = True,
    n: int | None = None,
    tokens: pd.DataFrame | None = None,
    fields: Sequence[str] = ("title", "text"),
    matrix: tuple | None = None,
) -> pd.DataFrame:
    r"""Keywords: terms over- or under-represented in a target group compared with a reference.

    Each term gets a 2 x 2 table of word counts::

                        target      reference
        term            a           b
        other words     c = N_t-a   d = N_r-b

    with ``N_t`` and ``N_r`` all counted words of the target and the reference. With
    ``N = N_t + N_r``, the expected counts are ``E = row total * column total / N`` and

    - ``g2`` (log-likelihood, Dunning 1993): :math:`G^2 = 2\sum O \ln(O/E)` over the four
      cells (``0 ln 0 = 0``), as ``scipy.stats.power_divergence(lambda_="log-likelihood")``
      or ``chi2_contingency(table, correction=False, lambda_="log-likelihood")``. With
      ``williams=True`` it is divided by Williams's correction
      :math:`q = 1 + (N(1/R_1 + 1/R_2) - 1)(N(1/C_1 + 1/C_2) - 1) / (6N)` (R: row totals,
      C: column totals; Sokal & Rohlf, *Biometry*).
    - ``chi2`` (Pearson): :math:`\chi^2 = \sum (|O - E| - 0.5)^2 / E` with Yates's continuity
      correction (``yates=True``, default; the difference is floored at 0), or without it:
      as ``scipy.stats.chi2_contingency(table, correction=yates)``.
    - ``log_ratio`` (Hardie 2014), an effect size:
      :math:`\log_2\frac{a'/N_t}{b'/N_r}` where a zero count is replaced by 0.5
      (``a' = a`` if ``a > 0`` else 0.5, likewise ``b'``). +1 means twice as frequent in the
      target; it is always returned.

    ``p`` is the chi-square upper tail with 1 degree of freedom of the statistic
    (``g2``/``chi2``); for ``measure="log_ratio"`` it is the p-value of G2 (with Williams's
    correction if asked), which is then also returned as column ``g2``: Hardie's advice is to
    rank by log ratio and filter by the log-likelihood test.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    target
        The target articles: a value of the ``by`` column (``"BBC"``), a list of values
        (``["BBC", "ITV"]``), or a boolean mask over the articles (a numpy array, or a Series
        with the table's index), in which case ``by`` is not used. To choose articles by id,
        use ``by="doc_id"`` with a list of ids.
    reference
        The reference, in the same forms. ``None`` (default): every other article of the
        table. It must not overlap the target.
    by
        The column that ``target`` and ``reference`` values refer to.
    measure
        ``"g2"`` (default), ``"chi2"`` or ``"log_ratio"``: the statistic column, and the one
        that orders the table.
    williams
        Apply Williams's correction to G2.
    yates
        Apply Yates's continuity correction to chi2 (it does not apply to G2).
    min_count
        Leave out terms seen fewer than ``min_count`` times in target and reference together
        (corpus sizes ``N_t``, ``N_r`` still count every word).
    stopwords, lower, fields, tokens
        As in :func:`toolkit.term_frequencies`: what counts as a word.
    matrix
        A ``(matrix, vocabulary)`` pair from :func:`toolkit.document_term_matrix` of this same
        table (same rows and order) made with ``stopwords=False`` and the same ``lower`` and
        ``fields``: the counts are taken from it (``stopwords`` drops its columns) instead of
        counting the texts again. Same result; not with ``tokens``.
    n
        Keep the ``n`` highest-ranked terms in **each** direction (``None``: all).

    Returns
    -------
    pandas.DataFrame
        One row per term: ``term``, ``n_target`` (a), ``n_reference`` (b), the measure column
        (``g2``, ``chi2`` or ``log_ratio``), ``p``, ``log_ratio`` (always), ``g2`` (when
        ``measure="log_ratio"``), ``direction`` (``"target"``: relatively more frequent in the
        target, ``a/N_t > b/N_r``; ``"reference"``: less; ``"none"``: exactly equal), and the
        corpus sizes ``total_target`` (N_t) and ``total_reference`` (N_r). Sorted with the
        target's keywords first, then the reference's, then ties; within each by the measure
        (``abs(log_ratio)`` for log_ratio) descending, then term.

    Raises
    ------
    ParameterError
        For an unknown measure, ``by`` column or target/reference value, overlapping target and
        reference, a group without words, or a bad ``min_count``/``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "Y"],
    ...     "title": [None, None, None], "published": pd.to_datetime([None] * 3, utc=True),
    ...     "text": ["Tariffs, tariffs and trade.", "Trade talks.", "Trade and football."]})
    >>> k = keyness(arts, target="X", min_count=1)
    >>> k[["term", "n_target", "n_reference", "direction"]].values.tolist()
    [['tariffs', 2, 0, 'target'], ['football', 0, 1, 'reference'], ['talks', 0, 1, 'reference'], ['trade', 1, 2, 'reference']]
    >>> round(float(k["log_ratio"].iloc[0]), 3)  # log2((2/3) / (0.5/4)): N_t = 3, N_r = 4
    2.415
    """
    arts = validate_articles(articles)
    measure = _check_choice("measure", measure, KEYNESS_MEASURES,
                            hint="'g2' (log-likelihood) is the usual choice; 'log_ratio' is an effect size.")
    williams, yates, lower = _check_bool("williams", williams), _check_bool("yates", yates), _check_bool("lower", lower)
    min_count = _check_int("min_count", min_count, minimum=1, hint="min_count=5 leaves out terms seen fewer than 5 times.")
    n = _check_int("n", n, minimum=1, allow_none=True, hint="n=20 keeps the 20 top terms in each direction.")

    in_target = _selection(arts, target, name="target", by=by)
    if not in_target.any():
        raise ParameterError("target", target, "a selection of at least one article")
    if reference is None:
        in_reference = ~in_target
        if not in_reference.any():
            raise ParameterError("reference", reference, "a reference: the target is the whole table",
                                 hint="Pass reference= explicitly, or a target that is a part of the table.")
    else:
        in_reference = _selection(arts, reference, name="reference", by=by)
        if not in_reference.any():
            raise ParameterError("reference", reference, "a selection of at least one article")
        if (in_target & in_reference).any():
            raise ParameterError("reference", reference, "articles that are not in the target",
                                 hint="Target and reference must not overlap; leave reference=None for 'all the rest'.")

    counted = _keyness_words(arts, tokens, matrix, keep=in_target | in_reference, fields=fields, lower=lower,
                             stopwords=stopwords)
    return _keyness_table(counted, in_target, in_reference, target=target, reference=reference,
                          measure=measure, williams=williams, yates=yates, min_count=min_count, n=n)


def topic_keyness(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    topics: Sequence[str] | None = None,
    measure: KeynessMeasure = "g2",
    williams: bool = False,
    yates: bool = True,
    min_count: int = 5,
    stopwords: bool | StopwordSource | Collection[str] = True,
    lower: bool = True,
    n: int | None = None,
    tokens: pd.DataFrame | None = None,
    fields: Sequence[str] = ("title", "text"),
    matrix: tuple | None = None,
) -> pd.DataFrame:
    """Keyness of each topic: its matching articles against all the other articles.

    The same as calling :func:`keyness` once per topic with ``target`` = the articles that
    ``matches`` lists for the topic (and ``reference=None``: every other article), but the
    words are counted once for all topics, which on a large corpus is most of the work.
    Topics whose matching articles are none or all of the table have no reference and are
    left out.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    matches
        The table from :func:`toolkit.match_topics` for these articles (``doc_id``, ``topic``).
    topics
        Topics to compute, in this order; ``None``: those in ``matches``, in order of appearance.
    measure, williams, yates, min_count, stopwords, lower, n, tokens, fields, matrix
        As in :func:`keyness`.

    Returns
    -------
    pandas.DataFrame
        ``topic`` followed by the columns of :func:`keyness`, the topics one after the other.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "Y"],
    ...     "title": [None, None, None], "published": pd.to_datetime([None] * 3, utc=True),
    ...     "text": ["Tariffs, tariffs and trade.", "Trade talks.", "Trade and football."]})
    >>> matches = pd.DataFrame({"doc_id": ["a"], "topic": ["tariffs"]})
    >>> topic_keyness(arts, matches, min_count=1)[["topic", "term", "n_target"]].head(1).values.tolist()
    [['tariffs', 'tariffs', 2]]
    """
    arts = validate_articles(articles)
    if not isinstance(matches, pd.DataFrame) or not {"doc_id", "topic"} <= set(matches.columns):
        have = list(matches.columns) if isinstance(matches, pd.DataFrame) else type(matches).__name__
        raise ParameterError("matches", have, "the table from toolkit.match_topics(articles, topics) (doc_id, topic)")
    measure = _check_choice("measure", measure, KEYNESS_MEASURES,
                            hint="'g2' (log-likelihood) is the usual choice; 'log_ratio' is an effect size.")
    williams, yates, lower = _check_bool("williams", williams), _check_bool("yates", yates), _check_bool("lower", lower)
    min_count = _check_int("min_count", min_count, minimum=1, hint="min_count=5 leaves out terms seen fewer than 5 times.")
    n = _check_int("n", n, minimum=1, allow_none=True, hint="n=20 keeps the 20 top terms in each direction.")
    names = list(dict.fromkeys(matches["topic"].astype("str"))) if topics is None else [str(t) for t in topics]
    doc_ids = arts["doc_id"].astype("str")
    parts = []
    counted = None
    for name in names:
        in_target = doc_ids.isin(matches.loc[matches["topic"].astype("str") == name, "doc_id"].astype("str")).to_numpy()
        if not in_target.any() or in_target.all():
            continue
        if counted is None:
            counted = _keyness_words(arts, tokens, matrix, keep=np.ones(len(arts), dtype=bool), fields=fields,
                                     lower=lower, stopwords=stopwords)
        try:
            table = _keyness_table(counted, in_target, ~in_target, target=name, reference=None,
                                   measure=measure, williams=williams, yates=yates, min_count=min_count, n=n)
        except ParameterError:
            continue  # one side without counted words: no keyness for this topic
        parts.append(table.assign(topic=name))
    columns = ["topic", "term", "n_target", "n_reference", measure, "p",
               "g2" if measure == "log_ratio" else "log_ratio", "direction", "total_target", "total_reference"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("topic", "term", "direction") else "float64")
                             for c in columns})
    return pd.concat(parts, ignore_index=True)[columns]


def _keyness_words(
    arts: pd.DataFrame,
    tokens: pd.DataFrame | None,
    matrix: tuple | None,
    *,
    keep: np.ndarray,
    fields: Sequence[str],
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
) -> tuple:
    """What :func:`_keyness_table` counts from: ``("words", rows, codes, terms)`` (article row and
    term code of every counted word) or, from a ``matrix=`` argument, ``("matrix", (counts, totals), kept, terms)``
    (the CSR matrix and its column sums, the positions of its non-stopword columns, their terms)."""
    if matrix is None:
        rows, codes, terms = _counted_words(arts, tokens, keep=keep, fields=fields, lower=lower, stopwords=stopwords)
        return "words", rows, codes, terms
    from toolkit.stats import _check_matrix

    counts, terms = _check_matrix(matrix, arts, tokens)
    stop = _stopword_set(stopwords)
    kept = np.flatnonzero(~_stop_mask(terms, stop, lowered=lower)) if stop else np.arange(len(terms))
    totals = np.bincount(counts.indices, weights=counts.data, minlength=counts.shape[1]).astype(np.int64)
    return "matrix", (counts, totals), kept, terms.take(pa.array(kept, type=pa.int64()))


def _column_sums(counts, rows: np.ndarray) -> np.ndarray:  # noqa: ANN001 - scipy is imported lazily
    """Sum of the matrix rows marked in ``rows`` (a boolean mask), per column."""
    part = counts[np.flatnonzero(rows)]
    return np.bincount(part.indices, weights=part.data, minlength=counts.shape[1]).astype(np.int64)


def _keyness_table(
    counted: tuple,
    in_target: np.ndarray,
    in_reference: np.ndarray,
    *,
    target: object,
    reference: object,
    measure: str,
    williams: bool,
    yates: bool,
    min_count: int,
    n: int | None,
) -> pd.DataFrame:
    """The keyness table from what :func:`_keyness_words` returned."""
    kind, first, second, terms = counted
    if kind == "matrix":
        # Column sums of the target's rows, and of the reference's (the rest of the corpus when
        # the two cover it): one sparse row selection each, no pass over every word.
        counts, totals = first
        a_all = _column_sums(counts, in_target)
        b_all = totals - a_all if (in_target | in_reference).all() else _column_sums(counts, in_reference)
        a_all, b_all = a_all[second], b_all[second]
    else:
        rows, codes = first, second
        inside = (in_target | in_reference)[rows]
        rows, codes = rows[inside], codes[inside]
        word_in_target = in_target[rows]
        n_terms = len(terms)
        a_all = np.bincount(codes[word_in_target], minlength=n_terms).astype(np.int64)
        b_all = np.bincount(codes[~word_in_target], minlength=n_terms).astype(np.int64)
    total_t, total_r = int(a_all.sum()), int(b_all.sum())
    if total_t == 0:
        raise ParameterError("target", target, "articles with at least one counted word",
                             hint="The target's fields are empty or hold only stopwords.")
    if total_r == 0:
        raise ParameterError("reference", reference, "articles with at least one counted word",
                             hint="The reference's fields are empty or hold only stopwords.")

    keep = a_all + b_all >= min_count
    term_codes = np.flatnonzero(keep)
    term_of = lambda order: _str_series(terms.take(pa.array(term_codes[order], type=pa.int64())))  # noqa: E731
    return _keyness_rows(term_of, a_all[keep], b_all[keep], total_t, total_r, measure=measure,
                         williams=williams, yates=yates, n=n)


def _keyness_rows(
    term_of: Callable[[np.ndarray], pd.Series],
    a: np.ndarray,
    b: np.ndarray,
    total_t: int,
    total_r: int,
    *,
    measure: str,
    williams: bool,
    yates: bool,
    n: int | None,
) -> pd.DataFrame:
    """The keyness table of counted terms (``a``/``b``: counts in target/reference, terms in
    sorted order); ``term_of(order)`` gives the terms at those positions. Shared with the Dask path."""
    stats = keyness_statistics(a, b, total_t, total_r, williams=williams, yates=yates)
    score = stats["log_ratio"] if measure == "log_ratio" else stats[measure]
    p = stats["p_chi2"] if measure == "chi2" else stats["p_g2"]
    balance = a * total_r - b * total_t  # exact integer comparison of relative frequencies
    direction_code = np.where(balance > 0, 0, np.where(balance < 0, 1, 2))
    sort_score = np.abs(score) if measure == "log_ratio" else score
    order = np.lexsort((np.arange(len(a)), -np.nan_to_num(sort_score, nan=-np.inf), direction_code))
    if n is not None:
        rank = _ranks(direction_code[order])
        order = order[(rank <= n) & (direction_code[order] < 2)]

    out = pd.DataFrame({"term": term_of(order).reset_index(drop=True)})
    out["n_target"] = a[order]
    out["n_reference"] = b[order]
    out[measure] = score[order]
    out["p"] = p[order]
    if measure != "log_ratio":
        out["log_ratio"] = stats["log_ratio"][order]
    else:
        out["g2"] = stats["g2"][order]
    out["direction"] = pd.Series(np.array(["target", "reference", "none"])[direction_code[order]], dtype="str")
    out["total_target"] = np.int64(total_t)
    out["total_reference"] = np.int64(total_r)
    return out


def keyness_statistics(
    n_target: np.ndarray | Sequence[int],
    n_reference: np.ndarray | Sequence[int],
    total_target: int,
    total_reference: int,
    *,
    williams: bool = False,
    yates: bool = True,
) -> dict[str, np.ndarray]:
    """The keyness statistics of :func:`keyness` for arrays of counts, vectorised.

    Parameters
    ----------
    n_target, n_reference
        Counts of each term in the target (a) and the reference (b).
    total_target, total_reference
        All counted words of the target (N_t) and the reference (N_r).
    williams, yates
        As in :func:`keyness`.

    Returns
    -------
    dict of numpy arrays
        ``g2``, ``chi2``, ``log_ratio``, ``p_g2`` and ``p_chi2`` (1 degree of freedom). A table
        whose expected counts include a zero (a term that is every word of the corpus) has
        ``chi2`` NaN, like scipy, which refuses it.

    Examples
    --------
    >>> s = keyness_statistics([10], [5], 1000, 2000)
    >>> round(float(s["g2"][0]), 4), round(float(s["log_ratio"][0]), 4)
    (6.9692, 2.0)
    """
    a = np.asarray(n_target, dtype=np.float64)
    b = np.asarray(n_reference, dtype=np.float64)
    n_t, n_r = float(total_target), float(total_reference)
    c, d = n_t - a, n_r - b
    total = n_t + n_r
    row1, row2 = a + b, c + d
    observed = (a, b, c, d)
    expected = (row1 * n_t / total, row1 * n_r / total, row2 * n_t / total, row2 * n_r / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2.0 * sum(np.where(o > 0, o * np.log(o / e), 0.0) for o, e in zip(observed, expected, strict=True))
        g2 = np.maximum(g2, 0.0)  # rounding can leave -1e-15 for a perfectly balanced term
        if williams:
            q = 1.0 + (total * (1.0 / row1 + 1.0 / row2) - 1.0) * (total * (1.0 / n_t + 1.0 / n_r) - 1.0) / (6.0 * total)
            g2 = np.where(np.isfinite(q), g2 / q, np.nan)
        # In a 2x2 table |O - E| is the same in every cell.
        diff = np.abs(a - expected[0])
        if yates:
            diff = np.maximum(diff - 0.5, 0.0)
        inverse = sum(1.0 / e for e in expected)
        chi2 = np.where(row2 > 0, diff**2 * inverse, np.nan)
        log_ratio = np.log2((np.where(a > 0, a, 0.5) / n_t) / (np.where(b > 0, b, 0.5) / n_r))
    return {
        "g2": g2,
        "chi2": chi2,
        "log_ratio": log_ratio,
        "p_g2": _chi2_sf_1df(g2),
        "p_chi2": _chi2_sf_1df(chi2),
    }


# ---------------------------------------------------------------------------------------------
# Collocations
# ---------------------------------------------------------------------------------------------


def _count_tuples(columns: Sequence[np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the code columns (sorted) and their counts."""
    k = len(columns)
    if len(columns[0]) == 0:
        return np.zeros((0, k), dtype=np.int64), np.zeros(0, dtype=np.int64)
    if width**k < 2**62:
        key = np.zeros(len(columns[0]), dtype=np.int64)
        for col in columns:
            key = key * width + col
        keys, counts = np.unique(key, return_counts=True)
        out = np.empty((len(keys), k), dtype=np.int64)
        for i in range(k - 1, -1, -1):
            out[:, i] = keys % width
            keys = keys // width
        return out, counts
    stacked = np.stack(columns, axis=1)
    return np.unique(stacked, axis=0, return_counts=True)


def _lookup(table: np.ndarray, counts: np.ndarray, queries: np.ndarray, width: int) -> np.ndarray:
    """Counts of the code pairs ``queries`` in a sorted table of distinct pairs (0 when absent)."""
    if not len(table):
        return np.zeros(len(queries), dtype=np.int64)
    key_table = table[:, 0] * width + table[:, 1]
    key_query = queries[:, 0] * width + queries[:, 1]
    at = np.minimum(np.searchsorted(key_table, key_query), len(key_table) - 1)
    return np.where(key_table[at] == key_query, counts[at], 0)


def collocations(
    articles: pd.DataFrame,
    *,
    n: Literal[2, 3] = 2,
    measure: CollocationMeasure = "likelihood_ratio",
    min_count: int = 5,
    stopwords: bool | StopwordSource | Collection[str] = True,
    window: int | None = None,
    lower: bool = True,
    tokens: pd.DataFrame | None = None,
    fields: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    """Collocations: word pairs (or triples) that occur together more than chance predicts.

    Scores are NLTK's association measures (:class:`nltk.metrics.BigramAssocMeasures`,
    :class:`~nltk.metrics.TrigramAssocMeasures`, Manning & Schütze ch. 5) computed by NLTK's
    :class:`~nltk.collocations.BigramCollocationFinder` /
    :class:`~nltk.collocations.TrigramCollocationFinder`; only the counting is done here, with
    numpy, so that it is fast and respects the text's structure:

    - an n-gram never crosses a sentence, field or article boundary, nor punctuation: its
      words must be adjacent in the text (consecutive token positions; a comma between two
      words breaks the pair). With ``window=w`` (bigrams only) a pair is two words of the same
      sentence at most ``w - 1`` positions apart, counted as NLTK counts windowed bigrams
      (Church & Hanks 1990: its finder divides the pair count by ``w - 1``);
    - the word counts (``n_ix``, ``n_xi``) and the total ``N`` are of **all** words,
      stopwords included, as in NLTK, where stopwords are a filter on candidates
      (``apply_word_filter``): an n-gram with a stopword is not listed, and stopwords are
      never removed *before* pairing, so "Bank of England" does not make "bank england";
    - ``min_count`` is NLTK's ``apply_freq_filter``: candidates seen fewer times are dropped.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    n
        2 (bigrams, default) or 3 (trigrams).
    measure
        ``"likelihood_ratio"`` (default; Dunning's G2), ``"pmi"`` (pointwise mutual
        information, log2), ``"t_score"`` (Student's t), ``"chi_sq"``, ``"poisson_stirling"``,
        ``"raw_freq"``, ``"jaccard"``; bigrams also ``"dice"`` and ``"phi_sq"``.
    min_count
        Minimum number of occurrences of an n-gram.
    stopwords
        Leave out n-grams containing a stopword: ``True`` (default, :data:`toolkit.STOPWORDS`),
        ``False``, ``"news"``, ``"nltk"`` or a collection of words.
    window
        For bigrams, the window size (>= 2; default 2: adjacent words). Trigrams are always
        contiguous (``window`` None or 3).
    lower
        Compare words lower-cased.
    tokens
        A tokens table from :func:`toolkit.tokenize` for these articles (made with
        ``punct=False``; keep stopwords in it so that positions and word counts stay true);
        ``None`` tokenizes ``fields``.
    fields
        Text columns used.

    Returns
    -------
    pandas.DataFrame
        One row per n-gram: ``ngram`` (the words joined by a space), ``w1``, ``w2`` (``w3``),
        ``n`` (occurrences; for windowed bigrams, pairs in the window) and the score column,
        named after ``measure``. Sorted by score descending, then by the words (NLTK's order).

    Raises
    ------
    ParameterError
        For an unknown measure, ``n`` not 2 or 3, a bad ``window`` or ``min_count``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "title": [None, None],
    ...     "published": pd.to_datetime([None, None], utc=True),
    ...     "text": ["Prime Minister Tony Blair spoke. The prime minister left.",
    ...              "Tony Blair, the prime minister, said no."]})
    >>> collocations(arts, min_count=2)[["ngram", "n"]].values.tolist()
    [['prime minister', 3], ['tony blair', 2]]
    """
    from nltk.collocations import BigramCollocationFinder, TrigramCollocationFinder
    from nltk.metrics import BigramAssocMeasures, TrigramAssocMeasures
    from nltk.probability import FreqDist

    arts = validate_articles(articles)
    if n not in (2, 3) or isinstance(n, bool):
        raise ParameterError("n", n, "2 (bigrams) or 3 (trigrams)")
    measure = _check_choice("measure", measure, COLLOCATION_MEASURES,
                            hint="'likelihood_ratio' is robust for rare words; 'pmi' favours rare pairs.")
    if n == 3 and measure in _BIGRAM_ONLY:
        raise ParameterError("measure", measure, "a trigram measure: " + one_of(sorted(set(COLLOCATION_MEASURES) - _BIGRAM_ONLY)),
                             hint=f"{measure!r} is defined for bigrams only (n=2).")
    min_count = _check_int("min_count", min_count, minimum=1, hint="min_count=5 keeps n-grams seen at least 5 times.")
    lower = _check_bool("lower", lower)
    if n == 2:
        window = _check_int("window", 2 if window is None else window, minimum=2,
                            hint="window=2 pairs adjacent words; window=5 pairs words up to 4 positions apart.")
    elif window not in (None, 3):
        raise ParameterError("window", window, "None or 3 for trigrams", hint="Trigrams are always three adjacent words.")
    else:
        window = 3
    fields = _check_fields_arg(fields)
    stop = _stopword_set(stopwords)

    toks, rows, mask, text = _word_tokens(arts, tokens, fields=fields, lower=lower, stopwords=False)
    mask = mask & (rows >= 0)
    codes, terms = _codes_of(text.filter(pa.array(mask)))
    width = max(len(terms), 1)
    idx = np.flatnonzero(mask)
    row = rows[idx]
    field = _int_codes(toks["field"])[idx]
    sentence = toks["sentence"].to_numpy(dtype=np.float64, na_value=-1.0)[idx].astype(np.int64)
    position = toks["position"].to_numpy(dtype=np.int64)[idx]
    order = np.lexsort((position, field, row))
    if not np.array_equal(order, np.arange(len(order))):
        row, field, sentence, position, codes = (x[order] for x in (row, field, sentence, position, codes))
    unit_same = _same_unit(row, field, sentence)

    word_counts = np.bincount(codes, minlength=len(terms))
    is_stop = _stop_mask(terms, stop, lowered=lower) if stop else np.zeros(len(terms), dtype=bool)
    term_list = terms.to_pylist()
    word_fd = FreqDist(dict(zip(term_list, word_counts.tolist(), strict=True)))

    def pairs(offset: int, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
        m = max(len(codes) - offset, 0)
        ok = unit_same(offset) & (position[offset : offset + m] - position[:m] <= max_gap)
        return codes[:m][ok], codes[offset : offset + m][ok]

    if n == 2:
        firsts, seconds = zip(*(pairs(k, window - 1) for k in range(1, window)), strict=True)
        grams, counts = _count_tuples([np.concatenate(firsts), np.concatenate(seconds)], width)
        keep = (counts >= min_count) & ~is_stop[grams].any(axis=1)
        grams, counts = grams[keep], counts[keep]
        ngram_fd = FreqDist({(term_list[x], term_list[y]): int(c) for (x, y), c in zip(grams.tolist(), counts.tolist(), strict=True)})
        finder = BigramCollocationFinder(word_fd, ngram_fd, window_size=window)
        score_fn = getattr(BigramAssocMeasures, _NLTK_MEASURES[measure])
    else:
        m = max(len(codes) - 2, 0)
        ok = unit_same(2) & (position[2 : 2 + m] - position[:m] == 2)
        all_grams, all_counts = _count_tuples([codes[:m][ok], codes[1 : 1 + m][ok], codes[2 : 2 + m][ok]], width)
        keep = (all_counts >= min_count) & ~is_stop[all_grams].any(axis=1)
        grams, counts = all_grams[keep], all_counts[keep]
        bigrams, bigram_n = _count_tuples(list(pairs(1, 1)), width)
        # NLTK's wildcard count (w1, *, w3) is the number of trigrams w1 ? w3: sum the trigram
        # counts over the middle word.
        wild_keys, wild_inverse = np.unique(all_grams[:, 0] * width + all_grams[:, 2], return_inverse=True)
        wild = np.stack([wild_keys // width, wild_keys % width], axis=1)
        wild_n = np.bincount(wild_inverse, weights=all_counts, minlength=len(wild_keys)).astype(np.int64)
        n_12 = _lookup(bigrams, bigram_n, grams[:, [0, 1]], width)
        n_23 = _lookup(bigrams, bigram_n, grams[:, [1, 2]], width)
        n_13 = _lookup(wild, wild_n, grams[:, [0, 2]], width)
        bigram_fd: FreqDist = FreqDist()
        wildcard_fd: FreqDist = FreqDist()
        trigram_fd: FreqDist = FreqDist()
        for (x, y, z), c, c12, c23, c13 in zip(grams.tolist(), counts.tolist(), n_12.tolist(), n_23.tolist(), n_13.tolist(), strict=True):
            wx, wy, wz = term_list[x], term_list[y], term_list[z]
            trigram_fd[(wx, wy, wz)] = c
            bigram_fd[(wx, wy)] = c12
            bigram_fd[(wy, wz)] = c23
            wildcard_fd[(wx, wz)] = c13
        finder = TrigramCollocationFinder(word_fd, bigram_fd, wildcard_fd, trigram_fd)
        score_fn = getattr(TrigramAssocMeasures, _NLTK_MEASURES[measure])

    scored = finder.score_ngrams(score_fn)
    word_cols = [f"w{i + 1}" for i in range(n)]
    out = pd.DataFrame({
        "ngram": pd.Series([" ".join(g) for g, _ in scored], dtype="str"),
        **{col: pd.Series([g[i] for g, _ in scored], dtype="str") for i, col in enumerate(word_cols)},
        "n": np.array([finder.ngram_fd[g] for g, _ in scored], dtype=np.int64),
        measure: np.array([s for _, s in scored], dtype=np.float64),
    })
    return out


def _int_codes(series: pd.Series) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(series, use_na_sentinel=False)[0].astype(np.int64)


def _same_unit(row: np.ndarray, field: np.ndarray, sentence: np.ndarray) -> Callable[[int], np.ndarray]:
    """A function: offset k -> mask of positions i where rows i and i + k share article, field, sentence."""

    def same(k: int) -> np.ndarray:
        m = max(len(row) - k, 0)
        return (row[:m] == row[k : k + m]) & (field[:m] == field[k : k + m]) & (sentence[:m] == sentence[k : k + m])

    return same


# ---------------------------------------------------------------------------------------------
# KWIC
# ---------------------------------------------------------------------------------------------

_UNSAFE_PREFILTER = re.compile(r"\(\?<?[=!]|\\[1-9bBAZ]|\(\?P=")
_WHITESPACE = re.compile(r"\s+")
_ONE_SPACE = re.compile(r"\s")
_HAS_WORD = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class _Pattern:
    """One compiled KWIC pattern: a test per token of the phrase, and a text prefilter."""

    source: str
    parts: tuple[Callable[[str], bool], ...]
    prefilter: re.Pattern[str] | None


def _normalize(token: str, case_sensitive: bool) -> str:
    token = token.replace("\u2019", "'")
    return token if case_sensitive else token.lower()


def _compile_pattern(pattern: object, pattern_type: str, case_sensitive: bool) -> _Pattern:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ParameterError("pattern", pattern, "a non-empty string (or a list of them)",
                             hint="e.g. kwic(articles, 'Japan') or kwic(articles, 'South Korea').")
    flags = 0 if case_sensitive else re.IGNORECASE
    text = pattern.replace("\u2019", "'")
    parts: list[Callable[[str], bool]] = []
    prefilter: re.Pattern[str] | None
    if pattern_type == "exact":
        from toolkit.text import word_tokenize

        words = [_normalize(w, case_sensitive) for w in word_tokenize(text)]
        if not words:
            raise ParameterError("pattern", pattern, "a string holding at least one token")
        parts = [w.__eq__ for w in words]
        prefilter = re.compile(re.escape(words[0]), flags)
    elif pattern_type == "glob":
        words = text.split()
        compiled = [re.compile(fnmatch.translate(w if case_sensitive else w.lower()), flags) for w in words]
        parts = [c.match for c in compiled]  # translate() anchors the end; match anchors the start
        first = fnmatch.translate(words[0])
        prefilter = re.compile(first[: -len(r"\Z")] if first.endswith(r"\Z") else first, flags)
    else:
        words = text.split()
        try:
            compiled = [re.compile(w, flags) for w in words]
        except re.error as exc:
            raise ParameterError("pattern", pattern, "a valid regular expression (spaces separate tokens)",
                                 hint=f"re.compile failed: {exc}. Escape special characters with a backslash.") from None
        parts = [c.fullmatch for c in compiled]
        first = words[0]
        if _UNSAFE_PREFILTER.search(first):
            prefilter = None
        else:
            stripped = first[1:] if first.startswith("^") else first
            stripped = stripped[:-1] if stripped.endswith("$") and not stripped.endswith(r"\$") else stripped
            try:
                prefilter = re.compile(stripped, flags)
            except re.error:
                prefilter = None
    return _Pattern(pattern, tuple(parts), prefilter)


def _field_tokens(text: str) -> tuple[list[int], list[int], list[int], list[tuple[int, int]]]:
    """Token start/end offsets and sentence index of every token of ``text``, and the sentence spans.

    Tokens are those of :func:`toolkit.tokenize` (sentences first, then the word pattern on each
    sentence, punctuation included), so that positions agree with the tokens table.
    """
    pattern = _word_pattern(text)
    starts: list[int] = []
    ends: list[int] = []
    sent_of: list[int] = []
    spans: list[tuple[int, int]] = []
    cursor = 0
    for index, sentence in enumerate(_sentences(text, _builtin_punkt())):
        offset = text.find(sentence, cursor)
        cursor = offset + len(sentence)
        spans.append((offset, cursor))
        for m in pattern.finditer(sentence):
            starts.append(offset + m.start())
            ends.append(offset + m.end())
            sent_of.append(index)
    return starts, ends, sent_of, spans


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def kwic(
    articles: pd.DataFrame,
    pattern: str | Sequence[str],
    *,
    pattern_type: PatternType = "exact",
    window: int = 5,
    mode: KwicMode = "tokens",
    case_sensitive: bool = False,
    fields: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    """Keyword in context: every occurrence of a word, phrase or pattern with its surroundings.

    The text is tokenized as :func:`toolkit.tokenize` does (sentences, then words;
    punctuation tokens kept), and a pattern matches **whole tokens**, never parts of them:
    "Japan" matches "Japan" and "Japan's" (the tokenizer splits off the clitic) but not
    "Japanese". A pattern of several words (separated by spaces) is a phrase: its words must
    match consecutive tokens, so no punctuation may come between them. Curly apostrophes
    count as straight ones.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    pattern
        A word or phrase, or a list of them (each hit then names its ``pattern``).
    pattern_type
        ``"exact"`` (default): the pattern is tokenized like the text and each token must be
        equal (``"Moon Jae-in"``, ``"U.S."``, ``"Japan's"``). ``"glob"``: each
        space-separated word is a shell pattern on one token (``"Kishida*"``, ``"econom?"``,
        ``"South Kor*"``). ``"regex"``: each space-separated word is a regular expression that
        must match a whole token (:func:`re.fullmatch`; ``"econom.*"``, ``"(Japan|Korea)"``).
    window
        Tokens mode: the number of words (punctuation not counted) shown on each side.
    mode
        ``"tokens"`` (default): ``left``/``right`` are the ``window`` words before and after the
        match, within the same field (they may cross sentences), as they appear in the text
        (punctuation kept, runs of whitespace shown as one space). ``"sentence"``: ``left`` and
        ``right`` are the rest of the match's sentence, and ``context`` is the whole sentence
        with ``context_start``/``context_end``, the match's character offsets within it.
    case_sensitive
        Match case as well (default: ignore it).
    fields
        Text columns searched, e.g. ``("text",)``.

    Returns
    -------
    pandas.DataFrame
        One row per hit: ``doc_id``, ``outlet``, ``published``, ``title`` (of the article),
        ``field`` (where the hit is), ``sentence`` (0-based within the field), ``position``
        (0-based token index of the match's first token, counted as in the tokens table),
        ``start``, ``end`` (character offsets of the match in the field's text), ``left``,
        ``match``, ``right``; in sentence mode also ``context``, ``context_start``,
        ``context_end``; and ``pattern``. Sorted by ``published`` (undated last), ``doc_id``,
        field order, ``position``, pattern order.

    Raises
    ------
    ParameterError
        For an empty or invalid pattern, an unknown ``pattern_type`` or ``mode``, a bad
        ``window`` or unknown ``fields``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "outlet": ["X"], "title": ["Talks"],
    ...     "published": pd.to_datetime(["2021-11-04"], utc=True),
    ...     "text": ["Moon Jae-in met Japan's leader. South Korea and Japan agreed."]})
    >>> kwic(arts, "Japan", window=2)[["left", "match", "right"]].values.tolist()
    [['Jae-in met', 'Japan', "'s leader"], ['Korea and', 'Japan', 'agreed']]
    >>> kwic(arts, "south korea", mode="sentence")[["left", "match", "right"]].values.tolist()
    [['', 'South Korea', 'and Japan agreed.']]
    """
    arts = validate_articles(articles)
    pattern_type = _check_choice("pattern_type", pattern_type, PATTERN_TYPES,
                                 hint="'exact' for words and phrases, 'glob' for Kishida*, 'regex' for expressions.")
    mode = _check_choice("mode", mode, KWIC_MODES)
    window = _check_int("window", window, minimum=0, hint="window=5 shows five words on each side.")
    case_sensitive = _check_bool("case_sensitive", case_sensitive)
    fields = _check_fields_arg(fields)
    missing = [f for f in fields if f not in arts.columns]
    if missing:
        raise ParameterError("fields", fields, f"text columns of the articles table ({one_of(arts.columns)})",
                             hint=f"{missing} not found.")
    patterns_in = [pattern] if isinstance(pattern, str) else list(pattern) if isinstance(pattern, Sequence) else [pattern]
    if not patterns_in:
        raise ParameterError("pattern", pattern, "a non-empty string or a non-empty list of strings")
    patterns = [_compile_pattern(p, pattern_type, case_sensitive) for p in patterns_in]

    hits: dict[str, list] = {k: [] for k in (
        "row", "field", "sentence", "position", "start", "end", "left", "match", "right",
        "context", "context_start", "context_end", "pattern", "pattern_index")}
    columns = [arts[f].tolist() for f in fields]
    for field_index, values in enumerate(columns):
        for row, value in enumerate(values):
            if not isinstance(value, str) or not value:
                continue
            norm_text = value.replace("\u2019", "'")
            candidates = [p for p in patterns if p.prefilter is None or p.prefilter.search(norm_text)]
            if not candidates:
                continue
            starts, ends, sent_of, spans = _field_tokens(value)
            normalized = [_normalize(value[s:e], case_sensitive) for s, e in zip(starts, ends, strict=True)]
            word_index = [i for i, t in enumerate(normalized) if _HAS_WORD.search(t)]
            for pattern_index, compiled in enumerate(patterns):
                if compiled not in candidates:
                    continue
                k = len(compiled.parts)
                first = compiled.parts[0]
                for i in range(len(normalized) - k + 1):
                    if not first(normalized[i]):
                        continue
                    if k > 1 and not all(part(normalized[i + j]) for j, part in enumerate(compiled.parts[1:], 1)):
                        continue
                    last = i + k - 1
                    m_start, m_end = starts[i], ends[last]
                    hits["row"].append(row)
                    hits["field"].append(field_index)
                    hits["sentence"].append(sent_of[i])
                    hits["position"].append(i)
                    hits["start"].append(m_start)
                    hits["end"].append(m_end)
                    hits["pattern"].append(compiled.source)
                    hits["pattern_index"].append(pattern_index)
                    if mode == "tokens":
                        # Words strictly before the match, and words up to its last token.
                        before = bisect.bisect_left(word_index, i)
                        after = bisect.bisect_right(word_index, last)
                        left_words = word_index[max(before - window, 0):before] if window else []
                        right_words = word_index[after:after + window] if window else []
                        hits["left"].append(_squeeze(value[starts[left_words[0]]:m_start]) if left_words else "")
                        hits["right"].append(_squeeze(value[m_end:ends[right_words[-1]]]) if right_words else "")
                        hits["match"].append(_squeeze(value[m_start:m_end]))
                    else:
                        s_lo, s_hi = spans[sent_of[i]]
                        context = _ONE_SPACE.sub(" ", value[s_lo:s_hi])
                        c_start, c_end = m_start - s_lo, min(m_end, s_hi) - s_lo
                        hits["context"].append(context)
                        hits["context_start"].append(c_start)
                        hits["context_end"].append(c_end)
                        hits["left"].append(context[:c_start].rstrip())
                        hits["match"].append(context[c_start:c_end])
                        hits["right"].append(context[c_end:].lstrip())

    rows = np.asarray(hits["row"], dtype=np.int64)
    meta = arts.iloc[rows].reset_index(drop=True) if len(rows) else arts.iloc[0:0].reset_index(drop=True)
    out = pd.DataFrame({
        "doc_id": meta["doc_id"].astype("str"),
        "outlet": meta["outlet"],
        "published": meta["published"],
        "title": meta["title"],
        "field": pd.Series(np.asarray(fields, dtype=object)[np.asarray(hits["field"], dtype=np.int64)] if len(rows) else [],
                           dtype="str"),
        "sentence": np.asarray(hits["sentence"], dtype=np.int64),
        "position": np.asarray(hits["position"], dtype=np.int64),
        "start": np.asarray(hits["start"], dtype=np.int64),
        "end": np.asarray(hits["end"], dtype=np.int64),
        "left": pd.Series(hits["left"], dtype="str"),
        "match": pd.Series(hits["match"], dtype="str"),
        "right": pd.Series(hits["right"], dtype="str"),
    })
    if mode == "sentence":
        out["context"] = pd.Series(hits["context"], dtype="str")
        out["context_start"] = np.asarray(hits["context_start"], dtype=np.int64)
        out["context_end"] = np.asarray(hits["context_end"], dtype=np.int64)
    out["pattern"] = pd.Series(hits["pattern"], dtype="str")
    if len(out):
        undated = out["published"].isna().to_numpy()
        stamp = np.where(undated, np.iinfo(np.int64).max,
                         out["published"].to_numpy(dtype="datetime64[us]", na_value=np.datetime64(0, "us")).astype(np.int64))
        doc_rank = pd.factorize(out["doc_id"], sort=True)[0]
        order = np.lexsort((np.asarray(hits["pattern_index"]), out["position"].to_numpy(),
                            np.asarray(hits["field"]), doc_rank, stamp))
        out = out.iloc[order].reset_index(drop=True)
    return out


# ---------------------------------------------------------------------------------------------
# tf-idf
# ---------------------------------------------------------------------------------------------


def tfidf(
    articles: pd.DataFrame,
    *,
    by: By = None,
    freq: Freq | None = None,
    n: int | None = None,
    stopwords: bool | StopwordSource | Collection[str] = True,
    lower: bool = True,
    norm: Norm | None = "l2",
    smooth: bool = True,
    sublinear: bool = False,
    tokens: pd.DataFrame | None = None,
    fields: Sequence[str] = ("title", "text"),
) -> pd.DataFrame:
    r"""tf-idf weights of terms per article, or per group of articles.

    The unit ("document") is an article (``by=None``), or a group of articles (``by``
    columns and/or a ``freq`` period), whose words are pooled. With ``N`` units, a term's
    ``df`` is the number of units containing it and, as in scikit-learn's ``TfidfVectorizer``
    defaults:

    - ``idf = ln((1 + N) / (1 + df)) + 1`` (``smooth=True``; ``smooth=False``:
      ``ln(N / df) + 1``);
    - ``w = tf * idf`` with ``tf`` the raw count in the unit (``sublinear=True``:
      ``1 + ln(tf)``);
    - ``tfidf = w / ||w||``, the norm taken over the unit's terms: ``"l2"`` (default,
      :math:`\sqrt{\sum w^2}`), ``"l1"`` (:math:`\sum |w|`) or ``None`` (no normalisation).

    ``N`` counts every unit, including articles or groups without a counted word (as a row of
    zeros counts in scikit-learn). The computation works on (unit, term) pairs only, the
    non-zero entries of the sparse matrix; no dense unit x term matrix is ever built.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    by
        ``None`` (default): one unit per article. A column name (or list) of the articles
        table: one unit per group, e.g. ``"outlet"``.
    freq
        Also make one unit per period (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``); undated
        articles are left out (with a warning), as in :func:`toolkit.term_frequencies`.
    n
        Keep the ``n`` highest-weighted terms of each unit (``None``: all).
    stopwords, lower, tokens, fields
        As in :func:`toolkit.term_frequencies`.
    norm, smooth, sublinear
        See above.

    Returns
    -------
    pandas.DataFrame
        ``doc_id`` (or the ``by`` columns and ``period``), ``rank`` (1-based within the unit),
        ``term``, ``tf`` (count in the unit), ``df``, ``idf``, ``tfidf``. Sorted by unit (article
        order, or group order), then ``tfidf`` descending, then term.

    Raises
    ------
    ParameterError
        For an unknown ``by`` column, ``norm``, bad ``freq`` or ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "title": [None, None],
    ...     "published": pd.to_datetime([None, None], utc=True),
    ...     "text": ["Japan talks talks.", "Korea talks."]})
    >>> t = tfidf(arts)
    >>> t[["doc_id", "term", "tf", "df"]].values.tolist()
    [['a', 'talks', 2, 2], ['a', 'japan', 1, 1], ['b', 'korea', 1, 1], ['b', 'talks', 1, 2]]
    >>> round(float(t["idf"].iloc[1]), 4)  # ln(3/2) + 1
    1.4055
    """
    arts = validate_articles(articles)
    n = _check_int("n", n, minimum=1, allow_none=True, hint="n=10 keeps each unit's 10 top terms.")
    if norm is not None:
        norm = _check_choice("norm", norm, NORMS, hint="'l2' is scikit-learn's default; None skips normalisation.")  # type: ignore[assignment]
    smooth, sublinear, lower = _check_bool("smooth", smooth), _check_bool("sublinear", sublinear), _check_bool("lower", lower)

    if by is None and freq is None:
        group = np.arange(len(arts), dtype=np.int64)
        table = pd.DataFrame({"doc_id": arts["doc_id"].astype("str").to_numpy()})
        table["doc_id"] = table["doc_id"].astype("str")
        group_cols = ["doc_id"]
    else:
        group, table, group_cols = _article_groups(arts, by, freq, what="tfidf")
    n_units = len(table)
    member = np.flatnonzero(group >= 0)
    rows, codes, terms = _counted_words(arts, tokens, keep=group >= 0, fields=fields, lower=lower, stopwords=stopwords)
    unit, term, tf, _, _ = _count_terms(rows, codes, len(terms), member, group[member], n_units, len(arts))

    df = np.bincount(term, minlength=len(terms)).astype(np.int64)
    with np.errstate(divide="ignore"):
        idf_all = (np.log((1.0 + n_units) / (1.0 + df)) if smooth else np.log(n_units / np.maximum(df, 1))) + 1.0
    weight = (1.0 + np.log(tf)) if sublinear else tf.astype(np.float64)
    weight = weight * idf_all[term]
    if norm is not None:
        size = np.bincount(unit, weights=weight**2 if norm == "l2" else np.abs(weight), minlength=n_units)
        if norm == "l2":
            size = np.sqrt(size)
        weight = weight / np.where(size > 0, size, 1.0)[unit]

    order = np.lexsort((term, -weight, unit))
    unit, term, tf, weight = unit[order], term[order], tf[order], weight[order]
    rank = _ranks(unit)
    if n is not None:
        keep = rank <= n
        unit, term, tf, weight, rank = unit[keep], term[keep], tf[keep], weight[keep], rank[keep]

    out = table[group_cols].iloc[unit].reset_index(drop=True)
    out["rank"] = rank.astype(np.int64)
    out["term"] = _str_series(terms.take(pa.array(term, type=pa.int64())))
    out["tf"] = tf.astype(np.int64)
    out["df"] = df[term]
    out["idf"] = idf_all[term]
    out["tfidf"] = weight.astype(np.float64)
    return out


__all__ = ["collocations", "keyness", "keyness_statistics", "kwic", "tfidf", "topic_keyness"]
