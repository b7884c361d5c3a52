"""Table Schemas of the published resources (schemas/resources/), with enums resolved from the template."""

from __future__ import annotations

import json
from functools import cache

from opendata.spec.files import load_yaml, schemas_dir
from opendata.spec.template import TEMPLATE

__all__ = ["load_yaml", "schemas_dir", "table_schema", "enum_values"]


@cache
def table_schema(resource: str) -> dict:
    """A resource's Table Schema, with `enumFrom` references resolved into enum constraints (see `enum_values`)."""
    schema = json.loads((schemas_dir() / "resources" / f"{resource}.schema.json").read_text(encoding="utf-8"))
    for field in schema["fields"]:
        ref = field.pop("enumFrom", None)
        if ref:
            field.setdefault("constraints", {})["enum"] = enum_values(ref)
    return schema


def enum_values(ref: str) -> list[str]:
    """The allowed values an `enumFrom` names, each kept in one place: "<table>.<list>" (codes of template.yaml),
    "templates", "statuses", "readings", "tables", "units.<table>" (units of a table's measures), "formats" (the readers')."""
    if ref == "templates":
        return list(TEMPLATE.templates)
    if ref == "statuses":
        return list(TEMPLATE.spec["statuses"])
    if ref == "readings":
        return [r["code"] for r in TEMPLATE.spec["readings"]]
    if ref == "tables":
        return list(TEMPLATE.tables)
    if ref == "formats":
        return list(TEMPLATE.spec["source_formats"])
    kind, _, table = ref.partition(".")
    if kind == "units":
        return list(dict.fromkeys(m.unit for m in TEMPLATE.table(table).codes("measures") if m.unit))
    table, kind = ref.split(".")
    return [c.code for c in TEMPLATE.table(table).codes(kind)]
