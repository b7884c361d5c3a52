"""The template's identities (schemas/identities.yaml) expanded into concrete equations over cell keys.

One place for the arithmetic: checks evaluate these equations, the solver uses them to choose between readings.
"""

from __future__ import annotations

from dataclasses import dataclass

from opendata.schemas import load_yaml
from opendata.template import TEMPLATE


@dataclass(frozen=True)
class Equation:
    """sum(lhs) == sum(rhs); every term is a (row, column) key of `table`."""

    id: str
    table: str
    subject: str
    lhs: tuple[tuple[str, str], ...]
    rhs: tuple[tuple[str, str], ...]

    @property
    def terms(self) -> tuple[tuple[str, str], ...]:
        return self.lhs + self.rhs


def equations(layouts: dict[str, str]) -> list[Equation]:
    """All equations for a report whose tables follow `layouts` (table -> "2019" | "2021")."""
    out: list[Equation] = []
    for spec in load_yaml("identities.yaml")["identities"]:
        table = spec["table"]
        if table == "applications" and table not in layouts:
            continue
        if table == "applications":
            rows = [r.code for r in TEMPLATE.application_value_rows(layouts[table])]
            outcome_rows = [
                r.code for r in TEMPLATE.application_value_rows(layouts[table]) if r.get("outcome")
            ]
            columns = [c.code for c in TEMPLATE.table(table).codes("columns")]
            members = columns if spec["over"] == "columns" else rows
        else:
            members = [b.code for b in TEMPLATE.table(table).codes("blocks")]
            outcome_rows = []
        rhs_codes = outcome_rows if spec["rhs"] == "outcome_rows" else spec["rhs"]
        for member in members:
            if spec["over"] == "columns":  # terms are rows, member is the column
                lhs = tuple((r, member) for r in spec["lhs"])
                rhs = tuple((r, member) for r in rhs_codes)
            else:  # terms are columns (applicants / outcomes), member is the row or block
                lhs = tuple((member, c) for c in spec["lhs"])
                rhs = tuple((member, c) for c in rhs_codes)
            out.append(Equation(spec["id"], table, member, lhs, rhs))
    return out
