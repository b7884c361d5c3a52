"""Extraction accuracy on every bundled report that has a gold file (see src/opendata/accuracy.py).

Usage: python scripts/accuracy.py [--details]
"""

from __future__ import annotations

import sys
from pathlib import Path

from opendata.accuracy import COLUMNS, run, total
from opendata.output import Format, render

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    scores = run(ROOT / "tests" / "gold", ROOT / "sources", ROOT / "sources" / "manifest.csv")
    fmt = Format.markdown if "--markdown" in sys.argv else Format.table
    render(COLUMNS, [s.row() for s in scores] + [total(scores).row()], fmt)
    if "--details" in sys.argv:
        for s in scores:
            for d in s.details:
                print(f"{s.report}: {d}")
    sys.exit(0 if all(s.ok for s in scores) else 1)
