"""Loading a benchmark's training and test examples: generated, official or given files."""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from pathlib import Path

from nsr.errors import ConfigError
from nsr.types import Example


def data_dir_or_env(data_dir: Path | None) -> Path | None:
    if data_dir is not None:
        return data_dir
    env = os.environ.get("NSR_DATA")
    return Path(env) if env else None


def load_examples(benchmark: str, split: str, *, seed: int = 0, data_dir: Path | None = None,
                  train_file: Path | None = None, test_file: Path | None = None
                  ) -> tuple[list[Example], list[Example]]:
    """(train, test) for a benchmark split; explicit files override the split's files."""
    if benchmark == "hint":
        return _load_hint(split, seed=seed, data_dir=data_dir, train_file=train_file,
                          test_file=test_file)
    if benchmark != "scan":
        raise ConfigError(f"benchmark {benchmark!r} cannot be trained yet; known: scan, hint")
    from benchmarks import scan

    if train_file is not None or test_file is not None:
        train = scan.load_file(train_file) if train_file else []
        test = scan.load_file(test_file) if test_file else []
        if train_file is None or test_file is None:
            gen_train, gen_test = scan.load_split(split, data_dir=data_dir_or_env(data_dir),
                                                  seed=seed)
            train = train or gen_train
            test = test or gen_test
        return train, test
    if split not in scan.SPLITS:
        raise ConfigError(f"unknown SCAN split {split!r}; known: {', '.join(scan.SPLITS)}")
    return scan.load_split(split, data_dir=data_dir_or_env(data_dir), seed=seed)


def _load_hint(split: str, *, seed: int, data_dir: Path | None, train_file: Path | None,
               test_file: Path | None) -> tuple[list[Example], list[Example]]:
    from benchmarks import hint

    if split not in hint.SPLITS:
        raise ConfigError(f"unknown HINT split {split!r}; known: {', '.join(hint.SPLITS)}")
    train = hint.load_json(train_file) if train_file else None
    test = hint.load_json(test_file) if test_file else None
    if train is None or test is None:
        try:
            splits = hint.load_split(split, data_dir=data_dir_or_env(data_dir), seed=seed)
        except (ValueError, FileNotFoundError) as exc:
            raise ConfigError(str(exc)) from None
        train = train if train is not None else splits.train
        test = test if test is not None else splits.test
    return list(train), list(test)


def training_sample(examples: Sequence[Example], limit: int | None, seed: int
                    ) -> list[Example]:
    """All examples if ``limit`` is ``None``; else a seeded sample of ``limit`` examples,
    which keeps the file's mix of lengths, without repeated inputs (they teach nothing
    new, and a sample keeps rounds short)."""
    if limit is None:
        return list(examples)
    chosen = (list(examples) if len(examples) <= limit
              else random.Random(seed).sample(list(examples), limit))
    seen: dict[tuple, Example] = {}
    for e in chosen:
        seen.setdefault(tuple(e.inputs), e)
    return list(seen.values())
