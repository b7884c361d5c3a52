"""Map a document's token stream onto the template: find the three tables, their labels and their value cells.

Driven entirely by schemas/template.yaml: labels are searched in the template's printed order, the text between
one label and the next is the value region of the first, and the layout (2019 or 2021) is detected from the
labels present, never from the report's year.
"""

from __future__ import annotations

import re

from opendata.model import Cell, Document, Report
from opendata.solve import Reading, read_row, unreadable_row
from opendata.stream import Piece, Stream
from opendata.template import TEMPLATE, Code, label_alternatives

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _pattern(*labels: str) -> re.Pattern:
    return re.compile(label_alternatives(*labels))


class Aligner:
    def __init__(self, doc: Document, stream: Stream | None = None):
        self.doc = doc
        self.stream = stream or Stream(doc)
        self.text = self.stream.text
        self.markers = TEMPLATE.markers
        self.errors: list[str] = []

    def fail(self, table: str, what: str) -> None:
        number = TEMPLATE.table(table).spec["number"]
        self.errors.append(f"{self.doc.path}: table {number} ({table}): {what}")

    # -- anchors ------------------------------------------------------------------------------------------------
    def find(self, pattern: re.Pattern, start: int = 0, end: int | None = None) -> re.Match | None:
        return pattern.search(self.text, start, len(self.text) if end is None else end)

    def locate(self) -> dict[str, tuple[int, int]]:
        """Start and end of each table's region in the stream (missing tables are absent)."""
        t2 = self.find(_pattern("第二十条第（一）项")) or self.find(_pattern("信息内容"))
        t3_labels = TEMPLATE.table(T3).spec["header_labels"]
        t3 = self.find(_pattern(*t3_labels), t2.end() if t2 else 0)
        new_requests = TEMPLATE.table(T3).code("rows", "new_requests").pattern
        if t3 is None or (m := self.find(new_requests, t2.end() if t2 else 0)) and m.start() < t3.start():
            t3 = self.find(new_requests, t2.end() if t2 else 0)
        regions: dict[str, tuple[int, int]] = {}
        if t2:
            regions[T2] = (t2.start(), t3.start() if t3 else len(self.text))
        if t3:
            carried_forward = TEMPLATE.table(T3).code("rows", "carried_forward").pattern
            cf = self.find(carried_forward, t3.start())
            after = cf.end() if cf else t3.end()
            t4 = self.find(_T4_HEADER, after)
            sec4 = self.find(TEMPLATE.section("sec4_review_litigation").pattern, after)
            sec5 = self.find(TEMPLATE.section("sec5_problems").pattern, after)
            ends = [m.start() for m in (t4, sec4, sec5) if m]
            regions[T3] = (t3.start(), min(ends) if ends else len(self.text))
            if t4:
                regions[T4] = (t4.start(), len(self.text))
        return regions

    # -- table 二 ---------------------------------------------------------------------------------------------------
    def proactive(self, start: int, end: int) -> tuple[str, list[Cell]]:
        table = TEMPLATE.table(T2)
        measures = {m.code: m for m in table.codes("measures")}
        layout = self.detect_proactive_layout(start, end)
        spans: list[tuple[int, int, str | None]] = []  # (start, end, item code or None for captions/headers)
        boundary = _pattern(table.spec["header_label"], *[s["caption"] for s in TEMPLATE.proactive_layout(layout)])
        for m in boundary.finditer(self.text, start, end):
            spans.append((m.start(), m.end(), None))
        for measure in measures.values():
            for m in measure.pattern.finditer(self.text, start, end):
                spans.append((m.start(), m.end(), None))
        wanted = [item for sub in TEMPLATE.proactive_layout(layout) for item in sub["items"]]
        for code in wanted:
            item = table.code("items", code)
            m = self.find(item.pattern, start, end)
            if m:
                spans.append((m.start(), m.end(), code))
        spans.sort()
        cells: list[Cell] = []
        found = {code: (s, e) for s, e, code in spans if code}
        for sub in TEMPLATE.proactive_layout(layout):
            cols = [measures[c] for c in sub["measures"]]
            for code in sub["items"]:
                if code not in found:
                    self.fail(T2, f"row {table.code('items', code).zh} not found")
                    cells += [Cell(T2, code, c.code, "unreadable", note="row not found") for c in cols]
                    continue
                s, e = found[code]
                nxt = min((a for a, _, _ in spans if a >= e), default=end)
                pieces = self.stream.pieces(e, nxt, self.markers)
                readings = read_row(pieces, len(cols), [bool(c.get("decimal")) for c in cols])
                if readings is None:
                    readings = unreadable_row(pieces, len(cols), f"{len(pieces)} values for {len(cols)} cells")
                cells += [_cell(T2, code, c.code, r) for c, r in zip(cols, readings)]
        return layout, cells

    def detect_proactive_layout(self, start: int, end: int) -> str:
        votes = {"2019": 0, "2021": 0}
        for m in TEMPLATE.table(T2).codes("measures"):
            if len(m.templates) == 1 and self.find(m.pattern, start, end):
                votes[m.templates[0]] += 1
        return "2021" if votes["2021"] > votes["2019"] else "2019"

    # -- table 三 ---------------------------------------------------------------------------------------------------
    def applications(self, start: int, end: int) -> tuple[str, list[Cell]]:
        table = TEMPLATE.table(T3)
        columns = table.codes("columns")
        layout = "2021" if self.find(table.code("rows", "other_no_correction").pattern, start, end) else "2019"
        rows = TEMPLATE.application_rows(layout)
        spans: list[tuple[int, int, Code]] = []
        cursor = start
        for row in rows:
            m = self.find(row.pattern, cursor, end)
            if m:
                spans.append((m.start(), m.end(), row))
                cursor = m.end()
        cells: list[Cell] = []
        found = {row.code: i for i, (_, _, row) in enumerate(spans)}
        for row in TEMPLATE.application_value_rows(layout):
            if row.code not in found:
                self.fail(T3, f"row {row.zh} not found")
                cells += [Cell(T3, row.code, c.code, "unreadable", note="row not found") for c in columns]
                continue
            i = found[row.code]
            region_end = spans[i + 1][0] if i + 1 < len(spans) else end
            pieces = self.stream.pieces(spans[i][1], region_end, self.markers)
            readings = read_row(pieces, len(columns))
            if readings is None:
                readings = unreadable_row(pieces, len(columns), f"{len(pieces)} values for {len(columns)} cells")
            cells += [_cell(T3, row.code, c.code, r) for c, r in zip(columns, readings)]
        return layout, cells

    # -- table 四 ---------------------------------------------------------------------------------------------------
    def review_litigation(self, start: int, end: int) -> list[list[Cell]]:
        """Every printed copy of table 四, in order (usually one)."""
        copies = []
        pos = start
        while (header := self.find(_T4_HEADER, pos, end)) is not None:
            values_start = header.end()
            # Skip the remaining header labels: the values begin at the first digit or marker after them.
            first = re.compile(r"\d|" + "|".join(re.escape(m) for m in self.markers if len(m) == 1 and m != "无"))
            m = first.search(self.text, values_start, end)
            if not m:
                break
            stop = _CJK_RUN.search(self.text, m.start(), end)
            region_end = stop.start() if stop else end
            pieces = self.stream.pieces(m.start(), region_end, self.markers)
            copies.append(self.t4_cells(pieces))
            pos = region_end
        return copies

    def t4_cells(self, pieces: list[Piece]) -> list[Cell]:
        table = TEMPLATE.table(T4)
        keys = [(b.code, o.code) for b in table.codes("blocks") for o in table.codes("outcomes")]
        readings = read_row(pieces, len(keys))
        if readings is None:
            readings = unreadable_row(pieces, len(keys), f"{len(pieces)} values for {len(keys)} cells")
        return [_cell(T4, b, o, r) for (b, o), r in zip(keys, readings)]


_T4_HEADER = re.compile(
    f"(?:{label_alternatives('行政复议')})" + r"[\W_]{0,12}?" + f"(?:{label_alternatives('行政诉讼')})"
    + r"[\W_]{0,12}?" + f"(?:{label_alternatives('结果维持')})"
)


def _cell(table: str, row: str, column: str, r: Reading) -> Cell:
    return Cell(table, row, column, r.status, r.value, r.raw, r.ref, r.note)


def align(report: Report, stream: Stream | None = None) -> Report:
    """Fill a report's cells, layouts and reading errors from its document."""
    aligner = Aligner(report.document, stream)
    regions = aligner.locate()
    if T2 in regions:
        report.layouts[T2], cells = aligner.proactive(*regions[T2])
        report.cells += cells
    else:
        aligner.fail(T2, "not found (no '第二十条第（一）项' caption or '信息内容' header)")
    if T3 in regions:
        report.layouts[T3], cells = aligner.applications(*regions[T3])
        report.cells += cells
    else:
        aligner.fail(T3, "not found (no '本年新收政府信息公开申请数量' row)")
    copies = aligner.review_litigation(*regions[T4]) if T4 in regions else []
    if copies:
        report.cells += copies[0]
        report.twins[T4] = copies[1:]
    else:
        aligner.fail(T4, "not found (no '行政复议 … 行政诉讼 … 结果维持' header)")
    report.template = report.layouts.get(T2) or report.layouts.get(T3)
    report.errors += aligner.errors
    return report
