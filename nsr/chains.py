"""Left-branching chains: one convention for trees that the data cannot tell apart.

In ``a + b + c`` both groupings give the same value, so abduction may hand the parser
either, and a parser taught a mix of conventions must learn, from a few symbols of
context, a choice that carries no information; on inputs longer than any in training
that mix shows up as wrong trees. Under the prior ``chains = "left"``, a pseudo-label in
which an operator's right operand is headed by the same symbol (``a + (b + c)``) is
rotated into ``(a + b) + c`` wherever that keeps the value and the right operand is not
itself bracketed: the tree is expected with valueless brackets on the roots of the
subtrees they enclose (:func:`nsr.tree_edits.bracket_valueless`), so ``a + (b + c)``
keeps its parentheses' grouping. Only chains of one symbol are rotated: for two
different symbols the grouping is a matter of precedence, which is learned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nsr.gss import children_of, node_value
from nsr.tree_edits import rotate
from nsr.types import DependencyTree
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule


def left_chains(symbols: Sequence[int], tree: DependencyTree, values: Sequence[Any],
                semantics: SemanticModule) -> DependencyTree:
    """The tree with every same-symbol right chain rotated to the left (values kept)."""
    values = list(values)
    for _ in range(len(symbols)):
        found = _one_rotation(symbols, tree, values, semantics)
        if found is None:
            return tree
        tree, values = found
    return tree


def _one_rotation(symbols: Sequence[int], tree: DependencyTree, values: list[Any],
                  semantics: SemanticModule) -> tuple[DependencyTree, list[Any]] | None:
    kids = children_of(tree)
    for p in range(len(symbols)):
        for c in kids[p]:
            if (c < p or symbols[c] != symbols[p] or values[c] is NO_VALUE
                    or not any(p < d < c for d in kids[c])
                    or any(values[d] is NO_VALUE for d in kids[c])):
                continue
            rotated = rotate(tree, c)
            if rotated is None:
                continue
            new_kids = children_of(rotated)
            new = list(values)
            new[p] = node_value(semantics, symbols, p, new_kids[p], new)
            new[c] = node_value(semantics, symbols, c, new_kids[c], new)
            if new[p] is not UNDEFINED and new[c] == values[p]:
                return rotated, new
    return None
