"""The neural transition parser: a Chen & Manning scorer, batched search, learning.

``TransitionParser`` embeds the symbols at fixed stack/buffer/dependent slots
(:mod:`parser.features`), concatenates them and scores the four transitions with a
one-hidden-layer MLP; illegal transitions are masked to ``-inf`` before the
softmax, so every probability it reports is over legal moves only.

Parsing (:meth:`parse_batch`) steps all sentences together with one forward pass
per step; greedy and sampled parses go through the tensorized decoder of
:mod:`parser.fast_greedy`, beam search (:meth:`beam_batch`) through
:mod:`parser.fast_beam` or :mod:`parser.lazy_beam`. Each gives exactly what the
per-state decoders of :mod:`parser.decoding` give (``_*_reference`` methods, for
tests), only faster. Learning (:meth:`learn`) replays
oracle derivations of the given trees and minimises cross-entropy over legal moves
with an Adam optimiser kept in the module (``parser.optimizer``; its state is not
part of ``state_dict``).

A parse's ``log_prob`` is the log-probability of the move sequence that built it.
Several move sequences can build the same tree, so :meth:`log_prob`, which scores
a tree along its oracle derivation, may differ from the ``log_prob`` of a parse
that reached that tree another way.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import torch
import torch.nn.functional as F
from torch import nn

from nsr.types import DependencyTree
from parser.config import ParserConfig
from parser.decoding import beam_search, decode, masked_log_softmax
from parser.fast_beam import beam_tensor
from parser.fast_greedy import decode_tensor
from parser.features import batch_features, check_symbols
from parser.lazy_beam import beam_lazy
from parser.oracle import oracle_states
from parser.state import ParserError, ParserState
from parser.transitions import NUM_TRANSITIONS, Transition

Mode = Literal["greedy", "sample", "beam"]
Derivation = TypeVar("Derivation")
# Tensorized decoding pays a fixed cost per step: on 2 loaded CPU cores, beam
# search gained from it from about this many sentences x beam size (on PCFG SET
# inputs of 40 tokens; short ones need more) and greedy decoding from about this
# many sentences. Either way the results are the same.
_TENSOR_BEAM_ROWS = 128
_TENSOR_GREEDY_ROWS = 128
_SWAP_COLUMN = torch.tensor([int(Transition.SWAP)])


@dataclass(frozen=True)
class ParseResult:
    """A parse and the log-probability of the moves that built it."""

    tree: DependencyTree
    log_prob: float


class TransitionParser(nn.Module):
    """Arc-standard + SWAP parser over symbol sequences (integers in ``[0, V)``); with
    ``config.projective``, arc-standard alone (SWAP always scores ``-inf``)."""

    def __init__(self, config: ParserConfig) -> None:
        super().__init__()
        self.config = config
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            self.embed = nn.Embedding(config.vocab_size, config.embed_dim)
            self.hidden = nn.Linear(
                config.num_features * config.embed_dim, config.hidden
            )
            self.out = nn.Linear(config.hidden, NUM_TRANSITIONS)
        self.dropout = nn.Dropout(config.dropout)
        self.optimizer = torch.optim.Adam(
            self.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self._learn_calls = 0

    def snapshot(self) -> dict[str, Any]:
        """A copy of the weights, the optimiser's state and the learning-call count,
        for :meth:`restore`."""
        return copy.deepcopy({"weights": self.state_dict(),
                              "optimizer": self.optimizer.state_dict(),
                              "learn_calls": self._learn_calls})

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Go back to a :meth:`snapshot`."""
        self.load_state_dict(snapshot["weights"])
        self.optimizer.load_state_dict(snapshot["optimizer"])
        self._learn_calls = snapshot["learn_calls"]

    # ---- scoring -------------------------------------------------------------

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Raw transition scores of feature ids ``(B, F)`` -> ``(B, 4)``."""
        x = self.embed(ids).flatten(1)  # (B, F * E)
        h = torch.relu(self.hidden(self.dropout(x)))  # (B, H)
        scores = self.out(h)  # (B, 4)
        if self.config.projective:
            scores = scores.index_fill(1, _SWAP_COLUMN.to(scores.device), -math.inf)
        return scores

    def can_build(self, tree: DependencyTree) -> bool:
        """Whether some derivation builds ``tree``: always, unless the parser is
        projective and ``tree`` is not."""
        return not self.config.projective or tree.is_projective()

    def _masked_log_probs(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return masked_log_softmax(self(ids), mask)  # (B, 4), -inf where illegal

    def _score(
        self, states: list[ParserState], sentences: list[tuple[int, ...]]
    ) -> torch.Tensor:
        ids, mask = batch_features(states, sentences, self.config)  # (B, F), (B, 4)
        return self._masked_log_probs(ids, mask)

    @contextmanager
    def _inference(self) -> Iterator[None]:
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                yield
        finally:
            self.train(was_training)

    # ---- parsing -------------------------------------------------------------

    def parse(
        self,
        symbols: Sequence[int],
        mode: Mode = "greedy",
        beam_size: int = 4,
        generator: torch.Generator | None = None,
    ) -> ParseResult:
        """Parse one symbol sequence (see :meth:`parse_batch`)."""
        return self.parse_batch([symbols], mode, beam_size, generator)[0]

    def parse_batch(
        self,
        sentences: Sequence[Sequence[int]],
        mode: Mode = "greedy",
        beam_size: int = 4,
        generator: torch.Generator | None = None,
    ) -> list[ParseResult]:
        """Parse many sentences together, one forward pass per step for all of them.

        Args:
            sentences: symbol sequences, each symbol in ``[0, num_symbols)``.
            mode: ``"greedy"`` (best move each step), ``"sample"`` (a move drawn
                from the model, using ``generator``) or ``"beam"`` (the best tree of
                :meth:`beam_batch` with ``beam_size``).
            beam_size: beam width for ``mode="beam"``.
            generator: random source for ``mode="sample"``.

        Returns:
            One ``ParseResult`` per sentence, in order.
        """
        if mode == "beam":
            return [hyps[0] for hyps in self.beam_batch(sentences, beam_size)]
        if mode not in ("greedy", "sample"):
            raise ParserError(
                f"unknown parse mode {mode!r}; use greedy, sample or beam"
            )
        checked = check_symbols(sentences, self.config.num_symbols)
        with self._inference():
            found = decode_tensor(
                self,
                checked,
                self.config,
                sample=mode == "sample",
                generator=generator,
            )
        return [ParseResult(DependencyTree(heads), lp) for lp, heads in found]

    def _parse_batch_reference(
        self,
        sentences: Sequence[Sequence[int]],
        mode: Literal["greedy", "sample"] = "greedy",
        generator: torch.Generator | None = None,
    ) -> list[ParseResult]:
        """``parse_batch`` through the per-state Python decoder (for tests)."""
        checked = check_symbols(sentences, self.config.num_symbols)
        with self._inference():
            found = decode(
                self._score, checked, sample=mode == "sample", generator=generator
            )
        return [ParseResult(state.tree(), lp) for lp, state in found]

    def beam(self, symbols: Sequence[int], k: int = 4) -> list[ParseResult]:
        """Up to ``k`` distinct trees of one sentence, most probable first."""
        return self.beam_batch([symbols], k)[0]

    def beam_batch(
        self, sentences: Sequence[Sequence[int]], k: int = 4
    ) -> list[list[ParseResult]]:
        """Batched beam search; per sentence up to ``k`` distinct trees, best first.

        The greedy parse competes in the final ranking too, so the best result is
        never less probable than the greedy one (plain beam search can lose it).
        Returns the same trees and log-probabilities, in the same order, as
        :meth:`_beam_batch_reference` (``beam_search`` of :mod:`parser.decoding`),
        faster: many sentences go through the tensorized search of
        :mod:`parser.fast_beam`, a few through :mod:`parser.lazy_beam`.

        Raises:
            ValueError: if ``k < 1``.
        """
        checked = check_symbols(sentences, self.config.num_symbols)
        with self._inference():
            if len(checked) * k >= _TENSOR_BEAM_ROWS:
                beams = beam_tensor(self, checked, self.config, k)
            else:
                found = beam_lazy(self._score, checked, k)
                beams = [[(lp, s.heads) for lp, s in hyps] for hyps in found]
            if len(checked) >= _TENSOR_GREEDY_ROWS:
                greedy = decode_tensor(self, checked, self.config, cache=False)
            else:
                greedy = [(lp, s.heads) for lp, s in decode(self._score, checked)]
        return [
            [ParseResult(DependencyTree(heads), lp) for heads, lp in ranked]
            for ranked in map(_with_greedy, beams, greedy, [k] * len(beams))
        ]

    def _beam_batch_reference(
        self, sentences: Sequence[Sequence[int]], k: int = 4
    ) -> list[list[ParseResult]]:
        """``beam_batch`` through the per-state Python search (for tests)."""
        checked = check_symbols(sentences, self.config.num_symbols)
        with self._inference():
            beams = beam_search(self._score, checked, k)
            greedy = decode(self._score, checked)
        return [
            [ParseResult(state.tree(), lp) for state, lp in ranked]
            for ranked in map(_with_greedy, beams, greedy, [k] * len(beams))
        ]

    # ---- scoring given trees ---------------------------------------------------

    def log_prob(self, symbols: Sequence[int], tree: DependencyTree) -> float:
        """Log-probability of the oracle derivation of ``tree`` over ``symbols``."""
        return self.log_probs([symbols], [tree])[0]

    def log_probs(
        self, sentences: Sequence[Sequence[int]], trees: Sequence[DependencyTree]
    ) -> list[float]:
        """Batched :meth:`log_prob`: one forward pass over all oracle states."""
        ids, mask, gold, owner = self._oracle_batch(sentences, trees)
        totals = torch.zeros(len(trees))  # (S,)
        if len(gold):
            with self._inference():
                logp = self._masked_log_probs(ids, mask)  # (N, 4)
                picked = logp.gather(1, gold[:, None]).squeeze(1)  # (N,)
                totals.index_add_(0, owner, picked)
        return totals.tolist()

    def _oracle_batch(
        self, sentences: Sequence[Sequence[int]], trees: Sequence[DependencyTree]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Features ``(N, F)``, masks ``(N, 4)``, gold moves ``(N,)`` and sentence
        index ``(N,)`` of every state on the oracle derivations of ``trees``."""
        if len(sentences) != len(trees):
            raise ParserError(f"{len(sentences)} sentences but {len(trees)} trees")
        checked = check_symbols(sentences, self.config.num_symbols)
        states: list[ParserState] = []
        owners: list[tuple[int, ...]] = []
        gold: list[int] = []
        index: list[int] = []
        for k, (symbols, tree) in enumerate(zip(checked, trees)):
            if len(tree.heads) != len(symbols):
                raise ParserError(
                    f"sentence {k}: {len(symbols)} symbols, "
                    f"but a tree of {len(tree.heads)} positions"
                )
            if not self.can_build(tree):
                raise ParserError(
                    f"sentence {k}: a projective parser cannot build the "
                    f"non-projective tree {tree.heads}"
                )
            moves, visited = oracle_states(
                tree, late_left_arc=self.config.late_left_arc)
            states.extend(visited[:-1])
            owners.extend([symbols] * len(moves))
            gold.extend(moves)
            index.extend([k] * len(moves))
        ids, mask = batch_features(states, owners, self.config)
        return (
            ids,
            mask,
            torch.tensor(gold, dtype=torch.long),
            torch.tensor(index, dtype=torch.long),
        )

    # ---- learning ------------------------------------------------------------

    def learn(
        self,
        symbol_seqs: Sequence[Sequence[int]],
        trees: Sequence[DependencyTree],
        epochs: int = 1,
        batch_size: int | None = None,
    ) -> float:
        """Train on the oracle derivations of ``trees``; return the mean loss.

        Args:
            symbol_seqs: the sentences.
            trees: one target tree per sentence (non-projective allowed).
            epochs: passes over all oracle configurations.
            batch_size: configurations per Adam step (default ``config.batch_size``).

        Returns:
            Mean cross-entropy (over legal moves) per configuration, over all epochs;
            0.0 when there is nothing to learn from.
        """
        ids, mask, gold, _ = self._oracle_batch(symbol_seqs, trees)
        n = len(gold)
        if n == 0 or epochs < 1:
            return 0.0
        size = batch_size or self.config.batch_size
        shuffle = torch.Generator().manual_seed(
            self.config.seed * 1_000_003 + self._learn_calls
        )
        self._learn_calls += 1
        was_training = self.training
        self.train()
        total = 0.0
        for _ in range(epochs):
            order = torch.randperm(n, generator=shuffle)  # (N,)
            for start in range(0, n, size):
                rows = order[start : start + size]  # (b,)
                logp = self._masked_log_probs(ids[rows], mask[rows])  # (b, 4)
                loss = F.nll_loss(logp, gold[rows])
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                total += loss.item() * len(rows)
        self.train(was_training)
        return total / (n * epochs)


def _with_greedy(
    hyps: list[tuple[float, Derivation]],
    greedy: tuple[float, Derivation],
    k: int,
) -> list[tuple[Derivation, float]]:
    """A beam's finished derivations and the greedy one, merged and ranked: the
    ``k`` best distinct ones, ties in the beam's order, the greedy one last."""
    pool = {item: lp for lp, item in hyps}
    lp, item = greedy
    pool[item] = max(pool.get(item, -math.inf), lp)
    return sorted(pool.items(), key=lambda entry: -entry[1])[:k]
