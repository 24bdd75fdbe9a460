"""The grounded symbol system: symbols on a dependency tree, evaluated bottom-up.

A node's value is its symbol's program applied to its children's values, in input
order; the root's value is the prediction. Children whose symbol carries no value
(``NO_VALUE``, a parenthesis say) are skipped. Undefined values (an unknown symbol, a
wrong arity, a failing program) propagate as ``UNDEFINED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nsr.types import DependencyTree
from semantics.literals import literal_value
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule
from semantics.program import Program


def children_of(tree: DependencyTree) -> list[list[int]]:
    """Children of every position, in input order."""
    kids: list[list[int]] = [[] for _ in tree.heads]
    for i, h in enumerate(tree.heads):
        if h >= 0:
            kids[h].append(i)
    return kids


def postorder(tree: DependencyTree, kids: list[list[int]] | None = None) -> list[int]:
    """Positions with every child before its parent (iterative, no recursion)."""
    kids = kids if kids is not None else children_of(tree)
    order, stack = [], [(tree.root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        for c in reversed(kids[node]):
            stack.append((c, False))
    return order


def evaluate(symbols: Sequence[int], tree: DependencyTree, semantics: SemanticModule,
             hidden: frozenset[int] = frozenset()) -> list[Any]:
    """The value of every node (``UNDEFINED`` where it cannot be computed).

    Symbols in ``hidden`` are evaluated as if they had no program."""
    kids = children_of(tree)
    values: list[Any] = [UNDEFINED] * len(symbols)
    for node in postorder(tree, kids):
        if symbols[node] in hidden:
            continue
        values[node] = node_value(semantics, symbols, node, kids[node], values)
    return values


def shape_fits(symbols: Sequence[int], tree: DependencyTree, semantics: SemanticModule
               ) -> bool:
    """Whether every node's program takes as many values as it has children that carry
    one, and valueless nodes are leaves below the root: a cheap test that ``evaluate``
    may give the root a value, for symbols without literals (``False``: it cannot)."""
    meanings = semantics.meanings
    kids = [0] * len(symbols)
    carrying = [0] * len(symbols)
    for i, h in enumerate(tree.heads):
        m = meanings.get(symbols[i])
        if m is None:
            return False
        if h >= 0:
            kids[h] += 1
            carrying[h] += not m.valueless
    for i, s in enumerate(symbols):
        m = meanings[s]
        if m.valueless:
            if kids[i] or tree.heads[i] == -1:
                return False
        elif carrying[i] != m.arity:
            return False
    return True


def node_value(semantics: SemanticModule, symbols: Sequence[int], node: int,
               children: Sequence[int], values: Sequence[Any]) -> Any:
    """One node's value from its children's values."""
    literals = semantics.literals
    token = literals.token(symbols[node]) if literals else None
    if token is not None:
        flags = {c: literals.is_literal(symbols[c]) for c in children}
        return literal_value(token, node, children, values, flags)
    return semantics.apply(symbols[node], valued(children, values))


def valued(children: Sequence[int], values: Sequence[Any]) -> list[Any]:
    """The values of the children that carry one, in order."""
    return [values[c] for c in children if values[c] is not NO_VALUE]


def node_examples(symbols: Sequence[int], tree: DependencyTree, values: Sequence[Any]
                  ) -> list[tuple[int, tuple, Any]]:
    """(symbol, children values, value) of every node whose values are all known."""
    return [(s, args, value) for _, s, args, value in node_examples_at(symbols, tree, values)]


def node_examples_at(symbols: Sequence[int], tree: DependencyTree, values: Sequence[Any]
                     ) -> list[tuple[int, int, tuple, Any]]:
    """:func:`node_examples` with each node's position first."""
    kids = children_of(tree)
    out = []
    for node, s in enumerate(symbols):
        args = tuple(valued(kids[node], values))
        if values[node] is not UNDEFINED and all(a is not UNDEFINED for a in args):
            out.append((node, s, args, values[node]))
    return out


@dataclass(frozen=True)
class GSSNode:
    """One node of a grounded symbol tree, for display and export."""

    index: int
    token: str
    symbol: int
    program: Program | None
    value: Any
    children: tuple[GSSNode, ...]
    literal: bool = False
    """A literal token, denoting itself (no program)."""
    valueless: bool = False
    """A symbol that carries no value (its parent skips it)."""


def build(tokens: Sequence[str], symbols: Sequence[int], tree: DependencyTree,
          semantics: SemanticModule) -> GSSNode:
    """The whole tree as nested :class:`GSSNode` values."""
    values = evaluate(symbols, tree, semantics)
    kids = children_of(tree)
    made: dict[int, GSSNode] = {}
    for node in postorder(tree, kids):
        made[node] = GSSNode(node, tokens[node], symbols[node],
                             semantics.program_for(symbols[node]),
                             None if values[node] in (UNDEFINED, NO_VALUE) else values[node],
                             tuple(made[c] for c in kids[node]),
                             semantics.literals.is_literal(symbols[node]),
                             values[node] is NO_VALUE)
    return made[tree.root]
