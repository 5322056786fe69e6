"""English words as the bilingual dictionary reads them: stop words, plural and inflection folding
(dictionary glosses and questions folded alike), acronyms spelled out, content words, month names.

Usage::

    normalize_en("agencies")                      # "agency"
    inflection_variants("prioritising")           # ["prioritizing", ..., "prioritize"]
    english_content_words("What did the U.S. say about the risks?")  # [["united", "state", "risk"]]
"""

from __future__ import annotations

import re
from functools import lru_cache

EN_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each etc few for from further had
    has have having he her here hers him his how however i if in into is it its itself just me more most
    my no nor not of off on once only or other our ours out over own same she should so some such than
    that the their theirs them then there these they this those through to too under until up very was
    we were what when where which while who whom why will with would you your yours sb sth esp e g i e
    one's oneself something somebody someone kind type used us may might must shall let get got make
    made like according many much well within without among via per upon whether yet ever little say says
    said call called mention mentioned describe described true false""".split()
)
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
                stem = form[: -len(suffix)]
                out += [stem, stem + "e"] + ([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])
    return out


def english_content_words(text: str) -> list[list[str]]:
    """Split ``text`` at punctuation into segments of normalized English content words (stop words dropped)."""
    text = _ACRONYMS.sub(lambda m: ACRONYM_NAMES[m.group(0).replace(".", "")], text)
    segments = []
    for part in _SEGMENT.split(text.lower()):
        words = [normalize_en(w) for w in WORD.findall(part) if w not in EN_STOP and not w.isdigit()]
        words = [w for w in words if w not in EN_STOP and len(w) > 1]
        if words:
            segments.append(words)
    return segments


@lru_cache(maxsize=1 << 16)
def snowball_stem(word: str) -> str:
    """Snowball (Porter2) stem, as the English sparse index uses; the word itself if nltk is missing."""
    try:
        from nltk.stem.snowball import EnglishStemmer
    except ImportError:  # pragma: no cover - nltk is a project dependency
        return word
    return EnglishStemmer().stem(word)
