"""The neural parser: valid parses in every mode, consistent scores, learning."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nsr.errors import ConfigError
from nsr.types import DependencyTree
from parser import ParserConfig, ParserError, TransitionParser, initial, oracle
from parser.features import batch_features
from parser.transitions import apply
from tests.test_parser_oracle import dependency_trees

V = 8
CONFIG = ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=3)
MODEL = TransitionParser(CONFIG)  # never trained: shared by the read-only tests

sentences = st.lists(st.integers(0, V - 1), min_size=1, max_size=10)


@st.composite
def sentences_with_trees(draw: st.DrawFn) -> tuple[list[int], DependencyTree]:
    tree = draw(dependency_trees(max_size=10))
    symbols = draw(
        st.lists(
            st.integers(0, V - 1), min_size=len(tree.heads), max_size=len(tree.heads)
        )
    )
    return symbols, tree


def _valid(tree: DependencyTree, n: int) -> bool:
    return len(tree.heads) == n and DependencyTree(tree.heads) == tree


@settings(max_examples=25, deadline=None)
@given(sentences, st.integers(0, 2**31 - 1))
def test_every_mode_gives_a_valid_tree(symbols: list[int], seed: int) -> None:
    greedy = MODEL.parse(symbols)
    sampled = MODEL.parse(
        symbols, mode="sample", generator=torch.Generator().manual_seed(seed)
    )
    best = MODEL.parse(symbols, mode="beam", beam_size=3)
    for result in (greedy, sampled, best):
        assert _valid(result.tree, len(symbols))
        assert math.isfinite(result.log_prob) and result.log_prob <= 1e-6
    assert best.log_prob >= greedy.log_prob - 1e-5


@settings(max_examples=15, deadline=None)
@given(sentences)
def test_beam_is_sorted_and_distinct(symbols: list[int]) -> None:
    results = MODEL.beam(symbols, 4)
    assert 1 <= len(results) <= 4
    scores = [r.log_prob for r in results]
    assert scores == sorted(scores, reverse=True)
    assert len({r.tree for r in results}) == len(results)


@settings(max_examples=25, deadline=None)
@given(sentences_with_trees())
def test_log_prob_is_the_sum_along_the_oracle_path(
    pair: tuple[list[int], DependencyTree],
) -> None:
    symbols, tree = pair
    expected, state = 0.0, initial(len(symbols))
    with torch.no_grad():
        for move in oracle(tree):
            ids, mask = batch_features([state], [tuple(symbols)], CONFIG)
            scores = MODEL(ids).masked_fill(~mask, -math.inf)
            expected += torch.log_softmax(scores, dim=1)[0, move].item()
            state = apply(state, move)
    assert MODEL.log_prob(symbols, tree) == pytest.approx(expected, abs=1e-4)


def test_parse_batch_matches_single_parses() -> None:
    gen = torch.Generator().manual_seed(0)
    batch = [
        torch.randint(0, V, (int(n),), generator=gen).tolist()
        for n in torch.randint(1, 12, (30,), generator=gen)
    ]
    together = MODEL.parse_batch(batch)
    for symbols, result in zip(batch, together):
        alone = MODEL.parse(symbols)
        assert alone.tree == result.tree
        assert alone.log_prob == pytest.approx(result.log_prob, abs=1e-4)
    scores = MODEL.log_probs(batch, [r.tree for r in together])
    assert scores == pytest.approx(
        [MODEL.log_prob(s, r.tree) for s, r in zip(batch, together)], abs=1e-4
    )


def test_sampling_is_reproducible_with_a_generator() -> None:
    batch = [[1, 2, 3, 4, 5, 6], [7, 0, 1]]
    first = MODEL.parse_batch(
        batch, mode="sample", generator=torch.Generator().manual_seed(5)
    )
    again = MODEL.parse_batch(
        batch, mode="sample", generator=torch.Generator().manual_seed(5)
    )
    assert first == again


def test_edge_cases_and_errors() -> None:
    empty = MODEL.parse([])
    assert empty.tree == DependencyTree(()) and empty.log_prob == 0.0
    assert MODEL.parse([3]).tree.heads == (-1,)
    with pytest.raises(ParserError):
        MODEL.parse([V])
    with pytest.raises(ParserError):
        MODEL.parse([1, 2], mode="viterbi")  # type: ignore[arg-type]
    with pytest.raises(ParserError):
        MODEL.log_prob([1, 2], DependencyTree((-1,)))
    with pytest.raises(ConfigError):
        ParserConfig(num_symbols=4, stack_window=1, child_window=2)


PAIRS = [  # (symbols, heads), several non-projective
    ((0, 1, 2), (2, -1, 1)),  # SCAN-like "walk around left"
    ((0, 1, 3), (2, -1, 1)),  # "walk around right"
    ((0, 1, 2, 4, 5), (2, -1, 1, 1, 3)),
    ((4, 0, 2), (-1, 0, 0)),
    ((5, 6, 7, 3), (1, -1, 3, 1)),
    ((3, 7, 0, 1, 2), (3, 0, -1, 4, 2)),
    ((6,), (-1,)),
]


def test_learning_reproduces_training_trees() -> None:
    model = TransitionParser(
        ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=1)
    )
    symbols = [list(s) for s, _ in PAIRS]
    trees = [DependencyTree(h) for _, h in PAIRS]
    assert sum(not t.is_projective() for t in trees) >= 3
    before = sum(model.log_probs(symbols, trees))
    first = model.learn(symbols, trees, epochs=1, batch_size=16)
    for _ in range(80):
        last = model.learn(symbols, trees, epochs=1, batch_size=16)
    assert last < first
    assert sum(model.log_probs(symbols, trees)) > before
    for s, tree, result in zip(symbols, trees, model.parse_batch(symbols)):
        assert result.tree == tree, s
        assert result.log_prob == pytest.approx(model.log_prob(s, tree), abs=1e-4)


def test_state_dict_round_trip() -> None:
    state = MODEL.state_dict()
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    other = TransitionParser(
        ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=99)
    )
    other.load_state_dict(state)
    batch = [[1, 2, 3], [4, 5, 6, 7, 0], [2]]
    assert other.parse_batch(batch) == MODEL.parse_batch(batch)
    assert other.beam(batch[1], 3) == MODEL.beam(batch[1], 3)
