"""Open-time integrity check of the index: a damaged one is refused with one message that names the
damaged file and the fix, instead of a traceback now or an engine error at every question later.

Usage::

    manifest = read_manifest(settings)            # IndexDamagedError if manifest.json is unreadable
    store = open_checked_store(settings, dim)     # IndexDamagedError if the store cannot be opened or read
    hidden = hide_incomplete(manifest, store)     # documents the store lacks points of: not reported

Checked: the manifest parses and has the expected shape; the store opens; a sample of its points
(``settings.integrity_sample_points``, payload and dense vector) reads; one dense search over the store
(which reads its vectors) runs. The store's point count is compared with the manifest's: documents
with missing points are hidden (the next ingest re-indexes them) so the app never reports documents it
cannot search.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np

from rag.ingest.manifest import Manifest, load_manifest
from rag.settings import Settings
from rag.store.base import IndexLockedError, Prefetch, Store
from rag.store.factory import open_store

logger = logging.getLogger(__name__)

ENGINE_PATH = re.compile(r"(/[^\s:'\"]+)")


class IndexConfigError(RuntimeError):
    """The index on disk was built with another embedding model."""


class IndexDamagedError(IndexConfigError):
    """A file of the index cannot be read; the message names it and the fix."""


def rebuild_hint(settings: Settings) -> str:
    return (f"Run `rag ingest --rebuild {settings.corpus_dir}` to rebuild the index from the documents "
            f"(or move {settings.index_dir} away and start again).")


def damaged(settings: Settings, path: Path | str, problem: str) -> IndexDamagedError:
    """The one message of a damaged index (the CLI prints it, the app logs it)."""
    return IndexDamagedError(f"The index is damaged: {path} {problem}. {rebuild_hint(settings)}")


def read_manifest(settings: Settings) -> Manifest:
    """The manifest, or IndexDamagedError naming manifest.json when it is truncated or malformed."""
    path = settings.index_dir / "manifest.json"
    try:
        return load_manifest(path)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise damaged(settings, path, f"cannot be read ({error})") from error
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise damaged(settings, path, f"does not hold an index manifest ({type(error).__name__}: {error})") from error
    except OSError as error:
        raise damaged(settings, path, f"cannot be read ({error.strerror or error})") from error


def _engine_path(settings: Settings, error: BaseException) -> str:
    """The file or folder of the index the engine's error names, else the store's folder."""
    roots = (str(settings.index_dir.resolve()), str(settings.index_dir))
    named = [found for found in ENGINE_PATH.findall(str(error)) if found.startswith(roots)]
    if named:
        return max(named, key=len)  # the most specific: a file rather than its segment folder
    return str(settings.index_dir / ("qdrant-local" if settings.qdrant_local_mode else "edge"))


def _engine_problem(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"cannot be read (the store says: {text[:300]})"


def open_checked_store(settings: Settings, dim: int) -> Store:
    """Open the store and read a sample of it; a local store that fails is reported as damaged."""
    local = not settings.qdrant_url  # a server's errors are the server's, not a damaged index
    try:
        store = open_store(settings, dim)
    except IndexLockedError:
        raise
    except Exception as error:
        if not local:
            raise
        raise damaged(settings, _engine_path(settings, error), _engine_problem(error)) from error
    if not local:
        return store
    try:
        check_store(store, settings.integrity_sample_points, dim)
    except Exception as error:
        _close_quietly(store)
        if isinstance(error, IndexDamagedError):
            raise
        raise damaged(settings, _engine_path(settings, error), _engine_problem(error)) from error
    return store


def _close_quietly(store: Store) -> None:
    try:
        store.close()
    except Exception as error:  # noqa: BLE001 - the damage is what gets reported
        logger.debug("closing the damaged store failed: %s", error)


def check_store(store: Store, sample: int, dim: int) -> None:
    """Read ``sample`` points (payload and dense vector) and run one dense search."""
    first: np.ndarray | None = None
    for n, point in enumerate(store.scroll(None, with_dense=True)):
        if point.dense is not None:
            if point.dense.shape[-1] != dim or not np.all(np.isfinite(point.dense)):
                raise ValueError(f"point {point.id} has an unreadable dense vector")
            first = point.dense if first is None else first
        if n + 1 >= sample:
            break
    if first is not None:
        store.query([Prefetch(using="dense", vector=first, limit=1)], [1.0], 60, 1)


def hide_incomplete(manifest: Manifest, store: Store) -> list[str]:
    """Drop from ``manifest`` (in memory) the documents the store holds fewer points of than listed;
    returns their file names. Only counted in full when the store holds fewer points than listed."""
    listed = sum(r.chunks for r in manifest.documents.values())
    if store.count() >= listed:
        return []
    counts = store.doc_chunk_counts()
    hidden: list[str] = []
    for doc_hash, record in list(manifest.documents.items()):
        if counts.get(doc_hash, 0) < record.chunks:
            hidden.extend(record.names)
            del manifest.documents[doc_hash]
            for key in [k for k, h in manifest.paths.items() if h == doc_hash]:
                del manifest.paths[key]
    if hidden:
        logger.warning("%d document(s) lack passages in the store and are not searchable until the next "
                       "`rag ingest` re-indexes them: %s", len(hidden), ", ".join(hidden))
    return hidden
