"""Write the site: render every page with Jinja2 into a temporary sibling folder, copy the package's files for
download, then swap the folder in. An existing folder is replaced only when an earlier `opendata site` wrote it."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opendata.publish.package import PackageError, descriptor_path

TEMPLATES = Path(__file__).parent / "templates"
MARKER = ".opendata-site"  # written into every site folder: the only kind of folder `site` replaces
DOWNLOADS = "package"  # the package's own files, copied beside the pages


class SiteError(PackageError):
    """The site cannot be written where asked; the message names the folder."""


@dataclass
class SiteResult:
    out: Path
    pages: int
    reports: int


def environment():
    import jinja2

    from opendata.query.chart import FONT_STACK
    from opendata.site.pages import value_text

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(font_stack=FONT_STACK)
    env.filters["metric_value"] = value_text
    return env


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file; give a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"{out}/ is not empty and was not written by `opendata site`; give a new or empty folder "
                        f"(nothing was changed)")


def package_files(package: Path, meta: dict) -> list[str]:
    """The descriptor and every file it names (data and Table Schemas), relative to the package folder."""
    names = [descriptor_path(package).name]
    for r in meta["resources"]:
        for path in (r.get("path"), r.get("schema") if isinstance(r.get("schema"), str) else None):
            if path and path not in names:
                if Path(path).is_absolute() or ".." in Path(path).parts:
                    raise SiteError(f"{descriptor_path(package)}: resource {r.get('name')}: path {path!r} leaves the "
                                    f"package folder")
                names.append(path)
    return names


def _copy_downloads(package: Path, meta: dict, target: Path) -> list[dict]:
    root = descriptor_path(package).parent
    out = []
    for name in package_files(package, meta):
        source = root / name
        dest = target / DOWNLOADS / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        digest = hashlib.sha256(dest.read_bytes()).hexdigest()
        out.append({"path": f"{DOWNLOADS}/{name}", "bytes": dest.stat().st_size, "sha256": digest})
    return out


def _inside(root: Path, name: str) -> Path:
    """root/name, refused when a name from the package (a report id) would lead out of the site folder."""
    path = root / name
    if ".." in Path(name).parts or Path(name).is_absolute() or not path.resolve().is_relative_to(root.resolve()):
        raise SiteError(f"a page name from the package leaves the site folder: {name!r}")
    return path


def _swap_in(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)


def build_site(package: Path, out: Path) -> SiteResult:
    """Write the whole site for the package into `out`."""
    from opendata.site.data import load
    from opendata.site.render import render_pages

    _check_target(out)
    data = load(package)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        downloads = _copy_downloads(package, data.meta, tmp)
        pages = render_pages(environment(), data, downloads)
        for name, text in pages.items():
            path = _inside(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (tmp / MARKER).write_text("written by `opendata site`; the command replaces this folder\n", encoding="utf-8")
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SiteResult(out, sum(1 for n in pages if n.endswith(".html")), len(data.reports))
