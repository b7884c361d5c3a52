"""Fuzzing every reader and `build` with hypothesis: random bytes and mutated real reports (truncation, byte flips,
other encodings, huge lines, deep nesting, zip bombs and mutated XML in DOCX, PDFs with a broken xref).

What must hold for every input: `extract` either reads it or refuses it with `ReadError` (one line naming the file);
never another exception (a traceback), never a hang (a watchdog kills the run with a stack dump after HANG_SECONDS),
memory bounded (peak RSS checked). A short run is part of the default suite; the long run:

    OPENDATA_FUZZ_EXAMPLES=2000 OPENDATA_FUZZ_REPORT=fuzz.jsonl .venv/bin/python -m pytest tests/test_fuzz.py -m slow

runs that many inputs per reader and appends one line of figures per reader to the report file
(OPENDATA_FUZZ_CRASH_DIR=DIR keeps the input and the stacks of a run that dies).
"""

from __future__ import annotations

import faulthandler
import io
import json
import os
import resource
import tempfile
import time
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, CORPUS_PDFS, ROOT, SEED, SOURCES

HANG_SECONDS = 120  # far beyond any real input (a 5-page PDF reads in about 2 s): only a hang reaches it
PEAK_RSS_LIMIT = 3 * 1024**3  # bytes
LONG_RUN = int(os.environ.get("OPENDATA_FUZZ_EXAMPLES", "0"))
SUFFIXES = [".txt", ".html", ".md", ".pdf", ".docx"]
SHORT_RUN = {".txt": 20, ".html": 15, ".md": 20, ".pdf": 6, ".docx": 10}


# Seeds: the real reports of each format ---------------------------------------------------------------------------
@cache
def seeds(suffix: str) -> tuple[bytes, ...]:
    if suffix == ".docx":
        return (ROOT.joinpath("tests/fixtures/2025_pingtan_html_1.docx").read_bytes(),)
    if suffix == ".pdf":  # the real PDFs live in the shared corpus (not redistributed); else a blank PDF
        files = [CORPUS / r / "source.pdf" for r in CORPUS_PDFS if (CORPUS / r / "source.pdf").is_file()]
        # two pages with table 三: mutations stay quick to read
        return tuple(_pdf_pages(f, (0, 1)) for f in files) or (_blank_pdf(),)
    files = sorted((SOURCES / "reports").glob(f"*{suffix}"))
    if suffix == ".txt":
        files = files[:8]
    return tuple(f.read_bytes() for f in files)


def _blank_pdf() -> bytes:
    import pypdfium2 as pdfium

    pdf, buffer = pdfium.PdfDocument.new(), io.BytesIO()
    pdf.new_page(595, 842)
    pdf.save(buffer)
    return buffer.getvalue()


def _pdf_pages(path: Path, pages: tuple[int, ...]) -> bytes:
    import pypdfium2 as pdfium

    source, out = pdfium.PdfDocument(str(path)), pdfium.PdfDocument.new()
    out.import_pages(source, list(pages))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


# Mutations ------------------------------------------------------------------------------------------------------------
def truncate(data: bytes, at: float) -> bytes:
    return data[: int(len(data) * at)]


def flip(data: bytes, flips: list[tuple[float, int]]) -> bytes:
    out = bytearray(data)
    for at, byte in flips:
        if out:
            out[int(at * (len(out) - 1))] = byte
    return bytes(out)


def splice(data: bytes, a: float, b: float, c: float) -> bytes:
    """A slice of the file copied over another place (rows repeated, tags unbalanced)."""
    i, j = sorted((int(a * len(data)), int(b * len(data))))
    k = int(c * len(data))
    return data[:k] + data[i:j] + data[k + (j - i) // 2:]


def reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", errors="replace").encode(encoding, errors="replace")


def huge_line(data: bytes, at: float, piece: bytes, count: int) -> bytes:
    k = int(at * len(data))
    return data[:k] + piece * count + data[k:]


def nest(data: bytes, suffix: str, depth: int) -> bytes:
    if suffix == ".md":
        return b"> " * depth + b"- " * depth + data
    return b"<div><table><tr><td>" * depth + data + b"</td></tr></table></div>" * (depth // 2)


def break_xref(data: bytes, digits: bytes) -> bytes:
    """A PDF whose startxref points nowhere and whose xref table is damaged."""
    k = data.rfind(b"startxref")
    if k < 0:
        return data
    data = data[: k + 10] + digits + b"\n%%EOF\n"
    return data.replace(b"xref", b"xrfe", 1)


def docx_xml(data: bytes, mutate) -> bytes:
    """The DOCX with its document.xml mutated (the zip itself stays valid, so python-docx parses the XML)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            body = src.read(item)
            out.writestr(item, mutate(body) if item.filename == "word/document.xml" else body)
    return buffer.getvalue()


@cache
def zip_bomb(unpacked: int = 1024**3) -> bytes:
    """A DOCX whose document.xml unpacks to `unpacked` bytes (about 1 MB packed)."""
    base = zipfile.ZipFile(io.BytesIO(seeds(".docx")[0]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in base.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, base.read(item))
        with out.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (16 * 1024**2)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


fractions = st.floats(0, 1)


@st.composite
def mutated(draw, suffix: str) -> bytes:
    data = draw(st.sampled_from(seeds(suffix)))
    kinds = ["truncate", "flip", "splice", "huge_line", "random"]
    kinds += {".pdf": ["xref"], ".docx": ["xml", "bomb"]}.get(suffix, ["encoding", "nest"])
    kind = draw(st.sampled_from(kinds))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    if kind == "truncate":
        return truncate(data, draw(fractions))
    if kind == "flip":
        return flip(data, draw(st.lists(st.tuples(fractions, st.integers(0, 255)), min_size=1, max_size=40)))
    if kind == "splice":
        return splice(data, draw(fractions), draw(fractions), draw(fractions))
    if kind == "encoding":
        return reencode(data, draw(st.sampled_from(["gb18030", "big5", "utf-16", "utf-8-sig", "shift_jis", "latin-1"])))
    if kind == "huge_line":
        piece = draw(st.sampled_from([b"9", "一".encode(), b"<b>", b" ", "（".encode()]))
        return huge_line(data, draw(fractions), piece, draw(st.integers(1000, 300_000)))
    if kind == "nest":
        return nest(data, suffix, draw(st.integers(100, 50_000)))
    if kind == "xref":
        return break_xref(flip(data, draw(st.lists(st.tuples(fractions, st.integers(0, 255)), max_size=5))),
                          draw(st.binary(min_size=1, max_size=12)))
    if kind == "xml":
        how = draw(st.sampled_from(["truncate", "flip", "splice"]))
        cut, cuts = draw(fractions), draw(st.lists(st.tuples(fractions, st.integers(0, 255)), min_size=1, max_size=20))
        return docx_xml(data, {"truncate": lambda b: truncate(b, cut), "flip": lambda b: flip(b, cuts),
                               "splice": lambda b: splice(b, cut, cuts[0][0], 1 - cut)}[how])
    return zip_bomb()


# The property ---------------------------------------------------------------------------------------------------------
FIGURES: Counter = Counter()
CRASH_DIR = os.environ.get("OPENDATA_FUZZ_CRASH_DIR")  # long runs: inputs and stack dumps of a crash are kept here


@cache
def _crash_log():
    import sys

    if not CRASH_DIR:
        return sys.stderr
    log = open(Path(CRASH_DIR) / f"crash-{os.getpid()}.log", "w")  # noqa: SIM115 (open for the whole run)
    faulthandler.enable(file=log)  # a segmentation fault is logged too
    return log


def outcome(data: bytes, suffix: str) -> str:
    """Extract one input: "read" (cells found), "no table", or "refused" (ReadError); anything else raises."""
    from opendata.pipeline import extract
    from opendata.read import ReadError

    with tempfile.TemporaryDirectory(dir=CRASH_DIR) as folder:  # in CRASH_DIR, a crash leaves its input behind
        path = Path(folder) / f"fuzzed{suffix}"
        path.write_bytes(data)
        # a hang ends the run with every stack printed (to the crash log, when there is one)
        faulthandler.dump_traceback_later(HANG_SECONDS, exit=True, file=_crash_log())
        started = time.perf_counter()
        try:
            report = extract(path)
            result = "read" if report.cells else "no table"
        except ReadError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc)
            result = "refused"
        finally:
            faulthandler.cancel_dump_traceback_later()
        FIGURES["slowest_ms"] = max(FIGURES["slowest_ms"], int((time.perf_counter() - started) * 1000))
    FIGURES[result] += 1
    return result


def run_fuzz(suffix: str, examples: int) -> None:
    FIGURES.clear()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=not LONG_RUN,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(mutated(suffix), st.binary(max_size=512)))
    def check(data: bytes) -> None:
        outcome(data, suffix)

    check()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < PEAK_RSS_LIMIT, f"peak memory {peak / 1024**2:.0f} MB"
    if report := os.environ.get("OPENDATA_FUZZ_REPORT"):
        with open(report, "a", encoding="utf-8") as f:
            f.write(json.dumps({"reader": suffix, "inputs": sum(FIGURES[k] for k in ("read", "no table", "refused")),
                                **FIGURES, "peak_rss_mb": peak // 1024**2}) + "\n")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_fuzz_every_reader_short(suffix):
    run_fuzz(suffix, SHORT_RUN[suffix])


@pytest.mark.slow
@pytest.mark.skipif(not LONG_RUN, reason="set OPENDATA_FUZZ_EXAMPLES to run the long fuzz")
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_fuzz_every_reader_long(suffix):
    run_fuzz(suffix, LONG_RUN)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    from opendata.read import ReadError, read

    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(zip_bomb())
    assert len(bomb.read_bytes()) < 5 * 1024**2
    with pytest.raises(ReadError, match=r"bomb\.docx: refused: .* unpacking to 1,07\d,\d{3},\d{3} bytes"):
        read(bomb)


# build over a folder of fuzzed files ------------------------------------------------------------------------------
def test_build_publishes_the_good_report_beside_fuzzed_ones(tmp_path):
    """A folder with the seed and fuzzed copies of every format: the seed is published, every fuzzed file is read
    or named in one error line, the package validates."""
    from typer.testing import CliRunner

    from opendata.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    fuzzed = {
        "cut.txt": truncate(seeds(".txt")[1], 0.4), "gbk.html": reencode(seeds(".html")[0], "gb18030"),
        "deep.html": nest(seeds(".html")[0], ".html", 20_000), "long.md": huge_line(seeds(".md")[0], 0.5, b"9", 200_000),
        "xref.pdf": break_xref(seeds(".pdf")[0], b"99999999"), "bomb.docx": zip_bomb(),
        "flipped.docx": flip(seeds(".docx")[0], [(0.3, 0), (0.5, 255)]), "noise.pdf": bytes(range(256)) * 8,
        "empty.txt": b"",
    }
    for name, data in fuzzed.items():
        (folder / name).write_bytes(data)
    out = tmp_path / "pkg"
    r = CliRunner().invoke(app, ["build", str(folder), "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    errors = [line for line in r.stderr.split("\n") if line.startswith("error: ")]
    assert {name for name in fuzzed if any(name in line for line in errors)} >= {"bomb.docx", "noise.pdf", "empty.txt"}
    assert all(line.count(str(folder)) <= 1 for line in errors)
    import pyarrow.parquet as pq

    published = set(pq.read_table(out / "data" / "reports.parquet").column("report_id").to_pylist())
    assert "seed" in published and published <= {"seed"} | {Path(n).stem for n in fuzzed}
    assert CliRunner().invoke(app, ["validate", str(out)]).exit_code == 0


# Crashes the fuzz found, kept as regression tests -------------------------------------------------------------------
def test_a_nul_byte_in_traditional_text_keeps_every_line():
    """A flipped byte made a text file decode as traditional script with a NUL in it; OpenCC ended the text at the
    NUL, so folding lost lines ("folding must keep one line per text")."""
    from opendata.fold import fold_lines

    assert fold_lines(["\x00abc", "def"], traditional=True) == [" abc", "def"]
    assert fold_lines([], traditional=True) == []


def test_deeply_nested_tables_are_refused_quickly(tmp_path):
    """300 nested tables took minutes (the reading cost grows with the cube of the nesting)."""
    from opendata.read import ReadError, read

    page = tmp_path / "deep.html"
    page.write_bytes(nest(seeds(".html")[0], ".html", 300))
    with pytest.raises(ReadError, match=r"deep\.html: .*tables nested 30[01] deep"):  # 300 plus the page's own table
        read(page)


def test_a_run_of_thousands_of_digits_is_unreadable_not_a_crash(tmp_path):
    """A huge line of 9s inside table 三 made int() refuse 4,301 digits, and a 400-digit value overflowed float()
    in the checks; no count in a report has more than 15 digits, so such a run is no number."""
    from opendata.pipeline import extract

    seed = SEED.read_text(encoding="utf-8")
    at = seed.index("352")  # the first value of table 三 (natural persons' new requests)
    path = tmp_path / "digits.txt"
    path.write_text(seed[:at] + "9" * 5000 + seed[at + 3:], encoding="utf-8")
    report = extract(path)
    cell = next(c for c in report.cells if c.key == "applications.new_requests.natural_person")
    assert cell.status == "unreadable" and cell.value is None
    assert all(c.value is None or abs(c.value) < 10**15 for c in report.cells)
