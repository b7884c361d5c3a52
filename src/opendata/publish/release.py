"""A release: one zip, `dist/<name>-<version>.zip`, holding a built package with its README (data dictionary),
CITATION.cff, licences, CHANGELOG and SHA256SUMS.

Releases are reproducible: the version and date come from schemas/package.yaml (never the clock), entries are
written in sorted order with the release date as their timestamp and fixed permissions, so the same sources and
code give the same bytes. A zip already released under a version is never replaced by different bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from opendata.spec.files import load_yaml, schemas_dir

CHANGES_START = "<!-- changes:{version}:start -->"
CHANGES_END = "<!-- changes:{version}:end -->"
UNRELEASED = "## [Unreleased]"


class ReleaseError(ValueError):
    """A release that cannot be made; the message names the file and what to do."""


@dataclass(frozen=True)
class Version:
    name: str
    version: str
    released: date

    @property
    def stem(self) -> str:
        return f"{self.name}-{self.version}"


def current() -> Version:
    """Name, version and release date from schemas/package.yaml, the one place they are kept."""
    meta = load_yaml("package.yaml")
    released = meta.get("released")
    if not isinstance(released, date):
        raise ReleaseError(f"{schemas_dir() / 'package.yaml'}: 'released' must be the release date (YYYY-MM-DD)")
    return Version(meta["name"], str(meta["version"]), released)


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


def previous_release(dist: Path, release: Version) -> Path | None:
    """The newest zip in `dist` of an earlier version of the same package (by version number, not file time)."""
    pattern = re.compile(re.escape(release.name) + r"-(\d+(?:\.\d+)*)\.zip")
    older = [(version_key(m.group(1)), p) for p in dist.glob(f"{release.name}-*.zip")
             if (m := pattern.fullmatch(p.name)) and version_key(m.group(1)) < version_key(release.version)]
    return max(older)[1] if older else None


def check_citation(cff_path: Path, release: Version) -> None:
    """CITATION.cff must cite the version being released, with its date."""
    import yaml

    cff = yaml.safe_load(cff_path.read_text(encoding="utf-8"))
    found = (str(cff.get("version")), str(cff.get("date-released")))
    wanted = (release.version, release.released.isoformat())
    if found != wanted:
        raise ReleaseError(f"{cff_path}: version {found[0]} of {found[1]}, but schemas/package.yaml says {wanted[0]} "
                           f"of {wanted[1]}; update CITATION.cff")


def changelog_with_changes(changelog: str, release: Version, changes: str) -> str:
    """CHANGELOG.md with the release's generated 'data changes' block (between its markers) replaced, the entry
    `## [version] - date` created at the top when missing."""
    start, end = CHANGES_START.format(version=release.version), CHANGES_END.format(version=release.version)
    block = f"{start}\n{changes.rstrip()}\n{end}"
    if start in changelog and end in changelog:
        return changelog[:changelog.index(start)] + block + changelog[changelog.index(end) + len(end):]
    heading = f"## [{release.version}] - {release.released.isoformat()}"
    if heading not in changelog and UNRELEASED in changelog:  # Keep a Changelog: the notes become the release's
        changelog = changelog.replace(UNRELEASED, heading, 1)
    if heading in changelog:
        at = changelog.index(heading) + len(heading)
        return changelog[:at] + "\n\n" + block + changelog[at:]
    first = changelog.find("\n## ")
    at = len(changelog) if first < 0 else first + 1
    return changelog[:at] + f"{heading}\n\n{block}\n\n" + changelog[at:]


def data_licence() -> str:
    """LICENSE-DATA.md: the data package's licences, as package.yaml lists them."""
    meta = load_yaml("package.yaml")
    lines = [f"# Licences of the data package `{meta['name']}`", ""]
    for lic in meta["licenses"]:
        title = " ".join(str(lic.get("title", "")).split())
        lines.append(f"- {lic.get('name', '') + ': ' if lic.get('name') else ''}{title} <{lic['path']}>")
    lines += ["", "The code that built it (opendata) is under the MIT licence: LICENSE.", ""]
    return "\n".join(lines)


def package_files(package: Path) -> dict[str, bytes]:
    """datapackage.json and the files it names (data/, schemas/), by their path inside the package."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    names = {"datapackage.json"}
    for r in descriptor["resources"]:  # a path, or a list of parts (Data Package v2)
        names |= set(r["path"] if isinstance(r["path"], list) else [r["path"]])
    names |= {r["schema"] for r in descriptor["resources"] if isinstance(r.get("schema"), str)}
    return {name: (package / name).read_bytes() for name in sorted(names)}


def sha256sums(files: dict[str, bytes]) -> bytes:
    """`sha256sum -c` input for every file."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode()


def zip_bytes(files: dict[str, bytes], folder: str, when: date) -> bytes:
    """A zip of `files` under `folder/`: sorted entries, the release date as every timestamp, mode 0644."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(when.year, when.month, when.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the mode bits below are read
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def write_release(files: dict[str, bytes], dist: Path, release: Version, force: bool = False) -> tuple[Path, bool]:
    """Write dist/<name>-<version>.zip atomically. Returns (path, written): the same bytes already there are kept;
    different bytes under a released version are refused unless `force`."""
    payload = {**files, "SHA256SUMS": sha256sums(files)}
    data = zip_bytes(payload, release.stem, release.released)
    target = dist / f"{release.stem}.zip"
    if target.is_file():
        if target.read_bytes() == data:
            return target, False
        if not force:
            raise ReleaseError(f"{target} exists with other contents: version {release.version} was already "
                               f"released; raise the version in schemas/package.yaml (or pass --force)")
    dist.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=dist)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, True


def top_level_file(name: str) -> Path:
    """A file beside schemas/ (the repository's top level): LICENSE, CITATION.cff."""
    path = schemas_dir().parent / name
    if not path.is_file():
        raise ReleaseError(f"{path} not found: a release is made from a checkout of the repository")
    return path


__all__ = ["ReleaseError", "Version", "current", "previous_release", "check_citation", "changelog_with_changes",
           "data_licence", "package_files", "write_release", "top_level_file", "zip_bytes", "sha256sums"]
