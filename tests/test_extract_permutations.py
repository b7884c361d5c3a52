"""All three tables' columns printed in other orders at once (header and values together), in text copies of bundled
reports: no published value differs from gold, and as much is read exactly as with the template's order."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import gold, manifest_row, source
from permute import (T3_COLUMNS, T4_KEYS, T4_OUTCOMES, TEMPLATE, scored, t4_printed, text_t2_permuted,
                     text_t3_permuted, text_t4_permuted, write)

REPORTS = ["2019_sanming_1", "2020_sanming_1", "2021_sanming_1", "2024_sanming_1", "2025_sanming_1", "2019_putian_2",
           "2020_putian_tjj_1", "2023_putian_cg_1", "2023_putian_slj_1", "2023_putian_yjglj_1", "2024_putian_sjj_1"]
LIT = ["litigation_direct", "litigation_after_review"]


@st.composite
def orders(draw):
    report_id = draw(st.sampled_from(REPORTS))
    measures = TEMPLATE.proactive_layout(gold(report_id)["report"]["template"])[0]["measures"]
    if draw(st.booleans()):  # 行政诉讼 printed left of 行政复议, every block's outcomes alike (else unreadable)
        outcomes = draw(st.permutations(T4_OUTCOMES))
        t4 = t4_printed(outcomes, draw(st.permutations(LIT)), {b: outcomes for b in LIT})
        t4 = t4[5:] + t4[:5]
    else:
        t4 = t4_printed(draw(st.permutations(T4_OUTCOMES)), draw(st.permutations(LIT)),
                        {b: draw(st.permutations(T4_OUTCOMES)) for b in LIT})
    return report_id, draw(st.permutations(T3_COLUMNS)), t4, draw(st.permutations(measures))


def _printed(tmp_path, name, report_id, t3, t4, t2):
    g = gold(report_id)
    text = source(report_id).read_text(encoding="utf-8")
    text = text_t3_permuted(text, t3, g["applications"])
    text = text_t4_permuted(text, t4, g["review_litigation"])
    text = text_t2_permuted(text, g["report"]["template"], 0, t2, g["proactive_disclosure"])
    from opendata.pipeline import extract

    return extract(write(tmp_path, f"{name}.txt", text), manifest_row(report_id))


def _score(report, report_id):
    return scored(report, report_id, rewritten=True)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders())
def test_permuted_tables_never_publish_a_wrong_value(tmp_path, case):
    report_id, t3, t4, t2 = case
    measures = TEMPLATE.proactive_layout(gold(report_id)["report"]["template"])[0]["measures"]
    as_template = _score(_printed(tmp_path, "template", report_id, T3_COLUMNS, T4_KEYS, measures), report_id)
    permuted = _score(_printed(tmp_path, "permuted", report_id, t3, t4, t2), report_id)
    assert permuted.nothing_wrong, permuted.details
    assert permuted.exact >= 0.98 * as_template.exact
