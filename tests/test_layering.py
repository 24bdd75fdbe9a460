"""The one-way import rule between the five packages, read from the source with ``ast``.

* ``perception``, ``parser`` and ``semantics`` import, from the project, only their
  own package and ``nsr.types`` / ``nsr.errors`` / ``nsr.registry``; never each other.
* ``benchmarks`` imports only itself and ``nsr.types`` / ``nsr.errors``. Benchmark
  *runners* listed in ``LAZY_RUNNERS`` may also import what they list (``semantics``
  and ``nsr.registry``; ``perception``), but only inside a function, so importing the
  loaders stays light.
* ``nsr.types``, ``nsr.errors`` and ``nsr.registry`` (what the layers may import)
  import nothing above them; the other ``nsr`` modules (``nsr.cli``, ``nsr.loop``,
  ``nsr.report`` ...) may import everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("nsr", "perception", "parser", "semantics", "benchmarks")
NSR_SHARED = {"nsr.types", "nsr.errors", "nsr.registry"}
LAYER_ALLOWED = {
    "perception": NSR_SHARED,
    "parser": NSR_SHARED,
    "semantics": NSR_SHARED,
    "benchmarks": {"nsr.types", "nsr.errors"},
}
LAZY_RUNNERS = {
    "benchmarks.induction": (
        {"semantics", "nsr.registry"},
        (
            "a benchmark runner: it induces programs, so it needs the semantics "
            "package, and imports it only inside run_benchmark"
        ),
    ),
    "benchmarks.image_ceiling": (
        {"perception"},
        (
            "a benchmark runner: it trains the perception network on the true classes, "
            "and imports it only inside ceiling"
        ),
    ),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str | None = None) -> list[tuple[str, bool, int]]:
    """(module imported, inside a function?, line) for every import in a file.

    ``from x import a`` is recorded as ``x.a`` (a submodule or a name in ``x``), so
    ``from nsr import loop`` is caught; relative imports are made absolute.
    """
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((a.name, in_function, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - child.level + 1])
                    target = f"{base}.{child.module}" if child.module else base
                else:
                    target = child.module or ""
                found.extend(
                    (
                        target if a.name == "*" else f"{target}.{a.name}",
                        in_function,
                        child.lineno,
                    )
                    for a in child.names
                )
            visit(
                child,
                in_function
                or isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
                ),
            )

    visit(ast.parse(path.read_text(), filename=str(path)), False)
    return found


def _project_imports(path: Path, module: str | None = None):
    """The imports of project modules (the five packages) in one file."""
    return [i for i in _imports(path, module) if i[0].split(".")[0] in PACKAGES]


def _allowed(target: str, allowed: set[str]) -> bool:
    return any(target == a or target.startswith(a + ".") for a in allowed)


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_the_packages_exist() -> None:
    for package in PACKAGES:
        assert (ROOT / package).is_dir(), package
    assert _sources("semantics") and _sources("parser") and _sources("nsr")


@pytest.mark.parametrize("package", list(LAYER_ALLOWED))
def test_layer_imports_follow_the_one_way_rule(package: str) -> None:
    violations = []
    for path in _sources(package):
        module = _module_name(path)
        lazy_ok, _reason = LAZY_RUNNERS.get(module, (set(), ""))
        for target, in_function, line in _project_imports(path):
            if target.split(".")[0] == package:
                continue  # its own package
            if _allowed(target, LAYER_ALLOWED[package]):
                continue
            if in_function and _allowed(target, lazy_ok):
                continue
            where = "inside a function" if in_function else "at module level"
            violations.append(
                f"{path.relative_to(ROOT)}:{line} imports {target} ({where})"
            )
    assert violations == []


def test_the_shared_nsr_modules_import_nothing_above_them() -> None:
    lower = {"nsr.types": set(), "nsr.errors": set(), "nsr.registry": NSR_SHARED}
    violations = []
    for module, allowed in lower.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        for target, _in_function, line in _project_imports(path):
            if not _allowed(target, allowed):
                violations.append(f"{module}:{line} imports {target}")
    assert violations == []


def test_nsr_package_init_is_nearly_empty() -> None:
    assert not list(_project_imports(ROOT / "nsr" / "__init__.py"))


def test_lazy_runner_exceptions_are_still_needed_and_lazy() -> None:
    """Each listed runner does import the extra packages, and only inside functions."""
    for module, (extra, reason) in LAZY_RUNNERS.items():
        assert reason
        path = ROOT / (module.replace(".", "/") + ".py")
        imports = list(_project_imports(path))
        uses = [(t, f) for t, f, _ in imports if _allowed(t, extra)]
        assert uses, f"{module} no longer needs its exception; remove it"
        assert all(in_function for _, in_function in uses), module


def test_the_reader_finds_relative_and_function_level_imports(tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(
        "from .search import induce\nfrom nsr import loop\nimport os\n"
        "def f():\n    from perception import model\n"
    )
    found = {(t, f) for t, f, _ in _project_imports(path, module="semantics.probe")}
    assert found == {
        ("semantics.search.induce", False),
        ("nsr.loop", False),
        ("perception.model", True),
    }
    assert not _allowed("nsr.loop", LAYER_ALLOWED["semantics"])
    assert _allowed("nsr.types.INT", LAYER_ALLOWED["semantics"])
