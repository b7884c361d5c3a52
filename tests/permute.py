"""Copies of bundled reports with a table's columns printed in another order: header and values moved together, as a
report laid out differently would print them. Expected values stay the gold's (the source's), never the program's."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from opendata.fold import fold, key
from opendata.spec.template import TEMPLATE

T3_COLUMNS = [c.code for c in TEMPLATE.table("applications").codes("columns")]
T3_LABEL = {c.code: c.zh for c in TEMPLATE.table("applications").codes("columns")}
_NUMBER_LINE = re.compile(r"^\s*[-+]?\d[\d,]*(?:\.\d+)?\s*$")


def _is_row_label(line: str, rows) -> bool:
    folded = fold(line).strip()
    return bool(folded) and any(r.pattern.match(folded) and len(key(folded)) <= len(key(r.zh)) + 2 for r in rows)


def text_t3_permuted(text: str, printed: list[str], gold_rows: dict, from_gold: bool = False) -> str:
    """A one-cell-per-line text report with table 三's applicant columns printed in the order `printed` (codes):
    the header is printed row by row (printed[0] | 法人或其他组织 | printed[6], then printed[1:6]) and every value row's
    seven lines are reordered; a row not printed as seven lines (or every row, `from_gold`) is printed from gold
    (its source values), a blank cell as an empty line."""
    lines = text.split("\n")
    rows = TEMPLATE.application_value_rows("2019") + TEMPLATE.application_value_rows("2021")
    start = next(i for i, line in enumerate(lines) if key(line) == "申请人情况")
    first = next(i for i in range(start, len(lines)) if _is_row_label(lines[i], rows[:1]))
    header = ["申请人情况", T3_LABEL[printed[0]], "法人或其他组织", T3_LABEL[printed[6]],
              *(T3_LABEL[c] for c in printed[1:6])]
    out, i = lines[:start] + header, first
    while i < len(lines):
        out.append(lines[i])
        row = next((r for r in rows if _is_row_label(lines[i], [r])), None)
        i += 1
        if row is None or row.code not in gold_rows:
            continue
        while i < len(lines) and not _NUMBER_LINE.match(lines[i]) and not _is_row_label(lines[i], rows):
            out.append(lines[i])  # the rest of a label wrapped over lines
            i += 1
        k = 0
        while i + k < len(lines) and _NUMBER_LINE.match(lines[i + k]):
            k += 1
        values = lines[i:i + k] if k == 7 and not from_gold else [_gold_text(gold_rows[row.code][c]) for c in T3_COLUMNS]
        out += [values[T3_COLUMNS.index(c)] for c in printed]
        i += k
        if row.code == "carried_forward":
            break
    return "\n".join(out + lines[i:])


def _gold_text(value) -> str:
    return "" if value is None else str(value)


def _cell_text(td) -> str:
    return key(fold(td.text_content()))


def html_t3_permuted(html: str, children: list[str], swap_tops: bool) -> str:
    """An HTML report with table 三's five legal-person columns printed in the order `children` and, if
    `swap_tops`, 总计 printed first and 自然人 last: the header cells and every value row's cells move together."""
    doc = lxml.html.fromstring(html)
    subs = T3_COLUMNS[1:6]
    for tr in doc.iter("tr"):
        tds = tr.findall("td") or tr.findall("th")
        texts = [_cell_text(td) for td in tds]
        if sorted(texts[-5:]) == sorted(key(T3_LABEL[c]) for c in subs):
            _reorder(tr, tds[-5:], [texts[-5:].index(key(T3_LABEL[c])) for c in children])
        elif key("法人或其他组织") in texts and key("自然人") in texts and swap_tops:
            n, t = texts.index(key("自然人")), texts.index(key("总计"))
            _reorder(tr, [tds[n], tds[t]], [1, 0])
        elif len(tds) >= 8 and _value_row(texts):
            cells = tds[-7:]
            order = ([6] if swap_tops else [0]) + [1 + subs.index(c) for c in children] + ([0] if swap_tops else [6])
            _reorder(tr, cells, order)
    return lxml.html.tostring(doc, encoding="unicode")


def _value_row(texts: list[str]) -> bool:
    label = texts[0]
    rows = TEMPLATE.table("applications").codes("rows")
    return any(r.pattern.match(label) for r in rows) and all(not re.search(r"[\u4e00-\u9fff]", t) for t in texts[-7:])


def _reorder(tr, cells: list, order: list[int]) -> None:
    """Put `cells` (elements of `tr`, in document order) back into their places in the order `order`."""
    slots = [(cell.getparent(), cell.getparent().index(cell)) for cell in cells]
    moved = [cells[i] for i in order]
    for cell in cells:
        cell.getparent().remove(cell)
    for (parent, index), cell in sorted(zip(slots, moved), key=lambda s: s[0][1]):
        parent.insert(index, cell)


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


T4 = TEMPLATE.table("review_litigation")
T4_BLOCKS = [b.code for b in T4.codes("blocks")]
T4_OUTCOMES = [o.code for o in T4.codes("outcomes")]
T4_LABEL = {c.code: c.zh for name in ("blocks", "outcomes") for c in T4.codes(name)}
T4_KEYS = [(b, o) for b in T4_BLOCKS for o in T4_OUTCOMES]


def t4_printed(review: list[str], litigation: list[str], outcomes: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Table 四's cells in printed order: review's outcomes in the order `review`, then the litigation blocks in the
    order `litigation`, each with its outcomes in the order outcomes[block]."""
    return [("review", o) for o in review] + [(b, o) for b in litigation for o in outcomes[b]]


def text_t4_permuted(text: str, printed: list[tuple[str, str]], gold_t4: dict) -> str:
    """A one-cell-per-line text report with table 四's header (行政复议 / 行政诉讼 and the labels under them, however
    wrapped) and its 15 values printed in the order `printed`; values not printed as 15 lines are printed from gold."""
    lines = text.split("\n")
    start = next(i for i in range(len(lines) - 1) if key(lines[i]) == "行政复议" and key(lines[i + 1]) == "行政诉讼")
    printed = list(printed)
    lit = list(dict.fromkeys(b for b, _ in printed if b != "review"))
    review = [T4_LABEL[o] for b, o in printed if b == "review"]
    lit_outcomes = [T4_LABEL[o] for b, o in printed if b != "review"]
    if printed[0][0] == "review":
        header = ["行政复议", "行政诉讼", *review, *(T4_LABEL[b] for b in lit), *lit_outcomes]
    else:  # 行政诉讼 printed left of 行政复议: row by row, its blocks' labels, then 行政复议's outcomes beside them
        header = ["行政诉讼", "行政复议", *(T4_LABEL[b] for b in lit), *review, *lit_outcomes]
    first = next(i for i in range(start, len(lines)) if _NUMBER_LINE.match(lines[i]))  # the header's labels end
    k = 0
    while first + k < len(lines) and _NUMBER_LINE.match(lines[first + k]):
        k += 1
    values = lines[first:first + 15] if k == 15 else [_gold_text(gold_t4[b][o]) for b, o in T4_KEYS]
    body = [values[T4_KEYS.index(cell)] for cell in printed]
    return "\n".join(lines[:start] + header + body + lines[first + (15 if k == 15 else k):])


def html_t4_permuted(html: str, printed: list[tuple[str, str]]) -> str:
    """An HTML report with table 四's header cells and its value row's cells moved into the order `printed`."""
    doc = lxml.html.fromstring(html)
    trs = list(doc.iter("tr"))
    top = next(i for i, tr in enumerate(trs) if [_cell_text(td) for td in tr.findall("td")] == ["行政复议", "行政诉讼"])
    labels, outcomes, values = (trs[top + 1].findall("td"), trs[top + 2].findall("td"), trs[top + 3].findall("td"))
    lit = list(dict.fromkeys(b for b, _ in printed if b != "review"))
    _reorder(trs[top + 1], labels, [T4_OUTCOMES.index(o) for _, o in printed[:5]]
             + [4 + T4_BLOCKS.index(b) for b in lit])
    _reorder(trs[top + 2], outcomes, [T4_KEYS.index(cell) - 5 for cell in printed[5:]])
    _reorder(trs[top + 3], values, [T4_KEYS.index(cell) for cell in printed])
    return lxml.html.tostring(doc, encoding="unicode")


T2 = TEMPLATE.table("proactive_disclosure")


def text_t2_permuted(text: str, layout: str, sub_index: int, printed: list[str], gold_t2: dict) -> str:
    """A one-cell-per-line text report with the measures of table 二's sub-table `sub_index` (of `layout`) printed in
    the order `printed` (codes): the header lines after 信息内容 and each item's value lines move together."""
    sub = TEMPLATE.proactive_layout(layout)[sub_index]
    lines = text.split("\n")
    caption = next(i for i, line in enumerate(lines) if key(line) == key(sub["caption"]))
    head = next(i for i in range(caption, len(lines)) if key(lines[i]) == "信息内容") + 1
    items = [T2.code("items", c) for c in sub["items"]]
    first = next(i for i in range(head, len(lines)) if _is_row_label(lines[i], items))
    labels = {m.code: m.zh for m in T2.codes("measures")}
    out, i = lines[:head] + [labels[m] for m in printed], first
    for item in items:
        i = next(j for j in range(i, len(lines)) if _is_row_label(lines[j], [item]))
        out.append(lines[i])
        k = 0
        while i + 1 + k < len(lines) and _NUMBER_LINE.match(lines[i + 1 + k]):
            k += 1
        n = len(sub["measures"])
        values = lines[i + 1:i + 1 + n] if k == n else [_gold_text(gold_t2[item.code][m]) for m in sub["measures"]]
        out += [values[sub["measures"].index(m)] for m in printed]
        i += 1 + k
    return "\n".join(out + lines[i:])


def one_cell_per_line(path: Path) -> str:
    """A report flattened to one cell per line, as crawlers of encyclopedia mirrors print it, blank cells kept as
    empty lines: the tokens its reader finds (an HTML table's empty cell is an empty token), one per line."""
    from opendata.read import read

    return "\n".join(t.text.replace("\n", " ").strip() for t in read(path, TEMPLATE.markers).tokens)


def html_t2_permuted(html: str, layout: str, sub_index: int, printed: list[str]) -> str:
    """An HTML report with the measures of table 二's sub-table `sub_index` printed in the order `printed`: the
    header row's measure cells and each item row's value cells move together."""
    sub = TEMPLATE.proactive_layout(layout)[sub_index]
    measures = [T2.code("measures", m) for m in sub["measures"]]
    items = [T2.code("items", c) for c in sub["items"]]
    doc = lxml.html.fromstring(html)
    rows = list(doc.iter("tr"))
    n = len(measures)
    head = next(i for i, tr in enumerate(rows) if all(any(m.pattern.search(fold(td.text_content()))
                                                          for td in tr.findall("td")) for m in measures))
    order = [sub["measures"].index(m) for m in printed]
    _reorder(rows[head], rows[head].findall("td")[-n:], order)
    for tr in rows[head + 1:head + 1 + len(items)]:
        _reorder(tr, tr.findall("td")[-n:], order)
    return lxml.html.tostring(doc, encoding="unicode")


def scored(report, report_id: str, rewritten: bool = False):
    """The one gold comparison (tests/gold_score.py) of a copy's reading. `rewritten`: the copy prints rows from gold
    in full, so the cells gold lists as ambiguous (printed unclearly in the original) are settled in it."""
    from conftest import gold
    from gold_score import score

    expected = gold(report_id)
    return score(report, {k: v for k, v in expected.items() if k != "ambiguous"} if rewritten else expected)


AMOUNT = {"2021": ("admin_fees", "fee_amount_wan_yuan"), "2019": ("gov_central_procurement",
                                                                  "procurement_total_amount_wan_yuan")}
_AMOUNT_LINE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(万元|元)?\s*")


def unit_captioned(text: str, gold_report: dict, unit: str) -> str | None:
    """A one-cell-per-line text report whose table 二 amount (the template's amount measure: 本年收费金额 in 2021,
    采购总金额 in 2019) is printed bare in `unit`, that unit printed once as a caption under the section heading
    ("单位：千元") and no unit left in the amount's header. The printed number is gold's value (万元) divided by the
    unit's factor in schemas/template.yaml. None when the amount is not printed as one line (or gold has none)."""
    from decimal import Decimal

    layout = gold_report["report"]["template"]
    row, column = AMOUNT[layout]
    value = gold_report["proactive_disclosure"].get(row, {}).get(column)
    lines = text.split("\n")
    heading = next((i for i, line in enumerate(lines) if key(line) == key("二、主动公开政府信息情况")), None)
    factors = {u: Decimal(str(f)) for u, f in TEMPLATE.spec["amounts"]["factors"].items()}
    if value is None or heading is None:
        return None
    want = Decimal(str(value))
    for i in range(heading, len(lines)):
        m = _AMOUNT_LINE.fullmatch(lines[i])
        if m and value and Decimal(m.group(1)) * factors[m.group(2) or "万元"] == want:
            printed = format((want / factors[unit]).normalize(), "f")
            lines[i] = lines[i].replace(m.group(0).strip(), printed)
            break
        if key(lines[i]) == key("三、收到和处理政府信息公开申请情况"):
            return None
    lines = [line.replace("（单位：万元）", "") for line in lines]
    return "\n".join(lines[:heading + 1] + [f"单位：{unit}"] + lines[heading + 1:])
