"""A claim-check candidate against its control on the tune half, out of fold (never the held-out half): the loop each
slot or feature candidate of sessions 25–27 went through, as commands instead of scratch scripts.

1. ``recompute``: the sentence-level slot columns of the cached claim rows (``bench/results/claims-features-*.jsonl``)
   recomputed with the current ``rag.answer.slots`` into a folder, the reader's cached scores beside them. A slot
   change does not change retrieval or the candidates, so this stands for ``python -m bench.claims features``.
2. ``insert``: a new pair column that needs retrieval (a passage's coverage, say) taken from a full features run
   (``python -m bench.claims --results DIR features --half tune`` on the candidate's code) into the cached rows,
   every other column kept. A rerun does not reproduce the cache exactly: the embedder's float sums move cosines in
   the fourth decimal and reorder near-tied tail candidates (489 of 5,125 tune claims, session 35), and the reader's
   cached scores are of the cached pairs. A cached sentence the rerun did not keep takes its passage-mate's value (the
   claim-passage cosine names the passage, as ``bench.claims.near_miss`` reads it), else 0.
   ``refresh``: the columns of the claim's comparison with each sentence's *passage* (``PASSAGE_COLUMNS``), which
   ``recompute`` cannot redo (the rows hold sentences, not passages), taken from a full features run of the
   candidate's code by sentence or passage-mate, every other column kept (journal, session 42: S2d's first reading
   recomputed only the sentence columns).
3. ``splice``: a candidate that changes what some claims read (a frame cut off, say) — its full features run's rows
   for exactly those claims (the statement read differs from the control's), their near misses and reader rows
   with them, every other row the control's: the change without the rerun's noise (see 2).
4. ``compare``: for each folder, the shipped model's fit replayed as its file records it (``bench.claims.recorded_fit``:
   step 1, C from the grid, the threshold with its near-miss floor, the cross-language gates; the 4,410 claims of
   ``FIT_IDS``), read out of fold as the fit chooses (step 1 and step 2 without each fold of documents, the near
   misses read, never fitted on), the gates and quoted claims applied as the product applies them. ``--plain``: the
   plain model; ``--c-grid 0.03``: C held (a grid of one); ``--threshold``: also at a fixed threshold. On today's rows
   it gives the shipped choices (reader: C 0.03, 0.57, gates 0.10 / 0.10; claims 0.9229, precision with near misses
   0.9270, near misses right 0.8773).
5. ``heldout``: the one look at the held-out half a candidate's rule allows — each folder's held-out rows read by the
   shipped model files or a candidate's (``--models``), as the product reads a claim; claims alone and with the near
   misses. A candidate that refits the models should carry its held-out bar in its rule (journal, session 41: a slot
   change that gained on tune lost held out once the refit moved the threshold).

Usage::

    python -m bench.claims_candidate recompute --half tune --out /tmp/cand      # after changing rag.answer.slots
    python -m bench.claims_candidate refresh --half tune --rerun /tmp/rerun --source /tmp/cand --out /tmp/cand2
    python -m bench.claims_candidate insert --half tune --rerun /tmp/rerun --column context_coverage --out /tmp/cand
    python -m bench.claims_candidate splice --half framed2-tune --control CTL --rerun /tmp/rerun --out /tmp/cand
    python -m bench.claims_candidate compare bench/results /tmp/cand            # the control first
    python -m bench.claims_candidate compare bench/results /tmp/cand --plain
    python -m bench.claims_candidate compare bench/results /tmp/cand --verdicts /tmp/v   # then bench.claims_paired
    python -m bench.claims_candidate heldout bench/results /tmp/cand --models rag/data /tmp/cand-models   # one look
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.claims_candidate")
KINDS = ("number", "date", "entity", "negation", "stance", "quantifier", "restate_cross", "omission",
         "unsupported_detail", "restate_same", "translated")
PAIRS = ("zh/zh", "en/zh", "zh/en", "en/en")


def slot_columns(claim: str, sentence: str) -> dict[str, float]:
    """The claim features the sentence-level slot comparison gives (``rag.answer.claim_features.sentence_columns``)."""
    from rag.answer.claim_features import sentence_columns
    from rag.answer.slots import compare_slots

    return sentence_columns(compare_slots(claim, sentence))


def _rewrite(half: str, source: Path, out: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """The half's cached rows in ``source``, each changed in place by ``edit``, written to ``out`` with the reader's
    cached scores beside them (what ``recompute``, ``insert`` and ``refresh`` share)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"claims-features-{half}.jsonl", "w", encoding="utf-8") as written:
        for line in (source / f"claims-features-{half}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            edit(row)
            written.write(json.dumps(row, ensure_ascii=False) + "\n")
    reader = source / f"claims-reader-{half}.jsonl"
    if reader.exists():
        shutil.copy(reader, out / reader.name)


def _rerun_columns(rerun: Path, half: str, at: list[int]) -> dict[str, dict[str, list[float]]]:
    """Per claim, per sentence, the pair columns ``at`` of a full features run's rows (what ``insert`` and ``refresh``
    take from it)."""
    fresh = {}
    for line in (rerun / f"claims-features-{half}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        fresh[row["id"]] = {s: [pair[i] for i in at] for s, pair in zip(row["sentences"], row["pairs"], strict=True)}
    return fresh


def recompute(half: str, out: Path, source: Path | None = None) -> dict[str, int]:
    """The half's cached rows with their slot columns recomputed, written to ``out``; cells changed per column."""
    from rag.answer.claim_features import FEATURE_NAMES
    from rag.answer.claims import strip_claim

    changed: dict[str, int] = {}

    def edit(row: dict[str, Any]) -> None:
        claim = strip_claim(row["claim"])
        for pair, sentence in zip(row["pairs"], row["sentences"], strict=True):
            for name, value in slot_columns(claim, sentence).items():
                column = FEATURE_NAMES.index(name)
                changed[name] = changed.get(name, 0) + (abs(pair[column] - value) > 1e-9)
                pair[column] = value

    _rewrite(half, source or common.RESULTS_DIR, out, edit)
    return changed


def insert(half: str, rerun: Path, column: str, out: Path, source: Path | None = None) -> dict[str, int]:
    """The half's cached rows with the pair column ``column`` (a name of ``TEXT_FEATURES``, new in the current code)
    taken from ``rerun``'s rows of a full features run, written to ``out`` with the reader's cached scores; counts of
    rows whose candidates the rerun changed and of cells left at 0."""
    from bench.claims import COSINE
    from rag.answer.claim_features import TEXT_FEATURES

    source = source or common.RESULTS_DIR
    at = TEXT_FEATURES.index(column)
    fresh = {claim: {s: v[0] for s, v in by.items()} for claim, by in _rerun_columns(rerun, half, [at]).items()}
    counts = {"rows": 0, "changed": 0, "left_at_zero": 0}

    def edit(row: dict[str, Any]) -> None:
        if len(row["pairs"]) and len(row["pairs"][0]) != len(TEXT_FEATURES) - 1:
            raise ValueError(f"{row['id']}: cached rows already hold {column}, or predate another column")
        by_sentence = fresh[row["id"]]
        values = [by_sentence.get(sentence) for sentence in row["sentences"]]
        passages = {round(p[COSINE], 5): v for p, v in zip(row["pairs"], values, strict=True) if v is not None}
        counts["rows"] += 1
        counts["changed"] += list(by_sentence) != row["sentences"]
        counts["left_at_zero"] += sum(v is None and round(p[COSINE], 5) not in passages
                                      for p, v in zip(row["pairs"], values, strict=True))
        values = [v if v is not None else passages.get(round(p[COSINE], 5), 0.0)
                  for p, v in zip(row["pairs"], values, strict=True)]
        row["pairs"] = [p[:at] + [v] + p[at:] for p, v in zip(row["pairs"], values, strict=True)]

    _rewrite(half, source, out, edit)
    return counts


# The pair columns a claim's comparison with a sentence's whole passage gives: ``recompute`` cannot redo them (the
# cached rows hold the sentences, not their passages), so a slot change's rows take them from a full rerun (``refresh``).
PASSAGE_COLUMNS = ("passage_diff_quantity", "passage_diff_date", "passage_diff_entity", "unmatched_quantity",
                   "unmatched_date", "unmatched_entity", "other_number", "unstated_number")


def refresh(half: str, rerun: Path, out: Path, columns: tuple[str, ...] = PASSAGE_COLUMNS,
            source: Path | None = None) -> dict[str, int]:
    """The half's cached rows with ``columns`` (of a sentence's passage: the same for every sentence of it) taken from
    ``rerun``'s full features run by sentence, or by a passage-mate (same claim-passage cosine) the rerun kept; a cell
    neither gives is kept as cached. Written to ``out`` with the reader's cached scores; cells changed per column, and
    cells kept for want of a fresh value."""
    from bench.claims import COSINE
    from rag.answer.claim_features import FEATURE_NAMES

    at = [FEATURE_NAMES.index(c) for c in columns]
    source = source or common.RESULTS_DIR
    fresh = _rerun_columns(rerun, half, at)
    counts = dict.fromkeys(columns, 0) | {"kept": 0}

    def edit(row: dict[str, Any]) -> None:
        by_sentence = fresh.get(row["id"], {})
        by_passage = {round(p[COSINE], 5): by_sentence[s] for p, s in zip(row["pairs"], row["sentences"], strict=True)
                      if s in by_sentence}
        for pair, sentence in zip(row["pairs"], row["sentences"], strict=True):
            values = by_sentence.get(sentence) or by_passage.get(round(pair[COSINE], 5))
            if values is None:
                counts["kept"] += 1
                continue
            for name, i, value in zip(columns, at, values, strict=True):
                counts[name] += abs(pair[i] - value) > 1e-9
                pair[i] = value

    _rewrite(half, source, out, edit)
    return counts


def _jsonl(path: Path) -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["id"]: row for row in rows}


def read_as(row: dict[str, Any]) -> str:
    """The text the check read for a cached claim row: its ``statement``, or for rows cached before statements were
    recorded the claim as ``PolicyQA.read_claim`` reads it uncut."""
    from rag.answer.claims import strip_claim
    from rag.retrieval.query import clean_question
    from rag.settings import get_settings

    most = get_settings().max_question_chars
    return row.get("statement") or clean_question(strip_claim(clean_question(row["claim"], most)), most)


def splice(half: str, control: Path, rerun: Path, out: Path) -> dict[str, int]:
    """The control's rows of ``half`` with those of the claims whose statement ``rerun`` reads otherwise replaced by
    ``rerun``'s, their reader rows (the claim's and its near miss's, ``ID~nm``) with them; written to ``out`` (a link
    there is replaced, never written through)."""
    features = _jsonl(control / f"claims-features-{half}.jsonl")
    fresh = _jsonl(rerun / f"claims-features-{half}.jsonl")
    changed = {i for i, row in fresh.items() if i in features and read_as(row) != read_as(features[i])}
    reader, fresh_reader = (folder / f"claims-reader-{half}.jsonl" for folder in (control, rerun))
    kept = _jsonl(reader) if reader.exists() else None
    new = _jsonl(fresh_reader) if fresh_reader.exists() else {}
    out.mkdir(parents=True, exist_ok=True)
    for name in (f"claims-features-{half}.jsonl", reader.name):
        (out / name).unlink(missing_ok=True)
    with open(out / f"claims-features-{half}.jsonl", "w", encoding="utf-8") as written:
        written.writelines(json.dumps(fresh[i] if i in changed else row, ensure_ascii=False) + "\n"
                           for i, row in features.items())
    if kept is not None:
        with open(out / reader.name, "w", encoding="utf-8") as written:
            for i in [*kept, *(i for i in new if i not in kept)]:
                row = new.get(i) if i.split("~")[0] in changed else kept.get(i)
                if row is not None:
                    written.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {"rows": len(features), "changed": len(changed), "missing_in_rerun": len(set(features) - set(fresh))}


def metrics(rows: list[dict[str, Any]], probabilities: np.ndarray, threshold: float, quotes: bool = True,
            gates: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
    """``verdict_metrics`` of the verdicts ``probabilities`` give at ``threshold``. ``quotes``: a quoted claim is
    supported, as the product says (``bench.claims.quoted_rows``); False reads the model alone. ``gates``: per row,
    whether "supported" and "contradicted" may be said (``ClaimModel.gates``)."""
    return {"threshold": threshold} | verdict_metrics(rows, row_verdicts(rows, probabilities, threshold, quotes, gates))


def row_verdicts(rows: list[dict[str, Any]], probabilities: np.ndarray, threshold: float, quotes: bool = True,
                 gates: tuple[np.ndarray, np.ndarray] | None = None) -> list[str]:
    """Each row's verdict at ``threshold`` as the product gives it (``metrics``'s arguments)."""
    from bench.claims import quoted_rows, quotes_supported
    from rag.answer.claim_model import VERDICTS, decide

    allowed = zip(*gates, strict=True) if gates is not None else ((True, True) for _ in rows)
    verdicts = [decide(dict(zip(VERDICTS, p, strict=True)), threshold, (bool(s), bool(c)))
                for p, (s, c) in zip(probabilities.tolist(), allowed, strict=True)]
    return quotes_supported(verdicts, quoted_rows(rows)) if quotes else verdicts


def write_verdicts(path: Path, rows: list[dict[str, Any]], documents: dict[str, str],
                   verdicts: dict[str, list[str]]) -> None:
    """Per row: id, label, language pair, its source document and its verdict at each named threshold
    (``compare --verdicts``), the input of ``bench.claims_paired``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as sink:
        for i, r in enumerate(rows):
            record = {"id": r["id"], "label": r["label"], "pair": f"{r['claim_lang']}/{r['source_lang']}",
                      "document": documents[r["id"]], **{name: v[i] for name, v in verdicts.items()}}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")


def verdict_metrics(rows: list[dict[str, Any]], verdicts: list[str]) -> dict[str, float]:
    """Claims accuracy (near misses aside), "supported" precision with and without the near misses, the share of
    near misses called supported and called right, accuracy per language pair, per transform and per label."""
    from bench.claims import NEAR_MISS

    y = np.array([r["label"] for r in rows])
    v = np.array(verdicts)
    near = np.array([r["id"].endswith(NEAR_MISS) for r in rows])
    right = v == y
    said = v == "supported"
    out = {"claims": right[~near].mean(),
           "precision": ((y == "supported") & said & ~near).sum() / max(1, (said & ~near).sum()),
           "precision_with_near_misses": ((y == "supported") & said).sum() / max(1, said.sum()),
           "near_misses_supported": said[near].mean() if near.any() else float("nan"),
           "near_misses_right": right[near].mean() if near.any() else float("nan")}
    pairs = np.array([f"{r['claim_lang']}/{r['source_lang']}" for r in rows])
    kinds = np.array([r["transform"] for r in rows])
    out |= {pair: right[~near & (pairs == pair)].mean() for pair in PAIRS if (~near & (pairs == pair)).any()}
    out |= {kind: right[~near & (kinds == kind)].mean() for kind in KINDS if (~near & (kinds == kind)).any()}
    out |= {f"label {label}": right[~near & (y == label)].mean() for label in ("supported", "contradicted", "not_found")
            if (~near & (y == label)).any()}
    return {k: round(float(x), 4) for k, x in out.items()} | {"n": float((~near).sum())}


def replay(results: Path, reader: bool = True, grid: list[float] | None = None, every_claim: bool = False,
           scored: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], np.ndarray, tuple[np.ndarray, np.ndarray], Any,
                                                  np.ndarray]:
    """The shipped claim model's fit replayed on the folder's tune rows (its file's recorded command,
    ``bench.claims.recorded_fit``; ``grid``: step 2's C grid instead of the recorded one, e.g. one value to hold C)
    and every row read out of fold as the fit chooses: step 1 and step 2 without each fold of documents, the near
    misses read and never fitted on. ``reader``: the reader model (the default), else the plain one. ``every_claim``:
    the tune claims the fit leaves out (the 715 the local LLM translated) are read too; ``scored``: other halves' rows
    (the framed family, ``bench.claim_frames``) read after the tune rows — neither ever fitted on. Returns the rows,
    their out-of-fold probabilities, the cross-language gates, the fitted model and which rows were fitted on."""
    from bench import claims as bc
    from bench.reader_folds import fold_of
    from rag.answer.claim_model import (
        MODEL_PATH,
        READER_MODEL_PATH,
        VERDICTS,
        cross_language_gates,
        vector_names,
    )

    options = bc.recorded_fit(READER_MODEL_PATH if reader else MODEL_PATH)
    options["grid"] = grid or options["grid"]
    with common.results_in(results):
        model = bc.fit_model(**options)
        rows = bc.read_features("tune")
        ids = set(options["claims"].read_text(encoding="utf-8").split()) if options["claims"] is not None else None
        if ids is not None and not every_claim:
            rows = bc.only_claims(rows, ids)
        kept = np.array([ids is None or r["id"].removesuffix(bc.NEAR_MISS) in ids for r in rows])
        documents = bc.source_documents("tune")
        scores = bc.read_reader("tune") if reader else None
        for half in scored:
            extra = bc.read_features(half)
            rows, kept = rows + extra, np.concatenate([kept, np.zeros(len(extra), dtype=bool)])
            documents |= bc.source_documents(half)
            scores = scores | bc.read_reader(half) if scores is not None else None
        folds = [fold_of(documents[r["id"]]) or 0 for r in rows]
        vectors = bc.out_of_fold_vectors(rows, folds, options["c"], scores, kept)
    x = vectors[:, [vector_names().index(name) for name in model.features]]
    near = np.array([r["id"].endswith(bc.NEAR_MISS) for r in rows])
    fitted = kept & ~near
    mean, scale = bc.standardise(x[fitted])
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    p = bc.out_of_fold_probabilities((x - mean) / scale, y, folds, float(model.trained["c"]), fitted)
    p[[not r["pairs"] for r in rows]] = [0.0, 0.0, 1.0]  # no sentence to read the claim against: not found (judge_claim)
    gates = cross_language_gates(vectors, model.cross_language_supported_min_relevance,
                                 model.cross_language_contradicted_min_relevance)
    return rows, p, gates, model, kept


def matched_threshold(rows: list[dict[str, Any]], probabilities: np.ndarray, target: float,
                      gates: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """The lowest "supported" threshold (step 0.01, from 0.30) at which the precision of "supported" on the claims
    (``metrics``: gates and quotes applied) reaches ``target`` — a candidate read at the control's precision (journal,
    session 44: the matched operating point); 0.99 where none does."""
    for t in np.arange(0.30, 1.0, 0.01):
        if metrics(rows, probabilities, round(float(t), 2), gates=gates)["precision"] >= target:
            return round(float(t), 2)
    return 0.99


def match_target(matched: bool, given: float | None, control: dict[str, dict[str, float]] | None) -> float | None:
    """The precision a folder is read at with ``compare --matched``: ``given`` (``--match-precision``: a control read
    by other code, whose rows this code cannot read), else the control's fitted one (the first folder's, ``control``;
    None for the control itself); None when not matched."""
    if given is not None:
        return given
    return control["fitted"]["precision"] if matched and control else None


def evaluate(results: Path, reader: bool = True, grid: list[float] | None = None,
             threshold: float | None = None, every_claim: bool = False, match: float | None = None,
             verdicts_out: Path | None = None) -> dict[str, dict[str, float]]:
    """``replay``'s out-of-fold reading scored at the fitted threshold, the cross-language gates and the quoted claims
    applied as the product applies them; with ``threshold``, also at that one; with ``match`` (a precision), also at
    ``matched_threshold``. ``verdicts_out``: each row's verdict at each of those thresholds written there."""
    from bench.claims import source_documents

    rows, p, gates, model, _ = replay(results, reader, grid, every_claim)
    chosen = {"c": float(model.trained["c"]), "supported_gate": model.cross_language_supported_min_relevance,
              "contradicted_gate": model.cross_language_contradicted_min_relevance}
    at = {"fitted": model.supported_min_probability}
    if threshold is not None:
        at["fixed"] = threshold
    if match is not None:
        at["matched"] = matched_threshold(rows, p, match, gates)
    verdicts = {name: row_verdicts(rows, p, t, gates=gates) for name, t in at.items()}
    if verdicts_out is not None:
        write_verdicts(verdicts_out, rows, source_documents("tune"), verdicts)
    return {name: {"threshold": t} | verdict_metrics(rows, verdicts[name]) | chosen for name, t in at.items()}


def heldout_metrics(results: Path, reader: bool = True, half: str = "heldout", models: Path | None = None,
                    verdicts_out: Path | None = None) -> dict[str, float]:
    """A claim model on the folder's rows of ``half`` as the product reads a claim (its gates, quoted claims
    supported, a claim with no sentence not found): ``verdict_metrics`` and the claims right. ``models``: the folder
    of the model files (default: the shipped ``rag/data``). The held-out check a candidate's rule reads once.
    ``verdicts_out``: each row's verdict written there (as "fitted", its own threshold; ``bench.claims_paired``)."""
    from bench import claims as bc
    from rag.answer.claim_model import MODEL_PATH, READER_MODEL_PATH, ClaimModel

    path = READER_MODEL_PATH if reader else MODEL_PATH
    model = ClaimModel.load(models / path.name if models is not None else path)
    with common.results_in(results):
        rows = bc.read_features(half)
        vectors = bc.claim_vectors(rows, model, bc.read_reader(half) if reader else None)
    verdicts = bc.quotes_supported([model.verdict(model.probabilities(v.tolist()), vector=v) if r["pairs"] else "not_found"
                                    for v, r in zip(vectors, rows, strict=True)], bc.quoted_rows(rows))
    if verdicts_out is not None:
        write_verdicts(verdicts_out, rows, bc.source_documents(half), {"fitted": verdicts})
    right = sum(v == r["label"] for r, v in zip(rows, verdicts, strict=True) if not r["id"].endswith(bc.NEAR_MISS))
    return verdict_metrics(rows, verdicts) | {"right": float(right)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    again = sub.add_parser("recompute", help="slot columns of the cached rows recomputed with the current code")
    again.add_argument("--half", choices=("tune", "heldout"), required=True)
    again.add_argument("--out", type=Path, required=True)
    column = sub.add_parser("insert", help="a new pair column from a full features rerun, into the cached rows")
    column.add_argument("--half", choices=("tune", "heldout"), required=True)
    column.add_argument("--rerun", type=Path, required=True, help="the results folder of the candidate's features run")
    column.add_argument("--column", required=True, help="the new pair feature's name")
    column.add_argument("--out", type=Path, required=True)
    fresh = sub.add_parser("refresh", help="passage-level slot columns of the cached rows from a full features rerun")
    fresh.add_argument("--half", choices=("tune", "heldout"), required=True)
    fresh.add_argument("--rerun", type=Path, required=True, help="the results folder of a full features run")
    fresh.add_argument("--source", type=Path, default=None, help="the cached rows (default: bench/results)")
    fresh.add_argument("--out", type=Path, required=True)
    spliced = sub.add_parser("splice", help="the control's rows, those whose statement the rerun reads otherwise from it")
    spliced.add_argument("--half", required=True)
    spliced.add_argument("--control", type=Path, required=True)
    spliced.add_argument("--rerun", type=Path, required=True, help="the results folder of the candidate's features run")
    spliced.add_argument("--out", type=Path, required=True)
    against = sub.add_parser("compare", help="the shipped fit replayed on each folder's rows, tune out of fold")
    against.add_argument("folders", type=Path, nargs="+", help="the control first")
    against.add_argument("--plain", action="store_true", help="the plain model (default: the reader model)")
    against.add_argument("--c-grid", default=None, help="step 2's C grid instead of the recorded one (one value: C held)")
    against.add_argument("--threshold", type=float, default=None, help="also read at this fixed threshold")
    against.add_argument("--matched", action="store_true",
                         help="also read each at the lowest threshold reaching the control's precision (session 44)")
    against.add_argument("--match-precision", type=float, default=None,
                         help="read each folder matched at this precision (a control read by other code)")
    against.add_argument("--verdicts", type=Path, default=None,
                         help="a folder: each folder's per-row verdicts written there (bench.claims_paired reads them)")
    against.add_argument("--every-claim", action="store_true",
                         help="also score the tune claims the fit leaves out (read out of fold, never fitted on)")
    held = sub.add_parser("heldout", help="each folder's held-out rows read by a model as the product reads a claim")
    held.add_argument("folders", type=Path, nargs="+", help="the control first")
    held.add_argument("--models", type=Path, nargs="*", default=None,
                      help="per folder, the folder of its model files (default: rag/data for each)")
    held.add_argument("--plain", action="store_true", help="the plain model (default: the reader model)")
    held.add_argument("--verdicts", type=Path, default=None,
                      help="a folder: each folder's per-row verdicts written there (bench.claims_paired reads them)")
    args = parser.parse_args()
    common.setup_logging()
    if args.command == "recompute":
        logger.info("%s: cells changed %s", args.half, recompute(args.half, args.out))
        return
    if args.command == "insert":
        logger.info("%s: %s", args.half, insert(args.half, args.rerun, args.column, args.out))
        return
    if args.command == "refresh":
        logger.info("%s: %s", args.half, refresh(args.half, args.rerun, args.out, source=args.source))
        return
    if args.command == "splice":
        logger.info("%s: %s", args.half, splice(args.half, args.control, args.rerun, args.out))
        return
    if args.command == "heldout":
        models = args.models or [None] * len(args.folders)
        if len(models) != len(args.folders):
            parser.error("--models: one folder of model files per results folder")
        read = {f"{folder.name} ({m or 'rag/data'})": heldout_metrics(
                    folder, not args.plain, models=m, verdicts_out=args.verdicts / f"{folder.name}.jsonl"
                    if args.verdicts else None) for folder, m in zip(args.folders, models, strict=True)}
        keys = list(next(iter(read.values())))
        table = [[k, *(f"{r.get(k, float('nan')):.4f}" for r in read.values())] for k in keys]
        logger.info("held-out\n%s", common.markdown_table(["", *read], table))
        return
    from bench.claims import grid_values

    results: dict[str, dict[str, dict[str, float]]] = {}
    for folder in args.folders:  # the control first: its fitted precision is what --matched matches
        control = next(iter(results.values()), None)
        out = args.verdicts / f"{folder.name}.jsonl" if args.verdicts else None
        results[str(folder)] = evaluate(folder, not args.plain, grid_values(args.c_grid), args.threshold,
                                        args.every_claim, match_target(args.matched, args.match_precision, control),
                                        out)
    if args.matched and args.match_precision is None:
        results[str(args.folders[0])]["matched"] = results[str(args.folders[0])]["fitted"]
    for which in ("fitted", "fixed", "matched"):
        if all(which in r for r in results.values()):
            keys = list(next(iter(results.values()))[which])
            table = [[k, *(f"{r[which].get(k, float('nan')):.4f}" for r in results.values())] for k in keys]
            logger.info("tune, out of fold, %s threshold\n%s", which,
                        common.markdown_table(["", *(Path(f).name for f in results)], table))


if __name__ == "__main__":
    sys.exit(main())
