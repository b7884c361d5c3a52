"""The accuracy harness (src/opendata/accuracy.py) over every bundled report with a gold file: each must be `ok`
(no wrong value, no value where the source has none, no guess where gold says the source cannot settle a cell,
nothing flagged that gold has a value for, nothing missing).

FORMATS is the one parameter: the source formats held to `ok` -- every format whose reader module exists. A report
whose reader is not written yet is skipped, not failed.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import GOLD, SOURCES, manifest_row, source
from opendata.readers import READERS

FORMATS = sorted({m for m in READERS.values() if importlib.util.find_spec(f"opendata.readers.{m}")})

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
    from opendata.accuracy import score
    from opendata.build import extract

    path = source(report_id)
    module = READERS.get(path.suffix.lower())
    if module not in FORMATS:
        pytest.skip(f"no {module or path.suffix} reader yet")
    row = manifest_row(report_id)
    complete = str(row.get("complete", "True")) != "False"
    gold = json.loads((GOLD / f"{report_id}.json").read_text(encoding="utf-8"))
    s = score(extract(path, row), gold, complete)
    assert s.compared > 0
    assert s.ok, "\n".join([str(s.row())] + s.details)
