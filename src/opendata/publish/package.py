"""A published package as files: its descriptor and the Parquet data of each resource."""

from __future__ import annotations

import json
from pathlib import Path


class PackageError(Exception):
    """A package that cannot be opened or read: the message names the file."""


def descriptor_path(package: Path) -> Path:
    """The datapackage.json of a package given as its folder or as the descriptor itself."""
    descriptor = package / "datapackage.json" if package.is_dir() else package
    if not descriptor.is_file():
        raise PackageError(f"no data package at {package} (datapackage.json not found); run `opendata build` first")
    return descriptor


def package_resources(package: Path) -> dict[str, list[Path]]:
    """Resource name -> its Parquet files, from the package's datapackage.json: one file, or the parts of a
    resource partitioned by year (a Data Package v2 path list) in path order."""
    descriptor = descriptor_path(package)
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    return {
        r["name"].removesuffix("-parquet"): [(descriptor.parent / p).resolve() for p in _paths(r["path"])]
        for r in meta["resources"] if r.get("format") == "parquet"
    }


def _paths(path: str | list[str]) -> list[str]:
    return [path] if isinstance(path, str) else list(path)
