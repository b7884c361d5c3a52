"""Every bundled report, read WITHOUT its manifest row, gets the year, region code and scope of its gold."""

from __future__ import annotations

import pytest

from conftest import GOLD, gold, source
from opendata.extract.metadata import detect
from opendata.extract.stream import Stream
from opendata.read import read
from opendata.spec.template import TEMPLATE

REPORTS = sorted(p.stem for p in GOLD.glob("*.json") if "report" in gold(p.stem))
# Where issue 10's rule gives a value the gold leaves empty: the gold has no code for 君山片区 (a sub-county area
# with no GB/T 2260 code of its own); the rule files a 片区's report under its county's code (平潭, 350128).
BY_RULE = {("2022_pingtan_junshan_1", "region_code"): "350128"}


@pytest.fixture(scope="module")
def detected():
    out = {}
    for report_id in REPORTS:
        doc = read(source(report_id), TEMPLATE.markers)
        out[report_id] = detect(doc, Stream(doc))
    return out


@pytest.mark.parametrize("report_id", REPORTS)
def test_year_region_code_and_scope_equal_gold_without_manifest(detected, report_id):
    meta, expected = detected[report_id], gold(report_id)["report"]
    for field in ("year", "region_code", "scope"):
        want = BY_RULE.get((report_id, field), expected[field])
        assert getattr(meta, field) == want, f"{report_id} {field}: {meta.findings}"
    # Every signal agreed on these reports: no finding fails.
    assert [f for f in meta.findings if f[1] != "pass"] == []


def test_all_thirty_reports_are_read(detected):
    assert len(detected) == 30
    right = sum(all(getattr(m, f) == BY_RULE.get((r, f), gold(r)["report"][f]) for f in ("year", "region_code", "scope"))
                for r, m in detected.items())
    assert right == 30
