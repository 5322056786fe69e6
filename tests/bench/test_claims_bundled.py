"""bench.claims_bundled: which claims it checks, and how it scores them."""

from __future__ import annotations

from pathlib import Path

from bench import common
from bench.claims_bundled import bundled_claims, file_claims, score


def test_only_english_claims_over_chinese_policy_documents_are_checked() -> None:
    rows = bundled_claims("heldout")
    assert rows and all(r["corpus"] == "policy" and r["claim_lang"] == "en" and r["source_lang"] == "zh" for r in rows)
    assert {r["label"] for r in rows} == {"supported", "contradicted", "not_found"}
    assert len(bundled_claims("heldout", limit=5)) == 5


def test_score_counts_per_transform_and_the_precision_of_supported() -> None:
    result = score(["supported", "contradicted", "not_found", "contradicted"],
                   ["supported", "supported", "not_found", "contradicted"],
                   ["translated", "number", "unsupported_detail", "number"])
    assert result["n"] == 4 and result["accuracy"] == 0.75
    assert result["supported_precision"] == 0.5  # one of the two "supported" is a changed figure
    assert result["by_transform"]["number"] == {"n": 2, "accuracy": 0.5}
    assert result["confusion"]["contradicted->supported"] == 1
    none = score([], [], [])  # the negative: nothing checked is no accuracy, not an error
    assert none["n"] == 0 and none["accuracy"] == 0.0


def test_a_check_file_is_read_with_its_kind_as_the_transform(tmp_path: Path) -> None:
    rows = file_claims(common.PROJECT / "bench" / "data" / "claims" / "table-rows-check.jsonl")
    assert len(rows) == 46 and {r["label"] for r in rows} == {"supported", "contradicted", "not_found"}
    assert all(r["transform"] == r["kind"] for r in rows) and len({r["id"] for r in rows}) == 46
    bare = tmp_path / "bare.jsonl"  # the negative: a claim with no kind is scored under "-", blank lines skipped
    bare.write_text('{"claim": "x", "label": "supported"}\n\n', encoding="utf-8")
    assert [r["transform"] for r in file_claims(bare)] == ["-"]
