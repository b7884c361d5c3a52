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

The default run draws 40 copies; OPENDATA_COMBINED_EXAMPLES=N draws N (a long run: 2000 examples, ~2 minutes).
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
from test_noise_properties import FLOOR, MINUS_FORMS, _furniture
from test_robustness import _unsettled, fullwidth_digits, thousands_separators

# Every bundled one-cell-per-line text report the permutations can rewrite (tests/permute.py).
REPORTS = ["2019_sanming_1", "2020_sanming_1", "2021_sanming_1", "2024_sanming_1", "2025_sanming_1", "2019_putian_2",
           "2020_putian_tjj_1", "2023_putian_cg_1", "2023_putian_slj_1", "2023_putian_yjglj_1", "2024_putian_sjj_1"]
LIT = ["litigation_direct", "litigation_after_review"]
STYLES = ["dash", "page_of_pages", "slash", "bare", "title", "date", "sentence", "note"]
_VALUE_LINE = re.compile(r"\s*[-+]?\d[\d,]*(?:\.\d+)?\s*(?:万元|元)?\s*")
_MINUS_LINE = re.compile(r"^(\s*)-(?=\d)", re.M)
EXAMPLES = int(os.environ.get("OPENDATA_COMBINED_EXAMPLES", "40"))


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
    minus = draw(st.sampled_from(["-", *MINUS_FORMS]))
    text = _MINUS_LINE.sub(lambda m: m.group(1) + minus, text)
    changes.append(f"minus {minus!r}")
    if draw(st.booleans()):
        text = thousands_separators(text, _unsettled(report_id))
        changes.append("thousands separators")
    if draw(st.booleans()):
        text = fullwidth_digits(text)
        changes.append("full-width digits")
    return report_id, orders, "; ".join(changes), text, style != "title"


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 40,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(copy=combined_copies())
def test_every_perturbation_at_once_publishes_nothing_wrong_and_most_cells_exactly(copy):
    report_id, orders, changes, text, floor = copy
    layout = gold(report_id)["report"]["template"]
    measures = TEMPLATE.proactive_layout(layout)[0]["measures"]
    as_template = scored(_extract(_permuted(report_id, T3_COLUMNS, T4_KEYS, measures), report_id), report_id,
                         rewritten=True)
    result = scored(_extract(text, report_id), report_id, rewritten=True)
    assert result.nothing_wrong, f"{report_id}: {changes}: {result.details}"
    assert not floor or result.exact >= FLOOR * as_template.exact, (
        f"{report_id}: {changes}: {result.exact} of {as_template.exact} exact")
