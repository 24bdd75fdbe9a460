"""HINT from images as a benchmark: each seed trained and tested in a process of its own,
its run folder kept, the figures written to JSON.

A row holds where the run trained (device and GPU name), how it ended, its training and
consolidation time, its wall time to the end of consolidation (``wall_seconds``) and
through evaluation (``total_seconds``), the test accuracy per subset with symbol and
head accuracy and the wrong outputs' causes, peak CPU and GPU memory, and the run's
symbols as ``nsr inspect`` shows them (each symbol's program and the true classes of the
training images read as it), so a run whose folder is lost can still be examined. A
seed whose run folder already holds a run is resumed, so a benchmark that was
interrupted (or a run's ``--max-seconds`` spent over several sessions) goes on where it
stopped. Each seed's row is also written as soon
as it is tested (``RUNS/seedS.json``, and a ``tested:`` line ending ``RUNS/seedS.log``),
so the seeds that finished keep their figures when the batch does not reach its end.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median
from typing import Any


@dataclass(frozen=True)
class ImageJob:
    """One seed's run: configuration ``size`` (``image`` or ``image-cpu``) on ``device``;
    ``threads``: torch's CPU threads at evaluation (training uses the run's own)."""

    seed: int
    size: str
    device: str
    data_dir: str
    runs_dir: str
    threads: int
    max_seconds: float | None
    averaged_copies: int


def _log_events(path: Path) -> Callable[[dict[str, Any]], None]:
    from nsr.report import consolidation_line, round_line

    def log(event: dict[str, Any]) -> None:
        if event["event"] == "start":
            line = f"priors: {json.dumps(event['priors'])}"
        elif event["event"] == "round":
            line = round_line(event)
        elif event["event"] == "consolidated":
            line = consolidation_line(event)
        else:
            return
        with path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
    return log


def _gpu(device: str) -> dict[str, Any]:
    import torch

    if not device.startswith("cuda"):
        return {}
    return {"gpu": torch.cuda.get_device_name(device),
            "peak_gpu_memory_mb": round(torch.cuda.max_memory_allocated(device) / 2**20, 1)}


def run_image_seed(job: ImageJob) -> dict[str, Any]:
    """Train (or resume) and test one seed; returns its JSON row."""
    import torch

    from nsr.checkpoint import load
    from nsr.consolidation import consolidation_seconds
    from nsr.image_input import (image_classes, image_consolidation_sample, image_preset,
                                 image_training_sample, load_image_data, with_device)
    from nsr.run import evaluate, peak_memory_mb, symbol_rows, train_run

    t0 = time.monotonic()
    run_dir = Path(job.runs_dir) / f"seed{job.seed}"
    resume = (run_dir / "state.json").is_file()
    config = with_device(image_preset("hint", split=None, seed=job.seed, size=job.size),
                         job.device)
    data = load_image_data(Path(job.data_dir))
    loaded = time.monotonic() - t0
    summary = train_run(config, run_dir, image_training_sample(data.train, config),
                        resume=resume, on_event=_log_events(run_dir.with_suffix(".log")),
                        source={"data_dir": job.data_dir, "train_file": None,
                                "test_file": None}, images=data.pixels,
                        consolidation=image_consolidation_sample(data.train, config),
                        max_seconds=job.max_seconds)
    trained = time.monotonic() - t0
    torch.set_num_threads(job.threads)  # training set the run's own (config.threads)
    machine, _, _ = load(run_dir, device=job.device)
    machine.perception.attach(data.pixels)
    symbols = symbol_rows(machine, image_classes(data.train))  # the run's own reading
    machine.perception.averaged_copies = job.averaged_copies
    result = evaluate(machine, data.test)
    consolidated = summary.get("consolidated") or {}
    row = {"seed": job.seed, "configuration": job.size, "device": job.device,
            **_gpu(job.device), "threads": job.threads, "resumed": resume,
            "run": str(run_dir), "rounds": summary.get("round", -1) + 1,
            "stage": summary.get("stage"), "ended": _ending(summary),
            "train_accuracy": summary.get("train_accuracy"),
            "kept": summary.get("kept"),
            "training_seconds": summary.get("seconds"),
            "consolidation_seconds": consolidation_seconds(consolidated),
            "consolidated": consolidated or None,
            "data_seconds": round(loaded, 2), "wall_seconds": round(trained, 2),
            "averaged_copies": job.averaged_copies,
            "eval_seconds": result["seconds"], "test_examples": result["n"],
            "subset_average": result.get("subset_average"),
            "accuracy": result["accuracy"],
            "subsets": {k: v["accuracy"] for k, v in result.get("subsets", {}).items()},
            **{k: result[k] for k in ("symbol_accuracy", "symbol_accuracy_deduced",
                                      "head_accuracy_valued", "errors") if k in result},
            "peak_memory_mb": peak_memory_mb(),
            "total_seconds": round(time.monotonic() - t0, 2), "symbols": symbols}
    _record(row, run_dir)
    return row


def _record(row: dict[str, Any], run_dir: Path) -> None:
    """Write ``row`` beside the run folder and end its log with the test figures."""
    run_dir.with_suffix(".json").write_text(json.dumps(row, indent=1) + "\n",
                                            encoding="utf-8")

    def percent(key: str) -> str:
        value = row.get(key)
        return "-" if value is None else f"{value:.2%}"

    line = (f"tested: subset average {percent('subset_average')}, symbol accuracy "
            f"{percent('symbol_accuracy')}, {row['test_examples']} expressions in "
            f"{row['eval_seconds']:.1f}s; training {row['training_seconds']}s "
            f"(ended by {row['ended']})")
    with run_dir.with_suffix(".log").open("a", encoding="utf-8") as f:
        f.write(line + "\n")


def _ending(summary: dict[str, Any]) -> str:
    for key, name in (("solved", "target"), ("stalled", "patience"),
                      ("out_of_time", "max-seconds")):
        if summary.get(key):
            return name
    return "max-rounds"


def run_image_benchmark(jobs: Sequence[ImageJob], *, workers: int = 1,
                        progress: Callable[[dict[str, Any]], None] = lambda r: None
                        ) -> dict[str, Any]:
    """Run ``jobs`` ``workers`` at a time, each in a fresh process; the JSON report."""
    from nsr.bench import run_in_processes

    return image_report(jobs, run_in_processes(run_image_seed, jobs, workers, progress),
                        workers)


def image_report(jobs: Sequence[ImageJob], rows: Sequence[dict[str, Any]],
                 workers: int) -> dict[str, Any]:
    """The JSON report of ``rows`` (one per job): runs, summary, priors, machine."""
    import torch

    from nsr.image_input import image_preset

    first = jobs[0]
    config = image_preset("hint", split=None, seed=first.seed, size=first.size)
    averages = [r["subset_average"] for r in rows]
    return {"benchmark": "hint", "input": first.size, "device": first.device,
            "gpu": rows[0].get("gpu"), "workers": workers,
            "jobs": [asdict(j) for j in jobs], "runs": list(rows),
            "summary": {"median_subset_average": median(averages),
                        "min_subset_average": min(averages),
                        "median_symbol_accuracy": median(r["symbol_accuracy"] for r in rows),
                        "median_wall_seconds": median(r["wall_seconds"] for r in rows),
                        "runs": len(rows)},
            "priors": config.priors.describe(), "image_config": asdict(config.image),
            "cpu_count": multiprocessing.cpu_count(), "torch": torch.__version__,
            "python": sys.version.split()[0], "platform": platform.platform()}
