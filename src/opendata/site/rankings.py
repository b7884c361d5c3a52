"""The comparison metrics on the site: per metric and year a ranking (the rules of `opendata compare`: a rate over
fewer than DEFAULT_MIN_REQUESTS is left out, and said so), per region each body's series across years; charts are
query/chart.py's SVG."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from opendata.query.chart import ChartError, bar_chart, line_chart
from opendata.query.compare import (DEFAULT_MIN_REQUESTS, RANK_COLUMNS, YEAR_COLUMNS, Comparison, rankable, ranking,
                                    series)
from opendata.query.metrics import Metric, metrics


@dataclass
class Ranking:
    year: int
    comparison: Comparison
    svg: str | None
    left_out: list[str] = field(default_factory=list)  # notes: what was not ranked, and why

    @property
    def rows(self) -> list[dict]:
        return [dict(zip(self.comparison.columns, r)) for r in self.comparison.rows]


def source_of(meta: dict) -> dict:
    """What a chart's caption cites."""
    return {k: meta.get(k) for k in ("name", "title", "version", "created")}


def year_rankings(metric_rows: list[dict], m: Metric, meta: dict, floor: int = DEFAULT_MIN_REQUESTS) -> list[Ranking]:
    """One ranking per year with reports, latest year first."""
    mine = sorted((r for r in metric_rows if r["metric"] == m.id), key=lambda r: r["year"], reverse=True)
    out = []
    for year, rows in groupby(mine, key=lambda r: r["year"]):
        kept, notes = rankable(list(rows), m, floor, verb="not ranked", floor_name="")
        comparison = Comparison(m, "rank", RANK_COLUMNS, ranking(kept), notes, source_of(meta))
        subtitle = f"{year} · all scopes" + (f" · denominators ≥ {floor}" if m.is_rate else "")
        try:
            svg = bar_chart(comparison, subtitle)
        except ChartError:  # nothing could be ranked this year: the notes say why
            svg = None
        out.append(Ranking(year, comparison, svg, notes))
    return out


@dataclass
class Series:
    metric: Metric
    rows: list[dict]  # YEAR_COLUMNS as dicts
    svg: str | None


def region_series(metric_rows: list[dict], meta: dict) -> list[Series]:
    """Each metric the region's reports have, followed across years (a value that cannot be computed is a gap)."""
    out = []
    for m in metrics().values():
        mine = [r for r in metric_rows if r["metric"] == m.id]
        if not mine:
            continue
        comparison = Comparison(m, "year", YEAR_COLUMNS, series(mine), [], source_of(meta))
        try:
            svg = line_chart(comparison, mine[0]["region_name"] or "") if len({r["year"] for r in mine}) > 1 else None
        except ChartError:
            svg = None
        out.append(Series(m, [dict(zip(YEAR_COLUMNS, r)) for r in comparison.rows], svg))
    return out
