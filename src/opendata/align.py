"""Map a document's token stream onto the template: find the three tables, their labels and their value cells.

Driven entirely by schemas/template.yaml: labels are searched in the template's printed order, the text between
one label and the next is the value region of the first, and the layout (2019 or 2021) is detected from the
labels present, never from the report's year.
"""

from __future__ import annotations

import re

from opendata.model import Cell, Document, Report
from opendata.identities import equations
from opendata.solve import Column, Reading, Row, solve
from opendata.stream import Piece, Stream
from opendata.template import TEMPLATE, Code, label_alternatives

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"
# Text after table 四's values: a run of Chinese, or a line opening with Chinese ("(一)2024年…"), unless the line is
# only a not-applicable marker.
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A token of table 四's header: only the characters of its labels (also shattered: "结果结果其他尚未", "总 计").
_T4_HEADER_TEXT = re.compile(r"[\W_]*(?:[行政复议诉讼未经直接起后结果维持纠正其他尚审总计][\W_]*)+")
_AFTER_T4_VALUES = re.compile(r"(?m)[\u4e00-\u9fff]{2,}|^ ?(?!(?:无|不适用) ?$)\(?[\u4e00-\u9fff]")


def _pattern(*labels: str) -> re.Pattern:
    return re.compile(label_alternatives(*labels))


class Aligner:
    def __init__(self, doc: Document, stream: Stream | None = None, year: int | None = None):
        self.doc = doc
        self.year = year  # the report year, when known: judges headers that name a year
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
            printed = self.printed_measures(sub, start, end, [found[c][0] for c in sub["items"] if c in found])
            cols = [m for m, _ in printed]
            for code in sub["items"]:
                if code not in found:
                    self.fail(T2, f"row {table.code('items', code).zh} not found")
                    cells += [Cell(T2, code, c.code, "unreadable", note="row not found") for c in cols]
                    continue
                s, e = found[code]
                nxt = min((a for a, _, _ in spans if a >= e), default=end)
                pieces = self.stream.pieces(e, nxt, self.markers)
                columns = [_t2_column(code, m, self.text, header) for m, header in printed]
                readings = solve([Row(columns, pieces)])[0]
                readings = [self.doubted(m, header, r) for (m, header), r in zip(printed, readings)]
                cells += [_cell(T2, code, c.code, r) for c, r in zip(cols, readings)]
        return layout, cells

    def printed_measures(self, sub: dict, start: int, end: int, item_starts: list[int]) -> list[tuple[Code, re.Match]]:
        """A sub-table's columns with their header matches: the layout's measures, or only those its header prints
        where a local layout leaves some out (a 2019 (五) printed as 2019年项目数量 | 处理决定数量)."""
        table = TEMPLATE.table(T2)
        measures = [table.code("measures", c) for c in sub["measures"]]
        caption = self.find(_pattern(sub["caption"]), start, end)
        first = min((s for s in item_starts if caption and s > caption.end()), default=None)
        if caption is None or first is None:
            return [(m, None) for m in measures]
        headers = [(m, self.find(m.pattern, caption.end(), first)) for m in measures]
        printed = [(m, h) for m, h in headers if h]
        shown = self.find(_pattern(table.spec["header_label"]), caption.end(), first)  # a header row is printed
        return printed if printed and shown else headers

    def doubted(self, measure: Code, header: re.Match | None, reading: Reading) -> Reading:
        """A reported value under a header naming another year than the measure counts (上一年项目数量 printed as
        '2019年项目数量' in a 2019 report) is ambiguous: the value is printed, but what it counts is not the measure."""
        offset = measure.get("year_offset")
        years = re.findall(r"(?:19|20)\d{2}", header.group(0)) if header else []
        if offset is None or not years or self.year is None or reading.status != "reported":
            return reading
        meant = self.year + offset
        if int(years[0]) == meant:
            return reading
        printed = re.sub(r"\s+", "", header.group(0))
        note = f"printed {reading.raw!r} under the header {printed!r}; {measure.zh} counts {meant}, not {years[0]}"
        return Reading("ambiguous", None, reading.raw, reading.ref, note)

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
        found = {row.code: i for i, (_, _, row) in enumerate(spans)}
        solver_rows: dict[str, Row] = {}
        for row in TEMPLATE.application_value_rows(layout):
            if row.code not in found:
                self.fail(T3, f"row {row.zh} not found")
                continue
            i = found[row.code]
            region_end = spans[i + 1][0] if i + 1 < len(spans) else end
            pieces = self.stream.pieces(spans[i][1], region_end, self.markers)
            solver_rows[row.code] = Row([Column((row.code, c.code)) for c in columns], pieces)
        # The table is solved as a whole: H3 per row, then H1/H2 jointly across rows.
        readings = dict(zip(solver_rows, solve(list(solver_rows.values()), equations({T3: layout}))))
        cells: list[Cell] = []
        for row in TEMPLATE.application_value_rows(layout):
            if row.code not in readings:
                cells += [Cell(T3, row.code, c.code, "unreadable", note="row not found") for c in columns]
                continue
            cells += [_cell(T3, row.code, c.code, r) for c, r in zip(columns, readings[row.code])]
        return layout, cells

    # -- table 四 ---------------------------------------------------------------------------------------------------
    def review_litigation(self, start: int, end: int) -> list[list[Cell]]:
        """Every printed copy of table 四, in order (usually one)."""
        copies = []
        pos = start
        while (header := self.find(_T4_HEADER, pos, end)) is not None:
            values_start = header.end()
            run = self.t4_value_run(values_start, end) if self.doc.cells_explicit else None
            if run:
                region_start, region_end = run
            else:
                # Skip the remaining header labels: the values begin at the first digit or marker after them.
                first = re.compile(r"\d|" + "|".join(re.escape(m) for m in self.markers if len(m) == 1 and m != "无"))
                m = first.search(self.text, values_start, end)
                if not m:
                    break
                stop = _AFTER_T4_VALUES.search(self.text, m.start(), end)
                region_start, region_end = m.start(), stop.start() if stop else end
            pieces = self.stream.pieces(region_start, region_end, self.markers)
            copies.append(self.t4_cells(pieces))
            pos = region_end
        return copies

    def t4_value_run(self, header_end: int, end: int) -> tuple[int, int] | None:
        """Sources with explicit cells: table 四's value row is the first run of value tokens (numbers, markers, blank
        cells) after the header that is not followed by more header labels; a run that is (empty merged header
        cells) belongs to the header. Found by tokens, so a row left all blank is still found. None: no such run."""
        lines, starts = self.stream.lines, self.stream.starts
        i = self.stream.token_at(header_end) + 1
        run = None
        while i < len(lines) and starts[i] < end:
            line = lines[i].strip()
            if line in self.markers or not _CJK.search(line):
                run = i if run is None else run
            elif _T4_HEADER_TEXT.fullmatch(line):
                run = None
            else:
                break  # text after the table
            i += 1
        if run is None:
            return None
        # From the line break before the run to the start of the next token: every cell of the run is a whole token
        # (the region must not stop at the line break before the next token, or a trailing blank cell is lost).
        return starts[run] - 1, (starts[i] if i < len(lines) else len(self.text))

    def t4_cells(self, pieces: list[Piece]) -> list[Cell]:
        table = TEMPLATE.table(T4)
        keys = [(b.code, o.code) for b in table.codes("blocks") for o in table.codes("outcomes")]
        # The whole one-line table is one row for the solver: H4 settles where its blocks begin and end.
        readings = solve([Row([Column(k) for k in keys], pieces)], equations({}))[0]
        return [_cell(T4, b, o, r) for (b, o), r in zip(keys, readings)]


# Table 四's header: 行政复议 … 行政诉讼 … 维持. A converted header may be shattered ("行政复议行政诉讼 / 未经复议直接
# 起诉复议后起诉 / 结果结果其他尚未 / … / 维持纠正…"), so up to 60 characters of header text, never a digit or a
# sentence mark (narrative), may stand between 行政诉讼 and the first 维持.
_T4_HEADER = re.compile(
    f"(?:{label_alternatives('行政复议')})" + r"[\W_]{0,12}?" + f"(?:{label_alternatives('行政诉讼')})"
    + r"(?:[\W_]{0,12}?" + f"(?:{label_alternatives('结果维持')})" + r"|[^\d。，；：]{0,60}?维持)"
)


# The unit printed with an amount's header: "采购总金额（元）", "本年收费金额（单位：万元）".
_HEADER_UNIT = re.compile(r"\(\s*(?:单位\s*:?\s*)?(万元|元)\s*\)")


def _t2_column(item: str, measure: Code, text: str, header: re.Match | None) -> Column:
    """The solver's view of a table-二 cell; an amount whose header says 元 is converted to 万元."""
    decimal = bool(measure.get("decimal"))
    unit = _HEADER_UNIT.search(text, header.start(), header.end() + 12) if decimal and header else None
    return Column((item, measure.code), decimal, bool(measure.get("signed")), bool(unit and unit.group(1) == "元"))


def _cell(table: str, row: str, column: str, r: Reading) -> Cell:
    return Cell(table, row, column, r.status, r.value, r.raw, r.ref, r.note)


def align(report: Report, stream: Stream | None = None) -> Report:
    """Fill a report's cells, layouts and reading errors from its document."""
    aligner = Aligner(report.document, stream, report.meta.year)
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
