"""Command line: a thin shell over ``rag.app.service.PolicyQA`` and ``rag.ingest.index.Index``.

    rag ingest PATH... [--json] [--rebuild]
    rag search "question" [--k 10] [--doc NAME] [--lang zh|en] [--since DATE] [--until DATE] [--json]
    rag ask "question" [--claim] [--json]      rag ask --jsonl IN.jsonl
    rag eval --qa FILE.jsonl [--json]
    rag docs [--json]                           rag remove NAME|PATH [--keep-file]
    rag serve-cli [--idle SECONDS] [--detach]   rag serve-cli --stop

``search`` and ``ask`` go to a resident answerer when one holds the index (``rag serve-cli``, or the web app:
``rag.app.resident``) and are answered in this process otherwise; this module imports nothing heavy before that
is decided (``rag.app.resident_client``). ``ingest``, ``remove``, ``docs`` and ``eval`` first ask a CLI resident
to release the index.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.app.cli_queries import (
    add_ask_arguments,
    add_search_arguments,
    run_ask,
    run_search,
    to_argv,
)

if TYPE_CHECKING:
    from rag.settings import Settings

logger = logging.getLogger("rag")
INDEX_COMMANDS = ("ingest", "remove", "docs", "eval")  # they open the index themselves: a CLI resident steps aside


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


def remove_index(settings: Settings) -> None:
    """Delete the index, but only while holding its lock (never under a running app)."""
    from rag.store.base import acquire_lock, release_lock

    edge = settings.index_dir / "edge"
    lock = acquire_lock(settings.index_dir / ".edge.lock", edge)
    try:
        for child in settings.index_dir.iterdir():
            if child.name != ".edge.lock":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    finally:
        release_lock(lock)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rag.ingest.bookkeeping import default_progress
    from rag.ingest.index import Index
    from rag.retrieval.statistics import warm as warm_statistics

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
    with _open_qa(settings) as qa:
        return run_search(qa, args, sys.stdout)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if not (args.question or args.jsonl):
        logger.error("give a question, or --jsonl FILE")
        return 2
    with _open_qa(settings) as qa:
        return run_ask(qa, args, sys.stdout)


def cmd_serve_cli(args: argparse.Namespace, settings: Settings) -> int:
    from rag.app.resident import serve_cli, start_detached
    from rag.app.resident_client import step_aside

    if args.stop:
        stopped = step_aside()
        _print("the resident stopped" if stopped else "no CLI resident holds the index")
        return 0 if stopped else 1
    idle = args.idle if args.idle is not None else settings.cli_resident_idle_s
    logging.getLogger("rag.app.resident").setLevel(logging.INFO)  # where it listens, when and why it stops
    return start_detached(settings, idle) if args.detach else serve_cli(settings, idle)


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
    from rag.ingest.index import Index

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
    from rag.ingest.index import Index

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
    add_search_arguments(p)
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("ask", help="answer with citations, or check a claim")
    add_ask_arguments(p)
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
    p = sub.add_parser("serve-cli", help="hold the index and answer `rag search` / `rag ask` from other shells, "
                                         "until idle (RAG_CLI_RESIDENT_IDLE_S)")
    p.add_argument("--idle", type=float, help="seconds without a call before it exits")
    p.add_argument("--detach", action="store_true", help="run in the background (log: INDEX_DIR/.cli.log)")
    p.add_argument("--stop", action="store_true", help="ask the running resident to stop")
    p.set_defaults(func=cmd_serve_cli)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.command in ("search", "ask") and (forwarded := to_argv(args)) is not None:
        from rag.app.resident_client import forward

        reply = forward(forwarded)
        if reply is not None:
            sys.stdout.write(reply.out)
            sys.stderr.write(reply.err)
            return reply.code
    elif args.command in INDEX_COMMANDS:
        from rag.app.resident_client import step_aside

        step_aside()
    from rag.ingest.disk import DiskFullError
    from rag.ingest.index import IndexConfigError
    from rag.settings import get_settings
    from rag.store.base import IndexLockedError

    try:
        return int(args.func(args, get_settings()))
    except (IndexLockedError, IndexConfigError, DiskFullError) as error:  # config, damage (integrity.py), full disk
        sys.stderr.write(f"rag: {error}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
