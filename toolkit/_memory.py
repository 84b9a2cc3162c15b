"""Handing memory that the toolkit freed back to the operating system.

Arrow's allocator (mimalloc) and glibc's ``malloc`` keep freed blocks for reuse, one heap per
thread. After a big count or a Dask partition task those blocks still count in the process's
resident memory: a notebook's peak grows with its history, and Dask counts them as "unmanaged
memory", so that a worker with a limit near its needs pauses or warns. :func:`release_memory`
returns them: Arrow's pool, then glibc's heaps (``malloc_trim``; skipped where the C library has
none, such as macOS, Windows or musl).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


def release_memory() -> None:
    """Give freed memory back to the operating system: Arrow's pool, then glibc's heaps."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # pragma: no cover - pyarrow missing or < 14
        pass
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: no malloc_trim
        return None
