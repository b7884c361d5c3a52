"""Reading a report's three tables from its stream: the entry the pipeline calls."""

from __future__ import annotations

from opendata.extract.applications import read_applications
from opendata.extract.locate import T2, T2_CAPTIONS, T2_HEADER, T3, T3_FIRST_ROW, T4, T4_FIRST, T4_OUTCOME, \
    T4_SECOND, Locator
from opendata.extract.proactive import read_proactive
from opendata.extract.review_litigation import read_review_litigation
from opendata.extract.stream import Stream
from opendata.model import Report


def align(report: Report, stream: Stream) -> Report:
    """Fill a report's cells, layouts and reading errors from its document (`stream`: its folded text)."""
    loc = Locator(report.document, stream, report.meta.year)
    regions = loc.locate()
    captions = " or ".join(repr(c) for c in T2_CAPTIONS)
    for table, read_table, missing in (
        (T2, read_proactive, f"not found (no {captions} caption or {T2_HEADER!r} header)"),
        (T3, read_applications, f"not found (no {T3_FIRST_ROW.zh!r} row)"),
    ):
        if table not in regions:
            loc.fail(table, missing)
            continue
        layout, cells = read_table(loc, *regions[table])
        report.cells += cells
        if layout:
            report.layouts[table] = layout
    copies = read_review_litigation(loc, *regions[T4]) if T4 in regions else []
    if copies:
        report.cells += copies[0]
        report.twins[T4] = copies[1:]
    else:
        loc.fail(T4, f"not found (no '{T4_FIRST} … {T4_SECOND} … {T4_OUTCOME}' header)")
    report.template = report.layouts.get(T2) or report.layouts.get(T3)
    report.errors += loc.errors
    return report
