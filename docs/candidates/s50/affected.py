"""Claims a lexical rule can move: those whose text or stored sentences (any row, near misses included) match a regex.
Usage, from the repository root: PYTHONPATH=. python docs/candidates/s50/affected.py OUT.json REGEX
Writes {"tune": [ids], "heldout": [ids]} for docs/candidates/s48/rerun.py."""
import json
import re
import sys

out, pattern = sys.argv[1], re.compile(sys.argv[2], re.IGNORECASE)
hit: dict[str, list[str]] = {}
for half in ("tune", "heldout"):
    ids = set()
    for line in open(f"bench/results/claims-features-{half}.jsonl"):
        r = json.loads(line)
        if pattern.search(r["claim"]) or any(pattern.search(s) for s in r["sentences"]):
            ids.add(r["id"].split("~")[0])
    hit[half] = sorted(ids)
    print(half, len(ids))
json.dump(hit, open(out, "w"))
