"""Symbols with one program learned as one in consolidation (:mod:`nsr.synonyms`)."""

from __future__ import annotations

from collections import Counter

import pytest

from semantics.program import parse_program
from tests.test_consolidation import _trained_glyph_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small image run on single glyphs, its machine and examples."""
    machine, _, examples = _trained_glyph_run(tmp_path_factory.mktemp("synonyms") / "run")
    return machine, examples


def test_valued_symbols_with_one_program_map_to_the_one_read_most(trained):
    from nsr.synonyms import synonyms

    machine, _ = trained
    sem = machine.semantics
    read = Counter(machine.perception.table().argmax(dim=-1).tolist())
    most = read.most_common(1)[0][0]
    a, b, c, d, e, f, g = [s for s in range(machine.perception.num_symbols)
                           if not read[s]][:7]
    saved = dict(sem.meanings)
    try:
        sem.meanings.clear()
        for s in (c, most, b):  # the one perception reads wins, whatever its number
            sem.set_program(s, parse_program("(inc (inc zero))"))
        for s in (d, a):  # none read: the lowest
            sem.set_program(s, parse_program("(lambda 2 $0)"))
        sem.set_program(e, parse_program("(lambda 1 $0)"))  # another arity
        sem.set_valueless(f)
        sem.set_valueless(g)
        assert synonyms(machine) == {b: most, c: most, d: a}
    finally:
        sem.meanings.clear()
        sem.meanings.update(saved)


def _split_symbol(machine, examples):
    """Give a free symbol the program of a symbol perception reads, and teach
    perception to read some of that symbol's images as the free one; returns
    (symbol, its copy)."""
    p = machine.perception
    read = [p.best_symbols([e.inputs])[0][0] for e in examples]
    kept = next(s for s in sorted(set(read)) if s in machine.semantics.meanings
                and not machine.semantics.meanings[s].valueless
                and read.count(s) >= 8)
    copy = next(s for s in range(p.num_symbols) if s not in machine.semantics.meanings)
    machine.semantics.set_program(copy, machine.semantics.meanings[kept].program)
    inputs = [e.inputs for e in examples]
    mine = [x for x, s in zip(inputs, read) if s == kept][::3]
    targets = [(copy,) if x in mine else (s,) for x, s in zip(inputs, read)]
    for _ in range(10):
        p.learn(inputs, targets)
    assert sum(s == (copy,) for s in p.best_symbols(mine)) >= 3
    now = [s for e in examples for s in p.best_symbols([e.inputs])[0]]
    assert now.count(kept) > now.count(copy)
    return kept, copy


def test_consolidation_learns_one_symbol_and_drops_the_copy(trained):
    from nsr.consolidation import consolidate, consolidate_perception, labelled
    from nsr.report import consolidation_line
    from nsr.synonyms import synonyms

    machine, examples = trained
    p, meanings = machine.perception, dict(machine.semantics.meanings)
    saved = p.snapshot()
    try:
        kept, copy = _split_symbol(machine, examples)
        split = p.snapshot()
        merge = synonyms(machine)
        assert merge == {copy: kept}  # the symbol read for more images stays
        labels = labelled(machine, examples, readings=0)
        plain = consolidate_perception(machine, examples, labels, 60, before=0)
        assert "synonyms" not in plain and copy in machine.semantics.meanings
        assert copy in {s for e in examples for s in p.best_symbols([e.inputs])[0]}
        p.restore(split)
        done = consolidate_perception(machine, examples, labels, 60, before=0,
                                      merge=merge)
        assert done["kept"] == "consolidated"
        assert done["synonyms"] == [[copy, kept, True]]
        assert copy not in machine.semantics.meanings
        read = {s for e in examples for s in p.best_symbols([e.inputs])[0]}
        assert copy not in read and kept in read
        assert f"symbols with one program learned as one: {copy} as {kept} (dropped)" \
            in consolidation_line(done)
        # a consolidation that is not kept (no more can be explained) drops nothing
        p.restore(split)
        machine.semantics.set_program(copy, machine.semantics.meanings[kept].program)
        undone = consolidate_perception(machine, examples, labels, 60,
                                        before=len(examples), merge=merge)
        assert undone["kept"] == "previous" and undone["synonyms"] == [[copy, kept, False]]
        assert copy in machine.semantics.meanings
        # what a run calls
        p.restore(split)
        run = consolidate(machine, examples, steps=60, merge_synonyms=True)
        assert run["synonyms"] == [[copy, kept, run["kept"] == "consolidated"]]
    finally:
        p.restore(saved)
        machine.semantics.meanings.clear()
        machine.semantics.meanings.update(meanings)
