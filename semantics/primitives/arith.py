"""Native arithmetic (set ``arith``): HINT's operators as given primitives.

Using them is a declared prior (``semantics.primitive_sets`` containing ``arith``); by
default HINT induces its operators from the ``nat`` set instead.
"""

from __future__ import annotations

from nsr.errors import PrimitiveError
from nsr.registry import primitive


@primitive("add", sets={"arith"})
def add(x: int, y: int) -> int:
    """x + y."""
    return x + y


@primitive("monus", sets={"arith"})
def monus(x: int, y: int) -> int:
    """Subtraction floored at 0: max(0, x - y)."""
    return x - y if x > y else 0


@primitive("mul", sets={"arith"})
def mul(x: int, y: int) -> int:
    """x * y."""
    return x * y


@primitive("cdiv", sets={"arith"})
def cdiv(x: int, y: int) -> int:
    """Division rounded up: ceil(x / y); undefined for y = 0."""
    if y == 0:
        raise PrimitiveError("cdiv", (x, y), "division by zero")
    return -(-x // y)
