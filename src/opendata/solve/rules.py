"""The reading rules: the candidate readings a row's pieces allow, each confirmed by the row's own equations.

A piece usually is one cell (the plain case). Where the count of pieces does not match the count of cells, the
rules of messy text streams give the candidates:

- merge: a number broken over lines or spaces ("1", "62" for 162) -- more pieces than cells; pieces are joined only
  across whitespace and line breaks, never across other text (`Piece.after_text`);
- split: digits run together ("21710000218" for 217 1 0 0 0 0 218) -- fewer pieces than cells;
- collapse: a run of equal consecutive cells printed once ("19 0 1 0 20" for 19 0 0 1 0 0 20) -- fewer pieces;
- padded: a converter's empty trailing cells beyond the row, dropped where the row's equations confirm the rest;
- lost: an explicit row with fewer cells than columns, its lost cells at every place (rows without equations);
- surplus: more pieces than cells in a row no equation constrains: any piece may be the stray one.

Sources with explicit cells (HTML, docx, PDF and Markdown tables) keep one token per cell, so there pieces from
different tokens are never joined, a token that is one number is never cut, and runs are never collapsed.
Each cell of a candidate says how it was read (`Cell.reading`, from schemas/template.yaml `readings`): in a row
read by any rule but the plain one, a number printed whole is `placed` (the rule, which the arithmetic confirmed,
decided its column) unless it was joined, split or expanded itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import combinations

from opendata.model import Cell, Piece
from opendata.solve.number import MAX_DIGITS, Column, domain_problem, in_yuan, parse_number, valid_cell
from opendata.solve.walk import TooMany, Walk

# How a cell was read (the published `reading`; the list and which of them the arithmetic chose: template.yaml).
PRINTED, JOINED, SPLIT, RUN_EXPANDED = "printed", "joined", "split", "run_expanded"
PADDED, PLACED, UNIT_CONVERTED, SIGN_WORD = "padded", "placed", "unit_converted", "sign_word"

# The rules, as named in notes.
PLAIN = "one value per cell"
MERGE = "a number broken over lines"
SURPLUS = "a stray value in the row"
COLLAPSE = "runs of equal cells printed once"
LOST = "cells lost from the row"
CHOICE = "one of several unlabelled rows"


@dataclass
class Row:
    """The printed cells of one row (or of a whole one-line table such as 四) and the pieces of its value region."""

    columns: list[Column]
    pieces: list[Piece]
    explicit: bool = False  # the pieces come from a source with explicit cells: one token is one cell
    # Printed rows the row's values are one of (unlabelled rows whose order the source does not settle); `pieces`
    # then holds them all, for notes.
    choices: list[list[Piece]] = field(default_factory=list)


class Candidate(tuple):
    """One reading of a row: a Cell per column, and the rule that gave it."""

    rule: str = PLAIN


def candidate(cells, rule: str) -> Candidate:
    c = Candidate(cells)
    c.rule = rule
    return c


def read_text(text: str, raw: str, ref: str, column: Column, reading: str | None = None, sign_word=False) -> Cell:
    """A reported cell of `column` from text in its domain; `reading` None: as printed (its sign a word, its amount
    converted from 元, or plainly printed)."""
    if reading is None:
        converted = column.decimal and in_yuan(text, column.yuan)
        reading = SIGN_WORD if sign_word else UNIT_CONVERTED if converted else PRINTED
    row, col = column.place
    return Cell("", row, col, "reported", parse_number(text, column.decimal, column.yuan), raw, ref, reading=reading)


def read_piece(piece: Piece, column: Column, reading: str | None = None) -> Cell:
    """One piece read as one cell of `column`: a number outside the column's domain is unreadable, with why.
    `reading`: how the rule that gave the piece this column read it (None: plainly, one piece per cell)."""
    row, col = column.place
    if piece.kind in ("blank", "marker"):
        return Cell("", row, col, piece.kind, None, piece.raw, piece.ref)
    text = piece.text
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS and not column.yuan and not piece.sign_word:
        # most pieces: a plain count, in every column's domain, read as printed (what the general path gives)
        how = PRINTED if reading is None else reading
        return Cell("", row, col, "reported", int(text), piece.raw, piece.ref, reading=how)
    raw = piece.raw or piece.text
    problem = domain_problem(piece.text, column)
    if problem or parse_number(piece.text, column.decimal, column.yuan) is None:
        return unreadable(column, piece.raw, piece.ref, f"{raw!r} {problem or 'is not a number'}")
    return read_text(piece.text, piece.raw, piece.ref, column, reading, piece.sign_word)


def unreadable(column: Column, raw: str, ref: str, note: str) -> Cell:
    return Cell("", *column.place, "unreadable", None, raw, ref, note, reading="")


def unreadable_row(row: Row, why: str) -> list[Cell]:
    ref = row.pieces[0].ref if row.pieces else ""
    raw = " ".join(p.raw or p.text for p in row.pieces)
    return [unreadable(c, raw, ref, why) for c in row.columns]


def plain(row: Row, reading: str | None = None) -> Candidate:
    return candidate((read_piece(p, col, reading) for p, col in zip(row.pieces, row.columns)), PLAIN)


def merges(row: Row, equations=()) -> list[Candidate]:
    """Readings that join adjacent pieces into one cell (numbers broken over lines, decimals split at the point)."""
    pieces, cols, w = row.pieces, row.columns, Walk(row.columns, equations, MERGE)

    def walk(i: int, acc: list[Cell]) -> None:
        col = len(acc)
        if i == len(pieces) or col == len(cols):
            if i == len(pieces) and col == len(cols):
                w.keep(acc)
            return
        if pieces[i].kind in ("blank", "marker"):
            nxt = acc + [read_piece(pieces[i], cols[col])]
            if w.fits(nxt):
                walk(i + 1, nxt)
            return
        text = ""
        for j in range(i, len(pieces) - (len(cols) - col - 1)):
            if not _joinable(row, j, j > i):
                break
            text += pieces[j].text
            if valid_cell(text, cols[col]):
                nxt = acc + [_joined(pieces[i:j + 1], text, cols[col])]
                if w.fits(nxt):
                    walk(j + 1, nxt)

    if len(pieces) >= len(cols):
        walk(0, [])
    return [candidate(c, MERGE) for c in w.out]


def _joinable(row: Row, j: int, onto_previous: bool) -> bool:
    """Can piece j be part of a number (joined onto the piece before it, when `onto_previous`)?"""
    p = row.pieces[j]
    if p.kind not in ("number", "point"):
        return False
    return not onto_previous or not (p.after_text or p.sign_word or (row.explicit and p.hard))


def _joined(group: list[Piece], text: str, column: Column) -> Cell:
    raw = " ".join(p.raw or p.text for p in group)
    ref = "+".join(dict.fromkeys(p.ref for p in group))
    return read_text(text, raw, ref, column, JOINED if len(group) > 1 else PLACED, group[0].sign_word)


def surplus(row: Row, equations=()) -> list[Candidate]:
    """A row with more pieces than cells and no equation of its own: each way of leaving out the surplus number
    pieces (one of them may be noise the stream could not tell from a value) gives a plain reading. With the merges,
    the cells the readings disagree on are ambiguous, never a join the arithmetic cannot confirm. Text streams only:
    in explicit cells a surplus piece is no stray line (such a row stays unreadable, as merges leave it)."""
    n, k = len(row.columns), len(row.pieces)
    if row.explicit or k <= n or k - n > 2 or any(p.kind == "point" for p in row.pieces):
        return []
    if Walk(row.columns, equations, PLAIN).equations:
        return []
    # Only a number alone in its token (a stray line) may be the surplus: never part of "1234—592" or "3/12".
    pieces = row.pieces
    numbers = [i for i, p in enumerate(pieces) if p.kind == "number" and p.hard
               and (i + 1 == len(pieces) or pieces[i + 1].hard)]
    out = []
    for left_out in combinations(numbers, k - n):
        kept = [p for i, p in enumerate(row.pieces) if i not in left_out]
        c = plain(replace(row, pieces=kept), PLACED)
        if all(cell.status != "unreadable" for cell in c):
            out.append(candidate(c, SURPLUS))
    return out


def splits(row: Row, equations=()) -> list[Candidate]:
    """Readings that cut pieces of run-together digits into several cells, at digit boundaries only.

    With equations, the last cell is cut first (each suffix of the last piece in turn): a row's total is printed
    last, and knowing it bounds every partial sum on the way.
    """
    pieces, cols, w = row.pieces, row.columns, Walk(row.columns, equations, SPLIT)
    if not pieces or any(p.kind == "point" for p in pieces):
        return []
    whole = _whole_cells(row)
    last = pieces[-1]
    if not w.equations or last.kind != "number":
        _split_walk(w, pieces, cols, [], whole)
        return [candidate(c, SPLIT) for c in w.out]
    text = last.text
    for start in range(len(text) - 1, -1, -1):
        if start and (whole[-1] or not (text[start - 1].isdigit() and text[start].isdigit())):
            continue
        if not valid_cell(text[start:], cols[-1]):
            continue
        tail = [_cut(last, start, len(text), cols[-1])]
        head = pieces[:-1] + ([replace(last, text=text[:start])] if start else [])
        if len(head) < len(cols) and w.fits([], _digits(head), tail):
            _split_walk(w, head, cols, tail, whole)
    return [candidate(c, SPLIT) for c in w.out]


def _cut(piece: Piece, start: int, end: int, column: Column) -> Cell:
    """The cell made of piece.text[start:end]: split, unless it is the whole piece (then placed by the cuts of the
    others)."""
    text = piece.text[start:end]
    whole = start == 0 and end == len(piece.text)
    return read_text(text, piece.raw if whole else text, piece.ref, column, PLACED if whole else SPLIT,
                     piece.sign_word and start == 0)


def _whole_cells(row: Row) -> list[bool]:
    """Pieces that are a whole cell and may not be cut: in explicit sources, a number alone in its token."""
    p = row.pieces
    return [row.explicit and p[i].hard and (i + 1 == len(p) or p[i + 1].hard) for i in range(len(p))]


def _digits(pieces: list[Piece]) -> int:
    return sum(ch.isdigit() for p in pieces for ch in p.text)


@dataclass
class _Cuts:
    """What the pieces from each index on can still give: `within[i][pos]` digits of piece i from pos on;
    `digits[i]` / `capacity[i]` the digits of the pieces from i on and the most cells they can give."""

    within: list[list[int]]
    digits: list[int]
    capacity: list[int]

    @classmethod
    def of(cls, pieces: list[Piece], whole: list[bool]) -> _Cuts:
        within = [[sum(ch.isdigit() for ch in p.text[pos:]) for pos in range(len(p.text) + 1)] for p in pieces]
        capacity, digits = [0] * (len(pieces) + 1), [0] * (len(pieces) + 1)
        for i in range(len(pieces) - 1, -1, -1):
            digits[i] = digits[i + 1] + within[i][0]
            cuttable = pieces[i].kind == "number" and not whole[i]
            capacity[i] = capacity[i + 1] + (max(1, within[i][0]) if cuttable else 1)
        return cls(within, digits, capacity)


def _split_walk(w: Walk, pieces: list[Piece], cols: list[Column], tail: list[Cell], whole: list[bool]) -> None:
    """Cut `pieces` into the cells before `tail` (the cells already fixed at the right end); `whole[i]`: piece i
    is one cell, never cut."""
    n, cuts = len(cols) - len(tail), _Cuts.of(pieces, whole)

    def walk(i: int, pos: int, acc: list[Cell]) -> None:
        col = len(acc)
        if i == len(pieces) or col == n:
            if i == len(pieces) and col == n:
                w.keep(acc + tail)
            return
        p = pieces[i]
        if p.kind != "number":
            nxt = acc + [read_piece(p, cols[col])]
            if w.fits(nxt, cuts.digits[i + 1], tail):
                walk(i + 1, 0, nxt)
            return
        for end in _ends(p.text, pos, whole[i], cols[col]):
            rest = len(pieces) - i - 1 if end == len(p.text) else len(pieces) - i
            room = cuts.capacity[i + 1] + (0 if end == len(p.text) else max(1, cuts.within[i][end]))
            if not rest <= n - col - 1 <= room:
                continue
            nxt = acc + [_cut(p, pos, end, cols[col])]
            if w.fits(nxt, cuts.digits[i + 1] + cuts.within[i][end], tail):
                walk(i + 1, 0, nxt) if end == len(p.text) else walk(i, end, nxt)

    walk(0, 0, [])


def _ends(text: str, pos: int, whole: bool, column: Column):
    """Where a cell starting at text[pos] may end: between two digits only (never inside a decimal, a thousands
    group or a unit), giving a valid cell."""
    for end in range(pos + 1, len(text) + 1):
        if end < len(text) and (whole or not (text[end - 1].isdigit() and text[end].isdigit())):
            continue
        cell = text[pos:end]
        if not valid_cell(cell, column):
            if len(cell.lstrip("+-")) > 1 and cell.lstrip("+-")[0] == "0" and cell[-1].isdigit():
                return  # a leading zero only gets longer
            continue
        yield end
