"""Builds at scale: streamed in batches, over processes or Dask, cached, reproducible byte for byte, partitioned.

Synthetic reports (scripts/synth_corpus.py) carry their true values (truth.jsonl), so a build is scored against
what was written, not against what the program read before.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import synth_corpus  # noqa: E402

CELLS = {"proactive_disclosure": ("item", "measure"), "applications": ("row", "applicant"),
         "review_litigation": ("block", "outcome")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synth_corpus.generate(out, 30, seed=7, html_share=0.5, truth=True)
    return out


def build(sources: list[Path], out: Path, *, jobs: int = 1, cache: Path | None = None, **kw):
    from opendata.pipeline import BuildOptions, build_package
    from opendata.scale.engines import Engine

    engine = kw.pop("engine", Engine("local", jobs))
    return build_package(sources, out, None, BuildOptions(engine, cache, **kw), root=ROOT)


def files(package: Path) -> dict[str, bytes]:
    return {p.relative_to(package).as_posix(): p.read_bytes() for p in sorted(package.rglob("*")) if p.is_file()}


def published_cells(package: Path) -> dict[tuple, float]:
    from opendata.publish.package import package_resources

    import pyarrow.parquet as pq

    parts = package_resources(package)
    out = {}
    for table, (row, col) in CELLS.items():
        for rec in pq.read_table([str(p) for p in parts[table]], partitioning=None).to_pylist():
            out[(rec["report_id"], table, rec[row], rec[col])] = rec["value"]
    return out


def true_cells(corpus: Path) -> dict[tuple, float]:
    out = {}
    for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for table in CELLS:
            out.update({(r["id"], table, row, col): v for row, cols in r[table].items() for col, v in cols.items()})
    return out


def test_synthetic_reports_are_read_exactly_as_written(corpus, tmp_path):
    summary = build([corpus / "reports"], tmp_path / "pkg", jobs=2, batch_reports=8)
    assert (summary.reports, summary.reading_errors, summary.failed_checks) == (30, [], 0)
    truth, got = true_cells(corpus), published_cells(tmp_path / "pkg")
    assert len(truth) > 30 * 190 and set(got) == set(truth)
    assert [k for k, v in truth.items() if got[k] != pytest.approx(v)] == []


def test_reports_are_written_in_batches(corpus, tmp_path):
    """The writer appends one Parquet row group per batch of reports: memory holds a batch, not the corpus."""
    import pyarrow.parquet as pq

    build([corpus / "reports"], tmp_path / "pkg", batch_reports=8)
    meta = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    for name in ("reports", "applications", "checks"):
        parquet = pq.ParquetFile(tmp_path / "pkg" / "data" / f"{name}.parquet")
        assert parquet.num_row_groups == 4  # 30 reports in batches of 8
        entry = next(r for r in meta["resources"] if r["name"] == f"{name}-parquet")
        assert entry["x-rows"] == parquet.metadata.num_rows
    rows = next(r for r in meta["resources"] if r["name"] == "reports")["x-rows"]
    assert rows == 30


def test_same_sources_give_identical_bytes_whatever_the_jobs(corpus, tmp_path):
    build([corpus / "reports"], tmp_path / "a", jobs=1)
    build([corpus / "reports"], tmp_path / "b", jobs=2, chunk=3)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a == b and "data/applications.parquet" in a
    assert "created" not in json.loads(a["datapackage.json"])


def test_created_is_written_only_when_asked(corpus, tmp_path, monkeypatch):
    from opendata.publish.descriptor import created_stamp

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build([corpus / "reports"], tmp_path / "pkg", created=created_stamp())
    assert json.loads((tmp_path / "pkg" / "datapackage.json").read_text())["created"] == "2023-11-14T22:13:20Z"


def test_bundled_sources_in_parallel_equal_one_process_with_same_report_checks(tmp_path):
    build([ROOT / "sources"], tmp_path / "one", jobs=1)
    build([ROOT / "sources"], tmp_path / "two", jobs=2)
    assert files(tmp_path / "one") == files(tmp_path / "two")
    with open(tmp_path / "two" / "data" / "checks.csv", encoding="utf-8", newline="") as f:
        checks = list(csv.DictReader(f))
    # the two text copies of Pingtan's HTML pages are compared with them (manifest duplicate_of)
    same = {(c["report_id"], c["subject"], c["result"]) for c in checks if c["check_id"] == "SAME_REPORT"}
    assert same == {("2024_pingtan_1", "duplicate_of.2024_pingtan_html_1", "pass"),
                    ("2025_pingtan_1", "duplicate_of.2025_pingtan_html_1", "pass")}


def test_rebuild_after_one_changed_source_extracts_only_that_source(corpus, tmp_path, monkeypatch):
    from opendata import pipeline

    sources = tmp_path / "src"
    shutil.copytree(corpus / "reports", sources)
    cache = tmp_path / "cache"
    build([sources], tmp_path / "pkg", cache=cache)
    calls = []
    real = pipeline.extract_rows
    monkeypatch.setattr(pipeline, "extract_rows", lambda job: calls.append(job.path.name) or real(job))
    build([sources], tmp_path / "pkg", cache=cache)
    assert calls == []  # nothing changed: every source from the cache
    changed = sorted(sources.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("本年度未收取信息处理费。", "无。"), encoding="utf-8")
    build([sources], tmp_path / "pkg", cache=cache)
    assert calls == [changed.name]
    build([sources], tmp_path / "fresh")  # no cache at all
    assert files(tmp_path / "pkg") == files(tmp_path / "fresh")
    assert not any(p.name.startswith(".opendata") for p in (tmp_path / "pkg").rglob("*"))


def test_large_packages_are_partitioned_by_year_and_province_and_read_as_one(corpus, tmp_path):
    import pyarrow.dataset as ds

    from opendata.publish.package import package_resources
    from opendata.query.connection import run

    sources = tmp_path / "src"
    shutil.copytree(corpus / "reports", sources)
    first = sorted(sources.glob("*.txt"))[0]  # its title is the only place naming its region: without it, unknown
    text = first.read_text(encoding="utf-8")
    place = next(p for p in synth_corpus.PLACES if p in text.splitlines()[0])
    first.write_text(text.replace(place, "", 1), encoding="utf-8")
    build([sources], tmp_path / "flat")
    build([sources], tmp_path / "parts", partition_reports=10)
    expected = sorted({f"data/applications/year={year}/province={code[:2] if code else 'unknown'}/part-0.parquet"
                       for year, code in run(tmp_path / "flat", "select year, region_code from reports")[1]})
    assert any("province=unknown" in p for p in expected) and any("province=35" in p for p in expected)
    meta = json.loads((tmp_path / "parts" / "datapackage.json").read_text(encoding="utf-8"))
    apps = next(r for r in meta["resources"] if r["name"] == "applications-parquet")
    assert apps["path"] == expected
    assert apps["x-partitioning"]["by"] == ["year", "province"]
    assert [p["path"] for p in apps["x-parts"]] == apps["path"]
    assert len(package_resources(tmp_path / "parts")["applications"]) == len(expected)
    assert published_cells(tmp_path / "parts") == published_cells(tmp_path / "flat")
    # other engines read the hive layout as one dataset, year and province coming from the folder names
    dataset = ds.dataset(tmp_path / "parts" / "data" / "applications", partitioning="hive")
    assert dataset.count_rows() == apps_rows(tmp_path / "flat")
    by_folder = dataset.to_table(columns=["report_id", "year", "province"]).to_pylist()
    codes = dict(run(tmp_path / "flat", "select report_id, region_code from reports")[1])
    assert all(str(r["province"]) == (codes[r["report_id"]] or "unknown")[:2] if codes[r["report_id"]]
               else r["province"] == "unknown" for r in by_folder)
    sql = "select r.year, sum(a.value) from applications a join reports r using (report_id) group by 1 order by 1"
    assert run(tmp_path / "parts", sql) == run(tmp_path / "flat", sql)
    metric = "select count(*), sum(value) from metrics"
    assert run(tmp_path / "parts", metric) == run(tmp_path / "flat", metric)


def test_bundled_sources_partitioned_validate_query_compare_and_diff_as_the_flat_package(tmp_path):
    from opendata.publish.validate import validate_package
    from opendata.query.compare import compare
    from opendata.query.connection import run
    from opendata.query.diff import diff_packages
    from dataclasses import replace

    from opendata.site.data import load

    build([ROOT / "sources"], tmp_path / "flat")
    build([ROOT / "sources"], tmp_path / "parts", partition_reports=5)
    parts = sorted(p.relative_to(tmp_path / "parts").as_posix() for p in (tmp_path / "parts").rglob("*.parquet"))
    assert "data/applications/year=2024/province=31/part-0.parquet" in parts  # 上海 (310000), 2024
    assert "data/checks/year=2023/province=32/part-0.parquet" in parts  # 沭阳县 (321322), 2023
    assert "data/reports.parquet" in parts  # a resource with a year of its own stays one file
    assert validate_package(tmp_path / "parts").valid
    for sql in ("select * from applications order by all", "select * from metrics order by all",
                "select * from checks order by all"):
        assert run(tmp_path / "parts", sql) == run(tmp_path / "flat", sql)
    ranked = [compare(pkg, "substantive_disclosure_rate") for pkg in (tmp_path / "parts", tmp_path / "flat")]
    assert ranked[0].rows == ranked[1].rows and len(ranked[0].rows) >= 10
    assert diff_packages(tmp_path / "flat", tmp_path / "parts").rows == []
    site = [replace(load(pkg), meta=None) for pkg in (tmp_path / "parts", tmp_path / "flat")]
    assert site[0] == site[1]  # what the site shows (the descriptors differ: they list the parts)


def apps_rows(package: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(package / "data" / "applications.parquet").metadata.num_rows


def test_a_bad_source_is_named_and_the_rest_published(corpus, tmp_path):
    sources = tmp_path / "src"
    shutil.copytree(corpus / "reports", sources)
    (sources / "synth_000003b.html").write_text("<html><body>no tables here</body></html>", encoding="utf-8")
    summary = build([sources], tmp_path / "pkg", jobs=2)
    assert (summary.sources, summary.reports, len(summary.reading_errors)) == (31, 30, 1)
    assert "synth_000003b.html" in summary.reading_errors[0]


@pytest.mark.slow
def test_dask_build_equals_the_local_build_byte_for_byte(tmp_path):
    pytest.importorskip("distributed")
    from opendata.scale.engines import Engine

    for partition in (50_000, 5):  # one file per resource, then year=/province= parts
        build([ROOT / "sources"], tmp_path / f"local{partition}", jobs=1, partition_reports=partition)
        build([ROOT / "sources"], tmp_path / f"dask{partition}", engine=Engine("dask", 2), chunk=4,
              partition_reports=partition)
        assert files(tmp_path / f"dask{partition}") == files(tmp_path / f"local{partition}")
    assert any("province=" in name for name in files(tmp_path / "dask5"))


def test_cli_build_with_jobs_cache_and_quiet(corpus, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from opendata.cli import app

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "pkg"
    args = ["build", str(corpus / "reports"), "-o", str(out), "--jobs", "2", "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "published 30 reports" in result.output and "extracting" not in result.output
    assert any((tmp_path / "cache" / "opendata" / "extraction").iterdir())  # the user's cache folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "pkg"]  # nothing written beside the package
    again = CliRunner().invoke(app, [*args, "--no-cache", "-o", str(tmp_path / "again")])
    assert again.exit_code == 0 and files(out) == files(tmp_path / "again")


def test_a_damaged_cache_entry_is_extracted_again(corpus, tmp_path):
    cache = tmp_path / "cache"
    build([corpus / "reports"], tmp_path / "pkg", cache=cache)
    entries = sorted(cache.rglob("*.zst"))
    assert len(entries) > 30  # one per source, plus the whole chunks
    for n, p in enumerate(entries):  # garbage, or an entry cut short after its header
        p.write_bytes(b"not a pickle" if n % 2 else p.read_bytes()[:40])
    build([corpus / "reports"], tmp_path / "again", cache=cache)
    assert files(tmp_path / "again") == files(tmp_path / "pkg")


def test_a_partitioned_package_numbers_rows_across_parts_and_locates_a_csv_parquet_difference(tmp_path):
    """Rows of later parts are numbered on from the parts before (offsets from the footers); a value changed in one
    part is both a constraint finding at its row and a CSV != Parquet finding at the CSV row of the same record."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from opendata.publish.validate_sql import MISMATCH, check_package

    pkg = tmp_path / "parts"
    build([ROOT / "sources"], pkg, partition_reports=5)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    parts = next(r for r in descriptor["resources"] if r["name"] == "applications-parquet")["path"]
    assert isinstance(parts, list) and len(parts) > 2
    assert not check_package(pkg / "datapackage.json").findings  # equal rows in another order: no difference

    last = pkg / parts[-1]
    table = pq.read_table(last, partitioning=None)
    rows = table.to_pylist()
    record = (rows[3]["report_id"], rows[3]["row"], rows[3]["applicant"])
    rows[3]["value"] = -5
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema([f.with_nullable(True) for f in table.schema])), last)
    before = sum(pq.ParquetFile(pkg / p).metadata.num_rows for p in parts[:-1])
    csv_parts = next(r for r in descriptor["resources"] if r["name"] == "applications")["path"]
    assert len(csv_parts) == len(parts) and all(p.endswith(".csv") for p in csv_parts)
    csv_records = [tuple(r[:3]) for p in csv_parts for r in list(csv.reader(open(pkg / p, encoding="utf-8")))[1:]]
    csv_row = csv_records.index(record) + 2  # every part has its header; rows are numbered on across parts

    found = check_package(pkg / "datapackage.json").findings
    assert ("applications-parquet", before + 3 + 2, "constraint-error", "value") in {
        (f.resource, f.row, f.type, f.field) for f in found}
    assert [(f.resource, f.row, f.field) for f in found if f.type == MISMATCH] == [("applications", csv_row, "value")]


def test_a_partitioned_csv_is_numbered_across_its_parts_as_frictionless_numbers_it(tmp_path):
    """Each CSV part carries its header; frictionless reads the path list as one table without the later headers.
    A value made negative in the last part is found at the same row by both engines."""
    from opendata.publish.validate_sql import check_package, frictionless_findings

    pkg = tmp_path / "parts"
    build([ROOT / "sources"], pkg, partition_reports=5)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    entry = next(r for r in descriptor["resources"] if r["name"] == "applications")
    last = pkg / entry["path"][-1]
    lines = last.read_text(encoding="utf-8").splitlines(keepends=True)
    value = entry_field_index(pkg, "applications", "value")
    cells = lines[5].rstrip("\n").split(",")
    cells[value] = "-5"
    lines[5] = ",".join(cells) + "\n"
    last.write_text("".join(lines), encoding="utf-8")
    ours = {(f.resource, f.row, f.type, f.field) for f in check_package(pkg / "datapackage.json").findings
            if f.resource == "applications" and f.type == "constraint-error"}
    theirs = {(f.resource, f.row, f.type, f.field) for f in frictionless_findings(pkg / "datapackage.json")
              if f.resource == "applications" and f.type == "constraint-error"}
    rows_before = sum(p["x-rows"] for p in entry["x-parts"][:-1])
    assert ours == theirs == {("applications", rows_before + 5 + 1, "constraint-error", "value")}


def entry_field_index(pkg: Path, resource: str, name: str) -> int:
    schema = json.loads((pkg / "schemas" / f"{resource}.schema.json").read_text(encoding="utf-8"))
    return [f["name"] for f in schema["fields"]].index(name)


def test_past_the_listed_sources_the_descriptor_names_the_reports_resource(tmp_path, monkeypatch):
    """A national corpus does not list 100k sources in datapackage.json: one entry names the resource holding each
    report's title, origin and file (every report is still there)."""
    from opendata.publish import descriptor

    monkeypatch.setattr(descriptor, "SOURCES_LISTED", 5)
    build([ROOT / "sources"], tmp_path / "pkg")
    package = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    with open(tmp_path / "pkg" / "data" / "reports.csv", encoding="utf-8", newline="") as f:
        reports = list(csv.DictReader(f))
    assert package["sources"] == [{"title": f"{len(reports):,} annual reports: the title, origin_url, source_path and "
                                            "source_sha256 of each are in the reports resource",
                                   "path": "data/reports.csv"}]
    assert len(reports) == len(list((ROOT / "sources" / "reports").iterdir())) and all(r["title"] for r in reports)


def test_a_partitioned_package_does_not_depend_on_batches_or_spills(tmp_path, monkeypatch):
    """Parts are written whole at the end from rows held or spilled to disk: a build that spills every few hundred
    rows, in batches of 3 reports, writes the same bytes as one that holds everything; and the row groups have the
    fixed size, whatever the batches."""
    import pyarrow.parquet as pq

    from opendata.publish import parts_writer

    build([ROOT / "sources"], tmp_path / "held", partition_reports=5)
    monkeypatch.setattr(parts_writer, "SPILL_ROWS", 300)
    monkeypatch.setattr(parts_writer, "ROW_GROUP_ROWS", 50)
    spilled = []
    original = parts_writer.Spill.spill
    monkeypatch.setattr(parts_writer.Spill, "spill", lambda self: (spilled.append(self.rows), original(self))[1])
    build([ROOT / "sources"], tmp_path / "spilled", partition_reports=5, batch_reports=3)
    assert sum(1 for n in spilled if n) >= 10  # it did spill, many times
    monkeypatch.undo()
    build([ROOT / "sources"], tmp_path / "spilled-again", partition_reports=5, batch_reports=7)
    held, again = files(tmp_path / "held"), files(tmp_path / "spilled-again")
    assert held == again and not any(".spill" in name for name in held)
    groups = {p: pq.ParquetFile(tmp_path / "spilled" / p).metadata for p in files(tmp_path / "spilled")
              if p.endswith(".parquet")}
    big = [m for m in groups.values() if m.num_rows > 50]
    assert big and all(m.row_group(0).num_rows == 50 for m in big)  # fixed-size row groups, whatever the batches
    reread = {n: b for n, b in files(tmp_path / "spilled").items() if n.endswith(".csv")}
    assert reread == {n: b for n, b in held.items() if n.endswith(".csv")}  # the CSV bytes do not depend on it


def test_a_partitioned_package_checked_in_groups_finds_what_one_pass_finds(tmp_path, monkeypatch):
    """Validation of a large package goes group of parts by group of parts (DuckDB's memory stays flat): on a
    package with a bad value in a late CSV part, a bad Parquet value in the first part and a bad reports row, the
    groups find exactly what one pass finds, at the same rows, with the same identity counts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from opendata.publish import validate_sql

    pkg = tmp_path / "parts"
    build([ROOT / "sources"], pkg, partition_reports=5)
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    entry = {r["name"]: r for r in descriptor["resources"]}
    last = pkg / entry["applications"]["path"][-1]
    lines = last.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[3].rstrip("\n").split(",")
    cells[entry_field_index(pkg, "applications", "value")] = "-5"
    lines[3] = ",".join(cells) + "\n"
    last.write_text("".join(lines), encoding="utf-8")
    first = pkg / entry["checks-parquet"]["path"][0]
    table = pq.read_table(first, partitioning=None)
    rows = table.to_pylist()
    rows[2]["result"] = "maybe"
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema([f.with_nullable(True) for f in table.schema])), first)
    reports = (pkg / "data" / "reports.csv").read_text(encoding="utf-8").replace(",\"simplified\",", ",\"klingon\",", 1)
    (pkg / "data" / "reports.csv").write_text(reports, encoding="utf-8")

    whole = validate_sql.check_package(pkg / "datapackage.json")
    monkeypatch.setattr(validate_sql, "GROUP_ROWS", 400)
    assert len(validate_sql.part_groups({r.name: r for r in validate_sql.load_resources(pkg / "datapackage.json")})) > 3
    grouped = validate_sql.check_package(pkg / "datapackage.json")
    kinds = {(f.resource, f.type) for f in whole.findings}
    assert {("applications", "constraint-error"), ("checks-parquet", "constraint-error"),
            ("reports", "constraint-error")} <= kinds
    assert sorted(map(str, grouped.findings)) == sorted(map(str, whole.findings))
    assert grouped.identity_counts == whole.identity_counts and sum(whole.identity_counts.values()) > 1000
    assert sorted(map(str, grouped.mismatches)) == sorted(map(str, whole.mismatches))
