"""The data package written as a stream of report batches, in one of two layouts:

- `FlatWriter` (most packages): each batch is appended to every resource's CSV and Parquet file (one row group per
  batch) and then dropped, so memory holds one batch whatever the number of reports;
- `PartsWriter` (publish/parts_writer.py, large packages): the rows of the resources without a year of their own
  are split by report year and province, one CSV and one Parquet file per part.
Both write the schemas, count the sources and write datapackage.json (from what was measured while writing).
"""

from __future__ import annotations

import json
from pathlib import Path

from opendata.publish import descriptor as descriptor_mod
from opendata.publish.columns import Columns
from opendata.publish.csv_writer import CsvWriter
from opendata.publish.parquet_writer import ParquetFile, arrow_schema, arrow_table
from opendata.publish.rows import codebook_rows, resource_names
from opendata.spec.schemas import table_schema


class PackageWriter:
    """Writes into `folder` (a staging folder: the caller swaps it into place)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.sources: list[dict] = []
        self.reports = 0
        (folder / "schemas").mkdir(parents=True, exist_ok=True)
        for name in resource_names():
            (folder / "schemas" / f"{name}.schema.json").write_text(
                json.dumps(table_schema(name), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def add(self, batch: Columns) -> None:
        """Append a batch of sources (a failed source contributes nothing)."""
        published = [r for r in batch.reports if r.failure is None]
        if not published:
            return
        self._write(batch)
        if self.reports + len(published) <= descriptor_mod.SOURCES_LISTED:  # memory stays flat past it
            self.sources += [descriptor_mod.source_entry(r.title, r.origin_url) for r in published]
        self.reports += len(published)

    def close(self, created: str | None = None) -> dict:
        """Write the rest of the data and datapackage.json; returns the descriptor."""
        csv_parts, parquet_parts = self._finish()
        return write_descriptor(self.folder, self.sources, self.reports, csv_parts, parquet_parts, created)

    def _write(self, batch: Columns) -> None:
        raise NotImplementedError

    def _finish(self) -> tuple[dict[str, dict[str, dict]], dict[str, dict[str, dict]]]:
        """Close the data files: (CSV, Parquet) resource -> {path: {hash, bytes, rows}}."""
        raise NotImplementedError

    def abort(self) -> None:
        """Close what is open (the caller removes the staging folder)."""


def write_descriptor(folder: Path, sources: list[dict], reports: int, csv_parts: dict, parquet_parts: dict,
                     created: str | None) -> dict:
    """datapackage.json from the files written (resource -> {path: {hash, bytes, rows}}) and the sources listed."""
    package = descriptor_mod.descriptor(descriptor_mod.sources_entries(sources, reports), csv_parts, parquet_parts,
                                        created)
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    return package


class FlatWriter(PackageWriter):
    """One CSV and one Parquet file per resource, appended batch by batch."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.csv: dict[str, CsvWriter] = {}
        self.parquet: dict[str, ParquetFile] = {}
        for name in resource_names():
            arrow = arrow_schema(table_schema(name))
            self.parquet[name] = ParquetFile(folder / "data" / f"{name}.parquet", arrow)
            self.csv[name] = CsvWriter(folder / "data" / f"{name}.csv", arrow)

    def _write(self, batch: Columns) -> None:
        for name, table in batch.tables.items():
            self.csv[name].write(table)
            self.parquet[name].write(table)

    def _finish(self):
        book = arrow_table(codebook_rows(), self.parquet["codebook"].arrow, "codebook")
        self.csv["codebook"].write(book)
        self.parquet["codebook"].write(book)
        def parts(files: dict, suffix: str) -> dict[str, dict[str, dict]]:
            return {name: {f"data/{name}.{suffix}": {**w.close(), "rows": w.rows}} for name, w in files.items()}

        return parts(self.csv, "csv"), parts(self.parquet, "parquet")

    def abort(self) -> None:
        for w in [*self.csv.values(), *self.parquet.values()]:
            try:
                w.close()
            except Exception:  # already failing: the staging folder is removed by the caller
                pass
