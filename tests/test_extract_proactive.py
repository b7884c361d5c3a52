"""Table 二 (extract/proactive.py): values go to the measures the header prints, in its order."""

from __future__ import annotations

import pytest

from conftest import GOLD, gold, manifest_row, source
from permute import scored, text_t2_permuted, write


def _extract(path, report_id):
    from opendata.pipeline import extract

    return extract(path, manifest_row(report_id))


def _t2(report) -> dict:
    return {k: c for k, c in report.table_cells("proactive_disclosure").items()}


CASES = [  # report, layout, sub-table, measures in printed order
    ("2024_sanming_1", "2021", 0, ["in_force_count", "issued_count", "repealed_count"]),
    ("2025_sanming_1", "2021", 0, ["repealed_count", "in_force_count", "issued_count"]),
    ("2019_sanming_1", "2019", 1, ["decisions_count", "prior_year_item_count", "item_change"]),
    ("2019_sanming_1", "2019", 2, ["item_change", "decisions_count", "prior_year_item_count"]),
]


@pytest.mark.parametrize(("report_id", "layout", "sub", "printed"), CASES)
def test_text_measures_in_another_order_read_by_their_labels(tmp_path, report_id, layout, sub, printed):
    text = text_t2_permuted(source(report_id).read_text(encoding="utf-8"), layout, sub, printed,
                            gold(report_id)["proactive_disclosure"])
    permuted = scored(_extract(write(tmp_path, f"{report_id}.txt", text), report_id), report_id, rewritten=True)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact >= scored(_extract(source(report_id), report_id), report_id, rewritten=True).exact


def test_measures_without_labels_are_unreadable(tmp_path):
    """(一)'s header row lost its three labels: the order of 本年制发件数, 本年废止件数, 现行有效件数 is not printed."""
    report_id = "2024_sanming_1"
    text = source(report_id).read_text(encoding="utf-8")
    for label in ("本年制发件数\n", "本年废止件数\n", "现行有效件数\n"):
        text = text.replace(label, "", 1)
    report = _extract(write(tmp_path, f"{report_id}.txt", text), report_id)
    cells = _t2(report)
    assert {cells["rules", m].status for m in ("issued_count", "repealed_count", "in_force_count")} == {"unreadable"}
    assert cells["admin_licensing", "decisions_count"].value == gold(report_id)["proactive_disclosure"][
        "admin_licensing"]["decisions_count"]
    assert any("order cannot be established" in e for e in report.errors)


# -- units: read from the header or the cell, converted to 万元 (expected values: the source's number times the
# unit's factor, 1 千元 = 0.1 万元, 1 元 = 0.0001 万元, 1 亿元 = 10000 万元) ----------------------------------------------

FEE = ("admin_fees", "fee_amount_wan_yuan")
PROCUREMENT = ("gov_central_procurement", "procurement_total_amount_wan_yuan")


def _with(tmp_path, report_id: str, *edits: tuple[str, str]):
    text = source(report_id).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return _t2(_extract(write(tmp_path, f"{report_id}.txt", text), report_id))


@pytest.mark.parametrize(("unit", "value"), [("万元", 279.44), ("千元", 27.944), ("元", 0.027944), ("亿元", 2794400)])
def test_fee_header_unit_is_read_and_converted(tmp_path, unit, value):
    cell = _with(tmp_path, "2023_putian_cg_1", ("（单位：万元）", f"（单位：{unit}）"))[FEE]
    assert cell.status == "reported"
    assert cell.value == pytest.approx(value, rel=1e-12)
    assert ("converted to 万元" in cell.note) == (unit != "万元")


def test_fee_header_in_an_unknown_unit_is_unreadable(tmp_path):
    cells = _with(tmp_path, "2023_putian_cg_1", ("（单位：万元）", "（单位：美元）"))
    assert cells[FEE].status == "unreadable" and cells[FEE].value is None
    assert "美元" in cells[FEE].note
    assert cells["admin_licensing", "decisions_count"].value == 77  # the rest is still read


def test_a_cell_printing_its_own_unit_wins_over_the_header(tmp_path):
    cells = _with(tmp_path, "2023_putian_cg_1", ("（单位：万元）", "（单位：千元）"), ("\n279.44\n", "\n279.44万元\n"))
    assert cells[FEE].value == pytest.approx(279.44)


@pytest.mark.parametrize(("printed", "value"), [("4.8171458729亿元", 48171.458729), ("481714.58729千元", 48171.458729),
                                                ("48171.458729万元", 48171.458729), ("481714587.29元", 48171.458729)])
def test_procurement_cell_unit_is_read_and_converted(tmp_path, printed, value):
    cell = _with(tmp_path, "2019_sanming_1", ("481714587.29元", printed))[PROCUREMENT]
    assert cell.status == "reported"
    assert cell.value == pytest.approx(value, rel=1e-12)
    assert cell.raw.startswith(printed.split(".")[0])  # the source's text is kept
    assert ("converted to 万元" in cell.note) == (not printed.endswith("万元"))  # and the conversion said


def test_procurement_cell_in_an_unknown_unit_is_unreadable(tmp_path):
    cells = _with(tmp_path, "2019_sanming_1", ("481714587.29元", "481714587.29日元"))
    assert cells[PROCUREMENT].status == "unreadable" and cells[PROCUREMENT].value is None
    assert cells["gov_central_procurement", "procurement_project_count"].value == 7652


def test_an_amount_printed_in_yuan_under_a_wan_yuan_header_is_warned_not_failed(tmp_path):
    """S6 (soft): 2,794,400 万元 of fees for one city bureau is 279.44 万元 printed in 元 -- warn, and publish as printed."""
    from opendata.pipeline import extract

    text = source("2023_putian_cg_1").read_text(encoding="utf-8").replace("\n279.44\n", "\n2794400\n", 1)
    report = extract(write(tmp_path, "2023_putian_cg_1.txt", text), manifest_row("2023_putian_cg_1"))
    s6 = {c.subject: c for c in report.checks if c.check_id == "S6"}
    fee = s6["proactive_disclosure.admin_fees.fee_amount_wan_yuan"]
    assert (fee.result, fee.actual) == ("warn", 2794400)
    original = extract(source("2023_putian_cg_1"), manifest_row("2023_putian_cg_1"))
    assert {c.result for c in original.checks if c.check_id == "S6"} == {"pass"}


def test_reworded_headers_leave_the_layout_untold_and_the_table_unread(tmp_path):
    """No measure label of either template is printed: table 二 is not read under an assumed (2019) layout."""
    cells = _with(tmp_path, "2024_sanming_1", ("本年制发件数", "今年发文"), ("本年废止件数", "今年废止"),
                  ("现行有效件数", "仍然有效"), ("本年收费金额（单位：万元）", "收费"))
    from opendata.pipeline import extract

    assert cells == {}
    report = extract(tmp_path / "2024_sanming_1.txt", manifest_row("2024_sanming_1"))
    assert any("table 二" in e and "layout cannot be told" in e for e in report.errors)
    assert report.table_cells("applications")["new_requests", "total"].value == gold("2024_sanming_1")[
        "applications"]["new_requests"]["total"]  # the other tables are still read


@pytest.mark.parametrize("report_id", ["2024_pingtan_html_1", "2023_shuyang_fgj_1", "2025_pingtan_html_1"])
def test_html_measures_in_another_order_read_by_their_labels(tmp_path, report_id):
    from permute import html_t2_permuted

    html = html_t2_permuted(source(report_id).read_text(encoding="utf-8"), "2021", 0,
                            ["in_force_count", "repealed_count", "issued_count"])
    permuted = scored(_extract(write(tmp_path, f"{report_id}.html", html), report_id), report_id)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact == scored(_extract(source(report_id), report_id), report_id).exact


def test_an_amount_printed_without_any_unit_is_read_in_wan_yuan_and_warned(tmp_path):
    """采购总金额 with no unit in its header or its cell: the template's unit (万元) is assumed, and S6 says so."""
    from opendata.pipeline import extract

    text = source("2019_sanming_1").read_text(encoding="utf-8").replace("481714587.29元", "48171.458729", 1)
    report = extract(write(tmp_path, "2019_sanming_1.txt", text), manifest_row("2019_sanming_1"))
    cell = report.table_cells("proactive_disclosure")[PROCUREMENT]
    assert (cell.status, cell.value) == ("reported", 48171.458729) and "no unit printed" in cell.note
    s6 = {c.subject: c.result for c in report.checks if c.check_id == "S6"}
    assert s6["proactive_disclosure.gov_central_procurement.procurement_total_amount_wan_yuan"] == "warn"


def test_a_row_label_missing_leaves_that_rows_cells_unreadable_and_the_rest_exact(tmp_path):
    """Found by the fuzz: a table 二 whose 行政许可 row label is gone (line 45 of 2024_sanming_1.txt) is read, that
    row's cells are unreadable ("row not found"), and no other value is wrong."""
    from gold_score import score

    lines = source("2024_sanming_1").read_text(encoding="utf-8").split("\n")
    assert lines[44] == "行政许可"
    path = tmp_path / "2024_sanming_1.txt"
    path.write_text("\n".join(lines[:44] + lines[45:]), encoding="utf-8")
    report = _extract(path, "2024_sanming_1")
    licensing = {m: c for (item, m), c in _t2(report).items() if item == "admin_licensing"}
    assert licensing and {c.status for c in licensing.values()} == {"unreadable"}
    assert {c.note for c in licensing.values()} == {"row not found"}
    s = score(report, gold("2024_sanming_1"))
    assert s.nothing_wrong, s.details
    assert s.exact >= s.compared - len(licensing) - 2  # the rest of the report still read


# -- table-wide unit captions ("单位：千元" under the section heading or a sub-table's caption) -------------------------
SEC2 = "二、主动公开政府信息情况\n"


def _cell(tmp_path, report_id, key, *edits):
    from opendata.pipeline import extract

    text = source(report_id).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    report = extract(write(tmp_path, f"{report_id}.txt", text), manifest_row(report_id))
    return report.table_cells("proactive_disclosure")[key], report


@pytest.mark.parametrize(("caption", "value"), [("单位：千元", 27.944), ("（单位：元）", 0.027944), ("金额单位：万元", 279.44)])
def test_a_caption_gives_the_unit_of_an_amount_whose_header_prints_none(tmp_path, caption, value):
    """2023_putian_cg_1 prints 279.44 under 本年收费金额（单位：万元）; the header's unit moved to a caption above the
    table: expected value = 279.44 times the caption unit's factor."""
    cell, report = _cell(tmp_path, "2023_putian_cg_1", FEE, (SEC2, SEC2 + caption + "\n"),
                         ("本年收费金额（单位：万元）", "本年收费金额"))
    assert (cell.status, cell.value) == ("reported", pytest.approx(value, rel=1e-12))
    assert cell.reading == ("printed" if value == 279.44 else "unit_converted")
    assert "no unit printed" not in cell.note
    assert report.table_cells("proactive_disclosure")["admin_licensing", "decisions_count"].value == 77  # counts: as is


def test_a_caption_contradicting_the_header_leaves_the_amount_unreadable(tmp_path):
    cell, report = _cell(tmp_path, "2023_putian_cg_1", FEE, (SEC2, SEC2 + "单位：千元\n"))
    assert cell.status == "unreadable" and cell.value is None
    assert "万元" in cell.note and "千元" in cell.note
    assert report.table_cells("proactive_disclosure")["admin_licensing", "decisions_count"].value == 77


def test_a_caption_in_the_sub_table_governs_its_amount(tmp_path):
    """2019_sanming_1: 采购总金额 printed "481714587.29" with no unit, 单位：元 under the sub-table's caption."""
    cell, _ = _cell(tmp_path, "2019_sanming_1", PROCUREMENT, ("481714587.29元", "481714587.29"),
                    ("第二十条第（九）项\n", "第二十条第（九）项\n金额单位：元\n"))
    assert (cell.status, cell.value) == ("reported", pytest.approx(48171.458729, rel=1e-12))
    assert cell.reading == "unit_converted"


@pytest.mark.parametrize(("caption", "status"), [("金额单位：元", "reported"), ("金额单位：万元", "unreadable")])
def test_a_cell_unit_must_agree_with_the_caption(tmp_path, caption, status):
    """The cell prints its own unit (481714587.29元): a caption in 元 agrees, one in 万元 contradicts it."""
    cell, _ = _cell(tmp_path, "2019_sanming_1", PROCUREMENT, (SEC2, SEC2 + caption + "\n"))
    assert cell.status == status
    if status == "reported":
        assert cell.value == pytest.approx(48171.458729, rel=1e-12)


def test_captions_printing_different_units_leave_the_amounts_unreadable(tmp_path):
    cell, _ = _cell(tmp_path, "2023_putian_cg_1", FEE, (SEC2, SEC2 + "单位：元\n"),
                    ("第二十条第（八）项\n", "第二十条第（八）项\n单位：千元\n"), ("本年收费金额（单位：万元）", "本年收费金额"))
    assert cell.status == "unreadable" and "different units" in cell.note


def test_the_s6_bounds_follow_their_stated_basis():
    """schemas/template.yaml `amounts.plausible_max`: each bound is ten times the largest known value rounded up to a
    power of ten, and no hand-checked gold value (bundled and corpus) exceeds the largest known value stated."""
    import json
    import math

    from conftest import CORPUS

    from opendata.spec.template import TEMPLATE

    bounds = TEMPLATE.spec["amounts"]["plausible_max"]
    for name, bound in bounds.items():
        assert bound["max"] == 10 ** math.ceil(math.log10(10 * bound["largest"])), name
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in [*GOLD.glob("*.json"), *CORPUS.glob("*/gold.json")]]
    seen = {name: [] for name in bounds}
    for g in golds:
        t2 = g.get("proactive_disclosure", {})
        seen["fee_amount_wan_yuan"].append(t2.get("admin_fees", {}).get("fee_amount_wan_yuan"))
        procurement = t2.get("gov_central_procurement", {})
        total, projects = procurement.get("procurement_total_amount_wan_yuan"), procurement.get(
            "procurement_project_count")
        seen["procurement_total_amount_wan_yuan"].append(total)
        seen["procurement_per_project"].append(total / projects if total is not None and projects else None)
    for name, values in seen.items():
        known = [v for v in values if v is not None]
        assert known and max(known) <= bounds[name]["largest"] + 1e-3, (name, max(known))
