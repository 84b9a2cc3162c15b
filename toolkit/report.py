"""Run parameterized report notebooks headlessly and export them to offline HTML.

A *report* is a notebook in the repository's ``notebooks/`` folder (or any ``.ipynb`` path). Its
first cell tagged ``parameters`` is its signature: one assignment per parameter, annotated and
commented, e.g. ``corpus: str = "../data/sample"  # folder or file to load``.
:func:`run_report` checks the parameters you pass against that cell, executes the notebook with
papermill on this environment's own ``python3`` kernel, and writes ``<out>/<name>.ipynb`` (the
executed notebook), ``<out>/<name>.html`` (one self-contained page, code hidden, charts that
render with no network; see :mod:`toolkit.export`) and ``<out>/<name>.manifest.json`` (the run
manifest, also appended to the report as its last section; see :mod:`toolkit.manifest`).

Two papermill traps are handled here rather than in every notebook:

* papermill's parameter inspection is a line regex that silently skips annotations such as
  ``str | None`` or ``Literal["D", "W"]``; the parameters cell is parsed with :mod:`ast` instead.
* papermill resolves the kernel name through the Jupyter search path, where a ``python3``
  kernelspec in ``~/.local/share/jupyter`` (another interpreter) wins over the venv's. Here
  ``python3`` always means ``sys.executable -m ipykernel_launcher``.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import importlib.util
import io
import json
import logging
import math
import os
import secrets
import subprocess
import time
import tokenize
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import toolkit
from toolkit.errors import ParameterError, ReportError, one_of

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_OUTPUT_NAME_BYTES",
    "NOTEBOOKS_ENV",
    "PATH_PARAMETERS",
    "NotebookParameter",
    "ReportInfo",
    "ReportResult",
    "find_report",
    "list_reports",
    "notebook_parameters",
    "notebook_timeout",
    "notebooks_dir",
    "run_report",
    "unknown_parameter_error",
]

logger = logging.getLogger(__name__)

NOTEBOOKS_ENV = "TOOLKIT_NOTEBOOKS"
"""Environment variable naming the folder that report names are looked up in."""

PATH_PARAMETERS = frozenset({"corpus", "topics"})
"""Parameter names (besides ``*path``, ``*paths``, ``*_file``, ``*_dir``) treated as paths."""

_PATH_SUFFIXES = ("path", "paths", "_file", "_files", "_dir")

NATIVE_KERNEL = "python3"

# Variables that make plotly pick a renderer other than its Jupyter default
# ("plotly_mimetype"), e.g. when the command is started from a VS Code terminal.
_PLOTLY_RENDERER_ENV = (
    "PLOTLY_RENDERER",
    "VSCODE_PID",
    "COLAB_NOTEBOOK_ID",
    "AZURE_NOTEBOOKS_HOST",
    "NTERACT_EXE",
    "COCALC_PROJECT_ID",
    "DATABRICKS_RUNTIME_VERSION",
)


# --------------------------------------------------------------------------------------------
# Finding reports
# --------------------------------------------------------------------------------------------


def notebooks_dir() -> Path:
    """Return the folder that report names are looked up in.

    ``$TOOLKIT_NOTEBOOKS`` when set, else the ``notebooks/`` folder of the repository the
    ``toolkit`` package was imported from.

    Examples
    --------
    >>> notebooks_dir().name  # doctest: +SKIP
    'notebooks'
    """
    override = os.environ.get(NOTEBOOKS_ENV)
    if override:
        return Path(override).expanduser()
    return Path(toolkit.__file__).resolve().parents[1] / "notebooks"


@dataclass(frozen=True)
class ReportInfo:
    """A report notebook: ``name`` (what the command line accepts), ``path``, ``description``."""

    name: str
    path: Path
    description: str


def _short_name(stem: str) -> str:
    return stem.removesuffix("_report") or stem


def _description(path: Path) -> str:
    try:
        cells = _read_cells(path)
    except ReportError:  # a broken notebook is still listed, so that running it explains why
        return "(cannot read this notebook)"
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                text = line.strip().lstrip("#").strip()
                if text:
                    return text
    return ""


def list_reports(folder: str | Path | None = None) -> list[ReportInfo]:
    """List the report notebooks in ``folder`` (default: :func:`notebooks_dir`).

    The name of ``coverage_report.ipynb`` is ``coverage`` (a ``_report`` suffix is dropped);
    the description is the first line of the notebook's first markdown cell.

    Examples
    --------
    >>> [r.name for r in list_reports()]  # doctest: +SKIP
    ['coverage']
    """
    folder = Path(folder) if folder is not None else notebooks_dir()
    if not folder.is_dir():
        return []
    return [
        ReportInfo(_short_name(path.stem), path.resolve(), _description(path))
        for path in sorted(folder.glob("*.ipynb"))
        if not path.name.startswith((".", "_"))
    ]


def find_report(name_or_path: str | os.PathLike[str]) -> Path:
    """Return the notebook a report name or path refers to.

    A value ending in ``.ipynb`` or containing a path separator is a path. Otherwise it is a
    name looked up in :func:`notebooks_dir`: ``NAME.ipynb``, then ``NAME_report.ipynb``.

    Raises
    ------
    ParameterError
        When no such notebook exists; the message lists the available reports.

    Examples
    --------
    >>> find_report("coverage").name  # doctest: +SKIP
    'coverage_report.ipynb'
    """
    text = os.fspath(name_or_path)
    is_path = (
        isinstance(name_or_path, os.PathLike)
        or text.endswith(".ipynb")
        or os.sep in text
        or (os.altsep is not None and os.altsep in text)
    )
    if is_path:
        path = Path(text).expanduser()
        if path.is_file():
            return path.resolve()
        raise ParameterError(
            "report",
            text,
            "an existing .ipynb notebook or a report name",
            hint=f"No file at {str(path.resolve())!r}.",
        )
    folder = notebooks_dir()
    for candidate in (folder / f"{text}.ipynb", folder / f"{text}_report.ipynb"):
        if text and candidate.is_file():
            return candidate.resolve()
    available = [r.name for r in list_reports(folder)]
    close = difflib.get_close_matches(text, available, n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    hint += (
        f"Reports are looked up in {str(folder)!r} (set {NOTEBOOKS_ENV} to use another folder); "
        "`toolkit report list` shows them."
    )
    expected = one_of(available) if available else "a report name, but that folder has none"
    raise ParameterError("report", text, expected, hint=hint)


# --------------------------------------------------------------------------------------------
# The parameters cell
# --------------------------------------------------------------------------------------------

# A parameter's type, parsed from its annotation: (kind, args). kinds: "any", "str", "int",
# "float", "bool", "none", "list" (element type), "dict" (value type), "literal" (values),
# "union" (member types).
_Type = tuple[str, tuple[Any, ...]]
_ANY: _Type = ("any", ())

_NAME_KINDS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "None": "none",
    "NoneType": "none",
    "list": "list",
    "List": "list",
    "Sequence": "list",
    "tuple": "list",
    "Tuple": "list",
    "dict": "dict",
    "Dict": "dict",
    "Mapping": "dict",
}


def _type_from_node(node: ast.expr) -> _Type:
    if isinstance(node, ast.Constant):
        if node.value is None:
            return ("none", ())
        if isinstance(node.value, str):  # a string annotation: "int"
            try:
                return _type_from_node(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return _ANY
        return _ANY
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([_type_from_node(node.left), _type_from_node(node.right)])
    if isinstance(node, ast.Name | ast.Attribute):
        name = node.id if isinstance(node, ast.Name) else node.attr
        kind = _NAME_KINDS.get(name)
        if kind in ("list", "dict"):
            return (kind, (_ANY,))
        return (kind, ()) if kind else _ANY
    if isinstance(node, ast.Subscript):
        base = node.value
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if name == "Optional":
            return _union([_type_from_node(args[0]), ("none", ())])
        if name == "Union":
            return _union([_type_from_node(a) for a in args])
        if name == "Annotated":
            return _type_from_node(args[0])
        if name == "Literal":
            try:
                return ("literal", tuple(ast.literal_eval(a) for a in args))
            except ValueError:
                return _ANY
        kind = _NAME_KINDS.get(name)
        if kind == "list":
            return ("list", (_type_from_node(args[0]),))
        if kind == "dict":
            return ("dict", (_type_from_node(args[-1]),))
    return _ANY


def _union(members: Sequence[_Type]) -> _Type:
    flat: list[_Type] = []
    for member in members:
        for m in member[1] if member[0] == "union" else (member,):
            if m not in flat:
                flat.append(m)
    if any(m == _ANY for m in flat):
        return _ANY
    return flat[0] if len(flat) == 1 else ("union", tuple(flat))


def _type_of_value(value: object) -> _Type:
    """The type an unannotated parameter is given from its default value."""
    if isinstance(value, bool):
        return ("bool", ())
    if isinstance(value, int):
        return ("int", ())
    if isinstance(value, float):
        return ("float", ())
    if isinstance(value, str):
        return ("str", ())
    if isinstance(value, list | tuple):
        kinds = {_type_of_value(v) for v in value}
        return ("list", (kinds.pop() if len(kinds) == 1 else _ANY,))
    if isinstance(value, dict):
        return ("dict", (_ANY,))
    return _ANY


def _describe(t: _Type) -> str:
    kind, args = t
    if kind == "union":
        return " or ".join(_describe(m) for m in args)
    if kind == "list":
        plural = {"str": "strings", "int": "integers", "float": "numbers", "bool": "booleans"}
        item = args[0]
        if item == _ANY:
            return "a list"
        return f"a list of {plural.get(item[0]) or 'items that are ' + _describe(item)}"
    if kind == "dict":
        return "a JSON object"
    if kind == "literal":
        return one_of(args)
    return {
        "any": "any JSON value",
        "str": "a string",
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "none": "None",
    }[kind]


def _accepts(t: _Type, value: object) -> bool:
    kind, args = t
    if kind == "any":
        return True
    if kind == "union":
        return any(_accepts(m, value) for m in args)
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "none":
        return value is None
    if kind == "list":
        return isinstance(value, list) and all(_accepts(args[0], v) for v in value)
    if kind == "dict":
        return isinstance(value, dict) and all(_accepts(args[0], v) for v in value.values())
    if kind == "literal":
        return any(type(value) is type(v) and value == v for v in args)
    return True


_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})
_NONE = frozenset({"none", "null"})


def _parse_as(t: _Type, raw: str) -> object:
    """Parse command-line text as type ``t``; raise ValueError when it is not one."""
    kind, args = t
    text = raw.strip()
    if kind in ("any", "str"):
        return raw
    if kind == "none":
        if text.lower() in _NONE:
            return None
        raise ValueError
    if kind == "int":
        return int(text)
    if kind == "float":
        number = float(text)
        if not math.isfinite(number):
            raise ValueError
        return number
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError
    if kind == "literal":
        for value in args:
            if (isinstance(value, str) and raw == value) or (
                not isinstance(value, str) and text == json.dumps(value)
            ):
                return value
        raise ValueError
    if kind == "list":
        if text.startswith("["):
            items = json.loads(text)
            if not isinstance(items, list):
                raise ValueError
            return [v if _accepts(args[0], v) else _parse_as(args[0], str(v)) for v in items]
        return [_parse_as(args[0], part.strip()) for part in text.split(",") if part.strip()]
    if kind == "dict":
        value = json.loads(text)
        if not isinstance(value, dict) or not _accepts(t, value):
            raise ValueError
        return value
    if kind == "union":
        members = list(args)
        if ("none", ()) in members and text.lower() in _NONE:
            return None
        members = [m for m in members if m != ("none", ())]
        containers = [m for m in members if m[0] in ("list", "dict")]
        if ("str", ()) in members:
            # A string is always a valid reading; prefer a container only for JSON-looking text.
            if text[:1] in ("[", "{"):
                for member in containers:
                    try:
                        return _parse_as(member, raw)
                    except (ValueError, TypeError):
                        pass
            return raw
        order = ("bool", "int", "float", "literal", "list", "dict")
        for member in sorted(members, key=lambda m: order.index(m[0]) if m[0] in order else 9):
            try:
                return _parse_as(member, raw)
            except (ValueError, TypeError):
                pass
        raise ValueError
    raise ValueError


_NO_DEFAULT = object()


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter of a report, as declared in its ``parameters`` cell.

    The fields match papermill's ``inspect_notebook``: ``name``, ``inferred_type_name`` (the
    annotation's source, or ``"None"`` when there is none), ``default`` (the default's source
    text) and ``help`` (the comment at the end of the line).
    """

    name: str
    inferred_type_name: str
    default: str
    help: str
    _type: _Type = field(default=_ANY, repr=False, compare=False)

    @property
    def default_value(self) -> object:
        """The default as a Python value (``ast.literal_eval``), or the source text."""
        try:
            return ast.literal_eval(self.default)
        except (ValueError, SyntaxError):
            return self.default

    @property
    def type_description(self) -> str:
        """What values the parameter takes, in words (``"a string or None"``)."""
        return _describe(self._type)

    def accepts(self, value: object) -> bool:
        """Whether ``value`` fits the parameter's annotation (unknown annotations accept all)."""
        return _accepts(self._type, value)

    def parse(self, raw: str) -> object:
        """Turn command-line text into a value of the parameter's type.

        The type is the annotation's, or the default value's when there is no annotation:
        ``str`` keeps the text as is (``"007"`` stays ``"007"``), ``int``/``float`` parse numbers,
        ``bool`` takes true/false, yes/no, on/off, 1/0, lists take JSON (``'["a", "b"]'``) or
        comma-separated text (``a,b``), ``None`` is spelled ``none`` or ``null`` where the
        annotation allows it, and dicts take JSON. A parameter of unknown type gets the text.

        Raises
        ------
        ParameterError
            When the text is not a value of that type.

        Examples
        --------
        >>> p = NotebookParameter("n", "int", "3", "", _type=("int", ()))
        >>> p.parse("007")
        7
        """
        try:
            return _parse_as(self._type, raw)
        except (ValueError, TypeError, RecursionError) as exc:
            hint = None
            if isinstance(exc, RecursionError):
                hint = "The text is JSON nested too deeply to read."
            elif isinstance(exc, json.JSONDecodeError):
                hint = f"The text is not valid JSON ({exc.msg})."
            elif "list" in self.type_description:
                hint = 'Write lists as JSON (\'["a", "b"]\') or comma-separated (a,b).'
            raise ParameterError(self.name, raw, self.type_description, hint=hint) from None


def _parameters_cell(cells: list[dict[str, Any]]) -> tuple[int, str] | None:
    """The index and source of the first code cell tagged ``parameters`` (papermill's rule)."""
    for index, cell in enumerate(cells):
        tags = (cell.get("metadata") or {}).get("tags") or []
        if cell.get("cell_type") == "code" and "parameters" in tags:
            return index, _source(cell)
    return None


def _trailing_comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return comments


def _parse_parameters_source(source: str) -> list[NotebookParameter]:
    tree = ast.parse(source)
    comments = _trailing_comments(source)
    found: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            targets = [node.target.id]
            annotation = ast.get_source_segment(source, node.annotation) or ""
            param_type = _type_from_node(node.annotation)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            targets = [t.id for t in node.targets]  # type: ignore[attr-defined]
            annotation = ""
            param_type = None
        else:
            continue
        default = ast.get_source_segment(source, node.value) or ""
        if param_type is None:
            try:
                param_type = _type_of_value(ast.literal_eval(node.value))
            except ValueError:
                param_type = _ANY
        comment = comments.get(node.end_lineno or node.lineno, "")
        for name in targets:
            found[name] = NotebookParameter(
                name=name,
                inferred_type_name=annotation or "None",
                default=default,
                help=comment,
                _type=param_type,
            )
    return list(found.values())


def notebook_parameters(name_or_path: str | os.PathLike[str]) -> dict[str, NotebookParameter]:
    """Return a report's parameters, in the order its ``parameters`` cell declares them.

    Parsed with :mod:`ast`, so annotations papermill's ``inspect_notebook`` skips
    (``str | None``, ``Literal[...]``) are seen too. A notebook without a ``parameters`` cell
    has no parameters.

    Raises
    ------
    ParameterError
        When the report does not exist.
    ReportError
        When the notebook cannot be read or its parameters cell is not valid Python.

    Examples
    --------
    >>> params = notebook_parameters("coverage")  # doctest: +SKIP
    >>> params["freq"].default  # doctest: +SKIP
    '"W"'
    """
    path = find_report(name_or_path)
    located = _parameters_cell(_read_cells(path))
    if located is None:
        return {}
    index, source = located
    try:
        params = _parse_parameters_source(source)
    except SyntaxError as exc:
        raise ReportError(
            f"The parameters cell (cell {index}) of {str(path)!r} is not valid Python: "
            f"{exc.msg} on line {exc.lineno}. Fix the notebook's parameters cell.",
            notebook=path,
        ) from exc
    return {p.name: p for p in params}


def _read_cells(path: Path) -> list[dict[str, Any]]:
    """The notebook's cells, read as plain JSON (nbformat costs a second to import)."""
    try:
        with open(path, encoding="utf-8") as handle:
            cells = json.load(handle)["cells"]
        if not isinstance(cells, list):
            raise TypeError("'cells' is not a list")
        return cells
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(
            f"Cannot read the notebook {str(path)!r}: {type(exc).__name__}: {exc}. "
            "Is it a complete .ipynb file?",
            notebook=path,
        ) from exc


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


# --------------------------------------------------------------------------------------------
# Checking parameters
# --------------------------------------------------------------------------------------------


MAX_PARAMETER_DEPTH = 50
"""How deeply lists and dicts may nest in a parameter value (papermill renders them recursively)."""


def _too_deep(value: object, limit: int = MAX_PARAMETER_DEPTH) -> bool:
    """Whether lists/dicts nest deeper than ``limit``; iterative, so any depth is safe to ask."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | tuple | dict):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _is_json_value(value: object) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_value(v) for k, v in value.items())
    return False


def _is_path_parameter(name: str) -> bool:
    return name in PATH_PARAMETERS or name.endswith(_PATH_SUFFIXES)


def _absolutize(value: object) -> object:
    if isinstance(value, str) and value and "://" not in value:
        return os.path.abspath(os.path.expanduser(value))
    if isinstance(value, list):
        return [_absolutize(v) for v in value]
    return value


def unknown_parameter_error(
    name: str, value: object, params: Mapping[str, NotebookParameter], notebook: Path
) -> ParameterError:
    """The error for a parameter the notebook does not declare (shared with the CLI)."""
    valid = list(params)
    if not valid:
        return ParameterError(
            f"parameters[{name!r}]",
            value,
            "no parameters at all",
            hint=f"{notebook.name} has no cell tagged 'parameters'.",
        )
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"Did you mean {close[0]!r}?" if close else ""
    return ParameterError(
        f"parameters[{name!r}]",
        value,
        f"a parameter of {notebook.name}: {one_of(valid)}",
        hint=(hint + " `toolkit report NAME --help` lists the parameters.").strip(),
    )


def _check_parameters(
    parameters: Mapping[str, object], params: Mapping[str, NotebookParameter], notebook: Path
) -> dict[str, object]:
    checked: dict[str, object] = {}
    for name, value in parameters.items():
        if not isinstance(name, str) or name not in params:
            raise unknown_parameter_error(str(name), value, params, notebook)
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, tuple):
            value = list(value)
        if _too_deep(value):
            raise ParameterError(
                f"parameters[{name!r}]",
                value,
                f"a JSON value whose lists and objects nest at most {MAX_PARAMETER_DEPTH} deep",
            )
        if not _is_json_value(value):
            raise ParameterError(
                f"parameters[{name!r}]",
                value,
                "a JSON value (str, int, float, bool, None, or a list/dict of those)",
                hint="Pass dates as ISO strings such as '2021-11-04', paths as strings, "
                "numpy numbers as int(...)/float(...).",
            )
        param = params[name]
        if not param.accepts(value):
            raise ParameterError(
                f"parameters[{name!r}]",
                value,
                f"{param.type_description} (the notebook declares "
                f"`{name}: {param.inferred_type_name}`)",
            )
        if _is_path_parameter(name):
            value = _absolutize(value)
            # Inputs must exist: better a clear error now than a failed cell in a kernel.
            if name in PATH_PARAMETERS:
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item and not os.path.exists(item):
                        raise ParameterError(name, item, "an existing file or folder",
                                             hint="Relative paths are taken from the folder the command runs in.")
        checked[name] = value
    _check_date_range(checked)
    return checked


def _check_date_range(parameters: Mapping[str, object]) -> None:
    """Reports that take ``start``/``end`` get them checked like ``select_articles`` would."""
    if "start" not in parameters and "end" not in parameters:
        return
    from toolkit.dates import parse_bounds

    start, end = parameters.get("start"), parameters.get("end")
    parse_bounds(start if isinstance(start, str) else None, end if isinstance(end, str) else None)


# --------------------------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------------------------


def _kernel_manager_class(extra_env: Mapping[str, str] | None = None) -> type:
    """An AsyncKernelManager whose ``python3`` is always this interpreter's ipykernel.

    ``extra_env`` is added to the kernel's environment (not to this process's, so that
    concurrent runs cannot see each other's values).
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class PinnedKernelSpecManager(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> Any:
            if kernel_name == NATIVE_KERNEL:
                from ipykernel.kernelspec import RESOURCES, get_kernel_dict

                # argv[0] is sys.executable: the environment running the report.
                return self.kernel_spec_class(resource_dir=RESOURCES, **get_kernel_dict())
            return super().get_kernel_spec(kernel_name)

    class ReportKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _pinned_kernel_spec_manager(self) -> KernelSpecManager:
            return PinnedKernelSpecManager(data_dir=self.data_dir)

        @default("transport_encryption")
        def _encrypt_when_possible(self) -> str:
            # CurveZMQ where pyzmq has it; ipykernel also stops warning about plain-text TCP.
            import zmq

            return "auto" if zmq.has("curve") else "disabled"

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            kw["env"] = _kernel_env(kw.get("env"), native=self.kernel_name == NATIVE_KERNEL)
            kw["env"].update(extra_env or {})
            # What the kernel process writes to its own fd 1 (os.system, C libraries) would
            # otherwise land in our stdout, where the CLI prints only the HTML path.
            kw.setdefault("stdout", _stderr_fd())
            return await super()._async_pre_start_kernel(**kw)

    return ReportKernelManager


def _stderr_fd() -> int:
    try:
        os.fstat(2)
    except OSError:
        return subprocess.DEVNULL
    return 2


def _kernel_env(base: Mapping[str, str] | None, *, native: bool) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for name in _PLOTLY_RENDERER_ENV:
        env.pop(name, None)
    # ipykernel's debugger warns about frozen modules on every start; it is noise in a report run.
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if native:
        # The kernel imports the same toolkit as the runner, even from an uninstalled checkout.
        package_root = str(Path(toolkit.__file__).resolve().parents[1])
        existing = env.get("PYTHONPATH")
        env["PYTHONPATH"] = package_root + (os.pathsep + existing if existing else "")
    return env


def _check_kernel(kernel_name: str, report: str) -> None:
    from jupyter_client.kernelspec import NoSuchKernel

    manager = _kernel_manager_class()(kernel_name=kernel_name)
    try:
        manager.kernel_spec  # noqa: B018 - resolving the spec is the check
    except NoSuchKernel as exc:
        raise ReportError(_no_such_kernel_message(report, kernel_name, manager)) from exc


def _no_such_kernel_message(report: str, kernel_name: str, manager: Any = None) -> str:
    names: list[str] = [NATIVE_KERNEL]
    if manager is not None:
        try:
            names += sorted(set(manager.kernel_spec_manager.find_kernel_specs()) - {NATIVE_KERNEL})
        except Exception:  # listing is only for the message
            pass
    return (
        f"Report {report!r} cannot run: kernel_name={kernel_name!r} is not an installed Jupyter "
        f"kernel; expected {one_of(names)}. Use 'python3' (this environment's own Python)."
    )


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportResult:
    """What :func:`run_report` produced.

    ``notebook`` is the executed notebook and ``html`` the exported page (both absolute);
    ``source`` the notebook that was run; ``parameters`` the values passed (after path
    resolution); ``duration`` the wall time in seconds, export included; ``manifest`` the
    run manifest written beside them (``<name>.manifest.json``; None with ``manifest=False``);
    ``static`` the PNG/SVG/PDF files written for ``formats`` (see :mod:`toolkit.static`).
    """

    name: str
    source: Path
    notebook: Path
    html: Path
    parameters: Mapping[str, object]
    duration: float
    manifest: Path | None = None
    static: tuple[Path, ...] = ()


def _literal_default(param: NotebookParameter | None) -> object:
    if param is None:
        return None
    try:
        return ast.literal_eval(param.default)
    except (ValueError, SyntaxError):
        return None


# Longest output stem, in UTF-8 bytes: the longest file written is
# ".<stem>.<12 hex>.part.manifest.json" (36 bytes besides the stem) and most file systems
# allow 255 bytes per name.
MAX_OUTPUT_NAME_BYTES = 200

# Names Windows reserves for devices in any folder and with any extension: a report folder
# copied to a Windows share must still open.
_RESERVED_STEMS = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"{dev}{n}" for dev in ("com", "lpt") for n in [*"123456789", "\u00b9", "\u00b2", "\u00b3"]}
)


def _output_name_problem(output_name: object) -> str | None:
    """Why ``output_name`` is not a safe file stem, or None when it is."""
    if not isinstance(output_name, str) or not output_name.strip():
        return "It is empty."
    if any(sep in output_name for sep in ("/", "\\", os.sep)) or os.path.isabs(output_name):
        return "It holds a folder separator; outputs are always written inside out=."
    if output_name.startswith("."):
        return "A leading dot hides the file (and '..' names the parent folder)."
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in output_name):
        return "It holds a control character (NUL, newline, tab, ...)."
    if any(ch in '<>:"|?*' for ch in output_name):
        return 'It holds one of <>:"|?*, which Windows does not allow in file names.'
    if output_name != output_name.strip() or output_name.endswith("."):
        return "It starts or ends with a space, or ends with a dot."
    if output_name.endswith((".ipynb", ".html")):
        return "It ends with an extension; the outputs' extensions are added for you."
    try:
        size = len(output_name.encode("utf-8"))
    except UnicodeEncodeError:
        return "It is not valid Unicode (a lone surrogate)."
    if size > MAX_OUTPUT_NAME_BYTES:
        return f"It is {size} bytes long in UTF-8; at most {MAX_OUTPUT_NAME_BYTES} fit in a file name."
    if output_name.split(".")[0].strip().lower() in _RESERVED_STEMS:
        return "Windows reserves that name for a device."
    return None


def _check_output_name(output_name: str) -> str:
    problem = _output_name_problem(output_name)
    if problem is not None:
        raise ParameterError(
            "output_name",
            output_name,
            "a plain file stem such as 'coverage_2021' (no folder, no extension, no leading dot)",
            hint=f"{problem} Choose the folder with out=.",
        )
    return output_name


def _pm_path(path: Path) -> str:
    # papermill runs str.format(**parameters) over paths; braces must survive it.
    return str(path).replace("{", "{{").replace("}", "}}")


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return "(empty cell)"


class _CellTracker:
    """nbclient ``on_cell_start`` hook: remembers which cell is running."""

    def __init__(self) -> None:
        self.index: int | None = None
        self.source = ""

    def __call__(self, cell: Any, cell_index: int, **_: Any) -> None:
        self.index = cell_index
        self.source = cell.get("source", "")


def run_report(
    name_or_path: str | os.PathLike[str],
    *,
    parameters: Mapping[str, object] | None = None,
    out: str | Path = "reports",
    output_name: str | None = None,
    kernel_name: str = NATIVE_KERNEL,
    timeout: int | None | Literal["auto"] = "auto",
    progress: bool = False,
    manifest: bool = True,
    formats: str | Sequence[str] = ("html",),
) -> ReportResult:
    """Execute a report notebook with papermill and export it to offline HTML.

    Writes ``<out>/<output_name>.ipynb`` (the executed notebook),
    ``<out>/<output_name>.html`` (one self-contained file: code hidden, plotly.js inlined once,
    no CDN scripts; see :func:`toolkit.export.export_html`) and
    ``<out>/<output_name>.manifest.json`` (the run manifest, see :mod:`toolkit.manifest`; it is
    also appended to the notebook and the HTML as a last "Run manifest" section). All are
    written to temporary files in ``out`` and moved into place only when everything succeeded.

    Parameters
    ----------
    name_or_path : str or PathLike
        A report name (``"coverage"`` or ``"coverage_report"`` for
        ``notebooks/coverage_report.ipynb``; see :func:`find_report`) or a notebook path.
    parameters : Mapping, optional
        Values for the notebook's ``parameters`` cell. Names must be declared there; values
        must be JSON types (str, int, float, bool, None, lists and dicts of those; dates as ISO
        strings; ``Path`` objects become strings) and fit the declared annotation.
        The kernel runs in the notebook's own folder, so **paths are made absolute**: for a
        parameter named ``corpus`` or ``topics``, or whose name ends in ``path``, ``paths``,
        ``_file``, ``_files`` or ``_dir``, every string (or string in a list) is taken relative
        to the *current* directory and replaced by its absolute path, ``~`` expanded, whether
        or not it exists yet (output files too). Strings containing ``://`` (URLs) and the
        values of all other parameters are passed unchanged.
    out : str or Path, default "reports"
        Output folder, created when missing.
    output_name : str, optional
        File stem of the outputs. Default: the notebook's stem (``coverage_report``).
    kernel_name : str, default "python3"
        ``python3`` is always this environment's interpreter (``sys.executable`` with its
        ipykernel), never a ``python3`` kernelspec registered elsewhere. Other names are looked
        up among the installed Jupyter kernels.
    timeout : int, None or "auto", default "auto"
        Seconds one cell may run; ``None`` for no limit. ``"auto"``: the notebook's own
        default, ``metadata.toolkit.timeout`` in the .ipynb (a positive integer), else
        :data:`DEFAULT_TIMEOUT` (1800 s).
    progress : bool, default False
        Show papermill's progress bar (on stderr).
    manifest : bool, default True
        Write the run manifest and append it to the report. The notebook contributes its load
        report by calling :func:`toolkit.manifest.record_for_manifest` (the runner passes it a
        temporary file through ``$TOOLKIT_MANIFEST_RECORD``); without that call the manifest
        fingerprints the ``corpus`` parameter and has no load report.
    formats : str or sequence of str, default ("html",)
        Outputs besides the HTML, which is always written: ``"png"``/``"svg"`` (every figure,
        drawn by kaleido with Debian's ``chromium``, into ``<out>/<output_name>_figures/``) and
        ``"pdf"`` (the HTML page printed by headless Chromium); ``"html,png,pdf"`` as the command
        line spells it. Checked before any kernel starts: a missing Chromium or kaleido is a
        :class:`ReportError` then, not after the run. See :func:`toolkit.static.export_static`.

    Returns
    -------
    ReportResult

    Raises
    ------
    ParameterError
        Unknown report, unknown parameter name (the message lists the valid ones), a value that
        is not JSON or does not fit the annotation, or a bad ``output_name``/``timeout``. Raised
        before any kernel starts.
    ReportError
        The notebook failed: the message names the report, the failing cell (0-based index in
        the source notebook and its first line), the exception, and where the partly executed
        notebook was kept (``<out>/<output_name>.failed.ipynb``). No ``.html``/``.ipynb`` of
        this name is left in ``out`` after a failure (outputs of an earlier run are removed, so
        that they cannot be mistaken for this run's). Also raised for a missing kernel, a cell
        timeout, a dead kernel, a failed export, and a full disk or a folder that stops taking
        files during the run (the message names the errno, e.g. ``ENOSPC``). An output folder
        that cannot be written at all is a :class:`ParameterError` before any kernel starts.

    Examples
    --------
    >>> result = run_report(
    ...     "coverage",
    ...     parameters={"corpus": "data/sample", "topics": "data/topics/example.yaml"},
    ...     out="reports",
    ... )  # doctest: +SKIP
    >>> result.html.name  # doctest: +SKIP
    'coverage_report.html'
    """
    started = time.perf_counter()
    source = find_report(name_or_path)
    report = source.stem
    params = notebook_parameters(source)
    checked = _check_parameters(dict(parameters or {}), params, source)
    if timeout == "auto":
        timeout = notebook_timeout(source)
    elif timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0
    ):
        raise ParameterError(
            "timeout", timeout, "a positive whole number of seconds, None, or 'auto'"
        )
    name = _check_output_name(output_name if output_name is not None else source.stem)
    out_dir = Path(out).expanduser().resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError("out", str(out), "a folder", hint="That path is a file.")
    _check_kernel(kernel_name, report)
    static_formats = _check_static(formats)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(
            "out", str(out), "a folder that exists or can be created",
            hint=f"Report {report!r} cannot write there: {_os_error_text(exc)}",
        ) from exc
    _check_writable(out_dir, out, report)

    final_ipynb = out_dir / f"{name}.ipynb"
    final_html = out_dir / f"{name}.html"
    final_manifest = out_dir / f"{name}.manifest.json"
    failed_ipynb = out_dir / f"{name}.failed.ipynb"
    token = secrets.token_hex(6)
    tmp_ipynb = out_dir / f".{name}.{token}.part.ipynb"
    tmp_html = out_dir / f".{name}.{token}.part.html"
    tmp_manifest = out_dir / f".{name}.{token}.part.manifest.json"
    tmp_record = out_dir / f".{name}.{token}.record.json"

    # A string parameter named "title" (passed or default) is the page title.
    title = checked["title"] if "title" in checked else _literal_default(params.get("title"))
    tracker = _CellTracker()
    logger.info("running report %s (%s) with %s", report, source, checked)
    from toolkit.manifest import RECORD_ENV

    started_at = dt.datetime.now(dt.UTC)
    try:
        try:
            _execute(source, tmp_ipynb, checked, kernel_name, timeout, progress, tracker,
                     env={RECORD_ENV: str(tmp_record)} if manifest else None)
        except BaseException as exc:
            kept = _keep_failed(tmp_ipynb, failed_ipynb, final_ipynb, final_html, final_manifest)
            error = _execution_error(exc, report, source, params, checked, tracker, kept, timeout)
            if error is None and isinstance(exc, OSError):
                error = _write_error(exc, report, "while running (saving the notebook)",
                                     kept, tracker=tracker, source=source,
                                     injected=bool(checked))
            if error is None:
                raise
            raise error from exc
        finished_at = dt.datetime.now(dt.UTC)
        if manifest:
            try:
                _write_manifest(
                    report=name, source=source, parameters=checked, kernel_name=kernel_name,
                    started=started_at, finished=finished_at, record=tmp_record,
                    notebook=tmp_ipynb, target=tmp_manifest,
                    outputs={"ipynb": final_ipynb, "html": final_html, "manifest": final_manifest},
                )
            except Exception as exc:
                kept = _keep_failed(tmp_ipynb, failed_ipynb, final_ipynb, final_html, final_manifest)
                if isinstance(exc, OSError):
                    raise _write_error(exc, report, "after it ran, writing its run manifest",
                                       kept) from exc
                raise ReportError(
                    f"Report {report!r} ran, but writing its run manifest failed: "
                    f"{type(exc).__name__}: {exc} The executed notebook was kept at {str(kept)!r}; "
                    "run again with manifest=False to skip the manifest.",
                    notebook=kept,
                ) from exc
        try:
            from toolkit.export import export_html

            export_html(
                tmp_ipynb,
                tmp_html,
                hide_code=True,
                title=title if isinstance(title, str) and title else None,
                base_dir=source.parent,
            )
        except BaseException as exc:
            kept = _keep_failed(tmp_ipynb, failed_ipynb, final_ipynb, final_html, final_manifest)
            if not isinstance(exc, Exception):
                raise
            if isinstance(exc, OSError):
                raise _write_error(exc, report, "after it ran, exporting it to HTML", kept) from exc
            raise ReportError(
                f"Report {report!r} ran, but exporting it to HTML failed: {exc} "
                f"The executed notebook was kept at {str(kept)!r}.",
                notebook=kept,
            ) from exc
        _record_output_path(tmp_ipynb, final_ipynb)
        try:
            # The HTML is what people open: it goes last, so that it never stands beside an
            # older run's notebook or manifest.
            final_html.unlink(missing_ok=True)
            os.replace(tmp_ipynb, final_ipynb)
            if manifest:
                os.replace(tmp_manifest, final_manifest)
            else:
                final_manifest.unlink(missing_ok=True)  # an earlier run's, not this one's
            os.replace(tmp_html, final_html)
            failed_ipynb.unlink(missing_ok=True)
        except OSError as exc:
            if not tmp_ipynb.exists() and final_ipynb.exists():
                with suppress(OSError):  # already moved: keep it as the failed notebook
                    os.replace(final_ipynb, tmp_ipynb)
            kept = _keep_failed(tmp_ipynb, failed_ipynb, final_ipynb, final_html, final_manifest)
            raise _write_error(exc, report, "after it ran, moving its outputs into place",
                               kept) from exc
    finally:
        for tmp in (tmp_ipynb, tmp_html, tmp_manifest, tmp_record):
            tmp.unlink(missing_ok=True)

    static: list[Path] = []
    if static_formats:
        from toolkit.static import export_static

        try:
            static = export_static(final_ipynb, out_dir, formats=static_formats, html=final_html)
        except Exception as exc:
            raise ReportError(
                f"Report {report!r} ran and its HTML is complete at {str(final_html)!r}, but the "
                f"static export ({', '.join(static_formats)}) failed: {exc}",
                notebook=final_ipynb,
            ) from exc
    duration = time.perf_counter() - started
    logger.info("report %s done in %.1f s: %s", report, duration, final_html)
    return ReportResult(
        name=name,
        source=source,
        notebook=final_ipynb,
        html=final_html,
        parameters=MappingProxyType(dict(checked)),
        duration=duration,
        manifest=final_manifest if manifest else None,
        static=tuple(static),
    )


DEFAULT_TIMEOUT = 1800
"""Seconds one cell may run when neither the caller nor the notebook says otherwise."""


def notebook_timeout(name_or_path: str | os.PathLike[str]) -> int:
    """The cell time limit a report asks for: ``metadata.toolkit.timeout`` in its .ipynb.

    :data:`DEFAULT_TIMEOUT` (1800 s) when the notebook does not set one. ``run_report`` uses
    it for ``timeout="auto"`` (the default; the command line's default too).

    Raises
    ------
    ReportError
        When the metadata holds something other than a positive whole number of seconds.

    Examples
    --------
    >>> notebook_timeout("coverage")  # doctest: +SKIP
    1800
    """
    path = find_report(name_or_path)
    try:
        with open(path, encoding="utf-8") as handle:
            metadata = json.load(handle).get("metadata") or {}
    except (OSError, ValueError, AttributeError) as exc:
        raise ReportError(
            f"Cannot read the notebook {str(path)!r}: {type(exc).__name__}: {exc}. "
            "Is it a complete .ipynb file?",
            notebook=path,
        ) from exc
    section = metadata.get("toolkit") if isinstance(metadata, dict) else None
    value = section.get("timeout") if isinstance(section, dict) else None
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ReportError(
            f"The notebook {str(path)!r} sets metadata.toolkit.timeout={value!r}; expected a "
            "positive whole number of seconds. Fix the notebook's metadata or pass a timeout.",
            notebook=path,
        )
    return value


def _os_error_text(exc: OSError) -> str:
    """``[Errno 28] No space left on device (ENOSPC): '/path'`` with the errno's name."""
    import errno

    code = errno.errorcode.get(exc.errno or 0)
    text = exc.strerror or str(exc)
    if code:
        text += f" ({code})"
    if exc.filename:
        text += f": {os.fspath(exc.filename)!r}"
    return text + "."


def _check_writable(out_dir: Path, out: str | Path, report: str) -> None:
    """Fail before any kernel starts when ``out_dir`` does not take new files."""
    probe = out_dir / f".toolkit-write-test.{secrets.token_hex(6)}"
    try:
        with open(probe, "x", encoding="utf-8") as handle:
            handle.write("ok")
    except OSError as exc:
        raise ParameterError(
            "out",
            str(out),
            "a folder this user can write to",
            hint=f"Report {report!r} cannot write its outputs there: {_os_error_text(exc)} "
            "Nothing was run; choose another folder with --out (out=).",
        ) from exc
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass


def _write_error(
    exc: OSError,
    report: str,
    stage: str,
    kept: Path | None,
    *,
    tracker: _CellTracker | None = None,
    source: Path | None = None,
    injected: bool = False,
) -> ReportError:
    """The message for a file-system failure (disk full, permission denied) in a run."""
    where = ""
    if tracker is not None and tracker.index is not None and source is not None:
        try:
            located = _parameters_cell(_read_cells(source))
        except ReportError:
            located = None
        index = _source_index(tracker.index, located[0] if located else None, injected)
        where = (f" (the last cell run was cell {index} of {source.name}, counting from 0, "
                 f"which starts with {_first_line(tracker.source)!r})")
    advice = ("Free some space on that disk" if exc.errno == 28 else
              "Check that the folder is writable" if exc.errno in (1, 13, 30) else
              "Check the output folder")
    if kept is None:
        kept_text = "No executed notebook could be kept."
    elif _is_complete_notebook(kept):
        kept_text = f"The executed notebook was kept at {str(kept)!r}."
    else:
        kept_text = (f"What was saved of the notebook was kept at {str(kept)!r}, but it is "
                     "incomplete (cut off when the write failed).")
    return ReportError(
        f"Report {report!r} failed {stage}{where}: {type(exc).__name__}: {_os_error_text(exc)} "
        f"{kept_text} No HTML was written. {advice} and run the report again.",
        notebook=kept,
    )


def _is_complete_notebook(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return isinstance(json.load(handle).get("cells"), list)
    except (OSError, ValueError, AttributeError):
        return False


def _check_static(formats: str | Sequence[str]) -> tuple[str, ...]:
    """The static formats asked for besides HTML, with what they need checked up front."""
    from toolkit.static import _check_formats, chromium_path

    wanted = _check_formats(formats)
    if wanted:
        chromium_path()  # ReportError naming the Debian package when it is missing
        if {"png", "svg"} & set(wanted) and importlib.util.find_spec("kaleido") is None:
            raise ReportError(
                "PNG/SVG export needs kaleido 1.x, which is not installed: "
                "pip install 'media-coverage-toolkit[static]'. The HTML report does not need it."
            )
    return wanted


def _write_manifest(
    *,
    report: str,
    source: Path,
    parameters: Mapping[str, object],
    kernel_name: str,
    started: dt.datetime,
    finished: dt.datetime,
    record: Path,
    notebook: Path,
    target: Path,
    outputs: Mapping[str, Path],
) -> None:
    """Build the run manifest, write it to ``target`` and append it to the executed notebook."""
    import nbformat

    from toolkit.manifest import build_manifest, manifest_markdown, read_record, write_manifest

    data = build_manifest(
        report=report, parameters=parameters, notebook=source, kernel=kernel_name,
        started=started, finished=finished, record=read_record(record), outputs=outputs,
    )
    write_manifest(data, target)
    nb = nbformat.read(notebook, as_version=4)
    cell = nbformat.v4.new_markdown_cell(manifest_markdown(data))
    cell.metadata["tags"] = ["toolkit-manifest"]
    nb.cells.append(cell)
    nbformat.write(nb, notebook)


def _execute(
    source: Path,
    output: Path,
    parameters: dict[str, object],
    kernel_name: str,
    timeout: int | None,
    progress: bool,
    tracker: _CellTracker,
    env: Mapping[str, str] | None = None,
) -> None:
    import papermill

    for attempt in range(_KERNEL_START_ATTEMPTS):
        try:
            with _quiet_unknown_parameter_warnings():
                papermill.execute_notebook(
                    _pm_path(source),
                    _pm_path(output),
                    parameters=parameters,
                    kernel_name=kernel_name,
                    language="python",
                    progress_bar=progress,
                    log_output=False,
                    start_timeout=60,
                    execution_timeout=timeout,
                    # nbclient starts the kernel in resources.metadata.path; papermill's cwd= would
                    # chdir this whole process instead.
                    resources={"metadata": {"path": str(source.parent)}},
                    kernel_manager_class=_kernel_manager_class(env),
                    on_cell_start=tracker,
                )
            return
        except RuntimeError as exc:
            # jupyter_client picks free ports by binding and releasing them, so two kernels started
            # at once (a batch) can pick the same port and one dies before any cell ran: start
            # it again. A kernel that dies once cells ran is the report's failure, not retried.
            if tracker.index is not None or "before replying to kernel_info" not in str(exc):
                raise
            if attempt == _KERNEL_START_ATTEMPTS - 1:
                raise
            logger.warning("the kernel of %s died while starting (%s); starting it again", source.name, exc)


#: Kernel starts tried before a report fails (see _execute: a port taken by a kernel started at once).
_KERNEL_START_ATTEMPTS = 3


class _InspectionNoiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        # The first two come from papermill's own parameter inspection; the others are said
        # again, with the report, the cell and the kept notebook, by the ReportError.
        return not message.startswith(("Passed unknown parameter", "Unable to parse line",
                                       "Timeout waiting for execute reply",
                                       "Kernel died while waiting for execute reply"))


@contextmanager
def _quiet_unknown_parameter_warnings() -> Iterator[None]:
    """Drop papermill's warnings from its own parameter inspection.

    The parameters were checked against the ast-parsed cell already; papermill's line regex
    cannot read declarations like ``x: str | None = None`` and warns about valid parameters.
    """
    loggers = [logging.getLogger("papermill"), logging.getLogger("papermill.translators")]
    noise = _InspectionNoiseFilter()
    for pm_logger in loggers:
        pm_logger.addFilter(noise)
    try:
        yield
    finally:
        for pm_logger in loggers:
            pm_logger.removeFilter(noise)


def _record_output_path(notebook: Path, final: Path) -> None:
    """Make the notebook's papermill metadata name its final path, not the temporary one."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
        nb.metadata.setdefault("papermill", {})["output_path"] = str(final)
        nbformat.write(nb, notebook)
    except Exception as exc:  # provenance only; never worth a second error
        logger.info("could not record the output path in %s: %s", notebook, exc)


def _keep_failed(tmp: Path, failed: Path, *stale: Path) -> Path | None:
    """Remove the final outputs of an earlier run and keep ``tmp`` as ``failed``.

    Never raises: it runs while another error is being reported (a full disk, a folder that
    turned read-only), which must not be masked. Returns where the notebook was kept, or None.
    """
    for path in stale:
        with suppress(OSError):
            path.unlink(missing_ok=True)
    if tmp.exists():
        _record_output_path(tmp, failed)
        try:
            os.replace(tmp, failed)
        except OSError:
            logger.warning("could not keep the failed notebook %s as %s", tmp, failed,
                           exc_info=True)
            return None  # the caller's clean-up removes tmp: no half-named leftovers
        return failed
    with suppress(OSError):
        failed.unlink(missing_ok=True)
    return None


def _source_index(exec_index: int | None, params_cell: int | None, injected: bool) -> int | None:
    """Map a cell index of the executed notebook back to the source notebook."""
    if exec_index is None:
        return None
    if injected and params_cell is not None and exec_index > params_cell:
        # papermill inserts the injected-parameters cell right after the parameters cell.
        return exec_index - 1
    return exec_index


def _execution_error(
    exc: BaseException,
    report: str,
    source: Path,
    params: Mapping[str, NotebookParameter],
    parameters: Mapping[str, object],
    tracker: _CellTracker,
    kept: Path | None,
    timeout: int | None,
) -> ReportError | None:
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, NoSuchKernel):
        return ReportError(_no_such_kernel_message(report, exc.name), notebook=kept)
    if isinstance(exc, PapermillExecutionError):
        ename, evalue, cell_source = exc.ename, exc.evalue, exc.source
        exec_index: int | None = exc.cell_index
        hint = "the failing cell's output holds the full traceback"
    elif isinstance(exc, CellTimeoutError):
        ename, evalue, cell_source = type(exc).__name__, _first_line(str(exc)), tracker.source
        exec_index = tracker.index
        hint = (
            f"the cell ran longer than timeout={timeout} s; raise the timeout "
            "(timeout=, --timeout, or the notebook's metadata.toolkit.timeout) or make the "
            "cell faster"
        )
    elif isinstance(exc, DeadKernelError):
        ename, evalue, cell_source = type(exc).__name__, _first_line(str(exc)), tracker.source
        exec_index = tracker.index
        hint = "the kernel process died (out of memory? a crash in compiled code? os._exit?)"
    else:
        return None

    located = _parameters_cell(_read_cells(source))
    index = _source_index(exec_index, located[0] if located else None, bool(parameters))
    if index is None:
        where = "before any cell ran"
    elif located is not None and bool(parameters) and exec_index == located[0] + 1:
        where = "in the cell papermill injected with the parameters"
    else:
        where = (
            f"in cell {index} of {source.name} (counting from 0; it starts with "
            f"{_first_line(cell_source)!r})"
        )
    evalue = str(evalue).strip()
    if not evalue.endswith((".", "!", "?")):
        evalue += "."
    kept_text = (
        f"The partly executed notebook was kept at {str(kept)!r}; {hint}."
        if kept is not None
        else f"No executed notebook was written; {hint}."
    )
    message = (
        f"Report {report!r} failed {where}: {ename}: {evalue} {kept_text} No HTML was written."
    )
    return ReportError(message, notebook=kept)
