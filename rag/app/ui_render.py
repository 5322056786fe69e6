"""Texts and HTML/Markdown rendering for the web UI (rag/ui.py): no Gradio here, so it is easy to test.

Usage::

    t = TEXTS["zh"]
    html = answer_message(answer, records_by_name(qa.documents()), "zh", turn=1)
    md = answer_markdown(last, "en")             # "copy answer with citations"
    name = safe_filename("../../etc/政策 文件.pdf")  # → "政策 文件.pdf"
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from rag.app.safety import esc
from rag.app.ui_text import TEXTS
from rag.ingest.manifest import DocumentRecord
from rag.types import LOW_CONFIDENCE_VERDICT, Answer, Citation, SearchHit

CITE = re.compile(r"&#91;(\d{1,3})&#93;")  # a citation [n] in esc() text
UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\\/]')


def texts(lang: str | None) -> dict[str, Any]:
    return TEXTS.get(lang or "zh", TEXTS["zh"])


def records_by_name(records: list[DocumentRecord]) -> dict[str, DocumentRecord]:
    return {name: record for record in records for name in record.names}


# --- status line and library -----------------------------------------------------------------


def status_markdown(status: dict[str, Any], lang: str) -> str:
    t = texts(lang)
    values = dict(status)
    if str(values.get("generator", "")).startswith("extractive"):
        values["generator"] = t["extractive"]
    return t["status"].format(**{k: esc(v) if isinstance(v, str) else v for k, v in values.items()})


def language_name(code: str, lang: str) -> str:
    t = texts(lang)
    return {"zh": t["lang_zh"], "en": t["lang_en"]}.get(code, code)


def language_choices(lang: str) -> list[tuple[str, str]]:
    t = texts(lang)
    return [(t["lang_all"], "all"), (t["lang_zh"], "zh"), (t["lang_en"], "en")]


def scope_line(docs: list[str] | None, language: str | None, lang: str) -> str:
    t = texts(lang)
    line = t["scope_some"].format(n=len(docs)) if docs else t["scope_all"]
    if language in ("zh", "en"):
        line += t["scope_lang"].format(lang=language_name(language, lang))
    return line


# --- file names ------------------------------------------------------------------------------


def safe_filename(name: str, max_bytes: int = 180) -> str | None:
    """A plain file name from an uploaded name: no folders, no control characters, no leading dots.

    Unicode letters are kept ("政策 文件.pdf" stays as it is); "../../x.txt" becomes "x.txt".
    Returns None when nothing usable is left.
    """
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in name)
    name = UNSAFE_NAME_CHARS.sub("_", name)
    name = " ".join(name.split()).strip(". ")
    if not name:
        return None
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = f".{suffix}" if dot else ""
    while len((stem + suffix).encode("utf-8")) > max_bytes and stem:
        stem = stem[:-1]
    name = (stem.rstrip(". ") + suffix) if stem.rstrip(". ") else ""
    return name or None


# --- answers ---------------------------------------------------------------------------------


def footnote_link(number: int, notes: dict[str, str], element_id: str) -> str:
    """A footnote mark left out of the passage text, as a superscript link to its note under the passage (the
    note's text also its title); a number the note list lacks as a bare superscript."""
    if str(number) not in notes:
        return f'<sup class="pqa-fn">{number}</sup>'
    return (f'<sup class="pqa-fn"><a href="#{esc(element_id)}-fn-{number}" title="{esc(notes[str(number)])}">'
            f"{number}</a></sup>")


def notes_block(marks: list[tuple[int, int]], notes: dict[str, str], element_id: str) -> str:
    """The notes the passage's marks refer to, each once, in the order they are marked."""
    numbers = list(dict.fromkeys(n for _, n in marks if str(n) in notes))
    items = "".join(f'<div id="{esc(element_id)}-fn-{n}"><sup>{n}</sup> {esc(notes[str(n)])}</div>' for n in numbers)
    return f'<div class="pqa-notes">{items}</div>' if items else ""


def highlighted_passage(passage: str, sentence: str, marks: list[tuple[int, int]] | None = None,
                        notes: dict[str, str] | None = None, element_id: str = "") -> str:
    """The passage, HTML-escaped, with the cited sentence in <mark>, each footnote mark (``marks``: offset in
    ``passage``, number; ``notes``: the document's note list) a superscript link to its note; line breaks as <br>."""
    passage = passage or sentence
    at = passage.find(sentence) if sentence else -1
    events = [(offset, 0, footnote_link(n, notes or {}, element_id)) for offset, n in marks or []]
    tail = ""
    if at >= 0:  # a mark where the sentence starts or ends belongs to the text before it: outside, inside <mark>
        events += [(at, 1, "<mark>"), (at + len(sentence), 1, "</mark>")]
    elif sentence and passage != sentence:
        tail = f"<br><mark>{esc(sentence)}</mark>"
    body, done = [], 0
    for offset, _, tag in sorted(events, key=lambda e: e[:2]):
        body += [esc(passage[done:offset]), tag]
        done = offset
    body.append(esc(passage[done:]) + tail)
    # No blank lines: inside a chat message a blank line would end the HTML block.
    return re.sub(r"\s*\n\s*", "<br>", "".join(body).strip())


def safe_url(url: str | None) -> str | None:
    return url if url and re.match(r"https?://", url, re.I) else None


def source_details(citation: Citation, record: DocumentRecord | None, lang: str, element_id: str,
                   open_: bool = False) -> str:
    t = texts(lang)
    notes = record.notes if record else {}
    summary_meta = [esc(record.publisher)] if record and record.publisher else []
    date = citation.date or (record.date if record else None)
    if date:
        summary_meta.append(esc(date))
    if citation.page:
        summary_meta.append(esc(t["page"].format(n=citation.page)))
    meta = []
    colon = "：" if lang == "zh" else ": "
    if citation.section and citation.section != citation.title:
        meta.append(f"{t['section']}{colon}{esc(citation.section)}")
    meta.append(f"{t['file']}{colon}<code>{esc(citation.doc)}</code>")
    url = safe_url(record.source_url if record else None)
    if url:
        meta.append(f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">'
                    f'{esc(t["source_link"])}</a>')
    return (
        f'<details class="pqa-src" id="{esc(element_id)}" data-n="{citation.n}"{" open" if open_ else ""}>'
        f'<summary><span class="pqa-n">[{citation.n}]</span> <b>{esc(citation.title)}</b>'
        + (f' <span class="pqa-meta">· {" · ".join(summary_meta)}</span>' if summary_meta else "")
        + "</summary>"
        f'<div class="pqa-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="pqa-passage">'
        f"{highlighted_passage(citation.passage, citation.text, citation.passage_marks, notes, element_id)}</blockquote>"
        f"{notes_block(citation.passage_marks, notes, element_id)}</details>"
    )


def context_citation(hit: SearchHit, n: int) -> Citation:
    """A retrieved passage shown as a reference (no sentence highlighted)."""
    return Citation(n=n, doc=hit.doc, title=hit.title, text="", start=hit.start, end=hit.end, page=hit.page,
                    score=hit.score, section=hit.section, date=hit.date, passage=hit.text, passage_marks=hit.marks)


def sources_block(citations: list[Citation], records: dict[str, DocumentRecord], lang: str, prefix: str,
                  heading: str, open_first: bool = False) -> str:
    if not citations:
        return ""
    items = "".join(source_details(c, records.get(c.doc), lang, f"{prefix}-{c.n}", open_first and i == 0)
                    for i, c in enumerate(citations))
    return f'<div class="pqa-sources"><div class="pqa-sources-h">{esc(heading)}</div>{items}</div>'


def linked_citations(text: str, prefix: str) -> str:
    """Escape the answer for Markdown display (``esc``: source sentences are user content) and make
    each [n] a link to its source (#prefix-n)."""
    escaped = esc(text)
    return CITE.sub(lambda m: f'<a class="pqa-cite" href="#{prefix}-{m.group(1)}">[{m.group(1)}]</a>', escaped)


def answer_message(answer: Answer, records: dict[str, DocumentRecord], lang: str, turn: int) -> str:
    """A chat message: the answer with clickable [n], then its sources (or the closest passages)."""
    t = texts(lang)
    prefix = f"src-{turn}"
    body = linked_citations(answer.answer, prefix)
    if answer.confidence == "low":  # an answer near the refusal threshold (rag.answer.compose.hedged)
        body = f'<span class="pqa-badge pqa-tentative">{esc(t["low_confidence"])}</span> ' + body
    if answer.named_documents:
        titles = [getattr(records.get(name), "title", "") or name for name in answer.named_documents]
        body = f"<small>{esc(t['named'].format(docs='; '.join(titles)))}</small>\n\n" + body
    if answer.citations:
        block = sources_block(answer.citations, records, lang, prefix, t["sources"])
    else:
        contexts = [context_citation(h, i) for i, h in enumerate(answer.contexts[:3], start=1)]
        block = sources_block(contexts, records, lang, f"{prefix}-ctx", t["closest"])
    return body + ("\n\n" + block if block else "")


def citation_record(citation: Citation, records: dict[str, DocumentRecord]) -> dict[str, Any]:
    record = records.get(citation.doc)
    return {
        **citation.to_json(),
        "publisher": record.publisher if record else None,
        "source_url": record.source_url if record else None,
        "date": citation.date or (record.date if record else None),
    }


def answer_markdown(question: str, answer: dict[str, Any], lang: str) -> str:
    """The last answer and a numbered source list, as Markdown to paste elsewhere."""
    t = texts(lang)
    lines = [f"**{t['md_question']}:** {question}", "", answer["answer"]]
    citations = answer.get("citations") or []
    if citations:
        lines += ["", f"**{t['md_sources']}:**", ""]
    for c in citations:
        parts = [f"{c['n']}. {c['title']}"]
        details = [str(x) for x in (c.get("publisher"), c.get("date")) if x]
        if c.get("section") and c["section"] != c["title"]:
            details.append(c["section"])
        if c.get("page"):
            details.append(t["page"].format(n=c["page"]))
        if details:
            parts.append(" — " + ", ".join(details))
        if c.get("text"):
            parts.append(f" — “{c['text']}”")
        if safe_url(c.get("source_url")):
            parts.append(f" <{c['source_url']}>")
        lines.append("".join(parts) + f" (`{c['doc']}`)")
    return "\n".join(lines)


# --- claim check -----------------------------------------------------------------------------


def claim_split(answer: Answer) -> tuple[list[Citation], list[Citation]]:
    """Supporting and contradicting citations, from the notes 'for: [..]' / 'against: [..]'."""
    numbers: dict[str, set[int]] = {"for": set(), "against": set()}
    for note in answer.notes:
        key, _, rest = note.partition(":")
        if key.strip() in numbers:
            numbers[key.strip()] = {int(n) for n in re.findall(r"\d+", rest)}
    if not numbers["for"] and not numbers["against"] and answer.citations:
        return (answer.citations, []) if answer.verdict == "supported" else ([], answer.citations)
    return ([c for c in answer.citations if c.n in numbers["for"]],
            [c for c in answer.citations if c.n in numbers["against"]])


def differences_html(answer: Answer, lang: str) -> str:
    """What the claim says otherwise than its source: the claim with the differing words marked, and
    per difference the claim's value beside the source's (both marked) and its citation."""
    if not answer.differences:
        return ""
    claim = answer.question
    spans = sorted({tuple(d["claim_span"]) for d in answer.differences if d.get("claim_span")})
    marked, last = [], 0
    for start, end in spans:
        if start >= last and end <= len(claim):
            marked += [esc(claim[last:start]), f"<mark>{esc(claim[start:end])}</mark>"]
            last = end
    marked.append(esc(claim[last:]))

    def side(text: str) -> str:  # a negation difference: the side that states it plainly is empty
        return f"<mark>{esc(text)}</mark>" if text else "—"

    items = "".join(
        f'<li data-kind="{esc(d["kind"])}">{side(d["claim"])} ≠ {side(d["source"])}'
        + (f' <a href="#claim-{d["citation"]}">[{d["citation"]}]</a>' if d.get("citation") else "")
        + f' — {esc(d["text"])}</li>'
        for d in answer.differences
    )
    return (f'<div class="pqa-differences"><div class="pqa-claim">{texts(lang)["claim_says"]}{"".join(marked)}</div>'
            f"<ul>{items}</ul></div>")


def checked_html(answer: Answer, lang: str) -> str:
    """When a frame naming the claim's source was cut off ("The Concordia AI report says that …"), the claim as written
    with the frame greyed: what was checked is the statement left."""
    if not answer.checked_span:
        return ""
    start, end = answer.checked_span
    claim = answer.question

    def frame(text: str) -> str:
        return f'<span class="pqa-frame">{esc(text)}</span>' if text.strip() else ""

    before, after = frame(claim[:start]), frame(claim[end:])
    return (f'<div class="pqa-checked">{texts(lang)["checked"]}{before}'
            f'<span class="pqa-statement">{esc(claim[start:end])}</span>{after}</div>')


def claim_html(answer: Answer, records: dict[str, DocumentRecord], lang: str) -> str:
    t = texts(lang)
    verdict = answer.verdict or "not_found"
    shown = LOW_CONFIDENCE_VERDICT.get(verdict, verdict) if answer.confidence == "low" else verdict
    badge = f'<span class="pqa-badge pqa-{esc(shown)}">{esc(t["verdict"].get(shown, shown))}</span>'
    parts = [f'<div class="pqa-verdict" data-verdict="{esc(verdict)}" data-confidence="{esc(answer.confidence or "")}">{badge} '
             f'<span class="pqa-verdict-text">{linked_citations(answer.answer, "claim")}</span></div>']
    parts += [checked_html(answer, lang), differences_html(answer, lang)]
    pro, con = claim_split(answer)
    for heading, group in ((t["for"], pro), (t["against"], con)):
        if group:
            parts.append(sources_block(group, records, lang, "claim", heading, open_first=True))
    if not pro and not con and answer.contexts:
        contexts = [context_citation(h, i) for i, h in enumerate(answer.contexts[:3], start=1)]
        parts.append(sources_block(contexts, records, lang, "claim-ctx", t["closest"]))
    return "".join(parts)


CSS = """
.pqa-sources { margin-top: .5em; font-size: .94em; }
.pqa-sources-h { color: var(--body-text-color-subdued); font-size: .9em; margin: .2em 0 .3em; }
details.pqa-src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .35em .7em;
  margin: .35em 0; background: var(--background-fill-secondary); }
details.pqa-src > summary { cursor: pointer; line-height: 1.5; }
details.pqa-src[open] > summary { margin-bottom: .3em; }
details.pqa-src.pqa-flash { outline: 2px solid var(--color-accent); }
.pqa-n { font-weight: 600; color: var(--color-accent); }
.pqa-meta { color: var(--body-text-color-subdued); font-size: .9em; }
blockquote.pqa-passage { margin: .4em 0 .2em !important; padding: .1em 0 .1em .7em !important;
  border-left: 3px solid var(--color-accent) !important; font-style: normal !important; line-height: 1.65; }
blockquote.pqa-passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
.pqa-fn a { text-decoration: none !important; color: var(--color-accent) !important; }
.pqa-notes { color: var(--body-text-color-subdued); font-size: .85em; margin: .1em 0 .2em .9em; word-break: break-all; }
a.pqa-cite { text-decoration: none !important; font-weight: 600; color: var(--color-accent) !important; }
.pqa-badge { display: inline-block; padding: .1em .8em; border-radius: 999px; color: #fff; font-weight: 600;
  margin-right: .5em; }
.pqa-supported { background: #15803d; }
.pqa-tentative { background: #a16207; }
.pqa-tentative_contradicted { background: #c2410c; }
.pqa-contradicted { background: #b91c1c; }
.pqa-not_found { background: #6b7280; }
.pqa-verdict { font-size: 1.05em; line-height: 1.8; margin: .3em 0 .6em; }
.pqa-checked { margin: .2em 0 .4em; font-size: .94em; } .pqa-checked .pqa-frame { color: #888; }
.pqa-differences { margin: .2em 0 .8em; } .pqa-differences mark { background: #ffe08a; } .pqa-differences ul { margin: .3em 0 0 1.2em; }
#pqa-status { font-size: .9em; color: var(--body-text-color-subdued); }
#pqa-status p { margin: 0; }
#pqa-examples button { text-align: left; white-space: normal; }
"""

# Clicking a citation [n] opens its source below the answer (the <details> with id "src-<turn>-<n>").
# A new question scrolls the chat to its end, where the question and then its answer appear: Gradio's own
# autoscroll stops once the chat was scrolled away from its end (by opening a source higher up, or by hand),
# and would leave the new answer below the fold (issue #17 item 6).
HEAD = """
<script>
(function () {
  let questions = 0;
  new MutationObserver(function () {
    const count = document.querySelectorAll('#pqa-chat .user-row').length;
    const log = count > questions ? document.querySelector('#pqa-chat .bubble-wrap') : null;
    if (log) log.scrollTop = log.scrollHeight;
    questions = count;
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
document.addEventListener('click', function (event) {
  const link = event.target.closest ? event.target.closest('a.pqa-cite') : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const target = document.getElementById(link.getAttribute('href').slice(1));
  if (!target) return;
  target.open = true;
  target.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  target.classList.add('pqa-flash');
  setTimeout(function () { target.classList.remove('pqa-flash'); }, 1500);
}, true);
</script>
"""
