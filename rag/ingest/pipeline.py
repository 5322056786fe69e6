"""Ingestion's llama-index steps: chunk → room on disk? → embed, and the store points of the embedded chunks.

Usage::

    with Index.open(settings) as index:
        report = index.ingest([Path("corpus")])

Per file: hash the bytes; skip when the content is already indexed (also under another name); else
load → llama-index ``IngestionPipeline`` (``ingestion_pipeline``: normalize + chunk with
``PolicyNodeParser``, check the disk has room, embed with ``EmbedPassages``) → points (``build_points``)
→ upsert (deterministic point ids) → publish in the manifest. Finally drop documents whose files are
gone and any orphan points of an interrupted run. ``rag.ingest.index`` runs these steps; this module
holds the llama-index ones, ``rag.ingest.bookkeeping`` the rest (files, hashes, manifest records, the
report), so that reading the index never imports llama-index (``rag.ingest.index`` imports this module
only when it ingests)::

    pipeline = ingestion_pipeline(settings, embedder)
    nodes = pipeline.run(documents=[document_node(doc, doc_hash)])   # embedded TextNodes, raw offsets
    points = build_points(doc, doc_hash, nodes, settings)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from llama_index.core import Document
from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import BaseNode, TransformComponent
from pydantic import PrivateAttr

from rag.ingest.bookkeeping import EmbeddingError, NoRoomError, date_number
from rag.ingest.chunking import PolicyNodeParser
from rag.ingest.disk import space_problem
from rag.ingest.documents import LoadedDocument
from rag.ingest.gloss import passage_gloss
from rag.settings import Settings
from rag.store.base import StoredPoint, point_id
from rag.store.embedding import Embedder
from rag.text.language import detect_language
from rag.text.lexical import document_vector, tokenize
from rag.text.lexicon import load_lexicon

logger = logging.getLogger(__name__)


class CheckRoom(TransformComponent):
    """Between chunking and embedding: raises ``NoRoomError`` when the disk has no room for the nodes."""

    _settings: Settings = PrivateAttr()

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        if problem := space_problem(self._settings, len(nodes)):
            raise NoRoomError(problem)
        return nodes


def embedding_text(node: BaseNode, with_title: bool = True) -> str:
    """What the dense model sees: the passage, headed by its document title and section."""
    text = node.get_content()
    if not with_title:
        return text
    title = str(node.metadata["title"])
    parts = [title] + [part for part in str(node.metadata["section"]).split(" > ") if part and part != title]
    return " > ".join(parts) + "\n" + text


class EmbedPassages(TransformComponent):
    """Sets each node's ``embedding``: the project's embedder over ``embedding_text(node)``."""

    with_title: bool = True
    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder, with_title: bool = True) -> None:
        super().__init__(with_title=with_title)
        self._embedder = embedder

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        try:
            vectors = self._embedder.embed_passages([embedding_text(node, self.with_title) for node in nodes])
        except Exception as error:
            raise EmbeddingError(f"the embedder failed: {type(error).__name__}: {error}") from error
        for node, vector in zip(nodes, vectors, strict=True):
            node.embedding = vector.tolist()
        return nodes


def node_parser(settings: Settings, count_tokens: Callable[[str], int]) -> PolicyNodeParser:
    return PolicyNodeParser.from_counter(
        count_tokens,
        max_tokens=settings.chunk_max_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        wrap_min_chars=settings.wrap_min_chars,
        running_line_min_repeats=settings.running_line_min_repeats,
    )


def ingestion_pipeline(settings: Settings, embedder: Embedder) -> IngestionPipeline:
    """chunk (``PolicyNodeParser``) → room on disk? (``CheckRoom``) → embed (``EmbedPassages``).

    No llama-index cache or docstore: the manifest (content hashes) decides what is (re-)indexed.
    """
    transformations = [node_parser(settings, embedder.count_tokens), CheckRoom(settings),
                       EmbedPassages(embedder, settings.embed_with_title)]
    return IngestionPipeline(transformations=transformations, disable_cache=True)


def context_title(doc: LoadedDocument) -> str:
    """The title that heads the embeddings and is read by evidence scoring."""
    return str(doc.metadata.get("title") or doc.path.stem)


def document_node(doc: LoadedDocument, doc_hash: str | None = None) -> Document:
    """The loaded file as a llama-index ``Document`` for the pipeline (its id: the content hash, if given)."""
    metadata = {"title": context_title(doc), "body_start": doc.body_start,
                "page_starts": doc.page_starts}
    if doc_hash is None:
        return Document(text=doc.raw_text, metadata=metadata)
    return Document(id_=doc_hash, text=doc.raw_text, metadata=metadata)


def build_points(
    doc: LoadedDocument, doc_hash: str, nodes: Sequence[BaseNode], settings: Settings
) -> list[StoredPoint]:
    """Store points of embedded nodes: the dense vector, the BM25 vector and the payload."""
    shown = str(doc.metadata.get("display_title") or context_title(doc))  # what people see (rag.ingest.titles)
    date = doc.metadata.get("date")
    doc_language = str(doc.metadata.get("language") or detect_language(doc.raw_text[doc.body_start:][:20000]))
    lexicon = load_lexicon()
    points = []
    for node in nodes:
        meta, text = node.metadata, node.get_content()
        if node.embedding is None:
            raise ValueError(f"node {meta.get('chunk_index')} of {doc.path.name} was not embedded")
        payload = {
            "doc_hash": doc_hash,
            "doc": doc.path.name,
            "title": shown,
            "context_title": meta["title"],
            "section": meta["section"],
            "page": meta["page"],
            "start": node.start_char_idx,
            "end": node.end_char_idx,
            "text": text,
            # [start, end) in ``text`` and [start, end) in the raw file, per sentence: citations
            # point at the exact supporting sentence.
            "sentences": meta["sentences"],
            "marks": meta.get("marks", []),  # footnote marks left out of ``text``: [offset, note number]
            "language": meta["language"],
            "doc_language": doc_language,
            "native": int(meta["language"] == doc_language),
            "chunk_index": meta["chunk_index"],
            "date": str(date) if date else None,
            "date_num": date_number(str(date)) if date else None,
        }
        headed_text = f"{meta['section']}\n{text}"
        tokens = tokenize(headed_text)
        payload["tokens"] = sorted(set(tokens))  # reranking reads them instead of re-segmenting
        payload["gloss"] = passage_gloss(headed_text, payload["tokens"], meta["language"], lexicon, settings)
        sparse = document_vector(tokens)
        vector = np.asarray(node.embedding, dtype=np.float32)
        points.append(StoredPoint(point_id(doc_hash, meta["chunk_index"]), vector, sparse, payload))
    return points
