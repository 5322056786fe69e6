"""rag.retrieval.sentence_completion: a sentence the chunk border cut is completed from the neighbouring
passages, with raw offsets spanning the whole sentence; one that cannot be completed is never cited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers.fakes import FakeEmbedder, fake_count_tokens

from rag.ingest.chunking import Chunk, chunk_text
from rag.ingest.index import Index
from rag.retrieval.retriever import Retriever
from rag.retrieval.sentence_completion import (
    Unit,
    complete_cut_sentences,
    complete_hit,
    cut_at_border,
)
from rag.settings import Settings
from rag.store.base import point_id
from rag.text.normalize import normalize
from rag.text.sentences import split_sentences
from rag.types import SearchHit

SETTINGS = Settings(_env_file=None, chunk_max_tokens=24, chunk_overlap_tokens=4)
LONG_EN = ("The Secretary shall, within 90 days of the date of this order and in consultation with the heads of "
           "the agencies that the Secretary deems appropriate, propose regulations that require providers to "
           "report the training runs of their largest models together with the results of the red-team tests.")
LONG_ZH = ("研究所应当会同有关部门，在本办法施行之日起九十日内，制定前沿模型安全评测的技术规范，明确评测的范围、"
           "方法、流程和结果报告要求，并定期向社会公布评测结果和改进措施。")
DOC = "\n".join(["The institute was founded in 2023.", LONG_EN, "Key steps include:", "It reports each year.",
                 "研究所于2023年成立。", LONG_ZH, "研究所每年发布报告。"])


def payload(chunk: Chunk) -> dict[str, Any]:
    """A chunk as ingest stores it (rag.ingest.pipeline)."""
    return {"text": chunk.text, "sentences": [[a, b, ra, rb] for (a, b), (ra, rb) in zip(chunk.sentences, chunk.sentence_raw, strict=True)]}


def as_hit(chunk: Chunk) -> SearchHit:
    stored = payload(chunk)
    return SearchHit(doc="d.md", title="", section="", page=None, text=chunk.text, start=chunk.start, end=chunk.end,
                     score=1.0, language=chunk.language, doc_hash="h" * 32,
                     sentences=[tuple(s) for s in stored["sentences"]], chunk=chunk.index)


def chunks_of(raw: str) -> list[Chunk]:
    return chunk_text(normalize(raw), fake_count_tokens, SETTINGS.chunk_max_tokens, SETTINGS.chunk_overlap_tokens)


def neighbours(chunks: list[Chunk], i: int) -> tuple[list[dict[str, Any] | None], list[dict[str, Any] | None]]:
    before = [payload(chunks[j]) for j in (i - 2, i - 1) if j >= 0]
    after = [payload(chunks[j]) if j < len(chunks) else None for j in (i + 1, i + 2)]
    return before, after


def test_every_passage_sentence_is_whole_after_completion() -> None:
    norm = normalize(DOC)
    whole = {norm.raw_span(a, b): norm.text[a:b] for a, b in split_sentences(norm.text)}
    chunks = chunks_of(DOC)
    cut = [c for c in chunks if any(tuple(r) not in whole for r in c.sentence_raw)]
    assert cut, "the long sentences are cut by chunk borders"  # the premise; without completion, fragments
    completed: set[str] = set()
    for i, chunk in enumerate(chunks):
        hit = as_hit(chunk)
        complete_hit(hit, *neighbours(chunks, i), fake_count_tokens, SETTINGS)
        for a, b, ra, rb in hit.sentences:
            assert whole.get((ra, rb)) == hit.text[a:b]  # raw offsets span a whole sentence, text is the source's
            assert hit.start <= ra and rb <= hit.end
            completed.add(hit.text[a:b])
    assert LONG_EN in completed and LONG_ZH in completed


def test_a_cut_last_sentence_is_completed_from_the_next_passage() -> None:
    chunks = chunks_of(DOC)
    i = next(i for i, c in enumerate(chunks) if LONG_EN[:20] in c.text)
    hit = as_hit(chunks[i])
    assert not hit.text.endswith("tests.")
    assert complete_hit(hit, *neighbours(chunks, i), fake_count_tokens, SETTINGS)
    a, b, ra, rb = hit.sentences[-1]
    assert hit.text[a:b] == LONG_EN and DOC[ra:rb] == LONG_EN


def test_a_line_without_a_sentence_end_is_not_joined_to_the_next() -> None:
    # "Key steps include:" ends its line: far from the budget, so not a piece the chunker cut
    assert not cut_at_border(Unit("Key steps include:", 0, 18, None), fake_count_tokens, SETTINGS)
    assert not cut_at_border(Unit("3.2 职能定位与工作内容", 0, 12, None), fake_count_tokens, SETTINGS)  # a heading
    piece = " ".join(LONG_EN.split()[:24])
    assert cut_at_border(Unit(piece, 0, len(piece), None), fake_count_tokens, SETTINGS)  # fills the budget
    assert cut_at_border(Unit("研究所应当会同有关部门，在本办法施行之日起九十日内，", 0, 25, None), fake_count_tokens, SETTINGS)
    raw = "\n".join(["Key steps include:", "It reports to parliament each year."])
    chunks = chunk_text(normalize(raw), fake_count_tokens, 8, 0)
    assert len(chunks) == 2
    hit = as_hit(chunks[0])
    assert not complete_hit(hit, [], [payload(chunks[1])], fake_count_tokens, SETTINGS)
    assert hit.text == "Key steps include:"


def test_a_cut_sentence_that_cannot_be_completed_is_never_a_sentence() -> None:
    chunks = chunks_of(DOC)
    i = next(i for i, c in enumerate(chunks) if not c.text.rstrip().endswith((".", "。", ":")))
    hit = as_hit(chunks[i])
    text, cut_piece = hit.text, hit.text[hit.sentences[-1][0]:hit.sentences[-1][1]]
    assert complete_hit(hit, neighbours(chunks, i)[0], [None], fake_count_tokens, SETTINGS)  # the next one is gone
    assert hit.text == text  # still visible as context
    assert cut_piece not in [hit.text[a:b] for a, b, _, _ in hit.sentences]


@dataclass
class Point:
    id: str
    payload: dict[str, Any]


class Store:
    """The store's read by point id, counting calls."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.points = {point_id("h" * 32, c.index): payload(c) for c in chunks}
        self.reads = 0

    def scroll(self, keys: list[str], ids: list[str]) -> list[Point]:
        self.reads += 1
        return [Point(i, self.points[i]) for i in ids if i in self.points]


def test_one_store_read_completes_all_hits() -> None:
    chunks = chunks_of(DOC)
    store = Store(chunks)
    hits = [as_hit(c) for c in chunks]
    changed = complete_cut_sentences(hits, store, fake_count_tokens, SETTINGS)  # type: ignore[arg-type]
    assert store.reads == 1 and changed >= 2
    assert any(LONG_EN in h.text for h in hits)
    store.reads = 0
    assert complete_cut_sentences([], store, fake_count_tokens, SETTINGS) == 0 and store.reads == 0  # type: ignore[arg-type]


def test_search_returns_the_cut_sentence_whole_unless_switched_off(backend_settings: Settings) -> None:
    settings = backend_settings.model_copy(update={"chunk_max_tokens": 24, "chunk_overlap_tokens": 4})
    (settings.corpus_dir / "order.md").write_text(DOC, encoding="utf-8")
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
        question = "red-team tests training runs"

        def sentences(s: Settings) -> list[str]:
            hits = Retriever(index, s).run(question, k=10).hits
            return [h.text[a:b] for h in hits for a, b, _, _ in h.sentences]

        assert LONG_EN in sentences(settings)
        assert LONG_EN not in sentences(settings.model_copy(update={"complete_cut_sentences": False}))
