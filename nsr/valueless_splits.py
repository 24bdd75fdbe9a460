"""Abduction of valueless symbols hidden under symbols with a program.

An image of ``)`` that perception reads as ``1`` leaves an expression no tree can
explain, and moving every ``1`` of it to a new symbol (a split, :mod:`nsr.symbol_splits`)
fails as soon as the expression also holds a true ``1``. Here one position, or two in
short inputs, moves alone to a new symbol that carries no value. A valueless leaf
changes no value, so each choice of positions is checked on the input without them:
the remaining symbols must have a tree that gives the target with their programs as they
are. The found tree is completed with the valueless leaves, hung where the run's
attachment convention puts them (:func:`nsr.loop.parser_label` relabels them).

A position moves to the valueless symbol perception finds most probable for it; while
there is none, all positions of a round move to one new valueless symbol. Where the run
declares bracket attachment, a choice counts only if every valueless leaf then brackets
a subtree with a partner: in arithmetic over small numbers, dropping two digits often
gives the target by chance, dropping a pair of parentheses around a subtree rarely.

:func:`split_by_role` then separates a valueless symbol whose leaves hang in both
directions (an opening and a closing bracket read alike): their roles in the tree
differ even though neither carries a value, so the minority direction moves to a new
symbol of its own.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

from nsr.abduction import Revision, abduce
from nsr.machine import Machine
from nsr.symbol_splits import FreshSymbols
from nsr.tree_edits import EDIT_MOVES, neighbourhood, unbracketed
from nsr.trees import all_trees
from nsr.types import DependencyTree, Example
from semantics.module import NO_VALUE

VALUELESS_COST = 3.5
"""Where these revisions rank among the loop's symbol variants (after the moves to
symbols with a program, before the splits)."""


def _choices(machine: Machine, example: Example, base: tuple[int, ...], pair_len: int
             ) -> list[tuple[float, tuple[int, ...]]]:
    """Position sets to make valueless, most plausible first: positions whose symbol
    has a (valued) program, alone or in pairs, ranked by how sure perception was."""
    sem = machine.semantics
    movable = [i for i, s in enumerate(base)
               if sem.known(s) and not sem.meanings[s].valueless
               and not sem.literals.is_literal(s)]
    if len(movable) < 1 or len(base) < 2:
        return []
    logp = machine.perception.log_probs([example.inputs[i] for i in movable])
    sure = {i: float(logp[k, base[i]]) for k, i in enumerate(movable)}
    sets: list[tuple[float, tuple[int, ...]]] = [(-sure[i], (i,)) for i in movable]
    if len(base) <= pair_len:
        sets += [(-sure[i] - sure[j], (i, j)) for i, j in combinations(movable, 2)]
    sets = [(cost, p) for cost, p in sets if len(base) - len(p) >= 1]
    sets.sort()
    return sets


def _reduced_trees(machine: Machine, reduced: list[tuple[int, ...]], exhaustive_len: int,
                   beam: int) -> list[list[DependencyTree]]:
    """Candidate trees of each reduced input: all of them for short ones, else the
    parser's beam (one batched search) and the trees one edit from its best."""
    long = [r for r in reduced if len(r) > exhaustive_len]
    beams = iter(machine.parser.beam_batch([machine.parser_view(r) for r in long], k=beam)
                 if long else [])
    out = []
    for r in reduced:
        if len(r) <= exhaustive_len:
            out.append(list(all_trees(len(r), machine.parser.config.projective)))
        else:
            found = [res.tree for res in next(beams)]
            seen = {t.heads for t in found}
            out.append(found + [t for t in neighbourhood(found[0], depth=1, moves=EDIT_MOVES)
                                if t.heads not in seen and machine.parser.can_build(t)]
                       if found else [])
    return out


def _completed(n: int, kept: list[int], tree: DependencyTree) -> DependencyTree:
    """The reduced ``tree`` over positions ``kept`` of an input of ``n`` tokens, with
    every other position a leaf of its nearest kept neighbour (left first)."""
    heads = [-2] * n
    for k, h in zip(kept, tree.heads):
        heads[k] = -1 if h == -1 else kept[h]
    for i in range(n):
        if heads[i] == -2:
            left = [k for k in kept if k < i]
            heads[i] = left[-1] if left else kept[0]
    return DependencyTree(tuple(heads))


def valueless_reserve(machine: Machine) -> list[Any]:
    """The key to reserve first among a round's new symbols (else the splits of the
    first inputs abduced may take every free symbol before it is asked for): the new
    valueless symbol while there is none, the role split of the valueless symbol while
    there is one."""
    valueless = [s for s, m in machine.semantics.meanings.items() if m.valueless]
    if not valueless:
        return [("valueless",)]
    return [("role", valueless[0])] if len(valueless) == 1 else []


def _valueless_symbol(machine: Machine, token: str, fresh: FreshSymbols) -> int | None:
    """The valueless symbol a token moves to: the one perception finds most probable
    for it, or the round's new valueless symbol where none exists yet."""
    sem = machine.semantics
    existing = [s for s, m in sem.meanings.items() if m.valueless]
    if not existing:
        return fresh.get(("valueless",))
    logp = machine.perception.log_probs([token])[0]
    return max(existing, key=lambda s: float(logp[s]))


def valueless_revisions(machine: Machine, example: Example, base: tuple[int, ...],
                        fresh: FreshSymbols, *, pair_len: int = 7, max_len: int = 9,
                        exhaustive_len: int = 4, beam: int = 8, bracket: bool = True
                        ) -> list[Revision]:
    """One revision that makes one or two positions valueless, if any explains
    ``example`` (see the module docstring); inputs longer than ``max_len`` get none.
    With ``bracket`` (the declared attachment of valueless symbols), every valueless
    leaf must bracket a subtree with a partner, as parentheses do."""
    if len(base) > max_len:
        return []
    choices = _choices(machine, example, base, pair_len)
    if not choices:
        return []
    sem = machine.semantics
    silent = {i for i, s in enumerate(base) if sem.known(s) and sem.meanings[s].valueless}
    kept_of = [[i for i in range(len(base)) if i not in chosen and i not in silent]
               for _, chosen in choices]
    reduced = [tuple(base[i] for i in kept) for kept in kept_of]
    trees = _reduced_trees(machine, reduced, exhaustive_len, beam)
    for (cost, chosen), kept, symbols, candidates in zip(choices, kept_of, reduced, trees):
        if not kept:
            continue
        proposals = [(cost + 0.01 * rank, symbols, t) for rank, t in enumerate(candidates)]
        for found in abduce(example.target, proposals, sem, limit=8, max_unknown=0,
                            budget=2000, seconds=1.0):
            tree = _completed(len(base), kept, found.tree)
            if bracket and unbracketed(tree, silent | set(chosen)):
                continue
            new = {i: _valueless_symbol(machine, example.inputs[i], fresh) for i in chosen}
            if any(s is None for s in new.values()):
                return []
            full = tuple(new.get(i, s) for i, s in enumerate(base))
            values: list[Any] = [NO_VALUE] * len(base)
            for k, v in zip(kept, found.values):
                values[k] = v
            return [Revision(full, tree, tuple(values), tuple(sorted(chosen)),
                             VALUELESS_COST + cost)]
    return []


def split_by_role(symbols: list[tuple[int, ...]], trees: list[DependencyTree],
                  valueless: set[int], fresh: FreshSymbols, *, min_count: int = 20,
                  min_share: float = 0.1) -> list[tuple[int, ...]]:
    """``symbols`` with each valueless symbol whose leaves hang both left and right of
    themselves split: the rarer direction (at least ``min_share`` of at least
    ``min_count`` leaves) moves to a new symbol."""
    direction: Counter = Counter()
    for seq, tree in zip(symbols, trees):
        for i, s in enumerate(seq):
            if s in valueless and tree.heads[i] >= 0:
                direction[(s, tree.heads[i] > i)] += 1
    moved: dict[tuple[int, bool], int] = {}
    for s in valueless:
        right, left = direction[(s, True)], direction[(s, False)]
        rare = min(right, left)
        if right + left >= min_count and rare >= min_share * (right + left):
            target = fresh.get(("role", s))
            if target is not None:
                moved[(s, right < left)] = target
    if not moved:
        return symbols
    return [tuple(moved.get((s, tree.heads[i] > i), s) if s in valueless
                  and tree.heads[i] >= 0 else s for i, s in enumerate(seq))
            for seq, tree in zip(symbols, trees)]
