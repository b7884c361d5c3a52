"""Comparison metrics and harmonised rows, loaded from schemas/metrics.yaml (their one definition place).

A metric's SQL is written over the columns of the `report_figures` view (<row>__<column>, see views.py); where the
2019 and 2021 templates put a comparable number in different cells, the SQL is given per template.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from opendata.spec.files import load_yaml

KINDS = ("count", "rate")


@dataclass(frozen=True)
class DerivedRow:
    """A harmonised row of table 三, computed per applicant column from the rows a report actually prints."""

    code: str
    zh: str
    en: str
    group: str  # the template's group row it stands for (its printed position)
    definition: str
    sql: dict[str, str]  # template -> SQL over the row codes of table 三


@dataclass(frozen=True)
class Metric:
    id: str
    zh: str
    en: str
    kind: str  # count | rate
    unit: str
    definition: str
    table: str  # the table whose printed layout decides which template applies
    templates: tuple[str, ...]
    numerator: dict[str, str]  # template -> SQL over report_figures
    denominator: dict[str, str] | None = None
    denominator_en: str | None = None
    scale: float = 1
    caution: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.en})"

    @property
    def axis_label(self) -> str:
        return f"{self.zh} {self.en} ({self.unit})"


def _per_template(sql: str | dict | None, templates: tuple[str, ...]) -> dict[str, str] | None:
    """A SQL text given once applies to every template; a mapping gives it per template."""
    if sql is None:
        return None
    if isinstance(sql, str):
        return {t: " ".join(sql.split()) for t in templates}
    return {str(t): " ".join(s.split()) for t, s in sql.items()}


def _metric(entry: dict) -> Metric:
    templates = tuple(str(t) for t in entry["templates"])
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"schemas/metrics.yaml: metric {entry['id']}: kind must be one of {KINDS}, not {kind!r}")
    if (kind == "rate") != ("denominator" in entry):
        raise ValueError(f"schemas/metrics.yaml: metric {entry['id']}: a rate needs a denominator, a count has none")
    return Metric(
        id=entry["id"], zh=entry["zh"], en=entry["en"], kind=kind, unit=entry["unit"],
        definition=" ".join(entry["definition"].split()), table=entry["table"], templates=templates,
        numerator=_per_template(entry["numerator"], templates),
        denominator=_per_template(entry.get("denominator"), templates),
        denominator_en=entry.get("denominator_en"), scale=entry.get("scale", 1),
        caution=" ".join(entry["caution"].split()) if entry.get("caution") else None,
    )


@cache
def metrics() -> dict[str, Metric]:
    """Every metric of schemas/metrics.yaml, by id, in the file's order."""
    return {m.id: m for m in map(_metric, load_yaml("metrics.yaml")["metrics"])}


@cache
def derived_rows() -> tuple[DerivedRow, ...]:
    from opendata.spec.template import TEMPLATE

    out = []
    for entry in load_yaml("metrics.yaml")["derived_rows"]:
        out.append(DerivedRow(
            code=entry["code"], zh=entry["zh"], en=entry["en"], group=entry["group"],
            definition=" ".join(entry["definition"].split()), sql=_per_template(entry["sql"], tuple(TEMPLATE.templates)),
        ))
    return tuple(out)


class UnknownMetric(KeyError):
    def __str__(self) -> str:
        return self.args[0]


def metric(metric_id: str) -> Metric:
    """The metric with this id, or an error naming the closest ids."""
    known = metrics()
    if metric_id in known:
        return known[metric_id]
    close = difflib.get_close_matches(metric_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known metrics: {', '.join(known)}"
    raise UnknownMetric(f"unknown metric {metric_id!r}{hint}")


# The SQL computing metrics -------------------------------------------------------------------------------------------
# One builder serves the `metrics` view (every metric, every report) and `opendata compare` (one metric, the selected
# reports): the selection is applied to `reports` first and every later step reads only the selected reports' cells
# that the metrics need, so a filter costs less, never more, and both give the same figures.
_FIGURE = re.compile(r"\b([a-z0-9_]+)__([a-z0-9_]+)\b")
TABLE_OF_ROW_KEY = {"item": "proactive_disclosure", "row": "applications", "block": "review_litigation"}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def figures_of(m: Metric) -> list[str]:
    """The <row>__<column> figures a metric's SQL names, in order of appearance."""
    texts = list(m.numerator.values()) + list((m.denominator or {}).values())
    return list(dict.fromkeys(f"{a}__{b}" for text in texts for a, b in _FIGURE.findall(text)))


@cache
def _figure_tables() -> dict[str, str]:
    """Figure name -> the table holding it (derived rows included, as table 三 figures)."""
    from opendata.query.views import figure_columns

    return {c: table for table, cols in figure_columns().items() for c in cols}


def printed_cells(figures) -> set[tuple[str, str, str]]:
    """(table, row, column) of the printed cells behind figures: a derived row stands for the rows it adds up."""
    derived = {d.code: d for d in derived_rows()}
    out = set()
    for figure in figures:
        row, column = figure.split("__")
        if row in derived:
            rows = {r for sql in derived[row].sql.values() for r in re.findall(r"[a-z0-9_]+", sql)}
            out |= {("applications", r, column) for r in rows}
        else:
            out.add((_figure_tables()[figure], row, column))
    return out


def _in(codes) -> str:
    return "(" + ", ".join(_q(c) for c in sorted(codes)) + ")"


def layout_sql(table: str) -> str:
    """Per selected report, the template a table follows, judged from its codes as `Template.layout_of` judges (the
    template with more of its exclusive codes present than any other); no row when none is (the report's template
    then applies). Reads only the exclusive codes of the selected reports."""
    from opendata.spec.template import TEMPLATE

    key = {"applications": "row"}.get(table, TEMPLATE.cell_keys[table][1])
    exclusive = {t: codes for t, codes in TEMPLATE.exclusive_codes(table).items() if codes}
    if not exclusive:  # no code tells the layouts apart: the report's template
        return "SELECT report_id, NULL::VARCHAR AS layout FROM reports WHERE false"
    votes = {t: f"count(DISTINCT {key}) FILTER (WHERE {key} IN {_in(codes)})" for t, codes in exclusive.items()}
    cases = " ".join(f"WHEN {' AND '.join([f'{v} > {o}' for u, o in votes.items() if u != t] or ['true'])} "
                     f"THEN {_q(t)}" for t, v in votes.items())
    every = set().union(*exclusive.values())
    return (f"SELECT report_id, CASE {cases} END AS layout FROM {table} WHERE report_id IN (SELECT report_id FROM sel) "
            f"AND {key} IN {_in(every)} GROUP BY report_id")


def _cells_sql(cells: set[tuple[str, str, str]]) -> str:
    """The printed cells the metrics read, of the selected reports only, one pivoted column each."""
    from opendata.spec.template import TEMPLATE

    parts = []
    for table in sorted({t for t, _, _ in cells}):
        row_key, col_key = TEMPLATE.cell_keys[table]
        rows, cols = {r for t, r, _ in cells if t == table}, {c for t, _, c in cells if t == table}
        parts.append(f"SELECT report_id, {_q(table)} AS t, {row_key} AS a, {col_key} AS b, value FROM {table} "
                     f"WHERE report_id IN (SELECT report_id FROM sel) AND {row_key} IN {_in(rows)} "
                     f"AND {col_key} IN {_in(cols)}")
    pivot = ", ".join(f"max(value) FILTER (WHERE t = {_q(t)} AND a = {_q(r)} AND b = {_q(c)}) AS {r}__{c}"
                      for t, r, c in sorted(cells))
    return f"SELECT report_id, {pivot} FROM ({' UNION ALL '.join(parts)}) GROUP BY report_id"


def _derived_figure(figure: str) -> str:
    """A derived figure (other_handling_total__total) from its printed figures, by the layout of table 三."""
    row, column = figure.split("__")
    d = next(d for d in derived_rows() if d.code == row)
    over_printed = {t: re.sub(r"([a-z0-9_]+)", lambda m: f"{m.group(1)}__{column}", sql) for t, sql in d.sql.items()}
    cases = " ".join(f"WHEN {_q(t)} THEN ({sql})" for t, sql in over_printed.items())
    return f"CASE coalesce(applications_layout, template) {cases} END AS {figure}"


def _by_layout(sql: dict[str, str] | None, layout: str) -> str:
    if not sql:
        return "CAST(NULL AS DOUBLE)"
    cases = " ".join(f"WHEN {_q(t)} THEN CAST(({s}) AS DOUBLE)" for t, s in sql.items())
    return f"CASE {layout} {cases} END"


def metric_struct(m: Metric) -> str:
    """One metric for one report's figures: its layout, numerator and denominator, as a struct."""
    layout = f"coalesce({m.table}_layout, template)"
    return (f"{{'metric': {_q(m.id)}, 'layout': {layout}, 'applies': {layout} IN {_in(m.templates)}, "
            f"'numerator': {_by_layout(m.numerator, layout)}, 'denominator': {_by_layout(m.denominator, layout)}, "
            f"'scale': {float(m.scale) if m.is_rate else 'NULL'}, 'unit': {_q(m.unit)}}}")


def touching_checks(ms: list[Metric]) -> list[tuple]:
    """(metric, check id, subject, layout of table 三 or None) of every check that has one of a metric's printed
    cells as a term or as its subject: the identities (per layout), D1 (one cell), T4_TWIN (a whole table)."""
    from opendata.spec.identities import equations
    from opendata.spec.template import TEMPLATE

    out = set()
    for m in ms:
        cells = printed_cells(figures_of(m))
        for layout in [*TEMPLATE.templates, None]:
            for eq in equations({"applications": layout} if layout else {}):
                if (eq.table == "applications") == (layout is not None) and any(
                        (eq.table, r, c) in cells for r, c in eq.terms):
                    out.add((m.id, eq.id, f"{eq.table}.{eq.subject}", layout))
        out |= {(m.id, "D1", ".".join(cell), None) for cell in cells}
        out |= {(m.id, "T4_TWIN", table, None) for table in {t for t, _, _ in cells}}
    return sorted(out, key=lambda t: tuple(x or "" for x in t))


def _failed_sql(ms: list[Metric]) -> str:
    """Per selected report and metric, the failed checks on the metric's cells ("H2 applications.total; ...")."""
    touch = ", ".join(f"({_q(m)}, {_q(c)}, {_q(s)}, {_q(layout) if layout else 'NULL'})"
                      for m, c, s, layout in touching_checks(ms))
    return (f"SELECT c.report_id, t.metric, string_agg(DISTINCT c.check_id || ' ' || c.subject, '; ') AS failed_checks "
            f"FROM checks c JOIN sel USING (report_id) LEFT JOIN lay_applications la USING (report_id) "
            f"JOIN (VALUES {touch}) AS t(metric, check_id, subject, layout) ON c.check_id = t.check_id AND "
            f"(c.subject = t.subject OR (t.check_id = 'T4_TWIN' AND starts_with(c.subject, t.subject || '.copy'))) "
            f"WHERE c.result = 'fail' AND (t.layout IS NULL OR t.layout = coalesce(la.layout, sel.template)) "
            f"GROUP BY ALL")


def metrics_query(ids: list[str] | None = None, selection: str = "true", failing: bool = False,
                  duplicates: bool = False) -> str:
    """SQL giving one row per selected report and metric (report_id, metric, value, numerator, denominator, unit,
    layout, year, region_code, region_name, agency, scope, failed_checks). `selection` is a condition on `reports`;
    second sources (duplicate_of) and metrics whose cells fail a check are left out unless asked for."""
    ms = [metrics()[i] for i in ids] if ids else list(metrics().values())
    figures = list(dict.fromkeys(f for m in ms for f in figures_of(m)))
    derived = {d.code for d in derived_rows()}
    printed = [f for f in figures if f.split("__")[0] not in derived]
    cells = printed_cells(figures)
    tables = sorted({m.table for m in ms} | {"applications"})
    keep = "" if duplicates else " AND duplicate_of IS NULL"
    ctes = [f"sel AS (SELECT * FROM reports WHERE ({selection}){keep})",
            *(f"lay_{t} AS ({layout_sql(t)})" for t in tables),
            f"fig AS ({_cells_sql(cells)})", f"failed AS ({_failed_sql(ms)})"]
    layouts = ", ".join(f"lay_{t}.layout AS {t}_layout" for t in tables)
    joins = " ".join(f"LEFT JOIN lay_{t} USING (report_id)" for t in tables)
    derived_figures = [_derived_figure(f) for f in figures if f not in printed]
    with_figures = (f"SELECT *{''.join(', ' + d for d in derived_figures)} FROM (SELECT sel.*, {layouts}, "
                    f"fig.* EXCLUDE (report_id) FROM sel {joins} LEFT JOIN fig USING (report_id))")
    per_metric = f"SELECT *, unnest([{', '.join(metric_struct(m) for m in ms)}]) AS m FROM ({with_figures})"
    value = ("CASE WHEN m.scale IS NULL THEN m.numerator WHEN m.denominator > 0 "
             "THEN m.scale * m.numerator / m.denominator END")
    return (f"WITH {', '.join(ctes)} SELECT p.report_id, m.metric, {value} AS value, m.numerator, m.denominator, "
            f"m.unit, m.layout, p.year, p.region_code, p.region_name, p.agency, p.scope, f.failed_checks "
            f"FROM ({per_metric}) p LEFT JOIN failed f ON f.report_id = p.report_id AND f.metric = m.metric "
            f"WHERE m.applies{'' if failing else ' AND f.failed_checks IS NULL'} ORDER BY p.report_id, m.metric")
