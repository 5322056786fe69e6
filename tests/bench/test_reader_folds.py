"""bench.reader_folds: whole units stay in one fold (an XQuAD article's paragraphs, the parallel policy
family), CMRC's trial articles are in none, the tune claims are dealt evenly; and a fold reader trained on
the rows of the other folds (``reader_train --folds``) never saw a row of its own fold."""

from __future__ import annotations

import json
from collections import Counter

from bench import claimset as cs
from bench.reader_folds import (
    CLAIMS_TUNE,
    FOLDS,
    fold_of,
    fold_path,
    fold_unit,
    xquad_articles,
)


def test_an_article_and_the_parallel_family_each_fall_in_one_fold() -> None:
    articles: dict[int, set[int]] = {}
    for paragraph, article in xquad_articles().items():
        articles.setdefault(article, set()).add(fold_of(f"xquad:p{paragraph:04d}"))
    assert len(articles) == 48 and all(len(folds) == 1 for folds in articles.values())
    # negative: the articles themselves are spread over every fold
    assert {next(iter(folds)) for folds in articles.values()} == set(range(FOLDS))
    parallel = {fold_of(name) for name in ("en04_us_nsm_ai_national_security_memorandum_2024-10-24.md",
                                           "en05_us_nsm_ai_factsheet_2024-10-24.md", cs.PARALLEL_ZH_DOC)}
    assert len(parallel) == 1
    assert fold_of("en01_us_eo14110_safe_secure_trustworthy_ai_2023-10-30.md") not in parallel


def test_trial_articles_are_in_no_fold_and_dev_articles_in_one() -> None:
    assert fold_unit("cmrc-trial:0003") is None and fold_of("cmrc-trial:0003") is None
    assert fold_of("cmrc-dev:c0004") in range(FOLDS)


def test_tune_claims_are_dealt_evenly() -> None:
    from bench.reader_folds import deal, fold_unit

    docs = [json.loads(line)["source_doc"] for line in CLAIMS_TUNE.read_text(encoding="utf-8").splitlines() if line]
    fresh = deal(CLAIMS_TUNE, FOLDS)
    counts = Counter(fresh.get(fold_unit(d)) for d in docs)
    assert set(counts) == set(range(FOLDS))
    assert max(counts.values()) - min(counts.values()) <= 0.05 * len(docs)
    # the pinned deal was made from fewer claims (session 21 added translations to three units): still within 10 %
    pinned = Counter(fold_of(d) for d in docs)
    assert set(pinned) == set(range(FOLDS)) and max(pinned.values()) - min(pinned.values()) <= 0.10 * len(docs)


def test_fold_paths_are_distinct_beside_the_base(tmp_path) -> None:
    base = tmp_path / "reader.safetensors"
    paths = [fold_path(base, i) for i in range(FOLDS)]
    assert len(set(paths)) == FOLDS and all(p.parent == tmp_path and p.suffix == ".safetensors" for p in paths)


def test_each_fold_reader_is_trained_without_its_fold_and_from_the_same_start(monkeypatch, tmp_path) -> None:
    import sys

    import torch

    from bench import reader_train

    data = tmp_path / "train.jsonl"
    groups = ["xquad:p0000", "xquad:p0050", "cmrc-dev:c0001", "cmrc-dev:c0002", "cmrc-trial:0001",
              cs.PARALLEL_ZH_DOC, "en01_us_eo14110_safe_secure_trustworthy_ai_2023-10-30.md"]
    rows = [{"task": "question", "a": f"问题{i}？", "b": f"句子{i}。", "label": "answers", "pair": "zh/zh",
             "kind": "answer_sentence", "group": g} for i, g in enumerate(groups)]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    seen: list[tuple[list[bool], dict[str, torch.Tensor]]] = []

    def fake_train(net, trainable, states, rows, lengths, held_back, args, checkpoint):
        seen.append((held_back, {k: v.detach().clone() for k, v in net.trainable_state().items()}))
        with torch.no_grad():
            for p in trainable:
                p.add_(1.0)  # what training would change: the next fold must start from the original
        return []

    monkeypatch.setattr(reader_train, "train_net", fake_train)
    monkeypatch.setattr(reader_train, "save", lambda *a, **k: None)
    monkeypatch.setattr(sys, "argv", ["reader_train", "--data", str(data), "--out", str(tmp_path / "r.safetensors"),
                                      "--split", "11", "--folds", str(FOLDS)])
    reader_train.main()
    assert len(seen) == FOLDS
    for fold, (held_back, start) in enumerate(seen):
        assert held_back == [fold_of(g) == fold for g in groups]
        assert start.keys() == seen[0][1].keys() and all(torch.equal(v, seen[0][1][k]) for k, v in start.items())
    assert not any(held for held_back, _ in seen for held, g in zip(held_back, groups) if g.startswith("cmrc-trial"))
    # negative: every row is held back by exactly one fold, except the trial article's (trained on by all)
    assert [sum(h[i] for h, _ in seen) for i in range(len(groups))] == [0 if g.startswith("cmrc-trial") else 1 for g in groups]


def test_the_deal_is_pinned_and_does_not_follow_the_claim_file(monkeypatch, tmp_path) -> None:
    import bench.reader_folds as rf

    pinned = json.loads(rf.DEAL.read_text(encoding="utf-8"))["units"]
    assert rf.dealt_units(FOLDS) == pinned
    # a claim file with many more claims of one unit deals that unit anew, but the folds do not move
    extra = tmp_path / "tune.jsonl"
    lines = CLAIMS_TUNE.read_text(encoding="utf-8").splitlines()
    unit = min(pinned, key=lambda u: (sum(f == pinned[u] for f in pinned.values()), u))
    extra.write_text("\n".join(lines + [json.dumps({"source_doc": unit})] * 5000) + "\n", encoding="utf-8")
    assert rf.deal(extra, FOLDS) != pinned  # negative: dealt from the file, the deal changes
    monkeypatch.setattr(rf, "CLAIMS_TUNE", extra)
    rf.dealt_units.cache_clear()
    try:
        assert rf.dealt_units(FOLDS) == pinned and fold_of(unit) == pinned[unit]
    finally:
        rf.dealt_units.cache_clear()
