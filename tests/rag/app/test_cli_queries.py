"""``rag ask --jsonl`` line by line (``rag.app.cli_queries.run_ask``), with a stand-in for the service."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest

from rag.app.cli_queries import jsonl_item, run_ask


class _Answer:
    def __init__(self, question: str, mode: str) -> None:
        self.question, self.mode = question, mode

    def to_json(self, item_id: Any = None) -> dict[str, Any]:
        return {"id": item_id, "answer": f"{self.mode}: {self.question}"}


class _QA:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def ask(self, question: str, mode: str = "answer", strict: bool | None = None) -> _Answer:
        self.asked.append((question, mode))
        return _Answer(question, mode)


def _run(tmp_path: Path, lines: list[str], claim: bool = False) -> tuple[int, list[dict[str, Any]], _QA]:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    qa, out = _QA(), io.StringIO()
    code = run_ask(qa, argparse.Namespace(jsonl=str(path), claim=claim, strict=False, question=None, json=False), out)
    return code, [json.loads(row) for row in out.getvalue().splitlines()], qa


def test_every_good_line_is_answered_and_the_run_succeeds(tmp_path: Path) -> None:
    code, rows, qa = _run(tmp_path, ['{"id": "a", "question": "谁？"}', "",
                                     '{"id": "b", "question": "The EU fines 7%.", "mode": "claim"}'])
    assert code == 0
    assert [r["id"] for r in rows] == ["a", "b"] and qa.asked == [("谁？", "answer"), ("The EU fines 7%.", "claim")]
    assert not any("error" in r for r in rows)


def test_a_bad_line_is_said_in_its_own_row_and_the_rest_are_answered(tmp_path: Path) -> None:
    code, rows, qa = _run(tmp_path, ['{"id": "a", "question": "谁？"}', '{"id": "b", "claim": "The EU fines 7%."}',
                                     "not json", '["a list"]', '{"id": "c", "question": "What?", "mode": "summary"}',
                                     '{"id": "d", "question": "Last?"}'])
    assert code == 1  # the exit status says some lines were not read
    assert [r.get("error") is None for r in rows] == [True, False, False, False, False, True]
    assert [r["id"] for r in rows] == ["a", "b", None, None, "c", "d"]
    assert [r.get("line") for r in rows[1:5]] == [2, 3, 4, 5]
    assert 'no "question"' in rows[1]["error"] and '"question"' in rows[2]["error"]  # each says what a line holds
    assert qa.asked == [("谁？", "answer"), ("Last?", "answer")]  # nothing asked for the bad lines


@pytest.mark.parametrize("line, problem", [
    ('{"question": "  "}', 'no "question"'), ('{"question": 3}', 'no "question"'), ("{", "not JSON"),
    ("42", "not a JSON object"), ('{"question": "Q", "mode": "Claim"}', '"mode"'),
])
def test_jsonl_item_names_the_problem(line: str, problem: str) -> None:
    assert problem in str(jsonl_item(line)[1])


def test_jsonl_item_accepts_a_well_formed_line() -> None:
    assert jsonl_item('{"id": 1, "question": "Q", "mode": "claim"}') == ({"id": 1, "question": "Q", "mode": "claim"}, None)
