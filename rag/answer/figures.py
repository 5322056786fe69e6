"""Figures and dates in Chinese and English text: numbers with what they count (unit and scale: 1亿英镑 =
100 million pounds), dates (2024年2月 = February 2024) and bare years, and every number a text writes. The
slots (``rag.answer.slots``) and the claim features (``rag.answer.claim_features``) read figures only here.

Usage::

    from rag.answer.figures import amounts_in, full_dates_in, quantities_in, years_in

    quantities_in("初始资金1亿英镑")        # [(100000000.0, 'GBP', 4, 8)]
    full_dates_in("2024年2月成立")          # [((2024, 2, None), 0, 7)]
    years_in("于1774年命名, in 1777")       # [((1774, None, None), 1, 6), ((1777, None, None), 13, 17)]
    amounts_in("100 million pounds")       # {100000000.0}: a scaled amount, as 1亿 is
    gloss_scaled("初始资金1亿英镑")           # "初始资金1亿（100 million）英镑"

Standard library only.
"""

from __future__ import annotations

import math
import re
import unicodedata


def fold(text: str) -> str:
    """NFKC where it keeps one character (full-width forms, PDF Kangxi radicals such as ⾦): same offsets."""
    return "".join(n if len(n := unicodedata.normalize("NFKC", c)) == 1 else c for c in text)


def alternation(words: dict[str, str] | dict[str, float]) -> str:
    """Longest-first alternation; Latin words only as whole words, inner spaces as any whitespace."""
    parts = []
    for w in sorted(words, key=len, reverse=True):
        pat = re.escape(w).replace(r"\ ", r"\s+")
        parts.append(rf"(?<![A-Za-z]){pat}(?![A-Za-z])" if w[-1].isascii() and w[-1].isalpha() else pat)
    return "|".join(parts)


# --- numbers: digits, Chinese numerals, English number words ----------------------------------------------
_ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_ZH_POWERS = {"十": 10, "百": 100, "千": 1000}
EN_NUMBERS = {w: i for i, w in enumerate("_ one two three four five six seven eight nine ten eleven twelve thirteen "
                                         "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()) if i}
EN_NUMBERS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "dozen": 12, "a dozen": 12}
_ZH_NUM = "零〇一二两三四五六七八九十百千万亿"


def zh_numeral(s: str) -> float:
    """一 … 九千九百九十九万…亿, and digit strings read digit by digit (二〇二四 = 2024)."""
    if len(s) > 1 and all(ch in _ZH_DIGITS for ch in s):
        return float("".join(str(_ZH_DIGITS[ch]) for ch in s))
    total, section, digit = 0.0, 0.0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_POWERS:
            section, digit = section + (digit or 1) * _ZH_POWERS[ch], 0
        elif ch == "万":
            total, section, digit = total + ((section + digit) or 1) * 1e4, 0.0, 0
        elif ch == "亿":
            total, section, digit = ((total + section + digit) or 1) * 1e8, 0.0, 0
    return total + section + digit


def parse_number(token: str) -> float:
    """A number written in digits (with thousands commas), Chinese numerals or English number words."""
    t = re.sub(r"\s+", " ", token.lower().replace(",", ""))
    return float(t) if t[0].isdigit() else float(EN_NUMBERS[t]) if t in EN_NUMBERS else zh_numeral(t)


# --- quantities: a number with what it counts (a bare number may be a year, a footnote or a section) ---------
_SCALES = {"万亿": 1e12, "千万": 1e7, "百万": 1e6, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2, "hundred": 1e2,
           "thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_PREFIX = {"us$": "USD", "usd": "USD", "$": "USD", "c$": "CAD", "ca$": "CAD", "cad": "CAD", "£": "GBP", "gbp": "GBP",
           "€": "EUR", "eur": "EUR", "¥": "CNY", "rmb": "CNY", "cny": "CNY", "人民币": "CNY", "jpy": "JPY",
           "a$": "AUD", "hk$": "HKD"}
UNIT_SPEC = {  # base unit: (English name, Chinese name, other words for it)
    "GBP": ("pounds", "英镑", "pound|pounds sterling|sterling"), "USD": ("dollars", "美元", "dollar|us dollars"),
    "EUR": ("euros", "欧元", "euro"), "CNY": ("yuan", "元", "人民币|renminbi"), "JPY": ("yen", "日元", ""),
    "CAD": ("Canadian dollars", "加元", "加拿大元"), "AUD": ("Australian dollars", "澳元", ""),
    "HKD": ("Hong Kong dollars", "港元", ""), "%": ("%", "%", "percent|per cent"),
    "pp": ("percentage points", "个百分点", ""), "day": ("days", "天", "日|day"), "week": ("weeks", "周", "个星期|week"),
    "month": ("months", "个月", "month"), "year": ("years", "年", "year"), "hour": ("hours", "小时", "hour"),
    "country": ("countries", "个国家", "国|个成员国|country|nations|member states"),
    "member": ("members", "个成员", "名成员|member"), "company": ("companies", "家公司", "家企业|家|company|firms|labs"),
    "person": ("people", "人", "名|位|persons|employees|staff|experts|researchers|officials"),
    "count": ("", "个", "项|institutes|agencies|organisations|organizations|principles|commitments|signatories|models"),
    # Measures: each its own unit, not converted (3.3 miles beside 5.3 km is the same distance, rounded).
    "km": ("kilometres", "公里", "千米|km|kilometre|kilometers|kilometer"), "mile": ("miles", "英里", "mile"),
    "km2": ("square kilometres", "平方公里", "平方千米|km2|km²|square kilometre|square kilometers|square kilometer"),
    "acre": ("acres", "英亩", "acre"), "hectare": ("hectares", "公顷", "ha|hectare"),
    "tonne": ("tonnes", "吨", "tonne|tons|ton"), "kg": ("kilograms", "公斤", "千克|kg|kilogram"),
    # Things of no unit above: a Chinese measure word or an English plural noun ("three fumbles", "750 MEPs", "two men").
    "counted": ("", "", "次|条|种|座|所|部|支|批|场|只|台|架|艘|辆|枚|颗|篇|本|份|层|倍"),
}
CURRENCIES = frozenset({"GBP", "USD", "EUR", "CNY", "JPY", "CAD", "AUD", "HKD"})  # the base units of sums of money
# Units that count things; across languages what is counted is named differently (四次 / "three fumbles",
# 380名议员 / "750 MEPs"), so a plain count is compared with any of them (rag.answer.slots).
COUNTED = frozenset({"count", "counted", "person", "member", "company", "country"})
_NOT_NOUNS = r"(?:was|has|is|its|his|this|thus|plus|less|unless|across|versus|towards|as|us|does|always|perhaps|ones)"
_UNITS = {w: base for base, (en, zh, more) in UNIT_SPEC.items() for w in [en.lower(), zh, *more.split("|")] if w}
# "16 leading AI companies", "eight Metropolitan Statistical Areas", "17 Tesla patents"
_ADJECTIVES = r"(?:(?!(?:of|and|or|in|the|to|for)\s)(?-i:[a-z][a-z-]*|[A-Z]{2,}|[A-Z][a-z]+)\s+){0,2}"
_QUANTITY = re.compile(
    rf"(?<![A-Za-z0-9.第{_ZH_NUM}])(?P<pre>{alternation(_PREFIX)})?\s?(?P<pct>百分之)?"
    rf"(?P<num>[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?|[{_ZH_NUM}]+"
    rf"|(?:{'|'.join(sorted(EN_NUMBERS, key=len, reverse=True))})(?![A-Za-z]))"
    rf"(?P<scale>(?:\s?(?:{alternation(_SCALES)}))*)(?:多|余)?"
    rf"(?:[\s-]?{_ADJECTIVES}(?P<unit>{alternation(_UNITS)})"  # a unit first, however few words before it
    rf"|[\s-]?{_ADJECTIVES}(?!{_NOT_NOUNS}(?![A-Za-z]))(?P<noun>(?-i:[a-z]{{2,}}s|[A-Z]{{2,}}s|[A-Z][a-z]+s|[a-z]*men|children))(?![A-Za-z]))?",
    re.IGNORECASE)
_SECTION_BEFORE = re.compile(r"(?i)(?:section|article|chapter|figure|table|annex|part|page|paragraph|no\.|§)\s*$")
_WORD_AFTER = {"人": "工民", "国": "际内务家集", "名": "称单义", "位": "于置", "家": "庭", "项": "目",  # 人工智能, 国际…
               "部": "分门长署委", "所": "有属以在", "场": "景所合地", "条": "款例件约", "本": "身"}
# "another 50 have not been described": a bare number after another / a further counts what the sentence counts
_ANOTHER = re.compile(r"(?<![A-Za-z])(?:another|an?\s+(?:additional|further|extra))\s+$", re.IGNORECASE)
_ARTICLE_LIKE = {"一", "one"}  # "一个 / 一次 / one of…": as often "a" as a count
# A four-digit number with 年 is a year, not a span of years ("于1774年命名"); in English only 19xx/20xx years
# are read as years without a preposition ("1,500 years" is a span).
_YEAR_WITH_NIAN = re.compile(r"(?:1[0-9]|20)[0-9]{2}")


def _quantity(m: re.Match[str], text: str) -> tuple[float, str, int, int] | None:
    """(value, base unit, start, end) of a number that says what it counts, else None."""
    unit_key = re.sub(r"\s+", " ", (m["unit"] or "").lower())
    another = not (m["pre"] or m["pct"] or m["unit"] or m["noun"] or m["scale"]) and _ANOTHER.search(text[:m.start()][-20:])
    base = (_PREFIX.get((m["pre"] or "").lower()) or ("%" if m["pct"] else None) or _UNITS.get(unit_key)
            or ("counted" if m["noun"] or another else None))
    scales = [s.lower() for s in re.findall(alternation(_SCALES), m["scale"] or "", re.IGNORECASE)]
    if base is None or ({"m", "bn"} & set(scales) and base not in _PREFIX.values()):
        return None
    num = m["num"]
    year = _YEAR_WITH_NIAN.fullmatch(num) and base == "year" and (unit_key == "年" or num[:2] in ("19", "20"))
    generic = bool(m["noun"] or another) or _UNITS.get(unit_key) == "counted"
    if (year or (num == "一" and unit_key in {*"个家名位项"}) or (generic and num.lower() in _ARTICLE_LIKE)
            or (m["noun"] and _YEAR_WITH_NIAN.fullmatch(num) and not m["scale"])
            or (text[m.end():m.end() + 1] or "-") in _WORD_AFTER.get(unit_key, "")
            or _SECTION_BEFORE.search(text[:m.start()][-14:])
            or (base == "year" and len(num) == 2 and _YEAR_RANGE_TAIL.search(text[:m.start()][-10:]))):
        return None  # "2024年" a date, "一个/一家" an article, 七国集团 the G7, "Section 4 …" a section, "1348-50年" years
    start = m.start() if m["pre"] else m.start("pct") if m["pct"] else m.start("num")
    end = m.end() if m["unit"] or m["noun"] else (m.end("scale") if m["scale"] else m.end("num"))
    return round(parse_number(num) * math.prod(_SCALES[s] for s in scales), 6), base, start, end


# Fractions (unit "fraction", the value the share): "a third of", "two-thirds", "half of", 三分之一, 一半. A singular
# "a third" is a share only before "of" ("a third party" is 第三方, an ordinal); 百分之 is a percentage (above).
_DENOMINATORS = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9, "tenth": 10}
_FRACTION = re.compile(
    rf"(?<![A-Za-z])(?P<n>a|one|two|three|four|five|six|seven|eight|nine|[0-9]+)[\s-]+"
    rf"(?:(?P<pl>{'|'.join(d for d in _DENOMINATORS if d != 'half')})s|(?P<sg>{'|'.join(_DENOMINATORS)})(?=\s+of\b))(?![A-Za-z])"
    r"|(?<![A-Za-z])half(?=\s+(?:of|the)\b)"
    rf"|(?<![{_ZH_NUM}])(?P<zd>[一二两三四五六七八九十0-9]+)分之(?P<zn>[一二两三四五六七八九十0-9]+)|(?P<zh>一半|半数)",
    re.IGNORECASE)


def fractions_in(folded: str) -> list[tuple[float, int, int]]:
    """(share, start, end) of each fraction ``folded`` writes."""
    found = []
    for m in _FRACTION.finditer(folded):
        if m["zd"]:
            share = parse_number(m["zn"]) / parse_number(m["zd"])
        elif m["pl"] or m["sg"]:
            share = (1.0 if m["n"].lower() == "a" else parse_number(m["n"])) / _DENOMINATORS[(m["pl"] or m["sg"]).lower()]
        else:
            share = 0.5
        found.append((round(share, 4), m.start(), m.end()))
    return found


def quantities_in(folded: str) -> list[tuple[float, str, int, int]]:
    """(value in its base unit, base unit, start, end) of each number ``folded`` gives with what it counts; a fraction
    is one, unit "fraction" (the count of "two-thirds" is not 2)."""
    shares = [(share, "fraction", start, end) for share, start, end in fractions_in(folded)]
    counts = [q for q in (_quantity(m, folded) for m in _QUANTITY.finditer(folded)) if q is not None]
    return sorted(shares + [q for q in counts if not any(s < q[3] and q[2] < e for _, _, s, e in shares)],
                  key=lambda q: q[2])


# --- dates: value (year, month, day), any of them None ------------------------------------------------------
DateValue = tuple[int | None, int | None, int | None]
MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTHS = {n: i + 1 for i, n in enumerate(MONTH_NAMES)} | {n[:3]: i + 1 for i, n in enumerate(MONTH_NAMES)}
_MON = rf"(?<![A-Za-z])(?P<mon>{'|'.join(sorted([*_MONTHS, 'sept'], key=len, reverse=True))})(?![A-Za-z])\.?"
_Y, _M, _D = r"(?P<y>(?:19|20)[0-9]{2})", r"(?P<m>[0-9]{1,2})", r"(?P<d>[0-9]{1,2})"
_ANY_Y = r"(?P<y>(?:1[0-9]|20)[0-9]{2})"  # with 年 or a month name any year 1000–2099 is one
_DATES = [re.compile(p, re.IGNORECASE) for p in (
    rf"{_ANY_Y}\s*年\s*{_M}\s*月\s*{_D}\s*(?:[-~至到]\s*[0-9]{{1,2}}\s*)?[日号]",  # 2024年11月21-22日: the first day
    rf"(?<![0-9]){_Y}[-/]{_M}(?:[-/]{_D})?(?![0-9])",
    rf"{_MON}\s*{_D}(?:st|nd|rd|th)?,?\s*{_ANY_Y}(?![0-9])",
    rf"(?<![0-9]){_D}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s*{_ANY_Y}",
    rf"{_ANY_Y}\s*年\s*{_M}\s*月", rf"{_MON},?\s+(?:of\s+)?{_ANY_Y}(?![0-9])", rf"(?<![0-9]){_M}\s*月\s*{_D}\s*[日号]")]
# A bare year: 19xx/20xx anywhere; an earlier one with 年, after a preposition ("in 1777", "1774年"), after "of"
# where a name or a time word precedes it ("the Edict of 1685", "the summer of 1520": not "a total of 1500"), or
# alone in brackets ("(1686)", "（约1455-1536）", "(1526 forward)": not "(1600 mm)"), or before a two-digit end ("1576–77").
_YEAR_END = r"(?![0-9]|\.[0-9]|%|,[0-9])"
_YEAR = re.compile(
    rf"(?<![0-9A-Za-z.$£€¥]){_Y}(?:\s*年)?(?![0-9]|\.[0-9]|%)"
    r"|(?<![0-9A-Za-z.$£€¥,])(?P<y2>1[0-9]{3})\s*年"
    r"|(?<![A-Za-z])(?:in|on|by|since|until|till|from|before|after|during|between|around|circa|c\.)\s+"
    rf"(?P<y3>1[0-9]{{3}}){_YEAR_END}"
    r"|(?<![A-Za-z])(?:(?!(?:one|some|most|many|all|each|out|any|none|both|several|few|total|half|part)\s)"
    r"(?-i:[A-Z][A-Za-z]+)|summer|winter|spring|autumn|fall|year|end|beginning|start|middle)"
    rf"\s+of\s+(?P<y4>1[0-9]{{3}}){_YEAR_END}"
    r"|[(（]\s*(?:c\.\s*|ca\.\s*|约)?(?P<y5>1[0-9]{3})(?=\s*(?:[)）\-–—~,，;；]|forward|onward))"
    r"|(?<![0-9A-Za-z.$£€¥,])(?P<y6>1[0-9]{3})(?=\s*[-–—~]\s*[0-9]{2}(?![0-9]|\.[0-9]|%))", re.IGNORECASE)
# The other end of a range whose one end is a year is a year ("between 1361 and 1528", "1361和1528年间", "1453–1536");
# "and" only after "between", 和 / 与 only before a year with 年. A two-digit end is the year in the first's century
# ("1348-50年间" 1348 to 1350, "1576–77"), not a span of years.
_RANGE_AFTER = re.compile(r"(?:\s*年)?\s*(?P<word>[-–—~～至到和与]|to|and)\s*(?P<y>(?:1[0-9]|20)[0-9]{2})" + _YEAR_END,
                          re.IGNORECASE)
_RANGE_BEFORE = re.compile(r"(?<![0-9A-Za-z.$£€¥,])(?P<y>(?:1[0-9]|20)[0-9]{2})(?:\s*年)?\s*(?P<word>[-–—~～至到和与]|to|and)\s*$",
                           re.IGNORECASE)
_YEAR_RANGE_TAIL = re.compile(r"(?:1[0-9]|20)[0-9]{2}\s*[-–—~]\s*$")
_TWO_DIGIT_END = re.compile(r"\s*[-–—~]\s*(?P<y>[0-9]{2})(?![0-9]|\.[0-9]|%|,[0-9])")


def _date(m: re.Match[str]) -> DateValue | None:
    g = {k: v for k, v in m.groupdict().items() if v}
    month = _MONTHS.get(g["mon"].lower()[:3]) if "mon" in g else int(g.get("m", 0)) or None
    day, year = int(g.get("d", 0)) or None, int(g.get("y", 0)) or None
    return None if (month or 1) > 12 or (day or 1) > 31 else (year, month, day)


def full_dates_in(folded: str) -> list[tuple[DateValue, int, int]]:
    """(date, start, end) of each date with a month (and maybe a day) in ``folded``, pattern by pattern."""
    return [(value, m.start(), m.end()) for pattern in _DATES for m in pattern.finditer(folded)
            if (value := _date(m)) is not None]


def years_in(folded: str) -> list[tuple[DateValue, int, int]]:
    """((year, None, None), start, end) of each bare year in ``folded`` (the preposition is not part of it)."""
    found: list[tuple[DateValue, int, int]] = []
    for m in _YEAR.finditer(folded):
        group = next(g for g in ("y", "y2", "y3", "y4", "y5", "y6") if m[g])
        found.append(((int(m[group]), None, None), m.start(group), m.end() if group in ("y", "y2") else m.end(group)))
    return sorted(found + _range_ends(folded, found), key=lambda f: f[1])


def _range_word_fits(folded: str, first: int, word: str, second_end: int) -> bool:
    """Whether ``word`` joins two years: "and" only after "between", 和 / 与 only before a year with 年."""
    if word.lower() == "and":
        return re.search(r"between\s+(?:c\.\s*)?$", folded[max(0, first - 14):first], re.IGNORECASE) is not None
    return word not in "和与" or folded[second_end:second_end + 2].lstrip().startswith("年")


def _range_ends(folded: str, found: list[tuple[DateValue, int, int]]) -> list[tuple[DateValue, int, int]]:
    """The unread ends of year ranges whose other end ``found`` holds (``_RANGE_AFTER``, ``_RANGE_BEFORE``)."""
    taken = [(s, e) for _, s, e in found]
    ends: list[tuple[DateValue, int, int]] = []
    for _, start, _ in found:
        after = _RANGE_AFTER.match(folded, start + 4)
        if after and _range_word_fits(folded, start, after["word"], after.end("y")):
            ends.append(((int(after["y"]), None, None), after.start("y"), after.end("y")))
        elif tail := _TWO_DIGIT_END.match(folded, start + 4):
            first = int(folded[start:start + 4])
            year = first // 100 * 100 + int(tail["y"])
            ends.append(((year + 100 if year < first else year, None, None), tail.start("y"), tail.end("y")))
        before = _RANGE_BEFORE.search(folded, max(0, start - 12), start)
        if before and _range_word_fits(folded, before.start("y"), before["word"], start + 4):
            ends.append(((int(before["y"]), None, None), before.start("y"), before.end("y")))
    fresh = []
    for end in sorted(set(ends), key=lambda e: e[1]):
        if not any(s < end[2] and end[1] < e for s, e in taken):
            fresh.append(end)
            taken.append((end[1], end[2]))
    return fresh


# --- every number a text writes (the claim features compare these as sets) ----------------------------------
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|[零〇一二两三四五六七八九十百千]+|\b(?:"
                     + "|".join(sorted(EN_NUMBERS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
# A number a scale word follows writes an amount: "100 million" and "1亿" are one number, 1e8.
_SCALED = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万亿|亿|万|(?:thousand|million|billion|trillion)\b)", re.IGNORECASE)


def numbers_in(text: str) -> set[float]:
    """Every number ``text`` writes, in digits, Chinese numerals or English number words, with or without a
    unit. 一 and "one" are left out: as often "a" or "one and the same" (一个, 一致, "one of the largest")."""
    found: set[float] = set()
    for match in _NUMBER.finditer(text):
        token = match.group().lower()
        if token in ("一", "one"):
            continue
        try:
            found.add(float(token.replace(",", "")) if token[0].isdigit() else parse_number(token))
        except ValueError:  # "1.2.3", a section number
            continue
    return found


def _scaled_value(match: re.Match[str]) -> float:
    """The amount a ``_SCALED`` match writes ("100 million", "1亿": 1e8); ValueError for a digit run that is no
    number ("1.2.3")."""
    return float(match.group(1).replace(",", "")) * _SCALES[match.group(2).lower()]


def amounts_in(text: str) -> set[float]:
    """``numbers_in``, with each number a scale word follows read as the amount it writes, so that
    "100 million pounds" and "1亿英镑" state the same number (the bare 100 and 1 differ)."""
    found: set[float] = set()

    def amount(match: re.Match[str]) -> str:
        value = _scaled_value(match)
        found.add(float(f"{value:.6g}"))  # 4.65 × 1e7 and 4650 × 1e4 are one amount
        return " "

    return found | numbers_in(_SCALED.sub(amount, text))


_EN_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def english_amount(value: float) -> str:
    """An amount as English writes it: 1e8 → "100 million", 1.5e9 → "1.5 billion", 30000 → "30,000"."""
    for scale, word in _EN_SCALES:
        if value >= scale:
            return f"{value / scale:.6g} {word}"
    return f"{value:,.6g}"


_ZH_SCALES = ((1e8, "亿"), (1e4, "万"))
_ZH_SCALE_WORDS = ("万亿", "亿", "万")


def chinese_amount(value: float) -> str:
    """An amount as Chinese writes it: 1e8 → "1亿", 1e9 → "10亿", 5e7 → "5000万", 300 → "300"."""
    for scale, word in _ZH_SCALES:
        if value >= scale:
            return f"{value / scale:.6g}{word}"
    return f"{value:.6g}"


def gloss_scaled(text: str) -> str:
    """Each amount written with a scale word, followed by its reading in the other language, in brackets:
    "1亿英镑" → "1亿（100 million）英镑", "1 billion pounds" → "1 billion (10亿) pounds". For a reader that
    compares the digits of two languages (it read "100 million pounds" against 1亿英镑 as a contradiction and
    "1 billion" as agreeing with it). One pass: a gloss is never glossed again."""
    def gloss(match: re.Match[str]) -> str:
        try:
            value = _scaled_value(match)
        except ValueError:  # "1.2.3 million": a section number, not an amount
            return match.group(0)
        if match.group(2) in _ZH_SCALE_WORDS:
            return f"{match.group(0)}（{english_amount(value)}）"
        return f"{match.group(0)} ({chinese_amount(value)})"

    return _SCALED.sub(gloss, text)
