"""Plain functions behind ``nsr inspect``: how a run's inputs are tokenised, the inputs
of an ``--inputs-file``, the run's progress in one line, and the export's header."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nsr.config import TrainConfig
from nsr.errors import DataError, NSRError
from nsr.gss import GSSNode
from nsr.machine import Machine
from nsr.run import explain
from nsr.task_run import is_task_run, run_spec
from nsr.task_spec import tokenize

Tokenizer = Callable[[str], tuple[str, ...]]


def input_tokenizer(run_dir: Path) -> Tokenizer:
    """The spec's input tokenisation for a task run; whitespace for a benchmark run."""
    how = run_spec(run_dir).input_tokens if is_task_run(run_dir) else "whitespace"
    return lambda text: tokenize(text, how)


def file_trees(machine: Machine, path: Path, tokenize: Tokenizer) -> list[GSSNode]:
    """The grounded symbol tree of every input of a file: one input per line, or a
    tab-separated file whose first column is the input. Blank lines are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, None, f"cannot read the inputs ({exc})") from exc
    trees = []
    for lineno, line in enumerate(lines, 1):
        tokens = tokenize(line.split("\t", 1)[0])
        if not tokens:
            continue
        try:
            trees.append(explain(machine, tokens)[0])
        except NSRError as exc:
            raise DataError(path, lineno, str(exc)) from exc
    if not trees:
        raise DataError(path, None, "no inputs")
    return trees


def progress_line(run_dir: Path, progress: dict[str, Any]) -> str:
    """Where the run stands: finished, or the round of its latest checkpoint."""
    round_no = progress.get("round", -1)
    acc = progress.get("train_accuracy")
    acc_text = "" if acc is None else f", train accuracy {100 * acc:.2f}%"
    if progress.get("finished"):
        return f"{run_dir}: finished after round {round_no}{acc_text}"
    if round_no is None or round_no < 0:
        return f"{run_dir}: not finished; no round checkpointed yet"
    return (f"{run_dir}: not finished (still training, or stopped): checkpoint of round "
            f"{round_no}{acc_text}")


def about(run_dir: Path, config: TrainConfig, progress: dict[str, Any],
          code: Sequence[Path]) -> dict[str, Any]:
    """The header of a programs export: which run, its priors, progress and code files."""
    return {"run": str(run_dir), "benchmark": config.benchmark, "split": config.split,
            "round": progress.get("round"), "finished": bool(progress.get("finished")),
            "priors": config.priors.describe(), "code": [str(p) for p in code]}
