"""The extraction cache: compact entries, last use recorded, pruning (by size, least recently used first, and by
age) that removes entry files only, and the `opendata cache` commands."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import synth_corpus  # noqa: E402

from opendata.cli import app  # noqa: E402
from opendata.scale.cache import ExtractionCache, entries, parse_duration, parse_size, prune  # noqa: E402

KEY = "ab" + "0" * 62


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synth_corpus.generate(out, 20, seed=3, html_share=0.5)
    return out / "reports"


def build(sources: Path, out: Path, cache: Path, **kw):
    from opendata.pipeline import BuildOptions, build_package
    from opendata.scale.engines import Engine

    return build_package([sources], out, None, BuildOptions(Engine("local", 1), cache, chunk=4, **kw), root=ROOT)


def package_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_entry_round_trips_compressed(tmp_path):
    store = ExtractionCache(tmp_path)
    value = {"rows": [("r1", "a", 0)] * 2000}
    store.put(KEY, value)
    assert store.get(KEY) == value
    (entry,) = entries(tmp_path)
    assert entry.path == tmp_path / "ab" / f"{KEY}.zst"
    assert entry.bytes < len(pickle.dumps(value)) / 10  # repetitive rows compress: the cache stays small


def test_a_hit_is_the_entry_s_last_use(tmp_path):
    store = ExtractionCache(tmp_path)
    store.put(KEY, [1, 2, 3])
    path = tmp_path / "ab" / f"{KEY}.zst"
    os.utime(path, (1_000_000, 1_000_000))
    assert store.get(KEY) == [1, 2, 3]
    assert path.stat().st_mtime > 1_000_000 + 10**8


def _aged_cache(sources: Path, tmp_path: Path) -> tuple[Path, list]:
    """A build's cache, each entry given its own last use (one second apart, oldest first in name order)."""
    cache = tmp_path / "cache"
    build(sources, tmp_path / "pkg", cache)
    items = sorted(cache.rglob("*.zst"))
    for n, p in enumerate(items):
        os.utime(p, (1_700_000_000 + n, 1_700_000_000 + n))
    return cache, items


def test_prune_to_a_size_removes_the_least_recently_used_first(sources, tmp_path):
    cache, items = _aged_cache(sources, tmp_path)
    foreign = [cache / "README.txt", cache / "ab" / "notes.txt", cache / "zz" / f"{KEY}.zst"]
    for f in foreign:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("not an entry")
    newest = items[len(items) // 2:]
    cap = sum(p.stat().st_size for p in newest)
    result = prune(cache, max_size=cap)
    assert sorted(cache.rglob("*.zst")) == sorted(newest + [foreign[2]])  # exactly the older half went
    assert (result.removed, result.kept, result.kept_bytes) == (len(items) - len(newest), len(newest), cap)
    assert all(f.read_text() == "not an entry" for f in foreign)  # nothing but entry files is touched


def test_prune_by_age(sources, tmp_path):
    cache, items = _aged_cache(sources, tmp_path)
    result = prune(cache, older_than=5.5, now=1_700_000_000 + len(items) - 1)
    assert sorted(cache.rglob("*.zst")) == items[-6:]  # used within the last 5.5 s of the newest
    assert result.removed == len(items) - 6


def test_a_build_over_the_cap_prunes_and_a_pruned_cache_still_builds_the_same(sources, tmp_path):
    cache = tmp_path / "cache"
    build(sources, tmp_path / "full", cache)
    total = sum(e.bytes for e in entries(cache))
    build(sources, tmp_path / "capped", cache, cache_max_size=total // 3)
    assert 0 < sum(e.bytes for e in entries(cache)) <= total // 3
    assert package_bytes(tmp_path / "capped") == package_bytes(tmp_path / "full")
    build(sources, tmp_path / "again", cache)  # pruned entries are extracted again
    assert package_bytes(tmp_path / "again") == package_bytes(tmp_path / "full")


def test_a_whole_chunk_hit_keeps_its_sources_entries_recent(sources, tmp_path):
    cache, items = _aged_cache(sources, tmp_path)
    build(sources, tmp_path / "again", cache)  # every chunk loaded whole
    assert all(p.stat().st_mtime > 1_700_000_000 + 10**6 for p in items)


def test_cache_commands(sources, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "opendata" / "extraction"
    runner = CliRunner()
    assert "empty" in runner.invoke(app, ["cache", "info"]).output
    build(sources, tmp_path / "pkg", folder)
    count = len(entries(folder))
    info = runner.invoke(app, ["cache", "info"])
    assert info.exit_code == 0 and f"{count} entries" in info.output
    bad = runner.invoke(app, ["cache", "prune", "--max-size", "lots"])
    assert bad.exit_code == 2 and "'lots' is not a size" in bad.output
    kept = runner.invoke(app, ["cache", "prune", "--older-than", "30d"])
    assert kept.exit_code == 0 and f"removed 0 entries (0 B); {count} entries" in kept.output
    cleared = runner.invoke(app, ["cache", "prune", "--all"])
    assert cleared.exit_code == 0 and f"removed {count} entries" in cleared.output and not entries(folder)


def test_sizes_and_durations():
    assert [parse_size(s) for s in ("500M", "2G", "1.5G", "1000", "64KiB")] == [
        500 * 2**20, 2 * 2**30, 3 * 2**29, 1000, 64 * 2**10]
    assert [parse_duration(s) for s in ("30d", "12h", "2w", "90m", "45s")] == [
        30 * 86400, 12 * 3600, 14 * 86400, 5400, 45]
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_the_build_command_prunes_to_opendata_cache_max_size(sources, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "opendata" / "extraction"
    runner = CliRunner()
    monkeypatch.setenv("OPENDATA_CACHE_MAX_SIZE", "lots")
    bad = runner.invoke(app, ["build", str(sources), "-o", str(tmp_path / "pkg"), "-j", "1", "-q"])
    assert bad.exit_code == 2 and "OPENDATA_CACHE_MAX_SIZE" in bad.output and not (tmp_path / "pkg").exists()
    monkeypatch.setenv("OPENDATA_CACHE_MAX_SIZE", "1M")
    done = runner.invoke(app, ["build", str(sources), "-o", str(tmp_path / "pkg"), "-j", "1", "-q"])
    assert done.exit_code == 0 and "published 20 reports" in done.output
    full = sum(e.bytes for e in entries(folder))
    assert 0 < full <= 2**20
    monkeypatch.setenv("OPENDATA_CACHE_MAX_SIZE", str(full // 2))
    assert runner.invoke(app, ["build", str(sources), "-o", str(tmp_path / "pkg"), "-j", "1", "-q"]).exit_code == 0
    assert 0 < sum(e.bytes for e in entries(folder)) <= full // 2  # the least recently used went
