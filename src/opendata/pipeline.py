"""Extraction pipeline for one file and for a batch: read -> align -> checks. Bad input never stops the batch."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from opendata.extract import manifest as manifest_mod
from opendata.extract.documents import report_documents
from opendata.extract.report import align
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


def extract(path: Path, manifest_row: manifest_mod.Row | None = None, report_id: str | None = None) -> Report:
    """Read one report file into an aligned, checked Report (an error when the file holds several reports)."""
    reports = extract_reports(path, manifest_row, report_id)
    if len(reports) > 1:
        raise ValueError(f"{path} holds {len(reports)} reports ({', '.join(r.report_id for r in reports)}); "
                         "extract them with `opendata build`")
    return reports[0]


def extract_reports(path: Path, manifest_row: manifest_mod.Row | None = None,
                    report_id: str | None = None) -> list[Report]:
    """Every report a file holds, aligned and checked: one, or `<id>-1`, `<id>-2`, … when several are printed one
    after the other (the manifest row, which describes the file, then only fills what each report's title leaves
    unknown)."""
    doc = read(path, TEMPLATE.markers)
    stream = Stream(doc)
    docs = report_documents(doc, stream)
    base = report_id or path.stem
    if len(docs) == 1:
        return [_extract_document(doc, stream, manifest_mod.apply(detect(doc, stream), manifest_row), base)]
    given = manifest_mod.apply(ReportMeta(), manifest_row)
    out = []
    for n, d in enumerate(docs, start=1):
        s = Stream(d)
        meta = detect(d, s)
        gaps = {k: v for k, v in vars(given).items() if v is not None and getattr(meta, k) is None}
        meta = replace(meta, **gaps)
        meta.provenance.update({k: "manifest" for k in gaps})
        out.append(_extract_document(d, s, meta, f"{base}-{n}"))
    return out


def _extract_document(doc, stream: Stream, meta: ReportMeta, report_id: str) -> Report:
    report = Report(report_id, doc, meta, "traditional" if stream.traditional else "simplified")
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
    for path, row in rows.items():
        if not path.exists():
            yield Failure(path, f"{row.where}: {row.get('file')} does not exist")
    for path in source_files(paths):
        try:
            row = rows.get(path.resolve())
            reports = extract_reports(path, row)
            manifest_mod.check_file(row, path, reports[0].document.sha256)  # the row describes this very file
        except manifest_mod.ManifestError as exc:
            yield Failure(path, str(exc))
            continue
        except Exception as exc:  # one bad file must not stop the batch; the error names the file (once)
            message = str(exc) if str(path) in str(exc) else f"{path}: {type(exc).__name__}: {exc}"
            yield Failure(path, message)
            continue
        for report in reports:
            problem = publishable(report)
            yield Failure(path, problem) if problem else report


def default_manifest(paths: list[Path]) -> Path | None:
    """DIR/manifest.csv when one folder is given and has one (a folder of reports with its manifest, like sources/)."""
    if len(paths) == 1 and (paths[0] / "manifest.csv").is_file():
        return paths[0] / "manifest.csv"
    return None


def manifest_note(paths: list[Path], manifest: Path | None) -> str:
    """What the build says about its manifest: the one used, or that none was (and one in a folder above)."""
    if manifest:
        return f"manifest: {manifest}"
    above = [p.parent / "manifest.csv" for p in paths if p.is_dir() and (p.parent / "manifest.csv").is_file()]
    hint = f" ({above[0]} was not used: it is not in the folder given; pass --manifest to use it)" if above else ""
    return f"manifest: none; metadata read from the reports{hint}"


def publishable(report: Report) -> str | None:
    """Why a report cannot be published at all (None when it can): no table found, or no year to file it under."""
    path = report.document.path
    if not report.cells:
        found = "; ".join(e.removeprefix(f"{path}: ") for e in report.errors)
        return f"{path}: no table of the template found" + (f" ({found})" if found else "")
    pattern = _report_id_pattern()
    if not re.fullmatch(pattern, report.report_id):
        return (f"{path}: report id {report.report_id!r} (the file name) does not match {pattern}; rename the "
                "file (letters, digits, _ . - only)")
    if report.meta.year is None:
        return (f"{path}: the report year could not be read (title, statistics period, table headings, signature, "
                "URL, file name); give it in a manifest row (file,year)")
    return None


def _report_id_pattern() -> str:
    from opendata.spec.schemas import table_schema

    field = next(f for f in table_schema("reports")["fields"] if f["name"] == "report_id")
    return field["constraints"]["pattern"]


@dataclass
class Batch:
    reports: list[Report]
    failures: list[Failure]
    manifest: Path | None = None  # the manifest used, if any

    @property
    def reading_errors(self) -> list[str]:
        return [f.message for f in self.failures] + [e for r in self.reports for e in r.errors]


def extract_batch(paths: Iterable[Path], manifest: Path | None = None) -> Batch:
    """Every report under `paths`, checked; sources of the same report are compared cell by cell (SAME_REPORT)."""
    from opendata.check.checks import same_report

    batch = Batch([], [], manifest)
    by_id: dict[str, Report] = {}
    for item in extract_all(paths, manifest):
        if isinstance(item, Report) and item.report_id in by_id:  # ids are the package's keys: one file each
            item = Failure(item.document.path, f"{item.document.path}: report id {item.report_id!r} is taken by "
                                               f"{by_id[item.report_id].document.path}; rename one of the files")
        (batch.failures if isinstance(item, Failure) else batch.reports).append(item)
        if isinstance(item, Report):
            by_id[item.report_id] = item
    for r in batch.reports:
        original = by_id.get(r.meta.duplicate_of or "")
        if original is not None:
            r.checks += list(same_report(r, original))
    return batch


def build_package(paths: Iterable[Path], out: Path, manifest: Path | None = None) -> Batch:
    """Extract every report under `paths` and publish those read to `out` (atomically; nothing is written when no
    report could be read). The batch says what was read and what went wrong."""
    from opendata.publish.target import check_out
    from opendata.publish.writers import publish

    check_out(out)  # refuse a folder that is not ours before any work, not after
    paths = list(paths)
    manifest = manifest or default_manifest(paths)
    batch = extract_batch(paths, manifest)
    if batch.reports:
        publish(batch.reports, out, source_root(paths))
    return batch


def source_root(paths: list[Path]) -> Path:
    """What the published source paths are relative to (never an absolute local path): the working folder when
    every input lies under it, else the folder the inputs share (the folder given, or a file's own folder)."""
    import os

    cwd = Path.cwd().resolve()
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    if all(f.is_relative_to(cwd) for f in folders):
        return cwd
    return Path(os.path.commonpath(folders))


__all__ = ["Batch", "Failure", "ReportMeta", "extract", "extract_all", "extract_reports", "build_package", "extract_batch",
           "source_files"]


def release_package(sources: Path, dist: Path, changelog: Path, force: bool = False,
                    since: Path | None = None) -> tuple[Path, bool, str]:
    """Build `sources` afresh, validate it, and write dist/<name>-<version>.zip with the package, its README (data
    dictionary), CITATION.cff, licences, CHANGELOG.md (its entry gets the changes since `since`, by default the
    previous release in `dist`) and SHA256SUMS. Returns (zip, whether it was written, the changes text)."""
    import tempfile

    from opendata.publish import release as rel

    version = rel.current()
    citation = rel.top_level_file("CITATION.cff")
    rel.check_citation(citation, version)
    with tempfile.TemporaryDirectory(prefix="opendata-release-") as tmp:
        package = _clean_build(sources, Path(tmp) / version.stem, version)
        changes = _changes_since(since or rel.previous_release(dist, version), package)
        old_log = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n"
        new_log = rel.changelog_with_changes(old_log, version, changes)
        files = {**rel.package_files(package), "README.md": _release_readme().encode(),
                 "CITATION.cff": citation.read_bytes(), "LICENSE": rel.top_level_file("LICENSE").read_bytes(),
                 "LICENSE-DATA.md": rel.data_licence().encode(),
                 "CHANGELOG.md": new_log.encode()}
        path, written = rel.write_release(files, dist, version, force)
    if new_log != old_log:
        changelog.write_text(new_log, encoding="utf-8")
    return path, written, changes


def _clean_build(sources: Path, out: Path, version) -> Path:
    """The package built from `sources` alone, refused when a report could not be read or it does not validate."""
    import json

    from opendata.publish.release import ReleaseError
    from opendata.publish.validate import validate_package

    batch = build_package([sources], out)
    if batch.reading_errors or not batch.reports:
        raise ReleaseError(f"{sources}: a release needs every report read; errors: "
                           + "; ".join(batch.reading_errors or ["no report read"]))
    descriptor = out / "datapackage.json"
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    if "created" in meta:  # a wall-clock time would make every release differ: the release date instead
        meta["created"] = f"{version.released.isoformat()}T00:00:00Z"
        descriptor.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    result = validate_package(out)
    if not result.valid:
        raise ReleaseError(f"the package built from {sources} does not validate: "
                           + "; ".join(result.frictionless_errors[:3] or [str(m[1].message) for m in result.mismatches[:3]]))
    return out


def _changes_since(previous: Path | None, package: Path) -> str:
    from opendata.query.diff import diff_packages, summary

    if previous is None:
        return "No earlier release in dist/ to compare with.\n"
    return summary(diff_packages(previous, package), f"`{previous.name}`")


def _release_readme() -> str:
    """The release's README: the package overview (licences, citation) and the data dictionary."""
    from opendata.query.info import data_dictionary, overview

    files = ("## Files\n\n- `datapackage.json`: the Frictionless descriptor; `data/`: each resource as CSV and "
             "Parquet; `schemas/`: their Table Schemas\n- `CITATION.cff`, `LICENSE` (code), `LICENSE-DATA.md` (data), "
             "`CHANGELOG.md`\n- `SHA256SUMS`: check the files with `sha256sum -c SHA256SUMS`\n")
    return overview() + "\n" + files + "\n" + data_dictionary()
