"""Benchmark the counting hot path: words, per-article counts, term and document frequencies.

On the same texts, in one run, each pipeline in its own subprocess (a cold start, its own peak
RSS), repeats interleaved:

- ``ours``: ``tokenize(articles, fields=("text",), sentences=False)`` (the vectorised word path),
  then per-article word counts (``bincount`` of the tokens' articles) and
  ``term_frequencies(articles, tokens=..., stopwords=False, fields=("text",))``;
- ``ours-dtm``: ``document_term_matrix(articles, stopwords=False, fields=("text",))`` (no tokens
  table), row sums for per-article counts, column sums and non-zeros for term and document
  frequencies;
- ``ours-alnum``: ``document_term_matrix(articles, stopwords=False, fields=("text",),
  words="alnum")``: words are maximal runs of letters and digits (as ``tr -cs '[:alnum:]'`` and
  ``sklearn-alnum``), counted byte-level; the same three results from its matrix;
- ``sklearn``: ``CountVectorizer(token_pattern=r"(?u)\\b\\w+\\b")`` (every word, lower-cased),
  the same three results from its matrix;
- ``sklearn-alnum``: the same with ``token_pattern=r"(?u)[^\\W_]+"``, the words of ``ours-alnum``
  (same vocabulary and counts);
- ``c``: ``LC_ALL=C tr -cs '[:alnum:]' '\\n' | mawk '{c[$0]++}'`` term frequencies of the same
  texts written to a temporary file (outside the repository; writing it is not timed).

Corpora: ``bbc`` (the 2,225 BBC texts, about 5 MB) and ``100mb`` (Reuters-21578 and ReCOVery
bodies repeated in memory, with distinct ids, until about 100 MB of UTF-8). Nothing is written
to the repository. Rates are MB of UTF-8 text per second of the pipeline (corpus building and
imports, scipy's included, are not timed); "CPU s" is user + system time of the pipeline (with
tr and mawk for ``c``), which other work on the machine affects far less than wall time; "RSS" is the process' peak (``ru_maxrss``) and "RSS above corpus" the
part after the corpus was built in memory. Usage::

    .venv/bin/python benchmarks/bench_counts.py [--corpus bbc,100mb] [--repeat N]
        [--pipelines ours,ours-dtm,ours-alnum,sklearn,sklearn-alnum,c] [--corpora PATH]
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
PIPELINES = ("ours", "ours-dtm", "ours-alnum", "sklearn", "sklearn-alnum", "c")


def _bbc(corpora: Path) -> list[str]:
    texts = []
    for path in sorted(glob.glob(str(corpora / "bbc" / "*" / "*.txt"))):
        raw = Path(path).read_bytes()
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("latin-1"))
    return texts


def _reuters_recovery(corpora: Path, target_mb: float) -> list[str]:
    base: list[str] = []
    for path in sorted(glob.glob(str(corpora / "reuters21578" / "*.sgm"))):
        sgml = Path(path).read_text(encoding="latin-1")
        base += [re.sub(r"&#\d+;", " ", b) for b in re.findall(r"<BODY>(.*?)</BODY>", sgml, re.S)]
    csv.field_size_limit(1 << 30)
    for path in sorted(glob.glob(str(corpora / "recovery-covid-news" / "dataset" / "*" / "*.csv"))):
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            base += [row["body_text"] for row in csv.DictReader(handle) if row.get("body_text")]
    size = sum(len(t.encode()) for t in base)
    repeats = max(1, round(target_mb * 1e6 / size))
    return base * repeats


def _texts(corpus: str, corpora: Path) -> list[str]:
    return _bbc(corpora) if corpus == "bbc" else _reuters_recovery(corpora, 100)


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children (tr and mawk for c)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(pipeline: str, corpus: str, corpora: Path, textfile: str) -> dict:
    texts = _texts(corpus, corpora)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    if pipeline in ("ours", "ours-dtm", "ours-alnum"):
        import numpy as np
        import pandas as pd
        import scipy.sparse  # noqa: F401 - imported lazily by the toolkit; imports are not timed (as sklearn's)

        from toolkit.stats import document_term_matrix, term_frequencies
        from toolkit.text import tokenize

        articles = pd.DataFrame({
            "doc_id": pd.array([f"d{i}" for i in range(len(texts))], dtype="str"),
            "outlet": pd.array(["X"] * len(texts), dtype="str"),
            "published": pd.Series(pd.NaT, index=range(len(texts)), dtype="datetime64[us, UTC]"),
            "title": pd.array([None] * len(texts), dtype="str"),
            "text": pd.array(texts, dtype="str"),
        })
        del texts
    elif pipeline in ("sklearn", "sklearn-alnum"):
        from sklearn.feature_extraction.text import CountVectorizer
    base_rss = _rss_mib()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    if pipeline == "ours":
        tokens = tokenize(articles, fields=("text",), sentences=False)
        per_article = np.bincount(tokens["doc_id"].cat.codes.to_numpy(), minlength=len(articles))
        freqs = term_frequencies(articles, tokens=tokens, stopwords=False, fields=("text",))
        words, types = int(per_article.sum()), len(freqs)
    elif pipeline in ("ours-dtm", "ours-alnum"):
        words = "alnum" if pipeline == "ours-alnum" else "toolkit"
        matrix, vocabulary = document_term_matrix(articles, stopwords=False, fields=("text",), words=words)
        per_article = np.asarray(matrix.sum(axis=1)).ravel()
        n = np.asarray(matrix.sum(axis=0)).ravel()
        docfreq = np.bincount(matrix.indices, minlength=len(vocabulary))
        words, types = int(per_article.sum()), len(vocabulary)
        del n, docfreq
    elif pipeline in ("sklearn", "sklearn-alnum"):
        pattern = r"(?u)[^\W_]+" if pipeline == "sklearn-alnum" else r"(?u)\b\w+\b"
        vectorizer = CountVectorizer(token_pattern=pattern)
        matrix = vectorizer.fit_transform(texts)
        per_article = matrix.sum(axis=1)
        n = matrix.sum(axis=0)
        docfreq = (matrix > 0).sum(axis=0)
        words, types = int(per_article.sum()), matrix.shape[1]
        del n, docfreq
    else:
        out = subprocess.run(
            f"LC_ALL=C tr -cs '[:alnum:]' '\\n' < {textfile} | mawk '{{c[$0]++}} END {{for (w in c) {{n++; t+=c[w]}}; print n, t}}'",
            shell=True, check=True, capture_output=True, text=True,
        ).stdout.split()
        types, words = int(out[0]), int(out[1])
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    return {"pipeline": pipeline, "corpus": corpus, "mb": mb, "seconds": seconds, "cpu": cpu, "words": words,
            "types": types, "rss": _rss_mib(), "base_rss": base_rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="bbc,100mb")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pipelines", default=",".join(PIPELINES))
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--worker", nargs=3, metavar=("PIPELINE", "CORPUS", "TEXTFILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker[0], args.worker[1], args.corpora, args.worker[2])))
        return
    if not args.corpora.is_dir():
        sys.exit(f"corpora not found at {args.corpora}; pass --corpora PATH")
    pipelines = [p for p in args.pipelines.split(",") if p]
    import numpy
    import pandas
    import pyarrow
    import sklearn

    print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, numpy {numpy.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    for corpus in args.corpus.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            textfile = os.path.join(tmp, "texts.txt")
            with open(textfile, "w", encoding="utf-8") as handle:
                for text in _texts(corpus, args.corpora):
                    handle.write(text + "\n")
            load_before = os.getloadavg()[0]
            runs: dict[str, list[dict]] = {p: [] for p in pipelines}
            for r in range(args.repeat):
                for p in pipelines:
                    out = subprocess.run([sys.executable, __file__, "--corpora", str(args.corpora), "--worker", p, corpus, textfile],
                                         check=True, capture_output=True, text=True).stdout
                    runs[p].append(json.loads(out.strip().splitlines()[-1]))
                    print(f"  {corpus} {p} run {r + 1}: {runs[p][-1]['seconds']:.2f}s", file=sys.stderr)
        load_after = os.getloadavg()[0]
        mb = runs[pipelines[0]][0]["mb"]
        print(f"\n## {corpus}: {mb:.1f} MB of text; 1-min load average {load_before:.1f} before, {load_after:.1f} after; "
              f"median of {args.repeat}")
        print("| pipeline | seconds | CPU s | MB/s | words/s | words | types | peak RSS MiB | RSS above corpus MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        rate = {}
        for p in pipelines:
            sec = statistics.median(x["seconds"] for x in runs[p])
            cpu = statistics.median(x["cpu"] for x in runs[p])
            rss = statistics.median(x["rss"] for x in runs[p])
            above = statistics.median(x["rss"] - x["base_rss"] for x in runs[p])
            last = runs[p][-1]
            rate[p] = mb / sec
            print(f"| {p} | {sec:.2f} | {cpu:.2f} | {mb / sec:.1f} | {last['words'] / sec / 1e6:.2f}M | {last['words']:,} | "
                  f"{last['types']:,} | {rss:.0f} | {above:.0f} |")
        for mine in ("ours", "ours-dtm", "ours-alnum"):
            for other in ("sklearn", "sklearn-alnum", "c"):
                if mine in rate and other in rate:
                    print(f"- {mine}/{other} MB/s ratio: {rate[mine] / rate[other]:.2f}")


if __name__ == "__main__":
    main()
