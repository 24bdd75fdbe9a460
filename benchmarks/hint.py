"""HINT (Li et al. 2023): the splits, from the official files or generated.

The official symbol-level data lives in ``hint/symbol/expr_{train,val,test}.json.gz``
and the few-shot concepts in ``hint/fewshot/<c>/``; :func:`load_json` reads them
(see :mod:`benchmarks.hint_json`). Without data, :func:`load_split` generates the
symbol-level splits (:mod:`benchmarks.hint_generate`). :func:`evaluate` is the
reference evaluator and :func:`validate` checks examples against it.
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.hint_expr import ExpressionError, count_operators, evaluate
from benchmarks.hint_generate import (
    OFFICIAL_CONFIG,
    HintGenConfig,
    HintSplits,
    generate,
)
from benchmarks.hint_json import load_json
from nsr.types import Example

__all__ = [
    "OFFICIAL_CONFIG",
    "SPLITS",
    "ExpressionError",
    "HintGenConfig",
    "HintSplits",
    "count_operators",
    "evaluate",
    "generate",
    "hint_root",
    "load_json",
    "load_split",
    "validate",
]

SPLITS = ("symbol", *(f"fewshot_{c}" for c in "xyabcd"))
"""``symbol``: the main HINT data; ``fewshot_<c>``: one few-shot concept (files only)."""


def hint_root(data_dir: str | Path) -> Path:
    """The official ``hint/`` folder: ``data_dir/hint`` or ``data_dir`` itself.

    Raises:
        FileNotFoundError: Neither holds a ``symbol/`` folder.
    """
    root = Path(data_dir)
    for candidate in (root / "hint", root):
        if (candidate / "symbol").is_dir():
            return candidate
    raise FileNotFoundError(f"no HINT data (a hint/symbol folder) under {root}")


def _split_file(root: Path, split: str, part: str) -> Path:
    folder = root / "symbol" if split == "symbol" else root / "fewshot" / split[-1]
    plain = folder / f"expr_{part}.json"
    gz = folder / f"expr_{part}.json.gz"
    return plain if plain.exists() or not gz.exists() else gz


def load_split(
    split: str = "symbol",
    *,
    data_dir: str | Path | None = None,
    seed: int = 0,
    config: HintGenConfig | None = None,
) -> HintSplits:
    """The train/val/test examples of HINT.

    Args:
        split: ``symbol`` (main HINT) or ``fewshot_<c>`` for a concept c in x y a b c d.
        data_dir: Folder holding ``hint/`` (or ``hint/`` itself); defaults to
            ``$NSR_DATA``. With it, the official files are read; without, the
            ``symbol`` data is generated.
        seed: Seed of generated data.
        config: Sizes of generated data (:class:`HintGenConfig`).

    Returns:
        ``HintSplits(train, val, test)``.

    Raises:
        ValueError: Unknown split, or a few-shot split without data.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown HINT split {split!r}; expected one of {SPLITS}")
    if data_dir is None:
        data_dir = os.environ.get("NSR_DATA") or None
    if data_dir is None:
        if split != "symbol":
            raise ValueError(f"{split} can only be read from the official files")
        return generate(config, seed=seed)
    root = hint_root(data_dir)
    return HintSplits(
        *(
            load_json(_split_file(root, split, part))
            for part in ("train", "val", "test")
        )
    )


def validate(examples: list[Example]) -> list[int]:
    """Indices of examples whose target, head or res_all disagree with :func:`evaluate`."""
    wrong = []
    for i, example in enumerate(examples):
        try:
            res, head, res_all = evaluate(example.inputs)
        except ExpressionError:
            wrong.append(i)
            continue
        meta = example.meta
        if (
            res != example.target
            or head != tuple(meta["head"])
            or res_all != tuple(meta["res_all"])
        ):
            wrong.append(i)
    return wrong
