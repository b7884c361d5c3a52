"""Flattened text: one table cell per line (encyclopedia mirrors, crawler page.txt files), either script.

Each non-empty line is a token; blank cells cannot be told apart in such text, so none are emitted. A line of
tab-separated fields (a table row copied from a browser or a spreadsheet) gives one token per field: a tab is a
cell boundary, not a space inside a cell.
"""

from __future__ import annotations

from pathlib import Path

from opendata.model import Document, Token
from opendata.read import decode


def read(path: Path, markers: frozenset = frozenset()) -> Document:
    text, encoding = decode(path.read_bytes())
    tokens: list[Token] = []
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if "\t" not in line:
            if line.strip():
                tokens.append(Token(line, f"L{n}"))
            continue
        tokens += [Token(field, f"L{n}/c{k}") for k, field in enumerate(line.split("\t"), start=1) if field.strip()]
    return Document(path=path, format="text", tokens=tokens, cells_explicit=False, encoding=encoding)
