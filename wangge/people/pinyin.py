"""Pinyin of names, for search by full pinyin (``zhangwei``) or initials (``zw``)."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

#: Surnames read differently from the character's common reading.
SURNAMES = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "覃": "qin",
    "乐": "yue",
    "缪": "miao",
    "翟": "zhai",
    "尉": "yu",
    "召": "shao",
    "种": "chong",
    "繁": "po",
    "员": "yun",
}
_NOT_LETTERS = re.compile(r"[^a-z0-9]")


def name_pinyin(name: str) -> tuple[str, str]:
    """``("zhangwei", "zw")`` for 张伟; letters of non-Chinese names are kept as they are."""
    name = (name or "").strip()
    if not name:
        return "", ""
    syllables: list[str] = []
    rest = name
    if name[0] in SURNAMES:
        syllables.append(SURNAMES[name[0]])
        rest = name[1:]
    syllables += lazy_pinyin(rest, v_to_u=False)
    words = [w for s in syllables for w in _NOT_LETTERS.split(s.lower()) if w]
    return "".join(words)[:255], "".join(w[0] for w in words)[:50]
