"""Locate and load the data files in schemas/ (template, identities, metrics, package metadata, Table Schemas).

The files live at the repository's top level; an installed wheel carries them as opendata/schemas.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

_HERE = Path(__file__).resolve().parent.parent


def schemas_dir() -> Path:
    for candidate in (_HERE / "schemas", _HERE.parents[1] / "schemas"):
        if (candidate / "template.yaml").is_file():
            return candidate
    raise FileNotFoundError("schemas/ not found beside the opendata package")


# libyaml's C loader when PyYAML was built with it: the template parses ~10x faster than with the pure-Python loader.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load_yaml(name: str) -> dict:
    return yaml.load((schemas_dir() / name).read_text(encoding="utf-8"), Loader=_LOADER)
