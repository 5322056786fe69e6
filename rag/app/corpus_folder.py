"""The corpus folder the app serves: bring the index in line with it, save an upload into it, delete
files from it.

Usage::

    index_corpus(qa, settings)                         # at start: index what the folder holds
    save_upload(Path("/tmp/x.pdf"), corpus_dir, "x.pdf")
    delete_corpus_files(["x.pdf"], corpus_dir)
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from rag.app.service import PolicyQA
from rag.ingest.pipeline import IngestReport
from rag.settings import Settings

logger = logging.getLogger(__name__)


def index_corpus(qa: PolicyQA, settings: Settings) -> IngestReport | None:
    """Bring the index in line with ``settings.corpus_dir``, logging progress."""
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        logger.warning("corpus folder %s does not exist; starting with the current index", corpus)
        return None
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
    temporary = corpus_dir / f".upload-{uuid.uuid4().hex}{target.suffix}"  # hidden: never ingested
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def delete_corpus_files(names: list[str], corpus_dir: Path) -> list[str]:
    """Delete the files called ``names`` that lie inside ``corpus_dir``; returns what was deleted."""
    if not corpus_dir.is_dir():
        return []
    root = corpus_dir.resolve()
    deleted = []
    for path in root.rglob("*"):
        if path.name in names and path.is_file() and root in path.resolve().parents:
            try:
                path.unlink()
                deleted.append(path.name)
            except OSError as error:
                logger.warning("could not delete %s: %s", path, error)
    return deleted
