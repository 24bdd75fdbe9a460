"""Seeded PCFG SET training (and test) data whose statistics match the official corpus.

The official ``train.src`` files are lost, so training inputs are regenerated:
derivations of the grammar of :mod:`benchmarks.pcfg_grammar` are drawn with a
seeded RNG and kept by quota, so that the number of functions per input follows
the official histogram of the split and part (:mod:`benchmarks.pcfg_stats`)
exactly, up to rounding. This stands in for the original "naturalisation" step,
which reshaped the raw grammar's distribution. Systematicity inputs must also
avoid (train) or contain (test) an adjacent pair of :data:`SYSTEMATICITY_PAIRS`,
``f`` immediately followed by ``g``.

Substitutivity splits draw ``pcfgset`` inputs and then write each function as its
synonym ``<function>_twin`` with probability 1/2: in ``substitutivity_primitive``
training inputs only where the function applies to strings alone, anywhere in
``substitutivity_equally_distributed`` and in both test sets, whose inputs all hold at
least one synonym (the official release's inputs are lost, so this follows its
description).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from benchmarks.pcfg_grammar import (
    TWIN_SUFFIX,
    adjacent_pairs,
    base_function,
    build_grammar,
    function_count,
    interpret,
    primitive_applications,
    sample_source,
)
from benchmarks.pcfg_stats import (
    OFFICIAL_SIZES,
    SUBSTITUTIVITY_SPLITS,
    check_part,
    function_histogram,
)
from nsr.types import Example, Tokens

__all__ = ["SYSTEMATICITY_PAIRS", "generate", "generate_test", "generate_train", "with_twins"]

SYSTEMATICITY_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("swap_first_last", "repeat"),
        ("append", "remove_second"),
        ("repeat", "remove_second"),
        ("append", "swap_first_last"),
    }
)
"""Ordered pairs never adjacent in systematicity training inputs (its README)."""


def _accepts(split: str, part: str) -> Callable[[Sequence[str]], bool]:
    if split != "systematicity":
        return lambda tokens: True
    want = part == "test"
    return lambda tokens: bool(adjacent_pairs(tokens, SYSTEMATICITY_PAIRS)) == want


def _quotas(histogram: Mapping[int, float], n: int) -> dict[int, int]:
    """Largest-remainder apportionment of n items over the histogram's bins."""
    total = sum(histogram.values())
    exact = {k: n * v / total for k, v in histogram.items() if v > 0}
    quotas = {k: int(x) for k, x in exact.items()}
    by_remainder = sorted(exact, key=lambda k: (quotas[k] - exact[k], k))
    for k in by_remainder[: n - sum(quotas.values())]:
        quotas[k] += 1
    return quotas


def generate(
    n: int,
    seed: int | str,
    *,
    histogram: Mapping[int, float],
    accept: Callable[[Sequence[str]], bool] = lambda tokens: True,
    exclude: Collection[str] = frozenset(),
    grammar_args: Mapping[str, Any] | None = None,
) -> list[Tokens]:
    """Draw n distinct grammar inputs whose function counts follow ``histogram``.

    Args:
        n: How many inputs.
        seed: Seed (an int or a str) of the only RNG used.
        histogram: Target function count -> relative frequency.
        accept: Extra condition an input must meet (e.g. no systematicity pair).
        exclude: Space-joined inputs that must not be produced.
        grammar_args: Keyword arguments of :func:`build_grammar`.

    Returns:
        The inputs as token tuples, shuffled.

    Raises:
        RuntimeError: The quotas could not be filled in 2,000 draws per input.
    """
    rng = random.Random(seed)
    grammar = build_grammar(**(grammar_args or {}))
    quotas = _quotas(histogram, n)
    seen: set[str] = set()
    out: list[Tokens] = []
    budget = 2_000 * n + 100_000
    while len(out) < n:
        budget -= 1
        if budget < 0:
            left = {k: q for k, q in quotas.items() if q}
            raise RuntimeError(f"could not fill function-count quotas {left}")
        max_k = max(k for k, q in quotas.items() if q)
        tokens = sample_source(grammar, rng, max_functions=max_k)
        if tokens is None:
            continue
        k = function_count(tokens)
        if not quotas.get(k) or not accept(tokens):
            continue
        key = " ".join(tokens)
        if key in seen or key in exclude:
            continue
        seen.add(key)
        quotas[k] -= 1
        out.append(tuple(tokens))
    rng.shuffle(out)
    return out


def _examples(sources: Iterable[Tokens], split: str, part: str) -> list[Example]:
    meta = {"split": split, "part": part, "source": "generated"}
    return [
        Example(src, interpret(src), {**meta, "functions": function_count(src)})
        for src in sources
    ]


def generate_train(
    split: str,
    n: int | None = None,
    seed: int = 0,
    exclude: Collection[str] = frozenset(),
) -> list[Example]:
    """Generated training examples of a PCFG SET split.

    Args:
        split: ``pcfgset``, ``systematicity`` or ``productivity``.
        n: How many; defaults to the official training size of the split.
        seed: Seed; the same seed gives the same list.
        exclude: Space-joined inputs never to produce (pass the official test
            inputs, see :func:`benchmarks.pcfg.official_test_inputs`).

    Returns:
        Distinct examples, inputs obeying the split's constraint, targets
        computed by the reference interpreter.
    """
    return _generate_part(split, "train", n, seed, exclude)


def generate_test(
    split: str,
    n: int | None = None,
    seed: int = 0,
    exclude: Collection[str] = frozenset(),
) -> list[Example]:
    """Generated test examples of a split (a stand-in when the official files are absent).

    Args:
        split: ``pcfgset``, ``systematicity`` (every input holds an adjacent pair)
            or ``productivity`` (every input has 9 or more functions).
        n: How many; defaults to the official test size of the split.
        seed: Seed.
        exclude: Space-joined inputs never to produce.

    Returns:
        Distinct examples.
    """
    return _generate_part(split, "test", n, seed, exclude)


def _generate_part(
    split: str, part: str, n: int | None, seed: int, exclude: Collection[str]
) -> list[Example]:
    check_part(split, part)
    n = OFFICIAL_SIZES[split][part] if n is None else n
    sources = generate(
        n,
        f"pcfg/{split}/{part}/{seed}",
        histogram=function_histogram(split, part),
        accept=_accepts(split, part),
        exclude=exclude,
    )
    if split in SUBSTITUTIVITY_SPLITS:
        rng = random.Random(f"pcfg/{split}/{part}/{seed}/twins")
        anywhere = part == "test" or split == "substitutivity_equally_distributed"
        sources = [with_twins(src, rng, anywhere=anywhere, at_least_one=part == "test")
                   for src in sources]
    return _examples(sources, split, part)


def with_twins(tokens: Sequence[str], rng: random.Random, *, anywhere: bool,
               at_least_one: bool = False) -> Tokens:
    """``tokens`` with each function written as its synonym with probability 1/2:
    anywhere, or only in primitive applications; with ``at_least_one``, one is always
    written so (where the input has a place for it)."""
    places = sorted(i for i, t in enumerate(tokens) if base_function(t) is not None) \
        if anywhere else sorted(primitive_applications(tokens))
    chosen = {i for i in places if rng.random() < 0.5}
    if at_least_one and places and not chosen:
        chosen.add(rng.choice(places))
    return tuple(t + TWIN_SUFFIX if i in chosen else t for i, t in enumerate(tokens))
