"""The three statistical tables of one report as grids laid out like the national template prints them: header
rows with their merged cells, Chinese labels, and one value cell per published cell showing how it was read.

A grid is a list of rows; a row is a list of `GridCell`s with row and column spans, ready for an HTML <table>.
"""

from __future__ import annotations

from dataclasses import dataclass

from opendata.spec.template import TEMPLATE

STATUS_TEXT = {  # what a value cell shows (None: the number, or a marker as printed), and why: the page's legend
    "reported": (None, "已填报 reported: a number printed in the source (0 included)"),
    "blank": ("", "空白 blank: the cell was empty in the source (not taken for 0)"),
    "marker": (None, "标记 marker: a not-applicable mark such as '/' was printed (shown as printed)"),
    "ambiguous": ("?", "存疑 ambiguous: several readings fit the template's arithmetic; none is guessed"),
    "unreadable": ("!", "无法识读 unreadable: the cell's text is not a number the template allows"),
    "derived": (None, "推算 derived: computed from the template's identities, not printed"),
    "absent": ("", "未发布 not published: the source has no such cell (or the table was not found)"),
}


@dataclass
class GridCell:
    text: str
    kind: str = "label"  # label | head | caption | value
    rowspan: int = 1
    colspan: int = 1
    cell: dict | None = None  # the published cell (value cells)
    key: tuple[str, str, str] | None = None  # (table, row, column) of a value cell
    note: str = ""  # tooltip: how the value was read

    @property
    def status(self) -> str:
        return self.cell["status"] if self.cell else "absent"


def number_text(value) -> str:
    """A value as the template prints it: no thousands separators, no trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_cell(key: tuple[str, str, str], cell: dict | None, read_notes: dict[str, str], colspan: int = 1) -> GridCell:
    if cell is None:
        return GridCell("", "value", colspan=colspan, key=key, note=STATUS_TEXT["absent"][1])
    status = cell["status"]
    shown = STATUS_TEXT.get(status, (None, status))[0]
    if shown is None:  # reported, derived: the number; marker: the mark as printed
        shown = cell["raw"] if status == "marker" else number_text(cell["value"])
    note = f"{status}; raw {cell['raw']!r}; at {cell['source_ref']}" if cell["raw"] is not None else status
    subject = ".".join(key)
    if subject in read_notes:
        note += f"; {read_notes[subject]}"
    return GridCell(shown, "value", colspan=colspan, cell=cell, key=key, note=note)


def _spans(count: int, width: int) -> list[int]:
    """Column spans of `count` measures across `width` columns: the last one takes what is left (as the 2021
    docx merges the value columns of a one-measure sub-table)."""
    return [1] * (count - 1) + [width - count + 1]


# Table 二 -------------------------------------------------------------------------------------------------------------
def proactive_grid(layout: str, cells: dict, read_notes: dict[str, str]) -> list[list[GridCell]]:
    """Stacked sub-tables, one per clause of Article 20: caption row, header row, one row per item."""
    table = TEMPLATE.table("proactive_disclosure")
    parts = TEMPLATE.proactive_layout(layout)
    width = max(len(p["measures"]) for p in parts)
    grid = []
    for part in parts:
        spans = _spans(len(part["measures"]), width)
        grid.append([GridCell(part["caption"], "caption", colspan=width + 1)])
        heads = [GridCell(table.code("measures", m).zh, "head", colspan=s) for m, s in zip(part["measures"], spans)]
        grid.append([GridCell(table.spec["header_label"], "head"), *heads])
        for item in part["items"]:
            keys = [("proactive_disclosure", item, m) for m in part["measures"]]
            grid.append([GridCell(table.code("items", item).zh)]
                        + [value_cell(k, cells.get(k), read_notes, s) for k, s in zip(keys, spans)])
    return grid


# Table 三 -------------------------------------------------------------------------------------------------------------
LABEL_COLUMNS = 3  # 一、… spans three label columns; （一） two; 1. one


def _applications_header() -> list[list[GridCell]]:
    table = TEMPLATE.table("applications")
    columns = table.codes("columns")
    corner, group_head = table.spec["header_labels"]
    second, third, seen = [], [], set()
    for c in columns:
        if c.parent is None:
            second.append(GridCell(c.zh, "head", rowspan=2))
        elif c.parent not in seen:
            seen.add(c.parent)
            children = [x for x in columns if x.parent == c.parent]
            second.append(GridCell(table.code("column_groups", c.parent).zh, "head", colspan=len(children)))
            third += [GridCell(x.zh, "head") for x in children]
    first = [GridCell(corner, "head", rowspan=3, colspan=LABEL_COLUMNS),
             GridCell(group_head, "head", colspan=len(columns))]
    return [first, second, third]


def _ancestors(row, by_code: dict) -> list:
    chain = []
    while row.parent:
        row = by_code[row.parent]
        chain.insert(0, row)
    return chain


def applications_grid(layout: str, cells: dict, read_notes: dict[str, str]) -> list[list[GridCell]]:
    """Header block, then one row per value row; a group label (三、本年度办理结果, （三）不予公开 …) is a merged
    cell spanning its value rows, as printed."""
    rows = TEMPLATE.application_rows(layout)
    by_code = {r.code: r for r in rows}
    value_rows = TEMPLATE.application_value_rows(layout)
    under = {g.code: [v for v in value_rows if g in _ancestors(v, by_code)] for g in rows}
    columns = TEMPLATE.table("applications").codes("columns")
    grid = _applications_header()
    for row in value_rows:
        chain = _ancestors(row, by_code)
        line = [GridCell(g.zh, "label", rowspan=len(under[g.code])) for g in chain if under[g.code][0] is row]
        line.append(GridCell(row.zh, "label", colspan=LABEL_COLUMNS - len(chain)))
        line += [value_cell(k, cells.get(k), read_notes) for k in (("applications", row.code, c.code) for c in columns)]
        grid.append(line)
    return grid


# Table 四 -------------------------------------------------------------------------------------------------------------
def review_grid(cells: dict, read_notes: dict[str, str]) -> list[list[GridCell]]:
    """Three header rows (行政复议 | 行政诉讼 › 未经复议直接起诉, 复议后起诉 › outcomes) over one row of 15 values."""
    table = TEMPLATE.table("review_litigation")
    blocks, outcomes = table.codes("blocks"), table.codes("outcomes")
    first, second, third, seen = [], [], [], set()
    for b in blocks:
        if b.parent is None:
            first.append(GridCell(b.zh, "head", colspan=len(outcomes)))
            second += [GridCell(o.zh, "head", rowspan=2) for o in outcomes]
            continue
        if b.parent not in seen:
            seen.add(b.parent)
            span = len(outcomes) * sum(1 for x in blocks if x.parent == b.parent)
            first.append(GridCell(table.code("block_groups", b.parent).zh, "head", colspan=span))
        second.append(GridCell(b.zh, "head", colspan=len(outcomes)))
        third += [GridCell(o.zh, "head") for o in outcomes]
    values = [value_cell(k, cells.get(k), read_notes)
              for k in (("review_litigation", b.code, o.code) for b in blocks for o in outcomes)]
    return [first, second, third, values]


def placed_keys(grids: list[list[list[GridCell]]]) -> set[tuple[str, str, str]]:
    return {c.key for grid in grids for row in grid for c in row if c.key}
