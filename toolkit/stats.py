"""Summary statistics of an articles table: corpus and article summaries, term frequencies.

Every function takes the articles table first and accepts a precomputed tokens table
(``tokens=``, from :func:`toolkit.text.tokenize`) so that a notebook tokenizes once and counts
many times. Counts are of **words**: punctuation tokens (no letter or digit) are never counted.
Types (distinct words) are compared lower-cased.

Counting is vectorised: tokens are turned into integer codes (article, group, term) and counted
with numpy, never with a Python loop per token.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.distributed import supports_dask
from toolkit.errors import ParameterError, SchemaError, ToolkitError, one_of
from toolkit.periods import Freq, check_freq, period_start
from toolkit.schema import validate_articles
from toolkit.text import (
    StopwordSource,
    _as_arrow_strings,
    _check_fields,
    _check_tokens,
    _compact_codes,
    _encoded_word_codes,
    _interleaved_texts,
    _normalize_tokens,
    _stop_mask,
    _stopword_set,
    _str_series,
    _word_codes,
    _word_mask,
    tokenize,
)

logger = logging.getLogger(__name__)

By = str | Sequence[str] | None
# What a word is when counting: the toolkit's words (see toolkit.text.tokenize) or "alnum", maximal
# runs of letters and digits (scikit-learn's token_pattern r"(?u)[^\W_]+"), counted byte-level.
Words = Literal["toolkit", "alnum"]
WORDS: tuple[str, ...] = ("toolkit", "alnum")

# ---------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------


def _by_columns(articles: pd.DataFrame, by: By, *, freq: str | None = None) -> list[str]:
    """Validate ``by`` and return it as a list of column names."""
    if by is None:
        return []
    cols = [by] if isinstance(by, str) else list(by) if isinstance(by, Sequence) else None
    if cols is None or not all(isinstance(c, str) for c in cols):
        raise ParameterError("by", by, "a column name of the articles table or a list of them",
                             hint=f"Columns: {list(articles.columns)}.")
    for col in cols:
        if col == "period" and col not in articles.columns:
            raise ParameterError(
                "by", by, f"column names of the articles table ({one_of(articles.columns)})",
                hint="To count by time, pass freq='D', 'W', 'M', 'Q' or 'Y'; the table then gets a 'period' column.",
            )
        if col not in articles.columns:
            raise ParameterError("by", by, f"column names of the articles table ({one_of(articles.columns)})",
                                 hint=f"{col!r} is not a column. Add it to the articles table first, or join it by doc_id.")
    if len(set(cols)) != len(cols):
        raise ParameterError("by", by, "distinct column names")
    if freq is not None and "period" in cols:
        raise ParameterError("by", by, "columns other than 'period' when freq is given",
                             hint="freq= adds the 'period' column itself; rename your own 'period' column.")
    return cols


def _group_codes(keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Number the distinct rows of ``keys`` in sorted order (missing values last).

    Returns the group number of every row and a table of the groups (one row per group, in
    group-number order, same columns and dtypes as ``keys``).
    """
    n = len(keys)
    if keys.shape[1] == 0:
        # No grouping: one group, the whole table (even an empty one).
        return np.zeros(n, dtype=np.int64), pd.DataFrame(index=pd.RangeIndex(1))
    codes, uniques, sizes = [], [], []
    for col in keys.columns:
        c, u = pd.factorize(keys[col], sort=True, use_na_sentinel=False)
        codes.append(c.astype(np.int64))
        uniques.append(u)
        sizes.append(max(len(u), 1))
    combined = np.ravel_multi_index(codes, sizes) if n else np.zeros(0, dtype=np.int64)
    _, first, group = np.unique(combined, return_index=True, return_inverse=True)
    table = pd.DataFrame(
        {col: pd.Series(u.take(c[first]), dtype=keys[col].dtype) for col, c, u in zip(keys.columns, codes, uniques, strict=True)}
    )
    return group.astype(np.int64), table


def _article_groups(
    arts: pd.DataFrame, by: By, freq: str | None, *, what: str
) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """Group number per article (-1 = left out: undated when grouping by period) and the groups."""
    cols = _by_columns(arts, by, freq=freq)
    keys = arts[cols].reset_index(drop=True)
    dated = np.ones(len(arts), dtype=bool)
    if freq is not None:
        check_freq(freq)
        keys["period"] = period_start(arts["published"], freq).reset_index(drop=True)
        dated = keys["period"].notna().to_numpy()
        undated = int((~dated).sum())
        if undated:
            logger.warning(
                "%s: %d of %d articles have no publication date and are left out of the counts by "
                "period (freq=%r).", what, undated, len(arts), freq,
            )
    group = np.full(len(arts), -1, dtype=np.int64)
    codes, table = _group_codes(keys[dated].reset_index(drop=True))
    group[dated] = codes
    return group, table, list(keys.columns)


def _token_rows(arts: pd.DataFrame, tokens: pd.DataFrame) -> np.ndarray:
    """Row number in ``arts`` of each token's article (-1 when the article is not in ``arts``)."""
    index = pd.Index(arts["doc_id"].to_numpy())
    doc = tokens["doc_id"]
    if isinstance(doc.dtype, pd.CategoricalDtype):
        lookup = index.get_indexer(doc.cat.categories)
        codes = doc.cat.codes.to_numpy()
        rows = np.where(codes >= 0, lookup[codes], -1) if len(lookup) else np.full(len(codes), -1)
    else:
        rows = index.get_indexer(doc.to_numpy())
    rows = rows.astype(np.int64)
    if len(rows) and len(arts) and (rows < 0).all():
        logger.warning("None of the %d tokens belongs to an article of the table: were they made from another corpus?", len(rows))
    return rows


def _field_filter(tokens: pd.DataFrame, fields: Sequence[str] | None) -> np.ndarray:
    if fields is None:
        return np.ones(len(tokens), dtype=bool)
    return tokens["field"].isin(list(fields)).to_numpy()


def _check_fields_arg(fields: Sequence[str] | str) -> tuple[str, ...]:
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    if not fields or not all(isinstance(f, str) for f in fields):
        raise ParameterError("fields", fields, "one or more text column names, e.g. ('title', 'text')")
    return fields


def _codes_of(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Integer code per value and the distinct values, codes numbered in sorted order."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], type=values.type)
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    return codes, encoded.dictionary.take(pa.array(order))


def _sentence_counts(rows: np.ndarray, tokens: pd.DataFrame, keep: np.ndarray, n_articles: int) -> np.ndarray | None:
    """Sentences per article (over the kept rows), or None when the table has no sentence numbers.

    A field's sentence count is its highest sentence number + 1, so a sentence whose tokens
    were all removed (stopwords, punctuation) is still counted when a later one survives.
    """
    sentence = tokens["sentence"]
    if sentence.isna().all() and len(sentence):
        return None
    field = tokens["field"]
    field_codes = (field.cat.codes.to_numpy() if isinstance(field.dtype, pd.CategoricalDtype)
                   else pd.factorize(field)[0]).astype(np.int64)
    n_fields = int(field_codes.max(initial=0)) + 1
    sent = sentence.to_numpy(dtype=np.float64, na_value=-1.0)[keep].astype(np.int64)
    key = rows[keep] * n_fields + field_codes[keep]
    top = np.zeros(n_articles * n_fields, dtype=np.int64)
    np.maximum.at(top, key, sent + 1)
    return top.reshape(n_articles, n_fields).sum(axis=1)


def _word_tokens(
    arts: pd.DataFrame,
    tokens: pd.DataFrame | None,
    *,
    fields: Sequence[str] | None,
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    sentences: bool = True,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pa.Array]:
    """The tokens table (given or made), article row per token, mask of counted rows, their text.

    A table made here has sentence numbers only with ``sentences`` (counts of words do not need
    them, and without them tokenizing is vectorised).

    The returned text is normalised (apostrophes straightened, lower-cased if ``lower``) and has
    one entry per row of the table; ``mask`` marks words of ``fields`` that belong to ``arts``
    and are not stopwords.
    """
    stop = _stopword_set(stopwords)
    if tokens is None:
        tokens = tokenize(arts, fields=fields or ("title", "text"), lower=lower, stopwords=stop, punct=False,
                          sentences=sentences)
        rows = _token_rows(arts, tokens)
        text = _as_arrow_strings(tokens["token"])  # already normalised and filtered
        return tokens, rows, np.ones(len(tokens), dtype=bool), text
    tokens = _check_tokens(tokens)
    rows = _token_rows(arts, tokens)
    text = _normalize_tokens(_as_arrow_strings(tokens["token"]), lower=lower)
    mask = (rows >= 0) & _field_filter(tokens, fields) & _word_mask(text)
    if stop:
        mask &= ~_stop_mask(text, stop, lowered=lower)
    return tokens, rows, mask, text


def _empty_like(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    out = table.iloc[0:0].reset_index(drop=True)
    for name, dtype in columns.items():
        out[name] = pd.Series([], dtype=dtype)
    return out


# ---------------------------------------------------------------------------------------------
# Corpus and article summaries
# ---------------------------------------------------------------------------------------------


def corpus_summary(
    articles: pd.DataFrame,
    *,
    by: By = None,
    tokens: pd.DataFrame | None = None,
    matrix: tuple | None = None,
) -> pd.DataFrame:
    """Summarise a corpus: articles, outlets, date range, tokens, types, sentences.

    Parameters
    ----------
    articles
        An articles table (see :func:`toolkit.validate_articles`). Not modified.
    by
        Column name (or list of names) of the articles table to summarise by, e.g. ``"outlet"``.
        ``None`` (default): one row for the whole corpus. Missing values form their own group,
        listed last.
    tokens
        A tokens table from :func:`toolkit.text.tokenize` for these articles. ``None``
        tokenizes ``title`` and ``text`` (lower-cased, no stopword removal). With a table of
        your own, the figures count what it holds (its fields, minus any stopwords you removed).
    matrix
        Instead of ``tokens``: a ``(matrix, vocabulary)`` pair from :func:`document_term_matrix`
        of this same table (same rows and order); the figures count its words (made with
        ``stopwords=False``, they are those of ``tokens=None``). ``n_sentences`` is then ``<NA>``.

    Returns
    -------
    pandas.DataFrame
        One row per group (or one row), with the ``by`` columns, then

        - ``n_articles``; ``n_outlets`` (distinct non-missing ``outlet`` values);
        - ``first_published``, ``last_published`` (UTC; ``NaT`` if none is dated);
        - ``n_undated`` (articles without a publication date);
        - ``n_tokens`` (words, punctuation excluded); ``n_types`` (distinct lower-cased words);
        - ``n_sentences`` (sentences of every tokenized field: a title counts as one);
          ``<NA>`` when the tokens table has no sentence numbers;
        - ``mean_tokens_per_article`` (``n_tokens / n_articles``).

    Raises
    ------
    ParameterError
        When ``by`` names no column of the table.
    SchemaError
        When ``articles`` or ``tokens`` is not a valid table.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "title": ["Hi", None],
    ...     "text": ["One sentence. Two!", "Three words here."],
    ...     "published": pd.to_datetime(["2021-11-04T09:53Z", None], utc=True)})
    >>> corpus_summary(arts)[["n_articles", "n_outlets", "n_undated", "n_tokens", "n_types", "n_sentences"]].iloc[0].tolist()
    [2, 2, 1, 7, 7, 4]
    """
    arts = validate_articles(articles)
    group, table, _ = _article_groups(arts, by, None, what="corpus_summary")
    n_groups = len(table)
    n_articles = np.bincount(group, minlength=n_groups)
    art = pd.DataFrame({"g": group, "outlet": arts["outlet"].to_numpy(), "published": arts["published"].array})
    per = art.groupby("g", sort=True).agg(
        n_outlets=("outlet", "nunique"), first_published=("published", "min"), last_published=("published", "max")
    ).reindex(range(n_groups))
    n_undated = np.bincount(group, weights=arts["published"].isna().to_numpy(), minlength=n_groups).astype(np.int64)

    if matrix is not None:
        from scipy import sparse

        counts, _ = _check_matrix(matrix, arts, tokens)
        # Groups x articles indicator times the matrix: the groups' term counts in one sparse
        # product; its non-zero entries per row are the group's types.
        member = sparse.csr_matrix((np.ones(len(arts), dtype=np.int64), (group, np.arange(len(arts)))),
                                   shape=(n_groups, len(arts)))
        per_group = (member @ counts).tocsr()
        per_group.eliminate_zeros()
        n_tokens = np.asarray(per_group.sum(axis=1), dtype=np.int64).ravel()
        n_types = np.diff(per_group.indptr).astype(np.int64)
        per_article = None
    else:
        tokens, rows, mask, text = _word_tokens(arts, tokens, fields=None, lower=True, stopwords=False)
        word_group = group[rows[mask]]
        n_tokens = np.bincount(word_group, minlength=n_groups)
        codes, _ = _codes_of(text.filter(pa.array(mask)))
        pairs = np.unique(word_group * max(int(codes.max(initial=0)) + 1, 1) + codes)
        n_types = np.bincount(pairs // max(int(codes.max(initial=0)) + 1, 1), minlength=n_groups)
        in_arts = rows >= 0
        per_article = _sentence_counts(np.where(in_arts, rows, 0), tokens, in_arts, len(arts))
    if per_article is None:
        n_sentences = pd.array([pd.NA] * n_groups, dtype="Int64")
    else:
        n_sentences = np.bincount(group, weights=per_article, minlength=n_groups).astype(np.int64)

    out = table.copy()
    out["n_articles"] = n_articles.astype(np.int64)
    out["n_outlets"] = per["n_outlets"].fillna(0).to_numpy(dtype=np.int64)
    out["first_published"] = per["first_published"].array
    out["last_published"] = per["last_published"].array
    out["n_undated"] = n_undated
    out["n_tokens"] = n_tokens.astype(np.int64)
    out["n_types"] = n_types.astype(np.int64)
    out["n_sentences"] = n_sentences
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_tokens_per_article"] = n_tokens / np.where(n_articles == 0, np.nan, n_articles)
    return out.reset_index(drop=True)


def _article_word_stats(arts: pd.DataFrame) -> pd.DataFrame:
    """article_stats without sentences, counted from the texts (no tokens table)."""
    n = len(arts)
    indptr, _, _, _, n_tokens = _sliced_csr(arts, keep=np.ones(n, dtype=bool), fields=("text",), lower=True,
                                            stopwords=False)
    n_types = np.diff(indptr)
    with np.errstate(invalid="ignore", divide="ignore"):
        ttr = n_types / np.where(n_tokens == 0, np.nan, n_tokens)
    return pd.DataFrame(
        {
            "doc_id": arts["doc_id"].to_numpy(),
            "n_chars": arts["text"].str.len().fillna(0).to_numpy(dtype=np.int64),
            "n_tokens": n_tokens.astype(np.int64),
            "n_types": n_types.astype(np.int64),
            "n_sentences": pd.array([pd.NA] * n, dtype="Int64"),
            "type_token_ratio": ttr,
            "mean_sentence_length": np.full(n, np.nan),
        }
    ).astype({"doc_id": "str"})


def article_stats(
    articles: pd.DataFrame, *, tokens: pd.DataFrame | None = None, sentences: bool = True
) -> pd.DataFrame:
    """Per-article statistics of the ``text`` field.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    tokens
        A tokens table from :func:`toolkit.text.tokenize` that includes the ``text`` field;
        ``None`` tokenizes ``text`` (lower-cased, no stopword removal).
    sentences
        Count sentences when ``tokens`` is ``None`` (Punkt, the slow part). ``False`` counts
        the words straight from the texts (vectorised, no tokens table) and leaves
        ``n_sentences`` and ``mean_sentence_length`` missing.

    Returns
    -------
    pandas.DataFrame
        One row per article, in table order: ``doc_id``, ``n_chars`` (characters of ``text``,
        0 when missing), ``n_tokens`` (words, punctuation excluded), ``n_types`` (distinct
        lower-cased words), ``n_sentences``, ``type_token_ratio`` (``n_types / n_tokens``) and
        ``mean_sentence_length`` (words per sentence, ``n_tokens / n_sentences``). Ratios are
        ``NaN`` for an article without words; ``n_sentences`` is ``<NA>`` when the tokens
        table has no sentence numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "outlet": ["X"], "title": ["T"],
    ...     "text": ["The cat sat. The dog ran away."], "published": pd.to_datetime([None], utc=True)})
    >>> article_stats(arts).to_dict("records")
    [{'doc_id': 'a', 'n_chars': 30, 'n_tokens': 7, 'n_types': 6, 'n_sentences': 2, 'type_token_ratio': 0.8571428571428571, 'mean_sentence_length': 3.5}]
    """
    arts = validate_articles(articles)
    if not isinstance(sentences, bool):
        raise ParameterError("sentences", sentences, "True or False")
    if tokens is None and not sentences:
        return _article_word_stats(arts)
    if tokens is None:
        tokens = tokenize(arts, fields=("text",), lower=True)
    else:
        tokens = _check_tokens(tokens)
        field = tokens["field"]
        present = field.cat.categories if isinstance(field.dtype, pd.CategoricalDtype) else field.unique()
        if "text" not in set(present) and arts["text"].notna().any():
            raise SchemaError(
                f"tokens has no rows for the 'text' field (it has {sorted(map(str, present))}); "
                "article_stats measures the text. Tokenize with fields including 'text', e.g. "
                "tokenize(articles, fields=('title', 'text'))."
            )
    n = len(arts)
    rows = _token_rows(arts, tokens)
    in_text = (rows >= 0) & (tokens["field"] == "text").to_numpy()
    text = _normalize_tokens(_as_arrow_strings(tokens["token"]), lower=True)
    words = in_text & _word_mask(text)

    n_tokens = np.bincount(rows[words], minlength=n)
    codes, _ = _codes_of(text.filter(pa.array(words)))
    width = max(int(codes.max(initial=0)) + 1, 1)
    n_types = np.bincount(np.unique(rows[words] * width + codes) // width, minlength=n)
    per_article = _sentence_counts(np.where(in_text, rows, 0), tokens, in_text, n)
    n_chars = arts["text"].str.len().fillna(0).to_numpy(dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ttr = n_types / np.where(n_tokens == 0, np.nan, n_tokens)
        if per_article is None:
            n_sentences = pd.array([pd.NA] * n, dtype="Int64")
            msl = np.full(n, np.nan)
        else:
            n_sentences = per_article.astype(np.int64)
            msl = n_tokens / np.where(per_article == 0, np.nan, per_article)
    return pd.DataFrame(
        {
            "doc_id": arts["doc_id"].to_numpy(),
            "n_chars": n_chars,
            "n_tokens": n_tokens.astype(np.int64),
            "n_types": n_types.astype(np.int64),
            "n_sentences": n_sentences,
            "type_token_ratio": ttr,
            "mean_sentence_length": msl,
        }
    ).astype({"doc_id": "str"})


# ---------------------------------------------------------------------------------------------
# Term frequencies
# ---------------------------------------------------------------------------------------------


def _check_min_n(min_n: object) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ParameterError("min_n", min_n, "an integer >= 1", hint="min_n=5 keeps terms seen at least 5 times in a group.")
    return int(min_n)


def _counted_words(
    arts: pd.DataFrame,
    tokens: pd.DataFrame | None,
    *,
    keep: np.ndarray,
    fields: Sequence[str],
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    words: Words = "toolkit",
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The words counted for the articles marked in ``keep``: article row and term code of each.

    Words are tokens of ``fields`` with a letter or digit, normalised (``lower``) and not
    stopwords. Without a tokens table only the kept articles are tokenized. Term codes are
    numbered in sorted order of the returned distinct terms.
    """
    fields = _check_fields_arg(fields)
    words = _check_words(words, tokens)
    if tokens is None:
        missing = [f for f in fields if f not in arts.columns]
        if missing:
            raise ParameterError("fields", fields, f"text columns of the articles table ({one_of(arts.columns)})")
        kept_rows = np.flatnonzero(keep)
        sub = arts if len(kept_rows) == len(arts) else arts.iloc[kept_rows]
        fields = _check_fields(sub, fields)
        if words == "alnum":
            from toolkit._alnum import alnum_codes

            text_index, codes, terms = alnum_codes(_interleaved_texts(sub, fields), lower=lower,
                                                   stop=_stopword_set(stopwords))
            if len(fields) > 1:
                text_index = text_index // len(fields)
            if len(kept_rows) < len(arts):
                return kept_rows.astype(np.int32)[text_index], codes, terms
            return text_index.astype(np.int32, copy=False), codes, terms
        # Straight from the texts to term codes: no tokens table, each distinct token
        # normalised once (see toolkit.text._word_codes).
        text_index, codes, terms = _word_codes(_interleaved_texts(sub, fields), lower=lower,
                                               stop=_stopword_set(stopwords))
        return kept_rows.astype(np.int32)[text_index // len(fields)], codes, terms
    tokens = _check_tokens(tokens)
    rows = _token_rows(arts, tokens)
    # Each distinct token is normalised and tested once, not each row.
    raw = _as_arrow_strings(tokens["token"])
    encoded = pc.dictionary_encode(pc.fill_null(raw, "") if raw.null_count else raw)  # "" is no word
    codes, terms = _encoded_word_codes([encoded], lower=lower, stop=_stopword_set(stopwords))
    mask = (rows >= 0) & (codes >= 0) & _field_filter(tokens, fields)
    mask[mask] = keep[rows[mask]]
    codes, terms = _compact_codes(codes[mask], terms)
    return rows[mask], codes, terms


def _sliced_csr(
    arts: pd.DataFrame,
    *,
    keep: np.ndarray,
    fields: Sequence[str],
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    words: Words = "toolkit",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """The words of :func:`_counted_words` (no tokens table) as CSR arrays of an article x term matrix.

    Returns ``indptr``, ``indices``, ``data`` (int64), the terms (sorted) and the counted words
    of each article; one row per article of ``arts``, empty for those not in ``keep``. The texts
    are counted slice by slice (``toolkit._alnum.sliced_counts``): the per-token arrays exist
    for one slice per thread, never for the whole corpus. Needs no scipy.
    """
    from functools import partial

    from toolkit._alnum import alnum_codes, sliced_counts

    fields = _check_fields_arg(fields)
    words = _check_words(words, None)
    missing = [f for f in fields if f not in arts.columns]
    if missing:
        raise ParameterError("fields", fields, f"text columns of the articles table ({one_of(arts.columns)})")
    fields = _check_fields(arts, fields)
    kept_rows = np.flatnonzero(keep)
    codes_of = partial(alnum_codes if words == "alnum" else _word_codes, lower=lower,
                       stop=_stopword_set(stopwords), jobs=1)
    # One column per field (zero-copy views of the table's Arrow data), interleaved per slice.
    columns = [_interleaved_texts(arts, (f,)) for f in fields]
    indptr, indices, data, terms, n_words = sliced_counts(
        columns, codes_of, rows=None if len(kept_rows) == len(arts) else kept_rows)
    if len(kept_rows) < len(arts):
        per_article = np.zeros(len(arts), dtype=np.int64)
        per_article[kept_rows] = np.diff(indptr)
        indptr = np.zeros(len(arts) + 1, dtype=indptr.dtype)
        np.cumsum(per_article, out=indptr[1:])
        all_words = np.zeros(len(arts), dtype=np.int64)
        all_words[kept_rows] = n_words
        n_words = all_words
    return indptr, indices, data, terms, n_words


def _counted_matrix(
    arts: pd.DataFrame,
    tokens: pd.DataFrame | None,
    *,
    fields: Sequence[str],
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    words: Words = "toolkit",
):  # noqa: ANN202 - scipy is imported lazily
    """The words of :func:`_counted_words` as an article x term matrix (canonical CSR, int64) and the terms.

    Raises ImportError without scipy.
    """
    if tokens is not None or words not in WORDS:
        rows, codes, terms = _counted_words(arts, tokens, keep=np.ones(len(arts), dtype=bool), fields=fields,
                                            lower=lower, stopwords=stopwords, words=words)
        return _sparse_counts(rows, codes, len(terms), len(arts)), terms
    indptr, indices, data, terms, _ = _sliced_csr(arts, keep=np.ones(len(arts), dtype=bool), fields=fields,
                                                  lower=lower, stopwords=stopwords, words=words)
    from scipy import sparse

    return sparse.csr_matrix((data, indices, indptr), shape=(len(arts), len(terms)), copy=False), terms


def _check_words(words: object, tokens: object) -> str:
    if not isinstance(words, str) or words not in WORDS:
        raise ParameterError("words", words, one_of(WORDS),
                             hint='words="alnum" counts maximal runs of letters and digits (as scikit-learn).')
    if words == "alnum" and tokens is not None:
        raise ParameterError("tokens", "a tokens table", 'None with words="alnum"',
                             hint='words="alnum" reads the texts itself; drop tokens=, or use words="toolkit".')
    return words


def _check_matrix(matrix: object, arts: pd.DataFrame, tokens: object):  # noqa: ANN202 - scipy is imported lazily
    """The (CSR matrix, terms) of a ``matrix=`` argument: a :func:`document_term_matrix` result for ``arts``."""
    hint = ("Pass the result of document_term_matrix(articles, stopwords=False) for this same table "
            "(same rows, same order), or matrix=None to count from the texts.")
    if tokens is not None:
        raise ParameterError("tokens", "a tokens table", "None when matrix= is given", hint="Give one of tokens= or matrix=.")
    if not isinstance(matrix, tuple) or len(matrix) != 2 or not isinstance(matrix[1], pd.Index):
        raise ParameterError("matrix", type(matrix).__name__, "a (matrix, vocabulary) pair from document_term_matrix", hint=hint)
    counts, vocabulary = matrix
    shape = getattr(counts, "shape", None)
    if getattr(counts, "format", None) != "csr" or shape != (len(arts), len(vocabulary)):
        raise ParameterError(
            "matrix", f"{type(counts).__name__} of shape {shape}",
            f"a CSR matrix of shape ({len(arts)}, {len(vocabulary)}): one row per article, one column per term",
            hint=hint,
        )
    return counts, pa.array(vocabulary.to_numpy(dtype=object), type=pa.large_string())


def _matrix_csr(
    matrix: object, arts: pd.DataFrame, tokens: object, *, lower: bool, stopwords: bool | StopwordSource | Collection[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """:func:`_sliced_csr`'s arrays taken from a ``matrix=`` argument, its stopword columns left out."""
    counts, terms = _check_matrix(matrix, arts, tokens)
    if not counts.has_canonical_format:  # document_term_matrix's own is; never sort the caller's
        counts = counts.copy()
        counts.sum_duplicates()
    indptr, indices, data = counts.indptr.astype(np.int64), counts.indices.astype(np.int64), counts.data.astype(np.int64)
    stop = _stopword_set(stopwords)
    dropped = _stop_mask(terms, stop, lowered=lower) if stop and len(terms) else np.zeros(len(terms), dtype=bool)
    if dropped.any():
        kept = ~dropped[indices]
        indptr = np.r_[0, np.cumsum(kept, dtype=np.int64)][indptr]  # entries kept before each row start
        indices, data = (np.cumsum(~dropped) - 1)[indices[kept]], data[kept]
        terms = terms.filter(pa.array(~dropped))
    n_words = np.r_[0, np.cumsum(data, dtype=np.int64)][indptr]
    return indptr, indices, data, terms, np.diff(n_words)


# Counting (group, term) cells in a dense array beats sorting up to about this many cells.
_DENSE_LIMIT = 20_000_000


def _sparse_counts(rows: np.ndarray, codes: np.ndarray, n_terms: int, n_articles: int):  # noqa: ANN202
    """The article x term count matrix as a canonical ``scipy.sparse.csr_matrix`` (int64)."""
    from scipy import sparse

    if len(rows) > 1 and bool((rows[1:] >= rows[:-1]).all()):
        # Tokens in article order: build term-major instead. scipy's COO -> CSR is a stable
        # counting sort, so each term's articles come out sorted with duplicates adjacent; summing
        # them and transposing are linear, where sorting every article's terms is not.
        by_term = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.int32), (codes, rows)), shape=(max(n_terms, 0), n_articles)
        )
        by_term.sum_duplicates()
        matrix = by_term.T.tocsr()
        matrix.sum_duplicates()  # already canonical: only checked
        return matrix.astype(np.int64)
    # int32 while there is one entry per token (17 million for 100 MB of text), int64 once summed.
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, codes)), shape=(n_articles, max(n_terms, 0))
    )
    matrix.sum_duplicates()  # canonical: sorted terms within a row, one entry per (article, term)
    return matrix.astype(np.int64)


def _article_term_pairs(
    rows: np.ndarray, codes: np.ndarray, n_terms: int, n_articles: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (article, term) pairs and their counts, sorted by article then term.

    scipy's CSR construction sorts within each article (short runs) instead of sorting every
    token at once; without scipy, one ``np.unique`` does the same.
    """
    try:
        matrix = _sparse_counts(rows, codes, n_terms, n_articles)
    except ImportError:
        width = max(n_terms, 1)
        keys, n = np.unique(rows.astype(np.int64) * width + codes, return_counts=True)
        return keys // width, keys % width, n
    pair_row = np.repeat(np.arange(n_articles, dtype=np.int64), np.diff(matrix.indptr))
    return pair_row, matrix.indices.astype(np.int64), matrix.data.astype(np.int64)


def _count_terms(
    rows: np.ndarray,
    codes: np.ndarray,
    n_terms: int,
    member_rows: np.ndarray,
    member_groups: np.ndarray,
    n_groups: int,
    n_articles: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count words per (group, term), where article ``member_rows[i]`` belongs to group ``member_groups[i]``.

    An article may belong to several groups (its words count in each) or to none. The
    (article, group) pairs must be distinct. Returns, per (group, term) key with at least one
    occurrence, sorted by group then term: group, term, ``n``, ``docfreq``, and the counted
    words of each group (``totals``, one per group).
    """
    # Occurrences per (article, term), sorted by article.
    pair_row, pair_term, pair_n = _article_term_pairs(rows, codes, n_terms, n_articles)
    indptr = np.searchsorted(pair_row, np.arange(n_articles + 1))
    words_per_article = np.bincount(rows, minlength=n_articles)
    return _count_pairs(indptr, pair_term, pair_n, words_per_article, n_terms, member_rows, member_groups, n_groups)


def _count_pairs(
    indptr: np.ndarray,
    pair_term: np.ndarray,
    pair_n: np.ndarray,
    words_per_article: np.ndarray,
    n_terms: int,
    member_rows: np.ndarray,
    member_groups: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_count_terms` from the article x term matrix (CSR arrays) and the words per article."""
    width = max(n_terms, 1)
    # Each membership pair takes its article's run of (term, n) pairs, so a document in k groups
    # is counted k times without a Python loop.
    lo = indptr[member_rows].astype(np.int64)
    lengths = indptr[member_rows + 1].astype(np.int64) - lo
    if len(member_rows) == len(indptr) - 1 and bool((np.diff(member_rows) == 1).all()):
        take: slice | np.ndarray = slice(None)  # every article once, in order: no gather
    else:
        offsets = np.cumsum(lengths) - lengths
        take = np.repeat(lo - offsets, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)
    group_term = np.repeat(member_groups.astype(np.int64), lengths) * width + pair_term[take]
    if n_groups * width <= _DENSE_LIMIT:
        # Few enough (group, term) cells to count them in a dense array: no sort.
        n_all = np.bincount(group_term, weights=pair_n[take], minlength=n_groups * width)
        doc_all = np.bincount(group_term, minlength=n_groups * width)
        keys = np.flatnonzero(doc_all)
        n, docfreq = n_all[keys].astype(np.int64), doc_all[keys].astype(np.int64)
    else:
        keys, inverse = np.unique(group_term, return_inverse=True)
        n = np.bincount(inverse, weights=pair_n[take], minlength=len(keys)).astype(np.int64)
        docfreq = np.bincount(inverse, minlength=len(keys)).astype(np.int64)
    totals = np.bincount(member_groups, weights=words_per_article[member_rows], minlength=n_groups).astype(np.int64)
    return keys // width, keys % width, n, docfreq, totals


def _counts_table(
    table: pd.DataFrame,
    group_cols: list[str],
    terms: pa.Array,
    counted: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    min_n: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The counts table (group columns, term, n, docfreq, share) sorted by group, n desc, term."""
    key_group, key_term, n, docfreq, totals = counted
    share = n / totals[key_group] if len(n) else np.zeros(0)
    keep = n >= min_n
    key_group, key_term, n, docfreq, share = (a[keep] for a in (key_group, key_term, n, docfreq, share))
    order = np.lexsort((key_term, -n, key_group))
    key_group, key_term, n, docfreq, share = (a[order] for a in (key_group, key_term, n, docfreq, share))

    out = table[group_cols].iloc[key_group].reset_index(drop=True) if group_cols else pd.DataFrame(index=pd.RangeIndex(len(n)))
    out["term"] = _str_series(terms.take(pa.array(key_term, type=pa.int64())))
    out["n"] = n.astype(np.int64)
    out["docfreq"] = docfreq.astype(np.int64)
    out["share"] = share.astype(np.float64)
    return out, key_group


def _ranks(group: np.ndarray) -> np.ndarray:
    """1-based position of each row within its run of equal group numbers."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    return (np.arange(len(group)) - first + 1).astype(np.int64)


def _term_table(
    articles: pd.DataFrame,
    *,
    by: By,
    freq: Freq | None,
    tokens: pd.DataFrame | None,
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    fields: Sequence[str],
    min_n: int,
    what: str,
    words: Words = "toolkit",
    matrix: object = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """term_frequencies' table plus the group number of each of its rows."""
    arts = validate_articles(articles)
    min_n = _check_min_n(min_n)
    group, table, group_cols = _article_groups(arts, by, freq, what=what)
    member = np.flatnonzero(group >= 0)  # every article in one group, but undated ones by period
    counted, terms = _counted_groups(arts, tokens, keep=group >= 0, member_rows=member, member_groups=group[member],
                                     n_groups=len(table), fields=fields, lower=lower, stopwords=stopwords, words=words,
                                     matrix=matrix)
    return _counts_table(table, group_cols, terms, counted, min_n)


def _counted_groups(
    arts: pd.DataFrame,
    tokens: pd.DataFrame | None,
    *,
    keep: np.ndarray,
    member_rows: np.ndarray,
    member_groups: np.ndarray,
    n_groups: int,
    fields: Sequence[str],
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    words: Words = "toolkit",
    matrix: object = None,
) -> tuple[tuple[np.ndarray, ...], pa.Array]:
    """:func:`_count_terms` of the counted words, and the terms; counted slice by slice without tokens,
    or taken from ``matrix`` (a :func:`document_term_matrix` result) when given."""
    if matrix is not None:
        indptr, indices, data, terms, n_words = _matrix_csr(matrix, arts, tokens, lower=lower, stopwords=stopwords)
        return _count_pairs(indptr, indices, data, n_words, len(terms), member_rows, member_groups, n_groups), terms
    if tokens is None and isinstance(words, str) and words in WORDS:
        indptr, indices, data, terms, n_words = _sliced_csr(arts, keep=keep, fields=fields, lower=lower,
                                                            stopwords=stopwords, words=words)
        counted = _count_pairs(indptr, indices, data, n_words, len(terms), member_rows, member_groups, n_groups)
        return counted, terms
    rows, codes, terms = _counted_words(arts, tokens, keep=keep, fields=fields, lower=lower,
                                        stopwords=stopwords, words=words)
    return _count_terms(rows, codes, len(terms), member_rows, member_groups, n_groups, len(arts)), terms


def _membership_table(
    articles: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    tokens: pd.DataFrame | None,
    lower: bool,
    stopwords: bool | StopwordSource | Collection[str],
    fields: Sequence[str],
    min_n: int,
    matrix: object = None,
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """term_frequencies_by_group's table, the group number of its rows, and articles per group."""
    arts = validate_articles(articles)
    min_n = _check_min_n(min_n)
    if not isinstance(groups, pd.DataFrame):
        raise SchemaError(
            f"groups must be a pandas DataFrame with doc_id and grouping columns (e.g. the matches "
            f"from toolkit.match_topics), got {type(groups).__name__}."
        )
    group_cols = [c for c in groups.columns if c != "doc_id"]
    if "doc_id" not in groups.columns or not group_cols:
        raise SchemaError(
            f"groups needs a doc_id column and at least one grouping column; it has {list(map(str, groups.columns))}. "
            "Pass e.g. matches[['doc_id', 'topic']]."
        )
    clash = [c for c in group_cols if c in ("term", "n", "docfreq", "share", "rank", "n_docs")]
    if clash:
        raise SchemaError(f"groups has column(s) {clash} named like output columns; rename them first.")
    pairs = groups[groups["doc_id"].notna()].reset_index(drop=True)
    code, table = _group_codes(pairs[group_cols])
    row = pd.Index(arts["doc_id"].to_numpy()).get_indexer(pairs["doc_id"].to_numpy())
    unknown = int((row < 0).sum())
    if unknown:
        logger.warning("term_frequencies_by_group: %d rows of groups name a doc_id that is not in articles; "
                       "they are ignored.", unknown)
    # Each (article, group) pair once, whatever the repeats in groups.
    member = np.unique(row[row >= 0] * max(len(table), 1) + code[row >= 0])
    member_rows, member_groups = member // max(len(table), 1), member % max(len(table), 1)
    keep = np.zeros(len(arts), dtype=bool)
    keep[member_rows] = True
    counted, terms = _counted_groups(arts, tokens, keep=keep, member_rows=member_rows, member_groups=member_groups,
                                     n_groups=len(table), fields=fields, lower=lower, stopwords=stopwords, matrix=matrix)
    out, key_group = _counts_table(table, group_cols, terms, counted, min_n)
    n_docs = table.copy()
    n_docs["n_docs"] = np.bincount(member_groups, minlength=len(table)).astype(np.int64)
    return out, key_group, n_docs


def term_frequencies_by_group(
    articles: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    tokens: pd.DataFrame | None = None,
    lower: bool = True,
    stopwords: bool | StopwordSource | Collection[str] = True,
    fields: Sequence[str] = ("title", "text"),
    min_n: int = 1,
    matrix: tuple | None = None,
) -> pd.DataFrame:
    """Term and document frequencies per group, where an article may belong to several groups.

    :func:`term_frequencies` groups by columns of the articles table, so each article is in
    exactly one group. Here the groups come from a separate table of (article, group) pairs,
    such as the matches of :func:`toolkit.match_topics`: an article that matches two topics
    counts in both, one that matches none counts nowhere. Counting is otherwise the same
    (same words, options and columns).

    Parameters
    ----------
    articles
        An articles table. Not modified.
    groups
        A table with ``doc_id`` and one or more grouping columns (every other column groups):
        one row per (article, group). Repeated rows count once; ids that are not in
        ``articles`` are ignored (and logged). Missing group values form their own group.
    tokens, lower, stopwords, fields, min_n, matrix
        As in :func:`term_frequencies`.

    Returns
    -------
    pandas.DataFrame
        The grouping columns, ``term``, ``n`` (occurrences in the group's articles),
        ``docfreq`` (the group's articles containing the term) and ``share`` (``n`` divided by
        all counted words of the group's articles). Sorted by group (ascending), then ``n``
        descending, then ``term``.

    Raises
    ------
    SchemaError
        When ``groups`` lacks ``doc_id`` or a grouping column.
    ParameterError
        As :func:`term_frequencies`.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "title": [None, None],
    ...     "text": ["Japan and Korea.", "Japan talks."], "published": pd.to_datetime([None, None], utc=True)})
    >>> pairs = pd.DataFrame({"doc_id": ["a", "a", "b"], "topic": ["Japan", "Korea", "Japan"]})
    >>> term_frequencies_by_group(arts, pairs)[["topic", "term", "n", "docfreq"]].values.tolist()
    [['Japan', 'japan', 2, 2], ['Japan', 'korea', 1, 1], ['Japan', 'talks', 1, 1], ['Korea', 'japan', 1, 1], ['Korea', 'korea', 1, 1]]
    """
    out, _, _ = _membership_table(articles, groups, tokens=tokens, lower=lower, stopwords=stopwords,
                                  fields=fields, min_n=min_n, matrix=matrix)
    return out


@supports_dask
def term_frequencies(
    articles: pd.DataFrame,
    *,
    by: By = None,
    freq: Freq | None = None,
    tokens: pd.DataFrame | None = None,
    lower: bool = True,
    stopwords: bool | StopwordSource | Collection[str] = True,
    fields: Sequence[str] = ("title", "text"),
    min_n: int = 1,
    words: Words = "toolkit",
    matrix: tuple | None = None,
) -> pd.DataFrame:
    """Term and document frequencies, overall or per group and/or period.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    by
        Column name (or list of names) of the articles table to count by, e.g. ``"outlet"``.
        Missing values form their own group, listed last.
    freq
        Also count by period: ``"D"``, ``"W"`` (ISO weeks from Monday), ``"M"``, ``"Q"`` or
        ``"Y"``; the ``period`` column holds each period's first instant (UTC, see
        :func:`toolkit.periods.period_start`). Articles without a publication date cannot be
        placed in a period and are **left out** of these counts (a warning gives their number).
    tokens
        A tokens table from :func:`toolkit.text.tokenize` for these articles; ``None``
        tokenizes the ``fields``. Punctuation is never counted; ``stopwords`` and ``lower`` are
        applied to a given table too.
    lower
        Count lower-cased terms.
    stopwords
        ``True`` (default) leaves out :data:`toolkit.text.STOPWORDS`; ``False`` counts every
        word; ``"nltk"`` or a collection of words leaves out those.
    fields
        Fields counted (``title``, ``text`` or other text columns).
    min_n
        Leave out terms seen fewer than ``min_n`` times in their group (after ``share`` is
        computed, so shares are of all counted tokens).
    words
        What a word is. ``"toolkit"`` (default): the words of :func:`toolkit.text.tokenize`
        (hyphenated words, abbreviations such as ``U.S.``, clitics). ``"alnum"``: maximal runs
        of Unicode letters and digits, exactly ``re.findall(r"[^\\W_]+", text.lower())`` and
        scikit-learn's ``CountVectorizer(token_pattern=r"(?u)[^\\W_]+")``; counted byte-level,
        several times faster. Needs ``tokens=None``.
    matrix
        A ``(matrix, vocabulary)`` pair from :func:`document_term_matrix` made from this same
        table (same rows, same order) with ``stopwords=False`` and the same ``lower`` and
        ``fields``: the words are then taken from it instead of being counted again (this
        function's ``stopwords`` drop its columns), so a notebook counts once for many tables.
        The result is the same as without it. Not with ``tokens``.

    Returns
    -------
    pandas.DataFrame
        The counts table: the ``by`` columns, ``period`` (with ``freq``), then ``term``, ``n``
        (occurrences), ``docfreq`` (articles of the group containing the term) and ``share``
        (``n`` divided by all counted tokens of the group). Sorted by group, then ``n``
        descending, then ``term``.

    Raises
    ------
    ParameterError
        For an unknown ``by`` column, a bad ``freq``, ``min_n < 1``, bad ``stopwords`` or
        ``words``, or ``tokens`` given with ``words="alnum"``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "title": [None, None],
    ...     "text": ["Japan and Korea.", "Japan talks."], "published": pd.to_datetime([None, None], utc=True)})
    >>> term_frequencies(arts)[["term", "n", "docfreq", "share"]].values.tolist()
    [['japan', 2, 2, 0.5], ['korea', 1, 1, 0.25], ['talks', 1, 1, 0.25]]
    >>> arts.loc[1, "text"] = "U.S.-Japan talks."
    >>> term_frequencies(arts, words="alnum", stopwords=False)[["term", "n"]].values.tolist()
    [['japan', 2], ['and', 1], ['korea', 1], ['s', 1], ['talks', 1], ['u', 1]]
    """
    out, _ = _term_table(articles, by=by, freq=freq, tokens=tokens, lower=lower, stopwords=stopwords,
                         fields=fields, min_n=min_n, what="term_frequencies", words=words, matrix=matrix)
    return out


def document_term_matrix(
    articles: pd.DataFrame,
    *,
    tokens: pd.DataFrame | None = None,
    lower: bool = True,
    stopwords: bool | StopwordSource | Collection[str] = True,
    fields: Sequence[str] = ("title", "text"),
    min_n: int = 1,
    words: Words = "toolkit",
):  # noqa: ANN201 - scipy is imported lazily, so its type is not named here
    """The article x term count matrix (what scikit-learn's ``CountVectorizer`` returns).

    The words counted are exactly those of :func:`term_frequencies` with the same options:
    column sums are its ``n`` and non-zero entries per column its ``docfreq``.

    Parameters
    ----------
    articles
        An articles table. Not modified.
    tokens, lower, stopwords, fields
        As in :func:`term_frequencies`.
    min_n
        Leave out terms seen fewer than ``min_n`` times in the whole corpus.
    words
        As in :func:`term_frequencies`: ``"alnum"`` gives the matrix of
        ``CountVectorizer(token_pattern=r"(?u)[^\\W_]+")`` (same vocabulary, same counts).

    Returns
    -------
    tuple of (scipy.sparse.csr_matrix, pandas.Index)
        The matrix (int64, canonical CSR: one row per article in table order, one column per
        term) and the vocabulary: the terms of the columns, sorted.

    Raises
    ------
    ParameterError
        For ``min_n < 1`` or bad ``stopwords``/``fields``.
    ToolkitError
        When scipy is not installed.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "title": [None, None],
    ...     "text": ["Japan and Korea.", "Japan talks."], "published": pd.to_datetime([None, None], utc=True)})
    >>> matrix, vocabulary = document_term_matrix(arts)
    >>> vocabulary.tolist()
    ['japan', 'korea', 'talks']
    >>> matrix.toarray().tolist()
    [[1, 1, 0], [1, 0, 1]]
    """
    arts = validate_articles(articles)
    min_n = _check_min_n(min_n)
    try:
        matrix, terms = _counted_matrix(arts, tokens, fields=fields, lower=lower, stopwords=stopwords, words=words)
    except ImportError:
        raise ToolkitError(
            "document_term_matrix returns a scipy.sparse matrix, and scipy is not installed. "
            "Install it (pip install scipy), or count with term_frequencies(articles), which needs no scipy."
        ) from None
    if min_n > 1:
        total = np.bincount(matrix.indices, weights=matrix.data, minlength=len(terms))
        kept = np.flatnonzero(total >= min_n)
        matrix = matrix[:, kept]
        terms = terms.take(pa.array(kept, type=pa.int64()))
    vocabulary = pd.Index(_str_series(terms).array, dtype="str", name="term")
    return matrix, vocabulary


@supports_dask
def top_terms(
    articles: pd.DataFrame,
    *,
    n: int = 20,
    by: By = None,
    freq: Freq | None = None,
    stopwords: bool | StopwordSource | Collection[str] = True,
    tokens: pd.DataFrame | None = None,
    lower: bool = True,
    fields: Sequence[str] = ("title", "text"),
    min_n: int = 1,
    words: Words = "toolkit",
    matrix: tuple | None = None,
) -> pd.DataFrame:
    """The ``n`` most frequent terms, overall or per group and/or period.

    Parameters are those of :func:`term_frequencies` (``words="alnum"`` and ``matrix`` included), plus ``n``,
    the number of terms kept per group.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``period`` (with ``freq``), ``rank`` (1-based within the group),
        ``term``, ``n``, ``docfreq``, ``share``. Ties in ``n`` are ranked alphabetically by
        term, so ranks are 1, 2, 3, ... without gaps.

    Raises
    ------
    ParameterError
        For ``n < 1``, and as :func:`term_frequencies`.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "title": [None, None],
    ...     "text": ["Japan and Korea.", "Japan talks talks."],
    ...     "published": pd.to_datetime([None, None], utc=True)})
    >>> top_terms(arts, n=1, by="outlet")[["outlet", "rank", "term", "n"]].values.tolist()
    [['X', 1, 'japan', 1], ['Y', 1, 'talks', 2]]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError("n", n, "an integer >= 1", hint="n=20 keeps the 20 most frequent terms per group.")
    table, group = _term_table(articles, by=by, freq=freq, tokens=tokens, lower=lower, stopwords=stopwords,
                               fields=fields, min_n=min_n, what="top_terms", words=words, matrix=matrix)
    rank = _ranks(group)
    keep = rank <= n
    out = table[keep].reset_index(drop=True)
    out.insert(len(out.columns) - 4, "rank", rank[keep].astype(np.int64))
    return out
