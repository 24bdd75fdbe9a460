"""Each benchmark's configuration: its declared priors and loop schedule."""

from __future__ import annotations

from dataclasses import replace

from nsr.config import LoopConfig, Priors, TrainConfig
from nsr.errors import ConfigError
from nsr.tree_edits import EDIT_MOVES

PRESETS: dict[str, TrainConfig] = {
    "scan": TrainConfig(
        benchmark="scan",
        priors=Priors(symbol_budget=20, primitive_sets=("list",), curriculum="length",
                      arity="learned", perception_init="distinct", input_rewriting="none"),
        loop=LoopConfig(),
    ),
    "hint": TrainConfig(
        benchmark="hint",
        split="symbol",
        priors=Priors(symbol_budget=20, primitive_sets=("nat",), curriculum="length",
                      arity="learned", perception_init="distinct", input_rewriting="none",
                      valueless_symbols=True, valueless_attachment="bracket",
                      trees="projective first"),
        loop=LoopConfig(curriculum=(1, 3, 5, 7, 9, 11, 15, 21, 1000), max_rounds=80,
                        edit_depth=2, edit_moves=EDIT_MOVES, parser_epochs=3,
                        bracket_valueless=True, projective_first=True),
        parser_hidden=128,
        parser_late_left_arc=True,
        train_limit=30_000,
    ),
    "pcfg": TrainConfig(
        benchmark="pcfg",
        split="pcfgset",
        priors=Priors(symbol_budget=32, primitive_sets=("list",),
                      curriculum="length (non-literal tokens)", arity="learned",
                      perception_init="distinct", input_rewriting="none",
                      valueless_symbols=True, valueless_attachment="preceding",
                      trees="projective first", literal_tokens="output tokens"),
        loop=LoopConfig(curriculum=(1, 2, 3, 4, 6, 8, 12, 1000), max_rounds=60,
                        reestimate_len=0, edit_depth=2, edit_moves=EDIT_MOVES,
                        parser_epochs=6, preceding_valueless=True, projective_first=True,
                        silence_unknowns=1, long_variants=20),
        parser_hidden=128,
        parser_late_left_arc=True,
        fallback_beam=32,
        train_limit=10_000,
    ),
}

DEFAULT_SPLIT = {"scan": "simple", "hint": "symbol", "pcfg": "pcfgset"}


def preset(benchmark: str, *, split: str | None, seed: int) -> TrainConfig:
    """The configuration of ``benchmark`` for one split (its default if ``None``) and seed."""
    if benchmark not in PRESETS:
        raise ConfigError(f"unknown benchmark {benchmark!r}; known: {', '.join(PRESETS)}")
    base = PRESETS[benchmark]
    return replace(base, split=split or DEFAULT_SPLIT[benchmark],
                   loop=replace(base.loop, seed=seed))
