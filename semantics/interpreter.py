"""Evaluation of programs under a step budget, without Python recursion.

The machine keeps its own work and value stacks, so a recursion through ``fix`` may be
as deep as the budget allows (``+`` on 5000 + 5000 by counting down) and never raises a
Python ``RecursionError``. Running out of steps, time or memory (a list longer than
``max_list`` tokens, a number wider than ``max_int_bits`` bits) raises
:class:`BudgetExceeded`; a primitive that raises becomes a :class:`PrimitiveError`
naming the primitive and its arguments. An invented primitive verified equivalent to a
native operation runs natively (see :mod:`semantics.native`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from nsr.errors import BudgetExceeded, PrimitiveError
from nsr.registry import Primitive, Registry
from nsr.types import Value, type_of_value
from semantics.library import Library
from semantics.native import NATIVE
from semantics.program import App, Arg, Const, Fix, Invented, Lambda, Prim, Program, Recur


@dataclass(frozen=True)
class Budget:
    """Limits of one execution: steps, wall-clock seconds, the longest list built and
    the widest number built (a recursion that squares its result would otherwise fill
    memory in a few dozen steps)."""

    steps: int = 20_000_000
    seconds: float = 60.0
    max_list: int = 1_000_000
    max_int_bits: int = 100_000


DEFAULT_BUDGET = Budget()

_EVAL, _CALL, _BRANCH = 0, 1, 2


class _Deferred:
    """What a lazy argument's thunk returns: the expression, to run in tail position."""

    __slots__ = ("expr",)

    def __init__(self, expr: Program) -> None:
        self.expr = expr


class Interpreter:
    """Runs programs over a registry and a library of invented primitives."""

    def __init__(self, registry: Registry, library: Library | None = None, *,
                 budget: Budget = DEFAULT_BUDGET, native: bool = True) -> None:
        self.registry = registry
        self.library = library if library is not None else Library()
        self.budget = budget
        self.native = native
        self._prims: dict[str, Primitive] = {}

    def run(self, program: Program, args: Sequence[Value] = ()) -> Value:
        """Apply ``program`` to ``args`` (a plain value when it takes none)."""
        steps_left = self.budget.steps
        deadline = time.monotonic() + self.budget.seconds
        work: list[tuple] = []
        values: list[Value] = []
        self._push_apply(program, tuple(args), work, values)
        while work:
            steps_left -= 1
            if steps_left & 0x3FFF == 0:
                if steps_left <= 0:
                    raise BudgetExceeded(f"step budget of {self.budget.steps} steps exceeded "
                                         f"running {program}")
                if time.monotonic() > deadline:
                    raise BudgetExceeded(f"time budget of {self.budget.seconds} s exceeded "
                                         f"running {program}")
            item = work.pop()
            op = item[0]
            if op == _EVAL:
                self._eval(item[1], item[2], item[3], work, values)
            elif op == _CALL:
                _, head, n, fix = item
                call_args = tuple(values[len(values) - n:]) if n else ()
                if n:
                    del values[len(values) - n:]
                self._call(head, call_args, fix, work, values)
            else:  # _BRANCH: a lazy primitive's strict arguments are on the value stack
                _, prim, lazy_args, env, fix = item
                self._branch(prim, lazy_args, env, fix, work, values)
        if steps_left <= 0:
            raise BudgetExceeded(f"step budget of {self.budget.steps} steps exceeded "
                                 f"running {program}")
        assert len(values) == 1
        return values[0]

    def _push_apply(self, fn: Program, args: tuple, work: list, values: list) -> None:
        if isinstance(fn, (Lambda, Fix)):
            if len(args) != fn.arity:
                raise PrimitiveError(str(fn), args, f"expects {fn.arity} argument(s)")
            work.append((_EVAL, fn.body, args, fn if isinstance(fn, Fix) else None))
        elif args:
            for a in args:
                values.append(a)
            work.append((_CALL, fn, len(args), None))
        else:
            work.append((_EVAL, fn, (), None))

    def _eval(self, p: Program, env: tuple, fix: Fix | None, work: list, values: list) -> None:
        if isinstance(p, Arg):
            values.append(env[p.index])
        elif isinstance(p, Const):
            values.append(p.value)
        elif isinstance(p, App):
            head = p.head
            if isinstance(head, Prim):
                prim = self._prim(head.name)
                if any(prim.lazy):
                    strict = [a for a, lz in zip(p.args, prim.lazy) if not lz]
                    work.append((_BRANCH, prim, p.args, env, fix))
                    for a in reversed(strict):
                        work.append((_EVAL, a, env, fix))
                    return
            work.append((_CALL, head, len(p.args), fix))
            for a in reversed(p.args):
                work.append((_EVAL, a, env, fix))
        elif isinstance(p, (Prim, Invented)):
            self._call(p, (), fix, work, values)
        elif isinstance(p, (Lambda, Fix, Recur)):
            raise PrimitiveError(str(p), (), "a function used as a value")
        else:
            raise TypeError(f"not a program: {p!r}")

    def _call(self, head: Program, args: tuple, fix: Fix | None, work: list,
              values: list) -> None:
        if isinstance(head, Prim):
            values.append(self._apply_prim(self._prim(head.name), args))
        elif isinstance(head, Recur):
            if fix is None:
                raise PrimitiveError("recur", args, "recur outside a fix")
            work.append((_EVAL, fix.body, args, fix))
        elif isinstance(head, Invented):
            inv = self.library.get(head.name)
            if self.native and inv.native is not None:
                values.append(self._sized(head.name, args, NATIVE[inv.native].call(args)))
            else:
                self._push_apply(inv.program, args, work, values)
        elif isinstance(head, (Lambda, Fix)):
            self._push_apply(head, args, work, values)
        else:
            raise PrimitiveError(str(head), args, "not a function")

    def _branch(self, prim: Primitive, lazy_args: tuple, env: tuple, fix: Fix | None,
                work: list, values: list) -> None:
        n_strict = sum(1 for lz in prim.lazy if not lz)
        strict = values[len(values) - n_strict:] if n_strict else []
        if n_strict:
            del values[len(values) - n_strict:]
        it = iter(strict)
        call_args = [(lambda e=a: _Deferred(e)) if lz else next(it)
                     for a, lz in zip(lazy_args, prim.lazy)]
        out = self._invoke(prim, tuple(call_args))
        if isinstance(out, _Deferred):
            work.append((_EVAL, out.expr, env, fix))
        else:
            values.append(self._checked(prim, tuple(call_args), out))

    def _prim(self, name: str) -> Primitive:
        prim = self._prims.get(name)
        if prim is None:
            prim = self._prims[name] = self.registry.get(name)
        return prim

    def _apply_prim(self, prim: Primitive, args: tuple) -> Value:
        return self._checked(prim, args, self._invoke(prim, args))

    def _invoke(self, prim: Primitive, args: tuple):
        if prim.fn is None:
            raise PrimitiveError(prim.name, args, "a special form cannot be called")
        try:
            return prim.fn(*args)
        except PrimitiveError:
            raise
        except Exception as exc:  # a user's primitive may raise anything
            raise PrimitiveError(prim.name, args, f"raised {type(exc).__name__}: {exc}") from exc

    def _checked(self, prim: Primitive, args: tuple, out: object) -> Value:
        try:
            got = type_of_value(out)  # type: ignore[arg-type]
        except TypeError:
            got = None
        if got != prim.result:
            raise PrimitiveError(prim.name, args, f"returned {out!r}, not a {prim.result}")
        return self._sized(prim.name, args, out)  # type: ignore[arg-type]

    def _sized(self, name: str, args: tuple, out: Value) -> Value:
        if isinstance(out, tuple) and len(out) > self.budget.max_list:
            raise BudgetExceeded(f"memory budget: {name} built a list of {len(out)} "
                                 f"tokens (limit {self.budget.max_list})")
        if type(out) is int and out.bit_length() > self.budget.max_int_bits:
            raise BudgetExceeded(f"memory budget: {name} built a number of "
                                 f"{out.bit_length()} bits (limit {self.budget.max_int_bits})")
        return out
