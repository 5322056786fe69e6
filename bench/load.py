"""Load bench: N clients × M questions against the running web app on loopback (the Gradio ``/ask`` API).

Starts the app in this process on a free port over an index of ``corpus/`` (a private copy, built once),
then: one client alone (the latency of a lone question), then ``--clients`` at once, each asking
``--questions`` dev-set questions in turn. Reports p50 / p95 latency, answers per second, errors and the
process's resident memory before and after. ``--concurrency`` sets how many questions the app answers at
once (``Settings.ask_concurrency``).

Usage::

    python -m bench.load --clients 8 --questions 5 --concurrency 1 --out bench/results/load-c1.json
    python -m bench.load --clients 8 --questions 5 --concurrency 2 --out bench/results/load-c2.json
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.load")
DEV_QA = common.SHARED / "eval" / "dev_qa.jsonl"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def questions() -> list[str]:
    rows = [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if not r["type"].startswith("claim")]


def run_clients(url: str, asked: list[list[str]]) -> dict[str, Any]:
    """Each list of ``asked`` is one client asking its questions in turn; all clients start together."""
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(asked))

    def client(mine: list[str]) -> None:
        api = Client(url, verbose=False)
        barrier.wait()
        for question in mine:
            start = time.perf_counter()
            try:
                result = api.predict(question, api_name="/ask")
                ok = isinstance(result, dict) and "answer" in result
            except Exception as error:  # noqa: BLE001 - counted, not raised
                ok, result = False, repr(error)
            with lock:
                latencies.append(time.perf_counter() - start)
                if not ok:
                    errors.append(str(result)[:200])

    threads = [threading.Thread(target=client, args=(mine,)) for mine in asked]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    values = np.array(latencies)
    return {"clients": len(asked), "requests": len(latencies), "errors": len(errors), "error_samples": errors[:3],
            "wall_s": round(wall, 1), "answers_per_s": round(len(latencies) / wall, 2),
            "p50_s": round(float(np.percentile(values, 50)), 2), "p95_s": round(float(np.percentile(values, 95)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--concurrency", type=int, default=None, help="questions answered at once (default: settings)")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "load.json")
    args = parser.parse_args()
    common.setup_logging()
    from rag.app.ui import launch_app

    work = Path(tempfile.gettempdir()) / "bench-load"
    overrides: dict[str, Any] = {"corpus_dir": common.PROJECT / "corpus", "host": "127.0.0.1", "port": free_port()}
    if args.concurrency is not None:
        overrides["ask_concurrency"] = args.concurrency
    settings = common.make_settings(work / "index", **overrides)
    demo, qa = launch_app(settings, block=False)
    url = demo.local_url
    pool = questions()
    try:
        memory_before = rss_mib()
        lone = run_clients(url, [pool[:10]])  # one client: a lone question's latency
        crowd = run_clients(url, [[pool[(c * args.questions + q) % len(pool)] for q in range(args.questions)]
                                  for c in range(args.clients)])
        memory_after = rss_mib()
    finally:
        demo.close()
        qa.close()
    payload = {"benchmark": "load", "machine": common.machine_info(), "code": common.code_state(),
               "ask_concurrency": settings.ask_concurrency, "lone": lone, "crowd": crowd,
               "rss_mib": {"before": memory_before, "after": memory_after}}
    common.write_result(args.out, payload)
    logger.info("concurrency %d: lone p50 %.2f s p95 %.2f s; %d clients: %.2f answers/s, p50 %.2f s, p95 %.2f s, "
                "%d errors; RSS %.0f → %.0f MiB", settings.ask_concurrency, lone["p50_s"], lone["p95_s"],
                crowd["clients"], crowd["answers_per_s"], crowd["p50_s"], crowd["p95_s"], crowd["errors"],
                memory_before, memory_after)


if __name__ == "__main__":
    main()
