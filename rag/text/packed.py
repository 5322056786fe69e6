"""The bilingual lexicon's entries as its cache stores them: each entry one string, decoded when first
looked up.

Unpickling the lexicon as Python objects (~300k (term, score) tuples and ~115k lists of ~400k words) took
~0.8 s of every ``rag search`` / ``rag ask``; as ~215k strings it takes ~0.07 s, and a question looks up a
few dozen entries. ``rag.text.lexicon`` pickles ``pack(en_index, zh_index)`` and reads it back with
``unpack``, whose mappings decode to exactly what was packed (a float's ``repr`` reads back as the same
float).

Usage::

    stored = pack({"security": [("安全", 1.0)]}, {"安全": ["safe", "secure"]})
    en_index, zh_index = unpack(stored)
    en_index["security"]                     # [('安全', 1.0)]
    zh_index.get("安全")                       # ['safe', 'secure']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

SEP = "\t"  # between the parts of an entry; no term or gloss word holds one (``pack`` checks)

V = TypeVar("V")


class PackedIndex(Mapping[str, V]):
    """A read-only mapping over packed entries: each value decoded on first lookup, then kept (callers
    copy what they change, as they did with the unpacked dicts)."""

    def __init__(self, entries: dict[str, str], decode: Callable[[str], V]) -> None:
        self._entries = entries
        self._decode = decode
        self._decoded: dict[str, V] = {}

    def __getitem__(self, key: str) -> V:
        value = self._decoded.get(key)
        if value is None:
            value = self._decoded[key] = self._decode(self._entries[key])
        return value

    def get(self, key: str, default: V | None = None) -> V | None:  # type: ignore[override]
        return self[key] if key in self._entries else default

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _scored_terms(entry: str) -> list[tuple[str, float]]:
    parts = entry.split(SEP)
    return [(parts[i], float(parts[i + 1])) for i in range(0, len(parts), 2)]


def _words(entry: str) -> list[str]:
    return entry.split(SEP)


def pack(
    en_index: Mapping[str, list[tuple[str, float]]], zh_index: Mapping[str, list[str]]
) -> tuple[dict[str, str], dict[str, str]]:
    """Both directions, each entry one string. ValueError for what would not read back the same: an
    empty entry, an empty word, or one holding ``SEP``."""
    words = [term for terms in en_index.values() for term, _ in terms] + [w for ws in zh_index.values() for w in ws]
    if not all(en_index.values()) or not all(zh_index.values()) or any(not w or SEP in w for w in words):
        raise ValueError("a lexicon entry cannot be packed")
    en = {key: SEP.join(f"{term}{SEP}{score!r}" for term, score in terms) for key, terms in en_index.items()}
    zh = {key: SEP.join(words) for key, words in zh_index.items()}
    return en, zh


def unpack(stored: object) -> tuple[PackedIndex[list[tuple[str, float]]], PackedIndex[list[str]]]:
    """``pack``'s two dicts as the lexicon's mappings: English key -> scored Chinese terms, Chinese term
    -> English gloss words. ValueError if ``stored`` is not what ``pack`` returns (e.g. an older cache)."""
    if not (isinstance(stored, tuple) and len(stored) == 2 and all(isinstance(d, dict) for d in stored)):
        raise ValueError("not a packed lexicon")
    en, zh = stored
    if not all(isinstance(v, str) for d in (en, zh) for v in list(d.values())[:1]):
        raise ValueError("not a packed lexicon")
    return PackedIndex(en, _scored_terms), PackedIndex(zh, _words)
