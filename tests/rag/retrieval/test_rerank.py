"""rag.retrieval.rerank: standardized score features, per-language weights, foreign penalty, near-duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from rag.retrieval.rerank import FEATURES, drop_near_duplicates, rerank, standardize
from rag.settings import RerankWeights, Settings


@dataclass
class FakeHit:
    name: str
    language: str
    dense: np.ndarray
    doc_hash: str = ""
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict)


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


QUERY = unit(1, 0, 0)
GLOSS = unit(0, 1, 0)


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)


def test_standardize_is_a_z_score_and_flat_input_is_zero() -> None:
    z = standardize([1.0, 2.0, 3.0])
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert list(standardize([5.0, 5.0])) == [0.0, 0.0]


def test_scores_beat_ranks_a_confident_dense_match_lower_in_the_fused_list_wins() -> None:
    hits = [FakeHit(f"h{i}", "zh", unit(0.2, 1, 0.5), doc_hash=f"d{i}") for i in range(5)]
    hits.append(FakeHit("sure", "zh", unit(1, 0.05, 0), doc_hash="sure"))
    only_dense = RerankWeights(dense=1.0)
    ranked = rerank("zh", QUERY, None, hits, settings(rerank_same_language=only_dense))
    assert ranked[0].name == "sure"
    assert ranked[0].features["dense"] == pytest.approx(float(unit(1, 0.05, 0) @ QUERY), abs=1e-4)


def test_cross_language_passages_use_the_cross_weights_and_the_gloss_vector() -> None:
    near_question = FakeHit("near_question", "zh", unit(1, 0.1, 0), doc_hash="a")
    near_gloss = FakeHit("near_gloss", "zh", unit(0.1, 1, 0), doc_hash="b")
    cross = RerankWeights(dense=0.0, gloss=1.0)
    ranked = rerank("en", QUERY, GLOSS, [near_question, near_gloss], settings(rerank_cross_language=cross))
    assert [h.name for h in ranked] == ["near_gloss", "near_question"]
    # The same passages asked in Chinese are same-language: the same-language weights (dense) apply.
    same = RerankWeights(dense=1.0)
    ranked = rerank("zh", QUERY, GLOSS, [near_gloss, near_question], settings(rerank_same_language=same))
    assert [h.name for h in ranked] == ["near_question", "near_gloss"]


def test_term_scores_from_the_store_count() -> None:
    plain = FakeHit("plain", "en", unit(1, 0, 0), doc_hash="a", features={"question_terms": 0.0})
    matching = FakeHit("matching", "en", unit(1, 0, 0), doc_hash="b", features={"question_terms": 7.5})
    weights = RerankWeights(dense=1.0, question_terms=1.0)
    ranked = rerank("en", QUERY, None, [plain, matching], settings(rerank_same_language=weights))
    assert ranked[0].name == "matching"


def test_a_passage_stating_the_kind_of_figure_asked_for_gains() -> None:
    close = FakeHit("close", "zh", unit(1, 0.1, 0), doc_hash="a", features={"answer_kind": 0.0})
    figure = FakeHit("figure", "zh", unit(1, 0.2, 0), doc_hash="b", features={"answer_kind": 1.0})
    without = RerankWeights(dense=1.0)
    assert rerank("zh", QUERY, None, [close, figure], settings(rerank_same_language=without))[0].name == "close"
    with_kind = RerankWeights(dense=1.0, answer_kind=2.0)
    assert rerank("zh", QUERY, None, [close, figure], settings(rerank_same_language=with_kind))[0].name == "figure"


def test_foreign_script_passages_are_penalized() -> None:
    footnote = FakeHit("footnote", "en", unit(1, 0, 0), doc_hash="a", features={"foreign_in_doc": 1.0})
    body = FakeHit("body", "en", unit(0.9, 0.3, 0), doc_hash="b")
    weights = RerankWeights(dense=1.0)
    assert rerank("en", QUERY, None, [footnote, body], settings(rerank_same_language=weights,
                                                                 rerank_foreign_penalty=0.0))[0].name == "footnote"
    footnote.features = {"foreign_in_doc": 1.0}
    assert rerank("en", QUERY, None, [footnote, body], settings(rerank_same_language=weights,
                                                                 rerank_foreign_penalty=3.0))[0].name == "body"


def test_every_feature_is_recorded_on_the_hit() -> None:
    hit = FakeHit("x", "zh", unit(1, 0, 0), doc_hash="a")
    rerank("zh", QUERY, GLOSS, [hit, FakeHit("y", "zh", unit(0, 1, 0), doc_hash="b")], settings())
    assert set(FEATURES) <= set(hit.features)


def test_near_duplicates_across_documents_are_dropped_but_not_within_one() -> None:
    a = FakeHit("a", "zh", unit(1, 0, 0), doc_hash="doc1")
    a_again = FakeHit("a_again", "zh", unit(1, 0.01, 0), doc_hash="doc2")
    a_same_doc = FakeHit("a_same_doc", "zh", unit(1, 0.01, 0), doc_hash="doc1")
    kept = drop_near_duplicates([a, a_again, a_same_doc], threshold=0.97)
    assert [h.name for h in kept] == ["a", "a_same_doc"]


def test_empty_input() -> None:
    assert rerank("zh", QUERY, None, [], settings()) == []


def test_passages_of_a_document_the_question_names_get_the_bonus() -> None:
    closer = FakeHit("closer", "zh", unit(1, 0.1, 0), doc_hash="a")
    named = FakeHit("named", "zh", unit(1, 1, 0), doc_hash="b")
    weights = settings(rerank_same_language=RerankWeights(dense=1.0))
    assert rerank("zh", QUERY, None, [closer, named], weights)[0].name == "closer"
    assert rerank("zh", QUERY, None, [closer, named], weights, named=frozenset({"b"}))[0].name == "named"



def test_every_registered_feature_has_a_weight_and_every_weight_a_feature() -> None:
    from rag.settings import RerankWeights

    assert set(FEATURES) == set(RerankWeights.model_fields)


def test_feature_registry_reads_the_dense_cosine_and_the_fused_rank() -> None:
    from rag.retrieval.rerank import feature_matrix

    class Hit:
        language, doc_hash, score = "en", "d", 0.0
        dense = np.array([1.0, 0.0])
        features = {"coverage": 0.5}

    rows = feature_matrix([Hit(), Hit()], np.array([0.6, 0.8]), None, "en", settings(rrf_k=60))
    column = {name: j for j, name in enumerate(FEATURES)}
    assert rows[0, column["dense"]] == pytest.approx(0.6)
    assert rows[0, column["gloss"]] == 0.0  # no other-language vector
    assert rows[0, column["fusion"]] > rows[1, column["fusion"]]
    assert rows[1, column["coverage"]] == 0.5 and rows[1, column["question_terms"]] == 0.0


def test_a_reference_list_loses_by_its_citations_weight() -> None:
    references = FakeHit("references", "en", unit(1, 0.05, 0), doc_hash="a", features={"citations": 1.0})
    body = FakeHit("body", "en", unit(1, 0.3, 0), doc_hash="b", features={"citations": 0.0})
    assert rerank("en", QUERY, None, [references, body],
                  settings(rerank_same_language=RerankWeights(dense=1.0)))[0].name == "references"
    references.features, body.features = {"citations": 1.0}, {"citations": 0.0}
    assert rerank("en", QUERY, None, [references, body],
                  settings(rerank_same_language=RerankWeights(dense=1.0, citations=-2.0)))[0].name == "body"


def test_the_default_weights_are_the_shipped_model_file() -> None:
    import json

    from rag.settings import RERANK_MODEL

    model = json.loads(RERANK_MODEL.read_text(encoding="utf-8"))
    defaults = Settings(_env_file=None)
    assert defaults.rerank_same_language == RerankWeights(**model["same_language"])
    assert defaults.rerank_cross_language == RerankWeights(**model["cross_language"])
    assert defaults.rerank_foreign_penalty == model["foreign_penalty"]
    assert set(model["same_language"]) <= set(FEATURES) and set(model["cross_language"]) <= set(FEATURES)
