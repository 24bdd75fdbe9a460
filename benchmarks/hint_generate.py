"""Seeded generator of HINT-style data, following the published procedure at any size.

The official symbol-level files were produced, per operator count n = 0..20, by:

* drawing expressions: for n <= 2 all of them are enumerated and shuffled; for
  n >= 3 random trees are sampled (operator uniform over ``+ - * /``, left subtree
  size uniform in 0..n-1, digits uniform) without duplicates, with a non-zero
  result and at most 5 % of the drawn expressions sharing one result;
* pool "small": every node value <= 100; pool "large": the largest node value in
  101..10,000. Written in infix with only the parentheses the tree needs;
* train (n <= 10 only) = the first ``n_train`` of the small pool, cycled when the
  pool is smaller (counts 0-2); val/test ``I`` = the first ``n_val``/``n_test``
  training expressions; then ``n_val``/``n_test`` more small-pool expressions
  (``SS`` for n <= 10, ``LS`` above) and as many large-pool ones (``SL``/``LL``).

This module does the same with its own seeded ``random.Random`` (so it does not
reproduce the official files bit for bit) and with sizes scaled down by
:class:`HintGenConfig`, so that a fresh machine gets a training set in seconds.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import cycle, islice, product
from typing import NamedTuple

from benchmarks.hint_expr import OPERATORS, evaluate, infix
from nsr.types import Example

__all__ = ["OFFICIAL_CONFIG", "HintGenConfig", "HintSplits", "generate", "sample_tree"]

_OPS = ("+", "-", "*", "/")
_DIGITS = tuple("0123456789")


@dataclass(frozen=True)
class HintGenConfig:
    """Sizes and bounds of a generated HINT dataset (per operator count).

    Attributes:
        n_train_per_count: Training expressions per operator count 0..max_ops_train.
        n_val_per_count: Val expressions per count and subset.
        n_test_per_count: Test expressions per count and subset.
        max_ops_train: Largest operator count in training (and in SS / SL).
        max_ops: Largest operator count in val/test (LS / LL).
        max_value_train: Bound on every node value of training expressions.
        max_value_test: Upper bound of the largest node value in SL / LL.
        res_max_ratio: At most this share of a sampled pool has one result.
        repeat_small: Cycle the few distinct expressions of counts 0-2 to fill
            ``n_train_per_count`` (as the official train file does).
    """

    n_train_per_count: int = 1_000
    n_val_per_count: int = 10
    n_test_per_count: int = 100
    max_ops_train: int = 10
    max_ops: int = 20
    max_value_train: int = 100
    max_value_test: int = 10_000
    res_max_ratio: float = 0.05
    repeat_small: bool = True


OFFICIAL_CONFIG = HintGenConfig(
    n_train_per_count=100_000, n_val_per_count=100, n_test_per_count=1_000
)
"""The official sizes (about 1M training expressions; minutes to generate)."""


class HintSplits(NamedTuple):
    """Train, val and test examples of HINT."""

    train: list[Example]
    val: list[Example]
    test: list[Example]


Tree = str | tuple  # a digit, or (operator, left, right)


def sample_tree(rng: random.Random, n_ops: int) -> Tree:
    """A random expression tree with ``n_ops`` operators (the official sampler's law).

    Args:
        rng: The random stream.
        n_ops: Number of operators.

    Returns:
        A digit string, or ``(op, left, right)``.
    """
    if n_ops == 0:
        return rng.choice(_DIGITS)
    op = rng.choice(_OPS)
    n_left = rng.randint(0, n_ops - 1)
    return (op, sample_tree(rng, n_left), sample_tree(rng, n_ops - 1 - n_left))


def _all_trees(n_ops: int) -> Iterator[Tree]:
    if n_ops == 0:
        yield from _DIGITS
        return
    for op in _OPS:
        for n_left in range(n_ops):
            for left, right in product(
                _all_trees(n_left), list(_all_trees(n_ops - 1 - n_left))
            ):
                yield (op, left, right)


def _value(tree: Tree, bound: int) -> tuple[int, int] | None:
    """(value, largest node value), or None if undefined or some node exceeds bound."""
    if isinstance(tree, str):
        return int(tree), int(tree)
    op, left, right = tree
    lhs = _value(left, bound)
    if lhs is None:
        return None
    rhs = _value(right, bound)
    if rhs is None or (op == "/" and rhs[0] == 0):
        return None
    result = OPERATORS[op][1](lhs[0], rhs[0])
    if result > bound:
        return None
    return result, max(result, lhs[1], rhs[1])


@dataclass(frozen=True)
class _Pool:
    low: int  # the largest node value must lie in [low, high]
    high: int
    nonzero_enumerated: bool  # drop result 0 from enumerated (n <= 2) pools too


def _draw(
    rng: random.Random, n_ops: int, k: int, pool: _Pool, ratio: float
) -> list[str]:
    """Up to k distinct expressions (infix) with n_ops operators from a value pool."""

    def fits(tree: Tree) -> int | None:
        checked = _value(tree, pool.high)
        return checked[0] if checked is not None and checked[1] >= pool.low else None

    if n_ops <= 2:
        found = [
            t
            for t in _all_trees(n_ops)
            if (r := fits(t)) is not None and (r != 0 or not pool.nonzero_enumerated)
        ]
        rng.shuffle(found)
        return [infix(t) for t in found[:k]]
    cap = max(1, int(k * ratio))
    per_result: Counter[int] = Counter()
    seen: set[str] = set()
    out: list[str] = []
    budget = 20_000 * k + 100_000
    while len(out) < k:
        budget -= 1
        if budget < 0:
            raise RuntimeError(
                f"found only {len(out)} of {k} expressions with {n_ops} "
                f"operators and values in [{pool.low}, {pool.high}]"
            )
        tree = sample_tree(rng, n_ops)
        result = fits(tree)
        if not result or per_result[result] >= cap:
            continue
        text = infix(tree)
        if text in seen:
            continue
        seen.add(text)
        per_result[result] += 1
        out.append(text)
    return out


def generate(
    config: HintGenConfig | None = None,
    *,
    seed: int = 0,
    n_per_count: int | None = None,
) -> HintSplits:
    """Generate HINT train/val/test examples.

    Args:
        config: Sizes and bounds; defaults to :class:`HintGenConfig` (1,000
            training expressions per operator count, 10 val and 100 test per
            count and subset).
        seed: Seed of the only random stream used.
        n_per_count: Shortcut that overrides ``config.n_train_per_count``.

    Returns:
        ``HintSplits(train, val, test)``, ordered by operator count. Examples
        carry the expression's characters as inputs, the result as target and
        ``meta = {"id", "head", "res_all"}`` plus ``"eval"`` (``I``, ``SS``,
        ``LS``, ``SL``, ``LL``) in val and test.
    """
    config = config or HintGenConfig()
    if n_per_count is not None:
        config = replace(config, n_train_per_count=n_per_count)
    rng = random.Random(f"hint/{seed}")
    small = _Pool(0, config.max_value_train, nonzero_enumerated=False)
    large = _Pool(
        config.max_value_train + 1, config.max_value_test, nonzero_enumerated=True
    )
    n_val, n_test = config.n_val_per_count, config.n_test_per_count
    splits: dict[str, list[str]] = {"train": [], "val": [], "test": []}
    for n_ops in range(config.max_ops + 1):
        n_train = config.n_train_per_count if n_ops <= config.max_ops_train else 0
        exprs = _draw(rng, n_ops, n_train + n_val + n_test, small, config.res_max_ratio)
        train = exprs[:n_train]
        if config.repeat_small and train and len(train) < n_train:
            train = list(islice(cycle(train), n_train))
        fresh = exprs[n_train:]
        big = (
            _draw(rng, n_ops, n_val + n_test, large, config.res_max_ratio)
            if n_ops
            else []
        )
        splits["train"] += train
        splits["val"] += train[:n_val] + fresh[:n_val] + big[:n_val]
        splits["test"] += (
            train[:n_test] + fresh[n_val : n_val + n_test] + big[n_val : n_val + n_test]
        )
    seen = set(splits["train"])
    return HintSplits(
        *(
            [_example(name, i, expr, seen, config) for i, expr in enumerate(exprs)]
            for name, exprs in splits.items()
        )
    )


def _example(
    split: str, index: int, expr: str, train: set[str], config: HintGenConfig
) -> Example:
    res, head, res_all = evaluate(expr)
    meta: dict[str, object] = {
        "id": f"{split}_{index:08d}",
        "head": head,
        "res_all": res_all,
    }
    if split != "train":
        if expr in train:
            meta["eval"] = "I"
        else:
            n_ops = sum(1 for t in expr if t in OPERATORS)
            meta["eval"] = ("S" if n_ops <= config.max_ops_train else "L") + (
                "S" if max(res_all) <= config.max_value_train else "L"
            )
    return Example(tuple(expr), res, meta)
