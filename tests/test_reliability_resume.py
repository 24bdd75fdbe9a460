"""Checkpoint interval, Ctrl-C in the middle of a round, reproducibility, and resuming
only what can be resumed (the same data; never overwriting a run by accident).

(Stopping after a round and resuming is tested in ``tests/test_scan_training.py``; real
signals and kill -9 on a training process in ``tests/test_reliability_runs.py``.)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from benchmarks.scan import generate_split, write_file
from nsr import __version__, checkpoint
from nsr.cli import app
from nsr.config import TrainConfig
from nsr.errors import ResumeError
from nsr.presets import preset
from nsr.run import train_run
from nsr.types import Example
from parser import TransitionParser

pytestmark = pytest.mark.issue(8)
runner = CliRunner()


@pytest.fixture(scope="module")
def short() -> list[Example]:
    train, _ = generate_split("simple", seed=0)
    return [e for e in train if len(e.inputs) <= 3]


def _config(every: int = 1, seed: int = 0) -> TrainConfig:
    config = preset("scan", split="simple", seed=seed)
    return replace(config, checkpoint_every=every,
                   loop=replace(config.loop, max_rounds=6, rounds_per_stage=2))


@pytest.fixture(scope="module")
def reference(short: list[Example], tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("reference") / "run"
    train_run(_config(), run, short)
    return run


def _assert_same(a: Path, b: Path) -> None:
    ma, _, pa = checkpoint.load(a)
    mb, _, pb = checkpoint.load(b)
    assert ma.semantics.to_json() == mb.semantics.to_json()
    assert (pa["round"], pa["train_accuracy"]) == (pb["round"], pb["train_accuracy"])
    for module_a, module_b in ((ma.perception, mb.perception), (ma.parser, mb.parser)):
        other = module_b.state_dict()
        for key, tensor in module_a.state_dict().items():
            assert torch.equal(tensor, other[key]), key
    for module_a, module_b in ((ma.perception, mb.perception), (ma.parser, mb.parser)):
        state_a = module_a.optimizer.state_dict()["state"]
        state_b = module_b.optimizer.state_dict()["state"]
        assert state_a.keys() == state_b.keys()
        for param, moments in state_a.items():
            for name, value in moments.items():
                assert torch.equal(torch.as_tensor(value),
                                   torch.as_tensor(state_b[param][name])), (param, name)


def test_the_same_seed_gives_the_same_programs_and_weights(
        short: list[Example], reference: Path, tmp_path: Path) -> None:
    train_run(_config(), tmp_path / "again", short)
    _assert_same(reference, tmp_path / "again")
    other = tmp_path / "seed1"
    train_run(_config(seed=1), other, short)
    first = checkpoint.load(reference)[0].perception.logits
    assert not torch.equal(first, checkpoint.load(other)[0].perception.logits)


def test_the_run_folder_records_config_seed_versions_priors_and_data(
        reference: Path, short: list[Example]) -> None:
    config = json.loads((reference / "config.json").read_text())
    state = json.loads((reference / "state.json").read_text())
    assert config["loop"]["seed"] == 0 and config["checkpoint_every"] == 1
    assert config["priors"] == _config().priors.describe() | {
        "primitive_sets": list(_config().priors.primitive_sets)}
    assert state["nsr_version"] == __version__
    assert state["torch_version"] == torch.__version__
    assert state["python"] == sys.version.split()[0]
    assert set(state["packages"]) == {"numpy", "sympy", "nltk"}
    assert state["data"]["examples"] == len(short) and len(state["data"]["sha256"]) == 64


def test_a_longer_interval_writes_fewer_checkpoints_and_learns_the_same(
        short: list[Example], reference: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[int] = []
    real_write = checkpoint.write

    def counting_write(run_dir, snap) -> None:
        written.append(snap.round)
        real_write(run_dir, snap)

    monkeypatch.setattr(checkpoint, "write", counting_write)
    train_run(_config(every=4), tmp_path / "every4", short)
    assert written == [-1, 3, 5]  # before round 0, after round 3, and at the end
    _assert_same(reference, tmp_path / "every4")


def test_ctrl_c_in_the_middle_of_a_round_keeps_the_last_finished_round(
        short: list[Example], reference: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The interrupt lands after round 2 has already changed perception: the checkpoint
    written is round 1's, untouched, and resuming it gives the uninterrupted run."""
    calls: list[int] = []
    real_learn = TransitionParser.learn

    def learn_then_interrupt(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_learn(self, *args, **kwargs)

    run = tmp_path / "interrupted"
    monkeypatch.setattr(TransitionParser, "learn", learn_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        train_run(_config(every=100), run, short)
    monkeypatch.undo()
    assert checkpoint.load(run)[2]["round"] == 1
    events: list[dict] = []
    train_run(_config(every=100), run, short, resume=True, on_event=events.append)
    assert events[0]["resumed_from"] == 2
    _assert_same(reference, run)


def test_resuming_on_other_data_is_refused(short: list[Example], reference: Path,
                                           tmp_path: Path) -> None:
    run = Path(shutil.copytree(reference, tmp_path / "copy"))
    with pytest.raises(ResumeError, match="not the examples the run was trained on"):
        train_run(_config(), run, short[:-1], resume=True)


def test_a_run_folder_being_trained_is_not_trained_twice(
        short: list[Example], reference: Path, tmp_path: Path) -> None:
    run = Path(shutil.copytree(reference, tmp_path / "busy"))
    with checkpoint.exclusive(run):
        with pytest.raises(ResumeError, match=r"is being trained by another process "
                                              rf"\(pid {os.getpid()}\)"):
            train_run(_config(), run, short, resume=True)
    train_run(_config(), run, short, resume=True)  # released once the holder is done


@pytest.fixture
def files(short: list[Example], tmp_path: Path) -> tuple[Path, Path]:
    """The commands of one and two words: enough for the CLI's bookkeeping."""
    write_file(tmp_path / "train.txt", [e for e in short if len(e.inputs) <= 2])
    write_file(tmp_path / "test.txt", short[:5])
    return tmp_path / "train.txt", tmp_path / "test.txt"


def _train(*args: str | Path) -> str:
    result = runner.invoke(app, ["train", "--plain", *map(str, args)], env={"NSR_DATA": ""})
    return f"{result.exit_code}\n{result.output}"


def test_the_cli_resumes_from_the_recorded_files_and_checks_them(
        files: tuple[Path, Path], tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert _train("--train-file", files[0], "--test-file", files[1], "--out", run
                  ).startswith("0\n")
    assert "test accuracy" in _train("--resume", run)
    shorter = tmp_path / "shorter.txt"
    shorter.write_text("\n".join(files[0].read_text().splitlines()[:-1]) + "\n")
    out = _train("--resume", run, "--train-file", shorter)
    assert out.startswith("2\nerror: ") and "not the examples the run was trained on" in out
    assert f"from train_file {files[0]}" in out


def test_the_cli_never_overwrites_a_run_unasked(files: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    run = tmp_path / "run"
    common = ("--train-file", files[0], "--test-file", files[1], "--out", run)
    assert _train(*common).startswith("0\n")
    before = (run / "state.json").read_bytes()
    out = _train(*common)
    assert out == (f"2\nerror: {run} already holds a run; continue it with nsr train "
                   f"--resume {run}, or start again with --overwrite\n")
    assert (run / "state.json").read_bytes() == before
    assert _train(*common, "--overwrite").startswith("0\n")
