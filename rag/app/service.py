"""PolicyQA: the one object the CLI, the UI and other tools use.

Usage::

    qa = PolicyQA.open(settings)           # loads index, embedder, lexicon and (optional) LLM once
    answer = qa.ask("英国人工智能安全研究所获得了多少初始资金？")
    verdict = qa.ask("The EU AI Office was created in 2024.", mode="claim")
    for partial, final in qa.ask_stream(question, history): ...
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from rag.answer.answerability import Similarity
from rag.answer.claim_features import ClaimPair
from rag.answer.claim_frame import statement_span
from rag.answer.claims import Senses, claim_pairs, judge_claim, strip_claim
from rag.answer.compose import (
    REFUSAL_TAIL,
    answering_evidence,
    citation_from,
    compose_extractive,
    extractive_answer,
    hedged,
    refusal,
    verify_answer,
)
from rag.answer.evidence import score_sentences
from rag.answer.frame_finder import FrameFinder
from rag.answer.slot_text import describe
from rag.ingest.bookkeeping import IngestReport, ProgressCallback
from rag.ingest.index import Index
from rag.ingest.manifest import DocumentRecord
from rag.retrieval.query import clean_question
from rag.retrieval.retriever import Retriever
from rag.retrieval.sentence_completion import passage_reader
from rag.retrieval.statistics import IndexStatistics
from rag.settings import Settings
from rag.store.embedding import PassageVectors
from rag.types import (
    LOW_CONFIDENCE_VERDICT,
    Answer,
    EvidenceSentence,
    Query,
    SearchHit,
    SearchResult,
)

logger = logging.getLogger(__name__)

History = list[tuple[str, str]]  # (user question, assistant answer)
LLM_REFUSAL = re.compile(r"(文档中没有找到|the documents do not say)", re.I)


class PolicyQA:
    def __init__(self, index: Index, settings: Settings, lexicon: Any = None, llm: Any = None,
                 statistics: IndexStatistics | None = None) -> None:
        self.index = index
        self.settings = settings
        self.lexicon = lexicon
        self.llm = llm
        translate = self.translate if llm is not None else None
        self.retriever = Retriever(
            index, settings, expand_terms=self.expand_terms if lexicon else None, translate=translate,
            translate_groups=self.search_groups if lexicon else None, statistics=statistics,
            evidence_groups=lexicon.translation_groups if lexicon else None,
        )
        self._lock = threading.RLock()
        self.senses = Senses(lexicon) if lexicon is not None else None  # dictionary senses, cached per process
        self.sentence_vectors = PassageVectors(index.embedder)  # evidence sentences a claim is read against
        self.workers: Any = None  # rag.app.workers.AnswerWorkers: other processes answering offline for this one
        self.on_close: list[Callable[[], None]] = []  # run first by close() (the web app's CLI socket, rag.app.resident)

    @classmethod
    def open(cls, settings: Settings, index: Index | None = None) -> "PolicyQA":
        from rag.answer.llm import make_chat_model
        from rag.text.lexicon import load_lexicon

        index = index or Index.open(settings)
        return cls(index, settings, load_lexicon(), make_chat_model(settings))

    def close(self) -> None:
        while self.on_close:
            self.on_close.pop()()
        if self.workers is not None:
            self.workers.close()
        self.index.close()

    def __enter__(self) -> "PolicyQA":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- the dictionary and the LLM as retrieval reads them (rag.retrieval.query.QueryAnalyzer) -----------
    def expand_terms(self, text: str, target: str) -> list[tuple[str, float]]:
        """``text``'s words in the ``target`` language, weighted (the dictionary, senses the index attests)."""
        return self.lexicon.expand_query(text, target, **self._sense_choice())

    def search_groups(self, text: str, target: str) -> list[frozenset[str]]:
        """Per word of ``text``, its translations into ``target`` (senses the index attests)."""
        return self.lexicon.translation_groups(text, target, **self._sense_choice())

    def _sense_choice(self) -> dict[str, Any]:
        """Search prefers the dictionary senses found in the index (evidence and claim checks take
        the dictionary's own first senses: their thresholds were set on those)."""
        pool = self.settings.dictionary_sense_pool
        return {"attested": self.retriever.statistics.vocabulary(), "sense_pool": pool} if pool > 0 else {}

    def translate(self, text: str, target: str) -> str | None:
        """``text`` translated into ``target`` by the LLM (None without one, or on its failure)."""
        from rag.answer.llm import translate

        return translate(self.llm, self.settings, text, target)

    @property
    def generator_name(self) -> str:
        return getattr(self.llm, "name", "LLM") if self.llm is not None else "extractive (offline)"

    def status(self) -> dict[str, Any]:
        return {
            "embedding_model": self.index.embedder.name,
            "generator": self.generator_name,
            "documents": len(self.index.documents()),
            "chunks": self.index.chunk_count(),
            "store": "Qdrant server" if self.settings.qdrant_url else "Qdrant Edge (embedded)",
        }

    def documents(self) -> list[DocumentRecord]:
        return self.index.documents()

    def ingest(self, paths: list[Path], progress: ProgressCallback | None = None, prune: bool = True) -> IngestReport:
        return self.index.ingest(paths, progress, prune=prune)

    def remove(self, name: str) -> bool:
        return self.index.remove(name)

    def paths(self) -> dict[str, str]:
        """The indexed files: absolute path -> doc hash."""
        return self.index.paths()

    def remove_path(self, path: str) -> bool:
        """Forget the one indexed file at ``path`` (see ``Index.remove_path``)."""
        return self.index.remove_path(path)

    def standalone_question(self, question: str, history: History | None) -> str:
        """A follow-up made standalone: rewritten by the LLM, or carrying the last question's terms."""
        if not history:
            return question
        if self.llm is not None:
            from rag.answer.llm import rewrite_followup
            from rag.text.language import detect_language

            return rewrite_followup(self.llm, self.settings, history, question, detect_language(question))
        if len(question) <= self.settings.followup_max_chars:
            return f"{history[-1][0]} {question}"
        return question

    # --- asking -------------------------------------------------------------------------------
    def ask(
        self, question: str, history: History | None = None, docs: list[str] | None = None,
        language: str | None = None, mode: str = "answer", strict: bool | None = None,
    ) -> Answer:
        final: Answer | None = None
        for _, final in self.ask_stream(question, history, docs, language, mode, strict):
            pass
        assert final is not None
        return final

    def ask_stream(
        self, question: str, history: History | None = None, docs: list[str] | None = None,
        language: str | None = None, mode: str = "answer", strict: bool | None = None,
    ) -> Iterator[tuple[str, Answer | None]]:
        """Yields (partial answer text, None) while generating, then (final text, Answer). ``strict`` (claims):
        the strict "supported" threshold for this request (None: ``claim_strict``)."""
        started = time.perf_counter()
        cleaned = clean_question(question, self.settings.max_question_chars)
        if not cleaned:
            answer = refusal("", self.settings.ui_language, [], 0.0)
            answer.answer = "请输入问题。" if self.settings.ui_language == "zh" else "Please type a question."
            yield answer.answer, answer
            return
        if self.workers is not None and self.llm is None:
            answer = self.workers.ask(cleaned, history, docs, language, mode, strict)
            if answer is not None:
                yield answer.answer, answer
                return
        if mode == "claim":
            answer = self.check_claim(cleaned, docs, language, strict)
            answer.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 1)
            yield answer.answer, answer
            return
        standalone = self.standalone_question(cleaned, history)
        result = self.retriever.run(standalone, k=self.settings.answer_contexts, docs=docs, language=language,
                                    other_language=(self.settings.answer_other_language, self.settings.answer_passages))
        generated = time.perf_counter()
        similarity = self.similarity(result.query.vector)
        if self.llm is None:
            answer = compose_extractive(result.query, result.hits, self.settings, similarity, self.reader("question"),
                                        passage_reader(self.index.store))
        else:
            answer = yield from self._generate(result.query, result.hits, history, similarity)
        answer.question = cleaned
        answer.named_documents = result.named_documents
        answer.timings_ms = {
            **result.timings_ms,
            "generate": round((time.perf_counter() - generated) * 1000, 1),
            "total": round((time.perf_counter() - started) * 1000, 1),
        }
        answer.generator = self.generator_name
        yield answer.answer, answer

    def reader(self, task: str) -> Any:
        """The reader's scoring function for ``task`` ("claim" or "question"), or None when it is off for
        that task (``reader_claims`` / ``reader_questions``) or ships no weights; the reader itself loads on
        its first call (once per process), as most answers are decided without it."""
        if not (self.settings.reader_claims if task == "claim" else self.settings.reader_questions):
            return None
        from rag.answer.reader import lazy_reader

        return lazy_reader(task, self.settings.reader_threads)

    def load_reader(self) -> None:
        """Load the reader now (under a second) rather than on the first answer that needs it: for a server."""
        if self.settings.reader_claims or self.settings.reader_questions:
            from rag.answer.reader import load_reader

            load_reader(threads=self.settings.reader_threads)

    def similarity(self, query_vector: np.ndarray | None) -> Similarity | None:
        """Texts → the embedding cosine of each with the query (its vector from retrieval)."""
        if query_vector is None:
            return None
        return lambda texts: self.sentence_vectors(texts) @ query_vector

    def _generate(
        self, query: Query, hits: list[SearchHit], history: History | None, similarity: Similarity | None = None,
    ) -> Iterator[tuple[str, None]]:
        """LLM answer over the top passages, streamed, then verified (generator returning an Answer)."""
        from rag.answer.prompting import build_answer_messages

        question, q_lang = query.text, query.language
        evidence, support, missing, confident = answering_evidence(query, hits, self.settings, similarity,
                                                                   self.reader("question"))
        if not evidence:  # the same refusal decision as the offline composer
            return refusal(question, q_lang, hits, support, missing)
        passages = hits[: self.settings.answer_passages]
        numbered = [(i + 1, h.title, h.text) for i, h in enumerate(passages)]
        messages = build_answer_messages(self.settings, question, q_lang, numbered, history)
        text = ""
        try:
            for delta in self.llm.stream(messages):
                text += delta
                yield text, None
        except Exception as error:  # noqa: BLE001 - fall back to the offline answer, say why
            logger.warning("LLM failed (%s); answering extractively", error)
            return hedged(extractive_answer(query, hits, evidence, support, passage_reader(self.index.store), self.settings),
                          confident)
        if LLM_REFUSAL.search(text) and len(text) < self.settings.llm_refusal_max_chars:
            return refusal(question, q_lang, hits, support)
        verified, citations, notes = verify_answer(
            text, q_lang, passages, self.settings, self.lexicon.translation_groups if self.lexicon else None,
            embed=self.index.embedder.embed_queries,
        )
        if not citations:
            # Nothing the model wrote could be traced to a passage, yet the evidence check found answering
            # sentences: show those (extractive, cited) rather than an unverifiable text or a refusal.
            logger.info("LLM answer not verifiable against the passages; answering extractively")
            answer = extractive_answer(query, hits, evidence, support, passage_reader(self.index.store), self.settings)
            answer.notes = [*notes, "LLM answer could not be verified; extractive answer shown"]
            return hedged(answer, confident)
        return hedged(Answer(question, q_lang, verified, False, citations, hits, support=support, notes=notes), confident)

    # --- claim check ----------------------------------------------------------------------------
    def read_claim(self, claim: str, docs: list[str] | None = None,
                   language: str | None = None) -> tuple[str, SearchResult, list[ClaimPair]]:
        """The cleaned claim, its search result and its statement read against its best sentences (``claim_frames``: a
        frame cut off around a resolved document mention, else where the best sentence lacks it, ``evidence_span``)."""
        statement = strip_claim(clean_question(claim, self.settings.max_question_chars))
        query = self.retriever.analyze(statement)
        span = statement_span(query.text, query.mentions if self.settings.claim_frames else (), query.language)
        if span == (0, len(query.text)):  # no frame around a resolved mention: read the claim whole, then ask the finder
            result, pairs = self._read_statement(query, docs, language)
            if not self.settings.claim_frames or not pairs:
                return statement, result, pairs
            translate = self.lexicon.translation_groups if self.lexicon else None
            span = FrameFinder.load().evidence_span(query.text, query.language, pairs[0].sentence.text, translate)
            if span == (0, len(query.text)):
                return statement, result, pairs
        return (statement, *self._read_statement(self.retriever.analyze(query.text[span[0]:span[1]]), docs, language))

    def _read_statement(self, query: Query, docs: list[str] | None, language: str | None) -> tuple[SearchResult, list[ClaimPair]]:
        s = self.settings
        result = self.retriever.run(query, k=s.answer_contexts, docs=docs, language=language,
                                    other_language=(s.claim_other_language, s.answer_passages))
        sentences = score_sentences(result.hits, result.query, s.answer_passages, s.evidence_context_weight,
                                    s.evidence_passage_weight, s.evidence_rank_prior)
        return result, claim_pairs(result.query, sentences, s.claim_candidates, senses=self.senses,
                                   similarity=self.similarity(result.query.vector))

    def check_claim(self, claim: str, docs: list[str] | None = None, language: str | None = None,
                    strict: bool | None = None) -> Answer:
        statement, result, pairs = self.read_claim(claim, docs, language)
        strict = self.settings.claim_strict if strict is None else strict
        judgement = judge_claim(pairs, reader=self.reader("claim"), strict=strict)
        q_lang = result.query.language
        verdict, pro, con = judgement.verdict, judgement.pro, judgement.con
        if self.llm is not None and verdict == "supported" and not judgement.quoted:  # a quote is not second-guessed
            verdict, pro, con = self._llm_verdict(statement, q_lang, result.hits, pro + con, pro, con)
        citations = [citation_from(s, n) for n, s in enumerate(pro + con, start=1)]
        numbers = {id(s): n for n, s in enumerate(pro + con, start=1)}
        shift = max(statement.find(pairs[0].claim), 0) if pairs else 0  # a frame cut off: spans are of the statement
        differences = [
            {"kind": d.kind, "claim": d.claim.surface,
             "claim_span": [d.claim.start + shift, d.claim.end + shift] if d.claim.surface else None,
             "source": d.evidence.surface, "citation": numbers.get(id(s)), "text": describe(d, q_lang)}
            for d, s in judgement.differences
        ] if verdict == "contradicted" else []
        tentative = judgement.tentative and verdict == judgement.verdict  # the LLM's second opinion is its own
        text = render_verdict(verdict, q_lang, len(pro), len(con), tentative)
        if judgement.quoted:
            text += " 来源逐字如此陈述 [1]。" if q_lang == "zh" else " The source states it word for word [1]."
        if differences:
            text += " " + " ".join(f"{d['text']}" + (f" [{d['citation']}]" if d["citation"] else "") for d in differences)
        if verdict == "not_found" and result.hits:  # shown beneath it (the UI's and the JSON's contexts)
            text += REFUSAL_TAIL["zh" if q_lang == "zh" else "en"]
        answer = Answer(statement, q_lang, text, verdict == "not_found", citations, result.hits, verdict=verdict,
                        timings_ms=dict(result.timings_ms), support=max((s.coverage for s in pro + con), default=0.0))
        answer.differences, answer.probabilities = differences, {k: round(v, 4) for k, v in judgement.probabilities.items()}
        answer.checked_span = [shift, shift + len(pairs[0].claim)] if pairs and pairs[0].claim != statement else None
        answer.confidence = ("low" if tentative else "high") if verdict in ("supported", "contradicted") else None
        answer.notes = [f"for: {[c.n for c in citations[:len(pro)]]}", f"against: {[c.n for c in citations[len(pro):]]}"]
        if judgement.quoted:
            answer.notes.append("quoted: the claim is sentence [1] word for word")
        return answer

    def _llm_verdict(
        self, claim: str, q_lang: str, hits: list[SearchHit], sentences: list[EvidenceSentence],
        pro: list[EvidenceSentence], con: list[EvidenceSentence],
    ) -> tuple[str, list[EvidenceSentence], list[EvidenceSentence]]:
        """The LLM's second opinion on a claim the offline check found supported: it may find a
        contradiction the term and number comparison misses. Its "contradicted" counts only when it
        cites passages that hold the claim's topic (a sentence the offline check found relevant); the
        best sentence of each such passage is then the evidence against. A contradiction the offline
        check found (a conflicting figure, a negation) is concrete and quoted, so the LLM is not asked
        to overturn it."""
        from rag.answer.prompting import build_claim_messages, parse_claim_output

        passages = hits[: self.settings.answer_passages]
        try:
            text = self.llm.complete(build_claim_messages(self.settings, claim, q_lang,
                                                          [(i + 1, h.title, h.text) for i, h in enumerate(passages)]))
        except Exception as error:  # noqa: BLE001
            logger.warning("LLM claim check failed (%s); using the offline verdict", error)
            return "supported", pro, con
        verdict, cited = parse_claim_output(text)
        on_topic = {id(s.hit) for s in pro}
        cited_hits = [passages[n - 1] for n in cited if 1 <= n <= len(passages)]
        if verdict != "contradicted" or not any(id(h) in on_topic for h in cited_hits):
            return "supported", pro, con
        # sentences are best first and hold every on-topic passage's sentences (pro is drawn from them)
        against = [next(s for s in sentences if s.hit is h) for h in cited_hits if id(h) in on_topic]
        return "contradicted", [s for s in pro if all(s.hit is not h for h in cited_hits)], against[:2]


VERDICT_TEXT = {
    "zh": {"supported": "文档支持这一说法", "contradicted": "文档与这一说法相矛盾", "not_found": "文档中没有找到明确陈述这一说法的内容",
           "tentative": "文档可能支持这一说法（把握不高：引文与说法相近，但未必明确说明，请核对）",
           "tentative_contradicted": "文档可能与这一说法相矛盾（把握不高：请核对下列差异与引文）"},
    "en": {"supported": "The documents support this claim", "contradicted": "The documents contradict this claim",
           "not_found": "The documents do not state this claim",
           "tentative": "The documents probably support this claim (low confidence: the cited sentences come close to "
                        "it but may not state it; check them)",
           "tentative_contradicted": "The documents may contradict this claim (low confidence: check the differences "
                                     "and sentences below)"},
}


def render_verdict(verdict: str, language: str, n_for: int, n_against: int, tentative: bool = False) -> str:
    """The verdict as a sentence with its citation marks; ``tentative``: said with low confidence."""
    lang = language if language in VERDICT_TEXT else "en"
    key = LOW_CONFIDENCE_VERDICT.get(verdict, verdict) if tentative else verdict
    text = VERDICT_TEXT[lang][key]
    refs_for = "".join(f"[{i}]" for i in range(1, n_for + 1))
    refs_against = "".join(f"[{i}]" for i in range(n_for + 1, n_for + n_against + 1))
    if lang == "zh":
        extra = (f"。支持的段落：{refs_for}" if refs_for else "") + (f"。相反的段落：{refs_against}" if refs_against else "")
        return text + extra + "。"
    extra = (f". Supporting: {refs_for}" if refs_for else "") + (f". Against: {refs_against}" if refs_against else "")
    return text + extra + "."
