"""rag.ingest.pipeline: ingestion's llama-index IngestionPipeline (chunk → room on disk? → embed) and its points."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest
from helpers.corpus import policy_text, write_corpus
from helpers.fakes import FakeEmbedder
from helpers.invariants import is_subsequence
from llama_index.core.ingestion import IngestionPipeline

from rag.ingest import chunking
from rag.ingest.bookkeeping import EmbeddingError, NoRoomError
from rag.ingest.chunking import PolicyNodeParser, chunk_text
from rag.ingest.documents import LoadedDocument, PageSpan
from rag.ingest.index import Index
from rag.ingest.pipeline import (
    CheckRoom,
    EmbedPassages,
    build_points,
    document_node,
    embedding_text,
    ingestion_pipeline,
)
from rag.settings import Settings
from rag.text.normalize import compact, normalize

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def small(settings: Settings) -> Settings:
    return settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 8})


def loaded(text: str, name: str = "doc.md", pages: list[PageSpan] | None = None, body_start: int = 0,
           **metadata: object) -> LoadedDocument:
    return LoadedDocument(path=Path(name), raw_text=text, metadata=dict(metadata), pages=pages or [], body_start=body_start)


def test_the_pipeline_is_llama_index_s_with_our_three_steps(small: Settings) -> None:
    pipeline = ingestion_pipeline(small, FakeEmbedder())
    assert isinstance(pipeline, IngestionPipeline) and pipeline.disable_cache
    assert pipeline.docstore is None and pipeline.vector_store is None
    assert [type(t) for t in pipeline.transformations] == [PolicyNodeParser, CheckRoom, EmbedPassages]


def test_pipeline_nodes_keep_raw_offsets_and_carry_their_embedding(small: Settings) -> None:
    front = "---\ntitle: 第7号政策文件\ndate: 2024-05-01\n---\n"
    raw = front + policy_text(7, sentences=12)
    doc = loaded(raw, body_start=len(front), title="第7号政策文件")
    embedder = FakeEmbedder()
    nodes = ingestion_pipeline(small, embedder).run(documents=[document_node(doc, "abc123")])
    expected = chunk_text(normalize(raw, len(front)), embedder.count_tokens, 40, 8)
    assert len(nodes) == len(expected) == embedder.embedded > 2
    for node, chunk in zip(nodes, expected):
        assert (node.start_char_idx, node.end_char_idx) == (chunk.start, chunk.end) and node.get_content() == chunk.text
        assert node.start_char_idx >= len(front)
        assert is_subsequence(compact(node.get_content()), compact(raw[node.start_char_idx : node.end_char_idx]))
        assert node.ref_doc_id == "abc123"
        want = embedder.embed_passages([embedding_text(node, small.embed_with_title)])[0]
        assert np.allclose(node.embedding, want)


def test_embedding_text_heads_the_passage_with_title_and_section(small: Settings) -> None:
    raw = "# 总则\n## 适用范围\n第一条 本办法适用于境内服务。\n"
    [node] = ingestion_pipeline(small, FakeEmbedder()).run(documents=[document_node(loaded(raw, title="总则"))])
    assert node.metadata["section"] == "总则 > 适用范围"
    assert embedding_text(node) == "总则 > 适用范围\n" + node.get_content()  # the title is not repeated
    assert embedding_text(node, with_title=False) == node.get_content()


def test_no_room_stops_the_pipeline_before_embedding(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rag.ingest.disk.shutil.disk_usage", lambda _path: Usage(10**12, 10**12 - 100, 100))
    embedder = FakeEmbedder()
    with pytest.raises(NoRoomError, match="is full"):
        ingestion_pipeline(small, embedder).run(documents=[document_node(loaded(policy_text(3)))])
    assert embedder.embedded == 0


def test_points_carry_pages_offsets_and_sentences(small: Settings) -> None:
    first, second = policy_text(1, sentences=8), policy_text(2, sentences=8)
    raw = first + "\n" + second
    doc = loaded(raw, "report.pdf", pages=[PageSpan(0, 1), PageSpan(len(first) + 1, 2)], title="报告", date="2024年5月1日")
    nodes = ingestion_pipeline(small, FakeEmbedder()).run(documents=[document_node(doc, "h1")])
    points = build_points(doc, "h1", nodes, small)
    assert [p.payload["chunk_index"] for p in points] == list(range(len(nodes)))
    assert {p.payload["page"] for p in points} == {1, 2}
    for point, node in zip(points, nodes):
        payload = point.payload
        assert (payload["start"], payload["end"], payload["text"]) == (node.start_char_idx, node.end_char_idx, node.get_content())
        assert payload["page"] == (1 if payload["start"] <= len(first) else 2)
        assert payload["date_num"] == 20240501 and payload["doc"] == "report.pdf" and payload["context_title"] == "报告"
        for a, b, ra, rb in payload["sentences"]:
            assert is_subsequence(compact(payload["text"][a:b]), compact(raw[ra:rb]))
        assert point.dense.dtype == np.float32 and np.allclose(point.dense, node.embedding)


class BrokenEmbedder(FakeEmbedder):
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("model file is corrupt")


def test_an_embedder_failure_stops_the_ingest_and_publishes_nothing(small: Settings) -> None:
    write_corpus(small.corpus_dir, 2)
    with Index.open(small, BrokenEmbedder()) as index:
        with pytest.raises(EmbeddingError, match="RuntimeError: model file is corrupt") as caught:
            index.ingest([small.corpus_dir])
        assert isinstance(caught.value.__cause__, RuntimeError)
        assert index.documents() == [] and index.store.count() == 0


def test_a_chunker_bug_skips_that_file_only(small: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = write_corpus(small.corpus_dir, 3)
    original = chunking.chunk_text

    def chunk_text(normalized, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "第1号政策文件" in normalized.text:
            raise IndexError("a chunker bug")
        return original(normalized, *args, **kwargs)

    monkeypatch.setattr(chunking, "chunk_text", chunk_text)
    with Index.open(small, FakeEmbedder()) as index:
        report = index.ingest([small.corpus_dir])
    assert [(s.name, s.reason) for s in report.skipped] == [(paths[1].name, "could not be read: IndexError: a chunker bug")]
    assert sorted(report.added) == sorted([paths[0].name, paths[2].name])
