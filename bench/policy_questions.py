"""Questions over the policy documents, made by template from their sentences, for near misses on the product's own
documents (``bench.answerability collect --datasets policy``).

Why: the answerability decision is fitted on XQuAD's and CMRC's near misses; on the policy documents it answers most
questions whose evidence is gone (``bench/dev_near_misses.py``: 19 of 25 dev questions). Those documents need near
misses of their own. No model that writes good questions runs here (the local 0.5B Qwen got about 3 of 10 right in a
probe: journal, session 19), so each question is a sentence with one fact asked in place — a date, an amount or a
count, or a named organisation, country or person (``rag.answer.slots.extract_slots``):

- Chinese asks in place: "欧盟人工智能办公室于2024年2月成立。" → "欧盟人工智能办公室于什么时候成立？" (answer "2024年2月").
- English asks in place as a quiz does: "The report is due within 180 days." → "The report is due within how many
  days?"; "… was established in February 2024." → "… was established when?".

The documents of each half are those of the claim benchmark's half (``bench/data/claims``: split by document). Each
document is cut into passages of at least ``MIN_CHARS`` (blank-line pieces merged), numbered across the half
(``q0000``…); as for XQuAD (``bench.refusal.is_indexed``) the even ones are indexed and a question about an odd one is
a near miss. At most ``PER_PASSAGE`` questions per passage, from its first sentences with a fact to ask.

Usage::

    python -m bench.policy_questions --half tune --sample 10      # print a sample to read
    python -m bench.policy_questions --half tune --translate qwen2.5-coder-1.5b.gguf   # → bench/data/policy_questions
    python -m bench.answerability collect --half held-out --datasets policy
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import common
from rag.text.cjk import has_han

logger = logging.getLogger("bench.policy_questions")
CLAIMS = common.PROJECT / "bench" / "data" / "claims"
TRANSLATED = common.PROJECT / "bench" / "data" / "policy_questions"
# The gazetteer the questions were made with (the product's as of session 47): a name added to the product's later
# must not change which slot a stored question asks about, nor its stored translations.
GAZETTEER = TRANSLATED / "gazetteer.tsv"
CORPORA = (common.PROJECT / "corpus", common.PROJECT.parent / "shared" / "corpus" / "en")
MIN_CHARS = 200  # a passage: blank-line pieces merged until this long (the zh documents are mostly one-line bullets)
WINDOW = 24  # characters of a sentence's key that find its passage (a quarter in: past list marks and headings)
PER_PASSAGE = 2  # questions per passage (a passage is one near miss unit; more would weigh long passages)
IMAGE = re.compile(r"^!\[.*$", re.MULTILINE)
ASK_ZH = {"date": "什么时候", "org": "哪个机构", "person": "谁"}
ASK_EN = {"date": "when", "org": "which organization", "person": "who"}  # countries: mostly inside names (USA PATRIOT Act)
MAX_CHARS = {True: 100, False: 220}  # longest sentence asked, Chinese / English (a user's question is short)
LIST_MARK = re.compile(r"^(?:[#*>\s○●•▪-]+|[(（]?[ivxlc]+[)）]\s*|[(（]?[a-z0-9一二三四五六七八九十]{1,3}[.)）、．]\s*)+",
                       re.IGNORECASE)
# a note or reference line: "[13] Wyckoff, A. (2024).", "32NIST, “FACT SHEET: …”, 2024-11-20, https://…"
REFERENCE = re.compile(r"^\[\d+\]|^\d+\s*[A-Za-z\u4e00-\u9fff“\"]|\bet al\.|\(\d{4}\)\.?$|https?://|\d{4}-\d{2}-\d{2}")
ZH_AFTER_ENTITY = set("将是于在已发和与、，的负由对曾也还共首")  # a name ends here, not inside a longer one
NUMBER = re.compile(r"[0-9][0-9,.]*\s*(?:万|亿|千|百|million|billion|trillion)?|[一二两三四五六七八九十百千万亿]+")
DATE_PREPOSITION = re.compile(r"(?:\b(?:in|on|by|since|from|until)\s+)$", re.IGNORECASE)


def documents(half: str) -> list[Path]:
    """The policy documents of the claim benchmark's half, as files."""
    names = sorted({json.loads(line)["source_doc"] for line in (CLAIMS / f"{half}.jsonl").read_text(encoding="utf-8")
                    .splitlines() if line and json.loads(line)["corpus"] == "policy"})
    return [folder / name for name in names for folder in CORPORA if (folder / name).exists()]


def passages(raw: str) -> list[str]:
    """The document as the index reads it (``rag.text.normalize``: front matter out, wrapped lines joined, characters
    folded) in line pieces merged to ``MIN_CHARS``, image lines dropped."""
    from rag.ingest.loaders import parse_front_matter
    from rag.text.normalize import normalize

    _, start = parse_front_matter(raw)
    out, current = [], ""
    for line in normalize(raw, start).text.split("\n"):
        line = line.strip()
        if not line or IMAGE.match(line):
            continue
        current = f"{current}\n{line}" if current else line
        if len(current) >= MIN_CHARS:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def ask(sentence: str, slot: Any) -> str | None:
    """``sentence`` with ``slot`` asked in place, or None when the slot is not a fact a question can ask."""
    zh = has_han(sentence)
    head, tail = sentence[:slot.start], sentence[slot.end:]
    before, after = head[-1:], tail[:1]
    if (before.isascii() and (before.isalnum() or before in "-_/")) or (after.isascii() and after.isalnum()):
        return None  # inside a word or a code ("J-1"); Chinese characters around a slot are its sentence
    if slot.kind == "date":
        if not zh:
            if re.search(r"\b(?:Act|Law|Order|of)\s+$", head):
                return None  # a year naming a law or an order, not a date of the sentence's event
            head = DATE_PREPOSITION.sub("", head)
        asked = (ASK_ZH if zh else ASK_EN)["date"]
    elif slot.kind == "quantity":
        number = NUMBER.match(slot.surface.strip())
        if number is None:
            return None
        rest = slot.surface.strip()[number.end():].strip()
        asked = ("多少" + rest) if zh else (f"how many {rest}" if rest and rest.isalpha() else "how much")
    elif slot.kind == "entity" and slot.unit in ASK_ZH:
        if zh and tail[:1] not in ZH_AFTER_ENTITY:
            return None  # "人工智能安全研究所国际合作网络": the name is part of a longer one
        if not zh and re.match(r"\s+[A-Z]", tail):
            return None  # "NIST AI RMF": part of a longer name
        if not zh:
            head = re.sub(r"\b[Tt]he\s+$", "", head)
        asked = (ASK_ZH if zh else ASK_EN)[slot.unit]
    else:
        return None
    tail = re.sub(r"[。.!！;；：:]+\s*$", "", tail.rstrip())
    question = f"{head.rstrip() if not zh else head}{'' if zh else ' '}{asked}{tail}".strip()
    if not zh:
        question = question[0].upper() + question[1:]
    return question + ("？" if zh else "?")


def askable_sentences(text: str) -> Iterator[tuple[int, str]]:
    """Each sentence of a passage a question may be asked of, with its start: list marks off, a length a user's
    question has, and not a heading, a reference line or a table row (U+3000 between its cells)."""
    from rag.text.sentences import is_heading, split_sentences

    for start, end in split_sentences(text):
        sentence = LIST_MARK.sub("", text[start:end].strip()).strip("*# ")
        if (15 <= len(sentence) <= MAX_CHARS[has_han(sentence)] and not is_heading(sentence)
                and not REFERENCE.search(sentence) and "\u3000" not in sentence):
            yield start, sentence


def local_model(gguf: Path, **settings: Any) -> Any:
    """The local GGUF model at temperature 0 (and ``settings``), on both cores: what writes the benches' questions."""
    from rag.answer.llm import LlamaCppModel

    update = {"llm_gguf_path": gguf, "llm_temperature": 0.0, **settings}
    return LlamaCppModel(common.make_settings(Path("/tmp/unused-index")).model_copy(update=update), n_threads=2)


def local_translator(gguf: Path) -> Callable[[str, str], str | None]:
    """(text, target language) → its translation by the local GGUF model through the product's own translation
    prompt (``rag.answer.llm.translate``, temperature 0); None on a failure: what translates the benches' questions
    and claims."""
    from rag.answer.llm import translate

    model = local_model(gguf)
    settings = common.make_settings(Path("/tmp/unused-index"))  # the translation prompt it reads
    return lambda text, target: translate(model, settings, text, target)


@contextmanager
def question_gazetteer() -> Iterator[None]:
    """Slots read with ``GAZETTEER`` inside the block, and no person read beyond it (``rag.answer.person_names``, which
    came after the questions were made); the product's reading again after it (caches cleared)."""
    import rag.answer.gazetteer as names
    import rag.answer.slots as slots

    def use(path: Path, people: Callable[[str], list[tuple[str, int, int]]]) -> None:
        names.GAZETTEER, slots.people_in = path, people
        for cached in (names.gazetteer, slots._read_slots):
            cached.cache_clear()

    product = names.GAZETTEER, slots.people_in
    use(GAZETTEER, lambda text: [])
    try:
        yield
    finally:
        use(*product)


def questions(half: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]], dict[str, str]]:
    """The half's passages (id, text), its questions, and each passage's document."""
    from rag.answer.slots import extract_slots

    contexts: list[tuple[str, str]] = []
    items: list[dict[str, Any]] = []
    owner: dict[str, str] = {}
    with question_gazetteer():  # the names the stored questions were made with
        for path in documents(half):
            for text in passages(path.read_text(encoding="utf-8")):
                pid = f"q{len(contexts):04d}"
                contexts.append((pid, text))
                owner[pid] = path.name
                asked = 0
                for _, sentence in askable_sentences(text):
                    if asked >= PER_PASSAGE:
                        break
                    for slot in extract_slots(sentence):
                        question = ask(sentence, slot)
                        if question and slot.surface.strip() and slot.surface.strip() not in question:
                            items.append({"qid": f"{pid}-{asked}", "question": question, "paragraph": pid,
                                          "spans": [slot.surface.strip()], "doc": path.name, "sentence": sentence,
                                          "kind": slot.kind})
                            asked += 1
                            break
    return contexts, items, owner


def key(text: str) -> str:
    """Letters, digits and Han characters only, folded: how a sentence is found in a passage whatever its markup."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def passage_of(sentence: str, keys: dict[str, str]) -> str | None:
    """The one passage (of ``keys``: id → ``key`` of its text) holding ``sentence``, or None (none, or several)."""
    k = key(sentence)
    window = k[len(k) // 4: len(k) // 4 + WINDOW] if len(k) > WINDOW + 8 else k
    found = [pid for pid, text in keys.items() if window in text]
    return found[0] if len(found) == 1 else None


def longest_run(sentence: str) -> str:
    """The longest stretch of ``sentence`` without punctuation or markup: a span a chosen sentence holding it holds."""
    return max((m.strip() for m in re.findall(r"[\w\s]+", sentence)), key=len, default="")


def cross_questions(half: str, contexts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Template questions asked of one side of an aligned sentence pair (the claim benchmark's ``restate_cross``
    claims of the policy documents: a sentence of one language and its translation in a document of the other), so
    that once the asked sentence's own passage is gone, the answer is there only across languages.

    Each item: ``paragraph`` the asked sentence's passage, ``answer_paragraph`` its translation's; ``spans`` the
    translation's longest unpunctuated stretch and the asked number when the translation writes it the same way;
    ``doc`` the translation's document (the evidence the reader reads)."""
    from rag.answer.slots import extract_slots

    keys = {pid: key(text) for pid, text in contexts}
    items: list[dict[str, Any]] = []
    with question_gazetteer():  # the names the stored questions were made with
        for line in (CLAIMS / f"{half}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line else {}
            if record.get("corpus") != "policy" or record.get("transform") != "restate_cross":
                continue
            own, other = passage_of(record["claim"], keys), passage_of(record["source_sentence"], keys)
            sentence = re.sub(r"\*+", "", LIST_MARK.sub("", record["claim"].strip())).strip("# ")
            zh = has_han(sentence)
            if own is None or other is None or own == other or not 15 <= len(sentence) <= MAX_CHARS[zh]:
                continue
            for slot in extract_slots(sentence):
                question = ask(sentence, slot)
                surface = slot.surface.strip()
                if question and surface and surface not in question:
                    number = re.sub(r"\D", "", surface)
                    spans = [longest_run(record["source_sentence"])]
                    spans += [number] if len(number) >= 2 and number in record["source_sentence"] else []
                    items.append({"qid": f"x{record['id']}", "question": question, "paragraph": own,
                                  "answer_paragraph": other, "spans": spans, "doc": record["source_doc"],
                                  "sentence": sentence, "kind": slot.kind,
                                  "direction": f"{record['claim_lang']}→{record['source_lang']}"})
                    break
    return items


ASKS = {  # the asked kind's question words, per language: a rewording that lost them asks something else
    ("date", True): r"什么时候|何时|哪一?年|哪一?天|什么日期|几月|哪个月", ("date", False): r"\bwhen\b|\b(?:what|which) (?:year|date|month|day)\b",
    ("quantity", True): r"多少|几", ("quantity", False): r"\bhow (?:many|much)\b|\bwhat (?:number|amount|percentage)\b",
    ("entity", True): r"哪个|哪些|哪家|什么(?:机构|组织|部门)|谁",
    ("entity", False): r"\b(?:which|who|whom)\b|\bwhat (?:organization|agency|body|institution|department|office)\b",
}


def asks_kind(question: str, kind: str) -> bool:
    """Whether ``question`` still asks for an answer of ``kind`` (a date, a quantity, a named organization or person)."""
    pattern = ASKS.get((kind, has_han(question)))
    return bool(pattern and re.search(pattern, question, re.IGNORECASE))


def translations(half: str) -> dict[str, dict[str, str | None]]:
    """The half's template questions as translated (``--translate``), by question id: ``translation`` (the other
    language) and ``back`` (that translation translated back: the question reworded in its own language); {} before
    they are made."""
    path = TRANSLATED / f"{half}.jsonl"
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {r["qid"]: {"translation": r.get("translation"), "back": r.get("back")} for r in rows if "qid" in r}


def translate(half: str, gguf: Path) -> Path:
    """Each template question of the half translated into the other language by a local GGUF model through the
    product's own translation prompt (``rag.answer.llm.translate``, temperature 0), and that translation translated
    back (a template question is its sentence nearly word for word; a user's is not: the round trip rewords it). One
    JSON line each, with the command that made them in the file's first line."""
    translate_to = local_translator(gguf)
    _, items, _ = questions(half)
    TRANSLATED.mkdir(parents=True, exist_ok=True)
    path = TRANSLATED / f"{half}.jsonl"
    made = {"made_by": f"python -m bench.policy_questions --half {half} --translate {gguf.name}", "model": gguf.name}
    lines = [json.dumps(made, ensure_ascii=False)]

    def usable(text: str | None, lang: str, item: dict[str, Any]) -> bool:
        # in the wanted language, without the asked answer, not the question itself
        return bool(text) and has_han(text or "") == (lang == "zh") and item["spans"][0] not in (text or "") \
            and text != item["question"]

    for n, item in enumerate(items):
        source = "zh" if has_han(item["question"]) else "en"
        target = "en" if source == "zh" else "zh"
        out = translate_to(item["question"], target)
        ok = usable(out, target, item)
        back = translate_to(out, source) if ok and out else None
        lines.append(json.dumps({"qid": item["qid"], "question": item["question"], "target": target,
                                 "translation": out if ok else None, "raw": out,
                                 "back": back if usable(back, source, item) else None, "back_raw": back},
                                ensure_ascii=False))
        logger.info("%d/%d %s -> %s -> %s", n + 1, len(items), item["question"], out, back)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=("tune", "heldout"), required=True)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--translate", type=Path, default=None, metavar="GGUF",
                        help=f"translate the half's questions with this local model into {TRANSLATED}/<half>.jsonl")
    args = parser.parse_args()
    common.setup_logging()
    if args.translate:
        logger.info("wrote %s", translate(args.half, args.translate))
        return
    contexts, items, _ = questions(args.half)
    cross = cross_questions(args.half, contexts)
    logger.info("%s: %d passages, %d questions, %d across languages", args.half, len(contexts), len(items), len(cross))
    items = items + cross
    for item in items[:: max(1, len(items) // max(1, args.sample))][: args.sample]:
        logger.info("%s\n  Q: %s\n  A: %s\n  S: %s", item["qid"], item["question"], item["spans"][0], item["sentence"][:160])


if __name__ == "__main__":
    sys.exit(main())
