"""Questions written by the local LLM over the policy documents, one per sentence that states a fact, for fitting
and checking decisions on the product's own documents (#16 item 4, #18 item 1).

Why: the template questions (``bench/policy_questions.py``) are their sentence word for word but one slot, and
their round trips through the other language keep only about 6 in 10. A model asked to write the question a
sentence answers, given the answer, writes a question in its own words. Each sentence of a half's documents with a
fact to ask (a date, an amount or count, a named organisation or person: ``rag.answer.slots``) is given to the local
Qwen2.5-Coder-1.5B GGUF (``../shared/MODELS.md``) with the answer; a question is kept only when it is in the
sentence's language, asks the kind asked (``bench.policy_questions.asks_kind``) and does not contain the answer.

Runs resume: questions already in the file are kept and not asked again (``--limit`` caps the new ones per run).

Usage::

    python -m bench.generated_questions --half tune --gguf /tmp/qwen1.5b.gguf --limit 300
    python -m bench.generated_questions --half tune --sample 10          # print some to read
    python -m bench.generated_questions --half heldout --translate /tmp/qwen1.5b.gguf   # the other language
    python -m bench.generated_questions --half heldout --second --gguf /tmp/qwen1.5b.gguf  # fresh questions: each
        # sentence's second fact (another answer than the first set's), in {half}-second.jsonl (session 25)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from bench import common
from bench.policy_questions import (
    askable_sentences,
    asks_kind,
    documents,
    local_model,
    local_translator,
    passages,
)
from rag.text.cjk import has_han

logger = logging.getLogger("bench.generated_questions")
OUT = common.PROJECT / "bench" / "data" / "generated_questions"
KINDS = {"date": ("日期或时间", "date or time"), "quantity": ("数量或金额", "number or amount")}
ENTITY = {"org": ("机构", "organization"), "person": ("人", "person")}
SYSTEM = {
    "zh": "你根据给出的句子写一个中文问题。这个句子回答这个问题，答案是给出的答案。问题不得包含答案。只输出问题。",
    "en": "You write one English question that the given sentence answers, with the given answer. The question must "
          "not contain the answer. Output only the question.",
}
DEMO = {
    "zh": ("句子：欧盟人工智能办公室于2024年2月成立，负责监督通用人工智能模型。\n答案（日期或时间）：2024年2月",
           "欧盟人工智能办公室是什么时候成立的？"),
    "en": ("Sentence: The report is due within 180 days of the date of this order.\nAnswer (number or amount): 180 days",
           "Within how many days of the order is the report due?"),
}


def stem(half: str, second: bool = False) -> str:
    """The file stem of a half's question set: the first facts, or (``second``) each sentence's second."""
    return f"{half}-second" if second else half


def facts(half: str, second: bool = False) -> list[dict[str, Any]]:
    """Every sentence of the half's documents with one fact to ask (its first usable slot), in document order;
    ``second``: the sentences with a second usable slot of another value, that fact (a question the first set has
    not asked)."""
    from rag.answer.slots import extract_slots

    out = []
    for path in documents(half):
        for p, text in enumerate(passages(path.read_text(encoding="utf-8"))):
            for start, sentence in askable_sentences(text):
                zh = has_han(sentence)
                seen: list[str] = []
                for slot in extract_slots(sentence):
                    kind = slot.kind if slot.kind != "entity" else slot.unit
                    if (kind in KINDS or kind in ENTITY) and slot.surface.strip() not in seen:
                        seen.append(slot.surface.strip())
                        if len(seen) == (2 if second else 1):
                            out.append({"qid": f"{path.stem[:12]}-{p:03d}-{start:05d}", "doc": path.name, "passage": p,
                                        "sentence": sentence, "answer": slot.surface.strip(), "kind": slot.kind,
                                        "unit": kind, "lang": "zh" if zh else "en"})
                            break
    return out


def messages(fact: dict[str, Any]) -> list[dict[str, str]]:
    lang = fact["lang"]
    label = (KINDS.get(fact["unit"]) or ENTITY[fact["unit"]])[0 if lang == "zh" else 1]
    demo_question, demo_answer = DEMO[lang]
    ask = (f"句子：{fact['sentence']}\n答案（{label}）：{fact['answer']}" if lang == "zh"
           else f"Sentence: {fact['sentence']}\nAnswer ({label}): {fact['answer']}")
    return [{"role": "system", "content": SYSTEM[lang]}, {"role": "user", "content": demo_question},
            {"role": "assistant", "content": demo_answer}, {"role": "user", "content": ask}]


def usable(question: str | None, fact: dict[str, Any]) -> bool:
    """In the sentence's language, asking the kind asked, without the answer, and a question."""
    return (bool(question) and has_han(question or "") == (fact["lang"] == "zh") and fact["answer"] not in (question or "")
            and asks_kind(question or "", fact["kind"]) and (question or "").rstrip().endswith(("?", "？")))


def generate(half: str, gguf: Path, limit: int, second: bool = False) -> Path:
    from rag.answer.prompting import clean_single_line_output

    path = OUT / f"{stem(half, second)}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    done = {json.loads(line)["qid"] for line in lines[1:] if line}
    todo = [f for f in facts(half, second) if f["qid"] not in done][:limit]
    model = local_model(gguf, llm_max_tokens=96)
    OUT.mkdir(parents=True, exist_ok=True)
    if not lines:
        lines = [json.dumps({"made_by": f"python -m bench.generated_questions --half {half}"
                                        f"{' --second' if second else ''} --gguf {gguf.name}",
                             "model": gguf.name}, ensure_ascii=False)]
        path.write_text(lines[0] + "\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as sink:  # one line per question as it comes: a stopped run loses nothing
        for n, fact in enumerate(todo):
            raw = clean_single_line_output(model.complete(messages(fact)))
            sink.write(json.dumps({**fact, "question": raw if usable(raw, fact) else None, "raw": raw},
                                  ensure_ascii=False) + "\n")
            sink.flush()
            logger.info("%d/%d %s -> %s", n + 1, len(todo), fact["sentence"][:60], raw)
    return path


def load(half: str, second: bool = False) -> list[dict[str, Any]]:
    """The half's kept questions (``question`` not None)."""
    path = OUT / f"{stem(half, second)}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:] if line] if path.exists() else []
    return [r for r in rows if r.get("question")]


def translation_usable(text: str | None, question: dict[str, Any]) -> bool:
    """In the other language, asking the kind asked, without the answer, and a question."""
    other = {**question, "lang": "en" if question["lang"] == "zh" else "zh"}
    return usable(text, other)


def translate(half: str, gguf: Path, second: bool = False) -> Path:
    """Each kept question translated into the other language by the local model through the product's translation
    prompt (temperature 0): the cross-language questions (an English question over a Chinese document). One line
    each, ``translation`` None where not ``translation_usable``; the command in the first line."""
    translate_to = local_translator(gguf)
    path = OUT / f"{stem(half, second)}.translations.jsonl"
    with path.open("w", encoding="utf-8") as sink:
        sink.write(json.dumps({"made_by": f"python -m bench.generated_questions --half {half}"
                                          f"{' --second' if second else ''} --translate {gguf.name}",
                               "model": gguf.name}, ensure_ascii=False) + "\n")
        for n, question in enumerate(load(half, second)):
            raw = translate_to(question["question"], "en" if question["lang"] == "zh" else "zh")
            sink.write(json.dumps({"qid": question["qid"], "raw": raw,
                                   "translation": raw if translation_usable(raw, question) else None},
                                  ensure_ascii=False) + "\n")
            sink.flush()
            logger.info("%d %s -> %s", n + 1, question["question"], raw)
    return path


def translations(half: str, second: bool = False) -> dict[str, str]:
    """qid → the kept translation of that question ({} before ``--translate``)."""
    path = OUT / f"{stem(half, second)}.translations.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:] if line] if path.exists() else []
    return {r["qid"]: r["translation"] for r in rows if r.get("translation")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("tune", "heldout"), required=True)
    parser.add_argument("--gguf", type=Path, default=None, help="the local model; without it, print a sample")
    parser.add_argument("--limit", type=int, default=300, help="new questions this run at most")
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--translate", type=Path, default=None, metavar="GGUF",
                        help="translate the kept questions into the other language with this local model")
    parser.add_argument("--second", action="store_true", help="the set of each sentence's second fact")
    args = parser.parse_args()
    common.setup_logging()
    if args.translate:
        logger.info("wrote %s", translate(args.half, args.translate, args.second))
        return
    if args.gguf:
        logger.info("wrote %s", generate(args.half, args.gguf, args.limit, args.second))
        return
    kept = load(args.half, args.second)
    logger.info("%s: %d facts, %d questions kept", args.half, len(facts(args.half, args.second)), len(kept))
    for row in kept[:: max(1, len(kept) // max(1, args.sample))][: args.sample]:
        logger.info("Q: %s\n  A: %s\n  S: %s", row["question"], row["answer"], row["sentence"][:160])


if __name__ == "__main__":
    sys.exit(main())
