"""Every report, opened in a real browser with the network cut off, and its static export.

A module fixture runs every notebook that :func:`toolkit.list_reports` finds (so reports added
later are picked up without touching this file) on the demo corpus in data/sample, two at a time
in worker processes. Each HTML page is then opened in headless Chromium (Debian's ``chromium``)
with every host name unresolvable and a dead proxy, and the tests check, from the DOM after the
scripts ran and from Chromium's console log, that plotly.js drew every figure and that no script
failed or tried to load anything. A screenshot of each page is written under the test's tmp_path.
Skipped with a clear reason when /usr/bin/chromium is absent (.ci/run installs it).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import CHROMIUM, needs_chromium

from toolkit.errors import ParameterError, ReportError
from toolkit.report import list_reports, notebook_parameters, run_report
from toolkit.static import CHROMIUM_FLAGS, export_static, notebook_figures

pytestmark = [pytest.mark.notebook]

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
TOPICS = REPO / "data" / "topics" / "example.yaml"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

REPORTS = [info.name for info in list_reports()]


def _parameters_for(name: str) -> dict[str, object]:
    """The demo corpus and topic dictionary, for the reports that take them; defaults otherwise."""
    declared = notebook_parameters(name)
    chosen: dict[str, object] = {}
    if "corpus" in declared:
        chosen["corpus"] = str(SAMPLE)
    if "topics" in declared:
        chosen["topics"] = str(TOPICS)
    return chosen


def _run_one(name: str, out: str) -> tuple[str, str | None, str | None, str | None]:
    """Run one report in a worker process; return (name, notebook, html, error)."""
    try:
        result = run_report(name, parameters=_parameters_for(name), out=out)
    except Exception as exc:  # reported by the test of this report, not by the fixture
        return name, None, None, f"{type(exc).__name__}: {exc}"
    return name, str(result.notebook), str(result.html), None


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, tuple[Path | None, Path | None, str | None]]:
    out = tmp_path_factory.mktemp("reports")
    with ProcessPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(_run_one, REPORTS, [str(out)] * len(REPORTS)))
    return {
        name: (Path(nb) if nb else None, Path(page) if page else None, error)
        for name, nb, page, error in done
    }


def _report(reports, name: str) -> tuple[Path, Path]:
    notebook, page, error = reports[name]
    assert error is None, f"report {name!r} failed on data/sample: {error}"
    assert notebook is not None and page is not None
    return notebook, page


def _chromium(page: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(dir=tmp_path, prefix="chromium-profile-")
    command = [
        str(CHROMIUM),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        # console messages (including "Uncaught ..." script errors) go to stderr
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=20000",
        *extra,
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


_CONSOLE_RE = re.compile(r":CONSOLE[^\]]*\]\s*(.*)")


def _console(stderr: str) -> list[str]:
    return [m.group(1) for line in stderr.splitlines() if (m := _CONSOLE_RE.search(line))]


def _figure_count(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(
        PLOTLY_MIME in output.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def test_every_report_notebook_is_found():
    # coverage_report is the model; the other helpers' notebooks join it automatically.
    assert "coverage" in REPORTS


@needs_chromium
@pytest.mark.parametrize("name", REPORTS)
def test_report_renders_every_figure_offline_without_script_errors(reports, name, tmp_path):
    notebook, page = _report(reports, name)
    n_figures = _figure_count(notebook)
    source = page.read_text(encoding="utf-8")
    # One figure div per plotly output in the executed notebook, nothing drawn before scripts run.
    assert source.count('class="plotly-graph-div toolkit-figure"') == n_figures
    assert "plot-container plotly" not in source
    # No script or stylesheet from anywhere but the page itself.
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=\"(https?:)?//", source)

    done = _chromium(page, tmp_path, "--dump-dom")
    dom = done.stdout
    console = _console(done.stderr)
    errors = [line for line in console if "Uncaught" in line or "Error" in line]
    assert not errors, f"{name}: script errors in Chromium's console: {errors}"
    failed_loads = [line for line in console if "Failed to load" in line or "net::ERR" in line]
    assert not failed_loads, f"{name}: the page tried to load something: {failed_loads}"
    assert ">This chart needs plotly.js" not in dom  # the fallback text, not the script's string

    # plotly.js puts a plot container (with its main SVG) into every figure div when it draws.
    assert dom.count('class="plot-container plotly"') == n_figures
    for i in range(1, n_figures + 1):
        drawn = re.search(
            rf'<div [^>]*\bid="toolkit-figure-{i}"[^>]*>\s*<div class="plot-container plotly"[^>]*>'
            r'\s*<div [^>]*>\s*<svg class="main-svg"',
            dom,
        )
        assert drawn, f"{name}: figure {i} of {n_figures} was not drawn"
    assert dom.count('<svg class="main-svg"') >= n_figures

    screenshot = tmp_path / f"{name}.png"
    _chromium(page, tmp_path, f"--screenshot={screenshot}", "--window-size=1280,2400")
    data = screenshot.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000  # a blank page is a few KB


@needs_chromium
def test_the_browser_check_catches_a_script_error(tmp_path):
    # The console check above is only worth something if it sees errors: a page that throws.
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><div id='x'></div><script>Plotly.newPlot('x', []);</script></body></html>",
        encoding="utf-8",
    )
    console = _console(_chromium(page, tmp_path, "--dump-dom").stderr)
    assert any("Uncaught ReferenceError: Plotly is not defined" in line for line in console)


# --- static export (toolkit.static) -------------------------------------------------------------


@needs_chromium
def test_export_static_writes_every_figure_and_a_pdf(reports, tmp_path):
    pytest.importorskip("kaleido", reason="kaleido (the 'static' extra) is not installed")
    notebook, _ = _report(reports, "coverage")
    figures = notebook_figures(notebook)
    assert len(figures) == _figure_count(notebook) > 0
    written = export_static(notebook, tmp_path / "static", formats="png,svg,pdf")

    pngs = [p for p in written if p.suffix == ".png"]
    svgs = [p for p in written if p.suffix == ".svg"]
    assert len(pngs) == len(svgs) == len(figures)
    assert written[-1] == tmp_path / "static" / "coverage_report.pdf"
    assert pngs[0].parent == tmp_path / "static" / "coverage_report_figures"
    assert pngs[0].name == "01-articles-per-period-by-outlet.png"
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC)
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) >= (1000, 600)  # scale=2 of at least 500 x 300 CSS pixels
    for svg, figure in zip(svgs, figures, strict=True):
        text = svg.read_text(encoding="utf-8")
        assert text.startswith("<svg") and 'class="main-svg"' in text
        title = figure["layout"]["title"]["text"]
        assert json.dumps(title)[1:-1].split("<")[0][:20] in text.replace("&amp;", "&")

    pdf = written[-1].read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    # With the charts drawn the PDF is far larger than the text and tables alone.
    assert len(pdf) > 100_000


def test_export_static_rejects_unknown_formats_and_missing_files(tmp_path):
    with pytest.raises(ParameterError, match=r"formats='png,gif'.*'png', 'svg', 'pdf'"):
        export_static(tmp_path / "x.ipynb", formats="png,gif")
    with pytest.raises(ParameterError, match=r"executed_ipynb=.*missing\.ipynb.*run_report"):
        export_static(tmp_path / "missing.ipynb", formats="pdf")
    # "html" is run_report's and may be listed; nothing else to do then.
    notebook = tmp_path / "r.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    assert export_static(notebook, formats="html", browser="/nowhere/chrome") == []


def test_export_static_without_chromium_names_the_debian_package(tmp_path, monkeypatch):
    import toolkit.static as static

    notebook = tmp_path / "r.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    monkeypatch.setattr(static, "DEBIAN_CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv(static.CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReportError, match=r"needs Chromium.*apt-get install chromium"):
        export_static(notebook, formats="pdf")
    with pytest.raises(ReportError, match=r"browser='/nowhere/chrome'.*apt-get install chromium"):
        export_static(notebook, formats="png", browser="/nowhere/chrome")
