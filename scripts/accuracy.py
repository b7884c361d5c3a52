"""Extraction accuracy on every bundled report that has a gold file (the scoring lives with the tests: tests/gold_score.py).

Prints the score against tests/gold (the team's gold with tests/gold/corrections.json applied), then the total
against the untouched gold. Usage: python scripts/accuracy.py [--details] [--markdown]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the gold file format and the scoring belong to the tests

from gold_score import COLUMNS, run, total  # noqa: E402
from opendata.query.output import Format, render  # noqa: E402

if __name__ == "__main__":
    scores = run(ROOT / "tests" / "gold", ROOT / "sources", ROOT / "sources" / "manifest.csv")
    fmt = Format.markdown if "--markdown" in sys.argv else Format.table
    render(COLUMNS, [s.row() for s in scores] + [total(scores).row()], fmt)
    # The same against the team's gold untouched by tests/gold/corrections.json (which lists our hand-checked fixes).
    raw_total = total(run(ROOT / "tests" / "gold", ROOT / "sources", ROOT / "sources" / "manifest.csv", corrected=False))
    raw_total.report = "TOTAL (untouched gold)"
    render(COLUMNS, [raw_total.row()], fmt)
    if "--details" in sys.argv:
        for s in scores:
            for d in s.details:
                print(f"{s.report}: {d}")
    sys.exit(0 if all(s.ok for s in scores) else 1)
