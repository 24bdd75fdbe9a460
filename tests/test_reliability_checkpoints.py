"""Safe checkpoints: whole after a kill at any step of a write, plain data only, never
unpickled, and every corrupt, mixed, incompatible or unwritable one reported clearly.

(A truncated ``weights.pt``, a truncated ``state.json`` and a future format are tested
in ``tests/test_scan_training.py``.)
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from benchmarks.scan import generate_split
from nsr import checkpoint
from nsr.cli import app
from nsr.errors import CheckpointError
from nsr.presets import preset
from nsr.run import train_run
from semantics.program import parse_program

pytestmark = pytest.mark.issue(8)
runner = CliRunner()


class _Killed(BaseException):
    """Stands for a kill -9: nothing after it runs."""


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    train, _ = generate_split("simple", seed=0)
    config = preset("scan", split="simple", seed=0)
    config = replace(config, loop=replace(config.loop, max_rounds=4, rounds_per_stage=2))
    run = tmp_path_factory.mktemp("runs") / "short"
    train_run(config, run, [e for e in train if len(e.inputs) <= 3])
    return run


@pytest.fixture
def run(trained: Path, tmp_path: Path) -> Path:
    """A private copy of the trained run, free to damage."""
    return Path(shutil.copytree(trained, tmp_path / "run"))


def _eval_error(run: Path) -> str:
    result = runner.invoke(app, ["eval", str(run), "--json"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.mark.parametrize("killed_at", [0, 1, 2, 3],
                         ids=["config", "new-weights", "state-commit", "weights-rename"])
def test_a_kill_at_any_step_of_a_write_leaves_one_whole_checkpoint(
        run: Path, monkeypatch: pytest.MonkeyPatch, killed_at: int) -> None:
    """The write renames config.json, weights.next.pt, state.json (the commit) and
    weights.pt in turn; killed before any rename, the folder loads as the old checkpoint
    or, from the commit on, as the new one, weights and programs together."""
    machine, config, progress = checkpoint.load(run)
    old_logits = machine.perception.logits.detach().clone()
    with torch.no_grad():
        machine.perception.logits += 1.0
    newer = {**progress, "round": progress["round"] + 1}
    snap = checkpoint.snapshot(machine, config, newer)
    renames: list[str] = []
    real_replace = os.replace

    def replace_or_die(src, dst) -> None:
        if len(renames) == killed_at:
            raise _Killed
        renames.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_or_die)
    with pytest.raises(_Killed):
        checkpoint.write(run, snap)
    monkeypatch.undo()
    loaded, _, got = checkpoint.load(run)
    committed = killed_at >= 3
    assert got["round"] == progress["round"] + (1 if committed else 0)
    want = old_logits + 1.0 if committed else old_logits
    assert torch.equal(loaded.perception.logits.detach(), want)
    checkpoint.write(run, snap)  # the next write repairs whatever was left behind
    assert checkpoint.load(run)[2]["round"] == progress["round"] + 1
    assert not (run / "weights.next.pt").exists()


def test_weights_of_another_checkpoint_are_refused(run: Path, tmp_path: Path) -> None:
    machine, config, progress = checkpoint.load(run)
    checkpoint.save(tmp_path / "other", machine, config, progress)
    shutil.copy(tmp_path / "other" / "weights.pt", run / "weights.pt")
    line = _eval_error(run)
    assert f"{run / 'weights.pt'}: does not belong to {run / 'state.json'}" in line


def test_a_pickled_object_is_refused_and_never_run(run: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    torch.save({"perception": Payload()}, run / "weights.pt")
    line = _eval_error(run)
    assert f"{run / 'weights.pt'}: refused" in line and "never unpickled" in line
    assert not marker.exists()


@pytest.mark.parametrize("damage, where", [
    ("hidden_size", "weights.pt: weights incompatible with"),
    ("unknown_key", "config.json: incompatible config"),
    ("bad_program", "state.json: incompatible state"),
    ("missing_state", "state.json: missing"),
    ("missing_weights", "weights.pt: missing"),
])
def test_incompatible_or_missing_parts_name_the_file(run: Path, damage: str,
                                                     where: str) -> None:
    config = json.loads((run / "config.json").read_text())
    state = json.loads((run / "state.json").read_text())
    if damage == "hidden_size":
        config["parser_hidden"] = 32
    elif damage == "unknown_key":
        config["loop"]["learning_rate"] = 0.1
    elif damage == "bad_program":
        first = next(iter(state["semantics"]["programs"]))
        state["semantics"]["programs"][first]["program"] = "(lambda 1 (concat $0"
    (run / "config.json").write_text(json.dumps(config))
    (run / "state.json").write_text(json.dumps(state))
    if damage == "missing_state":
        (run / "state.json").unlink()
    if damage == "missing_weights":
        (run / "weights.pt").unlink()
    assert where in _eval_error(run)


def test_a_full_disk_keeps_the_previous_checkpoint(
        run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    machine, config, progress = checkpoint.load(run)
    before = (run / "state.json").read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(CheckpointError, match="No space left on device.*previous "
                                              "checkpoint is kept"):
        checkpoint.save(run, machine, config, {**progress, "round": 99})
    monkeypatch.undo()
    assert (run / "state.json").read_bytes() == before
    assert not list(run.glob("*.tmp"))
    assert checkpoint.load(run)[2]["round"] == progress["round"]


def test_checkpoints_hold_only_tensors_plain_data_and_program_text(run: Path) -> None:
    weights = torch.load(run / "weights.pt", weights_only=True)

    def leaves(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from leaves(v)
        else:
            yield value

    assert all(isinstance(x, (torch.Tensor, str, int, float, bool, type(None)))
               for x in leaves(weights))
    state = json.loads((run / "state.json").read_text())
    config = json.loads((run / "config.json").read_text())
    assert state["format"] == config["format"] == checkpoint.FORMAT_VERSION
    assert state["checkpoint_id"] == weights["checkpoint_id"]
    programs = state["semantics"]["programs"]
    assert programs and all(str(parse_program(p["program"])) == p["program"]
                            for p in programs.values() if p["program"] is not None)
