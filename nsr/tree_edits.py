"""Local edits of a dependency tree, for abduction to try beyond the parser's beam.

A rotation turns one arc around, as a binary-tree rotation does: for a child C of P,
C takes P's place (P's head becomes C's head), P becomes C's dependent, and C's
dependents lying between C and P move to P. On operator trees this swaps which of two
adjacent operators applies first, so ``(a + b) * c`` and ``a + (b * c)`` are one
rotation apart. The neighbourhood of a tree is every tree a few rotations away.
"""

from __future__ import annotations

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
