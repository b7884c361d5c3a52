"""The national template, loaded from schemas/template.yaml: tables, codes, labels and per-template layouts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property

from opendata.fold import fold, key
from opendata.spec.files import load_yaml

# An ordinal in front of a label: 一、 / （一） / 1. / 1、 (after folding: full-width brackets are half-width).
_ORDINAL = re.compile(r"^(\(?[一二三四五六七八九十]+\)|[一二三四五六七八九十]+、|\d+[.、])")
# Labels longer than this are matched on their first PREFIX characters, so a typo or a truncation later in the
# label (其他法律行政止公开) still matches; what is left of the label is text, never a number, in the value region.
PREFIX = 7


@dataclass(frozen=True)
class Code:
    code: str
    zh: str
    en: str
    kind: str
    position: int
    variants: tuple[str, ...] = ()
    templates: tuple[str, ...] = ("2019", "2021")
    parent: str | None = None
    unit: str | None = None
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def get(self, name, default=None):
        return self.extra.get(name, default)

    def is_value_row(self, template: str) -> bool:
        by_template = self.get("kind_by_template")
        if by_template:
            return by_template[template] == "value"
        return self.get("kind", "value") == "value"

    @cached_property
    def pattern(self) -> re.Pattern:  # noqa: D401
        """Regex finding this label in folded text, across line breaks, spaces and punctuation."""
        return re.compile(label_alternatives(self.zh, *self.variants))


def label_alternatives(*labels: str) -> str:
    """Regex for any of several labels, also as a traditional-script source folds them (see as_taiwan_folded)."""
    from opendata.fold import as_taiwan_folded

    forms = {form for label in labels for form in (label, as_taiwan_folded(label))}
    return "|".join(branch for form in sorted(forms, key=len, reverse=True) for branch in _label_branches(form))


def label_regex(label: str) -> str:
    """Regex for a label: optional ordinal, then the label's characters with any non-word run between them."""
    return "(?:" + "|".join(_label_branches(label)) + ")"


def _label_branches(label: str) -> list[str]:
    """`label_regex` as alternatives that each begin with a literal character, tried in the order an optional
    ordinal (and its optional bracket) would be: with the bracket, without it, without the ordinal. (The same
    matches; but a pattern whose every alternative opens with a literal is searched by `re` with a fast scan for
    those characters, where an optional group first makes it try the whole pattern at every position.)"""
    folded = fold(label).replace(" ", "")
    ordinal = ""
    m = _ORDINAL.match(folded)
    if m:
        ordinal = m.group(0)
        folded = folded[m.end():]
    body = key(folded)
    if len(body) > PREFIX + 2:
        body = body[:PREFIX]
    sep = r"[\W_]*?"
    body_re = sep.join(re.escape(ch) for ch in body)
    if not ordinal:
        return [body_re]
    ord_key = key(ordinal)
    # Spaces only inside a bracket: a leading \s* would swallow the blank cells (empty lines) before the label.
    ord_re = sep.join(re.escape(ch) for ch in ord_key) + r"\s*[)、.,]?\s*"
    return [r"\(\s*" + ord_re + body_re, ord_re + body_re, body_re]


class Table:
    def __init__(self, name: str, spec: dict):
        self.name = name
        self.spec = spec
        self._codes: dict[str, list[Code]] = {}
        kinds = {
            "proactive_disclosure": {"item": "items", "measure": "measures"},
            "applications": {"row": "rows", "applicant": "columns", "applicant_group": "column_groups"},
            "review_litigation": {"block": "blocks", "outcome": "outcomes", "block_group": "block_groups"},
        }[name]
        for kind, list_name in kinds.items():
            self._codes[list_name] = [
                _code(entry, kind, i) for i, entry in enumerate(spec.get(list_name, []), start=1)
            ]
        self.kinds = kinds

    def codes(self, list_name: str) -> list[Code]:
        return self._codes[list_name]

    def code(self, list_name: str, code: str) -> Code:
        for c in self._codes[list_name]:
            if c.code == code:
                return c
        raise KeyError(f"{self.name}.{list_name}: unknown code {code!r}")


def _code(entry: dict, kind: str, position: int) -> Code:
    known = {"code", "zh", "en", "variants", "templates", "parent", "unit"}
    return Code(
        code=entry["code"], zh=entry["zh"], en=entry.get("en", ""), kind=kind, position=position,
        variants=tuple(entry.get("variants", ())), templates=tuple(entry.get("templates", ("2019", "2021"))),
        parent=entry.get("parent"), unit=entry.get("unit"),
        extra={k: v for k, v in entry.items() if k not in known},
    )


class Template:
    def __init__(self, spec: dict):
        self.spec = spec
        self.templates: list[str] = spec["templates"]
        self.markers: list[str] = spec["markers"]
        self.tables = {name: Table(name, t) for name, t in spec["tables"].items()}
        self.sections = [_code(s, "section", i) for i, s in enumerate(spec["sections"], start=1)]

    def table(self, name: str) -> Table:
        return self.tables[name]

    @cached_property
    def folded_markers(self) -> frozenset[str]:
        return frozenset(fold(m) for m in self.markers)

    def is_marker(self, text: str) -> bool:
        """Does a cell's text stand instead of a number (a not-applicable marker), width and spaces aside?"""
        if text.isascii() and text.isdigit():  # most cells; folding leaves ASCII digits as they are
            return text in self.folded_markers
        return fold(text) in self.folded_markers

    def section(self, code: str) -> Code:
        return next(s for s in self.sections if s.code == code)

    # Layout helpers -------------------------------------------------------------------------------------------
    def proactive_layout(self, template: str) -> list[dict]:
        return self.tables["proactive_disclosure"].spec["layouts"][template]

    def application_rows(self, layout: str) -> list[Code]:
        """Rows of table 三 as printed in a layout (2019 or 2021), group rows included."""
        return list(self._application_rows(layout))

    def application_value_rows(self, layout: str) -> list[Code]:
        return list(self._application_rows(layout, values_only=True))

    @cache  # noqa: B019 (the one template lives as long as the process): asked several times per report
    def _application_rows(self, layout: str, values_only: bool = False) -> tuple[Code, ...]:
        rows = [r for r in self.tables["applications"].codes("rows") if layout in r.templates]
        return tuple(r for r in rows if r.is_value_row(layout)) if values_only else tuple(rows)

    # Which template a table follows --------------------------------------------------------------------------------
    def exclusive_codes(self, table: str) -> dict[str, frozenset[str]]:
        """Template -> the codes of a table that hold values in that template only: table 二's measures, table 三's
        value rows, table 四's outcomes (the key that tells the layouts apart; empty sets where none does)."""
        if table == "applications":
            held = {t: {r.code for r in self.application_value_rows(t)} for t in self.templates}
        else:
            list_name = {"proactive_disclosure": "measures", "review_litigation": "outcomes"}[table]
            codes = self.tables[table].codes(list_name)
            held = {t: {c.code for c in codes if t in c.templates} for t in self.templates}
        return {t: frozenset(held[t].difference(*(held[o] for o in self.templates if o != t))) for t in self.templates}

    def layout_of(self, table: str, codes_present) -> str | None:
        """The template a table follows, judged from the codes present: the one with more of its exclusive codes
        among them than any other; None when no template has (none present, or a tie)."""
        present = set(codes_present)
        votes = {t: len(codes & present) for t, codes in self.exclusive_codes(table).items()}
        best = max(votes.values())
        leaders = [t for t, n in votes.items() if n == best]
        return leaders[0] if best and len(leaders) == 1 else None

    @property
    def cell_keys(self) -> dict[str, tuple[str, str]]:
        """Each table's names for a cell's row and column in the published resources (item/measure, row/applicant,
        block/outcome), from template.yaml's row_kind and column_kind."""
        return {name: (t.spec["row_kind"], t.spec["column_kind"]) for name, t in self.tables.items()}


TEMPLATE = Template(load_yaml("template.yaml"))
