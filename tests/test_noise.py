"""Noise in a table, signs and dashes, and how each value was read (issue 9 items 2, 4, 7).

Bundled reports are edited the way real ones are laid out -- a page break with its furniture inside a table, a note
under a table, a sentence under a heading, a minus sign printed as −, －, — or a word -- with NO parentheses (the
stream drops parenthesised notes, so such tests would prove nothing). Expected values are the gold's; a cell that
cannot be read with confidence must be flagged, never published with another value.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from conftest import gold, manifest_row, source

SEED = "seed_luzhou_2020"
TITLE = "2020年泸州市政府信息公开工作年度报告"
T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"


def read_edited(report_id: str, edit) -> object:
    """The report extracted from a copy of its source with `edit(text)` applied."""
    from opendata.pipeline import extract

    path = source(report_id)
    text = edit(path.read_bytes().decode("utf-8"))
    assert text != path.read_bytes().decode("utf-8"), "the edit changed nothing"
    folder = Path(tempfile.mkdtemp())
    (folder / path.name).write_text(text, encoding="utf-8")
    return extract(folder / path.name, manifest_row(report_id))


def wrong(report, report_id: str) -> list[str]:
    """Values published that differ from gold (or where gold has none, or lists the cell as ambiguous)."""
    expected = gold(report_id)
    ambiguous = set(expected.get("ambiguous", []))
    out = []
    for c in report.cells:
        if c.value is None:
            continue
        want = expected.get(c.table, {}).get(c.row, {}).get(c.column)
        if c.key in ambiguous or want is None or abs(float(c.value) - float(want)) > 1e-6:
            out.append(f"{c.key}: {c.value} (gold {want}{', ambiguous' if c.key in ambiguous else ''})")
    return out


def exact(report, report_id: str) -> tuple[int, int]:
    """(cells published exactly as gold, cells gold settles)."""
    expected = gold(report_id)
    unsettled = set(expected.get("ambiguous", [])) | set(expected.get("unsettled_by_tables", []))
    cells = {c.key: c for c in report.cells}
    settled = [(f"{t}.{r}.{col}", v) for t in (T2, T3, T4) for r, cols in expected.get(t, {}).items()
               for col, v in cols.items() if v is not None and f"{t}.{r}.{col}" not in unsettled]
    hits = sum(1 for k, v in settled if k in cells and cells[k].value is not None and abs(cells[k].value - v) < 1e-6)
    return hits, len(settled)


def row_values(report, table: str, row: str) -> list:
    return [c.value if c.status == "reported" else c.status for c in report.cells if (c.table, c.row) == (table, row)]


def gold_row(report_id: str, table: str, row: str) -> list:
    return list(gold(report_id)[table][row].values())


# -- page furniture and running headers inside a table ---------------------------------------------------------------
# Seed table 二 prints 行政许可 as "342" / "-51" / "1234592", one cell per line; a page breaks after "342".
PAGE_BREAKS = {
    "dash_page_number_and_title": f"- 3 -\n{TITLE}",
    "page_of_pages": "第3页 共12页",
    "page_of_pages_spaced": f"第 3 页 / 共 12 页\n{TITLE}",
    "slash_page_number": f"3/12\n{TITLE}",
    "title_only": TITLE,
    "date_line": "2021-01-15",
    "agency_footer_and_date": "泸州市人民政府办公室\n2021年1月15日",
}


@pytest.mark.parametrize("furniture", PAGE_BREAKS.values(), ids=PAGE_BREAKS.keys())
def test_page_break_inside_table_two_row_reads_exactly(furniture):
    report = read_edited(SEED, lambda t: t.replace("342\n", f"342\n{furniture}\n", 1))
    assert row_values(report, T2, "admin_licensing") == [342, -51, 1234592]
    assert wrong(report, SEED) == []
    assert exact(report, SEED) == exact(read_edited(SEED, lambda t: t + "\n"), SEED)


def test_bare_page_numbers_counting_pages_before_running_headers_are_dropped():
    # Two page breaks, each a bare page number then the running header: the numbers count pages (3, 4).
    def edit(text: str) -> str:
        text = text.replace("342\n", f"342\n3\n{TITLE}\n", 1)
        return text.replace("\n4359\n", f"\n4359\n4\n{TITLE}\n", 1)

    report = read_edited(SEED, edit)
    assert row_values(report, T2, "admin_licensing") == [342, -51, 1234592]
    assert row_values(report, T2, "admin_penalty") == gold_row(SEED, T2, "admin_penalty")
    assert wrong(report, SEED) == []


def test_a_lone_bare_number_before_a_header_is_not_taken_for_a_page_number():
    # One bare "3" then the title: a page number, or a value? Nothing counts pages here, so the row (table 二, no
    # identity) has a surplus piece: any one of its lines may be the stray one. 上一年项目数量 and 本年增/减 are
    # ambiguous, the true values among their readings; 处理决定数量 is 1234592 in every reading (leaving it out
    # would put -51 in it, and a count has no sign).
    report = read_edited(SEED, lambda t: t.replace("342\n", f"342\n3\n{TITLE}\n", 1))
    cells = [c for c in report.cells if (c.table, c.row) == (T2, "admin_licensing")]
    assert [c.status for c in cells] == ["ambiguous", "ambiguous", "reported"]
    assert 342 in cells[0].candidates and -51 in cells[1].candidates and cells[2].value == 1234592
    assert wrong(report, SEED) == []


def test_running_header_between_table_three_cells_is_not_glued_onto_a_value():
    # 2024 三明 one cell per line: the title with its year falls between two cells of 新收 (issue 9: 506852 ->
    # 5068522023). The year never joins a value; the row reads exactly.
    rid = "2024_sanming_1"
    lines = source(rid).read_text(encoding="utf-8").split("\n")
    report = read_edited(rid, lambda t: _after_first_value_of(t, rid, "new_requests", "2024年三明市政府信息公开工作年度报告"))
    assert row_values(report, T3, "new_requests") == gold_row(rid, T3, "new_requests")
    assert wrong(report, rid) == [] and len(lines) > 100


def _after_first_value_of(text: str, report_id: str, row: str, insert: str) -> str:
    """`insert` as a line after the line of the first table-三 cell of `row` (found from the original reading)."""
    from opendata.pipeline import extract

    original = extract(source(report_id), manifest_row(report_id))
    ref = next(c.source_ref for c in original.cells if (c.table, c.row) == (T3, row))
    n = int(ref.split(":")[0].lstrip("L"))
    lines = text.split("\n")
    return "\n".join(lines[:n] + insert.split("\n") + lines[n:])


# -- notes and sentences -----------------------------------------------------------------------------------------------
def test_note_under_table_two_gives_no_values():
    # 注 with digits, and its continuation line, between table 二's last row and section 三 (seed: 政府集中采购).
    note = "注：本年度依申请办理事项含网上办理12件，\n其中2020年结转3件。"
    report = read_edited(SEED, lambda t: t.replace("\n26769萬元\n", f"\n26769萬元\n{note}\n", 1))
    assert row_values(report, T2, "gov_central_procurement") == gold_row(SEED, T2, "gov_central_procurement")
    assert wrong(report, SEED) == []


def test_sentence_under_table_three_heading_gives_no_values():
    # A sentence with a year and a count under the table-三 heading (issue 9: partially_granted 0 -> 2023).
    rid = "2024_sanming_1"
    sentence = "2024年本机关共收到政府信息公开申请12件，均已按时答复。"
    report = read_edited(rid, lambda t: _after_first_value_of(t, rid, "new_requests", sentence))
    assert [row_values(report, T3, r) for r in gold(rid)[T3]] == [gold_row(rid, T3, r) for r in gold(rid)[T3]]


# -- signs and dashes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("printed, reading", [
    ("−51", "printed"), ("－51", "printed"), ("—51", "printed"), ("–51", "printed"), ("减少51", "sign_word"),
    ("減51", "sign_word"),
])
def test_every_minus_form_is_a_sign_in_the_change_column(printed, reading):
    report = read_edited(SEED, lambda t: t.replace("\n-51\n", f"\n{printed}\n", 1))
    cell = report.table_cells(T2)[("admin_licensing", "item_change")]
    assert (cell.status, cell.value, cell.reading) == ("reported", -51, reading)
    assert wrong(report, SEED) == []


@pytest.mark.parametrize("printed", ["+6", "增加6", "增6"])
def test_plus_forms_are_a_sign_in_the_change_column(printed):
    report = read_edited(SEED, lambda t: t.replace("\n-51\n", f"\n{printed}\n", 1))
    cell = report.table_cells(T2)[("admin_licensing", "item_change")]
    assert (cell.status, cell.value) == ("reported", 6)


@pytest.mark.parametrize("printed", ["−3", "—3", "减少3"])
def test_a_sign_where_the_measure_has_none_is_unreadable(printed):
    # Seed table 二 本年新制作数量 of 规范性文件 (12) printed with a minus: a count has no sign.
    report = read_edited(SEED, lambda t: t.replace("規範性檔案\n12\n", f"規範性檔案\n{printed}\n", 1))
    cell = report.table_cells(T2)[("normative_docs", "newly_made_count")]
    assert cell.status == "unreadable" and "has a sign" in cell.note


def test_dash_between_digits_never_joins_them():
    # "1234592" printed "1234—592": two numbers (the second maybe signed), never 1234592 -- the row has four pieces
    # of which none may be joined across the dash, so 处理决定数量 is not read as 1234592.
    report = read_edited(SEED, lambda t: t.replace("\n1234592\n", "\n1234—592\n", 1))
    cells = {c.column: c for c in report.cells if (c.table, c.row) == (T2, "admin_licensing")}
    assert cells["decisions_count"].value != 1234592
    assert cells["decisions_count"].status in ("ambiguous", "unreadable")
    assert wrong(report, SEED) == []


# -- how each value was read -----------------------------------------------------------------------------------------
def test_values_split_from_run_together_digits_say_so_and_their_checks_are_used_to_read():
    from opendata.pipeline import extract

    rid = "2024_pingtan_1"  # "一、本年新收政府信息公开申请数量21710000218": 217 1 0 0 0 0 218, cut by H3
    report = extract(source(rid), manifest_row(rid))
    new = [c for c in report.cells if (c.table, c.row) == (T3, "new_requests")]
    assert [c.value for c in new] == gold_row(rid, T3, "new_requests")
    assert {c.reading for c in new} == {"split"}
    results = {(k.check_id, k.subject): k.result for k in report.checks}
    assert results["H3", "applications.new_requests"] == "used_to_read"
    assert "pass" not in {r for (check, _), r in results.items() if check == "H3"}  # every row of it was cut


def test_plainly_printed_report_has_printed_readings_and_passing_checks(seed_report):
    assert {c.reading for c in seed_report.cells if c.status == "reported"} == {"printed"}
    assert {k.result for k in seed_report.checks if k.check_id in ("H1", "H2", "H3", "H4")} == {"pass"}


def test_amount_printed_in_yuan_is_converted_and_says_so():
    from opendata.pipeline import extract

    rid = "2019_sanming_1"  # 政府集中采购 采购总金额 printed "481714587.29元": 48171.458729 万元
    cell = extract(source(rid), manifest_row(rid)).table_cells(T2)[
        ("gov_central_procurement", "procurement_total_amount_wan_yuan")]
    want = gold(rid)[T2]["gov_central_procurement"]["procurement_total_amount_wan_yuan"]
    assert (cell.status, cell.reading) == ("reported", "unit_converted") and cell.value == pytest.approx(want)


def test_published_reading_and_validate_agree_on_used_to_read(tmp_path):
    from opendata.pipeline import extract
    from opendata.publish.validate import validate_package
    from opendata.publish.writers import publish

    reports = [extract(source(r), manifest_row(r)) for r in ("2024_pingtan_1", "2023_putian_cg_1")]
    package = publish(reports, tmp_path / "pkg")
    result = validate_package(package)
    assert result.valid, (result.frictionless_errors, result.mismatches[:3])
    recomputed = {c.result for _, c in result.identity_results}
    assert "used_to_read" in recomputed and result.mismatches == []


def test_reading_list_is_one_list_for_the_code_and_the_schemas():
    from opendata.solve import rules
    from opendata.spec.schemas import enum_values, table_schema

    codes = enum_values("readings")
    used = {rules.PRINTED, rules.JOINED, rules.SPLIT, rules.RUN_EXPANDED, rules.PADDED, rules.PLACED,
            rules.UNIT_CONVERTED, rules.SIGN_WORD}
    assert used == set(codes)
    for resource in (T2, T3, T4):
        field = next(f for f in table_schema(resource)["fields"] if f["name"] == "reading")
        assert field["constraints"]["enum"] == codes
    assert "used_to_read" in next(f for f in table_schema("checks")["fields"] if f["name"] == "result")[
        "constraints"]["enum"]
