"""Benchmark helpers: seed ranges and the README tables rendered from result JSON."""

from __future__ import annotations

from benchmarks.tables import markdown_for
from nsr.bench import parse_seeds


def test_parse_seeds() -> None:
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("0,2, 5-6") == [0, 2, 5, 6]


def test_training_table_lists_every_split_and_the_priors() -> None:
    run = {"split": "length", "seed": 0, "accuracy": 1.0, "wall_seconds": 30.0,
           "peak_memory_mb": 600.0, "official_data": True,
           "priors": {"symbol_budget": 20, "curriculum": "length"}}
    report = {"benchmark": "scan", "runs": [run, {**run, "seed": 1, "accuracy": 0.5}],
              "summary": {"length": {"median_wall_seconds": 30.0}}, "workers": 2,
              "cpu_count": 2, "python": "3.11"}
    text = markdown_for(report)
    assert "| length | 0,1 | 100.00% 50.00% | 30.0 | 600.0 | official |" in text
    assert "symbol_budget = 20" in text


def test_runs_with_subsets_get_a_row_per_seed_with_every_subset() -> None:
    run = {"split": "symbol", "seed": 3, "accuracy": 0.9, "wall_seconds": 100.0,
           "peak_memory_mb": 700.0, "official_data": True, "priors": {},
           "subsets": {"LL": {"accuracy": 0.5, "n": 2}, "I": {"accuracy": 1.0, "n": 2}},
           "subset_average": 0.75, "symbol_accuracy": 1.0, "head_accuracy": 0.5,
           "head_accuracy_valued": 0.8}
    report = {"benchmark": "hint", "runs": [run],
              "summary": {"symbol": {"median_wall_seconds": 100.0}}, "workers": 1,
              "cpu_count": 2, "python": "3.11"}
    text = markdown_for(report)
    assert "| seed | I | LL | average |" in text
    assert "| 3 | 100.00% | 50.00% | 75.00% | 100.00% | 80.00% | 100.0 |" in text
    assert "| symbol | 3 | 90.00% |" in text
