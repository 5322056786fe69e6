"""Command line: a thin shell over ``rag.app.service.PolicyQA`` and ``rag.ingest.index.Index``.

    rag ingest PATH... [--json] [--rebuild]
    rag search "question" [--k 10] [--doc NAME] [--lang zh|en] [--since DATE] [--until DATE] [--json]
    rag ask "question" [--claim] [--json]      rag ask --jsonl IN.jsonl
    rag eval --qa FILE.jsonl [--json]
    rag docs [--json]                           rag remove NAME|PATH [--keep-file]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

from rag.ingest.bookkeeping import default_progress
from rag.ingest.disk import DiskFullError
from rag.ingest.index import Index, IndexConfigError
from rag.retrieval.statistics import warm as warm_statistics
from rag.settings import Settings, get_settings
from rag.store.base import IndexLockedError, acquire_lock, release_lock

logger = logging.getLogger("rag")


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


def remove_index(settings: Settings) -> None:
    """Delete the index, but only while holding its lock (never under a running app)."""
    edge = settings.index_dir / "edge"
    lock = acquire_lock(settings.index_dir / ".edge.lock", edge)
    try:
        for child in settings.index_dir.iterdir():
            if child.name != ".edge.lock":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    finally:
        release_lock(lock)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if args.rebuild and settings.index_dir.exists():
        remove_index(settings)
    with Index.open(settings) as index:
        report = index.ingest([Path(p) for p in args.paths], None if args.json else default_progress())
        warm_statistics(index)  # stored with the index: the next call's first search reads them
    if args.json:
        _emit(report.to_json())
    else:
        _print(
            f"files seen {report.files_seen}: added {len(report.added)}, updated {len(report.updated)}, "
            f"removed {len(report.removed)}, unchanged {len(report.unchanged)}, duplicates {len(report.duplicates)}, "
            f"skipped {len(report.skipped)}; chunks {report.chunks_total} ({report.chunks_embedded} embedded) "
            f"in {report.seconds:.1f} s"
        )
        for skipped in report.skipped:
            _print(f"  skipped {skipped.name}: {skipped.reason}")
        for duplicate in report.duplicates:
            _print(f"  duplicate {duplicate}")
    return 0 if report.ok else 1


def _open_qa(settings: Settings) -> Any:
    from rag.app.service import PolicyQA

    return PolicyQA.open(settings)


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from rag.ingest.bookkeeping import date_number

    with _open_qa(settings) as qa:
        result = qa.retriever.run(args.question, k=args.k, docs=args.doc or None, language=args.lang,
                                  date_from=date_number(args.since), date_to=date_number(args.until))
    if args.json:
        _emit({"question": result.query.text, "language": result.query.language, "timings_ms": result.timings_ms,
               "named_documents": result.named_documents, "hits": [h.to_json() for h in result.hits]})
    else:
        if result.named_documents:
            _print(f"named in the question: {', '.join(result.named_documents)}")
        for rank, hit in enumerate(result.hits, start=1):
            where = f"{hit.doc} [{hit.start}:{hit.end}]" + (f" p.{hit.page}" if hit.page else "")
            _print(f"{rank:>2}. {hit.score:.3f}  {where}  {hit.section}\n    {hit.text[:200]}")
    return 0


def _render_answer(answer: Any) -> str:
    lines = [answer.answer, ""]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.title} — {c.doc} [{c.start}:{c.end}]" + (f" p.{c.page}" if c.page else ""))
        lines.append(f"    {c.shown}")
    if answer.refused and answer.contexts:
        for hit in answer.contexts[:3]:
            lines.append(f"  · {hit.doc}: {hit.text[:120]}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    with _open_qa(settings) as qa:
        if args.jsonl:
            for line in Path(args.jsonl).read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                item = json.loads(line)
                mode = item.get("mode") or ("claim" if str(item.get("type", "")).startswith("claim_") else "answer")
                _emit(qa.ask(str(item.get("question", "")), mode=mode).to_json(item.get("id")))
            return 0
        if not args.question:
            logger.error("give a question, or --jsonl FILE")
            return 2
        answer = qa.ask(args.question, mode="claim" if args.claim else "answer")
        if args.json:
            _emit(answer.to_json())
        else:
            _print(_render_answer(answer))
        return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from rag.app.evaluate import format_table, run_evaluation

    with _open_qa(settings) as qa:
        report = run_evaluation(qa, Path(args.qa))
    if args.json:
        _emit(report)
    else:
        _print(format_table(report["table"]))
        _print(f"answer latency: p50 {report['latency_ms']['p50']:.0f} ms, p95 {report['latency_ms']['p95']:.0f} ms")
    return 0


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    with Index.open(settings) as index:
        records = index.documents()
    if args.json:
        _emit([r.__dict__ for r in records])
    else:
        for r in records:
            _print(f"{', '.join(r.names)}  [{r.language}] {r.date or ''}  {r.chunks} chunks  {r.title}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """By the file's path (exactly that file), or by a file name that names one file. The file is deleted
    too when it is in the library folder (else the next start would add it back); ``--keep-file`` only
    un-indexes it, and says so."""
    from rag.app.library import inside, path_key, remove_entry

    with Index.open(settings) as index:
        paths = index.paths()
        path = str(Path(args.name).expanduser().resolve())
        if path not in paths:
            named = sorted(p for p in paths if Path(p).name == args.name)
            if len(named) > 1:
                _print(f"{args.name} names {len(named)} files; give the path of one:\n  " + "\n  ".join(named))
                return 1
            if not named:
                _print(f"no indexed document named {args.name}")
                return 1
            path = named[0]
        if args.keep_file:
            removed = index.remove_path(path)
            if removed and inside(Path(path), settings.corpus_dir):
                _print(f"removed {args.name} from the index; the file stays at {path} and is added back at the next "
                       "start or `rag ingest` of the library folder (delete it, or run without --keep-file)")
            else:
                _print(f"removed {args.name} from the index; the file stays at {path}" if removed
                       else f"no indexed document named {args.name}")
            return 0 if removed else 1
        removal = remove_entry(index, path_key(path), settings.corpus_dir)
    if removal.status != "removed":
        _print(f"could not remove {args.name}: {removal.error}" if removal.status == "failed"
               else f"no indexed document named {args.name}")
        return 1
    _print(f"removed {args.name} from the index and deleted {path}" if removal.deleted
           else f"removed {args.name} from the index; {path} is outside the library folder and stays")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="PolicyQA: bilingual QA over policy documents")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="index files or folders (incremental)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("--rebuild", action="store_true", help="delete the index first")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("search", help="retrieve passages")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--doc", action="append", help="restrict to a document (file name); repeatable")
    p.add_argument("--lang", choices=["zh", "en"])
    p.add_argument("--since", help="only documents dated on or after YYYY-MM-DD")
    p.add_argument("--until", help="only documents dated on or before YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("ask", help="answer with citations, or check a claim")
    p.add_argument("question", nargs="?")
    p.add_argument("--claim", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", help="answer every line of a JSONL file")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("eval", help="retrieval and answer metrics on a QA file")
    p.add_argument("--qa", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("docs", help="list indexed documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser("remove", help="remove a document (by file name, or by path): from the index, and its file "
                                      "from the library folder")
    p.add_argument("name")
    p.add_argument("--keep-file", action="store_true", help="only un-index: the file stays (and is re-added at the next start)")
    p.set_defaults(func=cmd_remove)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return int(args.func(args, get_settings()))
    except (IndexLockedError, IndexConfigError, DiskFullError) as error:  # config, damage (integrity.py), full disk
        sys.stderr.write(f"rag: {error}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
