"""The PDF reader: the two real 洪泽 reports (text-layer PDFs, ruled tables crossing page breaks; read from the shared
corpus, as this repository may not redistribute them) against their gold values and the token stream the reader
gives; PDFs the tests render (fpdf2, a CJK TrueType font) from every bundled report's gold values and from random
template-consistent reports (ruled tables, a page break inside table 三, page numbers, a running header, the
vertical 三、本年度办理结果 label), read back exactly."""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GOLD, assert_gold, gold, manifest_row, needs_corpus, source
from test_markdown import T2, T3, T4, Expected, Rendered, _template, assert_reads_back, reports, t4_keys

PDF_REPORTS = ("2023_hongze_1", "2024_hongze_1")
TABLES = (T2, T3, T4)


@pytest.fixture(scope="module", params=PDF_REPORTS)
def pdf_report(request):
    from opendata.pipeline import extract

    return request.param, extract(source(request.param), manifest_row(request.param))


@needs_corpus
def test_every_gold_cell_is_read(pdf_report):
    report_id, report = pdf_report
    # The three 2021 其他处理 sub-rows are not printed in these reports: gold null, nothing published.
    assert assert_gold(report, report_id).exact == 10 + 23 * 7 + 15
    assert report.document.format == "pdf" and report.document.cells_explicit
    assert report.errors == []


@needs_corpus
def test_each_table_keeps_its_own_layout(pdf_report):
    """A 2021-style table 二 beside a table 三 that keeps the 2019 single （六）其他处理 row."""
    _, report = pdf_report
    assert report.layouts == {"proactive_disclosure": "2021", "applications": "2019"}
    t3 = report.table_cells("applications")
    assert ("other_handling", "total") in t3 and ("other_no_correction", "total") not in t3


@needs_corpus
def test_source_errors_fail_h4_with_the_printed_values_kept():
    from opendata.pipeline import extract

    report = extract(source("2023_hongze_1"), manifest_row("2023_hongze_1"))
    failed = {(c.check_id, c.subject) for c in report.checks if c.result == "fail"}
    assert failed == {("H4", "review_litigation.review"), ("H4", "review_litigation.litigation_after_review")}
    t4 = report.table_cells("review_litigation")
    assert [t4["review", o].value for o in ("upheld", "corrected", "other", "pending", "total")] == [10, 1, 0, 0, 0]
    assert (t4["review", "total"].status, t4["review", "total"].raw) == ("reported", "0")
    assert t4["review", "upheld"].source_ref == "p4/t2/r4/c1"
    passed = {c.check_id for c in report.checks if c.result == "pass"}
    assert {"H1", "H2", "H3"} <= passed


@needs_corpus
def test_2024_identities_all_hold():
    from opendata.pipeline import extract

    report = extract(source("2024_hongze_1"), manifest_row("2024_hongze_1"))
    results = {(c.check_id, c.result) for c in report.checks if c.check_id in ("H1", "H2", "H3", "H4")}
    assert results == {("H1", "pass"), ("H2", "pass"), ("H3", "pass"), ("H4", "pass")}


# -- the token stream ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tokens_2024():
    from opendata.read.pdf import read

    return read(source("2024_hongze_1")).tokens


@needs_corpus
def test_cells_are_tokens_with_page_table_row_column_refs(tokens_2024):
    cells = {t.ref: t.text for t in tokens_2024}
    assert cells["p3/t2/r4/c1"] == "一、本年新收政府信息公开申请数量"  # spans three label columns: emitted once
    assert "p3/t2/r4/c2" not in cells and "p3/t2/r4/c3" not in cells
    assert [cells[f"p3/t2/r4/c{c}"] for c in range(4, 11)] == ["95", "0", "0", "0", "0", "0", "95"]
    assert cells["p3/t2/r1/c4"] == "申请人情况"
    # The vertical label printed one character per line is one token, before （一）予以公开 in row-major order.
    assert cells["p3/t2/r6/c1"].replace("\n", "") == "三、本年度办理结果"
    refs = [t.ref for t in tokens_2024]
    assert refs.index("p3/t2/r6/c1") + 1 == refs.index("p3/t2/r6/c2")
    assert cells["p3/t2/r6/c2"] == "（一）予以公开"


@needs_corpus
def test_a_table_crossing_a_page_break_is_one_stream_without_page_numbers(tokens_2024):
    """Table 三 breaks after （四）1.本机关不掌握…; page 4 goes on with sub-row 2. Nothing may stand between them:
    not the page number "- 3 -", nor the empty remainder of the merged label cells cut by the break."""
    refs = [t.ref for t in tokens_2024]
    last_on_page_3 = refs.index("p3/t2/r16/c10")  # 1.本机关不掌握相关政府信息, 总计
    texts = [t.text for t in tokens_2024[last_on_page_3:last_on_page_3 + 3]]
    assert texts == ["31", "2.没有现成信息需要另行制作", "1"]
    assert not any(re.fullmatch(r"\s*-\s*\d+\s*-\s*", t.text) for t in tokens_2024)
    assert all(t.text.strip() for t in tokens_2024 if not re.search(r"/r\d+/c\d+$", t.ref))


@needs_corpus
def test_text_outside_tables_is_line_tokens_in_reading_order(tokens_2024):
    lines = [(t.ref, t.text) for t in tokens_2024 if "/L" in t.ref]
    assert lines[0] == ("p1/L1", "淮安市洪泽区人民政府")
    headings = [text for _, text in lines]
    assert headings.index("三、收到和处理政府信息公开申请情况") < headings.index("四、政府信息公开行政复议、行政诉讼情况")
    refs = [t.ref for t in tokens_2024]
    assert refs.index("p3/L1") < refs.index("p3/t2/r1/c1")  # heading 三 above table 三 on page 3


def test_not_a_pdf_is_a_clear_error_naming_the_file(tmp_path):
    from opendata.pipeline import extract_all

    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"<html>not a pdf</html>")
    (failure,) = list(extract_all([bad]))
    assert str(bad) in failure.message and "PDF" in failure.message


def test_a_scan_without_text_layer_is_a_clear_error(tmp_path):
    from opendata.read.pdf import read

    w = PdfWriter(page_numbers=False)
    w.table([100, 100], [[("", 1, 1), ("", 1, 1)]])  # ruled lines only, as a scanned page's vector frame
    path = tmp_path / "scan.pdf"
    w.save(path)
    with pytest.raises(ValueError, match="scan.pdf: the PDF has no text layer"):
        read(path)


def test_a_header_repeated_on_the_next_page_is_dropped_and_label_columns_carry_over():
    from opendata.read.pdf import _Block, _join_continued_tables, _table_tokens

    header = [["信息内容", "本年制发件数", "本年废止件数"]]
    first = _Block(top=500, rows=header + [["规章", "1", ""]], prefix="p1/t1")
    first.tokens = _table_tokens(first)
    rest = _Block(top=80, rows=header + [["", "", "2"]], prefix="p2/t1")  # label cell cut by the page break
    rest.tokens = _table_tokens(rest)
    _join_continued_tables([[first], [rest]])
    assert [(t.ref, t.text) for t in rest.tokens] == [("p2/t1/r2/c2", ""), ("p2/t1/r2/c3", "2")]


# -- PDFs rendered by the tests --------------------------------------------------------------------------------------
# fpdf2 draws ruled cells and text, embedding a TrueType CJK font (a subset). Noto CJK (fonts-noto-cjk) has CFF
# outlines that fpdf2 embeds without a usable text layer, so a TrueType-outlined font is needed: WenQuanYi Zen Hei.

PAGE_W, PAGE_H, TOP, BOTTOM, LEFT, ROW_H = 595, 842, 792, 60, 50, 22
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian fonts-droid-fallback
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # Debian fonts-arphic-uming
)
CJK_FONT = next((f for f in CJK_FONTS if Path(f).is_file()), None)
needs_cjk_font = pytest.mark.skipif(
    CJK_FONT is None, reason="no TrueType CJK font to render test PDFs: install Debian fonts-wqy-zenhei")


class PdfWriter:
    """Lines of text and ruled tables flowing down pages (y measured up from the page bottom, in points); each page
    gets a '- N -' page number and, when given, a running header."""

    def __init__(self, page_numbers: bool = True, header: str | None = None):
        self.pages: list[list[tuple]] = [[]]
        self.y = TOP
        self.page_numbers = page_numbers
        self.header = header

    def _room(self, height: float, force: bool = False) -> None:
        if force or self.y - height < BOTTOM:
            self.pages.append([])
            self.y = TOP

    def line(self, text: str, new_page: bool = False) -> None:
        self._room(ROW_H, force=new_page)
        self.pages[-1].append(("text", LEFT, self.y - 15, text, 11))
        self.y -= ROW_H

    def table(self, widths: list[float], rows: list[list[tuple[str, int, int]]], break_before: int | None = None):
        """Rows of (text, colspan, rowspan) cells on a grid; a new page starts at row `break_before` (a rowspan
        crossing the break is cut in two, as word processors do, its text staying in the first part)."""
        xs = [LEFT]
        for w in widths:
            xs.append(xs[-1] + w)
        where = []  # per row: (page, top)
        for r in range(len(rows)):
            self._room(ROW_H, force=r == break_before)
            where.append((len(self.pages) - 1, self.y))
            self.y -= ROW_H
        for r, c, colspan, rowspan, text in _placed(rows):
            covered = range(r, min(r + rowspan, len(rows)))
            parts = [[i for i in covered if where[i][0] == page] for page in sorted({where[i][0] for i in covered})]
            for n, part in enumerate(parts):
                page, top = where[part[0]]
                bottom = where[part[-1]][1] - ROW_H
                self.pages[page].append(("rect", xs[c], bottom, xs[c + colspan] - xs[c], top - bottom))
                if n == 0 and text:
                    self.pages[page] += _cell_text(xs[c], xs[c + colspan], top, bottom, text)
        self.y -= ROW_H / 2

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
            furniture = [("text", PAGE_W / 2 - 12, 30, f"- {n} -", 10)] if self.page_numbers else []
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


def _placed(rows: list[list[tuple[str, int, int]]]) -> list[tuple[int, int, int, int, str]]:
    """(row, column, colspan, rowspan, text) of every cell, skipping grid positions a rowspan above covers."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for text, colspan, rowspan in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, colspan, rowspan, text))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    return placed


def _cell_text(x0: float, x1: float, top: float, bottom: float, text: str) -> list[str]:
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


def render_pdf(rep, break_before: int, path: Path, title: str = "2020年某某县人民政府政府信息公开工作年度报告",
               header: str | None = None) -> None:
    """A report in template layout: table 二 as its sub-tables, table 三 starting a page and broken by a page
    break before its row `break_before`, table 四 with its three header rows; a running header on every page."""
    tpl = _template()
    t2, t3 = tpl.table(T2), tpl.table(T3)
    w = PdfWriter(header=header)
    for text in (title, "一、总体情况", "本年度主动公开政府信息1234条。",
                 "二、主动公开政府信息情况"):
        w.line(text)
    for sub in tpl.proactive_layout(rep.layout):
        n = len(sub["measures"])
        header = [("信息内容", 1, 1), *[(t2.code("measures", m).zh, 1, 1) for m in sub["measures"]]]
        rows = [[(sub["caption"], n + 1, 1)], header]
        rows += [[(t2.code("items", item).zh, 1, 1), *[(rep.cells[T2, item, m].text, 1, 1) for m in sub["measures"]]]
                 for item in sub["items"]]
        w.table([150] + [300 / n] * n, rows)
    w.line("三、收到和处理政府信息公开申请情况", new_page=True)
    header = [
        [(t3.spec["header_labels"][0], 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [(label, 1, 1) for label in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
    ]
    w.table([25, 60, 110] + [37] * 7, header + t3_rows(rep), break_before=len(header) + break_before)
    leaves = [(label, 1, 1) for label in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    keys = t4_keys()
    w.line("四、政府信息公开行政复议、行政诉讼情况")
    w.table([30] * 15, [
        [("行政复议", 5, 1), ("行政诉讼", 10, 1)],
        [*[(label, 1, 2) for label, _, _ in leaves], ("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
        leaves + leaves,
        [(rep.cells[T4, b, o].text, 1, 1) for b, o in keys],
    ])
    for text in ("五、存在的主要问题及改进情况", "改进措施3条。", "六、其他需要报告的事项", "无。"):
        w.line(text)
    w.save(path)


def t3_rows(rep) -> list[list[tuple[str, int, int]]]:
    """Table 三's value rows as the template prints them: 一/二/四 over three label columns, the vertical
    三、本年度办理结果 over all result rows, group cells (（三）不予公开 …) over their numbered sub-rows."""
    tpl = _template()
    rows = tpl.application_rows(rep.layout)
    by_code = {r.code: r for r in rows}
    value_rows = [r for r in rows if r.is_value_row(rep.layout)]
    results = [r for r in value_rows if r.parent]
    columns = [c.code for c in tpl.table(T3).codes("columns")]
    out = []
    for row in value_rows:
        values = [(rep.cells[T3, row.code, c].text, 1, 1) for c in columns]
        labels = []
        if row is (results[0] if results else None):
            labels.append(("\n".join(by_code[row.parent].zh), 1, len(results)))  # printed one character per line
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
        out.append(labels + values)
    return out


@needs_cjk_font
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.slow  # a hypothesis round trip: hundreds of generated reports
def test_rendered_pdf_reads_back_exactly(data):
    from opendata.pipeline import extract

    rep = data.draw(reports())
    value_rows = len(t3_rows(rep))
    break_before = data.draw(st.integers(6, value_rows - 1), label="table 三 breaks before value row")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        render_pdf(rep, break_before, path)
        report = extract(path)
    assert_reads_back(report, rep)


# -- every bundled report's gold values, rendered as a PDF ------------------------------------------------------------

BUNDLED = sorted(p.stem for p in GOLD.glob("*.json") if p.stem != "corrections")
# Quick cases (make test-fast): both templates and a report of markers; every other report is `slow`.
QUICK = ("seed_luzhou_2020", "2022_sanming_1", "2023_shuyang_fgj_1")


def _printed(table: str, column: str, value: float) -> str:
    """A gold value as a report prints it: signed changes with their sign, amounts (万元) with their decimals."""
    code = _template().table(table).code("measures", column) if table == T2 else None
    if code is not None and code.get("signed"):
        return f"{int(value):+d}" if value else "0"
    return str(int(value)) if float(value).is_integer() else format(Decimal(str(value)).normalize(), "f")


def rendered_from_gold(report_id: str) -> Rendered:
    """The report's gold values as the cells of a rendered PDF: a number printed plainly (an ambiguous cell of the
    source at its plausible reading, which the PDF then settles), a marker as its raw text, null as a blank cell."""
    g = gold(report_id)
    cells = {}
    for table in TABLES:
        for row, columns in g[table].items():
            for column, value in columns.items():
                marker = g.get("markers", {}).get(f"{table}.{row}.{column}")
                if marker:
                    cells[table, row, column] = Expected("marker", None, marker)
                elif value is None:
                    cells[table, row, column] = Expected("blank")
                else:
                    cells[table, row, column] = Expected("reported", value, _printed(table, column, value))
    return Rendered(g["report"]["template"], cells, True)


def assert_page_furniture(path: Path, header: str) -> None:
    """The rendered PDF really has what the reader must see past: three pages or more (table 三 broken across
    two), and on each page the running header and the page number."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
    assert len(texts) >= 3
    for n, text in enumerate(texts, start=1):
        assert header in text and f"- {n} -" in text, (n, text[:200])


@needs_cjk_font
@pytest.mark.parametrize("report_id", [r if r in QUICK else pytest.param(r, marks=pytest.mark.slow) for r in BUNDLED])
def test_a_pdf_rendered_from_gold_reads_back_every_cell_exactly(report_id, tmp_path):
    from gold_score import score
    from opendata.pipeline import extract

    rep, g = rendered_from_gold(report_id), gold(report_id)
    value_rows = len(t3_rows(rep))
    break_before = 6 + BUNDLED.index(report_id) % (value_rows - 6)  # a different row of table 三 each time
    path = tmp_path / f"{report_id}.pdf"
    title = f"{g['report']['agency']}{g['report']['year']}年政府信息公开工作年度报告"
    render_pdf(rep, break_before, path, title=title, header=title)
    assert_page_furniture(path, title)
    report = extract(path, manifest_row(report_id))
    assert report.errors == [] and report.layouts == {T2: rep.layout, T3: rep.layout}
    # The one gold comparison; the rendered PDF prints every gold value plainly, so none is ambiguous here.
    s = score(report, {**g, "ambiguous": [], "unsettled_by_tables": []})
    assert s.ok and s.exact == sum(w.status == "reported" for w in rep.cells.values()), s.details
    cells = {(c.table, c.row, c.column): c for c in report.cells}
    assert set(cells) == set(rep.cells)
    assert all((cells[k].status, cells[k].raw or "") == (w.status, w.text) for k, w in rep.cells.items()
               if w.status != "reported")  # blank cells blank, markers kept verbatim
    failed = [c for c in report.checks if c.check_id in ("H1", "H2", "H3", "H4") and c.result == "fail"]
    assert bool(failed) == bool(g.get("source_errors")), failed  # the source's own errors, printed as they were
