"""What each page shows, as plain dicts and lists for the templates (no HTML here)."""

from __future__ import annotations

import hashlib
import re

from opendata.query.chart import format_value
from opendata.query.metrics import metrics
from opendata.site.data import CELL_TABLES, PackageData
from opendata.site.rankings import region_series, year_rankings
from opendata.site.tables import STATUS_TEXT, applications_grid, placed_keys, proactive_grid, review_grid, value_cell
from opendata.spec.template import TEMPLATE

TABLE_TITLES = {name: f"{t.spec['number']}、{t.spec['zh']}" for name, t in TEMPLATE.tables.items()}


def region_slug(report: dict) -> str:
    """A file name for a report's region: its code, or (no code known) a short hash of its name."""
    code = report["region_code"]
    if code and re.fullmatch(r"\d{2,12}", code):
        return code
    return "name-" + hashlib.sha1(f"{code}|{report['region_name']}".encode("utf-8")).hexdigest()[:10]


def report_page(data: PackageData, report: dict) -> dict:
    rid = report["report_id"]
    cells, checks = data.cells.get(rid, {}), data.checks.get(rid, [])
    read_notes = {c["subject"]: c["message"] for c in checks if c["check_id"] == "READ"}
    printed = data.layouts.get(rid, {})
    layouts = {t: printed.get(t) or report["template"] for t in CELL_TABLES}
    grids = {
        "proactive_disclosure": proactive_grid(layouts["proactive_disclosure"], cells, read_notes),
        "applications": applications_grid(layouts["applications"], cells, read_notes),
        "review_litigation": review_grid(cells, read_notes),
    }
    placed = placed_keys(list(grids.values()))
    # A published cell the template's layout has no place for is still shown, never dropped silently.
    unplaced = [value_cell(k, c, read_notes) for k, c in sorted(cells.items()) if k not in placed]
    tables = [{"name": t, "title": TABLE_TITLES[t], "layout": layouts[t], "grid": g} for t, g in grids.items()]
    return {
        "report": report, "tables": tables, "unplaced": unplaced,
        "failing": [c for c in checks if c["result"] == "fail"],
        "unsure": [c for c in checks if c["check_id"] == "READ"],  # cells not read with confidence, and why
        "not_assessable": [c for c in checks if c["result"] == "not_assessable" and c["check_id"] != "READ"],
        "passed": sum(1 for c in checks if c["result"] == "pass"),
        "used_to_read": sum(1 for c in checks if c["result"] == "used_to_read"),  # held by construction
        "cells": [cells[k] | {"table": k[0], "row": k[1], "col": k[2]} for k in sorted(cells)],
        "legend": [(s, text) for s, (_, text) in STATUS_TEXT.items()],
        "region_slug": region_slug(report),
    }


def report_summaries(data: PackageData) -> list[dict]:
    """The index's list of reports: metadata, failing checks and cells not read as a number."""
    out = []
    for r in data.reports:
        checks = data.checks.get(r["report_id"], [])
        cells = data.cells.get(r["report_id"], {}).values()
        out.append(r | {"failing": sum(1 for c in checks if c["result"] == "fail"),
                        "flagged": sum(1 for c in cells if c["status"] in ("ambiguous", "unreadable")),
                        "cell_count": len(cells), "region_slug": region_slug(r)})
    return out


def regions(data: PackageData) -> dict[str, dict]:
    """Region slug -> its name, code and reports (year order)."""
    out: dict[str, dict] = {}
    for r in sorted(data.reports, key=lambda r: (r["year"], r["agency"] or "", r["report_id"])):
        region = out.setdefault(region_slug(r), {"slug": region_slug(r), "name": r["region_name"],
                                                 "code": r["region_code"], "reports": []})
        region["reports"].append(r)
    return dict(sorted(out.items(), key=lambda kv: (kv[1]["code"] or "999999", kv[1]["name"] or "")))


def _body(row: dict) -> str:
    return f"{row['agency'] or '?'} ({row['scope'] or '?'})"


def region_page(data: PackageData, region: dict) -> dict:
    """The region's reports, and per body a table of every metric by year, with line charts."""
    ids = {r["report_id"] for r in region["reports"]}
    series = region_series([r for r in data.metric_rows if r["report_id"] in ids], data.meta)
    years = sorted({r["year"] for s in series for r in s.rows})
    bodies: dict[str, list] = {}
    for s in series:
        by_body: dict[str, dict] = {}
        for row in s.rows:
            by_body.setdefault(_body(row), {})[row["year"]] = row
        for body, by_year in by_body.items():
            bodies.setdefault(body, []).append({"metric": s.metric, "years": [by_year.get(y) for y in years]})
    return {"region": region, "years": years, "bodies": bodies, "charts": [s for s in series if s.svg]}


def metric_pages(data: PackageData) -> list[dict]:
    return [{"metric": m, "rankings": year_rankings(data.metric_rows, m, data.meta)} for m in metrics().values()]


def value_text(value, unit: str = "") -> str:
    """A metric value for a table cell (format_value of the charts; blank when the metric could not be computed)."""
    return "" if value is None else format_value(value, unit)
