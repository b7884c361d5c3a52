"""Extraction accuracy against hand-checked gold values (tests/gold/*.json, format: ../shared/corpus/README.md).

Per report and in total: cells compared, exact, wrong (value differs from gold), flagged (ambiguous/unreadable
where gold has a value), false_reported (a value where the source has none), guessed (a value published as
reported where gold says the source cannot settle it), missing (no cell at all where gold has a value).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

TABLES = ("proactive_disclosure", "applications", "review_litigation")
COLUMNS = [
    "report", "compared", "exact", "wrong", "flagged", "flagged_unexpected", "false_reported", "guessed", "missing",
    "marker_wrong",
]


@dataclass
class Score:
    report: str
    compared: int = 0
    exact: int = 0
    wrong: int = 0
    flagged: int = 0
    flagged_unexpected: int = 0  # flagged although gold settles the cell (not listed ambiguous or unsettled by tables)
    false_reported: int = 0
    guessed: int = 0
    missing: int = 0
    marker_wrong: int = 0  # a blank or marker cell published with another status or raw text than gold records
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.false_reported or self.guessed or self.flagged_unexpected or self.missing
                    or self.marker_wrong)

    @property
    def nothing_wrong(self) -> bool:
        """No published value contradicts gold (flagging a cell gold settles is allowed: lossy sources)."""
        return not (self.wrong or self.false_reported or self.guessed or self.marker_wrong)

    def row(self) -> tuple:
        d = asdict(self)
        return tuple(d[c] for c in COLUMNS)


def score(report, gold: dict) -> Score:
    s = Score(report.report_id)
    ambiguous = set(gold.get("ambiguous", []))
    # Cells gold settles from outside the tables (narrative, printed order of detached rows): flagging is expected.
    unsettled = set(gold.get("unsettled_by_tables", []))
    markers = gold.get("markers", {})
    cells = {c.key: c for c in report.cells}
    for table in TABLES:
        for row, cols in gold.get(table, {}).items():
            for col, expected in cols.items():
                key = f"{table}.{row}.{col}"
                cell = cells.get(key)
                has_value = cell is not None and cell.value is not None and cell.status in ("reported", "derived")
                if expected is None:
                    if key in markers and cell is not None and not has_value:
                        _check_marker(s, key, cell, markers[key])
                    if has_value:
                        s.compared += 1
                        s.false_reported += 1
                        s.details.append(f"false reported {key}: {cell.value} at {cell.source_ref}")
                    continue
                s.compared += 1
                if cell is None:
                    s.missing += 1
                    s.details.append(f"missing {key} (gold {expected})")
                elif key in ambiguous:
                    if cell.status == "ambiguous":
                        s.exact += 1
                    elif has_value:
                        s.guessed += 1
                        s.details.append(f"guessed {key}: {cell.value} published as {cell.status}; gold lists it as ambiguous")
                    else:
                        s.flagged += 1
                elif has_value:
                    if abs(float(cell.value) - float(expected)) < 1e-6:
                        s.exact += 1
                    else:
                        s.wrong += 1
                        s.details.append(f"wrong {key}: {cell.value} (gold {expected}) at {cell.source_ref}")
                else:
                    s.flagged += 1
                    if key not in unsettled:
                        s.flagged_unexpected += 1
                        s.details.append(f"flagged {key}: {cell.status} (gold {expected}) {cell.note}")
    return s


def _check_marker(s: Score, key: str, cell, raw: str) -> None:
    """Gold's raw text of a cell with no number: "" is a blank cell, anything else a marker kept verbatim."""
    expected = ("blank", "") if raw == "" else ("marker", raw)
    if (cell.status, cell.raw or "") != expected:
        s.marker_wrong += 1
        s.details.append(f"marker {key}: {cell.status} {cell.raw!r} (gold {expected[0]} {expected[1]!r})")


def untouched(gold: dict, correction: dict | None) -> dict:
    """The team's gold as the corpus has it: without this project's hand-checked corrections
    (tests/gold/corrections.json), so that the score against it is printed too."""
    gold = {k: v for k, v in gold.items() if k not in ("unsettled_by_tables", "corrections")}
    removed = (correction or {}).get("remove_ambiguous", [])
    if removed:
        gold["ambiguous"] = list(dict.fromkeys(gold.get("ambiguous", []) + removed))
    return gold


def run(gold_dir: Path, sources: Path, manifest: Path, corrected: bool = True) -> list[Score]:
    """Scores of every report with a gold file; `corrected` False: against the untouched gold (see `untouched`)."""
    from opendata.extract import manifest as manifest_mod
    from opendata.pipeline import extract

    rows = manifest_mod.load(manifest)
    by_stem = {p.stem: (p, row) for p, row in rows.items()}
    corrections = json.loads((gold_dir / "corrections.json").read_text(encoding="utf-8"))
    scores = []
    for gold_path in sorted(p for p in gold_dir.glob("*.json") if p.name != "corrections.json"):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if not corrected:
            gold = untouched(gold, corrections.get(gold_path.stem))
        if gold_path.stem not in by_stem:
            continue
        path, row = by_stem[gold_path.stem]
        try:
            report = extract(path, row)
        except Exception as exc:
            s = Score(gold_path.stem, details=[f"{path}: {type(exc).__name__}: {exc}"])
            s.missing = sum(v is not None for t in TABLES for cols in gold.get(t, {}).values() for v in cols.values())
            s.compared = s.missing
            scores.append(s)
            continue
        scores.append(score(report, gold))
    return scores


def total(scores: list[Score]) -> Score:
    t = Score("TOTAL")
    for s in scores:
        for c in COLUMNS[1:]:
            setattr(t, c, getattr(t, c) + getattr(s, c))
    return t
