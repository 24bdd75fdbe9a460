"""Loading a benchmark's training and test examples: generated, official or given files."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
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
    if benchmark == "pcfg":
        return _load_pcfg(split, seed=seed, data_dir=data_dir, train_file=train_file,
                          test_file=test_file)
    if benchmark != "scan":
        raise ConfigError(f"unknown benchmark {benchmark!r}; known: scan, pcfg, hint")
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

    def split_loader() -> tuple[Sequence[Example], Sequence[Example]]:
        parts = hint.load_split(split, data_dir=data_dir_or_env(data_dir), seed=seed)
        return parts.train, parts.test

    return _files_or_split("HINT", split, hint.SPLITS, hint.load_json, split_loader,
                           train_file, test_file)


def _load_pcfg(split: str, *, seed: int, data_dir: Path | None, train_file: Path | None,
               test_file: Path | None) -> tuple[list[Example], list[Example]]:
    """Official ``.src`` files (their ``.tgt`` beside them) where given, else the split:
    generated training data and the official test file (generated without data)."""
    from benchmarks import pcfg

    return _files_or_split(
        "PCFG SET", split, pcfg.SPLITS, pcfg.load_parallel,
        lambda: pcfg.load_split(split, data_dir=data_dir_or_env(data_dir), seed=seed),
        train_file, test_file)


def _files_or_split(name: str, split: str, splits: Sequence[str],
                    load_file: Callable[[Path], Sequence[Example]],
                    load_split: Callable[[], tuple[Sequence[Example], Sequence[Example]]],
                    train_file: Path | None, test_file: Path | None
                    ) -> tuple[list[Example], list[Example]]:
    """The given files, and the split's own data for a part no file was given for."""
    if split not in splits:
        raise ConfigError(f"unknown {name} split {split!r}; known: {', '.join(splits)}")
    train = load_file(train_file) if train_file else None
    test = load_file(test_file) if test_file else None
    if train is None or test is None:
        try:
            own_train, own_test = load_split()
        except (ValueError, FileNotFoundError) as exc:
            raise ConfigError(str(exc)) from None
        train = train if train is not None else own_train
        test = test if test is not None else own_test
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
