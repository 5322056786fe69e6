"""The index manifest: which documents are indexed, under which file names, with what metadata.

A document becomes visible to queries only when the manifest that lists it is written, atomically
(temp file + fsync + rename), *after* its points are in the store. Points of a document the manifest
does not list are orphans of an interrupted run: invisible, and removed by the next ingest.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

MANIFEST_VERSION = 1


@dataclass
class DocumentRecord:
    doc_hash: str
    names: list[str]  # file names (no server paths) this content was found under
    title: str
    language: str
    chunks: int
    size_bytes: int
    date: str | None = None
    publisher: str | None = None
    source_url: str | None = None
    suffix: str = ""
    # The text pipeline (rag.ingest.pipeline.TEXT_PIPELINE: normalization + tokenization) its chunks and sparse
    # vectors were built with; a document indexed by another one is re-indexed in place by the next ingest.
    analyzer: str = ""
    # Its note list (rag.text.footnotes): note number (as a string: JSON keys) -> the note's text. A footnote mark
    # left out of the indexed text links to its note when a passage is opened (rag.app.ui_render).
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class Manifest:
    embed_model: str = ""
    dim: int = 0
    documents: dict[str, DocumentRecord] = field(default_factory=dict)  # by doc_hash
    paths: dict[str, str] = field(default_factory=dict)  # absolute path -> doc_hash

    def hash_for_name(self, name: str) -> str | None:
        for doc_hash, record in list(self.documents.items()):  # a snapshot: ingest may add meanwhile
            if name in record.names or name == doc_hash:
                return doc_hash
        return None

    def hashes_for_name(self, name: str) -> set[str]:
        if name in self.documents:
            return {name}
        return {h for h, record in list(self.documents.items()) if name in record.names}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_VERSION,
            "embed_model": self.embed_model,
            "dim": self.dim,
            "documents": {h: asdict(r) for h, r in self.documents.items()},
            "paths": self.paths,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Manifest":
        return cls(
            embed_model=data.get("embed_model", ""),
            dim=int(data.get("dim", 0)),
            documents={h: _record(r) for h, r in data.get("documents", {}).items()},
            paths=dict(data.get("paths", {})),
        )


def _record(data: dict[str, Any]) -> DocumentRecord:
    """A record, ignoring fields this version does not know (a manifest written by a later one)."""
    known = {f.name for f in fields(DocumentRecord)}
    return DocumentRecord(**{k: v for k, v in data.items() if k in known})


def load_manifest(path: Path) -> Manifest:
    if not path.exists():
        return Manifest()
    return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_manifest(manifest: Manifest, path: Path) -> None:
    """Write atomically: readers see the old or the new manifest, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(manifest.to_json(), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
