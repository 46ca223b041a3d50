"""What the wheel ships: the product (pipelines, warehouse, sql), never the test doubles.

The local portal (``fake_portal/``) and the Python reply parser the SQL loader is held to
(``tests/portal_oracle.py``) live beside the product in the checkout; the product's
modules may reach the portal only from the two developer commands (``dvc766 demo`` and
``dvc766 fake-portal``), lazily, so that the code location never loads it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DEVELOPER_COMMANDS = {"pipelines/demo.py", "pipelines/cli.py"}
"""The only shipped modules that may import the local portal (inside a function)."""


def _wheel_packages() -> list[str]:
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]


def _shipped_modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(PROJECT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for package in _wheel_packages()
        for path in sorted((PROJECT / package).rglob("*.py"))
    }


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module]
    return []


def test_the_wheel_ships_the_product_without_the_portal_double_or_the_oracle() -> None:
    assert sorted(_wheel_packages()) == ["pipelines", "warehouse"]
    shipped = _shipped_modules()
    doubles = [path for path in shipped if "fake_portal" in path]
    assert doubles == [], f"the local portal is in the wheel: {doubles}"
    assert "pipelines/sources/portal/parse.py" not in shipped
    assert "pipelines/sources/portal/provinces.py" in shipped
    oracles = [
        path
        for path, tree in shipped.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "parse_group_reply"
    ]
    assert oracles == [], f"the test oracle is in the wheel: {oracles}"
    assert (PROJECT / "fake_portal" / "server.py").is_file()
    assert (PROJECT / "tests" / "portal_oracle.py").is_file()


def test_shipped_modules_reach_the_portal_double_only_from_the_developer_commands() -> None:
    at_import_time: list[str] = []
    elsewhere: list[str] = []
    for path, tree in _shipped_modules().items():
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            for module in _imported(node):
                if module.split(".")[0] != "fake_portal" and ".fake_portal" not in module:
                    continue
                if id(node) in top_level:
                    at_import_time.append(f"{path}: {module}")
                elif path not in DEVELOPER_COMMANDS:
                    elsewhere.append(f"{path}: {module}")
    assert at_import_time == []
    assert elsewhere == []
