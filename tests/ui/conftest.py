"""A running PolicyQA web app for the UI tests: temp index, a 2-file copy of the bundled corpus, free port.

One app per test session (opening the model and indexing take a while); it is closed at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILES = ["000_187dd3f74430c8b6.txt", "001_38b74790e283ffa7.txt"]  # US AI memorandum; global AI governance


@dataclass
class RunningApp:
    url: str
    corpus_dir: Path
    names: list[str]
    qa: object


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    from rag.settings import Settings
    from rag.ui import launch_app

    tmp = tmp_path_factory.mktemp("ui_app")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in CORPUS_FILES:
        shutil.copyfile(PROJECT_ROOT / "corpus" / name, corpus / name)
        (corpus / name).chmod(0o644)
    with pytest.MonkeyPatch.context() as patch:  # no RAG_* variables, no .env
        for key in list(os.environ):
            if key.upper().startswith("RAG_"):
                patch.delenv(key, raising=False)
        patch.chdir(tmp)
        settings = Settings(_env_file=None, index_dir=tmp / "index", corpus_dir=corpus, host="127.0.0.1",
                            port=free_port(), ui_language="zh")
        demo, qa = launch_app(settings, block=False)
    try:
        yield RunningApp(url=demo.local_url, corpus_dir=corpus, names=list(CORPUS_FILES), qa=qa)
    finally:
        demo.close()
        qa.close()
