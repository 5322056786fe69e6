"""bench.claims.is_source: the sentence a claim was made from is found in the index's normalized text although the
claim records it as raw document text."""

from __future__ import annotations

from types import SimpleNamespace

from bench.claims import is_source


def sentence(text: str) -> SimpleNamespace:
    return SimpleNamespace(text=text, hit=SimpleNamespace(doc="corpus/003.txt"), start=0)


ROW = {"source_sentence": "英国⼈⼯智能安全研究所：充⾜的政府资⾦⽀持，吸纳⼤量技术⼈才，希望引领前沿\n\n⼈⼯智能安全评测和研究；",
       "claim": "The UK AI Safety Institute has ample government funding.", "edit": "translated by the local LLM"}


def test_a_raw_pdf_sentence_is_its_normalized_sentence() -> None:
    assert is_source(ROW, sentence("● 英国人工智能安全研究所：充足的政府资金支持，吸纳大量技术人才，希望引领前沿人工智能安全评测和研究；"))


def test_another_sentence_is_not_the_source() -> None:  # the negative
    assert not is_source(ROW, sentence("英国人工智能安全研究所：拥有最多的全职技术人员，可开展深入评测。"))
