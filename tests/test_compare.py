"""`opendata compare`: rankings and series on real reports, checked against hand computations from the gold files."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import gold, published_reports

runner = CliRunner()


def invoke(*args):
    from opendata.cli import app

    return runner.invoke(app, [str(a) for a in args])


def compare_json(package, *args) -> tuple[list[dict], str]:
    r = invoke("compare", *args, "-p", package, "-f", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout), r.stderr


def test_2024_ranking_of_substantive_disclosure_matches_gold(comparison_package):
    rows, _ = compare_json(comparison_package, "substantive_disclosure_rate", "--year", 2024)
    assert rows and set(rows[0]) >= {"rank", "region", "agency", "scope", "year", "numerator", "denominator", "value"}
    ranked = {r["report_id"]: r for r in rows}
    for report_id in published_reports(comparison_package):
        g = gold(report_id)
        if g["report"]["year"] != 2024:
            continue
        a = g["applications"]
        numerator = a["granted"]["total"] + a["partially_granted"]["total"]
        denominator = a["result_total"]["total"]
        if denominator < 30:  # below the default floor: not ranked
            assert report_id not in ranked
            continue
        row = ranked[report_id]  # every 2024 report clearing the floor is ranked
        assert (row["numerator"], row["denominator"]) == (numerator, denominator)
        assert row["value"] == pytest.approx(100 * numerator / denominator)
        assert (row["region"], row["agency"], row["scope"]) == (g["report"]["region"], g["report"]["agency"],
                                                                 g["report"]["scope"])
    assert "2024_sanming_1" in ranked
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True) and rows[0]["rank"] == 1


def test_ranking_over_all_years_matches_gold_for_every_ranked_report(comparison_package):
    rows, _ = compare_json(comparison_package, "grant_rate")
    checked = 0
    for row in rows:
        a = gold(row["report_id"])["applications"]
        assert row["denominator"] == a["result_total"]["total"] >= 30
        assert row["value"] == pytest.approx(100 * a["granted"]["total"] / a["result_total"]["total"])
        checked += 1
    assert checked >= 3
    assert {"2019_sanming_1", "2024_sanming_1", "seed_luzhou_2020"} <= {r["report_id"] for r in rows}


@pytest.mark.parametrize("region", ["三明", "350400", "3504"])
def test_sanming_requests_by_year(comparison_package, region):
    rows, _ = compare_json(comparison_package, "requests_received", "--region", region, "--by", "year")
    sanming = sorted((gold(r)["report"]["year"], gold(r)["applications"]["new_requests"]["total"])
                     for r in published_reports(comparison_package) if gold(r)["report"]["region_code"] == "350400")
    assert [(r["year"], r["value"]) for r in rows] == sanming
    assert {r["region"] for r in rows} == {"福建省三明市"}
    years = [r["year"] for r in rows]
    assert years[0] == 2019 and years[-1] == 2025 and len(years) >= 5  # no 2023 report is bundled
    g19, g20 = (gold(f"{y}_sanming_1")["applications"]["new_requests"]["total"] for y in (2019, 2020))
    assert rows[1]["change"] == g20 - g19


def test_putian_departments_grant_rate_2023(comparison_package):
    departments = [r for r in published_reports(comparison_package) if r.startswith("2023_putian_")]
    assert len(departments) == 5
    rows, stderr = compare_json(comparison_package, "grant_rate", "--year", 2023, "--scope", "agency",
                                "--region", "莆田", "--min-requests", 1)
    expected = {}
    for report_id in departments:
        a = gold(report_id)["applications"]
        if a["result_total"]["total"] >= 1:  # a department that handled no request has no rate (0 / 0 is null)
            expected[report_id] = 100 * a["granted"]["total"] / a["result_total"]["total"]
    assert {r["report_id"]: r["value"] for r in rows} == pytest.approx(expected)
    assert {r["scope"] for r in rows} == {"agency"} and len({r["agency"] for r in rows}) == len(rows)
    assert "2023_putian_kjj_1" in stderr  # 0 requests: said to be left out, not ranked as 0 %


def test_the_floor_leaves_small_denominators_out_and_says_so(comparison_package):
    rows, stderr = compare_json(comparison_package, "grant_rate", "--year", 2023, "--region", "莆田")
    assert rows == []
    assert "--min-requests 30" in stderr and "2023_putian_slj_1" in stderr


def test_scope_is_visible_and_filterable(comparison_package):
    rows, stderr = compare_json(comparison_package, "requests_received", "--region", "莆田", "--min-requests", 0)
    assert {r["scope"] for r in rows} == {"jurisdiction", "agency"}
    assert "single-agency" in stderr
    rows, stderr = compare_json(comparison_package, "requests_received", "--region", "莆田", "--scope", "jurisdiction")
    assert rows and {r["scope"] for r in rows} == {"jurisdiction"} and "single-agency" not in stderr


def test_mixing_templates_on_a_cautious_metric_is_said(comparison_package):
    rows, stderr = compare_json(comparison_package, "normative_docs_issued", "--region", "三明")
    assert {r["template"] for r in rows} == {"2019", "2021"}
    assert "caution" in stderr.lower()
    for r in rows:
        g = gold(r["report_id"])["proactive_disclosure"]["normative_docs"]
        assert r["value"] == (g["issued_count"] if r["template"] == "2021" else g["newly_made_count"])


def test_output_formats_are_those_of_query(comparison_package):
    args = ["compare", "requests_received", "--region", "三明", "--by", "year", "-p", comparison_package]
    csv_lines = invoke(*args, "-f", "csv").stdout.strip().split("\n")
    assert csv_lines[0].startswith("year,region,region_code,agency,scope")
    g = gold("2019_sanming_1")["applications"]["new_requests"]["total"]
    assert csv_lines[1].startswith("2019,福建省三明市,350400,") and f",{g}," in csv_lines[1]
    assert len(invoke(*args, "-f", "jsonl").stdout.strip().split("\n")) == len(csv_lines) - 1
    assert "| 2019 | 福建省三明市 |" in invoke(*args, "-f", "markdown").stdout
    assert "福建省三明市" in invoke(*args).stdout


def test_errors_are_clear(comparison_package, tmp_path):
    r = invoke("compare", "grant_rat", "-p", comparison_package)
    assert r.exit_code == 1 and "grant_rate" in r.stderr and r.stdout == ""
    r = invoke("compare", "grant_rate", "-p", tmp_path)
    assert r.exit_code == 1 and "datapackage.json" in r.stderr


def test_region_codes_select_an_area_and_everything_under_it():
    from opendata.query.compare import region_condition

    assert region_condition("350400") == ("region_code LIKE ?", ["3504%"])
    assert region_condition("350000") == ("region_code LIKE ?", ["35%"])
    assert region_condition("350128") == ("region_code LIKE ?", ["350128%"])
    assert region_condition("三明") == ("contains(region_name, ?)", ["三明"])


def test_published_package_ranking_agrees_with_gold():
    """On the committed datapackage/ (rebuilt by `opendata build`): every ranked 2024 report matches the gold file."""
    from conftest import GOLD, ROOT

    package = ROOT / "datapackage"
    assert (package / "datapackage.json").is_file(), "the published package is committed"
    rows, _ = compare_json(package, "substantive_disclosure_rate", "--year", 2024)
    assert rows, "the published package ranks no 2024 report"
    checked = 0
    for row in rows:
        if not (GOLD / f"{row['report_id']}.json").is_file():
            continue
        a = gold(row["report_id"])["applications"]
        numerator = a["granted"]["total"] + a["partially_granted"]["total"]
        checked += 1
        assert (row["numerator"], row["denominator"]) == (numerator, a["result_total"]["total"]), row["report_id"]
        assert row["value"] == pytest.approx(100 * numerator / a["result_total"]["total"])
    assert checked


def _gold_h2_fails(report_id: str, applicant: str) -> bool:
    """Template arithmetic on the gold: do table 三's outcome rows add up to the printed total (H2)?"""
    from opendata.spec.template import TEMPLATE

    a = gold(report_id)["applications"]
    layout = "2019" if "other_handling" in a else "2021"
    outcomes = [r.code for r in TEMPLATE.application_value_rows(layout) if r.get("outcome")]
    return sum(a[r][applicant] for r in outcomes) != a["result_total"][applicant]


def test_a_report_whose_checks_fail_on_the_metric_is_left_out_or_marked():
    """2020_pingtan_1 prints a table 三 whose outcomes do not add up to its total: its grant rate is not ranked."""
    from conftest import ROOT

    assert _gold_h2_fails("2020_pingtan_1", "total")
    package = ROOT / "datapackage"
    args = ("grant_rate", "--year", 2020, "--min-requests", 1)
    rows, stderr = compare_json(package, *args)
    assert "2020_pingtan_1" not in {r["report_id"] for r in rows}
    assert "left out: a check fails on the metric's cells" in stderr and "2020_pingtan_1 (H2 applications.total)" in stderr
    rows, stderr = compare_json(package, *args, "--include-failing")
    marked = {r["report_id"]: r for r in rows}
    a = gold("2020_pingtan_1")["applications"]
    assert marked["2020_pingtan_1"]["failed_checks"] == "H2 applications.total"
    assert marked["2020_pingtan_1"]["value"] == pytest.approx(100 * a["granted"]["total"] / a["result_total"]["total"])
    assert all(r["failed_checks"] is None for r in rows if r["report_id"] != "2020_pingtan_1")
    # A metric reading no cell of the failing equation is ranked as usual.
    rows, _ = compare_json(package, "requests_received", "--year", 2020)
    assert gold("2020_pingtan_1")["applications"]["new_requests"]["total"] in {
        r["value"] for r in rows if r["report_id"] == "2020_pingtan_1"}


def test_metrics_view_leaves_out_second_sources_and_failing_figures():
    from conftest import ROOT, sql

    package = ROOT / "datapackage"
    twins = sql(package, "select report_id, duplicate_of from reports where duplicate_of is not null")
    assert twins
    in_view = {r["report_id"] for r in sql(package, "select distinct report_id from metrics")}
    for twin in twins:
        assert twin["report_id"] not in in_view and twin["duplicate_of"] in in_view
    grant = {r["report_id"] for r in sql(package, "select report_id from metrics where metric = 'grant_rate'")}
    assert "2020_pingtan_1" not in grant and "2020_sanming_1" in grant


@pytest.mark.parametrize("selection", [("--year", 2024), ("--region", "三明"), ("--scope", "agency"),
                                       ("--year", 2023, "--region", "3503", "--scope", "agency")])
def test_filters_pushed_below_the_figures_give_the_metrics_view_figures(comparison_package, selection):
    """compare reads only the selected reports' cells; the figures are those of the whole `metrics` view."""
    from conftest import sql

    from opendata.query.compare import region_condition

    options = dict(zip(selection[::2], selection[1::2]))
    where, params = ["metric = 'substantive_disclosure_rate'"], []
    if "--year" in options:
        where.append("year = ?")
        params.append(options["--year"])
    if "--scope" in options:
        where.append("scope = ?")
        params.append(options["--scope"])
    if "--region" in options:
        cond, p = region_condition(str(options["--region"]))
        where.append(cond)
        params += p
    whole = sql(comparison_package, f"select * from metrics where {' and '.join(where)}", *params)
    rows, _ = compare_json(comparison_package, "substantive_disclosure_rate", *selection, "--min-requests", 0)
    expected = {r["report_id"]: (r["numerator"], r["denominator"], r["value"]) for r in whole if r["value"] is not None}
    assert expected and {r["report_id"]: (r["numerator"], r["denominator"], r["value"]) for r in rows} == expected


def test_a_note_names_at_most_twenty_reports_and_counts_the_rest():
    from opendata.query.compare import NAMES_SHOWN, _names

    rows = [{"report_id": f"r{i:03d}"} for i in range(NAMES_SHOWN + 7)]
    assert _names(rows) == ", ".join(f"r{i:03d}" for i in range(NAMES_SHOWN)) + " and 7 more"
    assert _names(rows[:3]) == "r000, r001, r002"
