"""rag.answer.lists: list questions are answered with the items of the run their best evidence opens or sits in
(numbered, bulleted, 一是…二是…), across adjacent sentences and passages; other questions are answered as before."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.fakes import fake_count_tokens

from rag.answer.compose import extractive_answer
from rag.answer.evidence import passage_sentences
from rag.answer.lists import ListAsk, list_line, list_question, list_run, marker_of
from rag.ingest.chunking import Chunk, chunk_text
from rag.retrieval.query import plain_query
from rag.settings import Settings
from rag.text.normalize import normalize
from rag.types import EvidenceSentence, SearchHit

SETTINGS = Settings(_env_file=None)
DOC_HASH = "h" * 32

ZH_RUN = ("该备忘录指示采取以下三项关键行动：一是确保美国引领世界安全、可信的人工智能发展。重点措施包括提高芯片供应链的安全性。"
          "二是利用尖端人工智能技术推进美国国家安全使命。三是推进围绕人工智能的国际共识和治理。\n"
          "今天发布的备忘录是政府负责任创新综合战略的一部分。")
EN_RUN = "\n".join([
    "The network agreed on the following outcomes of its first meeting:",
    "• A mission statement for the network was adopted by all members. It sets out four priority areas.",
    "• A joint research agenda on synthetic content was published.",
    "• A first joint testing exercise was run on a large model.",
    "3.2 Funding of the network",
    "• The members pledged eleven million dollars to the research agenda.",
])


def chunks_of(raw: str, max_tokens: int = 160, overlap: int = 24) -> list[Chunk]:
    return chunk_text(normalize(raw), fake_count_tokens, max_tokens, overlap)


def payload(chunk: Chunk) -> dict[str, Any]:
    """A chunk as ingest stores it (rag.ingest.pipeline)."""
    return {"text": chunk.text, "start": chunk.start, "end": chunk.end, "page": None, "section": chunk.section,
            "sentences": [[a, b, ra, rb] for (a, b), (ra, rb) in zip(chunk.sentences, chunk.sentence_raw, strict=True)]}


def as_hit(chunk: Chunk) -> SearchHit:
    return SearchHit(doc="d.md", title="", section="", page=None, text=chunk.text, start=chunk.start, end=chunk.end,
                     score=1.0, language=chunk.language, doc_hash=DOC_HASH,
                     sentences=[tuple(s) for s in payload(chunk)["sentences"]], chunk=chunk.index)


def reader(chunks: list[Chunk]):  # type: ignore[no-untyped-def]
    """The store's read of one passage by (document hash, position), counting reads."""
    stored = {(DOC_HASH, c.index): payload(c) for c in chunks}

    def read(doc_hash: str, chunk: int) -> dict[str, Any] | None:
        read.calls += 1  # type: ignore[attr-defined]
        return stored.get((doc_hash, chunk))

    read.calls = 0  # type: ignore[attr-defined]
    return read


def evidence(hit: SearchHit, opening: str) -> EvidenceSentence:
    """The evidence sentence of ``hit`` that opens with ``opening``, as the best of the chosen ones."""
    sentence = next(s for s in passage_sentences(hit, 0) if s.text.startswith(opening))
    sentence.score = sentence.coverage = 1.0
    return sentence


def run_texts(question: str, language: str, hit: SearchHit, opening: str, read: Any = None,
              settings: Settings = SETTINGS) -> list[str] | None:
    run = list_run(plain_query(question, language), [evidence(hit, opening)], settings, read)
    return None if run is None else [s.text for s in run.evidence]


@pytest.mark.parametrize(("question", "count"), [
    ("美国人工智能国家安全备忘录指示采取哪三项关键行动？", 3),
    ("评估可能涉及哪些领域？", None),
    ("英国人工智能安全研究所优先关注哪几个方面？", None),
    ("美国政府的三个目标是什么？", 3),
    ("美国人工智能安全研究所联盟设有哪5个工作组？", 5),
    ("What are the three core topics of the technical dialogue?", 3),
    ("Which countries are members of the International Network of AI Safety Institutes?", None),
    ("Which six qualities should risk assessments have?", 6),
    ("List the outcomes of the first meeting.", None),
])
def test_a_list_question_and_the_count_it_asks_for(question: str, count: int | None) -> None:
    assert list_question(question) == ListAsk(count)


@pytest.mark.parametrize("question", [
    "What is the budget of the UK AI Safety Institute?",
    "日本人工智能安全研究所是哪一年成立的？",
    "哪一个国家最早成立了人工智能安全研究所？",
    "《赢得竞赛》一共列出了多少项具体政策行动？",  # how many: a figure, not the items
    "What might agreements require signatory countries to do?",
    "Both reports mention an agreement. How does each describe what it covers?",
    "Which agreement does the article call the first international AI treaty?",
    "How many staff does the institute employ?",
])
def test_a_question_that_asks_for_one_thing_is_no_list_question(question: str) -> None:
    assert list_question(question) is None


@pytest.mark.parametrize(("text", "style", "ordinal"), [
    ("1. Train the model.", "1.", 1), ("2、其次，美国政府必须利用人工智能。", "1、", 2), ("（3）自本备忘录签署之日起", "(1)", 3),
    ("（二）促进创新", "(一)", 2), ("● 4）关于风险评估的联合声明。", "●1)", 4), ("③ 第三项", "①", 3),
    ("二是资本的可用性；", "一是", 2), ("第三，加强合作。", "第一", 3), ("最后，我们期待合作。", "首先", 99),
    ("Secondly, it tests models.", "first", 2), ("- 责成管理和预算办公室解决资源限制。", "-", None),
    ("评估可能涉及以下领域：一是芯片的设计；", "一是", 1),  # after its own preface's colon
])
def test_list_markers(text: str, style: str, ordinal: int | None) -> None:
    marker, _ = marker_of(text)
    assert marker is not None and (marker.style, marker.ordinal) == (style, ordinal)


@pytest.mark.parametrize("text", ["2.1继英美之后，多个国家宣布设立研究所", "1.1 ChatGPT等前沿人工智能", "2024年2月正式成立。",
                                  "——包括上海人工智能实验室", "34 International Network of AI Safety Institutes",
                                  "重点措施包括：提高芯片供应链的安全性；"])
def test_text_that_is_no_list_item(text: str) -> None:
    assert marker_of(text)[0] is None


def test_a_preface_and_its_written_out_items_are_cited_in_document_order_with_exact_offsets() -> None:
    hit = as_hit(chunks_of(ZH_RUN)[0])
    run = list_run(plain_query("美国人工智能国家安全备忘录指示采取哪三项关键行动？", "zh"), [evidence(hit, "该备忘录")], SETTINGS)
    assert run is not None and run.preface is None  # the preface is the first item's own sentence
    assert [s.text[:2] for s in run.items] == ["该备", "二是", "三是"]  # the sentence inside item one stays context
    raw = ZH_RUN
    assert all(raw[s.start:s.end] == s.text for s in run.items)
    # from a sentence inside the first item, or from the last item: the same run
    assert run_texts("备忘录指示采取哪些关键行动？", "zh", hit, "重点措施") == [s.text for s in run.items]
    assert run_texts("备忘录指示采取哪些关键行动？", "zh", hit, "三是") == [s.text for s in run.items]


def test_the_count_asked_is_respected() -> None:
    hit = as_hit(chunks_of(ZH_RUN)[0])
    assert [t[:2] for t in run_texts("备忘录指示采取哪两项关键行动？", "zh", hit, "该备忘录") or []] == ["该备", "二是"]


def test_a_run_stops_at_a_heading_and_the_preface_comes_first() -> None:
    hit = as_hit(chunks_of(EN_RUN)[0])
    texts = run_texts("What outcomes did the network agree on at its first meeting?", "en", hit, "The network")
    assert texts == ["The network agreed on the following outcomes of its first meeting:",
                     "• A mission statement for the network was adopted by all members.",
                     "• A joint research agenda on synthetic content was published.",
                     "• A first joint testing exercise was run on a large model."]  # not the item after "3.2 …"


def test_a_preface_about_something_else_opens_no_run() -> None:  # the negative beside it
    hit = as_hit(chunks_of(EN_RUN)[0])
    assert run_texts("Which members pledged funding to the research agenda?", "en", hit, "The network") is None


def test_a_label_preface_is_judged_by_its_own_words_a_these_include_by_the_sentence_before() -> None:
    items = ["● 1) A mission statement was adopted by the members.", "● 2) A research agenda was published."]
    label = as_hit(chunks_of("\n".join(["The meeting took place in San Francisco in November.", "Outcomes:", *items]))[0])
    assert run_texts("Which six qualities should risk assessments have, according to the meeting?", "en", label,
                     "● 1)") is None  # "Outcomes:" is not what was asked; the sentence before it does not announce them
    assert run_texts("What outcomes were agreed?", "en", label, "● 1)") is not None
    these = as_hit(chunks_of("\n".join(["The meeting in San Francisco agreed on several documents.", "These include:",
                                         *items]))[0])
    texts = run_texts("Which documents did the meeting in San Francisco agree on?", "en", these, "The meeting")
    assert texts is not None and [t[:4] for t in texts] == ["The ", "● 1)", "● 2)"]  # the label is never quoted


def test_items_across_a_chunk_border_are_read_from_the_next_passage() -> None:
    chunks = chunks_of(EN_RUN, max_tokens=24, overlap=4)
    assert len(chunks) > 2, "the run spans several passages"  # the premise
    first = as_hit(chunks[0])
    question = "What outcomes did the network agree on at its first meeting?"
    read = reader(chunks)
    texts = run_texts(question, "en", first, "The network", read)
    assert texts is not None and len(texts) == 4 and texts[-1].startswith("• A first joint testing")
    assert 1 <= read.calls <= SETTINGS.list_max_passages
    # without the store, only what the passage itself holds
    alone = run_texts(question, "en", first, "The network")
    assert alone is None or len(alone) < 4
    # from an item in a later passage, back to the preface and the first items
    later = next(as_hit(c) for c in chunks if "• A first joint" in c.text)
    assert run_texts(question, "en", later, "• A first joint", reader(chunks)) == texts


def test_a_footnote_line_between_two_items_is_passed_over() -> None:
    raw = "\n".join(["The outcomes published after the meeting include:", "● 1) A mission statement for the network.",
                     "33 International Network of AI Safety Institutes, Mission statement, 2024.",
                     "● 2) A joint research agenda on synthetic content.", "The meeting ended on Thursday."])
    hit = as_hit(chunks_of(raw)[0])
    texts = run_texts("What outcomes were published?", "en", hit, "The outcomes")
    assert texts is not None and [t[:4] for t in texts] == ["The ", "● 1)", "● 2)"]


def test_numbered_paragraphs_without_a_preface_are_no_list_the_same_lines_announced_are() -> None:
    goals = ["1. The government must lead the world in safe and trustworthy AI.",
             "2. The government must harness AI for national security.",
             "3. The government must promote international governance of AI."]
    bare = as_hit(chunks_of("\n".join(["The memorandum was signed in October.", *goals]))[0])
    assert run_texts("What are the three goals of the government?", "en", bare, "The government must lead") is None
    announced = as_hit(chunks_of("\n".join(["The following three goals will guide the government.", *goals]))[0])
    texts = run_texts("What are the three goals of the government?", "en", announced, "The government must lead")
    assert texts is not None and texts[0].startswith("The following") and len(texts) == 4  # "1." split off: the text


def test_written_out_items_are_announced_by_the_sentence_before_them() -> None:
    raw = "政府在人工智能治理方面采取了三项措施。首先，设立首席人工智能官。其次，设置监管沙盒。最后，成立验证基金会。\n另一段。"
    hit = as_hit(chunks_of(raw)[0])
    assert [t[:2] for t in run_texts("政府在人工智能治理方面采取了哪些措施？", "zh", hit, "其次") or []] == ["政府", "首先", "其次", "最后"]
    assert run_texts("验证基金会有哪些合作伙伴？", "zh", hit, "首先") is None  # announced, but not what was asked


def test_the_sibling_items_of_a_bullet_that_lists_what_was_asked_inline_are_left_alone() -> None:
    raw = "\n".join(["The institute's partnerships include:",
                      "○ With the UK institute: joint testing of advanced models and shared research insights.",
                      "○ With the EU AI Office: a technical dialogue on watermarking, compute and social good."])
    hit = as_hit(chunks_of(raw)[0])
    question = "Which three key topics does the technical dialogue with the EU AI Office focus on?"
    assert run_texts(question, "en", hit, "○ With the EU") is None
    assert run_texts("Which partnerships does the institute have?", "en", hit, "○ With the EU") is not None


def test_a_list_answer_quotes_one_item_a_line_a_non_list_answer_is_unchanged() -> None:
    hit = as_hit(chunks_of(ZH_RUN)[0])
    chosen = [evidence(hit, "该备忘录")]
    listed = extractive_answer(plain_query("备忘录指示采取哪三项关键行动？", "zh"), [hit], chosen, 0.9, None, SETTINGS)
    assert listed.answer.splitlines() == [
        "该备忘录指示采取以下三项关键行动：一是确保美国引领世界安全、可信的人工智能发展[1]。",
        "二是利用尖端人工智能技术推进美国国家安全使命[2]。", "三是推进围绕人工智能的国际共识和治理[3]。"]
    assert [(c.start, c.end) for c in listed.citations] == sorted((c.start, c.end) for c in listed.citations)
    off = SETTINGS.model_copy(update={"list_runs": False})
    for question in ("备忘录指示采取的第一项关键行动是什么？", "What does the memorandum direct?"):
        query = plain_query(question, "zh" if "备" in question else "en")
        assert list_question(question) is None
        assert extractive_answer(query, [hit], chosen, 0.9, None, SETTINGS) \
            == extractive_answer(query, [hit], chosen, 0.9, None, off)


def test_list_lines() -> None:
    assert list_line("已公布的成果包括：", 1, "zh") == "已公布的成果包括[1]："
    assert list_line("二是资本的可用性；", 2, "zh") == "二是资本的可用性[2]；"
    assert list_line("• A joint research agenda", 3, "en") == "• A joint research agenda [3]"
