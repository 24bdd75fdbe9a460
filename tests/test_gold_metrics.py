"""Symbol and head accuracy against gold fields (measured, never trained on)."""

from __future__ import annotations

from nsr.gold_metrics import gold_metrics
from nsr.machine import Deduction
from nsr.types import DependencyTree, Example


def _ex(tokens: str, head: tuple[int, ...], res_all: tuple[int, ...]) -> Example:
    return Example(tuple(tokens.split()), 0, {"head": head, "res_all": res_all})


def test_symbols_read_as_their_most_frequent_class() -> None:
    examples = [_ex("1 + 2", (1, -1, 1), (1, 3, 2)), _ex("2 + 2", (1, -1, 1), (2, 4, 2))]
    # "1" and "2" share symbol 5: one of the four digit positions reads wrong
    deduced = [Deduction((5, 7, 5), DependencyTree((1, -1, 1)), ()),
               Deduction((5, 7, 5), DependencyTree((-1, 0, 1)), ())]
    m = gold_metrics(examples, deduced)
    assert m["symbol_accuracy"] == 5 / 6
    assert m["head_accuracy"] == 4 / 6
    assert "head_accuracy_valued" not in m  # no position is a parenthesis


def test_head_accuracy_over_valued_positions_leaves_out_parentheses() -> None:
    example = _ex("( 1 )", (1, -1, 1), (-1, 1, -1))
    deduced = Deduction((0, 1, 2), DependencyTree((-1, 0, 0)), ())
    m = gold_metrics([example], [deduced])
    assert m["head_accuracy"] == 0.0
    assert m["head_accuracy_valued"] == 0.0
    right = Deduction((0, 1, 2), DependencyTree((1, -1, 1)), ())
    assert gold_metrics([example], [right])["head_accuracy"] == 1.0


def test_inputs_without_deduction_or_gold_are_skipped() -> None:
    assert gold_metrics([Example(("a",), 1, {})], [None]) == {}
    m = gold_metrics([Example(("a",), 1, {})], [Deduction((3,), DependencyTree((-1,)), ())])
    assert m == {"symbol_accuracy": 1.0}


def test_wrong_outputs_are_sorted_by_their_first_cause() -> None:
    from nsr.gold_metrics import GoldTally

    tally = GoldTally()
    gold = (1, -1, 1)
    right = Deduction((5, 7, 6), DependencyTree(gold), ())
    for _ in range(3):  # symbols 5, 6, 7 read back as "1", "2", "+"
        tally.add(_ex("1 + 2", gold, (1, 3, 2)), right, True)
    tally.add(_ex("1 + 2", gold, (1, 3, 2)), Deduction((5, 7, 5), DependencyTree(gold), ()),
              False)  # the "2" read as the symbol of "1"
    tally.add(_ex("1 + 2", gold, (1, 3, 2)), Deduction((5, 7, 6), DependencyTree((-1, 0, 1)),
                                                        ()), False)
    tally.add(_ex("1 + 2", gold, (1, 3, 2)), right, False)  # a wrong program
    tally.add(_ex("1 + 2", gold, (1, 3, 2)), None, False)
    tally.add(Example(("1", "+", "2"), 0, {}), right, False)  # no gold heads
    errors = tally.result()["errors"]
    assert errors == {"wrong": 5, "misread": 1, "tree": 1, "program": 1, "no deduction": 1,
                      "tree or program": 1, "misreadings": {"2 as 1": 1},
                      "misread_tokens": {"2 as 1": 1}}
    assert "errors" not in gold_metrics([_ex("1 + 2", gold, (1, 3, 2))], [right])


def test_a_parenthesis_hung_elsewhere_is_not_a_tree_error() -> None:
    from nsr.gold_metrics import GoldTally

    tally = GoldTally()
    example = _ex("( 1 )", (1, -1, 1), (-1, 1, -1))
    tally.add(example, Deduction((0, 1, 2), DependencyTree((1, -1, 1)), ()), True)
    tally.add(example, Deduction((0, 1, 2), DependencyTree((-1, 0, 0)), ()), False)
    tally.add(example, Deduction((0, 1, 2), DependencyTree((1, -1, 0)), ()), False)
    assert tally.result()["errors"] == {"wrong": 2, "tree": 1, "program": 1,
                                        "misreadings": {}, "misread_tokens": {}}


def test_misreadings_count_the_distinct_inputs_behind_them() -> None:
    from nsr.gold_metrics import GoldTally

    tally = GoldTally()
    heads = (1, -1, 1)

    def image_example(images: str, classes: str) -> Example:
        return Example(tuple(images.split()), 0,
                       {"symbols": tuple(classes.split()), "head": heads})

    right = Deduction((1, 3, 2), DependencyTree(heads), ())
    for _ in range(3):  # symbols 1, 2, 3 read back as "1", "2", "*"
        tally.add(image_example("a x b", "1 * 2"), right, True)
    misread = Deduction((1, 4, 2), DependencyTree(heads), ())  # 4 reads back as "+"
    for _ in range(4):
        tally.add(image_example("a y b", "1 + 2"), misread, True)
    tally.add(image_example("c z b", "1 * 2"), misread, False)  # image z misread twice
    tally.add(image_example("a z c", "1 * 1"), Deduction((1, 4, 1), DependencyTree(heads), ()),
              False)
    tally.add(image_example("a w b", "1 * 2"), misread, False)
    errors = tally.result()["errors"]
    assert errors["misread"] == 3 and errors["misreadings"] == {"* as +": 3}
    assert errors["misread_tokens"] == {"* as +": 2}
