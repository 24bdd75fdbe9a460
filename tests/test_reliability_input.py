"""Bad input through the CLI: every class gives one line, ``error: WHERE: PROBLEM``, naming
the file and line (or field), and exit code 2, never a traceback; input a trained run
cannot read (unknown tokens, inputs far longer than training) is reported, not a crash.

(The loaders' own errors are tested in ``tests/test_scan_data.py``, ``--code`` files in
``tests/test_registry.py``, TOML specs in ``tests/test_task_spec.py``.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.scan import generate_split, write_file
from nsr.cli import app

pytestmark = pytest.mark.issue(8)
runner = CliRunner()
GOOD = "IN: walk OUT: I_WALK\nIN: jump twice OUT: I_JUMP I_JUMP\n"


def _error_line(args: list[str]) -> str:
    result = runner.invoke(app, args, env={"NSR_DATA": ""})
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run trained on SCAN's commands of up to three words (a second of training)."""
    folder = tmp_path_factory.mktemp("input")
    train, test = generate_split("simple", seed=0)
    write_file(folder / "train.txt", [e for e in train if len(e.inputs) <= 3])
    write_file(folder / "test.txt", test[:50])
    run = folder / "run"
    result = runner.invoke(app, ["train", "--train-file", str(folder / "train.txt"),
                                 "--test-file", str(folder / "test.txt"), "--out", str(run),
                                 "--plain"], env={"NSR_DATA": ""})
    assert result.exit_code == 0, result.output
    return run


@pytest.mark.parametrize("content, line, problem", [
    (b"", None, "no examples (the file is empty)"),
    (b"\n\n", None, "no examples"),
    (GOOD.encode() + b"IN: walk left tw", 3, "expected one 'IN:' and one 'OUT:'"),
    (GOOD.encode() + b"IN: walk left OUT:", 3, "empty action sequence"),
    (GOOD.encode() + b"IN: walk left OUT: I_TURN_LEFT I_WA", 3, "unknown action 'I_WA'"),
    (GOOD.encode() + b"IN: walk => I_WALK\n", 3, "expected one 'IN:' and one 'OUT:'"),
    (b"walk\tI_WALK\n" + GOOD.encode(), 1, "expected the line to start with 'IN:'"),
    (b"IN: walk OUT: I_WLAK\n", 1, "unknown action 'I_WLAK'"),
    (GOOD.encode() + b"IN: walk OUT: I_WALK\nIN: caf\xe9 OUT: I_WALK\n", 4,
     "not valid UTF-8 (byte b'\\xe9' at column 8)"),
    (GOOD.encode() + b"IN: jump OUT: I_JUMP \xe2\x80", 3, "not valid UTF-8"),
], ids=["empty", "blank", "cut-in-command", "cut-after-out", "cut-in-action",
        "wrong-separator", "tab-separated", "mistyped-action", "latin-1",
        "cut-in-character"])
def test_a_bad_training_file_names_the_file_and_line(
        tmp_path: Path, content: bytes, line: int | None, problem: str) -> None:
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes(content)
    good.write_text(GOOD)
    for role in ("--train-file", "--test-file"):
        files = {"--train-file": good, "--test-file": good, role: bad}
        message = _error_line(["train", "--out", str(tmp_path / "run"), "--plain",
                               *(str(x) for kv in files.items() for x in kv)])
        where = f"{bad}:{line}" if line is not None else f"{bad}"
        assert message.startswith(f"error: {where}: "), message
        assert problem in message
    assert not (tmp_path / "run").exists()


def test_missing_files_and_folders_are_named(tmp_path: Path) -> None:
    absent = tmp_path / "absent.txt"
    assert _error_line(["train", "--train-file", str(absent), "--test-file", str(absent),
                        "--out", str(tmp_path / "r")]) == \
        f"error: {absent}: No such file or directory"
    message = _error_line(["train", "scan", "--data-dir", str(tmp_path),
                           "--out", str(tmp_path / "r")])
    assert "no SCAN file" in message and str(tmp_path) in message
    assert "unknown SCAN split 'nope'" in _error_line(
        ["train", "scan", "--split", "nope", "--out", str(tmp_path / "r")])
    assert "Invalid value for '--checkpoint-every'" in runner.invoke(
        app, ["train", "--checkpoint-every", "0"]).output


@pytest.mark.parametrize("code, problem", [
    ("import no_such_module_anywhere\n", "ModuleNotFoundError"),
    ("raise RuntimeError('half written')\n", "RuntimeError: half written"),
    ("from nsr.registry import primitive\n\n@primitive('concat')\n"
     "def concat(x: int) -> int:\n    return x\n", "duplicate primitive name 'concat'"),
], ids=["import-error", "raises", "duplicate"])
def test_a_bad_code_file_stops_training_before_it_starts(tmp_path: Path, code: str,
                                                          problem: str) -> None:
    path = tmp_path / "ops.py"
    path.write_text(code)
    message = _error_line(["train", "--code", str(path), "--out", str(tmp_path / "r")])
    assert str(path) in message and problem in message
    assert not (tmp_path / "r").exists()


def test_a_task_spec_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "task.toml"
    (tmp_path / "train.tsv").write_text("1\t1\n")
    spec.write_text('name = "t"\n[data]\ntrain = "train.tsv"\ntest = "train.tsv"\n'
                    'output = "int"\nshuffle = true\n[priors]\nprimitive_sets = ["nat"]\n')
    message = _error_line(["train", "--task", str(spec), "--out", str(tmp_path / "r")])
    assert str(spec) in message and "data.shuffle: unknown field" in message


def test_unknown_tokens_at_evaluation_are_counted_not_fatal(trained: Path,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text("IN: walk OUT: I_WALK\nIN: dax twice OUT: I_JUMP I_JUMP\n"
                    "IN: walk and blicket OUT: I_WALK I_LOOK\n")
    result = runner.invoke(app, ["eval", str(trained), "--test-file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["n"], report["correct"], report["unknown_token_inputs"]) == (3, 1, 2)
    assert report["errors"] == {"wrong": 2, "no deduction": 2, "misreadings": {},
                                "misread_tokens": {}}
    result = runner.invoke(app, ["eval", str(trained), "--test-file", str(path)])
    assert result.exit_code == 0
    assert "2 input(s) with tokens never seen in training counted wrong" in result.output
    assert "wrong outputs 2: no deduction 2" in result.output


def test_an_unknown_token_at_prediction_is_named_without_markup_trouble(
        trained: Path) -> None:
    """The programs are shown, then the error; Rich markup in a token ('[/b]') is shown
    as typed, not read as a style tag."""
    result = runner.invoke(app, ["inspect", str(trained), "--input", "walk [/b] twice"])
    assert result.exit_code == 2, result.output
    last = [x for x in result.output.splitlines() if x.strip()][-1]
    assert last.startswith("error: unknown token(s) '[/b]': never seen in training")


def test_inputs_far_longer_than_training_are_evaluated_iteratively(
        trained: Path, tmp_path: Path) -> None:
    """2,001 words (Python's recursion limit is 1,000) through parsing and evaluation,
    and 40 nested 'twice' (2**40 actions) ending on the memory budget, not a crash."""
    long = ["walk"] + ["and", "walk"] * 1000
    doubling = ["jump"] + ["twice"] * 40
    path = tmp_path / "long.txt"
    path.write_text(f"IN: {' '.join(long)} OUT: {' '.join(['I_WALK'] * 1001)}\n"
                    f"IN: {' '.join(doubling)} OUT: I_JUMP\n")
    result = runner.invoke(app, ["eval", str(trained), "--test-file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["n"] == 2
    result = runner.invoke(app, ["inspect", str(trained), "--input", " ".join(long)])
    assert result.exit_code == 0, result.output
    assert "output: " in result.output
    result = runner.invoke(app, ["inspect", str(trained), "--input", " ".join(doubling)])
    assert result.exit_code == 0, result.output
    assert "output: undefined" in result.output
