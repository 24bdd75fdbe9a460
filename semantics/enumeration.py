"""Bottom-up enumeration of programs by size, with observational-equivalence pruning.

Terms are built over variables (a symbol's arguments), constants and primitives. Each
term is kept with its *value vector*: its value on every example environment (``ERR``
where it is undefined). Two terms with the same vector are interchangeable on these
examples, so only the smallest is kept; this is what keeps the search small.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from nsr.errors import BudgetExceeded
from nsr.types import Arrow, BaseType, Value
from semantics.program import App, Arg, Const, Invented, Prim, Program

ERR = object()
"""Marks an example on which a term is undefined."""

MAX_LIST = 2_000
MAX_INT_BITS = 4_096
"""Values a term may take while enumerating: longer lists and wider numbers are
undefined (the interpreter's budget, :class:`semantics.interpreter.Budget`, bounds
evaluation the same way; a term that squares its argument a few times over would
otherwise fill memory)."""


@dataclass(frozen=True)
class Component:
    """A building block: a primitive, an invented primitive or a constant."""

    program: Program
    args: tuple[BaseType, ...]
    result: BaseType
    fn: Callable[..., Value] | None
    lazy: tuple[bool, ...] = ()


@dataclass
class Entry:
    program: Program
    vec: tuple
    _thunks: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def thunks(self) -> tuple:
        """The vector as zero-argument functions, for lazy argument positions (made
        once per term, not once per use)."""
        if self._thunks is None:
            self._thunks = _as_thunks(self.vec)
        return self._thunks


class Enumerator:
    """Grows banks of observationally distinct terms, one size at a time.

    Args:
        var_types: the type of each variable ``$i``.
        envs: one tuple of variable values per example.
        components: primitives, invented primitives and constants (arity-0 ones are leaves).
        deadline: ``time.monotonic()`` value after which :class:`BudgetExceeded` is raised.
    """

    def __init__(self, var_types: Sequence[BaseType], envs: Sequence[tuple],
                 components: Sequence[Component], deadline: float) -> None:
        self.envs = list(envs)
        self.deadline = deadline
        self.size = 0
        self.banks: dict[BaseType, dict[int, list[Entry]]] = {}
        self.seen: dict[BaseType, set[tuple]] = {}
        self.functions = [c for c in components if c.args]
        self.leaves: list[tuple[Program, BaseType, tuple]] = []
        for i, t in enumerate(var_types):
            self.leaves.append((Arg(i), t, tuple(env[i] for env in self.envs)))
        for c in components:
            if not c.args:
                value = c.fn() if c.fn is not None else c.program.value  # type: ignore[union-attr]
                self.leaves.append((c.program, c.result, (value,) * len(self.envs)))
        self.count = 0

    def bank(self, t: BaseType, size: int) -> list[Entry]:
        return self.banks.get(t, {}).get(size, [])

    def _add(self, t: BaseType, size: int, program: Program, vec: tuple) -> Entry | None:
        seen = self.seen.setdefault(t, set())
        if vec in seen:
            return None
        seen.add(vec)
        entry = Entry(program, vec)
        self.banks.setdefault(t, {}).setdefault(size, []).append(entry)
        return entry

    def grow(self) -> Iterator[tuple[BaseType, Entry]]:
        """Enumerate the next size; yields each new (type, entry)."""
        self.size += 1
        s = self.size
        if s == 1:
            for program, t, vec in self.leaves:
                if all(v is ERR for v in vec):
                    continue
                entry = self._add(t, 1, program, vec)
                if entry is not None:
                    yield t, entry
            return
        for comp in self.functions:
            m = len(comp.args)
            lazy = comp.lazy if any(comp.lazy) else ()
            for sizes in _compositions(s - 1, m):
                pools = [self.bank(t, k) for t, k in zip(comp.args, sizes)]
                if any(not p for p in pools):
                    continue
                for args in itertools.product(*pools):
                    self.count += 1
                    if self.count & 0x3FF == 0 and time.monotonic() > self.deadline:
                        raise BudgetExceeded("program search ran out of its time budget")
                    vec = _apply(comp, [a.vec for a in args],
                                 [a.thunks if lz else None for a, lz in zip(args, lazy)]
                                 if lazy else None)
                    if vec is None:
                        continue
                    program = App(comp.program, tuple(a.program for a in args))
                    entry = self._add(comp.result, s, program, vec)
                    if entry is not None:
                        yield comp.result, entry


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        if total >= 1:
            yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _as_thunks(vec: tuple) -> tuple:
    return tuple((lambda v=v: v) for v in vec)


def _apply(comp: Component, arg_vecs: list[tuple],
           arg_thunks: list[tuple | None] | None = None) -> tuple | None:
    """The component's value on every example (``ERR`` where undefined), or ``None``
    where it is undefined on all. A lazy argument is passed as a thunk (``arg_thunks``,
    made here if not given) and is undefined only if the function forces it."""
    fn = comp.fn
    assert fn is not None
    lazy = comp.lazy
    if lazy and any(lazy):
        if arg_thunks is None:
            arg_thunks = [None] * len(arg_vecs)
        calls = [(t if t is not None else _as_thunks(v)) if lz else v
                 for v, t, lz in zip(arg_vecs, arg_thunks, lazy)]
        strict_vecs = [v for v, lz in zip(arg_vecs, lazy) if not lz]
        checked = zip(*strict_vecs) if strict_vecs else itertools.repeat(())
        rows = zip(checked, zip(*calls))
    else:
        rows = ((vals, vals) for vals in zip(*arg_vecs))
    out = []
    defined = False
    for strict, vals in rows:
        if ERR in strict:
            out.append(ERR)
            continue
        try:
            r = fn(*vals)
        except Exception:
            r = ERR
        if r is ERR:
            pass
        elif type(r) is int:
            if r.bit_length() > MAX_INT_BITS:
                r = ERR
            else:
                defined = True
        elif isinstance(r, tuple) and len(r) > MAX_LIST:
            r = ERR
        else:
            defined = True
        out.append(r)
    return tuple(out) if defined else None


def component_for_primitive(prim, program: Program | None = None) -> Component | None:
    """A :class:`Component` for a registered primitive (``None`` for special forms)."""
    if prim.special or prim.fn is None:
        return None
    args = prim.type.args if isinstance(prim.type, Arrow) else ()
    return Component(program or Prim(prim.name), tuple(args), prim.result, prim.fn,
                     prim.lazy)


def constant_component(value: Value) -> Component:
    from nsr.types import type_of_value

    return Component(Const(value), (), type_of_value(value), None)


def invented_component(name: str, typ: Arrow | BaseType,
                       fn: Callable[..., Value]) -> Component:
    args = typ.args if isinstance(typ, Arrow) else ()
    result = typ.result if isinstance(typ, Arrow) else typ
    return Component(Invented(name), tuple(args), result, fn)  # type: ignore[arg-type]
