"""Readers and the registry that maps formats, file suffixes and sniffers to them.

A reader is a function ``read(path, ctx) -> Iterable[dict]``. Each dict is one article with
canonical column names (``title``, ``text``, ``published``, ``outlet``, ``byline``, ``url``,
...; see ``toolkit.schema``) plus optionally ``source_line`` (1-based line or row) and
``record_id`` (the source's own id, used to build a stable ``doc_id``). ``published`` may be a
string, a ``datetime``/``Timestamp`` (aware or naive) or ``None``: ``load_corpus`` parses and
converts it to UTC in one place. A reader raises :class:`toolkit.errors.LoadError` when the whole
file is unusable and calls ``ctx.skip_record(line, reason)`` for a bad record it passes over.

Example: a reader for a home-made format, registered from a notebook::

    from toolkit.load import register_reader

    def read_memo(path, ctx):
        title, _, body = ctx.read_text(path).partition("\\n---\\n")
        yield {"title": title.strip(), "text": body.strip()}

    register_reader("memo", read_memo, suffixes=[".memo"])
    load_corpus("memos/", format="memo")
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from toolkit.errors import LoadError, ParameterError, one_of

Record = dict[str, Any]


@dataclass
class ReadContext:
    """What a reader knows about the file it reads and how to report trouble.

    Attributes
    ----------
    root
        The folder (or the file) given to ``load_corpus`` that this file was found under.
    columns
        User column mapping, canonical name -> source column name (tabular readers).
    errors
        ``"skip"`` or ``"raise"``: what ``skip_record`` does.
    metadata
        Values from ``corpus.yaml`` sidecar files above this file, merged (``outlet``, ``tz``,
        ``lang``, ``desks``, ...), plus ``load_corpus`` arguments that apply to every file.
    options
        Extra keyword arguments given to ``load_corpus`` for the reader.
    """

    path: Path
    root: Path
    columns: Mapping[str, str | None] = field(default_factory=dict)
    errors: Literal["skip", "raise"] = "skip"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def skip_record(self, line: int | None, reason: str) -> None:
        """Pass over one bad record: recorded in the load report, or raised when errors='raise'."""
        if self.errors == "raise":
            raise LoadError(self.path, reason, line=line)
        self.skipped.append({"path": str(self.path), "line": line, "reason": reason})

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to a named counter shown in the load report."""
        self.counts[key] += n

    def read_text(self, path: Path | None = None) -> str:
        """The file's text, decoded by evidence (see ``toolkit.load.decode``)."""
        from toolkit.load.decode import read_text

        return read_text(self.path if path is None else path, self)


ReadFunction = Callable[[Path, ReadContext], Iterable[Record]]
SniffFunction = Callable[[Path, bytes], bool]


@dataclass(frozen=True)
class Reader:
    """A registered reader: its ``name`` (the ``format=`` value), the function, the file
    suffixes it claims, an optional ``sniff(path, head_bytes) -> bool`` for files whose suffix
    is ambiguous, and a one-line description."""

    name: str
    read: ReadFunction
    suffixes: tuple[str, ...] = ()
    sniff: SniffFunction | None = None
    description: str = ""


_READERS: dict[str, Reader] = {}


def register_reader(
    name: str,
    read: ReadFunction,
    *,
    suffixes: Iterable[str] = (),
    sniff: SniffFunction | None = None,
    description: str = "",
    replace: bool = False,
) -> Reader:
    """Register ``read`` as the reader for ``format=name`` (and for files with ``suffixes``).

    Sniffers of readers registered later are tried first, so a user's reader can claim files
    that a built-in one would also take. Re-registering a name needs ``replace=True``.
    """
    if not name or not isinstance(name, str):
        raise ParameterError("name", name, "a non-empty string")
    if name in _READERS and not replace:
        raise ParameterError(
            "name", name, "a format name not yet registered",
            hint=f"Pass replace=True to replace the existing {name!r} reader.",
        )
    norm = tuple(s.lower() if s.startswith(".") else "." + s.lower() for s in suffixes)
    reader = Reader(name, read, norm, sniff, description)
    _READERS[name] = reader
    return reader


def readers() -> dict[str, Reader]:
    """The registered readers by name (a copy)."""
    return dict(_READERS)


def get_reader(name: str) -> Reader:
    try:
        return _READERS[name]
    except KeyError:
        raise ParameterError("format", name, one_of(sorted(_READERS)),
                             hint="Register your own with toolkit.load.register_reader().") from None


def reader_for(path: Path, head: bytes) -> Reader | None:
    """The reader for a file: a sniffer that claims it (latest registered first), else the
    reader registered for its suffix, else ``None``."""
    for reader in reversed(list(_READERS.values())):
        if reader.sniff is not None and reader.sniff(path, head):
            return reader
    # Longest suffix first, so ".html.gz" is not taken for some other reader's ".gz".
    name = path.name.lower()
    best: tuple[int, Reader] | None = None
    for reader in reversed(list(_READERS.values())):
        for suffix in reader.suffixes:
            if name.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), reader)
    return best[1] if best else None
