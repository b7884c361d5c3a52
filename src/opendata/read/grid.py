"""Table grids to tokens, shared by the readers that see a table as rows of cells (PDF, Markdown).

One token per cell in row-major order; a cell covered by a spanning cell (None) is not repeated. An empty cell is
a blank value only where a value can stand: an empty cell in one of the grid's label columns, or left of a row's
label (the remainder of a merged label cut by a page break, a label printed over two grid columns), carries
nothing and leaves no token.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
    return bool(cell) and bool(_VALUE.match(cell) or _is_marker(cell, markers))


@lru_cache(maxsize=4096)  # the same labels in every report: folded once
def _folded(cell: str) -> str:
    return fold(cell)


def _is_marker(cell: str, markers: Markers) -> bool:
    return (_folded(cell) if len(cell) <= 64 else fold(cell)) in markers


def is_label(cell: str | None, markers: Markers = frozenset()) -> bool:
    return bool(cell and cell.strip()) and not is_value(cell, markers)


def label_columns(rows: Grid, markers: Markers = frozenset()) -> set[int]:
    """Columns holding row labels: text beside values, in rows that have values."""
    return _label_columns(_kinds(rows, markers))


_VALUE_CELL, _LABEL_CELL = 1, 2


def _kinds(rows: Grid, markers: Markers) -> list[list[int]]:
    """Each cell's kind (a value, a label, or 0: empty or covered), judged once per cell."""
    return [[_VALUE_CELL if is_value(cell, markers) else _LABEL_CELL if cell and cell.strip() else 0 for cell in row]
            for row in rows]


def _label_columns(kinds: list[list[int]]) -> set[int]:
    out: set[int] = set()
    for row in kinds:
        if _VALUE_CELL in row:
            out |= {c for c, kind in enumerate(row) if kind == _LABEL_CELL}
    return out


def _value_columns(kinds: list[list[int]]) -> set[int]:
    """Columns holding a value in some row."""
    return {c for row in kinds for c, kind in enumerate(row) if kind == _VALUE_CELL}


def _is_column_header(row_kinds: list[int], values: set[int], labels: set[int]) -> bool:
    """A header row: no value, and a label over a value column (a column header, not a row label). Its empty cells
    are the positions a merged header cell covers where the source keeps no merge (Markdown): no blank values."""
    return _VALUE_CELL not in row_kinds and any(
        kind == _LABEL_CELL and c in values and c not in labels for c, kind in enumerate(row_kinds))


def grid_tokens(rows: Grid, ref, skip: int = 0, labels: set[int] = frozenset(),
                markers: Markers = frozenset()) -> list[Token]:
    """Tokens of a grid's cells; `ref(row, col)` (1-based) names a cell; the first `skip` rows are left out;
    `labels`: label columns known from elsewhere (the first part of a table continued here)."""
    kinds = _kinds(rows, markers)
    labels = _label_columns(kinds) | labels
    values = _value_columns(kinds)
    tokens = []
    for r, (row, row_kinds) in enumerate(zip(rows, kinds), start=1):
        if r <= skip:
            continue
        last_label = max((c for c, kind in enumerate(row_kinds) if kind == _LABEL_CELL), default=-1)
        heading = _is_column_header(row_kinds, values, labels)
        for c, cell in enumerate(row):
            if cell is None:  # covered by a spanning cell already emitted
                continue
            if not cell.strip() and (heading or c in labels or c < last_label):
                continue
            tokens.append(Token(cell, ref(r, c + 1)))
    return tokens


def header_rows(rows: Grid, markers: Markers = frozenset()) -> list[list[str]]:
    """The texts of a table's header: its first rows holding no value, up to an empty row."""
    header = []
    for row in rows:
        if any(is_value(cell, markers) for cell in row) or not any(row):
            break
        header.append([cell for cell in row if cell])
    return header


def repeated_header(header: list[list[str]], rows: Grid) -> int:
    """How many of `rows`' first rows print `header` (header_rows' texts) again: a header repeated after a page
    break, no cells of the table. Never every row."""
    n = 0
    while n < min(len(header), len(rows) - 1) and [cell for cell in rows[n] if cell] == header[n]:
        n += 1
    return n
