"""K9's tune reading (journal, session 46): K8's (fold models fitted on the control's rows, each fold's model reading the
candidate's rows of its documents; the shipped gates), at thresholds from the shipped one up, for either model.
PYTHONPATH=. python docs/candidates/s45-readings/k9_reading.py CONTROL CANDIDATE reader|plain  (run in /work/main)"""
import sys
from pathlib import Path
import numpy as np
from bench import claims as bc, common
from bench.claims_candidate import metrics
from bench.reader_folds import fold_of
from rag.answer.claim_model import MODEL_PATH, READER_MODEL_PATH, VERDICTS, ClaimModel, cross_language_gates, vector_names

control, candidate, which = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
path = READER_MODEL_PATH if which == "reader" else MODEL_PATH
shipped = ClaimModel.load(path)
options = bc.recorded_fit(path)
ids = set(options["claims"].read_text(encoding="utf-8").split())
documents = bc.source_documents("tune")
with common.results_in(control):
    a_rows, a_reader = bc.read_features("tune"), bc.read_reader("tune")
with common.results_in(candidate):
    b_rows, b_reader = bc.read_features("tune"), bc.read_reader("tune")
B = "B:"
b_rows = [dict(r, id=B + r["id"]) for r in b_rows]
rows = a_rows + b_rows
reader = a_reader | {B + k: v for k, v in b_reader.items()}
plain = [r["id"].removeprefix(B) for r in rows]
folds = [fold_of(documents[i]) or 0 for i in plain]
near = np.array([i.endswith(bc.NEAR_MISS) for i in plain])
is_a = np.array([not r["id"].startswith(B) for r in rows])
kept = np.array([i.removesuffix(bc.NEAR_MISS) in ids for i in plain])
fit_rows = is_a & kept  # step 1 and step 2 fitted on the control's 4,410 claims only, as the shipped models were
vectors = bc.out_of_fold_vectors(rows, folds, options["c"], reader if which == "reader" else None, fit_rows)
x = vectors[:, [vector_names().index(n) for n in shipped.features]]
fitted = fit_rows & ~near
mean, scale = bc.standardise(x[fitted])
y = np.array([VERDICTS.index(r["label"]) for r in rows])
p = bc.out_of_fold_probabilities((x - mean) / scale, y, folds, float(shipped.trained["c"]), fitted)
p[[not r["pairs"] for r in rows]] = [0.0, 0.0, 1.0]
gates = cross_language_gates(vectors, shipped.cross_language_supported_min_relevance,
                             shipped.cross_language_contradicted_min_relevance)
t0 = shipped.supported_min_probability
keys = ["claims", "precision", "precision_with_near_misses", "near_misses_right", "zh/zh", "en/zh", "zh/en", "en/en",
        "number", "date", "entity", "negation", "translated"]
for name, side, thresholds in (("control", is_a, [t0]), ("K9", ~is_a, [round(t0 + 0.01 * k, 2) for k in range(11)])):
    for t in thresholds:
        for scope, inside in (("every", side), ("4410", side & kept)):
            idx = np.flatnonzero(inside)
            m = metrics([rows[i] for i in idx], p[idx], t, gates=(gates[0][idx], gates[1][idx]))
            print(which, name, scope, f"t={t}", " ".join(f"{k}={m.get(k, float('nan')):.4f}" for k in keys), flush=True)
t = t0
if len(sys.argv) > 4:  # per-row verdicts of both sides: id, label, pair, verdict, claim, best sentence
    import json
    from bench.claims_candidate import row_verdicts
    from rag.answer.claim_model import relevance_order
    v = row_verdicts(rows, p, t, gates=gates)
    with open(sys.argv[4], "w", encoding="utf-8") as sink:
        for i, r in enumerate(rows):
            sink.write(json.dumps({"id": r["id"], "label": r["label"], "transform": r["transform"],
                                   "pair": f"{r['claim_lang']}/{r['source_lang']}", "verdict": v[i],
                                   "claim": r["claim"], "sentences": r["sentences"], "source": r["source"],
                                   "p": [round(float(q), 3) for q in p[i]]}, ensure_ascii=False) + "\n")
