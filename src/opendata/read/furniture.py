"""Page furniture every reader recognises: page numbers printed between or inside tables."""

from __future__ import annotations

import re

# "- 4 -", "— 5 —", "第 3 页", "第 3 页 共 12 页".
PAGE_NUMBER = re.compile(r"(?m)^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$|^\s*第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?\s*$")
