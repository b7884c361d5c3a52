"""The number domain: what text can be one cell of a measure, and its value.

A cell's domain comes from its measure: decimals and a unit (元/万元) only in amounts, a sign only in a signed measure
(the 2019 本年增/减 column). Outside its domain a number is never a cell value: printed alone it is `unreadable`, and
no cut or join of digits may make it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_UNIT = re.compile(r"(万元|元)$")
# A cell's text as the template's domain allows it: sign, integer part (maybe with thousands commas), decimals, unit.
# The stream writes every minus form (−, －, —, 减/减少) as "-" and 增/增加 as "+".
_CELL = re.compile(r"(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?P<unit>万元|元)?")
MAX_DIGITS = 15  # no count or amount in a report is longer; a longer run of digits is read as no number (fuzzing)


@dataclass(frozen=True)
class Column:
    """One cell of a printed row: its place (row code, column code: the terms of the identities' equations) and the
    domain of its measure."""

    place: tuple[str, str]
    decimal: bool = False  # an amount: decimals and a unit (元/万元) allowed
    signed: bool = False  # a change: a leading sign allowed
    yuan: bool = False  # the header gives the unit 元: amounts without their own unit are converted to 万元


def parse_number(text: str, decimal: bool = False, yuan: bool = False) -> float | int | None:
    """Value of a number piece; amounts in 元 (printed, or given by the header) are converted to 万元 (251000元 -> 25.1)."""
    if text.isascii() and text.isdigit() and not yuan:  # the common case, fast: the solver parses every cut it tries
        return int(text)
    body = _UNIT.sub("", text).replace(",", "").strip()
    try:
        number = Decimal(body)
    except ArithmeticError:
        return None
    if in_yuan(text, yuan):
        number = number / 10000
    if number == number.to_integral_value() and not (decimal and "." in body):
        return int(number)
    return float(number)


def in_yuan(text: str, yuan: bool) -> bool:
    """Is the number in 元 (its own unit, or the header's when it prints none): converted to 万元 when read."""
    unit = _UNIT.search(text)
    return (unit is not None and unit.group(1) == "元") or (yuan and unit is None)


def domain_problem(text: str, column: Column) -> str | None:
    """Why `text` cannot be a value of `column` (None when it can): decimals and units only in amounts, a sign only
    in a signed measure."""
    m = _CELL.fullmatch(text)
    if not m:
        return "is not a number"
    if len(m.group("int")) + len(m.group("frac") or "") > MAX_DIGITS:
        return f"has more than {MAX_DIGITS} digits"
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
