"""META: the report's metadata signals, one row per field (year, region_code, scope): pass when the signals agree,
fail when they disagree (or a manifest disagrees with them) or the region was read from a near-miss name,
not_assessable when nothing settles the field (no signal, a name several regions share, a year from the file name
only); the message names the signals."""

from __future__ import annotations

from collections.abc import Iterator

from opendata.check.checks import check
from opendata.model import CheckResult, Report


@check("META")
def metadata(report: Report) -> Iterator[CheckResult]:
    for field, result, message in report.meta.findings:
        yield CheckResult("META", field, result, None, None, message)
