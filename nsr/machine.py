"""The machine: perception, parser and semantics together, for deduction.

Deduction is greedy: each token's most probable symbol, the parser's greedy tree, and
bottom-up evaluation of the symbols' programs. When the greedy tree cannot be
interpreted (a node's number of children differs from its program's arity), the most
probable tree of the parser's beam that can be interpreted is used instead; where none
can, and ``symbol_fallback`` allows it, perception's next most probable readings of the
input are tried (:mod:`nsr.readings`), each with its greedy tree.

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

from nsr.gss import evaluate, shape_fits
from nsr.readings import next_readings
from nsr.tree_edits import group_runs
from nsr.types import DependencyTree
from parser import ParserConfig, TransitionParser
from perception import PerceptionConfig, TokenPerception
from semantics.module import NO_VALUE, UNDEFINED, SemanticModule

PREDICTION_WIDENING = 2
"""The default of ``Machine.prediction_widening``: at prediction, how many times the
fallback beam is doubled for an input whose trees cannot be interpreted (training
deduces with the fallback beam alone)."""


@dataclass(frozen=True)
class Deduction:
    symbols: tuple[int, ...]
    tree: DependencyTree
    values: tuple[Any, ...]
    perceived: tuple[int, ...] | None = None
    """Perception's own reading, where deduction settled on another (``None``: the
    same as ``symbols``)."""

    @property
    def read(self) -> tuple[int, ...]:
        """The symbols perception read, before any other reading was tried."""
        return self.symbols if self.perceived is None else self.perceived

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
        self.fallback_beam = 8
        """Beam width for inputs whose greedy tree cannot be interpreted."""
        self.prediction_widening = PREDICTION_WIDENING
        self.symbol_fallback = 0
        """Other readings tried for inputs none of whose fallback trees can be
        interpreted (0: none)."""

    @classmethod
    def create(cls, vocabulary: Sequence[str], semantics: SemanticModule, *,
               num_symbols: int, seed: int, hidden: int = 64, embed: int = 32,
               distinct: bool = True, late_left_arc: bool = False,
               projective: bool = False, perception: Any = None) -> Machine:
        """Literal tokens (``semantics.literals``) are left out of perception, and the
        parser gets one extra symbol, ``num_symbols``, that stands for all of them.
        ``projective`` makes the parser build projective trees only. ``perception``, if
        given (image perception), replaces the word table."""
        torch.manual_seed(seed)
        literals = semantics.literals
        if perception is None:
            perception = TokenPerception(
                [t for t in vocabulary if t not in literals.symbol_of],
                PerceptionConfig(num_symbols=num_symbols, seed=seed,
                                 distinct_init=distinct))
        parser_symbols = num_symbols + 1 if literals else num_symbols
        parser = TransitionParser(ParserConfig(num_symbols=parser_symbols, hidden=hidden,
                                               embed_dim=embed, seed=seed,
                                               late_left_arc=late_left_arc,
                                               projective=projective))
        return cls(perception, parser, semantics)

    def symbols_of(self, batch: Sequence[Sequence[str]]) -> list[tuple[int, ...]]:
        """Each token's most probable symbol. An unknown token raises, except where
        literals are declared: then it is a new literal."""
        if hasattr(self.perception, "best_symbols"):  # images: any image, batched
            return self.perception.best_symbols(batch)
        best = self.perception.table().argmax(dim=-1).tolist()
        symbol_of = {t: best[i] for t, i in self.perception.index.items()}
        symbol_of.update(self.semantics.literals.symbol_of)
        literals = self.semantics.literals
        out = []
        for tokens in batch:
            try:
                out.append(tuple([symbol_of[t] for t in tokens]))
            except KeyError:
                if not literals:
                    self.perception.token_ids(tokens)  # raises UnknownTokenError, naming it
                    raise
                # the literal class is open: an unseen token denotes itself
                out.append(tuple([symbol_of[t] if t in symbol_of else literals.add(t)
                                  for t in tokens]))
                symbol_of.update(literals.symbol_of)
        return out

    def literal_view(self, symbols: tuple[int, ...]) -> tuple[int, ...]:
        """The symbols with every literal replaced by the parser's one literal symbol."""
        literals = self.semantics.literals
        if not literals:
            return symbols
        slot = self.perception.config.num_symbols
        return tuple(slot if literals.is_literal(s) else s for s in symbols)

    def learn_parser(self, symbols: Sequence[tuple[int, ...]],
                     trees: Sequence[DependencyTree], epochs: int) -> float:
        """Train the parser on ``trees`` over ``symbols`` (seen as :meth:`literal_view`
        gives them), leaving out trees it cannot build (non-projective ones for a
        projective parser), and count how often each symbol was learned inside a longer
        input (``parser_counts``). Returns the mean loss."""
        kept = [(self.literal_view(s), t) for s, t in zip(symbols, trees)
                if self.parser.can_build(t)]
        loss = self.parser.learn([v for v, _ in kept], [t for _, t in kept],
                                 epochs=epochs) if kept else 0.0
        self.parser_counts = Counter(s for v, _ in kept if len(v) > 1 for s in v)
        return loss

    def group_literals(self, symbols: Sequence[int], tree: DependencyTree) -> DependencyTree:
        """The tree with each run of adjacent literals made one constituent."""
        literals = self.semantics.literals
        if not literals:
            return tree
        return group_runs(tree, [literals.is_literal(s) for s in symbols])

    def forget_unread(self, symbols: Sequence[int] | None = None) -> list[int]:
        """Drop the programs of those of ``symbols`` (default: every symbol with one)
        that perception reads no training token as: their slots are free. Returns the
        symbols dropped."""
        read = set(self.perception.table().argmax(dim=-1).tolist())
        candidates = list(self.semantics.meanings) if symbols is None else symbols
        dropped = [s for s in candidates if s not in read and s in self.semantics.meanings]
        for s in dropped:
            del self.semantics.meanings[s]
        return dropped

    def parser_view(self, symbols: tuple[int, ...]) -> tuple[int, ...]:
        """The symbols as the parser sees them: literals as one symbol, rarely parsed
        ones by analogy."""
        symbols = self.literal_view(symbols)
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

    def deduce(self, batch: Sequence[Sequence[str]], fallback_beam: int | None = None,
               widen: int = 0) -> list[Deduction]:
        """Each input's symbols, greedy tree and values. An input whose tree cannot be
        interpreted takes the first interpretable tree of the parser's
        ``fallback_beam`` best; then, with ``symbol_fallback``, the first other reading
        of its symbols whose greedy tree can be; then, ``widen`` times, the first
        interpretable tree of a beam twice as wide."""
        symbols = self.symbols_of(batch)
        views = [self.parser_view(s) for s in symbols]
        trees = [self.group_literals(s, r.tree) for s, r in
                 zip(symbols, self.parser.parse_batch(views, mode="greedy"))]
        out = [Deduction(s, t, tuple(evaluate(s, t, self.semantics)))
               for s, t in zip(symbols, trees)]
        stuck = [i for i, d in enumerate(out) if d.output is None]
        width = self.fallback_beam if fallback_beam is None else fallback_beam
        for step in range(widen + 1):
            if stuck and width > 1:
                self._beam_fallback(symbols, views, out, stuck, width)
                stuck = [i for i in stuck if out[i].output is None]
            if step == 0 and stuck and self.symbol_fallback > 0:
                self._reread(batch, out, stuck)
                stuck = [i for i in stuck if out[i].output is None]
            width *= 2
        return out

    def _beam_fallback(self, symbols: list[tuple[int, ...]], views: list[tuple[int, ...]],
                       out: list[Deduction], stuck: list[int], width: int) -> None:
        """Give each ``stuck`` input the first interpretable tree of the ``width`` best."""
        beams = self.parser.beam_batch([views[i] for i in stuck], k=width)
        check = not self.semantics.literals
        for i, results in zip(stuck, beams):
            for r in results:
                tree = self.group_literals(symbols[i], r.tree)
                if check and not shape_fits(symbols[i], tree, self.semantics):
                    continue
                values = tuple(evaluate(symbols[i], tree, self.semantics))
                if values[tree.root] is not UNDEFINED:
                    out[i] = Deduction(symbols[i], tree, values)
                    break

    def _reread(self, batch: Sequence[Sequence[str]], out: list[Deduction],
                stuck: list[int]) -> None:
        """Replace the deductions of ``stuck`` inputs by the cheapest other reading
        whose greedy tree can be interpreted (where there is one)."""
        if self.symbol_fallback <= 0 or self.semantics.literals:
            return
        allowed = set(self.semantics.meanings)
        readings = {i: [r for _, r in next_readings(self.perception.log_probs(batch[i]),
                                                    out[i].symbols, allowed,
                                                    self.symbol_fallback)]
                    for i in stuck}
        done = 0
        for upto in (4, self.symbol_fallback):  # most inputs need one of the first few
            tried = [(i, r) for i in stuck if out[i].perceived is None
                     for r in readings[i][done:upto]]
            done = upto
            if not tried:
                continue
            parses = self.parser.parse_batch([self.parser_view(r) for _, r in tried],
                                             mode="greedy")
            for (i, reading), parse in zip(tried, parses):
                if out[i].perceived is not None:
                    continue  # a cheaper reading of this input already worked
                if not shape_fits(reading, parse.tree, self.semantics):
                    continue
                values = tuple(evaluate(reading, parse.tree, self.semantics))
                if values[parse.tree.root] is not UNDEFINED:
                    out[i] = Deduction(reading, parse.tree, values,
                                       perceived=out[i].symbols)

    def predict(self, batch: Sequence[Sequence[str]]) -> list[Any]:
        return [d.output for d in self.deduce(batch, widen=self.prediction_widening)]
