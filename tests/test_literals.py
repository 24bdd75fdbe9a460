"""Literal tokens: runs of them denote their list, trees group them, abduction and the
machine treat them as fixed symbols outside the learned budget."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from nsr.abduction import abduce
from nsr.gss import evaluate
from nsr.machine import Machine
from nsr.registry import Registry
from nsr.tree_edits import group_runs
from nsr.types import DependencyTree, Example
from semantics.literals import Literals, literal_value, output_tokens
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule, SemanticsConfig
from semantics.program import parse_program

FIRST = 21


def _semantics(**programs: tuple[int, str]) -> SemanticModule:
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("list",),
                                                             valueless=True))
    sem.literals = Literals(["A1", "B2", "C3", "D4"], first=FIRST)
    for symbol, text in programs.values():
        if text == "valueless":
            sem.set_valueless(symbol)
        else:
            sem.set_program(symbol, parse_program(text))
    return sem


def _lit(token: str, sem: SemanticModule) -> int:
    return sem.literals.symbol_of[token]


def test_output_tokens_are_input_tokens_that_occur_in_outputs() -> None:
    examples = [Example(("reverse", "A1", "B2"), ("B2", "A1")),
                Example(("copy", "C3"), ("C3",)), Example(("x", "y"), 3)]
    assert output_tokens(examples) == {"A1", "B2", "C3"}


def test_literals_round_trip_and_know_their_symbols() -> None:
    lit = Literals(["A1", "B2"], first=30)
    assert lit.tokens == ["A1", "B2"] and lit.symbol_of == {"A1": 30, "B2": 31}
    assert lit.token(31) == "B2" and lit.token(29) is None and lit.token(32) is None
    assert lit.add("AA9") == 32 and lit.add("A1") == 30  # new ones go last
    again = Literals.from_json(lit.to_json())
    assert again.symbol_of == lit.symbol_of and not Literals.from_json(None)


def test_a_run_denotes_its_tokens_in_input_order() -> None:
    values = [("A1",), ("B2",), ("C3",), NO_VALUE]
    flags = [True, True, True, False]
    assert literal_value("B2", 1, [0, 2], values, flags) == ("A1", "B2", "C3")
    assert literal_value("A1", 0, [1, 2, 3], values, flags) == ("A1", "B2", "C3")


def test_a_literal_takes_no_other_argument() -> None:
    flags = [True, False, True]
    assert literal_value("A1", 0, [2], [("A1",), None, ("C3",)], flags) is UNDEFINED  # gap
    assert literal_value("A1", 0, [1], [("A1",), ("X",), None], flags) is UNDEFINED
    assert literal_value("A1", 0, [1], [("A1",), NO_VALUE, None], flags) == ("A1",)
    chained = [("A1",), ("B2", "C3"), ("C3",)]
    assert literal_value("A1", 0, [1], chained, [True, True, True]) is UNDEFINED


def test_group_runs_makes_each_run_one_constituent() -> None:
    # f A B , C : f -> B; A -> B; C -> A ; ',' -> f  =>  f -> A -> B, and the run C,
    # which hung from the run A B, is lifted onto f
    tree = DependencyTree((-1, 2, 0, 0, 1))
    grouped = group_runs(tree, [False, True, True, False, True])
    assert grouped.heads == (-1, 0, 1, 0, 0)


def test_group_runs_keeps_a_run_under_a_literal_root() -> None:
    # A , B : the run B hangs from the run A at the root; there is nowhere to lift it
    tree = DependencyTree((-1, 0, 0))
    assert group_runs(tree, [True, False, True]).heads == (-1, 0, 0)


def _random_tree(n: int, rng: random.Random) -> DependencyTree:
    order = list(range(n))
    rng.shuffle(order)
    heads = [-1] * n
    for k, node in enumerate(order[1:], start=1):
        heads[node] = order[rng.randrange(k)]
    return DependencyTree(tuple(heads))


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 12), st.integers(0, 10**6))
def test_group_runs_gives_a_tree_whose_runs_are_headed_by_their_first_member(
        n: int, seed: int) -> None:
    rng = random.Random(seed)
    tree = _random_tree(n, rng)
    marked = [rng.random() < 0.6 for _ in range(n)]
    grouped = group_runs(tree, marked)  # DependencyTree checks: one root, no cycle
    for i in range(1, n):
        if marked[i] and marked[i - 1]:
            start = i
            while start > 0 and marked[start - 1]:
                start -= 1
            assert grouped.heads[i] == start
        if marked[i] and not marked[i - 1] and grouped.heads[i] >= 0:
            up = grouped.heads[i]
            while up >= 0 and marked[up]:
                up = grouped.heads[up]
            assert up < 0 or not marked[grouped.heads[i]]  # lifted where it could be
    assert group_runs(grouped, marked).heads == grouped.heads


def test_functions_apply_to_runs_and_commas_carry_no_value() -> None:
    sem = _semantics(reverse=(0, "(lambda 1 (reverse $0))"),
                     append=(1, "(lambda 2 (concat $0 $1))"), comma=(2, "valueless"))
    a, b, c = (_lit(t, sem) for t in ("A1", "B2", "C3"))
    # append reverse A1 B2 , C3
    symbols = (1, 0, a, b, 2, c)
    tree = DependencyTree((-1, 0, 1, 2, 0, 0))
    assert evaluate(symbols, tree, sem)[0] == ("B2", "A1", "C3")


def test_abduction_gives_an_unknown_function_its_run() -> None:
    sem = _semantics()
    a, b, c = (_lit(t, sem) for t in ("A1", "B2", "C3"))
    symbols = (5, a, b, c)
    tree = group_runs(DependencyTree((-1, 0, 1, 1)), [False, True, True, True])
    found = abduce(("C3", "B2", "A1"), [(0.0, symbols, tree)], sem)
    assert found and found[0].unknown == (0,)
    assert (5, (("A1", "B2", "C3"),), ("C3", "B2", "A1")) in found[0].examples()
    for symbol, args, value in found[0].examples():
        sem.collect(symbol, args, value)
    assert set(sem.examples) == {5}  # literals collect nothing: their meaning is fixed


def test_machine_keeps_literals_out_of_perception_and_shows_one_to_the_parser() -> None:
    sem = _semantics()
    machine = Machine.create(["A1", "B2", "C3", "D4", "reverse", ","], sem,
                             num_symbols=20, seed=0)
    assert machine.perception.vocab == [",", "reverse"]
    symbols = machine.symbols_of([("reverse", "C3", "A1")])[0]
    assert symbols[1:] == (sem.literals.symbol_of["C3"], sem.literals.symbol_of["A1"])
    assert machine.literal_view(symbols)[1:] == (20, 20)
    deduced = machine.deduce([("reverse", "C3", "A1")])[0]
    assert deduced.tree.heads[2] == 1  # the run is one constituent
    unseen = machine.symbols_of([("reverse", "Z99")])[0]  # the literal class is open
    assert sem.literals.token(unseen[1]) == "Z99"
