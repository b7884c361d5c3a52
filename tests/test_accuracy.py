"""The accuracy harness (src/opendata/accuracy.py) over every bundled report with a gold file: each must be `ok`
(no wrong value, no value where the source has none, no guess where gold says the source cannot settle a cell,
nothing flagged that gold settles -- except the cells tests/gold/corrections.json documents as settled only from
outside the tables -- nothing missing).
"""

from __future__ import annotations

import json

import pytest

from conftest import GOLD, SOURCES, manifest_row, source

def _reports() -> list:
    out = []
    for path in sorted(GOLD.glob("*.json")):
        found = list((SOURCES / "reports").glob(f"{path.stem}.*"))
        if not found:
            continue
        out.append(pytest.param(path.stem, id=path.stem))
    return out


@pytest.mark.parametrize("report_id", _reports())
def test_report_extracts_exactly(report_id):
    from gold_score import score
    from opendata.pipeline import extract

    gold = json.loads((GOLD / f"{report_id}.json").read_text(encoding="utf-8"))
    s = score(extract(source(report_id), manifest_row(report_id)), gold)
    assert s.compared > 0
    assert s.ok, "\n".join([str(s.row())] + s.details)
