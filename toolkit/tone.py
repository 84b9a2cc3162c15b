"""Tone: lexicon sentiment with VADER, per sentence, per article, per topic, and by group.

Definitions
-----------
- **Scorer**: VADER (Hutto & Gilbert 2014) as implemented by the ``vaderSentiment`` package,
  with the lexicon that package ships (``vader_lexicon.txt``, read from the installed package:
  nothing is downloaded). The analyzer is built once per process and cached.
- **Sentence scores**: VADER's ``compound`` (normalised sum of valences, in [-1, 1]) and its
  ``pos``, ``neu``, ``neg`` proportions, for every sentence of the chosen text fields.
  Sentences come from :func:`toolkit.text.split_sentences` and are numbered as in the tokens
  table (``sentence``: 0-based within the field).
- **Article tone** = the *mean of its sentences' compound scores* (and of ``pos``/``neu``/
  ``neg``). Not VADER on the whole text: VADER's compound is ``x / sqrt(x² + 15)`` of a
  *sum* of valences, so on a whole article the sum grows with length and the compound
  saturates near -1 or +1 for most articles of a few hundred words; the sentence mean stays
  comparable between short and long articles. ``n_positive`` / ``n_negative`` count sentences
  with compound >= 0.05 / <= -0.05 (VADER's conventional thresholds). An article with no
  sentence has ``n_sentences`` 0 and NaN scores.
- **Topic-targeted tone** = the mean compound of the sentences that mention the topic (a hit
  of the topic's dictionary entries, :func:`toolkit.topics.topic_regex`, that does not lie
  wholly inside one of its ``exclude`` entries), per article and topic.
- **Summaries** (:func:`tone_summary`): the unit is the **article**. ``mean`` is the mean of
  the article scores in the group (each article weighs the same, however long), and
  ``ci_low``/``ci_high`` are the 95% Student-t interval of that mean over articles
  (``mean ± t(0.975, n-1) · sd / sqrt(n)``). Articles, not sentences, are sampled because the
  sentences of one article share author, story and editing: they are not independent, and an
  interval over sentences would be far too narrow. With one article the bounds are NaN.

Speed: VADER is pure Python. On the BBC corpus (2,225 articles, 5 MB, 41,751 sentences of body
text) :func:`sentence_tone` takes about 3 s of CPU on one core: 0.7 s sentence splitting and
2.3 s VADER (vaderSentiment's own ``polarity_scores`` loop takes 3.9 s for the same sentences).
The analyzer skips VADER's per-character emoji pass on ASCII sentences (the result is
identical: the emoji table has no ASCII entries) and repeated sentences are scored once. Pass
the sentence table to :func:`article_tone` and :func:`topic_tone` (``sentences=``) to score
once for all three.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ParameterError, SchemaError, one_of
from toolkit.periods import Freq, check_freq, period_start
from toolkit.schema import require_articles

log = logging.getLogger(__name__)

__all__ = [
    "ARTICLE_TONE_COLUMNS", "SENTENCE_TONE_COLUMNS", "SUMMARY_COLUMNS", "TOPIC_TONE_COLUMNS",
    "article_tone", "sentence_tone", "tone_summary", "topic_tone", "vader_scores",
]

#: Columns of :func:`sentence_tone`.
SENTENCE_TONE_COLUMNS: tuple[str, ...] = (
    "doc_id", "field", "sentence", "text", "compound", "pos", "neu", "neg",
)
_SCORES = ("compound", "pos", "neu", "neg")
#: Columns of :func:`article_tone`.
ARTICLE_TONE_COLUMNS: tuple[str, ...] = (
    "doc_id", "n_sentences", "compound", "pos", "neu", "neg", "n_positive", "n_negative",
)
#: Columns of :func:`topic_tone`.
TOPIC_TONE_COLUMNS: tuple[str, ...] = ("doc_id", "topic") + ARTICLE_TONE_COLUMNS[1:]
#: The value columns of :func:`tone_summary` (after the grouping columns).
SUMMARY_COLUMNS: tuple[str, ...] = ("n_articles", "n_sentences", "mean", "ci_low", "ci_high")

#: VADER's conventional thresholds for a positive / negative compound score.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05


# ---------------------------------------------------------------------------------------------
# The analyzer
# ---------------------------------------------------------------------------------------------


@functools.cache
def _analyzer() -> Any:
    """vaderSentiment's analyzer with its shipped lexicon, built once (reading it takes ~0.1 s)."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

    class _Analyzer(SentimentIntensityAnalyzer):
        """``polarity_scores`` without the emoji pass on ASCII text.

        vaderSentiment first rebuilds the text character by character to replace emojis with
        their descriptions (a quarter of its run time on news text). No emoji in its table is
        ASCII, so for ASCII text that pass only strips the text; the rest below is the
        package's own method body (vaderSentiment 3.3.2), and ``tests/test_tone.py`` checks
        the scores are identical.
        """

        def polarity_scores(self, text: str) -> dict[str, float]:
            if not text.isascii():
                return super().polarity_scores(text)
            text = text.strip()
            sentitext = SentiText(text)
            sentiments: list[float] = []
            words = sentitext.words_and_emoticons
            for i, item in enumerate(words):
                low = item.lower()
                if low in BOOSTER_DICT or (low == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of"):
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            sentiments = self._but_check(words, sentiments)
            return self.score_valence(sentiments, text)

    return _Analyzer()


def _progress(iterable: Iterable, *, total: int, enabled: bool, desc: str, unit: str) -> Iterable:
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit)


def _show(progress: bool | None, texts: Sequence[object]) -> bool:
    """Show a bar when asked, or by default for more than 20 MB of text (about 15 s)."""
    if progress is not None:
        return bool(progress)
    return sum(len(t) for t in texts if isinstance(t, str)) > _PROGRESS_CHARS


_PROGRESS_CHARS = 20_000_000


def vader_scores(texts: Sequence[str], *, progress: bool | None = None) -> pd.DataFrame:
    """VADER scores of each text, as a table.

    Parameters
    ----------
    texts
        Strings to score (sentences, usually). Missing values score as empty text (all 0).
    progress
        Show a progress bar (``tqdm``); ``None`` (default) shows one for over 20 MB of text.

    Returns
    -------
    pandas.DataFrame
        One row per text, in order: ``compound``, ``pos``, ``neu``, ``neg`` (float64).

    Examples
    --------
    >>> vader_scores(["The book was good.", "The book was bad."])["compound"].tolist()
    [0.4404, -0.5423]
    """
    scorer = _analyzer().polarity_scores
    seen: dict[str, tuple[float, float, float, float]] = {}
    out = np.zeros((len(texts), 4), dtype=np.float64)
    items = _progress(enumerate(texts), total=len(texts), enabled=_show(progress, texts),
                      desc="VADER", unit="sentence")
    for i, text in items:
        if not isinstance(text, str):
            continue
        row = seen.get(text)
        if row is None:
            s = scorer(text)
            row = seen[text] = (s["compound"], s["pos"], s["neu"], s["neg"])
        out[i] = row
    return pd.DataFrame(out, columns=list(_SCORES))


# ---------------------------------------------------------------------------------------------
# Sentences and articles
# ---------------------------------------------------------------------------------------------




def _split_all(articles: pd.DataFrame, fields: tuple[str, ...]) -> pd.DataFrame:
    """doc_id, field, sentence, text for every sentence of the fields (article-major order)."""
    from toolkit.text import split_sentences

    doc_col, field_col, num_col, text_col = [], [], [], []
    columns = {f: articles[f].tolist() for f in fields}
    for d, doc_id in enumerate(articles["doc_id"].tolist()):
        for f in fields:
            value = columns[f][d]
            if not isinstance(value, str) or not value.strip():
                continue
            sentences = split_sentences(value)
            doc_col.extend([doc_id] * len(sentences))
            field_col.extend([f] * len(sentences))
            num_col.extend(range(len(sentences)))
            text_col.extend(sentences)
    return pd.DataFrame({
        "doc_id": pd.Series(doc_col, dtype="str"),
        "field": pd.Series(field_col, dtype="str"),
        "sentence": pd.Series(num_col, dtype="int32"),
        "text": pd.Series(text_col, dtype="str"),
    })


def sentence_tone(
    articles: pd.DataFrame,
    *,
    fields: Sequence[str] = ("text",),
    progress: bool | None = None,
) -> pd.DataFrame:
    """VADER tone of every sentence.

    Parameters
    ----------
    articles
        An articles table with ``doc_id`` and the ``fields`` columns (missing text has no
        sentences). Not modified.
    fields
        Text columns to score, in this order within each article. The default scores the
        body only: headlines are written to attract, and a title repeated in the text would
        count twice.
    progress
        Show a progress bar (``tqdm``); ``None`` (default) shows one for over 20 MB of text.

    Returns
    -------
    pandas.DataFrame
        One row per sentence, in article, field and sentence order: ``doc_id``, ``field``,
        ``sentence`` (int, 0-based within the field, as in :func:`toolkit.text.tokenize`),
        ``text`` (the sentence), ``compound``, ``pos``, ``neu``, ``neg``.

    Raises
    ------
    SchemaError
        When ``doc_id`` is missing or not unique.
    ParameterError
        For fields that are not columns.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "text": ["The book was good. The film was bad."]})
    >>> sentence_tone(arts)[["sentence", "compound"]].values.tolist()
    [[0.0, 0.4404], [1.0, -0.5423]]
    """
    articles, fields = require_articles(articles, fields)
    table = _split_all(articles, fields)
    scores = vader_scores(table["text"].tolist(), progress=progress)
    return pd.concat([table, scores], axis=1)


def _aggregate(sentences: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean scores and sentence counts per ``keys`` from a sentence table."""
    grouped = sentences.groupby(keys, sort=False, observed=True)
    out = grouped[list(_SCORES)].mean()
    out.insert(0, "n_sentences", grouped.size().astype("int64"))
    compound = sentences["compound"]
    out["n_positive"] = (compound >= POSITIVE_THRESHOLD).groupby([sentences[k] for k in keys], sort=False, observed=True).sum().astype("int64")
    out["n_negative"] = (compound <= NEGATIVE_THRESHOLD).groupby([sentences[k] for k in keys], sort=False, observed=True).sum().astype("int64")
    return out.reset_index()


def _check_sentence_table(scores: object, name: str = "scores") -> pd.DataFrame:
    need = ("doc_id", "text", *_SCORES)
    if not isinstance(scores, pd.DataFrame) or any(c not in scores.columns for c in need):
        have = list(scores.columns) if isinstance(scores, pd.DataFrame) else type(scores).__name__
        raise SchemaError(
            f"{name} must be the sentence table from toolkit.tone.sentence_tone(articles) with columns "
            f"{list(need)}; got {have}."
        )
    return scores


def article_tone(
    articles: pd.DataFrame,
    *,
    fields: Sequence[str] = ("text",),
    sentences: pd.DataFrame | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Tone of each article: the mean of its sentences' VADER scores.

    Parameters
    ----------
    articles
        An articles table (``doc_id`` and the ``fields`` columns). Not modified.
    fields
        Text columns to score (see :func:`sentence_tone`).
    sentences
        A table from :func:`sentence_tone` to reuse instead of scoring again (its ``fields``
        then apply; ``fields`` here is ignored).
    progress
        Show a progress bar while scoring (see :func:`sentence_tone`).

    Returns
    -------
    pandas.DataFrame
        One row per article, in the articles' order: ``doc_id``, ``n_sentences``, ``compound``
        (mean compound of its sentences), ``pos``, ``neu``, ``neg`` (means), ``n_positive``
        and ``n_negative`` (sentences with compound >= 0.05 / <= -0.05). Articles without
        sentences have ``n_sentences`` 0 and NaN means.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b"], "text": ["The book was good. The film was bad.", ""]})
    >>> article_tone(arts)[["doc_id", "n_sentences", "compound"]].round(4).values.tolist()
    [['a', 2, -0.0509], ['b', 0, nan]]
    """
    articles, fields = require_articles(articles, fields)
    table = sentence_tone(articles, fields=fields, progress=progress) if sentences is None else _check_sentence_table(sentences, "sentences")
    per_doc = _aggregate(table, ["doc_id"])
    out = pd.DataFrame({"doc_id": articles["doc_id"].astype("str").reset_index(drop=True)})
    out = out.merge(per_doc.astype({"doc_id": "str"}), on="doc_id", how="left")
    for col in ("n_sentences", "n_positive", "n_negative"):
        out[col] = out[col].fillna(0).astype("int64")
    return out[list(ARTICLE_TONE_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# Topics
# ---------------------------------------------------------------------------------------------


def _topic_patterns(topics: str | Path | Mapping[str, Any] | pd.DataFrame) -> list[tuple[str, Any, Any]]:
    """(topic, include regex, exclude regex or None) per topic, in dictionary order."""
    # The same reading of dictionaries and tables (old tables without "group" too) as match_topics.
    from toolkit.topics import _as_table, topic_regex

    table = _as_table(topics)
    out = []
    for name, rows in table.groupby("topic", sort=False):
        case_sensitive = bool(rows["case_sensitive"].any())
        excluded = rows["exclude"].astype(bool)
        include = rows.loc[~excluded, "pattern"].tolist()
        exclude = rows.loc[excluded, "pattern"].tolist()
        if not include:
            continue
        out.append((
            str(name),
            topic_regex(include, case_sensitive=case_sensitive),
            topic_regex(exclude, case_sensitive=case_sensitive) if exclude else None,
        ))
    return out


def _mentions(text: str, include: Any, exclude: Any) -> bool:
    if exclude is None:
        return include.search(text) is not None  # the first match decides: no need to list them
    spans = [m.span() for m in include.finditer(text)]
    if not spans:
        return False
    blocked = [m.span() for m in exclude.finditer(text)]
    return any(not any(bs <= s and e <= be for bs, be in blocked) for s, e in spans)


def _topic_candidates(
    doc_ids: pd.Series,
    compiled: list[tuple[str, Any, Any]],
    matches: pd.DataFrame | None,
    sample: int | None,
    seed: int,
) -> list[np.ndarray]:
    """Article rows searched for each topic: those ``matches`` lists (or all), sampled."""
    everything = np.arange(len(doc_ids))
    if matches is not None:
        if not isinstance(matches, pd.DataFrame) or not {"doc_id", "topic"} <= set(matches.columns):
            have = list(matches.columns) if isinstance(matches, pd.DataFrame) else type(matches).__name__
            raise SchemaError(f"matches must be the table from toolkit.match_topics(articles, topics) with "
                              f"columns ['doc_id', 'topic']; got {have}.")
        index = pd.Index(doc_ids)
        by_topic = {str(t): index.get_indexer(g.astype("str")) for t, g in
                    matches.groupby("topic", sort=False, observed=True)["doc_id"]}
    out = []
    for i, (name, _, _) in enumerate(compiled):
        rows = everything if matches is None else np.unique(by_topic.get(name, np.array([], dtype=np.int64)))
        rows = rows[rows >= 0]
        if sample is not None and len(rows) > sample:
            rng = np.random.default_rng([seed, i])
            rows = np.sort(rng.choice(rows, size=int(sample), replace=False))
        out.append(rows.astype(np.int64))
    return out


def topic_tone(
    articles: pd.DataFrame,
    topics: str | Path | Mapping[str, Any] | pd.DataFrame,
    *,
    fields: Sequence[str] = ("text",),
    sentences: pd.DataFrame | None = None,
    matches: pd.DataFrame | None = None,
    sample: int | None = None,
    seed: int = 0,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Topic-targeted tone: the mean VADER compound of the sentences that mention each topic.

    Parameters
    ----------
    articles
        An articles table (``doc_id`` and the ``fields`` columns). Not modified.
    topics
        A topic dictionary: YAML path, mapping, or the table from :func:`toolkit.load_topics`.
        A sentence mentions a topic when it has a hit of the topic's entries (same rules as
        :func:`toolkit.match_topics`: token boundaries, phrases, globs, case) that is not
        wholly inside one of the topic's ``exclude`` entries.
    fields
        Text columns to score (see :func:`sentence_tone`).
    sentences
        A table from :func:`sentence_tone` to reuse instead of scoring again.
    matches
        The table from :func:`toolkit.match_topics` for these articles and topics. Only the
        articles it lists for a topic are searched for that topic's sentences, and only the
        sentences that mention a topic are scored: the result is the same as without it when
        ``match_topics`` searched the ``fields`` (its default, title and text, does), and on a
        large corpus it saves splitting and scoring most sentences.
    sample
        At most this many articles per topic: when a topic has more candidate articles (those
        ``matches`` lists for it, or every article without ``matches``), a random sample of
        ``sample`` of them, drawn with ``seed``, is used for that topic. ``None`` (default):
        all. Tone is a per-article mean, so its summaries stay unbiased estimates; say so where
        you show them (the notebook's caption gives the sample size).
    seed
        Seed of the sample (the draw for each topic depends on the seed and the topic's
        position in the dictionary only).
    progress
        Show a progress bar while scoring (see :func:`sentence_tone`).

    Returns
    -------
    pandas.DataFrame
        One row per (article, topic) with at least one mentioning sentence, in article then
        dictionary order: ``doc_id``, ``topic``, ``n_sentences`` (mentioning sentences),
        ``compound``, ``pos``, ``neu``, ``neg`` (their means), ``n_positive``, ``n_negative``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "text": ["Japan was good. Korea was bad. Japan left."]})
    >>> topic_tone(arts, {"japan": ["Japan"]})[["topic", "n_sentences", "compound"]].values.tolist()
    [['japan', 2, 0.2202]]
    """
    articles, fields = require_articles(articles, fields)
    compiled = _topic_patterns(topics)
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int | np.integer) or sample < 1):
        raise ParameterError("sample", sample, "None or an integer >= 1",
                             hint="sample=1000 scores at most 1,000 articles per topic.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ParameterError("seed", seed, "an integer", hint="seed=0")
    doc_ids = articles["doc_id"].astype("str").reset_index(drop=True)
    candidates = _topic_candidates(doc_ids, compiled, matches, sample, seed)
    wanted = np.zeros(len(doc_ids), dtype=bool)
    for rows in candidates:
        wanted[rows] = True
    if sentences is None:
        # Split only the candidate articles and score only mentioning sentences (below).
        table = _split_all(articles.iloc[np.flatnonzero(wanted)] if not wanted.all() else articles, fields)
    else:
        table = _check_sentence_table(sentences, "sentences")
    position = pd.Index(doc_ids).get_indexer(table["doc_id"].astype("str"))
    texts = table["text"].tolist()
    keeps = []
    for (_, include, exclude), rows in zip(compiled, candidates, strict=True):
        allowed = np.zeros(len(doc_ids) + 1, dtype=bool)
        allowed[rows] = True
        allowed[-1] = matches is None and sample is None  # sentences of unknown articles, as before
        looked = np.flatnonzero(allowed[position])  # position -1 (unknown doc) reads the False pad
        keep = np.zeros(len(texts), dtype=bool)
        keep[looked] = [isinstance(texts[i], str) and _mentions(texts[i], include, exclude) for i in looked]
        keeps.append(keep)
    scored = np.zeros(len(texts), dtype=bool)
    for keep in keeps:
        scored |= keep
    if sentences is None:
        where = np.flatnonzero(scored)
        values = vader_scores([texts[i] for i in where], progress=progress).to_numpy()
        table = table.assign(**{c: np.nan for c in _SCORES})
        table.loc[table.index[where], list(_SCORES)] = values
    parts = []
    for (name, _, _), keep in zip(compiled, keeps, strict=True):
        if keep.any():
            sub = table.loc[keep, ["doc_id", *_SCORES]].copy()
            sub["topic"] = name
            parts.append(sub)
    if not parts:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in TOPIC_TONE_COLUMNS})
        return empty.astype({"doc_id": "str", "topic": "str", "n_sentences": "int64",
                             "n_positive": "int64", "n_negative": "int64"})
    hits = pd.concat(parts, ignore_index=True)
    out = _aggregate(hits, ["doc_id", "topic"])
    order = {d: i for i, d in enumerate(articles["doc_id"].astype("str"))}
    topic_order = {name: i for i, (name, _, _) in enumerate(compiled)}
    out = out.iloc[np.lexsort((out["topic"].map(topic_order).to_numpy(),
                               out["doc_id"].astype("str").map(order).to_numpy()))]
    out = out.astype({"doc_id": "str", "topic": "str"}).reset_index(drop=True)
    return out[list(TOPIC_TONE_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------------------------


def _t_quantile(q: float, df: np.ndarray) -> np.ndarray:
    """Student-t quantiles, element-wise (NaN where ``df`` is NaN).

    Our own :func:`_t_ppf` rather than scipy, which is not a run-time dependency (and costs
    a second to import); ``tests/test_tone.py`` checks it against ``scipy.stats.t.ppf``.
    """
    return np.array([_t_ppf(q, float(d)) for d in df], dtype=np.float64)


@functools.lru_cache(maxsize=4096)
def _t_ppf(q: float, df: float) -> float:
    """Student-t quantile by bisection on the regularized incomplete beta (no scipy needed)."""
    if not df > 0:
        return math.nan

    def cdf(x: float) -> float:
        # P(T <= x) = 1 - I_{df/(df+x²)}(df/2, 1/2) / 2 for x >= 0
        z = df / (df + x * x)
        tail = 0.5 * _betainc(df / 2, 0.5, z)
        return 1 - tail if x >= 0 else tail

    lo, hi = 0.0, 1.0
    while cdf(hi) < q:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if cdf(mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b): the continued fraction of Numerical Recipes (betacf)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1 - x)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (tiny if abs(d) < tiny else d)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m))):
            d = 1 + num * d
            d = 1 / (tiny if abs(d) < tiny else d)
            c = 1 + num / c
            c = tiny if abs(c) < tiny else c
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return front * h / a


def tone_summary(
    scores: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "outlet",
    freq: Freq | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean tone by group (and period, and topic), with a t-interval over articles.

    Parameters
    ----------
    scores
        Per-article scores: the table from :func:`article_tone` or :func:`topic_tone` (needs
        ``doc_id``, ``n_sentences``, ``compound``). A sentence table from :func:`sentence_tone`
        is first averaged per article (as :func:`article_tone` does). When it has a ``topic``
        column, the summary is per topic too.
    articles
        The articles table the scores came from; gives the ``by`` columns and ``published``.
    by
        Grouping column(s) of the articles table; ``None`` for one overall row (per period
        and topic).
    freq
        ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` to add a ``period`` column
        (:func:`toolkit.periods.period_start`); undated articles are left out, with a warning.
    level
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per observed group: the ``by`` columns, ``period`` (with ``freq``), ``topic``
        (when the scores have one), then ``n_articles`` (articles with a score: at least one
        sentence), ``n_sentences`` (sentences behind them), ``mean`` (mean of the article
        compound scores), ``ci_low``, ``ci_high`` (Student-t interval of the mean over
        articles; NaN with one article). Groups with no scored article are not listed (the
        mean of nothing is undefined), so periods are not zero-filled.

    Raises
    ------
    SchemaError
        When ``scores`` lacks its columns, or names articles that are not in ``articles``.
    ParameterError
        For an unknown ``by`` column, ``freq`` or ``level``.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": ["X", "X", "Y"],
    ...                      "text": ["Good.", "Bad.", "Good."]})
    >>> tone_summary(article_tone(arts), arts)[["outlet", "n_articles", "mean"]].round(4).values.tolist()
    [['X', 2, -0.0509], ['Y', 1, 0.4404]]
    """
    if isinstance(scores, pd.DataFrame) and "sentence" in scores.columns and "text" in scores.columns:
        keys = ["doc_id", "topic"] if "topic" in scores.columns else ["doc_id"]
        scores = _aggregate(_check_sentence_table(scores), keys)
    need = ("doc_id", "n_sentences", "compound")
    if not isinstance(scores, pd.DataFrame) or any(c not in scores.columns for c in need):
        have = list(scores.columns) if isinstance(scores, pd.DataFrame) else type(scores).__name__
        raise SchemaError(
            f"scores must be a table from article_tone, topic_tone or sentence_tone with columns "
            f"{list(need)}; got {have}."
        )
    if not isinstance(articles, pd.DataFrame) or "doc_id" not in articles.columns:
        raise SchemaError("articles must be the articles table (a DataFrame with doc_id) the scores came from.")
    if not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ParameterError("level", level, "a number between 0 and 1, e.g. 0.95")
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    bad = [c for c in by_cols if not isinstance(c, str) or c not in articles.columns]
    if bad or len(set(by_cols)) != len(by_cols):
        raise ParameterError(
            "by", by, f"None or distinct column names of the articles table ({one_of(articles.columns)})",
            hint="For time, pass freq='D', 'W', 'M', 'Q' or 'Y' instead of by='period'." if "period" in bad else None,
        )
    reserved = [c for c in by_cols if c in ("period", "topic", *SUMMARY_COLUMNS)]
    if reserved:
        raise ParameterError("by", by, "columns not named like the output columns", hint=f"Rename {reserved} first.")
    if freq is not None:
        check_freq(freq)

    meta_cols = by_cols + (["published"] if freq is not None else [])
    if freq is not None and "published" not in articles.columns:
        raise SchemaError("articles lacks 'published'; it is needed for freq=. Pass freq=None or load dates.")
    meta = articles[["doc_id", *meta_cols]].astype({"doc_id": "str"})
    data = scores.astype({"doc_id": "str"}).merge(meta, on="doc_id", how="left", indicator=True)
    unknown = data.loc[data["_merge"] == "left_only", "doc_id"]
    if len(unknown):
        raise SchemaError(
            f"scores has {unknown.nunique()} doc_id(s) not in articles (e.g. {unknown.iloc[0]!r}); "
            "pass the articles table the scores were computed from."
        )
    data = data.drop(columns="_merge")
    keys = list(by_cols)
    if freq is not None:
        data["period"] = period_start(data["published"], freq)
        undated = int(data["period"].isna().sum())
        if undated:
            log.warning("tone_summary: %d scored rows have no publication date and are left out (freq=%r).", undated, freq)
        data = data[data["period"].notna()]
        keys.append("period")
    if "topic" in data.columns:
        keys.append("topic")
    data = data[data["compound"].notna()]
    if keys:
        grouped = data.groupby(keys, sort=True, observed=True, dropna=False)
        out = grouped.agg(
            n_articles=("compound", "size"), n_sentences=("n_sentences", "sum"),
            mean=("compound", "mean"), sd=("compound", "std"),
        ).reset_index()
    else:
        out = pd.DataFrame({
            "n_articles": [len(data)], "n_sentences": [int(data["n_sentences"].sum())],
            "mean": [data["compound"].mean()], "sd": [data["compound"].std()],
        })
    n = out["n_articles"].to_numpy(dtype=np.float64)
    sd = out["sd"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(n > 1, n - 1, np.nan)
        half = _t_quantile((1 + level) / 2, df) * sd / np.sqrt(n)
    mean = out["mean"].to_numpy(dtype=np.float64)
    out["ci_low"] = mean - half
    out["ci_high"] = mean + half
    out["n_articles"] = out["n_articles"].astype("int64")
    out["n_sentences"] = out["n_sentences"].astype("int64")
    return out[[*keys, *SUMMARY_COLUMNS]].reset_index(drop=True)
