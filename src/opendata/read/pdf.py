"""PDF with a text layer: ruled tables cell by cell, the rest of each page line by line.

Tables come from pdfplumber's line strategy (the report tables are ruled): one token per cell in row-major order,
ref `p{page}/t{n}/r{row}/c{col}`, a cell spanning several grid positions emitted once, so a vertical label printed
one character per line ("三、本年度办理结果") is one token and a label wrapped mid-word stays in its cell. Text
outside tables becomes line tokens `p{page}/L{n}`. Elements are emitted page after page in reading order, so a
table broken by a page break continues as one token stream; page numbers, running headers and footers and header
rows repeated at the top of a continued table are dropped.

Empty cells are blank values only where a value can stand (see readers/grid.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from opendata.model import Document, Token
from opendata.read.furniture import PAGE_NUMBER
from opendata.read.grid import Markers, grid_tokens, header_rows, label_columns, repeated_header

# A bare page number in a page margin ("3", "3/5"); "- 3 -" and "第 3 页" are page numbers anywhere (PAGE_NUMBER).
_BAREPAGE_NUMBER = re.compile(r"^\s*(?:\d{1,3}|\d{1,3}\s*/\s*\d{1,3})\s*$")
_MARGIN = 0.08  # share of the page height at the top and bottom that holds running headers and footers


@dataclass
class _Block:
    """A table fragment or a text line on one page, in reading order."""

    top: float
    tokens: list[Token] = field(default_factory=list)
    rows: list[list[str | None]] | None = None  # table fragments only
    text: str = ""  # text lines only
    bottom: float = 0.0
    prefix: str = ""  # ref prefix of a table fragment: "p3/t2"
    head: _Block | None = None  # for a fragment continuing a table from the previous page: its first fragment


def read(path: Path, markers: Markers = frozenset()) -> Document:
    import pdfplumber

    pages: list[list[_Block]] = []
    heights: list[float] = []
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                pages.append(_page_blocks(page, number, markers))
                heights.append(float(page.height))
    except Exception as exc:  # pdfminer raises many types on damaged files; name the file
        raise ValueError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    _drop_furniture(pages, heights)
    _join_continued_tables(pages, markers)
    tokens = [t for blocks in pages for b in blocks for t in b.tokens]
    if not any(t.text.strip() for t in tokens):
        raise ValueError(f"{path}: the PDF has no text layer (scanned pages need OCR first)")
    return Document(path=path, format="pdf", tokens=tokens, cells_explicit=True)


def _page_blocks(page, number: int, markers: Markers = frozenset()) -> list[_Block]:
    tables = page.find_tables()  # default settings: the "lines" strategy, for ruled tables
    boxes = [t.bbox for t in tables]
    blocks: list[_Block] = []
    for n, table in enumerate(tables, start=1):
        rows = table.extract()
        block = _Block(top=table.bbox[1], bottom=table.bbox[3], rows=rows, prefix=f"p{number}/t{n}")
        block.tokens = _table_tokens(block, markers=markers)
        blocks.append(block)

    def outside_tables(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    for line in page.filter(outside_tables).extract_text_lines():
        if line["text"].strip():
            blocks.append(_Block(top=line["top"], bottom=line["bottom"], text=line["text"]))
    blocks.sort(key=lambda b: b.top)
    n = 0
    for b in blocks:
        if b.rows is None:
            n += 1
            b.tokens = [Token(b.text, f"p{number}/L{n}")]
    return blocks


def _table_tokens(block: _Block, skip: int = 0, labels: set[int] = frozenset(), markers: Markers = frozenset()) -> list[Token]:
    return grid_tokens(block.rows, lambda r, c: f"{block.prefix}/r{r}/c{c}", skip, labels, markers)


def _drop_furniture(pages: list[list[_Block]], heights: list[float]) -> None:
    """Remove page numbers and running headers/footers: margin lines, the same on several pages."""

    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))

    def in_margin(b: _Block, height: float) -> bool:
        return b.bottom <= height * _MARGIN or b.top >= height * (1 - _MARGIN)

    margin_lines = Counter(
        shape(b.text) for blocks, h in zip(pages, heights) for b in blocks if b.rows is None and in_margin(b, h)
    )
    for i, (blocks, h) in enumerate(zip(pages, heights)):
        pages[i] = [
            b for b in blocks
            if b.rows is not None or not (
                PAGE_NUMBER.match(b.text)
                or (in_margin(b, h) and (_BAREPAGE_NUMBER.match(b.text) or margin_lines[shape(b.text)] > 1))
            )
        ]


def _join_continued_tables(pages: list[list[_Block]], markers: Markers = frozenset()) -> None:
    """A table going on at the top of the next page is the same table: its label columns are the first part's
    (the continued part may hold only the empty remainder of a merged label), and a header repeated at its top
    is dropped -- also where the first part is the header alone, whose grid has fewer columns (no value row
    rules the label columns apart)."""
    for prev, blocks in zip(pages, pages[1:]):
        if not prev or not blocks or prev[-1].rows is None or blocks[0].rows is None:
            continue
        after = blocks[0]
        after.head = prev[-1].head or prev[-1]  # the table's first fragment, where its header is
        header = after.head.rows
        same_grid = len(header[0]) == len(after.rows[0])
        repeated = repeated_header(header_rows(header, markers), after.rows)
        if not same_grid and not repeated:
            continue  # another grid: not a continuation
        labels = label_columns(header, markers) if same_grid else set()
        after.tokens = _table_tokens(after, skip=repeated, labels=labels, markers=markers)
