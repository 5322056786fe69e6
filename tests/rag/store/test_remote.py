"""rag.store.remote: a store read over a pipe gives what the store itself gives; errors and writes are refused."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers.fakes import FakeEmbedder

from rag.store.base import ChunkFilter, Prefetch, StoredPoint, point_id
from rag.store.edge import EdgeStore
from rag.store.remote import (
    Caller,
    ReadOnlyStoreError,
    RemoteError,
    RemoteStore,
    serve,
    store_reads,
)
from rag.text.lexical import document_vector, query_vector, tokenize

EMBEDDER = FakeEmbedder()
TEXTS = {
    "a" * 32: ["英国人工智能安全研究所获得初始资金1亿英镑。", "首尔峰会发布了《首尔宣言》。"],
    "b" * 32: ["The EU AI Office was established in February 2024.", "Fines can reach seven percent of turnover."],
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EdgeStore]:
    edge = EdgeStore(tmp_path / "edge", EMBEDDER.dim)
    points = []
    for doc_hash, texts in TEXTS.items():
        for i, (text, vector) in enumerate(zip(texts, EMBEDDER.embed_passages(texts), strict=True)):
            points.append(StoredPoint(point_id(doc_hash, i), vector, document_vector(tokenize(text)),
                                      {"doc_hash": doc_hash, "text": text, "chunk_index": i, "language": "zh"}))
    edge.upsert(points)
    yield edge
    edge.close()


@pytest.fixture
def remote(store: EdgeStore) -> Iterator[RemoteStore]:
    ours, theirs = multiprocessing.Pipe()
    server = threading.Thread(target=serve, args=(ours, store_reads(store)), daemon=True)
    server.start()
    yield RemoteStore(Caller(theirs))
    theirs.close()
    server.join(timeout=5)
    assert not server.is_alive(), "serve() must return when the other end closes"


def prefetches(text: str) -> list[Prefetch]:
    return [Prefetch("dense", EMBEDDER.embed_queries([text])[0], 4), Prefetch("sparse", query_vector(tokenize(text)), 4)]


@pytest.mark.parametrize("text", ["英国研究所的初始资金", "When was the EU AI Office established?"])
def test_query_through_the_pipe_equals_the_store(store: EdgeStore, remote: RemoteStore, text: str) -> None:
    direct = store.query(prefetches(text), [1.0, 1.0], 60, 3)
    piped = remote.query(prefetches(text), [1.0, 1.0], 60, 3)
    assert [(h.id, h.score, h.payload) for h in piped] == [(h.id, h.score, h.payload) for h in direct]
    assert direct, "the query must find something for the comparison to mean anything"


def test_filtered_query_scroll_and_counts_through_the_pipe(store: EdgeStore, remote: RemoteStore) -> None:
    only_b = ChunkFilter(doc_hashes=["b" * 32])
    piped = remote.query(prefetches("资金 Office"), [1.0, 1.0], 60, 4, only_b)
    assert piped and {h.payload["doc_hash"] for h in piped} == {"b" * 32}
    ids = [point_id("a" * 32, 1)]
    assert [(p.id, p.payload) for p in remote.scroll(["text"], ids=ids)] == \
        [(p.id, p.payload) for p in store.scroll(["text"], ids=ids)]
    with_dense = list(remote.scroll(["text"], with_dense=True, ids=ids))
    assert np.allclose(with_dense[0].dense, list(store.scroll(["text"], with_dense=True, ids=ids))[0].dense)
    assert remote.count() == store.count() == 4
    assert remote.doc_chunk_counts() == store.doc_chunk_counts() == {"a" * 32: 2, "b" * 32: 2}
    scores = remote.score_points(prefetches("初始资金"), ids)
    assert scores == store.score_points(prefetches("初始资金"), ids)


def test_an_error_in_the_owner_is_raised_in_the_caller() -> None:
    ours, theirs = multiprocessing.Pipe()

    def broken(*_: object) -> None:
        raise ValueError("vector 0 is not readable")

    threading.Thread(target=serve, args=(ours, {"store.count": broken}), daemon=True).start()
    call = Caller(theirs)
    with pytest.raises(ValueError, match="vector 0 is not readable"):
        RemoteStore(call).count()
    with pytest.raises(RemoteError, match="cannot be called"):  # only the served names: no other method
        call("store.upsert", [])
    theirs.close()


def test_writes_are_refused_without_reaching_the_owner(store: EdgeStore, remote: RemoteStore) -> None:
    before = store.count()
    with pytest.raises(ReadOnlyStoreError):
        remote.delete_docs(["a" * 32])
    with pytest.raises(ReadOnlyStoreError):
        remote.upsert([])
    with pytest.raises(ReadOnlyStoreError):
        remote.delete_points([point_id("a" * 32, 0)])
    assert store.count() == before == 4
