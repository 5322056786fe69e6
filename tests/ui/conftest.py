"""A running PolicyQA web app for the UI tests: temp index, a 2-file copy of the bundled corpus, free port.

One app per test session (opening the model and indexing take a while); it is closed at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.app import running_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILES = ["000_187dd3f74430c8b6.txt", "001_38b74790e283ffa7.txt"]  # US AI memorandum; global AI governance


@dataclass
class RunningApp:
    url: str
    corpus_dir: Path
    names: list[str]
    qa: object


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("ui_app"), CORPUS_FILES) as (demo, qa, _, corpus):
        yield RunningApp(url=demo.local_url, corpus_dir=corpus, names=list(CORPUS_FILES), qa=qa)
