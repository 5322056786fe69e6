"""Bilingual lexicon (CC-CEDICT + curated policy terms) used for cross-lingual sparse query expansion."""

from __future__ import annotations

import math
import re

import pytest

from rag.text.english import english_content_words, inflection_variants, normalize_en
from rag.text.lexicon import SUPPLEMENT_PATH, BilingualLexicon, clean_sense


@pytest.fixture(scope="module")
def lex() -> BilingualLexicon:
    return BilingualLexicon.load()


def test_load_is_cached_per_process(lex: BilingualLexicon) -> None:
    assert BilingualLexicon.load() is lex  # the same object: read once (its load time belongs to bench/)


@pytest.mark.parametrize(
    ("word", "plain"),
    [("agencies", "agency"), ("risks", "risk"), ("memoranda", "memorandum"), ("policies", "policy"),
     ("process", "process"), ("analysis", "analysis"), ("status", "status"), ("Safety", "safety")],
)
def test_normalize_en_plurals(word: str, plain: str) -> None:
    assert normalize_en(word) == plain


def test_english_content_words_drop_stop_words_and_expand_acronyms() -> None:
    assert english_content_words("What did the U.S. say about the risks?") == [["united", "state", "risk"]]
    assert english_content_words("AI safety, and the EU") == [["ai", "safety"], ["european", "union"]]


@pytest.mark.parametrize(
    ("sense", "glosses"),
    [
        ("CL:個|个[ge4]", []),
        ("variant of 備忘錄|备忘录[bei4 wang4 lu4]", []),
        ("abbr. for 全國人民代表大會|全国人民代表大会[Quan2 guo2 Ren2 min2 Dai4 biao3 Da4 hui4]", []),
        ("fine (monetary)", [["fine"]]),
        ("to govern", [["govern"]]),
        ("safe; secure", [["safe"], ["secure"]]),
        ("(military) forward position", [["forward", "position"]]),
        ("to fix (a date etc); see 定期[ding4 qi1]", [["fix"], ["see"]]),
    ],
)
def test_clean_sense(sense: str, glosses: list[list[str]]) -> None:
    assert clean_sense(sense) == glosses


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("security", "安全"),
        ("memorandum", "备忘录"),
        ("memoranda", "备忘录"),
        ("artificial intelligence", "人工智能"),
        ("fine", "罚款"),
        ("institute", "研究所"),
        ("agencies", "机构"),
        ("risks", "风险"),
        ("national security", "国家安全"),
        ("risk management", "风险管理"),
        ("US", "美国"),
    ],
)
def test_en_to_zh_top_translation(lex: BilingualLexicon, english: str, chinese: str) -> None:
    assert lex.en_to_zh([english])[english][0] == chinese


def test_en_to_zh_multiple_senses(lex: BilingualLexicon) -> None:
    out = lex.en_to_zh(["intelligence", "funding", "fine", "nonexistentword"])
    assert {"智能", "情报"} <= set(out["intelligence"])
    assert {"资金", "经费"} <= set(out["funding"])
    assert {"罚款", "罚金"} <= set(out["fine"])
    assert out["nonexistentword"] == []


def test_en_to_zh_is_simplified(lex: BilingualLexicon) -> None:
    assert lex.en_to_zh(["memorandum"])["memorandum"][0] != "備忘錄"
    assert "國家安全" not in lex.en_to_zh(["national security"])["national security"]


def test_zh_to_en(lex: BilingualLexicon) -> None:
    out = lex.zh_to_en(["国家安全", "研究所", "罚款", "学院", "人大", "不存在的词语"])
    assert out["国家安全"][:2] == ["national", "security"]
    assert "institute" in out["研究所"]
    assert "fine" in out["罚款"]
    assert out["不存在的词语"] == []
    assert "congress" in out["人大"]  # "abbr. for 全国人民代表大会" resolved to the full form's glosses
    for words in out.values():  # no pinyin, classifiers, Chinese or stop words leak into glosses
        assert all(re.fullmatch(r"[a-z0-9']+", w) and w not in {"cl", "of", "the", "abbr"} for w in words)


def test_expand_query_to_chinese(lex: BilingualLexicon) -> None:
    terms = dict(lex.expand_query("Do memoranda on national security cover artificial intelligence?", "zh"))
    assert {"人工智能", "国家安全", "备忘录"} <= set(terms)
    assert "情报" not in terms  # 'artificial intelligence' is matched as a phrase, not as 'intelligence'
    assert "国家安全备忘录" in dict(lex.expand_query("the AI national security memorandum", "zh"))  # longest first


def test_expand_query_vocabulary_filter_and_jieba_pieces(lex: BilingualLexicon) -> None:
    vocabulary = {"国家", "安全", "备忘", "备忘录", "风险"}
    expanded = lex.expand_query("national security memoranda on risks of frontier models", "zh", vocabulary)
    terms = [t for t, _ in expanded]
    assert set(terms) <= vocabulary
    # 国家安全 is not in the index vocabulary but all its search-mode pieces are
    assert {"国家", "安全", "备忘录", "风险"} <= set(terms)


def test_expand_query_weights_decrease_with_ambiguity(lex: BilingualLexicon) -> None:
    single = dict(lex.expand_query("memorandum", "zh", vocabulary={"备忘录"}))
    assert single == {"备忘录": pytest.approx(1.0)}
    double = dict(lex.expand_query("intelligence", "zh", vocabulary={"智能", "情报"}))
    assert set(double) == {"智能", "情报"}
    assert max(double.values()) <= 1 / math.sqrt(2) + 1e-9
    en_index = {"alpha": [("甲乙", 1.0)], "beta": [("丙丁", 1.0), ("戊己", 1.0), ("庚辛", 1.0)]}
    synthetic = BilingualLexicon(en_index, {})
    weights = dict(synthetic.expand_query("alpha beta", "zh"))
    assert weights["甲乙"] == pytest.approx(1.0)
    assert weights["丙丁"] == pytest.approx(1 / math.sqrt(3))


def test_expand_query_max_terms_per_word(lex: BilingualLexicon) -> None:
    assert len(lex.expand_query("summit", "zh", max_terms_per_word=1)) == 1
    assert len(lex.expand_query("summit", "zh", max_terms_per_word=3)) == 3


def _senses() -> BilingualLexicon:
    # 'body': five senses in dictionary order; only the fourth and fifth occur in the "index".
    return BilingualLexicon({"body": [("身体", 1.0), ("身子", 0.9), ("身上", 0.8), ("机构", 0.7), ("团体", 0.6)],
                             "rule": [("规则", 1.0), ("规定", 0.9)]}, {})


def test_attested_senses_are_preferred_within_the_pool() -> None:
    lex = _senses()
    attested = {"机构", "团体", "规定"}
    plain = dict(lex.expand_query("body", "zh"))
    assert set(plain) == {"身体", "身子", "身上"}  # the dictionary's first three
    chosen = dict(lex.expand_query("body", "zh", attested=attested, sense_pool=8))
    assert set(chosen) == {"机构", "团体"}
    assert chosen["机构"] == pytest.approx(1 / math.sqrt(2))  # relative to the best sense kept
    groups = lex.translation_groups("body rule", "zh", attested=attested, sense_pool=8)
    assert groups == [frozenset({"机构", "团体"}), frozenset({"规定"})]


def test_attested_senses_pool_bounds_the_search() -> None:
    lex = _senses()
    # with a pool of 3, 机构 (4th) is never considered: the dictionary's order stands
    assert set(dict(lex.expand_query("body", "zh", attested={"机构"}, sense_pool=3))) == {"身体", "身子", "身上"}
    # a pool of 4 reaches it
    assert set(dict(lex.expand_query("body", "zh", attested={"机构"}, sense_pool=4))) == {"机构"}


def test_no_attested_sense_keeps_the_dictionary_order() -> None:
    lex = _senses()
    assert lex.expand_query("body", "zh", attested={"其他"}, sense_pool=8) == lex.expand_query("body", "zh")
    assert lex.expand_query("body", "zh", attested=set(), sense_pool=0) == lex.expand_query("body", "zh")


def test_attested_senses_match_through_jieba_pieces(lex: BilingualLexicon) -> None:
    # 'memorandum' → 备忘录; an index holding only its search-mode pieces still attests it
    terms = dict(lex.expand_query("memorandum", "zh", attested={"备忘", "备忘录"}, sense_pool=8))
    assert "备忘录" in terms


def test_expand_query_to_english(lex: BilingualLexicon) -> None:
    words = [w for w, _ in lex.expand_query("国家安全备忘录", "en")]
    assert {"national", "security", "memorandum"} <= set(words) or {"nation", "security", "memorandum"} <= set(words)
    # the English index stores Snowball stems; candidates are matched in that form too
    stemmed = dict(lex.expand_query("国家安全备忘录", "en", vocabulary={"secur", "nation", "memorandum"}))
    assert set(stemmed) == {"secur", "nation", "memorandum"}


def test_expand_query_rejects_unknown_language(lex: BilingualLexicon) -> None:
    with pytest.raises(ValueError):
        lex.expand_query("security", "fr")


def test_supplement_is_small_and_well_formed() -> None:
    rows = [line for line in SUPPLEMENT_PATH.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    assert 0 < len(rows) <= 160  # hand-curated: it must stay a small supplement, not an answer key
    for row in rows:
        english, chinese = row.split("\t")
        assert re.fullmatch(r"[a-z][a-z -]*", english), row
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", term) for term in chinese.split(",")), row


def test_possessives_and_hyphens_split_into_plain_tokens() -> None:
    from rag.text.lexical import tokenize

    assert tokenize("Singapore's Institute's state-of-the-art") == ["singapor", "institut", "state", "art"]


def test_english_month_names_reach_chinese_dates(lex: BilingualLexicon) -> None:
    from rag.text.lexical import tokenize

    groups = lex.translation_groups("signed in April 2024", "zh")
    assert any(frozenset(tokenize("4月")) <= frozenset(t for term in g for t in tokenize(term)) for g in groups)
    assert "4月" in {term for g in groups for term in g}


def test_british_spellings_reach_the_american_glosses(lex: BilingualLexicon) -> None:
    assert "prioritize" in inflection_variants("prioritising")
    assert inflection_variants("labour") == ["labor"]
    assert "hour" not in inflection_variants("hour") and inflection_variants("hour") == []
    assert {t for t, _ in lex.candidates("organisation")} & {"组织", "机构"}


def test_chinese_words_are_looked_up_longest_dictionary_entry_first(lex: BilingualLexicon) -> None:
    from rag.text.lexicon import _chinese_keys

    # jieba cuts 研究 / 人员 and 栉 / 水母; the dictionary holds the compounds 研究人员 and 栉水母
    assert _chinese_keys("哪位研究人员首先使用氧气这个词", lex._zh)[:1] == ["研究人员"]
    assert "水母" not in _chinese_keys("球栉水母不是什么", lex._zh)  # 栉水母 'comb jellies', not 'jellyfish'
    assert _chinese_keys("高血压增加了什么？", lex._zh) == ["高血压", "增加"]  # one compound, not 高 + 血压
    # negative: words that spell no dictionary entry stay split; a word alone is unchanged
    assert _chinese_keys("血压增加了什么？", lex._zh) == ["血压", "增加"]
    assert _chinese_keys("血压", lex._zh) == ["血压"]
    # a word the dictionary lacks: its longest entries, not jieba's overlapping search pieces (陆地)
    assert _chinese_keys("内陆地区", lex._zh) == ["内陆", "地区"]


def test_english_multiword_entries_come_before_their_words(lex: BilingualLexicon) -> None:
    assert lex.translation_groups("What does high blood pressure increase?", "zh")[0] == frozenset({"高血压"})
    assert lex.translation_groups("national security", "zh")[0] >= {"国家安全"}
    # negative: a word of the phrase alone is not the phrase's translation
    assert "高血压" not in lex.translation_groups("What does blood increase?", "zh")[0]
