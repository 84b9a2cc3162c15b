"""The load cache: hit, every kind of invalidation, corrupt files, location, atomic writes."""

from __future__ import annotations

import json
import logging
import os

import pandas as pd
import pytest

from toolkit import load_corpus, load_report
from toolkit.errors import ParameterError
from toolkit.load import register_reader
from toolkit.load.cache import CACHE_ENV, CACHE_SUFFIX, cache_dir, clear_cache, default_cache_dir
from toolkit.load.registry import _READERS


def status(articles: pd.DataFrame) -> str:
    return load_report(articles).settings["cache"]["status"]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline A\n\nBody of article A.")
    (folder / "b.jsonl").write_text(
        json.dumps({"title": "T1", "text": "one", "published": "2021-11-01T09:00:00Z"}) + "\n"
        + json.dumps({"title": "T2", "text": "one", "published": "2021-11-02T09:00:00Z"}) + "\n")
    return folder


@pytest.fixture
def store(tmp_path):
    return tmp_path / "cache"


def test_second_load_reads_the_cache_and_gives_the_same_table(corpus, store):
    first = load_corpus(corpus, cache=store)
    assert status(first) == "written"
    files = list(store.glob(f"*{CACHE_SUFFIX}"))
    assert len(files) == 1
    second = load_corpus(corpus, cache=store)
    assert status(second) == "hit"
    pd.testing.assert_frame_equal(first, second)
    one, two = load_report(first), load_report(second)
    assert one.files.equals(two.files) and one.counts == two.counts and one.languages == two.languages
    assert two.settings["cache"]["path"] == str(files[0])
    assert "read from the cache" in str(two).splitlines()[0]
    assert second["is_duplicate"].tolist() == [False, False, True]
    assert second.attrs["duplicates"] == first.attrs["duplicates"]
    assert second.attrs["duplicates"]["method"] == "exact"
    assert load_report(second).log(second)["status"].tolist() == ["loaded", "loaded", "duplicate"]


def test_no_cache_by_default(corpus, store, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(store))
    articles = load_corpus(corpus)
    assert "cache" not in load_report(articles).settings
    assert not store.exists()


def test_cache_true_uses_the_environment_folder(corpus, store, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(store))
    assert default_cache_dir() == store and cache_dir(True) == store
    load_corpus(corpus, cache=True)
    assert len(list(store.glob(f"*{CACHE_SUFFIX}"))) == 1
    assert status(load_corpus(corpus, cache=True)) == "hit"
    assert clear_cache(True) == 1 and not list(store.glob("*"))


def test_default_folder_is_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "media-coverage-toolkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == pytest.importorskip("pathlib").Path.home() / ".cache" / "media-coverage-toolkit"


def test_bad_cache_argument(corpus):
    with pytest.raises(ParameterError, match=r"cache=3 is not valid.*True \(the user cache folder\)"):
        load_corpus(corpus, cache=3)
    with pytest.raises(ParameterError, match=r"cache_check='md5'.*'stat', 'hash'"):
        load_corpus(corpus, cache=True, cache_check="md5")


def _touch_later(path, content: str | None = None):
    st = path.stat()
    if content is not None:
        path.write_text(content)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


@pytest.mark.parametrize("change", ["edit", "same_size_edit", "touch", "add", "remove", "sidecar", "readme"])
def test_any_input_change_invalidates(corpus, store, change):
    load_corpus(corpus, cache=store)
    if change == "edit":
        (corpus / "a.txt").write_text("Headline A\n\nBody of article A, longer now.")
    elif change == "same_size_edit":
        _touch_later(corpus / "a.txt", "Headline B\n\nBody of article B.")
    elif change == "touch":
        _touch_later(corpus / "a.txt")
    elif change == "add":
        (corpus / "c.txt").write_text("Headline C\n\nBody C.")
    elif change == "remove":
        (corpus / "a.txt").unlink()
    elif change == "sidecar":
        (corpus / "corpus.yaml").write_text("outlet: The Daily\n")
    elif change == "readme":
        (corpus / "README.md").write_text("about this corpus")
    again = load_corpus(corpus, cache=store)
    assert status(again) == "refreshed"
    assert status(load_corpus(corpus, cache=store)) == "hit"
    if change == "same_size_edit":
        assert again["title"].iloc[0] == "Headline B"
    if change == "sidecar":
        assert again["outlet"].eq("The Daily").all()
    if change == "add":
        assert len(again) == 4
    # One file per set of arguments: the stale one is overwritten, not kept beside.
    assert len(list(store.glob(f"*{CACHE_SUFFIX}"))) == 1


def test_hash_check_sees_a_change_that_keeps_size_and_mtime(corpus, store):
    path = corpus / "a.txt"
    load_corpus(corpus, cache=store, cache_check="hash")
    load_corpus(corpus, cache=store)
    st = path.stat()
    path.write_text("Headline Z\n\nBody of article Z.")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as a careless copy tool would
    stat_check = load_corpus(corpus, cache=store)
    assert status(stat_check) == "hit" and stat_check["title"].iloc[0] == "Headline A"  # blind to it
    hashed = load_corpus(corpus, cache=store, cache_check="hash")
    assert status(hashed) == "refreshed" and hashed["title"].iloc[0] == "Headline Z"


@pytest.mark.parametrize(
    "kwargs",
    [{"tz": "Asia/Seoul"}, {"duplicates": "none"}, {"normalize": None}, {"outlet": "X"},
     {"exclude": ()}, {"custom_reader_option": 1}],
)
def test_other_arguments_use_another_cache_entry(corpus, store, kwargs):
    load_corpus(corpus, cache=store)
    other = load_corpus(corpus, cache=store, **kwargs)
    assert status(other) == "written"
    assert len(list(store.glob(f"*{CACHE_SUFFIX}"))) == 2
    assert status(load_corpus(corpus, cache=store)) == "hit"


def test_toolkit_version_change_invalidates(corpus, store, monkeypatch):
    import toolkit

    load_corpus(corpus, cache=store)
    monkeypatch.setattr(toolkit, "__version__", "99.0")
    assert status(load_corpus(corpus, cache=store)) == "written"


def test_corrupt_cache_file_is_reparsed_and_overwritten(corpus, store, caplog):
    first = load_corpus(corpus, cache=store)
    (path,) = store.glob(f"*{CACHE_SUFFIX}")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # truncated
    with caplog.at_level(logging.WARNING, logger="toolkit.load.cache"):
        again = load_corpus(corpus, cache=store)
    assert "unreadable" in caplog.text and str(path) in caplog.text
    assert status(again) == "refreshed"
    pd.testing.assert_frame_equal(first, again)
    assert status(load_corpus(corpus, cache=store)) == "hit"
    path.write_bytes(b"not parquet at all")
    assert status(load_corpus(corpus, cache=store)) == "refreshed"


def test_unwritable_cache_does_not_fail_the_load(corpus, tmp_path, caplog):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING, logger="toolkit.load.cache"):
        articles = load_corpus(corpus, cache=blocker / "sub")
    assert len(articles) == 3 and status(articles) == "not written"
    assert "could not write the cache" in caplog.text


def test_cache_inside_the_input_folder_is_not_read_as_data(corpus):
    inside = corpus / "cache"
    first = load_corpus(corpus, cache=inside)
    assert len(list(inside.glob(f"*{CACHE_SUFFIX}"))) == 1
    assert status(load_corpus(corpus, cache=inside)) == "hit"
    # Without the cache, the cache file is passed over silently rather than loaded as Parquet.
    plain = load_corpus(corpus)
    assert len(plain) == len(first) == 3
    assert not load_report(plain).ignored["path"].str.contains("toolkit-cache").any()


def test_no_temporary_files_are_left(corpus, store):
    load_corpus(corpus, cache=store)
    (corpus / "c.txt").write_text("Headline C\n\nBody C.")
    load_corpus(corpus, cache=store)
    assert [p.name for p in store.iterdir() if not p.name.endswith(CACHE_SUFFIX)] == []


def test_list_columns_and_extra_columns_survive(tmp_path, store):
    def read_tagged(path, ctx):
        for i, line in enumerate(ctx.read_text().splitlines(), start=1):
            title, tags = line.split("|")
            yield {"title": title, "text": f"text {i}", "tags": tags.split(",") if tags else [],
                   "score": i * 1.5, "source_line": i}

    register_reader("tagged", read_tagged, suffixes=[".tagged"])
    try:
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "x.tagged").write_text("A|earn,acq\nB|\n")
        first = load_corpus(tmp_path / "in", cache=store)
        second = load_corpus(tmp_path / "in", cache=store)
        assert status(second) == "hit"
        assert second["tags"].tolist() == [["earn", "acq"], []]
        assert isinstance(second["tags"].iloc[0], list)
        pd.testing.assert_frame_equal(first, second)
    finally:
        _READERS.pop("tagged", None)


def test_reregistered_reader_invalidates(tmp_path, store):
    def read_v1(path, ctx):
        yield {"title": "v1", "text": ctx.read_text()}

    def read_v2(path, ctx):
        yield {"title": "v2", "text": ctx.read_text()}

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.memo2").write_text("body")
    register_reader("memo2", read_v1, suffixes=[".memo2"])
    try:
        assert load_corpus(tmp_path / "in", cache=store)["title"].tolist() == ["v1"]
        register_reader("memo2", read_v2, suffixes=[".memo2"], replace=True)
        again = load_corpus(tmp_path / "in", cache=store)
        assert again["title"].tolist() == ["v2"] and status(again) == "written"
    finally:
        _READERS.pop("memo2", None)


def test_a_hit_reads_no_input_file(tmp_path, store, monkeypatch):
    # How much faster a hit is belongs in a benchmark; here: a hit parses nothing.
    from toolkit.load import scraped

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"{i:03d}.txt").write_text(f"Headline {i}\n\nUpdated: 2021-11-04 15:23 IST\n\n" + "Body text. " * 50)
    calls = []
    real = scraped.parse_scraped_text

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scraped, "parse_scraped_text", counting)
    first = load_corpus(folder, cache=store)
    assert len(calls) == 30 and status(first) == "written"
    hit = load_corpus(folder, cache=store)
    assert status(hit) == "hit" and len(hit) == 30 and len(calls) == 30
    pd.testing.assert_frame_equal(first, hit)


@pytest.mark.corpora
def test_bbc_cache_round_trip(corpora, store):
    first = load_corpus(corpora / "bbc", cache=store)
    second = load_corpus(corpora / "bbc", cache=store)
    assert status(second) == "hit"
    pd.testing.assert_frame_equal(first, second)


def test_a_new_process_finds_the_cache(corpus, store):
    import subprocess
    import sys

    code = ("import sys; from toolkit import load_corpus, load_report; "
            "a = load_corpus(sys.argv[1], cache=sys.argv[2]); "
            "print(load_report(a).settings['cache']['status'])")
    runs = [subprocess.run([sys.executable, "-c", code, str(corpus), str(store)], capture_output=True,
                           text=True, timeout=120) for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["written", "hit"], [r.stderr[-500:] for r in runs]


@pytest.mark.corpora
def test_reuters_cache_keeps_the_tag_lists(corpora, store):
    first = load_corpus(corpora / "reuters21578", cache=store)
    second = load_corpus(corpora / "reuters21578", cache=store)
    assert status(second) == "hit"
    pd.testing.assert_frame_equal(first, second)
    tagged = second[second["source_format"] == "reuters"]
    assert len(tagged) == 21578
    assert tagged["reuters_topics"].map(lambda v: isinstance(v, list)).all()
