"""Fixtures for the hardening tests: one running PolicyQA app (real embedder, temp index, 2-file corpus).

The app is session-scoped (loading the model and indexing take ~40 s on 2 cores) and is shared by
test_cli_lock.py (it holds the index the CLI must not open), test_concurrency.py and test_bad_inputs.py.
Tests that would damage the shared index use their own ``Index`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hardening_helpers import CORPUS_FILES
from helpers.app import running_app


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
    tmp = tmp_path_factory.mktemp("hardening_app")
    # upload_max_mb=1: the "too big" upload path can be tried without writing 20 MB files
    with running_app(tmp, CORPUS_FILES, upload_max_mb=1.0) as (demo, qa, settings, corpus):
        yield HardeningApp(url=demo.local_url, corpus_dir=corpus, index_dir=tmp / "index",
                           names=list(CORPUS_FILES), demo=demo, qa=qa, settings=settings)


@pytest.fixture(scope="session")
def app_client(hardening_app: HardeningApp):
    from gradio_client import Client

    return Client(hardening_app.url, verbose=False)
