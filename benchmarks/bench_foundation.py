"""Benchmark the toolkit's foundation against what a notebook user would write instead.

One run measures, on the real BBC and ReCOVery corpora (``../shared/corpora``), each stage of
the toolkit's pipeline and of the two alternatives a notebook user would pick, all producing the
same tables (corpus summary, per-article statistics, term and document frequencies overall and
per outlet, top terms):

- ``ours``: ``load_corpus`` -> ``tokenize`` (Punkt sentences + regex words) -> ``corpus_summary``,
  ``article_stats``, ``term_frequencies`` (overall and ``by="outlet"``), ``top_terms``;
- ``ours-nosent``: the same with ``tokenize(sentences=False)``, to show what sentence splitting
  costs (no sentence counts);
- ``nltk``: files read with ``open()`` (ReCOVery with ``pandas.read_csv``), NLTK's untrained
  ``PunktSentenceTokenizer`` then ``NLTKWordTokenizer`` per sentence (what ``word_tokenize``
  does after Punkt; the pretrained ``punkt_tab`` it needs cannot be downloaded here),
  ``nltk.FreqDist`` for counts, a Python loop for per-article statistics;
- ``pandas``: the same reading, then ``str.lower().str.findall(r"\\w+")`` + ``explode`` +
  ``value_counts``/``groupby``; sentences approximated with ``str.count(r"[.!?]+(\\s|$)")``.

Every repeat of every pipeline runs in its own subprocess, so timings start cold (as in a fresh
notebook kernel) and peak RSS (``ru_maxrss``) is that pipeline's alone. Figures are medians of
``--repeat`` runs. Usage::

    .venv/bin/python benchmarks/bench_foundation.py [--corpus bbc|recovery|both] [--repeat N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
CORPORA = {"bbc": "bbc", "recovery": "recovery-covid-news"}
PIPELINES = ("ours", "ours-nosent", "nltk", "pandas")
STAGES = ("load", "tokenize", "summary", "article_stats", "term_freq", "term_freq_outlet", "top_terms")
STAGE_NOTES = {
    "load": "files -> articles table",
    "tokenize": "sentences + words (title, text)",
    "summary": "corpus summary",
    "article_stats": "per-article stats (text)",
    "term_freq": "term + doc freq, overall",
    "term_freq_outlet": "term + doc freq by outlet",
    "top_terms": "top 20 (alternatives: slice)",
}
TOP_N = 20
# What counts as a word in every pipeline: a token holding a letter or a digit (punctuation is
# dropped), the toolkit's own rule.
HAS_ALNUM = re.compile(r"[^\W_]")


# ---------------------------------------------------------------------------------------------
# Measuring inside a worker process
# ---------------------------------------------------------------------------------------------


class Stopwatch:
    """Wall seconds per named stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def text_bytes(values: Any) -> int:
    return sum(len(v.encode("utf-8")) for v in values if isinstance(v, str))


# Characters inside a word on which tokenizers disagree (for the sanity check); the apostrophe
# counts straight and curly.
SHAPES = {"-": "-", "'": "'\u2019", ".": ".", ",": ","}


def shapes(tokens: Any) -> dict[str, int]:
    """How many word tokens hold each of the :data:`SHAPES` characters."""
    counts = dict.fromkeys(SHAPES, 0)
    for token in tokens:
        for label, chars in SHAPES.items():
            counts[label] += any(c in token for c in chars)
    return counts


# ---------------------------------------------------------------------------------------------
# The pipelines (each runs in its own process)
# ---------------------------------------------------------------------------------------------


def run_ours(path: Path, corpus: str, watch: Stopwatch, *, sentences: bool = True, **_: Any) -> dict:
    with watch("import"):
        import toolkit as tk

        # The package imports its modules lazily; touch every name so imports are timed here.
        load_corpus, tokenize, corpus_summary = tk.load_corpus, tk.tokenize, tk.corpus_summary
        article_stats, term_frequencies, top_terms = tk.article_stats, tk.term_frequencies, tk.top_terms
    base = peak_rss_mib()
    with watch("load"):
        articles = load_corpus(path, progress=False)
    with watch("tokenize"):
        tokens = tokenize(articles, sentences=sentences, progress=False)
    with watch("summary"):
        summary = corpus_summary(articles, tokens=tokens)
    with watch("article_stats"):
        per_article = article_stats(articles, tokens=tokens)
    with watch("term_freq"):
        terms = term_frequencies(articles, tokens=tokens)
    if corpus == "recovery":
        with watch("term_freq_outlet"):
            by_outlet = term_frequencies(articles, tokens=tokens, by="outlet")
    with watch("top_terms"):
        top = top_terms(articles, tokens=tokens, n=TOP_N)
    peak = peak_rss_mib()

    row = summary.iloc[0]
    n_sentences = None if summary["n_sentences"].isna().iloc[0] else int(row["n_sentences"])
    return {
        "rss_base": base, "rss_peak": peak,
        "n_articles": int(row["n_articles"]),
        "text_bytes": text_bytes(articles["title"]) + text_bytes(articles["text"]),
        "n_words": int(row["n_tokens"]),
        "n_words_text": int(per_article["n_tokens"].sum()),
        "n_types": int(row["n_types"]),
        "n_sentences": n_sentences,
        "n_terms": len(terms),
        "n_outlet_rows": len(by_outlet) if corpus == "recovery" else None,
        "top": top["term"].tolist(),
        "shapes": shapes(tokens["token"].tolist()),
    }


def alternative_result(base: float, articles: Any, summary: dict, per_article: Any, terms: Any,
                       n_outlet_rows: int | None, top: list[str], words: Iterable[str]) -> dict:
    """The figures every alternative pipeline reports, in the shape run_ours reports them."""
    return {
        "rss_base": base, "rss_peak": peak_rss_mib(),
        "n_articles": len(articles),
        "text_bytes": text_bytes(articles["title"]) + text_bytes(articles["text"]),
        "n_words": summary["n_tokens"],
        "n_words_text": int(per_article["n_tokens"].sum()),
        "n_types": summary["n_types"],
        "n_sentences": summary["n_sentences"],
        "n_terms": len(terms),
        "n_outlet_rows": n_outlet_rows,
        "top": top,
        "shapes": shapes(words),
    }


def read_articles(path: Path, corpus: str) -> Any:
    """What a notebook user writes to get a table of articles: open() per file, or read_csv."""
    import pandas as pd

    if corpus == "recovery":
        frames = [pd.read_csv(p) for p in sorted(path.rglob("*.csv"))]
        raw = pd.concat(frames, ignore_index=True)
        return pd.DataFrame({
            "doc_id": raw["news_id"].astype(str),
            "outlet": raw["publisher"],
            "published": pd.to_datetime(raw["publish_date"], errors="coerce", utc=True),
            "title": raw["title"],
            "text": raw["body_text"],
        })
    records = []
    for p in sorted(path.glob("*/*.txt")):  # <category>/NNN.txt
        try:
            with open(p, encoding="utf-8") as f:
                content = f.read()
        except UnicodeDecodeError:  # bbc/sport/199.txt has a latin-1 pound sign
            with open(p, encoding="latin-1") as f:
                content = f.read()
        title, _, body = content.partition("\n")
        records.append({"doc_id": str(p.relative_to(path)), "outlet": None, "published": pd.NaT,
                        "title": title.strip(), "text": body.strip()})
    return pd.DataFrame(records)


def run_nltk(path: Path, corpus: str, watch: Stopwatch, *, stopwords: frozenset[str], **_: Any) -> dict:
    with watch("import"):
        import nltk
        import pandas as pd
        from nltk.tokenize import NLTKWordTokenizer, PunktSentenceTokenizer
    base = peak_rss_mib()
    with watch("load"):
        articles = read_articles(path, corpus)
    with watch("tokenize"):
        # word_tokenize() = punkt_tab sentences + NLTKWordTokenizer per sentence; punkt_tab
        # must be downloaded, so Punkt runs untrained here.
        punkt, treebank = PunktSentenceTokenizer(), NLTKWordTokenizer()

        def sentences_of(text: object) -> list[list[str]]:
            if not isinstance(text, str) or not text.strip():
                return []
            return [[w.lower() for w in treebank.tokenize(s) if HAS_ALNUM.search(w)]
                    for s in punkt.tokenize(text)]

        titles = [sentences_of(t) for t in articles["title"]]
        texts = [sentences_of(t) for t in articles["text"]]
        words = [[w for s in ti + te for w in s] for ti, te in zip(titles, texts, strict=True)]
    with watch("summary"):
        vocabulary: set[str] = set()
        for doc in words:
            vocabulary.update(doc)
        published = articles["published"]
        summary = {
            "n_articles": len(articles), "n_outlets": articles["outlet"].nunique(),
            "first_published": published.min(), "last_published": published.max(),
            "n_undated": int(published.isna().sum()),
            "n_tokens": sum(len(doc) for doc in words), "n_types": len(vocabulary),
            "n_sentences": sum(len(ti) + len(te) for ti, te in zip(titles, texts, strict=True)),
        }
    with watch("article_stats"):
        rows = []
        for doc_id, text, sents in zip(articles["doc_id"], articles["text"], texts, strict=True):
            doc = [w for s in sents for w in s]
            n, n_types = len(doc), len(set(doc))
            rows.append({"doc_id": doc_id, "n_chars": len(text) if isinstance(text, str) else 0,
                         "n_tokens": n, "n_types": n_types, "n_sentences": len(sents),
                         "type_token_ratio": n_types / n if n else float("nan"),
                         "mean_sentence_length": n / len(sents) if sents else float("nan")})
        per_article = pd.DataFrame(rows)

    def counts(docs: list[list[str]]) -> Any:
        freq, docfreq = nltk.FreqDist(), nltk.FreqDist()
        for doc in docs:
            kept = [w for w in doc if w not in stopwords]
            freq.update(kept)
            docfreq.update(set(kept))
        total = freq.N()
        table = pd.DataFrame(freq.most_common(), columns=["term", "n"])
        table["docfreq"] = table["term"].map(docfreq)
        table["share"] = table["n"] / total
        return freq, table

    with watch("term_freq"):
        freq, terms = counts(words)
    if corpus == "recovery":
        with watch("term_freq_outlet"):
            groups: dict[str, list[list[str]]] = {}
            for outlet, doc in zip(articles["outlet"], words, strict=True):
                groups.setdefault(outlet, []).append(doc)
            by_outlet = pd.concat(
                [counts(docs)[1].assign(outlet=outlet) for outlet, docs in sorted(groups.items())],
                ignore_index=True,
            )
    with watch("top_terms"):
        top = pd.DataFrame(freq.most_common(TOP_N), columns=["term", "n"])
    return alternative_result(base, articles, summary, per_article, terms,
                              len(by_outlet) if corpus == "recovery" else None,
                              top["term"].tolist(), (w for doc in words for w in doc))


def run_pandas(path: Path, corpus: str, watch: Stopwatch, *, stopwords: frozenset[str], **_: Any) -> dict:
    with watch("import"):
        import pandas as pd
    base = peak_rss_mib()
    with watch("load"):
        articles = read_articles(path, corpus)
    with watch("tokenize"):
        fields = {f: articles[f].fillna("").str.lower().str.findall(r"\w+") for f in ("title", "text")}
        tokens = (
            pd.concat(fields, names=["field", "row"]).explode().dropna().rename("token").reset_index()
        )
        # pandas has no sentence splitter; a regex for sentence ends is what one would write.
        n_sent = articles["text"].fillna("").str.count(r"[.!?]+(\s|$)")
        n_sent_title = (articles["title"].fillna("").str.strip() != "").astype(int)
    with watch("summary"):
        published = articles["published"]
        summary = {
            "n_articles": len(articles), "n_outlets": articles["outlet"].nunique(),
            "first_published": published.min(), "last_published": published.max(),
            "n_undated": int(published.isna().sum()),
            "n_tokens": len(tokens), "n_types": tokens["token"].nunique(),
            "n_sentences": int(n_sent.sum() + n_sent_title.sum()),
        }
    with watch("article_stats"):
        text_tokens = tokens[tokens["field"] == "text"]
        grouped = text_tokens.groupby("row")["token"]
        per_article = pd.DataFrame({
            "doc_id": articles["doc_id"],
            "n_chars": articles["text"].str.len().fillna(0).astype(int),
            "n_tokens": grouped.size().reindex(articles.index, fill_value=0),
            "n_types": grouped.nunique().reindex(articles.index, fill_value=0),
            "n_sentences": n_sent,
        })
        per_article["type_token_ratio"] = per_article["n_types"] / per_article["n_tokens"]
        per_article["mean_sentence_length"] = per_article["n_tokens"] / per_article["n_sentences"]
    kept = tokens[~tokens["token"].isin(stopwords)]
    with watch("term_freq"):
        n = kept["token"].value_counts()
        docfreq = kept.drop_duplicates(["row", "token"])["token"].value_counts()
        terms = pd.DataFrame({"n": n, "docfreq": docfreq.reindex(n.index), "share": n / n.sum()})
    if corpus == "recovery":
        with watch("term_freq_outlet"):
            kept_outlet = kept.assign(outlet=articles["outlet"].to_numpy()[kept["row"].to_numpy()])
            n_by = kept_outlet.groupby(["outlet", "token"]).size().rename("n")
            df_by = kept_outlet.drop_duplicates(["row", "token"]).groupby(["outlet", "token"]).size()
            by_outlet = pd.DataFrame({"n": n_by, "docfreq": df_by.reindex(n_by.index)})
            by_outlet["share"] = by_outlet["n"] / by_outlet.groupby(level="outlet")["n"].transform("sum")
            by_outlet = by_outlet.sort_values(["outlet", "n"], ascending=[True, False])
    with watch("top_terms"):
        top = terms.head(TOP_N)
    return alternative_result(base, articles, summary, per_article, terms,
                              len(by_outlet) if corpus == "recovery" else None,
                              top.index.tolist(), tokens["token"].tolist())


RUNNERS: dict[str, Callable[..., dict]] = {
    "ours": run_ours,
    "ours-nosent": lambda *a, **k: run_ours(*a, sentences=False, **k),
    "nltk": run_nltk,
    "pandas": run_pandas,
}


def worker(pipeline: str, corpus: str, corpora: Path) -> None:
    """Run one pipeline once and print its figures as one JSON line."""
    config = json.loads(sys.stdin.read() or "{}")
    watch = Stopwatch()
    start = time.perf_counter()
    result = RUNNERS[pipeline](corpora / CORPORA[corpus], corpus, watch,
                               stopwords=frozenset(config.get("stopwords", ())))
    stages = {s: v for s, v in watch.seconds.items() if s != "import"}
    result.update(
        seconds=stages,
        total=sum(stages.values()),
        import_seconds=watch.seconds["import"],
        process_seconds=time.perf_counter() - start,
    )
    print(json.dumps(result, default=str))


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------


def run_worker(pipeline: str, corpus: str, corpora: Path, stopwords: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", pipeline,
           "--corpus", corpus, "--corpora", str(corpora)]
    proc = subprocess.run(cmd, input=json.dumps({"stopwords": stopwords}), capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"bench_foundation: the {pipeline} pipeline failed on {corpus} "
                 f"(exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def git_revision() -> str:
    """The commit measured, with "-dirty" when the working tree has changes."""
    try:
        out = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def package_versions() -> str:
    names = ("media-coverage-toolkit", "pandas", "pyarrow", "numpy", "nltk")
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"nproc {machine_cpus()} ({cpu}){mem}; {platform.platform()}"


def machine_cpus() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def nltk_data_note() -> str:
    """Which NLTK data is installed (nothing is downloaded) and what the nltk pipeline uses."""
    probe = (
        "import nltk\n"
        "for name in ('tokenizers/punkt_tab/english/', 'corpora/stopwords'):\n"
        "    try:\n        nltk.data.find(name); print('installed')\n"
        "    except LookupError:\n        print('missing')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    punkt, stop = (out.stdout.split() + ["unknown", "unknown"])[:2]
    return (f"NLTK data (never downloaded): punkt_tab {punkt}, stopwords {stop}. word_tokenize and "
            "sent_tokenize need punkt_tab, so the nltk pipeline runs word_tokenize's own steps with "
            "what works offline: untrained PunktSentenceTokenizer, then NLTKWordTokenizer per "
            "sentence. Every pipeline removes the same stopwords (the toolkit's STOPWORDS list).")


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f}" if seconds < 10 else f"{seconds:.2f}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "-"
    # A stage that takes the alternative under a millisecond (slicing a table it already has)
    # makes a ratio meaningless.
    return f"{a / b:.2f}" if a / b < 100 else ">100"


def summarise(runs: list[dict]) -> dict:
    """Medians over repeats of a pipeline's stage times, totals and peak RSS."""
    stages = {s: median([r["seconds"][s] for r in runs]) for s in runs[0]["seconds"]}
    totals = [r["total"] for r in runs]
    return {
        "stages": stages,
        "total": median(totals), "total_min": min(totals), "total_max": max(totals),
        "import": median([r["import_seconds"] for r in runs]),
        "rss_base": median([r["rss_base"] for r in runs]),
        "rss_peak": median([r["rss_peak"] for r in runs]),
        "last": runs[-1],
    }


def table_row(label: str, cells: list[str], ratios: list[str], width: int = 13) -> str:
    return f"{label:<52}" + "".join(f"{c:>{width}}" for c in cells + ratios)


def print_times(results: dict[str, dict], pipes: list[str], ratios: list[str]) -> None:
    print("\nWall seconds per stage (median; ours/x < 1: ours is faster)")
    header = table_row(f"{'stage':<18}what", pipes, [f"ours/{p}" for p in ratios])
    print(header)
    print("-" * len(header))
    ours = results.get("ours")
    for stage in STAGES:
        if not any(stage in results[p]["stages"] for p in pipes):
            continue
        cells = [fmt_s(results[p]["stages"].get(stage)) for p in pipes]
        rel = [fmt_ratio(ours["stages"].get(stage), results[p]["stages"].get(stage)) for p in ratios]
        print(table_row(f"{stage:<18}{STAGE_NOTES[stage]}", cells, rel))
    rel = [fmt_ratio(ours["total"], results[p]["total"]) for p in ratios]
    print(table_row(f"{'end to end':<18}load -> top terms", [fmt_s(results[p]["total"]) for p in pipes], rel))
    spread = [f"{results[p]['total_min']:.2f}-{results[p]['total_max']:.2f}" for p in pipes]
    print(table_row(f"{'':<18}(min-max of the repeats)", spread, []))
    print(table_row(f"{'imports':<18}not in end to end", [fmt_s(results[p]["import"]) for p in pipes], []))


def print_throughput(results: dict[str, dict], pipes: list[str], ratios: list[str], mb: float,
                     words: int) -> None:
    print(f"\nThroughput end to end over the same {mb:.2f} MB and {words:,} words, and memory "
          "(ours/x > 1 for MB/s: ours is faster; for MiB: ours uses more)")
    header = table_row("", pipes, [f"ours/{p}" for p in ratios])
    print(header)
    print("-" * len(header))
    rows: list[tuple[str, Callable[[dict], float]]] = [
        ("MB/s of text", lambda r: mb / r["total"]),
        ("words/s (thousands)", lambda r: words / r["total"] / 1e3),
        ("tokenize stage MB/s", lambda r: mb / r["stages"]["tokenize"]),
        ("peak RSS MiB (whole process)", lambda r: r["rss_peak"]),
        ("RSS after imports MiB", lambda r: r["rss_base"]),
        ("peak RSS - after imports MiB", lambda r: r["rss_peak"] - r["rss_base"]),
    ]
    for label, get in rows:
        values = {p: get(results[p]) for p in pipes}
        print(table_row(label, [f"{values[p]:.1f}" for p in pipes],
                        [fmt_ratio(values["ours"], values[p]) for p in ratios]))


def print_sanity(results: dict[str, dict], pipes: list[str], ref: dict) -> None:
    print("\nSanity check: do the pipelines count the same things? (difference from ours)")
    header = f"{'':<30}" + "".join(f"{p:>22}" for p in pipes)
    print(header)
    print("-" * len(header))
    for key, label in (("n_words", "words (title+text)"), ("n_words_text", "words (text only)"),
                       ("n_types", "types"), ("n_sentences", "sentences"),
                       ("n_terms", "distinct non-stopwords")):
        cells = []
        for p in pipes:
            value, ref_value = results[p]["last"][key], ref[key]
            if value is None:
                cells.append("-")
            elif ref_value and results[p]["last"] is not ref:
                cells.append(f"{value:,} ({(value - ref_value) / ref_value:+.1%})")
            else:
                cells.append(f"{value:,}")
        print(f"{label:<30}" + "".join(f"{c:>22}" for c in cells))
    for label in SHAPES:
        print(f"{'words holding ' + label:<30}"
              + "".join(f"{results[p]['last']['shapes'][label]:>22,}" for p in pipes))
    top_ref = ref["top"]
    print(f"{f'top {TOP_N} terms shared with ours':<30}"
          + "".join(f"{len(set(results[p]['last']['top']) & set(top_ref)):>19}/{TOP_N}" for p in pipes))
    print(f"ours' top 10: {', '.join(top_ref[:10])}")
    for p in pipes:
        only = [t for t in results[p]["last"]["top"] if t not in top_ref]
        if only:
            print(f"  in {p}'s top {TOP_N} only: {', '.join(only)}")


def print_corpus(corpus: str, results: dict[str, dict], n_repeat: int) -> None:
    pipes = [p for p in PIPELINES if p in results]
    ref_name = "ours" if "ours" in results else pipes[0]
    ref = results[ref_name]["last"]
    mb, words = ref["text_bytes"] / 1e6, ref["n_words"]
    print(f"\n=== {corpus}: {ref['n_articles']:,} articles, {mb:.2f} MB of title+text (UTF-8), "
          f"{words:,} words ({ref_name}); median of {n_repeat} runs ===")
    ratios = [p for p in ("nltk", "pandas") if p in results] if "ours" in results else []
    print_times(results, pipes, ratios)
    print_throughput(results, pipes, ratios, mb, words)
    print_sanity(results, pipes, ref)


EXPLANATION = """
Why the counts differ (tokenization rules, not bugs; examples measured on these corpora):
- pandas' \\w+ cuts every word at an apostrophe, hyphen, period or comma: japan's -> japan + s
  (ours: japan + 's), don't -> don + t (ours: do + n't), covid-19 -> covid + 19, 15,000 -> 15 + 000,
  U.S. -> u + s. Hence about 1-2% more words, 10-15% fewer types, and fragments (s, t, 000, 19)
  among its frequent terms.
- NLTK's Treebank tokenizer agrees with ours on straight-apostrophe clitics, hyphenated words and
  numbers. It differs in that it splits "cannot" into can + not; keeps "£35bn", "hiv/aids" and
  "9/11" whole (ours splits off "£" and "/"); does not know curly apostrophes (ReCOVery's
  don\u2019t -> don + t; ours: do + n't); and since untrained Punkt ends a sentence after
  every "U.S." or "p.m.", Treebank then takes that period off (u.s vs ours u.s.).
- Sentences: ours splits paragraphs first (a line without final punctuation is a sentence) and
  knows a list of abbreviations; untrained Punkt splits after "Mr." and "U.S." but not at a
  paragraph break without punctuation; the pandas figure counts [.!?] followed by a space.
- Titles count as one sentence each everywhere; every pipeline removes the same stopwords.
- Ours strips surrounding whitespace from texts while loading (116 ReCOVery bodies); the
  alternatives keep it: a few hundred characters more, no more words.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("bbc", "recovery", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each pipeline (median reported)")
    parser.add_argument("--pipelines", default=",".join(PIPELINES),
                        help=f"comma-separated subset of {','.join(PIPELINES)}")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="folder holding bbc/ and recovery-covid-news/ (default: ../shared/corpora)")
    parser.add_argument("--json", type=Path, help="also write every run's raw figures to this file")
    parser.add_argument("--worker", choices=PIPELINES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(args.worker, args.corpus, args.corpora)
        return 0

    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]
    unknown = sorted(set(pipelines) - set(PIPELINES))
    if unknown or not pipelines:
        parser.error(f"--pipelines {args.pipelines!r}: unknown {unknown}; choose from {', '.join(PIPELINES)}")
    if args.repeat < 1:
        parser.error(f"--repeat {args.repeat}: must be at least 1")
    corpora = ["bbc", "recovery"] if args.corpus == "both" else [args.corpus]
    missing = [str(args.corpora / CORPORA[c]) for c in corpora if not (args.corpora / CORPORA[c]).is_dir()]
    if missing:
        sys.exit(f"bench_foundation: corpus folder(s) not found: {', '.join(missing)}. The benchmarks "
                 "run on the real corpora in ../shared/corpora next to the repository; pass "
                 "--corpora PATH if they are elsewhere.")

    from toolkit.text import STOPWORDS  # the same list for every pipeline (NLTK's needs a download)

    stopwords = sorted(STOPWORDS)
    print(f"bench_foundation  {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"Repository {REPO} at {git_revision()}")
    print(f"Python {platform.python_version()} ({sys.executable}); {package_versions()}")
    print(f"Machine: {machine()}")
    print(nltk_data_note())
    print("Each repeat of each pipeline runs in a fresh subprocess (cold kernel); "
          "end to end excludes imports.")

    raw: dict[str, dict[str, list[dict]]] = {}
    for corpus in corpora:
        raw[corpus] = {p: [] for p in pipelines}
        load_before = os.getloadavg()[0]
        # Interleave the pipelines so that drift in machine load hits them alike.
        for i in range(args.repeat):
            for p in pipelines:
                print(f"  {corpus}: {p} run {i + 1}/{args.repeat} ...", file=sys.stderr, flush=True)
                raw[corpus][p].append(run_worker(p, corpus, args.corpora, stopwords))
        print_corpus(corpus, {p: summarise(raw[corpus][p]) for p in pipelines}, args.repeat)
        # Other work on the machine inflates timings; the load average shows how much there was.
        print(f"\n1-minute load average: {load_before:.2f} before the {corpus} runs, "
              f"{os.getloadavg()[0]:.2f} after ({machine_cpus()} CPUs)")
    print(EXPLANATION)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
