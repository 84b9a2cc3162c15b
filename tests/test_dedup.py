"""Tests for toolkit.dedup: exact and near-duplicates, windows, outlets, dedupe, clusters."""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.dedup import (
    DEFAULT_THRESHOLD,
    MIN_WORDS,
    _lsh_candidates,
    _TokenTable,
    dedupe,
    duplicate_clusters,
    flag_duplicates,
    lsh_params,
    match_key,
    match_keys,
)
from toolkit.errors import ParameterError, SchemaError

# 60 distinct words: a text whose 5-word shingles are all distinct (56 of them).
WORDS = [f"word{i}" for i in range(60)]
BASE = " ".join(WORDS) + "."


def edited(*positions: int) -> str:
    """BASE with the words at ``positions`` replaced by new ones."""
    words = list(WORDS)
    for p in positions:
        words[p] = f"other{p}"
    return " ".join(words) + "."


def table(texts, *, outlets=None, published=None, ids=None, titles=None) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame({
        "doc_id": ids or [f"d{i}" for i in range(n)],
        "outlet": outlets or ["X"] * n,
        "published": pd.to_datetime(published or [None] * n, utc=True),
        "title": titles or [f"title {i}" for i in range(n)],
        "text": texts,
    })


def groups_of(flagged: pd.DataFrame) -> list[set[str]]:
    """Clusters as sets of doc_ids, in dup_group order."""
    found = defaultdict(set)
    for doc, group in zip(flagged["doc_id"], flagged["dup_group"], strict=True):
        if group is not pd.NA:
            found[int(group)].add(doc)
    return [found[g] for g in sorted(found)]


# --- normalisation and exact matches -------------------------------------------------------

def test_match_key_folds_case_space_and_typography():
    assert match_key("  The \u201cBank\u201d \u2014 RAISED\u00a0rates\n\tagain ") == 'the "bank" - raised rates again'
    assert match_key("don\u2019t") == "don't"
    assert match_key("co\u00adoperate") == "cooperate"  # soft hyphen
    assert match_key("\ufb01nance") == "finance"  # NFKC ligature


def test_exact_ignores_case_whitespace_and_typography_but_not_punctuation():
    flagged = flag_duplicates(table([
        "The bank raised rates. Don't panic.",
        "the  BANK raised rates.\nDon\u2019t panic.",
        "The bank raised rates; don't panic.",  # punctuation differs: not exact
        "Something else.",
    ]), method="exact")
    assert groups_of(flagged) == [{"d0", "d1"}]
    assert flagged["dup_group"].dtype == "Int64"
    assert flagged["dup_of"].isna().tolist() == [True, False, True, True]
    assert flagged.loc[1, "dup_of"] == "d0"
    assert flagged["is_duplicate"].tolist() == [False, True, False, False]


def test_exact_matches_short_texts_but_never_empty_or_missing_ones():
    flagged = flag_duplicates(table(["Short one.", "short ONE.", "", "  ", None, None]))
    assert groups_of(flagged) == [{"d0", "d1"}]


# --- near-duplicates -------------------------------------------------------------------------

def test_near_finds_edited_copies_that_exact_misses():
    # One replaced word changes 5 of 56 shingles: Jaccard 51 / 61 = 0.836.
    articles = table([BASE, edited(30), "An unrelated text about something else entirely, " * 5])
    assert groups_of(flag_duplicates(articles, method="exact")) == []
    assert groups_of(flag_duplicates(articles)) == [{"d0", "d1"}]
    clusters = duplicate_clusters(flag_duplicates(articles))
    assert clusters["doc_id"].tolist() == ["d0", "d1"]
    assert clusters["similarity"].tolist() == pytest.approx([1.0, 51 / 61])
    assert clusters["n_words"].tolist() == [60, 60]


def test_threshold_is_the_real_jaccard_similarity():
    # Two replaced words, far apart: 46 shared shingles of 66 distinct, Jaccard 0.697.
    articles = table([BASE, edited(15, 45)])
    assert groups_of(flag_duplicates(articles)) == []  # default 0.8
    assert groups_of(flag_duplicates(articles, threshold=0.70)) == []
    assert groups_of(flag_duplicates(articles, threshold=0.69)) == [{"d0", "d1"}]
    assert duplicate_clusters(articles, threshold=0.69)["similarity"].iloc[1] == pytest.approx(46 / 66)


def test_short_texts_are_matched_exactly_only():
    short = " ".join(WORDS[:12])
    other = " ".join(WORDS[:11] + ["different"])
    assert len(short.split()) < MIN_WORDS
    assert groups_of(flag_duplicates(table([short, other]), threshold=0.1)) == []
    assert groups_of(flag_duplicates(table([short, other]), threshold=0.1, min_words=5)) == [{"d0", "d1"}]
    assert groups_of(flag_duplicates(table([short, short.upper()]))) == [{"d0", "d1"}]


def test_clusters_chain_through_intermediate_members():
    # d0 ~ d1 (one word), d1 ~ d2 (one more word), d0 and d2 are 0.70 apart: one cluster.
    flagged = flag_duplicates(table([BASE, edited(15), edited(15, 45)]))
    assert groups_of(flagged) == [{"d0", "d1", "d2"}]
    assert flagged["dup_of"].tolist()[1:] == ["d0", "d0"]


def test_field_can_join_title_and_text():
    articles = table(["Same body text here.", "Same body text here."], titles=["One", "Two"])
    assert groups_of(flag_duplicates(articles, field=["title", "text"])) == []
    assert groups_of(flag_duplicates(articles, field="text")) == [{"d0", "d1"}]


# --- earliest member -------------------------------------------------------------------------

def test_earliest_published_leads_ties_and_undated_by_table_order():
    flagged = flag_duplicates(table(
        ["Same text."] * 5,
        published=[None, "2021-11-02", "2021-11-01", "2021-11-01", None]))
    assert groups_of(flagged) == [{"d0", "d1", "d2", "d3", "d4"}]
    assert flagged["is_duplicate"].tolist() == [True, True, False, True, True]
    assert flagged["dup_of"].fillna("-").tolist() == ["d2", "d2", "-", "d2", "d2"]
    clusters = duplicate_clusters(flagged)
    assert clusters["doc_id"].tolist() == ["d2", "d3", "d1", "d0", "d4"]


def test_groups_are_numbered_in_table_order():
    flagged = flag_duplicates(table(["B text.", "A text.", "A text.", "B text."]), method="exact")
    assert flagged["dup_group"].tolist() == [1, 2, 2, 1]


# --- window and outlets ----------------------------------------------------------------------

def test_window_limits_the_time_between_matches():
    articles = table([BASE, BASE, edited(30), BASE],
                     published=["2021-11-01T00:00", "2021-11-02T00:00", "2021-11-05T00:00", None])
    assert groups_of(flag_duplicates(articles)) == [{"d0", "d1", "d2", "d3"}]
    assert groups_of(flag_duplicates(articles, window="48h")) == [{"d0", "d1"}]
    assert groups_of(flag_duplicates(articles, window=pd.Timedelta(days=4))) == [{"d0", "d1", "d2"}]
    # exactly at the window edge still matches
    assert groups_of(flag_duplicates(articles, window="24h")) == [{"d0", "d1"}]
    assert groups_of(flag_duplicates(articles, window="23h")) == []


def test_window_chains_daily_republications():
    days = ["2021-11-01", "2021-11-02", "2021-11-03", "2021-11-04"]
    assert groups_of(flag_duplicates(table([BASE] * 4, published=days), window="30h")) == [
        {"d0", "d1", "d2", "d3"}]


def test_across_outlets_and_within_outlet():
    other = "A second story, about the harbour, the ships and the people who sail them. " * 3
    articles = table([BASE, BASE, other, edited(3)], outlets=["X", "X", "Y", "Z"])
    articles = pd.concat([articles, table([other], outlets=["Z"], ids=["d4"])], ignore_index=True)
    assert groups_of(flag_duplicates(articles)) == [{"d0", "d1", "d3"}, {"d2", "d4"}]
    assert groups_of(flag_duplicates(articles, across="outlets")) == [{"d0", "d1", "d3"}, {"d2", "d4"}]
    assert groups_of(flag_duplicates(articles, across="within_outlet")) == [{"d0", "d1"}]
    only_x = articles[articles["outlet"] == "X"]
    assert groups_of(flag_duplicates(only_x, across="outlets")) == []


def test_articles_without_outlet_match_nothing_when_outlets_matter():
    articles = table(["Same text."] * 3, outlets=["X", None, "Y"])
    assert groups_of(flag_duplicates(articles, across="outlets")) == [{"d0", "d2"}]
    assert groups_of(flag_duplicates(articles, across="within_outlet")) == []
    assert groups_of(flag_duplicates(articles)) == [{"d0", "d1", "d2"}]


def _components(uf, n):
    labels = [uf.find(i) for i in range(n)]
    found = defaultdict(set)
    for i, label in enumerate(labels):
        found[label].add(i)
    return sorted(sorted(c) for c in found.values() if len(c) > 1)


@given(
    st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 20)), st.one_of(st.none(), st.sampled_from("XYZ"))),
             min_size=2, max_size=25),
    st.one_of(st.none(), st.integers(1, 6)),
    st.sampled_from(["any", "outlets", "within_outlet"]),
)
@settings(max_examples=120, deadline=None)
def test_linking_copies_along_the_time_line_equals_linking_every_allowed_pair(rows, hours, across):
    from toolkit.dedup import _Constraints, _UnionFind

    n = len(rows)
    articles = pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(n)],
        "outlet": pd.Series([o for _, o in rows], dtype="str"),
        "published": pd.to_datetime([None if h is None else pd.Timestamp("2021-01-01", tz="UTC") + pd.Timedelta(hours=h)
                                     for h, _ in rows], utc=True),
    })
    span = None if hours is None else pd.Timedelta(hours=hours)
    constraints = _Constraints(articles, span=span, across=across)
    members = np.arange(n)
    fast = _UnionFind(n)
    if constraints.active:
        constraints.link(fast, members, members)
    else:
        fast = None
    every = _UnionFind(n)
    ok = constraints.allowed(members, members) if constraints.active else np.ones((n, n), bool)
    for i, j in zip(*np.nonzero(np.triu(ok, k=1)), strict=True):
        every.union(int(i), int(j))
    if fast is not None:
        assert _components(fast, n) == _components(every, n)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.one_of(st.none(), st.integers(0, 3)),
                          st.sampled_from(["X", "Y"])), min_size=0, max_size=12))
@settings(max_examples=30, deadline=None)
def test_flag_invariants(rows):
    """Random tables of a few base texts with 0-3 edits: the columns agree with each other,
    exact clusters sit inside near ones, and dedupe keeps one article per cluster."""
    texts = [edited(*[7 * k + 3 * base for k in range(edits)]) if base else BASE for base, edits, _, _ in rows]
    published = [None if day is None else f"2021-11-0{day + 1}" for _, _, day, _ in rows]
    articles = table(texts, published=published, outlets=[o for *_, o in rows])
    near = flag_duplicates(articles)
    exact = flag_duplicates(articles, method="exact")
    for flagged in (near, exact):
        grouped = flagged["dup_group"].notna()
        assert (flagged["is_duplicate"] == flagged["dup_of"].notna()).all()
        assert not (flagged["is_duplicate"] & ~grouped).any()
        n_groups = flagged["dup_group"].nunique()
        assert int(flagged["is_duplicate"].sum()) == int(grouped.sum()) - n_groups
        assert len(dedupe(flagged)) == len(flagged) - int(flagged["is_duplicate"].sum())
        assert len(dedupe(flagged, keep="longest")) == len(dedupe(flagged))
        assert len(dedupe(flagged, keep="none")) == int((~grouped).sum())
        by_id = flagged.set_index("doc_id")
        for doc, of in flagged.loc[flagged["is_duplicate"], ["doc_id", "dup_of"]].itertuples(index=False):
            assert by_id.loc[of, "dup_group"] == by_id.loc[doc, "dup_group"]
            assert not by_id.loc[of, "is_duplicate"]
    for members in groups_of(exact):
        assert any(members <= cluster for cluster in groups_of(near))


def test_large_exact_groups_are_linked_quickly():
    n = 4000
    days = list(pd.date_range("2021-01-01", periods=n // 2, freq="D", tz="UTC"))
    days += list(pd.date_range("2030-01-01", periods=n // 2, freq="D", tz="UTC"))
    articles = table(["Same text."] * n, published=days, outlets=["X", "Y"] * (n // 2))
    assert len(groups_of(flag_duplicates(articles, window="30h"))) == 2
    assert len(groups_of(flag_duplicates(articles, window="30h", across="within_outlet"))) == 0
    assert len(groups_of(flag_duplicates(articles, window="49h", across="within_outlet"))) == 4
    assert len(groups_of(flag_duplicates(articles, window="30h", across="outlets"))) == 2
    assert len(groups_of(flag_duplicates(articles, across="outlets"))) == 1


def test_big_lsh_buckets_still_cluster():
    from toolkit.dedup import BIG_BUCKET

    n = BIG_BUCKET + 50
    texts = [BASE + f" extra{i}" for i in range(n)]  # every pair: Jaccard 56 / 58
    flagged = flag_duplicates(table(texts))
    assert groups_of(flagged) == [{f"d{i}" for i in range(n)}]
    assert flagged.attrs["duplicates"]["n_lsh_candidates"] < n * (n - 1) // 2 // 5  # not every pair


# --- dedupe ----------------------------------------------------------------------------------

def test_dedupe_keep_variants():
    longer = BASE + " word60 word61"  # 62 words, Jaccard 56/58 with BASE
    articles = table([BASE, longer, "Unrelated text.", BASE],
                     published=["2021-11-02", "2021-11-03", "2021-11-01", "2021-11-01"])
    assert dedupe(articles)["doc_id"].tolist() == ["d2", "d3"]
    assert dedupe(articles, keep="first")["doc_id"].tolist() == ["d2", "d3"]
    assert dedupe(articles, keep="longest")["doc_id"].tolist() == ["d1", "d2"]
    assert dedupe(articles, keep="none")["doc_id"].tolist() == ["d2"]
    # options are passed to flag_duplicates, and an already flagged table is reused
    assert dedupe(articles, method="exact")["doc_id"].tolist() == ["d1", "d2", "d3"]
    flagged = flag_duplicates(articles, method="exact")
    assert dedupe(flagged)["doc_id"].tolist() == ["d1", "d2", "d3"]


def test_dedupe_keeps_flag_columns_and_attrs():
    articles = table(["Same.", "Same."])
    articles.attrs["load_report"] = "report"
    out = dedupe(articles)
    assert out.attrs["load_report"] == "report"
    assert out.attrs["duplicates"]["n_duplicates"] == 1
    assert {"dup_group", "dup_of", "is_duplicate"} <= set(out.columns)


# --- contract: no mutation, determinism, empty, replacement ----------------------------------

def test_functions_never_mutate_their_input():
    articles = table([BASE, edited(30), "x"], published=["2021-11-01", None, "2021-11-02"])
    before = articles.copy()
    flag_duplicates(articles)
    dedupe(articles, keep="longest")
    duplicate_clusters(articles)
    pd.testing.assert_frame_equal(articles, before)
    assert list(articles.columns) == list(before.columns)


def test_output_keeps_rows_index_and_replaces_existing_flags():
    articles = table([BASE, BASE, "x"])
    articles.index = [10, 20, 30]
    articles["dup_group"] = 99
    articles["is_duplicate"] = "stale"
    flagged = flag_duplicates(articles)
    assert flagged.index.tolist() == [10, 20, 30]
    assert flagged["dup_group"].tolist()[:2] == [1, 1] and flagged["dup_group"].isna().tolist()[2]
    assert flagged["is_duplicate"].dtype == bool
    assert list(flagged.columns[-3:]) == ["dup_group", "dup_of", "is_duplicate"]


def test_same_seed_same_result_and_clear_cases_independent_of_seed():
    texts = [BASE, edited(30), edited(15, 45), edited(2), "unrelated " * 30]
    articles = table(texts)
    one = flag_duplicates(articles, seed=1)
    pd.testing.assert_frame_equal(one, flag_duplicates(articles, seed=1))
    for seed in (2, 3, 12345):
        assert groups_of(flag_duplicates(articles, seed=seed)) == groups_of(one)


def test_empty_table():
    empty = table([])
    flagged = flag_duplicates(empty)
    assert len(flagged) == 0 and {"dup_group", "dup_of", "is_duplicate"} <= set(flagged.columns)
    assert len(dedupe(empty, keep="none")) == 0
    clusters = duplicate_clusters(empty)
    assert len(clusters) == 0
    assert list(clusters.columns) == ["dup_group", "doc_id", "outlet", "published", "title",
                                      "n_words", "is_duplicate", "similarity"]


def test_no_duplicates_gives_all_na():
    flagged = flag_duplicates(table(["One text.", "Another text."]))
    assert flagged["dup_group"].isna().all() and flagged["dup_of"].isna().all()
    assert not flagged["is_duplicate"].any()
    assert len(duplicate_clusters(flagged)) == 0


# --- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("drop", "options", "column"), [
    ("text", {}, "'text'"),
    ("doc_id", {}, "'doc_id'"),
    ("outlet", {"across": "outlets"}, "'outlet'"),
    ("published", {"window": "48h"}, "'published'"),
])
def test_missing_columns_raise_schema_error_naming_them(drop, options, column):
    articles = table(["a", "b"]).drop(columns=drop)
    with pytest.raises(SchemaError, match=column):
        flag_duplicates(articles, **options)


def test_optional_columns_are_optional():
    minimal = pd.DataFrame({"doc_id": ["a", "b"], "body": ["Same.", "same."]})
    assert groups_of(flag_duplicates(minimal, field="body")) == [{"a", "b"}]
    assert duplicate_clusters(minimal, field="body")["outlet"].isna().all()


def test_repeated_doc_ids_raise():
    with pytest.raises(SchemaError, match="doc_id must be unique"):
        flag_duplicates(table(["a", "b"], ids=["x", "x"]))


@pytest.mark.parametrize(("options", "message"), [
    ({"method": "fuzzy"}, "method='fuzzy' is not valid: expected one of 'exact', 'near'"),
    ({"across": "outlet"}, "across='outlet' is not valid: expected one of 'any', 'outlets', 'within_outlet'"),
    ({"threshold": 1.5}, r"threshold=1.5 is not valid: expected a Jaccard similarity above 0 and at most 1"),
    ({"threshold": 0}, "threshold=0 is not valid"),
    ({"window": "two days"}, "window='two days' is not valid: expected a positive duration such as '48h'"),
    ({"window": "-1h"}, "window='-1h' is not valid"),
    ({"shingle": 0}, "shingle=0 is not valid: expected a whole number >= 1"),
    ({"num_perm": 1}, "num_perm=1 is not valid"),
    ({"field": 3}, "field=3 is not valid"),
])
def test_bad_options_raise_parameter_error(options, message):
    with pytest.raises(ParameterError, match=message):
        flag_duplicates(table(["a", "b"]), **options)


def test_bad_keep_raises():
    with pytest.raises(ParameterError, match="keep='last' is not valid: expected one of 'first', 'none', 'longest'"):
        dedupe(table(["a"]), keep="last")


# --- the MinHash LSH machinery against datasketch itself -------------------------------------

def _shingles_of(texts, k=5):
    tokens = _TokenTable.build([match_key(t) for t in texts])
    return tokens.shingles(k, np.arange(len(texts)))


def test_signatures_equal_datasketch_minhash():
    from datasketch import MinHash

    shingles = _shingles_of([BASE, edited(3), "a b c d e f g h i j k"])
    signatures = shingles.signatures(64, seed=7)
    for row, doc in enumerate(shingles.docs):
        reference = MinHash(num_perm=64, seed=7, hashfunc=lambda x: x)
        reference.update_batch([int(v) & 0xFFFFFFFF for v in shingles[int(doc)]])
        assert np.array_equal(signatures[row], reference.hashvalues)


def test_candidates_equal_datasketch_lsh():
    from datasketch import MinHash, MinHashLSH

    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(vocabulary, 30)) for _ in range(60)]
    texts += [t.replace("w1 ", "w2 ", 1) for t in texts[:20]]
    shingles = _shingles_of(texts, k=2)
    threshold, num_perm = 0.7, 32  # 16 bands of 2 rows
    ours = set(_lsh_candidates(shingles, threshold=threshold, num_perm=num_perm, seed=1))
    lsh = MinHashLSH(num_perm=num_perm, params=lsh_params(threshold, num_perm))
    sketches = {}
    for doc in shingles.docs.tolist():
        sketch = MinHash(num_perm=num_perm, seed=1, hashfunc=lambda x: x)
        sketch.update_batch([int(v) & 0xFFFFFFFF for v in shingles[doc]])
        sketches[doc] = sketch
        lsh.insert(doc, sketch)
    theirs = {(min(a, b), max(a, b)) for a in sketches for b in lsh.query(sketches[a]) if a != b}
    assert ours >= theirs  # ours may add a candidate only through a 64-bit key collision
    assert len(ours - theirs) == 0
    assert len(theirs) > 20


@given(st.floats(0.05, 1.0), st.sampled_from([16, 32, 64, 128, 256]))
@settings(max_examples=60, deadline=None)
def test_lsh_params_meet_the_recall_target(threshold, num_perm):
    bands, rows = lsh_params(threshold, num_perm)
    assert bands * rows <= num_perm
    recall = 1 - (1 - threshold**rows) ** bands
    assert recall >= 0.995 or rows == 1


def test_default_threshold_is_documented():
    assert DEFAULT_THRESHOLD == 0.8
    assert "0.8" in flag_duplicates.__doc__


# --- real corpora ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _bbc(corpora):
    from toolkit import load_corpus

    return load_corpus(corpora / "bbc", progress=False)


def _byte_identical_pairs(folder):
    by_digest = defaultdict(list)
    for path in sorted(folder.glob("*/*.txt")):
        by_digest[hashlib.sha256(path.read_bytes()).hexdigest()].append(path)
    pairs = []
    for paths in by_digest.values():
        pairs += [(a, b) for i, a in enumerate(paths) for b in paths[i + 1:]]
    return pairs


@pytest.mark.corpora
@pytest.mark.parametrize("method", ["exact", "near"])
def test_bbc_byte_identical_pairs_are_all_found(corpora, method):
    pairs = _byte_identical_pairs(corpora / "bbc")
    assert len(pairs) == 98
    articles = _bbc(corpora)
    # Compare text only (the loader puts line 1 in title): byte-identical files have equal texts.
    flagged = flag_duplicates(articles, method=method)
    group = {str(p): g for p, g in zip(flagged["source_path"], flagged["dup_group"], strict=True)}
    missed = [(a.name, b.name) for a, b in pairs if group[str(a)] is pd.NA or group[str(a)] != group[str(b)]]
    assert missed == []
    whole = flag_duplicates(articles, method=method, field=["title", "text"])
    group = {str(p): g for p, g in zip(whole["source_path"], whole["dup_group"], strict=True)}
    assert all(group[str(a)] is not pd.NA and group[str(a)] == group[str(b)] for a, b in pairs)


@pytest.mark.corpora
def test_bbc_near_pairs_match_brute_force_jaccard(corpora):
    """Every pair at or above the threshold (computed for all 2.5 million pairs with sparse
    matrices, no LSH) shares a cluster, and every near link is a real one."""
    sparse = pytest.importorskip("scipy.sparse")
    articles = _bbc(corpora)
    flagged = flag_duplicates(articles)
    texts = [match_key(t) for t in articles["text"].fillna("")]
    tokens = _TokenTable.build(texts)
    eligible = np.flatnonzero(tokens.n_words >= MIN_WORDS)
    shingles = tokens.shingles(5, eligible)
    _, column = np.unique(shingles.values, return_inverse=True)
    row = np.searchsorted(shingles.docs, shingles.owner)
    x = sparse.csr_matrix((np.ones(len(column)), (row, column)))
    common = (x @ x.T).tocoo()
    size = np.asarray(x.sum(axis=1)).ravel()
    jaccard = common.data / (size[common.row] + size[common.col] - common.data)
    keep = (common.row < common.col) & (jaccard >= DEFAULT_THRESHOLD)
    docs = shingles.docs
    group = flagged["dup_group"].to_numpy()
    pairs = list(zip(docs[common.row[keep]], docs[common.col[keep]], strict=True))
    assert len(pairs) > 98
    assert all(group[a] is not pd.NA and group[a] == group[b] for a, b in pairs)
    # and no cluster holds an article unrelated to all the others
    clusters = duplicate_clusters(flagged)
    assert (clusters["similarity"] >= DEFAULT_THRESHOLD).mean() > 0.99


@pytest.mark.corpora
def test_recovery_duplicate_bodies(corpora):
    from toolkit import load_corpus

    articles = load_corpus(corpora / "recovery-covid-news", progress=False)
    exact = flag_duplicates(articles, method="exact")
    # CATALOG.md: 119 duplicate bodies (rows whose body repeats an earlier row's)
    assert int(exact["is_duplicate"].sum()) == 119
    across = flag_duplicates(articles, method="exact", across="outlets")
    outlets = across.dropna(subset=["dup_group"]).groupby("dup_group")["outlet"].nunique()
    assert (outlets >= 2).all() and len(outlets) >= 1
    near = flag_duplicates(articles)
    assert int(near["is_duplicate"].sum()) >= 119


# Characters where the vectorised keys could go wrong: every kind of space, case oddities
# (ß, İ, ﬁ), typography, invisible characters, combining accents.
_KEY_CHARS = st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u2028\u2029\u3000\u200b\u00ad"
                                  "aZ.&\u00e9e\u0301\u00df\u0130\ufb01\u201c\u2019\u2014"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_KEY_CHARS, max_size=12)), max_size=12), st.integers(0, 2))
def test_match_keys_vectorised_equal_match_key(texts, offset):
    import pyarrow as pa

    import toolkit.dedup as dedup

    expected = [match_key(t) if isinstance(t, str) else "" for t in texts][offset:]
    array = pa.array(texts, type=pa.large_string()).slice(min(offset, len(texts)))
    assert dedup._column_keys(array).to_pylist() == expected
    digests = dedup.key_digests(dedup._column_keys(array))
    reference = np.array([hashlib.blake2b(k.encode(), digest_size=16).digest() if k else b""
                          for k in expected], dtype="S16")
    assert np.array_equal(digests, reference)


def test_match_keys_small_blocks(monkeypatch):
    import toolkit.dedup as dedup

    monkeypatch.setattr(dedup, "_KEY_BLOCK", 5)
    texts = ["  Hello\t\tWORLD  ", "", None, "a\x1cb", "x" * 20 + "  y ", "\u201cQ\u201d  r"]
    got = match_keys(pd.DataFrame({"text": pd.Series(texts, dtype="str")})).to_pylist()
    assert got == ["hello world", "", "", "a b", "x" * 20 + " y", '"q" r']


# Code points the per-character classes must get right: NFKC-stable letters whose case folds
# (É, Σ, ẞ), NFKC changes (ﬁ, ½, Ⅰ, Ω, ŉ, fullwidth), compositions in context (e + U+0301,
# Hangul jamo, kana voicing), characters above U+FFFF, typography and spaces.
_CLASS_CHARS = st.sampled_from(list(
    "aB \n\u00c9\u00e9\u03a3\u1e9e\u00df\u0130\u0149\ufb01\u00bd\u2160\u2126\u212b\uff21\uff07\u2034"
    "e\u0301\u1100\u1161\u11a8\uac00\u304b\u3099\U0001d400\U0001f600\u2019\u201c\u2014\u00ad\u200b"
    "\u00a0\u2028\u3000\u1680\x1c"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_CLASS_CHARS, max_size=10)), max_size=10))
def test_match_keys_character_classes(texts):
    # Texts that NFKC leaves alone skip it; the keys must still be match_key's.
    import pyarrow as pa

    import toolkit.dedup as dedup

    assert dedup._column_keys(pa.array(texts, type=pa.large_string())).to_pylist() == [
        match_key(t) if isinstance(t, str) else "" for t in texts]


def test_char_classes():
    import pyarrow as pa

    import toolkit.dedup as dedup

    unsafe, typography, spaces = dedup._char_classes(pa.array(
        ["caf\u00e9", "e\u0301", "\ufb01", "\u201cq\u201d", "a\u3000b", "\U0001f600", "plain"], type=pa.large_string()))
    assert unsafe.tolist() == [False, True, True, False, True, True, False]  # U+3000: NFKC makes it " "
    assert typography.tolist() == [False, False, False, True, False, False, False]
    assert spaces.tolist() == [False, False, False, False, True, False, False]
