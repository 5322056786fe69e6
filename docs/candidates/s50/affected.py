"""Claims a lexical rule can move: those whose text or stored sentences (any row, near misses included) match a regex;
with index copies given, also those one of whose stored sentences lies in a document that matches it (a passage is part
of its document, so this is a superset of the claims whose claim, sentence or passage holds what the rule reads).
Usage, from the repository root: PYTHONPATH=. python docs/candidates/s50/affected.py OUT.json REGEX [INDEX_COPY…]
(one index copy of each half: their xquad-en / xquad-zh folders hold the paragraphs). Writes {"tune": [ids],
"heldout": [ids]} for docs/candidates/s48/rerun.py."""
import json
import re
import sys
from pathlib import Path

out, pattern, copies = sys.argv[1], re.compile(sys.argv[2], re.IGNORECASE), [Path(c) for c in sys.argv[3:]]
folders = [*(c / f for c in copies for f in ("xquad-en", "xquad-zh")), Path("corpus"), Path("../shared/corpus/en")]
docs = [p.read_text(encoding="utf-8", errors="replace") for folder in (folders if copies else [])
        for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in (".txt", ".md", ".html", ".htm", "")]
hits = [d for d in docs if pattern.search(d)]
print("documents", len(docs), "holding it", len(hits))
found: dict[str, list[str]] = {}
for half in ("tune", "heldout"):
    ids = set()
    for line in open(f"bench/results/claims-features-{half}.jsonl"):
        r = json.loads(line)
        if (pattern.search(r["claim"]) or any(pattern.search(s) for s in r["sentences"])
                or any(s[:60] in d for s in r["sentences"] for d in hits)):
            ids.add(r["id"].split("~")[0])
    found[half] = sorted(ids)
    print(half, len(ids))
json.dump(found, open(out, "w"))
