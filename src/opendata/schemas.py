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
    """A resource's Table Schema, with `enumFrom` references resolved into enum constraints from the template."""
    from opendata.template import TEMPLATE

    schema = json.loads((schemas_dir() / "resources" / f"{resource}.schema.json").read_text(encoding="utf-8"))
    for field in schema["fields"]:
        ref = field.pop("enumFrom", None)
        if ref:
            table, kind = ref.split(".")
            field.setdefault("constraints", {})["enum"] = [c.code for c in TEMPLATE.table(table).codes(kind)]
    return schema
