"""Validation compiled to DuckDB against frictionless, the reference: packages corrupted in every way a Table Schema,
the identities or the files' integrity can catch, each engine's findings compared (resource, row, error type, field).

The expected location of each finding is the cell the test corrupted; the expected identity failures follow from
the template's arithmetic (a changed cell breaks exactly the equations it is a term of).
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from opendata.publish.validate_sql import MISMATCH, check_package, frictionless_findings

SEED = "seed_luzhou_2020"


def _key(f):
    return (f.resource, f.row, f.type, f.field)


def _copy(package, tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(package, pkg)
    return pkg


def _edit_csv(pkg, resource: str, edit) -> None:
    path = pkg / "data" / f"{resource}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _edit_parquet(pkg, resource: str, edit) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = pkg / "data" / f"{resource}.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    edit(rows)
    schema = pa.schema([f.with_nullable(True) for f in table.schema])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def _line(rows, header_value: dict) -> int:
    """Index (= frictionless row number - 1) of the first CSV row holding these values."""
    header = rows[0]
    return next(i for i, r in enumerate(rows) if i and all(r[header.index(k)] == v for k, v in header_value.items()))


GRANTED = {"report_id": SEED, "row": "granted", "applicant": "natural_person"}


def _both(pkg):
    ours = check_package(pkg / "datapackage.json")
    reference = frictionless_findings(pkg / "datapackage.json")
    return ours, {_key(f) for f in ours.findings if f.type != MISMATCH}, {_key(f) for f in reference}


def _csv_row(pkg, resource, where) -> int:
    with open(pkg / "data" / f"{resource}.csv", encoding="utf-8", newline="") as f:
        return _line(list(csv.reader(f)), where) + 1


def _granted_in_csv(pkg) -> tuple[int, int]:
    """The CSV row number of the GRANTED cell and the value it holds."""
    row = _csv_row(pkg, "applications", GRANTED)
    with open(pkg / "data" / "applications.csv", encoding="utf-8", newline="") as f:
        return row, int(list(csv.reader(f))[row - 1][3])


# resource, column corrupted, value written, the finding expected at that cell (error type, field)
CSV_CASES = {
    "bad type": ("applications", "value", "12a", "type-error", "value"),
    "fraction in an integer": ("applications", "value", "1.5", "type-error", "value"),
    "below minimum": ("applications", "value", "-3", "constraint-error", "value"),
    "not in enum": ("applications", "status", "guessed", "constraint-error", "status"),
    "broken pattern": ("reports", "region_code", "51O500", "constraint-error", "region_code"),
    "year above maximum": ("reports", "year", "2300", "constraint-error", "year"),
    "required empty": ("applications", "source_ref", "", "constraint-error", "source_ref"),
    "missing foreign key": ("applications", "report_id", "no_such_report", "foreign-key", None),
    "duplicate_of unknown": ("reports", "duplicate_of", "no_such_report", "foreign-key", None),
}


def _set(column: str, value, where: dict):
    def edit(rows):
        rows[_line(rows, where)][rows[0].index(column)] = value
    return edit


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_both_engines_find_the_same_in_a_corrupted_csv(built_package, tmp_path, case):
    resource, column, value, kind, field = CSV_CASES[case]
    pkg = _copy(built_package, tmp_path)
    where = {"report_id": SEED} if resource == "reports" else GRANTED
    row = _csv_row(pkg, resource, where)
    _edit_csv(pkg, resource, _set(column, value, where))
    ours, found, reference = _both(pkg)
    assert {(resource, row, kind, field), (resource, None, "hash-count", None)} <= reference
    assert found == reference
    # The CSV no longer holds the Parquet file's value (frictionless cannot see that): named cell by cell.
    assert [_key(f) for f in ours.findings if f.type == MISMATCH] == [(resource, row, MISMATCH, column)]


def test_row_structure_errors_match(built_package, tmp_path):
    pkg = _copy(built_package, tmp_path)

    def edit(rows):
        i = _line(rows, GRANTED)
        rows[i] = rows[i][:4]  # missing cells
        rows[i + 1] = rows[i + 1] + ["surplus", "cells"]  # extra cells
        rows.insert(i + 2, [""] * len(rows[0]))  # a blank row
        rows.insert(i + 4, list(rows[i + 3]))  # the same key twice
    row = _csv_row(pkg, "applications", GRANTED)
    _edit_csv(pkg, "applications", edit)
    ours, found, reference = _both(pkg)
    expected = {("applications", row, "missing-cell", "status"), ("applications", row + 1, "extra-cell", None),
                ("applications", row + 2, "blank-row", None), ("applications", row + 4, "primary-key", None),
                ("applications", row + 2, "primary-key", None)}  # a blank row's key cells are all empty
    assert expected <= reference
    assert found == reference


def test_renamed_header_and_changed_hash_match(built_package, tmp_path):
    pkg = _copy(built_package, tmp_path)

    def rename(rows):
        rows[0][rows[0].index("agency")] = "body"
    _edit_csv(pkg, "reports", rename)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    checks = next(r for r in descriptor["resources"] if r["name"] == "checks")
    checks["hash"] = "sha256:" + "0" * 64
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    ours, found, reference = _both(pkg)
    assert {("reports", None, "incorrect-label", "agency"), ("checks", None, "hash-count", None),
            ("reports", None, "hash-count", None), ("reports", None, "byte-count", None)} <= reference
    assert found == reference


PARQUET_CASES = {
    "below minimum": ("applications", "value", -4, "constraint-error", "value"),
    "not in enum": ("applications", "row", "granted_maybe", "constraint-error", "row"),
    "required null": ("applications", "status", None, "constraint-error", "status"),
    "missing foreign key": ("applications", "report_id", "no_such_report", "foreign-key", None),
}


@pytest.mark.parametrize("case", sorted(PARQUET_CASES))
def test_both_engines_find_the_same_in_a_corrupted_parquet_file(built_package, tmp_path, case):
    resource, column, value, kind, field = PARQUET_CASES[case]
    pkg = _copy(built_package, tmp_path)
    where = {}

    def edit(rows):
        i = next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in GRANTED.items()))
        where["row"] = i + 2
        rows[i][column] = value
    _edit_parquet(pkg, resource, edit)
    ours, found, reference = _both(pkg)
    name = f"{resource}-parquet"
    assert {(name, where["row"], kind, field), (name, None, "hash-count", None)} <= reference
    assert found == reference


def test_duplicate_report_in_parquet_is_a_unique_and_a_primary_key_error(built_package, tmp_path):
    pkg = _copy(built_package, tmp_path)
    _edit_parquet(pkg, "reports", lambda rows: rows.append(dict(rows[0])))
    import pyarrow.parquet as pq

    ours, found, reference = _both(pkg)
    n = pq.read_metadata(pkg / "data" / "reports.parquet").num_rows  # the appended copy is row n + 1
    assert {("reports-parquet", n + 1, "unique-error", "report_id"), ("reports-parquet", n + 1, "primary-key", None)} <= reference
    assert found == reference


def _identity_keys(mismatches):
    return {(rid, c.check_id, c.subject, c.result) for rid, c, _ in mismatches}


def test_a_number_changed_in_parquet_breaks_the_same_identities_in_both_engines(built_package, tmp_path):
    from opendata.publish.validate import validate_package

    pkg = _copy(built_package, tmp_path)

    def edit(rows):
        cell = next(r for r in rows if all(r[k] == v for k, v in GRANTED.items()))
        cell["value"] += 5
    _edit_parquet(pkg, "applications", edit)
    ours = validate_package(pkg, engine="duckdb")
    reference = validate_package(pkg, engine="frictionless")
    # granted/natural_person is a term of H2 (its column) and H3 (its row) only.
    expected = {(SEED, "H2", "applications.natural_person", "fail"), (SEED, "H3", "applications.granted", "fail")}
    assert _identity_keys(reference.mismatches) == expected
    assert _identity_keys(ours.mismatches) == expected
    assert not ours.valid and not reference.valid
    same = {(r, c.check_id, c.subject, c.result, c.expected, c.actual) for r, c in ours.identity_results}
    assert same == {(r, c.check_id, c.subject, c.result, c.expected, c.actual) for r, c in reference.identity_results}
    _same_verdict_whatever_is_kept(pkg, ours)


def _same_verdict_whatever_is_kept(pkg, every):
    """What a build checks before its swap keeps no result per identity, `opendata validate` the failures only:
    the same mismatches, counts and verdict as when every result is kept."""
    from opendata.publish.validate import validate_package

    for keep in (False, "failures"):
        lean = validate_package(pkg, engine="duckdb", results=keep)
        assert lean.valid == every.valid and lean.counts() == every.counts()
        assert [(r, vars(c), p) for r, c, p in lean.mismatches] == [(r, vars(c), p) for r, c, p in every.mismatches]
        assert [(r, vars(c)) for r, c in lean.identity_results] == (
            [(r, vars(c)) for r, c in every.identity_results if c.result == "fail"] if keep else [])
    assert sum(every.counts().values()) == len(every.identity_results)


def test_a_number_changed_alike_in_csv_and_parquet_breaks_identities_whatever_is_kept(built_package, tmp_path):
    """No CSV = Parquet difference to hint at it: the identities recomputed from the Parquet files must catch it."""
    from opendata.publish.validate import validate_package

    pkg = _copy(built_package, tmp_path)
    row, original = _granted_in_csv(pkg)
    _edit_csv(pkg, "applications", _set("value", str(original + 5), GRANTED))

    def edit(rows):
        cell = next(r for r in rows if all(r[k] == v for k, v in GRANTED.items()))
        cell["value"] += 5
    _edit_parquet(pkg, "applications", edit)
    every = validate_package(pkg, engine="duckdb")
    assert not any(f.type == MISMATCH for f in every.findings)  # the two files agree
    expected = {(SEED, "H2", "applications.natural_person", "fail"), (SEED, "H3", "applications.granted", "fail")}
    assert _identity_keys(every.mismatches) == expected and not every.valid
    _same_verdict_whatever_is_kept(pkg, every)


def test_a_number_changed_only_in_the_csv_is_caught(built_package, tmp_path):
    """The gap of the reference: frictionless checks the CSV's types, not that it says what the Parquet file says."""
    from opendata.publish.validate import validate_package

    pkg = _copy(built_package, tmp_path)
    row, original = _granted_in_csv(pkg)
    _edit_csv(pkg, "applications", _set("value", str(original + 7), GRANTED))
    ours = validate_package(pkg, engine="duckdb")
    assert not ours.valid
    mismatch = [f for f in ours.findings if f.type == MISMATCH]
    assert [(f.resource, f.row, f.field) for f in mismatch] == [("applications", row, "value")]
    assert f"'{original + 7}'" in mismatch[0].note and f"'{original}'" in mismatch[0].note
    expected = {(SEED, "H2", "applications.natural_person", "fail"), (SEED, "H3", "applications.granted", "fail")}
    assert _identity_keys(ours.mismatches) == expected
    assert all("CSV" in c.message for _, c, _ in ours.mismatches)
    _same_verdict_whatever_is_kept(pkg, ours)


def test_a_good_package_is_valid_in_both_engines(built_package):
    from opendata.publish.validate import validate_package

    ours = validate_package(built_package, engine="duckdb")
    reference = validate_package(built_package, engine="frictionless")
    assert ours.valid and reference.valid and not ours.findings
    _same_verdict_whatever_is_kept(built_package, ours)
    assert len(ours.identity_results) == len(reference.identity_results) > 0
    assert frictionless_findings(built_package / "datapackage.json") == []


def test_validate_command_takes_the_engine(built_package, tmp_path):
    from typer.testing import CliRunner

    from opendata.cli import app

    pkg = _copy(built_package, tmp_path)
    _edit_csv(pkg, "reports", _set("region_code", "51O500", {"report_id": SEED}))
    runner = CliRunner()
    for engine in ("duckdb", "frictionless"):
        r = runner.invoke(app, ["validate", str(pkg), "--engine", engine])
        assert r.exit_code == 1, r.output
        assert "region_code" in r.stderr and f"{engine}: INVALID" in r.stderr


class _Steps:
    """A progress callback recording what it was told."""

    def __init__(self):
        self.total, self.done = None, 0

    def __call__(self, done, total=None):
        self.total = total if total is not None else self.total
        self.done += done


def test_validation_reports_its_progress_to_the_end(built_package, tmp_path):
    from opendata.publish.validate import validate_package
    from opendata.publish.validate_sql import load_resources

    resources = load_resources(built_package / "datapackage.json")
    csv_with_parquet = sum(1 for r in resources if r.format == "csv")  # every CSV resource has its Parquet twin
    for engine, expected in (("duckdb", 3 * len(resources) + csv_with_parquet + 1), ("frictionless", 2)):
        steps = _Steps()
        validate_package(built_package, engine, steps)
        assert steps.total == expected and steps.done == expected
    pkg = _copy(built_package, tmp_path)  # an unreadable resource skips its checks: the bar still completes
    (pkg / "data" / "checks.csv").write_bytes(b"\xff\xfe not text")
    steps = _Steps()
    assert not validate_package(pkg, "duckdb", steps).valid
    assert steps.done == steps.total


def test_validate_draws_a_progress_bar_on_a_terminal_only(built_package):
    import os
    import pty
    import subprocess
    import sys

    from typer.testing import CliRunner

    from opendata.cli import app

    quiet = CliRunner().invoke(app, ["validate", str(built_package)])  # stderr is not a terminal: no bar
    assert quiet.exit_code == 0 and "validating" not in quiet.output
    exe = [sys.executable, "-c", "from opendata.cli import app; app()", "validate", str(built_package)]
    for extra, drawn in (([], True), (["--quiet"], False)):
        parent, child = pty.openpty()
        proc = subprocess.run([*exe, *extra], stderr=child, stdout=subprocess.DEVNULL, timeout=120,
                              env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
        os.close(child)
        seen = b""
        while True:
            try:
                chunk = os.read(parent, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        os.close(parent)
        assert proc.returncode == 0
        assert (b"validating" in seen) == drawn and b"duckdb: valid" in seen
