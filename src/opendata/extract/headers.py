"""Reading the order in which a table's header prints its columns, from the labels it prints.

A permutation of a table's columns (header and values together) must never change a published value, so a row's
values are mapped onto the columns the header names, in the header's order. A header's shape is the template's
(table 三: 自然人 | 法人或其他组织 over five sub-columns | 总计; table 四: three blocks of five outcomes), and a
flattened header lists its labels row by row, so the printed order follows from the order of the labels found:

- every label found exactly once: the printed order is read from them, whatever it is;
- some labels missing or cut (a converter shattered the header): the order is the template's only where the labels
  found agree with it, row of the header by row; a header whose legible labels contradict the template's order
  cannot be read (the caller makes the affected cells unreadable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opendata.spec.template import Code


@dataclass(frozen=True)
class Order:
    """A header's printed column order (codes), or why it cannot be established (`codes` is None)."""

    codes: tuple[str, ...] | None
    why: str = ""
    read: bool = False  # True when every label was found: the order was read, not only found consistent

    @property
    def known(self) -> bool:
        return self.codes is not None


def label_hits(text: str, start: int, end: int, codes: list[Code],
               blanks: tuple[re.Pattern, ...] = ()) -> list[tuple[int, str]]:
    """(position, code) of every label of `codes` in text[start:end], in order; overlapping matches keep the
    longest (其他 inside 其他结果), and text matched by `blanks` (a group label 法人或其他组织) is no label."""
    taken = [(m.start(), m.end()) for b in blanks for m in b.finditer(text, start, end)]
    found = [(m.start(), m.end(), c.code) for c in codes for m in c.pattern.finditer(text, start, end)]
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    hits = []
    for s, e, code in found:
        if all(e <= a or s >= b for a, b in taken):
            taken.append((s, e))
            hits.append((s, code))
    return sorted(hits)


def subsequence(found: list[str], template: list[str]) -> bool:
    """Are the codes found (each once) in the template's relative order?"""
    ranks = [template.index(c) for c in found if c in template]
    return len(set(found)) == len(found) and ranks == sorted(ranks)


def describe(hits: list[tuple[int, str]], labels: dict[str, str]) -> str:
    return " | ".join(labels[c] for _, c in hits) or "no column label"
