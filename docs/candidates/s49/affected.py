"""Claims H (a person named beside a role) can move, and a check that the others compare alike under main's code and H's.
Usage, from the repository root:
  PYTHONPATH=. python docs/candidates/s49/affected.py list OUT_DIR      # in H's tree: OUT_DIR/affected.json, sample.json
  PYTHONPATH=. python docs/candidates/s49/affected.py sig OUT_DIR NAME  # in each tree: OUT_DIR/sig-NAME.json
  python docs/candidates/s49/affected.py same OUT_DIR main h            # pairs alike, per half
H can move only claims with a person slot (the comparison is driven by the claim's slots); the check compares each
sampled claim without one with its 8 stored sentences under both trees."""
import json
import random
import sys
from pathlib import Path

mode, out = sys.argv[1], Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

def stored(half):
    rows = {}
    for line in open(f"bench/results/claims-features-{half}.jsonl"):
        r = json.loads(line)
        rows[r["id"]] = (r["claim"], r["sentences"])
    return rows

if mode == "list":
    import bench.claims as bc
    from rag.answer.slots import extract_slots
    affected, sample = {}, {}
    for half in ("tune", "heldout"):
        hit = sorted(c["id"] for c in bc.load_claims(half)
                     if any(s.kind == "entity" and s.unit == "person" for s in extract_slots(c["claim"])))
        others = sorted(i for i in stored(half) if i.split("~")[0] not in set(hit))
        random.seed(0)
        affected[half], sample[half] = hit, random.sample(others, 400)
        print(half, "claims with a person slot", len(hit))
    json.dump(affected, open(out / "affected.json", "w"))
    json.dump(sample, open(out / "sample.json", "w"))
elif mode == "sig":
    from rag.answer.slots import compare_slots
    sample = json.load(open(out / "sample.json"))
    sigs = {}
    for half, ids in sample.items():
        rows = stored(half)
        sigs[half] = [[[(d.kind, str(d.claim.value), str(d.evidence.value)) for d in r.differences], r.matched,
                       r.unmatched, r.negation_mismatch] for i in ids for r in (compare_slots(rows[i][0], s) for s in rows[i][1])]
    json.dump(sigs, open(out / f"sig-{sys.argv[3]}.json", "w"))
else:
    a, b = json.load(open(out / f"sig-{sys.argv[3]}.json")), json.load(open(out / f"sig-{sys.argv[4]}.json"))
    for half in a:
        print(half, "pairs alike", sum(x == y for x, y in zip(a[half], b[half])), "of", len(a[half]))
