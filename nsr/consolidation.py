"""Consolidating image perception once training ends.

During the loop perception takes a few constant-rate steps per round on that round's
abduced symbols, over the run's small training sample, so it ends wherever the last
steps leave it. Consolidation reads a larger sample of training expressions with the
trained machine and labels their images: an expression the machine explains (its
deduced value is the target) gives its images the symbols deduction used; one it does
not explain, the cheapest other reading of one or two positions (perception's next most
probable symbols) whose greedy tree gives the target, where there is one, so the images
perception misreads are labelled too. Perception is then trained on those labels, each
occurrence one label (a symbol weighs as often as expressions use it), with the learning
rate decaying to zero. Only (input, output) pairs are used. The consolidated classifier
is kept only if the machine then explains more of the sample than before.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import torch

from nsr.gss import evaluate, shape_fits
from nsr.machine import Deduction, Machine
from nsr.readings import next_readings
from nsr.types import Example

DEDUCE_BATCH = 4096


def explained(machine: Machine, examples: Sequence[Example]) -> int:
    """How many ``examples`` the machine explains."""
    return len(labelled(machine, examples, readings=0)[0])


def labelled(machine: Machine, examples: Sequence[Example], readings: int
             ) -> tuple[dict[int, tuple[int, ...]], dict[int, tuple[int, ...]]]:
    """The symbols of each example, by index, that gives its target: deduction's for
    those the machine explains; for the others, the cheapest of up to ``readings``
    other readings (:func:`nsr.readings.next_readings`) whose greedy tree gives it,
    where there is one. Returns (explained, read otherwise)."""
    semantics = machine.semantics
    allowed = set(semantics.meanings)
    right: dict[int, tuple[int, ...]] = {}
    other: dict[int, tuple[int, ...]] = {}
    for lo in range(0, len(examples), DEDUCE_BATCH):
        chunk = examples[lo: lo + DEDUCE_BATCH]
        tried = []
        for i, (e, d) in enumerate(zip(chunk, machine.deduce([e.inputs for e in chunk])),
                                   start=lo):
            if d.output is not None and d.output == e.target:
                right[i] = d.symbols
            elif readings > 0:
                tried += [(i, r) for _, r in next_readings(
                    machine.perception.log_probs(e.inputs), d.symbols, allowed, readings)]
        parses = machine.parser.parse_batch([machine.parser_view(r) for _, r in tried],
                                            mode="greedy") if tried else []
        for (i, reading), parse in zip(tried, parses):
            if i in other or not shape_fits(reading, parse.tree, semantics):
                continue
            out = Deduction(reading, parse.tree,
                            tuple(evaluate(reading, parse.tree, semantics))).output
            if out is not None and out == examples[i].target:
                other[i] = reading
    return right, other


def consolidate(machine: Machine, examples: Sequence[Example], steps: int,
                readings: int = 16) -> dict[str, Any]:
    """Retrain the machine's image perception for ``steps`` steps on the symbols of the
    ``examples`` it explains or can read otherwise to give their targets (up to
    ``readings`` other readings each); returns what was measured (explained before and
    after, inputs read otherwise, labels, distinct images, seconds, and which classifier
    was kept)."""
    perception = machine.perception
    t0 = time.monotonic()
    right, other = labelled(machine, examples, readings)
    tokens = [t for i in (*right, *other) for t in examples[i].inputs]
    symbols = [s for seq in (*right.values(), *other.values()) for s in seq]
    saved = perception.snapshot()
    loss = perception.consolidate(perception.token_ids(tokens),
                                  torch.tensor(symbols, dtype=torch.long), steps) \
        if symbols else 0.0
    before, after = len(right), explained(machine, examples)
    kept = after > before
    if not kept:
        perception.restore(saved)
    return {"examples": len(examples), "explained_before": before, "read_otherwise":
            len(other), "explained_after": after, "labels": len(symbols),
            "images": len(set(tokens)), "steps": steps, "loss": round(loss, 4),
            "kept": "consolidated" if kept else "previous",
            "seconds": round(time.monotonic() - t0, 2)}
