"""bench.reader_train's warm start (``--init``): continued training starts from a trained reader's weights, each
fold reader from its own fold file, and a reader of another split is refused."""

from __future__ import annotations

import json

import pytest
import torch

from bench.reader_folds import FOLDS, fold_path

SPLIT = 11  # only the last layer and the heads are trainable: a small state to write and compare


@pytest.fixture(scope="module")
def net():
    from rag.answer.reader_net import build_net

    return build_net(SPLIT)[0]


def write_reader(net, path, shift: float, split: int = SPLIT) -> dict[str, torch.Tensor]:
    from safetensors.torch import save_file

    state = {k: (v + shift).to(torch.float16).contiguous() for k, v in net.trainable_state().items()}
    save_file(state, str(path))
    path.with_suffix(".json").write_text(json.dumps({"split": split, "sha256": "0" * 64}), encoding="utf-8")
    return state


def test_warm_start_loads_every_trainable_tensor(net, tmp_path) -> None:
    from bench.reader_train import warm_start

    before = {k: v.clone() for k, v in net.trainable_state().items()}
    state = write_reader(net, tmp_path / "r.safetensors", 0.5)
    warm_start(net, tmp_path / "r.safetensors", SPLIT)
    after = net.trainable_state()
    assert all(torch.equal(after[k], state[k].to(after[k].dtype)) for k in state)
    assert not any(torch.equal(after[k], before[k]) for k in state)  # negative: it did change them
    net.load_state_dict(before, strict=False)


def test_warm_start_refuses_a_reader_of_another_split(net, tmp_path) -> None:
    from bench.reader_train import warm_start

    write_reader(net, tmp_path / "r.safetensors", 0.5, split=6)
    with pytest.raises(SystemExit, match="--split 6"):
        warm_start(net, tmp_path / "r.safetensors", SPLIT)


def test_each_fold_reader_continues_from_its_own_fold_file(net, monkeypatch, tmp_path) -> None:
    import sys

    from bench import reader_train

    init = tmp_path / "init.safetensors"
    starts = [write_reader(net, fold_path(init, k), float(k + 1)) for k in range(FOLDS)]
    data = tmp_path / "train.jsonl"
    rows = [{"task": "question", "a": f"问题{i}？", "b": f"句子{i}。", "label": "answers", "pair": "zh/zh",
             "kind": "answer_sentence", "group": g} for i, g in enumerate(["xquad:p0000", "cmrc-dev:c0001"])]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    seen = []

    def fake_train(trained, trainable, states, rows, lengths, held_back, args, checkpoint):
        seen.append({k: v.detach().clone() for k, v in trained.trainable_state().items()})
        return []

    monkeypatch.setattr(reader_train, "train_net", fake_train)
    monkeypatch.setattr(reader_train, "save", lambda *a, **k: None)
    monkeypatch.setattr(sys, "argv", ["reader_train", "--data", str(data), "--out", str(tmp_path / "r.safetensors"),
                                      "--split", str(SPLIT), "--folds", str(FOLDS), "--init", str(init)])
    reader_train.main()
    assert len(seen) == FOLDS
    for fold, state in enumerate(seen):
        assert all(torch.equal(state[k], starts[fold][k].to(state[k].dtype)) for k in starts[fold])
        other = starts[(fold + 1) % FOLDS]["claim_head.weight"]
        assert not torch.equal(state["claim_head.weight"], other.to(state["claim_head.weight"].dtype))  # negative


def test_bf16_autocast_only_where_the_hardware_computes_in_bf16(net) -> None:
    from bench.reader_train import autocast_dtype, losses

    assert autocast_dtype("cuda") is torch.bfloat16
    assert autocast_dtype("cpu", "flags : fpu sse2 avx2 avx512f avx512_bf16") is torch.bfloat16
    assert autocast_dtype("cpu", "flags : fpu sse2 amx_bf16 amx_tile") is torch.bfloat16
    assert autocast_dtype("cpu", "flags : fpu sse2 avx2 avx512f") is None  # the negative: AVX-512 without BF16
    assert autocast_dtype("cpu", "") is None
    # either way a step reads the cached bf16 states: in fp32 they are widened, not refused
    states = [torch.randn(7, 384).to(torch.bfloat16), torch.randn(5, 384).to(torch.bfloat16)]
    rows = [{"task": "claim", "label": "entails"}, {"task": "question", "label": "answers"}]
    loss, predicted = losses(net, states, rows)
    assert torch.isfinite(loss) and len(predicted) == 2
