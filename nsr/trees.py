"""All dependency trees over n positions (n^(n-1) of them), for exhaustive abduction."""

from __future__ import annotations

import itertools
from functools import lru_cache

from nsr.types import DependencyTree


@lru_cache(maxsize=None)
def all_trees(n: int, projective: bool = False) -> tuple[DependencyTree, ...]:
    """Every rooted tree over positions 0..n-1 (non-projective ones included unless
    ``projective``)."""
    if projective:
        return tuple(t for t in all_trees(n) if t.is_projective())
    if n > 6:
        raise ValueError(f"too many trees to enumerate for {n} positions")
    out = []
    for heads in itertools.product(range(-1, n), repeat=n):
        if heads.count(-1) != 1 or any(h == i for i, h in enumerate(heads)):
            continue
        if _acyclic(heads):
            out.append(DependencyTree(heads))
    return tuple(out)


def _acyclic(heads: tuple[int, ...]) -> bool:
    n = len(heads)
    for i in range(n):
        j, steps = i, 0
        while j != -1:
            j, steps = heads[j], steps + 1
            if steps > n:
                return False
    return True
