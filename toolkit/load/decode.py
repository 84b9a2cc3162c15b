"""Turning a file's bytes into text by evidence, not by a declared charset alone.

Order: a byte-order mark; strict UTF-8; the charset the caller found declared (an HTML meta
tag, an HTTP header saved beside the page) if it decodes cleanly; then, for legacy bytes:

* Windows-1252 when it decodes cleanly and the non-ASCII bytes stand alone between ASCII
  (accented letters and symbols in English or Western European text: "café", "£15"). Short
  Western texts are where detectors go wrong (a lone pound sign read as cp932), so this
  evidence wins over detection.
* otherwise charset-normalizer's best guess (runs of non-ASCII bytes: Cyrillic, Greek, CJK),
  with Windows-1252 preferred when the guess is another Western single-byte code page.

Text that still shows mojibake ("Japanâ€™s", UTF-8 read as cp1252 somewhere upstream) is repaired
with ftfy's encoding fixer only (quotes, entities and line breaks are left as they are). The load
report counts every file not in UTF-8 (``decoded_<encoding>``) and every repair
(``mojibake_repaired``).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import LoadError

if TYPE_CHECKING:
    from toolkit.load.registry import ReadContext

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that cp1252 leaves undefined; their presence rules it out.
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode_bytes(data: bytes, *, path: str | Path = "<bytes>", declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)``.

    Raises :class:`LoadError` for binary data (NUL bytes outside a UTF-16/32 file).

    Examples
    --------
    >>> decode_bytes("£5".encode("cp1252"))
    ('£5', 'cp1252')
    >>> decode_bytes("\\ufeffCafé".encode("utf-8"))
    ('Café', 'utf-8-sig')
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"starts with a {encoding} byte-order mark but does not decode as {encoding}: {exc.reason} at byte {exc.start}") from None
    if b"\x00" in data[:65536]:
        raise LoadError(path, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            codec = codecs.lookup(declared).name
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    return _decode_legacy(data)


_MOJIBAKE_HINT = re.compile(
    "[\u00c2\u00c3\u00c4\u00c5\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e2]"
    "[\u0080-\u00bf\u2018-\u203a\u20ac\u2122\u0152\u0153\u0160\u0161\u017d\u017e\u0178\u0192\u02c6\u02dc]"
)
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "iso8859_1", "cp850", "mac_roman", "ascii"})


def _decode_legacy(data: bytes) -> tuple[str, str]:
    cp1252_ok = not (_CP1252_HOLES & set(data))
    high = [i for i, b in enumerate(data) if b >= 0x80]
    # In Western text a non-ASCII byte is one accented letter or symbol among ASCII letters; in
    # Cyrillic, Greek or CJK encodings they come in runs.
    paired = sum(1 for a, b in zip(high, high[1:], strict=False) if b == a + 1)
    if cp1252_ok and paired <= 0.2 * len(high):
        return data.decode("cp1252"), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and not (best.encoding in _WESTERN and cp1252_ok):
        return str(best), best.encoding
    if cp1252_ok:
        return data.decode("cp1252"), "cp1252"
    # latin-1 maps every byte; reached only for data no detector can place.
    return data.decode("latin-1"), "latin-1"


def repair_mojibake(text: str) -> str:
    """Undo mojibake such as "Japanâ€™s" -> "Japan’s"; other text is returned unchanged.

    Examples
    --------
    >>> repair_mojibake("Japanâ€™s economy")
    'Japan’s economy'
    >>> repair_mojibake("Café £5")
    'Café £5'
    """
    # ftfy's own test costs ~1 ms per article; mojibake always contains one of these pairs
    # (a UTF-8 lead byte read as Latin-1/cp1252, followed by a continuation byte read the same way).
    if not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy
    from ftfy.badness import is_bad

    if not is_bad(text):
        return text
    return ftfy.fix_text(
        text, unescape_html=False, uncurl_quotes=False, fix_line_breaks=False,
        fix_latin_ligatures=False, fix_character_width=False, remove_terminal_escapes=False,
        normalization=None,
    )


def read_text(path: Path, ctx: ReadContext | None = None, *, declared: str | None = None) -> str:
    """Read and decode a text file; count non-UTF-8 encodings in ``ctx``.

    Empty (or whitespace-only) files raise :class:`LoadError`.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not data.strip():
        raise LoadError(path, "empty file")
    text, encoding = decode_bytes(data, path=path, declared=declared)
    if ctx is not None and encoding not in ("utf-8", "utf-8-sig"):
        ctx.count(f"decoded_{encoding.replace('-', '_')}")
    if not text.strip():
        raise LoadError(path, "empty file (only whitespace)")
    repaired = repair_mojibake(text)
    if repaired != text and ctx is not None:
        ctx.count("mojibake_repaired")
    return repaired
