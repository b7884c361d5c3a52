"""Extraction pipeline for one file and for a batch: read -> align -> checks. Bad input never stops the batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from opendata.extract import manifest as manifest_mod
from opendata.extract.align import align
from opendata.check.checks import run_checks
from opendata.extract.metadata import detect
from opendata.model import Report, ReportMeta
from opendata.read import READERS, read
from opendata.extract.stream import Stream
from opendata.spec.template import TEMPLATE


@dataclass
class Failure:
    path: Path
    message: str


def extract(path: Path, manifest_row: dict | None = None, report_id: str | None = None) -> Report:
    """Read one report file into an aligned, checked Report."""
    doc = read(path, TEMPLATE.markers)
    stream = Stream(doc)
    meta = manifest_mod.apply(detect(doc, stream), manifest_row)
    report = Report(report_id or path.stem, doc, meta, "traditional" if stream.traditional else "simplified")
    align(report, stream)
    run_checks(report)
    return report


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Report files under the given files and folders, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in READERS and f.is_file())
        else:
            out.append(p)
    return out


def extract_all(paths: Iterable[Path], manifest: Path | None = None) -> Iterator[Report | Failure]:
    rows = manifest_mod.load(manifest) if manifest else {}
    for path in source_files(paths):
        try:
            report = extract(path, rows.get(path.resolve()))
        except Exception as exc:  # one bad file must not stop the batch; the error names the file
            yield Failure(path, f"{path}: {type(exc).__name__}: {exc}")
            continue
        problem = publishable(report)
        yield Failure(path, problem) if problem else report


def publishable(report: Report) -> str | None:
    """Why a report cannot be published at all (None when it can): no table found, or no year to file it under."""
    path = report.document.path
    if not report.cells:
        return "; ".join(report.errors) or f"{path}: no table of the template found"
    if report.meta.year is None:
        return f"{path}: the report year could not be read from the title; give it in a manifest row"
    return None


@dataclass
class Batch:
    reports: list[Report]
    failures: list[Failure]

    @property
    def reading_errors(self) -> list[str]:
        return [f.message for f in self.failures] + [e for r in self.reports for e in r.errors]


def extract_batch(paths: Iterable[Path], manifest: Path | None = None) -> Batch:
    """Every report under `paths`, checked; sources of the same report are compared cell by cell (SAME_REPORT)."""
    from opendata.check.checks import same_report

    batch = Batch([], [])
    for item in extract_all(paths, manifest):
        (batch.failures if isinstance(item, Failure) else batch.reports).append(item)
    by_id = {r.report_id: r for r in batch.reports}
    for r in batch.reports:
        original = by_id.get(r.meta.duplicate_of or "")
        if original is not None:
            r.checks += list(same_report(r, original))
    return batch


def build_package(paths: Iterable[Path], out: Path, manifest: Path | None = None) -> Batch:
    """Extract every report under `paths` and publish those read to `out` (atomically; nothing is written when no
    report could be read). The batch says what was read and what went wrong."""
    from opendata.publish.writers import publish

    paths = list(paths)
    if manifest is None and len(paths) == 1 and (paths[0] / "manifest.csv").is_file():
        manifest = paths[0] / "manifest.csv"  # a folder of reports with its own manifest, like sources/
    batch = extract_batch(paths, manifest)
    if batch.reports:
        publish(batch.reports, out)
    return batch


__all__ = ["Batch", "Failure", "ReportMeta", "extract", "extract_all", "build_package", "extract_batch", "source_files"]
