"""The ``toolkit`` command, run as a real process (``python -m toolkit``).

Reports are looked up in tests/notebooks (TOOLKIT_NOTEBOOKS), so these tests do not depend on
the real coverage notebook.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import click
import nbformat
import pytest

from toolkit.cli import cli, run

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


@pytest.fixture(autouse=True)
def restore_logging():
    """In-process runs configure the root logger (as the CLI does); undo that after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def toolkit(
    *args: str, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOOLKIT_NOTEBOOKS": str(NOTEBOOKS)}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def test_help_and_version():
    done = toolkit("--help")
    assert done.returncode == 0
    assert "report" in done.stdout
    done = toolkit("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("toolkit, version ")


def test_report_list():
    done = toolkit("report", "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["demo     Demo report", "failing  Failing report"]


def test_report_help_shows_the_notebooks_parameters():
    done = toolkit("report", "demo", "--help")
    assert done.returncode == 0, done.stderr
    assert 'code: str = "000"  # a string that looks like a number' in done.stdout
    assert "data_path: str | None = None" in done.stdout


@pytest.mark.notebook
def test_report_runs_and_prints_only_the_html_path(tmp_path):
    (tmp_path / "notes.txt").write_text("tide tables\n")
    done = toolkit(
        "-v",
        "report",
        "demo",
        "-p",
        "code=007",
        "-p",
        "labels=north,south",
        "-p",
        "n=2",
        "-p",
        "show_table=no",
        "-p",
        "data_path=notes.txt",
        "-p",
        "marker_path=marker.json",
        "--out",
        "out",
        "--name",
        "cli-demo",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    html = tmp_path / "out" / "cli-demo.html"
    assert done.stdout == f"{html}\n"
    assert "demo_report: kernel fd 1" in done.stderr  # the kernel's own stdout goes to stderr
    assert "INFO toolkit.report: report demo_report done in" in done.stderr  # -v logs
    assert "Traceback" not in done.stderr
    assert html.is_file() and (tmp_path / "out" / "cli-demo.ipynb").is_file()
    nb = nbformat.read(tmp_path / "out" / "cli-demo.ipynb", as_version=4)
    parameters = nb.metadata.papermill.parameters
    # "007" stays a string because the notebook declares `code: str`; the rest are typed too.
    assert parameters["code"] == "007"
    assert parameters["n"] == 2
    assert parameters["show_table"] is False
    assert parameters["labels"] == ["north", "south"]
    assert parameters["data_path"] == str(tmp_path / "notes.txt")
    marker = json.loads((tmp_path / "marker.json").read_text())
    assert marker["executable"] == sys.executable
    page = html.read_text(encoding="utf-8")
    assert "tide tables" in page and "(table hidden)" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "n=abc"], "toolkit: error: n='abc' is not valid: expected an integer."),
        (["-p", "scale=1e999"], "scale='1e999' is not valid: expected a number."),
        (
            ["-p", "nn=3"],
            "parameters['nn']='3' is not valid: expected a parameter of demo_report.ipynb",
        ),
        (["--corpus", "data"], "parameters['corpus']='data' is not valid"),
        (
            ["-p", "code=1", "-p", "code=2"],
            "code='2' is not valid: expected one value. It was given twice",
        ),
        (["-p", "n"], "Invalid value for '-p': 'n' is not NAME=VALUE"),
        (["--bogus"], "No such option '--bogus'"),
        (["--timeout", "-1"], "Invalid value for '--timeout'"),
    ],
)
def test_bad_input_exits_2(tmp_path, monkeypatch, capsys, args, message):
    # In-process (the same entry point as the console script) to keep these fast; the two
    # subprocess tests below check that real processes exit with the same codes.
    monkeypatch.setenv("TOOLKIT_NOTEBOOKS", str(NOTEBOOKS))
    assert run(["report", "demo", *args, "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "n=abc"], "toolkit: error: n='abc' is not valid: expected an integer."),
        (["-p", "n"], "Invalid value for '-p': 'n' is not NAME=VALUE"),
    ],
)
def test_bad_input_exits_2_as_a_process(tmp_path, args, message):
    done = toolkit("report", "demo", *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_unknown_report_exits_2(tmp_path):
    done = toolkit("report", "dmeo", "--out", str(tmp_path))
    assert done.returncode == 2
    assert (
        "report='dmeo' is not valid: expected one of 'demo', 'failing'. Did you mean 'demo'?"
        in done.stderr
    )


@pytest.mark.notebook
def test_failing_report_exits_3_and_names_the_cell(tmp_path):
    # A notebook path works as well as a report name.
    notebook = str(NOTEBOOKS / "failing_report.ipynb")
    done = toolkit("report", notebook, "-p", "message=oops", "--out", str(tmp_path))
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""
    # The dying kernel may log a line of its own first (jupyter_client interrupts it on
    # shutdown); the toolkit's message must be the one "toolkit:" paragraph and come last.
    ours = [line for line in done.stderr.splitlines() if line.startswith("toolkit:")]
    assert len(ours) == 1
    assert ours[0].startswith("toolkit: report failed: Report 'failing_report' failed in cell 3")
    assert "toolkit: report failed" in done.stderr.strip().split("\n\n")[-1]
    assert "ValueError: deliberate failure: oops." in done.stderr
    assert str(tmp_path / "failing_report.failed.ipynb") in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failing_report.failed.ipynb"]


def test_missing_kernel_exits_3(tmp_path):
    done = toolkit("report", "demo", "--kernel", "no-such-kernel", "--out", str(tmp_path))
    assert done.returncode == 3
    assert "kernel_name='no-such-kernel' is not an installed Jupyter kernel" in done.stderr


def test_unexpected_error_exits_1(capsys):
    @click.command("explode")
    def explode() -> None:
        raise RuntimeError("a bug")

    cli.add_command(explode)
    try:
        assert run(["explode"]) == 1
    finally:
        del cli.commands["explode"]
    assert capsys.readouterr().err == (
        "toolkit: unexpected error: RuntimeError: a bug. Rerun with -v to see the traceback.\n"
    )


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("toolkit")
    if not script.exists():
        pytest.skip(f"console script not installed at {script} (pip install -e .)")
    done = subprocess.run(
        [str(script), "report", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "Run a report notebook" in done.stdout


# --------------------------------------------------------------------------------------------
# toolkit load
# --------------------------------------------------------------------------------------------


def test_load_prints_the_report_and_writes_parquet(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nUpdated: 2021-11-04 15:23 IST\n\nSeoul: Body.")
    out = tmp_path / "articles.parquet"
    done = toolkit("load", str(tmp_path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 articles from 1 of 1 files; 0 files and 0 records skipped")
    import pandas as pd

    table = pd.read_parquet(out)
    assert table["title"].tolist() == ["Headline"]
    assert str(table["published"].iloc[0]) == "2021-11-04 09:53:00+00:00"


def test_load_exits_2_when_something_was_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    (tmp_path / "b.txt").write_bytes(b"")
    done = toolkit("load", str(tmp_path))
    assert done.returncode == 2
    assert "skipped" in done.stdout and "b.txt: empty file" in done.stdout
    strict = toolkit("load", str(tmp_path), "--strict")
    assert strict.returncode == 2
    assert "toolkit: error:" in strict.stderr and "b.txt: empty file" in strict.stderr


def test_load_exclude_passes_over_matching_files(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    (tmp_path / "b-draft.txt").write_bytes(b"")
    done = toolkit("load", str(tmp_path), "--exclude", "*-draft.txt", "--exclude", "*.bak")
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("1 articles from 1 of 1 files; 0 files and 0 records skipped; 1 files ignored")


def test_load_missing_path_and_bad_out(tmp_path):
    done = toolkit("load", str(tmp_path / "nope"))
    assert done.returncode == 2 and "does not exist" in done.stderr
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    bad = toolkit("load", str(tmp_path), "--out", str(tmp_path / "x.xlsx"))
    assert bad.returncode == 2 and ".parquet or .csv" in bad.stderr


def test_load_writes_the_per_record_report_and_uses_the_cache(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{"title": "A", "text": "Same body text here."}, {"title": "B", "text": "Same body text here."}]
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    report = tmp_path / "out" / "load.csv"
    cache = tmp_path / "cache"
    done = toolkit("load", str(corpus), "--report", str(report), "--cache-dir", str(cache))
    assert done.returncode == 2, done.stderr  # a record was skipped
    first = done.stdout.splitlines()[0]
    assert first.startswith("2 articles from 1 of 1 files; 0 files and 1 records skipped")
    assert "1 duplicates (exact)" in first and "read from the cache" not in first
    import pandas as pd

    log = pd.read_csv(report)
    assert log["status"].tolist() == ["loaded", "duplicate", "skipped"]
    assert log["line"].tolist() == [1, 2, 3]
    assert f"wrote the load report (3 rows, one per input record) to {report}" in done.stdout
    again = toolkit("load", str(corpus), "--cache-dir", str(cache), "--duplicates", "none")
    assert "read from the cache" not in again.stdout  # other arguments, other cache entry
    third = toolkit("load", str(corpus), "--cache-dir", str(cache))
    assert "read from the cache" in third.stdout.splitlines()[0]


def test_load_stream_writes_the_same_table_and_report(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{"title": "A", "text": "Same body text here."}, {"title": "B", "text": "Same body text here."}]
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    whole, streamed = tmp_path / "whole.parquet", tmp_path / "streamed.parquet"
    assert toolkit("load", str(corpus), "--out", str(whole)).returncode == 2
    done = toolkit("load", str(corpus), "--out", str(streamed), "--stream", "--report", str(tmp_path / "log.csv"))
    assert done.returncode == 2, done.stderr  # the broken line was skipped, as without --stream
    assert done.stdout.startswith("2 articles from 1 of 1 files; 0 files and 1 records skipped")
    assert "1 duplicates (exact)" in done.stdout
    import pandas as pd

    a, b = pd.read_parquet(whole), pd.read_parquet(streamed)
    pd.testing.assert_frame_equal(a[b.columns].reset_index(drop=True), b.reset_index(drop=True))
    assert pd.read_csv(tmp_path / "log.csv")["status"].tolist() == ["loaded", "duplicate", "skipped"]
    for args in (["--out", str(tmp_path / "x.csv")], [], ["--out", str(streamed), "--duplicates", "near"]):
        bad = toolkit("load", str(corpus), "--stream", *args)
        assert bad.returncode == 2 and "--stream" in bad.stderr


def test_load_checks_output_names_before_loading(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    bad = toolkit("load", str(tmp_path), "--report", str(tmp_path / "r.xlsx"))
    assert bad.returncode == 2 and "--report=" in bad.stderr and ".parquet or .csv" in bad.stderr
    assert bad.stdout == ""  # nothing was loaded
    help_text = toolkit("load", "--help").stdout
    for option in ("--report", "--cache / --no-cache", "--duplicates", "--no-normalize", "--progress"):
        assert option in help_text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "no/such/folder"], "corpus='"),
        (["--topics", "no-such.yaml"], "topics='"),
        (["-p", "start=01/11/2021"], "Which is the day in '01/11/2021'?"),
        (["-p", "start=2021-11-20", "-p", "end=2021-11-01"], "Swap start and end."),
    ],
)
def test_coverage_inputs_are_checked_before_a_kernel_starts(tmp_path, args, message):
    notebook = str(Path(__file__).resolve().parents[1] / "notebooks" / "coverage_report.ipynb")
    out = tmp_path / "out"
    done = toolkit("report", notebook, *args, "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert not out.exists()  # nothing was run, nothing written


# --------------------------------------------------------------------------------------------
# toolkit report NAME --help against papermill's inspect_notebook; validation of every report
# --------------------------------------------------------------------------------------------

REPORT_NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize(
    "notebook",
    [NOTEBOOKS / "demo_report.ipynb", *REPORT_NOTEBOOKS],
    ids=lambda p: p.stem,
)
def test_report_help_agrees_with_papermill(notebook, capsys):
    """Every parameter papermill's ``inspect_notebook`` reads appears in ``--help`` with the
    same type, default and help text; ours also lists those papermill's line regex skips
    (``str | None``, ``Literal[...]``)."""
    from papermill import inspect_notebook

    from toolkit.report import notebook_parameters

    assert run(["report", str(notebook), "--help"]) == 0
    text = capsys.readouterr().out
    inspected = inspect_notebook(str(notebook))
    ours = notebook_parameters(notebook)
    assert set(inspected) <= set(ours)
    for name, info in inspected.items():
        line = f"{name}: {info['inferred_type_name']} = {info['default']}"
        if info["help"]:
            line += f"  # {info['help']}"
        assert line in text, line
    for param in ours.values():
        assert f"  {param.name}: {param.inferred_type_name} = {param.default}" in text


@pytest.mark.parametrize("notebook", REPORT_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_report_rejects_bad_parameters_before_a_kernel_starts(notebook, tmp_path, capsys):
    from toolkit.report import notebook_parameters

    out = tmp_path / "out"
    assert run(["report", str(notebook), "-p", "no_such_parameter=1", "--out", str(out)]) == 2
    assert "parameters['no_such_parameter']='1' is not valid" in capsys.readouterr().err
    declared = notebook_parameters(notebook)
    if "corpus" in declared:
        assert run(["report", str(notebook), "--corpus", str(tmp_path / "nope"), "--out", str(out)]) == 2
        assert "corpus='" in capsys.readouterr().err
    if "start" in declared and "end" in declared:
        args = ["-p", "start=2021-11-20", "-p", "end=2021-11-01"]
        assert run(["report", str(notebook), *args, "--out", str(out)]) == 2
        assert "Swap start and end." in capsys.readouterr().err
    if "freq" in declared:
        assert run(["report", str(notebook), "-p", "freq=fortnight", "--out", str(out)]) == 2
        assert "freq='fortnight' is not valid: expected one of 'D', 'W', 'M', 'Q', 'Y'" in (
            capsys.readouterr().err
        )
    assert not out.exists()


def test_report_list_shows_every_notebook_with_its_description():
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "report", "list"], capture_output=True, text=True,
        timeout=120, env={k: v for k, v in os.environ.items() if k != "TOOLKIT_NOTEBOOKS"},
    )
    assert done.returncode == 0, done.stderr
    from toolkit.report import list_reports

    listed = dict(line.split(None, 1) for line in done.stdout.splitlines())
    expected = {r.name: r.description for r in list_reports()}
    assert listed == expected
    assert {"coverage"} <= set(listed)
    assert all(description.strip() for description in listed.values())
