"""One set of output formats for every query-like command: table, csv, json, jsonl, markdown (to stdout)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, TextIO

import typer


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv, json, jsonl or markdown.")
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


def render(columns: list[str], rows: list[tuple], fmt: Format, out: TextIO | None = None, title: str | None = None) -> None:
    out = out or sys.stdout
    if fmt is Format.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_text(v) for v in row] for row in rows])
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
            out.write("| " + " | ".join(_text(v).replace("|", "\\|") for v in row) + " |\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for row in rows:
            table.add_row(*[_text(v) for v in row])
        Console(file=out, width=max(100, min(200, 20 * len(columns)))).print(table)
