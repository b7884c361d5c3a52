"""Validation and query speed on large synthetic PACKAGES, side by side with the obvious alternatives.

  python scripts/benchmark_query.py --reports 10000 [--validate-reports 10000] [--out docs/benchmarks.md]

1. A synthetic package of N reports is written directly (pyarrow for Parquet, DuckDB for CSV): both templates,
   template-consistent values (H1-H4 hold in every report; the checks resource says so), region codes, scopes and
   a few `duplicate_of` second sources, so that every view and metric has work to do.
2. Validation: `opendata validate` (DuckDB engine) vs `frictionless validate` on the same package.
3. Query: `opendata compare` and `opendata query` (cold, whole process) vs sqlite3 on a loaded database and pandas
   on the Parquet files, computing the same ranking.
Each engine runs in its own process (wall time, peak RSS). scripts/benchmark.py calls `run()` for its query and
validation section. Nothing is asserted; the figures are ratios measured side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEARS = list(range(2019, 2026))
REGIONS = [("350400", "福建省三明市"), ("350300", "福建省莆田市"), ("350128", "福建省平潭综合实验区"),
           ("321323", "江苏省宿迁市泗阳县"), ("320829", "江苏省淮安市洪泽区"), ("310000", "上海市"),
           ("510500", "四川省泸州市"), ("110000", "北京市")]
RESOURCES = ["reports", "proactive_disclosure", "applications", "review_litigation", "checks", "codebook"]


# The synthetic package -------------------------------------------------------------------------------------------------
def _reports(n: int, rng):
    """(report_id, year, template, region code, region name, scope, agency) for n reports, in report_id order."""
    import numpy as np

    years = np.sort(rng.choice(YEARS, size=n))
    regions = rng.integers(0, len(REGIONS), size=n)
    agency = rng.random(n) < 0.7
    out = []
    for i in range(n):
        code, name = REGIONS[regions[i]]
        scope = "agency" if agency[i] else "jurisdiction"
        body = f"{name}第{i % 97}局" if agency[i] else f"{name}人民政府"
        year = int(years[i])
        out.append((f"{year}_synth_{i:07d}", year, "2019" if year <= 2020 else "2021", code, name, scope, body))
    return out


def _applications(reports, rng):
    """Table 三 values (report, row, applicant) satisfying H1-H3, and the H1-H3 check rows."""
    import numpy as np

    from opendata.spec.template import TEMPLATE

    applicants = [c.code for c in TEMPLATE.table("applications").codes("columns")]
    cells, checks = [], []
    for layout in TEMPLATE.templates:
        ids = [r[0] for r in reports if r[2] == layout]
        if not ids:
            continue
        rows = [r.code for r in TEMPLATE.application_value_rows(layout)]
        outcome = [i for i, r in enumerate(TEMPLATE.application_value_rows(layout)) if r.get("outcome")]
        v = np.zeros((len(ids), len(rows), 7), dtype=np.int64)
        busy = rng.random((len(ids), len(outcome), 6)) < 0.25  # mostly-zero tables, as real ones are
        v[:, outcome, :6] = rng.integers(1, 400, size=busy.shape) * busy
        total, forward = rows.index("result_total"), rows.index("carried_forward")
        v[:, total, :6] = v[:, outcome, :6].sum(axis=1)
        v[:, forward, :6] = rng.integers(0, 20, size=(len(ids), 6))
        over = rows.index("carried_over")
        v[:, over, :6] = rng.integers(0, 20, size=(len(ids), 6)) % (v[:, total, :6] + v[:, forward, :6] + 1)
        v[:, rows.index("new_requests"), :6] = v[:, total, :6] + v[:, forward, :6] - v[:, over, :6]
        v[:, :, 6] = v[:, :, :6].sum(axis=2)
        cells.append((ids, rows, applicants, v))
        checks += _identity_checks(ids, layout, rows, applicants, v)
    return cells, checks


def _identity_checks(ids, layout, rows, columns, v):
    from opendata.spec.identities import equations

    out = []
    for eq in equations({"applications": layout}):
        if eq.table != "applications":
            continue
        lhs = sum(v[:, rows.index(r), columns.index(c)] for r, c in eq.lhs)
        out.append((ids, eq.id, f"applications.{eq.subject}", lhs))
    return out


def _review(reports, rng):
    from opendata.spec.template import TEMPLATE

    t4 = TEMPLATE.table("review_litigation")
    blocks, outcomes = [b.code for b in t4.codes("blocks")], [o.code for o in t4.codes("outcomes")]
    v = rng.integers(0, 6, size=(len(reports), len(blocks), len(outcomes))) * (rng.random((len(reports), 3, 1)) < 0.3)
    v[:, :, outcomes.index("total")] = v[:, :, [outcomes.index(o) for o in ("upheld", "corrected", "other", "pending")]].sum(axis=2)
    ids = [r[0] for r in reports]
    checks = [(ids, "H4", f"review_litigation.{b}", v[:, i, outcomes.index("total")]) for i, b in enumerate(blocks)]
    return [(ids, blocks, outcomes, v)], checks


def _proactive(reports, rng):
    import numpy as np

    from opendata.spec.template import TEMPLATE

    out = []
    for layout in TEMPLATE.templates:
        ids = [r[0] for r in reports if r[2] == layout]
        pairs = [(i, m) for part in TEMPLATE.proactive_layout(layout) for i in part["items"] for m in part["measures"]]
        if ids:
            out.append((ids, pairs, rng.integers(0, 300, size=(len(ids), len(pairs))).astype(np.float64)))
    return out


def _strings(values: list[str], indices):
    """A string column from a small vocabulary and an index per row (built as a dictionary, then decoded)."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values)).cast(pa.string())


def _long(ids: list[str], rows: list[str], cols: list[str], values, key_names: tuple[str, str], ref_base: int):
    """A long table (report_id, row key, column key, value, status, raw, source_ref) in report-major order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n, r, c = len(ids), len(rows), len(cols)
    flat = pa.array(values.reshape(-1))
    line = pa.array(np.tile(np.arange(ref_base, ref_base + r * c), n)).cast(pa.string())
    report = _strings(ids, np.repeat(np.arange(n), r * c))
    ref = pc.binary_join_element_wise("sources/synth/", report, ".txt#L", line, "")
    return pa.table({"report_id": report, key_names[0]: _strings(rows, np.tile(np.repeat(np.arange(r), c), n)),
                     key_names[1]: _strings(cols, np.tile(np.arange(c), n * r)), "value": flat,
                     "status": pa.array(["reported"] * len(flat)), "raw": pc.cast(flat, pa.string()),
                     "source_ref": ref})


def _proactive_table(groups):
    """Table 二: one row per report and (item, measure) pair of its layout; about one cell in ten blank."""
    import numpy as np
    import pyarrow as pa

    from opendata.spec.template import TEMPLATE

    table2 = TEMPLATE.table("proactive_disclosure")
    parts = []
    for ids, pairs, v in groups:
        long = _long(ids, [str(k) for k in range(len(pairs))], ["x"], v[:, :, None], ("pair", "x"), 100)
        k = np.tile(np.arange(len(pairs)), len(ids))
        items, measures = sorted({i for i, _ in pairs}), sorted({m for _, m in pairs})
        units = sorted({table2.code("measures", m).unit for m in measures})
        item = np.array([items.index(i) for i, _ in pairs])[k]
        measure = np.array([measures.index(m) for _, m in pairs])[k]
        unit = np.array([units.index(table2.code("measures", m).unit) for _, m in pairs])[k]
        blank = pa.array(np.arange(len(k)) % 10 == 7)
        parts.append(pa.table({
            "report_id": long["report_id"], "item": _strings(items, item), "measure": _strings(measures, measure),
            "value": pa.compute.if_else(blank, None, long["value"]), "unit": _strings(units, unit),
            "status": pa.compute.if_else(blank, "blank", long["status"]),
            "raw": pa.compute.if_else(blank, None, long["raw"]), "source_ref": long["source_ref"]}))
    return pa.concat_tables(parts)


def _checks_table(checks):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for ids, check_id, subject, lhs in checks:
        value = pa.array(lhs.astype(np.float64))
        parts.append(pa.table({"report_id": pa.array(ids), "check_id": pa.array([check_id] * len(ids)),
                               "subject": pa.array([subject] * len(ids)), "expected": value, "actual": value,
                               "result": pa.array(["pass"] * len(ids)),
                               "message": pc.binary_join_element_wise(pc.cast(value, pa.string()), " = ",
                                                                      pc.cast(value, pa.string()), "")}))
    return pa.concat_tables(parts).sort_by([("report_id", "ascending"), ("check_id", "ascending")])


def _level(report) -> str:
    """The rank of the issuing body as reports.level publishes it (a body of a government is a department)."""
    code, scope = report[3], report[5]
    if scope == "agency":
        return "department"
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def _reports_table(reports):
    import hashlib

    import pyarrow as pa

    ids = [r[0] for r in reports]
    return pa.table({
        "report_id": ids, "year": [r[1] for r in reports], "region_code": [r[3] for r in reports],
        "region_name": [r[4] for r in reports], "agency": [r[6] for r in reports], "scope": [r[5] for r in reports],
        "level": [_level(r) for r in reports], "template": [r[2] for r in reports], "title": [f"{r[6]}{r[1]}年政府信息公开工作年度报告" for r in reports],
        "source_path": [f"sources/synth/{i}.txt" for i in ids],
        "source_sha256": [hashlib.sha256(i.encode()).hexdigest() for i in ids],
        "source_format": ["text"] * len(ids), "script": ["simplified"] * len(ids),
        "origin_url": [None] * len(ids),
        # every 100th report is a second source of the one before (comparisons leave it out)
        "duplicate_of": [ids[k - 1] if k % 100 == 99 else None for k in range(len(ids))],
    })


def _write(table, name: str, out: Path) -> dict:
    """One resource as Parquet (pyarrow, typed from its Table Schema) and CSV (DuckDB); its descriptor entries."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from opendata.spec.schemas import table_schema

    schema = table_schema(name)
    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64()}
    arrow = pa.schema([pa.field(f["name"], types[f["type"]]) for f in schema["fields"]])
    for f in arrow:  # a field the generator does not fill (added to the schema since) is published empty
        if f.name not in table.column_names:
            table = table.append_column(f.name, pa.nulls(table.num_rows, f.type))
    table = table.select(arrow.names).cast(arrow)
    (out / "schemas" / f"{name}.schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=1))
    pq.write_table(table, out / "data" / f"{name}.parquet", compression="zstd")
    con = duckdb.connect()
    con.register("t", table)
    con.execute(f"COPY t TO '{out / 'data' / f'{name}.csv'}' (HEADER, DELIMITER ',')")
    con.close()
    entries = []
    for fmt in ("csv", "parquet"):
        path = f"data/{name}.{fmt}"
        info = _file_info(out / path)
        entry = {"name": name if fmt == "csv" else f"{name}-parquet", "type": "table", "path": path, "format": fmt,
                 "schema": f"schemas/{name}.schema.json"}
        entry.update(info if fmt == "csv" else {f"x-{k}": v for k, v in info.items()})
        entries.append(entry)
    return entries


def _file_info(path: Path) -> dict:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return {"hash": f"sha256:{digest.hexdigest()}", "bytes": path.stat().st_size}


def synthetic_package(n_reports: int, out: Path, seed: int = 12) -> Path:
    """Write a package of n synthetic reports to `out` (replaced); returns it."""
    import shutil

    import numpy as np
    import pyarrow as pa

    from opendata.spec import codebook

    rng = np.random.default_rng(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    (out / "schemas").mkdir()
    reports = _reports(n_reports, rng)
    apps, checks3 = _applications(reports, rng)
    review, checks4 = _review(reports, rng)
    tables = {
        "reports": _reports_table(reports),
        "proactive_disclosure": _proactive_table(_proactive(reports, rng)),
        "applications": pa.concat_tables([_long(*g, ("row", "applicant"), 200) for g in apps]),
        "review_litigation": _long(*review[0], ("block", "outcome"), 300),
        "checks": _checks_table(checks3 + checks4),
        "codebook": pa.Table.from_pylist(codebook.rows()),
    }
    resources = [entry for name in RESOURCES for entry in _write(tables[name], name, out)]
    descriptor = {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": "synthetic",
                  "title": f"{n_reports} synthetic reports", "resources": resources}
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1))
    return out


# Engines, each in its own process (wall time, CPU time, peak RSS) -----------------------------------------------------
SQLITE_RANKING = (  # the ranking `opendata compare substantive_disclosure_rate --year Y` computes, in plain SQL
    "select r.report_id, r.region_name, r.agency, r.scope, "
    "sum(case when a.row in ('granted', 'partially_granted') then a.value end) as numerator, "
    "sum(case when a.row = 'result_total' then a.value end) as denominator "
    "from reports r join applications a on a.report_id = r.report_id and a.applicant = 'total' "
    "where r.year = {year} and r.duplicate_of is null group by r.report_id having denominator >= 30 "
    "order by 100.0 * numerator / denominator desc")


def _opendata(*args: str) -> list[str]:
    return [sys.executable, "-m", "opendata.cli", *args]


def commands(pkg: Path, year: int) -> dict[str, list[str]]:
    here = [sys.executable, __file__]
    return {
        "opendata validate": _opendata("validate", str(pkg)),
        "frictionless validate": [str(Path(sys.executable).with_name("frictionless")), "validate",
                                  str(pkg / "datapackage.json")],
        "opendata compare": _opendata("compare", "substantive_disclosure_rate", "--year", str(year), "-p", str(pkg),
                                      "-f", "csv"),
        "opendata query select 1": _opendata("query", "select 1", "-p", str(pkg), "-f", "csv"),
        "opendata query count": _opendata("query", "select count(*) from applications", "-p", str(pkg), "-f", "csv"),
        "sqlite3 (loaded db)": [*here, "--engine", "sqlite3", "--package", str(pkg), "--year", str(year)],
        "sqlite3 load": [*here, "--engine", "sqlite3-load", "--package", str(pkg), "--year", str(year)],
        "pandas": [*here, "--engine", "pandas", "--package", str(pkg), "--year", str(year)],
    }


def measure(command: list[str]) -> dict:
    """Wall and CPU seconds and peak RSS of a command run in its own process (GNU time's %e %U %S %M)."""
    import tempfile

    with tempfile.NamedTemporaryFile("r") as out:
        t = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", out.name, *command],
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        fields = out.read().split()[-4:]
    return {"wall": wall, "cpu": float(fields[1]) + float(fields[2]), "peak_mb": int(fields[3]) / 1024,
            "exit": proc.returncode, "stdout_lines": len(proc.stdout.splitlines())}


def sqlite_db(pkg: Path) -> Path:
    """The package's reports and applications loaded into a sqlite3 file once (the alternative's setup)."""
    import csv
    import sqlite3

    from opendata.spec.schemas import table_schema

    db = pkg.parent / f"{pkg.name}.sqlite"
    if db.exists():
        return db
    con = sqlite3.connect(db)
    for name in ("reports", "applications"):
        with open(pkg / "data" / f"{name}.csv", encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            types = {f["name"]: {"integer": "INTEGER", "number": "REAL"}.get(f["type"], "TEXT")
                     for f in table_schema(name)["fields"]}
            con.execute(f"create table {name} ({', '.join(f'{h} {types[h]}' for h in header)})")
            con.executemany(f"insert into {name} values ({', '.join('?' * len(header))})",
                            ([None if v == "" else v for v in row] for row in reader))
    con.execute("create index applications_report on applications (report_id)")
    con.commit()
    con.close()
    return db


def child(engine: str, pkg: Path, year: int) -> None:
    """The alternatives, run as `benchmark_query.py --engine NAME`: print the ranking's row count."""
    if engine in ("sqlite3", "sqlite3-load"):
        import sqlite3

        if engine == "sqlite3-load":
            sqlite_db(pkg)
            return
        con = sqlite3.connect(sqlite_db(pkg))
        print(len(con.execute(SQLITE_RANKING.format(year=year)).fetchall()))
    elif engine == "pandas":
        import pandas as pd

        reports = pd.read_parquet(pkg / "data" / "reports.parquet", filters=[("year", "=", year)])
        reports = reports[reports.duplicate_of.isna()]
        apps = pd.read_parquet(pkg / "data" / "applications.parquet", filters=[("applicant", "=", "total")])
        apps = apps[apps.report_id.isin(reports.report_id)]
        wide = apps.pivot_table(index="report_id", columns="row", values="value", aggfunc="max")
        wide["numerator"] = wide["granted"] + wide["partially_granted"]
        ranked = wide[wide.result_total >= 30]
        print(len((100 * ranked.numerator / ranked.result_total).sort_values(ascending=False)))


# The run -----------------------------------------------------------------------------------------------------------
def _row(name: str, r: dict, base: dict) -> str:
    return (f"| {name} | {r['wall']:.2f} s | {r['cpu']:.2f} s | {r['peak_mb']:.0f} MB | "
            f"{r['wall'] / base['wall']:.2f} | {r['cpu'] / base['cpu']:.2f} |")


def validation_section(n: int, work: Path) -> str:
    pkg = synthetic_package(n, work / f"pkg-{n}")
    rows = {name: measure(cmd) for name, cmd in commands(pkg, 2023).items() if "validate" in name}
    base = rows["opendata validate"]
    lines = [f"### Validation, {n:,} synthetic reports ({_size(pkg)})", "",
             "| command | wall | CPU | peak RSS | wall / opendata | CPU / opendata |", "|---|---|---|---|---|---|"]
    lines += [_row(name, r, base) for name, r in rows.items()]
    lines += ["", f"`frictionless validate` / `opendata validate`: **{rows['frictionless validate']['wall'] / base['wall']:.0f}x** "
              f"wall, {rows['frictionless validate']['cpu'] / base['cpu']:.0f}x CPU (exit codes "
              f"{base['exit']} and {rows['frictionless validate']['exit']}: both find the package valid when 0)."]
    return "\n".join(lines)


def query_section(n: int, work: Path, year: int = 2023) -> str:
    pkg = synthetic_package(n, work / f"pkg-{n}")
    cmds = commands(pkg, year)
    measure(cmds["sqlite3 load"])  # the alternative's one-off load, not counted in its query time
    names = ["opendata compare", "opendata query select 1", "opendata query count", "sqlite3 (loaded db)", "pandas"]
    rows = {name: measure(cmds[name]) for name in names}
    base = rows["opendata compare"]
    lines = [f"### Query, {n:,} synthetic reports ({_size(pkg)}), cold processes", "",
             f"`opendata compare substantive_disclosure_rate --year {year}` against the same ranking in sqlite3 (the "
             "CSV loaded once into an indexed database file beforehand) and pandas (Parquet read with filters); "
             "whole processes, imports included.", "",
             "| command | wall | CPU | peak RSS | wall / compare | CPU / compare |", "|---|---|---|---|---|---|"]
    lines += [_row(name, r, base) for name, r in rows.items()]
    return "\n".join(lines)


def _size(pkg: Path) -> str:
    import pyarrow.parquet as pq

    rows = pq.read_metadata(pkg / "data" / "applications.parquet").num_rows
    mb = sum(p.stat().st_size for p in (pkg / "data").iterdir()) / 1e6
    return f"{rows:,} application rows, {mb:.0f} MB of CSV and Parquet"


def run(reports: int = 100_000, validate_reports: int = 10_000, work: Path = Path("/tmp/opendata-bench-query")) -> str:
    """The query and validation section of docs/benchmarks.md (scripts/benchmark.py calls this)."""
    import platform

    work.mkdir(parents=True, exist_ok=True)
    head = (f"## Validation and query at scale (scripts/benchmark_query.py)\n\n`python scripts/benchmark_query.py "
            f"--reports {reports} --validate-reports {validate_reports}`; {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}. Each command is its own process; wall, CPU "
            f"(user + system) and peak RSS from GNU time.")
    return "\n\n".join([head, validation_section(validate_reports, work), query_section(reports, work)])


MARK_START, MARK_END = "<!-- benchmark_query:start -->", "<!-- benchmark_query:end -->"


def write_section(text: str, doc: Path) -> None:
    """Replace (or append) this script's marked section of docs/benchmarks.md, leaving the rest as it is."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    if MARK_START in old:
        new = old[:old.index(MARK_START)] + block + old[old.index(MARK_END) + len(MARK_END):]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    doc.write_text(new, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=100_000, help="reports in the package queried")
    ap.add_argument("--validate-reports", type=int, default=10_000, help="reports in the package validated")
    ap.add_argument("--work", type=Path, default=Path("/tmp/opendata-bench-query"))
    ap.add_argument("--out", type=Path, help="write the section into this file (docs/benchmarks.md)")
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--package", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--year", type=int, default=2023, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.engine:
        return child(args.engine, args.package, args.year)
    text = run(args.reports, args.validate_reports, args.work)
    print(text)
    if args.out:
        write_section(text, args.out)


if __name__ == "__main__":
    main()
