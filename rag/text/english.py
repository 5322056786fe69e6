"""English words, normalized in one module: the index's Snowball stem (``stem``: every English token of the
sparse index), and the dictionary's word folding (``normalize_en``: plurals to singular, for CC-CEDICT keys
and a question's words alike), inflection guesses, acronyms spelled out, content words, month names.

The two folds differ on purpose: a stem need not be a word ("agenc"), and Snowball maps "organization" and
"organ" alike, which would merge dictionary senses; so the dictionary keys words, and a dictionary term is
matched against the index through both (``rag.text.lexicon``).

Usage::

    stem("agencies")                              # "agenc" (index token)
    normalize_en("agencies")                      # "agency" (dictionary key)
    inflection_variants("prioritising")           # ["prioritizing", ..., "prioritize"]
    english_content_words("What did the U.S. say about the risks?")  # [["united", "state", "risk"]]
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.snowball import stem_english
from rag.text.stopwords import DICTIONARY_ENGLISH_STOP_WORDS

_IRREGULAR = {"memoranda": "memorandum", "criteria": "criterion", "phenomena": "phenomenon", "analyses":
              "analysis", "crises": "crisis", "hypotheses": "hypothesis", "bases": "basis", "indices":
              "index", "children": "child", "people": "people", "data": "data", "media": "media"}
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SEGMENT = re.compile(r"[.,;:!?()\[\]\"“”，。；：！？、（）《》]+")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
ACRONYM_NAMES = {"US": "United States", "USA": "United States", "UK": "United Kingdom", "EU": "European Union",
                 "UN": "United Nations", "PRC": "China"}
_ACRONYMS = re.compile(r"\b(?:U\.S\.A?\.?|U\.K\.|USA|US|UK|EU|UN|PRC)(?![\w.])")


@lru_cache(maxsize=1 << 16)
def normalize_en(word: str) -> str:
    """Lower-case ``word`` and reduce a plural to its singular ('agencies' -> 'agency', 'risks' -> 'risk').

    Applied identically to dictionary glosses and queries, so an imperfect rule still matches itself.
    """
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "xes", "zes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
        return w[:-1]
    return w


_BRITISH = ((re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
            (re.compile(r"(?<=[a-z]{3})our$"), "or"))


def inflection_variants(word: str) -> list[str]:
    """Base-form guesses for a verb form ('funded' -> 'fund', 'governing' -> 'govern', 'regulated' ->
    'regulate'), and the American spelling of a British one ('prioritising' -> 'prioritizing', 'prioritize')
    (CC-CEDICT glosses are in American English)."""
    forms = [word]
    for pattern, replacement in _BRITISH:
        american = pattern.sub(replacement, word)
        if american != word:
            forms.append(american)
    out = forms[1:]
    for form in forms:
        for suffix in ("ing", "ed"):
            if len(form) > len(suffix) + 3 and form.endswith(suffix):
                base = form[: -len(suffix)]
                out += [base, base + "e"] + ([base[:-1]] if len(base) > 2 and base[-1] == base[-2] else [])
    return out


def english_content_words(text: str) -> list[list[str]]:
    """Split ``text`` at punctuation into segments of normalized English content words (stop words dropped)."""
    text = _ACRONYMS.sub(lambda m: ACRONYM_NAMES[m.group(0).replace(".", "")], text)
    segments = []
    for part in _SEGMENT.split(text.lower()):
        words = [normalize_en(w) for w in WORD.findall(part) if w not in DICTIONARY_ENGLISH_STOP_WORDS and not w.isdigit()]
        words = [w for w in words if w not in DICTIONARY_ENGLISH_STOP_WORDS and len(w) > 1]
        if words:
            segments.append(words)
    return segments


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Snowball (Porter2) stem of a lower-case word: the English tokens of the sparse index (nltk's
    ``SnowballStemmer("english")`` output, computed by ``rag.text.snowball`` without importing nltk)."""
    return stem_english(word)
