"""Incremental, idempotent, crash-safe ingestion of files into the index.

Usage::

    with Index.open(settings) as index:
        report = index.ingest([Path("corpus")])

Per file: hash the bytes; skip when the content is already indexed (also under another name); else
load → normalize → chunk → embed → upsert (deterministic point ids) → publish in the manifest.
Finally drop documents whose files are gone and any orphan points of an interrupted run.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.ingest.chunking import Chunk, chunk_text
from rag.ingest.documents import LoadedDocument
from rag.ingest.gloss import GLOSS_VERSION, passage_gloss
from rag.ingest.manifest import DocumentRecord, Manifest
from rag.ingest.titles import TITLE_RULE
from rag.settings import Settings
from rag.store.base import StoredPoint, point_id
from rag.store.embedding import Embedder
from rag.text.language import detect_language
from rag.text.lexical import ANALYZER, document_vector, tokenize
from rag.text.lexicon import load_lexicon
from rag.text.normalize import NORMALIZATION, normalize

# The text pipeline (normalization + tokenization) a document was indexed with; a document indexed by
# another one is re-indexed in place by the next ingest.
TEXT_PIPELINE = f"{ANALYZER}; {NORMALIZATION}; {GLOSS_VERSION}; {TITLE_RULE}"

logger = logging.getLogger(__name__)

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


def chunk_document(doc: LoadedDocument, settings: Settings, count_tokens: Callable[[str], int]) -> list[Chunk]:
    normalized = normalize(doc.raw_text, doc.body_start, wrap_min_chars=settings.wrap_min_chars,
                           running_line_min_repeats=settings.running_line_min_repeats)
    return chunk_text(
        normalized,
        count_tokens,
        settings.chunk_max_tokens,
        settings.chunk_overlap_tokens,
        settings.latin_chunk_ratio,
        doc.page_at if doc.pages else None,
    )


def embedding_text(chunk: Chunk, title: str, settings: Settings) -> str:
    """What the dense model sees: the passage, headed by its document title and section."""
    if not settings.embed_with_title:
        return chunk.text
    parts = [title] + [part for part in chunk.section.split(" > ") if part and part != title]
    return " > ".join(parts) + "\n" + chunk.text


def build_points(
    doc: LoadedDocument, doc_hash: str, chunks: list[Chunk], embedder: Embedder, settings: Settings
) -> list[StoredPoint]:
    title = str(doc.metadata.get("title") or doc.path.stem)  # heads the embeddings; read by evidence scoring
    shown = str(doc.metadata.get("display_title") or title)  # what people see (rag.ingest.titles)
    date = doc.metadata.get("date")
    vectors = embedder.embed_passages([embedding_text(c, title, settings) for c in chunks])
    doc_language = str(doc.metadata.get("language") or detect_language(doc.raw_text[doc.body_start:][:20000]))
    lexicon = load_lexicon()
    points = []
    for chunk, vector in zip(chunks, vectors, strict=True):
        payload = {
            "doc_hash": doc_hash,
            "doc": doc.path.name,
            "title": shown,
            "context_title": title,
            "section": chunk.section,
            "page": chunk.page,
            "start": chunk.start,
            "end": chunk.end,
            "text": chunk.text,
            # [start, end) in ``text`` and [start, end) in the raw file, per sentence: citations
            # point at the exact supporting sentence.
            "sentences": [[a, b, ra, rb] for (a, b), (ra, rb) in zip(chunk.sentences, chunk.sentence_raw, strict=True)],
            "language": chunk.language,
            "doc_language": doc_language,
            "latin_ratio": round(chunk.latin_ratio, 3),
            "native": int(chunk.language == doc_language),
            "chunk_index": chunk.index,
            "date": str(date) if date else None,
            "date_num": date_number(str(date)) if date else None,
        }
        headed_text = f"{chunk.section}\n{chunk.text}"
        tokens = tokenize(headed_text)
        payload["tokens"] = sorted(set(tokens))  # reranking reads them instead of re-segmenting
        payload["gloss"] = passage_gloss(headed_text, payload["tokens"], chunk.language, lexicon, settings)
        sparse = document_vector(tokens)
        points.append(StoredPoint(point_id(doc_hash, chunk.index), vector, sparse, payload))
    return points


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
