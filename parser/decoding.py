"""Batched decoding: greedy, sampling and beam search over many sentences at once.

Every function takes a ``score`` callable that maps the states of one step (and
their sentences) to masked transition log-probabilities ``(B, 4)``, with ``-inf``
for illegal moves. All live states of all sentences are scored together, so the
number of forward passes is the number of steps of the longest derivation, not
the number of sentences.

These per-state decoders are the reference for the faster ones that
``TransitionParser`` runs (:mod:`parser.fast_greedy`, :mod:`parser.fast_beam`,
:mod:`parser.lazy_beam`), which must return exactly what they return.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence

import torch

from parser.state import ParserState
from parser.transitions import NUM_TRANSITIONS, apply_unchecked

Scorer = Callable[[list[ParserState], list[tuple[int, ...]]], torch.Tensor]
"""(states, sentences) -> masked log-probabilities, shape (B, 4)."""

Hypothesis = tuple[float, ParserState]
"""(log-probability of the moves so far, state)."""


def masked_log_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Log-probabilities over legal moves: raw ``scores`` ``(B, 4)`` with ``-inf``
    where ``mask`` ``(B, 4)`` is False."""
    return torch.log_softmax(scores.masked_fill(~mask, -math.inf), dim=1)


def decode(
    score: Scorer,
    sentences: Sequence[tuple[int, ...]],
    *,
    sample: bool = False,
    generator: torch.Generator | None = None,
) -> list[Hypothesis]:
    """Parse every sentence by taking the best (or a sampled) move at each step.

    Returns:
        One terminal ``(log_prob, state)`` per sentence, in input order.
    """
    states = [ParserState.initial(len(s)) for s in sentences]
    totals = [0.0] * len(states)
    active = [i for i, s in enumerate(states) if not s.is_terminal]
    while active:
        logp = score([states[i] for i in active], [sentences[i] for i in active])
        if sample:
            choice = torch.multinomial(logp.exp(), 1, generator=generator)  # (A, 1)
        else:
            choice = logp.argmax(dim=1, keepdim=True)  # (A, 1)
        picked = logp.gather(1, choice).squeeze(1)  # (A,)
        for i, move, lp in zip(active, choice.squeeze(1).tolist(), picked.tolist()):
            states[i] = apply_unchecked(states[i], move)
            totals[i] += lp
        active = [i for i in active if not states[i].is_terminal]
    return list(zip(totals, states))


def beam_search(
    score: Scorer, sentences: Sequence[tuple[int, ...]], k: int
) -> list[list[Hypothesis]]:
    """Keep the ``k`` most probable derivations per sentence until all are finished.

    Finished derivations stay in the beam and compete with unfinished ones (whose
    log-probability can only fall), so the search stops once the top ``k`` are all
    terminal. Identical configurations reached by different move orders are merged,
    keeping the better score, so the returned trees are distinct.

    Returns:
        Per sentence, up to ``k`` terminal hypotheses, best first.
    """
    if k < 1:
        raise ValueError(f"beam size must be >= 1, got {k}")
    beams: list[list[Hypothesis]] = [
        [(0.0, ParserState.initial(len(s)))] for s in sentences
    ]
    while True:
        rows = [
            (b, h)
            for b, beam in enumerate(beams)
            for h, (_, state) in enumerate(beam)
            if not state.is_terminal
        ]
        if not rows:
            return beams
        logp = score([beams[b][h][1] for b, h in rows], [sentences[b] for b, _ in rows])
        candidates: dict[int, dict[ParserState, float]] = {}
        for b, _ in rows:
            if b not in candidates:
                candidates[b] = {s: lp for lp, s in beams[b] if s.is_terminal}
        for (b, h), row in zip(rows, logp.tolist()):
            base, state = beams[b][h]
            pool = candidates[b]
            for move in range(NUM_TRANSITIONS):
                if row[move] == -math.inf:
                    continue
                child = apply_unchecked(state, move)
                total = base + row[move]
                if total > pool.get(child, -math.inf):
                    pool[child] = total
        for b, pool in candidates.items():
            best = heapq.nlargest(k, pool.items(), key=lambda item: item[1])
            beams[b] = [(lp, s) for s, lp in best]
