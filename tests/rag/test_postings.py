"""rag.postings: passages by index token."""

from __future__ import annotations

import numpy as np
import pytest

from rag.postings import TermPostings


def test_build_and_lookup() -> None:
    postings = TermPostings.build([["欧盟", "罚款", "欧盟"], ["机构", "标准"], ["欧盟", "标准"]])
    assert postings.size == 3 and len(postings) == 4
    assert "欧盟" in postings and "身体" not in postings
    assert set(postings) == {"欧盟", "罚款", "机构", "标准"}
    assert postings.passages_with(["欧盟"]).tolist() == [0, 2]  # a token repeated in a passage counts once
    assert postings.passages_with(["欧盟", "标准"]).tolist() == [2]
    assert postings.passages_with(["欧盟", "身体"]).tolist() == []
    assert postings.passages_with([]).tolist() == []
    assert postings.passages_with(["标准"]).dtype == np.int32


def test_empty_corpus() -> None:
    postings = TermPostings.build([])
    assert postings.size == 0 and len(postings) == 0 and postings.passages_with(["欧盟"]).tolist() == []
    with pytest.raises(ValueError):
        TermPostings({}, -1)
