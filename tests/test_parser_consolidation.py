"""Consolidating the parser once an image run ends: trees another parse gives, training
on the sample's trees, keeping only a gain, and runs consolidated before the step."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import torch

from nsr.consolidation import consolidate_parser, explained, labelled
from nsr.machine import Machine
from nsr.registry import Registry
from nsr.types import DependencyTree, Example
from semantics.module import SemanticModule, SemanticsConfig
from semantics.program import parse_program

DIGITS = [str(d) for d in range(1, 10)]


def _arithmetic_machine(seed: int) -> Machine:
    """Word perception with every symbol's program set; the parser has seen only
    ``a op b``, so it reads longer inputs left to right, whatever the operators."""
    sem = SemanticModule(Registry.default(), SemanticsConfig(primitive_sets=("nat",)))
    vocab = DIGITS + ["+", "*"]
    machine = Machine.create(vocab, sem, num_symbols=20, seed=seed)
    programs = {"+": "(lambda 2 (add $0 $1))", "*": "(lambda 2 (mul $0 $1))"}
    for token in vocab:
        symbol = machine.symbols_of([[token]])[0][0]
        sem.set_program(symbol, parse_program(programs.get(token, token)))
    short = [machine.symbols_of([e.inputs[:3]])[0] for e in _expressions(40, seed)]
    machine.parser.learn(short, [DependencyTree((1, -1, 1))] * len(short), epochs=5)
    return machine


def _expressions(n: int, seed: int) -> list[Example]:
    """``a op b op c``, valued with ``*`` before ``+``."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        tokens = [rng.choice(DIGITS), rng.choice("+*"), rng.choice(DIGITS),
                  rng.choice("+*"), rng.choice(DIGITS)]
        out.append(Example(tuple(tokens), eval("".join(tokens))))
    return out


def test_other_parses_label_inputs_and_training_on_them_explains_more() -> None:
    torch.set_num_threads(1)
    machine = _arithmetic_machine(seed=0)
    examples = _expressions(300, seed=0)
    labels = labelled(machine, examples, readings=0, trees=64)
    assert labels.parsed_otherwise and not labels.read_otherwise
    assert len(labels.explained) < len(examples)
    for i, d in labels.every().items():
        assert d.output == examples[i].target
    for i, d in labels.parsed_otherwise.items():
        assert d.symbols == machine.symbols_of([examples[i].inputs])[0]
    before = explained(machine, examples)
    assert before == len(labels.explained)
    done = consolidate_parser(machine, examples, labels, epochs=20,
                              tree_label=lambda tree, _: tree)
    assert done["kept"] == "consolidated" and done["explained_before"] == before
    assert done["trees"] == len(labels.every())
    assert done["explained_after"] == explained(machine, examples) > before
    assert done["explained_after"] > 0.9 * len(examples)
    assert machine.parser_counts  # the parser's counts are the sample's


def test_a_parser_step_that_gains_nothing_is_undone() -> None:
    torch.set_num_threads(1)
    machine = _arithmetic_machine(seed=1)
    examples = _expressions(200, seed=1)
    labels = labelled(machine, examples, readings=0, trees=64)
    weights = {k: v.clone() for k, v in machine.parser.state_dict().items()}
    calls = machine.parser._learn_calls
    # teach every tree flat: each symbol hangs from the root word, which gains nothing
    done = consolidate_parser(
        machine, examples, labels, epochs=5,
        tree_label=lambda tree, _: DependencyTree(tuple(-1 if h == -1 else tree.root
                                                        for h in tree.heads)))
    assert done["kept"] == "previous"
    assert done["explained_after"] <= done["explained_before"]
    assert machine.parser._learn_calls == calls
    for k, v in machine.parser.state_dict().items():
        assert torch.equal(v, weights[k])
    assert explained(machine, examples) == len(labels.explained)


def test_a_run_consolidated_before_the_parser_step_gets_it_on_resume(tmp_path) -> None:
    from nsr import checkpoint
    from nsr.run import train_run
    from tests.test_consolidation import _config, _examples

    torch.set_num_threads(1)
    pixels, examples = _examples(200)
    config = _config(rounds=2, steps=20, consolidate_steps=30)
    config = replace(config, image=replace(config.image, consolidate_parser_epochs=0))
    train_run(config, tmp_path / "run", examples[:60], images=pixels,
              consolidation=examples)
    _, _, progress = checkpoint.load(tmp_path / "run")
    perception_step = progress["consolidated"]
    assert "parser" not in perception_step
    stored = json.loads((tmp_path / "run" / "config.json").read_text())
    del stored["image"]["consolidate_parser_epochs"]  # as a run written before the step
    (tmp_path / "run" / "config.json").write_text(json.dumps(stored))
    events: list[dict] = []
    train_run(config, tmp_path / "run", examples[:60], images=pixels, resume=True,
              consolidation=examples, on_event=events.append)
    done = [e for e in events if e["event"] == "consolidated"]
    assert len(done) == 1 and done[0]["parser_only"]
    _, _, progress = checkpoint.load(tmp_path / "run")
    record = progress["consolidated"]
    assert record["parser"]["epochs"] == 2
    assert {k: v for k, v in record.items() if k != "parser"} == perception_step
    from nsr.report import consolidation_line
    line = consolidation_line(done[0])
    assert line.startswith("consolidated parser:") and "\n" not in line
