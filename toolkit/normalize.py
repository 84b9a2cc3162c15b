"""Text normalisation: small composable ``str -> str`` steps, and the same over an articles table.

Each step does one thing and leaves text it has nothing to do with unchanged (it returns the very
same string, so "did this step change the article?" is cheap to answer):

========== =====================================================================================
step       what it does
========== =====================================================================================
mojibake   repairs text that was decoded with the wrong charset upstream ("Japanâ€™s" ->
           "Japan’s") with ftfy's encoding fixer, only where ftfy finds the text clearly broken
           (see :func:`toolkit.load.decode.repair_mojibake`)
entities   unescapes HTML entities left in the text ("AT&amp;T", "it&#8217;s", "&nbsp;"); only
           complete entities ending in ``;``, so "R&D" or "Tom&notes" stay as they are
nfc        Unicode NFC composition ("e" + combining acute -> "é"), so equal words compare equal
whitespace no-break and other Unicode spaces become plain spaces, invisible characters that split
           words (zero-width space, soft hyphen, word joiner, BOM) are removed, line breaks become
           ``\\n``, runs of spaces collapse to one, lines are stripped, and three or more line
           breaks become one blank line; paragraph breaks (a blank line) survive
quotes     curly quotes to straight ones (‘ ’ ‚ ‛ ʼ -> ', “ ” „ ‟ -> ")
dashes     en dashes, em dashes and their variants to one form (``to="-"`` by default; see
           :func:`dashes`); hyphen variants (U+2010, U+2011) and the minus sign become "-"
========== =====================================================================================

:data:`DEFAULT_STEPS` is ``("mojibake", "entities", "nfc", "whitespace")``: it repairs damage
(broken encodings, leftover markup, decomposed letters, layout whitespace) and nothing else.
``quotes`` and ``dashes`` are off by default because they change what the author wrote: curly
quotes tell an opening quote from a closing one and an apostrophe (which quotation and source
attribution rely on), an em dash is punctuation and a hyphen is part of a word. The tokenizer
already treats ’ and ' alike, so counts do not need them. Add them when you compare against
text that has straight quotes, or for exact string matching::

    normalize_text(text, steps=DEFAULT_STEPS + ("quotes", "dashes"))

A step may also be any function ``str -> str`` of your own, or a configured built-in step::

    from functools import partial
    normalize_text(text, steps=("nfc", partial(dashes, to="\\u2014")))

This module only depends on the standard library (and ftfy, imported on first use), so the loader
and any later stage can use it.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError, SchemaError, one_of

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

Step = Callable[[str], str]
#: A step: a name from :data:`STEPS`, a ``str -> str`` function, or a ``(name, function)`` pair.
StepSpec = str | Step | tuple[str, Step]
StepName = Literal["mojibake", "entities", "nfc", "whitespace", "quotes", "dashes"]


def nfc(text: str) -> str:
    """Compose Unicode characters (NFC): a letter and its combining accent become one character.

    Examples
    --------
    >>> nfc("cafe\\u0301") == "caf\\u00e9"
    True
    """
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


# Spaces other than " " and "\n": no-break, en/em/thin/hair spaces, ideographic space, tab, ...
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
# Characters that are invisible but split a word for every tokenizer ("inter\u00adnational").
_INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"}
_WS_TABLE = str.maketrans({**{c: " " for c in _SPACES}, **{c: None for c in _INVISIBLE}})
_ODD_CHARS = re.compile("[" + _SPACES + _INVISIBLE + "\r\x0b\x0c\x85\u2028\u2029]")
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028]")
_RUNS = re.compile(" {2,}")
_EDGES = re.compile(" *\n *")
_BLANKS = re.compile("\n{3,}")


def _needs_whitespace(text: str) -> bool:
    # Substring tests run at memchr speed; one regex alternation over the whole text was 8x slower.
    if "  " in text or " \n" in text or "\n " in text or "\n\n\n" in text:
        return True
    if text[:1].isspace() or text[-1:].isspace():
        return True
    if text.isascii():
        return "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text
    return _ODD_CHARS.search(text) is not None


def whitespace(text: str) -> str:
    """Tidy layout whitespace, keeping paragraph breaks.

    No-break and other Unicode spaces (and tabs) become plain spaces; zero-width spaces, word
    joiners, soft hyphens and stray byte-order marks are removed; every kind of line break becomes
    ``\\n``; runs of spaces collapse to one; each line is stripped (news text has no meaningful
    indentation, and a line of spaces must count as blank); three or more line breaks become one
    blank line; the text is stripped at both ends.

    Examples
    --------
    >>> whitespace("Seoul:\\u00a0 Markets  rose. \\n\\n\\n\\nShares  fell.  ")
    'Seoul: Markets rose.\\n\\nShares fell.'
    """
    if not _needs_whitespace(text):
        return text
    out = text.replace("\u2029", "\n\n")
    out = _BREAKS.sub("\n", out).translate(_WS_TABLE)
    out = _RUNS.sub(" ", out)
    out = _EDGES.sub("\n", out)
    out = _BLANKS.sub("\n\n", out).strip(" \n")
    return text if out == text else out


# A complete entity: named (&amp;), decimal (&#8217;) or hexadecimal (&#x2019;), with its ";".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def entities(text: str) -> str:
    """Unescape HTML entities left in the text ("AT&amp;T" -> "AT&T", "&#8217;" -> "’").

    Only complete entities (ending in ``;``) are replaced, so "R&D" and "Tom&notes" stay as they
    are. Doubly escaped entities ("&amp;#8217;", common in feeds) are unescaped until none is
    left; unknown names ("&foo;") stay.

    Examples
    --------
    >>> entities("Q&amp;A: it&amp;#8217;s R&D&nbsp;day")
    'Q&A: it’s R&D\\xa0day'
    """
    if "&" not in text:
        return text
    out = text
    while True:
        new = _ENTITY.sub(_unescape, out)
        if new == out:
            break
        out = new
    return text if out == text else out


_MOJIBAKE_LEAD = re.compile("[\u00c2\u00c3\u00c4\u00c5\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e2]")


def mojibake(text: str) -> str:
    """Repair mojibake ("Japanâ€™s" -> "Japan’s") where ftfy finds the text clearly broken.

    The same repair the loader applies to whole files (:func:`toolkit.load.decode.repair_mojibake`);
    as a step it also reaches text that arrived already decoded (Parquet, JSON strings).

    Examples
    --------
    >>> mojibake("Japanâ€™s economy")
    'Japan’s economy'
    """
    # Cheap pre-test: every mojibake pair starts with one of these characters (the lead bytes
    # of UTF-8 read as cp1252; see decode._MOJIBAKE_HINT), and one character class is fast.
    if text.isascii() or not _MOJIBAKE_LEAD.search(text):
        return text
    from toolkit.load.decode import repair_mojibake

    return repair_mojibake(text)


_SINGLE_QUOTES = re.compile("[\u02bc\u2018\u2019\u201a\u201b]")
_DOUBLE_QUOTES = re.compile("[\u201c\u201d\u201e\u201f]")


def quotes(text: str) -> str:
    """Straighten curly quotes: ‘ ’ ‚ ‛ ʼ -> ' and “ ” „ ‟ -> ". Guillemets and primes stay.

    Examples
    --------
    >>> quotes("“It’s fine,” she said.")
    '"It\\'s fine," she said.'
    """
    if text.isascii():
        return text
    out = _DOUBLE_QUOTES.sub('"', _SINGLE_QUOTES.sub("'", text))
    return text if out == text else out


# Figure dash, en dash, em dash, horizontal bar, two/three-em dashes, small and full-width forms.
_DASHES = re.compile("[\u2012\u2013\u2014\u2015\u2e3a\u2e3b\ufe58\ufe31\ufe32]")
_HYPHENS = re.compile("[\u2010\u2011\u2212\ufe63\uff0d]")
DashForm = Literal["-", "--", "\u2013", "\u2014"]


def dashes(text: str, *, to: DashForm = "-") -> str:
    """Replace en dashes, em dashes and their variants with one form, ``to``.

    Hyphen variants (U+2010 hyphen, U+2011 non-breaking hyphen, U+2212 minus sign, small and
    full-width hyphen-minus) always become "-". Configure the step with ``functools.partial``:
    ``partial(dashes, to="\\u2014")`` makes every dash an em dash.

    Examples
    --------
    >>> dashes("1990\\u20131995 \\u2014 a \\u2010 b")
    '1990-1995 - a - b'
    >>> dashes("a \\u2013 b", to="\\u2014")
    'a \\u2014 b'
    """
    if to not in ("-", "--", "\u2013", "\u2014"):
        raise ParameterError("to", to, one_of(["-", "--", "\u2013", "\u2014"]))
    if text.isascii():
        return text
    out = _HYPHENS.sub("-", _DASHES.sub(to, text))
    return text if out == text else out


#: The built-in steps by name, in the order :func:`normalize_text` documents.
STEPS: dict[str, Step] = {
    "mojibake": mojibake,
    "entities": entities,
    "nfc": nfc,
    "whitespace": whitespace,
    "quotes": quotes,
    "dashes": dashes,
}

#: Repairs only: the text stays what the author wrote (see the module docstring for why
#: ``quotes`` and ``dashes`` are not in it). Order matters: fix the encoding before anything
#: reads characters, unescape before NFC and whitespace (``&nbsp;`` becomes a no-break space).
DEFAULT_STEPS: tuple[str, ...] = ("mojibake", "entities", "nfc", "whitespace")

#: Text columns of the articles table that :func:`normalize_articles` normalises by default.
DEFAULT_FIELDS: tuple[str, ...] = ("title", "subtitle", "byline", "text")


def step_name(step: StepSpec) -> str:
    """The name a step is counted under: its registry name, or its function's name."""
    if isinstance(step, str):
        return step
    if isinstance(step, partial):
        args = ", ".join(f"{k}={v!r}" for k, v in step.keywords.items())
        return f"{step_name(step.func)}({args})"
    return getattr(step, "__name__", None) or type(step).__name__


def resolve_steps(steps: StepSpec | Iterable[StepSpec] | None, *, name: str = "steps") -> list[tuple[str, Step]]:
    """Check ``steps`` and return ``(name, function)`` pairs; raise :class:`ParameterError`
    naming ``name`` for an unknown step name or a value that is not a step."""
    if steps is None:
        return []
    if isinstance(steps, str) or callable(steps) or (isinstance(steps, tuple) and len(steps) == 2 and isinstance(steps[0], str) and callable(steps[1])):
        steps = [steps]
    try:
        items = list(steps)
    except TypeError:
        raise ParameterError(name, steps, f"a sequence of step names ({one_of(STEPS)}) or str -> str functions") from None
    out: list[tuple[str, Step]] = []
    for item in items:
        if isinstance(item, str):
            if item not in STEPS:
                raise ParameterError(
                    name, steps, f"step names from {one_of(STEPS)} or str -> str functions",
                    hint=f"{item!r} is not a step; e.g. steps={DEFAULT_STEPS!r}.",
                )
            out.append((item, STEPS[item]))
        elif callable(item):
            out.append((step_name(item), item))
        elif (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
              and callable(item[1])):
            out.append(item)
        else:
            raise ParameterError(
                name, steps, f"step names from {one_of(STEPS)} or str -> str functions",
                hint=f"{item!r} is neither.",
            )
    # Two steps of the same name (two lambdas) are counted apart.
    seen: dict[str, int] = {}
    for i, (step, func) in enumerate(out):
        seen[step] = seen.get(step, 0) + 1
        if seen[step] > 1:
            out[i] = (f"{step}#{seen[step]}", func)
    return out


def normalize_text(text: str, *, steps: StepSpec | Sequence[StepSpec] = DEFAULT_STEPS) -> str:
    """Apply normalisation ``steps`` to ``text`` in order.

    Parameters
    ----------
    text
        The text.
    steps
        Step names (see :data:`STEPS`), ``str -> str`` functions and/or ``(name, function)``
        pairs, applied in the order given. Default :data:`DEFAULT_STEPS` (repairs only).

    Returns
    -------
    str
        The normalised text.

    Examples
    --------
    >>> normalize_text("Caf\\u00e9&nbsp;&amp; bar\\u00a0 \\n\\n\\n\\nNext")
    'Café & bar\\n\\nNext'
    >>> normalize_text("“Yes” \\u2013 no", steps=("quotes", "dashes"))
    '"Yes" - no'
    """
    if not isinstance(text, str):
        raise ParameterError("text", text, "a str", hint="Normalise a table with normalize_articles().")
    for _, step in resolve_steps(steps):
        text = step(text)
    return text


def normalize_articles(
    articles: pd.DataFrame,
    *,
    steps: StepSpec | Sequence[StepSpec] = DEFAULT_STEPS,
    fields: Sequence[str] = DEFAULT_FIELDS,
) -> pd.DataFrame:
    """Normalise text columns of an articles table; count the articles each step changed.

    Parameters
    ----------
    articles
        An articles table (or any table with the ``fields`` columns). Not modified.
    steps
        As in :func:`normalize_text`.
    fields
        Text columns to normalise; those the table lacks are passed over (except that at least
        one must exist). Missing values stay missing; a value that normalises to an empty
        string (it held only spaces or invisible characters) becomes missing.

    Returns
    -------
    pandas.DataFrame
        A copy with the ``fields`` normalised. ``result.attrs["normalized"]`` maps each step's
        name to the number of articles (rows) in which it changed at least one field, in step
        order (``0`` for a step that changed nothing).

    Raises
    ------
    ParameterError
        For an unknown step.
    SchemaError
        When none of ``fields`` is a column of ``articles``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"title": ["A&amp;B", "Plain"], "text": ["x\\u00a0y", "z"]})
    >>> out = normalize_articles(table)
    >>> out["title"].tolist(), out["text"].tolist()
    (['A&B', 'Plain'], ['x y', 'z'])
    >>> out.attrs["normalized"]
    {'mojibake': 0, 'entities': 1, 'nfc': 0, 'whitespace': 1}
    """
    resolved = resolve_steps(steps)
    if isinstance(fields, str):
        fields = [fields]
    present = [f for f in fields if f in articles.columns]
    if not present and len(articles.columns):
        raise SchemaError(
            f"normalize_articles: none of fields={list(fields)!r} is a column of the table "
            f"(its columns: {list(articles.columns)}). Pass the text columns to normalise as fields=."
        )
    out = articles.copy()
    n = len(out)
    changed = {name: np.zeros(n, dtype=bool) for name, _ in resolved}
    for field in present:
        column = out[field]
        # Which rows each step could change, found by vectorised pre-checks (a superset);
        # only those rows reach Python. None: a step without a pre-check runs on every row.
        masks = _step_masks(column, resolved)
        if masks is None or any(m is None for m in masks):
            rows = np.arange(n)
            masks = [None] * len(resolved)
        else:
            rows = np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.array([], dtype=np.int64)
        if not len(rows):
            continue
        values = column.iloc[rows].tolist()
        new_rows: list[int] = []
        new_values: list[str | None] = []
        for i, value in zip(rows.tolist(), values, strict=True):
            if not isinstance(value, str):
                continue
            text = value
            for (name, step), mask in zip(resolved, masks, strict=True):
                if mask is not None and text is value and not mask[i]:
                    continue  # the pre-check says this step leaves the (unchanged) text alone
                result = step(text)
                if result != text:
                    changed[name][i] = True
                    text = result
            if text != value:
                # Text that was only invisible characters is missing, as the loader treats blanks.
                new_rows.append(i)
                new_values.append(text if text else None)
        if new_rows:
            out[field] = _with_values(column, new_rows, new_values)
    out.attrs["normalized"] = {name: int(flags.sum()) for name, flags in changed.items()}
    return out


def _with_values(column: pd.Series, rows: list[int], values: list[str | None]) -> pd.Series:
    """``column`` with ``values`` at positions ``rows`` (ascending). An Arrow-backed text
    column is patched in Arrow: the other texts never become Python strings."""
    if column.dtype == "str" and getattr(column.dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        array = pa.array(column, type=pa.large_string(), from_pandas=True)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
        mask = np.zeros(len(column), dtype=bool)
        mask[rows] = True
        patched = pc.replace_with_mask(array, pa.array(mask), pa.array(values, type=pa.large_string()))
        return pd.Series(patched, index=column.index, dtype=column.dtype)
    merged = column.to_numpy(dtype=object, na_value=None)
    merged[rows] = values
    return pd.Series(merged, index=column.index, dtype=column.dtype)


# Characters Python's str.isspace() accepts: a text starting or ending with one needs "whitespace".
_ISSPACE = "".join(f"\\x{{{c:x}}}" for c in range(0x3001) if chr(c).isspace())
# The built-in steps with a pre-check in _step_masks (the patterns: what each looks for).
_PRECHECKS: dict[str, str] = {
    "mojibake": "[\u00c2\u00c3\u00c4\u00c5\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e2]",
    "entities": "&",
    "nfc": "[^\\x00-\\x7f]",
    "whitespace": ("  | \n|\n |\n\n\n|[\t\r\x0b\x0c]|[" + _SPACES + _INVISIBLE
                   + "\x85\u2028\u2029]|^[" + _ISSPACE + "]|[" + _ISSPACE + "]$"),
    "quotes": "[^\\x00-\\x7f]",
    "dashes": "[^\\x00-\\x7f]",
}


def _step_masks(column: pd.Series, resolved: list[tuple[str, Step]]) -> list[np.ndarray | None] | None:
    """Per step, the rows its pre-check flags (``None`` for a step without one); ``None``
    overall when the column is not text that pyarrow can scan.

    The pre-checks are supersets read from the UTF-8 bytes with numpy (one pass per byte
    pattern, no regex over the text): every non-ASCII text for the steps that only touch
    non-ASCII characters, texts with a ``&`` for ``entities``, texts with one of its lead
    characters for ``mojibake``, and for ``whitespace`` the ASCII layout patterns of
    :func:`_needs_whitespace` plus the non-ASCII characters it changes."""
    if not pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
        return None
    try:
        import pyarrow as pa

        array = pa.array(column, type=pa.large_string(), from_pandas=True)
    except (ImportError, TypeError, ValueError):
        return None
    names = {name for name, step in resolved if STEPS.get(name) is step and name in _PRECHECKS}
    only = {"non_ascii"}
    only |= {"amp"} if "entities" in names else set()
    only |= {"ascii_layout", "unicode_layout"} if "whitespace" in names else set()
    only |= {"mojibake_lead"} if "mojibake" in names else set()
    only |= {"nfc_unsafe"} if "nfc" in names else set()
    checks = text_byte_checks(array, only=only)
    non_ascii = checks["non_ascii"]
    masks: list[np.ndarray | None] = []
    for name, step in resolved:
        if STEPS.get(name) is not step or name not in _PRECHECKS:
            masks.append(None)
        elif name == "entities":
            masks.append(checks["amp"])
        elif name == "whitespace":
            masks.append(checks["ascii_layout"] | (checks["unicode_layout"] & non_ascii))
        elif name == "mojibake":
            masks.append(checks["mojibake_lead"] & non_ascii)
        elif name == "nfc":
            masks.append(checks["nfc_unsafe"] & non_ascii)
        else:  # nfc, quotes, dashes: only non-ASCII characters concern them
            masks.append(non_ascii)
    return masks


# Non-ASCII characters :func:`whitespace` changes (ASCII layout is found from the bytes).
_UNICODE_LAYOUT = "[" + _SPACES[1:] + _INVISIBLE + "\x85\u2028\u2029]"


# ASCII bytes str.isspace() accepts.
_ASCII_ISSPACE = np.zeros(256, dtype=bool)
_ASCII_ISSPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE_BYTE = _ASCII_ISSPACE | (np.arange(256) >= 0x80)  # a blank, or the start/end of a non-ASCII character
# Text bytes scanned at a time, per thread (bounds the numpy temporaries).
_SCAN_BLOCK = 1 << 22
#: The row masks :func:`text_byte_checks` computes by default.
BYTE_CHECKS: tuple[str, ...] = ("non_ascii", "amp", "cr", "layout", "edges")
#: More masks it computes when asked (``only=``), from the code points of the non-ASCII
#: characters: ``mojibake_lead``, a character :func:`mojibake` looks for (its lead characters);
#: ``unicode_layout``, a non-ASCII character :func:`whitespace` changes; ``nfc_unsafe``, a
#: character that NFC may change or combine with its neighbour (a superset of the texts
#: :func:`nfc` changes: the others are NFC already); ``ascii_layout``, ``layout`` with only
#: ASCII blanks at the edges (a non-ASCII blank at an edge is a ``unicode_layout`` character).
EXTRA_BYTE_CHECKS: tuple[str, ...] = ("mojibake_lead", "unicode_layout", "nfc_unsafe", "ascii_layout")
_FLAG_BITS = {"mojibake_lead": 1, "unicode_layout": 2, "nfc_unsafe": 4}
_MOJIBAKE_LEAD_CHARS = "\u00c2\u00c3\u00c4\u00c5\u00ce\u00cf\u00d0\u00d1\u00d8\u00d9\u00e2"


def row_blocks(array: pa.Array, block: int) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """The offsets and bytes of a large_string array (zero-copy views) and consecutive row
    ranges ``[row, stop)`` of about ``block`` bytes each (whole rows, at least one row each)."""
    n = len(array)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset:array.offset + n + 1]
    values = array.buffers()[2]
    data = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, np.uint8)
    spans: list[tuple[int, int]] = []
    row = 0
    while row < n:
        stop = int(np.searchsorted(offsets, offsets[row] + block, side="right"))
        stop = min(max(stop - 1, row + 1), n)
        spans.append((row, stop))
        row = stop
    return offsets, data, spans


@functools.lru_cache(maxsize=1)
def _bmp_flags() -> np.ndarray:
    """``_FLAG_BITS`` of every code point below U+10000 (computed once, ~0.05 s).

    ``nfc_unsafe``: a combining mark (it may be reordered), a character NFC replaces (NFC_QC
    No), or the second character of a canonical pair NFC may compose (NFC_QC Maybe). A text
    with none of them is NFC (Unicode's quick check answers Yes). Characters above U+FFFF are
    all taken as unsafe (:func:`_char_flags` flags 4-byte sequences without a table)."""
    flags = np.zeros(0x10000, dtype=np.uint8)
    for c in _MOJIBAKE_LEAD_CHARS:
        flags[ord(c)] |= 1
    for c in _SPACES[1:] + _INVISIBLE + "\x85\u2028\u2029":
        flags[ord(c)] |= 2
    combining, decomposition, normalize = unicodedata.combining, unicodedata.decomposition, unicodedata.normalize
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if combining(c) or normalize("NFC", c) != c:
            flags[cp] |= 4
        d = decomposition(c)
        if d and d[0] != "<":
            for part in d.split()[1:]:
                second = int(part, 16)
                if second < 0x10000:
                    flags[second] |= 4
    flags[0x1161:0x1176] |= 4  # Hangul vowels and trailing consonants compose algorithmically
    flags[0x11A8:0x11C3] |= 4
    return flags


def text_byte_checks(array: Any, *, only: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Row masks of an Arrow string array, from its UTF-8 bytes (missing values: all False).

    ``non_ascii``: a non-ASCII character; ``amp``: a ``&``; ``cr``: a carriage return;
    ``layout``: what :func:`whitespace` may change in ASCII text (two spaces, a space beside a
    line break, three line breaks, a tab, CR, VT or FF) or a first or last character that is a
    blank or non-ASCII; ``edges``: just that last part (what ``str.strip`` may remove).
    ``only``: the names of the masks wanted (the others come back all False, unscanned).

    Examples
    --------
    >>> import pyarrow as pa
    >>> checks = text_byte_checks(pa.array(["a  b", "caf\u00e9", "R&amp;D", None]))
    >>> checks["layout"].tolist(), checks["non_ascii"].tolist(), checks["amp"].tolist()
    ([True, True, False, False], [False, True, False, False], [False, False, True, False])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = set(BYTE_CHECKS if only is None else only)
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks != 1:  # chunk by chunk: combining them would copy every text
            parts = [text_byte_checks(chunk, only=wanted) for chunk in array.chunks]
            if parts:
                return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            array = pa.array([], type=pa.large_string())
        else:
            array = array.chunk(0)
    array = pc.cast(array, pa.large_string())
    n = len(array)
    unknown = wanted - set(BYTE_CHECKS) - set(EXTRA_BYTE_CHECKS)
    if unknown:
        raise ParameterError("only", sorted(unknown), one_of([*BYTE_CHECKS, *EXTRA_BYTE_CHECKS]))
    out = {k: np.zeros(n, dtype=bool) for k in (*BYTE_CHECKS, *(c for c in EXTRA_BYTE_CHECKS if c in wanted))}
    if not n:
        return out
    valid = np.ones(n, dtype=bool) if array.null_count == 0 else np.asarray(
        pc.is_valid(array).to_numpy(zero_copy_only=False), dtype=bool)
    if "non_ascii" in wanted:  # Arrow's kernel: 10x a numpy pass over the bytes
        out["non_ascii"] = ~np.asarray(pc.fill_null(pc.string_is_ascii(array), True).to_numpy(zero_copy_only=False),
                                       dtype=bool)
    # Rare bytes, each compared for (numpy compares are SIMD; a 256-entry lookup table is 10x slower).
    inner = bool(wanted & {"layout", "ascii_layout"})  # the layout patterns inside the texts
    rare = ([38] if "amp" in wanted else []) + ([13] if "cr" in wanted or inner else []) + (
        [9, 11, 12] if inner else [])
    # Blocks of about _SCAN_BLOCK bytes (whole rows), scanned on a thread each: numpy and
    # Arrow release the GIL, and each block writes only its own rows of the masks.
    offsets, data, spans = row_blocks(array, _SCAN_BLOCK)

    def scan(span: tuple[int, int]) -> None:
        row, stop = span
        base = int(offsets[row])
        block = data[base:int(offsets[stop])]
        bounds = offsets[row:stop + 1] - base

        def rows_at(positions: np.ndarray, bounds: np.ndarray = bounds, row: int = row) -> np.ndarray:
            return np.searchsorted(bounds, positions, side="right") - 1 + row

        if rare and len(block):
            hit = block == rare[0]
            for byte in rare[1:]:
                hit |= block == byte
            at = np.flatnonzero(hit)
            if len(at):
                found = block[at]
                out["amp"][rows_at(at[found == 38])] = True
                out["cr"][rows_at(at[found == 13])] = True
                out["layout"][rows_at(at[found != 38])] = True
        if inner and len(block) > 1:
            # Two spaces, a space beside a line break, or three line breaks: pairs of blanks
            # (rare in prose) first, then which of them are line-break pairs.
            blank = (block == 32) | (block == 10)
            at = np.flatnonzero(blank[:-1] & blank[1:])
            if len(at):
                breaks = (block[at] == 10) & (block[at + 1] == 10)
                out["layout"][rows_at(at[~breaks])] = True
                at = at[breaks]
                at = at[at + 2 < len(block)]
                out["layout"][rows_at(at[block[at + 2] == 10])] = True
        extras = [name for name in _FLAG_BITS if name in wanted]
        if extras and len(block):
            at, flags = _char_flags(block)
            for name in extras:
                out[name][rows_at(at[(flags & _FLAG_BITS[name]) != 0])] = True
        if wanted & {"edges", "layout", "ascii_layout"}:
            lengths = np.diff(bounds)
            filled = np.flatnonzero(lengths > 0)
            first, last = block[bounds[filled]], block[bounds[filled + 1] - 1]
            edge = _EDGE_BYTE[first] | _EDGE_BYTE[last]
            out["edges"][filled[edge] + row] = True
            if "ascii_layout" in wanted:
                out["ascii_layout"][filled[_ASCII_ISSPACE[first] | _ASCII_ISSPACE[last]] + row] = True

    if len(spans) > 1 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(spans), os.cpu_count() or 1)) as pool:
            list(pool.map(scan, spans))
    else:
        for span in spans:
            scan(span)
    if "ascii_layout" in wanted:
        out["ascii_layout"] |= out["layout"]  # the inner patterns (its own edges are in already)
    if "layout" in wanted:
        out["layout"] |= out["edges"]
    for name, mask in out.items():
        if name in wanted:
            mask &= valid
        else:
            mask[:] = False
    return out


def _char_flags(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the non-ASCII characters in ``block`` (valid UTF-8) and their
    ``_FLAG_BITS``: code points are decoded from the lead byte and its continuation bytes."""
    at = np.flatnonzero(block >= 0xC0)
    if not len(at):
        return at, np.zeros(0, dtype=np.uint8)
    lead = block[at].astype(np.int64)
    size = np.where(lead >= 0xF0, 4, np.where(lead >= 0xE0, 3, 2))
    byte1 = block[np.minimum(at + 1, len(block) - 1)].astype(np.int64) & 0x3F
    byte2 = block[np.minimum(at + 2, len(block) - 1)].astype(np.int64) & 0x3F
    code = np.where(size == 2, ((lead & 0x1F) << 6) | byte1, ((lead & 0x0F) << 12) | (byte1 << 6) | byte2)
    flags = _bmp_flags()[np.where(size == 4, 0, code)]
    flags = np.where(size == 4, np.uint8(_FLAG_BITS["nfc_unsafe"]), flags).astype(np.uint8)
    return at, flags


__all__ = [
    "DEFAULT_FIELDS", "DEFAULT_STEPS", "STEPS", "dashes", "entities", "mojibake", "nfc",
    "normalize_articles", "normalize_text", "quotes", "resolve_steps", "step_name", "text_byte_checks", "whitespace",
]
