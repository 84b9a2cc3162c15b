"""Plain-language summaries: short sentences computed from the coverage tables.

Every report opens with a few sentences such as "Daily Meridian gave “Climate summit” 83.3% of
its coverage (10 of 12 articles), more than twice the corpus average (39.2%)." The figures come
from :func:`toolkit.outlet_shares`, :func:`toolkit.attention`, :func:`toolkit.detect_spikes`,
:func:`toolkit.prominence` and :func:`toolkit.cooccurrence`; this module only words them.

The rules, so that a sentence never claims more than the data carry:

- **Minimum size.** No sentence compares a group (an outlet) with fewer than ``min_articles``
  articles in its denominator (default :data:`MIN_ARTICLES`), and no peak is named with fewer
  than ``min_matching`` matching articles (default :data:`MIN_MATCHING`).
- **Comparisons.** A group's share is compared with the rest of the corpus (every other
  article) using the two 95% Wilson intervals. Only when the intervals do **not** overlap does a
  sentence say "above" / "below" the corpus average, or a multiple: "more than twice" (ratio to
  the corpus average >= 2), "more than three times" (>= 3) ..., "less than half" (<= 0.5).
  Otherwise it says "not clearly different from the corpus average". The average quoted is the
  share in the whole corpus (``share_all`` of :func:`toolkit.outlet_shares`).
- **Peaks.** The peak of a topic is its period with the most matching articles; ties are said.
- **Spikes** are the periods :func:`toolkit.detect_spikes` flags (robust z-score), as flagged.

Sentences are plain text; :func:`summary_markdown` escapes them for Markdown display, so outlet
and topic names (and anything else from the data) can hold ``*``, ``_``, ``<`` or ``&`` safely.
"""

from __future__ import annotations

import html
import logging
import math
import re
from collections.abc import Sequence
from typing import Literal

import pandas as pd
from IPython.display import Markdown

from toolkit.coverage import (
    attention,
    cooccurrence,
    detect_spikes,
    outlet_shares,
    prominence,
    topic_shares,
    wilson_interval,
)
from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.periods import Freq, check_freq

__all__ = [
    "MIN_ARTICLES",
    "MIN_MATCHING",
    "comparison_groups",
    "coverage_summary",
    "escape_markdown",
    "outlet_summary",
    "peak_sentences",
    "reach_sentence",
    "require_topic",
    "share_sentences",
    "spike_articles",
    "spike_sentences",
    "summary_markdown",
    "topic_summary",
    "wire_share",
]

logger = logging.getLogger(__name__)

#: Fewest articles in a denominator (an outlet, a period) for any sentence about it.
MIN_ARTICLES = 10
#: Fewest matching articles for naming a peak period.
MIN_MATCHING = 3
#: Most groups named one by one in a summary; beyond it, only the largest are.
_MAX_LISTED = 4

_SHARE_COLUMNS = ("topic", "n_matching", "n_total", "share", "n_topic", "n_all", "share_all")
_TIMELINE_COLUMNS = ("period", "topic", "n_matching", "n_total")


# --------------------------------------------------------------------------------------------
# Wording helpers
# --------------------------------------------------------------------------------------------


def _pct(share: float) -> str:
    """A share as a percentage with one decimal ("4.2%"); tiny non-zero shares as "<0.1%"."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n/a"
    if 0 < share < 0.0005:
        return "<0.1%"
    return f"{100 * share:.1f}%"


def _quote(name: object) -> str:
    """A topic name in typographic quotes, so that multi-word names read as one."""
    return f"\u201c{name}\u201d"


def _period_phrase(period: pd.Timestamp, freq: Freq) -> str:
    """ "in the week of 1 November 2021", "on 2 November 2021", "in November 2021", ..."""
    ts = pd.Timestamp(period)
    day = f"{ts.day} {ts:%B %Y}"
    if freq == "D":
        return f"on {day}"
    if freq == "W":
        return f"in the week of {day}"
    if freq == "M":
        return f"in {ts:%B %Y}"
    if freq == "Q":
        return f"in Q{ts.quarter} {ts.year}"
    return f"in {ts.year}"


_TIMES = {2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times", 7: "seven times",
          8: "eight times", 9: "nine times", 10: "ten times"}


def _multiple(ratio: float) -> str | None:
    """Words for a ratio to the average, or None when it is between half and twice."""
    if ratio >= 2:
        k = math.floor(ratio + 1e-9)
        words = _TIMES.get(k, f"{k} times")
        exact = abs(ratio - k) < 1e-9
        return f"{words} the corpus average" if exact else f"more than {words} the corpus average"
    if ratio <= 0.5:
        return "half the corpus average" if abs(ratio - 0.5) < 1e-9 else "less than half the corpus average"
    return None


def _check_min(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ParameterError(name, value, f"an integer >= {low}", hint=f"Use e.g. {name}={max(low, 10)}.")
    return value


def _require(table: object, columns: Sequence[str], name: str, fix: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise SchemaError(f"{name} must be a pandas DataFrame, got {type(table).__name__}. {fix}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{name} lacks column(s) {one_of(missing)}; it has {one_of(list(table.columns))}. {fix}"
        )
    return table


def _topic_list(matches: pd.DataFrame, topics: Sequence[str] | None) -> list[str]:
    if topics is not None:
        return list(topics)
    return list(dict.fromkeys(matches["topic"].astype(str))) if "topic" in matches.columns else []


def _check_topic(topic: object, known: Sequence[str]) -> str:
    if not isinstance(topic, str) or topic not in known:
        raise ParameterError(
            "topic",
            topic,
            f"one of the dictionary's topics: {one_of(known)}",
            hint="Spell the topic exactly as in the topic dictionary (case matters).",
        )
    return topic


# --------------------------------------------------------------------------------------------
# Sentences from tables
# --------------------------------------------------------------------------------------------


def share_sentences(
    shares: pd.DataFrame,
    *,
    by: str = "outlet",
    topics: Sequence[str] | None = None,
    min_articles: int = MIN_ARTICLES,
    level: float = 0.95,
    notable_only: bool = True,
    max_sentences: int | None = None,
) -> list[str]:
    """Sentences comparing each group's share of a topic with the corpus average.

    A sentence is written for a group x topic only when the group has at least
    ``min_articles`` articles. It says "more than twice the corpus average" (or "above",
    "below", "less than half", ...) only when the group's Wilson interval and that of the rest
    of the corpus (``n_topic - n_matching`` of ``n_all - n_total``) do not overlap; otherwise
    "not clearly different from the corpus average".

    Parameters
    ----------
    shares
        A table from :func:`toolkit.outlet_shares` (``by``, ``topic``, ``n_matching``,
        ``n_total``, ``share``, ``n_topic``, ``n_all``, ``share_all``).
    by
        The group column.
    topics
        Only these topics (default: all, in table order).
    min_articles
        Fewest articles a group needs for a sentence.
    level
        Confidence level of the Wilson intervals.
    notable_only
        Keep only the sentences with a clear difference (default), strongest ratio first;
        ``False`` gives one sentence per group x topic in table order.
    max_sentences
        Keep at most this many.

    Returns
    -------
    list of str

    Examples
    --------
    >>> t = pd.DataFrame({"outlet": ["A", "B"], "topic": "Rain", "n_matching": [30, 10],
    ...     "n_total": [50, 150], "share": [0.6, 10 / 150], "n_topic": 40, "n_all": 200,
    ...     "share_all": 0.2})
    >>> share_sentences(t)[0]
    'A gave “Rain” 60.0% of its coverage (30 of 50 articles), three times the corpus average (20.0%).'
    """
    _require(shares, [by, *_SHARE_COLUMNS], "shares", "Make it with toolkit.outlet_shares(articles, matches).")
    _check_min(min_articles, "min_articles", 1)
    table = shares if topics is None else shares[shares["topic"].isin(list(topics))]
    table = table[table["n_total"] >= min_articles]
    found: list[tuple[float, str]] = []
    for row in table.itertuples(index=False):
        r = row._asdict()
        k, n = int(r["n_matching"]), int(r["n_total"])
        rest_k, rest_n = int(r["n_topic"]) - k, int(r["n_all"]) - n
        share, average = float(r["share"]), float(r["share_all"])
        head = (
            f"{r[by]} gave {_quote(r['topic'])} {_pct(share)} of its coverage "
            f"({k} of {n} articles)"
        )
        if rest_n <= 0 or average == 0:
            if not notable_only:
                found.append((0.0, f"{head}."))
            continue
        lo, hi = (float(x) for x in wilson_interval(k, n, level=level))
        rest_lo, rest_hi = (float(x) for x in wilson_interval(rest_k, rest_n, level=level))
        ratio = share / average
        clear = lo > rest_hi or hi < rest_lo
        if clear and k == 0:
            found.append((-1.0, f"{r[by]} did not mention {_quote(r['topic'])} in any of its {n} articles "
                                f"(corpus average {_pct(average)})."))
        elif clear:
            words = _multiple(ratio) or ("above the corpus average" if ratio > 1 else "below the corpus average")
            # Over-representation first (largest ratio first), then under (smallest first).
            rank = ratio if ratio > 1 else -1.0 + ratio
            found.append((rank, f"{head}, {words} ({_pct(average)})."))
        elif not notable_only:
            found.append((0.0, f"{head}, not clearly different from the corpus average ({_pct(average)})."))
    if notable_only:
        found.sort(key=lambda x: -x[0])  # stable: ties keep table order
    sentences = [s for _, s in found]
    return sentences if max_sentences is None else sentences[:max_sentences]


def reach_sentence(shares: pd.DataFrame) -> str:
    """One sentence on how many articles mention each topic, most-mentioned first.

    Parameters
    ----------
    shares
        A table from :func:`toolkit.topic_shares` (``topic``, ``n_matching``, ``n_total``,
        ``share``) without groups.

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"topic": ["Rain", "Snow"], "n_matching": [3, 9], "n_total": 20,
    ...     "share": [0.15, 0.45]})
    >>> reach_sentence(t)
    'Of the 20 articles, 9 (45.0%) mention “Snow” and 3 (15.0%) “Rain”.'
    """
    _require(shares, ("topic", "n_matching", "n_total", "share"), "shares",
             "Make it with toolkit.topic_shares(articles, matches).")
    if shares.empty:
        return "No topic to report."
    total = int(shares["n_total"].iloc[0])
    if total == 0:
        return "No articles were selected."
    rows = shares.sort_values("n_matching", ascending=False, kind="stable")
    parts = [f"{int(r.n_matching)} ({_pct(float(r.share))}) {_quote(r.topic)}" for r in rows.itertuples(index=False)]
    first = parts[0].replace(" \u201c", " mention \u201c", 1)
    if len(parts) == 1:
        return f"Of the {total} articles, {first}."
    middle = "".join(f", {p}" for p in parts[1:-1])
    return f"Of the {total} articles, {first}{middle} and {parts[-1]}."


def peak_sentences(
    timeline: pd.DataFrame,
    *,
    freq: Freq = "W",
    topics: Sequence[str] | None = None,
    min_matching: int = MIN_MATCHING,
) -> list[str]:
    """One sentence per topic naming its busiest period ("Attention to X peaked in ...").

    The peak is the period with the most matching articles (``n_matching``); the sentence
    gives the count and the period's denominator. No sentence for a topic whose peak has fewer
    than ``min_matching`` articles. Ties are said ("..., and as many in 2 other periods").

    Parameters
    ----------
    timeline
        A table from :func:`toolkit.attention` without ``by`` (``period``, ``topic``,
        ``n_matching``, ``n_total``).
    freq
        The table's period length, for the wording ("in the week of ...", "on ...").
    topics
        Only these topics (default: all, in table order).
    min_matching
        Fewest matching articles for a peak to be named.

    Returns
    -------
    list of str

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2021-10-25", "2021-11-01"], utc=True),
    ...     "topic": "South Korea", "n_matching": [3, 12], "n_total": [30, 40]})
    >>> peak_sentences(t)
    ['Attention to “South Korea” peaked in the week of 1 November 2021 (12 of 40 articles).']
    """
    _require(timeline, _TIMELINE_COLUMNS, "timeline", "Make it with toolkit.attention(articles, matches).")
    freq = check_freq(freq)
    _check_min(min_matching, "min_matching", 1)
    sentences = []
    for topic in topics if topics is not None else list(dict.fromkeys(timeline["topic"])):
        rows = timeline[timeline["topic"] == topic].sort_values("period", kind="stable")
        if rows.empty:
            continue
        best = int(rows["n_matching"].max())
        if best < min_matching:
            continue
        top = rows[rows["n_matching"] == best]
        first = top.iloc[0]
        text = (
            f"Attention to {_quote(topic)} peaked {_period_phrase(first['period'], freq)} "
            f"({best} of {int(first['n_total'])} articles)"
        )
        others = len(top) - 1
        if others:
            text += f", and reached as many in {others} other period{'s' if others > 1 else ''}"
        sentences.append(text + ".")
    return sentences


def spike_sentences(
    spikes: pd.DataFrame,
    *,
    freq: Freq = "W",
    value: Literal["share", "n_matching"] = "share",
    topics: Sequence[str] | None = None,
) -> list[str]:
    """One sentence per flagged spike, in period order ("“X” spiked in ...").

    Parameters
    ----------
    spikes
        A table from :func:`toolkit.detect_spikes` (``period``, ``topic``, ``n_matching``,
        ``n_total``, ``baseline``, ``is_spike``) without group columns.
    freq
        The period length, for the wording.
    value
        The figure :func:`toolkit.detect_spikes` watched (the unit of ``baseline``).
    topics
        Only these topics.

    Returns
    -------
    list of str

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2021-11-02"], utc=True), "topic": "Rain",
    ...     "n_matching": [9], "n_total": [20], "share": [0.45], "baseline": [0.1], "is_spike": [True]})
    >>> spike_sentences(t, freq="D")
    ['“Rain” spiked on 2 November 2021: 9 of 20 articles (45.0%), against a usual 10.0%.']
    """
    _require(spikes, [*_TIMELINE_COLUMNS, "baseline", "is_spike"], "spikes",
             "Make it with toolkit.detect_spikes(toolkit.attention(...)).")
    freq = check_freq(freq)
    if value not in ("share", "n_matching"):
        raise ParameterError("value", value, one_of(["share", "n_matching"]))
    flagged = spikes[spikes["is_spike"].fillna(False).astype(bool)]
    if topics is not None:
        flagged = flagged[flagged["topic"].isin(list(topics))]
    sentences = []
    for _, row in flagged.sort_values(["period", "topic"], kind="stable").iterrows():
        k, n = int(row["n_matching"]), int(row["n_total"])
        share = row.get("share", k / n if n else float("nan"))
        base = float(row["baseline"])
        # The baseline is in the unit detect_spikes watched: a share (<= 1) or a count.
        usual = _pct(base) if value == "share" else f"{base:g} articles a period"
        sentences.append(
            f"{_quote(row['topic'])} spiked {_period_phrase(row['period'], freq)}: {k} of {n} "
            f"articles ({_pct(float(share))}), against a usual {usual}."
        )
    return sentences


# --------------------------------------------------------------------------------------------
# Summaries from articles and matches
# --------------------------------------------------------------------------------------------


def coverage_summary(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    topics: Sequence[str] | None = None,
    by: str = "outlet",
    freq: Freq = "W",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    min_articles: int = MIN_ARTICLES,
    max_sentences: int = 10,
    dedupe: bool = False,
) -> list[str]:
    """The opening sentences of a coverage report.

    In order: how many articles mention each topic (:func:`reach_sentence`); the clearest
    differences between groups (see :func:`share_sentences`, at most a third of
    ``max_sentences``); each topic's peak period (:func:`peak_sentences`) and any spikes
    (:func:`spike_sentences`, with :func:`toolkit.detect_spikes`' defaults on the share).

    Parameters
    ----------
    articles, matches
        The articles table and its :func:`toolkit.match_topics` table.
    topics
        The topics, in the order to report them (default: as in ``matches``).
    by
        The group column compared (default ``"outlet"``).
    freq, start, end
        The timeline, as in :func:`toolkit.attention`.
    min_articles
        Fewest articles in a group for a sentence about it.
    max_sentences
        At most this many sentences in all.
    dedupe
        Count duplicate articles once (needs the loader's ``is_duplicate`` flags).

    Returns
    -------
    list of str

    Examples
    --------
    >>> from toolkit.topics import match_topics
    >>> arts = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4"], "outlet": ["A", "A", "B", "B"],
    ...     "published": pd.to_datetime(["2021-11-01"] * 4, utc=True),
    ...     "title": ["Rain", "Sun", "Rain", "Snow"], "text": ["", "", "", ""]})
    >>> coverage_summary(arts, match_topics(arts, {"Rain": ["rain"]}))[0]
    'Of the 4 articles, 2 (50.0%) mention “Rain”.'
    """
    _check_min(min_articles, "min_articles", 1)
    _check_min(max_sentences, "max_sentences", 1)
    names = _topic_list(matches, topics)
    overall = topic_shares(articles, matches, topics=names)
    overall = overall[overall["topic"].isin(names)]
    sentences = [reach_sentence(overall)] if len(overall) else []
    shares = outlet_shares(articles, matches, by=by, topics=names, dedupe=dedupe)
    sentences += share_sentences(
        shares, by=by, topics=names, min_articles=min_articles, max_sentences=max(1, max_sentences // 3)
    )
    timeline = attention(articles, matches, freq=freq, start=start, end=end, topics=names, dedupe=dedupe)
    timeline = timeline[timeline["topic"].isin(names)]
    sentences += peak_sentences(timeline, freq=freq, topics=names)
    if len(timeline):
        sentences += spike_sentences(detect_spikes(timeline), freq=freq)
    return sentences[:max_sentences]


def outlet_summary(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    by: str = "outlet",
    outlets: Sequence[str] | None = None,
    topics: Sequence[str] | None = None,
    min_articles: int = MIN_ARTICLES,
    max_sentences: int = 12,
) -> list[str]:
    """Opening sentences comparing outlets (or other groups): volume, main topic, differences.

    One sentence per group with its number of articles (with more than four groups, one
    sentence naming the three largest); for each of the first four groups with at least
    ``min_articles`` articles, its most-mentioned topic; then the clear differences from the
    corpus average (:func:`share_sentences`) up to ``max_sentences``. Groups below the minimum
    are named once as too small to compare.

    Parameters
    ----------
    articles, matches
        The articles table and its :func:`toolkit.match_topics` table.
    by
        The group column (default ``"outlet"``).
    outlets
        Only these groups, in this order (default: all, largest first).
    topics
        Only these topics.
    min_articles
        Fewest articles for a sentence about a group's topics.
    max_sentences
        At most this many sentences.

    Returns
    -------
    list of str
    """
    _check_min(min_articles, "min_articles", 1)
    if by not in articles.columns:
        raise ParameterError(by, by, f"a column of the articles table: {one_of(list(articles.columns))}")
    names = _topic_list(matches, topics)
    if articles.empty:
        return ["No articles were selected."]
    counts = articles[by].value_counts(dropna=True)
    groups = list(counts.index) if outlets is None else [g for g in outlets if g in counts.index]
    total = len(articles)
    if len(groups) <= _MAX_LISTED:
        sentences = [
            f"{g} published {int(counts[g])} of the {total} articles ({_pct(counts[g] / total)})." for g in groups
        ]
    else:
        largest = [f"{g} ({int(counts[g])}, {_pct(counts[g] / total)})" for g in counts.index[:3] if g in groups]
        kind = "outlets" if by == "outlet" else f"values of {by}"
        sentences = [
            f"The {int(counts[groups].sum())} articles come from {len(groups)} {kind}; the largest are "
            f"{', '.join(largest[:-1])} and {largest[-1]}."
        ]
    shares = outlet_shares(articles, matches, by=by, topics=names)
    shares = shares[shares[by].isin(groups) & shares["topic"].isin(names)]
    # The main topic of each group, for the first few groups only: with dozens of outlets the
    # clear differences (below) say more than a list.
    for g in groups[:_MAX_LISTED]:
        rows = shares[(shares[by] == g) & (shares["n_total"] >= min_articles)]
        if rows.empty or rows["n_matching"].max() == 0:
            continue
        top = rows.sort_values("n_matching", ascending=False, kind="stable").iloc[0]
        sentences.append(
            f"{g}'s most-mentioned topic was {_quote(top['topic'])} "
            f"({int(top['n_matching'])} of {int(top['n_total'])} articles, {_pct(float(top['share']))})."
        )
    small = [str(g) for g in groups if counts[g] < min_articles]
    if small:
        listed = ", ".join(small) if len(small) <= _MAX_LISTED else (
            f"{len(small)} of them, e.g. {', '.join(small[:3])}")
        sentences.append(f"Too few articles (under {min_articles}) for comparisons: {listed}.")
    sentences += share_sentences(shares, by=by, min_articles=min_articles,
                                 max_sentences=max(0, max_sentences - len(sentences)) or 1)
    return sentences[:max_sentences]


def topic_summary(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    topic: str,
    *,
    by: str = "outlet",
    freq: Freq = "W",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    topics: Sequence[str] | None = None,
    min_articles: int = MIN_ARTICLES,
    max_sentences: int = 10,
) -> list[str]:
    """Opening sentences about one topic: reach, prominence, peak, spikes, outlets, companions.

    Parameters
    ----------
    articles, matches
        The articles table and its :func:`toolkit.match_topics` table.
    topic
        The topic (a name in ``matches``, or in ``topics`` when given).
    by
        The group column for the outlet sentences.
    freq, start, end
        The timeline, as in :func:`toolkit.attention`.
    topics
        All the dictionary's topics (to validate ``topic``, and for co-occurrence).
    min_articles
        Fewest articles in a group for a sentence about it.
    max_sentences
        At most this many sentences.

    Returns
    -------
    list of str

    Raises
    ------
    ParameterError
        When ``topic`` is not one of the topics.
    """
    names = _topic_list(matches, topics)
    _check_topic(topic, names)
    _check_min(min_articles, "min_articles", 1)
    row = topic_shares(articles, matches, topics=[topic]).iloc[0]
    k, n = int(row["n_matching"]), int(row["n_total"])
    if n == 0:
        return ["No articles were selected."]
    sentences = [
        f"{_quote(topic)} was mentioned in {k} of {n} articles ({_pct(float(row['share']))}, "
        f"95% interval {_pct(float(row['ci_low']))} to {_pct(float(row['ci_high']))})."
    ]
    if k == 0:
        return sentences
    prom = prominence(articles, matches, topics=[topic])
    prom = prom[prom["topic"] == topic]
    if len(prom) and int(prom.iloc[0]["n_matching"]):
        p = prom.iloc[0]
        sentences.append(
            f"{int(p['n_title'])} of the {int(p['n_matching'])} matching articles "
            f"({_pct(float(p['share_title']))}) name it in the headline."
        )
    timeline = attention(articles, matches, freq=freq, start=start, end=end, topics=[topic])
    timeline = timeline[timeline["topic"] == topic]
    sentences += peak_sentences(timeline, freq=freq)
    if len(timeline):
        sentences += spike_sentences(detect_spikes(timeline), freq=freq)
    shares = outlet_shares(articles, matches, by=by, topics=[topic])
    shares = shares[shares["topic"] == topic]
    sentences += share_sentences(shares, by=by, min_articles=min_articles, max_sentences=3)
    if len(names) > 1:
        co = cooccurrence(matches, topics=names, articles=articles)
        co = co[(co["topic_a"] == topic) | (co["topic_b"] == topic)]
        co = co[co["n_both"] > 0].sort_values("n_both", ascending=False, kind="stable")
        if len(co):
            c = co.iloc[0]
            other = c["topic_b"] if c["topic_a"] == topic else c["topic_a"]
            sentences.append(
                f"It appeared most often alongside {_quote(other)}: {int(c['n_both'])} of its {k} "
                f"articles mention both."
            )
    return sentences[:max_sentences]


# --------------------------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~!])")


def escape_markdown(text: str) -> str:
    """Make plain text safe in Markdown: HTML-escape ``<``, ``>``, ``&``; backslash the rest.

    Examples
    --------
    >>> escape_markdown("R&D <b>*big*</b> [x](y)")
    'R&amp;D &lt;b&gt;\\\\*big\\\\*&lt;/b&gt; \\\\[x\\\\](y)'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def summary_markdown(sentences: Sequence[str], *, title: str | None = "In brief") -> Markdown:
    """Sentences as a Markdown bullet list (escaped) that displays itself in a notebook.

    Parameters
    ----------
    sentences
        Plain-text sentences (from the ``*_summary`` functions).
    title
        A bold line above the list; ``None`` for none.

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> summary_markdown(["A & B rose."], title=None).data
    '- A &amp; B rose.'
    """
    if isinstance(sentences, str):
        raise ParameterError("sentences", sentences, "a list of sentences", hint="Wrap one sentence in a list.")
    lines = [f"- {escape_markdown(s)}" for s in sentences] or ["- No figures to summarise."]
    if title:
        lines.insert(0, f"**{escape_markdown(title)}**\n")
    return Markdown("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Small report helpers: parameter checks and the tables the reports need that the analysis
# modules do not make (candidates to move to coverage.py / sources.py).
# --------------------------------------------------------------------------------------------


def require_topic(topic: object, topics: Sequence[str] | pd.DataFrame) -> str:
    """Check that ``topic`` is one of the dictionary's topics; return it.

    Parameters
    ----------
    topic
        The topic name asked for.
    topics
        The topic names, or the table from :func:`toolkit.load_topics`.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        Naming the bad value and listing the dictionary's topics.

    Examples
    --------
    >>> require_topic("Japan", ["Japan", "South Korea"])
    'Japan'
    """
    if isinstance(topics, pd.DataFrame):
        topics = list(dict.fromkeys(topics["topic"]))
    return _check_topic(topic, list(topics))


def comparison_groups(
    articles: pd.DataFrame, *, by: str = "outlet", outlets: Sequence[str] | None = None, minimum: int = 2
) -> list[str]:
    """The groups a comparison report compares: checked to exist, at least ``minimum`` of them.

    Parameters
    ----------
    articles
        The articles table.
    by
        The grouping column (``"outlet"``, ``"wire"``, ``"section"``, ...).
    outlets
        The group values asked for (exact); ``None``: every value of ``by``, largest first.
    minimum
        Fewest groups to compare.

    Returns
    -------
    list of str
        The groups, in the order asked (or largest first).

    Raises
    ------
    ParameterError
        For an unknown ``by`` column, unknown group names, or fewer than ``minimum`` groups.

    Examples
    --------
    >>> arts = pd.DataFrame({"outlet": ["A", "B", "B"]})
    >>> comparison_groups(arts)
    ['B', 'A']
    """
    if not isinstance(by, str) or by not in articles.columns:
        raise ParameterError("by", by, f"a column of the articles table: {one_of(list(articles.columns))}",
                             hint='Use by="outlet" to compare outlets.')
    present = articles[by].dropna().astype(str)
    counts = present.value_counts(sort=True)
    known = list(counts.index)
    if outlets is None:
        groups = known
    else:
        if isinstance(outlets, str):
            outlets = [outlets]
        unknown = [g for g in outlets if g not in set(known)]
        if unknown:
            raise ParameterError("outlets", list(outlets), f"values of the {by!r} column: {one_of(known)}",
                                 hint=f"Not found: {', '.join(map(repr, unknown))}. Names must match exactly (case too).")
        groups = list(dict.fromkeys(outlets))
    if len(groups) < minimum:
        raise ParameterError("outlets", list(outlets) if outlets is not None else groups,
                             f"at least {minimum} groups of the {by!r} column to compare; available: {one_of(known)}",
                             hint="Name two or more outlets, or leave outlets unset to compare every one.")
    return groups


def wire_share(
    articles: pd.DataFrame,
    *,
    by: str = "outlet",
    sources: pd.DataFrame | None = None,
    duplicates: pd.DataFrame | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """How much of each group's output is wire copy: credited to a wire, or shared across groups.

    Two measures per group, over its articles (the denominator ``n_articles``):

    - ``n_wire_credit``: articles that credit a wire service (``wire`` of
      :func:`toolkit.article_sources`, e.g. "Reuters", "AP");
    - ``n_shared``: articles whose text is a near copy of an article in **another** group
      (:func:`toolkit.flag_duplicates` with ``method="near", across="outlets"``: the article
      is in a duplicate cluster that spans more than one group, original included).

    Parameters
    ----------
    articles
        The articles table.
    by
        The group column.
    sources
        A table from :func:`toolkit.article_sources` to reuse (default: computed).
    duplicates
        A table from :func:`toolkit.flag_duplicates` to reuse (default: computed, near
        duplicates across outlets).
    level
        Confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by``, ``n_articles``, ``n_wire_credit``, ``share_wire_credit``,
        ``n_shared``, ``share_shared``, ``ci_low``/``ci_high`` (of ``share_shared``).
    """
    from toolkit.dedup import flag_duplicates
    from toolkit.sources import article_sources

    if by not in articles.columns:
        raise ParameterError("by", by, f"a column of the articles table: {one_of(list(articles.columns))}")
    if sources is None:
        sources = article_sources(articles)
    if duplicates is None:
        duplicates = flag_duplicates(articles, method="near", across="outlets")
    credited = set(sources.loc[sources["wire"].map(len) > 0, "doc_id"])
    flags = duplicates[["doc_id", "dup_group"]].merge(articles[["doc_id", by]], on="doc_id")
    spans = flags.dropna(subset=["dup_group"]).groupby("dup_group")[by].nunique()
    shared_groups = set(spans[spans > 1].index)
    shared = set(flags.loc[flags["dup_group"].isin(shared_groups), "doc_id"])
    table = articles[["doc_id", by]].assign(
        wire_credit=articles["doc_id"].isin(credited), shared=articles["doc_id"].isin(shared)
    )
    out = (
        table.groupby(by, sort=True, dropna=True)
        .agg(n_articles=("doc_id", "size"), n_wire_credit=("wire_credit", "sum"), n_shared=("shared", "sum"))
        .reset_index()
    )
    out["share_wire_credit"] = out["n_wire_credit"] / out["n_articles"]
    out["share_shared"] = out["n_shared"] / out["n_articles"]
    low, high = wilson_interval(out["n_shared"].to_numpy(), out["n_articles"].to_numpy(), level=level)
    out["ci_low"], out["ci_high"] = low, high
    return out[[by, "n_articles", "n_wire_credit", "share_wire_credit", "n_shared", "share_shared",
                "ci_low", "ci_high"]]


def spike_articles(
    articles: pd.DataFrame,
    matches: pd.DataFrame,
    spikes: pd.DataFrame,
    *,
    freq: Freq = "W",
    topics: Sequence[str] | None = None,
    peaks: bool = True,
) -> pd.DataFrame:
    """The matching articles behind each spike (and, with ``peaks``, behind each peak).

    Parameters
    ----------
    articles, matches
        The articles table and its :func:`toolkit.match_topics` table.
    spikes
        A table from :func:`toolkit.detect_spikes` on a timeline without groups.
    freq
        The timeline's period length.
    topics
        Only these topics.
    peaks
        For a topic without any spike, list the articles of its peak period (the most matching
        articles; the first one on a tie) instead, so the evidence is never empty.

    Returns
    -------
    pandas.DataFrame
        One row per topic x period x article: ``topic``, ``period``, ``reason`` ("spike" or
        "peak"), ``published``, ``outlet``, ``title``, ``doc_id``; newest first within a period.
    """
    from toolkit.periods import period_start

    _require(spikes, [*_TIMELINE_COLUMNS, "is_spike"], "spikes",
             "Make it with toolkit.detect_spikes(toolkit.attention(...)).")
    freq = check_freq(freq)
    names = _topic_list(matches, topics) if topics is not None else list(dict.fromkeys(spikes["topic"]))
    chosen = []
    for name in names:
        rows = spikes[spikes["topic"] == name]
        flagged = rows[rows["is_spike"].fillna(False).astype(bool)]
        if len(flagged):
            chosen += [(name, p, "spike") for p in flagged["period"]]
        elif peaks and len(rows) and rows["n_matching"].max() > 0:
            chosen.append((name, rows.loc[rows["n_matching"].idxmax(), "period"], "peak"))
    columns = ["topic", "period", "reason", "published", "outlet", "title", "doc_id"]
    if not chosen:
        return pd.DataFrame(columns=columns)
    wanted = pd.DataFrame(chosen, columns=["topic", "period", "reason"])
    dated = articles.dropna(subset=["published"])
    dated = dated.assign(period=period_start(dated["published"], freq))
    pairs = matches[["doc_id", "topic"]].drop_duplicates()
    got = pairs.merge(dated[["doc_id", "period", "published", "outlet", "title"]], on="doc_id")
    wanted["period"] = pd.to_datetime(wanted["period"], utc=True).astype(got["period"].dtype)
    out = wanted.merge(got, on=["topic", "period"])
    out = out.sort_values(["topic", "period", "published"], ascending=[True, True, False], kind="stable")
    order = {name: i for i, name in enumerate(names)}
    out = out.sort_values("topic", key=lambda s: s.map(order), kind="stable")
    return out[columns].reset_index(drop=True)
