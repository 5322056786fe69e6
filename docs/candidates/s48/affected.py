"""Claims P (people in the gazetteer) can move: those whose text names a person under P's gazetteer; and a check that
claims naming no person compare alike with their stored sentences under main's and P's gazetteers.
Usage (in P's tree, main's gazetteer first saved: git show main:rag/data/gazetteer.tsv > /tmp/s48/gaz-main.tsv):
PYTHONPATH=. python docs/candidates/s48/affected.py  -> .cache/s48/affected-{tune,heldout}.json (rerun.py's IDS)"""
import json, random
from pathlib import Path
import rag.answer.gazetteer as gz
import rag.answer.slots as slots
from rag.answer.slots import compare_slots
import bench.claims as bc

P_PATH, MAIN_PATH = gz.GAZETTEER, Path("/tmp/s48/gaz-main.tsv")

def use(path):
    gz.GAZETTEER = path
    gz.gazetteer.cache_clear()
    slots._read_slots.cache_clear()  # slots remembered per text would carry the other gazetteer's names

def persons(text):
    pattern, aliases, info = gz.gazetteer()
    return [m.group() for m in pattern.finditer(text)
            if info.get(aliases.get(m.group()) or aliases.get(m.group().lower()) or aliases.get(gz.fold(m.group())) or "", ("",))[0] == "person"]

def sig(r):
    return ([(d.kind, str(d.claim.value), str(d.evidence.value)) for d in r.differences], r.matched, r.unmatched,
            r.negation_mismatch)

for half in ("tune", "heldout"):
    use(P_PATH)
    claims = bc.load_claims(half)
    hit = sorted({c["id"] for c in claims if persons(c["claim"])})
    json.dump({half: hit}, open(f".cache/s48/affected-{half}.json", "w"))
    sentences = {}
    for line in open(f"bench/results/claims-features-{half}.jsonl"):
        r = json.loads(line)
        sentences[r["id"]] = (r["claim"], r["sentences"])
    others = [i for i in sentences if i.split("~")[0] not in set(hit)]
    random.seed(0)
    sample = random.sample(others, 400)
    out = {}
    for path in (MAIN_PATH, P_PATH):
        use(path)
        out[path] = [sig(compare_slots(sentences[i][0], s)) for i in sample for s in sentences[i][1]]
    same = sum(a == b for a, b in zip(out[MAIN_PATH], out[P_PATH]))
    print(half, "claims", len(claims), "naming a person", len(hit), "| check: pairs alike", same, "of", len(out[P_PATH]))
