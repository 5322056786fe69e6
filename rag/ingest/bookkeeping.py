"""Ingestion's bookkeeping, without llama-index: which files, their content hashes, the manifest records,
the run's report and progress. ``rag.ingest.pipeline`` holds the llama-index steps (chunk → room on disk?
→ embed → points); commands that only read the index (``rag search``, ``rag ask``, ``rag docs``) import
this module, not that one, and so never load llama-index.

Usage::

    files, skipped = collect_files([Path("corpus")], settings.allowed_suffixes)
    report = IngestReport(files_seen=len(files) + len(skipped), skipped=skipped)
    doc_hash = content_hash(path.read_bytes())
    date_number("2024-10-26")                      # 20241026, for range filters
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.ingest.documents import LoadedDocument
from rag.ingest.gloss import GLOSS_VERSION
from rag.ingest.manifest import DocumentRecord, Manifest
from rag.ingest.titles import TITLE_RULE
from rag.text.footnotes import note_texts, read_notes
from rag.text.language import detect_language
from rag.text.lexical import ANALYZER
from rag.text.normalize import NORMALIZATION
from rag.text.sentences import SENTENCE_RULE

# The text pipeline (normalization + tokenization) a document was indexed with; a document indexed by
# another one is re-indexed in place by the next ingest.
TEXT_PIPELINE = f"{ANALYZER}; {NORMALIZATION}; {GLOSS_VERSION}; {TITLE_RULE}; {SENTENCE_RULE}"

ProgressCallback = Callable[[str, int, int], None]  # (message, done, total)
DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


@dataclass
class SkippedFile:
    name: str
    reason: str


@dataclass
class IngestReport:
    files_seen: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    chunks_total: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.skipped

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def date_number(value: str | None) -> int | None:
    """'2024-10-26' → 20241026 (for range filters)."""
    if not value:
        return None
    match = DATE.search(str(value))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return year * 10000 + month * 100 + day


def collect_files(paths: Iterable[Path], suffixes: tuple[str, ...]) -> tuple[list[Path], list[SkippedFile]]:
    """Files under ``paths`` with a supported suffix (hidden files ignored), and the ones passed over."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    if child.suffix.lower() in suffixes:
                        files.append(child)
                    else:
                        skipped.append(SkippedFile(child.name, f"unsupported file type {child.suffix or '(none)'}"))
        elif path.is_file():
            if path.suffix.lower() in suffixes:
                files.append(path)
            else:
                skipped.append(SkippedFile(path.name, f"unsupported file type {path.suffix or '(none)'}"))
        else:
            skipped.append(SkippedFile(path.name, "no such file or folder"))
    return files, skipped


class NoRoomError(Exception):
    """No room on the disk for a document's points (the message says so): it is skipped, unembedded."""


class EmbeddingError(RuntimeError):
    """The embedder failed (``__cause__`` says how): unlike a file that cannot be read, this stops the ingest."""


def document_record(doc: LoadedDocument, doc_hash: str, chunks: int, size: int) -> DocumentRecord:
    meta = doc.metadata
    return DocumentRecord(
        doc_hash=doc_hash,
        names=[doc.path.name],
        title=str(meta.get("display_title") or meta.get("title") or doc.path.stem),
        language=str(meta.get("language") or detect_language(doc.raw_text[doc.body_start:][:20000])),
        chunks=chunks,
        size_bytes=size,
        date=str(meta["date"]) if meta.get("date") else None,
        publisher=str(meta["publisher"]) if meta.get("publisher") else None,
        source_url=str(meta["source_url"]) if meta.get("source_url") else None,
        suffix=doc.path.suffix.lower(),
        analyzer=TEXT_PIPELINE,
        notes={str(n): text for n, text in note_texts(read_notes(doc.raw_text, doc.body_start)).items()},
    )


def drop_path(manifest: Manifest, path_key: str) -> str | None:
    """Forget a path; returns the doc hash that lost its last name (its points must go), if any."""
    old_hash = manifest.paths.pop(path_key, None)
    if old_hash is None or old_hash not in manifest.documents:
        return None
    name = Path(path_key).name
    still_named = any(h == old_hash and Path(p).name == name for p, h in manifest.paths.items())
    record = manifest.documents[old_hash]
    if not still_named and name in record.names:
        record.names.remove(name)
    if any(h == old_hash for h in manifest.paths.values()):
        return None
    del manifest.documents[old_hash]
    return old_hash


def default_progress() -> ProgressCallback | None:
    """A tqdm bar on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(message: str, done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="file", desc="ingest", leave=False)
        bar["bar"].set_postfix_str(message[:40])
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()

    return update


def elapsed_since(start: float) -> float:
    return round(time.perf_counter() - start, 3)
