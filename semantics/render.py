"""Human renderings of programs: sympy's form where numeric, an s-expression otherwise.

A recursive program is shown as math only through a verified native equivalence (a
learned recursive ``+`` is shown as ``x + y`` once :mod:`semantics.verify` confirmed it).
"""

from __future__ import annotations

import sympy

from nsr.types import INT, Arrow, DslType
from semantics.library import Library
from semantics.native import NATIVE
from semantics.program import App, Arg, Const, Fix, Invented, Lambda, Prim, Program

_NAMES = "xyzwuv"


def arg_symbols(arity: int) -> list[sympy.Symbol]:
    names = _NAMES if arity <= len(_NAMES) else [f"x{i}" for i in range(arity)]
    return [sympy.Symbol(names[i], integer=True, nonnegative=True) for i in range(arity)]


def to_sympy(program: Program, library: Library | None = None,
             native: str | None = None) -> sympy.Expr | None:
    """The program as a sympy expression in x, y, ... or ``None`` if it is not numeric.

    Args:
        program: a numeric program (``lambda`` or plain value) over naturals.
        library: invented primitives; those with a verified native form render as math.
        native: a verified native equivalent of ``program`` itself, if known.
    """
    library = library or Library()
    arity = program.arity if isinstance(program, (Lambda, Fix)) else 0
    xs = arg_symbols(arity)
    if native is not None:
        return NATIVE[native].sympy_form(*xs)
    if isinstance(program, Fix):
        return None
    body = program.body if isinstance(program, Lambda) else program
    try:
        return _expr(body, xs, library)
    except _NotNumeric:
        return None


class _NotNumeric(Exception):
    pass


def _expr(p: Program, xs: list, library: Library) -> sympy.Expr:
    if isinstance(p, Arg):
        return xs[p.index]
    if isinstance(p, Const) and isinstance(p.value, int):
        return sympy.Integer(p.value)
    if isinstance(p, Prim) and p.name == "zero":
        return sympy.Integer(0)
    if isinstance(p, App):
        args = [_expr(a, xs, library) for a in p.args]
        head = p.head
        if isinstance(head, Prim):
            if head.name == "inc":
                return args[0] + 1
            if head.name == "dec":
                return sympy.Max(args[0] - 1, 0)
            if head.name == "if0":
                return sympy.Piecewise((args[1], sympy.Eq(args[0], 0)), (args[2], True))
            if head.name in NATIVE:
                return NATIVE[head.name].sympy_form(*args)
            return _uninterpreted(head.name, args)
        if isinstance(head, Invented):
            inv = library.items.get(head.name)
            if inv is not None and inv.native is not None:
                return NATIVE[inv.native].sympy_form(*args)
            if inv is not None and isinstance(inv.program, Lambda):
                inner = _expr(inv.program.body, args, library)
                return inner
    raise _NotNumeric()


def _uninterpreted(name: str, args: list) -> sympy.Expr:
    """Any other primitive (a user's ``mod``, say) as a named function: ``mod(x, y)``."""
    try:
        return sympy.Function(name)(*args)
    except Exception as exc:  # sympy refuses some names; then the s-expression stands
        raise _NotNumeric() from exc


def is_numeric(typ: DslType) -> bool:
    if isinstance(typ, Arrow):
        return typ.result == INT and all(a == INT for a in typ.args)
    return typ == INT


def render(program: Program, typ: DslType | None = None, library: Library | None = None,
           native: str | None = None) -> str:
    """``x + y`` style math for numeric programs where possible, else the s-expression."""
    if typ is None or is_numeric(typ):
        expr = to_sympy(program, library, native)
        if expr is not None:
            return str(sympy.simplify(expr))
    return str(program)
