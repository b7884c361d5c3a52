"""A report's three tables printed as PDF, DOCX or Markdown, the way real reports lay them out differently.

The values are the report's gold values (from tests/gold or, for reports outside the repository, the shared corpus):
a value is printed as the source prints it (a signed change with its sign, a 万元 amount with its decimals, a marker
verbatim, null as an empty cell). Labels are the template's (schemas/template.yaml), merged header cells as reports
print them. A `Variation` says what differs from the template's layout: the printed order of table 三's applicant
columns, of table 四's blocks and outcomes and of table 二's measures; a page break inside a table (with a page number
in one of the common forms and the report title as running header; the header rows repeated or not); a 注 line
under table 二; the unit of table 二's amount (元 or 千元: the printed number converted, so the expected value is
still the gold's); the minus form. `layout()` gives the format-free blocks, `pdf()` / `docx()` / `markdown()` write
them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from opendata.spec.template import TEMPLATE

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"
TABLES = (T2, T3, T4)
T3_COLUMNS = [c.code for c in TEMPLATE.table(T3).codes("columns")]
LEGAL = T3_COLUMNS[1:6]
T4_BLOCKS = [b.code for b in TEMPLATE.table(T4).codes("blocks")]
T4_OUTCOMES = [o.code for o in TEMPLATE.table(T4).codes("outcomes")]
LABEL = {c.code: c.zh for t in TABLES for kind in ("columns", "rows", "blocks", "outcomes", "measures", "items")
         for c in (TEMPLATE.table(t).codes(kind) if kind in TEMPLATE.table(t).spec else [])}
UNIT_FACTOR = {"万元": Decimal(1), "千元": Decimal(10), "元": Decimal(10000)}
FOOTERS = ("dash", "page_of_pages", "slash", "bare")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Variation:
    t3_legal: list[str] = field(default_factory=lambda: list(LEGAL))  # the five 法人或其他组织 sub-columns
    t3_swap_tops: bool = False  # 总计 printed first, 自然人 last
    t4_review_first: bool = True
    t4_litigation: list[str] = field(default_factory=lambda: list(T4_BLOCKS[1:]))
    t4_outcomes: dict[str, list[str]] = field(default_factory=dict)  # block -> printed outcome order
    t2_measures: dict[int, list[str]] = field(default_factory=dict)  # sub-table index -> printed measure order
    amount_unit: str = "万元"
    unit_caption: bool = False  # the unit in a caption line over the sub-table, not in the header
    minus: str = "-"
    note: bool = False
    sentence: bool = False  # a sentence with figures between table 三's heading and the table
    note_row: bool = False  # the 注 printed as the last row of table 二's last sub-table, over all its columns
    break_t3: int | None = None  # a page break before table 三's value row k (0-based)
    break_t2: int | None = None  # ... before table 二's sub-table k
    repeat_header: bool = False
    footer: str = "dash"
    thousands: bool = False  # 1,234.5
    fullwidth: bool = False  # １２３４

    def outcomes(self, block: str) -> list[str]:
        return self.t4_outcomes.get(block, T4_OUTCOMES)


def footer_text(style: str, page: int, pages: int = 12) -> str:
    return {"dash": f"- {page} -", "page_of_pages": f"第{page}页 共{pages}页", "slash": f"{page}/{pages}",
            "bare": str(page)}[style]


# -- the report, from gold ------------------------------------------------------------------------------------------

@dataclass
class Source:
    report_id: str
    title: str
    t2_layout: str
    t3_layout: str
    values: dict[tuple[str, str, str], object]  # gold values (None: blank or marker)
    markers: dict[tuple[str, str, str], str]


def source_of(report_id: str, gold: dict) -> Source:
    """The gold's tables, each in the layout its codes say (a 2021 table 二 may stand beside a 2019 table 三)."""
    values = {(t, r, c): v for t in TABLES for r, cols in gold[t].items() for c, v in cols.items()}
    markers = {tuple(k.split(".")): v for k, v in gold.get("markers", {}).items()}
    t2 = "2019" if "gov_central_procurement" in gold[T2] else "2021"
    sub_rows = [v for (t, r, _), v in values.items() if t == T3 and r == "other_no_correction"]
    handling = [v for (t, r, _), v in values.items() if t == T3 and r == "other_handling"]
    t3 = "2019" if all(v is None for v in sub_rows) and any(v is not None for v in handling) else "2021"
    if not sub_rows:
        t3 = "2019"
    r = gold["report"]
    return Source(report_id, f"{r['agency']}{r['year']}年政府信息公开工作年度报告", t2, t3, values, markers)


def printed(src: Source, key: tuple[str, str, str], var: Variation) -> str:
    if key in src.markers:
        return src.markers[key]
    value = src.values.get(key)
    if value is None:
        return ""
    measure = TEMPLATE.table(T2).code("measures", key[2]) if key[0] == T2 else None
    if measure is not None and measure.get("signed"):
        text = (f"{int(value):+d}" if value else "0").replace("-", var.minus)
    else:
        number = Decimal(str(value))
        if measure is not None and measure.get("decimal"):
            number *= UNIT_FACTOR[var.amount_unit]
        whole = number == number.to_integral_value()
        text = f"{int(number):{',' if var.thousands else ''}d}" if whole else format(number.normalize(),
                                                                                      ",f" if var.thousands else "f")
    return text.translate(_FULLWIDTH) if var.fullwidth else text


def expected_cells(src: Source) -> set[tuple[str, str, str]]:
    """The cells the rendering prints: every gold cell of the tables' layouts."""
    rows = {r.code for r in TEMPLATE.application_value_rows(src.t3_layout)}
    t2 = {(i, m) for sub in TEMPLATE.proactive_layout(src.t2_layout) for i in sub["items"] for m in sub["measures"]}
    return {k for k in src.values if (k[0] == T2 and k[1:] in t2) or (k[0] == T3 and k[1] in rows) or k[0] == T4}


# -- format-free blocks ---------------------------------------------------------------------------------------------

Cell = tuple[str, int, int]  # text, colspan, rowspan


@dataclass
class Table:
    widths: list[float]
    rows: list[list[Cell]]
    header: int  # how many of the rows are header rows
    break_before: int | None = None  # row index where a page break falls


def layout(src: Source, var: Variation) -> list[str | Table]:
    """The report as lines and tables, in order."""
    out: list[str | Table] = [src.title, "一、总体情况", "本年度主动公开政府信息1234条，均已按时发布。",
                              "二、主动公开政府信息情况"]
    subs = TEMPLATE.proactive_layout(src.t2_layout)
    for n, sub in enumerate(subs):
        table = t2_table(src, var, n, sub)
        if var.unit_caption and any(TEMPLATE.table(T2).code("measures", m).get("decimal") for m in sub["measures"]):
            out.append(f"金额单位：{var.amount_unit}")
        if var.note_row and n == len(subs) - 1:
            table.rows.append([("注：本年度收费项目含网上缴费12笔，2023年结转3件。", len(table.rows[1]), 1)])
        if var.break_t2 == n:  # between the first two items, or between the header and the one item
            table.break_before = min(3, len(table.rows) - 1)
        out.append(table)
    if var.note:
        out += ["注：本年度依申请办理事项含网上办理12件，", "其中2023年结转3件，收费金额0.5万元。"]
    out += ["三、收到和处理政府信息公开申请情况"]
    if var.sentence:
        out.append("本年度共收到政府信息公开申请28件，其中网上申请16件，均已按期答复。")
    out.append(t3_table(src, var))
    out += ["四、政府信息公开行政复议、行政诉讼情况", t4_table(src, var)]
    out += ["五、存在的主要问题及改进情况", "改进措施3条。", "六、其他需要报告的事项", "无。"]
    return out


def _measure_label(code: str, var: Variation) -> str:
    measure = TEMPLATE.table(T2).code("measures", code)
    if not measure.get("decimal"):
        return measure.zh
    base = re.sub(r"（单位：万元）$", "", measure.zh)
    return base if var.unit_caption else f"{base}（单位：{var.amount_unit}）"


def t2_table(src: Source, var: Variation, n: int, sub: dict) -> Table:
    measures = var.t2_measures.get(n, sub["measures"])
    k = len(measures)
    rows = [[(sub["caption"], k + 1, 1)], [("信息内容", 1, 1), *[(_measure_label(m, var), 1, 1) for m in measures]]]
    for item in sub["items"]:
        rows.append([(LABEL[item], 1, 1), *[(printed(src, (T2, item, m), var), 1, 1) for m in measures]])
    return Table([150] + [300 / k] * k, rows, header=2)


def t3_columns(var: Variation) -> list[str]:
    first, last = ("total", "natural_person") if var.t3_swap_tops else ("natural_person", "total")
    return [first, *var.t3_legal, last]


def t3_table(src: Source, var: Variation) -> Table:
    first, *legal, last = t3_columns(var)
    header = [
        [(TEMPLATE.table(T3).spec["header_labels"][0], 3, 3), ("申请人情况", 7, 1)],
        [(LABEL[first], 1, 2), ("法人或其他组织", 5, 1), (LABEL[last], 1, 2)],
        [(LABEL[c], 1, 1) for c in legal],
    ]
    body = t3_rows(src, var)
    brk = None if var.break_t3 is None else len(header) + min(var.break_t3, len(body) - 1)
    return Table([25, 60, 110] + [37] * 7, header + body, header=3, break_before=brk)


def t3_rows(src: Source, var: Variation) -> list[list[Cell]]:
    """Table 三's value rows as the template prints them: 一/二/四 over three label columns, the vertical
    三、本年度办理结果 over all result rows, group cells (（三）不予公开 …) over their numbered sub-rows."""
    rows = TEMPLATE.application_rows(src.t3_layout)
    by_code = {r.code: r for r in rows}
    value_rows = [r for r in rows if r.is_value_row(src.t3_layout)]
    return [t3_labels(row, value_rows, by_code) + [(printed(src, (T3, row.code, c), var), 1, 1) for c in t3_columns(var)]
            for row in value_rows]


def t3_labels(row, value_rows: list, by_code: dict) -> list[Cell]:
    """The label cells a table-三 value row prints before its values (merged cells only on their first row)."""
    results = [r for r in value_rows if r.parent]
    labels = []
    if results and row is results[0]:
        labels.append(("\n".join(by_code[row.parent].zh), 1, len(results)))  # one character per line
    parent = by_code.get(row.parent)
    if parent is None:
        labels.append((row.zh, 3, 1))
    elif parent.parent is None:
        labels.append((row.zh, 2, 1))
    else:
        group = [r for r in value_rows if r.parent == parent.code]
        if row is group[0]:
            labels.append((parent.zh, 1, len(group)))
        labels.append((row.zh, 1, 1))
    return labels


def t4_order(var: Variation) -> list[tuple[str, str]]:
    review = [("review", o) for o in var.outcomes("review")]
    lit = [(b, o) for b in var.t4_litigation for o in var.outcomes(b)]
    return review + lit if var.t4_review_first else lit + review


def t4_table(src: Source, var: Variation) -> Table:
    review = [(LABEL[o], 1, 2) for o in var.outcomes("review")]
    blocks = [(LABEL[b], 5, 1) for b in var.t4_litigation]
    leaves = [(LABEL[o], 1, 1) for b in var.t4_litigation for o in var.outcomes(b)]
    if var.t4_review_first:
        top, second = [("行政复议", 5, 1), ("行政诉讼", 10, 1)], review + blocks
    else:
        top, second = [("行政诉讼", 10, 1), ("行政复议", 5, 1)], blocks + review
    values = [(printed(src, (T4, b, o), var), 1, 1) for b, o in t4_order(var)]
    return Table([30] * 15, [top, second, leaves, values], header=3)


def placed(rows: list[list[Cell]]) -> list[tuple[int, int, int, int, str]]:
    """(row, column, colspan, rowspan, text) of every cell, skipping grid positions a rowspan above covers."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        c = 0
        for text, colspan, rowspan in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, colspan, rowspan, text))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    return out


def text_grid(table: Table) -> list[list[str]]:
    """The table as a full grid: a merged cell's text at its top-left, "" at the positions it covers."""
    cells = placed(table.rows)
    width = max(c + cs for _, c, cs, _, _ in cells)
    grid = [[""] * width for _ in table.rows]
    for r, c, _, _, text in cells:
        grid[r][c] = text
    return grid


# -- Markdown -------------------------------------------------------------------------------------------------------

def markdown(blocks: list[str | Table], var: Variation, outer_pipes: bool = True, two_line_headers: bool = False,
             title: str = "") -> str:
    """Pipe tables (with or without outer pipes: then every fragment has its separator row under its first row); a
    table broken by a page break is cut by a paragraph (page number, running title), its header repeated or not;
    `two_line_headers`: header labels broken over two lines (<br>)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            out += [block, ""]
            continue
        grid = text_grid(block)
        if two_line_headers:
            grid = [[_two_lines(t) if r < block.header else t for t in row] for r, row in enumerate(grid)]
        cut = block.break_before if block.break_before is not None else len(grid)
        out += _md_fragment(grid[:cut], outer_pipes)
        if cut < len(grid):
            rest = (grid[:block.header] if var.repeat_header else []) + grid[cut:]
            out += ["", footer_text(var.footer, 3), title, ""] + _md_fragment(rest, outer_pipes)
        out.append("")
    return "\n".join(out) + "\n"


def _two_lines(text: str) -> str:
    return text[:len(text) // 2] + "<br>" + text[len(text) // 2:] if len(text) >= 4 and "\n" not in text else text


def _md_fragment(grid: list[list[str]], outer: bool) -> list[str]:
    def row(cells):
        body = " | ".join(c.replace("\n", "<br>") for c in cells)
        if outer:
            return f"| {body} |"
        # GFM: a pipe at a row's end is syntax, so an empty first or last cell needs its outer pipe
        return ("| " if not cells[0] else "") + body + (" |" if not cells[-1] else "")
    if not grid:
        return []
    return [row(grid[0]), row(["---"] * len(grid[0]))] + [row(r) for r in grid[1:]]


# -- DOCX -----------------------------------------------------------------------------------------------------------

def docx(blocks: list[str | Table], var: Variation, path: Path, title: str = "", split_runs: bool = True) -> None:
    """Word tables with real merges (gridSpan, vMerge); a table with a break is two Word tables with a paragraph
    (the page number, the running title) between them, the header repeated in the second or not; every text stored
    in two runs, split mid-number ("5" + "46") as Word does after editing."""
    import docx as python_docx

    document = python_docx.Document()
    for block in blocks:
        if isinstance(block, str):
            _runs(document.add_paragraph(), block, split_runs)
            continue
        cut = block.break_before if block.break_before is not None else len(block.rows)
        _docx_table(document, block.rows[:cut], block.rows, 0, split_runs)
        if cut < len(block.rows):
            for text in (footer_text(var.footer, 3), title):
                _runs(document.add_paragraph(), text, split_runs)
            head = block.header if var.repeat_header else 0
            _docx_table(document, block.rows[:head], block.rows, cut, split_runs)
    document.save(str(path))


def _docx_table(document, head: list[list[Cell]], rows: list[list[Cell]], start: int, split: bool) -> None:
    """Rows `head` (from the table's top) then rows[start:] when start > 0, else `head` alone: one Word table. A
    rowspan crossing the cut is cut too, its text staying in the first part."""
    parts = [(0, len(head))] + ([(start, len(rows))] if start else [])
    cells = placed(rows)
    width = max(c + cs for _, c, cs, _, _ in cells)
    height = sum(b - a for a, b in parts)
    table = document.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    offset = 0
    for a, b in parts:
        for r, c, cs, rs, text in cells:
            end = min(r + rs, b)
            if r >= b or end <= a:
                continue
            top = max(r, a)
            target = table.cell(top - a + offset, c)
            if end - top > 1 or cs > 1:
                target = target.merge(table.cell(end - 1 - a + offset, c + cs - 1))
            if top == r:
                lines = text.split("\n") if "\n" in text else [text]
                _runs(target.paragraphs[0], lines[0], split)
                for line in lines[1:]:
                    _runs(target.add_paragraph(), line, split)
        offset += b - a


def _runs(paragraph, text: str, split: bool) -> None:
    cut = len(text) // 2 if split else 0
    for part in (text[:cut], text[cut:]) if cut else (text,):
        if part:
            paragraph.add_run(part)


# -- PDF ------------------------------------------------------------------------------------------------------------
# fpdf2 draws ruled cells and text, embedding a TrueType CJK font (a subset). Noto CJK (fonts-noto-cjk) has CFF
# outlines that fpdf2 embeds without a usable text layer, so a TrueType-outlined font is needed: WenQuanYi Zen Hei.

PAGE_W, PAGE_H, TOP, BOTTOM, LEFT, ROW_H = 595, 842, 792, 60, 50, 22
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian fonts-droid-fallback
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # Debian fonts-arphic-uming
)
CJK_FONT = next((f for f in CJK_FONTS if Path(f).is_file()), None)


class PdfWriter:
    """Lines of text and ruled tables flowing down pages (y measured up from the page bottom, in points); each page
    gets a page number (`footer`: "- N -", "第N页 共M页", "N/M"; None: none) and, when given, a running header."""

    def __init__(self, page_numbers: bool = True, header: str | None = None, footer: str = "dash"):
        self.pages: list[list[tuple]] = [[]]
        self.y = TOP
        self.footer = footer if page_numbers else None
        self.header = header

    def _room(self, height: float, force: bool = False) -> None:
        if force or self.y - height < BOTTOM:
            self.pages.append([])
            self.y = TOP

    def line(self, text: str, new_page: bool = False) -> None:
        self._room(ROW_H, force=new_page)
        self.pages[-1].append(("text", LEFT, self.y - 15, text, 11))
        self.y -= ROW_H

    def table(self, widths: list[float], rows: list[list[Cell]], break_before: int | None = None,
              repeat: int = 0) -> None:
        """Rows of (text, colspan, rowspan) cells on a grid; a new page starts at row `break_before` (a rowspan
        crossing the break is cut in two, as word processors do, its text staying in the first part), where the
        first `repeat` rows (the header) are printed again."""
        xs = [LEFT]
        for w in widths:
            xs.append(xs[-1] + w)
        where, again = [], []  # per row: (page, top); the repeated header rows' places
        for r in range(len(rows)):
            if r == break_before or self.y - ROW_H < BOTTOM:
                self._room(ROW_H, force=True)
                for _ in range(repeat if r >= repeat else 0):  # a break inside the header repeats none
                    again.append((len(self.pages) - 1, self.y))
                    self.y -= ROW_H
            where.append((len(self.pages) - 1, self.y))
            self.y -= ROW_H
        cells = placed(rows)
        self._draw(xs, cells, where)
        if again:
            header = [(r, c, cs, min(rs, repeat - r), t) for r, c, cs, rs, t in cells if r < repeat]
            for k in range(0, len(again), repeat):
                self._draw(xs, header, again[k:k + repeat])
        self.y -= ROW_H / 2

    def _draw(self, xs, cells, where) -> None:
        for r, c, colspan, rowspan, text in cells:
            covered = range(r, min(r + rowspan, len(where)))
            parts = [[i for i in covered if where[i][0] == page] for page in sorted({where[i][0] for i in covered})]
            for n, part in enumerate(parts):
                page, top = where[part[0]]
                bottom = where[part[-1]][1] - ROW_H
                self.pages[page].append(("rect", xs[c], bottom, xs[c + colspan] - xs[c], top - bottom))
                if n == 0 and text:
                    self.pages[page] += _cell_text(xs[c], xs[c + colspan], top, bottom, text)

    def save(self, path: Path) -> None:
        import logging

        from fpdf import FPDF

        logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "BDF NOT subset": bitmap strikes dropped
        pdf = FPDF(unit="pt", format=(PAGE_W, PAGE_H))
        pdf.set_auto_page_break(False)
        if CJK_FONT:  # a page with ruled lines only needs no font
            pdf.add_font("cjk", fname=CJK_FONT)
        pdf.set_line_width(0.5)
        for n, ops in enumerate(self.pages, start=1):
            pdf.add_page()
            furniture = []
            if self.footer:
                furniture.append(("text", PAGE_W / 2 - 12, 30, footer_text(self.footer, n, len(self.pages)), 10))
            if self.header:
                furniture.append(("text", LEFT, PAGE_H - 30, self.header, 9))
            for op in ops + furniture:
                if op[0] == "rect":
                    _, x, bottom, width, height = op
                    pdf.rect(x, PAGE_H - bottom - height, width, height)
                else:
                    _, x, y, text, size = op
                    pdf.set_font("cjk", size=size)
                    pdf.text(x, PAGE_H - y, text)
        pdf.output(str(path))


def _cell_text(x0: float, x1: float, top: float, bottom: float, text: str) -> list[tuple]:
    """Text inside a cell: wrapped to the cell's width (a label broken mid-word), one character per line for a
    vertical label (text with line breaks); the font shrinks until the lines fit the cell's height."""
    if not re.search(r"[\u4e00-\u9fff]", text):  # a number is never wrapped: a smaller font instead
        size = min(7.0, (x1 - x0 - 4) / max(1, len(text)))
        return [("text", x0 + 2, top - 3 - size, text, round(size, 1))]
    for size in (7, 6, 5, 4):
        if "\n" in text:
            lines = text.split("\n")
        else:
            per_line = max(1, int((x1 - x0 - 4) // size))
            lines = [text[i:i + per_line] for i in range(0, len(text), per_line)]
        if len(lines) * (size + 1) <= top - bottom - 4:
            break
    return [("text", x0 + 2, top - 2 - (n + 1) * (size + 1) + 1, line, size) for n, line in enumerate(lines)]


def pdf(blocks: list[str | Table], var: Variation, path: Path, title: str = "") -> None:
    """Ruled tables flowing over pages, each page with its page number (var.footer) and the title as running
    header; table 三 starts a page."""
    w = PdfWriter(header=title or None, footer=var.footer)
    for block in blocks:
        if isinstance(block, str):
            w.line(block, new_page=block.startswith("三、"))
        else:
            w.table(block.widths, block.rows, block.break_before, block.header if var.repeat_header else 0)
    w.save(path)


def render(fmt: str, src: Source, var: Variation, folder: Path, **options) -> Path:
    blocks = layout(src, var)
    path = folder / f"{src.report_id}.{ {'markdown': 'md'}.get(fmt, fmt)}"
    if fmt == "pdf":
        pdf(blocks, var, path, title=src.title)
    elif fmt == "docx":
        docx(blocks, var, path, title=src.title, **options)
    else:
        path.write_text(markdown(blocks, var, title=src.title, **options), encoding="utf-8")
    return path
