"""Start the real PolicyQA web app for a test session: temp index, a copy of some corpus files, a free
port, no RAG_* variables and no .env. Shared by the UI and hardening fixtures."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(tmp: Path, corpus_files: list[str], **overrides: Any) -> Iterator[tuple[Any, Any, Any, Path]]:
    """Yields (demo, qa, settings, corpus_dir) of an app listening on 127.0.0.1; closes both after."""
    from rag.app.ui import launch_app
    from rag.settings import Settings

    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in corpus_files:
        shutil.copyfile(PROJECT_ROOT / "corpus" / name, corpus / name)
        (corpus / name).chmod(0o644)
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.upper().startswith("RAG_"):
                patch.delenv(key, raising=False)
        patch.chdir(tmp)
        settings = Settings(_env_file=None, index_dir=tmp / "index", corpus_dir=corpus, host="127.0.0.1",
                            port=free_port(), ui_language="zh", **overrides)
        demo, qa = launch_app(settings, block=False)
    try:
        yield demo, qa, settings, corpus
    finally:
        demo.close()
        qa.close()
