"""`table` output of a large result: opendata's (row by row, aligned text) side by side with the obvious
alternative, one rich Table of every row rendered at once (what `table` did before).

  python scripts/bench_output.py [--rows N]

Both write to an in-memory buffer; figures are wall times in the same run, so their ratio is fair even on a loaded
machine. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import io
import time

COLUMNS = ["report_id", "table", "row", "column", "value", "status"]


def rows(n: int) -> list[tuple]:
    return [(f"2023_report_{i % 997}", "applications", f"row_{i % 30}", "natural_person", float(i), "reported")
            for i in range(n)]


def rich_all_at_once(data: list[tuple], out: io.StringIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for c in COLUMNS:
        table.add_column(c, overflow="fold")
    for row in data:
        table.add_row(*[str(v) for v in row])
    Console(file=out, width=200).print(table)


def opendata_table(data: list[tuple], out: io.StringIO) -> None:
    from opendata.query.output import Format, render

    render(COLUMNS, data, Format.table, out=out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000, help="rows in the result (size parameter)")
    n = ap.parse_args().rows
    data = rows(n)
    times = {}
    for name, write in (("rich, all rows at once", rich_all_at_once), ("opendata table", opendata_table)):
        started = time.perf_counter()
        write(data, io.StringIO())
        times[name] = time.perf_counter() - started
        print(f"{name:24} {n:>9,} rows  {times[name]:7.2f} s")
    print(f"ratio: {times['rich, all rows at once'] / times['opendata table']:.1f}x")


if __name__ == "__main__":
    main()
