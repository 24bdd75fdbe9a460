"""End to end on SCAN through the CLI: train, eval --json, inspect, bad checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nsr.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("runs") / "scan-simple"
    result = runner.invoke(app, ["train", "scan", "--split", "simple", "--out", str(run),
                                 "--plain"])
    assert result.exit_code == 0, result.output
    assert "test accuracy 100.00%" in result.output
    assert "priors:" in result.output
    return run


def test_run_folder_holds_config_state_and_weights(trained_run: Path) -> None:
    for name in ("config.json", "state.json", "weights.pt"):
        assert (trained_run / name).is_file()
    state = json.loads((trained_run / "state.json").read_text())
    assert state["progress"]["finished"] is True
    assert state["progress"]["train_accuracy"] == 1.0
    config = json.loads((trained_run / "config.json").read_text())
    assert config["priors"]["symbol_budget"] == 20


def test_eval_json_on_another_split(trained_run: Path) -> None:
    result = runner.invoke(app, ["eval", str(trained_run), "--split", "length", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["accuracy"] == 1.0
    assert report["n"] == 3920


def test_eval_on_a_test_file(trained_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("IN: jump around right thrice OUT: " + " ".join(
        ["I_TURN_RIGHT", "I_JUMP"] * 12) + "\nIN: walk OUT: I_LOOK\n")
    result = runner.invoke(app, ["eval", str(trained_run), "--test-file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 2 and report["correct"] == 1


def test_inspect_shows_programs_and_the_tree(trained_run: Path) -> None:
    result = runner.invoke(app, ["inspect", str(trained_run), "--input", "jump twice"])
    assert result.exit_code == 0, result.output
    assert "(concat $0 $0)" in result.output
    assert "output: I_JUMP I_JUMP" in result.output


def test_unknown_token_at_prediction_is_a_clear_error(trained_run: Path) -> None:
    result = runner.invoke(app, ["inspect", str(trained_run), "--input", "dax twice"])
    assert result.exit_code != 0
    assert "dax" in result.output


@pytest.mark.parametrize("damage", ["truncate_weights", "bad_json", "future_format"])
def test_corrupt_checkpoints_give_clear_errors(trained_run: Path, tmp_path: Path,
                                               damage: str) -> None:
    run = tmp_path / "copy"
    run.mkdir()
    for f in trained_run.iterdir():
        (run / f.name).write_bytes(f.read_bytes())
    if damage == "truncate_weights":
        data = (run / "weights.pt").read_bytes()
        (run / "weights.pt").write_bytes(data[: len(data) // 2])
        expect = "weights.pt"
    elif damage == "bad_json":
        (run / "state.json").write_text('{"format": 1, "vocab')
        expect = "state.json"
    else:
        state = json.loads((run / "state.json").read_text())
        state["format"] = 99
        (run / "state.json").write_text(json.dumps(state))
        expect = "format 99"
    result = runner.invoke(app, ["eval", str(run), "--json"])
    assert result.exit_code != 0
    assert expect in result.output


def test_resume_reaches_the_same_programs_and_weights(tmp_path: Path) -> None:
    """Stopping after round 3 and resuming gives exactly the uninterrupted run."""
    from dataclasses import replace

    import torch

    from benchmarks.scan import generate_split
    from nsr import checkpoint
    from nsr.presets import preset
    from nsr.run import train_run

    train, _ = generate_split("simple", seed=0)
    short = [e for e in train if len(e.inputs) <= 3]
    config = preset("scan", split="simple", seed=0)
    full = replace(config, loop=replace(config.loop, max_rounds=6, rounds_per_stage=2))
    train_run(full, tmp_path / "whole", short)
    cut = replace(full, loop=replace(full.loop, max_rounds=3))
    train_run(cut, tmp_path / "cut", short)
    machine, _, progress = checkpoint.load(tmp_path / "cut")
    assert progress["round"] == 2
    checkpoint.save(tmp_path / "cut", machine, full, {**progress, "finished": False})
    events: list[dict] = []
    train_run(full, tmp_path / "cut", short, resume=True, on_event=events.append)
    assert events[0]["resumed_from"] == 3
    assert [e["round"] for e in events if e["event"] == "round"][0] == 3
    whole, _, p_whole = checkpoint.load(tmp_path / "whole")
    resumed, _, p_resumed = checkpoint.load(tmp_path / "cut")
    assert whole.semantics.to_json() == resumed.semantics.to_json()
    assert p_whole["round"] == p_resumed["round"]
    for (k, a), (_, b) in zip(whole.parser.state_dict().items(),
                              resumed.parser.state_dict().items()):
        assert torch.equal(a, b), k
