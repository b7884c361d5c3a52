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
from render import CJK_FONT, PdfWriter, t3_labels
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
# The PDF writer (fpdf2, a TrueType CJK font) is tests/render.py's.

needs_cjk_font = pytest.mark.skipif(
    CJK_FONT is None, reason="no TrueType CJK font to render test PDFs: install Debian fonts-wqy-zenhei")


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
    """Table 三's value rows as the template prints them (render.t3_labels), with the report's printed values."""
    tpl = _template()
    rows = tpl.application_rows(rep.layout)
    by_code = {r.code: r for r in rows}
    value_rows = [r for r in rows if r.is_value_row(rep.layout)]
    columns = [c.code for c in tpl.table(T3).codes("columns")]
    return [t3_labels(row, value_rows, by_code) + [(rep.cells[T3, row.code, c].text, 1, 1) for c in columns]
            for row in value_rows]


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


def test_a_header_alone_at_a_page_bottom_repeated_on_the_next_page_is_dropped_there():
    """The first part holds the header alone, in fewer grid columns (no value row rules the label columns apart):
    the second part's repeated header is still recognised by its texts and dropped."""
    from opendata.read.pdf import _Block, _join_continued_tables, _table_tokens

    first = _Block(top=700, rows=[["信息内容", "本年制发件数"]], prefix="p1/t1")
    first.tokens = _table_tokens(first)
    rest = _Block(top=80, rows=[["信息内容", None, "本年制发件数"], ["规章", None, "2"]], prefix="p2/t1")
    rest.tokens = _table_tokens(rest)
    _join_continued_tables([[first], [rest]])
    assert [(t.ref, t.text) for t in rest.tokens] == [("p2/t1/r2/c1", "规章"), ("p2/t1/r2/c3", "2")]
