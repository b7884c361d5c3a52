"""SQL over the published package, in place: one DuckDB view per resource over its Parquet file.

DuckDB is confined to the package's own data folder (no other file can be read or written from SQL).
"""

from __future__ import annotations

from pathlib import Path

from opendata.publish.package import PackageError, descriptor_path, package_resources


class QueryError(PackageError):
    """SQL that DuckDB refused, or a package that cannot be opened."""


def connect(package: Path):
    import duckdb

    files = package_resources(package)
    con = duckdb.connect(":memory:")
    for name, paths in files.items():  # one file, or a resource's parts by year (read as the Table Schema says)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_list(paths)}, hive_partitioning = false)")
    from opendata.query.views import create_views

    create_views(con)
    data_dirs = sorted({str(p.parent) for paths in files.values() for p in paths})
    con.execute("SET allowed_directories = [" + ", ".join(f"'{_sql_str(d)}'" for d in data_dirs) + "]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _sql_list(paths) -> str:
    return "[" + ", ".join(f"'{_sql_str(p)}'" for p in paths) + "]"


def _sql_str(value) -> str:
    return str(value).replace("'", "''")


def run(package: Path, sql: str) -> tuple[list[str], list[tuple]]:
    import duckdb

    con = connect(package)
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip()) from exc
    finally:
        con.close()
