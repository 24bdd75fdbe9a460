"""Plain functions behind ``nsr train``, ``nsr eval`` and ``nsr inspect``."""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from nsr import checkpoint
from nsr.config import TrainConfig
from nsr.errors import UnknownTokenError
from nsr.loop import train
from nsr.machine import Machine
from nsr.registry import Registry
from nsr.types import Example


def train_run(config: TrainConfig, run_dir: Path, examples: Sequence[Example], *,
              registry: Registry | None = None, resume: bool = False,
              on_event: Callable[[dict[str, Any]], None] = lambda e: None) -> dict[str, Any]:
    """Train (or resume) a run, checkpointing after every round; returns the summary.

    On Ctrl-C the last finished round's checkpoint is kept and the interrupt re-raised.
    """
    registry = registry or Registry.default()
    start_round, elapsed, schedule = 0, 0.0, {}
    if resume:
        machine, config, progress = checkpoint.load(run_dir, registry)
        start_round = progress.get("round", -1) + 1
        elapsed = progress.get("seconds", 0.0)
        schedule = progress.get("schedule", {})
        if progress.get("finished") or progress.get("solved"):
            start_round = config.loop.max_rounds
    else:
        vocab = sorted({t for e in examples for t in e.inputs})
        semantics = checkpoint.build_semantics(config, registry)
        machine = Machine.create(vocab, semantics, num_symbols=config.priors.symbol_budget,
                                 seed=config.loop.seed, hidden=config.parser_hidden,
                                 embed=config.parser_embed)
    t0 = time.monotonic() - elapsed
    progress: dict[str, Any] = {"round": start_round - 1, "seconds": elapsed}
    on_event({"event": "start", "priors": config.priors.describe(), "examples": len(examples),
              "resumed_from": start_round if resume else None})
    for event in train(machine, examples, config.loop, start_round=start_round,
                       stage_index=schedule.get("stage_index", 0),
                       in_stage=schedule.get("in_stage", 0)):
        if event["event"] == "round":
            progress = {"round": event["round"], "train_accuracy": event["accuracy"],
                        "stage": event["stage"], "schedule": event["schedule"],
                        "solved": event["solved"],
                        "seconds": round(time.monotonic() - t0, 2)}
            checkpoint.save(run_dir, machine, config, progress)
        on_event(event)
    progress["finished"] = True
    checkpoint.save(run_dir, machine, config, progress)
    return {"run": str(run_dir), **progress, "priors": config.priors.describe(),
            "peak_memory_mb": peak_memory_mb()}


def peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def evaluate(machine: Machine, examples: Sequence[Example], batch: int = 4096
             ) -> dict[str, Any]:
    """Exact-match accuracy, overall and per ``eval`` subset when examples carry one.

    An input with a token never seen in training counts as wrong and is reported."""
    t0 = time.monotonic()
    correct, unknown = 0, 0
    by_subset: Counter = Counter()
    size: Counter = Counter()
    for lo in range(0, len(examples), batch):
        chunk = examples[lo: lo + batch]
        try:
            outputs = machine.predict([e.inputs for e in chunk])
        except UnknownTokenError:
            outputs = []
            for e in chunk:
                try:
                    outputs.append(machine.predict([e.inputs])[0])
                except UnknownTokenError:
                    outputs.append(None)
                    unknown += 1
        for e, out in zip(chunk, outputs):
            ok = out is not None and out == e.target
            correct += ok
            subset = e.meta.get("eval") if e.meta else None
            if subset:
                size[subset] += 1
                by_subset[subset] += ok
    result: dict[str, Any] = {"accuracy": correct / len(examples) if examples else 0.0,
                              "n": len(examples), "correct": correct,
                              "unknown_token_inputs": unknown,
                              "seconds": round(time.monotonic() - t0, 3)}
    if size:
        result["subsets"] = {k: {"accuracy": by_subset[k] / size[k], "n": size[k]}
                             for k in sorted(size)}
    return result


def with_split(config: TrainConfig, split: str) -> TrainConfig:
    return replace(config, split=split)


def symbol_rows(machine: Machine) -> list[dict[str, Any]]:
    """One row per symbol in use: the tokens perceived as it and its program."""
    from semantics.render import render
    from semantics.typecheck import infer_type

    best = machine.perception.table().argmax(dim=-1).tolist()
    tokens: dict[int, list[str]] = {}
    for tok, s in zip(machine.perception.vocab, best):
        tokens.setdefault(s, []).append(tok)
    sem = machine.semantics
    rows = []
    for s in sorted(set(tokens) | set(sem.meanings)):
        m = sem.meanings.get(s)
        row: dict[str, Any] = {"symbol": s, "tokens": tokens.get(s, []),
                               "arity": None if m is None else m.arity,
                               "program": None if m is None else str(m.program)}
        if m is not None:
            try:
                typ = infer_type(m.program, sem.registry, sem.library)
                row["type"] = str(typ)
                row["rendered"] = render(m.program, typ, sem.library)
            except Exception:  # rendering is best effort; the program text stands
                pass
            row["explains"] = f"{m.matched:g} of {m.total:g}" if m.total else ""
        rows.append(row)
    return rows


def explain(machine: Machine, tokens: Sequence[str]):
    """The grounded symbol tree deduced for one input."""
    from nsr.gss import build

    d = machine.deduce([tuple(tokens)])[0]
    return build(tokens, d.symbols, d.tree, machine.semantics), d
