"""The web UI (Gradio 6): chat with cited sources, claim check, document library, and API endpoints.

Usage::

    demo, qa = launch_app(settings, block=False)   # opens PolicyQA, indexes corpus_dir, serves
    demo = build_ui(qa, settings)                   # just the Blocks, for your own launch()

API (gradio_client): ``Client(url).predict("问题", api_name="/ask")`` and ``api_name="/check_claim"`` return
``Answer.to_json()``; both take ``docs`` (file names) and ``language`` ('zh' | 'en'), ``/check_claim`` also ``strict``.
The claim tab's "strict" box asks for the strict check per request (its default: ``claim_strict``). Endpoints:
ui_api.py; texts: ui_text.py; HTML: ui_render.py (user strings escaped by safety.py); the library's files: library.py
and corpus_folder.py; server limits: server_guard.py (all in rag/app/)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from rag.app.corpus_folder import discard_upload_copies, index_corpus, save_upload
from rag.app.library import (
    filter_choices,
    index_uploads,
    library_entries,
    library_rows,
    removal_message,
    remove_choices,
    remove_entry,
)
from rag.app.resident import serve_beside_app
from rag.app.safety import esc
from rag.app.server_guard import login_checker, server_app_kwargs
from rag.app.service import PolicyQA
from rag.app.ui_api import filter_args, register_api
from rag.app.ui_render import (
    CSS,
    HEAD,
    answer_markdown,
    answer_message,
    citation_record,
    claim_html,
    language_choices,
    linked_citations,
    records_by_name,
    safe_filename,
    scope_line,
    status_markdown,
    texts,
)
from rag.app.ui_text import CLAIM_EXAMPLES, EXAMPLES, LANGUAGES
from rag.ingest.documents import UnreadableDocumentError
from rag.ingest.loaders import load_document
from rag.settings import Settings
from rag.types import Answer

logger = logging.getLogger(__name__)

THEME = gr.themes.Default(
    primary_hue="blue",
    font=["system-ui", "-apple-system", "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
          "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)


def launch_app(settings: Settings, block: bool = True, qa: PolicyQA | None = None) -> tuple[gr.Blocks, PolicyQA]:
    """Open PolicyQA (unless given), index the corpus folder, build the UI and serve it.

    With ``block=False`` it returns at once (the server runs in a thread): call ``demo.close()`` and
    ``qa.close()`` when done. ``demo.local_url`` is the address.
    """
    if qa is None:
        logger.info("loading the embedding model, index and dictionary …")
        qa = PolicyQA.open(settings)
        index_corpus(qa, settings)
        qa.load_reader()  # now (under a second), not on the first answer that needs it
        serve_beside_app(qa, settings)  # answer workers (rag/app/workers.py) and the CLI's socket (rag/app/resident.py)
    demo = build_ui(qa, settings)
    demo.queue(default_concurrency_limit=max(settings.ask_concurrency, settings.answer_workers))
    demo.launch(
        server_name=settings.host, server_port=settings.port,
        auth=login_checker(settings),  # throttled: rag/app/server_guard.py
        app_kwargs=server_app_kwargs(settings),  # request size limit
        max_file_size=int(settings.upload_max_mb * 1024 * 1024),
        prevent_thread_lock=not block,
        show_error=True,
        quiet=not block,
        theme=THEME,
        css=CSS,
        head=HEAD,
        ssr_mode=False,
    )
    return demo, qa


# --- the UI -------------------------------------------------------------------------------------
def build_ui(qa: PolicyQA, settings: Settings) -> gr.Blocks:
    lang0 = settings.ui_language
    t0 = texts(lang0)
    suffixes = ", ".join(settings.allowed_suffixes)

    def entries() -> list[Any]:  # one per indexed file, by its path in the library (rag/app/library.py)
        return library_entries(qa.paths(), qa.documents(), settings.corpus_dir)

    def doc_table(lang: str) -> pd.DataFrame:
        rows = library_rows(entries(), qa.documents(), lang)
        return pd.DataFrame(rows, columns=texts(lang)["headers"])

    with gr.Blocks(title="PolicyQA", analytics_enabled=False) as demo:
        turns = gr.State([])  # [{"question": str, "answer": Answer}]
        last_claim = gr.State(None)  # the last claim-check Answer
        with gr.Row(equal_height=True):
            title = gr.Markdown(f"{t0['title']}\n{t0['subtitle']}", elem_id="pqa-title")
            ui_lang = gr.Radio(LANGUAGES, value=lang0, label=t0["ui_language"], scale=0, min_width=280,
                               elem_id="pqa-lang")
        status = gr.Markdown(status_markdown(qa.status(), lang0), elem_id="pqa-status")

        with gr.Tabs():
            with gr.Tab(t0["tab_chat"], id="chat", elem_id="pqa-tab-chat") as tab_chat:
                chatbot = gr.Chatbot(label=t0["chatbot"], show_label=False, placeholder=t0["chat_placeholder"],
                                     height=600, buttons=[], latex_delimiters=[], feedback_options=None,
                                     elem_id="pqa-chat")
                scope = gr.Markdown(scope_line(None, None, lang0), elem_id="pqa-scope")
                with gr.Row(equal_height=True):
                    question = gr.Textbox(label=t0["question"], placeholder=t0["question_placeholder"],
                                          show_label=False, lines=1, max_lines=4, scale=8, autofocus=True,
                                          max_length=settings.max_question_chars, elem_id="pqa-question")
                    send = gr.Button(t0["send"], variant="primary", scale=1, min_width=80, elem_id="pqa-send")
                    clear = gr.Button(t0["clear"], scale=1, min_width=80, elem_id="pqa-clear")
                examples_md = gr.Markdown(t0["examples"])
                with gr.Row(elem_id="pqa-examples"):
                    example_buttons = [gr.Button(q, size="sm", elem_id=f"pqa-example-{i}")
                                       for i, q in enumerate(EXAMPLES[lang0])]
                with gr.Accordion(t0["copy_accordion"], open=False, elem_id="pqa-copy-acc") as copy_acc:
                    copy_btn = gr.Button(t0["copy_button"], size="sm", elem_id="pqa-copy-btn")
                    copy_box = gr.Textbox(label=t0["copy_box"], lines=8, max_lines=24, buttons=["copy"],
                                          interactive=False, elem_id="pqa-copy")

            with gr.Tab(t0["tab_claim"], id="claim", elem_id="pqa-tab-claim") as tab_claim:
                with gr.Row(equal_height=True):
                    claim = gr.Textbox(label=t0["claim"], placeholder=t0["claim_placeholder"], lines=1, max_lines=4,
                                       scale=8, max_length=settings.max_question_chars, elem_id="pqa-claim")
                    claim_btn = gr.Button(t0["claim_button"], variant="primary", scale=1, min_width=80,
                                          elem_id="pqa-claim-btn")
                claim_strict = gr.Checkbox(value=settings.claim_strict, label=t0["claim_strict"],
                                           info=t0["claim_strict_info"], elem_id="pqa-claim-strict")
                claim_examples_md = gr.Markdown(t0["claim_examples"])
                with gr.Row(elem_id="pqa-claim-examples"):
                    claim_buttons = [gr.Button(c, size="sm", elem_id=f"pqa-claim-example-{i}")
                                     for i, c in enumerate(CLAIM_EXAMPLES[lang0])]
                verdict = gr.HTML("", elem_id="pqa-verdict", padding=False)

            with gr.Tab(t0["tab_library"], id="library", elem_id="pqa-tab-library") as tab_library:
                with gr.Row():
                    doc_filter = gr.Dropdown(filter_choices(entries(), qa.documents()), value=[], multiselect=True,
                                             label=t0["filter_docs"], scale=3, elem_id="pqa-doc-filter")
                    lang_filter = gr.Radio(language_choices(lang0), value="all", label=t0["filter_lang"],
                                           scale=1, elem_id="pqa-lang-filter")
                table = gr.Dataframe(doc_table(lang0), label=t0["library_docs"], interactive=False, wrap=True,
                                     datatype="str", elem_id="pqa-docs")  # cells shown as text: raw strings
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(file_count="multiple", file_types=list(settings.allowed_suffixes),
                                         label=t0["upload"].format(types=suffixes, mb=settings.upload_max_mb),
                                         height=140, elem_id="pqa-upload")
                        upload_btn = gr.Button(t0["upload_button"], variant="primary", elem_id="pqa-upload-btn")
                    with gr.Column():
                        remove_choice = gr.Dropdown(remove_choices(entries()), value=None,
                                                    label=t0["remove_choice"], elem_id="pqa-remove-choice")
                        remove_btn = gr.Button(t0["remove_button"], variant="stop", elem_id="pqa-remove-btn")
                library_msg = gr.Markdown("", elem_id="pqa-library-msg")

        # --- chat -------------------------------------------------------------------------------
        def chat_messages(history: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
            records = records_by_name(qa.documents())
            messages = []
            for number, turn in enumerate(history, start=1):
                messages.append({"role": "user", "content": esc(turn["question"])})
                messages.append({"role": "assistant", "content": answer_message(turn["answer"], records, lang, number)})
            return messages

        def respond(text: str, history: list[dict[str, Any]], docs: list[str], language: str, lang: str):  # type: ignore[no-untyped-def]
            t = texts(lang)
            text = str(text or "")[:settings.max_question_chars].strip()  # cut first: echoed and kept in history
            if not text:
                gr.Info(t["empty"])
                yield chat_messages(history, lang), "", history
                return
            messages = chat_messages(history, lang) + [
                {"role": "user", "content": esc(text)},
                {"role": "assistant", "content": t["searching"]},
            ]
            yield messages, "", history
            pairs = [(turn["question"], turn["answer"].answer) for turn in history]
            answer: Answer | None = None
            try:
                for partial, final in qa.ask_stream(text, history=pairs, **filter_args(docs, language)):
                    if final is None:
                        messages[-1] = {"role": "assistant", "content": linked_citations(partial, "partial")}
                        yield messages, "", history
                    answer = final
            except Exception as error:  # noqa: BLE001 - show the problem in the chat, keep the app alive
                logger.exception("answering %r failed", text)
                messages[-1] = {"role": "assistant", "content": t["error"].format(error=esc(error))}
                yield messages, "", history
                return
            assert answer is not None
            history = history + [{"question": text, "answer": answer}]
            yield chat_messages(history, lang), "", history

        chat_inputs = [turns, doc_filter, lang_filter, ui_lang]
        chat_outputs = [chatbot, question, turns]
        question.submit(respond, [question, *chat_inputs], chat_outputs, api_visibility="private")
        send.click(respond, [question, *chat_inputs], chat_outputs, api_visibility="private")
        for button in example_buttons:
            button.click(respond, [button, *chat_inputs], chat_outputs, api_visibility="private")
        clear.click(lambda: ([], [], ""), None, [chatbot, turns, copy_box], api_visibility="private")

        def copy_markdown(history: list[dict[str, Any]], lang: str):  # type: ignore[no-untyped-def]
            if not history:
                return texts(lang)["copy_empty"], gr.update(open=True)
            turn = history[-1]
            answer: Answer = turn["answer"]
            records = records_by_name(qa.documents())
            data = {"answer": answer.answer, "citations": [citation_record(c, records) for c in answer.citations]}
            return answer_markdown(turn["question"], data, lang), gr.update(open=True)

        copy_btn.click(copy_markdown, [turns, ui_lang], [copy_box, copy_acc], api_visibility="private")

        def update_scope(docs: list[str], language: str, lang: str) -> str:
            return scope_line(docs, language, lang)

        for control in (doc_filter, lang_filter):
            control.change(update_scope, [doc_filter, lang_filter, ui_lang], scope, api_visibility="private")

        # --- claim check ------------------------------------------------------------------------
        def check(text: str, strict: bool, docs: list[str], language: str, lang: str):  # type: ignore[no-untyped-def]
            text = (text or "").strip()
            if not text:
                gr.Info(texts(lang)["empty"])
                return "", None
            try:
                answer = qa.ask(text, mode="claim", strict=bool(strict), **filter_args(docs, language))
            except Exception as error:  # noqa: BLE001
                logger.exception("checking %r failed", text)
                return texts(lang)["error"].format(error=esc(error)), None
            return claim_html(answer, records_by_name(qa.documents()), lang), answer

        claim_inputs = [claim_strict, doc_filter, lang_filter, ui_lang]
        claim.submit(check, [claim, *claim_inputs], [verdict, last_claim], api_visibility="private")
        claim_btn.click(check, [claim, *claim_inputs], [verdict, last_claim], api_visibility="private")
        for button in claim_buttons:
            button.click(lambda value: value, button, claim, queue=False, api_visibility="private").then(
                check, [claim, *claim_inputs], [verdict, last_claim], api_visibility="private")

        # --- library ----------------------------------------------------------------------------
        def library_updates(lang: str, selected: list[str] | None) -> dict[Any, Any]:
            listed = entries()
            choices = filter_choices(listed, qa.documents())
            values = {value for _, value in choices}
            return {
                status: status_markdown(qa.status(), lang),
                table: doc_table(lang),
                doc_filter: gr.update(choices=choices, value=[d for d in (selected or []) if d in values]),
                remove_choice: gr.update(choices=remove_choices(listed), value=None),
            }

        library_outputs = {status, table, doc_filter, remove_choice, library_msg, upload}

        def upload_files(files: list[str] | None, lang: str, selected: list[str], progress=gr.Progress()):  # type: ignore[no-untyped-def]  # noqa: B008
            t = texts(lang)
            if not files:
                return {library_msg: t["upload_none"]}
            messages: list[str] = []
            saved: list[Path] = []
            limit = settings.upload_max_mb * 1024 * 1024
            for file in files:
                source = Path(file)
                original = source.name
                name = safe_filename(original)
                if name is None:
                    messages.append(t["bad_name"].format(name=esc(original)))
                elif Path(name).suffix.lower() not in settings.allowed_suffixes:
                    messages.append(t["bad_type"].format(name=esc(name), types=suffixes))
                elif source.stat().st_size > limit:
                    messages.append(t["too_big"].format(name=esc(name), mb=settings.upload_max_mb))
                else:
                    # Read it before it replaces anything: an unreadable new version must not cost
                    # the user the good file already in the corpus.
                    try:
                        load_document(source, max_bytes=int(limit))
                    except UnreadableDocumentError as error:
                        messages.append(t["skipped"].format(name=esc(name), reason=esc(error)))
                        continue
                    try:
                        saved.append(save_upload(source, settings.corpus_dir, name))
                    except OSError as error:
                        messages.append(t["save_failed"].format(name=esc(name), error=esc(error)))
            if saved:
                progress(0, desc=t["indexing"].format(name=saved[0].name))

                def report_progress(message: str, done: int, total: int) -> None:
                    progress((done, total), desc=t["indexing"].format(name=message), unit="files")

                lines = index_uploads(qa, saved, report_progress, lang)  # the report, then files not indexed
                messages = lines[:1] + messages + lines[1:]
            discard_upload_copies(files, Path(gr.utils.get_upload_folder()))  # the library holds the file now
            return {**library_updates(lang, selected), library_msg: "\n".join(f"- {m}" for m in messages),
                    upload: None}

        upload_btn.click(upload_files, [upload, ui_lang, doc_filter], library_outputs, api_visibility="private")

        def remove_document(key: str | None, lang: str, selected: list[str]):  # type: ignore[no-untyped-def]
            if key is None:  # cancelled in the confirmation dialog
                return {}
            if not key:
                return {library_msg: texts(lang)["remove_none"]}
            removal = remove_entry(qa, key, settings.corpus_dir)  # exactly this file: rag/app/library.py
            return {**library_updates(lang, selected), library_msg: removal_message(removal, lang)}

        confirm = json.dumps({lang: texts(lang)["remove_confirm"] for lang in ("zh", "en")}, ensure_ascii=False)
        remove_btn.click(
            remove_document, [remove_choice, ui_lang, doc_filter], library_outputs, api_visibility="private",
            js=f"(name, lang, selected) => [name ? (confirm({confirm}[lang] || {confirm}.zh) ? name : null) : '', "
               "lang, selected]",
        )

        # --- interface language -----------------------------------------------------------------
        def switch_language(lang: str, history: list[dict[str, Any]], claim_answer: Answer | None,
                            docs: list[str], language: str) -> dict[Any, Any]:
            t = texts(lang)
            updates: dict[Any, Any] = {
                title: f"{t['title']}\n{t['subtitle']}",
                ui_lang: gr.update(label=t["ui_language"]),
                tab_chat: gr.update(label=t["tab_chat"]),
                tab_claim: gr.update(label=t["tab_claim"]),
                tab_library: gr.update(label=t["tab_library"]),
                chatbot: gr.update(value=chat_messages(history, lang), label=t["chatbot"],
                                   placeholder=t["chat_placeholder"]),
                scope: scope_line(docs, language, lang),
                question: gr.update(label=t["question"], placeholder=t["question_placeholder"]),
                send: gr.update(value=t["send"]),
                clear: gr.update(value=t["clear"]),
                examples_md: t["examples"],
                copy_acc: gr.update(label=t["copy_accordion"]),
                copy_btn: gr.update(value=t["copy_button"]),
                copy_box: gr.update(label=t["copy_box"]),
                claim: gr.update(label=t["claim"], placeholder=t["claim_placeholder"]),
                claim_btn: gr.update(value=t["claim_button"]),
                claim_strict: gr.update(label=t["claim_strict"], info=t["claim_strict_info"]),
                claim_examples_md: t["claim_examples"],
                verdict: claim_html(claim_answer, records_by_name(qa.documents()), lang) if claim_answer else "",
                doc_filter: gr.update(label=t["filter_docs"]),
                lang_filter: gr.update(label=t["filter_lang"], choices=language_choices(lang)),
                table: gr.update(value=doc_table(lang), label=t["library_docs"]),
                upload: gr.update(label=t["upload"].format(types=suffixes, mb=settings.upload_max_mb)),
                upload_btn: gr.update(value=t["upload_button"]),
                remove_choice: gr.update(label=t["remove_choice"]),
                remove_btn: gr.update(value=t["remove_button"]),
                status: status_markdown(qa.status(), lang),
            }
            updates.update(zip(example_buttons, EXAMPLES[lang], strict=True))
            updates.update(zip(claim_buttons, CLAIM_EXAMPLES[lang], strict=True))
            return updates

        language_outputs = {
            title, ui_lang, tab_chat, tab_claim, tab_library, chatbot, scope, question, send, clear, examples_md,
            copy_acc, copy_btn, copy_box, claim, claim_btn, claim_strict, claim_examples_md, verdict, doc_filter,
            lang_filter, table, upload, upload_btn, remove_choice, remove_btn, status, *example_buttons, *claim_buttons,
        }
        ui_lang.change(switch_language, [ui_lang, turns, last_claim, doc_filter, lang_filter], language_outputs,
                       api_visibility="private")
        # Each new page shows the library as it is now (documents may have been added since start).
        demo.load(lambda lang, selected: library_updates(lang, selected), [ui_lang, doc_filter],
                  {status, table, doc_filter, remove_choice}, api_visibility="private")

        register_api(qa)  # /ask and /check_claim: rag/app/ui_api.py
    return demo
