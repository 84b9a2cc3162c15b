"""The toolkit on Dask (toolkit.distributed): same results as the pandas path, on a real LocalCluster.

One ``dask.distributed.LocalCluster`` (2 worker processes, 1 thread each, no dashboard, localhost
only) serves the whole module. Every Dask result is compared with the pandas function on the same
data with ``pandas.testing.assert_frame_equal``.
"""

from __future__ import annotations

import os
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
