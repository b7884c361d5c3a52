"""The data package written as a stream of report batches: each batch is appended to every resource's CSV and
Parquet files and then dropped, so memory holds one batch whatever the number of reports."""

from __future__ import annotations

import json
from pathlib import Path

from opendata.publish.csv_writer import CsvWriter
from opendata.publish import descriptor as descriptor_mod
from opendata.publish.descriptor import descriptor, source_entry, sources_entries
from opendata.publish.columns import Columns
from opendata.publish.parquet_writer import ParquetWriter, arrow_table
from opendata.publish.rows import codebook_rows, field_names, resource_names
from opendata.spec.schemas import table_schema


class PackageWriter:
    """Writes into `folder` (a staging folder: the caller swaps it into place). `partitioned`: the resources
    without a year of their own (cells, checks) get one Parquet file per report year and province."""

    def __init__(self, folder: Path, partitioned: bool = False):
        self.folder = folder
        self.sources: list[dict] = []
        self.reports = 0
        self.csv: dict[str, CsvWriter] = {}
        self.parquet: dict[str, ParquetWriter] = {}
        (folder / "schemas").mkdir(parents=True, exist_ok=True)
        for name in resource_names():
            schema = table_schema(name)
            (folder / "schemas" / f"{name}.schema.json").write_text(
                json.dumps(schema, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            by_year = partitioned and name != "codebook" and "year" not in field_names(name)
            self.parquet[name] = ParquetWriter(folder, name, schema, by_year)
            self.csv[name] = CsvWriter(folder / "data" / f"{name}.csv", self.parquet[name].arrow)

    def add(self, batch: Columns) -> None:
        """Append a batch of sources (a failed source contributes nothing)."""
        published = [r for r in batch.reports if r.failure is None]
        if not published:
            return
        for name, table in batch.tables.items():
            self.csv[name].write(table)
            self.parquet[name].write(table, batch.partitions(name) if self.parquet[name].partitioned else None)
        if self.reports + len(published) <= descriptor_mod.SOURCES_LISTED:  # memory stays flat past it
            self.sources += [source_entry(r.title, r.origin_url) for r in published]
        self.reports += len(published)

    def close(self, created: str | None = None) -> dict:
        """Write the codebook and datapackage.json; returns the descriptor."""
        book = arrow_table(codebook_rows(), self.parquet["codebook"].arrow, "codebook")
        self.csv["codebook"].write(book)
        self.parquet["codebook"].write(book)
        csv_info = {name: {**w.close(), "rows": w.rows} for name, w in self.csv.items()}
        parts = {name: w.close() for name, w in self.parquet.items()}
        package = descriptor(sources_entries(self.sources, self.reports), csv_info, parts, created)
        (self.folder / "datapackage.json").write_text(
            json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return package

    def abort(self) -> None:
        for w in [*self.csv.values(), *(p for pw in self.parquet.values() for p in pw.parts.values())]:
            try:
                w.close()
            except Exception:  # already failing: the staging folder is removed by the caller
                pass
