"""Literal tokens: input tokens that denote themselves (a declared prior).

In PCFG SET the 520 string tokens (``A1`` ... ``Z20``) are copied into the output by the
functions around them; learning a symbol and a constant program for each would exhaust
any symbol budget. Under the prior ``literal_tokens = "output tokens"``, every input
token that also occurs in some training output is a literal:

- it gets a symbol of its own, outside the learned budget, whose meaning is fixed: the
  one-token list of itself;
- a run of adjacent literals denotes the list of them: the run's first literal heads
  the others (trees are put in that shape, see :func:`nsr.tree_edits.group_runs`), and
  a literal takes no other argument (a dependent that carries no value is allowed);
- the parser sees every literal as one and the same symbol.

Nothing about a literal is learned; what the functions around them do still is. The
class is open: at prediction, a token never seen in training is a literal too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from semantics.markers import NO_VALUE, UNDEFINED

LITERAL_PRIORS = ("none", "output tokens")


def output_tokens(examples: Iterable[Any]) -> set[str]:
    """Tokens of the inputs that also occur in some (token-list) output."""
    inputs: set[str] = set()
    outputs: set[str] = set()
    for e in examples:
        inputs.update(e.inputs)
        if isinstance(e.target, tuple):
            outputs.update(t for t in e.target if isinstance(t, str))
    return inputs & outputs


class Literals:
    """The literal tokens of a run and their symbols (``first``, ``first + 1``, ...).

    The class is open: a token never seen in training becomes a literal when it is
    first met (:meth:`add`), after every existing one, so no symbol changes."""

    def __init__(self, tokens: Iterable[str] = (), first: int = 0) -> None:
        self.tokens: list[str] = []
        self.first = first
        self.symbol_of: dict[str, int] = {}
        for t in tokens:
            self.add(t)

    def add(self, token: str) -> int:
        """The token's symbol, making it a literal if it is not one yet."""
        if token not in self.symbol_of:
            self.symbol_of[token] = self.first + len(self.tokens)
            self.tokens.append(token)
        return self.symbol_of[token]

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def token(self, symbol: int) -> str | None:
        """The token a literal symbol stands for (``None`` for other symbols)."""
        i = symbol - self.first
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def is_literal(self, symbol: int) -> bool:
        return 0 <= symbol - self.first < len(self.tokens)

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first, "tokens": self.tokens}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Literals:
        if not data:
            return cls()
        return cls(list(data["tokens"]), int(data["first"]))


def literal_value(token: str, node: int, children: Sequence[int], values: Sequence[Any],
                  is_literal: Sequence[bool]) -> Any:
    """The run ``node`` heads: ``(token,)`` and its literal dependents' tokens in input
    order. ``UNDEFINED`` unless those dependents are leaves that, with ``node``, fill a
    span of adjacent positions, and every other dependent carries no value."""
    run = [node]
    for c in children:
        if is_literal[c]:
            if not isinstance(values[c], tuple) or len(values[c]) != 1:
                return UNDEFINED
            run.append(c)
        elif values[c] is not NO_VALUE:
            return UNDEFINED
    run.sort()
    if run[-1] - run[0] != len(run) - 1:
        return UNDEFINED
    return tuple(token if i == node else values[i][0] for i in run)
