"""Locate and load the data files in schemas/ (template, identities, metrics, package metadata, Table Schemas).

The files live at the repository's top level; an installed wheel carries them as opendata/schemas.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import yaml

_HERE = Path(__file__).resolve().parent


def schemas_dir() -> Path:
    for candidate in (_HERE / "schemas", _HERE.parents[1] / "schemas"):
        if (candidate / "template.yaml").is_file():
            return candidate
    raise FileNotFoundError("schemas/ not found beside the opendata package")


@cache
def load_yaml(name: str) -> dict:
    return yaml.safe_load((schemas_dir() / name).read_text(encoding="utf-8"))


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
    "templates", "statuses", "tables", "units.<table>" (units of a table's measures), "formats" (the readers')."""
    from opendata.template import TEMPLATE

    if ref == "templates":
        return list(TEMPLATE.templates)
    if ref == "statuses":
        return list(TEMPLATE.spec["statuses"])
    if ref == "tables":
        return list(TEMPLATE.tables)
    if ref == "formats":
        from opendata.readers import READERS

        return list(dict.fromkeys(READERS.values()))
    kind, _, table = ref.partition(".")
    if kind == "units":
        return list(dict.fromkeys(m.unit for m in TEMPLATE.table(table).codes("measures") if m.unit))
    table, kind = ref.split(".")
    return [c.code for c in TEMPLATE.table(table).codes(kind)]
