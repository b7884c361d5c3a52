"""Compare reports on one metric: a ranking (one year, a scope, a region) or one region followed across years.

Computes the metric with the builder of the `metrics` view (metrics.metrics_query), so every figure is the one
`opendata query "select * from metrics"` shows; the selection (year, scope, region) is applied to the reports first,
so only the selected reports' cells are read. A report whose checks fail on the metric's cells is left out and
named (shown, marked in a failed_checks column, with `include_failing`).
In a ranking, a rate whose denominator is below the floor (`min_requests`) is left out, and said so: a rate over
three requests is not ranked beside one over three hundred. A series by year lists every selected report; a value
that cannot be computed is a gap, not a zero.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from opendata.query.metrics import Metric, metric as find_metric

RANK_COLUMNS = ["rank", "region", "region_code", "agency", "scope", "year", "template", "numerator", "denominator",
                "value", "report_id"]
YEAR_COLUMNS = ["year", "region", "region_code", "agency", "scope", "template", "numerator", "denominator", "value",
                "change", "report_id"]
DEFAULT_MIN_REQUESTS = 30


@dataclass
class Selection:
    year: int | None = None
    scope: str | None = None  # jurisdiction | agency
    region: str | None = None  # part of the region name, or a region code (prefix)
    min_requests: int = DEFAULT_MIN_REQUESTS
    include_failing: bool = False  # show reports whose checks fail on the metric's cells, marked

    def describe(self, by: str = "rank", rate: bool = True) -> str:
        """The selection in words (a chart's subtitle)."""
        parts = [str(self.year) if self.year else "all years", self.scope or "all scopes"]
        if self.region:
            parts.append(f"region {self.region}")
        if by == "rank" and rate:
            parts.append(f"denominators ≥ {self.min_requests}")
        return " · ".join(parts)


@dataclass
class Comparison:
    metric: Metric
    by: str  # rank | year
    columns: list[str]
    rows: list[tuple]
    notes: list[str] = field(default_factory=list)  # caveats for the reader (left out, mixed scopes, templates)
    source: dict = field(default_factory=dict)  # the package's name, title, version, created


def region_condition(region: str) -> tuple[str, list]:
    """SQL condition and parameters for --region: digits are a code or code prefix (350400 means 3504xx, its own
    area and everything under it); other text is part of the region name (三明, 福建省三明市)."""
    text = region.strip()
    if re.fullmatch(r"\d{2,6}", text):
        prefix = text[:6]
        while len(prefix) > 2 and prefix.endswith("00"):
            prefix = prefix[:-2]
        return "region_code LIKE ?", [prefix + "%"]
    return "contains(region_name, ?)", [text]


def _selected(con, m: Metric, sel: Selection) -> list[dict]:
    from opendata.query.metrics import metrics_query

    conditions, params = ["true"], []
    if sel.year is not None:
        conditions.append("year = ?")
        params.append(sel.year)
    if sel.scope:
        conditions.append("scope = ?")
        params.append(sel.scope)
    if sel.region:
        cond, p = region_condition(sel.region)
        conditions.append(cond)
        params += p
    # Second sources (HTML beside crawler text) are left out by the builder: they would count a report twice.
    sql = (f"SELECT report_id, year, region_name, region_code, agency, scope, layout, numerator, denominator, value, "
           f"failed_checks FROM ({metrics_query([m.id], ' AND '.join(conditions), failing=True)}) "
           f"ORDER BY year, region_code, region_name, agency, report_id")
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _failing(rows: list[dict], sel: Selection) -> tuple[list[dict], list[str]]:
    """Leave out (or keep, marked) the reports whose checks fail on the metric's cells; say which."""
    failing = [r for r in rows if r["failed_checks"]]
    if not failing:
        return rows, []
    which = _names(failing, lambda r: f"{r['report_id']} ({r['failed_checks']})")
    if sel.include_failing:
        return rows, [f"{len(failing)} report(s) shown although a check fails on the metric's cells "
                      f"(failed_checks column): {which}"]
    return [r for r in rows if not r["failed_checks"]], [
        f"{len(failing)} report(s) left out: a check fails on the metric's cells (--include-failing shows them): "
        f"{which}"]


UNKNOWN = "the value cannot be computed (a cell is blank, a marker, ambiguous or unreadable, or the denominator is 0)"


def rankable(rows: list[dict], m: Metric, floor: int, verb: str = "left out",
             floor_name: str = "--min-requests ") -> tuple[list[dict], list[str]]:
    """Keep the rows that can be ranked (a value, and for a rate a denominator of at least `floor`); say what was
    left out and why (`verb`, `floor_name`: the wording of the CLI or of the site)."""
    unknown = [r for r in rows if r["value"] is None]
    small = [r for r in rows if r["value"] is not None and m.is_rate and (r["denominator"] or 0) < floor]
    notes = []
    if unknown:
        notes.append(f"{len(unknown)} report(s) {verb}: {UNKNOWN}: {_names(unknown)}")
    if small:
        notes.append(f"{len(small)} report(s) {verb}: denominator below {floor_name}{floor}: {_names(small)}")
    left_out = {id(r) for r in unknown + small}
    return [r for r in rows if id(r) not in left_out], notes


NAMES_SHOWN = 20  # a note on a national corpus would otherwise name thousands of reports


def _names(rows: list[dict], name=lambda r: r["report_id"]) -> str:
    shown = ", ".join(name(r) for r in rows[:NAMES_SHOWN])
    return shown + (f" and {len(rows) - NAMES_SHOWN:,} more" if len(rows) > NAMES_SHOWN else "")


def _caveats(rows: list[dict], m: Metric) -> list[str]:
    notes = []
    if len({r["scope"] for r in rows}) > 1:
        notes.append("compares jurisdiction-wide reports (a whole area) with single-agency reports; see the scope "
                     "column, or filter with --scope")
    if m.caution and len({r["layout"] for r in rows}) > 1:
        notes.append(f"{m.id} mixes the 2019 and 2021 templates: {m.caution}")
    return notes


def ranking(rows: list[dict]) -> list[tuple]:
    """Highest value first; equal values share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (-r["value"], r["region_code"] or "", r["agency"] or "", r["report_id"]))
    out, rank = [], 0
    for i, r in enumerate(ordered, start=1):
        if i == 1 or r["value"] != ordered[i - 2]["value"]:
            rank = i
        out.append((rank, r["region_name"], r["region_code"], r["agency"], r["scope"], r["year"], r["layout"],
                    r["numerator"], r["denominator"], r["value"], r["report_id"]))
    return out


def series(rows: list[dict]) -> list[tuple]:
    """Each body's reports in year order, with the change from its previous listed year."""
    ordered = sorted(rows, key=lambda r: (r["region_code"] or "", r["region_name"] or "", r["agency"] or "", r["year"]))
    out, previous = [], {}
    for r in ordered:
        body = (r["region_code"], r["region_name"], r["agency"], r["scope"])
        before = previous.get(body)
        change = r["value"] - before if None not in (before, r["value"]) else None
        previous[body] = r["value"]
        out.append((r["year"], r["region_name"], r["region_code"], r["agency"], r["scope"], r["layout"],
                    r["numerator"], r["denominator"], r["value"], change, r["report_id"]))
    return out


def package_source(package: Path) -> dict:
    """What a chart's caption cites: the package's name, title, version and build time."""
    from opendata.query.connection import descriptor_path

    meta = json.loads(descriptor_path(package).read_text(encoding="utf-8"))
    return {k: meta.get(k) for k in ("name", "title", "version", "created")}


def compare(package: Path, metric_id: str, selection: Selection | None = None, by: str = "rank") -> Comparison:
    """Rank the selected reports on a metric (by="rank"), or list them by year (by="year")."""
    from opendata.query.connection import connect

    if by not in ("rank", "year"):
        raise ValueError(f"--by must be rank or year, not {by!r}")
    m = find_metric(metric_id)
    sel = selection or Selection()
    con = connect(package, "")  # the metric's own SQL reads the resources: no view needed
    try:
        rows = _selected(con, m, sel)
    finally:
        con.close()
    checked, notes = _failing(rows, sel)
    if by == "rank":
        kept, more = rankable(checked, m, sel.min_requests)
        columns, table = RANK_COLUMNS, ranking(kept)
    else:  # a series keeps every year, a value that cannot be computed shows as a gap
        kept = checked
        gaps = [r for r in kept if r["value"] is None]
        more = [f"{len(gaps)} report(s) shown without a value: {UNKNOWN}: {_names(gaps)}"] if gaps else []
        columns, table = YEAR_COLUMNS, series(kept)
    notes += more + _caveats(kept, m)
    if sel.include_failing:
        failed = {r["report_id"]: r["failed_checks"] for r in kept}
        columns, table = columns + ["failed_checks"], [row + (failed[row[-1]],) for row in table]
    if not rows:
        notes.append("no report matches the selection")
    return Comparison(m, by, columns, table, notes, package_source(package))
