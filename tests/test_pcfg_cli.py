"""PCFG SET through the command line: official-format files, their errors, training,
evaluation and inspection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.pcfg import generate_test, generate_train
from nsr.cli import app
from semantics.literals import output_tokens

runner = CliRunner()


def _write(folder: Path, stem: str, examples: list) -> Path:
    (folder / f"{stem}.src").write_text("".join(" ".join(e.inputs) + "\n" for e in examples))
    (folder / f"{stem}.tgt").write_text("".join(" ".join(e.target) + "\n" for e in examples))
    return folder / f"{stem}.src"


def _few_functions(examples: list, most: int) -> list:
    literals = output_tokens(examples)
    return [e for e in examples if sum(t not in literals for t in e.inputs) <= most]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pcfg-files")
    test = _few_functions(generate_test("pcfgset", 600, seed=3), 2)
    train = _few_functions(generate_train("pcfgset", 6000, seed=2,
                                          exclude={" ".join(e.inputs) for e in test}), 2)
    return _write(folder, "train", train[:800]), _write(folder, "test", test)


@pytest.fixture(scope="module")
def trained(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    train, test = files
    run = tmp_path_factory.mktemp("pcfg-run") / "run"
    result = runner.invoke(app, ["train", "pcfg", "--train-file", str(train),
                                 "--test-file", str(test), "--out", str(run), "--plain"],
                           env={"NSR_DATA": ""})
    assert result.exit_code == 0, result.output
    assert '"literal_tokens": "output tokens"' in result.output  # priors are printed
    return run


def test_training_from_files_learns_the_functions(trained: Path, files) -> None:
    _, test = files
    result = runner.invoke(app, ["eval", str(trained), "--test-file", str(test), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["benchmark"] == "pcfg" and report["accuracy"] == 1.0, report
    assert report["priors"]["literal_tokens"] == "output tokens"


def test_inspect_draws_literals_under_the_functions(trained: Path) -> None:
    result = runner.invoke(app, ["inspect", str(trained), "--input",
                                 "reverse append A1 B2 , C3"])
    assert result.exit_code == 0, result.output
    assert "C3 B2 A1" in result.output and "literal" in result.output


@pytest.mark.parametrize("src, tgt, where, problem", [
    ("copy A1\ncopy B2\n", "A1\n", "train.tgt:2:", "train.src has 2 lines, train.tgt 1"),
    ("copy A1\n\ncopy B2\n", "A1\nB2\nB2\n", "train.src:2:", "empty line"),
], ids=["fewer-targets", "empty-line"])
def test_bad_official_format_files_name_the_file_and_line(
        tmp_path: Path, files, src: str, tgt: str, where: str, problem: str) -> None:
    (tmp_path / "train.src").write_text(src)
    (tmp_path / "train.tgt").write_text(tgt)
    result = runner.invoke(app, ["train", "pcfg", "--train-file", str(tmp_path / "train.src"),
                                 "--test-file", str(files[1]), "--out",
                                 str(tmp_path / "run")], env={"NSR_DATA": ""})
    assert result.exit_code == 2, result.output
    assert where in result.output and problem in result.output, result.output


def test_a_source_file_without_its_targets_is_named(tmp_path: Path, files) -> None:
    (tmp_path / "train.src").write_text("copy A1\n")
    result = runner.invoke(app, ["train", "pcfg", "--train-file", str(tmp_path / "train.src"),
                                 "--test-file", str(files[1]), "--out",
                                 str(tmp_path / "run")], env={"NSR_DATA": ""})
    assert result.exit_code == 2 and "train.tgt" in result.output, result.output
