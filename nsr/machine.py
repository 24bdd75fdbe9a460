"""The machine: perception, parser and semantics together, for deduction.

Deduction is greedy: each token's most probable symbol, the parser's greedy tree, and
bottom-up evaluation of the symbols' programs. When the greedy tree cannot be
interpreted (a node's number of children differs from its program's arity), the most
probable tree of the parser's beam that can be interpreted is used instead.

A symbol the parser has (almost) never seen inside a longer input, such as a word met only
alone in training, is parsed by analogy: the parser sees the symbol it was trained on most
that has the same arity, while evaluation still uses the symbol's own program.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from nsr.gss import evaluate
from nsr.types import DependencyTree
from parser import ParserConfig, TransitionParser
from perception import PerceptionConfig, TokenPerception
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule


@dataclass(frozen=True)
class Deduction:
    symbols: tuple[int, ...]
    tree: DependencyTree
    values: tuple[Any, ...]

    @property
    def output(self) -> Any:
        v = self.values[self.tree.root]
        return None if v is UNDEFINED or v is NO_VALUE else v


class Machine:
    """Perception, parser and semantic module of one run."""

    def __init__(self, perception: TokenPerception, parser: TransitionParser,
                 semantics: SemanticModule) -> None:
        self.perception, self.parser, self.semantics = perception, parser, semantics
        self.parser_counts: Counter = Counter()
        """How often the parser was trained on each symbol inside inputs of 2+ tokens."""
        self.min_parser_count = 5

    @classmethod
    def create(cls, vocabulary: Sequence[str], semantics: SemanticModule, *,
               num_symbols: int, seed: int, hidden: int = 64, embed: int = 32,
               distinct: bool = True, late_left_arc: bool = False) -> Machine:
        torch.manual_seed(seed)
        perception = TokenPerception(vocabulary, PerceptionConfig(
            num_symbols=num_symbols, seed=seed, distinct_init=distinct))
        parser = TransitionParser(ParserConfig(num_symbols=num_symbols, hidden=hidden,
                                               embed_dim=embed, seed=seed,
                                               late_left_arc=late_left_arc))
        return cls(perception, parser, semantics)

    def symbols_of(self, batch: Sequence[Sequence[str]]) -> list[tuple[int, ...]]:
        """Each token's most probable symbol (raises on unknown tokens)."""
        best = self.perception.table().argmax(dim=-1).tolist()
        symbol_of = {t: best[i] for t, i in self.perception.index.items()}
        out = []
        for tokens in batch:
            try:
                out.append(tuple([symbol_of[t] for t in tokens]))
            except KeyError:
                self.perception.token_ids(tokens)  # raises UnknownTokenError, naming it
                raise
        return out

    def parser_view(self, symbols: tuple[int, ...]) -> tuple[int, ...]:
        """The symbols as the parser sees them: rarely parsed ones by analogy."""
        if len(symbols) < 2:
            return symbols
        out = list(symbols)
        for i, s in enumerate(symbols):
            if self.parser_counts[s] < self.min_parser_count:
                arity = self.semantics.arity(s)
                peers = [(n, p) for p, n in self.parser_counts.items()
                         if n >= self.min_parser_count and p != s
                         and self.semantics.arity(p) == arity and arity is not None]
                if peers:
                    out[i] = max(peers)[1]
        return tuple(out)

    def deduce(self, batch: Sequence[Sequence[str]], fallback_beam: int = 8
               ) -> list[Deduction]:
        symbols = self.symbols_of(batch)
        views = [self.parser_view(s) for s in symbols]
        trees = [r.tree for r in self.parser.parse_batch(views, mode="greedy")]
        out = [Deduction(s, t, tuple(evaluate(s, t, self.semantics)))
               for s, t in zip(symbols, trees)]
        stuck = [i for i, d in enumerate(out) if d.output is None]
        if stuck and fallback_beam > 1:
            beams = self.parser.beam_batch([views[i] for i in stuck], k=fallback_beam)
            for i, results in zip(stuck, beams):
                for r in results:
                    values = tuple(evaluate(symbols[i], r.tree, self.semantics))
                    if values[r.tree.root] is not UNDEFINED:
                        out[i] = Deduction(symbols[i], r.tree, values)
                        break
        return out

    def predict(self, batch: Sequence[Sequence[str]]) -> list[Any]:
        return [d.output for d in self.deduce(batch)]
