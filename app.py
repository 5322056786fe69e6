"""PolicyQA web app: ``python app.py`` (settings from RAG_* environment variables or .env).

Loads the models and index once, brings the index in line with RAG_CORPUS_DIR (progress in the log),
then serves the UI on RAG_HOST:RAG_PORT (default http://127.0.0.1:7860).
"""

from __future__ import annotations

import logging

from rag.settings import get_settings
from rag.ui import launch_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = get_settings()
    logging.getLogger("app").info("starting PolicyQA on http://%s:%d", settings.host, settings.port)
    demo, qa = launch_app(settings, block=True)
    qa.close()


if __name__ == "__main__":
    main()
