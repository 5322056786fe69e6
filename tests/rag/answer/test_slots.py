"""rag/answer/slots.py: claims compared with their evidence by content (amounts, dates, names, stances…), not only
by similarity, within one language and across Chinese and English. Each positive case sits beside a negative."""

from __future__ import annotations

import ast
import dataclasses
import sys
from pathlib import Path

import pytest

from rag.answer import slots as slots_module
from rag.answer.slot_text import describe
from rag.answer.slot_types import COMPARED, Slot
from rag.answer.slots import compare_slots, extract_slots


def found(text: str, kind: str) -> list[tuple[object, str]]:
    return [(s.value, s.unit) for s in extract_slots(text) if s.kind == kind]


def diff_kinds(claim: str, evidence: str) -> list[str]:
    return [d.kind for d in compare_slots(claim, evidence).differences]


# --- extraction -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("初始资金1亿英镑", [(1e8, "GBP")]),
    ("100 million pounds of initial funding", [(1e8, "GBP")]),
    ("初始资⾦1亿英镑", [(1e8, "GBP")]),  # PDF text: Kangxi radical ⾦
    ("£100m", [(1e8, "GBP")]),
    ("5000万加元", [(5e7, "CAD")]),
    ("C$50 million", [(5e7, "CAD")]),
    ("五千万美元", [(5e7, "USD")]),
    ("US$2.5 billion", [(2.5e9, "USD")]),
    ("1.5亿元", [(1.5e8, "CNY")]),
    ("两千人", [(2000.0, "person")]),
    ("56个国家", [(56.0, "country")]),
    ("56 countries", [(56.0, "country")]),
    ("ten members", [(10.0, "member")]),
    ("3家公司", [(3.0, "company")]),
    ("16 leading AI companies", [(16.0, "company")]),
    ("90天内", [(90.0, "day")]),
    ("within 90 days", [(90.0, "day")]),
    ("a 90-day review", [(90.0, "day")]),
    ("3个月", [(3.0, "month")]),
    ("six months", [(6.0, "month")]),
    ("为期十年的暂停期", [(10.0, "year")]),
    ("two years", [(2.0, "year")]),
    ("50%", [(50.0, "%")]),
    ("百分之五十", [(50.0, "%")]),
    ("a dozen countries", [(12.0, "country")]),
    ("another 100 km farther west", [(100.0, "km")]),
    ("又西迁了200公里", [(200.0, "km")]),
    ("a 21-acre (8.5 ha) campus 3.3 miles away", [(21.0, "acre"), (8.5, "hectare"), (3.3, "mile")]),
    ("占地21英亩（8.5公顷），距市区3.3英里", [(21.0, "acre"), (8.5, "hectare"), (3.3, "mile")]),
    ("12平方公里", [(12.0, "km2")]),
    ("50 tonnes of steel", [(50.0, "tonne")]),
])
def test_quantities_are_normalised_across_languages(text: str, expected: list[tuple[object, str]]) -> None:
    assert found(text, "quantity") == expected


@pytest.mark.parametrize("text, expected", [
    ("in 2024", []),  # a year is a date, not a quantity
    ("in 2 years", [(2.0, "year")]),
    ("2024年", []),
    ("2年", [(2.0, "year")]),
    ("英国和美国31。", []),  # footnote digits glued to Chinese text
    ("英国和美国31个", [(31.0, "count")]),
    ("Section 4.2 applies", []),
    ("4.2 percent applies", [(4.2, "%")]),
    ("第二章", []),
    ("二个月", [(2.0, "month")]),
    ("2.2人工智能安全研究所", []),  # a heading number before 人工智能
    ("22人", [(22.0, "person")]),
    ("七国集团", []),
    ("七国", [(7.0, "country")]),
    ("G7 leaders", []),
    ("In 2024 elections were held", []),  # a year before a noun is a year
    ("one of the leaders", []),  # "one" is as often "a"
    ("一次会议", []),
    ("5m", []),  # "m" is a million only after a currency
    ("$5m", [(5e6, "USD")]),
    ("于1774年命名", []),  # an earlier year with 年 is a date too
    ("it lasted 1500 years", [(1500.0, "year")]),  # in English a span, unless a preposition says "in 1500"
])
def test_bare_numbers_are_not_quantities(text: str, expected: list[tuple[object, str]]) -> None:
    assert found(text, "quantity") == expected


@pytest.mark.parametrize("text, expected", [
    ("2024年2月", (2024, 2, None)),
    ("February 2024", (2024, 2, None)),
    ("Feb. 2024", (2024, 2, None)),
    ("2023年11月1日", (2023, 11, 1)),
    ("November 1, 2023", (2023, 11, 1)),
    ("1 November 2023", (2023, 11, 1)),
    ("2024-11-20", (2024, 11, 20)),
    ("in 2024", (2024, None, None)),
    ("2024年", (2024, None, None)),
    ("氧气的名称是由拉瓦锡于1774年命名的", (1774, None, None)),  # an earlier year with 年: a year, not 1774 years
    ("The name oxygen was coined in 1777 by Lavoisier", (1777, None, None)),  # after a preposition
    ("In 1521, Luther widened his target", (1521, None, None)),
    ("May 1521", (1521, 5, None)),
])
def test_dates_are_normalised(text: str, expected: tuple[int | None, ...]) -> None:
    assert found(text, "date") == [(expected, "")]


@pytest.mark.parametrize("text, expected", [
    ("Italy", [("it", "country")]),
    ("意大利", [("it", "country")]),
    ("Britain and the UK", [("uk", "country"), ("uk", "country")]),
    ("英国", [("uk", "country")]),
    ("美国国家标准与技术研究院", [("nist", "org")]),  # not 美国 + …
    ("NIST", [("nist", "org")]),
    ("人工智能安全研究所", [("aisi", "org")]),
    ("AI Safety Institute", [("aisi", "org")]),
    ("旧金山", [("san_francisco", "city")]),
    ("San Francisco", [("san_francisco", "city")]),
    ("七国集团", [("g7", "org")]),
    ("the G7", [("g7", "org")]),
    ("the US", [("us", "country")]),
    ("let us", []),  # short names are case-sensitive
])
def test_entities_share_one_id_across_languages(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, "entity") == expected


@pytest.mark.parametrize("text, negated", [
    ("人工智能技术没有发展", True),
    ("人工智能技术不断发展", False),
    ("该法并未生效", True),
    ("未来该法将生效", False),
    ("该法不适用于开源模型", True),
    ("该法不仅适用于开源模型", False),
    ("The law did not pass", True),
    ("The law not only passed", False),
    ("The law doesn't apply", True),
    ("The law applies", False),
    ("无人机无法飞行", True),
    ("无论如何", False),
    ("瘟疫一再袭击北非的城市", False),  # 北非 (North Africa), 非裔 (African-): no negation
    ("他是非裔美国人", False),
    ("这并非北方的城市", True),  # the negative beside them
])
def test_negation_cues(text: str, negated: bool) -> None:
    assert bool(found(text, "negation")) is negated


@pytest.mark.parametrize("text, expected", [
    ("开发者承担责任", [(1, "bear")]),
    ("开发者不承担责任", [(-1, "bear")]),  # the negation is part of the stance, not a separate slot
    ("Anthropic supports a moratorium", [(1, "support")]),
    ("Anthropic opposes a moratorium", [(-1, "support")]),
    ("Anthropic does not support a moratorium", [(-1, "support")]),
    ("Anthropic反对暂停", [(-1, "support")]),
    ("Italy is a member", [(1, "member")]),
    ("该网络缺少了意大利", [(-1, "member")]),
    ("mandatory reporting", [(1, "mandatory")]),
    ("自愿承诺", [(-1, "mandatory")]),
])
def test_stances_have_a_polarity(text: str, expected: list[tuple[int, str]]) -> None:
    assert found(text, "stance") == expected
    assert found(text, "negation") == []


@pytest.mark.parametrize("text, kind, expected", [
    ("所有成员", "quantifier", [("all", "")]),
    ("部分成员", "quantifier", [("some", "")]),
    ("all members", "quantifier", [("all", "")]),
    ("some members", "quantifier", [("some", "")]),
    ("only the UK", "quantifier", [("only", "")]),
    ("仅英国", "quantifier", [("only", "")]),
    ("many functions", "quantifier", [("many", "amount")]),
    ("需要少量先进的芯片", "quantifier", [("few", "amount")]),
    ("a few functions", "quantifier", [("some", "")]),  # "a few" is some, not few
    ("for at least the next 5 years", "quantifier", [("least", "bound")]),
    ("不超过5年", "quantifier", [("most", "bound")]),
    ("the first law", "ordinal", [(1, "")]),
    ("全球首部立法", "ordinal", [(1, "")]),
    ("第二次会议", "ordinal", [(2, "")]),
    ("第二章", "ordinal", []),  # a chapter number, not an ordinal claim
    ("一直营业到第二次世界大战", "ordinal", []),  # a war's name ("World War II")
    ("第二次世界冠军", "ordinal", [(2, "")]),  # the negative beside it: only the war is a name
    ("联邦能源办公室首任主任", "ordinal", [(1, "")]),  # 首任: the first to hold the post
    ("头两条高速公路", "ordinal", [(1, "")]),  # the first two
    ("头部企业", "ordinal", []),  # the negative beside it: 头 before no count
    ("最近的创新不仅刺激了整个社会", "quantifier", []),  # "not only … but also" restricts nothing
    ("不仅仅是技术问题", "quantifier", []),
    ("innovations have not only stimulated", "quantifier", []),
    ("仅仅是技术问题", "quantifier", [("only", "")]),  # the negatives beside them
    ("只有英国", "quantifier", [("only", "")]),
    ("均为其前一时间线的子部分", "quantifier", []),  # a subsection, not "some"
    ("另一部分来源于希腊语", "quantifier", []),  # "the other part"
    ("一部分成员反对", "quantifier", [("some", "")]),
])
def test_quantifiers_and_ordinals(text: str, kind: str, expected: list[tuple[object, str]]) -> None:
    assert found(text, kind) == expected


@pytest.mark.parametrize("claim, evidence, differs", [
    ("开发先进的人工智能系统需要少量先进的芯片。", "Developing advanced AI systems requires many advanced chips.", True),
    ("开发先进的人工智能系统需要大量先进的芯片。", "Developing advanced AI systems requires many advanced chips.", False),
    ("annually for at most the next 5 years", "annually for at least the next 5 years", True),
    ("每年一次，至少持续5年", "annually for at least the next 5 years", False),
])
def test_amount_and_bound_quantifiers_are_compared_on_their_own_axis(claim: str, evidence: str, differs: bool) -> None:
    assert bool(compare_slots(claim, evidence).features()["diff_quantifier"]) is differs


@pytest.mark.parametrize("claim, evidence, differs", [
    ("只有少数学者支持这一观点。", "Many scholars support this view.", True),
    ("只有少数学者支持这一观点。", "Few scholars support this view.", False),
    ("The majority of members voted for it.", "很少成员投了赞成票。", True),
    ("The majority of members voted for it.", "许多成员投了赞成票。", False),
])
def test_proportion_and_amount_are_one_scale_when_the_evidence_has_only_the_other(claim: str, evidence: str,
                                                                                differs: bool) -> None:
    assert any(d.kind == "quantifier" for d in compare_slots(claim, evidence).differences) == differs


@pytest.mark.parametrize("claim, evidence, differs", [
    ("Fresno is the smallest U.S. city not linked to an Interstate.", "弗雷斯诺是美国没有连接州际高速的最大的城市。", True),
    ("Fresno is the largest U.S. city not linked to an Interstate.", "弗雷斯诺是美国没有连接州际高速的最大的城市。", False),
    ("The price decreases changed competitive positions.", "价格上涨改变了许多行业的竞争地位。", True),
    ("The price increases changed competitive positions.", "价格上涨改变了许多行业的竞争地位。", False),
    ("Mercenaries were discouraged by the Lombards to come south.", "雇佣兵受到伦巴第人的鼓励，来到南部。", True),
    ("Mercenaries were encouraged by the Lombards to come south.", "雇佣兵受到伦巴第人的鼓励，来到南部。", False),
    ("They lost the national championship in 1946.", "他们还夺得了 1946 年的全国冠军。", True),
    ("They won the national championship in 1946.", "他们还夺得了 1946 年的全国冠军。", False),
    ("速度较低时涡轮机效率才高。", "Turbines are efficient only at relatively high speed, at higher speeds.", True),
    ("Small member states have a disadvantage in the Parliament.", "小会员国在议会中有优势。", True),
    ("Small member states have an advantage in the Parliament.", "小会员国在议会中有优势。", False),
])
def test_polar_words_are_compared_across_languages(claim: str, evidence: str, differs: bool) -> None:
    assert bool(compare_slots(claim, evidence).features()["diff_stance"]) is differs


@pytest.mark.parametrize("claim, evidence, differs", [
    # improve / weaken, and against the increase axis when the evidence has only that ("提高安全性")
    ("The plan weakens oversight of data use.", "该计划加强对数据使用的监管。", True),
    ("The plan strengthens oversight of data use.", "该计划加强对数据使用的监管。", False),
    ("The measures degrade the security of the supply chain.", "这些措施提高供应链的安全性。", True),
    ("The measures improve the security of the supply chain.", "这些措施提高供应链的安全性。", False),
    # promote / impede, and against the encourage axis
    ("The framework impedes international cooperation.", "该框架促进国际合作。", True),
    ("The framework promotes international cooperation.", "该框架促进国际合作。", False),
    ("The summit will discourage a unified labelling standard.", "峰会或将推进统一标识标准。", True),
    ("The summit will encourage a unified labelling standard.", "峰会或将推进统一标识标准。", False),
    # mitigate / exacerbate on the increase axis; more investment against 加大投入
    ("Agencies must increase the risks of AI.", "各机构必须减轻人工智能风险。", True),
    ("Agencies must mitigate the risks of AI.", "各机构必须减轻人工智能风险。", False),
    ("Decrease investment in the pilot project.", "加大对试点项目的投入。", True),
    ("Increase investment in the pilot project.", "加大对试点项目的投入。", False),
    # permit / prohibit, protect / endanger, success / failure, benefit / harm
    ("The rules permit such exports.", "该规则禁止此类出口。", True),
    ("The rules prohibit such exports.", "该规则禁止此类出口。", False),
    ("The law endangers personal privacy.", "该法律保护个人隐私。", True),
    ("The law protects personal privacy.", "该法律保护个人隐私。", False),
    ("The joint test was a failure.", "联合测试取得成功。", True),
    ("The joint test was a success.", "联合测试取得成功。", False),
    ("AI harms all Americans.", "人工智能的益处惠及所有美国人。", True),
    ("AI benefits all Americans.", "人工智能的益处惠及所有美国人。", False),
])
def test_direction_words_are_compared_on_their_axis_or_its_neighbour(claim: str, evidence: str, differs: bool) -> None:
    assert bool(compare_slots(claim, evidence).features()["diff_stance"]) is differs


@pytest.mark.parametrize("claim, evidence", [
    ("The plan strengthens oversight.", "该计划加强监管。"),  # an agreeing direction word
    ("The plan improves oversight.", "该计划提高监管水平。"),  # agreeing on the neighbouring axis
])
def test_an_agreeing_direction_word_is_not_counted_as_a_matched_slot(claim: str, evidence: str) -> None:
    comparison = compare_slots(claim, evidence)
    assert not comparison.differences and comparison.matched == 0  # a direction word agreeing says little
    assert compare_slots("The plan strengthens oversight in 2024.", "该计划于2024年加强监管。").matched == 1  # a date does


def test_slots_carry_offsets_into_the_input_and_are_hashable() -> None:
    text = "英国AISI初始资⾦1亿英镑，于2023年11月成立; the UK did not pay £100 million in 2024."
    slots = extract_slots(text)
    assert {s.kind for s in slots} >= {"entity", "quantity", "date", "stance"}
    for slot in slots:
        assert text[slot.start:slot.end] == slot.surface
    assert len(set(slots)) == len(slots)
    with pytest.raises(dataclasses.FrozenInstanceError):
        slots[0].value = 1  # type: ignore[misc]


# --- comparison -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("claim, evidence, expected", [
    # amounts: 1亿英镑 == 100 million pounds, cross-language and same-language
    ("The UK AI Safety Institute received 100 million pounds of initial funding", "英国AISI初始资金1亿英镑", []),
    ("The UK AI Safety Institute received 500 million pounds of initial funding", "英国AISI初始资金1亿英镑",
     ["quantity"]),
    ("英国AISI初始资金1亿英镑", "英国AISI初始资金1亿英镑", []),
    ("英国AISI初始资金5亿英镑", "英国AISI初始资金1亿英镑", ["quantity"]),
    ("加拿大人工智能安全研究所获得5000万加元", "Canada's AI Safety Institute received C$50 million", []),
    ("加拿大人工智能安全研究所获得5亿加元", "Canada's AI Safety Institute received C$50 million", ["quantity"]),
    # dates: 2019 vs 2024年2月; February 2024 == 2024年2月; year swaps
    ("The EU AI Office was set up in February 2024", "欧盟人工智能办公室于2024年2月成立", []),
    ("The EU AI Office was set up in 2019", "欧盟人工智能办公室于2024年2月成立", ["date"]),
    ("The declaration was signed in 2024", "The declaration was signed in 2024", []),
    ("The declaration was signed in 2023", "The declaration was signed in 2024", ["date"]),
    # entities: Spain vs Germany
    ("Germany joined the network in 2024", "Germany joined the network in 2024", []),
    ("Spain joined the network in 2024", "Germany joined the network in 2024", ["entity"]),
    ("德国于2024年加入该网络", "Germany joined the network in 2024", []),
    ("西班牙于2024年加入该网络", "Germany joined the network in 2024", ["entity"]),
    # membership per entity: Italy after 缺少, Japan after 包括
    ("Italy is not a member of the network", "该网络缺少了意大利和德国", []),
    ("Italy is a member of the network", "该网络缺少了意大利和德国", ["stance"]),
    ("Japan is a member of the network", "网络成员包括美国、英国、法国和日本，缺少了意大利和德国", []),
    ("Italy is a member of the network", "网络成员包括美国、英国、法国和日本，缺少了意大利和德国", ["stance"]),
    # day counts
    ("Companies must report within 180 days", "企业须在180天内报告", []),
    ("Companies must report within 90 days", "企业须在180天内报告", ["quantity"]),
    # stance flips
    ("Anthropic opposes a moratorium on state AI laws", "Anthropic opposes a moratorium on state AI laws", []),
    ("Anthropic supports a moratorium on state AI laws", "Anthropic opposes a moratorium on state AI laws", ["stance"]),
    ("Anthropic opposes a moratorium on state AI laws", "Anthropic反对暂停各州人工智能法律", []),
    ("Anthropic supports a moratorium on state AI laws", "Anthropic反对暂停各州人工智能法律", ["stance"]),
    ("开发者不承担责任", "开发者不承担责任", []),
    ("开发者承担责任", "开发者不承担责任", ["stance"]),
    ("Developers do not bear liability", "开发者不承担责任", []),
    ("Developers bear liability", "开发者不承担责任", ["stance"]),
    # quantifiers and ordinals
    ("Some members agreed", "部分成员同意", []),
    ("All members agreed", "部分成员同意", ["quantifier"]),
    # a sentence that quantifies two things: the claim's quantifier is compared with the one of its own clause
    ("部分经测试LLM仍易受到越狱攻击", "所有经测试LLM仍易受到越狱攻击，有些甚至会产生有害输出", ["quantifier"]),
    ("所有经测试LLM仍易受到越狱攻击", "所有经测试LLM仍易受到越狱攻击，有些甚至会产生有害输出", []),
    ("有些LLM甚至会产生有害输出", "所有经测试LLM仍易受到越狱攻击，有些甚至会产生有害输出", []),
    ("所有LLM甚至会产生有害输出", "所有经测试LLM仍易受到越狱攻击，有些甚至会产生有害输出", ["quantifier"]),
    ("Some tested models were vulnerable", "All tested models were vulnerable; some produced harmful output",
     ["quantifier"]),
    ("the first comprehensive AI law", "全球首部综合性人工智能治理立法", []),
    ("the second comprehensive AI law", "全球首部综合性人工智能治理立法", ["ordinal"]),
    # session 41: "not only" is no quantifier; years of a range, of "X of 1520" and in brackets; 首任; 倍
    ("Recent innovations have not only stimulated the entire society's use of AI", "最近的创新不仅刺激了整个社会对人工智能的使用", []),
    ("Plague occurred in Venice 22 times between 1361 and 1528.", "1361和1528年间威尼斯爆发瘟疫 22 次。", []),
    ("Plague occurred in Venice 22 times between 1361 and 1529.", "1361和1528年间威尼斯爆发瘟疫 22 次。", ["date"]),
    ("In the summer of 1521, Luther widened his target", "1521年夏天 ，路德将他的目标", []),
    ("Over 60% of Norway's population died in 1348–50.", "挪威60%以上的人口死于1348- 50年间。", []),
    ("挪威60%以上的人口死于1348- 25年间。", "Over 60% of Norway's population died in 1348–50.", ["date"]),
    ("In the summer of 1520, Luther widened his target", "1521年夏天 ，路德将他的目标", ["date"]),
    ("Nixon named Simon as the first Administrator", "尼克松任命 威廉·西蒙 为联邦能源办公室首任主任", []),
    ("Nixon named Simon as the second Administrator", "尼克松任命 威廉·西蒙 为联邦能源办公室首任主任", ["ordinal"]),
    ("Ctenophores can eat ten times their own weight in a day.", "栉水母一天可以吃掉 十倍于自身体重的食物 。", []),
    ("Ctenophores can eat twelve times their own weight in a day.", "栉水母一天可以吃掉 十倍于自身体重的食物 。", ["quantity"]),
])
def test_differences(claim: str, evidence: str, expected: list[str]) -> None:
    assert diff_kinds(claim, evidence) == expected


@pytest.mark.parametrize("claim, evidence, kind, differs, unmatched", [
    ("Spain joined the network in 2024", "Germany joined the network in 2024", "entity", True, 0),
    ("Spain joined the network in 2024", "The network met in 2024", "entity", False, 1),  # no country to compare
    ("The institute received 500 million pounds", "The institute received 100 million pounds", "quantity", True, 0),
    ("The institute received 500 million pounds", "The institute received funding", "quantity", False, 1),
])
def test_a_kind_the_evidence_lacks_is_unmatched_not_different(
        claim: str, evidence: str, kind: str, differs: bool, unmatched: int) -> None:
    result = compare_slots(claim, evidence)
    assert (kind in diff_kinds(claim, evidence)) is differs
    assert result.unmatched_by_kind.get(kind, 0) == unmatched
    assert result.features()[f"unmatched_{kind}"] == float(unmatched)
    assert result.unmatched == sum(result.unmatched_by_kind.values())


@pytest.mark.parametrize("claim, evidence, mismatch", [
    ("The law applies to open-source models", "该法不适用于开源模型", True),
    ("The law applies to open-source models", "该法适用于开源模型", False),
    ("该法适用于开源模型", "该法不适用于开源模型", True),
    ("该法不适用于开源模型", "该法不适用于开源模型", False),
    ("The rules apply to open models", "The rules do not apply to open models", True),
    ("The rules apply to open models", "The rules apply to open models, not to closed weights", False),
])
def test_negation_mismatch(claim: str, evidence: str, mismatch: bool) -> None:
    assert compare_slots(claim, evidence).negation_mismatch is mismatch


@pytest.mark.parametrize("claim, evidence, mismatch", [
    # a negation inside a word jieba keeps whole is that word's meaning, not the clause's
    ("His work fell into relative obscurity after his death.", "在他死后，他的作品陷入了相对默默无闻的状态。", False),
    ("Medical knowledge had stagnated during the Middle Ages.", "中世纪医学知识的发展停滞不前。", False),
    ("His work was widely read after his death.", "在他死后，他的作品没有人读。", True),  # the negative beside them
    # an English negation by affix or by meaning is one
    ("Proving that any of these classes are unequal would be a breakthrough.", "证明任何这些类不相等都将是重大突破。", False),
    ("Proving that any of these classes are equal would be a breakthrough.", "证明任何这些类不相等都将是重大突破。", True),
    ("Sponges are the only known phyla that lack any true hox genes.", "海绵是唯一已知没有任何hox基因的动物门。", False),
    ("Carolina failed to get a first down on each drive.", "卡罗莱纳未能在每次击球获得第一档进攻。", False),
    ("Carolina got a first down on each drive.", "卡罗莱纳未能在每次击球获得第一档进攻。", True),
    # a negation jieba joins to the word before it (its HMM's 中未) or an adverb's (从不) is still the clause's
    ("He didn't throw any in their two playoff games.", "他在两场季后赛中未投任何球。", False),
    ("He threw several in their two playoff games.", "他在两场季后赛中未投任何球。", True),
    ("The committee never meets in public.", "该委员会从不公开开会。", False),
    ("The committee meets in public.", "该委员会从不公开开会。", True),
    # a negation inside a stance ("no reduction" is the stance *increase*) meets a plain 没有 whose axis is not read
    ("Turbines are connected to generators with no reduction gearing.", "涡轮机直接连接到发电机且没有减速齿轮装置。", False),
    ("Turbines are connected to generators with reduction gearing.", "涡轮机直接连接到发电机且没有减速齿轮装置。", True),
    # a count of one right after a negation is part of it (没有一项: "none of")
    ("None of the original treaties mention protection for fundamental rights.", "原始条约中没有一项提到保护基本权利。", False),
    ("The original treaties mention protection for fundamental rights.", "原始条约中没有一项提到保护基本权利。", True),
    # a slot the other side has nothing of its kind for does not decide a negation's reach
    ("The word had no special significance at this time, and only the recurrence of outbreaks gave it the name.",
     "这个词在当时没有特别的含义，直到再次爆发才使它成为医学术语。", False),
    ("The word had special significance at this time, and only the recurrence of outbreaks gave it the name.",
     "这个词在当时没有特别的含义，直到再次爆发才使它成为医学术语。", True),
    # an English word negated by its affix is the Chinese word that holds a negation (坚持不懈 "ceaseless")
    ("Houbolt's ceaseless work played an important role.", "胡博尔特坚持不懈的努力产生了重要作用。", False),
    ("Houbolt's work did not play an important role.", "胡博尔特坚持不懈的努力产生了重要作用。", True),
    # across languages a negation is present or absent, not counted: a translation may say with one negation what the
    # other says with two ("neither … nor" / 都没有; session 33)
    ("Neither Tesla nor Edison won the prize.", "特斯拉和爱迪生都没有获奖。", False),
    ("Tesla and Edison both won the prize.", "特斯拉和爱迪生都没有获奖。", True),
    ("A gmina cannot register cars; that depends on the powiat, not the gmina.", "市镇不能登记汽车；这取决于县而不是市镇。", False),
    # "unknown", "uncertain" are not negations, as 未知 and 不确定 are not; "unlike", "unfolding" negate nothing
    ("The study found two previously unknown clades.", "该研究发现了两种以前未知的进化枝。", False),
    ("His religious views remain uncertain.", "他的宗教观点仍然不确定。", False),
    ("Unlike the other crews, this one survived.", "与其他船员不同，这一组幸存了。", False),
    ("The unfolding Reformation prompted Luther to write hymns.", "正在展开的宗教改革促使路德写下赞美诗。", False),
    ("The study found no previously unknown clades.", "该研究发现了两种以前未知的进化枝。", True),
])
def test_negation_across_languages(claim: str, evidence: str, mismatch: bool) -> None:
    assert compare_slots(claim, evidence).negation_mismatch is mismatch
    assert compare_slots(evidence, claim).negation_mismatch is mismatch  # the same read from either side


@pytest.mark.xfail(strict=True, reason="known miss (session 33): across languages negations are compared as present or "
                                        "absent, so one against two is not seen")
def test_one_negation_against_two_across_languages() -> None:
    assert compare_slots("A gmina can register cars; that depends on the powiat, not the gmina.",
                         "市镇不能登记汽车；这取决于县而不是市镇。").negation_mismatch


def test_within_a_language_negations_are_counted() -> None:
    evidence = "市镇不能登记汽车；这取决于县而不是市镇。"
    assert compare_slots("市镇能登记汽车；这取决于县而不是市镇。", evidence).negation_mismatch  # one against two
    assert not compare_slots(evidence, evidence).negation_mismatch


def test_across_languages_a_negation_in_a_clause_the_claim_does_not_restate_is_not_counted() -> None:
    evidence = "所有经测试LLM仍极易受到基本越狱的攻击，有些甚至会在没有专门尝试规避其安全措施的情况下产生有害输出。"
    assert not compare_slots("All tested LLMs remained highly vulnerable to basic jailbreaks.", evidence).negation_mismatch
    assert compare_slots("Tested LLMs did not remain vulnerable to basic jailbreaks.", evidence).negation_mismatch
    # a claim asserts every clause it has: its own negation counts wherever it stands
    claim = "所有经测试LLM仍极易受到基本越狱的攻击，有些甚至会在没有专门尝试的情况下产生有害输出。"
    assert compare_slots(claim, "All tested LLMs remained highly vulnerable to basic jailbreaks.").negation_mismatch


def test_features_are_numeric_with_stable_names() -> None:
    names = {*(f"diff_{k}" for k in COMPARED), *(f"unmatched_{k}" for k in COMPARED),
             "differences", "negation_mismatch", "matched", "unmatched"}
    for claim, evidence in [("The UK AI Safety Institute received 500 million pounds", "英国AISI初始资金1亿英镑"),
                            ("nothing to compare", "无可比较")]:
        features = compare_slots(claim, evidence).features()
        assert set(features) == names
        assert all(isinstance(v, float) for v in features.values())
    features = compare_slots("The UK AI Safety Institute received 500 million pounds", "英国AISI初始资金1亿英镑").features()
    assert features["diff_quantity"] == 1.0 and features["matched"] == 2.0 and features["negation_mismatch"] == 0.0


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return imported | {str(node.module) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0}


def outside_the_standard_library(path: Path) -> set[str]:
    """What ``path`` imports beyond the standard library, following its imports of ``rag`` modules (the shared
    CJK ranges and stop words may be imported when they, too, import only the standard library)."""
    found: set[str] = set()
    for name in imports_of(path):
        if name.startswith("rag."):
            found |= outside_the_standard_library(Path(slots_module.__file__).parents[2].joinpath(*name.split(".")).with_suffix(".py"))
        elif name.split(".")[0] not in set(sys.stdlib_module_names) | {"__future__"}:
            found.add(name)
    return found


def test_module_imports_only_the_standard_library_and_jieba(tmp_path: Path) -> None:
    # jieba (a dependency the index needs anyway) tells a negation from a word that holds one (默默无闻)
    assert outside_the_standard_library(Path(slots_module.__file__)) == {"jieba"}
    imports_settings = tmp_path / "mod.py"  # the check follows a rag import: the settings need pydantic
    imports_settings.write_text("import re\nfrom rag.settings import get_settings\n", encoding="utf-8")
    assert "pydantic" in outside_the_standard_library(imports_settings)


def test_slot_is_a_plain_frozen_record() -> None:
    slot = Slot("quantity", 1e8, "GBP", "1亿英镑", 4, 9)
    assert dataclasses.is_dataclass(slot) and {slot} == {Slot("quantity", 1e8, "GBP", "1亿英镑", 4, 9)}


def test_a_longer_name_that_holds_the_claims_name_is_not_a_swap() -> None:
    # the network's name holds the institute's: no entity difference (it made a true claim "contradicted")
    network = "同时宣布的是，人工智能安全研究所国际网络的初始成员包括澳大利亚、加拿大、欧盟、法国、日本、英国和美国。"
    assert not compare_slots("英国人工智能安全研究所的初始资金为1亿英镑。", network).differences


def test_another_name_is_still_a_swap() -> None:  # the negative beside it
    differences = compare_slots("美国2024年新设了人工智能办公室。", "欧盟2024年新设了人工智能办公室，推动实施《人工智能法案》。").differences
    assert [(d.claim.surface, d.evidence.surface) for d in differences] == [("美国", "欧盟")]


def test_a_shorter_name_inside_the_claims_name_is_not_a_swap_either() -> None:
    # the claim names the network, the source its first chair, an institute: not "the claim says the network; the source says the institute"
    differences = compare_slots("意大利是人工智能安全研究所国际网络的成员。",
                                "美国人工智能安全研究所将担任人工智能安全研究所国际网络的首任主席。").differences
    assert not [d for d in differences if "网络" in d.claim.surface]


MEMBERS = "同时宣布的是，人工智能安全研究所国际网络的初始成员包括澳大利亚、加拿大、欧盟、法国、日本、肯尼亚、韩国、新加坡、英国和美国。"


def test_a_member_the_source_list_lacks_is_described_as_missing_from_the_list() -> None:
    (difference,) = [d for d in compare_slots("Italy is a member of the International Network.", MEMBERS).differences
                     if d.kind == "entity"]
    assert [s.surface for s in difference.listed][:2] == ["澳大利亚", "加拿大"]
    assert describe(difference, "en").startswith("The claim names Italy as a member; the source lists 澳大利亚 (Australia)")
    assert describe(difference, "zh").endswith("其中没有Italy（意大利）。")


def test_a_country_swapped_outside_a_membership_is_described_as_a_swap() -> None:  # the negative beside it
    (difference,) = compare_slots("Italy hosts the first meeting of the network.", "美国将举办人工智能安全研究所国际网络第一次会议。").differences
    assert not difference.listed and describe(difference, "en") == "The claim says Italy; the source says 美国 (United States)."


@pytest.mark.parametrize("text, expected", [
    ("7 leaders", [(7.0, "counted")]),
    ("forcing three fumbles", [(3.0, "counted")]),
    ("There are 750 MEPs", [(750.0, "counted")]),
    ("two spectrophotometric absorption bands", [(2.0, "counted")]),
    ("三次迫使掉球", [(3.0, "counted")]),
    ("最内的两层双层脂膜", [(2.0, "counted")]),
    ("第三层", []),  # an ordinal, not a count
    ("the 5 was", []),  # a verb is not what a number counts
    ("三部分", []),  # 部分 is a word, not 部 counting
    ("eight Metropolitan Statistical Areas", [(8.0, "counted")]),  # capitalised nouns (session 41)
    ("with 17 Tesla patents", [(17.0, "counted")]),
    ("two businessmen and three children", [(2.0, "counted"), (3.0, "counted")]),  # irregular plurals
    ("the 2023 Nobel Prizes", []),  # a year before a name, not a count
    ("Section 4 Members", []),
    ("十倍于自身体重", [(10.0, "counted")]),  # 倍 counts: "ten times"
])
def test_a_number_before_a_plural_noun_or_a_measure_word_counts_something(text: str, expected: list) -> None:
    assert found(text, "quantity") == expected


@pytest.mark.parametrize("claim, evidence, differs", [
    ("氧气呈现四个在波长687和760nm处达到峰值的吸收带。", "Oxygen presents two spectrophotometric absorption bands.", True),
    ("氧气呈现两个在波长687和760nm处达到峰值的吸收带。", "Oxygen presents two spectrophotometric absorption bands.", False),
    ("The five innermost membranes surround all chloroplasts.", "包裹所有叶绿体的最内的两层双层脂膜", True),
    ("The two innermost membranes surround all chloroplasts.", "包裹所有叶绿体的最内的两层双层脂膜", False),
    ("The soldiers moved it another 100 km west.", "士兵又把灵柩西迁了200公里。", True),
    ("The soldiers moved it another 200 km west.", "士兵又把灵柩西迁了200公里。", False),
    ("The campus lies 5.3 miles from downtown.", "校园距市区3.3英里(5.3公里)。", True),  # miles are not kilometres
    ("The campus lies 3.3 miles from downtown.", "校园距市区3.3英里(5.3公里)。", False),
    ("欧洲议会一共有380名议员。", "There are 750 MEPs and their numbers are degressively proportional.", True),
    ("欧洲议会一共有750名议员。", "There are 750 MEPs and their numbers are degressively proportional.", False),
    ("Carolina had three more drives.", "卡罗莱纳还有两次以上击球。", True),
    ("Carolina had two more drives.", "卡罗莱纳还有两次以上击球。", False),
    ("南加州包括一个联合统计区，十个大都市区统计区。", "Southern California consists of eight Metropolitan Statistical Areas.", True),
    ("南加州包括一个联合统计区，八个大都市区统计区。", "Southern California consists of eight Metropolitan Statistical Areas.", False),
    ("特斯拉与四位商人合作。", "Tesla partnered with two businessmen in 1886.", True),
    ("特斯拉与两位商人合作。", "Tesla partnered with two businessmen in 1886.", False),
    # the evidence writes the number where it counts nothing we read: no difference
    ("同时也以24次拦截领先国家橄榄球联盟。", "The defense gave up just 308 points, leading the NFL in interceptions with 24.", False),
    ("同时也以25次拦截领先国家橄榄球联盟。", "The defense gave up just 308 points, leading the NFL in interceptions with 24.", True),
])
def test_counts_are_compared_across_languages_whatever_they_count(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "quantity" for d in compare_slots(claim, evidence).differences) == differs


@pytest.mark.parametrize("claim, evidence, differs", [
    ("DOJ, DHS, and AISI shall coordinate to develop guidance.", "DOE, DHS, and AISI shall coordinate to develop guidance.", True),
    ("DOE, DHS, and AISI shall coordinate to develop guidance.", "DOE, DHS, and AISI shall coordinate to develop guidance.", False),
    ("The Department of Labor shall revise its policies.", "美国防部、能源部（包括国家实验室）和情报界应修订政策。", True),
    ("The Department of Energy shall revise its policies.", "美国防部、能源部（包括国家实验室）和情报界应修订政策。", False),
])
def test_us_agencies_are_names_compared_across_languages(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "entity" for d in compare_slots(claim, evidence).differences) == differs


def test_slots_read_again_are_a_fresh_list_of_the_same_slots() -> None:
    text = "英国人工智能安全研究所获得初始资金1亿英镑。"
    first = extract_slots(text)
    assert any(s.kind == "quantity" for s in first)
    first.clear()  # a caller's list is its own: the remembered reading is not emptied with it
    assert extract_slots(text) and extract_slots(text) == extract_slots(text)
    assert not any(s.kind == "quantity" for s in extract_slots("英国人工智能安全研究所。"))  # the negative


def test_a_person_swapped_for_another_the_documents_name_is_a_difference() -> None:
    row = "英国 2023年11月 新成立机构 (UK AISI)　科学、创新及科技部(DSIT)　初始资金1亿英镑　-主席: Ian Hogarth (投资人和企业家)"
    swapped = compare_slots("The chair of the UK AI Safety Institute is Elizabeth Kelly", row)
    assert [(d.kind, d.claim.value, d.evidence.value) for d in swapped.differences] == [
        ("entity", "elizabeth_kelly", "ian_hogarth")]
    assert not compare_slots("英国人工智能安全研究所的主席是Ian Hogarth", row).differences  # the same person
    memo = "President Biden signed the first-ever National Security Memorandum on AI."
    assert compare_slots("President Trump signed the National Security Memorandum on AI", memo).differences
    assert not compare_slots("拜登总统签署了人工智能国家安全备忘录", memo).differences  # 拜登 is Biden
    assert not compare_slots("The memorandum on AI was signed", memo).differences  # no person named: none compared


_CHAIR_ROW = "英国AI安全研究所（UK AISI）成立于2023年11月，主席: Ian Hogarth，初始资金1亿英镑。"


@pytest.mark.parametrize(("claim", "evidence", "differs"), [
    # a name no list holds, in the role the evidence gives another person (journal, session 49)
    ("The chair of the UK AI Safety Institute is Jane Doe.", _CHAIR_ROW, True),
    ("英国人工智能安全研究所主席为简·多伊。", "英国人工智能安全研究所主席为约翰·史密斯。", True),
    ("英国人工智能安全研究所主席为伊恩·霍加斯。", "英国人工智能安全研究所主席为约翰·史密斯。", True),
    # the negatives: the same person; a name in the other script (nothing transliterates it); no name in the claim
    ("The chair of the UK AI Safety Institute is Ian Hogarth.", _CHAIR_ROW, False),
    ("英国人工智能安全研究所主席为约翰·史密斯。", "英国人工智能安全研究所主席为约翰·史密斯。", False),
    ("The chair of the UK AI Safety Institute is Jane Doe.", "英国人工智能安全研究所主席为约翰·史密斯。", False),
    ("英国人工智能安全研究所主席为约翰·史密斯。", _CHAIR_ROW, False),
    ("The UK AI Safety Institute was founded in November 2023.", _CHAIR_ROW, False),
])
def test_a_person_no_list_names_is_compared_in_its_role(claim: str, evidence: str, differs: bool) -> None:
    found = [d for d in compare_slots(claim, evidence).differences if d.kind == "entity"]
    assert bool(found) is differs


def test_a_name_no_list_holds_is_not_unmatched_against_the_other_script() -> None:
    claim = "德意志民主共和国的最后一任总理洛塔尔·德梅齐埃也是胡格诺派后裔。"
    assert compare_slots(claim, "The last Prime Minister of the German Democratic Republic, Lothar de Maizière, is a "
                                "descendant of Huguenots.").unmatched_by_kind.get("entity", 0) == 0
    # the negative: in its own script a name the evidence does not state is unmatched
    assert compare_slots(claim, "德意志民主共和国的最后一任总理是胡格诺派后裔。").unmatched_by_kind.get("entity", 0) == 1


_ROUTE_EN = ("The decision was {}made to build Interstate 5 on the west side of the Central Valley, instead of upgrading "
             "State Route 99.")
_ROUTE_ZH = "做出的决定是将州际高速5号建设在中央山谷的西侧，而不是升级现在的州99号公路。"


@pytest.mark.parametrize(("claim", "evidence", "mismatch"), [
    # 而不是 / 而非 "rather than" is a contrast, not a negation (session 50): English says it with "instead of"
    (_ROUTE_EN.format(""), _ROUTE_ZH, False),
    (_ROUTE_ZH, _ROUTE_EN.format(""), False),
    ("该机构侧重于评估而非立法。", "The institute focuses on evaluation rather than legislation.", False),
    # the negatives: a negation the other side lacks is still one, beside 而不是 or in 而不能 ("but cannot")
    (_ROUTE_EN.format("not "), _ROUTE_ZH, True),
    (_ROUTE_ZH.replace("做出的决定是", "没有做出决定"), _ROUTE_EN.format(""), True),
    ("成员国可以提出意见而不能否决提案。", "Member states can comment and can veto proposals.", True),
])
def test_rather_than_is_not_a_negation(claim: str, evidence: str, mismatch: bool) -> None:
    assert compare_slots(claim, evidence).negation_mismatch is mismatch
@pytest.mark.parametrize(("claim", "evidence", "differs"), [
    # a plural quantifier is the quantifier (session 50): "qualified majorities" against 合格少数 differs
    ("立法需要理事会的“合格少数”或协商一致意见。", 'Legislation requires "qualified majorities" or consensus of the Council.', True),
    ("Legislation requires qualified minorities of the Council.", "立法需要理事会的合格多数。", True),
    # the negatives: the same quantifier, singular or plural, in either language
    ("立法需要理事会的“合格多数”或协商一致意见。", 'Legislation requires "qualified majorities" or consensus of the Council.', False),
    ("Legislation requires qualified majorities of the Council.", "Legislation requires a qualified majority of the Council.",
     False),
])
def test_a_plural_quantifier_is_read_as_the_quantifier(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "quantifier" for d in compare_slots(claim, evidence).differences) is differs


_PROTECTIONS_EN = "Harmful outcomes could occur even without malicious intent if AI systems and processes {} sufficient protections."
_PROTECTIONS_ZH = "如果人工智能系统和流程{}足够的保护，即使没有恶意，也可能产生有害后果。"


@pytest.mark.parametrize(("claim", "evidence", "mismatch"), [
    # "lack" is "does not have": a claim that drops it says the opposite (session 51, rule L)
    (_PROTECTIONS_EN.format("have"), _PROTECTIONS_EN.format("lack"), True),
    (_PROTECTIONS_ZH.format("具备"), _PROTECTIONS_ZH.format("缺乏"), True),
    ("Coordination among multilateral meetings has made countries navigate between standards.",
     "缺乏协调的多边会议使得各国在不同的治理标准间徘徊。", True),
    # the negatives: the same words on both sides, "do not have" against "lack", and "Lack" against 缺乏 across languages
    (_PROTECTIONS_EN.format("lack"), _PROTECTIONS_EN.format("lack"), False),
    (_PROTECTIONS_ZH.format("缺乏"), _PROTECTIONS_ZH.format("缺乏"), False),
    (_PROTECTIONS_EN.format("do not have"), _PROTECTIONS_EN.format("lack"), False),
    ("Lack of coordination among multilateral meetings has made countries navigate between standards.",
     "缺乏协调的多边会议使得各国在不同的治理标准间徘徊。", False),
])
def test_lack_is_a_negation_where_the_other_side_has_no_membership_word(claim: str, evidence: str, mismatch: bool) -> None:
    assert compare_slots(claim, evidence).negation_mismatch is mismatch


def test_the_difference_shows_the_lack_it_found() -> None:
    negation = compare_slots(_PROTECTIONS_EN.format("have"), _PROTECTIONS_EN.format("lack")).negation
    assert negation is not None and negation.evidence.surface == "lack"

@pytest.mark.parametrize(("claim", "evidence", "kind"), [
    # W (session 51): a share against a share, a quarter against a quarter, a war against a war
    ("The plague killed 50,000 in Venice, almost a half of the population.", "瘟疫造成50,000威尼斯人死亡，几乎占到人口的三分之一。", "quantity"),
    ("一直到19世纪的第三季度，瘟疫仍然是奥斯曼社会的重大事件。", "Plague remained a major event until the second quarter of the 19th century.", "ordinal"),
    ("He was a hero of the Second World War.", "他是第一次世界大战中的英雄。", "entity"),
])
def test_fractions_quarters_and_wars_are_compared_across_languages(claim: str, evidence: str, kind: str) -> None:
    assert [d.kind for d in compare_slots(claim, evidence).differences] == [kind]
    # the negative beside each: the same figure, quarter or war is no difference
    true_claim = claim.replace("a half", "a third").replace("第三季度", "第二季度").replace("Second World War", "First World War")
    assert compare_slots(true_claim, evidence).differences == []


@pytest.mark.parametrize(("claim", "evidence", "mismatch"), [
    # L′ (session 51): a negation does not flip a stance across "and"; "lack" against 缺乏 is dropped one for one
    ("Newton did not and his lack of aggression later earned him heavy criticism.",
     "牛顿并没有这样做，他缺乏攻击性的行为后来招致了严厉的批评。", False),
    ("These policies respond to general standards, lacking specific execution measures, lacking integration with needs.",
     "这些政策响应通用标准，缺乏具体的执行措施，未能结合各国实际需求。", False),
    # the negatives: the claim without its negation, and a second "lacking" the Chinese side does not negate
    ("Newton did and his lack of aggression later earned him heavy criticism.",
     "牛顿并没有这样做，他缺乏攻击性的行为后来招致了严厉的批评。", True),
    ("These policies respond to general standards, lacking specific execution measures, lacking integration with needs.",
     "这些政策响应通用标准，缺乏具体的执行措施，结合各国实际需求。", True),
])
def test_a_negation_stays_in_its_clause_and_lack_meets_lack_one_for_one(claim: str, evidence: str, mismatch: bool) -> None:
    comparison = compare_slots(claim, evidence)
    assert (comparison.negation_mismatch or bool(comparison.differences)) is mismatch


def test_a_negation_does_not_flip_a_stance_across_and() -> None:
    slots = [(s.kind, s.value) for s in extract_slots("Newton did not and his lack of aggression was criticised.")]
    assert ("negation", "not") in slots and ("stance", -1) in slots
    assert ("stance", 1) in [(s.kind, s.value) for s in extract_slots("The bill does not exclude them.")]  # the negative


@pytest.mark.parametrize(("text", "negates"), [
    # A (session 51): one side of an alternative negates nothing
    ("the presence or absence of members of gene families", False),
    ('the machine outputs the answer ("yes" or "no")', False),
    ("whether or not the rule applies", False),
    ("with or without consent", False),
    ("检查有无违规行为", False),
    # the negatives: the same words outside an alternative
    ("the absence of members of gene families", True),
    ("the machine outputs no answer", True),
    ("the rule does not apply", True),
    ("without consent", True),
    ("检查无违规行为", True),
])
def test_one_side_of_an_alternative_negates_nothing(text: str, negates: bool) -> None:
    slots = extract_slots(text)
    assert any(s.kind == "negation" or (s.kind == "stance" and s.value == -1) for s in slots) is negates


_HOLOCENE_EN = ("The Holocene (the latest epoch) is too small to be shown clearly on the third timeline on the right, "
                "another reason for expanding the fourth scale.")


@pytest.mark.parametrize(("claim", "evidence", "differs"), [
    # O1 (session 51): ordinals one for one — two 第四 against "third … fourth" is a change
    ("全新世太短，以至于无法在右边的第四个时间线上清晰显示，这是扩大第四尺度的另一个原因。", _HOLOCENE_EN, True),
    # the negatives: the true restatement, and an ordinal the claim repeats where the source has no other
    ("全新世太短，以至于无法在右边的第三个时间线上清晰显示，这是扩大第四尺度的另一个原因。", _HOLOCENE_EN, False),
    ("The first meeting and the first report.", "The first meeting produced the first report.", False),
    ("The first meeting and the first report.", "The first meeting produced a report.", False),
])
def test_ordinals_are_compared_one_for_one(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "ordinal" for d in compare_slots(claim, evidence).differences) is differs


@pytest.mark.parametrize(("claim", "evidence", "differs"), [
    # S (session 52): stance words the claim benchmark's tune half showed unread
    ("The agreement is expected to establish a less comprehensive policy framework.", "协议预计将建立更加系统的政策框架。", True),
    ("Preserving and restricting United States talent advantages requires developing talent at home.",
     "保持和扩大美国的人才优势需要在国内培养人才。", True),
    ("野马队在分区轮以 23–16 输给了匹兹堡钢人队。", "The Broncos defeated the Pittsburgh Steelers in the divisional round, 23–16.", True),
    ("从历史上看，美国国家安全机构在技术转型时期取得了失败。", "从历史上看，美国国家安全机构在技术转型时期取得了胜利。", True),
    ("落后的人工智能模型开发者应遵守基本标准。", "领先的人工智能模型开发者应遵守基本标准。", True),
    ("它必须消极加强它。", "它必须积极加强它。", True),
    ("损害美国人工智能生态系统免受外国情报威胁。", "保护美国人工智能生态系统免受外国情报威胁；", True),
    ("Both men raised the temperature of air until it liquefied.", "两人都通过降低空气的温度直至氧气液化。", True),
    # the negatives: each true restatement, and a negated stance against its negated translation
    ("The agreement is expected to establish a more comprehensive policy framework.", "协议预计将建立更加系统的政策框架。", False),
    ("Preserving and expanding United States talent advantages requires developing talent at home.",
     "保持和扩大美国的人才优势需要在国内培养人才。", False),
    ("野马队在分区轮以 23–16 击败了匹兹堡钢人队。", "The Broncos defeated the Pittsburgh Steelers in the divisional round, 23–16.", False),
    ("领先的人工智能模型开发者应遵守基本标准。", "领先的人工智能模型开发者应遵守基本标准。", False),
    ("Both men lowered the temperature of air until it liquefied.", "两人都通过降低空气的温度直至氧气液化。", False),
    ("Strong security protection won't slow down innovation.", "强有力的安全保护不会减缓创新。", False),
])
def test_stance_words_read_in_both_languages(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "stance" for d in compare_slots(claim, evidence).differences) is differs


def test_a_bare_comparative_is_not_read_and_wont_is_no_win() -> None:
    assert not [s for s in extract_slots("信息更简单") if s.kind == "stance"]  # 更X is English's "-er": not read
    assert [s.value for s in extract_slots("信息更多") if s.kind == "stance"] == [1]
    assert ("win", 1) not in [(s.unit, s.value) for s in extract_slots("It won't slow down.")]
    assert ("win", 1) in [(s.unit, s.value) for s in extract_slots("It won the vote.")]


_VOICE_ZH = "这意味着在议会中较小会员国的公民比较大会员国的公民有更多的发言权。"


@pytest.mark.parametrize(("claim", "evidence", "differs"), [
    # S2 (session 52): stances one for one — "larger … larger" against 较小 … 较大 is a change; "expand" is read
    ("In the Parliament citizens of larger member states have more voice than citizens in larger member states.",
     _VOICE_ZH, True),
    ("Through these instructions, the Director shall restrict agencies' reporting.",
     "Through these instructions, the Director shall expand agencies' reporting.", True),
    # the negatives: the true restatement, a repeat with nothing else to meet, the same word on both sides
    ("In the Parliament citizens of smaller member states have more voice than citizens in larger member states.",
     _VOICE_ZH, False),
    ("Prices increased and wages increased.", "Prices and wages increased.", False),
    ("Through these instructions, the Director shall expand agencies' reporting.",
     "Through these instructions, the Director shall expand agencies' reporting.", False),
])
def test_stances_are_compared_one_for_one(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "stance" for d in compare_slots(claim, evidence).differences) is differs


@pytest.mark.parametrize(("claim", "evidence", "differs"), [
    # Q2 (session 52): quantifier words the claim benchmark's tune half showed unread
    ("该NSM 指导局部变革。", "该NSM 指导全面变革。", True),
    ("一年后的证据表明，这样的栉水母在寒武纪很个别。", "Evidence a year later suggests that such ctenophores were widespread in the Cambrian.", True),
    ("弥撒应该被部分会众感恩地接受。", "It is to be received with thanksgiving by the whole congregation.", True),
    # the negatives: the true restatements
    ("该NSM 指导全面变革。", "该NSM 指导全面变革。", False),
    ("一年后的证据表明，这样的栉水母在寒武纪很普遍。", "Evidence a year later suggests that such ctenophores were widespread in the Cambrian.", False),
    ("弥撒应该被全体会众感恩地接受。", "It is to be received with thanksgiving by the whole congregation.", False),
])
def test_quantifier_words_read_in_both_languages(claim: str, evidence: str, differs: bool) -> None:
    assert any(d.kind == "quantifier" for d in compare_slots(claim, evidence).differences) is differs
