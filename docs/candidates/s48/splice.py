"""The stored rows of a half (bench/results) with the rows of a rerun (rerun.py's OUTDIR) in place of theirs, both
features and reader scores, into a folder `bench.claims_candidate heldout` reads.
Usage: python splice.py HALF RERUN_DIR OUT_DIR"""
import json, sys
from pathlib import Path
half, rerun, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
for kind in ("features", "reader"):
    name = f"claims-{kind}-{half}.jsonl"
    new = {r["id"]: line for line in open(rerun / name) if (r := json.loads(line))}
    with open(out / name, "w") as f:
        for line in open(Path("bench/results") / name):
            r = json.loads(line)
            f.write(new.pop(r["id"], None) or line)
        for line in new.values():  # rows the stored file lacked (a reader row the control did not need)
            f.write(line)
    print(kind, "rows from the rerun:", len([1 for _ in open(rerun / name)]), "of them new to the stored file:", len(new))
