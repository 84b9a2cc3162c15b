"""Turning a file's bytes into text by evidence, not by a declared charset alone.

Order: a byte-order mark; strict UTF-8; the charset the caller found declared (an HTML meta
tag, an HTTP header saved beside the page) if it decodes cleanly; Windows-1252 if it decodes
cleanly (the usual legacy encoding of English and Western European news pages, preferred over
detection because detectors misread short Western texts, e.g. a lone pound sign as cp932);
then charset-normalizer's best guess. The encoding used is counted in the load report
(``decoded_<encoding>``) whenever it is not UTF-8.
"""

from __future__ import annotations

import codecs
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
    if not (_CP1252_HOLES & set(data)):
        return data.decode("cp1252"), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    # latin-1 maps every byte; reached only for data no detector can place.
    return data.decode("latin-1"), "latin-1"


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
    return text
