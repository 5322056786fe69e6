"""Answers with verified citations, and honest refusal.

Pipeline: retrieve → pick evidence sentences → compose (extractive offline default, or an LLM) →
verify every citation against the sentence it cites → refuse when the evidence does not carry the
question.

Usage::

    query = retriever.analyze(question)          # rag.retrieval.query: the question analysed once
    answer = compose_extractive(query, hits, settings)
    answer.to_json()   # the stable machine format of `rag ask --json`
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from rag.answer.answer_type import (
    Missing,
    lacks_asked_figure,
    lacks_asked_ordinal,
    unmentioned,
)
from rag.answer.answerability import Case, PairReader, Similarity
from rag.answer.answerability_model import decide
from rag.answer.claim_features import is_instruction
from rag.answer.evidence import passage_sentences, score_sentences
from rag.answer.lead import asked_item
from rag.answer.lists import list_line, list_run
from rag.answer.slot_text import describe
from rag.answer.slots import compare_slots
from rag.retrieval.query import without_markup
from rag.retrieval.sentence_completion import PassageReader
from rag.settings import Settings, get_settings
from rag.text.asked import answer_pattern
from rag.text.cjk import has_han
from rag.text.footnotes import without_footnote_marks
from rag.text.language import detect_language
from rag.text.lexical import tokenize
from rag.text.sentences import is_heading, split_sentences
from rag.text.terms import coverage, same_language_groups, translated_groups
from rag.types import Answer, Citation, EvidenceSentence, Query, SearchHit

# A refusal: what the documents do not say, why (when a check of the answer type decided it), and
# the closest passages below it.
REFUSAL = {"zh": "文档中没有找到能回答这个问题的内容。", "en": "The documents do not say."}
REFUSAL_TAIL = {"zh": "下面是最接近的段落，供参考。", "en": " The closest passages are listed below for reference."}
REFUSAL_REASON = {
    "money": {"zh": "最接近的段落没有给出所问的金额。", "en": " The closest passages state no sum of money for it."},
    "duration": {"zh": "最接近的段落没有给出所问的时长或频率。", "en": " The closest passages state no duration or frequency for it."},
    "figure": {"zh": "最接近的段落没有给出所问的数字。", "en": " The closest passages state no figure for it."},
    "ordinal": {"zh": "最接近的段落说的是另一届（次）。", "en": " The closest passages concern another occurrence than the one asked about."},
    "mention": {"zh": "最接近的段落没有提到“{word}”。", "en": " The closest passages do not mention “{word}”."},
}
CROSS_LINGUAL_LEAD = {
    "zh": "相关内容在英文文档中，原文如下：",
    "en": "The relevant source sentences are in Chinese, quoted below:",  # neutral: a hedge (HEDGE) may precede it
}
# An answer whose P(answerable) is below its group's confidence threshold (rag.answer.answerability_model.Decision):
# answered, and said to be uncertain — on the tune half most near misses that are answered at all fall there.
HEDGE = {"zh": "文档可能没有确切回答这个问题（把握不高），最接近的内容如下：",
         "en": "The documents may not answer this exactly (low confidence); the closest sentences are:"}
UNSUPPORTED_MARK = {"zh": "（未能在文档中核实）", "en": " (not verified in the documents)"}
CITATION = re.compile(r"\s*[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")


SENTENCE_END = "。！？；.!?;…"


def attach_citation(sentence: str, n: int, language: str) -> str:
    """'…罚款。' → '…罚款[1]。'; 'It was $100m.' → 'It was $100m [1].'; a unit that ends no sentence (a table
    row, a list item) gets the end of its own script, so the next cited sentence does not run on from it."""
    body = sentence.rstrip()
    end = ""
    while body and body[-1] in SENTENCE_END:
        end = body[-1] + end
        body = body[:-1]
    if not end and not re.search(r"[。！？.!?…][\"'”’）)」』]+$", body):  # '…罚款。”' is ended already
        end = "。" if has_han(body) else "."
    marker = f"[{n}]" if language == "zh" else f" [{n}]"
    return f"{body}{marker}{end}"


def citation_from(sentence: EvidenceSentence, n: int) -> Citation:
    hit = sentence.hit
    return Citation(
        n=n, doc=hit.doc, title=hit.title, text=sentence.text, start=sentence.start, end=sentence.end,
        page=hit.page, score=round(sentence.score, 4), section=hit.section, date=hit.date,
        passage=hit.text, passage_start=hit.start, passage_end=hit.end, passage_marks=hit.marks,
    )


def select_evidence(sentences: list[EvidenceSentence], settings: Settings) -> list[EvidenceSentence]:
    """Best sentences, without near-repeats, at most ``answer_max_sentences``, in reading order; never a
    title, heading or label (``is_heading``: those stay visible as the cited passage's context), never text
    that gives orders (``is_instruction``: a planted "ignore the question and answer …")."""
    if not sentences:
        return []
    best = sentences[0].score
    chosen: list[EvidenceSentence] = []
    for sentence in sentences:
        if len(chosen) >= settings.answer_max_sentences:
            break
        if sentence.score < best * settings.evidence_relative_min or sentence.coverage <= 0:
            break
        if is_heading(sentence.text) or is_instruction(sentence.text):
            continue  # a heading stays context; text that gives orders is never evidence
        tokens = set(tokenize(sentence.text))
        if any(_jaccard(tokens, set(tokenize(c.text))) > settings.evidence_max_similarity for c in chosen):
            continue
        chosen.append(sentence)
    # Reading order: by passage rank, then position in the passage.
    return sorted(chosen, key=lambda s: (s.hit_rank, s.hit.start, s.position))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def min_support(best: EvidenceSentence, q_lang: str, settings: Settings) -> float:
    same = best.hit.language == q_lang
    return settings.refusal_min_support if same else settings.refusal_min_support_cross


def refusal(question: str, q_lang: str, hits: list[SearchHit], support: float, missing: Missing | None = None) -> Answer:
    lang = q_lang if q_lang in REFUSAL else "en"
    return Answer(question, q_lang, REFUSAL[lang] + refusal_reason(missing, lang) + REFUSAL_TAIL[lang], True, [],
                  hits, support=support)


def refusal_reason(missing: Missing | None, lang: str) -> str:
    """The sentence that says what the closest passages lack ("" when the question is simply not covered)."""
    if missing is None or missing.kind not in REFUSAL_REASON:
        return ""
    return REFUSAL_REASON[missing.kind][lang].format(word=missing.word)


def evidence_case(
    query: Query, hits: list[SearchHit], settings: Settings, similarity: Similarity | None = None,
    reader: PairReader | None = None,
) -> Case:
    """The question's evidence as the answerability decision reads it: every sentence of the top
    passages scored (best first; sentences that state the asked-for kind of figure get a bonus), the
    evidence chosen from them, and what the answer-type rules find missing in it."""
    sentences = score_sentences(hits, query, settings.answer_passages, settings.evidence_context_weight,
                                 settings.evidence_passage_weight, settings.evidence_rank_prior)
    wanted = answer_pattern(query.answer_kind)
    if wanted is not None:  # the answer type: prefer sentences that state such a figure
        for sentence in sentences:
            sentence.score += settings.evidence_figure_bonus * bool(wanted.search(sentence.text))
        sentences.sort(key=lambda s: -s.score)
    chosen = select_evidence(sentences, settings)
    case = Case(query, hits, sentences, chosen, similarity=similarity, reader=reader)
    case.missing = missing_answer(query, chosen, settings)
    return case


def missing_answer(query: Query, chosen: list[EvidenceSentence], settings: Settings) -> Missing | None:
    """What the chosen evidence lacks of the asked-for kind of answer (rag.answer.answer_type), or None."""
    # A figure counts only in a sentence that is itself about the question (the EU's fine does not
    # answer a question about the Chinese measures' fines, even beside a passage about those).
    on_topic = [s for s in chosen if s.coverage >= min_support(s, query.language, settings)]
    if lacks_asked_figure(query, on_topic):
        return Missing(query.answer_kind or "figure")
    if lacks_asked_ordinal(query, chosen):
        return Missing("ordinal")
    word = unmentioned(query, chosen)
    return Missing("mention", word) if word is not None else None


class Evidence(NamedTuple):
    """What answers the question (``answering_evidence``): the evidence sentences (none: refuse), the support
    (coverage of the strongest sentence), what the answer-type rules found missing, and whether the answer is said
    with confidence."""

    chosen: list[EvidenceSentence]
    support: float
    missing: Missing | None
    confident: bool = True


def answering_evidence(
    query: Query, hits: list[SearchHit], settings: Settings, similarity: Similarity | None = None,
    reader: PairReader | None = None,
) -> Evidence:
    """The evidence sentences that answer the question, the support (coverage of the strongest
    sentence), what is missing, and whether the answer is confident. No sentences when the documents do not answer it.

    By default (``answerability_model``) the learned answerability decision (rag.answer.answerability)
    makes that call (the ordinal and mention rules still refuse on their own) and says how confident it is; when it
    refuses evidence about the question, what the answer-type rules found missing (a figure, a sum of money, the n-th
    event, the role or event asked about) is the reason given. With it off, the rules decide: too little
    of the question is covered (nothing named missing), or the asked-for kind of answer is absent (see
    rag.answer.answer_type)."""
    if not settings.answerability_model:
        case = evidence_case(query, hits, settings)
        support = case.strongest.coverage if case.strongest else 0.0
        if case.strongest is None or support < min_support(case.strongest, query.language, settings):
            return Evidence([], support, None)
        return Evidence([], support, case.missing) if case.missing is not None else Evidence(case.chosen, support, None)
    case = evidence_case(without_markup(query), hits, settings, similarity, reader)
    support = case.strongest.coverage if case.strongest else 0.0
    decision = decide(case, confidence=settings.answer_confidence)
    if decision.answerable:
        return Evidence(case.chosen, support, None, decision.confident)
    # What is missing is named only of evidence about the question (as the rules did).
    on_topic = case.strongest is not None and support >= min_support(case.strongest, query.language, settings)
    return Evidence([], support, case.missing if on_topic else None)


def compose_extractive(
    query: Query, hits: list[SearchHit], settings: Settings, similarity: Similarity | None = None,
    reader: PairReader | None = None, passages: PassageReader | None = None,
) -> Answer:
    """The offline answer: the few best supporting sentences, each cited; or a refusal. ``passages`` reads a
    list's items past the evidence's passage (rag.answer.lists)."""
    evidence = answering_evidence(query, hits, settings, similarity, reader)
    if not evidence.chosen:
        return refusal(query.text, query.language, hits, evidence.support, evidence.missing)
    return hedged(extractive_answer(query, hits, evidence.chosen, evidence.support, passages, settings), evidence.confident)


def hedged(answer: Answer, confident: bool) -> Answer:
    """The answer with its confidence (``Answer.confidence``); a low one opens the text with ``HEDGE``."""
    answer.confidence = "high" if confident else "low"
    if not confident:
        answer.answer = f"{HEDGE.get(answer.language, HEDGE['en'])}\n{answer.answer}"
    return answer


def extractive_answer(query: Query, hits: list[SearchHit], chosen: list[EvidenceSentence], support: float,
                      passages: PassageReader | None = None, settings: Settings | None = None) -> Answer:
    """The chosen evidence sentences as the answer, each cited (quoted under a lead line when they are
    all in the other language); footnote marks glued to them ("…研究所26。") are left out of the answer
    text, the citations keep the sentences exactly. For a list question whose best sentence opens or sits
    in a run of items, the preface and the items come first, one a line (rag.answer.lists)."""
    q_lang = query.language
    run = list_run(query, chosen, settings or get_settings(), passages)
    listed = run.evidence if run else []
    chosen = listed + [s for s in chosen if not (run and run.holds(s))]
    citations = [citation_from(s, n) for n, s in enumerate(chosen, start=1)]  # each keeps its exact text
    cross = all(s.hit.language != q_lang for s in chosen)
    if cross:
        lead = asked_item(query, citations)
        lines = ([lead] if lead else []) + [CROSS_LINGUAL_LEAD[q_lang]]
        lines += [f"- “{without_footnote_marks(c.text)}” [{c.n}]" for c in citations]
        text = "\n".join(lines)
    else:
        joiner = "" if q_lang == "zh" else " "
        text = joiner.join(attach_citation(without_footnote_marks(c.text), c.n, q_lang) for c in citations[len(listed):])
        text = "\n".join([list_line(without_footnote_marks(c.text), c.n, q_lang) for c in citations[:len(listed)]]
                         + ([text] if text else []))
    return Answer(query.text, q_lang, text, False, citations, hits, support=support)


# --- verification of generated answers -----------------------------------------------------


def split_answer(text: str) -> list[tuple[str, list[int]]]:
    """Answer sentences with the citation numbers attached to each."""
    out: list[tuple[str, list[int]]] = []
    for a, b in split_sentences(text):
        sentence = text[a:b]
        numbers = [int(n) for group in CITATION.findall(sentence) for n in re.split(r"[,，、]\s*", group) if n.strip()]
        bare = CITATION.sub("", sentence).strip()
        if not bare and out and numbers:  # a citation alone after the period belongs to the last sentence
            out[-1][1].extend(numbers)
            continue
        if bare:
            out.append((bare, numbers))
    return out


def support_score(sentence: str, evidence: str, q_lang: str, translate_groups: Any) -> float:
    """Share of the answer sentence's terms found in the evidence (translated when languages differ)."""
    tokens = tokenize(sentence)
    if not tokens:
        return 0.0
    evidence_language = detect_language(evidence)
    if evidence_language != detect_language(sentence) and translate_groups is not None:
        groups = translated_groups(translate_groups(sentence, evidence_language), tokens, None)
    else:
        groups = same_language_groups(tokens)
    return coverage(groups, set(tokenize(evidence)))


def dense_support(
    sentence_vector: np.ndarray, candidate_vectors: np.ndarray, candidates: list[EvidenceSentence],
    settings: Settings,
) -> EvidenceSentence | None:
    """The candidate sentence that stands out by embedding similarity to the answer sentence (cosine ≥
    ``citation_min_dense`` and ahead of the runner-up by ``citation_dense_margin``), or None. Vectors
    are L2-normalized, one row per candidate."""
    if not candidates:
        return None
    similarities = candidate_vectors @ sentence_vector
    order = np.argsort(-similarities)
    best = float(similarities[order[0]])
    runner_up = float(similarities[order[1]]) if len(order) > 1 else -1.0
    if best >= settings.citation_min_dense and best - runner_up >= settings.citation_dense_margin:
        return candidates[int(order[0])]
    return None


CONTENT_COMPARED = ("quantity", "date", "entity")  # what an answer sentence may not state otherwise than its source


def content_conflict(sentence: str, evidence: str, language: str, same_language: bool) -> str | None:
    """What the answer sentence states otherwise than the evidence sentence, described in ``language`` — a
    figure, a date or a name of the same kind in the same role (``rag.answer.slots``), or, within one
    language, a negation the other lacks (across languages its scope is too rough to trust) — or None."""
    comparison = compare_slots(sentence, evidence)
    found = [describe(d, language) for d in comparison.differences if d.kind in CONTENT_COMPARED]
    if found:
        return "; ".join(found)
    if same_language and comparison.negation is not None:
        return describe(comparison.negation, language)
    return None


def verify_answer(
    text: str, q_lang: str, hits: list[SearchHit], settings: Settings, translate_groups: Any = None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> tuple[str, list[Citation], list[str]]:
    """Check each cited [n] (n = passage number, 1-based, in ``hits``) against that passage.

    A citation whose passage does not support the sentence (lexically, or by embedding similarity when
    ``embed`` is given) is re-pointed to the passage sentence that supports it best, or removed; a
    sentence left without support is marked. A sentence whose figure, date, name or negation differs from
    its supporting sentence (``content_differences``) is re-pointed to one that agrees, or keeps its citation
    and is marked, the difference noted. Returns the rewritten answer (citations renumbered to the
    supporting sentences), the citations, and notes of changes.
    """
    citations: list[Citation] = []
    notes: list[str] = []
    candidates = [s for rank, hit in enumerate(hits) for s in passage_sentences(hit, rank)]
    candidate_vectors: np.ndarray | None = None  # embedded once, when a sentence first needs them
    parts: list[str] = []
    for sentence, numbers in split_answer(text):
        best: EvidenceSentence | None = None
        best_score = 0.0
        cited = [hits[n - 1] for n in numbers if 1 <= n <= len(hits)]
        pool = [s for s in candidates if s.hit in cited] if cited else []
        for candidate in pool:
            score = support_score(sentence, candidate.text, q_lang, translate_groups)
            if score > best_score:
                best, best_score = candidate, score
        if best_score < settings.citation_min_lexical:
            repointed = max(
                ((support_score(sentence, c.text, q_lang, translate_groups), c) for c in candidates),
                key=lambda pair: pair[0], default=(0.0, None),
            )
            semantic = None
            if repointed[0] < settings.citation_min_lexical and embed is not None and candidates:
                if candidate_vectors is None:
                    candidate_vectors = embed([c.text for c in candidates])
                semantic = dense_support(embed([sentence])[0], candidate_vectors, candidates, settings)
            if repointed[1] is not None and repointed[0] >= settings.citation_min_lexical:
                if numbers:
                    notes.append(f"citation {numbers} re-pointed for: {sentence[:60]}")
                best, best_score = repointed[1], repointed[0]
            elif semantic is not None:
                if numbers and semantic.hit not in cited:
                    notes.append(f"citation {numbers} re-pointed by embedding similarity for: {sentence[:60]}")
                best, best_score = semantic, settings.citation_min_lexical
            else:
                if numbers:
                    notes.append(f"citation {numbers} removed (no support) for: {sentence[:60]}")
                parts.append(sentence + UNSUPPORTED_MARK.get(q_lang, UNSUPPORTED_MARK["en"]))
                continue
        assert best is not None
        marked = False
        conflict = content_conflict(sentence, best.text, q_lang, best.hit.language == q_lang)
        if conflict:
            agreeing = max(((support_score(sentence, c.text, q_lang, translate_groups), c) for c in candidates
                            if not content_conflict(sentence, c.text, q_lang, c.hit.language == q_lang)),
                           key=lambda pair: pair[0], default=(0.0, None))
            # only to a sentence that holds as much of the answer sentence as the one that disagrees
            if agreeing[1] is not None and agreeing[0] >= max(best_score, settings.citation_min_lexical):
                notes.append(f"citation re-pointed to a sentence that agrees with: {sentence[:60]}")
                best, best_score = agreeing[1], agreeing[0]
            else:
                marked = True
                notes.append(f"differs from its source ({conflict}): {sentence[:60]}")
        existing = next((c for c in citations if c.start == best.start and c.doc == best.hit.doc), None)
        if existing is None:
            best.score = best_score
            existing = citation_from(best, len(citations) + 1)
            citations.append(existing)
        mark = UNSUPPORTED_MARK.get(q_lang, UNSUPPORTED_MARK["en"]) if marked else ""
        parts.append(attach_citation(sentence + mark, existing.n, q_lang))
    joiner = "" if q_lang == "zh" else " "
    return joiner.join(parts), citations, notes
