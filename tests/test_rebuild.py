"""Incremental rebuilds of a large (partitioned) package: after sources change, are added, removed or stop being
readable, the package updated in place is byte for byte the package a full build writes from scratch (no cache),
with the same summary; a package changed since its last build, sources in another order or new settings make a
full build; a rewritten part that is wrong is refused and the old package stays.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import synth_corpus  # noqa: E402


def build(sources: Path, out: Path, cache: Path | None, partition: int = 5):
    from opendata.pipeline import BuildOptions, build_package
    from opendata.scale.engines import Engine

    return build_package([sources], out, None, BuildOptions(Engine("local", 1), cache, partition_reports=partition),
                         root=sources.parent)


def files(package: Path) -> dict[str, bytes]:
    return {p.relative_to(package).as_posix(): p.read_bytes() for p in sorted(package.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path) -> Path:
    synth_corpus.generate(tmp_path / "synth", 24, seed=11, html_share=0.5)
    shutil.copytree(tmp_path / "synth" / "reports", tmp_path / "src")
    return tmp_path / "src"


def rebuilt_equals_full(sources: Path, tmp_path: Path, name: str) -> str | None:
    """Rebuild the package in place, build the same sources afresh without a cache, and compare both the files and
    the summaries; returns how the package was rebuilt."""
    summary = build(sources, tmp_path / "pkg", tmp_path / "cache")
    full = build(sources, tmp_path / name, None)
    assert files(tmp_path / "pkg") == files(tmp_path / name)
    assert (summary.reports, summary.failed_checks, summary.reading_errors) == \
           (full.reports, full.failed_checks, full.reading_errors)
    return summary.update


def mutate_value(path: Path) -> None:
    """Change one printed count of table 三 (a cell value and the identities over it change)."""
    text = path.read_text(encoding="utf-8")
    i = text.index("本年新收政府信息公开申请数量")
    j = i + text[i:].index("\n", text[i:].index("\n") + 1)  # the line after the label: its first value
    line_end = text.index("\n", j + 1)
    value = text[j + 1:line_end]
    assert value.strip().isdigit() or "<td" in value, value
    digits = "".join(ch for ch in value if ch.isdigit()) or "0"
    path.write_text(text[:j + 1] + value.replace(digits, str(int(digits) + 7), 1) + text[line_end:], encoding="utf-8")


def test_each_kind_of_change_rebuilds_in_place_to_the_full_build(corpus, tmp_path):
    first = build(corpus, tmp_path / "pkg", tmp_path / "cache")
    assert first.update is None and first.reports == 24
    assert rebuilt_equals_full(corpus, tmp_path, "same") == "unchanged since its last build"

    texts = sorted(corpus.glob("*.txt"))
    mutate_value(texts[0])  # one value
    assert rebuilt_equals_full(corpus, tmp_path, "value").startswith("updated in place: 1 source(s) changed or "
                                                                     "added, 0 removed")

    year = texts[1].read_text(encoding="utf-8")
    moved = next(y for y in ("2019", "2020", "2021", "2022", "2023", "2024") if y in year.splitlines()[0])
    texts[1].write_text(year.replace(moved, str(int(moved) - 1) if moved != "2019" else "2020"), encoding="utf-8")
    assert "1 source(s) changed" in rebuilt_equals_full(corpus, tmp_path, "year")  # its rows move to another part

    texts[2].unlink()  # a source removed
    assert "0 source(s) changed or added, 1 removed" in rebuilt_equals_full(corpus, tmp_path, "removed")

    shutil.copy(texts[0], corpus / "synth_added.txt")  # a new source (a copy of another, under its own id)
    assert "1 source(s) changed or added, 0 removed" in rebuilt_equals_full(corpus, tmp_path, "added")

    texts[3].write_text("标题: 无表格\n正文:\n本年度没有统计表。\n", encoding="utf-8")  # unreadable now
    update = rebuilt_equals_full(corpus, tmp_path, "broken")
    assert "1 source(s) changed" in update
    assert any(texts[3].name in e for e in build(corpus, tmp_path / "pkg", tmp_path / "cache").reading_errors)


def test_the_bundled_sources_rebuild_in_place_after_an_edit(tmp_path):
    """The real reports, partitioned: one report edited (a value of table 二 doubled in the text)."""
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources" / "reports", sources)
    build(sources, tmp_path / "pkg", tmp_path / "cache")
    path = sources / "2023_putian_slj_1.txt"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.strip().isdigit() and int(line) > 0)
    lines[n] = str(int(lines[n]) * 2) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    assert "1 source(s) changed" in rebuilt_equals_full(sources, tmp_path, "full")


def test_a_package_changed_since_its_build_is_built_in_full(corpus, tmp_path):
    build(corpus, tmp_path / "pkg", tmp_path / "cache")
    meta = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    part = tmp_path / "pkg" / next(r for r in meta["resources"] if r["name"] == "checks")["path"][0]
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 10**9))  # touched since
    mutate_value(sorted(corpus.glob("*.txt"))[0])
    summary = build(corpus, tmp_path / "pkg", tmp_path / "cache")
    assert summary.update is None  # written whole
    assert files(tmp_path / "pkg") == files(build_fresh(corpus, tmp_path))


def build_fresh(corpus: Path, tmp_path: Path) -> Path:
    build(corpus, tmp_path / "fresh", None)
    return tmp_path / "fresh"


def test_other_settings_or_source_order_make_a_full_build(corpus, tmp_path):
    from opendata.pipeline import BuildOptions, build_package
    from opendata.scale.engines import Engine

    build(corpus, tmp_path / "pkg", tmp_path / "cache")
    options = BuildOptions(Engine("local", 1), tmp_path / "cache", partition_reports=5, created="2026-01-01T00:00:00Z")
    assert build_package([corpus], tmp_path / "pkg", None, options, root=corpus.parent).update is None
    html, text = sorted(corpus.glob("*.html")), sorted(corpus.glob("*.txt"))
    options = BuildOptions(Engine("local", 1), tmp_path / "cache", partition_reports=5)
    build_package(html + text, tmp_path / "pkg", None, options, root=corpus.parent)
    swapped = build_package(text + html, tmp_path / "pkg", None, options, root=corpus.parent)
    assert swapped.update is None  # the same sources in another order: every part's rows in another order


def test_a_wrong_rewritten_part_is_refused_and_the_old_package_stays(corpus, tmp_path, monkeypatch):
    """The rewritten parts are validated before the swap: a merge that kept the changed report's old rows beside
    its new ones repeats their primary keys, the build fails, and the previous package is left as it was."""
    from opendata.publish import parts_update
    from opendata.publish.validate import InvalidPackage

    build(corpus, tmp_path / "pkg", tmp_path / "cache")
    before = files(tmp_path / "pkg")
    mutate_value(sorted(corpus.glob("*.txt"))[0])
    merged = parts_update.merged
    monkeypatch.setattr(parts_update, "merged", lambda old, dropped, *rest: merged(old, set(), *rest))
    with pytest.raises(InvalidPackage, match="primary-key"):
        build(corpus, tmp_path / "pkg", tmp_path / "cache")
    assert files(tmp_path / "pkg") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "pkg", "src", "synth"]


def test_a_misfiled_part_is_a_partition_error_in_a_full_validation(tmp_path):
    """A part moved to another year's folder (descriptor updated to match, hashes intact): the rows no longer
    match their reports' year, in the CSV and in the Parquet data."""
    from opendata.publish.validate_sql import MISFILED, check_package

    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources" / "reports", sources)
    build(sources, tmp_path / "pkg", None)
    pkg = tmp_path / "pkg"
    text = (pkg / "datapackage.json").read_text(encoding="utf-8")
    for old in ("data/applications/year=2019/province=35", "data/csv/applications/year=2019/province=35"):
        new = old.replace("2019", "2018")
        (pkg / new).parent.mkdir(parents=True, exist_ok=True)
        os.rename(pkg / old, pkg / new)
        text = text.replace(old, new)
    (pkg / "datapackage.json").write_text(text, encoding="utf-8")
    found = [f for f in check_package(pkg / "datapackage.json").findings]
    assert {(f.resource, f.type) for f in found} == {("applications", MISFILED), ("applications-parquet", MISFILED)}
    assert all("year=2018/province=35" in f.note and "year=2019/province=35" in f.note for f in found)


def test_a_file_changed_just_after_its_build_is_read_again_whatever_its_stat(corpus, tmp_path):
    """Unchanged sources are told by their fingerprint (size, modification time, inode), as git's index does;
    a file rewritten within the timestamp granularity of its fingerprint (same size, same time) is hashed again
    rather than trusted ("racily clean")."""
    path = sorted(corpus.glob("*.txt"))[0]
    build(corpus, tmp_path / "pkg", tmp_path / "cache")
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    digit = next(i for i, ch in enumerate(text) if ch.isdigit() and ch != "9" and i > text.index("本年新收"))
    path.write_text(text[:digit] + str(int(text[digit]) + 1) + text[digit + 1:], encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same modification time
    assert path.stat().st_size == st.st_size
    assert "1 source(s) changed" in rebuilt_equals_full(corpus, tmp_path, "full")


CHANGES = ("value", "year", "remove", "add", "break")


def apply(change: str, n: int, sources: Path) -> None:
    """One change to the n-th source (in path order, modulo how many there are)."""
    texts = sorted(sources.glob("*.txt"))
    path = texts[n % len(texts)]
    if change == "value" and "本年新收政府信息公开申请数量" in path.read_text(encoding="utf-8"):
        mutate_value(path)
    elif change == "year":
        text = path.read_text(encoding="utf-8")
        year = next((y for y in ("2019", "2020", "2021", "2022", "2023", "2024", "2025") if y in text), None)
        if year:
            path.write_text(text.replace(year, "2024" if year != "2024" else "2023"), encoding="utf-8")
    elif change == "remove" and len(texts) > 2:
        path.unlink()
    elif change == "add":
        shutil.copy(path, sources / f"added_{n}_{len(texts)}.txt")
    elif change == "break":
        path.write_text("标题: 无表格\n正文:\n本年度没有统计表。\n", encoding="utf-8")


@pytest.mark.slow
def test_random_runs_of_changes_rebuild_in_place_to_the_full_build(tmp_path_factory):
    """Hypothesis draws runs of changes (values, years, removed, added, broken sources), each followed by a rebuild
    in place: every package it leaves equals the full --no-cache build of the same sources, byte for byte."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = tmp_path_factory.mktemp("base")
    synth_corpus.generate(base, 16, seed=5, html_share=0.25)
    runs = st.lists(st.lists(st.tuples(st.sampled_from(CHANGES), st.integers(0, 40)), min_size=1, max_size=3),
                    min_size=1, max_size=3)
    updates: list[str | None] = []

    @settings(max_examples=int(os.environ.get("OPENDATA_REBUILD_EXAMPLES", "4")), deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(runs)
    def check(rounds):
        work = tmp_path_factory.mktemp("run")
        sources = work / "src"
        shutil.copytree(base / "reports", sources)
        build(sources, work / "pkg", work / "cache")
        for n, changes in enumerate(rounds):
            for change, i in changes:
                apply(change, i, sources)
            updates.append(rebuilt_equals_full(sources, work, f"full{n}"))

    check()
    assert sum(1 for u in updates if u and u.startswith("updated in place")) >= len(updates) / 2  # mostly in place
