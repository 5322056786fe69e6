"""rag.text.cjk: the one definition of the CJK ranges, and no other module spelling one out."""

from __future__ import annotations

import re
from pathlib import Path

from rag.text.cjk import (
    CJK_TEXT,
    DICTIONARY_HAN_RUN,
    HAN,
    HAN_OR_VARIANT,
    HAN_RUN,
    has_han,
    is_cjk,
)

RAG = Path(__file__).resolve().parents[3] / "rag"
# A CJK block boundary written as a regex escape or an integer code point: U+2E80, U+3000, U+3400, U+4E00,
# U+9FFF, U+F900, U+FF00, U+20000 (the starts and ends of the ranges rag.text.cjk defines).
SPELLED_RANGE = re.compile(r"(?:\\u|\\U000|0x)(?:2e80|3000|3400|4e00|9fff|f900|ff00|20000)\b", re.I)


def spelled_ranges(source: str) -> list[str]:
    return SPELLED_RANGE.findall(source)


def test_han_is_chinese_characters_only() -> None:
    assert HAN.findall("AI安全研究所") == ["安", "全", "研", "究", "所"]
    assert HAN_RUN.findall("AI安全 研究所") == ["安全", "研究所"]
    assert has_han("Safety 研究所") and not has_han("Safety Institute")
    assert not HAN.search("，。《》ｱ가") and not HAN.search("⻛")  # punctuation, kana, hangul, a radical


def test_the_wider_sets_take_in_variants_and_punctuation() -> None:
    assert HAN_OR_VARIANT.search("⻛") and HAN_OR_VARIANT.search("\uf900") and not HAN_OR_VARIANT.search("，")
    assert DICTIONARY_HAN_RUN.fullmatch("\U00020000中") and not DICTIONARY_HAN_RUN.fullmatch("中，")
    assert all(is_cjk(ch) for ch in "中，。⻛（\u3000\U0002a700")
    assert not any(is_cjk(ch) for ch in "a1 ,.é가")  # Latin, digits, space, Latin punctuation, accents, hangul
    assert "\u3000" in re.sub(f"[^{CJK_TEXT}]", "", "a\u3000b")


def test_no_other_module_spells_out_a_cjk_range() -> None:
    found = {str(p.relative_to(RAG)): spelled_ranges(p.read_text(encoding="utf-8"))
             for p in RAG.rglob("*.py") if p.name != "cjk.py"}
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_the_range_check_finds_a_spelled_range() -> None:
    assert spelled_ranges(r'HAN = re.compile(r"[\u4e00-\u9fff]")') == [r"\u4e00", r"\u9fff"]
    assert spelled_ranges("return 0x4E00 <= code <= 0x9FFF") == ["0x4E00", "0x9FFF"]
    assert spelled_ranges(r'OTHER = re.compile(r"[\u3040-\u30FF\uAC00-\uD7AF]")') == []  # kana, hangul: not CJK_TEXT
