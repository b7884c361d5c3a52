"""From the pieces of a value region to cell readings.

A piece usually is one cell (the plain case). Where the count of pieces does not match the count of cells, `solve`
builds the candidate readings a row's pieces allow under the reading rules of messy text streams:

- merge: a number broken over lines or spaces ("1", "62" for 162) -- more pieces than cells;
- split: digits run together ("21710000218" for 217 1 0 0 0 0 218) -- fewer pieces than cells;
- collapse: a run of equal consecutive cells printed once ("19 0 1 0 20" for 19 0 0 1 0 0 20) -- fewer pieces.

Sources with explicit cells (HTML, docx, PDF and Markdown tables) keep one token per cell, so there pieces from
different tokens are never joined, a token that is one number is never cut, and runs are never collapsed (a blank
cell leaves a token); only a token holding several numbers (its own text glued) is merged or cut. Converters pad
rows with empty trailing cells: trailing blank pieces beyond the cells are dropped where the rest reads one piece
per cell and the row's own identities confirm it. A row with fewer cells than columns has lost cells (a PDF
converter pulled a multi-line cell out of it): where no identity of its own can settle it, each cell is one of
the values the lost cells' places allow -- ambiguous, not guessed.

Every candidate respects the cells' domain (decimals and units only in amounts, signs only in signed measures; a
cut or a join also makes no multi-digit cell with a leading zero) and must be confirmed by the equations inside its
row (H3, H4: each assessable and true). The rows' candidates are then filtered jointly by the equations across rows
(H1, H2) with a bounded backtracking search (`opendata.spec.identities.equations` is the one source of the arithmetic). A
cell equal in every surviving reading is `reported`; any other is `ambiguous`, with the candidate values in its note
-- never guessed. One piece per cell is read as printed, even where it breaks an identity (a source error then fails
its check), but a number outside its cell's domain ("352.5" for a count) is `unreadable`, never reported; a row that
no rule reads is `unreadable`. When no reading of the whole table satisfies the cross-row equations, each row keeps
its own readings (the arithmetic that would choose between them is broken).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import combinations

from opendata.model import Piece

_UNIT = re.compile(r"(万元|元)$")
# A cell's text as the template's domain allows it: sign, integer part (maybe with thousands commas), decimals, unit.
_CELL = re.compile(r"(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?P<unit>万元|元)?")
# Bounds that keep a malformed region from exploding: beyond them the row is unreadable / the joint search gives up.
MAX_READINGS = 20000  # candidate readings of one row
MAX_STEPS = 200000  # steps of one search: the readings of a row, or the joint reading of a table


@dataclass
class Reading:
    status: str
    value: float | int | None = None
    raw: str = ""
    ref: str = ""
    note: str = ""


@dataclass(frozen=True)
class Column:
    """One cell of a printed row: its key (as in the identities' equations) and the domain of its measure."""

    key: tuple[str, str]
    decimal: bool = False  # an amount: decimals and a unit (元/万元) allowed
    signed: bool = False  # a change: a leading sign allowed
    yuan: bool = False  # the header gives the unit 元: amounts without their own unit are converted to 万元


@dataclass
class Row:
    """The printed cells of one row (or of a whole one-line table such as 四) and the pieces of its value region."""

    columns: list[Column]
    pieces: list[Piece]
    explicit: bool = False  # the pieces come from a source with explicit cells: one token is one cell
    # Printed rows the row's values are one of (unlabelled rows whose order the source does not settle); `pieces`
    # then holds them all, for notes.
    choices: list[list[Piece]] = field(default_factory=list)


def parse_number(text: str, decimal: bool = False, yuan: bool = False) -> float | int | None:
    """Value of a number piece; amounts in 元 (printed, or given by the header) are converted to 万元 (251000元 -> 25.1)."""
    if text.isascii() and text.isdigit() and not yuan:  # the common case, fast: the solver parses every cut it tries
        return int(text)
    unit = _UNIT.search(text)
    body = _UNIT.sub("", text).replace(",", "").strip()
    try:
        number = Decimal(body)
    except ArithmeticError:
        return None
    if (unit and unit.group(1) == "元") or (yuan and not unit):
        number = number / 10000
    if number == number.to_integral_value() and not (decimal and "." in body):
        return int(number)
    return float(number)


def reading_of(piece: Piece, column: Column) -> Reading:
    """One piece read as one cell of `column`: a number outside the column's domain is unreadable, with why."""
    if piece.kind == "blank":
        return Reading("blank", None, "", piece.ref)
    if piece.kind == "marker":
        return Reading("marker", None, piece.raw, piece.ref)
    raw = piece.raw or piece.text
    problem = domain_problem(piece.text, column)
    value = None if problem else parse_number(piece.text, column.decimal, column.yuan)
    if value is None:
        return Reading("unreadable", None, piece.raw, piece.ref, f"{raw!r} {problem or 'is not a number'}")
    return Reading("reported", value, piece.raw, piece.ref)


def unreadable_row(pieces: list[Piece], n: int, why: str) -> list[Reading]:
    ref = pieces[0].ref if pieces else ""
    raw = " ".join(p.raw or p.text for p in pieces)
    return [Reading("unreadable", None, raw, ref, why) for _ in range(n)]


# -- candidate readings of one row ---------------------------------------------------------------------------------

PLAIN = "one value per cell"
MERGE = "a number broken over lines"
SPLIT = "digits run together"
COLLAPSE = "runs of equal cells printed once"
PADDED = "empty trailing cells beyond the row"
LOST = "cells lost from the row"
CHOICE = "one of several unlabelled rows"


class Candidate(tuple):
    """One reading of a row: a Reading per cell, and the rule that gave it."""

    rule: str = PLAIN


class _TooMany(Exception):
    """A row allows more readings than MAX_READINGS, or the search for them exceeds MAX_STEPS."""


def domain_problem(text: str, column: Column) -> str | None:
    """Why `text` cannot be a value of `column` (None when it can): decimals and units only in amounts, a sign only
    in a signed measure."""
    m = _CELL.fullmatch(text)
    if not m:
        return "is not a number"
    if m.group("sign") and not column.signed:
        return "has a sign; only a change (a signed measure) has one"
    if m.group("frac") and not column.decimal:
        return "is not a whole count"
    if m.group("unit") and not column.decimal:
        return "has a unit; only an amount has one"
    return None


def valid_cell(text: str, column: Column) -> bool:
    """Can `text` be one cell of `column` when cutting or joining pieces? In its domain, and no leading zero: a cut
    or a join that makes "012" is the wrong one (a number printed whole as "012" is read as printed)."""
    if domain_problem(text, column):
        return False
    digits = _CELL.fullmatch(text).group("int").replace(",", "")
    return not (len(digits) > 1 and digits[0] == "0")


def _cell(text: str, raw: str, ref: str, column: Column) -> Reading:
    return Reading("reported", parse_number(text, column.decimal, column.yuan), raw, ref)


def plain(row: Row) -> Candidate:
    c = Candidate(reading_of(p, col) for p, col in zip(row.pieces, row.columns))
    c.rule = PLAIN
    return c


class _Walk:
    """Builds the readings of one row under one rule, cell by cell, keeping only those the row's own equations
    confirm: each equation is tested as soon as all its cells are read, and must be assessable (no blank or marker
    among its terms) and true. A row without equations of its own (table 二) has only its cells' domain to go by.

    Before that, an equation whose cells are partly read is bounded: its terms are non-negative (D1) and the cells
    still to read are made of the digits still unread, so what they can add is bounded by the digits left. That
    prunes most cuts of long runs of digits.
    """

    def __init__(self, row: Row, equations, rule: str):
        self.row, self.rule, self.out, self.steps = row, rule, [], 0
        index = {c.key: j for j, c in enumerate(row.columns)}
        self.equations: list[tuple[list[int], list[int], bool]] = []  # lhs, rhs, terms all non-negative
        for eq in equations:
            if all(k in index for k in eq.terms):
                lhs, rhs = [index[k] for k in eq.lhs], [index[k] for k in eq.rhs]
                self.equations.append((lhs, rhs, not any(row.columns[i].signed for i in lhs + rhs)))

    def fits(self, acc: list[Reading], digits_left: int | None = None, tail: list[Reading] = ()) -> bool:
        """Given the cells read so far (`acc`, from the left; `tail`, fixed at the right end), do the equations whose
        cells are all read hold, and can the others still hold?"""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _TooMany
        n = len(self.row.columns)
        cells_left = n - len(acc) - len(tail)
        known = acc + [None] * cells_left + list(tail)

        # The unread cells: the most they can add is one taking all spare digits, the others one 9 each.
        bound = 10 ** max(digits_left - cells_left + 1, 0) + 9 * cells_left if digits_left is not None else None
        for lhs, rhs, nonneg in self.equations:
            read = [(known[i], 1) for i in lhs] + [(known[i], -1) for i in rhs]
            if any(r is not None and r.value is None for r, _ in read):
                return False  # a blank or marker among the terms: the equation cannot confirm this reading
            diff = sum(r.value * sign for r, sign in read if r is not None)  # lhs - rhs of the cells read
            lhs_open = any(known[i] is None for i in lhs)
            rhs_open = any(known[i] is None for i in rhs)
            if not (lhs_open or rhs_open):
                if abs(diff) > 1e-9:
                    return False
            elif bound is not None and nonneg:  # the unread cells add lhs' - rhs' = -diff, each side in [0, bound]
                if (not lhs_open and not 0 <= diff <= bound) or (not rhs_open and not 0 <= -diff <= bound):
                    return False
                if abs(diff) > bound:
                    return False
        return True

    def keep(self, acc: list[Reading]) -> None:
        c = Candidate(acc)
        c.rule = self.rule
        self.out.append(c)
        if len(self.out) > MAX_READINGS:
            raise _TooMany


def merges(row: Row, equations=()) -> list[Candidate]:
    """Readings that join adjacent pieces into one cell (numbers broken over lines, decimals split at the point)."""
    pieces, cols, w = row.pieces, row.columns, _Walk(row, equations, MERGE)

    def walk(i: int, acc: list[Reading]) -> None:
        col = len(acc)
        if i == len(pieces) or col == len(cols):
            if i == len(pieces) and col == len(cols):
                w.keep(acc)
            return
        if pieces[i].kind in ("blank", "marker"):
            nxt = acc + [reading_of(pieces[i], cols[col])]
            if w.fits(nxt):
                walk(i + 1, nxt)
            return
        text = ""
        for j in range(i, len(pieces) - (len(cols) - col - 1)):
            if pieces[j].kind not in ("number", "point") or (j > i and row.explicit and pieces[j].hard):
                break
            text += pieces[j].text
            if valid_cell(text, cols[col]):
                group = pieces[i:j + 1]
                ref = "+".join(dict.fromkeys(p.ref for p in group))
                nxt = acc + [_cell(text, " ".join(p.raw or p.text for p in group), ref, cols[col])]
                if w.fits(nxt):
                    walk(j + 1, nxt)

    if len(pieces) >= len(cols):
        walk(0, [])
    return w.out


def splits(row: Row, equations=()) -> list[Candidate]:
    """Readings that cut pieces of run-together digits into several cells, at digit boundaries only.

    With equations, the last cell is cut first (each suffix of the last piece in turn): a row's total is printed
    last, and knowing it bounds every partial sum on the way.
    """
    pieces, cols, w = row.pieces, row.columns, _Walk(row, equations, SPLIT)
    if not pieces or any(p.kind == "point" for p in pieces):
        return []
    whole = _whole_cells(row)
    last = pieces[-1]
    if not w.equations or last.kind != "number":
        _split_walk(w, pieces, cols, [], whole)
        return w.out
    text = last.text
    for start in range(len(text) - 1, -1, -1):
        if start and (whole[-1] or not (text[start - 1].isdigit() and text[start].isdigit())):
            continue
        if not valid_cell(text[start:], cols[-1]):
            continue
        tail = [_cell(text[start:], text[start:], last.ref, cols[-1])]
        head = pieces[:-1] + ([replace(last, text=text[:start])] if start else [])
        if len(head) < len(cols) and w.fits([], _digits(head), tail):
            _split_walk(w, head, cols, tail, whole)
    return w.out


def _whole_cells(row: Row) -> list[bool]:
    """Pieces that are a whole cell and may not be cut: in explicit sources, a number alone in its token."""
    p = row.pieces
    return [row.explicit and p[i].hard and (i + 1 == len(p) or p[i + 1].hard) for i in range(len(p))]


def _digits(pieces: list[Piece]) -> int:
    return sum(ch.isdigit() for p in pieces for ch in p.text)


def _split_walk(w: _Walk, pieces: list[Piece], cols: list[Column], tail: list[Reading], whole: list[bool]) -> None:
    """Cut `pieces` into the cells before `tail` (the cells already fixed at the right end); `whole[i]`: piece i
    is one cell, never cut."""
    n = len(cols) - len(tail)

    # within[i][pos]: the digits of piece i from pos on; digits[i] / capacity[i]: the digits of the pieces from i on
    # and the most cells they can give (one per digit of a number, one per other piece).
    within = [[sum(ch.isdigit() for ch in p.text[pos:]) for pos in range(len(p.text) + 1)] for p in pieces]
    capacity, digits = [0] * (len(pieces) + 1), [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        digits[i] = digits[i + 1] + within[i][0]
        cuttable = pieces[i].kind == "number" and not whole[i]
        capacity[i] = capacity[i + 1] + (max(1, within[i][0]) if cuttable else 1)

    def walk(i: int, pos: int, acc: list[Reading]) -> None:
        col = len(acc)
        if i == len(pieces) or col == n:
            if i == len(pieces) and col == n:
                w.keep(acc + tail)
            return
        p = pieces[i]
        if p.kind != "number":
            nxt = acc + [reading_of(p, cols[col])]
            if w.fits(nxt, digits[i + 1], tail):
                walk(i + 1, 0, nxt)
            return
        text, left = p.text, n - col - 1
        for end in range(pos + 1, len(text) + 1):
            if end < len(text) and (whole[i] or not (text[end - 1].isdigit() and text[end].isdigit())):
                continue  # cut only between two digits: never inside a decimal, a thousands group or a unit
            cell = text[pos:end]
            if not valid_cell(cell, cols[col]):
                if len(cell.lstrip("+-")) > 1 and cell.lstrip("+-")[0] == "0" and cell[-1].isdigit():
                    break  # a leading zero only gets longer
                continue
            rest = len(pieces) - i - 1 if end == len(text) else len(pieces) - i
            room = capacity[i + 1] + (0 if end == len(text) else max(1, within[i][end]))
            if not rest <= left <= room:
                continue
            nxt = acc + [_cell(cell, cell, p.ref, cols[col])]
            if w.fits(nxt, digits[i + 1] + within[i][end], tail):
                walk(i + 1, 0, nxt) if end == len(text) else walk(i, end, nxt)

    walk(0, 0, [])


def collapses(row: Row, equations=()) -> list[Candidate]:
    """Readings where each piece stands for a run of equal consecutive cells (a crawler printed each run once)."""
    pieces, cols, w = row.pieces, row.columns, _Walk(row, equations, COLLAPSE)
    if row.explicit or any(p.kind == "point" or not p.hard for p in pieces):
        return []  # a crawler drops whole cell tokens: explicit cells, or pieces sharing a line, were never collapsed
    if any((a.kind, a.text) == (b.kind, b.text) for a, b in zip(pieces, pieces[1:])):
        return []  # equal neighbours cannot both be runs: the stream was not collapsed

    def walk(i: int, acc: list[Reading]) -> None:
        col = len(acc)
        if i == len(pieces):
            if col == len(cols):
                w.keep(acc)
            return
        p = pieces[i]
        for length in range(1, len(cols) - col - (len(pieces) - i - 1) + 1):
            if p.kind == "number" and not valid_cell(p.text, cols[col + length - 1]):
                break
            nxt = acc + [reading_of(p, c) for c in cols[col:col + length]]
            if w.fits(nxt):
                walk(i + 1, nxt)

    if len(pieces) <= len(cols):
        walk(0, [])
    return w.out


def unpadded(pieces: list[Piece], n: int) -> list[Piece]:
    """The pieces without trailing blank pieces beyond `n` cells (a converter's padding cells)."""
    if len(pieces) > n and all(p.kind == "blank" for p in pieces[n:]):
        return pieces[:n]
    return pieces


def padded(row: Row, equations=()) -> list[Candidate]:
    """The reading without the row's trailing blank pieces beyond its cells (a converter's padding cells), where
    the rest is one piece per cell and the row's own equations -- there must be some -- confirm it."""
    n = len(row.columns)
    if len(row.pieces) <= n:
        return []
    trimmed = replace(row, pieces=unpadded(row.pieces, n))
    if not confirmed(trimmed, equations):
        return []
    reading = plain(trimmed)
    reading.rule = PADDED
    return [reading]


def confirmed(row: Row, equations=()) -> bool:
    """Does the row read one piece per cell, and do its own equations (at least one) hold, all assessable?"""
    if len(row.pieces) != len(row.columns) or any(p.kind == "point" for p in row.pieces):
        return False
    w = _Walk(row, equations, PLAIN)
    return bool(w.equations) and w.fits(list(plain(row)))


def losses(row: Row, equations=()) -> list[Candidate]:
    """Readings of an explicit row with fewer pieces than cells: its lost cells, unknown, at every place. Only for
    rows without equations of their own (an unknown cell confirms nothing): they make every cell that the places
    do not settle ambiguous."""
    pieces, cols, w = row.pieces, row.columns, _Walk(row, equations, LOST)
    n, k = len(cols), len(pieces)
    if not row.explicit or not 0 < k < n or w.equations or any(p.kind == "point" for p in pieces):
        return []
    for places in combinations(range(n), n - k):
        values = iter(pieces)
        w.keep([Reading("unreadable", None, "", "", "a lost cell") if j in places else reading_of(next(values), col)
                for j, col in enumerate(cols)])
    return w.out


def candidates(row: Row, equations=()) -> tuple[str, list[Candidate]]:
    """The rule the pieces call for and the readings it allows that the row's own equations confirm.

    One piece per cell is read as printed (and kept even where it breaks an identity, so the check fails); more
    pieces than cells call for dropping padding cells, else merges; fewer call for splits of run-together digits
    or for the expansion of collapsed runs (explicit cells: for lost cells) -- all are tried, the arithmetic
    chooses.
    """
    n, k = len(row.columns), len(row.pieces)
    if k == n and not any(p.kind == "point" for p in row.pieces):
        return PLAIN, [plain(row)]
    if k > n and (found := padded(row, equations)):
        return PADDED, found
    if k >= n:
        return MERGE, merges(row, equations)
    found = splits(row, equations) + collapses(row, equations) + losses(row, equations)
    return f"{SPLIT} or {LOST if row.explicit else COLLAPSE}", _unique(found)


def choices(row: Row, equations=()) -> tuple[str, list[Candidate]]:
    """The readings of a row that is one of several printed rows (`row.choices`): every reading of each."""
    found = []
    for pieces in row.choices:
        for c in candidates(replace(row, pieces=pieces, choices=[]), equations)[1]:
            c = Candidate(c)
            c.rule = CHOICE
            found.append(c)
    return CHOICE, _unique(found)


def _unique(cands: list[Candidate]) -> list[Candidate]:
    """The candidates without repeats (the same statuses and values), the first of each kept."""
    found: dict[tuple, Candidate] = {}
    for c in cands:
        found.setdefault(tuple((r.status, r.value) for r in c), c)
    return list(found.values())


# -- identities -------------------------------------------------------------------------------------------------------

def joint(rows: list[Row], cands: list[list[Candidate]], equations) -> list[list[Candidate]] | None:
    """Candidates of each row that take part in some reading of the whole table satisfying the cross-row equations.

    None when there is no such reading (a source error, or a wrong candidate set) or the search is too large.
    """
    where = {c.key: (i, j) for i, row in enumerate(rows) for j, c in enumerate(row.columns)}
    variable = [i for i, cs in enumerate(cands) if len(cs) > 1]
    if not variable:
        return cands
    eqs = []  # (constant part, {row: [contribution per candidate or None]})
    for eq in equations:
        terms = [(k, 1) for k in eq.lhs] + [(k, -1) for k in eq.rhs]
        if any(k not in where or not cands[where[k][0]] for k, _ in terms):
            continue
        rows_in = {where[k][0] for k, _ in terms}
        if len(rows_in) < 2 or not rows_in & set(variable):
            continue  # row equations were applied already; fixed rows are not for the search to judge
        const, contrib, assessable = 0, {}, True
        for k, sign in terms:
            i, j = where[k]
            if len(cands[i]) == 1:
                v = cands[i][0][j].value
                if v is None:
                    assessable = False
                    break
                const += sign * v
            else:
                per = contrib.setdefault(i, [0] * len(cands[i]))
                for n, c in enumerate(cands[i]):
                    v = c[j].value
                    per[n] = None if v is None or per[n] is None else per[n] + sign * v
        if assessable:
            eqs.append((const, contrib))
    order = sorted(variable, key=lambda i: len(cands[i]))
    position = {i: n for n, i in enumerate(order)}
    # For each equation: its rows in search order, and the bounds of what the rows not yet chosen can add.
    plans = []
    for const, contrib in eqs:
        rows_in = sorted(contrib, key=position.get)
        lo, hi = [0.0] * (len(rows_in) + 1), [0.0] * (len(rows_in) + 1)
        for n in range(len(rows_in) - 1, -1, -1):
            vals = contrib[rows_in[n]]
            if any(v is None for v in vals):
                lo[n], hi[n] = float("-inf"), float("inf")
            else:
                lo[n], hi[n] = lo[n + 1] + min(vals), hi[n + 1] + max(vals)
        plans.append((const, rows_in, contrib, lo, hi))
    by_row: dict[int, list[int]] = {i: [] for i in order}
    for e, (_, rows_in, _, _, _) in enumerate(plans):
        for i in rows_in:
            by_row[i].append(e)
    used = {i: set() for i in order}
    choice: dict[int, int] = {}
    steps = [0]

    def consistent(e: int) -> bool:
        const, rows_in, contrib, lo, hi = plans[e]
        total, n = const, 0
        for n, i in enumerate(rows_in):
            if i not in choice:
                break
            v = contrib[i][choice[i]]
            if v is None:
                return True
            total += v
        else:
            return abs(total) < 1e-9
        return total + lo[n] <= 1e-9 and total + hi[n] >= -1e-9

    def search(n: int) -> None:
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise _TooMany
        if n == len(order):
            for i, c in choice.items():
                used[i].add(c)
            return
        i = order[n]
        for c in range(len(cands[i])):
            choice[i] = c
            if all(consistent(e) for e in by_row[i]):
                search(n + 1)
        del choice[i]

    try:
        search(0)
    except _TooMany:
        return None
    if not any(used.values()):
        return None
    return [[c for n, c in enumerate(cs) if i not in used or n in used[i]] for i, cs in enumerate(cands)]


# -- settling cells ---------------------------------------------------------------------------------------------------

def solve(rows: list[Row], equations=()) -> list[list[Reading]]:
    """Readings for the cells of every row: reported where all readings fitting the arithmetic agree."""
    equations = list(equations)
    found = [_row_candidates(row, equations) for row in rows]
    cands = [cs for cs, _ in found]
    narrowed = joint(rows, cands, equations)
    if narrowed is not None:
        cands = narrowed
    return [_settle(row, cs, note) for row, cs, (_, note) in zip(rows, cands, found)]


def _row_candidates(row: Row, equations) -> tuple[list[Candidate], str]:
    """A row's readings under the rule its pieces call for (see `candidates`), or why there is none."""
    if not row.pieces:
        return [], "no values"
    try:
        rule, found = choices(row, equations) if row.choices else candidates(row, equations)
    except _TooMany:
        return [], f"too many readings of {_text(row)!r} to settle"
    if not found:
        keys = {c.key for c in row.columns}
        checked = "the cells' domain" + (
            " and the row's identities" if any(set(eq.terms) <= keys for eq in equations) else "")
        return [], f"{len(row.pieces)} values for {len(row.columns)} cells; no reading ({rule}) fits {checked}"
    return found, ""


def _settle(row: Row, cands: list[Candidate], note: str) -> list[Reading]:
    """A row's cells: reported where every reading agrees, else ambiguous with the values the readings give."""
    if not cands:
        return unreadable_row(row.pieces, len(row.columns), note)
    rules = " or ".join(dict.fromkeys(c.rule for c in cands))
    out = []
    for j in range(len(row.columns)):
        seen = {(c[j].status, c[j].value): c[j] for c in cands}
        if len(seen) == 1:
            out.append(cands[0][j])
            continue
        values = ", ".join(_fmt(status, value, seen[status, value].note) for status, value in sorted(seen, key=_order))
        out.append(Reading(
            "ambiguous", None, _text(row), row.pieces[0].ref,
            f"{len(cands)} readings of {_text(row)!r} ({rules}) fit the template and its arithmetic; "
            f"this cell is one of {values}",
        ))
    return out


def _order(item: tuple) -> tuple:
    status, value = item
    return (value is None, value if value is not None else 0, status)


def _text(row: Row) -> str:
    return " ".join(p.text or "(blank)" for p in row.pieces)


def _fmt(status: str, value, note: str = "") -> str:
    if value is None:
        return note if status == "unreadable" and note else status
    return str(value) if isinstance(value, int) else repr(value)
