"""Publishing: the data package (datapackage.json, a CSV and Parquet data per resource), written aside and swapped.

An interrupted or invalid build leaves the previous package untouched: everything is written to a sibling folder,
validated, and only then swapped into place (publish/target.py). Reports arrive in batches (an iterable of
`Columns`: typed Arrow tables) and are written as they come: see package_writer.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from opendata.model import Report
from opendata.publish.files import file_info
from opendata.publish.package_writer import FlatWriter
from opendata.publish.parquet_writer import PublishError, arrow_schema
from opendata.publish.columns import Columns, to_columns
from opendata.publish.rows import report_rows
from opendata.publish.target import staged

__all__ = ["PublishError", "arrow_schema", "file_info", "publish", "publish_batches"]


class _NothingPublished(Exception):
    """No report made it into the package: the old package stays, nothing is swapped in."""


def publish_batches(batches: Iterable[Columns], out: Path, partitioned: bool = False,
                    created: str | None = None) -> int:
    """Write every batch to a package at `out`: staged aside, validated, then swapped in (publish/target.py);
    returns the number of reports published (0: nothing was swapped in, the old package stays)."""
    writer = None
    try:
        with staged(out) as tmp:
            writer = _writer(tmp, partitioned)
            try:
                for batch in batches:
                    writer.add(batch)
            except BaseException:
                writer.abort()
                raise
            if not writer.reports:
                writer.abort()
                raise _NothingPublished
            writer.close(created)
    except _NothingPublished:
        return 0
    return writer.reports


def _writer(folder: Path, partitioned: bool):
    if not partitioned:
        return FlatWriter(folder)
    from opendata.publish.parts_writer import PartsWriter

    return PartsWriter(folder)


def publish(reports: list[Report], out: Path, root: Path | None = None, created: str | None = None) -> Path:
    """Write the package for already extracted `reports` (a report's twin counts as published when it is among
    them)."""
    root = root or Path.cwd()
    ids = {r.report_id for r in reports}
    rows = [report_rows(r, root, r.meta.duplicate_of in ids) for r in reports]
    publish_batches([to_columns(rows)], out, created=created)
    return out.resolve()
