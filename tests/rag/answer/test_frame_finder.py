"""The learned frame finder read with the evidence (rag.answer.frame_finder): a frame is cut off only when the claim's
best sentence does not hold its words; a document's own reporting clause, or a claim without a frame, stays whole."""

from __future__ import annotations

import pytest

from rag.answer.frame_finder import (
    FrameFinder,
    GroupTranslator,
    frame_coverage,
    statement_tokens,
)
from rag.text.lexicon import load_lexicon

FUNDING = "the UK AI Safety Institute received initial funding of 100 million pounds."


@pytest.fixture(scope="module")
def translate() -> GroupTranslator:
    lexicon = load_lexicon()
    assert lexicon is not None, "the bilingual lexicon ships with the package"
    return lexicon.translation_groups


@pytest.mark.parametrize("claim, language, sentence, statement", [
    (f"The Concordia AI study reports that {FUNDING}", "en", FUNDING[0].upper() + FUNDING[1:], FUNDING),
    (f"The memo from the Concordia team notes that {FUNDING}", "en", "英国人工智能安全研究所获得初始资金1亿英镑。", FUNDING),
    ("英国人工智能安全研究所的初始资金为1亿英镑，安远AI的研究报告称。", "zh", "英国人工智能安全研究所获得初始资金1亿英镑。",
     "英国人工智能安全研究所的初始资金为1亿英镑"),
])
def test_a_frame_the_evidence_does_not_hold_is_cut_off(claim: str, language: str, sentence: str, statement: str,
                                                       translate: GroupTranslator) -> None:
    start, end = FrameFinder.load().evidence_span(claim, language, sentence, translate)
    assert claim[start:end] == statement


@pytest.mark.parametrize("claim, language, sentence", [
    # the same frames, where the source sentence says them itself: a document's own reporting clause
    (f"The Concordia AI study reports that {FUNDING}", "en", f"The Concordia AI study reports that {FUNDING}"),
    (f"The memo from the Concordia team notes that {FUNDING}", "en", "Concordia团队的备忘录指出，英国人工智能安全研究所获得初始资金1亿英镑。"),
    ("英国人工智能安全研究所的初始资金为1亿英镑，安远AI的研究报告称。", "zh", "英国人工智能安全研究所的初始资金为1亿英镑，安远AI的研究报告称。"),
    # no frame at all, and no sentence to read it against
    ("The UK AI Safety Institute received initial funding of 100 million pounds.", "en", "英国人工智能安全研究所获得初始资金1亿英镑。"),
    (f"The Concordia AI study reports that {FUNDING}", "en", ""),
])
def test_a_frame_the_evidence_holds_or_no_frame_is_kept(claim: str, language: str, sentence: str,
                                                      translate: GroupTranslator) -> None:
    assert FrameFinder.load().evidence_span(claim, language, sentence, translate) == (0, len(claim))


@pytest.mark.parametrize("claim, language", [
    ("The memo from the Concordia team does not say that " + FUNDING, "en"),
    ("The memo from the Concordia team never claims that " + FUNDING, "en"),
    ("Concordia团队的备忘录并未指出，英国人工智能安全研究所获得初始资金1亿英镑。", "zh"),
    ("并非如Concordia团队所说，英国人工智能安全研究所获得初始资金1亿英镑。", "zh"),
])
def test_a_frame_that_negates_is_never_cut(claim: str, language: str, translate: GroupTranslator) -> None:
    # cut off, "does not say that X" would read as X: the negation is the claim's own
    assert FrameFinder.load().evidence_span(claim, language, "英国人工智能安全研究所获得初始资金1亿英镑。", translate) \
        == (0, len(claim))


def test_frame_coverage_reads_the_other_language_through_the_dictionary(translate: GroupTranslator) -> None:
    frame = "The memo from the Concordia team notes that "
    assert frame_coverage(frame, "en", "Concordia团队的备忘录指出，研究所获得资金。", translate) > 0.5
    assert frame_coverage(frame, "en", "英国人工智能安全研究所获得初始资金1亿英镑。", translate) == 0.0
    assert frame_coverage(frame, "en", "英国人工智能安全研究所获得初始资金1亿英镑。", None) == 0.0
    assert frame_coverage("，", "zh", "研究所获得资金。") == 0.0  # a frame without words holds nothing


def test_the_evidence_gate_is_the_trained_one() -> None:
    finder = FrameFinder.load()
    assert set(finder.evidence_min_probability) == {"en", "zh"}
    assert 0.0 < finder.evidence_max_coverage < 1.0
    # below the finder's own thresholds: the gate is what lets it cut more
    assert all(finder.evidence_min_probability[lang] < min(finder.thresholds[lang].values()) for lang in ("en", "zh"))


def test_statement_tokens_cuts_each_side_that_passes_and_keeps_a_statement() -> None:
    bars = (0.5, 0.5)
    assert statement_tokens(12, (3, 0.9), (10, 0.8), bars) == (3, 10)  # both frames
    assert statement_tokens(12, (3, 0.4), (10, 0.8), bars) == (0, 10)  # the prefix below its bar
    assert statement_tokens(12, (3, 0.9), (10, 0.8), bars, (True, False)) == (3, 12)  # the suffix not allowed
    assert statement_tokens(12, (0, 0.0), (12, 0.0), bars) == (0, 12)  # no candidate on either side
    # both pass but would leave two tokens: only the likelier side is cut
    assert statement_tokens(12, (5, 0.9), (7, 0.8), bars) == (5, 12)
    assert statement_tokens(12, (5, 0.6), (7, 0.8), bars) == (0, 7)
