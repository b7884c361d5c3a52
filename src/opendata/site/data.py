"""Everything the site shows, read from the package with DuckDB through `query.connection.connect` (one
connection, a handful of queries) and the descriptor's package-level metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from opendata.publish.package import PackageError, descriptor_path
from opendata.spec.template import TEMPLATE

CELL_TABLES = ("proactive_disclosure", "applications", "review_litigation")


@dataclass
class PackageData:
    meta: dict  # the descriptor (title, version, licences, resources ...)
    reports: list[dict]  # one dict per report, in report_id order
    layouts: dict[str, dict[str, str | None]]  # report_id -> table -> template the table follows as printed
    cells: dict[str, dict[tuple[str, str, str], dict]]  # report_id -> (table, row, column) -> published cell
    checks: dict[str, list[dict]]  # report_id -> its check rows
    metric_rows: list[dict]  # the `metrics` view, second sources of a report left out

    def report(self, report_id: str) -> dict:
        return next(r for r in self.reports if r["report_id"] == report_id)


def _records(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _cells(con) -> dict[str, dict[tuple[str, str, str], dict]]:
    out: dict[str, dict] = {}
    for table in CELL_TABLES:
        row_key, col_key = TEMPLATE.cell_keys[table]
        sql = (f"SELECT report_id, {row_key} AS row, {col_key} AS col, value, status, raw, source_ref "
               f"FROM {table} ORDER BY report_id")
        for cell in _records(con, sql):
            out.setdefault(cell["report_id"], {})[(table, cell["row"], cell["col"])] = cell
    return out


def _checks(con) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for check in _records(con, "SELECT * FROM checks ORDER BY report_id, check_id, subject"):
        out.setdefault(check["report_id"], []).append(check)
    return out


def _layouts(con) -> dict[str, dict[str, str | None]]:
    rows = _records(con, "SELECT * FROM report_layouts")
    return {r["report_id"]: {t: r[t] for t in CELL_TABLES} for r in rows}


def load(package: Path) -> PackageData:
    """Read the whole package once (the bundled package is a few thousand cells)."""
    import duckdb

    descriptor = descriptor_path(package)
    try:
        return _load(package, json.loads(descriptor.read_text(encoding="utf-8")))
    except (duckdb.Error, json.JSONDecodeError, KeyError) as exc:  # a damaged file: say which package, go no further
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PackageError(f"{descriptor}: cannot read the package: {first_line}") from exc


def _load(package: Path, meta: dict) -> PackageData:
    from opendata.query.connection import connect

    con = connect(package)
    try:
        reports = _records(con, "SELECT * FROM reports ORDER BY report_id")
        metric_rows = _records(
            con, "SELECT m.* FROM metrics m JOIN reports r USING (report_id) WHERE r.duplicate_of IS NULL "
                 "ORDER BY m.metric, m.year, m.region_code, m.agency, m.report_id")
        return PackageData(meta, reports, _layouts(con), _cells(con), _checks(con), metric_rows)
    finally:
        con.close()
