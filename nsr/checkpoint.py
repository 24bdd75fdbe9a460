"""Checkpoints: tensors and plain data only, written atomically, loaded without pickle.

A run folder holds ``config.json`` (the resolved configuration, priors included),
``state.json`` (format version, vocabulary, programs as text, progress) and
``weights.pt`` (perception and parser ``state_dict`` tensors, read with
``torch.load(weights_only=True)``). Each file is written to a temporary name and renamed,
so an interrupted write never leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import torch

from nsr import __version__
from nsr.config import TrainConfig
from nsr.errors import CheckpointError, NSRError
from nsr.machine import Machine
from nsr.registry import Registry
from semantics.module import SemanticModule, SemanticsConfig
from semantics.search import InductionConfig

FORMAT_VERSION = 1


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _write_json(path: Path, data: Any) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2) + "\n"))


def save(run_dir: Path, machine: Machine, config: TrainConfig, progress: dict[str, Any]
         ) -> None:
    """Write the run's configuration, programs and weights into ``run_dir``."""
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_json(run_dir / "config.json", {"format": FORMAT_VERSION, **config.to_json()})
    weights = {"perception": machine.perception.state_dict(),
               "parser": machine.parser.state_dict(),
               "perception_optimizer": machine.perception.optimizer.state_dict(),
               "parser_optimizer": machine.parser.optimizer.state_dict(),
               "parser_learn_calls": torch.tensor(machine.parser._learn_calls)}
    _atomic_write(run_dir / "weights.pt", lambda p: torch.save(weights, p))
    state = {
        "format": FORMAT_VERSION,
        "nsr_version": __version__, "torch_version": torch.__version__,
        "python": sys.version.split()[0], "platform": platform.platform(),
        "vocabulary": machine.perception.vocab,
        "parser_counts": {str(s): n for s, n in sorted(machine.parser_counts.items())},
        "semantics": machine.semantics.to_json(),
        "progress": progress,
    }
    _write_json(run_dir / "state.json", state)


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
    data = _read_json(Path(run_dir) / "config.json")
    try:
        return TrainConfig.from_json({k: v for k, v in data.items() if k != "format"})
    except (KeyError, TypeError) as exc:
        raise CheckpointError(f"{run_dir}/config.json: incompatible config ({exc})") from exc


def load(run_dir: Path, registry: Registry | None = None
         ) -> tuple[Machine, TrainConfig, dict[str, Any]]:
    """The machine, config and progress saved in ``run_dir``; bad files raise
    :class:`CheckpointError` naming the file and the problem."""
    run_dir = Path(run_dir)
    config = load_config(run_dir)
    state = _read_json(run_dir / "state.json")
    registry = registry or Registry.default()
    try:
        semantics = build_semantics(config, registry)
        semantics.load_json(state["semantics"])
        machine = Machine.create(state["vocabulary"], semantics,
                                 num_symbols=config.priors.symbol_budget,
                                 seed=config.loop.seed, hidden=config.parser_hidden,
                                 embed=config.parser_embed, distinct=False)
    except (KeyError, TypeError, ValueError, NSRError) as exc:
        raise CheckpointError(f"{run_dir}/state.json: incompatible state ({exc})") from exc
    try:
        machine.parser_counts = Counter({int(s): int(n) for s, n in
                                         state.get("parser_counts", {}).items()})
    except (AttributeError, ValueError) as exc:
        raise CheckpointError(f"{run_dir}/state.json: bad parser_counts ({exc})") from exc
    path = run_dir / "weights.pt"
    if not path.is_file():
        raise CheckpointError(f"{path}: missing")
    try:
        weights = torch.load(path, weights_only=True, map_location="cpu")
        machine.perception.load_state_dict(weights["perception"])
        machine.parser.load_state_dict(weights["parser"])
        machine.perception.optimizer.load_state_dict(weights["perception_optimizer"])
        machine.parser.optimizer.load_state_dict(weights["parser_optimizer"])
        machine.parser._learn_calls = int(weights["parser_learn_calls"])
    except Exception as exc:  # torch raises many kinds on corrupt files
        raise CheckpointError(f"{path}: corrupt, truncated or incompatible weights "
                              f"({type(exc).__name__}: {exc})") from exc
    return machine, config, state.get("progress", {})


def build_semantics(config: TrainConfig, registry: Registry) -> SemanticModule:
    induction = InductionConfig(timeout=config.induction_timeout, min_fraction=0.3)
    return SemanticModule(registry, SemanticsConfig(
        primitive_sets=config.priors.primitive_sets, induction=induction))
