"""Reading an image again from all its expressions (:mod:`nsr.image_votes`), and
pinning image readings in perception."""

from __future__ import annotations

import pytest

from nsr.errors import ConfigError
from nsr.types import Example
from tests.test_consolidation import _trained_glyph_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small image run on single glyphs, its machine, images and examples."""
    return _trained_glyph_run(tmp_path_factory.mktemp("votes") / "run")


def _value(machine, symbol: int):
    from nsr.gss import evaluate
    from nsr.types import DependencyTree

    return evaluate((symbol,), DependencyTree((-1,)), machine.semantics)[0]


def _misread(machine, examples) -> tuple[Example, int]:
    """An explained example and a valued symbol other than the one its image is read
    as, whose value differs from the example's target."""
    from nsr.consolidation import labelled

    e = next(e for e in examples if labelled(machine, [e], readings=0).explained)
    read = machine.perception.best_symbols([e.inputs])[0][0]
    other = next(s for s in sorted(machine.semantics.meanings)
                 if s != read and _value(machine, s) not in (None, e.target)
                 and isinstance(_value(machine, s), int))
    return e, other


def test_an_image_its_expressions_reject_takes_the_symbol_that_explains_them(trained):
    """Three expressions of one image whose targets are another symbol's value: the
    image is doubted and read as a symbol of that value; images whose expressions
    agree with their reading are left alone."""
    from nsr.consolidation import labelled
    from nsr.image_votes import image_votes

    machine, _, examples = trained
    e, other = _misread(machine, examples)
    moved = [Example(e.inputs, _value(machine, other))] * 3
    agreeing = [x for x in examples if labelled(machine, [x], readings=0).explained][1:4]
    twice = [x for x in agreeing for _ in range(2)]
    sample = moved + twice
    labels = labelled(machine, sample, readings=0)
    deduced = [labels.deduced[i] for i in range(len(sample))]
    votes = image_votes(machine, sample, labels.every(), deduced, threshold=0.5, uses=8)
    assert votes.doubted == 1 and list(votes.changed) == [e.inputs[0]]
    assert _value(machine, votes.changed[e.inputs[0]]) == _value(machine, other)
    assert votes.tried == 3 * (len(machine.semantics.meanings) - 1)
    # too few uses, or no threshold: nothing is doubted
    once = image_votes(machine, sample[:1], labels.every(), deduced[:1], threshold=0.5,
                       uses=8)
    assert once.doubted == 0 and not once.changed
    assert image_votes(machine, sample, labels.every(), deduced, threshold=0.0,
                       uses=8).doubted == 0


def test_an_image_no_symbol_explains_better_keeps_its_reading(trained):
    from nsr.consolidation import labelled
    from nsr.image_votes import image_votes

    machine, _, examples = trained
    e, _ = _misread(machine, examples)
    nowhere = [Example(e.inputs, 10**6)] * 3
    labels = labelled(machine, nowhere, readings=0)
    votes = image_votes(machine, nowhere, labels.every(),
                        [labels.deduced[i] for i in range(3)], threshold=0.5, uses=8)
    assert votes.doubted == 1 and not votes.changed


def test_a_pinned_image_is_read_as_its_symbol_until_the_classifier_changes(trained):
    machine, _, examples = trained
    p = machine.perception
    e, other = _misread(machine, examples)
    saved = p.snapshot()
    p.pin({e.inputs[0]: other})
    assert p.best_symbols([e.inputs])[0] == (other,)
    assert p.log_probs(e.inputs)[0, other] == 0.0
    with pytest.raises(ConfigError, match="budget"):
        p.pin({e.inputs[0]: p.num_symbols})
    p.restore(saved)
    assert p.best_symbols([e.inputs])[0] != (other,)


def test_consolidation_with_votes_labels_the_images_read_again(trained):
    """An image whose expressions all want another symbol's value is pinned before the
    sample is labelled, so its expressions become explained and the classifier is
    trained on its new symbol."""
    from nsr.consolidation import consolidate
    from nsr.report import consolidation_line

    machine, _, examples = trained
    e, other = _misread(machine, examples)
    moved = [Example(e.inputs, _value(machine, other))] * 4
    saved = machine.perception.snapshot()
    done = consolidate(machine, moved + examples, steps=40, votes=0.5, vote_uses=8)
    votes = done["votes"]
    assert votes["doubted"] >= 1 and votes["changed"] >= 1
    # the four moved expressions are explained now, the image's own one no longer
    assert votes["explained"] == done["explained_before"] + 4 - 1
    assert (f"images read again: {votes['changed']} of {votes['doubted']} doubted images "
            f"take another symbol, then {votes['explained']} explained"
            in consolidation_line(done))
    machine.perception.restore(saved)
    plain = consolidate(machine, moved + examples, steps=40)
    assert "votes" not in plain
    machine.perception.restore(saved)
