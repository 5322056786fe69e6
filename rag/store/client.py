"""``ClientStore``: the ``rag.store.base.Store`` on qdrant-client — a Qdrant server, or local mode for tests."""

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
    build_filter,
    count_by_doc,
    locked_message,
    merge_filters,
    non_empty,
    settle_ties,
    sparse_lists,
    to_hit,
    to_scrolled,
)


class ClientStore:
    """qdrant-client: a Qdrant server at ``url``, or local mode at ``path`` (tests, small data)."""

    def __init__(self, dim: int, collection: str, url: str | None = None, path: Path | None = None,
                 api_key: str | None = None) -> None:
        from qdrant_client import QdrantClient, models

        self._models = models
        self.collection = collection
        self.exclusive = not url  # a server may have other writers
        try:
            if url:
                self._client = QdrantClient(url=url, api_key=api_key)
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self._client = QdrantClient(path=str(path))
        except RuntimeError as error:
            if "already accessed" in str(error):
                raise IndexLockedError(locked_message(path or Path("."))) from error
            raise
        if not self._client.collection_exists(collection):
            self._client.create_collection(
                collection,
                vectors_config={DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
            for key, schema in PAYLOAD_INDEXES.items():
                if url:  # payload indexes matter on a server; local mode ignores them
                    self._client.create_payload_index(
                        collection, key, field_schema=getattr(models.PayloadSchemaType, schema.upper())
                    )

    def _filter(self, flt: ChunkFilter | None) -> Any:
        m = self._models
        return build_filter(flt, m, lambda low, high: m.Range(gte=low, lte=high))

    def _client_query(self, prefetch: Prefetch) -> Any:
        if prefetch.using == SPARSE:
            assert isinstance(prefetch.vector, dict)
            return _client_sparse(self._models, prefetch.vector)
        return [float(x) for x in np.asarray(prefetch.vector)]

    def upsert(self, points: list[StoredPoint]) -> None:
        if not points:
            return
        m = self._models
        self._client.upsert(
            self.collection,
            points=[
                m.PointStruct(
                    id=p.id,
                    vector={DENSE: [float(x) for x in p.dense], SPARSE: _client_sparse(m, p.sparse)},
                    payload=p.payload,
                )
                for p in points
            ],
            wait=True,
        )

    def delete_docs(self, doc_hashes: list[str]) -> None:
        if doc_hashes:
            m = self._models
            flt = m.Filter(must=[m.FieldCondition(key="doc_hash", match=m.MatchAny(any=list(doc_hashes)))])
            self._client.delete(self.collection, points_selector=m.FilterSelector(filter=flt), wait=True)

    def delete_points(self, ids: list[str]) -> None:
        if ids:
            self._client.delete(self.collection, points_selector=self._models.PointIdsList(points=list(ids)), wait=True)

    def query(
        self, prefetches: list[Prefetch], weights: list[float], rrf_k: int, limit: int, filter: ChunkFilter | None = None
    ) -> list[Hit]:
        m = self._models
        active = [(p, w) for p, w in zip(prefetches, weights, strict=True) if w > 0 and non_empty(p)]
        if not active:
            return []
        client_prefetches = [
            m.Prefetch(query=self._client_query(p), using=p.using, limit=p.limit,
                       filter=self._filter(merge_filters(filter, p.filter)))
            for p, _ in active
        ]
        response = self._client.query_points(
            self.collection,
            prefetch=client_prefetches,
            query=m.RrfQuery(rrf=m.Rrf(k=rrf_k, weights=[w for _, w in active])),
            limit=limit + TIE_SLACK,
            with_payload=True,
            with_vectors=[DENSE],
        )
        return settle_ties([to_hit(point) for point in response.points], limit)

    def score_points(self, queries: list[Prefetch], ids: list[str]) -> list[dict[str, float]]:
        m = self._models
        live = [q for q in queries if non_empty(q)]
        if not ids or not live:
            return [{} for _ in queries]
        only = m.Filter(must=[m.HasIdCondition(has_id=list(ids))])
        requests = [
            m.QueryRequest(query=self._client_query(q), using=q.using, filter=only, limit=len(ids), with_payload=False)
            for q in live
        ]
        answers = iter(self._client.query_batch_points(self.collection, requests=requests))
        return [{str(p.id): float(p.score) for p in next(answers).points} if non_empty(q) else {} for q in queries]

    def scroll(self, payload_keys: list[str] | None = None, with_dense: bool = False,
               ids: list[str] | None = None) -> Iterator[ScrolledPoint]:
        """Every point (or those of ``ids``), with the payload ``payload_keys`` (None: the whole payload)
        and the dense vector."""
        if ids is not None and not ids:
            return
        m = self._models
        only = m.Filter(must=[m.HasIdCondition(has_id=list(ids))]) if ids is not None else None
        offset = None
        while True:
            records, offset = self._client.scroll(
                self.collection, scroll_filter=only, limit=1000, offset=offset,
                with_payload=True if payload_keys is None else payload_keys,
                with_vectors=[DENSE] if with_dense else False,
            )
            yield from (to_scrolled(record) for record in records)
            if offset is None:
                return

    def doc_chunk_counts(self) -> dict[str, int]:
        return count_by_doc(self.scroll(["doc_hash"]))

    def count(self) -> int:
        return int(self._client.count(self.collection, exact=True).count)

    def flush(self) -> None:
        """Writes are synchronous (``wait=True``); local mode persists on each write."""

    def optimize(self) -> None:
        """A Qdrant server optimizes in the background; local mode has nothing to optimize."""

    def close(self) -> None:
        self._client.close()


def _client_sparse(models: Any, vector: dict[int, float]) -> Any:
    indices, values = sparse_lists(vector)
    return models.SparseVector(indices=indices, values=values)
