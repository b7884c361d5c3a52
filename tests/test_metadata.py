"""Report metadata: each signal read from real report text, the reconciliation, and the META check's findings.

Texts are lines of bundled reports (sources/reports) or of /work/shared/corpus, as the stream folds them; a few are
real lines with one thing changed (an OCR near-miss, another year), said where they are built.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opendata.extract import signals as sig
from opendata.extract.issuer import parse
from opendata.extract.metadata import detect, named_provinces
from opendata.extract.stream import Stream
from opendata.model import Document, Token

FUJIAN, JIANGSU, BEIJING = "350000", "320000", "110000"


def meta_of(lines: list[str], name: str = "report.txt"):
    doc = Document(Path(name), "text", [Token(line, f"L{i + 1}") for i, line in enumerate(lines)])
    return detect(doc, Stream(doc))


def finding(meta, field: str) -> tuple[str, str]:
    [(result, message)] = [(r, m) for f, r, m in meta.findings if f == field]
    return result, message


# --- year signals -------------------------------------------------------------------------------------------------

def test_title_split_over_two_lines_gives_the_year():
    # 2024_shanghai_kewei_1.md: the title is broken after 工作; "正文" before it is page furniture.
    title = sig.title(["正文", "2024 年上海市科委政府信息公开工作", "年度报告", "根据《中华人民共和国政府信息公开条例》"])
    assert title.value == "2024年上海市科委政府信息公开工作年度报告"
    assert sig.title_year(title.value) == 2024


def test_title_whose_body_is_on_the_line_before():
    # 2023_hongze_1.pdf: "洪泽区人民政府" / "2023 年政府信息公开工作年度报告".
    title = sig.title(["洪泽区人民政府", "2023 年政府信息公开工作年度报告", "本报告由淮安市洪泽区人民政府办公室根据"])
    assert title.value == "洪泽区人民政府2023年政府信息公开工作年度报告"


def test_title_loses_a_site_name_after_it():
    # 2024_pingtan_html_1.html's <title>.
    title = sig.title(["平潭综合实验区2024年度政府信息公开工作年度报告_政府信息公开年报_平潭综合实验区党工委管委会"])
    assert title.value == "平潭综合实验区2024年度政府信息公开工作年度报告"


@pytest.mark.parametrize("printed, year", [("二〇二三年", 2023), ("二零一九年", 2019), ("2 0 2 2 年", 2022)])
def test_title_year_in_chinese_digits_or_spaced(printed, year):
    # 2024_putian_sjj_1's title with the year printed the other ways reports print it.
    title = sig.title([f"莆田市审计局{printed}政府信息公开工作年度报告"])
    assert sig.title_year(title.value) == year


@pytest.mark.parametrize("text, year", [
    ("本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。", 2019),  # 2019_pingtan_1
    ("本年度报告中所列数据的统计周期\n为 2024 年 1 月 1 日至 12 月 31 日。", 2024),  # 2024_shanghai_kewei_1, split
    ("本年度报告中所列数据统计期限为 2025\n年 1 月 1 日至 12 月 31 日。", 2025),  # 2025_shanghai_office_1
    ("报告中的数据统计时间为2023年1月1日至2023年12月31日。", 2023),  # 2023_putian_slj_1
    ("所列数据及有关情况统计期限为2025年1月1日至2025年12月31日", 2025),  # 2025_sanming_1
])
def test_statistics_period_sentence(text, year):
    assert sig.period_year(text).value == year


def test_no_period_sentence_gives_nothing():
    assert sig.period_year("2023年,我局坚持以习近平新时代中国特色社会主义思想为指导") is None


def test_table_heading_with_a_year():
    lines = ["二、主动公开政府信息情况(2023年度)", "第二十条第(一)项"]
    assert sig.table_heading_year(lines).value == 2023
    assert sig.table_heading_year(["二、主动公开政府信息情况", "2023年,我局主动公开政府信息情况良好"]) is None


def test_signature_signed_early_next_year_covers_the_year_before():
    # 2019_putian_2.txt ends with its signature.
    date, body = sig.signature(["六、其他需要报告的事项", "无", "莆田市人民政府办公室", "2020年1月20日"])
    assert (date.value, body.value) == (2019, "莆田市人民政府办公室")


@pytest.mark.parametrize("date, year", [("二〇二五年一月二日", 2024), ("二〇二四年十二月三十一日", 2024),
                                        ("2025 年 1 月 2 日", 2024)])
def test_signature_dates_in_chinese_numerals(date, year):
    # 2024_putian_sjj_1's signature ("莆田市审计局" / "2025年1月2日") with its date printed the other ways.
    signed, body = sig.signature(["莆田市审计局", date, "(此件主动公开)"])
    assert (signed.value, body.value) == (year, "莆田市审计局")


def test_url_folder_year_and_file_name_year():
    url = "https://www.putian.gov.cn/zfxxgk/zfxxgkndbg/2019nzfxxgkndbg/ptsrmzfbgs/202102/t20210220_1575708.htm"
    assert sig.url_year(url).value == 2019
    # A URL's publication date is not the year covered (2023_putian_kjj_1 was filed in 2025).
    assert sig.url_year("https://www.putian.gov.cn/zfxxgk/bmzfxxgk/ptkjj/zfxxgk/zfxxgknb/202501/t20250121_1971033.htm") is None
    assert sig.file_name_year(Path("hzq2023_working.pdf")).value == 2023
    assert sig.file_name_year(Path("report.pdf")) is None


# --- year reconciliation ----------------------------------------------------------------------------------------

KEWEI = ["正文", "2024 年上海市科委政府信息公开工作", "年度报告",
         "部分, 并附相关指标统计表。本年度报告中所列数据的统计周期", "为 2024 年 1 月 1 日至 12 月 31 日。"]


def test_split_title_and_period_agree():
    meta = meta_of(KEWEI)
    assert (meta.year, meta.provenance["year"]) == (2024, "title")
    assert finding(meta, "year") == ("pass", "title 2024, period 2024")


def test_title_and_period_disagree_is_flagged_naming_both():
    # The same report with its period sentence copied from the year before (a common copy-paste error).
    meta = meta_of(KEWEI[:-1] + ["为 2023 年 1 月 1 日至 12 月 31 日。"])
    assert meta.year == 2024
    result, message = finding(meta, "year")
    assert result == "fail" and "title 2024" in message and "period 2023" in message


def test_without_a_title_the_period_gives_the_year():
    meta = meta_of(KEWEI[3:])
    assert (meta.year, meta.provenance["year"]) == (2024, "period")


def test_only_a_file_name_gives_the_year_and_says_so():
    meta = meta_of(["一、总体情况", "(一)主动公开情况"], name="hzq2023_working.txt")
    assert meta.year == 2023
    assert finding(meta, "year")[0] == "not_assessable"


def test_no_year_signal_leaves_the_year_empty_with_a_flag():
    meta = meta_of(["一、总体情况", "(一)主动公开情况"])
    assert meta.year is None and finding(meta, "year")[0] == "not_assessable"


# --- regions, bodies, level and scope ---------------------------------------------------------------------------

@pytest.mark.parametrize("printed, code, level, scope", [
    ("莆田市人民政府", "350300", "city", "jurisdiction"),  # 2019_putian_1
    ("莆田市人民政府办公室", "350300", "city", "agency"),  # 2019_putian_2: the office reporting for itself
    ("上海市人民政府办公厅", "310000", "province", "agency"),  # 2025_shanghai_office_1
    ("莆田市审计局", "350300", "department", "agency"),  # 2024_putian_sjj_1: a department takes its city's code
    ("沭阳县发展和改革局", "321322", "department", "agency"),  # 2023_shuyang_fgj_1
    ("淮安市洪泽区人民政府", "320813", "district", "jurisdiction"),  # 2024_hongze_1
    ("洪泽区人民政府", "320813", "district", "jurisdiction"),  # 2023_hongze_1: one 洪泽区 in the table
    ("三明市", "350400", "city", "jurisdiction"),  # "三明市2019年政府信息公开工作年度报告"
    ("平潭综合实验区", "350128", "city", "jurisdiction"),  # an alias: the zone over 平潭县
    ("平潭综合实验区君山片区管理局", "350128", "township", "agency"),  # 2022_pingtan_junshan_1: the county's code
    ("洪泽区高良涧街道办事处", "320813", "township", "jurisdiction"),  # a sub-district's government
])
def test_body_region_level_and_scope(printed, code, level, scope):
    issuer = parse(printed, set())
    assert (issuer.region.code, issuer.level, issuer.scope) == (code, level, scope)


def test_agency_names_are_completed():
    assert parse("三明市", set()).agency == "三明市人民政府"
    assert parse("平潭综合实验区", set()).agency == "平潭综合实验区管委会"
    assert parse("上海市科委", set()).agency == "上海市科学技术委员会"
    assert parse("平潭综合实验区君山片区管理局", set()).region_name == "福建省平潭综合实验区君山片区"


def test_a_name_several_regions_share_is_settled_by_the_province_named_or_left_empty():
    assert len(parse("朝阳区人民政府", set()).regions) == 2 and parse("朝阳区人民政府", set()).region is None
    assert parse("朝阳区人民政府", {BEIJING}).region.code == "110105"
    meta = meta_of(["朝阳区人民政府2023年政府信息公开工作年度报告"])
    assert meta.region_code is None and finding(meta, "region_code")[0] == "not_assessable"


def test_historic_name_gets_its_historic_code():
    # 洪泽县 became 洪泽区 (320813) in 2016; a 2015 report names the county.
    assert parse("洪泽县人民政府", set()).region.code == "320829"


@pytest.mark.parametrize("year, code", [(2010, "341400"), (2015, "340181"), (2023, "340181")])
def test_a_region_gets_the_code_in_force_in_the_reports_year(year, code):
    # 巢湖市 was a prefecture-level city (341400) until 2011, a county-level city of 合肥市 (340181) since.
    assert meta_of([f"巢湖市人民政府{year}年政府信息公开工作年度报告"]).region_code == code


def test_ocr_near_miss_unique_in_the_province_named_is_read_and_flagged():
    # 2023_shuyang_fgj_1's title with 阳 misread as 阴: only 沭阳县 is one character off in 江苏省.
    title = "沭阴县发展和改革局2023年政府信息公开年度报告"
    assert parse("沭阴县发展和改革局", {JIANGSU}).region.code == "321322"
    assert parse("沭阴县发展和改革局", set()).regions == []  # no province named: no code, never another's
    meta = meta_of([title, "根据江苏省政府信息公开工作要求"])
    assert meta.region_code == "321322"
    result, message = finding(meta, "region_code")
    assert result == "fail" and "沭阴县" in message and "321322" in message
    meta = meta_of([title, "2023年度,县发展和改革局政府信息公开未发生收费情况。"])
    assert meta.region_code is None and finding(meta, "region_code")[0] == "not_assessable"


def test_ocr_near_miss_that_fits_several_counties_needs_another_signal():
    # The OCR error seen on a real report: 沭阳县 read as 沐阳县, one character off 沭阳县, 射阳县 and 泗阳县 alike.
    title = "沐阳县发展和改革局2023年政府信息公开年度报告"
    meta = meta_of([title, "根据江苏省政府信息公开工作要求"])
    assert meta.region_code is None  # never 500200 (a Chongqing code) nor a neighbour's
    result, message = finding(meta, "region_code")
    assert result == "not_assessable" and all(code in message for code in ("321322", "320924", "321323"))
    # 2023_shuyang_fgj_1's own signature names the county: it settles the title's misreading, flagged.
    meta = meta_of([title, "根据江苏省政府信息公开工作要求", "沭阳县发展和改革局", "2024年1月17日"])
    assert meta.region_code == "321322"
    result, message = finding(meta, "region_code")
    assert result == "fail" and "沐阳县" in message and "signature" in message


def test_a_near_miss_after_a_city_is_read_only_inside_that_city():
    # 莱芜区 with 芜 misread as the look-alike 芫: one character off 莱芜区 (济南市), never 莱山区 (烟台市).
    issuer = parse("济南市莱芫区人民政府", set())
    assert ([r.code for r in issuer.regions], issuer.near_miss) == (["370116"], "莱芫区")


def test_a_word_like_a_region_is_no_near_miss():
    assert parse("开发区管委会", {"130000"}).regions == []  # not 开平区 (130205)


def test_provinces_named_in_the_text():
    assert named_provinces("本报告由淮安市洪泽区人民政府办公室根据") == {JIANGSU}


# --- region signals reconciled ----------------------------------------------------------------------------------

def test_title_signature_and_publisher_agree():
    # 2023_putian_cg_1: header, title and signature.
    meta = meta_of(["标题: 莆田市城市管理局2023年度政府信息公开工作年度报告", "发布机构: 莆田市城市管理局",
                    "六、其他需要报告的事项", "莆田市城市管理局", "2024年1月11日"])
    assert (meta.year, meta.region_code, meta.scope, meta.level) == (2023, "350300", "agency", "department")
    result, message = finding(meta, "region_code")
    assert result == "pass" and "signature" in message and "publisher" in message


def test_a_signature_naming_another_region_is_flagged():
    # 2019_sanming_1's title with the signature of another city's report.
    meta = meta_of(["标题:三明市2019年政府信息公开工作年度报告", "来源:三明市政务公开办", "无。",
                    "莆田市人民政府办公室", "2020年3月6日"])
    assert meta.region_code == "350400"
    result, message = finding(meta, "region_code")
    assert result == "fail" and "350300" in message and "signature" in message


def test_publisher_line_gives_the_region_when_the_title_names_none():
    # 2023_putian_mzj_1's header with a title that names no body ("本机关…").
    meta = meta_of(["标题: 本机关2023年度政府信息公开工作年度报告", "发布机构: 莆田市民宗局"])
    assert (meta.region_code, meta.provenance["region_code"], meta.agency) == ("350300", "publisher",
                                                                              "莆田市民族与宗教事务局")


def test_the_opening_sentence_gives_the_region_when_nothing_else_does_but_not_the_scope():
    # 2023_hongze_1.pdf's opening, without its title: the office compiled the government's report, so the
    # sentence settles the region, not whether the report is the office's own.
    meta = meta_of(["本报告由淮安市洪泽区人民政府办公室根据《中华人民共和", "国政府信息公开条例》(国令第 711 号)"])
    assert (meta.region_code, meta.provenance["region_code"]) == ("320813", "body")
    assert finding(meta, "scope")[0] == "not_assessable"
    assert sig.compiler("本报告由淮安市洪泽区人民政府办公室根据《中华人民共和").value == "淮安市洪泽区人民政府办公室"


@pytest.mark.parametrize("title, code, scope, level", [
    # Titles of the kind other governments publish (not bundled): every level, shared names, zones with a code.
    ("北京市朝阳区人民政府2023年政府信息公开工作年度报告", "110105", "jurisdiction", "district"),
    ("长春市朝阳区2022年政府信息公开工作年度报告", "220104", "jurisdiction", "district"),
    ("深圳市南山区西丽街道办事处2023年政府信息公开工作年度报告", "440305", "jurisdiction", "township"),
    ("杭州市西湖区教育局2023年度政府信息公开工作年度报告", "330106", "agency", "department"),
    ("广东省人民政府办公厅2023年政府信息公开工作年度报告", "440000", "agency", "province"),
    ("恩施土家族苗族自治州人民政府2023年政府信息公开工作年度报告", "422800", "jurisdiction", "city"),
    ("上海市浦东新区张江镇人民政府2023年政府信息公开工作年度报告", "310115", "jurisdiction", "township"),
    # No full name of a coded region: no code, flagged (恩施州 is an abbreviation, not an OCR slip of 恩施市).
    ("湖北省恩施州2023年政府信息公开工作年度报告", None, "jurisdiction", None),  # never Hubei's 420000
    ("成都市高新区管委会2023年政府信息公开工作年度报告", None, "jurisdiction", None),  # a zone with no alias
    ("国家统计局2023年政府信息公开工作年度报告", None, None, None),
    ("雄安新区管理委员会2023年政府信息公开工作年度报告", "133100", "jurisdiction", "city"),  # coded since 2017
    ("济南市莱芜区人民政府2023年政府信息公开工作年度报告", "370116", "jurisdiction", "district"),  # since 2019
    ("莱芜市莱城区人民政府2018年政府信息公开工作年度报告", "371202", "jurisdiction", "district"),  # before 2019
])
def test_titles_from_elsewhere(title, code, scope, level):
    meta = meta_of([title])
    assert (meta.year, meta.region_code, meta.scope, meta.level) == (int(title.split("年")[0][-4:]), code, scope,
                                                                    level)


def test_extracting_one_report_imports_neither_pandas_nor_cpca():
    # The region lookup is a dict index over cpca's code table read as CSV: no DataFrame per report.
    import subprocess
    import sys

    from conftest import source

    code = ("import sys; from opendata.pipeline import extract; "
            f"r = extract(__import__('pathlib').Path({str(source('2023_shuyang_fgj_1'))!r})); "
            "print(r.meta.region_code, 'pandas' in sys.modules, 'cpca' in sys.modules, "
            "any('.revision_' in m for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["321322", "False", "False", "False"]  # nor the historic revisions, for a current name
