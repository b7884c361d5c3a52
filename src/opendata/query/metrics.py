"""Comparison metrics and harmonised rows, loaded from schemas/metrics.yaml (their one definition place).

A metric's SQL is written over the columns of the `report_figures` view (<row>__<column>, see views.py); where the
2019 and 2021 templates put a comparable number in different cells, the SQL is given per template.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from opendata.spec.files import load_yaml

KINDS = ("count", "rate")


@dataclass(frozen=True)
class DerivedRow:
    """A harmonised row of table 三, computed per applicant column from the rows a report actually prints."""

    code: str
    zh: str
    en: str
    group: str  # the template's group row it stands for (its printed position)
    definition: str
    sql: dict[str, str]  # template -> SQL over the row codes of table 三


@dataclass(frozen=True)
class Metric:
    id: str
    zh: str
    en: str
    kind: str  # count | rate
    unit: str
    definition: str
    table: str  # the table whose printed layout decides which template applies
    templates: tuple[str, ...]
    numerator: dict[str, str]  # template -> SQL over report_figures
    denominator: dict[str, str] | None = None
    denominator_en: str | None = None
    scale: float = 1
    caution: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.en})"

    @property
    def axis_label(self) -> str:
        return f"{self.zh} {self.en} ({self.unit})"


def _per_template(sql: str | dict | None, templates: tuple[str, ...]) -> dict[str, str] | None:
    """A SQL text given once applies to every template; a mapping gives it per template."""
    if sql is None:
        return None
    if isinstance(sql, str):
        return {t: " ".join(sql.split()) for t in templates}
    return {str(t): " ".join(s.split()) for t, s in sql.items()}


def _metric(entry: dict) -> Metric:
    templates = tuple(str(t) for t in entry["templates"])
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"schemas/metrics.yaml: metric {entry['id']}: kind must be one of {KINDS}, not {kind!r}")
    if (kind == "rate") != ("denominator" in entry):
        raise ValueError(f"schemas/metrics.yaml: metric {entry['id']}: a rate needs a denominator, a count has none")
    return Metric(
        id=entry["id"], zh=entry["zh"], en=entry["en"], kind=kind, unit=entry["unit"],
        definition=" ".join(entry["definition"].split()), table=entry["table"], templates=templates,
        numerator=_per_template(entry["numerator"], templates),
        denominator=_per_template(entry.get("denominator"), templates),
        denominator_en=entry.get("denominator_en"), scale=entry.get("scale", 1),
        caution=" ".join(entry["caution"].split()) if entry.get("caution") else None,
    )


@cache
def metrics() -> dict[str, Metric]:
    """Every metric of schemas/metrics.yaml, by id, in the file's order."""
    return {m.id: m for m in map(_metric, load_yaml("metrics.yaml")["metrics"])}


@cache
def derived_rows() -> tuple[DerivedRow, ...]:
    from opendata.spec.template import TEMPLATE

    out = []
    for entry in load_yaml("metrics.yaml")["derived_rows"]:
        out.append(DerivedRow(
            code=entry["code"], zh=entry["zh"], en=entry["en"], group=entry["group"],
            definition=" ".join(entry["definition"].split()), sql=_per_template(entry["sql"], tuple(TEMPLATE.templates)),
        ))
    return tuple(out)


class UnknownMetric(KeyError):
    def __str__(self) -> str:
        return self.args[0]


def metric(metric_id: str) -> Metric:
    """The metric with this id, or an error naming the closest ids."""
    known = metrics()
    if metric_id in known:
        return known[metric_id]
    close = difflib.get_close_matches(metric_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known metrics: {', '.join(known)}"
    raise UnknownMetric(f"unknown metric {metric_id!r}{hint}")
