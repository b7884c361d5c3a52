"""Units of table 二's amounts: read from the header, a table-wide caption ("单位：千元" above or under the table's
heading or a sub-table's) or the cell, converted to the unit the schema publishes (万元) by the factors in
schemas/template.yaml (`amounts`); an amount in a unit not listed there is unreadable, and so is one whose header or
cell contradicts the caption."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from opendata.model import Cell, Piece
from opendata.spec.template import TEMPLATE

AMOUNTS = TEMPLATE.spec["amounts"]
PUBLISHED = AMOUNTS["unit"]
FACTORS = {unit: Decimal(str(f)) for unit, f in AMOUNTS["factors"].items()}
# The note of an amount printed with no unit, in a header without one: read in 万元 (S6 warns).
NO_UNIT = f"no unit printed with the amount or its header: read in {PUBLISHED}"
# What the solver converts itself: a number glued to 元 or 万元 ("251000元", "26769万元"), and a header in 元.
_SOLVER_UNITS = ("元", PUBLISHED)
# A unit in a header's brackets: "（元）", "（单位：千元）", "(单位:美元)" -- any word ending in 元.
_HEADER_UNIT = re.compile(r"\(\s*(?:单位\s*:?\s*)?([^()\d\s:,]{0,3}元)\s*\)")
# A number with a unit word after it in the stream ("1.2 亿元", "3,000千元").
_NUMBER_UNIT = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?[ \t]*([\u4e00-\u9fff]{0,3}元)")




def header_unit(text: str, header: re.Match | None) -> str | None:
    """The unit printed with an amount's header label (within a few characters after it), else the unit stated
    just above the header (no number between), or None."""
    if header is None:
        return None
    m = _HEADER_UNIT.search(text, header.start(), header.end() + 12) or _CAPTION.search(
        text, header.start(), header.end() + 12)  # "采购总金额（元）", or in its cell "采购总金额 单位：元"
    if m:
        return m.group(1)
    stated = _STATED_UNIT.search(text[max(0, header.start() - 60):header.start()])
    return stated.group(1) if stated else None


# A table-wide unit caption: "单位：万元", "（单位：元）", "金额单位：千元" (folded: half-width colon and brackets) -- any
# word ending in 元 after 单位 with a colon. Counts' captions ("单位：件") govern no amount and are not read.
_CAPTION = re.compile(r"(?:金额)?单位\s*:\s*([^\s\d:,()]{0,3}元)")
# The same caption stated over a table, a line above the amount's header with no number between.
_STATED_UNIT = re.compile(_CAPTION.pattern + r"[^\d]{0,40}$")


def caption_unit(text: str, scopes: list[tuple[int, int]], headers) -> tuple[str | None, str]:
    """The unit of a caption printed in `scopes` (the table's head, then the sub-table's own region), outside the
    headers' own units (`headers()`: each measure header and the 12 characters after it). (unit, where) when one
    unit is printed; (None, "") when none; (None, why) when captions print different units."""
    found = [m for start, end in scopes for m in _CAPTION.finditer(text, start, end)]
    if found:
        spans = headers()
        found = [m for m in found if not any(a <= m.start() < b for a, b in spans)]
    units = sorted({m.group(1) for m in found})
    if len(units) > 1:
        return None, f"captions print different units ({', '.join(units)})"
    return (units[0], f"the caption {found[0].group(0)!r}") if units else (None, "")


def header_or_caption(header: str | None, caption: str | None, caption_why: str) -> tuple[str | None, str | None]:
    """The unit an amount column is read in: its header's, else the table's caption's; (None, why) when the two
    disagree or captions do."""
    if caption_why and caption is None:
        return None, caption_why
    if header and caption and header != caption:
        return None, f"its header prints {header!r} and {caption_why} {caption!r}"
    return header or caption, None


def cell_units(text: str, pieces: list[Piece]) -> tuple[list[Piece], dict[str, str]]:
    """Pieces with a unit of their own the solver does not know (千元, 亿元 …) rewritten in 万元, pieces in a unit
    not listed made unreadable (kept with their unit, which is no number); and the unit of every piece that
    carries its own, by ref (a header's unit does not apply to them)."""
    out, own = [], {}
    for p in pieces:
        m = _NUMBER_UNIT.match(text, p.at) if p.kind == "number" else None
        if m is None:
            out.append(p)
            continue
        unit = own[p.ref] = m.group(1)
        number = p.text[:-len(unit)] if p.text.endswith(unit) else p.text
        if unit in _SOLVER_UNITS:
            out.append(p)
        elif unit in FACTORS:
            out.append(replace(p, text=f"{_plain(Decimal(number.replace(',', '')) * FACTORS[unit])}{PUBLISHED}"))
        else:
            out.append(replace(p, text=f"{number}{unit}"))
    return out, own


def apply_header_unit(cell: Cell, unit: str | None, own: dict[str, str], decimal: bool, caption: str | None = None,
                      conflict: str | None = None) -> Cell:
    """A cell read under an amount header (or a table caption) printing `unit`: converted to 万元 (unless the cell
    printed its own unit, or the solver converted 元), unreadable when the unit is unknown, when the header and the
    caption disagree (`conflict`), or when the cell's own unit is not the caption's. A conversion is said in the
    cell's note."""
    if not decimal or cell.status != "reported":
        return cell
    if conflict or (caption and cell.source_ref in own and own[cell.source_ref] != caption):
        why = conflict or f"the cell prints {own[cell.source_ref]!r} and the table's caption {caption!r}"
        return replace(cell, status="unreadable", value=None, reading="", note=f"printed {cell.raw!r}: {why}")
    if cell.source_ref in own:
        return _converted(cell, own[cell.source_ref], cell.value) if own[cell.source_ref] != PUBLISHED else cell
    if unit is None:  # published in the schema's unit, as the template doc says; the soft check S6 warns
        return replace(cell, note=NO_UNIT) if cell.value else cell  # 0 is 0 in any unit
    if unit == PUBLISHED:
        return cell
    if unit not in FACTORS:
        note = f"printed {cell.raw!r} under a header in {unit!r}, a unit not known (known: {', '.join(FACTORS)})"
        return replace(cell, status="unreadable", value=None, note=note)
    if unit == "元":  # converted by the solver (a 元 header is its `yuan` column)
        return _converted(cell, unit, cell.value)
    return _converted(cell, unit, _number(Decimal(str(cell.value)) * FACTORS[unit]))


def _converted(cell: Cell, unit: str, value: int | float) -> Cell:
    converted = replace(cell, value=value, note=f"printed {cell.raw!r} in {unit}; converted to {PUBLISHED}")
    if hasattr(converted, "reading"):
        converted.reading = "unit_converted"
    return converted


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)
