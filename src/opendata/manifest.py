"""sources/manifest.csv: one row per bundled report with its provenance; its fields override detected metadata."""

from __future__ import annotations

import csv
from pathlib import Path

from opendata.model import ReportMeta


def load(manifest: Path) -> dict[Path, dict]:
    """Manifest rows keyed by the resolved path of their file (paths are relative to the manifest's folder)."""
    if not manifest.is_file():
        return {}
    with open(manifest, newline="", encoding="utf-8") as f:
        return {(manifest.parent / row["file"]).resolve(): row for row in csv.DictReader(f)}


def apply(meta: ReportMeta, row: dict | None) -> ReportMeta:
    if not row:
        return meta
    for field, column in (("region_name", "region"), ("region_code", "region_code"), ("agency", "agency"),
                          ("scope", "scope"), ("origin_url", "origin_url"), ("duplicate_of", "duplicate_of")):
        if row.get(column):
            setattr(meta, field, row[column])
    if row.get("year"):
        meta.year = int(row["year"])
    return meta
