"""Text between the values of a table row (extract/interrupt.py, one rule for tables 二, 三 and 四).

Bundled one-cell-per-line reports get a line of words inserted after a value line inside tables 二 and 三 (table 四
is covered in test_extract_review_litigation.py). Known noise -- a note with its continuation, a narrative sentence
-- is read through: every cell stays exact as gold. Unclassified words (a heading the template does not know) with
values going on after them cut the row: nothing wrong, the row's cells unreadable, the error naming the text.
Expected values are the gold's.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from conftest import gold, manifest_row, source
from test_noise import exact, wrong

REPORTS = ["2019_putian_1", "2019_sanming_1", "2021_sanming_1", "seed_luzhou_2020"]
NOTE = ["注：本表含网上申请12件，", "其中2023年结转3件"]
SENTENCE = ["本年度共收到申请15件，均已按时答复。"]
HEADING = ["分季度统计明细"]


def _extract(path, report_id):
    from opendata.pipeline import extract

    return extract(path, manifest_row(report_id))


@cache
def _cell_lines(report_id: str) -> dict[int, tuple[str, str]]:
    """0-based line -> (table, row) of each cell the original reading took from a line of its own."""
    out = {}
    for c in _extract(source(report_id), report_id).cells:
        m = re.fullmatch(r"L(\d+)", c.source_ref or "")
        if m and c.table in ("proactive_disclosure", "applications"):
            out[int(m.group(1)) - 1] = (c.table, c.row)
    return out


def _inside_rows(report_id: str) -> list[int]:
    """Lines after which the next line holds a value of the same row: the text lands between two of its cells."""
    lines = _cell_lines(report_id)
    return [i for i, key in sorted(lines.items()) if lines.get(i + 1) == key]


def _with(tmp_path, report_id: str, after: int, inserted: list[str]):
    lines = source(report_id).read_text(encoding="utf-8").split("\n")
    lines[after + 1:after + 1] = inserted
    path = tmp_path / source(report_id).name
    path.write_text("\n".join(lines), encoding="utf-8")
    return _extract(path, report_id)


@pytest.mark.parametrize("report_id", REPORTS)
@pytest.mark.parametrize("inserted", [NOTE, SENTENCE], ids=["note", "sentence"])
def test_a_note_or_sentence_inside_a_row_is_read_through(tmp_path, report_id, inserted):
    """A note used to end the row's region: the values after it were lost and the arithmetic split the digits of
    those before it to fill the row (2021_sanming_1: 27 -> 2, 7; three wrong values, every check passing)."""
    before = exact(_extract(source(report_id), report_id), report_id)
    inside = _inside_rows(report_id)
    assert len(inside) > 20, f"{report_id}: not one cell per line"
    for after in inside[::5]:
        report = _with(tmp_path, report_id, after, inserted)
        assert wrong(report, report_id) == [], f"after line {after + 1}"
        assert exact(report, report_id) == before, f"after line {after + 1}"


@pytest.mark.parametrize("report_id", REPORTS)
def test_unclassified_text_inside_a_row_makes_the_row_unreadable(tmp_path, report_id):
    hits, settled = exact(_extract(source(report_id), report_id), report_id)
    for after in _inside_rows(report_id)[::5]:
        table, row = _cell_lines(report_id)[after]
        report = _with(tmp_path, report_id, after, HEADING)
        assert wrong(report, report_id) == [], f"after line {after + 1}"
        cells = [c for c in report.cells if (c.table, c.row) == (table, row)]
        assert cells and all(c.status == "unreadable" and "分季度统计明细" in c.note for c in cells), f"line {after + 1}"
        assert any("分季度统计明细" in e for e in report.errors)
        # That row is lost (table 三's seven columns, at most 8 measures in table 二), and at most a row more whose
        # reading (a split, a run) needed the lost row's identities to settle it (2019_putian_1: 12 cells in all).
        assert exact(report, report_id)[0] >= hits - 15, f"after line {after + 1}"
