"""What the package holds, in words, from the schemas: title, licence, citation, resources and their fields, codes
and units, the views of `opendata query`, and the comparison metrics.

`opendata info [NAME]` prints these sections, and scripts/gen_docs.py writes the same text into the README's data
dictionary, so the two cannot disagree.
"""

from __future__ import annotations

from opendata.spec.schemas import load_yaml, schemas_dir, table_schema

DICTIONARY_START = "<!-- data-dictionary:start -->"
DICTIONARY_END = "<!-- data-dictionary:end -->"


class UnknownName(KeyError):
    def __str__(self) -> str:
        return self.args[0]


def _cell(text) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def resources() -> list[str]:
    return list(load_yaml("package.yaml")["resources"])


def citation() -> dict:
    """CITATION.cff, beside schemas/ (the repository's top level, or the installed opendata package)."""
    import yaml

    path = schemas_dir().parent / "CITATION.cff"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def citation_text(cff: dict) -> str:
    if not cff:
        return "(CITATION.cff not found)"
    authors = ", ".join(a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()
                        for a in cff.get("authors", []))
    year = str(cff.get("date-released", ""))[:4]
    return f"{authors} ({year}). {cff.get('title')}. Version {cff.get('version')}." + (
        f" {cff['doi']}" if cff.get("doi") else "")


# Sections -----------------------------------------------------------------------------------------------------------
def overview() -> str:
    """Package title, description, version, licences, citation, and what can be looked up further."""
    from opendata.query.metrics import metrics
    from opendata.query.views import VIEWS

    meta, cff = load_yaml("package.yaml"), citation()
    licences = [" ".join(f"{lic.get('name', '')} {lic.get('title', '')}".split()) for lic in meta.get("licenses", [])]
    parts = [
        f"# {meta['title']}",
        " ".join(meta["description"].split()),
        "\n".join([f"- name: `{meta['name']}`, version {meta['version']}",
                   "- licences: " + "; ".join(licences + [f"code: {cff.get('license', '?')}"]),
                   f"- cite as: {citation_text(cff)}"]),
        "## Resources",
        _table(["resource", "title", "description"],
               [[f"`{r}`", table_schema(r)["title"], table_schema(r)["description"]] for r in resources()]),
        "## Views in `opendata query`",
        _table(["view", "what"], [[f"`{v}`", text] for v, text in VIEWS.items()]),
        "## Metrics (`opendata compare METRIC`)",
        _table(["metric", "中文", "English", "unit", "templates"],
               [[f"`{m.id}`", m.zh, m.en, m.unit, " ".join(m.templates)] for m in metrics().values()]),
        "`opendata info NAME` describes a resource, a view or a metric.",
    ]
    return "\n\n".join(parts) + "\n"


def code_lists(resource: str) -> dict[str, str]:
    """Field -> the template's code list its values come from (`enumFrom` in the raw Table Schema)."""
    import json

    from opendata.spec.template import TEMPLATE

    raw = json.loads((schemas_dir() / "resources" / f"{resource}.schema.json").read_text(encoding="utf-8"))
    return {f["name"]: ref for f in raw["fields"]
            if (ref := f.get("enumFrom")) and ref.split(".")[0] in TEMPLATE.tables}  # not templates, statuses, …


def codes_table(ref: str) -> str:
    """The codes of one list of the template (e.g. applications.rows) with labels, templates and units."""
    from opendata.spec.template import TEMPLATE

    table, list_name = ref.split(".")
    codes = TEMPLATE.table(table).codes(list_name)
    with_unit = any(c.unit for c in codes)
    header = ["code", "中文", "English", "templates"] + (["unit"] if with_unit else [])
    rows = [[f"`{c.code}`", c.zh, c.en, " ".join(c.templates)] + ([c.unit or ""] if with_unit else []) for c in codes]
    return _table(header, rows)


def resource_section(name: str, level: int = 1) -> str:
    schema = table_schema(name)
    h = "#" * level
    rows, code_refs = [], code_lists(name)
    for f in schema["fields"]:
        enum = f.get("constraints", {}).get("enum")
        ref = code_refs.get(f["name"])
        values = f"codes: see {ref}" if ref else (", ".join(map(str, enum)) if enum else "")
        required = "required" if f.get("constraints", {}).get("required") else ""
        rows.append([f"`{f['name']}`", f["type"], required, f.get("description", ""), values])
    parts = [f"{h} `{name}`: {schema['title']}", schema["description"],
             f"Primary key: {', '.join(schema.get('primaryKey', []))}. Files: data/{name}.csv, data/{name}.parquet.",
             _table(["field", "type", "", "description", "values"], rows)]
    for ref in code_refs.values():
        parts += [f"{h}# Codes: {ref}", codes_table(ref)]
    return "\n\n".join(parts) + "\n"


def derived_rows_table() -> str:
    from opendata.query.metrics import derived_rows

    return _table(["derived row", "中文", "English", "definition", "SQL (by layout of table 三)"],
                  [[f"`{d.code}`", d.zh, d.en, d.definition, _sql(d.sql)] for d in derived_rows()])


def view_section(name: str, level: int = 1) -> str:
    from opendata.query.views import VIEWS

    parts = [f"{'#' * level} view `{name}`", VIEWS[name]]
    if name == "applications_wide":
        parts.append(derived_rows_table())
    if name == "metrics":
        parts.append("Metrics: " + ", ".join(f"`{m}`" for m in _metric_ids()) + " (`opendata info METRIC`).")
    return "\n\n".join(parts) + "\n"


def _metric_ids() -> list[str]:
    from opendata.query.metrics import metrics

    return list(metrics())


def _sql(sql: dict[str, str] | None) -> str:
    if not sql:
        return ""
    if len(set(sql.values())) == 1:
        return f"`{next(iter(sql.values()))}`"
    return "; ".join(f"{t}: `{s}`" for t, s in sql.items())


def metric_rows() -> list[list]:
    from opendata.query.metrics import metrics

    return [[f"`{m.id}`", m.zh, m.en, m.unit, " ".join(m.templates), _sql(m.numerator),
             _sql(m.denominator) + (f" ({m.denominator_en})" if m.denominator_en else ""),
             m.definition + (f" Caution: {m.caution}" if m.caution else "")] for m in metrics().values()]


METRIC_HEADER = ["metric", "中文", "English", "unit", "templates", "numerator (SQL)", "denominator (SQL)",
                 "definition"]


def metric_section(metric_id: str, level: int = 1) -> str:
    from opendata.query.metrics import metric

    m = metric(metric_id)
    lines = [f"{'#' * level} metric `{m.id}`: {m.zh} ({m.en})", m.definition,
             f"- kind: {m.kind}; unit: {m.unit}" + (f"; value = {m.scale:g} x numerator / denominator, null when the "
                                                    f"denominator is 0 or unknown" if m.is_rate else ""),
             f"- applies to: the {' and '.join(m.templates)} layout(s) of table `{m.table}`",
             f"- numerator (SQL over report_figures): {_sql(m.numerator)}"]
    if m.is_rate:
        lines.append(f"- denominator: {m.denominator_en} = {_sql(m.denominator)}")
    if m.caution:
        lines.append(f"- caution: {m.caution}")
    return "\n\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]) + "\n"


def describe(name: str | None = None) -> str:
    """The text `opendata info [NAME]` prints: the package overview, or one resource, view or metric."""
    from opendata.query.metrics import metrics
    from opendata.query.views import VIEWS

    if name is None:
        return overview()
    if name in resources():
        return resource_section(name)
    if name in VIEWS:
        return view_section(name)
    if name in metrics():
        return metric_section(name)
    known = resources() + list(VIEWS) + list(metrics())
    raise UnknownName(f"unknown name {name!r}: give a resource, view or metric: {', '.join(known)}")


def data_dictionary() -> str:
    """The README's data dictionary (between the data-dictionary markers), generated from the schemas."""
    from opendata.query.views import VIEWS

    parts = ["## Data dictionary",
             "Generated from `schemas/` by `scripts/gen_docs.py` (do not edit by hand); `opendata info NAME` prints "
             "the same for one resource, view or metric.",
             "### Resources"]
    parts += [resource_section(r, level=4).rstrip() for r in resources()]
    parts += ["### Views in `opendata query`",
              _table(["view", "what"], [[f"`{v}`", text] for v, text in VIEWS.items()]),
              "#### Harmonised rows of table 三 (`applications_wide`, `report_figures`)",
              derived_rows_table(),
              "### Metrics",
              "Defined in `schemas/metrics.yaml`; SQL over the columns of `report_figures` (<row>__<column>). A rate "
              "is scale x numerator / denominator and is null when the denominator is 0 or unknown; a blank cell is "
              "never taken for 0.",
              _table(METRIC_HEADER, metric_rows())]
    return "\n\n".join(parts) + "\n"


def readme_with_dictionary(readme: str) -> str:
    """The README text with its data-dictionary section replaced by the generated one."""
    start, end = readme.find(DICTIONARY_START), readme.find(DICTIONARY_END)
    if start < 0 or end < start:
        raise ValueError(f"README.md has no {DICTIONARY_START} ... {DICTIONARY_END} section")
    return readme[:start + len(DICTIONARY_START)] + "\n" + data_dictionary() + readme[end:]
