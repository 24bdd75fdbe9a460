"""The four transitions of arc-standard + SWAP (Nivre 2009) and their legality.

With ``s0`` the stack top, ``s1`` the item below it and ``b0`` the buffer front:

* ``SHIFT``: move ``b0`` onto the stack. Legal when the buffer is not empty.
* ``LEFT_ARC``: make ``s0`` the head of ``s1`` and pop ``s1``. Needs two stack items.
* ``RIGHT_ARC``: make ``s1`` the head of ``s0`` and pop ``s0``. Needs two stack items.
* ``SWAP``: move ``s1`` back to the front of the buffer. Legal when ``s1`` comes
  before ``s0`` in the input (position of s1 < position of s0). This is what lets
  the system build non-projective trees without reordering the input, and it
  guarantees termination: each SWAP adds one inversion to the order of the
  remaining items, which only arcs (at most n - 1 of them) can undo.

There is no artificial root (see :mod:`parser.state`), so no move has a root
exception; the terminal state's single stack item is the root.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from parser.state import ParserError, ParserState


class Transition(IntEnum):
    """A parser move; its value is its column in score and mask tensors."""

    SHIFT = 0
    LEFT_ARC = 1
    RIGHT_ARC = 2
    SWAP = 3


NUM_TRANSITIONS = len(Transition)


class IllegalTransitionError(ParserError):
    """A transition was applied in a state where it is not legal."""


def legal_mask(state: ParserState) -> tuple[bool, bool, bool, bool]:
    """Which transitions are legal, indexed by ``Transition`` value."""
    shift = state.buffer is not None or state.next < state.n
    if state.depth < 2:
        return (shift, False, False, False)
    s0, (s1, _) = state.stack  # type: ignore[misc]
    swap = s1 < s0
    return (shift, True, True, swap)


def is_legal(state: ParserState, t: Transition) -> bool:
    """True when ``t`` may be applied to ``state``."""
    return legal_mask(state)[t]


def apply(state: ParserState, t: Transition | int) -> ParserState:
    """The state after transition ``t``; ``state`` itself is unchanged.

    Raises:
        IllegalTransitionError: if ``t`` is not legal in ``state``.
    """
    if not legal_mask(state)[t]:
        raise IllegalTransitionError(
            f"{Transition(t).name} is illegal with stack={state.stack_items()} "
            f"buffer={state.buffer_items()}"
        )
    return _APPLY[t](state)


def apply_unchecked(state: ParserState, t: int) -> ParserState:
    """``apply`` without the legality check, for moves already chosen under a mask."""
    return _APPLY[t](state)


def _set(values: tuple[int, ...], i: int, v: int) -> tuple[int, ...]:
    return values[:i] + (v,) + values[i + 1 :]


def _attach(s: ParserState, head: int, dep: int) -> tuple[tuple[int, ...], ...]:
    heads = _set(s.heads, dep, head)
    lc, rc = s.left[head], s.right[head]
    left = _set(s.left, head, dep) if lc < 0 or dep < lc else s.left
    right = _set(s.right, head, dep) if rc < 0 or dep > rc else s.right
    return heads, left, right


def _shift(s: ParserState) -> ParserState:
    if s.buffer is not None:
        item, rest = s.buffer
        return ParserState(
            s.n, (item, s.stack), s.depth + 1, rest, s.next, s.heads, s.left, s.right
        )
    return ParserState(
        s.n, (s.next, s.stack), s.depth + 1, None, s.next + 1, s.heads, s.left, s.right
    )


def _left_arc(s: ParserState) -> ParserState:
    s0, (s1, below) = s.stack  # type: ignore[misc]
    heads, left, right = _attach(s, s0, s1)
    return ParserState(
        s.n, (s0, below), s.depth - 1, s.buffer, s.next, heads, left, right
    )


def _right_arc(s: ParserState) -> ParserState:
    s0, rest = s.stack  # type: ignore[misc]
    heads, left, right = _attach(s, rest[0], s0)  # type: ignore[index]
    return ParserState(s.n, rest, s.depth - 1, s.buffer, s.next, heads, left, right)


def _swap(s: ParserState) -> ParserState:
    s0, (s1, below) = s.stack  # type: ignore[misc]
    return ParserState(
        s.n, (s0, below), s.depth - 1, (s1, s.buffer), s.next, s.heads, s.left, s.right
    )


_APPLY: tuple[Callable[[ParserState], ParserState], ...] = (
    _shift,
    _left_arc,
    _right_arc,
    _swap,
)
