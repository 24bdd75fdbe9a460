"""Other readings of an input: perception's next most probable symbol sequences.

When no tree of an input's most probable symbols can be interpreted (an image of ``)``
read as ``1`` leaves two numbers side by side), deduction may try reading one or two
positions as their next most probable symbols, cheapest first, where the cost of a
reading is the log-probability it gives up.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import combinations

import torch


def next_readings(log_probs: torch.Tensor, symbols: tuple[int, ...],
                  allowed: Collection[int], k: int, per_position: int = 2
                  ) -> list[tuple[float, tuple[int, ...]]]:
    """Up to ``k`` readings other than ``symbols``, as (cost, symbols), cheapest first.

    ``log_probs`` is (T, V); a position may change to one of its ``per_position`` most
    probable ``allowed`` symbols; a reading changes one position or two."""
    if k <= 0 or not allowed:
        return []
    allowed_t = torch.tensor(sorted(allowed), dtype=torch.long)
    read = torch.tensor(symbols, dtype=torch.long)
    top = log_probs[:, allowed_t].topk(min(per_position + 1, len(allowed_t)), dim=1)
    costs = (log_probs.gather(1, read[:, None]) - top.values).tolist()  # (T, K)
    picks = allowed_t[top.indices].tolist()  # (T, K)
    changes = [(cost, pos, t)  # (cost, position, symbol)
               for pos, (row_costs, row_picks) in enumerate(zip(costs, picks))
               for cost, t in zip(row_costs, row_picks) if t != symbols[pos]]
    changes.sort()
    changes = changes[: 2 * k]
    readings = [(cost, symbols[:pos] + (t,) + symbols[pos + 1:])
                for cost, pos, t in changes]
    for (c1, p1, t1), (c2, p2, t2) in combinations(changes, 2):
        if p1 != p2:
            seq = list(symbols)
            seq[p1], seq[p2] = t1, t2
            readings.append((c1 + c2, tuple(seq)))
    readings.sort()
    return readings[:k]
