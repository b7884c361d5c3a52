"""Table 四 (extract/review_litigation.py): values go to the blocks and outcomes the header prints, in its order."""

from __future__ import annotations

import re

import pytest

from conftest import gold, manifest_row, source
from permute import T4_OUTCOMES, html_t4_permuted, scored, t4_printed, text_t4_permuted, write

LIT = ["litigation_direct", "litigation_after_review"]
SHUFFLED = ["pending", "upheld", "total", "other", "corrected"]
ORDERS = {
    "litigation-blocks-swapped": t4_printed(T4_OUTCOMES, LIT[::-1], {b: T4_OUTCOMES for b in LIT}),
    "outcomes-shuffled": t4_printed(SHUFFLED, LIT, {b: SHUFFLED for b in LIT}),
    "each-block-its-own": t4_printed(SHUFFLED, LIT[::-1], {LIT[0]: T4_OUTCOMES[::-1], LIT[1]: SHUFFLED}),
    # 行政诉讼 printed left of 行政复议 (after a section heading naming both in the template's order)
    "litigation-first": [(b, o) for b in LIT for o in T4_OUTCOMES] + [("review", o) for o in T4_OUTCOMES],
}
HTML_ORDERS = {k: v for k, v in ORDERS.items() if k != "litigation-first"}


def _extract(path, report_id):
    from opendata.pipeline import extract

    return extract(path, manifest_row(report_id))


@pytest.mark.parametrize("report_id", ["2024_sanming_1", "2021_sanming_1", "2023_putian_cg_1"])
@pytest.mark.parametrize("order", ORDERS, ids=list(ORDERS))
def test_text_blocks_and_outcomes_in_another_order_read_by_their_labels(tmp_path, report_id, order):
    text = text_t4_permuted(source(report_id).read_text(encoding="utf-8"), ORDERS[order],
                            gold(report_id)["review_litigation"])
    permuted = scored(_extract(write(tmp_path, f"{report_id}.txt", text), report_id), report_id, rewritten=True)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact >= scored(_extract(source(report_id), report_id), report_id, rewritten=True).exact


@pytest.mark.parametrize("report_id", ["2024_pingtan_html_1", "2023_shuyang_fgj_1"])
@pytest.mark.parametrize("order", HTML_ORDERS, ids=list(HTML_ORDERS))
def test_html_blocks_and_outcomes_in_another_order_read_by_their_labels(tmp_path, report_id, order):
    html = source(report_id).read_text(encoding="utf-8")
    permuted = scored(_extract(write(tmp_path, f"{report_id}.html", html_t4_permuted(html, ORDERS[order])), report_id),
                      report_id)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact == scored(_extract(source(report_id), report_id), report_id).exact


def test_outcomes_contradicting_the_template_without_every_label_are_unreadable(tmp_path):
    """尚未审结 printed before 结果维持 in every block, but one 总计 is cut: no value, and the error says why."""
    report_id = "2024_sanming_1"
    printed = t4_printed(SHUFFLED, LIT, {b: SHUFFLED for b in LIT})
    text = text_t4_permuted(source(report_id).read_text(encoding="utf-8"), printed, {})
    lines = text.split("\n")
    lines.remove("总计")  # the first 总计 of table 四's header (table 三 prints 总计 once as (七)总计)
    report = _extract(write(tmp_path, f"{report_id}.txt", "\n".join(lines)), report_id)
    cells = report.table_cells("review_litigation").values()
    assert cells and all(c.status == "unreadable" for c in cells)
    assert any("outcomes" in e and "尚未审结 | 结果维持" in e for e in report.errors)


def test_litigation_first_with_blocks_printing_outcomes_differently_is_unreadable(tmp_path):
    """行政诉讼 left of 行政复议 and the blocks' outcomes in different orders: which five outcome labels are 行政复议's
    depends on how the header was flattened, so nothing is published rather than a guess."""
    report_id = "2024_sanming_1"
    printed = [(b, o) for b, outcomes in ((LIT[0], SHUFFLED), (LIT[1], T4_OUTCOMES)) for o in outcomes] + [
        ("review", o) for o in T4_OUTCOMES]
    text = text_t4_permuted(source(report_id).read_text(encoding="utf-8"), printed, gold(report_id)["review_litigation"])
    report = _extract(write(tmp_path, f"{report_id}.txt", text), report_id)
    assert scored(report, report_id, rewritten=True).nothing_wrong
    assert {c.status for c in report.table_cells("review_litigation").values()} == {"unreadable"}
    assert any("行政诉讼 before 行政复议" in e for e in report.errors)


SENTENCE_REPORTS = ["2019_sanming_1", "2021_sanming_1", "2022_sanming_1", "2024_sanming_1", "2025_sanming_1", "seed_luzhou_2020"]


def _with_line_after_first_t4_cell(tmp_path, report_id: str, inserted: list[str]):
    """The report extracted from a copy with `inserted` lines after table 四's first cell (one cell per line)."""
    from opendata.pipeline import extract

    original = extract(source(report_id), manifest_row(report_id))
    refs = [c.source_ref for c in original.cells if c.table == "review_litigation"]
    lines_of = sorted({int(r[1:]) for r in refs if re.fullmatch(r"L\d+", r)})
    if len(lines_of) < 15:
        pytest.fail(f"{report_id}: table 四 is not one cell per line here; choose another report")
    lines = source(report_id).read_text(encoding="utf-8").split("\n")
    at = lines_of[0]  # after the first cell's line: a lone piece the arithmetic could expand
    lines[at:at] = inserted
    path = tmp_path / source(report_id).name
    path.write_text("\n".join(lines), encoding="utf-8")
    return extract(path, manifest_row(report_id))


@pytest.mark.parametrize("report_id", SENTENCE_REPORTS)
@pytest.mark.parametrize("inserted", [["本年度共收到申请12件，均已按时答复。"], ["注：本表数据截至12月31日，", "含网上申请"],
                                      ["本年度共收到申请12件，", "均已按时答复"]])
def test_a_sentence_or_note_between_table_four_cells_is_read_through(tmp_path, report_id, inserted):
    """Issue 9: a narrative sentence or a note (known noise: a sentence mark, 注：, and the lines continuing them)
    between table 四's cells no longer ends its value region: the values on both sides are read, never joined
    across it, and every cell is exact as gold."""
    from gold_score import score

    report = _with_line_after_first_t4_cell(tmp_path, report_id, inserted)
    s = score(report, gold(report_id))
    assert s.nothing_wrong, s.details
    assert s.exact == score(_extract(source(report_id), report_id), gold(report_id)).exact


@pytest.mark.parametrize("report_id", SENTENCE_REPORTS)
@pytest.mark.parametrize("text", ["其他统计事项", "（二）行政诉讼情况", "五、存在的主要问题及改进情况"])
def test_unclassified_text_between_table_four_cells_never_gives_a_wrong_value(tmp_path, report_id, text):
    """Words with no sentence mark (an unknown heading or label) between table 四's cells used to end its value
    region, and the arithmetic then expanded the cells before it into all fifteen (a lone 0 -> fifteen zeros, H4
    'confirming' it). The places of the cells cannot be established: they are unreadable with a message naming
    the text, and the rest of the report is read as before. A heading (an ordinal, a section's own) followed by
    a value line is no end of the table either: its values go on after it."""
    from gold_score import score

    report = _with_line_after_first_t4_cell(tmp_path, report_id, [text])
    s = score(report, gold(report_id))
    assert s.nothing_wrong, s.details
    t4 = [c for c in report.cells if c.table == "review_litigation"]
    assert t4 and all(c.status != "reported" for c in t4[1:]), [(c.key, c.status, c.value) for c in t4]
    assert s.exact >= s.compared - 15  # only table 四 is lost
    assert any(text[-4:] in e and "interrupted" in e for e in report.errors)
