"""`opendata diff`: a build and the same build with one report's source changed differ in exactly that report's
changed cells; reports added and removed are listed once each; release zips compare like folders."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SOURCES, gold

REPORTS = ("seed_luzhou_2020", "2022_sanming_1", "2024_sanming_1")
SEED_T2 = "規範性檔案\n12\n12\n110\n"  # table 二, normative documents: made, published, total published


def sources_subset(folder: Path, report_ids=REPORTS) -> Path:
    """A sources/ folder with some bundled reports and their manifest rows."""
    (folder / "reports").mkdir(parents=True)
    with open(SOURCES / "manifest.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if Path(r["file"]).stem in report_ids]
        fields = reader.fieldnames
    for row in rows:
        shutil.copy(SOURCES / row["file"], folder / row["file"])
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def edit_seed(folder: Path, total: str) -> None:
    """Change the printed total of normative documents in the seed report (110 in the source)."""
    path = folder / "reports" / "seed_luzhou_2020.txt"
    text = path.read_bytes().decode("utf-8")
    assert text.count(SEED_T2) == 1
    path.write_bytes(text.replace(SEED_T2, SEED_T2.replace("110", total)).encode("utf-8"))
    restamp(folder, path)


def restamp(folder: Path, path: Path) -> None:
    """Give the edited file's manifest row its new sha256 (a row whose sha256 is not its file's is refused)."""
    import hashlib

    with open(folder / "manifest.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows, fields = list(reader), reader.fieldnames
    for row in rows:
        if (folder / row["file"]).resolve() == path.resolve():
            row["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build(folder: Path, out: Path) -> Path:
    from opendata.pipeline import build_package

    batch = build_package([folder], out)
    assert not batch.reading_errors and batch.reports == len(list((folder / "reports").iterdir()))
    return out


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("diff")
    old = build(sources_subset(base / "old-sources"), base / "old")
    changed = sources_subset(base / "new-sources")
    edit_seed(changed, "111")
    return old, build(changed, base / "new")


def invoke(*args):
    from opendata.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_one_changed_source_gives_exactly_its_changed_cell(two_builds):
    old, new = two_builds
    r = invoke("diff", old, new, "-f", "json")
    assert r.exit_code == 0, r.output
    assert gold("seed_luzhou_2020")["proactive_disclosure"]["normative_docs"]["published_total_count"] == 110
    assert json.loads(r.stdout) == [{
        "change": "cell changed", "report_id": "seed_luzhou_2020", "table": "proactive_disclosure",
        "row": "normative_docs", "column": "published_total_count", "old_value": 110, "new_value": 111,
        "old_status": "reported", "new_status": "reported"}]
    assert "0 reports added, 0 removed, 1 cells changed" in r.stderr


def test_the_same_build_has_no_changes_and_a_status_change_is_listed(two_builds, tmp_path):
    old, _ = two_builds
    r = invoke("diff", old, old, "-f", "csv")
    assert r.exit_code == 0 and r.stdout.strip().split("\n") == [
        "change,report_id,table,row,column,old_value,new_value,old_status,new_status"]
    blanked = sources_subset(tmp_path / "src")
    edit_seed(blanked, "/")  # a not-applicable mark instead of the number: value gone, status marker
    r = invoke("diff", old, build(blanked, tmp_path / "pkg"), "-f", "jsonl")
    (change,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert (change["old_value"], change["new_value"], change["old_status"], change["new_status"]) == \
        (110, None, "reported", "marker")


def test_reports_added_and_removed_are_listed_once(two_builds, tmp_path):
    old, _ = two_builds
    other = build(sources_subset(tmp_path / "src", ("seed_luzhou_2020", "2022_sanming_1", "2019_sanming_1")),
                  tmp_path / "pkg")
    r = invoke("diff", old, other, "-f", "json")
    rows = json.loads(r.stdout)
    assert [(d["change"], d["report_id"]) for d in rows] == [
        ("report added", "2019_sanming_1"), ("report removed", "2024_sanming_1")]


def test_release_zips_compare_like_folders_and_bad_input_is_one_line(two_builds, tmp_path):
    from opendata.publish.release import package_files, zip_bytes

    old, new = two_builds
    zipped = tmp_path / "old.zip"
    zipped.write_bytes(zip_bytes(package_files(old), "pkg-0.1.0", date(2026, 1, 1)))
    r = invoke("diff", zipped, new, "-f", "csv", "-o", tmp_path / "changes.csv")
    assert r.exit_code == 0 and r.stdout == ""
    lines = (tmp_path / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["cell changed,seed_luzhou_2020,proactive_disclosure,normative_docs,published_total_count,"
                         "110,111,reported,reported"]
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    r = invoke("diff", tmp_path / "bad.zip", new)
    assert r.exit_code == 1 and "bad.zip" in r.stderr and len(r.stderr.strip().splitlines()) == 1
