"""Symbols that mean the same: valued symbols whose programs are equal.

A run can end with two symbols for one meaning, for instance an image class split by
appearance (:mod:`nsr.appearance_splits`) whose halves both learned the class's program.
Perception then spreads that class's probability over two outputs, so an image that
looks a little like a third class can go to the third symbol though the two halves
together are more probable. Consolidation trains perception on one symbol of each such
group, the one it reads most training images as, which the parser has seen most
(:func:`synonyms`); the others, which then read no image, are dropped
(:meth:`nsr.machine.Machine.forget_unread`). Only the programs learned from (input, output) pairs are compared.
"""

from __future__ import annotations

from collections import Counter

from nsr.machine import Machine


def synonyms(machine: Machine) -> dict[int, int]:
    """Each valued symbol whose arity and program equal another's, mapped to the symbol
    of that program that perception reads the most training tokens as (ties: the lowest).
    Valueless symbols are never merged: two of them (``(`` and ``)``) differ by their
    place in the tree, not by a program."""
    groups: dict[tuple[int, str], list[int]] = {}
    for s in sorted(machine.semantics.meanings):
        meaning = machine.semantics.meanings[s]
        if not meaning.valueless:
            groups.setdefault((meaning.arity, str(meaning.program)), []).append(s)
    groups = {key: group for key, group in groups.items() if len(group) > 1}
    if not groups:
        return {}
    read = Counter(machine.perception.table().argmax(dim=-1).tolist())
    merged: dict[int, int] = {}
    for group in groups.values():
        into = max(group, key=lambda s: (read[s], -s))
        merged.update({s: into for s in group if s != into})
    return merged

