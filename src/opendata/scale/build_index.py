"""What a build of a large package published, source by source: the index an incremental rebuild starts from.

Kept in the cache folder (`builds/<hash of the package path>.json` and `.jsonl`), never in or beside the package.
For each source, in build order: its path as given, its extraction cache key and the fingerprint of its file
when the key was computed (size, modification time, inode: an unchanged file is not read again), and for each
report it published
the report id, the part its rows went to (year=/province=), its `sources` entry and what the build said of it
(reading errors, failed checks), or why it published nothing. Beside them: the settings the package was built
with, and the sha256 of its datapackage.json and the size and modification time of each of its files, so that a
package changed or replaced since is never updated in place (a full build is made instead).

Records are written as the build goes (one JSON line per source), so memory does not grow with the corpus; the
header, written once the package is in place, names the records file by its sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from opendata.publish.rows import ReportRows, part_of

INDEX_VERSION = 1


@dataclass
class Record:
    source: str  # the source file as given
    key: str | None  # its extraction cache key (None: it could not be read)
    items: list[dict] = field(default_factory=list)  # per report: id, part, title, url, errors, failed | failure
    stat: list | None = None  # its fingerprint when its key was computed (pipeline.fingerprint)
    line: str | None = field(default=None, compare=False, repr=False)  # as read from the index (written back as is)

    @property
    def reports(self) -> list[dict]:
        return [i for i in self.items if "failure" not in i]

    def add(self, r: ReportRows) -> None:
        if r.failure is not None:
            self.items.append({"failure": r.failure})
            return
        self.items.append({"id": r.report_id, "part": part_of(r), "title": r.title,
                           "url": r.origin_url, "errors": r.errors, "failed": r.failed_checks})


def records_of(rows: list[ReportRows]) -> list[Record]:
    """Consecutive ReportRows of one source make one record."""
    out: list[Record] = []
    for r in rows:
        if not out or out[-1].source != r.source:
            out.append(Record(r.source, r.source_key, stat=r.source_stat))
        out[-1].add(r)
    return out


def account(records: list[Record], summary) -> int:
    """What a build says of its sources, in their order: each failure and reading error, and the failed checks, added
    to `summary`; returns the reports published."""
    published = 0
    for r in records:
        for item in r.items:
            if "failure" in item:
                summary.reading_errors.append(item["failure"])
            else:
                summary.reading_errors += item["errors"]
                summary.failed_checks += item["failed"]
                published += 1
    return published


def index_path(cache_dir: Path, out: Path) -> Path:
    name = hashlib.sha256(str(Path(os.path.abspath(out))).encode()).hexdigest()[:32]
    return Path(cache_dir) / "builds" / f"{name}.json"


class IndexWriter:
    """Records written as they come; `commit` (once the package is in place) makes them the package's index."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".jsonl")
        self.path, self.tmp = path, Path(tmp)
        self.file = os.fdopen(fd, "w", encoding="utf-8")
        self.sha = hashlib.sha256()
        self.last: Record | None = None

    def add(self, rows: list[ReportRows]) -> None:
        self.add_records(records_of(rows))

    def add_records(self, records: list[Record]) -> None:
        for record in records:
            if self.last is not None and self.last.source == record.source:  # one source cut by a batch
                self.last.items += record.items
                self.last.line = None
                continue
            self._write(self.last)
            self.last = record

    def _write(self, record: Record | None) -> None:
        if record is not None:
            line = record.line or json.dumps([record.source, record.key, record.items, record.stat],
                                             ensure_ascii=False) + "\n"
            self.file.write(line)
            self.sha.update(line.encode("utf-8"))

    def commit(self, out: Path, settings: dict) -> None:
        self._write(self.last)
        self.file.close()
        records = self.path.with_suffix(".jsonl")
        os.replace(self.tmp, records)
        header = {"version": INDEX_VERSION, "settings": settings, "records": self.sha.hexdigest(),
                  **package_state(out)}
        _write_atomically(self.path, json.dumps(header, ensure_ascii=False))

    def discard(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


def write(path: Path, records: list[Record], out: Path, settings: dict) -> None:
    """The index of the package at `out`, from its records."""
    writer = IndexWriter(path)
    writer.add_records(records)
    writer.commit(out, settings)


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def package_state(out: Path) -> dict:
    """The sha256 of the package's datapackage.json and the size and modification time of every file it lists."""
    from opendata.publish.package import read_descriptor

    descriptor = out / "datapackage.json"
    meta = read_descriptor(descriptor)
    paths = sorted({p for r in meta["resources"] for p in ([r["path"]] if isinstance(r["path"], str) else r["path"])}
                   | {r["schema"] for r in meta["resources"] if isinstance(r.get("schema"), str)})
    files = {}
    for rel in paths:
        st = os.stat(out / rel)
        files[rel] = [st.st_size, st.st_mtime_ns]
    return {"descriptor": hashlib.sha256(descriptor.read_bytes()).hexdigest(), "files": files}


@dataclass
class Index:
    settings: dict
    records: list[Record]
    descriptor: str
    files: dict[str, list[int]]

    def intact(self, out: Path) -> bool:
        """The package at `out` is the one indexed, none of its files changed since (size, modification time)."""
        try:
            return package_state(out) == {"descriptor": self.descriptor, "files": self.files}
        except (OSError, ValueError, KeyError, TypeError):
            return False


def load(path: Path, settings: dict) -> Index | None:
    """The index at `path` when it is whole and was built with `settings` (else None: a full build)."""
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
        data = path.with_suffix(".jsonl").read_bytes()
    except (OSError, ValueError):
        return None
    if (not isinstance(header, dict) or header.get("version") != INDEX_VERSION or header.get("settings") != settings
            or hashlib.sha256(data).hexdigest() != header.get("records")):
        return None
    records = [Record(*json.loads(line), line=line) for line in data.decode("utf-8").splitlines(keepends=True)]
    return Index(settings, records, header["descriptor"], header["files"])
