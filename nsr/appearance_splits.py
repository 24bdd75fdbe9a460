"""Splits by appearance: two kinds of image read as one symbol, told apart by their looks
and by what they mean.

When a kind of image first appears (the operators, at the second curriculum stage),
perception may read two kinds as one symbol (``-`` and ``*`` say). Its examples then mix
two functions, no program explains most of them, and every input holding either kind
fails. Abduction revises one input at a time and cannot undo this: a split moves every
position of the symbol, and a move to a known symbol needs a program that fits.

This step looks at the occurrences (positions with their node examples) of each poorly
explained symbol in one round's pseudo-labels. It clusters their images in two by how
the network sees them (k-means on its hidden layer), finds what each cluster's examples
mean (:meth:`SemanticModule.fit`), and, where the two meanings differ and together
explain clearly more than the symbol's current meaning, moves the smaller cluster to a
new symbol. Perception then learns those images as the new symbol, and each side keeps
the meaning found for it. Gold classes play no part; only the examples' values decide.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch

from nsr.errors import ConfigError
from nsr.gss import node_examples_at
from nsr.machine import Machine
from nsr.symbol_splits import FreshSymbols
from nsr.types import DependencyTree
from perception.cnn import kmeans
from semantics.module import Fit, SemanticModule


@dataclass(frozen=True)
class Occurrence:
    """One node of a pseudo-labelled tree: its symbol, token and example."""

    symbol: int
    token: str
    args: tuple
    value: Any
    weight: float
    group: Any = None
    """Alternative readings of one observation share a group (see ``collect``)."""


@dataclass(frozen=True)
class Side:
    """One cluster of a split symbol: its tokens, examples and meaning."""

    origin: int
    tokens: frozenset[str]
    counter: Counter
    fit: Fit
    explained: float

    @property
    def weight(self) -> float:
        return sum(self.counter.values())


@dataclass(frozen=True)
class Move:
    """Occurrences of ``origin`` whose token is in ``tokens`` go to ``target``."""

    origin: int
    tokens: frozenset[str]
    target: int
    fit: Fit


@dataclass(frozen=True)
class SplitSettings:
    """When a symbol is examined, and when its split is taken."""

    min_weight: float = 40.0
    """Occurrences (by weight) a symbol needs to be examined."""
    below: float = 0.9
    """Examined only if its current meaning explains less than this share of them."""
    max_symbols: int = 4
    """At most this many symbols per round, the worst explained first."""
    min_share: float = 0.1
    """Each cluster holds at least this share of the occurrences."""
    explains: float = 0.8
    """The two meanings together explain at least this share."""
    gain: float = 0.1
    """... and this share more than the current meaning does."""


def occurrences(tokens: Sequence[str], symbols: Sequence[int], tree: DependencyTree,
                values: Sequence[Any], weight: float, group: Any = None
                ) -> list[Occurrence]:
    """The occurrences of one pseudo-labelled tree whose values are known."""
    return [Occurrence(s, tokens[node], args, value, weight, group)
            for node, s, args, value in node_examples_at(symbols, tree, values)]


def _counter(occs: Sequence[Occurrence]) -> Counter:
    """Examples in :attr:`SemanticModule.examples`' form."""
    out: Counter = Counter()
    for o in occs:
        out[(o.args, o.value, o.group)] += o.weight
    return out


def find_splits(machine: Machine, occs: Sequence[Occurrence], fresh: FreshSymbols,
                rng: random.Random, settings: SplitSettings = SplitSettings()
                ) -> list[Move]:
    """The moves of the splits by appearance this round's occurrences support (module
    docstring). Sides of different symbols with one meaning share a symbol (two
    symbols that each mix ``-`` and ``*`` become one of each); a side takes a symbol
    that already has its meaning, else one of its origins, else a free symbol."""
    if not hasattr(machine.perception, "embeddings"):
        raise ConfigError("appearance_splits needs image perception (it clusters the "
                          "network's view of the images)")
    sem = machine.semantics
    by_symbol: dict[int, list[Occurrence]] = defaultdict(list)
    for o in occs:
        if not sem.literals.is_literal(o.symbol):
            by_symbol[o.symbol].append(o)
    candidates = []
    for s, group in by_symbol.items():
        counter = _counter(group)
        total = sum(counter.values())
        if total < settings.min_weight:
            continue
        share = sem.explained_now(s, counter) / total
        if share < settings.below:
            candidates.append((share, s))
    sides: list[Side] = []
    for share, s in sorted(candidates)[: settings.max_symbols]:
        sides += _split_sides(machine, s, by_symbol[s], share, rng, settings)
    return _assign(sem, sides, set(by_symbol), fresh, machine.perception.config.num_symbols)


def _split_sides(machine: Machine, s: int, occs: list[Occurrence], share: float,
                 rng: random.Random, settings: SplitSettings) -> list[Side]:
    """The two sides of ``s`` if its images cluster into two meanings, else none."""
    sem = machine.semantics
    tokens = sorted({o.token for o in occs})
    if len(tokens) < 2:
        return []
    feats = machine.perception.embeddings(tokens)
    feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-6)
    generator = torch.Generator().manual_seed(rng.randrange(2**31))
    side_of = dict(zip(tokens, kmeans(feats, 2, generator=generator).tolist()))
    parts = [[o for o in occs if side_of[o.token] == k] for k in (0, 1)]
    weights = [sum(o.weight for o in part) for part in parts]
    total = sum(weights)
    if min(weights) < settings.min_share * total:
        return []
    counters = [_counter(part) for part in parts]
    fits = [sem.fit(c) for c in counters]
    if fits[0] is None or fits[1] is None:
        return []
    own = [sem.explained(f, c) for f, c in zip(fits, counters)]
    crossed = [sem.explained(fits[1 - k], counters[k]) for k in (0, 1)]
    if any(crossed[k] >= 0.5 * own[k] for k in (0, 1)):
        return []  # one meaning serves both sides: one symbol, written two ways
    if sum(own) < settings.explains * total or sum(own) < (share + settings.gain) * total:
        return []
    return [Side(s, frozenset(t for t in tokens if side_of[t] == k), counters[k], fits[k],
                 own[k]) for k in (0, 1)]


def _same(sem: SemanticModule, fit: Fit, side: Side) -> bool:
    """Whether ``fit`` explains ``side``'s examples nearly as well as its own meaning."""
    return sem.explained(fit, side.counter) >= 0.9 * side.explained


def _assign(sem: SemanticModule, sides: list[Side], occurring: set[int],
            fresh: FreshSymbols, budget: int) -> list[Move]:
    groups: list[list[Side]] = []
    for side in sides:
        for g in groups:
            if _same(sem, g[0].fit, side) and _same(sem, side.fit, g[0]):
                g.append(side)
                break
        else:
            groups.append([side])
    origins = {side.origin for side in sides}
    others = [t for t, m in sorted(sem.meanings.items()) if t not in origins]
    spare = [t for t in range(budget)  # perceived, but with no meaning and no use now
             if t not in sem.meanings and t not in occurring and t not in fresh.free]
    taken: set[int] = set()
    moves = []
    for g in sorted(groups, key=lambda g: -sum(x.weight for x in g)):
        head = max(g, key=lambda x: x.weight)
        same_meaning = [t for t in others if t not in taken and _same(
            sem, Fit(sem.meanings[t].program, 0, 0), head)]
        by_weight = sorted({x.origin for x in g},
                           key=lambda o: -sum(x.weight for x in g if x.origin == o))
        target = next((t for t in same_meaning + by_weight if t not in taken), None)
        if target is None:
            target = fresh.get(("appearance", len(taken)))
        if target is None and spare:
            target = spare.pop(0)
        if target is None:
            continue
        taken.add(target)
        moves += [Move(x.origin, x.tokens, target, head.fit) for x in g]
    return moves


def apply_splits(moves: Sequence[Move], sem: SemanticModule, occs: list[Occurrence],
                 tokens: list[Sequence[str]], symbols: list[tuple[int, ...]]
                 ) -> tuple[list[Occurrence], list[tuple[int, ...]]]:
    """Gives each target its meaning; returns the occurrences and perception's labels
    with the moved tokens on their targets."""
    for mv in moves:
        if mv.fit.program is None:
            sem.set_valueless(mv.target)
        else:
            sem.set_program(mv.target, mv.fit.program, mv.fit.matched, mv.fit.total)
    if not moves:
        return occs, symbols
    where = {(mv.origin, t): mv.target for mv in moves for t in mv.tokens}

    def moved(s: int, token: str) -> int:
        return where.get((s, token), s)

    occs = [replace(o, symbol=moved(o.symbol, o.token)) for o in occs]
    symbols = [tuple(moved(s, t) for s, t in zip(seq, toks))
               for seq, toks in zip(symbols, tokens)]
    return occs, symbols
