"""Checkpoints: tensors and plain data only, written atomically, loaded without pickle.

A run folder holds ``config.json`` (the resolved configuration, priors included),
``state.json`` (format version, vocabulary, programs as text, progress) and
``weights.pt`` (perception and parser ``state_dict`` tensors, read with
``torch.load(weights_only=True)``). Each file is written to a temporary name, flushed to
disk and renamed, so an interrupted write never leaves a half-written file behind.

The three files form one checkpoint: ``state.json`` and ``weights.pt`` carry the same
``checkpoint_id``. :func:`write` puts the new weights beside the old ones
(``weights.next.pt``), then replaces ``state.json`` (the commit), then renames the new
weights into place; :func:`load` takes ``weights.next.pt`` when it finds ``state.json``
already committed, so a kill at any moment leaves the previous or the new checkpoint,
never a mix of the two. While a process trains, it holds ``train.lock`` (its pid), so a
second ``nsr train`` of the same folder is refused instead of overwriting the first.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pickle
import platform
import secrets
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

from nsr import __version__
from nsr.config import TrainConfig
from nsr.errors import CheckpointError, NSRError, ProgramParseError, ResumeError
from nsr.machine import Machine
from nsr.registry import Registry
from semantics.module import SemanticModule, SemanticsConfig
from semantics.search import InductionConfig

FORMAT_VERSION = 1
CONFIG, STATE, WEIGHTS, LOCK = "config.json", "state.json", "weights.pt", "train.lock"
PENDING = "weights.next.pt"
"""New weights, written before ``state.json`` commits them; then ``weights.pt``."""


@dataclass(frozen=True)
class Snapshot:
    """One checkpoint serialised in memory, so that it can be written later as a unit."""

    checkpoint_id: str
    config: bytes
    state: bytes
    weights: bytes
    round: int


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def _versions() -> dict[str, Any]:
    packages = {}
    for name in ("numpy", "sympy", "nltk"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {"nsr_version": __version__, "torch_version": torch.__version__,
            "python": sys.version.split()[0], "platform": platform.platform(),
            "packages": packages, "torch_threads": torch.get_num_threads()}


def snapshot(machine: Machine, config: TrainConfig, progress: dict[str, Any], *,
             data: dict[str, Any] | None = None) -> Snapshot:
    """The run's configuration, programs and weights as they are now, serialised.

    ``data`` (where the training examples came from, their count and fingerprint) is
    stored in ``state.json`` so that a resumed run can check it trains on the same data.
    """
    checkpoint_id = secrets.token_hex(8)
    weights = {"perception": machine.perception.state_dict(),
               "parser": machine.parser.state_dict(),
               "perception_optimizer": machine.perception.optimizer.state_dict(),
               "parser_optimizer": machine.parser.optimizer.state_dict(),
               "parser_learn_calls": torch.tensor(machine.parser._learn_calls),
               "checkpoint_id": checkpoint_id}
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    state = {
        "format": FORMAT_VERSION, "checkpoint_id": checkpoint_id, **_versions(),
        "vocabulary": machine.perception.vocab,
        "parser_counts": {str(s): n for s, n in sorted(machine.parser_counts.items())},
        "semantics": machine.semantics.to_json(),
        "progress": progress,
    }
    if data is not None:
        state["data"] = data
    config_json = {"format": FORMAT_VERSION, **config.to_json()}
    return Snapshot(checkpoint_id, _json_bytes(config_json), _json_bytes(state),
                    buffer.getvalue(), int(progress.get("round", -1)))


def with_progress(snap: Snapshot, progress: dict[str, Any]) -> Snapshot:
    """The same checkpoint (configuration, programs, weights) with other progress."""
    state = json.loads(snap.state)
    state["progress"] = progress
    return replace(snap, state=_json_bytes(state), round=int(progress.get("round", -1)))


def read(run_dir: Path) -> Snapshot:
    """The checkpoint written in ``run_dir``, checked whole, as a snapshot that can be
    written elsewhere; a missing or corrupt one raises :class:`CheckpointError`."""
    run_dir = Path(run_dir)
    _read_json(run_dir / CONFIG)
    state, path, _ = _state_and_weights(run_dir)
    try:
        config, weights = (run_dir / CONFIG).read_bytes(), path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{run_dir}: cannot read the checkpoint ({exc})") from exc
    return Snapshot(str(state.get("checkpoint_id")), config, _json_bytes(state), weights,
                    int(state.get("progress", {}).get("round", -1)))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write(run_dir: Path, snap: Snapshot) -> None:
    """Write a snapshot into ``run_dir`` so that a kill at any moment leaves a whole
    checkpoint (the previous one or this one); a failed write raises
    :class:`CheckpointError` and keeps the previous checkpoint."""
    run_dir = Path(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(run_dir / CONFIG, snap.config)
        _atomic_write(run_dir / PENDING, snap.weights)
        _atomic_write(run_dir / STATE, snap.state)  # the commit
        os.replace(run_dir / PENDING, run_dir / WEIGHTS)
        _fsync_dir(run_dir)
    except OSError as exc:
        raise CheckpointError(f"{run_dir}: cannot write the checkpoint of round "
                              f"{snap.round} ({exc}); the previous checkpoint is kept"
                              ) from exc


@contextmanager
def exclusive(run_dir: Path) -> Iterator[None]:
    """Hold ``RUN/train.lock`` while training, so that two processes never write one run
    folder; the operating system releases it when the holder dies, even by kill -9."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / LOCK, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            raise ResumeError(f"{run_dir} is being trained by another process (pid "
                              f"{holder}); wait for it, or stop it and resume") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield


def save(run_dir: Path, machine: Machine, config: TrainConfig, progress: dict[str, Any],
         *, data: dict[str, Any] | None = None) -> None:
    """Write the run's configuration, programs and weights into ``run_dir``."""
    write(run_dir, snapshot(machine, config, progress, data=data))


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"{path}: missing (is this a run folder written by nsr train?)")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path}: corrupt or truncated JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        found = data.get("format") if isinstance(data, dict) else None
        raise CheckpointError(f"{path}: checkpoint format {found!r}, this nsr reads "
                              f"format {FORMAT_VERSION}")
    return data


def load_config(run_dir: Path) -> TrainConfig:
    data = _read_json(Path(run_dir) / CONFIG)
    try:
        return TrainConfig.from_json({k: v for k, v in data.items() if k != "format"})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"{run_dir}/config.json: incompatible config ({exc})") from exc


def load(run_dir: Path, registry: Registry | None = None, device: str | None = None
         ) -> tuple[Machine, TrainConfig, dict[str, Any]]:
    """The machine, config and progress saved in ``run_dir``; bad files raise
    :class:`CheckpointError` naming the file and the problem. An image run's classifier
    goes to ``device`` (default: the run's); its images are attached by the caller."""
    run_dir = Path(run_dir)
    config = load_config(run_dir)
    perception = None
    if config.image is not None:
        from nsr.image_input import image_perception, with_device

        config = with_device(config, device)
        perception = image_perception(config, [])
    state, path, weights = _state_and_weights(run_dir)
    registry = registry or Registry.default()
    try:
        semantics = build_semantics(config, registry)
        semantics.load_json(state["semantics"])
        machine = Machine.create(state["vocabulary"], semantics,
                                 num_symbols=config.priors.symbol_budget,
                                 seed=config.loop.seed, hidden=config.parser_hidden,
                                 embed=config.parser_embed, distinct=False,
                                 late_left_arc=config.parser_late_left_arc,
                                 projective=config.priors.trees == "projective",
                                 perception=perception)
        machine.fallback_beam = config.fallback_beam
        machine.symbol_fallback = config.symbol_fallback
        machine.prediction_widening = config.prediction_widening
        if perception is not None:
            perception.vocab = list(state["vocabulary"])
            perception.index = {t: i for i, t in enumerate(perception.vocab)}
    except ProgramParseError as exc:
        raise CheckpointError(f"{run_dir / STATE}: incompatible state (program "
                              f"{exc.text!r}: {exc.problem} at position {exc.position})"
                              ) from exc
    except (KeyError, TypeError, ValueError, NSRError) as exc:
        raise CheckpointError(f"{run_dir / STATE}: incompatible state "
                              f"({_first_line(exc)})") from exc
    try:
        machine.parser_counts = Counter({int(s): int(n) for s, n in
                                         state.get("parser_counts", {}).items()})
    except (AttributeError, ValueError) as exc:
        raise CheckpointError(f"{run_dir / STATE}: bad parser_counts ({exc})") from exc
    try:
        machine.perception.load_state_dict(weights["perception"])
        machine.parser.load_state_dict(weights["parser"])
        machine.perception.optimizer.load_state_dict(weights["perception_optimizer"])
        machine.parser.optimizer.load_state_dict(weights["parser_optimizer"])
        machine.parser._learn_calls = int(weights["parser_learn_calls"])
    except Exception as exc:  # shapes or keys that do not fit this config
        raise CheckpointError(f"{path}: weights incompatible with {run_dir / CONFIG} "
                              f"({_first_line(exc)})") from exc
    return machine, config, state.get("progress", {})


def data_record(run_dir: Path) -> dict[str, Any]:
    """Where the run's training data came from (empty for runs that did not record it)."""
    data = _read_json(Path(run_dir) / STATE).get("data")
    return data if isinstance(data, dict) else {}


def _first_line(exc: Exception, skip: str = "") -> str:
    """The exception's first telling line: torch's messages run over many lines."""
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
    telling = [x for x in lines if not (skip and x.startswith(skip))] or lines or [""]
    text = " ".join(telling[:2]) if telling[0].endswith(":") else telling[0]
    return f"{type(exc).__name__}: {text[:300]}"


class _Mismatch(Exception):
    """The weights files do not (yet) carry the checkpoint id of ``state.json``."""


def _state_and_weights(run_dir: Path, attempts: int = 3
                       ) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    """``state.json`` and the weights it committed; retried a few times, since a
    training process may be writing the next checkpoint while we read."""
    for attempt in range(attempts):
        state = _read_json(run_dir / STATE)
        want = state.get("checkpoint_id")
        try:
            return (state, *_committed_weights(run_dir, want))
        except _Mismatch as exc:
            if attempt == attempts - 1:
                raise CheckpointError(
                    f"{run_dir / WEIGHTS}: does not belong to {run_dir / STATE} "
                    f"(checkpoint {want!r}, found {exc}); the folder mixes parts of "
                    f"different checkpoints") from None
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _committed_weights(run_dir: Path, want: str | None) -> tuple[Path, dict[str, Any]]:
    found = []
    for name in (WEIGHTS, PENDING):
        path = run_dir / name
        if name == PENDING and want is None:
            break
        weights = _read_weights(path, required=name == WEIGHTS and want is None)
        if weights is None:
            continue
        got = weights.get("checkpoint_id")
        if want is None or got == want:
            return path, weights
        found.append(f"{name}: {got!r}")
    if not found:
        raise CheckpointError(f"{run_dir / WEIGHTS}: missing")
    raise _Mismatch(", ".join(found))


def _read_weights(path: Path, required: bool) -> dict[str, Any] | None:
    try:
        weights = torch.load(path, weights_only=True, map_location="cpu")
    except FileNotFoundError:
        if required:
            raise CheckpointError(f"{path}: missing") from None
        return None
    except pickle.UnpicklingError as exc:
        raise CheckpointError(f"{path}: refused: it holds Python objects other than "
                              f"tensors and plain data, which are never unpickled "
                              f"({_first_line(exc, skip='Weights only load failed')})"
                              ) from exc
    except Exception as exc:  # torch raises many kinds on corrupt files
        raise CheckpointError(f"{path}: corrupt, truncated or not a weights file "
                              f"({_first_line(exc)})") from exc
    if not isinstance(weights, dict):
        raise CheckpointError(f"{path}: not a weights file (a {type(weights).__name__})")
    return weights


def build_semantics(config: TrainConfig, registry: Registry) -> SemanticModule:
    induction = InductionConfig(timeout=config.induction_timeout, min_fraction=0.3)
    return SemanticModule(registry, SemanticsConfig(
        primitive_sets=config.priors.primitive_sets, induction=induction,
        valueless=config.priors.valueless_symbols, invent_threshold=config.invent_threshold))
