"""Markdown, as PDF-to-Markdown converters write it: pipe tables mixed with flat text lines.

A table row (`| a | b |`, or GFM's `a | b` inside a run of pipe lines that holds a separator row) gives one token
per cell, ref `L{line}/c{col}` (1-based); separator rows (`|---|`) give none. Every other non-empty line is one token, ref `L{line}`; page footers ("— 5 —") are dropped. Empty cells are
blank values where a value can stand (see readers/grid.py), so the document is cells_explicit.

The reader transcribes and never repairs: a converted table may have lost its header, pushed labels into flat
text or left value rows without labels; which row such values belong to is for the aligner and the template's
arithmetic to settle (or flag), not for the reader to guess.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from opendata.model import Document, Token
from opendata.read import decode
from opendata.read.furniture import PAGE_NUMBER, page_break_between_tables, repeated_lines
from opendata.read.grid import Grid, Markers, grid_tokens, is_value

_SEPARATOR_CELL = re.compile(r"^\s*:?-{1,}:?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def read(path: Path, markers: Markers = frozenset()) -> Document:
    text, encoding = decode(path.read_bytes())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows = _table_rows(lines)
    breaks = _page_breaks(lines, rows)
    rows |= breaks  # kept with the table rows: they print no cell
    tokens: list[Token] = []
    table: list[tuple[int, list[str]]] = []  # the pipe rows of the current table: (line number, cells)
    for number, line in enumerate(lines, start=1):
        cells = _row_cells(line) if number - 1 in rows else None
        if number - 1 in rows and cells is None:
            continue  # a page break's furniture between two parts of a table
        if cells is not None:
            if not all(_SEPARATOR_CELL.match(c) for c in cells):
                table.append((number, cells))
            continue
        tokens += _table_tokens(table, markers, breaks)
        table = []
        if line.strip() and not PAGE_NUMBER.match(line):
            tokens.append(Token(line, f"L{number}"))
    tokens += _table_tokens(table, markers, breaks)
    return Document(path=path, format="markdown", tokens=tokens, cells_explicit=True, encoding=encoding)


def _table_rows(lines: list[str]) -> set[int]:
    """Indexes of the lines that are table rows: lines opening with a pipe, and lines holding a pipe in a run of
    such lines that has a separator row (GFM lets rows leave out their outer pipes)."""
    out: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if _PIPE.search(line):
            run.append(i)
            continue
        if any(_is_separator(lines[j]) for j in run):
            out.update(run)
        else:
            out.update(j for j in run if lines[j].strip().startswith("|"))
        run = []
    return out


def _page_breaks(lines: list[str], rows: set[int]) -> set[int]:
    """Lines between two table rows that only a page break prints there (page numbers, the running title): a table
    cut by a page break goes on as one table."""
    repeated = repeated_lines(lines)
    out: set[int] = set()
    ordered = sorted(rows)
    for a, b in zip(ordered, ordered[1:]):
        if b > a + 1 and page_break_between_tables(lines[a + 1:b], repeated):
            out.update(range(a + 1, b))
    return out


def _is_separator(line: str) -> bool:
    cells = _row_cells(line)
    return bool(cells) and all(_SEPARATOR_CELL.match(c) for c in cells)


def _row_cells(line: str) -> list[str] | None:
    """Cells of a pipe-table row (None for a line without pipes): the padding around the pipes and the outer pipes
    are syntax, not content; inline line breaks (<br>) and entities are decoded."""
    stripped = line.strip()
    if not _PIPE.search(stripped):
        return None
    body = stripped[1:] if stripped.startswith("|") else stripped
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [html.unescape(_LINE_BREAK.sub("\n", cell)).replace("\\|", "|").strip() for cell in _PIPE.split(body)]


def _table_tokens(table: list[tuple[int, list[str]]], markers: Markers, breaks: set[int]) -> list[Token]:
    """Tokens of one table (consecutive pipe rows); label columns are judged over the whole table."""
    if not table:
        return []
    table = _without_repeated_header(table, markers, breaks)
    grid: Grid = [cells for _, cells in table]
    numbers = [n for n, _ in table]
    return grid_tokens(grid, lambda r, c: f"L{numbers[r - 1]}/c{c}", markers=markers)


def _without_repeated_header(table: list[tuple[int, list[str]]], markers: Markers,
                             breaks: set[int]) -> list[tuple[int, list[str]]]:
    """A table's header rows (its first rows, holding no value) printed again at the top of the part a page break
    cut off (`breaks`: indexes of the lines the page break left) are dropped: they are no cells of the table."""
    header = []
    for _, cells in table:
        if any(is_value(c, markers) for c in cells) or not any(c.strip() for c in cells) or cells in header[:1]:
            break
        header.append(cells)
    if not header:
        return table
    out, i = table[:len(header)], len(header)
    while i < len(table):
        after_break = (table[i - 1][0] < table[i][0] - 1 and table[i][0] - 2 in breaks)
        if after_break and [cells for _, cells in table[i:i + len(header)]] == header:
            i += len(header)
            continue
        out.append(table[i])
        i += 1
    return out
