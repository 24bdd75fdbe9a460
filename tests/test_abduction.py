"""Abduction is sound: every revision evaluates to the target; correct trees need none."""

from __future__ import annotations

from nsr.abduction import abduce, candidate_values
from nsr.gss import evaluate
from nsr.registry import Registry
from nsr.trees import all_trees
from nsr.types import DependencyTree
from semantics.module import UNDEFINED, SemanticModule, SemanticsConfig
from semantics.program import parse_program


def _module() -> SemanticModule:
    sem = SemanticModule(Registry.default(), SemanticsConfig())
    sem.set_program(0, parse_program("(singleton 'W')"))
    sem.set_program(1, parse_program("(lambda 1 (concat $0 $0))"))
    sem.set_program(2, parse_program("(lambda 1 (cons 'L' $0))"))
    return sem


def test_all_trees_counts() -> None:
    assert [len(all_trees(n)) for n in range(1, 5)] == [1, 2, 9, 64]


def test_candidate_values_cover_sublists_and_numbers() -> None:
    assert set(candidate_values(("a", "b"))) == {("a", "b"), ("a",), ("b",), ()}
    assert 7 in candidate_values(3)


def test_every_revision_evaluates_to_the_target() -> None:
    sem = _module()
    symbols = (0, 2, 1, 5)  # walk left twice <unknown>
    target = ("X", "L", "W", "L", "W")
    proposals = [(0.0, symbols, t) for t in all_trees(4)]
    revisions = abduce(target, proposals, sem, limit=20)
    assert revisions
    for rev in revisions:
        assert rev.values[rev.tree.root] == target
        kids = {i: [c for c, h in enumerate(rev.tree.heads) if h == i] for i in range(4)}
        for node, s in enumerate(rev.symbols):
            if node in rev.unknown:
                continue
            args = [rev.values[c] for c in kids[node]]
            assert sem.apply(s, args) == rev.values[node]


def test_a_correct_tree_needs_no_revision() -> None:
    sem = _module()
    tree = DependencyTree((1, 2, -1))  # twice(left(walk))
    symbols = (0, 2, 1)
    values = evaluate(symbols, tree, sem)
    assert values[2] == ("L", "W", "L", "W")
    [rev] = abduce(values[2], [(0.0, symbols, tree)], sem)
    assert rev.unknown == () and rev.values == tuple(values)


def test_unknown_symbol_takes_the_value_its_parent_needs() -> None:
    sem = _module()
    tree = DependencyTree((1, -1))  # left(<unknown>)
    [rev] = abduce(("L",), [(0.0, (7, 2), tree)], sem)
    assert rev.unknown == (0,) and rev.values[0] == ()


def test_no_revision_when_nothing_fits() -> None:
    sem = _module()
    tree = DependencyTree((1, -1))
    assert abduce(("Q",), [(0.0, (0, 2), tree)], sem) == []
    assert evaluate((0, 0), tree, sem)[1] is UNDEFINED


def test_abduction_stops_at_its_wall_clock_limit() -> None:
    sem = _module()
    proposals = [(0.0, (0, 2, 1, 5), t) for t in all_trees(4)]
    target = ("X", "L", "W", "L", "W")
    assert abduce(target, proposals, sem, limit=20)
    assert abduce(target, proposals, sem, limit=20, seconds=0.0) == []
