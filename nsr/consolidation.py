"""Consolidating an image run's perception and parser once training ends.

During the loop perception takes a few constant-rate steps per round on that round's
abduced symbols, and the parser a few passes over that round's trees, over the run's
small training sample, so both end wherever the last round leaves them. Consolidation
reads a larger sample of training expressions with the trained machine and labels each
one it can make give its target: with deduction's own symbols and tree where the machine
explains it; else with another of the parser's best trees for those symbols; else with
the cheapest other reading of one or two positions (perception's next most probable
symbols) whose greedy tree gives it.

Perception is then trained on those symbols, each occurrence one label (a symbol weighs
as often as expressions use it; symbols with one program as one, where asked:
:mod:`nsr.synonyms`), with the learning rate decaying to zero. The sample is
labelled again with the new classifier, and the parser is trained on those trees. Each
step is kept only if the machine then explains more of the sample than before it. Only
(input, output) pairs are used.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from nsr.image_votes import deduction_giving, image_votes
from nsr.machine import Deduction, Machine
from nsr.readings import next_readings
from nsr.synonyms import synonyms
from nsr.types import DependencyTree, Example

DEDUCE_BATCH = 4096

TreeLabel = Callable[[DependencyTree, Sequence[Any]], DependencyTree]
"""The tree the parser learns for a deduced tree and its values (the run's convention
for where valueless leaves hang, :func:`nsr.loop.parser_label`)."""


@dataclass(frozen=True)
class Labels:
    """The deductions that give their example's target, by the example's index."""

    explained: dict[int, Deduction]
    """The machine's own deduction."""
    parsed_otherwise: dict[int, Deduction]
    """Deduction's symbols with another of the parser's best trees."""
    read_otherwise: dict[int, Deduction]
    """Another reading, with its greedy tree."""
    deduced: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Every example's symbols as deduction read them."""

    def every(self) -> dict[int, Deduction]:
        return {**self.explained, **self.parsed_otherwise, **self.read_otherwise}


def labelled(machine: Machine, examples: Sequence[Example], readings: int,
             trees: int = 0) -> Labels:
    """The deduction of each example that gives its target: the machine's own; else the
    first of the parser's ``trees`` best trees for its symbols that does; else the
    cheapest of up to ``readings`` other readings (:func:`nsr.readings.next_readings`)
    whose greedy tree does, where there is one."""
    parser = machine.parser
    allowed = set(machine.semantics.meanings)
    labels = Labels({}, {}, {})
    for lo in range(0, len(examples), DEDUCE_BATCH):
        chunk = examples[lo: lo + DEDUCE_BATCH]
        stuck = []
        for i, d in enumerate(machine.deduce([e.inputs for e in chunk]), start=lo):
            labels.deduced[i] = d.symbols
            if d.output is not None and d.output == examples[i].target:
                labels.explained[i] = d
            else:
                stuck.append((i, d.symbols))
        if trees > 0 and stuck:
            beams = parser.beam_batch([machine.parser_view(s) for _, s in stuck], k=trees)
            for (i, symbols), beam in zip(stuck, beams):
                found = next((d for r in beam
                              if (d := deduction_giving(examples[i], symbols, r.tree,
                                                        machine))), None)
                if found is not None:
                    labels.parsed_otherwise[i] = found
            stuck = [(i, s) for i, s in stuck if i not in labels.parsed_otherwise]
        if readings <= 0 or not stuck:
            continue
        tried = [(i, r) for i, symbols in stuck for _, r in next_readings(
            machine.perception.log_probs(examples[i].inputs), symbols, allowed, readings)]
        parses = parser.parse_batch([machine.parser_view(r) for _, r in tried],
                                    mode="greedy") if tried else []
        for (i, reading), parse in zip(tried, parses):
            if i not in labels.read_otherwise and (
                    d := deduction_giving(examples[i], reading, parse.tree, machine)):
                labels.read_otherwise[i] = d
    return labels


def explained(machine: Machine, examples: Sequence[Example]) -> int:
    """How many ``examples`` the machine explains."""
    return len(labelled(machine, examples, readings=0).explained)


def consolidate_perception(machine: Machine, examples: Sequence[Example],
                           labels: Labels, steps: int, before: int | None = None,
                           merge: dict[int, int] | None = None) -> dict[str, Any]:
    """Retrain image perception for ``steps`` steps on the symbols of ``labels`` (the
    machine's labels of ``examples``), each symbol of ``merge`` learned as the one it
    maps to (:func:`nsr.synonyms.synonyms`; those left reading no image are then
    dropped); kept only if the machine then explains more than ``before`` (default: the
    examples ``labels`` counts as explained). Returns what was measured."""
    perception = machine.perception
    t0 = time.monotonic()
    before = len(labels.explained) if before is None else before
    merge = merge or {}
    every = labels.every()
    tokens = [t for i in every for t in examples[i].inputs]
    symbols = [merge.get(s, s) for d in every.values() for s in d.symbols]
    saved = perception.snapshot()
    loss = perception.consolidate(perception.token_ids(tokens),
                                  torch.tensor(symbols, dtype=torch.long), steps) \
        if symbols else 0.0
    after = explained(machine, examples)
    kept = after > before
    if not kept:
        perception.restore(saved)
    record = {"examples": len(examples), "explained_before": before,
              "parsed_otherwise": len(labels.parsed_otherwise),
              "read_otherwise": len(labels.read_otherwise),
              "explained_after": after, "labels": len(symbols),
              "images": len(set(tokens)), "steps": steps, "loss": round(loss, 4),
              "kept": "consolidated" if kept else "previous"}
    if merge:
        dropped = machine.forget_unread(list(merge)) if kept else []
        record["synonyms"] = [[s, merge[s], s in dropped] for s in sorted(merge)]
    return {**record, "seconds": round(time.monotonic() - t0, 2)}


def read_images_again(machine: Machine, examples: Sequence[Example], labels: Labels,
                      threshold: float, uses: int) -> dict[str, Any]:
    """Pin the images :func:`nsr.image_votes.image_votes` reads otherwise to their new
    symbols (until perception next changes); returns what was found."""
    t0 = time.monotonic()
    votes = image_votes(machine, examples, labels.every(),
                        [labels.deduced[i] for i in range(len(examples))],
                        threshold=threshold, uses=uses)
    if votes.changed:
        machine.perception.pin(votes.changed)
    return {"doubted": votes.doubted, "tried": votes.tried, "changed": len(votes.changed),
            "seconds": round(time.monotonic() - t0, 2)}


def consolidate_parser(machine: Machine, examples: Sequence[Example], labels: Labels,
                       epochs: int, tree_label: TreeLabel) -> dict[str, Any]:
    """Retrain the parser for ``epochs`` passes over the trees of ``labels`` (the
    machine's labels of ``examples``, each as ``tree_label`` gives it); kept only if the
    machine then explains more. Returns what was measured."""
    parser = machine.parser
    t0 = time.monotonic()
    every = list(labels.every().values())
    saved, counts = parser.snapshot(), machine.parser_counts
    loss = machine.learn_parser([d.symbols for d in every],
                                [tree_label(d.tree, d.values) for d in every], epochs)
    after = explained(machine, examples)
    kept = after > len(labels.explained)
    if not kept:
        parser.restore(saved)
        machine.parser_counts = counts
    return {"explained_before": len(labels.explained),
            "parsed_otherwise": len(labels.parsed_otherwise),
            "read_otherwise": len(labels.read_otherwise), "trees": len(every),
            "epochs": epochs, "loss": round(loss, 4), "explained_after": after,
            "kept": "consolidated" if kept else "previous",
            "seconds": round(time.monotonic() - t0, 2)}


def consolidate(machine: Machine, examples: Sequence[Example], steps: int, *,
                parser_epochs: int = 0, tree_label: TreeLabel = lambda tree, _: tree,
                readings: int = 16, trees: int = 8, votes: float = 0.0,
                vote_uses: int = 32, merge_synonyms: bool = False,
                done: dict[str, Any] | None = None) -> dict[str, Any]:
    """Consolidate perception (``steps`` steps), then, with ``parser_epochs``, the
    parser, on the labels of ``examples`` (up to ``trees`` of the parser's best trees
    and ``readings`` other readings tried for each input not explained). With ``votes``
    (a fraction), images that fewer than that fraction of their examples read as
    perception does are first read again from up to ``vote_uses`` of them
    (:func:`read_images_again`) and the examples labelled with those readings. With
    ``merge_synonyms``, symbols with one program are learned as one
    (:mod:`nsr.synonyms`). Returns what was measured: perception's figures (the
    synonyms as ``[symbol, merged into, dropped]`` under ``synonyms``), the images read
    again under ``votes``, and the parser's under ``parser``.

    ``done`` is the record of a consolidation of perception alone (a run consolidated
    before the parser was): then only the parser's step is run, and added to it."""
    labels = labelled(machine, examples, readings, trees)
    if done is None:
        before, voted = len(labels.explained), None
        if votes > 0:
            voted = read_images_again(machine, examples, labels, votes, vote_uses)
            if voted["changed"]:
                labels = labelled(machine, examples, readings, trees)
                voted["explained"] = len(labels.explained)
        merge = synonyms(machine) if merge_synonyms else None
        record = consolidate_perception(machine, examples, labels, steps, before, merge)
        if voted is not None:
            record["votes"] = voted
        if parser_epochs > 0 and (record["kept"] == "consolidated"
                                  or (voted is not None and voted["changed"])):
            labels = labelled(machine, examples, readings, trees)
    else:
        record = dict(done)
    if parser_epochs > 0:
        record["parser"] = consolidate_parser(machine, examples, labels, parser_epochs,
                                              tree_label)
    return record


def consolidation_seconds(record: dict[str, Any]) -> float:
    """The seconds every round of a run's consolidation took (``progress.consolidated``:
    the last round, with the ones before it under ``earlier``), perception's and the
    parser's."""
    return round(sum(r.get("seconds", 0.0) + (r.get("parser") or {}).get("seconds", 0.0)
                     for r in [record, *record.get("earlier", [])]), 2)
