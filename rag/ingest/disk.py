"""Free space for the index: checked before a document is written, and a full disk said in words.

Usage::

    problem = space_problem(settings, chunks=120)   # None, or "the disk holding index/ is full: …"
    ensure_room_to_open(settings)                    # DiskFullError if not even the reserve is free
    with disk_errors(settings.index_dir): ...        # ENOSPC from the store or the manifest → DiskFullError

The store maps its files into memory: a write to a full disk there kills the process with a bus error
(no exception to catch), so a document is written only when the disk holding the index has room for
its chunks (``settings.disk_bytes_per_chunk`` each, measured) plus ``settings.disk_reserve_mb``; else
it is skipped with the message, and nothing of it is written. Errors a full disk raises as exceptions
(the manifest write, the engine's own I/O errors) become ``DiskFullError`` with the same message.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.settings import Settings

MB = 1024 * 1024


class DiskFullError(RuntimeError):
    """The disk holding the index is (nearly) full; the message says which and what to do."""


def free_bytes(folder: Path) -> int:
    """Free bytes on the disk holding ``folder`` (or its nearest existing parent)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def full_message(index_dir: Path, free: int | None = None, needed: int | None = None) -> str:
    amounts = f": {free / MB:.0f} MB free, about {needed / MB:.0f} MB needed" if free is not None and needed else ""
    return (f"the disk holding {index_dir} is full{amounts}. Free some space there (or set RAG_INDEX_DIR to a "
            f"folder on another disk) and try again")


def space_problem(settings: Settings, chunks: int) -> str | None:
    """None if the disk holding the index has room for ``chunks`` more chunks, else the message."""
    needed = chunks * settings.disk_bytes_per_chunk + int(settings.disk_reserve_mb * MB)
    free = free_bytes(settings.index_dir)
    return None if free >= needed else full_message(settings.index_dir, free, needed)


def ensure_room_to_open(settings: Settings) -> None:
    """Opening the store writes (its WAL): on a disk without ``disk_reserve_mb`` free that write would
    kill the process, so refuse with the message instead."""
    if problem := space_problem(settings, 0):
        raise DiskFullError(problem)


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error).lower()
    return "no space left on device" in text or "disk quota exceeded" in text


@contextmanager
def disk_errors(index_dir: Path) -> Iterator[None]:
    """Turn a full disk's exceptions inside the block into ``DiskFullError`` naming ``index_dir``."""
    try:
        yield
    except DiskFullError:
        raise
    except Exception as error:
        if is_disk_full(error):
            raise DiskFullError(full_message(index_dir)) from error
        raise
