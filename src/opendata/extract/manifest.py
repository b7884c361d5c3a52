"""sources/manifest.csv: one row per bundled report with its provenance; its fields override detected metadata."""

from __future__ import annotations

import csv
from pathlib import Path

from opendata.model import ReportMeta

# Manifest column -> ReportMeta field, for the fields a manifest row overrides.
OVERRIDES = {"region": "region_name", "region_code": "region_code", "agency": "agency", "scope": "scope",
             "origin_url": "origin_url", "duplicate_of": "duplicate_of"}


class ManifestError(ValueError):
    pass


def load(manifest: Path) -> dict[Path, dict]:
    """Manifest rows keyed by the resolved path of their file (paths are relative to the manifest's folder)."""
    if not manifest.is_file():
        return {}
    with open(manifest, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for line, row in enumerate(rows, start=2):
        if not row.get("file"):
            raise ManifestError(f"{manifest}:{line}: no 'file' given (columns: {', '.join(row)})")
        if row.get("year") and not row["year"].strip().isdigit():
            raise ManifestError(f"{manifest}:{line}: year {row['year']!r} is not a year")
        out[(manifest.parent / row["file"]).resolve()] = row
    return out


def apply(meta: ReportMeta, row: dict | None) -> ReportMeta:
    if not row:
        return meta
    for column, field in OVERRIDES.items():
        if row.get(column):
            setattr(meta, field, row[column])
    if row.get("year"):
        meta.year = int(row["year"])
    return meta
