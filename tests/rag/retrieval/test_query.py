"""rag.retrieval.retriever.clean_question: a huge question is cut before any other work (issue 19, item 3).

Measured by the work done (how many characters reach the folding step), not by the clock: a 10 MB
question must cost what its first ``max_chars`` characters cost.
"""

from __future__ import annotations

import pytest

from rag.retrieval import retriever
from rag.retrieval.retriever import clean_question

LIMIT = 2000
HUGE = "美国国家安全备忘录\x00要求\u3000什么？ " * 650_000  # 10.4 M characters (~27 MB of UTF-8)


@pytest.fixture
def folded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every text clean_question folds."""
    lengths: list[int] = []
    real = retriever.fold_text

    def spy(text: str) -> str:
        lengths.append(len(text))
        return real(text)

    monkeypatch.setattr(retriever, "fold_text", spy)
    return lengths


def test_a_huge_question_is_cut_before_it_is_cleaned(folded: list[int]) -> None:
    assert len(HUGE) > 10_000_000
    cleaned = clean_question(HUGE, LIMIT)
    assert folded == [LIMIT]  # folded once, the first LIMIT characters only (not 10 M)
    assert 0 < len(cleaned) <= LIMIT and "\x00" not in cleaned and "  " not in cleaned
    assert cleaned == clean_question(HUGE[:LIMIT], LIMIT)  # the same work and result as a 2,000-character one
    assert folded == [LIMIT, LIMIT]


def test_short_questions_are_cleaned_as_before(folded: list[int]) -> None:
    assert clean_question("  美国\x07国家安全备忘录\n\n要求？ ", LIMIT) == "美国 国家安全备忘录 要求？"
    assert clean_question(None, LIMIT) == "" and clean_question(12, LIMIT) == "12"
    assert len(clean_question("ｘ" * 5000, 100)) == 100  # folded (full width → ASCII) and capped
    assert max(folded) <= LIMIT
