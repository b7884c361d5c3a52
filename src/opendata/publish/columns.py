"""The published rows of consecutive sources as typed Arrow tables, one per resource: what extraction workers hand
to the writer. Typing happens in the workers (in parallel); the writer only concatenates, slices and writes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from opendata.publish.parquet_writer import arrow_schema, arrow_table
from opendata.publish.rows import ReportRows, field_names, part_of, resource_names
from opendata.spec.schemas import table_schema

CELL_RESOURCES = tuple(n for n in resource_names() if n != "codebook")


@dataclass
class Columns:
    reports: list[ReportRows]  # every source in order, rows dropped (what it is, or why it failed)
    tables: dict[str, object]  # resource -> pyarrow.Table of the published sources' rows, in source order
    counts: dict[str, list[int]]  # resource -> rows each source contributes (0 for a failed one)

    def __len__(self) -> int:
        return len(self.reports)

    def split(self, n: int) -> tuple[Columns, Columns]:
        """The first n sources, and the rest."""
        heads, tails = {}, {}
        for name, table in self.tables.items():
            rows = sum(self.counts[name][:n])
            heads[name], tails[name] = table.slice(0, rows), table.slice(rows)
        return (Columns(self.reports[:n], heads, {k: v[:n] for k, v in self.counts.items()}),
                Columns(self.reports[n:], tails, {k: v[n:] for k, v in self.counts.items()}))

    @staticmethod
    def concat(parts: list[Columns]) -> Columns:
        import pyarrow as pa

        if len(parts) == 1:
            return parts[0]
        return Columns([r for p in parts for r in p.reports],
                       {n: pa.concat_tables([p.tables[n] for p in parts]) for n in CELL_RESOURCES},
                       {n: [c for p in parts for c in p.counts[n]] for n in CELL_RESOURCES})

    def runs(self, name: str) -> list[tuple[str, int, int]]:
        """A resource's rows as runs of one hive partition (`year=2023/province=35`: their report's year and
        province): (key, first row, rows), in row order."""
        out: list[tuple[str, int, int]] = []
        start = 0
        for r, count in zip(self.reports, self.counts[name]):
            if count:
                key = part_of(r)
                if out and out[-1][0] == key and out[-1][1] + out[-1][2] == start:
                    out[-1] = (key, out[-1][1], out[-1][2] + count)
                else:
                    out.append((key, start, count))
            start += count
        return out


def to_columns(items: list[ReportRows]) -> Columns:
    """Type a run of sources' rows (errors name the resource, field and report: see arrow_table)."""
    tables, counts = {}, {}
    for name in CELL_RESOURCES:
        rows = [row for r in items if r.failure is None for row in r.rows.get(name, ())]
        tables[name] = arrow_table(rows, _arrow(name), name)
        counts[name] = [len(r.rows.get(name, ())) if r.failure is None else 0 for r in items]
    return Columns([replace(r, rows={}) for r in items], tables, counts)


_SCHEMAS: dict[str, object] = {}


def _arrow(name: str):
    if name not in _SCHEMAS:
        _SCHEMAS[name] = arrow_schema(table_schema(name))
    return _SCHEMAS[name]


__all__ = ["Columns", "to_columns", "field_names"]
