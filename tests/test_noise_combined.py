"""Property test: every perturbation real layouts show, drawn together in one copy of a bundled report.

Hypothesis draws a bundled one-cell-per-line text report and, in one copy: the three tables' columns printed in
other orders (header and values together, tests/permute.py), page breaks with their furniture in every common form,
a narrative sentence or a note between cells of any table, a note under table 二, the amount's unit moved to a
caption above the table in another unit (the number printed in that unit), minus signs printed as −, －, — or a
word, thousands separators, full-width digits. No parentheses anywhere (the stream drops parenthesised notes).

Expected values are gold's (permuted rows printed from gold where the source did not print seven lines). Each copy
must publish nothing wrong, and at least 98 % of the cells the same copy with the template's column order and no
noise publishes exactly -- except with a running title alone (no page number) after small values, where a bare
number before the title may be a page number (those rows may be flagged; still 0 wrong).

Every bundled HTML report gets the same in its own form: permuted header and value cells, furniture, sentences or
notes in rows of their own between value rows (where no cell of an earlier row spans them), a unit caption before
table 二, thousands separators and full-width digits in the text; expected: gold, nothing wrong, 98 % of what the
original page publishes exactly. (Text reports not printed one cell per line cannot be permuted by tests/permute.py:
tests/test_noise_properties.py draws their noise.)

The default run draws 40 copies of each; OPENDATA_COMBINED_EXAMPLES=N draws N (2000: a few minutes).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import gold, manifest_row, source
from permute import (T3_COLUMNS, T4_KEYS, T4_OUTCOMES, TEMPLATE, scored, t4_printed, text_t2_permuted,
                     text_t3_permuted, text_t4_permuted, unit_captioned)
from test_noise import exact, wrong
from test_noise_properties import FLOOR, FLOORS, STYLES, _furniture, number_forms
from test_robustness import _unsettled, fullwidth_digits

# Every bundled one-cell-per-line text report the permutations can rewrite (tests/permute.py).
REPORTS = ["2019_sanming_1", "2020_sanming_1", "2021_sanming_1", "2024_sanming_1", "2025_sanming_1", "2019_putian_2",
           "2020_putian_tjj_1", "2023_putian_cg_1", "2023_putian_slj_1", "2023_putian_yjglj_1", "2024_putian_sjj_1"]
LIT = ["litigation_direct", "litigation_after_review"]
_VALUE_LINE = re.compile(r"\s*[-+]?\d[\d,]*(?:\.\d+)?\s*(?:万元|元)?\s*")
EXAMPLES = int(os.environ.get("OPENDATA_COMBINED_EXAMPLES", "40"))
# Both combined tests: a fixed sample in the default run, random draws when more examples are asked for.
COMBINED = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 40,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _extract(text: str, report_id: str):
    from opendata.pipeline import extract

    path = Path(tempfile.mkdtemp()) / f"{report_id}.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path, manifest_row(report_id))


def _permuted(report_id: str, t3, t4, t2) -> str:
    g = gold(report_id)
    text = source(report_id).read_text(encoding="utf-8").replace("\r\n", "\n")
    text = text_t3_permuted(text, t3, g["applications"])
    text = text_t4_permuted(text, t4, g["review_litigation"])
    return text_t2_permuted(text, g["report"]["template"], 0, t2, g["proactive_disclosure"])


def _value_lines(text: str, report) -> list[int]:
    """Lines that are one value inside the tables, not inside a number the copy itself breaks over lines (a page
    break there is no longer whitespace, and the two are rightly never joined)."""
    refs = [c.source_ref for c in report.cells if c.source_ref]
    lines_of = [int(m.group(1)) - 1 for r in refs if (m := re.fullmatch(r"L(\d+)", r))]
    if not lines_of:
        return []
    broken = {int(ref[1:]) - 1 for c in report.cells if c.reading == "joined"
              for ref in c.source_ref.split("+")[:-1] if re.fullmatch(r"L\d+", ref)}
    lines = text.split("\n")
    return [i for i in range(min(lines_of), max(lines_of)) if _VALUE_LINE.fullmatch(lines[i]) and i not in broken]


@st.composite
def combined_copies(draw):
    report_id = draw(st.sampled_from(REPORTS))
    layout = gold(report_id)["report"]["template"]
    measures = TEMPLATE.proactive_layout(layout)[0]["measures"]
    outcomes = draw(st.permutations(T4_OUTCOMES))
    t4 = t4_printed(outcomes, draw(st.permutations(LIT)), {b: draw(st.permutations(T4_OUTCOMES)) for b in LIT})
    orders = (draw(st.permutations(T3_COLUMNS)), t4, draw(st.permutations(measures)))
    text = _permuted(report_id, *orders)
    changes = [f"orders {orders}"]
    clean = _extract(text, report_id)
    lines = text.split("\n")
    style = draw(st.sampled_from(STYLES))
    candidates = _value_lines(text, clean)
    inserts: dict[int, list[str]] = {}
    title = f"{gold(report_id)['report'].get('year', 2023)}年政府信息公开工作年度报告"
    if candidates:
        at = sorted(draw(st.sets(st.sampled_from(candidates), min_size=1, max_size=4)))
        first = draw(st.integers(2, 8))
        for k, i in enumerate(at):
            inserts[i] = _furniture(style, first + k, title)
        changes.append(f"{style} after lines {[i + 1 for i in at]}")
    text = "\n".join(out for i, line in enumerate(lines) for out in [line, *inserts.get(i, [])])
    if draw(st.booleans()):
        unit = draw(st.sampled_from(sorted(TEMPLATE.spec["amounts"]["factors"])))
        captioned = unit_captioned(text, gold(report_id), unit)
        if captioned is not None:
            text = captioned
            changes.append(f"caption 单位：{unit}")
    text = number_forms(draw, text, report_id, changes)
    return report_id, orders, "; ".join(changes), text, FLOORS.get(style, FLOOR)


@pytest.mark.slow
@COMBINED
@given(copy=combined_copies())
def test_every_perturbation_at_once_publishes_nothing_wrong_and_most_cells_exactly(copy):
    report_id, orders, changes, text, floor = copy
    layout = gold(report_id)["report"]["template"]
    measures = TEMPLATE.proactive_layout(layout)[0]["measures"]
    as_template = scored(_extract(_permuted(report_id, T3_COLUMNS, T4_KEYS, measures), report_id), report_id,
                         rewritten=True)
    result = scored(_extract(text, report_id), report_id, rewritten=True)
    assert result.nothing_wrong, f"{report_id}: {changes}: {result.details}"
    assert result.exact >= floor * as_template.exact, (
        f"{report_id}: {changes}: {result.exact} of {as_template.exact} exact")


# -- HTML: the same perturbations drawn together in every bundled HTML report ----------------------------------------
HTML_REPORTS = sorted(p.stem for p in (source("seed_luzhou_2020").parent).glob("*.html"))
_HTML_VALUE_ROW = re.compile(r"<tr\b(?:(?!</tr>).)*?</tr>", re.S | re.I)


def _html_permuted(report_id: str, children, swap_tops: bool, t4, t2) -> str:
    from permute import html_t2_permuted, html_t3_permuted, html_t4_permuted

    page = source(report_id).read_text(encoding="utf-8")
    page = html_t3_permuted(page, children, swap_tops)
    page = html_t4_permuted(page, t4)
    return html_t2_permuted(page, gold(report_id)["report"]["template"], 0, t2)


_ROWSPAN = re.compile(r"""rowspan\s*=\s*["']?(\d+)""", re.I)


def _html_value_rows(page: str) -> list[re.Match]:
    """Table rows whose last cell is a number (the value rows of tables 二, 三 and 四) and after which no cell of an
    earlier row still spans: a row inserted there leaves the table's grid as it was."""
    from test_robustness import _INNER_CELL, _cell_text, _is_number

    rows, spanning, last = [], 0, 0
    for m in _HTML_VALUE_ROW.finditer(page):
        if "<table" in page[last:m.start()]:
            spanning = 0
        last = m.end()
        spanning = max([spanning - 1, 0] + [int(k) - 1 for k in _ROWSPAN.findall(m.group(0))])
        cells = [_cell_text(c.group(3)) for c in _INNER_CELL.finditer(m.group(0))]
        if not spanning and len(cells) >= 2 and _is_number(cells[-1]) and any(
                re.search(r"[\u4e00-\u9fff]", c) for c in cells):
            rows.append(m)
    return rows


def _html_captioned(page: str, report_id: str, unit: str) -> str | None:
    """The amount's header unit dropped and the unit printed as a caption above table 二, the amount (a cell printed
    once) written in that unit: gold's value divided by the unit's factor (schemas/template.yaml)."""
    from decimal import Decimal

    from permute import AMOUNT
    from test_robustness import _INNER_CELL, _cell_text

    g = gold(report_id)
    row, column = AMOUNT[g["report"]["template"]]
    value = g["proactive_disclosure"].get(row, {}).get(column)
    if not value:
        return None
    want = Decimal(str(value))
    hits = [c for c in _INNER_CELL.finditer(page) if re.fullmatch(r"\d+(?:\.\d+)?", _cell_text(c.group(3)))
            and Decimal(_cell_text(c.group(3))) == want]
    start = page.find("第二十条")
    table = page.rfind("<table", 0, start)
    if len(hits) != 1 or start < 0 or table < 0:
        return None
    factor = Decimal(str(TEMPLATE.spec["amounts"]["factors"][unit]))
    cell = hits[0]
    printed = cell.group(0).replace(_cell_text(cell.group(3)), format((want / factor).normalize(), "f"))
    page = page[:cell.start()] + printed + page[cell.end():]
    page = page[:table] + f"<p>单位：{unit}</p>" + page[table:]
    return page.replace("（单位：万元）", "").replace("(单位：万元)", "")


@st.composite
def combined_html_copies(draw):
    from test_robustness import html_text, html_thousands_separators

    report_id = draw(st.sampled_from(HTML_REPORTS))
    layout = gold(report_id)["report"]["template"]
    outcomes = draw(st.permutations(T4_OUTCOMES))
    t4 = t4_printed(outcomes, draw(st.permutations(LIT)), {b: draw(st.permutations(T4_OUTCOMES)) for b in LIT})
    orders = (draw(st.permutations(T3_COLUMNS[1:6])), draw(st.booleans()), t4,
              draw(st.permutations(TEMPLATE.proactive_layout(layout)[0]["measures"])))
    page = _html_permuted(report_id, *orders)
    changes = [f"orders {orders}"]
    style = draw(st.sampled_from(STYLES))
    rows = _html_value_rows(page)
    at = sorted(draw(st.sets(st.sampled_from(range(len(rows))), min_size=1, max_size=3)), reverse=True)
    title = f"{gold(report_id)['report'].get('year', 2023)}年政府信息公开工作年度报告"
    for k, i in enumerate(at):  # a row of furniture or words between two value rows, as a converted page prints it
        page_number = 2 + len(at) - 1 - k  # inserted from the last: pages count up in the document's order
        cells = "".join(f"<tr><td colspan=\"9\">{line}</td></tr>" for line in _furniture(style, page_number, title))
        page = page[:rows[i].end()] + cells + page[rows[i].end():]
    changes.append(f"{style} after value rows {at}")
    if draw(st.booleans()):
        unit = draw(st.sampled_from(sorted(TEMPLATE.spec["amounts"]["factors"])))
        captioned = _html_captioned(page, report_id, unit)
        if captioned is not None:
            page = captioned
            changes.append(f"caption 单位：{unit}")
    if draw(st.booleans()):
        page = html_thousands_separators(page, _unsettled(report_id))
        changes.append("thousands separators")
    if draw(st.booleans()):
        page = html_text(fullwidth_digits)(page)
        changes.append("full-width digits")
    return report_id, orders, "; ".join(changes), page, FLOORS.get(style, FLOOR)


def _extract_html(page: str, report_id: str):
    from opendata.pipeline import extract

    path = Path(tempfile.mkdtemp()) / f"{report_id}.html"
    path.write_text(page, encoding="utf-8")
    return extract(path, manifest_row(report_id))


@pytest.mark.slow
@COMBINED
@given(copy=combined_html_copies())
def test_every_perturbation_at_once_in_html_publishes_nothing_wrong_and_most_cells_exactly(copy):
    report_id, orders, changes, page, floor = copy
    original = exact(_extract_html(source(report_id).read_text(encoding="utf-8"), report_id), report_id)[0]
    report = _extract_html(page, report_id)
    assert wrong(report, report_id) == [], f"{report_id}: {changes}"
    hits = exact(report, report_id)[0]
    assert hits >= floor * original, f"{report_id}: {changes}: {hits} of {original} exact"
