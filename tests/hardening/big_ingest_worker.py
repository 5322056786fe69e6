"""Subprocess for test_big_inputs: ingest a folder with a fast fake embedder, report memory and progress.

    python big_ingest_worker.py CONFIG_JSON

CONFIG_JSON holds Settings fields (paths as strings) plus "query" (a phrase to search for afterwards).
Prints one JSON line: the ingest report, progress calls, resident memory before / peak, the top hit.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from hardening_helpers import QuickFakeEmbedder, consistency_problems

from rag.ingest.index import Index
from rag.retrieval.retriever import Retriever
from rag.settings import Settings


def current_rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / (1024 * 1024)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: this program's own). Not ``getrusage``'s ru_maxrss: Linux keeps
    the parent's high-water mark across fork and exec, so a test process that had loaded a model (2.4 GB) made a
    small ingest look like 2.3 GB of growth (session 22)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        line = next(row for row in handle if row.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024  # kB


def main(argv: list[str]) -> int:
    config = json.loads(argv[0])
    query = config.pop("query")
    settings = Settings(_env_file=None, **config)
    calls: list[list[object]] = []
    with Index.open(settings, QuickFakeEmbedder()) as index:
        before = current_rss_mb()
        report = index.ingest([Path(settings.corpus_dir)], progress=lambda m, d, t: calls.append([m, d, t]))
        peak = peak_rss_mb()
        hits = Retriever(index, settings).run(query, k=3).hits
        out = {
            "report": report.to_json(),
            "progress": calls,
            "rss_before_mb": round(before, 1),
            "rss_peak_mb": round(peak, 1),
            "problems": consistency_problems(index),
            "top": [{"doc": h.doc, "text": h.text} for h in hits[:1]],
        }
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
