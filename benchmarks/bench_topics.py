"""Benchmark topic matching (toolkit.topics.match_topics) on the real BBC corpus.

One run builds topic dictionaries of three sizes from the corpus' own vocabulary (5 topics x 10
entries, 50 x 20 and 50 x 200; each topic a reproducible random mix of about 70% single words
as the corpus writes them, 15% globs and 15% two-word phrases that occur in the corpus) and
times, on the same articles (title and text):

- ``new``: ``match_topics`` as it is now (tokens dictionary-encoded once from their bytes read
  as integers, entries looked up among the distinct tokens, two-word starts of phrases among
  adjacent token pairs, overlaps and exclusions settled with numpy; batches of articles on
  threads, one per core; ``TOOLKIT_THREADS=1`` runs one);
- ``previous``: the matcher this module had before issue 4 (a Python regex scan for tokens, a
  per-token lookup of the entries that can start there, each candidate checked with a regex),
  kept below as it was for the comparison;
- ``regex``: what a notebook user writes: every topic's ``topic_regex`` with ``finditer`` over
  every title and text (the definition of a hit);
- ``ahocorasick``: a lower bound for an Aho-Corasick matcher (pyahocorasick): one automaton of
  every entry's lower-cased first word, run over the lower-cased texts, with only the token
  boundary check per match in Python; no phrases, overlaps or exclusions, so it does less than
  the others and its counts are not compared.

It checks that new, previous and regex find the same hits (per article and topic: the number
of hits and the evidence) and prints MB/s of UTF-8 title + text, the median of ``--repeat``
runs after one warm-up run (the first, cold, run is printed too). Each pipeline is timed up to
its own result (match_topics: its DataFrame; the others: a dict built as they go); turning the
DataFrame into a dict for the checks is not timed. ``cpu s`` is the median process CPU time
(all threads), which other load on the machine disturbs less than wall time. Usage::

    .venv/bin/python benchmarks/bench_topics.py [--repeat N] [--sizes 5x10,50x20,50x200]
        [--pipelines new,previous,regex,ahocorasick] [--regex-max 1000] [--corpora PATH]
        [--day 100MB]

``--day SIZE`` also times the pipeline step "topic hits per day for the example topics":
``match_topics(articles, "data/topics/example.yaml")`` then ``coverage.attention(articles,
matches, freq="D")`` on the Reuters + ReCOVery corpus of that size that
``benchmarks/build_corpus.py`` builds (replicated bodies, read from its Parquet file into
memory first; building it the first time takes a minute).

The regex pipeline is skipped above ``--regex-max`` entries (default 1000: it runs for 5x10
and 50x20); at 50x200 new is checked against previous, which the smaller sizes check against
regex.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from toolkit.topics import (
    _AFTER,
    _HYPHEN,
    _WORD,
    _as_table,
    _entry_regex,
    _ordered,
    match_topics,
    topic_regex,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
SIZES = ("5x10", "50x20", "50x200")
PIPELINES = ("new", "previous", "regex", "ahocorasick")


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


def read_bbc(corpora: Path) -> pd.DataFrame:
    """The BBC corpus with plain Python: doc_id, title (line 1), text (the rest)."""
    root = corpora / "bbc"
    if not root.is_dir():
        sys.exit(f"BBC corpus not found at {root}; pass --corpora PATH (the folder holding bbc/).")
    rows = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = raw.decode("latin-1")  # sport/199.txt
        title, _, body = content.partition("\n")
        rows.append((f"{path.parent.name}/{path.stem}", title.strip(), body.strip()))
    return pd.DataFrame(rows, columns=["doc_id", "title", "text"]).astype("str")


def make_topics(articles: pd.DataFrame, n_topics: int, n_entries: int, seed: int = 4) -> dict:
    """Topic dictionaries drawn from the corpus vocabulary: words, globs and real bigrams."""
    words = re.findall(r"[A-Za-z]+", " ".join(articles["text"]))
    forms: dict[str, Counter] = {}
    for w in words:
        if len(w) >= 4:
            forms.setdefault(w.lower(), Counter())[w] += 1
    # The 5,000 most frequent words of 4+ letters, as the corpus most often writes them.
    ranked = sorted(forms, key=lambda w: -sum(forms[w].values()))[:5000]
    spelled = [forms[w].most_common(1)[0][0] for w in ranked]
    bigrams = Counter(
        f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if len(a) >= 4 and len(b) >= 4
    )
    phrases = [p for p, n in bigrams.most_common(20000) if n >= 3]
    rng = random.Random(seed)
    topics: dict[str, list[str]] = {}
    for t in range(n_topics):
        entries: list[str] = []
        while len(entries) < n_entries:
            roll = rng.random()
            if roll < 0.70:
                entry = rng.choice(spelled)
            elif roll < 0.85:
                word = rng.choice(spelled)
                entry = word[: max(4, len(word) - 2)] + "*"
            else:
                entry = rng.choice(phrases)
            if entry not in entries:
                entries.append(entry)
        topics[f"topic{t:02d}"] = entries
    # One topic with exclusions and hyphenated entries, as real dictionaries have.
    topics["Mobile"] = {
        "terms": ["mobile phone*", "Wi-Fi", "e-mail*", "3G", "broadband"],
        "exclude": ["mobile phone operator*"],
    }
    return topics


# ----------------------------------------------------------------------------------------------
# The previous matcher (toolkit/topics.py before issue 4), unchanged but for names
# ----------------------------------------------------------------------------------------------

_TOKEN = re.compile(rf"{_WORD}+")
_LEAD = re.compile(rf"(?:{_WORD}|{_HYPHEN})*")


def _start_keys(pattern: str) -> tuple[set[str], set[str]] | None:
    first = pattern.split(" ")[0]
    glob = first.endswith("*")
    stem = first.rstrip("*")
    lead = _LEAD.match(stem).group()
    parts = list(re.split(_HYPHEN, lead.lower()))
    if not lead or not parts[0]:
        return None
    exact: set[str] = set()
    prefix: set[str] = set()
    for j in range(1, len(parts) + 1):
        key = "".join(parts[:j])
        if j == len(parts) and glob and lead == stem:
            prefix.add(key)
        else:
            exact.add(key)
    return exact, prefix


@dataclass(frozen=True)
class _CompiledTopic:
    name: str
    entries: tuple[str, ...]
    flags: int
    include: re.Pattern[str]
    exclude: re.Pattern[str] | None
    keys: tuple[tuple[set[str], set[str]] | None, ...]
    scan_all: bool


def _previous_compile(table: pd.DataFrame) -> list[_CompiledTopic]:
    compiled = []
    for name, rows in table.groupby("topic", sort=False):
        case_sensitive = bool(rows["case_sensitive"].any())
        include = rows.loc[~rows["exclude"].astype(bool), "pattern"].tolist()
        exclude = rows.loc[rows["exclude"].astype(bool), "pattern"].tolist()
        full = topic_regex(include, case_sensitive=case_sensitive)
        entries = tuple(_ordered(include))
        keys = tuple(_start_keys(e) for e in entries)
        compiled.append(_CompiledTopic(
            name=str(name), entries=entries, flags=full.flags, include=full,
            exclude=topic_regex(exclude, case_sensitive=case_sensitive) if exclude else None,
            keys=keys, scan_all=any(k is None for k in keys),
        ))
    return compiled


class _TokenIndex:
    def __init__(self, topics: Sequence[_CompiledTopic]):
        self.topics = topics
        self.exact: dict[str, list[tuple[int, int]]] = {}
        self.prefix: dict[int, dict[str, list[tuple[int, int]]]] = {}
        for i, topic in enumerate(topics):
            if topic.scan_all:
                continue
            for rank, keys in enumerate(topic.keys):
                for key in keys[0]:
                    self.exact.setdefault(key, []).append((i, rank))
                for key in keys[1]:
                    self.prefix.setdefault(len(key), {}).setdefault(key, []).append((i, rank))
        self.cache: dict[str, tuple[tuple[int, re.Pattern[str]], ...]] = {}
        self.patterns: dict[tuple[int, tuple[int, ...]], re.Pattern[str]] = {}

    def lookup(self, token: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
        found = self.cache.get(token)
        if found is None:
            low = token.lower()
            hits = list(self.exact.get(low, ()))
            for length, keys in self.prefix.items():
                if len(low) >= length:
                    hits.extend(keys.get(low[:length], ()))
            by_topic: dict[int, set[int]] = {}
            for i, rank in hits:
                by_topic.setdefault(i, set()).add(rank)
            found = self.cache[token] = tuple(
                (i, self._pattern(i, tuple(sorted(ranks)))) for i, ranks in sorted(by_topic.items())
            )
        return found

    def _pattern(self, i: int, ranks: tuple[int, ...]) -> re.Pattern[str]:
        pattern = self.patterns.get((i, ranks))
        if pattern is None:
            topic = self.topics[i]
            body = "|".join(_entry_regex(topic.entries[r]) for r in ranks)
            pattern = self.patterns[(i, ranks)] = re.compile(f"(?:{body}){_AFTER}", topic.flags)
        return pattern


def _field_hits(index: _TokenIndex, text: str) -> dict[int, list[str]]:
    starts: dict[int, list[tuple[int, re.Pattern[str]]]] = {}
    lookup = index.lookup
    for m in _TOKEN.finditer(text):
        for i, pattern in lookup(m.group()):
            starts.setdefault(i, []).append((m.start(), pattern))
    out: dict[int, list[str]] = {}
    for i, topic in enumerate(index.topics):
        if topic.scan_all:
            spans = [m.span() for m in topic.include.finditer(text)]
        elif i in starts:
            spans, end = [], -1
            for pos, pattern in starts[i]:
                if pos < end:
                    continue
                m = pattern.match(text, pos)
                if m:
                    spans.append(m.span())
                    end = m.end()
        else:
            continue
        if spans and topic.exclude is not None:
            blocked = [m.span() for m in topic.exclude.finditer(text)]
            spans = [(s, e) for s, e in spans if not any(bs <= s and e <= be for bs, be in blocked)]
        if spans:
            out[i] = [text[s:e] for s, e in spans]
    return out


def previous(articles: pd.DataFrame, topics: dict) -> dict[tuple[str, str], tuple[int, str]]:
    compiled = _previous_compile(_as_table(topics))
    index = _TokenIndex(compiled)
    out = {}
    for doc_id, title, text in zip(articles["doc_id"], articles["title"], articles["text"], strict=True):
        per_field = [_field_hits(index, title), _field_hits(index, text)]
        for i in sorted(set().union(*per_field)):
            found = [h for hits in per_field for h in hits.get(i, [])]
            evidence = "; ".join(sorted({" ".join(h.lower().split()) for h in found}))
            out[(doc_id, compiled[i].name)] = (len(found), evidence)
    return out


# ----------------------------------------------------------------------------------------------
# The other pipelines, each returning {(doc_id, topic): (hits, evidence)}
# ----------------------------------------------------------------------------------------------


def new(articles: pd.DataFrame, topics: dict) -> pd.DataFrame:
    return match_topics(articles, topics)


def as_pairs(result: pd.DataFrame | dict) -> dict[tuple[str, str], tuple[int, str]]:
    """{(doc_id, topic): (hits, evidence)}; match_topics' table is converted outside the timing."""
    if isinstance(result, dict):
        return result
    columns = [result[c].tolist() for c in ("doc_id", "topic", "n", "matched")]
    return {(d, t): (n, m) for d, t, n, m in zip(*columns, strict=True)}


def plain_regex(articles: pd.DataFrame, topics: dict) -> dict[tuple[str, str], tuple[int, str]]:
    specs = []
    for name, spec in topics.items():
        terms = spec["terms"] if isinstance(spec, dict) else spec
        exclude = spec.get("exclude") if isinstance(spec, dict) else None
        specs.append((name, topic_regex(terms), topic_regex(exclude) if exclude else None))
    out = {}
    for doc_id, title, text in zip(articles["doc_id"], articles["title"], articles["text"], strict=True):
        for name, rx, ex in specs:
            found = []
            for source in (title, text):
                spans = [m.span() for m in rx.finditer(source)]
                if ex is not None and spans:
                    blocked = [m.span() for m in ex.finditer(source)]
                    spans = [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in blocked)]
                found += [source[s:e] for s, e in spans]
            if found:
                out[(doc_id, name)] = (len(found), "; ".join(sorted({" ".join(h.lower().split()) for h in found})))
    return out


def ahocorasick_bound(articles: pd.DataFrame, topics: dict) -> dict[tuple[str, str], tuple[int, str]]:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for name, spec in topics.items():
        for entry in spec["terms"] if isinstance(spec, dict) else spec:
            word = entry.split(" ")[0]
            stem = word.rstrip("*").lower()
            glob = word.endswith("*")
            key = stem
            items = automaton.get(key) if automaton.exists(key) else []
            items.append((name, glob, len(stem)))
            automaton.add_word(key, items)
    automaton.make_automaton()
    counts: Counter = Counter()
    for doc_id, title, text in zip(articles["doc_id"], articles["title"], articles["text"], strict=True):
        for source in (title, text):
            low = source.lower()
            n = len(low)
            for end, items in automaton.iter(low):
                for name, glob, length in items:
                    start = end - length + 1
                    if start > 0 and low[start - 1].isalnum():
                        continue
                    if not glob and end + 1 < n and low[end + 1].isalnum():
                        continue
                    counts[(doc_id, name)] += 1
    return {k: (v, "") for k, v in counts.items()}


RUNNERS: dict[str, Callable[[pd.DataFrame, dict], dict | pd.DataFrame]] = {
    "new": new, "previous": previous, "regex": plain_regex, "ahocorasick": ahocorasick_bound,
}


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--day", default="", metavar="SIZE",
                        help="also time match_topics + attention(freq='D') on a built corpus of SIZE (e.g. 100MB)")
    parser.add_argument("--regex-max", type=int, default=1000,
                        help="skip the regex pipeline above this many entries in all (it takes minutes)")
    args = parser.parse_args(argv)
    pipelines = [p for p in args.pipelines.split(",") if p]
    unknown = [p for p in pipelines if p not in RUNNERS]
    if unknown:
        parser.error(f"unknown pipeline(s) {unknown}; choose among {list(RUNNERS)}")

    print(f"python {platform.python_version()}, pandas {version('pandas')}, pyarrow {version('pyarrow')}, "
          f"numpy {version('numpy')}, pyahocorasick {version('pyahocorasick')}")
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    articles = read_bbc(args.corpora)
    mb = sum(len(t.encode()) for t in articles["title"]) + sum(len(t.encode()) for t in articles["text"])
    mb /= 1e6
    print(f"BBC: {len(articles)} articles, {mb:.2f} MB of title + text (UTF-8)\n")

    header = (f"{'size':>7} {'pipeline':>12} {'cold s':>8} {'median s':>9} {'min-max s':>13} {'MB/s':>7} "
              f"{'cpu s':>6} {'pairs':>7} {'hits':>9}")
    print(header)
    print("-" * len(header))
    for size in args.sizes.split(","):
        n_topics, n_entries = (int(x) for x in size.split("x"))
        topics = make_topics(articles, n_topics, n_entries)
        results = {}
        for name in pipelines:
            if name == "regex" and n_topics * n_entries > args.regex_max:
                print(f"{size:>7} {name:>12}   skipped: {n_topics * n_entries} entries > --regex-max {args.regex_max}")
                continue
            times, cpu = [], []
            for _ in range(args.repeat + 1):
                begin, begin_cpu = time.perf_counter(), time.process_time()
                result = RUNNERS[name](articles, topics)
                times.append(time.perf_counter() - begin)
                cpu.append(time.process_time() - begin_cpu)
            result = results[name] = as_pairs(result)
            med = statistics.median(times[1:])
            hits = sum(n for n, _ in result.values())
            print(f"{size:>7} {name:>12} {times[0]:8.2f} {med:9.3f} {min(times[1:]):6.2f}-{max(times[1:]):<6.2f} "
                  f"{mb / med:7.1f} {statistics.median(cpu[1:]):6.2f} {len(result):7d} {hits:9d}", flush=True)
        compared = [p for p in ("new", "previous", "regex") if p in results]
        for other in compared[1:]:
            same = results[other] == results[compared[0]]
            print(f"{'':>7} check: {compared[0]} == {other}: {'same hits and evidence' if same else 'DIFFERENT'}")
            if not same:
                diff = set(results[other].items()) ^ set(results[compared[0]].items())
                print(f"{'':>7}   {len(diff)} differing (article, topic) pairs, e.g. {sorted(diff)[:3]}")
        print(f"{'':>7} load average now {os.getloadavg()[0]:.2f}")
    if args.day:
        topic_hits_per_day(args.day, args.repeat)


def topic_hits_per_day(size: str, repeat: int) -> None:
    """Time match_topics (example topics) then attention(freq="D") on a built corpus of ``size``."""
    import resource

    import pyarrow.parquet as pq

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build_corpus import ensure_corpus

    from toolkit.coverage import attention

    folder = ensure_corpus(size)
    articles = pq.read_table(folder / "corpus.parquet").to_pandas()
    for column in ("doc_id", "outlet", "title", "text"):
        articles[column] = articles[column].astype("str")
    mb = sum(len(t.encode()) for t in articles["title"].fillna("")) + sum(len(t.encode()) for t in articles["text"].fillna(""))
    mb /= 1e6
    topics = REPO / "data" / "topics" / "example.yaml"
    print(f"\ntopic hits per day: {folder / 'corpus.parquet'}: {len(articles)} articles, {mb:.1f} MB of title + text; "
          f"topics {topics.relative_to(REPO)}; load average {os.getloadavg()[0]:.2f}")
    header = f"{'step':>22} {'cold s':>8} {'median s':>9} {'min-max s':>13} {'MB/s':>7} {'cpu s':>6} {'rows':>8}"
    print(header)
    print("-" * len(header))
    steps: dict[str, tuple[list[float], list[float], int]] = {}
    before = _rss_mib("VmRSS")
    _reset_peak()
    for _ in range(repeat + 1):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        matches = match_topics(articles, topics)
        middle, middle_cpu = time.perf_counter(), time.process_time()
        daily = attention(articles, matches, freq="D")
        end, end_cpu = time.perf_counter(), time.process_time()
        for name, wall, cpu, rows in (
            ("match_topics", middle - begin, middle_cpu - begin_cpu, len(matches)),
            ("attention(freq='D')", end - middle, end_cpu - middle_cpu, len(daily)),
            ("both", end - begin, end_cpu - begin_cpu, len(daily)),
        ):
            walls, cpus, _ = steps.setdefault(name, ([], [], rows))
            walls.append(wall)
            cpus.append(cpu)
    for name, (walls, cpus, rows) in steps.items():
        warm = walls[1:] or walls
        med = statistics.median(warm)
        print(f"{name:>22} {walls[0]:8.2f} {med:9.3f} {min(warm):6.2f}-{max(warm):<6.2f} {mb / med:7.1f} "
              f"{statistics.median(cpus[1:] or cpus):6.2f} {rows:8d}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    above = _rss_mib("VmHWM") - before if before is not None and _rss_mib("VmHWM") is not None else None
    during = f", {above:+.0f} MiB above the RSS before the first run ({before:.0f} MiB, articles loaded)" if above is not None else ""
    print(f"{'':>7} peak RSS of this process {peak:.0f} MiB{during}; load average now {os.getloadavg()[0]:.2f}")


def _rss_mib(key: str) -> float | None:
    """VmRSS or VmHWM of this process in MiB (Linux), else None."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return None


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so that it measures the steps alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


if __name__ == "__main__":
    main()
