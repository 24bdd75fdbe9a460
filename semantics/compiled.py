"""Compiling recursion-free programs into Python closures, for fast repeated calls.

A program without ``fix`` has a fixed, small depth, so nested closures cannot recurse
deeply; programs with ``fix`` (or invented primitives built on one, unless they have a
verified native fast path) run on the budgeted :class:`~semantics.interpreter.Interpreter`.
"""

from __future__ import annotations

from collections.abc import Callable

from nsr.errors import BudgetExceeded, PrimitiveError
from nsr.registry import Registry
from nsr.types import BOOL, INT, LIST, TOK, Value
from semantics.interpreter import Interpreter
from semantics.library import Library
from semantics.native import NATIVE
from semantics.program import App, Arg, Const, Fix, Invented, Lambda, Prim, Program, Recur

Env = tuple
_TYPE_OF = {int: INT, str: TOK, tuple: LIST, bool: BOOL}
Compiled = Callable[[Env], Value]


def compile_function(program: Program, registry: Registry, library: Library,
                     interpreter: Interpreter | None = None) -> Callable[..., Value]:
    """A Python callable ``f(*args)`` computing ``program`` applied to ``args``.

    Errors surface as :class:`PrimitiveError` or :class:`BudgetExceeded`.
    """
    interp = interpreter or Interpreter(registry, library)
    if isinstance(program, Fix) or _needs_machine(program, library):
        return lambda *args: interp.run(program, args)
    body = program.body if isinstance(program, Lambda) else program
    code = _compile(body, registry, library, interp)
    return lambda *args: code(args)


def _needs_machine(p: Program, library: Library) -> bool:
    if isinstance(p, (Fix, Recur)):
        return True
    if isinstance(p, App):
        return _needs_machine(p.head, library) or any(_needs_machine(a, library)
                                                      for a in p.args)
    if isinstance(p, Lambda):
        return _needs_machine(p.body, library)
    return False


def _compile(p: Program, reg: Registry, lib: Library, interp: Interpreter) -> Compiled:
    if isinstance(p, Arg):
        i = p.index
        return lambda env: env[i]
    if isinstance(p, Const):
        v = p.value
        return lambda env: v
    if isinstance(p, (Prim, Invented)):
        fn = _function(p, reg, lib, interp)
        return lambda env: fn()
    assert isinstance(p, App), p
    fn = _function(p.head, reg, lib, interp)
    parts = [_compile(a, reg, lib, interp) for a in p.args]
    lazy = reg.get(p.head.name).lazy if isinstance(p.head, Prim) else ()
    if any(lazy):
        def run_lazy(env: Env) -> Value:
            args = [(lambda c=c: c(env)) if lz else c(env) for c, lz in zip(parts, lazy)]
            return fn(*args)
        return run_lazy
    if len(parts) == 1:
        a0 = parts[0]
        return lambda env: fn(a0(env))
    if len(parts) == 2:
        a0, a1 = parts
        return lambda env: fn(a0(env), a1(env))
    return lambda env: fn(*[c(env) for c in parts])


def _function(head: Program, reg: Registry, lib: Library,
              interp: Interpreter) -> Callable[..., Value]:
    if isinstance(head, Prim):
        prim = reg.get(head.name)
        raw = prim.fn
        if raw is None:
            raise PrimitiveError(prim.name, (), "a special form cannot be called")
        name, result = prim.name, prim.result
        limit = interp.budget.max_list

        def call(*args: Value) -> Value:
            try:
                out = raw(*args)
            except (PrimitiveError, BudgetExceeded):
                raise
            except Exception as exc:
                raise PrimitiveError(name, args, f"raised {type(exc).__name__}: {exc}") from exc
            if _TYPE_OF.get(type(out)) is not result:
                raise PrimitiveError(name, args, f"returned {out!r}, not a {result}")
            if type(out) is tuple and len(out) > limit:
                raise BudgetExceeded(f"memory budget: {name} built a list of {len(out)} "
                                     f"tokens (limit {limit})")
            return out
        return call
    if isinstance(head, Invented):
        inv = lib.get(head.name)
        if inv.native is not None and interp.native:
            return lambda *args: NATIVE[inv.native].call(args)
        return compile_function(inv.program, reg, lib, interp)
    if isinstance(head, (Lambda, Fix)):
        return compile_function(head, reg, lib, interp)
    raise PrimitiveError(str(head), (), "not a function")
