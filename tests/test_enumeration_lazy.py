"""Enumeration with lazy arguments: an undefined value in a lazy position makes the
term undefined only on the examples where the function forces it, and a term grown
from an entry's cached thunks has the same value vector as one applied directly."""

from __future__ import annotations

import time

import pytest

from nsr.registry import Registry
from nsr.types import INT, BaseType
from semantics.enumeration import ERR, Component, Enumerator, _apply, component_for_primitive
from semantics.interpreter import Interpreter
from semantics.program import Lambda, Prim, Program

pytestmark = pytest.mark.issue(6)


def _if0() -> Component:
    return Component(Prim("if0"), (INT, INT, INT), INT,
                     lambda n, a, b: a() if n == 0 else b(), (False, True, True))


def test_an_undefined_branch_not_taken_leaves_the_value_defined() -> None:
    out = _apply(_if0(), [(0, 3, ERR, 0), (1, ERR, 5, ERR), (ERR, 2, 6, 9)])
    assert out == (1, 2, ERR, ERR)


def test_an_undefined_condition_is_undefined_whatever_the_branches() -> None:
    assert _apply(_if0(), [(ERR, ERR), (1, 2), (3, 4)]) is None


def test_a_function_of_lazy_arguments_only_is_applied_on_every_example() -> None:
    t = BaseType("int")
    first = Component(Prim("first"), (t, t), t, lambda a, b: a(), (True, True))
    assert _apply(first, [(1, ERR, 3), (ERR, 5, 6)]) == (1, ERR, 3)


def test_cached_thunks_give_the_values_of_direct_application() -> None:
    registry = Registry.default()
    comps = [c for p in registry.in_sets(["nat"])
             if (c := component_for_primitive(p)) is not None]
    envs = [(n, m) for n in range(4) for m in (0, 2, 7)]
    enum = Enumerator([INT, INT], envs, comps, deadline=time.monotonic() + 60)
    interpreter = Interpreter(registry)
    lazy_terms = 0
    for _ in range(6):
        for _t, entry in enum.grow():
            program = entry.program
            if str(program).startswith("(if0"):
                lazy_terms += 1
            assert tuple(_value(interpreter, program, env) for env in envs) == entry.vec
    assert lazy_terms > 0


def _value(interpreter: Interpreter, program: Program, env: tuple):
    """The term's value on one environment by the interpreter, ``ERR`` where it fails."""
    try:
        return interpreter.run(Lambda(len(env), program), env)
    except Exception:
        return ERR
