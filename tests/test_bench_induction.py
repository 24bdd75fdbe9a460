"""The induction benchmark: every target found, held-out accuracy 1.0, and the JSON
report, from :func:`benchmarks.induction.run_benchmark` and ``nsr bench induction``."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks import induction
from nsr.cli import app

REPORT_FIELDS = {
    "benchmark",
    "seed",
    "targets",
    "all_found",
    "all_correct",
    "max_target_seconds",
    "total_seconds",
    "peak_memory_mb",
    "python",
    "platform",
}
ROW_FIELDS = {
    "domain",
    "name",
    "arity",
    "examples",
    "seconds",
    "found",
    "program",
    "examples_matched",
    "enumerated",
}
FOUND_FIELDS = {
    "type",
    "native",
    "rendered",
    "heldout_n",
    "heldout_accuracy",
    "largest_heldout_input",
    "largest_example_input",
}


@pytest.fixture(scope="module")
def report() -> dict:
    return induction.run_benchmark(n_heldout=50, timeout=10)


def test_every_target_is_found_and_exact_on_held_out_inputs(report: dict) -> None:
    names = [(t.domain, t.name) for t in induction.targets()]
    assert [(r["domain"], r["name"]) for r in report["targets"]] == names
    missed = {
        r["name"]: r.get("heldout_accuracy")
        for r in report["targets"]
        if not r["found"] or r["heldout_accuracy"] != 1.0
    }
    assert missed == {}
    assert report["all_found"] and report["all_correct"]


def test_report_has_the_documented_fields(report: dict) -> None:
    assert set(report) == REPORT_FIELDS
    assert report["benchmark"] == "induction" and report["seed"] == 0
    for row in report["targets"]:
        assert set(row) == ROW_FIELDS | FOUND_FIELDS, row["name"]
        assert row["heldout_n"] == (1 if row["arity"] == 0 else 50)
        assert row["examples_matched"] == row["examples"]
    assert report["max_target_seconds"] == max(r["seconds"] for r in report["targets"])
    json.loads(json.dumps(report))  # plain JSON data


def test_hint_operators_are_recursive_and_verified(report: dict) -> None:
    hint = {r["name"]: r for r in report["targets"] if r["domain"] == "hint"}
    assert {n: r["native"] for n, r in hint.items()} == {
        "add": "add",
        "minus": "monus",
        "mul": "mul",
        "div": "cdiv",
    }
    assert all(r["program"].startswith("(fix 2 ") for r in hint.values())
    assert "@add" in hint["mul"]["program"]
    assert hint["add"]["rendered"] == "x + y"
    assert hint["add"]["largest_heldout_input"] > hint["add"]["largest_example_input"]


def test_cli_writes_valid_json(tmp_path: Path, monkeypatch) -> None:
    # the full run holds out 1,000 inputs per target; 10 keep this test quick
    monkeypatch.setattr(
        induction, "run_benchmark", partial(induction.run_benchmark, n_heldout=10)
    )
    out = tmp_path / "runs" / "induction.json"
    result = CliRunner().invoke(
        app,
        ["bench", "induction", "--out", str(out), "--timeout", "10"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) == REPORT_FIELDS
    assert data["all_found"] and data["all_correct"]
    assert "all found: True" in result.output
