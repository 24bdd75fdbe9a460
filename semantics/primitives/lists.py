"""Token-list primitives (set ``list``): enough to express SCAN and PCFG SET meanings."""

from __future__ import annotations

from nsr.errors import PrimitiveError
from nsr.registry import primitive
from nsr.types import Tokens


@primitive("empty", sets={"list"})
def empty() -> Tokens:
    """The empty list."""
    return ()


@primitive("singleton", sets={"list"})
def singleton(t: str) -> Tokens:
    """A list of one token."""
    return (t,)


@primitive("cons", sets={"list"})
def cons(t: str, xs: Tokens) -> Tokens:
    """Prepend a token."""
    return (t, *xs)


@primitive("car", sets={"list"})
def car(xs: Tokens) -> str:
    """The first token; undefined on the empty list."""
    if not xs:
        raise PrimitiveError("car", (xs,), "empty list")
    return xs[0]


@primitive("cdr", sets={"list"})
def cdr(xs: Tokens) -> Tokens:
    """All but the first token; undefined on the empty list."""
    if not xs:
        raise PrimitiveError("cdr", (xs,), "empty list")
    return xs[1:]


@primitive("last", sets={"list"})
def last(xs: Tokens) -> str:
    """The last token; undefined on the empty list."""
    if not xs:
        raise PrimitiveError("last", (xs,), "empty list")
    return xs[-1]


@primitive("init", sets={"list"})
def init(xs: Tokens) -> Tokens:
    """All but the last token; undefined on the empty list."""
    if not xs:
        raise PrimitiveError("init", (xs,), "empty list")
    return xs[:-1]


@primitive("concat", sets={"list"})
def concat(xs: Tokens, ys: Tokens) -> Tokens:
    """Concatenation."""
    return xs + ys


@primitive("reverse", sets={"list"})
def reverse(xs: Tokens) -> Tokens:
    """The list backwards."""
    return xs[::-1]
