"""The toolkit on Dask (toolkit.distributed): same results as the pandas path, on a real LocalCluster.

One ``dask.distributed.LocalCluster`` (2 worker processes, 1 thread each, no dashboard, localhost
only) serves the whole module. Every Dask result is compared with the pandas function on the same
data with ``pandas.testing.assert_frame_equal``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import toolkit.distributed as dist
from toolkit.errors import ParameterError

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
TOPICS = REPO / "data" / "topics" / "example.yaml"
CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"

#: Per-worker memory limit, as README advises (1 GB). A worker process holds about 250 MB at rest
#: (Python, pandas, pyarrow, the toolkit) and reached 450 MB on the real corpora, where 700 MiB
#: drew distributed's "unmanaged memory is high" warning (60% of the limit); the data it handles at
#: a time is one partition of a few MB.
MEMORY_LIMIT = "1GiB"

pytest.importorskip("distributed")


# ---------------------------------------------------------------------------------------------
# Without Dask
# ---------------------------------------------------------------------------------------------


def test_importing_the_toolkit_does_not_import_dask() -> None:
    code = (
        "import sys, pandas as pd, toolkit, toolkit.distributed, toolkit.text, toolkit.stats, "
        "toolkit.topics, toolkit.coverage, toolkit.words, toolkit.load.core\n"
        "arts = pd.DataFrame({'doc_id': ['a'], 'title': ['Moon'], 'text': ['Japan talks.']})\n"
        "toolkit.tokenize(arts)\n"
        "assert toolkit.distributed.is_dask(arts) is False\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'dask_expr')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_dispatch_leaves_pandas_calls_alone() -> None:
    calls = []

    @dist.supports_dask
    def tokenize(articles, *, lower=True):  # a stand-in with a supported name
        calls.append(lower)
        return "pandas"

    assert tokenize(pd.DataFrame(), lower=False) == "pandas"
    assert calls == [False]

    @dist.supports_dask
    def load_corpus(source, *, tz="UTC", **options):
        return "pandas"

    assert load_corpus("x") == "pandas"
    assert load_corpus("x", engine="pandas") == "pandas"
    with pytest.raises(ParameterError, match=r"engine.*'spark'.*'pandas', 'dask'"):
        load_corpus("x", engine="spark")
    import inspect

    assert "engine" in inspect.signature(load_corpus).parameters


# ---------------------------------------------------------------------------------------------
# On a LocalCluster
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=MEMORY_LIMIT,
                           dashboard_address=None, host="127.0.0.1")
    client = Client(cluster)
    workers = set(client.scheduler_info()["workers"])
    yield client
    # The same two worker processes all along: none died, was killed for memory or restarted.
    assert set(client.scheduler_info()["workers"]) == workers
    logs = client.get_worker_logs()
    memory = [msg for lines in logs.values() for level, msg in lines
              if "memory" in msg.lower() and level in ("WARNING", "ERROR", "CRITICAL")]
    assert not memory, memory
    client.close()
    cluster.close()


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def sample(client):
    """The sample corpus, pandas and Dask (about one file per partition)."""
    import toolkit as tk

    reference = tk.load_corpus(SAMPLE)
    ddf = tk.load_corpus(SAMPLE, engine="dask", partition_size=4000)
    # Kept on the workers: every test below would otherwise read the files again.
    return reference, ddf.persist()


def test_load_corpus_matches_pandas(sample) -> None:
    reference, ddf = sample
    assert ddf.npartitions > 3
    got = ddf.compute()
    assert list(got.columns) == list(reference.columns)
    pd.testing.assert_frame_equal(_sorted(got, ["doc_id"]), _sorted(reference, ["doc_id"]))


def test_load_corpus_from_a_list_of_files_and_folders(client) -> None:
    import toolkit as tk

    sources = [SAMPLE / "daily_meridian.csv", SAMPLE / "harbour_herald", SAMPLE / "pacific_ledger.jsonl"]
    reference = tk.load_corpus(sources)
    got = tk.load_corpus(sources, engine="dask", partition_size=1).compute()
    pd.testing.assert_frame_equal(_sorted(got, ["doc_id"]), _sorted(reference, ["doc_id"]))


def test_tokenize_per_partition(sample) -> None:
    import toolkit as tk

    reference, ddf = sample
    tokens = tk.tokenize(ddf, stopwords=True)
    assert type(tokens).__module__.startswith("dask")
    got = tokens.compute()
    want = tk.tokenize(reference, stopwords=True)
    keys = ["doc_id", "field", "position"]
    for frame in (got, want):
        frame["doc_id"] = frame["doc_id"].astype("str")
    pd.testing.assert_frame_equal(_sorted(got, keys), _sorted(want, keys))


@pytest.mark.parametrize("options", [{"by": "outlet", "freq": "M"}, {"by": ["outlet", "lang"], "min_n": 2,
                                                                      "stopwords": False, "lower": False}])
def test_term_frequencies_tree_reduction(sample, options) -> None:
    import toolkit as tk

    reference, ddf = sample
    got = tk.term_frequencies(ddf, **options)
    assert isinstance(got, pd.DataFrame)
    pd.testing.assert_frame_equal(got, tk.term_frequencies(reference, **options))


def test_term_frequencies_with_dask_tokens_and_top_terms(sample) -> None:
    import toolkit as tk

    reference, ddf = sample
    tokens = tk.tokenize(ddf)
    pd.testing.assert_frame_equal(tk.term_frequencies(ddf, tokens=tokens, by="outlet"),
                                  tk.term_frequencies(reference, by="outlet"))
    pd.testing.assert_frame_equal(tk.top_terms(ddf, n=5, by="outlet"), tk.top_terms(reference, n=5, by="outlet"))


def test_match_topics_and_attention(sample) -> None:
    import toolkit as tk

    reference, ddf = sample
    matches = tk.match_topics(ddf, TOPICS).persist()
    assert type(matches).__module__.startswith("dask")
    want_matches = tk.match_topics(reference, TOPICS)
    pd.testing.assert_frame_equal(_sorted(matches.compute(), ["doc_id", "topic"]),
                                  _sorted(want_matches, ["doc_id", "topic"]))
    # Dask matches are moved to their articles' partitions; pandas matches are broadcast.
    for given, options in ((matches, {"freq": "W", "by": "outlet"}),
                           (matches, {"freq": "D", "dedupe": "both", "topics": ["zzz"]}),
                           (want_matches, {"freq": "M", "start": "2021-10-01", "end": "2021-12-31", "dedupe": True})):
        pd.testing.assert_frame_equal(tk.attention(ddf, given, **options),
                                      tk.attention(reference, want_matches, **options))


def test_keyness(sample) -> None:
    import toolkit as tk

    reference, ddf = sample
    outlets = sorted(reference["outlet"].dropna().unique())
    for options in ({"target": outlets[0], "min_count": 2},
                    {"target": outlets[0], "reference": outlets[1:3], "measure": "log_ratio", "min_count": 1, "n": 5}):
        pd.testing.assert_frame_equal(tk.keyness(ddf, **options), tk.keyness(reference, **options))
    counts = dist.keyness_counts(ddf, target=outlets[0])
    assert counts.attrs["total_target"] == tk.keyness(reference, target=outlets[0], min_count=1)["total_target"].iloc[0]
    with pytest.raises(ParameterError, match="target.*masks are not available"):
        tk.keyness(ddf, target=reference["outlet"] == outlets[0])


def test_exact_duplicates_across_partitions(client, tmp_path) -> None:
    import toolkit as tk

    story = "The harbour board approved the new quay on Monday.\n\nWork starts in spring."
    files = {
        "a/1.txt": ("Quay approved", "2021-11-03", story),
        "a/2.txt": ("Other news", "2021-11-01", "Something else happened in town."),
        "b/3.txt": ("Quay plan backed", "2021-11-02", story.upper()),  # same text once case-folded
        "b/4.txt": ("Empty", "2021-11-04", ""),
        "c/5.txt": ("Quay", None, story + "  "),
        "c/6.txt": ("Other news again", "2021-11-05", "Something else happened in town."),
    }
    for rel, (title, date, text) in files.items():
        path = tmp_path / "corpus" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [title, "", *([f"Published: {date}"] if date else []), "", text]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "corpus" / "corpus.yaml").write_text("outlet: Test Outlet\n", encoding="utf-8")
    reference = tk.load_corpus(tmp_path / "corpus")
    ddf = tk.load_corpus(tmp_path / "corpus", engine="dask", partition_size=1)  # one file per partition
    assert ddf.npartitions == len(files)
    got = ddf.compute()
    assert got["is_duplicate"].sum() == reference["is_duplicate"].sum() >= 2
    pd.testing.assert_frame_equal(_sorted(got, ["doc_id"]), _sorted(reference, ["doc_id"]))
    none = tk.load_corpus(tmp_path / "corpus", engine="dask", duplicates="none").compute()
    assert "is_duplicate" not in none.columns


def test_load_corpus_dask_options_are_checked(client) -> None:
    import toolkit as tk

    with pytest.raises(ParameterError, match=r"duplicates.*'near'.*'exact', 'none'"):
        tk.load_corpus(SAMPLE, engine="dask", duplicates="near")
    with pytest.raises(ParameterError, match="cache.*to_parquet"):
        tk.load_corpus(SAMPLE, engine="dask", cache=True)
    with pytest.raises(ParameterError, match="partition_size"):
        tk.load_corpus(SAMPLE, engine="dask", partition_size=0)


# ---------------------------------------------------------------------------------------------
# Real corpora
# ---------------------------------------------------------------------------------------------


def _corpus(name: str) -> Path:
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"real corpus not found at {path} (../shared/corpora beside the repository)")
    return path


@pytest.mark.corpora
def test_bbc_on_dask_matches_pandas(client) -> None:
    """BBC: 2,225 files in 5 folders, 98 byte-identical pairs spread over different partitions."""
    import toolkit as tk

    bbc = _corpus("bbc")
    reference = tk.load_corpus(bbc)
    ddf = tk.load_corpus(bbc, engine="dask", partition_size="1MB").persist()
    assert ddf.npartitions >= 5
    got = ddf.compute()
    assert got["is_duplicate"].sum() == reference["is_duplicate"].sum() > 90
    pd.testing.assert_frame_equal(_sorted(got, ["doc_id"]), _sorted(reference, ["doc_id"]))
    by = "section" if reference["section"].notna().any() else None
    pd.testing.assert_frame_equal(tk.term_frequencies(ddf, by=by, min_n=3),
                                  tk.term_frequencies(reference, by=by, min_n=3))


@pytest.mark.corpora
def test_recovery_on_dask_matches_pandas(client) -> None:
    """ReCOVery: 55 per-outlet CSV files with dates; attention and keyness by outlet."""
    import toolkit as tk

    recovery = _corpus("recovery-covid-news")
    reference = tk.load_corpus(recovery)
    ddf = tk.load_corpus(recovery, engine="dask", partition_size="2MB").persist()
    assert ddf.npartitions >= 4
    pd.testing.assert_frame_equal(_sorted(ddf.compute(), ["doc_id"]), _sorted(reference, ["doc_id"]))
    matches = tk.match_topics(ddf, TOPICS).persist()
    want = tk.match_topics(reference, TOPICS)
    pd.testing.assert_frame_equal(tk.attention(ddf, matches, freq="M", by="outlet", dedupe="both"),
                                  tk.attention(reference, want, freq="M", by="outlet", dedupe="both"))
    outlet = reference["outlet"].value_counts().index[0]
    pd.testing.assert_frame_equal(tk.keyness(ddf, target=outlet, n=20), tk.keyness(reference, target=outlet, n=20))


def test_worker_memory_stays_inside_the_limit(client) -> None:
    from dask.utils import parse_bytes

    def rss() -> int:
        import psutil

        return psutil.Process(os.getpid()).memory_info().rss

    used = client.run(rss)
    assert len(used) == 2
    assert max(used.values()) < 0.8 * parse_bytes(MEMORY_LIMIT)  # below the level where workers pause


# ---------------------------------------------------------------------------------------------
# A corpus larger than a worker's memory limit
# ---------------------------------------------------------------------------------------------

#: Per-worker limit of the scale test. Dask spills at 70% of the limit and warns about unmanaged
#: memory above 60%. Counting never imports NLTK (about 90 MB with the scikit-learn and scipy it
#: imports); with it imported, workers at this limit drew unmanaged-memory warnings. In the
#: passing run (2026-11-29, quiet machine) each worker peaked at about 580 MiB, 4.7 minutes in all.
SMALL_LIMIT = "768MiB"
#: Replicas of Reuters-21578 + ReCOVery bodies (about 31 MiB in memory each).
REPLICAS = 28
#: Bytes of title + text per Parquet file (and so per partition).
PART_BYTES = 4_000_000


def _replicated_corpus(folder: Path, replicas: int) -> tuple[list[Path], int]:
    """Replicas of the benchmark base (benchmarks/build_corpus.py: distinct ids, dates moved
    364 days per replica) as uncompressed Parquet files of about PART_BYTES of text each.
    Returns replica 0's files and the number of files."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import build_corpus
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    import pyarrow.parquet as pq

    base = build_corpus.load_base(CORPORA, ("reuters", "recovery"), folder.parent / "base-cache")
    slices = build_corpus.byte_slices(build_corpus.text_sizes(base), PART_BYTES)
    folder.mkdir(parents=True)
    first: list[Path] = []
    for r in range(replicas):
        table = build_corpus.replica(base, r)
        for i, (start, stop) in enumerate(slices):
            path = folder / f"part-{r:03d}-{i:03d}.parquet"
            # Uncompressed and without dictionaries: the bytes on disk are the corpus' bytes.
            pq.write_table(table.slice(start, stop - start), path, compression="none", use_dictionary=False)
            if r == 0:
                first.append(path)
    return first, replicas * len(slices)


def _worker_probe(dask_worker) -> dict:
    """The worker process's peak resident memory, CPU time and bytes spilled.

    The peak is VmHWM, the high-water mark of this process's own memory. Not ``ru_maxrss``:
    Linux carries the pre-exec high-water mark into it, so a worker spawned from a big pytest
    process (late in a full suite, about 1 GB) reports the parent's size as its own."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    history = list(dask_worker.monitor.quantities.get("memory", []))
    with open("/proc/self/status") as status:
        hwm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    return {"peak_rss": hwm, "peak_monitor": max(history) if history else 0,
            "cpu": usage.ru_utime + usage.ru_stime, "spilled": dask_worker.data.spilled_total.disk}


@pytest.mark.corpora
def test_corpus_larger_than_a_worker_memory_limit(tmp_path) -> None:
    """28 replicas of Reuters + ReCOVery (about 870 MiB as an articles table, 760 MB of Parquet)
    on 2 workers of 768 MiB each: loaded with exact duplicates, kept on the workers (so part of
    it spills to disk), counted, matched, reduced to pandas tables. The results are checked
    against the pandas path on replica 0 times the number of replicas (every replica holds the
    same texts; only ids and dates differ), and the cluster must end as it began: same two
    worker processes, no spilling error, no worker killed or restarted, none past its limit."""
    import time

    import dask
    import numpy as np
    from dask.utils import parse_bytes
    from distributed import Client, LocalCluster, wait

    import toolkit as tk

    _corpus("reuters21578")
    _corpus("recovery-covid-news")
    started = time.perf_counter()
    folder = tmp_path / "corpus"
    first, n_files = _replicated_corpus(folder, REPLICAS)
    limit = parse_bytes(SMALL_LIMIT)
    on_disk = sum(p.stat().st_size for p in folder.iterdir())
    assert on_disk > limit

    # The independent reference: the pandas path on replica 0.
    ref = tk.load_corpus(first, progress=False)
    ref_counts = tk.term_frequencies(ref, by="outlet", words="alnum")
    ref_matches = tk.match_topics(ref, TOPICS)
    ref_attention = tk.attention(ref, ref_matches, freq="W")
    target, others = "Chicago Sun-Times", ["The Verge", "Sputnik News"]

    # Arrow's own allocator keeps freed memory for reuse, which Dask counts as unmanaged memory
    # (README: "Corpora beyond one machine"); the system allocator returns it, as glibc's
    # trimming (which distributed sets up) intends.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.ARROW_DEFAULT_MEMORY_POOL": "system"}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=SMALL_LIMIT,
                               dashboard_address=None, host="127.0.0.1", local_directory=tmp_path / "dask")
    try:
        with Client(cluster) as client:
            workers = set(client.scheduler_info()["workers"])
            ddf = tk.load_corpus(folder, engine="dask", partition_size=1)  # one file a partition
            assert ddf.npartitions == n_files
            ddf = ddf.persist()
            wait(ddf)
            sizes = ddf.map_partitions(lambda f: pd.Series([f.memory_usage(deep=True).sum(), len(f),
                                                            int(f["is_duplicate"].sum())]).to_frame().T,
                                       meta=pd.DataFrame({i: pd.Series([], dtype="int64") for i in range(3)}))
            sizes = sizes.compute()
            in_memory, n_rows, n_dup = (int(sizes[i].sum()) for i in range(3))
            spilled_after_persist = sum(p["spilled"] for p in client.run(_worker_probe).values())

            counts = tk.term_frequencies(ddf, by="outlet", words="alnum")
            matches = tk.match_topics(ddf, TOPICS).persist()
            per_topic = matches.groupby("topic")["doc_id"].count().compute()
            timeline = tk.attention(ddf, matches, freq="W")
            keyness = dist.keyness_counts(ddf, target=target, reference=others)
            groups = int(ddf["dup_group"].nunique().compute())

            probes = client.run(_worker_probe)
            assert set(client.scheduler_info()["workers"]) == workers
            logs = [(who, level, msg) for source in (client.get_worker_logs(), client.get_worker_logs(nanny=True))
                    for who, lines in source.items() for level, msg in lines]
            logs += [("scheduler", level, msg) for level, msg in client.get_scheduler_logs()]
    finally:
        cluster.close()
    elapsed = time.perf_counter() - started

    # What the issue forbids: spilling errors, and anything that lost work (a worker killed,
    # restarted or dead). Dask's "unmanaged memory use is high" warning and a worker pausing
    # until its spilled data frees room are how a limit smaller than the data is meant to be
    # handled: they are counted and printed, not failures.
    fatal = re.compile(r"spill|restart|died|kill|exceed|terminat", re.IGNORECASE)
    complaints = [line for line in logs if line[1] in ("ERROR", "CRITICAL")
                  or (line[1] == "WARNING" and fatal.search(line[2]))]
    assert not complaints, complaints[:5]
    tolerated = [line for line in logs if line[1] == "WARNING" and re.search(r"memory|paus", line[2], re.IGNORECASE)]
    assert in_memory > 1.1 * limit and on_disk > limit

    # Loading and exact duplicates: every text of replica 0 is repeated in every replica.
    texts = ref["text"].fillna("").str.strip() != ""
    distinct = int(texts.sum() - ref["is_duplicate"].sum())
    assert n_rows == REPLICAS * len(ref)
    assert n_dup == REPLICAS * int(texts.sum()) - distinct
    assert groups == distinct

    # Counts: each replica adds replica 0's counts again; shares do not change.
    want = ref_counts.assign(n=ref_counts["n"] * REPLICAS, docfreq=ref_counts["docfreq"] * REPLICAS)
    pd.testing.assert_frame_equal(counts, want)

    # Topics: replica 0's matches per topic, times the replicas; the weekly timeline is replica
    # 0's, shifted 52 weeks back per replica and summed.
    assert per_topic.sort_index().to_dict() == (ref_matches.groupby("topic")["doc_id"].count() * REPLICAS).sort_index().to_dict()
    shifted = pd.concat([ref_attention.assign(period=ref_attention["period"] - pd.Timedelta(days=364 * r))
                         for r in range(REPLICAS)]).astype({"topic": "str"})
    timeline = timeline.astype({"topic": "str"})
    expected = shifted.groupby(["period", "topic"], observed=True)[["n_matching", "n_total"]].sum()
    got = timeline.set_index(["period", "topic"])[["n_matching", "n_total"]]
    got = got[got["n_total"] > 0]
    expected = expected[expected["n_total"] > 0]
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False)

    # Keyness inputs: the target's and the reference's word counts from the pandas path.
    for side, outlets in (("target", [target]), ("reference", others)):
        words = tk.term_frequencies(ref[ref["outlet"].isin(outlets)])
        want_side = words.set_index("term")["n"] * REPLICAS
        got_side = keyness.set_index("term")[f"n_{side}"]
        got_side = got_side[got_side > 0]
        assert got_side.sort_index().to_dict() == want_side.sort_index().to_dict()

    peak = max(p["peak_rss"] for p in probes.values())
    print(f"\nscale test: limit {limit / 2**20:.0f} MiB per worker; corpus {in_memory / 2**20:.0f} MiB in memory, "
          f"{on_disk / 2**20:.0f} MiB on disk, {n_rows:,} articles, {n_files} partitions; "
          f"spilled {spilled_after_persist / 2**20:.0f} MiB after persist; "
          + "; ".join(f"worker peak RSS {p['peak_rss'] / 2**20:.0f} MiB (monitor {p['peak_monitor'] / 2**20:.0f}), "
                      f"CPU {p['cpu']:.0f} s" for p in probes.values())
          + f"; {len(tolerated)} memory warnings (unmanaged memory, pausing); {elapsed:.0f} s wall, "
          f"load {os.getloadavg()[0]:.1f}")
    assert peak < limit  # no worker went past its limit (the nanny kills one at 95%)
    assert np.isfinite(elapsed)
