"""What changed between two packages (folders, datapackage.json files or release zips): reports added or removed,
and, in the reports both publish, cells whose value or status changed (or that one of them lacks).

One row per change: change, report_id, table, row, column, old/new value, old/new status. A report added or removed
is one row (its cells are not listed one by one).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from opendata.publish.package import PackageError, descriptor_path, package_resources
from opendata.spec.template import TEMPLATE

COLUMNS = ["change", "report_id", "table", "row", "column", "old_value", "new_value", "old_status", "new_status"]


@dataclass
class Diff:
    rows: list[tuple]
    old_version: str | None = None  # the `version` of the old package's descriptor

    def count(self, change: str) -> int:
        return sum(1 for r in self.rows if r[0] == change)

    @property
    def changed_reports(self) -> list[str]:
        return sorted({r[1] for r in self.rows if r[0].startswith("cell")})


@contextmanager
def opened(package: Path) -> Iterator[Path]:
    """A package folder to read: the folder itself, or a release zip unpacked into a temporary folder."""
    if package.suffix.lower() != ".zip":
        yield descriptor_path(package)
        return
    try:
        with zipfile.ZipFile(package) as zf, tempfile.TemporaryDirectory(prefix="opendata-diff-") as tmp:
            descriptors = [n for n in zf.namelist() if n.endswith("datapackage.json")]
            if len(descriptors) != 1:
                raise PackageError(f"{package}: a release zip holds one datapackage.json, found {len(descriptors)}")
            zf.extractall(tmp)
            yield Path(tmp) / descriptors[0]
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"{package}: not a readable release zip ({exc})") from None


def _cell_changes_sql(table: str) -> str:
    row_key, col_key = TEMPLATE.cell_keys[table]
    return f"""
        select case when o.report_id is null then 'cell added' when n.report_id is null then 'cell removed'
                    else 'cell changed' end,
               coalesce(n.report_id, o.report_id), '{table}', coalesce(n.{row_key}, o.{row_key}),
               coalesce(n.{col_key}, o.{col_key}), o.value, n.value, o.status, n.status
        from old_{table} o full join new_{table} n using (report_id, {row_key}, {col_key})
        where coalesce(n.report_id, o.report_id) in (select report_id from both_reports)
          and (o.report_id is null or n.report_id is null
               or o.value is distinct from n.value or o.status is distinct from n.status)"""


def diff_packages(old: Path, new: Path) -> Diff:
    """The changes from `old` to `new`, ordered by report, table, row and column."""
    import duckdb

    with opened(old) as old_pkg, opened(new) as new_pkg:
        con = duckdb.connect(":memory:")
        try:
            for side, pkg in (("old", old_pkg), ("new", new_pkg)):
                files = package_resources(pkg)
                for name in ["reports", *TEMPLATE.cell_keys]:
                    if name not in files:
                        raise PackageError(f"{pkg}: no {name} resource in Parquet")
                    paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files[name])
                    con.execute(f"create view {side}_{name} as select * from read_parquet([{paths}], hive_partitioning = false)")
            con.execute("create view both_reports as select report_id from old_reports "
                        "intersect select report_id from new_reports")
            reports = """
                select case when o.report_id is null then 'report added' else 'report removed' end,
                       coalesce(n.report_id, o.report_id), null, null, null, null, null, null, null
                from old_reports o full join new_reports n using (report_id)
                where o.report_id is null or n.report_id is null"""
            sql = " union all ".join([reports, *map(_cell_changes_sql, TEMPLATE.cell_keys)])
            rows = con.execute(f"select * from ({sql}) order by 2, 1 desc, 3, 4, 5").fetchall()
            old_version = json.loads(old_pkg.read_text(encoding="utf-8")).get("version")
        except duckdb.Error as exc:
            raise PackageError(f"cannot compare {old} and {new}: {exc}") from None
        finally:
            con.close()
    return Diff(rows, old_version)


def summary(diff: Diff, old_label: str) -> str:
    """Markdown for a CHANGELOG entry: counts, reports added/removed, and the changed cells."""
    added = [r[1] for r in diff.rows if r[0] == "report added"]
    removed = [r[1] for r in diff.rows if r[0] == "report removed"]
    cells = [r for r in diff.rows if r[0].startswith("cell")]
    if diff.old_version:
        old_label += f" (version {diff.old_version})"
    lines = [f"Data changes since {old_label}: {len(added)} reports added, {len(removed)} removed, "
             f"{len(cells)} cells changed in {len(diff.changed_reports)} reports."]
    if added:
        lines.append("\n- added: " + ", ".join(f"`{r}`" for r in added))
    if removed:
        lines.append(("" if added else "\n") + "- removed: " + ", ".join(f"`{r}`" for r in removed))
    if cells:
        lines += ["", "| change | report | cell | old | new |", "|---|---|---|---|---|"]
        lines += [f"| {c[0]} | `{c[1]}` | {c[2]}.{c[3]}.{c[4]} | {_value(c[5], c[7])} | {_value(c[6], c[8])} |"
                  for c in cells]
    return "\n".join(lines) + "\n"


def _value(value, status) -> str:
    if status is None:
        return "—"
    if value is None:
        return status
    number = int(value) if float(value).is_integer() else value
    return f"{number} ({status})" if status != "reported" else str(number)
