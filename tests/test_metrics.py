"""Metrics and views on a package built from real bundled reports, against hand computations from the gold files.

Each metric of schemas/metrics.yaml has a hand computation below written from the gold file's checked values
(e.g. granted / result_total); the `metrics` view must give the same numerator, denominator and value for every
report of the package, and no row where the metric does not apply to the report's layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import gold, needs_corpus, published_reports, sql

# Hand computations from the gold files ------------------------------------------------------------------------------
NOT_APPLICABLE = object()
DENIED = ["denied_state_secret", "denied_other_laws", "denied_three_security_one_stability",
          "denied_third_party_rights", "denied_internal_affairs", "denied_process_info", "denied_enforcement_files",
          "denied_admin_query"]


READ: set[tuple[str, str, str]] = set()  # the gold cells the hand computations read (see gold_failing_cells)


def cell(g: dict, table: str, row: str, column: str):
    """A gold value; None for a blank/marker cell or one the source leaves ambiguous (published as ambiguous)."""
    READ.add((table, row, column))
    if f"{table}.{row}.{column}" in g.get("ambiguous", []):
        return None
    return g[table].get(row, {}).get(column)


def A(g, row, column="total"):
    return cell(g, "applications", row, column)


def P(g, item, measure):
    return cell(g, "proactive_disclosure", item, measure)


def R(g, block, outcome):
    return cell(g, "review_litigation", block, outcome)


def add(*terms):
    return None if any(t is None for t in terms) else sum(terms)


def minus(a, b):
    return None if a is None or b is None else a - b


def t2_is_2021(g) -> bool:
    return "issued_count" in g["proactive_disclosure"].get("normative_docs", {})


def other_handling(g):
    """（六）其他处理: the single 2019 row where the report prints it, else the three 2021 sub-rows."""
    if "other_handling" in g["applications"]:
        return A(g, "other_handling")
    return add(A(g, "other_no_correction"), A(g, "other_fee_unpaid"), A(g, "other_other"))


def only_2021(value_of):
    return lambda g: (value_of(g), None) if t2_is_2021(g) else NOT_APPLICABLE


HAND = {  # metric -> gold -> (numerator, denominator), or NOT_APPLICABLE
    "requests_received": lambda g: (A(g, "new_requests"), None),
    "requests_handled": lambda g: (A(g, "result_total"), None),
    "natural_person_share": lambda g: (A(g, "new_requests", "natural_person"), A(g, "new_requests")),
    "grant_rate": lambda g: (A(g, "granted"), A(g, "result_total")),
    "substantive_disclosure_rate": lambda g: (add(A(g, "granted"), A(g, "partially_granted")), A(g, "result_total")),
    "denial_rate": lambda g: (add(*(A(g, r) for r in DENIED)), A(g, "result_total")),
    "not_held_rate": lambda g: (A(g, "unable_not_held"), A(g, "result_total")),
    "other_handling_rate": lambda g: (other_handling(g), A(g, "result_total")),
    "backlog_rate": lambda g: (A(g, "carried_forward"), add(A(g, "new_requests"), A(g, "carried_over"))),
    "review_correction_rate": lambda g: (R(g, "review", "corrected"),
                                         minus(R(g, "review", "total"), R(g, "review", "pending"))),
    "litigation_correction_rate": lambda g: (
        add(R(g, "litigation_direct", "corrected"), R(g, "litigation_after_review", "corrected")),
        add(minus(R(g, "litigation_direct", "total"), R(g, "litigation_direct", "pending")),
            minus(R(g, "litigation_after_review", "total"), R(g, "litigation_after_review", "pending")))),
    "disputes_per_100_requests": lambda g: (
        add(R(g, "review", "total"), R(g, "litigation_direct", "total"), R(g, "litigation_after_review", "total")),
        A(g, "new_requests")),
    "normative_docs_issued": lambda g: (
        P(g, "normative_docs", "issued_count") if t2_is_2021(g) else P(g, "normative_docs", "newly_made_count"), None),
    "normative_docs_in_force": only_2021(lambda g: P(g, "normative_docs", "in_force_count")),
    "licensing_decisions": lambda g: (P(g, "admin_licensing", "decisions_count"), None),
    "penalty_decisions": lambda g: (P(g, "admin_penalty", "decisions_count"), None),
    "coercion_decisions": lambda g: (P(g, "admin_coercion", "decisions_count"), None),
    "fees_collected": only_2021(lambda g: P(g, "admin_fees", "fee_amount_wan_yuan")),
}
RATE_SCALE = 100  # every rate is a percentage, or (disputes) a count per 100 requests


def expected_value(metric_id: str, numerator, denominator):
    from opendata.query.metrics import metric

    if not metric(metric_id).is_rate:
        return numerator
    if numerator is None or not denominator:
        return None
    return RATE_SCALE * numerator / denominator


def gold_failing_cells(g: dict) -> set[tuple[str, str, str]]:
    """The cells that are terms of an identity (H1-H4, the template's arithmetic) the gold's printed values break."""
    from opendata.spec.identities import equations

    layout = "2019" if "other_handling" in g["applications"] else "2021"
    out = set()
    for eq in equations({"applications": layout}):
        values = [cell(g, eq.table, r, c) for r, c in eq.terms]
        if None not in values and sum(values[:len(eq.lhs)]) != sum(values[len(eq.lhs):]):
            out |= {(eq.table, r, c) for r, c in eq.terms}
    return out


def hand_computation(metric_id: str, g: dict):
    """(numerator, denominator) from the gold, NOT_APPLICABLE, or LEFT_OUT when a cell it reads is a term of an
    identity the printed values break (the metrics view leaves such figures out)."""
    READ.clear()
    hand = HAND[metric_id](g)
    read = set(READ)
    if hand is not NOT_APPLICABLE and read & gold_failing_cells(g):
        return LEFT_OUT
    return hand


LEFT_OUT = object()


def metric_rows(package: Path, metric_id: str) -> dict[str, dict]:
    return {r["report_id"]: r for r in sql(package, "select * from metrics where metric = ?", metric_id)}


# Tests -------------------------------------------------------------------------------------------------------------
def test_every_metric_has_a_hand_computation():
    from opendata.query.metrics import metrics

    assert set(HAND) == set(metrics())


@pytest.mark.parametrize("metric_id", list(HAND))
def test_metric_matches_the_hand_computation_from_gold(comparison_package, metric_id):
    rows = metric_rows(comparison_package, metric_id)
    computed = 0
    for report_id in published_reports(comparison_package):
        hand = hand_computation(metric_id, gold(report_id))
        if hand is NOT_APPLICABLE:
            assert report_id not in rows, f"{metric_id} does not apply to {report_id}'s layout"
            continue
        if hand is LEFT_OUT:
            assert report_id not in rows, f"{report_id}'s {metric_id} reads cells of an identity that fails"
            continue
        numerator, denominator = hand
        row = rows[report_id]
        assert row["numerator"] == numerator, (report_id, row)
        assert row["denominator"] == denominator, (report_id, row)
        value = expected_value(metric_id, numerator, denominator)
        assert row["value"] == (None if value is None else pytest.approx(value, rel=1e-12)), (report_id, row)
        computed += value is not None
    assert computed >= 3, f"{metric_id}: fewer than three reports give a value to check"


def test_a_rate_over_a_zero_denominator_is_null_not_zero(comparison_package):
    g = gold("2019_sanming_1")
    assert g["review_litigation"]["review"]["total"] == 0 == g["review_litigation"]["review"]["pending"]
    row = metric_rows(comparison_package, "review_correction_rate")["2019_sanming_1"]
    assert (row["numerator"], row["denominator"], row["value"]) == (0, 0, None)


def test_other_handling_total_is_harmonised_across_templates(comparison_package):
    rows = sql(comparison_package, "select * from applications_wide where row = 'other_handling_total' "
                                   "and report_id in ('2019_sanming_1', '2025_sanming_1') order by report_id")
    by_report = {r["report_id"]: r for r in rows}
    g19, g25 = gold("2019_sanming_1")["applications"], gold("2025_sanming_1")["applications"]
    assert by_report["2019_sanming_1"]["total"] == g19["other_handling"]["total"]
    assert by_report["2019_sanming_1"]["derived_from"] == "other_handling"
    for applicant in ("natural_person", "commercial_enterprise", "total"):
        expected = sum(g25[r][applicant] for r in ("other_no_correction", "other_fee_unpaid", "other_other"))
        assert by_report["2025_sanming_1"][applicant] == expected
    assert all(r["derived"] for r in rows)
    assert by_report["2025_sanming_1"]["derived_from"] == "other_no_correction + other_fee_unpaid + other_other"


@needs_corpus
def test_layout_is_judged_per_table_for_a_template_mixed_report(comparison_package):
    mixed = [r for r in ("2023_hongze_1", "2024_hongze_1") if r in published_reports(comparison_package)]
    assert mixed == ["2023_hongze_1", "2024_hongze_1"]
    for report_id in mixed:
        g = gold(report_id)
        assert "other_handling" in g["applications"] and t2_is_2021(g)  # as the corpus notes say
        layouts = sql(comparison_package, "select * from report_layouts where report_id = ?", report_id)[0]
        assert (layouts["proactive_disclosure"], layouts["applications"]) == ("2021", "2019")
        wide = sql(comparison_package, "select total, derived_from from applications_wide "
                                       "where report_id = ? and row = 'other_handling_total'", report_id)[0]
        assert wide == {"total": g["applications"]["other_handling"]["total"], "derived_from": "other_handling"}
        # table 二 is 2021: the 2021-only metrics apply, read from the 2021 cells
        fees = metric_rows(comparison_package, "fees_collected")[report_id]
        assert fees["layout"] == "2021"


def test_applications_wide_has_one_row_per_report_and_row_code(comparison_package):
    g = gold("2024_sanming_1")["applications"]
    rows = sql(comparison_package, "select * from applications_wide where report_id = '2024_sanming_1' and not derived")
    assert {r["row"] for r in rows} == set(g)
    for r in rows:
        assert {k: r[k] for k in g[r["row"]]} == g[r["row"]]
    denied = sql(comparison_package, "select natural_person, total from applications_wide "
                                     "where report_id = '2024_sanming_1' and row = 'denied_total'")[0]
    assert denied == {"natural_person": sum(g[r]["natural_person"] for r in DENIED), "total": sum(g[r]["total"] for r in DENIED)}


def test_metrics_view_carries_region_year_scope_and_agency(comparison_package):
    row = metric_rows(comparison_package, "grant_rate")["2024_sanming_1"]
    meta = gold("2024_sanming_1")["report"]
    assert (row["region_name"], row["region_code"], row["year"], row["scope"], row["agency"]) == (
        meta["region"], meta["region_code"], meta["year"], meta["scope"], meta["agency"])
    assert row["unit"] == "%" and row["layout"] == "2021"


def test_views_are_documented_in_query_help():
    from typer.testing import CliRunner

    from opendata.cli import app
    from opendata.query.views import VIEWS

    r = CliRunner().invoke(app, ["query", "--help"])
    assert r.exit_code == 0
    for name in VIEWS:
        assert name in r.stdout


def test_metric_sql_names_only_existing_figures():
    """Every identifier in a metric's or derived row's SQL is a report_figures column (or a table 三 row code)."""
    import re

    from opendata.query.metrics import derived_rows, metrics
    from opendata.query.views import application_value_rows, figure_columns

    figures = {c for cols in figure_columns().values() for c in cols}
    for m in metrics().values():
        for text in list(m.numerator.values()) + list((m.denominator or {}).values()):
            assert set(re.findall(r"[a-z_]+__[a-z_]+", text)) <= figures, m.id
            assert m.table in ("proactive_disclosure", "applications", "review_litigation")
    for d in derived_rows():
        for text in d.sql.values():
            assert set(re.findall(r"[a-z_]+", text)) <= set(application_value_rows()), d.code


def test_a_figure_reading_a_failing_identity_is_left_out():
    """2022_pingtan_junshan_1 prints a table 三 whose outcomes do not add up to result_total (gold: 0 handled, 5 not
    held): every metric reading a term of that equation is left out of the view, every other one is there."""
    from conftest import ROOT

    package, report_id = ROOT / "datapackage", "2022_pingtan_junshan_1"
    g = gold(report_id)
    assert ("applications", "result_total", "total") in gold_failing_cells(g)
    left_out = 0
    for metric_id in HAND:
        hand = hand_computation(metric_id, g)
        rows = metric_rows(package, metric_id)
        if hand is LEFT_OUT or hand is NOT_APPLICABLE:
            left_out += hand is LEFT_OUT
            assert report_id not in rows, metric_id
        else:
            assert (rows[report_id]["numerator"], rows[report_id]["denominator"]) == hand, metric_id
    assert left_out >= 5  # grant_rate, requests_handled, ... (every rate over result_total)
    assert "grant_rate" not in {m for m in HAND if report_id in metric_rows(package, m)}


def test_views_are_created_only_when_a_statement_reads_them(comparison_package):
    """DuckDB binds a view when it is created; a statement that reads no view creates none (and parses no template)."""
    import subprocess
    import sys

    import duckdb

    from opendata.publish.package import package_resources
    from opendata.query.views import create_views, needed_views

    assert needed_views("select 1") == [] and needed_views("SELECT * FROM reports") == []
    assert needed_views("select * from REPORT_FIGURES") == ["report_layouts", "applications_wide", "report_figures"]
    assert needed_views("select metric from metrics") == ["metrics"]
    assert needed_views(None) == ["report_layouts", "applications_wide", "report_figures", "metrics"]
    con = duckdb.connect()
    for name, paths in package_resources(comparison_package).items():  # a resource's Parquet file(s)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({[str(p) for p in paths]})")
    create_views(con, "select count(*) from metrics")
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    assert "metrics" in views and "report_figures" not in views
    assert con.execute("select count(*) from metrics where metric = 'grant_rate'").fetchone()[0] > 0
    code = ("import sys; from opendata.query.views import needed_views; needed_views('select 1'); "
            "print('opendata.spec.template' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
