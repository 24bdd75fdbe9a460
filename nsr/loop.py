"""The deduction-abduction learning loop. It yields events and never prints.

Each round deduces every example of the current curriculum stage, abduces revisions
for the failures, and then updates each module from the pseudo-labels: perception from
the revised symbols, the parser from the revised trees, and each symbol's program from
the (children values -> value) examples its nodes collected.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from nsr.abduction import Revision, abduce
from nsr.appearance_splits import Occurrence, apply_splits, find_splits, occurrences
from nsr.config import LoopConfig
from nsr.machine import Deduction, Machine
from nsr.symbol_splits import FreshSymbols, split_variants
from nsr.tree_edits import attach_to_preceding, bracket_valueless, neighbourhood
from nsr.trees import all_trees
from nsr.types import DependencyTree, Example
from nsr.valueless_splits import (VALUELESS_COST, split_by_role, valueless_reserve,
                                  valueless_revisions)
from semantics.module import NO_VALUE, SemanticModule


def stage_pool(examples: Sequence[Example], max_len: int,
               literals: frozenset[str] = frozenset()) -> list[Example]:
    """The examples of a curriculum stage: at most ``max_len`` tokens, literal tokens
    not counted."""
    if literals:
        return [e for e in examples
                if sum(1 for t in e.inputs if t not in literals) <= max_len]
    return [e for e in examples if len(e.inputs) <= max_len]


def train(machine: Machine, examples: Sequence[Example], config: LoopConfig,
          start_round: int = 0, stage_index: int = 0, in_stage: int = 0,
          best: float = -1.0, since_best: int = 0) -> Iterator[dict[str, Any]]:
    """Run the loop; yields one event per round and a final ``done`` event.

    Each round's random choices are seeded by (seed, round), and each event carries the
    schedule position (with the last stage's best accuracy and the rounds since it, for
    ``config.patience``), so a run resumed from any round's checkpoint continues
    exactly. A round's accuracy is measured before its updates: ``new_best`` marks the
    state the round started from as the last stage's best so far."""
    literals = frozenset(machine.semantics.literals.symbol_of)
    stages = [L for L in config.curriculum if stage_pool(examples, L, literals)] or [10**9]
    for round_no in range(start_round, config.max_rounds):
        rng = random.Random(config.seed * 1_000_003 + round_no)
        t0 = time.monotonic()
        max_len = stages[stage_index]
        pool = stage_pool(examples, max_len, literals)
        event = run_round(machine, pool, config, rng)
        in_stage += 1
        event.update(round=round_no, stage=max_len, pool=len(pool),
                     seconds=round(time.monotonic() - t0, 2))
        last_stage = stage_index == len(stages) - 1
        solved = event["accuracy"] >= config.target_accuracy
        finished = solved and last_stage
        stalled = new_best = False
        if last_stage:
            if event["accuracy"] > best:
                best, since_best, new_best = event["accuracy"], 0, True
            else:
                since_best += 1
            stalled = config.patience is not None and since_best >= config.patience
        if (solved or in_stage >= config.rounds_per_stage) and not last_stage:
            stage_index, in_stage = stage_index + 1, 0
        yield {"event": "round", **event, "solved": finished, "stalled": stalled,
               "new_best": new_best,
               "schedule": {"stage_index": stage_index, "in_stage": in_stage,
                            "best": best, "since_best": since_best}}
        if finished or stalled:
            break
    yield {"event": "done"}


def run_round(machine: Machine, pool: Sequence[Example], config: LoopConfig,
              rng: random.Random) -> dict[str, Any]:
    deductions = machine.deduce([e.inputs for e in pool])
    correct = [d.output is not None and d.output == e.target
               for d, e in zip(deductions, pool)]
    accuracy = sum(correct) / max(1, len(pool))
    failed = [i for i, ok in enumerate(correct) if not ok]
    rng.shuffle(failed)
    failed = failed[: config.abduce_per_round]
    fresh = FreshSymbols(machine, reserve=valueless_reserve(machine)) \
        if config.split_symbols else None
    until = math.inf if config.abduce_seconds is None else \
        time.monotonic() + config.abduce_seconds
    revisions = {}
    for i in failed:
        if time.monotonic() >= until:
            break
        revisions[i] = _abduce_one(machine, pool[i], deductions[i], config, fresh)
    moved = _update(machine, pool, deductions, correct, revisions, config, rng, fresh)
    return {"accuracy": accuracy, "abduced": len(revisions),
            "revised": sum(1 for r in revisions.values() if r),
            "programs": len(machine.semantics.meanings),
            **({"appearance_splits": moved} if config.appearance_splits else {})}


def _symbol_variants(machine: Machine, example: Example, base: tuple[int, ...],
                     per_position: int = 2) -> list[tuple[float, tuple[int, ...], int]]:
    """The deduced symbols, then single-position changes to symbols with a meaning.

    Changing a token to another symbol that already has a program is how synonyms are
    discovered (two words, one meaning); such a change must explain the example fully.
    Last, a token may move to a fresh symbol (no program, perceived for no token), which
    frees it from a wrong meaning. Each variant carries the unknowns it may rely on."""
    literals = machine.semantics.literals
    positions = [i for i, s in enumerate(base) if not literals.is_literal(s)]
    logp = torch.full((len(base), machine.perception.config.num_symbols), float("-inf"))
    if positions:  # (T, V); literal positions are fixed
        logp[positions] = machine.perception.log_probs([example.inputs[i] for i in positions])
    known = [s for s in machine.semantics.meanings]
    variants = [(0.0, base, 1)]
    if known:
        known_t = torch.tensor(known)
        for pos in positions:
            scores = logp[pos, known_t]
            for k in scores.topk(min(per_position, len(known))).indices.tolist():
                s = known[k]
                if s != base[pos]:
                    cost = float(logp[pos, base[pos]] - logp[pos, s]) + 2.0
                    variants.append((cost, base[:pos] + (s,) + base[pos + 1:], 0))
    perceived = set(machine.perception.table().argmax(dim=-1).tolist())
    fresh = next((s for s in range(logp.shape[1])
                  if s not in perceived and s not in machine.semantics.meanings), None)
    if fresh is not None:
        for pos in positions:
            variants.append((5.0, base[:pos] + (fresh,) + base[pos + 1:], 1))
    variants.sort(key=lambda v: v[0])
    return variants


def _reestimate_from_short(machine: Machine, pool: Sequence[Example],
                           deductions: list[Deduction], config: LoopConfig
                           ) -> tuple[set[int], list[Occurrence]]:
    """Leave-one-out examples from short inputs: each symbol is hidden in turn and every
    tree consistent with the other symbols' programs contributes, with weight 1/k.

    Trees that only happen to work under a symbol's current (possibly wrong) program do
    not outvote the alternatives, so a meaning that explains more inputs can replace it.
    Returns the symbols so re-estimated and their occurrences."""
    sem = machine.semantics
    done: set[int] = set()
    found: list[Occurrence] = []
    for index, (example, deduced) in enumerate(zip(pool, deductions)):
        if len(example.inputs) > config.reestimate_len:
            continue
        # With perceived symbols that may be wrong (an operator image read as a
        # digit), a failed input must not teach a symbol another arity.
        failed = config.split_symbols and deduced.output != example.target
        syms = deduced.symbols
        trees = all_trees(len(syms), machine.parser.config.projective)
        for s in set(syms) - set(sem.literals.symbol_of.values()):
            if config.split_symbols and s in sem.meanings and sem.meanings[s].valueless:
                continue  # a misread image must not give a valueless symbol a value
            proposals = [(0.0, syms, t) for t in trees]
            revs = abduce(example.target, proposals, sem, limit=2 * config.alternatives,
                          hidden=frozenset({s}))
            for rev in revs:
                found += [o for o in occurrences(example.inputs, rev.symbols, rev.tree,
                                                 rev.values, 1.0 / len(revs), (index, s))
                          if o.symbol == s and not (failed and sem.known(s)
                                                    and sem.arity(s) != len(o.args))]
            done.add(s)
    return done, found


def _perceived(tokens: list, symbols: list, is_literal
               ) -> tuple[list[tuple[str, ...]], list[tuple[int, ...]]]:
    """The (tokens, symbols) perception learns from: literal positions left out."""
    kept = [[(t, s) for t, s in zip(ts, ss) if not is_literal(s)]
            for ts, ss in zip(tokens, symbols)]
    return ([tuple(t for t, _ in k) for k in kept], [tuple(s for _, s in k) for k in kept])


def _trees_for(machine: Machine, symbols: tuple[int, ...], config: LoopConfig
               ) -> list[DependencyTree]:
    """Every tree for short inputs; else the parser's beam, then trees a few rotations
    from its best tree (edits the parser would not propose on its own). Runs of
    literals are grouped into one constituent each."""
    trees = _proposed_trees(machine, symbols, config)
    if not machine.semantics.literals:
        return trees
    grouped = {}
    for t in trees:
        t = machine.group_literals(symbols, t)
        grouped.setdefault(t.heads, t)
    return list(grouped.values())


def _proposed_trees(machine: Machine, symbols: tuple[int, ...], config: LoopConfig
                    ) -> list[DependencyTree]:
    n = len(symbols)
    if n <= config.exhaustive_len:
        return list(all_trees(n, machine.parser.config.projective))
    beam = [r.tree for r in machine.parser.beam(machine.parser_view(symbols), k=config.beam)]
    if not beam or config.edit_depth <= 0:
        return beam
    seen = {t.heads for t in beam}
    edits = [t for t in neighbourhood(beam[0], depth=config.edit_depth,
                                      moves=config.edit_moves)
             if t.heads not in seen and machine.parser.can_build(t)]
    return beam + edits


def _abduce_one(machine: Machine, example: Example, deduced: Deduction,
                config: LoopConfig, fresh: FreshSymbols | None = None) -> list[Revision]:
    """Revisions on the deduced symbols if any exist, else with one symbol changed
    (or, with ``fresh``, with new symbols: :mod:`nsr.symbol_splits`).

    Long inputs try the trees proposed for the deduced symbols with every variant, and
    new-symbol variants also the trees proposed for their own symbols."""
    short = len(example.inputs) <= config.exhaustive_len
    limit = config.alternatives if short else 1
    shared = None if short else _trees_for(machine, deduced.symbols, config)
    variants = [(cost, symbols, unknowns, False) for cost, symbols, unknowns
                in _symbol_variants(machine, example, deduced.symbols,
                                    config.short_variants if short
                                    else config.long_variants)]
    if machine.semantics.config.valueless:
        # First with valueless leaves: symbols lacking a program may only be valueless
        # leaves, but for ``silence_unknowns`` of them.
        variants.insert(0, (-1.0, deduced.symbols, config.silence_unknowns, True))
    new = [] if fresh is None else split_variants(machine, example, deduced.symbols, fresh)
    variants = sorted(variants + new, key=lambda v: v[0])
    if shared is not None and config.projective_first:
        shared = _projective_first(shared)  # once, not once per variant
    valueless_tried = fresh is None
    for cost, symbols, unknowns, silence in variants:
        if not valueless_tried and cost >= VALUELESS_COST:
            valueless_tried = True
            found = valueless_revisions(machine, example, deduced.symbols, fresh,
                                        exhaustive_len=config.exhaustive_len,
                                        beam=config.beam,
                                        bracket=config.bracket_valueless)
            if found:
                return found
        trees = shared if shared is not None else _trees_for(machine, symbols, config)
        if shared is not None and any(symbols == v[1] for v in new):
            trees = _trees_for(machine, symbols, config) + trees
        if config.projective_first and trees is not shared:
            trees = _projective_first(trees)
        proposals = [(cost + 0.01 * rank, symbols, tree) for rank, tree in enumerate(trees)]
        found = abduce(example.target, proposals, machine.semantics, limit=limit,
                       silence=silence, max_unknown=unknowns)
        if found:
            return found
    return []


def _projective_first(trees: list[DependencyTree]) -> list[DependencyTree]:
    """The trees with the projective ones first, each group in its order."""
    return sorted(trees, key=lambda t: not t.is_projective())


def parser_label(tree: DependencyTree, values: Sequence[Any], config: LoopConfig
                  ) -> DependencyTree:
    """The tree the parser learns, in the convention the declared prior names for where
    valueless leaves hang (which changes no value): on the subtree they bracket, or on
    the constituent right before them."""
    valueless = {i for i, v in enumerate(values) if v is NO_VALUE}
    if config.bracket_valueless:
        return bracket_valueless(tree, valueless)
    if config.preceding_valueless:
        return attach_to_preceding(tree, valueless)
    return tree


def _split_roles(sem: SemanticModule, symbols: list[tuple[int, ...]], trees: list[DependencyTree],
                 valueless: set[int], fresh: FreshSymbols) -> list[tuple[int, ...]]:
    """The labels with valueless symbols split by the side their head is on
    (:func:`split_by_role`); each new symbol is taught to carry no value."""
    split = split_by_role(symbols, trees, valueless, fresh)
    for before, after in zip(symbols, split):
        for s, t in zip(before, after):
            if s != t:
                sem.collect(t, (), NO_VALUE, 1.0)
    return split


def _update(machine: Machine, pool: Sequence[Example], deductions: list[Deduction],
            correct: list[bool], revisions: dict[int, list[Revision]],
            config: LoopConfig, rng: random.Random,
            fresh: FreshSymbols | None = None) -> int:
    """Updates every module from the round's pseudo-labels; returns how many symbols
    were split by appearance."""
    sem = machine.semantics
    sem.clear_examples()
    tokens, symbols, trees = [], [], []
    valueless: set[int] = {s for s, m in sem.meanings.items() if m.valueless}
    labelled: list[Occurrence] = []
    for i, ok in enumerate(correct):
        if ok:
            d = deductions[i]
            labelled += occurrences(pool[i].inputs, d.symbols, d.tree, d.values, 1.0)
            tokens.append(pool[i].inputs)
            symbols.append(d.symbols)
            trees.append(parser_label(d.tree, d.values, config))
            if fresh is not None:  # only image runs split valueless symbols by role
                valueless.update(s for s, v in zip(d.symbols, d.values) if v is NO_VALUE)
    for i, revs in revisions.items():
        for rev in revs:
            labelled += occurrences(pool[i].inputs, rev.symbols, rev.tree, rev.values,
                                    1.0 / len(revs))
        if revs and (len(revs) == 1 or not revs[0].unknown):
            tokens.append(pool[i].inputs)
            symbols.append(revs[0].symbols)
            trees.append(parser_label(revs[0].tree, revs[0].values, config))
            if fresh is not None:
                valueless.update(s for s, v in zip(revs[0].symbols, revs[0].values)
                                 if v is NO_VALUE)
    roles_split, split = False, 0
    if fresh is not None and symbols:
        before, symbols = symbols, _split_roles(sem, symbols, trees, valueless, fresh)
        roles_split = symbols is not before
    if not all(correct) or roles_split:
        # Programs that explain the whole pool are kept as they are.
        short, occs = _reestimate_from_short(machine, pool, deductions, config)
        occs += [o for o in labelled if o.symbol not in short]
        settled: set[int] = set()
        if fresh is not None and config.appearance_splits:
            moves = find_splits(machine, occs, fresh, rng)
            occs, symbols = apply_splits(moves, sem, occs, tokens, symbols)
            settled = {s for mv in moves for s in (mv.origin, mv.target)}
            split = len({mv.origin for mv in moves})
        for o in occs:
            sem.collect(o.symbol, o.args, o.value, o.weight, o.group)
        sem.learn([s for s in sem.examples if s not in settled])
    if tokens:
        literals = sem.literals
        machine.perception.learn(*_perceived(tokens, symbols, literals.is_literal))
        machine.learn_parser(symbols, trees, epochs=config.parser_epochs)
    machine.forget_unread()
    return split
