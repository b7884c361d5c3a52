"""Table grids to tokens, shared by the readers that see a table as rows of cells (PDF, Markdown).

One token per cell in row-major order; a cell covered by a spanning cell (None) is not repeated. An empty cell is
a blank value only where a value can stand: an empty cell in one of the grid's label columns, or left of a row's
label (the remainder of a merged label cut by a page break, a label printed over two grid columns), carries
nothing and leaves no token.
"""

from __future__ import annotations

import re

from opendata.fold import fold
from opendata.model import Token

# A cell holding a number (maybe with a unit or a parenthesised note); a not-applicable marker is a value too.
_VALUE = re.compile(r"^\s*[-+]?\d[\d,]*(?:\.\d+)?\s*(?:万元|元)?\s*(?:[(（][^)）]*[)）])?\s*$")

Grid = list[list[str | None]]


# Texts that stand in a cell instead of a number ("/", "无"): the caller says which (readers know no template);
# compared folded, so "／" is "/".
Markers = frozenset


def folded_markers(markers) -> Markers:
    return frozenset(fold(m) for m in markers)


def is_value(cell: str | None, markers: Markers = frozenset()) -> bool:
    return bool(cell) and bool(_VALUE.match(cell) or fold(cell) in markers)


def is_label(cell: str | None, markers: Markers = frozenset()) -> bool:
    return bool(cell and cell.strip()) and not is_value(cell, markers)


def label_columns(rows: Grid, markers: Markers = frozenset()) -> set[int]:
    """Columns holding row labels: text beside values, in rows that have values."""
    out: set[int] = set()
    for row in rows:
        if any(is_value(cell, markers) for cell in row):
            out |= {c for c, cell in enumerate(row) if is_label(cell, markers)}
    return out


def value_columns(rows: Grid, markers: Markers = frozenset()) -> set[int]:
    """Columns holding a value in some row."""
    return {c for row in rows for c, cell in enumerate(row) if is_value(cell, markers)}


def is_column_header(row: list[str | None], values: set[int], labels: set[int], markers: Markers = frozenset()) -> bool:
    """A header row: no value, and a label over a value column (a column header, not a row label). Its empty cells
    are the positions a merged header cell covers where the source keeps no merge (Markdown): no blank values."""
    return not any(is_value(cell, markers) for cell in row) and any(
        is_label(cell, markers) and c in values and c not in labels for c, cell in enumerate(row))


def grid_tokens(rows: Grid, ref, skip: int = 0, labels: set[int] = frozenset(),
                markers: Markers = frozenset()) -> list[Token]:
    """Tokens of a grid's cells; `ref(row, col)` (1-based) names a cell; the first `skip` rows are left out;
    `labels`: label columns known from elsewhere (the first part of a table continued here)."""
    labels = label_columns(rows, markers) | labels
    values = value_columns(rows, markers)
    tokens = []
    for r, row in enumerate(rows, start=1):
        if r <= skip:
            continue
        last_label = max((c for c, cell in enumerate(row) if is_label(cell, markers)), default=-1)
        heading = is_column_header(row, values, labels, markers)
        for c, cell in enumerate(row):
            if cell is None:  # covered by a spanning cell already emitted
                continue
            if not cell.strip() and (heading or c in labels or c < last_label):
                continue
            tokens.append(Token(cell, ref(r, c + 1)))
    return tokens
