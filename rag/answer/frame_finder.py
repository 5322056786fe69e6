"""Where a claim's statement starts and ends, learned: the frame that names a source cut off by a fitted model,
read with the evidence.

A journalist names the source ("The Concordia AI study reports that …", "据安远AI报告，…", "…, the memo says.");
what the source must support is the statement inside the frame. Each token boundary near the claim's start is a
candidate end of a prefix frame, each near its end a candidate start of a suffix frame. A logistic model (weights
in ``rag/data/frame_finder.json``, trained by ``python -m bench.frame_finder train`` on frames generated around the
claim benchmark's tune half) scores a candidate from the words on the frame's side, the words at the cut and its
shape. ``evidence_span`` cuts a side's best candidate when its probability reaches the evidence bar *and* the frame's
words are not in the claim's best evidence sentence (those the rest of the claim also holds aside: "the Concordia **AI**
report" over a claim about AI): a document's own reporting clause ("The plan states that …") is in its source
sentence, a reader's frame ("Anquan Neican's piece on the NSM notes that …") is not; a candidate frame that carries a
negation is never cut ("The report does not say that …" is not a frame). Both bars are chosen out of fold
(``bench.frame_finder``); the finder alone would need a bar so high that it cut about half of the unseen frames
(``thresholds``, kept as cross-validation found them).

Usage::

    finder = FrameFinder.load()
    claim = "The memo from the Concordia team notes that the UK AI Safety Institute received 100 million pounds."
    start, end = finder.evidence_span(claim, "en", "英国人工智能安全研究所获得初始资金1亿英镑。", lexicon.translation_groups)
    # → the span of "the UK AI Safety Institute received 100 million pounds."
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jieba import posseg

from rag.answer.claim_frame import carries_negation
from rag.retrieval.query import other_language
from rag.text.cjk import HAN_IDEOGRAPHS
from rag.text.english import stem
from rag.text.language import detect_language
from rag.text.lexical import initialize_jieba, tokenize
from rag.text.terms import coverage, same_language_groups, translated_groups

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "frame_finder.json"
MAX_FRAME_TOKENS = 24  # the longest frame a candidate may be: longer frames are statements of their own
MIN_STATEMENT_TOKENS = 3  # what is left after a cut
_EN_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[^\sA-Za-z0-9]")
_PUNCT = re.compile(rf"^[^\w{HAN_IDEOGRAPHS}]+$")  # punctuation only (Han characters are \w already)

Token = tuple[str, int, int, str]
GroupTranslator = Callable[[str, str], list[frozenset[str]]]  # (text, target language) → dictionary groups


def tokens(text: str, language: str) -> list[Token]:
    """The claim's tokens with their character offsets and, in Chinese, their part of speech (jieba's tagger):
    words and single punctuation marks."""
    if language == "zh":
        initialize_jieba()
        out, at = [], 0
        for pair in posseg.cut(text):
            word, tag = pair.word, pair.flag
            if word.strip():
                out.append((word, at, at + len(word), tag))
            at += len(word)
        return out
    return [(m.group(), m.start(), m.end(), "") for m in _EN_TOKEN.finditer(text)]


def _form(word: str) -> str:
    return word.lower()


def _shape(word: str) -> str:
    if _PUNCT.match(word):
        return "P"
    if word[:1].isdigit():
        return "D"
    if word[:1].isupper():
        return "C"
    return "L" if word.isascii() else "H"


def prefix_features(words: list[str], cut: int, tags: list[str] | None = None) -> list[str]:
    """Features of a prefix frame ``words[:cut]`` (the statement starts at ``words[cut]``; ``tags``: Chinese parts
    of speech)."""
    frame, rest = words[:cut], words[cut:]
    last, first = _form(frame[-1]), _form(rest[0])
    before = _form(frame[-2]) if cut > 1 else "^"
    out = ["p:bias", f"p:last={last}", f"p:last2={before}|{last}", f"p:first={first}", f"p:len={min(cut, 12)}",
           f"p:shape={_shape(frame[-1])}{_shape(rest[0])}", f"p:head={_form(frame[0])}",
           f"p:left={min(len(rest), 12) // 3}"]
    if _PUNCT.match(frame[-1]) and cut > 1:
        out += [f"p:verb={before}", f"p:verbp={before}|{last}"]
    out += [f"p:w={_form(w)}" for w in set(frame)]
    out += [f"p:c={ch}" for ch in set(frame[-1][-1:] + (frame[-2][-1:] if cut > 1 else ""))]
    return out + _verb_features("p", frame) + _tag_features("p", tags[:cut] if tags else [], tags[cut:] if tags else [])


def suffix_features(words: list[str], cut: int, tags: list[str] | None = None) -> list[str]:
    """Features of a suffix frame ``words[cut:]`` (the statement ends with ``words[cut - 1]``)."""
    frame, rest = words[cut:], words[:cut]
    first, last = _form(frame[0]), _form(rest[-1])
    second = _form(frame[1]) if len(frame) > 1 else "$"
    out = ["s:bias", f"s:first={first}", f"s:first2={first}|{second}", f"s:last={last}",
           f"s:len={min(len(frame), 12)}", f"s:shape={_shape(rest[-1])}{_shape(frame[0])}",
           f"s:end={_form(frame[-1])}", f"s:end2={_form(frame[-2]) if len(frame) > 1 else '^'}|{_form(frame[-1])}"]
    out += [f"s:w={_form(w)}" for w in set(frame)]
    return out + _verb_features("s", frame) + _tag_features("s", tags[cut:] if tags else [], tags[:cut] if tags else [])


def _tag_features(side: str, frame: list[str], rest: list[str]) -> list[str]:
    """The frame's shape in parts of speech (Chinese): its last word's, how many verbs come before it, the tags next
    to the cut — a reporting verb jieba tags ``v`` generalizes where the word itself was never seen."""
    frame, rest = [t for t in frame if t != "x"], [t for t in rest if t != "x"]
    if not frame:
        return []
    near = rest[0] if side == "p" and rest else (rest[-1] if rest else "^")
    verbs = sum(t.startswith("v") for t in frame[:-1])
    return [f"{side}:tv={frame[-1]}", f"{side}:tseq={'|'.join(frame[-3:])}", f"{side}:tverbs={min(verbs, 2)}",
            f"{side}:tnear={near}", f"{side}:tv2={frame[-1]}|{min(verbs, 2)}", *(f"{side}:t={t}" for t in set(frame))]


def _verb_features(side: str, frame: list[str]) -> list[str]:
    """The frame's last word (its verb, when it has one: "… says", "…写道，"): its stem and, in Chinese, its
    characters — so that "stated" learns from "states" and 声称 from 称."""
    words = [w for w in frame if not _PUNCT.match(w)]
    if not words:
        return []
    verb = words[-1]
    if verb.isascii():
        return [f"{side}:vs={stem(verb.lower())}"]
    return [f"{side}:vc={ch}" for ch in set(verb)]


def prefix_cuts(words: list[str]) -> range:
    return range(1, max(1, min(MAX_FRAME_TOKENS + 1, len(words) - MIN_STATEMENT_TOKENS + 1)))


def suffix_cuts(words: list[str], start: int = 0) -> range:
    low = max(start + MIN_STATEMENT_TOKENS, len(words) - MAX_FRAME_TOKENS)
    return range(low, len(words))


@dataclass(frozen=True)
class FrameFinder:
    """A fitted frame finder (``rag/data/frame_finder.json``): feature weights, the finder-alone thresholds and the
    evidence gate."""

    weights: dict[str, float]
    thresholds: dict[str, dict[str, float]]  # the finder alone: language → side → the least probability (a reference)
    # read with the evidence: language → the least probability, and the most coverage of the frame's words by the
    # claim's best sentence (both chosen out of fold by ``bench.frame_finder train``)
    evidence_min_probability: dict[str, float] = field(default_factory=dict)
    evidence_max_coverage: float = 0.0

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> FrameFinder:
        return _load(str(path))

    def probability(self, features: list[str]) -> float:
        z = sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def best_prefix(self, words: list[str], tags: list[str] | None = None) -> tuple[int, float]:
        """The best prefix cut (a token index) and its probability; (0, 0.0) when there is no candidate."""
        scored = [(self.probability(prefix_features(words, c, tags)), c) for c in prefix_cuts(words)]
        p, cut = max(scored, default=(0.0, 0))
        return cut, p

    def best_suffix(self, words: list[str], start: int = 0, tags: list[str] | None = None) -> tuple[int, float]:
        scored = [(self.probability(suffix_features(words, c, tags)), c) for c in suffix_cuts(words, start)]
        p, cut = max(scored, default=(0.0, len(words)))
        return cut, p

    def evidence_span(self, claim: str, language: str, sentence: str,
                      translate: GroupTranslator | None = None) -> tuple[int, int]:
        """The character span of ``claim``'s statement read with its best evidence ``sentence``: each side's best cut
        is taken when its probability reaches ``evidence_min_probability``, the frame's words cover at most
        ``evidence_max_coverage`` of ``sentence`` (``frame_coverage``) and it carries no negation (``statement_tokens``
        decides between the sides); ``(0, len(claim))`` when none is."""
        language = "zh" if language == "zh" else "en"
        bar = self.evidence_min_probability.get(language)
        if bar is None or not sentence:
            return 0, len(claim)
        toks = tokens(claim, language)
        words, tags = [t[0] for t in toks], [t[3] for t in toks]
        first, p = self.best_prefix(words, tags)
        last, q = self.best_suffix(words, 0, tags)
        allowed = (bool(first) and p >= bar and self._outside(claim, (0, toks[first][1]), language, sentence, translate),
                   last < len(words) and q >= bar
                   and self._outside(claim, (toks[last - 1][2], len(claim)), language, sentence, translate))
        cut, stop = statement_tokens(len(words), (first, p), (last, q), (bar, bar), allowed)
        return (toks[cut][1] if cut else 0), (toks[stop - 1][2] if stop < len(words) else len(claim))

    def _outside(self, claim: str, frame: tuple[int, int], language: str, sentence: str,
                 translate: GroupTranslator | None) -> bool:
        """Whether the candidate frame ``claim[frame[0]:frame[1]]`` may be cut: its words are not the evidence's own
        (at most ``evidence_max_coverage`` of ``sentence``, the rest of the claim's words aside), and it carries no
        negation (``carries_negation``)."""
        text, rest = claim[frame[0]:frame[1]], claim[:frame[0]] + claim[frame[1]:]
        return frame_coverage(text, language, sentence, translate, rest) <= self.evidence_max_coverage \
            and not carries_negation(text)


def statement_tokens(n: int, prefix: tuple[int, float], suffix: tuple[int, float], bars: tuple[float, float],
                     allowed: tuple[bool, bool] = (True, True)) -> tuple[int, int]:
    """The statement's token span among ``n`` tokens from each side's best cut and its probability: a side is cut when
    it has a candidate (prefix cut > 0, suffix cut < n), reaches its bar and is ``allowed``; when both are cut and leave
    fewer than ``MIN_STATEMENT_TOKENS``, only the likelier side is. The product (``evidence_span``) and the training's
    choices (``bench.frame_finder``) decide by this one rule."""
    first = prefix[0] if prefix[0] and prefix[1] >= bars[0] and allowed[0] else 0
    last = suffix[0] if suffix[0] < n and suffix[1] >= bars[1] and allowed[1] else n
    if last - first < MIN_STATEMENT_TOKENS:
        first, last = (first, n) if prefix[1] >= suffix[1] else (0, last)
    return first, last


def frame_coverage(frame: str, language: str, sentence: str, translate: GroupTranslator | None = None,
                   statement: str = "") -> float:
    """How much of a frame's words ``sentence`` holds (``rag.text.terms.coverage``): the words themselves in the
    frame's language, their dictionary groups (``translate``) and names in the other; 0 for a frame without words.
    A word ``statement`` (the rest of the claim) also holds is not counted: it cannot tell a document's own reporting
    clause from the claim's subject ("the Concordia **AI** report" over a claim about AI)."""
    own = set(tokenize(statement))
    kept = [t[0] for t in tokens(frame, language) if not set(tokenize(t[0])) <= own]
    text = (" " if language == "en" else "").join(kept)
    words = tokenize(text)
    if not words:
        return 0.0
    if detect_language(sentence) == language:
        groups = same_language_groups(words)
    else:
        groups = translated_groups(translate(text, other_language(language)) if translate else [], words, None)
    return coverage(groups, set(tokenize(sentence))) if groups else 0.0


@lru_cache(maxsize=4)
def _load(path: str) -> FrameFinder:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    evidence = data.get("evidence", {})
    return FrameFinder(data["weights"], data["thresholds"], evidence.get("min_probability", {}),
                       evidence.get("max_coverage", 0.0))
