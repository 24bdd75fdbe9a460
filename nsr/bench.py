"""Training benchmarks: every split and seed trained from scratch, results to JSON.

Each (split, seed) runs in a fresh process, so its wall time and peak memory are its own.
"""

from __future__ import annotations

import multiprocessing
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import median
from typing import Any


def parse_seeds(text: str) -> list[int]:
    """``"0-4"`` -> [0, 1, 2, 3, 4]; ``"0,2"`` -> [0, 2]."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def _one(args: tuple[str, str, int, str | None]) -> dict[str, Any]:
    benchmark, split, seed, data_dir = args
    import torch

    torch.set_num_threads(1)
    from nsr.checkpoint import load
    from nsr.presets import preset
    from nsr.run import evaluate, peak_memory_mb, train_run
    from nsr.tasks import load_examples

    t0 = time.monotonic()
    config = preset(benchmark, split=split, seed=seed)
    train, test = load_examples(benchmark, split, seed=seed,
                                data_dir=Path(data_dir) if data_dir else None)
    with tempfile.TemporaryDirectory() as tmp:
        summary = train_run(config, Path(tmp) / "run", train)
        trained = time.monotonic() - t0
        machine, _, _ = load(Path(tmp) / "run")
        result = evaluate(machine, test)
    return {"benchmark": benchmark, "split": split, "seed": seed,
            "official_data": data_dir is not None and not _generated(test),
            "train_examples": len(train), "test_examples": len(test),
            "accuracy": result["accuracy"], "train_accuracy": summary.get("train_accuracy"),
            "rounds": summary.get("round", -1) + 1,
            "train_seconds": round(trained, 2),
            "wall_seconds": round(time.monotonic() - t0, 2),
            "eval_seconds": result["seconds"], "peak_memory_mb": peak_memory_mb(),
            "priors": config.priors.describe(), "subsets": result.get("subsets"),
            **{k: result[k] for k in ("subset_average", "symbol_accuracy",
                                      "symbol_accuracy_deduced", "head_accuracy",
                                      "head_accuracy_valued") if k in result}}


def _generated(test: Sequence[Any]) -> bool:
    """Whether a test set was generated (a split whose official file the data lacks)."""
    return bool(test) and (test[0].meta or {}).get("source") == "generated"


def run_in_processes(work: Callable[[Any], dict[str, Any]], jobs: Sequence[Any],
                     workers: int, progress: Callable[[dict[str, Any]], None]
                     ) -> list[dict[str, Any]]:
    """``work(job)`` for every job, ``workers`` at a time, each in a fresh process (so
    its wall time and peak memory are its own); rows in job order, each reported to
    ``progress`` as it arrives."""
    ctx = multiprocessing.get_context("spawn")
    rows = []
    with ctx.Pool(workers, maxtasksperchild=1) as pool:
        for row in pool.imap(work, jobs):
            rows.append(row)
            progress(row)
    return rows


def run_training_benchmark(benchmark: str, splits: Sequence[str], seeds: Sequence[int], *,
                           data_dir: str | None = None, workers: int = 1,
                           progress: Callable[[dict[str, Any]], None] = lambda r: None
                           ) -> dict[str, Any]:
    """Train and test every (split, seed); returns the JSON-able report."""
    jobs = [(benchmark, s, seed, data_dir) for s in splits for seed in seeds]
    rows = run_in_processes(_one, jobs, workers, progress)
    summary = {}
    for s in splits:
        mine = [r for r in rows if r["split"] == s]
        summary[s] = {"median_accuracy": median(r["accuracy"] for r in mine),
                      "min_accuracy": min(r["accuracy"] for r in mine),
                      "median_wall_seconds": median(r["wall_seconds"] for r in mine),
                      "runs": len(mine)}
    return {"benchmark": benchmark, "runs": rows, "summary": summary,
            "workers": workers, "cpu_count": multiprocessing.cpu_count(),
            "python": sys.version.split()[0], "platform": platform.platform()}
