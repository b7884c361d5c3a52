"""The issuing body of a report, read from a name as printed ("淮安市洪泽区人民政府", "莆田市审计局",
"平潭综合实验区君山片区管理局"): its region (the GB/T 2260 names at its front), its kind, level and scope.

Region names are taken off the front one after another, each inside the one before (福建省 > 莆田市); what is
left is matched against the rules in schemas/regions_rules.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from opendata.extract.regions import Region, table
from opendata.spec.files import load_yaml

_SUFFIX_CHARS = "县区市旗州盟"


@dataclass
class Issuer:
    printed: str  # the name as printed
    regions: list[Region] = field(default_factory=list)  # candidates for the innermost region named
    rest: str = ""  # what follows the region names ("审计局", "人民政府", "君山片区管理局")
    kind: str = "department"  # jurisdiction | office | township | department
    jurisdiction: bool = False  # does the report cover the whole area (a government, a 镇人民政府)?
    township: str = ""  # the sub-county area's name ("君山片区")
    near_miss: str = ""  # the printed region name that no table has, read as the one candidate (OCR)
    unplaced: str = ""  # a place name after the regions that no table or alias has ("恩施州", "XX高新区")

    @property
    def region(self) -> Region | None:
        return self.regions[0] if len(self.regions) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.regions) > 1

    @property
    def scope(self) -> str:
        return "jurisdiction" if self.jurisdiction else "agency"

    @property
    def level(self) -> str | None:
        if self.unplaced:
            return None
        if self.kind in ("township", "department"):
            return self.kind
        return self.region.level if self.region else None

    @property
    def agency(self) -> str:
        """The body's name: the government's for a bare area ("三明市" -> "三明市人民政府"), abbreviations
        expanded ("上海市科委" -> "上海市科学技术委员会")."""
        if not self.rest and self.region and not self.township:
            return self.region.government
        name = self.printed
        for short, full in _rules()["agency_abbreviations"].items():
            if name.endswith(short):
                return name[: -len(short)] + full
        return name

    @property
    def region_name(self) -> str | None:
        return self.region.full_name + self.township if self.region else None


@cache
def _rules() -> dict:
    return load_yaml("regions_rules.yaml")


@cache
def _township() -> re.Pattern:
    rules = _rules()
    bodies = rules["township_bodies"]["jurisdiction"] + rules["township_bodies"]["agency"]
    return re.compile(rf"^([\u4e00-\u9fff]{{1,8}}?(?:{'|'.join(rules['township_kinds'])}))({'|'.join(bodies)})?$")


def parse(printed: str, provinces: set[str] | Callable[[], set[str]]) -> Issuer:
    """Read a body's name; `provinces` (codes named elsewhere in the text, or a function giving them only when a
    name needs them) settle names several regions share."""
    named = provinces if callable(provinces) else (lambda: provinces)
    issuer = Issuer(printed)
    chain: list[list[Region]] = []
    pos = 0
    while pos < len(printed):
        found = _next_region(printed[pos:], chain, lambda: named() | {r.province for c in chain for r in c})
        if not found:
            break
        name, regions, near = found
        chain.append(regions)
        issuer.near_miss = issuer.near_miss or near
        pos += len(name)
    if chain:
        issuer.regions = _settle(chain[-1], named)
    issuer.rest = printed[pos:]
    issuer.kind, issuer.township, issuer.jurisdiction = _kind(issuer.rest)
    if issuer.kind == "department":
        _unplaced(issuer)
    return issuer


def _unplaced(issuer: Issuer) -> None:
    """A rest that is a place name (+ a government word) no table has: the region is not settled, never the
    enclosing region's code ("湖北省恩施州" is not Hubei's report)."""
    rules = _rules()
    for suffix in sorted(rules["jurisdiction_suffixes"] + rules["office_suffixes"], key=len, reverse=True) + [""]:
        if issuer.rest.endswith(suffix):
            place = issuer.rest[: len(issuer.rest) - len(suffix)]
            if place and (place[-1] in _SUFFIX_CHARS or _generic(place)):
                issuer.unplaced, issuer.regions = place, []
                issuer.kind, _, issuer.jurisdiction = _kind(suffix)
            return


def _next_region(text: str, chain: list[list[Region]], provinces: Callable[[], set[str]]
                 ) -> tuple[str, list[Region], str] | None:
    """The longest region name at the front of `text` that lies inside the region before it (if any)."""
    regions_table = table()
    names = regions_table.prefixes(text)
    if not names:  # a historic name (洪泽县 before 2016), at least three characters long
        names = [text[:k] for k in range(min(10, len(text)), 2, -1)
                 if text[k - 1] in _SUFFIX_CHARS and not _generic(text[:k]) and regions_table.lookup(text[:k])]
    for name in names:
        inside = [r for r in regions_table.lookup(name) if not chain or any(p.contains(r) for p in chain[-1])]
        if inside:
            return name, inside, ""
    for k in range(3, min(8, len(text)) + 1):  # an OCR near-miss, among the provinces the text names
        token = text[:k]
        if token[-1] in _SUFFIX_CHARS and not _generic(token) and provinces():
            near = {r.code: r for r in regions_table.near_misses(token, provinces())
                    if not chain or any(p.contains(r) for p in chain[-1])}
            if near:  # several: left ambiguous for another signal (or nothing) to settle
                return token, list(near.values()), token
    return None


def _generic(token: str) -> bool:
    """A word that ends like a region name but is none (开发区, 片区)."""
    return token.endswith(tuple(_rules()["not_region_words"]))


def _settle(regions: list[Region], provinces: Callable[[], set[str]]) -> list[Region]:
    if len(regions) <= 1:
        return regions
    current = [r for r in regions if not r.historic] or regions
    named = [r for r in current if r.province in provinces()]
    return named if named else current


def _kind(rest: str) -> tuple[str, str, bool]:
    """(kind, sub-county area's name, whether the report covers the whole area) from what follows the region."""
    rules = _rules()
    if rest in ("", *rules["jurisdiction_suffixes"]):
        return "jurisdiction", "", True
    if rest in rules["office_suffixes"]:
        return "office", "", False
    m = _township().match(rest)
    if m:
        body = m.group(2) or ""
        return "township", m.group(1), not body or body in rules["township_bodies"]["jurisdiction"]
    return "department", "", False
