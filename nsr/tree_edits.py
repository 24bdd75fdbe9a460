"""Local edits of a dependency tree, for abduction to try beyond the parser's beam.

A rotation turns one arc around, as a binary-tree rotation does: for a child C of P,
C takes P's place (P's head becomes C's head), P becomes C's dependent, and C's
dependents lying between C and P move to P. On operator trees this swaps which of two
adjacent operators applies first, so ``(a + b) * c`` and ``a + (b * c)`` are one
rotation apart. The neighbourhood of a tree is every tree a few rotations away.
"""

from __future__ import annotations

from nsr.gss import postorder
from nsr.types import DependencyTree


def rotate(tree: DependencyTree, child: int) -> DependencyTree | None:
    """The tree with the arc from ``child`` to its head rotated (``None`` at the root)."""
    heads = list(tree.heads)
    parent = heads[child]
    if parent < 0:
        return None
    lo, hi = sorted((child, parent))
    for node, head in enumerate(tree.heads):
        if head == child and lo < node < hi:
            heads[node] = parent
    heads[child] = heads[parent]
    heads[parent] = child
    return DependencyTree(tuple(heads))


def neighbourhood(tree: DependencyTree, depth: int = 2, limit: int = 400
                  ) -> list[DependencyTree]:
    """Trees up to ``depth`` rotations from ``tree`` (nearest first, ``tree`` excluded)."""
    seen = {tree.heads}
    frontier = [tree]
    out: list[DependencyTree] = []
    for _ in range(depth):
        nxt = []
        for t in frontier:
            for c in range(len(t.heads)):
                r = rotate(t, c)
                if r is not None and r.heads not in seen:
                    seen.add(r.heads)
                    nxt.append(r)
                    out.append(r)
                    if len(out) >= limit:
                        return out
        frontier = nxt
    return out


def bracket_valueless(tree: DependencyTree, valueless: set[int]) -> DependencyTree:
    """The tree with valueless leaves that exactly bracket a subtree moved onto its root.

    Where a valueless leaf's head does not change any value, the parser should still
    see one convention: a pair of valueless leaves right before and right after the span
    of a subtree (a pair of parentheses around an expression) hangs from the subtree's
    root, innermost subtrees first. Other valueless leaves keep their heads."""
    heads = list(tree.heads)
    n = len(heads)
    kids: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(heads):
        if h >= 0 and i not in valueless:
            kids[h].append(i)
    order = postorder(tree, kids)
    span: dict[int, tuple[int, int]] = {}
    free = set(valueless)
    for node in order:
        lo = min([node] + [span[c][0] for c in kids[node]])
        hi = max([node] + [span[c][1] for c in kids[node]])
        while lo - 1 in free and hi + 1 in free:
            lo, hi = lo - 1, hi + 1
            heads[lo] = heads[hi] = node
            free -= {lo, hi}
        span[node] = (lo, hi)
    return DependencyTree(tuple(heads))
