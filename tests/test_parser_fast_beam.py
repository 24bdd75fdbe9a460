"""The fast beam searches against ``parser.decoding.beam_search`` (their reference).

``TransitionParser.beam_batch`` runs ``parser.fast_beam.beam_tensor`` for many
sentences and ``parser.lazy_beam.beam_lazy`` for a few; ``_beam_batch_reference``
runs ``beam_search``. All must give the same trees and log-probabilities, in the
same order, bit for bit: the assertions below compare floats with ``==``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator

import pytest
import torch

import parser.model as parser_model
from nsr.types import DependencyTree
from parser import ParserConfig, TransitionParser, beam_state, fast_beam, lazy_beam
from parser.decoding import beam_search, masked_log_softmax
from parser.features import batch_features
from tests.test_parser_fast_greedy import _random_tree, _row_hash_scores, _sentences

V = 6
Forward = Callable[[torch.Tensor], torch.Tensor]


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """One torch thread, as the project runs: on a loaded 2-core machine two
    threads make these small ops many times slower (and results agree either
    way: ``test_two_threads_match`` checks)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _long(seed: int, count: int) -> list[tuple[int, ...]]:
    """Sentences of about 40 symbols."""
    rng = random.Random(seed)
    return [
        tuple(rng.randrange(V) for _ in range(rng.randint(36, 44)))
        for _ in range(count)
    ]


def _three_ways(
    forward: Forward, cfg: ParserConfig, sentences: list[tuple[int, ...]], k: int
) -> list[list[tuple[float, tuple[int, ...]]]]:
    """Beams of ``beam_search``, after checking that both fast searches agree."""

    def score(states, owners):  # type: ignore[no-untyped-def]
        ids, mask = batch_features(states, owners, cfg)
        return masked_log_softmax(forward(ids), mask)

    reference = [
        [(lp, s.heads) for lp, s in b] for b in beam_search(score, sentences, k)
    ]
    lazy = [
        [(lp, s.heads) for lp, s in b] for b in lazy_beam.beam_lazy(score, sentences, k)
    ]
    assert lazy == reference
    assert fast_beam.beam_tensor(forward, sentences, cfg, k) == reference
    return reference


def _nonprojective(beams: list[list[tuple[float, tuple[int, ...]]]]) -> int:
    return sum(not DependencyTree(h).is_projective() for b in beams for _, h in b)


@pytest.mark.parametrize("k", [1, 3, 8])
def test_random_scores_match(k: int) -> None:
    """Features, legality, moves, merging and ranking, independent of any model;
    the row-hash scores take many SWAPs."""
    cfg = ParserConfig(num_symbols=V, stack_window=3, buffer_window=2, child_window=2)
    beams = _three_ways(_row_hash_scores, cfg, _sentences(k, 12, max_len=30), k)
    assert _nonprojective(beams) > 3


@pytest.mark.parametrize("k", [3, 8])
def test_tied_scores_match(k: int) -> None:
    """Every legal move equally likely: ties everywhere, broken by insertion order."""
    cfg = ParserConfig(num_symbols=V)
    flat: Forward = lambda ids: torch.zeros(len(ids), 4)
    beams = _three_ways(flat, cfg, _sentences(k + 20, 20, max_len=12), k)
    assert any(b[0][0] == b[1][0] for b in beams if len(b) > 1)


@functools.cache
def _trained(late_left_arc: bool, seed: int = 0) -> TransitionParser:
    cfg = ParserConfig(
        num_symbols=V, embed_dim=8, hidden=16, seed=seed, late_left_arc=late_left_arc
    )
    model = TransitionParser(cfg)
    rng = random.Random(seed)
    sentences = _sentences(seed + 100, 120, max_len=12)
    model.learn(sentences, [_random_tree(rng, len(s)) for s in sentences], epochs=3)
    return model


def _force(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Make ``beam_batch`` take the tensor or the lazy path whatever the batch."""
    rows = 0 if path == "tensor" else 10**9
    monkeypatch.setattr(parser_model, "_TENSOR_BEAM_ROWS", rows)
    monkeypatch.setattr(parser_model, "_TENSOR_GREEDY_ROWS", rows)


@pytest.mark.parametrize("k", [1, 3, 8])
@pytest.mark.parametrize("late_left_arc", [False, True])
def test_trained_parsers_match_the_reference(
    late_left_arc: bool, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _trained(late_left_arc)
    sentences = _sentences(k + 7, 8, max_len=12) + _long(k, 2)
    reference = model._beam_batch_reference(sentences, k)
    for path in ("tensor", "lazy"):
        _force(monkeypatch, path)
        assert model.beam_batch(sentences, k) == reference, path
    if k > 1:
        trees = [r.tree for hyps in reference for r in hyps]
        assert sum(not t.is_projective() for t in trees) > 0


def test_default_dispatch_matches_the_reference() -> None:
    model = _trained(True)
    few, many = _long(1, 2), _sentences(2, 20, max_len=16)
    for sentences in (few, many):  # lazy, then tensor (20 x 8 rows)
        assert model.beam_batch(sentences, 8) == model._beam_batch_reference(
            sentences, 8
        )
    # Scores depend on the batch a state is scored in, so compare like with like.
    assert model.beam(few[0], 8) == model._beam_batch_reference(few[:1], 8)[0]
    best = model.parse_batch(many, mode="beam", beam_size=8)
    assert best == [h[0] for h in model._beam_batch_reference(many, 8)]


def test_key_collisions_fall_back_to_full_states(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every key equal, every merge is a collision the checks must catch."""
    zeroed = beam_state.KeyTable.__init__

    def zero_keys(self, width: int, sentences: int) -> None:  # type: ignore[no-untyped-def]
        zeroed(self, width, sentences)
        self.terms.zero_()
        self.sentence.zero_()

    calls = {"tensor": 0, "lazy": 0}

    def counted(name: str, module: object, attr: str) -> None:
        inner = getattr(module, attr)

        def wrapper(*args):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return inner(*args)

        monkeypatch.setattr(module, attr, wrapper)

    monkeypatch.setattr(beam_state.KeyTable, "__init__", zero_keys)
    counted("tensor", fast_beam, "_exact_groups")
    counted("lazy", lazy_beam, "_exact")
    cfg = ParserConfig(num_symbols=V, stack_window=3, buffer_window=2, child_window=2)
    _three_ways(_row_hash_scores, cfg, _sentences(3, 8, max_len=12), 4)
    assert calls["tensor"] > 0 and calls["lazy"] > 0


@pytest.mark.parametrize("path", ["tensor", "lazy"])
def test_empty_and_tiny_inputs(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _force(monkeypatch, path)
    model = TransitionParser(ParserConfig(num_symbols=V, embed_dim=8, hidden=16))
    assert model.beam_batch([], 3) == []
    batch: list[tuple[int, ...]] = [(), (3,), (), (1, 2), (5,), (0, 0, 0)]
    for k in (1, 2, 5):
        assert model.beam_batch(batch, k) == model._beam_batch_reference(batch, k)
    assert model.beam((), 4)[0].tree == DependencyTree(())
    with pytest.raises(ValueError):
        model.beam_batch(batch, 0)
    with pytest.raises(ValueError):
        model._beam_batch_reference(batch, 0)


def test_two_threads_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tensor path runs the model with the caller's threads, all else on one."""
    torch.set_num_threads(2)
    model = _trained(True)
    sentences = _sentences(5, 6, max_len=12)
    reference = model._beam_batch_reference(sentences, 3)
    _force(monkeypatch, "tensor")
    assert model.beam_batch(sentences, 3) == reference
    assert torch.get_num_threads() == 2
