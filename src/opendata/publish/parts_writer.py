"""A large package, written part by part: the rows of the resources without a year of their own (cells, checks)
are split by report year and province into the hive layout that DuckDB, pyarrow, polars and Spark read as one
dataset (`data/applications/year=2023/province=35/part-0.parquet`), and the CSV data likewise
(`data/csv/applications/year=2023/province=35/part-0.csv`, each part with its header).

Rows arrive in batches of sources, each batch touching most parts. They are held per part up to SPILL_ROWS rows
(across resources), then spilled to Arrow IPC files in the staging folder (one file per spill, one run of record
batches per part); each part is written whole at the end, its Parquet row groups of exactly ROW_GROUP_ROWS rows. So
memory is bounded by SPILL_ROWS whatever the number of reports, no file stays open between batches, and a part's
bytes depend only on its rows (not on the batches), which lets a rebuild rewrite one part and keep the others.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from opendata.publish.columns import Columns
from opendata.publish.csv_writer import CsvWriter
from opendata.publish.package_writer import PackageWriter
from opendata.publish.parquet_writer import ParquetFile, arrow_schema, arrow_table
from opendata.publish.rows import codebook_rows, field_names, resource_names
from opendata.spec.schemas import table_schema

ROW_GROUP_ROWS = 1 << 18  # rows per Parquet row group of a part (the last one fewer)
SPILL_ROWS = 1 << 20  # rows held in memory, across resources, before they are spilled to disk
WHOLE = ""  # the part key of a resource kept in one file (reports, codebook; an empty partitioned resource)
SPILL_FOLDER = ".spill"  # inside the staging folder (publish/target.WORKING_ENTRIES); removed before the check


def is_partitioned(name: str) -> bool:
    """A resource split by year and province in a large package: one without a year of its own (not the codebook)."""
    return name != "codebook" and "year" not in field_names(name)


def part_paths(name: str, key: str) -> tuple[str, str]:
    """(CSV, Parquet) path under the package of a resource's part; WHOLE: the resource in one file."""
    if key == WHOLE:
        return f"data/{name}.csv", f"data/{name}.parquet"
    return f"data/csv/{name}/{key}/part-0.csv", f"data/{name}/{key}/part-0.parquet"


def part_key(path: str) -> str:
    """`data/applications/year=2023/province=35/part-0.parquet` -> `year=2023/province=35`; WHOLE for a one-file
    resource."""
    parts = path.split("/")
    return "/".join(parts[-3:-1]) if len(parts) >= 4 and parts[-2].startswith("province=") else WHOLE


class Spill:
    """One resource's rows by part, in arrival order: held in memory, then in spill files."""

    def __init__(self, folder: Path, arrow):
        self.folder, self.arrow = folder, arrow
        self.held: dict[str, list] = {}
        self.rows = 0  # rows held in memory
        self.files: list[tuple[Path, dict[str, range]]] = []  # spill file, part -> its record batches

    def add(self, table, runs: list[tuple[str, int, int]] | None) -> None:
        """Rows of a batch; `runs` gives the part of each run of rows (key, first row, rows), None: the resource is
        one part (WHOLE). Runs are held as zero-copy slices of the batch, compacted when spilled."""
        if not table.num_rows:
            return
        for key, start, length in runs if runs is not None else [(WHOLE, 0, table.num_rows)]:
            self._hold(key, table.slice(start, length))

    def _hold(self, key: str, table) -> None:
        self.held.setdefault(key, []).append(table)
        self.rows += table.num_rows

    def spill(self) -> None:
        """The rows held to a new spill file (Arrow IPC), memory freed."""
        import pyarrow as pa

        if not self.held:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path, index, n = self.folder / f"{len(self.files)}.arrow", {}, 0
        # uncompressed: spill files are read once, soon after, and compressing them costs the parent a core
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, self.arrow) as out:
            for key in sorted(self.held):
                batches = pa.concat_tables(self.held[key]).combine_chunks().to_batches()
                for batch in batches:
                    out.write_batch(batch)
                index[key] = range(n, n + len(batches))
                n += len(batches)
        self.files.append((path, index))
        self.held, self.rows = {}, 0

    def keys(self) -> list[str]:
        return sorted(set(self.held).union(*(index for _, index in self.files)))

    def tables(self, key: str) -> Iterator:
        """A part's rows in arrival order: from each spill file, then those still held."""
        import pyarrow as pa

        for path, index in self.files:
            if key in index:
                with pa.OSFile(str(path)) as source:
                    reader = pa.ipc.open_file(source)
                    yield pa.Table.from_batches([reader.get_batch(i) for i in index[key]], self.arrow)
        yield from self.held.get(key, ())


def row_groups(tables: Iterable, size: int | None = None) -> Iterator:
    """The rows of `tables` regrouped into tables of exactly `size` rows (the last fewer), each in one chunk, so
    that the bytes written do not depend on how the rows arrived."""
    import pyarrow as pa

    size = size or ROW_GROUP_ROWS
    pending, held = [], 0
    for table in tables:
        pending.append(table)
        held += table.num_rows
        while held >= size:
            whole = pa.concat_tables(pending)
            yield whole.slice(0, size).combine_chunks()
            pending, held = [whole.slice(size)], held - size
    if held:
        yield pa.concat_tables(pending).combine_chunks()


def write_part(folder: Path, name: str, key: str, tables: Iterable, arrow) -> tuple[tuple[str, dict], tuple[str, dict]]:
    """Write a part's CSV and Parquet files from its rows: ((csv path, info), (parquet path, info)), info being
    {hash, bytes, rows}."""
    csv_path, parquet_path = part_paths(name, key)
    csv_file, parquet_file = CsvWriter(folder / csv_path, arrow), ParquetFile(folder / parquet_path, arrow)
    for group in row_groups(tables):
        csv_file.write(group)
        parquet_file.write(group)
    return ((csv_path, {**csv_file.close(), "rows": csv_file.rows}),
            (parquet_path, {**parquet_file.close(), "rows": parquet_file.rows}))


class PartsWriter(PackageWriter):
    """The partitioned layout (module docstring): rows spilled as they come, every part written at the end."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.arrow = {name: arrow_schema(table_schema(name)) for name in resource_names()}
        self.spills = {name: Spill(folder / SPILL_FOLDER / name, self.arrow[name])
                       for name in resource_names() if name != "codebook"}

    def _write(self, batch: Columns) -> None:
        for name, table in batch.tables.items():
            self.spills[name].add(table, batch.runs(name) if is_partitioned(name) else None)
        if sum(s.rows for s in self.spills.values()) >= SPILL_ROWS:
            for spill in self.spills.values():
                spill.spill()

    def _finish(self):
        """Every part written, two at a time (pyarrow's writers release the GIL, and the workers are done)."""
        from concurrent.futures import ThreadPoolExecutor

        csv_parts: dict[str, dict[str, dict]] = {name: {} for name in resource_names()}
        parquet_parts: dict[str, dict[str, dict]] = {name: {} for name in resource_names()}
        with ThreadPoolExecutor(2) as pool:
            written = [(name, pool.submit(write_part, self.folder, name, key, tables, self.arrow[name]))
                       for name in resource_names() for key, tables in self._parts(name)]
            for name, future in written:  # in part order, whatever finished first
                (csv_path, csv_info), (parquet_path, parquet_info) = future.result()
                csv_parts[name][csv_path], parquet_parts[name][parquet_path] = csv_info, parquet_info
        self.abort()
        return csv_parts, parquet_parts

    def _parts(self, name: str) -> Iterator[tuple[str, Iterable]]:
        """Each part of a resource (key, its rows); a resource without rows is one empty file, still readable."""
        if name == "codebook":
            yield WHOLE, [arrow_table(codebook_rows(), self.arrow[name], name)]
            return
        spill = self.spills[name]
        for key in spill.keys() or [WHOLE]:
            yield key, spill.tables(key)

    def abort(self) -> None:
        shutil.rmtree(self.folder / SPILL_FOLDER, ignore_errors=True)
