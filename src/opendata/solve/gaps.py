"""Reading rules for rows whose cells were not each printed once: runs of equal cells printed once, a converter's
padding cells, cells lost from a row, and rows that are one of several unlabelled rows."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from opendata.model import Cell, Piece
from opendata.solve.number import valid_cell
from opendata.solve.rules import (COLLAPSE, LOST, PADDED, PLACED, PLAIN, RUN_EXPANDED, Candidate, Row, candidate,
                                  plain, read_piece)
from opendata.solve.walk import Walk


def collapses(row: Row, equations=()) -> list[Candidate]:
    """Readings where each piece stands for a run of equal consecutive cells (a crawler printed each run once)."""
    pieces, cols, w = row.pieces, row.columns, Walk(row.columns, equations, COLLAPSE)
    if row.explicit or any(p.kind == "point" or not p.hard for p in pieces):
        return []  # a crawler drops whole cell tokens: explicit cells, or pieces sharing a line, were never collapsed
    if any((a.kind, a.text) == (b.kind, b.text) for a, b in zip(pieces, pieces[1:])):
        return []  # equal neighbours cannot both be runs: the stream was not collapsed

    def walk(i: int, acc: list[Cell]) -> None:
        col = len(acc)
        if i == len(pieces):
            if col == len(cols):
                w.keep(acc)
            return
        p = pieces[i]
        for length in range(1, len(cols) - col - (len(pieces) - i - 1) + 1):
            if p.kind == "number" and not valid_cell(p.text, cols[col + length - 1]):
                break
            reading = RUN_EXPANDED if length > 1 else PLACED
            nxt = acc + [read_piece(p, c, reading) for c in cols[col:col + length]]
            if w.fits(nxt):
                walk(i + 1, nxt)

    if len(pieces) <= len(cols):
        walk(0, [])
    return [candidate(c, COLLAPSE) for c in w.out]


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
    return [candidate(plain(trimmed, PADDED), PADDED)]


def confirmed(row: Row, equations=()) -> bool:
    """Does the row read one piece per cell, and do its own equations (at least one) hold, all assessable?"""
    if len(row.pieces) != len(row.columns) or any(p.kind == "point" for p in row.pieces):
        return False
    w = Walk(row.columns, equations, PLAIN)
    return bool(w.equations) and w.fits(list(plain(row)))


def losses(row: Row, equations=()) -> list[Candidate]:
    """Readings of an explicit row with fewer pieces than cells: its lost cells, unknown, at every place. Only for
    rows without equations of their own (an unknown cell confirms nothing): they make every cell that the places
    do not settle ambiguous."""
    pieces, cols, w = row.pieces, row.columns, Walk(row.columns, equations, LOST)
    n, k = len(cols), len(pieces)
    if not row.explicit or not 0 < k < n or w.equations or any(p.kind == "point" for p in pieces):
        return []
    for places in combinations(range(n), n - k):
        values = iter(pieces)
        w.keep([Cell("", *col.place, "unreadable", None, "", "", "a lost cell", reading="") if j in places
                else read_piece(next(values), col, PLACED) for j, col in enumerate(cols)])
    return [candidate(c, LOST) for c in w.out]
