"""The toolkit's exceptions.

Every error the toolkit raises on purpose is a :class:`ToolkitError`. Messages name the bad
value, say what would have been valid and suggest a fix, so that a notebook user can act on
them without reading the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class ToolkitError(Exception):
    """Base class of every error raised on purpose by the toolkit."""


class ParameterError(ToolkitError, ValueError):
    """A function or command was called with an argument it cannot use."""

    def __init__(self, name: str, value: object, expected: str, *, hint: str | None = None):
        self.name = name
        self.value = value
        self.expected = expected
        message = f"{name}={value!r} is not valid: expected {expected}."
        if hint:
            message += f" {hint}"
        super().__init__(message)


class LoadError(ToolkitError):
    """An input file (or one record in it) could not be read.

    ``path`` is the file, ``line`` the 1-based line or row number when known, ``reason`` a
    short human-readable explanation.
    """

    def __init__(self, path: str | Path, reason: str, *, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = self.path if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {reason}")


class SchemaError(ToolkitError, ValueError):
    """A table does not have the columns or types a function needs."""


class TopicsError(ToolkitError, ValueError):
    """A topic dictionary is malformed."""


class ReportError(ToolkitError):
    """A report could not be run or exported.

    ``exit_code`` is the process exit code the command line uses for it.
    """

    exit_code = 3

    def __init__(self, message: str, *, notebook: str | Path | None = None):
        self.notebook = None if notebook is None else str(notebook)
        super().__init__(message)


def one_of(values: Iterable[object]) -> str:
    """Format valid values for an error message: ``one of 'a', 'b', 'c'``."""
    return "one of " + ", ".join(repr(v) for v in values)
