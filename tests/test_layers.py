"""The package reads top-down: no stage imports what sits above it."""

from __future__ import annotations

import ast
from pathlib import Path

import recoupe

ROOT = Path(recoupe.__file__).parent
# The stages and what they rest on; ``analyze`` drives them, ``serve`` and ``cli`` sit on top,
# ``eval`` beside.
STAGES = ("ingest", "clean", "nlp", "reuse", "stories", "summarize", "store", "lang",
          "execute", "report")
ABOVE = ("recoupe.analyze", "recoupe.cli", "recoupe.eval", "recoupe.serve")


def _imports(path: Path) -> list[str]:
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT.parent).parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append(module)
            out.extend(f"{module}.{a.name}" for a in node.names)
    return out


def test_no_stage_imports_analyze_cli_eval_or_serve() -> None:
    found = []
    for stage in STAGES:
        for path in sorted((ROOT / stage).rglob("*.py")):
            for module in _imports(path):
                if any(module == up or module.startswith(up + ".") for up in ABOVE):
                    found.append(f"{path.relative_to(ROOT)} imports {module}")
    assert found == []


def test_the_check_sees_relative_imports() -> None:
    # The walk resolves "from ..analyze import x" inside recoupe/serve/library.py.
    assert "recoupe.analyze" in _imports(ROOT / "serve" / "library.py")
