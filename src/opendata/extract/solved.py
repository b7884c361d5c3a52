"""The one adapter from the solver's readings to a table's published cells (kept small: the solver's result type
may change)."""

from __future__ import annotations

from dataclasses import replace

from opendata.model import Cell


def to_cell(table: str, row: str, column: str, r: Cell) -> Cell:
    return replace(r, table=table, row=row, column=column)
