"""Build the Word fixture tests/fixtures/<report>.docx from a bundled HTML report (see tests/fixtures/README.md).

The report body of the page (the element holding its tables) is copied in order: each paragraph as a Word
paragraph, each table as a Word table with the page's rowspan/colspan as real Word merges (gridSpan / vMerge),
each <p> of a cell as a paragraph of the cell. Texts are copied as printed, never changed; only the way Word
stores them is varied the way Word does it: labels and numbers are split over several runs ("5" + "46"), so the
reader must join runs without inventing separators. The values are therefore the report's own (its gold values).

Usage: python scripts/make_docx_fixture.py [REPORT_ID] [OUT.docx]   (default: 2025_pingtan_html_1)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _text(node) -> str:
    return " ".join(node.get_text().split())


def cell_lines(cell) -> list[str]:
    """The printed lines of an HTML cell: its <p> paragraphs, else its whole text."""
    lines = [_text(p) for p in cell.find_all("p")]
    lines = [line for line in lines if line]
    return lines or [_text(cell)]


def add_runs(paragraph, text: str) -> None:
    """Text as Word stores it after editing: in two runs when it is longer than one character."""
    cut = len(text) // 2
    for part in (text[:cut], text[cut:]) if cut else (text,):
        if part:
            paragraph.add_run(part)


def add_table(document, html_table) -> None:
    from opendata.read.html import grid

    placed = grid(html_table)
    n_rows = max(r + rs - 1 for r, _, rs, _, _ in placed)
    n_cols = max(c + cs - 1 for _, c, _, cs, _ in placed)
    table = document.add_table(rows=n_rows, cols=n_cols)
    table.style = "Table Grid"
    for r, c, rs, cs, cell in placed:
        target = table.cell(r - 1, c - 1)
        if rs > 1 or cs > 1:
            target = target.merge(table.cell(r + rs - 2, c + cs - 2))
        lines = cell_lines(cell)
        first = target.paragraphs[0]
        add_runs(first, lines[0])
        for line in lines[1:]:
            add_runs(target.add_paragraph(), line)


def build(html_path: Path, out: Path) -> None:
    import docx
    from bs4 import BeautifulSoup

    from opendata.read.html import decode_html

    text, _ = decode_html(html_path.read_bytes())
    soup = BeautifulSoup(text, "lxml")
    body = soup.find("table").parent  # the report body: the element holding the report's tables
    document = docx.Document()
    title = soup.find("title")
    if title is not None:
        document.add_heading(_text(title).split("_")[0], level=1)
    for child in body.find_all(["p", "table"], recursive=False):
        if child.name == "table":
            add_table(document, child)
        elif _text(child):
            add_runs(document.add_paragraph(), _text(child))
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))


if __name__ == "__main__":
    report = sys.argv[1] if len(sys.argv) > 1 else "2025_pingtan_html_1"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "tests" / "fixtures" / f"{report}.docx"
    build(ROOT / "sources" / "reports" / f"{report}.html", out)
    print(f"wrote {out}")
