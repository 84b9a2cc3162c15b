"""load_corpus as a whole: formats together, metadata, accounting, the bundled sample, real corpora."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import REPO

from toolkit import load_corpus, load_report
from toolkit.errors import LoadError, ParameterError, SchemaError
from toolkit.load import register_reader
from toolkit.load.registry import _READERS
from toolkit.load.report import load_log
from toolkit.schema import ARTICLE_COLUMNS

SAMPLE = REPO / "data" / "sample"


def check_accounting(articles: pd.DataFrame) -> None:
    report = load_report(articles)
    assert report.n_files == report.n_files_loaded + report.n_files_skipped
    assert report.n_records == report.n_articles + report.n_records_skipped
    assert report.n_articles == len(articles)
    assert report.files["n_articles"].sum() == len(articles)
    assert articles["doc_id"].is_unique


def test_sample_corpus_loads_every_file():
    articles = load_corpus(SAMPLE)
    report = load_report(articles)
    check_accounting(articles)
    assert report.n_files_skipped == 0 and report.n_records_skipped == 0
    assert len(articles) == 51
    assert articles["outlet"].value_counts().to_dict() == {
        "Pacific Ledger Online": 14, "The Harbour Herald": 13, "Daily Meridian": 12,
        "Northgate Courier": 11, "Free Press Journal": 1,
    }
    assert set(articles["source_format"]) == {"scraped", "csv", "jsonl"}
    assert report.counts["undated"] == 1
    assert list(articles.columns[: len(ARTICLE_COLUMNS)]) == list(ARTICLE_COLUMNS)
    assert str(articles["published"].dtype) == "datetime64[us, UTC]"
    # Invented articles say so in their metadata; the real seed page does not.
    demo = articles[articles["outlet"] != "Free Press Journal"]
    assert (demo["collection"] == "demo").all()
    # The recirculation block of a demo page must not leak into its text.
    fireworks = articles[articles["source_path"].str.contains("fireworks")].iloc[0]
    assert "COP26" not in fireworks["text"] and "Japan" not in fireworks["text"]


def test_sample_ids_are_stable_and_unique():
    first, second = load_corpus(SAMPLE), load_corpus(SAMPLE)
    assert first["doc_id"].tolist() == second["doc_id"].tolist()
    assert first["doc_id"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_mixed_folder_accounting_with_bad_inputs(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"title": "T1", "text": "one"}) + "\n{not json\n" + json.dumps({"title": "T3", "text": "three"}) + "\n")
    (tmp_path / "notes.md").write_text("ignored: no reader for .md")
    articles = load_corpus(tmp_path)
    report = load_report(articles)
    check_accounting(articles)
    assert len(articles) == 3
    assert report.n_files == 3 and report.n_files_skipped == 1
    assert report.n_records_skipped == 1
    skipped = report.skipped.sort_values("path")
    assert skipped["line"].tolist()[-1] == 2  # the bad JSON line
    assert report.ignored["path"].str.endswith("notes.md").all()
    assert "articles from" in str(report) and "<table" in report._repr_html_()
    with pytest.raises(LoadError, match=r"rows.jsonl.*line 2|empty.txt"):
        load_corpus(tmp_path, errors="raise")


def test_unknown_format_and_errors_values(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    with pytest.raises(ParameterError, match=r"format='docx'.*'csv'"):
        load_corpus(tmp_path, format="docx")
    with pytest.raises(ParameterError, match=r"errors='ignore'.*'skip', 'raise'"):
        load_corpus(tmp_path, errors="ignore")
    with pytest.raises(ParameterError, match=r"tz='Nowhere'"):
        load_corpus(tmp_path, tz="Nowhere")


def test_column_mapping_checked_before_reading(tmp_path):
    (tmp_path / "a.csv").write_text("headline,body\nT,B\n")
    with pytest.raises(ParameterError, match="columns="):
        load_corpus(tmp_path, columns={"headline": "title"})
    articles = load_corpus(tmp_path, columns={"title": "headline", "text": "body"})
    assert articles[["title", "text"]].values.tolist() == [["T", "B"]]


def test_explicit_file_with_unknown_suffix_is_skipped(tmp_path):
    path = tmp_path / "a.docx"
    path.write_text("whatever")
    articles = load_corpus(path)
    assert len(articles) == 0
    assert "no reader" in load_report(articles).skipped["reason"].iloc[0]


def test_user_reader_plugin(tmp_path):
    def read_memo(path, ctx):
        title, _, body = ctx.read_text().partition("\n---\n")
        yield {"title": title.strip(), "text": body.strip(), "published": "2021-11-01 09:00"}

    register_reader("memo", read_memo, suffixes=[".memo"])
    try:
        (tmp_path / "x.memo").write_text("Memo title\n---\nMemo body.")
        articles = load_corpus(tmp_path, tz="Asia/Tokyo")
        assert articles[["title", "text", "source_format"]].values.tolist() == [["Memo title", "Memo body.", "memo"]]
        assert articles["published"].iloc[0].isoformat() == "2021-11-01T00:00:00+00:00"
        with pytest.raises(ParameterError, match="already|replace=True"):
            register_reader("memo", read_memo)
    finally:
        _READERS.pop("memo", None)


def test_reader_crash_is_reported_with_the_file(tmp_path):
    def broken(path, ctx):
        raise RuntimeError("boom")
        yield {}

    register_reader("broken", broken, suffixes=[".brk"])
    try:
        (tmp_path / "x.brk").write_text("x")
        articles = load_corpus(tmp_path)
        assert "broken reader failed: RuntimeError: boom" in load_report(articles).skipped["reason"].iloc[0]
        with pytest.raises(LoadError, match=r"x.brk: broken reader failed"):
            load_corpus(tmp_path, errors="raise")
    finally:
        _READERS.pop("broken", None)


def test_load_report_missing_is_explained():
    with pytest.raises(SchemaError, match="carries no load report"):
        load_report(pd.DataFrame())


def test_report_survives_filtering():
    articles = load_corpus(SAMPLE)
    assert load_report(articles[articles["outlet"] == "Daily Meridian"]) is load_report(articles)


@pytest.mark.corpora
def test_recovery_corpus_loads_all_rows(corpora):
    articles = load_corpus(corpora / "recovery-covid-news")
    report = load_report(articles)
    check_accounting(articles)
    assert len(articles) == 2031
    assert report.n_files == 55 and report.n_files_skipped == 0 and report.n_records_skipped == 0
    assert articles["outlet"].nunique() == 55
    assert articles["outlet"].value_counts().head(3).to_dict() == {
        "Chicago Sun-Times": 322, "Business Insider": 158, "Sputnik News": 144}
    assert articles["text"].notna().all()
    assert not articles["byline"].dropna().str.contains(r"[\[\]]").any()
    months = articles["published"].dt.strftime("%Y-%m").value_counts()
    assert months["2020-03"] == 170 and months["2020-04"] == 336 and months["2020-05"] == 1476
    assert articles["published"].isna().sum() == 15 == report.counts["undated"]
    assert articles["reliability"].isin([0, 1]).all()


def test_doc_id_same_for_file_and_its_folder(tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline\n\nBody.")
    assert load_corpus(folder / "a.txt")["doc_id"].tolist() == load_corpus(folder)["doc_id"].tolist()


def test_colliding_ids_do_not_depend_on_argument_order(tmp_path):
    for side, title in (("x", "T"), ("y", "U")):
        (tmp_path / side / "2021").mkdir(parents=True)
        (tmp_path / side / "2021" / "a.txt").write_text(f"{title}\n\nBody {title}.")
    one = load_corpus([tmp_path / "x" / "2021", tmp_path / "y" / "2021"])
    two = load_corpus([tmp_path / "y" / "2021", tmp_path / "x" / "2021"])
    assert one["doc_id"].is_unique
    assert dict(zip(one["title"], one["doc_id"], strict=True)) == dict(zip(two["title"], two["doc_id"], strict=True))
    assert load_report(one).counts["repeated_doc_ids_suffixed"] == 1


def test_same_file_given_twice_is_loaded_once(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    articles = load_corpus([tmp_path, tmp_path / "a.txt"])
    report = load_report(articles)
    check_accounting(articles)
    assert len(articles) == 1 and report.n_files == 2 and report.n_files_skipped == 1
    assert "already loaded" in report.skipped["reason"].iloc[0]


def test_hidden_folders_are_listed_as_ignored(tmp_path):
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.txt").write_text("Headline\n\nBody.")
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    articles = load_corpus(tmp_path)
    assert len(articles) == 1
    ignored = load_report(articles).ignored
    assert ignored["reason"].tolist() == ["hidden folder"]


def test_reader_error_line_goes_to_the_line_column(tmp_path):
    (tmp_path / "a.json").write_text('[{"title": "T", "text": "x"},\n {"title": ]')
    report = load_report(load_corpus(tmp_path))
    assert report.n_files_skipped == 1
    assert report.skipped["line"].iloc[0] == 2


def test_builtin_readers_are_registered_on_import():
    from toolkit.load import readers

    assert {"scraped", "csv", "json", "jsonl", "parquet"} <= set(readers())


def test_load_report_survives_parquet_and_json(tmp_path):
    import json

    articles = load_corpus(SAMPLE)
    report = load_report(articles)
    articles.to_parquet(tmp_path / "a.parquet")
    back = pd.read_parquet(tmp_path / "a.parquet")
    again = load_report(back)
    assert again.n_articles == report.n_articles == 51
    assert again.counts == report.counts and again.files.equals(report.files)
    assert json.loads(json.dumps(report))["counts"]["undated"] == 1


# --------------------------------------------------------------------------------------------
# normalisation, duplicates, the per-record log, languages, future dates, progress
# --------------------------------------------------------------------------------------------


def _rows(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_normalization_is_applied_and_counted(tmp_path):
    _rows(tmp_path / "a.jsonl", [
        {"title": "AT&amp;T deal", "text": "Body\u00a0 one.\n\n\n\nMore."},
        {"title": "Clean", "text": "Japan\u00e2\u20ac\u2122s \u201cquoted\u201d \u2013 text."},
        {"title": "Clean too", "text": "Nothing to do."},
    ])
    articles = load_corpus(tmp_path)
    report = load_report(articles)
    assert articles["title"].tolist() == ["AT&T deal", "Clean", "Clean too"]
    assert articles["text"].tolist() == [
        "Body one.\n\nMore.", "Japan\u2019s \u201cquoted\u201d \u2013 text.", "Nothing to do."]
    assert report.counts["normalized_entities"] == 1
    assert report.counts["normalized_whitespace"] == 1
    assert report.counts["normalized_mojibake"] == 1
    assert "normalized_nfc" not in report.counts  # steps that changed nothing are not listed
    assert report.settings["normalize"] == ["mojibake", "entities", "nfc", "whitespace"]
    assert "normalized entities: 1" in str(report)

    raw = load_corpus(tmp_path, normalize=None)
    assert raw["title"].iloc[0] == "AT&amp;T deal"
    assert not any(k.startswith("normalized_") for k in load_report(raw).counts)

    straight = load_corpus(tmp_path, normalize=("quotes", "dashes"))
    assert straight["text"].iloc[1] == "Japan\u00e2\u20ac\u2122s \"quoted\" - text."  # no mojibake step
    assert load_report(straight).counts["normalized_quotes"] == 1
    with pytest.raises(ParameterError, match=r"normalize=.*'bogus' is not a step"):
        load_corpus(tmp_path, normalize=["bogus"])


def test_duplicates_are_flagged_counted_and_logged(tmp_path):
    body = "The central bank raised rates by half a point on Tuesday, its third rise this year."
    _rows(tmp_path / "a.jsonl", [
        {"title": "First", "text": body, "published": "2021-11-01T09:00:00Z", "outlet": "A"},
        {"title": "Other", "text": "Something else entirely happened in the markets today.",
         "published": "2021-11-01T10:00:00Z", "outlet": "A"},
    ])
    _rows(tmp_path / "b.jsonl", [
        {"title": "Copy", "text": body + "  ", "published": "2021-11-02T09:00:00Z", "outlet": "B"},
        "not an object",
    ])
    (tmp_path / "c.json").write_text("[]")
    articles = load_corpus(tmp_path)
    report = load_report(articles)
    check_accounting(articles)
    assert articles["is_duplicate"].tolist() == [False, False, True]
    first = articles["doc_id"].iloc[0]
    assert articles["dup_of"].iloc[2] == first
    assert report.counts["duplicates"] == 1 and report.n_duplicates == 1
    assert report.files.set_index(report.files["path"].str.rsplit("/", n=1).str[-1])["n_duplicates"].to_dict() == {
        "a.jsonl": 0, "b.jsonl": 1, "c.json": 0}
    assert "1 duplicates (exact)" in str(report).splitlines()[0]

    log = load_report(articles).log(articles)
    assert log.columns.tolist() == ["path", "line", "status", "reason", "doc_id", "dup_of"]
    assert log["status"].tolist() == ["loaded", "loaded", "duplicate", "skipped", "empty"]
    assert log["line"].tolist()[:4] == [1, 2, 1, 2] and pd.isna(log["line"].iloc[4])
    assert log["reason"].iloc[2] == f"duplicate of {first}"
    assert log["dup_of"].iloc[2] == first and pd.isna(log["dup_of"].iloc[0])
    assert log["path"].iloc[4].endswith("c.json")
    # inputs = loaded + skipped, record by record
    assert (log["status"] != "empty").sum() == report.n_records

    unchecked = load_corpus(tmp_path, duplicates="none")
    assert "is_duplicate" not in unchecked and load_report(unchecked).n_duplicates is None
    assert load_report(unchecked).files["n_duplicates"].isna().all()
    assert "duplicates" not in str(load_report(unchecked)).splitlines()[0]
    assert (load_report(unchecked).log(unchecked)["status"] == "duplicate").sum() == 0
    with pytest.raises(ParameterError, match=r"duplicates='fuzzy'.*'exact', 'near', 'none'"):
        load_corpus(tmp_path, duplicates="fuzzy")


def test_near_duplicates_on_request(tmp_path):
    words = [f"word{i}" for i in range(120)]
    edited = list(words)
    edited[60] = "changed"  # one word of 120: 5 of 116 shingles differ, Jaccard 111/121 = 0.92
    _rows(tmp_path / "a.jsonl", [{"title": "A", "text": " ".join(words)},
                                  {"title": "B", "text": " ".join(edited)}])
    assert load_corpus(tmp_path)["is_duplicate"].tolist() == [False, False]
    assert load_corpus(tmp_path, duplicates="near")["is_duplicate"].tolist() == [False, True]


def test_load_log_of_a_subset_and_whole_file_skips(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody one.")
    (tmp_path / "b.txt").write_text("Other headline\n\nBody two.")
    (tmp_path / "empty.txt").write_bytes(b"")
    articles = load_corpus(tmp_path)
    log = load_log(articles)
    assert log["status"].tolist() == ["loaded", "loaded", "skipped"]
    assert log["reason"].iloc[2] == "empty file" and pd.isna(log["line"]).all()
    assert load_log(articles.iloc[:1])["status"].tolist() == ["loaded", "skipped"]
    with pytest.raises(SchemaError, match="source_path"):
        load_log(articles.drop(columns=["source_path"]))


def test_languages_and_future_dates_in_the_report(tmp_path):
    _rows(tmp_path / "a.jsonl", [
        {"title": "One", "text": "a", "lang": "en", "published": "2021-11-01"},
        {"title": "Two", "text": "b", "lang": "en", "published": "2999-01-01"},
        {"title": "Trois", "text": "c", "lang": "fr"},
        {"title": "Four", "text": "d"},
    ])
    report = load_report(load_corpus(tmp_path))
    assert report.languages == {"en": 2, "fr": 1, "unknown": 1}
    assert report.counts["future_dates"] == 1 and report.counts["undated"] == 2
    head = str(report).splitlines()[0]
    assert "2 undated, 1 future-dated" in head and "languages: en 2, fr 1, unknown 1" in head
    summary = dict(zip(report.summary()["item"], report.summary()["value"], strict=True))
    assert summary["future-dated"] == 1 and summary["language fr"] == 1 and summary["undated"] == 2


def test_report_from_an_older_dict_still_reads():
    from toolkit.load.report import LoadReport

    old = {"sources": ["x"], "files": [{"path": "x/a.txt", "format": "scraped", "status": "loaded",
                                        "n_articles": 1, "n_skipped": 0, "reason": None}],
           "skipped": [], "ignored": [], "counts": {"undated": 0}, "settings": {}}
    report = LoadReport.from_dict(old)
    assert report.languages == {} and report.n_duplicates is None
    assert report.files["n_duplicates"].isna().all()
    assert str(report).startswith("1 articles from 1 of 1 files")


def test_progress_bar_on_request_only(tmp_path, capsys):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Headline {i}\n\nBody {i}.")
    load_corpus(tmp_path)  # stderr is not a terminal under pytest: quiet by default
    assert "loading" not in capsys.readouterr().err
    load_corpus(tmp_path, progress=True)
    assert "loading" in capsys.readouterr().err
    load_corpus(tmp_path, progress=False)
    assert capsys.readouterr().err == ""


def test_default_progress_follows_the_terminal(monkeypatch):
    import io

    from toolkit.load import core

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(core.sys, "stderr", Tty())
    assert core._show_progress(None, core.PROGRESS_MIN_FILES)
    assert not core._show_progress(None, core.PROGRESS_MIN_FILES - 1)
    assert not core._show_progress(False, 10_000)
    monkeypatch.setattr(core.sys, "stderr", io.StringIO())
    assert not core._show_progress(None, 10_000)
    monkeypatch.setattr(core.sys, "stderr", None)
    assert not core._show_progress(None, 10_000)


def test_a_load_with_no_articles_has_the_same_columns(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    some = load_corpus(tmp_path)
    none = load_corpus(tmp_path / "empty.txt")
    assert len(none) == 0 and none.columns.tolist() == some.columns.tolist()
    assert load_report(none).n_duplicates == 0 and load_report(none).languages == {}


@pytest.mark.corpora
def test_bbc_leftover_entities_are_unescaped(corpora):
    from conftest import read_bbc_plainly

    plain = read_bbc_plainly(corpora)
    with_entities = plain["text"].str.contains(r"&#\d+;|&[a-z]+;", regex=True)
    assert with_entities.sum() > 0  # the corpus has some ("caf&#233;")
    articles = load_corpus(corpora / "bbc")
    report = load_report(articles)
    assert not articles["text"].str.contains(r"&#\d+;|&(?:amp|lt|gt|quot);", regex=True).any()
    assert report.counts["normalized_entities"] >= with_entities.sum()
    raw = load_corpus(corpora / "bbc", normalize=None, duplicates="none")
    assert raw["text"].str.contains(r"&#\d+;", regex=True).sum() == plain["text"].str.contains(r"&#\d+;", regex=True).sum()


# --------------------------------------------------------------------------- columnar Parquet path


def _both_paths(monkeypatch, source, **kwargs):
    """load_corpus through the columnar Parquet path and through the record path."""
    import toolkit.load.core as core

    fast = load_corpus(source, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(core, "_columnar_chunks", lambda prep, **k: core._chunks(prep, **k))
        slow = load_corpus(source, **kwargs)
    return fast, slow


def _assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(fast, slow)
    as_json = lambda df: json.loads(json.dumps(dict(df.attrs["load_report"]), default=str))  # noqa: E731
    assert as_json(fast) == as_json(slow)
    assert {k: v for k, v in fast.attrs.items() if k != "load_report"} == {
        k: v for k, v in slow.attrs.items() if k != "load_report"}
    pd.testing.assert_frame_equal(load_log(fast), load_log(slow))


def _edge_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a1", "a1", None, " b2 ", "", "c3", "d4", "a1"],
        "headline": ["Rates rise", None, "  Spaced title ", None, "Only title", "T", "Caf\u00e9", "Dup"],
        "body": ["SEOUL (Yonhap) -- Rates rose.\r\nAgain.", None, "Text with  two spaces ",
                 "   ", "", "AT&amp;T says “hi”\u00a0there", "cafe\u0301 au lait", "SEOUL (Yonhap) -- Rates rose.\nAgain."],
        "date": ["2021-11-04T09:53:00Z", "not a date", "2021-11-04 15:23", None, "04/11/2021",
                 "yesterday-ish", "2021-11-05", "2021-11-04T09:53:00Z"],
        "author": ["['Ann Lee', 'Bo Park']", "FPJ Web Desk", None, "x", "FPJ Web Desk", "[]", "Ann Lee", None],
        "reliability": [1, 2, None, 4, 5, 6, 7, 8],
        "country": ["KR", None, "IN", "IN", "IN", "KR", "FR", "KR"],
        "flag": [True, False, True, True, False, True, True, False],
    })


def test_parquet_columnar_path_matches_record_path(tmp_path, monkeypatch):
    path = tmp_path / "edge.parquet"
    _edge_frame().to_parquet(path)
    for kwargs in ({}, {"duplicates": "none"}, {"normalize": None}, {"tz": "Asia/Kolkata", "dayfirst": True},
                   {"outlet": "Wire", "lang": "en", "duplicates": "near"}, {"chunk_rows": 3},
                   {"desks": {"x": "X Times"}}):
        fast, slow = _both_paths(monkeypatch, path, **kwargs)
        _assert_same(fast, slow)
    fast = load_corpus(path)
    report = load_report(fast)
    assert report.n_records_skipped == 2  # the rows with neither title nor text
    assert fast["outlet"].tolist().count("Free Press Journal") == 1  # a desk byline
    assert report.counts["repeated_record_ids"] == 1


def test_parquet_columnar_path_folder_with_metadata(tmp_path, monkeypatch):
    # Several files (chunks across files, a sidecar, timestamps, a missing column, an index
    # column, an empty file, a list column that needs the record path).
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "corpus.yaml").write_text("outlet: Daily Meridian\nlang: en\nfields: {collection: demo}\n")
    (folder / "sub" / "corpus.yaml").write_text("tz: Asia/Seoul\nfields: {collection: sub, desk: n1}\n")
    frame = _edge_frame()
    frame.to_parquet(folder / "a.parquet")
    stamped = frame.drop(columns=["date"]).assign(
        published=pd.to_datetime(["2021-01-01T00:00:00.000000Z"] * 4 + [None] * 2 + ["2022-03-04T05:06:07.123456Z"] * 2, utc=True))
    stamped.to_parquet(folder / "sub" / "b.parquet", index=True)
    frame.drop(columns=["author", "country"]).head(0).to_parquet(folder / "sub" / "empty.parquet")
    frame.assign(author=[["A", "B"]] * len(frame)).to_parquet(folder / "sub" / "c.parquet")
    frame[["headline"]].to_parquet(folder / "titles.parquet")  # no text column: refused
    for kwargs in ({}, {"chunk_rows": 4}, {"chunk_rows": 1}, {"duplicates": "none", "chunk_rows": 5}):
        fast, slow = _both_paths(monkeypatch, folder, **kwargs)
        _assert_same(fast, slow)
    _assert_same(*_both_paths(monkeypatch, [folder / "a.parquet", folder / "sub" / "b.parquet"]))
    with pytest.raises(LoadError, match="no title or text"):
        load_corpus(folder / "a.parquet", errors="raise")


def test_parquet_columnar_path_bench_corpus(monkeypatch):
    path = pytest.importorskip("pathlib").Path("/tmp/toolkit-bench/1MB/corpus.parquet")
    if not path.exists():
        pytest.skip("benchmark corpus not built (benchmarks/build_corpus.py)")
    _assert_same(*_both_paths(monkeypatch, path))


@pytest.mark.corpora
def test_parquet_columnar_path_real_corpora(tmp_path, monkeypatch):
    corpora = REPO.parent / "shared" / "corpora"
    if not (corpora / "recovery-covid-news").is_dir():
        pytest.skip(f"real corpora not found at {corpora}")
    folder = tmp_path / "recovery"
    folder.mkdir()
    for f in sorted((corpora / "recovery-covid-news" / "dataset").rglob("*.csv"))[:12]:
        pd.read_csv(f).to_parquet(folder / f"{f.parent.name}-{f.stem}.parquet")
    _assert_same(*_both_paths(monkeypatch, folder))
    reuters = load_corpus(corpora / "reuters21578", normalize=None, duplicates="none")
    export = reuters[["title", "text", "published", "outlet", "dateline"]].assign(id=reuters["doc_id"].str[:5])
    export.to_parquet(tmp_path / "reuters.parquet")
    _assert_same(*_both_paths(monkeypatch, tmp_path / "reuters.parquet"))


def _normalisation_frame() -> pd.DataFrame:
    """One row per normalisation case the columnar path pre-checks with vectorised scans."""
    bodies = [
        "Plain ASCII body.",                                  # nothing to do
        "  Leading and trailing spaces  ",                    # ASCII edges
        "\u3000Ideographic space first\u00a0",                # non-ASCII blanks at the edges
        "Line one\r\nLine two\rthree",                        # CRLF and CR
        "\ufeffBOM first, zero\u200bwidth, soft\u00adhyphen",  # invisible characters
        "Tab\there, VT\x0b FF\x0c and \x1c file separator",   # control characters
        "cafe\u0301 au lait",                                 # NFC composes
        "\ufb01ne \u00bd \u2160 \uff21BC",                   # NFKC-only differences (dedup keys)
        "STRASSE Stra\u00dfe \u03a3\u0399\u03a3",            # casefold differs from lower
        "Japan\u00e2\u20ac\u2122s economy",                   # mojibake
        "AT&amp;T &#8217;quoted&#8217; R&D",                  # entities
        "\u201cCurly\u201d quotes \u2014 and dashes",         # typography (dedup keys)
        "Hangul \u1100\u1161\u11a8 and \uac00 jamo",         # composes only in context
        "Emoji \U0001f600 and \U0001d400 math",               # above U+FFFF
        "para one\n\n\n\npara two  with  runs \n end",        # layout
        "   ",                                                # blank: missing
        None,                                                 # missing
        "strasse stra\u00dfe \u03c3\u03b9\u03c3",            # an exact duplicate of row 8 once keyed
        "\u201ccurly\u201d QUOTES - and dashes",              # not a duplicate of row 11: "-" vs "\u2014" keyed alike
    ]
    n = len(bodies)
    return pd.DataFrame({
        "id": [f"n{i}" for i in range(n)],
        "title": [f"T\u00eftle {i} " if i % 3 else None for i in range(n)],
        "text": bodies,
        "date": ["2021-11-04T09:53:00+05:30", "2021-11-04 15:23", "04/11/2021", None, "not a date"] * 3
                + ["2021-11-05", "2021-11-06T00:00:00Z", "2021-11-07 01:02", "2021-11-04T09:53:00Z"],
        "author": [None, "Ann Lee", " Bo Park ", None] * 4 + [None, "x", None],
        "lang": ["en", None, " fr ", "en"] * 4 + ["en", "", None],
    })


def test_parquet_columnar_path_every_normalisation_case(tmp_path, monkeypatch):
    frame = _normalisation_frame()
    frame.to_parquet(tmp_path / "cases.parquet")
    aware = frame.drop(columns=["date"]).assign(published=pd.to_datetime(
        ["2021-01-01T00:00:00Z", None] * 9 + ["2022-03-04T05:06:07.123456+09:00"], utc=True, format="ISO8601"))
    aware.to_parquet(tmp_path / "aware.parquet")
    naive = aware.assign(published=aware["published"].dt.tz_localize(None))  # naive: the record path reads it
    naive.to_parquet(tmp_path / "naive.parquet")
    for source in (tmp_path / "cases.parquet", tmp_path / "aware.parquet", tmp_path / "naive.parquet", tmp_path):
        for kwargs in ({}, {"tz": "Asia/Kolkata", "chunk_rows": 4}, {"duplicates": "none", "normalize": (
                "mojibake", "entities", "nfc", "whitespace", "quotes", "dashes")}):
            fast, slow = _both_paths(monkeypatch, source, **kwargs)
            _assert_same(fast, slow)
    fast = load_corpus(tmp_path / "cases.parquet")
    report = load_report(fast)
    for step in ("mojibake", "entities", "nfc", "whitespace"):
        assert report.counts[f"normalized_{step}"] >= 1, step
    texts = fast.set_index(fast["source_line"])["text"]
    assert texts[2] == "Leading and trailing spaces" and texts[4] == "Line one\nLine two\nthree"
    assert texts[7] == "caf\u00e9 au lait" and pd.isna(texts[17])
    assert 16 not in texts.index  # blank text and no title: skipped
    groups = fast.set_index(fast["source_line"])["dup_group"]
    assert pd.notna(groups[9]) and groups[9] == groups[18]  # keyed alike through casefold
