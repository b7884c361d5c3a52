"""META: the report's metadata signals, one row per field (year, region_code, scope): pass when the signals agree,
fail when they disagree, settle nothing, or the region was read from a near-miss name; the message names them."""

from __future__ import annotations

from collections.abc import Iterator

from opendata.check.checks import check
from opendata.model import CheckResult, Report


@check("META")
def metadata(report: Report) -> Iterator[CheckResult]:
    for field, result, message in report.meta.findings:
        yield CheckResult("META", field, result, None, None, message)
