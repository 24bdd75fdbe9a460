"""Each benchmark's configuration: its declared priors and loop schedule."""

from __future__ import annotations

from dataclasses import replace

from nsr.config import LoopConfig, Priors, TrainConfig
from nsr.errors import ConfigError

PRESETS: dict[str, TrainConfig] = {
    "scan": TrainConfig(
        benchmark="scan",
        priors=Priors(symbol_budget=20, primitive_sets=("list",), curriculum="length",
                      arity="learned", perception_init="distinct", input_rewriting="none"),
        loop=LoopConfig(),
    ),
}


def preset(benchmark: str, *, split: str, seed: int) -> TrainConfig:
    """The configuration of ``benchmark`` for one split and seed."""
    if benchmark not in PRESETS:
        raise ConfigError(f"unknown benchmark {benchmark!r}; known: {', '.join(PRESETS)}")
    base = PRESETS[benchmark]
    return replace(base, split=split, loop=replace(base.loop, seed=seed))
