"""Incremental rebuilds of a large (partitioned) package: after a few sources changed, only their parts are
rewritten and checked, and the package is swapped in as a full build would (staged, validated, atomic).

The previous build's index (scale/build_index.py) says which source published which reports into which part. A
source is unchanged when its extraction cache key (its bytes, path, manifest row, twin and the code version) is
the one indexed. The changed sources are extracted; the parts their old or new reports are in are rewritten from
the previous part's rows (less the changed reports') and the new rows, in source order
(publish/parts_update.py); every other part, the codebook among them, is the previous package's file; the reports
resource is rewritten whole. The result is byte for byte the package a full build writes (tests/test_rebuild.py).

Before the swap the new package is validated on what was rewritten: every Table Schema check, the identities
and CSV = Parquet over the rewritten parts and the whole reports resource, which is what every cross-part
constraint needs: a primary key holds across parts because each part's rows are its own reports' (partition-error)
and the reports' ids are unique; a kept part's reports are unchanged sources' reports, which are in the new
reports resource. Kept files are those the previous build validated, unchanged since (the index holds their size
and modification time; a changed one makes the build a full one).

A full build is made instead when there is no usable index (first build, no cache, other settings or code, a
package changed since), when the sources are given in another order, or when many changed (MAX_CHANGED_SHARE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opendata.publish.columns import Columns
from opendata.scale.build_index import Index, Record

MAX_CHANGED_SHARE = 0.2  # past this share of sources changed or removed, a full build is the cheaper one


class Stale(Exception):
    """The package changed after its index was read: a full build is made instead."""


@dataclass
class Delta:
    """What changed since the indexed build, sources by their position in this build."""

    records: list[Record | None]  # per source: its indexed record when unchanged, None when changed
    changed: list[int]  # positions of the changed (or new) sources
    gone: list[Record]  # the indexed records of changed and removed sources
    removed: int = 0  # sources indexed that are not in this build

    @property
    def empty(self) -> bool:
        return not self.changed and not self.gone


RACY_NS = 2_000_000_000  # a file modified this close to its fingerprint may change again within one timestamp


def keys(index: Index, jobs: list, fingerprint: Callable, source_key: Callable) -> list[str | None]:
    """Each source's extraction cache key: the indexed one when its fingerprint is unchanged (size, modification
    time, inode and manifest row, as git's index tells a file unchanged), else computed (the file hashed). A file
    modified within RACY_NS of its last fingerprint is hashed again, as git does for "racily clean" entries."""
    old = {r.source: r for r in index.records}
    out = []
    for job in jobs:
        r, now = old.get(str(job.path)), fingerprint(job)
        same = (r is not None and r.stat is not None and now is not None and r.stat[:3] == now[:3]
                and r.stat[4] == now[4] and r.stat[1] < r.stat[3] - RACY_NS)
        out.append(r.key if same else source_key(job))
    return out


def delta(index: Index, sources: list[str], keys: list[str | None]) -> Delta | None:
    """The change from the indexed build to this one, or None when a full build should be made."""
    old = {r.source: r for r in index.records}
    records: list[Record | None] = []
    for source, key in zip(sources, keys):
        r = old.get(source)
        records.append(r if r is not None and key is not None and r.key == key else None)
    kept = {r.source for r in records if r is not None}
    if [r.source for r in index.records if r.source in kept] != [r.source for r in records if r is not None]:
        return None  # the sources come in another order: every part's row order may differ
    gone = [r for r in index.records if r.source not in kept]
    changed = [i for i, r in enumerate(records) if r is None]
    if len(changed) + len(gone) > MAX_CHANGED_SHARE * max(len(sources), 1) + 1:
        return None
    return Delta(records, changed, gone, len({r.source for r in gone} - set(sources)))


def parts_touched(d: Delta, fresh: dict[int, list[Record]]) -> set[str]:
    """The parts (year=/province=) holding a report of a changed or removed source, before or after."""
    touched = {item["part"] for r in d.gone for item in r.reports}
    return touched | {item["part"] for records in fresh.values() for r in records for item in r.reports}


def new_records(d: Delta, fresh: dict[int, list[Record]]) -> list[Record]:
    """This build's records, in source order."""
    out: list[Record] = []
    for i, r in enumerate(d.records):
        out += [r] if r is not None else fresh[i]
    return out


def positions(records: list[Record], sources: list[str]) -> dict[str, int]:
    """Report id -> the position of its source in this build."""
    at = {s: i for i, s in enumerate(sources)}
    return {item["id"]: at[r.source] for r in records for item in r.reports}


def write_update(folder: Path, old: Path, d: Delta, columns: dict[int, Columns], fresh: dict[int, list[Record]],
                 records: list[Record], sources: list[str], created: str | None) -> set[str]:
    """Write the updated package into `folder` (a staging folder) from the previous one at `old` and the changed
    sources' rows (`columns`) and records (`fresh`); returns the data files rewritten (the others are the previous
    package's)."""
    import json

    from opendata.publish.descriptor import source_entry
    from opendata.publish.package_writer import write_descriptor
    from opendata.publish.parts_update import recorded_parts
    from opendata.publish.rows import resource_names

    meta = json.loads((old / "datapackage.json").read_text(encoding="utf-8"))
    recorded = recorded_parts(meta)
    touched = parts_touched(d, fresh)
    update = _Update(folder, old, recorded, {item["id"] for r in d.gone for item in r.reports},
                     positions(records, sources), columns)
    csv_parts, parquet_parts = {}, {}
    for name in resource_names():
        csv_parts[name], parquet_parts[name] = update.resource(name, touched)
    for rel in {m["schema"] for m in meta["resources"]}:
        update.link(rel)
    published = [item for r in records for item in r.reports]
    entries = [source_entry(item["title"], item["url"]) for item in published]
    write_descriptor(folder, entries, len(published), csv_parts, parquet_parts, created)
    return update.rewritten


class _Update:
    """Each resource's files in the updated package: rewritten parts, and the previous package's others."""

    def __init__(self, folder: Path, old: Path, recorded: dict, dropped: set[str], position: dict[str, int],
                 columns: dict[int, Columns]):
        from opendata.publish.parquet_writer import arrow_schema
        from opendata.spec.schemas import table_schema

        self.folder, self.old, self.recorded, self.dropped = folder, old, recorded, dropped
        self.position, self.columns, self.rewritten = position, columns, set()
        self.arrow = lambda name: arrow_schema(table_schema(name))

    def link(self, rel: str) -> None:
        from opendata.publish.parts_update import link

        link(self.old, self.folder, rel)

    def resource(self, name: str, touched: set[str]) -> tuple[dict, dict]:
        from opendata.publish.parts_update import WHOLE, part_key, partitioned_resources

        csv_files, parquet_files = self.recorded[name], self.recorded[f"{name}-parquet"]
        if name == "codebook":  # depends on the code alone, which is the indexed build's
            for rel in [*csv_files, *parquet_files]:
                self.link(rel)
            return dict(csv_files), dict(parquet_files)
        if name not in partitioned_resources():
            return self._rewrite(name, WHOLE, {}, {})
        kept = {part_key(p) for p in parquet_files} - {WHOLE} - touched
        out_csv, out_parquet = {}, {}
        for key in sorted(kept | touched):
            if key in kept:
                self._keep(name, key, out_csv, out_parquet)
            else:
                self._rewrite(name, key, out_csv, out_parquet)
        if not out_parquet:  # a resource without rows is one empty file
            self._rewrite(name, WHOLE, out_csv, out_parquet)
        return out_csv, out_parquet

    def _keep(self, name: str, key: str, out_csv: dict, out_parquet: dict) -> None:
        from opendata.publish.parts_update import part_paths

        csv_path, parquet_path = part_paths(name, key)
        for rel in (csv_path, parquet_path):
            self.link(rel)
        out_csv[csv_path] = self.recorded[name][csv_path]
        out_parquet[parquet_path] = self.recorded[f"{name}-parquet"][parquet_path]

    def _rewrite(self, name: str, key: str, out_csv: dict, out_parquet: dict) -> tuple[dict, dict]:
        from opendata.publish.parts_update import merged, part_paths, write

        old_file = part_paths(name, key)[1]
        old_file = self.old / old_file if old_file in self.recorded[f"{name}-parquet"] else None
        fresh = [(i, _rows_in(c, name, key)) for i, c in sorted(self.columns.items())]
        rows = merged(old_file, self.dropped, [(i, t) for i, t in fresh if t.num_rows], self.position,
                      self.arrow(name))
        written = write(self.folder, name, key, rows, self.arrow(name))
        if written:
            (csv_path, csv_info), (parquet_path, parquet_info) = written
            out_csv[csv_path], out_parquet[parquet_path] = csv_info, parquet_info
            self.rewritten |= {csv_path, parquet_path}
        return out_csv, out_parquet


def _rows_in(columns: Columns, name: str, key: str):
    """A source's rows of a resource in one part (all of them for a resource kept whole)."""
    import pyarrow as pa

    from opendata.publish.parts_update import WHOLE

    table = columns.tables[name]
    if key == WHOLE:
        return table
    slices = [table.slice(start, length) for k, start, length in columns.runs(name) if k == key]
    return pa.concat_tables(slices) if slices else table.slice(0, 0)

