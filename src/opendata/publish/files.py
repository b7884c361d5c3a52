"""Files written once, front to back, with their sha256 and size measured on the way (no second read)."""

from __future__ import annotations

import hashlib
from pathlib import Path


class HashingFile:
    """A binary file that hashes what is written to it; pyarrow's ParquetWriter accepts it as its sink."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, "wb")
        self._sha = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> int:
        self._sha.update(data)
        self.bytes += len(data)
        return self._file.write(data)

    def tell(self) -> int:
        return self.bytes

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def info(self) -> dict:
        return {"hash": f"sha256:{self._sha.hexdigest()}", "bytes": self.bytes}


def file_info(path: Path) -> dict:
    """sha256 and size of a file already written (read in blocks: memory stays flat for large files)."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            sha.update(block)
            size += len(block)
    return {"hash": f"sha256:{sha.hexdigest()}", "bytes": size}
