"""The machine: perception, parser and semantics together, for deduction.

Deduction is greedy: each token's most probable symbol, the parser's greedy tree, and
bottom-up evaluation of the symbols' programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from nsr.gss import evaluate
from nsr.types import DependencyTree
from parser import ParserConfig, TransitionParser
from perception import PerceptionConfig, TokenPerception
from semantics.module import UNDEFINED, SemanticModule


@dataclass(frozen=True)
class Deduction:
    symbols: tuple[int, ...]
    tree: DependencyTree
    values: tuple[Any, ...]

    @property
    def output(self) -> Any:
        v = self.values[self.tree.root]
        return None if v is UNDEFINED else v


class Machine:
    """Perception, parser and semantic module of one run."""

    def __init__(self, perception: TokenPerception, parser: TransitionParser,
                 semantics: SemanticModule) -> None:
        self.perception, self.parser, self.semantics = perception, parser, semantics

    @classmethod
    def create(cls, vocabulary: Sequence[str], semantics: SemanticModule, *,
               num_symbols: int, seed: int, hidden: int = 64, embed: int = 32,
               distinct: bool = True) -> Machine:
        torch.manual_seed(seed)
        perception = TokenPerception(vocabulary, PerceptionConfig(
            num_symbols=num_symbols, seed=seed, distinct_init=distinct))
        parser = TransitionParser(ParserConfig(num_symbols=num_symbols, hidden=hidden,
                                               embed_dim=embed, seed=seed))
        return cls(perception, parser, semantics)

    def symbols_of(self, batch: Sequence[Sequence[str]]) -> list[tuple[int, ...]]:
        """Each token's most probable symbol (raises on unknown tokens)."""
        best = self.perception.table().argmax(dim=-1).tolist()
        index = self.perception.index
        out = []
        for tokens in batch:
            self.perception.token_ids(tokens)  # validates: unknown tokens raise
            out.append(tuple(best[index[t]] for t in tokens))
        return out

    def deduce(self, batch: Sequence[Sequence[str]]) -> list[Deduction]:
        symbols = self.symbols_of(batch)
        trees = [r.tree for r in self.parser.parse_batch(symbols, mode="greedy")]
        return [Deduction(s, t, tuple(evaluate(s, t, self.semantics)))
                for s, t in zip(symbols, trees)]

    def predict(self, batch: Sequence[Sequence[str]]) -> list[Any]:
        return [d.output for d in self.deduce(batch)]
