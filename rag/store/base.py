"""One store interface, two Qdrant backends.

* ``EdgeStore`` (``rag.store.edge``) — Qdrant Edge (``qdrant-edge-py``), Qdrant's in-process engine; the default.
* ``ClientStore`` (``rag.store.client``) — qdrant-client: a Qdrant server (``RAG_QDRANT_URL``) or, for
  tests, its local mode.

This module holds what both share: the point, filter and query types, the ``Store`` protocol, the
folder lock and the filter builder.

Both hold one collection with a named dense vector ``dense`` (cosine) and a named sparse vector
``sparse`` with Qdrant's IDF modifier, and run hybrid queries as Qdrant prefetches fused by weighted RRF.

Usage::

    store = open_store(settings, dim=384)  # rag.store.factory
    store.upsert([StoredPoint(id, dense, sparse, payload)])
    hits = store.query([Prefetch("dense", vec, 60), Prefetch("sparse", {12: 1.0}, 60)], [1.0, 0.5], 20, 10)
"""

from __future__ import annotations

import fcntl
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

DENSE = "dense"
SPARSE = "sparse"
POINT_NAMESPACE = uuid.UUID("6f1c6f64-2b7e-4a53-9a51-7d7c3b0e6a11")


PAYLOAD_INDEXES = {"doc_hash": "Keyword", "language": "Keyword", "native": "Integer", "date_num": "Integer"}


class IndexLockedError(RuntimeError):
    """The embedded index is open in another process."""


def locked_message(path: Path) -> str:
    return (
        f"The index at {path} is in use by another PolicyQA process (the app or an ingest). "
        "Stop that process, or use the running app, then try again."
    )


def acquire_lock(lock_path: Path, index_path: Path) -> IO[str]:
    """An exclusive, non-blocking OS lock on ``lock_path``; IndexLockedError when another holds it."""
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the life of the store
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.close()
        raise IndexLockedError(locked_message(index_path)) from error
    return handle


def release_lock(handle: IO[str]) -> None:
    if not handle.closed:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def point_id(doc_hash: str, chunk_index: int) -> str:
    """Deterministic point id: re-ingesting the same content overwrites instead of duplicating."""
    return str(uuid.uuid5(POINT_NAMESPACE, f"{doc_hash}:{chunk_index}"))


@dataclass
class StoredPoint:
    id: str
    dense: np.ndarray
    sparse: dict[int, float]
    payload: dict[str, Any]


@dataclass
class ChunkFilter:
    """Restricts a query; ``None`` fields do not restrict."""

    doc_hashes: list[str] | None = None
    languages: list[str] | None = None
    date_from: int | None = None  # yyyymmdd
    date_to: int | None = None
    # True: only passages in their document's own language; False: only the others (footnotes, URLs,
    # reference lists in the other script); None: both.
    native: bool | None = None

    def is_empty(self) -> bool:
        return not (self.doc_hashes is not None or self.languages is not None or self.date_from or self.date_to
                    or self.native is not None)


@dataclass
class Prefetch:
    using: Literal["dense", "sparse"]
    vector: np.ndarray | dict[int, float]
    limit: int
    filter: ChunkFilter | None = None


@dataclass
class ScrolledPoint:
    id: str
    payload: dict[str, Any]
    dense: np.ndarray | None = None


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any]
    dense: np.ndarray | None = None


class Store(Protocol):
    # True when no other process can write to it (embedded stores lock their folder).
    exclusive: bool

    def upsert(self, points: list[StoredPoint]) -> None: ...

    def delete_docs(self, doc_hashes: list[str]) -> None: ...

    def delete_points(self, ids: list[str]) -> None: ...

    def query(
        self, prefetches: list[Prefetch], weights: list[float], rrf_k: int, limit: int, filter: ChunkFilter | None = None
    ) -> list[Hit]: ...

    def score_points(self, queries: list[Prefetch], ids: list[str]) -> list[dict[str, float]]: ...

    def scroll(self, payload_keys: list[str] | None = None, with_dense: bool = False,
               ids: list[str] | None = None) -> Iterator[ScrolledPoint]: ...

    def doc_chunk_counts(self) -> dict[str, int]: ...

    def count(self) -> int: ...

    def flush(self) -> None: ...

    def optimize(self) -> None: ...

    def close(self) -> None: ...


def build_filter(flt: ChunkFilter | None, api: Any, make_range: Callable[[int | None, int | None], Any]) -> Any:
    """A Qdrant filter for ``flt``. ``api`` is ``qdrant_edge`` or ``qdrant_client.models``: both name their
    condition classes alike; only the range class differs (``make_range``)."""
    if flt is None or flt.is_empty():
        return None
    must: list[Any] = []
    if flt.doc_hashes is not None:
        must.append(api.FieldCondition(key="doc_hash", match=api.MatchAny(any=list(flt.doc_hashes) or ["-"])))
    if flt.languages is not None:
        must.append(api.FieldCondition(key="language", match=api.MatchAny(any=list(flt.languages) or ["-"])))
    if flt.date_from or flt.date_to:
        must.append(api.FieldCondition(key="date_num", range=make_range(flt.date_from, flt.date_to)))
    if flt.native is not None:
        must.append(api.FieldCondition(key="native", match=api.MatchValue(value=int(flt.native))))
    return api.Filter(must=must)


def sparse_lists(vector: dict[int, float]) -> tuple[list[int], list[float]]:
    items = sorted(vector.items())
    return [i for i, _ in items], [float(v) for _, v in items]


def non_empty(prefetch: Prefetch) -> bool:
    if isinstance(prefetch.vector, dict):
        return bool(prefetch.vector)
    return prefetch.vector is not None and len(prefetch.vector) > 0


def merge_filters(base: ChunkFilter | None, extra: ChunkFilter | None) -> ChunkFilter | None:
    """Both restrictions at once — a search's filter (documents, language, dates the user asked for)
    and one prefetch's (the passages that list searches): their intersection, never one overriding
    the other. Contradicting restrictions match nothing."""
    if base is None:
        return extra
    if extra is None:
        return base
    native_conflict = base.native is not None and extra.native is not None and base.native != extra.native
    return ChunkFilter(
        doc_hashes=[] if native_conflict else _intersection(base.doc_hashes, extra.doc_hashes),
        languages=_intersection(base.languages, extra.languages),
        date_from=max((d for d in (base.date_from, extra.date_from) if d), default=None),
        date_to=min((d for d in (base.date_to, extra.date_to) if d), default=None),
        native=base.native if base.native is not None else extra.native,
    )


def _intersection(first: list[str] | None, second: list[str] | None) -> list[str] | None:
    """None restricts nothing; an empty list matches nothing."""
    if first is None or second is None:
        return second if first is None else first
    kept = set(second)
    return [value for value in first if value in kept]


# Fused (RRF) scores tie exactly where two points hold mirrored ranks in lists of equal weight, and the engine
# returns tied points in no fixed order, so the candidates at the cut changed from one call to the next (and
# with them the rerank). Both backends ask for this many more and settle the ties by point id.
TIE_SLACK = 16


def settle_ties(hits: list[Hit], limit: int) -> list[Hit]:
    """``hits`` (fetched with ``TIE_SLACK`` to spare) best first, equal scores in point-id order, cut to ``limit``:
    the same query gives the same candidates and order every time."""
    return sorted(hits, key=lambda h: (-h.score, h.id))[:limit]


def to_hit(point: Any) -> Hit:
    """A scored point of either backend (both name the fields alike) as a ``Hit``."""
    return Hit(id=str(point.id), score=float(point.score), payload=dict(point.payload or {}), dense=dense_of(point))


def to_scrolled(record: Any) -> ScrolledPoint:
    return ScrolledPoint(str(record.id), dict(record.payload or {}), dense_of(record))


def dense_of(record: Any) -> np.ndarray | None:
    """The dense vector of a point returned by either backend; None when it was not asked for."""
    vector = record.vector if isinstance(record.vector, dict) else {}
    return np.asarray(vector[DENSE], dtype=np.float32) if DENSE in vector else None


def count_by_doc(points: Iterator[ScrolledPoint]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for point in points:
        key = point.payload.get("doc_hash", "")
        counts[key] = counts.get(key, 0) + 1
    return counts

