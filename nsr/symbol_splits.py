"""Abduction for perception without a symbol per token: new symbols and symbol splits.

Word perception starts every word on its own symbol; image perception cannot (every
image is a new token), so abduction must be able to introduce symbols. With the loop's
``split_symbols`` setting, a round hands out free symbols (perceived for no training
image and without a program) by key, so that revisions that need the same new symbol
agree on it:

* a one-token input whose value no program gives: the new symbol *for that value*
  (all single images that must mean 7 in a round share one new symbol);
* any input: the positions perceived as one symbol ``s`` move together to the *split*
  of ``s``, a new symbol (the part of ``s`` that ``s``'s program cannot explain), as a
  valueless leaf or with an abduced value; for inputs of up to ``pair_len`` tokens, two
  symbols may split at once (a pair of brackets read as two known symbols). Inputs
  longer than ``max_len`` get no new symbols (by then every symbol has been met).

These variants are tried after the deduced symbols and the moves to symbols with a
program that fit.
"""

from __future__ import annotations

from itertools import combinations
from collections.abc import Sequence
from typing import Any

from nsr.machine import Machine
from nsr.types import Example

Variant = tuple[float, tuple[int, ...], int, bool]
"""(cost, symbols, unknowns allowed, valueless leaves allowed)."""


class FreshSymbols:
    """Free symbols of one round, handed out once per key."""

    def __init__(self, machine: Machine, reserve: Sequence[Any] = ()) -> None:
        perceived = set(machine.perception.table().argmax(dim=-1).tolist())
        budget = machine.perception.config.num_symbols
        self.free = [s for s in range(budget)
                     if s not in perceived and s not in machine.semantics.meanings]
        self.keys: dict[Any, int] = {}
        for key in reserve:  # handed out first, whichever input asks first
            self.get(key)

    def get(self, key: Any) -> int | None:
        """The symbol of ``key``: the next free one on first use (``None``: none left)."""
        if key not in self.keys:
            if not self.free:
                return None
            self.keys[key] = self.free.pop(0)
        return self.keys[key]


def split_variants(machine: Machine, example: Example, base: tuple[int, ...],
                   fresh: FreshSymbols, pair_len: int = 7, max_len: int = 9
                   ) -> list[Variant]:
    """New-symbol variants of ``base`` for one input (see the module docstring)."""
    sem = machine.semantics
    if len(base) == 1:
        if any(sem.apply(s, []) == example.target for s in sem.meanings):
            return []  # a known constant: the moves to known symbols find it
        s = fresh.get(("value", example.target))
        return [] if s is None else [(-2.0, (s,), 1, False)]
    if len(base) > max_len:
        return []
    out: list[Variant] = []
    distinct = sorted(set(base))
    splits = {s: fresh.get(("split", s)) for s in distinct}
    for s in distinct:
        f = splits[s]
        if f is not None:
            moved = tuple(f if b == s else b for b in base)
            out += [(4.0, moved, 1, True), (4.5, moved, 1, False)]
    if len(base) <= pair_len:
        for s, t in combinations(distinct, 2):
            if splits[s] is not None and splits[t] is not None:
                moved = tuple(splits[s] if b == s else splits[t] if b == t else b
                              for b in base)
                out.append((6.0, moved, 2, True))
    return out
