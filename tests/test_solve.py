"""The value solver (src/opendata/solve/): units on hand-made pieces, and round-trip property tests.

The property tests draw random template-consistent reports (H1-H4 hold by construction), render them as the messy
text streams real crawlers produce -- one cell per line, digits run together on one line, runs of equal cells
printed once, numbers broken over lines -- and read them back through the whole pipeline (`extract`). Every cell
must come back with its true value, or, where the text truly allows several readings, as `ambiguous` with the true
value among the candidates its note lists. Never a wrong reported value, never unreadable.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendata.spec.identities import equations
from opendata.solve.number import Column, valid_cell
from opendata.solve.search import Row, solve
from opendata.extract.stream import Piece
from opendata.spec.template import TEMPLATE

T2, T3, T4 = "proactive_disclosure", "applications", "review_litigation"
A6 = [c.code for c in TEMPLATE.table(T3).codes("columns")][:6]
COLUMNS7 = [c.code for c in TEMPLATE.table(T3).codes("columns")]
T4_KEYS = [(b.code, o.code) for b in TEMPLATE.table(T4).codes("blocks") for o in TEMPLATE.table(T4).codes("outcomes")]


# -- units on hand-made pieces -------------------------------------------------------------------------------------

def pieces(text: str) -> list[Piece]:
    """Pieces as the stream gives them: '|' separates lines (hard boundaries), ' ' separates within a line."""
    out = []
    for n, line in enumerate(text.split("|")):
        for m, word in enumerate(line.split()):
            kind = "point" if word == "." else "number"
            out.append(Piece(kind, word, word, f"L{n + 1}", m == 0))
    return out


def t3_row(code: str, text: str) -> Row:
    return Row([Column((code, c)) for c in COLUMNS7], pieces(text))


def t3_values(readings) -> list:
    return [r.value if r.status == "reported" else r.status for r in readings]


def candidates_of(note: str) -> list[str]:
    """The values an ambiguous cell's note lists ('… this cell is one of 0, 1')."""
    m = re.search(r"this cell is one of (.*)$", note)
    assert m, note
    return [v.strip() for v in m.group(1).split(",")]


H3 = equations({T3: "2021"})


def test_glued_digits_split_by_the_row_total():
    # 2024 平潭: "一、本年新收政府信息公开申请数量21710000218" is 217 1 0 0 0 0 218.
    [readings] = solve([t3_row("new_requests", "21710000218")], H3)
    assert t3_values(readings) == [217, 1, 0, 0, 0, 0, 218]
    assert all(r.raw for r in readings)


def test_glued_row_with_stray_spaces():
    # 2019 平潭: "230 000023" and "23 0 00 0 023" (spaces inside a glued row).
    rows = [t3_row("new_requests", "230 000023"), t3_row("result_total", "23 0 00 0 023")]
    out = solve(rows, H3)
    assert t3_values(out[0]) == [23, 0, 0, 0, 0, 0, 23]
    assert t3_values(out[1]) == [23, 0, 0, 0, 0, 0, 23]


def test_number_broken_over_lines_is_joined_where_the_row_sum_requires():
    # 2021 三明: "160|0|0|2|0|0|1|62" is 160 0 0 2 0 0 1 162; "2|7|0|0|1|0|0|28" is 27 0 0 1 0 0 28.
    out = solve([t3_row("new_requests", "160|0|0|2|0|0|1|62"), t3_row("unable_not_held", "2|7|0|0|1|0|0|28")], H3)
    assert t3_values(out[0]) == [160, 0, 0, 2, 0, 0, 162]
    assert t3_values(out[1]) == [27, 0, 0, 1, 0, 0, 28]
    assert out[0][6].source_ref == "L7+L8" and out[0][6].raw == "1 62"


def test_collapsed_runs_expand_by_the_row_total():
    # 莆田: "287|24|2|0|1|315" is 287 24 2 0 1 1 315; a lone "0" is a row of zeros.
    out = solve([t3_row("granted", "287|24|2|0|1|315"), t3_row("carried_over", "0")], H3)
    assert t3_values(out[0]) == [287, 24, 2, 0, 1, 1, 315]
    assert t3_values(out[1]) == [0] * 7


def test_unsettled_run_is_ambiguous_with_its_candidates():
    # "19|0|1|0|20": the 1 is in 科研机构, 社会公益组织 or 法律服务机构; nothing in one row says which.
    [readings] = solve([t3_row("new_requests", "19|0|1|0|20")], H3)
    assert t3_values(readings) == [19, 0, "ambiguous", "ambiguous", "ambiguous", 0, 20]
    assert candidates_of(readings[3].note) == ["0", "1"]
    assert "runs of equal cells printed once" in readings[3].note


def test_joint_search_places_a_run_by_the_column_sums():
    layout = "2019"
    text = {r.code: "0" for r in TEMPLATE.application_value_rows(layout)}
    # Alone, "5|0|1|0|6" puts its 1 in 科研机构, 社会公益组织 or 法律服务机构; the plainly printed 部分公开 row
    # fixes the column through H2 (（七）总计) and H1 (新收 = （七）总计 here): 社会公益组织.
    text.update(new_requests="5|0|1|0|6", granted="5|0|5", partially_granted="0|0|0|1|0|0|1",
                result_total="5|0|1|0|6")
    rows = [t3_row(k, v) for k, v in text.items()]
    alone = solve([rows[0]], H3)[0]
    assert t3_values(alone)[2:5] == ["ambiguous"] * 3
    out = dict(zip(text, solve(rows, equations({T3: layout}))))
    assert t3_values(out["new_requests"]) == [5, 0, 0, 1, 0, 0, 6]
    assert t3_values(out["result_total"]) == [5, 0, 0, 1, 0, 0, 6]


def test_printed_values_breaking_an_identity_are_kept():
    # One piece per cell: the printed reading stands even though 6 + 1 != 8; H3 fails in the checks.
    [readings] = solve([t3_row("granted", "6|0|0|0|0|1|8")], H3)
    assert t3_values(readings) == [6, 0, 0, 0, 0, 1, 8]


def test_glued_row_unique_split_kept_when_columns_disagree():
    # 君山 2022: "3000025" has one split (3 0 0 0 0 2 5, H3 holds) although （七）总计 is 0 (H2 fails): kept.
    layout = "2021"
    text = {r.code: "0000000" for r in TEMPLATE.application_value_rows(layout)}
    text["unable_not_held"] = "3000025"
    out = dict(zip(text, solve([t3_row(k, v) for k, v in text.items()], equations({T3: layout}))))
    assert t3_values(out["unable_not_held"]) == [3, 0, 0, 0, 0, 2, 5]
    assert t3_values(out["result_total"]) == [0] * 7


def test_no_reading_is_unreadable_with_a_note():
    [readings] = solve([t3_row("granted", "5|2|7")], H3)  # no split, no run expansion gives 6 cells summing to 7
    assert {r.status for r in readings} == {"unreadable"}
    assert "3 values for 7 cells" in readings[0].note and readings[0].raw == "5 2 7"


@pytest.mark.slow
def test_huge_digit_run_is_unreadable_by_the_search_bound():
    # The search gives up at its step bound (MAX_STEPS) rather than enumerating every cut: unreadable, saying so.
    [readings] = solve([Row([Column(k) for k in T4_KEYS], pieces("1" * 60))], equations({}))
    assert {r.status for r in readings} == {"unreadable"}
    assert readings[0].note.startswith("too many readings of '111")


def test_table_four_glued_split_by_block_totals():
    # 2024 平潭: 17 digits for 15 cells; H4 per block admits one split.
    [readings] = solve([Row([Column(k) for k in T4_KEYS], pieces("21317000001324019"))], equations({}))
    assert [r.value for r in readings] == [2, 1, 3, 1, 7, 0, 0, 0, 0, 0, 13, 2, 4, 0, 19]


def test_table_four_collapsed_run_with_two_places_is_ambiguous():
    # 莆田城管 2023: "0|1|0" for 15 cells: 尚未审结 1 + 总计 1 of 行政复议 or of 直接起诉.
    [readings] = solve([Row([Column(k) for k in T4_KEYS], pieces("0|1|0"))], equations({}))
    status = {k: r.status for k, r in zip(T4_KEYS, readings)}
    flagged = {k for k, s in status.items() if s == "ambiguous"}
    assert flagged == {("review", "pending"), ("review", "total"), ("litigation_direct", "pending"),
                       ("litigation_direct", "total")}
    assert all(r.value == 0 for k, r in zip(T4_KEYS, readings) if k not in flagged)


# -- table 二: no identities, only the cells' domain ---------------------------------------------------------------

def t2_row(text: str, *columns: Column) -> list:
    [readings] = solve([Row(list(columns), pieces(text))])
    return [r.value if r.status == "reported" else r.status for r in readings]


COUNT3 = [Column(("i", m)) for m in ("a", "b", "c")]
CHANGE = [Column(("i", "prior")), Column(("i", "change"), signed=True), Column(("i", "decisions"))]


def test_table_two_glued_rows():
    assert t2_row("000", *COUNT3) == [0, 0, 0]  # the only split
    assert t2_row("0011", *COUNT3) == [0, 0, 11]  # no leading zeros: 0/01/1 and 00/1/1 are not cells
    assert t2_row("898989", *COUNT3) == ["ambiguous"] * 3  # 89/89/89, 8/98/989, ...
    assert t2_row("0", *COUNT3) == [0, 0, 0]  # a lone zero: a collapsed row of zeros, or a split of one digit
    assert t2_row("265", *COUNT3) == ["ambiguous"] * 3  # 265 265 265 (collapsed) or 2/6/5 (run together)
    assert t2_row("0|2", *COUNT3) == [0, "ambiguous", 2]  # 0 0 2 or 0 2 2


def test_table_two_signs_only_in_signed_measures():
    assert t2_row("2648 -18538", *CHANGE)[0] == 2648  # the sign starts 本年增/减, so 上一年 is 2648 whatever follows
    assert t2_row("35 -15", CHANGE[0], CHANGE[1]) == [35, -15]
    assert t2_row("0 +1 0", *CHANGE) == [0, 1, 0]


def test_table_two_amounts():
    amount = Column(("p", "amount"), decimal=True)
    count = Column(("p", "count"))
    assert t2_row("929 120190475.34元", count, amount) == [929, pytest.approx(12019.047534)]
    assert t2_row("4 1.8533万元", count, amount) == [4, pytest.approx(1.8533)]
    assert t2_row("3377 453754632.81", count, Column(("p", "amount"), decimal=True, yuan=True)) == [
        3377, pytest.approx(45375.463281)]
    assert t2_row("851|.|776247", Column(("f", "fee"), decimal=True)) == [pytest.approx(851.776247)]
    # Decimals only where the measure has them: the count takes digits, the amount the decimal part.
    readings = t2_row("13575394432.52元", count, amount)
    assert readings == ["ambiguous", "ambiguous"]


def test_valid_cell_domain():
    count, amount, change = Column(("a", "b")), Column(("a", "b"), decimal=True), Column(("a", "b"), signed=True)
    assert valid_cell("0", count) and valid_cell("120", count) and not valid_cell("012", count)
    assert not valid_cell("1.5", count) and valid_cell("1.5", amount) and valid_cell("0.5", amount)
    assert not valid_cell("-3", count) and valid_cell("-3", change) and valid_cell("+3", change)
    assert not valid_cell("5元", count) and valid_cell("5元", amount) and valid_cell("1,234", count)


def test_one_piece_per_cell_outside_the_domain_is_unreadable():
    # Read as printed, but only within each cell's domain: no fraction or unit in a count, no sign in an unsigned cell.
    count, amount, change = Column(("p", "count")), Column(("p", "amount"), decimal=True), Column(("p", "change"),
                                                                                                   signed=True)
    [readings] = solve([Row([count, count, count, amount, change], pieces("352.5 -3 5元 1.5 -3"))])
    assert [r.status for r in readings] == ["unreadable"] * 3 + ["reported"] * 2
    assert [r.note for r in readings[:3]] == [
        "'352.5' is not a whole count", "'-3' has a sign; only a change (a signed measure) has one",
        "'5元' has a unit; only an amount has one"]
    assert [r.value for r in readings[3:]] == [1.5, -3]
    # A number printed whole with a leading zero is in the domain: read as printed (only cuts and joins avoid it).
    assert solve([Row([count], pieces("012"))])[0][0].value == 12


# -- property tests: random consistent reports rendered as messy text --------------------------------------------

@dataclass
class Truth:
    layout: str
    year: int
    t2: dict = field(default_factory=dict)  # (item, measure) -> (printed text, value)
    t3: dict = field(default_factory=dict)  # (row, column) -> int
    t4: dict = field(default_factory=dict)  # (block, outcome) -> int


COUNT = st.one_of(st.just(0), st.integers(0, 9), st.integers(10, 99), st.integers(100, 600))
SMALL = st.one_of(st.just(0), st.integers(0, 9), st.integers(10, 40))
MOSTLY_ZERO = st.integers(0, 3).flatmap(lambda k: st.just(0) if k < 2 else COUNT)


@st.composite
def truths(draw) -> Truth:
    layout = draw(st.sampled_from(["2019", "2021"]))
    t = Truth(layout, 2020 if layout == "2019" else 2023)
    for sub in TEMPLATE.proactive_layout(layout):
        for item in sub["items"]:
            for code in sub["measures"]:
                t.t2[item, code] = draw(_t2_cell(TEMPLATE.table(T2).code("measures", code)))
    rows = TEMPLATE.application_value_rows(layout)
    outcome = [r.code for r in rows if r.get("outcome")]
    # Real tables are mostly zeros: whole legal-person columns are often empty, and most outcome rows are 0.
    active = {c: c == "natural_person" or draw(st.booleans()) for c in A6}
    for r in outcome + ["carried_forward"]:
        for c in A6:
            t.t3[r, c] = draw(MOSTLY_ZERO) if active[c] else 0
    for c in A6:
        t.t3["result_total", c] = sum(t.t3[r, c] for r in outcome)
        t.t3["carried_over", c] = draw(st.integers(0, t.t3["result_total", c] + t.t3["carried_forward", c]))
        t.t3["new_requests", c] = t.t3["result_total", c] + t.t3["carried_forward", c] - t.t3["carried_over", c]
    for r in rows:
        t.t3[r.code, "total"] = sum(t.t3[r.code, c] for c in A6)
    for b in TEMPLATE.table(T4).codes("blocks"):
        parts = [draw(SMALL) for _ in range(4)]
        for o, v in zip(("upheld", "corrected", "other", "pending", "total"), parts + [sum(parts)]):
            t.t4[b.code, o] = v
    return t


@st.composite
def _t2_cell(draw, measure) -> tuple[str, float | int]:
    if measure.get("signed"):
        v = draw(st.integers(-60, 60))
        return (f"+{v}" if v > 0 and draw(st.booleans()) else str(v)), v
    if measure.get("decimal"):
        cents = draw(st.integers(0, 10**9))
        if measure.code == "procurement_total_amount_wan_yuan":  # printed in 元, published in 万元
            return f"{Decimal(cents) / 100:.2f}元", float(Decimal(cents) / 100 / 10000)
        return f"{Decimal(cents) / 1000:.3f}".rstrip("0").rstrip("."), float(Decimal(cents) / 1000)
    v = draw(COUNT)
    return str(v), v


def _labels(table: str) -> dict:
    return {c.code: c.zh for c in TEMPLATE.table(table).codes("columns" if table == T3 else "outcomes")}


def document(t: Truth, values) -> list[list[str]]:
    """The report as a list of lines; each line a list of tokens. `values(cells)` renders one table row's values
    (a list of printed cell texts) as lines of tokens -- the style under test."""
    lines = [[f"某某局{t.year}年度政府信息公开工作年度报告"], ["一、总体情况"], ["本机关依法推进政府信息公开工作。"],
             ["二、主动公开政府信息情况"]]
    t2 = TEMPLATE.table(T2)
    for sub in TEMPLATE.proactive_layout(t.layout):
        lines += [[sub["caption"]], ["信息内容"]] + [[t2.code("measures", m).zh] for m in sub["measures"]]
        for item in sub["items"]:
            lines.append([t2.code("items", item).zh])
            lines += values([t.t2[item, m][0] for m in sub["measures"]])
    lines += [["三、收到和处理政府信息公开申请情况"], ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"],
              ["申请人情况"], ["自然人"], ["法人或其他组织"], ["总计"]] + [[_labels(T3)[c]] for c in A6[1:]]
    for row in TEMPLATE.application_rows(t.layout):
        lines.append([row.zh])
        if row.is_value_row(t.layout):
            lines += values([str(t.t3[row.code, c]) for c in COLUMNS7])
    lines += [["四、政府信息公开行政复议、行政诉讼情况"], ["行政复议"], ["行政诉讼"]]
    leaves = [["结果维持"], ["结果纠正"], ["其他结果"], ["尚未审结"], ["总计"]]
    lines += leaves + [["未经复议直接起诉"], ["复议后起诉"]] + leaves + leaves
    lines += values([str(t.t4[k]) for k in T4_KEYS])
    lines += [["五、存在的主要问题及改进情况"], ["无。"], ["六、其他需要报告的事项"], ["无。"]]
    return lines


def one_per_line(cells: list[str]) -> list[list[str]]:
    return [[c] for c in cells]


def collapsed(cells: list[str]) -> list[list[str]]:
    """The 莆田 crawler: a cell whose text equals the previous cell's is dropped."""
    return [[c] for n, c in enumerate(cells) if n == 0 or cells[n - 1] != c]


def broken(draw):
    """Numbers broken over lines (三明 2021): some multi-digit cells print as two lines ("1" / "62");
    a decimal may break at its point ("851" / "." / "776247")."""
    def render(cells: list[str]) -> list[list[str]]:
        out = []
        for c in cells:
            digits = c.rstrip("元")
            if "." in digits and draw(st.booleans()):
                a, b = c.split(".")
                out += [[a], ["."], [b]]
            elif digits.isdigit() and len(digits) > 1 and draw(st.integers(0, 3)) == 0:
                cut = draw(st.integers(1, len(c) - 1))
                out += [[c[:cut]], [c[cut:]]]
            else:
                out.append([c])
        return out
    return render


def glued(draw):
    """平潭's page.txt: the whole body on one line, cells run together; now and then a stray space between cells."""
    def render(cells: list[str]) -> list[list[str]]:
        text = ""
        for n, c in enumerate(cells):
            text += (" " if n and draw(st.integers(0, 5)) == 0 else "") + c
        return [[text]]
    return render


def write(lines: list[list[str]], one_line: bool) -> Path:
    tokens = [" ".join(line) for line in lines]
    text = "".join(tokens[:2]) + "\n" + "".join(tokens[2:]) if one_line else "\n".join(tokens)
    path = Path(tempfile.mkdtemp()) / "report.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_back(path: Path):
    from opendata.pipeline import extract

    return extract(path)


def assert_read_back(report, t: Truth, exact: bool) -> None:
    """Every cell: its true value as reported, or (unless `exact`) ambiguous with the true value among its candidates."""
    assert report.errors == []
    cells = {c.key: c for c in report.cells}
    truth = {f"{T2}.{i}.{m}": v for (i, m), (_, v) in t.t2.items()}
    truth |= {f"{T3}.{r}.{c}": v for (r, c), v in t.t3.items()}
    truth |= {f"{T4}.{b}.{o}": v for (b, o), v in t.t4.items()}
    assert set(cells) == set(truth)
    for key, value in truth.items():
        cell = cells[key]
        if cell.status == "reported":
            assert cell.value == pytest.approx(value, rel=1e-9, abs=1e-9), cell
        else:
            assert not exact and cell.status == "ambiguous", cell
            listed = [Decimal(v) for v in candidates_of(cell.note)]
            assert any(abs(v - Decimal(str(value))) < Decimal("1e-6") for v in listed), (value, cell)


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(truths())
@pytest.mark.slow  # a hypothesis round trip: hundreds of generated reports
def test_one_cell_per_line_reads_back_exactly(t):
    report = read_back(write(document(t, one_per_line), one_line=False))
    assert_read_back(report, t, exact=True)
    assert {c.result for c in report.checks if c.check_id in ("H1", "H2", "H3", "H4")} == {"pass"}


@PROPERTY
@given(truths())
@pytest.mark.slow  # a hypothesis round trip: hundreds of generated reports
def test_collapsed_runs_read_back(t):
    report = read_back(write(document(t, collapsed), one_line=False))
    assert_read_back(report, t, exact=False)
    # A table-三 row of all zeros is one "0" and always comes back as seven zeros.
    for (r, c), v in t.t3.items():
        if all(t.t3[r, col] == 0 for col in COLUMNS7):
            assert report.table_cells(T3)[r, c].status == "reported"


@PROPERTY
@given(truths(), st.data())
@pytest.mark.slow  # a hypothesis round trip: hundreds of generated reports
def test_numbers_broken_over_lines_read_back(t, data):
    report = read_back(write(document(t, broken(data.draw)), one_line=False))
    assert_read_back(report, t, exact=False)


@PROPERTY
@given(truths(), st.data())
@pytest.mark.slow  # a hypothesis round trip: hundreds of generated reports
def test_glued_digits_read_back(t, data):
    report = read_back(write(document(t, glued(data.draw)), one_line=True))
    assert_read_back(report, t, exact=False)
    # A row of single digits has one split: it always comes back exactly.
    for row in TEMPLATE.application_value_rows(t.layout):
        if all(t.t3[row.code, c] < 10 for c in COLUMNS7):
            assert {report.table_cells(T3)[row.code, c].status for c in COLUMNS7} == {"reported"}
