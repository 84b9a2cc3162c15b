"""The articles table: its columns, their dtypes, and :func:`validate_articles`.

One row per article. ``doc_id`` is the key every other table joins on; metadata lives here and
is joined back by ``doc_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from toolkit.errors import ParameterError, SchemaError, one_of

PUBLISHED_DTYPE = pd.DatetimeTZDtype(unit="us", tz="UTC")

#: Columns every articles table has, in this order.
CORE_COLUMNS: tuple[str, ...] = ("doc_id", "outlet", "published", "title", "text")

#: Columns a loader fills when the source has them; always present after ``load_corpus``
#: (missing values are ``<NA>``).
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "subtitle",  # standfirst / dek
    "byline",  # author(s) or desk, several joined with "; "
    "url",
    "dateline",  # place the story was filed from ("Seoul")
    "wire",  # agency credited for the copy ("IANS", "Reuters")
    "image_credit",
    "lang",
    "section",
    "source_path",  # file the article came from
    "source_line",  # 1-based line/row of the record in that file; <NA> for one-article files
    "source_format",  # reader that produced it ("scraped", "csv", ...)
)

ARTICLE_COLUMNS: tuple[str, ...] = CORE_COLUMNS + OPTIONAL_COLUMNS

#: dtype of every known column. Text columns use pandas' default string dtype.
ARTICLE_DTYPES: dict[str, object] = {
    **{name: "str" for name in ARTICLE_COLUMNS},
    "published": PUBLISHED_DTYPE,
    "source_line": "Int64",
}


def empty_articles(extra_columns: Iterable[str] = ()) -> pd.DataFrame:
    """Return an articles table with no rows and every known column.

    Examples
    --------
    >>> empty_articles().columns[:5].tolist()
    ['doc_id', 'outlet', 'published', 'title', 'text']
    """
    columns = list(ARTICLE_COLUMNS) + [c for c in extra_columns if c not in ARTICLE_DTYPES]
    return pd.DataFrame(
        {c: pd.Series([], dtype=ARTICLE_DTYPES.get(c, "object")) for c in columns}
    )


def validate_articles(articles: pd.DataFrame, *, name: str = "articles") -> pd.DataFrame:
    """Check that ``articles`` is a valid articles table and return it with canonical dtypes.

    Checks: the core columns are present; ``doc_id`` has no missing or repeated values;
    ``published`` is (or converts losslessly to) tz-aware UTC; text columns hold strings.
    Timezone-naive ``published`` values are refused rather than guessed: localize them first
    (``s.dt.tz_localize("Europe/London")``) or load with ``load_corpus(..., tz=...)``.

    Parameters
    ----------
    articles
        The table to check. It is not modified.
    name
        What to call the table in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with canonical dtypes; extra columns are kept after the known ones.

    Raises
    ------
    SchemaError
        Naming the missing column, the repeated ``doc_id`` values, or the offending dtype.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a"], "outlet": ["X"], "title": ["T"], "text": ["Body"],
    ...                   "published": pd.to_datetime(["2021-11-04T09:53Z"])})
    >>> validate_articles(t)["published"].dtype
    datetime64[us, UTC]
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(
            f"{name} must be a pandas DataFrame, got {type(articles).__name__}. "
            "Load one with toolkit.load_corpus(path)."
        )
    missing = [c for c in CORE_COLUMNS if c not in articles.columns]
    if missing:
        raise SchemaError(
            f"{name} lacks the column(s) {missing}; an articles table needs {list(CORE_COLUMNS)}. "
            f"It has {list(articles.columns)}. Rename yours (df.rename(columns={{...}})) or load "
            "the corpus with toolkit.load_corpus(path, columns={...})."
        )
    out = articles.copy()
    ids = out["doc_id"]
    if ids.isna().any():
        rows = out.index[ids.isna()].tolist()[:5]
        raise SchemaError(f"{name}.doc_id has missing values (rows {rows}); every article needs an id.")
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise SchemaError(
            f"{name}.doc_id must be unique; repeated: {sorted(map(str, set(dup)))[:5]}. "
            "Give each article its own id (e.g. df['doc_id'] = df['doc_id'] + '-' + df.groupby('doc_id').cumcount().astype(str))."
        )
    published = out["published"]
    if not isinstance(published.dtype, pd.DatetimeTZDtype):
        if published.isna().all():
            published = pd.Series(pd.NaT, index=out.index, dtype=PUBLISHED_DTYPE)
        elif pd.api.types.is_datetime64_dtype(published.dtype):
            raise SchemaError(
                f"{name}.published is timezone-naive ({published.dtype}); the toolkit keeps times in UTC "
                "and will not guess a zone. Localize it first, e.g. "
                "df['published'] = df['published'].dt.tz_localize('UTC')."
            )
        else:
            raise SchemaError(
                f"{name}.published must be tz-aware datetimes, got dtype {published.dtype}. "
                "Parse it with pd.to_datetime(..., utc=True) or toolkit.parse_dates(...)."
            )
    for column in out.columns:
        dtype = ARTICLE_DTYPES.get(column)
        if dtype is None:
            continue
        if column == "published":
            out[column] = published.dt.tz_convert("UTC").astype(PUBLISHED_DTYPE)
            continue
        if dtype == "str" and out[column].dtype != "str":
            values = out[column]
            bad = values.map(lambda v: not (isinstance(v, str) or v is None or v is pd.NA or (isinstance(v, float) and v != v)))
            if bad.any():
                first = values[bad].iloc[0]
                raise SchemaError(
                    f"{name}.{column} must hold text; row {values.index[bad][0]!r} holds "
                    f"{type(first).__name__} {first!r}."
                )
        out[column] = out[column].astype(dtype)
    known = [c for c in ARTICLE_COLUMNS if c in out.columns]
    return out[known + [c for c in out.columns if c not in ARTICLE_DTYPES]]


def require_articles(articles: object, fields: Sequence[str] | str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Check the light contract the analysis functions need: a DataFrame with a unique,
    never-missing ``doc_id`` and the named text ``fields`` (distinct, at least one).

    Returns the table unchanged and ``fields`` as a tuple. Raises :class:`SchemaError` for the
    table and :class:`ParameterError` for ``fields``, each naming what to fix.

    >>> import pandas as pd
    >>> require_articles(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}), "text")[1]
    ('text',)
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(f"articles must be a pandas DataFrame, got {type(articles).__name__}.")
    if "doc_id" not in articles.columns:
        raise SchemaError(
            f"articles lacks the column 'doc_id'; it has {list(articles.columns)}. "
            "Load the corpus with toolkit.load_corpus(path) or add a unique doc_id column."
        )
    if articles["doc_id"].isna().any() or articles["doc_id"].duplicated().any():
        raise SchemaError("articles.doc_id must be unique and never missing; check with toolkit.validate_articles(articles).")
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    if not fields:
        raise ParameterError("fields", fields, "at least one text column, e.g. ('text',)")
    missing = [f for f in fields if f not in articles.columns]
    if missing:
        raise ParameterError(
            "fields", fields, f"text columns of the articles table ({one_of(articles.columns)})",
            hint=f"{missing} not found. Choose fields among the table's text columns.",
        )
    if len(set(fields)) != len(fields):
        raise ParameterError("fields", fields, "distinct column names")
    return articles, fields
