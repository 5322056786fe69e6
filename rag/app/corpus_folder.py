"""The corpus folder the app serves: bring the index in line with it, save an upload into it (removing a
file goes by its exact path: rag.app.library).

Usage::

    index_corpus(qa, settings)                         # at start: clean leftovers, index what the folder holds
    save_upload(Path("/tmp/x.pdf"), corpus_dir, "x.pdf")
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from rag.app.service import PolicyQA
from rag.ingest.bookkeeping import IngestReport
from rag.settings import Settings

logger = logging.getLogger(__name__)

UPLOAD_PREFIX = ".upload-"  # an upload being copied in (hidden: never ingested)
REMOVING_PREFIX = ".removing-"  # a file being removed (rag.app.library.remove_entry)


def clean_leftovers(corpus_dir: Path) -> list[Path]:
    """Delete what a killed process left in the library folder: partial uploads and files whose removal
    was under way (the start's ingest then forgets their paths). Returns what was deleted."""
    deleted: list[Path] = []
    if not corpus_dir.is_dir():
        return deleted
    for pattern in (f"{UPLOAD_PREFIX}*", f"{REMOVING_PREFIX}*"):
        for path in corpus_dir.rglob(pattern):
            if path.is_file() or path.is_symlink():
                try:
                    path.unlink()
                    deleted.append(path)
                except OSError as error:
                    logger.warning("could not delete the leftover %s: %s", path, error)
    if deleted:
        logger.info("deleted %d leftover file(s) of an interrupted upload or removal", len(deleted))
    return deleted


def index_corpus(qa: PolicyQA, settings: Settings) -> IngestReport | None:
    """Bring the index in line with ``settings.corpus_dir``, logging progress."""
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        logger.warning("corpus folder %s does not exist; starting with the current index", corpus)
        return None
    clean_leftovers(corpus)
    logger.info("indexing %s …", corpus)

    def progress(message: str, done: int, total: int) -> None:
        if done < total:
            logger.info("indexing [%d/%d] %s", done + 1, total, message)

    report = qa.ingest([corpus], progress=progress)
    for skipped in report.skipped:
        logger.warning("not indexed: %s (%s)", skipped.name, skipped.reason)
    status = qa.status()
    logger.info(
        "index ready in %.1f s: %d added, %d updated, %d removed, %d unchanged; %d documents, %d chunks",
        report.seconds, len(report.added), len(report.updated), len(report.removed), len(report.unchanged),
        status["documents"], status["chunks"],
    )
    return report


def save_upload(source: Path, corpus_dir: Path, name: str) -> Path:
    """Copy an upload into the corpus folder under ``name`` (atomically: temp file, then rename)."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    target = corpus_dir / name
    temporary = corpus_dir / f"{UPLOAD_PREFIX}{uuid.uuid4().hex}{target.suffix}"  # hidden: never ingested
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def discard_upload_copies(files: list[str], upload_folder: Path) -> int:
    """Delete the web server's own copies of uploaded files once they were read (Gradio keeps each upload in
    its upload folder, downloadable at ``/gradio_api/file=…`` until the process ends — after the document is
    removed from the library too). Only files inside ``upload_folder`` are touched. Returns how many went."""
    root = upload_folder.resolve()
    removed = 0
    for file in files:
        path = Path(file).resolve()
        if path.is_file() and path.is_relative_to(root) and path != root:
            try:
                path.unlink()
                removed += 1
            except OSError as error:  # the upload itself is handled; a copy left behind is logged, not fatal
                logger.warning("could not delete the uploaded copy %s: %s", path, error)
    return removed
