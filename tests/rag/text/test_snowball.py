"""rag.text.snowball: the pure-Python English Snowball stemmer gives nltk's ``SnowballStemmer("english")``
output word for word (nltk stays installed as the reference), and importing ``rag.text.english`` no longer
imports nltk."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.proc import subprocess_env
from nltk.stem.snowball import SnowballStemmer

from rag.text.english import stem
from rag.text.snowball import stem_english

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CORPUS = PROJECT_ROOT / "corpus"
SHARED_EN_CANDIDATES = (PROJECT_ROOT.parent / "shared" / "corpus" / "en",
                        PROJECT_ROOT / "shared" / "corpus" / "en")
SHARED_EN = next((p for p in SHARED_EN_CANDIDATES if p.is_dir()), None)
RAW_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’‘\-]*")  # as written: capitals, apostrophes, hyphens
INDEX_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-']*")  # rag.text.lexical's English tokens, before the split

REFERENCE = SnowballStemmer("english")  # as rag.text.english built it: ignore_stopwords=False

# nltk's exceptional cases, with the stems nltk gives (checked against nltk too, below)
TRICKY = {
    "generously": "generous", "generate": "generat", "general": "general", "communism": "communism",
    "communication": "communic", "arsenal": "arsenal", "skies": "sky", "skis": "ski", "sky": "sky",
    "dying": "die", "lying": "lie", "news": "news", "inning": "inning", "innings": "inning",
    "outings": "outing", "proceed": "proceed", "proceeds": "proceed", "exceeded": "exceed",
    "succeeding": "succeed", "succeeded": "succeed", "agency's": "agenc", "agencies'": "agenc",
    "agency’s": "agenc", "‘tis": "tis", "'s": "'s", "AGENCIES": "agenc", "Generously": "generous",
    "Succeeding": "succeed", "yes": "yes", "youth": "youth", "yelling": "yell", "Yachting": "yacht",
    "sayings": "say", "boy": "boy", "by": "by", "cry": "cri", "cries": "cri", "ties": "tie", "died": "die",
    "ab": "ab", "a": "a", "": "", "guaranteed": "guarante", "agreed": "agre", "bleed": "bleed", "feed": "feed",
    "hopping": "hop", "hoped": "hope", "fizzed": "fizz", "luxuriating": "luxuri", "national": "nation",
    "emotional": "emot", "hopeful": "hope", "controlling": "control", "roll": "roll", "rate": "rate",
    "ate": "ate", "eyes": "eye", "anyway": "anyway", "yyy": "yyy", "caress": "caress", "gas": "gas",
    "gaps": "gap", "kiwis": "kiwi", "abolition": "abolit", "tension": "tension", "archaeology": "archaeolog",
    "apology": "apolog", "happily": "happili", "fully": "fulli", "carefully": "care", "quickly": "quick",
    "organization": "organ", "organ": "organ", "agencies": "agenc", "institutes": "institut",
}


def corpus_words(folder: Path) -> set[str]:
    """Every distinct word of the folder's files (.txt, .md): as written, lower-cased, and split as the
    index splits them (at hyphens and apostrophes)."""
    words: set[str] = set()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        words.update(RAW_WORD.findall(text))
        for piece in INDEX_WORD.findall(text):
            words.add(piece.lower())
            words.update(p for p in re.split(r"[-'\s]+", piece.lower()) if p)
    return words


def mismatches(words: set[str]) -> list[tuple[str, str, str]]:
    return [(w, stem_english(w), REFERENCE.stem(w)) for w in sorted(words) if stem_english(w) != REFERENCE.stem(w)]


def assert_parity_and_change(words: set[str]) -> None:
    """Zero mismatches with nltk; and the stemmer changes a good share of the words (no identity passes)."""
    assert len(words) > 1000, f"too few words ({len(words)}) to be the corpus"
    bad = mismatches(words)
    assert not bad, f"{len(bad)} of {len(words)} words differ from nltk (word, ours, nltk): {bad[:20]}"
    changed = sum(stem_english(w) != w.lower() for w in words)
    assert changed > len(words) // 4, f"only {changed} of {len(words)} words changed by stemming"


def test_every_word_of_the_project_corpus_stems_as_nltk() -> None:
    assert CORPUS.is_dir() and any(CORPUS.iterdir()), f"the project corpus is missing at {CORPUS}"
    assert_parity_and_change(corpus_words(CORPUS))


@pytest.mark.skipif(SHARED_EN is None, reason="the shared English corpus (../shared/corpus/en) is not here")
def test_every_word_of_the_shared_english_corpus_stems_as_nltk() -> None:
    assert SHARED_EN is not None
    assert_parity_and_change(corpus_words(SHARED_EN))


@pytest.mark.parametrize(("word", "expected"), sorted(TRICKY.items()))
def test_tricky_words_stem_as_nltk(word: str, expected: str) -> None:
    assert REFERENCE.stem(word) == expected  # the table itself is nltk's
    assert stem_english(word) == expected


def test_generated_suffix_combinations_stem_as_nltk() -> None:
    """Every stem x suffix x suffix combination over a set of awkward stems (y, apostrophes, R1 exceptions)."""
    stems = ["gener", "commun", "arsen", "y", "'y", "ay", "bay", "sky", "hop", "fizz", "lux", "tr", "contr",
             "ab", "be", "cr", "l", "ol", "nat", "organ", "agenc", "say", "boy", "eyes", "id", "proceed"]
    suffixes = ["", "s", "es", "ies", "ied", "sses", "'s", "'s'", "'", "ing", "ingly", "ed", "edly", "eed",
                "eedly", "y", "ly", "li", "ogi", "logy", "ational", "tional", "ization", "ation", "ator",
                "izer", "alism", "aliti", "alli", "ousli", "iviti", "iveness", "fulness", "ousness", "biliti",
                "bli", "enci", "anci", "abli", "fulli", "lessli", "entli", "alize", "icate", "iciti", "ical",
                "ative", "ness", "ful", "ement", "ment", "ent", "ion", "sion", "tion", "al", "er", "ic", "ism",
                "ate", "iti", "ous", "ive", "ize", "ance", "ence", "able", "ible", "ant", "e", "ll", "at", "bl",
                "iz"]
    words = {a + b + c for a in stems for b in suffixes for c in suffixes}
    bad = mismatches(words)
    assert not bad, f"{len(bad)} of {len(words)} generated words differ from nltk: {bad[:20]}"


def test_the_stemmer_changes_what_it_must_and_keeps_what_it_must() -> None:
    assert stem_english("agencies") == "agenc"  # changed: an identity function fails here
    assert stem("agencies") == "agenc"  # rag.text.english's cached entry point
    assert stem_english("institutes") == "institut"
    assert stem_english("news") == "news"  # a special word, kept
    assert stem_english("by") == "by"  # two letters, kept


def test_importing_rag_text_english_does_not_import_nltk() -> None:
    code = "import rag.text.english, sys; print('nltk' in sys.modules, 'scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "False"], done.stdout + done.stderr
