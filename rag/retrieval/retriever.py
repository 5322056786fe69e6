"""Language-aware hybrid retrieval.

``Retriever.run(question)`` analyses the question once (``rag.retrieval.query``: a ``Query``) and sends
Qdrant one fused query:

* dense, over passages in the question's language and, separately, over passages in the other
  language — so a Chinese passage is not out-ranked by English footnotes just for sharing a script;
* sparse (jieba / stemmed English, BM25 via Qdrant's IDF modifier) on the question's own words;
* sparse on the question's words translated by the bilingual lexicon (and, when an LLM is
  configured, on an LLM translation of the question, which is embedded densely as well).

The lists are fused by weighted RRF inside Qdrant; then ``rerank`` re-scores the head of the list.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rag.ingest.index import Index
from rag.retrieval.language_share import reserve_other_language
from rag.retrieval.mentions import TermExpander
from rag.retrieval.query import GroupTranslator, QueryAnalyzer, Translator
from rag.retrieval.rerank import rerank
from rag.retrieval.sentence_completion import complete_cut_sentences
from rag.retrieval.statistics import IndexStatistics
from rag.settings import Settings
from rag.store.base import ChunkFilter, Hit, Prefetch, point_id
from rag.text.asked import asks_source
from rag.text.footnotes import citation_share
from rag.text.lexical import query_vector, tokenize
from rag.text.sentences import CJK_END, refers_back
from rag.text.terms import coverage
from rag.types import Query, SearchHit, SearchResult

logger = logging.getLogger(__name__)



def term_overlap(terms: dict[str, float], passage_tokens: frozenset[str]) -> float:
    """Weighted share of ``terms`` found in the passage."""
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in terms.items() if t in passage_tokens) / total


def prepend_referent(hit: SearchHit, previous: dict[str, Any]) -> bool:
    """Put before ``hit`` the sentence its opening refers back to ("例如…", "However, …"): the last
    sentence of the ``previous`` passage's payload that ends where ``hit`` starts (or before). False
    when there is none."""
    before = [span for span in previous.get("sentences", []) if span[3] <= hit.start and span[1] > span[0]]
    if not before:
        return False
    a, b, raw_a, raw_b = before[-1]
    referent = str(previous.get("text", ""))[a:b]
    joiner = "" if referent[-1:] in CJK_END or not referent[-1:].isascii() else " "
    shift = len(referent) + len(joiner)
    hit.sentences = [(0, len(referent), raw_a, raw_b)] + [(sa + shift, sb + shift, ra, rb) for sa, sb, ra, rb in hit.sentences]
    hit.marks = ([(at - a, int(n)) for at, n in previous.get("marks", []) if a < at <= b]
                 + [(at + shift, n) for at, n in hit.marks])
    hit.text = referent + joiner + hit.text
    hit.start = raw_a
    return True


def uses_focus(hit: SearchHit, q_lang: str) -> bool:
    """Whether ``hit`` is scored with the question's words without the documents it names: a passage
    in the other language, or one in a script foreign to its document (an English footnote of a
    Chinese report) — where naming words match only noise (cover pages, reference lists)."""
    return hit.language != q_lang or bool(hit.features.get("foreign_in_doc"))


def to_search_hit(hit: Hit, names: dict[str, str]) -> SearchHit:
    p = hit.payload
    return SearchHit(
        doc=names.get(p.get("doc_hash", ""), p.get("doc", "")),
        title=p.get("title", ""),
        context_title=p.get("context_title", ""),
        section=p.get("section", ""),
        page=p.get("page"),
        text=p.get("text", ""),
        start=int(p.get("start", 0)),
        end=int(p.get("end", 0)),
        score=hit.score,
        language=p.get("language", ""),
        doc_hash=p.get("doc_hash", ""),
        date=p.get("date"),
        sentences=[tuple(s) for s in p.get("sentences", [])],
        chunk=int(p.get("chunk_index", -1)),
        marks=[(int(at), int(number)) for at, number in p.get("marks", [])],
        dense=hit.dense,
        tokens=frozenset(p["tokens"]) if "tokens" in p else None,
        gloss=str(p.get("gloss") or ""),
        features={"fusion": hit.score,
                  "foreign_in_doc": float(p.get("language") != p.get("doc_language"))},
    )


class Retriever:
    """Hybrid bilingual retriever over an ``Index``.

    Usage::

        retriever = Retriever(index, settings, expand_terms=lexicon_expander)
        result = retriever.run("How much funding did the UK AI Safety Institute get?", k=5)
    """

    def __init__(
        self,
        index: Index,
        settings: Settings,
        expand_terms: TermExpander | None = None,
        translate: Translator | None = None,
        translate_groups: GroupTranslator | None = None,
        statistics: IndexStatistics | None = None,
        evidence_groups: GroupTranslator | None = None,
    ) -> None:
        if settings.top_k < 1 or settings.prefetch_k < settings.top_k:
            raise ValueError("need 1 <= top_k <= prefetch_k")
        self.index = index
        self.settings = settings
        self.statistics = statistics or IndexStatistics(index)  # term statistics (default: read from the index)
        # the question analysed once (rag.retrieval.query); ``expand_terms`` etc. are its dictionary and LLM
        self.analyzer = QueryAnalyzer(
            settings, embed_queries=index.embedder.embed_queries, expand_terms=expand_terms, translate=translate,
            search_translations=translate_groups, evidence_groups=evidence_groups,
            documents=self.statistics.document_terms,
        )

    def chunk_filter(
        self, docs: list[str] | None, language: str | None, date_from: int | None, date_to: int | None,
        all_visible: bool = False,
    ) -> ChunkFilter:
        """The filter of one search. ``all_visible``: every point in the store is visible, so unless
        ``docs`` narrows the search the (at scale, costly) document filter is left out."""
        visible = self.index.visible_hashes()
        if docs:
            wanted = {h for name in docs for h in self.index.hashes_for_name(name)}  # equal names: all
            visible = frozenset(h for h in visible if h in wanted)
        return ChunkFilter(
            doc_hashes=None if all_visible and not docs else sorted(visible),
            languages=[language] if language else None,
            date_from=date_from,
            date_to=date_to,
        )

    def prefetches(self, query: Query) -> tuple[list[Prefetch], list[float]]:
        """The prefetch lists of ``query`` and their fusion weights: dense and sparse in its language and
        the other one, its translated terms, its translation or gloss (``rag.retrieval.query``) and the
        documents it names."""
        s = self.settings
        q_lang, other = query.language, query.other_language
        native = ChunkFilter(native=True)
        prefetches = [
            Prefetch("dense", query.vector, s.prefetch_k, ChunkFilter(languages=[q_lang], native=True)),
            Prefetch("dense", query.vector, s.prefetch_k, ChunkFilter(languages=[other], native=True)),
            Prefetch("sparse", query_vector(query.tokens), s.prefetch_k, native),
            # Footnotes, URLs and reference lists in the other script of their document: a list of
            # their own, so they can be found but do not crowd out the body text.
            Prefetch("dense", query.vector, s.prefetch_k, ChunkFilter(native=False)),
        ]
        weights = [s.weight_dense_same, s.weight_dense_cross, s.weight_sparse_same, s.weight_foreign]
        translated = query.translated_terms
        if translated:
            prefetches.append(Prefetch("sparse", query_vector(translated.items()), s.prefetch_k,
                                       ChunkFilter(languages=[other], native=True)))
            weights.append(s.weight_sparse_translated)
        if query.translation:
            prefetches.append(Prefetch("dense", query.translation_vector, s.prefetch_k,
                                       ChunkFilter(languages=[other], native=True)))
            prefetches.append(Prefetch("sparse", query_vector(tokenize(query.translation)), s.prefetch_k,
                                       ChunkFilter(languages=[other], native=True)))
            weights += [s.weight_dense_translated, s.weight_sparse_translated]
        if query.gloss_vector is not None:
            prefetches.append(Prefetch("dense", query.gloss_vector, s.prefetch_k, ChunkFilter(languages=[other], native=True)))
            weights.append(s.weight_dense_gloss)
        if query.named and s.weight_named_documents > 0:
            # The named documents' other-language passages: a list of their own, so their answer
            # passages are candidates even when another document is about the question's topic throughout.
            in_named = ChunkFilter(doc_hashes=sorted(query.named), languages=[other], native=True)
            prefetches.append(Prefetch("dense", query.vector, s.prefetch_k, in_named))
            weights.append(s.weight_named_documents)
            if translated:
                prefetches.append(Prefetch("sparse", query_vector(translated.items()), s.prefetch_k, in_named))
                weights.append(s.weight_named_documents)
        return prefetches, weights

    def add_term_scores(self, results: list[SearchHit], ids: list[str], query: Query) -> None:
        """Rerank features read per candidate: BM25 of the question's words and of their translation,
        the share of the question's words (or of their translations, for other-language passages) the
        passage contains, BM25 of the question's words over an other-language passage's gloss, and
        whether it states the kind of figure the question asks for, and the share of it that cites sources
        (a reference list; 0 when the question asks for a source). Other-language passages are
        scored with the query's focus (the question without the documents it names)."""
        q_lang = query.language
        own = {t: 1.0 for t in query.tokens}
        own_focus = {t: 1.0 for t in query.focus_tokens}
        queries = [Prefetch("sparse", query_vector(own), len(ids)),
                   Prefetch("sparse", query_vector(query.translated_terms.items()), len(ids))]
        if query.focus != query.text:
            queries.append(Prefetch("sparse", query_vector(own_focus), len(ids)))
        by_question, by_translation, *by_focus = self.index.store.score_points(queries, ids)
        by_focus_words = by_focus[0] if by_focus else by_question
        # the share of the question's words a passage holds in translation: the positive groups only (names and
        # numbers kept in Latin script, bonus groups for evidence, would lift every passage that mentions "AI")
        groups = [g for g in query.search_groups if g[1] > 0]
        glosses = self.statistics.gloss_statistics() if any(h.gloss and h.language != q_lang for h in results) else None
        about_sources = asks_source(query.text)
        for point, hit in zip(ids, results, strict=True):
            hit.features["answer_kind"] = float(query.sought is not None and query.sought.search(hit.text) is not None)
            hit.features["citations"] = 0.0 if about_sources else citation_share(hit.text)
            words_score = by_focus_words if uses_focus(hit, q_lang) else by_question
            hit.features["question_terms"] = words_score.get(point, 0.0)
            hit.features["translated_terms"] = by_translation.get(point, 0.0)
            hit.features["passage_gloss"] = (
                glosses.score(own_focus, hit.language, hit.gloss)
                if glosses and hit.gloss and hit.language != q_lang else 0.0
            )
            tokens = hit.tokens if hit.tokens is not None else frozenset(tokenize(f"{hit.section}\n{hit.text}"))
            if hit.language == q_lang:
                hit.features["coverage"] = term_overlap(own_focus if uses_focus(hit, q_lang) else own, tokens)
            elif groups:
                hit.features["coverage"] = coverage(groups, tokens)
            else:
                hit.features["coverage"] = term_overlap(query.translated_terms, tokens)

    def add_referents(self, hits: list[SearchHit]) -> None:
        """Hits that open by referring back ("For example, …") get the sentence they refer to, from the
        passage before them in their document (one store read for all of them)."""
        wanting = {}
        for hit in hits:
            first = hit.text[hit.sentences[0][0]:hit.sentences[0][1]] if hit.sentences else hit.text
            if hit.chunk > 0 and refers_back(first):
                wanting[point_id(hit.doc_hash, hit.chunk - 1)] = hit
        if not wanting:
            return
        for point in self.index.store.scroll(["text", "sentences"], ids=list(wanting)):
            prepend_referent(wanting[point.id], point.payload)

    def analyze(self, question: str) -> Query:
        """The ``Query`` of ``question`` (``rag.retrieval.query``): what ``run`` searches with."""
        return self.analyzer.run(question)

    def candidates(
        self,
        query: Query,
        limit: int,
        docs: list[str] | None = None,
        language: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        with_features: bool = True,
    ) -> tuple[list[SearchHit], ChunkFilter, dict[str, str]]:
        """The fused head of the list (``limit`` passages, RRF order) with the rerank's per-candidate
        features when ``with_features`` (``add_term_scores``); also the filter searched with and the
        visible documents' names. ``run`` reranks these; ``bench.rank_data`` records them."""
        s = self.settings
        prefetches, weights = self.prefetches(query)
        generation = self.index.clean_generation()
        flt = self.chunk_filter(docs, language, date_from, date_to, all_visible=generation is not None)
        hits = self.index.store.query(prefetches, weights, s.rrf_k, limit, flt)
        if generation is not None and self.index.clean_generation() != generation:
            # A write began during the query: it may have seen a half-indexed document. Filter.
            hits = self.index.store.query(prefetches, weights, s.rrf_k, limit,
                                          self.chunk_filter(docs, language, date_from, date_to))
        names = {h: r.names[0] for h, r in ((h, self.index.record(h)) for h in self.index.visible_hashes()) if r and r.names}
        results = [to_search_hit(hit, names) for hit in hits]
        if with_features:
            self.add_term_scores(results, [hit.id for hit in hits], query)
        return results, flt, names

    def run(
        self,
        question: str | Query,
        k: int | None = None,
        docs: list[str] | None = None,
        language: str | None = None,
        date_from: int | None = None,
        date_to: int | None = None,
        other_language: tuple[int, int] = (0, 0),
    ) -> SearchResult:
        """The top ``k`` passages for ``question`` (a text, analysed here, or a ``Query`` analysed before),
        within the documents named ``docs``, in ``language``, between the dates. ``other_language``
        (places, window): that many of the first ``window`` kept for the best passages in the language the
        question is not in, when the top ``k`` hold any (``rag.retrieval.language_share``): a passage from
        below the top ``k`` is never lifted."""
        started = time.perf_counter()
        s = self.settings
        k = k or s.top_k
        query = question if isinstance(question, Query) else self.analyze(question)
        if not query.text:
            return SearchResult(query, [], {"retrieve": 0.0, "rerank": 0.0})
        limit = max(k, s.rerank_candidates if s.rerank_enabled else k)
        results, flt, names = self.candidates(query, limit, docs, language, date_from, date_to,
                                              with_features=s.rerank_enabled)
        retrieved = time.perf_counter()
        if s.rerank_enabled:
            results = rerank(query.language, query.vector, query.cross_vector, results, s, named=query.named)
        results = reserve_other_language(results[:k], query.language, other_language[1], other_language[0])
        if s.complete_cut_sentences:  # before the referents: a completed first sentence is what refers back
            complete_cut_sentences(results, self.index.store, self.index.embedder.count_tokens, s)
        if s.passage_referents:
            self.add_referents(results)
        timings = {
            "retrieve": round((retrieved - started) * 1000, 1),
            "rerank": round((time.perf_counter() - retrieved) * 1000, 1),
        }
        # a named document outside the documents the user chose was not searched: not reported either
        named_names = sorted(names.get(h, h) for h in query.named if flt.doc_hashes is None or h in flt.doc_hashes)
        return SearchResult(query, results, timings, named_names)
