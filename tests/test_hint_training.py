"""HINT end to end on short expressions: digits, the four operators (induced from
zero/inc/dec/if0/fix) and parentheses, learned from (expression, value) pairs alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.hint import generate
from nsr.checkpoint import load
from nsr.presets import preset
from nsr.run import evaluate, train_run


@pytest.fixture(scope="module")
def short_run(tmp_path_factory) -> tuple[Path, list]:
    data = generate(None, seed=0)
    train = [e for e in data.train if len(e.inputs) <= 7]
    test = [e for e in data.test if len(e.inputs) <= 7]
    config = preset("hint", split=None, seed=0)
    config = replace(config, train_limit=2000,
                     loop=replace(config.loop, curriculum=(1, 3, 5, 7), max_rounds=24))
    run = tmp_path_factory.mktemp("hint") / "run"
    train_run(config, run, train)
    return run, test


def test_short_expressions_are_learned_exactly(short_run) -> None:
    run, test = short_run
    machine, config, progress = load(run)
    assert config.priors.valueless_symbols and config.priors.primitive_sets == ("nat",)
    result = evaluate(machine, test)
    assert result["accuracy"] >= 0.97, result
    assert set(result["subsets"]) <= {"I", "SS", "SL", "LS", "LL"}
    assert 0.0 <= result["subset_average"] <= 1.0
    assert result["symbol_accuracy"] == 1.0
    assert "head_accuracy" in result and "head_accuracy_valued" in result


def test_operators_are_recursive_programs_verified_equal_to_arithmetic(short_run) -> None:
    run, _ = short_run
    machine, _, _ = load(run)
    best = dict(zip(machine.perception.vocab,
                    machine.perception.table().argmax(dim=-1).tolist()))
    natives = {op: machine.semantics.meanings[best[op]].native for op in "+-*/"}
    assert natives == {"+": "add", "-": "monus", "*": "mul", "/": "cdiv"}
    plus = best["+"]
    assert "fix" in str(machine.semantics.meanings[plus].program)
    assert machine.semantics.apply(plus, [10**30, 7]) == 10**30 + 7  # no recursion cap
    for digit in "0123456789":
        assert machine.semantics.apply(best[digit], []) == int(digit)
