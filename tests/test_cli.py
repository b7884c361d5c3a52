"""The command line: query formats, errors to stderr with a non-zero exit, extract and validate."""

from __future__ import annotations

import json

import pytest

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


# -- CLI habits: SQL from a file or stdin, -o FILE, table output that never splits a value -----------------------------

def test_query_sql_from_a_file_or_stdin(built_package, tmp_path):
    from opendata.cli import app

    expected = gold("seed_luzhou_2020")["applications"]["new_requests"]
    (tmp_path / "q.sql").write_text(NEW_REQUESTS + ";\n", encoding="utf-8")
    r = invoke("query", "--file", str(tmp_path / "q.sql"), "-p", str(built_package), "-f", "json")
    assert r.exit_code == 0, r.output
    assert {d["applicant"]: d["value"] for d in json.loads(r.stdout)} == expected
    for args in (["query", "-"], ["query", "--file", "-"]):
        r = runner.invoke(app, args + ["-p", str(built_package), "-f", "json"], input=NEW_REQUESTS)
        assert r.exit_code == 0 and {d["applicant"]: d["value"] for d in json.loads(r.stdout)} == expected
    r = invoke("query", "--file", str(tmp_path / "missing.sql"), "-p", str(built_package))
    assert r.exit_code == 1 and "missing.sql" in r.stderr
    r = invoke("query", "-p", str(built_package))
    assert r.exit_code == 1 and "--file" in r.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl", "markdown"])
def test_output_file_holds_what_stdout_would(built_package, tmp_path, fmt):
    r = invoke("query", NEW_REQUESTS, "-p", str(built_package), "-f", fmt)
    out = tmp_path / f"out.{fmt}"
    r2 = invoke("query", NEW_REQUESTS, "-p", str(built_package), "-f", fmt, "-o", str(out))
    assert r2.exit_code == 0 and r2.stdout == ""
    assert out.read_text(encoding="utf-8") == r.stdout and "natural_person" in r.stdout
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left beside it
    r3 = invoke("extract", str(SEED), "-f", fmt, "-o", str(tmp_path / "cells"))
    assert r3.exit_code == 0 and "new_requests" in (tmp_path / "cells").read_text(encoding="utf-8")
    r4 = invoke("query", NEW_REQUESTS, "-p", str(built_package), "-o", str(tmp_path / "no" / "dir" / "x"))
    assert r4.exit_code == 1 and "no/dir/x" in r4.stderr and len(r4.stderr.strip().splitlines()) == 1


WIDE = ("select report_id, source_path, source_sha256, title, agency, region_name from reports "
        "order by report_id")


def _values_are_whole_on_their_lines(stdout: str, rows: list[dict]) -> None:
    lines = stdout.splitlines()
    for row in rows:
        for value in row.values():
            if value is not None:
                assert any(str(value) in line for line in lines), value


def test_a_wide_table_is_written_as_records_never_splitting_a_value(built_package):
    rows = json.loads(invoke("query", WIDE, "-p", str(built_package), "-f", "json").stdout)
    assert len(rows) == 3 and all(len(r["source_sha256"]) == 64 for r in rows)
    from opendata.cli import app

    r = runner.invoke(app, ["query", WIDE, "-p", str(built_package)], env={"COLUMNS": "80"})
    assert r.exit_code == 0
    assert r.stdout.count("-[ record ") == 3 and all(len(line) < 200 for line in r.stdout.splitlines())
    _values_are_whole_on_their_lines(r.stdout, rows)
    assert "…" not in r.stdout


def test_a_table_that_fits_is_drawn_whole_and_a_long_one_is_streamed_as_plain_text(built_package):
    from opendata.cli import app

    rows = json.loads(invoke("query", WIDE, "-p", str(built_package), "-f", "json").stdout)
    # not a terminal and no COLUMNS (pytest-xdist sets one): no width limit, one line per row
    r = runner.invoke(app, ["query", WIDE, "-p", str(built_package)], env={"COLUMNS": None})
    assert sum("seed_luzhou_2020" in line for line in r.stdout.splitlines()) == 1 and "│" in r.stdout
    _values_are_whole_on_their_lines(r.stdout, rows)
    r = runner.invoke(app, ["query", "select range as n, 'x' || range as label from range(5000)",
                            "-p", str(built_package)], env={"COLUMNS": "100"})
    lines = r.stdout.splitlines()
    assert len(lines) == 5002 and "│" not in r.stdout and lines[0].split() == ["n", "label"]
    assert lines[-1].split() == ["4999", "x4999"]


def test_a_line_break_inside_a_value_stays_on_its_row(built_package):
    r = invoke("query", "select '三' || chr(10) || '、本年度办理结果' as label, 1 as n", "-p", str(built_package))
    assert r.exit_code == 0 and any("三 、本年度办理结果" in line and "1" in line for line in r.stdout.splitlines())
