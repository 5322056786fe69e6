"""Prompts for the chat models, and parsing of what they answer.

Prompts live in ``settings.prompts_dir`` as ``{name}_{language}.txt`` (language ``zh`` or ``en``).
Passage text is data, never instructions: :func:`format_passages` wraps every passage in
``<passage id="n">…</passage>`` and escapes anything inside that could close the wrapper.

Usage::

    messages = build_answer_messages(settings, question, "zh", [(1, title, text), ...])
    cited = parse_citations(model.complete(messages))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.settings import Settings

LANGUAGES = ("zh", "en")
REFUSALS = {"zh": "文档中没有找到相关信息。", "en": "The documents do not say."}
VERDICTS = ("supported", "contradicted", "not_found")
HISTORY_TURNS = 3  # follow-up context
HISTORY_ANSWER_CHARS = 600  # each earlier answer is cut to this many characters

Message = dict[str, str]



# --------------------------------------------------------------------------------------------
# Prompts
# --------------------------------------------------------------------------------------------

PROMPT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language


def load_prompt(settings: Settings, name: str, language: str) -> str:
    """The text of ``prompts/{name}_{language}.txt`` (language ``zh`` or ``en``), stripped."""
    if not PROMPT_NAME.match(name):
        raise ValueError(f"bad prompt name {name!r}")
    path = Path(settings.prompts_dir) / f"{name}_{_check_language(language)}.txt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"prompt file missing: {path}") from exc


PASSAGE_TAG = re.compile(r"<(\s*/?\s*passage)", re.IGNORECASE)


def escape_passage_text(text: str) -> str:
    """Neutralise anything that looks like a ``<passage>`` / ``</passage>`` tag inside document text."""
    return PASSAGE_TAG.sub(r"&lt;\1", text)


def _clean_title(title: str) -> str:
    title = " ".join(escape_passage_text(title or "").split())
    return title.replace("(", "（").replace(")", "）")


def format_passages(passages: Sequence[tuple[int, str, str]]) -> str:
    """Number and fence passages: ``[n] (title)`` then ``<passage id="n">text</passage>``.

    The text is escaped so a passage cannot close its own wrapper and smuggle instructions out.
    """
    blocks = []
    for number, title, text in passages:
        n = int(number)
        header = f"[{n}] ({_clean_title(title)})" if title and title.strip() else f"[{n}]"
        body = escape_passage_text(text.strip())
        blocks.append(f'{header}\n<passage id="{n}">\n{body}\n</passage>')
    return "\n\n".join(blocks)


# The question comes last: small models answer best right after it, and a reminder after the
# question made them reply with bare "[1]" (the rules live in the system prompt).
ANSWER_USER_TEMPLATE = {
    "zh": "资料：\n\n{passages}\n\n问题：{question}",
    "en": "Passages:\n\n{passages}\n\nQuestion: {question}",
}
CITATION_MARK = re.compile(r"\s*[\[【]\s*\d{1,3}(?:\s*[-–,，、;；]\s*\d{1,3})*\s*[\]】]")


def _history_messages(history: Sequence[tuple[str, str]] | None) -> list[Message]:
    """Earlier (question, answer) turns as chat messages, with their citation marks removed.

    Old answers cite passages that are no longer numbered the same way, so ``[n]`` marks are
    stripped to keep the model from copying them.
    """
    messages: list[Message] = []
    for question, answer in list(history or [])[-HISTORY_TURNS:]:
        messages.append({"role": "user", "content": question})
        answer = CITATION_MARK.sub("", answer or "")[:HISTORY_ANSWER_CHARS]
        messages.append({"role": "assistant", "content": answer})
    return messages


def build_answer_messages(
    settings: Settings,
    question: str,
    language: str,
    passages: Sequence[tuple[int, str, str]],
    history: Sequence[tuple[str, str]] | None = None,
) -> list[Message]:
    """Messages asking for a cited answer to ``question`` from numbered ``passages``.

    ``passages`` are ``(number, title, text)``; ``history`` holds earlier ``(question, answer)``
    turns (the last few are kept). The reply should cite passages as ``[n]`` or be the refusal
    sentence :data:`REFUSALS` ``[language]``.
    """
    language = _check_language(language)
    user = ANSWER_USER_TEMPLATE[language].format(
        passages=format_passages(passages), question=question.strip()
    )
    return [
        {"role": "system", "content": load_prompt(settings, "answer", language)},
        *_history_messages(history),
        {"role": "user", "content": user},
    ]


CLAIM_USER_TEMPLATE = {
    "zh": "资料：\n\n{passages}\n\n待核查的陈述：{claim}",
    "en": "Passages:\n\n{passages}\n\nClaim to check: {claim}",
}


def build_claim_messages(
    settings: Settings, claim: str, language: str, passages: Sequence[tuple[int, str, str]]
) -> list[Message]:
    """Messages asking whether numbered ``passages`` support ``claim`` (see :func:`parse_claim_output`)."""
    language = _check_language(language)
    user = CLAIM_USER_TEMPLATE[language].format(passages=format_passages(passages), claim=claim.strip())
    return [
        {"role": "system", "content": load_prompt(settings, "claim", language)},
        {"role": "user", "content": user},
    ]


# --------------------------------------------------------------------------------------------
# Translation and follow-up rewriting
# --------------------------------------------------------------------------------------------

OUTPUT_LABEL = re.compile(
    r"^\s*(?:\*\*)?(?:translation|translated(?: question)?|english|chinese|standalone question|"
    r"rewritten question|question|answer|output|翻译|译文|中文|英文|问题|独立问题|改写后的问题|改写|输出)"
    r"(?:\*\*)?\s*[:：]\s*(?:\*\*)?",
    re.IGNORECASE,
)
QUOTE_PAIRS = (
    ('"', '"'),
    ("'", "'"),
    ("“", "”"),
    ("‘", "’"),
    ("「", "」"),
    ("『", "』"),
    ("《", "》"),
    ("`", "`"),
)


def _strip_quotes(text: str) -> str:
    """Remove matching quotes around the whole text (repeatedly)."""
    changed = True
    while changed and len(text) >= 2:
        changed = False
        for left, right in QUOTE_PAIRS:
            if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right) - 1:
                text = text[len(left) : len(text) - len(right)].strip()
                changed = True
                break
    return text


def clean_single_line_output(text: str) -> str:
    """The first meaningful line of a model reply, without labels (``Translation:``) or quotes."""
    text = re.sub(r"<think>.*?</think>", "", text or "", flags=re.DOTALL)
    for line in text.splitlines():
        line = line.strip().strip("`").strip()
        if not line:
            continue
        line = OUTPUT_LABEL.sub("", line, count=1).strip()
        line = _strip_quotes(line)
        if line:
            return line
    return ""


# A one-shot demonstration: without it small models answer the question instead of translating it.
TRANSLATE_REQUEST = {
    "en": "Translate this question into English (do not answer it):\n{text}",
    "zh": "把这个问题翻译成中文（不要回答它）：\n{text}",
}
TRANSLATE_DEMO = {
    "en": ("数据安全法什么时候开始施行？", "When did the Data Security Law take effect?"),
    "zh": ("When did the Data Security Law take effect?", "数据安全法什么时候开始施行？"),
}


def build_translate_messages(settings: Settings, text: str, target_language: str) -> list[Message]:
    """Messages asking to translate ``text`` into ``target_language`` (with one demonstration)."""
    request = TRANSLATE_REQUEST[_check_language(target_language)]
    demo_question, demo_answer = TRANSLATE_DEMO[target_language]
    return [
        {"role": "system", "content": load_prompt(settings, "translate", target_language)},
        {"role": "user", "content": request.format(text=demo_question)},
        {"role": "assistant", "content": demo_answer},
        {"role": "user", "content": request.format(text=text.strip())},
    ]


def _history_text(history: Sequence[tuple[str, str]], language: str) -> str:
    user, assistant = ("用户", "助手") if language == "zh" else ("User", "Assistant")
    lines = []
    for question, answer in list(history)[-HISTORY_TURNS:]:
        lines.append(f"{user}: {question.strip()}")
        lines.append(f"{assistant}: {CITATION_MARK.sub('', answer or '').strip()[:HISTORY_ANSWER_CHARS]}")
    return "\n".join(lines)


REWRITE_USER_TEMPLATE = {
    "zh": "对话历史：\n{history}\n\n后续问题：{question}",
    "en": "Chat history:\n{history}\n\nFollow-up question: {question}",
}
# One demonstration (history, follow-up, standalone question) on a neutral topic.
REWRITE_DEMO = {
    "zh": (
        [("数据安全法什么时候开始施行？", "2021年9月1日。")],
        "它由哪个机关通过？",
        "数据安全法由哪个机关通过？",
    ),
    "en": (
        [("When did the Data Security Law take effect?", "On 1 September 2021.")],
        "Which body passed it?",
        "Which body passed the Data Security Law?",
    ),
}


def build_rewrite_messages(
    settings: Settings, history: Sequence[tuple[str, str]], question: str, language: str
) -> list[Message]:
    """Messages asking to rewrite a follow-up ``question`` as a standalone question."""
    template = REWRITE_USER_TEMPLATE[_check_language(language)]
    demo_history, demo_question, demo_answer = REWRITE_DEMO[language]
    return [
        {"role": "system", "content": load_prompt(settings, "rewrite", language)},
        {
            "role": "user",
            "content": template.format(history=_history_text(demo_history, language), question=demo_question),
        },
        {"role": "assistant", "content": demo_answer},
        {
            "role": "user",
            "content": template.format(history=_history_text(history, language), question=question.strip()),
        },
    ]


# --------------------------------------------------------------------------------------------
# Parsing model output
# --------------------------------------------------------------------------------------------

CITATION_GROUP = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*(?:[-–~～]|[,，、;；]|\s)\s*\d{1,3})*)\s*[\]】］]")
CITATION_ITEM = re.compile(r"(\d{1,3})(?:\s*[-–~～]\s*(\d{1,3}))?")
MAX_RANGE = 20


def _expand_group(group: str) -> list[int]:
    """``"1, 2"`` → [1, 2]; ``"2-4"`` → [2, 3, 4] (short ascending ranges only)."""
    numbers: list[int] = []
    for lo_text, hi_text in CITATION_ITEM.findall(group):
        lo = int(lo_text)
        if not hi_text:
            numbers.append(lo)
            continue
        hi = int(hi_text)
        numbers.extend(range(lo, hi + 1) if 0 <= hi - lo < MAX_RANGE else [lo, hi])
    return numbers


def parse_citations(text: str) -> list[int]:
    """Passage numbers cited in ``text``: ``[1]``, ``[1, 2]``, ``[1][2]``, ``【1】``, ``[2-3]``.

    Unique, in order of first appearance. Numbers of four digits or more (years) are ignored.
    """
    seen: dict[int, None] = {}
    for match in CITATION_GROUP.finditer(text or ""):
        for number in _expand_group(match.group(1)):
            seen.setdefault(number, None)
    return list(seen)


VERDICT_LINE = re.compile(
    r"(?:verdict|label|result|结论|判定|判断|结果)\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.+)", re.IGNORECASE
)
EVIDENCE_LINE = re.compile(
    r"(?:evidence|sources?|citations?|证据|依据|出处)\s*(?:\*\*)?\s*[:：](.*)", re.IGNORECASE
)
# Checked in this order: "not supported" must not read as "supported".
VERDICT_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "not_found",
        re.compile(
            r"not[\s_-]*found|not[\s_-]*(?:enough|mentioned|stated|supported)|unsupported|insufficient|"
            r"unknown|未找到|没有找到|未提及|没有提及|无法确定|不确定|不足|无相关|无法判断|不支持",
            re.IGNORECASE,
        ),
    ),
    (
        "contradicted",
        re.compile(
            r"contradict|refute|false|untrue|incorrect|inconsistent|矛盾|反驳|相反|不一致|不符|错误|否定|不正确|不成立",
            re.IGNORECASE,
        ),
    ),
    ("supported", re.compile(r"support|entail|true|consistent|支持|成立|一致|证实|正确|符合", re.IGNORECASE)),
)


def _verdict_from(text: str) -> str | None:
    for verdict, pattern in VERDICT_WORDS:
        if pattern.search(text):
            return verdict
    return None


def parse_claim_output(text: str) -> tuple[str, list[int]]:
    """``(verdict, evidence numbers)`` from a claim-check reply.

    Expects ``VERDICT: supported|contradicted|not_found`` and ``EVIDENCE: [n], [m]`` lines but also
    reads Chinese labels (结论 / 证据), any case, markdown bold, and a bare verdict on the first
    line. Anything unrecognisable is ``not_found``.
    """
    text = text or ""
    verdict: str | None = None
    evidence: list[int] | None = None
    for line in text.splitlines():
        if verdict is None and (match := VERDICT_LINE.search(line)):
            verdict = _verdict_from(match.group(1))
        if evidence is None and (match := EVIDENCE_LINE.search(line)):
            group = match.group(1)
            evidence = parse_citations(group) or [int(n) for n in re.findall(r"\b\d{1,3}\b", group)]
    if verdict is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
        verdict = _verdict_from(first) if len(first) <= 40 else None
    if evidence is None:
        evidence = parse_citations(text)
    return verdict or "not_found", evidence
