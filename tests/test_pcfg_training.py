"""PCFG SET end to end on short inputs: the ten functions are induced from the list DSL,
``,`` is learned to carry no value, and string tokens pass through as literals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.pcfg import generate_test, generate_train
from nsr.checkpoint import load
from nsr.presets import preset
from nsr.run import evaluate, train_run
from semantics.literals import output_tokens

MAX_FUNCTION_TOKENS = 4


def _short(examples: list, most: int = MAX_FUNCTION_TOKENS) -> list:
    literals = output_tokens(examples)
    return [e for e in examples if sum(t not in literals for t in e.inputs) <= most]


@pytest.fixture(scope="module")
def short_run(tmp_path_factory) -> tuple[Path, list]:
    test = generate_test("pcfgset", 3000, seed=1)
    train = generate_train("pcfgset", 20000, seed=0,
                           exclude={" ".join(e.inputs) for e in test})
    config = preset("pcfg", split="pcfgset", seed=0)
    config = replace(config, train_limit=3000,
                     loop=replace(config.loop, curriculum=(1, 2, 3, 4), max_rounds=20))
    run = tmp_path_factory.mktemp("pcfg") / "run"
    train_run(config, run, _short(train))
    return run, _short(test)


def test_short_compositions_are_learned_exactly(short_run) -> None:
    run, test = short_run
    machine, config, progress = load(run)
    assert config.priors.literal_tokens == "output tokens"
    assert progress["train_accuracy"] >= 0.99
    result = evaluate(machine, test)
    assert result["n"] > 300 and result["accuracy"] >= 0.99, result


def test_functions_get_list_programs_and_literals_stay_outside_the_budget(short_run) -> None:
    run, _ = short_run
    machine, config, _ = load(run)
    sem = machine.semantics
    assert len(sem.literals) == 520 and sem.literals.first > config.priors.symbol_budget
    assert "A1" not in machine.perception.vocab
    best = dict(zip(machine.perception.vocab,
                    machine.perception.table().argmax(dim=-1).tolist()))
    cases = {"reverse": [("A1", "B2", "C3")], "shift": [("A1", "B2", "C3")],
             "echo": [("A1", "B2")], "swap_first_last": [("A1", "B2", "C3")],
             "repeat": [("A1", "B2")], "append": [("A1",), ("B2", "C3")],
             "prepend": [("A1",), ("B2", "C3")], "remove_first": [("A1",), ("B2",)],
             "remove_second": [("A1",), ("B2",)]}
    expected = {"reverse": ("C3", "B2", "A1"), "shift": ("B2", "C3", "A1"),
                "echo": ("A1", "B2", "B2"), "swap_first_last": ("C3", "B2", "A1"),
                "repeat": ("A1", "B2", "A1", "B2"), "append": ("A1", "B2", "C3"),
                "prepend": ("B2", "C3", "A1"), "remove_first": ("B2",),
                "remove_second": ("A1",)}
    for word, args in cases.items():
        assert sem.apply(best[word], args) == expected[word], word
    assert sem.meanings[best[","]].valueless


@pytest.fixture(scope="module")
def synonym_run(tmp_path_factory) -> tuple[Path, list]:
    split = "substitutivity_equally_distributed"
    test = generate_test(split, 2000, seed=1)
    train = generate_train(split, 12000, seed=0, exclude={" ".join(e.inputs) for e in test})
    config = preset("pcfg", split=split, seed=0)
    config = replace(config, train_limit=3000,
                     loop=replace(config.loop, curriculum=(1, 2, 3), max_rounds=12))
    run = tmp_path_factory.mktemp("pcfg-twins") / "run"
    train_run(config, run, _short(train, 3))
    return run, _short(test, 3)


def test_synonyms_share_their_functions_meaning(synonym_run) -> None:
    run, test = synonym_run
    machine, _, _ = load(run)
    assert "reverse_twin" in machine.perception.vocab
    result = evaluate(machine, test)
    assert result["n"] > 200 and result["accuracy"] >= 0.99, result
    best = dict(zip(machine.perception.vocab,
                    machine.perception.table().argmax(dim=-1).tolist()))
    sem = machine.semantics
    for word in ("reverse", "append", "remove_first", "shift"):
        ours, twin = sem.meanings[best[word]], sem.meanings[best[word + "_twin"]]
        assert str(ours.program) == str(twin.program)
