"""Sentence and word tokenization, stopwords and n-grams, offline.

Nothing here downloads anything. The default paths need no NLTK data at all:

- **Sentences**: NLTK's Punkt algorithm (:class:`nltk.tokenize.punkt.PunktSentenceTokenizer`)
  with parameters of our own (:data:`ABBREVIATIONS`, :data:`SENTENCE_STARTERS`) instead of a
  downloaded model. Paragraph breaks (blank lines) always end a sentence. ``model="nltk"``
  uses NLTK's pretrained English ``punkt_tab`` model when it is installed.
- **Words**: one compiled, Unicode-aware regular expression (``method="regex"``) that keeps
  hyphenated words (``Jae-in``), dotted abbreviations (``U.S.``) and numbers (``15,000``)
  whole and splits clitics the way NLTK's Treebank tokenizer does (``did`` + ``n't``,
  ``Japan`` + ``'s``). ``method="nltk"`` runs :class:`nltk.tokenize.NLTKWordTokenizer` on each
  sentence: slower, but NLTK-faithful.
- **Stopwords**: our own English list (:data:`STOPWORDS`), or NLTK's when installed.

:func:`tokenize` turns an articles table into the tokens table (one row per token) that the
statistics functions count. Without sentences (``sentences=False``, ``method="regex"``) it
never loops in Python per article or token: Arrow's string kernels cut the words (the same
words as the regular expression, see "The vectorised word tokenizer" below) on a thread per
core. Sentence splitting (Punkt) is Python code per text; on a big corpus it runs in worker
processes, one per core (``jobs=``). The statistics functions count words straight from the
texts when they need no sentences (:func:`toolkit.stats.term_frequencies`,
:func:`toolkit.stats.document_term_matrix`).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit.distributed import supports_dask
from toolkit.errors import ParameterError, SchemaError, one_of

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    from toolkit._punkt import _BuiltinPunkt

logger = logging.getLogger(__name__)

SentenceModel = Literal["builtin", "nltk"]
WordMethod = Literal["regex", "nltk"]
StopwordSource = Literal["toolkit", "news", "nltk"]

SENTENCE_MODELS: tuple[str, ...] = get_args(SentenceModel)
WORD_METHODS: tuple[str, ...] = get_args(WordMethod)
STOPWORD_SOURCES: tuple[str, ...] = get_args(StopwordSource)

#: Columns of the tokens table, in order.
TOKEN_COLUMNS: tuple[str, ...] = ("doc_id", "field", "sentence", "position", "token")

# ---------------------------------------------------------------------------------------------
# Word lists (written for this project)
# ---------------------------------------------------------------------------------------------

_STOPWORDS_STRAIGHT = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst an and another any anybody anyone anything anyway anywhere
    are around as at
    be became because become becomes becoming been before beforehand being below beside besides
    between beyond both but by
    can cannot could
    did do does doing done down during
    each either else elsewhere enough even ever every everybody everyone everything everywhere
    few for former formerly from further furthermore
    had has have having he hence her here hereby herein hers herself him himself his how
    however
    i if in indeed into is it its itself
    just
    latter latterly least less
    many may me meanwhile might mine more moreover most mostly much must my myself
    namely neither never nevertheless no nobody none nor not nothing now nowhere
    of off often on once only onto or other others otherwise ought our ours ourselves out over
    own
    per perhaps
    quite
    rather
    same seem seemed seeming seems several shall she should since so some somebody someone
    something sometime sometimes somewhat somewhere still such
    than that the their theirs them themselves then thence there thereafter thereby therefore
    therein these they this those though through throughout thus to together too toward towards
    under unless unlike until up upon us
    very via
    was we were what whatever when whence whenever where whereas whereby wherever whether which
    while whilst who whoever whom whomever whose why will with within without would
    yet you your yours yourself yourselves
    n't 's 're 've 'll 'd 'm '
    s t d ll m re ve
    ca wo sha
    don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't can't
    couldn't shouldn't mustn't i'm i've i'll i'd you're you've you'll you'd he's he'll he'd
    she's she'll she'd it's we're we've we'll we'd they're they've they'll they'd that's
    there's here's what's who's let's
    """.split()
)

#: Our English stopword list: function words (articles, pronouns, prepositions, conjunctions,
#: auxiliaries, common adverbs) and the pieces contractions split into (``n't``, ``'s``,
#: ``'re``, ``ca`` from ``can't``...). Content words that are merely frequent in news
#: ("said", "mr", "year") are deliberately *not* stopwords: add them yourself
#: (``STOPWORDS | {"said"}``). Every entry with an apostrophe also appears with a curly one.
STOPWORDS: frozenset[str] = _STOPWORDS_STRAIGHT | frozenset(
    w.replace("'", "\u2019") for w in _STOPWORDS_STRAIGHT if "'" in w
)

#: Abbreviations after which a period does not end a sentence (lower case, without the final
#: period, internal periods kept: ``"u.s"`` stands for "U.S."). Punkt's own rules already
#: treat single-letter initials ("J. K. Rowling") and many numbers ("No. 5.") sensibly.
#: Words that are also ordinary English words ("ill", "miss", "sat", "sun", "wed") are left
#: out on purpose: "He fell ill. Then..." must still split.
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms messrs mme mmes dr prof st gen sen rep reps gov lt col sgt capt cmdr adm maj brig
    cpl pvt rev hon pres supt insp det atty amb
    jr sr
    inc corp ltd co plc llc bros cos
    vs v etc no nos fig figs approx dept est vol vols ed eds pp cf al ibid viz ca
    mt ft ave blvd rd hwy univ assn dist
    u.s u.k u.n u.s.a e.u d.c n.y l.a u.a.e
    e.g i.e a.m p.m a.k.a ph.d m.d b.a m.a b.sc m.sc
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues thu thur thurs fri
    ala ariz ark calif colo conn fla mich minn okla tenn wis wyo nev
    """.split()
)

#: Words that, capitalized after an abbreviation, start a new sentence: Punkt's "frequent
#: sentence starter" heuristic, so that "...in the U.S. The next day..." splits after "U.S.".
#: Only words that are very unlikely to continue a name after an abbreviation are listed
#: (so not "who": "Dr. Who").
SENTENCE_STARTERS: frozenset[str] = frozenset(
    """
    the this that these those there then thus however but and yet so
    he she it they we you his her its their our my
    in on at for after before as when while if although though meanwhile since
    """.split()
)


#: Words of news style that carry no topic: attribution verbs and honorifics.
NEWS_STOPWORDS: frozenset[str] = frozenset(
    "said says say saying told tell tells according added adds noted stated mr mrs ms dr also".split()
)


def stopwords(source: StopwordSource = "toolkit") -> frozenset[str]:
    """Return an English stopword list.

    Parameters
    ----------
    source
        ``"toolkit"`` (default): our own list, :data:`STOPWORDS`. ``"news"``: that list plus
        :data:`NEWS_STOPWORDS`, the attribution verbs and honorifics that top every news
        corpus ("said", "told", "mr"). ``"nltk"``: NLTK's English stopwords corpus, if it is
        installed (it is never downloaded).

    Raises
    ------
    ParameterError
        For an unknown ``source``, or ``"nltk"`` when NLTK's stopwords data is not installed.

    Examples
    --------
    >>> "the" in stopwords()
    True
    >>> "n't" in stopwords()
    True
    """
    if source == "toolkit":
        return STOPWORDS
    if source == "news":
        return STOPWORDS | NEWS_STOPWORDS
    if source != "nltk":
        raise ParameterError("source", source, one_of(STOPWORD_SOURCES))
    import nltk

    try:
        nltk.data.find("corpora/stopwords")
    except LookupError:
        raise ParameterError(
            "source",
            source,
            "'toolkit' here, because NLTK's stopwords data is not installed",
            hint=(
                "The toolkit never downloads data at run time. To use NLTK's list, run "
                "nltk.download('stopwords', download_dir=DIR) on a machine with network access, "
                "copy DIR to this machine and set the NLTK_DATA environment variable to it. "
                "Or use source='toolkit' (our own list)."
            ),
        ) from None
    from nltk.corpus import stopwords as nltk_stopwords

    return frozenset(nltk_stopwords.words("english"))


def _stopword_set(stopwords_: bool | str | Collection[str], *, name: str = "stopwords") -> frozenset[str]:
    """Resolve a ``stopwords=`` argument to a lower-cased set with straight apostrophes.

    ``False`` -> empty, ``True`` -> :data:`STOPWORDS`, ``"toolkit"``/``"nltk"`` -> that list,
    any other collection of strings -> those words.
    """
    if stopwords_ is False or stopwords_ is None:
        return frozenset()
    if stopwords_ is True:
        words: Iterable[str] = STOPWORDS
    elif isinstance(stopwords_, str):
        if stopwords_ not in STOPWORD_SOURCES:
            raise ParameterError(
                name, stopwords_, "True, False, " + one_of(STOPWORD_SOURCES) + " or a collection of words",
                hint="Pass a list or set to use your own words, e.g. stopwords={'said', 'mr'}.",
            )
        words = stopwords(stopwords_)  # type: ignore[arg-type]
    elif isinstance(stopwords_, Iterable):
        words = list(stopwords_)
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise ParameterError(name, bad[:3], "a collection of strings",
                                 hint="Every stopword must be a str.")
    else:
        raise ParameterError(name, stopwords_, "True, False, 'toolkit', 'nltk' or a collection of words")
    return frozenset(w.lower().replace("\u2019", "'") for w in words)


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

# A blank line (possibly holding spaces, tabs or a carriage return) separates paragraphs.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
# Punkt only ever breaks after one of these; a paragraph without them is one sentence.
_SENT_END_CHARS = re.compile(r"[.?!]")


def _builtin_params() -> PunktParameters:
    from nltk.tokenize.punkt import PunktParameters  # NLTK only when sentences are split

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    params.sent_starters = set(SENTENCE_STARTERS)
    return params


@functools.cache
def _builtin_punkt() -> _BuiltinPunkt:
    from toolkit._punkt import _BuiltinPunkt

    return _BuiltinPunkt(_builtin_params())


@functools.cache
def _nltk_punkt() -> PunktSentenceTokenizer:
    import nltk
    from nltk.tokenize import PunktTokenizer

    try:
        nltk.data.find("tokenizers/punkt_tab/english/")
        return PunktTokenizer("english")
    except LookupError:
        raise ParameterError(
            "model",
            "nltk",
            "'builtin' here, because NLTK's English punkt_tab model is not installed",
            hint=(
                "The toolkit never downloads data at run time. To use NLTK's model, run "
                "nltk.download('punkt_tab', download_dir=DIR) on a machine with network access, "
                "copy DIR to this machine and set the NLTK_DATA environment variable to it. "
                "Or use model='builtin' (Punkt with the toolkit's abbreviation list)."
            ),
        ) from None


def _sentence_tokenizer(model: str) -> PunktSentenceTokenizer:
    if model == "builtin":
        return _builtin_punkt()
    if model == "nltk":
        return _nltk_punkt()
    raise ParameterError("model", model, one_of(SENTENCE_MODELS))


def _sentences(text: str, tokenizer: PunktSentenceTokenizer) -> Iterator[str]:
    """Sentences of ``text``: paragraphs first, Punkt within each; stripped, never empty."""
    for paragraph in _PARAGRAPH_BREAK.split(text):
        if not _SENT_END_CHARS.search(paragraph):
            paragraph = paragraph.strip()
            if paragraph:
                yield paragraph
            continue
        for sentence in tokenizer.tokenize(paragraph):
            sentence = sentence.strip()
            if sentence:
                yield sentence


def split_sentences(text: str, *, model: SentenceModel = "builtin") -> list[str]:
    """Split ``text`` into sentences.

    Blank lines (paragraph breaks) always end a sentence. Within a paragraph, Punkt decides:
    a period after a known abbreviation (:data:`ABBREVIATIONS`), an initial or an ordinal
    number does not end a sentence unless what follows clearly starts one.

    Parameters
    ----------
    text
        The text to split.
    model
        ``"builtin"`` (default): Punkt with the toolkit's abbreviation and sentence-starter
        lists; needs no NLTK data. ``"nltk"``: NLTK's pretrained English ``punkt_tab`` model,
        if installed (never downloaded).

    Returns
    -------
    list of str
        The sentences, stripped of surrounding whitespace, in order.

    Raises
    ------
    ParameterError
        For an unknown ``model``, or ``"nltk"`` when the punkt_tab model is not installed.

    Examples
    --------
    >>> split_sentences("Mr. Moon met Mrs. Kim at 3 p.m. in the U.S. on Jan. 5. Then he left.")
    ['Mr. Moon met Mrs. Kim at 3 p.m. in the U.S. on Jan. 5.', 'Then he left.']
    >>> split_sentences("Headline\\n\\nFirst paragraph. Second sentence.")
    ['Headline', 'First paragraph.', 'Second sentence.']
    """
    _check_text(text)
    return list(_sentences(text, _sentence_tokenizer(model)))


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

_APOS = "['\u2019]"
_CLITIC = "(?:[sSmMdD]|ll|LL|re|RE|ve|VE)"
_HYPHENS = "-\u2010\u2011"

# The word pattern, written once with placeholders: {W} is a word character, {B} "no word
# character follows". Python's `\w` is Unicode-aware but excludes combining marks (category
# M), so decomposed accents and the vowel signs of Indic scripts would cut words apart; a
# second variant adds the marks. It is slower (sre has a fast path for `\w`), so it is only
# used on texts that contain a combining mark.
_WORD_TEMPLATE = r"""
    {W}+                                       # a run of letters/digits, then joined parts
    (?:(?=[{H}.,:'\u2019])                     # (a cheap guard: most words end at a space)
        (?:[{H}]                               #   hyphen: Jae-in, state-of-the-art, 2004-05
         | [.,:](?=\d)(?<=\d[.,:])             #   digit separator: 15,000  2.5  3:30
         | \.(?={W})                           #   period inside a word: U.S  e.g  bbc.co.uk
         | {A}(?!(?:{C}|[tT]){B})(?={W})       #   apostrophe, unless a clitic follows: O'Brien
        ){W}+
    )*
    (?:\.(?<=\.[^\W\d_]\.))?                   # final period of a dotted abbreviation: U.S.
    (?!(?<=[nN]){A}[tT]{B})                    # give "n" back before 't: did|n't, ca|n't
  | [nN]{A}[tT]{B}                             # n't
  | {A}{C}{B}                                  # 's 're 've 'll 'd 'm
  | \.{{2,}} | -{{2,}}                         # ellipsis, dash
  | [^\w\s{M}] | _                             # any other single symbol
"""


@functools.cache
def _mark_ranges() -> str:
    """Character-class ranges of every Unicode combining mark (categories Mn, Mc, Me)."""
    ranges: list[str] = []
    start = None
    for cp in range(0x110001):
        is_mark = cp < 0x110000 and unicodedata.category(chr(cp)).startswith("M")
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            end = cp - 1
            ranges.append(f"\\U{start:08x}" if start == end else f"\\U{start:08x}-\\U{end:08x}")
            start = None
    return "".join(ranges)


_WORD_RE = re.compile(
    _WORD_TEMPLATE.format(W=r"\w", B=r"\b", A=_APOS, C=_CLITIC, H=_HYPHENS, M=""), re.VERBOSE
)


@functools.cache
def _word_re_marks() -> re.Pattern[str]:
    marks = _mark_ranges()
    return re.compile(
        _WORD_TEMPLATE.format(
            W=f"[\\w{marks}]", B=f"(?![\\w{marks}])", A=_APOS, C=_CLITIC, H=_HYPHENS, M=marks
        ),
        re.VERBOSE,
    )


def _word_pattern(text: str) -> re.Pattern[str]:
    """The word pattern for ``text``: the fast one unless the text holds a combining mark."""
    if text.isascii():
        return _WORD_RE
    # Checking the distinct characters is far cheaper than a regex search with a class of
    # every mark in Unicode.
    for char in set(text):
        if char > "\u02ff" and unicodedata.category(char).startswith("M"):
            return _word_re_marks()
    return _WORD_RE


@functools.cache
def _treebank():  # noqa: ANN202 - NLTK's class has no stubs
    from nltk.tokenize import NLTKWordTokenizer

    return NLTKWordTokenizer()


# A token is a word when it holds a letter or a digit (Python's definition of alphanumeric).
_HAS_ALNUM = re.compile(r"[^\W_]")
# The same test for pyarrow's RE2 kernels, where `\w` is ASCII-only.
_ARROW_HAS_ALNUM = r"[\p{L}\p{N}]"


def _check_text(text: object, name: str = "text") -> None:
    if not isinstance(text, str):
        raise ParameterError(name, text, "a str", hint="Tokenize a table's column with tokenize(articles).")


def _check_method(method: str) -> None:
    if method not in WORD_METHODS:
        raise ParameterError("method", method, one_of(WORD_METHODS),
                             hint="'regex' is fast; 'nltk' is NLTK's Treebank tokenizer per sentence.")


def _words_of_sentence(sentence: str, method: str, pattern: re.Pattern[str] | None = None) -> list[str]:
    if method == "regex":
        return (pattern or _word_pattern(sentence)).findall(sentence)
    return _treebank().tokenize(sentence)


def word_tokenize(
    text: str,
    *,
    method: WordMethod = "regex",
    lower: bool = False,
    punct: bool = True,
) -> list[str]:
    """Split ``text`` into word and punctuation tokens.

    ``method="regex"`` (default, fast) uses one compiled pattern:

    - hyphenated words stay whole: ``Moon Jae-in`` -> ``Moon``, ``Jae-in``; ``state-of-the-art``;
    - clitics split as in NLTK's Treebank tokenizer: ``Japan's`` -> ``Japan``, ``'s``;
      ``didn't`` -> ``did``, ``n't``; ``they're`` -> ``they``, ``'re``; curly apostrophes
      (``’``) behave like straight ones; other apostrophes stay inside words (``O'Brien``);
    - abbreviations with internal periods stay whole, final period included (``U.S.``,
      ``p.m.``, ``e.g.``); so do web domains (``bbc.co.uk``) and, as a side effect, two words
      run together with a period and no space (``end.Next``);
    - numbers with separators stay whole (``15,000``, ``2.5``, ``3:30``, ``1.13bn``);
    - any other period is its own token, so ``2019.`` -> ``2019``, ``.``; an ellipsis ``...``
      or a dash ``--`` is one token, every other symbol is one token per character;
    - letters of any script count (``Café``, ``São Paulo``, ``Zürich``), combining marks
      included.

    ``method="nltk"`` splits sentences first and runs :class:`nltk.tokenize.NLTKWordTokenizer`
    on each (it needs no data); it also rewrites double quotes as ````` and ``''``.

    Parameters
    ----------
    text
        The text to tokenize.
    method
        ``"regex"`` or ``"nltk"``.
    lower
        Lower-case the tokens.
    punct
        Keep punctuation tokens (tokens without a letter or digit). ``False`` keeps words only.

    Returns
    -------
    list of str
        The tokens in text order. With ``method="regex"`` every token is a substring of
        ``text`` (before lower-casing) and never empty.

    Examples
    --------
    >>> word_tokenize("Japan's Moon Jae-in didn't visit the U.S. in 2019.")
    ['Japan', "'s", 'Moon', 'Jae-in', 'did', "n't", 'visit', 'the', 'U.S.', 'in', '2019', '.']
    >>> word_tokenize("15,000 people, 2.5%.", punct=False)
    ['15,000', 'people', '2.5']
    """
    _check_text(text)
    _check_method(method)
    if method == "regex":
        tokens = _word_pattern(text).findall(text)
    else:
        tokens = [t for s in _sentences(text, _builtin_punkt()) for t in _words_of_sentence(s, method)]
    if not punct:
        tokens = [t for t in tokens if _HAS_ALNUM.search(t)]
    if lower:
        tokens = [t.lower() for t in tokens]
    return tokens


# ---------------------------------------------------------------------------------------------
# The vectorised word tokenizer (``method="regex"`` without sentences)
# ---------------------------------------------------------------------------------------------
#
# ``_WORD_RE`` needs look-arounds, which pyarrow's RE2 kernels lack, so the same tokens are made
# in three vectorised steps instead of one ``findall`` per text:
#
# 1. Whitespace splits the text into chunks (Arrow's whitespace is exactly Python's ``\s``, and no
#    token crosses whitespace). A chunk that is one run of word characters is one token: most are.
# 2. Other chunks are cut into *atoms*: maximal runs of word characters and single other
#    characters. Before that, a marker is put between a word character and an ``n't`` that
#    follows it ("did|n't"): that is where ``_WORD_RE`` gives the "n" back.
# 3. numpy decides which neighbouring atoms belong to one token, with the rules of ``_WORD_RE``
#    written as conditions on the atoms around each joiner (hyphen, period, digit separator,
#    apostrophe), plus clitics, ``n't``, the final period of ``U.S.``, ellipses and dashes; Arrow
#    joins the atoms of each token.
#
# ``tests/test_text.py`` checks the result against ``word_tokenize`` on real corpora and on
# generated text. The one known difference: RE2 knows a newer Unicode than Python 3.11's
# ``unicodedata`` (Unicode 14), so letters, digits and marks of scripts added since (e.g. Kawi,
# U+11F00) count as word characters here and as symbols there.

# Python's `\w` for str patterns, written for RE2 (where `\w` is ASCII): letters, numbers and
# "_"; plus combining marks, as in _word_re_marks (on a text without marks both patterns agree).
_RE2_W = r"[\p{L}\p{N}_\p{M}]"
_RE2_NOT_W = r"[^\p{L}\p{N}_\p{M}]"
# A chunk that is a single token and a word (it holds a letter or digit).
_RE2_SIMPLE = r"^[\p{L}\p{N}][\p{L}\p{N}_\p{M}]*$"
# Marker between a word character and "n't" ("didn't" -> "did\ufdd0n't"); a noncharacter, so
# text has no business holding one (texts that do, or hold the atom separator, take the
# per-text path).
_NT_MARK = "\ufdd0"
_ATOM_SEP = "\x01"
_CHUNK_SEP = "\x02"
_RE2_NT = "(" + _RE2_W + ")([nN]['\u2019][tT])(" + _RE2_NOT_W + "|$)"
_RE2_ATOMS = _RE2_W + "+|."
# Special atoms, looked up once: their index in this list is the atom's kind.
_ATOM_KINDS = (".", ",", ":", "-", "\u2010", "\u2011", "'", "\u2019", _NT_MARK,
               "s", "S", "m", "M", "d", "D", "ll", "LL", "re", "RE", "ve", "VE", "t", "T", "n", "N")
_K_PERIOD, _K_COMMA, _K_COLON, _K_HYPHEN = 0, 1, 2, 3
_K_APOS = (6, 7)
_K_MARK = 8
_K_CLITIC = range(9, 21)
_K_T = (21, 22)
_K_N = (23, 24)
# Texts per thread task: about this many characters (big enough to amortise a kernel call,
# small enough to spread a corpus over the cores).
_FAST_CHUNK_CHARS = 2_000_000


def _shift(a: np.ndarray, k: int, fill: object) -> np.ndarray:
    """``a`` moved by ``k`` places (``out[i] = a[i - k]``), the gap filled with ``fill``."""
    out = np.empty_like(a)
    if k > 0:
        out[:k] = fill
        out[k:] = a[:-k]
    else:
        out[k:] = fill
        out[:k] = a[-k:]
    return out


def _atom_tokens(atoms: pa.Array, chunk: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Join the atoms of complex chunks into tokens, as ``_WORD_RE`` would cut those chunks.

    ``atoms`` are the atoms of all complex chunks in order, ``chunk`` the chunk number of each
    (non-decreasing). Returns the tokens and the chunk number of each token.
    """
    n = len(atoms)
    kind = pc.index_in(atoms, value_set=pa.array(_ATOM_KINDS, type=atoms.type))
    kind = kind.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int16)
    run = pc.match_substring_regex(atoms, "^" + _RE2_W).to_numpy(zero_copy_only=False)
    first_digit = run & pc.match_substring_regex(atoms, r"^\p{Nd}").to_numpy(zero_copy_only=False)
    last_digit = run & pc.match_substring_regex(atoms, r"\p{Nd}$").to_numpy(zero_copy_only=False)
    # `[^\W\d_]` of the final-period look-behind: one letter-like character, marks excluded.
    letter1 = run & pc.match_substring_regex(atoms, r"^[\p{L}\p{Nl}\p{No}]$").to_numpy(zero_copy_only=False)

    same_next = np.zeros(n, dtype=bool)  # atom i+1 is in the same chunk as atom i
    same_next[:-1] = chunk[1:] == chunk[:-1]
    same_prev = _shift(same_next, 1, False)
    nxt = lambda a, fill=False: _shift(a, -1, fill) & same_next  # noqa: E731 - value of atom i+1
    prv = lambda a, fill=False: _shift(a, 1, fill) & same_prev  # noqa: E731 - value of atom i-1

    is_mark = kind == _K_MARK
    is_period = kind == _K_PERIOD
    is_apos = np.isin(kind, _K_APOS)
    # A run of word characters is bounded unless the marker follows it (the text went on there).
    bounded = run & ~nxt(is_mark)
    clitic_run = np.isin(kind, _K_CLITIC) & bounded
    t_run = np.isin(kind, _K_T) & bounded
    n_run = np.isin(kind, _K_N)
    # n't: "n", apostrophe, "t" (a whole run each).
    nt_start = n_run & nxt(is_apos) & _shift(t_run & same_prev, -2, False) & same_next & _shift(same_next, -1, False)
    clitic_start = is_apos & nxt(clitic_run)
    # Runs that belong to a clitic or n't token cannot be extended by a joiner.
    closed = prv(clitic_start) | prv(prv(nt_start)) | nt_start
    open_run = run & ~closed

    before, after = prv(open_run), nxt(run)
    after_nt = nxt(nt_start)
    join = np.zeros(n, dtype=bool)
    join |= np.isin(kind, (_K_HYPHEN, 4, 5))
    join |= is_period
    join |= ((kind == _K_COMMA) | (kind == _K_COLON)) & prv(last_digit) & nxt(first_digit)
    join |= is_apos & ~nxt(clitic_run | t_run)
    join &= before & after & ~after_nt
    # Final period of a dotted abbreviation: "." after a one-letter run that follows a ".".
    final = is_period & ~join & prv(letter1 & prv(is_period)) & prv(open_run)

    link = np.zeros(n, dtype=bool)  # link[i]: atom i belongs to the token of atom i-1
    link |= join | _shift(join, 1, False)
    link |= final
    link |= prv(clitic_start)
    link |= prv(nt_start) | prv(prv(nt_start))
    consumed = link | _shift(link, -1, False)  # atoms already inside a multi-atom token
    for k in (_K_PERIOD, _K_HYPHEN):  # ellipsis "...", dash "--"
        free = (kind == k) & ~consumed
        link |= free & prv(free)
    link &= same_prev

    keep = ~is_mark
    starts = np.flatnonzero(~link[keep])
    kept = atoms.filter(pa.array(keep)) if not keep.all() else atoms
    offsets = pa.array(np.append(starts, len(kept)).astype(np.int32))
    tokens = pc.binary_join(pa.ListArray.from_arrays(offsets, kept), pa.scalar("", type=kept.type))
    return tokens, chunk[keep][starts]


def _fast_words_piece(texts: pa.Array, *, ordered: bool = True) -> tuple[pa.Array, np.ndarray]:
    """Tokens of ``texts`` in text order (as ``_WORD_RE.findall``), and the text number of each.

    The texts must not hold ``_ATOM_SEP``, ``_CHUNK_SEP`` or ``_NT_MARK``. ``ordered=False``
    skips putting the tokens in text order (counting needs only the text of each token).
    """
    texts = pc.replace_substring_regex(texts, _RE2_NT, "\\1" + _NT_MARK + "\\2\\3")
    # Trimmed first: pyarrow 26's utf8_split_whitespace sometimes keeps the whitespace that ends a
    # string after a multi-byte character ("...\u2010 " -> a chunk "\u2010 " on some calls).
    lists = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(texts))
    chunks = pc.list_flatten(lists)
    chunk_text = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    # Letters and digits only (no "_", no mark): one token, a word. Same classes as RE2's.
    simple = pc.utf8_is_alnum(chunks).to_numpy(zero_copy_only=False)
    if simple.all():
        return chunks, chunk_text
    complex_idx = np.flatnonzero(~simple)
    cx = chunks.take(pa.array(complex_idx))
    # One string for all complex chunks (a regex call per chunk costs more than the work), cut
    # into atoms, with a separator atom between chunks.
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(cx)], pa.int32()), cx),
                            pa.scalar(_CHUNK_SEP, type=cx.type))
    marked = pc.replace_substring_regex(joined, _RE2_ATOMS, "\\0" + _ATOM_SEP)
    atoms = pc.list_flatten(pc.split_pattern(marked, _ATOM_SEP))
    atoms = atoms.slice(0, len(atoms) - 1)  # the empty string after the last separator
    is_sep = pc.equal(atoms, pa.scalar(_CHUNK_SEP, type=atoms.type)).to_numpy(zero_copy_only=False)
    atom_chunk = np.cumsum(is_sep)
    atoms = atoms.filter(pa.array(~is_sep))
    atom_chunk = atom_chunk[~is_sep]
    cx_tokens, token_cx = _atom_tokens(atoms, atom_chunk)
    if not ordered:
        return (pa.concat_arrays([chunks.filter(pa.array(simple)), cx_tokens.cast(chunks.type)]),
                np.concatenate([chunk_text[simple], chunk_text[complex_idx][token_cx]]))
    # Put the tokens back in text order: chunk by chunk.
    per_chunk = np.ones(len(chunks), dtype=np.int64)
    per_cx = np.bincount(token_cx, minlength=len(cx))
    per_chunk[complex_idx] = per_cx
    first = np.cumsum(per_chunk) - per_chunk
    n_simple = len(chunks) - len(cx)
    slot = np.empty(n_simple + len(cx_tokens), dtype=np.int64)
    slot[:n_simple] = first[simple]
    cx_first = np.cumsum(per_cx) - per_cx
    slot[n_simple:] = first[complex_idx][token_cx] + np.arange(len(cx_tokens)) - cx_first[token_cx]
    order = np.empty_like(slot)
    order[slot] = np.arange(len(slot))
    both = pa.concat_arrays([chunks.filter(pa.array(simple)), cx_tokens.cast(chunks.type)])
    return both.take(pa.array(order)), np.repeat(chunk_text, per_chunk)


def _default_jobs(jobs: int | None, name: str = "jobs") -> int | None:
    if jobs is None:
        return None
    if isinstance(jobs, bool) or not isinstance(jobs, int | np.integer) or jobs < 1:
        raise ParameterError(name, jobs, "None (all cores when it pays) or an integer >= 1",
                             hint="jobs=1 runs in this process only; jobs=None lets the toolkit choose.")
    return int(jobs)


def _pieces(sizes: np.ndarray, target: int) -> list[tuple[int, int]]:
    """Cut ``len(sizes)`` items into consecutive (start, stop) pieces of about ``target`` size."""
    if not len(sizes):
        return []
    group = (np.cumsum(sizes) - sizes) // max(target, 1)
    bounds = [0, *(np.flatnonzero(np.diff(group)) + 1).tolist(), len(sizes)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _fast_words(
    texts: pa.Array, *, jobs: int | None = None, ordered: bool = True
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """``_WORD_RE.findall`` of every text, vectorised: tokens, text number, "may be punctuation".

    ``texts`` is an Arrow string array (nulls allowed: no tokens). Pieces of about
    ``_FAST_CHUNK_CHARS`` run on a thread pool of ``jobs`` threads (default: the machine's cores;
    Arrow's kernels release the GIL). The third array is False for tokens known to be words
    (letters and digits only) and True for those that need the word test. ``ordered=False``
    returns the tokens of each piece in any order (with their text numbers).
    """
    parts = _fast_parts(texts, jobs=jobs, ordered=ordered, encode=False)
    tokens = pa.concat_arrays([p[0] for p in parts])
    text = np.concatenate([p[1] for p in parts])
    maybe = ~pc.utf8_is_alnum(tokens).to_numpy(zero_copy_only=False)
    if ordered and len(parts) > 1 and len(text) and (np.diff(text) < 0).any():
        order = np.argsort(text, kind="stable")  # the per-text fallback's tokens come last
        tokens, text, maybe = tokens.take(pa.array(order)), text[order], maybe[order]
    return tokens, text.astype(np.int64), maybe


def _fast_parts(texts: pa.Array, *, jobs: int | None, ordered: bool, encode: bool) -> list[tuple]:
    """The work of ``_fast_words``, piece by piece: (tokens, text numbers) of each piece.

    With ``encode`` each piece's tokens come dictionary-encoded (an ``Arrow`` DictionaryArray),
    so that whatever is done per distinct token (lower-casing, stopwords) is done once.
    """
    texts = texts.cast(pa.large_string()) if not pa.types.is_large_string(texts.type) else texts
    # Texts holding the characters the vectorised path uses as markers take findall (never seen
    # in real text; they are control or non-characters).
    odd = pc.fill_null(pc.match_substring_regex(texts, "[\x01\x02\ufdd0]"), False).to_numpy(zero_copy_only=False)
    odd_idx = np.flatnonzero(odd)
    clean_idx = np.flatnonzero(~odd)
    clean = texts if not len(odd_idx) else texts.take(pa.array(clean_idx))
    sizes = pc.fill_null(pc.binary_length(clean), 0).to_numpy(zero_copy_only=False)
    pieces = _pieces(sizes, _FAST_CHUNK_CHARS)
    workers = min(jobs or os.cpu_count() or 1, len(pieces)) if pieces else 1

    def run(bounds: tuple[int, int]) -> tuple:
        start, stop = bounds
        tokens, text = _fast_words_piece(clean.slice(start, stop - start), ordered=ordered)
        text = clean_idx[text + start] if len(odd_idx) else text + start
        # int32 text numbers: a 100 MB corpus has 17 million tokens, and counting keeps them all
        return (pc.dictionary_encode(tokens) if encode else tokens), text.astype(np.int32)

    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(run, pieces))
    else:
        parts = [run(b) for b in pieces]
    if len(odd_idx):
        odd_tokens: list[str] = []
        odd_text: list[int] = []
        for i, value in zip(odd_idx, texts.take(pa.array(odd_idx)).to_pylist(), strict=True):
            if value:
                found = _word_pattern(value).findall(value)
                odd_tokens.extend(found)
                odd_text.extend([int(i)] * len(found))
        tokens = pa.array(odd_tokens, pa.large_string())
        parts.append(((pc.dictionary_encode(tokens) if encode else tokens), np.asarray(odd_text, dtype=np.int32)))
    if not parts:
        empty = pa.array([], pa.large_string())
        parts = [((pc.dictionary_encode(empty) if encode else empty), np.zeros(0, dtype=np.int32))]
    return parts


def _word_codes(
    texts: pa.Array, *, lower: bool, stop: frozenset[str], jobs: int | None = None
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The words of ``texts`` for counting: text number and term code of each, and the terms.

    Words as in :func:`tokenize` without punctuation (``punct=False``): curly apostrophes
    straightened, lower-cased with ``lower``, ``stop`` words left out. Tokens are
    dictionary-encoded piece by piece, so normalising and filtering run once per distinct
    token, not once per token. Term codes number the terms in sorted order; tokens come in no
    particular order.
    """
    parts = _fast_parts(texts, jobs=jobs, ordered=False, encode=True)
    codes, terms = _encoded_word_codes([p[0] for p in parts], lower=lower, stop=stop)
    counted = codes >= 0
    text = np.concatenate([p[1] for p in parts])[counted]
    del parts  # the tokens: only codes are needed from here
    codes, terms = _compact_codes(codes[counted], terms)
    return text, codes, terms


def _encoded_word_codes(
    parts: list[pa.DictionaryArray], *, lower: bool, stop: frozenset[str]
) -> tuple[np.ndarray, pa.Array]:
    """Term codes of dictionary-encoded tokens, normalising each distinct token once.

    Returns the code of every token of ``parts`` (concatenated; -1 for punctuation and
    ``stop`` words) and the terms, sorted (code = position), curly apostrophes straightened and
    lower-cased with ``lower``.
    """
    dictionaries = [p.dictionary.cast(pa.large_string()) for p in parts]
    sizes = np.array([len(d) for d in dictionaries], dtype=np.int64)
    normal = _normalize_tokens(pa.concat_arrays(dictionaries), lower=lower)
    keep = _word_mask(normal)
    if stop:
        keep &= ~_stop_mask(normal, stop, lowered=lower)
    encoded = pc.dictionary_encode(normal)
    terms = encoded.dictionary
    order = pc.array_sort_indices(terms).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    code_of = np.where(keep, rank[encoded.indices.to_numpy(zero_copy_only=False)], -1).astype(np.int32)
    first = np.cumsum(sizes) - sizes
    codes = np.empty(sum(len(p) for p in parts), dtype=np.int32)
    at = 0
    for i, p in enumerate(parts):
        local = p.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        codes[at : at + len(p)] = code_of[local + first[i]] if first[i] else code_of[local]
        at += len(p)
    return codes, terms.take(pa.array(order))


def _compact_codes(codes: np.ndarray, terms: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Drop the terms no code refers to and renumber the codes (order kept)."""
    used = np.zeros(len(terms), dtype=bool)
    used[codes] = True
    if used.all():
        return codes, terms
    new_code = (np.cumsum(used) - 1).astype(codes.dtype)
    return new_code[codes], terms.filter(pa.array(used))


# ---------------------------------------------------------------------------------------------
# The tokens table
# ---------------------------------------------------------------------------------------------

# Texts are tokenized in chunks of about this many characters, so that the Python strings of
# one chunk (about 50 bytes each) are turned into an Arrow array before the next is made.
_CHUNK_CHARS = 8_000_000


def _as_arrow_strings(values: pd.Series | Sequence[str]) -> pa.Array:
    """A pyarrow (large_)string array for a pandas column or a list of str, zero-copy if possible."""
    if isinstance(values, pd.Series):
        arr = values.array
        if hasattr(arr, "__arrow_array__"):
            out = arr.__arrow_array__()
            if isinstance(out, pa.ChunkedArray):
                # combine_chunks copies even a single chunk (pyarrow 26): 100 MB for a 100 MB corpus
                out = out.chunk(0) if out.num_chunks == 1 else out.combine_chunks()
            if pa.types.is_string(out.type) or pa.types.is_large_string(out.type):
                return out
            if pa.types.is_dictionary(out.type):
                return out.dictionary_decode()
        values = values.astype("str")
        return _as_arrow_strings(values)
    return pa.array(values, type=pa.large_string())


def _str_series(arr: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """Wrap an Arrow string array as a pandas ``str`` column without copying."""
    if pa.types.is_string(arr.type):
        arr = arr.cast(pa.large_string())
    data = pd.arrays.ArrowStringArray(arr, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    return pd.Series(data, index=index, copy=False)


def _normalize_tokens(arr: pa.Array, *, lower: bool, curly: bool = True) -> pa.Array:
    """Straighten curly apostrophes (so "Japan’s" and "Japan's" count as one) and lower-case.

    ``curly=False`` promises that no token holds a curly apostrophe (skips that pass).
    """
    if curly:
        arr = pc.replace_substring(arr, "\u2019", "'")
    return pc.utf8_lower(arr) if lower else arr


def _word_mask(arr: pa.Array) -> np.ndarray:
    """True for tokens holding a letter or a digit (not punctuation)."""
    return pc.match_substring_regex(arr, _ARROW_HAS_ALNUM).to_numpy(zero_copy_only=False)


def _stop_mask(arr: pa.Array, words: frozenset[str], *, lowered: bool) -> np.ndarray:
    """True for tokens in ``words`` (compared lower-cased, apostrophes straightened)."""
    if not words:
        return np.zeros(len(arr), dtype=bool)
    probe = arr if lowered else pc.utf8_lower(arr)
    value_set = pa.array(sorted(words), type=probe.type)
    return pc.is_in(probe, value_set=value_set).to_numpy(zero_copy_only=False)


def _check_fields(articles: pd.DataFrame, fields: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(fields)
    if not fields:
        raise ParameterError("fields", fields, "at least one text column, e.g. ('title', 'text')")
    missing = [f for f in fields if f not in articles.columns]
    if missing:
        raise ParameterError(
            "fields", fields, f"text columns of the articles table ({one_of(articles.columns)})",
            hint=f"{missing} not found. Choose fields among the table's text columns.",
        )
    if len(set(fields)) != len(fields):
        raise ParameterError("fields", fields, "distinct column names")
    return fields


def _progress(iterable: Iterable, *, total: int, enabled: bool, desc: str) -> Iterable:
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="text")


# Below this many characters of text, the sentence path runs in this process: starting worker
# processes (each imports NLTK and pandas, about a second under "spawn") costs more than it saves.
# Punkt + the regex run at about 2-3 MB/s a core here, so 4 MB takes two seconds on one core.
_PARALLEL_MIN_CHARS = 4_000_000


def _interleaved_texts(articles: pd.DataFrame, fields: Sequence[str]) -> pa.Array:
    """The ``fields`` of every article as one Arrow string array, article-major (nulls kept)."""
    columns = []
    for f in fields:
        values = articles[f]
        if not isinstance(values.dtype, pd.StringDtype | pd.ArrowDtype):
            # Like the per-text path: only str values are text; anything else has no tokens.
            values = pd.Series([v if isinstance(v, str) else None for v in values.tolist()], dtype="str")
        columns.append(_as_arrow_strings(values.reset_index(drop=True)).cast(pa.large_string()))
    if len(columns) == 1:
        return columns[0]
    n_docs, n_fields = len(articles), len(columns)
    order = (np.arange(n_docs)[:, None] + np.arange(n_fields)[None, :] * n_docs).ravel()
    return pa.concat_arrays(columns).take(pa.array(order))


def _slow_piece(
    texts: list, sentences: bool, method: str, model: str, progress: bool = False
) -> tuple[pa.Array, np.ndarray, np.ndarray | None, bool]:
    """Tokens of ``texts`` through Punkt and/or NLTK's word tokenizer (one text at a time).

    Returns the tokens, the number of tokens of each text, the sentence number of each token
    (``None`` without ``sentences``) and whether any text holds a curly apostrophe. Runs in
    worker processes too: it takes and returns only picklable values.
    """
    splitter = _sentence_tokenizer(model) if (sentences or method == "nltk") else None
    token_chunks: list[pa.Array] = []
    sentence_chunks: list[np.ndarray] = []
    per_text_counts = np.zeros(len(texts), dtype=np.int64)
    chunk_tokens: list[str] = []
    chunk_sentence_lengths: list[int] = []
    chunk_sentence_counts: list[int] = []
    chunk_chars = 0
    curly = False

    def flush() -> None:
        nonlocal chunk_tokens, chunk_sentence_lengths, chunk_sentence_counts, chunk_chars
        token_chunks.append(pa.array(chunk_tokens, type=pa.large_string()))
        if sentences:
            n_sent = np.asarray(chunk_sentence_counts, dtype=np.int64)
            lengths = np.asarray(chunk_sentence_lengths, dtype=np.int64)
            # Index of each sentence within its text, then one per token.
            starts = np.repeat(np.cumsum(n_sent) - n_sent, n_sent)
            local = np.arange(len(lengths), dtype=np.int64) - starts
            sentence_chunks.append(np.repeat(local, lengths).astype(np.int32))
        chunk_tokens, chunk_sentence_lengths, chunk_sentence_counts, chunk_chars = [], [], [], 0

    for i, text in enumerate(_progress(texts, total=len(texts), enabled=progress, desc="tokenize")):
        if not isinstance(text, str) or not text:
            if sentences:
                chunk_sentence_counts.append(0)
            continue
        before = len(chunk_tokens)
        pattern = _word_pattern(text)
        if splitter is None:
            chunk_tokens.extend(pattern.findall(text))
        else:
            n_sent = 0
            for sentence in _sentences(text, splitter):
                words = _words_of_sentence(sentence, method, pattern)
                chunk_tokens.extend(words)
                if sentences:
                    chunk_sentence_lengths.append(len(words))
                n_sent += 1
            if sentences:
                chunk_sentence_counts.append(n_sent)
        per_text_counts[i] = len(chunk_tokens) - before
        chunk_chars += len(text)
        curly = curly or "\u2019" in text
        if chunk_chars >= _CHUNK_CHARS:
            flush()
    flush()
    tokens = pa.concat_arrays(token_chunks) if len(token_chunks) > 1 else token_chunks[0]
    sentence_ids = np.concatenate(sentence_chunks) if sentences else None
    return tokens, per_text_counts, sentence_ids, curly


def _slow_tokens(
    texts: list, *, sentences: bool, method: str, model: str, jobs: int | None, progress: bool | None
) -> tuple[pa.Array, np.ndarray, np.ndarray | None, bool]:
    """``_slow_piece`` over all texts, on ``jobs`` worker processes when that pays.

    ``jobs=None``: every core when the texts hold at least ``_PARALLEL_MIN_CHARS`` characters,
    else this process. Workers are started with "spawn" (safe with threads, same on every
    platform) and take consecutive pieces of texts, so the result is the same as ``jobs=1``.
    """
    sizes = np.fromiter((len(t) if isinstance(t, str) else 0 for t in texts), dtype=np.int64, count=len(texts))
    total = int(sizes.sum())
    show = progress if progress is not None else total > 20_000_000
    import multiprocessing

    if jobs is None:
        # A daemonic process (a Dask worker, a multiprocessing pool's worker) may not start
        # children: tokenize in it.
        big = total >= _PARALLEL_MIN_CHARS and not multiprocessing.current_process().daemon
        jobs = (os.cpu_count() or 1) if big else 1
    if jobs <= 1 or len(texts) < 2:
        return _slow_piece(texts, sentences, method, model, show)
    from concurrent.futures import ProcessPoolExecutor

    # A few pieces per worker, so that one slow piece does not leave the others idle.
    pieces = _pieces(sizes, max(total // (jobs * 4), 1))
    with ProcessPoolExecutor(min(jobs, len(pieces)), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_slow_piece, texts[a:b], sentences, method, model) for a, b in pieces]
        results = [f.result() for f in _progress(futures, total=len(futures), enabled=show, desc="tokenize")]
    tokens = pa.concat_arrays([r[0] for r in results])
    per_text = np.concatenate([r[1] for r in results])
    sentence_ids = np.concatenate([r[2] for r in results]) if sentences else None
    return tokens, per_text, sentence_ids, any(r[3] for r in results)


@supports_dask
def tokenize(
    articles: pd.DataFrame,
    *,
    fields: Sequence[str] = ("title", "text"),
    lower: bool = True,
    stopwords: bool | StopwordSource | Collection[str] = False,
    punct: bool = False,
    method: WordMethod = "regex",
    sentences: bool = True,
    model: SentenceModel = "builtin",
    progress: bool | None = None,
    jobs: int | None = None,
) -> pd.DataFrame:
    """Tokenize articles into the tokens table: one row per token.

    Parameters
    ----------
    articles
        An articles table; needs ``doc_id`` and the ``fields`` columns. Missing (NA) titles or
        texts produce no tokens. Not modified.
    fields
        Text columns to tokenize, in this order within each article.
    lower
        Lower-case the tokens.
    stopwords
        ``False`` (default) keeps every word; ``True`` or ``"toolkit"`` removes
        :data:`STOPWORDS`; ``"nltk"`` removes NLTK's list (if installed); any collection of
        words removes those. Matching ignores case and apostrophe style.
    punct
        Keep punctuation tokens (``False``, the default, keeps words only: tokens with a letter
        or a digit).
    method
        Word tokenizer, see :func:`word_tokenize`: ``"regex"`` (fast) or ``"nltk"``.
    sentences
        Split sentences (Punkt, see :func:`split_sentences`). With ``False`` the text is
        tokenized in one piece and the ``sentence`` column is all ``<NA>``; with
        ``method="regex"`` that is the fast, vectorised path (tens of MB/s), with tokens
        identical to :func:`word_tokenize`'s (except for letters of scripts added to Unicode
        after version 14, which Python 3.11 does not know as letters and Arrow does).
    model
        Sentence model for :func:`split_sentences`: ``"builtin"`` or ``"nltk"``.
    progress
        Show a progress bar (``tqdm``) on the sentence path. ``None`` (default) shows one only
        for corpora over 20 MB of text.
    jobs
        Cores to use. Without sentences and with ``method="regex"`` the words are cut by
        vectorised Arrow kernels on ``jobs`` threads (default: every core). With sentences or
        ``method="nltk"`` (Python code per text), ``jobs`` worker processes take consecutive
        pieces of the corpus (default: every core for corpora of 4 million characters or
        more, else 1). The result never depends on ``jobs``.

    Returns
    -------
    pandas.DataFrame
        Columns:

        - ``doc_id`` (categorical; compares equal to the articles' ``doc_id`` strings),
        - ``field`` (categorical: the ``fields`` names),
        - ``sentence`` (int32, 0-based within the field; ``<NA>`` when ``sentences=False``),
        - ``position`` (int32, 0-based index of the token within the field, counted over
          **all** tokens, punctuation and stopwords included, *before* any are removed: a
          removed token leaves a gap, so positions stay true to the text, e.g. for
          keyword-in-context windows),
        - ``token`` (str; curly apostrophes straightened, lower-cased if ``lower``).

        Rows are in article order, then ``fields`` order, then position.

    Raises
    ------
    ParameterError
        For unknown fields, methods, models or stopword sources.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "title": ["Moon visits Japan"],
    ...                      "text": ["Moon Jae-in didn't go. He left."]})
    >>> t = tokenize(arts, stopwords=True)
    >>> t["token"].tolist()
    ['moon', 'visits', 'japan', 'moon', 'jae-in', 'go', 'left']
    >>> t["position"].tolist()  # "did", "n't", ".", "he" removed but counted
    [0, 1, 2, 0, 1, 4, 7]
    >>> t["sentence"].tolist()
    [0, 0, 0, 0, 0, 0, 1]
    """
    if not isinstance(articles, pd.DataFrame):
        raise SchemaError(f"articles must be a pandas DataFrame, got {type(articles).__name__}.")
    if "doc_id" not in articles.columns:
        raise SchemaError(
            f"articles lacks the column 'doc_id'; it has {list(articles.columns)}. "
            "Load the corpus with toolkit.load_corpus(path) or add a unique doc_id column."
        )
    fields = _check_fields(articles, fields)
    _check_method(method)
    if not isinstance(sentences, bool):
        raise ParameterError("sentences", sentences, "True or False")
    jobs = _default_jobs(jobs)
    fast = method == "regex" and not sentences
    if not fast:
        _sentence_tokenizer(model)  # an unknown or uninstalled model fails here, not in a worker
    stop = _stopword_set(stopwords)

    doc_ids = articles["doc_id"]
    if doc_ids.isna().any() or doc_ids.duplicated().any():
        raise SchemaError("articles.doc_id must be unique and never missing; check with toolkit.validate_articles(articles).")
    categories = pd.Index(doc_ids.astype("str").to_numpy(), dtype="str")

    # One flat sequence of texts, article-major, fields in order: texts[i * n_fields + f].
    n_docs, n_fields = len(articles), len(fields)
    maybe_punct: np.ndarray | None = None
    sentence_ids: np.ndarray | None = None
    if fast:
        arrow_texts = _interleaved_texts(articles, fields)
        n_texts = len(arrow_texts)
        tokens, text_index, maybe_punct = _fast_words(arrow_texts, jobs=jobs)
        curly = bool(pc.any(pc.match_substring(arrow_texts, "\u2019")).as_py())
    else:
        columns = [articles[f].tolist() for f in fields]
        texts = [columns[f][d] for d in range(n_docs) for f in range(n_fields)]
        n_texts = len(texts)
        tokens, per_text, sentence_ids, curly = _slow_tokens(
            texts, sentences=sentences, method=method, model=model, jobs=jobs, progress=progress
        )
        text_index = np.repeat(np.arange(n_texts, dtype=np.int64), per_text)

    n_tokens = len(tokens)
    per_text_counts = np.bincount(text_index, minlength=n_texts)
    text_starts = np.cumsum(per_text_counts) - per_text_counts
    position = (np.arange(n_tokens, dtype=np.int64) - text_starts[text_index]).astype(np.int32)
    doc_codes = (text_index // n_fields).astype(np.int32)
    field_codes = (text_index % n_fields).astype(np.int8)

    tokens = _normalize_tokens(tokens, lower=lower, curly=curly)
    keep = np.ones(n_tokens, dtype=bool)
    if not punct:
        if maybe_punct is None:
            keep &= _word_mask(tokens)
        else:  # only tokens that are not plain letters and digits need the test
            check = np.flatnonzero(maybe_punct)
            keep[check] = _word_mask(tokens.take(pa.array(check)))
    if stop:
        keep &= ~_stop_mask(tokens, stop, lowered=lower)
    if not keep.all():
        tokens = tokens.filter(pa.array(keep))
        position, doc_codes, field_codes = position[keep], doc_codes[keep], field_codes[keep]

    if sentence_ids is not None:
        sentence_col = pd.Series(sentence_ids[keep], dtype=np.int32)
    else:
        sentence_col = pd.Series(
            pd.arrays.IntegerArray(np.zeros(len(tokens), dtype=np.int32), np.ones(len(tokens), dtype=bool))
        )
    out = pd.DataFrame(
        {
            "doc_id": pd.Categorical.from_codes(doc_codes, categories=categories),
            "field": pd.Categorical.from_codes(field_codes, categories=list(fields)),
            "sentence": sentence_col,
            "position": position,
            "token": _str_series(tokens),
        }
    )
    return out


# ---------------------------------------------------------------------------------------------
# n-grams
# ---------------------------------------------------------------------------------------------


def ngrams_of(words: Sequence[str], n: int = 2) -> list[tuple[str, ...]]:
    """Consecutive ``n``-word tuples of a sequence (like :func:`nltk.util.ngrams`).

    Examples
    --------
    >>> ngrams_of(["moon", "jae-in", "visits"], 2)
    [('moon', 'jae-in'), ('jae-in', 'visits')]
    """
    _check_n(n)
    words = list(words)
    return list(zip(*(words[i:] for i in range(n)), strict=False))


def _check_n(n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError("n", n, "an integer >= 1", hint="n=2 gives bigrams, n=3 trigrams.")


def _check_tokens(tokens: object, *, name: str = "tokens") -> pd.DataFrame:
    if not isinstance(tokens, pd.DataFrame):
        raise SchemaError(f"{name} must be a tokens table (a DataFrame from toolkit.tokenize), got {type(tokens).__name__}.")
    missing = [c for c in TOKEN_COLUMNS if c not in tokens.columns]
    if missing:
        raise SchemaError(
            f"{name} lacks the column(s) {missing}; a tokens table has {list(TOKEN_COLUMNS)}. "
            f"It has {list(tokens.columns)}. Make one with toolkit.tokenize(articles)."
        )
    return tokens


def _codes(series: pd.Series) -> np.ndarray:
    """Integer codes that are equal exactly where the values are equal (NA is its own value)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy()
    return pd.factorize(series, use_na_sentinel=False)[0]


def ngrams(
    tokens: pd.DataFrame,
    n: int = 2,
    *,
    sep: str = " ",
    contiguous: bool = False,
) -> pd.DataFrame:
    """n-grams of a tokens table, within sentences.

    An n-gram is ``n`` consecutive rows of ``tokens`` in the same article, field and sentence
    (rows with ``sentence`` ``<NA>`` count as one sentence per field); n-grams never cross a
    sentence or field boundary.

    Parameters
    ----------
    tokens
        A tokens table from :func:`tokenize`, in its row order.
    n
        Words per n-gram (>= 1).
    sep
        String placed between the words.
    contiguous
        ``False`` (default): n-grams of the rows as given, so with stopwords removed
        "Bank of England" gives "bank england". ``True``: only n-grams whose tokens were
        adjacent in the text (consecutive ``position``), so none bridges a removed token.

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, ``field``, ``sentence``, ``position`` (of the first token), ``ngram``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "title": [None], "text": ["Moon Jae-in spoke. He left."]})
    >>> ngrams(tokenize(arts), 2)["ngram"].tolist()
    ['moon jae-in', 'jae-in spoke', 'he left']
    """
    tokens = _check_tokens(tokens)
    _check_n(n)
    if not isinstance(sep, str):
        raise ParameterError("sep", sep, "a str, e.g. ' ' or '_'")
    count = len(tokens)
    m = max(count - n + 1, 0)
    group = _codes(tokens["doc_id"]).astype(np.int64)
    for column in ("field", "sentence"):
        codes = _codes(tokens[column]).astype(np.int64)
        group = group * (int(codes.max(initial=0)) + 1) + codes
    valid = group[:m] == group[n - 1 : n - 1 + m]
    if contiguous and n > 1:
        position = tokens["position"].to_numpy(dtype=np.int64)
        valid &= position[n - 1 : n - 1 + m] - position[:m] == n - 1
    words = _as_arrow_strings(tokens["token"])
    if n == 1:
        joined = words
    else:
        parts = [words.slice(i, m) for i in range(n)]
        joined = pc.binary_join_element_wise(*parts, pa.scalar(sep, type=words.type))
    idx = np.flatnonzero(valid)
    out = tokens.iloc[idx][["doc_id", "field", "sentence", "position"]].reset_index(drop=True)
    out["ngram"] = _str_series(joined.take(pa.array(idx)))
    return out
