"""Native operations an induced program may be verified equivalent to.

Each entry is a Python function plus its sympy form. When an invented primitive agrees
with one on every verification input (see :func:`verify_native`), the interpreter runs
the native function instead (a fast path), and renderings show the sympy form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from nsr.errors import PrimitiveError
from nsr.types import INT, Arrow, DslType


@dataclass(frozen=True)
class NativeOp:
    name: str
    type: DslType
    fn: Callable[..., Any]
    sympy_form: Callable[..., Any]

    def call(self, args: Sequence[Any]) -> Any:
        try:
            return self.fn(*args)
        except ZeroDivisionError:
            raise PrimitiveError(self.name, tuple(args), "division by zero") from None


_II = Arrow((INT, INT), INT)
NATIVE: dict[str, NativeOp] = {op.name: op for op in (
    NativeOp("add", _II, lambda x, y: x + y, lambda x, y: x + y),
    NativeOp("monus", _II, lambda x, y: x - y if x > y else 0,
             lambda x, y: sympy.Max(x - y, 0)),
    NativeOp("mul", _II, lambda x, y: x * y, lambda x, y: x * y),
    NativeOp("cdiv", _II, lambda x, y: -(-x // y), lambda x, y: sympy.ceiling(x / y)),
    NativeOp("max", _II, max, sympy.Max),
    NativeOp("min", _II, min, sympy.Min),
)}


def verification_inputs(arity: int, *, limit: int = 40) -> list[tuple[int, ...]]:
    """All argument tuples of naturals below a bound (a grid small enough to run)."""
    if arity == 1:
        return [(x,) for x in range(limit * limit)]
    if arity == 2:
        return [(x, y) for x in range(limit) for y in range(limit)]
    return []


def verify_native(run: Callable[[tuple[int, ...]], Any], typ: DslType) -> str | None:
    """The name of the native operation that ``run`` agrees with on the grid, if any.

    ``run`` evaluates the candidate on one argument tuple and may raise
    :class:`PrimitiveError` where it is undefined. Inputs outside the native operation's
    domain (a zero divisor) are not compared: there the fast path raises a clear error.
    The candidate runs only while some operation still agrees with it, so a program
    that loops or explodes costs one or two budgeted runs, not one per grid input.
    """
    if not isinstance(typ, Arrow) or typ.result != INT or any(a != INT for a in typ.args):
        return None
    alive = [op for op in NATIVE.values() if op.type == typ]
    for args in verification_inputs(len(typ.args)) if alive else ():
        try:
            out = run(args)
        except Exception:  # PrimitiveError, BudgetExceeded or anything a primitive raised
            out = None
        alive = [op for op in alive if _agrees(op, args, out)]
        if not alive:
            return None
    return alive[0].name if alive else None


def _agrees(op: NativeOp, args: tuple[int, ...], out: Any) -> bool:
    try:
        return op.fn(*args) == out
    except ZeroDivisionError:
        return True  # outside the native operation's domain: nothing to compare
