"""What makes the wheel work outside the checkout (issue 20, item 1): the package holds links to
the top-level templates/, migrations/ and config.py, the code finds them through the package,
and nothing imports a bare top-level `config` (the wheel does not install one)."""

from __future__ import annotations

import ast
import tomllib

from incidents.cli.common import MIGRATIONS
from tests import REPO

PACKAGE = REPO / "incidents"


def test_the_package_links_to_the_top_level_folders_and_settings() -> None:
    for name in ("templates", "migrations", "config.py"):
        link = PACKAGE / name
        assert link.is_symlink(), f"incidents/{name} must link to the top-level {name}"
        assert link.resolve() == (REPO / name).resolve()


def test_migrations_are_found_inside_the_package() -> None:
    assert MIGRATIONS == PACKAGE / "migrations"
    assert (MIGRATIONS / "env.py").exists()


def test_no_bare_config_module_is_installed() -> None:
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py-modules" not in setuptools


def test_nothing_imports_a_bare_config_module() -> None:
    offenders = []
    for folder in ("incidents", "migrations", "tests", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            if path.is_symlink():
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                bare = (isinstance(node, ast.ImportFrom) and node.module == "config") or (
                    isinstance(node, ast.Import) and any(a.name == "config" for a in node.names)
                )
                if bare:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == [], "import incidents.config instead: " + ", ".join(offenders)
