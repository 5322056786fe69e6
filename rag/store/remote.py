"""A store read from another process: the reads of ``rag.store.base.Store`` as calls over a pipe.

Qdrant Edge locks its folder to the one process that opened it, so a process that answers questions beside
the app's (``rag.app.workers``) reads the app's store through this: ``RemoteStore`` sends each read
(``query``, ``score_points``, ``scroll``, ``doc_chunk_counts``, ``count``) as ``(name, args)`` and waits for its
result; ``serve`` answers such calls in the owning process from a table of allowed functions. Writes are
refused: only the owning process changes the index. An error raised by the served function is raised again
in the caller (as itself when it pickles, else as ``RemoteError`` with its text).

Usage::

    parent, child = multiprocessing.Pipe()
    threading.Thread(target=serve, args=(parent, store_reads(store)), daemon=True).start()   # owner
    store = RemoteStore(Caller(child))                                                        # other process
    hits = store.query(prefetches, weights, rrf_k, limit)
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

from rag.store.base import ChunkFilter, Hit, Prefetch, ScrolledPoint, Store, StoredPoint

logger = logging.getLogger(__name__)

READS = ("query", "score_points", "scroll", "doc_chunk_counts", "count")


class RemoteError(RuntimeError):
    """An error in the owning process that could not be sent as itself."""


class ReadOnlyStoreError(RuntimeError):
    """A write asked of a store read from another process."""


class Caller:
    """Calls ``name(*args)`` in the process at the other end of ``conn`` (``serve``); one call at a time."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def __call__(self, name: str, *args: Any) -> Any:
        with self._lock:
            self._conn.send((name, args))
            ok, value = self._conn.recv()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self._conn.close()


def serve(conn: Connection, functions: Mapping[str, Callable[..., Any]]) -> None:
    """Answer calls on ``conn`` until it closes: ``(name, args)`` → ``(True, result)`` or ``(False, error)``.
    Only names in ``functions`` are called; anything else is an error sent back."""
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if name not in functions:
                raise RemoteError(f"{name!r} cannot be called from another process")
            reply: tuple[bool, Any] = (True, functions[name](*args))
        except Exception as error:  # noqa: BLE001 - sent to the caller, raised there
            reply = (False, error)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            conn.send((False, RemoteError(f"{type(error).__name__}: {error}; while sending the result of {name}")))
        except (BrokenPipeError, OSError):
            return


def store_reads(store: Store) -> dict[str, Callable[..., Any]]:
    """The calls ``RemoteStore`` makes, on ``store``: its reads, the scroll as a list."""
    functions: dict[str, Callable[..., Any]] = {f"store.{name}": getattr(store, name) for name in READS}
    functions["store.scroll"] = lambda *args: list(store.scroll(*args))
    return functions


class RemoteStore:
    """The reads of a store owned by another process; writes raise ``ReadOnlyStoreError``."""

    exclusive = True  # the owner's store: no third process writes to it

    def __init__(self, call: Caller) -> None:
        self._call = call

    def query(self, prefetches: list[Prefetch], weights: list[float], rrf_k: int, limit: int,
              filter: ChunkFilter | None = None) -> list[Hit]:  # noqa: A002 - the Store protocol's name
        return self._call("store.query", prefetches, weights, rrf_k, limit, filter)

    def score_points(self, queries: list[Prefetch], ids: list[str]) -> list[dict[str, float]]:
        return self._call("store.score_points", queries, ids)

    def scroll(self, payload_keys: list[str] | None = None, with_dense: bool = False,
               ids: list[str] | None = None) -> Iterator[ScrolledPoint]:
        return iter(self._call("store.scroll", payload_keys, with_dense, ids))

    def doc_chunk_counts(self) -> dict[str, int]:
        return self._call("store.doc_chunk_counts")

    def count(self) -> int:
        return self._call("store.count")

    def _refuse(self, *_: Any) -> None:
        raise ReadOnlyStoreError("this store is read from another process; only its owner writes to it")

    def upsert(self, points: list[StoredPoint]) -> None:
        self._refuse(points)

    def delete_docs(self, doc_hashes: list[str]) -> None:
        self._refuse(doc_hashes)

    def delete_points(self, ids: list[str]) -> None:
        self._refuse(ids)

    def flush(self) -> None:
        """Nothing to flush: this side never writes."""

    def optimize(self) -> None:
        self._refuse()

    def close(self) -> None:
        self._call.close()
