"""SQL over the published package, in place: one DuckDB view per resource over its Parquet file, read-only by
construction (docs/security.md).

- The sandbox comes first: before any other SQL, DuckDB may reach only the package's own Parquet files
  (`allowed_paths`), nothing else (`enable_external_access = false`), and these settings are locked.
- Names from the descriptor are checked against the resource-name pattern and quoted; paths must lie inside the
  package folder; both go into SQL as quoted identifiers and literals only.
- `run` parses the user's SQL with DuckDB's own parser and runs only statements that read (SELECT, WITH, VALUES,
  FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN of those, and PRAGMAs that only read), under a timeout; Ctrl-C
  interrupts DuckDB within a fraction of a second.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from opendata.publish.package import PackageError, descriptor_path, package_resources, require_resources

RESOURCE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")  # the names a Table Schema of schemas/resources/ may have
DEFAULT_TIMEOUT = 600.0  # seconds: generous; a query over the whole package takes well under one
# PRAGMAs that only read: the catalogue, the version, the database size.
READ_PRAGMAS = {"table_info", "show", "show_tables", "show_tables_expanded", "database_list", "database_size",
                "version", "platform", "functions", "collations", "user_agent"}
_EXPLAIN = re.compile(r"\s*explain\s+(?:analy[sz]e\s+)?(.*)", re.IGNORECASE | re.DOTALL)
_PRAGMA = re.compile(r"\s*pragma\s+([a-z_]+)\s*(?:\(|;|$)", re.IGNORECASE)


class QueryError(PackageError):
    """SQL that DuckDB refused or that would not only read, or a package that cannot be opened."""


class QueryTimeout(QueryError):
    pass


def connect(package: Path, sql: str | None = None):
    """An in-memory DuckDB connection confined to the package's Parquet files, with one view per resource and the
    ready-made views (query/views.py): all of them, or, given the SQL about to run, only those it reads."""
    import duckdb

    files = resource_files(package)
    con = duckdb.connect(":memory:")
    con.execute(f"SET allowed_paths = [{', '.join(_literal(p) for paths in files.values() for p in paths)}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")
    from opendata.query.views import create_views

    try:
        for name, paths in files.items():  # one file, or a resource's parts by year (typed as the Table Schema says)
            parts = "[" + ", ".join(_literal(p) for p in paths) + "]"
            con.execute(f"CREATE VIEW {_identifier(name)} AS SELECT * FROM read_parquet({parts}, hive_partitioning = false)")
        create_views(con, sql)
    except duckdb.Error as exc:  # a missing or damaged Parquet file, or a package without our resources
        con.close()
        raise QueryError(f"{descriptor_path(package)}: cannot be queried: {str(exc).strip().splitlines()[0]}") from None
    return con


def resource_files(package: Path) -> dict[str, list[Path]]:
    """Resource name -> Parquet files, each name checked against RESOURCE_NAME and each file inside the package."""
    root = descriptor_path(package).parent.resolve()
    files = package_resources(package)
    for name, paths in files.items():
        if not RESOURCE_NAME.fullmatch(name):
            raise QueryError(f"{root / 'datapackage.json'}: resource name {name!r} is not a valid resource name "
                             f"(pattern {RESOURCE_NAME.pattern}); the package is not queried")
        outside = [p for p in paths if not p.is_relative_to(root)]
        if outside:
            raise QueryError(f"{root / 'datapackage.json'}: resource {name!r} points outside the package ({outside[0]})")
    require_resources(root / "datapackage.json", files)
    return files


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def read_only_statements(sql: str) -> list:
    """The statements of `sql` as DuckDB parses them, refused (QueryError) unless every one only reads."""
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip()) from None
    if not statements:
        raise QueryError("no SQL statement given")
    for statement in statements:
        if not _reads_only(statement):
            first = " ".join(statement.query.split())[:60]
            raise QueryError(f"refused: {statement.type.name} statement ({first!r}); opendata query runs read-only "
                             "SQL: SELECT, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN and reading PRAGMAs")
    return statements


def _reads_only(statement) -> bool:
    import duckdb

    kind = statement.type
    if kind == duckdb.StatementType.SELECT:
        return True
    if kind == duckdb.StatementType.PRAGMA:
        match = _PRAGMA.match(statement.query)
        return bool(match) and match.group(1).lower() in READ_PRAGMAS
    if kind == duckdb.StatementType.EXPLAIN:  # EXPLAIN ANALYZE runs its statement: that one must only read too
        match = _EXPLAIN.match(statement.query)
        try:
            inner = duckdb.extract_statements(match.group(1)) if match else []
        except duckdb.Error:
            return False
        return len(inner) == 1 and inner[0].type != duckdb.StatementType.EXPLAIN and _reads_only(inner[0])
    return False


def run(package: Path, sql: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[list[str], list[tuple]]:
    """Columns and rows of the last statement of `sql` (read-only statements only), stopped after `timeout`
    seconds; Ctrl-C interrupts DuckDB and is raised again as KeyboardInterrupt."""
    statements = read_only_statements(sql)
    con = connect(package, sql)
    worker = _Worker(con, statements)
    try:
        return worker.result(timeout)
    finally:
        if worker.done.is_set():  # else DuckDB is still stopping: the process ends without waiting for it
            con.close()


class _Worker(threading.Thread):
    """Runs the statements on a thread of its own, so the main thread stays free to take Ctrl-C (a signal is only
    handled between Python bytecodes, never while DuckDB computes) and to enforce the timeout. The main thread
    waits on an Event, not on join(): a join interrupted by Ctrl-C can mark a running thread as stopped."""

    def __init__(self, con, statements: list) -> None:
        super().__init__(daemon=True)
        self.con, self.statements = con, statements
        self.value: tuple[list[str], list[tuple]] | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            for statement in self.statements:
                cursor = self.con.execute(statement)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            self.value = (columns, cursor.fetchall() if columns else [])
        except BaseException as exc:  # handed to the main thread
            self.error = exc
        finally:
            self.done.set()

    def result(self, timeout: float) -> tuple[list[str], list[tuple]]:
        import duckdb

        deadline = time.monotonic() + timeout
        try:
            self.start()  # inside: a Ctrl-C as the thread starts stops its query too
            while not self.done.wait(0.05):
                if time.monotonic() > deadline:
                    self._stop_query()
                    raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped (--timeout)")
        except KeyboardInterrupt:
            self._stop_query()
            raise
        if isinstance(self.error, duckdb.Error):
            raise QueryError(str(self.error).strip()) from None
        if self.error is not None:
            raise self.error
        return self.value

    def _stop_query(self) -> None:
        """Interrupt DuckDB until the statement stops (an interrupt that comes before the statement has begun is
        lost, so it is repeated); DuckDB stops within milliseconds, a loaded machine may take longer."""
        deadline = time.monotonic() + 5.0
        while self.is_alive() and not self.done.is_set() and time.monotonic() < deadline:
            self.con.interrupt()
            self.done.wait(0.05)
