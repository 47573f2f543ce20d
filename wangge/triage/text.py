"""Chinese text → features: jieba words, word bigrams and character bigrams.

jieba's dictionary is loaded lazily, once per process (about a second), with a
small user dictionary of grid terms that its general dictionary splits badly.
Character bigrams make the features survive segmentation errors.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from typing import Any

#: Domain terms kept whole by the segmenter.
USER_TERMS: tuple[str, ...] = (
    "井盖",
    "窨井盖",
    "占道经营",
    "占道",
    "店外经营",
    "飞线充电",
    "飞线",
    "消防通道",
    "消防栓",
    "消火栓",
    "电动车",
    "电瓶车",
    "共享单车",
    "小广告",
    "牛皮癣",
    "渣土",
    "渣土车",
    "泥头车",
    "扬尘",
    "遗撒",
    "掘路",
    "违建",
    "违章搭建",
    "承重墙",
    "液化气",
    "燃气",
    "煤气",
    "油烟",
    "河涌",
    "游商",
    "摊贩",
    "网格员",
    "物业费",
    "讨薪",
    "欠薪",
    "矫正对象",
    "社区矫正",
    "精神障碍",
    "独居老人",
    "三无食品",
    "路灯",
    "护栏",
    "垃圾箱",
    "果皮箱",
    "水浸街",
    "积水",
    "爆管",
)

#: Words too common to say anything about the category.
STOPWORDS: frozenset[str] = frozenset(
    "的 了 在 是 有 我 我们 你 他 她 它 这 那 就 都 也 还 很 太 又 被 把 给 让 和 与 及 "
    "一个 一直 好像 什么 怎么 一下 已经 没有 不 没 人 有人 上 下 里 前 后 吗 呢 吧 啊".split()
)

_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TOKEN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")

_lock = threading.Lock()
_tokenizer: Any = None


def tokenizer() -> Any:
    """The process's jieba tokenizer, initialised on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                with warnings.catch_warnings():
                    # jieba 0.42 has regexes in plain strings (SyntaxWarning on Python 3.12).
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba  # type: ignore[import-untyped]

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for term in USER_TERMS:
                    tk.add_word(term, freq=200_000)
                _tokenizer = tk
    return _tokenizer


def words(text: str) -> list[str]:
    """The text's words (letters lowered, punctuation and stop words dropped)."""
    out: list[str] = []
    for run in _TOKEN.findall(text.lower()):
        for word in tokenizer().lcut(run, HMM=True):
            if word and word not in STOPWORDS:
                out.append(word)
    return out


def features(text: str) -> list[str]:
    """Distinct features of ``text``: ``w:`` words, ``b:`` word bigrams, ``c:`` character bigrams."""
    found: dict[str, None] = {}
    ws = words(text)
    for w in ws:
        found["w:" + w] = None
    for a, b in zip(ws, ws[1:], strict=False):
        found[f"b:{a}_{b}"] = None
    for run in _HAN.findall(text):
        for i in range(len(run) - 1):
            found["c:" + run[i : i + 2]] = None
    return list(found)
