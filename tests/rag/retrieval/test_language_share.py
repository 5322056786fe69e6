"""rag.retrieval.language_share: places of the head kept for the other language's best passages."""

from __future__ import annotations

from dataclasses import dataclass

from rag.retrieval.language_share import reserve_other_language


@dataclass
class FakeHit:
    name: str
    language: str


def hits(languages: str) -> list[FakeHit]:
    """One hit per letter: e = English, z = Chinese; named by rank."""
    return [FakeHit(f"{c}{i}", {"e": "en", "z": "zh"}[c]) for i, c in enumerate(languages)]


def names(result: list[FakeHit]) -> list[str]:
    return [h.name for h in result]


def test_the_best_other_language_passages_enter_the_window_and_displaced_ones_follow() -> None:
    result = reserve_other_language(hits("eeeeeezz"), "en", window=5, reserve=2)
    assert names(result) == ["e0", "e1", "e2", "z6", "z7", "e3", "e4", "e5"]


def test_an_other_language_passage_already_in_the_window_counts_and_keeps_its_place() -> None:
    result = reserve_other_language(hits("eeeezeez"), "en", window=5, reserve=2)
    assert names(result)[:5] == ["e0", "e1", "e2", "z4", "z7"]
    assert sorted(names(result)) == sorted(names(hits("eeeezeez")))  # nothing lost, nothing repeated


def test_nothing_moves_when_the_window_already_holds_the_share() -> None:
    original = hits("ezeeeeez")
    assert reserve_other_language(original, "en", window=5, reserve=1) is original
    assert names(reserve_other_language(original, "en", window=5, reserve=2))[:5] == ["e0", "z1", "e2", "e3", "z7"]


def test_a_one_language_list_or_no_reserve_is_returned_unchanged() -> None:
    one_language = hits("eeeeeee")
    assert reserve_other_language(one_language, "en", window=5, reserve=2) is one_language
    mixed = hits("eeeeeezz")
    assert reserve_other_language(mixed, "en", window=5, reserve=0) is mixed
    assert names(reserve_other_language(mixed, "zh", window=5, reserve=2))[:5] == ["e0", "e1", "e2", "e3", "e4"]


def test_the_reserve_never_exceeds_the_window() -> None:
    result = reserve_other_language(hits("eeezzz"), "en", window=2, reserve=5)
    assert names(result)[:2] == ["z3", "z4"]
