"""Byte-level counting of "alnum" words: maximal runs of Unicode letters and digits.

The words of ``words="alnum"`` in :func:`toolkit.stats.term_frequencies` and
:func:`toolkit.stats.document_term_matrix`: exactly ``re.findall(r"[^\\W_]+", text.lower())``
(what scikit-learn's ``CountVectorizer(token_pattern=r"(?u)[^\\W_]+")`` counts, and what
``tr -cs '[:alnum:]'`` does for ASCII), without the toolkit's richer word rules (hyphens,
abbreviations, clitics).

It works on the UTF-8 bytes of the Arrow string array, viewed as a numpy ``uint8`` array (no
copy): ASCII bytes are classified with a 256-entry table; the few distinct non-ASCII characters
are decoded with numpy and classified once each with Python's own ``str.isalnum`` of their
lower-cased form, so curly quotes and dashes split words and accented letters do not. Word
bytes are gathered into one contiguous buffer, which becomes an Arrow string array of tokens
(offsets from the token starts) that Arrow dictionary-encodes; non-ASCII terms are lower-cased
once per distinct term, in Python, so case folding is Python's. There is no Python work per token.

Two context-dependent corners of ``str.lower`` cannot be done per character: a capital sigma
(final or not depends on its neighbours) and characters whose lower case is several characters
(``"İ".lower()`` is ``"i"`` plus a combining dot, which is not a letter). The rare texts holding
one are counted with the ``re`` reference itself.

:func:`sliced_counts` builds the article x term matrix for either word definition (this one, or
the toolkit's words of :func:`toolkit.text._word_codes`) slice by slice, so that the per-token
arrays never exist for the whole corpus at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toolkit._memory import release_memory
from toolkit.text import _pieces

_ALNUM_RE = re.compile(r"[^\W_]+")

# ASCII letters and digits are word bytes; every byte >= 0x80 is decided per character.
_ASCII_WORD = np.zeros(256, dtype=bool)
for _c in b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
    _ASCII_WORD[_c] = True
_ASCII_LOWER = np.arange(256, dtype=np.uint8)
_ASCII_LOWER[ord("A") : ord("Z") + 1] += 32
_SIGMA = 0x3A3


def _code_points(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions, lengths and code points of the multi-byte UTF-8 sequences of ``data``."""
    high = np.flatnonzero(data >= 0x80)
    if not len(high):
        return high, np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int32)
    lead = high[data[high] >= 0xC0]
    b0 = data[lead].astype(np.int32)
    length = np.where(b0 < 0xE0, 2, np.where(b0 < 0xF0, 3, 4)).astype(np.int8)
    last = len(data) - 1
    b1 = data[np.minimum(lead + 1, last)].astype(np.int32) & 0x3F
    b2 = data[np.minimum(lead + 2, last)].astype(np.int32) & 0x3F
    b3 = data[np.minimum(lead + 3, last)].astype(np.int32) & 0x3F
    cp = np.where(
        length == 2,
        ((b0 & 0x1F) << 6) | b1,
        np.where(length == 3, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3),
    )
    return lead, length, cp


def _classify(cps: np.ndarray, *, lower: bool) -> tuple[np.ndarray, np.ndarray]:
    """For distinct code points: word character (of its lower case with ``lower``), and special."""
    word = np.zeros(len(cps), dtype=bool)
    special = np.zeros(len(cps), dtype=bool)
    for i, cp in enumerate(cps.tolist()):
        ch = chr(cp)
        if lower:
            low = ch.lower()
            if len(low) != 1 or cp == _SIGMA:
                special[i] = True
                continue
            ch = low
        word[i] = ch.isalnum()
    return word, special


def alnum_tokens(texts: pa.Array, *, lower: bool) -> tuple[np.ndarray, pa.Array]:
    """The alnum words of ``texts``: the text number of each and the tokens (Arrow strings).

    Tokens are ASCII-lower-cased with ``lower`` (other characters are lower-cased per distinct
    term by :func:`alnum_codes`); texts needing Python's context-dependent lower case come
    last, already lower-cased.
    """
    texts = texts.cast(pa.large_string())
    if texts.null_count:
        texts = pc.fill_null(texts, "")
    n_texts = len(texts)
    if n_texts == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], type=pa.large_string())
    # Lower-case ASCII first (Arrow's kernel: same byte lengths, non-ASCII bytes untouched).
    source = pc.ascii_lower(texts) if lower else texts
    offsets = np.frombuffer(source.buffers()[1], dtype=np.int64)[source.offset : source.offset + n_texts + 1]
    if offsets[-1] == offsets[0]:
        return np.zeros(0, dtype=np.int64), pa.array([], type=pa.large_string())
    base = int(offsets[0])
    data = np.frombuffer(source.buffers()[2], dtype=np.uint8)[base : int(offsets[-1])]
    offsets = offsets - base

    # ASCII letters and digits by arithmetic on wrapping uint8 (faster than a table lookup);
    # every byte >= 0x80 comes out False here and is decided below, per character.
    scratch = data | 0x20
    scratch -= 97
    word = scratch < 26
    np.subtract(data, 48, out=scratch)
    word |= scratch < 10
    del scratch
    special_texts = np.zeros(0, dtype=np.int64)
    lead, length, cp = _code_points(data)
    if len(lead):
        distinct, inverse = np.unique(cp, return_inverse=True)
        is_word, is_special = _classify(distinct, lower=lower)
        cls = is_word[inverse]
        word[lead] = cls
        for k in (1, 2, 3):
            sel = length > k
            word[lead[sel] + k] = cls[sel]
        if is_special.any():
            at = lead[is_special[inverse]]
            special_texts = np.unique(np.searchsorted(offsets, at, side="right") - 1)
            for t in special_texts.tolist():
                word[offsets[t] : offsets[t + 1]] = False

    # Token edges alternate start, end (exclusive): the non-zeros of the mask's difference.
    edges = np.flatnonzero(np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0)))
    # A text that ends inside a word while the next one starts with a word: split there.
    inner = offsets[1:-1]
    inner = inner[(inner > 0) & (inner < len(word))]
    joined = np.unique(inner[word[inner] & word[inner - 1]])  # empty texts repeat an offset
    if len(joined):
        edges = np.insert(edges, np.repeat(np.searchsorted(edges, joined), 2), np.repeat(joined, 2))
    starts, ends = edges[0::2], edges[1::2]
    # Arrow's filter on a bitmap gathers the word bytes faster and steadier than numpy's compress.
    bitmap = pa.py_buffer(np.packbits(word, bitorder="little"))
    chars = pc.filter(pa.Array.from_buffers(pa.uint8(), len(data), [None, pa.py_buffer(data)]),
                      pa.Array.from_buffers(pa.bool_(), len(word), [None, bitmap]))
    del word
    small = len(data) < 2**31 - 1  # 32-bit offsets: less memory and faster hashing
    token_offsets = np.empty(len(starts) + 1, dtype=np.int32 if small else np.int64)
    token_offsets[0] = 0
    np.cumsum(ends - starts, out=token_offsets[1:])
    del edges, ends
    kind = pa.StringArray if small else pa.LargeStringArray
    tokens = kind.from_buffers(len(starts), pa.py_buffer(token_offsets), chars.buffers()[1], offset=0)
    # Tokens are in text order: the tokens of text t are those starting in [offsets[t], offsets[t+1]).
    per_text = np.diff(np.searchsorted(starts, offsets))
    text_of = np.repeat(np.arange(n_texts, dtype=np.int32 if n_texts < 2**31 else np.int64), per_text)

    if len(special_texts):
        extra: list[str] = []
        extra_text: list[int] = []
        for t, text in zip(special_texts.tolist(), texts.take(pa.array(special_texts)).to_pylist(), strict=True):
            found = _ALNUM_RE.findall(text.lower() if lower else text)
            extra += found
            extra_text += [t] * len(found)
        tokens = pa.concat_arrays([tokens, pa.array(extra, type=tokens.type)])
        text_of = np.concatenate([text_of, np.array(extra_text, dtype=text_of.dtype)])
    return text_of, tokens


# Below this many bytes of text, one thread: splitting costs more than it saves.
_SPLIT_BYTES = 4_000_000
# Larger inputs are worked on in pieces of about this many bytes of text: the temporary arrays
# (a few bytes per byte of text) are then reused from the allocator's heap instead of being
# fresh, page-faulting memory each time, and stay closer to the CPU caches.
_CHUNK_BYTES = 2_000_000


def _encode_part(texts: pa.Array, first: int, lower: bool) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    text_of, tokens = alnum_tokens(texts, lower=lower)
    encoded = pc.dictionary_encode(tokens)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    if len(text_of) > 1 and not (text_of[1:] >= text_of[:-1]).all():
        # The few texts counted by the reference came last: back to text order (two sorted runs,
        # merged by the stable sort in linear time), which the matrix construction relies on.
        order = np.argsort(text_of, kind="stable")
        text_of, codes = text_of[order], codes[order]
    return (text_of + first).astype(np.int32), codes, encoded.dictionary.cast(pa.large_string())


def _encoded_tokens(texts: pa.Array, *, lower: bool, jobs: int | None) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Text number and dictionary code of every token, and the dictionary (unsorted).

    Large inputs are cut into slices of whole texts of about ``_CHUNK_BYTES``, tokenized and
    encoded in ``jobs`` threads (numpy and Arrow release the GIL), and the dictionaries merged.
    """
    jobs = max(1, min(jobs or os.cpu_count() or 1, 4))
    texts = texts.cast(pa.large_string())
    size = pc.sum(pc.binary_length(texts)).as_py() or 0
    if size < _SPLIT_BYTES or len(texts) < 2:
        return _encode_part(texts, 0, lower)
    pieces = max(jobs, -(-size // _CHUNK_BYTES))
    cum = np.cumsum(pc.fill_null(pc.binary_length(texts), 0).to_numpy(zero_copy_only=False))
    cuts = np.unique(np.r_[0, np.searchsorted(cum, size * np.arange(1, pieces) / pieces), len(texts)])

    def part(bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        return _encode_part(texts.slice(bounds[0], bounds[1] - bounds[0]), int(bounds[0]), lower)

    slices = list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True))
    if jobs == 1:
        parts = [part(b) for b in slices]
    else:
        with ThreadPoolExecutor(jobs) as pool:
            parts = list(pool.map(part, slices))
    merged = pc.dictionary_encode(pa.concat_arrays([p[2] for p in parts]))
    remap = merged.indices.to_numpy(zero_copy_only=False)
    at = np.cumsum([0] + [len(p[2]) for p in parts])
    codes = np.concatenate([remap[at[i] + p[1]] for i, p in enumerate(parts)])
    return np.concatenate([p[0] for p in parts]), codes, merged.dictionary


def alnum_codes(
    texts: pa.Array, *, lower: bool, stop: frozenset[str], jobs: int | None = None
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Text number and term code of every alnum word of ``texts`` (minus ``stop``), and the terms.

    Term codes number the terms in sorted (code point) order, like
    :func:`toolkit.text._word_codes`; ``stop`` words are compared lower-cased.
    """
    text_of, codes, terms = _encoded_tokens(texts, lower=lower, jobs=jobs)
    if not len(codes):
        return text_of, np.zeros(0, dtype=np.int32), pa.array([], type=pa.large_string())
    if lower:
        # Non-ASCII terms are lower-cased once each, with Python's case folding.
        foreign = np.flatnonzero(~pc.string_is_ascii(terms).to_numpy(zero_copy_only=False))
        if len(foreign):
            old = terms.take(pa.array(foreign)).to_pylist()
            new = [t.lower() for t in old]
            if new != old:
                mask = np.zeros(len(terms), dtype=bool)
                mask[foreign] = True
                terms = pc.replace_with_mask(terms, pa.array(mask), pa.array(new, type=terms.type))
                merged = pc.dictionary_encode(terms)
                codes = merged.indices.to_numpy(zero_copy_only=False)[codes]
                terms = merged.dictionary
    keep_term = np.ones(len(terms), dtype=bool)
    if stop:
        probe = terms if lower else pc.utf8_lower(terms)
        keep_term &= ~pc.is_in(probe, value_set=pa.array(sorted(stop), type=probe.type)).to_numpy(zero_copy_only=False)
    order = pc.array_sort_indices(terms).to_numpy()
    order = order[keep_term[order]]
    rank = np.full(len(terms), -1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = rank[codes]
    terms = terms.take(pa.array(order))
    if stop:
        kept = codes >= 0
        codes, text_of = codes[kept], text_of[kept]
        used = np.zeros(len(terms), dtype=bool)
        used[codes] = True
        if not used.all():
            new_code = (np.cumsum(used) - 1).astype(np.int32)
            codes, terms = new_code[codes], terms.filter(pa.array(used))
    return text_of, codes, terms


# ---------------------------------------------------------------------------------------------
# The article x term matrix, slice by slice
# ---------------------------------------------------------------------------------------------

# Articles are counted in slices of about this many bytes of text: the per-token arrays (byte
# masks, tokens, codes) then exist for one slice per thread at a time, and what a slice keeps is
# its distinct (article, term) pairs, about half as many as its tokens.
SLICE_BYTES = 2_000_000

# Above this many (article, term) pairs, freed memory is handed back to the system (see
# toolkit._memory.release_memory); below, what is freed is too little to matter.
_RELEASE_NNZ = 1_000_000

CodesOf = Callable[[pa.Array], tuple[np.ndarray, np.ndarray, pa.Array]]


def _interleave(columns: list[pa.Array]) -> pa.Array:
    """The values of ``columns`` article-major: a0 f0, a0 f1, a1 f0, ... (nulls kept)."""
    if len(columns) == 1:
        return columns[0]
    n, k = len(columns[0]), len(columns)
    order = (np.arange(n)[:, None] + np.arange(k)[None, :] * n).ravel()
    return pa.concat_arrays(columns).take(pa.array(order))


def _slice_pairs(
    article: np.ndarray, codes: np.ndarray, n_articles: int, n_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (article, term) pairs of one slice's words, in article then term order.

    Returns the number of pairs of each article, the term of each pair, its count, and the
    words of each article. One sort of (article, term) keys, in 32 bits when they fit: no scipy
    COO -> CSR copies.
    """
    width = max(n_terms, 1)
    wide = n_articles * width >= 2**31
    key_type = np.int64 if wide else np.int32
    n_words = np.bincount(article, minlength=n_articles)
    keys = article.astype(key_type)
    keys *= width
    keys += codes
    keys.sort()
    if not len(keys):
        return np.zeros(n_articles, dtype=np.int64), np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=np.uint16), n_words
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[first, len(keys)])
    distinct = keys[first]
    del keys, first
    per_article = np.bincount(distinct // width, minlength=n_articles)
    # 16 bits where they fit (nearly always, for a slice): the pairs of every slice are kept
    # until the vocabulary is merged, next to the matrix being filled.
    terms = (distinct % width).astype(np.uint16 if width <= 2**16 else np.int32)
    return per_article, terms, counts.astype(np.uint16 if counts.max() < 2**16 else np.int32), n_words


def sliced_counts(
    columns: list[pa.Array],
    codes_of: CodesOf,
    *,
    rows: np.ndarray | None = None,
    jobs: int | None = None,
    slice_bytes: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """The article x term count matrix of texts, built slice by slice: CSR arrays and terms.

    ``columns`` are the text fields (Arrow string arrays of equal length, one row per article),
    of which only ``rows`` (ascending positions; default all) are counted, one matrix row each;
    ``codes_of(texts)`` gives, for an Arrow array of texts, the text number and term code of
    every counted word and the terms (sorted, distinct; code = position). Articles are cut
    into slices of about ``slice_bytes`` of text, each slice's fields interleaved, counted
    into (article, term) pairs on ``jobs`` threads (numpy and Arrow release the GIL), and the
    slices' vocabularies merged into one sorted vocabulary. Since every slice numbers its
    terms in the same sorted order, mapping them to the merged numbers keeps each article's
    terms sorted: the result is canonical CSR without a global sort.

    Returns ``indptr``, ``indices``, ``data`` (int64), the terms (sorted) and the number of
    words of each article: exactly what one ``codes_of`` call on all texts would give, whatever
    the slicing.
    """
    n_fields = len(columns)
    n_articles = len(columns[0]) if rows is None else len(rows)
    columns = [c if pa.types.is_large_string(c.type) else c.cast(pa.large_string()) for c in columns]
    sizes = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:
        sizes += pc.fill_null(pc.binary_length(c), 0).to_numpy(zero_copy_only=False)
    slices = _pieces(sizes if rows is None else sizes[rows], slice_bytes or SLICE_BYTES)
    del sizes

    def texts_of(start: int, stop: int) -> pa.Array:
        if rows is None:
            return _interleave([c.slice(start, stop - start) for c in columns])
        # A slice's own rows only: never a copy of every selected text at once.
        at = pa.array(rows[start:stop])
        return _interleave([c.take(at) for c in columns])

    def count(bounds: tuple[int, int]) -> tuple:
        """(pairs per article, pair terms, pair counts, words per article, terms) of a slice."""
        start, stop = bounds
        text_of, codes, terms = codes_of(texts_of(start, stop))
        article = text_of // n_fields if n_fields > 1 else text_of
        del text_of
        return (*_slice_pairs(article, codes, stop - start, len(terms)), terms.cast(pa.large_string()))

    workers = max(1, min(jobs or os.cpu_count() or 1, 4, len(slices)))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(count, slices))
    else:
        parts = [count(b) for b in slices]

    # One vocabulary: the slices' terms, distinct, sorted; then each slice's codes renumbered.
    nnz = sum(len(p[1]) for p in parts)
    index_type = np.int32 if max(nnz, n_articles, sum(len(p[4]) for p in parts)) < 2**31 else np.int64
    n_words = np.concatenate([p[3] for p in parts]).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
    if parts:
        merged = pc.dictionary_encode(pa.concat_arrays([p[4] for p in parts]))
        order = pc.array_sort_indices(merged.dictionary).to_numpy()
        terms = merged.dictionary.take(pa.array(order))
        rank = np.empty(len(order), dtype=index_type)
        rank[order] = np.arange(len(order), dtype=index_type)
        global_code = rank[merged.indices.to_numpy(zero_copy_only=False)]
        del merged, order, rank
    else:
        terms, global_code = pa.array([], type=pa.large_string()), np.zeros(0, dtype=index_type)
    indptr = np.zeros(n_articles + 1, dtype=index_type)
    if parts:
        np.cumsum(np.concatenate([p[0] for p in parts]), out=indptr[1:])
    # What the slices' work left in the allocators' free lists goes back to the system before
    # the matrix is allocated: the peak is the matrix and the pairs, not their history.
    big = nnz >= _RELEASE_NNZ
    if big:
        release_memory()
    indices = np.empty(nnz, dtype=index_type)
    data = np.empty(nnz, dtype=np.int64)
    at = first_term = 0
    for i in range(len(parts)):
        _, cols, counts, _, slice_terms = parts[i]
        parts[i] = None  # type: ignore[call-overload]  # each slice's pairs go once copied
        indices[at : at + len(cols)] = global_code[first_term : first_term + len(slice_terms)][cols]
        data[at : at + len(cols)] = counts
        at += len(cols)
        first_term += len(slice_terms)
        del cols, counts, slice_terms
    del parts, global_code
    if big:
        release_memory()
    return indptr, indices, data, terms, n_words
