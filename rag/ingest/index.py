"""The index: embedder + Qdrant store + manifest, owned by one process.

Usage::

    with Index.open(settings) as index:
        report = index.ingest([Path("corpus")])
        index.documents()                    # what is searchable
        index.remove("old.pdf")

Writes are serialized by a lock; queries read ``visible_hashes()``, a snapshot that changes only when a
document is completely in the store, so a reader never sees a half-indexed document.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rag.ingest.bookkeeping import (
    TEXT_PIPELINE,
    EmbeddingError,
    IngestReport,
    NoRoomError,
    ProgressCallback,
    SkippedFile,
    collect_files,
    content_hash,
    document_record,
    drop_path,
    elapsed_since,
)
from rag.ingest.disk import disk_errors, ensure_room_to_open, space_problem
from rag.ingest.documents import UnreadableDocumentError
from rag.ingest.integrity import (
    IndexConfigError,
    IndexDamagedError,
    hide_incomplete,
    open_checked_store,
    read_manifest,
)
from rag.ingest.loaders import load_document
from rag.ingest.manifest import DocumentRecord, Manifest, load_manifest, save_manifest
from rag.settings import Settings
from rag.store.base import Store, point_id
from rag.store.embedding import Embedder, get_embedder

if TYPE_CHECKING:
    from llama_index.core.ingestion import IngestionPipeline

logger = logging.getLogger(__name__)

UPSERT_BATCH = 64
__all__ = ["Index", "IndexConfigError", "IndexDamagedError"]


class Index:
    def __init__(self, settings: Settings, embedder: Embedder, store: Store, manifest: Manifest) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self._manifest = manifest
        self._pipeline: IngestionPipeline | None = None  # chunk → room on disk? → embed; built by the first ingest
        self._write_lock = threading.Lock()
        self._visible: frozenset[str] = frozenset(manifest.documents)
        # Queries may skip the visible-documents filter (costly at scale) while the store is known to
        # hold points of visible documents only: known after an orphan check, lost while a write puts
        # points of a not-yet-visible document in (or hides one before deleting its points).
        self._store_clean = False
        self._orphans_checked = False
        self._write_generation = 0

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "Index":
        manifest = read_manifest(settings)  # first (no model loaded): IndexDamagedError if unreadable
        ensure_room_to_open(settings)  # DiskFullError, not a bus error in the store's first write
        embedder = embedder or get_embedder(settings)
        if manifest.embed_model and (manifest.embed_model != embedder.name or manifest.dim != embedder.dim):
            raise IndexConfigError(
                f"The index in {settings.index_dir} was built with {manifest.embed_model!r}, not "
                f"{embedder.name!r}. Run `rag ingest --rebuild` (or choose another RAG_INDEX_DIR)."
            )
        store = open_checked_store(settings, embedder.dim)  # a sample read: IndexDamagedError if damaged
        if store.exclusive:
            hide_incomplete(manifest, store)  # never report documents the store cannot search
        manifest.embed_model, manifest.dim = embedder.name, embedder.dim
        return cls(settings, embedder, store, manifest)

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # --- reading ----------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.settings.index_dir / "manifest.json"

    def visible_hashes(self) -> frozenset[str]:
        return self._visible

    def clean_generation(self) -> int | None:
        """A token that stays the same while every point in the store belongs to a visible document,
        or None when that is not known (then queries must filter by ``visible_hashes()``). Compare the
        token before and after a query: a change means a write began meanwhile."""
        if not self._store_clean or not self.store.exclusive:
            return None
        return self._write_generation

    @contextmanager
    def _hidden_write(self) -> Iterator[None]:
        """Around a store write that leaves points of an invisible document behind until it completes;
        if it fails, only the next orphan check can tell the store clean again."""
        self._store_clean = False
        self._write_generation += 1
        try:
            yield
        except BaseException:
            self._orphans_checked = False
            raise

    def state(self) -> tuple[frozenset[str], int]:
        """What readers' caches key on: the visible documents and the write generation (changes with
        every write, so a cache of term statistics (``rag.retrieval.statistics``) is read again)."""
        return self._visible, self._write_generation

    def snapshot(self) -> tuple[Manifest, frozenset[str], int]:
        """A copy of what a reader sees — the manifest, the visible documents, the write generation — for a
        reader in another process (``rag.app.workers``); taken while ingest may add (no lock)."""
        m = self._manifest
        copied = Manifest(embed_model=m.embed_model, dim=m.dim, documents=dict(list(m.documents.items())),
                          paths=dict(list(m.paths.items())))
        return copied, self._visible, self._write_generation

    def documents(self) -> list[DocumentRecord]:
        records = list(self._manifest.documents.values())  # a snapshot: ingest may add meanwhile
        return sorted(records, key=lambda r: r.names[0] if r.names else r.doc_hash)

    def record(self, doc_hash: str) -> DocumentRecord | None:
        return self._manifest.documents.get(doc_hash)

    def hash_for_name(self, name: str) -> str | None:
        return self._manifest.hash_for_name(name)

    def hashes_for_name(self, name: str) -> set[str]:
        """Every document found under the file name ``name`` (equal names in two folders), or the
        document whose hash is ``name``."""
        return self._manifest.hashes_for_name(name)

    def paths(self) -> dict[str, str]:
        """A snapshot of the indexed files: absolute path -> doc hash."""
        return dict(self._manifest.paths)

    def chunk_count(self) -> int:
        return sum(r.chunks for r in list(self._manifest.documents.values()))

    # --- writing ----------------------------------------------------------------------------
    def _publish(self) -> None:
        self.store.flush()
        try:
            save_manifest(self._manifest, self.manifest_path)
        except BaseException:  # e.g. a full disk: back to what was published (its points are orphans now)
            published = load_manifest(self.manifest_path) if self.manifest_path.exists() else Manifest()
            published.embed_model, published.dim = self._manifest.embed_model, self._manifest.dim
            self._manifest, self._visible = published, frozenset(published.documents)
            self._store_clean = self._orphans_checked = False
            raise
        self._visible = frozenset(self._manifest.documents)
        self._store_clean = self._orphans_checked

    def ingest(self, paths: Iterable[Path], progress: ProgressCallback | None = None, prune: bool = True) -> IngestReport:
        """Bring the index in line with the files under ``paths``; see module docstring."""
        started = time.perf_counter()
        with self._write_lock, disk_errors(self.settings.index_dir):  # a full disk: DiskFullError, in words
            roots = [Path(p).resolve() for p in paths]
            files, skipped = collect_files(roots, self.settings.allowed_suffixes)
            report = IngestReport(files_seen=len(files) + len(skipped), skipped=skipped)
            self._collect_orphans()  # first, so a document missing from the store is re-indexed now
            seen: set[str] = set()
            for done, path in enumerate(files):
                if progress:
                    progress(path.name, done, len(files))
                seen.add(str(path))
                self._ingest_file(path, report)
            if progress:
                progress("done", len(files), len(files))
            if prune:
                self._prune(roots, seen, report)
            self._collect_orphans()
            self._publish()
            if report.chunks_embedded >= self.settings.optimize_min_new_chunks:
                if (problem := space_problem(self.settings, self.chunk_count())) is None:  # merging rewrites it all
                    self.store.optimize()  # searchable before; faster after (HNSW built, segments merged)
                else:
                    logger.warning("not optimizing the index: %s", problem)
            report.chunks_total = self.chunk_count()
            report.seconds = elapsed_since(started)
            return report

    def _ingestion_pipeline(self) -> IngestionPipeline:
        """The llama-index pipeline, built (and llama-index imported) on first use: reading the index
        (``rag search``, ``rag ask``) never needs it. Called under the write lock."""
        if self._pipeline is None:
            from rag.ingest.pipeline import ingestion_pipeline

            self._pipeline = ingestion_pipeline(self.settings, self.embedder)
        return self._pipeline

    def _ingest_file(self, path: Path, report: IngestReport) -> None:
        key = str(path)
        try:
            size = path.stat().st_size
            max_bytes = int(self.settings.max_file_mb * 1024 * 1024)
            if size > max_bytes:
                raise UnreadableDocumentError(f"file is larger than the {self.settings.max_file_mb:g} MB limit")
            doc_hash = content_hash(path.read_bytes())
        except (OSError, UnreadableDocumentError) as error:
            report.skipped.append(SkippedFile(path.name, str(error)))
            return
        previous = self._manifest.paths.get(key)
        known = self._manifest.documents.get(doc_hash)
        current = known is not None and known.analyzer == TEXT_PIPELINE
        if previous == doc_hash and current:
            report.unchanged.append(path.name)
            return
        if known is not None and current:  # same content under another name
            record = known
            if previous is not None:
                self._forget(key)
            self._manifest.paths[key] = doc_hash
            if path.name not in record.names:
                record.names.append(path.name)
            report.duplicates.append(f"{path.name} = {record.names[0]}")
            self._publish()
            return
        from rag.ingest.pipeline import build_points, document_node

        try:  # load, then chunk → room on disk? → embed; nothing of a skipped document is written
            doc = load_document(path, max_bytes=max_bytes)
            chunks = self._ingestion_pipeline().run(documents=[document_node(doc, doc_hash)])
            if not chunks:
                raise UnreadableDocumentError("no extractable text")
        except (UnreadableDocumentError, NoRoomError) as error:
            report.skipped.append(SkippedFile(path.name, str(error)))
            return
        except EmbeddingError:  # the model, not the file: stop
            raise
        except Exception as error:  # a loader or chunker bug must not stop the rest of the corpus
            logger.exception("failed to read %s", path.name)
            report.skipped.append(SkippedFile(path.name, f"could not be read: {type(error).__name__}: {error}"))
            return
        # A new document's points are in the store before it is visible (re-analysis overwrites a
        # visible one's in place).
        with self._hidden_write() if known is None else nullcontext():
            for start in range(0, len(chunks), UPSERT_BATCH):
                self.store.upsert(build_points(doc, doc_hash, chunks[start : start + UPSERT_BATCH], self.settings))
        report.chunks_embedded += len(chunks)
        if known is not None:  # indexed by an older text pipeline: its points were overwritten in place
            self.store.delete_points([point_id(doc_hash, i) for i in range(len(chunks), known.chunks)])
            known.chunks, known.analyzer = len(chunks), TEXT_PIPELINE
            if previous is not None and previous != doc_hash:
                self._forget(key)
            self._manifest.paths[key] = doc_hash
            if path.name not in known.names:
                known.names.append(path.name)
            report.updated.append(path.name)
            self._publish()
            return
        if previous is not None:
            self._forget(key)
            report.updated.append(path.name)
        else:
            report.added.append(path.name)
        self._manifest.documents[doc_hash] = document_record(doc, doc_hash, len(chunks), size)
        self._manifest.paths[key] = doc_hash
        self._publish()

    def _forget(self, key: str) -> None:
        gone = drop_path(self._manifest, key)
        if gone:
            with self._hidden_write():
                self._visible = frozenset(self._manifest.documents)
                self.store.delete_docs([gone])

    def _prune(self, roots: list[Path], seen: set[str], report: IngestReport) -> None:
        """Forget files that were under an ingested folder (or named directly) and are gone now."""
        for key in list(self._manifest.paths):
            path = Path(key)
            under_root = any(path == root or root in path.parents for root in roots)
            if under_root and key not in seen and not path.exists():
                self._forget(key)
                report.removed.append(path.name)

    def _collect_orphans(self) -> None:
        """Delete points of documents the manifest does not list (an interrupted run's leftovers)."""
        counts = self.store.doc_chunk_counts()
        orphans = [h for h in counts if h not in self._manifest.documents]
        if orphans:
            logger.info("removing %d orphan document(s) left by an interrupted run", len(orphans))
            self.store.delete_docs(orphans)
        for doc_hash, record in list(self._manifest.documents.items()):
            if counts.get(doc_hash, 0) != record.chunks:
                logger.warning("document %s is incomplete in the store; it will be re-indexed", record.names)
                del self._manifest.documents[doc_hash]
                for key in [k for k, h in self._manifest.paths.items() if h == doc_hash]:
                    del self._manifest.paths[key]
                self.store.delete_docs([doc_hash])
        self._orphans_checked = True  # every point left belongs to a listed document

    def remove_path(self, path: str | Path) -> bool:
        """Forget the one file the manifest recorded at ``path`` (an absolute path, as ``paths()`` lists
        it): its document leaves the index when this was its last file; a document with equal content or
        an equal name elsewhere stays. True if the path was indexed. If the store or the manifest write
        fails, the index in memory is as before (and the store is re-checked by the next ingest)."""
        key = str(path)
        with self._write_lock:
            if key not in self._manifest.paths:
                return False
            before = copy.deepcopy(self._manifest)
            try:
                self._forget(key)
                self._publish()
            except BaseException:
                self._manifest = before
                self._visible = frozenset(before.documents)
                raise
            return True

    def remove(self, name: str) -> bool:
        """Remove a document by file name (all its names) or hash; True if something was removed."""
        with self._write_lock:
            doc_hash = self._manifest.hash_for_name(name)
            if doc_hash is None:
                return False
            for key in [k for k, h in self._manifest.paths.items() if h == doc_hash]:
                del self._manifest.paths[key]
            del self._manifest.documents[doc_hash]
            with self._hidden_write():
                self._visible = frozenset(self._manifest.documents)
                self.store.delete_docs([doc_hash])
            self._publish()
            return True
