"""Load bench: N clients × M questions against the running web app on loopback (the Gradio ``/ask`` API).

Starts the app in this process on a free port over an index of ``corpus/`` (a private copy, built once),
then: one client alone (the latency of a lone question), then ``--clients`` at once, each asking
``--questions`` dev-set questions in turn, each client a process of its own (as users' browsers are: clients
in the app's process would take its interpreter lock). Reports p50 / p95 latency, answers per second, errors
and the resident memory of the app and its answer workers before and after. ``--workers`` sets the answer
worker processes (``Settings.answer_workers``, rag/app/workers.py), ``--concurrency`` how many questions the
app answers at once beyond them (``Settings.ask_concurrency``).

Usage::

    python -m bench.load --clients 6 --questions 5 --workers 0 --concurrency 1 --out bench/results/load-w0.json
    python -m bench.load --clients 6 --questions 5 --workers 2 --out bench/results/load-w2.json
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.load")
DEV_QA = common.SHARED / "eval" / "dev_qa.jsonl"


def rss_mib(pids: list[int | None]) -> float:
    """Resident memory of the processes ``pids`` together (the app's and its answer workers')."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def app_pids(qa: Any) -> list[int | None]:
    workers = qa.workers._workers if getattr(qa, "workers", None) is not None else []  # noqa: SLF001 - a bench reads inside
    return [None, *(w.process.pid for w in workers)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def questions() -> list[str]:
    rows = [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if not r["type"].startswith("claim")]


def client_process(url: str, mine: list[str], barrier: Any, results: Any) -> None:
    """One client, in its own process (as a user's browser is): asks ``mine`` in turn, puts its latencies."""
    from gradio_client import Client

    api = Client(url, verbose=False)
    barrier.wait()
    latencies, errors = [], []
    for question in mine:
        start = time.perf_counter()
        try:
            result = api.predict(question, api_name="/ask")
            ok = isinstance(result, dict) and "answer" in result
        except Exception as error:  # noqa: BLE001 - counted, not raised
            ok, result = False, repr(error)
        latencies.append(time.perf_counter() - start)
        if not ok:
            errors.append(str(result)[:200])
    results.put((latencies, errors, time.process_time()))


def run_clients(url: str, asked: list[list[str]]) -> dict[str, Any]:
    """Each list of ``asked`` is one client (a process of its own) asking its questions in turn; all
    clients start together (after each has connected)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(asked) + 1)
    results = context.Queue()
    clients = [context.Process(target=client_process, args=(url, mine, barrier, results)) for mine in asked]
    for client in clients:
        client.start()
    barrier.wait()
    start = time.perf_counter()
    gathered = [results.get() for _ in clients]
    wall = time.perf_counter() - start
    for client in clients:
        client.join()
    latencies = [x for lat, _, _ in gathered for x in lat]
    errors = [e for _, errs, _ in gathered for e in errs]
    values = np.array(latencies)
    return {"clients": len(asked), "requests": len(latencies), "errors": len(errors), "error_samples": errors[:3],
            "wall_s": round(wall, 1), "answers_per_s": round(len(latencies) / wall, 2),
            "p50_s": round(float(np.percentile(values, 50)), 2), "p95_s": round(float(np.percentile(values, 95)), 2),
            "clients_cpu_s": round(sum(cpu for _, _, cpu in gathered), 1)}


def cpu_seconds(pids: list[int | None]) -> list[float]:
    """User + system CPU seconds so far of each process in ``pids``."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = [Path(f"/proc/{pid or 'self'}/stat").read_text().rsplit(")", 1)[1].split() for pid in pids]
    return [(int(f[11]) + int(f[12])) / ticks for f in fields]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--concurrency", type=int, default=None, help="questions answered at once (default: settings)")
    parser.add_argument("--workers", type=int, default=None, help="answer worker processes (default: settings)")
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "load.json")
    args = parser.parse_args()
    common.setup_logging()
    from rag.app.ui import launch_app

    work = Path(tempfile.gettempdir()) / "bench-load"
    overrides: dict[str, Any] = {"corpus_dir": common.PROJECT / "corpus", "host": "127.0.0.1", "port": free_port()}
    if args.concurrency is not None:
        overrides["ask_concurrency"] = args.concurrency
    if args.workers is not None:
        overrides["answer_workers"] = args.workers
    settings = common.make_settings(work / "index", **overrides)
    demo, qa = launch_app(settings, block=False)
    url = demo.local_url
    while getattr(qa, "workers", None) is not None and qa.workers.ready() < settings.answer_workers:  # measure the workers, not startup
        time.sleep(0.2)
    pool = questions()
    try:
        memory_before = rss_mib(app_pids(qa))
        lone = run_clients(url, [pool[:10]])  # one client: a lone question's latency
        cpu_before = cpu_seconds(app_pids(qa))
        crowd = run_clients(url, [[pool[(c * args.questions + q) % len(pool)] for q in range(args.questions)]
                                  for c in range(args.clients)])
        cpu = [round(after - before, 1) for before, after in zip(cpu_before, cpu_seconds(app_pids(qa)), strict=True)]
        crowd["app_cpu_s"], crowd["workers_cpu_s"] = cpu[0], cpu[1:]
        memory_after = rss_mib(app_pids(qa))
    finally:
        demo.close()
        qa.close()
    payload = {"benchmark": "load", "machine": common.machine_info(), "code": common.code_state(),
               "ask_concurrency": settings.ask_concurrency,
               "answer_workers": getattr(settings, "answer_workers", 0), "lone": lone, "crowd": crowd,
               "rss_mib": {"before": memory_before, "after": memory_after}}
    common.write_result(args.out, payload)
    logger.info("workers %d, concurrency %d: lone p50 %.2f s p95 %.2f s; %d clients: %.2f answers/s, p50 %.2f s, p95 %.2f s, "
                "%d errors; RSS %.0f → %.0f MiB", getattr(settings, "answer_workers", 0), settings.ask_concurrency, lone["p50_s"], lone["p95_s"],
                crowd["clients"], crowd["answers_per_s"], crowd["p50_s"], crowd["p95_s"], crowd["errors"],
                memory_before, memory_after)
    logger.info("CPU seconds during the crowd: app %.1f, workers %s, clients %.1f (wall %.1f s)", crowd["app_cpu_s"],
                crowd["workers_cpu_s"], crowd["clients_cpu_s"], crowd["wall_s"])


if __name__ == "__main__":
    main()
