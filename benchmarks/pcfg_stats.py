"""PCFG SET corpus statistics: the official histograms and a comparison report.

The three splits re-partition one pool of 92,343 inputs (official pcfgset train
+ test; checked by target overlap). The function-count histogram of that pool is
known exactly for 9 or more functions (the productivity test set is precisely those
inputs) and is estimated from pcfgset dev + test below that. From it:

* ``pcfgset`` train and test: the pool's histogram (i.i.d.);
* ``productivity``: train = pool inputs with at most 8 functions; test = 9 or more;
* ``systematicity``: test = inputs in which one of four function pairs is adjacent;
  train = pool minus test, with histogram pool - official test.

:func:`histogram_report` compares generated with official examples (total
variation distance per measure).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from benchmarks.pcfg_grammar import BINARY, function_count, string_arguments
from nsr.types import Example

__all__ = [
    "DEV_TEST_FUNCTIONS",
    "MAX_TRAIN_FUNCTIONS",
    "OFFICIAL_SIZES",
    "PRODUCTIVITY_TEST_FUNCTIONS",
    "SPLITS",
    "SUBSTITUTIVITY_SPLITS",
    "SYSTEMATICITY_TEST_FUNCTIONS",
    "check_part",
    "function_histogram",
    "histogram_report",
]

SUBSTITUTIVITY_SPLITS = ("substitutivity_primitive", "substitutivity_equally_distributed")
"""Splits with ``<function>_twin`` synonyms: only in primitive applications in training,
or anywhere (see :mod:`benchmarks.pcfg_generate`)."""

SPLITS = ("pcfgset", "systematicity", "productivity", *SUBSTITUTIVITY_SPLITS)

OFFICIAL_SIZES: dict[str, dict[str, int]] = {
    "pcfgset": {"train": 82_622, "test": 9_721},
    "systematicity": {"train": 82_168, "test": 10_175},
    "productivity": {"train": 81_010, "test": 11_333},
    "substitutivity_primitive": {"train": 82_954, "test": 10_000},
    "substitutivity_equally_distributed": {"train": 82_622, "test": 10_000},
}

MAX_TRAIN_FUNCTIONS = 8
"""Productivity split: training inputs have at most this many functions."""

POOL_SIZE = 92_343

# Functions per input in the official files (counted from the .src files).
# fmt: off
DEV_TEST_FUNCTIONS = {  # pcfgset dev.src + test.src
    1: 225, 2: 1870, 3: 2827, 4: 2745, 5: 1931, 6: 1495, 7: 967, 8: 740, 9: 500,
    10: 366, 11: 279, 12: 215, 13: 118, 14: 99, 15: 63, 16: 31, 17: 23, 18: 27,
    19: 16, 20: 10, 21: 10, 22: 8, 23: 6, 24: 5, 25: 2, 28: 2, 30: 1,
}
SYSTEMATICITY_TEST_FUNCTIONS = {
    2: 333, 3: 1070, 4: 1420, 5: 1374, 6: 1181, 7: 993, 8: 913, 9: 685, 10: 501,
    11: 449, 12: 325, 13: 224, 14: 201, 15: 135, 16: 79, 17: 87, 18: 58, 19: 38,
    20: 29, 21: 19, 22: 13, 23: 14, 24: 7, 25: 15, 26: 2, 27: 3, 28: 2, 29: 1,
    30: 3, 35: 1,
}
PRODUCTIVITY_TEST_FUNCTIONS = {
    9: 3232, 10: 2296, 11: 1738, 12: 1175, 13: 811, 14: 631, 15: 411, 16: 271,
    17: 225, 18: 154, 19: 103, 20: 68, 21: 67, 22: 46, 23: 34, 24: 18, 25: 28,
    26: 5, 27: 6, 28: 5, 29: 2, 30: 4, 32: 2, 35: 1,
}
# fmt: on


def _pool_histogram() -> dict[int, float]:
    short = {k: v for k, v in DEV_TEST_FUNCTIONS.items() if k <= MAX_TRAIN_FUNCTIONS}
    n_short = POOL_SIZE - sum(PRODUCTIVITY_TEST_FUNCTIONS.values())
    scale = n_short / sum(short.values())
    return {**{k: v * scale for k, v in short.items()}, **PRODUCTIVITY_TEST_FUNCTIONS}


def function_histogram(split: str, part: str = "train") -> dict[int, float]:
    """Expected number of inputs per function count in an official split part.

    Args:
        split: one of :data:`SPLITS` (substitutivity splits follow ``pcfgset``).
        part: ``train`` or ``test``.

    Returns:
        Function count -> expected count of inputs (unnormalised).
    """
    check_part(split, part)
    pool = _pool_histogram()
    if split == "pcfgset" or split in SUBSTITUTIVITY_SPLITS:
        return pool
    if split == "productivity":
        if part == "test":
            return dict(PRODUCTIVITY_TEST_FUNCTIONS)
        return {k: v for k, v in pool.items() if k <= MAX_TRAIN_FUNCTIONS}
    if part == "test":
        return dict(SYSTEMATICITY_TEST_FUNCTIONS)
    return {
        k: max(0.0, v - SYSTEMATICITY_TEST_FUNCTIONS.get(k, 0)) for k, v in pool.items()
    }


def check_part(split: str, part: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown PCFG SET split {split!r}; expected one of {SPLITS}")
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', not {part!r}")


def _distribution(values: Iterable[int]) -> dict[int, float]:
    counts = Counter(values)
    total = sum(counts.values()) or 1
    return {k: counts[k] / total for k in sorted(counts)}


def _tvd(p: Mapping[int, float], q: Mapping[int, float]) -> float:
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


def _measures(inputs: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    return {
        "functions": [function_count(x) for x in inputs],
        "string_length": [len(a) for x in inputs for a in string_arguments(x)],
        "binary_functions": [sum(t in BINARY for t in x) for x in inputs],
        "source_length": [len(x) for x in inputs],
    }


def _length(target: object) -> int:
    if not isinstance(target, Sequence):
        raise TypeError(f"a PCFG SET target is a token sequence, not {target!r}")
    return len(target)


def histogram_report(
    generated: Sequence[Example],
    official: Sequence[Example],
    *,
    official_targets: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Compare the statistics of generated and official examples.

    Args:
        generated: Generated examples.
        official: Official examples drawn from the same distribution.
        official_targets: Official output strings to compare target lengths with
            (e.g. an official ``train.tgt``); defaults to ``official``'s targets.

    Returns:
        ``{"n_generated", "n_official", <measure>: {"tvd", "mean_generated",
        "mean_official", "generated", "official"}}`` for the measures
        ``functions`` (per input), ``string_length`` (per string argument),
        ``binary_functions``, ``source_length`` and ``target_length``;
        ``tvd`` is the total variation distance of the two histograms.
    """
    gen = _measures([e.inputs for e in generated])
    off = _measures([e.inputs for e in official])
    gen["target_length"] = [_length(e.target) for e in generated]
    targets = (
        official_targets
        if official_targets is not None
        else [e.target for e in official]
    )
    off["target_length"] = [_length(t) for t in targets]
    report: dict[str, Any] = {
        "n_generated": len(generated),
        "n_official": len(official),
    }
    for name, values in gen.items():
        p, q = _distribution(values), _distribution(off[name])
        report[name] = {
            "tvd": _tvd(p, q),
            "mean_generated": sum(values) / max(1, len(values)),
            "mean_official": sum(off[name]) / max(1, len(off[name])),
            "generated": p,
            "official": q,
        }
    return report
