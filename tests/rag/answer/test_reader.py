"""rag.answer.reader: the split forward equals the encoder's own, what ships is what trains, a damaged or
missing weights file turns the reader off, and the shipped reader reads a changed figure as a contradiction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from rag.answer.reader import (
    CARD,
    CLAIM_LABELS,
    WEIGHTS,
    Reader,
    ReaderNet,
    build_net,
    load_reader,
    pair_ids,
    sha256,
)


@pytest.fixture(scope="module")
def net_and_tokenizer() -> tuple[ReaderNet, object]:
    torch.manual_seed(0)
    net, tokenizer = build_net(8)
    return net.eval(), tokenizer


def test_split_forward_equals_the_encoders_forward(net_and_tokenizer) -> None:
    net, tokenizer = net_and_tokenizer
    batch = tokenizer.pad([pair_ids(tokenizer, "英国研究所获得多少资金？", "初始资金1亿英镑。"),
                           pair_ids(tokenizer, "How much funding?", "It received 100 million pounds of initial funding.")])
    with torch.inference_mode():
        ours = net.encoder.encoder.layer[net.split:]
        hidden = net.lower(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
        mask = net.additive_mask(batch["attention_mask"], hidden.dtype)
        for layer in ours:
            hidden = layer(hidden, mask)
        reference = net.encoder(**batch).last_hidden_state
    valid = batch["attention_mask"].bool()
    assert torch.allclose(hidden[valid], reference[valid], atol=1e-4)
    # negative: without the padding mask the shorter row's tokens change
    with torch.inference_mode():
        unmasked = net.lower(batch["input_ids"], torch.ones_like(batch["attention_mask"]), batch["position_ids"])
        masked = net.lower(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
    short = int(batch["attention_mask"].sum(1).argmin())
    n = int(batch["attention_mask"][short].sum())
    assert not torch.allclose(unmasked[short, :n], masked[short, :n], atol=1e-4)


def test_only_the_layers_above_the_split_and_the_heads_ship(net_and_tokenizer) -> None:
    net, _ = net_and_tokenizer
    keys = set(net.trainable_state())
    assert any(k.startswith("encoder.encoder.layer.8.") for k in keys)
    assert any(k.startswith("encoder.encoder.layer.11.") for k in keys)
    assert {k for k in keys if k.startswith(("claim_head", "question_head"))} == {
        "claim_head.weight", "claim_head.bias", "question_head.weight", "question_head.bias"}
    assert not any(k.startswith(("encoder.encoder.layer.7.", "encoder.embeddings")) for k in keys)


def test_pair_input_is_query_then_passage(net_and_tokenizer) -> None:
    _, tokenizer = net_and_tokenizer
    ids = pair_ids(tokenizer, "claim", "sentence")
    assert ids == tokenizer.encode_pair("query: claim", "passage: sentence", 128)
    assert len(pair_ids(tokenizer, "word " * 300, "другой " * 300)) == 128  # cut to what it was trained on


def _write(net: ReaderNet, folder: Path, split: int, corrupt: bool = False) -> tuple[Path, Path]:
    from safetensors.torch import save_file

    weights, card = folder / "reader.safetensors", folder / "reader.json"
    save_file({k: v.half().contiguous() for k, v in net.trainable_state().items()}, str(weights))
    card.write_text(json.dumps({"split": split, "sha256": sha256(weights)}), encoding="utf-8")
    if corrupt:
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF
        weights.write_bytes(bytes(data))
    return weights, card


def test_weights_load_and_a_damaged_file_turns_the_reader_off(net_and_tokenizer, tmp_path: Path) -> None:
    net, _ = net_and_tokenizer
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    reader = load_reader(*_write(net, good, 8))
    assert isinstance(reader, Reader)
    scores = reader.claims("a claim", ["one sentence", "another"])
    assert len(scores) == 2 and set(scores[0]) == set(CLAIM_LABELS)
    assert abs(sum(scores[0].values()) - 1.0) < 1e-5
    assert reader.claims("a claim", []) == []
    assert load_reader(*_write(net, bad, 8, corrupt=True)) is None
    assert load_reader(tmp_path / "missing.safetensors", tmp_path / "missing.json") is None


def _shipped() -> Reader:
    if not WEIGHTS.exists() or not CARD.exists():
        pytest.fail("rag/data/reader.safetensors or its card is missing: train it with python -m bench.reader_train")
    reader = load_reader()
    assert reader is not None, "the shipped reader did not load (SHA-256 mismatch?)"
    return reader


FUNDING = "英国人工智能安全研究所成立于2023年11月，获得初始资金1亿英镑。"
ELSEWHERE = "欧盟人工智能办公室于2024年2月成立，隶属于欧盟委员会。"


@pytest.mark.slow
@pytest.mark.parametrize("question", ["英国人工智能安全研究所获得了多少初始资金？",
                                      "How much initial funding did the UK AI Safety Institute get?"])
def test_shipped_reader_tells_the_answering_sentence_from_another(question: str) -> None:
    answering, other = _shipped().questions(question, [FUNDING, ELSEWHERE])
    assert answering["answers"] > 0.5 > other["answers"], (answering, other)


@pytest.mark.slow
def test_shipped_reader_finds_nothing_said_of_an_unrelated_claim() -> None:
    scores = _shipped().claims("The institute was founded in November 2023 in Paris by the OECD.", [ELSEWHERE])[0]
    assert scores["neutral"] > max(scores["entails"], scores["contradicts"]), scores


@pytest.mark.slow
@pytest.mark.parametrize("claim, expected", [
    ("英国人工智能安全研究所获得了1亿英镑的初始资金。", "entails"),
    ("英国人工智能安全研究所获得了5亿英镑的初始资金。", "contradicts"),  # the negative beside it
])
def test_shipped_reader_reads_a_changed_figure_in_chinese(claim: str, expected: str) -> None:
    scores = _shipped().claims(claim, [FUNDING])[0]
    other = "contradicts" if expected == "entails" else "entails"
    assert scores[expected] > scores[other], scores


# What the reader alone does not read (2026-12-03, rag/data/reader.json): the English claim against the
# Chinese sentence reads as "neutral" (0.90). The slot comparison reads the figure; the claim model weighs
# both. Strict: when a retrained reader reads it, this passes and must be moved up.
@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="the reader does not read this figure across languages (see the comment above)")
def test_shipped_reader_reads_a_restated_figure_across_languages() -> None:
    scores = _shipped().claims("The UK AI Safety Institute received 100 million pounds of initial funding.", [FUNDING])[0]
    assert scores["entails"] > scores["contradicts"], scores
