"""Enumeration keeps its values small: a term's value wider than ``MAX_INT_BITS`` bits
(or a list longer than ``MAX_LIST``) is undefined, so squaring a value over and over
cannot fill memory."""

from __future__ import annotations

import pytest

from nsr.types import BaseType
from semantics.enumeration import ERR, MAX_INT_BITS, MAX_LIST, Component, _apply
from semantics.program import Prim

pytestmark = pytest.mark.issue(6)


def _component(fn) -> Component:
    t = BaseType("int")
    return Component(Prim("f"), (t,), t, fn)


def test_a_number_wider_than_the_bound_is_undefined() -> None:
    square = _component(lambda x: x * x)
    wide = 1 << (MAX_INT_BITS // 2 + 1)
    out = _apply(square, [(3, wide)])
    assert out is not None and out[0] == 9 and out[1] is ERR


def test_repeated_squaring_stops_at_the_bound() -> None:
    square = _component(lambda x: x * x)
    vec: tuple = (2,)
    for _ in range(40):  # 2 ** (2 ** 40) without the bound
        out = _apply(square, [vec])
        if out is None:
            break
        vec = out
    assert vec[0] is ERR or vec[0].bit_length() <= MAX_INT_BITS


def test_a_list_longer_than_the_bound_is_undefined() -> None:
    t = BaseType("list")
    double = Component(Prim("g"), (t,), t, lambda xs: xs + xs)
    out = _apply(double, [((1,) * (MAX_LIST // 2 + 1), (1,))])
    assert out is not None and out[0] is ERR and out[1] == (1, 1)


def test_a_recursion_whose_value_outgrows_the_bound_fails() -> None:
    """Recursive search runs each candidate down its chain of descents; a step that
    squares the result (2, 4, 16, 256, ... on 16 links: 65,536 bits) is a failure, not
    a number that fills memory a few links later (this was a 24 GB out-of-memory kill
    during HINT image training)."""
    from semantics.recursion import _run

    def dec(*a):
        return a[0] - 1

    def two(*a):
        return 2

    def square(*env):
        return env[-1] * env[-1]

    def double(*env):
        return env[-1] * 2

    out = _run(0, dec, two, square, [(3,), (16,)])
    assert out == [256, ERR]
    assert _run(0, dec, two, double, [(16,)]) == [2 ** 17]
