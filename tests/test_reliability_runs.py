"""Interrupted runs through the real CLI: kill -9, Ctrl-C and SIGTERM, then resume.

A small SCAN training file (the ``simple`` split's 1,390 commands of at most five words)
keeps each run to a few seconds. The uninterrupted reference run trains in the background
while a second run is killed and resumed; both must end with the same programs, weights
and test accuracy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from benchmarks.scan import generate_split, write_file

pytestmark = pytest.mark.issue(8)


def _nsr(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "nsr.cli", *map(str, args)]


def _start(*args: str | Path) -> subprocess.Popen:
    # One thread each: two runs at once on two cores, without threads spinning for a core.
    env = {**os.environ, "NSR_DATA": "", "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    # Ctrl-C's default action, whatever the test process inherited (a child starts with
    # an ignored SIGINT ignored, and Python then never raises KeyboardInterrupt).
    return subprocess.Popen(_nsr(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _finish(proc: subprocess.Popen, timeout: float = 240) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    return out, err


def _round(run: Path) -> int | None:
    """The round of the run's committed checkpoint, if one can be read now."""
    try:
        return json.loads((run / "state.json").read_text())["progress"]["round"]
    except (OSError, ValueError, KeyError):
        return None


def _wait_for_round(run: Path, proc: subprocess.Popen, at_least: int) -> int:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        done = _round(run)
        if done is not None and done >= at_least:
            return done
        assert proc.poll() is None, f"the run ended early: {proc.communicate()}"
        time.sleep(0.01)
    raise AssertionError(f"no checkpoint of round {at_least} within 180 s")


def _accuracy_line(stdout: str) -> str:
    line = next(x for x in stdout.splitlines() if x.startswith("test accuracy"))
    return line.split(";")[0]  # "test accuracy 90.33% of 300 (scan simple, seed 0)"


def _assert_same_run(a: Path, b: Path) -> None:
    state_a = json.loads((a / "state.json").read_text())
    state_b = json.loads((b / "state.json").read_text())
    assert state_a["semantics"] == state_b["semantics"]
    assert state_a["progress"]["round"] == state_b["progress"]["round"]
    assert state_a["progress"]["train_accuracy"] == state_b["progress"]["train_accuracy"]
    weights_a = torch.load(a / "weights.pt", weights_only=True)
    weights_b = torch.load(b / "weights.pt", weights_only=True)
    for part in ("perception", "parser"):
        for key, tensor in weights_a[part].items():
            assert torch.equal(tensor, weights_b[part][key]), (part, key)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("data")
    train, test = generate_split("simple", seed=0)
    write_file(folder / "train.txt", [e for e in train if len(e.inputs) <= 5])
    write_file(folder / "test.txt", test[:300])
    return folder / "train.txt", folder / "test.txt"


@pytest.fixture(scope="module")
def reference(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory):
    """An uninterrupted run, started in the background; call the result to wait for it."""
    run = tmp_path_factory.mktemp("reference") / "run"
    proc = _start("train", "--train-file", files[0], "--test-file", files[1],
                  "--out", run, "--plain")
    finished: list[str] = []

    def wait() -> tuple[Path, str]:
        if not finished:
            finished.append(_finish(proc)[0])
        return run, finished[0]
    yield wait
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_kill_9_then_resume_reaches_the_uninterrupted_result(
        files: tuple[Path, Path], reference, tmp_path: Path) -> None:
    run = tmp_path / "killed"
    proc = _start("train", "--train-file", files[0], "--test-file", files[1],
                  "--out", run, "--plain", "--checkpoint-every", "2")
    killed_at = _wait_for_round(run, proc, at_least=1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # The data files are not given again: the run folder recorded them.
    out, _ = _finish(_start("train", "--resume", run, "--plain"))
    resumed_at = int(out.split("resumed at round ")[1].split()[0])
    assert resumed_at >= killed_at + 1
    ref_run, ref_out = reference()
    _assert_same_run(ref_run, run)
    assert _accuracy_line(out) == _accuracy_line(ref_out)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_with_a_checkpoint_of_the_last_round(
        files: tuple[Path, Path], reference, tmp_path: Path, sig: signal.Signals) -> None:
    """With checkpoints only every 1000 rounds, what is kept is written on the signal;
    after Ctrl-C the run is resumed to the end (SIGTERM takes the same path from there)."""
    run = tmp_path / "stopped"
    proc = _start("train", "--train-file", files[0], "--test-file", files[1],
                  "--out", run, "--plain", "--checkpoint-every", "1000")
    printed = -1
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("round"):
            # the first round line: the whole run takes a few seconds, so a later line
            # leaves too little time on a busy machine (it had ended with code 0 once)
            printed = int(line.split()[1])
            break
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    kept = _round(run)
    assert kept is not None and kept >= printed
    assert f"the checkpoint of round {kept} is kept in {run}" in err
    assert f"nsr train --resume {run}" in err
    if sig == signal.SIGTERM:
        return
    out, _ = _finish(_start("train", "--resume", run, "--plain"))
    ref_run, ref_out = reference()
    _assert_same_run(ref_run, run)
    assert _accuracy_line(out) == _accuracy_line(ref_out)
