"""Noise inside a table region, classified before any value is read.

A value region (the text between one label and the next) may hold more than values: page furniture where a page
breaks inside a table ("- 3 -", "第3页 共12页", "3/12", or bare page numbers counting the pages, each followed by the
running header), the running header or footer (the report's title, the agency, a date), a note (注/说明/备注 and its
continuation, to the end of the region) or a narrative sentence. Their digits are never values, and numbers on
either side of them are never joined into one (`Piece.after_text`).
"""

from __future__ import annotations

import re
from collections import Counter

# Page numbers, a whole line: "- 3 -", "— 3 —", "第3页", "第 3 页 共 12 页", "共12页 第3页", "3/12", "3 / 12", "Page 3 of 12".
_PAGE = re.compile(
    r"\s*(?:[-—–−]\s*\d{1,4}\s*[-—–−]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*")
# A date alone on a line: "2024-01-17", "2024.1.17", "2024/01/17", "2024年1月17日".
_DATE = re.compile(r"\s*(?:19|20)\d{2}\s*(?:[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}|年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)\s*")
_BARE_NUMBER = re.compile(r"\s*\d{1,3}\s*")
_VALUE = re.compile(r"\s*[-+]?[\d,.]+\s*(?:万元|元)?\s*")
# Where a note begins: 注/说明/备注 with a colon or a number ("注：", "注1:", "说明：", "备注 ").
NOTE_START = re.compile(r"(?<![\u4e00-\u9fff])(?:注|说明|备注)\s*\d{0,2}\s*[:：]|^\s*注\s*\d{0,2}\s+(?=[\u4e00-\u9fff])",
                        re.M)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that stand in a value cell: units, not-applicable markers, sign words.
_CELL_WORDS = re.compile(r"万元|元|件|项|个|无|不适用|增加|减少|增|减")
# A running header or footer: the report's title (its words, or a year), or a line repeated on every page naming
# the agency. (A repeated line alone could be a label: the seed prints table 四 twice.)
_TITLE = re.compile(r"年度报告|年报|工作报告|(?:19|20)\d{2}\s*年")
# A running title: short, no sentence mark, naming the annual report (a header line even where it is printed once).
# (Not a wrapped sentence: one opening with the 年 of a year on the line before, or quoting a document's 《title》.)
_RUNNING_TITLE = re.compile(r"(?!年)[^。，；,;《》]{0,30}年度报告[^。，；,;《》]{0,12}")
AGENCY = re.compile(r"(?:政府|办公室|办公厅|局|委员会|委|厅|院|中心|办)\s*$")  # a line naming the agency


def is_text(line: str) -> bool:
    """A line of words, not of values: two Chinese characters or more beside units and markers."""
    if line.isascii():  # most value lines: no Chinese character at all (the quick answer)
        return False
    return len(_CJK.findall(_CELL_WORDS.sub("", line))) >= 2


class Noise:
    """Which lines (tokens) of a stream are noise, and why: 'page', 'date', 'header' (a running header or footer);
    'maybe_page': a bare number that may be a page number or a value."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        stripped = [line.strip() for line in lines]
        counts = Counter(s for s in stripped if s)
        self.kind: dict[int, str] = {}
        for i, s in enumerate(stripped):
            if not s or (s.isdigit() and s.isascii()):  # a bare number is neither (only _page_numbers may say so)
                continue
            if _PAGE.fullmatch(s):
                self.kind[i] = "page"
            elif _DATE.fullmatch(s):
                self.kind[i] = "date"
            elif len(s) >= 6 and (_TITLE.search(s) or (counts[s] > 1 and AGENCY.search(s))) and is_text(s):
                self.kind[i] = "header"
        self._page_numbers(stripped, counts)
        # The report's title printed again as a running header: every copy after the first (which names the report).
        titles = [i for i, s in enumerate(stripped) if not s.isascii() and _RUNNING_TITLE.fullmatch(s)]
        self.repeated_titles = titles[1:]

    def _page_numbers(self, stripped: list[str], counts: Counter) -> None:
        """Bare numbers at a page's foot ("3", the next page's running header after it). They are page numbers
        where they count pages: every running header has one before it, at least two, each one more than the last,
        from 2 on. Where every header has one and they could count pages but do not prove it (only one, or gaps),
        each is 'maybe_page': the solver reads its row with and without it. Where a header follows a longer value, they
        are values (this report prints no bare page numbers). Headers after text prove nothing either way."""
        found = []
        for nxt in sorted(h for h, kind in self.kind.items() if kind == "header"):
            i = self._line_before(nxt)
            if i is not None and (counts[stripped[nxt]] > 1 or _RUNNING_TITLE.fullmatch(stripped[nxt])):
                s = stripped[i]
                if _VALUE.fullmatch(s):  # after text (a label, a sentence) a header proves nothing either way
                    found.append((i, int(s) if _BARE_NUMBER.fullmatch(s) else None))
        numbers = [n for _, n in found]
        if not numbers or None in numbers:
            return
        counting = len(numbers) >= 2 and numbers[0] >= 2 and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))
        # Could they be page numbers at all? Rising, from 1, and no more pages than lines before them.
        possible = numbers[0] >= 1 and all(a < b for a, b in zip(numbers, numbers[1:])) and all(
            n <= i for i, n in found)
        if not (counting or possible):
            return
        for i, _ in found:
            self.kind[i] = "page" if counting else "maybe_page"

    def _line_before(self, i: int) -> int | None:
        return next((j for j in range(i - 1, -1, -1) if self.lines[j].strip()), None)

    def of(self, i: int) -> str | None:
        return self.kind.get(i)
