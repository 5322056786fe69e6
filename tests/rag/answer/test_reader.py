"""rag.answer.reader (numpy) and rag.answer.reader_net (its PyTorch twin, for training): the split forward
equals the encoder's own, what ships is what trains, a damaged or missing weights file turns the reader off,
the numpy reader gives the PyTorch net's probabilities (float32: ≤ 1e-3; the bf16 path it was trained and
fitted with: within a stated bound) without importing torch, and the shipped reader reads a changed figure
as a contradiction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import rag.encoder.e5_file as e5_file_module
from rag.answer.reader import (
    CARD,
    CLAIM_LABELS,
    QUESTION_LABELS,
    WEIGHTS,
    Reader,
    cross_language_figures,
    load_reader,
    pair_ids,
    sha256,
)
from rag.answer.reader_net import ReaderNet, build_net
from rag.encoder.model import tensors

PROJECT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def net_and_tokenizer() -> tuple[ReaderNet, object]:
    torch.manual_seed(0)
    net, tokenizer = build_net(8)
    with torch.no_grad():  # what ships is fp16: make the trained part fp16-exact, so the file holds this very net
        for tensor in net.trainable_state().values():
            tensor.copy_(tensor.half().float())
    return net.eval(), tokenizer


def test_split_forward_equals_the_encoders_forward(net_and_tokenizer) -> None:
    net, tokenizer = net_and_tokenizer
    batch = tensors(tokenizer.pad([pair_ids(tokenizer, "英国研究所获得多少资金？", "初始资金1亿英镑。"),
                                   pair_ids(tokenizer, "How much funding?", "It received 100 million pounds of initial funding.")]))
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


def _write(net: ReaderNet, folder: Path, split: int, corrupt: bool = False, drop: str = "") -> tuple[Path, Path]:
    from safetensors.torch import save_file

    weights, card = folder / "reader.safetensors", folder / "reader.json"
    save_file({k: v.half().contiguous() for k, v in net.trainable_state().items() if k != drop}, str(weights))
    card.write_text(json.dumps({"split": split, "sha256": sha256(weights)}), encoding="utf-8")
    if corrupt:
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF
        weights.write_bytes(bytes(data))
    return weights, card


def test_weights_load_and_a_damaged_file_turns_the_reader_off(net_and_tokenizer, tmp_path: Path) -> None:
    net, tokenizer = net_and_tokenizer
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    reader = load_reader(*_write(net, good, 8))
    assert isinstance(reader, Reader)
    scores = reader.claims("a claim", ["one sentence", "another"])
    assert len(scores) == 2 and set(scores[0]) == set(CLAIM_LABELS)
    assert abs(sum(scores[0].values()) - 1.0) < 1e-5
    assert reader.claims("a claim", []) == []
    # the numpy reader reads what was written (split 8 here): the net's own float32 probabilities
    theirs = torch_probabilities(net, tokenizer, "a claim", ["one sentence", "another"], "claim", bf16=False)
    assert np.abs(as_matrix(scores, CLAIM_LABELS) - theirs).max() <= PARITY
    assert load_reader(*_write(net, bad, 8, corrupt=True)) is None
    assert load_reader(tmp_path / "missing.safetensors", tmp_path / "missing.json") is None
    lacking = tmp_path / "lacking"
    lacking.mkdir()
    assert load_reader(*_write(net, lacking, 8, drop="encoder.encoder.layer.9.output.dense.bias")) is None


PARITY = 1e-3  # numpy float32 against ReaderNet float32, probabilities
# Training runs the upper layers in bf16 autocast; the numpy reader (and the answerability and claim models,
# fitted on its outputs) runs them in float32, which moves these pairs' probabilities by at most this (reader v5,
# ten trained layers, not shipped: 0.028).
BF16_BOUND = 0.02

QUESTIONS = [
    ("英国人工智能安全研究所获得了多少初始资金？", [
        "英国人工智能安全研究所成立于2023年11月，获得初始资金1亿英镑。", "欧盟人工智能办公室于2024年2月成立，隶属于欧盟委员会。",
        "The UK AI Safety Institute received 100 million pounds of initial funding.", "资金。", "研究所的主要职能包括评估先进人工智能模型的安全性。"]),
    ("How much initial funding did the UK AI Safety Institute get?", [
        "英国人工智能安全研究所成立于2023年11月，获得初始资金1亿英镑。", "It was founded in November 2023.",
        "The institute received £100 million in initial funding from the government.", "欧盟人工智能办公室隶属于欧盟委员会。",
        "Funding for the AI Office (人工智能办公室) comes from the Digital Europe programme."]),
    ("Who leads the EU AI Office?", [
        "Lucilla Sioli heads the AI Office.", "欧盟人工智能办公室由Lucilla Sioli领导。", "The AI Act entered into force on 1 August 2024.",
        "人工智能法案于2024年8月1日生效，分阶段适用。", "x"]),
    ("社会保险缴费基数如何确定？", [
        "缴费基数按照职工上一年度月平均工资确定。", "The contribution base is the employee's average monthly wage of the previous year.",
        "社会保险包括养老、医疗、失业、工伤和生育保险。", "本办法自2024年1月1日起施行。", "Employers pay 16% for pension insurance."]),
]
CLAIMS = [
    ("英国人工智能安全研究所获得了1亿英镑的初始资金。", QUESTIONS[0][1]),
    ("The UK AI Safety Institute received 500 million pounds of initial funding.", QUESTIONS[1][1]),
    ("The EU AI Office was set up in 2024 by the OECD in Paris.", QUESTIONS[2][1]),
    ("缴费基数按照职工本年度月平均工资的60%确定。", QUESTIONS[3][1]),
]


def as_matrix(scores: list[dict[str, float]], labels: tuple[str, ...]) -> np.ndarray:
    return np.array([[row[label] for label in labels] for row in scores])


def torch_probabilities(net: ReaderNet, tokenizer, first: str, sentences: list[str], task: str, bf16: bool) -> np.ndarray:
    """The PyTorch path: the shipped one (before the numpy reader) with ``bf16``, plain float32 without."""
    pairs = [cross_language_figures(first, s) if task == "claim" else (first, s) for s in sentences]
    batch = tensors(tokenizer.pad([pair_ids(tokenizer, a, b) for a, b in pairs]))
    with torch.inference_mode():
        hidden = net.lower(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
        if bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                claim, question = net.upper(hidden.to(torch.bfloat16), batch["attention_mask"])
        else:
            claim, question = net.upper(hidden, batch["attention_mask"])
    return (claim if task == "claim" else question).float().softmax(-1).numpy()


def largest_gap(reader: Reader, net: ReaderNet, tokenizer, bf16: bool) -> float:
    """Max |Δ probability| between the numpy reader and the PyTorch net over the 20 question and 20 claim pairs."""
    gaps = []
    for task, items, labels in (("question", QUESTIONS, QUESTION_LABELS), ("claim", CLAIMS, CLAIM_LABELS)):
        for first, sentences in items:
            ours = as_matrix((reader.questions if task == "question" else reader.claims)(first, sentences), labels)
            gaps.append(np.abs(ours - torch_probabilities(net, tokenizer, first, sentences, task, bf16)).max())
    return float(max(gaps))


@pytest.fixture(scope="module")
def shipped_net() -> tuple[ReaderNet, object]:
    """The shipped weights in the PyTorch net (float32 parameters, as the torch reader loaded them)."""
    from safetensors.torch import load_file

    net, tokenizer = build_net(int(json.loads(CARD.read_text(encoding="utf-8"))["split"]))
    net.load_state_dict({k: v.float() for k, v in load_file(str(WEIGHTS)).items()}, strict=False)
    return net.eval(), tokenizer


def test_numpy_reader_gives_the_pytorch_nets_probabilities(shipped_net) -> None:
    assert sum(len(s) for _, s in QUESTIONS) == sum(len(s) for _, s in CLAIMS) == 20
    assert largest_gap(_shipped(), *shipped_net, bf16=False) <= PARITY


def test_positions_off_by_one_break_the_parity(shipped_net, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative: the numpy reader with position ids one higher than the tokenizer's."""
    reader = _shipped()
    right = reader.encoder
    monkeypatch.setattr(reader, "encoder", lambda ids, mask, positions: right(ids, mask, positions + 1))
    assert largest_gap(reader, *shipped_net, bf16=False) > 10 * PARITY


def test_wrong_nibble_order_on_demand_breaks_the_parity(shipped_net, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative: the word rows read on demand with the other nibble order (byte j -> weights 2j, 2j+1)."""
    reader = _shipped()
    right = e5_file_module.dequantize_q4_0

    def interleaved(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
        return right(raw, rows, cols).reshape(-1, 2, 16).transpose(0, 2, 1).reshape(rows, cols)

    monkeypatch.setattr(e5_file_module, "dequantize_q4_0", interleaved)
    assert largest_gap(reader, *shipped_net, bf16=False) > 10 * PARITY


def test_numpy_reader_against_the_bf16_path_it_replaces(shipped_net) -> None:
    """float32 instead of bf16 in the upper layers: a bounded move, larger than float32's own (PARITY)."""
    gap = largest_gap(_shipped(), *shipped_net, bf16=True)
    assert PARITY < gap <= BF16_BOUND


def test_the_reader_runs_without_importing_torch() -> None:
    probe = ("import sys, rag.answer.reader as r{extra}; s = r.load_reader().questions('Who leads it?', ['She does.', 'x']);"
             " assert len(s) == 2; print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")

    def heavy_modules(extra: str = "") -> str:
        run = subprocess.run([sys.executable, "-c", probe.format(extra=extra)], cwd=PROJECT, capture_output=True,
                             text=True, env={"PYTHONPATH": str(PROJECT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert heavy_modules() == "[]"
    assert heavy_modules(", rag.answer.reader_net") == "['torch']"  # negative: the training net does import it


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


# Reader v5 read the digits across languages: "100 million pounds" against 1亿英镑 contradicted, "1 billion"
# entailed. Each amount with a scale word is now glossed in the other language before the reader reads a pair
# across languages (``cross_language_figures``); the figure changed beside the figure restated.
@pytest.mark.slow
@pytest.mark.parametrize("claim, expected", [
    ("The UK AI Safety Institute received 100 million pounds of initial funding.", "entails"),
    ("The UK AI Safety Institute received 1 billion pounds of initial funding.", "contradicts"),
])
def test_shipped_reader_reads_a_restated_figure_across_languages(claim: str, expected: str) -> None:
    scores = _shipped().claims(claim, [FUNDING])[0]
    other = "contradicts" if expected == "entails" else "entails"
    assert scores[expected] > scores[other], scores


def test_amounts_are_glossed_only_across_languages() -> None:
    claim, sentence = cross_language_figures("It received 100 million pounds.", "获得初始资金1亿英镑。")
    assert (claim, sentence) == ("It received 100 million (1亿) pounds.", "获得初始资金1亿（100 million）英镑。")
    # negative: a pair in one language is read as written
    assert cross_language_figures("获得了5亿英镑。", "获得初始资金1亿英镑。") == ("获得了5亿英镑。", "获得初始资金1亿英镑。")
    assert cross_language_figures("It got 1 billion.", "It got 100 million.") == ("It got 1 billion.", "It got 100 million.")
