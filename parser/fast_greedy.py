"""Tensorized greedy (and sampled) decoding: every parser state of a batch as tensors.

:func:`parser.decoding.decode` keeps one persistent :class:`ParserState` per
sentence and extracts features and applies moves in Python, which dominates the
time on large batches. :func:`decode_tensor` makes exactly the same moves with a
handful of tensor operations per step for all live sentences at once.

Layout. Sentence ``b`` of length ``n`` owns the ``n + 1`` slots
``base[b] .. base[b] + n`` of a few flat ``int64`` arrays (ragged, no padding to
the longest sentence); slot ``n`` is scratch, written by rows whose move leaves
that array alone, so every move is a single unconditional scatter.

* ``stack``: stack items bottom-up, ``depth`` of them; s0 is ``stack[depth - 1]``.
* ``buffer``: the buffer as a stack, front last: b0 is ``buffer[size - 1]``.
  It starts as ``n-1, ..., 1, 0``; SHIFT pops from it and SWAP pushes s1 on it,
  which is exactly "SWAP puts s1 back at the front of the buffer".
* ``heads``, ``left``, ``right``: parent and leftmost / rightmost dependent of
  each position, -1 for none (as in :class:`ParserState`).

Exactness. Live sentences are kept in input order and scored together, so every
step's feature matrix equals the one ``decode`` builds (same rows, same order) and
the model sees bit-identical inputs; legality follows
:func:`parser.transitions.legal_mask`, the argmax breaks ties the same way, and
log-probabilities are summed in float64 in the same order as ``decode``'s Python
floats. Trees and log-probabilities are therefore identical, not just close.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain

import torch

from parser.config import ParserConfig
from parser.transitions import Transition

IdScorer = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""(ids (A, F), legal mask (A, 4)) -> masked log-probabilities (A, 4)."""

_SHIFT, _LEFT, _RIGHT, _SWAP = (int(t) for t in Transition)


class _Batch:
    """The flat state arrays of all sentences (see the module docstring)."""

    def __init__(self, sentences: Sequence[tuple[int, ...]]) -> None:
        lengths = torch.tensor([len(s) for s in sentences], dtype=torch.long)  # (B,)
        width = lengths + 1  # (B,) slots per sentence, the last one scratch
        self.lengths = lengths
        self.base = torch.cumsum(width, 0) - width  # (B,) first slot of each
        total = int(width.sum())
        owner = torch.repeat_interleave(torch.arange(len(sentences)), width)  # (T,)
        col = torch.arange(total) - self.base[owner]  # (T,) slot within sentence
        n = lengths[owner]  # (T,)
        self.symbols = torch.zeros(total, dtype=torch.long)  # (T,)
        real = col < n
        flat = list(chain.from_iterable(sentences))
        self.symbols[real] = torch.tensor(flat, dtype=torch.long)
        self.stack = torch.zeros(total, dtype=torch.long)  # (T,)
        self.buffer = (n - 1 - col).clamp(min=0)  # (T,) n-1, ..., 0, scratch
        self.heads = torch.full((total,), -1, dtype=torch.long)  # (T,)
        self.left = self.heads.clone()
        self.right = self.heads.clone()
        self.depth = torch.zeros(len(sentences), dtype=torch.long)  # (B,)
        self.size = lengths.clone()  # (B,) buffer size

    def heads_of(self) -> list[tuple[int, ...]]:
        """Every sentence's head array, as tuples."""
        flat = self.heads.tolist()
        starts = self.base.tolist()
        return [
            tuple(flat[s : s + n]) for s, n in zip(starts, self.lengths.tolist())
        ]


def _features(
    st: _Batch, rows: torch.Tensor, cfg: ParserConfig
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Feature ids ``(A, F)`` of live ``rows``, with s0, s1 and b0 positions ``(A,)``.

    Columns follow :func:`parser.features.extend_features`: stack symbols, buffer
    symbols, then (leftmost, rightmost) dependent symbols per child-window item.
    """
    base = st.base[rows]  # (A,)
    depth, size = st.depth[rows], st.size[rows]  # (A,), (A,)
    window = max(cfg.stack_window, 2)
    slot = depth[:, None] - 1 - torch.arange(window)  # (A, W) s0, s1, ...
    has = slot >= 0  # (A, W)
    tops = st.stack[base[:, None] + slot.clamp(min=0)]  # (A, W) positions
    none = cfg.none_id
    columns = []
    if cfg.stack_window:
        sym = st.symbols[base[:, None] + tops[:, : cfg.stack_window]]  # (A, S)
        columns.append(sym.masked_fill(~has[:, : cfg.stack_window], none))
    bslot = size[:, None] - 1 - torch.arange(max(cfg.buffer_window, 1))  # (A, Bw)
    front = st.buffer[base[:, None] + bslot.clamp(min=0)]  # (A, Bw) positions
    if cfg.buffer_window:
        sym = st.symbols[base[:, None] + front]  # (A, Bw)
        columns.append(sym.masked_fill(bslot < 0, none))
    if cfg.child_window:
        c = cfg.child_window
        at = base[:, None] + tops[:, :c]  # (A, C)
        kids = torch.stack((st.left[at], st.right[at]), dim=2)  # (A, C, 2)
        sym = st.symbols[base[:, None, None] + kids.clamp(min=0)]  # (A, C, 2)
        sym = sym.masked_fill(kids < 0, cfg.nochild_id)
        sym = sym.masked_fill(~has[:, :c, None], none)
        columns.append(sym.flatten(1))  # (A, 2C)
    ids = torch.cat(columns, dim=1)  # (A, F)
    return ids, tops[:, 0], tops[:, 1], front[:, 0]


def _legal(st: _Batch, rows: torch.Tensor, s0: torch.Tensor, s1: torch.Tensor
           ) -> torch.Tensor:
    """``legal_mask`` of live rows: (SHIFT, LEFT_ARC, RIGHT_ARC, SWAP), ``(A, 4)``."""
    shift = st.size[rows] > 0  # (A,)
    two = st.depth[rows] >= 2  # (A,)
    swap = two & (s1 < s0)  # (A,)
    return torch.stack((shift, two, two, swap), dim=1)  # (A, 4)


def _apply(
    st: _Batch,
    rows: torch.Tensor,
    move: torch.Tensor,
    s0: torch.Tensor,
    s1: torch.Tensor,
    b0: torch.Tensor,
) -> None:
    """Apply one legal move per live row, in place (``transitions._APPLY``)."""
    base = st.base[rows]  # (A,)
    depth, size = st.depth[rows], st.size[rows]  # (A,), (A,)
    scratch = base + st.lengths[rows]  # (A,)
    shift, left = move == _SHIFT, move == _LEFT
    right, swap = move == _RIGHT, move == _SWAP
    # Stack: SHIFT pushes b0; LEFT_ARC and SWAP drop s1 (s0 moves down a slot);
    # RIGHT_ARC drops s0 (rewriting s0 in place is a no-op).
    slot = torch.where(shift, depth, torch.where(right, depth - 1, depth - 2))
    st.stack[base + slot] = torch.where(shift, b0, s0)
    st.depth[rows] = depth + torch.where(shift, 1, -1)
    # Buffer: SWAP pushes s1 onto the buffer stack; others write scratch.
    st.buffer[torch.where(swap, base + size, scratch)] = s1
    st.size[rows] = size - shift.long() + swap.long()
    # Arcs: LEFT_ARC makes s0 the head of s1, RIGHT_ARC s1 the head of s0.
    arc = left | right
    head = torch.where(left, s0, s1)  # (A,)
    dep = torch.where(left, s1, s0)  # (A,)
    st.heads[torch.where(arc, base + dep, scratch)] = head
    at = torch.where(arc, base + head, scratch)  # (A,)
    lc, rc = st.left[base + head], st.right[base + head]  # (A,), (A,)
    st.left[at] = torch.where((lc < 0) | (dep < lc), dep, lc)
    st.right[at] = torch.where((rc < 0) | (dep > rc), dep, rc)


def decode_tensor(
    score: IdScorer,
    sentences: Sequence[tuple[int, ...]],
    cfg: ParserConfig,
    *,
    sample: bool = False,
    generator: torch.Generator | None = None,
) -> list[tuple[float, tuple[int, ...]]]:
    """Greedy (or sampled) parses of all sentences, as :func:`decoding.decode`.

    Args:
        score: masked log-probabilities of feature ids under legal masks.
        sentences: symbol tuples, already range-checked.
        cfg: the feature windows and special ids.
        sample: draw each move from the model instead of taking the best one.
        generator: random source for ``sample``.

    Returns:
        Per sentence, in order, the log-probability of its moves and its heads.
    """
    st = _Batch(sentences)
    totals = torch.zeros(len(sentences), dtype=torch.float64)  # (B,)
    rows = torch.nonzero(st.lengths > 0).squeeze(1)  # (A,) live, in input order
    while rows.numel():
        ids, s0, s1, b0 = _features(st, rows, cfg)  # (A, F), (A,) x 3
        logp = score(ids, _legal(st, rows, s0, s1))  # (A, 4)
        if sample:
            choice = torch.multinomial(logp.exp(), 1, generator=generator)  # (A, 1)
        else:
            choice = logp.argmax(dim=1, keepdim=True)  # (A, 1)
        totals[rows] += logp.gather(1, choice).squeeze(1).double()
        _apply(st, rows, choice.squeeze(1), s0, s1, b0)
        done = (st.size[rows] == 0) & (st.depth[rows] <= 1)  # (A,)
        rows = rows[~done]
    return list(zip(totals.tolist(), st.heads_of()))
