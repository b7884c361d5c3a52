from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
GOLD = ROOT / "tests" / "gold"
SEED = SOURCES / "reports" / "seed_luzhou_2020.txt"
# The shared corpus beside the clone (CI has ../shared): real reports this repository may not redistribute, such
# as the two 洪泽 PDFs (their source carries no licence). OPENDATA_CORPUS points elsewhere (a worktree, say).
CORPUS = Path(os.environ.get("OPENDATA_CORPUS") or ROOT.parent / "shared" / "corpus")
CORPUS_PDFS = ("2023_hongze_1", "2024_hongze_1")
needs_corpus = pytest.mark.skipif(
    not all((CORPUS / r / "source.pdf").is_file() for r in CORPUS_PDFS),
    reason=f"real PDFs absent: {CORPUS}/*/source.pdf not found (the shared corpus is not beside the clone; "
           f"set OPENDATA_CORPUS)")


def in_corpus_only(report_id: str) -> bool:
    return not (GOLD / f"{report_id}.json").is_file() and (CORPUS / report_id / "gold.json").is_file()


def gold(report_id: str) -> dict:
    path = CORPUS / report_id / "gold.json" if in_corpus_only(report_id) else GOLD / f"{report_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def assert_gold(report, report_id: str, compared: int | None = None, lossy: bool = False):
    """The one comparison with gold (tests/gold_score.py): every gold cell exact (or, for a `lossy` source, nothing
    published that contradicts gold); `compared`: how many gold cells must have been compared."""
    from gold_score import score

    s = score(report, gold(report_id))
    assert (s.nothing_wrong if lossy else s.ok), s.details
    if compared is not None:
        assert s.compared == compared, (s.compared, s.details)
    return s


def manifest_row(report_id: str) -> dict:
    from opendata.extract import manifest

    if in_corpus_only(report_id):  # what sources/manifest.csv would say, from the corpus' own metadata
        meta, report = json.loads((CORPUS / report_id / "meta.json").read_text(encoding="utf-8")), gold(report_id)["report"]
        return {"file": f"{report_id}.pdf", "year": str(meta["year"]), "region": meta["region"],
                "region_code": report["region_code"], "agency": meta["agency"], "scope": report["scope"]}
    return next(row for path, row in manifest.load(SOURCES / "manifest.csv").items() if path.stem == report_id)


def source(report_id: str) -> Path:
    if in_corpus_only(report_id):
        return next((CORPUS / report_id).glob("source.*"))
    return next((SOURCES / "reports").glob(f"{report_id}.*"))


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Builds run by the tests keep their extraction cache in a folder of the test session, not the user's."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def seed_report():
    from opendata.pipeline import extract

    return extract(SEED)


@pytest.fixture(scope="session")
def built_package(tmp_path_factory):
    """A package built from the seed and two more reports, in a temporary folder."""
    from opendata.pipeline import extract
    from opendata.publish.writers import publish

    out = tmp_path_factory.mktemp("pkg") / "datapackage"
    reports = [extract(source(r), manifest_row(r)) for r in ("seed_luzhou_2020", "2022_sanming_1", "2024_sanming_1")]
    publish(reports, out, ROOT)
    return out


# The package the comparison tests (metrics, compare, chart) read: Sanming 2019-2025, the seed, Putian's departments,
# Pingtan, and Hongze (a 2021 table 二 beside a 2019 table 三; from the shared corpus, when it is there).
SELECTED = (
    "seed_luzhou_2020", "2019_sanming_1", "2020_sanming_1", "2021_sanming_1", "2022_sanming_1", "2024_sanming_1",
    "2025_sanming_1", "2019_putian_1", "2019_putian_2", "2020_putian_tjj_1", "2023_putian_cg_1", "2023_putian_kjj_1",
    "2023_putian_mzj_1", "2023_putian_slj_1", "2023_putian_yjglj_1", "2024_putian_sjj_1", "2022_pingtan_1",
    "2024_pingtan_1", "2025_pingtan_1",
) + (CORPUS_PDFS if all((CORPUS / r / "source.pdf").is_file() for r in CORPUS_PDFS) else ())


@cache
def build_comparison_package(base: Path) -> Path:
    """Publish the selected reports."""
    from opendata.pipeline import extract
    from opendata.publish.writers import publish

    reports = [extract(source(report_id), manifest_row(report_id), report_id) for report_id in SELECTED]
    return publish(reports, base / "comparison-package", ROOT)


@pytest.fixture(scope="session")
def comparison_package(tmp_path_factory) -> Path:
    return build_comparison_package(tmp_path_factory.getbasetemp())


def sql(package: Path, text: str, *params) -> list[dict]:
    from opendata.query.connection import connect

    con = connect(package)
    try:
        cursor = con.execute(text, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def published_reports(package: Path) -> list[str]:
    return [r["report_id"] for r in sql(package, "select report_id from reports order by report_id")]
