"""What the web UI does with strings it did not write: escape them for display, check API arguments.

Usage::

    esc('<img src=http://x>[a](http://y)')   # → text that shows as typed in Markdown and in HTML
    filters = api_filters(docs, language)     # → {"docs": [...] | None, "language": ...}; ApiArgumentError if bad

Every user-controlled string that reaches a Markdown or HTML component (document titles, file names,
sections, publishers, source sentences, questions echoed back, error texts) goes through ``esc``: HTML
specials become entities, and so do the characters Markdown reads as structure (links and images need
``[``, code spans a backtick, emphasis ``*``/``_``, KaTeX ``$``), so the text shows as it was typed
and is never markup — inside a Markdown paragraph, inline HTML, an HTML block or an attribute alike.
Tables and dropdowns (Gradio renders them as text) take the raw strings.
"""

from __future__ import annotations

from typing import Any

# HTML's specials, and the characters Markdown (CommonMark + GFM, KaTeX ``$``) treats as syntax, as
# character references (one pass): a reference is never read as structure; the browser shows the character.
INERT = {ord(ch): f"&#{ord(ch)};" for ch in "\\`*_[]~|$#'"} | {ord("&"): "&amp;", ord("<"): "&lt;",
                                                              ord(">"): "&gt;", ord('"'): "&quot;"}


def esc(value: Any) -> str:
    """``value`` as inert text for Markdown and HTML: what the reader sees is exactly ``str(value)``."""
    return str(value).translate(INERT)


class ApiArgumentError(ValueError):
    """An API argument of the wrong shape; the message says what was expected."""


def api_filters(docs: Any, language: Any) -> dict[str, Any]:
    """The ``docs`` and ``language`` arguments of /ask and /check_claim, checked.

    ``docs``: None or a list of file names (empty = all documents); anything else is an error that says
    so (a bare string is not taken apart into characters). ``language``: 'zh' or 'en' filters, anything
    else means no language filter.
    """
    if docs is not None and not isinstance(docs, list | tuple):
        example = f'["{docs}"]' if isinstance(docs, str) else '["report.pdf"]'
        raise ApiArgumentError(
            f"docs must be a list of file names, e.g. {example}, or null for all documents; "
            f"got {type(docs).__name__}")
    if docs and not all(isinstance(name, str) for name in docs):
        wrong = next(type(name).__name__ for name in docs if not isinstance(name, str))
        raise ApiArgumentError(f"docs must be a list of file names (strings); it holds a {wrong}")
    return {"docs": list(docs) if docs else None, "language": language if language in ("zh", "en") else None}
