"""Query analysis, done once per question: ``QueryAnalyzer.run(text) -> Query``.

Everything the later stages read about a question or a claim is found here and carried in a
``rag.types.Query``: the cleaned text and its language, its index tokens, the documents it names and
the rest of it (its focus), the LLM translation, the dictionary's translated terms and term groups, the
asked-for kind of answer, and its embeddings. Retrieval, rerank, evidence, the answer and the claim
check read the ``Query``; none of them tokenizes or detects the language again.

Usage::

    analyzer = QueryAnalyzer(settings, embed_queries=index.embedder.embed_queries,
                             expand_terms=lexicon_expander, evidence_groups=lexicon.translation_groups)
    query = analyzer.run("英国人工智能安全研究所获得了多少初始资金？")
    query.language, query.tokens, query.cross_terms
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from rag.retrieval.mentions import (
    TermExpander,
    mention_phrases,
    mention_terms,
    strip_mentions,
)
from rag.settings import Settings
from rag.text.asked import asked_answer_kind, asks_date, figure_sought
from rag.text.language import detect_language
from rag.text.lexical import tokenize
from rag.text.normalize import fold_text
from rag.text.terms import same_language_groups, translated_groups
from rag.types import Query, TermGroup

Translator = Callable[[str, str], str | None]  # (text, target language) -> translation
GroupTranslator = Callable[[str, str], list[frozenset[str]]]  # (text, target) -> per source word, its translations
Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> their e5 query embeddings, one row each
LANGUAGES = ("zh", "en")
# Markup pasted into a question (tags, a script's body) is not what it asks: its words are left out of
# the answerability decision (``without_markup``).
MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^<>]{0,200}>", re.IGNORECASE | re.DOTALL)


def clean_question(question: str | None, max_chars: int) -> str:
    """Cut to ``max_chars`` first (a 10 MB question costs what a short one does), then fold, drop
    control characters, collapse white space and cap the length again (folding may lengthen it)."""
    folded = fold_text(("" if question is None else str(question))[:max_chars])
    printable = "".join(ch if ch.isprintable() else " " for ch in folded)
    return " ".join(printable.split())[:max_chars]


def other_language(language: str) -> str:
    return "en" if language == "zh" else "zh"


def text_fields(text: str) -> dict[str, Any]:
    """The fields of a ``Query`` read from its text alone: tokens and the asked-for kind of answer."""
    return {"tokens": tuple(tokenize(text)), "answer_kind": asked_answer_kind(text), "asks_date": asks_date(text),
            "sought": figure_sought(text)}


def without_markup(query: Query) -> Query:
    """The query without markup in its text (tags, a script's body: not what it asks), and its term groups
    without the words only the markup held."""
    question = query.text
    if not MARKUP.search(question):
        return query
    bare = MARKUP.sub(" ", question)
    junk = {t for match in MARKUP.finditer(question) for t in tokenize(match.group(0))} - set(tokenize(bare))

    def keep(group: TermGroup) -> bool:
        return not all(alt <= junk for alt in group[0])

    return replace(query, text=bare, **text_fields(bare), terms=[g for g in query.terms if keep(g)],
                   cross_terms=[g for g in query.cross_terms if g[1] > 0 or keep(g)])


def plain_query(text: str, language: str, **fields: Any) -> Query:
    """A ``Query`` of ``text`` without the dictionary, the LLM or the index (tests, benches replaying
    stored term groups): its tokens, asked kind and same-language term groups; ``fields`` override."""
    derived = text_fields(text)
    derived["terms"] = same_language_groups(list(derived["tokens"]))
    return Query(text, language, **{**derived, **fields})


class QueryAnalyzer:
    """Builds the ``Query`` of a text. Every dependency is optional: without ``expand_terms`` /
    ``search_translations`` / ``evidence_groups`` (the bilingual dictionary) there are no translated
    terms or groups; without ``translate`` (an LLM) no translation; without ``embed_queries`` no
    vectors; without ``documents`` (``IndexStatistics.document_terms``) no named documents.

    ``search_translations`` may prefer the dictionary senses found in the index (retrieval's choice);
    ``evidence_groups`` gives the dictionary's own first senses (the evidence and claim thresholds were
    set on those)."""

    def __init__(
        self,
        settings: Settings,
        embed_queries: Embed | None = None,
        expand_terms: TermExpander | None = None,
        translate: Translator | None = None,
        search_translations: GroupTranslator | None = None,
        evidence_groups: GroupTranslator | None = None,
        documents: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self.embed_queries = embed_queries
        self.expand_terms = expand_terms
        self.translate = translate
        self.search_translations = search_translations
        self.evidence_groups = evidence_groups
        self.documents = documents

    def language(self, text: str) -> str:
        language = detect_language(text)
        return language if language in LANGUAGES else "en"

    def named_documents(self, text: str, language: str) -> tuple[frozenset[str], str, tuple[str, ...]]:
        """The documents (hashes) ``text`` names, ``text`` without those mentions, and the mention phrases."""
        phrases = mention_phrases(text, language) if self.settings.document_mentions else []
        if not phrases or self.documents is None:
            return frozenset(), text, ()
        documents = self.documents()
        resolved = {}
        for phrase in phrases:
            terms = mention_terms(phrase, language, self.expand_terms)
            doc_hash = documents.resolve(terms, self.settings.mention_min_score, self.settings.mention_min_lead)
            if doc_hash is not None:
                resolved[phrase] = doc_hash
        focus = strip_mentions(text, resolved)
        return frozenset(resolved.values()), focus if tokenize(focus) else text, tuple(resolved)

    def translated_terms(self, text: str, target: str, translation: str | None) -> dict[str, float]:
        """Index terms of the other language: dictionary expansion, plus the LLM translation's words."""
        terms: dict[str, float] = {}
        if self.expand_terms is not None:
            for term, weight in self.expand_terms(text, target):
                terms[term] = max(terms.get(term, 0.0), weight)
        if translation:
            for term in tokenize(translation):
                terms[term] = 1.0
        return terms

    def gloss(self, translated_terms: dict[str, float], translation: str | None) -> str | None:
        """Without an LLM translation, the dictionary's translated terms, embedded as a query in the
        other language, stand in for one: e5 matches a bag of Chinese terms to Chinese passages better
        than it matches an English sentence to them."""
        s = self.settings
        if translation or not translated_terms or s.weight_dense_gloss <= 0:
            return None
        kept = [t for t, w in sorted(translated_terms.items(), key=lambda kv: -kv[1]) if w >= s.gloss_min_weight]
        return " ".join(kept[: s.gloss_max_terms])

    def run(self, text: str | None) -> Query:
        """The ``Query`` of ``text`` (cleaned here; an empty text gives an empty query)."""
        s = self.settings
        cleaned = clean_question(text, s.max_question_chars)
        language = self.language(cleaned)
        if not cleaned:
            return Query(cleaned, language)
        other = other_language(language)
        derived = text_fields(cleaned)
        tokens = derived["tokens"]
        named, focus, mentions = self.named_documents(cleaned, language)
        translation = self.translate(focus, other) if self.translate is not None and s.translate_queries else None
        translated = self.translated_terms(focus, other, translation)
        gloss = self.gloss(translated, translation)
        groups = self.search_translations(focus, other) if self.search_translations is not None else []
        evidence = self.evidence_groups(cleaned, other) if self.evidence_groups is not None else []
        focus_tokens = tuple(tokenize(focus))
        query = Query(
            cleaned, language, focus=focus, focus_tokens=focus_tokens, named=named, mentions=mentions,
            translation=translation, translated_terms=translated, gloss=gloss,
            search_groups=translated_groups(groups, list(focus_tokens), translation),
            terms=same_language_groups(list(tokens)),
            cross_terms=translated_groups(evidence, list(tokens), translation),
            **derived,
        )
        if self.embed_queries is not None:
            texts = [cleaned] + [t for t in (translation, gloss) if t]
            vectors = self.embed_queries(texts)
            query.vector = vectors[0]
            query.translation_vector = vectors[1] if translation else None
            query.gloss_vector = vectors[-1] if gloss else None
        return query
