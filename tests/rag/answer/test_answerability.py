"""rag.answer.answerability and answerability_model: the learned refusal decision, its shipped model and its switch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers.fakes import FakeEmbedder

from rag.answer import answerability_model
from rag.answer.answerability import FEATURES, Case, features
from rag.answer.answerability_model import READER_MODEL_PATH, load_model
from rag.answer.compose import answering_evidence, compose_extractive, evidence_case
from rag.retrieval.query import plain_query
from rag.settings import Settings
from rag.types import SearchHit

QUESTION = "How much initial funding did the UK AI Safety Institute receive in 2023?"
ANSWER = "In 2023 the UK AI Safety Institute received initial funding of 100 million pounds from the government."
# The same institute, another year, no sum of money: the paragraph beside the answer (a near miss).
NEAR_MISS = "In 2021 the UK AI Safety Institute opened its first office in London, staffed by researchers."
OTHER = "The European Union adopted its AI Act after long negotiations between the member states."


def hit(text: str, doc: str, score: float, dense: float, language: str = "en") -> SearchHit:
    return SearchHit(doc=doc, title="", section="", page=None, text=text, start=0, end=len(text), score=score,
                     language=language, doc_hash=doc, sentences=[(0, len(text), 0, len(text))],
                     features={"dense": dense, "gloss": dense - 0.05, "coverage": 0.0, "question_terms": 0.0,
                               "translated_terms": 0.0, "passage_gloss": 0.0})


def hits_with(first: str) -> list[SearchHit]:
    """``first`` as the top passage, then two weaker ones; the retrieval features are the same
    whichever text is on top, so only what the evidence says differs."""
    return [hit(first, "a.txt", 6.0, 0.88), hit(OTHER, "b.txt", 1.0, 0.80), hit(OTHER + " It applies from 2026.", "c.txt", 0.5, 0.79)]


EMBEDDER = FakeEmbedder()  # hashed characters: a sentence sharing more of the question's words is nearer


def similarity_to(question: str):  # type: ignore[no-untyped-def]
    query = EMBEDDER.embed_queries([question])[0]
    return lambda texts: EMBEDDER.embed_passages(texts) @ query


def case_for(first: str, question: str = QUESTION, similarity: bool = True) -> Case:
    return evidence_case(plain_query(question, "en"), hits_with(first), Settings(_env_file=None),
                         similarity_to(question) if similarity else None)


def test_the_shipped_model_loads_and_names_registered_features() -> None:
    model = load_model()
    assert model.names == [name for name in FEATURES if not name.startswith("reader_")]
    assert load_model(READER_MODEL_PATH).names == list(FEATURES)  # the model fitted with the reader reads them all
    assert set(model.groups) == {"same-en", "same-zh", "cross-en", "cross-zh"}
    for group in model.groups.values():
        assert len(group.weights) == len(group.mean) == len(group.scale) == len(model.names)
        assert 0.0 < group.threshold < 1.0
        assert all(math.isfinite(w) for w in group.weights)
    trained = model.meta["trained"]
    assert trained["command"].startswith("python -m bench.answerability fit") and trained["date"]


def test_every_feature_is_a_finite_number() -> None:
    values = features(case_for(ANSWER))
    assert list(values) == list(FEATURES)
    assert all(math.isfinite(v) for k, v in values.items() if not k.startswith("reader_"))
    assert all(math.isnan(v) for k, v in values.items() if k.startswith("reader_"))  # no reader: read as the average


def test_an_answer_scores_above_its_threshold_and_the_near_miss_beside_it_below() -> None:
    model = load_model()
    answer, near_miss = case_for(ANSWER), case_for(NEAR_MISS)
    threshold = model.group_of(answer).threshold
    assert answer.group == near_miss.group == "same-en"
    assert model.probability(answer) >= threshold > model.probability(near_miss)
    assert answerability_model.answerable(answer) and not answerability_model.answerable(near_miss)


def test_a_refusal_keeps_the_answer_type_reason() -> None:
    settings = Settings(_env_file=None)
    chosen, _, missing, _ = answering_evidence(plain_query(QUESTION, "en"), hits_with(NEAR_MISS), settings)
    assert chosen == [] and missing is not None and missing.kind == "money"
    answer = compose_extractive(plain_query(QUESTION, "en"), hits_with(NEAR_MISS), settings)
    assert answer.refused and "state no sum of money" in answer.answer


def test_no_evidence_is_refused_without_asking_the_model() -> None:
    case = case_for(OTHER, "Which river flows through Paris?")
    assert case.chosen == [] and not answerability_model.answerable(case)


def test_the_setting_off_restores_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """With RAG_ANSWERABILITY_MODEL=false the model is not consulted and the coverage threshold and
    answer-type rules decide, as before the model."""
    off = Settings(_env_file=None, answerability_model=False)
    on = Settings(_env_file=None)
    # The rules answer a sentence holding the sum; they refuse, naming nothing, below the support threshold.
    chosen, support, missing, _ = answering_evidence(plain_query(QUESTION, "en"), hits_with(ANSWER), off)
    assert chosen and missing is None and support >= off.refusal_min_support
    thin = "How much did the institute's new Bristol laboratory cost to equip with robots?"
    chosen, support, missing, _ = answering_evidence(plain_query(thin, "en"), hits_with(ANSWER), off)
    assert chosen == [] and missing is None and support < off.refusal_min_support

    # A model that refuses everything changes the answer only while the setting is on.
    class Never:
        def decide(self, case: Case, confidence: bool = True) -> answerability_model.Decision:
            return answerability_model.REFUSED

    monkeypatch.setattr(answerability_model, "load_model", lambda *a: Never())
    assert answering_evidence(plain_query(QUESTION, "en"), hits_with(ANSWER), on)[0] == []
    assert answering_evidence(plain_query(QUESTION, "en"), hits_with(ANSWER), off)[0]


def test_the_setting_reads_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_ANSWERABILITY_MODEL", "false")
    assert Settings(_env_file=None).answerability_model is False
    monkeypatch.delenv("RAG_ANSWERABILITY_MODEL")
    assert Settings(_env_file=None).answerability_model is True


def test_the_sentence_features_read_the_questions_cosine_with_its_best_sentences() -> None:
    cosine = {ANSWER: 0.91, OTHER: 0.62, OTHER + " It applies from 2026.": 0.60}
    asked: list[list[str]] = []

    def similarity(texts: list[str]) -> np.ndarray:
        asked.append(texts)
        return np.array([cosine.get(t, 0.5) for t in texts])

    settings = Settings(_env_file=None)
    case = evidence_case(plain_query(QUESTION, "en"), hits_with(ANSWER), settings,
                         similarity)
    values = features(case)
    assert case.strongest is not None and case.strongest.text == ANSWER
    assert values["sentence_dense"] == pytest.approx(0.91) and values["strongest_dense"] == pytest.approx(0.91)
    features(case)
    assert len(asked) == 1 and len(asked[0]) <= Settings(_env_file=None).answerability_sentences_read + 1  # computed once, few sentences
    low = {**cosine, ANSWER: 0.55}
    other = evidence_case(plain_query(QUESTION, "en"), hits_with(ANSWER), settings,
                          lambda texts: np.array([low.get(t, 0.5) for t in texts]))
    assert features(other)["strongest_dense"] == pytest.approx(0.55) and features(other)["sentence_dense"] == pytest.approx(0.62)
    bare = case_for(ANSWER, similarity=False)  # no embeddings to compare: the model reads its average
    assert math.isnan(features(bare)["sentence_dense"]) and math.isnan(features(bare)["strongest_dense"])
    model = load_model()
    imputed = model.vector(bare)
    assert np.isfinite(imputed).all() and 0.0 < model.probability(bare) < 1.0


def test_the_reader_features_read_its_answer_probability_for_the_best_sentences() -> None:
    asked: list[list[str]] = []

    def reader(question: str, texts: list[str]) -> list[dict[str, float]]:
        asked.append(list(texts))
        return [{"answers": 0.9 if t == ANSWER else 0.2, "no_answer": 0.1 if t == ANSWER else 0.8} for t in texts]

    case = evidence_case(plain_query(QUESTION, "en"), hits_with(ANSWER), Settings(_env_file=None), None, reader)
    values = features(case)
    assert values["reader_best"] == pytest.approx(0.9) and values["reader_strongest"] == pytest.approx(0.9)
    features(case)
    assert len(asked) == 1 and len(asked[0]) <= Settings(_env_file=None).answerability_sentences_read + 1  # read once, few sentences
    near = evidence_case(plain_query(QUESTION, "en"), hits_with(NEAR_MISS), Settings(_env_file=None), None, reader)
    assert features(near)["reader_best"] == pytest.approx(0.2)  # negative: no sentence reads as the answer


def scaled_reader_model(factor: float) -> answerability_model.AnswerabilityModel:
    """The shipped reader model with the reader's weights multiplied by ``factor``."""
    model = load_model(READER_MODEL_PATH)
    columns = [model.names.index(name) for name in answerability_model.READER_FEATURES]
    groups = {}
    for name, group in model.groups.items():
        weights = group.weights.copy()
        weights[columns] *= factor
        groups[name] = answerability_model.GroupModel(weights, group.bias, group.mean, group.scale, group.threshold)
    return answerability_model.AnswerabilityModel(model.names, groups, model.meta)


def read_as(question: str, first: str, p: float) -> tuple[Case, list[int]]:
    """The question's case over ``first``, with a reader that gives every sentence P(answers) ``p`` and records each
    call (how many sentences it read)."""
    calls: list[int] = []

    def reader(q: str, texts: list[str]) -> list[dict[str, float]]:
        calls.append(len(texts))
        return [{"answers": p, "no_answer": 1.0 - p} for _ in texts]

    return evidence_case(plain_query(question, "en"), hits_with(first), Settings(_env_file=None), None, reader), calls


@pytest.mark.parametrize("factor", [0.0, 1.0, 50.0])
def test_the_reader_is_spared_only_when_no_score_of_it_could_change_the_decision(factor: float) -> None:
    """Whatever the reader would say (0, 0.5 or 1 for every sentence), the decision taken without reading
    is the one reading gives; with the reader weighing nothing it is never read, with it weighing
    everything it is always read (the negative: a shortcut that always skipped would fail here)."""
    model = scaled_reader_model(factor)
    decided = read = 0
    for question, first in [(QUESTION, ANSWER), (QUESTION, NEAR_MISS), ("Which river flows through Paris?", OTHER),
                            ("When was the UK AI Safety Institute set up?", ANSWER)]:
        for p in (0.0, 0.5, 1.0):
            case, calls = read_as(question, first, p)
            if case.strongest is None:
                continue
            shortcut = model.decided_without_reader(case)
            assert calls == [], "deciding whether to read must not read"
            full = model.group_of(case).probability(model.vector(case)) >= model.group_of(case).threshold
            if shortcut is None:
                read += 1
            else:
                decided += 1
                assert shortcut == full
            assert model.answerable(case) == full
    assert decided + read > 0
    if factor == 0.0:
        assert read == 0
    if factor == 50.0:
        assert decided == 0


def with_confidence(model: answerability_model.AnswerabilityModel, above: float) -> answerability_model.AnswerabilityModel:
    """``model`` with every group's confidence threshold ``above`` its refusal threshold."""
    groups = {name: answerability_model.GroupModel(g.weights, g.bias, g.mean, g.scale, g.threshold, g.threshold + above)
              for name, g in model.groups.items()}
    return answerability_model.AnswerabilityModel(model.names, groups, model.meta)


@pytest.mark.parametrize("factor", [0.0, 1.0, 50.0])
def test_the_decision_and_its_confidence_are_those_the_full_probability_gives(factor: float) -> None:
    """``decide`` reads the reader only when a score of it could change the answer or its confidence, and gives what
    the full P(answerable) gives at both thresholds; with the reader weighing nothing it is never read."""
    model = with_confidence(scaled_reader_model(factor), 0.3)
    seen = set()
    for question, first in [(QUESTION, ANSWER), (QUESTION, NEAR_MISS), ("When was the UK AI Safety Institute set up?", ANSWER)]:
        for p in (0.0, 0.5, 1.0):
            case, calls = read_as(question, first, p)
            if case.strongest is None:
                continue
            decision = model.decide(case)
            if factor == 0.0:
                assert calls == []
            group = model.group_of(case)
            full = group.probability(model.vector(case))
            assert decision.answerable == (full >= group.threshold)
            assert decision.confident == (full >= group.confident_from) or not decision.answerable
            seen.add((decision.answerable, decision.confident))
    assert seen  # the negative beside it: a refused case is never "confident"
    assert (False, True) not in seen


def test_a_low_confidence_answer_opens_with_the_hedge_and_says_so() -> None:
    from rag.answer.compose import HEDGE, hedged
    from rag.types import Answer

    low = hedged(Answer("q", "en", "The institute opened in 2023 [1].", False), confident=False)
    assert low.answer.startswith(HEDGE["en"]) and low.answer.endswith("opened in 2023 [1].") and low.confidence == "low"
    high = hedged(Answer("问题", "zh", "研究所于2023年成立[1]。", False), confident=True)
    assert high.answer == "研究所于2023年成立[1]。" and high.confidence == "high"  # the negative: no hedge
    assert answerability_model.GroupModel(np.zeros(1), 0.0, np.zeros(1), np.ones(1), 0.3).confident_from == 0.3
    assert answerability_model.GroupModel(np.zeros(1), 0.0, np.zeros(1), np.ones(1), 0.3, 0.2).confident_from == 0.3


def test_without_the_confidence_setting_the_reader_is_read_only_for_the_refusal() -> None:
    """``confidence=False``: the decision is the same, every answer is confident, and the reader is read no more often
    than the refusal needs (the negative: with it on, a case whose confidence the reader could move is read)."""
    model = with_confidence(load_model(READER_MODEL_PATH), 0.3)
    reads = {True: 0, False: 0}
    for question, first in [(QUESTION, ANSWER), ("When was the UK AI Safety Institute set up?", ANSWER)]:
        for confidence in (True, False):
            case, calls = read_as(question, first, 0.9)
            if case.strongest is None:
                continue
            needed = model.decided_without_reader(case) is None
            decision = model.decide(case, confidence)
            reads[confidence] += bool(calls)
            if not confidence:
                assert decision.confident and bool(calls) == needed
    assert reads[True] > reads[False]
