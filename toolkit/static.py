"""Static copies of a report: every figure as PNG or SVG, the whole page as PDF.

Both use a real browser, Debian's ``chromium`` package (``/usr/bin/chromium``), and neither
touches the network:

* figures are drawn by kaleido 1.x (the optional ``static`` extra) with plotly.js from the
  installed ``plotly`` package and MathJax switched off (kaleido would otherwise load it from a
  CDN). One browser serves every figure of a notebook: starting one costs about 2.5 s, a figure
  after that a fraction of a second;
* the PDF is headless Chromium's ``--print-to-pdf`` of the offline HTML report, with every host
  name unresolvable and a dead proxy, after the page's scripts drew the charts.

The kaleido browser runs in a thread of its own with its own event loop, so
:func:`export_static` also works inside a Jupyter kernel, whose event loop is already running.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from toolkit.errors import ParameterError, ReportError

__all__ = ["CHROMIUM_FLAGS", "StaticFormat", "chromium_path", "export_static", "notebook_figures"]

logger = logging.getLogger(__name__)

StaticFormat = Literal["png", "svg", "pdf"]
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
FIGURE_FORMATS = frozenset({"png", "svg"})

PLOTLY_MIME = "application/vnd.plotly.v1+json"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ENV = "TOOLKIT_CHROMIUM"

# Headless, no sandbox (containers and root), nothing fetched in the background, and no network:
# a dead proxy for every request plus unresolvable host names.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

# Room for the page's scripts (plotly.js is about 4.7 MB, then one newPlot per figure) before
# the page is printed. Virtual time: an idle page is printed as soon as it is done.
PDF_SCRIPT_BUDGET_MS = 30_000


def chromium_path(browser: str | os.PathLike[str] | None = None) -> Path:
    """Return the Chromium executable static export uses.

    ``browser`` when given, else ``$TOOLKIT_CHROMIUM``, else Debian's ``/usr/bin/chromium``,
    else ``chromium`` on the ``PATH``.

    Raises
    ------
    ReportError
        When no Chromium is found; the message names the Debian package to install.

    Examples
    --------
    >>> chromium_path().name  # doctest: +SKIP
    'chromium'
    """
    if browser is None and os.environ.get(CHROMIUM_ENV):
        browser = os.environ[CHROMIUM_ENV]  # set on purpose: a wrong value is an error, not a hint
    if browser is not None:
        candidate = Path(browser).expanduser()
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        raise ReportError(
            f"browser={str(browser)!r} is not an executable file. Static export (PNG/SVG/PDF) "
            "needs Chromium: install Debian's package with `apt-get install chromium` and leave "
            "browser=None, or pass the path of a Chromium executable."
        )
    for candidate in (DEBIAN_CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ReportError(
        "Static export (PNG/SVG/PDF) needs Chromium, and none was found "
        f"(looked at ${CHROMIUM_ENV}, {DEBIAN_CHROMIUM} and chromium on the PATH). Install "
        "Debian's package: `sudo apt-get install chromium`, or set $TOOLKIT_CHROMIUM to a "
        "Chromium executable. The HTML report does not need it."
    )


def _check_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    items = [formats] if isinstance(formats, str) else list(formats)
    # "png,pdf" as the command line spells it
    flat = [part.strip().lower() for item in items for part in str(item).split(",")]
    flat = [part for part in flat if part]
    bad = [part for part in flat if part not in (*FORMATS, "html")]
    if bad or not flat:
        raise ParameterError(
            "formats",
            formats,
            "one or more of " + ", ".join(repr(f) for f in FORMATS) + " (and 'html', which is always written)",
            hint="For example formats=('png', 'pdf') or, on the command line, --format png,pdf.",
        )
    # The HTML report is run_report's; listing it is allowed so "--format html,pdf" reads well.
    return tuple(dict.fromkeys(part for part in flat if part != "html"))


def notebook_figures(executed_ipynb: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Return the plotly figures of an executed notebook, in display order.

    Each is plotly's JSON (``data``, ``layout``, ...), as stored in the notebook's
    ``application/vnd.plotly.v1+json`` outputs.

    Examples
    --------
    >>> figures = notebook_figures("reports/coverage_report.ipynb")  # doctest: +SKIP
    >>> figures[0]["layout"]["title"]["text"]  # doctest: +SKIP
    'Articles per period, by outlet'
    """
    import nbformat

    path = Path(executed_ipynb)
    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise ParameterError(
            "executed_ipynb",
            str(executed_ipynb),
            "an existing executed .ipynb file",
            hint="Run the report first (toolkit.run_report) or check the path.",
        ) from None
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise ReportError(
            f"Cannot read notebook {str(path)!r}: {type(exc).__name__}: {exc}.", notebook=path
        ) from exc
    figures = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            figure = output.get("data", {}).get(PLOTLY_MIME)
            if figure is None:
                continue
            figures.append(json.loads(figure) if isinstance(figure, str) else dict(figure))
    return figures


def _slug(figure: dict[str, Any]) -> str:
    title = (figure.get("layout") or {}).get("title")
    text = title.get("text") if isinstance(title, dict) else title
    slug = re.sub(r"[^a-z0-9]+", "-", str(text or "").lower()).strip("-")[:60].rstrip("-")
    return slug or "figure"


def _run_in_thread(coroutine_factory: Any) -> Any:
    """Run an async job to completion in a new thread with its own event loop."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coroutine_factory())
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="toolkit-kaleido", daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _write_figures(
    figures: Sequence[dict[str, Any]],
    paths: Sequence[Path],
    formats: Sequence[str],
    *,
    browser: Path,
    scale: float,
    width: int | None,
    height: int | None,
    timeout: float,
) -> None:
    try:
        import kaleido
    except ImportError as exc:
        raise ReportError(
            "PNG/SVG export needs kaleido 1.x, which is not installed. Install the optional "
            "extra: `pip install 'media-coverage-toolkit[static]'` (or `pip install "
            "'kaleido>=1.5,<1.6'`)."
        ) from exc

    async def job() -> None:
        async with kaleido.Kaleido(
            n=1,
            timeout=timeout,
            mathjax=False,  # else loaded from a CDN
            path=str(browser),
            proxy_server="127.0.0.1:9",
        ) as renderer:
            for figure, path, fmt in zip(figures, paths, formats, strict=True):
                opts: dict[str, Any] = {"format": fmt, "scale": scale}
                if width is not None:
                    opts["width"] = width
                if height is not None:
                    opts["height"] = height
                data = await renderer.calc_fig(figure, opts=opts)
                path.write_bytes(data)

    started = time.perf_counter()
    try:
        _run_in_thread(job)
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(
            f"Drawing the figures with kaleido and {browser} failed: {type(exc).__name__}: "
            f"{exc}. Is {browser} a working Chromium (try `{browser} --headless --version`)?"
        ) from exc
    logger.info("wrote %d image(s) in %.1f s", len(paths), time.perf_counter() - started)


def _print_pdf(html_path: Path, pdf_path: Path, *, browser: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="toolkit-chromium-") as profile:
        tmp_pdf = pdf_path.parent / f".{pdf_path.name}.{secrets.token_hex(6)}.part"
        command = [
            str(browser),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            f"--virtual-time-budget={PDF_SCRIPT_BUDGET_MS}",
            f"--print-to-pdf={tmp_pdf}",
            html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
            if done.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
                raise ReportError(
                    f"Chromium could not print {str(html_path)!r} to PDF (exit code "
                    f"{done.returncode}): {done.stderr.strip()[-800:] or 'no message'}"
                )
            os.replace(tmp_pdf, pdf_path)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(
                f"Chromium did not finish printing {str(html_path)!r} to PDF within "
                f"{timeout:g} s; raise timeout="
            ) from exc
        finally:
            tmp_pdf.unlink(missing_ok=True)


def export_static(
    executed_ipynb: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    formats: str | Iterable[StaticFormat] = ("png", "pdf"),
    html: str | os.PathLike[str] | None = None,
    browser: str | os.PathLike[str] | None = None,
    scale: float = 2.0,
    width: int | None = None,
    height: int | None = None,
    timeout: float = 300.0,
) -> list[Path]:
    """Export an executed report as static files: figures as PNG/SVG, the page as PDF.

    For a notebook ``<name>.ipynb`` this writes

    * ``<out>/<name>_figures/<NN>-<title>.png`` (and/or ``.svg``): every plotly figure of the
      notebook in display order (``NN`` counts from 01; ``title`` is the chart's title, made
      file-name safe), drawn by kaleido;
    * ``<out>/<name>.pdf``: the whole HTML report printed by headless Chromium, charts included.

    Nothing is downloaded: both use the installed plotly.js and Debian's ``chromium`` with the
    network cut off. Files are written whole (temporary file, then renamed).

    Parameters
    ----------
    executed_ipynb : str or PathLike
        An executed notebook, e.g. :attr:`toolkit.report.ReportResult.notebook`.
    out : str or PathLike, optional
        Output folder, created when missing. Default: the notebook's folder.
    formats : str or iterable of {"png", "svg", "pdf"}, default ("png", "pdf")
        What to write; a comma-separated string such as ``"png,pdf"`` works too. ``"html"``
        may be listed and is ignored (the HTML report is :func:`toolkit.run_report`'s), so a
        command line's ``--format html,png`` can be passed through as it is.
    html : str or PathLike, optional
        The HTML report to print to PDF. Default: ``<name>.html`` beside the notebook, else a
        fresh export of the notebook (:func:`toolkit.export.export_html`) in a temporary folder.
    browser : str or PathLike, optional
        The Chromium executable. Default: see :func:`chromium_path`.
    scale : float, default 2.0
        Pixel density of PNGs (2 = sharp on high-resolution screens and in print).
    width, height : int, optional
        Image size in CSS pixels. Default: the figure's layout size, else kaleido's 700 x 500.
    timeout : float, default 300
        Seconds allowed for drawing one figure, and for printing the PDF.

    Returns
    -------
    list of Path
        The files written: the images in figure order, then the PDF.

    Raises
    ------
    ParameterError
        An unknown format, a missing notebook or HTML file, a bad ``scale``/``width``/``height``.
    ReportError
        No Chromium (the message names Debian's ``chromium`` package), kaleido not installed
        for PNG/SVG (``pip install 'media-coverage-toolkit[static]'``), or the browser failed.

    Examples
    --------
    >>> from toolkit.report import run_report
    >>> result = run_report("coverage", out="reports")  # doctest: +SKIP
    >>> [p.name for p in export_static(result.notebook, formats="png,pdf")][-1]  # doctest: +SKIP
    'coverage_report.pdf'
    """
    wanted = _check_formats(formats)
    notebook = Path(executed_ipynb).expanduser()
    if not notebook.is_file():
        raise ParameterError(
            "executed_ipynb",
            str(executed_ipynb),
            "an existing executed .ipynb file",
            hint="Run the report first (toolkit.run_report) or check the path.",
        )
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 10:
        raise ParameterError("scale", scale, "a number greater than 0 and at most 10")
    for name, value in (("width", width), ("height", height)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 10 <= value <= 10_000
        ):
            raise ParameterError(name, value, "None or a whole number of pixels from 10 to 10000")
    html_path: Path | None = None
    if not wanted:
        return []
    if html is not None:
        html_path = Path(html).expanduser()
        if not html_path.is_file():
            raise ParameterError(
                "html", str(html), "an existing HTML report", hint="Or leave html=None."
            )

    out_dir = Path(out).expanduser() if out is not None else notebook.parent
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError("out", str(out), "a folder", hint="That path is a file.")
    chromium = chromium_path(browser)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    image_formats = [fmt for fmt in wanted if fmt in FIGURE_FORMATS]
    if image_formats:
        figures = notebook_figures(notebook)
        folder = out_dir / f"{notebook.stem}_figures"
        folder.mkdir(exist_ok=True)
        jobs: list[tuple[dict[str, Any], Path, str]] = []
        for number, figure in enumerate(figures, start=1):
            stem = f"{number:02d}-{_slug(figure)}"
            jobs.extend((figure, folder / f"{stem}.{fmt}", fmt) for fmt in image_formats)
        if jobs:
            _write_figures(
                [job[0] for job in jobs],
                [job[1] for job in jobs],
                [job[2] for job in jobs],
                browser=chromium,
                scale=float(scale),
                width=width,
                height=height,
                timeout=timeout,
            )
        written.extend(job[1] for job in jobs)

    if "pdf" in wanted:
        pdf_path = out_dir / f"{notebook.stem}.pdf"
        sibling = notebook.with_suffix(".html")
        if html_path is None and sibling.is_file():
            html_path = sibling
        started = time.perf_counter()
        if html_path is not None:
            _print_pdf(html_path, pdf_path, browser=chromium, timeout=timeout)
        else:
            from toolkit.export import export_html

            with tempfile.TemporaryDirectory(prefix="toolkit-static-") as tmp:
                page = export_html(notebook, Path(tmp) / f"{notebook.stem}.html")
                _print_pdf(page, pdf_path, browser=chromium, timeout=timeout)
        logger.info("wrote %s in %.1f s", pdf_path, time.perf_counter() - started)
        written.append(pdf_path)
    return written
