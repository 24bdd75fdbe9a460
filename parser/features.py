"""Feature extraction: parser states -> integer id matrices for one embedding lookup.

Features (Chen & Manning 2014, symbols only): the symbols of the top
``stack_window`` stack items, of the first ``buffer_window`` buffer items, and of
the leftmost and rightmost dependents of the top ``child_window`` stack items.
Empty slots get ``none_id``; an existing item without dependents gets
``nochild_id``. Ids are gathered in plain Python into one flat list for all states
of a step and turned into a single ``(B, F)`` tensor, so the model does one
embedding lookup and one MLP call per step, whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from parser.config import ParserConfig
from parser.state import ParserError, ParserState
from parser.transitions import legal_mask


def extend_features(
    out: list[int], state: ParserState, symbols: Sequence[int], cfg: ParserConfig
) -> None:
    """Append the ``cfg.num_features`` feature ids of ``state`` to ``out``."""
    none = cfg.none_id
    tops: list[int] = []
    node = state.stack
    while node is not None and len(tops) < cfg.stack_window:
        tops.append(node[0])
        node = node[1]
    out.extend(symbols[i] for i in tops)
    out.extend([none] * (cfg.stack_window - len(tops)))

    taken = 0
    node = state.buffer
    while node is not None and taken < cfg.buffer_window:
        out.append(symbols[node[0]])
        node = node[1]
        taken += 1
    j = state.next
    while taken < cfg.buffer_window and j < state.n:
        out.append(symbols[j])
        j += 1
        taken += 1
    out.extend([none] * (cfg.buffer_window - taken))

    nochild = cfg.nochild_id
    left, right = state.left, state.right
    for c in range(cfg.child_window):
        if c < len(tops):
            lc, rc = left[tops[c]], right[tops[c]]
            out.append(symbols[lc] if lc >= 0 else nochild)
            out.append(symbols[rc] if rc >= 0 else nochild)
        else:
            out.append(none)
            out.append(none)


def batch_features(
    states: Sequence[ParserState],
    sentences: Sequence[Sequence[int]],
    cfg: ParserConfig,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Feature ids and legal masks of states (``states[i]`` parses ``sentences[i]``).

    Returns:
        ids: ``(B, F)`` int64 embedding ids.
        mask: ``(B, 4)`` bool, True where a transition is legal.
    """
    flat: list[int] = []
    masks: list[tuple[bool, bool, bool, bool]] = []
    for state, symbols in zip(states, sentences):
        extend_features(flat, state, symbols, cfg)
        masks.append(legal_mask(state))
    ids = torch.tensor(flat, dtype=torch.long).view(len(states), cfg.num_features)
    mask = torch.tensor(masks, dtype=torch.bool).view(len(states), 4)
    return ids, mask  # (B, F), (B, 4)


def check_symbols(
    sentences: Sequence[Sequence[int]], num_symbols: int
) -> list[tuple[int, ...]]:
    """Sentences as tuples of ints, each checked to lie in ``[0, num_symbols)``.

    Raises:
        ParserError: naming the first sentence holding an out-of-range symbol.
    """
    checked = []
    for k, sentence in enumerate(sentences):
        symbols = tuple(map(int, sentence))
        if symbols and (min(symbols) < 0 or max(symbols) >= num_symbols):
            raise ParserError(
                f"sentence {k} has a symbol outside [0, {num_symbols}): {symbols}"
            )
        checked.append(symbols)
    return checked
