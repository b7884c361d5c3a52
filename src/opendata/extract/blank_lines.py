"""One-cell-per-line text that keeps blank cells as empty lines (the seed's family): the empty lines are the blank
cells' places. The text reader drops empty lines, but its tokens keep their line numbers ("L12"), so the empty
lines between a row's label and the next label are found again here.

Only where the whole table shows it: every value row spans exactly as many lines as the table has columns (empty
lines included), each non-empty one a single value, and some are empty. Otherwise (blanks dropped, as in most
flattened text, or empty lines that are only spacing) the rows are read as before."""

from __future__ import annotations

import re
from functools import lru_cache

from opendata.extract.locate import Locator
from opendata.model import Piece

_LINE_REF = re.compile(r"^L(\d+)$")


def kept_blanks(loc: Locator, regions: dict[str, tuple[int, int, list[Piece]]], rows: list[str],
                n: int) -> dict[str, list[Piece]] | None:
    """Each value row's pieces with a blank piece for every empty line, by code; None when the table does not keep
    its blank cells as empty lines (see the module's doc). `regions`: label start, label end, value pieces."""
    if loc.doc.cells_explicit:
        return None
    ordered = sorted(regions.values(), key=lambda r: r[0])
    nexts = {start: (ordered[i + 1][0] if i + 1 < len(ordered) else None) for i, (start, _, _) in enumerate(ordered)}
    out, empties = {}, 0
    for code in rows:
        if code not in regions:
            continue
        start, end, pieces = regions[code]
        slots = _slots(loc, end, nexts[start], pieces)
        if nexts[start] is None and (slots is None or len(slots) != n):
            out[code] = pieces  # the table's last row: empty lines after it may be spacing before the next text
            continue
        if slots is None or len(slots) != n:
            return None
        out[code] = slots
        empties += sum(p.kind == "blank" for p in slots)
    return out if out and empties else None


def _slots(loc: Locator, label_end: int, next_label: int | None, pieces: list[Piece]) -> list[Piece] | None:
    """The lines between a row's label and the next label, one piece each (a blank one for an empty line); None
    when a line holds no value or several, or lines are not numbered (no next label, a tab-separated row)."""
    tokens, stream = loc.doc.tokens, loc.stream
    by_token = {stream.token_at(p.at): p for p in pieces}
    if len(by_token) != len(pieces):
        return None  # a line holding several values
    first = stream.token_at(label_end - 1)
    if next_label is None:  # the table's last row: up to the first line after its values
        last = max(by_token, default=first) + 1
        if last >= len(tokens):
            return None
    else:
        last = stream.token_at(next_label)
    lines = [_line(tokens[i].ref) for i in range(first, last + 1)]
    if None in lines:
        return None
    # The label may wrap over lines (text without values): the row's cells begin after its last line.
    label_lines = first
    while label_lines + 1 < last and label_lines + 1 not in by_token:
        label_lines += 1
    if any(i not in by_token for i in range(label_lines + 1, last)):
        return None  # a line between the label and the next holds no value (page furniture, a note)
    values = {lines[i - first]: by_token[i] for i in range(label_lines + 1, last)}
    at = stream.starts[last]
    return [values.get(n) or Piece("blank", "", "", f"L{n}", True, at)
            for n in range(lines[label_lines - first] + 1, lines[-1])]


@lru_cache(maxsize=4096)  # "L1", "L2", …: the same refs in every report
def _line(ref: str) -> int | None:
    m = _LINE_REF.match(ref)
    return int(m.group(1)) if m else None
