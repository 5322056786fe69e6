"""Passage-side gloss: a passage's terms in the other language, for cross-lingual matching.

Translating the question must guess each word's sense ("standards bodies": 身体 or 机构?); glossing the
passage need not guess: 机构 glosses to agency, mechanism, structure, organization, institution, and
the English question's own words are looked up there. At ingest each passage stores its gloss (payload
``gloss``, one space-separated string, cheaper to store and read than a list):

* a Chinese passage: the first English words of each of its terms' dictionary entries (with the
  acronym a question writes for a spelled-out name: 美国 → united states, us), the English names of
  its months (2024年4月 is April 2024), and its numbers and Latin-script names as they are;
* an English passage: the first Chinese translations of its words and phrases, and its numbers.

At query time the question's own tokens are scored over the glosses of the other-language candidates
as BM25, with document frequencies over the index's passages of that language (``GlossStatistics``);
the score is the rerank feature ``passage_gloss``.

Usage::

    text = "人工智能安全研究所将与国际标准化组织等机构合作"
    gloss = passage_gloss(text, tokenize(text), "zh", BilingualLexicon.load(), settings)
    stats = GlossStatistics.from_glosses([("zh", gloss), ...])
    stats.score(tokenize("Which standards bodies will the institutes work with?"), "zh", gloss)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.settings import Settings
from rag.text.cjk import HAN_RUN
from rag.text.english import ACRONYM_NAMES, MONTHS
from rag.text.lexical import bm25, tokenize
from rag.text.lexicon import BilingualLexicon

# Names what a gloss holds; part of the index's text pipeline stamp, so a change re-indexes.
GLOSS_VERSION = "gloss-4"
# The acronym an English question writes for a name the dictionary spells out (美国: united states → us).
ACRONYM_OF = {name.lower(): acronym.lower() for acronym, name in sorted(ACRONYM_NAMES.items(), key=lambda kv: -len(kv[0]))}
CHINESE_MONTH = re.compile(r"(?<![0-9])(1[0-2]|0?[1-9])月")  # "2024年4月" is "April 2024"


def passage_gloss(
    text: str, tokens: Sequence[str], language: str, lexicon: BilingualLexicon | None, settings: Settings
) -> str:
    """The gloss of a passage with index ``tokens``: its tokens sorted and space-separated, with repeats
    (a term that several of its words translate to counts once per word). "" without a lexicon or for
    another language."""
    if lexicon is None or language not in ("zh", "en"):
        return ""
    bag: Counter[str] = Counter()
    if language == "zh":
        senses = settings.passage_gloss_english_words
        for token in dict.fromkeys(tokens):
            if HAN_RUN.match(token):
                words = lexicon.zh_to_en([token])[token]
                acronym = ACRONYM_OF.get(" ".join(words[:2])) or ACRONYM_OF.get(" ".join(words[:1]))
                bag.update(set(english_tokens(tuple(words[:senses]) + ((acronym,) if acronym else ()))))
            else:
                bag[token] += 1
        for month in CHINESE_MONTH.findall(text):
            bag.update(english_tokens((MONTHS[int(month) - 1],)))
    else:
        for group in lexicon.translation_groups(text, "zh", max_terms_per_word=settings.passage_gloss_chinese_terms):
            bag.update({token for term in group for token in tokenize(term)})
        bag.update(token for token in dict.fromkeys(tokens) if not token.isalpha())
    return " ".join(sorted(bag.elements()))


@lru_cache(maxsize=1 << 16)
def english_tokens(words: tuple[str, ...]) -> tuple[str, ...]:
    """Index tokens of English words (cached: the same dictionary entries recur in every passage)."""
    return tuple(tokenize(" ".join(words)))


@dataclass
class GlossStatistics:
    """Per passage language: how many passages, their mean gloss length, and each gloss token's
    document frequency — the IDF side of ``score``."""

    passages: dict[str, int] = field(default_factory=dict)
    mean_length: dict[str, float] = field(default_factory=dict)
    frequency: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def from_glosses(cls, glosses: Iterable[tuple[str, str]]) -> GlossStatistics:
        stats = cls()
        lengths: Counter[str] = Counter()
        for language, gloss in glosses:
            tokens = gloss.split()
            if not tokens:
                continue
            stats.passages[language] = stats.passages.get(language, 0) + 1
            lengths[language] += len(tokens)
            stats.frequency.setdefault(language, Counter()).update(set(tokens))
        stats.mean_length = {lang: lengths[lang] / n for lang, n in stats.passages.items()}
        return stats

    def score(self, question_tokens: Iterable[str], language: str, gloss: str) -> float:
        """BM25 of the question's distinct tokens over one ``language`` passage's gloss."""
        n = self.passages.get(language, 0)
        counts = Counter(gloss.split())
        if not n or not counts:
            return 0.0
        return bm25(set(question_tokens), counts, sum(counts.values()), self.mean_length[language],
                    self.frequency[language], n)
