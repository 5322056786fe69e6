"""The command line, in-process (``rag.app.cli.main``) with an isolated index and corpus."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.proc import PROJECT_ROOT, subprocess_env

from rag.app.cli import main
from rag.settings import get_settings

CORPUS = Path(__file__).resolve().parents[3] / "corpus"


@pytest.fixture
def cli_env(tmp_path: Path, isolated_env: None, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copyfile(CORPUS / "004_8935ac0b9ace9346.txt", corpus / "004_8935ac0b9ace9346.txt")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(corpus))
    get_settings.cache_clear()
    return corpus


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict]]:
    code = main(list(argv))
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, [json.loads(line) for line in lines]


def test_ingest_search_ask_and_docs(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, [report] = run_json(capsys, "ingest", str(cli_env), "--json")
    assert code == 1  # a file was skipped: the exit code says so
    assert report["added"] == ["004_8935ac0b9ace9346.txt"]
    assert report["skipped"][0]["name"] == "broken.pdf" and "PDF" in report["skipped"][0]["reason"]
    assert report["chunks_embedded"] == report["chunks_total"] > 0

    code, [again] = run_json(capsys, "ingest", str(cli_env), "--json")
    assert again["chunks_embedded"] == 0 and again["unchanged"] == ["004_8935ac0b9ace9346.txt"]

    code, [search] = run_json(capsys, "search", "出口管制", "--k", "3", "--json")
    assert code == 0 and search["hits"] and search["hits"][0]["doc"] == "004_8935ac0b9ace9346.txt"
    assert {"doc", "title", "section", "page", "text", "start", "end", "score"} <= set(search["hits"][0])
    assert search["named_documents"] == []  # the question names no document

    code, [answer] = run_json(capsys, "ask", "Anthropic认为巩固美国人工智能领导地位的关键后续步骤是什么？", "--json")
    assert code == 0 and not answer["refused"] and answer["citations"]

    questions = cli_env.parent / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": "Anthropic支持哪些出口管制？"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "b", "question": "严格的出口管制和人工智能发展透明度标准仍然是巩固美国人工智能领导地位的关键后续步骤。",
                      "mode": "claim"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "c", "question": "Anthropic反对严格的出口管制。", "mode": "claim"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    code, rows = run_json(capsys, "ask", "--jsonl", str(questions))
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[1]["verdict"] == "supported" and rows[2]["verdict"] != "supported"  # what 004 says, and its opposite
    keys = {"id", "answer", "refused", "verdict", "citations", "contexts", "timings_ms", "confidence"}
    assert set(rows[0]) == keys
    assert set(rows[1]) == keys | {"differences", "probabilities", "checked"}  # a claim also says where it differs
    assert rows[1]["checked"] is None  # and what it checked when a frame was cut off: this claim has none
    assert rows[1]["confidence"] in ("high", "low")  # said of a "supported" or "contradicted", not of "not found"
    assert (rows[2]["confidence"] is None) == (rows[2]["verdict"] == "not_found")

    # --claim reads every line as a claim unless the line names its own mode
    claims = cli_env.parent / "claims.jsonl"
    claims.write_text(json.dumps({"id": "d", "question": "Anthropic反对严格的出口管制。"}, ensure_ascii=False) + "\n"
                      + json.dumps({"id": "e", "question": "Anthropic支持哪些出口管制？", "mode": "answer"},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    code, rows = run_json(capsys, "ask", "--claim", "--jsonl", str(claims))
    assert rows[0]["verdict"] is not None and "differences" in rows[0]
    assert rows[1]["verdict"] is None  # the negative: a line that asks for an answer gets one
    code, rows = run_json(capsys, "ask", "--jsonl", str(claims))
    assert rows[0]["verdict"] is None  # without --claim an unmarked line is a question

    code, [docs] = run_json(capsys, "docs", "--json")
    assert [d["names"] for d in docs] == [["004_8935ac0b9ace9346.txt"]]

    qa_file = cli_env.parent / "qa.jsonl"
    quote = "我们特别赞赏政府优先支持人工智能可解释性、人工智能控制系统和对抗鲁棒性方面的研究"
    qa_file.write_text(
        json.dumps({"id": "x1", "lang": "zh", "type": "list", "question": "Anthropic特别赞赏政府优先支持哪些方面的研究？",
                    "evidence": [{"doc": "004_8935ac0b9ace9346.txt", "quote": quote}]}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "x2", "lang": "zh", "type": "unanswerable", "question": "东京今天的天气怎么样？"},
                     ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    code, [report] = run_json(capsys, "eval", "--qa", str(qa_file), "--json")
    assert code == 0 and report["items"] == 2
    assert {"all", "lang:zh", "type:list", "type:unanswerable"} <= set(report["table"])
    first, second = report["per_item"]
    assert first["id"] == "x1" and first["evidence_ranks"][0] is not None and first["recall@10"] == 1.0
    assert second == {"id": "x2", "lang": "zh", "type": "unanswerable", "evidence_ranks": [], "correct_refusal": 1.0}


def test_locked_index_gives_one_clear_message(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.ingest.index import Index

    with Index.open(get_settings()):
        code = main(["docs"])
    assert code == 2
    err = capsys.readouterr().err
    assert "in use by another PolicyQA process" in err and "Traceback" not in err


def test_remove_deletes_the_library_file_unless_told_to_keep_it(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "004_8935ac0b9ace9346.txt"
    main(["ingest", str(cli_env)])
    kept = main(["remove", name, "--keep-file"])
    said = capsys.readouterr().out
    assert kept == 0 and (cli_env / name).exists() and "added back at the next start" in said  # says it plainly
    code, docs = run_json(capsys, "docs", "--json")
    assert docs == [[]]  # … and it is out of the index (one JSON list, empty)
    main(["ingest", str(cli_env)])  # the kept file comes back, as the message said
    capsys.readouterr()
    assert main(["remove", name]) == 0
    said = capsys.readouterr().out
    assert not (cli_env / name).exists() and "deleted" in said  # gone from the index and the folder
    main(["ingest", str(cli_env)])
    capsys.readouterr()
    code, docs = run_json(capsys, "docs", "--json")
    assert docs == [[]]  # the next ingest does not bring it back
    assert main(["remove", name]) == 1 and "no indexed document" in capsys.readouterr().out


def _in_subprocess(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env or subprocess_env(), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    return done.stdout.splitlines()[-1]


def test_importing_the_cli_does_not_import_llama_index() -> None:
    assert _in_subprocess("import sys, rag.app.cli; print('llama_index' in sys.modules)") == "False"


def test_search_and_ask_do_not_import_llama_index(tmp_path: Path) -> None:
    """Only ``rag ingest`` needs llama-index (rag.ingest.pipeline): reading the index never loads it."""
    env = subprocess_env() | {"RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_CORPUS_DIR": str(tmp_path)}
    code = ("import sys; from rag.app.cli import main; codes = [main(['search', '资金', '--json']), "
            "main(['ask', 'What funding?', '--json'])]; print(codes, 'llama_index' in sys.modules)")
    assert _in_subprocess(code, env) == "[0, 0] False"
