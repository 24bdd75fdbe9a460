"""Abduction: the smallest change of a grounded symbol tree that makes its value right.

The search is top-down: the root must equal the target; for a node whose program is
known, the value one child must take is found by inverting the program over candidate
values (sub-lists of the target for token lists, a range of naturals for numbers), each
checked forward; a node whose symbol has no program yet takes the value asked of it and
yields a new example for that symbol. Proposals (symbol assignments and trees) are tried
cheapest first, within a budget of program calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nsr.gss import children_of, evaluate
from nsr.types import DependencyTree
from semantics.module import UNDEFINED, SemanticModule


@dataclass(frozen=True)
class Revision:
    """A tree that evaluates to the target, with the examples it teaches."""

    symbols: tuple[int, ...]
    tree: DependencyTree
    values: tuple[Any, ...]
    unknown: tuple[int, ...]
    """Positions whose symbols had no program: their values were abduced."""
    cost: float

    def examples(self) -> Iterator[tuple[int, tuple, Any]]:
        """(symbol, children values, value) for every node whose values are all known."""
        kids = children_of(self.tree)
        for node, s in enumerate(self.symbols):
            args = tuple(self.values[c] for c in kids[node])
            if self.values[node] is not UNDEFINED and all(a is not UNDEFINED for a in args):
                yield s, args, self.values[node]


def candidate_values(target: Any, int_bound: int = 200) -> list[Any]:
    """Values a child may need to take so that its parent can produce ``target``."""
    if isinstance(target, tuple):
        n = len(target)
        seen = {target[i:j] for i in range(n + 1) for j in range(i, n + 1)}
        return sorted(seen, key=len, reverse=True)
    if isinstance(target, bool):
        return [False, True]
    if isinstance(target, int):
        return list(range(0, max(int_bound, 2 * target + 2)))
    return [target]


class _Solver:
    def __init__(self, symbols: Sequence[int], tree: DependencyTree,
                 semantics: SemanticModule, max_unknown: int, budget: int,
                 hidden: frozenset[int] = frozenset()) -> None:
        self.symbols, self.tree, self.semantics = symbols, tree, semantics
        self.kids = children_of(tree)
        self.values = evaluate(symbols, tree, semantics, hidden)
        self.max_unknown = max_unknown
        self.budget = budget
        self.hidden = hidden


    def solve(self, node: int, target: Any, unknown_left: int) -> tuple[dict, int] | None:
        """Assignments {node: value} along one path, and the number of unknowns used."""
        if self.values[node] is not UNDEFINED and self.values[node] == target:
            return {}, 0
        s = self.symbols[node]
        kids = self.kids[node]
        kid_vals = [self.values[c] for c in kids]
        meaning = None if s in self.hidden else self.semantics.meanings.get(s)
        if meaning is None:
            if unknown_left <= 0 or any(v is UNDEFINED for v in kid_vals):
                return None
            return {node: target}, 1
        if meaning.arity != len(kids):
            return None
        for i, c in enumerate(kids):
            if any(v is UNDEFINED for j, v in enumerate(kid_vals) if j != i):
                continue
            for cand in candidate_values(target):
                self.budget -= 1
                if self.budget < 0:
                    return None
                args = kid_vals[:i] + [cand] + kid_vals[i + 1:]
                if self.semantics.apply(s, args) != target:
                    continue
                sub = self.solve(c, cand, unknown_left)
                if sub is not None:
                    assign, used = sub
                    assign = dict(assign)
                    assign[node] = target
                    return assign, used
        return None


def abduce(target: Any, proposals: Iterable[tuple[float, Sequence[int], DependencyTree]],
           semantics: SemanticModule, *, max_unknown: int = 1, budget: int = 20000,
           limit: int = 1, hidden: frozenset[int] = frozenset()) -> list[Revision]:
    """Up to ``limit`` revisions from the proposals, cheapest first.

    Args:
        target: the example's output.
        proposals: (cost, symbols, tree), in increasing cost.
        semantics: the current programs.
        max_unknown: how many symbols without a program one revision may rely on.
        budget: program calls allowed over all proposals.
        limit: stop after this many revisions.
        hidden: symbols to treat as if they had no program (to re-estimate them).
    """
    found: list[Revision] = []
    seen: set = set()
    for cost, symbols, tree in proposals:
        if budget <= 0:
            break
        solver = _Solver(symbols, tree, semantics, max_unknown, min(budget, 5000), hidden)
        result = solver.solve(tree.root, target, max_unknown)
        budget -= max(1, 5000 - max(solver.budget, 0))
        if result is None:
            continue
        assign, _ = result
        values = tuple(assign.get(i, v) for i, v in enumerate(solver.values))
        unknown = tuple(sorted(i for i in assign if symbols[i] in hidden
                               or semantics.meanings.get(symbols[i]) is None))
        key = tuple((symbols[i], values[i], tuple(values[c] for c in solver.kids[i]))
                    for i in unknown) or (tuple(symbols), tree.heads)
        if key in seen:
            continue
        seen.add(key)
        found.append(Revision(tuple(symbols), tree, values, unknown, cost))
        if len(found) >= limit:
            break
    return found
