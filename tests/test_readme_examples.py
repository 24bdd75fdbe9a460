"""README.md's marked examples run as written.

A block preceded by ``<!-- readme-test: run -->`` is run (bash blocks with ``bash -e``,
python blocks with this interpreter) in a scratch folder holding a copy of
``examples/``, in README order; ``<!-- readme-test: file PATH -->`` marks a block that is
the file PATH (it must equal the repository's file where one exists, else it is written
into the scratch folder); every line of a ``<!-- readme-test: output -->`` block must
appear in what the commands printed (``...`` lines skipped, symbol numbers and spacing
normalised, since they depend on the seed's draw and the terminal's width). A python
line ``print(...)  # TEXT`` must print TEXT.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.issue(7)
REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- readme-test: (run|output|file (\S+)) -->\n```(\w+)\n(.*?)^```",
                   re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    kind: str  # run, output or file
    language: str
    text: str
    path: str | None = None


def readme_blocks() -> list[Block]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [Block(m.group(1).split()[0], m.group(3), m.group(4), m.group(2))
            for m in BLOCK.finditer(text)]


def normalise(line: str) -> str:
    line = re.sub(r"\bs\d+\b", "sN", line)
    line = re.sub(r"^│ \d+ ", "│ N ", line.strip())
    return " ".join(line.split())


def test_the_readme_marks_its_examples() -> None:
    kinds = [b.kind for b in readme_blocks()]
    assert kinds.count("run") >= 3 and kinds.count("file") >= 3 and "output" in kinds


@pytest.mark.parametrize("block", [b for b in readme_blocks()
                                   if b.kind == "file" and (REPO / b.path).exists()],
                         ids=lambda b: b.path)
def test_files_shown_in_the_readme_are_the_repositorys(block: Block) -> None:
    assert block.text == (REPO / block.path).read_text(encoding="utf-8")


def _scratch(tmp_path: Path) -> dict[str, str]:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    for block in readme_blocks():
        if block.kind == "file" and not (REPO / block.path).exists():
            (tmp_path / block.path).write_text(block.text, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    nsr = bin_dir / "nsr"  # this checkout's nsr, under this interpreter
    nsr.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m nsr.cli "$@"\n')
    nsr.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "COLUMNS": "100", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}


def test_readme_examples_run_as_written(tmp_path: Path) -> None:
    env = _scratch(tmp_path)
    printed = []
    for block in readme_blocks():
        if block.kind != "run":
            continue
        command = (["bash", "-e", "-c", block.text] if block.language == "bash"
                   else [sys.executable, "-c", block.text])
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=240, check=False)
        assert done.returncode == 0, f"{block.text}\n{done.stdout}\n{done.stderr}"
        printed.append(done.stdout)
        for expected in re.findall(r"print\(.*\)\s+# (.+)$", block.text, re.MULTILINE):
            assert expected in done.stdout
    lines = {normalise(line) for out in printed for line in out.splitlines()}
    for block in readme_blocks():
        if block.kind == "output":
            for line in block.text.splitlines():
                if line.strip() not in ("", "..."):
                    assert normalise(line) in lines, f"not printed: {line}\n{printed}"
    everything = "\n".join(printed)
    assert "test accuracy 100.00% of 100 (task modulo, seed 0)" in everything
    assert "accuracy 100.00% of 100 (task modulo)" in everything
    assert "file my_ops.py" in everything  # nsr primitives --code my_ops.py
    for name in ("train.tsv", "test.tsv"):  # make_data.py reproduces the committed data
        assert ((tmp_path / "examples/modulo" / name).read_bytes()
                == (REPO / "examples/modulo" / name).read_bytes())
    assert (tmp_path / "runs/modulo/programs.json").is_file()
