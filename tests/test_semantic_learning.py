"""The semantic module's learning pass: a program that joins the library during the
pass is callable by the symbols the same pass left unexplained."""

from __future__ import annotations

import random

from nsr.registry import Registry
from semantics.module import SemanticModule, SemanticsConfig
from semantics.program import Invented, subterms
from semantics.search import InductionConfig


def _module() -> SemanticModule:
    config = SemanticsConfig(primitive_sets=("nat",),
                             induction=InductionConfig(timeout=2.0))
    return SemanticModule(Registry.default(entry_points=False), config)


def _collect(sem: SemanticModule, symbol: int, op, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        x, y = rng.randint(0, 9), rng.randint(0, 9)
        sem.collect(symbol, (x, y), op(x, y))


def test_multiplication_is_found_in_the_pass_that_invents_addition() -> None:
    sem = _module()
    _collect(sem, 1, lambda x, y: x * y, seed=1)  # learned first: no @add yet
    _collect(sem, 2, lambda x, y: x + y, seed=2)
    changes = sem.learn([1, 2])
    assert [inv.native for inv in sem.library][:2] == ["add", "mul"], changes
    mul = sem.meanings[1]
    assert mul.matched == mul.total
    assert Invented("add") in set(subterms(mul.program)), str(mul.program)
    assert sem.apply(1, (23, 17)) == 391 and sem.apply(2, (23, 17)) == 40


def test_a_pass_without_an_invention_tries_each_symbol_once() -> None:
    sem = _module()
    rng = random.Random(3)
    for _ in range(40):  # no program of the nat set gives these
        sem.collect(1, (rng.randint(0, 9), rng.randint(0, 9)), rng.randint(0, 99))
    calls = []
    induce = sem._induce
    sem._induce = lambda examples, arity: calls.append(arity) or induce(examples, arity)
    sem.learn([1])
    assert calls == [2] and len(sem.library.items) == 0
