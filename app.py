"""PolicyQA web app: ``python app.py`` (settings from RAG_* environment variables or .env).

Loads the models and index once, brings the index in line with RAG_CORPUS_DIR (progress in the log),
then serves the UI on RAG_HOST:RAG_PORT (default http://127.0.0.1:7860). The UI and its API
endpoints (/ask, /check_claim for gradio_client) are built in rag/ui.py.
"""

from __future__ import annotations

import logging
import sys

from rag.app.ui import launch_app
from rag.ingest.disk import DiskFullError
from rag.ingest.index import IndexConfigError
from rag.settings import get_settings

logger = logging.getLogger("app")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = get_settings()
    logger.info("starting PolicyQA on http://%s:%d (corpus %s, index %s)",
                settings.host, settings.port, settings.corpus_dir, settings.index_dir)
    try:
        _, qa = launch_app(settings, block=True)
    except (IndexConfigError, DiskFullError) as error:  # another model, a damaged index, a full disk: one line
        logger.error("%s", error)
        return 1
    qa.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
