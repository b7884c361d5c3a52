"""Finding the three tables in a document's folded text stream: their regions, their labels and their layout.

Driven entirely by schemas/template.yaml: labels are searched in the template's printed order, the text between
one label and the next is the value region of the first, and the layout (2019 or 2021) is detected from the
labels present, never from the report's year.
"""

from __future__ import annotations

import os
import re
from functools import cache

from opendata.extract.stream import Stream, source_row
from opendata.fold import fold
from opendata.model import Document
from opendata.spec.template import TEMPLATE, Code, label_alternatives

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"
CJK = re.compile(r"[\u4e00-\u9fff]")

# Table 二 begins at the caption of its first sub-table (第二十条第（一）项), else at its header row's label (信息内容).
T2_CAPTIONS = tuple(dict.fromkeys(TEMPLATE.proactive_layout(t)[0]["caption"] for t in TEMPLATE.templates))
T2_HEADER = TEMPLATE.table(T2).spec["header_label"]
# Table 三 begins at a header label, or at its first row where that comes first.
T3_HEADERS = tuple(TEMPLATE.table(T3).spec["header_labels"])
T3_FIRST_ROW = TEMPLATE.table(T3).codes("rows")[0]

# Table 四's header labels (行政复议, 行政诉讼) and its first outcome (结果维持), of which a shattered header may print
# only the part it does not share with the next outcome (维持, the 结果 of 结果维持 / 结果纠正 printed once above).
T4_FIRST, T4_SECOND = TEMPLATE.table(T4).spec["header_labels"]
T4_OUTCOME, _T4_NEXT_OUTCOME = (o.zh for o in TEMPLATE.table(T4).codes("outcomes")[:2])
_T4_OUTCOME_TAIL = T4_OUTCOME[len(os.path.commonprefix([T4_OUTCOME, _T4_NEXT_OUTCOME])):]
# Table 四's header: 行政复议 … 行政诉讼 … 维持. A converted header may be shattered ("行政复议行政诉讼 / 未经复议直接
# 起诉复议后起诉 / 结果结果其他尚未 / … / 维持纠正…"), so up to 60 characters of header text, never a digit or a
# sentence mark (narrative), may stand between 行政诉讼 and the first 维持.
T4_HEADER = re.compile(
    f"(?:{label_alternatives(T4_FIRST)})" + r"[\W_]{0,12}?" + f"(?:{label_alternatives(T4_SECOND)})"
    + r"(?:[\W_]{0,12}?" + f"(?:{label_alternatives(T4_OUTCOME)})"
    + r"|[^\d。，；：]{0,60}?" + f"(?:{label_alternatives(_T4_OUTCOME_TAIL)})" + ")"  # "结果维\n持": a wrapped cell
)


# Table 三's row （六）其他处理: a value row in the 2019 layout, a group over three sub-rows in the 2021 one.
_OTHER_HANDLING = TEMPLATE.table(T3).code("rows", "other_handling")
_T3_WITHOUT_SUBROWS = next(t for t in TEMPLATE.templates if _OTHER_HANDLING.is_value_row(t))


# What may stand just before a section heading: a line break or a space (its own line, its own piece of run-together
# text), the end of a sentence, or a digit (the last value of a table run together with the next heading); then maybe
# an ordinal of another numbering than the template's ("三、政府信息公开行政复议、行政诉讼情况").
_HEADING_BEFORE = re.compile(r"(?:^|[\s。；;！!？?\d])(?:[一二三四五六七八九十]{1,3}\s*、|[(（][一二三四五六七八九十]{1,3}[)）])?\s*$")


@cache
def pattern(*labels: str) -> re.Pattern:
    return re.compile(label_alternatives(*labels))


@cache
def telling_codes(name: str) -> tuple[Code, ...]:
    """The exclusive codes of a table (`Template.exclusive_codes`) whose label, found in a text, proves their
    template: those whose label pattern finds no label another template prints in that table (（六）其他处理 is
    printed in both layouts of table 三; 3.其他 would be found in the column 其他)."""
    table = TEMPLATE.table(name)
    codes = [c for list_name in table.kinds.values() for c in table.codes(list_name)]
    out = []
    for template, exclusive in TEMPLATE.exclusive_codes(name).items():
        others = [fold(label) for c in codes if set(c.templates) - {template} for label in (c.zh, *c.variants)]
        out += [c for c in codes if c.code in exclusive and not any(c.pattern.search(label) for label in others)]
    return tuple(out)


class Locator:
    """A document's stream with what the table readers share: search, table regions, layouts, source rows and the
    reading errors collected so far."""

    def __init__(self, doc: Document, stream: Stream, year: int | None = None):
        self.doc = doc
        self.year = year  # the report year, when known: judges headers that name a year
        self.stream = stream
        self.text = stream.text
        self.errors: list[str] = []

    def fail(self, table: str, what: str) -> None:
        number = TEMPLATE.table(table).spec["number"]
        self.errors.append(f"{self.doc.path}: table {number} ({table}): {what}")

    def find(self, pattern: re.Pattern, start: int = 0, end: int | None = None) -> re.Match | None:
        return pattern.search(self.text, start, len(self.text) if end is None else end)

    def locate(self) -> dict[str, tuple[int, int]]:
        """Start and end of each table's region in the stream (missing tables are absent)."""
        t2 = self.find(pattern(*T2_CAPTIONS)) or self.find(pattern(T2_HEADER))
        after_t2 = t2.end() if t2 else 0
        t3 = self.find(pattern(*T3_HEADERS), after_t2)
        first_row = self.find(T3_FIRST_ROW.pattern, after_t2)
        if first_row and (t3 is None or first_row.start() < t3.start()):
            t3 = first_row
        regions: dict[str, tuple[int, int]] = {}
        if t2:
            regions[T2] = (t2.start(), t3.start() if t3 else len(self.text))
        if t3:
            carried_forward = TEMPLATE.table(T3).code("rows", "carried_forward").pattern
            cf = self.find(carried_forward, t3.start())
            after = cf.end() if cf else t3.end()
            t4 = self.find(T4_HEADER, after)
            sec4 = self.heading("sec4_review_litigation", after)
            sec5 = self.heading("sec5_problems", after)
            ends = [m.start() for m in (t4, sec4, sec5) if m]
            regions[T3] = (t3.start(), min(ends) if ends else len(self.text))
            if t4:
                regions[T4] = (t4.start(), len(self.text))
        return regions

    def heading(self, section: str, start: int = 0, end: int | None = None) -> re.Match | None:
        """The first section heading (schemas/template.yaml `sections`, every variant) printed as a heading: at a
        line's start or as a piece of its own after a space, a digit or a sentence's end -- never inside running text,
        a quoted title (《…五、存在的主要问题及改进情况》) or a report title naming it."""
        end = len(self.text) if end is None else end
        for m in TEMPLATE.section(section).pattern.finditer(self.text, start, end):
            if _HEADING_BEFORE.search(self.text[max(0, m.start() - 8):m.start()]) or m.start() < 8:
                return m
        return None

    def layout(self, table: str, start: int, end: int) -> str | None:
        """The template a table follows as printed (never the report's year): judged by `Template.layout_of` from
        the labels of its telling exclusive codes found in its region. Table 三's 2019 layout has no label of its
        own: it is told by （六）其他处理 printed without the 2021 layout's sub-rows. None when nothing tells: the
        table is then unreadable, never read under an assumed layout."""
        found = [c.code for c in telling_codes(table) if self.find(c.pattern, start, end)]
        told = TEMPLATE.layout_of(table, found)
        if told is None and table == T3 and not found and self.find(_OTHER_HANDLING.pattern, start, end):
            return _T3_WITHOUT_SUBROWS
        return told

    def unknown_layout(self, table: str) -> None:
        labels = " or ".join(dict.fromkeys(c.zh for c in telling_codes(table)))
        extra = f" (nor {_OTHER_HANDLING.zh} without sub-rows)" if table == T3 else ""
        self.fail(table, f"its layout cannot be told: no label of one template's own ({labels}){extra}")

    def row_key(self, pos: int) -> str:
        """The source row of the token at `pos`: a table row's ref, or the token itself for a line of text."""
        i = self.stream.token_at(pos)
        return source_row(self.doc.tokens[i].ref) or f"#{i}"
