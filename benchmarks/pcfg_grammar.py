"""PCFG SET (Hupkes et al. 2020): the task's semantics and its probabilistic grammar.

An input is a function composition in prefix (Polish) notation over string
arguments; binary functions separate their two arguments with ``,``::

    append reverse R11 B10 , E16 F2   ->   B10 R11 E16 F2

:func:`interpret` is the reference interpreter (it reproduces every official
target). :func:`build_grammar` writes the generator as an ``nltk.PCFG``, following
the published construction: a start symbol that applies a unary function, a
binary function or yields a string; strings of 2 to 5 tokens, each a letter A-Z
with an index 1-20 (520 tokens); the ten functions equally likely.
:func:`sample_source` draws one derivation from it with a seeded ``random.Random``.
The corpus-level distribution (how many functions an input has) is then matched
to the official one by :mod:`benchmarks.pcfg`, as the original "naturalisation"
step reshaped the raw grammar's distribution.
"""

from __future__ import annotations

import random
import string
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from nsr.types import Tokens

if TYPE_CHECKING:  # nltk costs ~0.6 s to import; it is loaded only to build the grammar
    from nltk.grammar import PCFG

__all__ = [
    "BINARY",
    "FUNCTIONS",
    "LETTERS",
    "SEPARATOR",
    "STRING_LENGTHS",
    "TWIN_SUFFIX",
    "UNARY",
    "PCFGSyntaxError",
    "adjacent_pairs",
    "base_function",
    "build_grammar",
    "function_count",
    "interpret",
    "primitive_applications",
    "sample_source",
    "string_arguments",
]

SEPARATOR = ","

UNARY: dict[str, Callable[[Tokens], Tokens]] = {
    "copy": lambda x: x,
    "reverse": lambda x: x[::-1],
    "shift": lambda x: x[1:] + x[:1],
    "echo": lambda x: x + x[-1:],
    "swap_first_last": lambda x: x[-1:] + x[1:-1] + x[:1] if len(x) > 1 else x,
    "repeat": lambda x: x + x,
}
"""Unary string edits. ``shift`` moves the first token to the end."""

BINARY: dict[str, Callable[[Tokens, Tokens], Tokens]] = {
    "append": lambda x, y: x + y,
    "prepend": lambda x, y: y + x,
    "remove_first": lambda x, y: y,
    "remove_second": lambda x, y: x,
}
"""Binary string edits, applied to the arguments before and after the ``,``."""

FUNCTIONS: frozenset[str] = frozenset(UNARY) | frozenset(BINARY)

TWIN_SUFFIX = "_twin"
"""PCFG SET's substitutivity test adds a synonym ``<function>_twin`` of each function."""


def base_function(token: str) -> str | None:
    """The function a token names (a synonym ``<function>_twin`` names ``<function>``),
    or None for a string token or ``,``."""
    name = token.removesuffix(TWIN_SUFFIX)
    return name if name in FUNCTIONS else None


LETTERS: Tokens = tuple(f"{c}{i}" for c in string.ascii_uppercase for i in range(1, 21))
"""The 520 string tokens ``A1 .. Z20``."""

STRING_LENGTHS: dict[int, int] = {2: 7071, 3: 13185, 4: 12300, 5: 11841}
"""Lengths of the string arguments of the official ``pcfgset`` dev + test inputs."""


class PCFGSyntaxError(ValueError):
    """An input is not a well-formed PCFG SET expression; says where and why."""


def interpret(tokens: Sequence[str]) -> Tokens:
    """Evaluate a PCFG SET input: the reference semantics.

    Args:
        tokens: The input, e.g. ``"append reverse R11 B10 , E16 F2".split()``.

    Returns:
        The output string as tokens, e.g. ``("B10", "R11", "E16", "F2")``.

    Raises:
        PCFGSyntaxError: The input is empty, a function lacks an argument, a ``,``
            is missing or unexpected, or tokens are left over.
    """
    tokens = tuple(tokens)
    value, end = _evaluate(tokens, 0)
    if end != len(tokens):
        raise PCFGSyntaxError(f"unexpected {tokens[end]!r} at position {end}")
    return value


def _evaluate(tokens: Tokens, i: int) -> tuple[Tokens, int]:
    if i >= len(tokens):
        raise PCFGSyntaxError(f"missing argument at position {i} (input ends)")
    head = tokens[i]
    name = base_function(head)
    if name in UNARY:
        value, i = _evaluate(tokens, i + 1)
        return UNARY[name](value), i
    if name in BINARY:
        first, i = _evaluate(tokens, i + 1)
        if i >= len(tokens) or tokens[i] != SEPARATOR:
            raise PCFGSyntaxError(f"{head!r} needs ',' before position {i}")
        second, i = _evaluate(tokens, i + 1)
        return BINARY[name](first, second), i
    end = i
    while (
        end < len(tokens) and tokens[end] != SEPARATOR and base_function(tokens[end]) is None
    ):
        end += 1
    if end == i:
        raise PCFGSyntaxError(f"missing argument at position {i} (found {head!r})")
    return tokens[i:end], end


def function_count(tokens: Sequence[str]) -> int:
    """The number of function tokens (synonyms included) in an input."""
    return sum(1 for t in tokens if base_function(t) is not None)


def primitive_applications(tokens: Sequence[str]) -> set[int]:
    """Positions of the functions whose arguments are all strings (``reverse A1 B2``,
    ``append A1 , B2``): the only places where the substitutivity test's ``primitive``
    training data uses a synonym. The input must be well-formed."""
    found: set[int] = set()

    def walk(i: int) -> tuple[int, bool]:  # (end, whether the argument is a string)
        name = base_function(tokens[i])
        if name is None:
            end = i
            while end < len(tokens) and tokens[end] != SEPARATOR \
                    and base_function(tokens[end]) is None:
                end += 1
            return end, True
        end, plain = walk(i + 1)
        if name in BINARY:
            end, second = walk(end + 1)
            plain = plain and second
        if plain:
            found.add(i)
        return end, False

    walk(0)
    return found


def string_arguments(tokens: Sequence[str]) -> list[Tokens]:
    """The maximal runs of string tokens of an input (its string arguments)."""
    runs: list[Tokens] = []
    start = None
    for i, t in enumerate((*tokens, SEPARATOR)):
        if t == SEPARATOR or base_function(t) is not None:
            if start is not None:
                runs.append(tuple(tokens[start:i]))
            start = None
        elif start is None:
            start = i
    return runs


def adjacent_pairs(
    tokens: Sequence[str], pairs: frozenset[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The ordered pairs ``(f, g)`` of ``pairs`` that occur as adjacent tokens.

    "Adjacent" is the systematicity split's definition: ``g`` is the token right
    after ``f``, so ``f`` applies directly to ``g``'s result (``g`` being ``f``'s
    first argument). ``repeat reverse remove_second`` holds no (repeat,
    remove_second) pair.
    """
    return {p for p in pairwise(tokens) if p in pairs}


def build_grammar(
    p_unary: float = 0.33,
    p_binary: float = 0.27,
    string_lengths: Mapping[int, float] | None = None,
) -> PCFG:
    """The PCFG SET generator as a probabilistic context-free grammar.

    Rules: ``S -> UNARY S | BINARY S ',' S | STRING``; ``UNARY`` and ``BINARY``
    pick a function uniformly; ``STRING -> TOKEN^k`` for k = 2..5 with the
    official argument-length frequencies; ``TOKEN`` is uniform over ``LETTERS``.

    The defaults were tuned so that, once function counts are matched by quota,
    the share of binary functions comes close to the official corpus (2.17 vs 2.04
    per input; a 0.3 / 0.3 grammar gives 2.39, a 0.36 / 0.24 one 1.95).

    Args:
        p_unary: Probability that ``S`` applies a unary function.
        p_binary: Probability that ``S`` applies a binary function
            (``p_unary + p_binary < 1``; the rest yields a string).
        string_lengths: Relative frequency of each string-argument length;
            defaults to :data:`STRING_LENGTHS`.

    Returns:
        An ``nltk.PCFG`` whose start symbol is ``S``.
    """
    from nltk.grammar import PCFG, Nonterminal, ProbabilisticProduction

    if not (0 < p_unary and 0 < p_binary and p_unary + p_binary < 1):
        raise ValueError(
            f"need 0 < p_unary, p_binary and a sum < 1: {p_unary}, {p_binary}"
        )
    lengths = _normalised(string_lengths or STRING_LENGTHS)
    s, unary, binary = Nonterminal("S"), Nonterminal("UNARY"), Nonterminal("BINARY")
    string_nt, token = Nonterminal("STRING"), Nonterminal("TOKEN")
    rules = [
        ProbabilisticProduction(s, [unary, s], prob=p_unary),
        ProbabilisticProduction(s, [binary, s, SEPARATOR, s], prob=p_binary),
        ProbabilisticProduction(s, [string_nt], prob=1 - p_unary - p_binary),
    ]
    rules += [ProbabilisticProduction(unary, [f], prob=1 / len(UNARY)) for f in UNARY]
    rules += [
        ProbabilisticProduction(binary, [f], prob=1 / len(BINARY)) for f in BINARY
    ]
    rules += [
        ProbabilisticProduction(string_nt, [token] * k, prob=p)
        for k, p in lengths.items()
    ]
    rules += [
        ProbabilisticProduction(token, [t], prob=1 / len(LETTERS)) for t in LETTERS
    ]
    return PCFG(s, rules)


def _normalised(hist: Mapping[int, float]) -> dict[int, float]:
    total = sum(hist.values())
    return {k: v / total for k, v in sorted(hist.items()) if v > 0}


_Table = dict[Any, tuple[list[tuple[Any, ...]], list[float]]]


@lru_cache(maxsize=8)
def _compile(grammar: PCFG) -> _Table:
    """Per nonterminal: its right-hand sides and their cumulative probabilities."""
    table: _Table = {}
    for production in grammar.productions():
        rhs_list, cumulative = table.setdefault(production.lhs(), ([], []))
        rhs_list.append(production.rhs())
        cumulative.append((cumulative[-1] if cumulative else 0.0) + production.prob())
    return table


def sample_source(
    grammar: PCFG, rng: random.Random, max_functions: int | None = None
) -> list[str] | None:
    """Draw one input from the grammar (leftmost derivation, seeded).

    Args:
        grammar: A grammar from :func:`build_grammar` (or any ``nltk.PCFG``).
        rng: The random stream; the same seed gives the same inputs.
        max_functions: Give up (return None) as soon as the input holds more
            function tokens than this; None never gives up.

    Returns:
        The terminal tokens, or None when ``max_functions`` was exceeded.
    """
    table = _compile(grammar)
    out: list[str] = []
    stack: list[Any] = [grammar.start()]
    n_functions = 0
    while stack:
        symbol = stack.pop()
        if isinstance(symbol, str):
            out.append(symbol)
            if symbol in FUNCTIONS:
                n_functions += 1
                if max_functions is not None and n_functions > max_functions:
                    return None
            continue
        rhs_list, cumulative = table[symbol]
        pick = bisect_right(cumulative, rng.random() * cumulative[-1])
        stack.extend(reversed(rhs_list[min(pick, len(rhs_list) - 1)]))
    return out
