"""Candidate vetoes measured against the shipped refusal (neither shipped). ``--veto figure`` (session 25): a figure about what is
asked. A how-many / how-much / how-long question that names a country or organisation (gazetteer), or counts
something, is refused when no chosen sentence states a figure of the asked kind *and* names it — every country the
question names, else one of its organisations; for a count question ("how many", 多少/几 + a measure word) a sum of
money is no such figure. "How many staff does Singapore's AI Safety Institute employ?" is then not answered from
Singapore's budget row and the UK's staff count. ``--veto constraint`` (session 27): refused when every chosen sentence,
and its passage, names another instance of what the question names — another year, amount, body or ordinal, and none
of the question's (``constraint_conflict``: the claim check's slot comparison, the question read as the claim).
``--cross-only``: only where the evidence is in the other language.

    python -m bench.answerability_veto --half tune [--veto constraint] [--cross-only] --datasets xquad cmrc policy-removal policy-generated
    python -m bench.answerability_veto --half held-out --cross-only --datasets xquad policy-removal-zh policy-generated-zh

Per split, FR (among held evidence) and CR of the shipped reader model without and with the veto, on the caches of
``bench.answerability collect`` (the shipped reader's scores). Results: bench/results/answerability-veto-figure-about.json,
answerability-veto-constraint-tune.json; the rules and the story: docs/journal.md, sessions 25 and 27.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

from bench import answerability as ba
from bench import common
from rag.answer.slots import compare_slots, extract_slots
from rag.text.asked import COUNT_QUESTION, answer_pattern
from rag.types import EvidenceSentence, Query

logger = logging.getLogger("bench.answerability_veto")

SUM_OF_MONEY = re.compile(
    r"[$£€¥]\s?\d[\d,.]*\s?(?:million|billion|trillion|[mb]n?)?|\d[\d,.]*\s?[多余]?\s?(?:万亿|亿|万|千|百)?\s?"
    r"(?:美元|英镑|欧元|人民币|新加坡元|新元|加元|澳元|港元|日元|韩元|元)"
    r"|\d[\d,.]*\s?(?:million|billion|trillion)?\s?(?:dollars|pounds|euros|yuan|yen)", re.I)


def states_asked_figure(query: Query, text: str) -> bool:
    """Whether ``text`` states a figure of the kind the question asks (for a count, not a sum of money)."""
    wanted = answer_pattern(query.answer_kind)
    if wanted is None:
        return False
    money = [m.span() for m in SUM_OF_MONEY.finditer(text)] if COUNT_QUESTION.search(query.text) else []
    return any(not any(a <= m.start() < b for a, b in money) for m in wanted.finditer(text))


def lacks_figure_about(query: Query, chosen: list[EvidenceSentence], cross: bool, cross_only: bool = False) -> bool:
    """The candidate veto (module docstring); ``cross``: the evidence is in the other language than the question."""
    if (cross_only and not cross) or not chosen or answer_pattern(query.answer_kind) is None:
        return False
    entities = [s for s in extract_slots(query.text) if s.kind == "entity"]
    countries = {s.value for s in entities if s.unit == "country"}
    named = {s.value for s in entities}
    if not named and not COUNT_QUESTION.search(query.text):
        return False
    for sentence in chosen:
        if not states_asked_figure(query, sentence.text):
            continue
        held = {s.value for s in extract_slots(sentence.text) if s.kind == "entity"}
        if not named or (countries <= held if countries else bool(named & held)):
            return False
    return True


CONSTRAINT_KINDS = ("date", "quantity", "entity", "ordinal")


def names_another(question: str, text: str) -> bool:
    """``text`` states a value of a kind ``question`` names (date, amount, entity of its class, ordinal) and none of
    the question's values of that kind: the claim check's slot comparison with the question read as the claim."""
    return any(d.kind in CONSTRAINT_KINDS for d in compare_slots(question, text).differences)


def constraint_conflict(query: Query, chosen: list[EvidenceSentence], cross: bool, cross_only: bool = False) -> bool:
    """Candidate veto (session 27): every chosen sentence, and its passage, names another instance of what the
    question names (another year, body, amount or ordinal)."""
    if (cross_only and not cross) or not chosen:
        return False
    return all(names_another(query.text, s.text) and names_another(query.text, s.hit.text) for s in chosen)


VETOES = {"figure": lacks_figure_about, "constraint": constraint_conflict}


def compare(half: str, datasets: tuple[str, ...], cross_only: bool, veto: str = "figure") -> dict[str, Any]:
    """Per split: the shipped reader model's rates without and with the veto (and how many cases each vetoes)."""
    import rag.answer.answerability_model as shipped
    from rag.answer.answerability_model import READER_MODEL_PATH, load_model

    settings = common.make_settings(Path(tempfile.gettempdir()) / "unused-index")
    records = ba.load_cache(ba.CACHE, half, datasets)
    model = load_model(READER_MODEL_PATH)
    original = shipped.vetoed
    result: dict[str, Any] = {}
    try:
        for variant in ("shipped", "veto"):
            if variant == "veto":  # evaluate_records reads the module's vetoed at call time
                shipped.vetoed = lambda case: original(case) or VETOES[veto](  # type: ignore[assignment]
                    case.query, case.chosen, case.cross, cross_only)
            rows = ba.evaluate_records(records, settings, ba.Vectors(ba.CACHE / f"vectors-{half}.pkl"),
                                       ba.ReaderScores(ba.CACHE, half))
            p = ba.probabilities(rows, model)
            for key, idx in ba.by_split(rows).items():
                sub = [rows[i] for i in idx]
                refuse = [bool(p[i] < model.groups[rows[i]["group"]].threshold) for i in idx]
                result.setdefault(key, {})[variant] = {**ba.rates(sub, refuse), "vetoed": sum(rows[i]["veto"] for i in idx)}
    finally:
        shipped.vetoed = original
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("tune", "held-out"), required=True)
    parser.add_argument("--datasets", nargs="+", default=["xquad", "cmrc"])
    parser.add_argument("--cross-only", action="store_true", help="the veto only where the evidence is in the other language")
    parser.add_argument("--veto", choices=sorted(VETOES), default="figure",
                        help="figure: a figure about what is asked (session 25); constraint: another instance named (session 27)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    common.setup_logging()
    result = compare(args.half, tuple(args.datasets), args.cross_only, args.veto)
    rows = [[key, f"{v['shipped']['answerable']}+{v['shipped']['near_miss']}",
             f"{v['shipped']['false_refusal_evidence_held']:.3f} → {v['veto']['false_refusal_evidence_held']:.3f}",
             f"{v['shipped']['correct_refusal']:.3f} → {v['veto']['correct_refusal']:.3f}",
             f"{v['shipped']['vetoed']} → {v['veto']['vetoed']}"] for key, v in result.items()]
    logger.info("%s half\n%s", args.half, common.markdown_table(["split", "n", "FR held", "CR", "vetoed"], rows))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
