"""The `opendata` command: a thin layer over the library. Heavy imports live inside the commands."""

from __future__ import annotations

import functools
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from opendata.query.output import Format, FormatOption, OutputOption, render

EXIT_CODES = "Exit codes: 0 done; 1 input or data error (named on one line); 2 usage error; 130 interrupted."


def _guarded(command):
    """Every command: Ctrl-C exits 130 without a traceback, a file-system error is one line naming the path."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            _err("interrupted")
            raise typer.Exit(130) from None
        except OSError as exc:
            _err(f"error: {_os_error(exc)}")
            raise typer.Exit(1) from None

    return wrapper


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _with_file(path: Path, message: str) -> str:
    """`message` prefixed with the file it is about, unless it names the file already."""
    return message if str(path) in message else f"{path}: {message}"


class _App(typer.Typer):
    """Typer whose commands are all `_guarded` and list the exit codes in their help."""

    def command(self, *args, **kwargs):
        kwargs.setdefault("epilog", EXIT_CODES)
        register = super().command(*args, **kwargs)
        return lambda f: register(_guarded(f))


app = _App(
    help="Turn government information-disclosure annual reports (政府信息公开工作年度报告) into a validated "
    "data package, and query it with SQL.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
)

PackageOption = Annotated[Path, typer.Option("--package", "-p", help="Data package folder (or its datapackage.json).")]
DEFAULT_PACKAGE = Path("datapackage")


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _print_version(value: bool) -> None:
    if value:
        from opendata.spec.files import load_yaml

        typer.echo(f"opendata {load_yaml('package.yaml')['version']}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Turn government information-disclosure annual reports (政府信息公开工作年度报告) into a validated data
    package, and query it with SQL."""


class BuildEngine(str, Enum):
    local = "local"
    dask = "dask"


JobsOption = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (default: every core; 1: this process only).")]
EngineOption = Annotated[BuildEngine, typer.Option(help="local: processes on this machine; dask: a Dask cluster (LocalCluster, or --scheduler).")]
SchedulerOption = Annotated[Optional[str], typer.Option(help="Dask scheduler address (tcp://host:8786) for --engine dask.")]
CacheOption = Annotated[Optional[Path], typer.Option(help="Extraction cache folder (default: $XDG_CACHE_HOME/opendata/extraction, else ~/.cache/opendata/extraction).")]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Extract every source again (the cache is neither read nor written).")]
CreatedOption = Annotated[Optional[str], typer.Option(help="The descriptor's `created` time ('now' or ISO 8601; default: SOURCE_DATE_EPOCH if set, else none, so rebuilds are byte-identical).")]
PartitionOption = Annotated[int, typer.Option(help="From this many sources on, cells and checks (CSV and Parquet) are split by year and province (hive layout), and a rebuild with the cache updates only the parts that changed.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar (there is none when stderr is not a terminal).")]


@app.command()
def build(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Report files or folders (default: sources/).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Package folder to write: a new or empty folder, or a package opendata wrote (replaced atomically; anything else is refused).")] = DEFAULT_PACKAGE,
    manifest: Annotated[Optional[Path], typer.Option(help="Manifest CSV (default: manifest.csv in the one folder given, e.g. sources/).")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 when a report had reading errors.")] = False,
    jobs: JobsOption = 0, engine: EngineOption = BuildEngine.local, scheduler: SchedulerOption = None,
    cache: CacheOption = None, no_cache: NoCacheOption = False, created: CreatedOption = None,
    partition_above: PartitionOption = 5_000, quiet: QuietOption = False,
) -> None:
    """Extract reports, check them, and publish the data package (CSV + Parquet + datapackage.json)."""
    from opendata.pipeline import BuildOptions, manifest_note
    from opendata.scale.engines import Engine

    options = BuildOptions(Engine(engine.value, jobs, scheduler), *_cache_options(cache, no_cache),
                           partition_reports=partition_above, created=_created(created))
    summary = _run_build(paths or [Path("sources")], out, manifest, options, quiet)
    _err(manifest_note(paths or [Path("sources")], summary.manifest))
    if summary.update:
        _err(f"note: {out}/ {summary.update}")
    for error in summary.reading_errors:
        _err(f"error: {error}")
    if not summary.reports:
        _err("error: no report could be read; the package was not written")
        raise typer.Exit(1)
    _err(f"published {summary.reports} reports to {out}/ ({summary.failed_checks} failed checks, "
         f"{len(summary.reading_errors)} reading errors)")
    if strict and summary.reading_errors:
        raise typer.Exit(1)


def _cache_options(cache: Optional[Path], no_cache: bool) -> tuple[Optional[Path], Optional[int]]:
    """The cache folder a build uses and the size it prunes it to afterwards (OPENDATA_CACHE_MAX_SIZE, 5 GiB)."""
    from opendata.scale.cache import default_folder, max_size

    if no_cache:
        return None, None
    try:
        return cache or default_folder(), max_size()
    except ValueError as exc:
        _err(f"error: OPENDATA_CACHE_MAX_SIZE: {exc}")
        raise typer.Exit(2) from None


def _created(value: Optional[str]) -> Optional[str]:
    from datetime import datetime, timezone

    from opendata.publish.descriptor import created_stamp

    if value == "now":
        return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return created_stamp(value)


def _run_build(paths: list[Path], out: Path, manifest: Optional[Path], options, quiet: bool):
    """build_package with a progress bar on a terminal; a bad manifest or an unpublishable value stops the build
    with one line and leaves the old package as it was."""
    from opendata.extract.manifest import ManifestError
    from opendata.pipeline import build_package
    from opendata.publish.target import TargetError
    from opendata.publish.validate import InvalidPackage
    from opendata.publish.writers import PublishError
    from opendata.scale.progress import progress_bar

    try:
        with progress_bar(quiet) as advance:
            return build_package(paths, out, manifest, options, advance)
    except TargetError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    except (ManifestError, PublishError, InvalidPackage) as exc:
        _err(f"error: {exc}; {out}/ was left as it was")
        raise typer.Exit(1) from None


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="One report file (.txt, .html, .pdf, .md, .docx).")],
    fmt: FormatOption = Format.table,
    checks: Annotated[bool, typer.Option("--checks", help="Show the check results instead of the cells.")] = False,
    output: OutputOption = None,
    meta: Annotated[bool, typer.Option("--meta", help="Show each metadata field with the signal it came from.")] = False,
) -> None:
    """Read one report and print its cells (or its checks) without publishing anything."""
    from opendata.pipeline import extract as extract_report

    try:
        report = extract_report(file)
    except OSError:
        raise  # one line naming the path (_guarded)
    except Exception as exc:  # a reader's or the aligner's error: the file cannot be read as a report
        _err(f"error: {_with_file(file, str(exc))}")
        raise typer.Exit(1) from None
    m = report.meta
    _err(f"{file}: {m.year} {m.region_name or '?'} ({m.region_code or '?'}) {m.agency or '?'} "
         f"scope={m.scope} level={m.level} template={report.template} script={report.script}")
    for error in report.errors:
        _err(f"error: {error}")
    if meta:
        from opendata.extract.metadata import meta_rows

        render(["field", "value", "signal", "check"], meta_rows(report), fmt, path=output)
    elif checks:
        rows = [(k.check_id, k.subject, k.expected, k.actual, k.result, k.message) for k in report.checks]
        render(["check_id", "subject", "expected", "actual", "result", "message"], rows, fmt, path=output)
    else:
        rows = [(c.table, c.row, c.column, c.value, c.status, c.reading, c.raw, c.source_ref) for c in report.cells]
        render(["table", "row", "column", "value", "status", "reading", "raw", "source_ref"], rows, fmt, path=output)
    if report.errors:  # a table or row of the template was not found: what was read is shown, but it is an error
        raise typer.Exit(1)


class Engine(str, Enum):
    duckdb = "duckdb"
    frictionless = "frictionless"


@app.command()
def validate(
    package: Annotated[Path, typer.Argument(help="Data package folder or datapackage.json.")] = DEFAULT_PACKAGE,
    strict: Annotated[bool, typer.Option(help="Also fail on identity failures the package declares (source errors).")] = False,
    engine: Annotated[Engine, typer.Option(help="duckdb: the Table Schema checks compiled to SQL, CSV = Parquet "
                                                "compared; frictionless: the reference implementation (slow).")] = Engine.duckdb,
    quiet: QuietOption = False,
) -> None:
    """Validate the package's files against their Table Schemas and recompute the template's identities."""
    from opendata.publish.validate import PackageError, validate_package
    from opendata.scale.progress import progress_bar

    try:
        with progress_bar(quiet, label="validating") as advance:
            result = validate_package(package, engine.value, advance, results="failures")
    except PackageError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from None
    for e in result.frictionless_errors[:50]:
        _err(f"{engine.value}: {e}")
    for rid, c in result.declared_failures:
        _err(f"declared {c.check_id} failure in {rid}: {c.subject}: {c.message}")
    for rid, c, published in result.mismatches:
        _err(f"MISMATCH {c.check_id} in {rid}: {c.subject}: recomputed {c.result}, the package publishes "
             f"{published or 'no result'}: {c.message}")
    passed, used = result.counts().get("pass", 0), result.counts().get("used_to_read", 0)
    _err(f"{engine.value}: {'valid' if result.frictionless_valid else 'INVALID'}; identities: {passed} pass, {used} used to read, "
         f"{len(result.declared_failures)} declared failures, {len(result.mismatches)} mismatches")
    if not result.valid or (strict and result.declared_failures):
        raise typer.Exit(1)


cache_app = _App(help="The extraction cache: what it holds, and pruning it.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
CacheDirOption = Annotated[Optional[Path], typer.Option("--cache", help="Cache folder (default: the one builds use).")]


@cache_app.command("info")
def cache_info(cache: CacheDirOption = None) -> None:
    """Where the extraction cache is, its entries, size and oldest/newest use."""
    from opendata.scale.cache import default_folder, describe, entries

    folder = cache or default_folder()
    typer.echo(describe(folder, entries(folder)))


@cache_app.command("prune")
def cache_prune(
    cache: CacheDirOption = None,
    max_size: Annotated[Optional[str], typer.Option(help="Keep at most this much (e.g. 2G, 500M), least recently used removed first.")] = None,
    older_than: Annotated[Optional[str], typer.Option(help="Remove entries not used for this long (e.g. 30d, 12h, 2w).")] = None,
    clear: Annotated[bool, typer.Option("--all", help="Remove every entry.")] = False,
) -> None:
    """Remove cache entries (only entry files, nothing else in the folder); with no option, down to the size cap."""
    from opendata.scale.cache import default_folder, human, max_size as cap, parse_duration, parse_size, prune

    try:
        size = 0 if clear else parse_size(max_size) if max_size else None if older_than else cap()
        age = parse_duration(older_than) if older_than else None
    except ValueError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(2) from None
    folder = cache or default_folder()
    done = prune(folder, size, age)
    typer.echo(f"{folder}: removed {done.removed} entries ({human(done.freed)}); "
               f"{done.kept} entries ({human(done.kept_bytes)}) kept")


@app.command()
def query(
    sql: Annotated[Optional[str], typer.Argument(help="SQL over the resources (reports, proactive_disclosure, applications, review_litigation, checks, codebook) and the views (metrics, applications_wide, report_figures, report_layouts); - reads it from stdin.")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Read the SQL from this file (- for stdin).")] = None,
    package: PackageOption = DEFAULT_PACKAGE,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    timeout: Annotated[float, typer.Option(help="Stop the query after SECONDS (Ctrl-C stops it at once).", metavar="SECONDS", min=0.001)] = 600.0,
) -> None:
    """Run read-only SQL (DuckDB) over the package's Parquet files, in place: only statements that read
    (SELECT, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, reading PRAGMAs) run (docs/security.md).

    Views beside the resources (`opendata info VIEW` says more):
    - metrics: one row per report and metric (value, numerator, denominator, unit, layout, year, region, agency, scope)
    - applications_wide: table 三 with one column per applicant type; harmonised rows (other_handling_total...) derived
    - report_figures: one row per report, one column per cell named <row>__<column>
    - report_layouts: the template (2019 or 2021) each table of a report follows
    """
    from opendata.publish.package import PackageError
    from opendata.query.connection import run

    try:
        columns, rows = run(package, _sql_text(sql, file), timeout)
    except (PackageError, OSError, ValueError) as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    render(columns, rows, fmt, path=output)


def _sql_text(sql: str | None, file: Path | None) -> str:
    """The SQL given inline, in a file, or on stdin (`-`): exactly one of them."""
    import sys

    if (sql is None) == (file is None):
        raise ValueError("give the SQL as an argument or with --file (not both; - reads stdin)")
    if sql == "-" or str(file) == "-":
        return sys.stdin.read()
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            raise OSError(f"{file}: cannot read the SQL ({exc.strerror})") from None
    return sql


class Scope(str, Enum):
    jurisdiction = "jurisdiction"
    agency = "agency"


class By(str, Enum):
    rank = "rank"
    year = "year"


@app.command("compare")
def compare_reports(
    metric: Annotated[str, typer.Argument(help="Metric id, e.g. grant_rate (`opendata info` lists them).")],
    year: Annotated[Optional[int], typer.Option(help="Only reports of this year.")] = None,
    scope: Annotated[Optional[Scope], typer.Option(help="jurisdiction (a whole area's report) or agency (one body's).")] = None,
    region: Annotated[Optional[str], typer.Option(help="Part of the region name (三明) or a region code or code prefix (350400, 3504).")] = None,
    min_requests: Annotated[int, typer.Option(help="In a ranking, leave out rates whose denominator is below N.")] = 30,
    by: Annotated[By, typer.Option(help="rank: rank the reports; year: follow each body across years.")] = By.rank,
    chart: Annotated[Optional[Path], typer.Option(help="Also write a chart: bar (rank) or line (year), .svg or .html.")] = None,
    include_failing: Annotated[bool, typer.Option("--include-failing", help="Also show reports whose checks fail on the metric's cells, marked in a failed_checks column.")] = False,
    package: PackageOption = DEFAULT_PACKAGE,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
) -> None:
    """Rank reports on a metric, or follow a region across years (--by year)."""
    from opendata.query.chart import write_chart
    from opendata.query.compare import Selection, compare
    from opendata.publish.package import PackageError

    selection = Selection(year, scope.value if scope else None, region, min_requests, include_failing)
    try:
        result = compare(package, metric, selection, by.value)
        if chart:
            write_chart(result, chart, selection.describe(by.value, result.metric.is_rate))
    except (PackageError, LookupError, ValueError, OSError) as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    for note in result.notes:
        _err(f"note: {note}")
    render(result.columns, result.rows, fmt, title=result.metric.label, path=output)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier package: folder, datapackage.json or release zip.")],
    new: Annotated[Path, typer.Argument(help="The later package: folder, datapackage.json or release zip.")],
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
) -> None:
    """List reports added or removed and cells whose value or status changed between two packages."""
    from opendata.publish.package import PackageError
    from opendata.query.diff import COLUMNS, diff_packages

    try:
        changes = diff_packages(old, new)
    except PackageError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    _err(f"{changes.count('report added')} reports added, {changes.count('report removed')} removed, "
         f"{len(changes.rows) - changes.count('report added') - changes.count('report removed')} cells changed")
    render(COLUMNS, changes.rows, fmt, path=output)


@app.command()
def release(
    sources: Annotated[Path, typer.Option(help="Folder of reports with its manifest.csv.")] = Path("sources"),
    dist: Annotated[Path, typer.Option(help="Folder of release zips (the newest earlier one is diffed).")] = Path("dist"),
    changelog: Annotated[Path, typer.Option(help="CHANGELOG.md whose entry gets the data changes.")] = Path("CHANGELOG.md"),
    since: Annotated[Optional[Path], typer.Option(help="Package or release zip to list the changes against (default: the newest earlier zip in --dist).")] = None,
    force: Annotated[bool, typer.Option(help="Replace a zip already released under this version.")] = False,
) -> None:
    """Build the sources afresh and write dist/<name>-<version>.zip (package, README, CITATION.cff, licences,
    CHANGELOG.md, SHA256SUMS); the version comes from schemas/package.yaml."""
    from opendata.extract.manifest import ManifestError
    from opendata.pipeline import release_package
    from opendata.publish.package import PackageError
    from opendata.publish.release import ReleaseError
    from opendata.publish.writers import PublishError

    try:
        path, written, changes = release_package(sources, dist, changelog, force, since)
    except (ManifestError, PublishError, PackageError, ReleaseError, OSError) as exc:
        _err(f"error: {exc}; nothing was released")
        raise typer.Exit(1)
    _err(changes.splitlines()[0])
    _err(f"{'released' if written else 'unchanged (the same bytes were already released)'}: {path}")


@app.command()
def info(name: Annotated[Optional[str], typer.Argument(help="A resource, view or metric (default: the whole package).")] = None) -> None:
    """Describe the package: title, licence, citation, resources and fields with codes and units, views, metrics."""
    from opendata.query.info import UnknownName, describe

    try:
        typer.echo(describe(name))
    except UnknownName as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)


@app.command()
def site(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the site into (new, empty, or an earlier site: replaced whole).")],
    package: PackageOption = DEFAULT_PACKAGE,
) -> None:
    """Write a static HTML site of the package: reports laid out like the template, regions by year, rankings."""
    from opendata.publish.package import PackageError
    from opendata.site.build import build_site

    try:
        result = build_site(package, out)
    except (PackageError, OSError) as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    _err(f"wrote {result.pages} pages for {result.reports} reports to {out}/ (open {out / 'index.html'})")


if __name__ == "__main__":
    app()
