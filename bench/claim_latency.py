"""Claim-check time with and without the reader, in one process on one index: the dev set's claims, each checked
``--rounds`` times per setting (after one warm-up round, so the reader's first load is not counted), the two
settings interleaved so that a change of load falls on both.

Usage::

    RAG_INDEX_DIR=/tmp/idx_dev python -m rag ingest corpus
    RAG_INDEX_DIR=/tmp/idx_dev python -m bench.claim_latency --out bench/results/claim-latency.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from pathlib import Path

from bench import common

logger = logging.getLogger("bench.claim_latency")
DEV_QA = common.SHARED / "eval/dev_qa.jsonl"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    from rag.app.service import PolicyQA
    from rag.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "claim-latency.json")
    args = parser.parse_args()
    common.setup_logging()
    rows = [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line]
    claims = [r["question"] for r in rows if r["type"].startswith("claim")]
    settings = Settings(index_dir=Path(os.environ.get("RAG_INDEX_DIR", "index")), llm_base_url=None, llm_gguf_path=None)
    times: dict[bool, list[float]] = {False: [], True: []}
    with PolicyQA.open(settings) as qa:
        services = {flag: PolicyQA(qa.index, qa.settings.model_copy(update={"reader_claims": flag}), qa.lexicon, None)
                    for flag in times}
        for service in services.values():
            for claim in claims:
                service.check_claim(claim)
        for _ in range(args.rounds):
            for flag, service in services.items():
                for claim in claims:
                    started = time.perf_counter()
                    service.check_claim(claim)
                    times[flag].append(time.perf_counter() - started)
    result = {f"reader_claims={flag}": {"p50_ms": round(1000 * statistics.median(ts), 1),
                                         "p95_ms": round(1000 * percentile(ts, 0.95), 1), "n": len(ts)}
              for flag, ts in times.items()}
    common.write_result(args.out, {"benchmark": "claim-check latency", "machine": common.machine_info(),
                                   "code": common.code_state(), "claims": len(claims), "results": result})
    logger.info("%s", json.dumps(result))


if __name__ == "__main__":
    main()
