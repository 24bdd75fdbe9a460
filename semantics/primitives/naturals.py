"""Natural-number primitives (set ``nat``): zero, successor, floored predecessor,
a lazy zero test and the fixed-point form from which HINT's arithmetic is induced."""

from __future__ import annotations

from nsr.registry import primitive
from nsr.types import INT, Arrow, Lazy


@primitive("zero", sets={"nat"})
def zero() -> int:
    """The number 0."""
    return 0


@primitive("inc", sets={"nat"})
def inc(n: int) -> int:
    """Successor: n + 1."""
    return n + 1


@primitive("dec", sets={"nat"})
def dec(n: int) -> int:
    """Predecessor floored at 0: max(0, n - 1)."""
    return n - 1 if n > 0 else 0


@primitive("if0", sets={"nat"})
def if0(n: int, then: Lazy[int], otherwise: Lazy[int]) -> int:
    """``then`` when n is 0, else ``otherwise``; only the branch taken is evaluated."""
    return then() if n == 0 else otherwise()


_SELF = Arrow((INT, INT), INT)


@primitive("fix", sets={"nat"}, special_type=Arrow((Arrow((_SELF,), _SELF),), _SELF))
def fix() -> None:
    """Fixed point: ``(fix K BODY)`` is the K-ary function whose BODY calls itself as
    ``(recur ...)``. A special form evaluated by the interpreter without a call cap."""
