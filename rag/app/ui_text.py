"""The UI's words in both interface languages, and the example questions and claims it offers.

Usage::

    TEXTS["en"]["send"]          # "Ask"
    EXAMPLES["zh"][0]            # an example question
"""

from __future__ import annotations

from typing import Any

LANGUAGES = [("中文", "zh"), ("English", "en")]

TEXTS: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "## PolicyQA 政策文件问答",
        "subtitle": "用中文或英文提问；每个结论都标注编号引用 [n]，点击即可查看原文段落。",
        "ui_language": "界面语言",
        "tab_chat": "问答", "tab_claim": "核查说法", "tab_library": "文档库",
        "chatbot": "对话",
        "chat_placeholder": "答案会在这里出现，并附带可展开的原文出处。",
        "question": "问题",
        "question_placeholder": "输入问题（中文或英文），按回车提问",
        "send": "提问", "clear": "清空对话",
        "examples": "**示例问题**",
        "copy_accordion": "复制答案和引用（Markdown）",
        "copy_button": "生成 Markdown",
        "copy_box": "答案 + 编号来源（点击右上角按钮复制）",
        "copy_empty": "还没有答案可复制。",
        "searching": "⏳ 正在检索文档…",
        "sources": "来源（点击展开原文，高亮为引用的句子）",
        "closest": "最接近的段落（仅供参考）",
        "named": "问题中提到的文档（优先检索）：{docs}",
        "source_link": "查看原文 ↗",
        "section": "章节", "page": "第 {n} 页", "file": "文件",
        "error": "⚠️ 出错了：{error}",
        "empty": "请输入问题。",
        "scope_all": "检索范围：全部文档",
        "scope_some": "检索范围：{n} 篇文档",
        "scope_lang": "，段落语言：{lang}",
        "claim": "要核查的说法",
        "claim_placeholder": "例如：欧盟2024年新设了人工智能办公室。",
        "claim_button": "核查",
        "claim_strict": "严格核查",
        "claim_strict_info": "只在证据非常充分时判为“有依据”：错判更少，但更多真实说法会显示为“未找到”。",
        "claim_examples": "**示例说法**",
        "verdict": {"supported": "有依据", "contradicted": "相矛盾", "not_found": "未找到", "tentative": "可能有依据"},
        "for": "支持的段落", "against": "相反的段落", "claim_says": "说法：",
        "library_docs": "已索引的文档",
        "headers": ["标题", "语言", "日期", "段落数", "发布者", "文件（文档库中的路径）"],
        "filter_docs": "只在这些文档中检索（留空 = 全部文档；对问答和核查都生效）",
        "filter_lang": "段落语言",
        "lang_all": "全部", "lang_zh": "中文", "lang_en": "英文",
        "upload": "上传文档（{types}；每个不超过 {mb:g} MB）",
        "upload_button": "上传并加入索引",
        "upload_none": "请先选择要上传的文件。",
        "indexing": "正在索引 {name}",
        "too_big": "「{name}」超过 {mb:g} MB 的上限，未上传。",
        "bad_type": "「{name}」的文件类型不受支持（支持：{types}）。",
        "bad_name": "文件名「{name}」无效，未上传。",
        "save_failed": "「{name}」保存失败：{error}",
        "report": "索引完成：新增 {added}，更新 {updated}，未变 {unchanged}，重复 {duplicates}；"
                  "用时 {seconds:.1f} 秒。",
        "skipped": "「{name}」未能索引：{reason}",
        "remove_choice": "选择要删除的文件",
        "remove_button": "删除文档",
        "remove_confirm": "确定删除这个文件吗？它会从索引中移除，并从文档库文件夹中删除。",
        "remove_none": "请先选择要删除的文档。",
        "removed": "已删除「{name}」。",
        "removed_file": "（也已删除文件 {file}）",
        "remove_missing": "所选文件已不在索引中。",
        "remove_failed": "未能删除「{name}」：{error}（文件已保留）",
        "status": "**嵌入模型** {embedding_model} · **生成** {generator} · **文档** {documents} 篇 · "
                  "**段落** {chunks} 个 · **存储** {store}",
        "extractive": "离线抽取式（原文句子，不用大模型）",
        "md_question": "问题", "md_sources": "来源",
    },
    "en": {
        "title": "## PolicyQA — policy document Q&A",
        "subtitle": "Ask in English or Chinese; every statement carries a numbered citation [n] — "
                    "click it to read the source passage.",
        "ui_language": "Interface language",
        "tab_chat": "Ask", "tab_claim": "Check a claim", "tab_library": "Library",
        "chatbot": "Conversation",
        "chat_placeholder": "Answers appear here, with expandable sources.",
        "question": "Question",
        "question_placeholder": "Type a question (English or Chinese) and press Enter",
        "send": "Ask", "clear": "Clear",
        "examples": "**Example questions**",
        "copy_accordion": "Copy answer with citations (Markdown)",
        "copy_button": "Make Markdown",
        "copy_box": "Answer + numbered sources (copy with the button at the top right)",
        "copy_empty": "No answer to copy yet.",
        "searching": "⏳ Searching the documents…",
        "sources": "Sources (click to read the passage; the cited sentence is highlighted)",
        "closest": "Closest passages (for reference only)",
        "named": "Document named in the question (searched first): {docs}",
        "source_link": "Open source ↗",
        "section": "Section", "page": "page {n}", "file": "File",
        "error": "⚠️ Something went wrong: {error}",
        "empty": "Please type a question.",
        "scope_all": "Searching: all documents",
        "scope_some": "Searching: {n} document(s)",
        "scope_lang": ", passage language: {lang}",
        "claim": "Claim to check",
        "claim_placeholder": "e.g. The International Network of AI Safety Institutes includes Italy.",
        "claim_button": "Check",
        "claim_strict": "Strict check",
        "claim_strict_info": "\"Supported\" only on very strong evidence: fewer wrong \"Supported\", more true claims shown as \"Not found\".",
        "claim_examples": "**Example claims**",
        "verdict": {"supported": "Supported", "contradicted": "Contradicted", "not_found": "Not found",
                    "tentative": "Probably supported"},
        "for": "Supporting passages", "against": "Contradicting passages", "claim_says": "The claim: ",
        "library_docs": "Indexed documents",
        "headers": ["Title", "Language", "Date", "Chunks", "Publisher", "File (path in the library)"],
        "filter_docs": "Search only these documents (empty = all; applies to questions and claim checks)",
        "filter_lang": "Passage language",
        "lang_all": "All", "lang_zh": "Chinese", "lang_en": "English",
        "upload": "Upload documents ({types}; at most {mb:g} MB each)",
        "upload_button": "Upload and index",
        "upload_none": "Choose the files to upload first.",
        "indexing": "Indexing {name}",
        "too_big": "“{name}” is larger than the {mb:g} MB limit; not uploaded.",
        "bad_type": "“{name}” has an unsupported file type (supported: {types}).",
        "bad_name": "The file name “{name}” is not usable; not uploaded.",
        "save_failed": "Could not save “{name}”: {error}",
        "report": "Indexed: {added} added, {updated} updated, {unchanged} unchanged, {duplicates} duplicate(s) "
                  "in {seconds:.1f} s.",
        "skipped": "“{name}” could not be indexed: {reason}",
        "remove_choice": "File to remove",
        "remove_button": "Remove document",
        "remove_confirm": "Remove this file? It leaves the index and is deleted from the library folder.",
        "remove_none": "Choose a document to remove first.",
        "removed": "Removed “{name}”.",
        "removed_file": " (file {file} deleted too)",
        "remove_missing": "The chosen file is no longer in the index.",
        "remove_failed": "Could not remove “{name}”: {error} (the file was kept)",
        "status": "**Embedding** {embedding_model} · **Generator** {generator} · **Documents** {documents} · "
                  "**Chunks** {chunks} · **Store** {store}",
        "extractive": "offline extractive (source sentences, no LLM)",
        "md_question": "Question", "md_sources": "Sources",
    },
}

EXAMPLES = {
    "zh": [
        "英国人工智能安全研究所获得了多少初始资金？",
        "美国国家安全备忘录对联邦政府使用人工智能提出了哪些要求？",
        "欧盟在2024年设立了什么机构来推动实施《人工智能法案》？",
    ],
    "en": [
        "What is the UK AI Safety Institute's initial funding?",
        "What does the US AI national security memorandum direct agencies to do?",
        "What did Anthropic recommend in response to America's AI Action Plan?",
    ],
}
CLAIM_EXAMPLES = {
    # Examples the shipped claim model reads right (its known misses, e.g. "The EU set up an AI Office in
    # 2024.", are kept as strict expected failures in tests/rag/answer/test_claims_real.py)
    "zh": ["欧盟2024年新设了人工智能办公室。", "2024中关村论坛发布了中国首例人工智能领域监管沙盒。"],
    "en": ["The International Network of AI Safety Institutes includes Kenya.",
           "The International Network of AI Safety Institutes includes Italy."],
}
