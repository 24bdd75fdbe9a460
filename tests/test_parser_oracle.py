"""Oracle properties: every move is legal and replaying the moves rebuilds the tree."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nsr.types import DependencyTree
from parser import (
    Transition,
    is_legal,
    maximal_projective_components,
    oracle,
    oracle_states,
    projective_order,
    replay,
)
from parser.state import ParserState
from parser.transitions import apply


@st.composite
def dependency_trees(
    draw: st.DrawFn, min_size: int = 1, max_size: int = 12
) -> DependencyTree:
    """Arbitrary valid trees (non-projective included): attach nodes in a random
    order, each to a random node attached before it."""
    n = draw(st.integers(min_size, max_size))
    order = draw(st.permutations(range(n)))
    heads = [-1] * n
    for k in range(1, n):
        heads[order[k]] = order[draw(st.integers(0, k - 1))]
    return DependencyTree(tuple(heads))


def _rebuild(tree: DependencyTree, moves: list[Transition]) -> DependencyTree:
    state = ParserState.initial(len(tree.heads))
    for move in moves:
        assert is_legal(state, move), (tree.heads, moves)
        state = apply(state, move)
    assert state.is_terminal
    return state.tree()


@given(dependency_trees())
def test_lazy_oracle_round_trip(tree: DependencyTree) -> None:
    assert _rebuild(tree, oracle(tree)) == tree


@given(dependency_trees(), st.booleans())
def test_oracle_states_are_the_replayed_states(
    tree: DependencyTree, lazy: bool
) -> None:
    moves, states = oracle_states(tree, lazy=lazy)
    assert states == replay(len(tree.heads), moves)


@given(dependency_trees())
def test_eager_oracle_round_trip(tree: DependencyTree) -> None:
    assert _rebuild(tree, oracle(tree, lazy=False)) == tree


@given(dependency_trees())
def test_lazy_swaps_no_more_than_eager(tree: DependencyTree) -> None:
    lazy = oracle(tree).count(Transition.SWAP)
    assert lazy <= oracle(tree, lazy=False).count(Transition.SWAP)


@given(dependency_trees())
def test_move_counts(tree: DependencyTree) -> None:
    moves = oracle(tree)
    n = len(tree.heads)
    arcs = moves.count(Transition.LEFT_ARC) + moves.count(Transition.RIGHT_ARC)
    assert arcs == n - 1
    assert moves.count(Transition.SHIFT) == n + moves.count(Transition.SWAP)


@given(dependency_trees())
def test_projective_trees_need_no_swap(tree: DependencyTree) -> None:
    if tree.is_projective():
        assert Transition.SWAP not in oracle(tree, lazy=False)
        assert projective_order(tree) == tuple(range(len(tree.heads)))
        assert set(maximal_projective_components(tree)) == {tree.root}
    else:
        assert Transition.SWAP in oracle(tree)


@given(dependency_trees())
def test_projective_order_is_a_permutation(tree: DependencyTree) -> None:
    assert sorted(projective_order(tree)) == list(range(len(tree.heads)))


def test_walk_around_left() -> None:
    # SCAN "walk around left": around is the root, left its argument, walk left's.
    tree = DependencyTree((2, -1, 1))
    assert not tree.is_projective()
    S, LA, RA, SW = (
        Transition.SHIFT,
        Transition.LEFT_ARC,
        Transition.RIGHT_ARC,
        Transition.SWAP,
    )
    assert oracle(tree) == [S, S, SW, S, S, LA, RA]
    assert replay(3, oracle(tree))[-1].tree() == tree


def test_single_word() -> None:
    assert oracle(DependencyTree((-1,))) == [Transition.SHIFT]


@given(dependency_trees(), st.booleans())
def test_late_left_arc_oracle_round_trip(tree: DependencyTree, lazy: bool) -> None:
    moves, _ = oracle_states(tree, lazy=lazy, late_left_arc=True)
    assert _rebuild(tree, moves) == tree


def test_late_left_arc_waits_for_the_span_to_close() -> None:
    # ( 5 - 5 + 7 ): both parentheses hang from "+" (position 4), the group's root
    tree = DependencyTree((4, 2, 4, 2, -1, 4, 4))
    moves, states = oracle_states(tree, late_left_arc=True)
    first_left = next(i for i, m in enumerate(moves) if m is Transition.LEFT_ARC
                      and states[i].stack[1][0] == 0)
    assert 6 in [states[first_left].stack[0]] or states[first_left].next == 7
    eager, eager_states = oracle_states(tree)
    early = next(i for i, m in enumerate(eager) if m is Transition.LEFT_ARC
                 and eager_states[i].stack[1][0] == 0)
    assert eager_states[early].next < 7  # the default oracle attaches "(" before ")"
