"""The web app's API endpoints (gradio_client): ``/ask`` and ``/check_claim``, each returning ``Answer.to_json()``.

Usage (inside ``gr.Blocks``; ``rag.app.ui.build_ui`` does this)::

    register_api(qa)
    # then, from anywhere: Client(url).predict("问题", api_name="/ask")
    #                      Client(url).predict(claim="…", strict=True, api_name="/check_claim")
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from rag.app.safety import ApiArgumentError, api_filters
from rag.app.service import PolicyQA


def filter_args(docs: Any, language: Any) -> dict[str, Any]:
    """The checked ``docs`` / ``language`` filters; a wrongly shaped one is an error the caller reads."""
    try:
        return api_filters(docs, language)
    except ApiArgumentError as error:
        raise gr.Error(str(error)) from error


def register_api(qa: PolicyQA) -> None:
    """Declare the two public endpoints on the Blocks being built (every UI event handler is private)."""

    def ask(question: str, docs: list[str] | None = None, language: str | None = None) -> dict[str, Any]:
        """Answer a question from the indexed documents; returns Answer.to_json() (as `rag ask --json`).

        docs: a list of file names to search (None or [] = all); language: only passages in 'zh' or 'en'.
        """
        return qa.ask(question, **filter_args(docs, language)).to_json()

    def check_claim(claim: str, docs: list[str] | None = None, language: str | None = None,
                    strict: bool = False) -> dict[str, Any]:
        """Check a claim against the documents; `verdict` is supported / contradicted / not_found.
        strict: "supported" only at the strict threshold (fewer wrong "supported", more true claims not found)."""
        return qa.ask(claim, mode="claim", strict=strict or None, **filter_args(docs, language)).to_json()

    gr.api(ask, api_name="ask")
    gr.api(check_claim, api_name="check_claim")
