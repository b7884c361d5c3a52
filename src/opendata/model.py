"""The plain intermediate model that flows one way through the pipeline.

reader -> Document (tokens: raw text + position) -> aligner -> Report (cells with status, value, source_ref)
-> checks -> CheckResult rows -> writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True, unsafe_hash=True)  # as Piece: one per line or table cell of every report
class Token:
    """One piece of source text as a reader found it: a line, a table cell, a PDF line."""

    text: str  # raw, exactly as in the source
    ref: str  # position in the source: "L12", "t2/r5/c3", "p4/L12"


# Not frozen, but hashable: a frozen dataclass's __init__ costs 8x more, and the stream makes one per number of every
# report (nothing changes a piece: `dataclasses.replace` makes a new one).
@dataclass(slots=True, unsafe_hash=True)
class Piece:
    """One candidate cell text in a value region."""

    kind: str  # number | blank | marker | point (a lone decimal point)
    text: str  # folded text of the piece ("26769万元", "0", "/", "")
    raw: str  # raw source text of the token it came from (whole token when it is short)
    ref: str  # source position
    hard: bool  # True when a token boundary (line, cell) precedes it; False when only a space does
    at: int = 0  # position in the folded stream text
    # True when text other than whitespace (a dash, a note, a header) stands between it and the piece before it in
    # its region: the two are never joined into one number.
    after_text: bool = False
    sign_word: bool = False  # its sign was printed as a word (增加 5, 减少 3): `text` holds it as "+5" / "-3"
    maybe_noise: bool = False  # a bare number before a running header: a page number or a value, the rows decide


@dataclass
class Document:
    path: Path
    format: str  # text | html | pdf | markdown | docx
    tokens: list[Token]
    # True for sources that keep every table cell as its own token (HTML, docx): an empty token is a blank cell.
    # False for text streams, where blank cells leave no trace.
    cells_explicit: bool = False
    encoding: str | None = None
    sha256: str = ""  # of the file's bytes when it was read: what the published values were read from


@dataclass(slots=True)  # the solver builds one per cell of every candidate reading
class Cell:
    """One cell of a table, from its reading in the solver to its published row.

    `key` is the cell's one identifier, "table.row.column"; the solver, which reads rows before their table is
    known, leaves `table` empty and addresses a cell by its `place` (row, column), the terms of the identities.
    """

    table: str  # proactive_disclosure | applications | review_litigation
    row: str  # item / row / block code
    column: str  # measure / applicant / outcome code
    status: str
    value: float | int | None = None
    raw: str = ""
    source_ref: str = ""
    note: str = ""
    # How the value was read (schemas/template.yaml `readings`): printed as one number, or joined, split, run-expanded,
    # ... by a rule the arithmetic chose; "" where no value was read (ambiguous, unreadable).
    reading: str = "printed"
    candidates: tuple = ()  # an ambiguous cell's possible values (None: a blank, marker or lost cell)

    @property
    def key(self) -> str:
        return f"{self.table}.{self.row}.{self.column}"

    @property
    def place(self) -> tuple[str, str]:
        return self.row, self.column


@dataclass
class CheckResult:
    check_id: str
    subject: str
    result: str  # pass | fail | not_assessable | used_to_read (the identity chose how a term was read) | warn (soft)
    expected: float | None = None
    actual: float | None = None
    message: str = ""


@dataclass
class ReportMeta:
    year: int | None = None
    region_name: str | None = None
    region_code: str | None = None
    agency: str | None = None
    scope: str | None = None
    title: str | None = None
    origin_url: str | None = None
    # Another source of the same report (same statistics, other format): published, but left out of comparisons.
    duplicate_of: str | None = None
    level: str | None = None  # province | city | county | district | township | department
    # Which signal each field came from ("year": "title", "region_code": "manifest"), and what the signals said
    # when they disagree or settle nothing: (field, result, message); the META check publishes them.
    provenance: dict[str, str] = field(default_factory=dict)
    findings: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Report:
    report_id: str
    document: Document
    meta: ReportMeta
    script: str
    template: str | None = None
    layouts: dict[str, str] = field(default_factory=dict)  # table -> "2019" | "2021"
    cells: list[Cell] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems that stop a table from being read
    # Further printed copies of a table (the seed prints table 四 twice), compared by the T4_TWIN check.
    twins: dict[str, list[list[Cell]]] = field(default_factory=dict)

    def table_cells(self, table: str) -> dict[tuple[str, str], Cell]:
        return {(c.row, c.column): c for c in self.cells if c.table == table}
