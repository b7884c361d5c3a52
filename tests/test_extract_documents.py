"""Two reports in one file (extract/documents.py): both extracted, as `<stem>-1` and `<stem>-2`, each as its gold."""

from __future__ import annotations

import pytest

from conftest import SEED, assert_gold, gold, source
from permute import write

PAIRS = [("2024_sanming_1", "2023_putian_cg_1"), ("2019_putian_2", "2022_sanming_1")]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_two_reports_in_one_file_are_both_extracted_as_their_gold(tmp_path, first, second):
    from opendata.pipeline import extract_reports

    text = source(first).read_text(encoding="utf-8") + "\n" + source(second).read_text(encoding="utf-8")
    reports = extract_reports(write(tmp_path, "both.txt", text))
    assert [r.report_id for r in reports] == ["both-1", "both-2"]
    for report, report_id in zip(reports, (first, second)):
        assert report.meta.year == gold(report_id)["report"]["year"]
        assert assert_gold(report, report_id).exact == assert_gold(_alone(report_id), report_id).exact


def _alone(report_id):
    from conftest import manifest_row
    from opendata.pipeline import extract

    return extract(source(report_id), manifest_row(report_id))


def test_extracting_one_report_from_a_file_of_two_is_a_clear_error(tmp_path):
    from opendata.pipeline import extract

    text = source("2024_sanming_1").read_text(encoding="utf-8") + "\n" + source("2023_putian_cg_1").read_text(
        encoding="utf-8")
    path = write(tmp_path, "both.txt", text)
    with pytest.raises(ValueError, match=r"both.txt holds 2 reports \(both-1, both-2\)"):
        extract(path)


def test_a_batch_publishes_both_reports_of_one_file(tmp_path):
    from opendata.pipeline import build_package, extract_all

    text = source("2024_sanming_1").read_text(encoding="utf-8") + "\n" + source("2023_putian_cg_1").read_text(
        encoding="utf-8")
    write(tmp_path, "both.txt", text)
    reports = list(extract_all([tmp_path]))
    assert build_package([tmp_path], tmp_path / "pkg").reports == 2  # the build publishes both
    assert sorted(r.report_id for r in reports) == ["both-1", "both-2"]
    assert {r.meta.agency for r in reports} == {gold(i)["report"]["agency"] for i in ("2024_sanming_1",
                                                                                            "2023_putian_cg_1")}


def test_a_table_printed_twice_in_one_report_stays_one_report():
    """The seed prints table 四 twice (its twin is compared by T4_TWIN): one report, not two."""
    from opendata.pipeline import extract_reports

    assert [r.report_id for r in extract_reports(SEED)] == ["seed_luzhou_2020"]


def test_a_manifest_row_for_the_file_does_not_override_each_reports_own_title(tmp_path):
    from conftest import manifest_row
    from opendata.pipeline import extract_reports

    text = source("2024_sanming_1").read_text(encoding="utf-8") + "\n" + source("2023_putian_cg_1").read_text(
        encoding="utf-8")
    reports = extract_reports(write(tmp_path, "both.txt", text), manifest_row("2024_sanming_1"))
    assert [r.meta.year for r in reports] == [2024, 2023]
    assert reports[1].meta.agency == gold("2023_putian_cg_1")["report"]["agency"]
