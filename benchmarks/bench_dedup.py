"""Benchmark duplicate detection on real corpora, against what a notebook user would write.

For each corpus (BBC, ReCOVery, Reuters-21578 from ``../shared/corpora``), loaded once with
``load_corpus(..., duplicates="none")``, one run measures (median of ``--repeat`` runs, wall
seconds, in this process after a warm-up call):

- ``ours-exact``: ``flag_duplicates(method="exact")``;
- ``ours-near``: ``flag_duplicates(method="near")`` (defaults: 5-word shingles, Jaccard >= 0.8,
  128 permutations);
- ``datasketch``: the near-duplicate pipeline a user writes from datasketch's documentation:
  ``re.findall(r"\\w+")`` on lower-cased text, a set of 5-word shingle strings, one
  ``MinHash(num_perm=128).update_batch`` per article, ``MinHashLSH(threshold=0.8)`` insert and
  query, pairs kept when the MinHash *estimate* of Jaccard is >= 0.8, union-find clusters;
- ``brute-force``: every pair's real Jaccard similarity from a sparse article x shingle matrix
  (``X @ X.T``, scipy), the ground truth for recall and precision (same shingles as ours).

Then it checks quality against the brute force (recall: pairs at or above the threshold that
end in one cluster; precision: accepted pairs truly at or above it), counts what each corpus is
known for (BBC: its 98 byte-identical file pairs; ReCOVery: its 119 duplicate bodies and those
across outlets), and prints a sample of near-duplicate clusters (titles, outlets, dates,
similarity to the earliest member) for a reader to judge. Usage::

    .venv/bin/python benchmarks/bench_dedup.py [--corpus bbc,recovery,reuters] [--repeat 3]
        [--sample 6] [--corpora PATH] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
CORPORA = {"bbc": "bbc", "recovery": "recovery-covid-news", "reuters": "reuters21578"}
THRESHOLD = 0.8
SHINGLE = 5
NUM_PERM = 128


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(function: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    result = function()  # warm-up (imports, caches); not counted
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, times


# --- the alternative: datasketch as its documentation shows it ---------------------------------

def datasketch_pipeline(texts: list[str], min_words: int) -> np.ndarray:
    """Cluster labels (row index of a representative; -1 alone) from a plain datasketch pipeline."""
    from datasketch import MinHash, MinHashLSH

    word = re.compile(r"\w+")
    sketches = {}
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for i, text in enumerate(texts):
        words = word.findall(text.lower())
        if len(words) < min_words:
            continue
        shingles = {" ".join(words[j:j + SHINGLE]) for j in range(len(words) - SHINGLE + 1)}
        sketch = MinHash(num_perm=NUM_PERM)
        sketch.update_batch([s.encode("utf-8") for s in shingles])
        sketches[i] = sketch
        lsh.insert(i, sketch)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, sketch in sketches.items():
        for j in lsh.query(sketch):
            if j != i and sketch.jaccard(sketches[j]) >= THRESHOLD:
                parent[find(j)] = find(i)
    labels = np.array([find(i) for i in range(len(texts))])
    sizes = np.bincount(labels, minlength=len(texts))
    return np.where(sizes[labels] > 1, labels, -1)


# --- ground truth ------------------------------------------------------------------------------

def brute_force_pairs(texts: list[str], min_words: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, jaccard) for every pair of eligible texts sharing a shingle, a < b."""
    from scipy import sparse

    from toolkit.dedup import _TokenTable, match_key

    tokens = _TokenTable.build([match_key(t) for t in texts])
    eligible = np.flatnonzero(tokens.n_words >= max(min_words, SHINGLE))
    shingles = tokens.shingles(SHINGLE, eligible)
    _, column = np.unique(shingles.values, return_inverse=True)
    row = np.searchsorted(shingles.docs, shingles.owner)
    x = sparse.csr_matrix((np.ones(len(column), dtype=np.float32), (row, column)))
    common = sparse.triu(x @ x.T, k=1).tocoo()
    size = np.asarray(x.sum(axis=1)).ravel()
    jaccard = common.data / (size[common.row] + size[common.col] - common.data)
    return shingles.docs[common.row], shingles.docs[common.col], jaccard


def recall(labels: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    if not len(a):
        return float("nan")
    return float(np.mean((labels[a] >= 0) & (labels[a] == labels[b])))


def pairs_below(normalised: list[str], labels: np.ndarray,
                truth: dict[tuple[int, int], float]) -> tuple[int, int]:
    """(member pairs of a cluster whose own Jaccard is below the threshold, member pairs)."""
    bad = linked = 0
    members = defaultdict(list)
    for i, label in enumerate(labels):
        if label >= 0:
            members[label].append(i)
    for rows in members.values():
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                pair = (rows[x], rows[y])
                linked += 1
                if normalised[pair[0]] != normalised[pair[1]]:
                    bad += truth.get(pair, 0.0) < THRESHOLD
    return bad, linked


# --- corpora -----------------------------------------------------------------------------------

def load(corpora: Path, name: str) -> pd.DataFrame:
    from toolkit import load_corpus

    start = time.perf_counter()
    try:
        articles = load_corpus(corpora / CORPORA[name], progress=False, duplicates="none")
    except TypeError:  # a load_corpus without the duplicates option
        articles = load_corpus(corpora / CORPORA[name], progress=False)
    log(f"{name}: loaded {len(articles):,} articles in {time.perf_counter() - start:.1f} s")
    if name == "reuters":
        articles = articles[articles["text"].notna()].reset_index(drop=True)
    return articles


def byte_identical_pairs(folder: Path) -> list[tuple[str, str]]:
    by_digest = defaultdict(list)
    for path in sorted(folder.glob("*/*.txt")):
        by_digest[hashlib.sha256(path.read_bytes()).hexdigest()].append(str(path))
    return [(p[i], p[j]) for p in by_digest.values() for i in range(len(p)) for j in range(i + 1, len(p))]


def fmt_date(value: Any) -> str:
    return "undated" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def print_sample(clusters: pd.DataFrame, n: int, seed: int = 0) -> list[dict]:
    """n clusters that hold at least one non-identical member, spread over the corpus."""
    near = clusters.groupby("dup_group")["similarity"].min()
    chosen = near[near < 1].index.to_numpy()
    if not len(chosen):
        print("  (no near-duplicate clusters)")
        return []
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(chosen, size=min(n, len(chosen)), replace=False))
    shown = []
    for group in chosen:
        rows = clusters[clusters["dup_group"] == group]
        print(f"  cluster {group} ({len(rows)} articles)")
        for row in rows.itertuples():
            title = (row.title if isinstance(row.title, str) else "")[:78]
            outlet = row.outlet if isinstance(row.outlet, str) else "-"
            mark = "dup " if row.is_duplicate else "orig"
            print(f"    {mark} {row.similarity:5.3f} {row.n_words:5d}w  {fmt_date(row.published):16s}  "
                  f"{outlet[:20]:20s}  {title}")
            shown.append({"group": int(group), "doc_id": row.doc_id, "title": title, "outlet": outlet,
                          "similarity": float(row.similarity), "is_duplicate": bool(row.is_duplicate)})
    return shown


def run_corpus(corpora: Path, name: str, repeat: int, sample: int) -> dict:
    from toolkit.dedup import MIN_WORDS, duplicate_clusters, flag_duplicates, match_key

    articles = load(corpora, name)
    texts = articles["text"].fillna("").tolist()
    n_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    out: dict[str, Any] = {"corpus": name, "articles": len(articles), "text_mb": round(n_mb, 2)}
    print(f"\n## {name}: {len(articles):,} articles, {n_mb:.2f} MB of text\n")

    exact, t_exact = timed(lambda: flag_duplicates(articles, method="exact"), repeat)
    log(f"{name}: ours-exact done")
    near, t_near = timed(lambda: flag_duplicates(articles, method="near"), repeat)
    log(f"{name}: ours-near done")
    already = "datasketch" in sys.modules
    start = time.perf_counter()
    import datasketch  # noqa: F401  (its import alone takes about a second: scipy.integrate)

    t_import = float("nan") if already else time.perf_counter() - start
    ds_labels, t_ds = timed(lambda: datasketch_pipeline(texts, MIN_WORDS), max(1, repeat // 2))
    log(f"{name}: datasketch done")
    (a, b, jac), t_bf = timed(lambda: brute_force_pairs(texts, MIN_WORDS), 1)
    log(f"{name}: brute force done")

    ours = near["dup_group"].fillna(-1).astype("int64").to_numpy()
    ours_exact = exact["dup_group"].fillna(-1).astype("int64").to_numpy()
    above = jac >= THRESHOLD
    truth = {(int(x), int(y)): float(j) for x, y, j in zip(a, b, jac, strict=True) if j >= 0.5}
    normalised = [match_key(t) for t in texts]
    bad, linked = pairs_below(normalised, ds_labels, truth)
    ours_bad, ours_linked = pairs_below(normalised, ours, truth)
    info = near.attrs["duplicates"]
    rows = [
        ("ours-exact", t_exact, int(exact["is_duplicate"].sum()), int(exact["dup_group"].max() or 0)
         if exact["dup_group"].notna().any() else 0, recall(ours_exact, a[above], b[above])),
        ("ours-near", t_near, int(near["is_duplicate"].sum()), info["n_clusters"], recall(ours, a[above], b[above])),
        ("datasketch", t_ds, int(((ds_labels >= 0) & (ds_labels != np.arange(len(texts)))).sum()),
         len(set(ds_labels[ds_labels >= 0].tolist())), recall(ds_labels, a[above], b[above])),
    ]
    print(f"| pipeline | median s | min-max s | duplicates | clusters | recall of pairs >= {THRESHOLD} |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, times, dups, clusters, rec in rows:
        print(f"| {label} | {statistics.median(times):.2f} | {min(times):.2f}-{max(times):.2f} | {dups:,} | "
              f"{clusters:,} | {rec:.4f} |")
    print(f"| brute-force (truth) | {t_bf[0]:.2f} | | | | 1 |")
    if not already:
        print(f"\nimport datasketch: {t_import:.2f} s (not in its figures; ours does not import it)")
    print(f"pairs sharing a shingle: {len(jac):,}; at or above {THRESHOLD}: {int(above.sum()):,}; "
          f"ours-near LSH candidates: {info['n_lsh_candidates']:,}")
    print(f"member pairs in a cluster whose own Jaccard is below {THRESHOLD} (single linkage): "
          f"ours {ours_bad:,} of {ours_linked:,}; datasketch (estimated-Jaccard links) {bad:,} of {linked:,}")
    out.update({
        "seconds": {label: times for label, times, *_ in rows} | {"brute-force": t_bf, "import-datasketch": t_import},
        "duplicates": {label: dups for label, _, dups, *_ in rows},
        "clusters": {label: c for label, _, _, c, _ in rows},
        "recall": {label: rec for label, *_, rec in rows},
        "pairs_above": int(above.sum()), "lsh_candidates": info["n_lsh_candidates"],
        "pairs_below_in_cluster": {"ours": [ours_bad, ours_linked], "datasketch": [bad, linked]},
    })

    if name == "bbc":
        pairs = byte_identical_pairs(corpora / "bbc")
        group = dict(zip(exact["source_path"], exact["dup_group"], strict=True))
        found = sum(1 for x, y in pairs if group[x] is not pd.NA and group[x] == group[y])
        print(f"\nbyte-identical file pairs: {len(pairs)}; in one exact cluster: {found}")
        out["byte_identical_pairs"] = [len(pairs), found]
    if name == "recovery":
        by_body = int(articles["text"].duplicated().sum())
        across = flag_duplicates(articles, method="exact", across="outlets")
        groups = exact.dropna(subset=["dup_group"]).groupby("dup_group")["outlet"].agg(["size", "nunique"])
        print(f"\nduplicate bodies (rows repeating an earlier body verbatim): {by_body}; "
              f"exact (normalised) duplicates: {int(exact['is_duplicate'].sum())} in {len(groups)} clusters, "
              f"{int((groups['nunique'] > 1).sum())} of them spanning outlets")
        cross = across.dropna(subset=["dup_group"])
        for group, members in cross.groupby("dup_group"):
            outlets = members["outlet"].value_counts()
            print(f"  across outlets, cluster {group}: {len(members)} articles, "
                  + ", ".join(f"{o} {c}" for o, c in outlets.items()))
        near_across = flag_duplicates(articles, across="outlets")
        nclusters = near_across["dup_group"].nunique()
        print(f"near-duplicates across outlets (across='outlets'): {int(near_across['is_duplicate'].sum())} "
              f"duplicates in {nclusters} clusters")
        sample_across = duplicate_clusters(near_across)
        print("clusters across outlets:")
        out["across_outlets_sample"] = print_sample(sample_across, sample, seed=1)
        out["recovery"] = {"duplicate_bodies": by_body, "exact_duplicates": int(exact["is_duplicate"].sum()),
                           "exact_clusters": len(groups), "exact_clusters_across_outlets": int((groups["nunique"] > 1).sum()),
                           "near_across_duplicates": int(near_across["is_duplicate"].sum()),
                           "near_across_clusters": int(nclusters)}
    print(f"\nsample of near-duplicate clusters (members not all identical), {name}:")
    out["sample"] = print_sample(duplicate_clusters(near), sample)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="bbc,recovery,reuters",
                        help="comma-separated: " + ", ".join(CORPORA))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=6, help="near-duplicate clusters to print")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"corpora not found at {args.corpora} (../shared/corpora beside the repository); "
              "pass --corpora PATH", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.corpus.split(",") if n.strip()]
    unknown = [n for n in names if n not in CORPORA]
    if unknown:
        parser.error(f"unknown corpus {unknown}; choose from {list(CORPORA)}")

    print("# bench_dedup")
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {platform.platform()}; "
          f"nproc {os.cpu_count()}; Python {platform.python_version()}")
    print("versions: " + ", ".join(f"{p} {version(p)}" for p in
                                   ("media-coverage-toolkit", "pandas", "pyarrow", "numpy", "datasketch", "scipy")))
    print(f"settings: threshold {THRESHOLD} (Jaccard), {SHINGLE}-word shingles, {NUM_PERM} permutations, "
          f"repeat {args.repeat}; load average before: {os.getloadavg()[0]:.2f}")
    results = [run_corpus(args.corpora, name, args.repeat, args.sample) for name in names]
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
