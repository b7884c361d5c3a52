"""Where a build may write: the `--out` guard, the build lock, recovery after a killed build, and the staged swap.

One API for every writer:

    with staged(out) as tmp:      # refuses an `--out` that is not ours, locks, recovers, makes a sibling folder
        ...write the package into tmp...
    # on leaving: tmp is validated, then swapped in; on any error tmp is removed and `out` is left as it was

A build only ever touches `out` (replaced whole, and only when it is missing, empty, or a package opendata wrote),
its siblings `out.tmp-*` / `out.old-*` (its own working folders), and the lock file `.out.lock` beside it.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER_KEY = "x-opendata"  # top-level descriptor property that says opendata wrote the package
PACKAGE_ENTRIES = {"datapackage.json", "data", "schemas"}  # everything a package folder written by opendata holds
WORKING_ENTRIES = {".spill"}  # what a build also keeps in its staging folder while writing (publish/parts_writer.py)
LOCK_WAIT = 5.0  # seconds a second build waits for the first before giving up


class TargetError(ValueError):
    """An `--out` that a build must not write to, or cannot lock; the message names the folder."""


def marker() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        generator = f"opendata {version('opendata')}"
    except PackageNotFoundError:  # run from a source tree that is not installed
        generator = "opendata"
    return {MARKER_KEY: {"generator": generator}}


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


# The guard ------------------------------------------------------------------------------------------------------------
def is_our_package(folder: Path) -> bool:
    """True when `folder` holds a datapackage.json that opendata wrote: it carries the marker, or (packages written
    before the marker existed) the package name of schemas/package.yaml."""
    descriptor = folder / "datapackage.json"
    try:
        if not descriptor.is_file() or descriptor.stat().st_size > 256 * 1024 * 1024:
            return False
        meta = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(meta, dict):
        return False
    generator = meta.get(MARKER_KEY, {}).get("generator", "") if isinstance(meta.get(MARKER_KEY), dict) else ""
    return str(generator).startswith("opendata") or meta.get("name") == _package_name()


def _package_name() -> str:
    from opendata.spec.files import load_yaml

    return load_yaml("package.yaml")["name"]


def check_out(out: Path) -> None:
    """Refuse, before anything is written, an `out` a build must not replace: only a missing path, an empty folder
    or a folder holding nothing but a package opendata wrote may be replaced (the whole folder is)."""
    if not os.path.lexists(out):
        return
    if not out.is_dir():
        raise TargetError(f"{out}: exists and is not a folder; --out must name a new folder, an empty folder or a "
                          "package folder opendata wrote (nothing was changed)")
    entries = sorted(p.name for p in out.iterdir())
    if not entries:
        return
    if not is_our_package(out):
        raise TargetError(f"{out}: folder is not empty ({len(entries)} entries, e.g. {entries[0]!r}) and holds no "
                          "package written by opendata; choose a new or empty folder (nothing was changed)")
    extra = [name for name in entries if name not in PACKAGE_ENTRIES]
    if extra:
        raise TargetError(f"{out}: holds a package but also {extra[0]!r}, which a build would delete; move it out "
                          "or choose another folder (nothing was changed)")


# The lock -------------------------------------------------------------------------------------------------------------
def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


@contextmanager
def locked(out: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the exclusive build lock of `out` (an OS lock on `.out.lock`: released by the kernel when the holder
    dies, so a kill -9 leaves no stale lock). A second build waits up to `wait` seconds, then fails clearly."""
    import fcntl

    path = lock_path(out)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise TargetError(f"{out}: another build is writing this package (lock {path}, held by process "
                                  f"{_holder(path)}); try again when it has finished") from None
            time.sleep(0.1)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)  # the previous holder removed the file after we opened it: lock the current one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "?"
    except OSError:
        return "?"


# Recovery -------------------------------------------------------------------------------------------------------------
def _leftovers(out: Path, kind: str) -> list[Path]:
    """`out.tmp-*` or `out.old-*` folders beside `out`, newest first."""
    prefix = f"{out.name}.{kind}-"
    found = [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _looks_ours(folder: Path) -> bool:
    """A working folder a build left: nothing but package entries, and a descriptor (if any) that opendata wrote."""
    names = {p.name for p in folder.iterdir()}
    return names <= PACKAGE_ENTRIES | WORKING_ENTRIES and ("datapackage.json" not in names or is_our_package(folder))


def recover(out: Path, notify: Callable[[str], None] = _note) -> None:
    """Repair what a killed build left (call with the lock held): when `out` is missing, the newest kept
    `out.old-*` package is put back; stale `out.tmp-*` and `out.old-*` folders are removed. A folder that does not
    look like ours is left alone, with a note."""
    olds = _leftovers(out, "old")
    if not os.path.lexists(out):
        for old in olds:
            if is_our_package(old):
                os.rename(old, out)
                olds.remove(old)
                notify(f"restored {out} from {old.name}, kept by a build that was interrupted")
                break
    for folder in _leftovers(out, "tmp") + olds:
        if _looks_ours(folder):
            shutil.rmtree(folder)
            notify(f"removed {folder}, left by a build that was interrupted")
        else:
            notify(f"left {folder} alone: it holds files opendata did not write")


# The staged swap ------------------------------------------------------------------------------------------------------
def _validate(package: Path) -> None:
    from opendata.publish.validate import require_valid

    require_valid(package)


@contextmanager
def staged(out: Path, check: Callable[[Path], None] | None = _validate, notify: Callable[[str], None] = _note,
           wait: float = LOCK_WAIT) -> Iterator[Path]:
    """A fresh sibling folder to write the package for `out` into; on a clean exit it is checked (`check` raises
    to refuse it: by default the package is validated) and swapped in, else removed and `out` left as it was."""
    out = Path(os.path.abspath(out))
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with locked(out, wait):
        recover(out, notify)
        check_out(out)  # again, under the lock: another build or the recovery may have changed it
        tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        tmp.mkdir()  # mode 0777 less the umask, like any folder the user makes (not mkdtemp's 0700)
        try:
            yield tmp
            if check is not None:
                check(tmp)
            swap(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def swap(new: Path, out: Path) -> None:
    """Put folder `new` in place of `out`. Where the OS can exchange two paths atomically (Linux renameat2) there is
    no moment without a package; elsewhere two renames, and a kill between them leaves `out.old-*`, which the next
    build's `recover` puts back."""
    if not os.path.lexists(out):
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # it now holds the old package
        return
    old = out.with_name(f"{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux >= 3.15 renameat2); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # kernel or file system without the exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))
