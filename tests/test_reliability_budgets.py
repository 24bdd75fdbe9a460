"""Runaway programs and searches end within their budgets, are reported, and training
goes on: a loop, an exploding recursion, a number that fills memory, a search that finds
nothing. (The interpreter's own step, time and list budgets are tested in
``tests/test_interpreter.py``; an inexpressible list target in ``tests/test_search.py``.)
"""

from __future__ import annotations

import random
import time

import pytest

from nsr.abduction import abduce
from nsr.errors import BudgetExceeded
from nsr.registry import Registry
from nsr.trees import all_trees
from semantics.interpreter import Budget, Interpreter
from semantics.module import UNDEFINED, SemanticModule, SemanticsConfig
from semantics.program import parse_program
from semantics.search import InductionConfig, induce

pytestmark = pytest.mark.issue(8)

REGISTRY = Registry.default(entry_points=False)
LOOP = parse_program("(fix 1 (recur $0))")
EXPLODING = parse_program("(fix 1 (if0 $0 1 (add (recur (dec $0)) (recur (dec $0)))))")
SQUARING = parse_program("(fix 2 (if0 $0 $1 (recur (dec $0) (mul $1 $1))))")
"""Squares its accumulator $0 times: 2 squared 64 times has 2**64 bits."""


def test_an_exponential_recursion_ends_on_its_step_budget() -> None:
    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded, match="step budget of 200000 steps"):
        Interpreter(REGISTRY, budget=Budget(steps=200_000)).run(EXPLODING, (64,))
    assert time.monotonic() - t0 < 5


def test_a_number_too_wide_for_memory_ends_on_the_memory_budget() -> None:
    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded, match="memory budget: mul built a number of"):
        Interpreter(REGISTRY).run(SQUARING, (64, 2))
    assert time.monotonic() - t0 < 5
    assert Interpreter(REGISTRY).run(SQUARING, (3, 2)) == 256


def _nat_module() -> SemanticModule:
    return SemanticModule(REGISTRY, SemanticsConfig(
        primitive_sets=("nat",), induction=InductionConfig(timeout=1.0)))


@pytest.mark.parametrize("program", [LOOP, EXPLODING], ids=["loop", "exploding"])
def test_a_runaway_symbol_is_undefined_and_deduction_goes_on(program) -> None:
    """A symbol's runaway program yields UNDEFINED within the module's budget (setting
    it, which checks it against the native operations, is budgeted too); the other
    symbols still evaluate."""
    sem = _nat_module()
    t0 = time.monotonic()
    sem.set_program(0, program)
    assert time.monotonic() - t0 < 3
    sem.set_program(1, parse_program("(lambda 1 (inc $0))"))
    t0 = time.monotonic()
    assert sem.apply(0, (40,)) is UNDEFINED
    assert time.monotonic() - t0 < 6  # the module's budget: 1,000,000 steps or 5 s
    assert sem.apply(1, (40,)) == 41


def test_abduction_over_a_runaway_program_stops_at_its_call_budget() -> None:
    """Inverting a looping parent program finds nothing and stops after ``budget``
    program calls (each ended by the interpreter's budget)."""
    sem = _nat_module()
    sem.set_program(0, LOOP)
    trees = list(all_trees(2))
    t0 = time.monotonic()
    found = abduce(7, [(0.0, (0, 5), tree) for tree in trees], sem, budget=4)
    assert found == []
    assert time.monotonic() - t0 < 15


def test_induction_with_recursion_and_an_impossible_target_ends_in_time() -> None:
    """With ``fix`` available the search also tries recursions; a target no program
    of the ``nat`` set computes (x squared modulo 7, noisy) still ends on time."""
    rng = random.Random(3)
    examples = [((x,), (x * x) % 7 + rng.choice((0, 11))) for x in range(30)]
    nat = REGISTRY.in_sets(["nat"])
    t0 = time.monotonic()
    result = induce(examples, 1, primitives=nat, registry=REGISTRY,
                    config=InductionConfig(timeout=1.0))
    assert time.monotonic() - t0 < 4
    assert result.program is None and result.matched == 0


def test_a_module_keeps_learning_after_a_search_finds_nothing() -> None:
    """``learn`` reports no change for a symbol whose examples nothing explains, and
    still learns the others in the same call."""
    sem = _nat_module()
    for x in range(12):
        sem.collect(0, (x,), (x * x) % 7 + 11 * (x % 2))
        sem.collect(1, (x,), x + 2)
    t0 = time.monotonic()
    changes = sem.learn()
    assert time.monotonic() - t0 < 10
    assert 0 not in changes and sem.program_for(0) is None
    assert sem.apply(1, (5,)) == 7
