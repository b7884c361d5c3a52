"""Page furniture every reader recognises: page numbers printed between or inside tables, and the lines a page
break leaves between two parts of a table."""

from __future__ import annotations

import re
from collections import Counter

# "- 4 -", "— 5 —", "第 3 页", "第 3 页 共 12 页".
PAGE_NUMBER = re.compile(r"(?m)^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$|^\s*第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?\s*$")
# A bare page number ("3", "3/12", "3 / 12"): a page number only where a page break stands (a margin, or between
# two parts of a table).
BARE_PAGE_NUMBER = re.compile(r"^\s*(?:\d{1,3}|\d{1,3}\s*/\s*\d{1,3})\s*$")


def repeated_lines(lines: list[str]) -> Counter:
    """How often each non-empty line (white space aside) is printed in a document."""
    return Counter(_shape(line) for line in lines if line.strip())


def page_break_between_tables(gap: list[str], repeated: Counter) -> bool:
    """Whether the lines between two parts of a table are what a page break prints there: a page number in any
    form, with lines the document prints elsewhere too (its title as a running header, a footer). Anything else
    (a note, a sentence), or repeated lines alone (a unit caption printed over several tables), is text, kept."""
    texts = [line for line in gap if line.strip()]
    numbers = [t for t in texts if PAGE_NUMBER.match(t) or BARE_PAGE_NUMBER.match(t)]
    return bool(numbers) and all(t in numbers or repeated[_shape(t)] > 1 for t in texts)


def _shape(text: str) -> str:
    return re.sub(r"\s+", "", text)
