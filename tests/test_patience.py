"""The last stage's patience: a run whose training accuracy stops rising ends there,
records why, and resumes exactly (the best accuracy and the rounds since it are part
of the schedule)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

import nsr.loop as loop
from benchmarks.scan import generate_split
from nsr import checkpoint, report
from nsr.config import LoopConfig
from nsr.presets import preset
from nsr.run import train_run
from nsr.types import Example

pytestmark = pytest.mark.issue(6)

ACCURACIES = [0.2, 0.5, 0.7, 0.6, 0.75, 0.65, 0.9, 0.8, 0.85, 0.9, 0.5, 0.99]


@pytest.fixture()
def scripted(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """``run_round`` replaced by one that reports the next scripted accuracy."""
    left = list(ACCURACIES)
    monkeypatch.setattr(loop, "run_round",
                        lambda machine, pool, config, rng: {"accuracy": left.pop(0)})
    return left


def _rounds(config: LoopConfig, **schedule) -> list[dict]:
    machine = SimpleNamespace(semantics=SimpleNamespace(
        literals=SimpleNamespace(symbol_of={})))
    examples = [Example(("a",) * n, n) for n in (1, 2, 5)]
    return [e for e in loop.train(machine, examples, config, **schedule)
            if e["event"] == "round"]


def test_the_last_stage_ends_after_patience_rounds_without_a_better_accuracy(
        scripted: list[float]) -> None:
    config = LoopConfig(curriculum=(2, 1000), rounds_per_stage=2, max_rounds=50,
                        target_accuracy=0.99, patience=3)
    rounds = _rounds(config)
    # two rounds at the first stage (0.2 and 0.5 never count); at the last, the best
    # rises to 0.7, 0.75 and 0.9; after three rounds without more (0.8, 0.85, an equal
    # 0.9) the run stops
    assert [r["accuracy"] for r in rounds] == ACCURACIES[:10]
    assert [r["stalled"] for r in rounds] == [False] * 9 + [True]
    assert rounds[-1]["schedule"]["best"] == 0.9
    assert not any(r["solved"] for r in rounds)


def test_without_patience_the_run_goes_on_to_the_target(scripted: list[float]) -> None:
    config = LoopConfig(curriculum=(2, 1000), rounds_per_stage=2, max_rounds=50,
                        target_accuracy=0.99)
    rounds = _rounds(config)
    assert len(rounds) == len(ACCURACIES) and rounds[-1]["solved"]
    assert not any(r["stalled"] for r in rounds)


def test_a_resumed_schedule_keeps_the_count_since_the_best(scripted: list[float]) -> None:
    config = LoopConfig(curriculum=(1000,), max_rounds=50, target_accuracy=0.99,
                        patience=2)
    # as if rounds before this one had reached 0.95 and one round had not beaten it
    rounds = _rounds(config, start_round=7, best=0.95, since_best=1)
    assert len(rounds) == 1 and rounds[0]["stalled"] and rounds[0]["round"] == 7


def test_a_stalled_run_is_checkpointed_as_such_and_not_trained_further(
        tmp_path: Path) -> None:
    train, _ = generate_split("simple", seed=0)
    short = [e for e in train if len(e.inputs) <= 2]
    config = preset("scan", split="simple", seed=0)
    config = replace(config, checkpoint_every=50, loop=replace(
        config.loop, curriculum=(1000,), max_rounds=30, target_accuracy=1.5, patience=2))
    run = tmp_path / "run"
    summary = train_run(config, run, short)
    assert summary["stalled"] and summary["round"] < 29
    progress = checkpoint.load(run)[2]
    assert progress["stalled"] and progress["schedule"]["since_best"] == 2
    again = train_run(config, run, short, resume=True)
    assert again["round"] == summary["round"]


def test_a_stalled_run_ends_on_the_state_its_best_accuracy_was_measured_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scripted round marks the machine with its number (the parser's learn-call
    count, which checkpoints keep). A round's accuracy is measured before its update, so
    the best (0.9, round 2) belongs to the state after round 1."""
    accuracies = [0.2, 0.5, 0.9, 0.6, 0.7, 0.8]
    rounds = iter(range(len(accuracies)))

    def scripted_round(machine, pool, config, rng) -> dict:
        n = next(rounds)
        machine.parser._learn_calls = 1000 + n
        return {"accuracy": accuracies[n], "abduced": 0, "revised": 0, "programs": 0}

    monkeypatch.setattr(loop, "run_round", scripted_round)
    train, _ = generate_split("simple", seed=0)
    config = preset("scan", split="simple", seed=0)
    config = replace(config, loop=replace(config.loop, curriculum=(1000,), max_rounds=30,
                                          target_accuracy=0.99, patience=3))
    run = tmp_path / "run"
    lines = []
    summary = train_run(config, run, train[:20], on_event=lines.append)
    assert summary["stalled"] and summary["round"] == 5
    assert summary["kept"] == {"after_round": 1, "measured_in_round": 2,
                               "train_accuracy": 0.9, "last_train_accuracy": 0.8}
    machine, _, progress = checkpoint.load(run)
    assert machine.parser._learn_calls == 1001
    assert progress["round"] == 5 and progress["train_accuracy"] == 0.9
    assert "keeps the state of round 2, 90.00%" in report.round_line(lines[-2])
    again = train_run(config, run, train[:20], resume=True)
    assert again["round"] == 5 and checkpoint.load(run)[0].parser._learn_calls == 1001
    # a new run in the same folder (--overwrite) does not inherit the old best state
    train_run(replace(config, loop=replace(config.loop, max_rounds=0)), run, train[:20])
    assert not (run / "best").exists()


def test_without_patience_no_best_state_is_written(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop, "run_round", lambda machine, pool, config, rng: {
        "accuracy": 0.5, "abduced": 0, "revised": 0, "programs": 0})
    train, _ = generate_split("simple", seed=0)
    config = preset("scan", split="simple", seed=0)
    config = replace(config, loop=replace(config.loop, curriculum=(1000,), max_rounds=3))
    train_run(config, tmp_path / "run", train[:20])
    assert not (tmp_path / "run" / "best").exists()
