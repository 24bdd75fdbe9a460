"""Beam search for a few sentences: per-state Python that builds only kept children.

:mod:`parser.fast_beam` pays a fixed cost of a few hundred tensor operations per
step, which only pays off with dozens of beam entries per step; a single
sentence's beam has at most ``k``. :func:`beam_lazy` is
:func:`parser.decoding.beam_search` with one change: a child is first known only
by its score and its :class:`parser.beam_state.KeyTable` key, both O(1) from its
parent, and the state itself is built only for the ``k`` children kept. That
saves most of the Python work per child, which dominates ``beam_search``'s time.

Exactness. Steps, scoring batches, insertion order, merging and ranking are
``beam_search``'s: a candidate is inserted under its key when it scores above
``-inf``, a group's score is replaced only by a strictly larger one, and the
``k`` best are taken by a stable sort, as ``heapq.nlargest`` takes them (ties go
to the earlier insertion). Keys of identical states agree, so merges are never
missed; a merge proposed by equal keys is checked by building both states
whenever the group is kept, and a sentence whose check fails (keys of distinct
states collided) redoes the step with states as keys, as ``beam_search`` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from parser.beam_state import KeyTable
from parser.decoding import Hypothesis, Scorer
from parser.state import ParserState
from parser.transitions import apply_unchecked

_SIZE_STEP = (-1, 0, 0, 1)  # buffer size change per move
Entry = tuple[float, ParserState, int, int]
"""A beam entry: log-probability, state, key, buffer size."""
Origin = tuple[Entry, int]
"""Where a candidate comes from: an entry and a move (-1: the entry itself)."""
T = TypeVar("T")


class _Keys:
    """:class:`KeyTable` terms as Python ints, and the key of each move."""

    def __init__(self, table: KeyTable) -> None:
        self.w = table.width
        self.terms = table.terms.tolist()
        self.sentence = table.sentence.tolist()

    def initial(self, b: int, n: int) -> int:
        w, t = self.w, self.terms
        buffer = sum(t[w * w + j * w + n - 1 - j] for j in range(n))
        heads = sum(t[2 * w * w + p * w] for p in range(n))
        return self.sentence[b] + buffer + heads

    def children(self, entry: Entry, row: list[float]) -> list[tuple[int, int]]:
        """``(move, key)`` of each move with a log-probability in ``row`` above
        ``-inf`` (legal), from ``entry`` (as ``KeyTable.steps``)."""
        _, state, key, size = entry
        w, t, d = self.w, self.terms, state.depth
        out = []
        if row[0] != -math.inf:
            b0 = state.buffer[0] if state.buffer is not None else state.next
            out.append((0, key + t[d * w + b0] - t[w * w + (size - 1) * w + b0]))
        if d < 2:
            return out
        s0, (s1, _) = state.stack  # type: ignore[misc]
        pop = t[(d - 2) * w + s0] - t[(d - 2) * w + s1] - t[(d - 1) * w + s0]
        if row[1] != -math.inf:
            heads = 2 * w * w + s1 * w
            out.append((1, key + pop + t[heads + s0 + 1] - t[heads]))
        if row[2] != -math.inf:
            heads = 2 * w * w + s0 * w
            out.append((2, key - t[(d - 1) * w + s0] + t[heads + s1 + 1] - t[heads]))
        if row[3] != -math.inf:
            out.append((3, key + pop + t[w * w + size * w + s1]))
        return out


def _best(items: Iterable[T], k: int, key: Callable[[T], float]) -> list[T]:
    """``heapq.nlargest(k, items, key)``, as documented: a stable sort, best first
    (faster for the few dozen items of a step)."""
    return sorted(items, key=key, reverse=True)[:k]


def _built(origin: Origin, key: int) -> Entry:
    (_, state, _, size), move = origin
    if move < 0:
        return origin[0]
    return (0.0, apply_unchecked(state, move), key, size + _SIZE_STEP[move])


def _keep(pool: dict[int, list], k: int) -> list[Entry] | None:
    """The ``k`` best groups of ``pool`` (key -> [score, origin, members]) as
    entries, or None if a merge joined distinct states."""
    kept = []
    for key, (lp, origin, members) in _best(
        pool.items(), k, key=lambda item: item[1][0]
    ):
        entry = _built(origin, key)
        for other in members or ():
            if _built(other, key)[1] != entry[1]:
                return None
        kept.append((lp, entry[1], key, entry[3]))
    return kept


def _exact(
    beam: list[Entry], rows: list[tuple[Entry, list[float]]], keys: _Keys, k: int
) -> list[Entry]:
    """One sentence's step with states as keys, exactly as ``beam_search``."""
    pool: dict[ParserState, tuple[float, Entry]] = {
        e[1]: (e[0], e) for e in beam if e[1].is_terminal
    }
    for entry, row in rows:
        for move, key in keys.children(entry, row):
            child = _built((entry, move), key)
            total = entry[0] + row[move]
            if total > pool.get(child[1], (-math.inf,))[0]:
                pool[child[1]] = (total, child)
    best = _best(pool.values(), k, key=lambda item: item[0])
    return [(lp, e[1], e[2], e[3]) for lp, e in best]


def beam_lazy(
    score: Scorer, sentences: Sequence[tuple[int, ...]], k: int
) -> list[list[Hypothesis]]:
    """``beam_search(score, sentences, k)``, building only the kept children.

    Returns:
        Per sentence, up to ``k`` terminal ``(log_prob, state)``, best first.

    Raises:
        ValueError: if ``k < 1``.
    """
    if k < 1:
        raise ValueError(f"beam size must be >= 1, got {k}")
    width = max((len(s) for s in sentences), default=0) + 1
    keys = _Keys(KeyTable(width, len(sentences)))
    beams: list[list[Entry]] = [
        [(0.0, ParserState.initial(len(s)), keys.initial(b, len(s)), len(s))]
        for b, s in enumerate(sentences)
    ]
    while True:
        rows = [
            (b, e) for b, beam in enumerate(beams) for e in beam if not e[1].is_terminal
        ]
        if not rows:
            return [[(e[0], e[1]) for e in beam] for beam in beams]
        logp = score([e[1] for _, e in rows], [sentences[b] for b, _ in rows])
        by_sentence: dict[int, list[tuple[Entry, list[float]]]] = {}
        for (b, entry), row in zip(rows, logp.tolist()):
            by_sentence.setdefault(b, []).append((entry, row))
        for b, expanded in by_sentence.items():
            pool = _pool(beams[b], expanded, keys)
            beams[b] = _keep(pool, k) or _exact(beams[b], expanded, keys, k)


def _pool(
    beam: list[Entry], rows: list[tuple[Entry, list[float]]], keys: _Keys
) -> dict[int, list]:
    """One sentence's candidates grouped by key: [best score, first origin, other
    origins (None if none)], in ``beam_search``'s insertion order."""
    pool: dict[int, list] = {
        e[2]: [e[0], (e, -1), None] for e in beam if e[1].is_terminal
    }
    for entry, row in rows:
        base = entry[0]
        for move, key in keys.children(entry, row):
            total = base + row[move]
            group = pool.get(key)
            if group is None:
                if total > -math.inf:
                    pool[key] = [total, (entry, move), None]
                continue
            group[0] = max(group[0], total)
            if group[2] is None:
                group[2] = []
            group[2].append((entry, move))
    return pool
