"""House rules that keep the repository clean."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def tracked_or_present(pattern: str) -> list:
    try:
        out = subprocess.run(["git", "ls-files", pattern], cwd=REPO, capture_output=True, text=True, check=True)
        files = [REPO / f for f in out.stdout.split()]
    except (OSError, subprocess.CalledProcessError):
        files = []
    # Files not yet committed count too: the check must fail before a notebook with outputs lands.
    return sorted(set(files) | set(REPO.glob(pattern)))


def test_notebooks_have_no_outputs():
    notebooks = tracked_or_present("notebooks/*.ipynb") + tracked_or_present("tests/notebooks/*.ipynb")
    assert notebooks, "no notebooks found"
    dirty = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell.get("outputs") or cell.get("execution_count") is not None:
                dirty.append(path.name)
                break
    assert not dirty, f"notebooks committed with outputs (run `nbstripout {' '.join(dirty)}`): {dirty}"


def test_notebooks_start_with_a_parameters_cell():
    for path in tracked_or_present("notebooks/*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0]["metadata"].get("tags", []), f"{path.name}: first code cell must be tagged 'parameters'"
        assert not any("def " in "".join(c["source"]) for c in code), f"{path.name}: define functions in toolkit/, not in notebooks"


def test_no_generated_files_in_git():
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    # HTML is generated output (reports) everywhere except the reader's hand-written test pages.
    bad = [f for f in out if f.startswith("reports/") or "__pycache__" in f or f.endswith(".pyc")
           or (f.endswith(".html") and not f.startswith("tests/fixtures/"))]
    assert not bad, bad


def test_ruff_is_clean():
    folders = [d for d in ("toolkit", "tests", "benchmarks") if (REPO / d).is_dir()]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *folders],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
