"""Per-row out-of-fold verdicts at the fitted threshold (tune), for a diagnostic: python verdicts.py RESULTS OUT"""
import json, sys
from pathlib import Path
from bench.claims_candidate import replay
from bench.claims import quoted_rows, quotes_supported
from rag.answer.claim_model import VERDICTS, decide
from bench.claims import grid_values
rows, p, gates, model, kept = replay(Path(sys.argv[1]), True, grid_values("0.03"), False)
t = model.supported_min_probability
verdicts = [decide(dict(zip(VERDICTS, q)), t, (bool(s), bool(c))) for q, s, c in zip(p.tolist(), *gates)]
verdicts = quotes_supported(verdicts, quoted_rows(rows))
with open(sys.argv[2], "w") as f:
    for r, v, q, s in zip(rows, verdicts, p.tolist(), gates[0]):
        f.write(json.dumps({"id": r["id"], "label": r["label"], "transform": r["transform"], "pair": f"{r['claim_lang']}/{r['source_lang']}",
                            "verdict": v, "p": [round(x, 3) for x in q], "gate_s": bool(s), "claim": r["claim"]}, ensure_ascii=False) + "\n")
print(t, len(rows))
