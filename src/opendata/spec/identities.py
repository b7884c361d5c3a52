"""The template's identities (schemas/identities.yaml) expanded into concrete equations over cell keys.

One place for the arithmetic: checks evaluate these equations, the solver uses them to choose between readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from opendata.spec.files import load_yaml
from opendata.spec.template import TEMPLATE


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


IDS: list[str] = [spec["id"] for spec in load_yaml("identities.yaml")["identities"]]


def equations(layouts: dict[str, str]) -> list[Equation]:
    """All equations for a report whose tables follow `layouts` (table -> "2019" | "2021")."""
    return list(_equations(layouts.get("applications")))


@cache
def _equations(applications_layout: str | None) -> tuple[Equation, ...]:
    """Table 四's equations always; table 三's for its layout (none when table 三 was not read)."""
    out: list[Equation] = []
    for spec in load_yaml("identities.yaml")["identities"]:
        table = spec["table"]
        if table == "applications":
            if applications_layout is None:
                continue
            value_rows = TEMPLATE.application_value_rows(applications_layout)
            members = {"columns": [c.code for c in TEMPLATE.table(table).codes("columns")],
                       "rows": [r.code for r in value_rows]}[spec["over"]]
            outcome_rows = [r.code for r in value_rows if r.get("outcome")]
        else:
            members, outcome_rows = [b.code for b in TEMPLATE.table(table).codes("blocks")], []
        rhs_codes = outcome_rows if spec["rhs"] == "outcome_rows" else spec["rhs"]
        for member in members:
            if spec["over"] == "columns":  # terms are rows, member is the column
                lhs = tuple((r, member) for r in spec["lhs"])
                rhs = tuple((r, member) for r in rhs_codes)
            else:  # terms are columns (applicants / outcomes), member is the row or block
                lhs = tuple((member, c) for c in spec["lhs"])
                rhs = tuple((member, c) for c in rhs_codes)
            out.append(Equation(spec["id"], table, member, lhs, rhs))
    return tuple(out)
