"""bench.claims.near_miss: a true claim's near miss keeps only the sentences of other passages (never its source
sentence nor that sentence's neighbours), is labelled not_found, and exists only for supported claims with their
source among the candidates; the fit's step 1 never sees a near miss's repeated pairs."""

from __future__ import annotations

from bench import claimset as cs
from bench.claims import (
    COSINE,
    NEAR_MISS,
    near_miss,
    read_features,
    without_near_misses,
)


def pair(cosine: float) -> list[float]:
    row = [0.5] * 25
    row[COSINE] = cosine
    return row


DOC = "en01_us_eo14110_safe_secure_trustworthy_ai_2023-10-30.md"
ROW = {"id": "c1", "claim": "The institute received 100 million pounds.", "label": "supported", "transform": "quote",
       "claim_lang": "en", "source_lang": "en", "corpus": "policy", "rule_verdict": "supported",
       "pairs": [pair(0.91), pair(0.91), pair(0.83), pair(0.80)],
       "source": [True, False, False, False],
       "sentences": ["source sentence", "its neighbour in the passage", "another passage", "a third passage"]}


def test_a_near_miss_keeps_only_other_passages_sentences() -> None:
    from rag.answer.claim_features import FEATURE_NAMES

    assert FEATURE_NAMES[COSINE] == "cosine"  # the claim-passage cosine: sentences of one passage share it
    miss = near_miss(ROW, DOC)
    assert miss is not None
    assert miss["id"] == "c1" + NEAR_MISS and miss["label"] == "not_found" and miss["transform"] == "source_removed"
    assert miss["sentences"] == ["another passage", "a third passage"]
    assert miss["source"] == [False, False] and [p[COSINE] for p in miss["pairs"]] == [0.83, 0.80]
    assert miss["rule_verdict"] is None  # the rules' baseline was not read on these candidates
    assert ROW["sentences"][0] == "source sentence" and len(ROW["pairs"]) == 4  # the claim's own row untouched


def test_only_supported_claims_with_their_source_and_something_left_have_one() -> None:
    assert near_miss({**ROW, "label": "contradicted"}, DOC) is None
    assert near_miss(ROW, cs.PARALLEL_ZH_DOC) is None  # the other language's text states the same: still supported
    assert near_miss({**ROW, "source": [False] * 4}, DOC) is None  # source not retrieved: no near miss to make
    assert near_miss({**ROW, "pairs": [pair(0.91)] * 4}, DOC) is None  # every candidate from the source's passage


def test_the_cached_halves_carry_a_near_miss_after_its_claim() -> None:
    rows = read_features("tune")
    plain = read_features("tune", near_misses=False)
    misses = [r for r in rows if r["id"].endswith(NEAR_MISS)]
    assert len(rows) == len(plain) + len(misses) and len(misses) > 0.6 * sum(r["label"] == "supported" for r in plain)
    ids = [r["id"] for r in rows]
    assert all(ids[ids.index(m["id"]) - 1] == m["id"][:-len(NEAR_MISS)] for m in misses[:50])
    kept, verdicts = without_near_misses(rows, ["x"] * len(rows))
    assert [r["id"] for r in kept] == [r["id"] for r in plain] and len(verdicts) == len(plain)


def test_variant_summary_counts_near_misses_apart_from_the_claims() -> None:
    import numpy as np

    from bench.claims_variants import summary

    rows = [{"label": "supported"}, {"label": "contradicted"}, {"label": "not_found"}, {"label": "not_found"}]
    y = np.array([0, 1, 2, 2])
    near = np.array([False, False, True, True])
    pair = np.array(["en/zh"] * 4)
    # the claims are read right; one near miss is called supported at every threshold
    p = np.array([[0.99, 0.005, 0.005], [0.1, 0.8, 0.1], [0.995, 0.0, 0.005], [0.1, 0.1, 0.8]])
    out = summary(rows, p, y, near, pair)
    assert out["claims"] == 1.0 and out["en/zh"] == 1.0
    assert out["near_right"] == 0.5 and out["near_supported"] == 0.5  # negative: the near miss's error is not hidden
    assert out["precision"] == 0.5 and out["threshold"] == 0.99  # no threshold reaches 0.95: the highest, not a low one


def test_the_supported_curve_trades_claims_for_near_misses() -> None:
    """Raising the "supported" threshold stops calling the near miss supported (precision with it rises) and then the
    weaker true claim; a threshold above every probability says "supported" to nothing (precision 0, not an error)."""
    from bench.claims import supported_curve

    def p(s: float) -> dict[str, float]:
        return {"supported": s, "contradicted": (1 - s) / 2, "not_found": (1 - s) / 2}

    rows = [{"id": "a", "label": "supported"}, {"id": "b", "label": "supported"}, {"id": "c", "label": "contradicted"},
            {"id": "a~nm", "label": "not_found"}]
    probabilities = [p(0.9), p(0.6), {"supported": 0.1, "contradicted": 0.8, "not_found": 0.1}, p(0.7)]
    low, middle, high, none = supported_curve(rows, probabilities, (0.5, 0.65, 0.8, 0.95))
    assert low["near_misses_supported"] == 1.0 and low["precision_with_near_misses"] == round(2 / 3, 3)
    assert low["claims_accuracy"] == 1.0 and low["claims_precision"] == 1.0
    assert middle["near_misses_supported"] == 1.0 and middle["claims_accuracy"] == round(2 / 3, 3)
    assert high["near_misses_supported"] == 0.0 and high["precision_with_near_misses"] == 1.0
    assert none["precision_with_near_misses"] == 0.0 and none["claims_accuracy"] == round(1 / 3, 3)
