"""A slot difference in words a reader can check: "The claim says 500 million pounds; the source says 1亿英镑
(100 million pounds)." — each side as written, with its value rendered in the reader's language when the text is
in the other (``rag.answer.slots`` finds and compares the slots).

Usage::

    from rag.answer.slot_text import describe, show

    describe(compare_slots(claim, sentence).differences[0], "en")
    show(slot, zh=False)      # "1亿英镑 (100 million pounds)"
"""

from __future__ import annotations

import re

from rag.answer.figures import MONTH_NAMES, UNIT_SPEC
from rag.answer.gazetteer import gazetteer
from rag.answer.slot_types import Difference, Slot
from rag.answer.slot_words import EN_ORDINALS
from rag.text.cjk import has_han

_SINGULAR = {"countries": "country", "companies": "company", "people": "person"}
_NAMES = {"support": "supports|opposes|支持|反对", "member": "included|not included|包括|缺少",
          "bear": "bears it|does not bear it|承担|不承担", "mandatory": "mandatory|voluntary|强制|自愿",
          "increase": "increase|decrease|增加|减少", "establish": "established|abolished|设立|撤销",
          "level": "federal|state-level|联邦|各州", "all": "all|全部", "some": "some|部分",
          "majority": "a majority|多数", "minority": "a minority|少数", "only": "only|仅", "not": "not|不",
          "many": "many|许多", "few": "few|少量", "least": "at least|至少", "most": "at most|至多",
          "size": "larger|smaller|较大|较小", "height": "higher|lower|较高|较低",
          "encourage": "encourages|discourages|鼓励|劝阻", "advantage": "an advantage|a disadvantage|优势|劣势",
          "win": "wins|loses|赢得|输掉", "improve": "improves|weakens|加强|削弱", "promote": "promotes|impedes|促进|阻碍",
          "permit": "permits|prohibits|允许|禁止", "protect": "protects|endangers|保护|危及",
          "succeed": "a success|a failure|成功|失败", "lead": "leads|trails|领先|落后", "active": "active|passive|积极|消极",
          "attend": "emphasises|ignores|重视|忽视", "degree": "more|less|更多|更少"}  # every stance axis and quantifier value of rag.answer.slots (a test checks)


def _render(slot: Slot, zh: bool) -> str:
    """The slot's normalised value in words of one language."""
    v = slot.value
    if slot.kind == "quantity":
        amount, (en_name, zh_name, _) = float(v), UNIT_SPEC[slot.unit]  # type: ignore[arg-type]
        scales = (("亿", 1e8), ("万", 1e4)) if zh else ((" trillion", 1e12), (" billion", 1e9), (" million", 1e6))
        word, n = next(((w, n) for w, n in scales if amount >= n), ("", 1.0))
        name = _SINGULAR.get(en_name, en_name.rstrip("s")) if amount == 1 and en_name != "%" else en_name
        name = zh_name if zh else name if name in ("%", "") else f" {name}"
        return f"{amount / n:g}{word}{name}"
    if slot.kind == "date":
        year, month, day = v if isinstance(v, tuple) else (None, None, None)
        if zh:
            return "".join(f"{n}{u}" for n, u in ((year, "年"), (month, "月"), (day, "日")) if n is not None)
        return " ".join(str(p) for p in (day, MONTH_NAMES[month - 1].title() if month else None, year) if p)
    if slot.kind == "entity":
        return gazetteer()[2].get(str(v), ("", str(v), str(v)))[2 if zh else 1]
    if slot.kind == "ordinal":
        n = int(v)  # type: ignore[arg-type]
        small = 0 < n <= 10
        return ("第" + ("一二三四五六七八九十"[n - 1] if small else str(n))) if zh else EN_ORDINALS[n - 1] if small else f"{n}th"
    names = _NAMES[slot.unit if slot.kind == "stance" else str(v)].split("|")
    return names[(len(names) // 2 if zh else 0) + (slot.kind == "stance" and v != 1)]


def show(slot: Slot, zh: bool) -> str:
    """The slot as written, with its value rendered in the reader's language when the text is in the other."""
    surface, rendered = re.sub(r"\s+", " ", slot.surface.strip()), _render(slot, zh)
    return surface if has_han(surface) == zh else f"{surface}（{rendered}）" if zh else f"{surface} ({rendered})"


def describe(difference: Difference, language: str = "en") -> str:
    """One readable line: "The claim says 500 million pounds; the source says 1亿英镑 (100 million pounds)."
    or "说法称5亿英镑；来源为1亿英镑。"; a negation: "The source negates it ('不承担'); the claim does not." ``language``
    "zh…" for Chinese, anything else for English."""
    zh = language.lower().startswith("zh")
    if difference.kind == "negation":  # one side negates, the other states it plainly (its slot is empty)
        said = re.sub(r"\s+", " ", (difference.claim.surface or difference.evidence.surface).strip())
        said = f"“{said}”" if zh else f"'{said}'"
        if difference.claim.surface:
            return f"说法是否定的（{said}）；来源未作否定。" if zh else f"The claim negates it ({said}); the source does not."
        return f"来源是否定的（{said}）；说法未作否定。" if zh else f"The source negates it ({said}); the claim does not."
    claim, source = show(difference.claim, zh), show(difference.evidence, zh)
    if difference.listed:  # "Italy is a member" against a list of members without Italy
        names = ("、" if zh else ", ").join(dict.fromkeys(show(s, zh) for s in difference.listed))
        return (f"说法称{claim}是成员；来源列出的成员为{names}，其中没有{claim}。" if zh else
                f"The claim names {claim} as a member; the source lists {names}, without {claim}.")
    return f"说法称{claim}；来源为{source}。" if zh else f"The claim says {claim}; the source says {source}."
