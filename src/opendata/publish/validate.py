"""Validate a published package: Frictionless (Table Schemas, keys, hashes), the Parquet files' integrity, and the
template's identities recomputed from the published values.

Every recomputed identity must have the result the package's `checks` resource publishes for it: a failure the
package does not declare means a wrong number was published silently; a declared failure that no longer fails
means the values and the checks disagree. Either fails validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from opendata.model import Cell, CheckResult, Document, Report, ReportMeta
from opendata.publish.package import require_resources, PackageError, descriptor_path, package_resources


@dataclass
class Validation:
    frictionless_valid: bool
    frictionless_errors: list[str] = field(default_factory=list)
    identity_results: list[tuple[str, CheckResult]] = field(default_factory=list)  # (report_id, recomputed result)
    # (report_id, recomputed result, result the package publishes for it or None when it publishes none)
    mismatches: list[tuple[str, CheckResult, str | None]] = field(default_factory=list)
    findings: list = field(default_factory=list)  # validate_sql.Finding: resource, row, type, field (duckdb engine)
    identity_counts: dict = field(default_factory=dict)  # result -> identities with it (duckdb engine)

    def counts(self) -> dict[str, int]:
        """How many recomputed identities have each result (also when not every result was kept)."""
        if self.identity_counts:
            return self.identity_counts
        out: dict[str, int] = {}
        for _, c in self.identity_results:
            out[c.result] = out.get(c.result, 0) + 1
        return out

    @property
    def declared_failures(self) -> list[tuple[str, CheckResult]]:
        mismatched = {(rid, c.check_id, c.subject) for rid, c, _ in self.mismatches}
        return [(rid, c) for rid, c in self.identity_results
                if c.result == "fail" and (rid, c.check_id, c.subject) not in mismatched]

    @property
    def valid(self) -> bool:
        return self.frictionless_valid and not self.mismatches

    def problems(self, limit: int = 3) -> list[str]:
        """The first reasons the package is not valid, one line each."""
        out = list(self.frictionless_errors) or ([] if self.frictionless_valid else ["invalid"])
        out += [f"{c.check_id} in {rid}: {c.subject}: recomputed {c.result}, the package publishes {p or 'no result'}"
                for rid, c, p in self.mismatches]
        return out[:limit]


def frictionless_report(descriptor: Path) -> tuple[bool, list[str]]:
    import frictionless

    from opendata.publish.writers import file_info

    report = frictionless.validate(str(descriptor))
    errors = [f"{task.name}: {e.message}" for task in report.tasks for e in task.errors][:50]
    errors += [e.message for e in report.errors][:50]
    valid = report.valid
    # Parquet integrity, which frictionless cannot measure (see publish.descriptor).
    for r in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
        if "x-hash" in r and file_info(descriptor.parent / r["path"]) != {"hash": r["x-hash"], "bytes": r["x-bytes"]}:
            valid = False
            errors.append(f"{r['name']}: {r['path']} does not match its recorded hash and bytes")
    return valid, errors


def recompute_identities(files: dict[str, Path]) -> list[tuple[str, CheckResult]]:
    """H1-H4 of every published report, from the values in the package's Parquet files."""
    import pyarrow.parquet as pq

    from opendata.check.checks import CHECKS
    from opendata.spec.identities import IDS
    from opendata.spec.template import TEMPLATE

    cells: dict[str, list[Cell]] = {}
    for table in ("applications", "review_litigation"):
        row_key, col_key = TEMPLATE.cell_keys[table]
        for rec in pq.read_table([str(p) for p in files[table]], partitioning=None).to_pylist():
            cells.setdefault(rec["report_id"], []).append(
                Cell(table, rec[row_key], rec[col_key], rec["status"], rec["value"], rec["raw"] or "", rec["source_ref"],
                     reading=rec.get("reading") or ""))  # a reading the arithmetic chose makes its checks used_to_read
    out = []
    for report_id, report_cells in cells.items():
        rows = {c.row for c in report_cells if c.table == "applications"}
        # The layout as the published rows show it, judged as everywhere else (Template.layout_of).
        layouts = {"applications": TEMPLATE.layout_of("applications", rows) or TEMPLATE.templates[0]} if rows else {}
        report = Report(report_id, Document(Path(report_id), "", []), ReportMeta(), "", layouts=layouts,
                        cells=report_cells)
        for check_id in IDS:
            out += [(report_id, r) for r in CHECKS[check_id](report)]
    return out


def validate_package(package: Path, engine: str = "duckdb", progress: Callable[..., None] | None = None,
                     results: bool | str = True) -> Validation:
    """engine "duckdb": the checks compiled to SQL (validate_sql.py); "frictionless": the reference path below.
    `progress(done, total=None)` is told of each step done (a progress bar). `results` (duckdb): which
    `identity_results` are kept, every one (True), the failures ("failures": what `declared_failures` needs) or
    none (False); validity, mismatches and `counts()` are the same, and memory stays flat on a large package."""
    descriptor, files = descriptor_path(package), package_resources(package)
    require_resources(descriptor, files)  # an empty package is no valid one
    if engine == "duckdb":
        from opendata.publish.validate_sql import validate_sql

        return validate_sql(package, progress, results)
    if engine != "frictionless":
        raise ValueError(f"unknown validation engine {engine!r}: duckdb or frictionless")
    import pyarrow.parquet as pq

    step = progress or (lambda done, total=None: None)
    step(0, 2)  # frictionless validates the whole package in one call: two steps, it and the identities
    valid, errors = frictionless_report(descriptor)
    step(1)
    result = Validation(valid, errors)
    result.identity_results = recompute_identities(files)
    step(1)
    published = {(r["report_id"], r["check_id"], r["subject"]): r["result"]
                 for r in pq.read_table([str(p) for p in files["checks"]], partitioning=None).to_pylist()}
    result.mismatches = [
        (rid, c, published.get((rid, c.check_id, c.subject)))
        for rid, c in result.identity_results
        if published.get((rid, c.check_id, c.subject)) != c.result
    ]
    return result


class InvalidPackage(ValueError):
    """A freshly built package that does not validate: it is not published."""


def require_valid(package: Path, only: set[str] | None = None) -> None:
    """Raise InvalidPackage naming the first problems unless the package at `package` validates; `only`: on the
    files a rebuild rewrote (validate_sql.check_package)."""
    if only is None:
        result = validate_package(package, results=False)  # validity only: no result object per identity
    else:
        from opendata.publish.validate_sql import validate_sql

        result = validate_sql(package, results=False, only=only)
    if not result.valid:
        raise InvalidPackage("the new package does not validate, so it was not published: "
                             + "; ".join(result.problems()))


__all__ = ["InvalidPackage", "PackageError", "Validation", "require_valid", "validate_package"]
