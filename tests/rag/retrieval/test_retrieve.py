"""rag.retrieval.retriever: a passage that opens by referring back comes with the sentence it refers to."""

from __future__ import annotations

from helpers.fakes import FakeEmbedder

from rag.ingest.index import Index
from rag.retrieval.retriever import Retriever, prepend_referent
from rag.settings import Settings
from rag.types import SearchHit

BEFORE = "作为政府资助的机构，研究所必须与资金充足的企业竞争以吸引顶尖工程师和科学家。"
EXAMPLE = "例如英国研究所近期在旧金山设立了办公室，以便更接近全球领先的人才基地。"


def hit_at(start: int, text: str, sentences: list[tuple[int, int, int, int]]) -> SearchHit:
    return SearchHit(doc="d.txt", title="", section="", page=None, text=text, start=start, end=start + len(text),
                     score=1.0, language="zh", doc_hash="h" * 32, sentences=sentences, chunk=1)


def test_prepend_referent_takes_the_last_sentence_before_the_passage() -> None:
    previous = {"text": "第一句。" + BEFORE, "sentences": [[0, 4, 0, 4], [4, 4 + len(BEFORE), 4, 4 + len(BEFORE)]]}
    start = 4 + len(BEFORE) + 1  # a newline between the passages in the raw file
    hit = hit_at(start, EXAMPLE, [(0, len(EXAMPLE), start, start + len(EXAMPLE))])
    assert prepend_referent(hit, previous)
    assert hit.text == BEFORE + EXAMPLE and hit.start == 4
    assert [hit.text[a:b] for a, b, _, _ in hit.sentences] == [BEFORE, EXAMPLE]
    assert [(ra, rb) for _, _, ra, rb in hit.sentences] == [(4, 4 + len(BEFORE)), (start, start + len(EXAMPLE))]


def test_prepend_referent_skips_sentences_the_passage_already_holds() -> None:
    # the previous passage's last sentence overlaps this one (chunk overlap): nothing earlier to add
    previous = {"text": EXAMPLE, "sentences": [[0, len(EXAMPLE), 10, 10 + len(EXAMPLE)]]}
    hit = hit_at(10, EXAMPLE, [(0, len(EXAMPLE), 10, 10 + len(EXAMPLE))])
    assert not prepend_referent(hit, previous) and hit.text == EXAMPLE


def test_search_returns_the_example_with_what_it_is_an_example_of(backend_settings: Settings) -> None:
    settings = backend_settings.model_copy(update={"chunk_max_tokens": 40, "chunk_overlap_tokens": 0})
    raw = "\n".join(["人工智能安全研究所面临三项挑战。", BEFORE, EXAMPLE, "此后该办公室开始招聘。"])
    (settings.corpus_dir / "brief.txt").write_text(raw, encoding="utf-8")
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
        hits = Retriever(index, settings).run("旧金山 办公室 人才基地", k=5).hits
        example = next(h for h in hits if EXAMPLE in h.text)
        assert example.text.startswith(BEFORE)  # the chunk border fell between them
        assert BEFORE in raw[example.start : example.end].replace("\n", "")
        for a, b, ra, rb in example.sentences:
            assert example.text[a:b] == raw[ra:rb]
        plain = Retriever(index, settings.model_copy(update={"passage_referents": False})).run(
            "旧金山 办公室 人才基地", k=5).hits
        assert not next(h for h in plain if EXAMPLE in h.text).text.startswith(BEFORE)


def test_passages_stating_the_asked_kind_of_figure_are_marked(backend_settings: Settings) -> None:
    settings = backend_settings.model_copy(update={"chunk_max_tokens": 24, "chunk_overlap_tokens": 0})
    raw = "\n".join(["英国人工智能安全研究所的初始资金为1亿英镑。", "英国人工智能安全研究所负责评测前沿模型。"])
    (settings.corpus_dir / "uk.txt").write_text(raw, encoding="utf-8")
    with Index.open(settings, FakeEmbedder()) as index:
        index.ingest([settings.corpus_dir])
        retriever = Retriever(index, settings)
        hits = retriever.run("英国人工智能安全研究所获得了多少资金？", k=5).hits
        marks = {("1亿英镑" in h.text): h.features["answer_kind"] for h in hits}
        assert marks == {True: 1.0, False: 0.0}
        assert all(h.features["answer_kind"] == 0.0 for h in retriever.run("英国人工智能安全研究所负责什么？", k=5).hits)


def test_language_and_document_filters_hold_for_every_list(backend_settings: Settings) -> None:
    """A Chinese question filtered to English passages gets only English ones (the lists that search
    the question's own language must not widen the filter), and likewise for documents."""
    (backend_settings.corpus_dir / "uk.txt").write_text("英国人工智能安全研究所的初始资金为1亿英镑。", encoding="utf-8")
    (backend_settings.corpus_dir / "uk.md").write_text("The UK AI Safety Institute received 100 million pounds.",
                                                     encoding="utf-8")
    with Index.open(backend_settings, FakeEmbedder()) as index:
        index.ingest([backend_settings.corpus_dir])
        retriever = Retriever(index, backend_settings)
        question = "英国人工智能安全研究所获得了多少资金？"
        assert {h.language for h in retriever.run(question, k=5).hits} == {"zh", "en"}
        assert [h.doc for h in retriever.run(question, k=5, language="en").hits] == ["uk.md"]
        assert [h.doc for h in retriever.run(question, k=5, docs=["uk.md"]).hits] == ["uk.md"]


def test_a_place_of_the_head_kept_for_the_other_language(backend_settings: Settings) -> None:
    """In a mixed index an English claim meets English text on its subject first; with one place of the
    first three kept for the other language, the best Chinese passage among the top k is read too, and
    without it it is not. A passage below the top k is never lifted."""
    for n, topic in enumerate(["funding", "staff", "offices", "partners", "budget", "reviews"]):
        (backend_settings.corpus_dir / f"uk{n}.md").write_text(
            f"The UK AI Safety Institute reports on its {topic}.", encoding="utf-8")
    (backend_settings.corpus_dir / "uk.txt").write_text("英国人工智能安全研究所的初始资金为1亿英镑。", encoding="utf-8")
    with Index.open(backend_settings, FakeEmbedder()) as index:
        index.ingest([backend_settings.corpus_dir])
        retriever = Retriever(index, backend_settings)
        claim = "The UK AI Safety Institute reports received initial funding of 100 million pounds."
        plain = [h.language for h in retriever.run(claim, k=7).hits]
        assert "zh" in plain and plain.index("zh") >= 3  # ranked below the first three
        kept = retriever.run(claim, k=7, other_language=(1, 3)).hits
        assert [h.language for h in kept[:3]].count("zh") == 1 and kept[0].language == "en"
        assert [h.doc for h in kept[:3] if h.language == "zh"] == ["uk.txt"]
        assert sorted(h.doc for h in kept) == sorted(h.doc for h in retriever.run(claim, k=7).hits)  # same set
        cut = retriever.run(claim, k=plain.index("zh"), other_language=(1, 3)).hits
        assert [h.language for h in cut] == ["en"] * plain.index("zh")
