"""Answerability: does the retrieved evidence answer the question, or is it a near miss?

A near miss is evidence on the question's topic that does not hold its answer: the paragraph beside
the one that would, a passage about another year or another body. Coverage alone does not tell them
apart (a neighbouring paragraph shares most of the question's words), so the decision weighs cheap
signals of the evidence and the retrieval — how much of the question the best sentence holds, whether
the question's constraints (numbers, names, rare words) and the asked-for kind of answer are there,
how far the top passage stands out — in a logistic regression fitted on near misses
(``bench/answerability.py``: the tune halves of XQuAD, four directions, and of CMRC 2018 dev).
The model and its decision: ``rag.answer.answerability_model``. Each feature is a small function of a
``Case``, registered by name in ``FEATURES``.

Usage::

    case = evidence_case(query, hits, settings)  # rag.answer.compose; query: rag.types.Query
    features(case)                   # {name: value}
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.answer.answer_type import Missing
from rag.settings import get_settings
from rag.text.asked import answer_pattern
from rag.text.lexical import tokenize
from rag.text.terms import coverage, term_weight
from rag.types import EvidenceSentence, PairReader, Query, SearchHit, TermGroup

Similarity = Callable[[list[str]], np.ndarray]  # texts → the embedding cosine of each with the question


@dataclass
class Case:
    """One question and its evidence: ``sentences`` scored and best first (``score_sentences`` with the
    figure bonus applied), ``chosen`` the evidence ``select_evidence`` picked from them, ``missing`` what
    the answer-type rules (rag.answer.answer_type) found missing, if anything."""

    query: Query
    hits: list[SearchHit]
    sentences: list[EvidenceSentence]
    chosen: list[EvidenceSentence]
    missing: Missing | None = None
    similarity: Similarity | None = None  # texts → embedding cosine of each with the question
    reader: PairReader | None = None  # the reader (rag.answer.reader): does a sentence answer the question?
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def strongest(self) -> EvidenceSentence | None:
        """The sentence that covers most of the question (None without evidence)."""
        if "strongest" not in self._memo:
            self._memo["strongest"] = max(self.sentences, key=lambda s: s.coverage, default=None)
        return self._memo["strongest"]

    @property
    def group(self) -> str:
        """The model group: "same-" or "cross-" (evidence language vs question's) + question language."""
        return f"{'cross' if self.cross else 'same'}-{self.query.language if self.query.language in ('en', 'zh') else 'en'}"

    @property
    def cross(self) -> bool:
        """Whether the strongest evidence is in the other language than the question's."""
        return self.strongest is not None and self.strongest.hit.language != self.query.language

    def terms_for(self, hit: SearchHit) -> list[TermGroup]:
        return self.query.terms_for(hit.language)

    def tokens(self, text: str) -> frozenset[str]:
        memo = self._memo.setdefault("tokens", {})
        if text not in memo:
            memo[text] = frozenset(tokenize(text))
        return memo[text]

    def passage_tokens(self, hit: SearchHit) -> frozenset[str]:
        return self.tokens(f"{hit.scored_title}\n{hit.section}\n{hit.text}")

    def read_texts(self) -> list[str]:
        """The sentences compared with the question: the best ``settings.answerability_sentences_read`` and the
        strongest one."""
        read = get_settings().answerability_sentences_read
        return list(dict.fromkeys([s.text for s in self.sentences[:read]]
                                  + ([self.strongest.text] if self.strongest else [])))

    def cosines(self) -> dict[str, float]:
        """The question's embedding cosine with each of ``read_texts``, by text (empty without a ``similarity``)."""
        if "cosines" not in self._memo:
            texts = self.read_texts()
            values = self.similarity(texts) if self.similarity is not None and texts else []
            self._memo["cosines"] = dict(zip(texts, (float(v) for v in values), strict=False))
        return self._memo["cosines"]

    def read(self) -> dict[str, float]:
        """The reader's P(answers) for each of ``read_texts``, by text (empty without a reader)."""
        if "read" not in self._memo:
            texts = self.read_texts()
            scores = self.reader(self.query.text, texts) if self.reader is not None and texts else []
            self._memo["read"] = {t: float(v["answers"]) for t, v in zip(texts, scores, strict=False)}
        return self._memo["read"]


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A Latin-script name in the question: a capitalized word not opening the question (English), or
# any Latin word in a Chinese question.
LATIN_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][A-Za-z0-9'’-]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]+")


def constraint_tokens(question: str, q_lang: str) -> list[str]:
    """The question's numbers (years, dates, counts) and Latin names, as index tokens: words a passage
    must hold to be about the same thing, in either language."""
    found = [n.replace(",", "") for n in NUMBER.findall(question)]
    names = LATIN_WORD.findall(question) if q_lang == "zh" else LATIN_NAME.findall(question.strip())
    for name in names:
        found += tokenize(name)
    return list(dict.fromkeys(t for t in found if t))


def rarity(group: TermGroup, same_language: bool) -> float:
    """A group's rarity: its weight for the question's own words; for translated words (all weighted
    alike) the rarity of their rarest translation in the passage language."""
    if same_language:
        return group[1]
    return max((sum(term_weight(t) for t in alt) / len(alt) for alt in group[0] if alt), default=0.0)


def rare_groups(groups: list[TermGroup], same_language: bool) -> list[TermGroup]:
    """The rarest third (at least one) of the positive-weight groups."""
    positive = sorted((g for g in groups if g[1] > 0), key=lambda g: -rarity(g, same_language))
    return positive[: max(1, math.ceil(len(positive) / 3))]


def matched(group: TermGroup, tokens: frozenset[str]) -> bool:
    return any(alt <= tokens for alt in group[0])


def local_weights(case: Case) -> list[tuple[TermGroup, float]]:
    """The question's groups (for the language of the strongest evidence) weighted by how specific
    they are among the retrieved passages: log((n + 1) / (df + 0.5)), df = passages matching."""
    best = case.strongest
    if best is None or "local" in case._memo:
        return case._memo.get("local", [])
    terms = case.terms_for(best.hit)
    same = [h for h in case.hits if h.language == best.hit.language] or case.hits
    passages = [case.passage_tokens(h) for h in same]
    out = []
    for group in terms:
        if group[1] <= 0:
            continue
        df = sum(matched(group, p) for p in passages)
        out.append((group, math.log((len(passages) + 1) / (df + 0.5))))
    case._memo["local"] = out
    return out


Feature = Callable[[Case], float]


def _support(case: Case) -> float:
    """Coverage of the question by its strongest sentence."""
    return case.strongest.coverage if case.strongest else 0.0


def _passage_coverage(case: Case) -> float:
    """Coverage of the question by the strongest sentence's passage (title, section, text)."""
    best = case.strongest
    return coverage(case.terms_for(best.hit), case.passage_tokens(best.hit)) if best else 0.0


def _support_margin(case: Case) -> float:
    """Strongest coverage minus the best coverage of a sentence in another passage."""
    best = case.strongest
    others = [s.coverage for s in case.sentences if best is not None and s.hit is not best.hit]
    return best.coverage - max(others, default=0.0) if best else 0.0


def _close_sentences(case: Case) -> float:
    """log(1 + sentences within ``settings.answerability_close_share`` of the strongest coverage): many equal
    candidates, none answers."""
    best, share = _support(case), get_settings().answerability_close_share
    return math.log1p(sum(s.coverage >= share * best for s in case.sentences)) if best > 0 else 0.0


def _rare_in_sentence(case: Case) -> float:
    """Share of the question's rarest words (by general-language rarity) in the strongest sentence."""
    best = case.strongest
    if best is None:
        return 0.0
    groups = rare_groups(case.terms_for(best.hit), not case.cross)
    tokens = case.tokens(best.text)
    return sum(matched(g, tokens) for g in groups) / len(groups) if groups else 0.0


def _specific_in(where: str) -> Feature:
    """Coverage of the strongest sentence (or its passage) with the question's words weighted by how
    specific they are among the retrieved passages (a word every passage holds says little)."""
    def feature(case: Case) -> float:
        weighted = local_weights(case)
        total = sum(w for _, w in weighted)
        if total <= 0 or case.strongest is None:
            return 0.0
        best = case.strongest
        tokens = case.tokens(best.text) if where == "sentence" else case.passage_tokens(best.hit)
        return sum(w for g, w in weighted if matched(g, tokens)) / total

    return feature


def _absent_everywhere(case: Case) -> float:
    """Weighted share (general-language rarity) of the question's words no retrieved passage holds."""
    best = case.strongest
    if best is None:
        return 1.0
    weighted = [(g, rarity(g, not case.cross)) for g in case.terms_for(best.hit) if g[1] > 0]
    total = sum(w for _, w in weighted)
    if total <= 0:
        return 0.0
    passages = [case.passage_tokens(h) for h in case.hits if h.language == best.hit.language]
    return sum(w for g, w in weighted if not any(matched(g, p) for p in passages)) / total


def _missing_rarest(case: Case) -> float:
    """The rarity of the rarest question word the strongest sentence's passage lacks (0: none lacking)."""
    best = case.strongest
    tokens = case.passage_tokens(best.hit) if best else frozenset()
    missing = [rarity(g, not case.cross) for g in case.terms_for(best.hit) if g[1] > 0 and not matched(g, tokens)] if best else []
    return max(missing, default=0.0)


def _constraints_in_passage(case: Case) -> float:
    """Share of the question's numbers and Latin names in the strongest sentence's passage (1 when it
    has none)."""
    needles = constraint_tokens(case.query.text, case.query.language)
    if not needles or case.strongest is None:
        return 1.0 if not needles else 0.0
    tokens = case.passage_tokens(case.strongest.hit)
    return sum(t in tokens for t in needles) / len(needles)


def _figure_in_strongest(case: Case) -> float:
    """The question asks how many / how much / how long and the strongest sentence states such a figure."""
    wanted = answer_pattern(case.query.answer_kind)
    best = case.strongest
    return float(wanted is not None and best is not None and wanted.search(best.text) is not None)


def _lacks_figure(case: Case) -> float:
    """The figure rule fired: a how-many/how-much/how-long question whose on-topic evidence states no
    such figure (rag.answer.answer_type)."""
    return float(case.missing is not None and case.missing.kind in ("figure", "money", "duration"))


def _top_hit(name: str) -> Feature:
    """A retrieval feature of the top passage (rag.retrieval.rerank)."""
    return lambda case: float(case.hits[0].features.get(name, 0.0)) if case.hits else 0.0


def _dense_margin(case: Case) -> float:
    """Dense cosine of the top passage minus the best of the others."""
    values = [h.features.get("dense", 0.0) for h in case.hits]
    return values[0] - max(values[1:], default=values[0]) if values else 0.0


def _rerank(case: Case) -> float:
    """The top passage's rerank score (a sum of z-scores over the candidates: how far it stands out)."""
    return float(case.hits[0].score) if case.hits else 0.0


def _rerank_margin(case: Case) -> float:
    return float(case.hits[0].score - case.hits[1].score) if len(case.hits) > 1 else 0.0


def _top_z(name: str) -> Feature:
    """How far the top passage stands out from the other retrieved ones on a retrieval feature (its
    z-score among them)."""
    def feature(case: Case) -> float:
        values = np.asarray([h.features.get(name, 0.0) for h in case.hits], dtype=float)
        spread = values.std() if len(values) > 1 else 0.0
        return float((values[0] - values.mean()) / spread) if spread > 1e-9 else 0.0

    return feature


def _terms_z(case: Case) -> float:
    """``_top_z`` of BM25 of the question's words (same language) or of their translation (other)."""
    return _top_z("translated_terms" if case.cross else "question_terms")(case)


def _gloss_coverage(case: Case) -> float:
    """Share of the question's own words (by rarity) in the strongest passage's gloss — its terms
    translated into the question's language at ingest (rag.ingest.gloss) — for other-language evidence;
    the passage's own coverage otherwise."""
    best = case.strongest
    if best is None:
        return 0.0
    if not case.cross or not best.hit.gloss:
        return coverage(case.query.cross_terms if case.cross else case.query.terms, case.passage_tokens(best.hit))
    return coverage(case.query.terms, frozenset(best.hit.gloss.split()))  # already index tokens


def _strongest_rank(case: Case) -> float:
    """1 / (1 + rank of the strongest sentence's passage)."""
    return 1.0 / (1 + case.strongest.hit_rank) if case.strongest else 0.0


def _sentence_dense(case: Case) -> float:
    """The best embedding cosine of the question with one of its best sentences (a sentence that reads
    as the answer to it, in either language), not with a whole passage. NaN without a ``similarity``:
    the model then reads the feature as its average (``AnswerabilityModel.vector``)."""
    return max(case.cosines().values(), default=0.0) if case.similarity is not None else math.nan


def _strongest_dense(case: Case) -> float:
    """The question's embedding cosine with the sentence that covers most of its words (NaN as above)."""
    if case.similarity is None:
        return math.nan
    return case.cosines().get(case.strongest.text, 0.0) if case.strongest else 0.0


def _reader_best(case: Case) -> float:
    """The reader's highest P(answers) over the best sentences (NaN without the reader)."""
    return max(case.read().values(), default=0.0) if case.reader is not None else math.nan


def _reader_strongest(case: Case) -> float:
    """The reader's P(answers) for the sentence that covers most of the question (NaN without the reader)."""
    if case.reader is None:
        return math.nan
    return case.read().get(case.strongest.text, 0.0) if case.strongest else 0.0


def _question_words(case: Case) -> float:  # log(1 + words): a short question's coverage is coarse
    return math.log1p(sum(1 for g in case.query.terms if g[1] > 0))


FEATURES: dict[str, Feature] = {
    "support": _support,
    "passage_coverage": _passage_coverage,
    "support_margin": _support_margin,
    "close_sentences": _close_sentences,
    "rare_in_sentence": _rare_in_sentence,
    "specific_in_sentence": _specific_in("sentence"),
    "specific_in_passage": _specific_in("passage"),
    "absent_everywhere": _absent_everywhere,
    "missing_rarest": _missing_rarest,
    "constraints_in_passage": _constraints_in_passage,
    "figure_in_strongest": _figure_in_strongest,
    "lacks_figure": _lacks_figure,
    "dense_top": _top_hit("dense"),
    "dense_margin": _dense_margin,
    "gloss_top": _top_hit("gloss"),
    "coverage_top": _top_hit("coverage"),
    "dense_z": _top_z("dense"),
    "terms_z": _terms_z,
    "gloss_coverage": _gloss_coverage,
    "rerank_top": _rerank,
    "rerank_margin": _rerank_margin,
    "strongest_rank": _strongest_rank,
    "question_words": _question_words,
    "sentence_dense": _sentence_dense,
    "strongest_dense": _strongest_dense,
    "reader_best": _reader_best,  # read only by the model fitted with the reader (answerability_model_reader.json)
    "reader_strongest": _reader_strongest,
}


def features(case: Case) -> dict[str, float]:
    """Every registered feature of ``case``."""
    return {name: float(feature(case)) for name, feature in FEATURES.items()}
