"""Readers: one module per source format, each turning a file into a Document of tokens with positions."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
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


class ReadError(ValueError):
    """A file that cannot be read as a report: the message names the file."""


class UnsupportedFormat(ReadError):
    pass


def read(path: Path, markers: Collection[str] = ()) -> Document:
    """The file as a Document; `markers`: texts that stand in a table cell instead of a number."""
    import importlib

    from opendata.read.grid import folded_markers

    module = READERS.get(path.suffix.lower())
    if module is None:
        raise UnsupportedFormat(f"{path}: no reader for '{path.suffix}' files (known: {', '.join(sorted(READERS))})")
    try:
        reader = importlib.import_module(f"opendata.read.{module}")
    except ModuleNotFoundError as exc:
        raise UnsupportedFormat(f"{path}: the {module} reader is not available ({exc})") from exc
    data = path.read_bytes()
    try:
        doc = reader.read(path, folded_markers(markers))
    except ReadError:
        raise
    except OSError as exc:
        if exc.filename:  # the file itself could not be opened: the CLI says so in one line
            raise
        raise _read_error(path, module, exc) from exc
    except Exception as exc:  # a reader or its library failing on malformed input (RecursionError, MemoryError too)
        raise _read_error(path, module, exc) from exc
    doc.sha256 = hashlib.sha256(data).hexdigest()
    return doc


def _read_error(path: Path, module: str, exc: Exception) -> ReadError:
    message = str(exc).strip().split("\n")[0][:300]
    if str(path) in message:  # the reader named the file already
        return ReadError(message)
    return ReadError(f"{path}: cannot be read as a {module} file ({type(exc).__name__}: {message or 'no detail'})")


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and encoding of a file's bytes: UTF-8 first, else the charset the file declares (an HTML page's
    <meta charset>) when the bytes decode in it, else the detected charset (any GB charset read as gb18030)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"),):
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared and (found := _decode_declared(data, declared)):
        return found
    from charset_normalizer import from_bytes

    # The reports are Chinese: when the bytes are valid GB18030 or Big5, choose between those (unrestricted, the
    # detector can take a GBK page for cp1251).
    chinese = [enc for enc in ("gb18030", "big5") if _decodes(data, enc)]
    best = from_bytes(data, cp_isolation=chinese).best() if chinese else from_bytes(data).best()
    enc = (best.encoding if best else "gb18030").lower()
    if enc.replace("-", "").replace("_", "") in {"gb2312", "gbk", "gb18030", "hz", "big5"} and enc != "big5":
        enc = "gb18030"  # GB2312 and GBK are subsets of GB18030; a page labelled as either often uses more
    return data.decode(enc, errors="replace"), enc


# Single-byte Western charsets decode any bytes: declared on a Chinese page they are a mislabel, so detect instead.
_UNTRUSTED = {"latin1", "iso88591", "windows1252", "cp1252", "ascii", "usascii", "l1"}


def _decode_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    import codecs

    name = declared.lower().replace("-", "").replace("_", "")
    if name in _UNTRUSTED:
        return None
    enc = "gb18030" if name.startswith(("gb", "xgbk", "cp936", "euccn", "xeuccn")) else declared.lower()
    try:
        enc = codecs.lookup(enc).name
        return data.decode(enc), enc
    except (LookupError, UnicodeDecodeError):
        return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
