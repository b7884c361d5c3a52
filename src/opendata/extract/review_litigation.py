"""Table 四 (行政复议、行政诉讼): every printed copy's one value row, the fifteen cells of its three blocks."""

from __future__ import annotations

import re

from opendata.extract.locate import CJK, T4, T4_HEADER, Locator
from opendata.fold import key
from opendata.extract.solved import to_cell
from opendata.model import Cell, Piece
from opendata.solve.search import Column, Row, solve
from opendata.spec.identities import equations
from opendata.spec.template import TEMPLATE


def _t4_labels() -> list[str]:
    table = TEMPLATE.table(T4)
    return [*table.spec["header_labels"], *(c.zh for name in table.kinds.values() for c in table.codes(name))]


# A token of table 四's header: only the characters of its labels (also shattered: "结果结果其他尚未", "总 计").
_T4_HEADER_TEXT = re.compile(
    r"[\W_]*(?:[" + re.escape("".join(sorted({ch for label in _t4_labels() for ch in key(label)}))) + r"][\W_]*)+")
# Not-applicable markers: those that are Chinese words (无, 不适用), and those that are one symbol (/, -, ×).
_WORD_MARKERS = sorted(m for m in TEMPLATE.folded_markers if CJK.search(m))
_SYMBOL_MARKERS = sorted(m for m in TEMPLATE.folded_markers if len(m) == 1 and not CJK.search(m))
# Where table 四's values begin, after its header labels: a digit or a one-symbol marker.
_T4_FIRST_VALUE = re.compile(r"\d|" + "|".join(re.escape(m) for m in _SYMBOL_MARKERS))
# Text after table 四's values: a run of Chinese, or a line opening with Chinese ("(一)2024年…"), unless the line is
# only a not-applicable marker.
_AFTER_T4_VALUES = re.compile(
    r"(?m)[\u4e00-\u9fff]{2,}|^ ?(?!(?:" + "|".join(map(re.escape, _WORD_MARKERS)) + r") ?$)\(?[\u4e00-\u9fff]")


def read_review_litigation(loc: Locator, start: int, end: int) -> list[list[Cell]]:
    """Every printed copy of table 四, in order (usually one)."""
    copies = []
    pos = start
    while (header := loc.find(T4_HEADER, pos, end)) is not None:
        values_start = header.end()
        run = value_run(loc, values_start, end) if loc.doc.cells_explicit else None
        if run:
            region_start, region_end = run
        else:
            # Skip the remaining header labels: the values begin at the first digit or marker after them.
            m = _T4_FIRST_VALUE.search(loc.text, values_start, end)
            if not m:
                break
            stop = _AFTER_T4_VALUES.search(loc.text, m.start(), end)
            region_start, region_end = m.start(), stop.start() if stop else end
        copies.append(t4_cells(loc, loc.stream.pieces(region_start, region_end)))
        pos = region_end
    return copies


def value_run(loc: Locator, header_end: int, end: int) -> tuple[int, int] | None:
    """Sources with explicit cells: table 四's value row is the first run of value tokens (numbers, markers, blank
    cells) after the header that is not followed by more header labels; a run that is (empty merged header
    cells) belongs to the header. Found by tokens, so a row left all blank is still found. None: no such run."""
    lines, starts = loc.stream.lines, loc.stream.starts
    i = loc.stream.token_at(header_end) + 1
    run = None
    while i < len(lines) and starts[i] < end:
        line = lines[i].strip()
        if TEMPLATE.is_marker(line) or not CJK.search(line):
            run = i if run is None else run
        elif _T4_HEADER_TEXT.fullmatch(line):
            run = None
        else:
            break  # text after the table
        i += 1
    if run is None:
        return None
    # From the line break before the run to the start of the next token: every cell of the run is a whole token
    # (the region must not stop at the line break before the next token, or a trailing blank cell is lost).
    return starts[run] - 1, (starts[i] if i < len(lines) else len(loc.text))


def t4_cells(loc: Locator, pieces: list[Piece]) -> list[Cell]:
    table = TEMPLATE.table(T4)
    keys = [(b.code, o.code) for b in table.codes("blocks") for o in table.codes("outcomes")]
    # The whole one-line table is one row for the solver: H4 settles where its blocks begin and end.
    readings = solve([Row([Column(k) for k in keys], pieces, loc.doc.cells_explicit)], equations({}))[0]
    return [to_cell(T4, b, o, r) for (b, o), r in zip(keys, readings)]
