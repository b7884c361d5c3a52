"""The extraction cache: what a source publishes (its ReportRows), stored under a key made of the source's sha256,
everything else the rows depend on (its twin's sha256, its manifest row, its published path) and the version of
the code and template. A rebuild after one source changed extracts that source only. A chunk of sources is also
stored whole, typed (Arrow tables), under the keys of its sources: an unchanged chunk is loaded without retyping.

The store is content-addressed files (`<key[:2]>/<key>.pickle`) in a folder beside the package, never inside it:
by default `.opendata-cache/` next to the package folder (`--cache DIR` elsewhere, `--no-cache` to bypass). Entries
are written atomically (temporary file + rename), so workers can share the folder; a stale entry is never read
because a change of source, manifest row or code changes the key. Delete the folder to reclaim the space.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path



@cache
def code_version() -> str:
    """sha256 of the package's code and schemas: any change to either invalidates every entry."""
    from opendata.spec.files import schemas_dir

    package = Path(__file__).resolve().parents[1]
    files = sorted(package.rglob("*.py")) + sorted(p for p in schemas_dir().rglob("*") if p.is_file())
    sha = hashlib.sha256()
    for p in files:
        sha.update(p.as_posix().encode().removeprefix(str(package.parent).encode()))
        sha.update(p.read_bytes())
    return sha.hexdigest()


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def cache_key(parts: dict) -> str:
    text = json.dumps({**parts, "code": code_version()}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ExtractionCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str):
        try:
            with open(self._path(key), "rb") as f:
                return pickle.load(f)
        except Exception:  # noqa: BLE001
            return None  # absent or unreadable: extracted again

    def put(self, key: str, rows) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)


def default_folder(out: Path | None = None) -> Path:
    """The user's cache folder ($XDG_CACHE_HOME/opendata/extraction, else ~/.cache/...): never inside the package
    (replaced as a whole on every build) and never beside it in the user's working folder (a build writes only
    what it was asked to). Entries are keyed by content, so one cache serves every package."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "opendata" / "extraction"
