"""Batch runs: one report per outlet, topic or grid entry, in parallel worker processes.

Fast tests build runs and index pages without a kernel. The ``notebook`` tests run real batches
through ``python -m toolkit`` (real processes, real kernels, real signals): a small probe
notebook written by the test (fast), tests/notebooks/failing_report.ipynb, and the real
coverage report over data/sample.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from toolkit.batch import (
    BatchRun,
    RunOutcome,
    each_runs,
    grid_runs,
    read_grid,
    run_batch,
    safe_name,
    write_index,
)
from toolkit.cli import run
from toolkit.errors import ParameterError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
DEMO = NOTEBOOKS / "demo_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"
COVERAGE = REPO / "notebooks" / "coverage_report.ipynb"

UNSAFE_OUTLETS = ["../x", "a/b", "<script>alert(1)</script>", "boom"]

PROBE_PARAMETERS = """\
corpus: str = "corpus"  # folder of articles
topics: str = "topics.yaml"  # topic dictionary
outlets: list[str] | None = None  # only these outlets
topic: str = ""  # one topic
"""

PROBE_BODY = """\
import json, os, tempfile
print(json.dumps({"outlets": outlets, "topic": topic, "tmp": tempfile.gettempdir()}))
if outlets == ["boom"] or topic == "Boom":
    raise RuntimeError("the boom outlet fails on purpose")
"""


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """A tiny report taking corpus/topics/outlets/topic, a 4-outlet corpus and a topic file."""
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))
    work = tmp_path / "work"
    corpus = work / "corpus"
    corpus.mkdir(parents=True)
    lines = ["title,text,outlet,published"]
    lines += [f'T{i},Body {i}.,"{outlet}",2021-11-0{i + 1}' for i, outlet in enumerate(UNSAFE_OUTLETS)]
    (corpus / "articles.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work / "topics.yaml").write_text("Climate: [summit]\nBoom: [boom]\n", encoding="utf-8")
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Probe report\n\nPrints its parameters (batch tests)."),
            new_code_cell(PROBE_PARAMETERS, metadata={"tags": ["parameters"]}),
            new_code_cell(PROBE_BODY),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = work / "probe_report.ipynb"
    nbformat.write(nb, path)
    return path


def toolkit(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600):
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def index_record(out: Path) -> dict:
    return json.loads((out / "index.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def test_safe_name_turns_unsafe_values_into_plain_stems():
    assert safe_name("../x").startswith("x-")
    assert safe_name("a/b").startswith("a-b-")
    assert safe_name("<script>").startswith("script-")
    assert safe_name("..").startswith("run-")  # nothing left of the label but its hash
    assert safe_name("Daily Meridian", prefix="Coverage Report").startswith(
        "coverage-report-daily-meridian-"
    )
    # Labels that slug alike still get different names (the hash is of the label itself).
    names = {safe_name(v) for v in ["BBC", "bbc", "b/b/c", "B.B.C.", "bbc "]}
    assert len(names) == 5
    assert safe_name("Zürich Zeitung") == safe_name("Zürich Zeitung")
    assert safe_name("Zürich Zeitung").startswith("zurich-zeitung-")


@given(st.text(max_size=200))
def test_safe_name_is_always_a_plain_file_stem(label):
    name = safe_name(label)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
    assert len(name) <= 40 + 1 + 8
    assert not name.startswith(".") and "/" not in name and "\\" not in name


# --------------------------------------------------------------------------------------------
# Grids and runs (no kernel)
# --------------------------------------------------------------------------------------------


def test_read_grid_list_and_mapping_forms(tmp_path):
    listed = tmp_path / "grid.yaml"
    listed.write_text("- {n: 2, code: '007'}\n- {start: 2021-11-01}\n-\n", encoding="utf-8")
    assert read_grid(listed) == [(None, {"n": 2, "code": "007"}), (None, {"start": "2021-11-01"}),
                                 (None, {})]
    labelled = tmp_path / "grid.json"
    labelled.write_text(json.dumps({"small": {"n": 1}, "big": {"n": 9}}), encoding="utf-8")
    assert read_grid(labelled) == [("small", {"n": 1}), ("big", {"n": 9})]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("grid.txt", "- {}", "expected a .yaml, .yml or .json file"),
        ("grid.yaml", "n: [unclosed", "expected valid YAML or JSON"),
        ("grid.yaml", "42", "expected a non-empty list of parameter sets"),
        ("grid.yaml", "[]", "The file lists no runs."),
        ("grid.yaml", "- [1, 2]", "Its entry 1 is [1, 2], not a mapping"),
        ("grid.json", '{"a": 3}', "Its entry 'a' is 3, not a mapping"),
    ],
)
def test_read_grid_errors(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=re.escape(message)):
        read_grid(path)


def test_read_grid_missing_file(tmp_path):
    with pytest.raises(ParameterError, match="expected a readable UTF-8 file"):
        read_grid(tmp_path / "nope.yaml")


def test_grid_runs_type_the_values_and_label_the_runs():
    runs = grid_runs(DEMO, [{"n": "3", "labels": "a,b"}, {"n": 4}], parameters={"code": "007"})
    assert [r.label for r in runs] == ['n=3, labels=["a", "b"]', "n=4"]
    assert runs[0].parameters == {"code": "007", "n": 3, "labels": ["a", "b"]}
    assert runs[1].parameters == {"code": "007", "n": 4}
    assert runs[0].name != runs[1].name
    named = grid_runs(DEMO, {"small": {"n": 1}, "../big": {"n": 9}})
    assert [r.label for r in named] == ["small", "../big"]
    assert named[1].name.startswith("big-")


def test_grid_runs_reject_unknown_names_bad_values_and_repeats():
    with pytest.raises(ParameterError, match=r"parameters\['nn'\]=.*Did you mean 'n'\?.*grid run"):
        grid_runs(DEMO, [{"nn": 1}])
    with pytest.raises(ParameterError, match="n='abc' is not valid: expected an integer"):
        grid_runs(DEMO, [{"n": "abc"}])
    with pytest.raises(ParameterError, match="It repeats the run 'n=2'"):
        grid_runs(DEMO, [{"n": 2}, {"n": 2}])


def test_run_batch_checks_every_run_before_starting(tmp_path):
    runs = [BatchRun("good", "good-1", {"n": 2}), BatchRun("bad", "bad-1", {"n": "two"})]
    with pytest.raises(ParameterError, match=r"n'\]='two' is not valid.*\(run 2 of 2: 'bad'\)"):
        run_batch(DEMO, runs, out=tmp_path / "out")
    with pytest.raises(ParameterError, match="both write 'same'"):
        run_batch(DEMO, [BatchRun("a", "same"), BatchRun("b", "same")], out=tmp_path / "out")
    with pytest.raises(ParameterError, match="jobs=0 is not valid"):
        run_batch(DEMO, [BatchRun("a", "a-1")], out=tmp_path / "out", jobs=0)
    assert not (tmp_path / "out").exists()


def test_each_outlet_and_each_topic_runs(probe):
    runs = each_runs(probe, "outlet")
    assert [r.label for r in runs] == sorted(UNSAFE_OUTLETS)
    assert all(r.parameters == {"outlets": [r.label]} for r in runs)
    assert len({r.name for r in runs}) == 4
    limited = each_runs(probe, "outlet", parameters={"outlets": ["boom", "a/b"]})
    assert [r.label for r in limited] == ["boom", "a/b"]
    with pytest.raises(ParameterError, match=r"outlets=\['nope'\] is not valid: expected outlets"):
        each_runs(probe, "outlet", parameters={"outlets": ["nope"]})
    topics = each_runs(probe, "topic")
    assert [(r.label, r.parameters) for r in topics] == [
        ("Climate", {"topic": "Climate"}),
        ("Boom", {"topic": "Boom"}),
    ]
    with pytest.raises(ParameterError, match="drop -p topic="):
        each_runs(probe, "topic", parameters={"topic": "Climate"})


def test_each_needs_a_parameter_to_set():
    with pytest.raises(ParameterError, match="a report that takes a 'topic' parameter"):
        each_runs(COVERAGE, "topic")
    with pytest.raises(ParameterError, match="a report that takes an 'outlets' parameter"):
        each_runs(DEMO, "outlet")
    with pytest.raises(ParameterError, match="each='place' is not valid"):
        each_runs(DEMO, "place")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# The index page
# --------------------------------------------------------------------------------------------


def test_index_escapes_everything_and_links_relatively(tmp_path):
    hostile = "<script>alert(1)</script>"
    ok_run = BatchRun(hostile, safe_name(hostile), {"outlets": [hostile]})
    bad_run = BatchRun("b&b", safe_name("b&b"), {"title": '"><img src=x onerror=alert(2)>'})
    idle = BatchRun("later", "later-1")
    outcomes = [
        RunOutcome(ok_run, "ok", html=tmp_path / f"{ok_run.name}.html", duration=1.25),
        RunOutcome(bad_run, "failed", notebook=tmp_path / f"{bad_run.name}.failed.ipynb",
                   reason="ValueError: <b>boom</b> & more"),
        RunOutcome(idle, "not run"),
    ]
    index = write_index(tmp_path, "probe<x>", outcomes, title="By <outlet>", note="<i>stopped</i>")
    page = index.read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "ValueError: &lt;b&gt;boom&lt;/b&gt; &amp; more" in page
    assert f'<a href="{ok_run.name}.html">' in page
    assert f'href="{bad_run.name}.failed.ipynb"' in page
    assert "<title>By &lt;outlet&gt;</title>" in page
    assert "1 ok, 1 failed, 1 not run" in page
    record = index_record(tmp_path)
    assert [r["status"] for r in record["runs"]] == ["ok", "failed", "not run"]
    assert record["runs"][0]["html"] == f"{ok_run.name}.html"
    assert record["runs"][0]["label"] == hostile
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "index.json"]


# --------------------------------------------------------------------------------------------
# Real batches
# --------------------------------------------------------------------------------------------


@pytest.mark.notebook
def test_each_outlet_with_unsafe_names_and_one_failure(probe, tmp_path):
    work = probe.parent
    done = toolkit("report", str(probe), "--each", "outlet", "-j", "2", "--out", "out",
                   "--no-progress", cwd=work, env={"TOOLKIT_CACHE_DIR": str(tmp_path / "cache")})
    assert done.returncode == 3, done.stderr
    out = work / "out"
    assert done.stdout == f"{out / 'index.html'}\n"
    assert "toolkit: report failed: 3 of 4 reports ok, 1 failed" in done.stderr
    assert "  boom: Report 'probe_report' failed in cell 2" in done.stderr
    # Everything stayed inside out/, under slug-hash names.
    assert not (work / "x.html").exists() and not (tmp_path / "x.html").exists()
    record = index_record(out)
    by_label = {r["label"]: r for r in record["runs"]}
    assert set(by_label) == set(UNSAFE_OUTLETS)
    for label in ("../x", "a/b", "<script>alert(1)</script>"):
        entry = by_label[label]
        assert entry["status"] == "ok", entry
        assert entry["name"] == safe_name(label)
        assert entry["html"] == f"{safe_name(label)}.html"
        assert (out / entry["html"]).is_file()
    boom = by_label["boom"]
    assert boom["status"] == "failed"
    assert "RuntimeError: the boom outlet fails on purpose." in boom["reason"]
    assert boom["notebook"] == f"{safe_name('boom')}.failed.ipynb"
    assert not (out / f"{safe_name('boom')}.html").exists()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    for label in ("../x", "a/b", "<script>alert(1)</script>"):
        assert f'<a href="{safe_name(label)}.html">' in page
    assert "the boom outlet fails on purpose" in page
    assert not [p.name for p in out.iterdir() if ".part" in p.name]
    # Each run had its own temporary folder (the kernel's too), removed afterwards.
    tmps = []
    for label in ("../x", "a/b", "<script>alert(1)</script>"):
        nb = nbformat.read(out / f"{safe_name(label)}.ipynb", as_version=4)
        texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        printed = json.loads(next(t for t in texts if '"tmp"' in t))
        assert printed["outlets"] == [label]
        tmps.append(printed["tmp"])
    assert len(set(tmps)) == 3
    assert all(safe_name(label) in tmp for label, tmp in zip(("../x", "a/b", "<script>alert(1)</script>"), tmps, strict=True))
    assert not [t for t in tmps if Path(t).exists()]


@pytest.mark.notebook
def test_grid_with_a_failing_run_exits_3_and_the_index_says_why(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("ok: {mode: none}\nbroken: {mode: raise, message: <b>bad</b>}\n")
    done = toolkit("report", str(FAILING), "--grid", str(grid), "--out", "out", "--no-progress",
                   cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    record = index_record(tmp_path / "out")
    assert [(r["label"], r["status"]) for r in record["runs"]] == [("ok", "ok"), ("broken", "failed")]
    assert "ValueError: deliberate failure: <b>bad</b>." in record["runs"][1]["reason"]
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "deliberate failure: &lt;b&gt;bad&lt;/b&gt;" in page


@pytest.mark.notebook
def test_batch_by_outlet_over_the_sample_corpus(tmp_path):
    import toolkit as tk

    # The four outlets of the demo corpus (the seed article adds a fifth with one article);
    # -p outlets= limits --each outlet to them.
    outlets = sorted(set(tk.load_corpus(REPO / "data" / "sample", progress=False)["outlet"]))
    outlets = [o for o in outlets if o != "Free Press Journal"]
    assert len(outlets) == 4
    started = time.perf_counter()
    done = toolkit("report", "coverage", "--corpus", str(REPO / "data" / "sample"), "--each",
                   "outlet", "-p", "outlets=" + ",".join(outlets), "--jobs", "2", "--out", "out",
                   "--no-progress", cwd=tmp_path,
                   env={"TOOLKIT_CACHE_DIR": str(tmp_path / "cache")})
    elapsed = time.perf_counter() - started
    print(f"\ncoverage by outlet, {len(outlets)} reports, 2 jobs: {elapsed:.1f} s")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    record = index_record(out)
    assert [r["label"] for r in record["runs"]] == outlets
    assert all(r["status"] == "ok" for r in record["runs"])
    page = (out / "index.html").read_text(encoding="utf-8")
    for outlet in outlets:
        html_file = out / f"{safe_name(outlet)}.html"
        assert html_file.is_file()
        assert f'<a href="{html_file.name}">{outlet}</a>' in page
        nb = nbformat.read(out / f"{safe_name(outlet)}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["outlets"] == [outlet]
    assert len(list(out.glob("*.html"))) == len(outlets) + 1


def _processes_with(marker: str) -> list[str]:
    """Command lines of live processes whose environment carries ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if f"P3_BATCH_MARK={marker}".encode() in environ.split(b"\0") and state != "Z":
            found.append(cmdline)
    return found


@pytest.mark.notebook
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_interrupted_batch_leaves_an_index_and_no_kernels(tmp_path, signum, code):
    marker = uuid.uuid4().hex
    grid = tmp_path / "grid.yaml"
    grid.write_text("quick: {mode: none}\nslow: {mode: sleep}\nslower: {mode: sleep, message: x}\n")
    env = {**os.environ, "P3_BATCH_MARK": marker}
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "report", str(FAILING), "--grid", str(grid), "-j", "2",
         "--out", "out", "--no-progress"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out = tmp_path / "out"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if (out / "index.json").exists() and index_record(out)["counts"]["ok"] == 1:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.3)
        else:
            pytest.fail("the quick run did not finish in time")
        # Wait until the slow runs' kernels are up (they then sleep in their third cell).
        deadline = time.monotonic() + 60
        while sum("ipykernel_launcher" in c for c in _processes_with(marker)) < 2:
            assert time.monotonic() < deadline, _processes_with(marker)
            time.sleep(0.3)
        time.sleep(2)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stderr
    assert stdout == f"{out / 'index.html'}\n"
    name = signal.Signals(signum).name
    assert f"toolkit: batch stopped by {name}: 1 of 3 reports ok" in stderr
    record = index_record(out)
    statuses = {r["label"]: r["status"] for r in record["runs"]}
    assert statuses == {"quick": "ok", "slow": "interrupted", "slower": "interrupted"}
    assert record["note"].startswith(f"Interrupted by {name}")
    assert (out / f"{safe_name('quick')}.html").is_file()
    assert not (out / f"{safe_name('slow')}.html").exists()
    assert not [p.name for p in out.iterdir() if ".part" in p.name]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert f"Interrupted by {name}" in page and "interrupted</span>" in page
    # No worker and no kernel outlived the batch.
    deadline = time.monotonic() + 5
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == []


# --------------------------------------------------------------------------------------------
# Command-line validation (in-process, nothing runs)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "args", "message"),
    [
        ("demo", ["--each", "outlet", "--grid", "{grid}"], "Use --each or --grid, not both."),
        ("demo", ["--jobs", "2"], "--jobs only applies to batch runs"),
        ("demo", ["--each", "outlet"], "a report that takes an 'outlets' parameter"),
        ("demo", ["--each", "place"], "Invalid value for '--each'"),
        ("demo", ["--grid", "{grid}", "-j", "0"], "Invalid value for '-j' / '--jobs'"),
        ("demo", ["--grid", "{tmp}/missing.yaml"], "expected a readable UTF-8 file"),
        ("demo", ["--grid", "{bad_grid}"], "n='lots' is not valid: expected an integer"),
        (str(COVERAGE), ["--each", "topic"], "a report that takes a 'topic' parameter"),
    ],
)
def test_bad_batch_input_exits_2_before_anything_runs(tmp_path, monkeypatch, capsys, report, args,
                                                      message):
    monkeypatch.setenv("TOOLKIT_NOTEBOOKS", str(NOTEBOOKS))
    grid = tmp_path / "grid.yaml"
    grid.write_text("- {n: 2}\n")
    bad_grid = tmp_path / "bad.yaml"
    bad_grid.write_text("- {n: 2}\n- {n: lots}\n")
    args = [a.format(grid=grid, bad_grid=bad_grid, tmp=tmp_path) for a in args]
    assert run(["report", report, *args, "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert not (tmp_path / "out").exists()


def test_unknown_outlet_exits_2(probe, tmp_path, capsys):
    assert run(["report", str(probe), "--each", "outlet", "-p", "outlets=nope",
                "--out", str(tmp_path / "out")]) == 2
    assert "outlets=['nope'] is not valid: expected outlets of the corpus" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_help_mentions_batch_mode(monkeypatch, capsys):
    monkeypatch.setenv("TOOLKIT_NOTEBOOKS", str(NOTEBOOKS))
    assert run(["report", "demo", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--each [outlet|topic]" in text and "--grid FILE" in text and "-j, --jobs N" in text




@pytest.mark.notebook
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_killed_batch_leaves_no_workers_kernels_or_temp_folders(tmp_path):
    """SIGKILL cannot be handled by the batch process; its workers notice and stop themselves."""
    marker = uuid.uuid4().hex
    grid = tmp_path / "grid.yaml"
    grid.write_text(f"slow: {{mode: sleep, message: {marker}}}\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "P3_BATCH_MARK": marker, "TMPDIR": str(temp)}
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "report", str(FAILING), "--grid", str(grid),
         "--out", "out", "--no-progress"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not any("ipykernel_launcher" in c for c in _processes_with(marker)):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.3)
        assert [p.name for p in temp.iterdir() if p.name.startswith("toolkit-batch-")]
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 60  # the workers notice within 1 s; their kernels may stop slowly under load

    def left() -> list[str]:
        return [p.name for p in temp.iterdir() if p.name.startswith("toolkit-batch-")]

    while (_processes_with(marker) or left()) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _processes_with(marker) == []
    assert not left()
    assert (tmp_path / "out" / "index.html").is_file()  # written before the first run started
