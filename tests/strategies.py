"""Shared hypothesis strategies: tokens, naturals, and programs of the DSL.

Well-typed programs are built with ``st.recursive`` (thinc's pattern) from the
registry's own primitive types, so whatever the registry says a primitive takes and
returns is what the generated terms feed it; a child of the wrong type is coerced by a
unary primitive (``car`` turns a list into a token) or replaced by a leaf. Arbitrary
programs ignore types and only respect the text format, for print/parse round trips.
Ill-typed programs are well-typed ones with one known defect, paired with a fragment
the type checker's message must contain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from nsr.registry import Registry
from nsr.types import INT, LIST, TOK, Arrow, BaseType, DslType
from semantics.library import InventedPrimitive, Library
from semantics.program import (
    RESERVED,
    App,
    Arg,
    Const,
    Fix,
    Invented,
    Lambda,
    Prim,
    Program,
    Recur,
    parse_program,
)

ACTIONS = ("I_WALK", "I_LOOK", "I_RUN", "I_JUMP", "I_TURN_LEFT", "I_TURN_RIGHT")
RECURSIVE_ADD = "(fix 2 (if0 $1 $0 (inc (recur $0 (dec $1)))))"

# ---------------------------------------------------------------- values

_TOKEN_CHARS = st.characters(
    blacklist_categories=("Z", "C"), blacklist_characters="'()"
)


def tokens() -> st.SearchStrategy[str]:
    """Tokens that program text can hold as ``'TOKEN'``: no space, quote or paren."""
    return st.one_of(
        st.sampled_from(ACTIONS), st.text(_TOKEN_CHARS, min_size=1, max_size=6)
    )


def token_lists(
    min_size: int = 0, max_size: int = 8
) -> st.SearchStrategy[tuple[str, ...]]:
    """Token lists (values of type ``list``), mostly of SCAN's action words."""
    return st.lists(tokens(), min_size=min_size, max_size=max_size).map(tuple)


def naturals(max_value: int = 30) -> st.SearchStrategy[int]:
    """Naturals from 0 (the ``int`` type's values)."""
    return st.integers(min_value=0, max_value=max_value)


def values_of(t: BaseType, *, max_nat: int = 30) -> st.SearchStrategy:
    """Runtime values of a DSL base type."""
    if t == INT:
        return naturals(max_nat)
    if t == TOK:
        return tokens()
    if t == LIST:
        return token_lists()
    if t.name == "bool":
        return st.booleans()
    raise ValueError(f"no strategy for values of {t}")


def inputs_for(
    arg_types: Sequence[BaseType], *, max_nat: int = 30
) -> st.SearchStrategy:
    """One argument tuple for a function of ``arg_types``."""
    return st.tuples(*(values_of(t, max_nat=max_nat) for t in arg_types))


# ---------------------------------------------------------------- libraries


def nat_library(registry: Registry, *, native: bool = False) -> Library:
    """A library holding ``@add``, the recursive addition (verified native if asked)."""
    from semantics.typecheck import infer_type

    program = parse_program(RECURSIVE_ADD)
    lib = Library()
    lib.add(
        InventedPrimitive(
            "add", program, infer_type(program, registry), "add" if native else None
        )
    )
    return lib


def list_library(registry: Registry) -> Library:
    """A library holding ``@twice`` = ``(lambda 1 (concat $0 $0))``."""
    from semantics.typecheck import infer_type

    program = parse_program("(lambda 1 (concat $0 $0))")
    lib = Library()
    lib.add(InventedPrimitive("twice", program, infer_type(program, registry)))
    return lib


# ---------------------------------------------------------------- well-typed programs


@dataclass(frozen=True)
class TypedProgram:
    """A generated program with the type it was built to have."""

    program: Program
    type: DslType
    arg_types: tuple[BaseType, ...]

    @property
    def result(self) -> BaseType:
        t = self.type.result if isinstance(self.type, Arrow) else self.type
        assert isinstance(t, BaseType)
        return t


@dataclass(frozen=True)
class _Grammar:
    """What terms are built from: function heads, nullary leaves, the types in play."""

    funcs: tuple[tuple[Program, tuple[BaseType, ...], BaseType], ...]
    nullary: tuple[tuple[Program, BaseType], ...]
    types: tuple[BaseType, ...]

    def unary(self, src: BaseType, dst: BaseType) -> list[Program]:
        return [h for h, args, r in self.funcs if args == (src,) and r == dst]


def _grammar(registry: Registry, prim_set: str, library: Library | None) -> _Grammar:
    funcs, nullary = [], []
    entries = [
        (Prim(p.name), p.type) for p in registry.in_sets([prim_set]) if not p.special
    ]
    entries += [(Invented(i.name), i.type) for i in (library or Library())]
    for head, typ in entries:
        if isinstance(typ, Arrow):
            funcs.append((head, tuple(typ.args), typ.result))
        else:
            nullary.append((head, typ))
    types = {t for _, args, r in funcs for t in (*args, r)} | {t for _, t in nullary}
    return _Grammar(tuple(funcs), tuple(nullary), tuple(sorted(types, key=str)))


def _leaf(g: _Grammar, env: tuple[BaseType, ...], t: BaseType) -> st.SearchStrategy:
    options: list[st.SearchStrategy] = [
        st.just(Arg(i)) for i, a in enumerate(env) if a == t
    ]
    options += [st.just(h) for h, ht in g.nullary if ht == t]
    if t == TOK:
        options.append(tokens().map(Const))
    if t == INT:
        options.append(naturals(5).map(Const))
    if not options:
        raise ValueError(f"no leaf of type {t}")
    return st.one_of(options).map(lambda p: (p, t))


def _terms(
    g: _Grammar, env: tuple[BaseType, ...], max_leaves: int, redexes: bool = True
) -> st.SearchStrategy[tuple[Program, BaseType]]:
    """(term, type) pairs over the arguments ``env``, grown with ``st.recursive``."""
    base = st.one_of([_leaf(g, env, t) for t in g.types])

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        @st.composite
        def fit(draw, t: BaseType) -> Program:
            program, ct = draw(children)
            if ct == t:
                return program
            wrappers = g.unary(ct, t)
            if wrappers:
                return App(draw(st.sampled_from(wrappers)), (program,))
            return draw(_leaf(g, env, t))[0]

        @st.composite
        def app(draw) -> tuple[Program, BaseType]:
            head, arg_types, result = draw(st.sampled_from(g.funcs))
            return App(head, tuple(draw(fit(t)) for t in arg_types)), result

        @st.composite
        def redex(draw) -> tuple[Program, BaseType]:
            arg, t = draw(children)
            body, bt = draw(_terms(g, (t,), 4, redexes=False))
            return App(Lambda(1, body), (arg,)), bt

        return st.one_of(app(), app(), app(), redex()) if redexes else app()

    return st.recursive(base, extend, max_leaves=max_leaves)


@st.composite
def well_typed_programs(
    draw,
    registry: Registry,
    prim_set: str,
    library: Library | None = None,
    *,
    max_arity: int = 2,
    max_leaves: int = 8,
) -> TypedProgram:
    """Programs over one primitive set (``list`` or ``nat``) that type-check.

    A program of arity K is ``(lambda K BODY)``; of arity 0, a plain value. Bodies may
    hold invented primitives from ``library`` and ``((lambda 1 B) x)`` redexes.
    """
    g = _grammar(registry, prim_set, library)
    arity = draw(st.integers(0, max_arity))
    env = tuple(draw(st.sampled_from(g.types)) for _ in range(arity))
    body, result = draw(_terms(g, env, max_leaves))
    if not arity:
        return TypedProgram(body, result, ())
    return TypedProgram(Lambda(arity, body), Arrow(env, result), env)


def substitute_arg(p: Program, index: int, replacement: Program) -> Program:
    """Replace ``$index`` by ``replacement`` (not inside nested binders)."""
    if isinstance(p, Arg) and p.index == index:
        return replacement
    if isinstance(p, App):
        head = (
            p.head
            if isinstance(p.head, (Lambda, Fix))
            else substitute_arg(p.head, index, replacement)
        )
        return App(head, tuple(substitute_arg(a, index, replacement) for a in p.args))
    return p


@st.composite
def recursive_nat_programs(
    draw,
    registry: Registry,
    library: Library | None = None,
    *,
    max_arity: int = 2,
    max_leaves: int = 6,
) -> TypedProgram:
    """Terminating recursions ``(fix K (if0 $i BASE STEP))`` over the ``nat`` set.

    STEP calls ``(recur ... (dec $i) ...)`` wherever its extra argument ``$K`` appears,
    so every call descends on argument i, which the ``if0`` guards.
    """
    g = _grammar(registry, "nat", library)
    arity = draw(st.integers(1, max_arity))
    i = draw(st.integers(0, arity - 1))
    env = (INT,) * arity
    base, _ = draw(_terms(g, env, max_leaves))
    step, _ = draw(_terms(g, env + (INT,), max_leaves))
    call = App(
        Recur(),
        tuple(App(Prim("dec"), (Arg(i),)) if j == i else Arg(j) for j in range(arity)),
    )
    body = App(Prim("if0"), (Arg(i), base, substitute_arg(step, arity, call)))
    return TypedProgram(Fix(arity, body), Arrow(env, INT), env)


# ---------------------------------------------------------------- ill-typed programs


def _slots(p: Program, scope: int, path: tuple[int, ...] = ()):
    """(path, scope size, expected slot head and index) for every App argument."""
    if isinstance(p, App):
        if isinstance(p.head, (Lambda, Fix)):
            yield from _slots(p.head.body, p.head.arity, path + (-1,))
        for k, a in enumerate(p.args):
            yield path + (k,), scope, p.head, k
            yield from _slots(a, scope, path + (k,))


def _replace(p: Program, path: tuple[int, ...], new: Program) -> Program:
    if not path:
        return new
    assert isinstance(p, App)
    k, rest = path[0], path[1:]
    if k == -1:
        head = p.head
        assert isinstance(head, (Lambda, Fix))
        return App(type(head)(head.arity, _replace(head.body, rest, new)), p.args)
    args = list(p.args)
    args[k] = _replace(args[k], rest, new)
    return App(p.head, tuple(args))


def _heads(p: Program, path: tuple[int, ...] = ()):
    """(path to the App, App) for every application with a primitive head."""
    if isinstance(p, App):
        if isinstance(p.head, Prim):
            yield path, p
        if isinstance(p.head, (Lambda, Fix)):
            yield from _heads(p.head.body, path + (-1,))
        for k, a in enumerate(p.args):
            yield from _heads(a, path + (k,))


_WRONG_CONST = {INT: Const("oops"), TOK: Const(7), LIST: Const(7)}


@st.composite
def ill_typed_programs(
    draw, registry: Registry, prim_set: str, library: Library | None = None
) -> tuple[Program, str, str]:
    """(program, defect, fragment of the expected TypeCheckError message).

    Defects: ``wrong-argument-type``, ``wrong-arity``, ``unknown-primitive``,
    ``recur-outside-fix``, ``out-of-scope``, ``unknown-invented``.
    """
    tp = draw(well_typed_programs(registry, prim_set, library, max_arity=2))
    arity = tp.program.arity if isinstance(tp.program, Lambda) else 0
    body = tp.program.body if isinstance(tp.program, Lambda) else tp.program

    def wrap(b: Program) -> Program:
        return Lambda(arity, b) if arity else b

    slots = list(_slots(body, arity))
    typed_slots = [
        (path, head, k) for path, _, head, k in slots if isinstance(head, Prim)
    ]
    heads = list(_heads(body))
    choices = ["recur-outside-fix", "out-of-scope", "unknown-invented"]
    if typed_slots:
        choices.append("wrong-argument-type")
    if heads:
        choices += ["wrong-arity", "unknown-primitive"]
    defect = draw(st.sampled_from(choices))
    if defect == "wrong-argument-type":
        path, head, k = draw(st.sampled_from(typed_slots))
        want = registry.get(head.name).type.args[k]  # type: ignore[union-attr]
        return wrap(_replace(body, path, _WRONG_CONST[want])), defect, "is required"
    if defect in ("wrong-arity", "unknown-primitive"):
        path, app = draw(st.sampled_from(heads))
        if defect == "unknown-primitive":
            new = App(Prim("no_such_primitive"), app.args)
            return wrap(_replace(body, path, new)), defect, "unknown primitive"
        args = app.args[:-1] if len(app.args) > 1 else app.args + app.args
        return (
            wrap(_replace(body, path, App(app.head, args))),
            defect,
            "argument(s) but is given",
        )
    # a leaf-like defect goes into any argument slot, or replaces the whole body
    targets = [(path, scope) for path, scope, _, _ in slots] + [((), arity)]
    path, scope = draw(st.sampled_from(targets))
    if defect == "recur-outside-fix":
        new, fragment = App(Recur(), (Const(1),)), "recur used outside a fix"
    elif defect == "out-of-scope":
        new, fragment = Arg(scope + draw(st.integers(0, 3))), "out of scope"
    else:
        new, fragment = Invented("no_such_invention"), "unknown invented primitive"
    return wrap(_replace(body, path, new)), defect, fragment


# ---------------------------------------------------------------- arbitrary programs

_NAME = st.from_regex(r"[a-z_][a-z0-9_+*<>=!?-]{0,7}", fullmatch=True).filter(
    lambda s: s not in RESERVED
)


def primitive_names(registry: Registry | None = None) -> st.SearchStrategy[str]:
    """Names a ``Prim`` may carry in text: registered ones and made-up ones."""
    made_up = _NAME
    if registry is None:
        return made_up
    return st.one_of(
        st.sampled_from([n for n in registry.names() if n not in RESERVED]), made_up
    )


def programs(
    registry: Registry | None = None, *, max_leaves: int = 12
) -> st.SearchStrategy[Program]:
    """Any syntactically valid program, typed or not (binders, recur, @name, consts)."""
    leaves = st.one_of(
        naturals(9).map(Arg),
        primitive_names(registry).map(Prim),
        _NAME.map(Invented),
        tokens().map(Const),
        st.integers(0, 10**6).map(Const),
        st.just(Recur()),
    )

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        arities = st.integers(1, 4)
        return st.one_of(
            st.builds(
                App, children, st.lists(children, min_size=1, max_size=3).map(tuple)
            ),
            st.builds(Lambda, arities, children),
            st.builds(Fix, arities, children),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)
