"""The one adapter from the solver's readings to a table's published cells (kept small: the solver's result type
may change)."""

from __future__ import annotations

from opendata.model import Cell


def to_cell(table: str, row: str, column: str, r: Cell) -> Cell:
    # Built directly, not with dataclasses.replace: called for every cell of every report (replace costs 5x).
    return Cell(table, row, column, r.status, r.value, r.raw, r.source_ref, r.note, r.reading, r.candidates)
