"""The extraction cache: what a source publishes (its ReportRows), stored under a key made of the source's sha256,
everything else the rows depend on (its twin's sha256, its manifest row, its published path) and the version of
the code and template. A rebuild after one source changed extracts that source only. A chunk of sources is also
stored whole, typed (Arrow tables), under the keys of its sources: an unchanged chunk is loaded without retyping.

The store is content-addressed files (`<key[:2]>/<key>.zst`: a pickle compressed with zstd, ~5x smaller than the
bare pickle) in the user's cache folder, never inside or beside the package. Entries are written atomically
(temporary file + rename), so workers can share the folder; a stale entry is never read because a change of source,
manifest row or code changes the key. A hit sets the entry's modification time: it is the entry's last use, which
`prune` (`opendata cache prune`, and every build when the cache is over its size cap) removes the oldest of first,
as ccache does. Nothing but entries (and temporary files left by killed workers) is ever removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_MAGIC = b"ODC1"  # format of an entry: magic, uncompressed size (8 bytes, little endian), zstd data
_ENTRY = re.compile(r"[0-9a-f]{64}\.(zst|pickle)")  # .pickle: the uncompressed entries of opendata 0.2
_STALE_TMP = 3600  # a temporary file older than this was left by a killed worker
DEFAULT_MAX_SIZE = 5 * 2**30  # as ccache: 5 GiB, then the least recently used entries go (OPENDATA_CACHE_MAX_SIZE)


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


def _codec():
    import pyarrow as pa

    return pa.Codec("zstd", compression_level=1)


class ExtractionCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.zst"

    def get(self, key: str):
        path = self._path(key)
        try:
            data = path.read_bytes()
            if data[:4] != _MAGIC:
                return None
            size = int.from_bytes(data[4:12], "little")
            value = pickle.loads(_codec().decompress(data[12:], decompressed_size=size, asbytes=True))
            os.utime(path)  # its last use, for pruning
            return value
        except Exception:  # noqa: BLE001
            return None  # absent, unreadable or pruned meanwhile: extracted again

    def touch(self, keys: list[str]) -> None:
        """Mark entries used without reading them (a source's entry when its whole chunk was loaded)."""
        for key in keys:
            try:
                os.utime(self._path(key))
            except OSError:
                continue  # absent: nothing to keep

    def put(self, key: str, value) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + len(data).to_bytes(8, "little") + _codec().compress(data, asbytes=True))
        os.replace(tmp, path)


@dataclass
class Entry:
    path: Path
    bytes: int
    used: float  # last use (modification time)


def entries(folder: Path) -> list[Entry]:
    """The cache's entries (files named like one, in the two-hex-digit subfolders), oldest use first."""
    out = []
    for sub in _subfolders(folder):
        with os.scandir(sub) as it:
            for e in it:
                try:
                    if _ENTRY.fullmatch(e.name) and e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        out.append(Entry(Path(e.path), st.st_size, st.st_mtime))
                except FileNotFoundError:
                    continue  # removed meanwhile (another build pruning the same cache)
    return sorted(out, key=lambda e: (e.used, e.path.name))


def _subfolders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [Path(e.path) for e in os.scandir(folder)
            if re.fullmatch(r"[0-9a-f]{2}", e.name) and e.is_dir(follow_symlinks=False)]


@dataclass
class Pruned:
    removed: int = 0
    freed: int = 0
    kept: int = 0
    kept_bytes: int = 0


def prune(folder: Path, max_size: int | None = None, older_than: float | None = None,
          now: float | None = None) -> Pruned:
    """Remove the entries not used for `older_than` seconds, then the least recently used ones until the rest
    takes at most `max_size` bytes (and temporary files left by killed workers). Only entry files go."""
    now = time.time() if now is None else now
    kept, result = entries(folder), Pruned()
    if older_than is not None:
        stale = [e for e in kept if now - e.used > older_than]
        kept = [e for e in kept if now - e.used <= older_than]
        _remove(stale, result)
    if max_size is not None:
        total, cut = sum(e.bytes for e in kept), 0
        while cut < len(kept) and total > max_size:
            total -= kept[cut].bytes
            cut += 1
        _remove(kept[:cut], result)
        kept = kept[cut:]
    _remove_stale_tmp(folder, now)
    result.kept, result.kept_bytes = len(kept), sum(e.bytes for e in kept)
    return result


def _remove(items: list[Entry], result: Pruned) -> None:
    for e in items:
        try:
            e.path.unlink()
        except FileNotFoundError:
            continue  # removed meanwhile by another prune
        result.removed += 1
        result.freed += e.bytes


def _remove_stale_tmp(folder: Path, now: float) -> None:
    for sub in _subfolders(folder):
        for tmp in sub.glob(".tmp-*"):
            try:
                if tmp.is_file() and now - tmp.stat().st_mtime > _STALE_TMP:
                    tmp.unlink()
            except FileNotFoundError:
                continue


def max_size() -> int:
    """The size cap builds keep the cache under: OPENDATA_CACHE_MAX_SIZE (bytes, or with K/M/G), else 5 GiB."""
    value = os.environ.get("OPENDATA_CACHE_MAX_SIZE")
    return parse_size(value) if value else DEFAULT_MAX_SIZE


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_size(text: str) -> int:
    """'500M', '2G', '1.5G', '1000000' -> bytes (binary units, as ccache and du)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"{text!r} is not a size (e.g. 500M, 2G)")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def parse_duration(text: str) -> float:
    """'30d', '12h', '2w', '90m', '45s' -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text)
    if not m:
        raise ValueError(f"{text!r} is not a duration (e.g. 30d, 12h, 2w)")
    return float(m.group(1)) * _DURATIONS[m.group(2)]


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def describe(folder: Path, items: list[Entry]) -> str:
    """`opendata cache info`: the folder, its entries, their size, and the oldest and newest use."""
    if not items:
        return f"{folder}: empty (size cap {human(max_size())})"
    when = [time.strftime("%Y-%m-%d %H:%M", time.localtime(e.used)) for e in (items[0], items[-1])]
    return (f"{folder}: {len(items)} entries, {human(sum(e.bytes for e in items))} (size cap {human(max_size())}; "
            f"builds prune the least recently used past it)\nused from {when[0]} to {when[1]}")


def default_folder(out: Path | None = None) -> Path:
    """The user's cache folder ($XDG_CACHE_HOME/opendata/extraction, else ~/.cache/...): never inside the package
    (replaced as a whole on every build) and never beside it in the user's working folder (a build writes only
    what it was asked to). Entries are keyed by content, so one cache serves every package."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "opendata" / "extraction"
