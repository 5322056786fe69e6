"""The one definition of the CJK character ranges: every module that asks "is this Chinese?" imports it.

The ranges are regex character-class fragments, so they compose (``f"[{HAN_IDEOGRAPHS}{RADICALS}]"``);
the compiled patterns below are the ones the modules use. Which set a module reads is named here with
its reason, never spelled out as code points elsewhere.

Usage::

    from rag.text.cjk import HAN, HAN_RUN, has_han, is_cjk

    HAN.findall("AI安全")          # ['安', '全']
    HAN_RUN.findall("AI安全研究所")  # ['安全研究所']
    has_han("Safety 研究所")        # True
    is_cjk("，")                   # True: a wrapped line joins this without a space
"""

from __future__ import annotations

import re

HAN_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff"  # CJK Unified Ideographs and Extension A: the characters of Chinese words
HAN_COMPATIBILITY = "\uf900-\ufaff"  # CJK Compatibility Ideographs (NFKC maps nearly all to unified ones)
HAN_SUPPLEMENTARY = "\U00020000-\U0003ffff"  # Extensions B-H and the Compatibility Supplement (planes 2 and 3)
RADICALS = "\u2e80-\u2fdf"  # CJK Radicals Supplement and Kangxi Radicals: PDF extraction's stand-ins for ideographs (⻛ for 风)
CJK_PUNCTUATION = "\u3000-\u303f"  # 、。《》「」 and the ideographic space
FULLWIDTH_FORMS = "\uff00-\uffef"  # ，：（）！？ and full-width Latin letters and digits
IDEOGRAPHIC_SPACE = "\u3000"  # NFKC folds it to " ", so normalized text holds one only where it is put on purpose
CJK_BMP = "\u2e80-\u9fff"  # every CJK block of the Basic Multilingual Plane, radicals to ideographs (kana, bopomofo included)

# Han characters of normalized text: index tokens, language detection, footnote marks, claim slots.
HAN = re.compile(f"[{HAN_IDEOGRAPHS}]")
HAN_RUN = re.compile(f"[{HAN_IDEOGRAPHS}]+")
# Han characters of raw text too (titles are read before normalization folds ⻛ and 﨑 into ideographs).
HAN_OR_VARIANT = re.compile(f"[{HAN_IDEOGRAPHS}{RADICALS}{HAN_COMPATIBILITY}]")
# Any ideograph the dictionary may hold (CC-CEDICT has compatibility and Extension B+ characters).
DICTIONARY_HAN_RUN = re.compile(f"[{HAN_IDEOGRAPHS}{HAN_COMPATIBILITY}{HAN_SUPPLEMENTARY}]+")
# What a wrapped line joins without a space: any ideograph, radical, CJK or full-width punctuation.
CJK_TEXT = f"{HAN_IDEOGRAPHS}{HAN_COMPATIBILITY}{HAN_SUPPLEMENTARY}{RADICALS}{CJK_PUNCTUATION}{FULLWIDTH_FORMS}"
_CJK_CHARACTER = re.compile(f"[{CJK_TEXT}]")


def is_cjk(ch: str) -> bool:
    """Whether the character ``ch`` is CJK text (``CJK_TEXT``): Chinese lines join it without a space."""
    return _CJK_CHARACTER.fullmatch(ch) is not None


def has_han(text: str) -> bool:
    """Whether ``text`` holds at least one Han character (``HAN``)."""
    return HAN.search(text) is not None
