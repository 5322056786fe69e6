"""Verdicts of main's and T's reruns of the claims T can move, by the shipped models: right per model, wrong
"supported", and each moved claim, over T's rows (main's rerun may hold more: a union of several candidates' claims,
session 50). Usage: python compare.py MAIN_DIR T_DIR"""
import json, sys
from collections import Counter
a = {r["id"]: r for r in map(json.loads, open(sys.argv[1] + "/verdicts.jsonl"))}
b = {r["id"]: r for r in map(json.loads, open(sys.argv[2] + "/verdicts.jsonl"))}
assert b.keys() <= a.keys(), (len(a), len(b))
a = {i: a[i] for i in b}
for model in ("reader", "plain"):
    right = Counter(); wrong_sup = Counter(); moved = []
    for i in a:
        for tag, r in (("main", a[i]), ("T", b[i])):
            right[tag] += r[model] == r["label"]
            wrong_sup[tag] += r[model] == "supported" and r["label"] != "supported"
        if a[i][model] != b[i][model]:
            moved.append((i, a[i]["label"], a[i][model], b[i][model]))
    nm = sum(1 for i in a if i.endswith("near-miss") or "~" in i)
    print(f"{model}: rows {len(a)}; right main {right['main']} T {right['T']}; wrong supported main {wrong_sup['main']} T {wrong_sup['T']}; moved {len(moved)}")
    for m in moved: print("   ", m)
