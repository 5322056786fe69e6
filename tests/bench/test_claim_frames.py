"""The framed claim family (bench.claim_frames): each claim named by its own source document, label kept."""

from __future__ import annotations

import json

import pytest

from bench.claim_frames import FAMILIES, FRAMES, frame, make
from bench.claims import load_claims


def test_a_claim_continuing_a_frame_starts_in_lower_case_unless_it_opens_with_a_name() -> None:
    assert frame("The institute opened in 2023.", "en", "the Concordia AI report", FRAMES["en"][1]) == (
        "The Concordia AI report says that the institute opened in 2023.")
    assert frame("NIST leads the work.", "en", "the AI RMF", FRAMES["en"][1]) == "The AI RMF says that NIST leads the work."
    assert frame("The institute opened in 2023.", "en", "the Concordia AI report", FRAMES["en"][4]) == (
        "The institute opened in 2023, according to the Concordia AI report.")
    assert frame("研究所于2023年成立。", "zh", "安远AI报告", FRAMES["zh"][0]) == "据安远AI报告，研究所于2023年成立。"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_framed_claim_names_its_own_source_and_keeps_its_label(family: str) -> None:
    names = json.loads(FAMILIES[family][0].read_text(encoding="utf-8"))
    rows = make("tune", sample=60, family=family)
    claims = {c["id"]: c for c in load_claims("tune")}
    assert len(rows) == 60 and rows == make("tune", sample=60, family=family)  # a fixed sample and frame
    for row in rows:
        own = names[row["source_doc"]][row["claim_lang"]]
        assert any(name in row["claim"] or name[0].upper() + name[1:] in row["claim"] for name in own)
        base = claims[row["framed_from"]]
        assert base["label"] == row["label"] and base["claim"].rstrip("。.")[1:] in row["claim"]
        assert row["framed_from"] and row["id"] == f"{family}-{row['framed_from']}"
    assert {r["corpus"] for r in rows} == {"policy"}
    assert len({r["label"] for r in rows}) == 3


def test_the_second_family_names_every_document_otherwise() -> None:
    first, second = (json.loads(FAMILIES[f][0].read_text(encoding="utf-8")) for f in ("framed", "framed2"))
    assert set(first) == set(second)
    for doc in (d for d in first if d != "_about"):
        for language in ("en", "zh"):
            assert second[doc][language] and not set(first[doc][language]) & set(second[doc][language])
    for language in ("en", "zh"):
        assert not set(FAMILIES["framed"][1][language]) & set(FAMILIES["framed2"][1][language])
