"""Subprocess entry point for the crash-recovery test.

    python -m helpers.ingest_worker ingest CONFIG_JSON   # ingest corpus_dir with a slow FakeEmbedder

CONFIG_JSON holds Settings fields (paths as strings) plus "delay" (seconds of sleep per passage).
An index held by another process makes it print a one-line error to stderr and exit with status 3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers.fakes import FakeEmbedder

from rag.ingest.index import Index
from rag.settings import Settings
from rag.store.base import IndexLockedError


def main(argv: list[str]) -> int:
    mode, config = argv[0], json.loads(argv[1])
    delay = float(config.pop("delay", 0.0))
    settings = Settings(_env_file=None, **config)
    embedder = FakeEmbedder(delay=delay)
    try:
        index = Index.open(settings, embedder)
    except IndexLockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    with index:
        if mode == "ingest":
            report = index.ingest([Path(settings.corpus_dir)])
            print(json.dumps({"added": len(report.added), "embedded": report.chunks_embedded}), flush=True)
        else:
            raise SystemExit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
