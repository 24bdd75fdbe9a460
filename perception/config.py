"""Configuration of the perception module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PerceptionConfig:
    """Symbol budget and optimisation settings.

    Attributes:
        num_symbols: the declared budget of latent symbols (a prior of the benchmark).
        lr: learning rate of the symbol table.
        epochs: passes over the abduced labels per ``learn`` call.
        init_scale: standard deviation of the random initial logits.
        seed: initialisation seed.
    """

    num_symbols: int = 24
    lr: float = 0.5
    epochs: int = 20
    init_scale: float = 0.01
    distinct_init: bool = True
    """Start every token on a different (random) symbol: a declared prior that distinct
    tokens are distinct symbols until abduction merges them."""
    init_margin: float = 2.0
    seed: int = 0
