"""Tensorized greedy (and sampled) decoding: every parser state of a batch as tensors.

:func:`parser.decoding.decode` keeps one persistent :class:`ParserState` per
sentence and extracts features and applies moves in Python, which dominates its
time on large batches. :func:`decode_tensor` makes the same moves with a fixed
number of tensor operations per step for all live sentences at once.

Layout. Sentence ``b`` of length ``n`` owns the ``n + 1`` slots
``base[b] .. base[b] + n`` of the flat arrays of :mod:`parser.flat_state`
(ragged: no padding to the longest sentence, and a step touches only live
sentences); slot ``n`` is its scratch slot.

Exactness. Live sentences stay in input order and are scored together, so each
step's feature matrix has the rows, in the order, that ``decode`` builds. Legality
is :func:`parser.transitions.legal_mask`'s, the argmax breaks ties the same way
(first maximum) and log-probabilities are summed in float64 in ``decode``'s order.
With ``cache=False`` the model therefore sees bit-identical inputs and every tree
and log-probability is identical. The default ``cache=True`` scores each distinct
feature row once (:class:`parser.score_cache.ScoreCache`), in a batch of at least
``_MIN_ROWS_PER_THREAD`` rows per thread; steps with fewer live sentences are
scored whole, as ``decode`` scores them. That is bit-identical too as long as the
BLAS kernel gives a row the same result in any batch that large, which
``tests/test_parser_fast_greedy.py`` checks: products of 1 to 3 rows (per thread)
can differ in the last bit from larger ones, hence the floor. Were it ever
violated, scores would differ by float rounding only, so a tree could change only
where two moves tie to within it.

Threads. Everything but the model runs on one thread: the ops are mid-sized (one
element per live sentence or feature) and, on a busy machine, multi-threaded ones
spent most of their time waiting at barriers (20 s instead of 3 s for HINT's test
set on 2 loaded cores). The model runs with the caller's thread count, since the
threads' share of rows decides which BLAS kernel a small batch gets (see above).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import torch

from parser.config import ParserConfig
from parser.decoding import masked_log_softmax
from parser.flat_state import (
    FAR,
    Forward,
    apply_moves,
    features,
    legal,
    num_threads,
    on_threads,
)
from parser.score_cache import ScoreCache, code_rows, row_codes

_MIN_ROWS_PER_THREAD = 16  # cache only batches this big per thread (docstring)


class _Arrays:
    """The flat per-slot arrays of all sentences (see the module docstring)."""

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
        flat = list(chain.from_iterable(sentences))
        self.symbols[col < n] = torch.tensor(flat, dtype=torch.long)
        self.stack = torch.zeros(total, dtype=torch.long)  # (T,)
        self.buffer = (n - 1 - col).clamp(min=0)  # (T,) n-1, ..., 0, scratch
        self.heads = torch.full((total,), -1, dtype=torch.long)  # (T,)
        self.left = torch.full((total,), FAR, dtype=torch.long)  # (T,)
        self.right = torch.full((total,), -1, dtype=torch.long)  # (T,)

    def heads_of(self) -> list[tuple[int, ...]]:
        """Every sentence's head array."""
        flat = self.heads.tolist()
        starts, lengths = self.base.tolist(), self.lengths.tolist()
        return [tuple(flat[s : s + n]) for s, n in zip(starts, lengths)]


class _Live:
    """Columns of the live sentences ``(A,)``, in input order, compacted as they end."""

    def __init__(self, arrays: _Arrays) -> None:
        self.rows = torch.nonzero(arrays.lengths > 0).squeeze(1)  # (A,)
        self.base = arrays.base[self.rows]
        self.scratch = self.base + arrays.lengths[self.rows]
        self.depth = torch.zeros_like(self.rows)
        self.size = arrays.lengths[self.rows]

    def drop_finished(self) -> None:
        done = (self.size == 0) & (self.depth <= 1)  # (A,)
        if bool(done.any()):
            keep = torch.nonzero(~done).squeeze(1)
            for name in ("rows", "base", "scratch", "depth", "size"):
                setattr(self, name, getattr(self, name).index_select(0, keep))


class _CachedForward:
    """``forward`` run once per distinct feature row (see the module docstring)."""

    def __init__(self, forward: Forward, cfg: ParserConfig, min_rows: int) -> None:
        self.forward, self.cfg, self.min_rows = forward, cfg, min_rows
        self.cache = ScoreCache(columns=4)

    def __call__(self, ids: torch.Tensor) -> torch.Tensor:
        codes = row_codes(ids, self.cfg.vocab_size)  # (A,)
        if codes is None or len(ids) < self.min_rows:
            return self.forward(ids)  # (A, 4), exactly as decode scores it
        slot = self.cache.find(codes)  # (A,)
        missing = slot < 0
        out = self.cache.values.index_select(0, slot.clamp(min=0))  # (A, 4)
        if bool(missing.any()):
            new, where = torch.unique(codes[missing], return_inverse=True)  # (M,)
            rows = code_rows(new, self.cfg.vocab_size, ids.shape[1])  # (M, F)
            if len(rows) < self.min_rows:
                pad = rows[:1].expand(self.min_rows - len(rows), -1)
                rows = torch.cat((rows, pad))
            scores = self.forward(rows)[: len(new)]  # (M, 4)
            self.cache.insert(new, scores)  # may rehash: slots are stale after
            out[missing] = scores[where]
        return out


def decode_tensor(
    forward: Forward,
    sentences: Sequence[tuple[int, ...]],
    cfg: ParserConfig,
    *,
    sample: bool = False,
    generator: torch.Generator | None = None,
    cache: bool = True,
) -> list[tuple[float, tuple[int, ...]]]:
    """Greedy (or sampled) parses of all sentences, move for move as ``decode``.

    Args:
        forward: raw transition scores of feature ids (the model, in eval mode).
        sentences: symbol tuples, already range-checked.
        cfg: feature windows and special ids.
        sample: draw each move from the model instead of taking the best one.
        generator: random source for ``sample``.
        cache: score each distinct feature row once (see the module docstring).

    Returns:
        Per sentence, in order, the log-probability of its moves and its heads.
    """
    threads = torch.get_num_threads()
    scored = on_threads(forward, threads)
    min_rows = _MIN_ROWS_PER_THREAD * threads
    score = _CachedForward(scored, cfg, min_rows) if cache else scored
    totals = torch.zeros(len(sentences), dtype=torch.float64)  # (B,)
    with num_threads(1):
        arr = _Arrays(sentences)
        live = _Live(arr)
        while len(live.rows):
            ids, s0, s1, b0 = features(arr, live, cfg)  # (A, F), (A,) x 3
            logp = masked_log_softmax(score(ids), legal(live, s0, s1))  # (A, 4)
            if sample:
                choice = torch.multinomial(logp.exp(), 1, generator=generator)
            else:
                choice = logp.argmax(dim=1, keepdim=True)  # (A, 1)
            picked = logp.gather(1, choice).squeeze(1)  # (A,)
            totals.index_add_(0, live.rows, picked.double())
            apply_moves(arr, live, choice.squeeze(1), s0, s1, b0)
            live.drop_finished()
        heads = arr.heads_of()
    return list(zip(totals.tolist(), heads))
