"""Either script: every bundled text, HTML and Markdown report, converted to traditional characters with Taiwan
phrasing (as encyclopedia mirrors print them), reads back to exactly the same cells as the original."""

from __future__ import annotations

import pytest

from conftest import SOURCES, manifest_row

REPORTS = sorted(p for p in (SOURCES / "reports").iterdir() if p.suffix in (".txt", ".html", ".md"))


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_traditional_copy_reads_the_same(path, tmp_path):
    import opencc

    from opendata.pipeline import extract

    text = path.read_text(encoding="utf-8")
    copy = tmp_path / path.name
    copy.write_text(opencc.OpenCC("s2twp").convert(text), encoding="utf-8")
    original = extract(path, manifest_row(path.stem))
    converted = extract(copy, manifest_row(path.stem))
    assert converted.script == "traditional"
    assert converted.layouts == original.layouts
    assert [(c.key, c.status, c.value) for c in converted.cells] == [(c.key, c.status, c.value) for c in original.cells]
