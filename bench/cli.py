"""CLI responsiveness (#17 item 7): a whole ``rag search`` / ``rag ask`` call, in process and via a resident.

Each figure is the wall time of a fresh process (interpreter start included), median of ``--runs``:

(a) loading the embedding model and embedding one query (``get_embedder`` + ``embed_queries``; the time
    inside the process is recorded too);
(b) ``rag search`` and ``rag ask`` answered in the CLI's own process (no resident holds the index);
(c) the same calls answered by a resident (``rag serve-cli --detach``, started once, warm), which this bench
    starts and stops. The printed outputs of (b) and (c) are compared (text mode: byte for byte).

The index must exist (``RAG_INDEX_DIR=/tmp/idx_cli python -m rag ingest corpus``) and no other process may hold
it. Results: ``bench/results/cli-<commit>.json``.

    python -m bench.cli --index-dir /tmp/idx_cli --runs 5
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import common

logger = logging.getLogger("bench.cli")
PROJECT = Path(__file__).resolve().parent.parent
CALLS = {
    "search": ["search", "英国人工智能安全研究所获得了多少资金"],
    "ask (decided without the reader)": ["ask", "What is the EU AI Office?"],
    "ask (reads)": ["ask", "美国人工智能国家安全备忘录回顾历史时提到，美国国家安全机构曾率先开发了哪些技术？"],
}
MODEL_AND_QUERY = (
    "import time; t = time.perf_counter(); from rag.settings import get_settings; "
    "from rag.store.embedding import get_embedder; e = get_embedder(get_settings()); "
    "e.embed_queries(['英国人工智能安全研究所获得了多少资金']); print(time.perf_counter() - t)"
)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one process and what it printed (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], env=env, cwd=PROJECT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, done.stdout


def median_of(runs: int, argv: list[str], env: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    seconds, outputs = [], []
    for _ in range(runs):
        s, out = timed(argv, env)
        seconds.append(round(s, 3))
        outputs.append(out)
    return {"median_s": round(statistics.median(seconds), 3), "runs_s": seconds}, outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    common.setup_logging()
    env = {**os.environ, "RAG_INDEX_DIR": str(args.index_dir), "PYTHONPATH": str(PROJECT)}
    machine = common.machine_info()
    if subprocess.run([sys.executable, "-m", "rag", "serve-cli", "--stop"], env=env, cwd=PROJECT,
                      capture_output=True, check=False).returncode == 0:
        logger.info("stopped a resident that held the index")

    model, outputs = median_of(args.runs, ["-c", MODEL_AND_QUERY], env)
    model["inside_process_median_s"] = round(statistics.median(float(o.split()[-1]) for o in outputs), 3)
    logger.info("(a) model + one query: %s", model)
    in_process, resident, same = {}, {}, {}
    expected: dict[str, str] = {}
    for name, call in CALLS.items():
        in_process[name], outs = median_of(args.runs, ["-m", "rag", *call], env)
        expected[name] = outs[0]
        logger.info("(b) %s in process: %s", name, in_process[name])
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag", "serve-cli", "--detach", "--idle", "600"], env=env, cwd=PROJECT,
                   check=True)
    resident_start_s = round(time.perf_counter() - started, 2)
    try:
        for name, call in CALLS.items():
            resident[name], outs = median_of(args.runs, ["-m", "rag", *call], env)
            same[name] = all(out == expected[name] for out in outs)
            logger.info("(c) %s via the resident: %s (output identical: %s)", name, resident[name], same[name])
    finally:
        subprocess.run([sys.executable, "-m", "rag", "serve-cli", "--stop"], env=env, cwd=PROJECT, check=False)
    limit = 2 * model["median_s"]
    payload = {
        "model_and_query": model, "in_process": in_process, "resident": resident,
        "resident_start_s": resident_start_s, "outputs_identical": same,
        "limit_2x_s": round(limit, 3),
        "met": {name: r["median_s"] <= limit for name, r in resident.items()},
        "machine": machine,
    }
    head = machine["code"]["head"] or "unknown"
    common.write_result(args.out or common.RESULTS_DIR / f"cli-{head}.json", payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
