"""Sentences cut by a chunk border, completed from the neighbouring passages of the same document.

The chunker (rag.ingest.chunking) packs whole sentences; it cuts one only when the sentence alone exceeds
the chunk's token budget, into pieces that then open or close neighbouring passages. A retrieved passage
whose first or last sentence is such a piece gets the rest of the sentence from the passages before or
after it (one store read for all hits): the completed sentence's raw offsets span the whole sentence in
the source file and its text is the passages' (normalized) text of that span. A piece that cannot be
completed (a neighbour is gone, or the sentence runs on past the two passages read on each side) stays
in the passage text as context but is no longer one of its sentences, so it is never cited.

Where pieces meet inside one passage the text says exactly whether they form one sentence (no sentence end
and no line break between them). At a passage's end the next character is not stored: a last sentence
without a sentence end is a piece when it fills the token budget (``cut_sentence_min_share``; the chunker
cuts there) or stops at a comma after more than half of it (the chunker's soft break).

Usage::

    completed = complete_cut_sentences(hits, store, embedder.count_tokens, settings)   # in place; count
    read = passage_reader(store)          # (doc hash, chunk) → the stored passage, for readers of neighbours
    units = window([stored_passage(read(hit.doc_hash, hit.chunk + 1))])   # its sentences, each once
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from rag.settings import Settings
from rag.store.base import Store, point_id
from rag.text.cjk import is_cjk
from rag.text.sentences import ends_sentence, is_heading
from rag.types import SearchHit

logger = logging.getLogger(__name__)

COMMAS = "，,、"  # the chunker's soft breaks that never end a sentence

Span = tuple[int, int, int, int]  # text start, text end, raw start, raw end
# A stored passage by document hash and position: its payload (text, sentence spans, offsets), or None.
PassageReader = Callable[[str, int], dict[str, Any] | None]
PASSAGE_FIELDS = ("text", "sentences", "start", "end", "page", "section")
# Passages read on each side: a sentence cut into pieces runs over at most this many borders each way (one
# of more than three chunks' budget is dropped, not completed).
COMPLETION_REACH = 2


@dataclass
class Unit:
    """One stored sentence (or piece of one) of a passage, and whether the next one continues it."""

    text: str
    raw_start: int
    raw_end: int
    continues: bool | None  # None: the passage ends here, what follows is not stored
    opens_line: bool | None = None  # a line break before it; None: it opens the passage, what precedes is not stored


def units_of(text: str, spans: Iterable[Span]) -> list[Unit]:
    """The sentences of a passage, each knowing whether the next one continues it: within the passage the
    chunker's splitter cut only at a sentence end or a line break, so pieces are those without either."""
    spans = list(spans)
    units = []
    for i, (a, b, ra, rb) in enumerate(spans):
        piece = text[a:b]
        continues = None if i + 1 == len(spans) else "\n" not in text[b:spans[i + 1][0]] and not ends_sentence(piece)
        breaks = "\n" in (text[spans[i - 1][1]:a] if i else text[:a])
        units.append(Unit(piece, ra, rb, continues, breaks if breaks or i else None))
    return units


def stored_passage(payload: dict[str, Any]) -> tuple[str, list[Span]]:
    """A stored passage's text and sentence spans."""
    return str(payload["text"]), [(s[0], s[1], s[2], s[3]) for s in payload.get("sentences", [])]


def cut_at_border(unit: Unit, count_tokens: Callable[[str], int], settings: Settings) -> bool:
    """Whether a passage's last sentence is a piece the chunker cut off an over-long sentence: it has no
    sentence end, is no heading, and fills the token budget or stops at a comma past half of it."""
    text = unit.text.rstrip()
    if not text or ends_sentence(text) or is_heading(text):
        return False
    budget = settings.chunk_max_tokens
    tokens = count_tokens(text)
    return tokens >= settings.cut_sentence_min_share * budget or (text[-1] in COMMAS and 2 * tokens > budget)


def joiner(left: Unit, right: Unit) -> str:
    """The text between two pieces of one sentence at a passage border: nothing where they touch or meet
    between Chinese characters (normalization joins wrapped CJK lines without a space), else one space."""
    if right.raw_start <= left.raw_end:
        return ""
    a, b = left.text[-1:], right.text[:1]
    return "" if a and b and is_cjk(a) and is_cjk(b) else " "


def window(passages: list[tuple[str, list[Span]]]) -> list[Unit]:
    """The units of consecutive passages in reading order, each sentence once (a passage opens with a
    few sentences of the one before it); a repeated one takes the known ``continues`` of its copy."""
    units: list[Unit] = []
    for text, spans in passages:
        for unit in units_of(text, spans):
            if units and unit.raw_start < units[-1].raw_end:  # the overlap: already there
                for kept in units:
                    if (kept.raw_start, kept.raw_end) == (unit.raw_start, unit.raw_end) and kept.continues is None:
                        kept.continues = unit.continues
                continue
            units.append(unit)
    return units


def complete_hit(hit: SearchHit, before: list[dict[str, Any] | None], after: list[dict[str, Any] | None],
                 count_tokens: Callable[[str], int], settings: Settings) -> bool:
    """Complete ``hit``'s cut first/last sentences from the passages ``before`` it (payloads, nearest last)
    and ``after`` it (nearest first; None where absent); drop the ones that cannot be completed. True when
    the hit changed."""
    own = [(s[0], s[1], s[2], s[3]) for s in hit.sentences]
    if not own:
        return False
    # only the passages next to the hit without a gap: a sentence cannot be followed over a missing one
    before = list(reversed(list(takewhile(lambda p: p is not None, reversed(before)))))
    after = list(takewhile(lambda p: p is not None, after))

    units = window([stored_passage(p) for p in before] + [(hit.text, own)] + [stored_passage(p) for p in after])
    for unit in units:  # a passage's end: whether the sentence runs on into the next passage
        if unit.continues is None:
            unit.continues = cut_at_border(unit, count_tokens, settings)
    first_own, last_own = own[0][2], own[-1][3]
    # a sentence that opens the window may begin in a passage not read (unless that is the document's first)
    open_start = hit.chunk - len(before) > 0
    groups: list[list[Unit]] = []
    for i, unit in enumerate(units):
        if i and units[i - 1].continues:
            groups[-1].append(unit)
        else:
            groups.append([unit])
    ours = [g for g in groups if g[-1].raw_end > first_own and g[0].raw_start < last_own]
    if all(len(g) == 1 and not g[0].continues for g in ours):
        return False
    complete = [not g[-1].continues and not (open_start and g[0] is units[0]) for g in ours]
    for group, whole in zip(ours, complete, strict=True):
        if not whole:
            logger.debug("cut sentence of %s chunk %d not completed: %s", hit.doc, hit.chunk, group[0].text[:40])
    head = [u for u in ours[0] if u.raw_end <= first_own] if complete[0] else []
    tail = [u for u in ours[-1] if u.raw_start >= last_own] if complete[-1] else []
    prefix = "".join(u.text + joiner(u, v) for u, v in zip(head, ours[0][1:len(head) + 1], strict=True))
    before_tail = ours[-1][len(ours[-1]) - len(tail) - 1:-1] if tail else []
    suffix = "".join(joiner(p, u) + u.text for p, u in zip(before_tail, tail, strict=True))
    shift, end = len(prefix), len(prefix) + len(hit.text) + len(suffix)
    spans: list[Span] = []
    for group, whole in zip(ours, complete, strict=True):
        if not whole:
            continue  # stays in the text as context, never cited
        inside = [s for s in own if group[0].raw_start <= s[2] and s[3] <= group[-1].raw_end]
        a = 0 if group[0].raw_end <= first_own else inside[0][0] + shift
        b = end if group[-1].raw_start >= last_own else inside[-1][1] + shift
        spans.append((a, b, group[0].raw_start, group[-1].raw_end))
    hit.marks = [(at + shift, n) for at, n in hit.marks]  # the added sentences' own marks are not shown
    hit.text = prefix + hit.text + suffix
    hit.sentences = spans
    hit.start = min([hit.start] + [s[2] for s in spans])
    hit.end = max([hit.end] + [s[3] for s in spans])
    return True


def read_passages(store: Store, keys: Iterable[tuple[str, int]],
                  fields: Iterable[str] = ("text", "sentences")) -> dict[tuple[str, int], dict[str, Any]]:
    """The stored passages at (document hash, chunk position) ``keys`` that exist, by key: one store read."""
    ids = {point_id(doc_hash, chunk): (doc_hash, chunk) for doc_hash, chunk in keys if chunk >= 0}
    if not ids:
        return {}
    return {ids[p.id]: p.payload for p in store.scroll(list(fields), ids=sorted(ids)) if p.id in ids}


def passage_reader(store: Store) -> PassageReader:
    """Reads one neighbouring passage at a time, with what a citation of it needs (``PASSAGE_FIELDS``)."""
    return lambda doc_hash, chunk: read_passages(store, [(doc_hash, chunk)], PASSAGE_FIELDS).get((doc_hash, chunk))


def complete_cut_sentences(hits: list[SearchHit], store: Store, count_tokens: Callable[[str], int],
                           settings: Settings) -> int:
    """Complete the cut first/last sentences of ``hits`` in place from their neighbouring passages (one
    store read for all); returns how many hits changed."""
    reach = range(1, COMPLETION_REACH + 1)
    payloads = read_passages(store, {(h.doc_hash, h.chunk + d) for h in hits if h.chunk >= 0 for r in reach
                                     for d in (-r, r)})
    changed = 0
    for hit in hits:
        if hit.chunk < 0:
            continue
        before = [payloads.get((hit.doc_hash, hit.chunk - r)) for r in reversed(reach) if hit.chunk - r >= 0]
        after = [payloads.get((hit.doc_hash, hit.chunk + r)) for r in reach]
        changed += complete_hit(hit, before, after, count_tokens, settings)
    return changed
