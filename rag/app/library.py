"""The Library tab's data: every indexed file by its path in the library folder (equal names in two
folders are told apart), and removing exactly one file so that the index and the folder agree.

Usage::

    entries = library_entries(qa.paths(), qa.documents(), settings.corpus_dir)
    remove_choices(entries)                      # [(label, key)]: one per file, for the remove picker
    filter_choices(entries, qa.documents())      # [(label, doc_hash)]: one per document, for the search filter
    library_rows(entries, qa.documents(), "en")  # the documents table
    removal = remove_entry(qa, key, settings.corpus_dir)
    removal_message(removal, "en")               # Markdown, every user string escaped
    lines = index_uploads(qa, saved_paths, progress, "en")  # the upload report's lines (escaped)

Remove protocol (a file inside the library folder): rename it to a hidden ``.removing-*`` name beside it
(never ingested), forget its path in the index, then delete the renamed file. If forgetting fails the
file is renamed back; if the process dies in between, the next start deletes the hidden file and the
start's ingest forgets the path (the file is gone), so the removal completes. A file outside the library
folder is only forgotten, never deleted. The picker's value is a hash of the path, so no server path is
sent to the browser.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rag.app.corpus_folder import REMOVING_PREFIX
from rag.app.safety import esc
from rag.app.service import PolicyQA
from rag.app.ui_render import language_name, texts
from rag.ingest.bookkeeping import ProgressCallback
from rag.ingest.disk import DiskFullError
from rag.ingest.manifest import DocumentRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LibraryEntry:
    key: str  # the picker's value: a hash of ``path``
    path: str  # the absolute path the manifest recorded
    shown: str  # its path inside the library folder ("sub1/same.txt"); outside it "…/folder/name"
    record: DocumentRecord


def path_key(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def shown_path(path: str, corpus_dir: Path) -> str:
    """The path as the user knows it: relative to the library folder, else its last two parts."""
    for root in (corpus_dir.resolve(), corpus_dir.absolute()):
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            continue
    return "…/" + "/".join(Path(path).parts[-2:])


def library_entries(paths: dict[str, str], records: list[DocumentRecord], corpus_dir: Path) -> list[LibraryEntry]:
    """One entry per indexed file (a document with equal content in two places has two), by path."""
    by_hash = {r.doc_hash: r for r in records}
    entries = [LibraryEntry(path_key(path), path, shown_path(path, corpus_dir), by_hash[doc_hash])
               for path, doc_hash in paths.items() if doc_hash in by_hash]
    return sorted(entries, key=lambda e: (e.shown, e.path))


def _files_of(entries: list[LibraryEntry]) -> dict[str, list[str]]:
    files: dict[str, list[str]] = {}
    for entry in entries:
        files.setdefault(entry.record.doc_hash, []).append(entry.shown)
    return files


def _label(title: str, files: list[str]) -> str:
    shown = ", ".join(files)
    return title if shown in (title, "") else f"{title} ({shown})"


def remove_choices(entries: list[LibraryEntry]) -> list[tuple[str, str]]:
    """(label, key) per file: the title and the file's path, so equal names are told apart."""
    return [(_label(e.record.title, [e.shown]), e.key) for e in entries]


def filter_choices(entries: list[LibraryEntry], records: list[DocumentRecord]) -> list[tuple[str, str]]:
    """(label, doc_hash) per document, labelled with its title and paths."""
    files = _files_of(entries)
    return [(_label(r.title, files.get(r.doc_hash, r.names)), r.doc_hash) for r in records]


def library_rows(entries: list[LibraryEntry], records: list[DocumentRecord], lang: str) -> list[list[Any]]:
    """The documents table (raw strings: Gradio shows table cells as text)."""
    files = _files_of(entries)
    return [[r.title, language_name(r.language, lang), r.date or "", r.chunks, r.publisher or "",
             ", ".join(files.get(r.doc_hash, r.names))] for r in records]


# --- removing one file ---------------------------------------------------------------------------


@dataclass
class Removal:
    status: str  # "removed" | "missing" (not indexed any more) | "failed"
    entry: LibraryEntry | None = None
    deleted: bool = False  # the file was deleted from the library folder
    error: str = ""


def inside(path: Path, corpus_dir: Path) -> bool:
    """Whether ``path`` is a file (or a link, which is moved and deleted itself, never its target) in the
    library folder."""
    root, folder = corpus_dir.resolve(), path.parent.resolve()
    return (path.is_file() or path.is_symlink()) and (folder == root or root in folder.parents)


class Library(Protocol):
    """What a removal needs: the indexed files and their documents (``PolicyQA`` or an ``Index``)."""

    def paths(self) -> dict[str, str]: ...

    def documents(self) -> list[DocumentRecord]: ...

    def remove_path(self, path: str) -> bool: ...


def remove_entry(qa: Library, key: str, corpus_dir: Path) -> Removal:
    """Remove the one file whose picker key is ``key``: from the index, and from the library folder."""
    entry = next((e for e in library_entries(qa.paths(), qa.documents(), corpus_dir) if e.key == key), None)
    if entry is None:
        return Removal("missing")
    path = Path(entry.path)
    aside = path.with_name(f"{REMOVING_PREFIX}{uuid.uuid4().hex}") if inside(path, corpus_dir) else None
    try:
        if aside is not None:
            os.replace(path, aside)
    except OSError as error:
        logger.warning("could not remove %s: %s", path, error)
        return Removal("failed", entry, error=str(error))
    try:
        removed = qa.remove_path(entry.path)
    except Exception as error:  # noqa: BLE001 - put the file back: the index still lists it
        logger.exception("removing %s from the index failed", path)
        if aside is not None:
            os.replace(aside, path)
        return Removal("failed", entry, error=f"{type(error).__name__}: {error}")
    if not removed:  # forgotten meanwhile by another request: leave the folder as it was
        if aside is not None:
            os.replace(aside, path)
        return Removal("missing", entry)
    if aside is not None:
        try:
            aside.unlink()
        except OSError as error:  # hidden, never indexed; deleted at the next start
            logger.warning("could not delete %s: %s", aside, error)
    logger.info("removed %s from the index%s", path, "; file deleted" if aside else " (file kept: outside the library)")
    return Removal("removed", entry, deleted=aside is not None)


def removal_message(removal: Removal, lang: str) -> str:
    """What the Library tab says about a removal, as Markdown (titles and paths escaped)."""
    t = texts(lang)
    if removal.status == "missing" or removal.entry is None:
        return t["remove_missing"]
    name = esc(removal.entry.record.title)
    if removal.status == "failed":
        return t["remove_failed"].format(name=name, error=esc(removal.error))
    return t["removed"].format(name=name) + (t["removed_file"].format(file=esc(removal.entry.shown))
                                             if removal.deleted else "")


def index_uploads(qa: PolicyQA, saved: list[Path], progress: ProgressCallback | None, lang: str) -> list[str]:
    """Index uploads saved in the library folder; the Library tab's lines about it (Markdown, escaped):
    the report first, then each file not indexed. A full disk is one line saying so (the files stay in the
    folder; the next ingest or start indexes them once there is room)."""
    t = texts(lang)
    try:
        report = qa.ingest(saved, progress=progress, prune=False)
    except DiskFullError as error:
        logger.error("upload not indexed: %s", error)
        return [t["skipped"].format(name=esc(", ".join(p.name for p in saved)), reason=esc(error))]
    logger.info("upload indexed: %s", report.to_json())
    return [t["report"].format(added=len(report.added), updated=len(report.updated), unchanged=len(report.unchanged),
                               duplicates=len(report.duplicates), seconds=report.seconds)] + [
        t["skipped"].format(name=esc(skipped.name), reason=esc(skipped.reason)) for skipped in report.skipped]
