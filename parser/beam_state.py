"""Beam entries as rows of tensors, and the keys that find identical entries.

:mod:`parser.fast_beam` keeps every entry of every beam as one row ``(6, W)`` of
a tensor ``(R, 6, W)``: the six planes of :mod:`parser.flat_state` (symbols,
stack, buffer, heads, left, right), ``W`` slots each, with ``W`` the longest
sentence's length plus one and the last slot scratch.

Identity. Two entries of one sentence are the same :class:`ParserState` exactly
when their stacks, buffers (as sequences) and heads agree: ``left`` and ``right``
follow from the heads, and a buffer sequence fixes ``ParserState``'s split into
``buffer`` (items SWAP put back) and ``next``, because an item SWAP puts back is
at least two below ``next`` (it goes back from under a larger item, which was
shifted before). :meth:`BeamRows.canonical` writes exactly that information.

Keys. :class:`KeyTable` gives each entry an integer key, the sum of one random
term per (stack slot, item), (buffer slot, item), (position, head) and one per
sentence (Zobrist hashing with ``+`` for xor). Identical entries get identical
keys whatever moves built them; a move changes a few terms, so a child's key
costs O(1) (:meth:`KeyTable.steps`). Terms are small enough that no sum
overflows, so this holds exactly. Distinct entries share a key with a tiny
probability (terms have ``62 - log2(2W + 1)`` random bits, 55 for ``W = 41``),
so a shared key only proposes a merge, which the caller checks with
:meth:`BeamRows.canonical`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from parser.flat_state import FAR

_SEED = 0x5EED_BEA4
# Key terms a move changes, per column: (plane, slot, item) with planes 0 stack,
# 1 buffer, 2 heads (item = head + 1); d depth, z buffer size.
#   0 S[d-2, s0]  1 S[d-2, s1]  2 S[d-1, s0]  3 S[d, b0]  4 B[z-1, b0]
#   5 H[s1, s0+1]  6 H[s1, 0]  7 H[s0, s1+1]  8 H[s0, 0]  9 B[z, s1]
_TERM_PLANE = (0, 0, 0, 0, 1, 2, 2, 2, 2, 1)
# Sign of each term (rows) in each move's key change (columns SHIFT, LEFT_ARC,
# RIGHT_ARC, SWAP): e.g. LEFT_ARC moves s0 down over s1 and makes s0 s1's head.
_TERM_SIGN = (
    (0, 1, 0, 1),
    (0, -1, 0, -1),
    (0, -1, -1, -1),
    (1, 0, 0, 0),
    (-1, 0, 0, 0),
    (0, 1, 0, 0),
    (0, -1, 0, 0),
    (0, 0, 1, 0),
    (0, 0, -1, 0),
    (0, 0, 0, 1),
)


@dataclass
class Rows:
    """First and scratch slots, stack depth and buffer size of some rows ``(A,)``
    (a :class:`parser.flat_state.FlatRows`)."""

    base: torch.Tensor
    scratch: torch.Tensor
    depth: torch.Tensor
    size: torch.Tensor


class BeamRows:
    """Beam entries as rows: the flat arrays and per-row bookkeeping ``(R,)``.

    ``data`` ``(R, 6, W)`` holds per row the planes ``symbols, stack, buffer,
    heads, left, right``; the attributes of those names are flat views of it
    that start at the plane's first slot, so row ``r``'s slots of every plane
    start at ``r * 6 * W`` (a :class:`parser.flat_state.FlatArrays`).
    """

    def __init__(
        self,
        data: torch.Tensor,
        owner: torch.Tensor,
        score: torch.Tensor,
        key: torch.Tensor,
        depth: torch.Tensor,
        size: torch.Tensor,
    ) -> None:
        self.data = data  # (R, 6, W)
        self.owner = owner  # (R,) sentence index
        self.score = score  # (R,) float64 log-probability
        self.key = key  # (R,) KeyTable key
        self.depth = depth  # (R,)
        self.size = size  # (R,)
        self.width = data.shape[2]
        flat = data.view(-1)
        planes = [flat[p * self.width :] for p in range(6)]
        self.symbols, self.stack, self.buffer, self.heads, self.left, self.right = (
            planes
        )

    def __len__(self) -> int:
        return len(self.owner)

    def rows(self, at: torch.Tensor) -> Rows:
        """A ``FlatRows`` of rows ``at`` (its depth and size are copies)."""
        base = at * (6 * self.width)
        return Rows(base, base + self.width - 1, self.depth[at], self.size[at])

    def terminal(self) -> torch.Tensor:
        """Which rows hold terminal states ``(R,)``."""
        return (self.size == 0) & (self.depth <= 1)

    def take(self, at: torch.Tensor, into: torch.Tensor | None = None) -> BeamRows:
        """Copies of rows ``at``, in that order; their planes are written to
        ``into`` ``(len(at), 6, W)`` if given."""
        return BeamRows(
            torch.index_select(self.data, 0, at, out=into),
            self.owner[at],
            self.score[at],
            self.key[at],
            self.depth[at],
            self.size[at],
        )

    def canonical(self) -> torch.Tensor:
        """``(R, 3 + 3W)``: equal rows exactly for identical states (module doc)."""
        col = torch.arange(self.width)
        stack = self.data[:, 1].masked_fill(col >= self.depth[:, None], -1)
        buffer = self.data[:, 2].masked_fill(col >= self.size[:, None], -1)
        heads = self.data[:, 3, :-1]  # without the scratch slot
        counts = torch.stack((self.owner, self.depth, self.size), dim=1)
        return torch.cat((counts, stack, buffer, heads), dim=1)


class Blocks:
    """Two blocks of rows ``(N, 6, W)`` used in turn, so that a step writes its
    rows without allocating (fresh large tensors cost page faults each time)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.blocks = [torch.empty(0, 6, width, dtype=torch.long)] * 2
        self.turn = 0

    def flip(self, rows: int) -> torch.Tensor:
        """``(rows, 6, W)`` of the block not used by the last :meth:`flip`."""
        self.turn ^= 1
        return self.again(rows)

    def again(self, rows: int) -> torch.Tensor:
        """``(rows, 6, W)`` of the block the last :meth:`flip` returned."""
        if len(self.blocks[self.turn]) < rows:
            size = max(rows, 2 * len(self.blocks[self.turn]))
            block = torch.empty(size, 6, self.width, dtype=torch.long)
            self.blocks[self.turn] = block
        return self.blocks[self.turn][:rows]


class KeyTable:
    """Random key terms for the states of ``sentences`` sentences of fewer than
    ``width`` positions (see the module docstring)."""

    def __init__(self, width: int, sentences: int) -> None:
        self.width = width
        # A key sums at most 2 * width + 1 terms; keep every sum below 2**62.
        bits = 62 - (2 * width + 1).bit_length()
        g = torch.Generator().manual_seed(_SEED)
        self.terms = torch.randint(0, 1 << bits, (3 * width * width,), generator=g)
        self.sentence = torch.randint(0, 1 << bits, (sentences,), generator=g)
        self._plane = torch.tensor(_TERM_PLANE) * width * width  # (10,)
        self._sign = torch.tensor(_TERM_SIGN)  # (10, 4)

    def initial(self, owner: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Keys ``(R,)`` of the start states of sentences ``owner`` of ``lengths``."""
        w = self.width
        col = torch.arange(w)  # (W,)
        n = lengths[:, None]  # (R, 1)
        front = (n - 1 - col).clamp(min=0)  # (R, W) buffer n-1, ..., 0
        buffer = torch.take(self.terms, w * w + col * w + front)  # (R, W)
        heads = torch.take(self.terms, 2 * w * w + col * w)  # (W,) no head yet
        return self.sentence[owner] + ((buffer + heads) * (col < n)).sum(dim=1)

    def steps(
        self, rows: Rows, s0: torch.Tensor, s1: torch.Tensor, b0: torch.Tensor
    ) -> torch.Tensor:
        """Key change ``(A, 4)`` of each move from each of ``rows``' states.

        Columns of illegal moves are garbage; ``s0``, ``s1`` and ``b0`` may be
        garbage where absent, but must be positions of the sentence.
        """
        d, z, none = rows.depth, rows.size, torch.zeros_like(s0)
        slot = torch.stack((d - 2, d - 2, d - 1, d, z - 1, s1, s1, s0, s0, z), dim=1)
        item = torch.stack((s0, s1, s0, b0, b0, s0 + 1, none, s1 + 1, none, s1), 1)
        at = self._plane + slot.clamp(min=0) * self.width + item  # (A, 10)
        return torch.take(self.terms, at) @ self._sign  # (A, 4)


def initial_rows(sentences: Sequence[tuple[int, ...]], table: KeyTable) -> BeamRows:
    """One row per non-empty sentence, holding its start state."""
    owner = [b for b, s in enumerate(sentences) if s]
    lengths = torch.tensor([len(sentences[b]) for b in owner], dtype=torch.long)
    col = torch.arange(table.width)  # (W,)
    data = torch.zeros(len(owner), 6, table.width, dtype=torch.long)  # (R, 6, W)
    symbols = [x for b in owner for x in sentences[b]]
    data[:, 0][col < lengths[:, None]] = torch.tensor(symbols, dtype=torch.long)
    data[:, 2] = (lengths[:, None] - 1 - col).clamp(min=0)  # buffer n-1, ..., 0
    data[:, 3] = -1
    data[:, 4] = FAR
    data[:, 5] = -1
    owners = torch.tensor(owner, dtype=torch.long)
    return BeamRows(
        data,
        owners,
        torch.zeros(len(owner), dtype=torch.float64),
        table.initial(owners, lengths),
        torch.zeros(len(owner), dtype=torch.long),
        lengths.clone(),
    )
