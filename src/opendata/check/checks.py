"""Checks on an aligned report: small named units, each reporting rows under its own id.

H1-H4 come from schemas/identities.yaml (pass, fail, not_assessable, or used_to_read where the identity chose how
one of its terms was read), D1 from the template's domain rules, T4_TWIN compares a table printed
twice, READ lists cells that could not be read with confidence, TABLE lists tables that could not be found, META
(check/metadata.py) says whether the report's year, region and scope signals agree; S6 is a soft
magnitude check (`warn`, never `fail`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from opendata.extract.units import NO_UNIT
from opendata.spec.identities import IDS, equations
from opendata.model import Cell, CheckResult, Report
from opendata.spec.template import TEMPLATE

CHECKS: dict[str, Callable[[Report], Iterator[CheckResult]]] = {}
# Readings chosen with the identities (schemas/template.yaml `readings`): an identity over such a cell that holds
# reports used_to_read, not pass -- it agreed by construction.
_BY_ARITHMETIC = frozenset(r["code"] for r in TEMPLATE.spec["readings"] if r["by_arithmetic"])


def check(check_id: str):
    def register(fn):
        CHECKS[check_id] = fn
        return fn

    return register


def _fmt(n: float | int | None) -> str:
    if n is None:
        return "?"
    if type(n) is int:  # most values (the general answer's, faster)
        return str(n)
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _term(eq, key: tuple[str, str]) -> str:
    """Name of an equation term without the part shared by all terms (the column for H1/H2, the row for H3/H4)."""
    return key[0] if eq.subject == key[1] else key[1]


def _side(eq, keys, cells) -> str:
    """One side of an equation with each term named: "granted 6 + unable_not_held 4 (+ 18 terms 0)"."""
    terms = [(_term(eq, k), cells[k].value) for k in keys]
    shown = [(name, v) for name, v in terms if v != 0] if len(terms) > 4 else terms
    text = " + ".join(f"{name} {_fmt(v)}" for name, v in shown) or "0"
    hidden = len(terms) - len(shown)
    return text + (f" (+ {hidden} terms 0)" if hidden else "")


def run_checks(report: Report) -> list[CheckResult]:
    results: list[CheckResult] = []
    identities = _identity_results(report)  # every identity's rows at once: one pass over the cells and equations
    for check_id, fn in CHECKS.items():
        results += identities[check_id] if check_id in identities else list(fn(report))
    report.checks = results
    return results


def _identity_results(report: Report) -> dict[str, list[CheckResult]]:
    """The rows of every identity check (what `CHECKS[id](report)` yields), by check id."""
    out: dict[str, list[CheckResult]] = {check_id: [] for check_id in IDS}
    tables: dict[str, dict] = {"applications": {}, "review_litigation": {}}
    for c in report.cells:  # report.table_cells of both tables, in one pass
        if c.table in tables:
            tables[c.table][c.row, c.column] = c
    for eq in equations(report.layouts):
        if eq.id in out and tables[eq.table]:
            out[eq.id].append(_equation_result(eq, tables[eq.table]))
    return out


def _identity(check_id: str):
    def run(report: Report) -> Iterator[CheckResult]:
        yield from _identity_results(report)[check_id]

    return run


def _equation_result(eq, cells: dict) -> CheckResult:
    """One equation's row: pass, fail, used_to_read (it chose how a term was read) or not_assessable."""
    check_id, subject = eq.id, f"{eq.table}.{eq.subject}"
    terms = [cells.get(key) for key in eq.terms]
    missing = [f"{r}.{c}" for (r, c), cell in zip(eq.terms, terms) if cell is None or cell.value is None]
    if missing:
        return CheckResult(check_id, subject, "not_assessable", None, None,
                           f"no value for {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}")
    expected, actual = sum(cells[k].value for k in eq.rhs), sum(cells[k].value for k in eq.lhs)
    ok = abs(expected - actual) < 1e-9
    equation = f"{_side(eq, eq.lhs, cells)} {'=' if ok else '!='} {_side(eq, eq.rhs, cells)}"
    chosen = [f"{r}.{c} ({cells[r, c].reading})" for r, c in eq.terms if cells[r, c].reading in _BY_ARITHMETIC]
    if ok and chosen:
        return CheckResult(check_id, subject, "used_to_read", expected, actual,
                           f"{equation}; used to read {', '.join(chosen[:4])}{' …' if len(chosen) > 4 else ''}")
    return CheckResult(check_id, subject, "pass" if ok else "fail", expected, actual,
                       equation + ("" if ok else " as printed"))


for _id in IDS:  # one named check per identity of schemas/identities.yaml
    check(_id)(_identity(_id))


def _domain_ok(cell: Cell) -> bool:
    if cell.table == "proactive_disclosure":
        measure = TEMPLATE.table(cell.table).code("measures", cell.column)
        if not measure.get("decimal") and not float(cell.value).is_integer():
            return False
        return measure.get("signed", False) or cell.value >= 0
    return float(cell.value).is_integer() and cell.value >= 0


@check("D1")
def domain(report: Report) -> Iterator[CheckResult]:
    """One row per table: pass when every read value is in the template's domain, else one row per bad cell."""
    for table in ("proactive_disclosure", "applications", "review_litigation"):
        cells = [c for c in report.cells if c.table == table and c.value is not None]
        if not cells:
            continue
        bad = [c for c in cells if not _domain_ok(c)]
        for c in bad:
            yield CheckResult("D1", c.key, "fail", None, c.value, f"{c.raw!r} at {c.source_ref} is outside the domain")
        if not bad:
            yield CheckResult("D1", table, "pass", None, None, f"{len(cells)} values in domain")


@check("T4_TWIN")
def twin_tables(report: Report) -> Iterator[CheckResult]:
    """A table printed more than once must agree with its first copy, cell by cell."""
    for table, copies in report.twins.items():
        first = report.table_cells(table)
        for n, copy in enumerate(copies, start=2):
            diffs = [c for c in copy if (first.get((c.row, c.column)) or c).value != c.value]
            subject = f"{table}.copy{n}"
            if diffs:
                d = diffs[0]
                yield CheckResult("T4_TWIN", subject, "fail", first[(d.row, d.column)].value, d.value,
                                  f"copy {n} differs in {len(diffs)} cells, first {d.row}.{d.column} at {d.source_ref}")
            else:
                yield CheckResult("T4_TWIN", subject, "pass", None, None, f"copy {n} agrees in all {len(copy)} cells")


@check("READ")
def unread_cells(report: Report) -> Iterator[CheckResult]:
    for c in report.cells:
        if c.status in ("ambiguous", "unreadable"):
            yield CheckResult("READ", c.key, "not_assessable", None, None,
                              f"{c.status}: {c.note or 'no confident reading'} (raw {c.raw!r} at {c.source_ref or '?'})")


@check("TABLE")
def table_errors(report: Report) -> Iterator[CheckResult]:
    for n, error in enumerate(report.errors, start=1):
        yield CheckResult("TABLE", f"error{n}", "fail", None, None, error)


@check("S6")
def magnitudes(report: Report) -> Iterator[CheckResult]:
    """Soft (the template's S6): an amount beyond its plausible bound (schemas/template.yaml `amounts`, where each
    bound's basis is given) may have been printed in 元 under a 万元 header. `warn`, never `fail`: a body larger than
    any known may collect and procure that much."""
    limits = {name: bound["max"] for name, bound in TEMPLATE.spec["amounts"]["plausible_max"].items()}
    cells = report.table_cells("proactive_disclosure")
    value = {k: c.value for k, c in cells.items() if c.value is not None}
    amounts = [("admin_fees", "fee_amount_wan_yuan"), ("gov_central_procurement", "procurement_total_amount_wan_yuan")]
    for row, column in amounts:
        subject = f"proactive_disclosure.{row}.{column}"
        if (row, column) in value and cells[row, column].note == NO_UNIT:
            yield CheckResult("S6", subject, "warn", None, value[row, column], f"{cells[row, column].raw!r} at "
                              f"{cells[row, column].source_ref}: {NO_UNIT}, the template's unit")
        elif (row, column) in value:
            yield _bound("S6", subject, value[row, column], limits[column], "万元")
    total = value.get(("gov_central_procurement", "procurement_total_amount_wan_yuan"))
    projects = value.get(("gov_central_procurement", "procurement_project_count"))
    if total is not None and projects:
        yield _bound("S6", "proactive_disclosure.gov_central_procurement.per_project", total / projects,
                     limits["procurement_per_project"], "万元 per project")


def _bound(check_id: str, subject: str, value: float, limit: float, unit: str) -> CheckResult:
    if value > limit:
        return CheckResult(check_id, subject, "warn", limit, value,
                           f"{_fmt(value)} {unit} is above {_fmt(limit)}: printed in 元 under a 万元 header?")
    return CheckResult(check_id, subject, "pass", limit, value, f"{_fmt(value)} {unit} within {_fmt(limit)}")


def same_report(report: Report, original: Report) -> Iterator[CheckResult]:
    """SAME_REPORT: a second source of one report (say crawler text beside the HTML page) must not contradict it.

    Cells read in both must agree; a cell one source leaves ambiguous is not a contradiction, and is counted.
    """
    theirs = {c.key: c for c in original.cells}
    both = [(c, theirs[c.key]) for c in report.cells if c.key in theirs]
    read_in_both = [(a, b) for a, b in both if a.value is not None and b.value is not None]
    diffs = [(a, b) for a, b in read_in_both if a.value != b.value]
    one_sided = sum(1 for a, b in both if (a.value is None) != (b.value is None))
    subject = f"duplicate_of.{original.report_id}"
    if diffs:
        a, b = diffs[0]
        yield CheckResult("SAME_REPORT", subject, "fail", b.value, a.value,
                          f"{len(diffs)} cells differ from {original.report_id}, first {a.key} at {a.source_ref}")
    else:
        yield CheckResult("SAME_REPORT", subject, "pass", None, None,
                          f"all {len(read_in_both)} cells read in both agree with {original.report_id}"
                          + (f"; {one_sided} read in only one of them" if one_sided else ""))


from opendata.check import metadata as _metadata  # noqa: E402,F401  registers META after the registry exists
