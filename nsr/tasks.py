"""Loading a benchmark's training and test examples: generated, official or given files."""

from __future__ import annotations

import os
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
    if benchmark != "scan":
        raise ConfigError(f"benchmark {benchmark!r} cannot be trained yet; known: scan")
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
