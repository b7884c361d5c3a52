"""Text folding for matching only: traditional→simplified with Taiwan phrasing, full-width→half-width, spaces.

Raw text is never replaced: readers keep it for provenance, and only the aligner's matching uses the folded form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Characters NFKC leaves alone that real reports use interchangeably (applied after NFKC, which already makes
# full-width forms and the wide spaces half-width).
_EXTRA_CHARS = {
    "\u200b": "", "\ufeff": "",
    "“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
    "〔": "[", "〕": "]",
}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional (Taiwan standard) to simplified, with phrase conversion (規範性檔案 -> 规范性文件).

    Only for text known to be traditional: on simplified text tw2sp would rewrite mainland words (文件 -> 文档).
    """
    # OpenCC reads C strings: a NUL byte would silently end the text (a space keeps every position)
    return _converter("tw2sp").convert(text.replace("\x00", " "))


def as_taiwan_folded(label: str) -> str:
    """What a simplified label becomes when printed in Taiwan phrasing and folded back (查询 -> 查詢 -> 查找)."""
    return to_simplified(_converter("s2twp").convert(label))


def _width(text: str) -> str:
    """Half-width forms and the interchangeable characters made one."""
    # NFKC, then _EXTRA_CHARS replaced, faster: the normalization only when the text needs it, and one str.replace
    # per character present (str.translate with a mapping is slow on Chinese text; no replacement is itself a key,
    # so replacing one character after the other is the same as translating).
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    for char, replacement in _EXTRA_CHARS.items():
        if char in text:
            text = text.replace(char, replacement)
    return text


def fold(text: str, traditional: bool = False) -> str:
    """Matching form of a piece of text: simplified script, half-width forms, single spaces, no line breaks."""
    if traditional:
        text = to_simplified(text)
    return _SPACES.sub(" ", _width(text).replace("\n", " ")).strip()


def fold_lines(texts: list[str], traditional: bool = False) -> list[str]:
    """Each text folded as `fold` does, to one line, in one pass (one OpenCC call for all: line breaks survive the
    conversion), but neither stripped nor with its carriage returns made spaces, so a text keeps its length
    wherever folding keeps every character's."""
    if not texts:
        return []  # an empty document ("".split would give one line)
    joined = "\n".join(t.replace("\r", "").replace("\n", " ") for t in texts)
    if traditional:
        joined = to_simplified(joined)
    lines = _SPACES.sub(" ", _width(joined)).split("\n")  # no space run spans a line break: one pass for all
    if len(lines) != len(texts):  # a conversion made or ate a line break (never seen in text): fold one by one
        if len(texts) == 1:
            return [_SPACES.sub(" ", " ".join(lines))]
        return [fold_lines([t], traditional)[0] for t in texts]
    return lines


def is_traditional(text: str) -> bool:
    """True when converting to simplified changes a noticeable share of the CJK characters."""
    sample = "".join(_CJK.findall(text[:20000]))
    if not sample:
        return False
    converted = _converter("t2s").convert(sample)
    if converted == sample:  # simplified text: nothing to count
        return False
    changed = sum(a != b for a, b in zip(sample, converted))
    return changed / len(sample) > 0.02


_NON_KEY = re.compile(r"[^\w]|_", re.UNICODE)


def key(text: str) -> str:
    """Label key: folded text with every space and punctuation mark removed (letters, digits and CJK kept)."""
    return _NON_KEY.sub("", fold(text))
