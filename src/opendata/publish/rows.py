"""The published rows of one report: the ONE place a Report becomes resource rows.

A report's rows are built here as small dicts (easy to extend by one field), then kept as tuples in Table Schema
field order: a `ReportRows` is plain, picklable data that extraction workers return and the extraction cache
stores, and that the streaming writers append to their column buffers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from opendata.model import Report
from opendata.spec.schemas import load_yaml, table_schema
from opendata.spec.template import TEMPLATE


@cache
def resource_names() -> tuple[str, ...]:
    """Resources in publishing order (package.yaml)."""
    return tuple(load_yaml("package.yaml")["resources"])


@cache
def field_names(resource: str) -> tuple[str, ...]:
    return tuple(f["name"] for f in table_schema(resource)["fields"])


@dataclass
class ReportRows:
    """What one source contributes to the package, or why it contributes nothing (`failure`)."""

    source: str  # the source file as given (for messages)
    report_id: str = ""
    rows: dict[str, list[tuple]] = field(default_factory=dict)  # resource -> rows in field order
    errors: list[str] = field(default_factory=list)  # reading errors of a published report
    failure: str | None = None  # why the report cannot be published at all
    failed_checks: int = 0
    year: int | None = None  # the report year and province: the partition of its rows in a large package
    province: str | None = None
    title: str = ""  # the descriptor's `sources` entry
    origin_url: str | None = None
    source_key: str | None = None  # the extraction cache key of its source (set by a build with a cache)
    source_stat: list | None = None  # and its fingerprint (pipeline.fingerprint)


def source_path(path: Path, root: Path) -> str:
    """The source file as published: relative to `root` when under it, else its name (never an absolute local
    path; the pipeline passes the folder the inputs share as root)."""
    full, folder = str(resolved(path)), str(_resolved_folder(str(root)))
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return full[len(prefix):].replace(os.sep, "/") if full.startswith(prefix) else path.name


def resolved(path: Path) -> Path:
    """`path.resolve()`, with each folder resolved once for all its files (10,000 sources: 10,000 resolutions of
    the same folder cost a second); a file that is itself a link is resolved whole."""
    if path.is_symlink():
        return path.resolve()
    return _resolved_folder(str(path.parent)) / path.name


@cache
def _resolved_folder(folder: str) -> Path:
    return Path(folder).resolve()


def report_dicts(r: Report, src: str, duplicate_published: bool) -> dict[str, list[dict]]:
    """Every row a report publishes, resource by resource."""
    tables: dict[str, list[dict]] = {name: [] for name in resource_names() if name != "codebook"}
    tables["reports"].append({
        "report_id": r.report_id, "year": r.meta.year, "region_code": r.meta.region_code,
        "region_name": r.meta.region_name, "agency": r.meta.agency, "scope": r.meta.scope, "level": r.meta.level,
        "template": r.template, "title": r.meta.title, "source_path": src,
        "source_sha256": r.document.sha256, "source_format": r.document.format,
        "script": r.script, "origin_url": r.meta.origin_url,
        # only when its twin is published too (the field is a key into this resource)
        "duplicate_of": r.meta.duplicate_of if duplicate_published else None,
    })
    keys = TEMPLATE.cell_keys
    for c in r.cells:
        row_key, col_key = keys[c.table]
        row = {"report_id": r.report_id, row_key: c.row, col_key: c.column, "value": c.value}
        if c.table == "proactive_disclosure":
            row["unit"] = _unit(c.column)
        row.update(status=c.status, reading=c.reading or None, raw=c.raw or None,
                   source_ref=f"{src}#{c.source_ref}" if c.source_ref else src)
        tables[c.table].append(row)
    for k in r.checks:
        tables["checks"].append({
            "report_id": r.report_id, "check_id": k.check_id, "subject": k.subject, "expected": k.expected,
            "actual": k.actual, "result": k.result, "message": k.message,
        })
    return tables


@cache
def _unit(measure: str) -> str | None:
    return TEMPLATE.table("proactive_disclosure").code("measures", measure).unit


def as_tuples(tables: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    return {name: _tuples(name, rows) for name, rows in tables.items()}


def _tuples(name: str, rows: list[dict]) -> list[tuple]:
    fields = field_names(name)
    try:
        return list(map(_getter(name), rows))  # the common case: every field set (a C-level lookup)
    except KeyError:
        return [tuple(row.get(f) for f in fields) for row in rows]


@cache
def _getter(name: str):
    from operator import itemgetter

    fields = field_names(name)
    return itemgetter(*fields) if len(fields) > 1 else (lambda row: (row[fields[0]],))


def report_rows(r: Report, root: Path, duplicate_published: bool) -> ReportRows:
    src = source_path(r.document.path, root)
    return ReportRows(
        source=str(r.document.path), report_id=r.report_id, rows=as_tuples(report_dicts(r, src, duplicate_published)),
        errors=list(r.errors), failed_checks=sum(1 for c in r.checks if c.result == "fail"),
        title=f"{r.meta.agency or ''} {r.meta.year or ''} {r.meta.title or r.report_id}".strip(),
        origin_url=r.meta.origin_url, year=r.meta.year, province=province_of(r.meta.region_code))


UNKNOWN_PROVINCE = "unknown"


def part_of(r: ReportRows) -> str:
    """The part a report's rows go to in a large package (hive folders): `year=2023/province=35`."""
    return f"year={r.year}/province={r.province or UNKNOWN_PROVINCE}"


def province_of(region_code: str | None) -> str:
    """The province partition of a report: the two-digit GB/T 2260 prefix of its region code ("35" for 福建), or
    `unknown` when the report has no region code (never guessed from anything else)."""
    if region_code and len(region_code) >= 2 and region_code[:2].isdigit():
        return region_code[:2]
    return UNKNOWN_PROVINCE


def codebook_rows() -> list[tuple]:
    from opendata.spec import codebook

    return as_tuples({"codebook": codebook.rows()})["codebook"]
