"""Where tables end (extract/locate.py): a section heading counts only where it is printed as a heading.

Table 三 ends at the next section's heading (四、… or 五、… from schemas/template.yaml, every variant). Quoted inside a
sentence or a title printed between table 三's last cells, the heading used to end the table there: the cells after
it were lost and the arithmetic could fill the row from the values before. Expected values are the gold's.
"""

from __future__ import annotations

import re

import pytest

from conftest import manifest_row, source
from test_noise import exact, wrong

QUOTES = [
    "具体见五、存在的主要问题及改进情况部分。",  # a sentence naming the heading
    "关于《五、存在的主要问题及改进情况》的说明",  # a quoted title
    "2020年度报告之四、政府信息公开行政复议、行政诉讼情况",  # a running title naming the next section
]


def _extract(path, report_id):
    from opendata.pipeline import extract

    return extract(path, manifest_row(report_id))


@pytest.mark.parametrize("report_id", ["seed_luzhou_2020", "2021_sanming_1", "2019_putian_1"])
@pytest.mark.parametrize("quote", QUOTES)
def test_a_heading_quoted_inside_table_three_does_not_end_it(tmp_path, report_id, quote):
    original = _extract(source(report_id), report_id)
    refs = [int(m.group(1)) for c in original.cells if c.table == "applications" and c.row == "carried_forward"
            and (m := re.fullmatch(r"L(\d+)", c.source_ref or ""))]
    assert len(refs) >= 2, f"{report_id}: its last row of table 三 is not one cell per line"
    lines = source(report_id).read_text(encoding="utf-8").split("\n")
    lines.insert(refs[0], quote)  # after the row's first cell
    path = tmp_path / source(report_id).name
    path.write_text("\n".join(lines), encoding="utf-8")
    report = _extract(path, report_id)
    assert wrong(report, report_id) == []
    if "。" in quote or "年度报告" in quote:  # known noise (a sentence, a running title): read through
        assert exact(report, report_id) == exact(original, report_id)
    else:  # words without a sentence mark inside the row: the row is cut by them (extract/interrupt.py), not the table
        assert any(f"interrupted by text ({quote[:20]!r}" in e for e in report.errors), report.errors
        assert exact(report, report_id)[0] >= exact(original, report_id)[0] - 7


def test_a_heading_of_another_numbering_still_ends_the_table(tmp_path):
    """The heading printed with another ordinal ("三、政府信息公开行政复议、行政诉讼情况") is still a heading."""
    from opendata.extract.locate import Locator
    from opendata.extract.stream import Stream
    from opendata.read import read

    path = tmp_path / "r.txt"
    path.write_text("一、总体情况\n见五、存在的主要问题及改进情况。\n0\n三、存在的主要问题及改进情况\n", encoding="utf-8")
    doc = read(path)
    loc = Locator(doc, Stream(doc))
    m = loc.heading("sec5_problems")
    assert m and loc.text[:m.start()].endswith("0\n三、")
