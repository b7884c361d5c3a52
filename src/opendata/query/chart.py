"""Charts of a comparison as plain SVG (or SVG inside a self-contained HTML page): a bar chart of a ranking, a line
chart of a series by year.

Small on purpose: no plotting dependency. Text is set in a CJK-capable font stack so Chinese region and agency names
render wherever one of those fonts is installed (any browser; cairosvg with e.g. Debian's fonts-noto-cjk).
"""

from __future__ import annotations

import math
import unicodedata
from html import escape
from pathlib import Path

FONT_STACK = ("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', "
              "'PingFang SC', 'Hiragino Sans GB', 'Noto Sans', 'DejaVu Sans', sans-serif")
COLORS = ["#3b6ea8", "#d0733a", "#4f9a5b", "#a1469e", "#8c6d31", "#c2415d", "#3f8f9c", "#6b6b6b"]
FONT = 13  # px
WIDTH = 960
CHART_FORMATS = (".svg", ".html")


class ChartError(ValueError):
    pass


# Text measures (no font metrics at hand: a CJK character is one em wide, other characters about 0.6 em) ----------
def text_width(text: str, size: float = FONT) -> float:
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


def _text(x: float, y: float, text: str, size: float = FONT, anchor: str = "start", weight: str = "normal",
          fill: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{escape(text)}</text>')


# Numbers ----------------------------------------------------------------------------------------------------------
def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (0 included)."""
    low, high = min(0.0, low), max(0.0, high)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, t = [], start
    while t < high + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def format_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9:
        text = f"{int(round(value)):,}"
    else:
        text = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    return text + ("%" if unit == "%" else "")


# Chart parts ------------------------------------------------------------------------------------------------------
def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{escape(FONT_STACK)}">\n'
            f"<title>{escape(title)}</title>\n"
            f'<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n")


def _header(title: str, subtitle: str) -> list[str]:
    return [_text(20, 30, title, 18, weight="bold"), _text(20, 52, subtitle, FONT, fill="#555")]


def _caption(lines: list[str], top: float) -> list[str]:
    return [_text(20, top + 18 * i, line, 11, fill="#555") for i, line in enumerate(lines)]


def caption_lines(comparison, width: float = WIDTH - 40) -> list[str]:
    src = comparison.source or {}
    m = comparison.metric
    source = (f"数据来源 Source: {src.get('title') or 'opendata package'} — data package {src.get('name', '')} "
              f"v{src.get('version', '?')} (built {src.get('created', '?')}), from the published 政府信息公开工作年度报告.")
    definition = f"Metric {m.id}: {m.definition}"
    if m.is_rate:
        definition += f" Denominator: {m.denominator_en or 'see opendata info ' + m.id}."
    return wrap(source, width, 11) + wrap(definition, width, 11)


def bar_label(row: dict, many_years: bool) -> str:
    name = row["agency"] if row["scope"] == "agency" else row["region"]
    return f"{name} {row['year']}" if many_years else str(name)


def bar_chart(comparison, subtitle: str = "") -> str:
    """A horizontal bar per ranked report, highest first, value at the bar's end."""
    rows = [dict(zip(comparison.columns, r)) for r in comparison.rows]
    if not rows:
        raise ChartError("nothing to chart: no report was ranked")
    m = comparison.metric
    many_years = len({r["year"] for r in rows}) > 1
    labels = [f"{r['rank']}. {bar_label(r, many_years)}" for r in rows]
    left = 30 + max(text_width(label) for label in labels)
    width = max(WIDTH, left + 480)
    plot_w, top, bar_h, gap = width - left - 90, 80, 20, 8
    ticks = nice_ticks(min(r["value"] for r in rows), max(r["value"] for r in rows))
    lo, hi = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    plot_h = len(rows) * (bar_h + gap)
    body = _header(f"{m.zh}  {m.en}", subtitle)
    for t in ticks:
        body.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{top + plot_h}" stroke="#e3e3e3"/>')
        body.append(_text(x(t), top + plot_h + 18, format_value(t), 11, "middle", fill="#444"))
    for i, (r, label) in enumerate(zip(rows, labels)):
        y = top + i * (bar_h + gap)
        x0, x1 = sorted((x(0), x(r["value"])))
        body.append(_text(left - 10, y + bar_h * 0.72, label, FONT, "end"))
        body.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar_h}" fill="{COLORS[0]}"/>')
        body.append(_text(x1 + 6, y + bar_h * 0.72, format_value(r["value"], m.unit), 12))
    body.append(f'<line x1="{x(0):.1f}" y1="{top - 4}" x2="{x(0):.1f}" y2="{top + plot_h}" stroke="#666"/>')
    body.append(_text(left + plot_w / 2, top + plot_h + 40, m.axis_label, FONT, "middle"))
    caption = caption_lines(comparison, width - 40)
    body += _caption(caption, top + plot_h + 68)
    return _svg(width, top + plot_h + 80 + 18 * len(caption), m.label, body)


def _series(points: dict, years: list[int], x, y, color: str, unit: str, na_y: float) -> list[str]:
    """One body's line: segments between consecutive years with values, a labelled dot per value."""
    out = []
    for year in range(years[0], years[-1]):
        a, b = points.get(year), points.get(year + 1)
        if a is not None and b is not None:
            out.append(f'<line x1="{x(year):.1f}" y1="{y(a):.1f}" x2="{x(year + 1):.1f}" y2="{y(b):.1f}" '
                       f'stroke="{color}" stroke-width="2.5"/>')
    for year, v in sorted(points.items()):
        if v is not None:
            out.append(f'<circle cx="{x(year):.1f}" cy="{y(v):.1f}" r="4" fill="{color}"/>')
            out.append(_text(x(year), y(v) - 9, format_value(v, unit), 11, "middle"))
        else:  # a report exists but its value cannot be computed: say so rather than leave a silent gap
            out.append(_text(x(year), na_y, "n/a", 11, "middle", fill="#999"))
    return out


def line_chart(comparison, subtitle: str = "") -> str:
    """One line per body (region and agency) across years; a missing or uncomputable year breaks the line."""
    rows = [dict(zip(comparison.columns, r)) for r in comparison.rows]
    values = [r["value"] for r in rows if r["value"] is not None]
    if not values:
        raise ChartError("nothing to chart: no value could be computed for the selected reports")
    m = comparison.metric
    bodies: dict[tuple, dict[int, float | None]] = {}
    for r in rows:
        bodies.setdefault((r["region"], r["agency"], r["scope"]), {})[r["year"]] = r["value"]
    years = sorted({r["year"] for r in rows})
    left, top, width, plot_h = 90, 80, WIDTH, 320
    legend = [f"{region} {agency}" if scope == "agency" else str(region) for region, agency, scope in bodies]
    plot_w = width - left - 40
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]

    def x(year: int) -> float:
        return left + (0.5 if len(years) == 1 else (year - years[0]) / (years[-1] - years[0])) * plot_w

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    body = _header(f"{m.zh}  {m.en}", subtitle)
    for t in ticks:
        body.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{left + plot_w}" y2="{y(t):.1f}" stroke="#e3e3e3"/>')
        body.append(_text(left - 8, y(t) + 4, format_value(t), 11, "end", fill="#444"))
    for year in range(years[0], years[-1] + 1):
        body.append(_text(x(year), top + plot_h + 18, str(year), 11, "middle", fill="#444"))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#666"/>')
    for i, points in enumerate(bodies.values()):
        body += _series(points, years, x, y, COLORS[i % len(COLORS)], m.unit, top + plot_h - 8)
    axis_y = top + plot_h / 2
    body.append(f'<text x="22" y="{axis_y:.1f}" font-size="{FONT}" text-anchor="middle" fill="#222" '
                f'transform="rotate(-90 22 {axis_y:.1f})">{escape(m.axis_label)}</text>')
    body.append(_text(left + plot_w / 2, top + plot_h + 40, "报告年度 Report year", FONT, "middle"))
    legend_top = top + plot_h + 62
    for i, name in enumerate(legend):
        body.append(f'<rect x="20" y="{legend_top + 18 * i - 10}" width="12" height="12" fill="{COLORS[i % len(COLORS)]}"/>')
        body.append(_text(38, legend_top + 18 * i, name, 12))
    caption = caption_lines(comparison, width - 40)
    caption_top = legend_top + 18 * len(legend) + 10
    body += _caption(caption, caption_top)
    return _svg(width, caption_top + 18 * len(caption) + 4, m.label, body)


def chart_svg(comparison, subtitle: str = "") -> str:
    return bar_chart(comparison, subtitle) if comparison.by == "rank" else line_chart(comparison, subtitle)


def html_page(svg: str, title: str) -> str:
    """A self-contained page around the SVG (a browser picks a CJK font from the stack)."""
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n"
            f"<style>body {{ margin: 16px; font-family: {FONT_STACK}; background: #fff; }}</style>\n"
            f"</head>\n<body>\n{svg}</body>\n</html>\n")


def write_chart(comparison, path: Path, subtitle: str = "") -> Path:
    """Write the comparison's chart as .svg or .html (by the file's suffix)."""
    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise ChartError(f"{path}: a chart is written as .svg or .html, not {suffix or 'a file without suffix'}")
    svg = chart_svg(comparison, subtitle)
    text = svg if suffix == ".svg" else html_page(svg, comparison.metric.label)
    path.write_text(text, encoding="utf-8")
    return path
