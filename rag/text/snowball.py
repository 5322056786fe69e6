"""The English Snowball (Porter2) stemmer in pure Python: the same output as nltk's
``SnowballStemmer("english")`` (``ignore_stopwords=False``, nltk 3.10), without importing nltk, whose
package import pulls scipy and costs seconds on every CLI call.

The port follows nltk's ``EnglishStemmer`` step by step, including how it tracks the regions R1 and R2
as strings beside the word (some of its region updates differ from the Snowball reference, and the
index's tokens are nltk's); ``tests/rag/text/test_snowball.py`` checks parity against nltk on every
word of the corpora.

Usage::

    from rag.text.snowball import stem_english

    stem_english("agencies")      # "agenc"
    stem_english("generously")    # "generous"
    stem_english("Dying")         # "die"
"""

from __future__ import annotations

from collections.abc import Callable

Regions = tuple[str, str, str]  # the word, its R1 and its R2, each updated as nltk updates them
Action = tuple[int, str | None, str]  # strip n characters; append this (None: strip only); R2's fallback
Guard = Callable[[Regions], bool]

VOWELS = "aeiouy"
_DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
_LI_ENDING = "cdeghkmnrt"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201b": "'"})
_STEP0 = ("'s'", "'s", "'")
_STEP1A = ("sses", "ied", "ies", "us", "ss", "s")
_STEP1B = ("eedly", "ingly", "edly", "eed", "ing", "ed")
_STEP4 = ("ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive",
          "ize", "ion", "al", "er", "ic")
_EXCEPTIONAL_R1 = {"gener": 5, "arsen": 5, "commun": 6}

SPECIAL_WORDS = {
    "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie", "idly": "idl",
    "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli", "singly": "singl", "sky": "sky",
    "news": "news", "howe": "howe", "atlas": "atlas", "cosmos": "cosmos", "bias": "bias", "andes": "andes",
    "inning": "inning", "innings": "inning", "outing": "outing", "outings": "outing",
    "canning": "canning", "cannings": "canning", "herring": "herring", "herrings": "herring",
    "earring": "earring", "earrings": "earring", "proceed": "proceed", "proceeds": "proceed",
    "proceeded": "proceed", "proceeding": "proceed", "exceed": "exceed", "exceeds": "exceed",
    "exceeded": "exceed", "exceeding": "exceed", "succeed": "succeed", "succeeds": "succeed",
    "succeeded": "succeed", "succeeding": "succeed",
}


def _cut(n: int) -> Action:
    """Strip the last ``n`` characters of the word and of both regions."""
    return (n, None, "")


def _to(suffix: str, new: str, r2_short: str = "") -> Action:
    """Replace ``suffix`` by ``new`` (a region too short to hold it becomes "", or ``r2_short`` for R2);
    "enci" -> "ence" is ``_to("i", "e")``: nltk swaps only the final letter there."""
    return (len(suffix), new, r2_short)


# Steps 2 and 3: suffix -> action, in nltk's order (the first suffix the word ends with is the only one tried).
_STEP2: dict[str, Action] = {
    "ization": _to("ization", "ize"), "ational": _to("ational", "ate", "e"),
    "fulness": _cut(4), "ousness": _to("ousness", "ous"), "iveness": _to("iveness", "ive", "e"),
    "tional": _cut(2), "biliti": _to("biliti", "ble"), "lessli": _cut(2), "entli": _cut(2),
    "ation": _to("ation", "ate", "e"), "alism": _to("alism", "al"), "aliti": _to("aliti", "al"),
    "ousli": _to("ousli", "ous"), "iviti": _to("iviti", "ive", "e"), "fulli": _cut(2),
    "enci": _to("i", "e"), "anci": _to("i", "e"), "abli": _to("i", "e"), "izer": _to("izer", "ize"),
    "ator": _to("ator", "ate", "e"), "alli": _to("alli", "al"), "bli": _to("bli", "ble"),
    "ogi": _cut(1), "li": _cut(2),
}
_STEP2_GUARDS: dict[str, Guard] = {
    "ogi": lambda r: r[0][-4] == "l",
    "li": lambda r: r[0][-3] in _LI_ENDING,
}
_STEP3: dict[str, Action] = {
    "ational": _to("ational", "ate"), "tional": _cut(2), "alize": _cut(3), "icate": _to("icate", "ic"),
    "iciti": _to("iciti", "ic"), "ative": _cut(5), "ical": _to("ical", "ic"), "ness": _cut(4),
    "ful": _cut(3),
}
_STEP3_GUARDS: dict[str, Guard] = {"ative": lambda r: r[2].endswith("ative")}


def _tail(text: str, n: int, new: str, short: str = "") -> str:
    """``text`` with its last ``n`` characters replaced by ``new``, or ``short`` if it has fewer."""
    return text[:-n] + new if len(text) >= n else short


def _strip(regions: Regions, n: int) -> Regions:
    """Drop the last ``n`` characters of the word and of both regions (a region shorter than that empties)."""
    word, r1, r2 = regions
    return word[:-n], r1[:-n], r2[:-n]


def _apply(regions: Regions, action: Action) -> Regions:
    """Strip or replace a suffix in the word and both regions, as nltk does."""
    n, new, r2_short = action
    if new is None:
        return _strip(regions, n)
    word, r1, r2 = regions
    return word[:-n] + new, _tail(r1, n, new), _tail(r2, n, new, r2_short)


def _has_vowel(text: str) -> bool:
    return any(letter in VOWELS for letter in text)


def mark_consonant_y(word: str) -> str:
    """Map curly apostrophes to "'", drop one leading "'", and write a consonant y (initial, or after a
    vowel) as 'Y'."""
    word = word.translate(_APOSTROPHES).removeprefix("'")
    if word.startswith("y"):
        word = "Y" + word[1:]
    chars = list(word)
    for i in range(1, len(chars)):
        if chars[i - 1] in VOWELS and chars[i] == "y":
            chars[i] = "Y"
    return "".join(chars)


def _after_vowel_consonant(text: str) -> str:
    """The region after the first non-vowel that follows a vowel ("" if none)."""
    for i in range(1, len(text)):
        if text[i] not in VOWELS and text[i - 1] in VOWELS:
            return text[i + 1:]
    return ""


def regions(word: str) -> Regions:
    """The word with its R1 and R2 (R1 starts after "gener", "arsen" or "commun" when the word does)."""
    r1 = next((word[n:] for prefix, n in _EXCEPTIONAL_R1.items() if word.startswith(prefix)), None)
    if r1 is None:
        r1 = _after_vowel_consonant(word)
    return word, r1, _after_vowel_consonant(r1)


def _step0(r: Regions) -> Regions:
    """Possessive apostrophes."""
    suffix = next((s for s in _STEP0 if r[0].endswith(s)), None)
    return _strip(r, len(suffix)) if suffix else r


def _step1a(r: Regions) -> Regions:
    """Plural endings: sses -> ss, ied/ies -> i or ie, s dropped after a vowel earlier in the word."""
    word = r[0]
    suffix = next((s for s in _STEP1A if word.endswith(s)), None)
    if suffix == "sses":
        return _strip(r, 2)
    if suffix in ("ied", "ies"):
        return _strip(r, 2 if len(word) - len(suffix) > 1 else 1)
    if suffix == "s" and _has_vowel(word[:-2]):
        return _strip(r, 1)
    return r


def _is_short_stem(word: str, r1: str) -> bool:
    """nltk's test for a short word (R1 empty, ending in a short syllable) after step 1b's strip."""
    if r1 != "":
        return False
    if len(word) >= 3:
        return (word[-1] not in VOWELS and word[-1] not in "wxY" and word[-2] in VOWELS
                and word[-3] not in VOWELS)
    return len(word) == 2 and word[0] in VOWELS and word[1] not in VOWELS


def _restore_after_1b(r: Regions) -> Regions:
    """After -ed/-ing is stripped: add an e (at, bl, iz, short words) or undouble a final consonant."""
    word, r1, r2 = r
    if word.endswith(("at", "bl", "iz")):
        word, r1 = word + "e", r1 + "e"
        return word, r1, r2 + "e" if len(word) > 5 or len(r1) >= 3 else r2
    if word.endswith(_DOUBLES):
        return _strip(r, 1)
    if _is_short_stem(word, r1):
        return word + "e", r1 + "e" if r1 else r1, r2 + "e" if r2 else r2
    return r


def _step1b(r: Regions) -> Regions:
    """eed/eedly -> ee in R1; ed, edly, ing, ingly dropped after a vowel, then the stem repaired."""
    word = r[0]
    suffix = next((s for s in _STEP1B if word.endswith(s)), None)
    if suffix is None:
        return r
    if suffix in ("eed", "eedly"):
        return _apply(r, _to(suffix, "ee")) if r[1].endswith(suffix) else r
    if not _has_vowel(word[: -len(suffix)]):
        return r
    return _restore_after_1b(_strip(r, len(suffix)))


def _step1c(r: Regions) -> Regions:
    """A final y or Y after a non-vowel (not the first letter) becomes i."""
    word = r[0]
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in VOWELS:
        return _apply(r, _to("y", "i"))
    return r


def _table_step(r: Regions, table: dict[str, Action], guards: dict[str, Guard]) -> Regions:
    """Steps 2 and 3: the first suffix of ``table`` that ends the word is acted on if R1 ends with it too
    (and its guard, if any, holds)."""
    suffix = next((s for s in table if r[0].endswith(s)), None)
    if suffix is None or not r[1].endswith(suffix):
        return r
    guard = guards.get(suffix)
    if guard is not None and not guard(r):
        return r
    return _apply(r, table[suffix])


def _step4(r: Regions) -> Regions:
    """Drop a suffix in R2 (ion only after s or t)."""
    word = r[0]
    suffix = next((s for s in _STEP4 if word.endswith(s)), None)
    if suffix is None or not r[2].endswith(suffix):
        return r
    if suffix == "ion":
        return _strip(r, 3) if word[-4] in "st" else r
    return _strip(r, len(suffix))


def _step5(r: Regions) -> str:
    """Drop a final e (in R2, or in R1 unless it closes a short syllable) or the second of a final ll."""
    word, r1, r2 = r
    if r2.endswith("l") and word[-2] == "l":
        return word[:-1]
    if r2.endswith("e"):
        return word[:-1]
    if r1.endswith("e") and len(word) >= 4 and (word[-2] in VOWELS or word[-2] in "wxY"
                                                  or word[-3] not in VOWELS or word[-4] in VOWELS):
        return word[:-1]
    return word


def stem_english(word: str) -> str:
    """Snowball English stem of ``word`` (lower-cased first), exactly as nltk's
    ``SnowballStemmer("english").stem``."""
    word = word.lower()
    if len(word) <= 2:
        return word
    if word in SPECIAL_WORDS:
        return SPECIAL_WORDS[word]
    r = regions(mark_consonant_y(word))
    for step in (_step0, _step1a, _step1b, _step1c):
        r = step(r)
    r = _table_step(r, _STEP2, _STEP2_GUARDS)
    r = _table_step(r, _STEP3, _STEP3_GUARDS)
    return _step5(_step4(r)).replace("Y", "y")
