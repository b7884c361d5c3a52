"""Report metadata from the text: year, region (GB/T 2260 code), issuing body, level and scope, each with the
signal it came from. Signals that disagree, or a field nothing settles, become findings (published by the META
check); a field is never filled from a guess: a region name that fits several regions leaves the code empty.

A manifest row (manifest.py) may override any field afterwards; it is compared with what the text says too.
"""

from __future__ import annotations

import re
from functools import cache

from opendata.extract import signals as sig
from opendata.extract.issuer import Issuer, parse
from opendata.extract.regions import table
from opendata.extract.stream import Stream
from opendata.model import Document, ReportMeta
from opendata.spec.files import load_yaml

_TITLE_TAIL = re.compile(r"(政府信息公开|政务公开|信息公开)")
_SHOWN = ("year", "region_code", "region_name", "agency", "level", "scope", "title", "origin_url", "duplicate_of")


def meta_rows(report) -> list[tuple]:
    """(field, value, signal, check) for `opendata extract --meta`: each field with the signal it came from and
    the META check's word on it."""
    checks = {c.subject: f"{c.result}: {c.message}" for c in report.checks if c.check_id == "META"}
    return [(f, getattr(report.meta, f), report.meta.provenance.get(f, ""), checks.get(f, "")) for f in _SHOWN]


def detect(doc: Document, stream: Stream) -> ReportMeta:
    meta = ReportMeta()
    title = sig.title(stream.lines)
    meta.title = title.value if title else None
    meta.origin_url = sig.url(stream.lines)
    meta.provenance.update(title=title.ref if title else "", origin_url="header line" if meta.origin_url else "")
    date, signed_by = sig.signature(stream.lines)
    _settle_year(meta, _year_signals(doc, stream, title, date, meta.origin_url))
    provinces = cache(lambda: named_provinces(stream.text))  # read only when a name needs it
    issuers = _issuer_signals(title, signed_by, sig.publishers(stream.lines), sig.compiler(stream.text), provinces)
    _settle_issuer(meta, issuers)
    return meta


def _year_signals(doc, stream, title, date, link) -> list[sig.Signal]:
    found = [sig.Signal("title", sig.title_year(title.value), title.text) if title else None,
             sig.period_year(stream.text), sig.table_heading_year(stream.lines), date,
             sig.url_year(link), sig.file_name_year(doc.path)]
    return [s for s in found if s is not None and s.value is not None]


def _settle_year(meta: ReportMeta, found: list[sig.Signal]) -> None:
    """The most trusted signal present gives the year (schemas/regions_rules.yaml `year_signals`); any other that
    says another year is a finding naming both. Only weak signals (URL, file name): used, and flagged."""
    rules = load_yaml("regions_rules.yaml")
    found.sort(key=lambda s: rules["year_signals"].index(s.name))
    if not found:
        meta.findings.append(("year", "not_assessable", "no signal gives the year (title, statistics period, "
                                                        "table headings, signature date, URL, file name)"))
        return
    chosen = found[0]
    meta.year, meta.provenance["year"] = chosen.value, chosen.name
    said = ", ".join(f"{s.name} {s.value}" for s in found)
    others = [s for s in found if s.value != chosen.value]
    if others:
        meta.findings.append(("year", "fail", f"signals disagree: {said}; published {chosen.value} from the "
                                              f"{chosen.name}"))
    elif chosen.name in rules["weak_year_signals"]:
        meta.findings.append(("year", "not_assessable", f"only the {chosen.name} gives the year ({chosen.text})"))
    else:
        meta.findings.append(("year", "pass", said))


def named_provinces(text: str) -> set[str]:
    """Province codes of the provinces and prefecture-level cities named anywhere in the text."""
    return table().provinces_named(text)


def _issuer_signals(title, signed_by, publishers, compiler, provinces) -> list[tuple[str, Issuer]]:
    """The bodies the signals name, most trusted first: title, signature, publisher lines, the opening sentence."""
    out = []
    if title:
        out.append(("title", parse(_body_of_title(title.value), provinces)))
    if signed_by:
        out.append(("signature", parse(signed_by.value, provinces)))
    out += [("publisher", parse(p.value, provinces)) for p in publishers]
    if compiler:
        out.append(("body", parse(compiler.value, provinces)))
    return out


def _body_of_title(title: str) -> str:
    """The body a title names: the words before the year, else those between the year and 政府信息公开
    ("2024年上海市科委政府信息公开工作年度报告" -> "上海市科委")."""
    text = title.strip("《》\"' ")
    m = sig.YEAR.search(text)
    before, after = (text[:m.start()], text[m.end():]) if m else ("", text)
    body = before or _TITLE_TAIL.split(after.lstrip("度"))[0]
    return re.sub(r"^(关于)|(关于|的)$", "", body).strip("《》\"' ")


def _settle_issuer(meta: ReportMeta, issuers: list[tuple[str, Issuer]]) -> None:
    """Region, body, level and scope from the title's body, else the signature's, else a publisher line's; every
    other signal naming a region must name the same one or one inside or around it."""
    with_region = [(name, i) for name, i in issuers if i.regions or i.unplaced]
    if not with_region:
        meta.findings.append(("region_code", "not_assessable", "no signal names a region of the GB/T 2260 table"))
        return
    source, issuer = with_region[0]
    meta.agency, meta.scope, meta.level = issuer.agency, issuer.scope, issuer.level
    meta.provenance.update(agency=source, scope=source, level=source)
    said = (f"{source} names {issuer.printed or issuer.agency}: a {issuer.kind} body, reporting for "
            f"{'its whole area' if issuer.jurisdiction else 'itself'}")
    if source in ("title", "signature"):
        meta.findings.append(("scope", "pass", said))
    else:  # a publisher line or the compiler may be the office that published the government's report
        meta.findings.append(("scope", "not_assessable", f"no title or signature names the body; {said}"))
    if issuer.unplaced:
        meta.findings.append(("region_code", "not_assessable", f"{source} names {issuer.unplaced}, which is no "
                                                               "GB/T 2260 name nor an alias in schemas/regions.yaml"))
        return
    if issuer.ambiguous:
        settled = _settled_by_others(issuer, with_region[1:])
        if settled is None:
            fits = ", ".join(f"{r.code} {r.full_name}" for r in issuer.regions[:6])
            printed = issuer.near_miss or issuer.regions[0].name
            meta.findings.append(("region_code", "not_assessable", f"{source} names {printed}, which fits {fits}; "
                                                                   "no other signal settles which"))
            return
        issuer.regions = [settled]
    issuer.regions = [table().as_of(issuer.region, meta.year)]  # the code in force in the report's year
    region = issuer.region
    meta.region_code, meta.region_name = region.code, issuer.region_name
    meta.provenance.update(region_code=source, region_name=source)
    meta.findings.append(_region_finding(source, issuer, [(n, i) for n, i in with_region[1:] if i.regions]))


def _settled_by_others(issuer: Issuer, others: list[tuple[str, Issuer]]) -> object:
    """The one candidate that other signals (signature, publisher lines) name, if exactly one."""
    named = {r.code: r for r in issuer.regions for _, other in others if other.region and r.related(other.region)}
    return next(iter(named.values())) if len(named) == 1 else None


def _region_finding(source: str, issuer: Issuer, others: list[tuple[str, Issuer]]) -> tuple[str, str, str]:
    region = issuer.region
    said = f"{source} {region.name} ({region.code})"
    if issuer.near_miss:
        agreeing = [f"{name} {i.region.name}" for name, i in others if i.region and i.region.related(region)]
        why = f"named by the {', '.join(agreeing)}" if agreeing else "the one name one character off in the province"
        return ("region_code", "fail", f"{source} prints {issuer.near_miss}, which no GB/T 2260 revision has; "
                                       f"read as {region.full_name} ({region.code}), {why}")
    against = [(name, i) for name, i in others if not any(region.related(r) for r in i.regions)]
    agreeing = [f"{name} {i.regions[0].name}" for name, i in others if (name, i) not in against]
    if against:
        named = ", ".join(f"{name} {i.printed} ({'/'.join(r.code for r in i.regions[:3])})" for name, i in against)
        return ("region_code", "fail", f"signals disagree: {said}; {named}; published {region.code} from the "
                                       f"{source}")
    return ("region_code", "pass", "; ".join([said, *agreeing]))
