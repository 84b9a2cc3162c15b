"""The reader registry: suffixes (longest first), sniffers, and a user's plugin via load_corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import ParameterError
from toolkit.load import load_corpus, load_report, readers, register_reader
from toolkit.load.registry import _READERS, reader_for


@pytest.fixture
def scratch_registry():
    saved = dict(_READERS)
    yield
    _READERS.clear()
    _READERS.update(saved)


def test_builtin_readers_claim_their_suffixes():
    assert reader_for(Path("a.html.gz"), b"").name == "html"
    assert reader_for(Path("A.HTM"), b"").name == "html"
    assert reader_for(Path("reut2-000.sgm"), b"").name == "reuters"
    assert reader_for(Path("x.csv"), b"").name == "csv"
    assert reader_for(Path("x.unknown"), b"") is None


def test_sniffers_claim_files_whatever_their_suffix():
    assert reader_for(Path("page.txt"), b"\xef\xbb\xbf  <!DOCTYPE html><html>").name == "html"
    assert reader_for(Path("dump"), b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS').name == "reuters"
    assert reader_for(Path("notes.txt"), b"Headline\n\nBody about <html> tags.").name == "scraped"


def test_longest_suffix_wins(scratch_registry):
    register_reader("gz-anything", lambda path, ctx: [], suffixes=[".gz"])
    assert reader_for(Path("page.html.gz"), b"\x1f\x8b").name == "html"
    assert reader_for(Path("other.gz"), b"\x1f\x8b").name == "gz-anything"


def test_a_users_reader_in_a_few_lines(tmp_path, scratch_registry):
    def read_memo(path, ctx):
        title, _, body = ctx.read_text().partition("\n---\n")
        yield {"title": title.strip(), "text": body.strip(), "published": "2021-11-01 09:00"}

    register_reader("memo", read_memo, suffixes=[".memo"])
    (tmp_path / "a.memo").write_text("Rates rise\n---\nThe bank raised rates.", encoding="utf-8")
    (tmp_path / "b.note").write_text("Other\n---\nNot a memo by suffix.", encoding="utf-8")
    by_suffix = load_corpus(tmp_path, outlet="Memo Times")
    assert by_suffix["title"].tolist() == ["Rates rise"]
    assert by_suffix["source_format"].tolist() == ["memo"]
    assert str(by_suffix["published"].iloc[0]) == "2021-11-01 09:00:00+00:00"
    forced = load_corpus(tmp_path / "b.note", format="memo")
    assert forced["text"].tolist() == ["Not a memo by suffix."]
    assert load_report(forced).n_articles == 1
    assert "memo" in readers()
    with pytest.raises(ParameterError, match="replace=True"):
        register_reader("memo", read_memo)
