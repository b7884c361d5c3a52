"""Table 二 (extract/proactive.py): values go to the measures the header prints, in its order."""

from __future__ import annotations

import pytest

from conftest import gold, manifest_row, source
from permute import text_t2_permuted, write


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
    expected = gold(report_id)["proactive_disclosure"]
    text = text_t2_permuted(source(report_id).read_text(encoding="utf-8"), layout, sub, printed, expected)
    cells = _t2(_extract(write(tmp_path, f"{report_id}.txt", text), report_id))
    compared = [(item, m, v) for item, ms in expected.items() for m, v in ms.items() if v is not None]
    wrong = [(i, m, cells[i, m].value, v) for i, m, v in compared
             if cells[i, m].status == "reported" and cells[i, m].value != v]
    exact = [1 for i, m, v in compared if cells[i, m].status == "reported" and cells[i, m].value == v]
    assert wrong == []
    assert len(exact) == len(compared)


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
