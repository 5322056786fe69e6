"""Invariant checkers shared by the example-based and the property-based tests."""

from __future__ import annotations

from collections.abc import Callable

from rag.ingest.chunking import Chunk
from rag.text.normalize import NormalizedText, compact, fold_text
from rag.text.sentences import split_sentences


def assert_offsets_exact(raw: str, norm: NormalizedText) -> None:
    """Every non-space output character comes from its raw span; spans are ordered and in range."""
    text = norm.text
    assert len(norm.starts) == len(norm.ends) == len(text)
    for i, ch in enumerate(text):
        a, b = norm.starts[i], norm.ends[i]
        assert 0 <= a <= b <= len(raw), (i, ch, a, b)
        if i:
            assert norm.starts[i - 1] <= a and norm.ends[i - 1] <= b, (i, ch)
        if not ch.isspace():
            assert ch in fold_text(raw[a:b]), (i, ch, raw[a:b])


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def check_chunk_invariants(
    raw: str,
    norm: NormalizedText,
    chunks: list[Chunk],
    count: Callable[[str], int],
    max_tokens: int,
) -> None:
    """The invariants promised by rag.ingest.chunking, checked against an independent sentence split."""
    text = norm.text
    assert [c.index for c in chunks] == list(range(len(chunks)))
    covered = bytearray(len(text))
    for chunk in chunks:
        assert 0 <= chunk.norm_start < chunk.norm_end <= len(text)
        assert chunk.text == text[chunk.norm_start : chunk.norm_end]
        assert chunk.text == chunk.text.strip() and chunk.text
        # token budget
        units = [chunk.text[a:b] for a, b in chunk.sentences]
        assert all(count(u) <= max_tokens for u in units), (chunk.index, units)
        assert count(chunk.text) <= max_tokens, (chunk.index, count(chunk.text))
        # offsets map back to the raw text exactly
        assert (chunk.start, chunk.end) == norm.raw_span(chunk.norm_start, chunk.norm_end)
        assert 0 <= chunk.start < chunk.end <= len(raw)
        assert chunk.text[0] in fold_text(raw[chunk.start : norm.ends[chunk.norm_start]])
        if not chunk.text[-1].isspace():
            assert chunk.text[-1] in fold_text(raw[norm.starts[chunk.norm_end - 1] : chunk.end])
        assert is_subsequence(compact(chunk.text), compact(raw[chunk.start : chunk.end]))
        # sentence spans are relative to the chunk text and ordered
        assert chunk.sentences and chunk.sentences[0][0] == 0 and chunk.sentences[-1][1] == len(chunk.text)
        for (a, b), (c, _) in zip(chunk.sentences, chunk.sentences[1:]):
            assert a < b <= c
        sentence_raw = getattr(chunk, "sentence_raw", None)
        if sentence_raw is not None:  # the same sentences in raw-file offsets
            assert len(sentence_raw) == len(chunk.sentences)
            for (a, b), (ra, rb) in zip(chunk.sentences, sentence_raw):
                assert (ra, rb) == norm.raw_span(chunk.norm_start + a, chunk.norm_start + b)
                assert chunk.start <= ra <= rb <= chunk.end
                assert is_subsequence(compact(chunk.text[a:b]), compact(raw[ra:rb]))
        for i in range(chunk.norm_start, chunk.norm_end):
            covered[i] = 1
    for i, ch in enumerate(text):  # nothing but white space is left out
        assert covered[i] or ch.isspace(), (i, text[max(0, i - 10) : i + 10])
    starts = [c.norm_start for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # every sentence lands in a chunk; a sentence is cut only when it alone exceeds the budget
    for a, b in split_sentences(text):
        whole = any(c.norm_start <= a and b <= c.norm_end for c in chunks)
        if count(text[a:b]) <= max_tokens:
            assert whole, text[a:b]
        else:
            assert not whole
