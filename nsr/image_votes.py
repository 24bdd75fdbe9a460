"""Reading an image again from all the expressions it appears in.

One handwritten image recurs in many training expressions. Where perception reads it
as the wrong symbol, most of those expressions cannot give their targets, and the few
that still can (``7 / 1`` read as ``7 * 1``) teach the wrong symbol again when
perception is consolidated on them. Deduction's other readings rarely mend this: the
classifier is confident, so the right symbol is not among an expression's cheapest
other readings.

Here each image whose reading few of its expressions accept is tried as every symbol
in turn, in up to ``uses`` of its expressions (every other position read as deduction
read it, the greedy tree), and takes the symbol that makes the most of them give their
targets, where that is more than its own reading does and at least half of them. Only
(input, output) pairs are used: the image's class is never seen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nsr.gss import evaluate, shape_fits
from nsr.machine import Deduction, Machine
from nsr.types import DependencyTree, Example

PARSE_BATCH = 4096


@dataclass(frozen=True)
class ImageVotes:
    """What reading images again found."""

    doubted: int
    """Images whose reading fewer than the threshold of their expressions accept."""
    tried: int
    """Expression readings parsed and evaluated."""
    changed: dict[str, int]
    """Image token -> the symbol it is read as from now on."""


def _uses(examples: Sequence[Example]) -> dict[str, list[int]]:
    """Image token -> the indices of the examples it appears in (once each)."""
    uses: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        for t in dict.fromkeys(e.inputs):
            uses[t].append(i)
    return uses


def _accepted(token: str, read: int, example: Example, label: Deduction | None) -> bool:
    """Whether an example's label (``None``: it has none) reads ``token`` as ``read``."""
    return label is not None and all(
        s == read for t, s in zip(example.inputs, label.symbols) if t == token)


def deduction_giving(example: Example, symbols: tuple[int, ...], tree: DependencyTree,
                     machine: Machine) -> Deduction | None:
    """The deduction of ``symbols`` with ``tree`` if it gives the example's target."""
    if not shape_fits(symbols, tree, machine.semantics):
        return None
    d = Deduction(symbols, tree, tuple(evaluate(symbols, tree, machine.semantics)))
    return d if d.output is not None and d.output == example.target else None


def image_votes(machine: Machine, examples: Sequence[Example],
                labels: Mapping[int, Deduction], deduced: Sequence[tuple[int, ...]], *,
                threshold: float, uses: int, min_uses: int = 2) -> ImageVotes:
    """Images of ``examples`` to read otherwise, and as what.

    Args:
        labels: the deduction that gives its target, by example index (where there is
            one).
        deduced: each example's symbols as deduction read them.
        threshold: an image is doubted where fewer than this fraction of its examples
            have a label reading it as perception does.
        uses: at most this many of a doubted image's examples (the first) are tried.
        min_uses: images in fewer examples are left alone.
    """
    perception = machine.perception
    appears = _uses(examples)
    tokens = sorted(appears)
    reading = {t: r[0] for t, r in zip(tokens, perception.best_symbols([[t] for t in tokens]))}
    doubted, own = [], {}  # own: of a doubted image's first ``uses`` examples, those accepting it
    for t in tokens:
        where = appears[t]
        if len(where) < min_uses:
            continue
        agree = [_accepted(t, reading[t], examples[i], labels.get(i)) for i in where]
        if sum(agree) < threshold * len(where):
            doubted.append(t)
            own[t] = sum(agree[:uses])
    symbols = sorted(machine.semantics.meanings)
    tried: list[tuple[str, int, int, tuple[int, ...]]] = []  # token, symbol, example, reading
    for t in doubted:
        for i in appears[t][:uses]:
            for s in symbols:
                if s != reading[t]:
                    seq = tuple(s if tok == t else d
                                for tok, d in zip(examples[i].inputs, deduced[i]))
                    tried.append((t, s, i, seq))
    gains: dict[tuple[str, int], int] = defaultdict(int)
    for lo in range(0, len(tried), PARSE_BATCH):
        part = tried[lo: lo + PARSE_BATCH]
        parses = machine.parser.parse_batch([machine.parser_view(seq) for *_, seq in part],
                                            mode="greedy")
        for (t, s, i, seq), parse in zip(part, parses):
            gains[t, s] += deduction_giving(examples[i], seq, parse.tree, machine) is not None
    changed = {}
    for t in doubted:
        others = [s for s in symbols if s != reading[t]]
        if not others:
            continue
        best = max(others, key=lambda s: (gains[t, s], -s))  # ties: the lowest symbol
        if gains[t, best] > own[t] and 2 * gains[t, best] >= len(appears[t][:uses]):
            changed[t] = best
    return ImageVotes(len(doubted), len(tried), changed)
