"""Transition system: legality, persistence, and termination of any legal walk."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nsr.types import DependencyTree
from parser import (
    IllegalTransitionError,
    ParserError,
    Transition,
    apply,
    initial,
    is_legal,
    legal_mask,
)

S, LA, RA, SW = (
    Transition.SHIFT,
    Transition.LEFT_ARC,
    Transition.RIGHT_ARC,
    Transition.SWAP,
)


def _run(n: int, moves: list[Transition]):  # type: ignore[no-untyped-def]
    state = initial(n)
    for move in moves:
        state = apply(state, move)
    return state


def test_initial_state() -> None:
    state = initial(3)
    assert state.stack_items() == () and state.buffer_items() == (0, 1, 2)
    assert legal_mask(state) == (True, False, False, False)
    assert not state.is_terminal


def test_empty_sentence_is_terminal() -> None:
    state = initial(0)
    assert state.is_terminal and state.tree() == DependencyTree(())


def test_arcs_and_root() -> None:
    state = _run(3, [S, S, LA, S, RA])
    assert state.is_terminal
    assert state.tree().heads == (1, -1, 1)
    assert state.left[1] == 0 and state.right[1] == 2


def test_swap_moves_s1_back_to_the_buffer() -> None:
    state = _run(3, [S, S, SW])
    assert state.stack_items() == (1,) and state.buffer_items() == (0, 2)
    again = apply(state, S)
    assert again.stack_items() == (0, 1)
    assert not is_legal(again, SW)  # s1 = 1 comes after s0 = 0: out of input order


@pytest.mark.parametrize(
    ("moves", "illegal"),
    [([], LA), ([], RA), ([], SW), ([S], LA), ([S], SW), ([S, S, S], S)],
)
def test_illegal_moves_raise(moves: list[Transition], illegal: Transition) -> None:
    state = _run(3, moves)
    assert not is_legal(state, illegal)
    with pytest.raises(IllegalTransitionError):
        apply(state, illegal)


def test_states_are_persistent() -> None:
    base = _run(4, [S, S])
    left = apply(base, LA)
    right = apply(base, RA)
    assert base.stack_items() == (1, 0) and base.heads == (-1,) * 4
    assert left.heads == (1, -1, -1, -1) and right.heads == (-1, 0, -1, -1)
    shifted = apply(base, S)
    assert shifted.stack[1] is base.stack  # the tail is shared, not copied


def test_tree_of_non_terminal_state_raises() -> None:
    with pytest.raises(ParserError):
        _run(3, [S, S]).tree()


@settings(deadline=None)
@given(st.integers(0, 12), st.data())
def test_random_legal_walk_builds_a_valid_tree(n: int, data: st.DataObject) -> None:
    state = initial(n)
    steps = 0
    while not state.is_terminal:
        legal = [t for t in Transition if legal_mask(state)[t]]
        assert legal, "a non-terminal state always has a legal move"
        state = apply(state, data.draw(st.sampled_from(legal)))
        steps += 1
        assert steps <= 2 * n + n * n * n  # swaps are bounded (inversions)
    tree = state.tree()
    assert len(tree.heads) == n
    assert sum(h == -1 for h in tree.heads) == (1 if n else 0)
