"""Writers: the data package (datapackage.json, a CSV and a Parquet file per resource), written aside and swapped.

An interrupted build leaves the previous package untouched: everything is written to a sibling temporary folder,
and only when every file is written is the folder renamed into place.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from opendata.spec import codebook
from opendata.model import Report
from opendata.publish.target import marker, staged
from opendata.spec.schemas import load_yaml, table_schema
from opendata.spec.template import TEMPLATE



class PublishError(ValueError):
    pass


def resource_rows(reports: list[Report], root: Path) -> dict[str, list[dict]]:
    """The rows of every resource, in publishing order."""
    tables: dict[str, list[dict]] = {name: [] for name in load_yaml("package.yaml")["resources"]}
    published = {r.report_id for r in reports}
    for r in reports:
        path = r.document.path
        try:
            source_path = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            source_path = path.name  # never an absolute local path (the pipeline passes the input folder as root)
        tables["reports"].append({
            "report_id": r.report_id, "year": r.meta.year, "region_code": r.meta.region_code,
            "region_name": r.meta.region_name, "agency": r.meta.agency, "scope": r.meta.scope, "level": r.meta.level,
            "template": r.template, "title": r.meta.title, "source_path": source_path,
            "source_sha256": r.document.sha256, "source_format": r.document.format,
            "script": r.script, "origin_url": r.meta.origin_url,
            # only when its twin is published too (the field is a key into this resource)
            "duplicate_of": r.meta.duplicate_of if r.meta.duplicate_of in published else None,
        })
        for c in r.cells:
            row_key, col_key = TEMPLATE.cell_keys[c.table]
            row = {"report_id": r.report_id, row_key: c.row, col_key: c.column, "value": c.value}
            if c.table == "proactive_disclosure":
                row["unit"] = TEMPLATE.table(c.table).code("measures", c.column).unit
            row.update(status=c.status, reading=c.reading or None, raw=c.raw or None, source_ref=f"{source_path}#{c.source_ref}" if c.source_ref else source_path)
            tables[c.table].append(row)
        for k in r.checks:
            tables["checks"].append({
                "report_id": r.report_id, "check_id": k.check_id, "subject": k.subject, "expected": k.expected,
                "actual": k.actual, "result": k.result, "message": k.message,
            })
    tables["codebook"] = codebook.rows()
    return tables


def _csv_value(value, field_type: str) -> str:
    if value is None:
        return ""
    if field_type == "number":
        d = Decimal(str(value))
        return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")
    return str(value)


def write_csv(rows: list[dict], schema: dict, path: Path) -> None:
    fields = [f["name"] for f in schema["fields"]]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_csv_value(row.get(name), types[name]) for name in fields])


_ARROW = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_", "year": "int64"}


def arrow_schema(schema: dict):
    import pyarrow as pa

    return pa.schema([
        pa.field(f["name"], getattr(pa, _ARROW[f["type"]])(),
                 nullable=not f.get("constraints", {}).get("required", False),
                 metadata={"description": f.get("description", "")})
        for f in schema["fields"]
    ])


def write_parquet(rows: list[dict], schema: dict, path: Path, resource: str = "") -> None:
    """Typed from the Table Schema with safe casts: a fraction in an integer column or a missing required value
    is an error naming the resource, the field and the report, never a silently truncated number."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = arrow_schema(schema)
    columns = []
    for f in arrow:
        values = [row.get(f.name) for row in rows]
        try:
            column = pa.array(values).cast(f.type) if any(v is not None for v in values) else pa.nulls(len(values), f.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            bad = next((row for row in rows if not _fits(row.get(f.name), f.type)), {})
            raise PublishError(f"{resource}.{f.name}: {exc} (report {bad.get('report_id', '?')}, value "
                               f"{bad.get(f.name)!r})") from exc
        if not f.nullable and column.null_count:
            bad = next(row for row in rows if row.get(f.name) is None)
            raise PublishError(f"{resource}.{f.name} is required but empty for report {bad.get('report_id', '?')}")
        columns.append(column)
    pq.write_table(pa.Table.from_arrays(columns, schema=arrow), path, compression="zstd")


def _fits(value, arrow_type) -> bool:
    import pyarrow as pa

    if value is None:
        return True
    try:
        pa.array([value]).cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return True


def file_info(path: Path) -> dict:
    data = path.read_bytes()
    return {"hash": f"sha256:{hashlib.sha256(data).hexdigest()}", "bytes": len(data)}


def descriptor(reports: list[Report], out: Path, resources: list[str]) -> dict:
    meta = load_yaml("package.yaml")
    sources = [{"title": f"{r.meta.agency or ''} {r.meta.year or ''} {r.meta.title or r.report_id}".strip(),
                **({"path": r.meta.origin_url} if r.meta.origin_url else {})} for r in reports]
    package = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": meta["name"], "title": meta["title"], "description": meta["description"],
        "version": str(meta["version"]), **({"homepage": meta["homepage"]} if meta.get("homepage") else {}),
        "keywords": meta["keywords"],
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": meta["licenses"], "contributors": meta["contributors"],
        "sources": sources,
        **marker(),  # says opendata wrote it: a later build may replace it (publish/target.py)
        "resources": [],
    }
    for name in resources:
        schema = table_schema(name)
        for fmt, media in (("csv", "text/csv"), ("parquet", "application/vnd.apache.parquet")):
            path = Path("data") / f"{name}.{fmt}"
            entry = {
                "name": name if fmt == "csv" else f"{name}-parquet",
                "type": "table", "path": path.as_posix(), "format": fmt, "mediatype": media,
                "title": schema["title"] + ("" if fmt == "csv" else " (Parquet)"),
                "description": schema["description"],
                "schema": f"schemas/{name}.schema.json",
            }
            info = file_info(out / path)
            if fmt == "csv":
                entry["encoding"] = "utf-8"
                entry.update(info)
            else:
                # frictionless 5 reads Parquet through pyarrow and cannot measure its bytes or hash (it reports
                # "actual is None"), so the integrity of Parquet files is recorded under x- names and checked by
                # `opendata validate`.
                entry.update({f"x-{k}": v for k, v in info.items()})
            package["resources"].append(entry)
    return package


def publish(reports: list[Report], out: Path, root: Path | None = None) -> Path:
    """Write the package for `reports` to `out`: staged aside, validated, then swapped in (publish/target.py)."""
    out = out.resolve()
    root = root or Path.cwd()
    with staged(out) as tmp:
        (tmp / "data").mkdir()
        (tmp / "schemas").mkdir()
        tables = resource_rows(reports, root)
        for name, rows in tables.items():
            schema = table_schema(name)
            (tmp / "schemas" / f"{name}.schema.json").write_text(
                json.dumps(schema, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            write_csv(rows, schema, tmp / "data" / f"{name}.csv")
            write_parquet(rows, schema, tmp / "data" / f"{name}.parquet", name)
        package = descriptor(reports, tmp, list(tables))
        (tmp / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out
