"""Tests of the claim benchmark generator (bench/claimset.py) and of the generated data (bench/data/claims)."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from bench import claimset as cs

DATA = cs.PROJECT / "bench" / "data" / "claims"


def rng() -> random.Random:
    return random.Random(0)


# --- number ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,text,original,unit", [
    ("en", "56 nations have signed up to the Political Declaration on the Military Use of AI.", "56", " nations"),
    ("en", "Within 90 days of the date of this memorandum, the Director shall issue guidance.", "90", " days"),
    ("zh", "英国政府为人工智能安全研究所提供了1亿英镑的初始资金。", "1", "亿英镑"),
    ("zh", "56个国家签署了关于人工智能军事用途和自主性的政治宣言。", "56", "个国家"),
])
def test_number_changes_only_the_value_and_keeps_the_unit(lang: str, text: str, original: str, unit: str) -> None:
    result = cs.change_number(text, lang, rng())
    assert result is not None and result.before == original
    new = result.edit.split(" → ")[1]
    assert re.fullmatch(r"[\d,.]+", new) and new != original
    position = text.index(original + unit)
    assert result.text == text[:position] + new + unit + text[position + len(original + unit):]


def test_number_words_are_changed() -> None:
    result = cs.change_number("该备忘录指示采取以下三项关键行动。", "zh", rng())
    assert result is not None and "三项" not in result.text and re.search(r"[两四五六七八九十]项", result.text)
    result = cs.change_number("The memorandum directs three key actions for agencies.", "en", rng())
    assert result is not None and "three" not in result.text and "key actions" in result.text


@pytest.mark.parametrize("lang,text", [
    ("en", "The framework supports responsible development of trustworthy AI systems."),
    ("en", "This memorandum fulfills the directive set forth in subsection 4.8 of Executive Order 14110."),
    ("zh", "该框架提供了实施备忘录的进一步细节和指导。"),
    ("zh", "本备忘录履行了第14110号行政命令中规定的指令。"),
])
def test_no_number_no_number_transform(lang: str, text: str) -> None:
    assert cs.change_number(text, lang, rng()) is None


# --- date --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,text,year", [
    ("en", "In 2023, the G7 developed the first international code of conduct on AI.", "2023"),
    ("zh", "我们与七国集团盟友一起，于2023年制定了第一份人工智能国际行为准则。", "2023"),
])
def test_date_changes_the_year(lang: str, text: str, year: str) -> None:
    result = cs.change_date(text, lang, rng())
    assert result is not None and result.before == year
    new = result.edit.split(" → ")[1]
    assert re.fullmatch(r"\d{4}", new) and new != year and result.text == text.replace(year, new)


def test_date_changes_the_month_when_no_year() -> None:
    result = cs.change_date("美国政府10月24日公开发布首份关于人工智能的国家安全备忘录。", "zh", rng())
    assert result is not None and "10月" not in result.text and "24日" in result.text
    assert cs.change_date("The framework was released without a date in this sentence.", "en", rng()) is None
    assert cs.change_date("Regulation (EU) 2024/1689 lays down harmonised rules on AI.", "en", rng()) is None


# --- entity ------------------------------------------------------------------------------------------------------
def test_entity_swap_en_keeps_kind_and_article() -> None:
    text = "The NSM directs the National Economic Council to coordinate an economic assessment."
    result = cs.swap_entity(text, "en", rng())
    assert result is not None and "National Economic Council" not in result.text
    assert result.text.startswith("The NSM directs the ") and result.text.endswith(" to coordinate an economic assessment.")
    new = result.text[len("The NSM directs the "):-len(" to coordinate an economic assessment.")]
    assert any(new == e.en[0] for e in cs.ALL_ENTITIES if e.kind == "agency")


def test_entity_swap_acronym_for_acronym() -> None:
    text = "The Secretary, acting through the Director of NIST, shall issue guidance."
    result = cs.swap_entity(text, "en", rng())
    assert result is not None
    new = result.edit.split(" → ")[1]
    assert re.fullmatch(r"[A-Z][A-Z0-9]{1,5}", new) and result.text == text.replace("NIST", new)


def test_entity_swap_zh_replaces_every_mention() -> None:
    text = "英国成立了人工智能安全研究所，英国政府为其提供了资金。"
    result = cs.swap_entity(text, "zh", rng())
    assert result is not None and "英国" not in result.text
    new = result.edit.split(" → ")[1]
    assert result.text == text.replace("英国", new)
    assert cs.ENTITY_BY_ID[result.key].kind == "country"


def test_entity_swap_keeps_modifier_grammar() -> None:
    text = "In this effort, the United States Government must protect civil rights and privacy."
    result = cs.swap_entity(text, "en", rng())
    assert result is not None
    new = result.edit.split(" → ")[1]
    assert result.text == text.replace("United States", new)
    assert any(new == e.en[0] and e.en_the[0] for e in cs.ALL_ENTITIES if e.kind == "country")


def test_stance_fixes_the_article() -> None:
    result = cs.flip_stance("There has been an increasing trend towards trained pharmacy technicians.", "en", rng())
    assert result is not None and result.text == "There has been a decreasing trend towards trained pharmacy technicians."


def test_entity_respects_word_boundaries() -> None:
    assert cs.find_mentions("在人工智能治理中国际合作很重要。", "zh") == []
    assert cs.swap_entity("The framework is voluntary and flexible for all organizations.", "en", rng()) is None


# --- negation ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,text,expected", [
    ("en", "AISI shall issue guidance for AI developers on testing.", "AISI shall not issue guidance for AI developers on testing."),
    ("en", "This Regulation does not apply to AI systems used for research.", "This Regulation applies to AI systems used for research."),
    ("zh", "美国不承担该责任。", "美国承担该责任。"),
    ("zh", "该机构承担评测责任。", "该机构不承担评测责任。"),
    ("zh", "56个国家签署了政治宣言。", "56个国家没有签署政治宣言。"),
    ("zh", "英国政府为研究所提供了资金。", "英国政府没有为研究所提供资金。"),
])
def test_negation_inserted_or_removed(lang: str, text: str, expected: str) -> None:
    result = cs.negate(text, lang, rng())
    assert result is not None and result.text == expected


def test_negation_skips_subordinate_clauses() -> None:
    result = cs.negate("为了应对技术风险，各国加强全球治理。", "zh", rng())
    assert result is not None and result.text.startswith("为了应对技术风险，") and "不加强" in result.text


# --- stance, quantifier, ordinal, list membership -------------------------------------------------------------
@pytest.mark.parametrize("lang,text,old,new", [
    ("en", "The G7 supports the international code of conduct for AI developers.", "supports", "opposes"),
    ("zh", "美国将继续支持各国的人工智能安全研究。", "支持", "反对"),
    ("zh", "该计划旨在提高芯片供应链的安全性。", "提高", "降低"),
])
def test_stance_flip(lang: str, text: str, old: str, new: str) -> None:
    result = cs.flip_stance(text, lang, rng())
    assert result is not None and result.text == text.replace(old, new, 1)


def test_stance_skips_hedged_sentences() -> None:
    assert cs.flip_stance("AI could increase risks to national security in the future.", "en", rng()) is None


@pytest.mark.parametrize("lang,text,expected", [
    ("en", "All agencies must report their AI use cases to the Director.", "Only some agencies must report their AI use cases to the Director."),
    ("en", "More than 20 countries joined the network of institutes.", "Fewer than 20 countries joined the network of institutes."),
    ("zh", "所有国家都签署了该宣言。", "部分国家都签署了该宣言。"),
    ("zh", "大多数企业同意参与部署前测试。", "少数企业同意参与部署前测试。"),
])
def test_quantifier_change(lang: str, text: str, expected: str) -> None:
    result = cs.change_quantifier(text, lang, rng())
    assert result is not None and result.text == expected


@pytest.mark.parametrize("lang,text,expected", [
    ("en", "The President issued the first national security memorandum on AI.", "The President issued the second national security memorandum on AI."),
    ("zh", "美国政府公开发布首份关于人工智能的国家安全备忘录。", "美国政府公开发布第二份关于人工智能的国家安全备忘录。"),
    ("zh", "首尔峰会是第一次人工智能安全峰会的后续。", "首尔峰会是第二次人工智能安全峰会的后续。"),
])
def test_ordinal_change(lang: str, text: str, expected: str) -> None:
    result = cs.change_ordinal(text, lang, rng())
    assert result is not None and result.text == expected


def test_ordinal_ignores_seoul_and_discourse_first() -> None:
    assert cs.change_ordinal("首尔宣言推动了研究所的设立。", "zh", rng()) is None
    assert cs.change_ordinal("First, the United States must lead the world.", "en", rng()) is None


@pytest.mark.parametrize("lang,text,expected", [
    ("en", "The framework lacks a clear definition of risk tolerance.", "The framework has a clear definition of risk tolerance."),
    ("zh", "该框架缺乏对风险容忍度的明确定义。", "该框架具备对风险容忍度的明确定义。"),
])
def test_list_membership_lacks_to_has(lang: str, text: str, expected: str) -> None:
    result = cs.flip_list_membership(text, lang, rng())
    assert result is not None and result.text == expected


def test_list_membership_swaps_one_member() -> None:
    text = "Japan, Canada and France set up AI safety institutes."
    result = cs.flip_list_membership(text, "en", rng())
    assert result is not None and result.before in ("Japan", "Canada", "France")
    new = result.edit.split(" → ")[1]
    assert result.text == text.replace(result.before, new) and cs.ENTITY_BY_ID[result.key].kind == "country"
    assert new not in text and any(new == e.en[0] for e in cs.ALL_ENTITIES if e.kind == "country")
    assert cs.flip_list_membership("France set up an AI safety institute.", "en", rng()) is None


# --- supported rewrites and not_found details --------------------------------------------------------------------
def test_restate_same_synonyms() -> None:
    result = cs.restate_same("英国率先设立人工智能安全研究所。", "zh", rng())
    assert result is not None and result.text == "英国率先成立人工智能安全研究所。"
    result = cs.restate_same("The agency has established approximately 40 working groups.", "en", rng())
    assert result is not None and result.text in ("The agency has set up roughly 40 working groups.",
                                                  "The agency has set up approximately 40 working groups.",
                                                  "The agency has established roughly 40 working groups.")


def test_restate_same_reorders_safely() -> None:
    result = cs.restate_same("In 2023, the G7 agreed on a code of conduct for advanced AI.", "en", rng())
    assert result is not None and result.text == "The G7 agreed on a code of conduct for advanced AI in 2023."
    result = cs.restate_same("推动日本、新加坡、加拿大和法国开展合作。", "zh", rng())
    assert result is not None and "日本、加拿大、新加坡和法国" in result.text
    assert cs.restate_same("The sky is blue over the quiet harbour today.", "en", rng()) is None


def test_clause_drop() -> None:
    text = "The NSM directs agencies to share threat information quickly, including cybersecurity guidance for developers."
    result = cs.drop_clause(text, "en", rng())
    assert result is not None and result.text == "The NSM directs agencies to share threat information quickly."
    result = cs.drop_clause("该备忘录指示采取以下三项关键行动，以促进国际合作。", "zh", rng())
    assert result is not None and result.text == "该备忘录指示采取以下三项关键行动。"
    # a clause with a number, a name or a condition stays
    assert cs.drop_clause("Agencies shall report their AI use to the Director, including 20 pilot projects.", "en", rng()) is None
    assert cs.drop_clause("Agencies shall report their AI use cases, unless they are classified.", "en", rng()) is None
    assert cs.drop_clause("各机构应报告人工智能的使用情况，除非涉及机密信息。", "zh", rng()) is None


def test_unsupported_detail_only_without_figures() -> None:
    result = cs.add_unsupported_detail("The framework supports trustworthy AI development.", "en", rng())
    assert result is not None and result.text.startswith("The framework supports trustworthy AI development")
    assert re.search(r"\d", result.text) and result.text.endswith(".")
    result = cs.add_unsupported_detail("该框架补充了此前的指南。", "zh", rng())
    assert result is not None and re.search(r"\d", result.text) and "该框架补充了此前的指南" in result.text
    assert cs.add_unsupported_detail("56 nations have signed the declaration.", "en", rng()) is None
    assert cs.add_unsupported_detail("美国政府于2024年发布了该备忘录。", "zh", rng()) is None


# --- splitter and sources ----------------------------------------------------------------------------------------
def test_splitter_offsets_and_boundaries() -> None:
    text = ("# Title\n\n(a) The U.S. Government shall act. It will lead.\n"
            "美国政府发布了备忘录。该备忘录指示采取行动！\n- **Bold** item here.")
    spans = cs.split_spans(text)
    pieces = [text[a:b] for a, b in spans]
    assert "The U.S. Government shall act." in pieces and "It will lead." in pieces
    assert "美国政府发布了备忘录。" in pieces and "该备忘录指示采取行动！" in pieces
    assert "Bold** item here." in pieces


def test_splitter_joins_wrapped_chinese_lines() -> None:
    text = "英国和美国分别在2023年首届全球人工智能安全峰会率先设立人工智能安全研究所，随后日\n\n本、新加坡等国家相继跟进。\n"
    sentences = cs.extract_sentences(cs.Source("x.txt", "zh", text, cs.TUNE, "policy"))
    assert len(sentences) == 1 and sentences[0].complete
    assert sentences[0].clean.endswith("随后日本、新加坡等国家相继跟进。")
    assert text[sentences[0].start:].startswith(sentences[0].raw)


def test_sentences_of_the_corpus_are_substrings() -> None:
    for source in cs.load_policy_sources():
        for sentence in cs.extract_sentences(source):
            assert source.text[sentence.start:sentence.start + len(sentence.raw)] == sentence.raw


def test_split_is_by_document() -> None:
    sources = cs.load_policy_sources()
    halves = {s.name: s.half for s in sources}
    assert set(halves.values()) == {cs.TUNE, cs.HELDOUT}
    for lang in ("en", "zh"):
        assert {s.half for s in sources if s.lang == lang} == {cs.TUNE, cs.HELDOUT}
    assert halves[cs.PARALLEL_ZH_DOC] == cs.TUNE
    assert all(halves[name] == cs.TUNE for name in halves if name.startswith(cs.PARALLEL_EN_PREFIXES))
    assert cs.xquad_half(119) == cs.TUNE and cs.xquad_half(120) == cs.HELDOUT


def test_rng_is_order_independent() -> None:
    assert cs.rng_for("a", 1).random() == cs.rng_for("a", 1).random()
    assert cs.rng_for("a", 1).random() != cs.rng_for("a", 2).random()


# --- the generated data ------------------------------------------------------------------------------------------
def _records() -> list[dict]:
    if not (DATA / "tune.jsonl").exists():
        pytest.skip("bench/data/claims not generated (python -m bench.claimset --out bench/data/claims)")
    return [json.loads(line) for half in ("tune", "heldout")
            for line in (DATA / f"{half}.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return _records()


def test_data_schema(records: list[dict]) -> None:
    keys = {"id", "claim", "claim_lang", "source_lang", "label", "transform", "source_doc", "source_sentence",
            "source_start", "half", "corpus", "edit"}
    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        assert set(r) == keys
        assert r["label"] in cs.LABELS and r["transform"] in cs.TRANSFORMS
        assert r["claim_lang"] in ("zh", "en") and r["source_lang"] in ("zh", "en")
        assert r["half"] in (cs.TUNE, cs.HELDOUT) and r["corpus"] in ("policy", "xquad")
        expected = {"restate_cross": "supported", "translated": "supported", "quote": "supported", "restate_same": "supported", "clause_drop": "supported",
                    "omission": "supported",
                    "unsupported_detail": "not_found", "off_corpus": "not_found"}.get(r["transform"], "contradicted")
        assert r["label"] == expected
        assert r["claim"] and r["claim"] != r["source_sentence"] or r["transform"] in ("off_corpus", "quote")
        if r["transform"] != "off_corpus":
            assert cs.claim_length_ok(r["claim"], r["claim_lang"]), r


def test_data_source_sentences_are_substrings(records: list[dict]) -> None:
    texts: dict[tuple[str, str], str] = {}
    xquad = cs.load_xquad()
    for lang in ("en", "zh"):
        for source in xquad[lang]:
            texts[(source.name, lang)] = source.text
    for source in cs.load_policy_sources():
        texts[(source.name, source.lang)] = source.text
    for r in records:
        key = (r["source_doc"], r["source_lang"])
        text = texts.get(key) or cs.source_text(*key)
        start = r["source_start"]
        assert text[start:start + len(r["source_sentence"])] == r["source_sentence"], r["id"]


def test_data_split_has_no_document_in_both_halves(records: list[dict]) -> None:
    halves: dict[str, set[str]] = {}
    for r in records:
        halves.setdefault(r["source_doc"], set()).add(r["half"])
        if r["source_doc"].startswith("xquad:"):
            assert r["half"] == cs.xquad_half(int(r["source_doc"][len("xquad:p"):]))
        elif not r["source_doc"].startswith("handwritten:"):
            assert r["half"] == cs.policy_half(r["source_doc"])
    assert all(len(h) == 1 for h in halves.values())
    tune_claims = {r["claim"] for r in records if r["half"] == cs.TUNE}
    assert not any(r["claim"] in tune_claims for r in records if r["half"] == cs.HELDOUT)


def test_data_sizes(records: list[dict]) -> None:
    assert len(records) >= 3000
    pairs = Counter((r["claim_lang"], r["source_lang"]) for r in records)
    labels = Counter((r["claim_lang"], r["source_lang"], r["label"]) for r in records)
    for pair in (("zh", "zh"), ("en", "zh"), ("zh", "en"), ("en", "en")):
        assert pairs[pair] >= 300, pair
        assert all(labels[(*pair, label)] > 0 for label in cs.LABELS), pair
    size = sum((DATA / f"{half}.jsonl").stat().st_size for half in ("tune", "heldout"))
    assert size <= 10 * 1024 * 1024


def test_contradicted_claims_differ_from_their_supported_base(records: list[dict]) -> None:
    for r in records:
        if r["label"] == "contradicted" and r["claim_lang"] == r["source_lang"]:
            assert cs.clean_text(r["source_sentence"], r["source_lang"]) != r["claim"]


def test_summary_written() -> None:
    path: Path = DATA / "SUMMARY.md"
    if not path.exists():
        pytest.skip("not generated")
    text = path.read_text(encoding="utf-8")
    assert "Half × label × transform × language pair" in text and str(cs.ALIGN_THRESHOLD) in text
