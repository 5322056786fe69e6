"""The framed claim family: claims of the benchmark restated as a reader names the source ("According to the
Concordia AI report, …", "The Tsinghua CISS brief says that …", "据安远AI报告，…", "…，据安远AI报告。").

Journalists cite their source; the generated claims never do. This family takes a fixed sample of a half's policy
claims (every label and transform, seed 0) and puts each in a frame naming its own source document, with a name
from ``bench/data/claims/document_names.json`` (written once, by hand, from each document's title, publisher and
kind); the label is the claim's. It is scored, never fitted on: the shipped claim models' fit is replayed on the
tune half's rows and reads the framed rows out of fold (``bench.claims_candidate``'s way).

Usage::

    python -m bench.claim_frames make --half tune          # → bench/data/claims/framed-tune.jsonl
    python -m bench.claims features --half framed-tune     # the rows, as for any half
    python -m bench.claims reader --half framed-tune --folds .cache/folds/reader.safetensors
    python -m bench.claim_frames score bench/results /tmp/candidate [--plain]   # control first
    python -m bench.claim_frames score bench/results /tmp/candidate --heldout   # once, after the tune decision
    python -m bench.claim_frames make --half heldout --family framed2   # a second family: other names and frames
    python -m bench.claim_frames make --half tune --family framed3      # a third: frames no finder was trained on
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench import common

logger = logging.getLogger("bench.claim_frames")
ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT / "bench" / "data" / "claims" / "document_names.json"
SAMPLE = 800  # framed claims per half: four minutes of features a run
FRAMES = {
    "en": ("According to {name}, {claim}", "{Name} says that {claim}", "{Name} states that {claim}",
           "As {name} notes, {claim}", "{claim_bare}, according to {name}."),
    "zh": ("据{name}，{claim}", "根据{name}，{claim}", "{name}指出，{claim}", "{name}显示，{claim}",
           "{claim_bare}，据{name}。"),
}
# The second family (session 37, written after the first family's held-out half was read, before any claim of its
# own was): other names, other frames, another sample — a held-out check for a frame reading chosen on the first.
FAMILIES = {
    "framed": (NAMES, FRAMES, 0),
    "framed2": (NAMES.with_name("document_names_2.json"), {
        "en": ("{Name} reports that {claim}", "As stated in {name}, {claim}", "{Name} notes that {claim}",
               "In {name}, {claim}", "{claim_bare}, {name} says."),
        "zh": ("{name}称，{claim}", "{name}中提到，{claim}", "按照{name}，{claim}", "{name}表示，{claim}",
               "{claim_bare}（据{name}）。"),
    }, 1),
    # The third family (session 40, written before the frame finder was retrained on wider templates that include
    # framed2's shapes): family 1's names, frames in neither the finder's training nor framed2 — the unseen check.
    "framed3": (NAMES, {
        "en": ("{Name} maintains that {claim}", "{Name}'s authors write that {claim}", "A passage in {name} reads: {claim}",
               "{claim_bare}, {name} reports.", "Going back to {name}, {claim}"),
        "zh": ("{name}载明，{claim}", "{name}的作者写道，{claim}", "{name}特别提及，{claim}", "{claim_bare}，{name}如此记载。",
               "对照{name}来看，{claim}"),
    }, 2),
}

# The families some of whose frames the frame finder was trained on since session 40 (bench/data/claims/frame_training.json):
# framed2's five shapes the finder missed. Their numbers are reported as seen frames; framed3's are the unseen check.
TRAINED_ON = {"framed2": {"en": ("In {name}, {claim}", "{claim_bare}, {name} says."),
                          "zh": ("按照{name}，{claim}", "{claim_bare}（据{name}）。", "{name}中提到，{claim}")}}

LOWER_FIRST = frozenset({"the", "a", "an", "this", "these", "those", "it", "its", "in", "on", "at", "by", "for", "each",
                         "every", "all", "some", "many", "most", "no", "there", "to", "with", "under", "within",
                         "after", "before", "during", "such", "both", "any", "as", "when", "while", "if"})


def frame(claim: str, language: str, name: str, template: str) -> str:
    """``claim`` in ``template`` with the document's ``name``. An English claim that continues a frame starts in
    lower case when its first word is a plain function word ("The institute …" → "… says that the institute …");
    a claim that opens the sentence keeps its case and loses its final stop."""
    first = claim.split(" ", 1)[0]
    inner = claim
    if language == "en" and first.lower() in LOWER_FIRST and first[1:].islower():
        inner = claim[0].lower() + claim[1:]
    return template.format(name=name, Name=name[0].upper() + name[1:], claim=inner,
                           claim_bare=claim.rstrip("。.!?！？ ")).strip()


def make(half: str, sample: int = SAMPLE, family: str = "framed") -> list[dict[str, Any]]:
    """The half's framed claims: a fixed sample of its policy claims (handwritten ones aside: they have no one
    source document), each framed with a name of its source document, the template and name drawn by the family's
    seed (``FAMILIES``)."""
    from bench.claims import load_claims

    names_path, frames, seed = FAMILIES[family]
    names = json.loads(names_path.read_text(encoding="utf-8"))
    pool = [c for c in load_claims(half) if c["corpus"] == "policy" and c["source_doc"] in names]
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(len(pool), min(sample, len(pool)), replace=False).tolist())
    out = []
    for i in chosen:
        claim = pool[i]
        language = claim["claim_lang"]
        template = frames[language][int(rng.integers(len(frames[language])))]
        options = names[claim["source_doc"]][language]
        name = options[int(rng.integers(len(options)))]
        text = frame(claim["claim"], language, name, template)
        out.append({**claim, "id": f"{family}-{claim['id']}", "claim": text, "framed_from": claim["id"],
                    "edit": f"{claim['edit']}; framed: {template.format(name=name, Name=name, claim='…', claim_bare='…')}"})
    return out


def score(folders: list[Path], reader: bool, family: str = "framed") -> dict[str, dict[str, float]]:
    """The shipped fit replayed on the tune half's rows (never the framed ones), each framed row read out of
    fold: metrics of the framed rows per folder (claims, precision with near misses, per label and pair)."""
    return {str(folder): framed_metrics(folder, reader, family) for folder in folders}


def framed_metrics(results: Path, reader: bool, family: str = "framed") -> dict[str, float]:
    """The family's tune rows of ``results`` read out of fold by the shipped fit replayed on its tune rows
    (``bench.claims_candidate.replay``): claims, precision with and without near misses, per pair, transform, label."""
    from bench.claims_candidate import metrics, replay

    rows, p, gates, model, kept = replay(results, reader, scored=(f"{family}-tune",))
    mask = np.array([not k and r["id"].startswith(f"{family}-") for r, k in zip(rows, kept, strict=True)])
    framed = [r for r, m in zip(rows, mask, strict=True) if m]
    return metrics(framed, p[mask], model.supported_min_probability, gates=(gates[0][mask], gates[1][mask]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    making = sub.add_parser("make", help="the half's framed claims → bench/data/claims/FAMILY-HALF.jsonl")
    making.add_argument("--half", choices=("tune", "heldout"), required=True)
    making.add_argument("--sample", type=int, default=SAMPLE)
    scoring = sub.add_parser("score", help="the framed tune rows read out of fold by the shipped fit, per folder")
    scoring.add_argument("folders", type=Path, nargs="+", help="the control first")
    scoring.add_argument("--plain", action="store_true", help="the plain model (default: the reader model)")
    scoring.add_argument("--heldout", action="store_true", help="the framed held-out rows, read once, by the shipped models")
    for command in (making, scoring):
        command.add_argument("--family", choices=sorted(FAMILIES), default="framed")
    args = parser.parse_args()
    common.setup_logging()
    if args.command == "make":
        from bench.claims import DATA

        rows = make(args.half, args.sample, args.family)
        out = DATA / f"{args.family}-{args.half}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        logger.info("wrote %s: %d framed claims", out, len(rows))
        return
    if args.heldout:
        from bench.claims_candidate import heldout_metrics

        results = {str(f): heldout_metrics(f, not args.plain, f"{args.family}-heldout") for f in args.folders}
    else:
        results = score(args.folders, not args.plain, args.family)
    keys = list(next(iter(results.values())))
    table = [[k, *(f"{r.get(k, float('nan')):.4f}" for r in results.values())] for k in keys]
    title = f"{args.family} held-out claims, the shipped fit" if args.heldout else f"{args.family} tune claims, out of fold"
    logger.info("%s (%s model)\n%s", title, "plain" if args.plain else "reader",
                common.markdown_table(["", *(Path(f).name for f in results)], table))


if __name__ == "__main__":
    sys.exit(main())
