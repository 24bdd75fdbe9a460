"""What a run keeps beside its checkpoint so later commands can read it back: the task
spec of a user's task, and copies of the ``--code`` files its programs may use.

``nsr train --task`` writes ``RUN/task.json`` (the resolved spec: absolute data paths,
tokenisation, priors, loop settings); any ``nsr train --code`` copies its files into
``RUN/code/``. ``nsr eval``, ``nsr inspect`` and ``nsr train --resume`` then load those
copies, so programs that call user primitives still load after the originals move.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nsr.config import TrainConfig
from nsr.errors import CheckpointError, ConfigError, NSRError
from nsr.registry import Registry
from nsr.task_spec import (TaskSpec, load_spec, read_examples, spec_from_dict,
                           train_config)
from nsr.types import Example

TASK_FILE = "task.json"
CODE_DIR = "code"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class TaskSetup:
    """Everything ``nsr train --task`` needs: spec, registry, configuration and data."""

    spec: TaskSpec
    registry: Registry
    config: TrainConfig
    train: list[Example]
    test: list[Example]
    code: tuple[Path, ...]


def registry_with(code: Sequence[Path]) -> Registry:
    """The default registry plus the primitives of each code file."""
    registry = Registry.default()
    for path in code:
        registry.load_code_file(path)
    return registry


def prepare(spec_path: Path, code: Sequence[Path] = (), seed: int | None = None
            ) -> TaskSetup:
    """Read a spec, its code files (the spec's and ``code``) and its data."""
    spec = load_spec(spec_path)
    files = _unique([*spec.code, *code])
    registry = registry_with(files)
    check_sets(spec, registry)
    train = read_examples(spec.train, spec)
    test = read_examples(spec.test, spec)
    return TaskSetup(spec, registry, train_config(spec, train, seed), train, test, files)


def check_sets(spec: TaskSpec, registry: Registry) -> None:
    """Every primitive set the spec names must exist once its code is loaded."""
    known = sorted({s for p in registry for s in p.sets})
    unknown = [s for s in spec.primitive_sets
               if s not in known and s not in registry]
    if unknown:
        raise ConfigError(f"{spec.source}: priors.primitive_sets: unknown set(s) "
                          f"{', '.join(unknown)}; known sets: {', '.join(known)} (a --code "
                          "file or a code = [...] entry adds sets)")


def record(run_dir: Path, spec: TaskSpec | None, code: Sequence[Path]) -> None:
    """Write ``task.json`` (for a task) and copy the code files into the run folder."""
    run_dir = Path(run_dir)
    folder = run_dir / CODE_DIR
    if folder.is_dir():
        for old in folder.glob("*.py"):
            old.unlink()
    if spec is None and not code:
        return
    run_dir.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(code):
        folder.mkdir(exist_ok=True)
        shutil.copyfile(path, folder / f"{i:03d}_{Path(path).name}")
    if spec is not None:
        data = {"format": FORMAT_VERSION, "spec_file": str(spec.source.resolve()),
                "spec": {**spec.to_json(), "code": []},
                "code_sources": [str(Path(p).resolve()) for p in code]}
        tmp = run_dir / (TASK_FILE + ".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, run_dir / TASK_FILE)


def run_code(run_dir: Path) -> list[Path]:
    """The code files copied into a run folder, in the order they were given."""
    folder = Path(run_dir) / CODE_DIR
    return sorted(folder.glob("*.py")) if folder.is_dir() else []


def run_registry(run_dir: Path, code: Sequence[Path] | None = None) -> Registry:
    """The registry a run's programs need: ``code`` if given, else the run's copies."""
    return registry_with(list(code) if code else run_code(run_dir))


def is_task_run(run_dir: Path) -> bool:
    return (Path(run_dir) / TASK_FILE).is_file()


def run_spec(run_dir: Path) -> TaskSpec:
    """The spec a task run was trained with (its data files are not checked here)."""
    path = Path(run_dir) / TASK_FILE
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT_VERSION:
            raise CheckpointError(f"{path}: format {data.get('format')!r}, this nsr reads "
                                  f"format {FORMAT_VERSION}")
        return spec_from_dict(data["spec"], Path(data["spec_file"]), check_files=False)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{path}: corrupt or incompatible ({exc})") from exc
    except ConfigError as exc:
        raise CheckpointError(f"{path}: incompatible spec ({exc})") from exc


def task_test_set(run_dir: Path, test_file: Path | None = None) -> list[Example]:
    """A task run's test set: its spec's test file, or ``test_file`` read the same way."""
    spec = run_spec(run_dir)
    return read_examples(test_file or spec.test, spec)


def resume(run_dir: Path, code: Sequence[Path] | None = None) -> TaskSetup:
    """A task run's spec, registry and data, to continue training it."""
    from nsr.checkpoint import load_config

    spec = run_spec(run_dir)
    try:
        train = read_examples(spec.train, spec)
        test = read_examples(spec.test, spec)
    except NSRError as exc:
        raise ConfigError(f"resuming {run_dir}: {exc}") from exc
    files = tuple(code) if code else tuple(run_code(run_dir))
    return TaskSetup(spec, registry_with(files), load_config(run_dir), train, test, files)


def _unique(paths: Sequence[Path]) -> tuple[Path, ...]:
    seen, out = set(), []
    for p in paths:
        key = Path(p).resolve()
        if key not in seen:
            seen.add(key)
            out.append(Path(p))
    return tuple(out)
