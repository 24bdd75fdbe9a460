"""Type checking of programs by first-order unification over the DSL's base types.

Primitives are monomorphic; only the parameters of ``lambda`` and ``fix`` start as
unknowns and are fixed by how the body uses them. An ill-typed program raises
:class:`TypeCheckError` with the reason and the offending subterm.
"""

from __future__ import annotations

from dataclasses import dataclass

from nsr.errors import RegistryError, TypeCheckError
from nsr.registry import Registry
from nsr.types import Arrow, BaseType, DslType, type_of_value
from semantics.library import Library
from semantics.program import App, Arg, Const, Fix, Invented, Lambda, Prim, Program, Recur


@dataclass(frozen=True)
class _Var:
    id: int

    def __str__(self) -> str:
        return f"t{self.id}"


_Term = BaseType | Arrow | _Var


class _Unifier:
    def __init__(self) -> None:
        self.subst: dict[int, _Term] = {}
        self.count = 0

    def fresh(self) -> _Var:
        self.count += 1
        return _Var(self.count)

    def resolve(self, t: _Term) -> _Term:
        while isinstance(t, _Var) and t.id in self.subst:
            t = self.subst[t.id]
        if isinstance(t, Arrow):
            return Arrow(tuple(self.resolve(a) for a in t.args), self.resolve(t.result))
        return t

    def unify(self, a: _Term, b: _Term, where: Program, what: str) -> None:
        a, b = self.resolve(a), self.resolve(b)
        if a == b:
            return
        if isinstance(a, _Var):
            self.subst[a.id] = b
        elif isinstance(b, _Var):
            self.subst[b.id] = a
        elif isinstance(a, Arrow) and isinstance(b, Arrow) and len(a.args) == len(b.args):
            for x, y in zip(a.args, b.args):
                self.unify(x, y, where, what)
            self.unify(a.result, b.result, where, what)
        else:
            raise TypeCheckError(f"{what} has type {_show(b)} but {_show(a)} is required, "
                                 f"in {where}")


def _show(t: _Term) -> str:
    return "a function" if isinstance(t, Arrow) and not t.args else str(t)


def infer_type(program: Program, registry: Registry, library: Library | None = None,
               expected: DslType | None = None) -> DslType:
    """The type of ``program``; raises :class:`TypeCheckError` if it is ill-typed.

    Args:
        program: the program to check.
        registry: where primitive names are looked up.
        library: invented primitives (``@name``) it may use.
        expected: if given, the program must have this type.
    """
    u = _Unifier()
    t = _infer(program, (), None, u, registry, library or Library(), top=True)
    if expected is not None:
        u.unify(expected, t, program, "the program")
    resolved = u.resolve(t)
    return resolved  # type: ignore[return-value]


def _infer(p: Program, env: tuple[_Term, ...], self_t: Arrow | None, u: _Unifier,
           reg: Registry, lib: Library, top: bool = False) -> _Term:
    if isinstance(p, Arg):
        if p.index >= len(env):
            raise TypeCheckError(f"{p} is out of scope: only {len(env)} argument(s) bound")
        return env[p.index]
    if isinstance(p, Prim):
        try:
            return reg.get(p.name).type
        except RegistryError as exc:
            raise TypeCheckError(str(exc)) from None
    if isinstance(p, Invented):
        try:
            return lib.get(p.name).type
        except RegistryError as exc:
            raise TypeCheckError(str(exc)) from None
    if isinstance(p, Const):
        if isinstance(p.value, int) and p.value < 0:
            raise TypeCheckError(f"constant {p} is negative: naturals only")
        return type_of_value(p.value)
    if isinstance(p, Recur):
        if self_t is None:
            raise TypeCheckError("recur used outside a fix")
        return self_t
    if isinstance(p, (Lambda, Fix)):
        if not top:
            raise TypeCheckError(f"{'lambda' if isinstance(p, Lambda) else 'fix'} is only "
                                 f"allowed at the top of a program or as a head, in {p}")
        params = tuple(u.fresh() for _ in range(p.arity))
        result = u.fresh()
        fn_t = Arrow(params, result)
        body_t = _infer(p.body, params, fn_t if isinstance(p, Fix) else None, u, reg, lib)
        if isinstance(u.resolve(body_t), Arrow):
            raise TypeCheckError(f"the body of {p} is a function, not a value")
        u.unify(result, body_t, p, "the body")
        return fn_t
    assert isinstance(p, App)
    head_t = u.resolve(_infer(p.head, env, self_t, u, reg, lib, top=True))
    if not isinstance(head_t, Arrow):
        raise TypeCheckError(f"{p.head} is not a function but is applied, in {p}")
    if len(head_t.args) != len(p.args):
        raise TypeCheckError(f"{p.head} takes {len(head_t.args)} argument(s) but is given "
                             f"{len(p.args)}, in {p}")
    for k, (want, arg) in enumerate(zip(head_t.args, p.args)):
        got = _infer(arg, env, self_t, u, reg, lib)
        if isinstance(u.resolve(got), Arrow):
            raise TypeCheckError(f"argument {k + 1} of {p.head} is a function ({arg}); "
                                 f"only values may be passed, in {p}")
        u.unify(want, got, p, f"argument {k + 1} of {p.head} ({arg})")
    return head_t.result
