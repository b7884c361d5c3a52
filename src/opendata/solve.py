"""From the pieces of a value region to cell readings.

A piece usually is one cell. Where the count of pieces does not match the count of cells (digits run together,
numbers broken over lines, runs of equal cells printed once), the candidate readings are filtered by the
template's identities; a cell that the arithmetic does not settle is `ambiguous`, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from opendata.stream import Piece

_UNIT = re.compile(r"(万元|元)$")


@dataclass
class Reading:
    status: str
    value: float | int | None = None
    raw: str = ""
    ref: str = ""
    note: str = ""


def parse_number(text: str, decimal: bool = False) -> float | int | None:
    """Value of a number piece; amounts printed in 元 are converted to 万元 (251000元 -> 25.1)."""
    unit = _UNIT.search(text)
    body = _UNIT.sub("", text).replace(",", "").strip()
    try:
        number = Decimal(body)
    except ArithmeticError:
        return None
    if unit and unit.group(1) == "元":
        number = number / 10000
    if number == number.to_integral_value() and not (decimal and "." in body):
        return int(number)
    return float(number)


def reading_of(piece: Piece, decimal: bool = False) -> Reading:
    if piece.kind == "blank":
        return Reading("blank", None, "", piece.ref)
    if piece.kind == "marker":
        return Reading("marker", None, piece.raw, piece.ref)
    value = parse_number(piece.text, decimal)
    if value is None:
        return Reading("unreadable", None, piece.raw, piece.ref, f"not a number: {piece.raw!r}")
    return Reading("reported", value, piece.raw, piece.ref)


def read_row(pieces: list[Piece], n: int, decimals: list[bool] | None = None) -> list[Reading] | None:
    """One piece per cell: the plain case. None when the count of pieces is not the count of cells."""
    decimals = decimals or [False] * n
    if len(pieces) != n:
        return None
    return [reading_of(p, d) for p, d in zip(pieces, decimals)]


def unreadable_row(pieces: list[Piece], n: int, why: str) -> list[Reading]:
    ref = pieces[0].ref if pieces else ""
    raw = " ".join(p.raw or p.text for p in pieces)
    return [Reading("unreadable", None, raw, ref, why) for _ in range(n)]
