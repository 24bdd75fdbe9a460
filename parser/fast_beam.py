"""Tensorized beam search: every beam entry of every sentence as rows of tensors.

:func:`parser.decoding.beam_search` keeps its beams as lists of persistent
:class:`ParserState` objects, extracts features and applies every legal move in
Python and merges identical children in a dict, which dominates its time.
:func:`beam_tensor` runs the same search with a fixed number of tensor operations
per step for all entries of all beams (rows laid out as in
:mod:`parser.beam_state`) and returns the same beams: the same trees and
log-probabilities, in the same order.

Rows are grouped by sentence in input order and best first within a sentence, as
``beam_search`` orders its beams; a sentence leaves the rows once all its entries
are terminal. A step, as in ``beam_search``:

1. The non-terminal rows, in order, are scored in one batch: the model sees the
   feature matrix ``beam_search`` builds, row for row, so the scores agree bit
   for bit.
2. Candidates are listed in the order ``beam_search`` inserts them into its dict:
   per sentence, its terminal entries, then each (entry, move) child, entries in
   beam order and moves in ``Transition`` order. A child scores its parent's
   score plus the move's log-probability, a float64 sum as in Python. Only
   candidates scoring above ``-inf`` enter (the dict takes no others).
3. Identical states merge into a group holding the best score and the position of
   its first member: a dict keeps a key where it was first inserted and replaces
   its value only by a strictly larger one.
4. Per sentence the ``k`` best groups are kept, ties going to the earlier position
   (``heapq.nlargest`` is a stable sort on the score).

Merging. Candidates are grouped by :class:`parser.beam_state.KeyTable` keys,
which agree for identical states. Every merged member of a kept group is built
and compared with the group's first member; if one differs (keys of distinct
states collided), the step groups all candidates by their full states instead.
A collision in a group that is not kept changes nothing: the merged group ranks
at least as high as each of its parts, so none of them would have been kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from parser.beam_state import BeamRows, Blocks, KeyTable, initial_rows
from parser.config import ParserConfig
from parser.decoding import masked_log_softmax
from parser.flat_state import (
    Forward,
    apply_moves,
    features,
    legal,
    num_threads,
    on_threads,
)

Beam = list[tuple[float, tuple[int, ...]]]
"""One sentence's beam: (log-probability, heads) per entry, best first."""

Moved = tuple[torch.Tensor, torch.Tensor, torch.Tensor]
"""s0, s1 and b0 ``(L,)`` of the step's live rows."""


@dataclass
class _Candidates:
    """A step's candidates ``(C,)`` in insertion order (see the module docstring)."""

    row: torch.Tensor  # beam row of the entry, or of the child's parent
    move: torch.Tensor  # the child's move; -1 for a terminal entry kept as is
    at: torch.Tensor  # the parent's index among the live rows (children only)
    score: torch.Tensor  # float64
    key: torch.Tensor
    children_only: bool  # no terminal entries among them


def _candidates(
    beam: BeamRows,
    live: torch.Tensor,
    logp: torch.Tensor,
    key_steps: torch.Tensor,
    ends: torch.Tensor,
) -> _Candidates:
    """Terminal entries ``ends`` and the children of rows ``live``, in insertion
    order; ``logp`` and ``key_steps`` ``(L, 4)`` score and key each live move."""
    score = (beam.score[live, None] + logp.double()).flatten()  # (4L,)
    key = (beam.key[live, None] + key_steps).flatten()  # (4L,)
    at = torch.arange(len(live)).repeat_interleave(4)  # (4L,)
    move = torch.arange(4).repeat(len(live))  # (4L,)
    row = live[at]
    if len(ends):
        span = 5 * len(beam)  # insertion positions: owner-major, terminals first
        first = beam.owner[ends] * span + ends
        later = beam.owner[row] * span + len(beam) + 4 * row + move
        order = torch.argsort(torch.cat((first, later)))
        row = torch.cat((ends, row))[order]
        move = torch.cat((torch.full_like(ends, -1), move))[order]
        at = torch.cat((torch.zeros_like(ends), at))[order]
        score = torch.cat((beam.score[ends], score))[order]
        key = torch.cat((beam.key[ends], key))[order]
    keep = torch.nonzero(score > -math.inf).squeeze(1)  # (C,)
    chosen = (row[keep], move[keep], at[keep], score[keep], key[keep])
    return _Candidates(*chosen, children_only=not len(ends))


def _rank(owner: torch.Tensor, score: torch.Tensor, k: int) -> torch.Tensor:
    """Groups to keep ``(S,)``, in beam order: per sentence the ``k`` of highest
    ``score``, ties to the earlier group. ``owner`` and ``score`` ``(G,)`` list the
    groups in insertion order (so owners ascend)."""
    _, sent, count = torch.unique_consecutive(
        owner, return_inverse=True, return_counts=True
    )  # (G,), (B,)
    start = torch.cumsum(count, 0) - count  # (B,) each sentence's first group
    pos = torch.arange(len(owner)) - start[sent]  # (G,) place within the sentence
    table = torch.full((len(count), int(count.max())), -math.inf, dtype=torch.float64)
    table[sent, pos] = score  # (B, P), -inf past each sentence's groups
    ranked = torch.sort(table, dim=1, descending=True, stable=True)
    top, at = ranked.values[:, :k], ranked.indices[:, :k]  # (B, k)
    return (start[:, None] + at)[top > -math.inf]


def _build(
    beam: BeamRows,
    cand: _Candidates,
    picked: torch.Tensor,
    moved: Moved,
    into: torch.Tensor | None = None,
) -> BeamRows:
    """The states of candidates ``picked``: entries copied, children moved (rows
    written to ``into``, if given)."""
    move = cand.move[picked]
    out = beam.take(cand.row[picked], into)
    out.score, out.key = cand.score[picked], cand.key[picked]
    at = cand.at[picked]
    if cand.children_only:
        rows = out.rows(torch.arange(len(out)))
        rows.depth, rows.size = out.depth, out.size  # moved in place
        apply_moves(out, rows, move, moved[0][at], moved[1][at], moved[2][at])
        return out
    child = torch.nonzero(move >= 0).squeeze(1)
    rows = out.rows(child)
    at = at[child]
    apply_moves(out, rows, move[child], moved[0][at], moved[1][at], moved[2][at])
    out.depth[child] = rows.depth
    out.size[child] = rows.size
    return out


def _choose(
    beam: BeamRows, cand: _Candidates, group: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Merge candidates by ``group`` ``(C,)`` and pick the groups to keep.

    Returns:
        Per kept group, in beam order: its first member (a candidate index) and
        best score ``(S,)``; then the other members of kept groups (candidate
        indices) and the kept group of each, as an index into the first two.
    """
    count = int(group.max()) + 1
    index = torch.arange(len(group))  # (C,)
    first = torch.full((count,), len(group)).scatter_reduce_(0, group, index, "amin")
    best = torch.full((count,), -math.inf, dtype=torch.float64)
    best.scatter_reduce_(0, group, cand.score, "amax")  # (G,)
    order = torch.argsort(first)  # groups in insertion order
    owner = beam.owner[cand.row[first[order]]]
    kept = order[_rank(owner, best[order], k)]  # (S,)
    slot = torch.full((count,), -1)
    slot[kept] = torch.arange(len(kept))
    member_slot = slot[group]  # (C,)
    members = torch.nonzero((member_slot >= 0) & (index != first[group])).squeeze(1)
    return first[kept], best[kept], members, member_slot[members]


def _step(
    beam: BeamRows,
    score: Forward,
    cfg: ParserConfig,
    k: int,
    table: KeyTable,
    blocks: Blocks,
) -> BeamRows:
    """One iteration of ``beam_search``: expand every live entry by every legal
    move and keep the ``k`` best distinct states per sentence."""
    terminal = beam.terminal()  # (R,)
    live = torch.nonzero(~terminal).squeeze(1)  # (L,)
    rows = beam.rows(live)
    ids, s0, s1, b0 = features(beam, rows, cfg)  # (L, F), (L,) x 3
    logp = masked_log_softmax(score(ids), legal(rows, s0, s1))  # (L, 4)
    steps = table.steps(rows, s0, s1, b0)  # (L, 4)
    ends = torch.nonzero(terminal).squeeze(1)
    cand = _candidates(beam, live, logp, steps, ends)
    _, group = torch.unique(cand.key, return_inverse=True)  # (C,)
    picked, best, members, slots = _choose(beam, cand, group, k)
    out = _build(beam, cand, picked, (s0, s1, b0), blocks.flip(len(picked)))
    out.score = best
    if len(members):
        merged = _build(beam, cand, members, (s0, s1, b0)).canonical()
        if not torch.equal(merged, out.take(slots).canonical()):  # key collision
            group = _exact_groups(beam, cand, (s0, s1, b0))
            picked, best, _, _ = _choose(beam, cand, group, k)
            out = _build(beam, cand, picked, (s0, s1, b0), blocks.again(len(picked)))
            out.score = best
    return out


def _exact_groups(beam: BeamRows, cand: _Candidates, moved: Moved) -> torch.Tensor:
    """Group ``(C,)`` of every candidate by its full state (no keys)."""
    states = _build(beam, cand, torch.arange(len(cand.score)), moved).canonical()
    return torch.unique(states, dim=0, return_inverse=True)[1]


def _retire(
    beam: BeamRows, found: list[Beam], lengths: list[int], blocks: Blocks
) -> BeamRows:
    """Move the sentences whose entries are all terminal from ``beam`` to
    ``found``; return the rest."""
    terminal = beam.terminal()
    if not bool(terminal.any()):
        return beam
    busy = torch.zeros(len(found), dtype=torch.bool)
    busy[beam.owner[~terminal]] = True
    done = ~busy[beam.owner]  # (R,)
    if not bool(done.any()):
        return beam
    at = torch.nonzero(done).squeeze(1)
    heads = beam.data[:, 3].index_select(0, at).tolist()
    for b, lp, h in zip(beam.owner[at].tolist(), beam.score[at].tolist(), heads):
        found[b].append((lp, tuple(h[: lengths[b]])))
    rest = torch.nonzero(~done).squeeze(1)
    return beam.take(rest, blocks.flip(len(rest)))


def beam_tensor(
    forward: Forward, sentences: Sequence[tuple[int, ...]], cfg: ParserConfig, k: int
) -> list[Beam]:
    """Beam search over all sentences at once, entry for entry as ``beam_search``.

    Args:
        forward: raw transition scores of feature ids (the model, in eval mode).
        sentences: symbol tuples, already range-checked.
        cfg: feature windows and special ids.
        k: beam size.

    Returns:
        Per sentence, in order, up to ``k`` terminal ``(log_prob, heads)``, best
        first.

    Raises:
        ValueError: if ``k < 1``.
    """
    if k < 1:
        raise ValueError(f"beam size must be >= 1, got {k}")
    scored = on_threads(forward, torch.get_num_threads())
    lengths = [len(s) for s in sentences]
    found: list[Beam] = [[(0.0, ())] if n == 0 else [] for n in lengths]
    with num_threads(1):
        table = KeyTable(max(lengths, default=0) + 1, len(sentences))
        beam = initial_rows(sentences, table)
        blocks = Blocks(table.width)
        while len(beam):
            beam = _step(beam, scored, cfg, k, table, blocks)
            beam = _retire(beam, found, lengths, blocks)
    return found
