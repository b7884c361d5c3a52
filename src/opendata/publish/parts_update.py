"""A partitioned package updated in place of a full rewrite: the parts a change touches are rewritten from the
previous package's rows (less the changed reports') and the changed sources' new rows, in source order; every
other part is the previous package's file, linked (not copied) into the new package's staging folder.

A part written so holds exactly the bytes a full build writes (parts_writer.py: a part's bytes depend only on its
rows and their order), which tests/test_rebuild.py checks against full builds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from opendata.publish.parts_writer import WHOLE, is_partitioned, part_key, part_paths, write_part
from opendata.publish.rows import resource_names


def recorded_parts(meta: dict) -> dict[str, dict[str, dict]]:
    """A descriptor's files: resource (its CSV name) and format -> {path: {hash, bytes, rows}}, keyed
    `name` for the CSV files and `name-parquet` for the Parquet files."""
    out: dict[str, dict[str, dict]] = {}
    for r in meta["resources"]:
        if "x-parts" in r:
            out[r["name"]] = {p["path"]: {"hash": p["x-hash"], "bytes": p["x-bytes"], "rows": p["x-rows"]}
                              for p in r["x-parts"]}
        else:
            out[r["name"]] = {r["path"]: {"hash": r.get("hash", r.get("x-hash")),
                                          "bytes": r.get("bytes", r.get("x-bytes")), "rows": r["x-rows"]}}
    return out


def link(old_root: Path, new_root: Path, rel: str) -> None:
    """The previous package's file in the new package: a hard link (the old folder is removed after the swap, so
    the file is then the new package's alone), or a copy where the file system has no links."""
    target = new_root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old_root / rel, target)
    except OSError:
        shutil.copyfile(old_root / rel, target)


def merged(old_file: Path | None, dropped: Iterable[str], fresh: list[tuple[int, object]], position: dict[str, int],
           arrow):
    """A part's rows: the previous part's (those of reports in `dropped` left out) and the `fresh` tables (each
    with its source's position), ordered by source position and, within a source, as they were."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tables, order = [], []
    if old_file is not None:
        old = pq.read_table(old_file, partitioning=None, schema=arrow)
        old = old.filter(pc.invert(pc.is_in(old["report_id"], pa.array(sorted(dropped), pa.string()))))
        ids = sorted(set(old["report_id"].to_pylist()))
        where = pc.index_in(old["report_id"], pa.array(ids, pa.string()))
        tables.append(old)
        order.append(pc.take(pa.array([position[i] for i in ids], pa.int64()), where))
    for pos, table in fresh:
        tables.append(table)
        order.append(pa.array([pos] * table.num_rows, pa.int64()))
    rows = pa.concat_tables([t.cast(arrow) for t in tables]) if tables else arrow.empty_table()
    if not rows.num_rows:
        return rows
    keys = pa.table({"pos": pa.concat_arrays([a.combine_chunks() if hasattr(a, "combine_chunks") else a
                                              for a in order]), "n": pa.array(range(rows.num_rows), pa.int64())})
    return rows.take(pc.sort_indices(keys, [("pos", "ascending"), ("n", "ascending")]))


def write(folder: Path, name: str, key: str, rows, arrow) -> tuple[tuple[str, dict], tuple[str, dict]] | None:
    """Write a part from its rows (None when it has none: the part is gone)."""
    if not rows.num_rows and key != WHOLE:
        return None
    return write_part(folder, name, key, [rows], arrow)


def partitioned_resources() -> list[str]:
    return [name for name in resource_names() if is_partitioned(name)]


__all__ = ["WHOLE", "link", "merged", "part_key", "part_paths", "partitioned_resources", "recorded_parts", "write"]
