"""Regenerate the README's data dictionary (between <!-- data-dictionary:start --> and <!-- data-dictionary:end -->)
from schemas/ (template, Table Schemas, metrics), the same text `opendata info` prints.

Usage: python scripts/gen_docs.py [--check]   (--check: exit 1 when README.md is stale, change nothing)
"""

from __future__ import annotations

import sys
from pathlib import Path

from opendata.query.info import readme_with_dictionary

README = Path(__file__).resolve().parents[1] / "README.md"


def main(check: bool) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = readme_with_dictionary(current)
    if fresh == current:
        print("README.md data dictionary is up to date")
        return 0
    if check:
        print("README.md data dictionary is stale: run python scripts/gen_docs.py", file=sys.stderr)
        return 1
    README.write_text(fresh, encoding="utf-8")
    print("README.md data dictionary regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
