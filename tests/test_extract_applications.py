"""Table 三 (extract/applications.py): values go to the applicant columns the header prints, in its order."""

from __future__ import annotations

import pytest

from conftest import assert_gold, gold, manifest_row, source
from permute import T3_COLUMNS, html_t3_permuted, one_cell_per_line, scored, text_t3_permuted, write


def _extract(path, report_id):
    from opendata.pipeline import extract

    return extract(path, manifest_row(report_id))


SWAPS = [
    ["total", "commercial_enterprise", "research_institution", "public_welfare_org", "legal_services_org", "other_org",
     "natural_person"],
    ["natural_person", "research_institution", "commercial_enterprise", "public_welfare_org", "other_org",
     "legal_services_org", "total"],
    ["commercial_enterprise", "natural_person", "other_org", "research_institution", "public_welfare_org", "total",
     "legal_services_org"],
]


@pytest.mark.parametrize("report_id", ["2019_sanming_1", "2022_sanming_1", "2025_sanming_1"])
@pytest.mark.parametrize("printed", SWAPS, ids=["natural-total", "two-subcolumns", "scrambled"])
def test_text_columns_in_another_order_read_by_their_labels(tmp_path, report_id, printed):
    text = text_t3_permuted(source(report_id).read_text(encoding="utf-8"), printed, gold(report_id)["applications"])
    permuted = scored(_extract(write(tmp_path, f"{report_id}.txt", text), report_id), report_id, rewritten=True)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact >= 0.98 * scored(_extract(source(report_id), report_id), report_id, rewritten=True).exact


@pytest.mark.parametrize("report_id", ["2024_pingtan_html_1", "2023_shuyang_fgj_1"])
@pytest.mark.parametrize("swap_tops", [False, True])
def test_html_columns_in_another_order_read_by_their_labels(tmp_path, report_id, swap_tops):
    html = source(report_id).read_text(encoding="utf-8")
    children = ["legal_services_org", "commercial_enterprise", "other_org", "research_institution", "public_welfare_org"]
    path = write(tmp_path, f"{report_id}.html", html_t3_permuted(html, children, swap_tops))
    permuted = scored(_extract(path, report_id), report_id)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact == scored(_extract(source(report_id), report_id), report_id).exact  # all still read


def test_header_contradicting_the_template_without_every_label_is_unreadable(tmp_path):
    """科研机构 printed before 商业企业, but 社会公益组织 is cut: which value is whose is not known, so no value."""
    report_id = "2022_sanming_1"
    text = source(report_id).read_text(encoding="utf-8")
    printed = ["natural_person", "research_institution", "commercial_enterprise", *T3_COLUMNS[3:]]
    permuted = text_t3_permuted(text, printed, gold(report_id)["applications"]).replace("社会公益组织", "社会公", 1)
    report = _extract(write(tmp_path, f"{report_id}.txt", permuted), report_id)
    cells = report.table_cells("applications").values()
    assert cells and all(c.status == "unreadable" for c in cells)
    assert any("applicant columns" in e and "科研机构 | 商业企业" in e for e in report.errors)


def test_without_its_telling_row_the_layout_is_untold_and_the_table_unread(tmp_path):
    """A 2019 table 三 whose （六）其他处理 row is not printed: neither layout is proven, so no cell is published."""
    from opendata.pipeline import extract

    report_id = "2019_sanming_1"
    text = source(report_id).read_text(encoding="utf-8").replace("其他处理", "其它", 1)
    report = extract(write(tmp_path, f"{report_id}.txt", text), manifest_row(report_id))
    assert report.table_cells("applications") == {}
    assert any("table 三" in e and "layout cannot be told" in e for e in report.errors)
    assert report.table_cells("review_litigation")["review", "total"].value == gold(report_id)[
        "review_litigation"]["review"]["total"]


# -- one cell per line, blank cells kept as empty lines (the seed's family) -------------------------------------------

@pytest.mark.parametrize("report_id", ["2023_shuyang_fgj_1", "2024_pingtan_html_1"])
def test_empty_lines_are_the_blank_cells_of_one_cell_per_line_text(tmp_path, report_id):
    """Reports flattened to one cell per line with each blank cell an empty line: every cell of table 三 is read as
    gold says, blanks as blank (2023_shuyang_fgj_1 has 125 blank cells; without the empty lines' places its rows
    with blank cells are unreadable: the values cannot be placed). 2024_pingtan_html_1 has none: read as ever."""
    expected = gold(report_id)["applications"]
    report = _extract(write(tmp_path, f"{report_id}.txt", one_cell_per_line(source(report_id))), report_id)
    cells = report.table_cells("applications")
    got = {(row, col): (cells[row, col].status, cells[row, col].value) for row, cols in expected.items() for col in cols
           if (row, col) in cells}
    want = {(row, col): ("blank", None) if v is None else ("reported", v) for row, cols in expected.items()
            for col, v in cols.items() if (row, col) in cells or v is not None}  # gold lists the other layout's rows
    assert got == want


def test_empty_lines_that_do_not_make_whole_rows_are_ignored(tmp_path):
    """An empty line after every row of a text whose blank cells were dropped is spacing, not a blank cell."""
    report_id = "2023_putian_cg_1"
    spaced = source(report_id).read_text(encoding="utf-8").replace("\n（", "\n\n（")
    assert_gold(_extract(write(tmp_path, f"{report_id}.txt", spaced), report_id), report_id)


def test_header_without_its_header_labels_is_still_read(tmp_path):
    """No 申请人情况 and no 勾稽 note: table 三 begins at its first row, and the column labels printed between the
    section heading and that row are still its header (总计 printed first here)."""
    report_id = "2024_sanming_1"
    printed = ["total", *T3_COLUMNS[1:6], "natural_person"]
    text = text_t3_permuted(source(report_id).read_text(encoding="utf-8"), printed, gold(report_id)["applications"])
    lines = [line for line in text.split("\n") if line != "申请人情况" and "勾稽关系" not in line]
    report = _extract(write(tmp_path, f"{report_id}.txt", "\n".join(lines)), report_id)
    permuted = scored(report, report_id, rewritten=True)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact >= 0.98 * scored(_extract(source(report_id), report_id), report_id, rewritten=True).exact


def test_group_label_first_leaves_a_permuted_header_unread(tmp_path):
    """法人或其他组织 printed first, then 总计, the five sub-columns and 自然人 on one line (a PDF converter's order of
    vertically centred cells): printed 总计 | sub-columns | 自然人 or 总计 | 自然人 | sub-columns cannot be told apart,
    so nothing is published rather than a guess."""
    report_id = "2024_sanming_1"
    printed = ["total", *T3_COLUMNS[1:6], "natural_person"]
    text = text_t3_permuted(source(report_id).read_text(encoding="utf-8"), printed, gold(report_id)["applications"])
    lines = text.split("\n")
    at = lines.index("申请人情况")
    lines[at:at + 9] = ["申请人情况", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
                        "自然人"]
    report = _extract(write(tmp_path, f"{report_id}.txt", "\n".join(lines)), report_id)
    assert scored(report, report_id, rewritten=True).nothing_wrong
    assert {c.status for c in report.table_cells("applications").values()} == {"unreadable"}
