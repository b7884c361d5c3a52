"""Several reports in one file (two annual reports pasted one after the other): each becomes its own document, so
each is extracted as its own report, never one silently dropped."""

from __future__ import annotations

import re
from dataclasses import replace

from opendata.extract.locate import T2_CAPTIONS, T4_HEADER, pattern
from opendata.extract.stream import Stream
from opendata.fold import fold
from opendata.model import Document
from opendata.spec.template import TEMPLATE

# A report's title line ("三明市2024年政府信息公开工作年度报告") and its first section heading (一、总体情况).
_TITLE = re.compile(r"(?:19|20)\d{2}\s*年.*年度报告")
_FIRST_SECTION = TEMPLATE.section("sec1_overview").pattern
_CARRIED_FORWARD = TEMPLATE.table("applications").code("rows", "carried_forward").pattern


def report_documents(doc: Document, stream: Stream) -> list[Document]:
    """The reports a document holds: itself when it holds one (or none); else one document per report, cut
    before each later report's title (or its first section heading, or its table 二). A report counts when its
    table 二 caption is followed by table 三 (to its last row, 结转下年度继续办理) and table 四's header."""
    starts = _table_starts(stream)
    if len(starts) < 2:
        return [doc]
    cuts = [0] + [_report_start(stream, prev_end, start) for prev_end, start in zip(_ends(stream, starts), starts[1:])]
    bounds = list(zip(cuts, cuts[1:] + [len(doc.tokens)]))
    return [replace(doc, tokens=doc.tokens[a:b]) for a, b in bounds]


def _table_starts(stream: Stream) -> list[int]:
    """Positions of table 二's first caption for every complete set of tables in the stream."""
    text = stream.text
    captions = [m.start() for m in pattern(*T2_CAPTIONS).finditer(text)]
    complete = []
    for i, start in enumerate(captions):
        end = captions[i + 1] if i + 1 < len(captions) else len(text)
        cf = _CARRIED_FORWARD.search(text, start, end)
        if cf and T4_HEADER.search(text, cf.end(), end):
            complete.append(start)
    return complete


def _ends(stream: Stream, starts: list[int]) -> list[int]:
    """Where each report's table 四 header ends (the next report begins after it)."""
    return [T4_HEADER.search(stream.text, _CARRIED_FORWARD.search(stream.text, s).end()).end() for s in starts]


def _report_start(stream: Stream, after: int, caption: int) -> int:
    """Token index where the report whose table 二 begins at `caption` begins: the first title line (a year, then
    年度报告) after the previous report's tables, else the last first-section heading there, else the caption's
    line."""
    first = stream.token_at(after) + 1
    last = stream.token_at(caption)
    # The raw tokens, not the stream's lines: the stream blanks a title printed more than once as a running header.
    lines = {i: fold(stream.doc.tokens[i].text) for i in range(first, last + 1)}
    titles = [i for i, line in lines.items() if _TITLE.search(line) and len(line) <= 80]
    if titles:
        return titles[0]
    heading = [m.start() for m in _FIRST_SECTION.finditer(stream.text, stream.starts[first], caption)]
    return stream.token_at(heading[-1]) if heading else last
