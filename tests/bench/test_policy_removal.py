"""The removal protocol of ``bench.answerability`` on the policy documents: one retrieval gives an answerable case
and its near miss, the near miss without the passages that answer it (and never another's), each with as many hits
as the product reads; a sentence is found in its passage whatever its markup, and an ambiguous one in none."""

from __future__ import annotations

from types import SimpleNamespace

from bench.answerability import REMOVAL_SPARE, ask_removed
from bench.policy_questions import key, longest_run, passage_of


class FakeRetriever:
    def __init__(self, docs: list[str]) -> None:
        self.docs = docs
        self.asked: list[int] = []

    def run(self, question: str, k: int) -> SimpleNamespace:
        self.asked.append(k)
        hits = [SimpleNamespace(doc=f"{d}.txt", dense=[0.0], language="zh" if d.endswith("z") else "en")
                for d in self.docs[:k]]
        return SimpleNamespace(query=SimpleNamespace(language="en", terms=[], cross_terms=[]), hits=hits)


def fake_qa(docs: list[str], k: int = 4, other_language: int = 0) -> SimpleNamespace:
    settings = SimpleNamespace(answer_contexts=k, max_question_chars=500, answer_passages=2,
                               answer_other_language=other_language)
    return SimpleNamespace(settings=settings, retriever=FakeRetriever(docs))


ITEM = {"qid": "q0001-0", "question": "When was the office set up?", "paragraph": "q0001", "spans": ["2024"],
        "doc": "a.md", "direction": "en→zh", "answer_remove": ["q0001"], "remove": ["q0001", "q0002"]}


def test_one_retrieval_gives_an_answerable_case_and_its_near_miss() -> None:
    qa = fake_qa(["q0001", "q0002", "q0003", "q0001", "q0004", "q0005", "q0006", "q0007"])
    answerable, miss = ask_removed(qa, [ITEM], "policy-removal")
    assert qa.retriever.asked == [4 + REMOVAL_SPARE]
    assert answerable["indexed"] and not miss["indexed"] and miss["qid"] == "q0001-0~nm"
    assert [h.doc for h in answerable["hits"]] == ["q0002.txt", "q0003.txt", "q0004.txt", "q0005.txt"]
    assert [h.doc for h in miss["hits"]] == ["q0003.txt", "q0004.txt", "q0005.txt", "q0006.txt"]
    assert not answerable["same"] and answerable["target_spans"] == ["2024"]
    assert all(h.dense is None for h in miss["hits"])  # vectors are not cached


def test_a_question_with_nothing_to_remove_keeps_every_hit() -> None:  # negative: only named passages go
    item = {**ITEM, "direction": "en→en", "answer_remove": [], "remove": ["q0009"]}
    answerable, miss = ask_removed(fake_qa(["q0001", "q0002", "q0003", "q0004", "q0005"]), [item], "policy-removal")
    assert answerable["same"]
    assert [h.doc for h in answerable["hits"]] == [h.doc for h in miss["hits"]] == [
        "q0001.txt", "q0002.txt", "q0003.txt", "q0004.txt"]


def test_the_place_for_the_other_language_is_kept_as_an_index_without_the_removed_passages_would() -> None:
    """With ``answer_other_language`` 1 each list's first two (``answer_passages``) hold the best Chinese hit among
    its own top four: for the near miss that is the hit left once its passages are out; one below the top four is
    never lifted; with the setting 0 the order is retrieval's."""
    docs = ["q0001", "q0002", "q0003", "q0004z", "q0005", "q0006z"]
    answerable, miss = ask_removed(fake_qa(docs, other_language=1), [ITEM], "policy-removal")
    assert [h.doc for h in answerable["hits"]] == ["q0002.txt", "q0004z.txt", "q0003.txt", "q0005.txt"]
    assert [h.doc for h in miss["hits"]] == ["q0003.txt", "q0004z.txt", "q0005.txt", "q0006z.txt"]
    plain, _ = ask_removed(fake_qa(docs), [ITEM], "policy-removal")
    assert [h.doc for h in plain["hits"]] == ["q0002.txt", "q0003.txt", "q0004z.txt", "q0005.txt"]
    late = ["q0001", "q0002", "q0003", "q0005", "q0007", "q0006z"]  # the Chinese hit is fifth once q0001 is out
    answerable, _ = ask_removed(fake_qa(late, other_language=1), [ITEM], "policy-removal")
    assert [h.doc for h in answerable["hits"]] == ["q0002.txt", "q0003.txt", "q0005.txt", "q0007.txt"]


def test_a_sentence_is_found_in_its_passage_whatever_its_markup() -> None:
    keys = {"q0001": key("**The NSM** directs the U.S. Government to collaborate with allies."),
            "q0002": key("该NSM指示美国政府与盟友和合作伙伴合作，建立一个治理框架。")}
    assert passage_of("The NSM directs the U.S. Government to collaborate with allies.", keys) == "q0001"
    assert passage_of("该NSM指示美国政府与盟友和合作伙伴合作，建立一个治理框架。", keys) == "q0002"
    assert passage_of("The NSM directs the Department of Energy to build computing.", keys) is None  # negative
    twice = {**keys, "q0003": keys["q0001"]}
    assert passage_of("The NSM directs the U.S. Government to collaborate with allies.", twice) is None  # ambiguous


def test_the_span_a_translation_is_held_by_is_its_longest_unpunctuated_stretch() -> None:
    assert longest_run("美国政府的政策是，以下三个目标将指导其在人工智能和国家安全方面的活动。") == "以下三个目标将指导其在人工智能和国家安全方面的活动"
    assert longest_run("It builds on (a) the 2023 order, and more.") == "the 2023 order"


def test_kept_groups_decide_as_fitted_and_refitted_ones_read_no_dropped_feature() -> None:
    import numpy as np

    from bench.answerability import merge_groups
    from rag.answer.answerability_model import AnswerabilityModel

    base = {"features": ["a", "b", "c"], "groups": {
        "same-en": {"weights": [1.0, 2.0, 3.0], "bias": 0.1, "mean": [0.5, 0.5, 0.5], "scale": [2.0, 2.0, 2.0],
                    "threshold": 0.4},
        "same-zh": {"weights": [9.0, 9.0, 9.0], "bias": 9.0, "mean": [0.0, 0.0, 0.0], "scale": [1.0, 1.0, 1.0],
                    "threshold": 0.9}}}
    fitted = {"same-en": {"weights": [7.0], "bias": 0.0, "mean": [0.0], "scale": [1.0], "threshold": 0.2},
              "same-zh": {"weights": [-1.0, 0.5], "bias": 0.3, "mean": [0.2, 0.1], "scale": [1.5, 0.5],
                          "threshold": 0.3}}
    names, groups = merge_groups(["c", "a"], fitted, base, ["same-en"])
    assert names == ["a", "b", "c"]
    assert groups["same-en"] == base["groups"]["same-en"]  # kept: unchanged
    assert groups["same-zh"]["weights"] == [0.5, 0.0, -1.0] and groups["same-zh"]["threshold"] == 0.3
    merged = AnswerabilityModel.from_json({"features": names, "groups": groups})
    x = np.asarray([0.7, 123.0, -0.4])  # "b" is not read by the refitted group, whatever its value
    expected = 1 / (1 + np.exp(-(0.3 + 0.5 * (0.7 - 0.1) / 0.5 - 1.0 * (-0.4 - 0.2) / 1.5)))
    assert np.isclose(merged.groups["same-zh"].probability(x), expected)
    assert not np.isclose(merged.groups["same-en"].probability(x),
                          merged.groups["same-en"].probability(np.asarray([0.7, 0.0, -0.4])))  # negative: kept reads b


def test_generated_questions_are_asked_in_both_languages_and_miss_their_own_passage() -> None:
    from bench.answerability import policy_generated_half
    from bench.generated_questions import load, translations
    from bench.policy_questions import key

    contexts, items = policy_generated_half(held_out=True)
    passages = dict(contexts)
    by_qid = {it["qid"]: it for it in items}
    questions = {q["qid"]: q for q in load("heldout")}
    assert items and len(items) <= len(questions) + len(translations("heldout"))
    for it in items:
        source = questions[it["qid"][1:].removesuffix("-en").removesuffix("-zh")]  # "g<qid>", "g<qid>-<language>"
        assert it["paragraph"] in it["remove"] and it["answer_remove"] == []
        assert key(source["sentence"])[:12] in key(passages[it["paragraph"]])  # the asked sentence's own passage
        lang = source["lang"]
        assert it["direction"].endswith(f"→{lang}")  # evidence in the sentence's language
    translated = [it for it in items if it["qid"].endswith(("-en", "-zh"))]
    assert translated and all(by_qid[it["qid"][:-3]]["paragraph"] == it["paragraph"] for it in translated)
    assert all(it["direction"].split("→")[0] != it["direction"].split("→")[1] for it in translated)


def test_chinese_only_keeps_the_chinese_documents_passages_and_the_questions_they_answer() -> None:
    from bench.answerability import chinese_only, policy_removal_half
    from bench.policy_questions import questions

    contexts, items = policy_removal_half(held_out=True)
    kept, asked = chinese_only("heldout", contexts, items)
    owner = questions("heldout")[2]
    assert kept and all(owner[pid].endswith(".txt") for pid, _ in kept)  # corpus/'s documents
    assert len(kept) < len(contexts)  # the English documents' passages are gone
    ids = {pid for pid, _ in kept}
    assert asked and all(it["paragraph"] in ids and it["direction"] in ("zh→zh", "en→zh") for it in asked)
    left = [it for it in items if it not in asked]
    assert left and all(it["paragraph"] not in ids or not it["direction"].endswith("→zh") for it in left)  # negative
