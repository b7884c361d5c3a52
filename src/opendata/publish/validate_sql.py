"""Validation compiled to DuckDB: the Table Schema checks frictionless runs row by row in Python, as SQL over the
published files, plus what frictionless cannot see (Parquet integrity, CSV = Parquet, identities from both).

Findings carry frictionless' error types, fields and row numbers (header = row 1, first data row = 2), so the two
engines can be compared finding for finding (tests/test_validate_sql.py does, on corrupted packages):
type-error, constraint-error (required, enum, pattern, minimum, maximum, minLength, maxLength), missing-cell,
extra-cell, blank-row, unique-error, primary-key, foreign-key, incorrect-label, missing-label, extra-label,
hash-count and byte-count (for Parquet files too, from their x-hash / x-bytes), and two types frictionless does
not have: csv-parquet-mismatch (a cell whose CSV and Parquet values differ) and partition-error (in a partitioned
resource, a row filed under a year or province that is not its report's).

How a CSV is read: DuckDB's own reader with every column as text (so a bad cell is a finding, not a failed load),
in one ordered pass (row numbers are the record numbers frictionless gives), materialised once; types are then
parsed in SQL the way frictionless parses them (integer: optional sign and digits; number: a decimal or exponent
form, nan/inf). Like frictionless, at most LIMIT_ERRORS findings are kept per resource, first rows first.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

LIMIT_ERRORS = 1000
MISMATCH = "csv-parquet-mismatch"
MISFILED = "partition-error"  # a row in a part (year=/province= folder) that is not its report's
# Value read for a padded (missing) CSV cell: a byte string no published cell holds, so '' stays an empty cell.
_MISSING = "\x01\x02opendata-missing\x02\x01"
_EXTRA_COLUMNS = 16  # a row may carry this many extra cells before DuckDB's reader refuses the file
_INTEGER = r"\s*[+-]?[0-9]+\s*"
_NUMBER = r"(?i)\s*[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|nan|inf|infinity)\s*"
_SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "year": "BIGINT", "boolean": "BOOLEAN"}
_NATIVE = {"integer": {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"},
           "year": {"BIGINT", "INTEGER", "SMALLINT"},
           "number": {"DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "HUGEINT"},
           "boolean": {"BOOLEAN"}}


@dataclass(frozen=True, order=True)
class Finding:
    resource: str
    row: int | None  # frictionless' row number; None for file-level findings (hash, bytes, labels)
    type: str  # frictionless' error type name
    field: str | None
    note: str = ""

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"row {self.row}" if self.row else "", f"field {self.field}" if self.field
                                      else "") if p)
        return f"{self.resource}: {where + ': ' if where else ''}{self.type}: {self.note}"


@dataclass
class Resource:
    name: str
    format: str  # csv | parquet
    paths: list[Path]
    schema: dict
    hash: str | None = None  # "sha256:..." as recorded (hash, or x-hash for Parquet)
    bytes: int | None = None
    rows: int | None = None  # x-rows, when the writer recorded the row count
    parts: list[dict] | None = None  # x-parts: each part's own x-hash / x-bytes / x-rows (a partitioned resource)
    offset: int = 0  # rows before the first of `paths` (a cut of a partitioned resource)
    empty: bool = False  # a cut without any of its parts: read as an empty table

    @property
    def fields(self) -> list[dict]:
        return self.schema["fields"]

    @property
    def table(self) -> str:
        return "r_" + "".join(ch if ch.isalnum() else "_" for ch in self.name)

    def cut(self, keys: set[str] | None) -> Resource:
        """A partitioned resource restricted to the parts of `keys` (year=/province=), numbered on from the rows of
        the parts before them (exact when the parts cut are consecutive); any other resource whole."""
        from dataclasses import replace

        from opendata.publish.parts_writer import part_key

        if keys is None or not self.parts:
            return self
        inside = [i for i, p in enumerate(self.parts) if part_key(p["path"]) in keys]
        if not inside:
            return replace(self, paths=self.paths[:1], parts=[], rows=0, empty=True)
        parts = [self.parts[i] for i in inside]
        return replace(self, paths=[self.paths[i] for i in inside], parts=parts,
                       rows=sum(p.get("x-rows") or 0 for p in parts),
                       offset=sum(p.get("x-rows") or 0 for p in self.parts[:inside[0]]))


def load_resources(descriptor: Path) -> list[Resource]:
    """The descriptor's tabular resources, schemas resolved (a path list is a multipart resource)."""
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    out = []
    for r in meta["resources"]:
        schema = r.get("schema")
        if isinstance(schema, str):
            schema = json.loads((descriptor.parent / schema).read_text(encoding="utf-8"))
        paths = r["path"] if isinstance(r["path"], list) else [r["path"]]
        out.append(Resource(r["name"], r.get("format") or Path(paths[0]).suffix.lstrip("."),
                            [descriptor.parent / p for p in paths], schema or {"fields": []},
                            r.get("hash", r.get("x-hash")), r.get("bytes", r.get("x-bytes")), r.get("x-rows"),
                            r.get("x-parts")))
    return out


# Reading -------------------------------------------------------------------------------------------------------------
def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _s(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def load_csv(con, res: Resource) -> None:
    """Materialise a CSV resource typed, in one ordered pass: __row (frictionless' row number), each field typed
    (NULL when blank or not of its type), __bad (bit i set: field i is not of its type), __cells (cells in the row)."""
    n = len(res.fields)
    cols = [text_column(f, _q(f"c{i}")) for i, f in enumerate(res.fields, start=1)]
    cells = " + ".join(f"({_q(f'c{i}')} IS NOT NULL)::INTEGER" for i in range(1, n + _EXTRA_COLUMNS + 1))
    # parallel=false keeps each file's order and the files are read in the list's (DuckDB keeps insertion order),
    # so row_number() is the record number (+1 for the header).
    rows = f"{_csv_source(res, f'parallel=false, nullstr={_s(_MISSING)}')}{' LIMIT 0' if res.empty else ''}"
    con.execute(f"CREATE TEMP TABLE {res.table} AS SELECT row_number() OVER () + {1 + res.offset} AS __row, "
                f"{_typed(cols)}, {cells} AS __cells FROM {rows}")


def _csv_source(res: Resource, options: str) -> str:
    """DuckDB's reader over a CSV resource's files, every cell as text in columns c1, c2, ... (a row may carry
    _EXTRA_COLUMNS more cells). Multipart CSV: every part has its header, which frictionless skips in the parts
    after the first."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, len(res.fields) + _EXTRA_COLUMNS + 1)) + "}"
    files = "[" + ", ".join(_s(p) for p in res.paths) + "]"
    return (f"read_csv({files}, auto_detect=false, delim=',', quote='\"', escape='\"', header=false, skip=1, "
            f"null_padding=true, columns={columns}, {options})")


def load_parquet(con, res: Resource) -> list[str]:
    """A typed view over the Parquet file(s), rows numbered as frictionless counts them; returns the column names."""
    files = "[" + ", ".join(_s(p) for p in res.paths) + "]"
    # The hive folders (year=2023/) name a partition; the files hold every column themselves.
    source = f"read_parquet({files}, file_row_number=true, filename=true, hive_partitioning=false)"
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({files}, hive_partitioning=false)").fetchall()
    # frictionless maps fields to columns by position
    cols = [parquet_column(f, name, sql_type) for f, (name, sql_type, *_) in zip(res.fields, described)]
    if len(res.paths) == 1:
        row, source = f"file_row_number + {2 + res.offset}", f"{source} t"
    else:  # the parts' rows numbered on, in the descriptor's order (offsets, not a sort of every row)
        row, source = (f"file_row_number + {2 + res.offset} + o.__first",
                       f"{source} t JOIN ({_first_rows(con, res.paths)}) o ON t.filename = o.__file")
    con.execute(f"CREATE TEMP VIEW {res.table} AS SELECT {row} AS __row, {_typed(cols)}, NULL::INTEGER AS __cells "
                f"FROM {source}{' WHERE false' if res.empty else ''}")
    return [name for name, *_ in described]


def _first_rows(con, paths: list[Path]) -> str:
    """A VALUES table (__file, __first): the number of rows before each part, from the parts' own footers."""
    counts = dict(con.execute(
        f"SELECT file_name, num_rows FROM parquet_file_metadata([{', '.join(_s(p) for p in paths)}])").fetchall())
    firsts, before = [], 0
    for p in paths:
        firsts.append(f"({_s(p)}, {before})")
        before += counts[str(p)]
    return f"SELECT * FROM (VALUES {', '.join(firsts)}) v(__file, __first)"


def _typed(cols: list[tuple[str, str]]) -> str:
    """Select list: each field typed, then __bad, the bit mask of fields whose text is not of their type."""
    bad = " | ".join(f"(CASE WHEN {error} THEN {1 << i} ELSE 0 END)" for i, (_, error) in enumerate(cols)
                     if error != "false") or "0"
    return ", ".join(typed for typed, _ in cols) + f", ({bad})::BIGINT AS __bad"


# Cell expressions ------------------------------------------------------------------------------------------------------
def text_column(field: dict, raw: str) -> tuple[str, str]:
    """(typed value AS name, type error) for a field read from text, as frictionless parses a cell."""
    missing_values = field.get("missingValues") or [""]
    blank = f"({raw} IS NULL OR {raw} IN ({', '.join(map(_s, missing_values))}))"
    kind, name = field.get("type", "string"), _q(field["name"])
    if kind in ("integer", "year", "number"):
        ok = f"regexp_full_match({raw}, {_s(_NUMBER if kind == 'number' else _INTEGER)})"
        typed = f"CASE WHEN NOT {blank} AND {ok} THEN TRY_CAST(trim({raw}) AS {_SQL_TYPES[kind]}) END"
    elif kind == "boolean":
        typed = (f"CASE WHEN {blank} THEN NULL WHEN lower(trim({raw})) IN ('true', 'yes', '1') THEN true "
                 f"WHEN lower(trim({raw})) IN ('false', 'no', '0') THEN false END")
    else:
        return f"CASE WHEN NOT {blank} THEN {raw} END AS {name}", "false"
    return f"{typed} AS {name}", f"(NOT {blank} AND ({typed}) IS NULL)"


def parquet_column(field: dict, name: str, sql_type: str) -> tuple[str, str]:
    kind, col = field.get("type", "string"), _q(name)
    if kind not in _NATIVE or sql_type not in _NATIVE[kind]:  # text, or stored as another type: read its text
        return text_column(field, col if sql_type == "VARCHAR" else f"CAST({col} AS VARCHAR)")
    return f"{col} AS {_q(field['name'])}", "false"


def _literal(value, kind: str) -> str:
    return str(value) if kind in ("integer", "number", "year") and not isinstance(value, str) else _s(value)


def cell_conditions(field: dict, i: int) -> list[tuple[str, str, str]]:
    """(condition, error type, note) for field number i + 1, in frictionless' order: type, then constraints."""
    kind, fmt, v = field.get("type", "string"), field.get("format", "default"), _q(field["name"])
    bad = f"(__bad & {1 << i}) <> 0"
    out = [(bad, "type-error", f'type is "{kind}/{fmt}"')]
    constraints = field.get("constraints") or {}

    def note(name):
        return f'constraint "{name}" is "{constraints[name]}"'

    if constraints.get("required"):
        out.append((f"{v} IS NULL AND NOT {bad}", "constraint-error", note("required")))
    if "enum" in constraints:
        values = ", ".join(_literal(x, kind) for x in constraints["enum"])
        out.append((f"{v} NOT IN ({values})", "constraint-error", note("enum")))
    if "pattern" in constraints and kind == "string":
        out.append((f"NOT regexp_full_match({v}, {_s(constraints['pattern'])})", "constraint-error", note("pattern")))
    for name, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">=")):
        if name in constraints and kind in ("integer", "number", "year"):
            out.append((f"{v} {op} {constraints[name]}", "constraint-error", note(name)))
    for name, op in (("minLength", "<"), ("maxLength", ">")):
        if name in constraints:
            out.append((f"length(CAST({v} AS VARCHAR)) {op} {int(constraints[name])}", "constraint-error", note(name)))
    # A NULL condition (a blank cell) is false: constraints other than `required` skip blank cells.
    return [(f"coalesce({cond}, false)", t, n) for cond, t, n in out]


# Findings --------------------------------------------------------------------------------------------------------------
def _struct(kind: str, field: str | None, note: str, order: int) -> str:
    return (f"{{'type': {_s(kind)}, 'field': {_s(field) if field is not None else 'NULL::VARCHAR'}, "
            f"'note': {_s(note)}, 'o': {order}}}")


def row_findings(con, res: Resource, n_extra: int) -> list[tuple]:
    """Cell-level findings (types, constraints, missing and extra cells, blank rows), one scan."""
    fields = res.fields
    checks = [(cond, kind, f["name"], note) for i, f in enumerate(fields) for cond, kind, note in cell_conditions(f, i)]
    checks += [(f"coalesce(__cells >= {k}, false)", "extra-cell", "", "")
               for k in range(len(fields) + 1, len(fields) + n_extra + 1)]
    checks += [(f"coalesce(__cells < {i}, false)", "missing-cell", f["name"], "")
               for i, f in enumerate(fields, start=1)]
    if not checks:
        return []
    blank_row = " AND ".join(f"({_q(f['name'])} IS NULL AND (__bad & {1 << i}) = 0)" for i, f in enumerate(fields))
    items = ", ".join(f"CASE WHEN {cond} THEN {_struct(kind, name, note, i)} END"
                      for i, (cond, kind, name, note) in enumerate(checks))
    errors = (f"CASE WHEN {blank_row} THEN [{_struct('blank-row', None, '', 0)}] "
              f"ELSE list_filter([{items}], lambda x: x IS NOT NULL) END")
    any_error = " OR ".join([f"({blank_row})"] + [cond for cond, *_ in checks])
    sql = (f"SELECT __row, e.type, e.field, e.note, e.o FROM (SELECT __row, unnest({errors}) AS e "
           f"FROM {res.table} WHERE {any_error}) ORDER BY __row, e.o LIMIT {LIMIT_ERRORS}")
    return [(row, kind, field, note) for row, kind, field, note, _ in con.execute(sql).fetchall()]


def _repeats(con, table: str, key: list[str], where: str = "true") -> list[tuple]:
    """(row, earlier row with the same key) for rows repeating a key: duplicates found by hashing first (cheap),
    then ordered only among the duplicated keys."""
    cols = ", ".join(map(_q, key))
    on = " AND ".join(f"t.{_q(k)} IS NOT DISTINCT FROM d.{_q(k)}" for k in key)
    return con.execute(
        f"WITH d AS (SELECT {cols} FROM {table} WHERE {where} GROUP BY ALL HAVING count(*) > 1) "
        f"SELECT __row, prev FROM (SELECT t.__row, lag(t.__row) OVER (PARTITION BY {', '.join(f't.{_q(k)}' for k in key)} "
        f"ORDER BY t.__row) AS prev FROM {table} t SEMI JOIN d ON {on}) WHERE prev IS NOT NULL "
        f"ORDER BY __row LIMIT {LIMIT_ERRORS}").fetchall()


def unique_findings(con, res: Resource) -> list[tuple]:
    out = []
    for f in res.fields:
        if (f.get("constraints") or {}).get("unique"):
            out += [(row, "unique-error", f["name"], f"the same as in the row at position {prev}")
                    for row, prev in _repeats(con, res.table, [f["name"]], f"{_q(f['name'])} IS NOT NULL")]
    return out


def primary_key_findings(con, res: Resource) -> list[tuple]:
    key = res.schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    if not key:
        return []
    all_null = " AND ".join(f"{_q(k)} IS NULL" for k in key)
    out = [(row, "primary-key", None, 'cells composing the primary keys are all "None"') for (row,) in con.execute(
        f"SELECT __row FROM {res.table} WHERE {all_null} ORDER BY __row LIMIT {LIMIT_ERRORS}").fetchall()]
    out += [(row, "primary-key", None, f"the same as in the row at position {prev}")
            for row, prev in _repeats(con, res.table, key, f"NOT ({all_null})")]
    return out


def foreign_key_findings(con, res: Resource, tables: dict[str, str]) -> list[tuple]:
    out = []
    for fk in res.schema.get("foreignKeys") or []:
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        ref = fk["reference"]
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
        target = tables.get(ref.get("resource") or res.name)
        if target is None:
            out.append((None, "resource-error", None, f"foreign key to a resource that does not exist: {ref}"))
            continue
        keys = ", ".join(f"{_q(r)} AS k{i}" for i, r in enumerate(ref_fields))
        not_null = " AND ".join(f"k{i} IS NULL" for i in range(len(ref_fields)))
        on = " AND ".join(f"r.k{i} IS NOT DISTINCT FROM t.{_q(f)}" for i, f in enumerate(fields))
        values = " || ', ' || ".join(f"coalesce(CAST(t.{_q(f)} AS VARCHAR), 'None')" for f in fields)
        note = (f"'for \"{', '.join(fields)}\": values \"' || {values} || '\" not found in the lookup table "
                f"\"{ref.get('resource', '')}\" as \"{', '.join(ref_fields)}\"'")
        out += con.execute(
            f"SELECT t.__row, 'foreign-key', NULL, {note} FROM {res.table} t ANTI JOIN "
            f"(SELECT DISTINCT {keys} FROM {target} WHERE NOT ({not_null})) r ON {on} "
            f"WHERE NOT ({' AND '.join(f't.{_q(f)} IS NULL' for f in fields)}) ORDER BY t.__row "
            f"LIMIT {LIMIT_ERRORS}").fetchall()
    return out


def partition_findings(con, res: Resource, reports: str | None) -> list[tuple]:
    """A partitioned resource's rows against their part: each row's report must have the year and province its
    folders name (year=2023/province=35), as readers take them from the folder names."""
    if not res.parts or res.empty or reports is None or "report_id" not in [f["name"] for f in res.fields]:
        return []
    from opendata.publish.rows import UNKNOWN_PROVINCE

    if res.format == "csv":  # only the report id, read as load_csv reads it
        column = f"c{[f['name'] for f in res.fields].index('report_id') + 1}"
        rows = f"SELECT DISTINCT filename, {column} AS report_id FROM {_csv_source(res, 'filename=true')}"
    else:
        files = "[" + ", ".join(_s(p) for p in res.paths) + "]"
        rows = f"SELECT DISTINCT filename, report_id FROM read_parquet({files}, filename=true, hive_partitioning=false)"
    # recomputed here from the reports as published (rows.province_of is what the writer used)
    province = ("CASE WHEN regexp_full_match(coalesce(left(region_code, 2), ''), '[0-9]{2}') "
                f"THEN left(region_code, 2) ELSE {_s(UNKNOWN_PROVINCE)} END")
    found = con.execute(
        f"SELECT p.filename, p.report_id, r.part FROM ({rows}) p JOIN (SELECT report_id, 'year=' || "
        f"coalesce(CAST(year AS VARCHAR), 'None') || '/province=' || {province} AS part FROM {reports}) r "
        f"USING (report_id) WHERE NOT contains(p.filename, '/' || r.part || '/') ORDER BY 1, 2 "
        f"LIMIT {LIMIT_ERRORS}").fetchall()
    root = _common_root(res.paths)
    return [(None, MISFILED, "report_id", f"{Path(name).relative_to(root).as_posix()}: report {rid!r} is filed "
                                          f"there, but its report says {part}") for name, rid, part in found]


def _common_root(paths: list[Path]) -> Path:
    import os

    return Path(os.path.commonpath([p.parent for p in paths]))


def label_findings(labels: list[str], res: Resource) -> list[tuple]:
    """The header against the schema's field names, by position (frictionless' default)."""
    names = [f["name"] for f in res.fields]
    out = [(None, "extra-label", label, f"label {i}") for i, label in enumerate(labels[len(names):], len(names) + 1)]
    out += [(None, "missing-label", name, "") for name in names[len(labels):]]
    for i, (label, name) in enumerate(zip(labels, names)):
        if not label:
            out.append((None, "blank-label", name, ""))
        elif label in labels[:i]:
            out.append((None, "duplicate-label", name, f"label {label!r}"))
        elif label != name:
            out.append((None, "incorrect-label", name, f"label {label!r}"))
    return out


def file_info(paths: list[Path], root: Path | None = None) -> dict:
    """sha256 and size of a resource's files (one file: its own; several: of their concatenation), and of each
    part by its path under `root`."""
    import hashlib

    digest, size, parts = hashlib.sha256(), 0, {}
    for path in paths:
        part, part_size = hashlib.sha256(), 0
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                part.update(chunk)
                part_size += len(chunk)
        size += part_size
        if root is not None:
            parts[path.relative_to(root).as_posix()] = {"hash": part.hexdigest(), "bytes": part_size}
    return {"hash": digest.hexdigest(), "bytes": size, "parts": parts}


def row_count_findings(con, res: Resource) -> list[tuple]:
    """The rows the writer recorded (x-rows) against the rows read."""
    if res.rows is None:
        return []
    (n,) = con.execute(f"SELECT count(*) FROM {res.table}").fetchone()
    return [] if n == res.rows else [(None, "row-count", None, f'expected is "{res.rows}" and actual is "{n}"')]


def integrity_findings(res: Resource, info: dict) -> list[tuple]:
    """Hash and bytes against the descriptor (per part for a partitioned resource, the part named in the note)."""
    if res.parts:
        out = []
        for part in res.parts:
            one = Resource(res.name, res.format, [], res.schema, part.get("x-hash"), part.get("x-bytes"))
            out += [(row, kind, field, f"{part['path']}: {note}")
                    for row, kind, field, note in integrity_findings(one, info["parts"][part["path"]])]
        return out
    out = []
    if res.hash:
        expected = res.hash.split(":", 1)[-1]
        if expected != info["hash"]:
            out.append((None, "hash-count", None, f'expected is "{expected}" and actual is "{info["hash"]}"'))
    if res.bytes is not None and res.bytes != info["bytes"]:
        out.append((None, "byte-count", None, f'expected is "{res.bytes}" and actual is "{info["bytes"]}"'))
    return out


def pair_findings(con, csv_res: Resource, parquet_res: Resource) -> list[tuple]:
    """Cells whose CSV and Parquet values differ. One Parquet file: rows paired by position (the files are written
    in one order); several (partitioned): by primary key, and order among equal keys."""
    names = [f["name"] for f in csv_res.fields]
    if len(parquet_res.paths) == 1:
        pairs = f"{csv_res.table} c POSITIONAL JOIN {parquet_res.table} p"
    elif _same_rows(con, csv_res.table, parquet_res.table, names):
        return []
    else:
        key = csv_res.schema.get("primaryKey") or []
        key = [key] if isinstance(key, str) else key
        number = f"row_number() OVER (PARTITION BY {', '.join(map(_q, key)) or 'NULL'} ORDER BY __row) AS __k"
        on = " AND ".join([f"c.{_q(k)} IS NOT DISTINCT FROM p.{_q(k)}" for k in key] + ["c.__k = p.__k"])
        pairs = (f"(SELECT *, {number} FROM {csv_res.table}) c FULL OUTER JOIN "
                 f"(SELECT *, {number} FROM {parquet_res.table}) p ON {on}")
    differs = [f"c.{_q(n)} IS DISTINCT FROM p.{_q(n)}" for n in names]
    which = ", ".join(f"CASE WHEN {d} THEN {i} END" for i, d in enumerate(differs))
    shown = ", ".join(f"CAST(c.{_q(n)} AS VARCHAR), CAST(p.{_q(n)} AS VARCHAR)" for n in names)
    rows = con.execute(
        f"SELECT c.__row, p.__row, list_filter([{which}], lambda x: x IS NOT NULL), {shown} FROM {pairs} "
        f"WHERE c.__row IS NULL OR p.__row IS NULL OR {' OR '.join(differs)} "
        f"ORDER BY c.__row NULLS LAST, p.__row LIMIT {LIMIT_ERRORS}").fetchall()
    out = []
    for csv_row, pq_row, fields, *values in rows:
        if csv_row is None or pq_row is None:
            where = "the CSV only" if pq_row is None else f"the Parquet file only (its row {pq_row})"
            out.append((csv_row, MISMATCH, None, f"a row in {where}"))
            continue
        out += [(csv_row, MISMATCH, names[i], f"the CSV has {values[2 * i]!r}, the Parquet file has "
                                              f"{values[2 * i + 1]!r} (its row {pq_row})") for i in fields]
    return out


def _same_rows(con, csv_table: str, parquet_table: str, names: list[str]) -> bool:
    """Do two tables hold the same rows in any order? Compared as a checksum of their rows' hashes (count, sum and
    xor of a 64-bit hash per row), each value in a type both sides share: pairing 17M partitioned rows by key costs
    a join; a difference is then located by that join (pair_findings), so only its absence rests on the hash."""
    types = [dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {t})").fetchall())
             for t in (csv_table, parquet_table)]
    values = [_hashable(n, types[0][n], types[1][n]) for n in names]
    sums = [con.execute(f"SELECT count(*), sum(h::HUGEINT), bit_xor(h) FROM (SELECT hash({', '.join(values)}) AS h "
                        f"FROM {t})").fetchone() for t in (csv_table, parquet_table)]
    return sums[0] == sums[1]


_NUMERIC = _NATIVE["integer"] | _NATIVE["number"]  # the number types a typed column can have


def _hashable(name: str, csv_type: str, parquet_type: str) -> str:
    """A column as both sides hash it alike: as it is when the types agree, else as a double (numbers) or text."""
    if csv_type == parquet_type:
        return _q(name)
    both_numeric = csv_type in _NUMERIC and parquet_type in _NUMERIC
    return f"CAST({_q(name)} AS {'DOUBLE' if both_numeric else 'VARCHAR'})"


# Identities ------------------------------------------------------------------------------------------------------------
def equation_groups() -> dict[tuple, list[str]]:
    """(check id, table, layout or None, members are columns?, lhs terms, rhs terms) -> members: the equations of
    identities.py gathered where they share their terms (H1 and H2 over columns, H3 over rows, H4 over blocks)."""
    from opendata.spec.identities import equations
    from opendata.spec.template import TEMPLATE

    groups: dict[tuple, list[str]] = {}
    for layout in [*TEMPLATE.templates, None]:
        for eq in equations({"applications": layout} if layout else {}):
            if (eq.table == "applications") != (layout is not None):
                continue
            by_column = all(c == eq.subject for _, c in eq.terms)
            term = 0 if by_column else 1
            key = (eq.id, eq.table, layout, by_column, tuple(k[term] for k in eq.lhs), tuple(k[term] for k in eq.rhs))
            groups.setdefault(key, []).append(eq.subject)
    return groups


def layout_case() -> str:
    """Table 三's layout from the row codes present, as Template.layout_of judges (else the first template), over
    one report's rows (column "row")."""
    from opendata.spec.template import TEMPLATE

    votes = {t: f"count(DISTINCT \"row\") FILTER (WHERE \"row\" IN ({', '.join(map(_s, sorted(codes)))}))"
             for t, codes in TEMPLATE.exclusive_codes("applications").items() if codes}
    cases = " ".join(f"WHEN {' AND '.join([f'{v} > 0'] + [f'{v} > {o}' for t2, o in votes.items() if t2 != t])} "
                     f"THEN {_s(t)}" for t, v in votes.items())
    return f"CASE {cases} ELSE {_s(TEMPLATE.templates[0])} END" if cases else _s(TEMPLATE.templates[0])


def _codes(terms) -> str:
    return ", ".join(map(_s, terms))


def _family_sql(table: str, by_column: bool, groups: dict[tuple, list[str]], tables: dict[str, str],
                layouts: str) -> str:
    """The equations of one table whose members lie on one axis (H1 and H2 over columns, H3 over rows), for every
    report they apply to: their two sums and the count of terms without a value, from one pass over the cells."""
    from opendata.spec.template import TEMPLATE

    row_key, col_key = TEMPLATE.cell_keys[table]
    member, term = map(_q, (col_key, row_key) if by_column else (row_key, col_key))
    sums = []
    chosen = _by_arithmetic()
    for i, (_, _, _, _, lhs, rhs) in enumerate(groups):
        for side, terms in (("l", lhs), ("r", rhs)):
            sums.append(f"sum(value) FILTER (WHERE {term} IN ({_codes(terms)})) AS {side}{i}, "
                        f"count(value) FILTER (WHERE {term} IN ({_codes(terms)})) AS {side}n{i}")
        by_arithmetic = f"reading IN ({_codes(chosen)})" if chosen and tables.get("reading") else "false"
        sums.append(f"count(*) FILTER (WHERE {term} IN ({_codes(lhs + rhs)}) AND {by_arithmetic}) AS c{i}")
    every_member = sorted({m for members in groups.values() for m in members})
    cte = (f"s AS MATERIALIZED (SELECT report_id, {member} AS member, {', '.join(sums)} FROM {tables[table]} "
           f"WHERE {member} IN ({_codes(every_member)}) GROUP BY ALL)")
    parts = []
    for i, ((check_id, _, layout, _, lhs, rhs), members) in enumerate(groups.items()):
        reports = (f"SELECT report_id FROM {layouts} WHERE layout = {_s(layout)}" if layout
                   else f"SELECT DISTINCT report_id FROM {tables[table]}")
        parts.append(
            f"SELECT m.report_id, {_s(check_id)} AS check_id, {_s(table + '.')} || m.member AS subject, "
            f"{len(lhs) + len(rhs)} - coalesce(s.ln{i}, 0) - coalesce(s.rn{i}, 0) AS missing, "
            f"coalesce(s.c{i}, 0) AS chosen, "
            f"CAST(coalesce(s.r{i}, 0) AS DOUBLE) AS rhs, CAST(coalesce(s.l{i}, 0) AS DOUBLE) AS lhs "
            f"FROM (SELECT report_id, unnest([{_codes(members)}]) AS member FROM ({reports})) m "
            f"LEFT JOIN s USING (report_id, member)")
    return f"(WITH {cte} {' UNION ALL '.join(parts)})"


def _by_arithmetic() -> list[str]:
    """The readings chosen with the identities (template.yaml `readings`, by_arithmetic)."""
    from opendata.spec.template import TEMPLATE

    return sorted(r["code"] for r in TEMPLATE.spec.get("readings", []) if r.get("by_arithmetic"))


def identity_sql(tables: dict[str, str], layouts: str) -> str:
    """H1-H4 of every report, recomputed as the checks compute them (checks.py): not assessable when a term has no
    value, else pass when the two sides are equal."""
    families: dict[tuple, dict] = {}
    for key, members in equation_groups().items():
        families.setdefault((key[1], key[3]), {})[key] = members
    parts = " UNION ALL ".join(f"SELECT * FROM {_family_sql(table, by_column, groups, tables, layouts)}"
                               for (table, by_column), groups in families.items())
    # An identity that holds over a cell whose reading it chose (split, joined...) agreed by construction:
    # used_to_read, as checks.py reports it.
    return (f"SELECT report_id, check_id, subject, CASE WHEN missing > 0 THEN 'not_assessable' "
            f"WHEN abs(rhs - lhs) < 1e-9 THEN CASE WHEN chosen > 0 THEN 'used_to_read' ELSE 'pass' END "
            f"ELSE 'fail' END AS result, "
            f"CASE WHEN missing = 0 THEN rhs END AS expected, CASE WHEN missing = 0 THEN lhs END AS actual, missing "
            f"FROM ({parts})")


def identities(con, tables: dict[str, str], source: str, only_mismatches: bool = False,
               keep: Callable[[str, bool], bool] | None = None, counts: Counter | None = None):
    """Recomputed identities joined with what the package publishes: (report_id, CheckResult, published result,
    whether they agree); only those `keep(result, agreed)` accepts, read in batches so that memory holds those
    alone; `counts` (result -> n) counts them all."""
    from opendata.model import CheckResult

    layouts = f"{tables['applications']}_layouts"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {layouts} AS SELECT report_id, {layout_case()} AS layout "
                f"FROM {tables['applications']} GROUP BY report_id")
    published = (f"SELECT report_id, check_id, subject, arg_max_null(result, __row) AS published "
                 f"FROM {tables['checks']} GROUP BY ALL")
    agree = "(p.published IS NOT DISTINCT FROM i.result)"
    cursor = con.execute(
        f"SELECT i.*, p.published FROM ({identity_sql(tables, layouts)}) i "
        f"LEFT JOIN ({published}) p USING (report_id, check_id, subject) "
        f"{f'WHERE NOT {agree}' if only_mismatches else ''}")
    out = []
    while rows := cursor.fetchmany(100_000):
        for report_id, check_id, subject, result, expected, actual, missing, published in rows:
            agreed = published == result
            if counts is not None:
                counts[result] += 1
            if keep is not None and not keep(result, agreed):
                continue
            message = "" if agreed and result in ("pass", "used_to_read") else _identity_message(result, expected, actual, missing, source)
            out.append((report_id, CheckResult(check_id, subject, result, expected, actual, message), published, agreed))
    return out


def _identity_message(result: str, expected, actual, missing: int, source: str) -> str:
    if result == "not_assessable":
        return f"{missing} term(s) without a value (recomputed from {source})"
    return f"left side {actual:g}, right side {expected:g} (recomputed from {source})"


# The whole package -----------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    findings: list[Finding]
    identity_results: list  # (report_id, CheckResult) recomputed from the Parquet files
    mismatches: list  # (report_id, CheckResult, published result) from the Parquet or the CSV files
    identity_counts: dict  # result -> identities recomputed from the Parquet files with it


GROUP_ROWS = 1_500_000  # Parquet rows of a partitioned package checked at once: DuckDB's memory stays flat


def check_package(descriptor: Path, progress: Callable[..., None] | None = None, results: bool | str = True,
                  only: set[str] | None = None) -> Outcome:
    """Every finding of the package; `progress(done, total=None)` hears of each step (a resource loaded, its
    checks, its CSV = Parquet comparison, its integrity, the identities). Identity results kept: every one (True),
    the failures ("failures"), or none (False); mismatches and counts always (a 100k package has ~4M results).

    A large partitioned package is checked in groups of consecutive parts (about GROUP_ROWS rows, each with the
    whole resources beside them: every check is within a report's rows, which are in one part, except the foreign
    keys and partition checks, which look reports up in the whole reports resource). `only`: the files a rebuild
    rewrote (paths under the package): only the parts of their year=/province= keys are checked, and of the
    resources kept whole those rewritten or looked up by a foreign key."""
    from opendata.publish.parts_writer import WHOLE, part_key

    resources = {r.name: r for r in load_resources(descriptor)}
    keys = None if only is None else {part_key(p) for p in only} - {WHOLE}
    if only is not None:
        resources = {n: r for n, r in resources.items()
                     if r.parts or _checked_whole(r, only, descriptor.parent, resources)}
    groups = [keys] if keys is not None else part_groups(resources)
    checked = {name: r.cut(keys) for name, r in resources.items()}
    step = progress or _no_progress
    step(0, len(groups) * (2 * len(resources) + _pairs(resources) + 1) + len(resources))
    findings, identity = [], ([], [], Counter())
    with tempfile.TemporaryDirectory(prefix="opendata-validate-") as tmp, ThreadPoolExecutor(2) as pool:
        infos = {r.name: pool.submit(file_info, r.paths, descriptor.parent) for r in checked.values() if not r.empty}
        for n, group in enumerate(groups):
            found, (kept, mismatches, counts) = _check_group({k: r.cut(group) for k, r in resources.items()}, tmp,
                                                             step, n == 0, results)
            findings += found
            identity[0].extend(kept)
            identity[1].extend(mismatches)
            identity[2].update(counts)
        for res in checked.values():
            findings += _found(res.name, _safely(lambda: _file_findings(res, infos.get(res.name))))
            step(1)
    return Outcome(_limited(list(dict.fromkeys(findings))), identity[0], identity[1], dict(identity[2]))


def _checked_whole(res: Resource, only: set[str], root: Path, resources: dict[str, Resource]) -> bool:
    """A resource kept whole is checked after a rebuild when it was rewritten or is looked up by a foreign key."""
    if any(p.relative_to(root).as_posix() in only for p in res.paths):
        return True
    name = res.name.removesuffix("-parquet")
    return any((fk.get("reference") or {}).get("resource") == name
               for r in resources.values() for fk in r.schema.get("foreignKeys") or [])


def part_groups(resources: dict[str, Resource]) -> list[set[str] | None]:
    """Consecutive year=/province= keys of about GROUP_ROWS Parquet rows each; [None] (the whole package at once)
    when there is one group or no part."""
    from opendata.publish.parts_writer import part_key

    rows: dict[str, int] = {}
    for r in resources.values():
        if r.parts and r.format == "parquet":
            for p in r.parts:
                rows[part_key(p["path"])] = rows.get(part_key(p["path"]), 0) + (p.get("x-rows") or 0)
    groups: list[set[str]] = []
    held = 0
    for key in sorted(rows):
        if not groups or (held + rows[key] > GROUP_ROWS and groups[-1]):
            groups.append(set())
            held = 0
        groups[-1].add(key)
        held += rows[key]
    return groups if len(groups) > 1 else [None]


def _check_group(resources: dict[str, Resource], tmp: str, step: Callable[..., None], first: bool,
                 results: bool | str) -> tuple[list[Finding], tuple]:
    """The Table Schema checks, CSV = Parquet and identities of one group of parts, in a DuckDB of its own (its
    memory freed after); the whole resources' own findings are kept from the first group only."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET temp_directory = {_s(tmp)}")  # spills stay in a private temporary folder
    # The typed CSV tables are ~55 MB per 1,000 reports: past this, DuckDB spills them rather than holding a
    # large package in memory (its default is 80 % of the machine's RAM).
    con.execute(f"SET memory_limit = {_s(MEMORY_LIMIT)}")
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar on stderr (ours is scale/progress.py)
    try:
        findings, loaded = table_findings(con, resources, step)
        if not first:
            findings = [f for f in findings if resources[f.resource].parts is not None]
        outcome = identity_outcome(con, {n: resources[n] for n in loaded}, findings, results)
        step(1)
    finally:
        con.close()
    return findings, outcome


def _file_findings(res: Resource, info) -> list[tuple]:
    """Hash and bytes of the resource's files; a partitioned resource's row count against its parts'."""
    out = integrity_findings(res, info.result()) if info is not None else []
    if res.parts and res.rows is not None and res.offset == 0 and not res.empty:
        total = sum(p.get("x-rows") or 0 for p in res.parts)
        if total != res.rows:
            out.append((None, "row-count", None, f'expected is "{res.rows}" and actual is "{total}" (its parts)'))
    return out


def _no_progress(done: int, total: int | None = None) -> None:
    pass


def _pairs(resources: dict[str, Resource]) -> int:
    """CSV resources with a Parquet twin: each is compared with it."""
    return sum(1 for r in resources.values() if r.format == "csv" and f"{r.name}-parquet" in resources)


def _found(resource: str, rows: list[tuple]) -> list[Finding]:
    return [Finding(resource, row, kind, field or None, note or "") for row, kind, field, note in rows]


def _safely(run) -> list[tuple]:
    """A check that cannot read its file is one finding (frictionless' scheme/source errors), not a crash."""
    import duckdb

    try:
        return run()
    except (duckdb.Error, OSError, UnicodeDecodeError, csv.Error, StopIteration) as exc:
        return [(None, "source-error", None, (str(exc).strip().splitlines() or [type(exc).__name__])[0])]


def table_findings(con, resources: dict[str, Resource],
                   step: Callable[..., None] = _no_progress) -> tuple[list[Finding], list[str]]:
    """Every resource's Table Schema checks and the CSV = Parquet comparison; also returns the resources loaded."""
    findings, loaded = [], []
    for res in resources.values():
        findings += _found(res.name, _safely(lambda: _load(con, res, loaded)))
        step(1)
    tables = {name: resources[name].table for name in loaded}
    for name in loaded:
        res = resources[name]
        extra = _EXTRA_COLUMNS if res.format == "csv" else 0
        findings += _found(name, _safely(lambda: row_findings(con, res, extra) + unique_findings(con, res)
                                         + primary_key_findings(con, res) + foreign_key_findings(con, res, tables)
                                         + row_count_findings(con, res)
                                         + partition_findings(con, res, _reports_table(res, tables))))
        step(1)
    for name in loaded:
        twin = f"{name}-parquet"
        if resources[name].format == "csv" and twin in loaded:
            findings += _found(name, _safely(lambda: pair_findings(con, resources[name], resources[twin])))
            step(1)
    step(len(resources) - len(loaded) + _pairs(resources) - _pairs({n: resources[n] for n in loaded}))  # skipped
    return _limited(findings), loaded


def _reports_table(res: Resource, tables: dict[str, str]) -> str | None:
    """The reports table in the resource's own format (the CSV one for a CSV resource)."""
    return tables.get("reports" if res.format == "csv" else "reports-parquet")


def _load(con, res: Resource, loaded: list[str]) -> list[tuple]:
    if res.format == "csv":
        labels = csv_header(res.paths[0])
        load_csv(con, res)
    else:
        labels = load_parquet(con, res)
    loaded.append(res.name)
    return label_findings(labels, res)


def _limited(findings: list[Finding]) -> list[Finding]:
    """At most LIMIT_ERRORS findings per resource, first rows first (file-level findings kept)."""
    by_resource: dict[str, list[Finding]] = {}
    for f in findings:
        by_resource.setdefault(f.resource, []).append(f)
    out = []
    for items in by_resource.values():
        rows = sorted((f for f in items if f.row is not None), key=lambda f: f.row)
        out += [f for f in items if f.row is None] + rows[:LIMIT_ERRORS]
    return out


MEMORY_LIMIT = "1GB"  # DuckDB's while validating: bounds a build's peak memory whatever the package size
IDENTITY_RESOURCES = ("applications", "review_litigation", "checks")


def identity_outcome(con, resources: dict[str, Resource], findings: list[Finding],
                     keep: bool | str = True) -> tuple[list, list, dict]:
    """Identities recomputed from the Parquet files (the results `keep` asks for: see check_package, and the count
    of each result) and from the CSV files (disagreements only; when the CSV files hold the Parquet files' values,
    their identities are the same and are not recomputed)."""
    csv_differs = any(f.type == MISMATCH and f.resource in IDENTITY_RESOURCES for f in findings)
    results, mismatches, counts = [], [], Counter()
    for suffix, only_mismatches in (("-parquet", False), ("", True)):
        names = {n: n + suffix for n in IDENTITY_RESOURCES}
        if not all(v in resources for v in names.values()) or (only_mismatches and not csv_differs):
            continue
        tables = {n: _unique_cells(con, resources[v], findings) for n, v in names.items()}
        if any(f["name"] == "reading" for f in resources[names["applications"]].fields):
            tables["reading"] = "yes"  # the cells say how each value was read
        source = "the Parquet files" if suffix else "the CSV files"
        wanted = None if only_mismatches else _KEPT[keep]
        found = identities(con, tables, source, only_mismatches, wanted, None if only_mismatches else counts)
        if not only_mismatches:
            results = [(rid, c) for rid, c, _, agreed in found if keep is True or (keep and c.result == "fail")]
        seen = {(rid, c.check_id, c.subject, c.result) for rid, c, _ in mismatches}
        mismatches += [(rid, c, published) for rid, c, published, agreed in found
                       if not agreed and (rid, c.check_id, c.subject, c.result) not in seen]
    return results, mismatches, dict(counts)


# Which recomputed identities are turned into objects: (result, agrees with the package) -> kept
_KEPT = {True: None, "failures": lambda result, agreed: result == "fail" or not agreed,
         False: lambda result, agreed: not agreed}


def _unique_cells(con, res: Resource, findings: list[Finding]) -> str:
    """The resource's table, or when it repeats a primary key, a view keeping the last row of each key (as a
    report's cells keep the last cell read for a key)."""
    if not any(f.resource == res.name and f.type == "primary-key" for f in findings):
        return res.table
    key = res.schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    others = [f["name"] for f in res.fields if f["name"] not in key] + ["__row"]
    last = ", ".join(f"arg_max_null({_q(n)}, __row) AS {_q(n)}" for n in others)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {res.table}_last AS SELECT {', '.join(map(_q, key))}, {last} "
                f"FROM {res.table} GROUP BY ALL")
    return f"{res.table}_last"


def validate_sql(package: Path, progress: Callable[..., None] | None = None, results: bool | str = True,
                 only: set[str] | None = None):
    """`opendata validate`'s default engine: a Validation as validate.py's frictionless path returns it (`only`:
    the files a rebuild rewrote, see check_package)."""
    from opendata.publish.package import descriptor_path
    from opendata.publish.validate import Validation

    outcome = check_package(descriptor_path(package), progress, results, only)
    result = Validation(not outcome.findings, [str(f) for f in outcome.findings])
    result.identity_results = outcome.identity_results
    result.identity_counts = outcome.identity_counts
    result.mismatches = outcome.mismatches
    result.findings = outcome.findings
    return result


def frictionless_findings(descriptor: Path) -> list[Finding]:
    """The reference: frictionless' own findings as Findings, plus the Parquet files' x-hash / x-bytes."""
    import frictionless

    report = frictionless.validate(str(descriptor))
    out = [Finding(task.name, e.to_dict().get("rowNumber"), e.type, e.to_dict().get("fieldName") or None,
                   e.to_dict().get("note", "")) for task in report.tasks for e in task.errors]
    for res in load_resources(descriptor):
        if res.format == "parquet":
            info = file_info(res.paths, descriptor.parent)
            out += _found(res.name, _safely(lambda: integrity_findings(res, info)))
        if res.rows is not None:  # x-rows, which frictionless does not read
            out += _found(res.name, _x_rows(res))
    return out


def _x_rows(res: Resource) -> list[tuple]:
    import duckdb

    if res.format == "csv":
        with open(res.paths[0], encoding="utf-8-sig", newline="") as f:
            n = sum(1 for _ in csv.reader(f)) - 1
    else:
        files = "[" + ", ".join(_s(p) for p in res.paths) + "]"
        (n,) = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet({files}, hive_partitioning=false)").fetchone()
    return [] if n == res.rows else [(None, "row-count", None, f'expected is "{res.rows}" and actual is "{n}"')]
