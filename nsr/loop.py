"""The deduction-abduction learning loop. It yields events and never prints.

Each round deduces every example of the current curriculum stage, abduces revisions
for the failures, and then updates each module from the pseudo-labels: perception from
the revised symbols, the parser from the revised trees, and each symbol's program from
the (children values -> value) examples its nodes collected.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

from nsr.abduction import Revision, abduce
from nsr.config import LoopConfig
from nsr.machine import Deduction, Machine
from nsr.trees import all_trees
from nsr.types import DependencyTree, Example
from semantics.module import UNDEFINED


def stage_pool(examples: Sequence[Example], max_len: int) -> list[Example]:
    return [e for e in examples if len(e.inputs) <= max_len]


def train(machine: Machine, examples: Sequence[Example], config: LoopConfig,
          start_round: int = 0) -> Iterator[dict[str, Any]]:
    """Run the loop; yields one event per round and a final ``done`` event."""
    rng = random.Random(config.seed)
    stages = [L for L in config.curriculum if stage_pool(examples, L)] or [10**9]
    stage_index, in_stage = 0, 0
    for round_no in range(start_round, config.max_rounds):
        t0 = time.monotonic()
        max_len = stages[stage_index]
        pool = stage_pool(examples, max_len)
        event = run_round(machine, pool, config, rng)
        in_stage += 1
        event.update(round=round_no, stage=max_len, pool=len(pool),
                     seconds=round(time.monotonic() - t0, 2))
        last_stage = stage_index == len(stages) - 1
        solved = event["accuracy"] >= config.target_accuracy
        yield {"event": "round", **event}
        if solved and last_stage:
            break
        if (solved or in_stage >= config.rounds_per_stage) and not last_stage:
            stage_index, in_stage = stage_index + 1, 0
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
    revisions = {i: _abduce_one(machine, pool[i], deductions[i], config) for i in failed}
    _update(machine, pool, deductions, correct, revisions, config)
    return {"accuracy": accuracy, "abduced": len(failed),
            "revised": sum(1 for r in revisions.values() if r),
            "programs": len(machine.semantics.meanings)}


def _symbol_variants(machine: Machine, example: Example, base: tuple[int, ...]
                     ) -> list[tuple[float, tuple[int, ...]]]:
    """The deduced symbols, then single-position changes to likely or unused symbols."""
    logp = machine.perception.log_probs(example.inputs)  # (T, V)
    used = set(machine.semantics.meanings)
    fresh = next((s for s in range(logp.shape[1]) if s not in used
                  and s not in _all_argmax(machine)), None)
    variants = [(0.0, base)]
    for pos in range(len(base)):
        alts = logp[pos].topk(min(3, logp.shape[1])).indices.tolist()
        if fresh is not None:
            alts.append(fresh)
        for s in dict.fromkeys(alts):
            if s == base[pos]:
                continue
            cost = float(logp[pos, base[pos]] - logp[pos, s]) + (1.0 if s == fresh else 0.5)
            variants.append((cost, base[:pos] + (s,) + base[pos + 1:]))
    variants.sort(key=lambda v: v[0])
    return variants


def _all_argmax(machine: Machine) -> set[int]:
    return set(machine.perception.table().argmax(dim=-1).tolist())


def _trees_for(machine: Machine, symbols: tuple[int, ...], config: LoopConfig
               ) -> list[DependencyTree]:
    n = len(symbols)
    if n <= config.exhaustive_len:
        return list(all_trees(n))
    return [r.tree for r in machine.parser.beam(symbols, k=config.beam)]


def _abduce_one(machine: Machine, example: Example, deduced: Deduction,
                config: LoopConfig) -> list[Revision]:
    variants = _symbol_variants(machine, example, deduced.symbols)
    proposals = []
    for cost, symbols in variants:
        for rank, tree in enumerate(_trees_for(machine, symbols, config)):
            proposals.append((cost + 0.01 * rank, symbols, tree))
    proposals.sort(key=lambda p: p[0])
    limit = config.alternatives if len(example.inputs) <= config.exhaustive_len else 1
    return abduce(example.target, proposals, machine.semantics, limit=limit)


def _update(machine: Machine, pool: Sequence[Example], deductions: list[Deduction],
            correct: list[bool], revisions: dict[int, list[Revision]],
            config: LoopConfig) -> None:
    sem = machine.semantics
    sem.clear_examples()
    tokens, symbols, trees = [], [], []
    for i, ok in enumerate(correct):
        if not ok:
            continue
        d = deductions[i]
        for node, s in enumerate(d.symbols):
            kids = [c for c, h in enumerate(d.tree.heads) if h == node]
            args = tuple(d.values[c] for c in kids)
            if d.values[node] is not UNDEFINED:
                sem.collect(s, args, d.values[node])
        tokens.append(pool[i].inputs)
        symbols.append(d.symbols)
        trees.append(d.tree)
    for i, revs in revisions.items():
        if not revs:
            continue
        weight = 1.0 / len(revs)
        for rev in revs:
            for s, args, value in rev.examples():
                sem.collect(s, args, value, weight)
        if len(revs) == 1 or not revs[0].unknown:
            tokens.append(pool[i].inputs)
            symbols.append(revs[0].symbols)
            trees.append(revs[0].tree)
    sem.learn()
    if tokens:
        machine.perception.learn(tokens, symbols)
        machine.parser.learn(symbols, trees, epochs=config.parser_epochs)
