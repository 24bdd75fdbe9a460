"""The immutable configuration of the arc-standard + SWAP transition system.

A :class:`ParserState` is a ``NamedTuple``: every transition returns a *new* state
and shares everything it did not change with the old one, so beam search and
abduction can branch from any state for free.

* The **stack** is a persistent linked list of cons cells ``(item, rest)`` with the
  top first (stanza's persistent stack); pushing and popping are O(1) and never
  copy.
* The **buffer** is a persistent linked list of the items SWAP moved back
  (``buffer``), followed by the unread input positions ``next, next+1, ..., n-1``.
  The initial state is therefore O(1) to build.
* ``heads``, ``left`` and ``right`` are tuples of length n (the parent of each
  position and its leftmost / rightmost dependent so far, -1 for none). An arc
  copies them (O(n), in C), which is cheaper than a persistent map for the short
  sentences this project parses.

Root handling: there is **no artificial root**. A state is terminal when the
buffer is empty and exactly one item is left on the stack; that item is the root
of the tree (its head stays -1). A legal move exists in every non-terminal state,
so parsing never gets stuck.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple, TypeAlias

from nsr.errors import NSRError
from nsr.types import DependencyTree

Link: TypeAlias = tuple[int, "Link"] | None
"""A persistent linked list of positions: ``None`` or ``(item, rest)``."""


class ParserError(NSRError):
    """The parser was asked something its state or inputs cannot answer."""


def iter_link(link: Link) -> Iterator[int]:
    """The items of a linked list, first to last."""
    while link is not None:
        item, link = link
        yield item


class ParserState(NamedTuple):
    """One parser configuration over a sentence of ``n`` positions (see module doc)."""

    n: int
    stack: Link
    depth: int
    buffer: Link
    next: int
    heads: tuple[int, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]

    @classmethod
    def initial(cls, n: int) -> ParserState:
        """The start state: empty stack, every position 0..n-1 in the buffer."""
        if n < 0:
            raise ParserError(f"sentence length must be >= 0, got {n}")
        none = (-1,) * n
        return cls(n, None, 0, None, 0, none, none, none)

    @property
    def is_terminal(self) -> bool:
        """True when the buffer is empty and at most one item (the root) is stacked."""
        return self.buffer is None and self.next == self.n and self.depth <= 1

    @property
    def buffer_empty(self) -> bool:
        """True when no position is left to shift."""
        return self.buffer is None and self.next == self.n

    def stack_items(self) -> tuple[int, ...]:
        """Stack positions from the top (s0) down."""
        return tuple(iter_link(self.stack))

    def buffer_items(self) -> tuple[int, ...]:
        """Buffer positions from the front (b0) on."""
        return tuple(iter_link(self.buffer)) + tuple(range(self.next, self.n))

    def tree(self) -> DependencyTree:
        """The finished tree; the item left on the stack is its root.

        Raises:
            ParserError: if the state is not terminal.
        """
        if not self.is_terminal:
            raise ParserError(
                f"tree() of a non-terminal state: stack={self.stack_items()} "
                f"buffer={self.buffer_items()}"
            )
        return DependencyTree(self.heads)


def initial(n: int) -> ParserState:
    """The start state for a sentence of ``n`` positions (``ParserState.initial``)."""
    return ParserState.initial(n)
