"""The Word .docx reader: the fixture made from a corpus report (tests/fixtures/README.md) against that report's
gold values, and small documents built with python-docx for merged cells, body order, runs and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, assert_gold, manifest_row

FIXTURE = ROOT / "tests" / "fixtures" / "2025_pingtan_html_1.docx"


@pytest.fixture(scope="module")
def fixture_report():
    from opendata.pipeline import extract

    return extract(FIXTURE, manifest_row("2025_pingtan_html_1"))


def test_docx_fixture_matches_gold(fixture_report):
    report = fixture_report
    assert report.document.format == "docx" and report.document.cells_explicit
    assert report.errors == []
    assert assert_gold(report, "2025_pingtan_html_1").exact == 10 + 25 * 7 + 15
    assert report.template == "2021"
    assert {c.result for c in report.checks} == {"pass"}


def test_docx_cells_keep_their_grid_position(fixture_report):
    cells = {c.key: c for c in fixture_report.cells}
    # 4166.241619 sits in the second grid column of table 二's last row, a cell merged over three columns.
    fee = cells["proactive_disclosure.admin_fees.fee_amount_wan_yuan"]
    assert (fee.value, fee.raw, fee.source_ref) == (4166.241619, "4166.241619", "t1/r14/c2")
    assert cells["applications.new_requests.total"].source_ref == "t2/r4/c10"
    assert cells["review_litigation.review.total"].source_ref == "t3/r4/c5"


def test_title_is_read_from_the_first_paragraph(fixture_report):
    assert (fixture_report.meta.title, fixture_report.meta.year) == ("平潭综合实验区2025年度政府信息公开工作年度报告", 2025)


# -- small documents ------------------------------------------------------------------------------------------------

def _doc(tmp_path: Path, build) -> list[tuple[str, str]]:
    import docx

    from opendata.read.docx import read

    document = docx.Document()
    build(document)
    path = tmp_path / "t.docx"
    document.save(str(path))
    return [(t.ref, t.text) for t in read(path).tokens]


def test_merged_cells_are_emitted_once_at_their_top_left(tmp_path):
    def build(document):
        table = document.add_table(rows=3, cols=3)
        table.cell(0, 0).merge(table.cell(1, 1)).text = "A"  # 2 x 2: gridSpan and vMerge
        table.cell(0, 2).text = "B"
        table.cell(1, 2).text = "7"
        table.cell(2, 0).text = "C"
        table.cell(2, 1).merge(table.cell(2, 2)).text = "D"

    assert _doc(tmp_path, build) == [("t1/r1/c1", "A"), ("t1/r1/c3", "B"), ("t1/r2/c3", "7"), ("t1/r3/c1", "C"),
                                     ("t1/r3/c2", "D")]


def test_paragraphs_and_tables_in_body_order_runs_joined(tmp_path):
    def build(document):
        p = document.add_paragraph()
        p.add_run("一、总体")
        p.add_run("情况")
        document.add_paragraph("")  # empty paragraphs leave no token
        table = document.add_table(rows=1, cols=3)
        table.cell(0, 0).text = "规章"
        cell = table.cell(0, 1).paragraphs[0]
        cell.add_run("1")
        cell.add_run("62")
        table.cell(0, 2).text = ""  # a blank value
        document.add_paragraph("二、结尾")
        document.add_table(rows=1, cols=1).cell(0, 0).text = "x"

    assert _doc(tmp_path, build) == [("p1", "一、总体情况"), ("t1/r1/c1", "规章"), ("t1/r1/c2", "162"),
                                     ("t1/r1/c3", ""), ("p2", "二、结尾"), ("t2/r1/c1", "x")]


def test_cell_paragraphs_are_lines_of_one_token(tmp_path):
    def build(document):
        table = document.add_table(rows=1, cols=2)
        cell = table.cell(0, 0)
        cell.text = "结果"
        cell.add_paragraph("纠正")
        table.cell(0, 1).text = "3"

    assert _doc(tmp_path, build) == [("t1/r1/c1", "结果\n纠正"), ("t1/r1/c2", "3")]


def test_rows_starting_after_the_first_grid_column(tmp_path):
    """w:gridBefore: a row whose first cell sits in grid column 2."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def build(document):
        table = document.add_table(rows=2, cols=3)
        for c, text in enumerate(("a", "b", "c")):
            table.cell(0, c).text = text
        tr = table.rows[1]._tr
        tr.remove(tr.tc_lst[0])
        tr.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>'))
        row = table.rows[1]  # its cells are now the two of grid columns 2 and 3
        row.cells[0].text = "5"
        row.cells[1].text = "6"

    assert _doc(tmp_path, build)[-2:] == [("t1/r2/c2", "5"), ("t1/r2/c3", "6")]


def test_a_layout_table_around_the_report_tables_is_read_as_body(tmp_path):
    def build(document):
        outer = document.add_table(rows=1, cols=1)
        cell = outer.cell(0, 0)
        cell.text = "二、主动公开政府信息情况"
        inner = cell.add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "规章"
        inner.cell(0, 1).text = "0"

    assert _doc(tmp_path, build) == [("p1", "二、主动公开政府信息情况"), ("t2/r1/c1", "规章"), ("t2/r1/c2", "0")]


def test_a_table_split_in_two_at_a_page_break_goes_on_without_its_repeated_header(tmp_path):
    """Two Word tables with only a page number and the running title between them: one table, the header the
    second repeats is no cells and the furniture is dropped. A table after a sentence keeps its header."""
    def build(document):
        document.add_paragraph("某某市年度报告")
        for n, (item, value) in enumerate((("规章", "1"), ("规范性文件", "2"), ("行政许可", "3"))):
            if n == 1:
                document.add_paragraph("- 3 -")
                document.add_paragraph("某某市年度报告")
            if n == 2:
                document.add_paragraph("注：含修订3件。")
            table = document.add_table(rows=2, cols=2)
            for c, text in enumerate(("信息内容", "本年制发件数")):
                table.cell(0, c).text = text
            table.cell(1, 0).text, table.cell(1, 1).text = item, value

    assert _doc(tmp_path, build) == [
        ("p1", "某某市年度报告"), ("t1/r1/c1", "信息内容"), ("t1/r1/c2", "本年制发件数"), ("t1/r2/c1", "规章"),
        ("t1/r2/c2", "1"), ("t2/r2/c1", "规范性文件"), ("t2/r2/c2", "2"), ("p4", "注：含修订3件。"),
        ("t3/r1/c1", "信息内容"), ("t3/r1/c2", "本年制发件数"), ("t3/r2/c1", "行政许可"), ("t3/r2/c2", "3"),
    ]


def test_not_a_docx_is_a_clear_error_naming_the_file(tmp_path):
    from opendata.read.docx import UnreadableDocx, read

    path = tmp_path / "broken.docx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(UnreadableDocx, match=str(path)):
        read(path)


def test_a_broken_docx_does_not_stop_the_batch(tmp_path):
    import shutil

    from opendata.pipeline import Failure, extract_all

    (tmp_path / "a_broken.docx").write_bytes(b"PK\x03\x04 truncated")
    shutil.copy(FIXTURE, tmp_path / "b_report.docx")
    results = list(extract_all([tmp_path]))
    assert isinstance(results[0], Failure) and "a_broken.docx" in results[0].message
    assert not isinstance(results[1], Failure) and len(results[1].cells) == 200
