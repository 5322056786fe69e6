"""The store the settings ask for: a Qdrant server, qdrant-client local mode, or Qdrant Edge.

Usage::

    store = open_store(settings, dim=384)
"""

from __future__ import annotations

from rag.settings import Settings
from rag.store.base import Store
from rag.store.client import ClientStore
from rag.store.edge import EdgeStore


def open_store(settings: Settings, dim: int) -> Store:
    """The store the settings ask for: a server URL, qdrant-client local mode, or Qdrant Edge."""
    if settings.qdrant_url:
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return ClientStore(dim, settings.collection, url=settings.qdrant_url, api_key=key)
    if settings.qdrant_local_mode:
        return ClientStore(dim, settings.collection, path=settings.index_dir / "qdrant-local")
    return EdgeStore(settings.index_dir / "edge", dim)
