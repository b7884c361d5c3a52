"""`opendata release`: one version in schemas/package.yaml that pyproject, CITATION.cff and the descriptor follow;
two releases from the same sources are byte-identical; the zip holds a package frictionless accepts, a README
with the data dictionary, CITATION.cff, licences, CHANGELOG and correct SHA256SUMS; the CHANGELOG entry lists the
data changes since the previous release."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from test_diff import build, edit_seed, sources_subset

PACKAGE = yaml.safe_load((ROOT / "schemas" / "package.yaml").read_text(encoding="utf-8"))
CFF = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
STEM = f"{PACKAGE['name']}-{PACKAGE['version']}"


def invoke(*args):
    from opendata.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_one_version_everywhere(built_package):
    assert importlib.metadata.version("opendata") == PACKAGE["version"]  # pyproject reads package.yaml (hatch)
    assert (str(CFF["version"]), CFF["date-released"]) == (PACKAGE["version"], PACKAGE["released"])
    descriptor = json.loads((built_package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == PACKAGE["version"]
    assert "example.invalid" not in descriptor.get("homepage", "")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{PACKAGE['version']}] - {PACKAGE['released'].isoformat()}" in changelog
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout == f"opendata {PACKAGE['version']}\n"


def test_citation_is_valid_cff():
    import jsonschema

    schema = json.loads((ROOT / "tests" / "fixtures" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    as_strings = json.loads(json.dumps(CFF, default=str))  # the schema wants dates as strings (its own note)
    jsonschema.validate(as_strings, schema, format_checker=jsonschema.FormatChecker())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in as_strings.items() if k != "authors"}, schema)
    if shutil.which("cffconvert"):
        subprocess.run(["cffconvert", "--validate", "-i", str(ROOT / "CITATION.cff")], check=True)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The same sources released twice into two dist folders, each with its own copy of CHANGELOG.md."""
    base = tmp_path_factory.mktemp("release")
    sources = sources_subset(base / "sources")
    out = []
    for n in (1, 2):
        changelog = base / f"CHANGELOG-{n}.md"
        shutil.copy(ROOT / "CHANGELOG.md", changelog)
        r = invoke("release", "--sources", sources, "--dist", base / f"dist{n}", "--changelog", changelog)
        assert r.exit_code == 0, r.output
        out.append(base / f"dist{n}" / f"{STEM}.zip")
    return out


def test_two_releases_from_the_same_sources_are_byte_identical(releases):
    first, second = releases
    assert first.read_bytes() == second.read_bytes()
    r = invoke("release", "--sources", first.parent.parent / "sources", "--dist", first.parent,
               "--changelog", first.parent.parent / "CHANGELOG-1.md")
    assert r.exit_code == 0 and "unchanged" in r.stderr


def test_the_zip_holds_the_package_readme_citation_licences_and_checksums(releases, tmp_path):
    with zipfile.ZipFile(releases[0]) as zf:
        names = zf.namelist()
        assert names == sorted(names) and all(n.startswith(f"{STEM}/") for n in names)
        assert all(i.date_time == (*PACKAGE["released"].timetuple()[:3], 0, 0, 0) for i in zf.infolist())
        zf.extractall(tmp_path)
    folder = tmp_path / STEM
    assert {"README.md", "CITATION.cff", "LICENSE", "LICENSE-DATA.md", "CHANGELOG.md", "SHA256SUMS",
            "datapackage.json", "data/applications.parquet", "schemas/reports.schema.json"} <= {
        n.removeprefix(f"{STEM}/") for n in names}
    sums = dict(line.split("  ")[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {n.removeprefix(f"{STEM}/") for n in names} - {"SHA256SUMS"}
    assert all(hashlib.sha256((folder / n).read_bytes()).hexdigest() == h for n, h in sums.items())
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "## Data dictionary" in readme and "`report_id`" in readme and "CC-BY-4.0" in readme
    assert (folder / "CITATION.cff").read_bytes() == (ROOT / "CITATION.cff").read_bytes()
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == str(CFF["version"]) and len(descriptor["sources"]) == 3
    frictionless = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(frictionless), "validate", str(folder / "datapackage.json")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_the_changelog_entry_lists_the_changes_since_the_previous_release(tmp_path):
    from opendata.publish.release import package_files, zip_bytes

    dist = tmp_path / "dist"
    dist.mkdir()
    earlier = build(sources_subset(tmp_path / "old-sources"), tmp_path / "old")
    (dist / f"{PACKAGE['name']}-0.0.9.zip").write_bytes(
        zip_bytes(package_files(earlier), f"{PACKAGE['name']}-0.0.9", PACKAGE["released"]))
    sources = sources_subset(tmp_path / "sources")
    edit_seed(sources, "111")
    changelog = tmp_path / "CHANGELOG.md"
    shutil.copy(ROOT / "CHANGELOG.md", changelog)
    r = invoke("release", "--sources", sources, "--dist", dist, "--changelog", changelog)
    assert r.exit_code == 0, r.output
    text = changelog.read_text(encoding="utf-8")
    entry = text[text.index(f"<!-- changes:{PACKAGE['version']}:start -->"):]
    # (the stand-in earlier zip holds a package built by this code, so its descriptor says this version)
    assert f"since `{PACKAGE['name']}-0.0.9.zip` (version {PACKAGE['version']}): 0 reports added, 0 removed, 1 cells changed in 1 reports" in entry
    assert "| cell changed | `seed_luzhou_2020` | proactive_disclosure.normative_docs.published_total_count | 110 | 111 |" in entry
    with zipfile.ZipFile(dist / f"{STEM}.zip") as zf:
        assert zf.read(f"{STEM}/CHANGELOG.md").decode("utf-8") == text


def test_a_released_version_is_not_overwritten_with_other_bytes(releases, tmp_path):
    sources = sources_subset(tmp_path / "sources")
    edit_seed(sources, "111")
    dist = tmp_path / "dist"
    shutil.copytree(releases[0].parent, dist)
    before = (dist / f"{STEM}.zip").read_bytes()
    r = invoke("release", "--sources", sources, "--dist", dist, "--changelog", tmp_path / "CHANGELOG.md")
    assert r.exit_code == 1 and "already released" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (dist / f"{STEM}.zip").read_bytes() == before and not (tmp_path / "CHANGELOG.md").exists()


def test_since_names_the_package_to_compare_with(tmp_path):
    earlier = build(sources_subset(tmp_path / "old-sources", ("seed_luzhou_2020",)), tmp_path / "old")
    changelog = tmp_path / "CHANGELOG.md"
    r = invoke("release", "--sources", sources_subset(tmp_path / "sources"), "--dist", tmp_path / "dist",
               "--changelog", changelog, "--since", earlier)
    assert r.exit_code == 0, r.output
    text = changelog.read_text(encoding="utf-8")
    assert f"since `old` (version {PACKAGE['version']}): 2 reports added, 0 removed, 0 cells changed in 0 reports" in text
    assert "- added: `2022_sanming_1`, `2024_sanming_1`" in text


def test_a_new_version_takes_over_the_unreleased_notes():
    """Keep a Changelog: the notes under [Unreleased] become the new version's entry, its data changes on top."""
    from datetime import date

    from opendata.publish.release import Version, changelog_with_changes

    before = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n- a note\n\n## [0.1.0] - 2026-01-01\n\nold\n"
    after = changelog_with_changes(before, Version("opendata-example", "0.9.0", date(2026, 12, 31)), "Data changes: none.")
    assert "[Unreleased]" not in after
    entry = after[after.index("## [0.9.0] - 2026-12-31"):after.index("## [0.1.0]")]
    assert entry.index("Data changes: none.") < entry.index("- a note")
    assert after.count("## [") == 2
