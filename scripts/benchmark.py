"""Speed and memory of opendata, side by side with the obvious alternatives.

  python scripts/benchmark.py [--scale N] [--repeat R] [--out FILE]

1. Extraction: every bundled report read R times; reports per second per source format.
2. Querying a package N times the size of the bundled one (rows replicated with new report ids):
   `opendata query` (DuckDB over the Parquet files in place) vs sqlite3 (load the CSVs, then query) vs pandas
   (read the Parquet files, then compute); wall time and peak memory, each engine in its own process.
3. Validation of the same package: `opendata validate` (Frictionless + identities) vs `frictionless validate` alone.
Figures are ratios against the alternative run on the same machine in the same run; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = (
    "select r.year, r.scope, count(distinct r.report_id) as reports, sum(a.value) as requests, "
    "sum(g.value) as granted from reports r join applications a on a.report_id = r.report_id "
    "and a.row = 'new_requests' and a.applicant = 'total' "
    "left join applications g on g.report_id = r.report_id and g.row = 'granted' and g.applicant = 'total' "
    "group by r.year, r.scope order by r.year, r.scope"
)


def extraction(repeat: int) -> dict[str, dict]:
    from opendata.extract import manifest
    from opendata.pipeline import extract
    from opendata.read import UnsupportedFormat

    rows = manifest.load(ROOT / "sources" / "manifest.csv")
    per_format: dict[str, list[float]] = defaultdict(list)
    for path, row in sorted(rows.items()):
        for _ in range(repeat):
            t = time.perf_counter()
            try:
                extract(path, row)
            except UnsupportedFormat:
                break
            per_format[row["format"]].append(time.perf_counter() - t)
    return {fmt: {"reports": len(ts) // repeat, "seconds_per_report": sum(ts) / len(ts),
                  "reports_per_second": len(ts) / sum(ts)} for fmt, ts in sorted(per_format.items())}


def scaled_package(source: Path, scale: int, out: Path) -> Path:
    """A copy of `source` with every report's rows repeated `scale` times under new report ids."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from opendata.publish.writers import file_info, write_csv

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        if r["format"] != "parquet" or r["name"].startswith("codebook"):
            continue
        name = r["name"].removesuffix("-parquet")
        table = pq.read_table(source / r["path"])
        copies = [table.set_column(0, "report_id", pc.binary_join_element_wise(table["report_id"], pa.scalar(f"~{i}"), ""))
                  for i in range(scale)]
        big = pa.concat_tables(copies)
        pq.write_table(big, out / r["path"], compression="zstd")
        schema = json.loads((out / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        write_csv(big.to_pylist(), schema, out / "data" / f"{name}.csv")
    for r in descriptor["resources"]:
        info = file_info(out / r["path"])
        if "hash" in r:
            r.update(info)
        else:
            r.update({f"x-{k}": v for k, v in info.items()})
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


# Engines, each run in a child process so that its peak memory is its own. Each engine prepares (imports, opens or
# loads the data) and returns a function that answers the query; both phases are timed.
def engine_duckdb(pkg: Path):
    from opendata.query.connection import connect

    con = connect(pkg)  # views over the Parquet files in place: nothing is loaded up front
    return lambda: len(con.execute(QUERY).fetchall())


def engine_sqlite(pkg: Path):
    import csv
    import sqlite3

    con = sqlite3.connect(":memory:")
    for name in ("reports", "applications"):
        with open(pkg / "data" / f"{name}.csv", encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            con.execute(f"create table {name} ({', '.join(header)})")
            con.executemany(f"insert into {name} values ({', '.join('?' * len(header))})", reader)
    # CSV gives text; cast like the typed Parquet columns so the results agree.
    sql = QUERY.replace("sum(a.value)", "sum(cast(a.value as integer))").replace("sum(g.value)", "sum(cast(g.value as integer))")
    return lambda: len(con.execute(sql).fetchall())


def engine_pandas(pkg: Path):
    import pandas as pd

    reports = pd.read_parquet(pkg / "data" / "reports.parquet")
    apps = pd.read_parquet(pkg / "data" / "applications.parquet")

    def query() -> int:
        new = apps[(apps.row == "new_requests") & (apps.applicant == "total")][["report_id", "value"]]
        granted = apps[(apps.row == "granted") & (apps.applicant == "total")][["report_id", "value"]]
        df = reports.merge(new, on="report_id").merge(granted, on="report_id", how="left", suffixes=("", "_granted"))
        return len(df.groupby(["year", "scope"]).agg(reports=("report_id", "nunique"), requests=("value", "sum"),
                                                     granted=("value_granted", "sum")))

    return query


def engine_opendata_validate(pkg: Path):
    from opendata.publish.validate import validate_package

    return lambda: int(validate_package(pkg).valid)


def engine_frictionless(pkg: Path):
    import frictionless

    return lambda: int(frictionless.validate(str(pkg / "datapackage.json")).valid)


ENGINES = {"duckdb": engine_duckdb, "sqlite3": engine_sqlite, "pandas": engine_pandas,
           "opendata-validate": engine_opendata_validate, "frictionless-validate": engine_frictionless}


def measure(engine: str, pkg: Path, runs: int = 5) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--engine", engine, "--package", str(pkg), "--runs", str(runs)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(engine: str, pkg: Path, runs: int) -> None:
    t = time.perf_counter()
    query = ENGINES[engine](pkg)
    setup = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        rows = query()
        times.append(time.perf_counter() - t)
    seconds = sorted(times)[len(times) // 2]
    # VmHWM is this process image's own peak; ru_maxrss would carry the parent's peak across fork/exec.
    status = Path("/proc/self/status").read_text()
    peak_mb = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024
    print(json.dumps({"engine": engine, "setup": setup, "seconds": seconds, "peak_mb": peak_mb, "result": rows}))


def region_lookup(n: int) -> dict[str, float]:
    """Seconds per report for the region lookup: opendata's dict index (built once) vs cpca.transform, one
    DataFrame per report (what extraction did before), over the bundled reports' issuing bodies repeated to n."""
    from opendata.extract.issuer import parse
    from opendata.extract.regions import table

    bodies = ["淮安市洪泽区人民政府", "莆田市审计局", "平潭综合实验区君山片区管理局", "三明市", "上海市科委", "泸州市",
              "沭阳县发展和改革局", "莆田市人民政府办公室"]
    names = [bodies[i % len(bodies)] for i in range(n)]
    t = time.perf_counter()
    table()
    built = time.perf_counter() - t
    t = time.perf_counter()
    for name in names:
        parse(name, set())
    ours = (time.perf_counter() - t) / n
    t = time.perf_counter()
    import cpca

    imported = time.perf_counter() - t
    t = time.perf_counter()
    for name in names:
        cpca.transform([name])
    theirs = (time.perf_counter() - t) / n
    return {"index_build_s": built, "opendata_s": ours, "cpca_import_s": imported, "cpca_transform_s": theirs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=100, help="copies of the bundled package's reports (size parameter)")
    ap.add_argument("--repeat", type=int, default=3, help="extractions of each bundled report")
    ap.add_argument("--validate-scale", type=int, default=5, help="size of the package validated (frictionless is slow)")
    ap.add_argument("--regions", type=int, default=2000, help="region lookups timed (size parameter)")
    ap.add_argument("--package", type=Path, default=ROOT / "datapackage")
    ap.add_argument("--work", type=Path, default=Path("/tmp/opendata-bench"))
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--runs", type=int, default=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.engine:
        return child(args.engine, args.package, args.runs)

    print(f"machine: {platform.machine()}, {platform.processor() or platform.platform()}, python {platform.python_version()}")
    print(f"\n## Extraction ({args.repeat} runs of each bundled report)")
    for fmt, r in extraction(args.repeat).items():
        print(f"{fmt:9s} {r['reports']:3d} reports  {r['seconds_per_report'] * 1000:8.1f} ms/report  {r['reports_per_second']:7.1f} reports/s")

    r = region_lookup(args.regions)
    print(f"\n## Region lookup ({args.regions} issuing bodies)\nopendata index: built once in {r['index_build_s']:.3f} s, "
          f"{r['opendata_s'] * 1e6:.1f} us/report; cpca.transform: import {r['cpca_import_s']:.3f} s, "
          f"{r['cpca_transform_s'] * 1e6:.1f} us/report (x{r['cpca_transform_s'] / r['opendata_s']:.0f})")

    pkg = scaled_package(args.package, args.scale, args.work / f"pkg-x{args.scale}")
    n_rows = sum(1 for _ in open(pkg / "data" / "applications.csv", encoding="utf-8")) - 1
    print(f"\n## Query over a package of {args.scale}x the bundled reports ({n_rows:,} application rows)")
    results = {e: measure(e, pkg) for e in ("duckdb", "sqlite3", "pandas")}
    base = results["duckdb"]
    print("engine    load/open   query (median of 5)   peak memory   query time / duckdb   memory / duckdb")
    for e, r in results.items():
        print(f"{e:8s} {r['setup']:8.3f} s  {r['seconds']:10.4f} s  {r['peak_mb']:10.1f} MB   "
              f"x{r['seconds'] / base['seconds']:8.2f}   x{r['peak_mb'] / base['peak_mb']:6.2f}   rows={r['result']}")
    vpkg = scaled_package(args.package, args.validate_scale, args.work / f"pkg-x{args.validate_scale}")
    print(f"\n## Validation of a package of {args.validate_scale}x the bundled reports")
    v = {e: measure(e, vpkg, runs=1) for e in ("opendata-validate", "frictionless-validate")}
    base = v["frictionless-validate"]
    for e, r in v.items():
        print(f"{e:22s} {r['seconds']:8.3f} s  {r['peak_mb']:8.1f} MB peak   time x{r['seconds'] / base['seconds']:.2f} "
              f"(vs frictionless validate)")


if __name__ == "__main__":
    main()
