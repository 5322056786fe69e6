"""Subprocess for test_crash_upload: what the Library tab's upload does, slowly enough to be killed.

    python upload_worker.py CONFIG_JSON

CONFIG_JSON holds Settings fields (paths as strings) plus "source" (the uploaded file), "name" (its
name in the corpus folder) and "delay" (seconds of sleep per stored point, after each batch is written).
The file is saved with rag.app.corpus_folder.save_upload and ingested with prune=False, as the UI does.
Prints "upserted N" after every batch of points written to the store and "done" at the end (stdout,
flushed).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from helpers.fakes import FakeEmbedder

from rag.app.corpus_folder import save_upload
from rag.ingest.index import Index
from rag.settings import Settings


def main(argv: list[str]) -> int:
    config = json.loads(argv[0])
    source, name, delay = Path(config.pop("source")), config.pop("name"), float(config.pop("delay"))
    settings = Settings(_env_file=None, **config)
    with Index.open(settings, FakeEmbedder()) as index:
        upsert, batches = index.store.upsert, [0]

        def reporting_upsert(points):  # type: ignore[no-untyped-def]
            upsert(points)
            batches[0] += 1
            print(f"upserted {batches[0]}", flush=True)
            time.sleep(delay * len(points))

        index.store.upsert = reporting_upsert  # type: ignore[method-assign]
        print("opened", flush=True)
        target = save_upload(source, settings.corpus_dir, name)
        print("saved", flush=True)
        report = index.ingest([target], prune=False)
        print("done " + json.dumps(report.to_json()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
