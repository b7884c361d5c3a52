"""Word .docx files: paragraphs and tables in body order.

Paragraphs are tokens with ref "p{n}" (non-empty paragraphs, 1-based); every table cell is one token with ref
"t{table}/r{row}/c{col}" (1-based, col = grid column). python-docx repeats a merged cell's object at every grid
position it covers (gridSpan across, vMerge down); the cell is emitted once, at its top-left, recognised by its
underlying <w:tc> element. Runs are joined as they are (a number split over runs stays one number), the paragraphs
of a cell by a line break. Empty cells where a value can stand are blank values (readers/grid.py), so the document
is cells_explicit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from opendata.model import Document, Token
from opendata.read import ReadError
from opendata.read.furniture import page_break_between_tables, repeated_lines
from opendata.read.grid import Grid, Markers, grid_tokens, header_rows, repeated_header

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Text read once: a drawing's fallback copy of a text box, and tracked moves' old position, are left out.
_SKIP = {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback", f"{_W}moveFrom"}
# Containers that hold body content (paragraphs, tables, cells, rows) without being content themselves.
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag", f"{_W}ins"}


class UnreadableDocx(ReadError):
    pass


# A real report's .docx unpacks to a few MB; far more is a zip bomb, refused before python-docx inflates it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 5000


def _check_zip_sizes(path: Path) -> None:
    """Refuse a .docx whose members would unpack to more than MAX_UNPACKED_BYTES (zipfile never inflates a member
    past the size its header declares, so the declared sizes bound the memory)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocx(f"{path}: refused: {len(members)} members unpacking to {unpacked:,} bytes (limits "
                             f"{MAX_MEMBERS}, {MAX_UNPACKED_BYTES:,}); not a report")


def read(path: Path, markers: Markers = frozenset()) -> Document:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        _check_zip_sizes(path)
        document = docx.Document(str(path))
    except UnreadableDocx:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocx(f"{path}: not a readable .docx file ({type(exc).__name__}: {exc})") from exc
    body = document.element.body
    out = _Tokens(path, document, markers=markers,
                  repeated=repeated_lines([paragraph_text(p) for p in body.iter(f"{_W}p")]))
    out.blocks(body)
    return Document(path=path, format="docx", tokens=out.tokens, cells_explicit=True)


@dataclass
class _Tokens:
    path: Path
    document: object
    tokens: list[Token] = field(default_factory=list)
    paragraphs: int = 0
    tables: int = 0
    markers: Markers = frozenset()
    repeated: Counter = field(default_factory=Counter)  # how often each paragraph's text is printed
    gap: list[int] | None = None  # the paragraph tokens since the last table (None: no table yet)
    header: list[list[str]] = field(default_factory=list)  # the last table's header rows

    def blocks(self, container) -> None:
        """Paragraphs and tables of a body, cell or content control, in order."""
        for child in container.iterchildren():
            if child.tag == f"{_W}p":
                text = paragraph_text(child)
                if text.strip():
                    self.paragraphs += 1
                    self.tokens.append(Token(text, f"p{self.paragraphs}"))
                    if self.gap is not None:
                        self.gap.append(len(self.tokens) - 1)
            elif child.tag == f"{_W}tbl":
                self.table(child)
            elif child.tag in _WRAPPERS:
                self.blocks(child)

    def table(self, tbl) -> None:
        from docx.table import Table

        self.tables += 1
        number = self.tables
        try:
            placed = grid(Table(tbl, self.document))
        except Exception as exc:  # a malformed merge python-docx cannot resolve: name the place
            raise UnreadableDocx(f"{self.path}: table {number}: cannot lay out its cells ({exc})") from exc
        if not any(tc.find(f".//{_W}tbl") is not None for _, _, tc in placed):
            rows = text_grid(placed)
            skip = self.continued_header(rows)
            self.tokens += grid_tokens(rows, lambda r, c: f"t{number}/r{r}/c{c}", skip, markers=self.markers)
            return
        for r, c, tc in placed:  # a layout table around data tables: its cells are read as body content
            if tc.find(f".//{_W}tbl") is not None:
                self.blocks(tc)
            else:
                self.tokens.append(Token(cell_text(tc), f"t{number}/r{r}/c{c}"))


    def continued_header(self, rows: Grid) -> int:
        """A table split in two at a page break (a page number, maybe the running title, between the parts): the
        header rows the second part repeats are no cells (how many to skip); the furniture is dropped too. Two
        tables with nothing between are two tables (sub-tables may print the same header)."""
        gap, self.gap = self.gap, []
        continued = bool(gap) and page_break_between_tables([self.tokens[i].text for i in gap], self.repeated)
        n = repeated_header(self.header, rows) if continued else 0
        if continued:
            for i in reversed(gap):
                del self.tokens[i]
        if not n:  # a table of its own: its header is what a continuation would repeat
            self.header = header_rows(rows, self.markers)
        return n


def grid(table) -> list[tuple[int, int, object]]:
    """(row, grid column, <w:tc>) of each cell, 1-based, row-major, a merged cell once at its top-left."""
    seen: set = set()  # the <w:tc> elements already placed (kept alive, so identity is stable)
    placed = []
    for r, row in enumerate(table.rows, start=1):
        before = row.grid_cols_before
        for j, cell in enumerate(row.cells):
            tc = cell._tc
            if tc in seen:
                continue
            seen.add(tc)
            placed.append((r, before + j + 1, tc))
    return placed


def text_grid(placed) -> Grid:
    """Cell texts at their grid positions; positions covered by a merged cell (or holding no cell) are None."""
    n_rows = max((r for r, _, _ in placed), default=0)
    n_cols = max((c + _grid_span(tc) - 1 for _, c, tc in placed), default=0)
    rows: Grid = [[None] * n_cols for _ in range(n_rows)]
    for r, c, tc in placed:
        rows[r - 1][c - 1] = cell_text(tc)
    return rows


def _grid_span(tc) -> int:
    span = tc.find(f"{_W}tcPr/{_W}gridSpan")
    try:
        return max(1, int(span.get(f"{_W}val"))) if span is not None else 1
    except (TypeError, ValueError):
        return 1


def cell_text(tc) -> str:
    """A cell's paragraphs (nested tables aside), one line each."""
    lines = [paragraph_text(p) for p in _cell_paragraphs(tc)]
    return "\n".join(line.strip() for line in lines if line.strip())


def _cell_paragraphs(container):
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield child
        elif child.tag in _WRAPPERS:
            yield from _cell_paragraphs(child)


def paragraph_text(p) -> str:
    """Text of a paragraph's runs, joined as they are; tabs and line breaks as white space; deleted text left out
    (it is w:delText, not w:t)."""
    out: list[str] = []
    _collect(p, out)
    return "".join(out)


def _collect(element, out: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == f"{_W}t":
            out.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        else:
            _collect(child, out)
