"""Train the frame finder (``rag/answer/frame_finder.py``) and count what it cuts.

The training claims are the claim benchmark's tune half (both corpora), each once bare and once in a frame drawn from
``bench/data/claims/frame_training.json`` with a generated name (an organisation, country or person of the gazetteer,
a document noun, a topic: "the NIST report on AI safety", "欧盟委员会发布的白皮书"). No framed family's name is among
them, nor any template of the framed and framed3 families (``bench.claim_frames``: scored, never trained on); since
session 40 the training frames include framed2's five shapes the finder missed (``bench.claim_frames.TRAINED_ON``). Each side's threshold
is the lowest probability at which at most ``MAX_BARE_CUT`` of the bare claims are cut out of folds that hold whole
templates and whole documents out; the same folds report how often the finder finds the exact statement in frames it never saw.
The same out-of-fold cuts choose the evidence gate (``choose_gate``): a lower bar a cut may pass when the frame's words
are not in the claim's first candidate sentence (session 39), the words the rest of the claim also holds aside
(session 40). Each side is searched on its own and decided by the product's one rule
(``rag.answer.frame_finder.statement_tokens``).

Usage::

    python -m bench.frame_finder train                 # → rag/data/frame_finder.json (+ its cross-validation)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.claim_frames import FAMILIES, frame

logger = logging.getLogger("bench.frame_finder")
ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "bench" / "data" / "claims" / "frame_training.json"
GAZETTEER = ROOT / "rag" / "data" / "gazetteer.tsv"
MAX_BARE_CUT = 0.002  # bare tune claims a side may cut, out of fold (session 38's rule)
MAX_BARE_CUT_EVIDENCE = 0.005  # bare tune claims cut (either side) with the evidence gate, out of fold (session 39's rule)
COVERAGE_GRID = (0.2, 0.3, 0.5)  # the frame coverages tried as the evidence gate (session 39's rule)
C = 30.0  # the inverse regularisation: the best mean of 0.3 / 3 / 30 out of document- and template-held-out folds (session 38)
FOLDS = 5
SEED = 38


def family_names() -> set[str]:
    """Every name of the framed families' name files: never a training name."""
    out: set[str] = set()
    for names_path, _, _ in FAMILIES.values():
        for doc, by_language in json.loads(names_path.read_text(encoding="utf-8")).items():
            if not doc.startswith("_"):
                out |= {n.lower() for names in by_language.values() for n in names}
    return out


def gazetteer_names() -> dict[str, list[str]]:
    """Organisations, countries' governments and people of the gazetteer, per language."""
    out: dict[str, list[str]] = {"en": [], "zh": []}
    for line in GAZETTEER.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        _, kind, english, chinese = (line.split("\t") + ["", ""])[:4]
        en, zh = english.split("|")[0], chinese.split("|")[0]
        if kind == "country":
            en, zh = f"the {en} government", f"{zh}政府"
        if kind in ("org", "country", "person"):
            out["en"].append(en)
            out["zh"].append(zh)
    return out


def name_maker(rng: np.random.Generator) -> Any:
    """A function language → a generated name (never one of the framed families')."""
    data = json.loads(TRAINING.read_text(encoding="utf-8"))
    orgs, nouns, topics, generic = gazetteer_names(), data["nouns"], data["topics"], data["generic"]
    forbidden = family_names()
    shapes = {
        "en": ("{org}", "the {org}", "{org}'s {noun}", "the {org} {noun}", "{org}'s {noun} on {topic}",
               "the {noun} from {org}", "the {noun} published by {org}", "the {noun}", "the latest {noun} on {topic}",
               "{generic}", "the {noun} on {topic}"),
        "zh": ("{org}", "{org}的{noun}", "{org}发布的{noun}", "{org}关于{topic}的{noun}", "《{topic}{noun}》", "该{noun}",
               "这份{noun}", "{org}{noun}", "{generic}", "《{org}{topic}{noun}》"),
    }

    def make(language: str) -> str:
        def pick(xs: list[str] | tuple[str, ...]) -> str:
            return xs[int(rng.integers(len(xs)))]

        while True:
            name = pick(shapes[language]).format(org=pick(orgs[language]), noun=pick(nouns[language]),
                                                 topic=pick(topics[language]), generic=pick(generic[language]))
            if name.lower() not in forbidden and name.strip():
                return name

    return make


def examples(claims: list[dict[str, Any]], seed: int = SEED) -> Iterator[dict[str, Any]]:
    """Each claim bare and framed: text, language, the statement's span and the template's index (-1: bare)."""
    rng = np.random.default_rng(seed)
    templates = json.loads(TRAINING.read_text(encoding="utf-8"))["templates"]
    make_name = name_maker(rng)
    for claim in claims:
        text, language = claim["claim"].strip(), claim["claim_lang"]
        base = {"language": language, "id": claim["id"], "doc": claim.get("source_doc") or claim["id"]}
        yield {**base, "text": text, "span": (0, len(text)), "template": -1}
        k = int(rng.integers(len(templates[language])))
        template = templates[language][k]
        framed = frame(text, language, make_name(language), template)
        if rng.random() < 0.3 and not template.startswith("{claim_bare}") and framed[:1].isupper():  # "Is it true that the report says …" once stripped
            framed = framed[0].lower() + framed[1:]
        span = statement_in(framed, text, template)
        if span:
            yield {**base, "text": framed, "span": span, "template": k}


def statement_in(framed: str, claim: str, template: str) -> tuple[int, int] | None:
    """Where the claim stands in its framed text (its first letter's case and last stop may differ)."""
    if template.startswith("{claim_bare}"):
        bare = claim.rstrip("。.!?！？ ")
        return (0, len(bare)) if framed.startswith(bare) else None
    tail = len(claim) - 1
    return (len(framed) - len(claim), len(framed)) if framed.endswith(claim[1:]) and tail >= 0 else None


def cut_labels(example: dict[str, Any]) -> tuple[list[str], list[str], int, int] | None:
    """The example's words, and the token indices of its statement's start and end (0 and len: no frame)."""
    from rag.answer.frame_finder import tokens

    toks = tokens(example["text"], example["language"])
    start, end = example["span"]
    starts = [i for i, t in enumerate(toks) if t[1] == start]
    ends = [i + 1 for i, t in enumerate(toks) if t[2] == end]
    if (start and not starts) or (end < len(example["text"].rstrip()) and not ends):
        return None
    first = starts[0] if start else 0
    last = ends[0] if end < len(example["text"].rstrip()) else len(toks)
    return [t[0] for t in toks], [t[3] for t in toks], first, last


def side_rows(words: list[str], tags: list[str], first: int, last: int) -> Iterator[tuple[str, list[str], int]]:
    """(side, features, label) of every candidate cut of one example."""
    from rag.answer.frame_finder import (
        prefix_cuts,
        prefix_features,
        suffix_cuts,
        suffix_features,
    )

    for c in prefix_cuts(words):
        yield "prefix", prefix_features(words, c, tags), int(c == first)
    for c in suffix_cuts(words, first):
        yield "suffix", suffix_features(words, c, tags), int(c == last)


def fit(labelled: list[tuple[list[str], list[str], int, int]]) -> dict[str, float]:
    """One logistic model over both sides' candidates (their features carry the side): weights by feature."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    feats, ys = [], []
    for words, tags, first, last in labelled:
        for _, f, y in side_rows(words, tags, first, last):
            feats.append(dict.fromkeys(f, 1))
            ys.append(y)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(feats).tocsr()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)  # liblinear takes 32-bit indices
    model = LogisticRegression(C=C, fit_intercept=False, max_iter=2000, solver="liblinear").fit(x, ys)
    return {name: round(float(w), 4) for name, w in zip(vectorizer.feature_names_, model.coef_[0], strict=True)
            if abs(w) >= 1e-3}


def best_cuts(weights: dict[str, float], words: list[str], tags: list[str]) -> tuple[int, float, int, float]:
    """The best prefix cut and its probability, then the best suffix cut after it and its probability."""
    from rag.answer.frame_finder import FrameFinder

    finder = FrameFinder(weights, {})
    first, p = finder.best_prefix(words, tags)
    last, q = finder.best_suffix(words, 0, tags)  # each side on its own: an untaken prefix must not hide a suffix
    return first, p, last, q


def threshold(bare_probabilities: list[float]) -> float:
    """The lowest probability above which at most MAX_BARE_CUT of the bare claims fall (a hair above that one)."""
    ranked = sorted(bare_probabilities, reverse=True)
    allowed = int(MAX_BARE_CUT * len(ranked))
    return min(0.999, ranked[allowed] + 1e-4) if len(ranked) > allowed else 0.5


def train(half: str = "tune") -> dict[str, Any]:
    from bench.claims import load_claims

    data = [e for e in examples(load_claims(half))]
    labelled = [(e, cut_labels(e)) for e in data]
    dropped = sum(1 for _, lab in labelled if lab is None)
    labelled = [(e, lab) for e, lab in labelled if lab is not None]
    rng = np.random.default_rng(SEED)
    n_templates = max(e["template"] for e, _ in labelled) + 1
    template_fold = rng.permutation(n_templates) % FOLDS
    documents = sorted({e["doc"] for e, _ in labelled})
    document_fold = dict(zip(documents, rng.permutation(len(documents)) % FOLDS, strict=True))
    oof: list[tuple[int, float, int, float]] = [(0, 0.0, 0, 0.0)] * len(labelled)
    scored = [False] * len(labelled)
    for k in range(FOLDS):
        # a fold holds out its documents (every claim of them, bare or framed) and its templates
        held_doc = [document_fold[e["doc"]] == k for e, _ in labelled]
        held_template = [e["template"] >= 0 and template_fold[e["template"]] == k for e, _ in labelled]
        weights = fit([lab for (_, lab), d, t in zip(labelled, held_doc, held_template, strict=True) if not d and not t])
        for i, (e, (words, tags, _, _)) in enumerate(labelled):
            if held_doc[i] and (e["template"] < 0 or held_template[i]):
                oof[i], scored[i] = best_cuts(weights, words, tags), True
        logger.info("fold %d of %d done", k + 1, FOLDS)
    labelled = [x for x, s in zip(labelled, scored, strict=True) if s]
    oof = [x for x, s in zip(oof, scored, strict=True) if s]
    thresholds: dict[str, dict[str, float]] = {}
    for language in ("en", "zh"):
        bare = [i for i, (e, _) in enumerate(labelled) if e["template"] < 0 and e["language"] == language]
        thresholds[language] = {
            "prefix": round(threshold([oof[i][1] for i in bare]), 4),
            "suffix": round(threshold([oof[i][3] if oof[i][2] < len(labelled[i][1][0]) else 0.0 for i in bare]), 4)}
    report = cv_report(labelled, oof, thresholds)
    evidence, report["evidence"] = choose_gate(gate_cases(labelled, oof))
    report.update(dropped=dropped)
    weights = fit([lab for _, lab in labelled])
    return {"weights": weights, "thresholds": thresholds, "evidence": evidence, "cross_validation": report}


@dataclass(frozen=True)
class GateCase:
    """One out-of-fold example for the evidence gate: its language, whether it is bare, its statement's token span,
    its token count, and each side's best cut with the cut's probability and the frame's coverage by the evidence."""

    language: str
    bare: bool
    truth: tuple[int, int]
    n: int
    prefix: tuple[int, float, float]  # (cut, probability, coverage); cut 0: no candidate
    suffix: tuple[int, float, float]  # cut n: no candidate

    def decided(self, bar: float, most: float) -> tuple[int, int]:
        """The statement's token span under the gate (``bar``: least probability, ``most``: most coverage)."""
        from rag.answer.frame_finder import statement_tokens

        return statement_tokens(self.n, self.prefix[:2], self.suffix[:2], (bar, bar),
                                (self.prefix[2] <= most, self.suffix[2] <= most))


def gate_cases(labelled: list[Any], oof: list[tuple[int, float, int, float]]) -> list[GateCase]:
    """The out-of-fold examples as ``GateCase``s, each frame's coverage measured against the first candidate sentence
    of its bare claim's read (``bench/results/claims-features-tune.jsonl``)."""
    from bench.claims import read_features
    from rag.answer.frame_finder import frame_coverage, tokens
    from rag.text.lexicon import load_lexicon

    lexicon = load_lexicon()
    translate = lexicon.translation_groups if lexicon else None
    first_sentence = {r["id"]: (r.get("sentences") or [""])[0] for r in read_features("tune", near_misses=False)}
    cases = []
    for (e, (_, _, first, last)), (cut, p, end, q) in zip(labelled, oof, strict=True):
        toks, sentence, text, language = tokens(e["text"], e["language"]), first_sentence.get(e["id"], ""), e["text"], e["language"]
        prefix = frame_coverage(text[:toks[cut][1]], language, sentence, translate, text[toks[cut][1]:]) if cut else 1.0
        suffix = (frame_coverage(text[toks[end - 1][2]:], language, sentence, translate, text[:toks[end - 1][2]])
                  if end < len(toks) else 1.0)
        cases.append(GateCase(language, e["template"] < 0, (first, last), len(toks), (cut, p, prefix), (end, q, suffix)))
    return cases


def choose_gate(cases: list[GateCase]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The evidence gate (``FrameFinder.evidence_span``), chosen out of fold: for each coverage of ``COVERAGE_GRID``,
    each language's lowest probability (a 0.01 grid) at which at most ``MAX_BARE_CUT_EVIDENCE`` of its bare examples
    are cut; then the coverage under which the most framed examples' statements are found exactly, summed over the
    languages. Returns the gate and the table it was chosen from."""
    table: dict[str, Any] = {}
    for most in COVERAGE_GRID:
        row: dict[str, Any] = {}
        for language in ("en", "zh"):
            bare = [c for c in cases if c.language == language and c.bare]
            framed = [c for c in cases if c.language == language and not c.bare]
            for bar in np.round(np.arange(0.05, 1.0, 0.01), 2):
                cut = sum(c.decided(bar, most) != (0, c.n) for c in bare) / len(bare)
                if cut <= MAX_BARE_CUT_EVIDENCE:
                    found = sum(c.decided(bar, most) == c.truth for c in framed) / len(framed)
                    row[language] = {"min_probability": float(bar), "bare_cut": round(cut, 4), "statement_found": round(found, 4)}
                    break
        table[str(most)] = row
    best = max(COVERAGE_GRID, key=lambda m: sum(r["statement_found"] for r in table[str(m)].values()))
    chosen = {"max_coverage": best, "min_probability": {lang: r["min_probability"] for lang, r in table[str(best)].items()}}
    return chosen, table


def decided(cut: tuple[int, float, int, float], n: int, thresholds: dict[str, float]) -> tuple[int, int]:
    from rag.answer.frame_finder import statement_tokens

    return statement_tokens(n, cut[:2], cut[2:], (thresholds["prefix"], thresholds["suffix"]))


def cv_report(labelled: list[Any], oof: list[tuple[int, float, int, float]],
              thresholds: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Out of template-held-out folds: bare claims cut; framed claims whose statement is found exactly, per language."""
    out: dict[str, Any] = {}
    for language in ("en", "zh"):
        idx = [i for i, (e, _) in enumerate(labelled) if e["language"] == language]
        got = {i: decided(oof[i], len(labelled[i][1][0]), thresholds[language]) for i in idx}
        bare = [i for i in idx if labelled[i][0]["template"] < 0]
        framed = [i for i in idx if labelled[i][0]["template"] >= 0]
        out[language] = {
            "bare": len(bare), "bare_cut": round(sum(got[i] != (0, len(labelled[i][1][0])) for i in bare) / len(bare), 4),
            "framed": len(framed),
            "statement_found": round(sum(got[i] == labelled[i][1][2:] for i in framed) / len(framed), 4),
            "frame_cut": round(sum(got[i] != (0, len(labelled[i][1][0])) for i in framed) / len(framed), 4),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("train", help="fit the finder on the tune half → rag/data/frame_finder.json")
    parser.parse_args()
    common.setup_logging()
    from rag.answer.frame_finder import MODEL_PATH

    model = train()
    model["_about"] = ("The learned frame finder (rag/answer/frame_finder.py): logistic weights by feature, each side's "
                       "threshold for the finder alone, and the evidence gate the product uses. Made by "
                       "`python -m bench.frame_finder train` (sessions 38, 39).")
    MODEL_PATH.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    logger.info("wrote %s: %d weights\n%s", MODEL_PATH, len(model["weights"]), json.dumps(model["cross_validation"], indent=1))


if __name__ == "__main__":
    sys.exit(main())
