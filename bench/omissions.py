"""Claims that leave words of their source out and are still true: the reader's within-clause positives.

The claims people check are shorter than the sentence that settles them: "违规公司可能被处以其全球年营业额的7%的罚款"
against "…7%或4000万欧元的罚款" (an alternative left out), "The EU set up an AI Office in 2024" against a
sentence that also says what the office does. The claim generator's true claims are whole sentences or
clauses and its contradictions are in-place edits, so a reader trained on them learns "words of the source
missing" = "edited" (docs/journal.md, session 10). Each function here leaves out one kind of detail that
carries no figure, date, name, negation, quantifier or hedge:

* ``drop_parenthesis``: a bracketed aside — "（UK AISI）", "(the Office)";
* ``drop_alternative``: "A或B" → "A", "A or B" → "A" (B short and holding no negation);
* ``drop_list_item``: one inner item of a list — "A、B和C" → "A和C", "A, B, and C" → "A and C"... as "A, and C";
* ``drop_modifier``: one adjective or adverb (jieba's parts of speech for Chinese; a short list and -ly
  adverbs for English), never inside a name.

Usage::

    from bench.omissions import omissions
    for result in omissions("违规公司可能被处以其全球年营业额的7%或4000万欧元的罚款。", "zh", rng):
        print(result.text, result.edit)
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from bench import claimset as cs

_ZH_PROTECTED = frozenset(
    "不 未 没 没有 无 非 否 别 勿 莫 不再 从未 尚未 并非 所有 全部 全体 大多数 多数 少数 仅 只 仅仅 只有 都 均 皆 最 首 "
    "第 首次 唯一 可能 或将 或许 也许 有望 未必 必须 应 应当 将 已 已经 尚 曾 曾经 正在 还 再 又 也 就 才 共同 分别 "
    "主要 直接 间接 全面 完全 部分".split())
_ZH_MODIFIER_FLAGS = frozenset(["a", "ad", "d", "z"])
_EN_MODIFIERS = frozenset(
    "new major key significant additional further various specific important leading advanced comprehensive "
    "global annual initial formal broad strong clear existing current recent overall dedicated".split())
_EN_NOT_ADVERB = frozenset(
    "only solely exclusively hardly barely rarely scarcely likely unlikely early family supply apply reply italy "
    "july fly ally rely assembly holy daily weekly monthly yearly quarterly mostly partly largely fully "
    "entirely wholly".split())
_NEGATION = re.compile(r"[不未没无非否]|\b(?:not|no|never|none|nor|without)\b", re.IGNORECASE)


def _protected_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Names (the benchmark's gazetteer) and figures: a left-out word must not touch them."""
    spans = [(m.start, m.end) for m in cs.find_mentions(text, lang)]
    spans += [(m.start(), m.end()) for m in re.finditer(r"\d[\d,.]*", text)]
    return spans


def _free(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return all(b <= s or a >= e for s, e in spans)


def _cut(text: str, a: int, b: int, lang: str, what: str) -> cs.Transformed | None:
    new = re.sub(r"\s{2,}", " ", text[:a] + text[b:]).replace(" ,", ",").replace(" .", ".")
    if new == text or not cs.claim_length_ok(new, lang):
        return None
    return cs.Transformed(new, f"left out “{text[a:b].strip()}” ({what})")


def drop_parenthesis(text: str, lang: str, rng: random.Random) -> cs.Transformed | None:
    found = [m for m in re.finditer(r"\s?[（(][^（）()]{1,40}[）)]", text) if not _NEGATION.search(m.group())]
    if not found:
        return None
    m = rng.choice(found)
    return _cut(text, m.start(), m.end(), lang, "aside")


def drop_alternative(text: str, lang: str, rng: random.Random) -> cs.Transformed | None:
    pattern = r"或(?:者)?[^，。；：、或和]{1,14}?(?=的|[，。；]|$)" if lang == "zh" else r"\s+or\s+[^,.;:]{1,30}?(?=[,.;]|$)"
    found = [m for m in re.finditer(pattern, text) if not _NEGATION.search(m.group())
             and not re.search(r"不|是否|whether|either", text[:m.start()][-12:], re.IGNORECASE)]
    if not found:
        return None
    m = rng.choice(found)
    return _cut(text, m.start(), m.end(), lang, "an alternative")


def drop_list_item(text: str, lang: str, rng: random.Random) -> cs.Transformed | None:
    if lang == "zh":
        found = list(re.finditer(r"、[^、，。；：和及与]{1,15}?(?=、|和|及|与|以及)", text))
    else:
        if not re.search(r", (?:and|or) ", text):
            return None
        found = [m for m in re.finditer(r",\s+([^,;.]{1,40}?)(?=,\s)", text)
                 if len(m.group(1).split()) <= 5 and not re.match(r"(?:and|or)\b", m.group(1))]  # not the last item
    found = [m for m in found if not _NEGATION.search(m.group())]
    if not found:
        return None
    m = rng.choice(found)
    return _cut(text, m.start(), m.end(), lang, "a list item")


def drop_modifier(text: str, lang: str, rng: random.Random) -> cs.Transformed | None:
    spans = _protected_spans(text, lang)
    candidates: list[tuple[int, int]] = []
    if lang == "zh":
        tokens = cs._zh_tokens(text)
        for i, (word, flag, start) in enumerate(tokens):
            if flag not in _ZH_MODIFIER_FLAGS or word in _ZH_PROTECTED or _NEGATION.search(word):
                continue
            end = start + len(word)
            if i + 1 < len(tokens) and tokens[i + 1][0] in ("的", "地"):
                end += 1  # the modifier with its particle: 新的办公室 → 办公室
            candidates.append((start, end))
    else:
        for m in re.finditer(r"(?<=\s)([a-z]+)\s", text):
            word = m.group(1)
            if word in _EN_MODIFIERS or (word.endswith("ly") and len(word) > 4 and word not in _EN_NOT_ADVERB):
                candidates.append((m.start(), m.end()))
    candidates = [(a, b) for a, b in candidates if _free(a, b, spans)]
    if not candidates:
        return None
    a, b = rng.choice(candidates)
    return _cut(text, a, b, lang, "a modifier")


OMISSIONS: dict[str, Callable[[str, str, random.Random], cs.Transformed | None]] = {
    "omit_aside": drop_parenthesis, "omit_alternative": drop_alternative,
    "omit_list_item": drop_list_item, "omit_modifier": drop_modifier,
}


def omissions(text: str, lang: str, rng: random.Random) -> dict[str, cs.Transformed]:
    """Every kind of omission that applies to ``text``, one draw each."""
    out = {}
    for name, function in OMISSIONS.items():
        result = function(text, lang, rng)
        if result is not None:
            out[name] = result
    return out
