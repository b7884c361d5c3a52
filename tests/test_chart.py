"""Charts of comparisons: well-formed SVG / HTML with Chinese labels, the unit on the axis, the source in the caption,
bars and points placed by the values; and the SVG renders (cairosvg) to a PNG with the labels drawn."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from conftest import gold, published_reports

SVG = "{http://www.w3.org/2000/svg}"


def invoke(*args):
    from opendata.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def cjk_font_installed() -> bool:
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


def texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def putian_bar(comparison_package, tmp_path_factory):
    assert sum(r.startswith("2023_putian_") for r in published_reports(comparison_package)) == 5
    path = tmp_path_factory.mktemp("chart") / "putian.svg"
    r = invoke("compare", "grant_rate", "--year", 2023, "--scope", "agency", "--region", "莆田", "--min-requests", 1,
               "-p", comparison_package, "-f", "json", "--chart", path)
    assert r.exit_code == 0, r.output
    return path, json.loads(r.stdout)


@pytest.fixture(scope="module")
def sanming_line(comparison_package, tmp_path_factory):
    path = tmp_path_factory.mktemp("chart") / "sanming.html"
    r = invoke("compare", "requests_received", "--region", "三明", "--by", "year", "-p", comparison_package,
               "-f", "json", "--chart", path)
    assert r.exit_code == 0, r.output
    return path, json.loads(r.stdout)


def test_bar_chart_labels_axis_caption_and_bar_lengths(putian_bar, comparison_package):
    path, rows = putian_bar
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg" and "Noto Sans CJK SC" in root.get("font-family")
    words = texts(root)
    for r in rows:
        assert f"{r['rank']}. {r['agency']}" in words  # Chinese department names as labels
    assert "予以公开率 Grant rate (%)" in words  # axis label with the unit
    meta = json.loads((comparison_package / "datapackage.json").read_text(encoding="utf-8"))
    caption = " ".join(words)
    assert "数据来源" in caption and meta["name"] in caption and meta["version"] in caption
    bars = [float(b.get("width")) for b in root.iter(f"{SVG}rect") if b.get("fill") != "#ffffff"]
    assert len(bars) == len(rows)
    # bar lengths follow the values: the gold grant rates of two departments, computed by hand
    by_agency = {r["agency"]: (r["value"], w) for r, w in zip(rows, bars)}
    cg, slj = gold("2023_putian_cg_1")["applications"], gold("2023_putian_slj_1")["applications"]
    rate_cg = cg["granted"]["total"] / cg["result_total"]["total"]
    rate_slj = slj["granted"]["total"] / slj["result_total"]["total"]
    assert by_agency["莆田市城市管理局"][1] / by_agency["莆田市水利局"][1] == pytest.approx(rate_cg / rate_slj, rel=0.01)


def test_line_chart_is_a_self_contained_page(sanming_line):
    path, rows = sanming_line
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "src=" not in page and "href=" not in page and page.count("http") == 1  # only the SVG namespace
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    words = texts(root)
    assert "福建省三明市" in words and "本年新收申请数 Requests received (件)" in " ".join(root.itertext())
    assert [str(y) for y in range(2019, 2026)] == [w for w in words if w.isdigit() and len(w) == 4]
    points = list(root.iter(f"{SVG}circle"))
    assert len(points) == len([r for r in rows if r["value"] is not None])
    # higher values sit higher: y decreases as the number of requests grows
    ys = {r["year"]: float(c.get("cy")) for r, c in zip([r for r in rows if r["value"] is not None], points)}
    values = {r["year"]: r["value"] for r in rows}
    for a in ys:
        for b in ys:
            if values[a] > values[b]:
                assert ys[a] < ys[b]


def render_png(svg_path, png_path):
    try:
        import cairosvg
    except OSError as exc:  # cairosvg is a test dependency; it needs the system's libcairo2
        pytest.skip(f"cairosvg cannot render here: {exc}")
    from PIL import Image

    cairosvg.svg2png(url=str(svg_path), write_to=str(png_path))
    return Image.open(png_path).convert("L")


def test_the_svg_renders_to_png(putian_bar, tmp_path):
    path, rows = putian_bar
    image = render_png(path, tmp_path / "chart.png")
    root = ET.parse(path).getroot()
    assert image.size == (int(root.get("width")), int(root.get("height")))
    bars = [b for b in root.iter(f"{SVG}rect") if b.get("fill") != "#ffffff"]
    for bar in bars:  # each bar is painted where the SVG puts it
        x, y, w = float(bar.get("x")), float(bar.get("y")), float(bar.get("width"))
        middle = image.getpixel((int(x + w / 2), int(y + 10)))
        assert middle < 200, f"no bar painted at {x + w / 2}, {y + 10}"


def test_chinese_labels_are_drawn(putian_bar, tmp_path):
    if not cjk_font_installed():
        pytest.skip("no CJK font for cairo to draw Chinese labels with (Debian: apt-get install fonts-noto-cjk)")
    path, rows = putian_bar
    image = render_png(path, tmp_path / "chart.png")
    root = ET.parse(path).getroot()
    labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end" and ". " in (t.text or "")]
    assert len(labels) == len(rows)
    for label in labels:  # ink where the Chinese part of each label is drawn (right-aligned, ending at x)
        x, y = float(label.get("x")), float(label.get("y"))
        box = image.crop((int(x) - 60, int(y) - 12, int(x), int(y) + 3))
        assert box.getextrema()[0] < 100, f"label {label.text!r} left no ink"


def test_chart_errors(comparison_package, tmp_path):
    r = invoke("compare", "grant_rate", "-p", comparison_package, "--chart", tmp_path / "chart.png")
    assert r.exit_code == 1 and ".svg or .html" in r.stderr
    r = invoke("compare", "grant_rate", "--year", 1990, "-p", comparison_package, "--chart", tmp_path / "c.svg")
    assert r.exit_code == 1 and "nothing to chart" in r.stderr


def test_ticks_and_numbers():
    from opendata.query.chart import format_value, nice_ticks

    ticks = nice_ticks(0, 73.4)
    assert ticks[0] == 0 and ticks[-1] >= 73.4 and len(ticks) <= 7
    assert all(b > a for a, b in zip(ticks, ticks[1:]))
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert format_value(69.07514450867052, "%") == "69.1%" and format_value(257861, "件") == "257,861"
    assert format_value(None) == "—"
