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


def read_descriptor(descriptor: Path) -> dict:
    """The descriptor's JSON, refused (PackageError naming the file and place) unless its resources are a list of
    objects with a string name and path."""
    try:
        meta = json.loads(descriptor.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise PackageError(f"{descriptor}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise PackageError(f"{descriptor}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list):
        raise PackageError(f"{descriptor}: no list of resources")
    for n, r in enumerate(resources, start=1):
        path = r.get("path") if isinstance(r, dict) else None
        is_path = isinstance(path, str) or (isinstance(path, list) and path and all(isinstance(p, str) for p in path))
        if not (isinstance(r, dict) and isinstance(r.get("name"), str) and is_path):
            raise PackageError(f"{descriptor}: resource {n} has no name and path")
    return meta


def package_resources(package: Path) -> dict[str, list[Path]]:
    """Resource name -> its Parquet files, from the package's datapackage.json: one file, or the parts of a
    resource partitioned by year (a Data Package v2 path list) in path order."""
    descriptor = descriptor_path(package)
    meta = read_descriptor(descriptor)
    root = descriptor.parent.resolve()
    files = {
        r["name"].removesuffix("-parquet"): [(root / p).resolve() for p in _paths(r["path"])]
        for r in meta["resources"] if r.get("format") == "parquet"
    }
    for name, paths in files.items():  # a descriptor must not point a reader at files outside its package
        for path in paths:
            if not path.is_relative_to(root):
                raise PackageError(f"{descriptor}: resource {name!r} points outside the package ({path})")
    return files


def _paths(path: str | list[str]) -> list[str]:
    return [path] if isinstance(path, str) else list(path)


def require_resources(descriptor: Path, files) -> None:
    """Every resource opendata publishes has its Parquet file: else the package is not one opendata wrote, and
    nothing can be queried or validated against it (an empty resource list is no valid package)."""
    from opendata.spec.files import load_yaml

    missing = [name for name in load_yaml("package.yaml")["resources"] if name not in files]
    if missing:
        raise PackageError(f"{descriptor}: no Parquet file for {', '.join(missing)}")
