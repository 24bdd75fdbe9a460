"""The primitive registry: signatures from annotations, duplicate and bad definitions
refused with a message naming where they came from, ``--code`` files, entry points
loaded lazily, and the ``nsr primitives`` command."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nsr.cli import app
from nsr.errors import RegistryError
from nsr.registry import ENTRY_POINT_GROUP, Registry, primitive, primitive_from_function
from nsr.types import INT, LIST, TOK, Arrow, Lazy, Tokens

BUILTIN_NAMES = [
    "empty",
    "singleton",
    "cons",
    "car",
    "cdr",
    "last",
    "init",
    "concat",
    "reverse",
    "zero",
    "inc",
    "dec",
    "if0",
    "fix",
    "add",
    "monus",
    "mul",
    "cdiv",
]


def _module(name: str, **functions) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, fn in functions.items():
        setattr(module, key, fn)
    return module


# ------------------------------------------------------------ signatures


def test_builtins_are_all_registered_in_their_sets() -> None:
    reg = Registry.default(entry_points=False)
    assert reg.names() == BUILTIN_NAMES
    assert {p.name for p in reg.in_sets(["list"])} == set(BUILTIN_NAMES[:9])
    assert {p.name for p in reg.in_sets(["nat"])} == {
        "zero",
        "inc",
        "dec",
        "if0",
        "fix",
    }
    assert all(p.origin == "builtin" for p in reg)


def test_signature_is_read_from_annotations() -> None:
    reg = Registry.default(entry_points=False)
    assert reg.get("cons").type == Arrow((TOK, LIST), LIST)
    assert reg.get("empty").type == LIST and reg.get("empty").arity == 0
    if0 = reg.get("if0")
    assert if0.type == Arrow((INT, INT, INT), INT) and if0.lazy == (False, True, True)
    assert reg.get("fix").special and reg.get("fix").fn is None


def test_duplicate_name_names_both_origins() -> None:
    reg = Registry.default(entry_points=False)

    @primitive("car")
    def my_car(xs: Tokens) -> str:
        return xs[0]

    with pytest.raises(RegistryError) as info:
        reg.load_module(_module("mine", my_car=my_car), origin="module mine")
    message = str(info.value)
    assert "'car'" in message and "builtin" in message and "module mine" in message


@pytest.mark.parametrize(
    "source, problem",
    [
        ("def f(x, y: int) -> int: return 0", "parameter 'x' has no type annotation"),
        ("def f(x: int): return 0", "return type has no annotation"),
        ("def f(x: float) -> int: return 0", "unsupported type annotation"),
        ("def f(x: int) -> list[str]: return []", "unsupported type annotation"),
        ("def f(x: Lazy[float]) -> int: return 0", "unsupported type annotation"),
        ("def f(x: int) -> Lazy[int]: return 0", "return type cannot be lazy"),
        ("def f(*xs: int) -> int: return 0", "must be positional"),
        ("def f(x: NoSuchType) -> int: return 0", "cannot read its annotations"),
    ],
)
def test_bad_signatures_are_refused(source: str, problem: str) -> None:
    namespace: dict = {"Lazy": Lazy}
    # string annotations, as in a module with ``from __future__ import annotations``
    exec("from __future__ import annotations\n" + source, namespace)  # noqa: S102
    fn = primitive("f")(namespace["f"])
    with pytest.raises(RegistryError) as info:
        primitive_from_function(fn, "test")
    assert problem in str(info.value) and "'f'" in str(info.value)


@pytest.mark.parametrize("name", ["", "two words", "(x)", "it's", "$x"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(RegistryError, match="bad primitive name"):
        primitive(name)


def test_names_that_cannot_round_trip_through_program_text_are_refused() -> None:
    """A primitive is saved by name inside program text, so its name must parse back as
    that primitive. These names parse as something else (``recur``, a number, an
    invented ``@x``), cannot stand alone (``lambda``) or split in two (a tab)."""
    accepted = []
    for name in ["recur", "lambda", "42", "@x", "tab\there"]:
        try:
            primitive(name)
        except RegistryError:
            continue
        accepted.append(name)
    assert accepted == [], f"accepted names that do not round-trip: {accepted}"


def test_unknown_name_is_a_registry_error() -> None:
    with pytest.raises(RegistryError, match="unknown primitive 'nope'"):
        Registry.default(entry_points=False).get("nope")


def test_in_sets_with_an_unknown_set_raises() -> None:
    reg = Registry.default(entry_points=False)
    with pytest.raises(RegistryError, match="unknown primitive set"):
        reg.in_sets(["list", "no_such_set"])
    # a primitive's own name counts as a set of one
    assert [p.name for p in reg.in_sets(["nat", "add"])] == [
        "zero",
        "inc",
        "dec",
        "if0",
        "fix",
        "add",
    ]


def test_importing_a_primitive_module_registers_nothing() -> None:
    import semantics.primitives.lists  # noqa: F401 - importing must have no side effect

    assert Registry().names() == []


# ------------------------------------------------------------ --code files

CODE = '''\
from __future__ import annotations

from nsr.registry import primitive
from nsr.types import Tokens


@primitive("third", sets={"extra"})
def third(xs: Tokens) -> str:
    """The third token."""
    return xs[2]
'''


def test_load_code_file_registers_and_records_origin(tmp_path: Path) -> None:
    path = tmp_path / "extra_ops.py"
    path.write_text(CODE)
    reg = Registry.default(entry_points=False)
    prims = reg.load_code_file(path)
    assert [p.name for p in prims] == ["third"]
    third = reg.get("third")
    assert third.type == Arrow((LIST,), TOK)
    assert str(path) in third.origin
    assert third.doc == "The third token."
    assert [p.name for p in reg.in_sets(["extra"])] == ["third"]


def test_code_file_that_raises_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken_ops.py"
    path.write_text("x = 1\n\nraise ValueError('broken on purpose')\n")
    with pytest.raises(RegistryError) as info:
        Registry.default(entry_points=False).load_code_file(path)
    message = str(info.value)
    assert (
        f"{path}:3" in message
        and "ValueError" in message
        and "broken on purpose" in message
    )


def test_code_file_with_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax_ops.py"
    path.write_text("x = 1\ndef f(:\n")
    with pytest.raises(RegistryError, match=re.escape(f"{path}:2")):
        Registry.default(entry_points=False).load_code_file(path)


def test_missing_code_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no such code file"):
        Registry.default(entry_points=False).load_code_file(tmp_path / "absent.py")


def test_code_file_redefining_a_builtin_names_both(tmp_path: Path) -> None:
    path = tmp_path / "clash_ops.py"
    path.write_text(CODE.replace('"third"', '"reverse"'))
    with pytest.raises(RegistryError) as info:
        Registry.default(entry_points=False).load_code_file(path)
    assert "'reverse'" in str(info.value) and "builtin" in str(info.value)
    assert str(path) in str(info.value)


# ------------------------------------------------------------ entry points

PLUGIN = '''\
from nsr.registry import primitive


@primitive("{name}", sets={{"plugin"}})
def plugin_op(x: int) -> int:
    """From a plugin."""
    return x + 10
'''


def _install_plugin(monkeypatch, tmp_path: Path, module: str, name: str) -> list:
    (tmp_path / f"{module}.py").write_text(PLUGIN.format(name=name))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)
    ep = importlib.metadata.EntryPoint(
        name="my_ops", value=module, group=ENTRY_POINT_GROUP
    )
    calls: list = []

    def fake_entry_points(**kwargs):
        calls.append(kwargs)
        return [ep] if kwargs.get("group") == ENTRY_POINT_GROUP else []

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    return calls


def test_entry_point_primitives_load_lazily(monkeypatch, tmp_path: Path) -> None:
    calls = _install_plugin(monkeypatch, tmp_path, "nsr_test_plugin_a", "plus_ten")
    reg = Registry.default()
    assert calls == [] and "nsr_test_plugin_a" not in sys.modules  # nothing loaded yet
    assert reg.get("plus_ten").fn(1) == 11
    assert calls == [{"group": ENTRY_POINT_GROUP}]
    assert "entry point my_ops" in reg.get("plus_ten").origin
    assert "plus_ten" in reg.names() and "car" in reg.names()
    assert len(calls) == 1  # loaded once


def test_entry_point_duplicating_a_builtin_raises(monkeypatch, tmp_path: Path) -> None:
    _install_plugin(monkeypatch, tmp_path, "nsr_test_plugin_b", "inc")
    reg = Registry.default()
    with pytest.raises(RegistryError) as info:
        reg.names()
    assert "'inc'" in str(info.value) and "builtin" in str(info.value)
    assert "entry point my_ops" in str(info.value)


def test_entry_point_that_fails_to_import(monkeypatch, tmp_path: Path) -> None:
    _install_plugin(monkeypatch, tmp_path, "nsr_test_plugin_c", "x")
    (tmp_path / "nsr_test_plugin_c.py").write_text("raise ImportError('no deps')\n")
    with pytest.raises(RegistryError, match="my_ops.*failed to import.*no deps"):
        Registry.default().get("car")


def test_entry_points_can_be_skipped(monkeypatch, tmp_path: Path) -> None:
    calls = _install_plugin(monkeypatch, tmp_path, "nsr_test_plugin_d", "plus_ten")
    reg = Registry.default(entry_points=False)
    assert "plus_ten" not in reg and calls == []


# ------------------------------------------------------------ CLI: nsr primitives

WIDE = {"COLUMNS": "400"}  # no folding of long origins in the Rich table


def test_cli_lists_every_builtin() -> None:
    result = CliRunner().invoke(app, ["primitives"], env=WIDE)
    assert result.exit_code == 0, result.output
    names = {
        line.split("│")[1].strip()
        for line in result.output.splitlines()
        if line.startswith("│")
    }
    assert set(BUILTIN_NAMES) <= names


def test_cli_shows_the_origin_of_a_code_primitive(tmp_path: Path) -> None:
    path = tmp_path / "cli_ops.py"
    path.write_text(CODE)
    result = CliRunner().invoke(app, ["primitives", "--code", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "│ third " in line)
    assert f"file {path}" in row and "(list -> tok)" in row


def test_cli_set_filter() -> None:
    result = CliRunner().invoke(app, ["primitives", "--set", "nat"], env=WIDE)
    assert result.exit_code == 0
    assert "│ inc " in result.output and "│ concat " not in result.output


def test_cli_bad_code_file_exits_non_zero_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad_cli_ops.py"
    path.write_text("import no_such_module_anywhere\n")
    result = CliRunner().invoke(app, ["primitives", "--code", str(path)], env=WIDE)
    assert result.exit_code != 0
    assert str(path) in result.output and "no_such_module_anywhere" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_shows_which_arguments_are_lazy() -> None:
    """``nsr.report`` appends ``[lazy: 1, 2]`` to if0's type, but Rich reads the square
    brackets as a markup tag and drops them, so the marker never shows."""
    result = CliRunner().invoke(app, ["primitives", "--set", "nat"], env=WIDE)
    row = next(line for line in result.output.splitlines() if "│ if0 " in line)
    assert "lazy" in row
