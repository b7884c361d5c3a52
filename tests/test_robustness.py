"""Robustness (metamorphic) tests: every bundled text, HTML and Markdown report, transformed the way real publishers,
converters and crawlers transform such pages, must read back to the same cells (key, status, value).

- A transformation that keeps the information (line endings, encodings, padding, digit and bracket widths, site
  chrome, markup style, ...) must give exactly the original cells and layouts.
- One that loses information or adds noise (a page flattened to text, where blank cells leave no trace; a running
  header falling inside a table) must still publish nothing wrong: no value that differs from gold, no reported
  value where gold has none, no reported value where gold says the source cannot settle the cell.
- No silent wrong number: one table-三 value changed by +1 in the source must come out as printed and fail the
  identities that hold it (H3 for its row, H2 or H1 for its column); in a row read only through the arithmetic
  (collapsed runs, padding cells) it must at least be flagged. Text, HTML and Markdown sources are edited; PDFs are
  left out: their content streams draw CID glyph ids of subset fonts, not editable text.

Expected values come from the original reading (itself `ok` against gold in test_accuracy.py) and from gold. Cases
that fail today are listed in KNOWN_FAILURES with their root cause, as strict xfails: a fix makes them fail until
they are removed from the list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import count
from pathlib import Path

import pytest

from conftest import SOURCES, gold, manifest_row, source

REPORTS = sorted(p for p in (SOURCES / "reports").iterdir() if p.suffix in (".txt", ".html", ".md"))
CJK = r"[\u4e00-\u9fff]"


# -- readings ------------------------------------------------------------------------------------------------------
def _cells(report) -> list[tuple]:
    return [(c.key, c.status, c.value) for c in report.cells]


@cache
def _original(path: Path):
    """The original report's extraction, once per session."""
    from opendata.pipeline import extract

    return extract(path, manifest_row(path.stem))


def _read_copy(path: Path, content: str | bytes, folder: Path, suffix: str | None = None):
    from opendata.pipeline import extract

    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / (path.stem + (suffix or path.suffix))
    copy.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return extract(copy, manifest_row(path.stem))


def _source_text(path: Path) -> str:
    """The file's text exactly as stored (read_text would turn CRLF into LF)."""
    return path.read_bytes().decode("utf-8")


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _map_lines(text: str, fn) -> str:
    """fn applied to each line's content (its CR, if any, kept)."""
    out = []
    for line in text.split("\n"):
        cr = "\r" if line.endswith("\r") else ""
        out.append(fn(line[: len(line) - len(cr)]) + cr)
    return "\n".join(out)


def _is_label(text: str) -> bool:
    """A label long enough to wrap: Chinese text with no digit beyond a leading ordinal ("1.")."""
    return len(text) >= 6 and bool(re.search(CJK, text)) and not re.search(r"\d", text[2:])


# -- text: encodings and line endings ------------------------------------------------------------------------------
def toggle_line_endings(text: str) -> str:
    """CRLF files become LF, LF files CRLF."""
    return text.replace("\r\n", "\n") if "\r\n" in text else text.replace("\n", "\r\n")


def with_bom(text: str) -> str:
    return "\ufeff" + text


def as_gb18030(text: str) -> bytes:
    return text.encode("gb18030")


def as_utf16(text: str) -> bytes:
    """Saved by Windows Notepad as "Unicode": UTF-16 with its byte-order mark."""
    return text.encode("utf-16")


@cache
def _to_taiwan():
    import opencc

    return opencc.OpenCC("s2twp")  # built once: building a converter costs ~50 ms, at collection time


def traditional_big5(text: str) -> bytes | None:
    """Taiwan mirrors: traditional characters with Taiwan phrasing, Big5 bytes (None where Big5 cannot hold it)."""
    try:
        return _to_taiwan().convert(text).encode("big5")
    except UnicodeEncodeError:
        return None


# -- text: spacing and line layout ---------------------------------------------------------------------------------
def padded_lines(text: str) -> str:
    """An ideographic-space indent and trailing no-break and plain spaces around every non-empty line (cell)."""
    return _map_lines(text, lambda line: f"\u3000{line}\xa0 " if line.strip() else line)


def blank_lines(text: str) -> str:
    """An empty line, then a whitespace-only line, between lines (cells) in turn."""
    newline = _newline(text)
    fillers = ["", " \u3000 "]
    return newline.join(line + newline + fillers[i % 2] for i, line in enumerate(text.split(newline)))


def spaced_labels(text: str) -> str:
    """Short header lines (2-4 Chinese characters: 自然人, 总计, 商业企业) letter-spaced as justified headers print
    them: "总  计", "自\u3000然\u3000人"."""
    spacers = count()

    def spaced(line: str) -> str:
        if not re.fullmatch(rf"{CJK}{{2,4}}", line.strip()):
            return line
        return ["  ", "\u3000"][next(spacers) % 2].join(line.strip())

    return _map_lines(text, spaced)


def wrapped_labels(text: str) -> str:
    """Label lines of 8 characters and more wrapped in two, as a narrow column prints them ('（三）不予' / '公开')."""
    def wrap(line: str) -> str:
        body = line.strip()
        if len(body) < 8 or not _is_label(body):
            return line
        return body[: len(body) // 2] + "\n" + body[len(body) // 2:]

    return _map_lines(text, wrap)


PAGE_LINES = 37  # lines per "page" where page furniture is inserted (a prime: breaks fall at varied places)


def _paged(text: str, furniture) -> str:
    """Page furniture (furniture(page) -> lines) before every PAGE_LINES-th line, as pdftotext writes it."""
    newline = _newline(text)
    out: list[str] = []
    for i, line in enumerate(text.split(newline)):
        if i and i % PAGE_LINES == 0:
            out += furniture(i // PAGE_LINES)
        out.append(line)
    return newline.join(out)


def page_numbers(text: str) -> str:
    """pdftotext page breaks: '- 3 -' and a form feed before '第 3 页 共 9 页'."""
    return _paged(text, lambda n: [f"- {n} -", f"\f第 {n} 页 共 9 页"])


def running_header(text: str) -> str:
    """A running header with a year at each page break (noise: it may fall inside a table)."""
    return _paged(text, lambda n: ["政府信息公开工作年度报告（2023年度）"])


_NUMBER_LINE = re.compile(r"\s*[-+]?\d[\d,]*(?:\.\d+)?\s*")


def rows_on_one_line(text: str) -> str:
    """A table row on one line, as copied from a browser: each run of number-only lines (and lone decimal points)
    joined, tab-separated, to the line before it. Lossless: the text reader takes a tab for a cell boundary."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if out and line.strip() and (_NUMBER_LINE.fullmatch(line) or line.strip() == "."):
            out[-1] += "\t" + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def one_line(text: str) -> str:
    """Every line break dropped, as some crawlers store a page's text (cells glued: '规范性文件898989'). Lossy."""
    return "".join(line.strip() for line in text.replace("\r\n", "\n").split("\n"))


# -- text: characters and number forms -----------------------------------------------------------------------------
def fullwidth_digits(text: str) -> str:
    """Digits (and decimal points between digits) typed full-width: ２７９．４４."""
    text = re.sub(r"(?<=\d)\.(?=\d)", "．", text)
    return text.translate({ord("0") + i: 0xFF10 + i for i in range(10)})


def fullwidth_brackets(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


def halfwidth_brackets(text: str) -> str:
    return text.replace("（", "(").replace("）", ")")


def ideographic_comma_numbering(text: str) -> str:
    """Sub-row numbers written '1、属于国家秘密' instead of '1.属于国家秘密'."""
    return re.sub(rf"(\d)[.．](?=\s*{CJK})", r"\1、", text)


def straight_quotes(text: str) -> str:
    return text.replace("“", '"').replace("”", '"')


def curly_quotes(text: str) -> str:
    """Straight double quotes paired into curly ones."""
    quotes = count()
    return re.sub('"', lambda m: "“" if next(quotes) % 2 == 0 else "”", text)


_LARGE_NUMBER = r"\d{4,}(?:\.\d+)?"


def _with_separators(number: str) -> str:
    whole, dot, fraction = number.partition(".")
    return f"{int(whole):,}{dot}{fraction}"


def _separated(cell: str, unsettled: frozenset[str]) -> str:
    """A cell that is one number of four digits or more, with thousands separators (1,259)."""
    m = re.fullmatch(rf"(\s*)({_LARGE_NUMBER})(\s*)", cell)
    return m.group(1) + _with_separators(m.group(2)) + m.group(3) if m and m.group(2) not in unsettled else cell


def thousands_separators(text: str, unsettled: frozenset[str] = frozenset()) -> str:
    """Thousands separators where a line is one number. Left alone: numbers the source does not settle as one cell
    (`unsettled`: '1810' printed once for three cells), and the parts of a decimal broken over lines ('851' '.')."""
    lines = text.split("\n")
    near_point = {i + d for i, line in enumerate(lines) if line.strip() == "." for d in (-1, 1)}
    return "\n".join(line if i in near_point else _separated(line, unsettled) for i, line in enumerate(lines))


_DECIMAL_LINE = re.compile(r"^(\s*\d+)\.(\d+\s*)$", re.M)


def decimal_split_before_point(text: str) -> str:
    """An amount broken at its decimal point by a Word run boundary, the point opening the second line ('279' /
    '.44')."""
    return _DECIMAL_LINE.sub(lambda m: f"{m.group(1)}\n.{m.group(2)}", text)


def decimal_split_after_point(text: str) -> str:
    """The same, the point closing the first line ('279.' / '44')."""
    return _DECIMAL_LINE.sub(lambda m: f"{m.group(1)}.\n{m.group(2)}", text)


def decimal_split_around_point(text: str) -> str:
    """The same, the point on a line of its own ('279' / '.' / '44')."""
    return _DECIMAL_LINE.sub(lambda m: f"{m.group(1)}\n.\n{m.group(2)}", text)


# -- text: the page around the report ------------------------------------------------------------------------------
CHROME_HEADER = [
    "首页 | 政务公开 | 政务服务 | 互动交流 | 走进本市",
    "当前位置：首页 > 政务公开 > 政府信息公开 > 政府信息公开年报",
    "发布日期：2024-01-17  浏览次数：1256",
    "【字体：大 中 小】 【打印本页】 【关闭窗口】",
]
CHROME_FOOTER = [
    "分享到：微信 微博 QQ空间",
    "相关链接：中国政府网 | 省人民政府 | 市人民政府",
    "主办单位：市人民政府办公室  承办单位：市大数据中心",
    "网站标识码：3503000001  闽ICP备05012345号-1  闽公网安备 35030202000123号",
    "联系电话：0594-2281234  地址：市行政服务中心大楼6层",
]


def site_chrome(text: str) -> str:
    """Site header lines before the report and footer lines after it, as copies of the page carry them."""
    newline = _newline(text)
    return newline.join(CHROME_HEADER) + newline + text + newline + newline.join(CHROME_FOOTER) + newline


# Section 二's heading (not the "(二)主动公开…" of an overview), the end of table 三, table 四's heading and its last
# header word, and what follows table 四's values: section 五/六 or a lettered closing paragraph. Either script.
_SEC2 = re.compile(r"(?<![(（])[一二][、.．]\s*主[动動]\s*公[开開]\s*政府信息情[况況]")
_T3_LAST_ROW = re.compile(r"[结結][转轉]下年度")
_T4_HEADING = re.compile(r"行政[复複][议議]")
_T4_UPHELD = re.compile(r"[维維]\s*持")
_AFTER_T4 = re.compile(r"[五六][、.．]|[（(][一二][）)]")


def tables_only(text: str) -> str | None:
    """The narrative removed: from section 二's heading to the end of table 四 (None: not found)."""
    start = _SEC2.search(text)
    t3_end = start and _T3_LAST_ROW.search(text, start.end())
    t4 = t3_end and _T4_HEADING.search(text, t3_end.end())
    upheld = t4 and _T4_UPHELD.search(text, t4.end())
    if not upheld:
        return None
    values = re.compile(r"\d").search(text, upheld.end())  # after the header: a heading may repeat inside it
    end = values and _AFTER_T4.search(text, values.start())
    return text[start.start(): end.start() if end else len(text)]


# -- Markdown ------------------------------------------------------------------------------------------------------
_PIPE_ROW = re.compile(r"^\s*\|")


def _map_pipe_rows(text: str, fn) -> str:
    """fn(cells) -> line applied to each pipe-table row (cells without the outer pipes)."""
    def row(line: str) -> str:
        if not _PIPE_ROW.match(line):
            return line
        body = line.strip()
        body = body[1:-1] if body.endswith("|") and len(body) > 1 else body[1:]
        return fn(body.split("|"))

    return _map_lines(text, row)


def _map_pipe_cells(text: str, fn) -> str:
    return _map_pipe_rows(text, lambda cells: "|" + "|".join(fn(c) for c in cells) + "|")


def _is_separator(cells: list[str]) -> bool:
    return all(re.fullmatch(r"\s*:?-+:?\s*", c) for c in cells)


def md_cell_padding(text: str) -> str:
    return _map_pipe_cells(text, lambda c: f"   {c.strip()}    ")


def md_unicode_padding(text: str) -> str:
    """Cells padded with no-break and ideographic spaces."""
    return _map_pipe_cells(text, lambda c: f"\xa0{c.strip()}\u3000")


def md_no_outer_pipes(text: str) -> str:
    """GFM rows without their outer pipes; a pipe stays on a side whose cell is empty (else the cell would vanish)."""
    def row(cells: list[str]) -> str:
        cells = [c.strip() for c in cells]
        return ("| " if not cells[0] else "") + " | ".join(cells) + (" |" if not cells[-1] else "")

    return _map_pipe_rows(text, row)


def md_no_trailing_pipe(text: str) -> str:
    def row(cells: list[str]) -> str:
        cells = [c.strip() for c in cells]
        return "| " + " | ".join(cells) + (" |" if not cells[-1] else "")

    return _map_pipe_rows(text, row)


def md_aligned_separators(text: str) -> str:
    """Separator rows with alignment colons: |:---|:---:|---:|."""
    def row(cells: list[str]) -> str:
        if not _is_separator(cells):
            return "|" + "|".join(cells) + "|"
        return "|" + "|".join([":---", ":---:", "---:"][i % 3] for i in range(len(cells))) + "|"

    return _map_pipe_rows(text, row)


def md_br_in_labels(text: str) -> str:
    """Long label cells wrapped with <br> (converters keep a cell's line breaks that way)."""
    def cell(c: str) -> str:
        body = c.strip()
        return f" {body[: len(body) // 2]}<br>{body[len(body) // 2:]} " if _is_label(body) else c

    return _map_pipe_cells(text, cell)


def md_thousands_separators(text: str, unsettled: frozenset[str] = frozenset()) -> str:
    return _map_pipe_cells(text, lambda c: _separated(c, unsettled))


_PAGE_LINE = re.compile(r"^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$")


def md_running_header(text: str) -> str | None:
    """A PDF's running header after every page-number line (noise: a line with a year inside a table)."""
    if not any(_PAGE_LINE.match(line) for line in text.split("\n")):
        return None
    return _map_lines(text, lambda line: f"{line}\n政府信息公开工作年度报告（2025年）" if _PAGE_LINE.match(line) else line)


def md_flattened_to_text(text: str) -> str:
    """A PDF-to-text view of the page: every table cell on its own line, separator rows gone. Lossy: empty cells
    leave no trace. Read by the text reader."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not _PIPE_ROW.match(line):
            out.append(line)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not _is_separator(cells):
            out += [c for c in cells if c]
    return "\n".join(out)


# -- HTML ----------------------------------------------------------------------------------------------------------
_MARKUP = re.compile(r"(<!--.*?-->|<[^>]*>|&#?\w+;)", re.S)
_CHARSET = re.compile(r"""charset\s*=\s*["']?utf-?8["']?""", re.I)
# An innermost table cell (no cell or table inside): groups "d"/"h", attributes, content.
_INNER_CELL = re.compile(r"<t([dh])\b([^>]*)>((?:(?!<t[dh]\b|</t[dh]>|<table\b).)*)</t[dh]>", re.S | re.I)
_NUMBER = re.compile(r"(?<![\d.])[-+]?\d[\d,]*(?:\.\d+)?(?![\d.])")
_ATTRIBUTE = re.compile(r"""[^\s=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
_TABLE_TAG = re.compile(r"<(table|tbody|tr|td|th|p)\b([^>]*)>|</(table|tbody|tr|td|th|p)>", re.I)


def _map_text(markup: str, fn) -> str:
    """fn applied to the text between tags (never to tags, comments or entities)."""
    parts = _MARKUP.split(markup)
    return "".join(part if i % 2 else fn(part) for i, part in enumerate(parts))


def html_text(fn):
    """A text transformation applied to an HTML page's text only."""
    def apply(page: str) -> str:
        return _map_text(page, fn)

    apply.__name__ = fn.__name__
    return apply


def _cell_text(content: str) -> str:
    import html

    text = html.unescape(re.sub(r"<[^>]*>", "", content))
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _map_cells(page: str, fn) -> str:
    """fn(text, content) -> new content (None: unchanged) applied to every innermost table cell."""
    def cell(m: re.Match) -> str:
        content = fn(_cell_text(m.group(3)), m.group(3))
        return m.group(0) if content is None else f"<t{m.group(1)}{m.group(2)}>{content}</t{m.group(1)}>"

    return _INNER_CELL.sub(cell, page)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?\d[\d,]*(?:\.\d+)?", text))


def _gbk(page: str) -> bytes:
    return page.encode("gbk", errors="xmlcharrefreplace")  # what a GBK page does with a character GBK lacks


def gbk_declared(page: str) -> bytes:
    return _gbk(_CHARSET.sub("charset=gbk", page))


def gbk_declared_gb2312(page: str) -> bytes:
    """Labelled gb2312, as many sites do, but written in GBK."""
    return _gbk(_CHARSET.sub("charset=gb2312", page))


def gbk_undeclared(page: str) -> bytes:
    return _gbk(_CHARSET.sub("", page))


def utf8_undeclared(page: str) -> str:
    return _CHARSET.sub("", page)


def th_headers(page: str) -> str:
    """Header and label cells (any text but a number) marked up as <th>."""
    def cell(m: re.Match) -> str:
        text = _cell_text(m.group(3))
        return m.group(0) if not text or _is_number(text) else f"<th{m.group(2)}>{m.group(3)}</th>"

    return _INNER_CELL.sub(cell, page)


def nbsp_around_numbers(page: str) -> str:
    """&nbsp; on both sides of the value in every cell holding one number."""
    def around(part: str) -> str:
        return _NUMBER.sub(lambda n: f"&nbsp;{n.group(0)}&nbsp;", part)

    return _map_cells(page, lambda text, content: _map_text(content, around) if _is_number(text) else None)


def html_thousands_separators(page: str, unsettled: frozenset[str] = frozenset()) -> str:
    def separated(text: str, content: str) -> str | None:
        if not re.fullmatch(_LARGE_NUMBER, text) or text in unsettled:
            return None
        return _map_text(content, lambda part: re.sub(_LARGE_NUMBER, lambda n: _with_separators(n.group(0)), part))

    return _map_cells(page, separated)


def blank_cells_nbsp(page: str) -> str:
    """Empty cells written as Word writes them: <p>&nbsp;</p>."""
    return _map_cells(page, lambda text, content: "<p>&nbsp;</p>" if not text else None)


def html_br_in_labels(page: str) -> str:
    """Long label cells broken with <br> ('（三）不予<br>公开')."""
    def wrapped(text: str, content: str) -> str | None:
        parts = _MARKUP.split(content)
        texts = [i for i, part in enumerate(parts) if i % 2 == 0 and part.strip()]
        if len(texts) != 1 or not _is_label(body := parts[texts[0]].strip()):
            return None
        parts[texts[0]] = parts[texts[0]].replace(body, f"{body[: len(body) // 2]}<br/>{body[len(body) // 2:]}")
        return "".join(parts)

    return _map_cells(page, wrapped)


def pretty_printed(page: str) -> str:
    """Table markup pretty-printed: one attribute per line, line breaks and indentation around rows, cells and
    paragraphs (whitespace a browser does not render: at the start and end of block content)."""
    def tag(m: re.Match) -> str:
        if m.group(3):
            return f"\n\t\t</{m.group(3)}>\n\t"
        attributes = "".join(f"\n\t\t\t{a}" for a in _ATTRIBUTE.findall(m.group(2)))
        return f"\n\t<{m.group(1)}{attributes}>\n\t\t"

    return _TABLE_TAG.sub(tag, page)


def uppercase_tags(page: str) -> str:
    """Old editors' markup: <TABLE>, <TR>, <TD>."""
    return re.sub(r"(</?)(table|tbody|tr|td|th)\b", lambda m: m.group(1) + m.group(2).upper(), page, flags=re.I)


def div_wrapped_tables(page: str) -> str:
    page = re.sub(r"<table\b", '<div class="table-responsive" style="overflow-x:auto"><table', page, flags=re.I)
    return re.sub(r"</table>", "</table></div>", page, flags=re.I)


def html_site_chrome(page: str) -> str:
    menu = "".join(f"<li><a href='#'>{item}</a></li>" for item in CHROME_HEADER[0].split(" | "))
    header = f'<div class="header"><ul class="menu">{menu}</ul>' + "".join(f"<p>{x}</p>" for x in CHROME_HEADER[1:])
    footer = '<div class="footer">' + "".join(f"<p>{x}</p>" for x in CHROME_FOOTER) + "</div>"
    page = re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + header + "</div>", page, count=1, flags=re.I)
    return re.sub(r"(</body>)", lambda m: footer + m.group(1), page, count=1, flags=re.I)


def _page_soup(page: str):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "lxml")
    for tag in soup(["script", "style", "head", "noscript", "iframe"]):
        tag.decompose()
    return soup


def html_flattened_to_text(page: str) -> str:
    """The page as a crawler saves its text: every text node on its own line, scripts and styles dropped. Lossy:
    blank cells leave no trace, runs of one number may fall on separate lines. Read by the text reader."""
    return _page_soup(page).get_text("\n")


def html_copied_as_tsv(page: str) -> str:
    """The page copied from a browser into a text file: each table row one line of tab-separated cells. Lossy: for
    the text reader a row is one token and blank cells are only runs of tabs."""
    soup = _page_soup(page)
    for tr in soup.find_all("tr"):
        if tr.find("table") is None:
            cells = [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"], recursive=False)]
            tr.replace_with("\n" + "\t".join(cells) + "\n")
    return re.sub(r"\n\s*\n+", "\n", soup.get_text("\n"))


# -- the transformations -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transform:
    name: str
    formats: tuple[str, ...]  # suffixes it applies to
    fn: object
    lossless: bool = True  # False: information lost or noise added; then nothing may come out wrong
    suffix: str | None = None  # the copy's suffix where the format changes
    unsettled: bool = False  # fn(text, unsettled): leave alone the numbers gold lists as ambiguous

    def apply(self, path: Path) -> str | bytes | None:
        text = _source_text(path)
        return self.fn(text, _unsettled(path.stem)) if self.unsettled else self.fn(text)


def _unsettled(report_id: str) -> frozenset[str]:
    """Printed forms of the gold values of the cells gold lists as ambiguous."""
    expected = gold(report_id)
    out = set()
    for key in expected.get("ambiguous", []):
        table, row, column = key.split(".")
        value = expected.get(table, {}).get(row, {}).get(column)
        if value is not None:
            out.add(str(value).removesuffix(".0"))
    return frozenset(out)


CONTENT = [fullwidth_digits, fullwidth_brackets, halfwidth_brackets, ideographic_comma_numbering, straight_quotes,
           curly_quotes]
TXT, MD, HTML = ".txt", ".md", ".html"

TRANSFORMS = [
    Transform("line_endings", (TXT, MD, HTML), toggle_line_endings),
    Transform("bom", (TXT, MD, HTML), with_bom),
    Transform("gb18030", (TXT, MD), as_gb18030),
    Transform("utf16", (TXT, MD), as_utf16),
    Transform("traditional_big5", (TXT,), traditional_big5),
    Transform("padded_lines", (TXT,), padded_lines),
    Transform("blank_lines", (TXT,), blank_lines),
    Transform("spaced_labels", (TXT,), spaced_labels),
    Transform("wrapped_labels", (TXT,), wrapped_labels),
    Transform("page_numbers", (TXT,), page_numbers),
    *[Transform(fn.__name__, (TXT, MD), fn) for fn in CONTENT],
    *[Transform(fn.__name__, (HTML,), html_text(fn)) for fn in CONTENT],
    Transform("thousands_separators", (TXT,), thousands_separators, unsettled=True),
    Transform("thousands_separators", (MD,), md_thousands_separators, unsettled=True),
    Transform("thousands_separators", (HTML,), html_thousands_separators, unsettled=True),
    Transform("decimal_split_before_point", (TXT,), decimal_split_before_point),
    Transform("decimal_split_after_point", (TXT,), decimal_split_after_point),
    Transform("decimal_split_around_point", (TXT,), decimal_split_around_point),
    Transform("site_chrome", (TXT, MD), site_chrome),
    Transform("site_chrome", (HTML,), html_site_chrome),
    Transform("tables_only", (TXT, MD), tables_only),
    Transform("md_cell_padding", (MD,), md_cell_padding),
    Transform("md_unicode_padding", (MD,), md_unicode_padding),
    Transform("md_no_outer_pipes", (MD,), md_no_outer_pipes),
    Transform("md_no_trailing_pipe", (MD,), md_no_trailing_pipe),
    Transform("md_aligned_separators", (MD,), md_aligned_separators),
    Transform("md_br_in_labels", (MD,), md_br_in_labels),
    Transform("gbk_declared", (HTML,), gbk_declared),
    Transform("gbk_declared_gb2312", (HTML,), gbk_declared_gb2312),
    Transform("gbk_undeclared", (HTML,), gbk_undeclared),
    Transform("utf8_undeclared", (HTML,), utf8_undeclared),
    Transform("th_headers", (HTML,), th_headers),
    Transform("nbsp_around_numbers", (HTML,), nbsp_around_numbers),
    Transform("blank_cells_nbsp", (HTML,), blank_cells_nbsp),
    Transform("br_in_labels", (HTML,), html_br_in_labels),
    Transform("pretty_printed", (HTML,), pretty_printed),
    Transform("uppercase_tags", (HTML,), uppercase_tags),
    Transform("div_wrapped_tables", (HTML,), div_wrapped_tables),
    Transform("rows_on_one_line", (TXT,), rows_on_one_line),
    # Lossy or noisy: nothing may come out wrong.
    Transform("running_header", (TXT,), running_header, lossless=False),
    Transform("md_running_header", (MD,), md_running_header, lossless=False),
    Transform("one_line", (TXT,), one_line, lossless=False),
    Transform("flattened_to_text", (HTML,), html_flattened_to_text, lossless=False, suffix=TXT),
    Transform("flattened_to_text", (MD,), md_flattened_to_text, lossless=False, suffix=TXT),
    Transform("copied_as_tsv", (HTML,), html_copied_as_tsv, lossless=False, suffix=TXT),
]

# Cases failing today, with their root cause (most important first). Fixed so far: a decimal point broken from its
# digits ('279.' / '44', '851 . 776247') was dropped and the digits joined into a number 10^k too big.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _changes(transform: Transform, path: Path) -> bool:
    if transform.suffix:  # a conversion to another format always changes the bytes (and is costly to run here)
        return True
    out = transform.apply(path)
    if out is None:
        return False
    return (out if isinstance(out, bytes) else out.encode("utf-8")) != path.read_bytes()


def _cases() -> list:
    out = []
    for path in REPORTS:
        for t in TRANSFORMS:
            if path.suffix not in t.formats or not _changes(t, path):  # a no-op would test nothing
                continue
            reason = KNOWN_FAILURES.get((path.stem, t.name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(path, t, id=f"{path.stem}-{t.name}", marks=marks))
    return out


def _wrong(report, expected: dict) -> list[str]:
    """What a report publishes wrongly against gold: a value that differs, a value where the source has none, a
    value where the source cannot settle the cell."""
    ambiguous = set(expected.get("ambiguous", []))
    golden = {f"{table}.{row}.{col}": v for table in ("proactive_disclosure", "applications", "review_litigation")
              for row, cols in expected.get(table, {}).items() for col, v in cols.items()}
    out = []
    for c in report.cells:
        if c.value is None or c.status not in ("reported", "derived") or c.key not in golden:
            continue
        if c.key in ambiguous:
            out.append(f"guessed {c.key}: {c.value} (gold: ambiguous) at {c.source_ref}")
        elif golden[c.key] is None:
            out.append(f"false reported {c.key}: {c.value} (gold: none) at {c.source_ref}")
        elif abs(float(c.value) - float(golden[c.key])) > 1e-6:
            out.append(f"wrong {c.key}: {c.value} (gold {golden[c.key]}) at {c.source_ref}")
    return out


@pytest.mark.parametrize("path, transform", _cases())
def test_transformed_copy_reads_the_same(path, transform, tmp_path):
    original = _original(path)
    copy = _read_copy(path, transform.apply(path), tmp_path, transform.suffix)
    if transform.lossless:
        assert copy.layouts == original.layouts
        diff = [(a, b) for a, b in zip(_cells(copy), _cells(original)) if a != b]
        assert _cells(copy) == _cells(original), f"{len(diff)} cells differ (copy, original), first: {diff[:5]}"
    else:
        assert any(c.status == "reported" for c in copy.cells), "nothing read at all"
        assert _wrong(copy, gold(path.stem)) == []


# -- no silent wrong number ----------------------------------------------------------------------------------------
# The cell to change: in an outcome row (H3 and H2 hold it) or in the new-requests row (H3 and H1).
TARGETS = {"outcome": "H2", "new_requests": "H1"}
# Sources with one number per cell whose identities hold where the changed cell lies. Left out: 2023_shuyang_fgj_1
# (its blank cells leave every H3 not assessable) and the outcome rows of the Markdown reports (H2 not assessable:
# some outcome rows are not read from these lossy conversions).
CORRUPTED = [(r, kind) for r in ("seed_luzhou_2020", "2019_sanming_1", "2022_sanming_1", "2024_sanming_1",
                                 "2024_pingtan_html_1", "2025_pingtan_html_1") for kind in TARGETS]
CORRUPTED += [("2025_shanghai_office_1", "new_requests")]
# Rows read only through the arithmetic: runs of equal cells printed once ('2 0 2' for 2 0 0 0 0 0 2), or seven
# values followed by a padding blank cell (Markdown '| 32 | … | 34 |  |'). A changed number ('3 0 2') leaves such a
# row no reading the identities confirm: it must be flagged, or, where read as printed, fail H3.
BY_ARITHMETIC = [("2019_putian_2", "outcome"), ("2023_putian_cg_1", "outcome"), ("2024_putian_sjj_1", "outcome"),
                 ("2024_shanghai_kewei_1", "new_requests")]


def _check(report, check_id: str, subject: str) -> str | None:
    return next((c.result for c in report.checks if c.check_id == check_id and c.subject == subject), None)


def _target(report, kind: str):
    """The first cell of the kind (template order, applicant columns) read as its gold value from a whole token,
    whose row and column identities pass as printed: changing it must break them. (None, None) if there is none."""
    from opendata.spec.template import TEMPLATE

    expected = gold(report.report_id)["applications"]
    rows = ["new_requests"] if kind == "new_requests" else [
        r.code for r in TEMPLATE.application_value_rows(report.layouts["applications"]) if r.get("outcome")]
    columns = [c.code for c in TEMPLATE.table("applications").codes("columns") if not c.get("total")]
    cells = report.table_cells("applications")
    for row in rows:
        for col in columns:
            cell, value = cells.get((row, col)), expected.get(row, {}).get(col)
            if value is None or cell is None or cell.status != "reported" or ":c" in cell.source_ref:
                continue
            held = ("pass", "used_to_read")  # rows read by the arithmetic report used_to_read where it held
            if (_check(report, "H3", f"applications.{row}") in held
                    and _check(report, TARGETS[kind], f"applications.{col}") in held):
                return cell, value
    return None, None


def _bump(text: str, value: int) -> str:
    """A cell's text printing exactly `value`, with value + 1 instead."""
    folded = unicodedata.normalize("NFKC", text)
    assert _NUMBER.findall(folded) == [str(value)], f"the cell prints {text!r}, not {value}"
    return _NUMBER.sub(str(value + 1), folded)


def _corrupt_text(page: str, ref: str, value: int) -> str:
    n = int(re.fullmatch(r"L(\d+)", ref).group(1))
    lines = page.split("\n")
    lines[n - 1] = _bump(lines[n - 1], value)
    return "\n".join(lines)


def _corrupt_markdown(page: str, ref: str, value: int) -> str:
    n, col = (int(x) for x in re.fullmatch(r"L(\d+)/c(\d+)", ref).groups())
    lines = page.split("\n")
    lead = lines[n - 1].index("|")
    cells = lines[n - 1][lead + 1:].split("|")
    cells[col - 1] = _bump(cells[col - 1], value)
    lines[n - 1] = lines[n - 1][: lead + 1] + "|".join(cells)
    return "\n".join(lines)


def _corrupt_html(page: str, ref: str, value: int) -> tuple[str, str]:
    """The page re-serialised by lxml: unchanged, and with the cell at `ref` changed (found with the reader's own
    grid placement; the cell must print exactly the gold value)."""
    import lxml.html

    from opendata.read.html import grid, parse

    t, r, c = (int(x) for x in re.fullmatch(r"t(\d+)/r(\d+)/c(\d+)", ref).groups())
    root = parse(page)
    unchanged = lxml.html.tostring(root, encoding="unicode")
    cell = next(el for row, col, _, _, el in grid(list(root.iter("table"))[t - 1]) if (row, col) == (r, c))
    texts = [(el, attr) for el in cell.iter() for attr in ("text", "tail")
             if (el is not cell or attr == "text") and (getattr(el, attr) or "").strip()]
    assert len(texts) == 1, f"cell {ref} holds {cell.text_content()!r}"
    el, attr = texts[0]
    setattr(el, attr, _bump(getattr(el, attr), value))
    return unchanged, lxml.html.tostring(root, encoding="unicode")


def _corrupt(path: Path, ref: str, value: int) -> str:
    corrupt = _corrupt_markdown if path.suffix == MD else _corrupt_text
    return corrupt(_source_text(path), ref, value)


@pytest.mark.parametrize("report_id, kind", CORRUPTED, ids=lambda x: x)
def test_changed_number_fails_its_identities(report_id, kind, tmp_path):
    path = source(report_id)
    original = _original(path)
    cell, value = _target(original, kind)
    assert cell is not None, f"no {kind} cell of table 三 read from a whole token with passing identities"
    if path.suffix == HTML:
        unchanged, page = _corrupt_html(_source_text(path), cell.source_ref, value)
        # Re-serialising alone must not change the reading, or the test would not isolate the changed number.
        assert _cells(_read_copy(path, unchanged, tmp_path / "unchanged")) == _cells(original)
    else:
        page = _corrupt(path, cell.source_ref, value)
    changed = _read_copy(path, page, tmp_path / "changed")

    read = changed.table_cells("applications")[(cell.row, cell.column)]
    assert (read.status, read.value) == ("reported", value + 1), f"{cell.key} read as {read.status} {read.value}"
    assert _check(changed, "H3", f"applications.{cell.row}") == "fail"
    assert _check(changed, TARGETS[kind], f"applications.{cell.column}") == "fail"
    others = [(k, s, v) for k, s, v in _cells(changed) if k != cell.key]
    assert others == [(k, s, v) for k, s, v in _cells(original) if k != cell.key], "other cells changed"


@pytest.mark.parametrize("report_id, kind", BY_ARITHMETIC, ids=lambda x: x)
def test_changed_number_in_row_read_by_arithmetic_is_not_silent(report_id, kind, tmp_path):
    path = source(report_id)
    original = _original(path)
    cell, value = _target(original, kind)
    assert cell is not None, f"no {kind} cell of table 三 read from a whole token with passing identities"
    changed = _read_copy(path, _corrupt(path, cell.source_ref, value), tmp_path)

    reported = [c for c in changed.cells if c.table == "applications" and c.row == cell.row and c.status == "reported"]
    assert not reported or _check(changed, "H3", f"applications.{cell.row}") == "fail", \
        f"row {cell.row} read silently: {[(c.column, c.value) for c in reported]}"
    read = changed.table_cells("applications")[(cell.row, cell.column)]
    assert read.status != "reported" or read.value == value + 1, f"{cell.key} read as {read.value}"
    before = {k: (s, v) for k, s, v in _cells(original)}
    moved = [(k, before[k], (s, v)) for k, s, v in _cells(changed)
             if not k.startswith(f"applications.{cell.row}.") and s == "reported" and before[k] != (s, v)]
    assert moved == [], f"other cells read differently: {moved[:5]}"
