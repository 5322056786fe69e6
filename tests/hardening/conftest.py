"""Fixtures for the hardening tests: one running PolicyQA app (real embedder, temp index, 2-file corpus).

The app is session-scoped (loading the model and indexing take ~40 s on 2 cores) and is shared by
test_cli_lock.py (it holds the index the CLI must not open), test_concurrency.py and test_bad_inputs.py.
Tests that would damage the shared index use their own ``Index`` instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hardening_helpers import CORPUS_FILES, PROJECT_ROOT, free_port


@dataclass
class HardeningApp:
    url: str
    corpus_dir: Path
    index_dir: Path
    names: list[str]
    demo: object
    qa: object
    settings: object


@pytest.fixture(scope="session")
def hardening_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HardeningApp]:
    from rag.settings import Settings
    from rag.ui import launch_app

    tmp = tmp_path_factory.mktemp("hardening_app")
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
        # upload_max_mb=1: the "too big" upload path can be tried without writing 20 MB files
        settings = Settings(_env_file=None, index_dir=tmp / "index", corpus_dir=corpus, host="127.0.0.1",
                            port=free_port(), ui_language="zh", upload_max_mb=1.0)
        demo, qa = launch_app(settings, block=False)
    try:
        yield HardeningApp(url=demo.local_url, corpus_dir=corpus, index_dir=tmp / "index",
                           names=list(CORPUS_FILES), demo=demo, qa=qa, settings=settings)
    finally:
        demo.close()
        qa.close()


@pytest.fixture(scope="session")
def app_client(hardening_app: HardeningApp):
    from gradio_client import Client

    return Client(hardening_app.url, verbose=False)
