"""The ``trees = "projective"`` prior: an arc-standard parser without SWAP, tree
enumeration restricted to projective trees, and training that leaves out the trees such
a parser cannot build."""

from __future__ import annotations

import pytest
import torch

from nsr.image_input import image_preset
from nsr.machine import Machine
from nsr.registry import Registry
from nsr.trees import all_trees
from nsr.types import DependencyTree
from parser import ParserConfig, ParserError, TransitionParser
from semantics.module import SemanticModule, SemanticsConfig

V = 8
# Projective dependency trees with one root over n words: 1, 2, 7, 30, 143, 728 (OEIS
# A006013); all rooted trees: n^(n-1).
PROJECTIVE_COUNTS = {1: 1, 2: 2, 3: 7, 4: 30, 5: 143, 6: 728}
CROSSING = DependencyTree((2, -1, 1))  # "walk around left": arcs 1->2 and 2->0 cross


@pytest.mark.parametrize("n", sorted(PROJECTIVE_COUNTS))
def test_enumeration_keeps_exactly_the_projective_trees(n: int) -> None:
    every = all_trees(n)
    projective = all_trees(n, projective=True)
    assert len(every) == n ** (n - 1)
    assert len(projective) == PROJECTIVE_COUNTS[n]
    assert set(projective) == {t for t in every if t.is_projective()}


def _sentences(count: int, seed: int) -> list[list[int]]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randint(0, V, (int(n),), generator=gen).tolist()
            for n in torch.randint(3, 10, (count,), generator=gen)]


def test_a_projective_parser_builds_only_projective_trees() -> None:
    batch = _sentences(60, seed=0)
    free = TransitionParser(ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=2))
    bound = TransitionParser(ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=2,
                                          projective=True))
    sampled = free.parse_batch(batch, mode="sample", generator=torch.Generator().manual_seed(1))
    assert sum(not r.tree.is_projective() for r in sampled) > 5  # SWAP builds crossing trees
    for mode in ("greedy", "sample"):
        results = bound.parse_batch(batch, mode=mode,
                                    generator=torch.Generator().manual_seed(1))
        assert all(r.tree.is_projective() for r in results)
    beams = bound.beam_batch(batch, k=6)
    assert all(r.tree.is_projective() for beam in beams for r in beam)
    assert all(len(beam) == 6 for beam in beams)  # 3+ words have 7+ projective trees


def test_a_projective_parser_refuses_to_learn_a_crossing_tree() -> None:
    bound = TransitionParser(ParserConfig(num_symbols=V, embed_dim=8, hidden=16,
                                          projective=True))
    assert not bound.can_build(CROSSING)
    assert bound.can_build(DependencyTree((-1, 0, 1)))
    with pytest.raises(ParserError, match="non-projective"):
        bound.learn([[0, 1, 2]], [CROSSING], epochs=1)


def test_the_machine_teaches_its_parser_only_the_trees_it_can_build() -> None:
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("list",)))
    machine = Machine.create(["a", "b", "c"], sem, num_symbols=V, seed=0, hidden=16,
                             embed=8, projective=True)
    loss = machine.learn_parser([(0, 1, 2), (1, 2)],
                                [CROSSING, DependencyTree((-1, 0))], epochs=1)
    assert loss > 0
    # only the two-symbol input was learned: the crossing tree was left out
    assert machine.parser_counts == {1: 1, 2: 1}
    assert machine.learn_parser([(0, 1, 2)], [CROSSING], epochs=1) == 0.0
    assert not machine.parser_counts


def test_image_input_declares_projective_trees() -> None:
    config = image_preset("hint", split=None, seed=0)
    assert config.priors.trees == "projective"
    assert not config.loop.projective_first
