"""Table 三 (收到和处理政府信息公开申请情况): its row labels in printed order, each value row's seven applicant cells,
solved as a whole (H3 per row, H1/H2 across rows)."""

from __future__ import annotations

import math
from bisect import bisect_left
from functools import cache

from opendata.extract.blank_lines import kept_blanks
from opendata.extract.headers import Order, describe, label_hits, subsequence
from opendata.extract.interrupt import cut_by_text
from opendata.extract.locate import T3, Locator, pattern
from opendata.extract.repair import bind_rows
from opendata.extract.solved import to_cell
from opendata.extract.stream import source_row
from opendata.model import Cell, Piece
from opendata.solve.search import Column, Row, solve
from opendata.spec.identities import equations
from opendata.spec.template import TEMPLATE, Code


def read_applications(loc: Locator, start: int, end: int) -> tuple[str | None, list[Cell]]:
    """Table 三's layout and cells, read from its region of the stream; each row's values go to the applicant
    columns in the order the header prints them."""
    # The 2021 layout splits （六）其他处理 into sub-rows; those with labels of their own prove it.
    layout = loc.layout(T3, start, end)
    if layout is None:
        loc.unknown_layout(T3)
        return None, []
    eqs = equations({T3: layout})
    spans = t3_labels(loc, TEMPLATE.application_rows(layout), layout, start, end)
    first_row = spans[0][0] if spans else end
    order = applicant_order(loc, _header_start(loc, start) if first_row == start else start, first_row)
    if not order.known:
        loc.fail(T3, order.why)
        return layout, [Cell(T3, row.code, c.code, "unreadable", note=order.why)
                        for row in TEMPLATE.application_value_rows(layout) for c in _COLUMNS]

    def make(code: str, pieces: list[Piece], choices: list[list[Piece]] = ()) -> Row:
        return Row(list(_columns(code, order.codes)), pieces, loc.doc.cells_explicit, list(choices))

    regions: dict[str, tuple[int, int, list[Piece]]] = {}  # row -> label start, label end, value pieces
    cuts: dict[str, str] = {}  # row -> why its values cannot be placed (text cuts them)
    for i, (s, e, row) in enumerate(spans):
        region_end = spans[i + 1][0] if i + 1 < len(spans) else end
        regions[row.code] = (s, e, loc.stream.pieces(e, region_end))
        if not loc.doc.cells_explicit and row.is_value_row(layout) and (why := cut_by_text(loc.stream, e, region_end)):
            cuts[row.code] = f"row {row.zh}: {why}"
            loc.fail(T3, cuts[row.code])
    value_rows = [row.code for row in TEMPLATE.application_value_rows(layout)]
    blanks = kept_blanks(loc, regions, value_rows, len(_COLUMNS))
    if loc.doc.cells_explicit:
        bound = bind_rows(loc, layout, regions, make, eqs)
    elif blanks:  # one cell per line, blank cells kept as empty lines
        bound = {code: make(code, pieces) for code, pieces in blanks.items()}
    else:  # values after a group label are left out, as ever
        bound = {code: make(code, regions[code][2]) for code in value_rows if code in regions}
    for row in TEMPLATE.application_value_rows(layout):
        if row.code not in bound:
            loc.fail(T3, f"row {row.zh} not found")
    return layout, _solved(layout, {k: v for k, v in bound.items() if k not in cuts}, order, eqs, cuts)


@cache
def _columns(row: str, codes: tuple[str, ...]) -> tuple[Column, ...]:  # made once: a row of every report needs them
    return tuple(Column((row, c)) for c in codes)


def _solved(layout: str, bound: dict[str, Row], order: Order, eqs, cuts: dict[str, str]) -> list[Cell]:
    """The table solved as a whole (H3 per row, then H1/H2 jointly across rows), in the template's cell order;
    rows cut by text (`cuts`) are unreadable."""
    rows = {row.code: bound[row.code] for row in TEMPLATE.application_value_rows(layout) if row.code in bound}
    readings = dict(zip(rows, solve(list(rows.values()), eqs)))
    cells: list[Cell] = []
    for row in TEMPLATE.application_value_rows(layout):
        if row.code not in readings:
            note = cuts.get(row.code, "row not found")
            cells += [Cell(T3, row.code, c.code, "unreadable", note=note) for c in _COLUMNS]
            continue
        by_column = dict(zip(order.codes, readings[row.code]))
        cells += [to_cell(T3, row.code, c.code, by_column[c.code]) for c in _COLUMNS]
    return cells


_COLUMNS = TEMPLATE.table(T3).codes("columns")
_TEMPLATE_ORDER = [c.code for c in _COLUMNS]
_LABELS = {c.code: c.zh for c in _COLUMNS}
# The group label over the five legal-person columns, and the 勾稽 note: text that is no column label.
_GROUP = pattern(*(g["zh"] for g in TEMPLATE.table(T3).spec["column_groups"]))
_NOTE = pattern(TEMPLATE.table(T3).spec["header_labels"][0])


def _header_start(loc: Locator, start: int) -> int:
    """Where table 三's header may begin: its region's start, or, when the region begins at its first row (no header
    label found), the section heading printed just before it -- a header printed there is still read."""
    heading = loc.heading("sec3_requests", max(0, start - 400), start)
    return heading.end() if heading else start


def applicant_order(loc: Locator, start: int, end: int) -> Order:
    """The printed order of table 三's applicant columns, from the header between `start` and the first row label.
    The header's shape is the template's: a top row 自然人 | 法人或其他组织 | 总计 and a row of five sub-columns
    under the group, flattened row by row, so the labels read in order S give the columns S[0], S[2:], S[1].
    Where the group's label comes first or is not printed, the flattening cannot be told: only the template's own
    order is taken."""
    hits = label_hits(loc.text, start, end, _COLUMNS, (_GROUP, _NOTE))
    found = [code for _, code in hits]
    group = loc.find(_GROUP, start, end)
    if sorted(found) == sorted(_TEMPLATE_ORDER):
        before_group = sum(pos < group.start() for pos, _ in hits) if group else None
        row_by_row = (found[0], *found[2:], found[1])
        if before_group == 1:  # 自然人 | 法人或其他组织 | 总计, then the sub-columns: any order is read
            return Order(row_by_row, read=True)
        # The group's label first (a converter put the taller cells after it), or no group label: the two taller
        # cells may be on the sub-columns' line or on their own, so only the template's order can be told.
        if found == _TEMPLATE_ORDER or (group and list(row_by_row) == _TEMPLATE_ORDER):
            return Order(tuple(_TEMPLATE_ORDER), read=True)
    first_seen = list(dict.fromkeys(found))  # a label printed twice (a header repeated after a page break)
    tops = [c for c in first_seen if not TEMPLATE.table(T3).code("columns", c).parent]
    subs = [c for c in first_seen if c not in tops]
    if subsequence(tops, _TEMPLATE_ORDER) and subsequence(subs, _TEMPLATE_ORDER):
        return Order(tuple(_TEMPLATE_ORDER))
    return Order(None, f"the header prints the applicant columns as {describe(hits, _LABELS)}; "
                       f"which value is whose cannot be established")


def t3_labels(loc: Locator, rows: list[Code], layout: str, start: int, end: int) -> list[tuple[int, int, Code]]:
    """Table 三's labels, in printed order: the most value rows whose labels follow the template's order (a
    label out of place -- a group label or a row label a converter pushed down -- must not hide the rows after
    it; with equal counts, the earliest matches). In explicit-cell sources a label printed in its own row wins
    over one left in loose text. Group labels are boundaries where they stand between their neighbours."""
    values = [r for r in rows if r.is_value_row(layout)]
    matches = [[(m.start(), m.end(), in_own_row(loc, m.end())) for m in r.pattern.finditer(loc.text, start, end)]
               for r in values]
    chain = list(_in_order(values, matches, start))
    spans, lo = list(chain), start
    for row in rows:
        later = [s for s, _, r in chain if r.position > row.position]
        if row.is_value_row(layout):
            lo = next((e for _, e, r in chain if r.code == row.code), lo)
        elif m := loc.find(row.pattern, lo, min(later, default=end)):
            spans.append((m.start(), m.end(), row))
            lo = m.end()
    return sorted(spans, key=lambda span: span[0])


def _in_order(values: list[Code], matches: list[list[tuple[int, int, int]]], start: int) -> tuple:
    """The chain of `t3_labels`: the most rows matched in order (then the most labels in their own row; the first
    of equals, the earliest match), a label at most per row."""
    # What `best(i, pos)` gives depends on `pos` only through which matches of rows i.. start at or after it, so
    # every position is moved on to the next such start: equal states share one entry (linear, not quadratic).
    starts = [sorted({m[0] for ms in matches[i:] for m in ms}) for i in range(len(values) + 1)]

    def state(i: int, pos: int) -> float:
        k = bisect_left(starts[i], pos)
        return starts[i][k] if k < len(starts[i]) else math.inf

    @cache
    def best(i: int, pos: float) -> tuple[tuple[int, int], tuple]:
        if i == len(values):
            return (0, 0), ()
        later = [m for m in matches[i] if m[0] >= pos]
        picks = later[:1] + [m for m in later if m[2] and not later[0][2]][:1]
        options = []
        for s, e, own in picks:
            (count, owned), chain = best(i + 1, state(i + 1, e))
            options.append(((count + 1, owned + own), ((s, e, values[i]),) + chain))
        options.append(best(i + 1, state(i + 1, pos)))
        return max(options, key=lambda option: option[0])  # the first of equals: the earliest match

    return best(0, state(0, start))[1]


def in_own_row(loc: Locator, label_end: int) -> int:
    """Explicit-cell sources: 1 when a label shares its row with values (cells after it in its table row, or
    numbers after it on its line of text), 0 for a label alone in loose text; 0 for every label elsewhere."""
    if not loc.doc.cells_explicit:
        return 0
    i = loc.stream.token_at(label_end - 1)
    tokens = loc.doc.tokens
    row = source_row(tokens[i].ref)
    if row is None:
        line_end = loc.stream.starts[i] + len(loc.stream.lines[i])
        return int(bool(loc.stream.pieces(label_end, line_end)))
    return int(i + 1 < len(tokens) and source_row(tokens[i + 1].ref) == row)
