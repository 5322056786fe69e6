"""English renderings of the Chinese policy sentences, written by the local LLM, for the claim benchmark's
English claims over Chinese documents (``bench.claimset``: the ``translated`` units).

Why: the bundled corpus is Chinese, and a user who asks in English claims what a Chinese sentence says in
English words. The benchmark's English-over-Chinese policy claims came only from the one aligned pair of documents
(the US memorandum ``en04``/``en05`` and its Chinese account ``000``); the other four documents had none. Each
claimable Chinese sentence of ``corpus/`` (``bench.claimset.claimable``) is translated here by the local Qwen2.5
GGUF (``../shared/MODELS.md``) through the product's own translation prompt (``rag.answer.llm.translate``, at
temperature 0); ``bench.claimset`` then makes the claims from it as from an aligned English sentence: the
translation as a supported restatement, FactCC-style edits of it as contradicted claims, a detail added as not
found. The documents keep their halves, so the held-out half's translated claims are of held-out documents.

A translation is kept (``usable``) when it is English (no Chinese characters), of a plausible length and with the
sentence's numbers (``bench.claimset.numbers_kept``): a model that drops a figure restates another fact.

Usage::

    python -m bench.claim_translations --gguf /tmp/qwen1.5b.gguf     # → bench/data/claims/translations.jsonl
    python -m bench.claim_translations --sample 12                   # print kept translations to read
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from pathlib import Path
from typing import Any

from bench import common
from bench.claimset import (
    claimable,
    extract_sentences,
    is_han,
    length_ratio_ok,
    load_policy_sources,
    numbers_kept,
)

logger = logging.getLogger("bench.claim_translations")

PATH = common.PROJECT / "bench" / "data" / "claims" / "translations.jsonl"
TRANSLATOR = "translated by the local LLM (bench/data/claims/translations.jsonl)"  # the claims' ``edit``


def chinese_sentences() -> list[tuple[str, int, str]]:
    """(document, offset, claim-ready text) of every claimable sentence of the Chinese policy documents."""
    return [(source.name, sentence.start, sentence.clean) for source in load_policy_sources() if source.lang == "zh"
            for sentence in extract_sentences(source) if claimable(sentence)]


def usable(english: str | None, chinese: str) -> bool:
    """English (no Chinese character left), of a plausible length, with the sentence's numbers (``numbers_kept``)."""
    return bool(english) and not any(is_han(c) for c in english or "") and length_ratio_ok(english or "", chinese) \
        and numbers_kept(english or "", chinese)


def translations(path: Path = PATH) -> dict[tuple[str, int], str]:
    """(document, offset) → the English translation, where ``usable`` ({} before they are made)."""
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {(r["doc"], r["start"]): r["raw"] for r in rows if "doc" in r and usable(r["raw"], r["zh"])}


def translate_all(gguf: Path, path: Path = PATH) -> Path:
    """Each sentence translated (resumable: the sentences already in ``path`` are kept); one JSON line each, the
    command that made them in the file's first line."""
    from bench.policy_questions import local_translator

    done: dict[tuple[str, int], dict[str, Any]] = {}
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        done = {(r["doc"], r["start"]): r for r in rows if "doc" in r}
    translate_to = local_translator(gguf)
    made = {"made_by": f"python -m bench.claim_translations --gguf {gguf.name}", "model": gguf.name}
    sentences = chinese_sentences()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as sink:
        sink.write(json.dumps(made, ensure_ascii=False) + "\n")
        for n, (doc, start, text) in enumerate(sentences):
            row = done.get((doc, start))
            if row is None or row.get("zh") != text:
                raw = translate_to(text, "en")
                row = {"doc": doc, "start": start, "zh": text, "raw": raw}
                logger.info("%d/%d %s -> %s%s", n + 1, len(sentences), text, raw, "" if usable(raw, text) else "  [dropped]")
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, default=None, help="translate with this local model")
    parser.add_argument("--sample", type=int, default=0, help="print this many kept translations")
    args = parser.parse_args()
    common.setup_logging()
    if args.gguf:
        logger.info("wrote %s", translate_all(args.gguf))
    kept = translations()
    logger.info("%d of %d sentences translated and kept", len(kept), len(chinese_sentences()))
    rows = [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines()[1:] if line] if PATH.exists() else []
    for row in random.Random(0).sample([r for r in rows if (r["doc"], r["start"]) in kept], min(args.sample, len(kept))):
        logger.info("%s\n    %s", row["zh"], row["raw"])


if __name__ == "__main__":
    main()
