"""The stop-word lists: one per language, the index's (``rag.text.lexical.tokenize`` drops them from every
passage and question), and the few readers that need another set, each written as the index's list
changed by what it must differ in, with the reason.

Changing ``ENGLISH_STOP_WORDS`` or ``CHINESE_STOP_WORDS`` changes the stored sparse vectors: bump
``rag.text.lexical.ANALYZER`` with it. The dictionary lists shape the lexicon cache and the passage
glosses (bump ``rag.ingest.gloss.GLOSS_VERSION``); ``NEGATION_SCOPE_STOP_WORDS`` shapes a feature of the
fitted claim model (``rag/data/claim_model*.json``): measure before changing any of them.

Usage::

    from rag.text.stopwords import CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS

    [w for w in "what did the institute say".split() if w not in ENGLISH_STOP_WORDS]  # ['institute', 'say']
"""

from __future__ import annotations

ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not of off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves also may might must shall within according among upon whether per via etc""".split()
)
CHINESE_STOP_WORDS = frozenset(
    """的 了 和 与 及 或 是 在 对 为 以 于 把 被 让 给 从 向 由 并 而 且 也 都 就 又 还 等 之 其 该 这 那 此 这些 那些
    一个 一些 什么 哪些 哪 吗 呢 吧 啊 么 个 中 上 下 将 已 已经 曾 会 能 可 可以 应 应该 要 需要 被 所 有 没有
    如何 怎么 为什么 根据 关于 通过 以及 方面 进行 提到 认为 表示 指出 据 文 一文 报告 说法 是否 属实""".split()
)

# The dictionary (``rag.text.english``, ``rag.text.lexicon``: CC-CEDICT glosses and a question's words to
# translate) also drops the glosses' shorthand (sb, sth, esp, e g) and words of a question's framing with no
# sense worth searching (say, mention, describe, true, false, kind, make); "us" too, as the acronym US is
# spelled out ("United States") before this list is read.
_DICTIONARY_NOISE = frozenset(
    """sb sth esp e g one's oneself something somebody someone kind type used us let get got make made like
    many much well without yet ever little say says said call called mention mentioned describe described
    true false however""".split()
)
# Reflexives stay in the dictionary as it was built and measured: dropping them changes 63 CC-CEDICT senses
# (我们 "we; us; ourselves; our" keeps only "ourselves") and so the passage glosses; not re-measured.
_REFLEXIVES = frozenset("herself himself myself ourselves themselves yourself yourselves".split())
DICTIONARY_ENGLISH_STOP_WORDS = (ENGLISH_STOP_WORDS | _DICTIONARY_NOISE) - _REFLEXIVES

# The index drops these question-framing and modal words; a Chinese question's translation keeps them, as it
# was built and measured (报告 report, 需要 need, 可以 can, 没有 not have); not re-measured without them.
_TRANSLATED_ALL_THE_SAME = frozenset(
    """一个 一些 一文 且 么 会 关于 可 可以 向 吗 吧 呢 哪 啊 属实 已 已经 应 应该 怎么 所 报告 指出 据 提到 文 方面 是否
    曾 根据 此 没有 由 给 能 表示 要 认为 让 说法 进行 通过 需要""".split()
)
# Pronouns and 怎样 the index keeps (a passage's own words) are not translated: they add no searchable sense.
_UNTRANSLATED_PRONOUNS = frozenset("我们 他们 它们 怎样".split())
DICTIONARY_CHINESE_STOP_WORDS = (CHINESE_STOP_WORDS - _TRANSLATED_ALL_THE_SAME) | _UNTRANSLATED_PRONOUNS

# Words of four letters or more that a negation's scope ignores when it looks for the same content in the other
# text (``rag.answer.slots``): the claim model was fitted with these 18, not the whole list.
NEGATION_SCOPE_STOP_WORDS = ENGLISH_STOP_WORDS & frozenset(
    "that this with from have been will which their there they were than into more also such does".split()
)

# Question words the index keeps (多少, 哪个, 为何): left out of the question terms that evidence must cover
# (``rag.text.terms``, which reads index tokens: the index's own list never reaches it).
QUESTION_WORDS = frozenset(
    """哪些方面 哪个 多高 多少 多大 多久 多长 什么样 怎样 怎么样 为何 几 几个 哪三个 哪5个 分别 回顾""".split()
)
