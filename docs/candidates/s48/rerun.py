"""Rows, reader scores and the shipped models' verdicts for the claims T can move (affected.json), on the code of the
tree this runs in. Usage: PYTHONPATH=. python docs/candidates/s48/rerun.py HALF OUTDIR INDEXES IDS.json"""
import json, sys
from pathlib import Path
from bench import common
import bench.claims as bc

half, out = sys.argv[1], Path(sys.argv[2])
bc.INDEXES = Path(sys.argv[3])  # a copy of the policy index of its own (one process an index)
ids = set(json.load(open(sys.argv[4]))[half])  # the claims the candidate can move
original = bc.load_claims
bc.load_claims = lambda h, limit=None: [c for c in original(h, limit) if c["id"] in ids]
out.mkdir(parents=True, exist_ok=True)
common.RESULTS_DIR = out
common.setup_logging()
bc.compute_features(half, None)
folds = Path("/tmp/folds/reader.safetensors") if half == "tune" else None
bc.compute_reader(half, bc.ROOT / "rag" / "data" / "reader.safetensors", 2, folds)
from rag.answer.claim_model import READER_MODEL_PATH, ClaimModel
plain, with_reader = ClaimModel.load(), ClaimModel.load(READER_MODEL_PATH)
rows = bc.read_features(half)
quoted = bc.quoted_rows(rows)
vp = bc.claim_vectors(rows, plain)
vr = bc.claim_vectors(rows, with_reader, bc.read_reader(half))
plain_v = bc.quotes_supported([plain.verdict(plain.probabilities(v.tolist()), vector=v) for v in vp], quoted)
reader_v = bc.quotes_supported([with_reader.verdict(with_reader.probabilities(v.tolist()), vector=v) for v in vr], quoted)
with open(out / "verdicts.jsonl", "w") as f:
    for r, a, b in zip(rows, plain_v, reader_v):
        f.write(json.dumps({"id": r["id"], "label": r["label"], "transform": r.get("transform"), "plain": a, "reader": b}) + "\n")
print("done", len(rows))
