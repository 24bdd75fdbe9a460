"""Word perception: where tokens start, how abduced symbols move them, unknown tokens."""

from __future__ import annotations

from collections import Counter

import pytest

from nsr.errors import UnknownTokenError
from perception.config import PerceptionConfig
from perception.tokens import TokenPerception


def _starts(words: list[str], budget: int, seed: int = 0) -> dict[str, int]:
    perception = TokenPerception(words, PerceptionConfig(num_symbols=budget, seed=seed))
    return dict(zip(perception.vocab, perception.table().argmax(dim=-1).tolist()))


def test_every_token_starts_on_its_own_symbol_within_the_budget() -> None:
    starts = _starts([f"w{i}" for i in range(12)], budget=20)
    assert len(set(starts.values())) == 12
    assert starts != _starts([f"w{i}" for i in range(12)], budget=20, seed=1)
    assert _starts([], budget=20) == {}  # every input token may be a literal


@pytest.mark.parametrize("words", [21, 32, 45])
def test_more_tokens_than_symbols_deal_the_symbols_out_again(words: int) -> None:
    starts = _starts([f"w{i}" for i in range(words)], budget=20)
    uses = Counter(starts.values())
    assert len(uses) == min(words, 20)
    assert max(uses.values()) - min(uses.values()) <= 1


def test_abduced_symbols_move_tokens_and_unknown_tokens_are_named() -> None:
    perception = TokenPerception(["jump", "walk"], PerceptionConfig(num_symbols=8, seed=0))
    for _ in range(3):
        perception.learn([("jump", "walk")], [(5, 5)])
    assert perception.table().argmax(dim=-1).tolist() == [5, 5]
    with pytest.raises(UnknownTokenError, match="'run'"):
        perception.log_probs(["jump", "run"])
