"""Decoding bytes by evidence: BOMs, UTF-8, legacy Western pages, other scripts, mojibake."""

from __future__ import annotations

import pytest

from toolkit.errors import LoadError
from toolkit.load.decode import decode_bytes, read_text, repair_mojibake
from toolkit.load.registry import ReadContext


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("A ticket costs \u00a315.", "cp1252"),  # the short pound-sign case detectors get wrong
        ("Les n\u00e9gociations ont repris \u00e0 Gen\u00e8ve mercredi, a d\u00e9clar\u00e9 le ministre.", "cp1252"),
        ("\u201cWe will talk,\u201d the official said \u2013 in Seoul.", "cp1252"),
        ("\u041f\u0435\u0440\u0435\u0433\u043e\u0432\u043e\u0440\u044b \u0432 \u041c\u043e\u0441\u043a\u0432\u0435 \u043f\u0440\u043e\u0434\u043e\u043b\u0436\u0438\u043b\u0438\u0441\u044c \u0432 \u0441\u0440\u0435\u0434\u0443.", "cp1251"),
        ("\uc11c\uc6b8\uc5d0\uc11c \ud68c\ub2f4\uc774 \uc5f4\ub838\ub2e4. \ud55c\uad6d\uacfc \uc77c\ubcf8\uc740 \ub300\ud654\ub97c \uc774\uc5b4\uac14\ub2e4.", "euc-kr"),
        ("\u6771\u4eac\u3067\u4f1a\u8ac7\u304c\u884c\u308f\u308c\u305f\u3002\u65e5\u672c\u3068\u97d3\u56fd\u306f\u5bfe\u8a71\u3092\u7d9a\u3051\u305f\u3002", "shift_jis"),
    ],
)
def test_legacy_encodings_round_trip(text, encoding):
    decoded, used = decode_bytes(text.encode(encoding))
    assert decoded == text, used


def test_boms_and_utf8():
    assert decode_bytes("\ufeffCaf\u00e9".encode("utf-8")) == ("Caf\u00e9", "utf-8-sig")
    assert decode_bytes("Caf\u00e9".encode("utf-16")) == ("Caf\u00e9", "utf-16")
    assert decode_bytes("Caf\u00e9 \u00a315".encode("utf-8")) == ("Caf\u00e9 \u00a315", "utf-8")


def test_declared_charset_used_when_it_decodes():
    text = "\u0160koda v Praze"
    assert decode_bytes(text.encode("cp1250"), declared="windows-1250") == (text, "cp1250")


def test_binary_is_refused():
    with pytest.raises(LoadError, match="binary file"):
        decode_bytes(b"PK\x03\x04\x00\x00binary", path="x.txt")


def test_mojibake_is_repaired_and_counted(tmp_path):
    assert repair_mojibake("Japan\u00e2\u20ac\u2122s economy") == "Japan\u2019s economy"
    assert repair_mojibake("Caf\u00e9 \u00a35, \u201cquoted\u201d") == "Caf\u00e9 \u00a35, \u201cquoted\u201d"
    path = tmp_path / "a.txt"
    path.write_text("Headline\n\nJapan\u00e2\u20ac\u2122s economy grew.", encoding="utf-8")
    ctx = ReadContext(path=path, root=tmp_path)
    assert read_text(path, ctx).endswith("Japan\u2019s economy grew.")
    assert ctx.counts["mojibake_repaired"] == 1
