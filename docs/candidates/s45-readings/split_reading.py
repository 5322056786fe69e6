"""A reading (tune, out of fold): step 2 fitted per claim language vs shared, on a results folder's rows.
python .cache/s45/split_reading.py FOLDER [FOLDER...]  (run in /work/main: main's recorded fit)"""
import sys
from pathlib import Path
import numpy as np
from bench import claims as bc, common
from bench.claims_candidate import metrics, matched_threshold
from bench.reader_folds import fold_of
from rag.answer.claim_model import READER_MODEL_PATH, VERDICTS, cross_language_gates, vector_names

def read(results, every_claim):
    options = bc.recorded_fit(READER_MODEL_PATH)
    options["grid"] = [0.03]
    with common.results_in(results):
        model = bc.fit_model(**options)
        rows = bc.read_features("tune")
        ids = set(options["claims"].read_text(encoding="utf-8").split())
        if not every_claim:
            rows = bc.only_claims(rows, ids)
        kept = np.array([r["id"].removesuffix(bc.NEAR_MISS) in ids for r in rows])
        documents = bc.source_documents("tune")
        scores = bc.read_reader("tune")
        folds = [fold_of(documents[r["id"]]) or 0 for r in rows]
        vectors = bc.out_of_fold_vectors(rows, folds, options["c"], scores, kept)
    x = vectors[:, [vector_names().index(n) for n in model.features]]
    near = np.array([r["id"].endswith(bc.NEAR_MISS) for r in rows])
    fitted = kept & ~near
    y = np.array([VERDICTS.index(r["label"]) for r in rows])
    lang = np.array([r["claim_lang"] for r in rows])
    c = float(model.trained["c"])
    out = {}
    for split in (False, True):
        p = np.zeros((len(rows), 3))
        groups = [lang == "zh", lang == "en"] if split else [np.ones(len(rows), dtype=bool)]
        for g in groups:
            mean, scale = bc.standardise(x[g & fitted])
            p[g] = bc.out_of_fold_probabilities((x[g] - mean) / scale, y[g], list(np.array(folds)[g]), c, fitted[g])
        p[[not r["pairs"] for r in rows]] = [0.0, 0.0, 1.0]
        gates = cross_language_gates(vectors, model.cross_language_supported_min_relevance,
                                     model.cross_language_contradicted_min_relevance)
        out[split] = (rows, p, gates, model.supported_min_probability)
    return out

keys = ["threshold", "claims", "precision", "precision_with_near_misses", "zh/zh", "en/zh", "zh/en", "en/en", "translated"]
for folder in sys.argv[1:]:
    for every in (False, True):
        res = read(Path(folder), every)
        target = res[False] and metrics(res[False][0], res[False][1], res[False][3], gates=res[False][2])["precision"]
        for split, (rows, p, gates, t) in res.items():
            m = metrics(rows, p, t, gates=gates)
            tm = matched_threshold(rows, p, target, gates)
            mm = metrics(rows, p, tm, gates=gates)
            print(folder, "every" if every else "4410", "split" if split else "shared",
                  " ".join(f"{k}={m.get(k, float('nan')):.4f}" for k in keys), "| matched:",
                  " ".join(f"{k}={mm.get(k, float('nan')):.4f}" for k in keys))
