"""A tensor hash table from feature rows to the scorer's raw transition scores.

Greedy decoding of a large batch meets the same feature row (the same symbols at
the same stack / buffer / dependent slots) many times: on HINT about three times
per distinct row. :class:`ScoreCache` lets :func:`parser.fast_greedy.decode_tensor`
run the MLP once per distinct row. A row of ``F`` ids below ``V`` is coded as the
base-``V`` integer ``sum(ids[f] * V**f)``; the table is open addressing with
linear probing over ``int64`` keys, looked up and filled with whole-batch tensor
operations (no Python loop per row).
"""

from __future__ import annotations

import torch

_EMPTY = -1
_MIX = -7046029254386353131  # 0x9E3779B97F4A7C15 as a signed int64 (Fibonacci hashing)


def row_codes(ids: torch.Tensor, base: int) -> torch.Tensor | None:
    """One ``int64`` code per row of ``ids`` ``(A, F)``; None if they could overflow."""
    if base ** ids.shape[1] >= 2**62:
        return None
    powers = base ** torch.arange(ids.shape[1], dtype=torch.long)  # (F,)
    return (ids * powers).sum(dim=1)  # (A,)


def code_rows(codes: torch.Tensor, base: int, width: int) -> torch.Tensor:
    """Inverse of :func:`row_codes`: ids ``(A, width)`` of codes ``(A,)``."""
    powers = base ** torch.arange(width, dtype=torch.long)  # (F,)
    return torch.div(codes[:, None], powers, rounding_mode="floor") % base


class ScoreCache:
    """Map distinct non-negative ``int64`` codes to score rows ``(columns,)``."""

    def __init__(self, columns: int, log2_size: int = 16) -> None:
        self.columns = columns
        self.count = 0
        self._resize(log2_size)

    def _resize(self, log2_size: int) -> None:
        self.bits = log2_size
        self.keys = torch.full((1 << log2_size,), _EMPTY, dtype=torch.long)
        self.values = torch.zeros(1 << log2_size, self.columns)  # (N, C)

    def _home(self, codes: torch.Tensor) -> torch.Tensor:
        mixed = (codes * _MIX) >> (64 - self.bits)  # top bits, sign-extended
        return mixed & ((1 << self.bits) - 1)

    def find(self, codes: torch.Tensor) -> torch.Tensor:
        """Table slot of each code ``(A,)``, -1 where the code is absent."""
        slot = self._home(codes)  # (A,)
        found = torch.full_like(codes, -1)  # (A,)
        todo = torch.arange(len(codes))  # rows still probing
        mask = (1 << self.bits) - 1
        while len(todo):
            at = slot[todo]
            key = self.keys[at]
            hit = key == codes[todo]
            found[todo[hit]] = at[hit]
            todo = todo[~hit & (key != _EMPTY)]
            slot[todo] = (slot[todo] + 1) & mask
        return found

    def insert(self, codes: torch.Tensor, values: torch.Tensor) -> None:
        """Add distinct codes ``(M,)``, none present yet, with ``values`` ``(M, C)``."""
        if 2 * (self.count + len(codes)) > (1 << self.bits):
            old = self.keys != _EMPTY
            kept_codes, kept_values = self.keys[old], self.values[old]
            bits = self.bits + 1
            while 2 * (self.count + len(codes)) > (1 << bits):
                bits += 1
            self._resize(bits)
            self.count = 0
            self.insert(kept_codes, kept_values)
        slot = self._home(codes)  # (M,)
        todo = torch.arange(len(codes))
        mask = (1 << self.bits) - 1
        while len(todo):
            at = slot[todo]
            free = self.keys[at] == _EMPTY
            self.keys[at[free]] = codes[todo[free]]  # rivals for a slot: one wins
            won = free & (self.keys[at] == codes[todo])
            self.values[at[won]] = values[todo[won]]
            todo = todo[~won]
            slot[todo] = (slot[todo] + 1) & mask
        self.count += len(codes)
