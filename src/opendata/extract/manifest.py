"""A manifest (manifest.csv beside the reports): one row per report file, with any of the columns below; only
`file` is required (file + year is a manifest). Given fields override what the text says, and are compared with it:
a disagreement becomes a META finding naming both. A `sha256` that does not match the file is an error naming both,
and the report is not published (its manifest fields would describe another file).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from opendata.model import ReportMeta

# Manifest column -> ReportMeta field, for the fields a manifest row overrides.
OVERRIDES = {"region": "region_name", "region_code": "region_code", "agency": "agency", "scope": "scope",
             "level": "level", "origin_url": "origin_url", "duplicate_of": "duplicate_of"}
# Fields compared with the text's reading when both give one.
COMPARED = ("year", "region_code", "scope")
_VALID = {"year": re.compile(r"^(19|20)\d{2}$"), "region_code": re.compile(r"^\d{6}$"),
          "scope": re.compile(r"^(jurisdiction|agency)$"), "sha256": re.compile(r"^[0-9a-fA-F]{64}$")}


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Row:
    """One manifest row, with where it is (for messages)."""

    fields: dict[str, str]
    where: str  # "sources/manifest.csv:5"

    def get(self, column: str) -> str:
        return (self.fields.get(column) or "").strip()

    def __getitem__(self, column: str) -> str:
        return self.fields[column]


def load(manifest: Path) -> dict[Path, Row]:
    """Rows keyed by the resolved path of their file (paths are relative to the manifest's folder)."""
    if not manifest.is_file():
        raise ManifestError(f"{manifest}: no such manifest file")
    with open(manifest, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "file" not in (reader.fieldnames or []):
            raise ManifestError(f"{manifest}:1: no 'file' column (columns: {', '.join(reader.fieldnames or [])})")
        rows = list(reader)
    out = {}
    for line, fields in enumerate(rows, start=2):
        row = Row(fields, f"{manifest}:{line}")
        if not row.get("file"):
            raise ManifestError(f"{row.where}: no 'file' given")
        for column, pattern in _VALID.items():
            if row.get(column) and not pattern.match(row.get(column)):
                raise ManifestError(f"{row.where}: {column} {row.get(column)!r} is not a valid {column}")
        out[(manifest.parent / row.get("file")).resolve()] = row
    return out


def check_file(row: Row | None, path: Path, sha256: str) -> None:
    """Raise when the row's sha256 is not the file's: the manifest describes another file."""
    if row is not None and row.get("sha256") and sha256 and row.get("sha256").lower() != sha256:
        raise ManifestError(f"{path}: sha256 {sha256} does not match {row.where} (sha256 {row.get('sha256')}): "
                            "the file is not the one the manifest describes; fix the manifest or the file")


def apply(meta: ReportMeta, row: Row | dict | None) -> ReportMeta:
    if not row:
        return meta
    if isinstance(row, dict):
        row = Row(row, "manifest")
    _compare(meta, row)
    for column, field in OVERRIDES.items():
        if row.get(column):
            setattr(meta, field, row.get(column))
            meta.provenance[field] = "manifest"
    if row.get("year"):
        meta.year = int(row.get("year"))
        meta.provenance["year"] = "manifest"
    return meta


def _compare(meta: ReportMeta, row: Row) -> None:
    """A manifest value that differs from the text's reading becomes a finding naming both."""
    for column in COMPARED:
        given, read = row.get(column), getattr(meta, column)
        if not given or str(read) == given:
            continue
        if read is None:  # the text settled nothing; the manifest does
            text_said = "; ".join(f[2] for f in meta.findings if f[0] == column)
            meta.findings = [f for f in meta.findings if f[0] != column]
            meta.findings.append((column, "pass", f"{row.where} gives {given}; the text alone: {text_said}"))
            continue
        meta.findings = [f for f in meta.findings if f[0] != column]
        source = meta.provenance.get(column, "text")
        meta.findings.append((column, "fail", f"{row.where} gives {given}, the {source} says {read}; "
                                              f"published {given} from the manifest"))
