"""Validate a published package: Frictionless (Table Schemas, keys, hashes) plus the template's identities.

The identities are recomputed from the published values; a failure the package's `checks` resource does not
declare means a wrong number was published silently, and fails validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from opendata.model import Cell, CheckResult, Report


@dataclass
class Validation:
    frictionless_valid: bool
    frictionless_errors: list[str] = field(default_factory=list)
    identity_results: list[tuple[str, CheckResult]] = field(default_factory=list)  # (report_id, result)
    undeclared: list[tuple[str, CheckResult]] = field(default_factory=list)

    @property
    def declared_failures(self) -> list[tuple[str, CheckResult]]:
        return [(r, c) for r, c in self.identity_results if c.result == "fail" and (r, c) not in self.undeclared]

    @property
    def valid(self) -> bool:
        return self.frictionless_valid and not self.undeclared


def frictionless_report(descriptor: Path) -> tuple[bool, list[str]]:
    import frictionless

    report = frictionless.validate(str(descriptor))
    errors = [f"{task.name}: {e.message}" for task in report.tasks for e in task.errors][:50]
    errors += [e.message for e in report.errors][:50]
    valid = report.valid
    # Parquet integrity, which frictionless cannot measure (see publish.descriptor).
    import hashlib
    import json

    for r in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
        if "x-hash" in r:
            data = (descriptor.parent / r["path"]).read_bytes()
            if f"sha256:{hashlib.sha256(data).hexdigest()}" != r["x-hash"] or len(data) != r["x-bytes"]:
                valid = False
                errors.append(f"{r['name']}: {r['path']} does not match its recorded hash and bytes")
    return valid, errors


def recompute_identities(package: Path) -> list[tuple[str, CheckResult]]:
    import pyarrow.parquet as pq

    from opendata.checks import CHECKS
    from opendata.model import Document, ReportMeta
    from opendata.query import package_resources

    files = package_resources(package)
    cells: dict[str, list[Cell]] = {}
    for table, (row_key, col_key) in {"applications": ("row", "applicant"),
                                      "review_litigation": ("block", "outcome")}.items():
        for rec in pq.read_table(files[table]).to_pylist():
            cells.setdefault(rec["report_id"], []).append(
                Cell(table, rec[row_key], rec[col_key], rec["status"], rec["value"], rec["raw"] or "", rec["source_ref"]))
    out = []
    for report_id, report_cells in cells.items():
        rows = {c.row for c in report_cells if c.table == "applications"}
        layouts = {"applications": "2021" if "other_no_correction" in rows else "2019"} if rows else {}
        report = Report(report_id, Document(Path(report_id), "", []), ReportMeta(), "", layouts=layouts, cells=report_cells)
        for check_id in ("H1", "H2", "H3", "H4"):
            out += [(report_id, r) for r in CHECKS[check_id](report)]
    return out


def validate_package(package: Path) -> Validation:
    import pyarrow.parquet as pq

    from opendata.query import package_resources

    descriptor = package / "datapackage.json" if package.is_dir() else package
    valid, errors = frictionless_report(descriptor)
    result = Validation(valid, errors)
    result.identity_results = recompute_identities(descriptor.parent)
    declared = {
        (r["report_id"], r["check_id"], r["subject"])
        for r in pq.read_table(package_resources(descriptor.parent)["checks"]).to_pylist() if r["result"] == "fail"
    }
    result.undeclared = [
        (rid, c) for rid, c in result.identity_results
        if c.result == "fail" and (rid, c.check_id, c.subject) not in declared
    ]
    return result
