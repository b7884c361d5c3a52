from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
GOLD = ROOT / "tests" / "gold"
SEED = SOURCES / "reports" / "seed_luzhou_2020.txt"


def gold(report_id: str) -> dict:
    return json.loads((GOLD / f"{report_id}.json").read_text(encoding="utf-8"))


def manifest_row(report_id: str) -> dict:
    from opendata import manifest

    return next(row for path, row in manifest.load(SOURCES / "manifest.csv").items() if path.stem == report_id)


def source(report_id: str) -> Path:
    return next((SOURCES / "reports").glob(f"{report_id}.*"))


@pytest.fixture(scope="session")
def seed_report():
    from opendata.build import extract

    return extract(SEED)


@pytest.fixture(scope="session")
def built_package(tmp_path_factory):
    """A package built from the seed and two more reports, in a temporary folder."""
    from opendata.build import extract
    from opendata.publish import publish

    out = tmp_path_factory.mktemp("pkg") / "datapackage"
    reports = [extract(source(r), manifest_row(r)) for r in ("seed_luzhou_2020", "2022_sanming_1", "2024_sanming_1")]
    publish(reports, out, ROOT)
    return out
