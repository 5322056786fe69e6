"""rag.text.compounds: Chinese question words as dictionary entries, the longest entry first."""

from __future__ import annotations

from rag.text.compounds import dictionary_words, join_compounds, split_unknown

KNOWN = frozenset({"高", "血压", "高血压", "增加", "中", "的", "中的", "内陆", "陆地", "地区", "国家", "安全",
                   "国家安全", "委员会", "国家安全委员会"})
STOP = frozenset({"的", "了", "在"})


def test_a_compound_the_dictionary_holds_is_one_word() -> None:
    assert join_compounds(["高", "血压", "增加"], KNOWN, STOP) == ["高血压", "增加"]


def test_words_that_spell_no_dictionary_compound_stay_split() -> None:
    assert join_compounds(["血压", "增加"], KNOWN, STOP) == ["血压", "增加"]  # no entry 血压增加


def test_a_word_alone_is_unchanged() -> None:
    assert join_compounds(["血压"], KNOWN, STOP) == ["血压"]
    assert dictionary_words(["血压"], KNOWN, STOP) == ["血压"]


def test_the_longest_compound_wins_over_a_shorter_one() -> None:
    assert join_compounds(["国家", "安全", "委员会"], KNOWN, STOP) == ["国家安全委员会"]
    assert join_compounds(["国家", "安全", "委员会"], KNOWN, STOP, max_words=2) == ["国家安全", "委员会"]


def test_a_join_that_starts_or_ends_with_a_stop_word_is_not_made() -> None:
    assert join_compounds(["中", "的"], KNOWN, STOP) == ["中", "的"]  # 中的 "hit the target" is not meant
    assert join_compounds(["中", "的"], KNOWN, frozenset()) == ["中的"]  # negative: without the stop word it is


def test_an_unknown_word_is_cut_into_its_longest_entries_without_overlap() -> None:
    assert split_unknown("内陆地区", KNOWN) == ["内陆", "地区"]  # not the overlapping 陆地
    assert split_unknown("某某", KNOWN) == []  # negative: no entry of two characters or more


def test_dictionary_words_keeps_known_words_and_cuts_unknown_ones() -> None:
    assert dictionary_words(["高", "血压", "内陆地区"], KNOWN, STOP) == ["高血压", "内陆", "地区"]
