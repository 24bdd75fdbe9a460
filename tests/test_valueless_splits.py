"""Valueless symbols hidden under symbols with a program (an image of ``)`` read as
``1``): abduction moves one or two positions to a valueless symbol, keeping only
choices whose leaves bracket a subtree; valueless symbols whose leaves hang both ways
split by role; and deduction may read an input otherwise where no tree of perception's
reading can be interpreted."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from nsr.gold_metrics import gold_metrics
from nsr.machine import Deduction, Machine
from nsr.readings import next_readings
from nsr.registry import Registry
from nsr.symbol_splits import FreshSymbols
from nsr.tree_edits import unbracketed
from nsr.types import DependencyTree, Example
from nsr.valueless_splits import split_by_role, valueless_reserve, valueless_revisions
from parser import ParserConfig, TransitionParser
from semantics.module import NO_VALUE, SemanticModule, SemanticsConfig
from semantics.program import parse_program

ADD = "(fix 2 (if0 $0 $1 (inc (recur (dec $0) $1))))"
PLUS, VALUELESS = 10, 11
# "( 1 + 2 )" whose parentheses perception reads as the digit 1
EXAMPLE = Example(("open", "one", "plus", "two", "close"), 3)
READ = {"open": 1, "one": 1, "plus": PLUS, "two": 2, "close": 1}
PAREN_TREE = DependencyTree((2, 2, -1, 2, 2))


class _Perception:
    """Reads each token as ``reads[token]`` with probability 0.6, and as
    ``second[token]``, where given, with probability 0.3."""

    def __init__(self, reads: dict[str, int], second: dict[str, int]) -> None:
        self.reads, self.second = reads, second
        self.config = SimpleNamespace(num_symbols=20)
        self.vocab = sorted(reads)

    def log_probs(self, tokens) -> torch.Tensor:
        p = torch.full((len(tokens), 20), 0.1 / 18)
        for i, t in enumerate(tokens):
            p[i, self.reads[t]] = 0.6
            if t in self.second:
                p[i, self.second[t]] = 0.3
        return p.log()

    def table(self) -> torch.Tensor:
        return self.log_probs(self.vocab)

    def best_symbols(self, batch) -> list[tuple[int, ...]]:
        return [tuple(self.reads[t] for t in tokens) for tokens in batch]


def _machine(second: dict[str, int] | None = None) -> Machine:
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("nat",),
                                                            valueless=True))
    for digit in range(4):
        sem.set_program(digit, parse_program("zero" if digit == 0 else
                                             "(inc " * digit + "zero" + ")" * digit))
    sem.set_program(PLUS, parse_program(ADD))
    parser = TransitionParser(ParserConfig(num_symbols=20, seed=0))
    return Machine(_Perception(READ, second or {}), parser, sem)


def test_parentheses_read_as_digits_become_one_new_valueless_symbol() -> None:
    machine = _machine()
    fresh = FreshSymbols(machine, reserve=valueless_reserve(machine))
    (rev,) = valueless_revisions(machine, EXAMPLE, (1, 1, PLUS, 2, 1), fresh)
    new = fresh.get(("valueless",))
    assert rev.symbols == (new, 1, PLUS, 2, new)
    assert rev.values[0] is NO_VALUE and rev.values[4] is NO_VALUE
    assert rev.values[2] == 3 and rev.unknown == (0, 4)
    assert not unbracketed(rev.tree, {0, 4})


def test_without_the_bracket_prior_a_chance_explanation_is_taken() -> None:
    # dropping "( 1" leaves "+ 2 )", which a tree also evaluates to 3
    machine = _machine()
    (rev,) = valueless_revisions(machine, EXAMPLE, (1, 1, PLUS, 2, 1),
                                 FreshSymbols(machine), bracket=False)
    assert rev.unknown != (0, 4)


def test_an_existing_valueless_symbol_is_reused() -> None:
    machine = _machine(second={"open": VALUELESS, "close": VALUELESS})
    machine.semantics.set_valueless(VALUELESS)
    assert valueless_reserve(machine) == [("role", VALUELESS)]
    (rev,) = valueless_revisions(machine, EXAMPLE, (1, 1, PLUS, 2, 1), FreshSymbols(machine))
    assert rev.symbols == (VALUELESS, 1, PLUS, 2, VALUELESS)


def test_no_valueless_revision_where_the_value_is_wrong() -> None:
    machine = _machine()
    wrong = Example(EXAMPLE.inputs, 7)
    assert valueless_revisions(machine, wrong, (1, 1, PLUS, 2, 1), FreshSymbols(machine)) == []


def test_unbracketed_leaves() -> None:
    assert unbracketed(PAREN_TREE, {0, 4}) == set()
    assert unbracketed(PAREN_TREE, {0}) == {0}
    # "( 1 + 2 ) )": the last leaf has no partner
    assert unbracketed(DependencyTree((2, 2, -1, 2, 2, 2)), {0, 4, 5}) == {5}


def test_a_valueless_symbol_hanging_both_ways_splits_by_role() -> None:
    machine = _machine()
    fresh = FreshSymbols(machine)
    symbols = [(VALUELESS, 1, PLUS, 2, VALUELESS)] * 30
    split = split_by_role(symbols, [PAREN_TREE] * 30, {VALUELESS}, fresh)
    new = fresh.get(("role", VALUELESS))
    assert new not in (None, VALUELESS)
    assert {seq[0] for seq in split} == {VALUELESS}
    assert {seq[4] for seq in split} == {new}


def test_one_way_or_rare_valueless_symbols_do_not_split() -> None:
    machine = _machine()
    fresh = FreshSymbols(machine)
    one_way = DependencyTree((2, 2, -1, 2, 2))
    symbols = [(VALUELESS, 1, PLUS, 2, 5)] * 30
    assert split_by_role(symbols, [one_way] * 30, {VALUELESS}, fresh) == symbols
    both = [(VALUELESS, 1, PLUS, 2, VALUELESS)] * 5
    assert split_by_role(both, [PAREN_TREE] * 5, {VALUELESS}, fresh) == both


def test_next_readings_cheapest_first() -> None:
    logp = torch.tensor([[0.0, -1.0, -5.0], [0.0, -3.0, -0.5]])
    readings = next_readings(logp, (0, 0), allowed={0, 1, 2}, k=4)
    assert [r for _, r in readings] == [(0, 2), (1, 0), (1, 2), (0, 1)]
    assert [c for c, _ in readings] == sorted(c for c, _ in readings)
    assert next_readings(logp, (0, 0), allowed={0, 1}, k=8) == [
        (1.0, (1, 0)), (3.0, (0, 1)), (4.0, (1, 1))]
    assert next_readings(logp, (0, 0), allowed={0, 1}, k=0) == []


class _FixedParser:
    """Every input of five symbols gets the tree of "( 1 + 2 )"; no beam."""

    def parse_batch(self, views, mode: str) -> list:
        return [SimpleNamespace(tree=PAREN_TREE) for _ in views]

    def beam_batch(self, views, k: int) -> list:
        return [[] for _ in views]


def test_deduction_reads_an_uninterpretable_input_otherwise() -> None:
    machine = _machine(second={"open": VALUELESS, "close": VALUELESS})
    machine.semantics.set_valueless(VALUELESS)
    machine.parser = _FixedParser()
    (plain,) = machine.deduce([EXAMPLE.inputs])
    assert plain.output is None
    machine.symbol_fallback = 8
    (reread,) = machine.deduce([EXAMPLE.inputs])
    assert reread.output == 3
    assert reread.symbols == (VALUELESS, 1, PLUS, 2, VALUELESS)
    assert reread.read == (1, 1, PLUS, 2, 1)
    gold = Example(EXAMPLE.inputs, 3, meta={"symbols": ["(", "1", "+", "2", ")"]})
    one = Example(("one",), 1, meta={"symbols": ["1"]})
    metrics = gold_metrics([gold, one, one, one],
                           [reread] + [Deduction((1,), DependencyTree((-1,)), (1,))] * 3)
    assert metrics["symbol_accuracy"] == 6 / 8  # perception: both parentheses read as 1
    assert metrics["symbol_accuracy_deduced"] == 7 / 8  # "(" and ")" share one symbol
