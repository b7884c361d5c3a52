"""A row's own equations as a filter on its readings, applied cell by cell while a rule builds them."""

from __future__ import annotations

from opendata.model import Cell
from opendata.solve.number import Column

# Bounds that keep a malformed region from exploding: beyond them the row is unreadable / the joint search gives up.
MAX_READINGS = 20000  # candidate readings of one row
MAX_STEPS = 200000  # steps of one search: the readings of a row, or the joint reading of a table


class TooMany(Exception):
    """A row allows more readings than MAX_READINGS, or the search for them exceeds MAX_STEPS."""


class Walk:
    """Keeps the readings of one row under one rule that the row's own equations confirm: each equation is tested as
    soon as all its cells are read, and must be assessable (no blank or marker among its terms) and true. A row
    without equations of its own (table 二) has only its cells' domain to go by.

    Before that, an equation whose cells are partly read is bounded: its terms are non-negative (D1) and the cells
    still to read are made of the digits still unread, so what they can add is bounded by the digits left. That
    prunes most cuts of long runs of digits.
    """

    def __init__(self, columns: list[Column], equations, rule: str):
        self.n, self.rule, self.out, self.steps = len(columns), rule, [], 0
        index = {c.place: j for j, c in enumerate(columns)}
        self.equations: list[tuple[list[int], list[int], bool]] = []  # lhs, rhs, terms all non-negative
        for eq in equations:
            if all(k in index for k in eq.terms):
                lhs, rhs = [index[k] for k in eq.lhs], [index[k] for k in eq.rhs]
                self.equations.append((lhs, rhs, not any(columns[i].signed for i in lhs + rhs)))

    def fits(self, acc: list[Cell], digits_left: int | None = None, tail: list[Cell] = ()) -> bool:
        """Given the cells read so far (`acc`, from the left; `tail`, fixed at the right end), do the equations whose
        cells are all read hold, and can the others still hold?"""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TooMany
        cells_left = self.n - len(acc) - len(tail)
        known = acc + [None] * cells_left + list(tail)
        # The unread cells: the most they can add is one taking all spare digits, the others one 9 each.
        bound = 10 ** max(digits_left - cells_left + 1, 0) + 9 * cells_left if digits_left is not None else None
        for lhs, rhs, nonneg in self.equations:  # a loop, not all(...): this is the solver's innermost step
            if not _holds(known, lhs, rhs, bound if nonneg else None):
                return False
        return True

    def keep(self, acc: list[Cell]) -> None:
        self.out.append(acc)
        if len(self.out) > MAX_READINGS:
            raise TooMany


def _holds(known: list[Cell | None], lhs: list[int], rhs: list[int], bound: int | None) -> bool:
    """Can sum(lhs) == sum(rhs) hold, given the cells read (None: unread; each side's unread cells add at most
    `bound`, None: unbounded)?"""
    diff, lhs_open, rhs_open = 0, False, False  # diff: lhs - rhs of the cells read
    for terms, sign in ((lhs, 1), (rhs, -1)):
        for i in terms:
            cell = known[i]
            if cell is None:
                lhs_open, rhs_open = (True, rhs_open) if sign == 1 else (lhs_open, True)
            elif cell.value is None:
                return False  # a blank or marker among the terms: the equation cannot confirm this reading
            else:
                diff += sign * cell.value
    if not (lhs_open or rhs_open):
        return abs(diff) <= 1e-9
    if bound is None:
        return True
    # The unread cells add lhs' - rhs' = -diff, each side in [0, bound].
    if (not lhs_open and not 0 <= diff <= bound) or (not rhs_open and not 0 <= -diff <= bound):
        return False
    return abs(diff) <= bound
