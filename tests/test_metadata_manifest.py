"""Manifests: checked against their files (sha256), partial ones (file + year), compared with the text, and the one
`opendata build DIR` uses is named. Also `opendata extract --meta`."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SOURCES, source
from opendata.extract import manifest as manifest_mod
from opendata.pipeline import Failure, extract_all

runner = CliRunner()
SANMING, PUTIAN = "2024_sanming_1", "2024_putian_sjj_1"


def invoke(*args):
    from opendata.cli import app

    return runner.invoke(app, [str(a) for a in args])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path) -> Path:
    """Two bundled reports in a folder of their own."""
    for report_id in (SANMING, PUTIAN):
        shutil.copy(source(report_id), tmp_path / source(report_id).name)
    return tmp_path


def write_manifest(folder: Path, text: str) -> Path:
    path = folder / "manifest.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_replaced_by_another_report_is_an_error_naming_both_and_the_rest_goes_on(folder):
    # The manifest row was written for the 2024 Sanming report; the file now holds another report.
    shutil.copy(source("2023_putian_cg_1"), folder / f"{SANMING}.txt")
    manifest = write_manifest(folder, f"file,sha256,year\n{SANMING}.txt,{sha256(source(SANMING))},2024\n"
                                      f"{PUTIAN}.txt,{sha256(source(PUTIAN))},2024\n")
    items = list(extract_all([folder], manifest))
    [failure] = [i for i in items if isinstance(i, Failure)]
    assert f"{SANMING}.txt" in failure.message and f"{manifest}:2" in failure.message
    assert sha256(source("2023_putian_cg_1")) in failure.message and sha256(source(SANMING)) in failure.message
    [report] = [i for i in items if not isinstance(i, Failure)]
    assert (report.report_id, report.meta.year) == (PUTIAN, 2024)


def test_a_partial_manifest_file_and_year_overrides_and_is_compared_with_the_text(folder):
    # The manifest says 2023 for a report whose title, period sentence and signature say 2024.
    manifest = write_manifest(folder, f"file,year\n{SANMING}.txt,2023\n")
    reports = {r.report_id: r for r in extract_all([folder], manifest)}
    meta = reports[SANMING].meta
    assert (meta.year, meta.provenance["year"]) == (2023, "manifest")
    [(result, message)] = [(r, m) for f, r, m in meta.findings if f == "year"]
    assert result == "fail" and "gives 2023" in message and "title says 2024" in message
    meta = reports[PUTIAN].meta  # no row: read from its text
    assert (meta.year, meta.region_code, meta.provenance["year"]) == (2024, "350300", "title")


def test_a_manifest_that_agrees_with_the_text_raises_no_flag():
    rows = manifest_mod.load(SOURCES / "manifest.csv")
    items = list(extract_all([source(SANMING)], SOURCES / "manifest.csv"))
    meta = items[0].meta
    assert rows[source(SANMING).resolve()].get("year") == "2024"
    assert [r for f, r, m in meta.findings if f in ("year", "region_code", "scope")] == ["pass", "pass", "pass"]


@pytest.mark.parametrize("text, error", [
    ("name,year\nx.txt,2024\n", "no 'file' column"),
    ("file,year\nx.txt,24\n", "year '24' is not a valid year"),
    ("file,region_code\nx.txt,3503\n", "region_code '3503'"),
])
def test_bad_manifests_are_refused_with_the_line(folder, text, error):
    manifest = write_manifest(folder, text)
    with pytest.raises(manifest_mod.ManifestError, match=error):
        manifest_mod.load(manifest)


def test_build_uses_the_folders_manifest_and_says_so(folder, tmp_path_factory):
    write_manifest(folder, f"file,year\n{SANMING}.txt,2024\n")
    out = tmp_path_factory.mktemp("pkg") / "package"
    result = invoke("build", folder, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"manifest: {folder / 'manifest.csv'}" in result.output


def test_build_of_a_folder_without_manifest_says_none_was_used_and_names_the_one_above(tmp_path):
    out = tmp_path / "package"
    reports = tmp_path / "sources" / "reports"
    reports.mkdir(parents=True)
    shutil.copy(source(PUTIAN), reports)
    write_manifest(tmp_path / "sources", f"file,year\nreports/{source(PUTIAN).name},2024\n")
    result = invoke("build", reports, "--out", out)
    assert result.exit_code == 0, result.output
    assert "manifest: none; metadata read from the reports" in result.output
    assert str(tmp_path / "sources" / "manifest.csv") in result.output


def test_extract_meta_shows_each_field_with_its_signal():
    result = invoke("extract", source("2024_shanghai_kewei_1"), "--meta", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = {row[0]: row for row in csv.reader(result.output.splitlines()) if len(row) == 4}
    assert rows["year"][:3] == ["year", "2024", "title"] and rows["year"][3].startswith("pass: title 2024, period 2024")
    assert rows["region_code"][:3] == ["region_code", "310000", "title"] and rows["region_code"][3].startswith("pass")
    assert rows["scope"][:3] == ["scope", "agency", "title"]
    assert rows["agency"][:3] == ["agency", "上海市科学技术委员会", "title"]
    assert rows["level"] == ["level", "department", "title", ""]


def test_a_manifest_row_for_a_missing_file_is_reported(folder):
    manifest = write_manifest(folder, f"file,year\n{SANMING}.txt,2024\ngone.txt,2023\n")
    items = list(extract_all([folder], manifest))
    [failure] = [i for i in items if isinstance(i, Failure)]
    assert failure.message == f"{manifest}:3: gone.txt does not exist"
    assert sorted(i.report_id for i in items if not isinstance(i, Failure)) == [PUTIAN, SANMING]
