"""Publishing: the data package (datapackage.json, a CSV and Parquet data per resource), written aside and swapped.

An interrupted build leaves the previous package untouched: everything is written to a sibling temporary folder,
and only when every file is written is the folder renamed into place. Reports arrive in batches (an iterable of
`Columns`: typed Arrow tables) and are written as they come: see package_writer.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from opendata.model import Report
from opendata.publish.files import file_info
from opendata.publish.package_writer import PackageWriter
from opendata.publish.parquet_writer import PublishError, arrow_schema
from opendata.publish.columns import Columns, to_columns
from opendata.publish.rows import report_rows

__all__ = ["PublishError", "arrow_schema", "file_info", "publish", "publish_batches"]


def publish_batches(batches: Iterable[Columns], out: Path, partitioned: bool = False,
                    created: str | None = None) -> int:
    """Write every batch to a package at `out`, atomically replacing what was there; returns the number of reports
    published. Nothing is swapped in when no report was published (the old package stays)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{out.name}.tmp-", dir=out.parent))
    writer = None
    try:
        writer = PackageWriter(tmp, partitioned)
        for batch in batches:
            writer.add(batch)
        if writer.reports:
            writer.close(created)
            _swap(tmp, out)
        else:
            writer.abort()
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        if writer is not None:
            writer.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return writer.reports


def publish(reports: list[Report], out: Path, root: Path | None = None, created: str | None = None) -> Path:
    """Write the package for already extracted `reports` (a report's twin counts as published when it is among
    them)."""
    root = root or Path.cwd()
    ids = {r.report_id for r in reports}
    rows = [report_rows(r, root, r.meta.duplicate_of in ids) for r in reports]
    publish_batches([to_columns(rows)], out, created=created)
    return out.resolve()


def _swap(new: Path, out: Path) -> None:
    """Replace `out` by `new` with two renames; the old package is kept until the new one is in place."""
    old = None
    if out.exists():
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
