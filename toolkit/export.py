"""Export an executed notebook to one self-contained, offline HTML file.

nbconvert alone does not give a usable offline report here:

* plotly >= 6 figures are displayed with the ``application/vnd.plotly.v1+json`` mime type only,
  which nbconvert cannot render, so the figures vanish from the HTML;
* nbconvert's templates load require.js, MathJax and Mermaid from a CDN.

:func:`export_html` therefore adds a ``text/html`` rendition to every plotly output (a ``div``
plus a ``Plotly.newPlot`` call), inlines plotly.js once from the installed ``plotly`` package,
and renders with the ``toolkit_lab`` template (``toolkit/templates/``), which is nbconvert's
JupyterLab template without those CDN script tags. The notebook file itself is not changed:
JupyterLab keeps rendering the small mime-type output.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor

from toolkit.errors import ParameterError, ReportError

__all__ = ["PLOTLY_MIME", "TEMPLATE_NAME", "PlotlyHTMLPreprocessor", "export_html"]

logger = logging.getLogger(__name__)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "toolkit_lab"

# plotly's own notebook renderers use this height when the layout sets none.
DEFAULT_FIGURE_HEIGHT = 525

# JSON is embedded in a <script> element: any "<" could start "</script>" or "<!--" inside an
# article's text, so escape the few characters HTML parsers care about. They can only occur
# inside JSON strings, where the \uXXXX escapes mean the same thing.
_JSON_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_SCRIPT_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def _json_for_script(value: object) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return _JSON_SCRIPT_ESCAPE_RE.sub(lambda m: _JSON_SCRIPT_ESCAPES[m.group(0)], text)


@functools.cache
def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    source = get_plotlyjs()
    # The bundle is placed inside a <script> element; an HTML parser would end the element at a
    # literal "</script". "<\/script" means the same to JavaScript in strings and regexes.
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)


def _css_size(value: object, default: str) -> str:
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        return f"{value:g}px"
    return default


def plotly_figure_html(figure: Mapping[str, Any], *, div_id: str, include_plotlyjs: bool) -> str:
    """Return HTML that draws one plotly figure offline.

    Parameters
    ----------
    figure : Mapping
        The figure as plotly's JSON: ``data``, ``layout`` and optionally ``config`` and ``frames``
        (the value of an ``application/vnd.plotly.v1+json`` output).
    div_id : str
        The ``id`` of the ``div`` the figure is drawn into; unique within the page.
    include_plotlyjs : bool
        Prepend plotly.js itself (about 4.7 MB) as an inline script. Do this once per page,
        before the first figure.

    Returns
    -------
    str
        A ``div`` and a ``script`` that calls ``Plotly.newPlot``.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = go.Figure(go.Bar(x=["a"], y=[1])).to_plotly_json()
    >>> snippet = plotly_figure_html(fig, div_id="fig-1", include_plotlyjs=False)
    >>> 'id="fig-1"' in snippet and "Plotly.newPlot" in snippet
    True
    """
    layout = dict(figure.get("layout") or {})
    template_layout = (layout.get("template") or {}).get("layout") or {}
    height = _css_size(
        layout.get("height", template_layout.get("height")), f"{DEFAULT_FIGURE_HEIGHT}px"
    )
    width = _css_size(layout.get("width", template_layout.get("width")), "100%")

    config = dict(figure.get("config") or {})
    config.setdefault("responsive", True)
    config.setdefault("displaylogo", False)
    if not config.get("showSendToCloud", False):
        # The only URL in plotly's default config; nothing offline needs it.
        config.pop("plotlyServerURL", None)

    payload = {
        "data": figure.get("data") or [],
        "layout": layout,
        "config": config,
        "frames": figure.get("frames") or [],
    }
    parts = []
    if include_plotlyjs:
        parts.append(
            '<script type="text/javascript">'
            "window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
            f'<script type="text/javascript" charset="utf-8">{_plotlyjs()}</script>'
        )
    safe_id = html.escape(div_id, quote=True)
    parts.append(
        f'<div id="{safe_id}" class="plotly-graph-div toolkit-figure" '
        f'style="height:{height}; width:{width};"></div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var id = {_json_for_script(div_id)};\n"
        f"  var fig = {_json_for_script(payload)};\n"
        '  if (typeof Plotly === "undefined") {\n'
        '    document.getElementById(id).textContent = "This chart needs plotly.js, which did not load.";\n'
        "    return;\n"
        "  }\n"
        "  window.PLOTLYENV = window.PLOTLYENV || {};\n"
        "  Plotly.newPlot(id, fig.data, fig.layout, fig.config).then(function () {\n"
        "    if (fig.frames.length) { return Plotly.addFrames(id, fig.frames); }\n"
        "  });\n"
        "})();\n"
        "</script>"
    )
    return "\n".join(parts)


class PlotlyHTMLPreprocessor(Preprocessor):
    """Give every plotly figure output a self-contained ``text/html`` rendition.

    plotly.js is inlined once, in the first figure's output, so a page with no figures stays
    small. The JSON rendition is dropped from the exported copy (the notebook file keeps it), so
    every template shows the HTML one.
    """

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple:
        n_figures = 0
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") not in ("display_data", "execute_result"):
                    continue
                data = output.get("data", {})
                if PLOTLY_MIME not in data:
                    continue
                figure = data[PLOTLY_MIME]
                if isinstance(figure, str):
                    figure = json.loads(figure)
                n_figures += 1
                data["text/html"] = plotly_figure_html(
                    figure,
                    div_id=f"toolkit-figure-{n_figures}",
                    include_plotlyjs=n_figures == 1,
                )
                del data[PLOTLY_MIME]
        resources.setdefault("toolkit", {})["n_figures"] = n_figures
        logger.debug("added an HTML rendition to %d plotly figure(s)", n_figures)
        return nb, resources


_HEADING_RE = re.compile(
    r'<h([1-3]) id="([^"]+)">(.*?)<a class="anchor-link" href="#[^"]*">', re.DOTALL
)
_TAG_RE = re.compile(r"<[^>]+>")


def _add_toc(page: str) -> str:
    """Insert a list of links to the page's h1-h3 headings at the top of ``<main>``."""
    headings = _HEADING_RE.findall(page)
    if len(headings) < 2 or "<main>" not in page:
        return page
    items = "\n".join(
        f'<li class="toolkit-toc-h{level}"><a href="#{anchor}">{_TAG_RE.sub("", text).strip()}</a></li>'
        for level, anchor, text in headings
    )
    nav = f'<nav class="toolkit-toc" aria-label="Contents">\n<ul>\n{items}\n</ul>\n</nav>'
    return page.replace("<main>", "<main>\n" + nav, 1)


def _first_heading(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in cell.get("source", "").splitlines():
            match = re.match(r"\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1)
    return None


def export_html(
    notebook_path: str | Path,
    html_path: str | Path,
    *,
    hide_code: bool = True,
    title: str | None = None,
    toc: bool = True,
    base_dir: str | Path | None = None,
) -> Path:
    """Export an executed notebook to one self-contained HTML file that works offline.

    Plotly figures get an HTML rendition with plotly.js inlined once; nbconvert's CDN scripts
    (require.js, MathJax, Mermaid) are left out, so the page loads nothing from the network.
    pandas DataFrames appear as their HTML tables. The notebook file is not modified.

    Parameters
    ----------
    notebook_path : str or Path
        The executed ``.ipynb``.
    html_path : str or Path
        Where to write the HTML. Written to a temporary file beside it first and moved into
        place, so an existing file is only replaced by a complete one.
    hide_code : bool, default True
        Leave out code cells' source and the ``In []``/``Out []`` prompts (outputs and markdown
        stay): the page reads as a report, not as code.
    title : str, optional
        The page title. Default: the first markdown heading, else the notebook's file name.
    toc : bool, default True
        Put a list of links to the markdown headings (levels 1-3) at the top, when there are at
        least two.
    base_dir : str or Path, optional
        Folder that relative image paths in markdown cells are resolved against (the images are
        embedded). Default: the notebook's folder.

    Returns
    -------
    Path
        ``html_path``.

    Raises
    ------
    ParameterError
        When ``notebook_path`` does not exist.
    ReportError
        When the notebook cannot be read or nbconvert fails.

    Examples
    --------
    >>> export_html("reports/coverage_report.ipynb", "reports/coverage_report.html")  # doctest: +SKIP
    PosixPath('reports/coverage_report.html')
    """
    from nbconvert import HTMLExporter

    notebook_path = Path(notebook_path)
    html_path = Path(html_path)
    if not notebook_path.is_file():
        raise ParameterError(
            "notebook_path",
            str(notebook_path),
            "an existing .ipynb file",
            hint="Run the notebook first (toolkit.report.run_report) or check the path.",
        )
    try:
        nb = nbformat.read(notebook_path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise ReportError(
            f"Cannot read notebook {str(notebook_path)!r} for HTML export: "
            f"{type(exc).__name__}: {exc}. Is it a complete .ipynb file?",
            notebook=notebook_path,
        ) from exc

    page_title = title or _first_heading(nb) or notebook_path.stem
    nb.metadata["title"] = page_title

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
        embed_images=True,
    )
    exporter.register_preprocessor(PlotlyHTMLPreprocessor(), enabled=True)
    resources = {
        "metadata": {
            "name": page_title,
            "path": str(Path(base_dir) if base_dir is not None else notebook_path.parent),
        }
    }
    try:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    except Exception as exc:
        raise ReportError(
            f"Exporting {str(notebook_path)!r} to HTML failed: {type(exc).__name__}: {exc}.",
            notebook=notebook_path,
        ) from exc
    if toc:
        body = _add_toc(body)

    html_path.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its files are private (0600) whatever the umask.
    tmp_path = html_path.parent / f".{html_path.name}.{secrets.token_hex(6)}.part"
    try:
        with open(tmp_path, "x", encoding="utf-8") as handle:
            handle.write(body)
        os.replace(tmp_path, html_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    logger.info("wrote %s (%.1f MB)", html_path, len(body.encode("utf-8")) / 1e6)
    return html_path
