"""Language of a text from its script: 'zh', 'en' (Latin script) or 'other'.

Usage::

    detect_language("英国人工智能安全研究所")      # "zh"
    detect_language("AI Safety Institute")       # "en"
    script_counts("AI安全")                      # (2, 2, 0): Han characters, Latin letters, other letters
"""

from __future__ import annotations

import re

from rag.text.cjk import HAN

LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
# Scripts we cannot serve: kana, hangul, Cyrillic, Arabic, Hebrew, Greek, Devanagari, Thai.
OTHER_SCRIPT = re.compile(r"[\u3040-\u30FF\uAC00-\uD7AF\u0400-\u04FF\u0600-\u06FF\u0590-\u05FF\u0370-\u03FF\u0900-\u097F\u0E00-\u0E7F]")


def script_counts(text: str) -> tuple[int, int, int]:
    """(Han characters, Latin letters, letters of other scripts)."""
    return len(HAN.findall(text)), len(LATIN_LETTER.findall(text)), len(OTHER_SCRIPT.findall(text))


def detect_language(text: str) -> str:
    """'zh' when Han characters carry the text, 'en' for Latin script, 'other' for anything else.

    One Han character weighs like ~3 Latin letters (a Chinese word is 1–2 characters, an English one ~5).
    """
    han, latin, other = script_counts(text)
    if other > (han + latin) and other > 0:
        return "other"
    if han * 3 >= latin and han > 0:
        return "zh"
    if latin > 0:
        return "en"
    return "other" if other else "zh" if han else "en"




