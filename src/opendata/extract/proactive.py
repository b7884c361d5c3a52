"""Table 二 (主动公开政府信息情况): its sub-tables by caption, each item row's values under the measures printed."""

from __future__ import annotations

import re
from dataclasses import replace

from opendata.extract.headers import subsequence
from opendata.extract.interrupt import cut_by_text
from opendata.extract.locate import T2, Locator, pattern
from opendata.extract.solved import to_cell
from opendata.extract.units import apply_header_unit, caption_unit, cell_units, header_or_caption, header_unit
from opendata.model import Cell, Piece
from opendata.solve.search import Column, Row, solve
from opendata.spec.template import TEMPLATE, Code


def read_proactive(loc: Locator, start: int, end: int) -> tuple[str | None, list[Cell]]:
    """Table 二's layout and cells, read from its region of the stream (no layout and no cells when the layout
    cannot be told)."""
    table = TEMPLATE.table(T2)
    layout = loc.layout(T2, start, end)
    if layout is None:
        loc.unknown_layout(T2)
        return None, []
    spans = _spans(loc, layout, start, end)
    found = {code: (s, e) for s, e, code in spans if code}
    cells: list[Cell] = []
    subs = TEMPLATE.proactive_layout(layout)
    for sub in subs:
        printed = printed_measures(loc, sub, start, end, [found[c][0] for c in sub["items"] if c in found])
        caption = _caption_unit(loc, subs, sub, start, end) if any(m.get("decimal") for m, _ in printed or ()) else None
        if printed is None:
            cells += _unordered(loc, sub)
            continue
        for code in sub["items"]:
            if code not in found:
                loc.fail(T2, f"row {table.code('items', code).zh} not found")
                cells += [Cell(T2, code, m, "unreadable", note="row not found") for m in sub["measures"]]
                continue
            s, e = found[code]
            nxt = min((a for a, _, _ in spans if a >= e), default=end)
            if not loc.doc.cells_explicit and (why := cut_by_text(loc.stream, e, nxt)):
                why = f"row {table.code('items', code).zh}: {why}"
                loc.fail(T2, why)
                cells += [Cell(T2, code, m, "unreadable", note=why) for m in sub["measures"]]
                continue
            by_measure = _item_cells(loc, code, printed, loc.stream.pieces(e, nxt), caption)
            cells += [by_measure[m] for m in sub["measures"] if m in by_measure]  # the template's order
    return layout, cells


def _item_cells(loc: Locator, item: str, printed: list[tuple[Code, re.Match | None]], pieces: list[Piece],
                caption: tuple[str | None, str] | None = None) -> dict[str, Cell]:
    """One item row's cells by measure: its values read under the measures printed, amounts in 万元 (their unit
    from the header, else the table's `caption`: (unit, where))."""
    caption_unit_, where = caption or (None, "")
    units = [header_or_caption(header_unit(loc.text, header), caption_unit_, where) if m.get("decimal")
             else (None, None) for m, header in printed]
    pieces, own_unit = cell_units(loc.text, pieces)
    columns = [Column((item, m.code), bool(m.get("decimal")), bool(m.get("signed")), unit == "元")
               for (m, _), (unit, _) in zip(printed, units)]
    readings = solve([Row(columns, pieces, loc.doc.cells_explicit)])[0]
    readings = [doubted(loc, m, header, r) for (m, header), r in zip(printed, readings)]
    return {m.code: apply_header_unit(to_cell(T2, item, m.code, r), unit, own_unit, bool(m.get("decimal")),
                                      caption_unit_, conflict)
            for (m, _), (unit, conflict), r in zip(printed, units, readings)}


def _caption_unit(loc: Locator, subs: list[dict], sub: dict, start: int, end: int) -> tuple[str | None, str]:
    """The unit a caption prints for a sub-table's amounts: above table 二 (after its section heading) or in the
    sub-table's own region, outside its headers' own units."""
    heading = loc.heading("sec2_proactive", max(0, start - 300), start)
    head = (heading.end() if heading else max(0, start - 120), start)
    captions = sorted(m.start() for s in subs if (m := loc.find(pattern(s["caption"]), start, end)))
    own = loc.find(pattern(sub["caption"]), start, end)
    scopes = [head]
    if own:
        scopes.append((own.end(), min((c for c in captions if c > own.start()), default=end)))
    amounts = [m for m in TEMPLATE.table(T2).codes("measures") if m.get("decimal")]
    return caption_unit(loc.text, scopes, lambda: [(h.start(), h.end() + 12) for m in amounts
                                                   for h in m.pattern.finditer(loc.text, start, end)])


def _unordered(loc: Locator, sub: dict) -> list[Cell]:
    why = f"{sub['caption']}: the header does not print its measures' labels; their order cannot be established"
    loc.fail(T2, why)
    return [Cell(T2, item, m, "unreadable", note=why) for item in sub["items"] for m in sub["measures"]]


def _spans(loc: Locator, layout: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """Every label of the region in order: (start, end, item code, or None for captions, headers and measures)."""
    table = TEMPLATE.table(T2)
    spans: list[tuple[int, int, str | None]] = []
    boundary = pattern(table.spec["header_label"], *[s["caption"] for s in TEMPLATE.proactive_layout(layout)])
    for m in boundary.finditer(loc.text, start, end):
        spans.append((m.start(), m.end(), None))
    for measure in table.codes("measures"):
        for m in measure.pattern.finditer(loc.text, start, end):
            spans.append((m.start(), m.end(), None))
    for code in (item for sub in TEMPLATE.proactive_layout(layout) for item in sub["items"]):
        m = loc.find(table.code("items", code).pattern, start, end)
        if m:
            spans.append((m.start(), m.end(), code))
    return sorted(spans)


def printed_measures(loc: Locator, sub: dict, start: int, end: int,
                     item_starts: list[int]) -> list[tuple[Code, re.Match | None]] | None:
    """A sub-table's columns with their header matches, in the order the header prints them: the measures its
    header row prints (a local layout may leave some out: a 2019 (五) printed as 2019年项目数量 | 处理决定数量), or,
    where no header row is printed, the layout's measures where the labels legible follow the template's order.
    None when the order cannot be established (several measures, no label, or labels in another order)."""
    table = TEMPLATE.table(T2)
    measures = [table.code("measures", c) for c in sub["measures"]]
    caption = loc.find(pattern(sub["caption"]), start, end)
    first = min((s for s in item_starts if caption and s > caption.end()), default=None)
    if caption is None or first is None:
        return [(m, None) for m in measures] if len(measures) == 1 else None
    headers = [(m, loc.find(m.pattern, caption.end(), first)) for m in measures]
    printed = sorted(((m, h) for m, h in headers if h), key=lambda mh: mh[1].start())
    shown = loc.find(pattern(table.spec["header_label"]), caption.end(), first)  # a header row is printed
    if printed and shown:
        return printed
    if len(measures) == 1 or (printed and subsequence([m.code for m, _ in printed], sub["measures"])):
        return headers  # one column, or the labels legible follow the template's order
    return None


def doubted(loc: Locator, measure: Code, header: re.Match | None, reading: Cell) -> Cell:
    """A reported value under a header naming another year than the measure counts (上一年项目数量 printed as
    '2019年项目数量' in a 2019 report) is ambiguous: the value is printed, but what it counts is not the measure."""
    offset = measure.get("year_offset")
    years = re.findall(r"(?:19|20)\d{2}", header.group(0)) if header else []
    if offset is None or not years or loc.year is None or reading.status != "reported":
        return reading
    meant = loc.year + offset
    if int(years[0]) == meant:
        return reading
    printed = re.sub(r"\s+", "", header.group(0))
    note = f"printed {reading.raw!r} under the header {printed!r}; {measure.zh} counts {meant}, not {years[0]}"
    return replace(reading, status="ambiguous", value=None, note=note, reading="")
