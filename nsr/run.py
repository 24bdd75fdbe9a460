"""Plain functions behind ``nsr train``, ``nsr eval`` and ``nsr inspect``."""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import torch

from nsr import checkpoint
from nsr.config import TrainConfig
from nsr.consolidation import consolidate
from nsr.errors import ConfigError, ResumeError, UnknownTokenError
from nsr.loop import parser_label, train
from nsr.machine import Machine
from nsr.registry import Registry
from nsr.tasks import training_sample
from nsr.types import Example
from semantics.literals import Literals, output_tokens


def train_run(config: TrainConfig, run_dir: Path, examples: Sequence[Example], *,
              registry: Registry | None = None, resume: bool = False,
              on_event: Callable[[dict[str, Any]], None] = lambda e: None,
              source: dict[str, Any] | None = None,
              images: Any = None, consolidation: Sequence[Example] = (),
              max_seconds: float | None = None,
              consolidate_rounds: int | None = None) -> dict[str, Any]:
    """Train (or resume) a run, checkpointing every ``config.checkpoint_every`` rounds;
    returns the summary.

    A fresh run writes a checkpoint before its first round. Each finished round is kept
    as an in-memory snapshot; on Ctrl-C (``KeyboardInterrupt``) the last one is written,
    so a checkpoint always holds a round boundary, and the interrupt is re-raised.
    ``source`` (where the examples came from) is recorded with the examples' count and
    fingerprint; resuming on other examples raises :class:`ResumeError`, and so does a
    run folder that another process is training. ``images`` (image input) are the
    decoded images the examples' ``img:<row>`` tokens refer to.

    ``max_seconds`` ends the run after the first round that brings its training time
    (over all sessions of a resumed run) to that many seconds, like ``patience`` does:
    on the best state of the last stage where it has one. Once an image run ends, its
    perception and then its parser are consolidated on the ``consolidation``
    expressions (:mod:`nsr.consolidation`), ``consolidate_rounds`` times, each round
    checkpointed; an ended run resumed with rounds left (interrupted in one, or trained
    before they existed) has them run then, and one whose perception alone was
    consolidated (before the parser's step existed) has its parser consolidated.
    ``consolidate_rounds`` replaces the run's number of rounds (a resumed run that has
    had fewer gets the rest).
    """
    with checkpoint.exclusive(run_dir):
        return _train_run(config, run_dir, examples, registry=registry, resume=resume,
                          on_event=on_event, source=source, images=images,
                          consolidation=consolidation, max_seconds=max_seconds,
                          consolidate_rounds=consolidate_rounds)


def _train_run(config: TrainConfig, run_dir: Path, examples: Sequence[Example], *,
               registry: Registry | None, resume: bool,
               on_event: Callable[[dict[str, Any]], None],
               source: dict[str, Any] | None, images: Any = None,
               consolidation: Sequence[Example] = (),
               max_seconds: float | None = None,
               consolidate_rounds: int | None = None) -> dict[str, Any]:
    registry = registry or Registry.default()
    torch.set_num_threads(max(1, config.threads))
    examples = training_sample(examples, config.train_limit, config.loop.seed)
    if config.checkpoint_every < 1:
        raise ConfigError(f"checkpoint_every must be at least 1, got "
                          f"{config.checkpoint_every}")
    data = {**(source or {}), "examples": len(examples), "sha256": fingerprint(examples)}
    start_round, elapsed, schedule, ended = 0, 0.0, {}, None
    if resume:
        machine, stored, progress = checkpoint.load(run_dir, registry, device=(
            config.image.device if config.image else None))
        if stored.image is not None:
            machine.perception.attach(images)
        _check_same_data(run_dir, data)
        config = replace(stored, checkpoint_every=config.checkpoint_every)
        start_round = progress.get("round", -1) + 1
        elapsed = progress.get("seconds", 0.0)
        schedule = progress.get("schedule", {})
        if progress.get("finished") or progress.get("solved") or progress.get("stalled") \
                or progress.get("out_of_time"):
            start_round, ended = config.loop.max_rounds, progress
    else:
        vocab = sorted({t for e in examples for t in e.inputs})
        semantics = checkpoint.build_semantics(config, registry)
        if config.priors.literal_tokens == "output tokens":
            semantics.literals = Literals(sorted(output_tokens(examples)),
                                          first=config.priors.symbol_budget + 1)
        machine = Machine.create(vocab, semantics, num_symbols=config.priors.symbol_budget,
                                 seed=config.loop.seed, hidden=config.parser_hidden,
                                 embed=config.parser_embed,
                                 late_left_arc=config.parser_late_left_arc,
                                 projective=config.priors.trees == "projective",
                                 perception=_image_perception(config, vocab, images))
        machine.fallback_beam = config.fallback_beam
        machine.symbol_fallback = config.symbol_fallback
        machine.prediction_widening = config.prediction_widening
    if consolidate_rounds is not None:
        config = _with_consolidate_rounds(config, consolidate_rounds)
    t0 = time.monotonic() - elapsed
    stored_progress = progress if resume else {}
    progress = ended or {"round": start_round - 1, "seconds": elapsed}
    if not resume:
        shutil.rmtree(run_dir / BEST, ignore_errors=True)  # an overwritten run's best
        checkpoint.save(run_dir, machine, config, progress, data=data)
    on_event({"event": "start", "priors": config.priors.describe(), "examples": len(examples),
              "resumed_from": start_round if resume and ended is None else None,
              "ended_after": ended.get("round") if ended is not None else None})
    latest = None  # the last finished round's snapshot, until it is written
    keeps_best = config.loop.patience is not None
    measured = checkpoint.snapshot(machine, config, progress, data=data) if keeps_best \
        else None  # the state the next round measures
    if ended is None and resume and max_seconds is not None and elapsed >= max_seconds:
        progress = {**stored_progress, "out_of_time": True}
        latest = checkpoint.snapshot(machine, config, progress, data=data)
        if keeps_best:
            latest = _keep_best(run_dir, latest, progress)
            progress = _progress_of(latest)
        checkpoint.write(run_dir, latest)
        latest, start_round = None, config.loop.max_rounds
    try:
        for event in train(machine, examples, config.loop, start_round=start_round,
                           stage_index=schedule.get("stage_index", 0),
                           in_stage=schedule.get("in_stage", 0),
                           best=schedule.get("best", -1.0),
                           since_best=schedule.get("since_best", 0)):
            out_of_time = False
            if event["event"] == "round":
                seconds = round(time.monotonic() - t0, 2)
                out_of_time = (max_seconds is not None and seconds >= max_seconds
                               and not (event["solved"] or event["stalled"]))
                progress = {"round": event["round"], "train_accuracy": event["accuracy"],
                            "stage": event["stage"], "schedule": event["schedule"],
                            "solved": event["solved"], "stalled": event["stalled"],
                            **({"out_of_time": True} if out_of_time else {}),
                            "seconds": seconds}
                event = {**event, "out_of_time": out_of_time}
                latest = checkpoint.snapshot(machine, config, progress, data=data)
                ends = event["solved"] or event["stalled"] or out_of_time
                if keeps_best:
                    if event["new_best"]:
                        checkpoint.write(run_dir / BEST, checkpoint.with_progress(
                            measured, {**_progress_of(measured), "measured_accuracy":
                                       event["accuracy"], "measured_in_round": event["round"]}))
                    if event["stalled"] or out_of_time:
                        latest = _keep_best(run_dir, latest, progress)
                        progress = _progress_of(latest)
                        event = {**event, "kept": progress.get("kept")}
                    measured = latest
                if ends or (event["round"] + 1) % config.checkpoint_every == 0:
                    checkpoint.write(run_dir, latest)
                    latest = None
            on_event(event)
            if out_of_time:
                break
    except KeyboardInterrupt:
        if latest is not None:
            checkpoint.write(run_dir, latest)
        raise
    if not progress.get("finished"):  # a resumed run that had ended is left as it is
        progress["finished"] = True
        checkpoint.save(run_dir, machine, config, progress, data=data)
    image, done = config.image, progress.get("consolidated")
    while (image is not None and image.consolidate_steps > 0 and consolidation
           and _consolidation_pending(done, image)):
        # the state the run ended on (the best one where it kept it), or the one the
        # previous round of consolidation left, as written
        machine, _, progress = checkpoint.load(run_dir, registry, device=image.device)
        machine.perception.attach(images)
        parser_only = _parser_step_only(done, image)
        record = consolidate(
            machine, consolidation, image.consolidate_steps,
            parser_epochs=image.consolidate_parser_epochs,
            tree_label=partial(parser_label, config=config.loop),
            trees=image.consolidate_trees, votes=image.consolidate_votes,
            vote_uses=image.consolidate_vote_uses,
            merge_synonyms=image.consolidate_synonyms, done=done if parser_only else None)
        if parser_only:
            record = {"round": 1, "earlier": [], **record}
        else:
            earlier = [] if done is None else [*done.get("earlier", []), _one_round(done)]
            record = {**record, "round": len(earlier) + 1, "earlier": earlier}
        progress["consolidated"] = done = record
        checkpoint.save(run_dir, machine, config, progress, data=data)
        on_event({"event": "consolidated", **record, "parser_only": parser_only,
                  "rounds": image.consolidate_rounds})
    return {"run": str(run_dir), **progress, "priors": config.priors.describe(),
            "peak_memory_mb": peak_memory_mb()}


def _with_consolidate_rounds(config: TrainConfig, rounds: int) -> TrainConfig:
    if config.image is None or rounds < 1:
        raise ConfigError(f"--consolidate-rounds {rounds}: consolidation is for image "
                          f"input, and takes at least one round")
    return replace(config, image=replace(config.image, consolidate_rounds=rounds))


def _consolidation_pending(done: dict[str, Any] | None, image: Any) -> bool:
    """Whether an ended image run has consolidation left: none yet, the parser's step
    of a run consolidated before it existed, or further rounds."""
    return (done is None or _parser_step_only(done, image)
            or done.get("round", 1) < image.consolidate_rounds)


def _parser_step_only(done: dict[str, Any] | None, image: Any) -> bool:
    """Whether a run's perception was consolidated before the parser's step existed."""
    return done is not None and image.consolidate_parser_epochs > 0 and "parser" not in done


def _one_round(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("round", "earlier")}


BEST = "best"
"""``RUN/best``: with ``patience``, the checkpoint the last stage's best training
accuracy was measured on; a run that stalls ends on it."""


def _progress_of(snap: checkpoint.Snapshot) -> dict[str, Any]:
    return json.loads(snap.state)["progress"]


def _keep_best(run_dir: Path, last: checkpoint.Snapshot, progress: dict[str, Any]
               ) -> checkpoint.Snapshot:
    """A stalled run's final checkpoint: the state of its best training accuracy (from
    ``RUN/best``), with the last round's progress and a ``kept`` record of which state
    it holds. A run folder without ``best`` (written before it existed) keeps ``last``."""
    if not (run_dir / BEST / checkpoint.STATE).is_file():
        return last
    best = checkpoint.read(run_dir / BEST)
    measured = _progress_of(best)
    kept = {"after_round": measured.get("round"),
            "measured_in_round": measured.get("measured_in_round"),
            "train_accuracy": measured.get("measured_accuracy"),
            "last_train_accuracy": progress.get("train_accuracy")}
    return checkpoint.with_progress(best, {**progress, "finished": True, "kept": kept,
                                           "train_accuracy": kept["train_accuracy"]})


def _image_perception(config: TrainConfig, vocab: list[str], images: Any) -> Any:
    """Image input: the classifier, with its declared initialisation done."""
    if config.image is None:
        return None
    from nsr.image_input import image_perception

    perception = image_perception(config, vocab, images)
    perception.initialise()
    return perception


def fingerprint(examples: Sequence[Example]) -> str:
    """A SHA-256 of the examples' inputs and targets, in order."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(repr((tuple(e.inputs), e.target)).encode("utf-8") + b"\n")
    return digest.hexdigest()


def _check_same_data(run_dir: Path, data: dict[str, Any]) -> None:
    recorded = checkpoint.data_record(run_dir)
    if recorded.get("sha256") in (None, data["sha256"]):
        return
    where = ", ".join(f"{k} {recorded[k]}" for k in ("train_file", "data_dir")
                      if recorded.get(k)) or "the benchmark's own split"
    raise ResumeError(f"{run_dir}: these are not the examples the run was trained on "
                      f"({data['examples']} examples, fingerprint {data['sha256'][:12]}; "
                      f"the run recorded {recorded.get('examples')} examples, fingerprint "
                      f"{recorded['sha256'][:12]}, from {where})")


def peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def evaluate(machine: Machine, examples: Sequence[Example], batch: int = 4096
             ) -> dict[str, Any]:
    """Exact-match accuracy, overall and per ``eval`` subset when examples carry one,
    with their average, plus symbol and head accuracy and the wrong outputs' causes
    (``errors``, see :mod:`nsr.gold_metrics`) where examples carry gold fields.

    An input with a token never seen in training counts as wrong and is reported."""
    from nsr.gold_metrics import GoldTally

    t0 = time.monotonic()
    correct, unknown = 0, 0
    by_subset: Counter = Counter()
    size: Counter = Counter()
    tally = GoldTally()
    for lo in range(0, len(examples), batch):
        chunk = examples[lo: lo + batch]
        try:
            deduced: list = machine.deduce([e.inputs for e in chunk],
                                           widen=machine.prediction_widening)
        except UnknownTokenError:
            deduced = []
            for e in chunk:
                try:
                    deduced.append(machine.deduce([e.inputs], widen=machine.prediction_widening)[0])
                except UnknownTokenError:
                    deduced.append(None)
                    unknown += 1
        for e, d in zip(chunk, deduced):
            out = None if d is None else d.output
            ok = out is not None and out == e.target
            correct += ok
            tally.add(e, d, ok)
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
        result["subset_average"] = (sum(by_subset[k] / size[k] for k in size) / len(size))
    result.update(tally.result())
    return result


def with_split(config: TrainConfig, split: str) -> TrainConfig:
    return replace(config, split=split)


def symbol_rows(machine: Machine, classes: dict[str, str] | None = None
                ) -> list[dict[str, Any]]:
    """One row per symbol in use: the tokens perceived as it, its program, type, sympy
    form (numeric programs only), rendering and how many collected examples it explains.

    With ``classes`` (image input: each image token's true class), a symbol's tokens are
    summarised as the classes of its images, most frequent first (``"3 x412"``)."""
    from semantics.render import is_numeric, render, to_sympy
    from semantics.typecheck import infer_type

    best = machine.perception.table().argmax(dim=-1).tolist()
    tokens: dict[int, list[str]] = {}
    for tok, s in zip(machine.perception.vocab, best):
        tokens.setdefault(s, []).append(tok)
    if classes is not None:
        tokens = {s: [f"{c} x{n}" for c, n in Counter(classes.get(t, "?") for t in toks)
                      .most_common()] for s, toks in tokens.items()}
    sem = machine.semantics
    rows = []
    for s in sorted(set(tokens) | set(sem.meanings)):
        m = sem.meanings.get(s)
        row: dict[str, Any] = {"symbol": s, "tokens": tokens.get(s, []),
                               "arity": None if m is None else m.arity,
                               "program": None if m is None else str(m.program)}
        if m is not None and m.valueless:
            row["program"], row["valueless"] = None, True
        elif m is not None:
            try:
                typ = infer_type(m.program, sem.registry, sem.library)
                row["type"] = str(typ)
                row["rendered"] = render(m.program, typ, sem.library)
                expr = to_sympy(m.program, sem.library) if is_numeric(typ) else None
                row["sympy"] = None if expr is None else row["rendered"]
            except Exception:  # rendering is best effort; the program text stands
                pass
            row["explains"] = f"{m.matched:g} of {m.total:g}" if m.total else ""
            row["matched"], row["total"] = m.matched, m.total
        rows.append(row)
    return rows


def explain(machine: Machine, tokens: Sequence[str]):
    """The grounded symbol tree deduced for one input."""
    from nsr.gss import build

    if not tokens:
        raise ConfigError("an empty input has no tree")

    d = machine.deduce([tuple(tokens)], widen=machine.prediction_widening)[0]
    return build(tokens, d.symbols, d.tree, machine.semantics), d
