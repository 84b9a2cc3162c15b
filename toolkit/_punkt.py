"""Punkt for the toolkit's built-in sentence model: NLTK's algorithm, faster, same sentences.

Imported only when sentences are split (:func:`toolkit.text._builtin_punkt`): importing NLTK
costs about a second and 90 MB (it imports scikit-learn and scipy when they are installed),
which word counts, topic matching and Dask workers do not need.
"""

from __future__ import annotations

import functools
import re

from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer


class _FastLangVars(PunktLanguageVars):
    """Punkt's English language variables, compiled with :mod:`re` instead of ``nltk.redos``.

    The pattern *texts* are NLTK's own; only the engine differs. NLTK 3.10 runs every pattern
    through the ``regex`` module under a wall-clock timeout, which costs more than the matching
    itself on the many short strings Punkt looks at. These patterns are NLTK's fixed, linear
    ones, so the ReDoS guard buys nothing here.
    """

    __slots__ = ()

    re_boundary_realignment = re.compile(
        PunktLanguageVars.re_boundary_realignment.pattern, re.MULTILINE
    )

    def __init__(self) -> None:
        self._re_word_tokenizer = re.compile(
            self._word_tokenize_fmt
            % {
                "NonWord": self._re_non_word_chars,
                "MultiChar": self._re_multi_char_punct,
                "WordStart": self._re_word_start,
            },
            re.UNICODE | re.VERBOSE,
        )
        self._re_period_context = re.compile(
            self._period_context_fmt
            % {"NonWord": self._re_non_word_chars, "SentEndChars": self._re_sent_end_chars},
            re.UNICODE | re.VERBOSE,
        )


# Punkt's token classifiers (nltk.tokenize.punkt.PunktToken), same patterns.
_PUNKT_NUMERIC = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_PUNKT_INITIAL = re.compile(r"[^\W\d]\.$")
_PUNKT_ELLIPSIS = re.compile(r"\.\.+$")
_PUNKT_PUNCTUATION = frozenset(";:,.!?")


class _BuiltinPunkt(PunktSentenceTokenizer):
    """Punkt with our parameters and a faster, equivalent boundary decision.

    NLTK's :class:`PunktSentenceTokenizer` finds candidate boundaries, then for each one
    builds ``PunktToken`` objects for a two- or three-token context and runs two annotation
    passes over them (:meth:`text_contains_sentbreak`). That per-candidate object work is
    most of Punkt's run time. With our parameters (abbreviations and sentence starters, but no
    collocations and no orthographic statistics) the decision reduces to the few rules in
    :meth:`_contains_break`, written here directly on strings and memoised on the context
    (contexts such as "said. The" recur). Everything else, finding candidates and realigning
    closing quotes, is NLTK's own code. ``tests/test_text.py`` checks that the sentences are
    identical to NLTK's tokenizer built with the same parameters.
    """

    def __init__(self, params: PunktParameters):
        if params.collocations or params.ortho_context:
            raise ValueError("_BuiltinPunkt only implements parameters without collocations or ortho_context")
        super().__init__(params, lang_vars=_FastLangVars())
        self._abbrevs = frozenset(params.abbrev_types)
        self._starters = frozenset(params.sent_starters)
        self._word_re = self._lang_vars._re_word_tokenizer
        # An instance attribute shadows the method NLTK's _slices_from_text calls.
        self.text_contains_sentbreak = functools.lru_cache(maxsize=1 << 16)(self._contains_break)  # type: ignore[method-assign]

    def _first_pass(self, tok: str) -> tuple[bool, bool, bool]:
        """(sentbreak, abbr, ellipsis) as Punkt's ``_first_pass_annotation`` sets them."""
        if tok in (".", "?", "!"):
            return True, False, False
        if _PUNKT_ELLIPSIS.match(tok):
            return False, False, True
        if tok.endswith(".") and not tok.endswith(".."):
            stem = tok[:-1].lower()
            if stem in self._abbrevs or stem.split("-")[-1] in self._abbrevs:
                return False, True, False
            return True, False, False
        return False, False, False

    def _contains_break(self, text: str) -> bool:
        """Equivalent of ``PunktSentenceTokenizer.text_contains_sentbreak`` for our parameters."""
        findall = self._word_re.findall
        toks: list[str] = []
        for line in text.split("\n"):
            if line.strip():
                toks.extend(findall(line))
        n = len(toks)
        if n < 2:
            return False
        first = [self._first_pass(t) for t in toks]
        for i in range(n - 1):
            tok1 = toks[i]
            sentbreak, abbr, ellipsis = first[i]
            if tok1.endswith("."):
                tok2 = toks[i + 1]
                typ = _PUNKT_NUMERIC.sub("##number##", tok1.lower())
                if len(typ) > 1 and typ[-1] == ".":
                    typ = typ[:-1]
                initial = _PUNKT_INITIAL.match(tok1) is not None
                # Punkt's orthographic heuristic with no orthographic statistics: lower-case
                # words and punctuation never start a sentence, anything else is "unknown".
                ortho_says_no = tok2 in _PUNKT_PUNCTUATION or tok2[0].islower()
                if (abbr or ellipsis) and not initial and tok2[0].isupper():
                    next_typ = _PUNKT_NUMERIC.sub("##number##", tok2.lower())
                    if first[i + 1][0] and len(next_typ) > 1 and next_typ[-1] == ".":
                        next_typ = next_typ[:-1]
                    if next_typ in self._starters:
                        sentbreak = True
                if initial or typ == "##number##":
                    if ortho_says_no or (initial and tok2[0].isupper()):
                        sentbreak = False
            if sentbreak:
                return True
        return False
