"""bench.language_means reads tune data only: XQuAD's tune paragraphs and questions, CMRC's trial set."""

from __future__ import annotations

from bench import language_means
from bench.xquad import DATA, TUNE_PARAGRAPHS, load


def test_only_the_tune_half_of_xquad_is_read() -> None:
    paragraphs, questions = language_means.xquad_tune("en")
    everything = load(DATA, "en")
    assert len(paragraphs) == TUNE_PARAGRAPHS < len(everything)
    held_out = {context for pid, context, _ in everything if int(pid[1:]) >= TUNE_PARAGRAPHS}
    assert held_out and not held_out & set(paragraphs)  # no held-out paragraph in the mean
    held_out_questions = {q for pid, _, qs in everything if int(pid[1:]) >= TUNE_PARAGRAPHS for _, q in qs}
    assert not held_out_questions & set(questions)
    assert len(questions) == sum(len(qs) for pid, _, qs in everything if int(pid[1:]) < TUNE_PARAGRAPHS)


def test_cmrc_is_read_from_its_trial_set_not_the_dev_set() -> None:
    import json

    from bench import common

    contexts, questions = language_means.cmrc_trial()
    dev = json.loads((common.SHARED / "bench/cmrc2018/cmrc2018_dev.json").read_text(encoding="utf-8"))
    dev_contexts = {p["context"] for a in dev["data"] for p in a["paragraphs"]}
    assert contexts and questions and not dev_contexts & set(contexts)
