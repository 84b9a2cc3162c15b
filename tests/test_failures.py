"""Failures during reports (issue 7): each gives a documented exit code and one paragraph that
names the report, the failing cell with its first line (or the missing thing) and where the
failed notebook was kept; no output is ever left under a final name after a failure.

Everything runs the real thing: the ``toolkit`` command in a subprocess, papermill, a real
ipykernel. Two faults need help to happen on demand:

* *disk full*: a 1 MiB tmpfs is mounted as the output folder (needs root and CAP_SYS_ADMIN,
  which this project's CI containers have); elsewhere that test is skipped, and a second
  test injects ``OSError(ENOSPC)`` at the HTML write instead -- the only mock in this file.
* *permission denied* as root: root ignores permission bits, so the command runs under
  ``setpriv`` with CAP_DAC_OVERRIDE dropped, where a ``chmod 555`` folder refuses writes.

Other stages (manifest, export, renaming into place) are made to fail by replacing the
function of that stage with one that raises (fault injection), after a real kernel ran.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from toolkit.errors import ParameterError, ReportError
from toolkit.report import (
    DEFAULT_TIMEOUT,
    MAX_OUTPUT_NAME_BYTES,
    notebook_timeout,
    run_report,
)

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
DEMO = NOTEBOOKS / "demo_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"
REPO = Path(__file__).resolve().parents[1]
FINAL_SUFFIXES = (".html", ".ipynb", ".manifest.json")


def toolkit_cmd(*args: str, cwd: Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``python -m toolkit ARGS`` as a separate process, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([*prefix, sys.executable, "-m", "toolkit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def toolkit_message(stderr: str) -> str:
    """The toolkit's own message: the last line of stderr, and the only one it wrote.

    Lines before it come from the kernel process, whose stderr is the command's (a report's
    own output on fd 1 and 2, ipykernel's complaints when it is stopped).
    """
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("toolkit:")] == lines[-1:], stderr
    return lines[-1]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_no_final_outputs(folder: Path, stem: str) -> None:
    """No ``<stem>.html/.ipynb/.manifest.json``, and no temporary file left behind."""
    present = names(folder)
    assert not [n for n in present if n in {stem + s for s in FINAL_SUFFIXES}], present
    assert not [n for n in present if n.startswith(".")], present


def notebook_with(cells: list[str], *, params: str, metadata: dict | None = None) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_markdown_cell("# Test report\n\nMade by test_failures.py.")])
    parameters = new_code_cell(params)
    parameters.metadata["tags"] = ["parameters"]
    nb.cells.append(parameters)
    nb.cells.extend(new_code_cell(source) for source in cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.update(metadata or {})
    return nb


# --------------------------------------------------------------------------------------------
# Each failure: exit code and the one-paragraph message
# --------------------------------------------------------------------------------------------


@pytest.mark.notebook
@pytest.mark.parametrize(
    ("mode", "extra", "expected"),
    [
        ("raise", [], r"ValueError: deliberate failure: boom\."),
        ("sleep", ["--timeout", "2"], r"CellTimeoutError: .*timeout=2 s"),
        ("die", [], r"DeadKernelError: .*kernel process died"),
    ],
    ids=["cell-error", "cell-timeout", "dead-kernel"],
)
def test_failing_cell_exits_3_with_one_paragraph(tmp_path, mode, extra, expected):
    import re

    done = toolkit_cmd("report", str(FAILING), "-p", f"mode={mode}", "--out", "out", *extra,
                       cwd=tmp_path)
    out = tmp_path / "out"
    failed = out / "failing_report.failed.ipynb"
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""
    message = toolkit_message(done.stderr)
    assert message.startswith("toolkit: report failed: Report 'failing_report' failed in cell 3 "
                              "of failing_report.ipynb (counting from 0; it starts with "
                              "'if mode == \"raise\":')"), message
    assert re.search(expected, message), message
    assert f"The partly executed notebook was kept at {str(failed)!r}" in message
    assert message.endswith("No HTML was written.")
    assert names(out) == ["failing_report.failed.ipynb"]
    nbformat.read(failed, as_version=4)  # a complete notebook, not a half-written file


def test_notebook_metadata_sets_the_default_timeout(tmp_path):
    nb = notebook_with(["print(1)"], params="x: int = 1", metadata={"toolkit": {"timeout": 7}})
    nbformat.write(nb, tmp_path / "quick.ipynb")
    assert notebook_timeout(tmp_path / "quick.ipynb") == 7
    assert notebook_timeout(DEMO) == DEFAULT_TIMEOUT == 1800
    nb.metadata["toolkit"]["timeout"] = "soon"
    nbformat.write(nb, tmp_path / "bad.ipynb")
    with pytest.raises(ReportError, match=r"metadata.toolkit.timeout='soon'; expected a positive"):
        notebook_timeout(tmp_path / "bad.ipynb")
    with pytest.raises(ReportError, match=r"metadata.toolkit.timeout='soon'"):
        run_report(tmp_path / "bad.ipynb", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # refused before any folder or kernel


@pytest.mark.notebook
def test_timeout_from_notebook_metadata_and_from_the_command_line(tmp_path):
    nb = nbformat.read(FAILING, as_version=4)
    nb.metadata["toolkit"] = {"timeout": 2}
    nbformat.write(nb, tmp_path / "slow_report.ipynb")
    done = toolkit_cmd("report", "slow_report.ipynb", "-p", "mode=sleep", "--out", "out",
                       cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "Report 'slow_report' failed in cell 3 of slow_report.ipynb" in done.stderr
    assert "timeout=2 s" in done.stderr and "metadata.toolkit.timeout" in done.stderr
    # --timeout wins over the notebook's default.
    done = toolkit_cmd("report", "slow_report.ipynb", "-p", "mode=sleep", "--timeout", "1",
                       "--out", "out", cwd=tmp_path)
    assert done.returncode == 3 and "timeout=1 s" in done.stderr, done.stderr


def test_missing_kernel_exits_3_before_anything_is_written(tmp_path):
    done = toolkit_cmd("report", str(DEMO), "--kernel", "no-such-kernel", "--out", "out",
                       cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert ("toolkit: report failed: Report 'demo_report' cannot run: "
            "kernel_name='no-such-kernel' is not an installed Jupyter kernel") in done.stderr
    assert not (tmp_path / "out").exists()


def test_missing_input_file_exits_2_and_names_it(tmp_path):
    nbformat.write(notebook_with(["print(corpus)"], params='corpus: str = ""  # input'),
                   tmp_path / "reader.ipynb")
    done = toolkit_cmd("report", "reader.ipynb", "--corpus", "missing/articles.csv",
                       "--out", "out", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    missing = str(tmp_path / "missing" / "articles.csv")
    assert f"toolkit: error: corpus={missing!r} is not valid: expected an existing file" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.notebook
def test_input_file_vanishing_during_the_run_is_a_cell_error(tmp_path):
    # Checked before the run, deleted by the notebook itself: the cell that reads it fails.
    (tmp_path / "articles.txt").write_text("one article\n")
    nbformat.write(notebook_with(["import os\nos.remove(corpus)",
                                  "text = open(corpus).read()"],
                                 params='corpus: str = ""  # input'), tmp_path / "reader.ipynb")
    done = toolkit_cmd("report", "reader.ipynb", "--corpus", "articles.txt", "--out", "out",
                       cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "failed in cell 3 of reader.ipynb (counting from 0; it starts with " \
           "'text = open(corpus).read()'): FileNotFoundError" in done.stderr
    assert_no_final_outputs(tmp_path / "out", "reader")


# --------------------------------------------------------------------------------------------
# The output folder: not writable, not a folder, disk full
# --------------------------------------------------------------------------------------------


def _without_dac_override() -> tuple[str, ...]:
    """A command prefix under which root obeys permission bits (empty for other users)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: a read-only folder "
                    "cannot be made to refuse root's writes")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", "--")


def test_read_only_output_folder_exits_2_before_any_kernel(tmp_path):
    prefix = _without_dac_override()
    out = tmp_path / "locked"
    out.mkdir()
    (out / "demo_report.html").write_text("an older report")
    out.chmod(0o555)
    try:
        done = toolkit_cmd("report", str(DEMO), "--out", "locked", cwd=tmp_path, prefix=prefix)
    finally:
        out.chmod(0o755)
    assert done.returncode == 2, done.stderr
    message = toolkit_message(done.stderr)
    assert message.startswith(f"toolkit: error: out='locked' is not valid: expected a folder "
                              f"this user can write to. Report 'demo_report' cannot write its "
                              f"outputs there: Permission denied (EACCES): '{out}/.toolkit-write-test.")
    assert "Nothing was run" in message
    assert names(out) == ["demo_report.html"]  # the older report is untouched


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("a-file", r"out='a-file' is not valid: expected a folder\. That path is a file\."),
        ("a-file/sub", r"expected a folder that exists or can be created\. Report 'demo_report' "
                       r"cannot write there: Not a directory \(ENOTDIR\)"),
        ("/proc/toolkit-out", r"expected a folder that exists or can be created\. Report "
                              r"'demo_report' cannot write there: No such file or directory"),
    ],
)
def test_unusable_output_folder_is_a_parameter_error(tmp_path, monkeypatch, out, expected):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match=expected):
        run_report(DEMO, out=out)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs: too small for a report's HTML (plotly.js alone is 4.6 MB)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a 1 MiB tmpfs needs root (mount -t tmpfs); the ENOSPC injection test covers "
                    "the same path")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M,mode=0755", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here (no CAP_SYS_ADMIN?): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.notebook
def test_disk_full_during_html_export(tiny_disk, tmp_path):
    (tiny_disk / "demo_report.html").write_text("an older report")
    done = toolkit_cmd("report", str(DEMO), "--out", str(tiny_disk), cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    message = toolkit_message(done.stderr)
    kept = tiny_disk / "demo_report.failed.ipynb"
    assert message.startswith("toolkit: report failed: Report 'demo_report' failed after it ran, "
                              "exporting it to HTML: OSError: No space left on device (ENOSPC)"), message
    assert f"The executed notebook was kept at {str(kept)!r}. No HTML was written. Free some " \
           "space on that disk and run the report again." in message
    assert_no_final_outputs(tiny_disk, "demo_report")
    assert names(tiny_disk) == ["demo_report.failed.ipynb"]  # the older report is gone too
    nbformat.read(kept, as_version=4)


@pytest.mark.notebook
def test_disk_full_while_the_notebook_runs(tiny_disk, tmp_path):
    # A cell fills the disk; papermill's next save of the notebook then fails.
    filler = notebook_with(
        ["with open(filler_path, 'wb') as f:\n    f.write(b'x' * 4_000_000)",
         "print('after')"],
        params='filler_path: str = ""  # where to write',
    )
    nbformat.write(filler, tmp_path / "filler.ipynb")
    done = toolkit_cmd("report", "filler.ipynb", "-p", f"filler_path={tiny_disk / 'big.bin'}",
                       "--out", str(tiny_disk), cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    message = toolkit_message(done.stderr)
    kept = tiny_disk / "filler.failed.ipynb"
    assert message.startswith("toolkit: report failed: Report 'filler' failed while running "
                              "(saving the notebook) (the last cell run was cell 2 of "
                              "filler.ipynb, counting from 0, which starts with \"with "
                              "open(filler_path, 'wb') as f:\"): OSError: No space left on "
                              "device (ENOSPC)"), message
    # papermill's save was cut off by the full disk: the kept file says so.
    assert (f"What was saved of the notebook was kept at {str(kept)!r}, but it is incomplete"
            in message) or f"The executed notebook was kept at {str(kept)!r}." in message
    assert "No HTML was written" in message
    assert_no_final_outputs(tiny_disk, "filler")


@pytest.mark.notebook
def test_disk_full_injected_at_the_html_write(tmp_path, monkeypatch):
    """The fallback where no tmpfs can be mounted: ENOSPC raised by the HTML export.

    The only mock of this file: the kernel and papermill run for real, the export is replaced.
    """
    import toolkit.export

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(kwargs.get("target", args[1])))

    monkeypatch.setattr(toolkit.export, "export_html", full)
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        run_report(DEMO, out=out)
    message = str(caught.value)
    assert message.startswith("Report 'demo_report' failed after it ran, exporting it to HTML: "
                              "OSError: No space left on device (ENOSPC): "), message
    assert caught.value.notebook == str(out / "demo_report.failed.ipynb")
    assert_no_final_outputs(out, "demo_report")


# --------------------------------------------------------------------------------------------
# No partial outputs under final names, whatever stage fails
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    """An older, complete report named ``r``, copied into each test's folder."""
    out = tmp_path_factory.mktemp("good")
    run_report(DEMO, out=out, output_name="r")
    assert names(out) == ["r.html", "r.ipynb", "r.manifest.json"]
    return out


def _fail_export(*args, **kwargs):
    raise RuntimeError("export broke")


def _fail_manifest(*args, **kwargs):
    raise RuntimeError("manifest broke")


@pytest.mark.notebook
@pytest.mark.parametrize("stage", ["execution", "manifest", "export", "rename"])
def test_a_failure_at_any_stage_leaves_no_final_outputs(good_report, tmp_path, monkeypatch, stage):
    """Decision: a failed run *replaces* an older report of the same name by its
    ``.failed.ipynb`` (the older .html/.ipynb/.manifest.json are removed), so that the folder
    never shows a finished-looking report that is not this run's."""
    import toolkit.export
    import toolkit.manifest
    import toolkit.report

    out = tmp_path / "out"
    shutil.copytree(good_report, out)
    source = DEMO
    parameters: dict = {}
    if stage == "execution":
        source, parameters = FAILING, {"mode": "raise"}
    elif stage == "manifest":
        monkeypatch.setattr(toolkit.manifest, "build_manifest", _fail_manifest)
    elif stage == "export":
        monkeypatch.setattr(toolkit.export, "export_html", _fail_export)
    else:
        real_replace = os.replace

        def replace(src, dst):  # the last rename (the HTML) fails: the disk went away
            if str(dst).endswith(".html"):
                raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
            return real_replace(src, dst)

        monkeypatch.setattr(toolkit.report.os, "replace", replace)
    with pytest.raises(ReportError) as caught:
        run_report(source, parameters=parameters, out=out, output_name="r")
    kept = out / "r.failed.ipynb"
    assert caught.value.notebook == str(kept), str(caught.value)
    assert str(kept) in str(caught.value)
    assert names(out) == ["r.failed.ipynb"], (stage, names(out))
    nb = nbformat.read(kept, as_version=4)
    assert nb.metadata.papermill.output_path == str(kept)


# --------------------------------------------------------------------------------------------
# Output names
# --------------------------------------------------------------------------------------------

BAD_NAMES = {
    "traversal": ("../../x", "folder separator"),
    "absolute": ("/tmp/evil", "folder separator"),
    "backslash": ("..\\x", "folder separator"),
    "dotdot": ("..", "leading dot"),
    "hidden": (".x", "leading dot"),
    "nul": ("a\x00b", "control character"),
    "newline": ("a\nb", "control character"),
    "too-long": ("x" * (MAX_OUTPUT_NAME_BYTES + 1), "bytes long in UTF-8"),
    "long-utf8": ("é" * 101, "202 bytes long"),
    "reserved": ("CON", "Windows reserves"),
    "reserved-ext": ("nul.report", "Windows reserves"),
    "windows-chars": ("a:b", "which Windows does not allow"),
    "trailing-dot": ("report.", "ends with a dot"),
    "empty": ("", "It is empty"),
    "blank": ("   ", "It is empty"),
    "extension": ("r.html", "extension"),
    "surrogate": ("a\udc80", "not valid Unicode"),
}


@pytest.mark.parametrize(("name", "problem"), BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_unsafe_output_names_are_refused_before_anything_runs(tmp_path, name, problem):
    out = tmp_path / "deep" / "out"
    with pytest.raises(ParameterError, match=r"output_name=.* is not valid: expected a plain file "
                                             r"stem") as caught:
        run_report(DEMO, out=out, output_name=name)
    assert problem in str(caught.value)
    assert not (tmp_path / "deep").exists()
    assert not (tmp_path / "x").exists() and not Path("/tmp/evil.html").exists()


@pytest.mark.parametrize("name", ["../../x", "/tmp/evil", "x" * 300, "CON", "a:b"])
def test_unsafe_names_on_the_command_line_exit_2(tmp_path, name):
    done = toolkit_cmd("report", str(DEMO), "--name", name, "--out", "deep/out", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "toolkit: error: output_name=" in done.stderr
    assert names(tmp_path) == []


@pytest.mark.parametrize("name", ["coverage_2021", "Réseau Nord", "a.b-c_d", "x" * MAX_OUTPUT_NAME_BYTES,
                                  "console", "com10", "日本の報道"])
def test_safe_names_are_accepted(name):
    from toolkit.report import _check_output_name

    assert _check_output_name(name) == name


def test_names_that_slug_alike_get_distinct_outputs_and_stay_inside_out():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from toolkit.batch import each_runs, safe_name
    from toolkit.report import _check_output_name

    # Outlets whose slugs collide still write different files, and every name passes the
    # single-run check (so a batch can never write outside --out).
    labels = ["BBC", "bbc", "b/b/c", "B.B.C.", "../bbc", "bbc\x00", "ｂｂｃ", "CON", "nul"]
    stems = [safe_name(label) for label in labels]
    assert len(set(stems)) == len(labels)
    for stem in stems:
        assert _check_output_name(stem) == stem

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(label=st.text(), prefix=st.one_of(st.none(), st.text()))
    def check(label, prefix):
        stem = safe_name(label, prefix=prefix)
        assert _check_output_name(stem) == stem
        assert len(stem.encode()) <= MAX_OUTPUT_NAME_BYTES

    check()
    assert callable(each_runs)


def test_hand_made_batch_runs_with_unsafe_names_are_refused(tmp_path):
    from toolkit.batch import BatchRun, run_batch

    with pytest.raises(ParameterError, match=r"output_name='\.\./x' is not valid"):
        run_batch(DEMO, [BatchRun("x", "../x", {})], out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_read_only_batch_folder_exits_2_before_any_worker(tmp_path):
    prefix = _without_dac_override()
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps([{"n": 1}, {"n": 2}]))
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    try:
        done = toolkit_cmd("report", str(DEMO), "--grid", str(grid), "--out", "locked",
                           cwd=tmp_path, prefix=prefix)
    finally:
        out.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert "Report 'demo_report' cannot write its outputs there: Permission denied" in done.stderr
    assert names(out) == []


@pytest.mark.notebook
def test_batch_runs_whose_labels_slug_alike_write_distinct_outputs(tmp_path):
    from toolkit.batch import safe_name

    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"BBC": {"n": 1, "title": "upper-case run"},
                                "bbc": {"n": 2, "title": "lower-case run"}}))
    done = toolkit_cmd("report", str(DEMO), "--grid", str(grid), "-j", "2", "--out", "out",
                       "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    record = json.loads((out / "index.json").read_text(encoding="utf-8"))
    by_label = {r["label"]: r for r in record["runs"]}
    assert by_label["BBC"]["name"] != by_label["bbc"]["name"]
    for label, title, other in (("BBC", "upper", "lower"), ("bbc", "lower", "upper")):
        assert by_label[label]["status"] == "ok"
        page = (out / f"{safe_name(label)}.html").read_text(encoding="utf-8")
        assert f"{title}-case run" in page and f"{other}-case run" not in page
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
