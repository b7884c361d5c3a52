"""Map a document's token stream onto the template: find the three tables, their labels and their value cells.

Driven entirely by schemas/template.yaml: labels are searched in the template's printed order, the text between
one label and the next is the value region of the first, and the layout (2019 or 2021) is detected from the
labels present, never from the report's year. In sources with explicit cells a table-三 row's values are those in
its label's own table row; rows a converter left without their label are bound only where certain (`bind_rows`).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import cache

from opendata.model import Cell, Document, Report
from opendata.spec.identities import equations
from opendata.fold import fold, key
from opendata.solve.search import Column, Row, confirmed, solve, unpadded
from opendata.extract.stream import Piece, Stream, source_row
from opendata.spec.template import TEMPLATE, Code, label_alternatives

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"
_CJK = re.compile(r"[\u4e00-\u9fff]")

# Table 二 begins at the caption of its first sub-table (第二十条第（一）项), else at its header row's label (信息内容).
_T2_CAPTIONS = tuple(dict.fromkeys(TEMPLATE.proactive_layout(t)[0]["caption"] for t in TEMPLATE.templates))
_T2_HEADER = TEMPLATE.table(T2).spec["header_label"]
# Table 三 begins at a header label, or at its first row where that comes first.
_T3_HEADERS = tuple(TEMPLATE.table(T3).spec["header_labels"])
_T3_FIRST_ROW = TEMPLATE.table(T3).codes("rows")[0]


def _t4_labels() -> list[str]:
    table = TEMPLATE.table(T4)
    return [*table.spec["header_labels"], *(c.zh for name in table.kinds.values() for c in table.codes(name))]


# Table 四's header labels (行政复议, 行政诉讼) and its first outcome (结果维持), of which a shattered header may print
# only the part it does not share with the next outcome (维持, the 结果 of 结果维持 / 结果纠正 printed once above).
_T4_FIRST, _T4_SECOND = TEMPLATE.table(T4).spec["header_labels"]
_T4_OUTCOME, _T4_NEXT_OUTCOME = (o.zh for o in TEMPLATE.table(T4).codes("outcomes")[:2])
_T4_OUTCOME_TAIL = _T4_OUTCOME[len(os.path.commonprefix([_T4_OUTCOME, _T4_NEXT_OUTCOME])):]
# A token of table 四's header: only the characters of its labels (also shattered: "结果结果其他尚未", "总 计").
_T4_HEADER_TEXT = re.compile(
    r"[\W_]*(?:[" + re.escape("".join(sorted({ch for label in _t4_labels() for ch in key(label)}))) + r"][\W_]*)+")
# Not-applicable markers: those that are Chinese words (无, 不适用), and those that are one symbol (/, -, ×).
_WORD_MARKERS = sorted(m for m in TEMPLATE.folded_markers if _CJK.search(m))
_SYMBOL_MARKERS = sorted(m for m in TEMPLATE.folded_markers if len(m) == 1 and not _CJK.search(m))
# Where table 四's values begin, after its header labels: a digit or a one-symbol marker.
_T4_FIRST_VALUE = re.compile(r"\d|" + "|".join(re.escape(m) for m in _SYMBOL_MARKERS))
# Text after table 四's values: a run of Chinese, or a line opening with Chinese ("(一)2024年…"), unless the line is
# only a not-applicable marker.
_AFTER_T4_VALUES = re.compile(
    r"(?m)[\u4e00-\u9fff]{2,}|^ ?(?!(?:" + "|".join(map(re.escape, _WORD_MARKERS)) + r") ?$)\(?[\u4e00-\u9fff]")


@cache
def _pattern(*labels: str) -> re.Pattern:
    return re.compile(label_alternatives(*labels))


@cache
def _telling_codes(name: str) -> tuple[Code, ...]:
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


class Aligner:
    def __init__(self, doc: Document, stream: Stream, year: int | None = None):
        self.doc = doc
        self.year = year  # the report year, when known: judges headers that name a year
        self.stream = stream
        self.text = stream.text
        self.errors: list[str] = []

    def fail(self, table: str, what: str) -> None:
        number = TEMPLATE.table(table).spec["number"]
        self.errors.append(f"{self.doc.path}: table {number} ({table}): {what}")

    # -- anchors ------------------------------------------------------------------------------------------------
    def find(self, pattern: re.Pattern, start: int = 0, end: int | None = None) -> re.Match | None:
        return pattern.search(self.text, start, len(self.text) if end is None else end)

    def locate(self) -> dict[str, tuple[int, int]]:
        """Start and end of each table's region in the stream (missing tables are absent)."""
        t2 = self.find(_pattern(*_T2_CAPTIONS)) or self.find(_pattern(_T2_HEADER))
        after_t2 = t2.end() if t2 else 0
        t3 = self.find(_pattern(*_T3_HEADERS), after_t2)
        first_row = self.find(_T3_FIRST_ROW.pattern, after_t2)
        if first_row and (t3 is None or first_row.start() < t3.start()):
            t3 = first_row
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
        layout = self.layout(T2, start, end)
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
                pieces = self.stream.pieces(e, nxt)
                columns = [_t2_column(code, m, self.text, header) for m, header in printed]
                readings = solve([Row(columns, pieces, self.doc.cells_explicit)])[0]
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

    def doubted(self, measure: Code, header: re.Match | None, reading: Cell) -> Cell:
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
        return replace(reading, status="ambiguous", value=None, note=note, reading="")

    def layout(self, table: str, start: int, end: int) -> str:
        """The template a table follows as printed (never the report's year): judged by `Template.layout_of` from
        the labels of its telling exclusive codes found in its region; the first template when none tells."""
        found = [c.code for c in _telling_codes(table) if self.find(c.pattern, start, end)]
        return TEMPLATE.layout_of(table, found) or TEMPLATE.templates[0]

    # -- table 三 ---------------------------------------------------------------------------------------------------
    def applications(self, start: int, end: int) -> tuple[str, list[Cell]]:
        table = TEMPLATE.table(T3)
        columns = table.codes("columns")
        # The 2021 layout splits （六）其他处理 into sub-rows; those with labels of their own prove it.
        layout = self.layout(T3, start, end)
        eqs = equations({T3: layout})
        spans = self.t3_labels(TEMPLATE.application_rows(layout), layout, start, end)

        def make(code: str, pieces: list[Piece], choices: list[list[Piece]] = ()) -> Row:
            return Row([Column((code, c.code)) for c in columns], pieces, self.doc.cells_explicit, list(choices))

        regions: dict[str, tuple[int, int, list[Piece]]] = {}  # row -> label start, label end, value pieces
        for i, (s, e, row) in enumerate(spans):
            regions[row.code] = (s, e, self.stream.pieces(e, spans[i + 1][0] if i + 1 < len(spans) else end))
        if self.doc.cells_explicit:
            bound = self.bind_rows(layout, regions, make, eqs)
        else:  # values after a group label are left out, as ever
            bound = {row.code: make(row.code, regions[row.code][2])
                     for row in TEMPLATE.application_value_rows(layout) if row.code in regions}
        solver_rows: dict[str, Row] = {}
        for row in TEMPLATE.application_value_rows(layout):
            if row.code in bound:
                solver_rows[row.code] = bound[row.code]
            else:
                self.fail(T3, f"row {row.zh} not found")
        # The table is solved as a whole: H3 per row, then H1/H2 jointly across rows.
        readings = dict(zip(solver_rows, solve(list(solver_rows.values()), eqs)))
        cells: list[Cell] = []
        for row in TEMPLATE.application_value_rows(layout):
            if row.code not in readings:
                cells += [Cell(T3, row.code, c.code, "unreadable", note="row not found") for c in columns]
                continue
            cells += [_cell(T3, row.code, c.code, r) for c, r in zip(columns, readings[row.code])]
        return layout, cells

    def t3_labels(self, rows: list[Code], layout: str, start: int, end: int) -> list[tuple[int, int, Code]]:
        """Table 三's labels, in printed order: the most value rows whose labels follow the template's order (a
        label out of place -- a group label or a row label a converter pushed down -- must not hide the rows after
        it; with equal counts, the earliest matches). In explicit-cell sources a label printed in its own row wins
        over one left in loose text. Group labels are boundaries where they stand between their neighbours."""
        values = [r for r in rows if r.is_value_row(layout)]
        matches = [[(m.start(), m.end(), self.in_own_row(m)) for m in r.pattern.finditer(self.text, start, end)]
                   for r in values]

        @cache
        def best(i: int, pos: int) -> tuple[tuple[int, int], tuple]:
            if i == len(values):
                return (0, 0), ()
            later = [m for m in matches[i] if m[0] >= pos]
            picks = later[:1] + [m for m in later if m[2] and not later[0][2]][:1]
            options = []
            for s, e, own in picks:
                (count, owned), chain = best(i + 1, e)
                options.append(((count + 1, owned + own), ((s, e, values[i]),) + chain))
            options.append(best(i + 1, pos))
            return max(options, key=lambda option: option[0])  # the first of equals: the earliest match

        chain = list(best(0, start)[1])
        spans, lo = list(chain), start
        for row in rows:
            later = [s for s, _, r in chain if r.position > row.position]
            if row.is_value_row(layout):
                lo = next((e for _, e, r in chain if r.code == row.code), lo)
            elif m := self.find(row.pattern, lo, min(later, default=end)):
                spans.append((m.start(), m.end(), row))
                lo = m.end()
        return sorted(spans, key=lambda span: span[0])

    def in_own_row(self, m: re.Match) -> int:
        """Explicit-cell sources: 1 when a label shares its row with values (cells after it in its table row, or
        numbers after it on its line of text), 0 for a label alone in loose text; 0 for every label elsewhere."""
        if not self.doc.cells_explicit:
            return 0
        i = self.stream.token_at(m.end() - 1)
        tokens = self.doc.tokens
        row = source_row(tokens[i].ref)
        if row is None:
            line_end = self.stream.starts[i] + len(self.stream.lines[i])
            return int(bool(self.stream.pieces(m.end(), line_end)))
        return int(i + 1 < len(tokens) and source_row(tokens[i + 1].ref) == row)

    # Table 三 from explicit cells: rows a converter left without their label ------------------------------------------
    def bind_rows(self, layout: str, regions: dict, make, eqs) -> dict[str, Row]:
        """Explicit-cell sources: a row's values are the cells of its label's table row (or the values on its line
        of text). Value rows a PDF converter left without their label -- pushed into loose text, truncated, split
        over cells -- are bound only where certain:

        - a table row whose label cells are fragments of exactly one missing row's label, among the rows its bound
          neighbours leave possible, is that row;
        - between two bound rows, as many complete unlabelled rows (no label text in their row but a group label's
          fragment; one value per cell once padding is dropped; their own identities holding) as template rows are
          missing: one such row is the missing row; several are each one of the missing rows -- their order is not
          trusted, so only the cells they agree on are certain.

        Anything else stays unread. Returns the rows for the solver, by code."""
        n = len(TEMPLATE.table(T3).codes("columns"))
        value_rows = TEMPLATE.application_value_rows(layout)
        bound: dict[str, tuple[int, list[Piece]]] = {}  # code -> position, value pieces
        loose: list[list[Piece]] = []  # value groups (one table row, or one line) not on their label's row
        values = {r.code for r in value_rows}
        for code, (s, e, pieces) in regions.items():
            groups = self.value_groups(pieces)
            if code not in values:  # values after a group label belong to no labelled row
                loose += groups
                continue
            label_row = self.row_key(e - 1)
            foreign = [g for g in groups if self.row_key(g[0].at) != label_row]
            flat = source_row(self.doc.tokens[self.stream.token_at(e - 1)].ref) is None
            if foreign and not (flat and all(source_row(g[0].ref) is None for g in foreign)):
                # Values from other table rows: only those of the label's own row are the row's (a label in text
                # followed by values in text only reads as a text stream does).
                pieces = [p for g in groups if self.row_key(g[0].at) == label_row for p in g]
                loose += foreign
            if pieces:
                bound[code] = (s, pieces)
        index = {r.code: k for k, r in enumerate(value_rows)}
        self.bind_fragments(value_rows, index, bound, loose)
        out = {code: make(code, pieces) for code, (_, pieces) in bound.items()}
        out.update({code: make(code, []) for code in regions if code in values and code not in bound})  # no values
        marks = sorted((index[code], pos) for code, (pos, _) in bound.items())
        for (i, lo), (j, hi) in zip(marks, marks[1:]):
            missing = value_rows[i + 1:j]
            if not missing or lo >= hi:
                continue
            rows = self.unlabelled_rows([g for g in loose if lo < g[0].at < hi], n, make(missing[0].code, []), eqs)
            if rows is None or len(rows) != len(missing):
                continue
            for row in missing:
                out[row.code] = make(row.code, rows[0]) if len(rows) == 1 else make(
                    row.code, [p for r in rows for p in r], rows)
        return out

    def row_key(self, pos: int) -> str:
        """The source row of the token at `pos`: a table row's ref, or the token itself for a line of text."""
        i = self.stream.token_at(pos)
        return source_row(self.doc.tokens[i].ref) or f"#{i}"

    def value_groups(self, pieces: list[Piece]) -> list[list[Piece]]:
        groups: list[list[Piece]] = []
        for p in pieces:
            if groups and self.row_key(groups[-1][0].at) == self.row_key(p.at):
                groups[-1].append(p)
            else:
                groups.append([p])
        return groups

    def unlabelled_rows(self, groups: list[list[Piece]], n: int, probe: Row, eqs) -> list[list[Piece]] | None:
        """The complete rows among value groups between two bound rows; None when a table row there is incomplete,
        or the values in loose text there are enough to make a row (the rows there are not settled then). Fewer
        values in loose text make no row: cells pushed out of other rows."""
        rows, stray = [], 0
        for g in groups:
            cells = unpadded(g, n)
            if self.row_labels(g):
                return None  # a labelled row that is no template row, or one whose label is too cut to tell
            if len(cells) == n and confirmed(Row(probe.columns, cells, probe.explicit), eqs):
                rows.append(cells)
            elif source_row(g[0].ref) is not None:
                return None
            else:
                stray += len(g)
        return None if stray >= n else rows

    def bind_fragments(self, value_rows: list[Code], index: dict[str, int], bound: dict,
                       loose: list[list[Piece]]) -> None:
        """Bind table rows whose label cells are fragments of one missing row's label (see bind_rows); `index`: a
        value row's place among `value_rows`, by code."""
        labels = {r.code: [key(label) for label in (r.zh, *r.variants)] for r in value_rows}
        changed = True
        while changed:
            changed = False
            labelled = [(g, row_labels) for g in loose if (row_labels := self.row_labels(g))]
            for g, row_labels in labelled:
                fragments = [f for f in row_labels if len(_CJK.findall(f)) >= 4]
                marks = sorted((index[code], pos) for code, (pos, _) in bound.items())
                lo = max((i for i, pos in marks if pos < g[0].at), default=-1)
                hi = min((i for i, pos in marks if pos > g[0].at), default=len(value_rows))
                open_rows = [r.code for r in value_rows[lo + 1:hi] if r.code not in bound]
                fits = set(open_rows)
                for f in fragments:
                    fits &= {code for code in open_rows if any(f in label for label in labels[code])}
                if fragments and len(fits) == 1:
                    bound[fits.pop()] = (g[0].at, g)
                    loose.remove(g)
                    changed = True

    def row_labels(self, group: list[Piece]) -> list[str]:
        """Keys of the label text in a value group's row -- the cells before it in its table row, or the text before
        it on its line -- leaving out fragments of group labels ("（三）不" / "予公开" split over two rows)."""
        tokens, i = self.doc.tokens, self.stream.token_at(group[0].at)
        row = source_row(tokens[i].ref)
        if row is None:
            texts = [self.text[self.stream.starts[i]:group[0].at]]
        else:
            texts = []
            while i > 0 and source_row(tokens[i - 1].ref) == row:
                i -= 1
                texts.append(self.stream.lines[i])
        keys = [key(t) for t in texts if _CJK.search(t)]
        return [k for k in keys if not any(k in label for label in _group_labels())]

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
                m = _T4_FIRST_VALUE.search(self.text, values_start, end)
                if not m:
                    break
                stop = _AFTER_T4_VALUES.search(self.text, m.start(), end)
                region_start, region_end = m.start(), stop.start() if stop else end
            pieces = self.stream.pieces(region_start, region_end)
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
            if TEMPLATE.is_marker(line) or not _CJK.search(line):
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
        readings = solve([Row([Column(k) for k in keys], pieces, self.doc.cells_explicit)], equations({}))[0]
        return [_cell(T4, b, o, r) for (b, o), r in zip(keys, readings)]


# Table 四's header: 行政复议 … 行政诉讼 … 维持. A converted header may be shattered ("行政复议行政诉讼 / 未经复议直接
# 起诉复议后起诉 / 结果结果其他尚未 / … / 维持纠正…"), so up to 60 characters of header text, never a digit or a
# sentence mark (narrative), may stand between 行政诉讼 and the first 维持.
_T4_HEADER = re.compile(
    f"(?:{label_alternatives(_T4_FIRST)})" + r"[\W_]{0,12}?" + f"(?:{label_alternatives(_T4_SECOND)})"
    + r"(?:[\W_]{0,12}?" + f"(?:{label_alternatives(_T4_OUTCOME)})"
    + r"|[^\d。，；：]{0,60}?" + re.escape(_T4_OUTCOME_TAIL) + ")"
)


# The unit printed with an amount's header: "采购总金额（元）", "本年收费金额（单位：万元）".
_HEADER_UNIT = re.compile(r"\(\s*(?:单位\s*:?\s*)?(万元|元)\s*\)")


@cache
def _group_labels() -> tuple[str, ...]:
    """Keys of table 三's group labels, in any layout (（六）其他处理 is a group in 2021)."""
    rows = TEMPLATE.table(T3).codes("rows")
    return tuple(key(label) for r in rows if not r.is_value_row("2021") or not r.is_value_row("2019")
                 for label in (r.zh, *r.variants))


def _t2_column(item: str, measure: Code, text: str, header: re.Match | None) -> Column:
    """The solver's view of a table-二 cell; an amount whose header says 元 is converted to 万元."""
    decimal = bool(measure.get("decimal"))
    unit = _HEADER_UNIT.search(text, header.start(), header.end() + 12) if decimal and header else None
    return Column((item, measure.code), decimal, bool(measure.get("signed")), bool(unit and unit.group(1) == "元"))


def _cell(table: str, row: str, column: str, r: Cell) -> Cell:
    return replace(r, table=table, row=row, column=column)


def align(report: Report, stream: Stream) -> Report:
    """Fill a report's cells, layouts and reading errors from its document (`stream`: its folded text)."""
    aligner = Aligner(report.document, stream, report.meta.year)
    regions = aligner.locate()
    if T2 in regions:
        report.layouts[T2], cells = aligner.proactive(*regions[T2])
        report.cells += cells
    else:
        captions = " or ".join(repr(c) for c in _T2_CAPTIONS)
        aligner.fail(T2, f"not found (no {captions} caption or {_T2_HEADER!r} header)")
    if T3 in regions:
        report.layouts[T3], cells = aligner.applications(*regions[T3])
        report.cells += cells
    else:
        aligner.fail(T3, f"not found (no {_T3_FIRST_ROW.zh!r} row)")
    copies = aligner.review_litigation(*regions[T4]) if T4 in regions else []
    if copies:
        report.cells += copies[0]
        report.twins[T4] = copies[1:]
    else:
        aligner.fail(T4, f"not found (no '{_T4_FIRST} … {_T4_SECOND} … {_T4_OUTCOME}' header)")
    report.template = report.layouts.get(T2) or report.layouts.get(T3)
    report.errors += aligner.errors
    return report
