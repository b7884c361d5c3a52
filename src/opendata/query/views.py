"""Ready-made views created beside the resources in `opendata query`, generated from schemas/template.yaml and
schemas/metrics.yaml (the one place metrics and harmonised rows are defined).

They are defined over the resource views (never over files), because `query.connect` locks DuckDB's external access
right after creating them. Dependencies: DEPENDS below (metrics reads the resources directly, see metrics.py).
"""

from __future__ import annotations

import re
from functools import cache

# View name -> what one row is and what the columns hold (shown by `opendata query --help`, `opendata info` and the
# README's data dictionary).
VIEWS = {
    "metrics": (
        "One row per report and metric of schemas/metrics.yaml (`opendata info METRIC` defines each): report_id, "
        "metric, value (the count, or the rate numerator / denominator x scale; null when the denominator is 0 or "
        "unknown), numerator, denominator, unit, layout (template of the table the metric reads), year, region_code, "
        "region_name, agency, scope. A metric that does not apply to a report's template has no row for it."
    ),
    "applications_wide": (
        "Table 三 wide: one row per report and row code, one column per applicant type (natural_person ... total), "
        "plus the harmonised rows other_handling_total, denied_total, unable_total and not_processed_total "
        "(derived = true, derived_from = the rows they add up); position gives the printed order."
    ),
    "report_figures": (
        "One row per report, one column per cell named <row>__<column> (normative_docs__issued_count, "
        "granted__total, review__corrected), harmonised rows included, and the layout of each table; the metrics' "
        "SQL is written over these columns."
    ),
    "report_layouts": (
        "One row per report: the template (2019 or 2021) that tables 二, 三 and 四 follow as printed, judged from the "
        "codes present (a 2021 table 二 may sit beside a 2019 table 三)."
    ),
}

CELL_KEYS = {  # resource -> (row column, value column) of the published long tables
    "proactive_disclosure": ("item", "measure"),
    "applications": ("row", "applicant"),
    "review_litigation": ("block", "outcome"),
}


# View -> the views it reads (creation order is this dict's order).
DEPENDS = {"report_layouts": (), "applications_wide": ("report_layouts",),
           "report_figures": ("report_layouts", "applications_wide"), "metrics": ()}


def create_views(con, sql: str | None = None) -> None:
    """Create the views on a connection that already has the resource views: all of them, or, given the SQL about
    to run, only those it names and the views they read. DuckDB binds a view when it is created (0.05-0.1 s each
    for these wide ones), so `select 1` or a query on the resources opens without that cost."""
    for name in needed_views(sql):
        con.execute(f"CREATE VIEW {name} AS {view_sql(name)}")


@cache
def view_sql(name: str) -> str:
    """A view's SELECT, generated once per process from the template and metrics.yaml."""
    return _BUILDERS[name]()


def needed_views(sql: str | None) -> list[str]:
    """The views to create for a statement, in creation order (a name in a string or comment counts: harmless)."""
    if sql is None:
        return list(DEPENDS)
    words = set(re.findall(r"[a-z_]+", sql.lower()))
    wanted = {name for name in DEPENDS if name in words}
    for name in list(wanted):
        wanted.update(DEPENDS[name])
    return [name for name in DEPENDS if name in wanted]


def view_definitions() -> dict[str, str]:
    """View name -> SELECT, in dependency order."""
    return {name: view_sql(name) for name in DEPENDS}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(codes) -> str:
    return "(" + ", ".join(_q(c) for c in sorted(codes)) + ")"


# Layouts -------------------------------------------------------------------------------------------------------------
def _layout_sql(table: str) -> str:
    """Per report, the template a table follows, judged from its codes as `Template.layout_of` judges (the template
    with more of its exclusive codes present than any other), else the report's template."""
    from opendata.spec.template import TEMPLATE

    key = "row" if table == "applications" else CELL_KEYS[table][1]
    votes = {t: f"count(DISTINCT {key}) FILTER (WHERE {key} IN {_in(codes)})"
             for t, codes in TEMPLATE.exclusive_codes(table).items() if codes}
    cases = " ".join(
        f"WHEN {' AND '.join([f'{vote} > 0'] + [f'{vote} > {other}' for o, other in votes.items() if o != t])} "
        f"THEN {_q(t)}"
        for t, vote in votes.items()
    )
    layout = f"CASE {cases} ELSE any_value(r.template) END" if cases else "any_value(r.template)"
    return (f"SELECT c.report_id, {layout} AS layout "
            f"FROM {table} c JOIN reports r USING (report_id) GROUP BY c.report_id")


def report_layouts_sql() -> str:
    tables = list(CELL_KEYS)
    joins = " ".join(f"LEFT JOIN ({_layout_sql(t)}) AS l_{t} USING (report_id)" for t in tables)
    columns = ", ".join(f"l_{t}.layout AS {t}" for t in tables)
    return f"SELECT r.report_id, {columns} FROM reports r {joins} ORDER BY r.report_id"


# Table 三 wide, with harmonised rows -----------------------------------------------------------------------------------
def _applicants() -> list[str]:
    from opendata.spec.template import TEMPLATE

    return [c.code for c in TEMPLATE.table("applications").codes("columns")]


def application_value_rows() -> list[str]:
    """Every row code that holds values in some template, in printed order."""
    from opendata.spec.template import TEMPLATE

    return [r.code for r in TEMPLATE.table("applications").codes("rows")
            if any(r.is_value_row(t) for t in TEMPLATE.templates if t in r.templates)]


def _pivot(key: str, codes: list[str]) -> str:
    """One column per code: the value of the row whose `key` is that code."""
    return ", ".join(f"max(value) FILTER (WHERE {key} = {_q(c)}) AS {c}" for c in codes)


def _derived_cases(row) -> tuple[str, str]:
    """CASE expressions giving a derived row's value and its derivation, by the layout of table 三."""
    value = " ".join(f"WHEN {_q(t)} THEN ({sql})" for t, sql in row.sql.items())
    source = " ".join(f"WHEN {_q(t)} THEN {_q(sql)}" for t, sql in row.sql.items())
    return f"CASE l.applications {value} END", f"CASE l.applications {source} END"


def applications_wide_sql() -> str:
    from opendata.query.metrics import derived_rows
    from opendata.spec.template import TEMPLATE

    applicants = _applicants()
    rows = application_value_rows()
    position = {r.code: r.position for r in TEMPLATE.table("applications").codes("rows")}
    positions = " ".join(f"WHEN {_q(code)} THEN {pos}" for code, pos in position.items())
    derived_position = " ".join(f"WHEN {_q(d.code)} THEN {position[d.group]}" for d in derived_rows())
    # One row per report and applicant with one column per row code: the derived rows' SQL reads these columns.
    by_applicant = (f"SELECT report_id, applicant, {_pivot('row', rows)} "
                    f"FROM applications GROUP BY report_id, applicant")
    derived = " UNION ALL ".join(
        f"SELECT b.report_id, b.applicant, {_q(d.code)} AS row, {value} AS value, {source} AS derived_from "
        f"FROM by_applicant b JOIN report_layouts l USING (report_id)"
        for d in derived_rows() for value, source in [_derived_cases(d)]
    )
    printed = (f"SELECT report_id, row, CASE row {positions} END AS position, {_pivot('applicant', applicants)}, "
               f"false AS derived, CAST(NULL AS VARCHAR) AS derived_from FROM applications GROUP BY report_id, row")
    harmonised = (f"SELECT report_id, row, CASE row {derived_position} END AS position, "
                  f"{_pivot('applicant', applicants)}, true AS derived, any_value(derived_from) AS derived_from "
                  f"FROM derived GROUP BY report_id, row")
    return (f"WITH by_applicant AS ({by_applicant}), derived AS ({derived}) "
            f"SELECT * FROM ({printed} UNION ALL {harmonised}) ORDER BY report_id, position, derived")


# One row per report ---------------------------------------------------------------------------------------------------
def figure_columns() -> dict[str, list[str]]:
    """Resource -> the report_figures columns it gives (<row>__<column>), in printed order."""
    from opendata.query.metrics import derived_rows
    from opendata.spec.template import TEMPLATE

    t2 = TEMPLATE.table("proactive_disclosure")
    cells2: list[str] = []
    for t in TEMPLATE.templates:
        for part in t2.spec["layouts"][t]:
            cells2 += [f"{i}__{m}" for i in part["items"] for m in part["measures"] if f"{i}__{m}" not in cells2]
    rows3 = application_value_rows() + [d.code for d in derived_rows()]
    t4 = TEMPLATE.table("review_litigation")
    return {
        "proactive_disclosure": cells2,
        "applications": [f"{r}__{a}" for r in rows3 for a in _applicants()],
        "review_litigation": [f"{b.code}__{o.code}" for b in t4.codes("blocks") for o in t4.codes("outcomes")],
    }


def _pivot_cells(key_a: str, key_b: str, columns: list[str]) -> str:
    """One column per <a>__<b> name: the value of the cell whose two keys are a and b."""
    out = []
    for col in columns:
        a, b = col.split("__")
        out.append(f"max(value) FILTER (WHERE {key_a} = {_q(a)} AND {key_b} = {_q(b)}) AS {col}")
    return ", ".join(out)


def report_figures_sql() -> str:
    cols = figure_columns()
    t2 = (f"SELECT report_id, {_pivot_cells('item', 'measure', cols['proactive_disclosure'])} "
          f"FROM proactive_disclosure GROUP BY report_id")
    t3_parts = []
    for col in cols["applications"]:
        row, applicant = col.split("__")
        t3_parts.append(f"max({applicant}) FILTER (WHERE row = {_q(row)}) AS {col}")
    t3 = f"SELECT report_id, {', '.join(t3_parts)} FROM applications_wide GROUP BY report_id"
    t4 = (f"SELECT report_id, {_pivot_cells('block', 'outcome', cols['review_litigation'])} "
          f"FROM review_litigation GROUP BY report_id")
    layouts = ", ".join(f"l.{t} AS {t}_layout" for t in CELL_KEYS)
    figures = ", ".join(c for t in CELL_KEYS for c in cols[t])
    return (f"SELECT r.report_id, r.template, {layouts}, {figures} FROM reports r "
            f"LEFT JOIN report_layouts l USING (report_id) LEFT JOIN ({t2}) AS t2 USING (report_id) "
            f"LEFT JOIN ({t3}) AS t3 USING (report_id) LEFT JOIN ({t4}) AS t4 USING (report_id)")


# Metrics ---------------------------------------------------------------------------------------------------------------
def metrics_sql() -> str:
    """Every metric of every report, second sources and metrics whose cells fail a check left out (metrics.py builds
    the SQL; `opendata compare` runs the same builder on its selection)."""
    from opendata.query.metrics import metrics_query

    return f"SELECT * EXCLUDE (failed_checks) FROM ({metrics_query()})"


_BUILDERS = {"report_layouts": report_layouts_sql, "applications_wide": applications_wide_sql,
             "report_figures": report_figures_sql, "metrics": metrics_sql}
