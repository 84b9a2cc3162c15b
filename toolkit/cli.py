"""The ``toolkit`` command: a thin shell over the package's functions.

Usage::

    toolkit report list
    toolkit report coverage --corpus data/sample --topics data/topics/example.yaml --out reports
    toolkit report NAME -p freq=W -p outlets=a,b --out reports --name weekly
    python -m toolkit ...

Exit codes: 0 success; 2 bad input (a usage error or a :class:`~toolkit.errors.ToolkitError`
other than a report failure); 3 a report failed to run (:class:`~toolkit.errors.ReportError`);
1 an unexpected error (a bug: rerun with ``-v`` for the traceback). Results go to stdout
(``report`` prints the HTML path and nothing else), messages to stderr. Logging is configured
here and only here.

Adding a command: decorate a function with ``@cli.command()`` (or ``cli.add_command``); raise
``ToolkitError`` subclasses for bad input and let :func:`main` turn them into exit codes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import click

from toolkit import __version__
from toolkit.errors import ParameterError, ReportError, ToolkitError

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2
EXIT_REPORT_FAILED = ReportError.exit_code

_verbosity = 0


def _configure_logging(verbose: int) -> None:
    global _verbosity
    _verbosity = verbose
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        force=True,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log progress to stderr (-v: info, -vv: debug).")
@click.version_option(__version__, "-V", "--version", prog_name="toolkit")
def cli(verbose: int) -> None:
    """The media coverage toolkit: run coverage reports and inspect corpora."""
    _configure_logging(verbose)


# --------------------------------------------------------------------------------------------
# toolkit report
# --------------------------------------------------------------------------------------------


def _split_assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise click.BadParameter(
            f"{text!r} is not NAME=VALUE (for example -p freq=W).", param_hint="'-p'"
        )
    return name, value


def _run_command(report: str) -> click.Command:
    """The command that runs one report (built per name, so --help can show its parameters)."""

    def run(
        corpus: str | None,
        topics: str | None,
        parameter: Sequence[str],
        out: str,
        name: str | None,
        timeout: int | None,
        kernel: str,
        progress: bool | None,
        each: str | None = None,
        grid: str | None = None,
        jobs: int | None = None,
        formats: str = "html",
    ) -> int:
        from toolkit.report import (
            find_report,
            notebook_parameters,
            run_report,
            unknown_parameter_error,
        )

        if each and grid:
            raise click.UsageError("Use --each or --grid, not both.")
        if jobs is not None and not (each or grid):
            raise click.UsageError("--jobs only applies to batch runs (--each or --grid).")
        if (each or grid) and formats.strip().lower() != "html":
            raise click.UsageError("--format applies to single runs; batches write HTML reports.")
        path = find_report(report)
        declared = notebook_parameters(path)
        raw: dict[str, str] = {}
        given = [("corpus", corpus), ("topics", topics)]
        given += [_split_assignment(text) for text in parameter]
        for key, value in given:
            if value is None:
                continue
            if key in raw:
                raise ParameterError(
                    key,
                    value,
                    "one value",
                    hint=f"It was given twice (also as {raw[key]!r}); --corpus and --topics "
                    "are the same as -p corpus=... and -p topics=....",
                )
            raw[key] = value
        values: dict[str, object] = {}
        for key, text in raw.items():
            if key not in declared:
                raise unknown_parameter_error(key, text, declared, path)
            values[key] = declared[key].parse(text)
        if each or grid:
            return _run_batch(path, values, each=each, grid=grid, out=out, prefix=name,
                              jobs=jobs, kernel=kernel, timeout=timeout, progress=progress)
        result = run_report(
            path,
            parameters=values,
            out=out,
            output_name=name,
            kernel_name=kernel,
            timeout=_timeout(timeout),
            progress=sys.stderr.isatty() if progress is None else progress,
            formats=formats,
        )
        click.echo(str(result.html))
        for path_ in result.static:
            click.echo(str(path_))
        return EXIT_OK

    return click.Command(
        report,
        callback=run,
        help=_report_help(report),
        short_help=_report_short_help(report),
        params=[
            click.Option(
                ["--corpus"],
                metavar="PATH",
                help="Shortcut for -p corpus=PATH.",
            ),
            click.Option(
                ["--topics"],
                metavar="PATH",
                help="Shortcut for -p topics=PATH.",
            ),
            click.Option(
                ["-p", "--parameter", "parameter"],
                multiple=True,
                metavar="NAME=VALUE",
                help="Set a notebook parameter; repeatable. VALUE is read as the type the "
                "parameters cell declares (a string stays a string, e.g. 007).",
            ),
            click.Option(
                ["-o", "--out"],
                default="reports",
                show_default=True,
                metavar="DIR",
                help="Folder for NAME.ipynb and NAME.html (created when missing).",
            ),
            click.Option(
                ["--name"],
                metavar="NAME",
                help="File stem of the outputs [default: the notebook's file stem]; with --each or "
                "--grid, a prefix of every run's file stem.",
            ),
            click.Option(
                ["--timeout"],
                type=click.IntRange(min=0),
                default=None,
                metavar="SECONDS",
                help="Time limit for one cell; 0 for none [default: the notebook's "
                "metadata.toolkit.timeout, else 1800].",
            ),
            click.Option(
                ["--kernel"],
                default="python3",
                show_default=True,
                help="Jupyter kernel; python3 is always this environment's Python.",
            ),
            click.Option(
                ["--progress/--no-progress"],
                default=None,
                help="Show a progress bar on stderr [default: when stderr is a terminal].",
            ),
            click.Option(
                ["--format", "formats"],
                default="html",
                show_default=True,
                metavar="LIST",
                help="Outputs, comma-separated: html (always written), png and svg (every figure, "
                "into OUT/NAME_figures/), pdf (the page printed by headless Chromium; needs "
                "Debian's chromium, and kaleido for png/svg).",
            ),
            click.Option(
                ["--each"],
                type=click.Choice(["outlet", "topic"]),
                default=None,
                help="Batch: one run per outlet of the corpus (sets outlets=[OUTLET]; -p "
                "outlets=a,b limits the runs to those) or per topic of the topic dictionary "
                "(sets topic=TOPIC). Writes OUT/index.html linking every run.",
            ),
            click.Option(
                ["--grid"],
                metavar="FILE",
                help="Batch: one run per parameter set listed in a YAML or JSON file (a list of "
                "mappings, or a mapping of labels to mappings); -p values are shared by all.",
            ),
            click.Option(
                ["-j", "--jobs"],
                type=click.IntRange(min=1),
                default=None,
                metavar="N",
                help="Batch: reports run at a time, each in its own process and kernel "
                "[default: the number of cores].",
            ),
        ],
    )


def _timeout(seconds: int | None) -> int | None | Literal["auto"]:
    """--timeout: absent -> the notebook's own default, 0 -> no limit."""
    if seconds is None:
        return "auto"
    return seconds or None


def _run_batch(
    path: Path,
    values: dict[str, object],
    *,
    each: str | None,
    grid: str | None,
    out: str,
    prefix: str | None,
    jobs: int | None,
    kernel: str,
    timeout: int | None,
    progress: bool | None,
) -> int:
    """``--each``/``--grid``: run the batch, print the index path, exit 0, 3, 130 or 143."""
    from toolkit.batch import each_runs, grid_runs, run_batch

    if each:
        runs = each_runs(path, each, parameters=values, prefix=prefix)  # type: ignore[arg-type]
        title = f"{path.stem} by {each}"
    else:
        runs = grid_runs(path, grid or "", parameters=values, prefix=prefix)
        title = f"{path.stem}: parameter grid {Path(grid or '').name}"
    result = run_batch(
        path,
        runs,
        out=out,
        jobs=jobs,
        kernel_name=kernel,
        timeout=_timeout(timeout),
        progress=progress,
        title=title,
    )
    click.echo(str(result.index))
    summary = (
        f"{result.count('ok')} of {len(result.outcomes)} reports ok"
        + (f", {result.count('failed')} failed" if result.count("failed") else "")
        + (f", {result.count('interrupted')} interrupted" if result.count("interrupted") else "")
        + (f", {result.count('not run')} not run" if result.count("not run") else "")
    )
    if result.interrupted:
        click.echo(f"toolkit: batch stopped by {result.interrupted}: {summary}; the index "
                   f"shows what finished: {result.index}", err=True)
    elif result.exit_code:
        failed = [o for o in result.outcomes if o.status == "failed"]
        click.echo(f"toolkit: report failed: {summary}; see {result.index}", err=True)
        for outcome in failed:
            click.echo(f"  {outcome.run.label}: {outcome.reason}", err=True)
    else:
        logger.info("batch done: %s in %.1f s", summary, result.duration)
    return result.exit_code


def _report_short_help(report: str) -> str:
    from toolkit.report import list_reports

    for info in list_reports():
        if info.name == report or info.path.stem == report:
            return info.description
    return ""


def _report_help(report: str) -> str:
    from toolkit.report import find_report, notebook_parameters

    try:
        path = find_report(report)
        declared = notebook_parameters(path)
    except ToolkitError as exc:
        return f"Run the report {report!r}. ({exc})"
    lines = [
        f"Run the report {path.name} with papermill and write OUT/NAME.ipynb and OUT/NAME.html "
        "(self-contained, works offline). Prints the HTML path.",
        "",
        "\b",
        "Parameters (-p NAME=VALUE):",
    ]
    if not declared:
        lines.append("  (none: the notebook has no 'parameters' cell)")
    for param in declared.values():
        text = f"  {param.name}: {param.inferred_type_name} = {param.default}"
        if param.help:
            text += f"  # {param.help}"
        lines.append(text)
    lines += [
        "",
        "Relative paths given to corpus, topics and parameters whose names end in path, "
        "paths, _file, _files or _dir are taken relative to the current directory.",
        "",
        "Batch runs (--each outlet|topic, --grid FILE) run one report per value in parallel "
        "processes, write OUT/<value>-<hash>.html for each and OUT/index.html linking them, "
        "print the index path and exit 0 (all ok), 3 (some failed), 130/143 (interrupted).",
    ]
    return "\n".join(lines)


class ReportGroup(click.Group):
    """``toolkit report NAME``: every notebook in the reports folder is a subcommand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from toolkit.report import list_reports

        return [*super().list_commands(ctx), *(r.name for r in list_reports())]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        # Any other name (or a notebook path) runs that report; an unknown one fails with the
        # list of available reports when it is run.
        return _run_command(cmd_name)


@cli.group(cls=ReportGroup)
def report() -> None:
    """Run a report notebook and export it to offline HTML.

    \b
    toolkit report list
    toolkit report coverage --corpus data/sample --topics data/topics/example.yaml
    toolkit report NAME_OR_NOTEBOOK.ipynb -p name=value ... --out DIR
    """


@report.command("list")
def report_list() -> None:
    """List the available reports and what they do."""
    from toolkit.report import list_reports, notebooks_dir

    reports = list_reports()
    if not reports:
        click.echo(f"toolkit: no report notebooks in {notebooks_dir()}", err=True)
        return
    width = max(len(r.name) for r in reports)
    for info in reports:
        click.echo(f"{info.name:<{width}}  {info.description}".rstrip())


# --------------------------------------------------------------------------------------------
# toolkit load
# --------------------------------------------------------------------------------------------


def _table_format(option: str, path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ParameterError(option, path, "a file name ending in .parquet or .csv")


def _write_table(table: Any, path: str, kind: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        table.to_csv(target, index=False)
    else:
        table.to_parquet(target, index=False)


@cli.command("load")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "format_", default=None, metavar="NAME",
              help="Reader for every file (scraped, csv, json, jsonl, parquet, html, reuters, ...); "
              "default: by file.")
@click.option("--tz", default="UTC", show_default=True, help="Zone for dates written without one.")
@click.option("--outlet", default=None, help="Outlet of articles whose file does not name one.")
@click.option("--strict", is_flag=True, help="Stop at the first bad file or record (errors='raise').")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Pass over files whose name matches GLOB (repeatable), besides the default "
              "exclusions (README, LICENSE, ...).")
@click.option("--duplicates", type=click.Choice(["exact", "near", "none"]), default="exact",
              show_default=True, help="Flag exact or also near-duplicate articles (nothing is dropped).")
@click.option("--normalize/--no-normalize", "normalize", default=True, show_default=True,
              help="Repair mojibake, HTML entities, Unicode (NFC) and whitespace in the text.")
@click.option("--cache/--no-cache", "use_cache", default=False, show_default=True,
              help="Keep the parsed table in the cache folder and reuse it while no input changed.")
@click.option("--cache-dir", default=None, type=click.Path(path_type=str), metavar="DIR",
              help="Cache folder (implies --cache) [default: $TOOLKIT_CACHE_DIR or "
              "~/.cache/media-coverage-toolkit].")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr [default: when stderr is a terminal].")
@click.option("--out", "out", default=None, type=click.Path(path_type=str), metavar="FILE",
              help="Also write the articles table to this .parquet or .csv file.")
@click.option("--stream", is_flag=True,
              help="Write --out FILE.parquet chunk by chunk with bounded memory, for corpora larger "
              "than memory (exact duplicates only; no cache).")
@click.option("--report", "report_path", default=None, type=click.Path(path_type=str), metavar="FILE",
              help="Also write the full load report, one row per input record (loaded, duplicate, "
              "skipped, with reasons), to this .csv or .parquet file.")
def load(sources: tuple[str, ...], format_: str | None, tz: str, outlet: str | None, strict: bool,
         exclude: tuple[str, ...], duplicates: str, normalize: bool, use_cache: bool, cache_dir: str | None,
         progress: bool | None, out: str | None, stream: bool, report_path: str | None) -> int:
    """Load SOURCES (files or folders) and print the load report: what was loaded, skipped, assumed.

    \b
    toolkit load data/sample
    toolkit load corpus/ --out articles.parquet --report load-report.csv --cache
    toolkit load huge.jsonl --out articles.parquet --stream

    Exits 2 when a file or record was skipped or nothing was loaded, so scripts can tell a clean
    load from a partial one.
    """
    from toolkit.load.core import DEFAULT_EXCLUDE, load_corpus, load_to_parquet
    from toolkit.load.report import load_log, load_report
    from toolkit.normalize import DEFAULT_STEPS

    # Check the output names before a long load, not after it.
    out_kind = _table_format("--out", out) if out else None
    report_kind = _table_format("--report", report_path) if report_path else None
    cache: bool | str = cache_dir if cache_dir else use_cache
    if stream:
        if out_kind != "parquet" or not out:
            raise click.UsageError("--stream needs --out FILE.parquet")
        if duplicates == "near" or use_cache or cache_dir:
            raise click.UsageError("--stream flags exact duplicates only and does not cache: "
                                   "drop --duplicates near / --cache, or drop --stream")
        report = load_to_parquet(list(sources), out, format=format_, tz=tz, outlet=outlet,
                                 errors="raise" if strict else "skip",
                                 exclude=(*DEFAULT_EXCLUDE, *exclude),
                                 normalize=DEFAULT_STEPS if normalize else None,
                                 duplicates="none" if duplicates == "none" else "exact",
                                 progress=progress)
        click.echo(str(report))
        click.echo(f"wrote {report.n_articles} articles to {out}")
        if report_path and report_kind:
            import pandas as pd

            log = load_log(pd.read_parquet(out))
            _write_table(log, report_path, report_kind)
            click.echo(f"wrote the load report ({len(log)} rows, one per input record) to {report_path}")
        if not report.n_articles:
            click.echo("toolkit: no articles were loaded (see the files skipped and ignored above)", err=True)
        return EXIT_BAD_INPUT if report.skipped_rows or not report.n_articles else EXIT_OK
    articles = load_corpus(list(sources), format=format_, tz=tz, outlet=outlet,
                           errors="raise" if strict else "skip", exclude=(*DEFAULT_EXCLUDE, *exclude),
                           normalize=DEFAULT_STEPS if normalize else None,
                           duplicates=duplicates, cache=cache, progress=progress)
    report = load_report(articles)
    click.echo(str(report))
    if out and out_kind:
        _write_table(articles, out, out_kind)
        click.echo(f"wrote {len(articles)} articles to {out}")
    if report_path and report_kind:
        log = load_log(articles)
        _write_table(log, report_path, report_kind)
        click.echo(f"wrote the load report ({len(log)} rows, one per input record) to {report_path}")
    if not len(articles):
        click.echo("toolkit: no articles were loaded (see the files skipped and ignored above)", err=True)
    return EXIT_BAD_INPUT if report.skipped_rows or not len(articles) else EXIT_OK


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _fail(message: str, code: int) -> int:
    click.echo(f"toolkit: {message}", err=True)
    return code


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (``main`` exits with it)."""
    try:
        result: Any = cli.main(args=argv, prog_name="toolkit", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        return _fail("aborted.", 130)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)
    except ReportError as exc:
        return _fail(f"report failed: {exc}", EXIT_REPORT_FAILED)
    except ToolkitError as exc:
        return _fail(f"error: {exc}", EXIT_BAD_INPUT)
    except Exception as exc:
        if _verbosity:
            logger.exception("unexpected error")
        hint = "" if _verbosity else " Rerun with -v to see the traceback."
        return _fail(f"unexpected error: {type(exc).__name__}: {exc}.{hint}", EXIT_UNEXPECTED)
    return result if isinstance(result, int) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``toolkit``)."""
    sys.exit(run(argv))


__all__ = ["cli", "load", "main", "report", "run"]

if __name__ == "__main__":  # pragma: no cover
    main()
