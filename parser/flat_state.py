"""Parser states as flat tensors: features, legality and moves for many at once.

The tensorized decoders (:mod:`parser.fast_greedy`, :mod:`parser.fast_beam`) keep
every state they track in a few flat ``int64`` arrays. State ``r`` owns the slots
``base[r] .. scratch[r]``: one per input position and, last, a scratch slot that
rows whose move leaves an array alone write to, so every move is one
unconditional scatter.

* ``symbols``: the input symbol at each position.
* ``stack``: stack items bottom-up, ``depth`` of them; s0 is ``stack[depth - 1]``.
* ``buffer``: the buffer as a stack with its front last: b0 is
  ``buffer[size - 1]``. It starts as ``n-1, ..., 1, 0``; SHIFT pops it and SWAP
  pushes s1 onto it, i.e. puts s1 back at the front of the buffer.
* ``heads``: parent of each position, -1 for none. ``left`` / ``right``: leftmost
  and rightmost dependent so far, with "none" stored as :data:`FAR` / -1 so that
  an arc updates them with a plain ``minimum`` / ``maximum``.

The functions here read and write those arrays with a fixed number of tensor
operations for all the rows they are given, and agree with
:func:`parser.features.extend_features`, :func:`parser.transitions.legal_mask`
and :func:`parser.transitions.apply_unchecked` state for state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

import torch

from parser.config import ParserConfig

Forward = Callable[[torch.Tensor], torch.Tensor]
"""Raw transition scores of feature ids: (A, F) -> (A, 4)."""

FAR = 1 << 40  # "no left dependent yet": larger than any position
# Per move (SHIFT, LEFT_ARC, RIGHT_ARC, SWAP): the stack slot written, relative
# to depth (SHIFT pushes b0; LEFT_ARC and SWAP move s0 down over s1; RIGHT_ARC
# rewrites s0 in place, a no-op), and the changes of depth and buffer size.
_STACK_SLOT = (0, -2, -1, -2)
_DEPTH_STEP = (1, -1, -1, -1)
_SIZE_STEP = (-1, 0, 0, 1)


class FlatArrays(Protocol):
    """The flat per-slot arrays (see the module docstring)."""

    symbols: torch.Tensor
    stack: torch.Tensor
    buffer: torch.Tensor
    heads: torch.Tensor
    left: torch.Tensor
    right: torch.Tensor


class FlatRows(Protocol):
    """The states to read or move, ``(A,)`` each: first and scratch slot, depth
    of the stack and size of the buffer."""

    base: torch.Tensor
    scratch: torch.Tensor
    depth: torch.Tensor
    size: torch.Tensor


def features(
    arr: FlatArrays, rows: FlatRows, cfg: ParserConfig
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Feature ids ``(A, F)`` of the rows' states, with their s0, s1 and b0 ``(A,)``.

    Columns follow :func:`parser.features.extend_features`: stack symbols, buffer
    symbols, then (leftmost, rightmost) dependent symbols per child-window item.
    Positions of absent items are garbage but in range; the masks replace them.
    """
    base = rows.base[:, None]  # (A, 1)
    s, b, c = cfg.stack_window, cfg.buffer_window, cfg.child_window
    slot = rows.depth[:, None] - 1 - torch.arange(max(s, 2))  # (A, S') s0, s1, ...
    no_item = slot < 0
    tops = torch.take(arr.stack, base + slot.clamp(min=0))  # (A, S')
    bslot = rows.size[:, None] - 1 - torch.arange(max(b, 1))  # (A, B') b0, b1, ...
    front = torch.take(arr.buffer, base + bslot.clamp(min=0))  # (A, B')
    at = base + tops[:, :c]  # (A, C)
    lk, rk = torch.take(arr.left, at), torch.take(arr.right, at)  # (A, C) each
    no_left, no_right = lk == FAR, rk < 0
    kids = torch.stack((lk.masked_fill(no_left, 0), rk.masked_fill(no_right, 0)), 2)
    pos = torch.cat((tops[:, :s], front[:, :b], kids.flatten(1)), dim=1)  # (A, F)
    ids = torch.take(arr.symbols, base + pos)  # (A, F)
    nochild = torch.stack((no_left, no_right), dim=2).flatten(1)  # (A, 2C)
    absent = torch.cat(
        (
            no_item[:, :s],
            bslot[:, :b] < 0,
            no_item[:, :c, None].expand(-1, c, 2).flatten(1),
        ),
        dim=1,
    )  # (A, F)
    ids[:, s + b :].masked_fill_(nochild, cfg.nochild_id)
    ids.masked_fill_(absent, cfg.none_id)
    return ids, tops[:, 0], tops[:, 1], front[:, 0]


def legal(rows: FlatRows, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
    """``legal_mask`` of the rows' states ``(A, 4)``, columns indexed by move."""
    two = rows.depth >= 2  # (A,)
    return torch.stack((rows.size > 0, two, two, two & (s1 < s0)), dim=1)


def apply_moves(
    arr: FlatArrays,
    rows: FlatRows,
    move: torch.Tensor,
    s0: torch.Tensor,
    s1: torch.Tensor,
    b0: torch.Tensor,
) -> None:
    """Apply one legal move per row, in place (as ``transitions._APPLY``).

    Writes the arrays and the rows' ``depth`` and ``size``.
    """
    base, scratch = rows.base, rows.scratch  # (A,), (A,)
    shift = (move == 0).long()  # (A,)
    left = (move == 1).long()
    arc = left + (move == 2).long()
    swap = (move == 3).long()
    slot = rows.depth + torch.tensor(_STACK_SLOT)[move]
    arr.stack.scatter_(0, base + slot, s0 + shift * (b0 - s0))
    arr.buffer.scatter_(0, scratch + swap * (base + rows.size - scratch), s1)
    rows.depth += torch.tensor(_DEPTH_STEP)[move]
    rows.size += torch.tensor(_SIZE_STEP)[move]
    head = s1 + left * (s0 - s1)  # (A,) LEFT_ARC: s0 <- s1; RIGHT_ARC: s1 -> s0
    dep = s0 + left * (s1 - s0)  # (A,)
    arr.heads.scatter_(0, scratch + arc * (base + dep - scratch), head)
    at = base + head  # (A,)
    leftmost = torch.minimum(torch.take(arr.left, at), dep)
    rightmost = torch.maximum(torch.take(arr.right, at), dep)
    at = scratch + arc * (at - scratch)
    arr.left.scatter_(0, at, leftmost)
    arr.right.scatter_(0, at, rightmost)


@contextmanager
def num_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch threads, restoring the count after it."""
    before = torch.get_num_threads()
    if n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def on_threads(forward: Forward, n: int) -> Forward:
    """``forward`` that always runs with ``n`` torch threads."""

    def scored(ids: torch.Tensor) -> torch.Tensor:
        with num_threads(n):
            return forward(ids)

    return scored
