"""`opendata info` and the README's data dictionary say what the schemas say, and the README is not stale."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from conftest import ROOT

SCHEMAS = ROOT / "schemas"


def invoke(*args):
    from opendata.cli import app

    return CliRunner().invoke(app, list(args))


def raw_schema(resource: str) -> dict:
    return json.loads((SCHEMAS / "resources" / f"{resource}.schema.json").read_text(encoding="utf-8"))


def test_overview_has_title_licence_citation_resources_views_and_metrics():
    r = invoke("info")
    assert r.exit_code == 0, r.output
    package = yaml.safe_load((SCHEMAS / "package.yaml").read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert package["title"] in r.stdout and package["version"] in r.stdout
    assert package["licenses"][0]["name"] in r.stdout and cff["license"] in r.stdout
    assert cff["title"] in r.stdout  # the citation
    for resource in package["resources"]:
        assert f"`{resource}`" in r.stdout
    metrics = yaml.safe_load((SCHEMAS / "metrics.yaml").read_text(encoding="utf-8"))["metrics"]
    for m in metrics:
        assert f"`{m['id']}`" in r.stdout and m["zh"] in r.stdout
    for view in ("metrics", "applications_wide", "report_figures", "report_layouts"):
        assert f"`{view}`" in r.stdout


def test_resource_fields_descriptions_codes_and_units():
    r = invoke("info", "proactive_disclosure")
    assert r.exit_code == 0
    for field in raw_schema("proactive_disclosure")["fields"]:
        assert f"`{field['name']}`" in r.stdout and field["description"] in r.stdout
    template = yaml.safe_load((SCHEMAS / "template.yaml").read_text(encoding="utf-8"))
    for measure in template["tables"]["proactive_disclosure"]["measures"]:
        line = next(line for line in r.stdout.splitlines() if line.startswith(f"| `{measure['code']}` |"))
        assert measure["zh"] in line and measure["unit"] in line
    r = invoke("info", "applications")
    for row in template["tables"]["applications"]["rows"]:
        assert f"| `{row['code']}` | {row['zh']} |" in r.stdout


def test_metric_definition_comes_from_metrics_yaml():
    metrics = {m["id"]: m for m in yaml.safe_load((SCHEMAS / "metrics.yaml").read_text(encoding="utf-8"))["metrics"]}
    r = invoke("info", "substantive_disclosure_rate")
    assert r.exit_code == 0
    m = metrics["substantive_disclosure_rate"]
    assert m["numerator"] in r.stdout and m["denominator"] in r.stdout and m["zh"] in r.stdout
    r = invoke("info", "normative_docs_issued")
    assert "newly_made_count" in r.stdout and "issued_count" in r.stdout and "caution" in r.stdout
    r = invoke("info", "fees_collected")
    assert "2021 layout" in r.stdout


def test_unknown_name_is_an_error():
    r = invoke("info", "grant_rat")
    assert r.exit_code == 1 and "grant_rate" in r.stderr


def test_readme_data_dictionary_is_fresh():
    from opendata.query.info import DICTIONARY_END, DICTIONARY_START, readme_with_dictionary

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert DICTIONARY_START in readme and DICTIONARY_END in readme
    assert readme_with_dictionary(readme) == readme, "README.md is stale: run python scripts/gen_docs.py"


def test_readme_dictionary_agrees_with_the_schemas_and_info():
    from opendata.query.info import DICTIONARY_END, DICTIONARY_START

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(DICTIONARY_START):readme.index(DICTIONARY_END)]
    package = yaml.safe_load((SCHEMAS / "package.yaml").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        for field in raw_schema(resource)["fields"]:
            assert field["description"].replace("|", "\\|") in section  # as a markdown table cell
        # `opendata info RESOURCE` prints the same field table as the README
        table = [line for line in invoke("info", resource).stdout.splitlines() if line.startswith("| `")]
        assert all(line in section for line in table)
    for m in yaml.safe_load((SCHEMAS / "metrics.yaml").read_text(encoding="utf-8"))["metrics"]:
        assert f"| `{m['id']}` | {m['zh']} | {m['en']} | {m['unit']} |" in section
