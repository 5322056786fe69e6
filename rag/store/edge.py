"""``EdgeStore``: the ``rag.store.base.Store`` on Qdrant Edge (``qdrant-edge-py``), Qdrant's in-process engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from rag.store.base import (
    DENSE,
    PAYLOAD_INDEXES,
    SPARSE,
    TIE_SLACK,
    ChunkFilter,
    Hit,
    IndexLockedError,
    Prefetch,
    ScrolledPoint,
    StoredPoint,
    acquire_lock,
    build_filter,
    count_by_doc,
    locked_message,
    merge_filters,
    non_empty,
    release_lock,
    settle_ties,
    sparse_lists,
    to_hit,
    to_scrolled,
)


class EdgeStore:
    """Qdrant Edge shard in a folder; single process (the folder is locked while open)."""

    exclusive = True

    def __init__(self, path: Path, dim: int) -> None:
        import qdrant_edge as qe

        self._qe = qe
        path.mkdir(parents=True, exist_ok=True)
        # Our own OS lock, taken before Qdrant Edge touches the folder: a refused load() would
        # already have rewritten files under the holder's feet. The OS drops it on kill -9.
        self._lock_file = acquire_lock(path.parent / f".{path.name}.lock", path)
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        try:
            has_data = any(path.iterdir())
            self._shard = qe.EdgeShard.load(str(path)) if has_data else qe.EdgeShard.create(str(path), config)
            self._ensure_payload_indexes()
        except Exception as error:  # the Rust side raises a plain exception with the OS error inside
            release_lock(self._lock_file)
            if "WouldBlock" in str(error):
                raise IndexLockedError(locked_message(path)) from error
            raise

    def _ensure_payload_indexes(self) -> None:
        """Index the filtered fields: without them every filtered search reads payloads from disk."""
        qe = self._qe
        present = set(self._shard.info().payload_schema)
        for field_name, schema in PAYLOAD_INDEXES.items():
            if field_name not in present:
                self._shard.update(qe.UpdateOperation.create_field_index(field_name, getattr(qe.PayloadSchemaType, schema)))

    def _filter(self, flt: ChunkFilter | None) -> Any:
        qe = self._qe
        return build_filter(flt, qe, lambda low, high: qe.RangeFloat(gte=float(low) if low else None,
                                                                     lte=float(high) if high else None))

    def upsert(self, points: list[StoredPoint]) -> None:
        if not points:
            return
        qe = self._qe
        edge_points = [
            qe.Point(
                id=p.id,
                vector={DENSE: [float(x) for x in p.dense], SPARSE: qe.SparseVector(*sparse_lists(p.sparse))},
                payload=p.payload,
            )
            for p in points
        ]
        self._shard.update(qe.UpdateOperation.upsert_points(edge_points))

    def delete_docs(self, doc_hashes: list[str]) -> None:
        if doc_hashes:
            qe = self._qe
            flt = qe.Filter(must=[qe.FieldCondition(key="doc_hash", match=qe.MatchAny(any=list(doc_hashes)))])
            self._shard.update(qe.UpdateOperation.delete_points_by_filter(flt))

    def delete_points(self, ids: list[str]) -> None:
        if ids:
            self._shard.update(self._qe.UpdateOperation.delete_points(list(ids)))

    def _query_vector(self, prefetch: Prefetch) -> Any:
        qe = self._qe
        if prefetch.using == SPARSE:
            assert isinstance(prefetch.vector, dict)
            return qe.Query.Nearest(qe.SparseVector(*sparse_lists(prefetch.vector)), using=SPARSE)
        return qe.Query.Nearest([float(x) for x in np.asarray(prefetch.vector)], using=DENSE)

    def query(
        self, prefetches: list[Prefetch], weights: list[float], rrf_k: int, limit: int, filter: ChunkFilter | None = None
    ) -> list[Hit]:
        qe = self._qe
        active = [(p, w) for p, w in zip(prefetches, weights, strict=True) if w > 0 and non_empty(p)]
        if not active:
            return []
        edge_prefetches = [
            qe.Prefetch(limit=p.limit, query=self._query_vector(p), filter=self._filter(merge_filters(filter, p.filter)))
            for p, _ in active
        ]
        request = qe.QueryRequest(
            limit=limit + TIE_SLACK,
            prefetches=edge_prefetches,
            query=qe.Fusion.Rrf(k=rrf_k, weights=[w for _, w in active]),
            with_payload=True,
            with_vector=[DENSE],
        )
        return settle_ties([to_hit(point) for point in self._shard.query(request)], limit)

    def score_points(self, queries: list[Prefetch], ids: list[str]) -> list[dict[str, float]]:
        """Each query's exact score of each of the points ``ids`` (absent: no match, e.g. no shared term),
        in one batch; the rerank uses it to read BM25 with the index's real IDF for fused candidates."""
        qe = self._qe
        live = [q for q in queries if non_empty(q)]
        if not ids or not live:
            return [{} for _ in queries]
        only = qe.Filter(must=[qe.HasIdCondition(set(ids))])
        batch = qe.QueryBatchRequest([
            qe.QueryRequest(limit=len(ids), query=self._query_vector(q), filter=only, with_payload=False)
            for q in live
        ])
        answers = iter(self._shard.query_batch(batch))
        return [{str(p.id): float(p.score) for p in next(answers)} if non_empty(q) else {} for q in queries]

    def scroll(self, payload_keys: list[str] | None = None, with_dense: bool = False,
               ids: list[str] | None = None) -> Iterator[ScrolledPoint]:
        """Every point (or those of ``ids``), with the payload ``payload_keys`` (None: the whole payload)
        and the dense vector."""
        if ids is not None and not ids:
            return
        only = self._qe.Filter(must=[self._qe.HasIdCondition(set(ids))]) if ids is not None else None
        offset = None
        while True:
            records, offset = self._shard.scroll(self._qe.ScrollRequest(
                offset=offset, limit=1000, filter=only, with_payload=True if payload_keys is None else payload_keys,
                with_vector=[DENSE] if with_dense else False))
            yield from (to_scrolled(record) for record in records)
            if offset is None or not records:
                return

    def doc_chunk_counts(self) -> dict[str, int]:
        return count_by_doc(self.scroll(["doc_hash"]))

    def count(self) -> int:
        return int(self._shard.count(self._qe.CountRequest()))

    def flush(self) -> None:
        self._shard.flush()

    def optimize(self) -> None:
        """Build the HNSW and merge segments now (measured: 100k points, query p50 170 → 38 ms)."""
        self._shard.optimize()

    def close(self) -> None:
        self._shard.flush()
        self._shard.close()
        release_lock(self._lock_file)

