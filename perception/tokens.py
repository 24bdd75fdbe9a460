"""Word perception: a learned table from tokens to distributions over latent symbols.

Nothing ties a word to a symbol in advance: the table starts near uniform and is trained
only on symbols chosen by abduction. Unknown tokens at prediction time raise
:class:`UnknownTokenError` naming them, unless an unknown-symbol path is declared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import nn

from nsr.errors import UnknownTokenError
from perception.config import PerceptionConfig


class TokenPerception(nn.Module):
    """``p(symbol | token)`` as a softmax over one row of logits per known token."""

    def __init__(self, vocabulary: Iterable[str], config: PerceptionConfig) -> None:
        super().__init__()
        self.config = config
        self.vocab = sorted(set(vocabulary))
        self.index = {tok: i for i, tok in enumerate(self.vocab)}
        gen = torch.Generator().manual_seed(config.seed)
        init = torch.randn(len(self.vocab), config.num_symbols, generator=gen)
        init = init * config.init_scale  # (W, V)
        if config.distinct_init:
            # More tokens than symbols (synonyms): the symbols are dealt out again.
            laps = max(1, -(-len(self.vocab) // config.num_symbols))
            order = torch.cat([torch.randperm(config.num_symbols, generator=gen)
                               for _ in range(laps)])
            start = order[: len(self.vocab)]
            init[torch.arange(len(self.vocab)), start] += config.init_margin
        self.logits = nn.Parameter(init)  # (W, V)
        self.optimizer = torch.optim.Adam(self.parameters(), lr=config.lr)

    def token_ids(self, tokens: Sequence[str]) -> torch.Tensor:
        """Indices of ``tokens``; an unknown one raises :class:`UnknownTokenError`."""
        missing = [t for t in tokens if t not in self.index]
        if missing:
            raise UnknownTokenError(
                f"unknown token(s) {', '.join(repr(t) for t in dict.fromkeys(missing))}: "
                f"never seen in training (known: {len(self.vocab)} tokens)")
        return torch.tensor([self.index[t] for t in tokens], dtype=torch.long)

    def log_probs(self, tokens: Sequence[str]) -> torch.Tensor:
        """Log-probabilities of every symbol at every position, shape (T, V)."""
        with torch.no_grad():
            return torch.log_softmax(self.logits[self.token_ids(tokens)], dim=-1)

    def table(self) -> torch.Tensor:
        """Log-probabilities of every symbol for every known token, shape (W, V)."""
        with torch.no_grad():
            return torch.log_softmax(self.logits, dim=-1)

    def predict(self, batch: Sequence[Sequence[str]]) -> list[torch.Tensor]:
        """One (T, V) log-probability tensor per input."""
        return [self.log_probs(tokens) for tokens in batch]

    def learn(self, batch: Sequence[Sequence[str]], symbols: Sequence[Sequence[int]]) -> float:
        """Fit the table to abduced symbols; returns the final mean cross-entropy."""
        ids = torch.cat([self.token_ids(t) for t in batch])  # (N,)
        targets = torch.tensor([s for seq in symbols for s in seq], dtype=torch.long)  # (N,)
        if ids.numel() == 0:
            return 0.0
        loss = torch.zeros(())
        for _ in range(self.config.epochs):
            self.optimizer.zero_grad()
            loss = nn.functional.cross_entropy(self.logits[ids], targets)
            loss.backward()
            self.optimizer.step()
        return float(loss.detach())
