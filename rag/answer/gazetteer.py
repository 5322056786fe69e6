"""The gazetteer: countries, organisations, cities and people with their English and Chinese names
(``rag/data/gazetteer.tsv``), read once into one pattern that finds any of their names in either language.

Usage::

    from rag.answer.gazetteer import gazetteer

    pattern, aliases, info = gazetteer()
    m = pattern.search("英国AISI初始资金1亿英镑")       # the longest name first: 英国
    info[aliases[m.group()]]                          # ('country', 'United Kingdom', '英国')

Standard library only.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from rag.answer.figures import fold
from rag.text.cjk import has_han

logger = logging.getLogger(__name__)

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.tsv"


@lru_cache(maxsize=1)
def gazetteer() -> tuple[re.Pattern[str], dict[str, str], dict[str, tuple[str, str, str]]]:
    """(pattern, alias -> id, id -> (class, English name, Chinese name)) from ``GAZETTEER``."""
    aliases: dict[str, str] = {}
    info: dict[str, tuple[str, str, str]] = {}
    if not GAZETTEER.is_file():
        logger.warning("no gazetteer at %s: no entity slots", GAZETTEER)
    lines = GAZETTEER.read_text(encoding="utf-8").splitlines() if GAZETTEER.is_file() else []
    for line in (row for row in lines if row.strip() and not row.startswith("#")):
        ident, cls, en, zh = (line.split("\t") + ["", "", ""])[:4]
        en_names, zh_names = [a for a in en.split("|") if a], [fold(a) for a in zh.split("|") if a]
        info[ident] = (cls, (en_names or [ident])[0], (zh_names or en_names or [ident])[0])
        for alias in en_names + zh_names:  # short Latin names are case-sensitive: "US" is not "us"
            aliases[re.sub(r"\s+", " ", alias).lower() if len(alias) > 5 or has_han(alias) else alias] = ident
    parts = []
    for alias in sorted(aliases, key=len, reverse=True):
        flags, pat = "i" if len(alias) > 5 else "", re.escape(alias).replace(r"\ ", r"\s+")
        parts.append(f"(?i:{pat})" if has_han(alias) else rf"(?<![A-Za-z0-9])(?{flags}:{pat})(?![A-Za-z0-9])")
    return re.compile("|".join(parts) or r"(?!)"), aliases, info
