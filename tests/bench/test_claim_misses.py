"""Where a missed source passage stands (bench.claim_misses): the rank of the hit that holds the source sentence."""

from types import SimpleNamespace

import pytest

from bench.claim_misses import category, source_rank


def hit(doc: str, start: int, end: int) -> SimpleNamespace:
    return SimpleNamespace(doc=doc, start=start, end=end)


HITS = [hit("/c/en04.md", 0, 500), hit("/c/000.txt", 0, 300), hit("/c/000.txt", 300, 700)]


def test_source_rank_is_the_hit_holding_the_source_start() -> None:
    assert source_rank(HITS, {"source_doc": "000.txt", "source_start": 450}) == 2
    assert source_rank(HITS, {"source_doc": "000.txt", "source_start": 300}) == 2  # a passage's end is the next one's start


@pytest.mark.parametrize(("doc", "start"), [("000.txt", 700), ("001.txt", 10), ("en04.md", 500)])
def test_source_rank_is_none_when_no_hit_holds_it(doc: str, start: int) -> None:
    assert source_rank(HITS, {"source_doc": doc, "source_start": start}) is None


@pytest.mark.parametrize(("read", "rank", "expected"), [
    (True, None, "sentence read"), (True, 7, "sentence read"), (False, None, "passage not found"),
    (False, 0, "rank 1-5"), (False, 4, "rank 1-5"), (False, 5, "rank 6-10"), (False, 9, "rank 6-10"),
    (False, 10, "rank 11+"), (False, 39, "rank 11+"),
])
def test_category_bands_follow_the_passages_the_check_reads(read: bool, rank: int | None, expected: str) -> None:
    assert category(read, rank) == expected
