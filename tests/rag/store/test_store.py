"""rag.store.base on both backends (Qdrant Edge and qdrant-client local mode): hybrid queries, filters, deletes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from helpers.fakes import FakeEmbedder, store_point_ids

from rag.settings import Settings
from rag.store.base import (
    ChunkFilter,
    IndexLockedError,
    Prefetch,
    StoredPoint,
    merge_filters,
    point_id,
)
from rag.store.edge import EdgeStore
from rag.store.factory import open_store
from rag.text.lexical import document_vector, query_vector, tokenize

EMBEDDER = FakeEmbedder()

# (doc, chunk_index, language, native, date_num, text)
DOCS = {
    "a" * 32: ("zh", 20241024, [
        ("zh", 1, "美国白宫发布人工智能国家安全备忘录，要求建立风险管理框架。"),
        ("zh", 1, "备忘录要求美国人工智能安全研究所对前沿模型开展测试。"),
        ("en", 0, "https://www.whitehouse.gov/briefing-room/ national security memorandum"),
    ]),
    "b" * 32: ("zh", 20240521, [
        ("zh", 1, "英国人工智能安全研究所成立于2023年，前身是前沿人工智能工作组。"),
        ("zh", 1, "首尔峰会发布了《首尔宣言》，推动国际网络的建立。"),
    ]),
    "c" * 32: ("en", 20230101, [
        ("en", 1, "The EU AI Act establishes obligations for providers of general-purpose AI models."),
        ("en", 1, "Fines for non-compliance can reach seven percent of global annual turnover."),
    ]),
}


def make_points(doc_hash: str) -> list[StoredPoint]:
    doc_language, date_num, chunks = DOCS[doc_hash]
    texts = [text for _, _, text in chunks]
    vectors = EMBEDDER.embed_passages(texts)
    points = []
    for index, ((language, native, text), vector) in enumerate(zip(chunks, vectors, strict=True)):
        payload = {
            "doc_hash": doc_hash, "doc": f"{doc_hash[0]}.txt", "text": text, "chunk_index": index,
            "language": language, "doc_language": doc_language, "native": native, "date_num": date_num,
        }
        points.append(StoredPoint(point_id(doc_hash, index), vector, document_vector(tokenize(text)), payload))
    return points


ALL_POINTS = [p for h in DOCS for p in make_points(h)]


def hybrid(text: str, limit: int = 60) -> list[Prefetch]:
    return [
        Prefetch("dense", EMBEDDER.embed_query(text), limit),
        Prefetch("sparse", query_vector(tokenize(text)), limit),
    ]


@pytest.fixture
def store(backend_settings: Settings):
    """A fresh store holding ALL_POINTS (for tests that write)."""
    opened = open_store(backend_settings, EMBEDDER.dim)
    opened.upsert(ALL_POINTS)
    opened.flush()
    yield opened
    opened.close()


@pytest.fixture(scope="module", params=["edge", "local"])
def shared_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One store per backend holding ALL_POINTS, shared by the read-only tests of this module."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.upper().startswith("RAG_")]:
            mp.delenv(key)
        root = tmp_path_factory.mktemp(f"store-{request.param}")
        mp.chdir(root)
        cfg = Settings(_env_file=None, index_dir=root / "index", qdrant_local_mode=request.param == "local")
        opened = open_store(cfg, EMBEDDER.dim)
    opened.upsert(ALL_POINTS)
    opened.flush()
    yield opened
    opened.close()


def texts(hits) -> list[str]:
    return [h.payload["text"] for h in hits]


def test_open_store_picks_backend(backend_settings: Settings, store_backend: str) -> None:
    opened = open_store(backend_settings, EMBEDDER.dim)
    try:
        assert (type(opened).__name__ == "EdgeStore") == (store_backend == "edge")
        expected = backend_settings.index_dir / ("edge" if store_backend == "edge" else "qdrant-local")
        assert expected.is_dir()
        assert opened.count() == 0 and opened.doc_chunk_counts() == {}
    finally:
        opened.close()


def test_count_and_doc_chunk_counts(shared_store) -> None:
    assert shared_store.count() == len(ALL_POINTS) == 7
    assert shared_store.doc_chunk_counts() == {"a" * 32: 3, "b" * 32: 2, "c" * 32: 2}
    assert store_point_ids(shared_store) == {p.id for p in ALL_POINTS}


def test_scroll_returns_every_point_with_the_asked_payload_and_vector(shared_store) -> None:
    by_id = {p.id: p for p in ALL_POINTS}
    scrolled = list(shared_store.scroll(["doc_hash"], with_dense=True))
    assert sorted(p.id for p in scrolled) == sorted(by_id)
    for point in scrolled:
        assert point.payload == {"doc_hash": by_id[point.id].payload["doc_hash"]}
        assert point.dense is not None and np.allclose(point.dense, by_id[point.id].dense, atol=1e-5)
    assert all(p.dense is None and "text" in p.payload for p in shared_store.scroll())


def test_scroll_reads_only_the_given_points(shared_store) -> None:
    wanted = [ALL_POINTS[0].id, ALL_POINTS[4].id]
    assert sorted(p.id for p in shared_store.scroll(["doc_hash"], ids=wanted)) == sorted(wanted)
    assert list(shared_store.scroll(ids=[])) == []


def test_hybrid_query_finds_the_matching_passage(shared_store) -> None:
    question = "英国人工智能安全研究所成立于哪一年"
    hits = shared_store.query(hybrid(question), [1.0, 1.0], rrf_k=20, limit=3)
    assert hits and hits[0].payload["text"].startswith("英国人工智能安全研究所成立于2023年")
    assert hits[0].id == point_id("b" * 32, 0)
    assert hits[0].dense is not None and hits[0].dense.shape == (EMBEDDER.dim,)
    assert np.isclose(np.linalg.norm(hits[0].dense), 1.0, atol=1e-3)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(hits) <= 3


def test_sparse_only_and_dense_only(shared_store) -> None:
    question = "fines for non-compliance with global turnover"
    sparse_hits = shared_store.query(hybrid(question), [0.0, 1.0], rrf_k=20, limit=5)
    assert sparse_hits and all(h.payload["doc_hash"] == "c" * 32 for h in sparse_hits)  # only they share terms
    assert "Fines" in sparse_hits[0].payload["text"]
    exact = "首尔峰会发布了《首尔宣言》，推动国际网络的建立。"
    dense_hits = shared_store.query(hybrid(exact), [1.0, 0.0], rrf_k=20, limit=1)
    assert texts(dense_hits) == [exact]
    assert shared_store.query(hybrid(question), [0.0, 0.0], rrf_k=20, limit=5) == []
    empty_sparse = [Prefetch("sparse", {}, 10)]
    assert shared_store.query(empty_sparse, [1.0], rrf_k=20, limit=5) == []


def test_weights_change_the_fusion(shared_store) -> None:
    question = "人工智能安全研究所"
    dense_first = shared_store.query(hybrid(question), [1.0, 0.01], rrf_k=1, limit=7)
    sparse_first = shared_store.query(hybrid(question), [0.01, 1.0], rrf_k=1, limit=7)
    dense_only = shared_store.query(hybrid(question), [1.0, 0.0], rrf_k=1, limit=1)
    sparse_only = shared_store.query(hybrid(question), [0.0, 1.0], rrf_k=1, limit=1)
    assert dense_first[0].id == dense_only[0].id
    assert sparse_first[0].id == sparse_only[0].id


@pytest.mark.parametrize(
    ("flt", "expected_docs"),
    [
        (ChunkFilter(doc_hashes=["b" * 32]), {"b" * 32}),
        (ChunkFilter(doc_hashes=["a" * 32, "c" * 32]), {"a" * 32, "c" * 32}),
        (ChunkFilter(doc_hashes=[]), set()),  # an empty selection selects nothing
        (ChunkFilter(languages=["en"]), {"a" * 32, "c" * 32}),
        (ChunkFilter(date_from=20240101), {"a" * 32, "b" * 32}),
        (ChunkFilter(date_to=20240601), {"b" * 32, "c" * 32}),
        (ChunkFilter(date_from=20240501, date_to=20240531), {"b" * 32}),
        (ChunkFilter(native=False), {"a" * 32}),
        (ChunkFilter(native=True, languages=["zh"]), {"a" * 32, "b" * 32}),
        (ChunkFilter(), {"a" * 32, "b" * 32, "c" * 32}),
    ],
)
def test_filters(shared_store, flt: ChunkFilter, expected_docs: set[str]) -> None:
    question = "人工智能 安全 AI providers memorandum"
    hits = shared_store.query(hybrid(question), [1.0, 1.0], rrf_k=20, limit=20, filter=flt)
    assert {h.payload["doc_hash"] for h in hits} == expected_docs
    for hit in hits:
        p = hit.payload
        if flt.languages:
            assert p["language"] in flt.languages
        if flt.native is not None:
            assert p["native"] == int(flt.native)
        if flt.date_from:
            assert p["date_num"] >= flt.date_from
        if flt.date_to:
            assert p["date_num"] <= flt.date_to
    if not flt.is_empty() and flt.doc_hashes != []:
        # the filter applies inside every prefetch: all matching points come back
        matching = [p for p in ALL_POINTS if p.payload["doc_hash"] in expected_docs
                    and (not flt.languages or p.payload["language"] in flt.languages)
                    and (flt.native is None or p.payload["native"] == int(flt.native))]
        assert len(hits) == len(matching)


def test_prefetch_filter_merges_with_query_filter(shared_store) -> None:
    question = "人工智能安全研究所"
    prefetches = hybrid(question)
    prefetches[1].filter = ChunkFilter(doc_hashes=["a" * 32])
    hits = shared_store.query(prefetches, [1.0, 1.0], rrf_k=20, limit=20, filter=ChunkFilter(languages=["zh"]))
    assert hits and all(h.payload["language"] == "zh" for h in hits)


def test_a_prefetch_cannot_widen_the_search_s_filter(shared_store) -> None:
    """A user's language or document filter holds for every prefetch list, including one that
    searches another language or other documents."""
    prefetches = hybrid("人工智能安全研究所")
    for prefetch in prefetches:
        prefetch.filter = ChunkFilter(languages=["zh"])
    assert shared_store.query(prefetches, [1.0, 1.0], rrf_k=20, limit=20, filter=ChunkFilter(languages=["en"])) == []
    prefetches[0].filter = ChunkFilter(doc_hashes=["a" * 32, "b" * 32])
    hits = shared_store.query(prefetches, [1.0, 1.0], rrf_k=20, limit=20, filter=ChunkFilter(doc_hashes=["b" * 32]))
    assert hits and {h.payload["doc_hash"] for h in hits} == {"b" * 32}


def test_merged_filters_are_the_intersection() -> None:
    search = ChunkFilter(doc_hashes=["a", "b"], languages=["en"], date_from=20240101, native=None)
    prefetch = ChunkFilter(doc_hashes=["b", "c"], languages=["zh", "en"], date_from=20230101, date_to=20250101, native=True)
    assert merge_filters(search, prefetch) == ChunkFilter(
        doc_hashes=["b"], languages=["en"], date_from=20240101, date_to=20250101, native=True)
    assert merge_filters(ChunkFilter(languages=["en"]), ChunkFilter(languages=["zh"])).languages == []
    assert merge_filters(ChunkFilter(native=True), ChunkFilter(native=False)).doc_hashes == []
    assert merge_filters(None, prefetch) is prefetch and merge_filters(search, None) is search


def test_delete_docs(store) -> None:
    store.delete_docs(["a" * 32, "f" * 32])
    store.delete_docs([])
    assert store.count() == 4
    assert store.doc_chunk_counts() == {"b" * 32: 2, "c" * 32: 2}
    hits = store.query(hybrid("美国白宫发布人工智能国家安全备忘录"), [1.0, 1.0], rrf_k=20, limit=20)
    assert "a" * 32 not in {h.payload["doc_hash"] for h in hits}


def test_reupsert_is_idempotent(store) -> None:
    assert point_id("a" * 32, 0) == point_id("a" * 32, 0) != point_id("a" * 32, 1)
    assert point_id("a" * 32, 0) != point_id("b" * 32, 0)
    store.upsert(make_points("a" * 32))
    store.upsert(ALL_POINTS)
    store.flush()
    assert store.count() == 7
    assert store.doc_chunk_counts() == {"a" * 32: 3, "b" * 32: 2, "c" * 32: 2}
    # an upsert with the same id replaces the payload
    changed = make_points("c" * 32)[:1]
    changed[0].payload["text"] = "replaced"
    store.upsert(changed)
    assert store.count() == 7
    hits = store.query(hybrid("replaced"), [1.0, 0.0], rrf_k=20, limit=7, filter=ChunkFilter(doc_hashes=["c" * 32]))
    assert "replaced" in texts(hits)


def test_data_survives_reopen(backend_settings: Settings) -> None:
    first = open_store(backend_settings, EMBEDDER.dim)
    first.upsert(ALL_POINTS)
    first.close()
    second = open_store(backend_settings, EMBEDDER.dim)
    try:
        assert second.count() == 7
        assert store_point_ids(second) == {p.id for p in ALL_POINTS}
        assert second.query(hybrid("首尔宣言"), [1.0, 1.0], rrf_k=20, limit=1)
    finally:
        second.close()


def test_second_open_of_a_held_index_raises_index_locked(backend_settings: Settings) -> None:
    """Qdrant Edge (and qdrant-client local mode) lock the folder even within one process."""
    first = open_store(backend_settings, EMBEDDER.dim)
    try:
        with pytest.raises(IndexLockedError) as info:
            open_store(backend_settings, EMBEDDER.dim)
        message = str(info.value)
        assert "\n" not in message and len(message) < 300
        assert "in use by another PolicyQA process" in message
        assert str(backend_settings.index_dir) in message
        assert "WouldBlock" not in message and "Traceback" not in message
    finally:
        first.close()
    again = open_store(backend_settings, EMBEDDER.dim)  # closing releases the lock
    again.close()


def test_edge_lock_released_on_close(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "edge", EMBEDDER.dim)
    store.upsert(ALL_POINTS[:2])
    store.close()
    reopened = EdgeStore(tmp_path / "edge", EMBEDDER.dim)
    try:
        assert reopened.count() == 2
    finally:
        reopened.close()


def test_score_points_scores_exactly_the_given_points(shared_store) -> None:
    question = "fines for non-compliance with global turnover"
    fines, act, seoul = point_id("c" * 32, 1), point_id("c" * 32, 0), point_id("b" * 32, 1)
    sparse, dense = hybrid(question)[1], hybrid(question)[0]
    empty = Prefetch("sparse", {}, 10)
    by_sparse, by_dense, by_empty = shared_store.score_points([sparse, dense, empty], [fines, act, seoul])
    assert set(by_sparse) <= {fines, act, seoul} and by_sparse[fines] > by_sparse.get(act, 0.0)
    assert seoul not in by_sparse  # shares no term with the question
    assert set(by_dense) == {fines, act, seoul}  # every point has a cosine
    assert by_dense[fines] == pytest.approx(float(EMBEDDER.embed_query(question) @ EMBEDDER.embed_passages(
        [DOCS["c" * 32][2][1][2]])[0]), abs=1e-3)
    assert by_empty == {}
    assert shared_store.score_points([sparse], []) == [{}]


def test_tied_fused_scores_are_settled_by_point_id(shared_store) -> None:
    """Two points each first in one of two equally weighted lists and second in the other tie exactly under
    RRF; the store returns the same one, by point id, every time (the engine alone returns ties in no fixed
    order, which made the rerank's candidates change from call to call)."""
    vectors = {p.id: p.dense for p in ALL_POINTS}
    ids = sorted(vectors)
    # the two points nearest each other: each is the other's runner-up
    x, y = max(((a, b) for a in ids for b in ids if a < b), key=lambda ab: float(vectors[ab[0]] @ vectors[ab[1]]))
    prefetches = [Prefetch("dense", vectors[x], 2), Prefetch("dense", vectors[y], 2)]
    both = shared_store.query(prefetches, [1.0, 1.0], rrf_k=20, limit=2)
    assert {h.id for h in both} == {x, y} and both[0].score == both[1].score  # the tie itself
    firsts = {shared_store.query(prefetches, [1.0, 1.0], rrf_k=20, limit=1)[0].id for _ in range(12)}
    assert firsts == {min(x, y)}


def test_settle_ties_orders_equal_scores_by_id_whatever_their_order() -> None:
    from rag.store.base import Hit, settle_ties

    hits = [Hit("b", 0.5, {}), Hit("a", 0.5, {}), Hit("c", 0.9, {}), Hit("d", 0.1, {})]
    assert [h.id for h in settle_ties(hits, 3)] == ["c", "a", "b"]
    assert [h.id for h in settle_ties(list(reversed(hits)), 3)] == ["c", "a", "b"]
    # negative: by score alone the tie keeps its input order, which the engine does not fix
    assert [h.id for h in sorted(hits, key=lambda h: -h.score)][1:3] == ["b", "a"]
