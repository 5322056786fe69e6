"""``rag search`` and ``rag ask``: their arguments, and their output from an open ``PolicyQA``.

One implementation serves both places a CLI query is answered: in the CLI's own process (``rag.app.cli``) and
in a resident holding the index (``rag.app.resident``), which runs the same functions on a forwarded argument
list and sends back what they wrote. Importing this module loads nothing heavy (the CLI imports it before it
knows where it will answer).

Usage::

    parser = query_parser()                       # the two commands alone (the resident parses with it)
    args = parser.parse_args(["ask", "--json", "--", "What is the EU AI Office?"])
    code = run_query(qa, args, sys.stdout)        # writes exactly what `rag ask --json …` prints
    to_argv(args)                                 # the arguments again, as the resident is sent them
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any, TextIO

logger = logging.getLogger("rag")


class QueryArgumentError(ValueError):
    """Arguments a resident was sent that ``rag search`` / ``rag ask`` would not accept."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # a resident must not exit on a bad request
        raise QueryArgumentError(message)


def emit(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


def add_search_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--doc", action="append", help="restrict to a document (file name); repeatable")
    p.add_argument("--lang", choices=["zh", "en"])
    p.add_argument("--since", help="only documents dated on or after YYYY-MM-DD")
    p.add_argument("--until", help="only documents dated on or before YYYY-MM-DD")
    p.add_argument("--json", action="store_true")


def add_ask_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", nargs="?")
    p.add_argument("--claim", action="store_true")
    p.add_argument("--strict", action="store_true", help="with --claim: \"supported\" only at the strict threshold")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", help="answer every line of a JSONL file")


def query_parser() -> argparse.ArgumentParser:
    """``search`` and ``ask`` as ``rag`` parses them; a bad argument raises ``QueryArgumentError``."""
    parser = _Parser(prog="rag", add_help=False)
    sub = parser.add_subparsers(dest="command", required=True)
    add_search_arguments(sub.add_parser("search", add_help=False))
    add_ask_arguments(sub.add_parser("ask", add_help=False))
    return parser


def to_argv(args: argparse.Namespace) -> list[str] | None:
    """``args`` of ``rag search`` / ``rag ask`` as an argument list for a resident (the JSONL file's path made
    absolute: the resident has another working folder); None when the call is not one to forward."""
    if args.command == "search":
        argv = ["search", "--k", str(args.k)]
        for flag in ("lang", "since", "until"):
            if getattr(args, flag):
                argv += [f"--{flag}", getattr(args, flag)]
        for doc in args.doc or []:
            argv += ["--doc", doc]
    elif args.command == "ask" and (args.question or args.jsonl):
        argv = ["ask"] + (["--claim"] if args.claim else []) + (["--strict"] if args.strict else [])
        if args.jsonl:
            argv += ["--jsonl", str(Path(args.jsonl).resolve())]
    else:
        return None
    argv += ["--json"] if args.json else []
    return argv + (["--", args.question] if args.question else [])


def run_query(qa: Any, args: argparse.Namespace, out: TextIO) -> int:
    """``rag search`` or ``rag ask`` on ``qa``, written to ``out``; the exit code."""
    return run_search(qa, args, out) if args.command == "search" else run_ask(qa, args, out)


def run_search(qa: Any, args: argparse.Namespace, out: TextIO) -> int:
    from rag.ingest.bookkeeping import date_number

    result = qa.retriever.run(args.question, k=args.k, docs=args.doc or None, language=args.lang,
                              date_from=date_number(args.since), date_to=date_number(args.until))
    if args.json:
        emit({"question": result.query.text, "language": result.query.language, "timings_ms": result.timings_ms,
              "named_documents": result.named_documents, "hits": [h.to_json() for h in result.hits]}, out)
        return 0
    if result.named_documents:
        out.write(f"named in the question: {', '.join(result.named_documents)}\n")
    for rank, hit in enumerate(result.hits, start=1):
        where = f"{hit.doc} [{hit.start}:{hit.end}]" + (f" p.{hit.page}" if hit.page else "")
        out.write(f"{rank:>2}. {hit.score:.3f}  {where}  {hit.section}\n    {hit.text[:200]}\n")
    return 0


def render_answer(answer: Any) -> str:
    lines = [answer.answer, ""]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.title} — {c.doc} [{c.start}:{c.end}]" + (f" p.{c.page}" if c.page else ""))
        lines.append(f"    {c.shown}")
    if answer.refused and answer.contexts:
        for hit in answer.contexts[:3]:
            lines.append(f"  · {hit.doc}: {hit.text[:120]}")
    return "\n".join(lines)


JSONL_LINE = 'each line: {"id": …, "question": "…", "mode": "answer" | "claim"}'


def jsonl_item(line: str) -> tuple[dict[str, Any], str | None]:
    """One line of ``rag ask --jsonl``: the object and None, or what is wrong with it (the object, or {}, beside)."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        return {}, f"not JSON ({error.msg}); {JSONL_LINE}"
    if not isinstance(item, dict):
        return {}, f"not a JSON object; {JSONL_LINE}"
    if not isinstance(item.get("question"), str) or not item["question"].strip():
        return item, f'no "question" text; {JSONL_LINE}'
    if item.get("mode") not in (None, "answer", "claim"):
        return item, f'"mode" is {item["mode"]!r}; {JSONL_LINE}'
    return item, None


def run_ask(qa: Any, args: argparse.Namespace, out: TextIO) -> int:
    if args.jsonl:
        bad = 0
        for number, line in enumerate(Path(args.jsonl).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            item, problem = jsonl_item(line)
            if problem:  # said in its own row and in the log; the other lines are still answered
                bad += 1
                logger.warning("%s line %d: %s", args.jsonl, number, problem)
                emit({"id": item.get("id"), "line": number, "error": problem}, out)
                continue
            claim = args.claim or str(item.get("type", "")).startswith("claim_")  # --claim: every line a claim unless it says
            mode = item.get("mode") or ("claim" if claim else "answer")
            emit(qa.ask(item["question"], mode=mode, strict=args.strict or None).to_json(item.get("id")), out)
        return 1 if bad else 0
    if not args.question:
        logger.error("give a question, or --jsonl FILE")
        return 2
    answer = qa.ask(args.question, mode="claim" if args.claim else "answer", strict=args.strict or None)
    if args.json:
        emit(answer.to_json(), out)
    else:
        out.write(render_answer(answer) + "\n")
    return 0
