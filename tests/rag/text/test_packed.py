"""rag.text.packed: the lexicon cache's one-string entries decode to exactly what was packed."""

from __future__ import annotations

import pickle

import pytest

from rag.text.lexicon import BilingualLexicon
from rag.text.packed import PackedIndex, pack, unpack

EN = {"security": [("安全", 1.0), ("保安", 0.1 + 0.2), ("治安", 1e-300)], "fine": [("罚款", 0.35 * 0.6 / 1.1)]}
ZH = {"安全": ["safe", "secure"], "罚款": ["fine"]}


def test_entries_read_back_exactly() -> None:
    en, zh = unpack(pickle.loads(pickle.dumps(pack(EN, ZH))))
    assert dict(en) == EN and dict(zh) == ZH
    assert [score.hex() for _, score in en["security"]] == [score.hex() for _, score in EN["security"]]
    assert en.get("absent") is None and zh.get("absent", []) == [] and "安全" in zh and "absent" not in zh
    assert len(en) == 2 and list(zh) == ["安全", "罚款"]
    with pytest.raises(KeyError):
        en["absent"]


def test_an_entry_is_decoded_once() -> None:
    calls: list[str] = []
    index = PackedIndex({"a": "x\ty"}, lambda entry: calls.append(entry) or entry.split("\t"))
    assert index["a"] is index.get("a") and calls == ["x\ty"]


@pytest.mark.parametrize(("en", "zh"), [({"a": [("x\ty", 1.0)]}, {}), ({}, {"x": ["a\tb"]}), ({}, {"x": [""]}),
                                        ({"a": []}, {}), ({}, {"x": []})])
def test_what_would_not_read_back_the_same_is_refused(en: dict, zh: dict) -> None:
    with pytest.raises(ValueError):
        pack(en, zh)


@pytest.mark.parametrize("stored", [({"a": [("x", 1.0)]}, {"x": ["a"]}), {"a": "x"}, ({}, {}, {}), None])
def test_an_older_cache_is_refused(stored: object) -> None:
    with pytest.raises(ValueError):
        unpack(stored)  # the lexicon then rebuilds its cache


def test_the_real_lexicon_reads_back_as_built() -> None:
    built = BilingualLexicon.build()
    en, zh = unpack(pickle.loads(pickle.dumps(pack(built._en, built._zh), protocol=pickle.HIGHEST_PROTOCOL)))
    assert dict(en) == built._en and dict(zh) == built._zh
    assert all(type(score) is float for terms in en.values() for _, score in terms)
