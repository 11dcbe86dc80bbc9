"""The layout's rules, read from the source itself (README, "Layout"): the core imports no
feature package; a view imports its own package, the page kit and the core, never another
package's internals; views neither roll back nor catch a domain error (the pipeline does); no
state is assigned outside its transition table; form limits come from the commands."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import REPO

PACKAGE = REPO / "incidents"
FEATURES = ("casework", "registers", "governance", "accounts", "admin", "home", "alerts")
# The page kit: what every view may use besides its own package and the core.
KIT = ("incidents.web", "incidents.casework.page", "incidents.accounts.elevation_views")
CORE = (
    "incidents.models",
    "incidents.workflow",
    "incidents.lifecycle",
    "incidents.permissions",
    "incidents.closure",
    "incidents.deadlines",
    "incidents.sensitive",
    "incidents.crypto",
    "incidents.audit",
    "incidents.stats",
    "incidents.errors",
    "incidents.validation",
    "incidents.clock",
    "incidents.extensions",
    "incidents.db",
    "incidents.catalogue",
)
DOMAIN_ERRORS = {
    "DomainError",
    "Refused",
    "InvalidInput",
    "NotFound",
    "Forbidden",
    "TransitionNotAllowedError",
}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"
    )


def _sources(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (PACKAGE / f).rglob("*.py"))


def _views() -> list[Path]:
    return [p for p in _sources(*FEATURES) if p.stem == "views" or p.stem.endswith("_views")]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return found


def _feature_of(module: str) -> str | None:
    """`incidents.casework.referrals` for anything inside it; the group for a flat feature."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in FEATURES:
        return None
    grouped = parts[1] in ("casework", "registers", "admin")
    return ".".join(parts[:3]) if grouped else ".".join(parts[:2])


def test_every_feature_package_says_its_rule() -> None:
    for feature in FEATURES:
        doc = ast.get_docstring(ast.parse((PACKAGE / feature / "__init__.py").read_text()))
        assert doc and len(doc) > 60, f"incidents/{feature}/__init__.py says what it owns"


# Not the core: the composition root, the command line and the demo put the features together;
# extensions.py is the Flask glue (the request's database session) the page kit hands to views.
ROOTS = (
    "incidents.app",
    "incidents.wsgi",
    "incidents.cli",
    "incidents.demo",
    "incidents.extensions",
)


def _core() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if _feature_of(_module(p)) is None and not _module(p).startswith((*ROOTS, "incidents.web"))
    ]


@pytest.mark.parametrize("path", _core(), ids=lambda p: _module(p))
def test_the_core_imports_no_feature_package(path: Path) -> None:
    for name in _imports(path):
        assert _feature_of(name) is None, f"{_module(path)} imports {name}"
        assert not name.startswith(("incidents.web", "flask")), f"{_module(path)} imports {name}"


@pytest.mark.parametrize("path", _sources("web"), ids=lambda p: _module(p))
def test_the_page_kit_imports_no_feature_package(path: Path) -> None:
    for name in _imports(path):
        assert _feature_of(name) is None, f"{_module(path)} imports {name}"


@pytest.mark.parametrize("path", _views(), ids=lambda p: _module(p))
def test_a_view_imports_its_own_package_the_kit_and_the_core(path: Path) -> None:
    own = _feature_of(_module(path))
    for name in _imports(path):
        if not name.startswith("incidents."):
            continue
        if name.startswith(KIT + CORE):
            continue
        assert own is not None and name.startswith(own + "."), (
            f"{_module(path)} imports {name}: a view uses its own package and the page kit"
        )
        leaf = name.removeprefix(own + ".").split(".")
        assert not any(part.startswith("_") or part == "system" for part in leaf), (
            f"{_module(path)} imports {name}: internal helpers are for the commands"
        )


@pytest.mark.parametrize("path", _views() + _sources("web"), ids=lambda p: _module(p))
def test_no_view_rolls_back_or_catches_a_domain_error(path: Path) -> None:
    if path.name == "pipeline.py":
        return  # the one place that does both
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr != "rollback", f"{_module(path)}:{node.lineno} rolls back"
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
            assert not names & DOMAIN_ERRORS, (
                f"{_module(path)}:{node.lineno} catches {names & DOMAIN_ERRORS}: "
                "the pipeline answers domain errors"
            )


STATE_ATTRIBUTES = {"state", "status", "stage"}
TABLES = {"incidents.workflow", "incidents.lifecycle"}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: _module(p))
def test_no_state_is_assigned_outside_its_table(path: Path) -> None:
    if _module(path) in TABLES or _module(path).startswith("incidents.stats"):
        return
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign | ast.AugAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in STATE_ATTRIBUTES:
                assert isinstance(target.value, ast.Name) and target.value.id == "self", (
                    f"{_module(path)}:{node.lineno} assigns .{target.attr}: "
                    "use the transition table's advance()"
                )


@pytest.mark.parametrize(
    "path", [p for p in _sources(*FEATURES) if p.stem.endswith("forms")], ids=lambda p: _module(p)
)
def test_form_limits_come_from_the_commands(path: Path) -> None:
    """A form's Length(max=...) names a command's constant: the two can never disagree."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Length":
            for keyword in node.keywords:
                if keyword.arg == "max":
                    assert not isinstance(keyword.value, ast.Constant), (
                        f"{_module(path)}:{node.lineno} writes a limit as a number"
                    )
