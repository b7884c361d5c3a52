"""datapackage.json, from what the writers measured while writing (bytes, hashes, rows): no file is read back."""

from __future__ import annotations

from opendata.publish.target import marker
from opendata.spec.schemas import load_yaml, table_schema


def descriptor(sources: list[dict], csv_parts: dict[str, dict[str, dict]], parquet_parts: dict[str, dict[str, dict]],
               created: str | None = None) -> dict:
    """`csv_parts`, `parquet_parts`: resource -> {path under the package: {hash, bytes, rows}} (one path, or a large
    package's parts). `created` is left out unless given: the same sources and code give the same bytes."""
    meta = load_yaml("package.yaml")
    package = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": meta["name"], "title": meta["title"], "description": meta["description"],
        "version": str(meta["version"]), **({"homepage": meta["homepage"]} if meta.get("homepage") else {}),
        "keywords": meta["keywords"],
        **({"created": created} if created else {}),
        "licenses": meta["licenses"], "contributors": meta["contributors"],
        "sources": sources,
        **marker(),  # says opendata wrote it: a later build may replace it (publish/target.py)
        "resources": [],
    }
    for name in csv_parts:
        package["resources"] += [csv_resource(name, csv_parts[name]), parquet_resource(name, parquet_parts[name])]
    return package


def _common(name: str) -> dict:
    schema = table_schema(name)
    return {"title": schema["title"], "description": schema["description"], "schema": f"schemas/{name}.schema.json"}


def csv_resource(name: str, parts: dict[str, dict]) -> dict:
    common = _common(name)
    entry = {"name": name, "type": "table", "path": f"data/{name}.csv", "format": "csv", "mediatype": "text/csv",
             "title": common["title"], "description": common["description"], "schema": common["schema"],
             "encoding": "utf-8"}
    if len(parts) == 1 and next(iter(parts)) == entry["path"]:
        info = next(iter(parts.values()))
        entry.update({"hash": info["hash"], "bytes": info["bytes"], "x-rows": info["rows"]})
    else:  # partitioned like the Parquet data, each part with its own header (as frictionless reads a path list); a
        # `hash` would be of the parts joined without their later headers, so each part's own is recorded instead
        entry.update(_parts(parts))
    return entry


def parquet_resource(name: str, parts: dict[str, dict]) -> dict:
    # frictionless 5 reads Parquet through pyarrow and cannot measure its bytes or hash (it reports "actual is
    # None"), so the integrity of Parquet files is recorded under x- names and checked by `opendata validate`.
    common = _common(name)
    entry = {"name": f"{name}-parquet", "type": "table", "format": "parquet",
             "mediatype": "application/vnd.apache.parquet", "title": common["title"] + " (Parquet)",
             "description": common["description"], "schema": common["schema"]}
    if len(parts) == 1 and next(iter(parts)) == f"data/{name}.parquet":
        info = next(iter(parts.values()))
        entry.update({"path": f"data/{name}.parquet", "x-hash": info["hash"], "x-bytes": info["bytes"],
                      "x-rows": info["rows"]})
    else:  # partitioned by year and province: a Data Package v2 path list, each part with its own integrity
        entry.update(_parts(parts))
    return entry


def _parts(parts: dict[str, dict]) -> dict:
    return {"path": list(parts), "x-rows": sum(i["rows"] for i in parts.values()),
            "x-partitioning": {"by": ["year", "province"], "layout": "hive",
                               "province": "two-digit GB/T 2260 prefix of the report's region_code; "
                                           "unknown: the report has no region code"},
            "x-parts": [{"path": p, "x-hash": i["hash"], "x-bytes": i["bytes"], "x-rows": i["rows"]}
                        for p, i in parts.items()]}


# Past this many reports the descriptor names the reports resource instead of listing every source: a national
# corpus would make datapackage.json 13 MB (100k sources), read whole by every tool that opens the package.
SOURCES_LISTED = 1000


def source_entry(title: str, origin_url: str | None) -> dict:
    return {"title": title, **({"path": origin_url} if origin_url else {})}


def sources_entries(listed: list[dict], reports: int) -> list[dict]:
    """The descriptor's `sources`: each report's title and origin, or past SOURCES_LISTED one entry naming the
    resource that holds them (title, origin_url, source_path, source_sha256 of every report)."""
    if reports <= SOURCES_LISTED:
        return listed
    return [{"title": f"{reports:,} annual reports: the title, origin_url, source_path and source_sha256 of each "
                      f"are in the reports resource", "path": "data/reports.csv"}]


def created_stamp(explicit: str | None = None) -> str | None:
    """The `created` time: an explicit value, else SOURCE_DATE_EPOCH (reproducible-builds.org), else none."""
    import os
    from datetime import datetime, timezone

    if explicit:
        return explicit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    return datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")

