"""V read on reruns: each row's verdicts with V applied (supported -> not_found when the claim's person is named by none
of its stored sentences). Usage: PYTHONPATH=. python docs/candidates/s49/veto.py RERUN_DIR HALF"""
import json
import sys
from collections import Counter

from bench.claims import quoted_rows
from rag.answer.person_names import unstated_people
from rag.answer.slots import extract_slots

d, half = sys.argv[1], sys.argv[2]
from pathlib import Path

import bench.claims as bc
from bench import common

ids = {json.loads(l)["id"].removesuffix("~nm") for l in open(f"{d}/verdicts.jsonl")}
original = bc.load_claims
bc.load_claims = lambda h, limit=None: [c for c in original(h, limit) if c["id"] in ids]
common.RESULTS_DIR = Path(d)
rows = {r["id"]: r for r in bc.read_features(half)}
verd = [json.loads(l) for l in open(f"{d}/verdicts.jsonl")]
for model in ("reader", "plain"):
    right = Counter(); ws = Counter(); moved = []
    for v in verd:
        r = rows[v["id"]]
        quoted = quoted_rows([r])[0]
        un = unstated_people(extract_slots(r["claim"]), r["sentences"], extract_slots)
        new = "not_found" if (v[model] == "supported" and not quoted and un) else v[model]
        for tag, x in (("H", v[model]), ("V", new)):
            right[tag] += x == v["label"]; ws[tag] += x == "supported" and v["label"] != "supported"
        if new != v[model]: moved.append((v["id"], v["label"], v[model], new, [p.surface for p in un]))
    print(f"{model}: rows {len(verd)} right H {right['H']} V {right['V']}; wrong supported H {ws['H']} V {ws['V']}; moved {len(moved)}")
    for m in moved: print("   ", m)
