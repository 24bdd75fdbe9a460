"""Tree edits: ``(a + b) * c`` and ``a + (b * c)`` are one rotation apart; raising and
lowering re-hang one subtree."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nsr.tree_edits import (
    attach_to_preceding,
    bracket_valueless,
    lower_subtree,
    neighbourhood,
    raise_subtree,
    rotate,
)
from nsr.trees import all_trees
from nsr.types import DependencyTree

LEFT_FIRST = DependencyTree((1, 3, 1, -1, 3))   # a + b * c read as (a + b) * c
RIGHT_FIRST = DependencyTree((1, -1, 3, 1, 3))  # a + (b * c)


def test_rotation_swaps_which_operator_applies_first() -> None:
    assert rotate(LEFT_FIRST, 1) == RIGHT_FIRST
    assert rotate(RIGHT_FIRST, 3) == LEFT_FIRST
    assert rotate(LEFT_FIRST, 3) is None  # the root has no arc to rotate


def test_neighbourhood_is_nearest_first_and_excludes_the_tree() -> None:
    near = neighbourhood(LEFT_FIRST, depth=1)
    assert RIGHT_FIRST in near and LEFT_FIRST not in near
    deeper = neighbourhood(LEFT_FIRST, depth=2)
    assert deeper[: len(near)] == near and len(deeper) > len(near)
    assert len(set(t.heads for t in deeper)) == len(deeper)
    assert len(neighbourhood(LEFT_FIRST, depth=3, limit=5)) == 5


def test_raising_and_lowering_re_hang_one_subtree() -> None:
    flat = DependencyTree((-1, 0, 0))  # f g A read as f(g, A)
    assert lower_subtree(flat, 2) == [DependencyTree((-1, 0, 1))]  # f(g(A))
    assert lower_subtree(flat, 1) == [DependencyTree((-1, 2, 0))]  # f(A(g))
    assert raise_subtree(DependencyTree((-1, 0, 1)), 2) == flat
    assert raise_subtree(flat, 1) is None  # its head is the root
    assert lower_subtree(flat, 0) == []


def test_neighbourhood_uses_only_the_moves_it_is_given() -> None:
    flat = DependencyTree((-1, 0, 0))
    assert DependencyTree((-1, 0, 1)) not in neighbourhood(flat, depth=1)
    assert DependencyTree((-1, 0, 1)) in neighbourhood(flat, depth=1, moves=("lower",))
    assert neighbourhood(flat, depth=1, moves=()) == []


@given(st.integers(1, 6), st.data())
def test_every_raise_and_lower_is_a_valid_tree_moving_one_subtree(n: int, data) -> None:
    tree = data.draw(st.sampled_from(all_trees(n)))
    for child in range(n):
        edited = [raise_subtree(tree, child)] + lower_subtree(tree, child)
        for t in (t for t in edited if t is not None):  # DependencyTree validates them
            changed = [i for i in range(n) if t.heads[i] != tree.heads[i]]
            assert changed == [child]


@given(st.integers(1, 5), st.data())
def test_every_rotation_is_a_valid_tree_moving_only_the_inner_dependents(n: int, data) -> None:
    tree = data.draw(st.sampled_from(all_trees(n)))
    for child in range(n):
        rotated = rotate(tree, child)  # DependencyTree validates: one root, no cycle
        if rotated is None:
            continue
        parent = tree.heads[child]
        assert rotated.heads[parent] == child
        assert rotated.heads[child] == tree.heads[parent]
        changed = {i for i, (a, b) in enumerate(zip(tree.heads, rotated.heads)) if a != b}
        assert changed - {child, parent} == {
            k for k, h in enumerate(tree.heads)
            if h == child and min(child, parent) < k < max(child, parent)}


def test_bracketing_pairs_hang_from_the_subtree_they_enclose() -> None:
    # ( ( 8 + 9 ) * 2 ) with every parenthesis first hung somewhere else
    tree = DependencyTree((3, 2, 3, 6, 3, 4, -1, 6, 7))
    out = bracket_valueless(tree, {0, 1, 5, 8})
    assert out.heads == (6, 3, 3, 6, 3, 3, -1, 6, 6)  # the official HINT convention
    # a lone valueless leaf, and leaves with a value, keep their heads
    lone = DependencyTree((1, -1, 1, 1))  # ( 1 + 2 without a closing parenthesis
    assert bracket_valueless(lone, {0}) == lone


def test_separators_hang_from_the_constituent_before_them() -> None:
    # f1 f2 a , b , c  with f1 -> [f2, c], f2 -> [a, b], both commas under f1
    tree = DependencyTree((-1, 0, 1, 0, 1, 0, 0))
    moved = attach_to_preceding(tree, {3, 5})
    assert moved.heads == (-1, 0, 1, 2, 1, 1, 0)  # the first after a, the second after f2
    assert attach_to_preceding(moved, {3, 5}).heads == moved.heads
    assert attach_to_preceding(tree, set()) is tree
