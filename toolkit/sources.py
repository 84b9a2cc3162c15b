"""Sources: wire agency credits and cited sources, per article and per outlet.

Two kinds of source are found, each a list per article:

- **wire**: news agencies the article is credited to, as canonical names (:data:`AGENCIES`),
  from the ``wire`` column (as the loaders fill it), the ``byline``, and credit lines in the
  text: ``With IANS Inputs`` / ``(With inputs from PTI)`` lines, ``WASHINGTON (AP) —`` and
  ``Seoul, Nov 4 (Yonhap) --`` datelines, ``(Reuters) -`` anywhere, ``— AFP`` ending a line,
  an agency name alone on the last line (``Reuter``, which signs off Reuters-21578),
  ``Source: ANI`` lines and ``Copyright 2020 The Associated Press`` notices (but not photo
  credits: ``© REUTERS / Jonathan Ernst``, ``© AP Photo``). An agency named elsewhere in the
  text is *not* a credit (it may be cited, or be the story).
- **cited**: who the article attributes information to, as written (whitespace collapsed,
  leading "the"/"a" dropped), found sentence by sentence with these phrases:

  ========================  =========================================  ==================
  phrase                    example                                    cited
  ========================  =========================================  ==================
  reports / citing / quoted ``..., reports Yonhap News Agency.``       Yonhap News Agency
  according to              ``according to the ministry``              ministry
                            ``according to data from Johns Hopkins``   Johns Hopkins
  told / interview with     ``told Reuters``, ``told the Korea         Reuters, Korea
    (news media only)       Herald`` (not ``Moon told Kishida``)       Herald
  spokesperson for          ``a spokesperson for Google``              Google
  X said / says / told ...  ``Kishida said``, ``The Foreign Ministry   Kishida, Foreign
                            said in a statement``, ``the official      Ministry, official
                            told reporters``
  "...," said X             ``"We will go," said Moon.``               Moon
  ========================  =========================================  ==================

Precision comes before recall. The subject of "said" must be a capitalized name, or a
lower-case noun phrase whose head is a source noun (:data:`SOURCE_NOUNS`: official,
ministry, police, spokesperson, ...); pronouns ("He said"), days and months ("on Thursday
said"), and names that follow a preposition or "and" ("the head of Samsung said", "Moon and
Kishida said") give nothing. Single source nouns are lower-cased ("Police said" -> police).
What is missed: subjects far from their verb, pronoun resolution, sources named in earlier
sentences, credit lines in other formats. On a random sample of 50 cited sources found in the
BBC corpus, 49 were right (the miss: "Media"); the whole corpus (2,225 articles) takes about
1.5 s of CPU.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.schema import require_articles

log = logging.getLogger(__name__)

__all__ = [
    "AGENCIES", "MENTION_COLUMNS", "SOURCE_NOUNS", "agency_of", "article_sources", "source_counts",
    "source_mentions",
]

Kind = Literal["wire", "cited"]
KINDS: tuple[str, ...] = get_args(Kind)

#: Canonical agency name -> the spellings that name it (matched case-sensitively, and in
#: capitals: "REUTERS"). Short acronyms ("AP", "PA", "UNI") are only ever matched in credit
#: positions (byline, wire column, credit lines, "told ...", "reports ...").
AGENCIES: Mapping[str, tuple[str, ...]] = {
    "IANS": ("IANS", "Indo-Asian News Service", "Indo Asian News Service"),
    "PTI": ("PTI", "Press Trust of India"),
    "ANI": ("ANI", "Asian News International"),
    "UNI": ("UNI", "United News of India"),
    "Reuters": ("Reuters", "Thomson Reuters", "Reuter"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Yonhap": ("Yonhap", "Yonhap News Agency", "Yonhap News"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "Jiji Press": ("Jiji Press", "Jiji"),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "EFE": ("EFE", "Agencia EFE"),
    "ANSA": ("ANSA",),
    "TASS": ("TASS", "ITAR-TASS"),
    "RIA Novosti": ("RIA Novosti",),
    "Interfax": ("Interfax",),
    "Anadolu Agency": ("Anadolu Agency", "Anadolu"),
    "UPI": ("UPI", "United Press International"),
    "AAP": ("AAP", "Australian Associated Press"),
    "Canadian Press": ("The Canadian Press", "Canadian Press"),
    "PA Media": ("PA Media", "Press Association", "PA"),
    "Bernama": ("Bernama",),
    "Antara": ("Antara",),
    "KCNA": ("KCNA", "Korean Central News Agency"),
    "WAM": ("WAM", "Emirates News Agency"),
    "Dow Jones": ("Dow Jones Newswires", "Dow Jones"),
}

#: Lower-case head nouns that make a noun phrase a source ("the foreign ministry said").
SOURCE_NOUNS: frozenset[str] = frozenset(
    """
    official officials spokesperson spokespersons spokesman spokesmen spokeswoman spokeswomen
    ministry ministries minister ministers department government police agency authorities
    authority military army navy court prosecutor prosecutors investigators source sources
    statement report company firm bank analyst analysts expert experts researcher researchers
    scientist scientists witness witnesses resident residents organisers organizers regulator
    regulators president chairman chairwoman chief director secretary commission committee
    council office embassy union newspaper broadcaster daily lawyer lawyers attorney attorneys
    doctor doctors hospital data figures survey study poll campaigners activists officer
    officers diplomat diplomats aide aides adviser advisers advisor advisors representative
    representatives executive executives manager coach group party insiders observers
    governor mayor senator lawmaker lawmakers legislator ceo cabinet
    """.split()
)

# Words in news-outlet names: "told the Korea Herald" is a source, "told Kishida" is not.
_MEDIA_WORDS = frozenset(
    """
    News Times Post Journal Herald Telegraph Guardian Tribune Gazette Express Mail Mirror
    Chronicle Daily Today Radio TV Television Broadcasting Broadcast Network Agency Press
    Magazine Review Standard Independent Observer Wire Newswire Newswires Channel Newspaper
    Insider Politico Axios BBC CNN CNBC NHK NPR ABC CBS NBC MSNBC Fox Jazeera Bloomberg Reuters
    Xinhua Yonhap Kyodo Sky Asahi Yomiuri Mainichi Hankyoreh Chosun JoongAng Nikkei Hindu
    Economist Spiegel Bild Monde Figaro Pravda Izvestia Forbes Fortune Vox Slate Atlantic
    """.split()
)

# Capitalized words that are never a source on their own.
_NOT_NAMES = frozenset(
    """
    He She It They We I You This That These Those There Here Who What Which Whom Whose One
    Someone Somebody Nobody Everyone Everybody Anyone Both Some Many Most Others Another All
    Each Either Neither None Few Several His Her Its Their Our My Your
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Yesterday Tomorrow Tonight
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Wed Thu Fri Sat Sun
    Officially Reportedly Separately Meanwhile However Also Reporters Journalists
    """.split()
)

# Leading words of a capitalized run that are sentence glue, not part of the name.
_LEADING = frozenset(
    """
    But And Or So Yet Also Then Now However Meanwhile Still Later Earlier Last Next On In At When
    While After Before As If Although Though Since Because Instead Moreover Separately
    Previously Overall Finally Again Already Even Only Just The A An Officially Reportedly
    Asked Speaking Separately Elsewhere Furthermore Additionally Similarly Indeed Yesterday
    Today Tomorrow Tonight Recently Also Hence Thus Nor Where Why How Whether Said
    """.split()
)

# A capitalized run right after one of these is the object of a phrase, not a subject.
_PREPOSITIONS = frozenset(
    """
    of in on at by for from with to into about after before since during and or nor than as
    like between against under over per via among without within through toward towards
    near across behind beyond including what whatever
    """.split()
)

# ---------------------------------------------------------------------------------------------
# Regular expressions
# ---------------------------------------------------------------------------------------------

# Upper-case letters of the Latin scripts (Python's re has no \p{Lu}).
_UP = "".join(sorted({c for c in map(chr, range(0x41, 0x250)) if c.isupper()}))
_UPPER = f"[{re.escape(_UP)}]"
# A capitalized word: "Moon", "Jae-in", "U.S.", "McDonald's", "AT&T", "Abe's".
_CAP = rf"{_UPPER}(?:[\w&\-]|['\u2019](?=\w)|\.(?=\w))*\.?"
_CONNECTOR = r"(?:(?:of|for|de|del|da|du|la|le|von|van|al|&)\s+(?:the\s+)?)"
_NAME = rf"{_CAP}(?:[^\S\n]+{_CONNECTOR}?{_CAP})*"
_MOD = r"[a-z][a-z\-'\u2019]*"
_DET = r"(?:[Tt]he|[Aa]n?)"
_SAY = (r"(?:said|says|say|told|added|adds|stated|states|announced|announces|confirmed|confirms|"
        r"warned|warns|reported|reports|explained|noted|notes|wrote|writes|tweeted|claimed|claims|"
        r"insisted|argued|argues|estimated|estimates|predicted|predicts|acknowledged)")
_WHEN = (r"(?:[^\S\n]+(?:on[^\S\n]+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
         r"yesterday|today|earlier|later|also|last[^\S\n]+(?:week|month|year)|this[^\S\n]+week))?")


def _agency_pattern(acronyms: bool) -> str:
    """Alternation of agency spellings (and their all-caps forms), longest first."""
    spellings: set[str] = set()
    for variants in AGENCIES.values():
        for v in variants:
            if not acronyms and v.isupper() and len(v) <= 3:
                continue
            spellings.add(v)
            spellings.add(v.upper())
    body = "|".join(re.escape(s).replace(r"\ ", r"[^\S\n]+") for s in sorted(spellings, key=lambda s: (-len(s), s)))
    return rf"(?<![\w&\-])(?:{body})(?![\w&\-])"


_AG = _agency_pattern(acronyms=True)
_AG_LIST = rf"{_AG}(?:[^\S\n]*(?:,|/|&|\band\b|\+)[^\S\n]*{_AG})*"

_CREDIT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "With IANS Inputs", "(With inputs from PTI)", "- With Reuters inputs"
    ("with inputs", re.compile(
        rf"(?m)^[^\S\n]*[\(\[]?[^\S\n]*(?:[-\u2013\u2014][^\S\n]*)?(?i:with)[^\S\n]+"
        rf"(?:(?i:(?:additional[^\S\n]+)?inputs?[^\S\n]+from)[^\S\n]+)?(?i:the[^\S\n]+)?"
        rf"(?:(?i:agencies)[^\S\n]*(?:,|and|&)[^\S\n]*)?(?P<ag>{_AG_LIST})"
        rf"(?:[^\S\n]+(?i:inputs?))?[^\S\n]*[\)\]]?[^\S\n]*\.?[^\S\n]*$")),
    # "WASHINGTON (AP) —", "Seoul, Nov 4 (Yonhap) --", "NEW DELHI: (PTI)"
    # (the place is capitalized words and numbers only: "The French agency (AFP) said" is no credit)
    ("dateline", re.compile(
        rf"(?m)^[^\S\n]*(?:{_UPPER}[\w.'\u2019\-]*(?:[^\S\n]*[,/][^\S\n]*|[^\S\n]+)"
        rf"(?:(?:{_UPPER}[\w.'\u2019\-]*|\d{{1,4}},?)(?:[^\S\n]*[,/][^\S\n]*|[^\S\n]+))*)?"
        rf"\((?P<ag>{_AG_LIST})\)(?=[^\S\n]*(?:[-\u2013\u2014:]|{_UPPER}|[\"\u201c]|$))")),
    # "(Reuters) -" anywhere
    ("credit", re.compile(rf"\((?P<ag>{_AG_LIST})\)[^\S\n]*[-\u2013\u2014:]")),
    # "... the ministry said. — AFP" at the end of a line
    ("sign-off", re.compile(rf"(?m)[-\u2013\u2014][^\S\n]*(?P<ag>{_AG_LIST})[^\S\n]*\.?[^\S\n]*$")),
    # "Source: ANI", "Inputs: PTI", "Courtesy: Reuters" lines
    ("source line", re.compile(rf"(?m)^[^\S\n]*(?i:source|inputs?|courtesy)[^\S\n]*:[^\S\n]*(?P<ag>{_AG_LIST})\b")),
    # "Copyright 2020 The Associated Press. All rights reserved.", "© Reuters 2020"
    ("copyright", re.compile(
        rf"(?:\u00a9|\((?i:c)\)|(?i:copyright))[^\S\n]*(?:\u00a9[^\S\n]*)?(?:\d{{4}}[^\S\n]*)?(?:(?i:the)[^\S\n]+)?(?P<ag>{_AG})"
        # "© REUTERS / Jonathan Ernst", "© AFP 2020 / STR", "© AP Photo": photo credits, not the story's
        rf"(?![^\S\n]*(?:\d{{4}}[^\S\n]*)?/|[^\S\n]+(?i:photos?|images?|file|video|pictures?)\b)")),
)
# An agency alone on the text's last line ("Reuter", "AFP").
_LAST_LINE = re.compile(rf"^[^\S\n]*(?P<ag>{_AG_LIST})[^\S\n]*\.?[^\S\n]*$")
_AG_FINDER = re.compile(_AG)


@functools.cache
def _spelling_index() -> dict[str, str]:
    """Every spelling (and its capitals, and lower case) -> canonical name."""
    index: dict[str, str] = {}
    for canonical, variants in AGENCIES.items():
        for v in variants:
            key = " ".join(v.split())
            index.setdefault(key, canonical)
            index.setdefault(key.upper(), canonical)
    return index


def agency_of(name: str) -> str | None:
    """The canonical agency for a spelling (``"Associated Press"`` -> ``"AP"``), else None.

    Case matters for short acronyms (``"ap"`` is not AP); longer names match in any case.

    Examples
    --------
    >>> agency_of("Yonhap News Agency"), agency_of("the Associated Press"), agency_of("Moon")
    ('Yonhap', 'AP', None)
    """
    if not isinstance(name, str):
        return None
    key = " ".join(name.split())
    index = _spelling_index()
    for candidate in (key, re.sub(r"^(?:the|The|THE)\s+", "", key)):
        if candidate in index:
            return index[candidate]
        if len(candidate) > 4:
            found = _lower_index().get(candidate.lower())
            if found:
                return found
    return None


@functools.cache
def _lower_index() -> dict[str, str]:
    """Spellings longer than four characters, lower-cased -> canonical name."""
    return {k.lower(): v for k, v in _spelling_index().items() if len(k) > 4}


def _agencies_in(text: str) -> list[str]:
    return [_spelling_index()[" ".join(m.group().split())] for m in _AG_FINDER.finditer(text)]


# --- cited sources --------------------------------------------------------------------------

_MEDIA_NAME = rf"(?:{_AG}|{_NAME})"
_HEAD = "(?:" + "|".join(sorted(SOURCE_NOUNS, key=lambda w: (-len(w), w))) + r")(?![\w\-])"
# A lower-case noun phrase ending in a source noun: "the senior official", "China's foreign
# ministry", "Xinhua news agency".
_LOWER_NP = rf"(?:{_DET}[^\S\n]+|{_NAME}(?:['\u2019]s?)?[^\S\n]+)?(?:{_MOD}[^\S\n]+){{0,2}}{_HEAD}"
_START = r"(?<![\w\-'\u2019.&])"
_TARGET = rf"(?P<np>{_LOWER_NP})|(?:{_DET}[^\S\n]+)?(?P<name>{_NAME})"

_CITED_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reports", re.compile(
        rf"(?<![\w\-])(?:reports|reported|quoted|[Qq]uoting|[Cc]iting|cited[^\S\n]+by|cites|reported[^\S\n]+by)"
        rf"[^\S\n]+(?:{_TARGET})")),
    ("according to", re.compile(
        rf"(?<![\w\-])(?i:according)[^\S\n]+to[^\S\n]+(?:{_TARGET})"
        rf"(?:[^\S\n]+(?:from|by|of|for|at)[^\S\n]+(?:{_DET}[^\S\n]+)?(?P<of>{_NAME}))?")),
    ("told", re.compile(
        rf"(?<![\w\-])(?:told|interview[^\S\n]+with|speaking[^\S\n]+to|spoke[^\S\n]+to|talking[^\S\n]+to)"
        rf"[^\S\n]+(?:{_DET}[^\S\n]+)?(?P<name>{_MEDIA_NAME})")),
    ("spokesperson for", re.compile(
        rf"(?<![\w\-])(?:spokesperson|spokesman|spokeswoman|representative|official|officials)"
        rf"[^\S\n]+(?:for|at|from|with|of)[^\S\n]+(?:{_DET}[^\S\n]+)?"
        rf"(?:(?P<np>(?:{_MOD}[^\S\n]+){{0,2}}{_HEAD})|(?P<name>{_NAME}))")),
    ("said", re.compile(
        rf"[,\"\u201d\u2019][^\S\n]*(?:said|says|added|adds)[^\S\n]+(?:(?P<np>{_LOWER_NP})|(?P<name>{_NAME}))"
        rf"(?=[^\S\n]*(?:[,.;:]|$)|[^\S\n]+(?:in|on|at|who|after|during|according)\b)")),
)
# Cheap substring tests (on the lower-cased sentence) that gate each pattern above.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "reports": ("report", "quot", "cit"),
    "according to": ("according",),
    "told": ("told", "interview", "spok", "speaking", "talking"),
    "spokesperson for": ("spokes", "representative", "official"),
    "said": ("said", "says", "added", "adds"),
}
# "X said": find the verb, then match the subject backwards from it (anchored at the verb, in
# a window before it), which is far faster than trying a subject at every position.
_SAY_RE = re.compile(rf"(?<![\w\-]){_SAY}\b")
_SUBJECT_RE = re.compile(
    rf"{_START}(?:(?P<np>{_LOWER_NP})|(?P<name>{_NAME})(?:,[^\S\n]+(?:who|the|a|an)[^\S\n][^,;\n]{{1,60}},)?)"
    rf"{_WHEN}[^\S\n]+$"
)
_SUBJECT_WINDOW = 160

_STOPWORDS: frozenset[str] | None = None


def _stop() -> frozenset[str]:
    global _STOPWORDS
    if _STOPWORDS is None:
        from toolkit.text import STOPWORDS

        _STOPWORDS = STOPWORDS | {"said", "says", "told", "say", "also", "reported"}
    return _STOPWORDS


def _clean_name(name: str) -> str | None:
    """Normalise a capitalized run to a source name, or None when it is not one."""
    words = name.split()
    while words and words[0] in _LEADING:
        words.pop(0)
    while words and words[-1].lower() in {"of", "for", "on", "the", "de", "la", "&", "and"}:
        words.pop()
    if not words:
        return None
    last = words[-1]
    if last.endswith(".") and not re.fullmatch(r"(?:\w\.)+", last):
        last = last[:-1]
    last = re.sub(r"['\u2019]s?$", "", last)
    words[-1] = last
    if not last:
        return None
    if len(words) == 1:
        word = words[0]
        if word in _NOT_NAMES or len(word) < 2:
            return None
        if word.lower() in SOURCE_NOUNS:
            return word.lower()
    elif words[0] in _NOT_NAMES and all(w in _NOT_NAMES for w in words):
        return None
    return " ".join(words)


def _clean_np(np_: str, *, truncate: bool = True) -> str | None:
    """Normalise a lower-case noun phrase: its head must be a source noun; drop determiners."""
    words = np_.split()
    if words and words[0] in ("the", "The", "a", "A", "an", "An"):
        words.pop(0)
    if not words or words[-1].lower() not in SOURCE_NOUNS:
        return None
    # Modifiers must be content words ("senior presidential official", not "when police").
    # Keep the tail after the last function word.
    stop = _stop()
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower() in stop:
            if not truncate:
                return None
            words = words[i + 1:]
            break
    if not words:
        return None
    return " ".join(words)


def _preceded_by_preposition(text: str, start: int) -> bool:
    before = text[max(0, start - 30):start].rstrip()
    if len(before) == len(text[max(0, start - 30):start]):
        return False  # no space before: start of the sentence, a quote or a bracket
    m = re.search(r"([A-Za-z]+)$", before)
    return bool(m and m.group(1).lower() in _PREPOSITIONS)


def _matches(sentence: str) -> list[tuple[str, re.Match[str], int]]:
    """(via, match, end of the evidence) of every attribution pattern in one sentence."""
    lower = sentence.lower()
    out = []
    for via, pattern in _CITED_PATTERNS:
        if any(t in lower for t in _TRIGGERS[via]):
            out.extend((via, m, m.end()) for m in pattern.finditer(sentence))
    for verb in _SAY_RE.finditer(sentence):
        m = _SUBJECT_RE.search(sentence, max(0, verb.start() - _SUBJECT_WINDOW), verb.start())
        if m:
            out.append(("said", m, verb.end()))
    return out


def _cited_in(sentence: str) -> list[tuple[str, str, str]]:
    """(source, via, evidence) for each attribution found in one sentence, in text order."""
    found: list[tuple[int, str, str, str]] = []
    for via, m, end in _matches(sentence):
        groups = m.groupdict()
        source: str | None = None
        if groups.get("of"):
            source = _clean_name(groups["of"])
        if source is None and groups.get("name"):
            if via == "said" and _preceded_by_preposition(sentence, m.start("name")):
                continue
            source = _clean_name(groups["name"])
            if via == "told" and source is not None:
                words = set(source.replace("-", " ").split())
                if agency_of(source) is None and not words & _MEDIA_WORDS:
                    continue
        elif source is None and groups.get("np"):
            # Only a subject may carry leading glue words ("when police said" -> police);
            # after "according to" or "citing" they mean the phrase is not the object.
            source = _clean_np(groups["np"], truncate=via == "said")
        if source:
            found.append((m.start(), source, via, sentence[m.start():end].strip()))
    found.sort(key=lambda f: f[0])
    return [(s, v, e) for _, s, v, e in found]


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

#: Columns of :func:`source_mentions`.
MENTION_COLUMNS: tuple[str, ...] = ("doc_id", "kind", "source", "agency", "n", "via", "evidence")

_GENERIC_WIRE = frozenset({"agencies", "agency", "wires", "wire", "wire services", "news agencies", "staff", "news desk"})


def _wire_column_values(value: object) -> list[tuple[str, str]]:
    if not isinstance(value, str) or not value.strip():
        return []
    out = []
    for part in re.split(r"[,;/&+|]|\band\b", value):
        part = re.sub(r"(?i)^\s*(?:with\s+)?(?:inputs?\s+from\s+)?|\s*inputs?\s*$", "", part).strip(" .()[]")
        if not part or part.lower() in _GENERIC_WIRE:
            continue
        out.append((agency_of(part) or part, part))
    return out


def _wire_credits(row: Mapping[str, object], fields: Sequence[str]) -> list[tuple[str, str, str]]:
    """(canonical agency, via, evidence) credits of one article, in discovery order."""
    credits: list[tuple[str, str, str]] = []
    for canonical, raw in _wire_column_values(row.get("wire")):
        credits.append((canonical, "wire column", raw))
    byline = row.get("byline")
    if isinstance(byline, str):
        for m in _AG_FINDER.finditer(byline):
            credits.append((_spelling_index()[" ".join(m.group().split())], "byline", byline.strip()))
    for field in fields:
        text = row.get(field)
        if not isinstance(text, str) or not text.strip():
            continue
        seen: set[int] = set()  # one credit found by two patterns ("(Reuters) -") counts once
        for via, pattern in _CREDIT_PATTERNS:
            for m in pattern.finditer(text):
                for found in _AG_FINDER.finditer(text, m.start("ag"), m.end("ag")):
                    if found.start() not in seen:
                        seen.add(found.start())
                        credits.append((_spelling_index()[" ".join(found.group().split())], via, m.group().strip()))
        last = text.rstrip().rsplit("\n", 1)[-1]
        m = _LAST_LINE.match(last)
        if m:
            for name in _agencies_in(m.group("ag")):
                credits.append((name, "sign-off", last.strip()))
    return credits




def source_mentions(
    articles: pd.DataFrame,
    *,
    fields: Sequence[str] = ("text",),
    progress: bool | None = None,
) -> pd.DataFrame:
    """Wire credits and cited sources, one row per article, kind and source.

    Parameters
    ----------
    articles
        An articles table: ``doc_id``, the ``fields`` columns, and optionally ``wire`` and
        ``byline``. Not modified.
    fields
        Text columns searched for credit lines and attributions (default: the body).
    progress
        Show a progress bar (``tqdm``); ``None`` (default) shows one for over 20 MB of text.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id``; ``kind`` (``"wire"`` or ``"cited"``); ``source`` (canonical agency
        name for wire credits, the name as written for cited sources); ``agency`` (the
        canonical agency when the source is a news agency, else ``<NA>``); ``n`` (how many
        times it was found); ``via`` (how it was first found: ``"wire column"``,
        ``"byline"``, ``"with inputs"``, ``"dateline"``, ``"credit"``, ``"sign-off"``,
        ``"source line"``, ``"copyright"``, ``"reports"``, ``"according to"``, ``"told"``,
        ``"spokesperson for"``, ``"said"``); ``evidence`` (the text that matched first).
        Rows are in article order, wire before cited, then in order of discovery.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "text": [
    ...     "SEOUL (Yonhap) -- Talks stalled, the ministry said. He said no more.\\n\\n"
    ...     "Kishida told Reuters he would wait."]})
    >>> source_mentions(arts)[["kind", "source", "via"]].values.tolist()
    [['wire', 'Yonhap', 'dateline'], ['cited', 'ministry', 'said'], ['cited', 'Kishida', 'said'], ['cited', 'Reuters', 'told']]
    """
    from toolkit.text import split_sentences

    articles, fields = require_articles(articles, fields)
    columns = [c for c in ("doc_id", "wire", "byline", *fields) if c in articles.columns]
    rows: list[tuple[str, str, str, str | None, int, str, str]] = []
    records: Iterable[dict] = articles[columns].to_dict("records")
    show = progress if progress is not None else sum(
        len(t) for f in fields for t in articles[f].tolist() if isinstance(t, str)) > 20_000_000
    if show:
        from tqdm.auto import tqdm

        records = tqdm(records, total=len(articles), desc="sources", unit="article")
    for record in records:
        doc_id = str(record["doc_id"])
        for kind, found in (
            ("wire", _wire_credits(record, fields)),
            ("cited", [hit for f in fields if isinstance(record.get(f), str)
                       for sentence in split_sentences(record[f]) for hit in _cited_in(sentence)]),
        ):
            first: dict[str, list] = {}
            for source, via, evidence in found:
                if source in first:
                    first[source][4] += 1
                else:
                    agency = source if kind == "wire" and source in AGENCIES else agency_of(source)
                    first[source] = [doc_id, kind, source, agency, 1, via, evidence]
            rows.extend(tuple(r) for r in first.values())
    out = pd.DataFrame(rows, columns=list(MENTION_COLUMNS))
    return out.astype({"doc_id": "str", "kind": "str", "source": "str", "agency": "str", "n": "int64",
                       "via": "str", "evidence": "str"})


def article_sources(
    articles: pd.DataFrame,
    *,
    fields: Sequence[str] = ("text",),
    mentions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Wire credits and cited sources of each article, as list columns.

    Parameters
    ----------
    articles
        An articles table (see :func:`source_mentions`). Not modified.
    fields
        Text columns searched (default: the body).
    mentions
        A table from :func:`source_mentions` to reuse.

    Returns
    -------
    pandas.DataFrame
        One row per article, in order: ``doc_id``, ``wire`` (list of canonical agency names)
        and ``cited`` (list of cited sources as written), each in order of discovery, without
        repeats; empty lists when none.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "wire": ["IANS"],
    ...                      "text": ["Seoul wants talks, reports Yonhap News Agency."]})
    >>> article_sources(arts).values.tolist()
    [['a', ['IANS'], ['Yonhap News Agency']]]
    """
    articles, fields = require_articles(articles, fields)
    table = source_mentions(articles, fields=fields) if mentions is None else _check_mentions(mentions)
    doc_ids = articles["doc_id"].astype("str").tolist()
    lists: dict[str, dict[str, list[str]]] = {d: {"wire": [], "cited": []} for d in doc_ids}
    for doc_id, kind, source in table[["doc_id", "kind", "source"]].itertuples(index=False):
        if doc_id in lists and source not in lists[doc_id][kind]:
            lists[doc_id][kind].append(source)
    return pd.DataFrame({
        "doc_id": pd.Series(doc_ids, dtype="str"),
        "wire": pd.Series([lists[d]["wire"] for d in doc_ids], dtype=object),
        "cited": pd.Series([lists[d]["cited"] for d in doc_ids], dtype=object),
    })


#: Alias of :func:`article_sources` (the name the issue used). Not exported from ``toolkit``:
#: there ``toolkit.sources`` is this module once it has been imported.
sources = article_sources


def _check_mentions(mentions: object) -> pd.DataFrame:
    if not isinstance(mentions, pd.DataFrame) or any(c not in mentions.columns for c in ("doc_id", "kind", "source", "agency")):
        have = list(mentions.columns) if isinstance(mentions, pd.DataFrame) else type(mentions).__name__
        raise SchemaError(f"mentions must be the table from toolkit.sources.source_mentions(articles); got {have}.")
    return mentions


def _sample_rows(articles: pd.DataFrame, by_cols: list[str], sample: int, seed: int) -> np.ndarray:
    """Positions of at most ``sample`` articles per group, drawn with ``seed``, in table order."""
    if by_cols:
        codes = articles.groupby(by_cols, sort=True, observed=True, dropna=False).ngroup().to_numpy()
    else:
        codes = np.zeros(len(articles), dtype=np.int64)
    keep = []
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for rank, rows in enumerate(np.split(order, bounds)):
        if len(rows) > sample:
            rows = np.random.default_rng([seed, rank]).choice(rows, size=sample, replace=False)
        keep.append(rows)
    return np.sort(np.concatenate(keep)) if keep else np.array([], dtype=np.int64)


def source_counts(
    articles: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    kind: Kind | None = None,
    canonical: bool = True,
    fields: Sequence[str] = ("text",),
    mentions: pd.DataFrame | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """How many articles of each group credit or cite each source, with the denominator.

    Parameters
    ----------
    articles
        An articles table (see :func:`source_mentions`). Not modified.
    by
        Grouping column(s) of the articles table; ``None`` for the whole corpus.
    kind
        ``"wire"``, ``"cited"``, or ``None`` (default) for both.
    canonical
        Count cited news agencies under their canonical name (``"Yonhap News Agency"`` and
        ``"Yonhap"`` both as ``"Yonhap"``). Other cited names are counted as written.
    fields
        Text columns searched (default: the body).
    mentions
        A table from :func:`source_mentions` to reuse.
    sample
        At most this many articles per group: a group with more articles is represented by a
        random sample of ``sample`` of them, drawn with ``seed`` (the draw for a group depends
        on the seed and the group's rank in sorted order only). ``n`` and ``n_articles`` then
        count sampled articles, so ``share`` is an estimate; say so where you show it.
        ``None`` (default): every article. Finding sources costs about 1 ms per article.
    seed
        Seed of the sample.

    Returns
    -------
    pandas.DataFrame
        One row per group, kind and source with at least one article: the ``by`` columns,
        ``kind``, ``source``, ``n`` (articles of the group that credit/cite it),
        ``n_articles`` (all articles of the group, or its sampled articles with ``sample``:
        the denominator) and ``share`` (``n / n_articles``). Sorted by group, kind, then
        ``n`` descending and source.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "X"], "wire": ["PTI", None],
    ...                      "text": ["It rained.", "It rained."]})
    >>> source_counts(arts)[["outlet", "kind", "source", "n", "n_articles", "share"]].values.tolist()
    [['X', 'wire', 'PTI', 1, 2, 0.5]]
    """
    articles, fields = require_articles(articles, fields)
    if kind is not None and kind not in KINDS:
        raise ParameterError("kind", kind, f"None or {one_of(KINDS)}")
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    bad = [c for c in by_cols if not isinstance(c, str) or c not in articles.columns]
    if bad or len(set(by_cols)) != len(by_cols):
        raise ParameterError("by", by, f"None or distinct column names of the articles table ({one_of(articles.columns)})")
    clash = [c for c in by_cols if c in ("doc_id", "kind", "source", "n", "n_articles", "share")]
    if clash:
        raise ParameterError("by", by, "columns not named like the output columns", hint=f"Rename {clash} first.")
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int) or sample < 1):
        raise ParameterError("sample", sample, "None or an integer >= 1",
                             hint="sample=2000 searches at most 2,000 articles per group.")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ParameterError("seed", seed, "an integer", hint="seed=0")
    if sample is not None:
        articles = articles.iloc[_sample_rows(articles, by_cols, sample, seed)]
        if mentions is not None:
            mentions = _check_mentions(mentions)
            mentions = mentions[mentions["doc_id"].astype("str").isin(articles["doc_id"].astype("str"))]
    table = source_mentions(articles, fields=fields) if mentions is None else _check_mentions(mentions)
    if kind is not None:
        table = table[table["kind"] == kind]
    table = table[["doc_id", "kind", "source", "agency"]].copy()
    if canonical:
        table["source"] = table["agency"].where(table["agency"].notna(), table["source"])
    table = table.drop(columns="agency").drop_duplicates()
    meta = articles[["doc_id", *by_cols]].astype({"doc_id": "str"})
    if by_cols:
        totals = meta.groupby(by_cols, sort=True, observed=True, dropna=False).size().rename("n_articles").reset_index()
    else:
        totals = pd.DataFrame({"n_articles": [len(meta)]})
    data = table.astype({"doc_id": "str"}).merge(meta, on="doc_id", how="inner")
    keys = [*by_cols, "kind", "source"]
    counts = data.groupby(keys, sort=False, observed=True, dropna=False).size().rename("n").reset_index()
    out = counts.merge(totals, on=by_cols, how="left") if by_cols else counts.assign(n_articles=len(meta))
    out["share"] = out["n"] / out["n_articles"]
    out = out.sort_values([*by_cols, "kind", "n", "source"], ascending=[True] * len(by_cols) + [True, False, True])
    out = out.astype({"n": "int64", "n_articles": "int64", "kind": "str", "source": "str"})
    return out[[*by_cols, "kind", "source", "n", "n_articles", "share"]].reset_index(drop=True)
