"""Program induction: the most probable program consistent with most examples.

Given a symbol's arity and its collected (children values -> node value) examples,
some possibly wrong, :func:`induce` enumerates programs bottom-up by size with
observational-equivalence pruning (:mod:`semantics.enumeration`), and, when ``fix`` is
available, guarded linear recursions (:mod:`semantics.recursion`). Each candidate is
scored by a posterior: a size prior times a likelihood in which every example is wrong
with probability ``noise``. Search stops once no larger program can score better.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from nsr.errors import BudgetExceeded, PrimitiveError
from nsr.registry import Primitive, Registry
from nsr.types import INT, BaseType, Value, type_of_value
from semantics.compiled import compile_function
from semantics.enumeration import (ERR, Component, Enumerator, component_for_primitive,
                                   constant_component, invented_component)
from semantics.interpreter import Budget, Interpreter
from semantics.library import Library
from semantics.native import NATIVE
from semantics.program import Lambda, Program

IOExample = tuple  # (args, output) or (args, output, weight)


@dataclass(frozen=True)
class InductionConfig:
    """Limits and assumptions of one search."""

    max_size: int = 12
    timeout: float = 10.0
    noise: float = 0.05
    """Assumed probability that a collected example is wrong."""
    min_fraction: float = 0.5
    """A program must explain at least this fraction of the examples."""
    max_envs: int = 40
    """At most this many distinct inputs drive enumeration; the rest only verify."""
    max_constants: int = 6
    recursion_step_size: int = 5


@dataclass(frozen=True)
class InductionResult:
    program: Program | None
    matched: int
    total: int
    seconds: float
    enumerated: int
    log_posterior: float = -math.inf
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def accuracy(self) -> float:
        return self.matched / self.total if self.total else 0.0


def components_for(primitives: Sequence[Primitive], library: Library, registry: Registry,
                   interpreter: Interpreter | None = None) -> list[Component]:
    """Enumeration components for the chosen primitives plus the library's inventions."""
    comps = [c for p in primitives if (c := component_for_primitive(p)) is not None]
    interp = interpreter or Interpreter(registry, library, budget=Budget(steps=200_000,
                                                                           seconds=2.0))
    for inv in library:
        if inv.native is not None:
            fn = NATIVE[inv.native].fn
        else:
            fn = compile_function(inv.program, registry, library, interp)
        comps.append(invented_component(inv.name, inv.type, fn))
    return comps


def _wrap(body: Program, arity: int) -> Program:
    return Lambda(arity, body) if arity else body


class _Scorer:
    """Posterior of a program given weighted examples grouped by distinct input.

    ``alternatives[j]`` maps an output of input j to the groups it belongs to: a group is
    one observation with several possible readings, explained if any reading is matched,
    and then it counts its whole weight once."""

    def __init__(self, inputs: list[tuple], outputs: list[Counter], noise: float,
                 n_symbols: int, alternatives: list[dict] | None = None,
                 group_weight: dict | None = None) -> None:
        self.inputs, self.outputs = inputs, outputs
        self.alternatives = alternatives or [{} for _ in inputs]
        self.group_weight = group_weight or {}
        groups = {g for alts in self.alternatives for gs in alts.values() for g in gs}
        self.total = (sum(sum(c.values()) for c in outputs)
                      + sum(self.group_weight[g] for g in groups))
        self.log_ok, self.log_bad = math.log1p(-noise), math.log(noise)
        self.log_branch = math.log(max(2, n_symbols))

    def matched(self, vec: Sequence[Value]) -> float:
        plain = sum(c.get(v, 0) for v, c in zip(vec, self.outputs) if v is not ERR)
        if not self.group_weight:
            return plain
        hit: set = set()
        for v, alts in zip(vec, self.alternatives):
            if alts and v is not ERR:
                hit.update(alts.get(v, ()))
        return plain + sum(self.group_weight[g] for g in hit)

    def score(self, matched: int, program_size: int) -> float:
        bad = self.total - matched
        return -program_size * self.log_branch + matched * self.log_ok + bad * self.log_bad

    def best_possible(self, program_size: int) -> float:
        return self.score(self.total, program_size)


def induce(examples: Sequence[IOExample], arity: int, *, primitives: Sequence[Primitive],
           registry: Registry, library: Library | None = None,
           arg_types: Sequence[BaseType] | None = None, result_type: BaseType | None = None,
           config: InductionConfig = InductionConfig()) -> InductionResult:
    """Find the most probable program for a symbol of ``arity`` from its examples.

    Args:
        examples: (argument values, output value) pairs, optionally with a weight as a
            third item (an abduced example shared among k alternatives weighs 1/k);
            a minority may be wrong.
        arity: the number of arguments.
        primitives: the primitives the program may use (``fix`` enables recursion).
        registry: resolves primitive names.
        library: invented primitives the program may use.
        arg_types / result_type: types, read from the examples when not given.
        config: search limits.

    Returns:
        The best program found (``None`` if none explains ``min_fraction``), how many
        examples it matches, and search statistics.
    """
    start = time.monotonic()
    library = library or Library()
    if not examples:
        return InductionResult(None, 0, 0, 0.0, 0, notes=("no examples",))
    grouped: dict[tuple, Counter] = {}
    alt_of: dict[tuple, dict] = {}
    group_weight: Counter = Counter()
    for item in examples:
        args, out = tuple(item[0]), item[1]
        weight = item[2] if len(item) > 2 else 1
        group = item[3] if len(item) > 3 else None
        if len(args) != arity:
            raise ValueError(f"example {args!r} has {len(args)} arguments, expected {arity}")
        counts = grouped.setdefault(args, Counter())
        if group is None:
            counts[out] += weight
        else:
            counts[out] += 0
            alt_of.setdefault(args, {}).setdefault(out, set()).add(group)
            group_weight[group] += weight
    inputs = list(grouped)
    outputs = [grouped[i] for i in inputs]
    alternatives = [alt_of.get(i, {}) for i in inputs]
    arg_types = tuple(arg_types or (type_of_value(v) for v in inputs[0]))
    majority = [c.most_common(1)[0][0] for c in outputs]
    result_type = result_type or Counter(type_of_value(v) for v in majority).most_common(1)[0][0]

    # Enumerate on the most frequent distinct inputs; all examples score the winner.
    order = sorted(range(len(inputs)),
                   key=lambda j: (-sum(outputs[j].values()) - len(alternatives[j]), j))
    drive = order[: config.max_envs]
    comps = components_for(primitives, library, registry)
    comps += [constant_component(v) for v in _constants(inputs, majority, config)]
    scorer = _Scorer(inputs, outputs, config.noise, len(comps) + arity, alternatives,
                     group_weight)
    deadline = start + config.timeout
    recursive = _wants_recursion(primitives, arg_types, result_type)
    # With recursion available, plain enumeration gets a share of the time, not all of it.
    enum = Enumerator(arg_types, [inputs[j] for j in drive], comps,
                      start + config.timeout * (0.3 if recursive else 1.0))
    drive_scorer = _Scorer([inputs[j] for j in drive], [outputs[j] for j in drive],
                           config.noise, len(comps) + arity,
                           [alternatives[j] for j in drive], group_weight)
    full = len(drive) == len(inputs)
    state = _Search(scorer, drive_scorer, full, result_type, arity, config,
                    lambda program: _count_matches(program, inputs, scorer, registry,
                                                   library, interp))
    interp = Interpreter(registry, library, budget=Budget(steps=100_000, seconds=1.0))
    notes: list[str] = []
    if recursive:
        # Small plain programs first, then guarded recursions, then larger plain ones.
        state.enumerate(enum, min(6, config.max_size), notes)
        if state.best[2] < scorer.total:
            from semantics.recursion import search_recursive

            enum.deadline = deadline
            try:
                found = search_recursive(inputs, outputs, arity, enum, comps, scorer,
                                         registry, library, config, deadline, state.best[0])
            except BudgetExceeded:
                found = None
                notes.append("recursion search stopped: time budget")
            if found is not None and found[0] > state.best[0]:
                state.best = found
    enum.deadline = deadline
    state.enumerate(enum, config.max_size, notes)
    best = state.best
    score, program, matched = best
    if program is not None and matched < config.min_fraction * scorer.total:
        program = None
    return InductionResult(program, matched if program else 0, scorer.total,
                           time.monotonic() - start, enum.count, score, tuple(notes))


class _Search:
    """The best candidate so far and the plain enumeration loop that improves it."""

    def __init__(self, scorer: _Scorer, drive_scorer: _Scorer, full: bool,
                 result_type: BaseType, arity: int, config: InductionConfig,
                 count_all) -> None:
        self.scorer, self.drive_scorer, self.full = scorer, drive_scorer, full
        self.result_type, self.arity, self.config = result_type, arity, config
        self.count_all = count_all
        self.best: tuple[float, Program | None, int] = (-math.inf, None, 0)

    def done(self, next_size: int) -> bool:
        score, program, matched = self.best
        return program is not None and (matched == self.scorer.total
                                        or self.scorer.best_possible(next_size) <= score)

    def enumerate(self, enum: Enumerator, max_size: int, notes: list[str]) -> None:
        try:
            while enum.size < max_size and not self.done(enum.size + 1):
                for t, entry in enum.grow():
                    if t == self.result_type:
                        self._consider(entry, enum.size)
        except BudgetExceeded:
            notes.append(f"enumeration stopped at size {enum.size}: time budget")

    def _consider(self, entry, program_size: int) -> None:
        hit = self.drive_scorer.matched(entry.vec)
        if hit < self.config.min_fraction * self.drive_scorer.total:
            return
        program = _wrap(entry.program, self.arity)
        matched = hit if self.full else self.count_all(program)
        score = self.scorer.score(matched, program_size)
        if score > self.best[0]:
            self.best = (score, program, matched)


def _wants_recursion(primitives: Sequence[Primitive], arg_types: Sequence[BaseType],
                     result_type: BaseType) -> bool:
    return any(p.name == "fix" for p in primitives) and INT in arg_types


def _constants(inputs: list[tuple], outputs: list[Value], config: InductionConfig) -> list:
    """Tokens that outputs contain but their inputs do not: candidate constants."""
    counts: Counter = Counter()
    for args, out in zip(inputs, outputs):
        if not isinstance(out, tuple):
            continue
        present = {t for a in args if isinstance(a, tuple) for t in a}
        present |= {a for a in args if isinstance(a, str)}
        for tok in set(out) - present:
            counts[tok] += 1
    return [tok for tok, _ in counts.most_common(config.max_constants)]


def _count_matches(program: Program, inputs: list[tuple], scorer: _Scorer,
                   registry: Registry, library: Library, interp: Interpreter) -> float:
    fn = compile_function(program, registry, library, interp)
    vec = []
    for args in inputs:
        try:
            vec.append(fn(*args))
        except (PrimitiveError, BudgetExceeded):
            vec.append(ERR)
    return scorer.matched(vec)
