"""The arithmetic search: from the rows' candidate readings to settled cells.

Each row's pieces call for a rule (`candidates`; the rules are in `rules` and `gaps`), and every candidate respects
the cells' domain (`number`) and is confirmed by the equations inside its row (H3, H4: each assessable and true).
The rows' candidates are then filtered jointly by the equations across rows (H1, H2) with a bounded backtracking
search (`opendata.spec.identities.equations` is the one source of the arithmetic). A cell equal in every surviving
reading is `reported`, and says how it was read (`Cell.reading`); any other is `ambiguous`, with the candidate
values in its note and `candidates` -- never guessed. One piece per cell is read as printed, even where it breaks an
identity (a source error then fails its check), but a number outside its cell's domain ("352.5" for a count) is
`unreadable`, never reported; a row that no rule reads is `unreadable`. When no reading of the whole table satisfies
the cross-row equations, each row keeps its own readings (the arithmetic that would choose between them is broken).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from opendata.model import Cell
from opendata.solve.gaps import collapses, confirmed, losses, padded, unpadded
from opendata.solve.number import Column, parse_number, valid_cell
from opendata.solve.rules import (CHOICE, COLLAPSE, LOST, MERGE, PADDED, PLAIN, PLACED, PRINTED, SPLIT, SURPLUS,
                                  Candidate, Row, candidate, merges, plain, splits, surplus, unreadable_row)
from opendata.solve.walk import MAX_STEPS, TooMany

__all__ = ["Column", "Row", "confirmed", "parse_number", "solve", "unpadded", "valid_cell"]


def candidates(row: Row, equations=()) -> tuple[str, list[Candidate]]:
    """The rule the pieces call for and the readings it allows that the row's own equations confirm.

    One piece per cell is read as printed (and kept even where it breaks an identity, so the check fails); more
    pieces than cells call for dropping padding cells, else merges (and, in a row no equation constrains, leaving
    out a stray piece); fewer call for splits of run-together digits or for the expansion of collapsed runs
    (explicit cells: for lost cells) -- all are tried, the arithmetic chooses.
    """
    n, k = len(row.columns), len(row.pieces)
    if k == n and not any(p.kind == "point" for p in row.pieces):
        return PLAIN, [plain(row)]
    if k > n and (found := padded(row, equations)):
        return PADDED, found
    if k >= n:
        found = merges(row, equations)
        stray = surplus(row, equations)
        return (f"{MERGE} or {SURPLUS}" if stray else MERGE), _unique(found + stray)
    found = splits(row, equations) + collapses(row, equations) + losses(row, equations)
    return f"{SPLIT} or {LOST if row.explicit else COLLAPSE}", _unique(found)


def choices(row: Row, equations=()) -> tuple[str, list[Candidate]]:
    """The readings of a row that is one of several printed rows (`row.choices`): every reading of each."""
    found = []
    for pieces in row.choices:
        for c in candidates(replace(row, pieces=pieces, choices=[]), equations)[1]:
            found.append(candidate((replace(cell, reading=PLACED) if cell.value is not None else cell for cell in c),
                                   CHOICE))
    return CHOICE, _unique(found)


def _unique(cands: list[Candidate]) -> list[Candidate]:
    """The candidates without repeats (the same statuses and values), the first of each kept."""
    found: dict[tuple, Candidate] = {}
    for c in cands:
        found.setdefault(tuple((r.status, r.value) for r in c), c)
    return list(found.values())


# -- identities across rows -----------------------------------------------------------------------------------------

@dataclass
class _Plan:
    """One cross-row equation over the rows with several candidates: constant part + each row's contribution per
    candidate (None: a blank or marker term), and the bounds of what the rows from each search position on add."""

    const: float
    rows: list[int]  # in search order
    contrib: dict[int, list]
    lo: list[float]
    hi: list[float]

    def consistent(self, choice: dict[int, int]) -> bool:
        total, n = self.const, 0
        for n, i in enumerate(self.rows):
            if i not in choice:
                break
            v = self.contrib[i][choice[i]]
            if v is None:
                return True
            total += v
        else:
            return abs(total) < 1e-9
        return total + self.lo[n] <= 1e-9 and total + self.hi[n] >= -1e-9


def _contributions(eq, where: dict, cands: list[list[Candidate]]) -> tuple[float, dict[int, list]] | None:
    """An equation's constant part (from rows with one candidate) and the variable rows' contributions; None when a
    fixed term has no value (the equation cannot judge)."""
    const, contrib = 0, {}
    for k, sign in [(k, 1) for k in eq.lhs] + [(k, -1) for k in eq.rhs]:
        i, j = where[k]
        if len(cands[i]) == 1:
            v = cands[i][0][j].value
            if v is None:
                return None
            const += sign * v
            continue
        per = contrib.setdefault(i, [0] * len(cands[i]))
        for n, c in enumerate(cands[i]):
            v = c[j].value
            per[n] = None if v is None or per[n] is None else per[n] + sign * v
    return const, contrib


def _plans(rows: list[Row], cands: list[list[Candidate]], equations, position: dict[int, int]) -> list[_Plan]:
    """The cross-row equations that judge rows with several candidates, ready for the search."""
    where = {c.place: (i, j) for i, row in enumerate(rows) for j, c in enumerate(row.columns)}
    plans = []
    for eq in equations:
        if any(k not in where or not cands[where[k][0]] for k in eq.terms):
            continue
        rows_in = {where[k][0] for k in eq.terms}
        if len(rows_in) < 2 or not rows_in & set(position):
            continue  # row equations were applied already; fixed rows are not for the search to judge
        found = _contributions(eq, where, cands)
        if found is None:
            continue
        const, contrib = found
        order = sorted(contrib, key=position.get)
        lo, hi = [0.0] * (len(order) + 1), [0.0] * (len(order) + 1)
        for n in range(len(order) - 1, -1, -1):
            vals = contrib[order[n]]
            if any(v is None for v in vals):
                lo[n], hi[n] = float("-inf"), float("inf")
            else:
                lo[n], hi[n] = lo[n + 1] + min(vals), hi[n + 1] + max(vals)
        plans.append(_Plan(const, order, contrib, lo, hi))
    return plans


def joint(rows: list[Row], cands: list[list[Candidate]], equations) -> list[list[Candidate]] | None:
    """Candidates of each row that take part in some reading of the whole table satisfying the cross-row equations.

    None when there is no such reading (a source error, or a wrong candidate set) or the search is too large.
    """
    order = sorted((i for i, cs in enumerate(cands) if len(cs) > 1), key=lambda i: len(cands[i]))
    if not order:
        return cands
    plans = _plans(rows, cands, equations, {i: n for n, i in enumerate(order)})
    by_row = {i: [p for p in plans if i in p.contrib] for i in order}
    used: dict[int, set] = {i: set() for i in order}
    choice: dict[int, int] = {}
    steps = [0]

    def search(n: int) -> None:
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise TooMany
        if n == len(order):
            for i, c in choice.items():
                used[i].add(c)
            return
        i = order[n]
        for c in range(len(cands[i])):
            choice[i] = c
            if all(p.consistent(choice) for p in by_row[i]):
                search(n + 1)
        del choice[i]

    try:
        search(0)
    except TooMany:
        return None
    if not any(used.values()):
        return None
    return [[c for n, c in enumerate(cs) if i not in used or n in used[i]] for i, cs in enumerate(cands)]


# -- settling cells ---------------------------------------------------------------------------------------------------

def solve(rows: list[Row], equations=()) -> list[list[Cell]]:
    """Cells of every row (table left empty: the caller knows it): reported where all readings fitting the
    arithmetic agree."""
    equations = list(equations)
    found = [_row_candidates(row, own) for row, own in zip(rows, _own_equations(rows, equations))]
    cands = [cs for cs, _ in found]
    narrowed = joint(rows, cands, equations)
    if narrowed is not None:
        cands = narrowed
    return [_settle(row, cs, note) for row, cs, (_, note) in zip(rows, cands, found)]


def _own_equations(rows: list[Row], equations: list) -> list[list]:
    """Each row's own equations (every term one of its cells: every rule tests only these), in their order; each
    equation is tried only on the rows holding its first term, not on every row."""
    places = [{c.place for c in row.columns} for row in rows]
    rows_of: dict[tuple[str, str], list[int]] = {}
    for i, held in enumerate(places):
        for place in held:
            rows_of.setdefault(place, []).append(i)
    own: list[list] = [[] for _ in rows]
    for eq in equations:
        terms = eq.terms
        for i in rows_of.get(terms[0], ()) if terms else range(len(rows)):
            if places[i].issuperset(terms):
                own[i].append(eq)
    return own


def _row_candidates(row: Row, own: list) -> tuple[list[Candidate], str]:
    """A row's readings under the rule its pieces call for (see `candidates`), or why there is none; `own`: the
    row's own equations."""
    if not row.pieces:
        return [], "no values"
    try:
        rule, found = choices(row, own) if row.choices else _maybe_noise(row, own)
    except TooMany:
        return [], f"too many readings of {_text(row)!r} to settle"
    if not found:
        checked = "the cells' domain" + (" and the row's identities" if own else "")
        return [], f"{len(row.pieces)} values for {len(row.columns)} cells; no reading ({rule}) fits {checked}"
    return found, ""


def _maybe_noise(row: Row, equations) -> tuple[str, list[Candidate]]:
    """The row's readings with its pieces that may be noise (a bare page number?) and without them: both stand
    unless the arithmetic or the domain rules one out."""
    rule, found = candidates(row, equations)
    kept = [p for p in row.pieces if not p.maybe_noise]
    if len(kept) == len(row.pieces) or not kept:
        return rule, found
    other, without = candidates(replace(row, pieces=kept), equations)
    return f"{rule}, or {other} without a possible page number", _unique(found + without)


def _settle(row: Row, cands: list[Candidate], note: str) -> list[Cell]:
    """A row's cells: reported where every reading agrees, else ambiguous with the values the readings give."""
    if not cands:
        return unreadable_row(row, note)
    if len(cands) == 1:  # one reading: its cells as they are (what the loop below gives, without its work)
        return list(cands[0])
    rules = " or ".join(dict.fromkeys(c.rule for c in cands))
    out = []
    for j, column in enumerate(row.columns):
        seen = {(c[j].status, c[j].value): c[j] for c in cands}
        if len(seen) == 1:
            out.append(_agreed([c[j] for c in cands]))
            continue
        values = ", ".join(_fmt(status, value, seen[status, value].note) for status, value in sorted(seen, key=_order))
        out.append(Cell(
            "", *column.place, "ambiguous", None, _text(row), row.pieces[0].ref,
            f"{len(cands)} readings of {_text(row)!r} ({rules}) fit the template and its arithmetic; "
            f"this cell is one of {values}", reading="",
            candidates=tuple(value for _, value in sorted(seen, key=_order)),
        ))
    return out


def _agreed(cells: list[Cell]) -> Cell:
    """A cell every reading gives alike: as the first reading has it, but read by a rule wherever any reading
    needed one (the value is then settled by the arithmetic that confirmed the readings)."""
    ruled = next((c for c in cells if c.reading not in (PRINTED, "")), None)
    return cells[0] if ruled is None or len(cells) == 1 else replace(cells[0], reading=ruled.reading)


def _order(item: tuple) -> tuple:
    status, value = item
    return (value is None, value if value is not None else 0, status)


def _text(row: Row) -> str:
    return " ".join(p.text or "(blank)" for p in row.pieces)


def _fmt(status: str, value, note: str = "") -> str:
    if value is None:
        return note if status == "unreadable" and note else status
    return str(value) if isinstance(value, int) else repr(value)
