"""Consolidating image perception when a run ends, and ending a run by its time budget."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from nsr.errors import ConfigError
from nsr.run import train_run
from nsr.types import Example
from tests.test_hint_images import _glyphs


def _config(rounds: int, steps: int, consolidate_steps: int, consolidate_rounds: int = 1):
    from nsr.image_input import image_preset

    config = image_preset("hint", split=None, seed=0, size="image-cpu")
    return replace(config, loop=replace(config.loop, max_rounds=rounds, curriculum=(1,)),
                   image=replace(config.image, steps=steps,
                                 consolidate_steps=consolidate_steps,
                                 consolidate_rounds=consolidate_rounds))


def _examples(n: int) -> tuple[np.ndarray, list[Example]]:
    """Single glyph images, each labelled with its shape's number."""
    pixels, labels = _glyphs(n, 1)
    return pixels, [Example((f"img:{i}",), int(labels[i]), {"symbols": (str(labels[i]),)})
                    for i in range(n)]


def _trained_glyph_run(run: Path):
    """A small image run on single glyphs, unconsolidated: its machine with the images
    attached, the images and the examples."""
    from nsr import checkpoint

    torch.set_num_threads(1)
    pixels, examples = _examples(120)
    train_run(_config(rounds=3, steps=60, consolidate_steps=0), run, examples,
              images=pixels)
    machine, _, _ = checkpoint.load(run)
    machine.perception.attach(pixels)
    return machine, pixels, examples


def test_the_decaying_rate_is_restored_and_a_snapshot_restores_the_classifier() -> None:
    from perception import ImagePerception, ImagePerceptionConfig

    torch.set_num_threads(1)
    pixels, labels = _glyphs(120, 0)
    tokens = [f"img:{i}" for i in range(120)]
    p = ImagePerception(tokens, ImagePerceptionConfig(num_symbols=4, lr=2e-3), seed=0)
    p.attach(pixels)
    saved, before = p.snapshot(), p.table().clone()
    rows, targets = p.token_ids(tokens), torch.tensor(labels + 1)
    p.consolidate(rows, targets, 30)
    assert [g["lr"] for g in p.optimizer.param_groups] == [2e-3]
    assert not torch.equal(before, p.table())
    p.restore(saved)
    assert torch.equal(before, p.table())


def test_consolidation_relabels_from_explained_expressions_and_keeps_only_a_gain(
        tmp_path) -> None:
    """A run whose classifier took too few steps explains few images; consolidating on
    the expressions it explains makes it explain more. Where nothing is left to gain,
    the classifier before is kept unchanged."""
    from nsr import checkpoint
    from nsr.consolidation import consolidate, explained

    torch.set_num_threads(1)
    pixels, examples = _examples(300)
    train_run(_config(rounds=2, steps=3, consolidate_steps=0), tmp_path / "run",
              examples[:60], images=pixels)
    machine, _, _ = checkpoint.load(tmp_path / "run")
    machine.perception.attach(pixels)
    done = consolidate(machine, examples, steps=150)
    assert done["kept"] == "consolidated"
    assert done["explained_after"] > done["explained_before"] > 0
    assert done["labels"] == done["images"] == done["explained_before"] + \
        done["parsed_otherwise"] + done["read_otherwise"]
    table = machine.perception.table().clone()
    right = [e for e in examples if explained(machine, [e])]
    again = consolidate(machine, right, steps=5)  # every one is explained already
    assert again["explained_before"] == len(right) and again["kept"] == "previous"
    assert torch.equal(table, machine.perception.table())


def test_an_input_not_explained_is_labelled_by_the_cheapest_reading_giving_its_target(
        tmp_path) -> None:
    """An image read as the symbol of its shape, given the value of the symbol
    perception ranks second for it, is labelled with that symbol; an input no reading
    explains gets no label."""
    from nsr import checkpoint
    from nsr.consolidation import labelled
    from nsr.gss import evaluate
    from nsr.types import DependencyTree

    torch.set_num_threads(1)
    pixels, examples = _examples(120)
    train_run(_config(rounds=3, steps=60, consolidate_steps=0), tmp_path / "run",
              examples, images=pixels)
    machine, _, _ = checkpoint.load(tmp_path / "run")
    machine.perception.attach(pixels)
    sem = machine.semantics

    def value(symbol: int):
        return evaluate((symbol,), DependencyTree((-1,)), sem)[0]
    e = next(e for e in examples if labelled(machine, [e], readings=0).explained)
    ranked = machine.perception.log_probs(e.inputs)[0].argsort(descending=True).tolist()
    second = next(s for s in ranked[1:] if s in sem.meanings)
    assert value(second) != e.target
    moved = Example(e.inputs, value(second))
    labels = labelled(machine, [moved], readings=4)
    assert labels.explained == labels.parsed_otherwise == {}
    assert labels.read_otherwise[0].symbols == (second,)
    assert labels.read_otherwise[0].output == value(second)
    assert not labelled(machine, [Example(e.inputs, 10**6)], readings=4).every()


def test_a_run_is_consolidated_once_when_it_ends_and_on_resume_if_it_was_not(
        tmp_path) -> None:
    from nsr import checkpoint

    torch.set_num_threads(1)
    pixels, examples = _examples(200)
    events: list[dict] = []
    config = _config(rounds=2, steps=20, consolidate_steps=40)
    train_run(config, tmp_path / "run", examples[:60], images=pixels,
              consolidation=examples, on_event=events.append)
    done = [e for e in events if e["event"] == "consolidated"]
    assert len(done) == 1 and done[0]["examples"] == 200 and done[0]["steps"] == 40
    _, _, progress = checkpoint.load(tmp_path / "run")
    assert progress["finished"] and progress["consolidated"]["steps"] == 40
    events.clear()
    train_run(config, tmp_path / "run", examples[:60], images=pixels, resume=True,
              consolidation=examples, on_event=events.append)
    assert not [e for e in events if e["event"] == "consolidated"]

    train_run(config, tmp_path / "other", examples[:60], images=pixels)  # no pool given
    _, _, progress = checkpoint.load(tmp_path / "other")
    assert progress["finished"] and "consolidated" not in progress
    events.clear()
    train_run(config, tmp_path / "other", examples[:60], images=pixels, resume=True,
              consolidation=examples, on_event=events.append)
    assert [e["event"] for e in events if e["event"] != "done"] == ["start", "consolidated"]
    assert events[0]["resumed_from"] is None and events[0]["ended_after"] == 1
    _, _, progress = checkpoint.load(tmp_path / "other")
    assert progress["consolidated"]["examples"] == 200 and progress["round"] == 1


def test_max_seconds_ends_a_run_after_the_round_that_spends_it(tmp_path) -> None:
    from nsr import checkpoint
    from nsr.report import round_line

    torch.set_num_threads(1)
    pixels, examples = _examples(60)
    events: list[dict] = []
    train_run(_config(rounds=5, steps=5, consolidate_steps=0), tmp_path / "run", examples,
              images=pixels, max_seconds=0.0, on_event=events.append)
    rounds = [e for e in events if e["event"] == "round"]
    assert len(rounds) == 1 and rounds[0]["out_of_time"]
    assert "training time budget spent: stop" in round_line(rounds[0])
    _, _, progress = checkpoint.load(tmp_path / "run")
    assert progress["finished"] and progress["out_of_time"] and progress["round"] == 0


def test_resuming_a_run_already_past_max_seconds_ends_it_without_a_round(tmp_path) -> None:
    from nsr import checkpoint

    torch.set_num_threads(1)
    pixels, examples = _examples(60)
    config = _config(rounds=5, steps=5, consolidate_steps=0)

    def interrupt(event: dict) -> None:
        if event["event"] == "round":
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        train_run(config, tmp_path / "run", examples, images=pixels, on_event=interrupt)
    events: list[dict] = []
    train_run(config, tmp_path / "run", examples, images=pixels, resume=True,
              max_seconds=0.0, on_event=events.append)
    assert not [e for e in events if e["event"] == "round"]
    _, _, progress = checkpoint.load(tmp_path / "run")
    assert progress["finished"] and progress["out_of_time"] and progress["round"] == 0


def test_averaged_copies_change_predictions_reproducibly() -> None:
    from perception import ImagePerception, ImagePerceptionConfig

    torch.set_num_threads(1)
    pixels, labels = _glyphs(80, 0)
    tokens = [f"img:{i}" for i in range(80)]
    p = ImagePerception(tokens, ImagePerceptionConfig(num_symbols=4), seed=0)
    p.attach(pixels)
    p.learn([tokens], [list(labels + 1)])
    alone = p.table().clone()
    p.averaged_copies = 3  # forgets the single readings already cached
    averaged = p.table().clone()
    assert averaged.shape == alone.shape and not torch.allclose(averaged, alone)
    assert torch.allclose(averaged.exp().sum(-1), torch.ones(80))
    p._forget()
    assert torch.equal(averaged, p.table())
    p.averaged_copies = 0
    assert torch.equal(alone, p.table())
    with pytest.raises(ConfigError, match="averaged copies"):
        p.averaged_copies = -1


def _rounds_run(config, run: Path, pixels, examples, **kwargs) -> list[dict]:
    """Train (or resume) a run on 60 of ``examples``, consolidating on all of them;
    returns its consolidation events."""
    events: list[dict] = []
    on_event = kwargs.pop("on_event", lambda e: None)
    train_run(config, run, examples[:60], images=pixels, consolidation=examples,
              on_event=lambda e: (events.append(e), on_event(e)), **kwargs)
    return [e for e in events if e["event"] == "consolidated"]


def test_consolidation_runs_its_rounds_each_checkpointed_and_resumes_the_rest(
        tmp_path) -> None:
    from nsr import checkpoint
    from nsr.consolidation import consolidation_seconds
    from nsr.report import consolidation_line

    torch.set_num_threads(1)
    pixels, examples = _examples(200)
    config = _config(rounds=2, steps=20, consolidate_steps=30)
    two = _config(rounds=2, steps=20, consolidate_steps=30, consolidate_rounds=2)
    done = _rounds_run(two, tmp_path / "run", pixels, examples)
    assert [e["round"] for e in done] == [1, 2]
    assert done[1]["explained_before"] == max(done[0]["explained_after"],
                                              done[0]["parser"]["explained_after"])
    assert "(round 2 of 2)" in consolidation_line(done[1])
    _, _, progress = checkpoint.load(tmp_path / "run")
    record = progress["consolidated"]
    assert record["round"] == 2 and len(record["earlier"]) == 1
    assert "earlier" not in record["earlier"][0]
    assert consolidation_seconds(record) == round(sum(
        r["seconds"] + r["parser"]["seconds"] for r in (record, record["earlier"][0])), 2)

    done = _rounds_run(config, tmp_path / "run", pixels, examples, resume=True,
                       consolidate_rounds=3)
    assert [e["round"] for e in done] == [3]
    _, stored, progress = checkpoint.load(tmp_path / "run")
    assert stored.image.consolidate_rounds == 3
    assert len(progress["consolidated"]["earlier"]) == 2

    def stop_after_first(event: dict) -> None:
        if event["event"] == "consolidated":
            raise KeyboardInterrupt

    try:
        _rounds_run(two, tmp_path / "cut", pixels, examples, on_event=stop_after_first)
    except KeyboardInterrupt:
        pass
    _, _, progress = checkpoint.load(tmp_path / "cut")
    assert progress["consolidated"]["round"] == 1
    resumed = _rounds_run(config, tmp_path / "cut", pixels, examples, resume=True)
    assert [e["round"] for e in resumed] == [2]  # the run's own rounds, not config's
    assert not _rounds_run(config, tmp_path / "cut", pixels, examples, resume=True)


def test_consolidation_rounds_are_refused_for_symbol_input(tmp_path) -> None:
    from typer.testing import CliRunner

    from nsr.cli import app

    result = CliRunner().invoke(app, ["train", "scan", "--consolidate-rounds", "2",
                                      "--out", str(tmp_path / "run")])
    assert result.exit_code != 0
    assert "--consolidate-rounds is for image input" in result.output
    assert not (tmp_path / "run").exists()
