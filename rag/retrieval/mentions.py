"""Documents a question names: "according to the Concordia AI report", "the Tsinghua CISS brief",
"安远AI报告", "《全球加快推进人工智能安全治理》一文".

Journalists and policy staff name their source. The naming words pick a document; they say nothing
about which of its passages answers, and across languages they match only noise (the cover page that
prints the publisher's English name, an English footnote). So:

* ``mention_phrases`` finds the phrases that cite a source, by pattern: a name that ends in a document
  noun (report, brief, memorandum, …; 报告, 简报, 备忘录, 一文, …) — "the Concordia AI report", not
  "the medical report" — or what 据 / 根据 cite; a bare 《title》 is the question's subject, not its source;
* ``DocumentTerms.resolve`` scores each phrase over whole documents (BM25 of the phrase's words and
  their dictionary translations over each document's index tokens and passage glosses, with
  document-level frequencies) and names the best document only when it clearly leads the runner-up;
* ``strip_mentions`` gives the rest of the question (its "focus"), whose words the retriever matches
  against passages in the other language (BM25, gloss, coverage); it also searches the named
  documents' passages as a list of their own and gives them a rerank bonus (``rag.retrieval.retriever``).

Usage::

    phrases = mention_phrases("Why did the UK institute open an office, according to the Concordia AI report?", "en")
    doc_hash = IndexStatistics(index).document_terms().resolve(mention_terms(phrases[0], "en", expand), min_score=1.0, min_lead=1.25)
    focus = strip_mentions(question, phrases)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rag.text.cjk import HAN_IDEOGRAPHS
from rag.text.lexical import bm25, tokenize
from rag.text.stopwords import ENGLISH_STOP_WORDS

# Nouns that make a phrase the name of a document. The generic ones (any document is a "report") are
# left out when the phrase is matched against documents; the specific ones (a memorandum) are evidence.
GENERIC_NOUNS_EN = ("report", "article", "paper", "response", "statement", "post", "document", "study",
                    "review", "analysis", "comments", "piece")
SPECIFIC_NOUNS_EN = ("brief", "briefing", "memorandum", "memo", "white paper", "letter", "op-ed",
                     "executive order", "submission")
GENERIC_NOUNS_ZH = ("报告", "一文", "文章", "的")
SPECIFIC_NOUNS_ZH = ("简报", "备忘录", "白皮书")

_NOUN_EN = "|".join(sorted((re.escape(n) for n in GENERIC_NOUNS_EN + SPECIFIC_NOUNS_EN), key=len, reverse=True))
# Up to six words before the noun, an optional possessive, and a complement that names what the
# document is about in capitalized words ("Anthropic's response to the AI Action Plan").
_PHRASE_EN = re.compile(
    r"(?P<np>(?:[\w\-–’']+\s+){0,6}?(?:" + _NOUN_EN + r")(?:['’]s)?"
    r"(?:\s+(?:to|on|of|about)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w\-–’']*\s*){1,6})?)(?![\w\-])",
    re.IGNORECASE,
)
# Words that end the clause before a mention: the phrase starts after the last of them.
_LEAD_EN = re.compile(
    r"^(?:.*\b(?:does|do|did|is|are|was|were|has|have|had|how|which|what|why|when|where|who|that|both|and"
    r"|in|of|by|from|according to)\s+|to\s+)", re.IGNORECASE)
# A name, not a description ("the Concordia AI report", not "the medical report"): a capitalized word
# other than the noun itself.
_NAME_EN = re.compile(r"(?<![\w’'])(?-i:[A-Z])[\w\-–’']*")
_NOUNS_ZH = "|".join(GENERIC_NOUNS_ZH[:-1] + SPECIFIC_NOUNS_ZH)
_TITLE_ZH = r"《[^》]{2,60}》"
# A source, not a subject: a title with a document noun ("《…》一文"), a name in Latin letters with one
# ("安远AI报告", "清华大学CISS简报"), or anything the question cites with 据 / 根据 ("根据《…》").
_PHRASE_ZH = re.compile(
    rf"(?:(?<=据)(?:{_TITLE_ZH}(?:{_NOUNS_ZH})?|[^，,。？?]{{2,16}}?(?:{_NOUNS_ZH})))"
    rf"|{_TITLE_ZH}(?:{_NOUNS_ZH})"
    rf"|[\w{HAN_IDEOGRAPHS}]{{0,10}}?[A-Za-z][\w{HAN_IDEOGRAPHS}]{{0,10}}?(?:{_NOUNS_ZH})"
)
_LEAD_ZH = re.compile(r"^.*(?:据|根据|关于|与|和|在|，|。|、|,)")
_QUESTION_WORD_ZH = re.compile(r"哪|什么|何")


def mention_phrases(question: str, language: str) -> list[str]:
    """Phrases of ``question`` that cite a document as its source, in order of appearance, each once."""
    found: list[str] = []
    if language == "en":
        for match in _PHRASE_EN.finditer(question):
            phrase = _LEAD_EN.sub("", match.group("np")).strip()
            names = [w for w in _NAME_EN.findall(phrase) if w.lower() not in ENGLISH_STOP_WORDS
                     and not re.fullmatch(_NOUN_EN, w.rstrip("’'s"), re.IGNORECASE)]
            if names:
                found.append(phrase)
    elif language == "zh":
        for match in _PHRASE_ZH.finditer(question):
            phrase = match.group(0)
            phrase = phrase[phrase.index("《"):] if "《" in phrase else _LEAD_ZH.sub("", phrase)
            if not _QUESTION_WORD_ZH.search(phrase):  # "根据哪两篇文章" asks for the source
                found.append(phrase.strip())
    distinct = [phrase for phrase in dict.fromkeys(found) if phrase]
    # nested phrases ("the X report" inside "according to the X report"): keep the longest
    return [p for p in distinct if not any(p != other and p in other for other in distinct)]


def strip_mentions(question: str, phrases: Iterable[str]) -> str:
    """The question without the mention phrases (and a dangling "according to")."""
    for phrase in sorted(phrases, key=len, reverse=True):
        question = question.replace(phrase, " ")
    question = re.sub(r"\baccording(?: to)?\s*(?=[,.;?!]|$)", " ", question, flags=re.IGNORECASE)
    return " ".join(question.split())


TermExpander = Callable[[str, str], list[tuple[str, float]]]  # (text, target language) -> weighted terms


def mention_terms(phrase: str, language: str, expand: TermExpander | None) -> list[str]:
    """Index tokens a phrase is matched with: its own words and their dictionary translations, the
    generic document nouns left out (of the words and of what is translated)."""
    generic = set(tokenize(" ".join(GENERIC_NOUNS_EN + GENERIC_NOUNS_ZH + ("according to",))))
    if language == "en":
        kept = " ".join(word for word in phrase.split() if not set(tokenize(word)) & generic)
    else:
        kept = phrase
        for noun in GENERIC_NOUNS_ZH:
            kept = kept.replace(noun, " ")
    terms = [t for t in tokenize(kept) if t not in generic]
    if expand is not None and kept.strip():
        terms += [t for t, _ in expand(kept, "zh" if language == "en" else "en") if t not in generic]
    return list(dict.fromkeys(terms))


@dataclass
class DocumentTerms:
    """Per document: how often each index token and each gloss token occurs in its passages — the
    statistics of whole-document BM25."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    lengths: Counter[str] = field(default_factory=Counter)

    def add(self, doc_hash: str, tokens: Iterable[str], gloss: str) -> None:
        counter = self.counts.setdefault(doc_hash, Counter())
        added = list(tokens) + gloss.split()
        counter.update(added)
        self.lengths[doc_hash] += len(added)

    def scores(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25 of the distinct ``terms`` over each document."""
        n = len(self.counts)
        if not n:
            return {}
        mean_length = sum(self.lengths.values()) / n or 1.0
        wanted = set(terms)
        frequency = Counter(t for c in self.counts.values() for t in wanted if c.get(t))
        return {doc: bm25(wanted, counter, self.lengths[doc], mean_length, frequency, n)
                for doc, counter in self.counts.items()}

    def resolve(self, terms: Iterable[str], min_score: float, min_lead: float) -> str | None:
        """The document the terms name: the best-scoring one, when it scores at least ``min_score`` and
        ``min_lead`` times the runner-up; else None."""
        ranked = sorted(self.scores(terms).items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < min_score:
            return None
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return ranked[0][0] if ranked[0][1] >= min_lead * runner_up else None
