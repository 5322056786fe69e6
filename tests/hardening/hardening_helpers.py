"""Small helpers for the hardening tests (importable from subprocess scripts too)."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from helpers.corpus import EN, OBJECTS, SUBJECTS, VERBS
from helpers.fakes import FakeEmbedder, store_point_ids

from rag.ingest.manifest import load_manifest
from rag.store.base import point_id

HARDENING_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = HARDENING_DIR.parents[1]
CORPUS_FILES = ["000_187dd3f74430c8b6.txt", "001_38b74790e283ffa7.txt"]  # US AI memorandum; global AI governance
DEV_QA = next((p for p in (PROJECT_ROOT.parent / "shared" / "eval" / "dev_qa.jsonl",
                           PROJECT_ROOT / "shared" / "eval" / "dev_qa.jsonl") if p.exists()), None)


class QuickFakeEmbedder(FakeEmbedder):
    """FakeEmbedder with an O(1)-per-passage vector (a seeded random unit vector per text).

    The per-character loop of FakeEmbedder costs ~25 s on 20 MB of text; the tests that need
    bag-of-characters similarity use FakeEmbedder itself.
    """

    def _vector(self, text: str) -> np.ndarray:
        vector = np.random.default_rng(zlib.crc32(text.encode("utf-8"))).standard_normal(self.dim)
        return (vector / np.linalg.norm(vector)).astype(np.float32)


def mixed_paragraphs(seed: int):
    """Endless varied Chinese + English paragraphs (with a heading every 20 paragraphs)."""
    rng = random.Random(seed)
    number = 0
    while True:
        number += 1
        if number % 20 == 1:
            yield f"## 第{number}节 Section {number}\n\n"
            continue
        zh = "".join(f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，编号{number}-{k}。"
                     for k in range(rng.randint(2, 5)))
        en = " ".join(rng.choice(EN) for _ in range(rng.randint(1, 3)))
        yield f"{zh} {en} Item {number}.\n\n"


def write_mixed_text(path: Path, size_bytes: int, seed: int = 1) -> int:
    """Write at least ``size_bytes`` bytes of UTF-8 mixed text; returns the size written."""
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        for paragraph in mixed_paragraphs(seed):
            if written >= size_bytes:
                break
            handle.write(paragraph)
            written += len(paragraph.encode("utf-8"))
    return written


def consistency_problems(index: Any) -> list[str]:
    """Where the store and the published manifest disagree (empty list = consistent).

    Every document in the manifest has exactly its chunk count in the store, every point belongs to a
    listed document (no orphans), point ids are the deterministic ones, and queries see exactly the
    manifest's documents.
    """
    manifest = load_manifest(index.manifest_path)
    expected = {h: r.chunks for h, r in manifest.documents.items()}
    counts = index.store.doc_chunk_counts()
    problems = []
    if counts != expected:
        problems.append(f"chunks per document in the store {counts} != manifest {expected}")
    wanted_ids = {point_id(h, i) for h, n in expected.items() for i in range(n)}
    ids = store_point_ids(index.store)
    if ids != wanted_ids:
        problems.append(f"{len(ids - wanted_ids)} orphan point(s), {len(wanted_ids - ids)} missing point(s)")
    if index.store.count() != sum(expected.values()):
        problems.append(f"store count {index.store.count()} != {sum(expected.values())}")
    if set(manifest.paths.values()) != set(manifest.documents):
        problems.append("manifest paths and documents disagree")
    if index.visible_hashes() != frozenset(manifest.documents):
        problems.append("visible documents differ from the manifest")
    return problems


def dev_questions(names: list[str]) -> list[dict[str, Any]]:
    """dev_qa.jsonl items whose evidence lies wholly in ``names`` (empty if the file is absent)."""
    if DEV_QA is None:
        return []
    items = [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = set(names)
    return [item for item in items
            if item.get("evidence") and {e["doc"] for e in item["evidence"]} <= wanted]


# --- the Gradio app's private UI functions ---------------------------------------------------


def ui_function(demo: Any, name: str) -> Any:
    fns = demo.fns.values() if isinstance(demo.fns, dict) else demo.fns
    for block_fn in fns:
        if getattr(block_fn.fn, "__name__", "") == name:
            return block_fn.fn
    raise LookupError(f"no UI function {name!r}")


def component(demo: Any, elem_id: str) -> Any:
    for block in demo.blocks.values():
        if getattr(block, "elem_id", None) == elem_id:
            return block
    raise LookupError(elem_id)


class ProgressRecorder:
    """Stands in for gr.Progress: records (done, total) pairs."""

    def __init__(self) -> None:
        self.steps: list[tuple[int, int]] = []

    def __call__(self, progress: Any, desc: str | None = None, total: Any = None, unit: str = "steps") -> None:
        if isinstance(progress, tuple):
            self.steps.append((int(progress[0]), int(progress[1])))
