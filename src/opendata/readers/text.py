"""Flattened text: one table cell per line (encyclopedia mirrors, crawler page.txt files), either script.

Each non-empty line is a token; blank cells cannot be told apart in such text, so none are emitted.
"""

from __future__ import annotations

from pathlib import Path

from opendata.model import Document, Token
from opendata.readers import decode


def read(path: Path) -> Document:
    text, encoding = decode(path.read_bytes())
    tokens = [
        Token(line, f"L{n}")
        for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1)
        if line.strip()
    ]
    return Document(path=path, format="text", tokens=tokens, cells_explicit=False, encoding=encoding)
