"""The codebook resource, generated from schemas/template.yaml: every code with its labels and templates."""

from __future__ import annotations

from opendata.spec.template import TEMPLATE


def rows() -> list[dict]:
    out = []
    for table_name, table in TEMPLATE.tables.items():
        for list_name in table.kinds.values():
            for c in table.codes(list_name):
                out.append({
                    "table": table_name, "kind": c.kind, "code": c.code, "label_zh": c.zh, "label_en": c.en,
                    "templates": " ".join(c.templates), "parent": c.parent, "position": c.position,
                    "unit": c.unit, "variants": " | ".join(c.variants) or None,
                })
    return out
