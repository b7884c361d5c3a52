"""The command line: query formats, errors to stderr with a non-zero exit, extract and validate."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import SEED, gold

runner = CliRunner()
NEW_REQUESTS = "select applicant, value from applications where row='new_requests' and report_id='seed_luzhou_2020'"


def invoke(*args):
    from opendata.cli import app

    return runner.invoke(app, list(args))


def test_query_prints_the_seven_values_in_every_format(built_package):
    expected = gold("seed_luzhou_2020")["applications"]["new_requests"]
    r = invoke("query", NEW_REQUESTS, "--package", str(built_package), "--format", "json")
    assert r.exit_code == 0, r.output
    assert {d["applicant"]: d["value"] for d in json.loads(r.stdout)} == expected
    r = invoke("query", NEW_REQUESTS, "-p", str(built_package), "-f", "csv")
    lines = r.stdout.strip().split("\n")
    assert lines[0] == "applicant,value" and len(lines) == 8 and "natural_person,352" in lines
    r = invoke("query", NEW_REQUESTS, "-p", str(built_package), "-f", "jsonl")
    assert len(r.stdout.strip().split("\n")) == 7
    r = invoke("query", NEW_REQUESTS, "-p", str(built_package), "-f", "markdown")
    assert "| natural_person | 352 |" in r.stdout
    r = invoke("query", NEW_REQUESTS, "-p", str(built_package))
    assert "natural_person" in r.stdout and "380" in r.stdout


def test_query_errors_are_clear_and_exit_non_zero(built_package, tmp_path):
    r = invoke("query", "select nope from applications", "-p", str(built_package))
    assert r.exit_code == 1 and "nope" in r.stderr and r.stdout == ""
    r = invoke("query", "select 1", "-p", str(tmp_path / "nothing"))
    assert r.exit_code == 1 and "datapackage.json" in r.stderr


def test_query_cannot_reach_files_outside_the_package(built_package):
    r = invoke("query", f"select * from read_csv('{SEED}')", "-p", str(built_package))
    assert r.exit_code == 1
    r = invoke("query", "copy (select 1) to '/tmp/opendata-escape.csv'", "-p", str(built_package))
    assert r.exit_code == 1


def test_extract_prints_cells_and_checks():
    r = invoke("extract", str(SEED), "--format", "json")
    assert r.exit_code == 0
    cells = json.loads(r.stdout)
    assert len(cells) == 198
    r = invoke("extract", str(SEED), "--checks", "-f", "jsonl")
    assert all(json.loads(line)["result"] == "pass" for line in r.stdout.strip().split("\n"))


def test_validate_passes_on_a_good_package(built_package):
    r = invoke("validate", str(built_package))
    assert r.exit_code == 0, r.stderr


def _tampered_copy(package, tmp_path, resource: str, where: dict, column: str, value):
    """A copy of the package with one published cell overwritten, behind the writer's back."""
    import shutil

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pkg = tmp_path / "pkg"
    shutil.copytree(package, pkg)
    path = pkg / "data" / f"{resource}.parquet"
    t = pq.read_table(path)
    mask = pc.equal(t["report_id"], "seed_luzhou_2020")
    for field, wanted in where.items():
        mask = pc.and_(mask, pc.equal(t[field], wanted))
    t = t.set_column(t.schema.get_field_index(column), column, pc.if_else(mask, value, t[column]))
    pq.write_table(t, path)
    return pkg


def test_validate_catches_a_silently_changed_number(built_package, tmp_path):
    pkg = _tampered_copy(built_package, tmp_path, "applications", {"row": "granted", "applicant": "natural_person"},
                         "value", 999)
    r = invoke("validate", str(pkg))
    assert r.exit_code == 1
    assert "MISMATCH H3 in seed_luzhou_2020: applications.granted: recomputed fail" in r.stderr


def test_help_is_fast_and_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = "import sys; from opendata.cli import app; print(','.join(m for m in ('pandas','duckdb','pdfplumber','pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert out == ""


def test_validate_catches_a_declared_failure_the_values_do_not_show(built_package, tmp_path):
    pkg = _tampered_copy(built_package, tmp_path, "checks", {"subject": "applications.total", "check_id": "H1"},
                         "result", "fail")
    r = invoke("validate", str(pkg))
    assert r.exit_code == 1
    assert "MISMATCH H1 in seed_luzhou_2020: applications.total: recomputed pass, the package publishes fail" in r.stderr


def test_validate_names_a_missing_package(tmp_path):
    r = invoke("validate", str(tmp_path / "nowhere"))
    assert r.exit_code == 1 and "datapackage.json not found" in r.stderr
