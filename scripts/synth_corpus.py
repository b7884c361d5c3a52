"""Synthetic annual reports for benchmarks and scale tests: template-consistent values, both templates, text/HTML.

  python scripts/synth_corpus.py OUT --size N [--seed S] [--html-share 0.5] [--truth]

Report i is a pure function of (seed, i): values satisfy the template's identities H1-H4 and the domain rule D1
(2019 reports carry signed item changes and decimal procurement amounts, 2021 ones decimal fees), most cells are 0
as in real reports. Text reports print one cell per line (the crawler layout of sources/); HTML reports print the
tables as <table> grids with the template's merged header cells. With --truth, OUT/truth.jsonl holds every
report's values (table -> row -> column -> value) so a build can be scored against what was written.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from opendata.spec.template import TEMPLATE  # noqa: E402

PLACES = ["福建省莆田市", "福建省三明市", "江苏省宿迁市", "四川省泸州市", "浙江省杭州市", "广东省广州市",
          "湖南省长沙市", "山东省济南市", "河南省郑州市", "湖北省武汉市", "安徽省合肥市", "江西省南昌市"]
BODIES = ["人民政府", "教育局", "财政局", "民政局", "科学技术局", "水利局", "统计局", "应急管理局"]
YEARS = list(range(2019, 2026))
APPLICANTS = [c.code for c in TEMPLATE.table("applications").codes("columns") if c.code != "total"]
OUTCOMES = ["upheld", "corrected", "other", "pending"]


def _count(rng: random.Random, big: int = 60) -> int:
    """Mostly zero, sometimes small, rarely large: the shape of real counts."""
    r = rng.random()
    return 0 if r < 0.6 else rng.randint(1, 9) if r < 0.9 else rng.randint(10, big)


def _amount(rng: random.Random) -> float:
    return 0 if rng.random() < 0.5 else round(rng.uniform(0, 5000), rng.choice([0, 2, 4]))


def proactive(rng: random.Random, template: str) -> dict:
    table = TEMPLATE.table("proactive_disclosure")
    values: dict[str, dict] = {}
    for sub in TEMPLATE.proactive_layout(template):
        for item in sub["items"]:
            for m in sub["measures"]:
                extra = table.code("measures", m).extra
                value = _amount(rng) if extra.get("decimal") else _count(rng, 400)
                if extra.get("signed") and rng.random() < 0.3:
                    value = -value
                values.setdefault(item, {})[m] = value
    return values


def applications(rng: random.Random, template: str) -> dict:
    """Per applicant: outcomes drawn, result_total their sum (H2), new + carried_over = total + forward (H1);
    the total column is the sum of the applicant columns (H3)."""
    outcome_rows = [r.code for r in TEMPLATE.application_value_rows(template) if r.extra.get("outcome")]
    values: dict[str, dict] = {r.code: {} for r in TEMPLATE.application_value_rows(template)}
    for who in APPLICANTS:
        busy = who == "natural_person" or rng.random() < 0.3
        outcomes = {r: (_count(rng) if busy else 0) for r in outcome_rows}
        total = sum(outcomes.values())
        forward = _count(rng, 20) if busy else 0
        over = rng.randint(0, total + forward) if busy and rng.random() < 0.3 else 0
        for r, v in outcomes.items():
            values[r][who] = v
        values["result_total"][who], values["carried_forward"][who] = total, forward
        values["carried_over"][who], values["new_requests"][who] = over, total + forward - over
    for row in values.values():
        row["total"] = sum(row[w] for w in APPLICANTS)
    return values


def review_litigation(rng: random.Random) -> dict:
    values = {}
    for block in ("review", "litigation_direct", "litigation_after_review"):
        row = {o: _count(rng, 20) for o in OUTCOMES}
        values[block] = {**row, "total": sum(row.values())}
    return values


def report(seed: int, i: int) -> dict:
    rng = random.Random(seed * 1_000_003 + i)
    year = YEARS[i % len(YEARS)]
    template = "2019" if year < 2021 else "2021"
    place, body = PLACES[rng.randrange(len(PLACES))], BODIES[rng.randrange(len(BODIES))]
    return {"id": f"synth_{i:06d}", "year": year, "template": template,
            "title": f"{place}{body}{year}年政府信息公开工作年度报告",
            "proactive_disclosure": proactive(rng, template), "applications": applications(rng, template),
            "review_litigation": review_litigation(rng)}


def _num(v) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def _label(table: str, list_name: str, code: str) -> str:
    return TEMPLATE.table(table).code(list_name, code).zh


def text_lines(r: dict) -> list[str]:
    """One cell per line, like the crawled text reports in sources/."""
    out = [f"标题: {r['title']}", "正文:", "一、总体情况", f"{r['year']}年度，本机关认真贯彻《条例》，做好政府信息公开工作。",
           "二、主动公开政府信息情况"]
    pd = r["proactive_disclosure"]
    for sub in TEMPLATE.proactive_layout(r["template"]):
        out += [sub["caption"], "信息内容", *(_label("proactive_disclosure", "measures", m) for m in sub["measures"])]
        for item in sub["items"]:
            out += [_label("proactive_disclosure", "items", item), *(_num(pd[item][m]) for m in sub["measures"])]
    apps = TEMPLATE.table("applications")
    out += ["三、收到和处理政府信息公开申请情况", apps.spec["header_labels"][0], "申请人情况", "自然人", "法人或其他组织",
            "总计", *(c.zh for c in apps.codes("columns")[1:6])]
    for row in TEMPLATE.application_rows(r["template"]):
        out.append(row.zh)
        if row.code in r["applications"]:
            out += [_num(r["applications"][row.code][c.code]) for c in apps.codes("columns")]
    out += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", *_outcome_labels(), "未经复议直接起诉",
            "复议后起诉", *_outcome_labels(), *_outcome_labels()]
    for block in ("review", "litigation_direct", "litigation_after_review"):
        out += [_num(r["review_litigation"][block][o]) for o in (*OUTCOMES, "total")]
    return out + ["五、存在的主要问题及改进情况", "公开质量仍需提高。", "六、其他需要报告的事项", "本年度未收取信息处理费。"]


def _outcome_labels() -> list[str]:
    return [c.zh for c in TEMPLATE.table("review_litigation").codes("outcomes")]


def _tr(*cells: str | tuple[str, str]) -> str:
    """A table row; a cell is its text, or (text, attributes) for merged cells."""
    tds = (f"<td {c[1]}>{html.escape(c[0])}</td>" if isinstance(c, tuple) else f"<td>{html.escape(c)}</td>"
           for c in cells)
    return "<tr>" + "".join(tds) + "</tr>"


def html_page(r: dict) -> str:
    pd, parts = r["proactive_disclosure"], []
    for sub in TEMPLATE.proactive_layout(r["template"]):
        width = len(sub["measures"]) + 1
        parts.append(_tr((sub["caption"], f'colspan="{width}"')))
        parts.append(_tr("信息内容", *(_label("proactive_disclosure", "measures", m) for m in sub["measures"])))
        parts += [_tr(_label("proactive_disclosure", "items", i), *(_num(pd[i][m]) for m in sub["measures"]))
                  for i in sub["items"]]
    t2 = "<table>" + "".join(parts) + "</table>"
    apps = TEMPLATE.table("applications")
    rows = [_tr((apps.spec["header_labels"][0], 'colspan="3" rowspan="3"'), ("申请人情况", 'colspan="7"')),
            _tr(("自然人", 'rowspan="2"'), ("法人或其他组织", 'colspan="5"'), ("总计", 'rowspan="2"')),
            _tr(*(c.zh for c in apps.codes("columns")[1:6]))]
    for row in TEMPLATE.application_rows(r["template"]):
        if row.code in r["applications"]:
            rows.append(_tr((row.zh, 'colspan="3"'), *(_num(r["applications"][row.code][c.code])
                                                       for c in apps.codes("columns"))))
        else:
            rows.append(_tr((row.zh, 'colspan="10"')))
    t3 = "<table>" + "".join(rows) + "</table>"
    head = [_tr(("行政复议", 'colspan="5"'), ("行政诉讼", 'colspan="10"')),
            _tr(*((o, 'rowspan="2"') for o in _outcome_labels()), ("未经复议直接起诉", 'colspan="5"'),
                ("复议后起诉", 'colspan="5"')),
            _tr(*_outcome_labels(), *_outcome_labels()),
            _tr(*(_num(r["review_litigation"][b][o]) for b in ("review", "litigation_direct", "litigation_after_review")
                  for o in (*OUTCOMES, "total")))]
    t4 = "<table>" + "".join(head) + "</table>"
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(r['title'])}</title></head><body>"
            f"<h1>{html.escape(r['title'])}</h1><p>一、总体情况</p><p>{r['year']}年度，本机关认真贯彻《条例》。</p>"
            f"<p>二、主动公开政府信息情况</p>{t2}<p>三、收到和处理政府信息公开申请情况</p>{t3}"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p>{t4}<p>五、存在的主要问题及改进情况</p><p>公开质量仍需提高。</p>"
            "<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p></body></html>\n")


def write_report(r: dict, folder: Path, as_html: bool) -> Path:
    path = folder / f"{r['id']}.{'html' if as_html else 'txt'}"
    path.write_text(html_page(r) if as_html else "\n".join(text_lines(r)) + "\n", encoding="utf-8")
    return path


def generate(out: Path, size: int, seed: int = 0, html_share: float = 0.5, truth: bool = False) -> list[Path]:
    """Write `size` reports under out/reports/ (and out/truth.jsonl with --truth); returns their paths."""
    folder = out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    paths, sink = [], open(out / "truth.jsonl", "w", encoding="utf-8") if truth else None
    try:
        for i in range(size):
            r = report(seed, i)
            as_html = random.Random(f"{seed}-{i}-format").random() < html_share
            paths.append(write_report(r, folder, as_html))
            if sink:
                sink.write(json.dumps(r, ensure_ascii=False) + "\n")
    finally:
        if sink:
            sink.close()
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--size", type=int, default=1000, help="number of reports")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--html-share", type=float, default=0.5, help="share of reports rendered as HTML (rest: text)")
    ap.add_argument("--truth", action="store_true", help="also write truth.jsonl with every report's values")
    args = ap.parse_args()
    paths = generate(args.out, args.size, args.seed, args.html_share, args.truth)
    print(f"wrote {len(paths)} reports to {args.out / 'reports'}")


if __name__ == "__main__":
    main()
