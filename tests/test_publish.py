"""The published package: Frictionless-valid, typed Parquet readable by pandas, pyarrow and DuckDB; atomic swap."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SEED, gold


def test_frictionless_accepts_the_package(built_package):
    import frictionless

    report = frictionless.validate(str(built_package / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:5]


def test_descriptor_has_metadata_and_file_integrity(built_package):
    d = json.loads((built_package / "datapackage.json").read_text(encoding="utf-8"))
    assert d["$schema"].endswith("/2.0/datapackage.json")
    assert d["licenses"] and d["sources"] and d["version"] and d["contributors"]
    names = [r["name"] for r in d["resources"]]
    for name in ("reports", "proactive_disclosure", "applications", "review_litigation", "checks", "codebook"):
        assert name in names and f"{name}-parquet" in names
    for r in d["resources"]:
        assert ("hash" in r and "bytes" in r) or ("x-hash" in r and "x-bytes" in r)


def test_parquet_types_follow_the_table_schema(built_package):
    import duckdb
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(built_package / "data" / "applications.parquet")
    assert table.schema.field("value").type == pa.int64()
    assert table.schema.field("row").type == pa.string()
    assert pq.read_table(built_package / "data" / "reports.parquet").schema.field("year").type == pa.int64()
    df = pd.read_parquet(built_package / "data" / "applications.parquet")
    seed = df[(df.report_id == "seed_luzhou_2020") & (df.row == "new_requests")]
    assert dict(zip(seed.applicant, seed.value)) == gold("seed_luzhou_2020")["applications"]["new_requests"]
    total = duckdb.connect().execute(
        f"select value from read_parquet('{built_package}/data/applications.parquet') "
        "where report_id='seed_luzhou_2020' and row='result_total' and applicant='total'").fetchone()[0]
    assert total == 376 and isinstance(total, int)


def test_every_value_traces_to_its_source_line(built_package):
    import pandas as pd

    df = pd.read_parquet(built_package / "data" / "applications.parquet")
    seed = df[df.report_id == "seed_luzhou_2020"]
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for ref, raw in zip(seed.source_ref, seed.raw):
        path, pos = ref.split("#L")
        assert (ROOT / path).resolve() == SEED.resolve()
        assert lines[int(pos) - 1].strip() == raw


def test_interrupted_build_leaves_the_old_package(tmp_path, monkeypatch, seed_report):
    from opendata.publish import writers as publish

    out = tmp_path / "datapackage"
    publish.publish([seed_report], out, ROOT)
    before = (out / "datapackage.json").read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    from opendata.publish.parquet_writer import ParquetFile

    monkeypatch.setattr(ParquetFile, "write", boom)
    with pytest.raises(KeyboardInterrupt):
        publish.publish([seed_report], out, ROOT)
    assert (out / "datapackage.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datapackage"]  # no half-written folder left


def test_codebook_covers_every_published_code(built_package):
    import pandas as pd

    codebook = pd.read_csv(built_package / "data" / "codebook.csv")
    rows = set(codebook[codebook.kind == "row"].code)
    applications = pd.read_csv(built_package / "data" / "applications.csv")
    assert set(applications.row) <= rows
    # 26 value rows across both templates (23 in 2019, 25 in 2021) and 4 group headers (三, （三）, （四）, （五）).
    assert len(codebook[(codebook.table == "applications") & (codebook.kind == "row")]) == 30


def test_build_command_publishes_the_good_reports_when_one_is_broken(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "empty.txt").write_text("这不是年度报告。\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    out = tmp_path / "pkg"
    proc = subprocess.run([sys.executable, "-m", "opendata.cli", "build", str(folder), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "empty.txt" in proc.stderr and "table 三" in proc.stderr
    assert "broken.pdf" in proc.stderr
    import pandas as pd

    reports = pd.read_csv(out / "data" / "reports.csv")
    assert "seed" in set(reports.report_id)


def test_a_fraction_in_an_integer_column_is_an_error_never_truncated(tmp_path, seed_report):
    import copy

    from opendata.publish import writers as publish

    report = copy.deepcopy(seed_report)
    cell = next(c for c in report.cells if c.key == "applications.new_requests.natural_person")
    cell.value = 352.5  # what a reader would never publish; the writer must not truncate it to 352 either
    with pytest.raises(publish.PublishError, match=r"applications\.value.*seed_luzhou_2020.*352\.5"):
        publish.publish([report], tmp_path / "datapackage", ROOT)
    assert not (tmp_path / "datapackage").exists()
