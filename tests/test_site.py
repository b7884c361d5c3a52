"""The static site (`opendata site`), built from a package of every bundled report and opened in real headless
Chromium (Debian's chromium + chromium-driver, driven by selenium): pages load without console errors, each report's
three tables in the DOM hold the package's numbers where the template prints them, and rankings sort on click.
Expected values come from DuckDB queries of the package and from schemas/template.yaml, never from the site code."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import SOURCES, sql

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
NO_BROWSER = ("Debian's chromium / chromium-driver are not installed (apt-get install chromium chromium-driver "
              "fonts-noto-cjk); the site's browser tests need them")
CELL_TABLES = {"proactive_disclosure": ("item", "measure"), "applications": ("row", "applicant"),
               "review_litigation": ("block", "outcome")}


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """Every bundled report (sources/), published as `opendata build` publishes it."""
    from opendata.pipeline import build_package

    out = tmp_path_factory.mktemp("site-pkg") / "datapackage"
    batch = build_package([SOURCES], out, None)
    assert batch.reports and not batch.reading_errors
    return out


@pytest.fixture(scope="module")
def site(package, tmp_path_factory) -> Path:
    from opendata.site.build import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    build_site(package, out)
    return out


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(NO_BROWSER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="site-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path: Path) -> None:
    """Load a page from file:// and assert the browser logged no error (a failed asset, a script error)."""
    driver.get(path.resolve().as_uri())
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"{path.name}: console errors {errors}"
    # site.js ran: it makes every sortable header focusable.
    assert driver.execute_script(
        "return Array.from(document.querySelectorAll('table.sortable th')).every(th => th.tabIndex === 0)")


DOM_CELLS = """return Array.from(document.querySelectorAll('td[data-table]')).map(td =>
    [td.dataset.table, td.dataset.row, td.dataset.col, td.dataset.status, td.textContent.trim()]);"""


def package_cells(package: Path, report_id: str) -> dict[tuple, dict]:
    out = {}
    for table, (row, col) in CELL_TABLES.items():
        for c in sql(package, f"select {row} as r, {col} as c, value, status, raw from {table} where report_id = ?",
                     report_id):
            out[(table, c["r"], c["c"])] = c
    return out


def expected_text_ok(cell: dict, text: str) -> bool:
    """Does the DOM text show the published cell: its number, its marker as printed, or no number at all."""
    status = cell["status"]
    if status in ("reported", "derived"):
        return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None and float(text) == float(cell["value"])
    if status == "marker":
        return text == cell["raw"].strip()
    if status == "blank":
        return text == ""
    return not re.search(r"\d", text)  # ambiguous, unreadable: a sign, never a number


# Browser tests ------------------------------------------------------------------------------------------------------
@pytest.mark.slow  # every page of the site in the browser
def test_each_report_page_shows_the_package_numbers(browser, package, site):
    reports = [r["report_id"] for r in sql(package, "select report_id from reports order by report_id")]
    assert len(reports) == len(list((SOURCES / "reports").iterdir()))
    shown_numbers = 0
    for report_id in reports:
        open_page(browser, site / "reports" / f"{report_id}.html")
        dom = browser.execute_script(DOM_CELLS)
        published = package_cells(package, report_id)
        by_key = {}
        for table, row, col, status, text in dom:
            assert (table, row, col) not in by_key, f"{report_id}: {table}.{row}.{col} shown twice"
            by_key[(table, row, col)] = (status, text)
        assert set(published) <= set(by_key), f"{report_id}: cells missing from the page"
        for key, (status, text) in by_key.items():
            cell = published.get(key)
            if cell is None:  # a place the template prints that the package has no cell for
                assert (status, text) == ("absent", ""), f"{report_id}: {key} shows {text!r} but is not published"
                continue
            assert status == cell["status"], f"{report_id}: {key}"
            assert expected_text_ok(cell, text), f"{report_id}: {key} shows {text!r}, the package has {cell}"
            shown_numbers += status in ("reported", "derived")
    numbers = sql(package, "select count(*) as n from (select status from proactive_disclosure union all select "
                           "status from applications union all select status from review_litigation) "
                           "where status in ('reported', 'derived')")[0]["n"]
    assert shown_numbers == numbers > 5000


# Where a value sits: the centre of its cell lies in its row label's band and under its column header.
GEOMETRY = """
const table = document.getElementById('table-applications');
const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
const heads = Array.from(table.querySelectorAll('th')).map(th => [th.textContent.trim(), box(th)]);
const rows = Array.from(table.rows).filter(tr => tr.querySelector('td[data-row]')).map(tr => {
  const labels = tr.querySelectorAll('td.label');
  return [labels[labels.length - 1].textContent.trim(), box(labels[labels.length - 1]),
          Array.from(tr.querySelectorAll('td[data-row]')).map(td => [td.dataset.row, td.dataset.col, box(td)])];
});
return [heads, rows];
"""


@pytest.mark.parametrize("report_id, layout", [("2019_sanming_1", "2019"), ("2021_sanming_1", "2021")])
def test_table_three_is_laid_out_as_the_template_prints_it(browser, site, report_id, layout):
    from opendata.spec.template import TEMPLATE

    open_page(browser, site / "reports" / f"{report_id}.html")
    heads, rows = browser.execute_script(GEOMETRY)
    expected_rows = TEMPLATE.application_value_rows(layout)
    assert [label for label, _, _ in rows] == [r.zh for r in expected_rows]  # printed order, Chinese labels
    column_box = {text: b for text, b in heads}
    zh_of = {c.code: c.zh for c in TEMPLATE.table("applications").codes("columns")}
    for (label, label_box, cells), row in zip(rows, expected_rows):
        assert [c[0] for c in cells] == [row.code] * 7
        for _, col, (left, right, top, bottom) in cells:
            x, y = (left + right) / 2, (top + bottom) / 2
            h_left, h_right, _, h_bottom = column_box[zh_of[col]]
            assert h_left <= x <= h_right and y > h_bottom, f"{row.code}.{col} is not under its header {zh_of[col]}"
            assert label_box[2] <= y <= label_box[3], f"{row.code}.{col} is not beside its label {label}"
    groups = [text for text, _ in heads]
    assert groups[:2] == list(TEMPLATE.table("applications").spec["header_labels"])


RANKING_VALUES = """return Array.from(document.querySelectorAll('table.ranking[data-year="' + arguments[0] + '"] tbody tr'))
    .map(tr => [tr.dataset.report, tr.cells[arguments[1]].dataset.sort ?? tr.cells[arguments[1]].textContent.trim()]);"""


def test_a_ranking_sorts_when_a_header_is_clicked(browser, package, site):
    from opendata.query.compare import DEFAULT_MIN_REQUESTS
    from selenium.webdriver.common.by import By

    expected = sql(package, "select m.report_id, m.value from metrics m join reports r using (report_id) "
                            "where m.metric = 'grant_rate' and m.year = 2024 and r.duplicate_of is null "
                            "and m.value is not null and m.denominator >= ? order by m.value desc",
                   DEFAULT_MIN_REQUESTS)
    assert len(expected) >= 3
    open_page(browser, site / "metrics" / "grant_rate.html")
    table = browser.find_element(By.CSS_SELECTOR, 'table.ranking[data-year="2024"]')
    headers = table.find_elements(By.CSS_SELECTOR, "thead th")
    value_col = next(i for i, th in enumerate(headers) if th.text.startswith("值"))
    shown = browser.execute_script(RANKING_VALUES, 2024, value_col)
    assert [(r, pytest.approx(float(v))) for r, v in shown] == [(e["report_id"], e["value"]) for e in expected]

    headers[value_col].click()
    ascending = [float(v) for _, v in browser.execute_script(RANKING_VALUES, 2024, value_col)]
    assert ascending == sorted(e["value"] for e in expected)
    assert headers[value_col].get_attribute("aria-sort") == "ascending"
    headers[value_col].click()
    descending = [float(v) for _, v in browser.execute_script(RANKING_VALUES, 2024, value_col)]
    assert descending == sorted((e["value"] for e in expected), reverse=True)

    report_col = len(headers) - 1
    headers[report_col].click()
    by_report = [r for r, _ in browser.execute_script(RANKING_VALUES, 2024, report_col)]
    assert by_report == sorted(e["report_id"] for e in expected)


@pytest.mark.slow  # every page of the site in the browser
def test_every_page_loads_without_console_errors(browser, site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        open_page(browser, page)
        assert browser.execute_script("return document.documentElement.lang") == "zh-CN"


def cjk_fonts_installed() -> bool:
    import subprocess

    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


def test_chinese_labels_render_with_a_cjk_font(browser, site):
    """Chromium's own account (DevTools CSS.getPlatformFontsForNode) of the font that drew a table label."""
    if not cjk_fonts_installed():
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk): Chinese text would render as boxes")
    open_page(browser, site / "reports" / "2021_sanming_1.html")
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    for selector in ("#table-applications td.label", "#table-review_litigation th", "h1"):
        node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert fonts and all("CJK" in f["familyName"] or "Hei" in f["familyName"] for f in fonts), (selector, fonts)
        assert sum(f["glyphCount"] for f in fonts) >= 4


# Without a browser -----------------------------------------------------------------------------------------------
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_site_loads_nothing_from_the_network(site):
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        doc = soup(page)
        assets = [t.get("src") for t in doc.find_all(["script", "img", "iframe"]) if t.get("src")]
        assets += [t.get("href") for t in doc.find_all("link") if t.get("href")]
        for asset in assets:
            assert asset.startswith("data:") or "://" not in asset and not asset.startswith("//"), f"{page}: {asset}"
            if not asset.startswith("data:"):
                assert (page.parent / asset).resolve().is_file(), f"{page}: {asset} is not in the site"
    css = (site / "assets" / "site.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css


def test_a_region_page_follows_each_metric_by_year(package, site):
    """三明 2019-2025: each series cell is the `metrics` view's value for that year."""
    expected = {(r["metric"], r["year"]): r["value"] for r in sql(
        package, "select metric, year, value from metrics where region_code = '350400' and agency = '三明市人民政府'")}
    doc = soup(site / "regions" / "350400.html")
    table = doc.select_one("table.series")
    years = [int(th.text) for th in table.select("thead th")[2:]]
    seen = 0
    for tr in table.select("tbody tr"):
        metric = tr.select_one("a")["href"].split("/")[-1].removesuffix(".html")
        for year, td in zip(years, tr.select("td")[2:]):
            if (metric, year) not in expected:
                assert td.text.strip() == ""
            elif expected[metric, year] is None:
                assert td.text.strip() == "—"
            else:
                assert float(td["data-sort"]) == pytest.approx(expected[metric, year])
                seen += 1
    assert seen > 50


def test_the_index_describes_the_package_and_its_downloads_open(package, site):
    import json

    meta = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    doc = soup(site / "index.html")
    assert doc.h1.text == meta["title"]
    assert meta["licenses"][0]["name"] in doc.text and meta["version"] in doc.text
    assert "opendata developers" in doc.select_one(".citation").text
    reports = sql(package, "select report_id from reports")
    links = {a["href"] for a in doc.select("#report-list a")}
    assert {f"reports/{r['report_id']}.html" for r in reports} <= links
    # The copied package is a package: the same reports, read through DuckDB from the site folder.
    assert sql(site / "package", "select report_id from reports") == reports


def test_a_report_page_lists_its_failing_checks_and_provenance(package, site):
    failing = sql(package, "select report_id, check_id, subject from checks where result = 'fail' order by 1, 2, 3")
    assert failing
    for report_id in {f["report_id"] for f in failing}:
        doc = soup(site / "reports" / f"{report_id}.html")
        rows = [[td.text for td in tr.select("td")[:2]] for tr in doc.select("tr.fail")]
        assert rows == [[f["check_id"], f["subject"]] for f in failing if f["report_id"] == report_id]
    report = sql(package, "select * from reports where report_id = '2021_sanming_1'")[0]
    provenance = soup(site / "reports" / "2021_sanming_1.html").select_one("#provenance").text
    for field in ("source_path", "source_sha256", "origin_url", "source_format"):
        assert report[field] in provenance


def test_a_folder_the_command_did_not_write_is_left_alone(package, tmp_path):
    from opendata.site.build import SiteError, build_site

    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SiteError, match="notes"):
        build_site(package, mine)
    assert [p.name for p in mine.iterdir()] == ["keep.txt"]
    out = tmp_path / "site"
    build_site(package, out)
    (out / "reports" / "stale.html").write_text("from an older build", encoding="utf-8")
    build_site(package, out)  # an earlier site is replaced whole
    assert not (out / "reports" / "stale.html").exists() and (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "site"]  # no temporary folder left behind


def test_cli_site(package, tmp_path):
    from typer.testing import CliRunner

    from opendata.cli import app

    result = CliRunner().invoke(app, ["site", "--package", str(package), "--out", str(tmp_path / "web")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "web" / "index.html").is_file()
    missing = CliRunner().invoke(app, ["site", "--package", str(tmp_path / "nope"), "--out", str(tmp_path / "w2")])
    assert missing.exit_code == 1 and "nope" in missing.output and not (tmp_path / "w2").exists()
    damaged = tmp_path / "damaged"
    shutil.copytree(package, damaged)
    parquet = damaged / "data" / "applications.parquet"
    parquet.write_bytes(parquet.read_bytes()[:100])
    broken = CliRunner().invoke(app, ["site", "--package", str(damaged), "--out", str(tmp_path / "w3")])
    assert broken.exit_code == 1 and not (tmp_path / "w3").exists()
    [line] = broken.output.strip().splitlines()  # one line, naming the package and the damaged file
    assert line.startswith(f"error: {damaged / 'datapackage.json'}") and "applications.parquet" in line


def test_a_cell_the_layout_has_no_place_for_is_still_shown(package):
    """A 2021 table 三 with a stray 2019 （六） cell, and a report whose table 四 was not found: nothing is dropped,
    nothing is invented."""
    from opendata.site.data import load
    from opendata.site.pages import report_page

    data = load(package)
    report = data.report("2021_sanming_1")
    cells = data.cells["2021_sanming_1"]
    stray = {"report_id": "2021_sanming_1", "row": "other_handling", "col": "total", "value": 7, "status": "reported",
             "raw": "7", "source_ref": "L1"}
    cells[("applications", "other_handling", "total")] = stray
    for key in [k for k in cells if k[0] == "review_litigation"]:
        del cells[key]
    page = report_page(data, report)
    assert [(c.key, c.text) for c in page["unplaced"]] == [(("applications", "other_handling", "total"), "7")]
    review = next(t for t in page["tables"] if t["name"] == "review_litigation")
    values = [c for row in review["grid"] for c in row if c.kind == "value"]
    assert len(values) == 15 and {(c.status, c.text) for c in values} == {("absent", "")}


def test_a_report_id_that_leads_out_of_the_site_is_refused(package, tmp_path):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from opendata.site.build import SiteError, build_site

    hostile = tmp_path / "hostile"
    shutil.copytree(package, hostile)
    reports = hostile / "data" / "reports.parquet"
    table = pq.read_table(reports)
    ids = pc.if_else(pc.equal(table["report_id"], "2021_sanming_1"), "../../escaped", table["report_id"])
    pq.write_table(table.set_column(0, "report_id", ids), reports)
    with pytest.raises(SiteError, match="escaped"):
        build_site(hostile, tmp_path / "out" / "site")
    assert not list(tmp_path.rglob("escaped*")) and list((tmp_path / "out").iterdir()) == []
