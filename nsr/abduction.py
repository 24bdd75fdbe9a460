"""Abduction: the smallest change of a grounded symbol tree that makes its value right.

The search is top-down: the root must equal the target; for a node whose program is
known, the value one child must take is found by inverting the program over candidate
values (sub-lists of the target for token lists, a range of naturals for numbers), each
checked forward; a node whose symbol has no program yet takes the value asked of it and
yields a new example for that symbol. Where valueless symbols are allowed, leaves without
a program are valueless wherever their parent's program takes exactly the other
children. Proposals (symbol assignments and trees) are tried cheapest first, within a
budget of program calls and a time limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from nsr.gss import children_of, node_examples, node_value, postorder
from nsr.types import DependencyTree
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule


@dataclass(frozen=True)
class Revision:
    """A tree that evaluates to the target, with the examples it teaches."""

    symbols: tuple[int, ...]
    tree: DependencyTree
    values: tuple[Any, ...]
    unknown: tuple[int, ...]
    """Positions whose symbols had no program: their values were abduced."""
    cost: float

    def examples(self) -> list[tuple[int, tuple, Any]]:
        """(symbol, children values, value) for every node whose values are all known."""
        return node_examples(self.symbols, self.tree, self.values)


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
                 semantics: SemanticModule, budget: int,
                 hidden: frozenset[int] = frozenset(), silence: bool = False,
                 deadline: float = math.inf) -> None:
        self.symbols, self.tree, self.semantics = symbols, tree, semantics
        self.kids = children_of(tree)
        self.hidden = hidden
        self.silenced: set[int] = set()
        self.values = self._evaluate(silence)
        self.budget = budget
        self.deadline = deadline

    def _meaning(self, node: int):
        s = self.symbols[node]
        return None if s in self.hidden else self.semantics.meanings.get(s)

    def _evaluate(self, silence: bool) -> list[Any]:
        """Bottom-up values; with ``silence``, leaves without a program are made valueless
        wherever their parent's program takes exactly the other children (a literal
        parent takes any number)."""
        values: list[Any] = [UNDEFINED] * len(self.symbols)
        for node in postorder(self.tree, self.kids):
            literal = self._literal(node)
            meaning = self._meaning(node)
            if meaning is None and literal is None:
                continue
            kids = self.kids[node]
            if silence and (literal is not None or not meaning.valueless):
                free = [c for c in kids if not self.kids[c] and self._meaning(c) is None
                        and self._literal(c) is None]
                carrying = [c for c in kids if values[c] is not NO_VALUE]
                if free and (literal is not None
                             or len(carrying) - len(free) == meaning.arity):
                    for c in free:
                        values[c] = NO_VALUE
                        self.silenced.add(c)
            values[node] = node_value(self.semantics, self.symbols, node, kids, values)
        return values

    def _literal(self, node: int) -> str | None:
        literals = self.semantics.literals
        return literals.token(self.symbols[node]) if literals else None

    def solve(self, node: int, target: Any, unknown_left: int) -> tuple[dict, int] | None:
        """Assignments {node: value} along one path, and the number of unknowns used."""
        if self.values[node] is not UNDEFINED and self.values[node] == target:
            return {}, 0
        kids = self.kids[node]
        if self._literal(node) is not None:
            return None  # a literal's value is fixed by its run
        meaning = self._meaning(node)
        if meaning is None:
            kid_vals = [self.values[c] for c in kids]
            if unknown_left <= 0 or any(v is UNDEFINED for v in kid_vals):
                return None
            return {node: target}, 1
        if meaning.valueless:
            return None
        carrying = [c for c in kids if self.values[c] is not NO_VALUE]
        if len(carrying) != meaning.arity:
            return None
        return self._invert(node, carrying, target, unknown_left)

    def _invert(self, node: int, kids: list[int], target: Any, unknown_left: int
                ) -> tuple[dict, int] | None:
        """Change one child's value so that the node's program gives ``target``."""
        s = self.symbols[node]
        kid_vals = [self.values[c] for c in kids]
        for i, c in enumerate(kids):
            if any(v is UNDEFINED for j, v in enumerate(kid_vals) if j != i):
                continue
            for cand in candidate_values(target):
                self.budget -= 1
                if self.budget < 0 or time.monotonic() > self.deadline:
                    self.budget = -1
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
           limit: int = 1, hidden: frozenset[int] = frozenset(), silence: bool = False,
           seconds: float = 10.0) -> list[Revision]:
    """Up to ``limit`` revisions from the proposals, cheapest first.

    Args:
        target: the example's output.
        proposals: (cost, symbols, tree), in increasing cost.
        semantics: the current programs.
        max_unknown: how many symbols without a program one revision may rely on.
        budget: program calls allowed over all proposals.
        limit: stop after this many revisions.
        hidden: symbols to treat as if they had no program (to re-estimate them).
        silence: let leaves without a program be valueless where their parent's program
            takes exactly the other children (the prior that symbols may carry no value).
        seconds: wall-clock limit over all proposals (a slow or looping program cannot
            hold training up).
    """
    deadline = time.monotonic() + seconds
    found: list[Revision] = []
    seen: set = set()
    for cost, symbols, tree in proposals:
        if budget <= 0 or time.monotonic() > deadline:
            break
        solver = _Solver(symbols, tree, semantics, min(budget, 5000), hidden,
                         silence, deadline)
        if solver.values[tree.root] == target:
            result: tuple[dict, int] | None = ({}, 0)
        elif all(semantics.known(s) and s not in hidden for s in symbols):
            continue  # every program is fixed: nothing to abduce on this tree
        else:
            result = solver.solve(tree.root, target, max_unknown)
        budget -= max(1, 5000 - max(solver.budget, 0))
        if result is None:
            continue
        assign, _ = result
        values = tuple(assign.get(i, v) for i, v in enumerate(solver.values))
        unknown = tuple(sorted(i for i in set(assign) | solver.silenced
                               if symbols[i] in hidden
                               or not semantics.known(symbols[i])))
        key = tuple((symbols[i], values[i], tuple(values[c] for c in solver.kids[i]))
                    for i in unknown) or (tuple(symbols), tree.heads)
        if key in seen:
            continue
        seen.add(key)
        found.append(Revision(tuple(symbols), tree, values, unknown, cost))
        if len(found) >= limit:
            break
    return found
