"""Table 三 from explicit cells: binding value rows a PDF converter left without their label, only where certain."""

from __future__ import annotations

from functools import cache

from opendata.extract.locate import CJK, T3, Locator
from opendata.extract.stream import source_row
from opendata.fold import key
from opendata.model import Piece
from opendata.solve.search import Row, confirmed, unpadded
from opendata.spec.template import TEMPLATE, Code


def bind_rows(loc: Locator, layout: str, regions: dict, make, eqs) -> dict[str, Row]:
    """Explicit-cell sources: a row's values are the cells of its label's table row (or the values on its line
    of text). Value rows a PDF converter left without their label -- pushed into loose text, truncated, split
    over cells -- are bound only where certain:

    - a table row whose label cells are fragments of exactly one missing row's label, among the rows its bound
      neighbours leave possible, is that row;
    - between two bound rows, as many complete unlabelled rows (no label text in their row but a group label's
      fragment; one value per cell once padding is dropped; their own identities holding) as template rows are
      missing: one such row is the missing row; several are each one of the missing rows -- their order is not
      trusted, so only the cells they agree on are certain.

    Anything else stays unread. Returns the rows for the solver, by code."""
    n = len(TEMPLATE.table(T3).codes("columns"))
    value_rows = TEMPLATE.application_value_rows(layout)
    values = {r.code for r in value_rows}
    bound, loose = _own_rows(loc, regions, values)
    index = {r.code: k for k, r in enumerate(value_rows)}
    bind_fragments(loc, value_rows, index, bound, loose)
    out = {code: make(code, pieces) for code, (_, pieces) in bound.items()}
    out.update({code: make(code, []) for code in regions if code in values and code not in bound})  # no values
    marks = sorted((index[code], pos) for code, (pos, _) in bound.items())
    for (i, lo), (j, hi) in zip(marks, marks[1:]):
        missing = value_rows[i + 1:j]
        if not missing or lo >= hi:
            continue
        rows = unlabelled_rows(loc, [g for g in loose if lo < g[0].at < hi], n, make(missing[0].code, []), eqs)
        if rows is None or len(rows) != len(missing):
            continue
        for row in missing:
            out[row.code] = make(row.code, rows[0]) if len(rows) == 1 else make(
                row.code, [p for r in rows for p in r], rows)
    return out


def _own_rows(loc: Locator, regions: dict, values: set[str]) -> tuple[dict, list[list[Piece]]]:
    """The values in each labelled row's own source row (code -> (position, pieces)), and the value groups (one
    table row, or one line) not on their label's row."""
    bound: dict[str, tuple[int, list[Piece]]] = {}
    loose: list[list[Piece]] = []
    for code, (s, e, pieces) in regions.items():
        groups = value_groups(loc, pieces)
        if code not in values:  # values after a group label belong to no labelled row
            loose += groups
            continue
        label_row = loc.row_key(e - 1)
        foreign = [g for g in groups if loc.row_key(g[0].at) != label_row]
        flat = source_row(loc.doc.tokens[loc.stream.token_at(e - 1)].ref) is None
        if foreign and not (flat and all(source_row(g[0].ref) is None for g in foreign)):
            # Values from other table rows: only those of the label's own row are the row's (a label in text
            # followed by values in text only reads as a text stream does).
            pieces = [p for g in groups if loc.row_key(g[0].at) == label_row for p in g]
            loose += foreign
        if pieces:
            bound[code] = (s, pieces)
    return bound, loose


def value_groups(loc: Locator, pieces: list[Piece]) -> list[list[Piece]]:
    groups: list[list[Piece]] = []
    for p in pieces:
        if groups and loc.row_key(groups[-1][0].at) == loc.row_key(p.at):
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def unlabelled_rows(loc: Locator, groups: list[list[Piece]], n: int, probe: Row, eqs) -> list[list[Piece]] | None:
    """The complete rows among value groups between two bound rows; None when a table row there is incomplete,
    or the values in loose text there are enough to make a row (the rows there are not settled then). Fewer
    values in loose text make no row: cells pushed out of other rows."""
    rows, stray = [], 0
    for g in groups:
        cells = unpadded(g, n)
        if row_labels(loc, g):
            return None  # a labelled row that is no template row, or one whose label is too cut to tell
        if len(cells) == n and confirmed(Row(probe.columns, cells, probe.explicit), eqs):
            rows.append(cells)
        elif source_row(g[0].ref) is not None:
            return None
        else:
            stray += len(g)
    return None if stray >= n else rows


def bind_fragments(loc: Locator, value_rows: list[Code], index: dict[str, int], bound: dict,
                   loose: list[list[Piece]]) -> None:
    """Bind table rows whose label cells are fragments of one missing row's label (see bind_rows); `index`: a
    value row's place among `value_rows`, by code."""
    labels = {r.code: [key(label) for label in (r.zh, *r.variants)] for r in value_rows}
    changed = True
    while changed:
        changed = False
        labelled = [(g, found) for g in loose if (found := row_labels(loc, g))]
        for g, fragments_found in labelled:
            fragments = [f for f in fragments_found if len(CJK.findall(f)) >= 4]
            marks = sorted((index[code], pos) for code, (pos, _) in bound.items())
            lo = max((i for i, pos in marks if pos < g[0].at), default=-1)
            hi = min((i for i, pos in marks if pos > g[0].at), default=len(value_rows))
            open_rows = [r.code for r in value_rows[lo + 1:hi] if r.code not in bound]
            fits = set(open_rows)
            for f in fragments:
                fits &= {code for code in open_rows if any(f in label for label in labels[code])}
            if fragments and len(fits) == 1:
                bound[fits.pop()] = (g[0].at, g)
                loose.remove(g)
                changed = True


def row_labels(loc: Locator, group: list[Piece]) -> list[str]:
    """Keys of the label text in a value group's row -- the cells before it in its table row, or the text before
    it on its line -- leaving out fragments of group labels ("（三）不" / "予公开" split over two rows)."""
    tokens, i = loc.doc.tokens, loc.stream.token_at(group[0].at)
    row = source_row(tokens[i].ref)
    if row is None:
        texts = [loc.text[loc.stream.starts[i]:group[0].at]]
    else:
        texts = []
        while i > 0 and source_row(tokens[i - 1].ref) == row:
            i -= 1
            texts.append(loc.stream.lines[i])
    keys = [key(t) for t in texts if CJK.search(t)]
    return [k for k in keys if not any(k in label for label in _group_labels())]



@cache
def _group_labels() -> tuple[str, ...]:
    """Keys of table 三's group labels, in any layout (（六）其他处理 is a group in 2021)."""
    rows = TEMPLATE.table(T3).codes("rows")
    return tuple(key(label) for r in rows if not r.is_value_row("2021") or not r.is_value_row("2019")
                 for label in (r.zh, *r.variants))
