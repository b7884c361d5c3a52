"""HTML pages as government sites publish them: whole pages with site chrome, Word-export table markup, GB encodings.

Tokens in reading order: the page <title>, narrative paragraphs (ref "p12"), and every table cell as one token
(ref "t{table}/r{row}/c{col}", 1-based, col = grid column after expanding row/col spans). A spanned cell is emitted
once, at its top-left grid position, in row-major order; an empty cell (&nbsp;, <o:p> </o:p>) where a value can
stand is an empty token, a blank value (readers/grid.py: empty cells among the row labels carry nothing), so the
document is cells_explicit. Scripts, styles, forms, navigation and hidden elements leave no tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from opendata.model import Document, Token
from opendata.read import decode
from opendata.read.grid import Grid, Markers, grid_tokens

# Elements whose text is never report content.
_SKIP = frozenset({
    "head", "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "canvas", "map", "audio", "video", "select", "option", "button", "input", "textarea", "nav",
    "link", "meta",
})
# Elements that end a line of text (a narrative paragraph, or a line break inside a cell).
_BLOCK = frozenset({
    "p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
    "article", "main", "header", "footer", "aside", "blockquote", "pre", "address", "figure", "figcaption", "form",
    "fieldset", "legend", "center", "caption", "tr", "td", "th", "thead", "tbody", "tfoot", "table", "details",
    "summary",
})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE)
# Word's "Save as Web Page" closes irregular tables with an invisible row of empty cells (<tr height=0>).
_ZERO_HEIGHT = re.compile(r"(?:^|;)\s*height\s*:\s*0(?:\.0*)?\s*(?:[a-z]{2}|%)?\s*(?:;|$)", re.IGNORECASE)
# HTML collapses runs of ASCII whitespace; Word export writes &nbsp; where it means a space. Zero-width characters
# are dropped (inside a number they would split it; alone in a cell they would make it look filled).
_WHITESPACE = re.compile(r"[ \t\n\r\f\xa0]+")
_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
# A charset declared in the page: <meta charset=...>, <meta http-equiv content="...; charset=...">, <?xml encoding>.
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)


def read(path: Path, markers: Markers = frozenset()) -> Document:
    text, encoding = decode_html(path.read_bytes())
    _check_table_nesting(text)
    tokens = tokens_of(text, markers)
    return Document(path=path, format="html", tokens=tokens, cells_explicit=True, encoding=encoding)


# Layout pages nest tables a few deep; reading cost grows with the cube of the nesting (found by tests/test_fuzz.py:
# 300 nested tables took minutes), so a page nesting far more is refused.
MAX_TABLE_NESTING = 32
_TABLE_TAG = re.compile(r"<(/?)table\b", re.IGNORECASE)


def _check_table_nesting(text: str) -> None:
    depth = deepest = 0
    for m in _TABLE_TAG.finditer(text):
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest > MAX_TABLE_NESTING:
        raise ValueError(f"tables nested {deepest} deep (more than {MAX_TABLE_NESTING}): not a report page")


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its head (None if it declares none)."""
    m = _DECLARED.search(data[:16384])
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii").strip().lower()


def decode_html(data: bytes) -> tuple[str, str]:
    return decode(data, declared=declared_charset(data))


def tokens_of(html: str, markers: Markers = frozenset()) -> list[Token]:
    root = parse(html)
    if root is None:
        return []
    out = _Tokens(markers=markers)
    title = next(root.iter("title"), None)
    if title is not None and (text := _collapse(_text_of(title))):
        out.tokens.append(Token(text, "title"))  # the report's title often is only here (metadata reads it)
    body = next(root.iter("body"), None)
    out.flow(root if body is None else body)
    out.flush()
    return out.tokens


def parse(html: str):
    """The page's element tree (lxml's HTML parser, libxml2: the tree BeautifulSoup's "lxml" builder mirrored), or
    None for a page without any markup or text."""
    import lxml.etree

    # Given as UTF-8 bytes with the encoding said: the page was decoded already (a <meta charset> is not obeyed
    # twice), and lxml refuses str input that carries an XML encoding declaration. lxml.etree's parser, not
    # lxml.html's: the same libxml2 tree, without a Python class lookup for every element the reader touches.
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    return lxml.etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)  # None: "Document is empty"


@dataclass
class _Tokens:
    tokens: list[Token] = field(default_factory=list)
    markers: Markers = frozenset()
    line: list[str] = field(default_factory=list)  # inline runs of the narrative paragraph being read
    paragraphs: int = 0
    tables: int = 0

    def flush(self) -> None:
        text = _collapse("".join(self.line))
        self.line.clear()
        if text:
            self.paragraphs += 1
            self.tokens.append(Token(text, f"p{self.paragraphs}"))

    def flow(self, node) -> None:
        """Narrative content: inline runs make up a paragraph; blocks and tables end it."""
        if node.text:
            self.line.append(node.text)
        for child in node:
            if not _skipped(child):
                if child.tag == "table":
                    self.flush()
                    self.table(child)
                elif child.tag in _BLOCK:
                    self.flush()
                    self.flow(child)
                    self.flush()
                else:
                    self.flow(child)
            if child.tail:  # the text after an element belongs to its parent, skipped element or not
                self.line.append(child.tail)

    def table(self, table) -> None:
        self.tables += 1
        number = self.tables
        for caption in table:
            if caption.tag == "caption":
                self.flow(caption)
                self.flush()
        placed = grid(table)
        if not any(_has_table(cell) for _, _, _, _, cell in placed):
            self.tokens += grid_tokens(text_grid(placed), lambda r, c: f"t{number}/r{r}/c{c}", markers=self.markers)
            return
        for r, c, _, _, cell in placed:  # a layout table: cells around data tables are read as page content
            if _has_table(cell):
                self.flow(cell)
                self.flush()
            else:
                self.tokens.append(Token(cell_text(cell), f"t{number}/r{r}/c{c}"))


def _has_table(cell) -> bool:
    return any(True for _ in cell.iter("table")) if len(cell) else False


def _own_rows(table) -> list:
    """The table's rows (in thead/tbody/tfoot or not), not those of tables nested in its cells."""
    rows = []
    for tr in table.iter("tr"):
        parent = tr.getparent()
        while parent is not None and parent.tag != "table":
            parent = parent.getparent()
        if parent is table:
            rows.append(tr)
    return rows


def grid(table) -> list[tuple[int, int, int, int, object]]:
    """The table's own cells as (row, grid column, rowspan, colspan, cell), 1-based, row-major."""
    taken: set[tuple[int, int]] = set()
    placed = []
    rows = [tr for tr in _own_rows(table) if not _invisible_row(tr)]
    for r, tr in enumerate(rows, start=1):
        c = 1
        for cell in tr:
            if cell.tag not in ("td", "th") or _skipped(cell):
                continue
            while (r, c) in taken:
                c += 1
            rowspan = _span(cell.get("rowspan"), len(rows) - r + 1, zero=len(rows) - r + 1)
            colspan = _span(cell.get("colspan"), 1000)
            if rowspan == colspan == 1:  # most cells
                taken.add((r, c))
            else:
                taken.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
            placed.append((r, c, rowspan, colspan, cell))
            c += colspan
    return placed


def text_grid(placed) -> Grid:
    """Cell texts at their top-left grid positions; positions covered by a span (or holding no cell) are None."""
    n_rows = max((r + rs - 1 for r, _, rs, _, _ in placed), default=0)
    n_cols = max((c + cs - 1 for _, c, _, cs, _ in placed), default=0)
    rows: Grid = [[None] * n_cols for _ in range(n_rows)]
    for r, c, _, _, cell in placed:
        rows[r - 1][c - 1] = cell_text(cell)
    return rows


def _invisible_row(tr) -> bool:
    """Hidden rows, and the empty zero-height rows Word adds to fix column widths."""
    if _skipped(tr):
        return True
    height, style = str(tr.get("height", "")).strip(), str(tr.get("style", ""))
    zero = re.fullmatch(r"0(?:px)?", height) or _ZERO_HEIGHT.search(style)
    return bool(zero) and not _collapse(_text_of(tr))


def _span(value, limit: int, zero: int = 1) -> int:
    """A rowspan/colspan attribute as a count: missing or unreadable is 1, 0 is `zero` (rowspan=0: to the end)."""
    m = re.match(r"\s*(\d+)", str(value)) if value is not None else None
    if not m:
        return 1
    n = int(m.group(1))
    return zero if n == 0 else min(n, limit)


def cell_text(cell) -> str:
    """A cell's text: runs joined as they are (<span>1</span><span>62</span> is 162), lines (<p>, <br>) by a space."""
    runs: list[str] = []
    _runs(cell, runs)
    return _collapse("".join(runs))


def _runs(node, out: list[str]) -> None:
    if node.text:
        out.append(node.text)
    for child in node:
        if not _skipped(child):
            block = child.tag in _BLOCK
            if block:
                out.append(" ")
            _runs(child, out)
            if block:
                out.append(" ")
        if child.tail:
            out.append(child.tail)


# Elements whose strings are not text of the page (BeautifulSoup's get_text left them out too).
_NOT_TEXT = frozenset({"script", "style", "template"})


def _text_of(node) -> str:
    """All text inside an element, hidden or not (scripts and styles aside)."""
    parts = [node.text or ""]
    for child in node:
        if child.tag not in _NOT_TEXT:
            parts.append(_text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _skipped(tag) -> bool:
    if tag.tag in _SKIP or not isinstance(tag.tag, str):
        return True
    # tag.get, not tag.attrib: no attribute mapping made for every element (a present "hidden" is never None)
    if tag.get("hidden") is not None or tag.get("role") == "navigation":
        return True
    style = tag.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text.translate(_ZERO_WIDTH)).strip()
