"""Trees for inputs whose output leaves a shape open: the ``trees = "projective first"``
prior, by which abduction teaches the parser a projective tree, and, at prediction, a
fallback beam that widens until an input's tree can be interpreted."""

from __future__ import annotations

import pytest

from nsr.config import LoopConfig, Priors, TrainConfig
from nsr.errors import ConfigError
from nsr.loop import _abduce_one
from nsr.machine import Machine
from nsr.registry import Registry
from nsr.tree_edits import EDIT_MOVES
from nsr.types import DependencyTree, Example
from semantics.literals import Literals
from semantics.module import SemanticModule, SemanticsConfig
from semantics.program import parse_program

# remove_second ignores its second argument, and reverse commutes with it: both
# remove_second(reverse(A1 B2), C3 D4) and reverse(remove_second(A1 B2, C3 D4)) are right.
EXAMPLE = Example(("remove_second", "reverse", "A1", "B2", ",", "C3", "D4"), ("B2", "A1"))


def _revisions(seed: int, projective_first: bool) -> list:
    sem = SemanticModule(Registry.default(),
                         SemanticsConfig(primitive_sets=("list",), valueless=True))
    sem.literals = Literals(["A1", "B2", "C3", "D4"], first=21)
    machine = Machine.create(sorted(set(EXAMPLE.inputs)), sem, num_symbols=20, seed=seed)
    symbols = machine.symbols_of([EXAMPLE.inputs])[0]
    sem.set_program(symbols[0], parse_program("(lambda 2 $0)"))
    sem.set_program(symbols[1], parse_program("(lambda 1 (reverse $0))"))
    sem.set_valueless(symbols[4])
    deduced = machine.deduce([EXAMPLE.inputs])[0]
    config = LoopConfig(edit_depth=2, edit_moves=EDIT_MOVES, preceding_valueless=True,
                        silence_unknowns=1, projective_first=projective_first)
    return _abduce_one(machine, EXAMPLE, deduced, config)


def test_projective_trees_are_taken_first_where_the_value_allows_either() -> None:
    crossing = 0
    for seed in range(12):  # untrained parsers propose different trees
        plain = _revisions(seed, projective_first=False)
        crossing += sum(not r.tree.is_projective() for r in plain)
        preferred = _revisions(seed, projective_first=True)
        assert bool(preferred) == bool(plain)
        assert all(r.tree.is_projective() for r in preferred)
    assert crossing > 0  # without the prior some revisions cross


def test_the_prior_and_the_loop_setting_must_agree() -> None:
    with pytest.raises(ConfigError, match="projective first"):
        TrainConfig(priors=Priors(trees="projective first"))
    with pytest.raises(ConfigError, match="priors.trees"):
        TrainConfig(priors=Priors(trees="shortest"))
    with pytest.raises(ConfigError, match="edit_moves"):
        TrainConfig(loop=LoopConfig(edit_moves=("rotate", "swap")))
    config = TrainConfig(priors=Priors(trees="projective first"),
                         loop=LoopConfig(projective_first=True, edit_moves=EDIT_MOVES))
    assert TrainConfig.from_json(config.to_json()) == config


class _FakeParse:
    def __init__(self, tree: DependencyTree) -> None:
        self.tree = tree


class _WideOnlyParser:
    """Greedy gives an uninterpretable tree; only a beam of 8 or more holds a good one."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def parse_batch(self, views, mode: str) -> list:
        return [_FakeParse(DependencyTree((-1, 0, 0, 0, 0, 0, 0))) for _ in views]

    def beam_batch(self, views, k: int) -> list:
        self.widths.append(k)
        good = DependencyTree((-1, 0, 1, 2, 2, 0, 5))  # remove_second(reverse(A1 B2), C3 D4)
        return [[_FakeParse(good)] if k >= 8 else [] for _ in views]


def test_prediction_widens_the_fallback_beam_for_uninterpretable_inputs() -> None:
    sem = SemanticModule(Registry.default(),
                         SemanticsConfig(primitive_sets=("list",), valueless=True))
    sem.literals = Literals(["A1", "B2", "C3", "D4"], first=21)
    machine = Machine.create(sorted(set(EXAMPLE.inputs)), sem, num_symbols=20, seed=0)
    symbols = machine.symbols_of([EXAMPLE.inputs])[0]
    sem.set_program(symbols[0], parse_program("(lambda 2 $0)"))
    sem.set_program(symbols[1], parse_program("(lambda 1 (reverse $0))"))
    sem.set_valueless(symbols[4])
    machine.parser = _WideOnlyParser()
    assert machine.deduce([EXAMPLE.inputs], fallback_beam=2)[0].output is None
    assert machine.parser.widths == [2]
    assert machine.deduce([EXAMPLE.inputs], fallback_beam=2, widen=1)[0].output is None
    assert machine.deduce([EXAMPLE.inputs], fallback_beam=2, widen=2)[0].output == ("B2", "A1")
    assert machine.parser.widths == [2, 2, 4, 2, 4, 8]
    assert machine.predict([EXAMPLE.inputs]) == [("B2", "A1")]  # its fallback beam is 8
