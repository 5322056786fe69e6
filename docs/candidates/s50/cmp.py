"""compare a candidate's rerun with main's union rerun restricted to the candidate's rows. Usage: cmp.py MAIN CAND"""
import json, sys
from collections import Counter
a = {r["id"]: r for r in map(json.loads, open(sys.argv[1] + "/verdicts.jsonl"))}
b = {r["id"]: r for r in map(json.loads, open(sys.argv[2] + "/verdicts.jsonl"))}
missing = b.keys() - a.keys()
assert not missing, missing
for model in ("reader", "plain"):
    right = Counter(); wrong = Counter(); moved = []
    for i in b:
        for tag, r in (("main", a[i]), ("cand", b[i])):
            right[tag] += r[model] == r["label"]
            wrong[tag] += r[model] == "supported" and r["label"] != "supported"
        if a[i][model] != b[i][model]:
            moved.append((i, b[i]["label"], b[i]["transform"], a[i][model], b[i][model]))
    print(f"{model}: rows {len(b)}; right main {right['main']} cand {right['cand']}; wrong supported main {wrong['main']} cand {wrong['cand']}; moved {len(moved)}")
    for m in moved: print("   ", m)
