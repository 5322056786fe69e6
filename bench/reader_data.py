"""Training pairs for the reader (issue #20): a claim or a question read against one sentence.

Only the tune halves go in — no document, paragraph or article of a held-out half:

* **claims** (``task = "claim"``; labels ``entails`` / ``contradicts`` / ``neutral``): every tune-half unit of
  the claim benchmark's generator (``bench/claimset.py``) — the sentence quoted or restated (same language:
  synonyms, an opener moved, a clause dropped; across languages: the aligned sentence of the parallel
  document or XQuAD paragraph, or the local LLM's English translation of a Chinese policy sentence,
  ``bench.claim_translations``, added after reader v2 was trained) → entails; *every* applicable contradiction transform (the benchmark samples
  one or two per sentence, here all of them: number, date, entity, negation, stance, quantifier, ordinal,
  list membership) → contradicts; an invented detail, and the claim against the most similar *other*
  sentence of its document (a near miss the checker must not read as support) → neutral; a detail left
  out inside a clause (``bench/omissions.py``: an aside, an alternative, a list item, a modifier) → entails,
  and that shorter claim with one fact changed → contradicts; the claim and the claim with a fact changed
  against the nearest sentence of *another* document → neutral (``unrelated``); and since session 24 each true
  claim against the sentences retrieval gives it once its source passage is out (the benchmark's near misses, from
  the cached features of ``python -m bench.claims features --half tune``) → neutral (``retrieved_near_miss``).
* **questions** (``task = "question"``; labels ``answers`` / ``no_answer``): XQuAD's tune paragraphs
  (p0000-p0119) in all four directions and CMRC 2018 (the trial set, and the dev set's first half of
  articles, as ``bench/answerability.py`` splits it): the question against the sentence holding its answer
  → answers; against the other sentences of its paragraph → no_answer (sampled, at most ``NEGATIVES`` each).

Rows keep a ``group`` (the source document or paragraph) so training can hold out whole documents for
validation. Usage::

    python -m bench.reader_data --out bench/data/reader/train.jsonl     # ~2 min with a warm embedding cache
    git show 6e42735:bench/data/reader/train.jsonl > /tmp/v2-train.jsonl
    python -m bench.reader_data --continued /tmp/v2-train.jsonl --out /tmp/ft-train.jsonl
        # a reader continued from one trained on that file (reader v6): the rows added since, and as many of the
        # old rows replayed (drawn with --seed) so that what it knew is kept
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench import claimset as cs
from bench import common
from bench.answerability import cmrc_half
from bench.omissions import omissions
from bench.refusal import fold
from rag.text.sentences import split_sentences

logger = logging.getLogger("bench.reader_data")
SEED = 20
NEGATIVES = 2  # no_answer sentences per question (a paragraph's other sentences, sampled)
VARIANTS = 3  # draws of each contradiction transform per sentence (deduplicated: a transform with one outcome gives one)
QUOTE_SHARE = 0.6  # of same-language units, the share whose verbatim quote is an "entails" row (identity is easy)
CMRC_TRIAL = common.SHARED / "bench/cmrc2018/cmrc2018_trial.json"


def row(task: str, a: str, b: str, label: str, pair: str, kind: str, group: str) -> dict[str, str]:
    return {"task": task, "a": a, "b": b, "label": label, "pair": pair, "kind": kind, "group": group}


def claim_rows(embedder: cs.Embedder) -> Iterator[dict[str, str]]:
    """Every tune unit of the claim generator, with all its applicable transforms."""
    policy = cs.load_policy_sources()
    xquad = cs.load_xquad()
    cs.set_corpus_entities(policy)  # as cs.build: entity swaps draw from the corpus's own entities
    policy_units, _ = cs.units_from_policy(policy, embedder)
    xquad_units, _, _ = cs.units_from_xquad(xquad, embedder)
    translated = cs.units_from_translations(policy)  # English claims over the Chinese documents (bench.claim_translations)
    units = [u for u in policy_units + xquad_units + translated if u.source.source.half == cs.TUNE]
    by_doc: dict[str, list[cs.Sentence]] = {}
    for unit in units:
        by_doc.setdefault(unit.source.source.name, [])
        if all(s.start != unit.source.start for s in by_doc[unit.source.source.name]):
            by_doc[unit.source.source.name].append(unit.source)
    vectors = {name: embedder.embed([s.clean for s in sentences], query=False) for name, sentences in by_doc.items()}
    pool = SentencePool(by_doc, vectors)
    for unit in units:
        src, lang = unit.source, unit.claim_lang
        pair, group = f"{lang}/{src.source.lang}", src.source.name
        rng = cs.rng_for("reader", src.source.name, src.start, lang, unit.kind)
        if unit.kind == "cross" or rng.random() < QUOTE_SHARE:
            kind = ("translated" if unit.other is None else "restate_cross") if unit.kind == "cross" else "quote"
            yield row("claim", unit.claim, src.clean, "entails", pair, kind, group)
        for variant in range(VARIANTS):  # rewrites of the claim side, in either pairing, are still entailed
            draw = cs.rng_for("reader-rewrite", src.source.name, src.start, lang, unit.kind, variant)
            for name, make in (("restate_same", cs.restate_same), ("clause_drop", cs.drop_clause)):
                result = make(unit.claim, lang, draw)
                if result and result.text != unit.claim and cs.claim_length_ok(result.text, lang):
                    yield row("claim", result.text, src.clean, "entails", pair, name, group)
        for part in short_parts(unit.claim, lang, unit.claim, rng)[:1]:  # a clause of it: still entailed
            yield row("claim", part, src.clean, "entails", pair, "clause_summary", group)
        yield from omission_rows(unit, pair, group)
        for variant in range(VARIANTS):
            for name, result in contradictions(unit, variant).items():
                yield row("claim", result.text, src.clean, "contradicts", pair, name, group)
                for part in short_parts(result.text, lang, unit.claim, rng, changed=True)[:1]:
                    yield row("claim", part, src.clean, "contradicts", pair, f"short_{name}", group)
            detail = cs.add_unsupported_detail(unit.claim, lang, rng, src.source.corpus)
            if detail and cs.claim_length_ok(detail.text, lang):
                yield row("claim", detail.text, src.clean, "neutral", pair, "unsupported_detail", group)
        near = nearest_other(src, by_doc[group], vectors[group], embedder)
        if near is not None:
            yield row("claim", unit.claim, near.clean, "neutral", pair, "other_sentence", group)
        yield from unrelated_rows(unit, group, pool, embedder)


def near_miss_rows(inputs: list[tuple[dict[str, Any], list[int]]], documents: dict[str, str]) -> Iterator[dict[str, str]]:
    """A true tune claim against the sentences retrieval gives it once its source passage is out: the claim
    benchmark's near misses (``bench.claims.near_miss``), each against the sentences the claim check reads (its top
    ``TOP_PAIRS`` by the shipped relevance: ``bench.claims.reader_inputs``) → neutral (``retrieved_near_miss``).
    These are the topical sentences, often in the other language, that readers v2 and v5 read as support (journal,
    session 24); ``other_sentence`` and ``unrelated`` rows are drawn by embedding, not by retrieval. ``documents``:
    a near miss's id → its claim's source document (the row's group)."""
    from bench.claims import NEAR_MISS
    from rag.answer.claim_features import FEATURE_NAMES

    cross = FEATURE_NAMES.index("cross_language")
    for record, top in inputs:
        if not record["id"].endswith(NEAR_MISS):
            continue
        lang = record["claim_lang"]
        for i in top:
            sentence_lang = ("zh" if lang == "en" else "en") if record["pairs"][i][cross] else lang
            yield row("claim", record["claim"], record["sentences"][i], "neutral", f"{lang}/{sentence_lang}",
                      "retrieved_near_miss", documents[record["id"]])


def family(source: cs.Source) -> str:
    """What a sentence may restate: its XQuAD article (both languages), the parallel policy material as one
    family (en04, en05 and 000), else its own document."""
    if source.corpus == "xquad":
        return f"xquad:{source.article}"
    if cs.in_parallel_family(source.name):
        return "policy:parallel"
    return f"policy:{source.name}"


class SentencePool:
    """Every tune sentence with its vector, to find the one nearest a claim outside the claim's own family."""

    def __init__(self, by_doc: dict[str, list[cs.Sentence]], vectors: dict[str, np.ndarray]) -> None:
        self.sentences = [s for name in sorted(by_doc) for s in by_doc[name]]
        self.vectors = np.concatenate([vectors[name] for name in sorted(by_doc)]) if by_doc else np.zeros((0, 384))
        self.families = np.array([family(s.source) for s in self.sentences])
        self.langs = np.array([s.source.lang for s in self.sentences])

    def near(self, vector: np.ndarray, avoid: str, lang: str, ranks: range, rng: random.Random) -> cs.Sentence | None:
        """A sentence drawn from the ``ranks`` most similar to ``vector`` in ``lang``, outside family ``avoid``."""
        allowed = np.flatnonzero((self.families != avoid) & (self.langs == lang))
        if not allowed.size:
            return None
        order = allowed[np.argsort(-(self.vectors[allowed] @ vector))]
        picked = [int(i) for i in order[ranks.start:ranks.stop]] or [int(order[-1])]
        return self.sentences[rng.choice(picked)]


# Where the unrelated sentence is drawn from, by similarity rank: XQuAD articles are distinct subjects, so
# the nearest are safe; the policy texts share a subject (AI institutes, laws), so the top ranks may restate
# the claim — skip them.
UNRELATED_RANKS = {"xquad": range(0, 3), "policy": range(3, 12)}


def unrelated_rows(unit: cs.Unit, group: str, pool: SentencePool, embedder: cs.Embedder) -> Iterator[dict[str, str]]:
    """The claim, and the claim with a fact changed, against the most similar sentence of *another* document
    (another XQuAD article, another policy text; in a language drawn at random) → neutral: a sentence about
    something else says nothing of the claim, even when both carry a date, a place or a figure. Reader v3 and
    v4 read "The institute was founded in November 2023 in Paris by the OECD." against an unrelated sentence
    as a contradiction (journal, sessions 12-13): the data had no neutral row of that shape."""
    src, lang = unit.source, unit.claim_lang
    rng = cs.rng_for("reader-unrelated", src.source.name, src.start, lang, unit.kind)
    other_lang = rng.choice(("zh", "en"))
    near = pool.near(embedder.embed([unit.claim], query=True)[0], family(src.source), other_lang,
                     UNRELATED_RANKS[src.source.corpus], rng)
    if near is None:
        return
    pair = f"{lang}/{other_lang}"
    yield row("claim", unit.claim, near.clean, "neutral", pair, "unrelated", group)
    edited = contradictions(unit, 0)
    if edited:
        kind = rng.choice(sorted(edited))
        yield row("claim", edited[kind].text, near.clean, "neutral", pair, f"unrelated_{kind}", group)


# Reader v3 also learned "the shorter claim with a fact changed contradicts"; it then read unrelated claims as
# contradicted (journal, session 12). Off since v4: ``--omission-edits`` makes v3's data again.
OMISSION_EDITS = False


def omission_rows(unit: cs.Unit, pair: str, group: str) -> Iterator[dict[str, str]]:
    """A detail left out inside a clause (an aside, an alternative, a list item, a modifier) is still
    entailed; with ``OMISSION_EDITS``, the same shorter claim with a fact changed (one contradiction
    transform of it) contradicts — so neither length nor a missing word tells the label."""
    src, lang = unit.source, unit.claim_lang
    rng = cs.rng_for("reader-omit", src.source.name, src.start, lang, unit.kind)
    for name, shorter in omissions(unit.claim, lang, rng).items():
        yield row("claim", shorter.text, src.clean, "entails", pair, name, group)
        edited = contradictions(dataclasses.replace(unit, claim=shorter.text), 0) if OMISSION_EDITS else {}
        if edited:
            kind = rng.choice(sorted(edited))
            yield row("claim", edited[kind].text, src.clean, "contradicts", pair, f"{name}_{kind}", group)


CLAUSE_END = re.compile(r"(?<=[，,；;：:])")
MIN_PART = {"zh": 8, "en": 5}  # characters / words of a clause that can stand as a claim


def short_parts(text: str, lang: str, original: str, rng: random.Random, changed: bool = False) -> list[str]:
    """Clauses of ``text`` that stand as a claim of their own (the short claims people write: "欧盟2024年新设了
    人工智能办公室"), each ended as a sentence. ``changed``: only the clauses ``original`` does not have (the
    clause a contradiction altered), so a short contradiction is still one; otherwise clauses ``original``
    has. Shuffled; never the whole text. Without them the reader learns that a claim shorter than its source
    is a contradiction (every transform keeps the length, every short claim was an edit)."""
    def split(t: str) -> list[str]:
        return [c.strip().rstrip("，,；;：:。.") for c in CLAUSE_END.split(t) if c.strip()]

    theirs = set(split(original))
    parts = [c for c in split(text) if (c not in theirs) == changed and c != text.rstrip("。.")
             and (len(c) if lang == "zh" else len(c.split())) >= MIN_PART[lang]]
    rng.shuffle(parts)
    end = "。" if lang == "zh" else "."
    return [(c[0].upper() + c[1:] if lang == "en" else c) + end for c in parts]


def contradictions(unit: cs.Unit, variant: int) -> dict[str, cs.Transformed]:
    """``cs.contradiction_candidates`` (variant 0), or the same transforms drawn with another seed."""
    if variant == 0:
        return cs.contradiction_candidates(unit)
    out = {}
    for name, function in cs.CONTRADICTION_FUNCTIONS.items():
        result = function(unit.claim, unit.claim_lang,
                          cs.rng_for(unit.source.source.name, unit.source.start, unit.claim_lang, name, variant))
        if result is None or result.text == unit.claim or not cs.claim_length_ok(result.text, unit.claim_lang):
            continue
        if name == "list_membership" and not result.key and unit.kind == "cross":
            continue
        if cs.cross_verifiable(name, result, unit):
            out[name] = result
    return out


def nearest_other(source: cs.Sentence, sentences: list[cs.Sentence], vectors: np.ndarray,
                  embedder: cs.Embedder) -> cs.Sentence | None:
    """The sentence of the same document most similar to ``source`` that is not it and does not overlap it."""
    if len(sentences) < 2:
        return None
    own = embedder.embed([source.clean], query=False)[0]
    order = np.argsort(-(vectors @ own))
    for i in order:
        other = sentences[int(i)]
        if other.start != source.start and cs.comparable(other.clean) != cs.comparable(source.clean):
            return other
    return None


def paragraph_sentences(context: str) -> list[tuple[int, int, str]]:
    return [(a, b, context[a:b].strip()) for a, b in split_sentences(context) if context[a:b].strip()]


def question_rows_for(question: str, context: str, answers: list[tuple[str, int]], pair: str, group: str,
                      rng: random.Random) -> Iterator[dict[str, str]]:
    """The sentence holding the answer (by offset, else by text) → answers; others of the paragraph → no_answer."""
    sentences = paragraph_sentences(context)
    holding = {i for i, (a, b, _) in enumerate(sentences)
               for text, start in answers if (start >= 0 and a <= start < b) or (start < 0 and fold(text) in fold(context[a:b]))}
    if not holding:
        return
    for i in sorted(holding)[:1]:
        yield row("question", question, sentences[i][2], "answers", pair, "answer_sentence", group)
    others = [s for i, s in enumerate(sentences) if i not in holding
              and not any(fold(text) in fold(s[2]) for text, _ in answers)]
    for _, _, text in rng.sample(others, min(NEGATIVES, len(others))):
        yield row("question", question, text, "no_answer", pair, "paragraph_sentence", group)


def xquad_rows() -> Iterator[dict[str, str]]:
    data = {lang: json.loads((cs.XQUAD_DIR / f"xquad.{lang}.json").read_text(encoding="utf-8")) for lang in ("en", "zh")}
    paragraphs = {lang: [p for art in data[lang]["data"] for p in art["paragraphs"]] for lang in data}
    for i, (en_p, zh_p) in enumerate(zip(paragraphs["en"], paragraphs["zh"], strict=True)):
        if i >= 120:  # p0120-p0239: the held-out half
            break
        group = f"xquad:p{i:04d}"
        zh_by_id = {q["id"]: q for q in zh_p["qas"]}
        for q in en_p["qas"]:
            zq = zh_by_id.get(q["id"])
            if zq is None:
                continue
            spans = {"en": [(a["text"], a["answer_start"]) for a in q["answers"]],
                     "zh": [(a["text"], a["answer_start"]) for a in zq["answers"]]}
            contexts = {"en": en_p["context"], "zh": zh_p["context"]}
            for q_lang, text in (("en", q["question"]), ("zh", zq["question"])):
                for p_lang in ("en", "zh"):
                    rng = random.Random(f"{SEED}-{q['id']}-{q_lang}-{p_lang}")
                    yield from question_rows_for(text, contexts[p_lang], spans[p_lang], f"{q_lang}/{p_lang}", group, rng)


def cmrc_rows() -> Iterator[dict[str, str]]:
    contexts, items = cmrc_half(held_out=False)
    context_of = dict(contexts)
    for item in items:
        rng = random.Random(f"{SEED}-{item['qid']}")
        yield from question_rows_for(item["question"], context_of[item["paragraph"]], [(s, -1) for s in item["spans"]],
                                     "zh/zh", f"cmrc-dev:{item['paragraph']}", rng)
    trial = json.loads(CMRC_TRIAL.read_text(encoding="utf-8"))["data"]
    for a, article in enumerate(trial):
        for p in article["paragraphs"]:
            for q in p["qas"]:
                rng = random.Random(f"{SEED}-{q['id']}")
                spans = [(x["text"], int(x.get("answer_start", -1))) for x in q["answers"]]
                yield from question_rows_for(q["question"], p["context"], spans, "zh/zh", f"cmrc-trial:{a:04d}", rng)


def held_out_texts() -> set[str]:
    """Claims and source sentences of the benchmark's held-out half: no training row may contain one."""
    texts = set()
    for line in (common.PROJECT / "bench/data/claims/heldout.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts.update((cs.comparable(record["claim"]), cs.comparable(record["source_sentence"])))
    return texts


def continued_rows(lines: list[str], base: list[str], seed: int) -> list[str]:
    """The rows (JSON lines) of ``lines`` that ``base`` lacks (same task, texts and label), then as many of
    ``base``'s drawn at random: the data for continuing a reader trained on ``base``."""
    def key(line: str) -> tuple[str, str, str, str]:
        r = json.loads(line)
        return r["task"], r["a"], r["b"], r["label"]

    known = {key(line) for line in base}
    new = [line for line in lines if key(line) not in known]
    return new + random.Random(seed).sample(base, min(len(new), len(base)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=common.PROJECT / "bench/data/reader/train.jsonl")
    parser.add_argument("--continued", type=Path, default=None, metavar="BASE",
                        help="write to --out the rows of --data that BASE lacks and as many of BASE's replayed")
    parser.add_argument("--data", type=Path, default=common.PROJECT / "bench/data/reader/train.jsonl")
    parser.add_argument("--seed", type=int, default=22, help="with --continued: the draw of the replayed rows")
    parser.add_argument("--embed-cache", type=Path, default=Path("/tmp/claimset-emb.npz"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--omission-edits", action="store_true", help="reader v3's data: shorter claims with a fact changed")
    args = parser.parse_args()
    common.setup_logging()
    if args.continued:
        if args.out.resolve() == args.data.resolve():
            raise SystemExit("--continued writes a subset: give --out another file than --data (the full data)")

        def read(path: Path) -> list[str]:
            return [line + "\n" for line in path.read_text(encoding="utf-8").splitlines() if line]

        rows = continued_rows(read(args.data), read(args.continued), args.seed)
        args.out.write_text("".join(rows), encoding="utf-8")
        logger.info("wrote %d rows to %s (half of them new since %s)", len(rows), args.out, args.continued)
        return
    global OMISSION_EDITS
    OMISSION_EDITS = args.omission_edits
    embedder = cs.Embedder(args.threads, args.embed_cache)
    leaks = held_out_texts()
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    dropped = 0
    from bench.claims import reader_inputs, source_documents

    near_misses = near_miss_rows(reader_inputs("tune"), source_documents("tune"))  # needs the tune claim features
    for r in [*claim_rows(embedder), *near_misses, *xquad_rows(), *cmrc_rows()]:
        key = (r["task"], r["a"], r["b"])
        if key in seen:
            continue
        seen.add(key)
        if r["task"] == "claim" and (cs.comparable(r["a"]) in leaks or cs.comparable(r["b"]) in leaks):
            dropped += 1
            continue
        rows.append(r)
    embedder.save()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as sink:
        for r in rows:
            sink.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = Counter((r["task"], r["label"], r["pair"]) for r in rows)
    logger.info("wrote %d rows to %s (%d dropped: text of the held-out half)\n%s", len(rows), args.out, dropped,
                "\n".join(f"{k}: {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    sys.exit(main())
