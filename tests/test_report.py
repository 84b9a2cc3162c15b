"""Running report notebooks (papermill, real kernel) and exporting them to offline HTML.

The notebooks are tests/notebooks/demo_report.ipynb (parameters, a plotly figure, a pandas
table, markdown) and failing_report.ipynb (raises, sleeps past a timeout, or kills its kernel).
Nothing is mocked: every notebook test starts a real ipykernel (about 2-3 s each).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from conftest import chromium_dom, needs_chromium
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from papermill import inspect_notebook
from plotly.offline import get_plotlyjs

from toolkit.errors import ParameterError, ReportError
from toolkit.export import PLOTLY_MIME, export_html
from toolkit.report import (
    NotebookParameter,
    _check_parameters,
    _kernel_manager_class,
    _parse_parameters_source,
    find_report,
    list_reports,
    notebook_parameters,
    run_report,
)

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
DEMO = NOTEBOOKS / "demo_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"

# A distinctive piece of plotly.js (its licence header) to count how often it was inlined.
PLOTLYJS_MARK = get_plotlyjs()[:60]

# A <script> that loads anything, a dynamic import from the web, a stylesheet from the web.
EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=", re.IGNORECASE)
REMOTE_IMPORT = re.compile(r"""import\(\s*["']https?://""", re.IGNORECASE)
REMOTE_LINK = re.compile(r"""<link\b[^>]*href\s*=\s*["']?https?://""", re.IGNORECASE)

LABELS = ["north-ridge", "south-ridge", "east-ridge", "west-ridge"]


SCRIPT_BODY = re.compile(r"<script\b[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def assert_offline(page: str) -> None:
    """No script or stylesheet from the network; no URL in any script but plotly.js itself."""
    assert not EXTERNAL_SCRIPT.search(page), EXTERNAL_SCRIPT.search(page).group(0)
    assert not REMOTE_IMPORT.search(page)
    assert not REMOTE_LINK.search(page)
    # plotly.js mentions URLs (map tiles, attributions) that it only fetches for map charts.
    scripts = [body for body in SCRIPT_BODY.findall(page) if PLOTLYJS_MARK not in body]
    assert not [body[:200] for body in scripts if re.search(r"https?://", body)]
    assert not [body[:200] for body in scripts if re.search(r"require\.js|MathJax\.", body)]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------
# One real run of the demo notebook, shared by the tests that inspect its results
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """Run demo_report.ipynb from a scratch working directory, with relative path parameters,
    a bogus ``python3`` kernelspec first on JUPYTER_PATH and PLOTLY_RENDERER=json in the
    environment (neither may reach the kernel)."""
    work = tmp_path_factory.mktemp("demo_run")
    (work / "notes.txt").write_text("kelp forest bulletin\nsecond line\n", encoding="utf-8")
    bogus = work / "jupyter" / "kernels" / "python3"
    bogus.mkdir(parents=True)
    (bogus / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    "/nonexistent/python",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "bogus",
                "language": "python",
            }
        )
    )
    parameters = {
        "title": "Ridges <b>& valleys</b>",
        "code": "007",
        "n": 4,
        "scale": 2.0,
        "labels": LABELS,
        "data_path": "notes.txt",
        "marker_path": "marker.json",
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        mp.setenv("JUPYTER_PATH", str(work / "jupyter"))
        # A renderer chosen in the user's shell must not leak into the report's kernel.
        mp.setenv("PLOTLY_RENDERER", "json")
        started = time.perf_counter()
        result = run_report(DEMO, parameters=parameters, out="out")
        elapsed = time.perf_counter() - started
    print(f"\ndemo report run + export: {elapsed:.1f} s")
    return work, result


@pytest.mark.notebook
def test_run_writes_notebook_and_html(demo_run):
    work, result = demo_run
    out = work / "out"
    assert result.name == "demo_report"
    assert result.source == DEMO
    assert result.notebook == out / "demo_report.ipynb"
    assert result.html == out / "demo_report.html"
    assert sorted(p.name for p in out.iterdir()) == ["demo_report.html", "demo_report.ipynb",
                                                     "demo_report.manifest.json"]
    assert result.manifest == out / "demo_report.manifest.json"
    assert result.duration > 0
    # Relative paths in path parameters were resolved against the caller's directory.
    assert result.parameters["data_path"] == str(work / "notes.txt")
    assert result.parameters["marker_path"] == str(work / "marker.json")
    assert result.parameters["code"] == "007"


@pytest.mark.notebook
def test_executed_notebook_has_outputs_and_injected_parameters(demo_run):
    _, result = demo_run
    nb = nbformat.read(result.notebook, as_version=4)
    assert nb.metadata.papermill.output_path == str(result.notebook)
    assert nb.metadata.papermill.input_path == str(DEMO)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'code = "007"' in injected[0].source
    assert "n = 4" in injected[0].source
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if PLOTLY_MIME in o.get("data", {})]
    assert len(figures) == 1
    bars = figures[0].data[PLOTLY_MIME]["data"][0]
    assert bars["x"] == LABELS
    assert bars["y"] == [2.125, 4.125, 6.125, 8.125]  # scale * (i + 1) + 0.125
    # The notebook file keeps plotly's small mime-type output; the HTML rendition is export-only.
    assert "text/html" not in figures[0].data


@pytest.mark.notebook
def test_kernel_is_this_environments_python_in_the_notebooks_folder(demo_run):
    work, _ = demo_run
    marker = json.loads((work / "marker.json").read_text())
    assert marker["executable"] == sys.executable
    assert Path(marker["cwd"]).resolve() == NOTEBOOKS


@pytest.mark.notebook
def test_html_is_self_contained_and_hides_code(demo_run):
    _, result = demo_run
    page = result.html.read_text(encoding="utf-8")
    # The figure's data, the table and the markdown output are there.
    for label in LABELS:
        assert label in page
    assert "8.125" in page
    assert 'class="dataframe' in page and "<td>west-ridge</td>" in page
    assert "kelp forest bulletin" in page
    # plotly.js inline exactly once, no CDN or other remote scripts.
    assert page.count(PLOTLYJS_MARK) == 1
    assert page.count('class="plotly-graph-div toolkit-figure"') == 1
    assert_offline(page)
    # Code is hidden: no source of any code cell, no prompts.
    assert "heights = [scale" not in page
    assert "import plotly.graph_objects" not in page
    assert 'class="jp-InputPrompt' not in page and 'class="jp-OutputPrompt' not in page
    # The title is HTML-escaped in <title>, and "<" inside the figure JSON is escaped.
    assert "<title>Ridges &lt;b&gt;&amp; valleys&lt;/b&gt;</title>" in page
    assert "Ridges \\u003cb\\u003e\\u0026 valleys\\u003c/b\\u003e: code 007" in page
    # Table of contents linking the markdown headings.
    assert '<nav class="toolkit-toc"' in page and 'href="#Figure"' in page


@pytest.mark.notebook
@needs_chromium
def test_html_renders_in_headless_chromium_without_network(demo_run, tmp_path):
    _, result = demo_run
    dom = chromium_dom(result.html, tmp_path)
    # Elements plotly.js creates when it draws (the page source has none of them).
    assert '<svg class="main-svg"' in dom
    assert 'class="plot-container plotly"' in dom
    assert dom.count('<g class="point">') == 4
    assert 'data-unformatted="north-ridge"' in dom

    # Control: the same kind of page loading plotly.js from a CDN draws nothing here, so the
    # browser really had no network.
    control = tmp_path / "cdn.html"
    control.write_text(
        '<html><body><script src="https://cdn.plot.ly/plotly-3.0.1.min.js"></script>'
        '<div id="g"></div><script>Plotly.newPlot("g", [{"type": "bar", "y": [1, 2]}]);</script>'
        "</body></html>"
    )
    assert '<svg class="main-svg"' not in chromium_dom(control, tmp_path)




# --------------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------------


@pytest.mark.notebook
def test_failing_cell_raises_report_error_and_keeps_failed_notebook(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    # Outputs of an earlier successful run must not survive a failed one.
    (out / "failing_report.html").write_text("old report")
    (out / "failing_report.ipynb").write_text("{}")
    with pytest.raises(ReportError) as caught:
        run_report(FAILING, parameters={"message": "kaboom"}, out=out)
    message = str(caught.value)
    failed = out / "failing_report.failed.ipynb"
    assert "Report 'failing_report' failed in cell 3 of failing_report.ipynb" in message
    assert "it starts with 'if mode == \"raise\":'" in message
    assert "ValueError: deliberate failure: kaboom." in message
    assert str(failed) in message
    assert caught.value.notebook == str(failed)
    assert sorted(p.name for p in out.iterdir()) == ["failing_report.failed.ipynb"]
    nb = nbformat.read(failed, as_version=4)
    assert nb.metadata.papermill.output_path == str(failed)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors and errors[0].ename == "ValueError"

    # A later successful run under the same name removes the failed notebook.
    result = run_report(DEMO, out=out, output_name="failing_report")
    assert sorted(p.name for p in out.iterdir()) == ["failing_report.html", "failing_report.ipynb",
                                                     "failing_report.manifest.json"]
    assert result.html.read_text(encoding="utf-8") != "old report"


@pytest.mark.notebook
def test_cell_timeout_is_a_report_error(tmp_path):
    started = time.perf_counter()
    with pytest.raises(ReportError, match=r"cell 3 .*CellTimeoutError.*timeout=2 s") as caught:
        run_report(FAILING, parameters={"mode": "sleep"}, out=tmp_path, timeout=2)
    assert time.perf_counter() - started < 30
    assert caught.value.notebook == str(tmp_path / "failing_report.failed.ipynb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failing_report.failed.ipynb"]


@pytest.mark.notebook
def test_dead_kernel_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match=r"cell 3 .*DeadKernelError.*kernel process died"):
        run_report(FAILING, parameters={"mode": "die"}, out=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failing_report.failed.ipynb"]


def test_unknown_parameter_fails_before_any_kernel_starts(tmp_path):
    out = tmp_path / "out"
    started = time.perf_counter()
    with pytest.raises(
        ParameterError, match=r"parameters\['nn'\]=3 is not valid: .*'scale'.*Did you mean 'n'\?"
    ):
        run_report(DEMO, parameters={"nn": 3}, out=out)
    assert time.perf_counter() - started < 1.0
    assert not out.exists()


@pytest.mark.parametrize(
    ("parameters", "match"),
    [
        (
            {"n": "3"},
            r"parameters\['n'\]='3' is not valid: expected an integer \(the notebook declares `n: int`\)",
        ),
        ({"n": True}, r"expected an integer"),
        ({"scale": 2}, None),  # an int is a fine float
        ({"labels": ["a", 1]}, r"expected a list of strings"),
        ({"data_path": None}, None),
        ({"title": dt.date(2021, 11, 4)}, r"a JSON value .*ISO strings such as '2021-11-04'"),
        ({"scale": float("nan")}, r"a JSON value"),
    ],
)
def test_parameter_values_are_checked(parameters, match):
    params = notebook_parameters(DEMO)
    if match is None:
        _check_parameters(parameters, params, DEMO)
    else:
        with pytest.raises(ParameterError, match=match):
            _check_parameters(parameters, params, DEMO)


def test_bad_options_fail_before_any_kernel_starts(tmp_path):
    with pytest.raises(
        ParameterError, match=r"output_name='x/y' is not valid: expected a plain file stem"
    ):
        run_report(DEMO, out=tmp_path, output_name="x/y")
    with pytest.raises(ParameterError, match=r"timeout=0 is not valid"):
        run_report(DEMO, out=tmp_path, timeout=0)
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(ParameterError, match=r"out='.*file' is not valid: expected a folder"):
        run_report(DEMO, out=a_file)
    with pytest.raises(
        ReportError,
        match=r"kernel_name='no-such-kernel' is not an installed Jupyter kernel; expected one of 'python3'",
    ):
        run_report(DEMO, out=tmp_path, kernel_name="no-such-kernel")
    assert list(tmp_path.iterdir()) == [a_file]


# --------------------------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------------------------


def test_python3_kernel_is_pinned_to_this_interpreter(tmp_path, monkeypatch):
    from jupyter_client.manager import KernelManager

    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    "/elsewhere/bin/python3",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "elsewhere",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    # Plain jupyter_client would pick the kernelspec registered elsewhere...
    assert KernelManager(kernel_name="python3").kernel_spec.argv[0] == "/elsewhere/bin/python3"
    # ...the report runner does not.
    manager = _kernel_manager_class()(kernel_name="python3")
    assert manager.kernel_spec.argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]


# --------------------------------------------------------------------------------------------
# Finding reports and reading their parameters (no kernel)
# --------------------------------------------------------------------------------------------


def test_find_and_list_reports(monkeypatch):
    monkeypatch.setenv("TOOLKIT_NOTEBOOKS", str(NOTEBOOKS))
    assert find_report("demo") == DEMO
    assert find_report("demo_report") == DEMO
    assert find_report(str(DEMO)) == DEMO
    assert find_report(DEMO) == DEMO
    reports = {r.name: r for r in list_reports()}
    assert set(reports) == {"demo", "failing"}
    assert reports["demo"].description == "Demo report"
    assert reports["failing"].path == FAILING
    with pytest.raises(
        ParameterError,
        match=r"report='dmeo' is not valid: expected one of 'demo', 'failing'\. Did you mean 'demo'\?",
    ):
        find_report("dmeo")
    with pytest.raises(
        ParameterError, match=r"report='missing\.ipynb' is not valid: expected an existing \.ipynb"
    ):
        find_report("missing.ipynb")


def test_default_notebooks_folder_is_the_repositorys(monkeypatch):
    from toolkit.report import notebooks_dir

    monkeypatch.delenv("TOOLKIT_NOTEBOOKS", raising=False)
    assert notebooks_dir() == Path(__file__).resolve().parents[1] / "notebooks"


PARAMETERS_SOURCE = """\
# The notebook's signature.
from typing import Literal, Optional

corpus: str = "../data/sample"  # folder or file to load
start: str | None = None  # first day, ISO date
freq: Literal["D", "W", "M"] = "W"  # time bucket
limit: Optional[int] = None
outlets: list[str] = []  # keep only these outlets
weights: dict[str, float] = {
    "a": 1.0,
}  # spans lines
plain = 3  # no annotation: typed by its default
"""


def write_notebook(path: Path, source: str) -> Path:
    nb = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        }
    )
    nb.cells = [
        new_markdown_cell("# Tmp"),
        new_code_cell(source, metadata={"tags": ["parameters"]}),
    ]
    nbformat.write(nb, path)
    return path


def test_parameters_cell_is_parsed_with_ast(tmp_path):
    path = write_notebook(tmp_path / "sig.ipynb", PARAMETERS_SOURCE)
    params = notebook_parameters(path)
    assert list(params) == ["corpus", "start", "freq", "limit", "outlets", "weights", "plain"]
    assert params["corpus"].help == "folder or file to load"
    assert params["start"].inferred_type_name == "str | None"
    assert params["start"].type_description == "a string or None"
    assert params["freq"].type_description == "one of 'D', 'W', 'M'"
    assert params["limit"].type_description == "an integer or None"
    assert params["weights"].default_value == {"a": 1.0}
    assert params["weights"].help == "spans lines"
    assert params["plain"].inferred_type_name == "None"
    assert params["plain"].parse("7") == 7
    # papermill's own inspection (a line regex) misses these two; that is why we parse with ast.
    assert {"start", "freq"} - set(inspect_notebook(str(path))) == {"start", "freq"}


def test_notebook_without_parameters_cell_accepts_none(tmp_path):
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "bare.ipynb")
    assert notebook_parameters(tmp_path / "bare.ipynb") == {}
    with pytest.raises(
        ParameterError,
        match=r"expected no parameters at all\. bare\.ipynb has no cell tagged 'parameters'",
    ):
        run_report(tmp_path / "bare.ipynb", parameters={"x": 2}, out=tmp_path / "out")


def test_broken_parameters_cell_is_a_report_error(tmp_path):
    path = write_notebook(tmp_path / "broken.ipynb", "x = (1,\n")
    with pytest.raises(
        ReportError, match=r"parameters cell \(cell 1\) of .*broken\.ipynb' is not valid Python"
    ):
        notebook_parameters(path)


def _one(source: str) -> NotebookParameter:
    """The single parameter declared by ``source``."""
    (parsed,) = _parse_parameters_source(source)
    return parsed


@pytest.mark.parametrize(
    ("annotation", "raw", "expected"),
    [
        ("str", "007", "007"),
        ("str", " padded ", " padded "),
        ("int", "007", 7),
        ("int", "-3", -3),
        ("float", "2.5", 2.5),
        ("float", "3", 3.0),
        ("bool", "yes", True),
        ("bool", "FALSE", False),
        ("bool", "0", False),
        ("list[str]", "a, b,,c", ["a", "b", "c"]),
        ("list[str]", '["a,b", "c"]', ["a,b", "c"]),
        ("list[str]", "", []),
        ("list[int]", "1,2", [1, 2]),
        ("list[int]", '["1", 2]', [1, 2]),
        ("str | None", "none", None),
        ("str | None", "007", "007"),
        ("Optional[int]", "null", None),
        ("Optional[int]", "5", 5),
        ('Literal["D", "W"]', "W", "W"),
        ("int | float", "2.5", 2.5),
        ("int | float", "2", 2),
        ("str | list[str]", "a,b", "a,b"),
        ("str | list[str]", '["a", "b"]', ["a", "b"]),
        ("dict[str, int]", '{"a": 1}', {"a": 1}),
    ],
)
def test_cli_text_is_parsed_by_the_declared_type(annotation, raw, expected):
    value = _one(f"x: {annotation} = None\n").parse(raw)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("annotation", "raw", "match"),
    [
        ("int", "abc", r"x='abc' is not valid: expected an integer\.$"),
        ("int", "1.5", r"expected an integer"),
        ("float", "nan", r"expected a number"),
        ("bool", "maybe", r"expected true or false"),
        ('Literal["D", "W"]', "Q", r"expected one of 'D', 'W'"),
        ("list[int]", "1,x", r"expected a list of integers\. Write lists as JSON"),
        ("list[str]", "[a", r"The text is not valid JSON"),
        ("int | None", "x", r"expected an integer or None"),
        ("dict[str, int]", '{"a": "b"}', r"expected a JSON object"),
    ],
)
def test_bad_cli_text_is_a_parameter_error(annotation, raw, match):
    with pytest.raises(ParameterError, match=match):
        _one(f"x: {annotation} = None\n").parse(raw)


@given(st.text())
def test_strings_stay_strings(text):
    assert _one('x: str = "a"\n').parse(text) == text


@given(st.integers())
def test_integers_round_trip(number):
    assert _one("x: int = 0\n").parse(str(number)) == number


ITEM = st.text(
    alphabet=st.characters(blacklist_characters=",", blacklist_categories=("Cs", "Z", "Cc")),
    min_size=1,
)


@given(st.lists(ITEM).filter(lambda items: not ",".join(items).startswith("[")))
def test_comma_separated_lists_round_trip(items):
    # Text starting with "[" is read as JSON instead (documented).
    assert _one("x: list[str] = []\n").parse(",".join(items)) == items


def test_path_parameters_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.txt", "b.txt", "topics.yaml"):  # corpus and topics must exist
        (tmp_path / name).write_text("x")
    path = write_notebook(
        tmp_path / "p.ipynb",
        'corpus: str | list[str] = ""\ntopics: str = ""\nout_path: str = ""\nnotes_dir: str = ""\n'
        'title: str = ""\nurl_path: str = ""\n',
    )
    params = notebook_parameters(path)
    checked = _check_parameters(
        {
            "corpus": ["a.txt", str(tmp_path / "b.txt")],
            "topics": Path("topics.yaml"),
            "out_path": "~/x.json",
            "notes_dir": "sub/dir",
            "title": "data/not-a-path",
            "url_path": "https://example.org/feed",
        },
        params,
        path,
    )
    assert checked == {
        "corpus": [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
        "topics": str(tmp_path / "topics.yaml"),
        "out_path": str(Path("~/x.json").expanduser()),
        "notes_dir": str(tmp_path / "sub" / "dir"),
        "title": "data/not-a-path",
        "url_path": "https://example.org/feed",
    }


# --------------------------------------------------------------------------------------------
# HTML export (no kernel: notebooks with literal outputs)
# --------------------------------------------------------------------------------------------

HOSTILE = "</script><script>window.pwned = 1</script><!--"


def figure_output(title: str, y: list[float]) -> nbformat.NotebookNode:
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=y), layout={"title": {"text": title}})
    bundle = json.loads(fig.to_json())
    bundle["config"] = {"plotlyServerURL": "https://plot.ly"}
    return new_output("display_data", data={PLOTLY_MIME: bundle, "text/plain": ["Figure()"]})


def executed_notebook(path: Path, *, figures: int = 2) -> Path:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Export test\n\nIntro text."),
        new_code_cell("SECRET_SOURCE_LINE = 1", execution_count=1),
        new_markdown_cell("## Charts"),
    ]
    for i in range(figures):
        cell = new_code_cell(f"fig{i}", execution_count=2 + i)
        cell.outputs = [
            figure_output(HOSTILE if i == 0 else f"plain {i}", [1.5, 2.75, 31.0625 + i])
        ]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def test_export_inlines_plotlyjs_once_and_renders_every_figure(tmp_path):
    source = executed_notebook(tmp_path / "nb.ipynb", figures=3)
    before = source.read_bytes()
    html_path = export_html(source, tmp_path / "page.html")
    page = html_path.read_text(encoding="utf-8")
    assert html_path == tmp_path / "page.html"
    assert source.read_bytes() == before  # the notebook is not modified
    assert page.count(PLOTLYJS_MARK) == 1
    assert page.index(PLOTLYJS_MARK) < page.index('id="toolkit-figure-1"')
    for i in (1, 2, 3):
        assert page.count(f'id="toolkit-figure-{i}"') == 1
    assert "31.0625" in page and "33.0625" in page
    assert PLOTLY_MIME not in page  # only the HTML rendition is exported
    assert "plot.ly" not in page.replace("cdn.plot.ly", "")  # plotlyServerURL dropped
    assert_offline(page)
    assert "SECRET_SOURCE_LINE" not in page
    assert leftovers(tmp_path) == []


def test_export_escapes_text_that_could_close_the_script(tmp_path):
    page = export_html(executed_notebook(tmp_path / "nb.ipynb"), tmp_path / "page.html").read_text()
    assert HOSTILE not in page
    assert "window.pwned" in page  # the text is kept, as data
    assert "\\u003c/script\\u003e\\u003cscript\\u003ewindow.pwned = 1" in page
    # Every script element that is opened is closed once: nothing was cut short by the data.
    assert page.count("<script") == page.count("</script>")


def test_export_can_show_code_and_skip_the_toc(tmp_path):
    source = executed_notebook(tmp_path / "nb.ipynb", figures=1)
    page = export_html(
        source, tmp_path / "page.html", hide_code=False, toc=False, title="Custom"
    ).read_text()
    assert "SECRET_SOURCE_LINE" in page
    assert "<title>Custom</title>" in page
    assert "toolkit-toc" not in page.replace("nav.toolkit-toc", "").replace(".toolkit-toc", "")


def test_export_without_figures_has_no_plotlyjs(tmp_path):
    source = executed_notebook(tmp_path / "nb.ipynb", figures=0)
    page = export_html(source, tmp_path / "page.html").read_text()
    assert PLOTLYJS_MARK not in page
    assert len(page) < 500_000
    assert "<title>Export test</title>" in page
    assert_offline(page)


def test_export_of_a_missing_notebook_is_a_parameter_error(tmp_path):
    with pytest.raises(
        ParameterError,
        match=r"notebook_path='.*missing\.ipynb' is not valid: expected an existing \.ipynb file",
    ):
        export_html(tmp_path / "missing.ipynb", tmp_path / "page.html")
    (tmp_path / "junk.ipynb").write_text("not json")
    with pytest.raises(ReportError, match=r"Cannot read notebook .*junk\.ipynb"):
        export_html(tmp_path / "junk.ipynb", tmp_path / "page.html")
    assert not (tmp_path / "page.html").exists()


def test_template_ships_with_the_package():
    import toolkit.export

    template = Path(toolkit.export.__file__).parent / "templates" / "toolkit_lab"
    assert (template / "conf.json").is_file() and (template / "index.html.j2").is_file()


def test_missing_input_paths_are_refused_before_running(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_notebook(tmp_path / "p.ipynb", 'corpus: str | list[str] = ""\ntopics: str = ""\n')
    params = notebook_parameters(path)
    (tmp_path / "here.txt").write_text("x")
    with pytest.raises(ParameterError, match=r"corpus='.*gone.txt' is not valid: expected an existing file or folder"):
        _check_parameters({"corpus": ["here.txt", "gone.txt"]}, params, path)
    with pytest.raises(ParameterError, match=r"topics='.*nope.yaml'"):
        _check_parameters({"topics": "nope.yaml"}, params, path)


def test_static_formats_are_checked_before_any_kernel_starts(tmp_path, monkeypatch):
    with pytest.raises(ParameterError, match="formats='gif'.*'png', 'svg', 'pdf'"):
        run_report(DEMO, out=tmp_path, formats="gif")
    monkeypatch.setenv("TOOLKIT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ReportError, match="chromium"):
        run_report(DEMO, out=tmp_path, formats="html,pdf")
    assert list(tmp_path.iterdir()) == []


@needs_chromium
@pytest.mark.notebook
def test_static_formats_write_figures_and_a_pdf_beside_the_report(tmp_path):
    pytest.importorskip("kaleido")
    result = run_report(DEMO, out=tmp_path, formats="png,pdf",
                        parameters={"data_path": str(NOTEBOOKS / "demo_report.ipynb")})
    pdf = tmp_path / "demo_report.pdf"
    pngs = sorted((tmp_path / "demo_report_figures").glob("*.png"))
    assert pdf in result.static and set(pngs) <= set(result.static)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert result.html.is_file()
