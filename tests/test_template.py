"""The template's shared judgements (src/opendata/template.py, normalize.py): layouts from codes, markers, folding."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata.model import Document, Token
from opendata.fold import fold, fold_lines
from opendata.read.grid import folded_markers, is_value
from opendata.extract.stream import Stream
from opendata.spec.template import TEMPLATE

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"


def test_exclusive_codes_are_those_one_template_holds():
    # schemas/template.yaml: the 2021 layout splits (六)其他处理 into three sub-rows; table 四 is the same in both.
    assert TEMPLATE.exclusive_codes(T3) == {
        "2019": {"other_handling"}, "2021": {"other_no_correction", "other_fee_unpaid", "other_other"}}
    assert TEMPLATE.exclusive_codes(T4) == {"2019": set(), "2021": set()}
    t2 = TEMPLATE.exclusive_codes(T2)
    assert {"issued_count", "repealed_count", "in_force_count", "fee_amount_wan_yuan"} == t2["2021"]
    assert "decisions_count" not in t2["2019"] | t2["2021"]  # printed by both layouts


def test_layout_of_codes_present():
    assert TEMPLATE.layout_of(T3, ["granted", "other_no_correction"]) == "2021"
    assert TEMPLATE.layout_of(T3, ["granted", "other_handling"]) == "2019"
    assert TEMPLATE.layout_of(T3, ["granted", "result_total"]) is None  # nothing tells
    assert TEMPLATE.layout_of(T2, ["issued_count", "newly_made_count"]) is None  # a tie tells nothing
    assert TEMPLATE.layout_of(T2, ["issued_count", "repealed_count", "newly_made_count"]) == "2021"
    assert TEMPLATE.layout_of(T4, ["upheld", "total"]) is None


@pytest.mark.parametrize("marker", TEMPLATE.markers)
def test_a_marker_is_a_value_to_the_grid_and_a_marker_piece_to_the_stream(marker):
    # The readers that judge a grid's cells and the stream must agree: a value cell the stream gave no piece would
    # shift every cell after it in its row.
    assert TEMPLATE.is_marker(f" {marker} ") and is_value(marker, folded_markers(TEMPLATE.markers))
    doc = Document(Path("t.md"), "markdown", [Token("总计", "L1/c1"), Token(marker, "L1/c2"), Token("3", "L1/c3")],
                   cells_explicit=True)
    stream = Stream(doc)
    pieces = stream.pieces(stream.text.index("\n"), len(stream.text))
    assert [(p.kind, p.raw) for p in pieces] == [("marker", marker), ("number", "3")]


def test_fold_lines_folds_each_text_as_fold_does_keeping_one_line_each():
    texts = ["  第二十條第（一）項 ", "１２\u3000萬元", "a\nb", "", "“引号”－－"]
    lines = fold_lines(texts, traditional=True)
    assert len(lines) == len(texts)
    assert [line.strip() for line in lines] == [fold(t, traditional=True) for t in texts]
    assert lines[0] == " 第二十条第(一)项 "  # not stripped: positions in a token stay where folding keeps them
    assert fold_lines(["規範性檔案"], traditional=False) == ["規範性檔案"]  # script converted only when traditional
