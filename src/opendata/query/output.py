"""One set of output options for every query-like command: `--format table|csv|json|jsonl|markdown` and
`-o FILE` (stdout by default; a file is written aside and renamed into place, so a failed command leaves none).

`table` never splits a value across lines: when the columns do not fit the width it writes one record per block
(`column  value` lines, like psql's expanded mode); results longer than STREAM_ROWS are written row by row as plain
aligned text instead of being laid out by rich all at once.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer

STREAM_ROWS = 200  # above this many rows, `table` is written row by row (rich lays out ~1,000 rows per second)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv, json, jsonl or markdown.")
]
OutputOption = Annotated[
    Optional[Path], typer.Option("--output", "-o", help="Write the output to FILE (any format) instead of stdout.")
]


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _text(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else str(value)
    return str(value)


def render(columns: list[str], rows: list[tuple], fmt: Format, out: TextIO | None = None, title: str | None = None,
           path: Path | None = None) -> None:
    """Write `rows` in `fmt` to `path` (atomically), to `out`, or to stdout."""
    if path is not None:
        try:
            with _atomic_text(path) as f:
                _write(columns, rows, fmt, f, title, width=None)
        except OSError as exc:
            typer.echo(f"error: {path}: cannot write ({exc.strerror or exc})", err=True)
            raise typer.Exit(1) from None
        return
    out = out or sys.stdout
    _write(columns, rows, fmt, out, title, width=_terminal_width(out))


def _write(columns, rows, fmt: Format, out: TextIO, title: str | None, width: int | None) -> None:
    if fmt is Format.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text(v) for v in row] for row in rows)
    elif fmt is Format.json:
        json.dump([dict(zip(columns, map(_plain, row))) for row in rows], out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt is Format.jsonl:
        for row in rows:
            out.write(json.dumps(dict(zip(columns, map(_plain, row))), ensure_ascii=False) + "\n")
    elif fmt is Format.markdown:
        out.write("| " + " | ".join(columns) + " |\n")
        out.write("|" + "|".join(" --- " for _ in columns) + "|\n")
        for row in rows:
            out.write("| " + " | ".join(_text(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |\n")
    else:
        # a line break inside a value (a label printed one character per line) is shown as a space: one row, one line
        write_table(columns, [[_text(v).replace("\n", " ") for v in row] for row in rows], out, title, width)


def _terminal_width(out: TextIO) -> int | None:
    """The width to fit on a terminal; None (no limit) when the output is a pipe or a file, unless COLUMNS says."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    try:
        return os.get_terminal_size(out.fileno()).columns if out.isatty() else None
    except (AttributeError, OSError, ValueError):
        return None


def write_table(columns: list[str], cells: list[list[str]], out: TextIO, title: str | None, width: int | None) -> None:
    """A table whose values are never split: a rich table when it fits and is short, aligned plain text when it
    is long, one record per block when it is too wide."""
    from rich.cells import cell_len

    widths = [max([cell_len(c)] + [cell_len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    natural = sum(widths) + 3 * len(widths) + 1  # with rich's borders and padding
    if (width is None or natural <= width) and len(cells) <= STREAM_ROWS:
        _rich_table(columns, cells, out, title, max(natural, cell_len(title or "")))
        return
    if title:
        out.write(title + "\n")
    if width is not None and natural > width:
        write_records(columns, cells, out)
    else:
        write_plain(columns, cells, widths, out)


def _rich_table(columns, cells, out: TextIO, title: str | None, width: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, no_wrap=True, overflow="ellipsis")
    for row in cells:
        table.add_row(*row)
    Console(file=out, width=width).print(table)


def write_plain(columns: list[str], cells: list[list[str]], widths: list[int], out: TextIO) -> None:
    """Aligned columns, written row by row (no layout of the whole table in memory)."""
    def line(values) -> str:
        return "  ".join(_pad(v, w) for v, w in zip(values, widths)).rstrip() + "\n"

    out.write(line(columns))
    out.write(line(["-" * w for w in widths]))
    for row in cells:
        out.write(line(row))


def write_records(columns: list[str], cells: list[list[str]], out: TextIO) -> None:
    """One block per row, one `column  value` line per field: nothing is cut however wide the values."""
    from rich.cells import cell_len

    name_width = max(cell_len(c) for c in columns)
    for n, row in enumerate(cells, start=1):
        out.write(f"-[ record {n} ]" + "-" * 20 + "\n")
        for column, value in zip(columns, row):
            out.write(f"{_pad(column, name_width)}  {value}\n")


def _pad(text: str, width: int) -> str:
    from rich.cells import cell_len

    return text + " " * (width - cell_len(text))


@contextmanager
def _atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file written beside `path` and renamed onto it when complete; removed on failure."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
