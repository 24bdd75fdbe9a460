"""``nsr inspect``: the symbols table with sympy forms, trees of inputs, exports of trees
(CoNLL, read back with nltk) and programs (JSON), runs still training, and task runs
whose programs use a ``--code`` primitive, evaluated and inspected later."""

from __future__ import annotations

import re

import json
import shutil
from pathlib import Path

import pytest
from nltk.parse.dependencygraph import DependencyGraph
from typer.testing import CliRunner

from nsr.cli import app
from nsr.export import conll, dependency_graph, value_text
from nsr.gss import GSSNode
from nsr.run import train_run
from nsr.task_run import prepare

pytestmark = pytest.mark.issue(7)
runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "modulo"


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the modulo example, so that moving its files harms no one."""
    folder = tmp_path_factory.mktemp("modulo")
    for name in ("task.toml", "train.tsv", "test.tsv", "ops.py"):
        shutil.copy(EXAMPLE / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def run(task: Path) -> Path:
    out = task.parent / "run"
    result = runner.invoke(app, ["train", "--task", str(task / "task.toml"), "--code",
                                 str(task / "ops.py"), "--out", str(out), "--plain"])
    assert result.exit_code == 0, result.output
    assert "test accuracy 100.00% of 100 (task modulo, seed 0)" in result.output
    return out


def test_the_table_shows_the_new_operator_with_its_sympy_form(run: Path) -> None:
    result = runner.invoke(app, ["inspect", str(run)])
    assert result.exit_code == 0, result.output
    assert "finished after round" in result.output
    assert "(lambda 2 (mod $0 $1))" in result.output
    assert "mod(x, y)" in result.output
    assert re.search(r"│ (\d+) of \1 │", result.output)  # explains all its examples


def test_trees_of_inputs_and_both_exports(run: Path, tmp_path: Path) -> None:
    trees, programs = tmp_path / "out" / "trees.conll", tmp_path / "programs.json"
    result = runner.invoke(app, ["inspect", str(run), "--input", "9 mod 4 mod 3",
                                 "--input", "7", "--export", str(trees),
                                 "--export", str(programs)])
    assert result.exit_code == 0, result.output
    assert "output: 1" in result.output and "output: 7" in result.output
    assert "9 ▸ s" in result.output
    assert f"wrote 2 tree(s) to {trees}" in result.output
    first, second = trees.read_text().split("\n\n")
    graph = DependencyGraph(first, cell_separator="\t")
    rows = [line.split("\t") for line in first.splitlines()]
    assert [(r[1], r[6], r[7]) for r in rows] == [
        ("9", "2", "arg0"), ("mod", "4", "arg0"), ("4", "2", "arg1"), ("mod", "0", "ROOT"),
        ("3", "4", "arg1")]
    assert [r[5] for r in rows] == ["value=9", "value=1", "value=4", "value=1", "value=3"]
    assert str(graph.tree()) == "(mod (mod 9 4) 3)"
    assert second.split("\t")[:2] == ["1", "7"]
    doc = json.loads(programs.read_text())
    assert doc["benchmark"] == "task" and doc["finished"] is True
    assert doc["code"][0].endswith("000_ops.py")
    mod = next(s for s in doc["symbols"] if s["tokens"] == ["mod"])
    assert mod == {**mod, "arity": 2, "program": "(lambda 2 (mod $0 $1))",
                   "type": "(int int -> int)", "sympy": "mod(x, y)"}
    assert mod["explains"]["matched"] == mod["explains"]["total"] > 0
    nine = next(s for s in doc["symbols"] if s["tokens"] == ["9"])
    assert nine["sympy"] == "9" and nine["arity"] == 0


def test_inputs_file_feeds_the_conll_export(run: Path, task: Path, tmp_path: Path) -> None:
    out = tmp_path / "test.conll"
    result = runner.invoke(app, ["inspect", str(run), "--inputs-file",
                                 str(task / "test.tsv"), "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().strip().split("\n\n")) == 100
    bad = tmp_path / "bad.txt"
    bad.write_text("3 mod 2\n\n3 div 2\n")
    result = runner.invoke(app, ["inspect", str(run), "--inputs-file", str(bad),
                                 "--export", str(out)])
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output and "div" in result.output


@pytest.mark.parametrize("args, expect", [
    (["--export", "x.txt"], "unknown file type '.txt'; use .conll"),
    (["--export", "x"], "unknown file type '(none)'"),
    (["--export", "trees.conll"], "CoNLL exports the trees of inputs; give --input"),
    (["--input", ""], "an empty input has no tree"),
])
def test_bad_inspect_requests_are_clear_errors(run: Path, args: list[str],
                                               expect: str) -> None:
    result = runner.invoke(app, ["inspect", str(run), *args])
    assert result.exit_code == 2
    assert expect in result.output


def test_eval_and_inspect_load_the_runs_copy_of_the_code(run: Path, task: Path,
                                                         tmp_path: Path) -> None:
    moved = tmp_path / "ops_moved.py"
    shutil.move(task / "ops.py", moved)
    try:
        result = runner.invoke(app, ["eval", str(run), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["accuracy"] == 1.0
        mine = tmp_path / "mine.tsv"
        mine.write_text("8 mod 5 mod 2\t1\n8 mod 5\t2\n")
        result = runner.invoke(app, ["eval", str(run), "--test-file", str(mine), "--json",
                                     "--code", str(moved)])
        assert result.exit_code == 0, result.output
        scored = json.loads(result.output)
        assert scored["correct"] == 1 and scored["errors"]["wrong"] == 1
        result = runner.invoke(app, ["eval", str(run), "--split", "length"])
        assert result.exit_code == 2 and "task run" in result.output
    finally:
        shutil.move(moved, task / "ops.py")


def test_resuming_a_finished_task_run_keeps_its_programs(run: Path) -> None:
    result = runner.invoke(app, ["train", "--resume", str(run), "--plain"])
    assert result.exit_code == 0, result.output
    assert "test accuracy 100.00% of 100 (task modulo" in result.output


def test_inspect_reads_a_run_that_is_still_training(task: Path, tmp_path: Path) -> None:
    setup = prepare(task / "task.toml", [task / "ops.py"])
    out = tmp_path / "live"
    seen: list[str] = []

    class Stop(Exception):
        pass

    def during(event: dict) -> None:
        if event["event"] == "round":
            result = runner.invoke(app, ["inspect", str(out), "--code", str(task / "ops.py"),
                                         "--input", "5"])
            seen.append(result.output)
            raise Stop

    with pytest.raises(Stop):
        train_run(setup.config, out, setup.train, registry=setup.registry, on_event=during)
    assert "not finished (still training, or stopped): checkpoint of round 0" in seen[0]
    assert "Symbols" in seen[0] and "output:" in seen[0]


def test_conll_of_a_token_list_tree_reads_back_in_nltk() -> None:
    leaf = GSSNode(0, "jump", 3, None, ("I_JUMP",), ())
    root = GSSNode(1, "twice", 5, None, ("I_JUMP", "I_JUMP"), (leaf,))
    text = conll([root])
    assert text == ("1\tjump\t_\ts3\ts3\tvalue=[I_JUMP]\t2\targ0\t_\t_\n"
                    "2\ttwice\t_\ts5\ts5\tvalue=[I_JUMP,I_JUMP]\t0\tROOT\t_\t_\n")
    back = DependencyGraph(text, cell_separator="\t")
    assert str(back.tree()) == "(twice jump)"
    assert dependency_graph(root).root["word"] == "twice"
    assert [value_text(v) for v in (None, (), True, 12, "A")] == [
        "undefined", "[]", "true", "12", "A"]
