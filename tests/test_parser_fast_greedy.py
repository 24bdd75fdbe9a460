"""The tensorized greedy decoder against the per-state Python decoder (its reference).

``TransitionParser.parse_batch`` (greedy and sample) runs
``parser.fast_greedy.decode_tensor``; ``_parse_batch_reference`` runs
``parser.decoding.decode``. They must give the same trees and log-probabilities.
"""

from __future__ import annotations

import random

import pytest
import torch

from nsr.types import DependencyTree
from parser import ParserConfig, TransitionParser
from parser.decoding import decode, masked_log_softmax
from parser.fast_greedy import _MIN_ROWS_PER_THREAD, decode_tensor
from parser.features import batch_features
from parser.score_cache import ScoreCache, code_rows, row_codes

V = 6


def _sentences(seed: int, count: int, max_len: int = 40) -> list[tuple[int, ...]]:
    rng = random.Random(seed)
    return [
        tuple(rng.randrange(V) for _ in range(rng.randint(1, max_len)))
        for _ in range(count)
    ]


def _random_tree(rng: random.Random, n: int) -> DependencyTree:
    """Any tree, non-projective ones included: attach nodes in a random order."""
    order = rng.sample(range(n), n)
    heads = [-1] * n
    for k in range(1, n):
        heads[order[k]] = order[rng.randrange(k)]
    return DependencyTree(tuple(heads))


def _trained(cfg: ParserConfig, seed: int) -> TransitionParser:
    rng = random.Random(seed)
    model = TransitionParser(cfg)
    sentences = _sentences(seed + 100, 150, max_len=12)
    trees = [_random_tree(rng, len(s)) for s in sentences]
    model.learn(sentences, trees, epochs=3)
    return model


def _assert_same(model: TransitionParser, sentences: list[tuple[int, ...]]) -> int:
    """Fast and reference greedy parses agree; returns how many are non-projective."""
    fast = model.parse_batch(sentences, mode="greedy")
    slow = model._parse_batch_reference(sentences, "greedy")
    for k, (a, b) in enumerate(zip(fast, slow, strict=True)):
        assert a.tree == b.tree, (k, sentences[k])
        assert a.log_prob == pytest.approx(b.log_prob, abs=1e-5), k
    # Arc-standard builds only projective trees: a non-projective one took a SWAP.
    return sum(not r.tree.is_projective() for r in fast)


CONFIGS = [
    {},
    {"stack_window": 1, "buffer_window": 0, "child_window": 1},
    {"stack_window": 4, "buffer_window": 1, "child_window": 0},
]


@pytest.mark.parametrize("windows", CONFIGS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_untrained_parsers_match_the_reference(windows: dict, seed: int) -> None:
    cfg = ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=seed, **windows)
    _assert_same(TransitionParser(cfg), _sentences(seed, 120))  # some never SWAP


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trained_parsers_match_the_reference(seed: int) -> None:
    cfg = ParserConfig(num_symbols=V, embed_dim=8, hidden=16, seed=seed)
    swaps = _assert_same(_trained(cfg, seed), _sentences(seed + 7, 200))
    assert swaps > 0


def test_empty_and_tiny_inputs() -> None:
    model = TransitionParser(ParserConfig(num_symbols=V, embed_dim=8, hidden=16))
    assert model.parse_batch([]) == []
    batch: list[tuple[int, ...]] = [(), (3,), (), (1, 2), (5,)]
    assert model.parse_batch(batch) == model._parse_batch_reference(batch)
    assert model.parse_batch([()])[0].tree == DependencyTree(())


def test_sampling_matches_the_reference() -> None:
    model = TransitionParser(ParserConfig(num_symbols=V, embed_dim=8, hidden=16))
    sentences = _sentences(5, 80)
    fast = model.parse_batch(sentences, "sample", generator=torch.manual_seed(9))
    slow = model._parse_batch_reference(sentences, "sample", torch.manual_seed(9))
    assert [r.tree for r in fast] == [r.tree for r in slow]
    for a, b in zip(fast, slow):
        assert a.log_prob == pytest.approx(b.log_prob, abs=1e-5)


def _row_hash_scores(ids: torch.Tensor) -> torch.Tensor:
    """Deterministic, row-by-row pseudo-random scores: many SWAPs, no BLAS."""
    w = torch.arange(1, ids.shape[1] + 1, dtype=torch.float64)  # (F,)
    x = (ids.double() * w).sum(dim=1, keepdim=True)  # (A, 1)
    k = torch.arange(1, 5, dtype=torch.float64)  # (4,)
    return (torch.sin(x * k * 12.9898) * 43758.5453).frac().float()  # (A, 4)


@pytest.mark.parametrize("cache", [False, True])
def test_transition_system_matches_on_random_scores(cache: bool) -> None:
    """Features, legality and moves, independent of any model."""
    cfg = ParserConfig(num_symbols=V, stack_window=3, buffer_window=2, child_window=2)
    sentences = _sentences(11, 300)

    def score(states, owners):  # type: ignore[no-untyped-def]
        ids, mask = batch_features(states, owners, cfg)
        return masked_log_softmax(_row_hash_scores(ids), mask)

    slow = decode(score, sentences)
    fast = decode_tensor(_row_hash_scores, sentences, cfg, cache=cache)
    assert [s.heads for _, s in slow] == [h for _, h in fast]
    assert [lp for lp, _ in slow] == [lp for lp, _ in fast]
    assert sum(not DependencyTree(h).is_projective() for _, h in fast) > 50


def test_forward_is_row_invariant_in_batches_the_cache_uses() -> None:
    """The cache's premise: with the current thread count, a row scores the same
    in any batch of at least ``_MIN_ROWS_PER_THREAD`` rows per thread."""
    model = TransitionParser(ParserConfig(num_symbols=16, hidden=128)).eval()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 18, (5000, model.config.num_features), generator=g)
    smallest = _MIN_ROWS_PER_THREAD * torch.get_num_threads()
    with torch.inference_mode():
        full = model(ids)
        for size in (smallest, smallest + 1, smallest + 7, 2 * smallest + 3, 1000):
            for start in (0, 1, 7, 3999):
                part = model(ids[start : start + size])
                assert torch.equal(part, full[start : start + size]), (size, start)


def test_score_cache_finds_what_it_stored_across_growth() -> None:
    cache = ScoreCache(columns=2, log2_size=3)
    g = torch.Generator().manual_seed(1)
    stored: dict[int, list[float]] = {}
    for _ in range(20):
        codes = torch.unique(torch.randint(0, 2**40, (300,), generator=g))
        slots = cache.find(codes)
        assert [s >= 0 for s in slots.tolist()] == [c in stored for c in codes.tolist()]
        new = codes[slots < 0]
        values = torch.rand(len(new), 2, generator=g)
        cache.insert(new, values)
        stored.update(zip(new.tolist(), values.tolist()))
    keys = torch.tensor(list(stored))
    assert cache.values[cache.find(keys)].tolist() == list(stored.values())
    ids = torch.randint(0, 18, (50, 10), generator=g)
    assert torch.equal(code_rows(row_codes(ids, 18), 18, 10), ids)  # type: ignore[arg-type]
    assert row_codes(torch.zeros(1, 40, dtype=torch.long), 18) is None
