"""Local edits of a dependency tree, for abduction to try beyond the parser's beam.

A rotation turns one arc around, as a binary-tree rotation does: for a child C of P,
C takes P's place (P's head becomes C's head), P becomes C's dependent, and C's
dependents lying between C and P move to P. On operator trees this swaps which of two
adjacent operators applies first, so ``(a + b) * c`` and ``a + (b * c)`` are one
rotation apart. Two more moves re-hang one subtree: raising it onto its head's head, and
lowering it onto the sibling right beside it (so ``f g A`` read as ``f(g, A)`` becomes
``f(g(A))``). The neighbourhood of a tree is every tree a few moves away.
"""

from __future__ import annotations

from collections.abc import Sequence

from nsr.gss import children_of, postorder
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


def raise_subtree(tree: DependencyTree, child: int) -> DependencyTree | None:
    """The tree with ``child`` hung from its head's head (``None`` if there is none)."""
    parent = tree.heads[child]
    if parent < 0 or tree.heads[parent] < 0:
        return None
    heads = list(tree.heads)
    heads[child] = tree.heads[parent]
    return DependencyTree(tuple(heads))


def lower_subtree(tree: DependencyTree, child: int) -> list[DependencyTree]:
    """The trees with ``child`` hung from the sibling right before or right after it."""
    parent = tree.heads[child]
    if parent < 0:
        return []
    siblings = [c for c in range(len(tree.heads)) if tree.heads[c] == parent]
    at = siblings.index(child)
    out = []
    for k in (at - 1, at + 1):
        if 0 <= k < len(siblings):
            heads = list(tree.heads)
            heads[child] = siblings[k]
            out.append(DependencyTree(tuple(heads)))
    return out


EDIT_MOVES = ("rotate", "raise", "lower")


def _moves(tree: DependencyTree, node: int, moves: Sequence[str]) -> list[DependencyTree]:
    out: list[DependencyTree | None] = []
    if "rotate" in moves:
        out.append(rotate(tree, node))
    if "raise" in moves:
        out.append(raise_subtree(tree, node))
    if "lower" in moves:
        out.extend(lower_subtree(tree, node))
    return [t for t in out if t is not None]


def neighbourhood(tree: DependencyTree, depth: int = 2, limit: int = 400,
                  moves: Sequence[str] = ("rotate",)) -> list[DependencyTree]:
    """Trees up to ``depth`` of ``moves`` (of :data:`EDIT_MOVES`) from ``tree``, nearest
    first, ``tree`` excluded."""
    seen = {tree.heads}
    frontier = [tree]
    out: list[DependencyTree] = []
    for _ in range(depth):
        nxt = []
        for t in frontier:
            for c in range(len(t.heads)):
                for r in _moves(t, c, moves):
                    if r.heads not in seen:
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
    return _bracketed(tree, valueless)[0]


def unbracketed(tree: DependencyTree, valueless: set[int]) -> set[int]:
    """The valueless positions that bracket no subtree of ``tree`` (with a partner)."""
    return _bracketed(tree, valueless)[1]


def _bracketed(tree: DependencyTree, valueless: set[int]
               ) -> tuple[DependencyTree, set[int]]:
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
    return DependencyTree(tuple(heads)), free


def attach_to_preceding(tree: DependencyTree, valueless: set[int]) -> DependencyTree:
    """The tree with each valueless leaf moved onto the root of the constituent right
    before it (the largest subtree whose span ends just before the leaf).

    The convention for separators such as PCFG SET's ``,``: it closes the argument it
    follows, so a parser that sees it attached there can tell a function still waiting
    for an argument from one that has all of them. Values do not change."""
    kids = children_of(tree)
    moving = {v for v in valueless if not kids[v] and v > 0 and tree.heads[v] >= 0
              and v - 1 not in valueless}
    if not moving:
        return tree
    heads = list(tree.heads)
    last = list(range(len(heads)))  # the rightmost position of each subtree
    for node in postorder(tree, kids):
        for c in kids[node]:
            if c not in moving:
                last[node] = max(last[node], last[c])
    for v in sorted(moving):
        x = v - 1
        while heads[x] >= 0 and heads[x] not in moving and last[heads[x]] == v - 1:
            x = heads[x]
        heads[v] = x
    return DependencyTree(tuple(heads))


def group_runs(tree: DependencyTree, marked: Sequence[bool]) -> DependencyTree:
    """The tree with every run of adjacent marked positions made one constituent: the
    run's first position takes the place of its member nearest the root, and the other
    members become its dependents (their own dependents stay with them).

    A run hanging from a member of another run is lifted to the nearest unmarked
    ancestor (where there is one): literals are grouped so (:mod:`semantics.literals`),
    juxtaposed literals form one list, so a function's argument is never split across
    its dependents, and a literal takes no other literal as an argument."""
    heads = list(tree.heads)
    depth = _depths(tree)
    i, n = 0, len(heads)
    while i < n:
        if not marked[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and marked[j + 1]:
            j += 1
        if j > i:
            top = min(range(i, j + 1), key=lambda k: depth[k])
            outer = heads[top]
            for k in range(i + 1, j + 1):
                heads[k] = i
            heads[i] = outer
        i = j + 1
    for k in range(n):
        if marked[k] and (k == 0 or not marked[k - 1]):
            up = heads[k]
            while up >= 0 and marked[up]:
                up = heads[up]
            if up >= 0:
                heads[k] = up
    return tree if tuple(heads) == tree.heads else DependencyTree(tuple(heads))


def _depths(tree: DependencyTree) -> list[int]:
    depth = [0] * len(tree.heads)
    kids = children_of(tree)
    for node in reversed(postorder(tree, kids)):  # parents before children
        for c in kids[node]:
            depth[c] = depth[node] + 1
    return depth
