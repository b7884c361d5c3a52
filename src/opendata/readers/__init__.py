"""Readers: one module per source format, each turning a file into a Document of tokens with positions."""

from __future__ import annotations

from pathlib import Path

from opendata.model import Document

# Suffix -> reader module; the module's `read(path) -> Document` does the work (imported lazily: pdf and docx
# libraries are heavy).
READERS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html",
    ".pdf": "pdf",
    ".md": "markdown", ".markdown": "markdown",
    ".docx": "docx",
}


class UnsupportedFormat(ValueError):
    pass


def read(path: Path) -> Document:
    import importlib

    module = READERS.get(path.suffix.lower())
    if module is None:
        raise UnsupportedFormat(f"{path}: no reader for '{path.suffix}' files (known: {', '.join(sorted(READERS))})")
    try:
        reader = importlib.import_module(f"opendata.readers.{module}")
    except ModuleNotFoundError as exc:
        raise UnsupportedFormat(f"{path}: the {module} reader is not available ({exc})") from exc
    return reader.read(path)


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding of a file's bytes: UTF-8 first, else the detected charset (any GB guess as gb18030)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"),):
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    enc = (best.encoding if best else "gb18030").lower()
    if enc.replace("-", "").replace("_", "") in {"gb2312", "gbk", "gb18030", "hz", "big5"} and enc != "big5":
        enc = "gb18030"  # GB2312 and GBK are subsets of GB18030; a page labelled as either often uses more
    return data.decode(enc, errors="replace"), enc
