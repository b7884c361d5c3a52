"""The package's stages import only down the flow: model/fold -> spec -> read -> solve -> extract -> check -> publish
-> query -> site -> scale -> pipeline -> cli. A module never imports a later stage, and never a private name of another stage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "opendata"
# Lower rank = earlier in the flow. A module may import its own stage and any earlier one.
STAGES = ["model", "fold", "spec", "read", "solve", "extract", "check", "publish", "query", "site", "scale", "pipeline",
          "cli"]
RANK = {"model": 0, "fold": 0, **{s: i for i, s in enumerate(STAGES) if s not in ("model", "fold")}}


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names imported) for every `opendata` import in a file, lazy ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("opendata"):
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("opendata")]
    return out


MODULES = sorted(p for p in SRC.rglob("*.py"))


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(SRC).as_posix())
def test_imports_point_down_the_flow(path):
    here = stage_of(module_name(path))
    if here == "__init__":
        return
    for module, names in imports(path):
        there = stage_of(module)
        if there == "__init__":  # `from opendata import X`: X is a stage
            targets = names
        else:
            targets = [there]
        for target in targets:
            assert RANK[target] <= RANK[here], f"{module_name(path)} ({here}) imports {module} ({target}): up the flow"
            if target != here:
                private = [n for n in names if n.startswith("_")]
                assert not private, f"{module_name(path)} imports private names {private} of {module}"


def test_every_module_belongs_to_a_stage():
    for path in MODULES:
        stage = stage_of(module_name(path))
        assert stage in RANK or stage == "__init__", f"{path}: not in a stage folder ({', '.join(STAGES)})"


def test_the_readers_formats_are_the_schema_enum():
    from opendata.read import READERS
    from opendata.spec.schemas import enum_values

    assert sorted(set(READERS.values())) == sorted(enum_values("formats"))


def test_functions_and_classes_stay_small():
    """Small functions (at most 50 lines) and classes (at most 150): a long one is split where it grew."""
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                limit = 150 if isinstance(node, ast.ClassDef) else 50
                if node.end_lineno - node.lineno + 1 > limit:
                    long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert long == []
