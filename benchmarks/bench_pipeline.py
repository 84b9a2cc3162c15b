"""The coverage pipeline against scikit-learn, NLTK and a C baseline, on 10 MB to 1 GB corpora.

One run measures, on the same corpus built by ``build_corpus.py`` (Reuters-21578 + ReCOVery,
replicated), four pipelines that compute the same things: per-article word counts (title +
text), corpus term and document frequencies, and topic hits per day for the example topics
(``data/topics/example.yaml``):

- ``ours``: ``tk.load_corpus(corpus.parquet)`` -> the fastest public counting API available
  (``document_term_matrix`` when the toolkit has it, else ``tokenize(sentences=False)`` +
  ``term_frequencies(tokens=...)``) -> ``tk.match_topics`` + ``tk.attention(freq="D")``;
- ``sklearn``: ``pandas.read_parquet`` -> ``CountVectorizer(lowercase=True,
  token_pattern=r"(?u)\\b\\w+\\b")`` ``fit_transform`` on title + text -> row sums, column
  sums, ``(X > 0)`` column sums -> one case-insensitive regex per topic counted with
  ``Series.str.count`` (pyarrow's RE2 kernel), articles with a hit grouped by day;
- ``nltk``: ``pandas.read_parquet`` -> untrained ``PunktSentenceTokenizer`` +
  ``NLTKWordTokenizer`` per sentence (what ``word_tokenize`` does; its ``punkt_tab`` is a
  download) -> ``nltk.FreqDist`` for term and document frequencies, a Python loop for
  per-article counts -> a loop of compiled ``re`` patterns per article for topic hits;
- ``c``: ``LC_ALL=C tr -cs '[:alnum:]' '\\n' < text.txt | mawk '{c[$0]++} END{...}'`` on the
  title + text file the builder wrote (writing that file is not timed); term frequencies only.

Each repeat of each pipeline runs in its own subprocess (cold start; peak RSS is the
pipeline's own ``ru_maxrss``, for ``c`` the larger of ``tr`` and ``mawk``), repeats are
interleaved, and medians are printed with the 1-minute load average. Usage::

    .venv/bin/python benchmarks/bench_pipeline.py --sizes 10MB,100MB [--repeat 3]
        [--pipelines ours,sklearn,nltk,c] [--nltk-sample MB] [--out DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_corpus  # noqa: E402 - the benchmark's sibling module

REPO = Path(__file__).resolve().parents[1]
TOPICS = REPO / "data" / "topics" / "example.yaml"
PIPELINES = ("ours", "sklearn", "nltk", "c")
STAGES = ("load", "count", "topics")
STAGE_NOTES = {
    "load": "Parquet -> articles table",
    "count": "per-article, term + doc freq",
    "topics": "topic hits per day",
}
# Words (as opposed to punctuation) hold a letter or a digit: the toolkit's rule, applied to
# NLTK's tokens too.
HAS_ALNUM = re.compile(r"[^\W_]")
SKLEARN_PATTERN = r"(?u)\b\w+\b"
# Sizes above this run only ours, sklearn and c, once (NLTK would take hours).
BIG_BYTES = 200_000_000
TOP_N = 20


# ---------------------------------------------------------------------------------------------
# Inside a worker
# ---------------------------------------------------------------------------------------------


class Stopwatch:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def topic_patterns(path: Path = TOPICS, *, lower: bool = False) -> dict[str, tuple[str, str | None]]:
    """Per topic, the regex a data scientist writes from the YAML, and one for its exclusions.

    Entries are case-insensitive, bounded by ``\\b``; a trailing ``*`` is ``\\w*``; the words
    of a phrase are separated by ``\\s+``. Exclusions are counted the same way and subtracted.
    ``lower=True``: lower-case patterns without the ``(?i)`` flag, for lower-cased texts.
    """
    import yaml

    spec = yaml.safe_load(path.read_text(encoding="utf-8"))

    def regex(entries: list[str]) -> str:
        parts = []
        for entry in entries:
            entry = str(entry).lower() if lower else str(entry)
            words = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w)
                     for w in entry.split()]
            parts.append(r"\s+".join(words))
        return ("" if lower else "(?i)") + r"\b(?:" + "|".join(parts) + r")\b"

    out = {}
    for topic, value in spec.items():
        terms, exclude = (value.get("terms", []), value.get("exclude", [])) if isinstance(value, dict) \
            else (value, [])
        out[str(topic)] = (regex(terms), regex(exclude) if exclude else None)
    return out


def result(base: float, *, n_articles: int, text_bytes: int, per_article: Any, term_n: dict | None,
           n_types: int, top: list[str], topic_pairs: int, topic_days: int, **extra: Any) -> dict:
    return {"rss_base": base, "rss_peak": peak_rss_mib(), "n_articles": n_articles,
            "text_bytes": text_bytes, "n_words": int(sum(per_article)), "n_types": n_types,
            "top": top, "topic_pairs": topic_pairs, "topic_days": topic_days,
            "max_article_words": int(max(per_article)) if len(per_article) else 0,
            **({"term_n": term_n} if term_n is not None else {}), **extra}


def nbytes(values: Any) -> int:
    return sum(len(v.encode("utf-8")) for v in values if isinstance(v, str))


def run_ours(folder: Path, watch: Stopwatch, *, api: str = "auto", words: str = "toolkit", **_: Any) -> dict:
    with watch("import"):
        import numpy as np

        import toolkit as tk

        load_corpus, tokenize, term_frequencies = tk.load_corpus, tk.tokenize, tk.term_frequencies
        match_topics, attention = tk.match_topics, tk.attention
        from toolkit import stats

        # Public in toolkit.stats (exported from the package when the lead adds it).
        dtm = getattr(tk, "document_term_matrix", None) or getattr(stats, "document_term_matrix", None)
    if api == "auto":
        api = "dtm" if dtm is not None else "tokens"
    base = peak_rss_mib()
    with watch("load"):
        # The replicas are exact copies by construction: flagging them (duplicates="exact", the
        # default) would mark all but the first; de-duplication is bench_dedup's subject.
        articles = load_corpus(folder / "corpus.parquet", duplicates="none", progress=False)
    with watch("count"):
        if api == "dtm":
            matrix, vocabulary = dtm(articles, stopwords=False, words=words)
            per_article = np.asarray(matrix.sum(axis=1)).ravel()
            term_n_arr = np.asarray(matrix.sum(axis=0)).ravel()
            docfreq = np.bincount(matrix.indices, minlength=matrix.shape[1])
            order = np.argsort(-term_n_arr, kind="stable")[:TOP_N]
            top = [str(vocabulary[i]) for i in order]
            n_types = len(vocabulary)
            sample = {str(vocabulary[i]): int(term_n_arr[i]) for i in order}
            del docfreq
        else:
            tokens = tokenize(articles, sentences=False, progress=False)
            per_article = tokens.groupby("doc_id", observed=True, sort=False).size().to_numpy()
            terms = term_frequencies(articles, tokens=tokens, stopwords=False)  # toolkit words only
            top = terms["term"].head(TOP_N).astype(str).tolist()
            n_types = len(terms)
            sample = dict(zip(top, terms["n"].head(TOP_N).astype(int).tolist(), strict=True))
            del tokens
    with watch("topics"):
        matches = match_topics(articles, TOPICS)
        daily = attention(articles, matches, freq="D")
    return result(base, n_articles=len(articles),
                  text_bytes=nbytes(articles["title"]) + nbytes(articles["text"]),
                  per_article=per_article, term_n=sample, n_types=n_types, top=top,
                  topic_pairs=int(daily["n_matching"].sum()),
                  topic_days=int((daily["n_matching"] > 0).sum()), api=f"{api}, words={words}")


def read_table(folder: Path, limit_bytes: int | None = None) -> Any:
    """What a notebook user writes: pandas.read_parquet (and, for a sample, the first rows)."""
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(folder / "corpus.parquet", columns=["doc_id", "published", "title", "text"])
    if limit_bytes:
        sizes = (df["title"].fillna("").str.len() + df["text"].fillna("").str.len()).to_numpy()
        n = int(np.searchsorted(np.cumsum(sizes), limit_bytes)) + 1
        df = df.iloc[:n]
    return df


def run_sklearn(folder: Path, watch: Stopwatch, **_: Any) -> dict:
    with watch("import"):
        import numpy as np
        import pandas as pd
        from sklearn.feature_extraction.text import CountVectorizer
    base = peak_rss_mib()
    with watch("load"):
        df = read_table(folder)
    with watch("count"):
        docs = df["title"].fillna("") + "\n" + df["text"].fillna("")
        vectorizer = CountVectorizer(lowercase=True, token_pattern=SKLEARN_PATTERN)
        matrix = vectorizer.fit_transform(docs)
        per_article = np.asarray(matrix.sum(axis=1)).ravel()
        term_n = np.asarray(matrix.sum(axis=0)).ravel()
        docfreq = np.asarray((matrix > 0).sum(axis=0)).ravel()
        vocabulary = vectorizer.get_feature_names_out()
        order = np.argsort(-term_n, kind="stable")[:TOP_N]
    with watch("topics"):
        day = df["published"].dt.floor("D")
        # Lower-case once, then count lower-case patterns: pandas runs these without flags
        # twice as fast as str.count(pattern, flags=re.IGNORECASE) (measured here).
        lower = docs.str.lower()
        hits = {}
        for topic, (pattern, exclude) in topic_patterns(lower=True).items():
            n = lower.str.count(pattern)
            if exclude:
                n = n - lower.str.count(exclude)
            hits[topic] = n > 0
        matching = pd.DataFrame(hits).groupby(day).sum()
        daily = matching.join(day.value_counts().rename("n_total"))
    del docfreq
    return result(base, n_articles=len(df), text_bytes=nbytes(df["title"]) + nbytes(df["text"]),
                  per_article=per_article,
                  term_n={str(vocabulary[i]): int(term_n[i]) for i in order}, n_types=len(vocabulary),
                  top=[str(vocabulary[i]) for i in order],
                  topic_pairs=int(matching.to_numpy().sum()),
                  topic_days=int((daily.drop(columns="n_total") > 0).to_numpy().sum()))


def run_nltk(folder: Path, watch: Stopwatch, *, limit_bytes: int | None = None, **_: Any) -> dict:
    with watch("import"):
        import nltk
        from nltk.tokenize import NLTKWordTokenizer, PunktSentenceTokenizer
    base = peak_rss_mib()
    with watch("load"):
        df = read_table(folder, limit_bytes)
    with watch("count"):
        punkt, treebank = PunktSentenceTokenizer(), NLTKWordTokenizer()

        def words_of(text: object) -> list[str]:
            if not isinstance(text, str) or not text.strip():
                return []
            return [w.lower() for s in punkt.tokenize(text) for w in treebank.tokenize(s)
                    if HAS_ALNUM.search(w)]

        freq, docfreq = nltk.FreqDist(), nltk.FreqDist()
        per_article = []
        for title, text in zip(df["title"], df["text"], strict=True):
            words = words_of(title) + words_of(text)
            per_article.append(len(words))
            freq.update(words)
            docfreq.update(set(words))
        top = [w for w, _ in freq.most_common(TOP_N)]
    with watch("topics"):
        patterns = {t: (re.compile(p), re.compile(x) if x else None) for t, (p, x) in topic_patterns().items()}
        daily: dict[tuple[Any, str], int] = {}
        for published, title, text in zip(df["published"], df["title"], df["text"], strict=True):
            doc = f"{title or ''}\n{text or ''}"
            day = published.floor("D") if published == published else None
            for topic, (pattern, exclude) in patterns.items():
                n = len(pattern.findall(doc)) - (len(exclude.findall(doc)) if exclude else 0)
                if n > 0 and day is not None:
                    daily[day, topic] = daily.get((day, topic), 0) + 1
    return result(base, n_articles=len(df), text_bytes=nbytes(df["title"]) + nbytes(df["text"]),
                  per_article=per_article, term_n={w: int(freq[w]) for w in top}, n_types=len(freq),
                  top=top, topic_pairs=sum(daily.values()), topic_days=len(daily))


def run_c(folder: Path, watch: Stopwatch, **_: Any) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "counts.txt"
        command = (f"tr -cs '[:alnum:]' '\\n' < '{folder / 'text.txt'}' | "
                   f"mawk '{{c[$0]++}} END{{for (w in c) print c[w], w}}' > '{table}'")
        with watch("count"):
            subprocess.run(["bash", "-c", command], check=True, env={**os.environ, "LC_ALL": "C"})
        peak = peak_rss_mib(resource.RUSAGE_CHILDREN)
        counts = {}
        with open(table, encoding="latin-1") as f:
            for line in f:
                n, _, word = line.rstrip("\n").partition(" ")
                if word:  # tr leaves one empty line when the file starts with a separator
                    counts[word] = int(n)
    top = sorted(counts, key=lambda w: -counts[w])[:TOP_N]
    return {"rss_base": 0.0, "rss_peak": peak, "n_articles": None, "text_bytes": None,
            "n_words": sum(counts.values()), "n_types": len(counts), "top": top,
            "term_n": {w: counts[w] for w in top}, "topic_pairs": None, "topic_days": None,
            "max_article_words": None}


RUNNERS: dict[str, Callable[..., dict]] = {
    "ours": run_ours, "sklearn": run_sklearn, "nltk": run_nltk, "c": run_c,
}


def worker(pipeline: str, folder: Path, options: dict) -> None:
    watch = Stopwatch()
    out = RUNNERS[pipeline](folder, watch, **options)
    stages = {s: v for s, v in watch.seconds.items() if s != "import"}
    out.update(seconds=stages, total=sum(stages.values()), import_seconds=watch.seconds.get("import", 0.0))
    print(json.dumps(out, default=str))


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------


def run_worker(pipeline: str, folder: Path, options: dict, *, max_rss_gib: float,
               timeout: float | None = None) -> dict:
    """Run one pipeline once in a subprocess; stop it past ``max_rss_gib`` or ``timeout`` seconds.

    The machine is shared (and a 1 GB corpus can take sklearn past 10 GB): a run that crosses
    the budget is stopped and reported as such instead of taking the machine down.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", pipeline, "--corpus-dir", str(folder)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=err, text=True)
        try:
            proc.stdin.write(json.dumps(options))
            proc.stdin.close()
            stopped = watch_worker(proc, max_rss_gib=max_rss_gib, timeout=timeout)
        finally:
            if proc.poll() is None:  # stopped, or the driver was interrupted: no stray worker
                proc.kill()
                proc.wait()
        if stopped:
            return {"failed": stopped}
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-1:] or [""]
        print(f"bench_pipeline: {pipeline} failed on {folder} (exit {proc.returncode}):\n{stderr[-3000:]}",
              file=sys.stderr)
        return {"failed": f"exit {proc.returncode}: {tail[0][:200]}"}
    return json.loads(stdout.strip().splitlines()[-1])


def watch_worker(proc: subprocess.Popen, *, max_rss_gib: float, timeout: float | None) -> str | None:
    """Wait for ``proc``; return why it must be stopped (RSS or time budget), or None when done."""
    import psutil

    watched, start = psutil.Process(proc.pid), time.monotonic()
    while proc.poll() is None:
        if timeout and time.monotonic() - start > timeout:
            return f"stopped after {timeout:g} s (--timeout)"
        try:
            rss = sum(p.memory_info().rss for p in [watched, *watched.children(recursive=True)])
        except psutil.Error:
            rss = 0
        if rss > max_rss_gib * 2**30:
            return f"stopped at {rss / 2**30:.1f} GiB RSS (budget --max-rss-gib {max_rss_gib:g})"
        time.sleep(0.2)
    return None


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def package_versions() -> str:
    parts = []
    for name in ("media-coverage-toolkit", "pandas", "pyarrow", "numpy", "scipy", "scikit-learn", "nltk"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    tools = []
    for tool, flag in (("mawk", "-W version"), ("tr", "--version")):
        try:
            out = subprocess.run(f"{tool} {flag} 2>&1 | head -1", shell=True, capture_output=True,
                                 text=True, check=False, timeout=10)
            tools.append(out.stdout.strip() or tool)
        except (OSError, subprocess.SubprocessError):
            tools.append(f"{tool} (unknown)")
    return ", ".join(parts) + "; " + "; ".join(tools)


def machine_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        mem = ""
    return f"nproc {machine_cpus()} ({cpu}){mem}; {platform.platform()}"


def summarise(runs: list[dict], scale: float = 1.0) -> dict:
    """Medians of a pipeline's runs; ``scale`` extrapolates a sample's seconds to the corpus.

    The load stage is never scaled: a sampled run reads the whole file, then takes a prefix.
    """
    def scaled(r: dict, s: str) -> float:
        return r["seconds"][s] * (1.0 if s == "load" else scale)

    stages = {s: statistics.median(scaled(r, s) for r in runs) for s in runs[0]["seconds"]}
    totals = [sum(scaled(r, s) for s in r["seconds"]) for r in runs]
    return {"stages": stages, "total": statistics.median(totals), "min": min(totals), "max": max(totals),
            "rss_peak": statistics.median(r["rss_peak"] for r in runs),
            "rss_base": statistics.median(r["rss_base"] for r in runs),
            "import": statistics.median(r["import_seconds"] for r in runs),
            "n": len(runs), "scale": scale, "last": runs[-1]}


def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}" if x < 10 else f"{x:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def row(label: str, cells: list[str], width: int = 14, first: int = 40) -> str:
    return f"{label:<{first}}" + "".join(f"{c:>{width}}" for c in cells)


def label_of(name: str, s: dict) -> str:
    if s["scale"] != 1.0:
        return f"{name}*"
    return name


def print_size(label: str, manifest: dict, results: dict[str, dict], notes: list[str]) -> None:
    pipes = [p for p in PIPELINES if p in results]
    mb = manifest["text_bytes"] / 1e6
    ref = "ours" if "ours" in results else pipes[0]
    words = results[ref]["last"]["n_words"]
    others = [p for p in pipes if p != "ours"] if "ours" in results else []
    print(f"\n=== {label}: {manifest['n_articles']:,} articles, {mb:.1f} MB of title+text (UTF-8), "
          f"{words:,} words ({ref}) ===")
    runs = ", ".join(f"{p} {results[p]['n']}" for p in pipes)
    print(f"Runs (median of): {runs}")
    for note in notes:
        print(note)
    heads = [label_of(p, results[p]) for p in pipes]
    print("\nWall seconds (median); ours/x < 1: ours is faster")
    header = row(f"{'stage':<10}what", heads + [f"ours/{p}" for p in others])
    print(header)
    print("-" * len(header))
    for stage in STAGES:
        cells = [fmt_s(results[p]["stages"].get(stage)) for p in pipes]
        rel = [ratio(results["ours"]["stages"].get(stage), results[p]["stages"].get(stage)) for p in others]
        print(row(f"{stage:<10}{STAGE_NOTES[stage]}", cells + rel))
    total = [fmt_s(results[p]["total"]) for p in pipes]
    rel = [ratio(results["ours"]["total"], results[p]["total"]) for p in others]
    print(row(f"{'total':<10}end to end (no imports)", total + rel))
    print(row(f"{'':<10}(min-max)", [f"{results[p]['min']:.1f}-{results[p]['max']:.1f}" for p in pipes]))
    print(row(f"{'imports':<10}not in the total", [fmt_s(results[p]["import"]) for p in pipes]))

    print(f"\nThroughput over the same {mb:.1f} MB and {words:,} words ({ref}'s count), and memory; "
          "ours/x > 1 for MB/s: ours is faster; for MiB: ours uses more")
    header = row("", heads + [f"ours/{p}" for p in others])
    print(header)
    print("-" * len(header))
    lines: list[tuple[str, Callable[[dict], float]]] = [
        ("MB/s end to end", lambda r: mb / r["total"]),
        ("words/s end to end (millions)", lambda r: words / r["total"] / 1e6),
        ("MB/s of the count stage", lambda r: mb / r["stages"]["count"]),
        ("peak RSS MiB", lambda r: r["rss_peak"]),
        ("peak RSS above imports MiB", lambda r: r["rss_peak"] - r["rss_base"]),
    ]
    for name, get in lines:
        values = {p: get(results[p]) for p in pipes}
        print(row(name, [f"{values[p]:.1f}" for p in pipes]
                  + [ratio(values.get("ours"), values[p]) for p in others]))

    print("\nSanity check: the same counts? (difference from " + ref + ")")
    r0 = results[ref]["last"]
    header = row("", pipes, width=20)
    print(header)
    print("-" * len(header))
    for key, name in (("n_words", "words (title+text)"), ("n_types", "distinct words (types)"),
                      ("topic_pairs", "topic x article hits"), ("topic_days", "topic x day cells > 0")):
        cells = []
        for p in pipes:
            value, base = results[p]["last"].get(key), r0.get(key)
            if value is None:
                cells.append("-")
            elif results[p]["scale"] != 1.0:
                cells.append(f"{value:,} (sample)")
            elif p == ref or not base:
                cells.append(f"{value:,}")
            else:
                cells.append(f"{value:,} ({(value - base) / base:+.1%})")
        print(row(name, cells, width=20))
    print(row(f"top {TOP_N} terms shared with {ref}",
              [f"{len(set(results[p]['last']['top']) & set(r0['top']))}/{TOP_N}" for p in pipes], width=20))
    if "ours" in results:
        print(f"counted by ours with: {results['ours']['last'].get('api')}")


def print_sweep(sweep: list[tuple[str, dict, dict[str, dict]]]) -> None:
    print("\n=== Sweep: time and memory by corpus size (growth should be linear) ===")
    header = row(f"{'size':<8}{'pipeline':<10}", ["MB", "seconds", "MB/s", "s per 100MB", "peak MiB",
                                                   "MiB per 100MB"], first=18)
    print(header)
    print("-" * len(header))
    for label, manifest, results in sweep:
        mb = manifest["text_bytes"] / 1e6
        for p in PIPELINES:
            if p not in results:
                continue
            r = results[p]
            data = r["rss_peak"] - r["rss_base"]
            print(row(f"{label:<8}{label_of(p, r):<10}",
                      [f"{mb:.0f}", fmt_s(r["total"]), f"{mb / r['total']:.1f}",
                       f"{r['total'] / mb * 100:.1f}", f"{r['rss_peak']:.0f}",
                       f"{data / mb * 100:.0f}" if r["scale"] == 1.0 else "-"], first=18))


def print_targets(sweep: list[tuple[str, dict, dict[str, dict]]]) -> None:
    """The issue's targets, on the size closest to 100 MB that ran ours."""
    candidates = [s for s in sweep if "ours" in s[2]]
    if not candidates:
        return
    label, _, results = min(candidates, key=lambda s: abs(s[1]["text_bytes"] - 100e6))
    ours = results["ours"]
    print(f"\n=== Targets (issue 6), on {label} ===")
    for p, want in (("sklearn", 2.5), ("nltk", 50.0), ("c", 0.5)):
        if p in results:
            got = results[p]["total"] / ours["total"]
            extra = " (NLTK extrapolated from a sample)" if results[p]["scale"] != 1.0 else ""
            print(f"ours throughput / {p}: {got:.2f}x (target >= {want}x): "
                  f"{'met' if got >= want else 'NOT met'}{extra}")
    if "sklearn" in results:
        a, b = ours["rss_peak"], results["sklearn"]["rss_peak"]
        print(f"peak RSS ours {a:.0f} MiB vs sklearn {b:.0f} MiB (target: ours <= sklearn): "
              f"{'met' if a <= b else 'NOT met'}")


NOTES = """
Notes
- MB/s and words/s of every pipeline use the same denominators: the corpus's UTF-8 bytes of
  title + text and ours' word count. Load is reading corpus.parquet (ours: load_corpus with its
  defaults, duplicates="none"; the others: pandas.read_parquet). c has no load or topic stage:
  its total is the tr | mawk pipe over text.txt, whose writing (by build_corpus.py) is not timed;
  it counts term frequencies only (no per-article counts or document frequencies).
- Words: ours = the toolkit's regex words (lower-cased; 's and n't are words); sklearn =
  \\b\\w+\\b (cuts at apostrophes, hyphens, periods: u.s. -> u + s, covid-19 -> covid + 19);
  nltk = Treebank words holding a letter or digit (cannot -> can + not); c = runs of ASCII
  letters/digits, case-sensitive, so "U.S." -> U + S, accented words are cut, and "The" and
  "the" are two types. Hence word totals within a few percent and very different type counts.
- Topic hits: ours = match_topics on title, lede and body (token boundaries, globs, phrases,
  exclusions) then attention(freq="D"); sklearn and nltk = one case-insensitive regex per topic
  (\\b boundaries, glob -> \\w*, phrase words joined by \\s+) counted over title + text, minus
  the hits of the exclusion phrases; pyarrow's RE2 (sklearn) has ASCII \\b. Pairs are articles x
  topics with at least one hit; days are (day, topic) cells with at least one matching article.
- * = NLTK counted on a prefix of the corpus (--nltk-sample) and its count and topic seconds
  scaled by the size ratio: an extrapolation; its memory is that of the sample run (which did
  read the whole file).
- sklearn's topic stage lower-cases the texts once and counts lower-case patterns with
  Series.str.count: twice as fast here as str.count(pattern, flags=re.IGNORECASE).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10MB,100MB", help="comma-separated corpus sizes, e.g. 10MB,100MB,1GB")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each pipeline (median reported)")
    parser.add_argument("--big-repeat", type=int, default=1,
                        help=f"runs above {BIG_BYTES // 10**6} MB (nltk never runs there)")
    parser.add_argument("--pipelines", default=",".join(PIPELINES),
                        help=f"comma-separated subset of {','.join(PIPELINES)}")
    parser.add_argument("--nltk-sample", type=float, default=10.0, metavar="MB",
                        help="on corpora larger than this, time NLTK once on a prefix of this many MB "
                             "and extrapolate (0: run NLTK on the whole corpus, once)")
    parser.add_argument("--nltk-repeat", type=int, default=1, help="runs of nltk (it is slow)")
    parser.add_argument("--ours-words", choices=("toolkit", "alnum"), default="toolkit",
                        help="ours' word definition (document_term_matrix(words=)): the toolkit's words "
                        "(hyphens, clitics, U.S.) or alnum (runs of letters and digits, like sklearn's "
                        "[^\\W_]+ and tr -cs '[:alnum:]')")
    parser.add_argument("--ours-api", choices=("auto", "dtm", "tokens"), default="auto",
                        help="ours' counting API: document_term_matrix, tokenize+term_frequencies, or auto")
    parser.add_argument("--out", type=Path, default=None,
                        help="corpus folder (default: $TOOLKIT_BENCH_DIR or <tmp>/toolkit-bench); built when missing")
    parser.add_argument("--corpora", type=Path, default=build_corpus.DEFAULT_CORPORA)
    parser.add_argument("--max-rss-gib", type=float, default=14.0,
                        help="stop a run whose RSS exceeds this many GiB (default 14; the machine is shared)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="stop a run after this many seconds (reported as not finished)")
    parser.add_argument("--json", type=Path, help="also write every run's raw figures to this file")
    parser.add_argument("--worker", choices=PIPELINES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # kill <driver pid> ends the driver through SystemExit, which stops the running worker too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench_pipeline: terminated"))

    if args.worker:
        worker(args.worker, args.corpus_dir, json.loads(sys.stdin.read() or "{}"))
        return 0

    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]
    unknown = sorted(set(pipelines) - set(PIPELINES))
    if unknown or not pipelines:
        parser.error(f"--pipelines {args.pipelines!r}: unknown {unknown}; choose from {', '.join(PIPELINES)}")
    if min(args.repeat, args.big_repeat, args.nltk_repeat) < 1:
        parser.error("--repeat, --big-repeat and --nltk-repeat must be at least 1")
    try:
        sizes = [build_corpus.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as exc:
        parser.error(str(exc))

    print(f"bench_pipeline  {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"Repository {REPO} at {git_revision()}")
    print(f"Python {platform.python_version()}; {package_versions()}")
    print(f"Machine: {machine()}")
    print("Each run of each pipeline is a fresh subprocess; repeats are interleaved; totals exclude imports.")

    sweep, raw = [], {}
    for size in sizes:
        folder = build_corpus.ensure_corpus(size, out=args.out, corpora=args.corpora)
        manifest = build_corpus.read_manifest(folder)
        label = build_corpus.size_label(size)
        big = manifest["text_bytes"] > BIG_BYTES
        pipes = [p for p in pipelines if not (big and p == "nltk")]
        repeat = args.big_repeat if big else args.repeat
        notes = []
        if big and "nltk" in pipelines:
            notes.append(f"nltk is not run above {BIG_BYTES // 10**6} MB (it would take hours).")
        nltk_options: dict = {}
        scale = 1.0
        # A sample only when it saves real time (not for a 10 MB corpus and a 10 MB sample).
        if "nltk" in pipes and args.nltk_sample and manifest["text_bytes"] > 1.5 * args.nltk_sample * 1e6:
            nltk_options = {"limit_bytes": int(args.nltk_sample * 1e6)}
        options = {"ours": {"api": args.ours_api, "words": args.ours_words}, "nltk": nltk_options}
        runs: dict[str, list[dict]] = {p: [] for p in pipes}
        load_before = os.getloadavg()[0]
        for i in range(repeat):
            for p in pipes:
                if p == "nltk" and i >= args.nltk_repeat:
                    continue
                print(f"  {label}: {p} run {i + 1}/{repeat} ...", file=sys.stderr, flush=True)
                runs[p].append(run_worker(p, folder, options.get(p, {}), max_rss_gib=args.max_rss_gib,
                                         timeout=args.timeout))
        load_after = os.getloadavg()[0]
        results = {}
        for p in pipes:
            failed = [r["failed"] for r in runs[p] if "failed" in r]
            runs[p] = [r for r in runs[p] if "failed" not in r]
            if failed:
                notes.append(f"{p}: {len(failed)} run(s) did not finish: {failed[0]}")
            if not runs[p]:
                continue
            if p == "nltk" and nltk_options:
                sample_bytes = runs[p][-1]["text_bytes"]
                scale = manifest["text_bytes"] / sample_bytes
                notes.append(f"nltk* read the whole file, then counted on the first "
                             f"{sample_bytes / 1e6:.1f} MB ({runs[p][-1]['n_articles']:,} articles): "
                             f"its count and topics seconds are scaled x{scale:.2f} (EXTRAPOLATED), "
                             "its counts are the sample's.")
                results[p] = summarise(runs[p], scale)
            else:
                results[p] = summarise(runs[p])
        notes.append(f"1-minute load average: {load_before:.2f} before, {load_after:.2f} after "
                     f"({machine_cpus()} CPUs).")
        if not results:
            print(f"\n=== {label}: no pipeline finished ===")
            print("\n".join(notes))
            continue
        print_size(label, manifest, results, notes)
        sweep.append((label, manifest, results))
        raw[label] = {"manifest": manifest, "runs": runs}
    if len(sweep) > 1:
        print_sweep(sweep)
    print_targets(sweep)
    print(NOTES)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
