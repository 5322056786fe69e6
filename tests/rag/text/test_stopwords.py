"""rag.text.stopwords: one list per language (the index's); the readers that need another set get the index's
list changed by a named difference, and read it."""

from __future__ import annotations

import ast
from pathlib import Path

from rag.answer.slots import compare_slots
from rag.text.english import english_content_words
from rag.text.lexical import tokenize
from rag.text.lexicon import _chinese_keys
from rag.text.stopwords import (
    CHINESE_STOP_WORDS,
    DICTIONARY_CHINESE_STOP_WORDS,
    DICTIONARY_ENGLISH_STOP_WORDS,
    ENGLISH_STOP_WORDS,
    NEGATION_SCOPE_STOP_WORDS,
    QUESTION_WORDS,
)

RAG = Path(__file__).resolve().parents[3] / "rag"


def word_lists_defined(source: str) -> list[str]:
    """Names bound at module level to a frozenset/set of 10+ words split from a string literal."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") in {
                "set", "frozenset"} and node.value.args and isinstance(split := node.value.args[0], ast.Call):
            literal = getattr(split.func, "value", None)
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str) and len(literal.value.split()) >= 10:
                found += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return found


def test_the_other_lists_are_the_index_lists_changed_by_a_named_difference() -> None:
    assert NEGATION_SCOPE_STOP_WORDS < ENGLISH_STOP_WORDS and len(NEGATION_SCOPE_STOP_WORDS) == 18
    assert {"sb", "sth", "mention", "us"} <= DICTIONARY_ENGLISH_STOP_WORDS - ENGLISH_STOP_WORDS
    assert ENGLISH_STOP_WORDS - DICTIONARY_ENGLISH_STOP_WORDS == {
        "herself", "himself", "myself", "ourselves", "themselves", "yourself", "yourselves"}
    assert DICTIONARY_CHINESE_STOP_WORDS - CHINESE_STOP_WORDS == {"我们", "他们", "它们", "怎样"}
    assert {"报告", "需要"} <= CHINESE_STOP_WORDS - DICTIONARY_CHINESE_STOP_WORDS
    assert not QUESTION_WORDS & CHINESE_STOP_WORDS  # question words the index keeps; its own list never reaches them


def test_each_reader_reads_its_list() -> None:
    assert "us" in tokenize("the US said") and "said" in tokenize("the US said")  # the index keeps both
    assert english_content_words("the US said") == [["united", "state"]]  # the dictionary: US spelled out, "said" dropped
    assert "报告" not in tokenize("报告认为我们需要资金") and "我们" in tokenize("报告认为我们需要资金")
    keys = _chinese_keys("报告认为我们需要资金", {"报告", "我们", "需要", "资金"})
    assert "报告" in keys and "我们" not in keys  # the dictionary translates 报告 and not 我们
    # a negation's scope ignores "there" (a stop word there) but not "funded": shared content makes it bear
    assert compare_slots("The plan will not be there", "The plan will be there").negation_mismatch is False
    assert compare_slots("The plan will not be funded", "The plan will be funded").negation_mismatch is True


def test_no_other_module_defines_a_word_list_of_its_own() -> None:
    lists = {str(p.relative_to(RAG)): word_lists_defined(p.read_text(encoding="utf-8"))
             for p in RAG.rglob("*.py") if p.name != "stopwords.py"}
    assert {path: names for path, names in lists.items() if any("STOP" in n for n in names)} == {}


def test_the_list_finder_finds_a_stop_list() -> None:
    source = 'EN_STOP = frozenset("a an the of to in for on by with at from as is are".split())\nX = 1\n'
    assert word_lists_defined(source) == ["EN_STOP"]
    assert word_lists_defined('SHORT = frozenset("a b c".split())') == []
