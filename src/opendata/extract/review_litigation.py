"""Table 四 (行政复议、行政诉讼): every printed copy's one value row, the fifteen cells of its three blocks."""

from __future__ import annotations

import re

from opendata.extract.headers import Order, describe, label_hits
from opendata.extract.interrupt import cut_by_text, is_value_line, read_through
from opendata.extract.locate import CJK, T4, T4_FIRST, T4_HEADER, T4_SECOND, Locator, pattern
from opendata.fold import key
from opendata.extract.solved import to_cell
from opendata.extract.stream import source_row
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
            region_start, region_end = m.start(), _values_end(loc, m.start(), end)
        order = cell_order(loc, header.start(), region_start)
        pieces = loc.stream.pieces(region_start, region_end)
        cut = None if run else _cut_by_text(loc, pieces, region_start, region_end, end)
        why = cut or (None if order.known else order.why)
        if why:
            loc.fail(T4, why)
            copies.append([Cell(T4, b, o, "unreadable", note=why) for b, o in _KEYS])
        else:
            copies.append(t4_cells(loc, pieces, order))
        pos = region_end
    return copies


def _values_end(loc: Locator, start: int, end: int) -> int:
    """Where table 四's values (from `start`) end in flattened text: at the first words after them, read through
    known noise (furniture, a note, a narrative sentence: `interrupt.read_through`) on lines of its own while
    fewer than fifteen cells are printed and value lines follow it before a heading, the next copy's header or
    `end`."""
    stop = _AFTER_T4_VALUES.search(loc.text, start, end)
    while stop:
        line_start = loc.text.rfind("\n", 0, stop.start()) + 1
        line_end = loc.text.find("\n", stop.start(), end)
        own_line = line_end != -1 and not loc.text[line_start:stop.start()].strip()
        if not own_line or not read_through(loc.stream, loc.stream.token_at(stop.start())):
            break
        if len(_numbers(loc.stream.pieces(start, line_start))) >= len(_KEYS):
            break
        limit = _section_limit(loc, line_end, end)
        if not _NUMBER_LINE.search(loc.text, line_end, limit):
            break
        stop = _AFTER_T4_VALUES.search(loc.text, line_end, end)
    return stop.start() if stop else end


def _numbers(pieces: list[Piece]) -> list[Piece]:
    return [p for p in pieces if p.kind in ("number", "marker")]


def _section_limit(loc: Locator, pos: int, end: int) -> int:
    """The end of what may still be table 四's values after `pos`: the next heading or copy's header, or `end`."""
    heading = _HEADING_LINE.search(loc.text, pos, end)
    header = loc.find(T4_HEADER, pos, end)
    return min([m.start() for m in (heading, header) if m] + [end])


def _cut_by_text(loc: Locator, pieces: list[Piece], region_start: int, region_end: int, end: int) -> str | None:
    """Why the value region is not the whole table (None when it is): unclassified text ended it before all fifteen
    cells were printed, and more value lines follow before a heading, the next copy or `end` (the one rule of
    `interrupt.cut_by_text`). Reading the fewer pieces would let the arithmetic expand runs into cells the source
    printed after the text: never guessed."""
    if region_end >= end or len(_numbers(pieces)) >= len(_KEYS):
        return None  # the whole table
    limit = _section_limit(loc, region_end, end)
    if _HEADING.match(loc.text, region_end):
        # A heading (五、…, (一)…) followed by words ends the table: what follows is the next section. Followed by a
        # value line, the values go on after it.
        line_end = loc.text.find("\n", region_end, end)
        if line_end == -1 or not _value_line_next(loc, line_end, end):
            return None
        limit = _section_limit(loc, line_end, end)
    why = cut_by_text(loc.stream, region_start, limit)
    return f"table 四's {why[4:]}" if why else None


def _value_line_next(loc: Locator, pos: int, end: int) -> bool:
    """Is the first line after `pos` (blank lines and page furniture skipped) a value line -- not a year broken
    from its 年 ("2019" / "年，本机关…")?"""
    stream = loc.stream
    lines = [i for i in range(stream.token_at(pos) + 1, stream.token_at(end - 1) + 1)
             if stream.lines[i].strip() and stream.noise.of(i) in (None, "maybe_page")]
    if not lines or not is_value_line(stream.lines[lines[0]]):
        return False
    return len(lines) == 1 or not _DATE_PART.match(stream.lines[lines[1]])


_DATE_PART = re.compile(r"\s*[年月日]")


# A heading opening the text after the values: an ordinal, bracketed or followed by 、.
_HEADING = re.compile(r"\s*(?:[(（]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*、)")
_HEADING_LINE = re.compile(r"(?m)^[ \t]*(?:[(（]\s*[一二三四五六七八九十]+\s*[)）]|[一二三四五六七八九十]+\s*、)")
# A line holding only a number: a cell of a one-cell-per-line table, never narrative.
_NUMBER_LINE = re.compile(r"(?m)^[ \t]*\d+[ \t]*$")


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


def t4_cells(loc: Locator, pieces: list[Piece], order: Order) -> list[Cell]:
    """The fifteen cells from one value row, its values in the header's order (`order`: "block.outcome" codes)."""
    keys = [tuple(code.split(".")) for code in order.codes]
    # The whole one-line table is one row for the solver: H4 settles where its blocks begin and end.
    readings = solve([Row([Column(k) for k in keys], pieces, loc.doc.cells_explicit)], equations({}))[0]
    by_key = dict(zip(keys, readings))
    return [to_cell(T4, b, o, by_key[b, o]) for b, o in _KEYS]


_TABLE = TEMPLATE.table(T4)
_BLOCKS = [b.code for b in _TABLE.codes("blocks")]
_OUTCOMES = [o.code for o in _TABLE.codes("outcomes")]
_KEYS = [(b, o) for b in _BLOCKS for o in _OUTCOMES]
_LABELS = {c.code: c.zh for name in ("blocks", "outcomes") for c in _TABLE.codes(name)}
_REVIEW, _LITIGATION = pattern(T4_FIRST), pattern(T4_SECOND)  # the header's top row: 行政复议 | 行政诉讼


def cell_order(loc: Locator, start: int, end: int) -> Order:
    """The printed order of table 四's cells, from its header between `start` and the values at `end`. The shape
    is the template's: 行政复议 | 行政诉讼 (in either order) over 未经复议直接起诉 | 复议后起诉, each block over five
    outcomes, flattened row by row; so the litigation blocks are in the order of their labels, and fifteen outcome
    labels are 行政复议's outcomes then the litigation blocks', five by five. Fewer labels (a shattered header) are
    taken only where they follow the template's order."""
    review_first = _review_first(loc, start, end)
    lit = [code for _, code in label_hits(loc.text, start, end, _TABLE.codes("blocks")[1:])]
    outcome_hits = label_hits(loc.text, start, end, _TABLE.codes("outcomes"))
    outcomes = [code for _, code in outcome_hits]
    if review_first is None or len(lit) > 2 or (len(lit) == 2 and len(set(lit)) == 1):
        return Order(None, f"the header prints its blocks as {_top_labels(loc, start, end)}"
                           f"{' | '.join(_LABELS[c] for c in lit)}; which value is whose cannot be established")
    litigation = lit if sorted(lit) == sorted(_BLOCKS[1:]) else _BLOCKS[1:]
    # Row by row, 行政复议's outcomes (the header's second row, beside the litigation blocks' labels) come first.
    groups = [outcomes[i:i + 5] for i in range(0, 15, 5)]
    if not (len(outcomes) == 15 and all(sorted(g) == sorted(_OUTCOMES) for g in groups)):
        if not _runs_in_order(outcomes):
            return Order(None, f"the header prints the outcomes as {describe(outcome_hits, _LABELS)}; "
                               "which value is whose cannot be established")
        groups = [_OUTCOMES] * 3
    if not review_first and len({tuple(g) for g in groups}) > 1 and not _review_row_above(loc, outcome_hits):
        # 行政复议 on the right: its outcomes are the first five row by row, the last five where a converter put its
        # taller cells on the last line -- told apart only when every block prints its outcomes alike.
        return Order(None, f"the header prints 行政诉讼 before 行政复议 and the blocks' outcomes in different orders "
                           f"({describe(outcome_hits, _LABELS)}); which value is whose cannot be established")
    cells = dict(zip([_BLOCKS[0], *litigation], groups))
    blocks = [_BLOCKS[0], *litigation] if review_first else [*litigation, _BLOCKS[0]]
    return Order(tuple(f"{b}.{o}" for b in blocks for o in cells[b]), read=len(lit) == 2 and len(outcomes) == 15)


def _review_row_above(loc: Locator, hits: list[tuple[int, str]]) -> bool:
    """In a grid (cells with rows), are the first five outcome labels one row and the other ten the next? Then
    the first five are 行政复议's, printed beside the litigation blocks' labels, whatever each block's order."""
    if len(hits) != 15:
        return False
    rows = [source_row(loc.stream.ref(pos, pos + 1)) for pos, _ in hits]
    return None not in rows and len(set(rows[:5])) == 1 and len(set(rows[5:])) == 1 and rows[0] != rows[5]


def _review_first(loc: Locator, start: int, end: int) -> bool | None:
    """Is 行政复议 printed left of 行政诉讼? Read from their last pair in the header (a section heading naming both,
    "四、…行政复议、行政诉讼情况", may come first); None when they are not printed in pairs."""
    review = [m.start() for m in _REVIEW.finditer(loc.text, start, end)]
    litigation = [m.start() for m in _LITIGATION.finditer(loc.text, start, end)]
    if not review or len(review) != len(litigation):
        return None
    return review[-1] < litigation[-1]


def _top_labels(loc: Locator, start: int, end: int) -> str:
    hits = sorted([(m.start(), T4_FIRST) for m in _REVIEW.finditer(loc.text, start, end)]
                  + [(m.start(), T4_SECOND) for m in _LITIGATION.finditer(loc.text, start, end)])
    return "".join(f"{label} | " for _, label in hits)


def _runs_in_order(outcomes: list[str]) -> bool:
    """Do the outcome labels found split into at most three runs (one per block), each in the template's order?"""
    runs, last = 1, -1
    for code in outcomes:
        rank = _OUTCOMES.index(code)
        if rank <= last:
            runs += 1
        last = rank
    return runs <= 3
