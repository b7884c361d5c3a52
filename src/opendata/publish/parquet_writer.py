"""A Parquet file written front to back, one row group per `write`, with fixed writer settings (the same rows in the
same row groups give the same bytes), and rows typed from the Table Schema."""

from __future__ import annotations

from pathlib import Path

from opendata.publish.files import HashingFile

_ARROW = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_", "year": "int64"}
# Every setting that shapes the bytes is fixed here, so that a rebuild is byte-identical.
SETTINGS = dict(compression="zstd", compression_level=3, version="2.6", data_page_version="1.0",
                use_dictionary=True, write_statistics=True)


class PublishError(ValueError):
    pass


def arrow_schema(schema: dict):
    import pyarrow as pa

    return pa.schema([
        pa.field(f["name"], getattr(pa, _ARROW[f["type"]])(),
                 nullable=not f.get("constraints", {}).get("required", False),
                 metadata={"description": f.get("description", "")})
        for f in schema["fields"]
    ])


def arrow_table(rows: list[tuple], arrow, resource: str, report_ids: list[str] | None = None):
    """Rows typed from the Table Schema with safe casts: a fraction in an integer column or a missing required value
    is an error naming the resource, the field and the report, never a silently truncated number."""
    import pyarrow as pa

    columns = []
    for i, f in enumerate(arrow):
        values = [row[i] for row in rows]
        try:
            column = pa.array(values).cast(f.type) if any(v is not None for v in values) else pa.nulls(len(values), f.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            bad = next((row for row in rows if not _fits(row[i], f.type)), rows[0])
            raise PublishError(f"{resource}.{f.name}: {exc} (report {bad[0]}, value {bad[i]!r})") from exc
        if not f.nullable and column.null_count:
            bad = next(row for row in rows if row[i] is None)
            raise PublishError(f"{resource}.{f.name} is required but empty for report {bad[0]}")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=arrow)


def _fits(value, arrow_type) -> bool:
    import pyarrow as pa

    if value is None:
        return True
    try:
        pa.array([value]).cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return True


class ParquetFile:
    """One Parquet file, its sha256 and size measured while writing."""

    def __init__(self, path: Path, arrow):
        import pyarrow.parquet as pq

        self.path, self.arrow, self.rows = path, arrow, 0
        self.file = HashingFile(path)
        self.writer = pq.ParquetWriter(self.file, arrow, **SETTINGS)

    def write(self, table) -> None:
        self.writer.write_table(table, row_group_size=max(1, table.num_rows))
        self.rows += table.num_rows

    def close(self) -> dict:
        self.writer.close()
        self.file.close()
        return self.file.info()
