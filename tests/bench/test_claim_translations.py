"""Tests of the LLM translations behind the benchmark's English claims over Chinese documents
(bench/claim_translations.py) and of how bench/claimset.py makes claims from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import claim_translations as ct
from bench import claimset as cs

ZH = "英国政府为人工智能安全研究所提供了1亿英镑的初始资金，并于2023年11月正式成立该研究所。"
GOOD = ("The UK government provided the AI Safety Institute with initial funding of 100 million pounds, and formally "
        "established the institute in November 2023.")


@pytest.mark.parametrize("english,kept", [
    ("The UK government gave the AI Safety Institute initial funding of 100 million pounds and formally "
     "set it up in November 2023.", True),
    # a Chinese word left untranslated
    ("The UK government gave the AI Safety Institute initial funding of 1 hundred million pounds and formally "
     "set up the 研究所 in November 2023.", False),
    # a figure dropped: another fact
    ("The UK government gave the AI Safety Institute its initial funding and formally set it up in November.", False),
    # the month as a number is fine too
    ("The UK government gave the AI Safety Institute initial funding of 1 hundred million pounds and formally "
     "set it up in 2023-11.", True),
    # far too short for the sentence
    ("UK: 1, 2023, 11.", False),
    (None, False),
    ("", False),
])
def test_usable_keeps_only_english_with_the_sentences_numbers(english: str | None, kept: bool) -> None:
    assert ct.usable(english, ZH) is kept


def test_translations_reads_only_the_kept_ones(tmp_path: Path) -> None:
    path = tmp_path / "translations.jsonl"
    rows = [{"made_by": "test"},
            {"doc": "001.txt", "start": 5, "zh": ZH, "raw": GOOD},
            {"doc": "001.txt", "start": 90, "zh": ZH, "raw": GOOD.replace("institute", "研究所")},
            {"doc": "001.txt", "start": 140, "zh": ZH, "raw": None}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert ct.translations(path) == {("001.txt", 5): GOOD}
    assert ct.translations(tmp_path / "missing.jsonl") == {}


def test_translated_unit_gives_a_supported_translation_and_edits_checked_against_the_chinese() -> None:
    source = cs.Source("001_test.txt", "zh", ZH, cs.HELDOUT, "policy")
    sentence = cs.Sentence(source, 0, ZH, ZH, True)
    english = ("The UK government provided the AI Safety Institute with initial funding of 100 million pounds, "
               "and formally established the institute in November 2023.")
    unit = cs.Unit(english, "en", sentence, "cross", None, ct.TRANSLATOR)
    records = cs.records_for_unit(unit, {})
    supported = [r for r in records if r.label == "supported" and r.transform == "translated"]
    assert [r.claim for r in supported] == [english]
    assert all(r.claim_lang == "en" and r.source_lang == "zh" and r.half == cs.HELDOUT for r in records)
    contradicted = [r for r in records if r.label == "contradicted"]
    assert contradicted and all(r.claim != english for r in contradicted)
    # a changed year must be a year the Chinese sentence states (cs.cross_verifiable): never one it lacks
    for r in contradicted:
        if r.transform == "date":
            assert "2023" not in r.claim and "2023" in r.source_sentence


def test_data_translated_claims_are_english_over_chinese_policy_documents() -> None:
    rows = [json.loads(line) for half in (cs.TUNE, cs.HELDOUT)
            for line in (cs.PROJECT / "bench" / "data" / "claims" / f"{half}.jsonl").read_text(encoding="utf-8").splitlines()]
    translated = [r for r in rows if r["transform"] == "translated"]
    assert {r["half"] for r in translated} == {cs.TUNE, cs.HELDOUT}
    assert all(r["claim_lang"] == "en" and r["source_lang"] == "zh" and r["corpus"] == "policy" for r in translated)
    kept = ct.translations()
    assert all(kept[(r["source_doc"], r["source_start"])] == r["claim"] for r in translated if r["transform"] == "translated")


@pytest.mark.parametrize("english,kept", [
    ("The institute received 100 million pounds in November 2023.", True),   # 1亿 → 100 million, 11月 → November
    ("The institute received 1 hundred million pounds in November 2023.", True),
    ("The institute received 500 million pounds in November 2023.", False),  # another amount
    ("The institute received 0.1 billion pounds in November 2023.", True),
    ("The institute received 100 million pounds in 2023.", False),            # the month dropped
    ("The institute received 100 million pounds in December 2023.", False),   # another month
    ("The institute received 100 million pounds in November 2024.", False),   # another year
])
def test_numbers_kept_allows_month_names_and_scale_words(english: str, kept: bool) -> None:
    assert cs.numbers_kept(english, "该研究所于2023年11月获得1亿英镑。") is kept
