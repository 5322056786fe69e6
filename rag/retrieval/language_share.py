"""A share of the head of a result list kept for passages in the other language.

In an index that mixes Chinese and English documents, an English claim about a Chinese sentence meets
English text on the same subject first: its Chinese source may rank sixth and never be read. Keeping
``reserve`` places of the first ``window`` for the best passages in the other language (the order among
each language's passages unchanged) lets the evidence scoring read both. An index in one language, or a
list without other-language passages, is returned as it is.

Usage::

    hits = reserve_other_language(hits, query.language, window=5, reserve=2)
"""

from __future__ import annotations

from rag.types import SearchHit


def reserve_other_language(hits: list[SearchHit], language: str, window: int, reserve: int) -> list[SearchHit]:
    """``hits`` reordered so that their first ``window`` hold at least ``reserve`` hits not in ``language``
    (the best ranked of them), when the list has them; the hits they displace follow, in their order."""
    if reserve <= 0 or window <= 0:
        return hits
    others = [i for i, hit in enumerate(hits) if hit.language != language][:min(reserve, window)]
    if all(i < window for i in others):
        return hits
    chosen = set(others)
    for i in range(len(hits)):  # the other places: the best hits, whatever their language
        if len(chosen) >= window:
            break
        chosen.add(i)
    order = sorted(chosen) + [i for i in range(len(hits)) if i not in chosen]
    return [hits[i] for i in order]
