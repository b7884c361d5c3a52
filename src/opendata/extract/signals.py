"""Where a report says what it is: its title (also split over lines), the statistics period sentence, the table
headings, the signature and its date, the publisher header lines, the URL and the file name.

Each function reads one signal from the folded stream lines (simplified script, half-width) and returns it with
nothing decided; metadata.py reconciles them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from opendata.spec.files import load_yaml

_TITLE_KEYS = ("信息公开工作年度报告", "信息公开年度报告", "信息公开工作年报", "信息公开年报", "政务公开工作年度报告")
_TITLE_KEY = re.compile("|".join(_TITLE_KEYS))
_HEADER_TITLE = re.compile(r"^\s*标题\s*[:：]\s*(.+)$")
_URL = re.compile(r"(?:原始链接|原文链接|来源链接|来源|URL)\s*[:：]\s*(https?://\S+)", re.IGNORECASE)
_ZH_DIGITS = {"〇": "0", "零": "0", "○": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_DIGIT = "[0-9〇零○一二三四五六七八九]"
# A year: four digits (Arabic, or Chinese with 〇/零 for zero) before 年; spaces were taken out first.
YEAR = re.compile(rf"(?<![0-9])((?:19|20)[0-9]{{2}}|[一二][〇零○][一二三四五六七八九〇零○]{{2}})年")
_DATE = re.compile(rf"((?:19|20)[0-9]{{2}}|[一二][〇零○]{_DIGIT}{{2}})年({_DIGIT}{{1,3}}|十[一二]?)月")
_SIGNATURE_DATE = re.compile(rf"^{_DATE.pattern}([0-9〇零○一二三四五六七八九十]{{1,3}})日$")  # 十七日, 三十一日
# The end of an issuing body's name, for a title whose first line is only that name.
_BODY_END = re.compile(r"(政府|管委会|局|委员会|委|办公室|办公厅|厅|中心|院|处|所)$")
# A section heading starts with its ordinal ("二、", "表1"); a sentence in the body that names a year does not.
_HEADING_START = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|表[0-9一二三四五六七八九十]|\([一二三四五六七八九十]+\))")
_FILE_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")
_URL_YEAR = re.compile(r"/(20[0-9]{2})n?(?:nd)?[a-z]*/")  # a folder named for the year: /2019nzfxxgkndbg/


@dataclass(frozen=True)
class Signal:
    name: str  # title | period | table_heading | signature | url | file_name | publisher | body
    value: object
    text: str  # what was read, for the message
    ref: str = ""


_SPACE = re.compile(r"\s+")


def compact(text: str) -> str:
    return _SPACE.sub("", text)


def year_number(text: str) -> int:
    """2023 from "2023" or "二〇二三"."""
    return int("".join(_ZH_DIGITS.get(ch, ch) for ch in text))


def _month_number(text: str) -> int:
    if text.startswith("十"):
        return 10 + (year_number(text[1:]) if len(text) > 1 else 0)
    return int("".join(_ZH_DIGITS.get(ch, ch) for ch in text).replace("十", "1"))


def title(lines: list[str]) -> Signal | None:
    """A "标题:" header line; else the first short run of one to three lines that names an annual report
    ("2024 年上海市科委政府信息公开工作" / "年度报告"), with the line before it when the run starts with the year
    ("洪泽区人民政府" / "2023 年政府信息公开工作年度报告")."""
    shown = [(i, line.strip()) for i, line in enumerate(lines[:400]) if line.strip()]
    for _, text in shown:
        m = _HEADER_TITLE.match(text)
        if m and _TITLE_KEY.search(compact(m.group(1))):
            return Signal("title", _cut(compact(m.group(1))), m.group(1).strip(), "标题")
    for n in range(len(shown)):
        for span in (1, 2, 3):
            run = _run(shown, n, span)
            if len(run) > 80:
                break
            if not _TITLE_KEY.search(run):
                continue
            while span > 1 and _TITLE_KEY.search(_run(shown, n + 1, span - 1)):  # drop a lead-in ("正文")
                n, span = n + 1, span - 1
            run = _run(shown, n, span)
            before = compact(shown[n - 1][1]) if n > 0 else ""
            if YEAR.match(run) and len(before) <= 30 and _BODY_END.search(before):
                run = before + run
            return Signal("title", _cut(run), run, f"line {shown[n][0] + 1}")
    return None


def _run(shown: list[tuple[int, str]], n: int, span: int) -> str:
    return compact("".join(t for _, t in shown[n:n + span]))


def _cut(title_text: str) -> str:
    """The title up to the end of its annual-report words ("…年度报告_政府信息公开年报_网站名" loses the tail)."""
    m = _TITLE_KEY.search(title_text)
    return title_text[:m.end()] if m else title_text


def title_year(title_text: str) -> int | None:
    m = YEAR.search(title_text)
    return year_number(m.group(1)) if m else None


def period_year(text: str) -> Signal | None:
    """"本报告所列数据的统计期限自2019年1月1日起至…12月31日止": the year whose 1 January starts the period."""
    flat = compact(text)
    m = _period().search(flat)
    if not m:
        return None
    return Signal("period", year_number(m.group(1)), flat[m.start():m.end() + 12])


@cache
def _period() -> re.Pattern:
    words = "|".join(load_yaml("regions_rules.yaml")["period_words"])
    return re.compile(rf"(?:{words})[^。;]{{0,16}}?{YEAR.pattern}度?(?:1|一)月(?:1|一)日")


@cache
def _publisher() -> re.Pattern:
    keys = "|".join(load_yaml("regions_rules.yaml")["publisher_keys"])
    return re.compile(rf"(?:^|\s)(?:{keys})\s*[:：]\s*([\u4e00-\u9fff()]{{2,40}})")


def table_heading_year(lines: list[str]) -> Signal | None:
    headings = load_yaml("regions_rules.yaml")["table_headings"]
    for i, line in enumerate(lines):
        if len(line) > 80 or "情况" not in line and "复议" not in line:  # every heading says one of them
            continue
        text = compact(line)
        if len(text) <= 40 and _HEADING_START.match(text) and any(h in text for h in headings):
            m = YEAR.search(text)
            if m:
                return Signal("table_heading", year_number(m.group(1)), text, f"line {i + 1}")
    return None


def signature(lines: list[str]) -> tuple[Signal | None, Signal | None]:
    """The closing signature: a date line ("2020年1月20日") near the end, the body's name on the line before it.
    A report signed in year N+1 covers year N; one signed in year N itself (a late-December report) covers N."""
    shown = []
    for i in range(len(lines) - 1, -1, -1):  # the last 40 lines that show anything
        if lines[i].strip():
            shown.append((i, compact(lines[i])))
            if len(shown) == 40:
                break
    shown.reverse()
    for n in range(len(shown) - 1, -1, -1):
        i, text = shown[n]
        m = _SIGNATURE_DATE.match(text)
        if not m:
            continue
        year, month = year_number(m.group(1)), _month_number(m.group(2))
        covered = year if month == 12 else year - 1
        date = Signal("signature", covered, text, f"line {i + 1}")
        body = None
        if n > 0 and 2 < len(shown[n - 1][1]) <= 30 and not YEAR.search(shown[n - 1][1]):
            body = Signal("signature", shown[n - 1][1], shown[n - 1][1], f"line {shown[n - 1][0] + 1}")
        return date, body
    return None, None


def publishers(lines: list[str]) -> list[Signal]:
    """Header and footer lines naming the issuing body: "发布机构: 莆田市民宗局", "来源:平潭县人民政府"."""
    pattern = _publisher()
    out = []
    for i in sorted(set(range(min(60, len(lines)))) | set(range(max(len(lines) - 60, 0), len(lines)))):
        out += [Signal("publisher", m.group(1), m.group(0).strip(), f"line {i + 1}") for m in pattern.finditer(lines[i])]
    return out


# "本报告由淮安市洪泽区人民政府办公室根据…", "由莆田市应急管理局编制完成": who compiled the report.
_COMPILER = re.compile(r"由([\u4e00-\u9fff]{4,30}?)(?:根据|编制|编写|负责|汇总)")


def compiler(text: str) -> Signal | None:
    """The body the opening sentence says compiled the report (the first 3,000 characters)."""
    m = _COMPILER.search(compact(text[:3000]))
    return Signal("body", m.group(1), m.group(0)) if m else None


def url(lines: list[str]) -> str | None:
    for line in lines[:60]:
        m = _URL.search(line)
        if m:
            return m.group(1)
    return None


def url_year(link: str | None) -> Signal | None:
    """A URL folder named for the year ("/2019nzfxxgkndbg/"); a URL's publication date is not the year covered."""
    m = _URL_YEAR.search(link or "")
    return Signal("url", int(m.group(1)), link) if m else None


def file_name_year(path: Path) -> Signal | None:
    years = {int(y) for y in _FILE_YEAR.findall(path.stem)}
    return Signal("file_name", years.pop(), path.name) if len(years) == 1 else None
