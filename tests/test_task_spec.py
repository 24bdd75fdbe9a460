"""Task specs (``nsr train --task``): every field checked, errors naming the file, the
field or the line; data files read with the spec's tokenisation; the run's configuration;
what a run folder records so that eval and inspect can load it later."""

from __future__ import annotations

import importlib.metadata
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nsr.cli import app
from nsr.errors import ConfigError, DataError
from nsr.registry import Registry, primitive
from nsr.task_run import check_sets, prepare, record, registry_with, run_code, run_spec
from nsr.task_spec import (curriculum_stages, load_spec, read_examples, spec_from_dict,
                           train_config)

pytestmark = pytest.mark.issue(7)
runner = CliRunner()

OPS = '''
from nsr.registry import primitive

@primitive("biggest", sets={"mine"})
def biggest(x: int, y: int) -> int:
    """The larger of x and y."""
    return max(x, y)
'''


def make_task(folder: Path, spec: str | None = None, train: str = "1\t1\n1 max 2\t2\n",
              test: str = "2 max 1\t2\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.tsv").write_text(train)
    (folder / "test.tsv").write_text(test)
    (folder / "ops.py").write_text(OPS)
    path = folder / "task.toml"
    path.write_text(spec if spec is not None else SPEC)
    return path


SPEC = '''
name = "biggest"
code = ["ops.py"]

[data]
train = "train.tsv"
test = "test.tsv"
output = "int"

[priors]
primitive_sets = ["nat", "mine"]
symbol_budget = 8
'''


def spec_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_spec(make_task(tmp_path, text))
    return str(info.value)


def test_a_spec_resolves_paths_from_its_folder_and_fills_defaults(tmp_path: Path) -> None:
    spec = load_spec(make_task(tmp_path / "t"))
    assert spec.train == (tmp_path / "t" / "train.tsv").resolve()
    assert spec.code == ((tmp_path / "t" / "ops.py").resolve(),)
    assert (spec.name, spec.output, spec.input_tokens) == ("biggest", "int", "whitespace")
    assert spec.primitive_sets == ("nat", "mine") and spec.curriculum == "length"


@pytest.mark.parametrize("text, expect", [
    (SPEC + "colour = 3\n", "colour: unknown field"),
    (SPEC.replace("output =", "outptu ="), "data.outptu: unknown field"),
    (SPEC + "[loop]\nmax_round = 3\n", "loop.max_round: unknown field"),
    (SPEC + "[loop]\nseed = 3\n", "loop.seed: the seed is not part of the task"),
    (SPEC + "[model]\nparser_hidden = 'big'\n", "model.parser_hidden: expected an integer"),
    (SPEC.replace("symbol_budget = 8", "symbol_budget = '8'"),
     "priors.symbol_budget: expected an integer, got '8'"),
    (SPEC.replace("symbol_budget = 8", "symbol_budget = true"),
     "priors.symbol_budget: expected an integer"),
    (SPEC.replace("symbol_budget = 8", "symbol_budget = 0"), "priors.symbol_budget: must"),
    (SPEC.replace('"int"', '"float"'), "data.output: 'float' is not one of 'int', 'tokens'"),
    (SPEC.replace('output = "int"', 'output = "int"\ninput_tokens = "words"'),
     "data.input_tokens: 'words' is not one of"),
    (SPEC.replace('test = "test.tsv"', ""), "data.test: missing"),
    (SPEC.replace('train = "train.tsv"', 'train = "nope.tsv"'), "data.train: no such file"),
    (SPEC.replace('["ops.py"]', '["gone.py"]'), "code[0]: no such file"),
    (SPEC.replace('["nat", "mine"]', '"nat"'), "priors.primitive_sets: expected an array"),
    (SPEC.replace('["nat", "mine"]', '["nat", 3]'),
     "priors.primitive_sets[1]: expected a string"),
    (SPEC.replace('["nat", "mine"]', "[]"), "priors.primitive_sets: empty"),
    (SPEC + 'curriculum = "fast"\n', "priors.curriculum: 'fast' is not one of"),
    (SPEC + "curriculum = [3, 1]\n", "priors.curriculum: stage lengths must be"),
    (SPEC + "[loop]\nexhaustive_len = 9\n", "loop.exhaustive_len: at most 6"),
    (SPEC + "[loop]\nmax_rounds = -1\n", "loop.max_rounds: must not be negative"),
    (SPEC + "[loop]\ntarget_accuracy = 2\n", "loop.target_accuracy: must lie between"),
    (SPEC.replace('name = "biggest"', 'name = "a/b"'), "name: 'a/b' cannot name"),
    ("[data\n", "not valid TOML"),
    ("[data]\n", "priors: missing section"),
])
def test_a_bad_spec_names_the_file_and_the_field(tmp_path: Path, text: str,
                                                  expect: str) -> None:
    message = spec_error(tmp_path, text)
    assert expect in message
    assert str(tmp_path / "task.toml") in message


def test_a_missing_spec_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such task spec"):
        load_spec(tmp_path / "absent.toml")


def test_loop_and_model_fields_reach_the_configuration(tmp_path: Path) -> None:
    spec = load_spec(make_task(tmp_path, SPEC + "curriculum = [1]\n[loop]\nmax_rounds = 7\n"
                               "reestimate_len = 2\n[model]\ninduction_timeout = 2\n"))
    config = train_config(spec, read_examples(spec.train, spec), seed=3)
    assert (config.benchmark, config.split) == ("task", "biggest")
    assert config.loop.max_rounds == 7 and config.loop.reestimate_len == 2
    assert config.loop.seed == 3 and config.induction_timeout == 2.0
    assert config.loop.curriculum == (1, 3)
    assert config.priors.curriculum == "lengths 1"
    assert config.priors.primitive_sets == ("nat", "mine")


def test_integer_tasks_reestimate_only_single_tokens_by_default(tmp_path: Path) -> None:
    spec = load_spec(make_task(tmp_path))
    assert train_config(spec, read_examples(spec.train, spec)).loop.reestimate_len == 1
    tokens = spec_from_dict({"data": {"train": "train.tsv", "test": "test.tsv",
                                      "output": "tokens"},
                             "priors": {"primitive_sets": ["list"]}}, spec.source)
    examples = read_examples(tokens.train, tokens)
    assert train_config(tokens, examples).loop.reestimate_len == 3


def test_a_budget_below_the_vocabulary_is_refused(tmp_path: Path) -> None:
    spec = load_spec(make_task(tmp_path, SPEC.replace("symbol_budget = 8",
                                                      "symbol_budget = 2")))
    with pytest.raises(ConfigError, match="priors.symbol_budget: 2 is smaller than the 3"):
        train_config(spec, read_examples(spec.train, spec))


@pytest.mark.parametrize("choice, lengths, stages", [
    ("length", [1, 3, 3, 5], (1, 3, 5)),
    ("length", [2, 9, 30], (2, 12, 30)),
    ("none", [1, 3, 5], (5,)),
    ((1, 3), [1, 3, 5], (1, 3, 5)),
    ((2, 4, 8), [1, 3], (2, 3)),
])
def test_curriculum_stages_each_add_examples_and_the_last_covers_all(
        choice, lengths: list[int], stages: tuple[int, ...]) -> None:
    assert curriculum_stages(choice, lengths) == stages


@pytest.mark.parametrize("line, problem", [
    ("1 max 2", "expected input<TAB>output, found 1 tab-separated fields"),
    ("1\t2\t3", "found 3 tab-separated fields"),
    ("1 max 2\tthree", "output 'three' is not a natural number"),
    ("1 max 2\t-1", "output '-1' is not a natural number"),
    ("  \t2", "the input has no tokens"),
])
def test_a_bad_data_line_names_the_file_and_the_line(tmp_path: Path, line: str,
                                                     problem: str) -> None:
    spec = load_spec(make_task(tmp_path, train=f"1\t1\n\n{line}\n"))
    with pytest.raises(DataError) as info:
        read_examples(spec.train, spec)
    assert (info.value.path, info.value.line) == (str(spec.train), 3)
    assert problem in str(info.value)


def test_undecodable_and_empty_data_files_are_named(tmp_path: Path) -> None:
    spec = load_spec(make_task(tmp_path, train="\n"))
    with pytest.raises(DataError, match="no examples"):
        read_examples(spec.train, spec)
    spec.train.write_bytes(b"\xff\xfe1\t1\n")
    with pytest.raises(DataError, match="not UTF-8"):
        read_examples(spec.train, spec)


def test_chars_and_token_outputs(tmp_path: Path) -> None:
    text = SPEC.replace('output = "int"', 'output = "tokens"\ninput_tokens = "chars"\n'
                        'output_tokens = "chars"')
    spec = load_spec(make_task(tmp_path, text, train="ab c\tx y\ncba\t\n"))
    examples = read_examples(spec.train, spec)
    assert [(e.inputs, e.target) for e in examples] == [
        (("a", "b", "c"), ("x", "y")), (("c", "b", "a"), ())]


def test_primitive_sets_must_exist_once_code_is_loaded(tmp_path: Path) -> None:
    path = make_task(tmp_path, SPEC.replace('code = ["ops.py"]', ""))
    spec = load_spec(path)
    with pytest.raises(ConfigError, match="priors.primitive_sets: unknown set.s. mine"):
        check_sets(spec, Registry.default(entry_points=False))
    setup = prepare(path, [tmp_path / "ops.py"])
    assert setup.registry.get("biggest").sets == {"mine"}
    assert [e.target for e in setup.test] == [2]


def test_a_set_shipped_through_an_entry_point_can_be_named(tmp_path: Path,
                                                           monkeypatch) -> None:
    module = types.ModuleType("nsr_test_shipped_ops")

    @primitive("shipped_max", sets={"shipped"})
    def shipped_max(x: int, y: int) -> int:
        """The larger of x and y."""
        return max(x, y)

    module.shipped_max = shipped_max
    monkeypatch.setitem(sys.modules, "nsr_test_shipped_ops", module)
    point = importlib.metadata.EntryPoint("shipped", "nsr_test_shipped_ops",
                                          "nsr.primitives")
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda **kw: [point] if kw.get("group") == "nsr.primitives" else [])
    spec = load_spec(make_task(tmp_path, SPEC.replace('"mine"', '"shipped"')
                               .replace('code = ["ops.py"]', "")))
    check_sets(spec, Registry.default())


def test_a_run_folder_records_the_spec_and_copies_the_code(tmp_path: Path) -> None:
    setup = prepare(make_task(tmp_path / "task"))
    run = tmp_path / "run"
    record(run, setup.spec, setup.code)
    (tmp_path / "task" / "ops.py").unlink()  # the run keeps its own copy
    assert [p.name for p in run_code(run)] == ["000_ops.py"]
    assert "biggest" in registry_with(run_code(run))
    again = run_spec(run)
    assert again.to_json() == {**setup.spec.to_json(), "code": []}
    record(run, None, [])
    assert run_code(run) == []


def test_cli_refuses_a_bad_spec_with_exit_code_2(tmp_path: Path) -> None:
    path = make_task(tmp_path, SPEC.replace("symbol_budget = 8", "symbol_budget = 'x'"))
    result = runner.invoke(app, ["train", "--task", str(path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "priors.symbol_budget: expected an integer" in result.output


def test_cli_refuses_benchmark_options_with_a_task(tmp_path: Path) -> None:
    path = make_task(tmp_path)
    result = runner.invoke(app, ["train", "--task", str(path), "--split", "length"])
    assert result.exit_code == 2
    assert "--task (or resuming a task run) takes its data from the spec" in result.output


def test_cli_names_the_data_line(tmp_path: Path) -> None:
    path = make_task(tmp_path, test="2 max 1\t2\n2 max\n")
    result = runner.invoke(app, ["train", "--task", str(path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'test.tsv'}:2: expected input<TAB>output" in result.output
