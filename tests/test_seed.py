"""The founding report (Luzhou 2020, traditional script, one cell per line) against its hand-checked values."""

from __future__ import annotations

import pytest

from conftest import SEED, assert_gold, gold



def test_every_cell_matches_gold(seed_report):
    s = assert_gold(seed_report, "seed_luzhou_2020")
    assert s.exact == 22 + 161 + 15 == len(seed_report.cells)  # tables 二, 三, 四: every cell printed


def test_cells_keep_raw_text_and_line(seed_report):
    cells = {c.key: c for c in seed_report.cells}
    amount = cells["proactive_disclosure.gov_central_procurement.procurement_total_amount_wan_yuan"]
    assert amount.raw == "26769萬元"  # raw kept in the source's script
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for cell in seed_report.cells:
        line = int(cell.source_ref.removeprefix("L"))
        assert lines[line - 1].strip() == cell.raw


def test_metadata_detected_from_text(seed_report):
    m = seed_report.meta
    assert (m.year, m.region_name, m.region_code, m.scope) == (2020, "四川省泸州市", "510500", "jurisdiction")
    assert m.agency == "泸州市人民政府"
    assert seed_report.template == "2019"
    assert seed_report.layouts == {"proactive_disclosure": "2019", "applications": "2019"}
    assert seed_report.script == "traditional"


def test_identities_pass_and_twin_table_agrees(seed_report):
    results = {(c.check_id, c.subject): c.result for c in seed_report.checks}
    assert sum(1 for (k, _) in results if k == "H1") == 7
    assert sum(1 for (k, _) in results if k == "H2") == 7
    assert sum(1 for (k, _) in results if k == "H3") == 23
    assert sum(1 for (k, _) in results if k == "H4") == 3
    assert set(results.values()) == {"pass"}
    assert results[("T4_TWIN", "review_litigation.copy2")] == "pass"


def _copy_with(tmp_path, old: str, new: str, occurrence: int = 1):
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        if line == old:
            seen += 1
            if seen == occurrence:
                lines[i] = new
                break
    else:
        raise AssertionError(f"{old!r} not found")
    path = tmp_path / "luzhou_changed.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_one_changed_number_fails_the_matching_identities(tmp_path):
    from opendata.pipeline import extract

    # 113 is 予以公开 / 自然人 (the first line that is exactly "113"); change it to 114.
    report = extract(_copy_with(tmp_path, "113", "114"))
    failed = {(c.check_id, c.subject) for c in report.checks if c.result == "fail"}
    assert failed == {("H3", "applications.granted"), ("H2", "applications.natural_person")}
    h3 = next(c for c in report.checks if (c.check_id, c.subject) == ("H3", "applications.granted"))
    assert (h3.actual, h3.expected) == (126, 127)  # total as printed vs the sum of the printed applicant cells


@pytest.mark.parametrize("old, new, column, why", [
    # 352 is 本年新收 / 自然人 (line 102), 21 is 本年新收 / 商业企业 (line 103): both counts, never fractions or signed.
    ("352", "352.5", "natural_person", "'352.5' is not a whole count"),
    ("21", "-21", "commercial_enterprise", "'-21' has a sign"),
])
def test_a_number_outside_its_cells_domain_is_unreadable(tmp_path, old, new, column, why):
    from opendata.pipeline import extract

    report = extract(_copy_with(tmp_path, old, new))
    cell = next(c for c in report.cells if c.key == f"applications.new_requests.{column}")
    assert (cell.status, cell.value, cell.raw) == ("unreadable", None, new)
    assert why in cell.note
    # Only the identities with that cell as a term cannot be assessed; the rest hold, every other cell as before.
    results = {(c.check_id, c.subject): c.result for c in report.checks if c.check_id in ("H1", "H2", "H3", "H4")}
    assert {k for k, r in results.items() if r != "pass"} == {
        ("H3", "applications.new_requests"), ("H1", f"applications.{column}")}
    assert {results[("H3", "applications.new_requests")], results[("H1", f"applications.{column}")]} == {
        "not_assessable"}
    expected = gold("seed_luzhou_2020")
    others = [c for c in report.cells if c is not cell]
    assert all(c.status == "reported" and c.value == expected[c.table][c.row][c.column] for c in others)


def test_twin_table_mismatch_is_a_failed_check(tmp_path):
    from opendata.pipeline import extract

    # The second copy of table 四: change its first value (行政复议 结果维持, 9) to 8.
    text = SEED.read_text(encoding="utf-8")
    second = text.index("四、政府信息公開行政複議", text.index("四、政府信息公開行政複議") + 1)
    at = text.index("\n9\n", second)
    path = tmp_path / "luzhou_twin.txt"
    path.write_text(text[:at] + "\n8\n" + text[at + 3:], encoding="utf-8")
    report = extract(path)
    twin = next(c for c in report.checks if c.check_id == "T4_TWIN")
    assert twin.result == "fail" and (twin.expected, twin.actual) == (9, 8)
    # The published copy is the first; its identities still hold.
    assert all(c.result == "pass" for c in report.checks if c.check_id == "H4")


def test_table_cut_off_names_file_and_table(tmp_path):
    from opendata.pipeline import extract

    text = SEED.read_text(encoding="utf-8")
    cut = text[: text.index("四、政府信息公開行政複議")]
    path = tmp_path / "luzhou_cut.txt"
    path.write_text(cut, encoding="utf-8")
    report = extract(path)
    assert any(str(path) in e and "table 四" in e and "not found" in e for e in report.errors)
    assert not [c for c in report.cells if c.table == "review_litigation"]
    assert any(c.check_id == "TABLE" and c.result == "fail" for c in report.checks)


def test_missing_row_is_reported_not_dropped(tmp_path):
    from opendata.pipeline import extract

    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / "luzhou_norow.txt"
    path.write_text(text.replace("(七)總計\n", "", 1), encoding="utf-8")
    report = extract(path)
    assert any("（七）总计" in e and "table 三" in e and str(path) in e for e in report.errors)
    total = [c for c in report.cells if c.row == "result_total"]
    assert len(total) == 7 and {c.status for c in total} == {"unreadable"}
