"""Left-branching chains: one tree convention where both groupings give the same value."""

from __future__ import annotations

from nsr.chains import left_chains
from nsr.gss import evaluate
from nsr.registry import Registry
from nsr.types import DependencyTree
from semantics.module import SemanticModule, SemanticsConfig
from semantics.program import parse_program

A, B, C, CONCAT, SKEW, PAREN = 0, 1, 2, 3, 4, 5


def _semantics() -> SemanticModule:
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("list",),
                                                             valueless=True))
    for symbol, token in ((A, "A"), (B, "B"), (C, "C")):
        sem.set_program(symbol, parse_program(f"(singleton '{token}')"))
    sem.set_program(CONCAT, parse_program("(lambda 2 (concat $0 $1))"))
    sem.set_program(SKEW, parse_program("(lambda 2 (concat $0 (reverse $1)))"))
    sem.set_valueless(PAREN)
    return sem


def _left(symbols: tuple[int, ...], heads: tuple[int, ...]) -> tuple[int, ...]:
    sem = _semantics()
    tree = DependencyTree(heads)
    values = evaluate(symbols, tree, sem)
    out = left_chains(symbols, tree, values, sem)
    assert evaluate(symbols, out, sem)[out.root] == values[tree.root]
    return out.heads


def test_a_right_chain_of_one_associative_symbol_turns_left() -> None:
    symbols = (A, CONCAT, B, CONCAT, C, CONCAT, A)
    assert _left(symbols, (1, -1, 3, 1, 5, 3, 5)) == (1, 3, 1, 5, 3, -1, 5)


def test_a_grouping_that_changes_the_value_is_kept() -> None:
    assert _left((A, SKEW, B, SKEW, C), (1, -1, 3, 1, 3)) == (1, -1, 3, 1, 3)


def test_different_symbols_are_a_matter_of_precedence_and_are_kept() -> None:
    symbols = (A, CONCAT, B, SKEW, C)
    assert _left(symbols, (1, -1, 3, 1, 3)) == (1, -1, 3, 1, 3)


def test_a_bracketed_right_operand_keeps_its_grouping() -> None:
    symbols = (A, CONCAT, PAREN, B, CONCAT, C, PAREN)
    heads = (1, -1, 4, 4, 1, 4, 4)
    assert _left(symbols, heads) == heads


def test_a_bracketed_operand_inside_the_chain_does_not_stop_it() -> None:
    # a + ( b ) + c, grouped a + ((b) + c)
    symbols = (A, CONCAT, PAREN, B, PAREN, CONCAT, C)
    assert _left(symbols, (1, -1, 3, 5, 3, 1, 5)) == (1, 5, 3, 1, 3, -1, 5)
