"""The word lists slots are read with: ordinals, stance axes, quantifiers, negations, and the reach of a negation
(rag.answer.slots extracts and compares; this module only says which words count and how).

A stance is ``"stance:<axis>:<polarity>"``: two words on one axis with opposite polarity cannot both describe the
same fact ("supports" / 反对, "larger" / 较小). A quantifier is ``"quantifier:<scale>:<value>"``; a negation
``"negation::not"``. Each entry is an English regex and Chinese words, one alternation.

Usage::

    from rag.answer.slot_words import LEXICON, ORDINAL
    regex, keys = LEXICON["stance"]
    m = regex.search("英国反对暂停")
    keys[int(m.lastgroup[1:])]   # 'stance:support:-1'

Standard library only.
"""

from __future__ import annotations

import re

EN_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
ORDINAL = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?P<en>{'|'.join(EN_ORDINALS)})|(?P<dig>[0-9]+)(?:st|nd|rd|th))(?![A-Za-z])"
    r"|首(?=次|个|部|届|家|位|批|款|份|例|项|轮|度|任)|头(?=[两二三四五六七八九十]+[个条名位项家次届年天])"  # 首任 the first, 头两条 the first two
    r"|第(?P<zh>[一二三四五六七八九十百零]+|[0-9]+)(?![0-9.]|\s*(?:章|节|条|款|部分|页|段|篇|卷|编|册|期|号|版|次世界大战))",
    re.IGNORECASE)  # 第二次世界大战 is a war's name ("World War II"), not a second of something
# Words that say "does not have": lack, missing, absent (not in "presence or absence", one side of an alternative), 缺少.
_LACK, _ABSENCE, _QUE = r"lack(?:s|ed|ing)?", r"(?<!presence and )(?<!presence or )absen(?:t|ce)", r"缺少|缺乏|缺失"
WORDS = {  # "kind:unit:value": English regex|Chinese words. Stances: unit = axis, value = polarity.
    "stance:support:1": r"support(?:s|ed|ing)?|back(?:s|ed|ing)|endors[a-z]*|favou?r(?:s|ed|ing)?|accept(?:s|ed|ing|ance)?"
                        r"|支持|赞成|赞同|拥护|接受",
    "stance:support:-1": r"oppos(?:e|es|ed|ing|ition)|reject[a-z]*|refus(?:e|es|ed|ing)|反对|拒绝|抵制|否决",
    "stance:member:1": r"members?|includ[a-z]*|join(?:s|ed|ing)?|participat[a-z]*|part\s+of|成员|包括|包含|加入|参与|参加|涵盖",
    "stance:member:-1": rf"{_LACK}|missing|exclud[a-z]*|{_ABSENCE}|withdr[ae]wn?|{_QUE}|缺席|排除|退出|除外",
    "stance:bear:1": r"bears?|bore|borne|liable|承担|负有", "stance:bear:-1": r"exempt(?:s|ed|ion)?|免除|豁免|免责",
    "stance:mandatory:1": r"mandatory|compulsory|binding|obligatory|强制|约束力|硬性",
    "stance:mandatory:-1": r"voluntar(?:y|ily)|non-binding|optional|自愿",
    "stance:increase:1": r"increas[a-z]*|ris(?:es?|ing)|rose|gr[eo]w[a-z]*|rais(?:es?|ed|ing)|exacerbat[a-z]*|aggravat[a-z]*"
                         r"|expan(?:d|ds|ded|ding|sion)"
                         r"|增加|增长|上升|提高|扩大|提升|上涨|增多|加大|加剧|兴起|崛起",
    "stance:increase:-1": r"decreas[a-z]*|declin[a-z]*|fall[a-z]*|fell|cut(?:s|ting)?|reduc[a-z]*|mitigat[a-z]*|alleviat[a-z]*"
                          r"|lower(?:s|ed|ing)|restrict(?:s|ed|ing|ions?)?|减少|下降|降低|削减|缩减|下跌|减轻|缓解|缩小|限制",
    "stance:establish:1": r"establish[a-z]*|set(?:s|ting)?\s+up|creat(?:e|es|ed|ing|ion)|found(?:ed|ing)|launch[a-z]*"
                          r"|设立|成立|建立|创建|组建|新设|创立",
    "stance:establish:-1": r"abolish[a-z]*|dissolv[a-z]*|disband[a-z]*|shut(?:s|ting)?\s+down|撤销|解散|废除|撤除|关闭",
    "stance:level:1": r"federal|联邦", "stance:level:-1": r"state-by-state|state-level|各州|州级",
    # Polar pairs a changed claim flips (largest → smallest, higher → lower, encourages → discourages):
    "stance:size:1": r"larger|largest|bigger|biggest|maximum|最大|较大|更大|大型",
    "stance:size:-1": r"smaller|smallest|minimum|最小|较小|更小|小型",
    "stance:height:1": r"higher|highest|最高|较高|更高", "stance:height:-1": r"lower|lowest|最低|较低|更低",
    "stance:encourage:1": r"encourag[a-z]*|鼓励|激励", "stance:encourage:-1": r"discourag[a-z]*|劝阻",
    "stance:advantage:1": r"advantages?|benefit(?:s|ed|ing|ted|ting)?|优势|好处|益处|获益|受益",
    "stance:advantage:-1": r"disadvantages?|harm(?:s|ed|ing)?|劣势|坏处|弊端|危害",
    "stance:win:1": r"w[io]n(?![’']t)|wins|winning|defeat(?:s|ed|ing)|beat(?:s|ing)?|赢得|夺得|获胜|击败|战胜|打败|胜利",
    "stance:win:-1": r"los(?:e|es|t|ing)|输掉|输给|失利|败给",
    "stance:improve:1": r"improv(?:e|es|ed|ing|ements?)|enhanc[a-z]*|strengthen[a-z]*|bolster[a-z]*|reinforc[a-z]*"
                        r"|改善|改进|加强|增强|强化|完善",
    "stance:improve:-1": r"degrad[a-z]*|weaken[a-z]*|deteriorat[a-z]*|undermin[a-z]*|impair[a-z]*|diminish[a-z]*|worsen[a-z]*"
                         r"|削弱|弱化|减弱|恶化|损害",
    "stance:promote:1": r"promot(?:e|es|ed|ing)|foster[a-z]*|facilitat[a-z]*|accelerat[a-z]*|促进|推动|推进|加快|加速|助力",
    "stance:promote:-1": r"imped(?:e|es|ed|ing)|hinder[a-z]*|hamper[a-z]*|obstruct[a-z]*|slow(?:s|ed|ing)?|阻碍|妨碍|延缓|放缓|拖慢|减缓",
    "stance:permit:1": r"permit(?:s|ted|ting)?|allow(?:s|ed|ing)?|允许|准许", "stance:permit:-1": r"prohibit[a-z]*|forbid[a-z]*|禁止",
    "stance:protect:1": r"protect(?:s|ed|ing)?|safeguard(?:s|ed|ing)?|保护|维护", "stance:protect:-1": r"endanger[a-z]*|jeopardi[sz][a-z]*|危及",
    "stance:succeed:1": r"success(?:ful|fully)?|succeed(?:s|ed)?|成功", "stance:succeed:-1": r"failures?|unsuccessful|失败",
    # Session 52 (rule S): leading / trailing, active / passive, attending / ignoring; "degree" last, after size and
    # height, so that 更大 / 更高 keep their axes. A bare 更 is not read: 更X is English's "-er", which no axis reads.
    "stance:lead:1": r"leading|leads|ahead|领先", "stance:lead:-1": r"trail(?:s|ed|ing)|behind|落后",
    "stance:active:1": r"active(?:ly)?|proactive(?:ly)?|积极|主动", "stance:active:-1": r"passive(?:ly)?|消极|被动",
    "stance:attend:1": r"emphasi[sz](?:e|es|ed|ing)|prioriti[sz](?:e|es|ed|ing)|重视",
    "stance:attend:-1": r"ignor(?:e|es|ed|ing)|neglect(?:s|ed|ing)?|overlook(?:s|ed|ing)?|disregard(?:s|ed|ing)?|忽视|忽略|漠视",
    "stance:degree:1": r"more|更多|更加|更为|更具|越来越(?!少)|越多|较多",
    "stance:degree:-1": r"less|fewer|更少|越来越少|越少|较少",
    "quantifier::all": r"all|every|each(?!\s+other)|entire|whole|unanimous(?:ly)?|全部|所有|全体|全面|一致(?=同意|通过|认为|决定|支持|赞成|表决)",
    "quantifier::some": r"some|several|a\s+few|partial|partly|(?<!另)一部分|(?<![第一二三四五六七八九十0-9该本此这各大子成])部分|一些|某些|若干|有些|局部",
    "quantifier::majority": r"majorit(?:y|ies)|大多数|多数|大部分|过半|主流", "quantifier::minority": r"minorit(?:y|ies)|少数",
    "quantifier:amount:many": r"many|numerous|widespread|a\s+(?:large|great)\s+number\s+of|许多|很多|众多|大量|诸多|大批|普遍",
    "quantifier:amount:few": r"few(?!er)|少量|少许|很少|极少|个别",  # "a few" is "some" (matched first, from "a")
    "quantifier:bound:least": r"at\s+least|no\s+(?:fewer|less)\s+than|至少|不少于|不低于",
    "quantifier:bound:most": r"at\s+most|no\s+more\s+than|至多|不超过|不高于|不多于",
    # "not only … but also" (不仅 / 不只 … 还) restricts nothing: not the quantifier "only" (journal, session 41)
    "quantifier::only": r"(?<!not )(?<!n't )only|solely|sole|exclusively|(?<![不仅])仅仅|(?<![不仅])仅|(?<!不)只|唯一",
    # 而不是 / 而非 "rather than" is a contrast English writes with no negation ("instead of"): not one (session 50)
    "negation::not": r"没有|并未|从未|尚未|并非|(?<!而)不是|并不|毫无|不(?!(?<=而不)是)(?!断|仅|同|少|久|过|但|论|管|得|止|外|可或缺|确定|一定|利|免|妨|料)"
                     r"|未(?!来|成年|必|知)|(?<!有)无(?!论|人机|线|数|疑|限)|(?<![除北南东西中而])非(?!常|法|洲|裔|营利|盈利|政府)|(?<!\bor )not(?!\s+only\b)|never"
                     r"|(?<!yes or )(?<!yes\x22 or \x22)(?<!yes” or “)no(?!\.|\s+(?:longer\s+)?only\b)|none|neither|nor|(?<!with or )without|cannot|n't",
}
LATIN_START = r"(?:(?<![A-Za-z])(?=[A-Za-z])|(?<=[A-Za-z])(?=n't)|(?![A-Za-z]))"
LATIN_END = r"(?:(?<=[A-Za-z])(?![A-Za-z-])|(?<![A-Za-z]))"
# Membership words that say "does not have" (lack / 缺乏): where the other text has no membership word to compare them
# with, they are read as the negation they hold ("lack sufficient protections" against "have sufficient protections").
PRIVATIVE = re.compile(rf"(?<![A-Za-z])(?:{_LACK}|missing|{_ABSENCE})(?![A-Za-z])|{_QUE}", re.IGNORECASE)
LEXICON = {kind: (re.compile("|".join(rf"(?P<w{i}>{LATIN_START}(?:{WORDS[key]}){LATIN_END})"
                                       for i, key in enumerate(keys)), re.IGNORECASE), keys)
            for kind in ("stance", "quantifier", "negation") for keys in [[k for k in WORDS if k.startswith(kind)]]}
FLIP = {True: re.compile(r"(?:没有|并未|从未|尚未|并非|不是|并不|不|未|非|无)(?:会|能|再|曾|愿|应|予|被)?$"),
         False: re.compile(r"(?:\bnot(?!\s+only\b)|n't|\bnever|\bno)"
                           r"(?:\s+(?!(?:all|every|each|some|only|and|or|but|nor)\b)[A-Za-z]+){0,2}?\s+$", re.IGNORECASE)}
# Reach in characters, {Chinese: …, English: …}, of a negation before a stance it flips ("不承担"), of a negation's scope, of a
# membership word after an entity. Claim-model features (rag/data/claim_model*.json: re-fit after a change); no settings here.
CUE_CHARS, SCOPE_CHARS, MEMBER_CHARS = {True: 4, False: 30}, {True: 12, False: 60}, 40
# Slots whose values read the same in either language: across languages a clause is told apart by them (rag.answer.slots).
ANCHOR_KINDS = frozenset({"quantity", "date", "entity", "ordinal"})
# Across languages a negation is compared as a clause's: a Chinese negation character inside a word that jieba
# keeps whole and that does not start with it (默默无闻 "obscurity", 停滞不前 "stagnated") is part of that word's
# meaning (unit "lexical"), while an English word negated by its affix or meaning ("unequal", "connectionless",
# "lacks", "failed to") reads as 不相等 or 没有 does. (Negation-first words such as 无序 / 无权 are half the one,
# half the other; counted as negations, they measured better on the claim benchmark's tune half.) "unknown" and
# "uncertain" are not, as 未知 and 不确定 are not among the Chinese negations; "unlike" and "unfold" negate nothing
# (journal, session 33).
AFFIX_NEGATIVE = re.compile(
    r"(?<![A-Za-z-])(?:un(?!der|til|it|ion|iq|iv|if|anim|less|known|certain|like|fold)[a-z]{4,}|non-?[a-z]{4,}|fail(?:s|ed)?\s+to"
    rf"|{_LACK}|unable|impossible|insufficient|{_ABSENCE}"
    r"|(?!(?:unless|regardless|nevertheless|nonetheless)(?![a-z]))[a-z]{3,}less)(?![A-Za-z])", re.IGNORECASE)
