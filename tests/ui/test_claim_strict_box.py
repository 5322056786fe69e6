"""The claim tab's "strict check" box (rag/app/ui.py): it reaches the claim check per request, starts from the
``claim_strict`` setting, and is re-labelled with the interface language. The real Blocks over a fake-embedder
index (no server); ``qa.ask`` is wrapped to record what each check asks for."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pytest
from helpers.corpus import policy_text
from helpers.fakes import FakeEmbedder

from rag.app.service import PolicyQA
from rag.app.ui import build_ui
from rag.ingest.index import Index
from rag.settings import Settings


def handler(demo: gr.Blocks, name: str) -> Any:
    fns = demo.fns.values() if isinstance(demo.fns, dict) else demo.fns
    return next(block_fn for block_fn in fns if getattr(block_fn.fn, "__name__", "") == name)


def box(demo: gr.Blocks) -> gr.Checkbox:
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "pqa-claim-strict")


def ui_with_calls(settings: Settings) -> tuple[gr.Blocks, PolicyQA, list[dict[str, Any]]]:
    (settings.corpus_dir / "policy.txt").write_text(policy_text(1), encoding="utf-8")
    qa = PolicyQA(Index.open(settings, FakeEmbedder()), settings)
    qa.ingest([settings.corpus_dir])
    calls: list[dict[str, Any]] = []
    real_ask = qa.ask

    def ask(question: str, **kwargs: Any) -> Any:
        calls.append({"question": question, **kwargs})
        return real_ask(question, **kwargs)

    qa.ask = ask  # type: ignore[method-assign]
    return build_ui(qa, settings), qa, calls


@pytest.mark.parametrize("ticked", [True, False])
def test_the_box_decides_each_check(settings: Settings, ticked: bool) -> None:
    demo, qa, calls = ui_with_calls(settings)
    try:
        check = handler(demo, "check")
        assert box(demo) in check.inputs  # wired: the box's value is what the handler reads
        html, answer = check.fn("The institute received 100 million pounds.", ticked, [], "all", "en")
        assert answer is not None and "pqa-badge" in html
        assert calls[-1]["mode"] == "claim" and calls[-1]["strict"] is ticked  # False too: never "the setting"
    finally:
        qa.close()


@pytest.mark.parametrize("setting", [True, False])
def test_the_box_starts_from_the_setting(settings: Settings, setting: bool) -> None:
    demo, qa, _ = ui_with_calls(settings.model_copy(update={"claim_strict": setting}))
    try:
        assert box(demo).value is setting
    finally:
        qa.close()


def test_the_box_follows_the_interface_language(settings: Settings) -> None:
    demo, qa, _ = ui_with_calls(settings)
    try:
        strict = box(demo)
        assert strict.label == "严格核查"  # the default interface language is Chinese
        updates = handler(demo, "switch_language").fn("en", [], None, [], "all")
        assert updates[strict]["label"] == "Strict check" and "Supported" in updates[strict]["info"]
        assert handler(demo, "switch_language").fn("zh", [], None, [], "all")[strict]["label"] == "严格核查"
    finally:
        qa.close()
