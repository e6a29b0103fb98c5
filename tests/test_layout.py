"""The package's walls: one idea per module, public seams, declared dependencies.

These read the source (``ast``), not behaviour: a module over 500 lines, a
module that uses another module's private names, or a third-party import that
``pyproject.toml`` does not declare fails here before it reaches a user.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sknn_cn"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 500

#: Private names of scikit-learn that its own developer guide tells estimator
#: authors to use (there is no public equivalent):
#: ``_fit_context`` wraps ``fit`` for parameter validation, and
#: ``_check_sample_weight`` is the documented sample-weight validator.
ALLOWED_PRIVATE = {"_fit_context", "_check_sample_weight", "_parameter_constraints"}

#: Receivers whose private attributes a module may touch: its own object.
OWN = {"self", "cls"}


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def _tree(path):
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_module_over_500_lines(path):
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_LINES, f"{path.name} has {n_lines} lines"


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _foreign_private_uses(path):
    """Private names this module takes from elsewhere: imported, or read off an object."""
    uses = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if _private(alias.name) and alias.name not in ALLOWED_PRIVATE:
                    uses.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            receiver = node.value
            if isinstance(receiver, ast.Name) and receiver.id in OWN:
                continue
            if isinstance(receiver, ast.Call) and getattr(receiver.func, "id", "") == "super":
                continue
            if node.attr in ALLOWED_PRIVATE:
                continue
            uses.append(f"line {node.lineno}: {ast.unparse(node)}")
    return uses


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_module_uses_another_modules_private_names(path):
    assert _foreign_private_uses(path) == []


def _third_party_imports():
    """Top-level names of every non-stdlib, non-sknn_cn module the package imports."""
    found = {}
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "sknn_cn":
                    continue
                found.setdefault(top, set()).add(path.name)
    return found


def _declared_distributions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    return {re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0].lower().replace("_", "-")
            for spec in specs}


def test_every_third_party_import_is_declared():
    declared = _declared_distributions()
    dists = packages_distributions()
    missing = {}
    for module, users in _third_party_imports().items():
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(users)
    assert missing == {}
