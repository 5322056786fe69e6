"""Slot comparisons of every stored claim row (claim against each of its sentences), under the code of the tree this runs
in; then the claims whose comparisons differ between two trees: the claims a slot rule can move.
Usage, from the repository root:
  PYTHONPATH=. python docs/candidates/s50/sig.py sig OUT_DIR NAME       # OUT_DIR/sig-NAME.json
  python docs/candidates/s50/sig.py diff OUT_DIR main cand OUT.json     # {"tune": [ids], "heldout": [ids]}"""
import json
import sys
from pathlib import Path

mode, out = sys.argv[1], Path(sys.argv[2])
if mode == "sig":
    from rag.answer.slots import compare_slots
    sigs: dict[str, dict[str, list]] = {}
    for half in ("tune", "heldout"):
        sigs[half] = {}
        for line in open(f"bench/results/claims-features-{half}.jsonl"):
            r = json.loads(line)
            sigs[half][r["id"]] = [[[(d.kind, str(d.claim.value), str(d.evidence.value)) for d in c.differences],
                                    c.matched, c.unmatched, c.negation_mismatch, sorted(c.unmatched_by_kind.items())]
                                   for c in (compare_slots(r["claim"], s) for s in r["sentences"])]
    json.dump(sigs, open(out / f"sig-{sys.argv[3]}.json", "w"))
else:
    a, b = json.load(open(out / f"sig-{sys.argv[3]}.json")), json.load(open(out / f"sig-{sys.argv[4]}.json"))
    moved = {half: sorted({i.split("~")[0] for i in a[half] if a[half][i] != b[half][i]}) for half in a}
    print({half: len(ids) for half, ids in moved.items()})
    json.dump(moved, open(sys.argv[5], "w"))
