"""Big and unusual inputs to ingestion: a 20 MB text file, files over the size limit, GB18030 / Big5
files, the same document under two names. FakeEmbedder (or its fast variant) throughout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hardening_helpers import HARDENING_DIR, consistency_problems, write_mixed_text
from helpers.corpus import policy_text, write_corpus
from helpers.fakes import FakeEmbedder
from helpers.proc import subprocess_env

from rag.ingest.bookkeeping import content_hash
from rag.ingest.index import Index
from rag.ingest.loaders import load_document
from rag.retrieval.retriever import Retriever
from rag.settings import Settings

BIG_MB = 20
RSS_GROWTH_LIMIT_MB = 1536
TAIL_MARKER = "量子加密试点条例由国家密码管理局负责解释。"


def test_20mb_text_file_is_ingested_with_bounded_memory(settings: Settings, tmp_path: Path) -> None:
    """A 20 MB UTF-8 file of varied Chinese + English paragraphs (and 3 small files beside it) is
    ingested in a subprocess: it completes, its last paragraph is searchable, the store matches the
    manifest, peak resident memory grows by less than 1.5 GB and progress counts files up to the total."""
    corpus = settings.corpus_dir
    big = corpus / "big_policy_compilation.txt"
    size = write_mixed_text(big, BIG_MB * 1024 * 1024)
    with big.open("a", encoding="utf-8") as handle:
        handle.write(f"## 附则\n\n{TAIL_MARKER}\n")
    assert size >= BIG_MB * 1024 * 1024
    write_corpus(corpus, 3)
    # 480-token chunks: a third of the points of the default 160 (run time); memory peaks while the file is
    # decoded and normalized, which the chunk size does not change
    config = {"index_dir": str(settings.index_dir), "corpus_dir": str(corpus), "query": "量子加密试点条例",
              "chunk_max_tokens": 480, "chunk_overlap_tokens": 48}
    done = subprocess.run(
        [sys.executable, str(HARDENING_DIR / "big_ingest_worker.py"), json.dumps(config)],
        env={**subprocess_env(), "PYTHONPATH": subprocess_env()["PYTHONPATH"] + f":{HARDENING_DIR}"},
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    report = out["report"]
    assert report["ok"] and report["skipped"] == [], report
    assert sorted(report["added"]) == sorted([big.name] + [f"doc_{i:03d}.txt" for i in range(3)])
    assert report["chunks_total"] == report["chunks_embedded"] > 5_000
    assert out["problems"] == []
    growth = out["rss_peak_mb"] - out["rss_before_mb"]
    assert growth < RSS_GROWTH_LIMIT_MB, (
        f"ingesting a {size / 2**20:.1f} MB file grew peak RSS by {growth:.0f} MB "
        f"(from {out['rss_before_mb']:.0f} to {out['rss_peak_mb']:.0f} MB)")
    print(f"\n20 MB ingest: {report['chunks_total']} chunks in {report['seconds']:.0f} s, "
          f"peak RSS growth {growth:.0f} MB")
    # progress: (name, done, total) with done counting 0, 1, …, total and a final "done"
    progress = out["progress"]
    total = len(report["added"])
    assert [d for _, d, _ in progress] == list(range(total + 1))
    assert all(t == total for _, _, t in progress)
    assert progress[-1][0] == "done"
    # the tail of the big file made it in
    assert out["top"] and out["top"][0]["doc"] == big.name and "量子加密试点条例" in out["top"][0]["text"]


def test_file_over_the_size_limit_is_skipped_with_a_reason(settings: Settings) -> None:
    cfg = settings.model_copy(update={"max_file_mb": 1.0})
    write_corpus(cfg.corpus_dir, 2)
    too_big = cfg.corpus_dir / "huge.txt"
    write_mixed_text(too_big, int(1.2 * 1024 * 1024))
    embedder = FakeEmbedder()
    with Index.open(cfg, embedder) as index:
        report = index.ingest([cfg.corpus_dir])
        assert [(s.name, s.reason) for s in report.skipped] == [("huge.txt", "file is larger than the 1 MB limit")]
        assert report.ok is False and sorted(report.added) == ["doc_000.txt", "doc_001.txt"]
        assert index.hash_for_name("huge.txt") is None
        assert consistency_problems(index) == []
        # a re-run reports it again and embeds nothing
        again = index.ingest([cfg.corpus_dir])
        assert [s.name for s in again.skipped] == ["huge.txt"] and again.chunks_embedded == 0


GB_TEXT = ("# 碳排放权交易管理办法\n\n"
           "第一条 为了规范全国碳排放权交易市场，生态环境部负责制定配额分配方案。\n"
           "第二条 重点排放单位应当按时清缴配额，并公开温室气体排放报告。\n")
BIG5_TEXT = ("# 個人資料保護法施行細則\n\n"
             "第一條 本細則依個人資料保護法第五十五條規定訂定之。\n"
             "第二條 公務機關及非公務機關蒐集個人資料時，應當告知當事人蒐集之目的。\n")


@pytest.mark.parametrize(
    ("name", "text", "encoding", "query", "word"),
    [
        ("碳排放_gb18030.txt", GB_TEXT, "gb18030", "碳排放权交易市场 配额", "碳排放权交易市场"),
        ("個資法_big5.txt", BIG5_TEXT, "big5", "個人資料 蒐集 目的", "蒐集個人資料"),
    ],
    ids=["gb18030", "big5"],
)
def test_gb18030_and_big5_files_are_decoded_and_searchable(
    settings: Settings, name: str, text: str, encoding: str, query: str, word: str
) -> None:
    write_corpus(settings.corpus_dir, 4)
    path = settings.corpus_dir / name
    path.write_bytes(text.encode(encoding))
    assert load_document(path, max_bytes=1 << 20).encoding == encoding
    with Index.open(settings, FakeEmbedder()) as index:
        report = index.ingest([settings.corpus_dir])
        assert name in report.added and report.ok, report.to_json()
        hits = Retriever(index, settings).run(query, k=3).hits
        assert hits and hits[0].doc == name, [(h.doc, h.text[:40]) for h in hits]
        assert word in hits[0].text
        assert consistency_problems(index) == []


def test_same_document_under_two_names_is_indexed_once(settings: Settings) -> None:
    corpus = settings.corpus_dir
    text = policy_text(42, sentences=12, english=True)
    (corpus / "policy_42.txt").write_text(text, encoding="utf-8")
    (corpus / "政策 副本 (1).md").write_text(text, encoding="utf-8")
    sub = corpus / "archive"
    sub.mkdir()
    (sub / "policy_42_old.txt").write_text(text, encoding="utf-8")
    write_corpus(corpus, 1, start=7)
    embedder = FakeEmbedder()
    with Index.open(settings, embedder) as index:
        report = index.ingest([corpus])
        doc_hash = content_hash(text.encode("utf-8"))
        record = index.record(doc_hash)
        assert record is not None
        assert sorted(record.names) == sorted(["policy_42.txt", "政策 副本 (1).md", "policy_42_old.txt"])
        assert len(report.duplicates) == 2, report.duplicates
        assert len(index.documents()) == 2
        assert sum(1 for r in index.documents() if doc_hash == r.doc_hash) == 1
        assert index.store.doc_chunk_counts()[doc_hash] == record.chunks
        assert embedder.embedded == sum(r.chunks for r in index.documents())  # embedded once
        listed = sorted(n for r in index.documents() for n in r.names)
        assert listed == sorted(["doc_007.txt", "policy_42.txt", "政策 副本 (1).md", "policy_42_old.txt"])
        hits = Retriever(index, settings).run("编号42", k=10).hits
        assert hits and len({h.doc_hash for h in hits if h.doc_hash == doc_hash}) == 1
        assert consistency_problems(index) == []
