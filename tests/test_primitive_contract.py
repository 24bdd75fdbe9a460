"""The contract every built-in primitive keeps, checked for each registered name.

A primitive's arity and types are its annotations; on inputs of its declared types
(drawn by hypothesis) it is deterministic and returns a value of its declared result
type or raises :class:`PrimitiveError`; and its name survives program print/parse.
A new primitive is covered as soon as it is registered.
"""

from __future__ import annotations

import inspect
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nsr.errors import PrimitiveError
from nsr.registry import Primitive, Registry
from nsr.types import LIST, PYTHON_TYPES, Arrow, type_of_value
from semantics.program import App, Arg, Fix, Prim, Recur, parse_program
from tests import strategies as s

REGISTRY = Registry.default(entry_points=False)
NAMES = REGISTRY.names()
ORDINARY = [n for n in NAMES if not REGISTRY.get(n).special]


def _outcome(prim: Primitive, args: tuple):
    """The primitive's result, or the PrimitiveError's text; lazy args become thunks."""
    call = tuple((lambda v=v: v) if lazy else v for v, lazy in zip(args, prim.lazy))
    try:
        return ("ok", prim.fn(*call))
    except PrimitiveError as exc:
        return ("error", str(exc))


def _arg_types(prim: Primitive) -> tuple:
    return tuple(prim.type.args) if isinstance(prim.type, Arrow) else ()


def test_there_are_builtins() -> None:
    assert {"car", "concat", "inc", "if0", "fix"} <= set(NAMES)


@pytest.mark.parametrize("name", ORDINARY)
def test_arity_matches_annotations(name: str) -> None:
    prim = REGISTRY.get(name)
    hints = typing.get_type_hints(prim.fn)
    params = list(inspect.signature(prim.fn).parameters)
    assert prim.arity == len(params)
    for k, param in enumerate(params):
        hint = hints[param]
        if prim.lazy[k]:
            (hint,) = typing.get_args(hint)[1:]  # Lazy[T] is Callable[[], T]
        assert PYTHON_TYPES[hint] == _arg_types(prim)[k]
    assert PYTHON_TYPES[hints["return"]] == prim.result


@pytest.mark.parametrize("name", [n for n in NAMES if REGISTRY.get(n).special])
def test_special_forms_are_not_called(name: str) -> None:
    prim = REGISTRY.get(name)
    assert prim.fn is None and isinstance(prim.type, Arrow)


@pytest.mark.parametrize("name", ORDINARY)
@settings(max_examples=40)
@given(data=st.data())
def test_deterministic_and_returns_its_declared_type(name: str, data) -> None:
    prim = REGISTRY.get(name)
    args = data.draw(s.inputs_for(_arg_types(prim), max_nat=10**6), label="args")
    first = _outcome(prim, args)
    assert _outcome(prim, args) == first  # deterministic
    if first[0] == "ok":
        value = first[1]
        assert type_of_value(value) == prim.result, f"{name}{args} returned {value!r}"
        if prim.result == LIST:
            assert all(isinstance(t, str) for t in value)
        if isinstance(value, int) and not isinstance(value, bool):
            assert value >= 0, "naturals only"


@pytest.mark.parametrize("name", ORDINARY)
def test_name_round_trips_through_program_text(name: str) -> None:
    prim = Prim(name)
    assert parse_program(str(prim)) == prim
    arity = REGISTRY.get(name).arity
    if arity:
        app = App(prim, tuple(Arg(i) for i in range(arity)))
        assert parse_program(str(app)) == app


@pytest.mark.parametrize("name", [n for n in NAMES if REGISTRY.get(n).special])
def test_special_form_name_round_trips_as_a_binder(name: str) -> None:
    program = Fix(1, App(Recur(), (Arg(0),)))
    text = str(program)
    assert text.startswith(f"({name} ") and parse_program(text) == program
