"""Valueless symbols: parents skip them, abduction may declare leaves valueless, and the
semantic module learns a symbol's lack of value from its examples."""

from __future__ import annotations

from nsr.abduction import abduce
from nsr.gss import evaluate, node_examples
from nsr.registry import Registry
from nsr.types import DependencyTree
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule, SemanticsConfig
from semantics.program import parse_program

ADD = "(fix 2 (if0 $0 $1 (inc (recur (dec $0) $1))))"


def _arith(valueless: bool = True) -> SemanticModule:
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("nat",),
                                                            valueless=valueless))
    for digit in range(4):
        sem.set_program(digit, parse_program("zero" if digit == 0 else
                                             "(inc " * digit + "zero" + ")" * digit))
    sem.set_program(10, parse_program(ADD))
    return sem


# "( 1 + 2 )" with both parentheses hanging under "+"
PAREN_SYMBOLS = (11, 1, 10, 2, 12)
PAREN_TREE = DependencyTree((2, 2, -1, 2, 2))


def test_parents_skip_valueless_children() -> None:
    sem = _arith()
    sem.set_valueless(11)
    sem.set_valueless(12)
    values = evaluate(PAREN_SYMBOLS, PAREN_TREE, sem)
    assert values[2] == 3
    assert values[0] is NO_VALUE and values[4] is NO_VALUE
    assert (11, (), NO_VALUE) in node_examples(PAREN_SYMBOLS, PAREN_TREE, values)
    assert (10, (1, 2), 3) in node_examples(PAREN_SYMBOLS, PAREN_TREE, values)


def test_a_valueless_symbol_with_children_is_undefined() -> None:
    sem = _arith()
    sem.set_valueless(11)
    values = evaluate((11, 1), DependencyTree((-1, 0)), sem)
    assert values[0] is UNDEFINED


def test_abduction_silences_unknown_leaves_only_when_allowed() -> None:
    sem = _arith()
    proposals = [(0.0, PAREN_SYMBOLS, PAREN_TREE)]
    assert abduce(3, proposals, sem, max_unknown=0) == []
    (rev,) = abduce(3, proposals, sem, max_unknown=0, silence=True)
    assert rev.values[0] is NO_VALUE and rev.values[4] is NO_VALUE
    assert rev.unknown == (0, 4)
    assert abduce(4, proposals, sem, max_unknown=0, silence=True) == []


def test_abduction_does_not_silence_leaves_the_parent_needs() -> None:
    sem = _arith()
    # "1 + x": the unknown leaf is an operand, so it takes a value instead
    (rev,) = abduce(3, [(0.0, (1, 10, 13), DependencyTree((1, -1, 1)))], sem,
                    max_unknown=1, silence=True)
    assert rev.values[2] == 2


def test_learning_a_symbol_without_value_and_persisting_it() -> None:
    sem = _arith()
    for _ in range(3):
        sem.collect(11, (), NO_VALUE)
    sem.collect(11, (), 5)
    assert sem.learn([11]) == {11: "no value"}
    assert sem.meanings[11].valueless
    again = SemanticModule(Registry.default(), sem.config)
    again.load_json(sem.to_json())
    assert again.meanings[11].valueless
    assert again.apply(11, []) is NO_VALUE


def test_without_the_prior_no_value_examples_never_make_a_symbol_valueless() -> None:
    sem = _arith(valueless=False)
    for _ in range(3):
        sem.collect(11, (), NO_VALUE)
    sem.learn([11])
    assert 11 not in sem.meanings


def test_recursive_programs_run_natively_and_join_the_library() -> None:
    sem = _arith()
    assert sem.meanings[10].native == "add"
    assert sem.apply(10, [10**12, 1]) == 10**12 + 1
    for a in range(4):
        for b in range(4):
            sem.collect(10, (a, b), a + b)
    sem.learn([10])
    assert [inv.native for inv in sem.library] == ["add"]


def test_shape_fits_only_where_evaluation_can_give_the_root_a_value() -> None:
    from nsr.gss import shape_fits

    sem = _arith()
    sem.set_valueless(11)
    sem.set_valueless(12)
    assert shape_fits(PAREN_SYMBOLS, PAREN_TREE, sem)
    assert evaluate(PAREN_SYMBOLS, PAREN_TREE, sem)[2] == 3
    cases = [
        (PAREN_SYMBOLS, DependencyTree((2, 0, -1, 2, 2))),  # a valueless node with a child
        ((11, 1, 10, 2), DependencyTree((-1, 0, 0, 2))),  # a valueless root
        ((1, 10, 2), DependencyTree((-1, 0, 0))),  # a constant with two children
        ((1, 10, 13), DependencyTree((1, -1, 1))),  # a symbol without a program
    ]
    for symbols, tree in cases:
        assert not shape_fits(symbols, tree, sem)
        assert evaluate(symbols, tree, sem)[tree.root] in (UNDEFINED, NO_VALUE)
