"""Extraction pipeline for one file and for a batch: read -> align -> checks -> rows. Bad input never stops the batch.

A build is a pure function per source (`extract_rows`: a Job -> the rows it publishes), mapped in source order over
this process, local worker processes or a Dask cluster (scale/engines.py), looked up first in the extraction cache
(scale/cache.py), and streamed to the writers in batches of reports (publish/package_writer.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from opendata.check.checks import run_checks, same_report
from opendata.extract import manifest as manifest_mod
from opendata.extract.documents import report_documents
from opendata.extract.report import align
from opendata.extract.metadata import detect
from opendata.extract.stream import Stream
from opendata.model import Report, ReportMeta
from opendata.publish.columns import Columns, to_columns
from opendata.publish.rows import ReportRows, report_rows, resolved, source_path
from opendata.read import READERS, read
from opendata.scale.build_index import account, records_of
from opendata.scale.engines import Engine, ordered_map
from opendata.spec.template import TEMPLATE


@dataclass
class Failure:
    path: Path
    message: str


def extract(path: Path, manifest_row: manifest_mod.Row | None = None, report_id: str | None = None) -> Report:
    """Read one report file into an aligned, checked Report (an error when the file holds several reports)."""
    reports = extract_reports(path, manifest_row, report_id)
    if len(reports) > 1:
        raise ValueError(f"{path} holds {len(reports)} reports ({', '.join(r.report_id for r in reports)}); "
                         "extract them with `opendata build`")
    return reports[0]


def extract_reports(path: Path, manifest_row: manifest_mod.Row | None = None,
                    report_id: str | None = None) -> list[Report]:
    """Every report a file holds, aligned and checked: one, or `<id>-1`, `<id>-2`, … when several are printed one
    after the other (the manifest row, which describes the file, then only fills what each report's title leaves
    unknown)."""
    doc = read(path, TEMPLATE.markers)
    stream = Stream(doc)
    docs = report_documents(doc, stream)
    base = report_id or path.stem
    if len(docs) == 1:
        return [_extract_document(doc, stream, manifest_mod.apply(detect(doc, stream), manifest_row), base)]
    given = manifest_mod.apply(ReportMeta(), manifest_row)
    out = []
    for n, d in enumerate(docs, start=1):
        s = Stream(d)
        meta = detect(d, s)
        gaps = {k: v for k, v in vars(given).items() if v is not None and getattr(meta, k) is None}
        meta = replace(meta, **gaps)
        meta.provenance.update({k: "manifest" for k in gaps})
        out.append(_extract_document(d, s, meta, f"{base}-{n}"))
    return out


def _extract_document(doc, stream: Stream, meta: ReportMeta, report_id: str) -> Report:
    report = Report(report_id, doc, meta, "traditional" if stream.traditional else "simplified")
    align(report, stream)
    run_checks(report)
    return report


def source_files(paths: Iterable[Path]) -> list[Path]:
    """Report files under the given files and folders, in a stable order."""
    out: list[Path] = []
    for p in paths:
        out += _files_under(p) if p.is_dir() else [p]
    return out


def _files_under(folder: Path) -> list[Path]:
    """The report files under a folder (links to files too; linked folders not followed), in path order by parts,
    as `sorted(folder.rglob(...))` gives them (os.scandir: 5x faster over 10,000 files)."""
    import os

    found: list[tuple[tuple[str, ...], str]] = []
    todo: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while todo:
        where, parts = todo.pop()
        with os.scandir(where) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    todo.append((e.path, (*parts, e.name)))
                elif os.path.splitext(e.name)[1].lower() in READERS and e.is_file():
                    found.append(((*parts, e.name), e.path))
    return [Path(path) for _, path in sorted(found)]


def extract_all(paths: Iterable[Path], manifest: Path | None = None) -> Iterator[Report | Failure]:
    rows = manifest_mod.load(manifest) if manifest else {}
    yield from missing_files(rows)
    for path in source_files(paths):
        yield from _checked_all(path, rows.get(path.resolve()))


def missing_files(rows: dict) -> list[Failure]:
    """A manifest row whose file does not exist."""
    return [Failure(path, f"{row.where}: {row.get('file')} does not exist") for path, row in rows.items()
            if not path.exists()]


def _checked_all(path: Path, row: manifest_mod.Row | None) -> list[Report | Failure]:
    """Every report of a file (several when they are printed one after the other), or why it cannot be published."""
    try:
        reports = extract_reports(path, row)
        manifest_mod.check_file(row, path, reports[0].document.sha256)  # the row describes this very file
    except manifest_mod.ManifestError as exc:
        return [Failure(path, str(exc))]
    except Exception as exc:  # one bad file must not stop the batch; the error names the file (once)
        message = str(exc) if str(path) in str(exc) else f"{path}: {type(exc).__name__}: {exc}"
        return [Failure(path, message)]
    return [Failure(path, problem) if (problem := publishable(r)) else r for r in reports]


def default_manifest(paths: list[Path]) -> Path | None:
    """DIR/manifest.csv when one folder is given and has one (a folder of reports with its manifest, like sources/)."""
    if len(paths) == 1 and (paths[0] / "manifest.csv").is_file():
        return paths[0] / "manifest.csv"
    return None


def manifest_note(paths: list[Path], manifest: Path | None) -> str:
    """What the build says about its manifest: the one used, or that none was (and one in a folder above)."""
    if manifest:
        return f"manifest: {manifest}"
    above = [p.parent / "manifest.csv" for p in paths if p.is_dir() and (p.parent / "manifest.csv").is_file()]
    hint = f" ({above[0]} was not used: it is not in the folder given; pass --manifest to use it)" if above else ""
    return f"manifest: none; metadata read from the reports{hint}"


def publishable(report: Report) -> str | None:
    """Why a report cannot be published at all (None when it can): no table found, or no year to file it under."""
    path = report.document.path
    if not report.cells:
        found = "; ".join(e.removeprefix(f"{path}: ") for e in report.errors)
        return f"{path}: no table of the template found" + (f" ({found})" if found else "")
    pattern = _report_id_pattern()
    if not re.fullmatch(pattern, report.report_id):
        return (f"{path}: report id {report.report_id!r} (the file name) does not match {pattern}; rename the "
                "file (letters, digits, _ . - only)")
    if report.meta.year is None:
        return (f"{path}: the report year could not be read (title, statistics period, table headings, signature, "
                "URL, file name); give it in a manifest row (file,year)")
    return None


def _report_id_pattern() -> str:
    from opendata.spec.schemas import table_schema

    field = next(f for f in table_schema("reports")["fields"] if f["name"] == "report_id")
    return field["constraints"]["pattern"]


@dataclass(frozen=True)
class Job:
    """One source to publish, with all it depends on: its manifest row and, for a second source of a report
    (manifest `duplicate_of`), that report's source, read beside it for the SAME_REPORT check."""

    path: Path
    row: dict | None
    root: Path
    twin: Path | None = None
    twin_row: dict | None = None


def plan(paths: Iterable[Path], manifest: Path | None, root: Path) -> list[Job]:
    rows = manifest_mod.load(manifest) if manifest else {}
    files = source_files(paths)
    by_id = {f.stem: f for f in files}
    jobs = []
    for f in files:
        row = rows.get(resolved(f)) if rows else None
        twin = by_id.get((row or {}).get("duplicate_of") or "")
        jobs.append(Job(f, row, root, twin, rows.get(resolved(twin)) if twin else None))
    return jobs


def unique_ids(jobs: list[Job]) -> tuple[list[Job], list[str]]:
    """A report id is its file's stem, the package's key: a second file with the same stem is not published (one
    error naming both files) and the rest of the batch goes on."""
    first: dict[str, Path] = {}
    kept, errors = [], []
    for job in jobs:
        other = first.setdefault(job.path.stem, job.path)
        if other is job.path:
            kept.append(job)
        else:
            errors.append(f"{job.path}: report id {job.path.stem!r} is taken by {other}; rename one of the files")
    return kept, errors


def extract_rows(job: Job) -> list[ReportRows]:
    """The pure function a build maps over its sources: a source file -> the rows of each report it holds (or why
    it publishes nothing)."""
    twin = _checked_all(job.twin, job.twin_row)[0] if job.twin else None
    twin_published = isinstance(twin, Report)
    out = []
    for item in _checked_all(job.path, job.row):
        if isinstance(item, Failure):
            out.append(ReportRows(str(job.path), failure=item.message))
            continue
        if twin_published and item.meta.duplicate_of == twin.report_id:
            item.checks += list(same_report(item, twin))
        out.append(report_rows(item, job.root, twin_published))
    return out


def fingerprint(job: Job) -> list | None:
    """What tells a source unchanged without reading it, as git's index does: its file's size, modification time
    and inode, the moment they were taken, and its manifest row's digest (None for a source read with its twin,
    which is always hashed). Taken before the file is hashed, so a change made meanwhile is seen next time."""
    import hashlib
    import json
    import os
    import time

    if job.twin is not None:
        return None
    try:
        st = os.stat(job.path)
    except OSError:
        return None
    row = hashlib.sha256(json.dumps(job.row, sort_keys=True, default=str).encode()).hexdigest() if job.row else None
    return [st.st_size, st.st_mtime_ns, st.st_ino, time.time_ns(), row]


def source_key(job: Job) -> str | None:
    """The extraction cache key of a source: what its rows depend on (None when it cannot be read)."""
    from opendata.scale.cache import cache_key, file_sha256

    try:
        return cache_key({"source": file_sha256(job.path), "path": source_path(job.path, job.root), "row": job.row,
                          "twin": file_sha256(job.twin) if job.twin else None, "twin_row": job.twin_row})
    except OSError:
        return None  # unreadable: the extraction names the file


@dataclass(frozen=True)
class Chunk:
    jobs: tuple[Job, ...]
    cache_dir: Path | None = None


def extract_chunk(chunk: Chunk) -> Columns:
    """A worker's unit of work: a few sources, so that process/cluster overhead is paid per chunk; their rows come
    back typed (Arrow tables), so the writer has little left to do.

    With a cache, a chunk whose sources all are unchanged is loaded typed as a whole (cheap); otherwise each source
    is looked up on its own and only the changed ones are extracted."""
    if chunk.cache_dir is None:
        return to_columns([r for job in chunk.jobs for r in extract_rows(job)])
    from opendata.scale.cache import ExtractionCache, cache_key

    store = ExtractionCache(chunk.cache_dir)
    stats = [fingerprint(job) for job in chunk.jobs]
    keys = [source_key(job) for job in chunk.jobs]
    whole = cache_key({"chunk": keys}) if None not in keys and len(keys) > 1 else None  # one source: its own entry
    columns = store.get(whole) if whole else None
    if columns is not None:
        store.touch(keys)  # each source's own entry stays as recent as its chunk's (pruning is by last use)
    else:
        columns = to_columns([r for job, key in zip(chunk.jobs, keys) for r in _cached(store, job, key)])
        if whole:
            store.put(whole, columns)
    known = {str(job.path): (key, stat) for job, key, stat in zip(chunk.jobs, keys, stats)}
    for r in columns.reports:  # what the build index records of each source (scale/build_index.py)
        r.source_key, r.source_stat = known.get(r.source, (None, None))
    return columns


def _cached(store, job: Job, key: str | None) -> list[ReportRows]:
    rows = store.get(key) if key else None
    if rows is None:
        rows = extract_rows(job)
        if key:
            store.put(key, rows)
    return rows


@dataclass
class BuildOptions:
    engine: Engine = field(default_factory=Engine)
    cache_dir: Path | None = None  # None: no extraction cache
    cache_max_size: int | None = None  # after the build, prune the cache to this many bytes (None: leave it)
    batch_reports: int = 1000  # reports per written batch (one Parquet row group): bounds memory
    partition_reports: int = 5_000  # from this many sources on, cells and checks are split by year and province
    created: str | None = None  # the descriptor's `created` (left out by default: reproducible output)
    chunk: int = 16  # sources per unit of work


@dataclass
class BuildSummary:
    reports: int = 0
    failed_checks: int = 0
    reading_errors: list[str] = field(default_factory=list)
    sources: int = 0
    manifest: Path | None = None  # the manifest used, if any
    update: str | None = None  # how a large package was rebuilt in place (None: written whole)


def _batches(results: Iterator[Columns], size: int, summary: BuildSummary,
             progress: Callable[..., None] | None, index=None) -> Iterator[Columns]:
    """Regroup the ordered results into batches of exactly `size` sources: the same batches (and so the same
    Parquet row groups) whatever ran them and however they were chunked. `index` (a build index writer) hears of
    every source."""
    pending: list[Columns] = []
    waiting = 0
    for columns in results:
        account(records_of(columns.reports), summary)
        if index is not None:
            index.add(columns.reports)
        if progress:
            progress(len(columns))
        pending.append(columns)
        waiting += len(columns)
        while waiting >= size:
            batch, rest = Columns.concat(pending).split(size)
            yield batch
            pending, waiting = [rest], len(rest)
    if waiting:
        yield Columns.concat(pending)


def build_package(paths: Iterable[Path], out: Path, manifest: Path | None = None,
                  options: BuildOptions | None = None, progress: Callable[..., None] | None = None,
                  root: Path | None = None) -> BuildSummary:
    """Extract every report under `paths` and publish those read to `out` (atomically; nothing is written when no
    report could be read). The summary says what was read and what went wrong."""
    from opendata.publish.target import check_out

    check_out(out)  # refuse a folder that is not ours before any work, not after
    options = options or BuildOptions()
    paths = list(paths)
    manifest = manifest or default_manifest(paths)
    jobs, taken = unique_ids(plan(paths, manifest, root or source_root(paths)))
    summary = BuildSummary(sources=len(jobs), manifest=manifest)
    summary.reading_errors += [f.message for f in missing_files(manifest_mod.load(manifest) if manifest else {})]
    summary.reading_errors += taken
    if progress:
        progress(0, len(jobs))
    partitioned = len(jobs) >= options.partition_reports
    indexed = partitioned and options.cache_dir is not None  # a large package can be rebuilt in place
    rebuilt = _rebuild(jobs, out, options, summary, progress) if indexed else None
    summary.reports = rebuilt if rebuilt is not None else _full_build(jobs, out, options, summary, progress,
                                                                      partitioned)
    # Pruning lists every entry (0.4 s at 10,000 sources): after a build that extracted sources, not after an
    # update in place, which adds a few entries (the next full build prunes them).
    if options.cache_dir is not None and options.cache_max_size is not None and rebuilt is None:
        from opendata.scale.cache import prune

        prune(options.cache_dir, max_size=options.cache_max_size)  # least recently used first, as ccache does
    return summary


def _full_build(jobs: list[Job], out: Path, options: BuildOptions, summary: BuildSummary,
                progress: Callable[..., None] | None, partitioned: bool) -> int:
    """Extract every source (through the cache) and publish; for a large package with a cache, record what each
    source published (the index a rebuild in place starts from)."""
    from opendata.publish.writers import publish_batches
    from opendata.scale import build_index

    indexed = partitioned and options.cache_dir is not None
    index = build_index.IndexWriter(build_index.index_path(options.cache_dir, out)) if indexed else None
    chunks = [Chunk(tuple(jobs[i:i + options.chunk]), options.cache_dir) for i in range(0, len(jobs), options.chunk)]
    batches = _batches(ordered_map(extract_chunk, chunks, options.engine), options.batch_reports, summary, progress,
                       index)
    try:
        reports = publish_batches(batches, out, partitioned, options.created)
    except BaseException:
        if index is not None:
            index.discard()
        raise
    if index is not None:
        index.commit(out, _index_settings(options, jobs)) if reports else index.discard()
    return reports


def _index_settings(options: BuildOptions, jobs: list[Job]) -> dict:
    """What a package's bytes depend on besides its sources, and the folder their published paths are relative
    to: a rebuild in place needs the same."""
    from opendata.publish import descriptor, parts_writer
    from opendata.scale.cache import code_version

    return {"code": code_version(), "created": options.created, "sources_listed": descriptor.SOURCES_LISTED,
            "row_group_rows": parts_writer.ROW_GROUP_ROWS, "root": str(jobs[0].root) if jobs else None}


def _rebuild(jobs: list[Job], out: Path, options: BuildOptions, summary: BuildSummary,
             progress: Callable[..., None] | None) -> int | None:
    """Update a large package in place of a full build when its last build's index allows (scale/rebuild.py);
    None: a full build is to be made."""
    from opendata.publish.target import staged
    from opendata.publish.validate import require_valid
    from opendata.scale import build_index, rebuild

    path = build_index.index_path(options.cache_dir, out)
    index = build_index.load(path, _index_settings(options, jobs))
    if index is None or not index.intact(out):
        return None
    sources = [str(job.path) for job in jobs]
    d = rebuild.delta(index, sources, rebuild.keys(index, jobs, fingerprint, source_key))
    if d is None:
        return None
    if progress:
        progress(len(jobs) - len(d.changed))
    columns = {i: extract_chunk(Chunk((jobs[i],), options.cache_dir)) for i in d.changed}
    fresh = {i: records_of(c.reports) for i, c in columns.items()}
    records = rebuild.new_records(d, fresh)
    rewritten: set[str] = set()
    if not d.empty:
        try:
            with staged(out, check=lambda tmp: require_valid(tmp, only=rewritten)) as tmp:
                if not index.intact(out):  # again, under the build lock
                    raise rebuild.Stale
                rewritten |= rebuild.write_update(tmp, out, d, columns, fresh, records, sources, options.created)
        except rebuild.Stale:
            return None
        build_index.write(path, records, out, _index_settings(options, jobs))
    if progress:
        progress(len(d.changed))
    summary.update = ("unchanged since its last build" if d.empty else
                      f"updated in place: {len(d.changed)} source(s) changed or added, {d.removed} removed; "
                      f"{len(rewritten) // 2} part(s) rewritten")
    return account(records, summary)


def source_root(paths: list[Path]) -> Path:
    """What the published source paths are relative to (never an absolute local path): the working folder when
    every input lies under it, else the folder the inputs share (the folder given, or a file's own folder)."""
    import os

    cwd = Path.cwd().resolve()
    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    if all(f.is_relative_to(cwd) for f in folders):
        return cwd
    return Path(os.path.commonpath(folders))


def release_package(sources: Path, dist: Path, changelog: Path, force: bool = False,
                    since: Path | None = None) -> tuple[Path, bool, str]:
    """Build `sources` afresh, validate it, and write dist/<name>-<version>.zip with the package, its README (data
    dictionary), CITATION.cff, licences, CHANGELOG.md (its entry gets the changes since `since`, by default the
    previous release in `dist`) and SHA256SUMS. Returns (zip, whether it was written, the changes text)."""
    import tempfile

    from opendata.publish import release as rel

    version = rel.current()
    citation = rel.top_level_file("CITATION.cff")
    rel.check_citation(citation, version)
    with tempfile.TemporaryDirectory(prefix="opendata-release-") as tmp:
        package = _clean_build(sources, Path(tmp) / version.stem, version)
        changes = _changes_since(since or rel.previous_release(dist, version), package)
        old_log = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n"
        new_log = rel.changelog_with_changes(old_log, version, changes)
        files = {**rel.package_files(package), "README.md": _release_readme().encode(),
                 "CITATION.cff": citation.read_bytes(), "LICENSE": rel.top_level_file("LICENSE").read_bytes(),
                 "LICENSE-DATA.md": rel.data_licence().encode(),
                 "CHANGELOG.md": new_log.encode()}
        path, written = rel.write_release(files, dist, version, force)
    if new_log != old_log:
        changelog.write_text(new_log, encoding="utf-8")
    return path, written, changes


def _clean_build(sources: Path, out: Path, version) -> Path:
    """The package built from `sources` alone, refused when a report could not be read or it does not validate."""
    from opendata.publish.release import ReleaseError
    from opendata.publish.validate import validate_package

    # created: the release date, not a wall-clock time (which would make every release differ)
    options = BuildOptions(created=f"{version.released.isoformat()}T00:00:00Z")
    batch = build_package([sources], out, options=options)
    if batch.reading_errors or not batch.reports:
        raise ReleaseError(f"{sources}: a release needs every report read; errors: "
                           + "; ".join(batch.reading_errors or ["no report read"]))
    result = validate_package(out)
    if not result.valid:
        raise ReleaseError(f"the package built from {sources} does not validate: "
                           + "; ".join(result.frictionless_errors[:3] or [str(m[1].message) for m in result.mismatches[:3]]))
    return out


def _changes_since(previous: Path | None, package: Path) -> str:
    from opendata.query.diff import diff_packages, summary

    if previous is None:
        return "No earlier release in dist/ to compare with.\n"
    return summary(diff_packages(previous, package), f"`{previous.name}`")


def _release_readme() -> str:
    """The release's README: the package overview (licences, citation) and the data dictionary."""
    from opendata.query.info import data_dictionary, overview

    files = ("## Files\n\n- `datapackage.json`: the Frictionless descriptor; `data/`: each resource as CSV and "
             "Parquet; `schemas/`: their Table Schemas\n- `CITATION.cff`, `LICENSE` (code), `LICENSE-DATA.md` (data), "
             "`CHANGELOG.md`\n- `SHA256SUMS`: check the files with `sha256sum -c SHA256SUMS`\n")
    return overview() + "\n" + files + "\n" + data_dictionary()


__all__ = ["BuildOptions", "BuildSummary", "Failure", "Job", "ReportMeta", "build_package", "extract",
           "extract_all", "extract_reports", "extract_rows", "plan", "release_package", "source_files"]
