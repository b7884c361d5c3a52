"""Report metadata from the text: title, year, issuing body, region (GB/T 2260 code via cpca), scope.

Everything here is a best reading of the text; a manifest row overrides any field.
"""

from __future__ import annotations

import re

from opendata.model import Document, ReportMeta
from opendata.extract.stream import Stream

_TITLE_KEYS = ("信息公开工作年度报告", "信息公开年度报告", "信息公开工作年报", "信息公开年报")
_HEADER_TITLE = re.compile(r"^\s*标题\s*[:：]\s*(.+)$")
_URL = re.compile(r"^\s*(?:原始链接|原文链接|来源链接|URL)\s*[:：]\s*(https?://\S+)", re.IGNORECASE)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
# Bodies that are one agency rather than a whole government's area.
_AGENCY_SUFFIX = re.compile(r"(局|委员会|委|办公室|办公厅|厅|中心|管理局|公司|院|所|站|队|处|科|部|署|会|集团)$")
_GOVERNMENT = re.compile(r"(人民政府|政府|管委会|管理委员会)$")


def title_of(stream: Stream) -> str | None:
    """The report's title: a "标题:" header line, else the first short line naming an annual report (read from the
    stream's folded lines: simplified script, half-width)."""
    for line in stream.lines[:400]:
        text = line.strip()
        m = _HEADER_TITLE.match(text)
        if m:
            return m.group(1).strip()
        if any(k in text.replace(" ", "") for k in _TITLE_KEYS) and len(text) <= 80:
            return text.strip()
    return None


def detect(doc: Document, stream: Stream) -> ReportMeta:
    meta = ReportMeta()
    title = title_of(stream)
    meta.title = title
    for token in doc.tokens[:40]:
        m = _URL.match(token.text)
        if m:
            meta.origin_url = m.group(1)
            break
    if not title:
        return meta
    compact = title.replace(" ", "")
    m = _YEAR.search(compact)
    if m:
        meta.year = int(m.group(1))
    body = _YEAR.sub("", compact)
    body = re.split(r"政府信息公开|信息公开|政务公开", body)[0]
    body = re.sub(r"(关于|的)$", "", body).strip("《》\"' ")
    region = _region(body)
    if region:
        meta.region_name, meta.region_code = region
    if _AGENCY_SUFFIX.search(body) and not _GOVERNMENT.search(body):
        meta.agency, meta.scope = body, "agency"
    else:
        meta.agency = body if _GOVERNMENT.search(body) else f"{body}人民政府" if body else None
        meta.scope = "jurisdiction"
    return meta


def _region(text: str) -> tuple[str, str] | None:
    """(full region name, 6-digit code) for the first place name in the text."""
    import cpca

    df = cpca.transform([text])
    if df.empty:
        return None
    row = df.iloc[0]
    parts = [row.get(k) for k in ("省", "市", "区")]
    parts = [p for p in parts if isinstance(p, str) and p]
    code = row.get("adcode")
    if not parts or not isinstance(code, str):
        return None
    # cpca puts a municipality in 省 and 市 alike (上海市/上海市); keep each name once.
    name = "".join(dict.fromkeys(parts))
    if len(parts) == 1 and code.endswith("0000") and name not in text:
        return None
    return name, code
