"""Exact and near-duplicate articles, syndicated wire copy and republished stories.

The same story reaches a corpus many times: a wire story printed by twenty outlets, an article
republished or updated by its own outlet, a scraper that fetched a page twice. Coverage counts
need to know, so :func:`flag_duplicates` adds three columns to the articles table:

``dup_group``
    ``Int64`` cluster number (1, 2, ... in table order of each cluster's first row);
    ``<NA>`` for an article that duplicates nothing.
``dup_of``
    ``doc_id`` of the cluster's *earliest* member (earliest ``published``; ties and undated
    articles by table order); ``<NA>`` for that member itself and for articles outside clusters.
``is_duplicate``
    ``True`` for every member of a cluster except its earliest.

:func:`dedupe` drops the duplicates (keeping the earliest, the longest, or none of each cluster)
and :func:`duplicate_clusters` lists the clusters for reading.

How two articles are matched
----------------------------
Both methods compare the ``field`` column(s) (``text`` by default: outlets rewrite headlines of
the wire copy they print, so the body is what identifies it) after this normalisation:
Unicode NFKC, typographic quotes, apostrophes and dashes folded to their ASCII forms, case
folded, runs of whitespace collapsed to one space, leading and trailing space removed
(:func:`match_key`). Punctuation is kept: "exact" means the same words *and* punctuation.

``method="exact"``
    Articles whose normalised texts are equal. Empty texts are never matched.
``method="near"`` (default)
    The exact matches, plus pairs whose sets of word shingles (runs of ``shingle`` consecutive
    words; a word is a run of letters, digits, marks and underscores) have a Jaccard similarity
    of at least ``threshold``. Candidate pairs come from MinHash LSH and every candidate is
    then checked against the real Jaccard similarity of the two shingle sets, so ``threshold``
    means exactly what it says. The LSH banding is chosen so that a pair *at* the threshold
    becomes a candidate with probability at least 99.5% (more above it); see
    :func:`lsh_params`. The MinHash signatures and LSH buckets are datasketch's (its 2.0
    "affine32" scheme and ``MinHashLSH`` banding; the tests check both bit for bit against the
    library) computed for the whole table in vectorised passes, several times faster than one
    ``MinHash.update_batch`` and ``MinHashLSH.insert`` per article (7-9x on BBC, ReCOVery and
    Reuters-21578; ``benchmarks/bench_dedup.py``). Texts shorter than ``min_words`` words (default :data:`MIN_WORDS`) are
    matched exactly only: a few changed words in a short text swing its shingle similarity too
    far for a threshold to mean anything.

Clusters are the connected components of the matched pairs (single linkage, union-find): if A
matches B and B matches C, all three are one cluster even when A and C alone would not match.
The same holds for ``window`` and ``across``, which restrict which *pairs* may match: a story
republished every day forms one chain-linked cluster although its first and last copies are
further apart than a 48-hour window.

Limits seen on real corpora (``benchmarks/bench_dedup.py``): formulaic wire items that differ
only in their figures ("Fed adds reserves via customer repurchases", quarterly-results tables)
reach 0.8 on different days; pass ``window="48h"`` (or raise ``threshold``/``min_words``) when
such items should count as separate stories. Where more than :data:`BIG_BUCKET` texts share
an LSH band (mass-produced boilerplate), each is checked against the first of them and its
neighbour only, so that the work stays linear; the 99.5% recall above then holds for pairs
involving those texts' first member only. Near-duplicates are symmetric: a short story
fully contained in a long one has a low Jaccard similarity and is not matched.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.normalize import row_blocks

log = logging.getLogger(__name__)

Method = Literal["exact", "near"]
Across = Literal["any", "outlets", "within_outlet"]
Keep = Literal["first", "none", "longest"]

METHODS: tuple[str, ...] = ("exact", "near")
ACROSS: tuple[str, ...] = ("any", "outlets", "within_outlet")
KEEP: tuple[str, ...] = ("first", "none", "longest")
#: The columns :func:`flag_duplicates` adds (and replaces when present).
DUP_COLUMNS: tuple[str, ...] = ("dup_group", "dup_of", "is_duplicate")

#: Default Jaccard similarity of word-shingle sets at or above which two texts are near-duplicates.
#: At 0.8 with 5-word shingles, two 400-word articles match when about one word in 45 differs
#: (scattered edits); the same story re-edited at the top (a new lead, a cut paragraph) often
#: falls to 0.5-0.7: lower the threshold to catch rewrites, not just copies.
DEFAULT_THRESHOLD = 0.8
#: Texts with fewer words than this are matched exactly only, never by their shingles.
MIN_WORDS = 20
#: Probability with which LSH proposes a pair whose Jaccard similarity equals the threshold.
LSH_RECALL = 0.995
#: LSH buckets with more texts than this propose each text with the bucket's first and with
#: its neighbour only, not every pair (which would grow with the square of the bucket).
BIG_BUCKET = 200

# Characters NFKC leaves alone but a reader does not tell apart in copied text.
_TYPOGRAPHY: tuple[tuple[str, str], ...] = (
    *((c, "'") for c in "\u2018\u2019\u201a\u201b\u2032\u00b4"),
    *((c, '"') for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"),
    *((c, "-") for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),
    # invisible: soft hyphen, zero-width space and joiners, byte order mark
    *((c, "") for c in "\u00ad\u200b\u200c\u200d\ufeff"),
)
# RE2 (pyarrow) \w is ASCII-only, so spell out what a word is made of.
_NON_WORD = r"[^\p{L}\p{M}\p{N}_]+"
_SHINGLE_BASE = np.uint64(0x100000001B3)  # odd 64-bit multiplier for the rolling shingle hash


# --------------------------------------------------------------------------------------------
# public API


def flag_duplicates(
    articles: pd.DataFrame,
    *,
    method: Method = "near",
    field: str | Sequence[str] = "text",
    threshold: float = DEFAULT_THRESHOLD,
    shingle: int = 5,
    num_perm: int = 128,
    window: str | pd.Timedelta | dt.timedelta | None = None,
    across: Across = "any",
    seed: int = 1,
    min_words: int = MIN_WORDS,
) -> pd.DataFrame:
    """Flag exact and near-duplicate articles: add ``dup_group``, ``dup_of``, ``is_duplicate``.

    See the module documentation (:mod:`toolkit.dedup`) for how texts are normalised and
    compared and how clusters are formed.

    Parameters
    ----------
    articles
        The articles table; needs ``doc_id`` (unique) and the ``field`` column(s);
        ``published`` orders each cluster (and is required with ``window``); ``outlet`` is
        required with ``across``. It is not modified.
    method
        ``"exact"``: equal normalised texts. ``"near"``: those plus texts whose word-shingle
        sets have Jaccard similarity >= ``threshold``.
    field
        Column compared, or several columns joined with a line break (e.g.
        ``["title", "text"]`` to compare whole articles). Missing values count as empty.
    threshold
        Jaccard similarity (0 < threshold <= 1) of the shingle sets at or above which two texts
        are near-duplicates; default :data:`DEFAULT_THRESHOLD` (0.8).
    shingle
        Words per shingle (default 5). Smaller values match looser rewrites.
    num_perm
        MinHash permutations (default 128). More cost time and find candidates more reliably
        near the threshold; results are always verified, so this never adds false matches.
    window
        Largest time between two matching articles: ``"48h"``, ``"2D"``, a ``Timedelta``.
        With a window, undated articles match nothing. ``None``: any time apart.
    across
        ``"any"``: every pair may match. ``"outlets"``: only articles of *different* outlets
        (syndicated wire copy). ``"within_outlet"``: only articles of the *same* outlet
        (republished or updated stories). Articles without an outlet then match nothing.
    seed
        Seed of the MinHash permutations; the same table and options always give the same result.
    min_words
        Texts with fewer words are matched exactly only (default :data:`MIN_WORDS`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``articles`` (same rows, order and index) with the three columns added
        (replacing existing ones). ``attrs["duplicates"]`` records the options and counts.

    Raises
    ------
    SchemaError
        When a needed column is missing (the message names it) or ``doc_id`` repeats.
    ParameterError
        For an unknown ``method`` or ``across``, a ``threshold`` outside (0, 1], a ``window``
        that is not a positive duration, or non-positive ``shingle``/``num_perm``.

    Examples
    --------
    >>> import pandas as pd
    >>> wire = "The central bank raised its main interest rate by half a point on Tuesday, citing inflation. "
    >>> t = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "Y"], "title": ["", "", ""],
    ...     "published": pd.to_datetime(["2021-11-02", "2021-11-01", "2021-11-03"], utc=True),
    ...     "text": [wire * 3, wire * 3 + "Markets fell.", "Something else entirely happened here."]})
    >>> flag_duplicates(t)[["doc_id", "dup_group", "dup_of", "is_duplicate"]]
      doc_id  dup_group dup_of  is_duplicate
    0      a          1      b          True
    1      b          1    NaN         False
    2      c       <NA>    NaN         False
    """
    fields = _check_options(articles, method=method, field=field, threshold=threshold,
                            shingle=shingle, num_perm=num_perm, across=across, seed=seed,
                            min_words=min_words, window=window)
    span = _check_window(window)
    n = len(articles)
    rank = _earliest_order(articles)
    constraints = _Constraints(articles, span=span, across=across)
    uf = _UnionFind(n)

    if method == "exact":
        codes = _exact_codes(match_keys(articles, fields))
    else:
        texts = _normalised_texts(articles, fields)
        codes, _ = pd.factorize(pd.Series(texts, dtype=object))
        codes = np.where(np.array([len(t) > 0 for t in texts], dtype=bool), codes, -1)
    groups = _groups(codes)
    for members in groups:
        constraints.link(uf, members, members)
    n_exact_pairs = uf.n_unions

    n_candidates = n_near = 0
    if method == "near" and n:
        # One representative per exact group: its copies share its shingles.
        rep_of = np.arange(n)
        for members in groups:
            rep_of[members] = members[0]
        is_rep = rep_of == np.arange(n)
        tokens = _TokenTable.build([t if r else "" for t, r in zip(texts, is_rep.tolist(), strict=True)])
        eligible = is_rep & (tokens.n_words >= max(min_words, shingle))
        sets = tokens.shingles(shingle, np.flatnonzero(eligible))
        by_rep = {int(m[0]): m for m in groups}
        for a, b in _lsh_candidates(sets, threshold=threshold, num_perm=num_perm, seed=seed):
            n_candidates += 1
            if not constraints.active and uf.find(a) == uf.find(b):
                continue
            if _jaccard(sets[a], sets[b]) >= threshold:
                ma = by_rep.get(a, np.array([a]))
                mb = by_rep.get(b, np.array([b]))
                if constraints.link(uf, ma, mb):
                    n_near += 1

    out = _with_columns(articles, uf, rank)
    n_groups = int(out["dup_group"].max()) if out["dup_group"].notna().any() else 0
    info = {
        "method": method, "field": list(fields), "threshold": float(threshold),
        "shingle": int(shingle), "num_perm": int(num_perm),
        "window": None if span is None else str(span), "across": across, "seed": int(seed),
        "min_words": int(min_words), "n_clusters": n_groups,
        "n_duplicates": int(out["is_duplicate"].sum()),
        "n_in_clusters": int(out["dup_group"].notna().sum()),
        "n_lsh_candidates": n_candidates,
    }
    out.attrs = {**articles.attrs, "duplicates": info}
    log.info("flag_duplicates(%s): %d clusters, %d duplicates of %d articles "
             "(%d exact links, %d near links from %d LSH candidates)", method, n_groups,
             info["n_duplicates"], n, n_exact_pairs, n_near, n_candidates)
    return out


def dedupe(articles: pd.DataFrame, *, keep: Keep = "first", **flag_options: Any) -> pd.DataFrame:
    """Drop duplicate articles, keeping one (or none) per cluster.

    Parameters
    ----------
    articles
        The articles table. If it lacks the :func:`flag_duplicates` columns, or if
        ``flag_options`` are given, it is flagged first with those options. Not modified.
    keep
        ``"first"``: keep each cluster's earliest member (the one with ``is_duplicate`` False).
        ``"longest"``: keep the member with the most words in the compared field (ties: the
        earlier). ``"none"``: drop every member of every cluster.
    **flag_options
        Options of :func:`flag_duplicates` (``method``, ``threshold``, ``window``, ``across``, ...).

    Returns
    -------
    pandas.DataFrame
        The remaining rows in their order, with the flag columns and ``attrs`` kept.

    Raises
    ------
    ParameterError
        For an unknown ``keep`` (or a bad flag option).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "Z"], "title": ["", "", ""],
    ...                   "published": pd.to_datetime(["2021-11-02", "2021-11-01", None], utc=True),
    ...                   "text": ["Same words here.", "same  words here.", "Other words."]})
    >>> dedupe(t, method="exact")["doc_id"].tolist()
    ['b', 'c']
    >>> dedupe(t, method="exact", keep="none")["doc_id"].tolist()
    ['c']
    """
    if keep not in KEEP:
        raise ParameterError("keep", keep, one_of(KEEP),
                             hint="'first' keeps the earliest article of each cluster.")
    flagged = articles
    if flag_options or any(c not in articles.columns for c in DUP_COLUMNS):
        flagged = flag_duplicates(articles, **flag_options)
    group = flagged["dup_group"]
    if keep == "first":
        drop = flagged["is_duplicate"].astype(bool).to_numpy()
    elif keep == "none":
        drop = group.notna().to_numpy()
    else:
        info = flagged.attrs.get("duplicates", {})
        fields = info.get("field", ["text"]) if isinstance(info, dict) else ["text"]
        fields = [f for f in fields if f in flagged.columns] or ["text"]
        words = _TokenTable.build(_normalised_texts(flagged, fields)).n_words
        rank = _earliest_order(flagged)
        clustered = np.flatnonzero(group.notna().to_numpy())
        frame = pd.DataFrame({"g": group.to_numpy()[clustered], "w": -words[clustered],
                              "r": rank[clustered], "i": clustered})
        winners = frame.sort_values(["g", "w", "r"]).drop_duplicates("g")["i"].to_numpy()
        drop = group.notna().to_numpy().copy()
        drop[winners] = False
    out = flagged.loc[~drop].copy()
    out.attrs = dict(flagged.attrs)
    return out


def duplicate_clusters(articles: pd.DataFrame, **flag_options: Any) -> pd.DataFrame:
    """List the duplicate clusters, one row per member, earliest member first.

    Parameters
    ----------
    articles
        A table flagged by :func:`flag_duplicates`; an unflagged table (or one given
        ``flag_options``) is flagged first.
    **flag_options
        Options of :func:`flag_duplicates`.

    Returns
    -------
    pandas.DataFrame
        Columns ``dup_group``, ``doc_id``, ``outlet``, ``published``, ``title``, ``n_words``
        (words of the compared field), ``is_duplicate`` and ``similarity``: the Jaccard
        similarity of the member's shingle set to the earliest member's (1.0 for equal
        normalised texts; ``NaN`` when a text is too short for one shingle). Sorted by cluster,
        then earliest first. Members can be below the threshold from the earliest member when
        they joined the cluster through another member.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "title": ["T", "T"],
    ...                   "published": pd.to_datetime(["2021-11-02", "2021-11-01"], utc=True),
    ...                   "text": ["Same words here.", "Same words here."]})
    >>> duplicate_clusters(t)[["dup_group", "doc_id", "is_duplicate", "similarity"]]
       dup_group doc_id  is_duplicate  similarity
    0          1      b         False         1.0
    1          1      a          True         1.0
    """
    flagged = articles
    if flag_options or any(c not in articles.columns for c in DUP_COLUMNS):
        flagged = flag_duplicates(articles, **flag_options)
    info = flagged.attrs.get("duplicates", {})
    info = info if isinstance(info, dict) else {}
    fields = [f for f in info.get("field", ["text"]) if f in flagged.columns] or ["text"]
    shingle = int(info.get("shingle", 5))
    columns = ["dup_group", "doc_id", "outlet", "published", "title", "n_words", "is_duplicate",
               "similarity"]
    member = np.flatnonzero(flagged["dup_group"].notna().to_numpy())
    if not len(member):
        empty = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in [
            ("dup_group", "Int64"), ("doc_id", "str"), ("outlet", "str"), ("published", "datetime64[us, UTC]"),
            ("title", "str"), ("n_words", "int64"), ("is_duplicate", "bool"), ("similarity", "float64")]})
        return empty[columns]
    sub = flagged.iloc[member]
    texts = _normalised_texts(sub, fields)
    tokens = _TokenTable.build(texts)
    sets = tokens.shingles(shingle, np.arange(len(sub)))
    rank = _earliest_order(flagged)[member]
    groups = sub["dup_group"].to_numpy()
    first: dict[Any, int] = {}
    for i in np.lexsort((rank, groups)):
        first.setdefault(groups[i], int(i))
    similarity = np.empty(len(sub))
    for i in range(len(sub)):
        j = first[groups[i]]
        if texts[i] == texts[j]:
            similarity[i] = 1.0
        elif i in sets and j in sets:
            similarity[i] = _jaccard(sets[i], sets[j])
        else:
            similarity[i] = np.nan

    def column(name: str, dtype: str) -> pd.Series:
        if name in sub.columns:
            return sub[name].reset_index(drop=True)
        return pd.Series([pd.NA] * len(sub), dtype=dtype)

    out = pd.DataFrame({
        "dup_group": sub["dup_group"].astype("Int64").reset_index(drop=True),
        "doc_id": sub["doc_id"].astype("str").reset_index(drop=True),
        "outlet": column("outlet", "str"),
        "published": column("published", "datetime64[us, UTC]"),
        "title": column("title", "str"),
        "n_words": tokens.n_words.astype("int64"),
        "is_duplicate": sub["is_duplicate"].astype(bool).reset_index(drop=True),
        "similarity": similarity,
    })
    out["_rank"] = rank
    out = out.sort_values(["dup_group", "_rank"], kind="stable").drop(columns="_rank")
    return out.reset_index(drop=True)[columns]


def match_key(text: str) -> str:
    """The form in which texts are compared: NFKC, ASCII quotes and dashes, case folded,
    whitespace collapsed.

    Examples
    --------
    >>> match_key("  The \u201cBank\u201d\u2014 RAISED\\u00a0rates\\n")
    'the "bank"- raised rates'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for char, replacement in _TYPOGRAPHY:  # str.replace per character beats str.translate 10x
            if char in text:
                text = text.replace(char, replacement)
    return " ".join(text.casefold().split())


def lsh_params(threshold: float, num_perm: int, *, recall: float = LSH_RECALL) -> tuple[int, int]:
    """LSH banding ``(bands, rows)`` for MinHash with ``num_perm`` permutations.

    The largest ``rows`` (fewest chance candidates) for which a pair with Jaccard similarity
    ``threshold`` shares at least one band with probability ``1 - (1 - t**r)**b >= recall``.

    Examples
    --------
    >>> lsh_params(0.8, 128)
    (21, 6)
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


# --------------------------------------------------------------------------------------------
# checks


def _check_options(articles: Any, *, method: Any, field: Any, threshold: Any, shingle: Any,
                   num_perm: Any, across: Any, seed: Any, min_words: Any, window: Any) -> list[str]:
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(f"articles must be a pandas DataFrame, got {type(articles).__name__}. "
                          "Load one with toolkit.load_corpus(path).")
    if method not in METHODS:
        raise ParameterError("method", method, one_of(METHODS),
                             hint="'near' also finds the exact duplicates.")
    if across not in ACROSS:
        raise ParameterError("across", across, one_of(ACROSS),
                             hint="'outlets' finds syndicated wire copy, 'within_outlet' republished stories.")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ParameterError("threshold", threshold, "a Jaccard similarity above 0 and at most 1",
                             hint=f"The default is {DEFAULT_THRESHOLD}.")
    for name, value, low in (("shingle", shingle, 1), ("num_perm", num_perm, 2), ("min_words", min_words, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError(name, value, f"a whole number >= {low}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError("seed", seed, "a whole number")
    fields = [field] if isinstance(field, str) else list(field) if isinstance(field, Sequence) else None
    if not fields or not all(isinstance(f, str) for f in fields):
        raise ParameterError("field", field, "a column name or a list of column names, e.g. 'text' "
                             "or ['title', 'text']")
    needed = ["doc_id", *fields]
    if window is not None:
        needed.append("published")
    if across != "any":
        needed.append("outlet")
    for column in needed:
        if column not in articles.columns:
            why = {"published": " (window= compares publication times)",
                   "outlet": f" (across={across!r} compares outlets)"}.get(column, "")
            raise SchemaError(
                f"articles has no {column!r} column{why}; it has {list(map(str, articles.columns))}. "
                "Rename yours (df.rename(columns={...})) or pass field= naming the column to compare.")
    ids = articles["doc_id"]
    if ids.isna().any() or ids.duplicated().any():
        repeated = sorted(map(str, set(ids[ids.duplicated(keep=False)].dropna())))[:5]
        raise SchemaError(f"articles.doc_id must be unique and present; repeated: {repeated}, "
                          f"missing: {int(ids.isna().sum())}. Load with toolkit.load_corpus or validate "
                          "with toolkit.validate_articles.")
    if "published" in articles.columns:
        published = articles["published"]
        if not pd.api.types.is_datetime64_any_dtype(published.dtype) and not published.isna().all():
            raise SchemaError(f"articles.published must hold datetimes, got dtype {published.dtype}. "
                              "Parse it with pd.to_datetime(..., utc=True) or toolkit.parse_dates(...).")
    return fields


def _check_window(window: Any) -> pd.Timedelta | None:
    if window is None:
        return None
    try:
        span = pd.Timedelta(window)
    except (ValueError, TypeError):
        span = pd.NaT
    if span is pd.NaT or pd.isna(span) or span <= pd.Timedelta(0):
        raise ParameterError("window", window, "a positive duration such as '48h', '2D' or "
                             "pd.Timedelta(hours=12), or None for no limit")
    return span


# --------------------------------------------------------------------------------------------
# texts, words and shingles


def match_keys(articles: pd.DataFrame, fields: Sequence[str] = ("text",)) -> pa.Array:
    """:func:`match_key` of every row's ``fields`` (joined with a line break), as an Arrow array.

    Missing values count as empty. A single text column is keyed without a Python call per
    ASCII text (numpy over the Arrow buffers; see :func:`_column_keys`): the same keys.

    Examples
    --------
    >>> import pandas as pd
    >>> match_keys(pd.DataFrame({"text": ["  A  b\\n", "\\u201cQ\\u201d", None]})).to_pylist()
    ['a b', '"q"', '']
    """
    fields = list(fields)
    column = articles[fields[0]] if len(fields) == 1 else None
    if column is None or not pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        return pa.array(_normalised_texts(articles, fields), type=pa.large_string())
    return _column_keys(pa.array(column, type=pa.large_string(), from_pandas=True))


# _collapsed: str.split() splits ASCII text on \t-\r, \x1c-\x1f and space; str.casefold() of an
# ASCII byte is its lower case.
# Bytes of text turned into keys at a time, per thread (bounds the numpy temporaries: ~25 bytes
# per byte; two threads at 2 MB hold what one did at 4 MB).
_KEY_BLOCK = 1 << 21


def _column_keys(array: pa.Array) -> pa.Array:
    """:func:`match_key` of every string in ``array`` (missing -> ``""``), the same keys without
    a Python call per ASCII text: ASCII texts are lower-cased and their spaces collapsed by numpy
    over the Arrow buffers (casefold is lower-casing there, and the whitespace ``str.split``
    knows is a fixed byte set); other texts get NFKC, typography and casefold in Python
    (whole-string C calls), then the same byte-level collapse, which is exact on UTF-8 once no
    Unicode space is left (the few with one go through ``str.split``)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    array = pc.fill_null(pc.cast(array, pa.large_string()), "")
    if not len(array):
        return pa.array([], type=pa.large_string())
    keys = _collapsed(array)
    other = pc.invert(pc.string_is_ascii(array))
    if pc.any(other).as_py():
        subset = pc.filter(array, other)
        # Per text, from its characters' code points: whether NFKC may change it, and whether
        # it holds a typography character or a non-ASCII space (most texts need none of it).
        unsafe, typography, spaces = _char_classes(subset)
        texts = subset.to_pylist()
        del subset
        casefold = str.casefold
        for i, text in enumerate(texts):
            if unsafe[i]:
                text = _unspaced_key(text)
            else:  # NFKC leaves it alone (Unicode's quick check says Yes)
                if typography[i]:
                    for char, replacement in _TYPOGRAPHY:
                        if char in text:
                            text = text.replace(char, replacement)
                text = casefold(text)
            if (unsafe[i] or spaces[i]) and _UNICODE_SPACE.search(text):
                text = " ".join(text.split())
            texts[i] = text
        keys = pc.replace_with_mask(keys, other, _collapsed(pa.array(texts, type=pa.large_string())))
    return keys


_TYPOGRAPHY_SET = frozenset(c for c, _ in _TYPOGRAPHY)


@functools.cache
def _char_class(cp: int) -> int:
    """Bits of one non-ASCII code point: 1 NFKC may change a text holding it (on its own or
    with a neighbour), 2 a typography character, 4 a space."""
    from toolkit.normalize import _bmp_flags

    c = chr(cp)
    unsafe = cp >= 0x10000 or bool(_bmp_flags()[cp] & 4) or unicodedata.normalize("NFKC", c) != c
    return int(unsafe) | (2 if c in _TYPOGRAPHY_SET else 0) | (4 if c.isspace() else 0)


def _char_classes(array: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per string of ``array`` (no nulls): NFKC may change it; it holds a typography
    character; it holds a non-ASCII space (see :func:`_char_class`). Code points are decoded
    from the UTF-8 bytes with numpy, and classified once per distinct code point."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = pc.cast(array, pa.large_string())
    n = len(array)
    out = np.zeros((3, n), dtype=bool)
    if not n:
        return out[0], out[1], out[2]
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset:array.offset + n + 1]
    values = array.buffers()[2]
    data = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, np.uint8)
    data = data[:int(offsets[-1])]
    at = np.flatnonzero(data >= 0xC0)
    at = at[at >= offsets[0]]
    if len(at):
        last = len(data) - 1
        lead = data[at].astype(np.int64)
        b1, b2, b3 = (data[np.minimum(at + k, last)].astype(np.int64) & 0x3F for k in (1, 2, 3))
        code = np.where(lead >= 0xF0, ((lead & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3,
                        np.where(lead >= 0xE0, ((lead & 0x0F) << 12) | (b1 << 6) | b2, ((lead & 0x1F) << 6) | b1))
        distinct, inverse = np.unique(code, return_inverse=True)
        bits = np.array([_char_class(int(cp)) for cp in distinct.tolist()], dtype=np.uint8)[inverse.ravel()]
        rows = np.searchsorted(offsets, at, side="right") - 1
        for k in range(3):
            out[k][rows[(bits & (1 << k)) != 0]] = True
    return out[0], out[1], out[2]


# Whitespace str.split() knows beyond ASCII (NFKC turns most of it into " ", not all).
_UNICODE_SPACE = re.compile("[" + "".join(chr(c) for c in range(0x80, 0x3001) if chr(c).isspace()) + "]")


def _unspaced_key(text: str) -> str:
    """:func:`match_key` of a non-ASCII text, before its whitespace is collapsed."""
    text = unicodedata.normalize("NFKC", text)
    if _TYPOGRAPHY_CHARS.search(text):  # one scan instead of one per character
        for char, replacement in _TYPOGRAPHY:
            if char in text:
                text = text.replace(char, replacement)
    return text.casefold()


_TYPOGRAPHY_CHARS = re.compile("[" + "".join(c for c, _ in _TYPOGRAPHY) + "]")


def _collapsed(array: pa.Array) -> pa.Array:
    """Each string (no nulls) with ASCII letters lower-cased, runs of ASCII whitespace made one
    space and the ends stripped of it: ``" ".join(text.lower().split())`` for ASCII text."""
    n = len(array)
    # Rows [row, stop): about _KEY_BLOCK bytes (at least one row), collapsed on a thread each
    # (numpy releases the GIL), then put together in order.
    offsets, data, spans = row_blocks(array, _KEY_BLOCK)

    def collapse(span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        row, stop = span
        start_byte, end_byte = int(offsets[row]), int(offsets[stop])
        block = data[start_byte:end_byte]
        local = offsets[row:stop + 1] - start_byte
        # Whitespace by compares (SIMD; a lookup table is several times slower): space, \t-\r, \x1c-\x1f.
        ws = block == 32
        ws |= (block >= 9) & (block <= 13)
        ws |= (block >= 28) & (block <= 31)
        # Drop every space that follows a space, and a space that starts a text; the first
        # space of each run stays (as one " ").
        drop = ws.copy()
        drop[1:] &= ws[:-1]
        if len(drop):
            drop[0] = ws[0]
        firsts = local[:-1][local[:-1] < len(block)]
        drop[firsts] = ws[firsts]
        out = block[~drop]
        upper = (out >= 65) & (out <= 90)
        out[upper] += 32
        other_space = ((out >= 9) & (out <= 13)) | ((out >= 28) & (out <= 31))
        out[other_space] = 32
        # Kept bytes per text: its length less its dropped bytes (few: runs and edges).
        dropped = np.flatnonzero(drop)
        per_text = np.diff(local) - np.bincount(np.searchsorted(local, dropped, side="right") - 1,
                                                minlength=len(local) - 1)[:len(local) - 1]
        ends = np.concatenate([[0], np.cumsum(per_text)])
        # A text's last kept byte can be one space (the start of a trailing run): drop it.
        last = ends[1:] - 1
        if len(out):
            trailing = (ends[1:] > ends[:-1]) & (out[np.maximum(last, 0)] == 32)
            if trailing.any():
                cut = np.zeros(len(out), dtype=bool)
                cut[last[trailing]] = True
                out = out[~cut]
                ends[1:] -= np.cumsum(trailing)
        return out, ends

    if len(spans) > 1 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(spans), os.cpu_count() or 1)) as pool:
            results = list(pool.map(collapse, spans))
    else:
        results = [collapse(span) for span in spans]
    new_offsets = np.zeros(n + 1, dtype=np.int64)
    pieces: list[np.ndarray] = []
    total = 0
    for (row, stop), (out, ends) in zip(spans, results, strict=True):
        new_offsets[row + 1:stop + 1] = total + ends[1:]
        total += len(out)
        pieces.append(out)
    buffer = np.concatenate(pieces) if pieces else np.zeros(0, np.uint8)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(buffer))


def _exact_codes(keys: pa.Array) -> np.ndarray:
    """Equal keys share a code; empty keys get -1 (empty texts never match)."""
    codes = pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    empty = pc.equal(pc.binary_length(keys), 0).to_numpy(zero_copy_only=False)
    codes[empty] = -1
    return codes


def key_digests(keys: pa.Array) -> np.ndarray:
    """16-byte BLAKE2b digests of match keys (``b""`` for empty keys): what an exact-duplicate
    check across chunks keeps per article instead of the text."""
    import hashlib

    blake = hashlib.blake2b
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks() if keys.num_chunks != 1 else keys.chunk(0)
    keys = pc.fill_null(pc.cast(keys, pa.large_string()), "")
    n = len(keys)
    if not n:
        return np.array([], dtype="S16")
    # Hashed straight from the Arrow buffer: no Python string per key.
    offsets = np.frombuffer(keys.buffers()[1], dtype=np.int64)[keys.offset:keys.offset + n + 1].tolist()
    values = keys.buffers()[2]
    data = memoryview(values) if values is not None else memoryview(b"")
    return np.array([blake(data[a:b], digest_size=16).digest() if b > a else b""
                     for a, b in zip(offsets[:-1], offsets[1:], strict=True)], dtype="S16")


def exact_flags(digests: np.ndarray, times: np.ndarray, dated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact-duplicate clusters from per-row key digests, as :func:`flag_duplicates` forms them.

    ``times`` are microseconds since the epoch, ``dated`` says which are real. Returns the
    cluster number (1, 2, ... by each cluster's first row; -1 outside clusters) and the row of
    each clustered row's earliest member (earliest dated, then by row; -1 outside clusters).
    """
    n = len(digests)
    group = np.full(n, -1, dtype=np.int64)
    earliest = np.full(n, -1, dtype=np.int64)
    valid = np.flatnonzero(digests != b"")
    if not len(valid):
        return group, earliest
    _, inverse, counts = np.unique(digests[valid], return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    rows = valid[counts[inverse] > 1]
    if not len(rows):
        return group, earliest
    codes = inverse[counts[inverse] > 1]
    first = np.full(len(counts), n, dtype=np.int64)
    np.minimum.at(first, codes, rows)
    clustered = np.unique(codes)
    number = np.zeros(len(counts), dtype=np.int64)
    number[clustered[np.argsort(first[clustered], kind="stable")]] = np.arange(1, len(clustered) + 1)
    group[rows] = number[codes]
    order = np.lexsort((rows, np.where(dated[rows], times[rows], 0), ~dated[rows], codes))
    sorted_codes = codes[order]
    heads = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    best = np.zeros(len(counts), dtype=np.int64)
    best[sorted_codes[heads]] = rows[order][heads]
    earliest[rows] = best[codes]
    return group, earliest


def _normalised_texts(articles: pd.DataFrame, fields: Sequence[str]) -> list[str]:
    parts = [articles[f].astype(object).where(articles[f].notna(), "").tolist() for f in fields]
    joined = parts[0] if len(parts) == 1 else ["\n".join(p for p in row if p) for row in zip(*parts, strict=True)]
    return [match_key(t) if isinstance(t, str) else match_key(str(t)) for t in joined]


class _TokenTable:
    """Word hashes of every text, flat, with the text each belongs to."""

    def __init__(self, hashes: np.ndarray, doc: np.ndarray, n_words: np.ndarray):
        self.hashes = hashes  # uint64, one per word, texts in order
        self.doc = doc  # int64 text index of each word
        self.n_words = n_words  # int64 words per text

    @classmethod
    def build(cls, texts: list[str]) -> _TokenTable:
        n = len(texts)
        if not n:
            return cls(np.array([], np.uint64), np.array([], np.int64), np.array([], np.int64))
        split = pc.split_pattern_regex(pa.array(texts, pa.large_string()), _NON_WORD)
        flat = pc.list_flatten(split)
        doc = np.repeat(np.arange(n), pc.list_value_length(split).to_numpy(zero_copy_only=False))
        keep = pc.greater(pc.utf8_length(flat), 0)
        flat = pc.filter(flat, keep)
        doc = doc[keep.to_numpy(zero_copy_only=False)]
        encoded = pc.dictionary_encode(flat).combine_chunks() if isinstance(flat, pa.ChunkedArray) \
            else pc.dictionary_encode(flat)
        # Hash each distinct word once; pandas' hash is stable across runs and machines.
        vocab = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        word_hash = pd.util.hash_array(vocab) if len(vocab) else np.array([], np.uint64)
        hashes = word_hash[encoded.indices.to_numpy(zero_copy_only=False)].astype(np.uint64)
        return cls(hashes, doc.astype(np.int64), np.bincount(doc, minlength=n).astype(np.int64))

    def shingles(self, k: int, docs: np.ndarray) -> _Shingles:
        """Distinct shingle hashes of the texts ``docs`` (only those with at least k words)."""
        total = len(self.hashes)
        if total < k:
            return _Shingles(np.array([], np.uint64), np.array([], np.int64))
        starts = np.arange(total - k + 1)
        wanted = np.zeros(len(self.n_words), dtype=bool)
        wanted[docs] = True
        starts = starts[(self.doc[starts] == self.doc[starts + k - 1]) & wanted[self.doc[starts]]]
        value = self.hashes[starts].copy()
        for j in range(1, k):  # rolling polynomial hash of the k word hashes, modulo 2**64
            value = value * _SHINGLE_BASE + self.hashes[starts + j]
        owner = self.doc[starts]
        # Pack the text index into the top bits so that one sort orders by text, then shingle;
        # the remaining 64 - bits bits of the (mixed) shingle hash identify it within a text.
        bits = max(1, int(len(self.n_words)).bit_length())
        low = np.uint64((1 << (64 - bits)) - 1)
        keys = np.sort((owner.astype(np.uint64) << np.uint64(64 - bits)) | (_fmix64(value) & low))
        if len(keys):  # np.unique hashes first (numpy >= 2.3), which is slower here than a sort
            keys = keys[np.append(True, keys[1:] != keys[:-1])]
        return _Shingles(keys & low, (keys >> np.uint64(64 - bits)).astype(np.int64))


class _Shingles:
    """Sorted distinct shingle hashes of several texts, concatenated, with their text index."""

    def __init__(self, values: np.ndarray, owner: np.ndarray):
        self.values = values
        self.owner = owner
        first = np.ones(len(owner), dtype=bool)
        first[1:] = owner[1:] != owner[:-1]
        self.bounds = np.append(np.flatnonzero(first), len(owner))  # start of each text's run
        self.docs = owner[self.bounds[:-1]]  # text index of each run
        self._where = {int(d): i for i, d in enumerate(self.docs.tolist())}

    def __contains__(self, doc: int) -> bool:
        return doc in self._where

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, doc: int) -> np.ndarray:
        i = self._where[doc]
        return self.values[self.bounds[i]:self.bounds[i + 1]]

    def signatures(self, num_perm: int, seed: int) -> np.ndarray:
        """MinHash signatures, one row per text (in ``docs`` order), ``uint32``.

        Bit for bit what ``datasketch.MinHash(num_perm, seed, hashfunc=<identity>)`` gives
        after ``update_batch`` with each shingle's low 32 bits (datasketch 2.0's default
        "affine32" scheme: MurmurHash3 finalizer, then ``a * h + b mod 2**32`` with odd ``a``;
        tests compare the two), but computed for all texts at once, without importing
        datasketch (which imports scipy.integrate: about a second).
        """
        a, b = _permutations(num_perm, seed)
        mixed = _fmix32((self.values & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        out = np.empty((len(self.docs), num_perm), dtype=np.uint32)
        buffer = np.empty(len(mixed), dtype=np.uint32)
        # One permutation at a time over every shingle, then a segmented minimum per text:
        # contiguous 1-D passes, ten times faster than an (n_shingles x num_perm) block.
        for p in range(num_perm):
            np.multiply(mixed, a[p], out=buffer)
            np.add(buffer, b[p], out=buffer)
            out[:, p] = np.minimum.reduceat(buffer, self.bounds[:-1])
        return out


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations datasketch 2.0 draws for ``MinHash(num_perm, seed)``."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: spreads the rolling hash over all bits."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it to its inputs."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (len(a) + len(b) - common)


def _lsh_candidates(shingles: _Shingles, *, threshold: float, num_perm: int,
                    seed: int) -> list[tuple[int, int]]:
    """Pairs of texts (a, b), a < b, whose signatures agree on at least one LSH band.

    The same pairs as ``datasketch.MinHashLSH(num_perm=num_perm, params=lsh_params(...))``
    queried with every text, found by sorting each band's rows instead of one dictionary
    insert and lookup per text and band (ten times faster on 20,000 texts).
    """
    if len(shingles) < 2:
        return []
    bands, rows = lsh_params(threshold, num_perm)
    signatures = shingles.signatures(num_perm, seed)
    docs = shingles.docs
    found: list[np.ndarray] = []
    for band in range(bands):
        # One 64-bit key per band row; a collision of two different rows only adds a
        # candidate, which the exact Jaccard check then rejects.
        key = np.zeros(len(docs), dtype=np.uint64)
        for column in signatures[:, band * rows:(band + 1) * rows].T:
            key = _fmix64(key * _SHINGLE_BASE + column.astype(np.uint64))
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        bucket = np.empty(len(docs), dtype=np.int64)
        bucket[order] = np.cumsum(np.append(False, sorted_key[1:] != sorted_key[:-1]))
        shared = np.flatnonzero(np.bincount(bucket)[bucket] > 1)  # rows whose bucket has company
        if not len(shared):
            continue
        shared = shared[np.argsort(bucket[shared], kind="stable")]
        edges = np.flatnonzero(np.diff(bucket[shared])) + 1
        for members in np.split(shared, edges):
            if len(members) > BIG_BUCKET:
                # Boilerplate shared by thousands of texts would give millions of pairs: pair
                # each member with the bucket's first and with its neighbour instead.
                left = np.r_[np.zeros(len(members) - 1, dtype=np.int64), np.arange(1, len(members) - 1)]
                right = np.r_[np.arange(1, len(members)), np.arange(2, len(members))]
            else:
                left, right = np.triu_indices(len(members), k=1)
            found.append(np.stack([docs[members[left]], docs[members[right]]], axis=1))
    if not found:
        return []
    pairs = np.unique(np.concatenate(found), axis=0)
    return [(int(x), int(y)) for x, y in pairs.tolist()]


# --------------------------------------------------------------------------------------------
# clusters


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))
        self.n_unions = 0

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.n_unions += 1
        return True

    def labels(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)


class _Constraints:
    """Which pairs may match under ``window`` and ``across``."""

    def __init__(self, articles: pd.DataFrame, *, span: pd.Timedelta | None, across: str):
        self.span = span
        self.across = across
        self.active = span is not None or across != "any"
        if span is not None:
            self.time, self.dated = _times_us(articles["published"])
            self.span_us = span // pd.Timedelta(microseconds=1)
        if across != "any":
            outlet = articles["outlet"]
            codes, _ = pd.factorize(outlet.astype(object).where(outlet.notna(), None))
            self.outlet = np.asarray(codes, dtype=np.int64)  # -1 = no outlet

    def allowed(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Boolean matrix len(a) x len(b): may a[i] match b[j]?"""
        ok = np.ones((len(a), len(b)), dtype=bool)
        if self.span is not None:
            ok &= self.dated[a][:, None] & self.dated[b][None, :]
            ok &= np.abs(self.time[a][:, None] - self.time[b][None, :]) <= self.span_us
        if self.across != "any":
            oa, ob = self.outlet[a][:, None], self.outlet[b][None, :]
            ok &= (oa >= 0) & (ob >= 0)
            ok &= (oa != ob) if self.across == "outlets" else (oa == ob)
        return ok

    def link(self, uf: _UnionFind, a: np.ndarray, b: np.ndarray) -> bool:
        """Union the allowed pairs of a x b (a == b: of a's distinct pairs); True if any allowed."""
        if a is b and len(a) < 2:
            return False
        if not self.active:
            # Without restrictions every pair matches: a chain links them all.
            if a is b:
                return any([uf.union(int(a[0]), int(other)) for other in a[1:]])
            uf.union(int(a[0]), int(b[0]))
            return True
        if a is b:
            return self._link_within(uf, a)
        rows, cols = np.nonzero(self.allowed(a, b))
        for i, j in zip(a[rows].tolist(), b[cols].tolist(), strict=True):
            uf.union(i, j)
        return bool(len(rows))

    def _link_within(self, uf: _UnionFind, members: np.ndarray) -> bool:
        """Link the allowed pairs of one exact group in O(n log n), not O(n**2): groups of
        thousands of copies exist.

        Along the time line (table order without a window), linking each copy to the next
        allowed one gives the same clusters as linking every allowed pair: for ``"any"`` and
        ``"within_outlet"`` (per outlet) the next copy within the window; for ``"outlets"``
        the first copies before and after the run of copies from its own outlet (any allowed
        pair (i, k) is then connected, by induction on the copies between them, each of
        which is within the window of both and differs in outlet from i or from k).
        """
        if self.across != "any":
            members = members[self.outlet[members] >= 0]
        if self.span is not None:
            members = members[self.dated[members]]
            members = members[np.argsort(self.time[members], kind="stable")]
        if self.across == "within_outlet":
            order = np.argsort(self.outlet[members], kind="stable")  # keeps time order within
            parts = np.split(members[order], np.flatnonzero(np.diff(self.outlet[members][order])) + 1)
        else:
            parts = [members]
        pairs: list[tuple[np.ndarray, np.ndarray]] = []
        for part in parts:
            if len(part) < 2:
                continue
            if self.across != "outlets":
                pairs.append((part[:-1], part[1:]))
                continue
            outlet = self.outlet[part]
            change = np.flatnonzero(outlet[1:] != outlet[:-1]) + 1
            starts, ends = np.r_[0, change], np.r_[change, len(part)]
            run = np.repeat(np.arange(len(starts)), ends - starts)
            following, preceding = ends[run], starts[run] - 1
            has_next, has_prev = following < len(part), preceding >= 0
            pairs.append((part[has_next], part[following[has_next]]))
            pairs.append((part[has_prev], part[preceding[has_prev]]))
        joined = False
        for left, right in pairs:
            if self.span is not None:
                near = np.abs(self.time[left] - self.time[right]) <= self.span_us
                left, right = left[near], right[near]
            for i, j in zip(left.tolist(), right.tolist(), strict=True):
                joined |= uf.union(i, j)
        return joined


def _groups(codes: np.ndarray) -> list[np.ndarray]:
    """Row positions of each code shared by at least two rows (code -1 excluded), in table order."""
    valid = np.flatnonzero(codes >= 0)
    if not len(valid):
        return []
    order = valid[np.argsort(codes[valid], kind="stable")]
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    return [g for g in np.split(order, bounds) if len(g) > 1]


def _earliest_order(articles: pd.DataFrame) -> np.ndarray:
    """Rank of each row: by ``published`` (undated last), ties by table order."""
    n = len(articles)
    position = np.arange(n)
    if "published" not in articles.columns or not n:
        return position
    if not pd.api.types.is_datetime64_any_dtype(articles["published"].dtype):
        return position
    times, dated = _times_us(articles["published"])
    undated = ~dated
    order = np.lexsort((position, times, undated))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = position
    return rank


def _times_us(published: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since the epoch (0 where undated) and which rows are dated."""
    stamps = pd.to_datetime(published, utc=True).dt.as_unit("us")
    dated = stamps.notna().to_numpy()
    times = np.where(dated, stamps.array.asi8, 0).astype(np.int64)
    return times, dated


def _with_columns(articles: pd.DataFrame, uf: _UnionFind, rank: np.ndarray) -> pd.DataFrame:
    n = len(articles)
    out = articles.drop(columns=[c for c in DUP_COLUMNS if c in articles.columns]).copy()
    labels = uf.labels() if n else np.array([], np.int64)
    size = np.bincount(labels, minlength=n) if n else np.array([], np.int64)
    clustered = size[labels] > 1 if n else np.array([], bool)
    group = np.full(n, -1, dtype=np.int64)
    earliest = np.full(n, -1, dtype=np.int64)
    if clustered.any():
        rows = np.flatnonzero(clustered)
        # Number clusters by their first row in the table; label = root = smallest row index.
        roots = labels[rows]
        first_row = {}
        for r, root in zip(rows.tolist(), roots.tolist(), strict=True):
            first_row.setdefault(root, r)
        number = {root: k + 1 for k, root in enumerate(sorted(first_row, key=first_row.get))}
        best: dict[int, int] = {}
        for r, root in zip(rows.tolist(), roots.tolist(), strict=True):
            if root not in best or rank[r] < rank[best[root]]:
                best[root] = r
        for r, root in zip(rows.tolist(), roots.tolist(), strict=True):
            group[r] = number[root]
            earliest[r] = best[root]
    ids = articles["doc_id"].astype(str).to_numpy(dtype=object)
    is_dup = (earliest >= 0) & (earliest != np.arange(n))
    dup_of = np.where(is_dup, ids[np.maximum(earliest, 0)] if n else ids, None)
    out["dup_group"] = pd.Series(pd.array([g if g >= 0 else None for g in group.tolist()], dtype="Int64"),
                                 index=out.index)
    out["dup_of"] = pd.Series(dup_of, index=out.index, dtype="str")
    out["is_duplicate"] = pd.Series(is_dup, index=out.index, dtype=bool)
    return out


__all__ = ["DEFAULT_THRESHOLD", "MIN_WORDS", "dedupe", "duplicate_clusters", "exact_flags",
           "flag_duplicates", "key_digests", "lsh_params", "match_key", "match_keys"]
