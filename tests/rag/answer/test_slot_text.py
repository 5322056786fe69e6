"""rag.answer.slot_text: a slot difference in one readable line, each side as written and rendered in the
reader's language."""

from __future__ import annotations

import pytest

from rag.answer.slot_text import describe, show
from rag.answer.slots import compare_slots, extract_slots


@pytest.mark.parametrize("claim, evidence, language, line", [
    ("The UK AI Safety Institute received 500 million pounds", "英国AISI初始资金1亿英镑", "en",
     "The claim says 500 million pounds; the source says 1亿英镑 (100 million pounds)."),
    ("英国AISI初始资金5亿英镑", "英国AISI初始资金1亿英镑", "zh", "说法称5亿英镑；来源为1亿英镑。"),
    ("The UK AI Safety Institute received 500 million pounds", "英国AISI初始资金1亿英镑", "zh",
     "说法称500 million pounds（5亿英镑）；来源为1亿英镑。"),
    ("The EU AI Office was set up in 2019", "欧盟人工智能办公室于2024年2月成立", "en",
     "The claim says 2019; the source says 2024年2月 (February 2024)."),
    ("Spain joined the network", "德国加入了该网络", "en", "The claim says Spain; the source says 德国 (Germany)."),
    ("The coffin was moved 100 km west", "灵柩又西迁了200公里", "en", "The claim says 100 km; the source says 200公里 (200 kilometres)."),
])
def test_describe(claim: str, evidence: str, language: str, line: str) -> None:
    (difference,) = compare_slots(claim, evidence).differences
    assert describe(difference, language) == line




def test_a_slot_in_the_readers_language_is_shown_as_written() -> None:
    (slot,) = extract_slots("初始资金1亿英镑")
    assert show(slot, zh=True) == "1亿英镑"
    assert show(slot, zh=False) == "1亿英镑 (100 million pounds)"  # the negative: the other language gets a rendering


def test_every_stance_axis_and_quantifier_of_the_slot_registry_has_words() -> None:
    from rag.answer import slot_text
    from rag.answer.slot_words import WORDS as _WORDS

    named = {key.split(":")[1] if key.startswith("stance") else key.split(":")[2] for key in _WORDS
             if key.startswith(("stance:", "quantifier:"))}
    assert named and named <= set(slot_text._NAMES), named - set(slot_text._NAMES)


@pytest.mark.parametrize("claim, evidence, line", [
    # found by the translated claims over corpus/ alone (session 22): a difference on an axis without words raised
    ("The policy encourages companies to share data", "该政策劝阻企业共享数据", "The claim says encourages; the source says 劝阻 (discourages)."),
    ("The larger models must register", "较小的模型必须登记", "The claim says larger; the source says 较小 (smaller)."),
])
def test_a_stance_difference_on_every_axis_reads_as_a_line(claim: str, evidence: str, line: str) -> None:
    differences = compare_slots(claim, evidence).differences
    assert [describe(d, "en") for d in differences] == [line]


@pytest.mark.parametrize("claim, evidence, language, line", [
    ("The UK did not pay the fee", "英国支付了这笔费用", "en", "The claim negates it ('not'); the source does not."),
    ("The UK did not pay the fee", "英国支付了这笔费用", "zh", "说法是否定的（“not”）；来源未作否定。"),
    ("英国支付了这笔费用", "The UK did not pay the fee", "en", "The source negates it ('not'); the claim does not."),
    ("The system is unsafe", "该系统是安全的", "en", "The claim negates it ('unsafe'); the source does not."),  # an affix
])
def test_a_negation_only_one_side_has_reads_as_a_line(claim: str, evidence: str, language: str, line: str) -> None:
    comparison = compare_slots(claim, evidence)
    assert comparison.negation_mismatch and comparison.negation is not None
    assert describe(comparison.negation, language) == line


def test_no_negation_line_where_both_sides_negate_or_neither_does() -> None:
    assert compare_slots("The UK did not pay the fee", "英国没有支付这笔费用").negation is None
    assert compare_slots("The UK paid the fee", "英国支付了这笔费用").negation is None


@pytest.mark.parametrize("claim, evidence, at", [
    ("The law did not pass, and the minister did not resign.", "The law did not pass, and the minister resigned.", 43),
    ("该法没有通过，部长也没有辞职。", "该法没有通过，部长辞职了。", 10),
    ("The law did not pass, and the minister resigned.", "The law passed, and the minister resigned.", 12),  # the only one
])
def test_the_negation_shown_is_the_one_the_other_side_lacks(claim: str, evidence: str, at: int) -> None:
    negation = compare_slots(claim, evidence).negation
    assert negation is not None and negation.claim.start == at
    assert claim[at:].startswith(negation.claim.surface)
